/* The device layer's core: the list of devices (mounted volumes, and
 * phones and cameras by cable), the watcher that keeps it up to date, one
 * I/O thread per phone, and files and folders by device path.
 *
 * A phone is talked to only from its own I/O thread: requests (list a
 * folder, read a range, a thumbnail) queue there and run one at a time, as
 * libmtp and libgphoto2 need. Callers wait for their request, but never
 * for ever: when the request the thread is running has taken longer than
 * the timeout, every waiter gives up with DEVICE_ERR_TIMEOUT, the device is
 * shown as NOT_ANSWERING and new requests fail at once until the stuck one
 * returns (libusb's own timeouts end it) or the device is unplugged.
 * Buffers the thread fills belong to the request, never to the caller, so
 * a caller that gave up leaves nothing to write into.
 *
 * What listings return is remembered per device (the name cache: path ->
 * object handle), so that a path can be opened again without walking the
 * phone's folders; devices_wipe() forgets it at the end of a session. */
#include "device_internal.h"
#include "durable.h"

#include <dirent.h>
#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum {
    DEBOUNCE_MS = 40,   /* mounting makes a folder, then mounts: wait for the burst */
    WAIT_SLICE_MS = 100, /* waiters look at the clock this often */
    MIN_BLOCK = 64 * 1024,
};

void device_options_default(struct device_options *o)
{
    memset(o, 0, sizeof(*o));
    o->media_root = NULL;
    o->mode = DEVICE_ROOT_MOUNTS;
    o->mountinfo = "/proc/self/mountinfo";
    o->by_label = "/dev/disk/by-label";
    o->rescan_ms = 2000;
    o->usb = false;
    o->usb_sysfs = "/sys/bus/usb/devices";
    o->timeout_ms = 15000;
    o->list_timeout_ms = 120000;
    o->retry_locked_ms = 1500;
    o->open_retry_ms = 30000;
    o->read_block = 4u << 20;
}

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

void devices_raise(struct devices *d)
{
    /* One notify() until the app takes the change: a burst of events wakes
     * the main loop once. */
    atomic_store(&d->pending, true);
    if (d->opt.notify && atomic_load(&d->started) && atomic_exchange(&d->armed, false))
        d->opt.notify(d->opt.notify_ctx);
}

bool devices_changed(struct devices *d)
{
    if (!d)
        return false;
    atomic_store(&d->armed, true); /* before taking: a change from now on notifies again */
    return atomic_exchange(&d->pending, false);
}

static bool is_fs(const struct dev *v)
{
    return v->bk == DEVICE_BACKEND_FS;
}

/* ---- the name cache (io->lock held) ---- */

static uint64_t ncache_key(uint32_t storage, const char *rel)
{
    return device_hash_str(rel) ^ ((uint64_t)storage * 0x9e3779b97f4a7c15ull);
}

static void ncache_wipe(struct ncache *c)
{
    for (size_t i = 0; i < c->nb; i++)
        for (struct ncache_ent *e = c->b[i]; e;) {
            struct ncache_ent *next = e->next;
            device_free_str(e->rel);
            device_free(e, sizeof(*e));
            e = next;
        }
    free(c->b);
    memset(c, 0, sizeof(*c));
}

static struct ncache_ent *ncache_get(struct ncache *c, uint32_t storage, const char *rel)
{
    if (!c->nb)
        return NULL;
    const uint64_t h = ncache_key(storage, rel);
    for (struct ncache_ent *e = c->b[h & (c->nb - 1)]; e; e = e->next)
        if (e->hash == h && e->storage == storage && !strcmp(e->rel, rel))
            return e;
    return NULL;
}

static void ncache_put(struct ncache *c, const struct device_obj *o)
{
    if (c->n + 1 > c->nb) {
        /* Grow (a power of two, load <= 1). */
        size_t nb = c->nb ? c->nb * 2 : 1024;
        struct ncache_ent **b = calloc(nb, sizeof(*b));
        if (!b)
            return; /* a cache: a miss costs a listing, nothing breaks */
        for (size_t i = 0; i < c->nb; i++)
            for (struct ncache_ent *e = c->b[i]; e;) {
                struct ncache_ent *next = e->next;
                e->next = b[e->hash & (nb - 1)];
                b[e->hash & (nb - 1)] = e;
                e = next;
            }
        free(c->b);
        c->b = b;
        c->nb = nb;
    }
    struct ncache_ent *e = ncache_get(c, o->storage, o->rel);
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e || !(e->rel = strdup(o->rel))) {
            free(e);
            return;
        }
        e->storage = o->storage;
        e->hash = ncache_key(o->storage, o->rel);
        e->next = c->b[e->hash & (c->nb - 1)];
        c->b[e->hash & (c->nb - 1)] = e;
        c->n++;
    }
    e->handle = o->handle;
    e->folder = o->folder;
    e->size = o->size;
    e->mtime_ns = o->mtime_ns;
}

/* ---- requests to a device's I/O thread ---- */

enum req_kind { REQ_LIST, REQ_READ, REQ_THUMB };

struct objvec {
    struct device_obj *v;
    size_t n, cap;
};

struct req {
    int refs;               /* io->lock */
    enum req_kind kind;
    bool queued, running, done;
    struct device_obj obj;  /* rel and name owned */
    uint64_t off;
    size_t n, got;
    uint8_t *buf;           /* REQ_READ: n bytes, owned */
    struct objvec list;     /* REQ_LIST: children, strings owned */
    uint8_t *data;          /* REQ_THUMB */
    size_t len;
    int timeout_ms;         /* no news from the device for this long: TIMEOUT */
    struct dev *v;          /* REQ_LIST: where collect() reports progress */
    int rc;
    struct device_error err;
    struct req *next;
};

static void objvec_clear(struct objvec *l)
{
    for (size_t i = 0; i < l->n; i++) {
        device_free_str((char *)l->v[i].rel);
        device_free_str((char *)l->v[i].name);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static int obj_copy(struct device_obj *dst, const struct device_obj *src)
{
    *dst = *src;
    dst->rel = strdup(src->rel ? src->rel : "");
    dst->name = strdup(src->name ? src->name : "");
    if (!dst->rel || !dst->name) {
        free((char *)dst->rel);
        free((char *)dst->name);
        dst->rel = dst->name = NULL;
        return -1;
    }
    return 0;
}

static void obj_clear(struct device_obj *o)
{
    device_free_str((char *)o->rel);
    device_free_str((char *)o->name);
    memset(o, 0, sizeof(*o));
}

static struct req *req_new(struct dev *v, enum req_kind kind, const struct device_obj *o)
{
    struct req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->kind = kind;
    r->refs = 1;
    r->v = v;
    /* A listing may take long and say nothing meanwhile (libmtp reads a whole
     * folder before it answers: 20 000 WhatsApp pictures take a minute on a
     * real phone); a read or a thumbnail is one short transfer. */
    const struct device_options *opt = &v->d->opt;
    r->timeout_ms = kind == REQ_LIST && opt->list_timeout_ms > opt->timeout_ms ? opt->list_timeout_ms
                                                                               : opt->timeout_ms;
    if (obj_copy(&r->obj, o) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

static void req_free(struct req *r)
{
    obj_clear(&r->obj);
    if (r->buf)
        device_free(r->buf, r->n);
    if (r->data)
        device_free(r->data, r->len);
    objvec_clear(&r->list);
    free(r);
}

/* io->lock held. */
static void req_unref_locked(struct req *r)
{
    if (r && --r->refs == 0)
        req_free(r);
}

static void queue_remove(struct io *io, struct req *r)
{
    struct req **pp = &io->head, *prev = NULL;
    while (*pp && *pp != r) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = r->next;
    if (io->tail == r)
        io->tail = prev;
    r->next = NULL;
    r->queued = false;
    r->refs--; /* the queue's reference (the caller still holds one) */
}

static void set_state(struct dev *v, enum device_state s)
{
    struct devices *d = v->d;
    pthread_mutex_lock(&d->lock);
    const bool changed = v->state != s;
    v->state = s;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (changed)
        devices_raise(d);
}

/* Queues r (the queue takes a reference). 0, or -1 when the device cannot
 * take requests now. io->lock held. */
static int req_queue_locked(struct dev *v, struct req *r, struct device_error *err)
{
    struct io *io = &v->io;
    if (atomic_load(&v->gone) || io->quit)
        return device_set_err(err, DEVICE_ERR_GONE, "the device was unplugged");
    if (io->stuck)
        return device_set_err(err, DEVICE_ERR_TIMEOUT, "the device is not answering");
    r->refs++;
    r->queued = true;
    r->next = NULL;
    if (io->tail)
        io->tail->next = r;
    else
        io->head = r;
    io->tail = r;
    pthread_cond_broadcast(&io->cond);
    return 0;
}

enum { WAIT_DONE = -1 }; /* req_wait_locked(): wait for the end, not for news */

/* Waits for a queued request (io->lock held) until it ran or, for a
 * listing, has more than `seen` children (seen = (size_t)WAIT_DONE: until
 * it ran): 0 (see r->done and r->rc), or -1 with err when the device went
 * away or stopped answering. */
static int req_wait_locked(struct dev *v, struct req *r, size_t seen, struct device_error *err)
{
    struct io *io = &v->io;
    bool mark_stuck = false;
    int rc = 0;
    while (!r->done && (seen == (size_t)WAIT_DONE || r->list.n <= seen)) {
        struct timespec ts;
        deadline_in(&ts, WAIT_SLICE_MS);
        pthread_cond_timedwait(&io->cond, &io->lock, &ts);
        if (r->done || (seen != (size_t)WAIT_DONE && r->list.n > seen))
            break;
        if (atomic_load(&v->gone) || io->quit) {
            if (r->queued)
                queue_remove(io, r);
            rc = device_set_err(err, DEVICE_ERR_GONE, "the device was unplugged");
            break;
        }
        const int64_t busy = io->busy_since_ms;
        if (busy && !io->stuck && device_now_ms() - busy > io->busy_timeout_ms) {
            io->stuck = true;
            mark_stuck = true;
            pthread_cond_broadcast(&io->cond); /* the other waiters give up too */
        }
        if (io->stuck) {
            if (r->queued)
                queue_remove(io, r);
            rc = device_set_err(err, DEVICE_ERR_TIMEOUT, "the device did not answer within %d ms",
                                io->busy_timeout_ms);
            break;
        }
    }
    if (mark_stuck) {
        pthread_mutex_unlock(&io->lock);
        set_state(v, DEVICE_NOT_ANSWERING);
        pthread_mutex_lock(&io->lock);
    }
    return rc;
}

/* Runs a request and waits for it: 0 / -1 with err (its own or the wait's). */
static int req_run(struct dev *v, struct req *r, struct device_error *err)
{
    struct io *io = &v->io;
    pthread_mutex_lock(&io->lock);
    int rc = req_queue_locked(v, r, err);
    if (rc == 0)
        rc = req_wait_locked(v, r, (size_t)WAIT_DONE, err);
    if (rc == 0 && r->rc != 0) {
        if (err)
            *err = r->err;
        rc = -1;
    }
    pthread_mutex_unlock(&io->lock);
    return rc;
}

/* ---- the I/O thread ---- */

/* The I/O thread hands a listing over child by child: the caller may emit
 * entries while the rest are still coming (PTP answers one object at a
 * time), and every child is news that the device still answers. */
static int collect(void *ctx, const struct device_obj *child)
{
    struct req *r = ctx;
    struct io *io = &r->v->io;
    struct device_obj copy;
    if (obj_copy(&copy, child) != 0)
        return -1;
    pthread_mutex_lock(&io->lock);
    struct objvec *l = &r->list;
    int rc = 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct device_obj *nv = realloc(l->v, cap * sizeof(*nv));
        if (nv) {
            l->v = nv;
            l->cap = cap;
        } else {
            rc = -1;
        }
    }
    if (rc == 0)
        l->v[l->n++] = copy;
    io->busy_since_ms = device_now_ms();
    pthread_cond_broadcast(&io->cond);
    pthread_mutex_unlock(&io->lock);
    if (rc != 0)
        obj_clear(&copy);
    return rc;
}

static enum device_state state_for_open_error(enum device_err e, enum device_kind kind)
{
    switch (e) {
    case DEVICE_ERR_LOCKED: return kind == DEVICE_KIND_IPHONE ? DEVICE_UNTRUSTED : DEVICE_LOCKED;
    case DEVICE_ERR_BUSY: return DEVICE_BUSY;
    case DEVICE_ERR_TIMEOUT: return DEVICE_NOT_ANSWERING;
    default: return DEVICE_FAILED;
    }
}

static enum device_kind get_kind(struct dev *v)
{
    pthread_mutex_lock(&v->d->lock);
    const enum device_kind k = v->kind;
    pthread_mutex_unlock(&v->d->lock);
    return k;
}

static enum device_state get_state(struct dev *v)
{
    pthread_mutex_lock(&v->d->lock);
    const enum device_state s = v->state;
    pthread_mutex_unlock(&v->d->lock);
    return s;
}

static bool retry_state(enum device_state s)
{
    return s == DEVICE_LOCKED || s == DEVICE_UNTRUSTED || s == DEVICE_BUSY;
}

/* What opening (or asking again) found: shown from now on. */
static void apply_probe(struct dev *v, const struct device_probe *p)
{
    struct devices *d = v->d;
    pthread_mutex_lock(&d->lock);
    v->probe = *p;
    if (p->kind == DEVICE_KIND_PHONE || p->kind == DEVICE_KIND_IPHONE || p->kind == DEVICE_KIND_CAMERA)
        v->kind = v->kind == DEVICE_KIND_IPHONE ? DEVICE_KIND_IPHONE : p->kind;
    enum device_state s = p->state;
    if (s == DEVICE_READY && p->nstorages == 0)
        s = v->kind == DEVICE_KIND_IPHONE ? DEVICE_UNTRUSTED : DEVICE_LOCKED;
    v->state = s;
    if (p->model[0]) {
        device_free_str(v->label);
        v->label = device_utf8_clean(p->model);
    }
    if (p->vendor[0]) {
        device_free_str(v->vendor);
        v->vendor = device_utf8_clean(p->vendor);
    }
    if (p->serial[0] && !v->serial[0]) {
        device_free_str(v->serial);
        v->serial = device_utf8_clean(p->serial);
    }
    v->total = v->avail = 0;
    for (size_t i = 0; i < p->nstorages && i < DEVICE_PROBE_MAX_STORAGES; i++) {
        v->total += p->storages[i].total_bytes;
        v->avail += p->storages[i].free_bytes;
    }
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    devices_raise(d);
}

static void run_req(struct dev *v, void *conn, struct req *r)
{
    const struct device_backend *be = v->be;
    memset(&r->err, 0, sizeof(r->err));
    if (!conn) {
        pthread_mutex_lock(&v->d->lock);
        const enum device_state s = v->state;
        pthread_mutex_unlock(&v->d->lock);
        const enum device_err e = s == DEVICE_LOCKED || s == DEVICE_UNTRUSTED ? DEVICE_ERR_LOCKED
                                  : s == DEVICE_BUSY                           ? DEVICE_ERR_BUSY
                                  : s == DEVICE_NOT_ANSWERING                  ? DEVICE_ERR_TIMEOUT
                                                                               : DEVICE_ERR_ACCESS;
        r->rc = device_set_err(&r->err, e, "the device is not open (%s)", device_state_name(s));
        return;
    }
    switch (r->kind) {
    case REQ_LIST:
        r->rc = be->list(conn, &r->obj, collect, r, &r->err);
        break;
    case REQ_READ:
        r->got = 0;
        r->rc = be->read(conn, &r->obj, r->off, r->buf, r->n, &r->got, &r->err);
        if (r->rc == 0 && r->got > r->n)
            r->rc = device_set_err(&r->err, DEVICE_ERR_INVALID, "backend read more than asked");
        break;
    case REQ_THUMB:
        if (!be->thumbnail)
            r->rc = device_set_err(&r->err, DEVICE_ERR_UNSUPPORTED, "no thumbnails on this device");
        else
            r->rc = be->thumbnail(conn, &r->obj, &r->data, &r->len, &r->err);
        break;
    }
    if (r->rc != 0 && r->err.code == DEVICE_OK)
        r->err.code = DEVICE_ERR_GONE;
}

/* Opening a phone (or asking a locked one again) cannot be interrupted;
 * the watcher shows it as NOT_ANSWERING when it takes too long
 * (check_asking()), and what it finally finds is shown then. */
static void asking(struct dev *v, bool on)
{
    pthread_mutex_lock(&v->d->lock);
    v->asking_since_ms = on ? device_now_ms() : 0;
    pthread_mutex_unlock(&v->d->lock);
    if (on) {
        /* The watcher may be asleep until its next rescan: it has a deadline to keep. */
        uint64_t one = 1;
        if (write(v->d->wake_fd, &one, sizeof(one)) < 0) {
            /* only fails when the counter is full: it is awake then */
        }
    }
}

static void *io_main(void *arg)
{
    struct dev *v = arg; /* the thread holds a reference */
    struct devices *d = v->d;
    struct io *io = &v->io;
    void *conn = NULL;
    int64_t next_try = 0;
    int64_t failing_since = 0; /* the first of the openings that failed in a row */

    for (;;) {
        /* Open (again): at the start, and while the phone is locked or busy. */
        pthread_mutex_lock(&io->lock);
        const bool quitting = io->quit;
        pthread_mutex_unlock(&io->lock);
        if (quitting)
            break;
        if (!conn && device_now_ms() >= next_try) {
            struct device_probe probe;
            memset(&probe, 0, sizeof(probe));
            struct device_error err = {0};
            asking(v, true);
            const int orc = v->be->open(v->be, &v->usb, &conn, &probe, &err);
            asking(v, false);
            if (orc == 0) {
                failing_since = 0;
                apply_probe(v, &probe);
            } else {
                conn = NULL;
                enum device_state st = state_for_open_error(err.code, get_kind(v));
                /* Seen in the USB image: a phone plugged in again seconds after
                 * it was pulled out mid-read fails its first openings. Ask again
                 * for a while before telling the person it cannot be opened
                 * (not when the backend said it never can). */
                if (st == DEVICE_FAILED && err.code != DEVICE_ERR_UNSUPPORTED && !atomic_load(&v->gone)) {
                    const int64_t now = device_now_ms();
                    if (!failing_since)
                        failing_since = now;
                    if (now - failing_since < d->opt.open_retry_ms)
                        st = DEVICE_CONNECTING;
                } else {
                    failing_since = 0;
                }
                set_state(v, st);
                pthread_mutex_lock(&d->lock);
                pthread_cond_broadcast(&d->cond);
                pthread_mutex_unlock(&d->lock);
            }
            next_try = device_now_ms() + d->opt.retry_locked_ms;
        } else if (conn && retry_state(get_state(v)) && device_now_ms() >= next_try && v->be->refresh) {
            struct device_probe probe;
            memset(&probe, 0, sizeof(probe));
            struct device_error err = {0};
            asking(v, true);
            const int rrc = v->be->refresh(conn, &probe, &err);
            asking(v, false);
            if (rrc == 0)
                apply_probe(v, &probe);
            else if (err.code == DEVICE_ERR_GONE)
                set_state(v, DEVICE_FAILED);
            next_try = device_now_ms() + d->opt.retry_locked_ms;
        }

        /* The state is read before io->lock is taken, never under it:
         * rescan and devices_wipe hold d->lock while they take io->lock,
         * so taking d->lock here with io->lock held could deadlock
         * (seen in flow_phone_states under ASan). Only this thread moves
         * the device into the states that decide the wait; others only
         * mark it not answering, which the next pass reads (a timed wait
         * ends, or a request or quit wakes it). */
        const enum device_state st = get_state(v);
        pthread_mutex_lock(&io->lock);
        while (!io->quit && !io->head) {
            const bool retry = (retry_state(st) && (!conn || v->be->refresh)) ||
                               (!conn && st == DEVICE_CONNECTING);
            if (!retry) {
                pthread_cond_wait(&io->cond, &io->lock);
                continue;
            }
            const int64_t left = next_try - device_now_ms();
            if (left <= 0)
                break;
            struct timespec ts;
            deadline_in(&ts, (int)left);
            pthread_cond_timedwait(&io->cond, &io->lock, &ts);
        }
        if (io->quit) {
            pthread_mutex_unlock(&io->lock);
            break;
        }
        struct req *r = io->head;
        if (!r) {
            pthread_mutex_unlock(&io->lock);
            continue; /* time to ask the locked phone again */
        }
        io->head = r->next;
        if (!io->head)
            io->tail = NULL;
        r->next = NULL;
        r->queued = false;
        r->running = true;
        io->busy_since_ms = device_now_ms();
        io->busy_timeout_ms = r->timeout_ms;
        pthread_mutex_unlock(&io->lock);

        run_req(v, conn, r);

        pthread_mutex_lock(&io->lock);
        io->busy_since_ms = 0;
        const bool was_stuck = io->stuck;
        io->stuck = false;
        r->running = false;
        r->done = true;
        const bool gone = r->rc != 0 && r->err.code == DEVICE_ERR_GONE;
        req_unref_locked(r);
        pthread_cond_broadcast(&io->cond);
        pthread_mutex_unlock(&io->lock);
        /* A phone that answered after all is back; one that failed is gone
         * (udev will take it off the list). */
        if (was_stuck && !gone)
            set_state(v, DEVICE_READY);
    }

    /* Unplugged or shutting down: fail what waits, close, forget. */
    pthread_mutex_lock(&io->lock);
    while (io->head) {
        struct req *r = io->head;
        io->head = r->next;
        r->next = NULL;
        r->queued = false;
        r->rc = device_set_err(&r->err, DEVICE_ERR_GONE, "the device was unplugged");
        r->done = true;
        req_unref_locked(r);
    }
    io->tail = NULL;
    pthread_cond_broadcast(&io->cond);
    ncache_wipe(&io->cache);
    pthread_mutex_unlock(&io->lock);
    if (conn)
        v->be->close(conn);

    pthread_mutex_lock(&d->lock);
    d->io_threads--;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    dev_unref(v);
    return NULL;
}

/* ---- devices ---- */

void dev_ref(struct dev *v)
{
    atomic_fetch_add(&v->refs, 1);
}

void dev_unref(struct dev *v)
{
    if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
        return;
    device_free_str(v->root);
    device_free_str(v->label);
    device_free_str(v->vendor);
    device_free_str(v->serial);
    if (!is_fs(v)) {
        ncache_wipe(&v->io.cache);
        pthread_mutex_destroy(&v->io.lock);
        pthread_cond_destroy(&v->io.cond);
    }
    explicit_bzero(v, sizeof(*v));
    free(v);
}

/* d->lock held. The device leaves the list; its I/O thread stops. */
static void dev_gone_locked(struct devices *d, struct dev *v)
{
    (void)d;
    atomic_store(&v->gone, true);
    if (!is_fs(v)) {
        pthread_mutex_lock(&v->io.lock);
        v->io.quit = true;
        pthread_cond_broadcast(&v->io.cond);
        pthread_mutex_unlock(&v->io.lock);
    }
}

static struct dev *dev_new(struct devices *d)
{
    struct dev *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->d = d;
    atomic_init(&v->refs, 1);
    atomic_init(&v->gone, false);
    v->root = strdup("");
    v->label = strdup("");
    v->vendor = strdup("");
    v->serial = strdup("");
    if (!v->root || !v->label || !v->vendor || !v->serial) {
        dev_unref(v);
        return NULL;
    }
    return v;
}

struct cand {
    struct device_usb u;
    const struct device_backend *be; /* NULL: no backend can read it */
    enum device_state state;         /* READY (open it) or CHARGING_ONLY */
    enum device_kind kind;
};

struct cands {
    struct cand *v;
    size_t n, cap;
};

static void cand_add(struct cands *c, const struct device_usb *u, const struct device_backend *be,
                     enum device_state s, enum device_kind k)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct cand *nv = realloc(c->v, cap * sizeof(*nv));
        if (!nv)
            return;
        c->v = nv;
        c->cap = cap;
    }
    c->v[c->n++] = (struct cand){.u = *u, .be = be, .state = s, .kind = k};
}

static const struct device_backend *choose_backend(struct devices *d, const struct device_usb *u)
{
    const struct device_backend *best = NULL;
    int best_score = 0;
    for (int i = 0; d->builtin[i]; i++) {
        const struct device_backend *be = d->builtin[i];
        const int s = be->claims ? be->claims(u) : 0;
        if (s <= 0)
            continue;
        if (d->usb_backend && !strcmp(d->usb_backend, be->scheme))
            return be; /* forced, and it can */
        if (s > best_score) {
            best = be;
            best_score = s;
        }
    }
    return best;
}

static void scan_usb(struct devices *d, struct cands *out)
{
    DIR *dir = opendir(d->usb_sysfs);
    if (!dir)
        return;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        struct device_usb u;
        if (device_usb_read(d->usb_sysfs, de->d_name, &u) != 0)
            continue;
        enum device_kind kind;
        const enum device_state s = device_usb_classify(&u, &kind);
        if (s == DEVICE_READY)
            cand_add(out, &u, choose_backend(d, &u), s, kind);
        else if (s == DEVICE_CHARGING_ONLY)
            cand_add(out, &u, NULL, s, kind);
        explicit_bzero(&u, sizeof(u));
    }
    closedir(dir);
}

struct test_scan {
    struct cands *out;
    const struct device_backend *be;
};

static void test_found(void *ctx, const struct device_usb *u)
{
    struct test_scan *t = ctx;
    enum device_kind kind;
    const enum device_state s = device_usb_classify(u, &kind);
    /* The backend stays with a charging-only test device too: its paths
     * keep the test scheme, and no thread is started for it either way. */
    if (s == DEVICE_READY || s == DEVICE_CHARGING_ONLY)
        cand_add(t->out, u, t->be, s, kind);
}

static bool same_usb(const struct device_usb *a, const struct device_usb *b)
{
    return !strcmp(a->ident, b->ident) && a->vendor == b->vendor && a->product == b->product &&
           !strcmp(a->serial, b->serial) && a->ifaces == b->ifaces && a->busnum == b->busnum &&
           a->devnum == b->devnum;
}

static const char *vendor_name(const struct device_usb *u)
{
    const char *v = device_usb_phone_vendor(u->vendor);
    return v ? v : u->manufacturer;
}

/* d->lock held. A new phone or camera: listed at once; its thread opens it. */
static void add_usb_locked(struct devices *d, const struct cand *c)
{
    struct dev *v = dev_new(d);
    if (!v)
        return;
    v->usb = c->u;
    v->be = c->be;
    v->kind = c->kind;
    /* Without a backend (charging only), say what would read it. */
    v->bk = c->be ? c->be->kind : c->kind == DEVICE_KIND_IPHONE ? DEVICE_BACKEND_PTP : DEVICE_BACKEND_MTP;
    const char *scheme = c->be ? c->be->scheme : device_backend_name(v->bk);
    char fallback[160];
    snprintf(fallback, sizeof(fallback), "p%s", c->u.ident);
    dpath_key(c->u.serial, fallback, v->key, sizeof(v->key));
    /* Cheap phones share serials ("0123456789ABCDEF"): two at once must not
     * share a key. (The same phone switching modes was taken off the list
     * before this, so it keeps its key and id.) */
    for (struct dev *o = d->devs; o; o = o->next)
        if (!is_fs(o) && !strcmp(o->key, v->key)) {
            dpath_key(NULL, fallback, v->key, sizeof(v->key));
            break;
        }
    v->id = device_hash_str(v->key) | (1ull << 63); /* same phone, same id; never a volume's */
    device_free_str(v->root);
    v->root = dpath_format(scheme, v->key, 0, "");
    device_free_str(v->label);
    v->label = device_utf8_clean(c->u.product_name[0] ? c->u.product_name : vendor_name(&c->u));
    device_free_str(v->vendor);
    v->vendor = device_utf8_clean(vendor_name(&c->u));
    device_free_str(v->serial);
    v->serial = device_utf8_clean(c->u.serial);
    pthread_mutex_init(&v->io.lock, NULL);
    cond_init_mono(&v->io.cond);
    if (!v->root || !v->label || !v->vendor || !v->serial) {
        dev_unref(v);
        return;
    }
    v->seen = true;
    if (c->state == DEVICE_CHARGING_ONLY) {
        v->state = DEVICE_CHARGING_ONLY;
    } else if (!c->be) {
        v->state = DEVICE_FAILED; /* built without a backend that reads it */
    } else {
        v->state = DEVICE_CONNECTING;
        dev_ref(v); /* the thread's */
        if (pthread_create(&v->io.thread, NULL, io_main, v) != 0) {
            atomic_fetch_sub(&v->refs, 1);
            v->state = DEVICE_FAILED;
        } else {
            pthread_detach(v->io.thread);
            v->io_started = true;
            d->io_threads++;
        }
    }
    v->next = d->devs;
    d->devs = v;
}

/* d->lock held. A newly mounted volume. */
static void add_fs_locked(struct devices *d, const struct fs_vol *fv)
{
    struct dev *v = dev_new(d);
    if (!v)
        return;
    v->bk = DEVICE_BACKEND_FS;
    v->kind = DEVICE_KIND_VOLUME;
    v->state = DEVICE_READY;
    v->id = ++d->next_fs_id;
    v->seen = true;
    snprintf(v->fskey, sizeof(v->fskey), "%s", fv->key);
    device_free_str(v->root);
    device_free_str(v->label);
    v->root = strdup(fv->path);
    v->label = strdup(fv->label);
    v->ro = fv->ro;
    v->total = fv->total;
    v->avail = fv->avail;
    if (!v->root || !v->label) {
        dev_unref(v);
        return;
    }
    v->next = d->devs;
    d->devs = v;
}

static void rescan(struct devices *d)
{
    struct fs_scan fs;
    fs_scan(&d->opt, fs_watch_mountinfo_fd(d->fsw), &fs);
    struct cands c = {0};
    if (d->opt.usb)
        scan_usb(d, &c);
    for (size_t i = 0; d->opt.backends && d->opt.backends[i]; i++) {
        const struct device_backend *be = d->opt.backends[i];
        if (be->scan) {
            struct test_scan t = {.out = &c, .be = be};
            be->scan(be, test_found, &t);
        }
    }
    bool *fresh_fs = calloc(fs.n + 1, sizeof(bool)), *fresh_usb = calloc(c.n + 1, sizeof(bool));

    bool changed = false;
    pthread_mutex_lock(&d->lock);
    if (!fresh_fs || !fresh_usb)
        goto out; /* out of memory: keep the list as it is */
    for (struct dev *v = d->devs; v; v = v->next)
        v->seen = false;
    /* 1. What is still there. */
    for (size_t i = 0; i < fs.n; i++) {
        const struct fs_vol *fv = &fs.v[i];
        struct dev *v = d->devs;
        while (v && (!is_fs(v) || strcmp(v->fskey, fv->key)))
            v = v->next;
        if (!v) {
            fresh_fs[i] = true;
            continue;
        }
        v->seen = true;
        if (strcmp(v->label, fv->label) || v->ro != fv->ro || v->total != fv->total || v->avail != fv->avail) {
            char *l = strdup(fv->label);
            if (l) {
                device_free_str(v->label);
                v->label = l;
            }
            v->ro = fv->ro;
            v->total = fv->total;
            v->avail = fv->avail;
            changed = true;
        }
    }
    for (size_t i = 0; i < c.n; i++) {
        struct dev *v = d->devs;
        while (v && (is_fs(v) || !same_usb(&v->usb, &c.v[i].u) || v->be != c.v[i].be ||
                     (v->state == DEVICE_CHARGING_ONLY) != (c.v[i].state == DEVICE_CHARGING_ONLY)))
            v = v->next;
        if (v)
            v->seen = true;
        else
            fresh_usb[i] = true;
    }
    /* 2. What is gone (before adding: a phone that switched to "File
     * transfer" comes back as a new USB device with the same serial). */
    for (struct dev **pp = &d->devs; *pp;) {
        struct dev *v = *pp;
        if (v->seen) {
            pp = &v->next;
            continue;
        }
        *pp = v->next;
        v->next = NULL;
        dev_gone_locked(d, v);
        dev_unref(v);
        changed = true;
    }
    /* 3. What is new. */
    for (size_t i = 0; i < fs.n; i++)
        if (fresh_fs[i]) {
            add_fs_locked(d, &fs.v[i]);
            changed = true;
        }
    for (size_t i = 0; i < c.n; i++)
        if (fresh_usb[i]) {
            add_usb_locked(d, &c.v[i]);
            changed = true;
        }
out:
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    free(fresh_fs);
    free(fresh_usb);
    fs_watch_update(d->fsw, &fs);
    fs_scan_clear(&fs);
    if (c.v)
        explicit_bzero(c.v, c.cap * sizeof(*c.v));
    free(c.v);
    if (changed)
        devices_raise(d);
}

static void drain_fd(int fd)
{
    uint64_t x;
    while (read(fd, &x, sizeof(x)) > 0)
        ;
}

static void drain_udev(struct devices *d)
{
    if (!d->udev_mon)
        return;
    struct udev_device *u;
    while ((u = udev_monitor_receive_device(d->udev_mon)) != NULL)
        udev_device_unref(u);
}

/* Devices whose opening has taken longer than the timeout: NOT_ANSWERING
 * (the person is told to plug it in again). The milliseconds until the
 * next such check is due, or -1. */
static int check_asking(struct devices *d)
{
    const int64_t now = device_now_ms();
    int next = -1;
    bool changed = false;
    pthread_mutex_lock(&d->lock);
    for (struct dev *v = d->devs; v; v = v->next) {
        if (!v->asking_since_ms || v->state == DEVICE_NOT_ANSWERING)
            continue;
        const int64_t left = v->asking_since_ms + d->opt.timeout_ms - now;
        if (left <= 0) {
            v->state = DEVICE_NOT_ANSWERING;
            changed = true;
        } else if (next < 0 || left < next) {
            next = (int)left;
        }
    }
    if (changed)
        pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (changed)
        devices_raise(d);
    return next;
}

static void *watch_main(void *arg)
{
    struct devices *d = arg;
    int64_t next_rescan = device_now_ms() + d->opt.rescan_ms;
    for (;;) {
        struct pollfd p[5] = {
            {.fd = d->stop_fd, .events = POLLIN},
            {.fd = d->wake_fd, .events = POLLIN},
            {.fd = fs_watch_inotify_fd(d->fsw), .events = POLLIN},
            {.fd = d->udev_mon ? udev_monitor_get_fd(d->udev_mon) : -1, .events = POLLIN},
            {.fd = fs_watch_mountinfo_fd(d->fsw), .events = POLLPRI},
        };
        int wait = (int)(next_rescan - device_now_ms());
        const int ask = check_asking(d);
        if (wait < 0)
            wait = 0;
        if (ask >= 0 && ask < wait)
            wait = ask + 1;
        int r = poll(p, 5, wait);
        if (r < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (r == 0 && device_now_ms() < next_rescan)
            continue; /* only a phone's opening to look at */
        if (r > 0 && p[1].revents && !p[2].revents && !p[3].revents && !p[4].revents) {
            drain_fd(d->wake_fd); /* a phone is being opened: a deadline to keep, nothing to scan */
            continue;
        }
        if (r > 0) {
            /* Wait for the burst to end: a stick mounts in several steps, a
             * phone switching to "File transfer" re-enumerates. */
            do {
                drain_fd(d->wake_fd);
                fs_watch_drain(d->fsw);
                drain_udev(d);
                for (int i = 1; i < 5; i++)
                    p[i].revents = 0;
                p[4].events = 0; /* POLLPRI stays raised until the next read */
                r = poll(p, 5, DEBOUNCE_MS);
            } while (r > 0 && !p[0].revents);
            if (p[0].revents)
                break;
        }
        rescan(d);
        next_rescan = device_now_ms() + d->opt.rescan_ms;
    }
    return NULL;
}

static char *dup_opt(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        *ok = false;
    return c;
}

struct devices *devices_create(const struct device_options *o, struct device_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    struct device_options def;
    if (!o) {
        device_options_default(&def);
        o = &def;
    }
    if (o->timeout_ms <= 0 || o->list_timeout_ms < 0 || o->rescan_ms <= 0 || o->retry_locked_ms <= 0 || o->open_retry_ms < 0 || o->read_block < MIN_BLOCK ||
        (o->usb_backend && strcmp(o->usb_backend, "mtp") && strcmp(o->usb_backend, "ptp"))) {
        device_set_err(err, DEVICE_ERR_INVALID, "bad device options");
        return NULL;
    }
    struct devices *d = calloc(1, sizeof(*d));
    if (!d) {
        device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->opt = *o;
    bool ok = true;
    d->media_root = dup_opt(o->media_root, &ok);
    d->mountinfo = dup_opt(o->mountinfo ? o->mountinfo : "/proc/self/mountinfo", &ok);
    d->by_label = dup_opt(o->by_label ? o->by_label : "/dev/disk/by-label", &ok);
    d->usb_sysfs = dup_opt(o->usb_sysfs ? o->usb_sysfs : "/sys/bus/usb/devices", &ok);
    d->usb_backend = dup_opt(o->usb_backend, &ok);
    d->opt.media_root = d->media_root;
    d->opt.mountinfo = d->mountinfo;
    d->opt.by_label = d->by_label;
    d->opt.usb_sysfs = d->usb_sysfs;
    d->opt.usb_backend = d->usb_backend;
    d->stop_fd = d->wake_fd = -1;
    pthread_mutex_init(&d->lock, NULL);
    cond_init_mono(&d->cond);
    atomic_init(&d->pending, false);
    atomic_init(&d->quit, false);
    atomic_init(&d->started, false);
    atomic_init(&d->armed, true);
    if (!ok)
        goto nomem;
    int n = 0;
    if (device_backend_mtp())
        d->builtin[n++] = device_backend_mtp();
    if (device_backend_ptp())
        d->builtin[n++] = device_backend_ptp();
    d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    d->fsw = fs_watch_create(&d->opt);
    if (d->stop_fd < 0 || d->wake_fd < 0 || !d->fsw)
        goto nomem;
    if (o->usb) {
        /* Hotplug from udev's own events (after its rules ran: the device node
         * is ours to open by then). Without them (a container), the periodic
         * rescan still finds phones. */
        struct udev *u = udev_new();
        struct udev_monitor *m = u ? udev_monitor_new_from_netlink(u, "udev") : NULL;
        if (m && udev_monitor_filter_add_match_subsystem_devtype(m, "usb", "usb_device") == 0 &&
            udev_monitor_enable_receiving(m) == 0) {
            d->udev = u;
            d->udev_mon = m;
        } else {
            if (m)
                udev_monitor_unref(m);
            if (u)
                udev_unref(u);
        }
    }
    rescan(d); /* the first list is there when devices_create() returns */
    atomic_store(&d->started, true);
    if (pthread_create(&d->watcher, NULL, watch_main, d) != 0) {
        devices_destroy(d);
        device_set_err(err, DEVICE_ERR_NOMEM, "cannot start the watcher");
        return NULL;
    }
    d->watcher_started = true;
    return d;
nomem:
    devices_destroy(d);
    device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
    return NULL;
}

void devices_destroy(struct devices *d)
{
    if (!d)
        return;
    if (d->watcher_started) {
        uint64_t one = 1;
        if (write(d->stop_fd, &one, sizeof(one)) < 0) {
            /* an eventfd write only fails on overflow: it is signalled already */
        }
        pthread_join(d->watcher, NULL);
    }
    pthread_mutex_lock(&d->lock);
    while (d->devs) {
        struct dev *v = d->devs;
        d->devs = v->next;
        v->next = NULL;
        dev_gone_locked(d, v);
        dev_unref(v);
    }
    /* I/O threads end when their current call returns (libusb's timeouts
     * bound it). */
    while (d->io_threads > 0)
        pthread_cond_wait(&d->cond, &d->lock);
    pthread_mutex_unlock(&d->lock);
    if (d->udev_mon)
        udev_monitor_unref(d->udev_mon);
    if (d->udev)
        udev_unref(d->udev);
    fs_watch_destroy(d->fsw);
    if (d->stop_fd >= 0)
        close(d->stop_fd);
    if (d->wake_fd >= 0)
        close(d->wake_fd);
    free(d->media_root);
    free(d->mountinfo);
    free(d->by_label);
    free(d->usb_sysfs);
    free(d->usb_backend);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void devices_rescan(struct devices *d)
{
    if (!d)
        return;
    rescan(d);
}

int devices_settle(struct devices *d, int timeout_ms)
{
    if (!d)
        return 0;
    struct timespec end;
    deadline_in(&end, timeout_ms);
    pthread_mutex_lock(&d->lock);
    int rc = 0;
    for (;;) {
        bool connecting = false;
        for (struct dev *v = d->devs; v; v = v->next)
            connecting |= v->state == DEVICE_CONNECTING;
        if (!connecting)
            break;
        if (pthread_cond_timedwait(&d->cond, &d->lock, &end) == ETIMEDOUT) {
            rc = -1;
            break;
        }
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

void devices_wipe(struct devices *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    for (struct dev *v = d->devs; v; v = v->next)
        if (!is_fs(v)) {
            pthread_mutex_lock(&v->io.lock);
            ncache_wipe(&v->io.cache);
            pthread_mutex_unlock(&v->io.lock);
        }
    pthread_mutex_unlock(&d->lock);
}

/* ---- the list ---- */

static int kind_rank(enum device_kind k)
{
    return k == DEVICE_KIND_VOLUME ? 1 : 0;
}

static int cmp_info(const void *a, const void *b)
{
    const struct device_info *x = a, *y = b;
    if (kind_rank(x->kind) != kind_rank(y->kind))
        return kind_rank(x->kind) - kind_rank(y->kind);
    int c = strcmp(x->label, y->label);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void info_clear(struct device_info *i)
{
    device_free_str((char *)i->root);
    device_free_str((char *)i->label);
    device_free_str((char *)i->vendor);
    device_free_str((char *)i->key);
    device_free_str((char *)i->serial);
    for (size_t s = 0; s < i->nstorages; s++) {
        device_free_str((char *)i->storages[s].root);
        device_free_str((char *)i->storages[s].description);
    }
    free((void *)i->storages);
}

void device_list_free(struct device_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        info_clear(&l->v[i]);
    free(l->v);
    free(l);
}

struct device_list *devices_list(struct devices *d)
{
    struct device_list *l = calloc(1, sizeof(*l));
    if (!l || !d)
        return l;
    pthread_mutex_lock(&d->lock);
    size_t n = 0;
    for (struct dev *v = d->devs; v; v = v->next)
        n++;
    l->v = calloc(n ? n : 1, sizeof(*l->v));
    bool ok = l->v != NULL;
    for (struct dev *v = d->devs; v && ok; v = v->next) {
        struct device_info *i = &l->v[l->count++];
        i->id = v->id;
        i->backend = v->bk;
        i->kind = v->kind;
        i->state = v->state;
        i->root = strdup(v->root);
        i->label = strdup(v->label);
        i->vendor = strdup(v->vendor);
        i->key = strdup(v->key);
        i->serial = strdup(v->serial);
        i->total_bytes = v->total;
        i->free_bytes = v->avail;
        i->read_only = is_fs(v) ? v->ro : true;
        i->usb_vendor = v->usb.vendor;
        i->usb_product = v->usb.product;
        ok = i->root && i->label && i->vendor && i->key && i->serial;
        if (ok && v->be && v->probe.nstorages) {
            const size_t ns = v->probe.nstorages;
            struct device_storage *st = calloc(ns, sizeof(*st));
            ok = st != NULL;
            for (size_t s = 0; ok && s < ns; s++) {
                const struct device_probe_storage *ps = &v->probe.storages[s];
                st[s].root = dpath_format(v->be->scheme, v->key, (int)s + 1, "");
                st[s].description = device_utf8_clean(ps->description);
                st[s].removable = ps->removable;
                st[s].total_bytes = ps->total_bytes;
                st[s].free_bytes = ps->free_bytes;
                i->nstorages = s + 1;
                ok = st[s].root && st[s].description;
            }
            i->storages = st;
            if (!st)
                i->nstorages = 0;
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (!ok) {
        device_list_free(l);
        return NULL;
    }
    qsort(l->v, l->count, sizeof(*l->v), cmp_info);
    return l;
}

const struct device_info *device_list_find(const struct device_list *l, uint64_t id)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (l->v[i].id == id)
            return &l->v[i];
    return NULL;
}

const struct device_info *device_list_find_path(const struct device_list *l, const char *path)
{
    if (!l || !path)
        return NULL;
    if (device_path_is_usb(path)) {
        struct dpath p;
        if (dpath_parse(path, &p) != 0)
            return NULL;
        const struct device_info *found = NULL;
        for (size_t i = 0; i < l->count && !found; i++) {
            const struct device_info *v = &l->v[i];
            if (v->backend == DEVICE_BACKEND_FS)
                continue;
            const char *colon = strchr(v->root, ':');
            if (colon && (size_t)(colon - v->root) == strlen(p.scheme) &&
                !strncmp(v->root, p.scheme, strlen(p.scheme)) && (!p.key[0] || !strcmp(v->key, p.key)))
                found = v;
        }
        dpath_clear(&p);
        return found;
    }
    const struct device_info *best = NULL;
    for (size_t i = 0; i < l->count; i++) {
        const struct device_info *v = &l->v[i];
        if (v->backend != DEVICE_BACKEND_FS)
            continue;
        const size_t rl = strlen(v->root);
        if (!strncmp(path, v->root, rl) && (path[rl] == '/' || !path[rl]) &&
            (!best || rl > strlen(best->root)))
            best = v;
    }
    return best;
}

/* ---- finding a path's device and object ---- */

/* The device a path is on (a reference you drop with dev_unref), or NULL. */
static struct dev *find_dev(struct devices *d, const char *path, struct dpath *p, struct device_error *err)
{
    if (dpath_parse(path, p) != 0) {
        device_set_err(err, errno == EXDEV ? DEVICE_ERR_OUTSIDE : errno == ENOMEM ? DEVICE_ERR_NOMEM
                                                                               : DEVICE_ERR_INVALID,
                       "not a device path");
        return NULL;
    }
    struct dev *found = NULL;
    pthread_mutex_lock(&d->lock);
    if (p->scheme[0]) {
        for (struct dev *v = d->devs; v; v = v->next) {
            if (is_fs(v))
                continue;
            const char *colon = strchr(v->root, ':');
            const size_t sl = colon ? (size_t)(colon - v->root) : 0;
            if ((!p->key[0] || !strcmp(v->key, p->key)) && sl == strlen(p->scheme) &&
                !strncmp(v->root, p->scheme, sl) && (!found || v->id < found->id || p->key[0]))
                found = v;
        }
    } else {
        size_t best = 0;
        for (struct dev *v = d->devs; v; v = v->next) {
            if (!is_fs(v))
                continue;
            const size_t rl = strlen(v->root);
            if (!strncmp(p->rel, v->root, rl) && (p->rel[rl] == '/' || !p->rel[rl]) && rl >= best) {
                found = v;
                best = rl;
            }
        }
    }
    if (found)
        dev_ref(found);
    pthread_mutex_unlock(&d->lock);
    if (!found) {
        /* A path that was listed is on a device that is no longer there. */
        device_set_err(err, p->scheme[0] && p->key[0] ? DEVICE_ERR_GONE : p->scheme[0] ? DEVICE_ERR_NOT_FOUND
                                                                                        : DEVICE_ERR_GONE,
                       p->scheme[0] ? "no such device plugged in" : "not on a device that is plugged in");
        dpath_clear(p);
    }
    return found;
}

/* A phone that can be read now: 0, or -1 with err saying why not. Waits
 * while it is still being opened. */
static int usable(struct dev *v, struct device_error *err)
{
    struct devices *d = v->d;
    struct timespec end;
    deadline_in(&end, d->opt.timeout_ms);
    pthread_mutex_lock(&d->lock);
    while (v->state == DEVICE_CONNECTING && !atomic_load(&v->gone))
        if (pthread_cond_timedwait(&d->cond, &d->lock, &end) == ETIMEDOUT)
            break;
    const enum device_state s = v->state;
    pthread_mutex_unlock(&d->lock);
    if (atomic_load(&v->gone))
        return device_set_err(err, DEVICE_ERR_GONE, "the device was unplugged");
    switch (s) {
    case DEVICE_READY: return 0;
    case DEVICE_LOCKED:
    case DEVICE_UNTRUSTED: return device_set_err(err, DEVICE_ERR_LOCKED, "the phone is locked");
    case DEVICE_NOT_ANSWERING:
    case DEVICE_CONNECTING: return device_set_err(err, DEVICE_ERR_TIMEOUT, "the device is not answering");
    case DEVICE_BUSY: return device_set_err(err, DEVICE_ERR_BUSY, "another program has the device");
    case DEVICE_CHARGING_ONLY: return device_set_err(err, DEVICE_ERR_LOCKED, "the phone offers no file transfer");
    default: return device_set_err(err, DEVICE_ERR_ACCESS, "the device could not be opened");
    }
}

/* The backend's storage id of a 1-based storage index. */
static int storage_id(struct dev *v, int index, uint32_t *id, struct device_error *err)
{
    *id = 0;
    pthread_mutex_lock(&v->d->lock);
    const size_t n = v->probe.nstorages;
    if (index >= 1 && (size_t)index <= n)
        *id = v->probe.storages[index - 1].id;
    pthread_mutex_unlock(&v->d->lock);
    if (index < 1 || (size_t)index > n)
        return device_set_err(err, DEVICE_ERR_NOT_FOUND, "no storage %d on this device", index);
    return 0;
}

/* Lists a folder object through the I/O thread and remembers what it holds.
 * The result stays in *out (objvec_clear() it) when out is not NULL. */
static int list_obj(struct dev *v, const struct device_obj *folder, struct objvec *out,
                    struct device_error *err)
{
    struct req *r = req_new(v, REQ_LIST, folder);
    if (!r)
        return device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
    int rc = req_run(v, r, err);
    pthread_mutex_lock(&v->io.lock);
    if (rc == 0) {
        for (size_t i = 0; i < r->list.n; i++)
            ncache_put(&v->io.cache, &r->list.v[i]);
        if (out) {
            *out = r->list;
            memset(&r->list, 0, sizeof(r->list));
        }
    }
    req_unref_locked(r);
    pthread_mutex_unlock(&v->io.lock);
    return rc;
}

/* The object at rel on a storage (obj's strings malloc'd: obj_clear()). */
static int find_obj(struct dev *v, uint32_t sid, const char *rel, struct device_obj *obj,
                    struct device_error *err)
{
    memset(obj, 0, sizeof(*obj));
    if (!rel[0]) {
        const struct device_obj top = {.storage = sid, .handle = 0, .rel = "", .name = "", .folder = true};
        return obj_copy(obj, &top) == 0 ? 0 : device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
    }
    for (int pass = 0; pass < 2; pass++) {
        pthread_mutex_lock(&v->io.lock);
        const struct ncache_ent *e = ncache_get(&v->io.cache, sid, rel);
        int rc = 1;
        if (e) {
            const struct device_obj o = {.storage = sid, .handle = e->handle, .rel = e->rel,
                                         .name = device_path_name(e->rel), .folder = e->folder,
                                         .size = e->size, .mtime_ns = e->mtime_ns};
            rc = obj_copy(obj, &o);
        }
        pthread_mutex_unlock(&v->io.lock);
        if (rc == 0)
            return 0;
        if (rc < 0)
            return device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
        if (pass)
            break;
        /* Not known yet: learn the parent's children. */
        char *parent = strdup(rel);
        if (!parent)
            return device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
        char *slash = strrchr(parent, '/');
        if (slash)
            *slash = 0;
        else
            parent[0] = 0;
        struct device_obj pobj;
        rc = find_obj(v, sid, parent, &pobj, err);
        device_free_str(parent);
        if (rc != 0)
            return -1;
        if (!pobj.folder) {
            obj_clear(&pobj);
            return device_set_err(err, DEVICE_ERR_NOT_FOUND, "not a folder");
        }
        rc = list_obj(v, &pobj, NULL, err);
        obj_clear(&pobj);
        if (rc != 0)
            return -1;
    }
    return device_set_err(err, DEVICE_ERR_NOT_FOUND, "no such file or folder on the device");
}

/* ---- folders ---- */

int device_folder_list(struct devices *d, const char *path,
                       int (*emit)(void *ctx, const struct device_entry *e), void *ctx,
                       struct device_list_stats *stats, struct device_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (stats)
        memset(stats, 0, sizeof(*stats));
    if (!d || !path || !emit)
        return device_set_err(err, DEVICE_ERR_INVALID, "no path");
    struct dpath p;
    struct dev *v = find_dev(d, path, &p, err);
    if (!v)
        return -1;
    int rc = 0;
    if (is_fs(v)) {
        rc = fs_list(v->root, p.rel, emit, ctx, stats, err);
        goto out;
    }
    if ((rc = usable(v, err)) != 0)
        goto out;
    const char *scheme = v->be->scheme;
    if (p.storage == 0) {
        /* The device's top: its storages, or the only one's top. */
        pthread_mutex_lock(&d->lock);
        struct device_probe probe = v->probe;
        pthread_mutex_unlock(&d->lock);
        if (probe.nstorages == 0) {
            rc = device_set_err(err, DEVICE_ERR_LOCKED, "the device offers no storage");
            goto out;
        }
        if (probe.nstorages > 1) {
            for (size_t i = 0; i < probe.nstorages && rc == 0; i++) {
                char *sp = dpath_format(scheme, v->key, (int)i + 1, "");
                if (!sp) {
                    rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
                    break;
                }
                const struct device_entry e = {
                    .name = probe.storages[i].description, .path = sp, .folder = true, .storage = true,
                    .removable = probe.storages[i].removable, .size = probe.storages[i].total_bytes,
                    .file_id = probe.storages[i].id};
                rc = emit(ctx, &e);
                device_free_str(sp);
            }
            explicit_bzero(&probe, sizeof(probe));
            goto out;
        }
        explicit_bzero(&probe, sizeof(probe));
        p.storage = 1;
    }
    uint32_t sid;
    struct device_obj folder;
    if ((rc = storage_id(v, p.storage, &sid, err)) != 0 || (rc = find_obj(v, sid, p.rel, &folder, err)) != 0)
        goto out;
    if (!folder.folder) {
        obj_clear(&folder);
        rc = device_set_err(err, DEVICE_ERR_NOT_FOUND, "not a folder");
        goto out;
    }
    /* Emitted in batches as the device answers, not when it is done. */
    struct req *r = req_new(v, REQ_LIST, &folder);
    obj_clear(&folder);
    if (!r) {
        rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
        goto out;
    }
    struct io *io = &v->io;
    pthread_mutex_lock(&io->lock);
    rc = req_queue_locked(v, r, err);
    size_t seen = 0;
    while (rc == 0) {
        if ((rc = req_wait_locked(v, r, seen, err)) != 0)
            break;
        const size_t n = r->list.n;
        struct objvec batch = {0};
        batch.v = n > seen ? calloc(n - seen, sizeof(*batch.v)) : NULL;
        if (n > seen && !batch.v) {
            rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t i = seen; i < n; i++) {
            ncache_put(&io->cache, &r->list.v[i]);
            if (obj_copy(&batch.v[batch.n], &r->list.v[i]) == 0)
                batch.n++;
        }
        seen = n;
        const bool done = r->done;
        const int run_rc = r->rc;
        const struct device_error run_err = r->err;
        pthread_mutex_unlock(&io->lock);
        for (size_t i = 0; rc == 0 && i < batch.n; i++) {
            const struct device_obj *k = &batch.v[i];
            char *kp = dpath_format(scheme, v->key, p.storage, k->rel);
            if (!kp) {
                rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
                break;
            }
            const struct device_entry e = {.name = k->name, .path = kp, .folder = k->folder, .size = k->size,
                                           .mtime_ns = k->mtime_ns, .file_id = k->handle};
            rc = emit(ctx, &e);
            device_free_str(kp);
        }
        objvec_clear(&batch);
        pthread_mutex_lock(&io->lock);
        if (rc == 0 && done && seen == r->list.n) {
            if (run_rc != 0) {
                if (err)
                    *err = run_err;
                rc = -1;
            }
            break;
        }
    }
    if (r->queued)
        queue_remove(io, r); /* stopped early: nobody wants it any more */
    req_unref_locked(r);
    pthread_mutex_unlock(&io->lock);
out:
    dpath_clear(&p);
    dev_unref(v);
    return rc;
}

/* ---- files ---- */

struct blk {
    uint64_t off;
    size_t len;
    struct req *r;      /* NULL: empty */
};

struct device_file {
    struct devices *d;
    struct dev *v;
    int fd;             /* a mounted volume's file */
    uint64_t size;
    int64_t mtime_ns;
    struct device_obj obj;
    struct device_error err;
    struct blk b[2];    /* phones: the block read last, and the one read ahead */
    uint64_t seq_end;   /* where a sequential reader goes next */
    size_t grow;        /* the next sequential block's size */
};

struct device_file *device_file_open(struct devices *d, const char *path, struct device_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!d || !path) {
        device_set_err(err, DEVICE_ERR_INVALID, "no path");
        return NULL;
    }
    struct device_file *f = calloc(1, sizeof(*f));
    if (!f) {
        device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->d = d;
    f->fd = -1;
    struct dpath p;
    f->v = find_dev(d, path, &p, err);
    if (!f->v)
        goto fail;
    if (is_fs(f->v)) {
        f->fd = fs_open(f->v->root, p.rel, &f->size, &f->mtime_ns, err);
        dpath_clear(&p);
        if (f->fd < 0)
            goto fail;
        return f;
    }
    uint32_t sid;
    if (usable(f->v, err) != 0 || p.storage == 0 || storage_id(f->v, p.storage, &sid, err) != 0 ||
        find_obj(f->v, sid, p.rel, &f->obj, err) != 0) {
        if (err && err->code == DEVICE_OK)
            device_set_err(err, DEVICE_ERR_NOT_FOUND, "not a file");
        dpath_clear(&p);
        goto fail;
    }
    dpath_clear(&p);
    if (f->obj.folder) {
        device_set_err(err, DEVICE_ERR_NOT_FOUND, "a folder, not a file");
        goto fail;
    }
    f->size = f->obj.size;
    f->mtime_ns = f->obj.mtime_ns;
    return f;
fail:
    device_file_close(f);
    return NULL;
}

static void blk_drop(struct device_file *f, struct blk *b)
{
    if (!b->r)
        return;
    pthread_mutex_lock(&f->v->io.lock);
    if (b->r->queued)
        queue_remove(&f->v->io, b->r); /* read ahead, not needed after all */
    req_unref_locked(b->r);
    pthread_mutex_unlock(&f->v->io.lock);
    memset(b, 0, sizeof(*b));
}

void device_file_close(struct device_file *f)
{
    if (!f)
        return;
    if (f->v && !is_fs(f->v))
        for (int i = 0; i < 2; i++)
            blk_drop(f, &f->b[i]);
    if (f->fd >= 0)
        close(f->fd);
    obj_clear(&f->obj);
    if (f->v)
        dev_unref(f->v);
    explicit_bzero(f, sizeof(*f));
    free(f);
}

uint64_t device_file_size(const struct device_file *f)
{
    return f ? f->size : 0;
}

int64_t device_file_mtime_ns(const struct device_file *f)
{
    return f ? f->mtime_ns : 0;
}

const struct device_error *device_file_error(const struct device_file *f)
{
    return &f->err;
}

/* Queues a block read (without waiting). 0 / -1 with f->err. */
static int blk_start(struct device_file *f, struct blk *b, uint64_t off, size_t len)
{
    blk_drop(f, b);
    struct req *r = req_new(f->v, REQ_READ, &f->obj);
    if (r)
        r->buf = malloc(len);
    if (!r || !r->buf) {
        if (r)
            req_free(r);
        return device_set_err(&f->err, DEVICE_ERR_NOMEM, "out of memory for a read");
    }
    r->off = off;
    r->n = len;
    pthread_mutex_lock(&f->v->io.lock);
    int rc = req_queue_locked(f->v, r, &f->err);
    if (rc != 0)
        req_unref_locked(r);
    pthread_mutex_unlock(&f->v->io.lock);
    if (rc != 0)
        return -1;
    b->off = off;
    b->len = len;
    b->r = r;
    return 0;
}

/* Waits for a block; 0 when its bytes are there. */
static int blk_wait(struct device_file *f, struct blk *b)
{
    pthread_mutex_lock(&f->v->io.lock);
    int rc = b->r->done ? 0 : req_wait_locked(f->v, b->r, (size_t)WAIT_DONE, &f->err);
    if (rc == 0 && b->r->rc != 0) {
        f->err = b->r->err;
        rc = -1;
    }
    pthread_mutex_unlock(&f->v->io.lock);
    if (rc != 0)
        blk_drop(f, b);
    else
        b->len = b->r->got; /* the object may be shorter than listed */
    return rc;
}

static size_t clamp_len(const struct device_file *f, uint64_t off, size_t len)
{
    return off + len > f->size ? (size_t)(f->size - off) : len;
}

ssize_t device_file_read(struct device_file *f, void *buf, size_t n, uint64_t off)
{
    if (!f)
        return -1;
    memset(&f->err, 0, sizeof(f->err));
    if (is_fs(f->v)) {
        ssize_t r = durable_pread_all(f->fd, buf, n, off);
        if (r < 0)
            device_set_err(&f->err, device_errno(errno), "read: %s", strerror(errno));
        return r;
    }
    if (off >= f->size || n == 0)
        return 0;
    n = clamp_len(f, off, n);
    const size_t maxb = f->d->opt.read_block;
    size_t done = 0;
    while (done < n) {
        const uint64_t pos = off + done;
        struct blk *hit = NULL;
        for (int i = 0; i < 2 && !hit; i++)
            if (f->b[i].r && pos >= f->b[i].off && pos < f->b[i].off + f->b[i].len)
                hit = &f->b[i];
        const bool sequential = f->seq_end && pos == f->seq_end;
        if (!hit) {
            /* Random reads (a thumbnail's first bytes) read what is asked;
             * a sequential reader gets ever larger blocks, up to read_block. */
            size_t len = n - done;
            if (sequential) {
                f->grow = f->grow ? f->grow * 2 : 256 * 1024;
                if (f->grow > maxb)
                    f->grow = maxb;
                if (len < f->grow)
                    len = f->grow;
            } else {
                f->grow = 0;
                len = (len + MIN_BLOCK - 1) / MIN_BLOCK * MIN_BLOCK;
            }
            if (len > maxb)
                len = maxb;
            len = clamp_len(f, pos, len);
            /* Keep a block that is already coming in; replace the other. */
            struct blk *b = f->b[0].r && f->b[0].off > pos ? &f->b[1] : &f->b[0];
            if (blk_start(f, b, pos, len) != 0)
                return -1;
            hit = b;
        }
        if (blk_wait(f, hit) != 0)
            return -1;
        if (pos >= hit->off + hit->len)
            break; /* the object ended before its listed size */
        size_t take = (size_t)(hit->off + hit->len - pos);
        if (take > n - done)
            take = n - done;
        memcpy((uint8_t *)buf + done, hit->r->buf + (pos - hit->off), take);
        done += take;
        /* Read ahead: the next block comes while this one is used. */
        const uint64_t next = hit->off + hit->len;
        struct blk *other = hit == &f->b[0] ? &f->b[1] : &f->b[0];
        if ((sequential || f->grow) && next < f->size && hit->len == hit->r->n &&
            !(other->r && other->off == next)) {
            size_t len = f->grow ? f->grow * 2 : 256 * 1024;
            if (len > maxb)
                len = maxb;
            f->grow = len;
            if (blk_start(f, other, next, clamp_len(f, next, len)) != 0)
                memset(&f->err, 0, sizeof(f->err)); /* only a read-ahead */
        }
    }
    f->seq_end = off + done;
    return (ssize_t)done;
}

int device_file_thumbnail(struct device_file *f, uint8_t **data, size_t *len, struct device_error *err)
{
    *data = NULL;
    *len = 0;
    if (err)
        memset(err, 0, sizeof(*err));
    if (!f || is_fs(f->v) || !f->v->be || !f->v->be->thumbnail)
        return device_set_err(err, DEVICE_ERR_UNSUPPORTED, "no thumbnails on this device");
    struct req *r = req_new(f->v, REQ_THUMB, &f->obj);
    if (!r)
        return device_set_err(err, DEVICE_ERR_NOMEM, "out of memory");
    int rc = req_run(f->v, r, err);
    pthread_mutex_lock(&f->v->io.lock);
    if (rc == 0) {
        *data = r->data;
        *len = r->len;
        r->data = NULL;
        r->len = 0;
    }
    req_unref_locked(r);
    pthread_mutex_unlock(&f->v->io.lock);
    return rc;
}
