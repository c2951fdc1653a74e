/* Config: the main file, the override on the data partition, command-line
 * values winning, relative paths, and clear errors for bad settings. */
#include "check.h"
#include "config.h"
#include "keys.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[1024];

static const char *path(const char *name)
{
    static char buf[4][4096];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%.1000s", dir, name);
    return buf[i];
}

static void put(const char *name, const char *text)
{
    REQUIRE(write_whole(path(name), text, strlen(text)) == 0, "write %s", name);
}

static struct config *load(const char *name, int *rc)
{
    struct config *c = config_create();
    *rc = config_load(c, path(name), true);
    return c;
}

static void each_cb(void *ctx, const char *key, const char *value)
{
    char *out = ctx;
    size_t n = strlen(out);
    snprintf(out + n, 512 - n, "%s=%s;", key, value);
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    snprintf(dir, sizeof(dir), "%s", make_tmpdir("config"));
    uint8_t pk[32];
    for (int i = 0; i < 32; i++)
        pk[i] = (uint8_t)(i + 1);
    char text[KEYS_PUBLIC_TEXT_SIZE];
    keys_public_format(pk, text);
    char pubfile[200];
    snprintf(pubfile, sizeof(pubfile), "# key\n%s\n", text);
    put("h.pub", pubfile);
    char main_conf[1024];
    snprintf(main_conf, sizeof(main_conf),
             "; Hifazat kiosk\n[kiosk]\nid = lahore-01\ndata_dir = data\nhelpline_key = h.pub\n"
             "language = ur\n\n[queue]\nretention_days = 30\n\n[referrals]\ndrf = 0800-39393\n");
    put("kiosk.conf", main_conf);
    int rc;
    struct config *c = load("kiosk.conf", &rc);
    CHECK(rc == 0, "load: %s", config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "id"), "lahore-01"), "id");
    CHECK(config_get_int(c, "queue", "retention_days", 90) == 30, "int");
    CHECK(config_get_int(c, "queue", "max_per_archive", 500) == 500, "default");
    CHECK(!strcmp(config_get(c, "referrals", "drf"), "0800-39393"), "free-form section");
    char *dd = config_path(c, "kiosk", "data_dir");
    CHECK(dd && !strcmp(dd, path("data")), "relative to the file: %s", dd);
    uint8_t got[32];
    CHECK(config_helpline_key(c, got) == 0 && !memcmp(got, pk, 32), "key file: %s", config_error(c));

    /* the override on the data partition; command-line values win over both */
    REQUIRE(mkdir(path("data"), 0700) == 0, "mkdir");
    put("data/kiosk.conf", "[kiosk]\nid = lahore-02\nlanguage = en\n");
    CHECK(config_set(c, "kiosk", "language", "ur") == 0, "cli set");
    CHECK(config_load_override(c) == 0, "override: %s", config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "id"), "lahore-02"), "override wins over main");
    CHECK(!strcmp(config_get(c, "kiosk", "language"), "ur"), "command line wins over override");
    free(dd);
    config_destroy(c);

    /* an inline key in the override beats the file of the main config */
    char inl[200];
    snprintf(inl, sizeof(inl), "[kiosk]\nhelpline_public_key = %s\n", text);
    c = load("kiosk.conf", &rc);
    put("data/kiosk.conf", inl);
    pk[0] = 99; /* the file now differs */
    keys_public_format(pk, text);
    snprintf(pubfile, sizeof(pubfile), "%s\n", text);
    put("h.pub", pubfile);
    CHECK(config_load_override(c) == 0 && config_helpline_key(c, got) == 0 && got[0] == 1,
          "inline override key: %s", config_error(c));
    config_destroy(c);

    static const char *const bad[][2] = {
        {"[kiosk]\ncolour = red\n", "unknown setting 'colour'"},
        {"[printer]\nid = x\n", "unknown setting"},
        {"[kiosk]\nid = has space\n", "[kiosk] id must be"},
        {"[kiosk]\nlanguage = fr\n", "'ur' or 'en'"},
        {"[queue]\nretention_days = -1\n", "retention_days"},
        {"[queue]\nretention_days = 12x\n", "retention_days"},
        {"[kiosk]\nhelpline_public_key = abc\n", "helpline public key"},
        {"[upload]\nurl = ftp://x\n", "https"},
        {"this is not ini\n", "line 1"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put("bad.conf", bad[i][0]);
        c = load("bad.conf", &rc);
        CHECK(rc == -1 && strstr(config_error(c), bad[i][1]) && strstr(config_error(c), "bad.conf"),
              "case %zu: %s", i, config_error(c));
        config_destroy(c);
    }
    put("data/kiosk.conf", "[kiosk]\ndata_dir = /elsewhere\n");
    c = load("kiosk.conf", &rc);
    CHECK(config_load_override(c) == -1 && strstr(config_error(c), "main configuration"),
          "data_dir only in the main file: %s", config_error(c));
    config_destroy(c);

    c = config_create();
    CHECK(config_load(c, path("missing.conf"), false) == 0, "optional missing file is fine");
    CHECK(config_load(c, path("missing.conf"), true) == -1, "required missing file is an error");
    CHECK(config_helpline_key(c, got) == -1 && strstr(config_error(c), "--helpline-key"),
          "no key: %s", config_error(c));
    char kid[64];
    snprintf(kid, sizeof(kid), "%s", config_kiosk_id(c, pk));
    CHECK(!strncmp(kid, "kiosk-", 6) && strlen(kid) == 15, "default kiosk id %s", kid);
    config_destroy(c);
    config_destroy(NULL);

    /* [referrals]: every name once, in file order, with the winning value */
    put("ref.conf", "[kiosk]\ndata_dir = data\n[referrals]\n; helplines\ndrf.name = DRF\n"
                    "drf.phone = 0800-39393\nmohr.name = MoHR\nmohr.phone = 1099\n");
    put("data/kiosk.conf", "# staff changes\n[referrals]\nmohr.phone = 1100\nextra.name = X\n\n"
                           "[kiosk]\nlanguage = ur\n");
    c = load("ref.conf", &rc);
    CHECK(rc == 0 && config_load_override(c) == 0, "ref load: %s", config_error(c));
    char seen[512] = "";
    config_each(c, "referrals", each_cb, seen);
    CHECK(!strcmp(seen, "drf.name=DRF;drf.phone=0800-39393;mohr.name=MoHR;mohr.phone=1100;"
                        "extra.name=X;"),
          "config_each: %s", seen);

    /* staff changes go to the override file, keeping its other lines */
    CHECK(config_save_override(c, "kiosk", "language", "en") == 0, "save: %s", config_error(c));
    CHECK(config_save_override(c, "kiosk", "idle_timeout_minutes", "5") == 0, "save 2: %s",
          config_error(c));
    CHECK(config_save_override(c, "queue", "retention_days", "60") == 0, "save 3: %s",
          config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "language"), "en") &&
              config_get_int(c, "kiosk", "idle_timeout_minutes", 0) == 5,
          "applied at once");
    size_t len;
    char *saved = (char *)read_whole(path("data/kiosk.conf"), &len);
    REQUIRE(saved, "override written");
    CHECK(strstr(saved, "# staff changes\n[referrals]\nmohr.phone = 1100\nextra.name = X\n\n"
                        "[kiosk]\nlanguage = en\nidle_timeout_minutes = 5\n") &&
              strstr(saved, "\n[queue]\nretention_days = 60\n") && !strstr(saved, "language = ur"),
          "override file:\n%s", saved);
    free(saved);
    CHECK(config_save_override(c, "kiosk", "language", "fr") == -1, "bad value refused");
    CHECK(config_save_override(c, "kiosk", "data_dir", "/x") == -1, "main-only refused");
    CHECK(config_save_override(c, "kiosk", "id", "a\nb") == -1, "newline refused");
    config_destroy(c);
    c = load("ref.conf", &rc);
    CHECK(config_load_override(c) == 0 && !strcmp(config_get(c, "kiosk", "language"), "en") &&
              config_get_int(c, "queue", "retention_days", 0) == 60,
          "saved file reads back: %s", config_error(c));
    config_destroy(c);
    rm_rf(dir);
    return check_exit();
}
