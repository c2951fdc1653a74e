/* Thumbnails: a want list (what the UI shows, in priority order), worker
 * threads that decode at reduced size, and an LRU cache with a byte budget.
 *
 * Files are read through the device layer, the cheapest way first: the
 * device's own small preview (a phone's MTP GetThumb), else the first 64 KB
 * of the file for a JPEG's EXIF preview, else the whole file (photos up to
 * 96 MB); video posters come from FFmpeg reading through the same file.
 * Nothing is ever written anywhere.
 *
 * A record (struct thumb) exists for every file that is wanted or cached,
 * keyed by device path and checked against the file's size, date and
 * object id. Its
 * state moves QUEUED -> LOADING -> READY / FAILED; records still QUEUED
 * when the UI stops wanting them are dropped at once, LOADING ones are told
 * to stop (polled between rows, read chunks and video packets). Only the
 * want list's records can be QUEUED or LOADING, and the want list is capped
 * at half the budget's worth of thumbnails, so a new thumbnail always fits
 * once older ones that nobody wants now are evicted. Every buffer that held
 * pixels, file bytes or names is wiped before it is freed. */
#include "media_internal.h"

#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    TABLE_SIZE = 8192,                 /* hash buckets (a power of two) */
    HEAD_BYTES = 64 * 1024,            /* read first: enough to tell what a file is */
    READ_CHUNK = 1 << 20,              /* cancellation is checked between chunks */
    RETRY_GONE_S = 2,                  /* a removed device may come back */
};
static const uint64_t MAX_IMAGE_FILE = 96ull << 20; /* a 200 MP phone JPEG is ~40 MB */

struct thumb {
    char *path;            /* device path */
    uint8_t hint;          /* the name's guess (HINT_*) */
    uint64_t hash, size, file_id;
    int64_t mtime_ns;
    enum media_thumb_state state;
    enum media_err err;
    uint8_t kind;          /* MEDIA_KIND_PHOTO / VIDEO once read */
    int w, h, full_w, full_h;
    int64_t duration_ms;
    uint8_t *px;
    size_t bytes;          /* counted against the budget */
    time_t failed_at;
    struct thumb *hnext, *prev, *next;
    struct media_folder *folder; /* while QUEUED/LOADING: told what the content is */
    uint32_t id;
    uint64_t want_gen;
    atomic_bool cancel;
};

/* ---- the table and the LRU list (m->lock held) ---- */

static size_t rec_overhead(const struct thumb *t)
{
    return sizeof(*t) + strlen(t->path) + 1;
}

static void lru_unlink(struct media *m, struct thumb *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        m->lru_head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        m->lru_tail = t->prev;
    t->prev = t->next = NULL;
}

static void lru_push_head(struct media *m, struct thumb *t)
{
    t->prev = NULL;
    t->next = m->lru_head;
    if (m->lru_head)
        m->lru_head->prev = t;
    m->lru_head = t;
    if (!m->lru_tail)
        m->lru_tail = t;
}

static void touch(struct media *m, struct thumb *t)
{
    if (m->lru_head != t) {
        lru_unlink(m, t);
        lru_push_head(m, t);
    }
}

static void drop_pixels(struct media *m, struct thumb *t)
{
    if (t->px) {
        const size_t n = (size_t)t->w * (size_t)t->h * 4;
        media_secure_free(t->px, n);
        t->px = NULL;
        t->bytes -= n;
        m->bytes -= n;
    }
}

static void release_folder(struct thumb *t)
{
    if (t->folder) {
        media_folder_unref(t->folder);
        t->folder = NULL;
    }
}

/* Removes and frees a record that is not LOADING. */
static void rec_free(struct media *m, struct thumb *t)
{
    struct thumb **pp = &m->table[t->hash & (TABLE_SIZE - 1)];
    while (*pp && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = t->hnext;
    lru_unlink(m, t);
    drop_pixels(m, t);
    m->bytes -= t->bytes;
    m->items--;
    release_folder(t);
    media_free_str(t->path);
    media_secure_free(t, sizeof(*t));
}

/* Not to be evicted: work in progress, and whatever the current want list
 * holds (also while media_thumbs_want() is still building it). */
static bool pinned(const struct media *m, const struct thumb *t)
{
    return t->state == MEDIA_THUMB_QUEUED || t->state == MEDIA_THUMB_LOADING ||
           t->want_gen == m->want_gen;
}

/* Evicts least recently used records nobody wants now until `add` more
 * bytes fit. False if they cannot. */
static bool make_room(struct media *m, size_t add)
{
    struct thumb *t = m->lru_tail;
    while (m->bytes + add > m->opt.cache_bytes && t) {
        struct thumb *prev = t->prev;
        if (!pinned(m, t)) {
            rec_free(m, t);
            m->stats.evicted++;
        }
        t = prev;
    }
    return m->bytes + add <= m->opt.cache_bytes;
}

static bool same_file(const struct thumb *t, const struct mentry *e)
{
    return t->hash == e->key && t->size == e->size && t->mtime_ns == e->mtime_ns &&
           t->file_id == e->file_id && !strcmp(t->path, e->path);
}

static struct thumb *lookup(struct media *m, const struct mentry *e)
{
    if (!m->table || !e->path || !e->path[0])
        return NULL;
    for (struct thumb *t = m->table[e->key & (TABLE_SIZE - 1)]; t; t = t->hnext)
        if (same_file(t, e))
            return t;
    return NULL;
}

static struct thumb *create_rec(struct media *m, const struct mentry *e)
{
    /* The same path with another identity is a changed file: forget it. */
    for (struct thumb *t = m->table[e->key & (TABLE_SIZE - 1)]; t; t = t->hnext)
        if (t->hash == e->key && !strcmp(t->path, e->path) && t->state != MEDIA_THUMB_LOADING &&
            !pinned(m, t)) {
            rec_free(m, t);
            break;
        }
    struct thumb *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->path = strdup(e->path);
    if (!t->path) {
        free(t);
        return NULL;
    }
    t->hint = e->kind;
    t->hash = e->key;
    t->size = e->size;
    t->file_id = e->file_id;
    t->mtime_ns = e->mtime_ns;
    t->duration_ms = -1;
    atomic_init(&t->cancel, false);
    t->bytes = rec_overhead(t);
    if (!make_room(m, t->bytes)) {
        media_free_str(t->path);
        media_secure_free(t, sizeof(*t));
        return NULL;
    }
    m->bytes += t->bytes;
    if (m->bytes > m->peak)
        m->peak = m->bytes;
    m->items++;
    struct thumb **b = &m->table[t->hash & (TABLE_SIZE - 1)];
    t->hnext = *b;
    *b = t;
    lru_push_head(m, t);
    return t;
}

void media_cache_clear_locked(struct media *m)
{
    for (struct thumb *t = m->lru_head; t;) {
        struct thumb *next = t->next;
        if (t->state == MEDIA_THUMB_LOADING)
            atomic_store(&t->cancel, true); /* its worker frees it */
        else
            rec_free(m, t);
        t = next;
    }
}

/* ---- the want list ---- */

size_t media_thumbs_max_want(const struct media *m)
{
    return m ? m->want_max : 0;
}

void media_thumbs_want(struct media *m, struct media_folder *f, const uint32_t *ids, size_t n)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    const uint64_t gen = ++m->want_gen;
    size_t k = 0;
    const time_t now = time(NULL);
    if (f && !f->wiped && ids) {
        pthread_mutex_lock(&f->lock);
        for (size_t i = 0; i < n && k < m->want_max; i++) {
            if (ids[i] >= f->known || media_ent(f, ids[i])->dir || f->wiped)
                continue;
            const struct mentry *e = media_ent(f, ids[i]);
            struct thumb *t = lookup(m, e);
            if (!t && !(t = create_rec(m, e)))
                continue;
            if (t->want_gen == gen)
                continue; /* listed twice */
            t->want_gen = gen;
            m->want[k++] = t;
            if (t->state == MEDIA_THUMB_FAILED && t->err == MEDIA_ERR_GONE &&
                now - t->failed_at >= RETRY_GONE_S)
                t->state = MEDIA_THUMB_NONE;
            if (t->state == MEDIA_THUMB_LOADING)
                atomic_store(&t->cancel, false); /* wanted again after all */
            if (t->state == MEDIA_THUMB_NONE)
                t->state = MEDIA_THUMB_QUEUED;
            if ((t->state == MEDIA_THUMB_QUEUED || t->state == MEDIA_THUMB_LOADING) &&
                t->folder != f) {
                release_folder(t);
                media_folder_ref(f);
                t->folder = f;
            }
            t->id = ids[i];
        }
        pthread_mutex_unlock(&f->lock);
    }
    /* Least wanted first, so that the first listed ends up most recent. */
    for (size_t i = k; i-- > 0;)
        touch(m, m->want[i]);
    /* Anything queued before and not listed now is dropped; running work
     * for it is told to stop. */
    for (struct thumb *t = m->lru_head; t;) {
        struct thumb *next = t->next;
        if (t->want_gen != gen) {
            if (t->state == MEDIA_THUMB_QUEUED) {
                rec_free(m, t);
                m->stats.cancelled++;
            } else if (t->state == MEDIA_THUMB_LOADING) {
                atomic_store(&t->cancel, true);
            }
        }
        t = next;
    }
    m->want_n = k;
    pthread_cond_broadcast(&m->work_cond);
    pthread_mutex_unlock(&m->lock);
}

/* ---- what the UI reads ---- */

void media_thumb_get(struct media *m, struct media_folder *f, uint32_t id,
                     struct media_thumb_info *info)
{
    memset(info, 0, sizeof(*info));
    info->duration_ms = -1;
    if (!m || !f || f->wiped || id >= f->known)
        return;
    pthread_mutex_lock(&m->lock);
    struct thumb *t = lookup(m, media_ent(f, id));
    if (t) {
        info->state = t->state;
        info->err = t->err;
        info->kind = (enum media_kind)t->kind;
        if (t->state == MEDIA_THUMB_READY && t->px) {
            info->width = t->w;
            info->height = t->h;
        }
        info->full_width = t->full_w;
        info->full_height = t->full_h;
        info->duration_ms = t->duration_ms;
        if (t->state == MEDIA_THUMB_READY)
            touch(m, t);
    }
    pthread_mutex_unlock(&m->lock);
}

int media_thumb_copy(struct media *m, struct media_folder *f, uint32_t id, bool blurred,
                     uint8_t *dst, size_t pitch, int w, int h)
{
    if (!m || !f || f->wiped || id >= f->known || !dst || pitch < (size_t)w * 4)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&m->lock);
    struct thumb *t = lookup(m, media_ent(f, id));
    if (t && t->state == MEDIA_THUMB_READY && t->px && t->w == w && t->h == h) {
        for (int y = 0; y < h; y++)
            memcpy(dst + (size_t)y * pitch, t->px + (size_t)y * w * 4, (size_t)w * 4);
        rc = 0;
    }
    pthread_mutex_unlock(&m->lock);
    if (rc == 0 && blurred)
        media_blur_rgba(dst, w, h, pitch, 0);
    return rc;
}

/* ---- decoding (worker threads, no lock held) ---- */

enum source { FROM_NONE, FROM_DEVICE, FROM_PREVIEW, FROM_WHOLE };

struct job {
    struct media *m;
    struct thumb *t; /* only t->cancel is read without the lock */
    char *path;
    uint8_t hint;
    bool usb;        /* a phone: its reads may wait long (media_io_begin) */
    struct device_file *df;
    /* results */
    uint64_t bytes_read, device_bytes;
    enum source source;
    enum media_err err;
    uint8_t kind;
    struct image_rgba img;
    struct poster poster;
};

static int job_cancelled(void *ctx)
{
    struct job *j = ctx;
    return atomic_load(&j->t->cancel);
}

static enum media_err image_err(enum image_err e)
{
    switch (e) {
    case IMAGE_ERR_UNSUPPORTED: return MEDIA_ERR_UNSUPPORTED;
    case IMAGE_ERR_TOO_LARGE: return MEDIA_ERR_TOO_LARGE;
    case IMAGE_ERR_NOMEM: return MEDIA_ERR_NOMEM;
    default: return MEDIA_ERR_CORRUPT;
    }
}

/* A file that was listed and cannot be found now: its device went away. */
static enum media_err read_err(enum device_err e)
{
    return e == DEVICE_ERR_NOT_FOUND ? MEDIA_ERR_GONE : media_err_of_device(e);
}

/* Reads n bytes at off (the reader FFmpeg and the photo path share). */
static ssize_t job_read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
    struct job *j = ctx;
    media_io_begin(j->m, j->usb);
    ssize_t r = device_file_read(j->df, buf, n, off);
    media_io_end(j->m, j->usb);
    if (r < 0) {
        errno = media_errno_of_device(device_file_error(j->df)->code);
        return -1;
    }
    j->bytes_read += (uint64_t)r;
    return r;
}

/* The device's own preview, when it has one (a phone; volumes do not). */
static bool device_preview(struct job *j, const struct image_scale *sc)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct device_error derr;
    media_io_begin(j->m, j->usb);
    const int rc = device_file_thumbnail(j->df, &data, &len, &derr);
    media_io_end(j->m, j->usb);
    if (rc != 0)
        return false;
    j->device_bytes += len;
    struct image_error ierr;
    const bool ok = media_sandbox_scaled(data, len, sc, &j->img, &ierr) == 0;
    device_free(data, len); /* a small picture of somebody's photo */
    if (ok)
        j->source = FROM_DEVICE;
    return ok;
}

static void run_job(struct job *j)
{
    const int box = j->m->opt.thumb_size;
    uint8_t *data = NULL;
    size_t cap = 0;
    struct device_error derr;
    media_io_begin(j->m, j->usb);
    j->df = device_file_open(j->m->dev, j->path, &derr);
    media_io_end(j->m, j->usb);
    if (!j->df) {
        j->err = read_err(derr.code);
        return;
    }
    struct image_scale sc = {.max_w = box, .max_h = box, .cancelled = job_cancelled, .ctx = j};
    struct image_error ierr;
    if (j->hint == HINT_PHOTO && device_preview(j, &sc))
        goto out;
    if (job_cancelled(j))
        goto out;
    const uint64_t size = device_file_size(j->df);
    const size_t head = size < HEAD_BYTES ? (size_t)size : HEAD_BYTES;
    cap = head;
    data = malloc(cap ? cap : 1);
    if (!data) {
        j->err = MEDIA_ERR_NOMEM;
        goto out;
    }
    ssize_t r = job_read_at(j, data, head, 0);
    if (r < 0 || (size_t)r < head) {
        j->err = r < 0 ? read_err(device_file_error(j->df)->code) : MEDIA_ERR_GONE;
        goto out;
    }
    const int kind = media_sniff(data, head);
    if (kind == SNIFF_OTHER) {
        j->kind = SNIFF_OTHER;
        j->err = MEDIA_ERR_NOT_MEDIA;
        goto out;
    }
    if (kind == SNIFF_VIDEO) {
        j->kind = SNIFF_VIDEO;
        const struct media_reader rd = {.size = size, .read_at = job_read_at, .ctx = j};
        media_sandbox_poster(&rd, box, job_cancelled, j, &j->poster, &j->err);
        goto out;
    }
    j->kind = SNIFF_PHOTO;
    /* A phone's JPEG usually carries a preview in its first kilobytes:
     * when it is good enough, the rest of the file is never read. */
    if (image_sniff(data, head) == IMAGE_FORMAT_JPEG &&
        media_sandbox_preview(data, head, &sc, &j->img, &ierr) == 0) {
        j->source = FROM_PREVIEW;
        goto out;
    }
    if (size > MAX_IMAGE_FILE) {
        j->err = MEDIA_ERR_TOO_LARGE;
        goto out;
    }
    /* Decoders work from memory; read the rest in chunks so a stale job
     * stops early. */
    uint8_t *all = malloc((size_t)size);
    if (!all) {
        j->err = MEDIA_ERR_NOMEM;
        goto out;
    }
    memcpy(all, data, head);
    media_secure_free(data, cap);
    data = all;
    cap = (size_t)size;
    for (size_t done = head; done < size;) {
        if (job_cancelled(j))
            goto out;
        const size_t want = size - done < READ_CHUNK ? (size_t)(size - done) : READ_CHUNK;
        r = job_read_at(j, data + done, want, done);
        if (r < 0 || (size_t)r < want) {
            j->err = r < 0 ? read_err(device_file_error(j->df)->code) : MEDIA_ERR_GONE;
            goto out;
        }
        done += want;
    }
    if (media_sandbox_scaled(data, cap, &sc, &j->img, &ierr) != 0)
        j->err = ierr.code == IMAGE_ERR_SINK && job_cancelled(j) ? MEDIA_OK : image_err(ierr.code);
    else
        j->source = FROM_WHOLE;
out:
    media_secure_free(data, cap); /* the file's bytes: somebody's private picture */
    device_file_close(j->df);
    j->df = NULL;
}

/* Stores a job's result in its record (m->lock held). */
static void finish(struct media *m, struct job *j, uint64_t epoch)
{
    struct thumb *t = j->t;
    const bool cancelled = atomic_load(&t->cancel) || epoch != m->epoch;
    m->stats.bytes_read += j->bytes_read;
    m->stats.device_thumb_bytes += j->device_bytes;
    struct media_folder *f = t->folder;
    if (f && j->kind && !cancelled) {
        /* The content decides what the entry is (lock order: m, then f). */
        pthread_mutex_lock(&f->lock);
        if (!f->wiped && t->id < f->n && media_ent(f, t->id)->key == t->hash) {
            atomic_store(&media_ent(f, t->id)->sniffed, j->kind);
            atomic_store(&f->dirty, true);
        }
        pthread_mutex_unlock(&f->lock);
    }
    uint8_t *px = j->img.pixels ? j->img.pixels : j->poster.rgba;
    const int w = j->img.pixels ? j->img.width : j->poster.w;
    const int h = j->img.pixels ? j->img.height : j->poster.h;
    if (cancelled) {
        m->stats.cancelled++;
        if (t->want_gen == m->want_gen && epoch == m->epoch) {
            t->state = MEDIA_THUMB_QUEUED; /* wanted again meanwhile */
        } else {
            t->state = MEDIA_THUMB_NONE;
            rec_free(m, t);
        }
        media_secure_free(px, (size_t)w * (size_t)h * 4);
        return;
    }
    release_folder(t);
    t->kind = j->kind == SNIFF_PHOTO ? MEDIA_KIND_PHOTO : j->kind == SNIFF_VIDEO ? MEDIA_KIND_VIDEO : 0;
    t->full_w = j->img.pixels ? j->img.full_width : j->poster.full_w;
    t->full_h = j->img.pixels ? j->img.full_height : j->poster.full_h;
    t->duration_ms = j->poster.duration_ms;
    if (j->err == MEDIA_OK && !px && j->kind != SNIFF_VIDEO)
        j->err = MEDIA_ERR_CORRUPT;
    if (j->err == MEDIA_OK && px) {
        const size_t n = (size_t)w * (size_t)h * 4;
        if (!make_room(m, n)) {
            media_secure_free(px, n);
            j->err = MEDIA_ERR_NOMEM;
        } else {
            t->px = px;
            t->w = w;
            t->h = h;
            t->bytes += n;
            m->bytes += n;
            if (m->bytes > m->peak)
                m->peak = m->bytes;
        }
    }
    if (j->err == MEDIA_OK) {
        t->state = MEDIA_THUMB_READY; /* a video without pixels: the placeholder */
        m->stats.decoded++;
        m->stats.from_device += j->source == FROM_DEVICE;
        m->stats.previews += j->source == FROM_PREVIEW;
        m->stats.whole_files += j->source == FROM_WHOLE;
    } else {
        t->state = MEDIA_THUMB_FAILED;
        t->err = j->err;
        t->failed_at = time(NULL);
        m->stats.failed++;
    }
}

bool media_thumbs_waiting(struct media *m)
{
    pthread_mutex_lock(&m->lock);
    bool w = false;
    for (size_t i = 0; i < m->want_n && !w; i++)
        w = m->want[i]->state == MEDIA_THUMB_QUEUED;
    pthread_mutex_unlock(&m->lock);
    return w;
}

static struct thumb *next_queued(struct media *m)
{
    for (size_t i = 0; i < m->want_n; i++)
        if (m->want[i]->state == MEDIA_THUMB_QUEUED)
            return m->want[i];
    return NULL;
}

static struct media_folder *next_refine(struct media *m)
{
    for (struct media_folder *f = m->folders; f; f = f->next)
        if (media_folder_needs_refine(f))
            return f;
    return NULL;
}

static void *worker_main(void *arg)
{
    struct media *m = arg;
    pthread_mutex_lock(&m->lock);
    while (!m->quit) {
        struct thumb *t = m->paused ? NULL : next_queued(m);
        if (t) {
            t->state = MEDIA_THUMB_LOADING;
            atomic_store(&t->cancel, false);
            m->running++;
            struct job j = {.m = m, .t = t, .hint = t->hint, .poster.duration_ms = -1};
            j.path = strdup(t->path);
            j.usb = j.path && device_path_is_usb(j.path);
            const uint64_t epoch = m->epoch;
            pthread_mutex_unlock(&m->lock);
            if (j.path)
                run_job(&j);
            else
                j.err = MEDIA_ERR_NOMEM;
            media_free_str(j.path);
            pthread_mutex_lock(&m->lock);
            const bool current = epoch == m->epoch;
            finish(m, &j, epoch);
            /* Under the lock, and only for this session: media_wipe() does
             * not wait for a job stuck on a phone, and no event of a wiped
             * session may arrive after it returns. */
            if (current) {
                if (j.kind)
                    media_raise(m, MEDIA_EV_FOLDER);
                media_raise(m, MEDIA_EV_THUMBS);
            }
            m->running--;
            pthread_cond_broadcast(&m->idle_cond);
            continue;
        }
        struct media_folder *f = m->paused ? NULL : next_refine(m);
        if (f) {
            media_folder_ref(f);
            m->running++;
            pthread_mutex_unlock(&m->lock);
            media_folder_refine(f, 32);
            media_folder_unref(f);
            pthread_mutex_lock(&m->lock);
            m->running--;
            pthread_cond_broadcast(&m->idle_cond);
            continue;
        }
        pthread_cond_wait(&m->work_cond, &m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int media_workers_start(struct media *m)
{
    const size_t one = (size_t)m->opt.thumb_size * (size_t)m->opt.thumb_size * 4 + 512;
    m->want_max = m->opt.cache_bytes / (2 * one);
    m->want_gen = 1; /* records start at 0: never "wanted now" by accident */
    m->want = calloc(m->want_max, sizeof(*m->want));
    m->table = calloc(TABLE_SIZE, sizeof(*m->table));
    m->workers = calloc((size_t)m->opt.workers, sizeof(pthread_t));
    if (!m->want || !m->table || !m->workers)
        return -1;
    for (int i = 0; i < m->opt.workers; i++) {
        if (pthread_create(&m->workers[i], NULL, worker_main, m) != 0)
            return -1;
        m->nworkers++;
    }
    return 0;
}

void media_workers_stop(struct media *m)
{
    pthread_mutex_lock(&m->lock);
    m->quit = true;
    pthread_cond_broadcast(&m->work_cond);
    pthread_mutex_unlock(&m->lock);
    for (int i = 0; i < m->nworkers; i++)
        pthread_join(m->workers[i], NULL);
    m->nworkers = 0;
    pthread_mutex_lock(&m->lock);
    if (m->table)
        media_cache_clear_locked(m);
    pthread_mutex_unlock(&m->lock);
    free(m->workers);
    free(m->want);
    free(m->table);
    m->workers = NULL;
    m->want = NULL;
    m->table = NULL;
}

/* ---- session control ---- */

void media_pause(struct media *m, bool paused)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->paused = paused;
    pthread_cond_broadcast(&m->work_cond);
    pthread_mutex_unlock(&m->lock);
}

void media_wipe(struct media *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->epoch++;
    m->want_n = 0;
    ++m->want_gen;
    if (m->table)
        media_cache_clear_locked(m);
    for (struct media_folder *f = m->folders; f; f = f->next)
        media_folder_wipe(f);
    /* Running decodes stop at their next check; their buffers are wiped
     * by the worker before this returns. One waiting for a phone that
     * stopped answering is not waited for (up to the device layer's
     * timeout): it finds itself cancelled, wipes and drops what it has. */
    while (m->running > m->io_waiting)
        pthread_cond_wait(&m->idle_cond, &m->lock);
    if (m->table)
        media_cache_clear_locked(m);
    atomic_store(&m->pending, 0);
    pthread_mutex_unlock(&m->lock);
}

void media_get_stats(struct media *m, struct media_stats *s)
{
    memset(s, 0, sizeof(*s));
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    *s = m->stats;
    s->cache_bytes = m->bytes;
    s->cache_peak = m->peak;
    s->cache_items = m->items;
    s->running = m->running;
    for (size_t i = 0; i < m->want_n; i++)
        s->queued += m->want[i]->state == MEDIA_THUMB_QUEUED;
    for (struct media_folder *f = m->folders; f; f = f->next) {
        pthread_mutex_lock(&f->lock);
        s->listing += f->listing && !f->wiped;
        pthread_mutex_unlock(&f->lock);
    }
    pthread_mutex_unlock(&m->lock);
}
