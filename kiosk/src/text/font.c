#include "text_internal.h"
#include "errfmt.h"

#include <linebreak.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const font_files[TEXT_FACE_COUNT] = {
    [TEXT_FACE_URDU] = "NotoNastaliqUrdu-Regular.ttf",
    [TEXT_FACE_LATIN] = "NotoSans-Regular.ttf",
};

/* Budgets: a screenful of Urdu is about 1 MB of coverage; keep a few
 * screens (both languages) warm. The glyph cache holds a few sizes of the
 * glyphs a UI uses, far below this in practice. */
#define BLOCK_BUDGET (24u << 20)
#define GLYPH_BUDGET (8u << 20)

static pthread_once_t linebreak_once = PTHREAD_ONCE_INIT;
static void linebreak_init(void) { init_linebreak(); }

int font_px_for(int face, int size)
{
    if (face == TEXT_FACE_URDU)
        return (size * TEXT_URDU_SCALE_PCT + 50) / 100;
    return size;
}

int font_set_px(struct text_ctx *t, int face, int px)
{
    struct text_font *f = &t->fonts[face];
    if (f->px == px)
        return 0;
    if (FT_Set_Pixel_Sizes(f->face, 0, (FT_UInt)px))
        return -1;
    f->px = px;
    return 0;
}

struct text_ctx *text_create(const char *font_dir, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    pthread_once(&linebreak_once, linebreak_init);
    struct text_ctx *t = calloc(1, sizeof(*t));
    if (!t) {
        errfmt(err, errlen, "out of memory");
        return NULL;
    }
    t->block_budget = BLOCK_BUDGET;
    t->glyph_budget = GLYPH_BUDGET;
    t->next_serial = 1;
    int fe = FT_Init_FreeType(&t->lib);
    if (fe) {
        errfmt(err, errlen, "FreeType init failed (error %d)", fe);
        goto fail;
    }
    for (int i = 0; i < TEXT_FACE_COUNT; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", font_dir, font_files[i]) >= (int)sizeof path) {
            errfmt(err, errlen, "font path too long: %s", font_dir);
            goto fail;
        }
        fe = FT_New_Face(t->lib, path, 0, &t->fonts[i].face);
        if (fe) {
            errfmt(err, errlen, "cannot load font %s (FreeType error %d)", path, fe);
            t->fonts[i].face = NULL;
            goto fail;
        }
    }
    /* Sanity: the Urdu face must have Urdu, the Latin face Latin. A wrong
     * file here would show boxes for every word. */
    if (!FT_Get_Char_Index(t->fonts[TEXT_FACE_URDU].face, 0x06CC) ||
        !FT_Get_Char_Index(t->fonts[TEXT_FACE_LATIN].face, 'a')) {
        errfmt(err, errlen, "fonts in %s lack Urdu or Latin letters", font_dir);
        goto fail;
    }
    t->ufuncs = hb_unicode_funcs_reference(hb_unicode_funcs_get_default());
    return t;
fail:
    text_destroy(t);
    return NULL;
}

void text_destroy(struct text_ctx *t)
{
    if (!t)
        return;
    block_cache_free(&t->blocks);
    glyph_cache_free(&t->glyphs);
    for (int i = 0; i < TEXT_FACE_COUNT; i++)
        if (t->fonts[i].face)
            FT_Done_Face(t->fonts[i].face);
    if (t->lib)
        FT_Done_FreeType(t->lib);
    if (t->ufuncs)
        hb_unicode_funcs_destroy(t->ufuncs);
    free(t);
}

void text_style_init(struct text_style *s)
{
    memset(s, 0, sizeof(*s));
    s->size = 24;
    s->dir = TEXT_DIR_RTL;
    s->align = TEXT_ALIGN_START;
    s->weight = TEXT_REGULAR;
    memcpy(s->lang, "ur", 3);
}
