#include "kiosk_opts.h"

#include "cli.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int kiosk_opt(struct kiosk_opts *o, int c, const char *arg)
{
    switch (c) {
    case OPT_CONFIG: o->config = arg; return 1;
    case OPT_DATA_DIR: o->data_dir = arg; return 1;
    case OPT_HELPLINE_KEY: o->helpline_key = arg; return 1;
    case OPT_ACCEPT_NEW_KEY: o->accept_new_key = true; return 1;
    case OPT_SIGNING_KEY: o->signing_key = arg; return 1;
    default: return 0;
    }
}

void kiosk_env_close(struct kiosk_env *env)
{
    queue_close(env->queue);
    keys_kiosk_close(env->key);
    config_destroy(env->cfg);
    free(env->data_dir);
    memset(env, 0, sizeof(*env));
}

int kiosk_env_open(struct kiosk_env *env, const struct kiosk_opts *o, unsigned need)
{
    memset(env, 0, sizeof(*env));
    env->cfg = config_create();
    if (!env->cfg) {
        cli_error("out of memory");
        return CLI_SOME_FAILED;
    }
    if (config_load(env->cfg, o->config ? o->config : CONFIG_DEFAULT_PATH, o->config != NULL) != 0 ||
        (o->data_dir && config_set(env->cfg, "kiosk", "data_dir", o->data_dir) != 0) ||
        (o->helpline_key && config_set(env->cfg, "kiosk", "helpline_key", o->helpline_key) != 0) ||
        (o->signing_key &&
         config_set(env->cfg, "kiosk", "helpline_signing_key", o->signing_key) != 0) ||
        config_load_override(env->cfg) != 0)
        goto config_error;
    env->data_dir = config_path(env->cfg, "kiosk", "data_dir");
    if (!env->data_dir) {
        cli_error("no data directory: give --data-dir DIR or set data_dir in [kiosk] of %s",
                  o->config ? o->config : CONFIG_DEFAULT_PATH);
        goto usage;
    }
    if ((need & KIOSK_NEED_HELPLINE) || o->helpline_key ||
        config_get(env->cfg, "kiosk", "helpline_key") ||
        config_get(env->cfg, "kiosk", "helpline_public_key")) {
        if (config_helpline_key(env->cfg, env->helpline_pk) != 0)
            goto config_error;
        env->have_helpline = true;
    }
    if (need & (KIOSK_NEED_SIGNING | KIOSK_WANT_SIGNING)) {
        int sk = config_helpline_signing_key(env->cfg, env->signing_pk);
        if (sk < 0)
            goto config_error;
        if (sk == 0 && (need & KIOSK_NEED_SIGNING)) {
            cli_error("no helpline signing key: set [kiosk] helpline_signing_key in kiosk.conf, "
                      "or give --helpline-signing-key FILE (helpline-sign.pub from `hifazat "
                      "keygen`)");
            goto usage;
        }
        env->have_signing = sk == 1;
    }
    if (need & KIOSK_NEED_QUEUE) {
        enum queue_err qe;
        char msg[300];
        env->queue = queue_open(env->data_dir,
                                (int)config_get_int(env->cfg, "queue", "retention_days"), &qe,
                                msg, sizeof(msg));
        if (!env->queue) {
            cli_error("cannot open the queue in %s: %s", env->data_dir, msg);
            kiosk_env_close(env);
            return CLI_SOME_FAILED;
        }
    }
    if (need & KIOSK_NEED_HELPLINE) {
        /* (after the queue: it makes the data directory) Reports are sealed to this key: it must be the one this kiosk was
         * set up with, or one a person confirmed. */
        uint8_t pinned[KEYS_PUBLIC_SIZE];
        char err[KEYS_ERR_SIZE], was[KEYS_FINGERPRINT_SIZE] = "unknown", now[KEYS_FINGERPRINT_SIZE];
        int pc = keys_helpline_pin_check(env->data_dir, env->helpline_pk, pinned, err, sizeof err);
        if (pc < 0) {
            cli_error("%s", err);
            kiosk_env_close(env);
            return CLI_SOME_FAILED;
        }
        if (pc == KEYS_PIN_CHANGED && !o->accept_new_key) {
            if (!sodium_is_zero(pinned, sizeof pinned))
                keys_fingerprint(pinned, KEYS_ROLE_HELPLINE, was);
            keys_fingerprint(env->helpline_pk, KEYS_ROLE_HELPLINE, now);
            cli_error("%s: this data partition was set up with helpline key %s, the "
                      "configuration now gives %s. Nothing was sealed. If the helpline really "
                      "changed its key, check the new fingerprint with them and run again with "
                      "--accept-new-helpline-key",
                      err, was, now);
            kiosk_env_close(env);
            return CLI_SOME_FAILED;
        }
        if (pc == KEYS_PIN_CHANGED && keys_helpline_pin_set(env->data_dir, env->helpline_pk, err,
                                                            sizeof err) != 0) {
            cli_error("%s", err);
            kiosk_env_close(env);
            return CLI_SOME_FAILED;
        }
    }
    if (need & KIOSK_NEED_KEY) {
        char err[KEYS_ERR_SIZE];
        uint8_t secret[32];
        int have_secret = config_kiosk_key_secret(env->cfg, secret);
        env->key = keys_kiosk_open_secret(env->data_dir, true, have_secret ? secret : NULL, err,
                                          sizeof(err));
        sodium_memzero(secret, sizeof secret);
        if (!env->key) {
            cli_error("%s", err);
            kiosk_env_close(env);
            return CLI_SOME_FAILED;
        }
    }
    return CLI_OK;
config_error:
    cli_error("%s", config_error(env->cfg));
usage:
    kiosk_env_close(env);
    return CLI_USAGE;
}
