/* MTP through libmtp (Debian 12: 1.1.20): Android phones, and any PTP
 * camera, read in place.
 *
 * Read-only by construction: the only libmtp calls here are opening an
 * uncached session, the storage list, one folder's listing, partial object
 * reads, thumbnails and closing. None of them sends, deletes, renames or
 * edits an object; no call that does is linked.
 *
 * What libmtp does underneath (checked in its 1.1.20 source):
 *   - Opening: only the device at the given bus/device number is touched
 *     (LIBMTP_Detect_Raw_Devices would open every USB device to probe its
 *     descriptors, so it is not used: the raw device is made here from
 *     sysfs, with libmtp's own quirk flags for its vendor/product).
 *   - Timeouts: every USB transfer has one: 5 s while the session is being
 *     opened, then 20 s (60 s for devices libmtp flags LONG_TIMEOUT). A
 *     phone that stops answering fails the call after that long; the device
 *     layer above gives up waiting sooner (device_options.timeout_ms). There
 *     is no public way to change them.
 *   - Unplugged: libusb fails the next transfer at once (no timeout); the
 *     kernel forgets the device a moment later, which is how GONE is told
 *     apart from other failures (libmtp keeps no error code for reads).
 *   - Listing a folder costs one GetObjectHandles plus one GetObjectInfo per
 *     child, and on devices with MTP object properties (Android, qemu) up
 *     to two more round trips per child for the 64-bit size: a folder of N
 *     files is ~N-3N transactions, all done before the first entry is
 *     returned.
 *   - Reading a range is one GetPartialObject (32-bit offsets), or
 *     GetPartialObject64 when the phone has it (Android). A device with only
 *     the 32-bit one cannot be read past 4 GiB: such reads fail with
 *     DEVICE_ERR_UNSUPPORTED, saying so. Each read also costs the object's
 *     size check (cached info, plus up to two round trips).
 *   - File bytes pass through buffers inside libmtp that it frees without
 *     wiping (a 16 KiB bounce buffer, and the reply buffer it grows with
 *     realloc); the reply buffer handed to us is wiped here before it is
 *     freed. Names are cached inside libmtp until the device is closed.
 *   - libmtp prints some notices on stdout ("Android device detected...",
 *     "Reading in zero packet after header") and errors on stderr, never a
 *     file name on the paths used here. Programs whose stdout carries
 *     results (the CLI) point fd 1 elsewhere while devices are open.
 */
#include "usb_internal.h"

#include <libmtp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    PTP_ST_FIXED_ROM = 0x0001,
    PTP_ST_REMOVABLE_ROM = 0x0002,
    PTP_ST_FIXED_RAM = 0x0003,
    PTP_ST_REMOVABLE_RAM = 0x0004,
    /* PTP response codes libmtp leaves in its error stack text */
    PTP_RC_ACCESS_DENIED = 0x200f,
    PTP_RC_DEVICE_BUSY = 0x2019,
    PTP_RC_INVALID_OBJECT_HANDLE = 0x2009,
    PTP_RC_INVALID_STORAGE_ID = 0x2008,
    PTP_RC_STORE_NOT_AVAILABLE = 0x2013,
    PTP_RC_OPERATION_NOT_SUPPORTED = 0x2005,
    PTP_ERROR_TIMEOUT = 0x02fa,
    USB_VENDOR_APPLE = 0x05ac,
    USB_VENDOR_CANON = 0x04a9,
    PTP_USB_HEADER = 12,
};

/* libmtp's longest per-transfer timeout (LONG_TIMEOUT devices): a failed
 * call that took about this long timed out. */
#define MTP_TRANSFER_TIMEOUT_MS 20000
/* One GetPartialObject asks for at most this much (libmtp allocates a reply
 * buffer of the whole size). */
#define MTP_MAX_REQUEST (16u << 20)

struct mtp_conn {
    LIBMTP_mtpdevice_t *dev;
    struct device_usb usb;
    enum device_kind kind;
    uint32_t flags;          /* libmtp's quirk flags for this vendor/product */
    bool qemu;               /* qemu's usb-mtp device (46f4:0004): see mtp_request() */
};

static pthread_once_t mtp_once = PTHREAD_ONCE_INIT;
/* libmtp's libusb context is made on first use without a lock: opens are
 * serialised (reads on different devices are not). */
static pthread_mutex_t mtp_open_lock = PTHREAD_MUTEX_INITIALIZER;

static void mtp_init(void)
{
    LIBMTP_Init();
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wipe_free(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n);
    free(p);
}

/* The PTP code of the newest "PTP Layer error XXXX" in libmtp's error stack
 * (0: none), and whether some entry mentions `needle`. */
static unsigned stack_code(LIBMTP_mtpdevice_t *dev, const char *needle, bool *has)
{
    unsigned code = 0;
    if (has)
        *has = false;
    for (LIBMTP_error_t *e = LIBMTP_Get_Errorstack(dev); e; e = e->next) {
        const char *t = e->error_text ? e->error_text : "";
        unsigned c;
        if (sscanf(t, "PTP Layer error %4x", &c) == 1)
            code = c;
        if (needle && has && strstr(t, needle))
            *has = true;
    }
    return code;
}

/* Why a call failed: the device is gone, it stopped answering, or it said
 * no (the PTP code when libmtp kept one). */
static int mtp_fail(struct mtp_conn *c, struct device_error *err, int64_t t0, const char *what)
{
    unsigned code = stack_code(c->dev, NULL, NULL);
    LIBMTP_Clear_Errorstack(c->dev);
    if (device_usb_gone_soon(&c->usb, 1000)) {
        device_usb_error(err, DEVICE_ERR_GONE, "MTP %s: the phone was unplugged", what);
        return -1;
    }
    switch (code) {
    case PTP_RC_ACCESS_DENIED:
        device_usb_error(err, DEVICE_ERR_LOCKED, "MTP %s: access denied (0x%04x): the phone is locked", what,
                         code);
        return -1;
    case PTP_RC_DEVICE_BUSY:
        device_usb_error(err, DEVICE_ERR_BUSY, "MTP %s: the phone is busy (0x%04x)", what, code);
        return -1;
    case PTP_RC_INVALID_OBJECT_HANDLE:
    case PTP_RC_INVALID_STORAGE_ID:
    case PTP_RC_STORE_NOT_AVAILABLE:
        device_usb_error(err, DEVICE_ERR_NOT_FOUND, "MTP %s: no such object or storage (0x%04x)", what, code);
        return -1;
    case PTP_RC_OPERATION_NOT_SUPPORTED:
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "MTP %s: the phone does not support it (0x%04x)", what,
                         code);
        return -1;
    case PTP_ERROR_TIMEOUT:
        device_usb_error(err, DEVICE_ERR_TIMEOUT, "MTP %s: a USB transfer timed out", what);
        return -1;
    default:
        break;
    }
    if (now_ms() - t0 >= MTP_TRANSFER_TIMEOUT_MS - 1000) {
        device_usb_error(err, DEVICE_ERR_TIMEOUT, "MTP %s: the phone did not answer for %lld ms", what,
                         (long long)(now_ms() - t0));
        return -1;
    }
    if (code)
        device_usb_error(err, DEVICE_ERR_GONE, "MTP %s failed (PTP 0x%04x)", what, code);
    else
        device_usb_error(err, DEVICE_ERR_GONE, "MTP %s failed (libmtp gives no reason)", what);
    return -1;
}

/* ---- claims ---- */

static int mtp_claims(const struct device_usb *u)
{
    if (u->ifaces & DEVICE_USB_IF_MTP)
        return 2;
    if (!(u->ifaces & DEVICE_USB_IF_PTP))
        return 0;
    /* libgphoto2 clears a Canon picture's "new" flag when it reads it (a
     * write): Canon cameras are read here instead, where nothing is
     * written. Other PTP devices (iPhones, cameras) prefer libgphoto2. */
    if (u->vendor == USB_VENDOR_CANON)
        return 2;
    return 1;
}

/* ---- the probe ---- */

static void fill_probe(struct mtp_conn *c, struct device_probe *p)
{
    memset(p, 0, sizeof(*p));
    p->kind = c->kind;
    char *s = LIBMTP_Get_Modelname(c->dev);
    device_usb_text(p->model, sizeof(p->model), s);
    free(s);
    if (!p->model[0])
        device_usb_text(p->model, sizeof(p->model), c->usb.product_name);
    const char *maker = device_usb_phone_vendor(c->usb.vendor);
    if (maker) {
        device_usb_text(p->vendor, sizeof(p->vendor), maker);
    } else {
        s = LIBMTP_Get_Manufacturername(c->dev);
        device_usb_text(p->vendor, sizeof(p->vendor), s && *s ? s : c->usb.manufacturer);
        free(s);
    }
    s = LIBMTP_Get_Serialnumber(c->dev);
    device_usb_text(p->serial, sizeof(p->serial), s && *s ? s : c->usb.serial);
    free(s);

    for (LIBMTP_devicestorage_t *st = c->dev->storage; st && p->nstorages < DEVICE_PROBE_MAX_STORAGES;
         st = st->next) {
        /* PTP: a storage id whose low half is 0 has no medium in it. */
        if ((st->id & 0xffff) == 0)
            continue;
        struct device_probe_storage *o = &p->storages[p->nstorages++];
        o->id = st->id;
        device_usb_text(o->description, sizeof(o->description),
                        st->StorageDescription && *st->StorageDescription ? st->StorageDescription
                                                                         : st->VolumeIdentifier);
        o->removable = st->StorageType == PTP_ST_REMOVABLE_RAM || st->StorageType == PTP_ST_REMOVABLE_ROM;
        o->total_bytes = st->MaxCapacity == UINT64_MAX ? 0 : st->MaxCapacity;
        o->free_bytes = st->FreeSpaceInBytes == UINT64_MAX ? 0 : st->FreeSpaceInBytes;
        if (o->total_bytes && o->free_bytes > o->total_bytes)
            o->free_bytes = o->total_bytes; /* qemu's usb-mtp reports more free than total */
    }
    /* A session but no storage: Android keeps its storages to itself until
     * the phone is unlocked; an iPhone until it trusts this computer. */
    p->state = p->nstorages ? DEVICE_READY : c->kind == DEVICE_KIND_IPHONE ? DEVICE_UNTRUSTED : DEVICE_LOCKED;
}

/* ---- open / refresh / close ---- */

static int mtp_open(const struct device_backend *b, const struct device_usb *u, void **conn,
                    struct device_probe *probe, struct device_error *err)
{
    (void)b;
    *conn = NULL;
    memset(probe, 0, sizeof(*probe));
    pthread_once(&mtp_once, mtp_init);
    if (device_usb_check_open(u, "/dev/bus/usb", err) != 0)
        return -1;
    struct mtp_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
        return -1;
    }
    c->usb = *u;
    c->qemu = u->vendor == 0x46f4 && u->product == 0x0004;
    device_usb_classify(u, &c->kind);

    /* The raw device libmtp would have found, with its quirk flags, without
     * its probing of every USB device on the machine. */
    LIBMTP_raw_device_t raw;
    memset(&raw, 0, sizeof(raw));
    raw.bus_location = (uint32_t)u->busnum;
    raw.devnum = (uint8_t)u->devnum;
    raw.device_entry.vendor_id = u->vendor;
    raw.device_entry.product_id = u->product;
    LIBMTP_device_entry_t *table = NULL;
    int ntable = 0;
    if (LIBMTP_Get_Supported_Devices_List(&table, &ntable) == 0)
        for (int i = 0; i < ntable; i++)
            if (table[i].vendor_id == u->vendor && table[i].product_id == u->product) {
                raw.device_entry = table[i];
                break;
            }
    c->flags = raw.device_entry.device_flags;

    pthread_mutex_lock(&mtp_open_lock);
    c->dev = LIBMTP_Open_Raw_Device_Uncached(&raw);
    pthread_mutex_unlock(&mtp_open_lock);
    if (!c->dev) {
        /* libmtp does not say why: ask the kernel. */
        if (device_usb_gone_soon(u, 500))
            device_usb_error(err, DEVICE_ERR_GONE, "the phone was unplugged while opening");
        else if (device_usb_check_open(u, "/dev/bus/usb", err) == 0)
            device_usb_error(err, DEVICE_ERR_GONE, "libmtp could not open an MTP session");
        free(c);
        return -1;
    }
    LIBMTP_Clear_Errorstack(c->dev);
    fill_probe(c, probe);
    *conn = c;
    return 0;
}

static int mtp_refresh(void *conn, struct device_probe *probe, struct device_error *err)
{
    struct mtp_conn *c = conn;
    int64_t t0 = now_ms();
    LIBMTP_Clear_Errorstack(c->dev);
    if (LIBMTP_Get_Storage(c->dev, LIBMTP_STORAGE_SORTBY_NOTSORTED) < 0) {
        /* No storage at all is not an error (a locked phone), a dead one is. */
        if (device_usb_gone_soon(&c->usb, 500) || stack_code(c->dev, NULL, NULL) == PTP_ERROR_TIMEOUT ||
            now_ms() - t0 >= MTP_TRANSFER_TIMEOUT_MS - 1000)
            return mtp_fail(c, err, t0, "storage list");
        LIBMTP_Clear_Errorstack(c->dev);
    }
    fill_probe(c, probe);
    return 0;
}

static void mtp_close(void *conn)
{
    struct mtp_conn *c = conn;
    if (!c)
        return;
    if (c->dev)
        LIBMTP_Release_Device(c->dev);
    free(c);
}

/* ---- listing ---- */

/* A name that cannot be a path component (MTP allows anything). */
static bool bad_name(const char *n)
{
    return !n || !*n || strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..");
}

static int mtp_list(void *conn, const struct device_obj *folder,
                    int (*emit)(void *ctx, const struct device_obj *child), void *ctx,
                    struct device_error *err)
{
    struct mtp_conn *c = conn;
    const uint32_t parent = folder->handle ? (uint32_t)folder->handle : LIBMTP_FILES_AND_FOLDERS_ROOT;
    int64_t t0 = now_ms();
    LIBMTP_Clear_Errorstack(c->dev);
    LIBMTP_file_t *files = LIBMTP_Get_Files_And_Folders(c->dev, folder->storage, parent);
    if (!files && LIBMTP_Get_Errorstack(c->dev))
        return mtp_fail(c, err, t0, "folder listing");
    /* libmtp skips children whose info it could not read, so a listing cut
     * short by a pulled cable looks complete: one more request tells. */
    LIBMTP_Clear_Errorstack(c->dev);
    if (!device_usb_present(&c->usb) ||
        (LIBMTP_Get_Storage(c->dev, LIBMTP_STORAGE_SORTBY_NOTSORTED) < 0 && device_usb_gone_soon(&c->usb, 500))) {
        while (files) {
            LIBMTP_file_t *next = files->next;
            LIBMTP_destroy_file_t(files);
            files = next;
        }
        LIBMTP_Clear_Errorstack(c->dev);
        device_usb_error(err, DEVICE_ERR_GONE, "MTP folder listing: the phone was unplugged");
        return -1;
    }
    LIBMTP_Clear_Errorstack(c->dev);

    int rc = 0;
    char *rel = NULL;
    size_t relcap = 0;
    const size_t plen = strlen(folder->rel);
    for (LIBMTP_file_t *f = files; f; f = f->next) {
        if (rc != 0 || bad_name(f->filename))
            continue;
        size_t nl = strlen(f->filename);
        size_t need = plen + 1 + nl + 1;
        if (need > relcap) {
            char *nr = malloc(need);
            if (!nr) {
                device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
                rc = -1;
                continue;
            }
            if (rel)
                wipe_free(rel, relcap);
            rel = nr;
            relcap = need;
        }
        if (plen)
            snprintf(rel, relcap, "%s/%s", folder->rel, f->filename);
        else
            memcpy(rel, f->filename, nl + 1);
        struct device_obj o = {
            .storage = f->storage_id,
            .handle = f->item_id,
            .rel = rel,
            .name = rel + (plen ? plen + 1 : 0),
            .folder = f->filetype == LIBMTP_FILETYPE_FOLDER,
            .size = f->filetype == LIBMTP_FILETYPE_FOLDER ? 0 : f->filesize,
            .mtime_ns = f->modificationdate > 0 ? (int64_t)f->modificationdate * 1000000000 : 0,
        };
        int r = emit(ctx, &o);
        if (r != 0)
            rc = r;
    }
    if (rel)
        wipe_free(rel, relcap);
    while (files) {
        LIBMTP_file_t *next = files->next;
        if (files->filename)
            explicit_bzero(files->filename, strlen(files->filename));
        LIBMTP_destroy_file_t(files);
        files = next;
    }
    return rc;
}

/* ---- reading ---- */

/* How much to ask for at once. qemu's usb-mtp device (the test device)
 * sends no zero-length packet when a data phase ends on a USB packet
 * boundary: libmtp then takes the response for the packet it waits for and
 * times out. Its data phases are therefore kept off those boundaries (the
 * rest comes with the next request). Real phones send the packet. */
static size_t mtp_request(const struct mtp_conn *c, const struct device_obj *o, uint64_t at, size_t want)
{
    if (!c->qemu || at >= o->size)
        return want;
    uint64_t eff = o->size - at < want ? o->size - at : want;
    if (eff > 16 && (eff + PTP_USB_HEADER) % 512 == 0)
        return (size_t)eff - 16;
    return want;
}

static int mtp_read(void *conn, const struct device_obj *o, uint64_t off, void *buf, size_t n, size_t *got,
                    struct device_error *err)
{
    struct mtp_conn *c = conn;
    *got = 0;
    if (o->folder || !o->handle) {
        device_usb_error(err, DEVICE_ERR_INVALID, "MTP read of a folder");
        return -1;
    }
    /* PTP's 32-bit size 0xFFFFFFFF means "4 GiB or more" (a device without
     * 64-bit object sizes): reading up to that point would end a bigger
     * file there, silently. */
    if (o->size == 0xffffffffu && off + n >= o->size) {
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                         "the device gives this file's size only as \"4 GiB or more\": its end cannot be read");
        return -1;
    }
    while (*got < n) {
        const uint64_t at = off + *got;
        size_t want = n - *got;
        if (want > MTP_MAX_REQUEST)
            want = MTP_MAX_REQUEST;
        want = mtp_request(c, o, at, want);
        unsigned char *data = NULL;
        unsigned int len = 0;
        int64_t t0 = now_ms();
        LIBMTP_Clear_Errorstack(c->dev);
        int r = LIBMTP_GetPartialObject(c->dev, (uint32_t)o->handle, at, (uint32_t)want, &data, &len);
        if (r != 0) {
            wipe_free(data, len);
            bool no64 = false;
            stack_code(c->dev, "32bit offsets", &no64);
            if (no64) {
                LIBMTP_Clear_Errorstack(c->dev);
                device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                                 "this device cannot read past 4 GiB of a file (it has GetPartialObject "
                                 "but not GetPartialObject64)");
                return -1;
            }
            return mtp_fail(c, err, t0, "read");
        }
        size_t take = len < want ? len : want;
        if (take)
            memcpy((unsigned char *)buf + *got, data, take);
        wipe_free(data, len);
        if (take == 0)
            break; /* the end of the object */
        *got += take;
    }
    return 0;
}

static int mtp_thumbnail(void *conn, const struct device_obj *o, uint8_t **data, size_t *len,
                         struct device_error *err)
{
    struct mtp_conn *c = conn;
    *data = NULL;
    *len = 0;
    unsigned char *d = NULL;
    unsigned int n = 0;
    int64_t t0 = now_ms();
    LIBMTP_Clear_Errorstack(c->dev);
    if (LIBMTP_Get_Thumbnail(c->dev, (uint32_t)o->handle, &d, &n) != 0 || !d || !n) {
        wipe_free(d, n);
        /* libmtp keeps no reason: no GetThumb at all (qemu), no thumbnail
         * for this object (videos), or a dead device. Only the last is
         * worth more than a cheap look at sysfs. */
        if (!device_usb_present(&c->usb) || now_ms() - t0 >= MTP_TRANSFER_TIMEOUT_MS - 1000)
            return mtp_fail(c, err, t0, "thumbnail");
        LIBMTP_Clear_Errorstack(c->dev);
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "the device offers no thumbnail for this object");
        return -1;
    }
    *data = d;
    *len = n;
    return 0;
}

static const struct device_backend mtp_backend = {
    .kind = DEVICE_BACKEND_MTP,
    .scheme = "mtp",
    .claims = mtp_claims,
    .open = mtp_open,
    .refresh = mtp_refresh,
    .list = mtp_list,
    .read = mtp_read,
    .thumbnail = mtp_thumbnail,
    .close = mtp_close,
};

const struct device_backend *device_backend_mtp(void)
{
    return &mtp_backend;
}
