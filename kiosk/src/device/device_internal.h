/* Shared by the device layer's own files; not part of the public API. */
#ifndef HIFAZAT_DEVICE_INTERNAL_H
#define HIFAZAT_DEVICE_INTERNAL_H

#include "device_backend.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- paths (path.c) ---- */

enum { DPATH_KEY_MAX = 96 };

struct dpath {
    char scheme[8];          /* "mtp", "ptp", "test"; "" for a file system path */
    char key[DPATH_KEY_MAX]; /* may be "" ("mtp:" alone: the first device) */
    int storage;             /* 1-based; 0: not given */
    char *rel;               /* normalized, malloc'd ("" for a top); fs: the absolute path */
};

/* 0, or -1 with errno (EINVAL: not a path; EXDEV: ".." in it; ENOMEM). */
int dpath_parse(const char *path, struct dpath *p);
void dpath_clear(struct dpath *p);
/* "a//b/./c/" -> "a/b/c"; NULL with errno EXDEV for any "..", ENOMEM. */
char *dpath_normalize(const char *rel);
/* A device path from its parts (storage 0 or 1 and rel "": the device's
 * top; storage 1 is written without "@1" when rel is not empty). malloc'd. */
char *dpath_format(const char *scheme, const char *key, int storage, const char *rel);
/* A serial number as a KEY (letters, digits, '.', '-', '_'), else a stand-in. */
void dpath_key(const char *serial, const char *fallback, char *out, size_t n);

uint64_t device_hash_str(const char *s); /* FNV-1a */
void device_free_str(char *s);           /* wiped, then freed; accepts NULL */
int device_set_err(struct device_error *err, enum device_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum device_err device_errno(int e);

/* ---- the filesystem backend (fs.c) ---- */

struct fs_vol {
    char *path, *label;
    char key[64 + 4096];     /* mount id or inode, plus the path: what makes it "the same" */
    uint64_t total, avail;
    bool ro;
};

struct fs_scan {
    struct fs_vol *v;
    size_t n, cap;
};

struct fs_watch; /* inotify and the mount table */

void fs_scan_clear(struct fs_scan *s);
/* The volumes under the root now. */
void fs_scan(const struct device_options *o, int mountinfo_fd, struct fs_scan *out);
/* Watches on the root (and, in mounts mode, its plain subfolders). */
struct fs_watch *fs_watch_create(const struct device_options *o);
void fs_watch_destroy(struct fs_watch *w);
int fs_watch_inotify_fd(const struct fs_watch *w);   /* -1: none */
int fs_watch_mountinfo_fd(const struct fs_watch *w); /* -1: none (poll POLLPRI on it) */
void fs_watch_drain(struct fs_watch *w);
void fs_watch_update(struct fs_watch *w, const struct fs_scan *cur);

/* Folder listing beneath the volume at vol (its root path). */
int fs_list(const char *vol, const char *path, int (*emit)(void *ctx, const struct device_entry *e),
            void *ctx, struct device_list_stats *stats, struct device_error *err);
/* Opens path (absolute, under vol) for reading: an fd, or -1 with err. */
int fs_open(const char *vol, const char *path, uint64_t *size, int64_t *mtime_ns,
            struct device_error *err);

/* ---- the registry (device.c) ---- */

struct req;

/* The name cache: what listings taught us, for finding a path's object. */
struct ncache_ent {
    uint32_t storage;
    uint64_t handle;
    char *rel;
    bool folder;
    uint64_t size;
    int64_t mtime_ns;
    uint64_t hash;
    struct ncache_ent *next;
};

struct ncache {
    struct ncache_ent **b;
    size_t nb, n;
};

/* One USB (or test) device's own thread and its queue of requests. */
struct io {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* requests queued, done, quit */
    struct req *head, *tail;
    bool quit;
    int64_t busy_since_ms;      /* the running request started, or last had news (0: idle) */
    int busy_timeout_ms;        /* its allowance without news */
    bool stuck;                 /* a request ran past the timeout: new ones fail at once */
    struct ncache cache;        /* io->lock */
};

struct dev {
    struct devices *d;
    atomic_int refs;
    struct dev *next;           /* in d->devs */
    uint64_t id;
    enum device_backend_kind bk;
    const struct device_backend *be; /* NULL: a mounted volume */
    atomic_bool gone;
    bool seen;                  /* rescan(): still there (d->lock) */

    /* what is shown (d->lock) */
    enum device_kind kind;
    enum device_state state;
    char *root, *label, *vendor, *serial;
    char key[DPATH_KEY_MAX];
    bool ro;
    uint64_t total, avail;
    struct device_probe probe;  /* phones: storages (d->lock) */
    int64_t asking_since_ms;    /* the I/O thread is opening it, or asking a locked phone
                                   again, since then (0: not); d->lock */

    /* a mounted volume */
    char fskey[64 + 4096];

    /* a USB or test device */
    struct device_usb usb;
    struct io io;
    bool io_started;
};

struct devices {
    struct device_options opt;
    char *media_root, *mountinfo, *by_label, *usb_sysfs, *usb_backend;
    const struct device_backend *builtin[3]; /* mtp, ptp, NULL */

    pthread_mutex_t lock;       /* devs, the devices' shown fields */
    pthread_cond_t cond;        /* a device left CONNECTING; an I/O thread ended */
    struct dev *devs;
    uint64_t next_fs_id;
    int io_threads;             /* running I/O threads (destroy waits for them) */
    atomic_bool pending;        /* a change not yet taken by devices_changed() */
    atomic_bool quit;
    atomic_bool started;        /* notify() only once the watcher runs */
    atomic_bool armed;          /* notify() once, then again after devices_changed() */

    /* the watcher */
    pthread_t watcher;
    bool watcher_started;
    int stop_fd;                /* eventfd */
    int wake_fd;                /* eventfd: devices_rescan() */
    struct fs_watch *fsw;
    void *udev, *udev_mon;      /* struct udev, struct udev_monitor */
};

void dev_ref(struct dev *v);
void dev_unref(struct dev *v);
void devices_raise(struct devices *d);
int64_t device_now_ms(void);

#endif
