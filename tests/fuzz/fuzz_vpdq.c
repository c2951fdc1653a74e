/* libFuzzer: vPDQ on arbitrary bytes — every demuxer the allow-list admits,
 * every decoder behind them, the skip-unsampled path and its fallback,
 * rotation, swscale and PDQ. Budgets and the frame size limit are lowered so
 * that the fuzzer explores formats, not allocation sizes or long videos.
 * The seeds (seeds/video) are tiny videos in each container plus broken
 * ones (cut, garbage after the header); tests/fuzz/replay.c runs them in
 * every build. */
#include "vpdq.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.threads = 1;
    o.max_seconds = 5;
    o.max_frames = 300;
    o.max_pixels = 1u << 20;
    /* vary the sampling from the input's length, not its bytes */
    o.interval = (size & 1) ? 0.0 : 0.2;
    o.downscale = (size & 2) ? 16 : 0;
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    vpdq_hash_memory(data, size, &o, &res, &err);
    if (res) {
        struct vpdq_match m;
        if (vpdq_compare(res->frames.v, res->frames.n, res->displayed.v, res->displayed.n, &m) != 0)
            abort();
        for (size_t i = 0; i < res->frames.n; i++)
            if (res->frames.v[i].quality < 0 || res->frames.v[i].quality > 100)
                abort();
    }
    vpdq_result_free(res);
    return 0;
}
