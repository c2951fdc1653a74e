/* Text module: font fallback, forced direction, bidi order of numbers and
 * English inside Urdu, language tag, UAX #14 wrapping, alignment, ellipsis,
 * unclipped ink, caches, bad input, icons. */
#include "check.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct text_ctx *t;

static const char *LONG =
    "اپنے فون سے وہ تصویریں اور ویڈیوز چنیں جن کے بارے میں آپ فکرمند ہیں۔ یہ مشین ہر ایک کا "
    "ڈیجیٹل فنگر پرنٹ بناتی ہے۔ انگریزی میں اسے hash کہتے ہیں۔ اس میں تقریباً 5 سے 10 منٹ "
    "لگتے ہیں۔ مدد کے لیے مفت ہیلپ لائن 0800-39393 پر فون کریں۔";

static struct text_style style(int size, enum text_dir dir, const char *lang)
{
    struct text_style s;
    text_style_init(&s);
    s.size = size;
    s.dir = (uint8_t)dir;
    snprintf(s.lang, sizeof s.lang, "%s", lang);
    return s;
}

static size_t shape(const char *str, struct text_style s, struct text_glyph **g)
{
    size_t n = 0;
    int rc = text_shape(t, str, &s, g, &n);
    REQUIRE(rc == 0, "text_shape failed for '%s'", str);
    return n;
}

/* Glyphs whose cluster lies in [from, to): their clusters in visual order. */
static int clusters_in(const struct text_glyph *g, size_t n, size_t from, size_t to, uint32_t *out)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (g[i].cluster >= from && g[i].cluster < to)
            out[k++] = g[i].cluster;
    return k;
}

static void test_create_errors(void)
{
    char err[256];
    struct text_ctx *bad = text_create("/nonexistent/fonts", err, sizeof err);
    CHECK(bad == NULL, "text_create on a missing dir succeeded");
    CHECK(strstr(err, "/nonexistent/fonts") != NULL, "error does not name the path: %s", err);
    text_destroy(NULL);
}

static void test_urdu_rtl(void)
{
    struct text_glyph *g;
    const char *s = "پاکستان";
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    CHECK(n > 0, "no glyphs");
    for (size_t i = 0; i < n; i++)
        CHECK(g[i].face == TEXT_FACE_URDU, "glyph %zu not from the Urdu face", i);
    /* Right to left: the visually leftmost glyph is the logical end. */
    CHECK(g[0].cluster > g[n - 1].cluster, "not right-to-left: %u..%u", g[0].cluster, g[n - 1].cluster);
    free(g);
}

static void test_numbers_stay_ltr(void)
{
    struct text_glyph *g;
    const char *s = "درخواست نمبر 12345 ہے";
    const char *num = strstr(s, "12345");
    size_t from = (size_t)(num - s);
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    uint32_t c[16];
    int k = clusters_in(g, n, from, from + 5, c);
    CHECK(k == 5, "expected 5 digit glyphs, got %d", k);
    for (int i = 1; i < k; i++)
        CHECK(c[i] > c[i - 1], "12345 reversed: digit clusters not ascending left to right");
    free(g);

    const char *p = "ہیلپ لائن 0800-39393 پر فون کریں";
    const char *ph = strstr(p, "0800-39393");
    from = (size_t)(ph - p);
    n = shape(p, style(24, TEXT_DIR_RTL, "ur"), &g);
    k = clusters_in(g, n, from, from + 10, c);
    CHECK(k == 10, "expected 10 glyphs for the phone number, got %d", k);
    for (int i = 1; i < k; i++)
        CHECK(c[i] > c[i - 1], "0800-39393 not kept left to right");
    free(g);
}

/* Latin in an Urdu sentence keeps the punctuation at its edges: the '/'
 * of a path, the "--" of an option, the '/' after "DCIM"; words with spaces
 * between them stay in order; a number after a Latin word with a space and
 * a bracket between them does not join it. */
static void check_ltr_span(const char *s, const char *span, const char *what)
{
    struct text_glyph *g;
    const char *at = strstr(s, span);
    REQUIRE(at, "%s", what);
    size_t from = (size_t)(at - s), len = strlen(span);
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    uint32_t c[128];
    int k = clusters_in(g, n, from, from + len, c);
    int spaces = 0;
    for (size_t i = 0; i < len; i++)
        spaces += span[i] == ' ';
    CHECK(k == (int)(len - (size_t)spaces) || k == (int)len, "%s: %d glyphs for %zu bytes", what, k, len);
    for (int i = 1; i < k; i++)
        CHECK(c[i] > c[i - 1], "%s: not left to right at glyph %d (clusters %u, %u)", what, i, c[i - 1], c[i]);
    free(g);
}

static void test_latin_spans_in_urdu(void)
{
    check_ltr_span("کنفیگریشن فائل درست کریں (/etc/hifazat/kiosk.conf، یا ڈیٹا", "/etc/hifazat/kiosk.conf",
                   "path");
    check_ltr_span("پھر --helpline-key FILE دیں", "--helpline-key FILE", "option");
    check_ltr_span("فون / DCIM/ میں", "DCIM/", "folder");
    check_ltr_span("جیسے Take It Down کرتا ہے", "Take It Down", "words");

    /* "PHONE (271 GB)" in Urdu: the number stays in the Urdu sentence,
     * visually right of the Latin word (RTL order: PHONE, then the size). */
    struct text_glyph *g;
    const char *s = "PHONE (271 جی بی)";
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    int x_phone = -1, x_num = -1, x = 0;
    for (size_t i = 0; i < n; i++) {
        if (g[i].cluster == 0)
            x_phone = x;
        if (g[i].cluster == 7)
            x_num = x;
        x += g[i].x_advance;
    }
    CHECK(x_phone >= 0 && x_num >= 0 && x_num < x_phone,
          "PHONE (271 ...): the number is not left of the word (x %d vs %d)", x_num, x_phone);
    free(g);
}

static void test_latin_fallback(void)
{
    struct text_glyph *g;
    const char *s = "انگریزی میں اسے hash کہتے ہیں";
    size_t from = (size_t)(strstr(s, "hash") - s);
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    int latin = 0, urdu = 0;
    uint32_t c[8];
    for (size_t i = 0; i < n; i++) {
        bool in_word = g[i].cluster >= from && g[i].cluster < from + 4;
        if (in_word) {
            CHECK(g[i].face == TEXT_FACE_LATIN, "'hash' glyph not from Noto Sans");
            CHECK(g[i].id != 0, "'hash' drawn as tofu");
            latin++;
        } else if (g[i].face == TEXT_FACE_URDU) {
            urdu++;
        }
    }
    CHECK(latin == 4, "expected 4 Latin glyphs, got %d", latin);
    CHECK(urdu > 10, "Urdu text lost its face");
    int k = clusters_in(g, n, from, from + 4, c);
    for (int i = 1; i < k; i++)
        CHECK(c[i] > c[i - 1], "'hash' reversed inside the RTL paragraph");
    free(g);

    /* English UI: Urdu letters still find the Urdu face. */
    n = shape("Switch to اردو", style(24, TEXT_DIR_LTR, "en"), &g);
    int u = 0;
    for (size_t i = 0; i < n; i++)
        u += g[i].face == TEXT_FACE_URDU;
    CHECK(u >= 1, "Urdu in an English string lost its face");
    CHECK(g[0].face == TEXT_FACE_LATIN && g[0].cluster == 0, "LTR string does not start at the left");
    free(g);
}

static void test_forced_direction(void)
{
    /* Starts with an English word: auto-detection would make it LTR. */
    struct text_glyph *g;
    const char *s = "Take It Down کے ذریعے";
    size_t n = shape(s, style(24, TEXT_DIR_RTL, "ur"), &g);
    size_t urdu_from = (size_t)(strstr(s, "کے") - s);
    CHECK(g[0].cluster >= urdu_from, "RTL paragraph: leftmost glyph should be Urdu (cluster %u)", g[0].cluster);
    CHECK(g[n - 1].cluster < urdu_from, "RTL paragraph: rightmost glyph should be English");
    free(g);
    n = shape(s, style(24, TEXT_DIR_LTR, "en"), &g);
    CHECK(g[0].cluster == 0, "LTR paragraph should start with 'Take' at the left");
    free(g);
}

static void test_language_tag(void)
{
    struct text_glyph *gu, *gf;
    const char *s = "کوڈ ۴۶۷";
    size_t nu = shape(s, style(24, TEXT_DIR_RTL, "ur"), &gu);
    size_t nf = shape(s, style(24, TEXT_DIR_RTL, "fa"), &gf);
    CHECK(nu == nf, "glyph counts differ");
    bool differ = false;
    for (size_t i = 0; i < nu && i < nf; i++)
        differ |= gu[i].id != gf[i].id;
    CHECK(differ, "lang ur and fa give the same digit shapes: the tag is not applied");
    free(gu);
    free(gf);
}

static void test_wrapping(void)
{
    const int widths[] = {260, 480, 1000};
    for (size_t wi = 0; wi < 3; wi++) {
        struct text_style s = style(24, TEXT_DIR_RTL, "ur");
        s.max_width = widths[wi];
        const struct text_block *b = text_get(t, LONG, &s);
        REQUIRE(b, "text_get failed");
        CHECK(b->nlines > 1, "width %d: not wrapped", widths[wi]);
        CHECK(b->width == widths[wi], "box width %d != %d", b->width, widths[wi]);
        CHECK(b->height == b->nlines * b->line_pitch, "height is not lines x pitch");
        /* Every word survives, in order: lines joined with spaces == input. */
        char *joined = strdup(b->text);
        for (char *p = joined; *p; p++)
            if (*p == '\n')
                *p = ' ';
        CHECK(!strcmp(joined, LONG), "width %d: text lost or changed:\n%s", widths[wi], joined);
        free(joined);
        for (int i = 0; i < b->nlines; i++) {
            const struct text_line *l = &b->lines[i];
            CHECK(l->width <= widths[wi], "width %d: line %d is %d px", widths[wi], i, l->width);
            /* RTL start alignment: right edge. */
            CHECK(l->x + l->width == b->width, "line %d not right-aligned", i);
            CHECK(l->baseline == b->baseline + i * b->line_pitch, "baselines not evenly spaced");
            CHECK(l->len > 0 && b->text[l->start + l->len - 1] != ' ', "line %d keeps a trailing space", i);
        }
        /* Greedy: the next line's first word would not have fitted (but
         * for the last two lines, which may share a word against a lone
         * one: test_no_orphans). */
        for (int i = 0; i + 2 < b->nlines; i++) {
            const struct text_line *l = &b->lines[i], *nx = &b->lines[i + 1];
            const char *sp = memchr(b->text + nx->start, ' ', (size_t)nx->len);
            size_t wl = sp ? (size_t)(sp - (b->text + nx->start)) : (size_t)nx->len;
            char buf[4096];
            snprintf(buf, sizeof buf, "%.*s %.*s", l->len, b->text + l->start, (int)wl, b->text + nx->start);
            struct text_style one = style(24, TEXT_DIR_RTL, "ur");
            const struct text_block *m = text_get(t, buf, &one);
            CHECK(m && m->text_width > widths[wi] - 2, "width %d: line %d could have taken one more word",
                  widths[wi], i);
        }
    }
}

/* Real sentences of the kiosk, which at some widths end in a lone word. */
static const char *const SENTENCES[] = {
    "آج آپ نے یہاں جو کچھ کیا، وہ سب اس مشین سے مٹا دیا گیا ہے۔",
    "اب اپنا میموری کارڈ یا یو ایس بی اسٹک نکال لیں۔",
    "جب یہ تصویریں لی گئیں، کیا ان میں موجود فرد کی عمر 18 سال سے کم تھی؟",
    "پریشانی ہو یا کسی سے بات کرنی ہو تو یہاں کا عملہ مدد کر سکتا ہے، یا ان میں سے کسی ہیلپ لائن پر فون کریں:",
    "Your choices were erased from this machine. Your pictures are still on your phone.",
};

/* Words separated by ASCII spaces in s[0..n). */
static int words_in(const char *s, int n)
{
    int w = 0;
    bool in = false;
    for (int i = 0; i < n; i++) {
        bool sp = s[i] == ' ';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

/* No lone word on a paragraph's last line, at every width: the previous
 * line gives up its last word whenever the two fit together and it keeps
 * two words of its own. Nothing is lost, no line is too wide, and only the
 * last two lines differ from the greedy fill. */
static void test_no_orphans(void)
{
    int orphans_avoided = 0;
    for (size_t k = 0; k < sizeof SENTENCES / sizeof SENTENCES[0]; k++) {
        bool en = k + 1 == sizeof SENTENCES / sizeof SENTENCES[0];
        for (int w = 140; w <= 1100; w += 6) {
            struct text_style s = style(24, en ? TEXT_DIR_LTR : TEXT_DIR_RTL, en ? "en" : "ur");
            s.max_width = w;
            const struct text_block *b = text_get(t, SENTENCES[k], &s);
            REQUIRE(b, "text_get");
            char *joined = strdup(b->text);
            for (char *p = joined; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            CHECK(!strcmp(joined, SENTENCES[k]), "sentence %zu at %d px: text lost:\n%s", k, w, joined);
            free(joined);
            CHECK(b->lines[0].para_start, "sentence %zu at %d px: the first line starts a paragraph", k, w);
            for (int i = 0; i < b->nlines; i++) {
                CHECK(b->lines[i].width <= w, "sentence %zu at %d px: line %d is %d px", k, w, i,
                      b->lines[i].width);
                CHECK(i == 0 || !b->lines[i].para_start, "sentence %zu: line %d starts no paragraph", k, i);
            }
            if (b->nlines < 2)
                continue;
            const struct text_line *pl = &b->lines[b->nlines - 2], *ll = &b->lines[b->nlines - 1];
            int lw = words_in(b->text + ll->start, ll->len), pw = words_in(b->text + pl->start, pl->len);
            if (lw >= 2) {
                orphans_avoided++;
                continue;
            }
            /* A lone word is left only when nothing can keep it company. */
            const char *sp = NULL;
            for (const char *p = b->text + pl->start; p < b->text + pl->start + pl->len; p++)
                if (*p == ' ')
                    sp = p;
            REQUIRE(sp, "a line of one word before a lone word");
            char both[1024];
            snprintf(both, sizeof both, "%.*s %.*s", (int)(b->text + pl->start + pl->len - sp - 1), sp + 1,
                     ll->len, b->text + ll->start);
            struct text_style one = s;
            one.max_width = 0;
            const struct text_block *m = text_get(t, both, &one);
            CHECK(pw < 3 || (m && m->text_width > w), "sentence %zu at %d px: a lone word on the last line:\n%s",
                  k, w, b->text);
        }
    }
    CHECK(orphans_avoided > 100, "the sweep hardly wrapped (%d)", orphans_avoided);

    /* The case the issue names: "ہے" alone under a full line. */
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    const struct text_block *whole = text_get(t, SENTENCES[0], &s);
    s.max_width = whole->text_width - 10;   /* the greedy fill leaves "ہے۔" alone */
    const struct text_block *b = text_get(t, SENTENCES[0], &s);
    CHECK(b->nlines == 2, "two lines (%d)", b->nlines);
    CHECK(b->nlines == 2 && words_in(b->text + b->lines[1].start, b->lines[1].len) == 2,
          "the last line is \"گیا ہے۔\", not a lone word:\n%s", b->text);

    /* Paragraphs are kept apart: a one-word paragraph is no orphan, and the
     * words of one paragraph never move into another. */
    s.max_width = 300;
    b = text_get(t, "نوٹ\nاب اپنا میموری کارڈ یا یو ایس بی اسٹک نکال لیں۔", &s);
    CHECK(b->nlines >= 3 && b->lines[0].para_start && b->lines[1].para_start, "two paragraphs");
    CHECK(b->lines[0].len == (int)strlen("نوٹ"), "the one-word paragraph stays alone");
}

/* Never a break inside a word: not at a zero-width non-joiner (Urdu uses it
 * inside words whose letters must not join), nor at a no-break space that
 * keeps a two-part name such as "ہیلپ لائن" on one line; joiners and
 * non-joiners keep their letters' shapes. */
static void test_no_break_inside_words(void)
{
    static const char *const s1 = "فون کریں ہیلپ\u00A0لائن پر ابھی";
    static const char *const s2 = "یہ ٹیلی\u200Cویژن ہے اور وہ بھی";
    const char *const strs[] = {s1, s2};
    const char *const glue[] = {"\u00A0", "\u200C"};
    for (int k = 0; k < 2; k++) {
        for (int w = 60; w <= 700; w += 4) {
            struct text_style s = style(24, TEXT_DIR_RTL, "ur");
            s.max_width = w;
            const struct text_block *b = text_get(t, strs[k], &s);
            REQUIRE(b, "text_get");
            /* Unless the glued word alone is wider than the line (then it
             * is split between letters as a last resort), it stays whole:
             * no line starts or ends at the glue. */
            const char *word = k == 0 ? "ہیلپ\u00A0لائن" : "ٹیلی\u200Cویژن";
            struct text_style one = style(24, TEXT_DIR_RTL, "ur");
            const struct text_block *wb = text_get(t, word, &one);
            if (wb->text_width > w)
                continue;
            size_t gl = strlen(glue[k]);
            for (int i = 0; i < b->nlines; i++) {
                const char *ls = b->text + b->lines[i].start;
                int n = b->lines[i].len;
                CHECK(!(n >= (int)gl && !memcmp(ls + n - gl, glue[k], gl)), "string %d at %d px: broken at the glue", k, w);
                CHECK(!(n >= (int)gl && !memcmp(ls, glue[k], gl)), "string %d at %d px: a line starts with the glue", k, w);
            }
            CHECK(strstr(b->text, word) != NULL, "string %d at %d px: the word was broken:\n%s", k, w, b->text);
        }
    }
    /* A no-break space is drawn as a space (no missing glyph), as wide as
     * the ordinary one. */
    struct text_glyph *g;
    size_t ng = shape("ہیلپ\u00A0لائن", style(24, TEXT_DIR_RTL, "ur"), &g);
    for (size_t i = 0; i < ng; i++)
        CHECK(g[i].id != 0, "glyph %zu of the no-break space's word is missing", i);
    free(g);
    struct text_style sp = style(24, TEXT_DIR_RTL, "ur");
    int wn = text_get(t, "ہیلپ\u00A0لائن", &sp)->text_width, ws = text_get(t, "ہیلپ لائن", &sp)->text_width;
    CHECK(abs(wn - ws) <= 2, "a no-break space is %d px wider than a space", wn - ws);
    /* The ZWNJ really keeps the letters apart: the word is wider than with
     * the letters joined. */
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    int with = text_get(t, "ٹیلی\u200Cویژن", &s)->text_width;
    int without = text_get(t, "ٹیلیویژن", &s)->text_width;
    CHECK(with != without, "ZWNJ changed nothing (%d px)", with);
}

static void test_alignment(void)
{
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    s.max_width = 800;
    s.align = TEXT_ALIGN_END;
    const struct text_block *b = text_get(t, "خوش آمدید", &s);
    CHECK(b->lines[0].x == 0, "RTL end alignment should be on the left");
    s.align = TEXT_ALIGN_CENTER;
    b = text_get(t, "خوش آمدید", &s);
    CHECK(abs(b->lines[0].x - (800 - b->lines[0].width) / 2) <= 1, "not centred");
    s = style(24, TEXT_DIR_LTR, "en");
    s.max_width = 800;
    b = text_get(t, "Welcome", &s);
    CHECK(b->lines[0].x == 0, "LTR start alignment should be on the left");
    CHECK(!b->urdu, "English text should use the Latin line box");
    CHECK(b->line_pitch < text_get(t, "خوش آمدید", &(struct text_style){.size = 24, .lang = "ur"})->line_pitch,
          "Latin lines should be shorter than Nastaliq lines");
}

static void test_ellipsis(void)
{
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    s.max_width = 400;
    s.max_lines = 2;
    const struct text_block *b = text_get(t, LONG, &s);
    CHECK(b->nlines == 2, "expected 2 lines, got %d", b->nlines);
    CHECK(b->truncated, "not marked truncated");
    const struct text_line *l = &b->lines[1];
    const char *end = b->text + l->start + l->len;
    CHECK(l->len >= 3 && !memcmp(end - 3, "\xE2\x80\xA6", 3), "last line does not end with an ellipsis");
    CHECK(l->width <= 400, "ellipsised line is %d px", l->width);
    /* Single line without wrapping. */
    s.max_width = 0;
    s.max_lines = 1;
    b = text_get(t, "ایک\nدو", &s);
    CHECK(b->nlines == 1 && b->truncated, "max_lines=1 did not cut a two-line string");
    /* One line that fits: no ellipsis. */
    s.max_width = 600;
    b = text_get(t, "خوش آمدید", &s);
    CHECK(!b->truncated && !strstr(b->text, "\xE2\x80\xA6"), "a fitting line got an ellipsis");
}

static void test_long_word(void)
{
    struct text_style s = style(24, TEXT_DIR_LTR, "en");
    s.max_width = 120;
    const char *w = "Supercalifragilisticexpialidocious";
    const struct text_block *b = text_get(t, w, &s);
    CHECK(b->nlines > 1 && b->split, "an over-long word was not split (or not said)");
    size_t total = 0;
    for (int i = 0; i < b->nlines; i++) {
        CHECK(b->lines[i].width <= 120, "split line %d is %d px", i, b->lines[i].width);
        total += (size_t)b->lines[i].len;
    }
    CHECK(total == strlen(w), "letters lost while splitting a long word");
}

static void test_ink_not_clipped(void)
{
    /* The spike's S1: its ink rises above the Nastaliq ascent. */
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    const struct text_block *b =
        text_get(t, "اپنی تصاویر کو محفوظ طریقے سے ہٹائیں۔ یہ عمل 3 مراحل میں مکمل ہوتا ہے (Take It Down)", &s);
    REQUIRE(b && b->alpha, "no bitmap");
    /* The bitmap is the tight union of all glyph ink: every edge has ink. */
    bool top = false, bottom = false, left = false, right = false;
    for (int x = 0; x < b->ink_w; x++) {
        top |= b->alpha[x] != 0;
        bottom |= b->alpha[(size_t)(b->ink_h - 1) * b->ink_w + x] != 0;
    }
    for (int y = 0; y < b->ink_h; y++) {
        left |= b->alpha[(size_t)y * b->ink_w] != 0;
        right |= b->alpha[(size_t)y * b->ink_w + b->ink_w - 1] != 0;
    }
    CHECK(top && bottom && left && right, "bitmap is not the tight ink box (%d%d%d%d)", top, bottom, left, right);
    /* Ink from tall letters reaches at least as high as the first baseline
     * minus the Nastaliq ascent (61 px at 32 px/em), and the bitmap keeps it. */
    CHECK(b->baseline - b->ink_y >= 50, "tall ink was cut: only %d px above the baseline", b->baseline - b->ink_y);
    /* The bold variant is heavier. */
    s.weight = TEXT_BOLD;
    const struct text_block *bb = text_get(t, "خوش آمدید", &s);
    s.weight = TEXT_REGULAR;
    const struct text_block *rb = text_get(t, "خوش آمدید", &s);
    long sb = 0, sr = 0;
    for (size_t i = 0; i < (size_t)bb->ink_w * bb->ink_h; i++)
        sb += bb->alpha[i];
    for (size_t i = 0; i < (size_t)rb->ink_w * rb->ink_h; i++)
        sr += rb->alpha[i];
    CHECK(sb > sr * 11 / 10, "bold is not heavier (%ld vs %ld)", sb, sr);
}

static void test_cache(void)
{
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    s.max_width = 500;
    struct text_stats st0, st1;
    const struct text_block *a = text_get(t, LONG, &s);
    text_get_stats(t, &st0);
    const struct text_block *b = text_get(t, LONG, &s);
    text_get_stats(t, &st1);
    CHECK(a == b, "same string and style gave a new block");
    CHECK(st1.layouts == st0.layouts, "a cached block was laid out again");
    CHECK(st1.glyph_renders == st0.glyph_renders, "glyphs rasterised again");
    s.max_width = 501;
    const struct text_block *c = text_get(t, LONG, &s);
    CHECK(c != a && c->serial != a->serial, "different width shares a block");

    /* Budget: old blocks go, the ones used this frame stay. */
    text_frame_end(t);
    text_set_budget(t, 64 * 1024, 8u << 20);
    char buf[64];
    const struct text_block *keep = NULL;
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof buf, "سطر %d", i);
        const struct text_block *x = text_get(t, buf, &s);
        CHECK(x != NULL, "text_get failed under a small budget");
        if (i == 199)
            keep = x;
        if (i % 20 == 19)
            text_frame_end(t);
    }
    text_get(t, "سطر 199", &s);
    text_frame_end(t);
    text_get_stats(t, &st1);
    CHECK(st1.block_bytes <= 64 * 1024 + 16 * 1024, "cache over budget: %zu bytes", st1.block_bytes);
    CHECK(!strcmp(keep->text, "سطر 199"), "a block used in the last frame was evicted");
    text_set_budget(t, 24u << 20, 8u << 20);
    text_cache_clear(t);
    text_get_stats(t, &st1);
    CHECK(st1.blocks == 0 && st1.glyphs == 0, "cache not cleared");
}

static void test_bad_input(void)
{
    struct text_style s = style(24, TEXT_DIR_RTL, "ur");
    const struct text_block *b = text_get(t, "\xff\xfe" "abc\x01" "\xc3", &s);
    REQUIRE(b, "invalid UTF-8 not handled");
    CHECK(strstr(b->text, "\xEF\xBF\xBD") != NULL, "invalid bytes not replaced by U+FFFD");
    CHECK(!strchr(b->text, '\x01'), "control character kept");
    b = text_get(t, "ایک\r\nدو\rتین", &s);
    CHECK(b->nlines == 3, "CRLF/CR not treated as line breaks (%d lines)", b->nlines);
    b = text_get(t, "", &s);
    CHECK(b && b->nlines == 1 && b->ink_w == 0 && b->alpha == NULL, "empty string");
    b = text_get(t, "   ", &s);
    CHECK(b && b->ink_w == 0, "blank string has ink");
    s.size = 0;
    CHECK(text_get(t, "x", &s) == NULL, "size 0 accepted");
    CHECK(text_get(t, NULL, &s) == NULL, "NULL string accepted");
}

static void test_icons(void)
{
    for (int i = 0; i < TEXT_ICON_COUNT; i++) {
        const struct text_block *b = text_icon(t, (enum text_icon)i, 48);
        REQUIRE(b, "icon %d failed", i);
        CHECK(b->ink_w == 48 && b->ink_h == 48, "icon %d is %dx%d", i, b->ink_w, b->ink_h);
        long sum = 0;
        for (int k = 0; k < 48 * 48; k++)
            sum += b->alpha[k];
        CHECK(sum > 48 * 48 * 255 / 20, "icon %d is nearly empty", i);
        CHECK(b->alpha[0] == 0, "icon %d touches its corner", i);
    }
    const struct text_block *l = text_icon(t, TEXT_ICON_ARROW_LEFT, 48);
    const struct text_block *r = text_icon(t, TEXT_ICON_ARROW_RIGHT, 48);
    long diff = 0;
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 48; x++)
            diff += abs(l->alpha[y * 48 + x] - r->alpha[y * 48 + 47 - x]);
    CHECK(diff < 48 * 48 * 255 / 50, "left arrow is not the mirror of the right arrow (%ld)", diff);
    CHECK(text_icon(t, TEXT_ICON_COUNT, 48) == NULL, "bad icon accepted");
}

int main(void)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/fonts", getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : ".");
    t = text_create(path, err, sizeof err);
    REQUIRE(t, "text_create: %s", err);
    test_create_errors();
    test_urdu_rtl();
    test_numbers_stay_ltr();
    test_latin_spans_in_urdu();
    test_latin_fallback();
    test_forced_direction();
    test_language_tag();
    test_wrapping();
    test_no_orphans();
    test_no_break_inside_words();
    test_alignment();
    test_ellipsis();
    test_long_word();
    test_ink_not_clipped();
    test_cache();
    test_bad_input();
    test_icons();
    text_destroy(t);
    return check_exit();
}
