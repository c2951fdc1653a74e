#include "i18n.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN "hifazat"

static enum i18n_lang current = I18N_UR;

static const char *const tags[I18N_COUNT] = {"ur", "en"};
static const char *const names[I18N_COUNT] = {"اردو", "English"};

int i18n_init(const char *localedir)
{
    /* gettext ignores $LANGUAGE under the "C" locale, which is what a bare
     * kiosk image runs with: messages need a UTF-8 locale. C.UTF-8 is built
     * into glibc, so it exists even when no locale is generated. */
    const char *cur = setlocale(LC_MESSAGES, NULL);
    if (!cur || !strcmp(cur, "C") || !strcmp(cur, "POSIX")) {
        if (!setlocale(LC_MESSAGES, "C.UTF-8") && !setlocale(LC_MESSAGES, "C.utf8") &&
            !setlocale(LC_MESSAGES, "en_US.UTF-8"))
            return -1;
    }
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "C.utf8");
    if (!bindtextdomain(DOMAIN, localedir) || !bind_textdomain_codeset(DOMAIN, "UTF-8") ||
        !textdomain(DOMAIN))
        return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/ur/LC_MESSAGES/" DOMAIN ".mo", localedir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fclose(f);
    return i18n_set_lang(I18N_UR);
}

int i18n_set_lang(enum i18n_lang lang)
{
    if ((int)lang < 0 || lang >= I18N_COUNT)
        return -1;
    if (setenv("LANGUAGE", tags[lang], 1))
        return -1;
    /* Re-selecting the domain drops gettext's cache of translations. */
    textdomain(DOMAIN);
    current = lang;
    return 0;
}

enum i18n_lang i18n_lang(void) { return current; }

const char *i18n_tag(enum i18n_lang lang)
{
    return (int)lang >= 0 && lang < I18N_COUNT ? tags[lang] : "ur";
}

bool i18n_rtl(enum i18n_lang lang) { return lang == I18N_UR; }

const char *i18n_native_name(enum i18n_lang lang)
{
    return (int)lang >= 0 && lang < I18N_COUNT ? names[lang] : names[0];
}

int i18n_parse(const char *tag)
{
    if (!tag)
        return -1;
    for (int i = 0; i < I18N_COUNT; i++) {
        size_t n = strlen(tags[i]);
        if (!strncmp(tag, tags[i], n) && (tag[n] == '\0' || tag[n] == '_' || tag[n] == '-' ||
                                          tag[n] == '.'))
            return i;
    }
    return -1;
}
