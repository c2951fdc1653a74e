/* vPDQ throughput and memory on one file: seconds of video hashed per second
 * of wall time, and the process's peak RSS. Run once per process so that the
 * peak belongs to this file alone (scripts/bench.sh does that).
 * Usage: bench_vpdq FILE [THREADS [INTERVAL [DOWNSCALE]]] */
#include "vpdq.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_vpdq FILE [THREADS [INTERVAL [DOWNSCALE]]]\n");
        return 2;
    }
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.threads = argc > 2 ? atoi(argv[2]) : 1;
    o.interval = argc > 3 ? atof(argv[3]) : 1.0;
    o.downscale = argc > 4 ? atoi(argv[4]) : 0;
    o.max_seconds = 0;
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    const double t0 = now();
    const int rc = vpdq_hash_path(argv[1], &o, &res, &err);
    const double wall = now() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_vpdq: %s: %s\n", vpdq_err_code(err.code), err.detail);
        vpdq_result_free(res);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const double video = (double)res->frames_decoded / res->fps;
    /* one line, key=value, for scripts/bench.sh */
    printf("video_s=%.2f wall_s=%.3f cpu_s=%.3f speed_x=%.1f frames=%llu hashed=%zu "
           "peak_rss_mb=%.1f size=%dx%d\n",
           video, wall, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
           video / wall, (unsigned long long)res->frames_decoded, res->frames.n,
           (double)ru.ru_maxrss / 1024.0, res->width, res->height);
    vpdq_result_free(res);
    return 0;
}
