/* media — what the kiosk's "Connect your device" and "Choose" screens show:
 * removable volumes under a media root, folder listings, thumbnails.
 *
 * Read-only, always: nothing is ever mounted, written or created on a
 * volume; files and folders are opened O_RDONLY (O_NOATIME where allowed)
 * and closed again at once, so a device can be pulled out at any moment.
 * File names and pixels live only in memory, never on disk, and
 * media_wipe() erases them. No SDL here: worker threads call one callback
 * and the app wakes its main loop with it.
 *
 * Usage:
 *   1. struct media_options o; media_options_default(&o); set o.root (the
 *      media root, "/media" on the USB image) and o.notify / o.notify_ctx
 *      (e.g. a function calling app_wake()); m = media_create(&o, &err).
 *      A watcher thread and o.workers decoder threads start.
 *   2. notify(ctx) runs on one of media's threads (the volume watcher or a
 *      decoder, never the caller's) when something changed; it must only
 *      wake the main loop (SDL_PushEvent and app_wake are safe there). There, media_events(m) returns the MEDIA_EV_*
 *      bits since the last call. notify() fires once, then not again until
 *      media_events() has been called.
 *   3. "Connect your device": vl = media_volumes(m) is a snapshot you own
 *      (labels, sizes, read-only flag); on MEDIA_EV_VOLUMES take a new one and
 *      media_volume_list_free() the old. When the volume in use is no longer
 *      in the list (compare ids), it was pulled out: say so and go back. Until
 *      then nothing breaks: later reads just fail with MEDIA_ERR_GONE.
 *   4. "Choose": f = media_folder_open(m, vol->path, "", 0, &err) lists the
 *      volume's top folder; a subfolder is media_folder_open(m, vol->path,
 *      entry.rel, ...); media_folder_rel(f) is where you are (up: drop the
 *      last "/part"). media_folder_view(f, sort, filter) picks the order
 *      (newest first, or by name) and the filter; media_folder_count(f) and
 *      media_folder_entry(f, i, &e) read the view: folders first, then photos
 *      and videos. media_folder_counts() gives the numbers for the filter
 *      tabs and "select all" (select every entry of the view; use e.path as
 *      the selection's key, it is what hash_file() opens).
 *   5. Types first come from file names, then are checked by content in the
 *      background: on MEDIA_EV_FOLDER call media_folder_update(f); true means
 *      the view changed (read it again; ids stay the same, indexes may not).
 *   6. Thumbnails: whenever the visible cells change, media_thumbs_want(m, f,
 *      ids, n) with the visible ids first, then a few just off screen; work for
 *      anything no longer listed is cancelled. On MEDIA_EV_THUMBS, for each
 *      visible cell media_thumb_get(m, f, id, &info); when info.state is
 *      MEDIA_THUMB_READY and info.width > 0, media_thumb_copy() writes the
 *      pixels (blurred, or sharp while the person presses and holds) straight
 *      into a locked SDL_PIXELFORMAT_RGBA32 texture of info.width x height.
 *      READY with width 0 is a video without a poster frame: draw the video
 *      placeholder with info.duration_ms. FAILED has a reason in info.err.
 *   7. media_folder_close(f) when leaving the folder (wipes its names).
 *   8. media_wipe(m) when the session ends (finish, quick exit, idle timeout):
 *      stops all work and erases every thumbnail and name; folders still open
 *      become empty (close them anyway). media_pause() holds the workers, e.g.
 *      while fingerprinting runs.
 *   9. media_destroy(m) (wipes too; accepts NULL). Close folders first; one
 *      left open is empty and still needs media_folder_close().
 *
 * Threads: every media_* function may be called from any thread; a
 * media_folder is used by one thread at a time (the UI's) and changes only in
 * media_folder_view/update(). Strings an entry points to stay valid until
 * media_folder_close() (after media_wipe() they read as empty).
 */
#ifndef HIFAZAT_MEDIA_H
#define HIFAZAT_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum media_err {
    MEDIA_OK = 0,
    MEDIA_ERR_NOT_FOUND,   /* no such folder or file */
    MEDIA_ERR_ACCESS,      /* permission denied */
    MEDIA_ERR_OUTSIDE,     /* a link that leads off the volume: refused */
    MEDIA_ERR_GONE,        /* the device was removed (or fails: EIO) */
    MEDIA_ERR_NOT_MEDIA,   /* by content, not a photo or video */
    MEDIA_ERR_CORRUPT,     /* damaged or incomplete */
    MEDIA_ERR_UNSUPPORTED, /* a kind of photo or video we cannot show */
    MEDIA_ERR_TOO_LARGE,
    MEDIA_ERR_NOMEM,
    MEDIA_ERR_INVALID,     /* bad argument (a developer's mistake) */
    MEDIA_ERR_COUNT
};

struct media_error {
    enum media_err code;
    char detail[160]; /* for developers; never contains a file name */
};

/* An English sentence for a code (logs, the CLI); the UI has its own Urdu. */
const char *media_err_message(enum media_err e);

/* ---- the context ---- */

enum media_root_mode {
    MEDIA_ROOT_MOUNTS, /* volumes are mount points under the root, 1 or 2 levels down */
    MEDIA_ROOT_DIRS,   /* every folder right under the root is a volume (demo, fixtures) */
};

struct media_options {
    const char *root;          /* the media root, e.g. "/media" (copied) */
    enum media_root_mode mode; /* default MEDIA_ROOT_MOUNTS */
    const char *mountinfo;     /* default "/proc/self/mountinfo"; tests inject a file */
    const char *by_label;      /* default "/dev/disk/by-label" (volume labels) */
    int rescan_ms;             /* safety-net rescan of the volumes (default 2000) */
    int workers;               /* decoder threads (default 2) */
    int thumb_size;            /* thumbnails fit thumb_size x thumb_size (default 192) */
    size_t cache_bytes;        /* thumbnail cache budget (default 32 MiB; at least
                                  16 thumbnails' worth) */
    void (*notify)(void *ctx); /* on a worker thread; may be NULL */
    void *notify_ctx;
};

void media_options_default(struct media_options *o);

struct media;
/* NULL with *err set (e.g. MEDIA_ERR_INVALID for a bad option). */
struct media *media_create(const struct media_options *o, struct media_error *err);
void media_destroy(struct media *m);

enum {
    MEDIA_EV_VOLUMES = 1u << 0, /* the volume list changed */
    MEDIA_EV_FOLDER = 1u << 1,  /* an open folder has news: media_folder_update() */
    MEDIA_EV_THUMBS = 1u << 2,  /* thumbnails became ready or failed */
};
unsigned media_events(struct media *m);

/* Holds (true) or resumes the decoder threads; a running decode finishes. */
void media_pause(struct media *m, bool paused);
/* Ends the session's traces: cancels all work, waits for running decodes to
 * stop, erases every thumbnail and file name in memory. */
void media_wipe(struct media *m);

/* ---- volumes ---- */

struct media_volume {
    uint64_t id;            /* stable while it stays mounted */
    const char *path;       /* the mount point: for media_folder_open() */
    const char *label;      /* filesystem label, else the folder's name; UTF-8 */
    uint64_t total_bytes, free_bytes;
    bool read_only;         /* mounted read-only (nothing is written either way) */
};

struct media_volume_list {
    size_t count;
    struct media_volume *v; /* sorted by label */
};

/* A snapshot you own (NULL only when out of memory). */
struct media_volume_list *media_volumes(struct media *m);
void media_volume_list_free(struct media_volume_list *l);

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

/* media_folder_open() flag: list hidden and system folders too (.thumbnails,
 * .trash, Android/data, LOST.DIR...), which are left out by default. */
#define MEDIA_SHOW_HIDDEN 1u

struct media_entry {
    uint32_t id;          /* stable for this media_folder */
    enum media_kind kind;
    bool confirmed;       /* kind checked by content (else guessed from the name) */
    const char *name;     /* for display: UTF-8 (bad bytes shown as U+FFFD) */
    const char *path;     /* absolute, for hash_file() */
    const char *rel;      /* from the volume's top; folders: for media_folder_open() */
    uint64_t size;        /* bytes (files) */
    int64_t mtime;        /* seconds since 1970 */
};

struct media_counts {
    size_t folders, photos, videos; /* in this folder (any filter), as known now */
    size_t checking;                /* files whose type is still being checked */
    size_t hidden;                  /* entries left out (hidden/system folders, links off the volume) */
    uint64_t photo_bytes, video_bytes;
};

struct media_folder;
/* rel: "" for the volume's top. Links are followed only while they stay on
 * the volume. NULL with *err set. */
struct media_folder *media_folder_open(struct media *m, const char *volume_path, const char *rel,
                                       unsigned flags, struct media_error *err);
void media_folder_close(struct media_folder *f); /* accepts NULL */

const char *media_folder_rel(const struct media_folder *f);
void media_folder_view(struct media_folder *f, enum media_sort sort, enum media_filter filter);
bool media_folder_update(struct media_folder *f);
size_t media_folder_count(const struct media_folder *f);
/* The i-th entry of the view; 0 / -1 (out of range). */
int media_folder_entry(const struct media_folder *f, size_t i, struct media_entry *e);
/* By id (any entry, in the view or not); 0 / -1. */
int media_folder_entry_by_id(const struct media_folder *f, uint32_t id, struct media_entry *e);
void media_folder_counts(const struct media_folder *f, struct media_counts *c);

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
    enum media_kind kind;        /* by content, once read (0 before) */
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

/* ---- numbers for tests and benchmarks ---- */
struct media_stats {
    size_t cache_bytes, cache_peak, cache_items; /* pixels + bookkeeping, counted */
    uint64_t decoded, failed, cancelled, evicted, sniffed;
    uint64_t previews;   /* thumbnails taken from a JPEG's EXIF preview */
    uint64_t bytes_read; /* read for photo thumbnails (the device's cost) */
    int running;  /* decodes in progress */
    size_t queued;
};
void media_get_stats(struct media *m, struct media_stats *s);

#endif
