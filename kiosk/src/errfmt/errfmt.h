/* errfmt — the one formatter for "a caller buffer" errors (docs/architecture.md,
 * Errors): an English developer message into char *err, size_t errlen.
 *
 * Usage:
 *   1. if (bad) return errfmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
 *      (or call it, then return NULL or a code of the module's own).
 * A NULL err or a zero errlen writes nothing; the message is cut to fit. */
#ifndef HIFAZAT_ERRFMT_H
#define HIFAZAT_ERRFMT_H

#include <stddef.h>

/* Always returns -1, so that a function can `return errfmt(...)`. */
int errfmt(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
