/* kiosk_env — what the kiosk-side programs open before they work: the
 * configuration (config.h: main file, site file, the data partition's
 * override, command-line values), the data directory, the helpline's keys,
 * the queue and the kiosk's key. The `hifazat` commands that work on a
 * kiosk and the kiosk app (hifazat-kiosk) open it the same way here.
 *
 * Reports are sealed to the helpline key: with KIOSK_ENV_PIN it is checked
 * against the one the data partition remembers (keys_helpline_pin_check).
 * A different one is refused, accepted (remembered from now on) or noted
 * for staff to confirm, as kiosk_env_options.on_changed_key says.
 *
 * Usage:
 *   1. struct kiosk_env_options o = {.config = path, .data_dir = dir, ...};
 *      (NULL: the files decide; config NULL: CONFIG_DEFAULT_PATH).
 *   2. kiosk_env_open(&env, &o, need, &fail, err, errlen) with the
 *      KIOSK_ENV_* flags of what is needed. On -1, fail says which kind of
 *      failure (a configuration error, or something that could not be
 *      opened) and err why; env is still set (NULL only when memory ran
 *      out) and holds what was opened so far (the configuration as far as
 *      it was read), so a caller may read settings from it.
 *   3. Optionally kiosk_env_add(env, more, &fail, err, errlen): opens more
 *      on an open env (the app checks its own settings in between).
 *   4. kiosk_env_config(), _data_dir(), _queue(), _kiosk_key(),
 *      _helpline_pk(), _signing_pk(); kiosk_env_helpline_changed() when the
 *      key is noted, kiosk_env_helpline_accept() when staff confirm it.
 *   5. kiosk_env_close(env) (accepts NULL).
 */
#ifndef HIFAZAT_KIOSK_ENV_H
#define HIFAZAT_KIOSK_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "keys.h"
#include "queue.h"

struct kiosk_env;

/* What kiosk_env_open() must open (each implies the configuration). */
enum {
    KIOSK_ENV_DATA_DIR = 1,       /* data_dir must be set */
    KIOSK_ENV_HELPLINE = 2,       /* the helpline's key must be set (it is read anyway when set) */
    KIOSK_ENV_SIGNING = 4,        /* the helpline's receipt-signing key must be set */
    KIOSK_ENV_WANT_SIGNING = 8,   /* read it when it is set */
    KIOSK_ENV_QUEUE = 16,         /* the queue (makes the data directory) */
    KIOSK_ENV_PIN = 32,           /* check the helpline key against the remembered one */
    KIOSK_ENV_KEY = 64,           /* the kiosk's signing key (made when missing) */
};

/* A helpline key other than the remembered one (KIOSK_ENV_PIN). */
enum kiosk_env_changed_key {
    KIOSK_ENV_KEY_REFUSE, /* fail (KIOSK_ENV_FAIL_KEY_CHANGED) */
    KIOSK_ENV_KEY_ACCEPT, /* remember the new one */
    KIOSK_ENV_KEY_NOTE,   /* go on; kiosk_env_helpline_changed() says so */
};

struct kiosk_env_options {
    const char *config;           /* NULL: CONFIG_DEFAULT_PATH */
    bool config_required;         /* a missing main file is an error */
    bool config_optional;         /* a missing or bad configuration is an empty one (demo mode) */
    const char *data_dir, *helpline_key, *signing_key; /* command line; NULL: from the files */
    enum kiosk_env_changed_key on_changed_key;
};

enum kiosk_env_fail {
    KIOSK_ENV_OK = 0,
    KIOSK_ENV_FAIL_CONFIG,      /* the configuration is missing or wrong (a usage error) */
    KIOSK_ENV_FAIL_OPEN,        /* the queue or a key could not be opened, or no memory */
    KIOSK_ENV_FAIL_KEY_CHANGED, /* KIOSK_ENV_KEY_REFUSE and the helpline key changed */
};

int kiosk_env_open(struct kiosk_env **env, const struct kiosk_env_options *o, unsigned need,
                   enum kiosk_env_fail *fail, char *err, size_t errlen);
int kiosk_env_add(struct kiosk_env *env, unsigned need, enum kiosk_env_fail *fail, char *err,
                  size_t errlen);
void kiosk_env_close(struct kiosk_env *env);

struct config *kiosk_env_config(const struct kiosk_env *env);
/* NULL when not set (or not opened yet). */
const char *kiosk_env_data_dir(const struct kiosk_env *env);
struct queue *kiosk_env_queue(const struct kiosk_env *env);
struct keys_kiosk *kiosk_env_kiosk_key(const struct kiosk_env *env);
/* NULL when the key was not read (not set and not needed). */
const uint8_t *kiosk_env_helpline_pk(const struct kiosk_env *env);
const uint8_t *kiosk_env_signing_pk(const struct kiosk_env *env);

/* KIOSK_ENV_KEY_NOTE found another helpline key: the keys module's reason,
 * and was = the remembered key's fingerprint ("" when its record is
 * damaged); NULL when the key did not change. */
const char *kiosk_env_helpline_changed(const struct kiosk_env *env,
                                       char was[KEYS_FINGERPRINT_SIZE]);
/* Staff confirmed the new key: remember it. 0 / -1. */
int kiosk_env_helpline_accept(struct kiosk_env *env, char *err, size_t errlen);

#endif
