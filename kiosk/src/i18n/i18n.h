/* i18n: every UI string goes through gettext (domain "hifazat"); Urdu is
 * the default, English the second language, switchable at run time.
 *
 * Usage:
 *  1. i18n_init(localedir) once, on the main thread, before any _(): binds
 *     the catalogs compiled from assets/po/ (localedir/<lang>/LC_MESSAGES/
 *     hifazat.mo) and selects Urdu.
 *  2. Mark strings with _("...") where they are shown and N_("...") where a
 *     table holds them; the po check test fails if one lacks a translation.
 *  3. i18n_set_lang(I18N_EN) switches every later _() call.
 * Runtime switching sets $LANGUAGE, so it must only run while no other
 * thread reads the environment (workers never do). */
#ifndef HIFAZAT_I18N_H
#define HIFAZAT_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
#define N_(s) (s)

enum i18n_lang { I18N_UR, I18N_EN, I18N_COUNT };

/* 0 / -1 (no UTF-8 locale for messages, or the Urdu catalog is missing). */
int i18n_init(const char *localedir);
int i18n_set_lang(enum i18n_lang lang);
enum i18n_lang i18n_lang(void);
/* "ur" / "en": also the language tag for shaping. */
const char *i18n_tag(enum i18n_lang lang);
bool i18n_rtl(enum i18n_lang lang);
/* The language's name in its own script, for the language switch. */
const char *i18n_native_name(enum i18n_lang lang);
/* Parses "ur"/"en" (also "ur_PK", "en-GB"); -1 if unknown. */
int i18n_parse(const char *tag);

#endif
