/* Shaping one line: font fallback by script, then libraqm (FriBidi for the
 * bidi runs and their visual order, HarfBuzz for the glyphs). */
#include "text_internal.h"

#include <raqm.h>
#include <stdlib.h>
#include <string.h>

enum cls { CLS_NEUTRAL, CLS_URDU, CLS_LATIN, CLS_INHERIT };

static bool has_glyph(struct text_ctx *t, int face, uint32_t cp)
{
    return FT_Get_Char_Index(t->fonts[face].face, cp) != 0;
}

static enum cls classify(struct text_ctx *t, uint32_t cp)
{
    hb_script_t sc = hb_unicode_script(t->ufuncs, cp);
    switch (sc) {
    case HB_SCRIPT_ARABIC:
        return CLS_URDU;
    case HB_SCRIPT_INHERITED:
        return CLS_INHERIT;      /* combining marks follow their base */
    case HB_SCRIPT_COMMON:
    case HB_SCRIPT_UNKNOWN:
        return CLS_NEUTRAL;      /* spaces, digits, punctuation, symbols */
    default:
        return CLS_LATIN;        /* Latin, and any other script: Noto Sans or nothing */
    }
}

static int primary_face(const struct text_style *st)
{
    return strncmp(st->lang, "ur", 2) == 0 ? TEXT_FACE_URDU : TEXT_FACE_LATIN;
}

/* Face of every code point. Strong characters take their script's face;
 * neutrals (spaces, digits, brackets) take the face of the strong
 * characters around them when both sides agree, else the UI language's
 * face, so "(Take It Down)" keeps Urdu brackets in an Urdu sentence but
 * gets Latin spaces between its words. */
static void assign_faces(struct text_ctx *t, const uint32_t *cps, size_t n, int primary,
                         uint8_t *face)
{
    enum cls *c = malloc(n * sizeof(*c) + 1);
    if (!c) {
        memset(face, primary, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        c[i] = classify(t, cps[i]);
        if (c[i] == CLS_INHERIT)
            c[i] = i > 0 ? c[i - 1] : CLS_NEUTRAL;
    }
    /* Resolve neutrals from the nearest strong class on each side. */
    int prev = -1;
    for (size_t i = 0; i < n; i++) {
        if (c[i] == CLS_URDU || c[i] == CLS_LATIN) {
            prev = c[i];
            face[i] = c[i] == CLS_URDU ? TEXT_FACE_URDU : TEXT_FACE_LATIN;
            continue;
        }
        size_t j = i;
        while (j < n && c[j] == CLS_NEUTRAL)
            j++;
        int next = j < n ? (int)c[j] : -1;
        int f = primary;
        if (prev >= 0 && prev == next)
            f = prev == CLS_URDU ? TEXT_FACE_URDU : TEXT_FACE_LATIN;
        for (size_t k = i; k < j; k++)
            face[k] = (uint8_t)f;
        i = j - 1;
    }
    /* A face that lacks the character gives way to the other one. */
    for (size_t i = 0; i < n; i++) {
        int f = face[i], other = 1 - f;
        if (!has_glyph(t, f, cps[i]) && has_glyph(t, other, cps[i]))
            face[i] = (uint8_t)other;
    }
    /* Combining marks must stay in their base's run. */
    for (size_t i = 1; i < n; i++)
        if (classify(t, cps[i]) == CLS_INHERIT)
            face[i] = face[i - 1];
    free(c);
}

bool is_trailing_space(struct text_ctx *t, uint32_t cp)
{
    if (cp == 0xA0 || cp == 0x202F)   /* no-break spaces are part of the text */
        return false;
    return cp == ' ' || hb_unicode_general_category(t->ufuncs, cp) ==
                            HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR;
}

bool is_cluster_continuation(struct text_ctx *t, uint32_t cp)
{
    hb_unicode_general_category_t gc = hb_unicode_general_category(t->ufuncs, cp);
    return gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
           gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
           gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK || cp == 0x200C || cp == 0x200D;
}

bool uses_urdu_face(struct text_ctx *t, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp = utf8_next(s, len, &i);
        if (classify(t, cp) == CLS_URDU)
            return true;
    }
    return false;
}

void shaped_free(struct shaped *sh)
{
    free(sh->g);
    sh->g = NULL;
    sh->n = 0;
    sh->width = 0;
}

static bool is_digit(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0x660 && cp <= 0x669) || (cp >= 0x6F0 && cp <= 0x6F9);
}

static bool is_isolate_control(uint32_t cp)
{
    return cp >= 0x2066 && cp <= 0x2069;   /* LRI, RLI, FSI, PDI */
}

/* Characters that belong to a Latin word they stand before: "/etc", "--key",
 * ".conf", "~/x", "_tmp". */
static bool is_path_lead(char c)
{
    return c == '/' || c == '.' || c == '-' || c == '~' || c == '_';
}

struct span {
    size_t a, b;    /* bytes [a, b) of the caller's string */
    bool latin;     /* else a number group */
};

/* What gets wrapped in LRI ... PDI, as a typesetter would:
 * - Number groups. UAX #9 turns the digits of "0800-39393" after an Urdu
 *   word into Arabic numbers (W2), and a hyphen between Arabic numbers stays
 *   a separator, so the groups come out reversed: "39393-0800". Digit
 *   groups joined by '-' or '+' are isolated.
 * - In an RTL paragraph, Latin text: from a Latin letter (with the path
 *   characters just before it) to the last Latin letter (or a digit or '/'
 *   attached to it) before the next Urdu letter. Otherwise the neutrals at
 *   its edges take the Urdu direction: "(/etc/hifazat/kiosk.conf" showed
 *   its leading '/' on the far side of "etc". Words with spaces between
 *   them stay one span, so "Take It Down" keeps its order. */
static int find_spans(struct text_ctx *t, const char *s, size_t len, bool rtl, struct span *sp,
                      int max)
{
    int ns = 0;
    size_t floor = 0;   /* a span never reaches back into the previous one */
    for (size_t i = 0; i < len && ns < max;) {
        size_t start = i, j = i;
        uint32_t cp = utf8_next(s, len, &j);
        if (rtl && classify(t, cp) == CLS_LATIN) {
            while (start > floor && is_path_lead(s[start - 1]))
                start--;
            size_t end = j;
            for (size_t k = j; k < len;) {
                size_t m = k;
                uint32_t c = utf8_next(s, len, &m);
                enum cls cl = classify(t, c);
                if (cl == CLS_URDU)
                    break;
                /* Digits and '/' only when attached ("F5", "a/"): "PHONE (271 GB)"
                 * must not pull the number into the span. */
                if (cl == CLS_LATIN || (end == k && (is_digit(c) || c == '/' || cl == CLS_INHERIT)))
                    end = m;
                k = m;
            }
            sp[ns++] = (struct span){start, end, true};
            i = floor = end;
            continue;
        }
        if (!is_digit(cp)) {
            i = j;
            continue;
        }
        /* digits ( [-+] digits )+ */
        size_t end = j;
        int joins = 0;
        for (;;) {
            size_t k = end;
            while (k < len) {
                size_t m = k;
                if (!is_digit(utf8_next(s, len, &m)))
                    break;
                k = m;
            }
            end = k;
            if (end < len && (s[end] == '-' || s[end] == '+') && end + 1 < len) {
                size_t m = end + 1;
                if (is_digit(utf8_next(s, len, &m))) {
                    end = end + 1;
                    joins++;
                    continue;
                }
            }
            break;
        }
        if (joins)
            sp[ns++] = (struct span){start, end, false};
        i = floor = end;
    }
    return ns;
}

/* The caller's string with its spans isolated; map[] takes each output byte
 * back to the caller's offset (SIZE_MAX for the inserted controls, whose
 * invisible glyphs are dropped). latin[] gets the output byte ranges of the
 * Latin spans. Returns NULL when nothing needed isolating. */
static char *isolate_spans(struct text_ctx *t, const char *s, size_t len, bool rtl,
                           size_t *out_len, size_t **map, struct span *latin, int *nlatin)
{
    static const char LRI[] = "\xE2\x81\xA6", PDI[] = "\xE2\x81\xA9";
    struct span spans[64];
    const int ns = find_spans(t, s, len, rtl, spans, 64);
    *nlatin = 0;
    if (!ns)
        return NULL;
    size_t n = len + (size_t)ns * 6;
    char *o = malloc(n + 1);
    size_t *mp = malloc((n + 1) * sizeof(*mp));
    if (!o || !mp) {
        free(o);
        free(mp);
        return NULL;
    }
    size_t w = 0, r = 0;
    for (int k = 0; k <= ns; k++) {
        size_t stop = k < ns ? spans[k].a : len;
        for (; r < stop; r++, w++) {
            o[w] = s[r];
            mp[w] = r;
        }
        if (k == ns)
            break;
        for (int b = 0; b < 3; b++, w++) {
            o[w] = LRI[b];
            mp[w] = SIZE_MAX;
        }
        size_t from = w;
        for (; r < spans[k].b; r++, w++) {
            o[w] = s[r];
            mp[w] = r;
        }
        if (spans[k].latin)
            latin[(*nlatin)++] = (struct span){from, w, true};
        for (int b = 0; b < 3; b++, w++) {
            o[w] = PDI[b];
            mp[w] = SIZE_MAX;
        }
    }
    o[w] = '\0';
    mp[w] = len;
    *out_len = w;
    *map = mp;
    return o;
}

int shape_line(struct text_ctx *t, const char *orig, size_t orig_len, const struct text_style *st,
               struct shaped *out)
{
    memset(out, 0, sizeof(*out));
    if (orig_len == 0)
        return 0;
    size_t len = orig_len;
    size_t *map = NULL;
    struct span latin[64];
    int nlatin = 0;
    char *iso = isolate_spans(t, orig, orig_len, st->dir != TEXT_DIR_LTR, &len, &map, latin, &nlatin);
    const char *s = iso ? iso : orig;
    if (!iso)
        len = orig_len;
    int rc = -1;
    raqm_t *rq = NULL;
    /* Code points and their byte offsets. */
    uint32_t *cps = malloc(len * sizeof(*cps));
    size_t *offs = malloc((len + 1) * sizeof(*offs));
    uint8_t *face = malloc(len);
    if (!cps || !offs || !face)
        goto out;
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        offs[n] = i;
        cps[n++] = utf8_next(s, len, &i);
    }
    offs[n] = len;
    int primary = primary_face(st);
    assign_faces(t, cps, n, primary, face);
    /* Inside an isolated Latin span, its punctuation is Latin too ("/etc"). */
    for (size_t i = 0, k = 0; i < n && k < (size_t)nlatin;) {
        if (offs[i] >= latin[k].b) {
            k++;
            continue;
        }
        if (offs[i] >= latin[k].a && classify(t, cps[i]) == CLS_NEUTRAL &&
            has_glyph(t, TEXT_FACE_LATIN, cps[i]))
            face[i] = TEXT_FACE_LATIN;
        i++;
    }

    rq = raqm_create();
    if (!rq || !raqm_set_text_utf8(rq, s, len))
        goto out;
    /* Forced, never guessed: a line that starts with an English word would
     * otherwise become an LTR paragraph. */
    if (!raqm_set_par_direction(rq, st->dir == TEXT_DIR_LTR ? RAQM_DIRECTION_LTR
                                                            : RAQM_DIRECTION_RTL))
        goto out;
    if (!raqm_set_language(rq, st->lang[0] ? st->lang : "ur", 0, len))
        goto out;
    /* Unhinted advances match the unhinted glyphs we draw. */
    raqm_set_freetype_load_flags(rq, FT_LOAD_NO_HINTING);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && face[j] == face[i])
            j++;
        /* Ranges are UTF-8 byte offsets because the text was set as UTF-8. */
        if (!raqm_set_freetype_face_range(rq, t->fonts[face[i]].face, offs[i], offs[j] - offs[i]))
            goto out;
        i = j;
    }
    if (!raqm_layout(rq))
        goto out;
    size_t count = 0;
    raqm_glyph_t *g = raqm_get_glyphs(rq, &count);
    if (!g)
        goto out;
    out->g = malloc((count ? count : 1) * sizeof(*out->g));
    if (!out->g)
        goto out;
    for (size_t i = 0; i < count; i++) {
        struct text_glyph *o = &out->g[i];
        o->id = g[i].index;
        o->face = g[i].ftface == t->fonts[TEXT_FACE_LATIN].face ? TEXT_FACE_LATIN : TEXT_FACE_URDU;
        o->x_advance = g[i].x_advance;
        o->y_advance = g[i].y_advance;
        o->x_offset = g[i].x_offset;
        o->y_offset = g[i].y_offset;
        o->cluster = g[i].cluster;
        out->width += g[i].x_advance;
    }
    /* The space on the right of an Urdu word that meets a Latin word gets a
     * quarter em more: a Nastaliq word's first letter overhangs its advance
     * to the right and would touch the Latin word ("hash کہتے"). In an RTL
     * paragraph that is the space before the Urdu word, in LTR the one after. */
    int extra = (t->fonts[TEXT_FACE_URDU].face->size->metrics.x_ppem * 64) / 4;
    for (size_t i = 0; i < count; i++) {
        uint32_t cl = g[i].cluster;   /* in the shaped string, like offs[] */
        size_t lo = 0, hi = n;   /* code point index of this cluster */
        while (lo + 1 < hi) {
            size_t mid = (lo + hi) / 2;
            if (offs[mid] <= cl)
                lo = mid;
            else
                hi = mid;
        }
        if (cps[lo] != ' ')
            continue;
        int before = -1, after = -1;
        for (size_t k = lo; k-- > 0;) {
            if (is_isolate_control(cps[k]))
                continue;
            enum cls c = classify(t, cps[k]);
            if (c == CLS_URDU || c == CLS_LATIN) {
                before = c;
                break;
            }
            if (cps[k] != ' ')
                break;
        }
        for (size_t k = lo + 1; k < n; k++) {
            if (is_isolate_control(cps[k]))
                continue;
            enum cls c = classify(t, cps[k]);
            if (c == CLS_URDU || c == CLS_LATIN) {
                after = c;
                break;
            }
            if (cps[k] != ' ')
                break;
        }
        bool rtl = st->dir != TEXT_DIR_LTR;
        if ((rtl && before == CLS_LATIN && after == CLS_URDU) ||
            (!rtl && before == CLS_URDU && after == CLS_LATIN)) {
            out->g[i].x_advance += extra;
            out->width += extra;
        }
    }
    out->n = count;
    if (map) {
        size_t k = 0;
        for (size_t i = 0; i < count; i++) {
            size_t c = map[out->g[i].cluster < len ? out->g[i].cluster : len];
            if (c == SIZE_MAX) {
                out->width -= out->g[i].x_advance;
                continue;
            }
            out->g[k] = out->g[i];
            out->g[k].cluster = (uint32_t)c;
            k++;
        }
        out->n = k;
    }
    rc = 0;
out:
    if (rq)
        raqm_destroy(rq);
    free(iso);
    free(map);
    free(cps);
    free(offs);
    free(face);
    if (rc)
        shaped_free(out);
    return rc;
}

int text_shape(struct text_ctx *t, const char *utf8, const struct text_style *style,
               struct text_glyph **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t len;
    char *s = utf8_sanitize(utf8, &len);
    if (!s)
        return -1;
    int rc = -1;
    struct shaped sh;
    if (font_set_px(t, TEXT_FACE_URDU, font_px_for(TEXT_FACE_URDU, style->size)) ||
        font_set_px(t, TEXT_FACE_LATIN, font_px_for(TEXT_FACE_LATIN, style->size)))
        goto out;
    if (shape_line(t, s, len, style, &sh))
        goto out;
    *out = sh.g;
    *count = sh.n;
    rc = 0;
out:
    free(s);
    return rc;
}
