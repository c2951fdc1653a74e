/* Shared between the text module's files; not part of the public API. */
#ifndef HIFAZAT_TEXT_INTERNAL_H
#define HIFAZAT_TEXT_INTERNAL_H

#include "text.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

/* ---- utf8.c */
/* Valid UTF-8 copy of s: invalid sequences become U+FFFD, "\r\n" and "\r"
 * become "\n", tabs become spaces, other C0/C1 controls and DEL are dropped.
 * NULL on out-of-memory. */
char *utf8_sanitize(const char *s, size_t *out_len);
/* Decodes the (valid) code point at s[*i] and advances *i. */
uint32_t utf8_next(const char *s, size_t len, size_t *i);

/* ---- font.c */
struct text_font {
    FT_Face face;
    int px;                 /* pixel size currently set on face (0 = none) */
};

/* ---- glyph.c: rasterised glyphs keyed by (face, glyph id, px, bold) */
struct glyph {
    uint64_t key;           /* 0 = empty slot */
    int16_t left, top;      /* bitmap offset from the pen position (top is up) */
    uint16_t w, h;
    uint8_t *bits;          /* w * h coverage, NULL when w or h is 0 */
};

struct glyph_cache {
    struct glyph *slots;
    size_t cap, count, bytes;
};

/* ---- cache.c: laid-out blocks, LRU within a byte budget */
struct block_entry;
struct block_cache {
    struct block_entry **buckets;
    size_t nbuckets, count, bytes;
    struct block_entry *lru_head, *lru_tail;   /* head = most recently used */
};

struct text_ctx {
    FT_Library lib;
    struct text_font fonts[TEXT_FACE_COUNT];
    hb_unicode_funcs_t *ufuncs;
    struct glyph_cache glyphs;
    struct block_cache blocks;
    uint64_t frame, next_serial;
    uint64_t layouts, glyph_renders;
    size_t block_budget, glyph_budget;
};

/* Sets the face's pixel size (only when it changes); 0 / -1. */
int font_set_px(struct text_ctx *t, int face, int px);
/* Pixel size of each face for a style size. */
int font_px_for(int face, int size);

/* ---- shape.c */
struct shaped {
    struct text_glyph *g;
    size_t n;
    int32_t width;          /* sum of x_advance, 26.6 */
};
/* Shapes s[0..len) as one line: face fallback, forced paragraph direction,
 * language. The faces must already be sized (font_set_px). 0 / -1. */
int shape_line(struct text_ctx *t, const char *s, size_t len, const struct text_style *st,
               struct shaped *out);
void shaped_free(struct shaped *sh);
/* True if the code point is a space that may hang at the end of a line. */
bool is_trailing_space(struct text_ctx *t, uint32_t cp);
/* True if a line may not be split just before this code point (combining
 * marks, joiners). Used only for emergency breaks inside a too-long word. */
bool is_cluster_continuation(struct text_ctx *t, uint32_t cp);
/* True if the string contains any character drawn with the Urdu face. */
bool uses_urdu_face(struct text_ctx *t, const char *s, size_t len);

/* ---- glyph.c */
const struct glyph *glyph_get(struct text_ctx *t, int face, uint32_t gid, int px, bool bold);
void glyph_cache_clear(struct glyph_cache *c);
void glyph_cache_free(struct glyph_cache *c);

/* ---- layout.c: builds a block's public part (text, lines, bitmap). */
int layout_block(struct text_ctx *t, const char *utf8, const struct text_style *st,
                 struct text_block *out);
void layout_block_free(struct text_block *b);

/* ---- icon.c */
int icon_render(struct text_ctx *t, enum text_icon icon, int size, struct text_block *out);

/* ---- cache.c */
void block_cache_free(struct block_cache *c);

#endif
