/* How one kind of device is opened and read: the table of functions each
 * backend fills (mtp.c with libmtp, ptp.c with libgphoto2; tests add fake
 * phones through device_options.backends). The filesystem backend is the
 * device layer's own (fs.c) and does not use this table.
 *
 * There is no function here that writes, deletes, renames or sends an
 * object, and a backend must not issue any such operation to a device:
 * read-only by construction.
 *
 * Threads: each opened device has one I/O thread of its own, and every
 * call on a `conn` is made from it, one at a time (libmtp and libgphoto2
 * handles are not thread-safe). A call may block on the device; the layer
 * above gives up waiting after device_options.timeout_ms (the device is
 * then NOT_ANSWERING) and frees nothing the call still uses. A call should
 * return DEVICE_ERR_GONE soon after the device is unplugged (libusb does).
 */
#ifndef HIFAZAT_DEVICE_BACKEND_H
#define HIFAZAT_DEVICE_BACKEND_H

#include "device.h"

/* What the kernel says of a USB device (sysfs), before anyone opens it. */
enum {
    DEVICE_USB_IF_PTP = 1u << 0,       /* still-image class 06/01/01 (PTP, and MTP on many phones) */
    DEVICE_USB_IF_MTP = 1u << 1,       /* an interface named "MTP" (Android: vendor class ff/ff/00) */
    DEVICE_USB_IF_ADB = 1u << 2,       /* Android debugging ff/42/01 */
    DEVICE_USB_IF_STORAGE = 1u << 3,   /* mass storage (08): read as a mounted volume instead */
    DEVICE_USB_IF_APPLE_MUX = 1u << 4, /* Apple's usbmux ff/fe/02 */
    DEVICE_USB_IF_OTHER = 1u << 5,     /* anything else (HID, audio, vendor...) */
};

struct device_usb {
    char ident[128];         /* unique while plugged in: the sysfs name ("1-2") or a test's own */
    char syspath[512];       /* the sysfs folder ("" for test devices) */
    int busnum, devnum;      /* for libusb/libmtp/libgphoto2 ("usb:BBB,DDD") */
    uint16_t vendor, product;
    char manufacturer[128];  /* USB strings as the kernel read them (may be "") */
    char product_name[128];
    char serial[128];
    unsigned ifaces;         /* DEVICE_USB_IF_* of all its interfaces */
};

/* What a backend found when it opened (or refreshed) a device. */
enum { DEVICE_PROBE_MAX_STORAGES = 8 };
struct device_probe_storage {
    uint32_t id;             /* the backend's storage id */
    char description[128];   /* "Internal shared storage", "SD card" (UTF-8; may be "") */
    bool removable;
    uint64_t total_bytes, free_bytes;
};

struct device_probe {
    enum device_kind kind;   /* PHONE, IPHONE or CAMERA */
    enum device_state state; /* READY, LOCKED (no storage offered yet), UNTRUSTED */
    char model[128];         /* "Galaxy A14" (UTF-8; may be "") */
    char vendor[128];        /* "Samsung" */
    char serial[128];        /* the device's own serial number (may be "") */
    size_t nstorages;
    struct device_probe_storage storages[DEVICE_PROBE_MAX_STORAGES];
};

/* An object on a device as a backend sees it. Pass back what list()
 * emitted, all of it: the PTP backend addresses objects by rel (libgphoto2
 * has no handles in its API; its handles are made from rel) and reads up to
 * size; both USB backends refuse to read a size of 0xFFFFFFFF (PTP's "4 GiB
 * or more") to its end. */
struct device_obj {
    uint32_t storage;        /* the backend's storage id */
    uint64_t handle;         /* the backend's object handle; 0: the storage's top */
    const char *rel;         /* from the storage's top, '/'-separated ("" for the top) */
    const char *name;        /* the last part of rel */
    bool folder;
    uint64_t size;
    int64_t mtime_ns;        /* 0: unknown */
};

struct device_backend {
    enum device_backend_kind kind;
    const char *scheme;      /* device paths: "mtp", "ptp", "test" */
    /* USB backends: how much it wants a USB device: 0 not at all, 1 it can
     * read it, 2 it is the right one. NULL: not a USB backend. */
    int (*claims)(const struct device_usb *u);
    /* Other backends (tests): the devices it has now. NULL for USB ones. */
    void (*scan)(const struct device_backend *b,
                 void (*found)(void *ctx, const struct device_usb *u), void *ctx);
    /* Opens a device; fills probe (state READY, LOCKED or UNTRUSTED). A
     * device that cannot be opened: -1 with err (ACCESS, BUSY, GONE...). */
    int (*open)(const struct device_backend *b, const struct device_usb *u, void **conn,
                struct device_probe *probe, struct device_error *err);
    /* Asks again for the storages and state (a locked phone being unlocked). */
    int (*refresh)(void *conn, struct device_probe *probe, struct device_error *err);
    /* Lists a folder (folder->handle 0: the top of folder->storage): emit()
     * for each child, whose rel is the folder's rel + "/" + its name; stop
     * when emit() returns non-zero. */
    int (*list)(void *conn, const struct device_obj *folder,
                int (*emit)(void *ctx, const struct device_obj *child), void *ctx,
                struct device_error *err);
    /* Reads up to n bytes at off into buf (*got < n only at the object's end). */
    int (*read)(void *conn, const struct device_obj *o, uint64_t off, void *buf, size_t n,
                size_t *got, struct device_error *err);
    /* Optional (NULL): the device's own preview of a picture, malloc'd. */
    int (*thumbnail)(void *conn, const struct device_obj *o, uint8_t **data, size_t *len,
                     struct device_error *err);
    void (*close)(void *conn);
    void *ctx;               /* the backend's own (tests) */
};

/* The built-in USB backends (NULL when built without them). */
const struct device_backend *device_backend_mtp(void);
const struct device_backend *device_backend_ptp(void);

/* ---- USB, as the kernel sees it (usb.c): also for the tests ---- */

/* Reads one USB device's folder under a sysfs tree ("1-2"); 0 / -1. */
int device_usb_read(const char *sysfs, const char *name, struct device_usb *u);
/* What to make of a USB device before opening it:
 *   DEVICE_READY          it offers PTP or MTP: open it;
 *   DEVICE_CHARGING_ONLY  a phone (its maker, or Android debugging, or Apple)
 *                         that offers neither: ask the person to switch;
 *   DEVICE_FAILED         not a phone or camera at all (a stick, a mouse): ignore. */
enum device_state device_usb_classify(const struct device_usb *u, enum device_kind *kind);
/* The maker of a phone by its USB vendor id ("Samsung"), or NULL. */
const char *device_usb_phone_vendor(uint16_t vendor);

#endif
