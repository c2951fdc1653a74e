/* The gallery and phones' folders, on fake phones (fakephone.h; the real
 * MTP/PTP backends are proved on qemu's MTP device in the boot test):
 *   albums     media_album_of() on real Android and iPhone layouts;
 *   gallery    a two-storage phone with a camera roll, screenshots, WhatsApp
 *              (new and old places, sent, statuses), Telegram, downloads,
 *              hidden and system folders: every photo and video in its
 *              album, counts, covers, newest first, one album's view, the
 *              likely places listed first, entries coming in while it lists
 *              (seen through MEDIA_EV_FOLDER and media_folder_update());
 *   folders    a phone's top lists its storages; folders by path, their
 *              parents and display names; content checks through the phone;
 *   thumbs     the phone's own preview, a JPEG's EXIF preview from its
 *              first 64 KB, a whole PNG, a video poster: which road each took
 *              and how many bytes it read, from media's and the phone's
 *              counters;
 *   states     a locked phone, one unplugged before and while the gallery
 *              is gathered, one that stops answering (and media_wipe() not
 *              waiting for it);
 *   wipe       every name and pixel erased, nothing freed unwiped. */
#include "check.h"
#include "device.h"
#include "fakephone.h"
#include "media.h"
#include "media_internal.h"
#include "mediagen.h"
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp[512];

/* Takes events and updates until the listing is over (60 s at most). */
static bool listed(struct media *m, struct media_folder *f)
{
    const double end = now_s() + 60;
    while (now_s() < end) {
        if (media_events(m) & MEDIA_EV_FOLDER)
            media_folder_update(f);
        if (!media_folder_listing(f))
            return true;
        notify_wait(5);
    }
    return false;
}

/* ... and until the content checks are done. */
static bool settled(struct media *m, struct media_folder *f)
{
    const double end = now_s() + 60;
    while (now_s() < end) {
        if (media_events(m) & MEDIA_EV_FOLDER)
            media_folder_update(f);
        struct media_counts c;
        media_folder_counts(f, &c);
        if (!media_folder_listing(f) && c.checking == 0)
            return true;
        notify_wait(5);
    }
    return false;
}

static const char *at(const char *dir, const char *rel)
{
    static char p[4][2048];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", dir, rel);
    return p[k];
}

static void put(const char *dir, const char *rel, const void *data, size_t len, time_t mtime)
{
    char p[2048], d[2048];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    snprintf(d, sizeof(d), "%s", p);
    *strrchr(d, '/') = 0;
    REQUIRE(gen_mkdirs(d) == 0, "mkdir %s", rel);
    REQUIRE(gen_write(p, data, len) == 0, "write %s", rel);
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    utimensat(AT_FDCWD, p, ts, 0);
}

static int find(struct media_folder *f, const char *name, struct media_entry *e)
{
    for (size_t i = 0; media_folder_entry(f, i, e) == 0; i++)
        if (!strcmp(e->name, name))
            return 0;
    return -1;
}

/* ---- albums ---- */

static void test_albums(void)
{
    static const struct {
        const char *rel;
        enum media_album album;
    } cases[] = {
        /* Android's camera, and other camera apps under DCIM */
        {"DCIM/Camera/IMG_20240105_101010.jpg", MEDIA_ALBUM_CAMERA},
        {"DCIM/Camera/VID_20240105_101010.mp4", MEDIA_ALBUM_CAMERA},
        {"DCIM/Camera/PXL_20240105_101010123.MP.jpg", MEDIA_ALBUM_CAMERA},
        {"DCIM/OpenCamera/IMG_1.jpg", MEDIA_ALBUM_CAMERA},
        {"DCIM/100ANDRO/DSC_0001.JPG", MEDIA_ALBUM_CAMERA},
        {"dcim/camera/img_1.jpg", MEDIA_ALBUM_CAMERA},
        {"/DCIM/Camera/IMG_1.jpg", MEDIA_ALBUM_CAMERA},
        /* iPhone over PTP: everything in DCIM/1xxAPPLE, screenshots too */
        {"DCIM/100APPLE/IMG_0001.HEIC", MEDIA_ALBUM_CAMERA},
        {"DCIM/101APPLE/IMG_1234.MOV", MEDIA_ALBUM_CAMERA},
        {"DCIM/100APPLE/IMG_0002.PNG", MEDIA_ALBUM_CAMERA},
        /* screenshots: Samsung, Xiaomi/OnePlus, Pixel, old phones */
        {"DCIM/Screenshots/Screenshot_20240101-101010_WhatsApp.jpg", MEDIA_ALBUM_SCREENSHOTS},
        {"Pictures/Screenshots/Screenshot_20240101-101010.png", MEDIA_ALBUM_SCREENSHOTS},
        {"Screenshots/Screenshot_1.png", MEDIA_ALBUM_SCREENSHOTS},
        /* WhatsApp since Android 11, its Sent and Private folders */
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-20240101-WA0001.jpg",
         MEDIA_ALBUM_WHATSAPP_IMAGES},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/Sent/IMG-20240101-WA0002.jpg",
         MEDIA_ALBUM_WHATSAPP_IMAGES},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/Private/IMG-20240101-WA0003.jpg",
         MEDIA_ALBUM_WHATSAPP_IMAGES},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Video/VID-20240101-WA0001.mp4",
         MEDIA_ALBUM_WHATSAPP_VIDEO},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Video/Sent/VID-20240101-WA0002.mp4",
         MEDIA_ALBUM_WHATSAPP_VIDEO},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Animated Gifs/VID-20240101-WA0003.mp4",
         MEDIA_ALBUM_WHATSAPP_VIDEO},
        /* WhatsApp before Android 11, at the top */
        {"WhatsApp/Media/WhatsApp Images/IMG-20190101-WA0001.jpg", MEDIA_ALBUM_WHATSAPP_IMAGES},
        {"WhatsApp/Media/WhatsApp Video/VID-20190101-WA0001.mp4", MEDIA_ALBUM_WHATSAPP_VIDEO},
        /* WhatsApp Business */
        {"Android/media/com.whatsapp.w4b/WhatsApp Business/Media/WhatsApp Business Images/IMG-1.jpg",
         MEDIA_ALBUM_WHATSAPP_IMAGES},
        {"Android/media/com.whatsapp.w4b/WhatsApp Business/Media/WhatsApp Business Video/VID-1.mp4",
         MEDIA_ALBUM_WHATSAPP_VIDEO},
        {"WhatsApp Business/Media/WhatsApp Business Images/Sent/IMG-2.jpg", MEDIA_ALBUM_WHATSAPP_IMAGES},
        /* WhatsApp's other folders are not its pictures */
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Stickers/STK-1.webp", MEDIA_ALBUM_OTHER},
        {"Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Profile Photos/x.jpg", MEDIA_ALBUM_OTHER},
        {"Android/media/com.whatsapp/WhatsApp/Media/IMG-loose.jpg", MEDIA_ALBUM_OTHER},
        /* Telegram: its own folders, and what it saves to the gallery */
        {"Telegram/Telegram Images/123_456.jpg", MEDIA_ALBUM_TELEGRAM},
        {"Telegram/Telegram Video/4_5879.mp4", MEDIA_ALBUM_TELEGRAM},
        {"Android/media/org.telegram.messenger/Telegram/Telegram Images/1.jpg", MEDIA_ALBUM_TELEGRAM},
        {"Pictures/Telegram/IMG_20240101_101010_123.jpg", MEDIA_ALBUM_TELEGRAM},
        {"Movies/Telegram/VID_20240101_101010_123.mp4", MEDIA_ALBUM_TELEGRAM},
        /* downloads */
        {"Download/photo.jpg", MEDIA_ALBUM_DOWNLOADS},
        {"Download/Telegram/x.jpg", MEDIA_ALBUM_DOWNLOADS},
        {"Downloads/video.mp4", MEDIA_ALBUM_DOWNLOADS},
        /* the rest */
        {"Pictures/Instagram/IMG_1.jpg", MEDIA_ALBUM_OTHER},
        {"Pictures/Messenger/received_1.jpeg", MEDIA_ALBUM_OTHER},
        {"Movies/Instagram/VID_1.mp4", MEDIA_ALBUM_OTHER},
        {"Snapchat/Snapchat-1.jpg", MEDIA_ALBUM_OTHER},
        {"DCIMX/a.jpg", MEDIA_ALBUM_OTHER},
        {"Pictures/DCIM/a.jpg", MEDIA_ALBUM_OTHER},
        {"a.jpg", MEDIA_ALBUM_OTHER},
        {"", MEDIA_ALBUM_OTHER},
        {"WhatsApp Images/IMG-1.jpg", MEDIA_ALBUM_OTHER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(media_album_of(cases[i].rel) == cases[i].album, "%s: album %d, not %d", cases[i].rel,
              media_album_of(cases[i].rel), cases[i].album);
    CHECK(media_album_of(NULL) == MEDIA_ALBUM_OTHER, "NULL");
}

/* ---- the phone ---- */

struct phone {
    char internal[1100], card[1100];
    size_t photos[MEDIA_ALBUM_COUNT], videos[MEDIA_ALBUM_COUNT];
    time_t newest[MEDIA_ALBUM_COUNT];
    size_t total, extra;
    uint64_t png_size, preview_size;
};

static const time_t T0 = 1704067200; /* 2024-01-01 */

static void add(struct phone *ph, const char *dir, const char *rel, const void *data, size_t len, time_t t,
                bool video)
{
    put(dir, rel, data, len, t);
    const enum media_album a = media_album_of(rel);
    video ? ph->videos[a]++ : ph->photos[a]++;
    if (t > ph->newest[a])
        ph->newest[a] = t;
    ph->total++;
}

static void make_phone(struct phone *ph, int extra_folders)
{
    memset(ph, 0, sizeof(*ph));
    snprintf(ph->internal, sizeof(ph->internal), "%s/phone/internal", tmp);
    snprintf(ph->card, sizeof(ph->card), "%s/phone/card", tmp);
    const char *in = ph->internal, *sd = ph->card;
    const char *src = getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : "..";
    size_t vlen;
    uint8_t *video = read_whole(at(src, "assets/demo/media/DEMO-PHONE/DCIM/Camera/VID_0001.mp4"), &vlen);
    REQUIRE(video, "the demo video");
    size_t jlen, plen;
    uint8_t *jpeg = gen_jpeg(320, 240, gen_quadrants, 1, 90, &jlen);
    /* A phone's camera photo: large, with a 320x240 EXIF preview. */
    uint8_t *pv = gen_jpeg_preview(2000, 1500, gen_camera, 1, 320, 240, gen_solid_blue, &plen);
    REQUIRE(jpeg && pv, "jpegs");
    ph->preview_size = plen;

    for (int i = 0; i < 6; i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "DCIM/Camera/IMG_20240101_%06d.jpg", i);
        add(ph, in, rel, i == 0 ? pv : jpeg, i == 0 ? plen : jlen, T0 + 3600 * i, false);
    }
    add(ph, in, "DCIM/Camera/VID_20240102_101010.mp4", video, vlen, T0 + 86400, true);
    put(in, "DCIM/Camera/.trashed-1709000000-IMG_1.jpg", jpeg, jlen, T0); /* hidden */
    put(in, "DCIM/.thumbnails/1.jpg", jpeg, jlen, T0);                     /* hidden */
    put(in, "DCIM/Camera/notes.txt", "x", 1, T0);                          /* not media */
    put(in, "DCIM/Camera/empty.jpg", "", 0, T0);                           /* nothing */
    add(ph, in, "DCIM/Screenshots/Screenshot_20240103-101010.jpg", jpeg, jlen, T0 + 2 * 86400, false);
    REQUIRE(gen_mkdirs(at(in, "Pictures/Screenshots")) == 0 &&
                gen_png_file(at(in, "Pictures/Screenshots/Screenshot_20240104.png"), 300, 200, gen_gradient,
                             false, true) == 0,
            "png");
    {
        struct stat st;
        REQUIRE(stat(at(in, "Pictures/Screenshots/Screenshot_20240104.png"), &st) == 0, "png");
        ph->png_size = (uint64_t)st.st_size;
        const time_t t = T0 + 3 * 86400;
        struct timespec ts[2] = {{t, 0}, {t, 0}};
        utimensat(AT_FDCWD, at(in, "Pictures/Screenshots/Screenshot_20240104.png"), ts, 0);
        ph->photos[MEDIA_ALBUM_SCREENSHOTS]++;
        ph->newest[MEDIA_ALBUM_SCREENSHOTS] = t;
        ph->total++;
    }
    add(ph, in, "Pictures/Instagram/IMG_1.jpg", jpeg, jlen, T0 + 100, false);
    const char *wa = "Android/media/com.whatsapp/WhatsApp/Media";
    char rel[512];
    for (int i = 0; i < 3; i++) {
        snprintf(rel, sizeof(rel), "%s/WhatsApp Images/IMG-20240105-WA%04d.jpg", wa, i);
        add(ph, in, rel, jpeg, jlen, T0 + 4 * 86400 + i, false);
    }
    snprintf(rel, sizeof(rel), "%s/WhatsApp Images/Sent/IMG-20240106-WA0001.jpg", wa);
    add(ph, in, rel, jpeg, jlen, T0 + 5 * 86400, false);
    snprintf(rel, sizeof(rel), "%s/WhatsApp Video/VID-20240107-WA0001.mp4", wa);
    add(ph, in, rel, video, vlen, T0 + 6 * 86400, true);
    snprintf(rel, sizeof(rel), "%s/WhatsApp Images/.Statuses/status.jpg", wa);
    put(in, rel, jpeg, jlen, T0); /* hidden */
    snprintf(rel, sizeof(rel), "%s/WhatsApp Documents/letter.pdf", wa);
    put(in, rel, "%PDF-1.4\n", 9, T0); /* not a picture by its name */
    put(in, "Android/data/com.app/cache/x.jpg", jpeg, jlen, T0); /* apps' data: hidden */
    put(in, "Android/obb/com.game/y.jpg", jpeg, jlen, T0);
    add(ph, in, "Download/photo.jpg", jpeg, jlen, T0 + 200, false);
    add(ph, in, "Telegram/Telegram Images/123_456.jpg", jpeg, jlen, T0 + 300, false);
    put(in, "Music/song.mp3", "ID3", 3, T0);
    put(in, "LOST.DIR/1234.jpg", jpeg, jlen, T0);
    /* the memory card: an old phone's layout */
    add(ph, sd, "DCIM/Camera/IMG_sd_1.jpg", jpeg, jlen, T0 + 7 * 86400, false);
    add(ph, sd, "WhatsApp/Media/WhatsApp Images/IMG-20190101-WA0001.jpg", jpeg, jlen, T0 - 86400, false);
    /* Folders of odd apps, walked last. */
    for (int i = 0; i < extra_folders; i++) {
        snprintf(rel, sizeof(rel), "Apps/app%02d/picture.jpg", i);
        add(ph, in, rel, jpeg, jlen, T0 - 1000 - i, false);
        ph->extra++;
    }
    free(video);
    free(jpeg);
    free(pv);
}

static struct fakephone desc_of(const struct phone *ph, const char *serial, bool thumbs, int delay_us)
{
    struct fakephone d = {.model = "Galaxy A14", .vendor = "Samsung", .serial = serial, .nstorages = 2,
                          .thumbnails = thumbs, .delay_us = delay_us};
    d.storages[0] = (struct fakephone_storage){ph->internal, "Internal shared storage", false};
    d.storages[1] = (struct fakephone_storage){ph->card, "SD card", true};
    return d;
}

static struct devices *phone_devices(struct fakephones *fp, int timeout_ms)
{
    static const struct device_backend *list[2];
    list[0] = fakephones_backend(fp);
    list[1] = NULL;
    struct device_options o;
    device_options_default(&o);
    o.backends = list;
    o.rescan_ms = 60000; /* devices_rescan() drives it */
    o.retry_locked_ms = 50;
    o.timeout_ms = timeout_ms;
    o.list_timeout_ms = timeout_ms; /* a listing gets no longer than a read here */
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    return d;
}

static struct media *media_on(struct devices *d, int workers)
{
    struct media_options o;
    media_options_default(&o);
    o.devices = d;
    o.notify = notify_waiter;
    o.workers = workers;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    return m;
}

static void test_gallery(const struct phone *ph)
{
    struct fakephones *fp = fakephones_create();
    REQUIRE(fp, "fakephones");
    struct devices *d = phone_devices(fp, 20000);
    const struct fakephone desc = desc_of(ph, "GAL1", true, 3000);
    const int idx = fakephone_plug(fp, &desc);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "the phone opened");
    struct media *m = media_on(d, 2);

    struct media_error err;
    media_events(m);
    struct media_folder *g = media_gallery_open(m, "test:GAL1", 0, &err);
    REQUIRE(g, "gallery: %s", err.detail);
    CHECK(media_folder_listing(g) && media_folder_count(g) == 0, "listing starts empty");
    CHECK(!media_folder_parent(g), "a gallery has no way up");

    /* Entries come in while it lists: some seen before the end. */
    size_t seen_partial = 0, updates = 0, last = 0;
    const double end = now_s() + 60;
    while (now_s() < end) {
        if (media_events(m) & MEDIA_EV_FOLDER) {
            if (media_folder_update(g))
                updates++;
            const size_t n = media_folder_count(g);
            if (media_folder_listing(g) && n > 0 && n > last)
                seen_partial++;
            last = n;
        }
        if (!media_folder_listing(g))
            break;
        notify_wait(1);
    }
    CHECK(!media_folder_listing(g) && media_folder_error(g) == MEDIA_OK, "listed: error %d",
          media_folder_error(g));
    CHECK(seen_partial >= 2 && updates >= 3, "entries came in as the phone was listed (%zu growing views, %zu updates)",
          seen_partial, updates);
    CHECK(media_folder_count(g) == ph->total, "%zu entries, want %zu", media_folder_count(g), ph->total);

    /* Every album, with its counts and its newest entry as the cover. */
    struct media_album_info al[MEDIA_ALBUM_COUNT];
    media_gallery_albums(g, al);
    for (int a = 0; a < MEDIA_ALBUM_COUNT; a++) {
        CHECK(al[a].photos == ph->photos[a] && al[a].videos == ph->videos[a],
              "album %d: %zu photos %zu videos, want %zu %zu", a, al[a].photos, al[a].videos, ph->photos[a],
              ph->videos[a]);
        struct media_entry e;
        CHECK(ph->photos[a] + ph->videos[a] == 0 ? al[a].cover == MEDIA_NO_ENTRY
                                                 : media_folder_entry_by_id(g, al[a].cover, &e) == 0 &&
                                                       e.album == (enum media_album)a && e.mtime == ph->newest[a],
              "album %d: the cover is its newest", a);
    }
    CHECK(ph->photos[MEDIA_ALBUM_WHATSAPP_IMAGES] == 5 && ph->photos[MEDIA_ALBUM_CAMERA] == 7,
          "the fixture's albums");

    /* Newest first; nothing hidden or not-media; paths on both storages. */
    struct media_entry e, prev = {0};
    bool order = true, clean = true, both = false, storage1 = false;
    for (size_t i = 0; media_folder_entry(g, i, &e) == 0; i++) {
        if (i && e.mtime > prev.mtime)
            order = false;
        prev = e;
        if (strstr(e.path, "trashed") || strstr(e.path, "thumbnails") || strstr(e.path, "Statuses") ||
            strstr(e.path, "Android/data") || strstr(e.path, "Android/obb") || strstr(e.path, "LOST.DIR") ||
            strstr(e.path, ".pdf") || strstr(e.path, ".mp3") || strstr(e.path, ".txt") ||
            strstr(e.path, "empty.jpg") || e.kind == MEDIA_KIND_FOLDER)
            clean = false;
        both |= !strncmp(e.path, "test:GAL1@2/", 12);
        storage1 |= !strncmp(e.path, "test:GAL1/DCIM/Camera/", 22);
    }
    CHECK(order, "newest first");
    CHECK(clean, "hidden, system and not-media files left out");
    CHECK(both && storage1, "both storages: test:GAL1/... and test:GAL1@2/...");
    struct media_counts c;
    media_folder_counts(g, &c);
    CHECK(c.hidden >= 6, "hidden folders and files counted: %zu", c.hidden);

    /* The likely places first: every DCIM entry was found before any of
     * WhatsApp's, and WhatsApp's before the odd apps'. */
    uint32_t max_camera = 0, min_whatsapp = UINT32_MAX, max_whatsapp = 0, min_apps = UINT32_MAX;
    for (size_t i = 0; media_folder_entry(g, i, &e) == 0; i++) {
        if (e.album == MEDIA_ALBUM_CAMERA && e.id > max_camera)
            max_camera = e.id;
        if (e.album == MEDIA_ALBUM_WHATSAPP_IMAGES || e.album == MEDIA_ALBUM_WHATSAPP_VIDEO) {
            if (e.id < min_whatsapp)
                min_whatsapp = e.id;
            if (e.id > max_whatsapp)
                max_whatsapp = e.id;
        }
        if (strstr(e.path, "/Apps/") && e.id < min_apps)
            min_apps = e.id;
    }
    CHECK(max_camera < min_whatsapp && max_whatsapp < min_apps, "walk order: camera ..%u, WhatsApp %u..%u, apps %u..",
          max_camera, min_whatsapp, max_whatsapp, min_apps);

    /* One album's view, and a filter on it. */
    media_gallery_album(g, MEDIA_ALBUM_WHATSAPP_IMAGES);
    CHECK(media_folder_count(g) == 5, "WhatsApp Images: %zu", media_folder_count(g));
    bool only = true;
    for (size_t i = 0; media_folder_entry(g, i, &e) == 0; i++)
        only &= e.album == MEDIA_ALBUM_WHATSAPP_IMAGES && e.kind == MEDIA_KIND_PHOTO;
    CHECK(only, "only that album");
    media_folder_counts(g, &c);
    CHECK(c.photos == 5 && c.videos == 0, "counts of the album: %zu %zu", c.photos, c.videos);
    media_gallery_album(g, MEDIA_ALBUM_CAMERA);
    media_folder_view(g, MEDIA_SORT_DATE, MEDIA_FILTER_VIDEOS);
    CHECK(media_folder_count(g) == 1 && media_folder_entry(g, 0, &e) == 0 && strstr(e.path, "VID_20240102"),
          "the camera's videos");
    media_folder_view(g, MEDIA_SORT_DATE, MEDIA_FILTER_ALL);
    media_gallery_album(g, MEDIA_ALBUM_ALL);
    CHECK(media_folder_count(g) == ph->total, "all again");

    /* Content checks go through the phone too. */
    CHECK(settled(m, g), "content checks");
    media_folder_counts(g, &c);
    CHECK(c.checking == 0 && c.photos + c.videos == ph->total, "checked: %zu photos %zu videos", c.photos,
          c.videos);

    /* ---- thumbnails, each by the cheapest road ---- */
    struct fakephone_stats fs0, fs1;
    struct media_stats s0, s1;
    uint32_t id;
    struct media_thumb_info ti;
#define THUMB(name)                                                                                 \
    do {                                                                                            \
        REQUIRE(find(g, name, &e) == 0, "entry %s", name);                                         \
        id = e.id;                                                                                  \
        fakephone_stats(fp, idx, &fs0);                                                             \
        media_get_stats(m, &s0);                                                                    \
        media_thumbs_want(m, g, &id, 1);                                                            \
        const double tend = now_s() + 30;                                                           \
        do {                                                                                        \
            notify_wait(2);                                                                          \
            media_thumb_get(m, g, id, &ti);                                                         \
        } while ((ti.state == MEDIA_THUMB_QUEUED || ti.state == MEDIA_THUMB_LOADING) && now_s() < tend); \
        fakephone_stats(fp, idx, &fs1);                                                             \
        media_get_stats(m, &s1);                                                                    \
    } while (0)
    /* The phone's own preview: no byte of the file read. */
    THUMB("IMG_20240101_000003.jpg");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width > 0, "device preview: %d %d", ti.state, ti.err);
    CHECK(s1.from_device == s0.from_device + 1 && s1.bytes_read == s0.bytes_read &&
              fs1.thumbs == fs0.thumbs + 1 && fs1.bytes_read == fs0.bytes_read,
          "from the device: %llu bytes read, %u GetThumb", (unsigned long long)(s1.bytes_read - s0.bytes_read),
          fs1.thumbs - fs0.thumbs);
    /* A PNG (the phone offers no preview of it): the whole file. */
    THUMB("Screenshot_20240104.png");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 192, "png: %d %d", ti.state, ti.width);
    CHECK(s1.whole_files == s0.whole_files + 1 && s1.bytes_read - s0.bytes_read == ph->png_size,
          "whole file: %llu of %llu bytes", (unsigned long long)(s1.bytes_read - s0.bytes_read),
          (unsigned long long)ph->png_size);
    /* A video: a poster through partial reads. */
    THUMB("VID-20240107-WA0001.mp4");
    CHECK(ti.state == MEDIA_THUMB_READY && ti.kind == MEDIA_KIND_VIDEO && ti.width > 0 && ti.duration_ms > 0,
          "video poster: %d %dx%d %lld", ti.state, ti.width, ti.height, (long long)ti.duration_ms);
    CHECK(s1.bytes_read > s0.bytes_read && fs1.reads > fs0.reads, "the poster read the file");
    media_folder_close(g);
    media_destroy(m);

    /* The same phone without previews of its own: a camera JPEG's EXIF
     * preview, from its first 64 KB only. */
    fakephone_unplug(fp, idx);
    const struct fakephone desc2 = desc_of(ph, "GAL2", false, 0);
    const int idx2 = fakephone_plug(fp, &desc2);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "the second phone opened");
    m = media_on(d, 2);
    struct media_folder *f = media_folder_open(m, "test:GAL2/DCIM/Camera", 0, &err);
    REQUIRE(f, "camera folder: %s", err.detail);
    CHECK(listed(m, f), "listed");
    media_folder_update(f);
    REQUIRE(find(f, "IMG_20240101_000000.jpg", &e) == 0, "the photo with a preview");
    id = e.id;
    fakephone_stats(fp, idx2, &fs0);
    media_get_stats(m, &s0);
    media_thumbs_want(m, f, &id, 1);
    const double tend = now_s() + 30;
    do {
        notify_wait(2);
        media_thumb_get(m, f, id, &ti);
    } while ((ti.state == MEDIA_THUMB_QUEUED || ti.state == MEDIA_THUMB_LOADING) && now_s() < tend);
    fakephone_stats(fp, idx2, &fs1);
    media_get_stats(m, &s1);
    CHECK(ti.state == MEDIA_THUMB_READY && ti.width == 192, "preview: %d %dx%d", ti.state, ti.width, ti.height);
    CHECK(s1.previews == s0.previews + 1 && s1.bytes_read - s0.bytes_read == 64 * 1024 &&
              ph->preview_size > 4 * 64 * 1024,
          "EXIF preview: read %llu of %llu bytes", (unsigned long long)(s1.bytes_read - s0.bytes_read),
          (unsigned long long)ph->preview_size);
    CHECK(fs1.thumbs == fs0.thumbs + 1, "the phone was asked for its own first (%u)", fs1.thumbs - fs0.thumbs);
    media_folder_close(f);
    media_destroy(m);
    fakephone_unplug(fp, idx2);
    devices_rescan(d);
    devices_destroy(d);
    fakephones_destroy(fp);
}

/* ---- a phone's folders ---- */

static void test_folders(const struct phone *ph)
{
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices(fp, 20000);
    const struct fakephone desc = desc_of(ph, "FOLD", false, 500);
    fakephone_plug(fp, &desc);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "opened");
    struct media *m = media_on(d, 2);
    struct media_error err;
    struct media_entry e;

    struct media_folder *f = media_folder_open(m, "test:FOLD", 0, &err);
    REQUIRE(f, "top: %s", err.detail);
    CHECK(media_folder_listing(f), "a phone's folder is listed in the background");
    CHECK(listed(m, f) && media_folder_error(f) == MEDIA_OK, "listed");
    media_folder_update(f);
    CHECK(media_folder_count(f) == 2, "the top lists two storages: %zu", media_folder_count(f));
    CHECK(find(f, "Internal shared storage", &e) == 0 && e.storage && !e.removable &&
              !strcmp(e.path, "test:FOLD@1") && e.kind == MEDIA_KIND_FOLDER,
          "internal storage: %s", e.path);
    CHECK(find(f, "SD card", &e) == 0 && e.storage && e.removable && !strcmp(e.path, "test:FOLD@2"), "SD card");
    CHECK(!media_folder_parent(f) && !strcmp(media_folder_rel(f), ""), "the phone's top");
    media_folder_close(f);

    f = media_folder_open(m, "test:FOLD@2", 0, &err);
    REQUIRE(f, "card");
    CHECK(listed(m, f), "listed");
    media_folder_update(f);
    CHECK(find(f, "DCIM", &e) == 0 && !strcmp(e.path, "test:FOLD@2/DCIM") && find(f, "WhatsApp", &e) == 0,
          "the card's folders");
    CHECK(media_folder_parent(f) && !strcmp(media_folder_parent(f), "test:FOLD"), "up: the phone's top");
    CHECK(!strcmp(media_folder_rel(f), "SD card"), "rel: %s", media_folder_rel(f));
    media_folder_close(f);

    f = media_folder_open(m, "test:FOLD/DCIM", 0, &err);
    REQUIRE(f, "DCIM");
    CHECK(listed(m, f), "listed");
    media_folder_update(f);
    CHECK(find(f, "Camera", &e) == 0 && find(f, "Screenshots", &e) == 0 && find(f, ".thumbnails", &e) != 0,
          "DCIM: .thumbnails hidden");
    CHECK(media_folder_parent(f) && !strcmp(media_folder_parent(f), "test:FOLD@1"),
          "up from storage 1's folder: storage 1's top (%s)", media_folder_parent(f));
    CHECK(!strcmp(media_folder_rel(f), "Internal shared storage/DCIM"), "rel: %s", media_folder_rel(f));
    media_folder_close(f);

    f = media_folder_open(m, "test:FOLD/Android", 0, &err);
    REQUIRE(f, "Android");
    CHECK(listed(m, f), "listed");
    media_folder_update(f);
    CHECK(find(f, "media", &e) == 0 && find(f, "data", &e) != 0 && find(f, "obb", &e) != 0,
          "Android/media shown, data and obb hidden");
    media_folder_close(f);

    /* Types checked by content through the phone's reads. */
    f = media_folder_open(m, "test:FOLD/DCIM/Camera", 0, &err);
    REQUIRE(f, "Camera");
    CHECK(settled(m, f), "checked");
    struct media_counts c;
    media_folder_counts(f, &c);
    CHECK(c.photos == 6 && c.videos == 1 && c.checking == 0 && c.hidden == 1, "camera: %zu %zu %zu hidden %zu",
          c.photos, c.videos, c.checking, c.hidden);
    bool confirmed = true;
    for (size_t i = 0; media_folder_entry(f, i, &e) == 0; i++)
        confirmed &= e.confirmed;
    CHECK(confirmed, "every entry confirmed by content");
    media_folder_close(f);

    f = media_folder_open(m, "test:FOLD/Nope", 0, &err);
    REQUIRE(f, "a missing folder is found missing by the lister");
    CHECK(listed(m, f) && media_folder_error(f) == MEDIA_ERR_NOT_FOUND, "not found: %d", media_folder_error(f));
    media_folder_close(f);
    CHECK(!media_folder_open(m, "test:OTHER/DCIM", 0, &err) && err.code == MEDIA_ERR_GONE, "no such phone");
    CHECK(!media_folder_open(m, "test:FOLD/../x", 0, &err) && err.code == MEDIA_ERR_OUTSIDE, "..");
    media_destroy(m);
    devices_destroy(d);
    fakephones_destroy(fp);
}

/* ---- locked, unplugged, not answering ---- */

static void test_states(const struct phone *ph)
{
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices(fp, 20000);
    struct media *m = media_on(d, 2);
    struct media_error err;

    /* Locked: the gallery says so; unlocked, it works. */
    const struct fakephone desc = desc_of(ph, "LOCK", false, 0);
    const int i = fakephone_plug(fp, &desc);
    fakephone_set(fp, i, FAKEPHONE_LOCKED);
    devices_rescan(d);
    devices_settle(d, 20000);
    struct media_folder *g = media_gallery_open(m, "test:LOCK", 0, &err);
    REQUIRE(g, "a locked phone's gallery opens: %s", err.detail);
    CHECK(listed(m, g) && media_folder_error(g) == MEDIA_ERR_LOCKED && media_folder_count(g) == 0,
          "locked: %d", media_folder_error(g));
    media_folder_close(g);
    fakephone_set(fp, i, FAKEPHONE_READY);
    bool ready = false;
    for (int k = 0; k < 2000 && !ready; k++) {
        struct device_list *l = devices_list(d);
        ready = l && l->count == 1 && l->v[0].state == DEVICE_READY;
        device_list_free(l);
        if (!ready)
            notify_wait(10);
    }
    REQUIRE(ready, "unlocked");
    g = media_gallery_open(m, "test:LOCK", 0, &err);
    REQUIRE(g, "gallery");
    CHECK(listed(m, g) && media_folder_error(g) == MEDIA_OK && media_folder_count(g) == ph->total,
          "unlocked: %zu", media_folder_count(g));
    media_folder_close(g);
    fakephone_unplug(fp, i);
    devices_rescan(d);
    CHECK(!media_gallery_open(m, "test:LOCK", 0, &err) && err.code == MEDIA_ERR_GONE, "unplugged: %d", err.code);

    /* Unplugged while the gallery is gathered: what was listed stays. */
    const struct fakephone slow = desc_of(ph, "SLOW", false, 20000);
    const int s = fakephone_plug(fp, &slow);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "slow phone");
    g = media_gallery_open(m, "test:SLOW", 0, &err);
    REQUIRE(g, "gallery");
    const double end = now_s() + 60;
    while (media_folder_count(g) == 0 && media_folder_listing(g) && now_s() < end) {
        if (media_events(m) & MEDIA_EV_FOLDER)
            media_folder_update(g);
        notify_wait(2);
    }
    const size_t before = media_folder_count(g);
    CHECK(before > 0 && media_folder_listing(g), "partly listed: %zu", before);
    fakephone_unplug(fp, s);
    devices_rescan(d);
    CHECK(listed(m, g), "the listing ended");
    media_folder_update(g);
    CHECK(media_folder_error(g) == MEDIA_ERR_GONE && media_folder_count(g) >= before &&
              media_folder_count(g) < ph->total,
          "unplugged mid-way: error %d, %zu kept", media_folder_error(g), media_folder_count(g));
    media_folder_close(g);
    media_destroy(m);
    devices_destroy(d);
    fakephones_destroy(fp);

    /* Stops answering: the listing ends with NOT_ANSWERING after the
     * device layer's timeout; a thumbnail stuck on it does not hold up
     * media_wipe(). */
    fp = fakephones_create();
    d = phone_devices(fp, 400);
    m = media_on(d, 1);
    const struct fakephone hd = desc_of(ph, "HANG", false, 0);
    const int h = fakephone_plug(fp, &hd);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "hang phone");
    fakephone_set(fp, h, FAKEPHONE_HANG);
    struct media_folder *f = media_folder_open(m, "test:HANG/Pictures", 0, &err);
    REQUIRE(f, "pictures");
    CHECK(listed(m, f) && media_folder_error(f) == MEDIA_ERR_NOT_ANSWERING, "not answering: %d",
          media_folder_error(f));
    media_folder_close(f);
    media_destroy(m);
    fakephone_unplug(fp, h); /* the hung request returns */
    devices_destroy(d);
    fakephones_destroy(fp);

    fp = fakephones_create();
    d = phone_devices(fp, 60000);
    m = media_on(d, 1);
    const struct fakephone hd2 = desc_of(ph, "STUCK", false, 0);
    const int h2 = fakephone_plug(fp, &hd2);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "stuck phone");
    f = media_folder_open(m, "test:STUCK/DCIM/Camera", 0, &err);
    REQUIRE(f, "camera");
    CHECK(settled(m, f), "listed and checked");
    struct media_entry e;
    REQUIRE(find(f, "IMG_20240101_000001.jpg", &e) == 0, "a photo");
    fakephone_set(fp, h2, FAKEPHONE_HANG);
    media_thumbs_want(m, f, &e.id, 1);
    struct media_stats st;
    const double wend = now_s() + 30;
    do {
        notify_wait(2);
        media_get_stats(m, &st);
    } while (st.running == 0 && now_s() < wend);
    CHECK(st.running == 1, "a thumbnail waits for the phone");
    media_wipe(m); /* would wait up to the 60 s timeout if it waited for it */
    media_get_stats(m, &st);
    CHECK(st.running == 1, "media_wipe() returned while the phone still hangs");
    CHECK(media_events(m) == 0 && media_folder_count(f) == 0, "wiped");
    fakephone_set(fp, h2, FAKEPHONE_READY);
    const double rend = now_s() + 30;
    do {
        notify_wait(2);
        media_get_stats(m, &st);
    } while (st.running > 0 && now_s() < rend);
    CHECK(st.running == 0 && st.cache_items == 0 && st.cache_bytes == 0, "the stuck job dropped its work");
    notify_wait(20);
    CHECK(media_events(m) == 0, "no event of the wiped session");
    media_folder_close(f);
    media_destroy(m);
    fakephone_unplug(fp, h2);
    devices_destroy(d);
    fakephones_destroy(fp);
}

/* ---- the same gallery on a memory card ---- */

static void test_volume(const struct phone *ph)
{
    /* The phone's two storages as two mounted volumes, and a link on the
     * first one to its camera folder, which the gallery must not walk twice. */
    char root[1100], link[1200];
    snprintf(root, sizeof(root), "%s/phone", tmp);
    snprintf(link, sizeof(link), "%s/Pictures/camera-link", ph->internal);
    REQUIRE(symlink("../DCIM/Camera", link) == 0, "symlink");
    struct device_options o;
    device_options_default(&o);
    o.media_root = root;
    o.mode = DEVICE_ROOT_DIRS;
    struct device_error derr;
    struct devices *d = devices_create(&o, &derr);
    REQUIRE(d, "devices_create: %s", derr.detail);
    struct media *m = media_on(d, 2);
    struct media_error err;
    struct media_folder *g = media_gallery_open(m, ph->internal, 0, &err);
    REQUIRE(g, "a volume's gallery: %s", err.detail);
    CHECK(listed(m, g) && media_folder_error(g) == MEDIA_OK, "listed: %d", media_folder_error(g));
    media_folder_update(g);
    struct media_album_info al[MEDIA_ALBUM_COUNT];
    media_gallery_albums(g, al);
    /* The card's camera photo and old WhatsApp picture are on the other volume. */
    CHECK(al[MEDIA_ALBUM_CAMERA].photos == ph->photos[MEDIA_ALBUM_CAMERA] - 1 &&
              al[MEDIA_ALBUM_CAMERA].videos == ph->videos[MEDIA_ALBUM_CAMERA] &&
              al[MEDIA_ALBUM_WHATSAPP_IMAGES].photos == ph->photos[MEDIA_ALBUM_WHATSAPP_IMAGES] - 1 &&
              al[MEDIA_ALBUM_SCREENSHOTS].photos == ph->photos[MEDIA_ALBUM_SCREENSHOTS],
          "albums on the volume: camera %zu, WhatsApp %zu", al[MEDIA_ALBUM_CAMERA].photos,
          al[MEDIA_ALBUM_WHATSAPP_IMAGES].photos);
    CHECK(media_folder_count(g) == ph->total - 2, "%zu entries, want %zu (the link not followed)",
          media_folder_count(g), ph->total - 2);
    struct media_entry e;
    CHECK(media_folder_entry(g, 0, &e) == 0 && !strncmp(e.path, ph->internal, strlen(ph->internal)),
          "plain paths on a volume: %s", e.path);
    media_folder_close(g);
    media_destroy(m);
    devices_destroy(d);
    unlink(link);
}

/* ---- wipe ---- */

static atomic_long hook_dirty, hook_calls;
static void free_hook(const void *p, size_t n)
{
    atomic_fetch_add(&hook_calls, 1);
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) {
            atomic_fetch_add(&hook_dirty, 1);
            return;
        }
}

static void test_wipe(const struct phone *ph)
{
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices(fp, 20000);
    const struct fakephone desc = desc_of(ph, "WIPE", true, 0);
    fakephone_plug(fp, &desc);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "opened");
    struct media *m = media_on(d, 2);
    struct media_error err;
    struct media_folder *g = media_gallery_open(m, "test:WIPE", 0, &err);
    REQUIRE(g, "gallery");
    CHECK(listed(m, g), "listed");
    media_folder_update(g);
    uint32_t ids[8];
    size_t n = 0;
    struct media_entry e;
    for (; n < 8 && media_folder_entry(g, n, &e) == 0; n++)
        ids[n] = e.id;
    media_thumbs_want(m, g, ids, n);
    const double end = now_s() + 30;
    struct media_thumb_info ti;
    for (size_t k = 0; k < n && now_s() < end;) {
        media_thumb_get(m, g, ids[k], &ti);
        if (ti.state == MEDIA_THUMB_READY || ti.state == MEDIA_THUMB_FAILED)
            k++;
        else
            notify_wait(2);
    }
    REQUIRE(media_folder_entry(g, 0, &e) == 0, "entry");
    const char *name = e.name, *path = e.path;
    /* A second gallery still being gathered when the session ends. */
    struct media_folder *g2 = media_gallery_open(m, "test:WIPE", 0, &err);
    REQUIRE(g2, "second gallery");
    atomic_store(&hook_dirty, 0);
    atomic_store(&hook_calls, 0);
    media_free_hook = free_hook;
    media_wipe(m);
    CHECK(name[0] == 0 && path[0] == 0, "names erased in place");
    CHECK(media_folder_count(g) == 0 && media_folder_entry_by_id(g, ids[0], &e) != 0 &&
              !media_folder_listing(g2) && media_folder_count(g2) == 0,
          "both empty");
    struct media_stats st;
    media_get_stats(m, &st);
    CHECK(st.cache_items == 0 && st.cache_bytes == 0 && st.listing == 0, "nothing cached or listing");
    struct media_album_info al[MEDIA_ALBUM_COUNT];
    media_gallery_albums(g, al);
    CHECK(al[MEDIA_ALBUM_CAMERA].photos == 0, "no albums");
    media_folder_close(g);
    media_folder_close(g2);
    devices_wipe(d);
    media_free_hook = NULL;
    CHECK(atomic_load(&hook_calls) > 0 && atomic_load(&hook_dirty) == 0, "%ld of %ld buffers freed unwiped",
          atomic_load(&hook_dirty), atomic_load(&hook_calls));
    media_destroy(m);
    devices_destroy(d);
    fakephones_destroy(fp);
}

int main(void)
{
    const char *t = make_tmpdir("gallery");
    REQUIRE(t, "tmpdir");
    snprintf(tmp, sizeof(tmp), "%s", t);
    test_albums();
    struct phone ph;
    make_phone(&ph, 24);
    test_gallery(&ph);
    test_folders(&ph);
    test_states(&ph);
    test_wipe(&ph);
    test_volume(&ph);
    rm_rf(tmp);
    return check_exit();
}
