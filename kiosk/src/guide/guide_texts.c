/* hifazat-guide-texts LOCALEDIR: prints every narration clip's text in
 * every language, one "lang<TAB>clip<TAB>slow<TAB>text" line each, from the
 * compiled .po catalogs. scripts/gen-audio.sh speaks them (build time). */
#include "guide.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

static const char *cur_lang;
static int missing;

static void line(void *ctx, const char *clip, const char *msgid, bool slow)
{
    (void)ctx;
    const char *t = _(msgid);
    /* An untranslated Urdu text would be spoken in English by the Urdu voice. */
    if (!strcmp(cur_lang, "ur") && t == msgid) {
        fprintf(stderr, "hifazat-guide-texts: no Urdu for %s (\"%s\"): translate it in ur.po\n",
                clip, msgid);
        missing++;
    }
    printf("%s\t%s\t%d\t", cur_lang, clip, slow ? 1 : 0);
    for (const char *p = t; *p; p++)
        putchar(*p == '\t' || *p == '\n' ? ' ' : *p);
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hifazat-guide-texts LOCALEDIR\n");
        return 2;
    }
    if (i18n_init(argv[1])) {
        fprintf(stderr, "hifazat-guide-texts: cannot load the catalogs from %s\n", argv[1]);
        return 2;
    }
    for (int l = 0; l < I18N_COUNT; l++) {
        i18n_set_lang((enum i18n_lang)l);
        cur_lang = i18n_tag((enum i18n_lang)l);
        guide_each_clip(line, NULL);
    }
    return missing ? 1 : 0;
}
