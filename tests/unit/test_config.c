/* Config: the main file, the site file it names, the override on the data
 * partition (preferences only), command-line values winning, relative
 * paths, clear errors for bad settings, upload credentials only in files
 * others cannot read. */
#include "check.h"
#include "config.h"
#include "keys.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    /* Each number's default, from the settings table alone (no file needed). */
    CHECK(config_get_int(NULL, "queue", "max_per_archive") == 500, "max_per_archive default");
    CHECK(config_get_int(NULL, "queue", "retention_days") == 90, "retention_days default");
    CHECK(config_get_int(NULL, "kiosk", "idle_timeout_minutes") == 3, "idle timeout default");
    CHECK(config_get_int(NULL, "kiosk", "volume") == 80, "volume default");
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
             "language = ur\n\n[queue]\nretention_days = 30\n\n[referrals]\ndrf = 0800-39393\n"
             "\n[platforms]\nadult = Facebook, Instagram\n");
    put("kiosk.conf", main_conf);
    int rc;
    struct config *c = load("kiosk.conf", &rc);
    CHECK(rc == 0, "load: %s", config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "id"), "lahore-01"), "id");
    CHECK(config_get_int(c, "queue", "retention_days") == 30, "int");
    CHECK(config_get_int(c, "queue", "max_per_archive") == 500, "default from the table");
    CHECK(!strcmp(config_get(c, "referrals", "drf"), "0800-39393"), "free-form section");
    CHECK(!strcmp(config_get(c, "platforms", "adult"), "Facebook, Instagram"), "the sites by route");
    char *dd = config_path(c, "kiosk", "data_dir");
    CHECK(dd && !strcmp(dd, path("data")), "relative to the file: %s", dd);
    uint8_t got[32];
    CHECK(config_helpline_key(c, got) == 0 && !memcmp(got, pk, 32), "key file: %s", config_error(c));

    /* the override on the data partition; command-line values win over both */
    REQUIRE(mkdir(path("data"), 0700) == 0, "mkdir");
    put("data/kiosk.conf", "[kiosk]\nidle_timeout_minutes = 7\nlanguage = en\n");
    CHECK(config_set(c, "kiosk", "language", "ur") == 0, "cli set");
    CHECK(config_load_override(c) == 0, "override: %s", config_error(c));
    CHECK(config_get_int(c, "kiosk", "idle_timeout_minutes") == 7, "override wins over main");
    CHECK(!strcmp(config_get(c, "kiosk", "language"), "ur"), "command line wins over override");
    free(dd);
    config_destroy(c);

    /* every site setting in the override is an error naming it and the file */
    static const char *const site_only[][2] = {
        {"kiosk", "helpline_public_key"}, {"kiosk", "helpline_key"}, {"kiosk", "id"},
        {"kiosk", "kiosk_key_secret"},    {"kiosk", "media_root"},   {"upload", "url"},
        {"upload", "ca_file"},            {"upload", "pin"},         {"upload", "password"},
        {"upload", "username"},           {"upload", "bearer_token"}, {"staff", "pin_hash"},
        {"referrals", "drf.phone"},       {"queue", "retention_days"},
        {"platforms", "adult"},           {"platforms", "under18"},
    };
    for (size_t i = 0; i < sizeof(site_only) / sizeof(site_only[0]); i++) {
        char over[300];
        snprintf(over, sizeof over, "[kiosk]\nlanguage = en\n[%s]\n%s = %s\n", site_only[i][0],
                 site_only[i][1], text);
        put("data/kiosk.conf", over);
        c = load("kiosk.conf", &rc);
        CHECK(config_load_override(c) == -1 && strstr(config_error(c), site_only[i][1]) &&
                  strstr(config_error(c), path("data/kiosk.conf")) &&
                  strstr(config_error(c), "site setting") && strstr(config_error(c), "provision.sh"),
              "%s in the override: %s", site_only[i][1], config_error(c));
        CHECK(config_save_override(c, site_only[i][0], site_only[i][1], text) == -1 &&
                  strstr(config_error(c), "site setting"),
              "the staff screen cannot save %s: %s", site_only[i][1], config_error(c));
        config_destroy(c);
    }
    put("data/kiosk.conf", "[kiosk]\nsite_config = /tmp/evil.conf\n");
    c = load("kiosk.conf", &rc);
    CHECK(config_load_override(c) == -1 && strstr(config_error(c), "main configuration"),
          "site_config only in the main file: %s", config_error(c));
    config_destroy(c);

    /* the site layer: named by the main file (relative to it), after the main
     * file and before the override; the site file cannot name other files */
    REQUIRE(mkdir(path("run"), 0700) == 0, "mkdir run");
    put("layered.conf", "[kiosk]\ndata_dir = data\nsite_config = run/site.conf\nlanguage = ur\n"
                        "[referrals]\ndrf.phone = 111\n");
    put("data/kiosk.conf", "[kiosk]\nlanguage = en\n");
    c = load("layered.conf", &rc);
    CHECK(rc == 0 && config_helpline_key(c, got) == -1 &&
              strstr(config_error(c), "not provisioned") && strstr(config_error(c), "run/site.conf"),
          "a missing site file: not provisioned: %s", config_error(c));
    config_destroy(c);
    char site[400];
    snprintf(site, sizeof site, "[kiosk]\nid = site-01\nhelpline_public_key = %s\n"
             "kiosk_key_secret = %s\n[referrals]\ndrf.phone = 0800-39393\n"
             "[upload]\nca_file = ca.pem\n", text, text);
    put("run/site.conf", site);
    c = load("layered.conf", &rc);
    CHECK(rc == 0 && config_load_override(c) == 0, "layered: %s", config_error(c));
    CHECK(config_helpline_key(c, got) == 0 && !memcmp(got, pk, 32), "site key: %s", config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "id"), "site-01") &&
              !strcmp(config_get(c, "referrals", "drf.phone"), "0800-39393") &&
              !strcmp(config_get(c, "kiosk", "language"), "en") && config_get(c, "kiosk", "kiosk_key_secret"),
          "site wins over main, override over site");
    char *ca = config_path(c, "upload", "ca_file");
    CHECK(ca && !strcmp(ca, path("run/ca.pem")), "site paths relative to the site file: %s", ca);
    free(ca);
    CHECK(config_source(c, "kiosk", "id") && strstr(config_source(c, "kiosk", "id"), "run/site.conf"),
          "source of a site setting");
    config_destroy(c);
    put("run/site.conf", "[kiosk]\ndata_dir = /elsewhere\n");
    c = load("layered.conf", &rc);
    CHECK(rc == -1 && strstr(config_error(c), "main configuration") && strstr(config_error(c), "site.conf"),
          "data_dir not in the site file: %s", config_error(c));
    config_destroy(c);
    put("run/site.conf", "[kiosk]\nkiosk_key_secret = short\n");
    c = load("layered.conf", &rc);
    CHECK(rc == -1 && strstr(config_error(c), "kiosk_key_secret"), "bad secret: %s", config_error(c));
    config_destroy(c);
    put("run/site.conf", site);

    /* as a kiosk user (not root), a site file (and the main file naming it)
     * that this user owns or can write is refused; root's are fine */
    if (geteuid() == 0) {
        pid_t pid = fork();
        REQUIRE(pid >= 0, "fork");
        if (pid == 0) {
            int bad_owner;
            REQUIRE(chown(path("layered.conf"), 0, 0) == 0 && chmod(path("layered.conf"), 0644) == 0 &&
                        chown(path("run/site.conf"), 65534, 65534) == 0 && chmod(path("run"), 0755) == 0 &&
                        chmod(dir, 0755) == 0 && chmod(path("run/site.conf"), 0640) == 0,
                    "chown");
            REQUIRE(setgid(65534) == 0 && setuid(65534) == 0, "become nobody");
            c = load("layered.conf", &rc);
            bad_owner = rc == -1 && strstr(config_error(c), "can be changed") &&
                        strstr(config_error(c), "site.conf");
            if (!bad_owner)
                fprintf(stderr, "owned site file: %s\n", config_error(c));
            config_destroy(c);
            _exit(bad_owner ? 0 : 1);
        }
        int status;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a site file the kiosk user owns is refused");
        REQUIRE(chown(path("run/site.conf"), 0, 0) == 0, "chown back");
        REQUIRE(chmod(path("run/site.conf"), 0666) == 0, "world-writable");
        pid = fork();
        REQUIRE(pid >= 0, "fork");
        if (pid == 0) {
            REQUIRE(setgid(65534) == 0 && setuid(65534) == 0, "become nobody");
            c = load("layered.conf", &rc);
            int bad = rc == -1 && strstr(config_error(c), "can be changed");
            config_destroy(c);
            chmod(path("run/site.conf"), 0640); /* fails: not ours; the parent does it */
            _exit(bad ? 0 : 1);
        }
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a world-writable site file is refused");
        REQUIRE(chmod(path("run/site.conf"), 0644) == 0, "root's 0644");
        pid = fork();
        REQUIRE(pid >= 0, "fork");
        if (pid == 0) {
            REQUIRE(setgid(65534) == 0 && setuid(65534) == 0, "become nobody");
            c = load("layered.conf", &rc);
            int ok = rc == 0;
            if (!ok)
                fprintf(stderr, "root's files: %s\n", config_error(c));
            config_destroy(c);
            _exit(ok ? 0 : 1);
        }
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "root's site and main files are fine");
        REQUIRE(chmod(dir, 0700) == 0, "chmod back");
    } else {
        /* not root: files this user made are its own */
        c = load("layered.conf", &rc);
        CHECK(rc == -1 && strstr(config_error(c), "can be changed"), "own site file refused: %s",
              config_error(c));
        config_destroy(c);
    }

    static const char *const bad[][2] = {
        {"[kiosk]\ncolour = red\n", "unknown setting 'colour'"},
        {"[printer]\nid = x\n", "unknown setting"},
        {"[kiosk]\nid = has space\n", "[kiosk] id must be"},
        {"[kiosk]\nlanguage = fr\n", "'ur' or 'en'"},
        {"[queue]\nretention_days = -1\n", "retention_days"},
        {"[queue]\nretention_days = 12x\n", "retention_days"},
        {"[kiosk]\nhelpline_public_key = abc\n", "helpline public key"},
        {"[upload]\nurl = ftp://x\n", "https"},
        {"[platforms]\nadults = Facebook\n", "unknown setting 'adults'"},
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

    /* upload credentials: only the file that holds them must be private */
    put("cred-site.conf", "[upload]\npassword = hunter2\n");
    put("cred.conf", "[kiosk]\nsite_config = cred-site.conf\n[upload]\nurl = https://x/\n");
    if (geteuid() == 0) {
        REQUIRE(chmod(path("cred.conf"), 0644) == 0 && chmod(path("cred-site.conf"), 0600) == 0, "chmod");
        c = load("cred.conf", &rc);
        CHECK(rc == 0 && config_check_credentials(c) == 0, "0644 main, 0600 site: %s", config_error(c));
        REQUIRE(chown(path("cred-site.conf"), 0, getegid()) == 0 && chmod(path("cred-site.conf"), 0640) == 0,
                "chmod");
        CHECK(config_check_credentials(c) == 0, "0640 with our own group: %s", config_error(c));
        REQUIRE(chown(path("cred-site.conf"), 0, 65534) == 0, "chown");
        CHECK(config_check_credentials(c) == -1 && strstr(config_error(c), "cred-site.conf"),
              "0640 with another group: %s", config_error(c));
        REQUIRE(chmod(path("cred-site.conf"), 0604) == 0, "chmod");
        CHECK(config_check_credentials(c) == -1 && strstr(config_error(c), "password") &&
                  strstr(config_error(c), "others can read"),
              "world-readable: %s", config_error(c));
        config_destroy(c);
        c = load("cred.conf", &rc);
        config_unset(c, "upload", "password");
        CHECK(config_check_credentials(c) == 0, "no credentials: nothing to check");
        CHECK(config_set(c, "upload", "password", "x") == 0 && config_check_credentials(c) == 0,
              "from the command line: no file");
        config_destroy(c);
    }
    put("cred.conf", "[upload]\nbearer_token = t\n");
    REQUIRE(chmod(path("cred.conf"), 0644) == 0, "chmod");
    c = load("cred.conf", &rc);
    CHECK(rc == 0 && config_check_credentials(c) == -1 && strstr(config_error(c), "bearer_token"),
          "credentials in a 0644 main file: %s", config_error(c));
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
                    "drf.phone = 0800-39393\nmohr.name = MoHR\nmohr.phone = 1099\n[kiosk]\n"
                    "language = en\n[referrals]\nmohr.phone = 1100\nextra.name = X\n");
    put("data/kiosk.conf", "# staff changes\n[kiosk]\nlanguage = ur\n");
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
    CHECK(config_save_override(c, "kiosk", "large_text", "yes") == 0, "save 3: %s",
          config_error(c));
    CHECK(!strcmp(config_get(c, "kiosk", "language"), "en") &&
              config_get_int(c, "kiosk", "idle_timeout_minutes") == 5,
          "applied at once");
    size_t len;
    char *saved = (char *)read_whole(path("data/kiosk.conf"), &len);
    REQUIRE(saved, "override written");
    CHECK(strstr(saved, "# staff changes\n[kiosk]\nlanguage = en\nidle_timeout_minutes = 5\n"
                        "large_text = yes\n") && !strstr(saved, "language = ur"),
          "override file:\n%s", saved);
    free(saved);
    CHECK(config_save_override(c, "kiosk", "language", "fr") == -1, "bad value refused");
    CHECK(config_save_override(c, "kiosk", "data_dir", "/x") == -1, "main-only refused");
    CHECK(config_save_override(c, "kiosk", "id", "a\nb") == -1, "newline refused");
    config_destroy(c);
    c = load("ref.conf", &rc);
    CHECK(config_load_override(c) == 0 && !strcmp(config_get(c, "kiosk", "language"), "en") &&
              !strcmp(config_get(c, "kiosk", "large_text"), "yes"),
          "saved file reads back: %s", config_error(c));
    config_destroy(c);
    rm_rf(dir);
    return check_exit();
}
