/* Shaping tests in the style of libraqm's: each file tests/shaping/NAME.test
 * gives a string and options, and the glyphs expected from the shaper in
 * visual order (face, glyph id, x advance, x/y offset in 26.6, cluster).
 * A FreeType/HarfBuzz/FriBidi/libraqm upgrade that changes Urdu shaping
 * fails here, glyph by glyph, instead of silently changing what people see.
 *
 * File format (one key per line; '#' starts a comment):
 *     text: <UTF-8>        direction: rtl|ltr     language: ur
 *     size: 24             glyphs:
 *     <U|L> <glyph id> <x_advance> <x_offset> <y_offset> <cluster>   (one per glyph)
 * Regenerate after a deliberate upgrade: scripts/update-golden.sh (runs
 * this with --update), then read the diff.
 * Usage: test_shaping [--update] DIR */
#include "check.h"
#include "text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct expect {
    char face;
    unsigned id;
    int adv, xoff, yoff;
    unsigned cluster;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_file(struct text_ctx *t, const char *path, bool update)
{
    FILE *f = fopen(path, "r");
    REQUIRE(f, "cannot open %s", path);
    char line[8192], text[4096] = "";
    char header[16384] = "";
    struct text_style st;
    text_style_init(&st);
    struct expect exp[1024];
    size_t nexp = 0;
    bool in_glyphs = false;
    while (fgets(line, sizeof line, f)) {
        if (!in_glyphs)
            strncat(header, line, sizeof header - strlen(header) - 1);
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        if (in_glyphs) {
            struct expect *e = &exp[nexp];
            if (nexp < 1024 && sscanf(l, "%c %u %d %d %d %u", &e->face, &e->id, &e->adv, &e->xoff,
                                      &e->yoff, &e->cluster) == 6)
                nexp++;
            continue;
        }
        if (!strncmp(l, "text:", 5))
            snprintf(text, sizeof text, "%s", trim(l + 5));
        else if (!strncmp(l, "direction:", 10))
            st.dir = !strcmp(trim(l + 10), "ltr") ? TEXT_DIR_LTR : TEXT_DIR_RTL;
        else if (!strncmp(l, "language:", 9))
            snprintf(st.lang, sizeof st.lang, "%s", trim(l + 9));
        else if (!strncmp(l, "size:", 5))
            st.size = atoi(l + 5);
        else if (!strcmp(l, "glyphs:"))
            in_glyphs = true;
    }
    fclose(f);
    REQUIRE(*text, "%s: no text", path);

    struct text_glyph *g;
    size_t n;
    REQUIRE(text_shape(t, text, &st, &g, &n) == 0, "%s: shaping failed", path);
    if (update) {
        f = fopen(path, "w");
        REQUIRE(f, "cannot write %s", path);
        /* Keep everything above the glyphs (comments and options). */
        char *gl = strstr(header, "glyphs:");
        if (gl)
            *gl = '\0';
        fputs(header, f);
        if (!gl)
            fputs("\n", f);
        fputs("glyphs:\n", f);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%c %u %d %d %d %u\n", g[i].face == TEXT_FACE_URDU ? 'U' : 'L', g[i].id,
                    g[i].x_advance, g[i].x_offset, g[i].y_offset, g[i].cluster);
        fclose(f);
        fprintf(stderr, "updated %s (%zu glyphs)\n", path, n);
        free(g);
        return;
    }
    CHECK(n == nexp, "%s: %zu glyphs, expected %zu", path, n, nexp);
    for (size_t i = 0; i < n && i < nexp; i++) {
        char face = g[i].face == TEXT_FACE_URDU ? 'U' : 'L';
        bool same = face == exp[i].face && g[i].id == exp[i].id && g[i].x_advance == exp[i].adv &&
                    g[i].x_offset == exp[i].xoff && g[i].y_offset == exp[i].yoff &&
                    g[i].cluster == exp[i].cluster;
        CHECK(same, "%s: glyph %zu is %c %u %d %d %d %u, expected %c %u %d %d %d %u", path, i, face,
              g[i].id, g[i].x_advance, g[i].x_offset, g[i].y_offset, g[i].cluster, exp[i].face,
              exp[i].id, exp[i].adv, exp[i].xoff, exp[i].yoff, exp[i].cluster);
        if (!same)
            break;   /* the first difference is what matters */
    }
    free(g);
}

int main(int argc, char **argv)
{
    bool update = false;
    int ai = 1;
    if (ai < argc && !strcmp(argv[ai], "--update")) {
        update = true;
        ai++;
    }
    REQUIRE(ai < argc, "usage: test_shaping [--update] DIR");
    const char *dir = argv[ai];
    char fonts[4096], err[512];
    snprintf(fonts, sizeof fonts, "%s/fonts", getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : ".");
    struct text_ctx *t = text_create(fonts, err, sizeof err);
    REQUIRE(t, "%s", err);
    DIR *d = opendir(dir);
    REQUIRE(d, "cannot open %s", dir);
    char *names[256];
    int nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 256) {
        size_t l = strlen(de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".test"))
            names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof names[0], cmp_names);
    CHECK(nn >= 8, "only %d shaping tests in %s", nn, dir);
    for (int i = 0; i < nn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        run_file(t, path, update);
        free(names[i]);
    }
    text_destroy(t);
    return check_exit();
}
