/* The decoding sandbox's cost: hashing the shared PDQ images and making
 * their gallery thumbnails in a fresh hifazat-decode per file (what the
 * kiosk and the CLI do) against the same work in this process (the
 * baseline, measured in the same run, interleaved rounds, medians of the
 * per-round ratios), plus the bare cost of one child (a 1x1 picture).
 * Usage: bench_sandbox SHARED_DIR */
#include "benchutil.h"
#include "hash.h"
#include "hash_internal.h"
#include "media_internal.h"
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FILES = 256, ROUNDS = 5 };

struct file {
    uint8_t *data;
    size_t len;
};

static double hash_all(struct hash_ctx *ctx, const struct file *f, int n, bool in_process)
{
    hash_in_process = in_process;
    struct hash_result res;
    const double t0 = bench_now();
    for (int i = 0; i < n; i++) {
        hash_image_memory(ctx, f[i].data, f[i].len, &res);
        hash_result_clear(&res);
    }
    return bench_now() - t0;
}

static double thumbs_all(const struct file *f, int n, bool in_process)
{
    hash_in_process = in_process;
    const struct image_scale sc = {.max_w = 256, .max_h = 256};
    const double t0 = bench_now();
    for (int i = 0; i < n; i++) {
        struct image_rgba img;
        struct image_error err;
        if (media_sandbox_scaled(f[i].data, f[i].len, &sc, &img, &err) == 0)
            image_rgba_free(&img);
    }
    return bench_now() - t0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_sandbox SHARED_DIR\n");
        return 2;
    }
    static struct file files[MAX_FILES];
    int n = 0;
    uint64_t bytes = 0;
    const char *dirs[] = {"pdq/images/generated", "pdq/images/repo/bridge-mods"};
    for (size_t d = 0; d < 2; d++) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/%s", argv[1], dirs[d]);
        DIR *dp = opendir(dir);
        if (!dp)
            continue;
        char *names[MAX_FILES];
        int k = 0;
        struct dirent *de;
        while ((de = readdir(dp)) && k < MAX_FILES)
            if (de->d_name[0] != '.')
                names[k++] = strdup(de->d_name);
        closedir(dp);
        qsort(names, (size_t)k, sizeof(*names), by_name);
        for (int i = 0; i < k; i++) {
            char p[8192];
            snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
            free(names[i]);
            size_t len;
            uint8_t *data = n < MAX_FILES ? read_whole(p, &len) : NULL;
            if (!data)
                continue;
            const char *fmt;
            if (hash_sniff(data, len, &fmt) != HASH_KIND_IMAGE) {
                free(data);
                continue;
            }
            files[n++] = (struct file){data, len};
            bytes += len;
        }
    }
    if (!n) {
        fprintf(stderr, "no images under %s/pdq/images\n", argv[1]);
        return 1;
    }
    struct hash_ctx *ctx = hash_ctx_create(NULL);
    double in[ROUNDS], sb[ROUNDS], r[ROUNDS], tin[ROUNDS], tsb[ROUNDS], tr[ROUNDS];
    hash_all(ctx, files, n, true); /* warm the page cache and the libraries */
    hash_all(ctx, files, n, false);
    for (int i = 0; i < ROUNDS; i++) {
        in[i] = hash_all(ctx, files, n, true);
        sb[i] = hash_all(ctx, files, n, false);
        r[i] = sb[i] / in[i];
        tin[i] = thumbs_all(files, n, true);
        tsb[i] = thumbs_all(files, n, false);
        tr[i] = tsb[i] / tin[i];
    }
    /* One child's fixed cost: spawn, exec, filter, a 1x1 PGM. */
    static const uint8_t tiny[] = "P5 1 1 255\n\x80";
    double one[21];
    hash_in_process = false;
    for (int i = 0; i < 21; i++) {
        struct hash_result res;
        const double t0 = bench_now();
        hash_image_memory(ctx, tiny, sizeof(tiny) - 1, &res);
        one[i] = bench_now() - t0;
    }
    printf("  %d images, %.1f MB (the shared PDQ images)\n", n, (double)bytes / 1e6);
    printf("  hash (decode + PDQ): in process %.1f ms, sandboxed %.1f ms: ratio %.2f\n",
           bench_median(in, ROUNDS) * 1e3, bench_median(sb, ROUNDS) * 1e3, bench_median(r, ROUNDS));
    printf("  thumbnails (256 px): in process %.1f ms, sandboxed %.1f ms: ratio %.2f\n",
           bench_median(tin, ROUNDS) * 1e3, bench_median(tsb, ROUNDS) * 1e3, bench_median(tr, ROUNDS));
    printf("  one child (spawn + exec + filter + a 1x1 picture): %.2f ms\n", bench_median(one, 21) * 1e3);
    printf("hash_ratio=%.2f thumb_ratio=%.2f child_ms=%.2f\n", bench_median(r, ROUNDS),
           bench_median(tr, ROUNDS), bench_median(one, 21) * 1e3);
    hash_ctx_destroy(ctx);
    for (int i = 0; i < n; i++)
        free(files[i].data);
    return 0;
}
