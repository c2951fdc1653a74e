#include "kiosk_env.h"

#include "errfmt.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct kiosk_env {
    struct kiosk_env_options opt;
    struct config *cfg;
    char *data_dir;
    struct queue *queue;
    struct keys_kiosk *key;
    uint8_t helpline_pk[KEYS_PUBLIC_SIZE];
    bool have_helpline;
    uint8_t signing_pk[KEYS_PUBLIC_SIZE];
    bool have_signing;
    /* KIOSK_ENV_KEY_NOTE: the helpline key differs from the remembered one */
    bool changed;
    uint8_t pinned[KEYS_PUBLIC_SIZE];
    char changed_why[KEYS_ERR_SIZE];
};

static const char *path_of(const struct kiosk_env *env)
{
    return env->opt.config ? env->opt.config : CONFIG_DEFAULT_PATH;
}

void kiosk_env_close(struct kiosk_env *env)
{
    if (!env)
        return;
    queue_close(env->queue);
    keys_kiosk_close(env->key);
    config_destroy(env->cfg);
    free(env->data_dir);
    sodium_memzero(env, sizeof *env);
    free(env);
}

static int fail_as(enum kiosk_env_fail *fail, enum kiosk_env_fail kind)
{
    if (fail)
        *fail = kind;
    return -1;
}

/* The files and command-line values; a demo kiosk takes an empty
 * configuration for one it cannot read. */
static int load_config(struct kiosk_env *env, enum kiosk_env_fail *fail, char *err, size_t errlen)
{
    const struct kiosk_env_options *o = &env->opt;
    struct config *cfg = env->cfg;
    if (config_load(cfg, path_of(env), o->config_required) == 0 &&
        (!o->data_dir || config_set(cfg, "kiosk", "data_dir", o->data_dir) == 0) &&
        (!o->helpline_key || config_set(cfg, "kiosk", "helpline_key", o->helpline_key) == 0) &&
        (!o->signing_key ||
         config_set(cfg, "kiosk", "helpline_signing_key", o->signing_key) == 0) &&
        config_load_override(cfg) == 0)
        return 0;
    if (!o->config_optional) {
        errfmt(err, errlen, "%s", config_error(cfg));
        return fail_as(fail, KIOSK_ENV_FAIL_CONFIG);
    }
    config_destroy(cfg);
    env->cfg = config_create();
    if (!env->cfg) {
        errfmt(err, errlen, "out of memory");
        return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
    }
    return 0;
}

int kiosk_env_add(struct kiosk_env *env, unsigned need, enum kiosk_env_fail *fail, char *err,
                  size_t errlen)
{
    if (fail)
        *fail = KIOSK_ENV_OK;
    if (err && errlen)
        err[0] = '\0';
    if (!env)
        return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
    struct config *cfg = env->cfg;
    if ((need & ~(unsigned)KIOSK_ENV_WANT_SIGNING) && !env->data_dir) {
        env->data_dir = config_path(cfg, "kiosk", "data_dir");
        if (!env->data_dir) {
            errfmt(err, errlen,
                   "no data directory: give --data-dir DIR or set data_dir in [kiosk] of %s",
                   path_of(env));
            return fail_as(fail, KIOSK_ENV_FAIL_CONFIG);
        }
    }
    if (!env->have_helpline &&
        ((need & (KIOSK_ENV_HELPLINE | KIOSK_ENV_PIN)) || env->opt.helpline_key ||
         config_get(cfg, "kiosk", "helpline_key") ||
         config_get(cfg, "kiosk", "helpline_public_key"))) {
        if (config_helpline_key(cfg, env->helpline_pk) != 0) {
            errfmt(err, errlen, "%s", config_error(cfg));
            return fail_as(fail, KIOSK_ENV_FAIL_CONFIG);
        }
        env->have_helpline = true;
    }
    if ((need & (KIOSK_ENV_SIGNING | KIOSK_ENV_WANT_SIGNING)) && !env->have_signing) {
        int sk = config_helpline_signing_key(cfg, env->signing_pk);
        if (sk < 0) {
            errfmt(err, errlen, "%s", config_error(cfg));
            return fail_as(fail, KIOSK_ENV_FAIL_CONFIG);
        }
        if (sk == 0 && (need & KIOSK_ENV_SIGNING)) {
            errfmt(err, errlen,
                   "no helpline signing key: set [kiosk] helpline_signing_key in kiosk.conf, "
                   "or give --helpline-signing-key FILE (helpline-sign.pub from `hifazat "
                   "keygen`)");
            return fail_as(fail, KIOSK_ENV_FAIL_CONFIG);
        }
        env->have_signing = sk == 1;
    }
    if ((need & KIOSK_ENV_QUEUE) && !env->queue) {
        enum queue_err qe;
        char msg[300];
        env->queue = queue_open(env->data_dir, (int)config_get_int(cfg, "queue", "retention_days"),
                                &qe, msg, sizeof msg);
        if (!env->queue) {
            errfmt(err, errlen, "cannot open the queue in %s: %s", env->data_dir, msg);
            return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
        }
    }
    if (need & KIOSK_ENV_PIN) {
        /* After the queue: it makes the data directory. Reports are sealed
         * to this key: it must be the one this kiosk was set up with, or
         * one a person confirmed. */
        char kerr[KEYS_ERR_SIZE];
        env->changed = false;
        int pc = keys_helpline_pin_check(env->data_dir, env->helpline_pk, env->pinned, kerr,
                                         sizeof kerr);
        if (pc < 0) {
            errfmt(err, errlen, "%s", kerr);
            return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
        }
        if (pc == KEYS_PIN_CHANGED) {
            char was[KEYS_FINGERPRINT_SIZE] = "unknown", now[KEYS_FINGERPRINT_SIZE];
            switch (env->opt.on_changed_key) {
            case KIOSK_ENV_KEY_REFUSE:
                if (!sodium_is_zero(env->pinned, sizeof env->pinned))
                    keys_fingerprint(env->pinned, KEYS_ROLE_HELPLINE, was);
                keys_fingerprint(env->helpline_pk, KEYS_ROLE_HELPLINE, now);
                errfmt(err, errlen,
                       "%s: this data partition was set up with helpline key %s, the "
                       "configuration now gives %s. Nothing was sealed.",
                       kerr, was, now);
                return fail_as(fail, KIOSK_ENV_FAIL_KEY_CHANGED);
            case KIOSK_ENV_KEY_ACCEPT:
                if (keys_helpline_pin_set(env->data_dir, env->helpline_pk, kerr, sizeof kerr)) {
                    errfmt(err, errlen, "%s", kerr);
                    return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
                }
                break;
            case KIOSK_ENV_KEY_NOTE:
                env->changed = true;
                snprintf(env->changed_why, sizeof env->changed_why, "%s", kerr);
                break;
            }
        }
    }
    if ((need & KIOSK_ENV_KEY) && !env->key) {
        char kerr[KEYS_ERR_SIZE];
        uint8_t secret[32];
        int have_secret = config_kiosk_key_secret(cfg, secret);
        env->key = keys_kiosk_open_secret(env->data_dir, true, have_secret ? secret : NULL, kerr,
                                          sizeof kerr);
        sodium_memzero(secret, sizeof secret);
        if (!env->key) {
            errfmt(err, errlen, "%s", kerr);
            return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
        }
    }
    return 0;
}

int kiosk_env_open(struct kiosk_env **envp, const struct kiosk_env_options *o, unsigned need,
                   enum kiosk_env_fail *fail, char *err, size_t errlen)
{
    *envp = NULL;
    if (fail)
        *fail = KIOSK_ENV_OK;
    if (err && errlen)
        err[0] = '\0';
    struct kiosk_env *env = calloc(1, sizeof *env);
    if (env) {
        env->opt = *o;
        env->cfg = config_create();
    }
    if (!env || !env->cfg) {
        kiosk_env_close(env);
        errfmt(err, errlen, "out of memory");
        return fail_as(fail, KIOSK_ENV_FAIL_OPEN);
    }
    *envp = env;
    if (load_config(env, fail, err, errlen) != 0)
        return -1;
    return need ? kiosk_env_add(env, need, fail, err, errlen) : 0;
}

struct config *kiosk_env_config(const struct kiosk_env *env) { return env ? env->cfg : NULL; }
const char *kiosk_env_data_dir(const struct kiosk_env *env) { return env ? env->data_dir : NULL; }
struct queue *kiosk_env_queue(const struct kiosk_env *env) { return env ? env->queue : NULL; }
struct keys_kiosk *kiosk_env_kiosk_key(const struct kiosk_env *env) { return env ? env->key : NULL; }

const uint8_t *kiosk_env_helpline_pk(const struct kiosk_env *env)
{
    return env && env->have_helpline ? env->helpline_pk : NULL;
}

const uint8_t *kiosk_env_signing_pk(const struct kiosk_env *env)
{
    return env && env->have_signing ? env->signing_pk : NULL;
}

const char *kiosk_env_helpline_changed(const struct kiosk_env *env,
                                       char was[KEYS_FINGERPRINT_SIZE])
{
    was[0] = '\0';
    if (!env || !env->changed)
        return NULL;
    if (!sodium_is_zero(env->pinned, sizeof env->pinned))
        keys_fingerprint(env->pinned, KEYS_ROLE_HELPLINE, was);
    return env->changed_why;
}

int kiosk_env_helpline_accept(struct kiosk_env *env, char *err, size_t errlen)
{
    if (!env || !env->changed || !env->data_dir)
        return errfmt(err, errlen, "the helpline key did not change");
    char kerr[KEYS_ERR_SIZE];
    if (keys_helpline_pin_set(env->data_dir, env->helpline_pk, kerr, sizeof kerr) != 0)
        return errfmt(err, errlen, "%s", kerr);
    env->changed = false;
    return 0;
}
