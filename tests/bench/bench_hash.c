/* Benchmark for hashing. Prints, in one run, ratios against
 * baselines measured in the same run:
 *   - PDQ per image (12 MP JPEG, 1 MP JPEG, 1 MP PNG): decode alone vs
 *     decode + PDQ in cli mode and in full mode (targets <= 1.25 and <= 1.60);
 *     djpeg on the same JPEG for reference;
 *   - MD5 + SHA-1 + SHA-256 one pass on a 1 GiB file vs md5sum alone (target >= 0.9);
 *   - peak RSS of `hifazat hash` on the 12 MP JPEG (<= 120 MB) and on a 4 GiB
 *     file (<= 32 MB).
 * With --source: a phone's video through hash_source_file(), as bytes come
 * over a cable: a ~2 GB 1080p MP4 (index at the end, as phones write it)
 * made here, read through a reader that serves at most 512 KiB a call; its
 * peak RSS (target <= 150 MB), the growth over a 10 s clip of the same kind,
 * the bytes read per byte of file (one pass: ~1.0; two passes were 2.0), and
 * its wall and CPU time against hash_file() on the same file in the same run
 * (each in a process of its own, the file in the page cache, interleaved
 * rounds, medians of the per-round ratios).
 * Usage: bench_hash SHARED_DIR HIFAZAT_BINARY WORK_DIR [--images]   (--images: PDQ only)
 *        bench_hash --source WORK_DIR [MB]                            (MB: video size, 2048) */
#include "benchutil.h"
#include "hash.h"
#include "image.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

/* ---- --source: a phone's video through a reader ---- */

enum { PHONE_PIECE = 512 * 1024, SOURCE_ROUNDS = 3 };

struct phone {
    int fd;
    uint64_t served;
};

static ssize_t phone_read(void *vctx, void *buf, size_t n, uint64_t off)
{
    struct phone *p = vctx;
    if (n > PHONE_PIECE)
        n = PHONE_PIECE;
    ssize_t r;
    do
        r = pread(p->fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        p->served += (uint64_t)r;
    return r;
}

/* In a process of its own, so that its peak RSS is this file's alone:
 * one line "seconds=.. read_x=.. frames=.. err=..". */
static int source_child(const char *mode, const char *path)
{
    struct hash_options o;
    hash_options_default(&o);
    o.vpdq.max_seconds = 0;
    struct hash_ctx *ctx = hash_ctx_create(&o);
    struct hash_result *res = calloc(1, sizeof(*res));
    if (!ctx || !res)
        return 1;
    struct phone ph = {.fd = open(path, O_RDONLY | O_CLOEXEC)};
    struct stat st;
    if (ph.fd < 0 || fstat(ph.fd, &st) != 0)
        return 1;
    /* The kernel's read-ahead as hash_file() asks for it: the engine is
     * compared, not the page cache (a phone's layer reads ahead itself). */
    posix_fadvise(ph.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    const double t0 = bench_now();
    if (!strcmp(mode, "file")) {
        hash_file(ctx, path, res);
    } else {
        const struct hash_source src = {.size = (uint64_t)st.st_size, .read_at = phone_read, .ctx = &ph};
        hash_source_file(ctx, &src, res);
    }
    const double t = bench_now() - t0;
    printf("seconds=%.3f read_x=%.3f frames=%zu err=%s\n", t,
           strcmp(mode, "file") ? (double)ph.served / (double)st.st_size : 0.0,
           res->vpdq ? res->vpdq->frames.n : (size_t)0, hash_err_code(res->err));
    const int rc = res->err == HASH_OK ? 0 : 1;
    hash_result_clear(res);
    free(res);
    hash_ctx_destroy(ctx);
    close(ph.fd);
    return rc;
}

/* Runs this program as a child; its one line into out, its peak RSS and
 * its CPU seconds (user + system). */
static int run_child(const char *mode, const char *path, char *out, size_t cap, long *rss_kb, double *cpu)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl("/proc/self/exe", "bench_hash", "--source-child", mode, path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < cap && (r = read(fds[0], out + got, cap - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = 0;
    close(fds[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *rss_kb = ru.ru_maxrss;
    if (cpu)
        *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
               (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static double field(const char *line, const char *key)
{
    char k[64];
    snprintf(k, sizeof(k), "%s=", key);
    const char *p = strstr(line, k);
    return p ? atof(p + strlen(k)) : -1;
}

static int bench_source(const char *work, long mb)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* the children take minutes: say where we are */
    char seed[2048], big[2048], cmd[8192];
    snprintf(seed, sizeof(seed), "%s/phone-seed.mp4", work);
    snprintf(big, sizeof(big), "%s/phone-big.mp4", work);
    /* 10 s as a phone films it: 1080p30 H.264 without B-frames, sensor-like
     * noise (a phone's bitrate), AAC sound, the index at the end. */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -y -f lavfi -i 'testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t+u' "
             "-f lavfi -i sine=frequency=300 -t 10 -c:v libx264 -preset ultrafast -crf 20 -bf 0 -g 30 "
             "-pix_fmt yuv420p -c:a aac -shortest '%s'", seed);
    if (system(cmd) != 0) {
        printf("  ffmpeg failed making the clip\n");
        return 1;
    }
    struct stat st;
    if (stat(seed, &st) != 0 || st.st_size <= 0)
        return 1;
    const long loops = (long)(((uint64_t)mb << 20) / (uint64_t)st.st_size) + 1;
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y -stream_loop %ld -i '%s' -c copy '%s' && cat '%s' > /dev/null",
             loops - 1, seed, big, big);
    if (system(cmd) != 0 || stat(big, &st) != 0) {
        printf("  ffmpeg failed making the long video\n");
        return 1;
    }
    printf("Phone video through a reader (at most %d KiB a call) vs hash_file(), %d interleaved rounds\n",
           PHONE_PIECE / 1024, SOURCE_ROUNDS);
    printf("  video: %.0f MB, %ld x a 10 s 1080p30 H.264 + AAC clip (%.1f MB), moov at the end\n",
           (double)st.st_size / 1048576.0, loops, (double)st.st_size / loops / 1048576.0);

    char line[512];
    long rss_small = 0;
    if (run_child("source", seed, line, sizeof(line), &rss_small, NULL) != 0) {
        printf("  the 10 s clip failed: %s\n", line);
        return 1;
    }
    /* Interleaved rounds, the ratio taken per round (then the median): a
     * busy moment of a shared machine slows both sides of a round alike. */
    double ts[SOURCE_ROUNDS], tf[SOURCE_ROUNDS], wall_ratio[SOURCE_ROUNDS], cpu_ratio[SOURCE_ROUNDS];
    double read_x = 0;
    long rss_src = 0, rss_file = 0;
    for (int i = 0; i < SOURCE_ROUNDS; i++) {
        /* Which goes first alternates: the first of a pair must not be the
         * one that always meets the machine's leftovers. */
        long rss;
        double cs = 0, cf = 0, frames = -1;
        for (int k = 0; k < 2; k++) {
            const bool source = (k == 0) == (i % 2 == 0);
            if (run_child(source ? "source" : "file", big, line, sizeof(line), &rss, source ? &cs : &cf) != 0) {
                printf("  %s failed: %s\n", source ? "source" : "hash_file", line);
                return 1;
            }
            if (frames >= 0 && field(line, "frames") != frames) {
                printf("  the two gave different frame counts\n");
                return 1;
            }
            frames = field(line, "frames");
            if (source) {
                ts[i] = field(line, "seconds");
                read_x = field(line, "read_x");
                rss_src = rss > rss_src ? rss : rss_src;
            } else {
                tf[i] = field(line, "seconds");
                rss_file = rss > rss_file ? rss : rss_file;
            }
        }
        printf("  round %d: source %.1f s, hash_file %.1f s\n", i + 1, ts[i], tf[i]);
        wall_ratio[i] = tf[i] / ts[i];
        cpu_ratio[i] = cf / cs;
    }
    const double mbytes = (double)st.st_size / 1048576.0;
    const double s_med = bench_median(ts, SOURCE_ROUNDS), f_med = bench_median(tf, SOURCE_ROUNDS);
    const double ratio = bench_median(wall_ratio, SOURCE_ROUNDS), cratio = bench_median(cpu_ratio, SOURCE_ROUNDS);
    printf("  source: %.1f s (%.0f MB/s), peak RSS %.1f MB; 10 s clip %.1f MB: growth %.1f MB; "
           "read %.3f x the file\n",
           s_med, mbytes / s_med, rss_src / 1024.0, rss_small / 1024.0, (rss_src - rss_small) / 1024.0, read_x);
    printf("  hash_file: %.1f s (%.0f MB/s), peak RSS %.1f MB\n", f_med, mbytes / f_med, rss_file / 1024.0);
    printf("  throughput source / hash_file: %.2f (wall), %.2f (CPU time); medians of per-round ratios\n", ratio,
           cratio);
    /* one line, key=value, for scripts/bench.sh */
    printf("source_rss_mb=%.1f growth_mb=%.1f read_x=%.3f throughput_ratio=%.2f cpu_ratio=%.2f file_rss_mb=%.1f\n",
           rss_src / 1024.0, (rss_src - rss_small) / 1024.0, read_x, ratio, cratio, rss_file / 1024.0);
    unlink(big);
    unlink(seed);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--source-child"))
        return source_child(argv[2], argv[3]);
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--source"))
        return bench_source(argv[2], argc == 4 ? atol(argv[3]) : 2048);
    if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "--images"))) {
        fprintf(stderr, "usage: bench_hash SHARED_DIR HIFAZAT_BINARY WORK_DIR [--images]\n"
                        "       bench_hash --source WORK_DIR [MB]\n");
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

    printf("MD5 + SHA-1 + SHA-256, one pass, 1 GiB file in the page cache\n");
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
    printf("  md5sum %.0f ms (%.0f MB/s) | hifazat hash (MD5+SHA-1+SHA-256) %.0f ms (%.0f MB/s) | "
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
