/* libFuzzer: image sniffing, every decoder and PDQ (all variants) on
 * arbitrary bytes. Limits are lowered so that the fuzzer explores formats,
 * not allocation sizes. */
#include "hash.h"
#include "hash_internal.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hash_ctx *ctx;
    if (!ctx) {
        /* The decoders themselves, in this process: the kiosk and the CLI
         * decode in the sandbox's child instead (hash/sandbox.h). */
        hash_in_process = true;
        struct hash_options opt;
        hash_options_default(&opt);
        opt.limits.max_pixels = 4u << 20;
        opt.limits.max_dim = 8192;
        ctx = hash_ctx_create(&opt);
        if (!ctx)
            abort();
    }
    struct hash_result *res = malloc(sizeof(*res));
    if (!res)
        return 0;
    hash_image_memory(ctx, data, size, res);
    free(res);
    return 0;
}
