/* Glyph bitmaps, rasterised once per (face, glyph, size, weight). Open
 * addressing with linear probing; the whole cache is dropped when it grows
 * past its budget (at a frame end, never while a block is being drawn). */
#include "text_internal.h"

#include FT_OUTLINE_H
#include <stdlib.h>
#include <string.h>

static uint64_t make_key(int face, uint32_t gid, int px, bool bold)
{
    /* Never 0: bit 63 is always set. */
    return (1ull << 63) | ((uint64_t)(face & 0xF) << 56) | ((uint64_t)bold << 55) |
           ((uint64_t)(px & 0xFFFF) << 32) | gid;
}

static size_t slot_of(uint64_t key, size_t cap)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (size_t)key & (cap - 1);
}

static int grow(struct glyph_cache *c)
{
    size_t ncap = c->cap ? c->cap * 2 : 1024;
    struct glyph *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -1;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->slots[i].key)
            continue;
        size_t j = slot_of(c->slots[i].key, ncap);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return 0;
}

static int render(struct text_ctx *t, int face, uint32_t gid, bool bold, struct glyph *g)
{
    FT_Face f = t->fonts[face].face;
    if (FT_Load_Glyph(f, gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP))
        return -1;
    FT_GlyphSlot slot = f->glyph;
    if (slot->format != FT_GLYPH_FORMAT_OUTLINE)
        return -1;
    if (bold) {
        /* About 1/28 em each way; advances stay as shaped. */
        FT_Pos s = FT_MulFix(f->units_per_EM, f->size->metrics.y_scale) / 28;
        FT_Outline_EmboldenXY(&slot->outline, s, s);
    }
    if (FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL))
        return -1;
    FT_Bitmap *bm = &slot->bitmap;
    g->left = (int16_t)slot->bitmap_left;
    g->top = (int16_t)slot->bitmap_top;
    g->w = (uint16_t)bm->width;
    g->h = (uint16_t)bm->rows;
    g->bits = NULL;
    if (g->w && g->h) {
        g->bits = malloc((size_t)g->w * g->h);
        if (!g->bits)
            return -1;
        for (unsigned y = 0; y < bm->rows; y++)
            memcpy(g->bits + (size_t)y * g->w, bm->buffer + (ptrdiff_t)y * bm->pitch, g->w);
    }
    return 0;
}

const struct glyph *glyph_get(struct text_ctx *t, int face, uint32_t gid, int px, bool bold)
{
    struct glyph_cache *c = &t->glyphs;
    uint64_t key = make_key(face, gid, px, bold);
    if (c->cap) {
        size_t j = slot_of(key, c->cap);
        while (c->slots[j].key) {
            if (c->slots[j].key == key)
                return &c->slots[j];
            j = (j + 1) & (c->cap - 1);
        }
    }
    if ((c->count + 1) * 2 > c->cap && grow(c))
        return NULL;
    if (font_set_px(t, face, px))
        return NULL;
    struct glyph g = {0};
    if (render(t, face, gid, bold, &g))
        return NULL;
    g.key = key;
    size_t j = slot_of(key, c->cap);
    while (c->slots[j].key)
        j = (j + 1) & (c->cap - 1);
    c->slots[j] = g;
    c->count++;
    c->bytes += (size_t)g.w * g.h + sizeof(g);
    t->glyph_renders++;
    return &c->slots[j];
}

void glyph_cache_clear(struct glyph_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->slots[i].bits);
        c->slots[i] = (struct glyph){0};
    }
    c->count = 0;
    c->bytes = 0;
}

void glyph_cache_free(struct glyph_cache *c)
{
    glyph_cache_clear(c);
    free(c->slots);
    memset(c, 0, sizeof(*c));
}
