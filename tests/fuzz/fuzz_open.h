/* Fixed keys shared by fuzz_open.c and make_open_seeds.c. */
#ifndef HIFAZAT_FUZZ_OPEN_H
#define HIFAZAT_FUZZ_OPEN_H

#include "keys.h"

#include <string.h>

static inline struct keys_helpline *fuzz_helpline(void)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 0x48, sizeof(seed));
    return keys_helpline_from_seed(seed);
}

static inline struct keys_kiosk *fuzz_kiosk(void)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 0x4b, sizeof(seed));
    return keys_kiosk_from_seed(seed);
}

#endif
