/* Browsing a mounted volume through the device layer: a phone-like volume
 * made at test time (a DCIM/Camera folder of 3 000 small photos and videos
 * with shuffled dates, files whose names lie, hidden and system folders,
 * Android/data, links inside and off the volume, a name that is not UTF-8).
 * Checks the order (folders first; newest first; natural name order),
 * filters and counts, the content checks that correct the names' guesses,
 * links refused off the volume, hidden folders, folders by device path and
 * their parents, and that nothing on the volume changed (not even access
 * times). Phones are test_media_gallery's. */
#include "check.h"
#include "device.h"
#include "media.h"
#include "mediagen.h"
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { N_CAMERA = 3000 };

static const uint8_t MP4_HEAD[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                   0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'};

/* Applies content checks until none is pending (up to 60 s). */
static bool settle(struct media *m, struct media_folder *f)
{
    const double end = now_s() + 60;
    while (now_s() < end) {
        if (media_events(m) & MEDIA_EV_FOLDER)
            media_folder_update(f);
        struct media_counts c;
        media_folder_counts(f, &c);
        if (c.checking == 0)
            return true;
        notify_wait(20);
    }
    return false;
}

static void put(const char *vol, const char *rel, const void *data, size_t len, time_t mtime)
{
    char p[2048];
    snprintf(p, sizeof(p), "%s/%s", vol, rel);
    REQUIRE(gen_write(p, data, len) == 0, "write %s", rel);
    if (mtime) {
        struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
        REQUIRE(utimensat(AT_FDCWD, p, ts, 0) == 0, "utimensat");
    }
}

static void dir(const char *vol, const char *rel)
{
    char p[2048];
    snprintf(p, sizeof(p), "%s/%s", vol, rel);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir %s", rel);
}

static void link_to(const char *vol, const char *rel, const char *target)
{
    char p[2048];
    snprintf(p, sizeof(p), "%s/%s", vol, rel);
    REQUIRE(symlink(target, p) == 0, "symlink %s", rel);
}

/* Everything about the tree that looking must not change. */
struct snap {
    char *text;
    size_t len, cap;
};

static void snap_add(struct snap *s, const char *line)
{
    size_t n = strlen(line);
    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->text = realloc(s->text, s->cap);
    }
    memcpy(s->text + s->len, line, n + 1);
    s->len += n;
}

static void snapshot(const char *path, struct snap *s)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[2048], line[2400];
        snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        /* A link's own access time is left out: following a link sets it on a
         * writable mount (there is no O_NOATIME for links); the kiosk mounts
         * volumes read-only, where it does not change. */
        const bool lnk = S_ISLNK(st.st_mode);
        snprintf(line, sizeof(line), "%s %o %lld %lld.%09ld %lld.%09ld\n", p, st.st_mode,
                 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                 lnk ? 0LL : (long long)st.st_atim.tv_sec, lnk ? 0L : st.st_atim.tv_nsec);
        snap_add(s, line);
        if (S_ISDIR(st.st_mode))
            snapshot(p, s);
    }
    closedir(d);
}

static bool has_name(struct media_folder *f, const char *name)
{
    struct media_entry e;
    for (size_t i = 0; media_folder_entry(f, i, &e) == 0; i++)
        if (!strcmp(e.name, name))
            return true;
    return false;
}

static const struct media_entry *get(struct media_folder *f, const char *name, struct media_entry *e)
{
    for (size_t i = 0; media_folder_entry(f, i, e) == 0; i++)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}

int main(void)
{
    const char *t = make_tmpdir("browse");
    REQUIRE(t, "tmpdir");
    char tmp[512], vol[1024], outside[1024];
    snprintf(tmp, sizeof(tmp), "%s", t);
    snprintf(vol, sizeof(vol), "%s/vol", tmp);
    snprintf(outside, sizeof(outside), "%s/outside", tmp);
    dir(tmp, "vol");
    dir(tmp, "outside");
    put(tmp, "outside/secret.jpg", "\xff\xd8\xff", 3, 0);

    size_t jlen;
    uint8_t *jpeg = gen_jpeg(16, 12, gen_gradient, 0, 80, &jlen);
    REQUIRE(jpeg, "jpeg");
    dir(vol, "DCIM/Camera/Burst");
    dir(vol, "DCIM/.thumbnails");
    dir(vol, "DCIM/Camera/.trash");
    dir(vol, "Android/data/com.app");
    dir(vol, "Android/obb");
    dir(vol, "Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images");
    dir(vol, "LOST.DIR");
    dir(vol, "System Volume Information");
    dir(vol, "Pictures");
    put(vol, "Pictures/p.jpg", jpeg, jlen, 1700000000);
    put(vol, "DCIM/.thumbnails/t.jpg", jpeg, jlen, 0);

    /* 3 000 files with dates shuffled against the names: every 10th a video. */
    const time_t base = 1600000000;
    size_t photos = 0, videos = 0;
    for (int i = 0; i < N_CAMERA; i++) {
        char rel[256];
        const int date_rank = (i * 1237) % N_CAMERA; /* a permutation: 1237 is prime to 3000 */
        const bool video = i % 10 == 7;
        snprintf(rel, sizeof(rel), "DCIM/Camera/%s_%d.%s", video ? "VID" : "IMG", i, video ? "mp4" : "jpg");
        if (video)
            put(vol, rel, MP4_HEAD, sizeof(MP4_HEAD), base + date_rank * 60);
        else
            put(vol, rel, jpeg, jlen, base + date_rank * 60);
        video ? videos++ : photos++;
    }
    /* Names that lie; content decides. */
    put(vol, "DCIM/Camera/fake.jpg", MP4_HEAD, sizeof(MP4_HEAD), base - 10);    /* a video */
    put(vol, "DCIM/Camera/noext", jpeg, jlen, base - 20);                       /* a photo */
    put(vol, "DCIM/Camera/lie.png", "just some text, not a picture\n", 31, base - 30); /* neither */
    put(vol, "DCIM/Camera/notes.txt", "hello\n", 6, base - 40);                 /* neither */
    put(vol, "DCIM/Camera/empty.jpg", "", 0, base - 50);                        /* nothing */
    put(vol, "DCIM/Camera/.trashed-1700000000-IMG_1.jpg", jpeg, jlen, base);    /* hidden */
    put(vol, "DCIM/Camera/bad\xff\xfename.jpg", jpeg, jlen, base - 60);         /* not UTF-8 */
    /* Links: inside the volume (followed), off it (refused). */
    link_to(vol, "DCIM/Camera/inside.jpg", "../../Pictures/p.jpg");
    link_to(vol, "DCIM/Camera/pics", "../../Pictures");
    link_to(vol, "DCIM/Camera/escape.jpg", "../../../outside/secret.jpg");
    link_to(vol, "DCIM/Camera/etc", "/etc");
    link_to(vol, "DCIM/Camera/abs.jpg", outside);
    link_to(vol, "DCIM/Camera/dangling.jpg", "nowhere.jpg");
    link_to(vol, "DCIM/Camera/loop", "loop");
    link_to(vol, "DCIM/Camera/top", "../..");
    free(jpeg);

    struct snap warm = {0}, before = {0}, after = {0};
    snapshot(vol, &warm); /* our own first look sets the folders' access times (relatime) */
    free(warm.text);
    snapshot(vol, &before);

    struct device_options dopt;
    device_options_default(&dopt);
    dopt.media_root = tmp;
    dopt.mode = DEVICE_ROOT_DIRS;
    struct device_error derr;
    struct devices *d = devices_create(&dopt, &derr);
    REQUIRE(d, "devices_create: %s", derr.detail);
    struct media_options o;
    media_options_default(&o);
    o.devices = d;
    o.notify = notify_waiter;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    o.devices = NULL;
    CHECK(!media_create(&o, &err) && err.code == MEDIA_ERR_INVALID, "no device layer: refused");
    char p[2048];
#define AT(rel) (snprintf(p, sizeof(p), "%s/%s", vol, rel), p)

    /* ---- the camera folder ---- */
    media_pause(m, true); /* first look at the names' guesses alone */
    const double t0 = now_s();
    struct media_folder *f = media_folder_open(m, AT("DCIM/Camera"), 0, &err);
    const double t1 = now_s();
    REQUIRE(f, "open DCIM/Camera: %s", err.detail);
    fprintf(stderr, "listed %zu entries in %.1f ms\n", media_folder_count(f), (t1 - t0) * 1e3);
    CHECK(!strcmp(media_folder_rel(f), "DCIM/Camera"), "rel");
    CHECK(!strcmp(media_folder_path(f), AT("DCIM/Camera")), "path");
    CHECK(media_folder_parent(f) && !strcmp(media_folder_parent(f), AT("DCIM")), "parent");
    CHECK(!media_folder_listing(f) && media_folder_error(f) == MEDIA_OK, "a volume's folder is listed at once");

    struct media_counts c;
    media_folder_counts(f, &c);
    /* Guessed by name: 2700 photos + noext? no (unknown) + lie.png + bad name + inside.jpg; fake.jpg */
    CHECK(c.folders == 2, "Burst and the pics link: %zu", c.folders);
    CHECK(c.photos == photos + 4, "photos by name: %zu (want %zu)", c.photos, photos + 4);
    CHECK(c.videos == videos, "videos by name: %zu", c.videos);
    CHECK(c.checking >= photos + videos, "checking %zu", c.checking);
    /* .trash, .trashed-*, escape.jpg, etc, abs.jpg, dangling.jpg, loop, top */
    CHECK(c.hidden == 8, "hidden/refused %zu", c.hidden);

    struct media_entry e, prev;
    REQUIRE(media_folder_entry(f, 0, &e) == 0, "entry 0");
    CHECK(e.kind == MEDIA_KIND_FOLDER && !strcmp(e.name, "Burst"), "folders first, by name: %s", e.name);
    REQUIRE(media_folder_entry(f, 1, &e) == 0, "entry 1");
    CHECK(e.kind == MEDIA_KIND_FOLDER && !strcmp(e.name, "pics") && !strcmp(e.path, AT("Pictures")),
          "a link to a folder on the volume: %s -> %s", e.name, e.path);
    bool date_order = true;
    for (size_t i = 2; media_folder_entry(f, i, &e) == 0; i++) {
        if (i > 2 && e.mtime > prev.mtime)
            date_order = false;
        prev = e;
        prev.name = NULL;
    }
    CHECK(date_order, "newest first");
    REQUIRE(media_folder_entry(f, 2, &e) == 0, "entry 2");
    CHECK(e.mtime == base + (N_CAMERA - 1) * 60 || e.mtime == 1700000000, "newest at the top: %lld",
          (long long)e.mtime);
    CHECK(!has_name(f, "notes.txt") && !has_name(f, "noext") && !has_name(f, "empty.jpg"),
          "unknown types wait for their content check; empty files are left out");
    CHECK(!has_name(f, "escape.jpg") && !has_name(f, "etc") && !has_name(f, "abs.jpg") &&
              !has_name(f, "dangling.jpg") && !has_name(f, "loop") && !has_name(f, "top"),
          "links off the volume are refused");
    const struct media_entry *in = get(f, "inside.jpg", &e);
    CHECK(in && !strcmp(in->path, AT("Pictures/p.jpg")), "a link on the volume opens its target");
    CHECK(get(f, "bad\xef\xbf\xbd\xef\xbf\xbdname.jpg", &e) != NULL, "bad bytes shown as U+FFFD");
    if (get(f, "bad\xef\xbf\xbd\xef\xbf\xbdname.jpg", &e))
        CHECK(strstr(e.path, "bad\xff\xfename.jpg") != NULL, "the path keeps the real bytes");

    /* Name order: natural (IMG_9 before IMG_10). */
    media_folder_view(f, MEDIA_SORT_NAME, MEDIA_FILTER_PHOTOS);
    bool natural = true, only_photos = true;
    int last = -1;
    for (size_t i = 0; media_folder_entry(f, i, &e) == 0; i++) {
        if (e.kind == MEDIA_KIND_FOLDER)
            continue;
        if (e.kind != MEDIA_KIND_PHOTO)
            only_photos = false;
        int n;
        if (sscanf(e.name, "IMG_%d.jpg", &n) == 1) {
            if (n < last)
                natural = false;
            last = n;
        }
    }
    CHECK(natural, "IMG_9 before IMG_10");
    CHECK(only_photos, "photo filter");
    CHECK(media_folder_count(f) == 2 + photos + 4, "photo view size %zu", media_folder_count(f));
    media_folder_view(f, MEDIA_SORT_DATE, MEDIA_FILTER_VIDEOS);
    CHECK(media_folder_count(f) == 2 + videos, "video view size %zu", media_folder_count(f));

    /* ---- content checks ---- */
    media_pause(m, false);
    const double t2 = now_s();
    CHECK(settle(m, f), "content checks did not finish");
    fprintf(stderr, "checked %zu files by content in %.1f ms\n", photos + videos + 7, (now_s() - t2) * 1e3);
    media_folder_counts(f, &c);
    CHECK(c.checking == 0, "nothing left to check");
    CHECK(c.photos == photos + 3, "photos by content: %zu (want %zu: + noext, bad name, inside)",
          c.photos, photos + 3);
    CHECK(c.videos == videos + 1, "videos by content: %zu (want %zu: + fake.jpg)", c.videos, videos + 1);
    CHECK(c.photo_bytes > 0 && c.video_bytes == (videos + 1) * sizeof(MP4_HEAD), "bytes");
    CHECK(has_name(f, "fake.jpg"), "fake.jpg is in the video view");
    CHECK(get(f, "fake.jpg", &e) && e.kind == MEDIA_KIND_VIDEO && e.confirmed, "fake.jpg is a video");
    media_folder_view(f, MEDIA_SORT_DATE, MEDIA_FILTER_ALL);
    CHECK(media_folder_count(f) == 2 + c.photos + c.videos, "all = folders + photos + videos");
    CHECK(get(f, "noext", &e) && e.kind == MEDIA_KIND_PHOTO && e.confirmed, "noext is a photo");
    CHECK(!has_name(f, "lie.png") && !has_name(f, "notes.txt"), "not media: gone from the view");
    bool all_confirmed = true;
    for (size_t i = 0; media_folder_entry(f, i, &e) == 0; i++)
        all_confirmed &= e.confirmed;
    CHECK(all_confirmed, "every entry confirmed");
    struct media_entry byid;
    CHECK(get(f, "noext", &e) && media_folder_entry_by_id(f, e.id, &byid) == 0 &&
              !strcmp(byid.name, "noext"), "entries by id");
    media_folder_close(f);

    /* ---- other folders ---- */
    f = media_folder_open(m, vol, 0, &err);
    REQUIRE(f, "open top: %s", err.detail);
    CHECK(has_name(f, "DCIM") && has_name(f, "Android") && has_name(f, "Pictures") &&
              !has_name(f, "LOST.DIR") && !has_name(f, "System Volume Information"),
          "top: system folders hidden");
    CHECK(!media_folder_parent(f) && !strcmp(media_folder_rel(f), ""), "the volume's top: no way up");
    media_folder_close(f);
    f = media_folder_open(m, AT("DCIM"), 0, &err);
    REQUIRE(f, "open DCIM");
    CHECK(has_name(f, "Camera") && !has_name(f, ".thumbnails"), ".thumbnails hidden");
    CHECK(media_folder_parent(f) && !strcmp(media_folder_parent(f), vol), "DCIM's parent is the top");
    media_folder_close(f);
    f = media_folder_open(m, AT("DCIM"), MEDIA_SHOW_HIDDEN, &err);
    REQUIRE(f, "open DCIM, hidden too");
    CHECK(has_name(f, ".thumbnails"), "shown on request");
    media_folder_close(f);
    f = media_folder_open(m, AT("Android"), 0, &err);
    REQUIRE(f, "open Android");
    CHECK(has_name(f, "media") && !has_name(f, "data") && !has_name(f, "obb"),
          "Android/media shown, data and obb hidden");
    media_folder_close(f);
    f = media_folder_open(m, AT("/Android//media/./com.whatsapp/"), 0, &err);
    CHECK(f && !strcmp(media_folder_rel(f), "Android/media/com.whatsapp") &&
              !strcmp(media_folder_path(f), AT("Android/media/com.whatsapp")),
          "path normalised");
    media_folder_close(f);

    /* ---- refused ---- */
    CHECK(!media_folder_open(m, AT(".."), 0, &err) && err.code == MEDIA_ERR_OUTSIDE, ".. refused");
    CHECK(!media_folder_open(m, AT("DCIM/../../outside"), 0, &err) && err.code == MEDIA_ERR_OUTSIDE,
          "../ refused");
    CHECK(!media_folder_open(m, AT("DCIM/Camera/etc"), 0, &err) && err.code == MEDIA_ERR_OUTSIDE,
          "a link off the volume refused: %d", err.code);
    CHECK(!media_folder_open(m, AT("DCIM/Camera/pics"), 0, &err) && err.code == MEDIA_ERR_OUTSIDE,
          "links are never followed by path (their entry's path is used)");
    CHECK(!media_folder_open(m, AT("nope"), 0, &err) && err.code == MEDIA_ERR_NOT_FOUND, "missing");
    CHECK(!media_folder_open(m, AT("Pictures/p.jpg"), 0, &err) && err.code == MEDIA_ERR_NOT_FOUND,
          "a file is not a folder: %d", err.code);
    CHECK(!media_folder_open(m, NULL, 0, &err) && err.code == MEDIA_ERR_INVALID, "no path");
    CHECK(!media_folder_open(m, "DCIM", 0, &err) && err.code == MEDIA_ERR_INVALID, "not a device path");
    CHECK(!media_folder_open(m, "/nowhere/at/all", 0, &err) && err.code == MEDIA_ERR_GONE,
          "not on a device");

    /* Pulled out before the content checks: they end (nothing left
     * "checking"), the names' guesses stand, unconfirmed. */
    char vol2[1100], away[1200];
    snprintf(vol2, sizeof(vol2), "%s/stick", tmp);
    snprintf(away, sizeof(away), "%s/stick-away", tmp);
    dir(tmp, "stick");
    size_t j2len;
    uint8_t *j2 = gen_jpeg(8, 8, gen_gradient, 0, 80, &j2len);
    put(vol2, "a.jpg", j2, j2len, 0);
    put(vol2, "b.jpg", j2, j2len, 0);
    put(vol2, "c.mp4", MP4_HEAD, sizeof(MP4_HEAD), 0);
    free(j2);
    devices_rescan(d);
    media_pause(m, true);
    f = media_folder_open(m, vol2, 0, &err);
    REQUIRE(f, "open stick");
    REQUIRE(rename(vol2, away) == 0, "pull the stick out");
    media_pause(m, false);
    CHECK(settle(m, f), "checks end when the device is gone");
    media_folder_counts(f, &c);
    CHECK(c.checking == 0 && c.photos == 2 && c.videos == 1, "guesses stand: %zu checking, %zu photos, %zu videos",
          c.checking, c.photos, c.videos);
    CHECK(media_folder_entry(f, 0, &e) == 0 && !e.confirmed, "unconfirmed");
    media_folder_close(f);

    media_destroy(m);
    devices_destroy(d);
    snapshot(vol, &after);
    CHECK(before.len == after.len && !memcmp(before.text, after.text, before.len),
          "the volume changed (names, sizes, times or access times)");
    if (before.len != after.len || memcmp(before.text, after.text, before.len)) {
        gen_write("/tmp/hifazat-browse-before.txt", before.text, before.len);
        gen_write("/tmp/hifazat-browse-after.txt", after.text, after.len);
    }
    free(before.text);
    free(after.text);
    rm_rf(tmp);
    return check_exit();
}
