/* The kiosk's configuration in the app: one INI file plus the data
 * partition's override (config.h). Real mode needs all of it (the queue,
 * the kiosk's key, the helpline's key, the referral numbers) or shows a
 * staff-facing error screen; demo mode never opens the queue or the keys
 * and works without any configuration (the referral numbers then come from
 * the shipped example configuration: numbers live in config files, never in
 * code). */
#include "app_internal.h"
#include "errfmt.h"

#include <sodium.h>
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
    queue_close(a->queue);
    keys_kiosk_close(a->kiosk_key);
    config_destroy(a->cfg);
    free(a->data_dir);
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

int app_config_load(struct app *a)
{
    app_config_free(a);
    a->config_err[0] = '\0';
    bool demo = a->default_demo;
    const char *path = a->opt.config ? a->opt.config : CONFIG_DEFAULT_PATH;
    struct config *cfg = config_create();
    if (!cfg)
        return errfmt(a->config_err, sizeof a->config_err, "out of memory");
    /* Real mode cannot work without its file; demo mode uses it if it is
     * there and fine, and ignores it otherwise. */
    int rc = config_load(cfg, path, !demo);
    if (rc == 0 && a->opt.data_dir)
        rc = config_set(cfg, "kiosk", "data_dir", a->opt.data_dir);
    if (rc == 0)
        rc = config_load_override(cfg);
    if (rc != 0) {
        if (!demo) {
            errfmt(a->config_err, sizeof a->config_err, "%s", config_error(cfg));
            a->cfg = cfg;
            return -1;
        }
        config_destroy(cfg);
        cfg = config_create();
        if (!cfg)
            return errfmt(a->config_err, sizeof a->config_err, "out of memory");
    }
    a->cfg = cfg;
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
    a->data_dir = config_path(cfg, "kiosk", "data_dir");
    if (!a->data_dir)
        return errfmt(a->config_err, sizeof a->config_err,
                      "no data directory: set data_dir in [kiosk] of %s (or give --data-dir)", path);
    staff_pin_restore(a);
    if (config_helpline_key(cfg, a->helpline_pk) != 0)
        return errfmt(a->config_err, sizeof a->config_err, "%s", config_error(cfg));
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
    enum queue_err qe;
    char msg[400];
    a->queue = queue_open(a->data_dir, (int)config_get_int(cfg, "queue", "retention_days"), &qe,
                          msg, sizeof msg);
    if (!a->queue)
        return errfmt(a->config_err, sizeof a->config_err, "cannot open the queue in %s: %s",
                      a->data_dir, msg);
    char kerr[KEYS_ERR_SIZE];
    uint8_t secret[32];
    int have_secret = config_kiosk_key_secret(cfg, secret);
    a->kiosk_key = keys_kiosk_open_secret(a->data_dir, true, have_secret ? secret : NULL, kerr,
                                          sizeof kerr);
    sodium_memzero(secret, sizeof secret);
    if (!a->kiosk_key)
        return errfmt(a->config_err, sizeof a->config_err, "%s", kerr);
    snprintf(a->kiosk_id, sizeof a->kiosk_id, "%s",
             config_kiosk_id(cfg, keys_kiosk_public(a->kiosk_key)));
    keys_fingerprint(keys_kiosk_public(a->kiosk_key), KEYS_ROLE_KIOSK, a->kiosk_fpr);
    /* Last: the queue and the keys stay open for the staff screen (export,
     * upload of reports sealed before), but no person's report is taken. */
    uint8_t pinned[KEYS_PUBLIC_SIZE];
    int pc = keys_helpline_pin_check(a->data_dir, a->helpline_pk, pinned, kerr, sizeof kerr);
    if (pc < 0)
        return errfmt(a->config_err, sizeof a->config_err, "%s", kerr);
    if (pc == KEYS_PIN_CHANGED) {
        a->helpline_changed = true;
        if (!sodium_is_zero(pinned, sizeof pinned))
            keys_fingerprint(pinned, KEYS_ROLE_HELPLINE, a->pinned_fpr);
        snprintf(a->config_err, sizeof a->config_err,
                 "This kiosk's helpline key changed: %s. Reports would be sealed to a key this "
                 "kiosk was not set up with. Was %s, now %s. If the helpline really changed its "
                 "key, staff confirm the new one with the staff PIN; otherwise re-provision the "
                 "stick.",
                 kerr, a->pinned_fpr[0] ? a->pinned_fpr : "unknown", a->helpline_fpr);
        return -1;
    }
    return 0;
}

int app_helpline_confirm(struct app *a)
{
    if (!a->helpline_changed || !a->data_dir)
        return -1;
    char err[KEYS_ERR_SIZE];
    if (keys_helpline_pin_set(a->data_dir, a->helpline_pk, err, sizeof err) != 0) {
        snprintf(a->config_err, sizeof a->config_err, "%s", err);
        return -1;
    }
    SDL_Log("staff confirmed a new helpline key: %s", a->helpline_fpr);
    return app_config_load(a);
}
