/* The person's session and its memory (see session.h). */
#include "session.h"

#include "media.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void (*session_free_hook)(const void *p, size_t n);

static void wipe_list(struct vpdq_list *l)
{
    if (l->v && l->cap)
        sodium_memzero(l->v, l->cap * sizeof(*l->v));
}

void session_result_release(struct hash_result *r)
{
    /* A video's frame fingerprints are the person's data too: zeroed before
     * hash_result_clear() frees them. */
    if (r && r->vpdq) {
        wipe_list(&r->vpdq->frames);
        wipe_list(&r->vpdq->displayed);
    }
    hash_result_clear(r);
}

/* Each block carries its size in front, so it can be wiped whole. */
struct block_head {
    size_t n;
    size_t pad;   /* keeps the payload 16-byte aligned */
};

void *session_alloc(size_t n)
{
    struct block_head *h = calloc(1, sizeof(*h) + n);
    if (!h)
        return NULL;
    h->n = n;
    return h + 1;
}

char *session_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *p = session_alloc(n);
    if (p)
        memcpy(p, s ? s : "", n);
    return p;
}

void session_free(void *p)
{
    if (!p)
        return;
    struct block_head *h = (struct block_head *)p - 1;
    size_t n = h->n;
    sodium_memzero(p, n);
    if (session_free_hook)
        session_free_hook(p, n);
    sodium_memzero(h, sizeof(*h));
    free(h);
}

static void item_free(struct session_item *it)
{
    session_free(it->path);
    session_free(it->name);
    if (it->res)
        session_result_release(it->res);
    session_free(it->res);
    sodium_memzero(it, sizeof(*it));
}

void session_clear_items(struct session *s)
{
    for (size_t i = 0; i < s->nitems; i++)
        item_free(&s->items[i]);
    session_free(s->items);
    session_free(s->index);
    s->items = NULL;
    s->index = NULL;
    s->nitems = s->cap = s->index_cap = 0;
}

void session_wipe(struct session *s)
{
    session_clear_items(s);
    session_free(s->volume_path);
    session_free(s->volume_label);
    sodium_memzero(s, sizeof(*s));
}

void session_begin(struct session *s, bool demo)
{
    session_wipe(s);
    s->active = true;
    s->demo = demo;
    s->age = AGE_UNSET;
    s->who = WHO_UNSET;
    s->content = CONTENT_UNSET;
    s->consent = CONSENT_UNSET;
    s->origin = ORIGIN_UNSET;
}

int session_set_volume(struct session *s, uint64_t id, const char *path, const char *label)
{
    char *p = session_strdup(path), *l = session_strdup(label);
    if (!p || !l) {
        session_free(p);
        session_free(l);
        return -1;
    }
    session_free(s->volume_path);
    session_free(s->volume_label);
    s->volume_id = id;
    s->volume_path = p;
    s->volume_label = l;
    return 0;
}

/* ---- the index: linear probing over item indexes, keyed by path */

static uint64_t hash_path(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 1099511628211ull;
    }
    return h;
}

static void index_put(struct session *s, size_t item)
{
    size_t mask = s->index_cap - 1;
    size_t i = hash_path(s->items[item].path) & mask;
    while (s->index[i])
        i = (i + 1) & mask;
    s->index[i] = (uint32_t)item + 1;
}

static int index_rebuild(struct session *s, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2)
        cap *= 2;
    if (cap != s->index_cap || !s->index) {
        uint32_t *v = session_alloc(cap * sizeof(*v));
        if (!v)
            return -1;
        session_free(s->index);
        s->index = v;
        s->index_cap = cap;
    } else {
        memset(s->index, 0, cap * sizeof(*s->index));
    }
    for (size_t i = 0; i < s->nitems; i++)
        index_put(s, i);
    return 0;
}

struct session_item *session_find(const struct session *s, const char *path)
{
    if (!s->index || !path)
        return NULL;
    size_t mask = s->index_cap - 1;
    for (size_t i = hash_path(path) & mask; s->index[i]; i = (i + 1) & mask) {
        struct session_item *it = &s->items[s->index[i] - 1];
        if (!strcmp(it->path, path))
            return it;
    }
    return NULL;
}

int session_select(struct session *s, const char *path, const char *name, int kind, uint64_t size)
{
    if (session_find(s, path))
        return 0;
    if (s->nitems >= SESSION_MAX_ITEMS)
        return 1;
    if (s->nitems == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct session_item *v = session_alloc(cap * sizeof(*v));
        if (!v)
            return -1;
        if (s->nitems)
            memcpy(v, s->items, s->nitems * sizeof(*v));
        session_free(s->items);
        s->items = v;
        s->cap = cap;
    }
    struct session_item *it = &s->items[s->nitems];
    memset(it, 0, sizeof(*it));
    it->path = session_strdup(path);
    it->name = session_strdup(name);
    if (!it->path || !it->name) {
        item_free(it);
        return -1;
    }
    it->kind = (uint8_t)kind;
    it->size = size;
    it->state = ITEM_PENDING;
    s->nitems++;
    if (s->nitems * 2 > s->index_cap) {
        if (index_rebuild(s, s->nitems) != 0) {
            item_free(&s->items[--s->nitems]);
            return -1;
        }
    } else {
        index_put(s, s->nitems - 1);
    }
    return 0;
}

void session_remove_if(struct session *s, bool (*mark)(const struct session_item *it, void *ctx),
                       void *ctx)
{
    size_t o = 0;
    bool any = false;
    for (size_t i = 0; i < s->nitems; i++) {
        if (mark(&s->items[i], ctx)) {
            item_free(&s->items[i]);
            any = true;
            continue;
        }
        if (o != i) {
            s->items[o] = s->items[i];
            sodium_memzero(&s->items[i], sizeof(s->items[i]));
        }
        o++;
    }
    s->nitems = o;
    if (any)
        index_rebuild(s, s->nitems ? s->nitems : 1);
}

static bool same_path(const struct session_item *it, void *ctx)
{
    return !strcmp(it->path, (const char *)ctx);
}

void session_unselect(struct session *s, const char *path)
{
    if (session_find(s, path))
        session_remove_if(s, same_path, (void *)path);
}

/* ---- results */

void session_item_reset(struct session_item *it)
{
    if (it->res)
        session_result_release(it->res);
    session_free(it->res);
    it->res = NULL;
    it->state = ITEM_PENDING;
    it->problem = PROBLEM_NONE;
    it->low_quality = false;
}

int session_item_set_result(struct session_item *it, const struct hash_result *res,
                            enum item_problem problem)
{
    session_item_reset(it);
    if (problem != PROBLEM_NONE || !res) {
        it->state = ITEM_FAILED;
        it->problem = (uint8_t)(problem != PROBLEM_NONE ? problem : PROBLEM_UNREADABLE);
        return 0;
    }
    it->res = session_alloc(sizeof(*it->res));
    if (!it->res) {
        it->state = ITEM_FAILED;
        it->problem = PROBLEM_NOMEM;
        return -1;
    }
    /* A shallow copy: what the result owns (a video's frame list) moves
     * with it; the caller zeroes its copy without clearing it. */
    memcpy(it->res, res, sizeof(*res));
    it->state = ITEM_DONE;
    it->kind = res->kind == HASH_KIND_VIDEO ? MEDIA_KIND_VIDEO : MEDIA_KIND_PHOTO;
    it->low_quality = res->kind == HASH_KIND_IMAGE && res->pdq[HASH_PDQ_CLI].present &&
                      res->pdq[HASH_PDQ_CLI].quality < 50;
    return 0;
}

void session_counts(const struct session *s, struct session_counts *c)
{
    memset(c, 0, sizeof(*c));
    c->items = s->nitems;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        c->done += it->state == ITEM_DONE;
        c->failed += it->state == ITEM_FAILED;
        c->pending += it->state == ITEM_PENDING;
        c->photos += it->kind == MEDIA_KIND_PHOTO;
        c->videos += it->kind == MEDIA_KIND_VIDEO;
        c->low_quality += it->state == ITEM_DONE && it->low_quality;
    }
}

enum report_route session_route(const struct session *s)
{
    /* Not sure: the route for young people, which protects them if they
     * were under 18 (staff can advise). */
    return s->age == AGE_ADULT ? REPORT_ROUTE_ADULT : REPORT_ROUTE_UNDER18;
}

enum report_reporter session_reporter(const struct session *s)
{
    switch (s->who) {
    case WHO_PARENT: return REPORT_BY_PARENT;
    case WHO_HELPER: return REPORT_BY_HELPER;
    default: return REPORT_BY_SELF;
    }
}

bool session_asks_consent(const struct session *s)
{
    /* A parent or trusted adult of an adult is someone else too. */
    return session_route(s) == REPORT_ROUTE_ADULT && s->who != WHO_SELF && s->who != WHO_UNSET;
}

bool session_asks_origin(const struct session *s)
{
    return session_route(s) == REPORT_ROUTE_UNDER18;
}

enum report_origin session_origin(const struct session *s)
{
    if (!session_asks_origin(s))
        return REPORT_ORIGIN_NONE;
    switch (s->origin) {
    case ORIGIN_ORIGINAL: return REPORT_ORIGIN_ORIGINAL;
    case ORIGIN_COPY: return REPORT_ORIGIN_COPY;
    case ORIGIN_NOT_SURE: return REPORT_ORIGIN_NOT_SURE;
    default: return REPORT_ORIGIN_NONE;
    }
}

enum item_problem session_problem_for(enum hash_err e, bool volume_gone)
{
    if (volume_gone && e != HASH_OK)
        return PROBLEM_REMOVED;
    switch (e) {
    case HASH_OK: return PROBLEM_NONE;
    case HASH_ERR_NOT_FOUND:
    case HASH_ERR_GONE: return PROBLEM_REMOVED;  /* a card or a phone's cable pulled out */
    case HASH_ERR_TIMEOUT: return PROBLEM_NOT_ANSWERING; /* a phone that stopped answering */
    case HASH_ERR_ACCESS:
    case HASH_ERR_NOT_REGULAR:
    case HASH_ERR_READ:
    case HASH_ERR_LOOP: return PROBLEM_UNREADABLE;
    case HASH_ERR_EMPTY: return PROBLEM_EMPTY;
    case HASH_ERR_CHANGED: return PROBLEM_CHANGED;
    case HASH_ERR_UNKNOWN_TYPE: return PROBLEM_NOT_MEDIA;
    case HASH_ERR_CORRUPT: return PROBLEM_CORRUPT;
    case HASH_ERR_TOO_LARGE: return PROBLEM_TOO_LARGE;
    case HASH_ERR_UNSUPPORTED: return PROBLEM_UNSUPPORTED;
    case HASH_ERR_NOMEM: return PROBLEM_NOMEM;
    case HASH_ERR_VIDEO_CORRUPT:
    case HASH_ERR_NO_FRAMES: return PROBLEM_CORRUPT;
    case HASH_ERR_VIDEO_UNSUPPORTED: return PROBLEM_UNSUPPORTED;
    case HASH_ERR_NO_VIDEO: return PROBLEM_NOT_MEDIA;
    case HASH_ERR_VIDEO_TOO_LARGE:
    case HASH_ERR_VIDEO_TOO_LONG: return PROBLEM_TOO_LARGE;
    default: return PROBLEM_CORRUPT;
    }
}
