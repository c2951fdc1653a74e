/* Shared by the media sources; not part of the public API. */
#ifndef HIFAZAT_MEDIA_INTERNAL_H
#define HIFAZAT_MEDIA_INTERNAL_H

#include "media.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

/* ---- memory that held names or pixels ---- */

/* explicit_bzero + free. Tests set media_free_hook to see every buffer just
 * before it is freed (it must be all zeros by then). */
void media_secure_free(void *p, size_t n);
char *media_strdup(const char *s); /* free with media_secure_free(p, strlen + 1) */
void media_free_str(char *s);
extern void (*media_free_hook)(const void *p, size_t n);

/* ---- files, read-only, never off the volume ---- */

/* Opens rel (no leading '/', "" for the volume itself) beneath the
 * directory volfd without following any symlink and without crossing into
 * another mount; -1 with errno (ELOOP / EXDEV for what it refuses). */
int media_open_beneath(int volfd, const char *rel, int flags);
/* Where a link (rel, beneath volfd) leads, as a path relative to the
 * volume, when it stays on it: malloc'd, or NULL (errno EXDEV: off the
 * volume). vol_real is the volume's real path. */
char *media_resolve_link(int volfd, const char *vol_real, const char *rel);
/* open() flags for looking without touching: O_RDONLY | O_CLOEXEC |
 * O_NOCTTY | O_NONBLOCK, and O_NOATIME where the kernel allows it. */
int media_open_ro(int dirfd, const char *rel, bool directory);
enum media_err media_errno(int e);
/* Reads up to n bytes at offset; bytes read or -1. */
ssize_t media_pread_full(int fd, void *buf, size_t n, off_t off);

/* ---- text ---- */

/* A copy with invalid UTF-8 replaced by U+FFFD and control characters by
 * '?'; NULL when s is already clean (use s). */
char *media_utf8_clean(const char *s);
/* Natural order ("IMG_9" < "IMG_10"), ASCII case folded. */
int media_name_cmp(const char *a, const char *b);
uint64_t media_hash_str(const char *s);

/* ---- pixels ---- */

/* dst (dw x dh as displayed) from src (sw x sh as stored), both RGBA,
 * packed, for an EXIF orientation 1..8. */
void media_orient_rgba(const uint8_t *src, int sw, int sh, int orientation, uint8_t *dst);

/* ---- video posters (video.c) ---- */

struct poster {
    uint8_t *rgba;       /* NULL: no frame (a placeholder is shown) */
    int w, h;            /* as displayed */
    int full_w, full_h;  /* the video frame as displayed */
    int64_t duration_ms; /* -1 unknown */
};
/* 0 (poster may still lack pixels: codec not available, no frame) or -1
 * with *err (the container is not readable at all). cancelled() is polled. */
int media_video_poster(int fd, uint64_t size, int box, int (*cancelled)(void *), void *ctx,
                       struct poster *out, enum media_err *err);

/* ---- the context ---- */

struct thumb;
struct media_folder;

struct media {
    struct media_options opt;
    char *root;
    char *mountinfo;
    char *by_label;

    pthread_mutex_t lock;
    pthread_cond_t work_cond; /* workers wait here */
    pthread_cond_t idle_cond; /* media_wipe() waits here for running jobs */
    atomic_uint pending;      /* MEDIA_EV_* not yet fetched */

    /* volumes (volumes.c) */
    pthread_t watcher;
    bool watcher_started;
    int stop_fd;                   /* eventfd: wakes and stops the watcher */
    void *watcher_arg;
    struct media_volume_list *vols; /* current snapshot (lock) */

    /* workers and thumbnails (thumbs.c) */
    pthread_t *workers;
    int nworkers;
    bool quit, paused;
    int running;                 /* jobs in progress */
    uint64_t epoch;              /* media_wipe() bumps it: results of older jobs are dropped */
    struct thumb **table;        /* hash table by path */
    size_t table_size, items;
    struct thumb *lru_head, *lru_tail; /* head = most recent */
    size_t bytes, peak;
    struct thumb **want;         /* current want list, priority order */
    size_t want_n, want_max;
    uint64_t want_gen;           /* of the current want list */
    struct media_folder *folders; /* open folders (refine work) */
    struct media_stats stats;
};

void media_raise(struct media *m, unsigned ev);

int media_volumes_start(struct media *m);
void media_volumes_stop(struct media *m);

int media_workers_start(struct media *m);
void media_workers_stop(struct media *m);
/* With m->lock held: drops every cached thumbnail (wiped). */
void media_cache_clear_locked(struct media *m);

/* ---- folders (folder.c), used by the workers ---- */

enum {
    HINT_UNKNOWN = 0,
    HINT_PHOTO,
    HINT_VIDEO,
};

enum { /* sniffed: 0 = not yet */
    SNIFF_PHOTO = 1,
    SNIFF_VIDEO,
    SNIFF_OTHER,  /* not media */
    SNIFF_FAILED, /* could not be read: the name's guess stands */
};

struct mentry {
    char *path;        /* absolute, malloc'd */
    char *disp;        /* cleaned name when the stored one is not valid UTF-8 */
    uint32_t name_off, rel_off;
    bool dir;          /* a folder */
    uint8_t kind;      /* files: the name's guess (HINT_*) */
    bool hidden;
    atomic_uchar sniffed;
    uint8_t shown;     /* what the view uses: 0 (not shown) or MEDIA_KIND_* */
    bool confirmed;    /* the kind is the content's */
    bool pending;      /* no content check yet (as of the last update) */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t dev, ino;
    uint64_t key;      /* media_hash_str(path) */
};

struct media_folder {
    struct media *m;
    pthread_mutex_t lock;  /* paths vs media_wipe() */
    atomic_int refs;
    atomic_bool closed, wiped; /* read by workers without the folder's lock */
    char *vol;             /* the volume's path as given */
    char *rel;
    struct mentry *e;
    uint32_t n;
    uint32_t *by_name, *by_date; /* all files, sorted */
    uint32_t *dirs;              /* folders, by name */
    uint32_t ndirs, nfiles;
    uint32_t *view;
    size_t view_n;
    enum media_sort sort;
    enum media_filter filter;
    size_t hidden;
    /* content checks, newest first (the default view's order) */
    atomic_uint refine_next;
    atomic_bool dirty;
    struct media_folder *next; /* in m->folders */
};

void media_folder_ref(struct media_folder *f);
void media_folder_unref(struct media_folder *f);
/* With m->lock held: erases the folder's names (media_wipe). */
void media_folder_wipe(struct media_folder *f);
/* Kind by content, from the first bytes of a file: SNIFF_*. */
int media_sniff(const uint8_t *data, size_t len);
/* A worker checks up to max files of f by content. */
void media_folder_refine(struct media_folder *f, size_t max);
bool media_folder_needs_refine(struct media_folder *f);

#endif
