/* Keys: the kiosk signing key on the data partition, the helpline key pair
 * with its passphrase-encrypted secret (tampered, truncated, wrong
 * passphrase), public key files and fingerprints. */
#include "check.h"
#include "keys.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int sodium_is_zero_32(const uint8_t *p)
{
    for (int i = 0; i < 32; i++)
        if (p[i])
            return 0;
    return 1;
}

static const char PASS[] = "correct horse battery staple";

static char *join(const char *a, const char *b)
{
    static char buf[2][2048];
    static int i;
    i ^= 1;
    snprintf(buf[i], sizeof(buf[i]), "%.1000s/%.1000s", a, b);
    return buf[i];
}

static void test_kiosk(const char *dir)
{
    char err[KEYS_ERR_SIZE];
    CHECK(keys_kiosk_open(dir, false, err, sizeof(err)) == NULL, "no key and no create");
    struct keys_kiosk *k = keys_kiosk_open(dir, true, err, sizeof(err));
    REQUIRE(k, "create: %s", err);
    struct stat st;
    REQUIRE(stat(join(dir, KEYS_KIOSK_FILE), &st) == 0, "kiosk.key written");
    CHECK((st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);
    uint8_t pk[32], sig[64];
    memcpy(pk, keys_kiosk_public(k), 32);
    keys_kiosk_sign(k, (const uint8_t *)"abc", 3, sig);
    keys_kiosk_close(k);
    k = keys_kiosk_open(dir, true, err, sizeof(err));
    REQUIRE(k, "reload: %s", err);
    CHECK(!memcmp(pk, keys_kiosk_public(k), 32), "same key after restart");
    CHECK(keys_verify(pk, (const uint8_t *)"abc", 3, sig) == 0, "signature verifies");
    CHECK(keys_verify(pk, (const uint8_t *)"abd", 3, sig) != 0, "other message refused");
    keys_kiosk_close(k);
    keys_kiosk_close(NULL);

    /* a damaged key file is reported, never silently replaced */
    size_t len;
    uint8_t *orig = read_whole(join(dir, KEYS_KIOSK_FILE), &len);
    for (size_t i = 0; i < len; i += 7) {
        uint8_t *t = malloc(len);
        memcpy(t, orig, len);
        t[i] ^= 0x04;
        write_whole(join(dir, KEYS_KIOSK_FILE), t, len);
        k = keys_kiosk_open(dir, true, err, sizeof(err));
        if (k) { /* only whitespace or formatting may change harmlessly */
            CHECK(!memcmp(pk, keys_kiosk_public(k), 32), "flip %zu gave another key", i);
            keys_kiosk_close(k);
        }
        free(t);
    }
    write_whole(join(dir, KEYS_KIOSK_FILE), orig, len / 2);
    CHECK(keys_kiosk_open(dir, true, err, sizeof(err)) == NULL, "truncated key file refused");
    CHECK(strstr(err, "damaged"), "says damaged: %s", err);
    uint8_t *again = read_whole(join(dir, KEYS_KIOSK_FILE), &len);
    CHECK(len > 0, "damaged file left in place");
    free(again);
    write_whole(join(dir, KEYS_KIOSK_FILE), orig, len);
    free(orig);
}

/* The kiosk key encrypted at rest under the site's secret: round trip,
 * migration of a clear key, wrong secret, tampered, truncated; never a new
 * key over the old one. */
static void test_kiosk_sealed(const char *parent)
{
    char dir[1100], err[KEYS_ERR_SIZE];
    snprintf(dir, sizeof dir, "%s/sealed", parent);
    REQUIRE(mkdir(dir, 0700) == 0, "mkdir");
    uint8_t secret[32], wrong[32];
    memset(secret, 0x11, 32);
    memset(wrong, 0x12, 32);
    const char *file = join(dir, KEYS_KIOSK_FILE);

    /* migration: a clear key (as kiosks made it before) is encrypted in place */
    struct keys_kiosk *k = keys_kiosk_open(dir, true, err, sizeof err);
    REQUIRE(k, "clear key: %s", err);
    uint8_t pk[32];
    memcpy(pk, keys_kiosk_public(k), 32);
    keys_kiosk_close(k);
    size_t len;
    char *text = (char *)read_whole(file, &len);
    REQUIRE(text, "read");
    json_t *j = json_loadb(text, len, 0, NULL);
    const char *seed_b64 = json_string_value(json_object_get(j, "seed"));
    REQUIRE(seed_b64, "a clear key has its seed in the file");
    char seed_copy[64];
    snprintf(seed_copy, sizeof seed_copy, "%s", seed_b64);
    json_decref(j);
    free(text);
    k = keys_kiosk_open_secret(dir, true, secret, err, sizeof err);
    REQUIRE(k, "migrate: %s", err);
    CHECK(!memcmp(pk, keys_kiosk_public(k), 32), "migration keeps the key");
    keys_kiosk_close(k);
    text = (char *)read_whole(file, &len);
    REQUIRE(text, "read");
    j = json_loadb(text, len, 0, NULL);
    CHECK(json_integer_value(json_object_get(j, "version")) == 2 && !json_object_get(j, "seed") &&
              json_object_get(j, "sealed_seed") && !strstr(text, seed_copy),
          "encrypted in place, the seed no longer in clear:\n%s", text);
    json_decref(j);
    struct stat st;
    CHECK(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600, "still 0600");

    /* round trip */
    k = keys_kiosk_open_secret(dir, true, secret, err, sizeof err);
    REQUIRE(k, "reopen: %s", err);
    CHECK(!memcmp(pk, keys_kiosk_public(k), 32), "same key");
    uint8_t sig[64];
    keys_kiosk_sign(k, (const uint8_t *)"abc", 3, sig);
    CHECK(keys_verify(pk, (const uint8_t *)"abc", 3, sig) == 0, "signs");
    keys_kiosk_close(k);

    /* wrong secret, no secret: an error, the file untouched */
    CHECK(keys_kiosk_open_secret(dir, true, wrong, err, sizeof err) == NULL &&
              strstr(err, "cannot be decrypted") && strstr(err, "kiosk_key_secret"),
          "wrong secret: %s", err);
    CHECK(keys_kiosk_open(dir, true, err, sizeof err) == NULL && strstr(err, "encrypted"),
          "no secret: %s", err);
    size_t now_len;
    char *now = (char *)read_whole(file, &now_len);
    CHECK(now && now_len == len && !memcmp(now, text, len), "the file was left as it was");
    free(now);

    /* tampered: every byte flipped in turn opens to the same key or fails */
    for (size_t i = 0; i < len; i += 7) {
        char *t = malloc(len);
        memcpy(t, text, len);
        t[i] ^= 0x01;
        write_whole(file, t, len);
        k = keys_kiosk_open_secret(dir, true, secret, err, sizeof err);
        if (k) {
            CHECK(!memcmp(pk, keys_kiosk_public(k), 32), "flip %zu gave another key", i);
            keys_kiosk_close(k);
        }
        free(t);
    }
    /* truncated */
    write_whole(file, text, len / 2);
    CHECK(keys_kiosk_open_secret(dir, true, secret, err, sizeof err) == NULL && strstr(err, "damaged"),
          "truncated: %s", err);
    CHECK(stat(file, &st) == 0 && (size_t)st.st_size == len / 2, "a damaged file is never replaced");
    write_whole(file, text, len);
    free(text);

    /* a new kiosk with a secret: encrypted from the start */
    char dir2[1200];
    snprintf(dir2, sizeof dir2, "%s/new", dir);
    REQUIRE(mkdir(dir2, 0700) == 0, "mkdir");
    k = keys_kiosk_open_secret(dir2, true, secret, err, sizeof err);
    REQUIRE(k, "create sealed: %s", err);
    keys_kiosk_close(k);
    text = (char *)read_whole(join(dir2, KEYS_KIOSK_FILE), &len);
    CHECK(text && strstr(text, "sealed_seed") && !strstr(text, "\"seed\""), "new key sealed: %s", text);
    free(text);
}

static void test_helpline(const char *dir)
{
    char err[KEYS_ERR_SIZE];
    uint8_t pk[32];
    CHECK(keys_helpline_generate(dir, "short", 5, KEYS_KDF_INTERACTIVE, pk, err, sizeof(err)) == -1,
          "short passphrase refused");
    REQUIRE(keys_helpline_generate(dir, PASS, strlen(PASS), KEYS_KDF_INTERACTIVE, pk, err,
                                   sizeof(err)) == 0,
            "generate: %s", err);
    uint8_t pk3[32];
    CHECK(keys_helpline_generate(dir, PASS, strlen(PASS), KEYS_KDF_INTERACTIVE, pk3, err,
                                 sizeof(err)) == -1 && sodium_is_zero_32(pk3),
          "never overwrites, and the output is zeroed");
    struct stat st;
    CHECK(stat(join(dir, KEYS_HELPLINE_SECRET_FILE), &st) == 0 && (st.st_mode & 0777) == 0600,
          "secret key mode 0600");
    uint8_t pk2[32];
    CHECK(keys_public_read(join(dir, KEYS_HELPLINE_PUBLIC_FILE), pk2, err, sizeof(err)) == 0 &&
              !memcmp(pk, pk2, 32),
          "public key file: %s", err);
    const char *sk = join(dir, KEYS_HELPLINE_SECRET_FILE);
    struct keys_helpline *h = keys_helpline_open(sk, PASS, strlen(PASS), err, sizeof(err));
    REQUIRE(h, "open: %s", err);
    CHECK(!memcmp(keys_helpline_public(h), pk, 32), "public key matches");
    keys_helpline_close(h);
    CHECK(!keys_helpline_open(sk, "correct horse battery stapler", 29, err, sizeof(err)) &&
              strstr(err, "wrong passphrase"),
          "wrong passphrase: %s", err);

    /* the file holds no secret in clear */
    size_t len;
    uint8_t *orig = read_whole(sk, &len);
    CHECK(!memmem(orig, len, PASS, strlen(PASS)), "passphrase not stored");
    /* tampering with any field refuses the key (a few positions per field) */
    unsigned accepted = 0;
    for (size_t i = 0; i < len; i++) {
        if (orig[i] == ' ' || orig[i] == '\n' || orig[i] == '"' || orig[i] == ',' || orig[i] == ':')
            continue;
        if (i % 5)
            continue;
        uint8_t *t = malloc(len);
        memcpy(t, orig, len);
        t[i] ^= 0x01;
        write_whole(sk, t, len);
        h = keys_helpline_open(sk, PASS, strlen(PASS), err, sizeof(err));
        if (h) {
            accepted += memcmp(keys_helpline_public(h), pk, 32) != 0;
            keys_helpline_close(h);
        }
        free(t);
    }
    CHECK(accepted == 0, "%u tampered key files gave a different key", accepted);
    for (size_t n = 0; n < len; n += 11) {
        write_whole(sk, orig, n);
        h = keys_helpline_open(sk, PASS, strlen(PASS), err, sizeof(err));
        CHECK(!h, "truncated to %zu accepted", n);
        keys_helpline_close(h);
    }
    /* an unknown format version is named */
    json_t *j = json_loadb((const char *)orig, len, 0, NULL);
    json_object_set_new(j, "version", json_integer(2));
    json_dump_file(j, sk, 0);
    json_decref(j);
    CHECK(!keys_helpline_open(sk, PASS, strlen(PASS), err, sizeof(err)) && strstr(err, "version"),
          "version: %s", err);
    write_whole(sk, orig, len);
    free(orig);
}

static void test_text(const char *dir)
{
    uint8_t pk[32], out[32];
    for (int i = 0; i < 32; i++)
        pk[i] = (uint8_t)(i * 13 + 1);
    char text[KEYS_PUBLIC_TEXT_SIZE], fpr[KEYS_FINGERPRINT_SIZE], fpr2[KEYS_FINGERPRINT_SIZE];
    keys_public_format(pk, text);
    CHECK(keys_public_parse(text, out) == 0 && !memcmp(pk, out, 32), "round trip");
    CHECK(keys_public_parse("abc", out) == -1, "short");
    char longer[80];
    snprintf(longer, sizeof(longer), "%sAAAA", text);
    CHECK(keys_public_parse(longer, out) == -1, "long");
    CHECK(keys_public_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", out) == -1, "all-zero key");
    keys_fingerprint(pk, KEYS_ROLE_HELPLINE, fpr);
    keys_fingerprint(pk, KEYS_ROLE_KIOSK, fpr2);
    CHECK(strlen(fpr) == 19 && fpr[4] == '-' && fpr[9] == '-' && fpr[14] == '-', "format %s", fpr);
    CHECK(strspn(fpr, "0123456789ABCDEFGHJKMNPQRSTVWXYZ-") == 19, "alphabet %s", fpr);
    CHECK(strcmp(fpr, fpr2) != 0, "roles differ");
    pk[31] ^= 1;
    keys_fingerprint(pk, KEYS_ROLE_HELPLINE, fpr2);
    CHECK(strcmp(fpr, fpr2) != 0, "one bit changes the fingerprint");
    char b32[9];
    keys_base32((const uint8_t *)"\xff\x00\x00\x00\x01", 40, b32);
    CHECK(!strcmp(b32, "ZW000001"), "base32 %s", b32);

    const char *f = join(dir, "x.pub");
    char err[KEYS_ERR_SIZE];
    write_whole(f, "# comment\n\n", 11);
    CHECK(keys_public_read(f, out, err, sizeof(err)) == -1, "no key line");
    char two[200];
    int n = snprintf(two, sizeof(two), "%s\n%s\n", text, text);
    write_whole(f, two, (size_t)n);
    CHECK(keys_public_read(f, out, err, sizeof(err)) == -1, "two keys refused");
    CHECK(keys_public_read(join(dir, "missing.pub"), out, err, sizeof(err)) == -1, "missing");

    /* passphrase files: the first line, no newline; empty refused */
    size_t plen;
    write_whole(f, "  spaced pass  \r\nsecond\n", 24);
    char *p = keys_passphrase_read(f, false, &plen, err, sizeof(err));
    CHECK(p && plen == 15 && !memcmp(p, "  spaced pass  ", 15), "first line kept as is");
    keys_passphrase_free(p);
    write_whole(f, "\n", 1);
    CHECK(!keys_passphrase_read(f, false, &plen, err, sizeof(err)), "empty refused");
}

/* The helpline key the kiosk was set up with: remembered at first start, a
 * different key later is CHANGED (and stays so) until it is set again. */
static void test_pin(const char *parent)
{
    char dir[1100], err[KEYS_ERR_SIZE];
    snprintf(dir, sizeof dir, "%s/pin", parent);
    REQUIRE(mkdir(dir, 0700) == 0, "mkdir");
    uint8_t a[32], b[32], pinned[32];
    memset(a, 1, 32);
    memset(b, 2, 32);
    CHECK(keys_helpline_pin_check(dir, a, pinned, err, sizeof err) == KEYS_PIN_NEW, "first: %s", err);
    struct stat st;
    CHECK(stat(join(dir, KEYS_HELPLINE_PIN_FILE), &st) == 0 && (st.st_mode & 0777) == 0600, "written");
    CHECK(keys_helpline_pin_check(dir, a, pinned, err, sizeof err) == KEYS_PIN_SAME, "same");
    CHECK(keys_helpline_pin_check(dir, b, pinned, err, sizeof err) == KEYS_PIN_CHANGED &&
              !memcmp(pinned, a, 32) && strstr(err, "changed"),
          "changed: %s", err);
    CHECK(keys_helpline_pin_check(dir, b, pinned, err, sizeof err) == KEYS_PIN_CHANGED,
          "still changed: a changed key is never remembered by a check");
    CHECK(keys_helpline_pin_set(dir, b, err, sizeof err) == 0, "confirm: %s", err);
    CHECK(keys_helpline_pin_check(dir, b, pinned, err, sizeof err) == KEYS_PIN_SAME, "confirmed");
    CHECK(keys_helpline_pin_check(dir, a, pinned, err, sizeof err) == KEYS_PIN_CHANGED &&
              !memcmp(pinned, b, 32), "the old one is now the changed one");
    /* damaged or truncated: changed, the remembered key unknown; never re-pinned */
    static const char *const bad[] = {"", "# only a comment\n", "AAAA\n", "garbage garbage\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        REQUIRE(write_whole(join(dir, KEYS_HELPLINE_PIN_FILE), bad[i], strlen(bad[i])) == 0, "write");
        CHECK(keys_helpline_pin_check(dir, b, pinned, err, sizeof err) == KEYS_PIN_CHANGED &&
                  sodium_is_zero_32(pinned) && strstr(err, "damaged"),
              "damaged %zu: %s", i, err);
        size_t len;
        uint8_t *left = read_whole(join(dir, KEYS_HELPLINE_PIN_FILE), &len);
        CHECK(left && len == strlen(bad[i]), "a damaged record is left for staff");
        free(left);
    }
    CHECK(keys_helpline_pin_check("/nonexistent/dir", a, pinned, err, sizeof err) == -1, "no dir");
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    const char *t = make_tmpdir("keys");
    REQUIRE(t, "tmpdir");
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", t);
    test_kiosk(dir);
    test_helpline(dir);
    test_text(dir);
    test_pin(dir);
    test_kiosk_sealed(dir);
    rm_rf(dir);
    return check_exit();
}
