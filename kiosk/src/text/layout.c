/* A block: paragraphs broken into lines (UAX #14 opportunities from
 * libunibreak, widths from the shaper), each line shaped on its own with the
 * paragraph's forced direction (bidi reordering is per line), aligned, cut
 * with an ellipsis when asked, then rasterised into one coverage bitmap. */
#include "text_internal.h"

#include <linebreak.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xE2\x80\xA6"   /* U+2026, from Noto Sans: Nastaliq has none */

struct out_line {
    char *text;             /* malloc'd: the line as displayed */
    size_t len;
    const char *src;        /* where the line starts in the sanitized input */
    bool para_start;        /* the first line of a paragraph */
    struct shaped sh;
};

struct lines {
    struct out_line *v;
    size_t n, cap;
    bool split;             /* a word wider than the line was split inside */
};

static int lines_push(struct lines *L, const char *s, size_t len, const struct shaped *sh)
{
    /* Takes ownership of *sh, also on failure. */
    if (L->n == L->cap) {
        size_t ncap = L->cap ? L->cap * 2 : 8;
        struct out_line *nv = realloc(L->v, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        L->v = nv;
        L->cap = ncap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        struct shaped tmp = *sh;
        shaped_free(&tmp);
        return -1;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    L->v[L->n].text = copy;
    L->v[L->n].len = len;
    L->v[L->n].src = s;
    L->v[L->n].para_start = false;
    L->v[L->n].sh = *sh;
    L->n++;
    return 0;
}

static void lines_free(struct lines *L)
{
    for (size_t i = 0; i < L->n; i++) {
        free(L->v[i].text);
        shaped_free(&L->v[i].sh);
    }
    free(L->v);
    memset(L, 0, sizeof(*L));
}

/* Length of s[0..len) without trailing spaces. */
static size_t trim_end(struct text_ctx *t, const char *s, size_t len)
{
    size_t end = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = utf8_next(s, len, &i);
        if (!is_trailing_space(t, cp))
            end = i;
    }
    return end;
}

static int px_of(int32_t v26_6) { return (v26_6 + 32) >> 6; }

/* Shapes s[0..len) with trailing spaces removed and appends it as a line. */
static int emit_line(struct text_ctx *t, const char *s, size_t len, const struct text_style *st,
                     struct lines *L)
{
    len = trim_end(t, s, len);
    struct shaped sh;
    if (shape_line(t, s, len, st, &sh))
        return -1;
    return lines_push(L, s, len, &sh);
}

/* Exact width of s[0..len) without trailing spaces, in px (-1 on error). */
static int measure(struct text_ctx *t, const char *s, size_t len, const struct text_style *st)
{
    struct shaped sh;
    if (shape_line(t, s, trim_end(t, s, len), st, &sh))
        return -1;
    int w = px_of(sh.width);
    shaped_free(&sh);
    return w;
}

/* A break opportunity after byte i (a line may start at i + 1). */
static bool can_break(const char *brk, size_t i)
{
    return brk[i] == LINEBREAK_ALLOWBREAK;
}

/* No lone word on a paragraph's last line (an orphan: "ہے" or "لیں۔" alone
 * reads as a mistake and wastes a line): the previous line's last word comes
 * down to keep it company, as typographers do, when the two still fit and
 * the previous line keeps two words. L->v[first..] are this paragraph's
 * lines, s[0..len) the paragraph. */
static int fix_orphan(struct text_ctx *t, const char *s, size_t len, const char *brk,
                      const struct text_style *st, struct lines *L, size_t first)
{
    if (L->n < first + 2)
        return 0;
    struct out_line *prev = &L->v[L->n - 2], *last = &L->v[L->n - 1];
    size_t ps = (size_t)(prev->src - s), ls = (size_t)(last->src - s);
    size_t le = ls + last->len;
    for (size_t i = ls; i + 1 < le; i++)
        if (can_break(brk, i))
            return 0;   /* two words or more already */
    /* The previous line's last opportunity, and one before it. */
    size_t cut = 0, before = 0;
    for (size_t i = ps; i + 1 < ls; i++)
        if (can_break(brk, i)) {
            before = cut;
            cut = i + 1;
        }
    if (!cut || !before || trim_end(t, s + ps, cut - ps) == 0)
        return 0;
    struct shaped a = {0}, b = {0};
    size_t alen = trim_end(t, s + ps, cut - ps), blen = trim_end(t, s + cut, len - cut);
    if (shape_line(t, s + cut, blen, st, &b))
        return -1;
    if (px_of(b.width) > st->max_width) {
        shaped_free(&b);
        return 0;   /* they do not fit together: keep the lone word */
    }
    if (shape_line(t, s + ps, alen, st, &a)) {
        shaped_free(&b);
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        L->n--;
        free(L->v[L->n].text);
        shaped_free(&L->v[L->n].sh);
    }
    if (lines_push(L, s + ps, alen, &a)) {
        shaped_free(&b);
        return -1;
    }
    return lines_push(L, s + cut, blen, &b);
}

/* Greedy line breaking of one paragraph (no '\n' inside). Widths are first
 * estimated from one shaping of the whole paragraph (advance per cluster
 * byte); each line is then shaped exactly and pulled back one opportunity if
 * the estimate was short. A word wider than the line is split between
 * characters as a last resort, so no text is ever lost. */
static int break_paragraph(struct text_ctx *t, const char *s, size_t len,
                           const struct text_style *st, struct lines *L)
{
    int maxw = st->max_width;
    if (maxw <= 0 || len == 0)
        return emit_line(t, s, len, st, L);

    int rc = -1;
    const size_t first = L->n;
    char *brk = malloc(len);
    int32_t *adv = calloc(len + 1, sizeof(*adv));   /* then prefix sums */
    struct shaped whole = {0};
    if (!brk || !adv)
        goto out;
    set_linebreaks_utf8((const utf8_t *)s, len, st->lang, brk);
    if (shape_line(t, s, len, st, &whole))
        goto out;
    for (size_t i = 0; i < whole.n; i++)
        if (whole.g[i].cluster < len)
            adv[whole.g[i].cluster + 1] += whole.g[i].x_advance;
    for (size_t i = 1; i <= len; i++)
        adv[i] += adv[i - 1];

    size_t start = 0;
    while (start < len) {
        /* Longest estimated fit ending at a break opportunity. */
        size_t best = 0, p_over = 0;
        for (size_t i = start; i < len; i++) {
            if (brk[i] != LINEBREAK_ALLOWBREAK && brk[i] != LINEBREAK_MUSTBREAK && i + 1 != len)
                continue;
            size_t p = i + 1;
            size_t e = start + trim_end(t, s + start, p - start);
            if (px_of(adv[e] - adv[start]) <= maxw) {
                best = p;
            } else {
                p_over = p;
                break;
            }
        }
        if (best && p_over == 0)
            best = len;                          /* the rest fits */
        /* Exact check; step back while too wide. The fitting shaping is
         * kept for the line. */
        struct shaped fit_sh = {0};
        bool have = false;
        while (best > start) {
            size_t e = trim_end(t, s + start, best - start);
            if (shape_line(t, s + start, e, st, &fit_sh))
                goto out;
            if (px_of(fit_sh.width) <= maxw) {
                have = true;
                break;
            }
            shaped_free(&fit_sh);
            size_t prev = 0;
            for (size_t i = start; i + 1 < best; i++)
                if (brk[i] == LINEBREAK_ALLOWBREAK)
                    prev = i + 1;
            best = prev;
        }
        if (have) {
            if (lines_push(L, s + start, trim_end(t, s + start, best - start), &fit_sh))
                goto out;
            start = best;
            continue;
        }
        if (best <= start) {
            /* One word wider than the line: split it between characters,
             * keeping combining marks and joiners with their base. */
            size_t p = start, fit = 0;
            while (p < len) {
                size_t q = p;
                utf8_next(s, len, &q);
                while (q < len) {
                    size_t r = q;
                    uint32_t cp = utf8_next(s, len, &r);
                    if (!is_cluster_continuation(t, cp))
                        break;
                    q = r;
                }
                int w = measure(t, s + start, q - start, st);
                if (w < 0)
                    goto out;
                if (w > maxw && fit)
                    break;
                fit = q;
                p = q;
                if (w > maxw)
                    break;
            }
            best = fit;
            L->split |= best < len;
        }
        if (emit_line(t, s + start, best - start, st, L))
            goto out;
        start = best;
    }
    if (fix_orphan(t, s, len, brk, st, L, first))
        goto out;
    rc = 0;
out:
    shaped_free(&whole);
    free(brk);
    free(adv);
    return rc;
}

/* Width of rest[0..p) (trailing spaces dropped) + an ellipsis, written to buf. */
static int ellipsis_width(struct text_ctx *t, const char *rest, size_t p,
                          const struct text_style *st, char *buf, size_t *out_len)
{
    size_t e = trim_end(t, rest, p);
    memcpy(buf, rest, e);
    memcpy(buf + e, ELLIPSIS, sizeof(ELLIPSIS));
    *out_len = e + sizeof(ELLIPSIS) - 1;
    return measure(t, buf, *out_len, st);
}

/* Appends the longest prefix of `rest` that fits with an ellipsis: cut at a
 * break opportunity if one fits, else between characters. Widths grow with
 * the prefix, so a binary search over the candidate cuts is enough. */
static int ellipsize(struct text_ctx *t, const char *rest, size_t len, const struct text_style *st,
                     struct lines *L)
{
    int maxw = st->max_width;
    char *buf = malloc(len + sizeof(ELLIPSIS));
    char *brk = malloc(len ? len : 1);
    size_t *cand = malloc((len + 1) * sizeof(*cand));
    int rc = -1;
    if (!buf || !brk || !cand)
        goto out;
    if (len)
        set_linebreaks_utf8((const utf8_t *)rest, len, st->lang, brk);
    size_t cut = len, blen;
    if (maxw > 0) {
        cut = 0;
        for (int pass = 0; pass < 2 && cut == 0; pass++) {
            size_t n = 0;
            for (size_t p = 1; p <= len; p++) {
                bool ok = pass == 0 ? (brk[p - 1] == LINEBREAK_ALLOWBREAK ||
                                       brk[p - 1] == LINEBREAK_MUSTBREAK)
                                    : brk[p - 1] != LINEBREAK_INSIDEACHAR;
                if (ok)
                    cand[n++] = p;
            }
            size_t lo = 0, hi = n;   /* answer: the last index in [0, lo) that fits */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int w = ellipsis_width(t, rest, cand[mid], st, buf, &blen);
                if (w < 0)
                    goto out;
                if (w <= maxw)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo > 0)
                cut = cand[lo - 1];
        }
    }
    size_t e = trim_end(t, rest, cut);
    memcpy(buf, rest, e);
    memcpy(buf + e, ELLIPSIS, sizeof(ELLIPSIS));
    struct text_style one = *st;
    one.max_width = 0;
    size_t before = L->n;
    rc = emit_line(t, buf, e + sizeof(ELLIPSIS) - 1, &one, L);
    if (rc == 0)
        L->v[before].src = NULL;
out:
    free(buf);
    free(brk);
    free(cand);
    return rc;
}

struct placed {
    uint32_t gid;
    uint8_t face;
    int x, y;               /* pen position in px, relative to the box */
};

static int line_x(const struct text_style *st, int box_w, int w)
{
    bool rtl = st->dir == TEXT_DIR_RTL;
    switch (st->align) {
    case TEXT_ALIGN_CENTER:
        return (box_w - w) / 2;
    case TEXT_ALIGN_END:
        return rtl ? 0 : box_w - w;
    default:
        return rtl ? box_w - w : 0;
    }
}

static void blend(uint8_t *dst, const uint8_t *src, size_t n)
{
    /* Union of coverage: overlapping strokes (cursive joins) never darken
     * past full and never leave seams. */
    for (size_t i = 0; i < n; i++) {
        unsigned d = dst[i], s = src[i];
        dst[i] = (uint8_t)(d + s - (d * s + 127) / 255);
    }
}

int layout_block(struct text_ctx *t, const char *utf8, const struct text_style *st,
                 struct text_block *b)
{
    memset(b, 0, sizeof(*b));
    struct lines L = {0};
    struct placed *pl = NULL;
    struct text_line *tl = NULL;
    char *joined = NULL;
    int rc = -1;
    size_t len;
    char *s = utf8_sanitize(utf8, &len);
    if (!s)
        goto out;
    const int upx = font_px_for(TEXT_FACE_URDU, st->size);
    const int lpx = font_px_for(TEXT_FACE_LATIN, st->size);
    if (font_set_px(t, TEXT_FACE_URDU, upx) || font_set_px(t, TEXT_FACE_LATIN, lpx))
        goto out;
    const bool bold = st->weight == TEXT_BOLD;

    /* Lines: paragraphs split at '\n', each broken to max_width. */
    const char *p = s, *end = s + len;
    int max_lines = st->max_lines > 0 ? st->max_lines : 0;
    bool cut = false;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *pe = nl ? nl : end;
        size_t para = L.n;
        if (break_paragraph(t, p, (size_t)(pe - p), st, &L))
            goto out;
        if (L.n > para)
            L.v[para].para_start = true;
        if (max_lines && L.n >= (size_t)max_lines && (L.n > (size_t)max_lines || nl)) {
            /* Text remains: the last kept line is re-made from its start to
             * the end of its paragraph, ellipsised. */
            size_t keep = (size_t)max_lines;
            /* keep - 1 >= before: this paragraph reached the limit. */
            const char *lstart = L.v[keep - 1].src;
            bool lpara = L.v[keep - 1].para_start;
            while (L.n > keep - 1) {
                L.n--;
                free(L.v[L.n].text);
                shaped_free(&L.v[L.n].sh);
            }
            if (ellipsize(t, lstart, (size_t)(pe - lstart), st, &L))
                goto out;
            L.v[L.n - 1].para_start = lpara;
            cut = true;
            break;
        }
        if (!nl)
            break;
        p = nl + 1;
    }

    /* Metrics: Nastaliq lines are far taller than Latin ones. A block with
     * any Urdu letter uses the Urdu face's line box throughout. */
    bool urdu = uses_urdu_face(t, s, len) || strncmp(st->lang, "ur", 2) == 0;
    FT_Size_Metrics um = t->fonts[TEXT_FACE_URDU].face->size->metrics;
    FT_Size_Metrics lm = t->fonts[TEXT_FACE_LATIN].face->size->metrics;
    int asc, desc, natural;
    if (urdu) {
        asc = px_of((int32_t)um.ascender);
        desc = -px_of((int32_t)um.descender);
        /* The font's own line height is 2.5 em, sized for its tallest
         * stacks; 2.2 em keeps ordinary lines well apart and fits a long
         * paragraph on a 800 px screen. Taller ink just reaches outside
         * the box (the bitmap grows; nothing is clipped). */
        natural = (upx * 22 + 5) / 10;
    } else {
        asc = px_of((int32_t)lm.ascender);
        desc = -px_of((int32_t)lm.descender);
        natural = (lpx * 3 + 1) / 2;          /* 1.5 em reads easily on a kiosk */
    }
    int spacing = st->line_spacing > 0 ? st->line_spacing : 100;
    int pitch = (natural * spacing + 50) / 100;
    if (pitch < 1)
        pitch = 1;
    /* The ascent+descent box sits in the middle of the pitch (half-leading). */
    int first_baseline = (pitch - (asc + desc)) / 2 + asc;

    int widest = 0;
    for (size_t i = 0; i < L.n; i++) {
        int w = px_of(L.v[i].sh.width);
        if (w > widest)
            widest = w;
    }
    int box_w = st->max_width > 0 ? st->max_width : widest;

    /* Public text (lines joined by '\n') and line records. */
    size_t total = 0;
    for (size_t i = 0; i < L.n; i++)
        total += L.v[i].len + 1;
    joined = malloc(total + 1);
    tl = calloc(L.n ? L.n : 1, sizeof(*tl));
    size_t nglyphs = 0;
    for (size_t i = 0; i < L.n; i++)
        nglyphs += L.v[i].sh.n;
    pl = malloc((nglyphs ? nglyphs : 1) * sizeof(*pl));
    if (!joined || !tl || !pl)
        goto out;
    size_t o = 0, np = 0;
    for (size_t i = 0; i < L.n; i++) {
        const struct shaped *sh = &L.v[i].sh;
        int w = px_of(sh->width);
        tl[i].start = (int)o;
        tl[i].len = (int)L.v[i].len;
        tl[i].width = w;
        tl[i].x = line_x(st, box_w, w);
        tl[i].baseline = first_baseline + (int)i * pitch;
        tl[i].para_start = L.v[i].para_start;
        memcpy(joined + o, L.v[i].text, L.v[i].len);
        o += L.v[i].len;
        joined[o++] = i + 1 < L.n ? '\n' : '\0';
        int32_t pen = tl[i].x * 64;
        for (size_t k = 0; k < sh->n; k++) {
            const struct text_glyph *g = &sh->g[k];
            pl[np].gid = g->id;
            pl[np].face = g->face;
            pl[np].x = px_of(pen + g->x_offset);
            pl[np].y = tl[i].baseline - px_of(g->y_offset);
            pen += g->x_advance;
            np++;
        }
    }
    if (L.n == 0)
        joined[0] = '\0';

    /* Ink bounds, then one bitmap that holds all of it. */
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool any = false;
    for (size_t i = 0; i < np; i++) {
        int px = pl[i].face == TEXT_FACE_URDU ? upx : lpx;
        const struct glyph *g = glyph_get(t, pl[i].face, pl[i].gid, px, bold);
        if (!g)
            goto out;
        if (!g->w || !g->h)
            continue;
        int gx0 = pl[i].x + g->left, gy0 = pl[i].y - g->top;
        int gx1 = gx0 + g->w, gy1 = gy0 + g->h;
        if (!any) {
            x0 = gx0, y0 = gy0, x1 = gx1, y1 = gy1;
            any = true;
        } else {
            x0 = gx0 < x0 ? gx0 : x0;
            y0 = gy0 < y0 ? gy0 : y0;
            x1 = gx1 > x1 ? gx1 : x1;
            y1 = gy1 > y1 ? gy1 : y1;
        }
    }
    uint8_t *alpha = NULL;
    if (any) {
        alpha = calloc((size_t)(x1 - x0) * (size_t)(y1 - y0), 1);
        if (!alpha)
            goto out;
        int bw = x1 - x0;
        for (size_t i = 0; i < np; i++) {
            int px = pl[i].face == TEXT_FACE_URDU ? upx : lpx;
            const struct glyph *g = glyph_get(t, pl[i].face, pl[i].gid, px, bold);
            if (!g || !g->w || !g->h)
                continue;
            int gx = pl[i].x + g->left - x0, gy = pl[i].y - g->top - y0;
            for (int r = 0; r < g->h; r++)
                blend(alpha + (size_t)(gy + r) * bw + gx, g->bits + (size_t)r * g->w, g->w);
        }
    }

    b->width = box_w;
    b->height = (int)L.n * pitch;
    b->text_width = widest;
    b->line_pitch = pitch;
    b->baseline = first_baseline;
    b->nlines = (int)L.n;
    b->truncated = cut;
    b->split = L.split;
    b->urdu = urdu;
    b->text = joined;
    b->lines = tl;
    b->ink_x = x0;
    b->ink_y = y0;
    b->ink_w = any ? x1 - x0 : 0;
    b->ink_h = any ? y1 - y0 : 0;
    b->alpha = alpha;
    joined = NULL;
    tl = NULL;
    t->layouts++;
    rc = 0;
out:
    lines_free(&L);
    free(pl);
    free(tl);
    free(joined);
    free(s);
    return rc;
}

void layout_block_free(struct text_block *b)
{
    /* Blocks may hold a person's file names (as text and as pixels): wiped
     * before they are freed. */
    if (b->text)
        explicit_bzero((void *)b->text, strlen(b->text));
    if (b->alpha && b->ink_w > 0 && b->ink_h > 0)
        explicit_bzero((void *)b->alpha, (size_t)b->ink_w * (size_t)b->ink_h);
    free((void *)b->text);
    free((void *)b->lines);
    free((void *)b->alpha);
    memset(b, 0, sizeof(*b));
}
