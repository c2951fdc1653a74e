/* Benchmark for the media module ("Choose"): opening a phone's camera
 * folder of 3 000 photos, through the device layer. Prints, in one run,
 * with baselines measured in the same run:
 *   - listing: media_folder_open() vs a bare readdir() of the same folder;
 *   - per photo: thumbnail (reduced-size decode) vs a full-size decode;
 *   - time to the first screenful (24 thumbnails) and thumbnail throughput
 *     while scrolling to the end, with the default options (2 workers,
 *     192 px, 32 MiB cache) vs one thread decoding the same thumbnails;
 *   - the gallery's first screen: the whole device gathered by
 *     media_gallery_open() and its Camera album shown (listing, then the
 *     first 24 thumbnails), against the folder opened on its own;
 *   - copying a thumbnail out blurred vs sharp (main-thread cost);
 *   - peak RSS of the whole opening (target <= 150 MB);
 *   - the same folders served as a phone (a fake MTP phone, fakephone.h,
 *     with PHONE_DELAY_US per request, one request at a time): the first
 *     screenful of entries and of thumbnails, requests and bytes per
 *     thumbnail. The fake phone is not a real one: the boot test's
 *     `scripts/bench.sh phone` measures qemu's usb-mtp device.
 * The photos are generated once per run into WORK_DIR: 30 distinct JPEGs of
 * 2 to 4 MP (phone-like noise, a tenth portrait via EXIF orientation 6),
 * each written 100 times as separate files. They sit in the page cache: a
 * real SD card or USB stick adds its read time (~1 MB a photo) on top.
 * Usage: bench_media WORK_DIR [COUNT] */
#include "benchutil.h"
#include "device.h"
#include "fakephone.h"
#include "image.h"
#include "media.h"
#include "mediagen.h"
#include "testutil.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { BASES = 30, SCREEN = 24, PHONE_DELAY_US = 1000 };

static uint8_t *bases[BASES];
static size_t base_len[BASES];

/* previews: with a 320x240 EXIF preview, as many Android phones write. */
static int generate(const char *dir, int count, bool previews, double *mb)
{
    static const int sizes[][2] = {{1600, 1200}, {2048, 1536}, {2304, 1728}, {1920, 1440}};
    double bytes = 0;
    for (int i = 0; i < BASES; i++) {
        const int *s = sizes[i % 4];
        gen_camera_seed = (uint32_t)i * 7919u;
        free(bases[i]);
        const int orient = i % 10 == 3 ? 6 : 1;
        bases[i] = previews ? gen_jpeg_preview(s[0], s[1], gen_camera, orient, 320, 240, gen_camera, &base_len[i])
                            : gen_jpeg(s[0], s[1], gen_camera, orient, 88, &base_len[i]);
        if (!bases[i])
            return -1;
    }
    if (gen_mkdirs(dir) != 0)
        return -1;
    for (int i = 0; i < count; i++) {
        char p[2048];
        snprintf(p, sizeof(p), "%s/IMG_20240101_%06d.jpg", dir, i);
        const int b = i % BASES;
        if (gen_write(p, bases[b], base_len[b]) != 0)
            return -1;
        bytes += (double)base_len[b];
    }
    *mb = bytes / 1e6;
    return 0;
}

static void wait_ready(struct media *m, struct media_folder *f, const uint32_t *ids, size_t n)
{
    for (;;) {
        media_events(m);
        size_t done = 0;
        for (size_t i = 0; i < n; i++) {
            struct media_thumb_info ti;
            media_thumb_get(m, f, ids[i], &ti);
            done += ti.state == MEDIA_THUMB_READY || ti.state == MEDIA_THUMB_FAILED;
        }
        if (done == n)
            return;
        notify_wait(2);
    }
}

static long rss_now_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* The device layer: the folders under root as volumes, or one fake phone
 * whose storage is dir. */
static struct fakephones *fp;
static struct devices *devices_for(const char *root, const char *phone_dir)
{
    static const struct device_backend *list[2];
    struct device_options o;
    device_options_default(&o);
    if (phone_dir) {
        fp = fakephones_create();
        list[0] = fakephones_backend(fp);
        o.backends = list;
        struct fakephone d = {.model = "Bench", .serial = "BENCH", .nstorages = 1, .delay_us = PHONE_DELAY_US};
        d.storages[0] = (struct fakephone_storage){phone_dir, "Internal shared storage", false};
        fakephone_plug(fp, &d);
    } else {
        o.media_root = root;
        o.mode = DEVICE_ROOT_DIRS;
    }
    struct device_error err;
    struct devices *dv = devices_create(&o, &err);
    if (!dv)
        printf("  devices_create: %s\n", err.detail);
    else
        devices_settle(dv, 20000);
    return dv;
}

/* Takes listing news until at least `want` entries are in view, or the
 * listing is over. */
static void wait_listed(struct media *m, struct media_folder *f, size_t want)
{
    for (;;) {
        if (media_events(m) & MEDIA_EV_FOLDER)
            media_folder_update(f);
        if (!media_folder_listing(f) || media_folder_count(f) >= want)
            return;
        notify_wait(2);
    }
}

/* The opening, as the kiosk does it; runs in a child so that its peak RSS is
 * its own. phone_dir: the same through a fake phone serving it. */
static int opening_as(const char *root, const char *path, const char *phone_dir, bool full, bool gallery)
{
    struct devices *dv = devices_for(root, phone_dir);
    if (!dv)
        return 1;
    struct media_options o;
    media_options_default(&o);
    o.devices = dv;
    o.notify = notify_waiter;
    struct media_error err;
    const double t0 = bench_now();
    struct media *m = media_create(&o, &err);
    if (!m) {
        printf("  media_create: %s\n", err.detail);
        return 1;
    }
    struct media_folder *f =
        gallery ? media_gallery_open(m, path, 0, &err) : media_folder_open(m, path, 0, &err);
    if (!f) {
        printf("  open: %s\n", err.detail);
        return 1;
    }
    if (gallery)
        media_gallery_album(f, MEDIA_ALBUM_CAMERA);
    /* A phone's folder comes in as it answers; the gallery's first screen
     * is the newest of the whole device, known once it is read. */
    wait_listed(m, f, gallery ? SIZE_MAX : SCREEN);
    const double t1 = bench_now();
    wait_listed(m, f, SIZE_MAX);
    const double t1_all = bench_now();
    const size_t n = media_folder_count(f);
    uint32_t *ids = malloc(sizeof(uint32_t) * n);
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        media_folder_entry(f, i, &e);
        ids[i] = e.id;
    }
    media_thumbs_want(m, f, ids, SCREEN);
    wait_ready(m, f, ids, SCREEN);
    const double t2 = bench_now();
    const long rss_first = rss_now_kb();

    /* Copy out as the UI does (into a texture), blurred and sharp. */
    struct media_thumb_info ti;
    media_thumb_get(m, f, ids[0], &ti);
    uint8_t *tex = malloc((size_t)ti.width * ti.height * 4);
    const double c0 = bench_now();
    for (int k = 0; k < 200; k++)
        media_thumb_copy(m, f, ids[k % SCREEN], false, tex, (size_t)ti.width * 4, ti.width, ti.height);
    const double c1 = bench_now();
    int blurred = 0;
    for (int k = 0; k < 200; k++) {
        media_thumb_get(m, f, ids[k % SCREEN], &ti);
        blurred += media_thumb_copy(m, f, ids[k % SCREEN], true, tex, (size_t)ti.width * 4, ti.width,
                                    ti.height) == 0;
    }
    const double c2 = bench_now();
    free(tex);

    /* Scroll to the end a screen at a time, with a screen of prefetch. */
    const double s0 = bench_now();
    size_t done = SCREEN;
    /* Through a phone: the first 240 (whole files read at a request's pace). */
    const size_t end = phone_dir && n > 240 ? 240 : n;
    for (size_t at = SCREEN; at < end; at += SCREEN) {
        const size_t k = at + 2 * SCREEN <= end ? 2 * SCREEN : end - at;
        media_thumbs_want(m, f, ids + at, k);
        const size_t vis = k < SCREEN ? k : SCREEN;
        wait_ready(m, f, ids + at, vis);
        done += vis;
    }
    const double s1 = bench_now();
    struct media_stats st;
    media_get_stats(m, &st);
    if (gallery) {
        printf("  %s%zu photos in the Camera album, the device listed in %.0f ms; first screen %.0f ms after"
               " it, %.0f ms from media_create; %.0f thumbnails per second\n",
               phone_dir ? "through the phone: " : "", n, (t1_all - t0) * 1e3, (t2 - t1) * 1e3, (t2 - t0) * 1e3,
               (double)done / (s1 - s0));
    } else if (phone_dir) {
        struct fakephone_stats ps;
        fakephone_stats(fp, 0, &ps);
        printf("  through a phone (%d us a request): %zu photos listed in %.0f ms, the first %d in %.0f ms;"
               " first screen %.0f ms after them; %.0f thumbnails per second; %.0f KB and %.1f requests"
               " per thumbnail; %llu of %llu from previews\n",
               PHONE_DELAY_US, n, (t1_all - t0) * 1e3, SCREEN, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
               (double)done / (s1 - s0), st.bytes_read / 1024.0 / (double)st.decoded,
               (double)(ps.reads + ps.thumbs) / (double)st.decoded, (unsigned long long)st.previews,
               (unsigned long long)st.decoded);
    } else if (full) {
        printf("  media_folder_open, %zu photos: %.1f ms (from media_create)\n", n, (t1 - t0) * 1e3);
        printf("  first screen (%d thumbnails): %.0f ms after the listing; %.0f ms from media_create\n",
               SCREEN, (t2 - t1) * 1e3, (t2 - t0) * 1e3);
        printf("  scrolling through all: %zu thumbnails in %.1f s = %.0f per second (2 workers)\n", done,
               s1 - s0, (double)done / (s1 - s0));
        printf("  copy out for a texture: sharp %.3f ms, blurred %.3f ms per thumbnail (%d blurred)\n",
               (c1 - c0) * 1e3 / 200, (c2 - c1) * 1e3 / 200, blurred);
        printf("  cache: peak %.1f MB of %.1f MB budget, %llu evicted, %llu failed\n", st.cache_peak / 1e6,
               o.cache_bytes / 1e6, (unsigned long long)st.evicted, (unsigned long long)st.failed);
        printf("  read from the device: %.0f KB per thumbnail\n", st.bytes_read / 1024.0 / (double)st.decoded);
        printf("  peak RSS after the first screen: %.1f MB\n", rss_first / 1024.0);
    } else {
        printf("  with EXIF previews: first screen %.0f ms after the listing; %.0f thumbnails per second;"
               " %.0f KB read per thumbnail; %llu of %llu from previews\n",
               (t2 - t1) * 1e3, (double)done / (s1 - s0), st.bytes_read / 1024.0 / (double)st.decoded,
               (unsigned long long)st.previews, (unsigned long long)st.decoded);
    }
    fflush(stdout);
    free(ids);
    media_folder_close(f);
    media_destroy(m);
    devices_destroy(dv);
    fakephones_destroy(fp);
    return 0;
}

static int opening(const char *root, const char *path, const char *phone_dir, bool full)
{
    return opening_as(root, path, phone_dir, full, false);
}

static int noop_begin(void *c, const struct image_info *i) { (void)c; (void)i; return 0; }
static int noop_row(void *c, int y, const uint8_t *p) { (void)c; (void)y; (void)p; return 0; }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_media WORK_DIR [COUNT]\n");
        return 2;
    }
    const int count = argc > 2 ? atoi(argv[2]) : 3000;
    char root[1024], vol[1100], folder[1200];
    snprintf(root, sizeof(root), "%s/media", argv[1]);
    snprintf(vol, sizeof(vol), "%s/phone", root);
    snprintf(folder, sizeof(folder), "%s/DCIM/Camera", vol);
    double mb = 0;
    const double g0 = bench_now();
    if (generate(folder, count, false, &mb) != 0) {
        printf("  cannot generate the photos in %s\n", folder);
        return 1;
    }
    printf("Generated %d JPEGs (30 distinct, 2-4 MP, %.0f MB in all) in %.1f s\n", count, mb, bench_now() - g0);

    /* Listing baseline: names only. */
    double best_rd = 1e9;
    int names = 0;
    for (int r = 0; r < 5; r++) {
        const double a = bench_now();
        DIR *d = opendir(folder);
        names = 0;
        while (d && readdir(d))
            names++;
        if (d)
            closedir(d);
        const double b = bench_now() - a;
        best_rd = b < best_rd ? b : best_rd;
    }
    struct devices *dv = devices_for(root, NULL);
    struct media_options o;
    media_options_default(&o);
    o.devices = dv;
    struct media_error err;
    struct media *m = dv ? media_create(&o, &err) : NULL;
    if (!m)
        return 1;
    media_pause(m, true); /* the listing alone */
    double best_ls = 1e9;
    for (int r = 0; r < 5; r++) {
        const double a = bench_now();
        struct media_folder *f = media_folder_open(m, folder, 0, &err);
        const double b = bench_now() - a;
        media_folder_close(f);
        best_ls = b < best_ls ? b : best_ls;
    }
    media_destroy(m);
    devices_destroy(dv);
    printf("Listing (best of 5)\n");
    printf("  readdir alone %.2f ms (%d names) | media_folder_open %.2f ms = %.1fx (names, sizes, dates,"
           " types by name, sorted both ways)\n",
           best_rd * 1e3, names - 2, best_ls * 1e3, best_ls / best_rd);

    /* Per photo, one thread: full-size decode (what hashing decodes) vs thumbnail. */
    double full = 0, thumb = 0;
    for (int i = 0; i < SCREEN; i++) {
        const int b = i % BASES;
        struct image_sink sink = {.begin = noop_begin, .row = noop_row};
        struct image_error ierr;
        double a = bench_now();
        image_decode(bases[b], base_len[b], NULL, &sink, &ierr);
        full += bench_now() - a;
        struct image_scale sc = {.max_w = 192, .max_h = 192};
        struct image_rgba img;
        a = bench_now();
        image_decode_scaled(bases[b], base_len[b], NULL, &sc, &img, &ierr);
        thumb += bench_now() - a;
        image_rgba_free(&img);
    }
    printf("Per photo (first %d, one thread, from memory)\n", SCREEN);
    printf("  full-size decode %.1f ms | thumbnail %.2f ms = %.3fx (%.0fx faster)\n", full * 1e3 / SCREEN,
           thumb * 1e3 / SCREEN, thumb / full, full / thumb);
    printf("  one thread, %d thumbnails back to back: %.0f ms (baseline for the first screen)\n", SCREEN,
           thumb * 1e3);
    printf("Opening the folder as the kiosk does (child process; default options)\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(opening(root, folder, NULL, true));
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    printf("  peak RSS of the whole opening (list, first screen, scroll to the end): %.1f MB"
           " (target <= 150)\n", ru.ru_maxrss / 1024.0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;

    /* The gallery: the same device gathered whole, its Camera album. */
    printf("The gallery's first screen (the whole device, its Camera album; child process)\n");
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(opening_as(root, vol, NULL, false, true));
    wait4(pid, &status, 0, &ru);
    printf("  peak RSS: %.1f MB (target <= 150)\n", ru.ru_maxrss / 1024.0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;

    /* The same photos as most Android phones write them: with a preview. */
    char pfolder[1200];
    snprintf(pfolder, sizeof(pfolder), "%s/DCIM/Previews", vol);
    if (generate(pfolder, 240, true, &mb) != 0)
        return 1;
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(opening(root, pfolder, NULL, false));
    wait4(pid, &status, 0, &ru);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;

    /* The same folders on a phone by cable. */
    printf("Through a phone (a fake MTP phone in this process, %d us per request)\n", PHONE_DELAY_US);
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(opening(root, "test:BENCH/DCIM/Previews", vol, false));
    wait4(pid, &status, 0, &ru);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    pid = fork();
    if (pid == 0)
        _exit(opening(root, "test:BENCH/DCIM/Camera", vol, false));
    wait4(pid, &status, 0, &ru);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    /* And its gallery: both folders in the Camera album. */
    pid = fork();
    if (pid == 0)
        _exit(opening_as(root, "test:BENCH", vol, false, true));
    wait4(pid, &status, 0, &ru);
    for (int i = 0; i < BASES; i++)
        free(bases[i]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
