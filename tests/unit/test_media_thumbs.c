/* Thumbnails: reduced-size decoding of every format (JPEG with DCT scaling
 * and all eight EXIF orientations, PNG, WebP, HEIC with and without an
 * embedded thumbnail, the seed corpus), video posters (rotation, duration,
 * a truncated video's placeholder), failures (corrupt, not media, removed
 * file, removed device), the byte budget (counted), cancellation (queued and
 * mid-decode), the blur, and media_wipe() erasing every buffer. */
#include "check.h"
#include "device.h"
#include "image.h"
#include "media.h"
#include "media_internal.h"
#include "mediagen.h"
#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool busy(enum media_thumb_state s)
{
    return s == MEDIA_THUMB_QUEUED || s == MEDIA_THUMB_LOADING;
}

/* Waits (up to 60 s) until none of ids is queued or loading. */
static bool wait_done(struct media *m, struct media_folder *f, const uint32_t *ids, size_t n)
{
    const double end = now_s() + 60;
    while (now_s() < end) {
        media_events(m);
        bool any = false;
        for (size_t i = 0; i < n && !any; i++) {
            struct media_thumb_info ti;
            media_thumb_get(m, f, ids[i], &ti);
            any = busy(ti.state);
        }
        if (!any)
            return true;
        notify_wait(20);
    }
    return false;
}

static bool near(const uint8_t *px, int r, int g, int b, int tol)
{
    return abs(px[0] - r) <= tol && abs(px[1] - g) <= tol && abs(px[2] - b) <= tol;
}

static const uint8_t *pixel(const uint8_t *rgba, int w, int x, int y)
{
    return rgba + ((size_t)y * w + x) * 4;
}

static char tmp[512];
static struct devices *devs;

/* The folders under tmp as volumes (the device layer's folder mode). */
static struct devices *volumes(void)
{
    if (devs) {
        devices_rescan(devs);
        return devs;
    }
    struct device_options o;
    device_options_default(&o);
    o.media_root = tmp;
    o.mode = DEVICE_ROOT_DIRS;
    struct device_error err;
    devs = devices_create(&o, &err);
    REQUIRE(devs, "devices_create: %s", err.detail);
    return devs;
}

static const char *tpath(const char *rel)
{
    static char buf[4][2048];
    static int i;
    char *b = buf[i++ & 3];
    snprintf(b, sizeof(buf[0]), "%s/%s", tmp, rel);
    return b;
}

/* ---- image_decode_scaled ---- */

static int scaled_file(const char *path, int box, struct image_rgba *out, struct image_error *err)
{
    size_t len;
    uint8_t *d = read_whole(path, &len);
    REQUIRE(d, "read %s", path);
    struct image_scale sc = {.max_w = box, .max_h = box};
    int rc = image_decode_scaled(d, len, NULL, &sc, out, err);
    free(d);
    return rc;
}

/* Colours of the quadrants, and where each stored corner shows for each EXIF
 * orientation (the EXIF specification's table, written out independently):
 * displayed top-left and top-right corners, as stored corners 0 TL, 1 TR,
 * 2 BL, 3 BR. */
static const int quad_rgb[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
static const int shown_tl[9] = {0, 0, 1, 3, 2, 0, 2, 3, 1};
static const int shown_tr[9] = {0, 1, 0, 2, 3, 2, 0, 1, 3};

static int pdq_path_rows;
static int count_begin(void *c, const struct image_info *i)
{
    (void)c;
    pdq_path_rows = 0;
    return i->width > 0 ? 0 : -1;
}
static int count_row(void *c, int y, const uint8_t *p)
{
    (void)c, (void)y, (void)p;
    pdq_path_rows++;
    return 0;
}

static int stop_now(void *ctx)
{
    (void)ctx;
    return 1;
}

static void test_scaled(void)
{
    struct image_rgba img;
    struct image_error err;

    REQUIRE(gen_jpeg_file(tpath("halves.jpg"), 640, 480, gen_halves, 0, 90) == 0, "jpeg");
    CHECK(scaled_file(tpath("halves.jpg"), 192, &img, &err) == 0, "halves: %s", err.detail);
    CHECK(img.width == 192 && img.height == 144 && img.full_width == 640 && img.full_height == 480,
          "halves: %dx%d of %dx%d", img.width, img.height, img.full_width, img.full_height);
    if (img.pixels) {
        CHECK(near(pixel(img.pixels, img.width, 20, 70), 255, 0, 0, 24), "left red");
        CHECK(near(pixel(img.pixels, img.width, 170, 70), 0, 0, 255, 24), "right blue");
        CHECK(pixel(img.pixels, img.width, 5, 5)[3] == 255, "opaque");
    }
    image_rgba_free(&img);
    CHECK(!img.pixels && img.width == 0, "freed");

    /* Every orientation. */
    for (int o = 1; o <= 8; o++) {
        char name[32];
        snprintf(name, sizeof(name), "orient%d.jpg", o);
        REQUIRE(gen_jpeg_file(tpath(name), 320, 240, gen_quadrants, o, 95) == 0, "jpeg");
        CHECK(scaled_file(tpath(name), 64, &img, &err) == 0, "%s: %s", name, err.detail);
        const bool swap = o >= 5;
        CHECK(img.width == (swap ? 48 : 64) && img.height == (swap ? 64 : 48), "%s: %dx%d", name,
              img.width, img.height);
        CHECK(img.full_width == (swap ? 240 : 320) && img.full_height == (swap ? 320 : 240),
              "%s: full %dx%d", name, img.full_width, img.full_height);
        if (img.pixels) {
            const int *tl = quad_rgb[shown_tl[o]], *tr = quad_rgb[shown_tr[o]];
            CHECK(near(pixel(img.pixels, img.width, 2, 2), tl[0], tl[1], tl[2], 40), "%s: top-left", name);
            CHECK(near(pixel(img.pixels, img.width, img.width - 3, 2), tr[0], tr[1], tr[2], 40),
                  "%s: top-right", name);
        }
        image_rgba_free(&img);
    }

    /* 12 MP: DCT scaling to 1/8, then the box. */
    REQUIRE(gen_jpeg_file(tpath("big.jpg"), 4000, 3000, gen_gradient, 0, 85) == 0, "jpeg");
    CHECK(scaled_file(tpath("big.jpg"), 192, &img, &err) == 0 && img.width == 192 && img.height == 144 &&
              img.full_width == 4000, "big: %dx%d %s", img.width, img.height, err.detail);
    if (img.pixels) /* the gradient: red grows left to right, green top to bottom */
        CHECK(near(pixel(img.pixels, 192, 96, 72), 128, 128, 128, 16), "big: middle colour");
    image_rgba_free(&img);

    for (int il = 0; il < 2; il++) {
        const char *p = tpath(il ? "il.png" : "plain.png");
        REQUIRE(gen_png_file(p, 500, 300, gen_gradient, il, false) == 0, "png");
        CHECK(scaled_file(p, 100, &img, &err) == 0 && img.width == 100 && img.height == 60,
              "png: %dx%d %s", img.width, img.height, err.detail);
        if (img.pixels)
            CHECK(near(pixel(img.pixels, 100, 50, 30), 128, 128, 128, 8), "png: middle");
        image_rgba_free(&img);
    }

    REQUIRE(gen_webp_file(tpath("q.webp"), 400, 400, gen_quadrants) == 0, "webp");
    CHECK(scaled_file(tpath("q.webp"), 100, &img, &err) == 0 && img.width == 100 && img.height == 100,
          "webp %s", err.detail);
    if (img.pixels) {
        CHECK(near(pixel(img.pixels, 100, 10, 10), 255, 0, 0, 40), "webp top-left red");
        CHECK(near(pixel(img.pixels, 100, 90, 90), 255, 255, 255, 40), "webp bottom-right white");
    }
    image_rgba_free(&img);

    /* HEIC with a thumbnail drawn in another colour: which one was decoded? */
    REQUIRE(gen_heic_file(tpath("thumb.heic"), 640, 480, gen_solid_red, 320, gen_solid_blue) == 0, "heic");
    CHECK(scaled_file(tpath("thumb.heic"), 192, &img, &err) == 0 && img.width == 192 &&
              img.height == 144 && img.full_width == 640, "heic: %dx%d %s", img.width, img.height,
          err.detail);
    if (img.pixels)
        CHECK(near(pixel(img.pixels, 192, 96, 72), 0, 0, 255, 40), "heic: the embedded thumbnail");
    image_rgba_free(&img);
    CHECK(scaled_file(tpath("thumb.heic"), 400, &img, &err) == 0 && img.width == 400, "heic 400");
    if (img.pixels)
        CHECK(near(pixel(img.pixels, 400, 200, 150), 255, 0, 0, 40), "heic: thumbnail too small, main image");
    image_rgba_free(&img);
    {
        size_t len;
        uint8_t *d = read_whole(tpath("thumb.heic"), &len);
        struct image_sink sink = {.begin = count_begin, .row = count_row};
        CHECK(d && image_decode(d, len, NULL, &sink, &err) == 0 && pdq_path_rows == 480,
              "the hashing path decodes the full picture, never the thumbnail");
        free(d);
    }
    char demo[1024];
    snprintf(demo, sizeof(demo), "%s/assets/demo/media/DEMO-PHONE/Pictures/flower-card.heic",
             getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : "..");
    CHECK(scaled_file(demo, 192, &img, &err) == 0 && img.width == 192 && img.height == 144,
          "demo heic %s", err.detail);
    image_rgba_free(&img);

    /* The fuzz seeds: every format and layout, never larger than the box. */
    char seeds[1024];
    snprintf(seeds, sizeof(seeds), "%s/tests/fuzz/seeds/image",
             getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : "..");
    DIR *d = opendir(seeds);
    CHECK(d != NULL, "seeds");
    struct dirent *de;
    int nseeds = 0;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof(p), "%s/%s", seeds, de->d_name);
        for (int box = 7; box <= 64; box *= 3) {
            int rc = scaled_file(p, box, &img, &err);
            CHECK(rc == 0 && img.width <= box && img.height <= box && img.width > 0, "%s at %d: %s",
                  de->d_name, box, err.detail);
            image_rgba_free(&img);
        }
        nseeds++;
    }
    if (d)
        closedir(d);
    CHECK(nseeds >= 10, "seeds found: %d", nseeds);

    /* Bad input. */
    size_t len;
    uint8_t *j = gen_jpeg(64, 64, gen_gradient, 0, 90, &len);
    struct image_scale sc = {.max_w = 32, .max_h = 32};
    CHECK(image_decode_scaled(j, len / 2, NULL, &sc, &img, &err) != 0 && err.code == IMAGE_ERR_CORRUPT &&
              !img.pixels, "truncated JPEG: corrupt (%d)", err.code);
    CHECK(image_decode_scaled((const uint8_t *)"hello", 5, NULL, &sc, &img, &err) != 0 &&
              err.code == IMAGE_ERR_UNSUPPORTED, "not an image");
    struct image_scale stop = {.max_w = 32, .max_h = 32, .cancelled = stop_now};
    CHECK(image_decode_scaled(j, len, NULL, &stop, &img, &err) != 0 && err.code == IMAGE_ERR_SINK,
          "cancelled");
    struct image_scale empty = {0};
    CHECK(image_decode_scaled(j, len, NULL, &empty, &img, &err) != 0, "empty box");
    struct image_limits lim = {.max_pixels = 1000, .max_dim = 100};
    CHECK(image_decode_scaled(j, len, &lim, &sc, &img, &err) != 0 && err.code == IMAGE_ERR_TOO_LARGE,
          "limits apply to the full picture");
    free(j);

    /* EXIF previews: used when they are the photo's shape and large enough,
     * shown with the photo's orientation, from the first bytes alone. */
    j = gen_jpeg_preview(1600, 1200, gen_solid_red, 0, 320, 240, gen_solid_blue, &len);
    REQUIRE(j, "preview jpeg");
    struct image_scale sc192b = {.max_w = 192, .max_h = 192};
    CHECK(image_decode_preview(j, len < 65536 ? len : 65536, NULL, &sc192b, &img, &err) == 0 &&
              img.width == 192 && img.height == 144 && img.full_width == 1600 && img.full_height == 1200,
          "preview: %dx%d of %dx%d %s", img.width, img.height, img.full_width, img.full_height, err.detail);
    if (img.pixels)
        CHECK(near(pixel(img.pixels, 192, 96, 72), 0, 0, 255, 40), "the preview, not the photo");
    image_rgba_free(&img);
    CHECK(image_decode_preview(j, 200, NULL, &sc192b, &img, &err) != 0, "a prefix without the frame header");
    struct image_scale sc400 = {.max_w = 400, .max_h = 400};
    CHECK(image_decode_preview(j, len, NULL, &sc400, &img, &err) != 0 && !img.pixels,
          "a preview smaller than the box needs is not used: %s", err.detail);
    CHECK(image_decode_scaled(j, len, NULL, &sc192b, &img, &err) == 0 &&
              near(pixel(img.pixels, 192, 96, 72), 255, 0, 0, 40), "image_decode_scaled decodes the photo");
    image_rgba_free(&img);
    free(j);
    j = gen_jpeg_preview(1920, 1080, gen_solid_red, 0, 320, 240, gen_solid_blue, &len);
    CHECK(j && image_decode_preview(j, len, NULL, &sc192b, &img, &err) != 0,
          "a 4:3 preview of a 16:9 photo (letterboxed or cropped) is not used");
    free(j);
    j = gen_jpeg_preview(1600, 1200, gen_quadrants, 6, 320, 240, gen_quadrants, &len);
    CHECK(j && image_decode_preview(j, len, NULL, &sc192b, &img, &err) == 0 && img.width == 144 &&
              img.height == 192 && img.full_width == 1200, "preview, orientation 6: %dx%d", img.width, img.height);
    if (img.pixels) {
        const int *tl = quad_rgb[shown_tl[6]], *tr = quad_rgb[shown_tr[6]];
        CHECK(near(pixel(img.pixels, 144, 2, 2), tl[0], tl[1], tl[2], 40) &&
                  near(pixel(img.pixels, 144, 141, 2), tr[0], tr[1], tr[2], 40), "preview turned as the photo");
    }
    image_rgba_free(&img);
    free(j);
    j = gen_jpeg(640, 480, gen_gradient, 6, 90, &len);
    CHECK(image_decode_preview(j, len, NULL, &sc192b, &img, &err) != 0, "EXIF without a preview");
    free(j);

    /* Memory per decode is bounded on this path (the hashing path has its
     * own rules): an interlaced PNG that needs a 190 MB bitmap and a
     * progressive JPEG that needs a 400 MB coefficient buffer are refused
     * from their headers alone. */
    REQUIRE(gen_png_header_file(tpath("huge.png"), 8000, 8000) == 0, "huge png");
    CHECK(scaled_file(tpath("huge.png"), 192, &img, &err) != 0 && err.code == IMAGE_ERR_TOO_LARGE,
          "huge interlaced PNG: %d %s", err.code, err.detail);
    j = gen_jpeg_progressive(16, 16, &len);
    REQUIRE(j, "progressive");
    bool patched = false;
    for (size_t i = 0; i + 9 < len && !patched; i++)
        if (j[i] == 0xff && j[i + 1] == 0xc2) { /* SOF2: height, width at +5, +7 */
            j[i + 5] = 12000 >> 8, j[i + 6] = 12000 & 255, j[i + 7] = 12000 >> 8, j[i + 8] = 12000 & 255;
            patched = true;
        }
    REQUIRE(patched, "SOF2");
    struct image_scale sc192 = {.max_w = 192, .max_h = 192};
    CHECK(image_decode_scaled(j, len, NULL, &sc192, &img, &err) != 0 && err.code == IMAGE_ERR_TOO_LARGE,
          "huge progressive JPEG: %d %s", err.code, err.detail);
    free(j);
}

/* ---- blur ---- */

static void test_blur(void)
{
    enum { W = 96, H = 64 };
    uint8_t *px = malloc(W * H * 4);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t v = ((x / 4 + y / 4) & 1) ? 255 : 0;
            uint8_t *p = px + (y * W + x) * 4;
            p[0] = p[1] = p[2] = v;
            p[3] = 255;
        }
    media_blur_rgba(px, W, H, W * 4, 0);
    int lo = 255, hi = 0;
    for (int i = 0; i < W * H; i++) {
        lo = px[i * 4] < lo ? px[i * 4] : lo;
        hi = px[i * 4] > hi ? px[i * 4] : hi;
    }
    CHECK(hi - lo < 40 && lo > 100 && hi < 156, "a checkerboard blurs to grey: %d..%d", lo, hi);
    for (int i = 0; i < W * H * 4; i++)
        px[i] = i % 4 == 0 ? 200 : i % 4 == 3 ? 255 : 10;
    media_blur_rgba(px, W, H, W * 4, 5);
    bool same = true;
    for (int i = 0; i < W * H * 4; i++)
        same &= px[i] == (i % 4 == 0 ? 200 : i % 4 == 3 ? 255 : 10);
    CHECK(same, "a flat colour stays flat");
    media_blur_rgba(px, 1, 1, 4, 0);
    media_blur_rgba(px, 3, 2, 3 * 4, 500);
    media_blur_rgba(NULL, 3, 2, 12, 0);
    free(px);
}

/* ---- media thumbnails ---- */

static atomic_long hook_bytes, hook_dirty;
static void free_hook(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) {
            atomic_fetch_add(&hook_dirty, 1);
            break;
        }
    atomic_fetch_add(&hook_bytes, (long)n);
}

static uint32_t id_of(struct media_folder *f, const char *name)
{
    struct media_entry e;
    for (uint32_t id = 0; media_folder_entry_by_id(f, id, &e) == 0; id++)
        if (!strcmp(e.name, name))
            return id;
    REQUIRE(0, "no entry %s", name);
    return 0;
}

static struct media_thumb_info info_of(struct media *m, struct media_folder *f, const char *name)
{
    struct media_thumb_info ti;
    media_thumb_get(m, f, id_of(f, name), &ti);
    return ti;
}

static uint8_t *copy_of(struct media *m, struct media_folder *f, const char *name, bool blurred,
                        int *w, int *h)
{
    struct media_thumb_info ti = info_of(m, f, name);
    *w = ti.width;
    *h = ti.height;
    if (ti.state != MEDIA_THUMB_READY || ti.width <= 0)
        return NULL;
    const size_t pitch = (size_t)ti.width * 4 + 16; /* a texture's pitch may be wider */
    uint8_t *buf = calloc(pitch * ti.height, 1);
    if (media_thumb_copy(m, f, id_of(f, name), blurred, buf, pitch, ti.width, ti.height) != 0) {
        free(buf);
        return NULL;
    }
    /* repack tight */
    for (int y = 0; y < ti.height; y++)
        memmove(buf + (size_t)y * ti.width * 4, buf + (size_t)y * pitch, (size_t)ti.width * 4);
    return buf;
}

/* Where the red box of a rotated video lands: 0 TL, 1 TR, 2 BL, 3 BR. */
static int red_corner(const uint8_t *rgba, int w, int h, int stride_px, int ch)
{
    const int xs[4] = {2, w - 3, 2, w - 3}, ys[4] = {2, 2, h - 3, h - 3};
    for (int i = 0; i < 4; i++) {
        const uint8_t *p = rgba + ((size_t)ys[i] * stride_px + xs[i]) * ch;
        if (p[0] > 180 && p[2] < 80)
            return i;
    }
    return -1;
}

static int ppm_red_corner(const char *path, int *w, int *h)
{
    size_t len;
    uint8_t *d = read_whole(path, &len);
    if (!d)
        return -1;
    int off = 0;
    if (sscanf((const char *)d, "P6 %d %d 255%n", w, h, &off) != 2 && off == 0)
        sscanf((const char *)d, "P6\n%d %d\n255%n", w, h, &off);
    int r = off ? red_corner(d + off + 1, *w, *h, *w, 3) : -1;
    free(d);
    return r;
}

static void test_thumbs(void)
{
    char vol[1024];
    snprintf(vol, sizeof(vol), "%s/vol", tmp);
    REQUIRE(gen_mkdirs(vol) == 0, "mkdir");
    const char *src = getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : "..";
    char cmd[8192];

    REQUIRE(gen_jpeg_file(tpath("vol/a.jpg"), 640, 480, gen_halves, 0, 90) == 0, "a");
    REQUIRE(gen_jpeg_file(tpath("vol/o6.jpg"), 640, 480, gen_halves, 6, 90) == 0, "o6");
    REQUIRE(gen_webp_file(tpath("vol/w.webp"), 300, 300, gen_quadrants) == 0, "webp");
    REQUIRE(gen_png_file(tpath("vol/p.png"), 500, 250, gen_gradient, false, false) == 0, "png");
    REQUIRE(gen_heic_file(tpath("vol/h.heic"), 640, 480, gen_solid_red, 320, gen_solid_blue) == 0, "heic");
    snprintf(cmd, sizeof(cmd), "cp '%s/assets/demo/media/DEMO-PHONE/Pictures/flower-card.heic' '%s/demo.heic' && "
             "cp '%s/assets/demo/media/DEMO-PHONE/DCIM/Camera/VID_0001.mp4' '%s/v.mp4'", src, vol, src, vol);
    REQUIRE(gen_run(cmd) == 0, "copy demo media");
    /* A video with a red box top-left, then the same stream marked "rotate"
     * (the display matrix phones write for portrait videos), and what
     * ffmpeg's own autorotation shows for it. */
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -v error -y -f lavfi -i 'color=c=blue:s=160x90:d=1,drawbox=x=0:y=0:w=40:h=30:color=red:t=fill' "
             "-c:v libx264 -pix_fmt yuv420p '%s/r0.mp4' && "
             "ffmpeg -v error -y -i '%s/r0.mp4' -c copy -metadata:s:v:0 rotate=90 '%s/vol/r90.mp4' && "
             "ffmpeg -v error -y -i '%s/vol/r90.mp4' -frames:v 1 '%s/r90.ppm'",
             tmp, tmp, tmp, tmp, tmp);
    REQUIRE(gen_run(cmd) == 0, "ffmpeg");
    /* A video cut right after its header: the container opens, no frame decodes. */
    {
        size_t len;
        uint8_t *d = read_whole(tpath("vol/v.mp4"), &len);
        REQUIRE(d, "read v.mp4");
        size_t cut = 0;
        for (size_t i = 4; i + 4 < len && !cut; i++)
            if (!memcmp(d + i, "mdat", 4))
                cut = i + 12;
        REQUIRE(cut, "mdat");
        REQUIRE(gen_write(tpath("vol/cut.mp4"), d, cut) == 0, "cut");
        free(d);
    }
    size_t len;
    uint8_t *j = gen_jpeg(300, 200, gen_gradient, 0, 90, &len);
    REQUIRE(gen_write(tpath("vol/corrupt.jpg"), j, len / 3) == 0, "corrupt");
    free(j);
    REQUIRE(gen_write(tpath("vol/notmedia.jpg"), "this is a letter\n", 17) == 0, "text");
    const uint8_t bad_mp4[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
                               'i', 's', 'o', 'm', 'm', 'p', '4', '1', 1, 2, 3, 4, 5, 6, 7, 8};
    REQUIRE(gen_write(tpath("vol/corrupt.mp4"), bad_mp4, sizeof(bad_mp4)) == 0, "bad mp4");
    REQUIRE(gen_jpeg_file(tpath("vol/gone.jpg"), 64, 64, gen_gradient, 0, 90) == 0, "gone");
    {
        size_t plen;
        uint8_t *pj = gen_jpeg_preview(2000, 1500, gen_solid_red, 0, 320, 240, gen_solid_blue, &plen);
        REQUIRE(pj && gen_write(tpath("vol/preview.jpg"), pj, plen) == 0, "preview.jpg");
        free(pj);
    }
    REQUIRE(gen_jpeg_file(tpath("vol/later.jpg"), 64, 64, gen_gradient, 0, 90) == 0, "later");

    struct media_options o;
    media_options_default(&o);
    o.devices = volumes();
    o.notify = notify_waiter;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    struct media_folder *f = media_folder_open(m, vol, 0, &err);
    REQUIRE(f, "open: %s", err.detail);
    REQUIRE(unlink(tpath("vol/gone.jpg")) == 0, "unlink"); /* listed, then removed */

    const char *names[] = {"a.jpg", "o6.jpg", "w.webp", "p.png", "h.heic", "demo.heic", "v.mp4",
                           "r90.mp4", "cut.mp4", "corrupt.jpg", "notmedia.jpg", "corrupt.mp4", "gone.jpg",
                           "preview.jpg"};
    enum { N = sizeof(names) / sizeof(names[0]) };
    uint32_t ids[N];
    for (int i = 0; i < N; i++)
        ids[i] = id_of(f, names[i]);
    const double t0 = now_s();
    media_thumbs_want(m, f, ids, N);
    CHECK(wait_done(m, f, ids, N), "thumbnails did not finish");
    fprintf(stderr, "%d thumbnails in %.0f ms\n", N, (now_s() - t0) * 1e3);

    {
        /* Where they came from: a volume has no previews of its own; phones'
         * are test_media_gallery's. */
        struct media_stats st;
        media_get_stats(m, &st);
        CHECK(st.from_device == 0 && st.previews >= 1 && st.whole_files >= 5 &&
                  st.decoded >= st.previews + st.whole_files,
              "sources: device %llu, preview %llu, whole %llu of %llu", (unsigned long long)st.from_device,
              (unsigned long long)st.previews, (unsigned long long)st.whole_files,
              (unsigned long long)st.decoded);
    }
    struct media_thumb_info ti = info_of(m, f, "a.jpg");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.kind == MEDIA_KIND_PHOTO && ti.width == 192 &&
              ti.height == 144 && ti.full_width == 640, "a.jpg: state %d %dx%d", ti.state, ti.width, ti.height);
    int w, h;
    uint8_t *sharp = copy_of(m, f, "a.jpg", false, &w, &h);
    uint8_t *soft = copy_of(m, f, "a.jpg", true, &w, &h);
    CHECK(sharp && soft, "copies");
    if (sharp && soft) {
        CHECK(near(pixel(sharp, w, 10, 70), 255, 0, 0, 24) && near(pixel(sharp, w, 180, 70), 0, 0, 255, 24),
              "sharp: red | blue");
        CHECK(!near(pixel(soft, w, 90, 70), 255, 0, 0, 60) && !near(pixel(soft, w, 100, 70), 0, 0, 255, 60),
              "blurred: the edge is gone");
        CHECK(memcmp(sharp, soft, (size_t)w * h * 4) != 0, "blurred differs");
    }
    free(sharp);
    free(soft);
    uint8_t small[16];
    CHECK(media_thumb_copy(m, f, id_of(f, "a.jpg"), false, small, 16, 2, 1) != 0, "wrong size refused");

    uint8_t *pv = copy_of(m, f, "preview.jpg", false, &w, &h);
    CHECK(pv && w == 192 && h == 144 && near(pixel(pv, w, 96, 72), 0, 0, 255, 40),
          "a phone's JPEG: its EXIF preview is the thumbnail");
    free(pv);
    ti = info_of(m, f, "o6.jpg");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 144 && ti.height == 192, "o6: %dx%d", ti.width, ti.height);
    uint8_t *o6 = copy_of(m, f, "o6.jpg", false, &w, &h);
    if (o6)
        CHECK(near(pixel(o6, w, 72, 10), 255, 0, 0, 24) && near(pixel(o6, w, 72, 180), 0, 0, 255, 24),
              "o6: turned (red on top)");
    free(o6);

    CHECK(info_of(m, f, "w.webp").state == MEDIA_THUMB_READY && info_of(m, f, "w.webp").width == 192, "webp");
    ti = info_of(m, f, "p.png");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 192 && ti.height == 96, "png %dx%d", ti.width, ti.height);
    uint8_t *hh = copy_of(m, f, "h.heic", false, &w, &h);
    CHECK(hh && near(pixel(hh, w, w / 2, h / 2), 0, 0, 255, 40), "heic: from its thumbnail");
    free(hh);
    ti = info_of(m, f, "demo.heic");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 192, "demo heic: %d %d", ti.state, ti.err);

    ti = info_of(m, f, "v.mp4");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.kind == MEDIA_KIND_VIDEO && ti.width == 192 &&
              ti.height == 108 && ti.full_width == 640, "video poster: %d %dx%d", ti.state, ti.width, ti.height);
    CHECK(ti.duration_ms >= 3900 && ti.duration_ms <= 4100, "duration %lld", (long long)ti.duration_ms);

    ti = info_of(m, f, "r90.mp4");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 90 && ti.height == 160, "rotated poster %dx%d",
          ti.width, ti.height);
    uint8_t *r90 = copy_of(m, f, "r90.mp4", false, &w, &h);
    int pw = 0, ph = 0;
    const int want_corner = ppm_red_corner(tpath("r90.ppm"), &pw, &ph);
    CHECK(want_corner >= 0 && pw == 90 && ph == 160, "ffmpeg's frame %dx%d corner %d", pw, ph, want_corner);
    CHECK(r90 && red_corner(r90, w, h, w, 4) == want_corner, "turned as ffmpeg turns it: %d vs %d",
          r90 ? red_corner(r90, w, h, w, 4) : -9, want_corner);
    free(r90);

    ti = info_of(m, f, "cut.mp4");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 0 && ti.kind == MEDIA_KIND_VIDEO &&
              ti.duration_ms >= 3900, "cut video: placeholder with duration (%d, %dx%d, %lld)",
          ti.state, ti.width, ti.height, (long long)ti.duration_ms);

    ti = info_of(m, f, "corrupt.jpg");
    CHECK(ti.state == MEDIA_THUMB_FAILED && ti.err == MEDIA_ERR_CORRUPT && ti.kind == MEDIA_KIND_PHOTO,
          "corrupt jpeg: %d %d", ti.state, ti.err);
    ti = info_of(m, f, "notmedia.jpg");
    CHECK(ti.state == MEDIA_THUMB_FAILED && ti.err == MEDIA_ERR_NOT_MEDIA, "not media: %d %d", ti.state, ti.err);
    ti = info_of(m, f, "corrupt.mp4");
    CHECK(ti.state == MEDIA_THUMB_FAILED && ti.err == MEDIA_ERR_CORRUPT, "corrupt mp4: %d %d", ti.state, ti.err);
    ti = info_of(m, f, "gone.jpg");
    CHECK(ti.state == MEDIA_THUMB_FAILED && ti.err == MEDIA_ERR_GONE, "removed file: %d %d", ti.state, ti.err);

    /* The thumbnails told the folder what the files are. */
    media_folder_update(f);
    struct media_counts c;
    media_folder_counts(f, &c);
    bool listed = false;
    struct media_entry e;
    for (size_t i = 0; media_folder_entry(f, i, &e) == 0; i++)
        listed |= !strcmp(e.name, "notmedia.jpg");
    CHECK(!listed, "notmedia.jpg left the view");

    /* The device goes away. */
    char moved[1100];
    snprintf(moved, sizeof(moved), "%s-away", vol);
    REQUIRE(rename(vol, moved) == 0, "rename");
    uint32_t later = id_of(f, "later.jpg");
    media_thumbs_want(m, f, &later, 1);
    CHECK(wait_done(m, f, &later, 1), "later");
    ti = info_of(m, f, "later.jpg");
    CHECK(ti.state == MEDIA_THUMB_FAILED && ti.err == MEDIA_ERR_GONE, "device removed: %d %d", ti.state, ti.err);
    REQUIRE(rename(moved, vol) == 0, "rename back");

    /* ---- wipe ---- */
    media_thumbs_want(m, f, ids, N);
    CHECK(wait_done(m, f, ids, N), "again");
    struct media_stats st;
    media_get_stats(m, &st);
    CHECK(st.cache_bytes > 0 && st.cache_items >= N, "cached: %zu bytes, %zu items", st.cache_bytes, st.cache_items);
    size_t pixel_bytes = 0;
    for (int i = 0; i < N; i++) {
        media_thumb_get(m, f, ids[i], &ti);
        pixel_bytes += (size_t)ti.width * ti.height * 4;
    }
    struct media_entry a;
    media_folder_entry_by_id(f, ids[0], &a);
    const char *name_ptr = a.name, *path_ptr = a.path;
    atomic_store(&hook_bytes, 0);
    atomic_store(&hook_dirty, 0);
    media_free_hook = free_hook;
    media_wipe(m);
    media_free_hook = NULL;
    CHECK(atomic_load(&hook_dirty) == 0, "%ld buffers were not wiped before free", atomic_load(&hook_dirty));
    CHECK((size_t)atomic_load(&hook_bytes) >= pixel_bytes, "freed %ld bytes, pixels were %zu",
          atomic_load(&hook_bytes), pixel_bytes);
    media_get_stats(m, &st);
    CHECK(st.cache_bytes == 0 && st.cache_items == 0, "cache empty: %zu bytes %zu items", st.cache_bytes, st.cache_items);
    CHECK(media_folder_count(f) == 0 && media_folder_entry_by_id(f, ids[0], &a) != 0, "folder empty");
    CHECK(name_ptr[0] == 0 && path_ptr[0] == 0, "names erased in place");
    media_thumb_get(m, f, ids[0], &ti);
    CHECK(ti.state == MEDIA_THUMB_NONE, "no thumbnail after the wipe");
    CHECK(media_events(m) == 0, "no events left");
    media_folder_counts(f, &c);
    CHECK(c.photos == 0 && c.folders == 0, "counts empty");
    media_folder_close(f);
    media_destroy(m);
}

/* ---- budget ---- */

static void test_budget(void)
{
    char vol[1024];
    snprintf(vol, sizeof(vol), "%s/many", tmp);
    REQUIRE(gen_mkdirs(vol) == 0, "mkdir");
    enum { FILES = 60, SIZE = 64 };
    for (int i = 0; i < FILES; i++) {
        char p[1200];
        snprintf(p, sizeof(p), "%s/IMG_%03d.jpg", vol, i);
        REQUIRE(gen_jpeg_file(p, 200, 150, gen_gradient, 0, 80) == 0, "jpeg");
    }
    struct media_options o;
    media_options_default(&o);
    o.devices = volumes();
    o.notify = notify_waiter;
    o.thumb_size = SIZE;
    o.cache_bytes = 16 * SIZE * SIZE * 4;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    o.cache_bytes = 15 * SIZE * SIZE * 4;
    CHECK(!media_create(&o, &err) && err.code == MEDIA_ERR_INVALID, "a budget under 16 thumbnails is refused");

    struct media_folder *f = media_folder_open(m, vol, 0, &err);
    REQUIRE(f, "open");
    media_folder_view(f, MEDIA_SORT_NAME, MEDIA_FILTER_ALL);
    const size_t page = media_thumbs_max_want(m);
    CHECK(page >= 4 && page < 16, "want list capped: %zu", page);
    uint32_t all[FILES];
    for (int i = 0; i < FILES; i++) {
        struct media_entry e;
        REQUIRE(media_folder_entry(f, (size_t)i, &e) == 0, "entry");
        all[i] = e.id;
    }
    /* Asking for more than fits: only the first `page` are taken. */
    media_thumbs_want(m, f, all, FILES);
    struct media_thumb_info ti;
    media_thumb_get(m, f, all[page], &ti);
    CHECK(ti.state == MEDIA_THUMB_NONE, "beyond the cap: not queued");
    /* Scroll through, a page at a time. */
    bool within = true;
    for (size_t at = 0; at < FILES; at += page) {
        const size_t n = at + page <= FILES ? page : FILES - at;
        media_thumbs_want(m, f, all + at, n);
        CHECK(wait_done(m, f, all + at, n), "page at %zu", at);
        struct media_stats st;
        media_get_stats(m, &st);
        size_t counted = 0;
        for (int i = 0; i < FILES; i++) {
            media_thumb_get(m, f, all[i], &ti);
            counted += (size_t)ti.width * ti.height * 4;
        }
        if (st.cache_bytes > o.cache_bytes * 16 / 15 || counted > st.cache_bytes)
            within = false;
        for (size_t i = at; i < at + n; i++) {
            media_thumb_get(m, f, all[i], &ti);
            CHECK(ti.state == MEDIA_THUMB_READY, "page item %zu ready", i);
        }
    }
    struct media_stats st;
    media_get_stats(m, &st);
    const size_t budget = 16 * SIZE * SIZE * 4;
    CHECK(within && st.cache_peak <= budget, "peak %zu of %zu", st.cache_peak, budget);
    CHECK(st.evicted > 0, "evicted %llu", (unsigned long long)st.evicted);
    media_thumb_get(m, f, all[0], &ti);
    CHECK(ti.state == MEDIA_THUMB_NONE, "the first page was evicted (least recently used)");
    media_thumb_get(m, f, all[FILES - 1], &ti);
    CHECK(ti.state == MEDIA_THUMB_READY, "the last page is cached");
    /* After an empty want list, a new list that starts with the least
     * recently used cached thumbnails and goes on to files never seen: making
     * room for the new ones must not evict the listed ones. */
    size_t oldest = FILES;
    for (int i = 0; i < FILES && oldest == FILES; i++) {
        media_thumb_get(m, f, all[i], &ti);
        if (ti.state == MEDIA_THUMB_READY)
            oldest = (size_t)i;
    }
    REQUIRE(oldest < FILES, "something cached");
    media_thumbs_want(m, f, NULL, 0);
    uint32_t mix[16];
    size_t nm = 0;
    for (size_t i = oldest; i < FILES && nm < page / 2; i++)
        mix[nm++] = all[i];
    for (size_t i = 0; i < oldest && nm < page; i++)
        mix[nm++] = all[i];
    /* White box: no slack left in the budget, so the first new record has
     * to evict something (the workers are idle; restored right after). */
    pthread_mutex_lock(&m->lock);
    const size_t saved_budget = m->opt.cache_bytes;
    m->opt.cache_bytes = m->bytes;
    pthread_mutex_unlock(&m->lock);
    media_thumbs_want(m, f, mix, nm);
    pthread_mutex_lock(&m->lock);
    m->opt.cache_bytes = saved_budget;
    pthread_mutex_unlock(&m->lock);
    CHECK(wait_done(m, f, mix, nm), "mixed list");
    for (size_t i = 0; i < nm; i++) {
        media_thumb_get(m, f, mix[i], &ti);
        CHECK(ti.state == MEDIA_THUMB_READY, "mixed list item %zu ready (%d)", i, ti.state);
    }
    media_get_stats(m, &st);
    fprintf(stderr, "budget %zu: peak %zu, evicted %llu, decoded %llu\n", budget, st.cache_peak,
            (unsigned long long)st.evicted, (unsigned long long)st.decoded);
    media_folder_close(f);
    media_destroy(m);
}

/* ---- cancellation ---- */

static void test_cancel(void)
{
    char vol[1024];
    snprintf(vol, sizeof(vol), "%s/many", tmp); /* made by test_budget */
    struct media_options o;
    media_options_default(&o);
    o.devices = volumes();
    o.notify = notify_waiter;
    o.workers = 1;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create");
    struct media_folder *f = media_folder_open(m, vol, 0, &err);
    REQUIRE(f, "open");
    media_folder_view(f, MEDIA_SORT_NAME, MEDIA_FILTER_ALL);
    uint32_t all[60];
    size_t n = 0;
    struct media_entry e;
    for (; n < 60 && media_folder_entry(f, n, &e) == 0; n++)
        all[n] = e.id;
    REQUIRE(n == 60, "60 files");

    /* Scrolled past before anything started: only the last screen is decoded. */
    media_pause(m, true);
    media_thumbs_want(m, f, all, 24);
    media_thumbs_want(m, f, all + 24, 24);
    media_thumbs_want(m, f, all + 59, 1);
    media_pause(m, false);
    CHECK(wait_done(m, f, all + 59, 1), "last");
    struct media_stats st;
    media_get_stats(m, &st);
    CHECK(st.decoded == 1 && st.cancelled >= 47, "decoded %llu, cancelled %llu",
          (unsigned long long)st.decoded, (unsigned long long)st.cancelled);
    struct media_thumb_info ti;
    media_thumb_get(m, f, all[0], &ti);
    CHECK(ti.state == MEDIA_THUMB_NONE, "never decoded");
    media_folder_close(f);

    /* A large decode stops when it is no longer wanted. */
    char big[1200];
    snprintf(big, sizeof(big), "%s/big", tmp);
    REQUIRE(gen_mkdirs(big) == 0, "mkdir");
    REQUIRE(gen_png_file(tpath("big/noise.png"), 3000, 3000, gen_gradient, false, true) == 0, "png");
    REQUIRE(gen_jpeg_file(tpath("big/small.jpg"), 64, 64, gen_gradient, 0, 90) == 0, "jpeg");
    devices_rescan(devs);
    f = media_folder_open(m, big, 0, &err);
    REQUIRE(f, "open big");
    const uint32_t noise = id_of(f, "noise.png"), smallid = id_of(f, "small.jpg");
    media_get_stats(m, &st);
    const uint64_t decoded0 = st.decoded, cancelled0 = st.cancelled;
    media_thumbs_want(m, f, &noise, 1);
    const double end = now_s() + 30;
    do {
        media_thumb_get(m, f, noise, &ti);
    } while (ti.state != MEDIA_THUMB_LOADING && ti.state != MEDIA_THUMB_READY && now_s() < end);
    CHECK(ti.state == MEDIA_THUMB_LOADING, "the big one is loading (%d)", ti.state);
    const double t0 = now_s();
    media_thumbs_want(m, f, &smallid, 1);
    CHECK(wait_done(m, f, &smallid, 1), "small");
    const double took = now_s() - t0;
    while (media_get_stats(m, &st), st.running > 0)
        notify_wait(5);
    media_thumb_get(m, f, noise, &ti);
    CHECK(ti.state == MEDIA_THUMB_NONE, "the big one was dropped (%d)", ti.state);
    CHECK(st.decoded == decoded0 + 1 && st.cancelled >= cancelled0 + 1, "decoded +%llu cancelled +%llu",
          (unsigned long long)(st.decoded - decoded0), (unsigned long long)(st.cancelled - cancelled0));
    fprintf(stderr, "the next thumbnail came %.0f ms after the big one was cancelled\n", took * 1e3);

    /* And a wipe in the middle of it returns with nothing left. */
    media_thumbs_want(m, f, &noise, 1);
    do {
        media_thumb_get(m, f, noise, &ti);
    } while (ti.state != MEDIA_THUMB_LOADING && now_s() < end + 30);
    media_wipe(m);
    media_get_stats(m, &st);
    CHECK(st.running == 0 && st.cache_items == 0 && st.cache_bytes == 0, "wipe during a decode");
    CHECK(media_events(m) == 0, "an event of the wiped session after the wipe");
    media_folder_close(f);

    /* Wiped while thumbnails are being made, many times: nothing of the
     * old session (not even a wake-up) comes after media_wipe() returns. */
    unsigned late = 0;
    for (int round = 0; round < 40; round++) {
        f = media_folder_open(m, vol, 0, &err);
        REQUIRE(f, "open many");
        media_folder_view(f, MEDIA_SORT_NAME, MEDIA_FILTER_ALL);
        for (n = 0; n < 24 && media_folder_entry(f, n, &e) == 0; n++)
            all[n] = e.id;
        media_thumbs_want(m, f, all, n);
        notify_wait(round % 4);
        media_wipe(m);
        notify_wait(1);
        late += media_events(m) != 0;
        media_folder_close(f);
        media_events(m);   /* closing may tell of the folder */
    }
    CHECK(late == 0, "%u of 40 wipes were followed by an event", late);
    media_destroy(m);
}

int main(void)
{
    const char *t = make_tmpdir("thumbs");
    REQUIRE(t, "tmpdir");
    snprintf(tmp, sizeof(tmp), "%s", t);
    test_scaled();
    test_blur();
    test_thumbs();
    test_budget();
    test_cancel();
    devices_destroy(devs);
    rm_rf(tmp);
    return check_exit();
}
