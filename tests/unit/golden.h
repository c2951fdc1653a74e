/* Golden screenshots shared by the golden and flow tests: compares a frame
 * with tests/golden/<name>.png (tolerance: a channel off by more than 8
 * counts, at most 200 such pixels per million), or writes it with update.
 * On a mismatch the actual frame and a diff image go to $HIFAZAT_GOLDEN_OUT
 * (the build directory's golden-out/). 0 ok / -1 mismatch (reported). */
#ifndef HIFAZAT_GOLDEN_H
#define HIFAZAT_GOLDEN_H

#include <stdbool.h>
#include <stdint.h>

int golden_check(const char *name, const uint8_t *rgba, int w, int h, bool update);
/* True when HIFAZAT_UPDATE_GOLDEN=1 or --update was given (sets it). */
bool golden_update_mode(int *argc, char **argv);

#endif
