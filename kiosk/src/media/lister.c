/* The lister: one thread that reads device folders for phones' folders and
 * galleries, one device folder at a time, so the caller (the UI) never
 * waits for a phone. Between folders it looks again for the most urgent
 * work: a folder the person just opened comes before a gallery being
 * gathered in the background. The walk is a small heap of the folders still
 * to read. */
#include "media_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the walk ---- */

struct node {
    char *path, *rel;
    int depth, rank;
    uint64_t seq;
};

struct walk {
    struct node *v;
    size_t n, cap;
    uint64_t seq;
    size_t popped;
};

struct walk *media_walk_new(void)
{
    return calloc(1, sizeof(struct walk));
}

void media_walk_free(struct walk *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        media_free_str(w->v[i].path);
        media_free_str(w->v[i].rel);
    }
    free(w->v);
    free(w);
}

static bool before(const struct node *a, const struct node *b)
{
    if (a->rank != b->rank)
        return a->rank < b->rank;
    if (a->depth != b->depth)
        return a->depth < b->depth;
    return a->seq < b->seq;
}

static void swap(struct node *a, struct node *b)
{
    const struct node t = *a;
    *a = *b;
    *b = t;
}

int media_walk_push(struct walk *w, const char *path, const char *rel, int depth, int rank)
{
    if (w->n == w->cap) {
        const size_t cap = w->cap ? w->cap * 2 : 64;
        struct node *nv = realloc(w->v, cap * sizeof(*nv));
        if (!nv)
            return -1;
        w->v = nv;
        w->cap = cap;
    }
    struct node nd = {.path = strdup(path), .rel = strdup(rel), .depth = depth, .rank = rank,
                      .seq = w->seq++};
    if (!nd.path || !nd.rel) {
        media_free_str(nd.path);
        media_free_str(nd.rel);
        return -1;
    }
    size_t i = w->n++;
    w->v[i] = nd;
    while (i > 0 && before(&w->v[i], &w->v[(i - 1) / 2])) {
        swap(&w->v[i], &w->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

int media_walk_pop(struct walk *w, char **path, char **rel, int *depth)
{
    if (!w || w->n == 0)
        return -1;
    *path = w->v[0].path;
    *rel = w->v[0].rel;
    *depth = w->v[0].depth;
    w->v[0] = w->v[--w->n];
    for (size_t i = 0;;) {
        const size_t l = 2 * i + 1, r = l + 1;
        size_t best = i;
        if (l < w->n && before(&w->v[l], &w->v[best]))
            best = l;
        if (r < w->n && before(&w->v[r], &w->v[best]))
            best = r;
        if (best == i)
            break;
        swap(&w->v[i], &w->v[best]);
        i = best;
    }
    w->popped++;
    return 0;
}

bool media_walk_empty(const struct walk *w)
{
    return !w || w->n == 0;
}

size_t media_walk_popped(const struct walk *w)
{
    return w ? w->popped : 0;
}

/* ---- the thread ---- */

/* m->lock held: the most urgent folder with something to list. Folders
 * come newest first in m->folders; a gallery waits for folders. */
static struct media_folder *next_listing(struct media *m)
{
    struct media_folder *gallery = NULL;
    for (struct media_folder *f = m->folders; f; f = f->next) {
        pthread_mutex_lock(&f->lock);
        const bool want = f->listing && !f->wiped && !f->closed;
        pthread_mutex_unlock(&f->lock);
        if (!want)
            continue;
        if (!f->gallery)
            return f;
        if (!gallery)
            gallery = f;
    }
    return gallery;
}

static void *lister_main(void *arg)
{
    struct media *m = arg;
    pthread_mutex_lock(&m->lock);
    while (!m->quit) {
        struct media_folder *f = m->paused ? NULL : next_listing(m);
        if (!f) {
            pthread_cond_wait(&m->work_cond, &m->lock);
            continue;
        }
        media_folder_ref(f);
        pthread_mutex_unlock(&m->lock);
        media_folder_list_step(f);
        media_folder_unref(f);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

int media_lister_start(struct media *m)
{
    if (pthread_create(&m->lister, NULL, lister_main, m) != 0)
        return -1;
    m->lister_started = true;
    return 0;
}

void media_lister_stop(struct media *m)
{
    if (!m->lister_started)
        return;
    pthread_mutex_lock(&m->lock);
    m->quit = true;
    pthread_cond_broadcast(&m->work_cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->lister, NULL);
    m->lister_started = false;
}
