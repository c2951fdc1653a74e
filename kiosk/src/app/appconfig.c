/* The kiosk's configuration in the app: one INI file plus the data
 * partition's override (config.h). Real mode needs all of it (the queue,
 * the kiosk's key, the helpline's key, the referral numbers) or shows a
 * staff-facing error screen; demo mode never opens the queue or the keys
 * and works without any configuration (the referral numbers then come from
 * the shipped example configuration: numbers live in config files, never in
 * code). */
#include "app_internal.h"
#include "errfmt.h"
#include "kiosk_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void referral_clear(struct referral *r)
{
    free(r->id);
    free(r->name);
    free(r->name_ur);
    free(r->phone);
    free(r->note);
    free(r->note_ur);
}

static void referrals_free(struct app *a)
{
    for (int i = 0; i < a->nreferrals; i++)
        referral_clear(&a->referrals[i]);
    free(a->referrals);
    a->referrals = NULL;
    a->nreferrals = 0;
}

void app_config_free(struct app *a)
{
    kiosk_env_close(a->env);
    a->env = NULL;
    referrals_free(a);
    for (int i = 0; i < 2; i++) {
        free(a->platforms[i]);
        a->platforms[i] = NULL;
    }
    a->queue = NULL;
    a->kiosk_key = NULL;
    a->cfg = NULL;
    a->data_dir = NULL;
    memset(a->helpline_pk, 0, sizeof a->helpline_pk);
    a->helpline_fpr[0] = a->kiosk_fpr[0] = a->kiosk_id[0] = '\0';
    a->helpline_changed = false;
    a->boot_problem = APP_BOOT_OK;
    a->pinned_fpr[0] = '\0';
}

/* [kiosk] boot_problem: the image's own-stick check leaves "twin" (another
 * stick has this one's identifiers) or "elsewhere" (the system came from
 * another stick) there, and mounts nothing. Nothing is taken then: the
 * error screen tells staff to unplug the other stick. */
static int boot_problem_check(struct app *a, struct config *cfg)
{
    char *path = config_path(cfg, "kiosk", "boot_problem");
    if (!path)
        return 0;
    char word[32] = "";
    FILE *f = fopen(path, "re");
    if (f) {
        if (!fgets(word, sizeof word, f))
            word[0] = '\0';
        fclose(f);
    }
    word[strcspn(word, "\r\n")] = '\0';
    int rc = 0;
    if (!strcmp(word, "twin")) {
        a->boot_problem = APP_BOOT_TWIN;
        rc = errfmt(a->config_err, sizeof a->config_err,
                    "another stick plugged in has this stick's identifiers (%s says twin): the data "
                    "partition was not mounted. Unplug the other Hifazat stick, then switch the "
                    "computer off and on.",
                    path);
    } else if (f) {
        a->boot_problem = APP_BOOT_ELSEWHERE;
        rc = errfmt(a->config_err, sizeof a->config_err,
                    "the system did not come from the stick that was started (%s says %s): the "
                    "data partition was not mounted. Unplug the other USB sticks, then switch the "
                    "computer off and on.",
                    path, word[0] ? word : "so");
    }
    free(path);
    return rc;
}

static struct referral *referral_get(struct app *a, const char *id, size_t idlen)
{
    for (int i = 0; i < a->nreferrals; i++)
        if (strlen(a->referrals[i].id) == idlen && !strncmp(a->referrals[i].id, id, idlen))
            return &a->referrals[i];
    struct referral *v = realloc(a->referrals, (size_t)(a->nreferrals + 1) * sizeof(*v));
    if (!v)
        return NULL;
    a->referrals = v;
    struct referral *r = &v[a->nreferrals];
    memset(r, 0, sizeof(*r));
    r->id = strndup(id, idlen);
    if (!r->id)
        return NULL;
    a->nreferrals++;
    return r;
}

/* [referrals] drf.name = ..., drf.phone = ...; a plain "name = number" works too. */
static void on_referral(void *ctx, const char *key, const char *value)
{
    struct app *a = ctx;
    const char *dot = strchr(key, '.');
    struct referral *r = referral_get(a, key, dot ? (size_t)(dot - key) : strlen(key));
    if (!r)
        return;
    char **field = NULL;
    const char *f = dot ? dot + 1 : "phone";
    if (!strcmp(f, "name"))
        field = &r->name;
    else if (!strcmp(f, "name_ur"))
        field = &r->name_ur;
    else if (!strcmp(f, "phone"))
        field = &r->phone;
    else if (!strcmp(f, "note"))
        field = &r->note;
    else if (!strcmp(f, "note_ur"))
        field = &r->note_ur;
    if (field) {
        free(*field);
        *field = strdup(value);
    }
    if (!dot && !r->name)
        r->name = strdup(key);
}

/* Entries without a name or a number are left out (a half-written edit). */
static void referrals_tidy(struct app *a)
{
    int o = 0;
    for (int i = 0; i < a->nreferrals; i++) {
        struct referral *r = &a->referrals[i];
        if ((r->name || r->name_ur) && r->phone)
            a->referrals[o++] = *r;
        else
            referral_clear(r);
    }
    a->nreferrals = o;
}

const char *referral_name(const struct referral *r)
{
    if (i18n_lang() == I18N_UR && r->name_ur)
        return r->name_ur;
    return r->name ? r->name : r->name_ur;
}

const char *referral_note(const struct referral *r)
{
    if (i18n_lang() == I18N_UR && r->note_ur)
        return r->note_ur;
    return r->note ? r->note : r->note_ur;
}

static void platforms_load(struct app *a, const struct config *cfg)
{
    static const char *const keys[2] = {"under18", "adult"}; /* enum report_route */
    for (int i = 0; i < 2; i++) {
        const char *v = config_get(cfg, "platforms", keys[i]);
        if (v && *v && !a->platforms[i])
            a->platforms[i] = strdup(v);
    }
}

const char *platforms_text(const struct app *a, enum report_route route, char *buf, size_t n)
{
    const char *v = (unsigned)route < 2 ? a->platforms[route] : NULL;
    if (!v || !n)
        return NULL;
    /* The names are Latin: with Latin commas they stay one left-to-right
     * run in an Urdu line (Urdu's comma would break it into pieces). */
    const char *sep = ", ";
    size_t o = 0;
    buf[0] = '\0';
    while (*v) {
        v += strspn(v, " \t,");
        size_t len = strcspn(v, ",");
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len) {
            int w = snprintf(buf + o, n - o, "%s%.*s", o ? sep : "", (int)len, v);
            if (w < 0 || (size_t)w >= n - o)
                break;
            o += (size_t)w;
        }
        v += strcspn(v, ",");
    }
    return o ? buf : NULL;
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* One step of opening the kiosk's environment (kiosk_env.h); the borrowed
 * pointers follow what it opened. */
static int env_add(struct app *a, unsigned need)
{
    int rc = kiosk_env_add(a->env, need, NULL, a->config_err, sizeof a->config_err);
    a->data_dir = kiosk_env_data_dir(a->env);
    a->queue = kiosk_env_queue(a->env);
    a->kiosk_key = kiosk_env_kiosk_key(a->env);
    return rc;
}

int app_config_load(struct app *a)
{
    app_config_free(a);
    a->config_err[0] = '\0';
    bool demo = a->default_demo;
    const char *path = a->opt.config ? a->opt.config : CONFIG_DEFAULT_PATH;
    /* Real mode cannot work without its file; demo mode uses it if it is
     * there and fine, and ignores it otherwise. */
    struct kiosk_env_options eo = {
        .config = path,
        .config_required = !demo,
        .config_optional = demo,
        .data_dir = a->opt.data_dir,
        /* staff confirm a changed helpline key (the config error screen) */
        .on_changed_key = KIOSK_ENV_KEY_NOTE,
    };
    int rc = kiosk_env_open(&a->env, &eo, 0, NULL, a->config_err, sizeof a->config_err);
    /* Even when it failed: the settings it read still count (app_create). */
    a->cfg = kiosk_env_config(a->env);
    if (rc != 0)
        return -1;
    struct config *cfg = a->cfg;
    config_each(cfg, "referrals", on_referral, a);
    referrals_tidy(a);
    platforms_load(a, cfg);
    if ((a->nreferrals == 0 || !a->platforms[0]) && demo) {
        char ex[1200];
        snprintf(ex, sizeof ex, "%s/../../kiosk.conf.example", a->demo_root);
        struct config *sample = config_create();
        if (sample && file_exists(ex) && config_load(sample, ex, true) == 0) {
            if (a->nreferrals == 0) {
                config_each(sample, "referrals", on_referral, a);
                referrals_tidy(a);
            }
            platforms_load(a, sample);
        }
        config_destroy(sample);
    }
    if (demo)
        return 0;

    if (boot_problem_check(a, cfg) != 0)
        return -1;
    if (env_add(a, KIOSK_ENV_DATA_DIR) != 0)
        return -1;
    staff_pin_restore(a);
    if (env_add(a, KIOSK_ENV_HELPLINE) != 0)
        return -1;
    memcpy(a->helpline_pk, kiosk_env_helpline_pk(a->env), sizeof a->helpline_pk);
    keys_fingerprint(a->helpline_pk, KEYS_ROLE_HELPLINE, a->helpline_fpr);
    if (a->nreferrals == 0)
        return errfmt(a->config_err, sizeof a->config_err,
                      "no referral numbers: [referrals] in %s must list the helplines "
                      "shown to people (see kiosk.conf.example)",
                      path);
    const char *pin = config_get(cfg, "staff", "pin_hash");
    if (pin && strncmp(pin, "$argon2id$", 10))
        return errfmt(a->config_err, sizeof a->config_err,
                      "[staff] pin_hash must be an argon2id hash made by 'hifazat staff-pin'");
    if (env_add(a, KIOSK_ENV_QUEUE | KIOSK_ENV_KEY) != 0)
        return -1;
    snprintf(a->kiosk_id, sizeof a->kiosk_id, "%s",
             config_kiosk_id(cfg, keys_kiosk_public(a->kiosk_key)));
    keys_fingerprint(keys_kiosk_public(a->kiosk_key), KEYS_ROLE_KIOSK, a->kiosk_fpr);
    /* Last: the queue and the keys stay open for the staff screen (export,
     * upload of reports sealed before), but no person's report is taken. */
    if (env_add(a, KIOSK_ENV_PIN) != 0)
        return -1;
    const char *why = kiosk_env_helpline_changed(a->env, a->pinned_fpr);
    if (why) {
        a->helpline_changed = true;
        snprintf(a->config_err, sizeof a->config_err,
                 "This kiosk's helpline key changed: %s. Reports would be sealed to a key this "
                 "kiosk was not set up with. Was %s, now %s. If the helpline really changed its "
                 "key, staff confirm the new one with the staff PIN; otherwise re-provision the "
                 "stick.",
                 why, a->pinned_fpr[0] ? a->pinned_fpr : "unknown", a->helpline_fpr);
        return -1;
    }
    return 0;
}

int app_helpline_confirm(struct app *a)
{
    if (!a->helpline_changed || !a->data_dir)
        return -1;
    if (kiosk_env_helpline_accept(a->env, a->config_err, sizeof a->config_err) != 0)
        return -1;
    SDL_Log("staff confirmed a new helpline key: %s", a->helpline_fpr);
    return app_config_load(a);
}
