/* Shared by the media sources; not part of the public API. */
#ifndef HIFAZAT_MEDIA_INTERNAL_H
#define HIFAZAT_MEDIA_INTERNAL_H

#include "image.h"
#include "media.h"

#include "device.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

/* ---- memory that held names or pixels ---- */

/* explicit_bzero + free. Tests set media_free_hook to see every buffer just
 * before it is freed (it must be all zeros by then). */
void media_secure_free(void *p, size_t n);
void media_free_str(char *s);
extern void (*media_free_hook)(const void *p, size_t n);

/* ---- errors ---- */

enum media_err media_err_of_device(enum device_err e);
/* The errno a reader reports for a device's error (hash_source, FFmpeg):
 * GONE -> ENODEV, TIMEOUT -> ETIMEDOUT, NOMEM -> ENOMEM, ACCESS -> EACCES,
 * anything else EIO. */
int media_errno_of_device(enum device_err e);
enum media_err media_err_of_errno(int e);

/* ---- text ---- */

/* Natural order ("IMG_9" < "IMG_10"), ASCII case folded. */
int media_name_cmp(const char *a, const char *b);
uint64_t media_hash_str(const char *s);

/* ---- pixels ---- */

/* dst (dw x dh as displayed) from src (sw x sh as stored), both RGBA,
 * packed, for an EXIF orientation 1..8. */
void media_orient_rgba(const uint8_t *src, int sw, int sh, int orientation, uint8_t *dst);

/* ---- reading a file: from a device, or (tests, fuzzing) an fd ---- */

struct media_reader {
    uint64_t size;
    /* Up to n bytes at off: the count (fewer only at the end), or -1 with errno. */
    ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off);
    void *ctx;
};
/* A reader over pread() of fd. */
void media_reader_fd(struct media_reader *r, int *fd, uint64_t size);

/* ---- video posters (video.c) ---- */

struct poster {
    uint8_t *rgba;       /* NULL: no frame (a placeholder is shown) */
    int w, h;            /* as displayed */
    int full_w, full_h;  /* the video frame as displayed */
    int64_t duration_ms; /* -1 unknown */
};
/* 0 (poster may still lack pixels: codec not available, no frame) or -1
 * with *err (the container is not readable at all). cancelled() is polled. */
int media_video_poster(const struct media_reader *r, int box, int (*cancelled)(void *), void *ctx,
                       struct poster *out, enum media_err *err);

/* The same three in the decoding sandbox (sandboxed.c): what the gallery
 * uses. In this process only where hash_in_process says so (fuzzers and
 * the decoder itself). */
int media_sandbox_scaled(const uint8_t *data, size_t len, const struct image_scale *sc,
                         struct image_rgba *out, struct image_error *err);
int media_sandbox_preview(const uint8_t *head, size_t len, const struct image_scale *sc,
                          struct image_rgba *out, struct image_error *err);
int media_sandbox_poster(const struct media_reader *r, int box, int (*cancelled)(void *), void *ctx,
                         struct poster *out, enum media_err *err);

/* ---- the context ---- */

struct thumb;
struct media_folder;

struct media {
    struct media_options opt;
    struct devices *dev;

    pthread_mutex_t lock;
    pthread_cond_t work_cond; /* workers and the lister wait here */
    pthread_cond_t idle_cond; /* media_wipe() waits here for running jobs */
    atomic_uint pending;      /* MEDIA_EV_* not yet fetched */

    /* workers and thumbnails (thumbs.c) */
    pthread_t *workers;
    int nworkers;
    bool quit, paused;
    int running;                 /* jobs in progress */
    int io_waiting;              /* of those, waiting for a phone to answer (not waited for
                                    by media_wipe) */
    uint64_t epoch;              /* media_wipe() bumps it: results of older jobs are dropped */
    struct thumb **table;        /* hash table by path */
    size_t table_size, items;
    struct thumb *lru_head, *lru_tail; /* head = most recent */
    size_t bytes, peak;
    struct thumb **want;         /* current want list, priority order */
    size_t want_n, want_max;
    uint64_t want_gen;           /* of the current want list */
    struct media_folder *folders; /* open folders, newest first (listing, content checks) */
    struct media_stats stats;

    /* the lister (folder.c) */
    pthread_t lister;
    bool lister_started;
};

/* Raises events (one notify() until they are fetched). */
void media_raise(struct media *m, unsigned ev);
/* A job is about to wait for (done) a phone; m->lock not held. */
void media_io_begin(struct media *m, bool usb);
void media_io_end(struct media *m, bool usb);

int media_workers_start(struct media *m);
void media_workers_stop(struct media *m);
/* A thumbnail is waiting to be made: a phone serves one request at a time,
 * and what is on screen comes before content checks. */
bool media_thumbs_waiting(struct media *m);
/* With m->lock held: drops every cached thumbnail (wiped). */
void media_cache_clear_locked(struct media *m);

int media_lister_start(struct media *m);
void media_lister_stop(struct media *m);

/* ---- folders (folder.c), used by the workers ---- */

enum {
    HINT_UNKNOWN = 0,
    HINT_PHOTO,
    HINT_VIDEO,
};
/* The kind a file's name suggests: HINT_*. */
int media_hint_of(const char *name);
/* Left out unless MEDIA_SHOW_HIDDEN: name in the folder at rel (below the
 * storage's top). */
bool media_is_hidden(const char *rel, const char *name);

enum { /* sniffed: 0 = not yet */
    SNIFF_PHOTO = 1,
    SNIFF_VIDEO,
    SNIFF_OTHER,  /* not media */
    SNIFF_FAILED, /* could not be read: the name's guess stands */
};

struct mentry {
    char *path;        /* device path, malloc'd */
    char *disp;        /* the name for display, malloc'd */
    bool dir;          /* a folder */
    bool storage, removable;
    uint8_t kind;      /* files: the name's guess (HINT_*) */
    uint8_t album;     /* enum media_album */
    atomic_uchar sniffed;
    bool claimed;      /* a content check has it (folder lock) */
    uint8_t shown;     /* what the view uses: 0 (not shown) or MEDIA_KIND_* */
    bool confirmed;    /* the kind is the content's */
    bool pending;      /* no content check yet (as of the last update) */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t file_id;  /* inode, object handle */
    uint64_t key;      /* media_hash_str(path) */
};

/* Entries live in fixed chunks that never move: the lister adds entries
 * while workers read others by id. */
enum { MCHUNK_BITS = 10, MCHUNK = 1 << MCHUNK_BITS };
#define MEDIA_MAX_ENTRIES (MEDIA_GALLERY_MAX + 2 * MCHUNK)
#define MCHUNKS ((MEDIA_MAX_ENTRIES + MCHUNK - 1) / MCHUNK)

/* ---- what is left to list (lister.c) ---- */

/* The folders a listing still has to read, best first: by rank (the
 * gallery's likely places), then depth (breadth-first), then order found.
 * Paths are wiped when freed. */
struct walk;
struct walk *media_walk_new(void);
void media_walk_free(struct walk *w); /* accepts NULL */
int media_walk_push(struct walk *w, const char *path, const char *rel, int depth, int rank);
/* The best one: *path and *rel are yours (media_free_str); 0, or -1 when empty. */
int media_walk_pop(struct walk *w, char **path, char **rel, int *depth);
bool media_walk_empty(const struct walk *w);
size_t media_walk_popped(const struct walk *w);
/* Where a folder (below its storage's top) comes in the gallery's walk:
 * 0 DCIM, 1 Pictures, 2 WhatsApp, 3 Download, 4 Telegram, 5 Movies, 9 the
 * rest; a folder on the way to one of them has its rank (gallery.c). */
int media_walk_rank(const char *rel);

struct media_folder {
    struct media *m;
    pthread_mutex_t lock;  /* entries vs the lister, the workers and media_wipe() */
    atomic_int refs;
    atomic_bool closed, wiped; /* read by the threads without the folder's lock */
    bool gallery;
    unsigned flags;
    char *path;            /* as opened, normalised */
    char *parent;          /* NULL at the device's top */
    char *rel;             /* for display */
    char *top_rel;         /* below its storage's top (hidden rules) */

    /* entries: written under lock by whoever lists; n counts them */
    struct mentry *chunk[MCHUNKS];
    uint32_t n;
    size_t hidden;         /* left out so far (lock) */
    /* listing (lock) */
    struct walk *walk;     /* NULL: nothing (more) to list */
    bool listing;          /* the lister has work for it */
    enum media_err list_err;

    /* what the UI sees, as of the last update/view (the UI's thread) */
    uint32_t known;        /* entries taken into the arrays below */
    uint32_t *by_name, *by_date; /* all files, sorted */
    uint32_t *dirs;              /* folders, by name */
    uint32_t *view;
    uint32_t *tmp;               /* merging */
    size_t arrays_cap;
    uint32_t ndirs, nfiles;
    size_t view_n;
    enum media_sort sort;
    enum media_filter filter;
    int album;                   /* MEDIA_ALBUM_ALL or one album */
    size_t hidden_shown;
    bool listing_shown;
    enum media_err err_shown;
    struct media_album_info albums[MEDIA_ALBUM_COUNT];

    /* content checks, newest first (the default view's order) */
    uint32_t refine_next;        /* index into by_date (lock) */
    atomic_bool dirty;
    struct media_folder *next;   /* in m->folders */
};

static inline struct mentry *media_ent(const struct media_folder *f, uint32_t id)
{
    return &f->chunk[id >> MCHUNK_BITS][id & (MCHUNK - 1)];
}

/* Lists the next folder of f's walk (the lister thread); false when there
 * was nothing left. */
bool media_folder_list_step(struct media_folder *f);
void media_folder_ref(struct media_folder *f);
void media_folder_unref(struct media_folder *f);
/* With m->lock held: erases the folder's names (media_wipe). */
void media_folder_wipe(struct media_folder *f);
/* Kind by content, from the first bytes of a file: SNIFF_*. */
int media_sniff(const uint8_t *data, size_t len);
/* A worker checks up to max files of f by content. */
void media_folder_refine(struct media_folder *f, size_t max);
/* m->lock held. */
bool media_folder_needs_refine(struct media_folder *f);

#endif
