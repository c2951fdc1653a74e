/* device — what is plugged into this machine, read in place through one
 * small interface: memory cards and USB sticks (mounted filesystems),
 * Android phones (MTP, through libmtp) and iPhones, cameras and Android
 * phones in "transfer photos" mode (PTP, through libgphoto2).
 *
 * Read-only by construction: no backend has a call that writes, deletes,
 * renames or sends an object. Filesystems are opened O_RDONLY beneath the
 * volume (never following a link off it); phones are only asked the PTP/MTP
 * operations that read (device info, storages, object handles and info,
 * partial and whole objects, thumbnails). Names live only in memory and
 * devices_wipe() erases every name this layer cached. No SDL here.
 *
 * Usage:
 *   1. struct device_options o; device_options_default(&o); set o.media_root
 *      (mounted volumes: "/media" on the USB image), o.usb = true (phones and
 *      cameras by cable) and o.notify/o.notify_ctx (wakes your main loop);
 *      d = devices_create(&o, &err). A watcher thread starts: the mount table,
 *      inotify on the media root, and udev's USB events (hotplug, not
 *      polling; a slow rescan is only a safety net).
 *   2. notify(ctx) runs on one of this layer's threads when the device list
 *      changed; it must only wake the main loop. There, devices_changed(d)
 *      is true (once per change) and l = devices_list(d) is a snapshot you
 *      own (device_list_free(l)). A plugged-in phone is listed at once as
 *      DEVICE_CONNECTING, then READY, LOCKED, UNTRUSTED, CHARGING_ONLY ...
 *      as its own thread finds out; a pulled-out one leaves the list, and
 *      every read of it fails with DEVICE_ERR_GONE from then on.
 *   3. Browse: device_folder_list(d, path, emit, ctx, &stats, &err) calls
 *      emit() for every entry of a folder (a device's info.root is its top).
 *      Paths are device paths (below): what you get in entries is what you
 *      pass back. device_path_parent() goes up (NULL at a device's top).
 *   4. Read: f = device_file_open(d, path, &err); device_file_size(f);
 *      device_file_read(f, buf, n, off) any range, from any thread (one
 *      thread per file at a time; a phone serves one request at a time and
 *      reads ahead in large blocks when reads are sequential);
 *      device_file_thumbnail() the phone's own small preview where it has
 *      one; device_file_close(f). A read that the device does not answer
 *      within o.timeout_ms fails with DEVICE_ERR_TIMEOUT: nothing waits for
 *      ever, and the device shows DEVICE_NOT_ANSWERING until it is plugged
 *      in again.
 *   5. devices_wipe(d) when a person's session ends: every name cached for
 *      path lookups is erased (the next lookup asks the device again).
 *   6. devices_destroy(d) (accepts NULL); close files first.
 *
 * Device paths:
 *   - a mounted volume's files are plain absolute paths under its mount
 *     point ("/media/usb0/DCIM/IMG_1.jpg"), so every tool can open them;
 *   - a phone's are "mtp:KEY/DCIM/Camera/IMG_1.jpg" on its first storage and
 *     "mtp:KEY@2/DCIM/..." on its second (a memory card in the phone);
 *     "mtp:KEY" is the whole phone, whose top lists one folder per storage
 *     ("mtp:KEY@1", "mtp:KEY@2") when it has more than one, else the first
 *     storage's top. KEY is the phone's serial number (letters, digits, '.',
 *     '-' and '_' only; otherwise a stable stand-in made from it).
 *   - "ptp:KEY/..." is the same device through libgphoto2 (PTP) instead of
 *     libmtp: any phone or camera offering MTP or PTP can be read that way.
 *   - "mtp:" and "ptp:" alone mean the first such device.
 *
 * Threads: every function may be called from any thread. The strings of a
 * device_list and of an entry passed to emit() are owned by this layer:
 * copy what you keep (emit's strings only live during the call).
 */
#ifndef HIFAZAT_DEVICE_H
#define HIFAZAT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- errors: one code, two messages (developers: detail; people: the UI's) ---- */

enum device_err {
    DEVICE_OK = 0,
    DEVICE_ERR_NOT_FOUND,   /* no such device, folder or file */
    DEVICE_ERR_ACCESS,      /* permission denied */
    DEVICE_ERR_OUTSIDE,     /* a link that leads off the volume, or "..": refused */
    DEVICE_ERR_GONE,        /* unplugged, or the device failed (EIO) */
    DEVICE_ERR_TIMEOUT,     /* the device stopped answering */
    DEVICE_ERR_LOCKED,      /* the phone is locked or has not trusted this computer */
    DEVICE_ERR_BUSY,        /* another program has the device open */
    DEVICE_ERR_UNSUPPORTED, /* the device cannot do that (e.g. it has no thumbnails) */
    DEVICE_ERR_CHANGED,     /* the file is not what was listed (size changed, replaced) */
    DEVICE_ERR_NOMEM,
    DEVICE_ERR_INVALID,     /* a bad argument or path (a developer's mistake) */
    DEVICE_ERR_COUNT
};

struct device_error {
    enum device_err code;
    char detail[160];       /* for developers; never contains a file name */
};

const char *device_err_code(enum device_err e);    /* stable: "gone", "timeout", ... */
const char *device_err_message(enum device_err e); /* an English sentence (logs, the CLI) */

/* ---- devices ---- */

enum device_backend_kind {
    DEVICE_BACKEND_FS,   /* a mounted filesystem */
    DEVICE_BACKEND_MTP,  /* libmtp */
    DEVICE_BACKEND_PTP,  /* libgphoto2 */
    DEVICE_BACKEND_TEST, /* a test's own backend (device_backend.h) */
};
const char *device_backend_name(enum device_backend_kind b); /* "fs", "mtp", "ptp", "test" */

enum device_kind {
    DEVICE_KIND_VOLUME, /* a memory card or USB stick (a mounted filesystem) */
    DEVICE_KIND_PHONE,  /* a phone (Android, or one we cannot tell) */
    DEVICE_KIND_IPHONE, /* an Apple iPhone or iPad */
    DEVICE_KIND_CAMERA, /* a camera or other picture device */
};

enum device_state {
    DEVICE_READY,         /* can be read */
    DEVICE_CONNECTING,    /* just plugged in: being opened (a phone takes a moment) */
    DEVICE_CHARGING_ONLY, /* a phone that offers no file transfer: choose "File transfer" on it */
    DEVICE_LOCKED,        /* an Android phone that offers no storage yet: unlock it */
    DEVICE_UNTRUSTED,     /* an iPhone that has not trusted this computer: unlock, tap Trust */
    DEVICE_NOT_ANSWERING, /* it stopped answering: unplug it and plug it in again */
    DEVICE_BUSY,          /* another program has it open */
    DEVICE_FAILED,        /* could not be opened (no permission, or not what it seemed) */
};
const char *device_state_name(enum device_state s); /* "ready", "charging_only", ... */

struct device_storage {
    const char *root;        /* device path of its top folder */
    const char *description; /* as the device names it ("Internal shared storage"); may be "" */
    bool removable;          /* a memory card inside the phone */
    uint64_t total_bytes, free_bytes;
};

struct device_info {
    uint64_t id;             /* stable while plugged in; the same phone plugged in again
                                gets the same id (it comes from its serial number) */
    enum device_backend_kind backend;
    enum device_kind kind;
    enum device_state state;
    const char *root;        /* device path of its top: "/media/usb0", "mtp:R58N12ABC" */
    const char *label;       /* for display: the filesystem's label, or the phone's model
                                ("Galaxy A14"); "" when it has none */
    const char *vendor;      /* "Samsung", "Apple", ...; "" when unknown */
    const char *key;         /* the KEY of its device paths ("" for a mounted volume) */
    const char *serial;      /* as the device reports it ("" when unknown) */
    uint64_t total_bytes, free_bytes; /* over all its storages */
    bool read_only;          /* mounted read-only (nothing is ever written either way) */
    uint16_t usb_vendor, usb_product; /* USB devices; 0 otherwise */
    size_t nstorages;
    const struct device_storage *storages;
};

struct device_list {
    size_t count;
    struct device_info *v;   /* phones and cameras first, then volumes, each by label */
};

/* ---- the context ---- */

enum device_root_mode {
    DEVICE_ROOT_MOUNTS, /* volumes are mount points under the root, 1 or 2 levels down */
    DEVICE_ROOT_DIRS,   /* every folder right under the root is a volume (demo, fixtures) */
};

struct device_backend; /* device_backend.h */

struct device_options {
    const char *media_root;      /* mounted volumes under it (copied); NULL: none */
    enum device_root_mode mode;  /* default DEVICE_ROOT_MOUNTS */
    const char *mountinfo;       /* default "/proc/self/mountinfo"; tests inject a file */
    const char *by_label;        /* default "/dev/disk/by-label" (volume labels) */
    int rescan_ms;               /* safety-net rescan (default 2000) */
    bool usb;                    /* phones and cameras by cable (default false) */
    const char *usb_backend;     /* NULL: the right backend for each device; "mtp" or
                                    "ptp": that one wherever it can read (hifazat hash ptp:) */
    const char *usb_sysfs;       /* default "/sys/bus/usb/devices"; tests inject a tree */
    int timeout_ms;              /* a device operation unanswered this long fails with
                                    DEVICE_ERR_TIMEOUT (default 15000) */
    int list_timeout_ms;         /* the same for listing one folder, which a phone may
                                    answer only when it is all read (default 120000:
                                    libusb gives up on a transfer before that) */
    int retry_locked_ms;         /* a locked phone is asked again this often (default 1500) */
    int open_retry_ms;           /* a phone whose opening fails (its node not yet the kiosk's,
                                    its last connection still being torn down when it was
                                    plugged in again, a phone still switching to "File
                                    transfer") is asked again for this long, shown
                                    DEVICE_CONNECTING, before it is DEVICE_FAILED
                                    (default 30000) */
    size_t read_block;           /* phones: bytes per read request (default 4 MiB) */
    /* Extra backends (tests: a fake phone); NULL-terminated, borrowed. */
    const struct device_backend *const *backends;
    void (*notify)(void *ctx);   /* on one of this layer's threads; may be NULL */
    void *notify_ctx;
};

void device_options_default(struct device_options *o);

struct devices;
/* NULL with *err set. */
struct devices *devices_create(const struct device_options *o, struct device_error *err);
void devices_destroy(struct devices *d);

/* True once after each change of the list (and notify() fires again only
 * after this was called). */
bool devices_changed(struct devices *d);
/* Waits (up to timeout_ms) until no device is DEVICE_CONNECTING: for the CLI,
 * which lists once. 0, or -1 when some are still connecting. */
int devices_settle(struct devices *d, int timeout_ms);
/* A snapshot you own (NULL only when out of memory). */
struct device_list *devices_list(struct devices *d);
void device_list_free(struct device_list *l); /* wipes the labels too; accepts NULL */
/* The device with this id in l, or NULL. */
const struct device_info *device_list_find(const struct device_list *l, uint64_t id);
/* The device a path belongs to, in l, or NULL. */
const struct device_info *device_list_find_path(const struct device_list *l, const char *path);

/* Forgets every name cached for path lookups (a session ends). */
void devices_wipe(struct devices *d);
/* Rescan now (tests; the watcher does this by itself). */
void devices_rescan(struct devices *d);

/* ---- paths ---- */

/* True for "mtp:...", "ptp:...", "test:...": a device path that is not a file system path. */
bool device_path_is_usb(const char *path);
/* The folder that holds path, malloc'd: "mtp:K/DCIM/x" -> "mtp:K/DCIM",
 * "mtp:K@2/DCIM" -> "mtp:K@2" -> "mtp:K" -> NULL; "/media/usb0/DCIM" ->
 * "/media/usb0" -> "/media" (a mounted volume's top is info.root: stop
 * there). NULL also when out of memory. Paths are not checked against the
 * devices. */
char *device_path_parent(const char *path);
/* The last part of a path (a pointer into it). */
const char *device_path_name(const char *path);

/* A copy of a name for display (malloc'd): invalid UTF-8 becomes U+FFFD and
 * control characters and bidirectional overrides '?' (a name like
 * "gpj.exe" spoofed by an override). NULL only when out of memory. */
char *device_utf8_clean(const char *s);

/* ---- folders ---- */

struct device_entry {
    const char *name;        /* as stored: bytes (fs names need not be UTF-8) */
    const char *path;        /* device path: what device_file_open() / device_folder_list() take */
    bool folder;
    bool storage;            /* a phone's storage, listed at the phone's top */
    bool removable;          /* storage: a memory card */
    uint64_t size;           /* files: bytes */
    int64_t mtime_ns;        /* last change, ns since 1970 (0: unknown) */
    uint64_t file_id;        /* with path, size and mtime_ns: the same file (inode, object handle) */
};

struct device_list_stats {
    size_t refused;          /* links off the volume or dangling, devices, FIFOs (fs) */
};

/* Lists one folder: emit(ctx, entry) for each entry, on the caller's thread;
 * a non-zero return stops the listing (returned). 0, or -1 with *err.
 * stats may be NULL. */
int device_folder_list(struct devices *d, const char *path,
                       int (*emit)(void *ctx, const struct device_entry *e), void *ctx,
                       struct device_list_stats *stats, struct device_error *err);

/* ---- files ---- */

struct device_file;
struct device_file *device_file_open(struct devices *d, const char *path, struct device_error *err);
void device_file_close(struct device_file *f); /* accepts NULL */
uint64_t device_file_size(const struct device_file *f);
int64_t device_file_mtime_ns(const struct device_file *f);
/* Reads up to n bytes at off: the count (fewer only at the end of the
 * file), or -1 with device_file_error(f) saying why (GONE, TIMEOUT, ...). */
ssize_t device_file_read(struct device_file *f, void *buf, size_t n, uint64_t off);
const struct device_error *device_file_error(const struct device_file *f);
/* The device's own small preview of a picture (MTP GetThumb; a JPEG in
 * practice): 0 with *data (free it with device_free(*data, *len)), or -1
 * with *err (DEVICE_ERR_UNSUPPORTED: it has none). */
int device_file_thumbnail(struct device_file *f, uint8_t **data, size_t *len,
                          struct device_error *err);
/* Wipes and frees what this layer handed out. */
void device_free(void *p, size_t n);

#endif
