/* The media context: options, events, lifetime. */
#include "media_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void media_options_default(struct media_options *o)
{
    memset(o, 0, sizeof(*o));
    o->workers = 2;
    o->thumb_size = 192;
    o->cache_bytes = 32u << 20;
}

void media_raise(struct media *m, unsigned ev)
{
    /* One notify() until the app fetches the events: a burst of thousands
     * of content checks wakes the main loop once. */
    if (atomic_fetch_or(&m->pending, ev) == 0 && m->opt.notify)
        m->opt.notify(m->opt.notify_ctx);
}

void media_io_begin(struct media *m, bool usb)
{
    /* A phone may take until the device layer's timeout to answer: media_wipe()
     * does not wait for such a job (it drops what it holds afterwards). Files
     * on a mounted volume answer at once and are waited for. */
    if (!usb)
        return;
    pthread_mutex_lock(&m->lock);
    m->io_waiting++;
    pthread_cond_broadcast(&m->idle_cond);
    pthread_mutex_unlock(&m->lock);
}

void media_io_end(struct media *m, bool usb)
{
    if (!usb)
        return;
    pthread_mutex_lock(&m->lock);
    m->io_waiting--;
    pthread_mutex_unlock(&m->lock);
}

unsigned media_events(struct media *m)
{
    return m ? atomic_exchange(&m->pending, 0) : 0;
}

static int invalid(struct media_error *err, const char *what)
{
    if (err) {
        err->code = MEDIA_ERR_INVALID;
        snprintf(err->detail, sizeof(err->detail), "%s", what);
    }
    return -1;
}

struct media *media_create(const struct media_options *o, struct media_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    struct media_options def;
    if (!o) {
        media_options_default(&def);
        o = &def;
    }
    if (!o->devices) {
        invalid(err, "no device layer");
        return NULL;
    }
    if (o->workers < 1 || o->workers > 16 || o->thumb_size < 16 || o->thumb_size > 1024) {
        invalid(err, "workers 1..16, thumb_size 16..1024");
        return NULL;
    }
    const size_t one = (size_t)o->thumb_size * (size_t)o->thumb_size * 4;
    if (o->cache_bytes / one < 16) {
        invalid(err, "cache_bytes must hold at least 16 thumbnails");
        return NULL;
    }
    struct media *m = calloc(1, sizeof(*m));
    if (!m) {
        if (err) {
            err->code = MEDIA_ERR_NOMEM;
            snprintf(err->detail, sizeof(err->detail), "out of memory");
        }
        return NULL;
    }
    m->opt = *o;
    m->dev = o->devices;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->work_cond, NULL);
    pthread_cond_init(&m->idle_cond, NULL);
    atomic_init(&m->pending, 0);
    if (media_workers_start(m) != 0 || media_lister_start(m) != 0) {
        if (err) {
            err->code = MEDIA_ERR_NOMEM;
            snprintf(err->detail, sizeof(err->detail), "could not start the worker threads");
        }
        media_destroy(m);
        return NULL;
    }
    return m;
}

void media_destroy(struct media *m)
{
    if (!m)
        return;
    media_wipe(m);
    media_lister_stop(m);
    media_workers_stop(m);
    /* Folders the app did not close: they are empty after the wipe. */
    pthread_mutex_lock(&m->lock);
    struct media_folder *f = m->folders;
    m->folders = NULL;
    pthread_mutex_unlock(&m->lock);
    while (f) {
        struct media_folder *next = f->next;
        f->closed = true;
        f->m = NULL;
        f = next;
    }
    pthread_cond_destroy(&m->idle_cond);
    pthread_cond_destroy(&m->work_cond);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
