/* Fake phones (fakephone.h). */
#include "fakephone.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MAX_PHONES = 32, THUMB_HEAD = 64 * 1024 };

struct obj {
    uint64_t handle;
    uint32_t storage;
    char *abs; /* the file on disk */
};

struct phone {
    bool used, plugged;
    struct fakephone desc;
    char model[128], vendor[128], serial[128];
    char dirs[4][1024], descs[4][128];
    enum fakephone_state state;
    uint64_t gone_after, read_so_far;
    char hold[256];          /* listings of folders below this wait (fakephone_hold) */
    struct fakephone_stats st;
    int hold_after;           /* < 0: none */
    bool released;
    struct obj *objs;
    size_t nobjs, cap;
    uint64_t next_handle;
    unsigned plug_gen;
};

struct fakephones {
    struct device_backend be;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct phone p[MAX_PHONES];
};

struct conn {
    struct fakephones *fp;
    int i;
    unsigned plug_gen;
};

static void sleep_us(int us)
{
    if (us <= 0)
        return;
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* Waits while the phone hangs (lock held); false when it is unplugged. */
static bool alive_locked(struct fakephones *fp, const struct conn *c)
{
    struct phone *p = &fp->p[c->i];
    while (p->plugged && p->plug_gen == c->plug_gen && p->state == FAKEPHONE_HANG)
        pthread_cond_wait(&fp->cond, &fp->lock);
    return p->plugged && p->plug_gen == c->plug_gen;
}

static int gone(struct device_error *err)
{
    err->code = DEVICE_ERR_GONE;
    snprintf(err->detail, sizeof(err->detail), "fake phone unplugged");
    return -1;
}

/* ---- the backend ---- */

static void fp_scan(const struct device_backend *b, void (*found)(void *ctx, const struct device_usb *u),
                    void *ctx)
{
    struct fakephones *fp = b->ctx;
    pthread_mutex_lock(&fp->lock);
    for (int i = 0; i < MAX_PHONES; i++) {
        const struct phone *p = &fp->p[i];
        if (!p->plugged)
            continue;
        struct device_usb u;
        memset(&u, 0, sizeof(u));
        snprintf(u.ident, sizeof(u.ident), "fake%d.%u", i, p->plug_gen);
        u.busnum = 9;
        u.devnum = i + 1;
        u.vendor = p->desc.apple ? 0x05ac : p->desc.usb_vendor ? p->desc.usb_vendor : 0x04e8;
        u.product = p->desc.usb_product ? p->desc.usb_product : 0x6860;
        snprintf(u.manufacturer, sizeof(u.manufacturer), "%s", p->vendor);
        snprintf(u.product_name, sizeof(u.product_name), "%s", p->model);
        snprintf(u.serial, sizeof(u.serial), "%s", p->serial);
        u.ifaces = p->desc.charging_only ? DEVICE_USB_IF_ADB
                   : p->desc.apple       ? DEVICE_USB_IF_PTP | DEVICE_USB_IF_APPLE_MUX
                                         : DEVICE_USB_IF_PTP | DEVICE_USB_IF_MTP;
        found(ctx, &u);
    }
    pthread_mutex_unlock(&fp->lock);
}

static void fill_probe(const struct phone *p, struct device_probe *probe)
{
    memset(probe, 0, sizeof(*probe));
    probe->kind = p->desc.apple ? DEVICE_KIND_IPHONE : DEVICE_KIND_PHONE;
    snprintf(probe->model, sizeof(probe->model), "%s", p->model);
    snprintf(probe->vendor, sizeof(probe->vendor), "%s", p->vendor);
    snprintf(probe->serial, sizeof(probe->serial), "%s", p->serial);
    if (p->state == FAKEPHONE_LOCKED) {
        probe->state = p->desc.apple ? DEVICE_UNTRUSTED : DEVICE_LOCKED;
        return;
    }
    probe->state = DEVICE_READY;
    for (int s = 0; s < p->desc.nstorages; s++) {
        struct device_probe_storage *ps = &probe->storages[probe->nstorages++];
        ps->id = 0x10001u + (uint32_t)s * 0x10000u;
        snprintf(ps->description, sizeof(ps->description), "%s", p->descs[s]);
        ps->removable = p->desc.storages[s].removable;
        ps->total_bytes = 64ull << 30;
        ps->free_bytes = 20ull << 30;
    }
}

static int fp_open(const struct device_backend *b, const struct device_usb *u, void **conn,
                   struct device_probe *probe, struct device_error *err)
{
    struct fakephones *fp = b->ctx;
    int i = -1;
    unsigned gen = 0;
    if (sscanf(u->ident, "fake%d.%u", &i, &gen) != 2 || i < 0 || i >= MAX_PHONES)
        return gone(err);
    pthread_mutex_lock(&fp->lock);
    struct phone *p = &fp->p[i];
    struct conn c = {.fp = fp, .i = i, .plug_gen = gen};
    if (!alive_locked(fp, &c)) {
        pthread_mutex_unlock(&fp->lock);
        return gone(err);
    }
    p->st.opens++;
    sleep_us(p->desc.delay_us);
    if (p->state == FAKEPHONE_BUSY || p->state == FAKEPHONE_REFUSED) {
        const bool busy = p->state == FAKEPHONE_BUSY;
        pthread_mutex_unlock(&fp->lock);
        err->code = busy ? DEVICE_ERR_BUSY : DEVICE_ERR_ACCESS;
        snprintf(err->detail, sizeof(err->detail), "fake phone %s", busy ? "busy" : "refused");
        return -1;
    }
    fill_probe(p, probe);
    pthread_mutex_unlock(&fp->lock);
    struct conn *cc = malloc(sizeof(*cc));
    if (!cc)
        return gone(err);
    *cc = c;
    *conn = cc;
    return 0;
}

static int fp_refresh(void *vc, struct device_probe *probe, struct device_error *err)
{
    struct conn *c = vc;
    pthread_mutex_lock(&c->fp->lock);
    if (!alive_locked(c->fp, c)) {
        pthread_mutex_unlock(&c->fp->lock);
        return gone(err);
    }
    struct phone *p = &c->fp->p[c->i];
    p->st.refreshes++;
    fill_probe(p, probe);
    pthread_mutex_unlock(&c->fp->lock);
    return 0;
}

/* lock held */
static uint64_t handle_for(struct phone *p, uint32_t storage, const char *abs)
{
    for (size_t i = 0; i < p->nobjs; i++)
        if (p->objs[i].storage == storage && !strcmp(p->objs[i].abs, abs))
            return p->objs[i].handle;
    if (p->nobjs == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct obj *no = realloc(p->objs, cap * sizeof(*no));
        if (!no)
            return 0;
        p->objs = no;
        p->cap = cap;
    }
    char *a = strdup(abs);
    if (!a)
        return 0;
    p->objs[p->nobjs] = (struct obj){.handle = ++p->next_handle, .storage = storage, .abs = a};
    p->nobjs++;
    return p->next_handle;
}

static const char *abs_of(const struct phone *p, const struct device_obj *o)
{
    if (o->handle == 0) {
        const int s = (int)((o->storage - 0x10001u) / 0x10000u);
        return s >= 0 && s < p->desc.nstorages ? p->dirs[s] : NULL;
    }
    for (size_t i = 0; i < p->nobjs; i++)
        if (p->objs[i].handle == o->handle)
            return p->objs[i].abs;
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fp_list(void *vc, const struct device_obj *folder,
                   int (*emit)(void *ctx, const struct device_obj *child), void *ctx,
                   struct device_error *err)
{
    struct conn *c = vc;
    struct fakephones *fp = c->fp;
    pthread_mutex_lock(&fp->lock);
    if (!alive_locked(fp, c)) {
        pthread_mutex_unlock(&fp->lock);
        return gone(err);
    }
    struct phone *p = &fp->p[c->i];
    p->st.lists++;
    /* A test holds this folder: the phone is still reading it. */
    const size_t hl = strlen(p->hold);
    if (hl && !strncmp(folder->rel, p->hold, hl) && (!folder->rel[hl] || folder->rel[hl] == '/')) {
        p->st.holding++;
        while (p->plugged && p->plug_gen == c->plug_gen && p->hold[0])
            pthread_cond_wait(&fp->cond, &fp->lock);
        p->st.holding--;
        if (!alive_locked(fp, c)) {
            pthread_mutex_unlock(&fp->lock);
            return gone(err);
        }
    }
    const char *dir = abs_of(p, folder);
    if (!dir || p->state == FAKEPHONE_LOCKED) {
        pthread_mutex_unlock(&fp->lock);
        err->code = DEVICE_ERR_NOT_FOUND;
        snprintf(err->detail, sizeof(err->detail), "no such folder handle");
        return -1;
    }
    char dcopy[1024];
    snprintf(dcopy, sizeof(dcopy), "%s", dir);
    const int delay = p->desc.delay_us;
    const int hold = p->hold_after;
    pthread_mutex_unlock(&fp->lock);
    sleep_us(p->desc.list_delay_us);

    DIR *d = opendir(dcopy);
    if (!d) {
        err->code = DEVICE_ERR_NOT_FOUND;
        snprintf(err->detail, sizeof(err->detail), "opendir failed");
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof(*nn));
            if (!nn)
                break;
            names = nn;
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char abs[2048], rel[2048];
        snprintf(abs, sizeof(abs), "%s/%s", dcopy, names[i]);
        snprintf(rel, sizeof(rel), "%s%s%s", folder->rel, folder->rel[0] ? "/" : "", names[i]);
        struct stat st;
        if (rc || stat(abs, &st) != 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
            continue;
        sleep_us(delay); /* one GetObjectInfo per object, as libmtp does */
        pthread_mutex_lock(&fp->lock);
        if (hold >= 0 && (int)i == hold) {
            p->st.held = true;
            pthread_cond_broadcast(&fp->cond);
            while (!p->released && p->plugged && p->plug_gen == c->plug_gen)
                pthread_cond_wait(&fp->cond, &fp->lock);
            p->st.held = false;
        }
        const uint64_t h = handle_for(p, folder->storage, abs);
        pthread_mutex_unlock(&fp->lock);
        const struct device_obj o = {.storage = folder->storage, .handle = h, .rel = rel, .name = names[i],
                                     .folder = S_ISDIR(st.st_mode), .size = (uint64_t)st.st_size,
                                     .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000};
        rc = emit(ctx, &o);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int fp_read(void *vc, const struct device_obj *o, uint64_t off, void *buf, size_t n, size_t *got,
                   struct device_error *err)
{
    struct conn *c = vc;
    struct fakephones *fp = c->fp;
    *got = 0;
    pthread_mutex_lock(&fp->lock);
    if (!alive_locked(fp, c)) {
        pthread_mutex_unlock(&fp->lock);
        return gone(err);
    }
    struct phone *p = &fp->p[c->i];
    p->st.reads++;
    if (n > p->st.max_read)
        p->st.max_read = (unsigned)n;
    const char *abs = abs_of(p, o);
    char copy[2048];
    snprintf(copy, sizeof(copy), "%s", abs ? abs : "");
    const bool dying = p->state == FAKEPHONE_GONE_AFTER && p->read_so_far + n > p->gone_after;
    const int delay = p->desc.delay_us;
    pthread_mutex_unlock(&fp->lock);
    sleep_us(delay);
    if (!abs || !copy[0]) {
        err->code = DEVICE_ERR_NOT_FOUND;
        snprintf(err->detail, sizeof(err->detail), "no such object handle");
        return -1;
    }
    if (dying)
        return gone(err);
    int fd = open(copy, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gone(err);
    size_t total = 0;
    while (total < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + total, n - total, (off_t)(off + total));
        if (r <= 0)
            break;
        total += (size_t)r;
    }
    close(fd);
    *got = total;
    pthread_mutex_lock(&fp->lock);
    p->read_so_far += total;
    p->st.bytes_read += total;
    pthread_mutex_unlock(&fp->lock);
    return 0;
}

static int fp_thumbnail(void *vc, const struct device_obj *o, uint8_t **data, size_t *len,
                        struct device_error *err)
{
    struct conn *c = vc;
    struct fakephones *fp = c->fp;
    pthread_mutex_lock(&fp->lock);
    if (!alive_locked(fp, c)) {
        pthread_mutex_unlock(&fp->lock);
        return gone(err);
    }
    struct phone *p = &fp->p[c->i];
    p->st.thumbs++;
    const char *abs = abs_of(p, o);
    char copy[2048];
    snprintf(copy, sizeof(copy), "%s", abs ? abs : "");
    const bool have = p->desc.thumbnails;
    pthread_mutex_unlock(&fp->lock);
    /* The device's own preview: here, simply the JPEG itself. */
    size_t n = strlen(copy);
    if (!have || n < 4 || (strcasecmp(copy + n - 4, ".jpg"))) {
        err->code = DEVICE_ERR_UNSUPPORTED;
        snprintf(err->detail, sizeof(err->detail), "no thumbnail");
        return -1;
    }
    int fd = open(copy, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return gone(err);
    }
    uint8_t *b = malloc((size_t)st.st_size);
    ssize_t r = b ? pread(fd, b, (size_t)st.st_size, 0) : -1;
    close(fd);
    if (r != st.st_size) {
        free(b);
        return gone(err);
    }
    *data = b;
    *len = (size_t)st.st_size;
    return 0;
}

static void fp_close(void *vc)
{
    free(vc);
}

static int fp_claims(const struct device_usb *u)
{
    (void)u;
    return 0;
}

struct fakephones *fakephones_create(void)
{
    struct fakephones *fp = calloc(1, sizeof(*fp));
    if (!fp)
        return NULL;
    pthread_mutex_init(&fp->lock, NULL);
    pthread_cond_init(&fp->cond, NULL);
    fp->be = (struct device_backend){
        .kind = DEVICE_BACKEND_TEST,
        .scheme = "test",
        .claims = NULL,
        .scan = fp_scan,
        .open = fp_open,
        .refresh = fp_refresh,
        .list = fp_list,
        .read = fp_read,
        .thumbnail = fp_thumbnail,
        .close = fp_close,
        .ctx = fp,
    };
    (void)fp_claims;
    return fp;
}

void fakephones_destroy(struct fakephones *fp)
{
    if (!fp)
        return;
    for (int i = 0; i < MAX_PHONES; i++) {
        for (size_t k = 0; k < fp->p[i].nobjs; k++)
            free(fp->p[i].objs[k].abs);
        free(fp->p[i].objs);
    }
    pthread_cond_destroy(&fp->cond);
    pthread_mutex_destroy(&fp->lock);
    free(fp);
}

const struct device_backend *fakephones_backend(struct fakephones *fp)
{
    return &fp->be;
}

int fakephone_plug(struct fakephones *fp, const struct fakephone *desc)
{
    pthread_mutex_lock(&fp->lock);
    int idx = -1;
    for (int i = 0; i < MAX_PHONES && idx < 0; i++)
        if (!fp->p[i].used)
            idx = i;
    if (idx >= 0) {
        struct phone *p = &fp->p[idx];
        const unsigned gen = p->plug_gen;
        memset(p, 0, sizeof(*p));
        p->plug_gen = gen + 1;
        p->used = p->plugged = true;
        p->hold_after = -1;
        p->desc = *desc;
        snprintf(p->model, sizeof(p->model), "%s", desc->model ? desc->model : "Phone");
        snprintf(p->vendor, sizeof(p->vendor), "%s", desc->vendor ? desc->vendor : "");
        snprintf(p->serial, sizeof(p->serial), "%s", desc->serial ? desc->serial : "");
        for (int s = 0; s < desc->nstorages && s < 4; s++) {
            snprintf(p->dirs[s], sizeof(p->dirs[s]), "%s", desc->storages[s].dir);
            snprintf(p->descs[s], sizeof(p->descs[s]), "%s",
                     desc->storages[s].description ? desc->storages[s].description : "");
        }
    }
    pthread_mutex_unlock(&fp->lock);
    return idx;
}

void fakephone_unplug(struct fakephones *fp, int i)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        /* The slot stays taken (its plug_gen ends old connections); plugging
         * the same phone again uses a new slot, as a new USB address would. */
        fp->p[i].plugged = false;
        pthread_cond_broadcast(&fp->cond);
    }
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_set(struct fakephones *fp, int i, enum fakephone_state s)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        fp->p[i].state = s;
        pthread_cond_broadcast(&fp->cond);
    }
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_hold(struct fakephones *fp, int i, const char *rel)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        snprintf(fp->p[i].hold, sizeof(fp->p[i].hold), "%s", rel ? rel : "");
        pthread_cond_broadcast(&fp->cond);
    }
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_gone_after(struct fakephones *fp, int i, uint64_t bytes)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        fp->p[i].state = FAKEPHONE_GONE_AFTER;
        fp->p[i].gone_after = bytes;
        fp->p[i].read_so_far = 0;
    }
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_stats(struct fakephones *fp, int i, struct fakephone_stats *st)
{
    pthread_mutex_lock(&fp->lock);
    memset(st, 0, sizeof(*st));
    if (i >= 0 && i < MAX_PHONES)
        *st = fp->p[i].st;
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_hold_list(struct fakephones *fp, int i, int n)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        fp->p[i].hold_after = n;
        fp->p[i].released = false;
    }
    pthread_mutex_unlock(&fp->lock);
}

void fakephone_release(struct fakephones *fp, int i)
{
    pthread_mutex_lock(&fp->lock);
    if (i >= 0 && i < MAX_PHONES) {
        fp->p[i].released = true;
        pthread_cond_broadcast(&fp->cond);
    }
    pthread_mutex_unlock(&fp->lock);
}
