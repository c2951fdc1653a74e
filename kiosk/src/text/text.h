/* Text: Urdu-first text layout and rasterising into 8-bit coverage bitmaps.
 *
 * libraqm (FriBidi + HarfBuzz) shapes and orders the text, FreeType draws the
 * glyphs, libunibreak finds the line-break opportunities (UAX #14). Noto
 * Nastaliq Urdu has no Latin letters, so every character gets the Urdu or the
 * Latin face by script; the Latin face is drawn smaller so the two look even.
 * Nothing here knows about SDL: the UI's renderer uploads the bitmaps.
 *
 * Usage:
 *  1. struct text_ctx *t = text_create(font_dir, err, sizeof err);
 *     loads both fonts once (NULL + a developer message on failure).
 *  2. Describe the text with a struct text_style (text_style_init() gives
 *     sane defaults) and ask for a block:
 *         const struct text_block *b = text_get(t, utf8, &style);
 *     The first call lays out, wraps and rasterises; later calls with the same
 *     string and style return the cached block. A block stays valid until the
 *     next text_frame_end() that evicts it, never during the frame it was used.
 *  3. Draw b->alpha (ink_w x ink_h coverage, 0..255) with its top-left at
 *     (x + b->ink_x, y + b->ink_y), where (x, y) is where the block's layout
 *     box goes. The bitmap may reach outside the box: Nastaliq ink rises above
 *     the font's ascent, and it is never clipped here.
 *  4. Call text_frame_end() once per frame: it trims the caches to budget.
 *  5. text_destroy(t) (accepts NULL).
 * Icons are drawn by the same machinery (text_icon()): they are vector shapes
 * filled by FreeType's rasteriser, cached like text.
 */
#ifndef HIFAZAT_TEXT_H
#define HIFAZAT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct text_ctx;

enum text_dir { TEXT_DIR_RTL, TEXT_DIR_LTR };
enum text_align { TEXT_ALIGN_START, TEXT_ALIGN_CENTER, TEXT_ALIGN_END };
enum text_weight { TEXT_REGULAR, TEXT_BOLD };
/* Which font a glyph came from. */
enum text_face { TEXT_FACE_URDU, TEXT_FACE_LATIN, TEXT_FACE_COUNT };

struct text_style {
    int size;          /* Latin em in px; Urdu em is size * TEXT_URDU_SCALE_PCT / 100 */
    uint8_t dir;       /* enum text_dir: the paragraph direction, forced (never guessed) */
    uint8_t align;     /* enum text_align, relative to dir (start = right in RTL) */
    uint8_t weight;    /* enum text_weight; bold is FreeType's synthetic emboldening */
    char lang[8];      /* BCP 47 tag for shaping and line breaking: "ur" (never "fa"), "en" */
    int max_width;     /* wrap width in px; 0 = no wrapping */
    int max_lines;     /* 0 = all; more lines are cut and the last ends with an ellipsis */
    int line_spacing;  /* percent of the natural line pitch; 0 = 100 */
};

/* Urdu em / Latin em: matches Noto Sans's x-height to Nastaliq's letter bodies. */
#define TEXT_URDU_SCALE_PCT 133

struct text_line {
    int start, len;    /* byte range of the line in text_block.text (trailing spaces excluded) */
    int x;             /* left edge of the line's ink advance box in the layout box */
    int baseline;      /* from the top of the layout box */
    int width;         /* advance width in px */
    bool para_start;   /* the first line of a paragraph (else it continues the one above) */
};

struct text_block {
    int width, height; /* layout box: max_width (or the widest line) x lines * pitch */
    int text_width;    /* the widest line */
    int line_pitch;    /* distance between baselines */
    int baseline;      /* first line's baseline from the top of the box */
    int nlines;
    bool truncated;    /* max_lines cut text off (the last line ends with an ellipsis) */
    bool split;        /* a word wider than max_width was split between letters */
    bool urdu;         /* laid out with the (tall) Urdu line box */
    const char *text;  /* the string as laid out: valid UTF-8, controls removed */
    const struct text_line *lines;
    /* Coverage bitmap (pitch = ink_w) placed at (ink_x, ink_y) relative to the
     * box's top-left; ink_w/ink_h are 0 for an empty or blank string. */
    int ink_x, ink_y, ink_w, ink_h;
    const uint8_t *alpha;
    uint64_t serial;   /* unique for the life of the text_ctx: a key for GPU-side caches */
};

/* Loads NotoNastaliqUrdu-Regular.ttf and NotoSans-Regular.ttf from font_dir.
 * Returns NULL and writes a developer message into err on failure. */
struct text_ctx *text_create(const char *font_dir, char *err, size_t errlen);
void text_destroy(struct text_ctx *t);

/* Defaults: size 24, RTL, start, regular, "ur", no wrap, all lines. */
void text_style_init(struct text_style *s);

/* Laid-out, rasterised text (cached). Invalid UTF-8 becomes U+FFFD; "\n"
 * starts a new line. Returns NULL only when memory runs out. */
const struct text_block *text_get(struct text_ctx *t, const char *utf8,
                                  const struct text_style *style);

enum text_icon {
    TEXT_ICON_ARROW_LEFT,
    TEXT_ICON_ARROW_RIGHT,
    TEXT_ICON_CLOSE,
    TEXT_ICON_EXIT,        /* quick exit: a door with an arrow leaving it */
    TEXT_ICON_LANGUAGE,    /* a globe */
    TEXT_ICON_SHIELD,      /* the app's mark: a shield with a tick */
    TEXT_ICON_CHECK,
    TEXT_ICON_INFO,
    TEXT_ICON_HELP,
    TEXT_ICON_LOCK,
    TEXT_ICON_PHONE,
    TEXT_ICON_IMAGE,
    TEXT_ICON_VIDEO,
    TEXT_ICON_FOLDER,
    TEXT_ICON_ARROW_UP,
    TEXT_ICON_WARNING,
    TEXT_ICON_CLOCK,
    TEXT_ICON_USB,         /* a USB stick */
    TEXT_ICON_CARD,        /* a memory card */
    TEXT_ICON_EYE,
    TEXT_ICON_KEY,
    TEXT_ICON_POWER,
    TEXT_ICON_UPLOAD,
    TEXT_ICON_FINGERPRINT,
    TEXT_ICON_SELECT_ALL,  /* a ticked box */
    TEXT_ICON_SPEAKER,     /* listen again */
    TEXT_ICON_SPEAKER_UP,  /* louder */
    TEXT_ICON_SPEAKER_DOWN,/* quieter */
    TEXT_ICON_SETTINGS,    /* a gear: staff settings (never the language globe) */
    TEXT_ICON_ERASE,       /* the erase-a-digit key: a key cap pointing left, a cross in it */
    TEXT_ICON_COUNT
};

/* An icon as a size x size coverage block (layout box = bitmap, baseline 0). */
const struct text_block *text_icon(struct text_ctx *t, enum text_icon icon, int size);

/* Ends a frame: blocks not used in this frame may be evicted to stay within
 * the cache budgets. */
void text_frame_end(struct text_ctx *t);

/* Cache budgets in bytes (defaults: 24 MB of blocks, 8 MB of glyphs). */
void text_set_budget(struct text_ctx *t, size_t block_bytes, size_t glyph_bytes);

/* Drops every cached block and glyph (e.g. on a session wipe or a resize). */
void text_cache_clear(struct text_ctx *t);

struct text_stats {
    size_t blocks, block_bytes, glyphs, glyph_bytes;
    uint64_t layouts, glyph_renders;   /* cache misses since text_create */
};
void text_get_stats(const struct text_ctx *t, struct text_stats *st);

/* One shaped line, for tests and tools: glyphs in visual order (left to
 * right), positions in 26.6 fixed point as HarfBuzz returns them. */
struct text_glyph {
    uint32_t id;
    uint8_t face;        /* enum text_face */
    int x_advance, y_advance, x_offset, y_offset;
    uint32_t cluster;    /* byte offset in the input string */
};
/* Shapes utf8 (one line, no wrapping) with style's size, direction and
 * language; *out is malloc'd. 0 / -1. */
int text_shape(struct text_ctx *t, const char *utf8, const struct text_style *style,
               struct text_glyph **out, size_t *count);

#endif
