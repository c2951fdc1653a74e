/* PTP through libgphoto2 (Debian 12: 2.5.30, its ptp2 driver): iPhones,
 * cameras, Android phones in "transfer photos" mode, and any MTP phone
 * (ptp2 speaks MTP too: "ptp:" device paths read an Android phone or qemu's
 * usb-mtp device through this backend instead of libmtp).
 *
 * Read-only by construction: only opening, the storage list, folder and
 * file listings, file info, partial reads, previews and closing are called.
 * What ptp2 does underneath (checked in its 2.5.30 source):
 *   - Opening lists the top folder of every storage. On Apple devices it
 *     waits up to 3 x 3 s for the phone to be trusted (an untrusted iPhone
 *     offers a stand-in storage 0xfeedface, reported here as UNTRUSTED).
 *     For some camera makers it sets a remote or PC mode on open and close
 *     (Canon EOS, Sony, Fuji, Olympus, Leica): device settings, not objects.
 *   - Reading a Canon camera's picture clears its "new" flag on the camera
 *     (SetObjectArchive): a write. Canon devices are therefore never opened
 *     here (claims() 0, open() refuses); libmtp reads them.
 *   - Timeouts: 8 s per USB transfer while opening, then 20 s ("ptp2"
 *     normal_timeout in ~/.gphoto/settings may change it; nothing here
 *     does). Unplugged: libusb fails the next transfer at once
 *     (GP_ERROR_IO_USB_FIND).
 *   - Listing a folder: GetObjectHandles plus one GetObjectInfo per child
 *     not seen before (ptp2 caches object info for the session; a folder is
 *     read from the device once, later listings come from the cache).
 *   - Reading a range: GetPartialObject (32-bit offsets), or
 *     GetPartialObject64 on MTP devices that have it; without it nothing
 *     past 4 GiB can be read (DEVICE_ERR_UNSUPPORTED). ptp2 copies each
 *     reply out of a buffer it frees without wiping.
 *   - Previews: GetThumb, only for objects whose info announces a
 *     thumbnail (images); otherwise "not supported" without asking.
 *   - Objects are addressed by folder path and name, so this backend uses
 *     device_obj.rel and makes handles from it (device_usb_path_handle).
 * Nothing is printed: libgphoto2 logs only to registered log functions and
 * the context has none.
 */
#include "usb_internal.h"

#include <gphoto2/gphoto2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    USB_VENDOR_APPLE = 0x05ac,
    USB_VENDOR_CANON = 0x04a9,
    APPLE_UNTRUSTED_STORAGE = 0xfeedface,
    PTP_USB_HEADER = 12,
};

/* One request asks for at most this much (ptp2 allocates a reply of the
 * whole size, and its API takes 32-bit sizes). */
#define PTP_MAX_REQUEST (16u << 20)

struct ptp_conn {
    Camera *cam;
    GPContext *ctx;
    struct device_usb usb;
    enum device_kind kind;
    bool qemu;               /* qemu's usb-mtp device (46f4:0004): see ptp_request() */
};

/* libgphoto2 loads its drivers with libltdl, which is not thread-safe:
 * opening and closing are serialised, and the list of drivers is loaded
 * once. Reads on different devices run in parallel. */
static pthread_mutex_t ptp_lock = PTHREAD_MUTEX_INITIALIZER;
static CameraAbilitiesList *ptp_abilities;

static int ptp_claims(const struct device_usb *u)
{
    if (u->vendor == USB_VENDOR_CANON)
        return 0;
    if (u->ifaces & DEVICE_USB_IF_PTP)
        return (u->ifaces & DEVICE_USB_IF_MTP) ? 1 : 2;
    return (u->ifaces & DEVICE_USB_IF_MTP) ? 1 : 0;
}

static enum device_err gp_err(int r)
{
    switch (r) {
    case GP_ERROR_IO_USB_FIND: return DEVICE_ERR_GONE;
    case GP_ERROR_TIMEOUT: return DEVICE_ERR_TIMEOUT;
    case GP_ERROR_CAMERA_BUSY:
    case GP_ERROR_IO_USB_CLAIM:
    case GP_ERROR_IO_LOCK: return DEVICE_ERR_BUSY;
    case GP_ERROR_NOT_SUPPORTED: return DEVICE_ERR_UNSUPPORTED;
    case GP_ERROR_NO_MEMORY: return DEVICE_ERR_NOMEM;
    case GP_ERROR_FILE_NOT_FOUND:
    case GP_ERROR_DIRECTORY_NOT_FOUND:
    case GP_ERROR_BAD_PARAMETERS: return DEVICE_ERR_NOT_FOUND;
    default: return DEVICE_ERR_GONE; /* GP_ERROR_IO..., GP_ERROR: the device failed */
    }
}

static int ptp_fail(struct ptp_conn *c, int r, struct device_error *err, const char *what)
{
    enum device_err e = gp_err(r);
    /* A pulled cable may fail a transfer as plain I/O before libusb says
     * "no device", and the kernel forgets the device a moment later: its
     * view decides. */
    if (e == DEVICE_ERR_GONE || (e != DEVICE_ERR_TIMEOUT && !device_usb_present(&c->usb))) {
        if (device_usb_gone_soon(&c->usb, r == GP_ERROR_IO_USB_FIND ? 1000 : 300)) {
            device_usb_error(err, DEVICE_ERR_GONE, "PTP %s: the device was unplugged", what);
            return -1;
        }
    }
    device_usb_error(err, e, "PTP %s failed: %s (%d)", what, gp_result_as_string(r), r);
    return -1;
}

/* The store folder of a storage and, optionally, a path below it. */
static void store_path(char *out, size_t n, uint32_t storage, const char *rel, size_t rel_len)
{
    if (rel_len)
        snprintf(out, n, "/store_%08x/%.*s", (unsigned)storage, (int)rel_len, rel);
    else
        snprintf(out, n, "/store_%08x", (unsigned)storage);
}

/* ---- the probe ---- */

static void config_text(struct ptp_conn *c, const char *name, char *out, size_t n)
{
    out[0] = 0;
    CameraWidget *w = NULL;
    if (gp_camera_get_single_config(c->cam, name, &w, c->ctx) < GP_OK)
        return;
    const char *v = NULL;
    if (gp_widget_get_value(w, &v) >= GP_OK)
        device_usb_text(out, n, v);
    gp_widget_free(w);
}

/* Storages and state. -1 only when the device is gone or stopped
 * answering (a locked or untrusted device is a state, not an error). */
static int fill_storages(struct ptp_conn *c, struct device_probe *p, struct device_error *err)
{
    p->nstorages = 0;
    CameraStorageInformation *si = NULL;
    int nsi = 0;
    int r = gp_camera_get_storageinfo(c->cam, &si, &nsi, c->ctx);
    if (r < GP_OK) {
        enum device_err e = gp_err(r);
        if (e == DEVICE_ERR_TIMEOUT || !device_usb_present(&c->usb) || r == GP_ERROR_IO_USB_FIND)
            return ptp_fail(c, r, err, "storage list");
        nsi = 0; /* refused: locked or untrusted */
    }
    for (int i = 0; i < nsi && p->nstorages < DEVICE_PROBE_MAX_STORAGES; i++) {
        unsigned id = 0;
        if (!(si[i].fields & GP_STORAGEINFO_BASE) || sscanf(si[i].basedir, "/store_%8x", &id) != 1)
            continue;
        if ((id & 0xffff) == 0 || id == APPLE_UNTRUSTED_STORAGE)
            continue;
        struct device_probe_storage *o = &p->storages[p->nstorages++];
        o->id = id;
        const char *d = (si[i].fields & GP_STORAGEINFO_DESCRIPTION) ? si[i].description
                        : (si[i].fields & GP_STORAGEINFO_LABEL)     ? si[i].label
                                                                    : "";
        device_usb_text(o->description, sizeof(o->description), d);
        o->removable = (si[i].fields & GP_STORAGEINFO_STORAGETYPE) &&
                       (si[i].type == GP_STORAGEINFO_ST_REMOVABLE_RAM ||
                        si[i].type == GP_STORAGEINFO_ST_REMOVABLE_ROM);
        o->total_bytes = (si[i].fields & GP_STORAGEINFO_MAXCAPACITY) ? si[i].capacitykbytes * 1024 : 0;
        o->free_bytes = (si[i].fields & GP_STORAGEINFO_FREESPACEKBYTES) ? si[i].freekbytes * 1024 : 0;
        if (o->total_bytes && o->free_bytes > o->total_bytes)
            o->free_bytes = o->total_bytes; /* qemu's usb-mtp reports more free than total */
    }
    free(si);
    p->state = p->nstorages ? DEVICE_READY : c->kind == DEVICE_KIND_IPHONE ? DEVICE_UNTRUSTED : DEVICE_LOCKED;
    return 0;
}

static int fill_probe(struct ptp_conn *c, struct device_probe *p, struct device_error *err)
{
    memset(p, 0, sizeof(*p));
    p->kind = c->kind;
    config_text(c, "cameramodel", p->model, sizeof(p->model));
    if (!p->model[0])
        device_usb_text(p->model, sizeof(p->model), c->usb.product_name);
    const char *maker = device_usb_phone_vendor(c->usb.vendor);
    if (maker)
        device_usb_text(p->vendor, sizeof(p->vendor), maker);
    else
        config_text(c, "manufacturer", p->vendor, sizeof(p->vendor));
    if (!p->vendor[0])
        device_usb_text(p->vendor, sizeof(p->vendor), c->usb.manufacturer);
    config_text(c, "serialnumber", p->serial, sizeof(p->serial));
    if (!p->serial[0])
        device_usb_text(p->serial, sizeof(p->serial), c->usb.serial);
    return fill_storages(c, p, err);
}

/* ---- open / refresh / close ---- */

/* The driver entry gphoto2's own detection would pick, without probing
 * every USB device: ptp2's entry for this vendor/product (it carries the
 * device's quirk flags), else the generic PTP class entry. */
static int pick_abilities(const struct device_usb *u, CameraAbilities *a)
{
    int n = gp_abilities_list_count(ptp_abilities);
    int generic_ptp = -1, generic_mtp = -1;
    for (int i = 0; i < n; i++) {
        CameraAbilities x;
        if (gp_abilities_list_get_abilities(ptp_abilities, i, &x) < GP_OK || !strstr(x.library, "ptp2"))
            continue;
        if (x.port & GP_PORT_USB && x.usb_vendor == u->vendor && x.usb_product == u->product) {
            *a = x;
            return 0;
        }
        if (!strcmp(x.model, "USB PTP Class Camera"))
            generic_ptp = i;
        else if (!strcmp(x.model, "MTP Device"))
            generic_mtp = i;
    }
    int g = (u->ifaces & DEVICE_USB_IF_PTP) ? generic_ptp : generic_mtp;
    if (g < 0 || gp_abilities_list_get_abilities(ptp_abilities, g, a) < GP_OK)
        return -1;
    /* The PTP class entry finds the 06/01/01 interface by class. Apple and
     * vendor-class MTP devices are found by their ids instead (ptp2 needs
     * Apple's vendor id to wait for "Trust"). */
    if (u->vendor == USB_VENDOR_APPLE || !(u->ifaces & DEVICE_USB_IF_PTP)) {
        a->usb_vendor = u->vendor;
        a->usb_product = u->product;
    }
    return 0;
}

static int ptp_open(const struct device_backend *b, const struct device_usb *u, void **conn,
                    struct device_probe *probe, struct device_error *err)
{
    (void)b;
    *conn = NULL;
    memset(probe, 0, sizeof(*probe));
    if (u->vendor == USB_VENDOR_CANON) {
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                         "Canon devices are read through MTP (libgphoto2 would mark their pictures as read)");
        return -1;
    }
    if (device_usb_check_open(u, "/dev/bus/usb", err) != 0)
        return -1;
    struct ptp_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
        return -1;
    }
    c->usb = *u;
    c->qemu = u->vendor == 0x46f4 && u->product == 0x0004;
    device_usb_classify(u, &c->kind);

    int rc = -1, r;
    GPPortInfoList *il = NULL;
    pthread_mutex_lock(&ptp_lock);
    c->ctx = gp_context_new();
    if (!c->ctx) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!ptp_abilities) {
        if ((r = gp_abilities_list_new(&ptp_abilities)) < GP_OK ||
            (r = gp_abilities_list_load(ptp_abilities, c->ctx)) < GP_OK) {
            gp_abilities_list_free(ptp_abilities);
            ptp_abilities = NULL;
            device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "libgphoto2 has no camera drivers: %s",
                             gp_result_as_string(r));
            goto out;
        }
    }
    CameraAbilities a;
    if (pick_abilities(u, &a) != 0) {
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "libgphoto2's ptp2 driver is not installed");
        goto out;
    }
    /* Only this device's port: "usb:BBB,DDD". */
    char port[32];
    snprintf(port, sizeof(port), "usb:%03d,%03d", u->busnum, u->devnum);
    GPPortInfo info;
    int pi;
    if ((r = gp_port_info_list_new(&il)) < GP_OK || (r = gp_port_info_list_load(il)) < GP_OK ||
        (pi = gp_port_info_list_lookup_path(il, port)) < GP_OK ||
        (r = gp_port_info_list_get_info(il, pi, &info)) < GP_OK) {
        if (device_usb_gone_soon(u, 300))
            device_usb_error(err, DEVICE_ERR_GONE, "the device was unplugged while opening");
        else
            device_usb_error(err, DEVICE_ERR_GONE, "libgphoto2 does not list the USB port %s", port);
        goto out;
    }
    if ((r = gp_camera_new(&c->cam)) < GP_OK || (r = gp_camera_set_abilities(c->cam, a)) < GP_OK ||
        (r = gp_camera_set_port_info(c->cam, info)) < GP_OK) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "libgphoto2: %s", gp_result_as_string(r));
        goto out;
    }
    r = gp_camera_init(c->cam, c->ctx);
    if (r < GP_OK) {
        ptp_fail(c, r, err, "session");
        gp_camera_free(c->cam); /* init failed: nothing to exit */
        c->cam = NULL;
        goto out;
    }
    rc = 0;
out:
    if (il)
        gp_port_info_list_free(il);
    pthread_mutex_unlock(&ptp_lock);
    if (rc == 0 && fill_probe(c, probe, err) != 0)
        rc = -1;
    if (rc != 0) {
        if (c->cam) {
            pthread_mutex_lock(&ptp_lock);
            gp_camera_exit(c->cam, c->ctx);
            gp_camera_free(c->cam);
            pthread_mutex_unlock(&ptp_lock);
        }
        if (c->ctx)
            gp_context_unref(c->ctx);
        free(c);
        return -1;
    }
    *conn = c;
    return 0;
}

static int ptp_refresh(void *conn, struct device_probe *probe, struct device_error *err)
{
    struct ptp_conn *c = conn;
    return fill_probe(c, probe, err);
}

static void ptp_close(void *conn)
{
    struct ptp_conn *c = conn;
    if (!c)
        return;
    pthread_mutex_lock(&ptp_lock);
    if (c->cam) {
        gp_camera_exit(c->cam, c->ctx);
        gp_camera_free(c->cam);
    }
    pthread_mutex_unlock(&ptp_lock);
    if (c->ctx)
        gp_context_unref(c->ctx);
    free(c);
}

/* ---- listing ---- */

static bool bad_name(const char *n)
{
    return !n || !*n || strchr(n, '/') || !strcmp(n, ".") || !strcmp(n, "..");
}

static void wipe_str(char *s, size_t cap)
{
    if (s)
        explicit_bzero(s, cap);
}

static int ptp_list(void *conn, const struct device_obj *folder,
                    int (*emit)(void *ctx, const struct device_obj *child), void *ctx,
                    struct device_error *err)
{
    struct ptp_conn *c = conn;
    char dir[4096], rel[4096];
    const size_t plen = strlen(folder->rel);
    if (plen + 20 >= sizeof(dir)) {
        device_usb_error(err, DEVICE_ERR_INVALID, "PTP folder path too long");
        return -1;
    }
    store_path(dir, sizeof(dir), folder->storage, folder->rel, plen);
    CameraList *list = NULL;
    int rc = 0, r;
    if ((r = gp_list_new(&list)) < GP_OK) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
        return -1;
    }
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        const bool folders = pass == 0;
        gp_list_reset(list);
        r = folders ? gp_camera_folder_list_folders(c->cam, dir, list, c->ctx)
                    : gp_camera_folder_list_files(c->cam, dir, list, c->ctx);
        if (r < GP_OK) {
            rc = ptp_fail(c, r, err, "folder listing");
            break;
        }
        int n = gp_list_count(list);
        for (int i = 0; i < n && rc == 0; i++) {
            const char *name = NULL;
            if (gp_list_get_name(list, i, &name) < GP_OK || bad_name(name))
                continue;
            if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", folder->rel, plen ? "/" : "", name) >=
                sizeof(rel))
                continue;
            struct device_obj o = {
                .storage = folder->storage,
                .handle = device_usb_path_handle(folder->storage, rel),
                .rel = rel,
                .name = rel + (plen ? plen + 1 : 0),
                .folder = folders,
            };
            if (!folders) {
                CameraFileInfo fi;
                memset(&fi, 0, sizeof(fi));
                r = gp_camera_file_get_info(c->cam, dir, name, &fi, c->ctx);
                if (r < GP_OK) {
                    rc = ptp_fail(c, r, err, "file info");
                    break;
                }
                if (fi.file.fields & GP_FILE_INFO_SIZE)
                    o.size = fi.file.size;
                if ((fi.file.fields & GP_FILE_INFO_MTIME) && fi.file.mtime > 0)
                    o.mtime_ns = (int64_t)fi.file.mtime * 1000000000;
            }
            rc = emit(ctx, &o);
        }
    }
    /* A listing cut short by a pulled cable must not look complete. */
    if (rc == 0 && !device_usb_present(&c->usb)) {
        device_usb_error(err, DEVICE_ERR_GONE, "PTP folder listing: the device was unplugged");
        rc = -1;
    }
    wipe_str(rel, sizeof(rel));
    wipe_str(dir, sizeof(dir));
    gp_list_free(list);
    return rc;
}

/* ---- reading ---- */

/* How much to ask for at once. qemu's usb-mtp device (the test device)
 * stalls any USB read shorter than 12 bytes, and libgphoto2 reads a data
 * phase's last bytes with a request of exactly their size (after a first
 * 1024-byte read and whole 512-byte packets): a phase whose tail is 1-11
 * bytes long is split so that it is not (the rest comes with the next
 * request). Real devices answer short reads. */
static uint64_t ptp_request(const struct ptp_conn *c, const struct device_obj *o, uint64_t at, uint64_t want)
{
    if (!c->qemu || at >= o->size)
        return want;
    uint64_t eff = o->size - at < want ? o->size - at : want;
    uint64_t tail = (eff + PTP_USB_HEADER) % 512;
    if (eff + PTP_USB_HEADER > 1024 && tail >= 1 && tail < PTP_USB_HEADER)
        return eff - 16;
    return want;
}

/* The folder path and name of an object, from its rel. */
static int object_path(const struct device_obj *o, char *dir, size_t n, const char **name)
{
    const char *slash = strrchr(o->rel, '/');
    *name = slash ? slash + 1 : o->rel;
    size_t dl = slash ? (size_t)(slash - o->rel) : 0;
    if (dl + 20 >= n || !**name)
        return -1;
    store_path(dir, n, o->storage, o->rel, dl);
    return 0;
}

static int ptp_read(void *conn, const struct device_obj *o, uint64_t off, void *buf, size_t n, size_t *got,
                    struct device_error *err)
{
    struct ptp_conn *c = conn;
    *got = 0;
    char dir[4096];
    const char *name;
    if (o->folder || object_path(o, dir, sizeof(dir), &name) != 0) {
        device_usb_error(err, DEVICE_ERR_INVALID, "PTP read: not a file path");
        return -1;
    }
    /* PTP's 32-bit size 0xFFFFFFFF means "4 GiB or more"; ptp2 learns the
     * real size only from GetObjPropList (Android has it, qemu not).
     * Reading up to that point would end a bigger file there, silently. */
    if (o->size == 0xffffffffu && off + n >= o->size) {
        explicit_bzero(dir, sizeof(dir));
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                         "the device gives this file's size only as \"4 GiB or more\" (no GetObjPropList): "
                         "its end cannot be read through libgphoto2");
        return -1;
    }
    int rc = 0;
    /* ptp2 refuses to read empty objects ("not supported"): nothing to read. */
    while (o->size && *got < n && off + *got < o->size) {
        uint64_t want = n - *got;
        if (want > PTP_MAX_REQUEST)
            want = PTP_MAX_REQUEST;
        const uint64_t at = off + *got;
        want = ptp_request(c, o, at, want);
        uint64_t size = want;
        int r = gp_camera_file_read(c->cam, dir, name, GP_FILE_TYPE_NORMAL, at, (char *)buf + *got, &size,
                                    c->ctx);
        if (r < GP_OK) {
            if (r == GP_ERROR_NOT_SUPPORTED && at > 0xffffffffu && device_usb_present(&c->usb)) {
                device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                                 "this device cannot read past 4 GiB of a file (it has GetPartialObject but "
                                 "not GetPartialObject64)");
                rc = -1;
            } else if (r == GP_ERROR_NOT_SUPPORTED && device_usb_present(&c->usb)) {
                device_usb_error(err, DEVICE_ERR_UNSUPPORTED,
                                 "this device cannot read part of a file (no GetPartialObject)");
                rc = -1;
            } else {
                rc = ptp_fail(c, r, err, "read");
            }
            break;
        }
        if (size > want)
            size = want;
        if (size == 0)
            break;
        *got += (size_t)size;
    }
    explicit_bzero(dir, sizeof(dir));
    return rc;
}

static int ptp_thumbnail(void *conn, const struct device_obj *o, uint8_t **data, size_t *len,
                         struct device_error *err)
{
    struct ptp_conn *c = conn;
    *data = NULL;
    *len = 0;
    char dir[4096];
    const char *name;
    if (o->folder || object_path(o, dir, sizeof(dir), &name) != 0) {
        device_usb_error(err, DEVICE_ERR_INVALID, "PTP thumbnail: not a file path");
        return -1;
    }
    CameraFile *f = NULL;
    int rc = -1;
    int r = gp_file_new(&f);
    if (r < GP_OK) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
        goto out;
    }
    r = gp_camera_file_get(c->cam, dir, name, GP_FILE_TYPE_PREVIEW, f, c->ctx);
    if (r < GP_OK) {
        if (r == GP_ERROR_NOT_SUPPORTED || (gp_err(r) == DEVICE_ERR_GONE && device_usb_present(&c->usb) &&
                                            r != GP_ERROR_IO_USB_FIND))
            device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "the device offers no thumbnail for this object");
        else
            ptp_fail(c, r, err, "thumbnail");
        goto out;
    }
    const char *d = NULL;
    unsigned long n = 0;
    if (gp_file_get_data_and_size(f, &d, &n) < GP_OK || !d || !n) {
        device_usb_error(err, DEVICE_ERR_UNSUPPORTED, "the device offers no thumbnail for this object");
        goto out;
    }
    *data = malloc(n);
    if (!*data) {
        device_usb_error(err, DEVICE_ERR_NOMEM, "out of memory");
    } else {
        memcpy(*data, d, n);
        *len = n;
        rc = 0;
    }
    explicit_bzero((void *)d, n); /* the CameraFile's own copy of the picture */
out:
    if (f)
        gp_file_free(f);
    explicit_bzero(dir, sizeof(dir));
    return rc;
}

static const struct device_backend ptp_backend = {
    .kind = DEVICE_BACKEND_PTP,
    .scheme = "ptp",
    .claims = ptp_claims,
    .open = ptp_open,
    .refresh = ptp_refresh,
    .list = ptp_list,
    .read = ptp_read,
    .thumbnail = ptp_thumbnail,
    .close = ptp_close,
};

const struct device_backend *device_backend_ptp(void)
{
    return &ptp_backend;
}
