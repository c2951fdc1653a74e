/* config — the kiosk's settings, read with inih, in layers (later wins):
 *   main file      /etc/hifazat/kiosk.conf (or --config FILE); read-only on
 *                  the image;
 *   site file      [kiosk] site_config of the main file (the image:
 *                  /run/hifazat/site.conf, root:hifazat 0640, copied from
 *                  the stick by the boot script; written by provision.sh):
 *                  where reports go and whom people call;
 *   override       <data_dir>/kiosk.conf, written by the kiosk's staff
 *                  screen: preferences only (language, idle timeout,
 *                  narration, volume, large text);
 *   command line   config_set().
 * Each setting is a site setting, a preference or main-only (the table in
 * config.c); a site setting in the override is an error naming the file and
 * the setting. When the running user is not root, a main file that names a
 * site file, and that site file, must not be writable by (or owned by) it.
 *
 * Usage:
 *   1. cfg = config_create();
 *   2. config_load(cfg, path, required): the main file, then its site file
 *      when it names one; a missing main file is an error only when required
 *      (an explicit --config); a missing site file means "not provisioned"
 *      (config_helpline_key() fails saying so).
 *   3. config_set(cfg, "kiosk", "data_dir", dir) for command-line options;
 *      they win over both files whatever the order.
 *   4. config_load_override(cfg): reads <data_dir>/kiosk.conf when present.
 *   5. config_get(cfg, "kiosk", "id"), config_get_int(), config_path()
 *      (relative paths are taken from the directory of the file that set
 *      them), config_helpline_key().
 *   6. config_destroy(cfg) (accepts NULL).
 * Every setting is checked against a table (config.c): an unknown name or a
 * bad value is an error naming the file and the setting. On -1,
 * config_error(cfg) says why in English (for the staff screen and the CLI).
 */
#ifndef HIFAZAT_CONFIG_H
#define HIFAZAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH "/etc/hifazat/kiosk.conf"
#define CONFIG_OVERRIDE_NAME "kiosk.conf"

struct config;

struct config *config_create(void);
void config_destroy(struct config *cfg);

int config_load(struct config *cfg, const char *path, bool required);
int config_load_override(struct config *cfg);
/* A command-line value (relative paths are taken from the current directory). */
int config_set(struct config *cfg, const char *section, const char *key, const char *value);
/* Forgets a setting from every source (e.g. --helpline-key replaces an inline key). */
void config_unset(struct config *cfg, const char *section, const char *key);

/* NULL when not set. */
const char *config_get(const struct config *cfg, const char *section, const char *key);
/* The value (range-checked on load), or the setting's default from the
 * table in config.c when no layer sets it, also when cfg is NULL (0 for a
 * setting without one). */
long config_get_int(const struct config *cfg, const char *section, const char *key);
/* An absolute path (malloc'd) or NULL when not set. */
char *config_path(const struct config *cfg, const char *section, const char *key);

/* The helpline's public key: kiosk.helpline_public_key (base64) or the file
 * kiosk.helpline_key. 0 / -1 (config_error says why). */
int config_helpline_key(struct config *cfg, uint8_t pk[32]);
/* The helpline's receipt-signing key (Ed25519): kiosk.helpline_signing_public_key
 * (base64) or the file kiosk.helpline_signing_key. 1 set, 0 not set (receipts
 * cannot be checked), -1 invalid (config_error says why). */
int config_helpline_signing_key(struct config *cfg, uint8_t pk[32]);
/* kiosk.kiosk_key_secret (32 bytes; the site settings): 1 set (secret
 * filled; wipe it after use), 0 not set (secret zeroed). */
int config_kiosk_key_secret(const struct config *cfg, uint8_t secret[32]);
/* kiosk.id, or a name made from the kiosk key's fingerprint ("kiosk-ABCD-EFGH"). */
const char *config_kiosk_id(struct config *cfg, const uint8_t kiosk_pk[32]);

/* Calls fn for every setting of a section, each name once, in the order the
 * names first appear (main file, then override, then command line), with
 * the value that wins. For free-form sections such as [referrals]. */
void config_each(const struct config *cfg, const char *section,
                 void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

/* Staff changes (the kiosk's staff screen): checks the value, rewrites
 * <data_dir>/kiosk.conf durably with the setting changed or added (other
 * lines and comments kept) and applies it. 0 / -1 (config_error says why). */
int config_save_override(struct config *cfg, const char *section, const char *key,
                         const char *value);

/* The file that set the winning value (NULL: the command line, or not set). */
const char *config_source(const struct config *cfg, const char *section, const char *key);
/* Upload credentials ([upload] username, password, bearer_token) may only
 * come from files others cannot read: the file that set each one is mode
 * 0600, or 0640 with the running user's own group. 0 / -1 (config_error). */
int config_check_credentials(struct config *cfg);

const char *config_error(const struct config *cfg);

#endif
