/* phone_bench: the phone benchmark's own measurements, run inside the test
 * VM on qemu's usb-mtp device by `scripts/bench.sh phone`, through the
 * kiosk's real device layer and media module (no fake anywhere):
 *
 *   phone_bench read PATH [BLOCK]   reads a phone file whole through
 *       device_file_read() in BLOCK-byte calls (default 1 MiB), the bytes
 *       thrown away. Prints
 *       "bytes=N open_ms=T read_ms=T total_ms=T mb_s=X" (total: from
 *       devices_create(), as a program that opens the phone pays it).
 *   phone_bench screen [ROOT]       the kiosk's first screen on a phone:
 *       the gallery of the first phone (or ROOT), its Camera album newest
 *       first, until the first 24 thumbnails are ready (as the app asks for
 *       them: as soon as 24 entries are in). Prints "ready_ms=T
 *       first_entries_ms=T screen_ms=T listed_ms=T photos=N previews=N
 *       bytes_per_thumb=N" (all from devices_create()).
 *   phone_bench run OUT CMD [ARG...] runs CMD (stdio inherited) and writes
 *       "rc=N wall_ms=T maxrss_kb=N" to the file OUT: the guest has no
 *       /usr/bin/time, and timing inside the guest keeps the agent's own
 *       round trips out of the figures.
 *
 * PHONE_BENCH_READ_BLOCK=N sets device_options.read_block (experiments).
 * Prints no file names. Exit: 0 done, 1 failed, 2 usage.
 */
#include "device.h"
#include "media.h"
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { SCREEN = 24 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The device layer on USB (libmtp), settled. */
static struct devices *open_devices(void)
{
    struct device_options o;
    device_options_default(&o);
    o.usb = true;
    o.usb_backend = "mtp";
    o.notify = notify_waiter;
    const char *rb = getenv("PHONE_BENCH_READ_BLOCK"); /* experiments: the read-ahead block */
    if (rb)
        o.read_block = (size_t)strtoul(rb, NULL, 10);
    struct device_error err = {0};
    struct devices *d = devices_create(&o, &err);
    if (!d) {
        fprintf(stderr, "phone_bench: devices_create: %s\n", err.detail);
        return NULL;
    }
    if (devices_settle(d, 60000) != 0)
        fprintf(stderr, "phone_bench: a device is still connecting after 60 s\n");
    return d;
}

static int cmd_read(const char *path, size_t block)
{
    const double t0 = now_ms();
    struct devices *d = open_devices();
    if (!d)
        return 1;
    int rc = 1;
    uint8_t *buf = malloc(block);
    struct device_error err = {0};
    const double t1 = now_ms();
    struct device_file *f = buf ? device_file_open(d, path, &err) : NULL;
    if (!f) {
        fprintf(stderr, "phone_bench: open: %s (%s)\n", device_err_code(err.code), err.detail);
        goto out;
    }
    const double t2 = now_ms();
    const uint64_t size = device_file_size(f);
    uint64_t off = 0;
    while (off < size) {
        ssize_t n = device_file_read(f, buf, block, off);
        if (n <= 0) {
            const struct device_error *e = device_file_error(f);
            fprintf(stderr, "phone_bench: read at %llu: %s (%s)\n", (unsigned long long)off,
                    n < 0 ? device_err_code(e->code) : "short", n < 0 ? e->detail : "");
            goto out;
        }
        off += (uint64_t)n;
    }
    const double t3 = now_ms();
    printf("bytes=%llu open_ms=%.0f read_ms=%.0f total_ms=%.0f mb_s=%.2f\n", (unsigned long long)off,
           t2 - t1, t3 - t2, t3 - t0, (double)off / 1e6 / ((t3 - t2) / 1e3));
    rc = 0;
out:
    device_file_close(f);
    if (buf) {
        explicit_bzero(buf, block);
        free(buf);
    }
    devices_destroy(d);
    return rc;
}

/* The first phone's root, copied (NULL: none ready). */
static char *first_phone(struct devices *d)
{
    struct device_list *l = devices_list(d);
    char *root = NULL;
    for (size_t i = 0; l && i < l->count && !root; i++)
        if (l->v[i].backend == DEVICE_BACKEND_MTP && l->v[i].state == DEVICE_READY)
            root = strdup(l->v[i].root);
    device_list_free(l);
    return root;
}

static int cmd_screen(const char *want_root)
{
    const double t0 = now_ms();
    struct devices *d = open_devices();
    if (!d)
        return 1;
    int rc = 1;
    struct media *m = NULL;
    struct media_folder *f = NULL;
    char *root = want_root ? strdup(want_root) : first_phone(d);
    if (!root) {
        fprintf(stderr, "phone_bench: no phone is ready\n");
        goto out;
    }
    const double t_ready = now_ms();
    struct media_options o;
    media_options_default(&o);
    o.devices = d;
    o.notify = notify_waiter;
    struct media_error err = {0};
    m = media_create(&o, &err);
    f = m ? media_gallery_open(m, root, 0, &err) : NULL;
    if (!f) {
        fprintf(stderr, "phone_bench: gallery: %s\n", err.detail);
        goto out;
    }
    media_gallery_album(f, MEDIA_ALBUM_CAMERA);
    media_folder_view(f, MEDIA_SORT_DATE, MEDIA_FILTER_ALL);
    /* As the app: the cells are filled once entries are in view. */
    double t_entries = 0, t_screen = 0, t_listed = 0;
    uint32_t ids[SCREEN];
    size_t nids = 0;
    for (;;) {
        unsigned ev = media_events(m);
        if (ev & MEDIA_EV_FOLDER)
            media_folder_update(f);
        const size_t count = media_folder_count(f);
        const bool listing = media_folder_listing(f);
        if (!t_listed && !listing)
            t_listed = now_ms();
        if (!nids && (count >= SCREEN || (!listing && count > 0))) {
            t_entries = now_ms();
            nids = count < SCREEN ? count : SCREEN;
            for (size_t i = 0; i < nids; i++) {
                struct media_entry e;
                media_folder_entry(f, i, &e);
                ids[i] = e.id;
            }
            media_thumbs_want(m, f, ids, nids);
        }
        if (nids && !t_screen) {
            size_t done = 0;
            for (size_t i = 0; i < nids; i++) {
                struct media_thumb_info ti;
                media_thumb_get(m, f, ids[i], &ti);
                done += ti.state == MEDIA_THUMB_READY || ti.state == MEDIA_THUMB_FAILED;
            }
            if (done == nids)
                t_screen = now_ms();
        }
        if (!listing && !count) {
            fprintf(stderr, "phone_bench: the Camera album is empty (error %d)\n", (int)media_folder_error(f));
            goto out;
        }
        if (t_screen && t_listed)
            break;
        notify_wait(5);
    }
    struct media_counts c;
    media_folder_counts(f, &c);
    struct media_stats st;
    media_get_stats(m, &st);
    printf("ready_ms=%.0f first_entries_ms=%.0f screen_ms=%.0f listed_ms=%.0f photos=%zu previews=%llu "
           "bytes_per_thumb=%.0f\n",
           t_ready - t0, t_entries - t0, t_screen - t0, t_listed - t0, c.photos,
           (unsigned long long)st.previews, st.decoded ? (double)st.bytes_read / (double)st.decoded : 0.0);
    rc = 0;
out:
    media_folder_close(f);
    media_destroy(m);
    free(root);
    devices_destroy(d);
    return rc;
}

static int cmd_run(const char *out, char **argv)
{
    const double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "phone_bench: exec: %s\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return 1;
    const double t1 = now_ms();
    /* Whole or not at all: the benchmark polls for this file. */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.part", out);
    FILE *o = fopen(tmp, "w");
    if (!o)
        return 1;
    fprintf(o, "rc=%d wall_ms=%.0f maxrss_kb=%ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128,
            t1 - t0, ru.ru_maxrss);
    return fclose(o) == 0 && rename(tmp, out) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "read"))
        return cmd_read(argv[2], argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 1024 * 1024);
    if (argc >= 2 && !strcmp(argv[1], "screen"))
        return cmd_screen(argc > 2 ? argv[2] : NULL);
    if (argc >= 4 && !strcmp(argv[1], "run"))
        return cmd_run(argv[2], argv + 3);
    fprintf(stderr, "usage: phone_bench read PATH [BLOCK] | screen [ROOT] | run OUT CMD [ARG...]\n");
    return 2;
}
