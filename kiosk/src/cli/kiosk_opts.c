#include "kiosk_opts.h"

#include "cli.h"

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

int kiosk_opts_open(struct kiosk_env **envp, const struct kiosk_opts *o, unsigned need)
{
    *envp = NULL;
    struct kiosk_env_options eo = {
        .config = o->config,
        .config_required = o->config != NULL,
        .data_dir = o->data_dir,
        .helpline_key = o->helpline_key,
        .signing_key = o->signing_key,
        .on_changed_key = o->accept_new_key ? KIOSK_ENV_KEY_ACCEPT : KIOSK_ENV_KEY_REFUSE,
    };
    unsigned en = KIOSK_ENV_DATA_DIR;
    if (need & KIOSK_NEED_QUEUE)
        en |= KIOSK_ENV_QUEUE;
    if (need & KIOSK_NEED_KEY)
        en |= KIOSK_ENV_KEY;
    /* Reports are sealed to the helpline key: the one this data partition
     * was set up with, or one given with --accept-new-helpline-key. */
    if (need & KIOSK_NEED_HELPLINE)
        en |= KIOSK_ENV_HELPLINE | KIOSK_ENV_PIN;
    if (need & KIOSK_NEED_SIGNING)
        en |= KIOSK_ENV_SIGNING;
    if (need & KIOSK_WANT_SIGNING)
        en |= KIOSK_ENV_WANT_SIGNING;
    struct kiosk_env *env;
    enum kiosk_env_fail fail;
    char err[1024];
    if (kiosk_env_open(&env, &eo, en, &fail, err, sizeof err) == 0) {
        *envp = env;
        return CLI_OK;
    }
    kiosk_env_close(env);
    switch (fail) {
    case KIOSK_ENV_FAIL_KEY_CHANGED:
        cli_error("%s If the helpline really changed its key, check the new fingerprint with "
                  "them and run again with --accept-new-helpline-key",
                  err);
        return CLI_SOME_FAILED;
    case KIOSK_ENV_FAIL_CONFIG:
        cli_error("%s", err);
        return CLI_USAGE;
    default:
        cli_error("%s", err);
        return CLI_SOME_FAILED;
    }
}
