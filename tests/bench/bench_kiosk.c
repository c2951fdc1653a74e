/* Benchmark for the kiosk flow, printed in one run with baselines
 * measured in the same run, on SDL's dummy driver with the software renderer
 * at 1280x800:
 *   - cold start to the first frame (KIOSK_READY) of hifazat-kiosk in demo
 *     mode, vs a bare SDL program that shows one cleared frame;
 *   - a phone (a folder device) whose camera holds 3 000 photos, on "Choose",
 *     driven through the real app with taps, with EXIF previews (as most
 *     phones write them) and without: the gallery's first screen (the tap on
 *     the device on "Connect" to its album's blurred cover: the whole device
 *     listed, the album counted, its cover decoded), the Camera album's (the
 *     tap on the album to the first screenful of blurred thumbnails under
 *     their date headers), and the same folder through "All folders" (the
 *     tap on the folder to its first screenful, as before the gallery); vs
 *     one thread decoding the same visible thumbnails back to back; peak RSS
 *     of the whole process after scrolling to the end (target <= 150 MB) vs
 *     the bare SDL program;
 *   - frame time while scrolling the album (a photo an hour: a date header
 *     a day; a wheel step per frame, the thumbnails of new rows arriving as
 *     they are decoded) vs a frame of the same album when nothing moves;
 *   - fingerprinting 50 phone photos (12 MP) through the app's worker, per
 *     photo, vs `hifazat hash` on the same files.
 * The photos are generated once per run into WORK_DIR (30 distinct 2048x1536
 * JPEGs linked 100 times each, on two devices: with previews and without;
 * 5 distinct 12 MP ones linked 10 times on a third); they sit in the page
 * cache, so a real card's read time comes on top.
 * Usage: bench_kiosk KIOSK_BINARY HIFAZAT_BINARY WORK_DIR
 *        bench_kiosk --baseline-window   (the bare SDL program, internal) */
#include "benchutil.h"
#include "app_internal.h"
#include "image.h"
#include "kioskfix.h"
#include "narration.h"
#include "media.h"
#include "mediagen.h"
#include "ui_internal.h"

#include <SDL.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define W 1280
#define H 800
enum { BASES = 30, PHOTOS = 3000, BIG_BASES = 5, BIG = 50 };


/* ---- photos */


/* A camera folder: `bases` distinct JPEGs, each linked count/bases times.
 * Links share their dates: base b is dated day b (count/bases photos a
 * day, a date header each in the gallery), so newest first is base
 * bases-1's links in name order, then base bases-2's... */
static int make_folder(const char *dir, int count, int bases, int w, int h, bool previews)
{
    if (gen_mkdirs(dir) != 0)
        return -1;
    char base[2048];
    for (int i = 0; i < bases; i++) {
        gen_camera_seed = (uint32_t)i * 7919u;
        size_t len;
        uint8_t *jpg = previews ? gen_jpeg_preview(w, h, gen_camera, 1, 320, 240, gen_camera, &len)
                                : gen_jpeg(w, h, gen_camera, 1, 90, &len);
        snprintf(base, sizeof base, "%s/.base-%d.jpg", dir, i);
        if (!jpg || gen_write(base, jpg, len) != 0)
            return -1;
        free(jpg);
        struct timespec ts[2] = {{1700000000 + i * 86400, 0}, {1700000000 + i * 86400, 0}};
        utimensat(AT_FDCWD, base, ts, 0);
    }
    for (int i = 0; i < count; i++) {
        char p[2100];
        snprintf(base, sizeof base, "%s/.base-%d.jpg", dir, i % bases);
        snprintf(p, sizeof p, "%s/IMG_20240101_%06d.jpg", dir, i);
        if (link(base, p) != 0)
            return -1;
    }
    return 0;
}

/* The i-th photo newest first, as the album and the folder show them. */
static int newest(int i)
{
    const int per = PHOTOS / BASES;
    return (BASES - 1 - i / per) + (i % per) * BASES;
}

/* ---- driving the app (as the scenario test does) */

static const struct ui_hit *find_hit(struct app *a, uint32_t id)
{
    struct ui_ctx *ui = app_ui(a);
    for (size_t i = 0; i < ui->prev.n; i++)
        if (ui->prev.v[i].id == id && ui->prev.v[i].vis.w > 0)
            return &ui->prev.v[i];
    return NULL;
}

static int tap_id(struct app *a, uint32_t id)
{
    app_draw(a, true);
    const struct ui_hit *h = find_hit(a, id);
    /* A screen just entered may still be settling (its first frames): give
     * it up to two seconds, as the flow test's waits do. */
    for (int i = 0; !h && i < 200; i++) {
        app_pump(a, 10);
        app_draw(a, true);
        h = find_hit(a, id);
    }
    if (!h) {
        fprintf(stderr, "bench_kiosk: nothing to tap on %s (%s)\n", app_screen(a), app_screen_part(a));
        return -1;
    }
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.which = SDL_TOUCH_MOUSEID;
    e.button.x = h->vis.x + h->vis.w / 2;
    e.button.y = h->vis.y + h->vis.h / 2;
    SDL_PushEvent(&e);
    e.type = SDL_MOUSEBUTTONUP;
    SDL_PushEvent(&e);
    for (int i = 0; i < 3; i++)
        app_pump(a, 0);
    return 0;
}

static int tap(struct app *a, const char *n) { return tap_id(a, ui_id(n)); }
static int tap_row(struct app *a, const char *n, int i) { return tap_id(a, ui_id_index(ui_id(n), i)); }

/* Thumbnail images drawn in the last frame. */
static int images_drawn(struct app *a)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += c[i].kind == UI_CMD_IMAGE;
    return k;
}

/* Cells (partly) on screen in the last frame of a grid. */
static int visible_in(struct app *a, const char *grid_id)
{
    struct ui_ctx *ui = app_ui(a);
    uint32_t grid = ui_id(grid_id);
    int k = 0;
    for (size_t i = 0; i < ui->prev.n; i++)
        k += ui->prev.v[i].owner == grid && ui->prev.v[i].vis.w > 0 && ui->prev.v[i].vis.h > 0;
    return k;
}


/* From Welcome to "Connect". */
static int to_connect(struct app *a)
{
    if (tap(a, "welcome.start"))
        return -1;
    /* How it works: three pages, Next on each. */
    for (int i = 0; i < 3 && !strcmp(app_screen(a), "privacy"); i++)
        if (tap(a, "privacy.next"))
            return -1;
    if (tap_row(a, "questions.age", 1) || tap(a, "questions.next") || tap_row(a, "questions.who", 0) ||
        tap(a, "questions.next"))
        return -1;
    /* "Could anyone near hear?" before the nudity question is said aloud
     * (with narration): no one. */
    if (narration_hearing_asking(a->narr) && tap_row(a, "hearing", 1))
        return -1;
    if (tap_row(a, "questions.content", 0) || tap(a, "questions.next"))
        return -1;
    /* Where the pictures came from or consent (by route), then the sites
     * that check the codes. */
    const char *part = app_screen_part(a);
    const char *list = !strcmp(part, "origin") ? "questions.origin"
                       : !strcmp(part, "consent") ? "questions.consent" : NULL;
    if (list && (tap_row(a, list, 0) || tap(a, "questions.next")))
        return -1;
    if (!strcmp(app_screen_part(a), "platforms") && tap(a, "questions.next"))
        return -1;
    for (int i = 0; i < 200 && (!a->volumes || a->volumes->count < 3); i++)
        app_pump(a, 10);
    return 0;
}

/* The row of the device whose folder is `name` on "Connect". */
static int device_row(struct app *a, const char *name)
{
    for (size_t i = 0; a->volumes && i < a->volumes->count; i++) {
        const char *r = a->volumes->v[i].root;
        size_t n = strlen(r), k = strlen(name);
        if (n > k && r[n - k - 1] == '/' && !strcmp(r + n - k, name))
            return (int)i;
    }
    fprintf(stderr, "bench_kiosk: no device %s\n", name);
    return -1;
}

/* Pumps until every visible cell of grid_id shows its picture; the time
 * since t0, or 0. */
static double until_shown(struct app *a, const char *grid_id, double t0, int *visible)
{
    for (int i = 0; i < 20000; i++) {
        app_pump(a, 5);
        int k = images_drawn(a), v = visible_in(a, grid_id);
        if (v > 0 && k >= v) {
            if (visible)
                *visible = k;
            return bench_now() - t0;
        }
    }
    return 0;
}

static struct app *open_app(const struct kfix *f)
{
    struct app_options o;
    kfix_options(f, &o, W, H);
    char err[512];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    if (!a)
        fprintf(stderr, "bench_kiosk: %s\n", err);
    else
        app_draw(a, true);
    return a;
}

struct folder_result {
    double gallery[2];        /* tap on the device -> the album's cover (previews, none) */
    double album[2];          /* tap on the album -> its first screenful */
    double folder[2];         /* All folders: tap on the folder -> its first screenful */
    int visible;
    double frame_static, frame_scroll_med, frame_scroll_p95;   /* s */
    double fp_per_photo;   /* s */
    long rss_kb;
};

/* In a child (its own peak RSS): both phones, through the gallery and
 * through All folders. */
static int measure_folders(const struct kfix *f, struct folder_result *r)
{
    struct app *a = open_app(f);
    if (!a || to_connect(a))
        return -1;
    static const char *const phones[2] = {"PHONE", "PHONE-NOPREVIEW"};
    for (int pass = 0; pass < 2; pass++) {
        int row = device_row(a, phones[pass]);
        if (row < 0)
            return -1;
        /* The gallery's first screen: the Camera album and its cover. */
        app_draw(a, true);
        double t0 = bench_now();
        if (tap_row(a, "connect.device", row))
            return -1;
        /* (one album: a tile that does not scroll, found by its id) */
        r->gallery[pass] = 0;
        for (int i = 0; i < 20000 && !r->gallery[pass]; i++) {
            app_pump(a, 5);
            if (images_drawn(a) >= 1 && find_hit(a, ui_id_index(ui_id("choose.album"), MEDIA_ALBUM_CAMERA)))
                r->gallery[pass] = bench_now() - t0;
        }
        if (!r->gallery[pass]) {
            fprintf(stderr, "bench_kiosk: the Camera album's cover never showed\n");
            return -1;
        }
        /* The album's first screenful. */
        app_draw(a, true);
        t0 = bench_now();
        if (tap_id(a, ui_id_index(ui_id("choose.album"), MEDIA_ALBUM_CAMERA)))
            return -1;
        int vis = 0;
        r->album[pass] = until_shown(a, "choose.grid", t0, &vis);
        if (!r->album[pass]) {
            fprintf(stderr, "bench_kiosk: the album's first screenful never showed\n");
            return -1;
        }
        if (pass == 0) {
            r->visible = vis;
            /* Frames: one with nothing moving, then a wheel step per frame. */
            enum { N = 200 };
            double ft[N];
            for (int i = 0; i < 20; i++)
                app_draw(a, true);
            for (int i = 0; i < N; i++) {
                double s = bench_now();
                app_draw(a, true);
                ft[i] = bench_now() - s;
            }
            r->frame_static = bench_pct(ft, N, 50);
            const struct ui_hit *g = find_hit(a, ui_id("choose.grid"));
            int gx = g ? g->vis.x + g->vis.w / 2 : W / 2, gy = g ? g->vis.y + g->vis.h / 2 : H / 2;
            SDL_Event mv;
            SDL_zero(mv);
            mv.type = SDL_MOUSEMOTION;
            mv.motion.x = gx;
            mv.motion.y = gy;
            app_event(a, &mv);
            enum { S = 700 };   /* ~3 000 photos / 6 a row = 500 rows + 30 headers; a step is 60 px */
            double st[S];
            int n = 0;
            for (int i = 0; i < S; i++) {
                SDL_Event e;
                SDL_zero(e);
                e.type = SDL_MOUSEWHEEL;
                e.wheel.y = -1;
                app_event(a, &e);
                /* What arrived from the decoders is taken between frames. */
                SDL_Event q;
                while (SDL_PollEvent(&q))
                    app_event(a, &q);
                double s = bench_now();
                app_draw(a, true);
                st[n++] = bench_now() - s;
                SDL_Delay(2);
            }
            r->frame_scroll_med = bench_pct(st, n, 50);
            r->frame_scroll_p95 = bench_pct(st, n, 95);
        }
        /* All folders: DCIM, then the camera folder, as before the gallery. */
        if (tap(a, "choose.back") || tap(a, "choose.folders"))
            return -1;
        for (int i = 0; i < 5; i++)
            app_pump(a, 5);
        if (tap_id(a, screen_choose_cell(0)))   /* DCIM */
            return -1;
        for (int i = 0; i < 5; i++)
            app_pump(a, 5);
        app_draw(a, true);
        t0 = bench_now();
        if (tap_id(a, screen_choose_cell(0)))   /* Camera */
            return -1;
        r->folder[pass] = until_shown(a, "choose.grid", t0, NULL);
        /* Back to the gallery, then to Connect for the next phone. */
        if (tap(a, "choose.back") || tap(a, "choose.back"))
            return -1;
        for (int i = 0; i < 5; i++)
            app_pump(a, 5);
    }
    app_destroy(a);
    return 0;
}

/* In a child: choose the 50 big photos, Next, wait for the fingerprints. */
static int measure_fingerprints(const struct kfix *f, struct folder_result *r)
{
    struct app *a = open_app(f);
    if (!a || to_connect(a))
        return -1;
    int row = device_row(a, "BIGPHONE");
    if (row < 0 || tap_row(a, "connect.device", row))
        return -1;
    for (int i = 0; i < 50; i++)
        app_pump(a, 5);
    if (tap_id(a, ui_id_index(ui_id("choose.album"), MEDIA_ALBUM_CAMERA)))
        return -1;
    for (int i = 0; i < 50; i++)
        app_pump(a, 5);
    if (tap(a, "choose.all"))
        return -1;
    if (a->session.nitems != BIG) {
        fprintf(stderr, "bench_kiosk: %zu chosen, not %d\n", a->session.nitems, BIG);
        return -1;
    }
    double t0 = bench_now();
    if (tap(a, "choose.next"))
        return -1;
    while (!strcmp(app_screen(a), "fingerprint") && app_jobs_running(a))
        app_pump(a, 20);
    r->fp_per_photo = (bench_now() - t0) / BIG;
    struct session_counts c;
    session_counts(&a->session, &c);
    if (c.done != BIG) {
        fprintf(stderr, "bench_kiosk: %zu fingerprints, not %d\n", c.done, BIG);
        return -1;
    }
    app_destroy(a);
    return 0;
}

static int in_child(int (*fn)(const struct kfix *, struct folder_result *), const struct kfix *f,
                    struct folder_result *r)
{
    if (getenv("BENCH_KIOSK_INPROC"))   /* debugging: no fork, no RSS */
        return fn(f, r);
    int fd[2];
    if (pipe(fd))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        struct folder_result cr = {0};
        int rc = fn(f, &cr);
        if (write(fd[1], &cr, sizeof cr) != (ssize_t)sizeof cr)
            rc = -1;
        _exit(rc ? 1 : 0);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], r, sizeof *r);
    close(fd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    r->rss_kb = ru.ru_maxrss;
    if (WIFSIGNALED(status))
        fprintf(stderr, "bench_kiosk: the child died of signal %d\n", WTERMSIG(status));
    return n == (ssize_t)sizeof *r && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* One thread decoding the first screen's thumbnails (the same photos), the
 * cheapest way each allows (the EXIF preview when there is one). */
static double baseline_thumbs(const char *dir, int count)
{
    double t0 = bench_now();
    for (int i = 0; i < count; i++) {
        char p[2100];
        /* Newest first, as the grid shows them. */
        snprintf(p, sizeof p, "%s/IMG_20240101_%06d.jpg", dir, newest(i));
        size_t len;
        FILE *fh = fopen(p, "rb");
        if (!fh)
            return -1;
        fseek(fh, 0, SEEK_END);
        len = (size_t)ftell(fh);
        fseek(fh, 0, SEEK_SET);
        uint8_t *buf = malloc(len);
        if (!buf || fread(buf, 1, len, fh) != len) {
            fclose(fh);
            free(buf);
            return -1;
        }
        fclose(fh);
        struct image_rgba img;
        struct image_error err;
        struct image_scale sc = {.max_w = 192, .max_h = 192};
        if (image_decode_preview(buf, len < 65536 ? len : 65536, NULL, &sc, &img, &err) == 0 ||
            image_decode_scaled(buf, len, NULL, &sc, &img, &err) == 0)
            image_rgba_free(&img);
        free(buf);
    }
    return bench_now() - t0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--baseline-window"))
        return bench_baseline_window(W, H);
    if (argc != 4) {
        fprintf(stderr, "usage: bench_kiosk KIOSK_BINARY HIFAZAT_BINARY WORK_DIR\n");
        return 2;
    }
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    setenv("TMPDIR", argv[3], 1);
    /* The thumbnails' decoding sandbox: its child sits beside the kiosk
     * (scripts/bench.sh says where; run by hand, this finds it). Without
     * it no thumbnail would ever show and every wait below would time out. */
    if (!getenv("HIFAZAT_DECODER")) {
        char dec[4096];
        const char *slash = strrchr(argv[1], '/');
        snprintf(dec, sizeof dec, "%.*shifazat-decode", slash ? (int)(slash - argv[1] + 1) : 0, argv[1]);
        setenv("HIFAZAT_DECODER", dec, 1);
    }
    if (access(getenv("HIFAZAT_DECODER"), X_OK) != 0) {
        fprintf(stderr, "bench_kiosk: no decoder at %s (set HIFAZAT_DECODER)\n", getenv("HIFAZAT_DECODER"));
        return 1;
    }
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        return 1;
    self[sl] = '\0';

    /* ---- cold start */
    enum { RUNS = 7 };
    long rss_base = 1, r;
    if (getenv("BENCH_KIOSK_INPROC"))
        goto photos;
    char *kiosk[] = {argv[1], "--windowed", "--size", "1280x800", "--demo", "--exit-after-frames", "1",
                     "-q", NULL};
    char *base[] = {self, "--baseline-window", NULL};
    double tk[RUNS], tb[RUNS];
    for (int i = 0; i < RUNS; i++) {
        tk[i] = bench_run_to_ready(kiosk, NULL);
        tb[i] = bench_run_to_ready(base, &r);
        rss_base = r > rss_base ? r : rss_base;
        if (tk[i] < 0 || tb[i] < 0) {
            fprintf(stderr, "bench_kiosk: a child failed to show its first frame\n");
            return 1;
        }
    }
    double mk = bench_pct(tk, RUNS, 50), mb = bench_pct(tb, RUNS, 50);
    printf("cold start to first frame (Welcome, demo mode, %dx%d, median of %d)\n", W, H, RUNS);
    printf("  hifazat-kiosk              %7.1f ms\n", mk * 1e3);
    printf("  baseline: bare SDL window  %7.1f ms   ratio %.2f x\n", mb * 1e3, mk / mb);

photos:;
    /* ---- the photos */
    struct kfix f;
    if (kfix_create(&f, "bench", 0) != 0)
        return 1;
    char cam[1400], cam2[1400], big[1400];
    snprintf(cam, sizeof cam, "%s/PHONE/DCIM/Camera", f.media);
    snprintf(cam2, sizeof cam2, "%s/PHONE-NOPREVIEW/DCIM/Camera", f.media);
    snprintf(big, sizeof big, "%s/BIGPHONE/DCIM/Camera", f.media);
    double g0 = bench_now();
    if (make_folder(cam, PHOTOS, BASES, 2048, 1536, true) || make_folder(cam2, PHOTOS, BASES, 2048, 1536, false) ||
        make_folder(big, BIG, BIG_BASES, 4000, 3000, false)) {
        fprintf(stderr, "bench_kiosk: cannot generate the photos\n");
        kfix_destroy(&f);
        return 1;
    }
    fprintf(stderr, "(photos generated in %.1f s)\n", bench_now() - g0);

    /* ---- a folder of 3 000 photos */
    struct folder_result fr = {0};
    if (in_child(measure_folders, &f, &fr) != 0) {
        fprintf(stderr, "bench_kiosk: the folder run failed\n");
        kfix_destroy(&f);
        return 1;
    }
    double bt = baseline_thumbs(cam, fr.visible), bt2 = baseline_thumbs(cam2, fr.visible);
    double b1 = baseline_thumbs(cam, 1), b12 = baseline_thumbs(cam2, 1);
    printf("a phone's camera of %d photos (2048x1536) on \"Choose\": the gallery's first screen\n", PHOTOS);
    printf("  tap on the device -> the album's cover, with EXIF previews %7.1f ms; without %7.1f ms; "
           "one thread decoding the cover: %.1f / %.1f ms\n",
           fr.gallery[0] * 1e3, fr.gallery[1] * 1e3, b1 * 1e3, b12 * 1e3);
    printf("tap on the Camera album -> first screenful (%d thumbnails, date headers)\n", fr.visible);
    printf("  with EXIF previews         %7.1f ms; one thread, same photos: %.1f ms (ratio %.2f x)\n",
           fr.album[0] * 1e3, bt * 1e3, bt > 0 ? fr.album[0] / bt : 0);
    printf("  without previews           %7.1f ms; one thread, same photos: %.1f ms (ratio %.2f x)\n",
           fr.album[1] * 1e3, bt2 * 1e3, bt2 > 0 ? fr.album[1] / bt2 : 0);
    printf("the same folder through All folders, tap on it -> first screenful\n");
    printf("  with EXIF previews         %7.1f ms (ratio %.2f x)\n", fr.folder[0] * 1e3,
           bt > 0 ? fr.folder[0] / bt : 0);
    printf("  without previews           %7.1f ms (ratio %.2f x)\n", fr.folder[1] * 1e3,
           bt2 > 0 ? fr.folder[1] / bt2 : 0);
    printf("frame time while scrolling the album (a wheel step a frame, to the end)\n");
    printf("  scrolling                  %7.2f ms median, %.2f ms p95\n", fr.frame_scroll_med * 1e3,
           fr.frame_scroll_p95 * 1e3);
    printf("  baseline: nothing moving   %7.2f ms   ratio %.2f x\n", fr.frame_static * 1e3,
           fr.frame_static > 0 ? fr.frame_scroll_med / fr.frame_static : 0);
    printf("peak RSS, both phones opened (gallery, album scrolled to the end, All folders)\n");
    printf("  hifazat-kiosk (in-process) %7.1f MB   (target <= 150 MB: %s)\n", fr.rss_kb / 1024.0,
           fr.rss_kb <= 150 * 1024 ? "ok" : "OVER");
    printf("  baseline: bare SDL window  %7.1f MB   ratio %.2f x\n", rss_base / 1024.0,
           (double)fr.rss_kb / (double)rss_base);

    /* ---- fingerprinting 50 phone photos */
    struct folder_result fp = {0};
    if (in_child(measure_fingerprints, &f, &fp) != 0) {
        fprintf(stderr, "bench_kiosk: the fingerprint run failed\n");
        kfix_destroy(&f);
        return 1;
    }
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "'%s' hash -q '%s' > /dev/null", argv[2], big);
    double h0 = bench_now();
    int hrc = system(cmd);
    double ht = (bench_now() - h0) / BIG;
    printf("fingerprinting %d phone photos (12 MP JPEG) in the app\n", BIG);
    printf("  per photo                  %7.1f ms\n", fp.fp_per_photo * 1e3);
    printf("  baseline: hifazat hash     %7.1f ms   ratio %.2f x%s\n", ht * 1e3, fp.fp_per_photo / ht,
           hrc ? " (hifazat hash failed)" : "");
    kfix_destroy(&f);
    return 0;
}
