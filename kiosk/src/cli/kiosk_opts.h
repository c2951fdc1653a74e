/* What every kiosk-side command shares: --config FILE, --data-dir DIR,
 * --helpline-key FILE and --accept-new-helpline-key on top of
 * /etc/hifazat/kiosk.conf, its site file and the override on the data
 * partition (config.h), opened by kiosk_env.h. Commands that seal reports (KIOSK_NEED_HELPLINE)
 * check the helpline key against the one the data partition remembers
 * (keys_helpline_pin_check) and refuse a different one unless
 * --accept-new-helpline-key is given, which then remembers the new one. */
#ifndef HIFAZAT_KIOSK_OPTS_H
#define HIFAZAT_KIOSK_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "config.h"
#include "kiosk_env.h"

enum { OPT_CONFIG = 0x1000, OPT_DATA_DIR, OPT_HELPLINE_KEY, OPT_ACCEPT_NEW_KEY, OPT_SIGNING_KEY };

#define KIOSK_LONGOPTS                                              \
    {"config", required_argument, NULL, OPT_CONFIG},                \
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},            \
    {"helpline-key", required_argument, NULL, OPT_HELPLINE_KEY},    \
    {"accept-new-helpline-key", no_argument, NULL, OPT_ACCEPT_NEW_KEY}, \
    {"helpline-signing-key", required_argument, NULL, OPT_SIGNING_KEY}

#define KIOSK_OPTS_HELP                                                              \
    "  --config FILE        kiosk configuration (default " CONFIG_DEFAULT_PATH ")\n"  \
    "  --data-dir DIR       the data partition: queue and kiosk signing key\n"        \
    "  --helpline-key FILE  the helpline's public key file\n"                         \
    "  --accept-new-helpline-key\n"                                                   \
    "                       seal to a helpline key other than the one this data\n"     \
    "                       partition was set up with, and remember it from now on\n"   \
    "  --helpline-signing-key FILE\n"                                                  \
    "                       the helpline's receipt-signing key (helpline-sign.pub)\n"

struct kiosk_opts {
    const char *config, *data_dir, *helpline_key, *signing_key;
    bool accept_new_key;
};

/* KIOSK_NEED_SIGNING: the helpline's receipt-signing key must be set;
 * KIOSK_WANT_SIGNING: read it when it is set (kiosk_env_signing_pk). */
enum { KIOSK_NEED_QUEUE = 1, KIOSK_NEED_KEY = 2, KIOSK_NEED_HELPLINE = 4, KIOSK_NEED_SIGNING = 8,
       KIOSK_WANT_SIGNING = 16 };

/* 1 when c was one of KIOSK_LONGOPTS (and was stored), else 0. */
int kiosk_opt(struct kiosk_opts *o, int c, const char *arg);
/* Loads the configuration and opens what `need` asks for (kiosk_env.h);
 * *env is set (close it with kiosk_env_close) only on CLI_OK. Returns CLI_OK
 * or the exit code to return (the error was printed). */
int kiosk_opts_open(struct kiosk_env **env, const struct kiosk_opts *o, unsigned need);

#endif
