/* media — what the kiosk's "Choose" screen shows of a device: folder
 * listings, the gallery (a phone's photos and videos grouped into albums,
 * as its own gallery app shows them), thumbnails, and fingerprints read
 * straight from the device.
 *
 * Everything is read through the device layer (device.h): mounted cards
 * and sticks, phones by cable (MTP, PTP). Read-only, always: nothing is
 * ever written to a device, and nothing of it to any disk. File names and
 * pixels live only in memory and media_wipe() erases them. A phone answers
 * one request at a time and may stop answering: phone listings run on
 * media's own thread, never the caller's. No SDL here: media's threads call
 * one callback and the app wakes its main loop with it.
 *
 * Usage:
 *   1. struct media_options o; media_options_default(&o); set o.devices (the
 *      device layer, borrowed: it must outlive media) and o.notify /
 *      o.notify_ctx (e.g. a function calling app_wake()); m =
 *      media_create(&o, &err). A listing thread and o.workers decoder threads
 *      start. Which devices there are is the device layer's news
 *      (devices_list(), its own notify), not media's.
 *   2. notify(ctx) runs on one of media's threads (never the caller's) when
 *      something changed; it must only wake the main loop (SDL_PushEvent and
 *      app_wake are safe there). There, media_events(m) returns the
 *      MEDIA_EV_* bits since the last call. notify() fires once, then not
 *      again until media_events() has been called.
 *   3. "All folders": f = media_folder_open(m, path, 0, &err) for any device
 *      path (device.h): a device's top (info.root: a phone's lists its
 *      storages when it has more than one), a storage, any folder. A mounted
 *      volume's folder is listed before this returns; a phone's is listed on
 *      media's thread and its entries come in as they are read:
 *      media_folder_listing(f) is true until all are in, and
 *      media_folder_error(f) says why a listing stopped early
 *      (MEDIA_ERR_LOCKED, MEDIA_ERR_GONE, MEDIA_ERR_NOT_ANSWERING...; open
 *      it again once the device list changes). media_folder_parent(f) is the
 *      folder above (NULL at the device's top): open it to go up;
 *      media_folder_rel(f) where you are, for display.
 *   4. The gallery: g = media_gallery_open(m, info.root, 0, &err) is every
 *      photo and video of the device, both storages, gathered in the
 *      background (the likely places first: DCIM, Pictures, WhatsApp,
 *      Download, Telegram, then the rest; hidden and system folders left
 *      out). It is a media_folder without folders: everything below works on
 *      it, and each entry has its album (enum media_album; the names are the
 *      UI's to translate). media_gallery_albums(g, out) gives each album's
 *      counts and cover (its newest entry); media_gallery_album(g, album)
 *      shows one album, or MEDIA_ALBUM_ALL.
 *   5. Reading a folder or the gallery: media_folder_view(f, sort, filter)
 *      picks the order (newest first, or by name) and the filter;
 *      media_folder_count(f) and media_folder_entry(f, i, &e) read the view:
 *      folders first, then photos and videos (e.mtime for date headers).
 *      media_folder_counts() gives the numbers for the filter tabs and
 *      "select all" (select every entry of the view; e.path is the
 *      selection's key and what media_hash_file() reads).
 *   6. Entries come in (phones, the gallery), and their types are first
 *      guessed from names, then checked by content in the background: on
 *      MEDIA_EV_FOLDER call media_folder_update(f); true means the view
 *      changed (read it again; ids stay the same, indexes may not).
 *   7. Thumbnails: whenever the visible cells change, media_thumbs_want(m, f,
 *      ids, n) with the visible ids first, then a few just off screen; work for
 *      anything no longer listed is cancelled. On MEDIA_EV_THUMBS, for each
 *      visible cell media_thumb_get(m, f, id, &info); when info.state is
 *      MEDIA_THUMB_READY and info.width > 0, media_thumb_copy() writes the
 *      pixels (blurred, or sharp while the person presses and holds) straight
 *      into a locked SDL_PIXELFORMAT_RGBA32 texture of info.width x height.
 *      READY with width 0 is a video without a poster frame: draw the video
 *      placeholder with info.duration_ms. FAILED has a reason in info.err.
 *      A phone's own small preview is used where it offers one, else the
 *      EXIF preview in a JPEG's first bytes, else the whole file is read.
 *   8. Fingerprints: media_hash_file(devices, hash_ctx, e.path, &res) on a
 *      worker thread reads the file through the device layer into the hash
 *      engine (no copy anywhere); res.err is HASH_ERR_GONE when the device
 *      was unplugged mid-file.
 *   9. media_folder_close(f) when leaving the folder (wipes its names).
 *  10. media_wipe(m) when the session ends (finish, quick exit, idle timeout):
 *      stops all work and erases every thumbnail and name; folders still open
 *      become empty (close them anyway). A decode stuck waiting for a phone
 *      that stopped answering is not waited for: it drops what it holds when
 *      the device answers or times out. media_pause() holds the threads,
 *      e.g. while fingerprinting runs.
 *  11. media_destroy(m) (wipes too; accepts NULL) before the device layer.
 *      Close folders first; one left open is empty and still needs
 *      media_folder_close().
 *
 * Threads: every media_* function may be called from any thread; a
 * media_folder is used by one thread at a time (the UI's) and changes only in
 * media_folder_view/update() and media_gallery_album(). Strings an entry
 * points to stay valid until media_folder_close() (after media_wipe() they
 * read as empty).
 */
#ifndef HIFAZAT_MEDIA_H
#define HIFAZAT_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct devices;
struct hash_ctx;
struct hash_result;

enum media_err {
    MEDIA_OK = 0,
    MEDIA_ERR_NOT_FOUND,     /* no such folder or file */
    MEDIA_ERR_ACCESS,        /* permission denied */
    MEDIA_ERR_OUTSIDE,       /* a link that leads off the volume: refused */
    MEDIA_ERR_GONE,          /* the device was removed (or fails: EIO) */
    MEDIA_ERR_NOT_MEDIA,     /* by content, not a photo or video */
    MEDIA_ERR_CORRUPT,       /* damaged or incomplete */
    MEDIA_ERR_UNSUPPORTED,   /* a kind of photo or video we cannot show */
    MEDIA_ERR_TOO_LARGE,     /* a file too large to show; a gallery with too many files
                                (what is listed is kept) */
    MEDIA_ERR_NOMEM,
    MEDIA_ERR_INVALID,       /* bad argument (a developer's mistake) */
    MEDIA_ERR_LOCKED,        /* the phone is locked, has not trusted us, or offers no
                                file transfer */
    MEDIA_ERR_NOT_ANSWERING, /* the phone stopped answering */
    MEDIA_ERR_BUSY,          /* another program has the device open */
    MEDIA_ERR_COUNT
};

struct media_error {
    enum media_err code;
    char detail[160]; /* for developers; never contains a file name */
};


/* ---- the context ---- */

struct media_options {
    struct devices *devices;   /* what everything is read through (borrowed; required) */
    int workers;               /* decoder threads (default 2) */
    int thumb_size;            /* thumbnails fit thumb_size x thumb_size (default 192) */
    size_t cache_bytes;        /* thumbnail cache budget (default 32 MiB; at least
                                  16 thumbnails' worth) */
    void (*notify)(void *ctx); /* on one of media's threads; may be NULL */
    void *notify_ctx;
};

void media_options_default(struct media_options *o);

struct media;
/* NULL with *err set (e.g. MEDIA_ERR_INVALID for a bad option). */
struct media *media_create(const struct media_options *o, struct media_error *err);
void media_destroy(struct media *m);

enum {
    MEDIA_EV_FOLDER = 1u << 1, /* an open folder or gallery has news: media_folder_update() */
    MEDIA_EV_THUMBS = 1u << 2, /* thumbnails became ready or failed */
};
unsigned media_events(struct media *m);

/* Holds (true) or resumes media's threads; a running decode or listing
 * step finishes. */
void media_pause(struct media *m, bool paused);
/* Ends the session's traces: cancels all work, waits for running decodes to
 * stop (not for one stuck on a phone that stopped answering), erases every
 * thumbnail and file name in memory. */
void media_wipe(struct media *m);

/* ---- folders ---- */

enum media_kind {
    MEDIA_KIND_FOLDER = 1,
    MEDIA_KIND_PHOTO,
    MEDIA_KIND_VIDEO,
};

enum media_sort {
    MEDIA_SORT_DATE, /* newest first, as phone galleries do (default) */
    MEDIA_SORT_NAME, /* natural order: IMG_9 before IMG_10 */
};

enum media_filter {
    MEDIA_FILTER_ALL, /* photos and videos */
    MEDIA_FILTER_PHOTOS,
    MEDIA_FILTER_VIDEOS,
};

/* Albums as a phone's gallery groups pictures (the UI names them). */
enum media_album {
    MEDIA_ALBUM_CAMERA,          /* all of DCIM (Android's Camera, iPhone's 100APPLE...) */
    MEDIA_ALBUM_WHATSAPP_IMAGES, /* WhatsApp's and WhatsApp Business's images, sent ones too */
    MEDIA_ALBUM_WHATSAPP_VIDEO,  /* their videos (and animated GIFs, which are videos) */
    MEDIA_ALBUM_SCREENSHOTS,
    MEDIA_ALBUM_DOWNLOADS,
    MEDIA_ALBUM_TELEGRAM,
    MEDIA_ALBUM_OTHER,           /* everything else */
    MEDIA_ALBUM_COUNT,
    MEDIA_ALBUM_ALL = -1         /* media_gallery_album(): every album */
};

/* The album of a file, from its path below its storage's top ("DCIM/Camera/
 * IMG_1.jpg", "Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/
 * Sent/IMG-1.jpg"); letters' case does not matter. A pure function. */
enum media_album media_album_of(const char *rel);

/* media_folder_open()/media_gallery_open() flag: list hidden and system
 * folders too (.thumbnails, .trashed-*, Android/data, LOST.DIR...), which
 * are left out by default. */
#define MEDIA_SHOW_HIDDEN 1u

struct media_entry {
    uint32_t id;          /* stable for this media_folder */
    enum media_kind kind;
    bool confirmed;       /* kind checked by content (else guessed from the name) */
    bool storage;         /* a phone's storage (listed at the phone's top) */
    bool removable;       /* a storage that is a memory card */
    enum media_album album; /* gallery entries (MEDIA_ALBUM_OTHER in folders) */
    const char *name;     /* for display: UTF-8 (bad bytes shown as U+FFFD); a
                             storage's is the device's description ("SD card") */
    const char *path;     /* device path: media_folder_open() for folders; for files
                             media_hash_file(), and the selection's key */
    uint64_t size;        /* bytes (files) */
    int64_t mtime;        /* seconds since 1970 (0: unknown) */
};

struct media_counts {
    size_t folders, photos, videos; /* in this folder or the gallery's album shown (any
                                       filter), as known now */
    size_t checking;                /* files whose type is still being checked */
    size_t hidden;                  /* left out (hidden/system folders, links off the volume) */
    uint64_t photo_bytes, video_bytes;
};

struct media_folder;
/* Any device path (device.h). Links on a volume are followed only while they
 * stay on it. NULL with *err set: the device is not plugged in (GONE), the
 * path is not a folder (NOT_FOUND), "..", a bad path; a phone's folder
 * reports what goes wrong later, in media_folder_error(). */
struct media_folder *media_folder_open(struct media *m, const char *path, unsigned flags,
                                       struct media_error *err);
void media_folder_close(struct media_folder *f); /* accepts NULL */

/* The folder's device path (as opened, normalised). */
const char *media_folder_path(const struct media_folder *f);
/* The folder above it, or NULL at the device's top (and for a gallery). */
const char *media_folder_parent(const struct media_folder *f);
/* Where it is below the device's top, for display ("DCIM/Camera"; "" at the
 * top; on a phone with several storages the storage's name comes first:
 * "SD card/DCIM"). Clean UTF-8. */
const char *media_folder_rel(const struct media_folder *f);
/* True while entries are still coming in (as of the last update). */
bool media_folder_listing(const struct media_folder *f);
/* Why the listing ended early (MEDIA_OK when it did not); what was read
 * before stays listed. */
enum media_err media_folder_error(const struct media_folder *f);

void media_folder_view(struct media_folder *f, enum media_sort sort, enum media_filter filter);
bool media_folder_update(struct media_folder *f);
size_t media_folder_count(const struct media_folder *f);
/* The i-th entry of the view; 0 / -1 (out of range). */
int media_folder_entry(const struct media_folder *f, size_t i, struct media_entry *e);
/* By id (any entry, in the view or not); 0 / -1. */
int media_folder_entry_by_id(const struct media_folder *f, uint32_t id, struct media_entry *e);
void media_folder_counts(const struct media_folder *f, struct media_counts *c);

/* ---- the gallery ---- */

/* Every photo and video of a device (device_root: its info.root; a storage's
 * or a folder's path gathers from there down), listed in the background
 * breadth-first, likely places first, at most 24 folders deep and
 * MEDIA_GALLERY_MAX files (then media_folder_error() is
 * MEDIA_ERR_TOO_LARGE). Files are taken by their names (as a phone's gallery
 * does); links are not followed (what they lead to on the volume is found
 * where it is). NULL with *err as media_folder_open(). Close with
 * media_folder_close(). */
#define MEDIA_GALLERY_MAX 100000
struct media_folder *media_gallery_open(struct media *m, const char *device_root, unsigned flags,
                                        struct media_error *err);

#define MEDIA_NO_ENTRY UINT32_MAX

struct media_album_info {
    size_t photos, videos; /* as shown now (any filter) */
    uint32_t cover;        /* the newest entry's id, MEDIA_NO_ENTRY when empty */
    int64_t newest;        /* its mtime */
};
/* Per album, as of the last update (all zero for a folder). */
void media_gallery_albums(const struct media_folder *f, struct media_album_info out[MEDIA_ALBUM_COUNT]);
/* Shows one album (or MEDIA_ALBUM_ALL, the default) in the view and counts. */
void media_gallery_album(struct media_folder *f, int album);

/* ---- thumbnails ---- */

enum media_thumb_state {
    MEDIA_THUMB_NONE = 0, /* not asked for (or evicted): list it in media_thumbs_want() */
    MEDIA_THUMB_QUEUED,
    MEDIA_THUMB_LOADING,
    MEDIA_THUMB_READY,
    MEDIA_THUMB_FAILED,
};

struct media_thumb_info {
    enum media_thumb_state state;
    enum media_err err;          /* FAILED: why */
    enum media_kind kind;        /* by content, once read (0 before, and for a phone's
                                    own preview) */
    int width, height;           /* READY: pixel size; 0 x 0 for a video without a poster */
    int full_width, full_height; /* the photo or video frame as displayed (0 if unknown) */
    int64_t duration_ms;         /* videos; -1 when unknown */
};

/* The visible entries in priority order (then prefetch); replaces the
 * previous list. At most media_thumbs_max_want() are taken. n = 0 cancels
 * everything. Folder entries are skipped. */
void media_thumbs_want(struct media *m, struct media_folder *f, const uint32_t *ids, size_t n);
size_t media_thumbs_max_want(const struct media *m);
void media_thumb_get(struct media *m, struct media_folder *f, uint32_t id,
                     struct media_thumb_info *info);
/* Copies a READY thumbnail of exactly w x h into dst (pitch bytes a row),
 * blurred if asked. 0, or -1 when it is not (or no longer) there. */
int media_thumb_copy(struct media *m, struct media_folder *f, uint32_t id, bool blurred,
                     uint8_t *dst, size_t pitch, int w, int h);

/* Blurs RGBA pixels in place: three box passes each way (close to a
 * Gaussian, O(1) per pixel whatever the radius). radius <= 0: the strength
 * thumbnails use for that size (content unrecognisable, colours kept). */
void media_blur_rgba(uint8_t *px, int w, int h, size_t pitch, int radius);

/* ---- fingerprints ---- */

/* Fingerprints the file at a device path: its bytes go from the device
 * straight into the hash engine (hash_source_file(); nothing is copied to
 * any disk), with the results hash_file() gives for the same bytes. A read
 * the device fails ends the file with HASH_ERR_GONE (unplugged),
 * HASH_ERR_TIMEOUT (not answering) or HASH_ERR_READ; a file that cannot be
 * opened gets res->err as hash_file() would (HASH_ERR_NOT_FOUND,
 * HASH_ERR_ACCESS, HASH_ERR_GONE...). res is zeroed first. 0 / -1. */
int media_hash_file(struct devices *d, struct hash_ctx *hc, const char *path, struct hash_result *res);

/* ---- numbers for tests and benchmarks ---- */
struct media_stats {
    size_t cache_bytes, cache_peak, cache_items; /* pixels + bookkeeping, counted */
    uint64_t decoded;      /* thumbnails made (READY), whatever their source: */
    uint64_t from_device;  /*   the device's own preview (a phone's GetThumb) */
    uint64_t previews;     /*   a JPEG's EXIF preview, from the file's first bytes */
    uint64_t whole_files;  /*   a photo decoded from the whole file */
    uint64_t failed, cancelled, evicted, sniffed;
    uint64_t bytes_read;   /* read from files for thumbnails (the device's cost) */
    uint64_t device_thumb_bytes; /* the devices' own previews, bytes */
    uint64_t folders_listed; /* device folder listings made (folders, the gallery's walk) */
    int running;  /* decodes and content checks in progress */
    size_t queued;
    size_t listing; /* folders and galleries still listing */
};
void media_get_stats(struct media *m, struct media_stats *s);

#endif
