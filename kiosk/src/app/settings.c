/* What staff can change on the staff screen and [kiosk] sets: read from the
 * configuration in one place (at start and on the config error screen's Try
 * again) and written to the data partition's override in one place. */
#include "settings.h"

#include "config.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool cfg_bool(const struct config *cfg, const char *key, bool def)
{
    const char *v = config_get(cfg, "kiosk", key);
    if (!v)
        return def;
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcmp(v, "1"))
        return true;
    if (!strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcmp(v, "0"))
        return false;
    return def;
}

void settings_load(struct kiosk_settings *s, const struct config *cfg)
{
    /* Spoken guidance: on unless the kiosk says off. */
    *s = (struct kiosk_settings){.language = I18N_UR, .narration = true};
    /* Numbers: their defaults are config.c's (also with no configuration). */
    s->idle_minutes = (int)config_get_int(cfg, "kiosk", "idle_timeout_minutes");
    long v = config_get_int(cfg, "kiosk", "volume");
    s->volume = v < 0 ? 0 : v > 100 ? 100 : (int)v;
    if (!cfg)
        return;
    const char *l = config_get(cfg, "kiosk", "language");
    if (l && i18n_parse(l) >= 0)
        s->language = (enum i18n_lang)i18n_parse(l);
    s->narration = cfg_bool(cfg, "narration", true);
    s->narration_english = cfg_bool(cfg, "narration_english", false);
    s->large_text = cfg_bool(cfg, "large_text", false);
}

int settings_save(struct config *cfg, const struct kiosk_settings *s, unsigned what)
{
    char v[16];
    if (what & SETTINGS_LANGUAGE &&
        config_save_override(cfg, "kiosk", "language", i18n_tag(s->language)) != 0)
        return -1;
    snprintf(v, sizeof v, "%d", s->idle_minutes);
    if (what & SETTINGS_IDLE && config_save_override(cfg, "kiosk", "idle_timeout_minutes", v) != 0)
        return -1;
    if (what & SETTINGS_NARRATION &&
        config_save_override(cfg, "kiosk", "narration", s->narration ? "yes" : "no") != 0)
        return -1;
    if (what & SETTINGS_LARGE_TEXT &&
        config_save_override(cfg, "kiosk", "large_text", s->large_text ? "yes" : "no") != 0)
        return -1;
    if (what & SETTINGS_NARRATION_ENGLISH &&
        config_save_override(cfg, "kiosk", "narration_english",
                             s->narration_english ? "yes" : "no") != 0)
        return -1;
    snprintf(v, sizeof v, "%d", s->volume);
    if (what & SETTINGS_VOLUME && config_save_override(cfg, "kiosk", "volume", v) != 0)
        return -1;
    return 0;
}
