/* libFuzzer: arbitrary bytes (invalid UTF-8, controls, mixed scripts, huge
 * words) through the whole text pipeline: sanitising, font fallback, number
 * isolation, raqm shaping, UAX #14 breaking, ellipsis, rasterising and the
 * caches under a tiny budget. The first 4 bytes pick the style. */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct text_ctx *t;
    if (!t) {
        char path[4096], err[512];
        const char *src = getenv("HIFAZAT_SOURCE");
        snprintf(path, sizeof path, "%s/fonts", src ? src : ".");
        t = text_create(path, err, sizeof err);
        if (!t) {
            fprintf(stderr, "fuzz_text: %s\n", err);
            abort();
        }
        text_set_budget(t, 256 * 1024, 256 * 1024);
    }
    if (size < 4)
        return 0;
    struct text_style st;
    text_style_init(&st);
    st.size = 8 + data[0] % 40;
    st.dir = data[1] & 1 ? TEXT_DIR_LTR : TEXT_DIR_RTL;
    st.align = (uint8_t)((data[1] >> 1) % 3);
    st.weight = (data[1] >> 3) & 1 ? TEXT_BOLD : TEXT_REGULAR;
    memcpy(st.lang, data[1] & 16 ? "en" : "ur", 3);
    st.max_width = data[2] * 4;
    st.max_lines = data[3] % 4;
    st.line_spacing = data[3] & 64 ? 80 : 0;
    size_t n = size - 4 > 2048 ? 2048 : size - 4;
    char *s = malloc(n + 1);
    if (!s)
        return 0;
    memcpy(s, data + 4, n);
    s[n] = '\0';
    const struct text_block *b = text_get(t, s, &st);
    if (!b)
        abort();
    size_t tl = strlen(b->text);
    for (int i = 0; i < b->nlines; i++) {
        const struct text_line *l = &b->lines[i];
        if (l->start < 0 || l->len < 0 || (size_t)(l->start + l->len) > tl)
            abort();
    }
    if ((b->ink_w > 0) != (b->alpha != NULL) || b->ink_w < 0 || b->ink_h < 0)
        abort();
    if (st.max_lines && b->nlines > st.max_lines)
        abort();
    struct text_glyph *g = NULL;
    size_t ng = 0;
    /* Clusters index the sanitised string: each bad byte became 3 (U+FFFD). */
    if (text_shape(t, s, &st, &g, &ng) == 0)
        for (size_t i = 0; i < ng; i++)
            if (g[i].cluster > 3 * n)
                abort();
    free(g);
    text_icon(t, (enum text_icon)(data[0] % TEXT_ICON_COUNT), 8 + data[2] % 64);
    text_frame_end(t);
    free(s);
    return 0;
}
