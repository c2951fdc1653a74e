/* Benchmark for issue 2 (hashing). Prints, in one run, ratios against
 * baselines measured in the same run:
 *   - PDQ per image (12 MP JPEG, 1 MP JPEG, 1 MP PNG): decode alone vs
 *     decode + PDQ in cli mode and in full mode (targets <= 1.25 and <= 1.60);
 *     djpeg on the same JPEG for reference;
 *   - MD5 + SHA-256 one pass on a 1 GiB file vs md5sum alone (target >= 0.9);
 *   - peak RSS of `hifazat hash` on the 12 MP JPEG (<= 120 MB) and on a 4 GiB
 *     file (<= 32 MB).
 * Usage: bench_hash SHARED_DIR HIFAZAT_BINARY WORK_DIR [--images]   (--images: PDQ only) */
#include "benchutil.h"
#include "hash.h"
#include "image.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int noop_begin(void *c, const struct image_info *i) { (void)c; (void)i; return 0; }
static int noop_row(void *c, int y, const uint8_t *p) { (void)c; (void)y; (void)p; return 0; }

/* Runs argv, returns wall seconds; *rss_kb gets the child's peak RSS. */
static double run(char *const argv[], long *rss_kb)
{
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (rss_kb)
        *rss_kb = ru.ru_maxrss;
    return bench_now() - t0;
}

static void bench_image(const char *path, const char *label, int reps)
{
    size_t len;
    uint8_t *data = read_whole(path, &len);
    if (!data) {
        printf("  %s: cannot read %s\n", label, path);
        return;
    }
    struct image_sink sink = {.begin = noop_begin, .row = noop_row};
    struct image_error err;
    struct hash_options cli_opt, full_opt;
    hash_options_default(&cli_opt);
    cli_opt.full = false;
    cli_opt.displayed = false;
    hash_options_default(&full_opt);
    full_opt.displayed = false;
    struct hash_ctx *cli = hash_ctx_create(&cli_opt), *full = hash_ctx_create(&full_opt);
    struct hash_result *res = malloc(sizeof(*res));
    /* Interleaved, and the ratio taken per round (then the median): a slow
     * moment of a shared machine slows the decode and the hash it is
     * compared with alike. */
    double td[128], tc[128], tf[128], rc[128], rf[128];
    for (int i = 0; i < reps; i++) {
        double t0 = bench_now();
        image_decode(data, len, NULL, &sink, &err);
        double t1 = bench_now();
        hash_image_memory(cli, data, len, res);
        double t2 = bench_now();
        hash_image_memory(full, data, len, res);
        double t3 = bench_now();
        td[i] = t1 - t0;
        tc[i] = t2 - t1;
        tf[i] = t3 - t2;
        rc[i] = tc[i] / td[i];
        rf[i] = tf[i] / td[i];
    }
    double d = bench_median(td, reps), c = bench_median(tc, reps), f = bench_median(tf, reps);
    double c_ratio = bench_median(rc, reps), f_ratio = bench_median(rf, reps);
    printf("  %-16s %4dx%-4d decode %7.1f ms | cli %7.1f ms = %.2fx decode (target <= 1.25) | "
           "full %7.1f ms = %.2fx decode (target <= 1.60)\n",
           label, res->width, res->height, d * 1e3, c * 1e3, c_ratio, f * 1e3, f_ratio);
    if (strstr(path, ".jpg")) {
        char *argv[] = {"djpeg", "-outfile", "/dev/null", (char *)path, NULL};
        double tj[16];
        for (int i = 0; i < 5; i++)
            tj[i] = run(argv, NULL);
        printf("  %-16s djpeg (process, for reference) %.1f ms\n", "", bench_median(tj, 5) * 1e3);
    }
    free(res);
    hash_ctx_destroy(cli);
    hash_ctx_destroy(full);
    free(data);
}

static int make_file(const char *path, uint64_t size, bool random)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    if (!random) {
        int rc = ftruncate(fd, (off_t)size);
        close(fd);
        return rc;
    }
    enum { CH = 1 << 20 };
    uint8_t *buf = malloc(CH);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint64_t done = 0; done < size; done += CH) {
        for (size_t i = 0; i < CH; i += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            memcpy(buf + i, &x, 8);
        }
        if (write(fd, buf, CH) != CH) {
            free(buf);
            close(fd);
            return -1;
        }
    }
    free(buf);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "--images"))) {
        fprintf(stderr, "usage: bench_hash SHARED_DIR HIFAZAT_BINARY WORK_DIR [--images]\n");
        return 2;
    }
    const char *shared = argv[1], *bin = argv[2], *work = argv[3];
    char p[4096];

    printf("PDQ per image (medians of interleaved rounds, ratios per round; decode = our decoder "
           "alone, same process)\n");
    snprintf(p, sizeof(p), "%s/pdq/images/generated/gen_12mp_reencoded.jpg", shared);
    bench_image(p, "12 MP JPEG", 11);
    snprintf(p, sizeof(p), "%s/pdq/images/generated/gen_1mp.jpg", shared);
    bench_image(p, "1 MP JPEG", 61);
    snprintf(p, sizeof(p), "%s/pdq/images/generated/gen_1mp.png", shared);
    bench_image(p, "1 MP PNG", 31);
    if (argc == 5)
        return 0;   /* --images: the PDQ part only */

    printf("MD5 + SHA-256, one pass, 1 GiB file in the page cache\n");
    char big[4096];
    snprintf(big, sizeof(big), "%s/bench-1g.bin", work);
    if (make_file(big, 1ull << 30, true) != 0) {
        printf("  cannot write %s\n", big);
        return 1;
    }
    char *md5[] = {"md5sum", big, NULL};
    char *ours[] = {(char *)bin, "hash", "-q", big, NULL};
    run(md5, NULL); /* warm the page cache */
    double tm[5], to[5];
    for (int i = 0; i < 5; i++) {
        tm[i] = run(md5, NULL);
        to[i] = run(ours, NULL);
    }
    double m = bench_median(tm, 5), o = bench_median(to, 5);
    printf("  md5sum %.0f ms (%.0f MB/s) | hifazat hash (MD5+SHA-256) %.0f ms (%.0f MB/s) | "
           "ratio %.2f (target >= 0.90)\n",
           m * 1e3, 1024 / m, o * 1e3, 1024 / o, m / o);
    unlink(big);

    printf("Peak RSS of hifazat hash\n");
    long rss;
    snprintf(p, sizeof(p), "%s/pdq/images/generated/gen_12mp_reencoded.jpg", shared);
    char *img[] = {(char *)bin, "hash", "-q", p, NULL};
    run(img, &rss);
    printf("  12 MP JPEG (all PDQ variants): %.1f MB (target <= 120)\n", rss / 1024.0);
    snprintf(big, sizeof(big), "%s/bench-4g.bin", work);
    make_file(big, 4ull << 30, false);
    char *four[] = {(char *)bin, "hash", "-q", big, NULL};
    double t = run(four, &rss);
    printf("  4 GiB file: %.1f MB (target <= 32), %.1f s\n", rss / 1024.0, t);
    unlink(big);
    return 0;
}
