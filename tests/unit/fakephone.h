/* Fake phones for tests: folders on disk served through the device layer's
 * backend interface (device_backend.h) the way a phone serves its files
 * over MTP: storages, object handles, one folder listed at a time, partial
 * reads, the device's own thumbnails where asked, a delay per request, and
 * the states a real phone goes through (charging only, locked, not
 * answering, unplugged in the middle of a read).
 *
 * It speeds up the unit and flow tests; the real backends are proved on
 * qemu's own MTP device in the image's boot test, never by this.
 *
 * Usage:
 *   1. fp = fakephones_create(); put fakephones_backend(fp) in
 *      device_options.backends (a NULL-terminated list) before
 *      devices_create().
 *   2. i = fakephone_plug(fp, &desc): a phone appears at the next rescan
 *      (devices_rescan(d), or the watcher's own within rescan_ms).
 *   3. fakephone_set(fp, i, FAKEPHONE_LOCKED ...), fakephone_unplug(fp, i),
 *      then devices_rescan(d) again where the device list must change.
 *   4. fakephones_destroy(fp) after devices_destroy().
 */
#ifndef HIFAZAT_FAKEPHONE_H
#define HIFAZAT_FAKEPHONE_H

#include "device_backend.h"

#include <stdbool.h>
#include <stdint.h>

struct fakephone_storage {
    const char *dir;          /* the folder served as this storage (copied) */
    const char *description;  /* "Internal shared storage", "SD card" */
    bool removable;
};

struct fakephone {
    const char *model;        /* "Galaxy A14" */
    const char *vendor;       /* "Samsung" */
    const char *serial;       /* USB serial (the KEY of its paths when it is clean) */
    uint16_t usb_vendor, usb_product; /* default 0x04e8 / 0x6860 */
    int nstorages;            /* 1..4 */
    struct fakephone_storage storages[4];
    int delay_us;             /* per request, like a USB round trip */
    int list_delay_us;        /* before a listing's first object (libmtp answers a folder
                                 only when it has read all of it) */
    bool thumbnails;          /* .jpg files have the device's own thumbnail (a real
                                 phone's is a small JPEG; the file itself stands in) */
    bool charging_only;       /* offers neither MTP nor PTP (only ADB) */
    bool apple;               /* an iPhone (vendor 0x05ac, PTP) */
};

enum fakephone_state {
    FAKEPHONE_READY,
    FAKEPHONE_LOCKED,         /* opens, offers no storage (refresh finds them once READY) */
    FAKEPHONE_HANG,           /* the next request blocks until the state changes */
    FAKEPHONE_GONE_AFTER,     /* reads fail with GONE once gone_after_bytes were read */
    FAKEPHONE_BUSY,           /* opening fails: another program has it (asked again) */
    FAKEPHONE_REFUSED,        /* opening fails: no permission (given up) */
};

struct fakephone_stats {
    unsigned opens, lists, reads, thumbs, refreshes;
    uint64_t bytes_read;
    unsigned max_read;        /* largest read request, bytes */
    bool held;                /* a listing waits at its hold now */
    unsigned holding;         /* listings waiting now (fakephone_hold) */
};

struct fakephones;
struct fakephones *fakephones_create(void);
void fakephones_destroy(struct fakephones *fp);
const struct device_backend *fakephones_backend(struct fakephones *fp);

/* The phone's index, or -1. */
int fakephone_plug(struct fakephones *fp, const struct fakephone *desc);
void fakephone_unplug(struct fakephones *fp, int i);
void fakephone_set(struct fakephones *fp, int i, enum fakephone_state s);
void fakephone_gone_after(struct fakephones *fp, int i, uint64_t bytes);
/* Listings stop after n objects until fakephone_release(): a test can look
 * at what reached the caller meanwhile. n < 0: no hold. */
void fakephone_hold_list(struct fakephones *fp, int i, int n);
void fakephone_release(struct fakephones *fp, int i);
/* Listing a folder at rel (below its storage's top, "Android") or below it
 * waits until the hold is lifted (rel NULL or ""), as a phone still reading
 * a large folder would; fakephone_stats().holding says a listing waits.
 * The phone's other requests wait behind it, as on a real phone. */
void fakephone_hold(struct fakephones *fp, int i, const char *rel);
void fakephone_stats(struct fakephones *fp, int i, struct fakephone_stats *st);

#endif
