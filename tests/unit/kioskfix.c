/* A kiosk for tests (kioskfix.h). */
#include "kioskfix.h"

#include "device.h"
#include "fakephone.h"
#include "keys.h"
#include "mediagen.h"
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const kfix_phone_files[] = {
    "DCIM/Camera/IMG_0001.jpg", "DCIM/Camera/IMG_0002.jpg", "DCIM/Camera/IMG_0003.jpg",
    "DCIM/Camera/IMG_0004.jpg", "DCIM/Camera/IMG_0005.jpg", "DCIM/Camera/IMG_0006.jpg",
    "DCIM/Camera/IMG_0007.jpg", "DCIM/Camera/IMG_0008.jpg", "DCIM/Camera/IMG_0009.jpg",
    "DCIM/Camera/IMG_0010.jpg", "DCIM/Camera/VID_0001.mp4", "Pictures/card-1.png",
    "Pictures/card-2.png",      NULL};

static int scene;

/* Smooth value noise (a 24 px lattice, bilinear): texture at the scale PDQ
 * looks at, so the scenes give strong fingerprints like real photos. */
static float lattice(int x, int y)
{
    uint32_t h = (uint32_t)x * 374761393u + (uint32_t)y * 668265263u + (uint32_t)scene * 2654435761u;
    h = (h ^ (h >> 13)) * 1274126177u;
    return (float)((h ^ (h >> 16)) & 1023) / 1023.0f - 0.5f;
}

static float noise(int x, int y)
{
    const int c = 24;
    int gx = x / c, gy = y / c;
    float fx = (float)(x % c) / c, fy = (float)(y % c) / c;
    float a = lattice(gx, gy), b = lattice(gx + 1, gy), d = lattice(gx, gy + 1), e = lattice(gx + 1, gy + 1);
    return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
}

/* Calm synthetic scenes: a sky, hills, a sun or a moon, water; each
 * variant different enough to give its own fingerprint. */
static void gen_scene(int x, int y, int w, int h, uint8_t rgb[3])
{
    static const uint8_t sky[8][3] = {{156, 201, 224}, {242, 193, 160}, {185, 215, 176},
                                      {201, 184, 224}, {168, 216, 208}, {250, 214, 165},
                                      {120, 150, 200}, {230, 180, 200}};
    int v = scene % 8;
    float fy = (float)y / (float)h, fx = (float)x / (float)w;
    int r = sky[v][0], g = sky[v][1], b = sky[v][2];
    int f = (int)(100 - 35 * fy);
    r = r * f / 100 + 60 * (100 - f) / 100;
    g = g * f / 100 + 60 * (100 - f) / 100;
    b = b * f / 100 + 80 * (100 - f) / 100;
    float hill = 0.55f + 0.06f * (float)(v % 4) + 0.05f * sinf(fx * (3.0f + (float)v) + (float)v);
    float sx = 0.2f + 0.08f * (float)v, sy = 0.25f, sr = 0.09f;
    float dx = (fx - sx) * (float)w / (float)h, dy = fy - sy;
    if (fy > hill) {
        bool water = v % 3 == 1;
        r = water ? 40 + 5 * v : 60 + 10 * (v % 3);
        g = water ? 90 + 6 * v : 110 + 12 * (v % 4);
        b = water ? 150 : 70 + 4 * v;
        /* gentle bands so the ground is not flat */
        int band = (int)((fy - hill) * 40) % 2;
        g += band * 8;
    } else if (dx * dx + dy * dy <= sr * sr) {
        r = 250, g = 236, b = 170;
    }
    int n = (int)(noise(x, y) * 70.0f);
    r += n, g += n, b += n;
    rgb[0] = (uint8_t)(r > 255 ? 255 : r < 0 ? 0 : r);
    rgb[1] = (uint8_t)(g > 255 ? 255 : g < 0 ? 0 : g);
    rgb[2] = (uint8_t)(b > 255 ? 255 : b < 0 ? 0 : b);
}

static void gen_wall(int x, int y, int w, int h, uint8_t rgb[3])
{
    (void)x, (void)y, (void)w, (void)h;
    rgb[0] = 214, rgb[1] = 209, rgb[2] = 200;
}

static void gen_card(int x, int y, int w, int h, uint8_t rgb[3])
{
    int cx = x - w / 2, cy = y - h / 2;
    bool in = abs(cx) < w / 3 && abs(cy) < h / 4;
    bool ring = (cx * cx + cy * cy) / 400 % 7 == scene % 7;
    int n = (int)(noise(x, y) * 50.0f);
    rgb[0] = (uint8_t)((in ? 253 : ring ? 244 : 205) - (n < 0 ? -n : n));
    rgb[1] = (uint8_t)((in ? 240 : ring ? 162 : 180) - (n < 0 ? -n : n));
    rgb[2] = (uint8_t)((in ? 213 : ring ? 97 : 219) - (n < 0 ? -n : n));
}

static void set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    utimensat(AT_FDCWD, path, ts, 0);
}

static int write_config(struct kfix *f, bool with_secret)
{
    char pin_hash[crypto_pwhash_STRBYTES];
    /* The cheapest argon2id settings: tests check the PIN path, not its cost. */
    if (crypto_pwhash_str(pin_hash, KFIX_PIN, strlen(KFIX_PIN), crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0)
        return -1;
    char text[4096];
    snprintf(text, sizeof text,
             "; test kiosk\n[kiosk]\nid = test-kiosk\ndata_dir = data\nhelpline_key = %s\n"
             "media_root = media\nlanguage = ur\n\n[staff]\npin_hash = %s\n\n[referrals]\n"
             "drf.name = Digital Rights Foundation: Cyber Harassment Helpline\n"
             "drf.name_ur = ڈیجیٹل رائٹس فاؤنڈیشن: سائبر ہراسمنٹ ہیلپ لائن\n"
             "drf.phone = 0800-39393\n"
             "drf.note = Free call. Confidential help with online harassment and blackmail.\n"
             "drf.note_ur = مفت کال۔ آن لائن ہراسانی اور بلیک میلنگ میں راز داری کے ساتھ مدد۔\n"
             "mohr.name = Ministry of Human Rights helpline\n"
             "mohr.name_ur = وزارتِ انسانی حقوق کی ہیلپ لائن\n"
             "mohr.phone = 1099\n"
             "nccia.name = National Cyber Crime Investigation Agency (NCCIA)\n"
             "nccia.name_ur = نیشنل سائبر کرائم انویسٹی گیشن ایجنسی\n"
             "nccia.phone = 1799\n"
             "\n[platforms]\n"
             "adult = Facebook, Instagram, Threads, TikTok, Reddit, Bumble, OnlyFans, Pornhub\n"
             "under18 = Facebook, Instagram, Threads, TikTok, OnlyFans, Pornhub, Yubo\n",
             with_secret ? "keys/helpline.pub" : "helpline.pub", pin_hash);
    return write_whole(f->config, text, strlen(text));
}

/* A fixed kiosk key, so that its fingerprint on the staff screen is the
 * same in every run (the goldens); the kiosk makes a random one itself. */
static int write_kiosk_key(const struct kfix *f)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 9, sizeof seed);
    struct keys_kiosk *k = keys_kiosk_from_seed(seed);
    if (!k)
        return -1;
    char pk[KEYS_PUBLIC_TEXT_SIZE], sd[sodium_base64_ENCODED_LEN(KEYS_SEED_SIZE,
                                                                 sodium_base64_VARIANT_ORIGINAL)];
    keys_public_format(keys_kiosk_public(k), pk);
    keys_kiosk_close(k);
    sodium_bin2base64(sd, sizeof sd, seed, sizeof seed, sodium_base64_VARIANT_ORIGINAL);
    char path[1200];
    snprintf(path, sizeof path, "%s/" KEYS_KIOSK_FILE, f->data);
    json_t *j = json_pack("{s:s, s:i, s:s, s:s}", "format", "hifazat-kiosk-key", "version", 1,
                          "public_key", pk, "seed", sd);
    int rc = j ? json_dump_file(j, path, 0) : -1;
    json_decref(j);
    return rc == 0 ? chmod(path, 0600) : -1;
}

int kfix_create(struct kfix *f, const char *tag, unsigned flags)
{
    memset(f, 0, sizeof(*f));
    if (keys_init() != 0)
        return -1;
    const char *d = make_tmpdir(tag);
    if (!d)
        return -1;
    snprintf(f->root, sizeof f->root, "%s", d);
    app_paths_default(&f->paths);
    snprintf(f->config, sizeof f->config, "%s/kiosk.conf", f->root);
    snprintf(f->data, sizeof f->data, "%s/data", f->root);
    snprintf(f->media, sizeof f->media, "%s/media", f->root);
    snprintf(f->keydir, sizeof f->keydir, "%s/keys", f->root);
    snprintf(f->passfile, sizeof f->passfile, "%s/pass", f->root);
    if (mkdir(f->data, 0700) || mkdir(f->media, 0755) || mkdir(f->keydir, 0700))
        return -1;
    char err[KEYS_ERR_SIZE];
    if (flags & KFIX_HELPLINE_SECRET) {
        if (write_whole(f->passfile, KFIX_PASSPHRASE "\n", strlen(KFIX_PASSPHRASE) + 1) != 0 ||
            keys_helpline_generate(f->keydir, KFIX_PASSPHRASE, strlen(KFIX_PASSPHRASE),
                                   KEYS_KDF_INTERACTIVE, f->helpline_pk, err, sizeof err) != 0) {
            fprintf(stderr, "kfix: %s\n", err);
            return -1;
        }
    } else {
        uint8_t seed[KEYS_SEED_SIZE];
        memset(seed, 7, sizeof seed);
        struct keys_helpline *h = keys_helpline_from_seed(seed);
        if (!h)
            return -1;
        memcpy(f->helpline_pk, keys_helpline_public(h), 32);
        keys_helpline_close(h);
        char txt[KEYS_PUBLIC_TEXT_SIZE], path[1200], line[100];
        keys_public_format(f->helpline_pk, txt);
        snprintf(path, sizeof path, "%s/helpline.pub", f->root);
        snprintf(line, sizeof line, "%s\n", txt);
        if (write_whole(path, line, strlen(line)) != 0)
            return -1;
    }
    if (write_kiosk_key(f) != 0)
        return -1;
    if (!(flags & KFIX_NO_CONFIG) && write_config(f, flags & KFIX_HELPLINE_SECRET) != 0)
        return -1;
    return 0;
}

void kfix_destroy(struct kfix *f)
{
    devices_destroy(f->devices);
    fakephones_destroy(f->phones);
    if (f->root[0])
        rm_rf(f->root);
    memset(f, 0, sizeof(*f));
}

/* The fixture phone's pictures in the folder tmp. 0 / -1. */
static int make_tree(const char *tmp, int photos)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/DCIM/Camera", tmp);
    if (gen_mkdirs(p) != 0)
        return -1;
    time_t base = 1700000000;
    if (photos > 0) {
        for (int i = 0; i < photos; i++) {
            scene = i;
            snprintf(p, sizeof p, "%s/DCIM/Camera/IMG_%04d.jpg", tmp, i + 1);
            if (gen_jpeg_file(p, 2400, 1800, gen_scene, 0, 92) != 0)
                return -1;
            set_mtime(p, base + i * 60);
        }
    } else {
        for (int i = 0; i < 8; i++) {
            scene = i;
            snprintf(p, sizeof p, "%s/DCIM/Camera/IMG_%04d.jpg", tmp, i + 1);
            if (gen_jpeg_file(p, 800, 600, gen_scene, 0, 90) != 0)
                return -1;
            set_mtime(p, base + i * 60);
        }
        snprintf(p, sizeof p, "%s/DCIM/Camera/IMG_0009.jpg", tmp);
        if (gen_jpeg_file(p, 640, 480, gen_wall, 0, 90) != 0)
            return -1;
        set_mtime(p, base + 8 * 60);
        /* Damaged: a JPEG cut off after its first 1.5 KB. */
        size_t len;
        scene = 3;
        uint8_t *jpg = gen_jpeg(800, 600, gen_scene, 0, 90, &len);
        snprintf(p, sizeof p, "%s/DCIM/Camera/IMG_0010.jpg", tmp);
        if (!jpg || gen_write(p, jpg, len > 1500 ? 1500 : len) != 0) {
            free(jpg);
            return -1;
        }
        free(jpg);
        set_mtime(p, base + 9 * 60);
        /* A short video; bit-exact so its poster frame is the same everywhere. */
        char cmd[3000];
        snprintf(cmd, sizeof cmd,
                 "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=10:duration=2 "
                 "-c:v mpeg4 -q:v 5 -threads 1 -fflags +bitexact -flags:v +bitexact "
                 "-map_metadata -1 '%s/DCIM/Camera/VID_0001.mp4'",
                 tmp);
        if (gen_run(cmd) != 0)
            return -1;
        snprintf(p, sizeof p, "%s/DCIM/Camera/VID_0001.mp4", tmp);
        set_mtime(p, base + 10 * 60);
        snprintf(p, sizeof p, "%s/Pictures", tmp);
        if (gen_mkdirs(p) != 0)
            return -1;
        for (int i = 0; i < 2; i++) {
            scene = i;
            snprintf(p, sizeof p, "%s/Pictures/card-%d.png", tmp, i + 1);
            if (gen_png_file(p, 480, 480, gen_card, false, false) != 0)
                return -1;
            set_mtime(p, base + (11 + i) * 60);
        }
    }
    return 0;
}

const char *kfix_make_phone(struct kfix *f, const char *name, int photos)
{
    static char dev[1200];
    snprintf(dev, sizeof dev, "%s/%s", f->media, name);
    /* Built beside the media root and moved in whole, so the kiosk never
     * sees a half-made device. */
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s/.making-%s", f->root, name);
    if (make_tree(tmp, photos) != 0 || rename(tmp, dev) != 0)
        return NULL;
    return dev;
}

int kfix_phones(struct kfix *f)
{
    if (f->devices)
        return 0;
    f->phones = fakephones_create();
    if (!f->phones)
        return -1;
    static const struct device_backend *list[2];
    list[0] = fakephones_backend(f->phones);
    list[1] = NULL;
    struct device_options o;
    device_options_default(&o);
    o.media_root = f->media;
    o.mode = DEVICE_ROOT_DIRS;
    o.backends = list;
    o.retry_locked_ms = 100;
    o.open_retry_ms = 400;   /* a phone that cannot be opened says so soon */
    if (f->timeout_ms > 0)   /* a test's patience: listings too, not the 2 minutes a phone gets */
        o.timeout_ms = o.list_timeout_ms = f->timeout_ms;
    struct device_error err;
    f->devices = devices_create(&o, &err);
    if (!f->devices)
        fprintf(stderr, "kfix: devices_create: %s\n", err.detail);
    return f->devices ? 0 : -1;
}

int kfix_add_phone(struct kfix *f, const char *serial, int photos, int delay_us, const char **dir)
{
    static char where[1200];
    if (kfix_phones(f) != 0)
        return -1;
    snprintf(where, sizeof where, "%s/phone-%s", f->root, serial);
    struct stat st;
    if (stat(where, &st) != 0 && make_tree(where, photos) != 0)
        return -1;
    struct fakephone d = {.model = "Galaxy A14", .vendor = "Samsung", .serial = serial, .nstorages = 1,
                          .delay_us = delay_us};
    d.storages[0] = (struct fakephone_storage){where, "Internal shared storage", false};
    const int i = fakephone_plug(f->phones, &d);
    devices_rescan(f->devices);
    if (dir)
        *dir = where;
    return i;
}
int kfix_plug_phone(struct kfix *f, const char *serial, const char *model, unsigned how)
{
    char where[1200];
    if (kfix_phones(f) != 0)
        return -1;
    snprintf(where, sizeof where, "%s/phone-%s", f->root, serial);
    struct stat st;
    if (stat(where, &st) != 0 && make_tree(where, 0) != 0)
        return -1;
    const bool apple = how & KFIX_PLUG_IPHONE;
    struct fakephone d = {.model = model, .vendor = apple ? "Apple" : "Samsung", .serial = serial,
                          .nstorages = 1, .charging_only = how & KFIX_PLUG_CHARGING_ONLY, .apple = apple};
    d.storages[0] = (struct fakephone_storage){where, apple ? "iPhone" : "Internal shared storage", false};
    const int i = fakephone_plug(f->phones, &d);
    if (i < 0)
        return -1;
    /* Its state before the device layer first looks at it. */
    if (how & KFIX_PLUG_OPENING)
        fakephone_set(f->phones, i, FAKEPHONE_HANG);
    else if (how & KFIX_PLUG_LOCKED)
        fakephone_set(f->phones, i, FAKEPHONE_LOCKED);
    else if (how & KFIX_PLUG_BUSY)
        fakephone_set(f->phones, i, FAKEPHONE_BUSY);
    else if (how & KFIX_PLUG_REFUSED)
        fakephone_set(f->phones, i, FAKEPHONE_REFUSED);
    devices_rescan(f->devices);
    return i;
}

void kfix_options(const struct kfix *f, struct app_options *o, int w, int h)
{
    app_options_default(o);
    o->windowed = true;
    o->width = w;
    o->height = h;
    o->quiet = true;
    o->idle_timeout_s = 0;
    o->config = f->config;
    o->media_root = f->media;
    o->media_folders = true;
    o->devices = f->devices;
    o->paths = &f->paths;
}
