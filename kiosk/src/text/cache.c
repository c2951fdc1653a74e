/* Laid-out blocks keyed by (kind, style, string): a hash table with an LRU
 * list. Text is laid out when it changes, never per frame; blocks not used in
 * the current frame are evicted, oldest first, when over budget. */
#include "text_internal.h"

#include <stdlib.h>
#include <string.h>

enum { KIND_TEXT, KIND_ICON };

struct block_entry {
    struct block_entry *next;           /* bucket chain */
    struct block_entry *prev_lru, *next_lru;
    uint64_t hash, last_frame;
    size_t bytes;
    int kind;
    struct text_style style;            /* normalised: padding and lang tail zeroed */
    char *key;
    struct text_block block;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void normalise(struct text_style *n, const struct text_style *s)
{
    memset(n, 0, sizeof(*n));
    n->size = s->size;
    n->dir = s->dir;
    n->align = s->align;
    n->weight = s->weight;
    for (size_t i = 0; i + 1 < sizeof(n->lang) && s->lang[i]; i++)
        n->lang[i] = s->lang[i];
    n->max_width = s->max_width > 0 ? s->max_width : 0;
    n->max_lines = s->max_lines > 0 ? s->max_lines : 0;
    n->line_spacing = s->line_spacing == 100 ? 0 : s->line_spacing;
}

static void lru_unlink(struct block_cache *c, struct block_entry *e)
{
    if (e->prev_lru)
        e->prev_lru->next_lru = e->next_lru;
    else
        c->lru_head = e->next_lru;
    if (e->next_lru)
        e->next_lru->prev_lru = e->prev_lru;
    else
        c->lru_tail = e->prev_lru;
    e->prev_lru = e->next_lru = NULL;
}

static void lru_push_front(struct block_cache *c, struct block_entry *e)
{
    e->next_lru = c->lru_head;
    e->prev_lru = NULL;
    if (c->lru_head)
        c->lru_head->prev_lru = e;
    c->lru_head = e;
    if (!c->lru_tail)
        c->lru_tail = e;
}

static void entry_free(struct block_entry *e)
{
    layout_block_free(&e->block);
    if (e->key)
        explicit_bzero(e->key, strlen(e->key));
    free(e->key);
    free(e);
}

static void remove_entry(struct block_cache *c, struct block_entry *e)
{
    struct block_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->next;
    *pp = e->next;
    lru_unlink(c, e);
    c->count--;
    c->bytes -= e->bytes;
    entry_free(e);
}

static int rehash(struct block_cache *c)
{
    size_t nb = c->nbuckets ? c->nbuckets * 2 : 256;
    struct block_entry **v = calloc(nb, sizeof(*v));
    if (!v)
        return -1;
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct block_entry *e = c->buckets[i];
        while (e) {
            struct block_entry *n = e->next;
            e->next = v[e->hash & (nb - 1)];
            v[e->hash & (nb - 1)] = e;
            e = n;
        }
    }
    free(c->buckets);
    c->buckets = v;
    c->nbuckets = nb;
    return 0;
}

static const struct text_block *lookup_or_build(struct text_ctx *t, int kind, const char *key,
                                                const struct text_style *style)
{
    struct block_cache *c = &t->blocks;
    struct text_style n;
    normalise(&n, style);
    uint64_t h = fnv(0xcbf29ce484222325ull, &kind, sizeof kind);
    h = fnv(h, &n, sizeof n);
    h = fnv(h, key, strlen(key));
    if (c->nbuckets) {
        for (struct block_entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->next) {
            if (e->hash == h && e->kind == kind && !memcmp(&e->style, &n, sizeof n) &&
                !strcmp(e->key, key)) {
                e->last_frame = t->frame;
                lru_unlink(c, e);
                lru_push_front(c, e);
                return &e->block;
            }
        }
    }
    if (c->count + 1 > c->nbuckets && rehash(c))
        return NULL;
    struct block_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->key = strdup(key);
    if (!e->key) {
        free(e);
        return NULL;
    }
    int rc = kind == KIND_ICON ? icon_render(t, (enum text_icon)n.weight, n.size, &e->block)
                               : layout_block(t, key, &n, &e->block);
    if (rc) {
        free(e->key);
        free(e);
        return NULL;
    }
    e->kind = kind;
    e->style = n;
    e->hash = h;
    e->last_frame = t->frame;
    e->block.serial = t->next_serial++;
    e->bytes = sizeof(*e) + strlen(key) + 1 + (size_t)e->block.ink_w * e->block.ink_h +
               strlen(e->block.text) + 1 + (size_t)e->block.nlines * sizeof(struct text_line);
    size_t b = h & (c->nbuckets - 1);
    e->next = c->buckets[b];
    c->buckets[b] = e;
    lru_push_front(c, e);
    c->count++;
    c->bytes += e->bytes;
    return &e->block;
}

const struct text_block *text_get(struct text_ctx *t, const char *utf8,
                                  const struct text_style *style)
{
    if (!t || !utf8 || !style || style->size <= 0)
        return NULL;
    return lookup_or_build(t, KIND_TEXT, utf8, style);
}

const struct text_block *text_icon(struct text_ctx *t, enum text_icon icon, int size)
{
    if (!t || (int)icon < 0 || icon >= TEXT_ICON_COUNT || size <= 0)
        return NULL;
    struct text_style st;
    text_style_init(&st);
    st.size = size;
    st.weight = (uint8_t)icon;   /* the key: icons reuse the style record */
    return lookup_or_build(t, KIND_ICON, "", &st);
}

void text_frame_end(struct text_ctx *t)
{
    struct block_cache *c = &t->blocks;
    struct block_entry *e = c->lru_tail;
    while (e && c->bytes > t->block_budget) {
        struct block_entry *prev = e->prev_lru;
        if (e->last_frame != t->frame)
            remove_entry(c, e);
        e = prev;
    }
    if (t->glyphs.bytes > t->glyph_budget)
        glyph_cache_clear(&t->glyphs);
    t->frame++;
}

void text_set_budget(struct text_ctx *t, size_t block_bytes, size_t glyph_bytes)
{
    t->block_budget = block_bytes;
    t->glyph_budget = glyph_bytes;
}

void text_cache_clear(struct text_ctx *t)
{
    struct block_cache *c = &t->blocks;
    while (c->lru_head)
        remove_entry(c, c->lru_head);
    glyph_cache_clear(&t->glyphs);
}

void block_cache_free(struct block_cache *c)
{
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct block_entry *e = c->buckets[i];
        while (e) {
            struct block_entry *n = e->next;
            entry_free(e);
            e = n;
        }
    }
    free(c->buckets);
    memset(c, 0, sizeof(*c));
}

void text_get_stats(const struct text_ctx *t, struct text_stats *st)
{
    st->blocks = t->blocks.count;
    st->block_bytes = t->blocks.bytes;
    st->glyphs = t->glyphs.count;
    st->glyph_bytes = t->glyphs.bytes;
    st->layouts = t->layouts;
    st->glyph_renders = t->glyph_renders;
}
