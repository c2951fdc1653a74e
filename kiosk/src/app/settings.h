/* The app's settings: what staff can change on the staff screen and
 * [kiosk] sets (settings.c). Shared by the app's files (app_internal.h) and
 * narration.c, which reads them without knowing struct app.
 *
 * Usage:
 *   1. settings_load(&s, cfg) after the configuration is loaded (again
 *      after it is loaded again).
 *   2. Read the fields; a staff change: settings_save(cfg, &changed, what)
 *      with the SETTINGS_* bits of what changed, then take the new values.
 */
#ifndef HIFAZAT_APP_SETTINGS_H
#define HIFAZAT_APP_SETTINGS_H

#include "config.h"
#include "i18n.h"

#include <stdbool.h>

/* What staff can change on the staff screen and [kiosk] sets (settings.c):
 * one load, one save. The app's copy is a->settings; the command line
 * (--lang, --idle-timeout) wins over it for the language and idle time. */
struct kiosk_settings {
    enum i18n_lang language;        /* [kiosk] language: each session starts in it */
    int idle_minutes;               /* [kiosk] idle_timeout_minutes (0: never) */
    bool narration;                 /* [kiosk] narration: on at a session's start (default on) */
    bool narration_english;         /* staff: English narration for trainers */
    bool large_text;                /* staff: larger text */
    int volume;                     /* [kiosk] volume, 0..100 */
};
/* settings_save()'s `what`: the settings to write. */
enum {
    SETTINGS_LANGUAGE = 1,
    SETTINGS_IDLE = 2,
    SETTINGS_NARRATION = 4,
    SETTINGS_NARRATION_ENGLISH = 8,
    SETTINGS_LARGE_TEXT = 16,
    SETTINGS_VOLUME = 32,
};
/* From the configuration (NULL: the defaults). */
void settings_load(struct kiosk_settings *s, const struct config *cfg);
/* Writes the settings `what` names to the data partition's override
 * (config_save_override); 0 / -1 (config_error says why). */
int settings_save(struct config *cfg, const struct kiosk_settings *s, unsigned what);

#endif
