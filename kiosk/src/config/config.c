#include "config.h"

#include "durable.h"
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <sodium.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum vtype { V_TEXT, V_ID, V_PATH, V_INT, V_LANG, V_KEY64, V_URL, V_BOOL, V_SECRET32 };

/* Where a setting may come from. Site settings decide where reports go and
 * whom people call: an attacker who could change them (anyone with the
 * stick for a minute, or code running as the kiosk user) could read every
 * later report or send victims to their own "helpline". So they never come
 * from the override the kiosk itself writes on the data partition. */
enum scope {
    SC_PREF, /* a preference: main file, site file, override, command line */
    SC_SITE, /* main file, site file (provision.sh), command line */
    SC_MAIN, /* main file and command line only (where the other files are) */
};

/* Every setting any part of Hifazat reads. Add new ones here. A number's
 * default is here and nowhere else: config_get_int() returns it when no
 * layer sets the setting. */
static const struct setting {
    const char *section, *key; /* key NULL: any name in that section */
    enum vtype type;
    long min, max;
    enum scope scope;
    long def; /* V_INT only */
} settings[] = {
    {"kiosk", "id", V_ID, 0, 0, SC_SITE, 0},
    {"kiosk", "data_dir", V_PATH, 0, 0, SC_MAIN, 0},
    {"kiosk", "site_config", V_PATH, 0, 0, SC_MAIN, 0},
    {"kiosk", "helpline_key", V_PATH, 0, 0, SC_SITE, 0},
    {"kiosk", "helpline_public_key", V_KEY64, 0, 0, SC_SITE, 0},
    /* the helpline's receipt-signing key (Ed25519): receipts are checked with it */
    {"kiosk", "helpline_signing_key", V_PATH, 0, 0, SC_SITE, 0},
    {"kiosk", "helpline_signing_public_key", V_KEY64, 0, 0, SC_SITE, 0},
    {"kiosk", "kiosk_key_secret", V_SECRET32, 0, 0, SC_SITE, 0},
    {"kiosk", "language", V_LANG, 0, 0, SC_PREF, 0},
    {"kiosk", "media_root", V_PATH, 0, 0, SC_SITE, 0},
    /* a file the boot leaves when the system did not come from the stick
     * that was started (the image's own-stick check): main file only */
    {"kiosk", "boot_problem", V_PATH, 0, 0, SC_MAIN, 0},
    {"kiosk", "idle_timeout_minutes", V_INT, 1, 240, SC_PREF, 3},
    /* spoken guidance and larger text */
    {"kiosk", "narration", V_BOOL, 0, 0, SC_PREF, 0},
    {"kiosk", "narration_english", V_BOOL, 0, 0, SC_PREF, 0},
    {"kiosk", "large_text", V_BOOL, 0, 0, SC_PREF, 0},
    {"kiosk", "volume", V_INT, 0, 100, SC_PREF, 80},
    {"queue", "retention_days", V_INT, 0, 3650, SC_SITE, 90},
    {"queue", "max_per_archive", V_INT, 1, 100000, SC_SITE, 500},
    {"upload", "url", V_URL, 0, 0, SC_SITE, 0},
    {"upload", "ca_file", V_PATH, 0, 0, SC_SITE, 0},
    {"upload", "pin", V_TEXT, 0, 0, SC_SITE, 0},
    {"upload", "username", V_TEXT, 0, 0, SC_SITE, 0},
    {"upload", "password", V_TEXT, 0, 0, SC_SITE, 0},
    {"upload", "bearer_token", V_TEXT, 0, 0, SC_SITE, 0},
    /* "Upload now": "process" (libcurl here) or "unit" (the image's upload service) */
    {"upload", "via", V_TEXT, 0, 0, SC_MAIN, 0},
    /* Wi-Fi for staff's uploads: the interface wpa_supplicant serves (a
     * machine may name it wlp2s0) and its control sockets' directory (main
     * file only: passwords are sent to the socket found there) */
    {"wifi", "interface", V_ID, 0, 0, SC_SITE, 0},
    {"wifi", "control_dir", V_PATH, 0, 0, SC_MAIN, 0},
    {"staff", "pin_hash", V_TEXT, 0, 0, SC_SITE, 0},
    {"referrals", NULL, V_TEXT, 0, 0, SC_SITE, 0},
    /* the sites that check the codes, by route: "Facebook, Instagram, ..." */
    {"platforms", "adult", V_TEXT, 0, 0, SC_SITE, 0},
    {"platforms", "under18", V_TEXT, 0, 0, SC_SITE, 0},
};

enum { PRIO_MAIN, PRIO_SITE, PRIO_OVERRIDE, PRIO_CLI };

struct entry {
    char *section, *key, *value;
    char *base; /* directory relative paths are taken from */
    char *file; /* the file that set it (NULL: the command line) */
    int prio;
};

struct config {
    struct entry *e;
    size_t n, cap;
    char err[512];
    /* while parsing */
    const char *file;
    char *file_dir;
    int prio;
    char kiosk_id[64];
    char *site_missing; /* the configured site file, when it does not exist */
};

static int fail(struct config *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct config *cfg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->err, sizeof(cfg->err), fmt, ap);
    va_end(ap);
    return -1;
}

struct config *config_create(void)
{
    return calloc(1, sizeof(struct config));
}

static void entry_free(struct entry *e)
{
    free(e->section);
    free(e->key);
    if (e->value) {
        /* settings may be credentials (upload.password) */
        memset(e->value, 0, strlen(e->value));
        free(e->value);
    }
    free(e->base);
    free(e->file);
}

void config_destroy(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n; i++)
        entry_free(&cfg->e[i]);
    free(cfg->e);
    free(cfg->file_dir);
    free(cfg->site_missing);
    free(cfg);
}

const char *config_error(const struct config *cfg)
{
    return cfg->err[0] ? cfg->err : "no error";
}

static const struct setting *find_setting(const char *section, const char *key)
{
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
        if (!strcmp(settings[i].section, section) && (!settings[i].key || !strcmp(settings[i].key, key)))
            return &settings[i];
    return NULL;
}

static bool valid_value(const struct setting *s, const char *v)
{
    size_t n = strlen(v);
    switch (s->type) {
    case V_ID:
        if (n == 0 || n > 48)
            return false;
        for (const char *p = v; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '-' || *p == '_' || *p == '.'))
                return false;
        return true;
    case V_INT: {
        char *end;
        errno = 0;
        long x = strtol(v, &end, 10);
        return n && !*end && !errno && x >= s->min && x <= s->max;
    }
    case V_LANG:
        return !strcmp(v, "ur") || !strcmp(v, "en");
    case V_BOOL:
        return !strcmp(v, "yes") || !strcmp(v, "no") || !strcmp(v, "on") || !strcmp(v, "off") ||
               !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "1") || !strcmp(v, "0");
    case V_KEY64:
    case V_SECRET32: {
        uint8_t pk[32];
        bool ok = keys_public_parse(v, pk) == 0;
        sodium_memzero(pk, sizeof pk);
        return ok;
    }
    case V_URL:
        return !strncmp(v, "https://", 8) || !strncmp(v, "http://", 7);
    case V_PATH:
    case V_TEXT:
        return n > 0;
    }
    return false;
}

static const char *type_hint(const struct setting *s)
{
    switch (s->type) {
    case V_ID: return "1-48 letters, digits, '-', '_' or '.'";
    case V_INT: return "a whole number in range";
    case V_LANG: return "'ur' or 'en'";
    case V_BOOL: return "yes or no";
    case V_KEY64: return "a helpline public key (base64 of 32 bytes)";
    case V_URL: return "an https:// URL";
    case V_SECRET32: return "base64 of 32 random bytes (provision.sh makes it)";
    default: return "a value";
    }
}

static int add(struct config *cfg, const char *section, const char *key, const char *value,
               const char *base, const char *file, int prio)
{
    if (cfg->n == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        struct entry *e = realloc(cfg->e, cap * sizeof(*e));
        if (!e)
            return -1;
        cfg->e = e;
        cfg->cap = cap;
    }
    struct entry *e = &cfg->e[cfg->n];
    e->section = strdup(section);
    e->key = strdup(key);
    e->value = strdup(value);
    e->base = strdup(base ? base : ".");
    e->file = file ? strdup(file) : NULL;
    e->prio = prio;
    if (!e->section || !e->key || !e->value || !e->base || (file && !e->file)) {
        entry_free(e);
        return -1;
    }
    cfg->n++;
    return 0;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    struct config *cfg = user;
    if (cfg->err[0])
        return 0;
    const struct setting *s = find_setting(section, key);
    if (!s) {
        fail(cfg, "%s: unknown setting '%s' in section [%s]", cfg->file, key, section);
        return 0;
    }
    if (s->scope == SC_MAIN && cfg->prio != PRIO_MAIN) {
        fail(cfg, "%s: [%s] %s can only be set in the main configuration file", cfg->file,
             section, key);
        return 0;
    }
    if (s->scope == SC_SITE && cfg->prio == PRIO_OVERRIDE) {
        fail(cfg, "%s: %s in %s: this is a site setting ([%s]), only provision.sh may set it; "
                  "this file on the data partition holds preferences only. Someone may have "
                  "tampered with this kiosk: remove the line and re-provision the stick",
             cfg->file, key, cfg->file, section);
        return 0;
    }
    if (!valid_value(s, value)) {
        fail(cfg, "%s: [%s] %s must be %s", cfg->file, section, key, type_hint(s));
        return 0;
    }
    if (add(cfg, section, key, value, cfg->file_dir, cfg->file, cfg->prio) != 0) {
        fail(cfg, "out of memory");
        return 0;
    }
    return 1;
}

/* The main file of a provisioned kiosk and its site file must be out of the
 * running user's reach: a kiosk user that could edit them could redirect
 * reports. root (tests, CI, the provisioning tools) owns everything anyway,
 * so the check is for other users only. */
static int check_not_ours(struct config *cfg, int fd, const char *path)
{
    struct stat st;
    uid_t me = geteuid();
    if (me == 0)
        return 0;
    if (fstat(fd, &st) != 0)
        return fail(cfg, "cannot check %s: %s", path, strerror(errno));
    bool writable = st.st_uid == me || (st.st_mode & S_IWOTH) ||
                    ((st.st_mode & S_IWGRP) && access(path, W_OK) == 0);
    if (writable)
        return fail(cfg, "%s can be changed by the user the kiosk runs as (owner %u, mode %o): "
                         "site settings must be root's (re-provision the stick)",
                    path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    return 0;
}

static int parse(struct config *cfg, FILE *f, const char *path, int prio)
{
    char *real = realpath(path, NULL);
    char *slash = real ? strrchr(real, '/') : NULL;
    if (slash)
        *(slash == real ? slash + 1 : slash) = '\0';
    cfg->file = path;
    cfg->file_dir = real;
    cfg->prio = prio;
    cfg->err[0] = '\0';
    int line = ini_parse_file(f, handler, cfg);
    free(cfg->file_dir);
    cfg->file_dir = NULL;
    if (cfg->err[0]) {
        if (line > 0) {
            char msg[sizeof(cfg->err)];
            snprintf(msg, sizeof(msg), "%s", cfg->err);
            size_t plen = strlen(path);
            /* insert the line number after "path" */
            fail(cfg, "%s line %d%s", path, line, msg + (strncmp(msg, path, plen) ? 0 : plen));
        }
        return -1;
    }
    if (line != 0)
        return fail(cfg, "%s line %d: not a valid line (expected [section] or name = value)",
                    path, line);
    return 0;
}

static bool set_in(const struct config *cfg, const char *section, const char *key, int prio)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->e[i].prio == prio && !strcmp(cfg->e[i].section, section) &&
            !strcmp(cfg->e[i].key, key))
            return true;
    return false;
}

static char *path_of(const struct config *cfg, const char *section, const char *key, int prio);

static int load(struct config *cfg, const char *path, bool required, int prio)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT && prio == PRIO_SITE) {
            /* Not provisioned: config_helpline_key() says so. */
            free(cfg->site_missing);
            cfg->site_missing = strdup(path);
            return 0;
        }
        if (errno == ENOENT && !required)
            return 0;
        return fail(cfg, "cannot read the configuration file %s: %s", path, strerror(errno));
    }
    /* A provisioned layout (a main file naming a site file): both are root's. */
    int rc = prio == PRIO_SITE ? check_not_ours(cfg, fileno(f), path) : 0;
    if (rc == 0)
        rc = parse(cfg, f, path, prio);
    if (rc == 0 && prio == PRIO_MAIN && set_in(cfg, "kiosk", "site_config", PRIO_MAIN)) {
        rc = check_not_ours(cfg, fileno(f), path);
        char *site = rc == 0 ? path_of(cfg, "kiosk", "site_config", PRIO_MAIN) : NULL;
        if (rc == 0 && !site)
            rc = fail(cfg, "out of memory");
        if (rc == 0)
            rc = load(cfg, site, true, PRIO_SITE);
        free(site);
    }
    fclose(f);
    return rc;
}

int config_load(struct config *cfg, const char *path, bool required)
{
    return load(cfg, path, required, PRIO_MAIN);
}

int config_load_override(struct config *cfg)
{
    char *dir = config_path(cfg, "kiosk", "data_dir");
    if (!dir)
        return 0;
    size_t n = strlen(dir) + sizeof(CONFIG_OVERRIDE_NAME) + 2;
    char *p = malloc(n);
    int rc = -1;
    if (p) {
        snprintf(p, n, "%s/%s", dir, CONFIG_OVERRIDE_NAME);
        rc = load(cfg, p, false, PRIO_OVERRIDE);
    } else {
        fail(cfg, "out of memory");
    }
    free(p);
    free(dir);
    return rc;
}

int config_set(struct config *cfg, const char *section, const char *key, const char *value)
{
    const struct setting *s = find_setting(section, key);
    if (!s)
        return fail(cfg, "unknown setting [%s] %s", section, key);
    if (!valid_value(s, value))
        return fail(cfg, "[%s] %s must be %s", section, key, type_hint(s));
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        snprintf(cwd, sizeof(cwd), ".");
    if (add(cfg, section, key, value, cwd, NULL, PRIO_CLI) != 0)
        return fail(cfg, "out of memory");
    return 0;
}

void config_unset(struct config *cfg, const char *section, const char *key)
{
    size_t o = 0;
    for (size_t i = 0; i < cfg->n; i++) {
        if (!strcmp(cfg->e[i].section, section) && !strcmp(cfg->e[i].key, key))
            entry_free(&cfg->e[i]);
        else
            cfg->e[o++] = cfg->e[i];
    }
    cfg->n = o;
}

static const struct entry *lookup(const struct config *cfg, const char *section, const char *key)
{
    const struct entry *best = NULL;
    for (size_t i = 0; i < cfg->n; i++)
        if (!strcmp(cfg->e[i].section, section) && !strcmp(cfg->e[i].key, key) &&
            (!best || cfg->e[i].prio >= best->prio))
            best = &cfg->e[i];
    return best;
}

const char *config_get(const struct config *cfg, const char *section, const char *key)
{
    const struct entry *e = lookup(cfg, section, key);
    return e ? e->value : NULL;
}

long config_get_int(const struct config *cfg, const char *section, const char *key)
{
    const char *v = cfg ? config_get(cfg, section, key) : NULL;
    if (v)
        return strtol(v, NULL, 10);
    const struct setting *s = find_setting(section, key);
    return s && s->type == V_INT ? s->def : 0;
}

static char *entry_path(const struct entry *e)
{
    if (e->value[0] == '/')
        return strdup(e->value);
    size_t n = strlen(e->base) + strlen(e->value) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", e->base, e->value);
    return p;
}

char *config_path(const struct config *cfg, const char *section, const char *key)
{
    const struct entry *e = lookup(cfg, section, key);
    return e ? entry_path(e) : NULL;
}

/* The value a file of one layer set (the last one in that file). */
static char *path_of(const struct config *cfg, const char *section, const char *key, int prio)
{
    const struct entry *best = NULL;
    for (size_t i = 0; i < cfg->n; i++)
        if (cfg->e[i].prio == prio && !strcmp(cfg->e[i].section, section) &&
            !strcmp(cfg->e[i].key, key))
            best = &cfg->e[i];
    return best ? entry_path(best) : NULL;
}

int config_helpline_key(struct config *cfg, uint8_t pk[32])
{
    memset(pk, 0, 32);
    const struct entry *file = lookup(cfg, "kiosk", "helpline_key");
    const struct entry *inl = lookup(cfg, "kiosk", "helpline_public_key");
    /* The more specific source wins: the one set with the higher priority. */
    if (inl && (!file || inl->prio > file->prio)) {
        if (keys_public_parse(inl->value, pk) != 0)
            return fail(cfg, "[kiosk] helpline_public_key is not a valid key");
        return 0;
    }
    if (!file && !inl && cfg->site_missing)
        return fail(cfg, "this kiosk is not provisioned: its site settings %s do not exist "
                         "(image-build/provision.sh writes them onto the stick)",
                    cfg->site_missing);
    if (!file)
        /* Read by staff on the kiosk's "not ready" screen and on the CLI. */
        return fail(cfg, "no helpline public key: set [kiosk] helpline_key in kiosk.conf "
                         "(on a USB stick: image-build/provision.sh --helpline-key FILE), "
                         "or give the command --helpline-key FILE");
    char *path = config_path(cfg, "kiosk", "helpline_key");
    char err[KEYS_ERR_SIZE];
    int rc = path ? keys_public_read(path, pk, err, sizeof(err)) : -1;
    if (rc != 0)
        fail(cfg, "%s", path ? err : "out of memory");
    free(path);
    return rc;
}

int config_helpline_signing_key(struct config *cfg, uint8_t pk[32])
{
    memset(pk, 0, 32);
    const struct entry *file = lookup(cfg, "kiosk", "helpline_signing_key");
    const struct entry *inl = lookup(cfg, "kiosk", "helpline_signing_public_key");
    if (inl && (!file || inl->prio > file->prio)) {
        if (keys_public_parse(inl->value, pk) != 0)
            return fail(cfg, "[kiosk] helpline_signing_public_key is not a valid key");
        return 1;
    }
    if (!file)
        return 0;
    char *path = config_path(cfg, "kiosk", "helpline_signing_key");
    char err[KEYS_ERR_SIZE];
    int rc = path ? keys_public_read(path, pk, err, sizeof(err)) : -1;
    if (rc != 0)
        fail(cfg, "%s", path ? err : "out of memory");
    free(path);
    return rc == 0 ? 1 : -1;
}

const char *config_source(const struct config *cfg, const char *section, const char *key)
{
    const struct entry *e = lookup(cfg, section, key);
    return e ? e->file : NULL;
}

/* Who may read a file that holds credentials: its owner, and its group only
 * when that is the running user's own group (root:hifazat 0640, the site
 * file's mode on the image); never everyone. */
static int secret_file_check(struct config *cfg, const char *path, const char *key)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(cfg, "cannot check %s (it holds [upload] %s): %s", path, key, strerror(errno));
    bool others = (st.st_mode & 007) || ((st.st_mode & 070) && st.st_gid != getegid());
    if (others)
        return fail(cfg, "%s holds upload credentials ([upload] %s) but others can read it "
                         "(mode %o): chmod 600 it",
                    path, key, (unsigned)(st.st_mode & 0777));
    return 0;
}

int config_check_credentials(struct config *cfg)
{
    static const char *const keys[] = {"username", "password", "bearer_token"};
    cfg->err[0] = '\0';
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *file = config_source(cfg, "upload", keys[i]);
        if (file && secret_file_check(cfg, file, keys[i]) != 0)
            return -1;
    }
    return 0;
}

int config_kiosk_key_secret(const struct config *cfg, uint8_t secret[32])
{
    const char *v = config_get(cfg, "kiosk", "kiosk_key_secret");
    /* checked on load: keys_public_parse() reads any 32 bytes of base64 */
    return v && keys_public_parse(v, secret) == 0 ? 1 : (memset(secret, 0, 32), 0);
}

const char *config_kiosk_id(struct config *cfg, const uint8_t kiosk_pk[32])
{
    const char *id = config_get(cfg, "kiosk", "id");
    if (id)
        return id;
    char fpr[KEYS_FINGERPRINT_SIZE];
    keys_fingerprint(kiosk_pk, KEYS_ROLE_KIOSK, fpr);
    snprintf(cfg->kiosk_id, sizeof(cfg->kiosk_id), "kiosk-%.9s", fpr);
    return cfg->kiosk_id;
}

void config_each(const struct config *cfg, const char *section,
                 void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const struct entry *e = &cfg->e[i];
        if (strcmp(e->section, section))
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(cfg->e[k].section, section) && !strcmp(cfg->e[k].key, e->key);
        if (!seen)
            fn(ctx, e->key, config_get(cfg, section, e->key));
    }
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The override file with one setting replaced or added (malloc'd text). */
static char *rewrite(const char *old, const char *section, const char *key, const char *value)
{
    size_t cap = strlen(old) + strlen(section) + strlen(key) + strlen(value) + 64;
    char *out = malloc(cap);
    char *copy = strdup(old);
    if (!out || !copy) {
        free(out);
        free(copy);
        return NULL;
    }
    size_t o = 0;
    bool in_section = false, done = false;
    /* strtok would drop empty lines: walk them by hand. */
    char *line = copy;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", line);
        char *t = trim(buf);
        if (t[0] == '[') {
            if (in_section && !done) {
                o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", key, value);
                done = true;
            }
            char *end = strchr(t, ']');
            in_section = end && (size_t)(end - t - 1) == strlen(section) &&
                         !strncmp(t + 1, section, strlen(section));
        } else if (in_section && !done && t[0] != ';' && t[0] != '#') {
            char *eq = strchr(t, '=');
            if (eq) {
                *eq = '\0';
                if (!strcmp(trim(t), key)) {
                    o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", key, value);
                    done = true;
                    line = nl ? nl + 1 : NULL;
                    continue;
                }
            }
        }
        o += (size_t)snprintf(out + o, cap - o, "%s\n", line);
        line = nl ? nl + 1 : NULL;
    }
    if (!done) {
        if (!in_section)
            o += (size_t)snprintf(out + o, cap - o, "%s[%s]\n", o ? "\n" : "", section);
        o += (size_t)snprintf(out + o, cap - o, "%s = %s\n", key, value);
    }
    free(copy);
    return out;
}

int config_save_override(struct config *cfg, const char *section, const char *key,
                         const char *value)
{
    cfg->err[0] = '\0';
    const struct setting *s = find_setting(section, key);
    if (!s)
        return fail(cfg, "unknown setting [%s] %s", section, key);
    if (s->scope != SC_PREF)
        return fail(cfg, "[%s] %s is a site setting: only provision.sh may set it, not the staff "
                         "screen", section, key);
    if (!valid_value(s, value) || strchr(value, '\n') || strlen(value) > 512)
        return fail(cfg, "[%s] %s must be %s", section, key, type_hint(s));
    char *dir = config_path(cfg, "kiosk", "data_dir");
    if (!dir)
        return fail(cfg, "no data directory: [kiosk] data_dir is not set");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        fail(cfg, "cannot open %s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    unsigned char *old = NULL;
    size_t oldlen = 0;
    if (durable_read(dfd, CONFIG_OVERRIDE_NAME, 1 << 20, &old, &oldlen) != 0) {
        if (errno != ENOENT) {
            fail(cfg, "cannot read %s/%s: %s", dir, CONFIG_OVERRIDE_NAME, strerror(errno));
            close(dfd);
            free(dir);
            return -1;
        }
        old = NULL;
        oldlen = 0;
    }
    char *text = malloc(oldlen + 1);
    if (text) {
        if (oldlen)
            memcpy(text, old, oldlen);
        text[oldlen] = '\0';
    }
    free(old);
    char *neu = text ? rewrite(text, section, key, value) : NULL;
    free(text);
    char over[PATH_MAX];
    snprintf(over, sizeof over, "%s/%s", dir, CONFIG_OVERRIDE_NAME);
    int rc = -1;
    if (!neu) {
        fail(cfg, "out of memory");
    } else if (durable_write(dfd, CONFIG_OVERRIDE_NAME, neu, strlen(neu), 0600) != 0) {
        fail(cfg, "cannot write %s/%s: %s", dir, CONFIG_OVERRIDE_NAME, strerror(errno));
    } else if (add(cfg, section, key, value, dir, over, PRIO_OVERRIDE) != 0) {
        fail(cfg, "out of memory");
    } else {
        /* Later entries of the same priority win in lookup(): drop older ones. */
        size_t last = cfg->n - 1, o = 0;
        for (size_t i = 0; i < cfg->n; i++) {
            if (i != last && cfg->e[i].prio == PRIO_OVERRIDE && !strcmp(cfg->e[i].section, section) &&
                !strcmp(cfg->e[i].key, key))
                entry_free(&cfg->e[i]);
            else
                cfg->e[o++] = cfg->e[i];
        }
        cfg->n = o;
        rc = 0;
    }
    free(neu);
    close(dfd);
    free(dir);
    return rc;
}
