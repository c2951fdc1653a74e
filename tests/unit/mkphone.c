/* mkphone — a phone-like folder tree, as an Android phone keeps its
 * pictures, for tests, benchmarks and the USB image's boot test (where
 * qemu's usb-mtp device serves it to the kiosk as a phone):
 *
 *   DCIM/Camera/IMG_<date>.jpg      camera photos, each with an EXIF preview
 *   DCIM/Camera/IMG_<date>.heic     (--heic) as iPhones and some Androids keep them
 *   DCIM/Camera/VID_<date>.mp4      (--videos) short H.264 videos
 *   Pictures/Screenshots/Screenshot_<date>.png
 *   Download/<name>.jpg
 *   Pictures/Instagram/IMG_<n>.jpg  (--other) an app's own folder: the gallery's "Other"
 *   Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-<date>-WA<n>.jpg (+ Sent/)
 *   Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Video/VID-<date>-WA<n>.mp4
 *   Android/media/org.telegram.messenger/Telegram/Telegram Images/<n>.jpg
 *   Android/data/com.example/cache/, .thumbnails/, DCIM/.trashed-*: app data and
 *   trash the gallery must not show
 *
 * Every file gets its own date (one hour apart, or --step seconds,
 * interleaved across the folders) so that "newest first" has one right
 * answer: the newest is the last camera photo. Deterministic for the same
 * arguments.
 *
 * usage: mkphone DIR [--camera N] [--camera-size WxH] [--heic N] [--videos N]
 *                    [--whatsapp N] [--screenshots N] [--downloads N] [--telegram N]
 *                    [--big-video MB] [--epoch SECONDS] [--step SECONDS] [--other N]
 *                    [--preview WxH]
 * --preview: the camera photos' EXIF preview size (default 160x120; Android
 * phones write 320x240 or 512x384, big enough for the gallery's thumbnails).
 */
#include "mediagen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

static const char *root;
static long long epoch = 1700000000; /* 2023-11-14 */
static long long step;               /* files made so far: each is one step newer */
static long long step_s = 3600;      /* seconds between two files' dates */
static int preview_w = 160, preview_h = 120; /* camera photos' EXIF preview */

static void die(const char *what, const char *path)
{
    fprintf(stderr, "mkphone: %s: %s\n", what, path);
    exit(1);
}

/* The next file's date, and its name part "YYYYMMDD_HHMMSS". */
static long long next_time(char stamp[32])
{
    const long long t = epoch + step_s * step++;
    const time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(stamp, 32, "%Y%m%d_%H%M%S", &tm);
    return t;
}

static void set_time(const char *path, long long t)
{
    struct utimbuf u = {.actime = (time_t)t, .modtime = (time_t)t};
    if (utime(path, &u) != 0)
        die("utime", path);
}

static void path_of(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", root, rel);
    char *slash = strrchr(out, '/');
    *slash = 0;
    if (gen_mkdirs(out) != 0)
        die("mkdir", out);
    *slash = '/';
}

static void jpeg_with_preview(const char *rel, int w, int h, long long t, uint32_t seed)
{
    char p[4096];
    path_of(p, sizeof(p), rel);
    gen_camera_seed = seed;
    size_t len = 0;
    uint8_t *j = gen_jpeg_preview(w, h, gen_camera, 1, preview_w, preview_h, gen_halves, &len);
    if (!j || gen_write(p, j, len) != 0)
        die("jpeg", p);
    free(j);
    set_time(p, t);
}

static void jpeg_plain(const char *rel, int w, int h, long long t, uint32_t seed)
{
    char p[4096];
    path_of(p, sizeof(p), rel);
    gen_camera_seed = seed;
    if (gen_jpeg_file(p, w, h, gen_camera, 1, 85) != 0)
        die("jpeg", p);
    set_time(p, t);
}

static void video(const char *rel, int seconds, const char *size, const char *rate, long long t)
{
    char p[4096], cmd[8192];
    path_of(p, sizeof(p), rel);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -y -f lavfi -i 'testsrc2=size=%s:rate=30' -t %d "
             "-c:v libx264 -preset veryfast %s -pix_fmt yuv420p '%s'",
             size, seconds, rate, p);
    if (gen_run(cmd) != 0)
        die("ffmpeg", p);
    set_time(p, t);
}

int main(int argc, char **argv)
{
    int camera = 6, heic = 1, videos = 1, whatsapp = 3, screenshots = 2, downloads = 1, telegram = 1, other = 0;
    int cw = 1024, ch = 768, big_mb = 0;
    static const struct option opts[] = {
        {"camera", required_argument, NULL, 'c'},   {"camera-size", required_argument, NULL, 's'},
        {"heic", required_argument, NULL, 'H'},     {"videos", required_argument, NULL, 'v'},
        {"whatsapp", required_argument, NULL, 'w'}, {"screenshots", required_argument, NULL, 'S'},
        {"downloads", required_argument, NULL, 'd'}, {"telegram", required_argument, NULL, 't'},
        {"big-video", required_argument, NULL, 'b'}, {"epoch", required_argument, NULL, 'e'},
        {"step", required_argument, NULL, 'T'},     {"other", required_argument, NULL, 'o'},
        {"preview", required_argument, NULL, 'p'},  {0, 0, 0, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'c': camera = atoi(optarg); break;
        case 's':
            if (sscanf(optarg, "%dx%d", &cw, &ch) != 2 || cw < 16 || ch < 16)
                die("bad --camera-size", optarg);
            break;
        case 'H': heic = atoi(optarg); break;
        case 'v': videos = atoi(optarg); break;
        case 'w': whatsapp = atoi(optarg); break;
        case 'S': screenshots = atoi(optarg); break;
        case 'd': downloads = atoi(optarg); break;
        case 't': telegram = atoi(optarg); break;
        case 'b': big_mb = atoi(optarg); break;
        case 'e': epoch = atoll(optarg); break;
        case 'T':
            step_s = atoll(optarg);
            if (step_s < 1)
                die("bad --step", optarg);
            break;
        case 'o': other = atoi(optarg); break;
        case 'p':
            if (sscanf(optarg, "%dx%d", &preview_w, &preview_h) != 2 || preview_w < 8 || preview_h < 8)
                die("bad --preview", optarg);
            break;
        default:
            fprintf(stderr, "usage: mkphone DIR [--camera N] [--camera-size WxH] [--heic N] [--videos N]\n"
                            "       [--whatsapp N] [--screenshots N] [--downloads N] [--telegram N]\n"
                            "       [--big-video MB] [--epoch SECONDS] [--step SECONDS] [--other N]\n"
                            "       [--preview WxH]\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "mkphone: one DIR\n");
        return 2;
    }
    root = argv[optind];
    if (gen_mkdirs(root) != 0)
        die("mkdir", root);

    char rel[1024], stamp[32], p[4096];
    const char *wa = "Android/media/com.whatsapp/WhatsApp/Media";
    /* The others first (older), the camera's last photos the newest. */
    for (int i = 0; i < whatsapp; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "%s/WhatsApp Images/%sIMG-%.8s-WA%04d.jpg", wa, i % 3 == 2 ? "Sent/" : "",
                 stamp, i + 1);
        jpeg_plain(rel, 800, 600, t, 1000u + (uint32_t)i);
    }
    for (int i = 0; i < screenshots; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "Pictures/Screenshots/Screenshot_%s.png", stamp);
        path_of(p, sizeof(p), rel);
        if (gen_png_file(p, 540, 1170, i % 2 ? gen_gradient : gen_quadrants, false, false) != 0)
            die("png", p);
        set_time(p, t);
    }
    for (int i = 0; i < downloads; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "Download/photo_%d.jpg", i + 1);
        jpeg_plain(rel, 640, 480, t, 2000u + (uint32_t)i);
    }
    for (int i = 0; i < telegram; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "Android/media/org.telegram.messenger/Telegram/Telegram Images/%d_%d.jpg",
                 1000 + i, 121 + i);
        jpeg_plain(rel, 720, 720, t, 3000u + (uint32_t)i);
    }
    for (int i = 0; i < other; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "Pictures/Instagram/IMG_%04d.jpg", i + 1);
        jpeg_plain(rel, 720, 900, t, 6000u + (uint32_t)i);
    }
    for (int i = 0; i < videos; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "%s/WhatsApp Video/VID-%.8s-WA%04d.mp4", wa, stamp, i + 1);
        video(rel, 3, "480x270", "-crf 28", t);
        const long long t2 = next_time(stamp);
        snprintf(rel, sizeof(rel), "DCIM/Camera/VID_%s.mp4", stamp);
        video(rel, 4, "640x360", "-crf 26", t2);
    }
    for (int i = 0; i < heic; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "DCIM/Camera/IMG_%s.heic", stamp);
        path_of(p, sizeof(p), rel);
        gen_camera_seed = 4000u + (uint32_t)i;
        if (gen_heic_file(p, 640, 480, gen_camera, 160, gen_halves) != 0)
            die("heic", p);
        set_time(p, t);
    }
    if (big_mb > 0) {
        /* A long, large video: fingerprinting it takes a while (the unplug
         * test), and it measures read throughput. ~big_mb MB. */
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "DCIM/Camera/VID_%s_long.mp4", stamp);
        char rate[160];
        const int secs = 20;
        /* Constant bit rate with filler: the test pattern alone compresses to nothing. */
        snprintf(rate, sizeof(rate), "-b:v %dk -minrate %dk -maxrate %dk -bufsize %dk -x264-params nal-hrd=cbr",
                 big_mb * 8000 / secs, big_mb * 8000 / secs, big_mb * 8000 / secs, big_mb * 8000 / secs);
        video(rel, secs, "1280x720", rate, t);
    }
    for (int i = 0; i < camera; i++) {
        const long long t = next_time(stamp);
        snprintf(rel, sizeof(rel), "DCIM/Camera/IMG_%s.jpg", stamp);
        jpeg_with_preview(rel, cw, ch, t, 5000u + (uint32_t)i);
    }
    char newest[32];
    snprintf(newest, sizeof(newest), "%s", stamp);
    /* What a gallery must not show: app data, thumbnails, trash (older than all). */
    const long long t = epoch - 3600;
    jpeg_plain("Android/data/com.example.app/cache/ad_banner.jpg", 320, 50, t, 9001);
    jpeg_plain(".thumbnails/1700000000123.jpg", 96, 96, t, 9002);
    jpeg_plain("DCIM/.trashed-1700000000-IMG_0001.jpg", 320, 240, t, 9003);
    printf("mkphone: %s: %lld pictures and videos (and 3 the gallery must not show), newest %s\n", root,
           step, newest);
    return 0;
}
