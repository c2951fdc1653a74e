#include "keys.h"

#include "durable.h"
#include "errfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

struct keys_kiosk {
    uint8_t pk[KEYS_PUBLIC_SIZE];
    uint8_t *sk; /* sodium_malloc'd crypto_sign_SECRETKEYBYTES */
};

struct keys_helpline {
    uint8_t pk[KEYS_PUBLIC_SIZE];
    uint8_t *sk;   /* sodium_malloc'd: crypto_box_SECRETKEYBYTES, then the signing key */
    uint8_t sign_pk[KEYS_PUBLIC_SIZE];
    bool can_sign; /* key files made before the signing key have none */
};

/* jansson keeps copies of every string it parses or builds: wipe each block
 * as it is freed so secrets and hashes do not linger in the heap. */
static void wiping_free(void *p)
{
    if (p) {
        sodium_memzero(p, malloc_usable_size(p));
        free(p);
    }
}

int keys_init(void)
{
    static int done;
    if (done)
        return 0;
    if (sodium_init() < 0)
        return -1;
    json_set_alloc_funcs(malloc, wiping_free);
    done = 1;
    return 0;
}

void keys_base32(const uint8_t *in, size_t nbits, char *out)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    size_t o = 0;
    for (size_t bit = 0; bit < nbits; bit += 5) {
        unsigned v = 0;
        for (size_t b = bit; b < bit + 5; b++) {
            v <<= 1;
            if (b < nbits)
                v |= (in[b / 8] >> (7 - b % 8)) & 1u;
        }
        out[o++] = alphabet[v];
    }
    out[o] = '\0';
}

void keys_fingerprint(const uint8_t pk[KEYS_PUBLIC_SIZE], enum keys_role role,
                      char out[KEYS_FINGERPRINT_SIZE])
{
    static const char *const ctx[] = {"hifazat helpline key", "hifazat kiosk key",
                                      "hifazat helpline signing key"};
    uint8_t h[10];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const uint8_t *)ctx[role], strlen(ctx[role]) + 1);
    crypto_generichash_update(&st, pk, KEYS_PUBLIC_SIZE);
    crypto_generichash_final(&st, h, sizeof(h));
    char b32[17];
    keys_base32(h, 80, b32);
    snprintf(out, KEYS_FINGERPRINT_SIZE, "%.4s-%.4s-%.4s-%.4s", b32, b32 + 4, b32 + 8, b32 + 12);
}

void keys_key_id(const uint8_t pk[KEYS_PUBLIC_SIZE], uint8_t id[KEYS_KEY_ID_SIZE])
{
    static const char ctx[] = "hifazat key id";
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, KEYS_KEY_ID_SIZE);
    crypto_generichash_update(&st, (const uint8_t *)ctx, sizeof(ctx));
    crypto_generichash_update(&st, pk, KEYS_PUBLIC_SIZE);
    crypto_generichash_final(&st, id, KEYS_KEY_ID_SIZE);
}

void keys_public_format(const uint8_t pk[KEYS_PUBLIC_SIZE], char out[KEYS_PUBLIC_TEXT_SIZE])
{
    sodium_bin2base64(out, KEYS_PUBLIC_TEXT_SIZE, pk, KEYS_PUBLIC_SIZE,
                      sodium_base64_VARIANT_ORIGINAL);
}

static int b64_exact(const char *text, size_t textlen, uint8_t *out, size_t outlen)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, outlen, text, textlen, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    return (got == outlen && end == text + textlen) ? 0 : -1;
}

int keys_public_parse(const char *text, uint8_t pk[KEYS_PUBLIC_SIZE])
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n' ||
                 text[n - 1] == '\r'))
        n--;
    if (b64_exact(text, n, pk, KEYS_PUBLIC_SIZE) != 0 || sodium_is_zero(pk, KEYS_PUBLIC_SIZE)) {
        memset(pk, 0, KEYS_PUBLIC_SIZE);
        return -1;
    }
    return 0;
}

int keys_public_read(const char *path, uint8_t pk[KEYS_PUBLIC_SIZE], char *err, size_t errlen)
{
    memset(pk, 0, KEYS_PUBLIC_SIZE);
    FILE *f = fopen(path, "r");
    if (!f) {
        errfmt(err, errlen, "cannot read the helpline public key file %s: %s", path,
               strerror(errno));
        return -1;
    }
    char line[512];
    int rc = -1, keys = 0;
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        if (++keys > 1 || keys_public_parse(p, pk) != 0) {
            rc = -1;
            break;
        }
        rc = 0;
    }
    fclose(f);
    if (rc != 0) {
        memset(pk, 0, KEYS_PUBLIC_SIZE);
        errfmt(err, errlen, "%s is not a helpline public key file (one line of base64 expected)",
               path);
    }
    return rc;
}

/* ---------------------------------------------------------------- files */

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Reads a JSON key file through memory that is wiped afterwards. */
static json_t *read_json_secret(int dirfd, const char *name, const char *shown, char *err,
                                size_t errlen)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (durable_read(dirfd, name, 64 * 1024, &data, &len) != 0) {
        errfmt(err, errlen, "cannot read %s: %s", shown, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    sodium_memzero(data, len);
    free(data);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        errfmt(err, errlen, "%s is damaged (not a key file)", shown);
        return NULL;
    }
    return j;
}

static int get_b64(const json_t *o, const char *key, uint8_t *out, size_t len)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return -1;
    return b64_exact(json_string_value(v), json_string_length(v), out, len);
}

static int check_format(const json_t *o, const char *format)
{
    const json_t *f = json_object_get(o, "format"), *v = json_object_get(o, "version");
    if (!json_is_string(f) || strcmp(json_string_value(f), format) != 0)
        return -1;
    return (json_is_integer(v) && json_integer_value(v) == 1) ? 0 : -2;
}

static json_t *b64_json(const uint8_t *bin, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = sodium_malloc(n);
    if (!s)
        return NULL;
    sodium_bin2base64(s, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_string(s);
    sodium_free(s);
    return j;
}

/* Serialises o into sodium_malloc'd memory and writes it durably. */
static int write_json_secret(int dirfd, const char *name, const json_t *o, mode_t mode)
{
    size_t n = json_dumpb(o, NULL, 0, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (n == 0)
        return -1;
    char *buf = sodium_malloc(n + 1);
    if (!buf)
        return -1;
    json_dumpb(o, buf, n, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    buf[n] = '\n';
    int rc = durable_write(dirfd, name, buf, n + 1, mode);
    int saved = errno;
    sodium_free(buf);
    errno = saved;
    return rc;
}

/* ---------------------------------------------------------------- kiosk */

static struct keys_kiosk *kiosk_alloc(void)
{
    struct keys_kiosk *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    k->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    if (!k->sk) {
        free(k);
        return NULL;
    }
    return k;
}

void keys_kiosk_close(struct keys_kiosk *k)
{
    if (!k)
        return;
    sodium_free(k->sk);
    free(k);
}

struct keys_kiosk *keys_kiosk_from_seed(const uint8_t seed[KEYS_SEED_SIZE])
{
    if (keys_init() != 0)
        return NULL;
    struct keys_kiosk *k = kiosk_alloc();
    if (k)
        crypto_sign_seed_keypair(k->pk, k->sk, seed);
    return k;
}

/* The key that encrypts the kiosk key at rest: derived from the site's
 * secret, for this one purpose. */
static void kiosk_wrap_key(const uint8_t secret[KEYS_SEED_SIZE], uint8_t *key)
{
    crypto_kdf_derive_from_key(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, 1, "hzkiosk1",
                               secret);
}

/* The associated data: the format and the public key, so a sealed seed
 * cannot be paired with another public key. */
static void kiosk_ad(const uint8_t pk[KEYS_PUBLIC_SIZE], uint8_t ad[17 + KEYS_PUBLIC_SIZE])
{
    memcpy(ad, "hifazat-kiosk-v2", 17);
    memcpy(ad + 17, pk, KEYS_PUBLIC_SIZE);
}

enum { KIOSK_SEALED_SIZE = KEYS_SEED_SIZE + crypto_aead_xchacha20poly1305_ietf_ABYTES };

/* Writes the key file: clear (version 1) without a secret, else sealed
 * (version 2). */
static int kiosk_write(const uint8_t pk[KEYS_PUBLIC_SIZE], const uint8_t *seed,
                       const uint8_t *secret, int dirfd, const char *shown, char *err,
                       size_t errlen)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("hifazat-kiosk-key"));
    json_object_set_new(o, "version", json_integer(secret ? 2 : 1));
    json_object_set_new(o, "public_key", b64_json(pk, KEYS_PUBLIC_SIZE));
    int rc = -1;
    if (secret) {
        uint8_t *key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
        uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], sealed[KIOSK_SEALED_SIZE];
        uint8_t ad[17 + KEYS_PUBLIC_SIZE];
        if (!key) {
            errfmt(err, errlen, "out of memory");
            json_decref(o);
            return -1;
        }
        kiosk_wrap_key(secret, key);
        kiosk_ad(pk, ad);
        randombytes_buf(nonce, sizeof nonce);
        crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, seed, KEYS_SEED_SIZE, ad, sizeof ad,
                                                   NULL, nonce, key);
        sodium_free(key);
        json_object_set_new(o, "nonce", b64_json(nonce, sizeof nonce));
        json_object_set_new(o, "sealed_seed", b64_json(sealed, sizeof sealed));
    } else {
        json_object_set_new(o, "seed", b64_json(seed, KEYS_SEED_SIZE));
    }
    rc = write_json_secret(dirfd, KEYS_KIOSK_FILE, o, 0600);
    if (rc != 0)
        errfmt(err, errlen, "cannot write %s: %s", shown, strerror(errno));
    json_decref(o);
    return rc;
}

/* 0: loaded; *was_clear says it was a version 1 (clear) file. */
static int kiosk_load(struct keys_kiosk *k, int dirfd, const char *shown, const uint8_t *secret,
                      bool *was_clear, char *err, size_t errlen)
{
    *was_clear = false;
    json_t *j = read_json_secret(dirfd, KEYS_KIOSK_FILE, shown, err, errlen);
    if (!j)
        return -1;
    int rc = -1;
    uint8_t *seed = sodium_malloc(KEYS_SEED_SIZE);
    uint8_t *key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    uint8_t pk[KEYS_PUBLIC_SIZE], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    uint8_t sealed[KIOSK_SEALED_SIZE], ad[17 + KEYS_PUBLIC_SIZE];
    const json_t *f = json_object_get(j, "format"), *v = json_object_get(j, "version");
    int version = json_is_integer(v) ? (int)json_integer_value(v) : 0;
    if (!seed || !key) {
        errfmt(err, errlen, "out of memory");
    } else if (!json_is_string(f) || strcmp(json_string_value(f), "hifazat-kiosk-key") != 0 ||
               get_b64(j, "public_key", pk, sizeof(pk)) != 0) {
        errfmt(err, errlen, "%s is damaged (not a kiosk key file)", shown);
    } else if (version != 1 && version != 2) {
        errfmt(err, errlen, "%s has a key format version this program does not know", shown);
    } else if (version == 1 && get_b64(j, "seed", seed, KEYS_SEED_SIZE) != 0) {
        errfmt(err, errlen, "%s is damaged (not a kiosk key file)", shown);
    } else if (version == 2 && !secret) {
        errfmt(err, errlen,
               "%s is encrypted, but no [kiosk] kiosk_key_secret is configured to open it (the "
               "site settings provision.sh writes hold it)",
               shown);
    } else if (version == 2 && (get_b64(j, "nonce", nonce, sizeof nonce) != 0 ||
                                get_b64(j, "sealed_seed", sealed, sizeof sealed) != 0)) {
        errfmt(err, errlen, "%s is damaged (not a kiosk key file)", shown);
    } else {
        bool opened = true;
        if (version == 2) {
            kiosk_wrap_key(secret, key);
            kiosk_ad(pk, ad);
            opened = crypto_aead_xchacha20poly1305_ietf_decrypt(seed, NULL, NULL, sealed,
                                                                sizeof sealed, ad, sizeof ad,
                                                                nonce, key) == 0;
        }
        if (!opened) {
            errfmt(err, errlen,
                   "%s cannot be decrypted: the site's kiosk_key_secret is not the one it was "
                   "encrypted with, or the file is damaged (it was left as it is)",
                   shown);
        } else {
            crypto_sign_seed_keypair(k->pk, k->sk, seed);
            if (sodium_memcmp(pk, k->pk, sizeof(pk)) != 0) {
                errfmt(err, errlen, "%s is damaged (its public key does not match)", shown);
            } else {
                rc = 0;
                *was_clear = version == 1;
            }
        }
    }
    sodium_free(seed);
    sodium_free(key);
    json_decref(j);
    return rc;
}

static int kiosk_create(struct keys_kiosk *k, int dirfd, const char *shown, const uint8_t *secret,
                        char *err, size_t errlen)
{
    uint8_t *seed = sodium_malloc(KEYS_SEED_SIZE);
    if (!seed) {
        errfmt(err, errlen, "out of memory");
        return -1;
    }
    randombytes_buf(seed, KEYS_SEED_SIZE);
    crypto_sign_seed_keypair(k->pk, k->sk, seed);
    int rc = kiosk_write(k->pk, seed, secret, dirfd, shown, err, errlen);
    sodium_free(seed);
    return rc;
}

/* A clear key found with a secret configured: encrypted in place. The old
 * file stays until the new one is wholly on disk (durable_write renames
 * over it), so a power cut leaves one or the other, never neither. */
static void kiosk_migrate(struct keys_kiosk *k, int dirfd, const char *shown,
                          const uint8_t *secret)
{
    /* The seed is the first half of libsodium's Ed25519 secret key. */
    char err[KEYS_ERR_SIZE];
    if (kiosk_write(k->pk, k->sk, secret, dirfd, shown, err, sizeof err) != 0)
        fprintf(stderr, "hifazat: the kiosk key stays in clear for now: %s\n", err);
}

struct keys_kiosk *keys_kiosk_open(const char *data_dir, bool create, char *err, size_t errlen)
{
    return keys_kiosk_open_secret(data_dir, create, NULL, err, errlen);
}

struct keys_kiosk *keys_kiosk_open_secret(const char *data_dir, bool create,
                                          const uint8_t secret[KEYS_SEED_SIZE], char *err,
                                          size_t errlen)
{
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return NULL;
    }
    char *shown = path_join(data_dir, KEYS_KIOSK_FILE);
    struct keys_kiosk *k = kiosk_alloc();
    int dirfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!shown || !k) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot open the data directory %s: %s", data_dir, strerror(errno));
        goto fail;
    }
    if (faccessat(dirfd, KEYS_KIOSK_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        bool was_clear;
        if (kiosk_load(k, dirfd, shown, secret, &was_clear, err, errlen) != 0)
            goto fail;
        if (was_clear && secret)
            kiosk_migrate(k, dirfd, shown, secret);
    } else if (errno == ENOENT && create) {
        if (kiosk_create(k, dirfd, shown, secret, err, errlen) != 0)
            goto fail;
    } else {
        errfmt(err, errlen, "no kiosk key at %s: %s", shown, strerror(errno));
        goto fail;
    }
    close(dirfd);
    free(shown);
    return k;
fail:
    if (dirfd >= 0)
        close(dirfd);
    free(shown);
    keys_kiosk_close(k);
    return NULL;
}

const uint8_t *keys_kiosk_public(const struct keys_kiosk *k)
{
    return k->pk;
}

int keys_kiosk_sign(const struct keys_kiosk *k, const uint8_t *msg, size_t len,
                    uint8_t sig[KEYS_SIGNATURE_SIZE])
{
    return crypto_sign_detached(sig, NULL, msg, len, k->sk);
}

int keys_verify(const uint8_t pk[KEYS_PUBLIC_SIZE], const uint8_t *msg, size_t len,
                const uint8_t sig[KEYS_SIGNATURE_SIZE])
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}

/* ------------------------------------------------ the pinned helpline key */

int keys_helpline_pin_set(const char *data_dir, const uint8_t pk[KEYS_PUBLIC_SIZE], char *err,
                          size_t errlen)
{
    int dirfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot open the data directory %s: %s", data_dir, strerror(errno));
        return -1;
    }
    char b64[KEYS_PUBLIC_TEXT_SIZE], text[160];
    keys_public_format(pk, b64);
    int n = snprintf(text, sizeof text,
                     "# hifazat: the helpline key this kiosk was set up with\n%s\n", b64);
    int rc = durable_write(dirfd, KEYS_HELPLINE_PIN_FILE, text, (size_t)n, 0600);
    if (rc != 0)
        errfmt(err, errlen, "cannot write %s/%s: %s", data_dir, KEYS_HELPLINE_PIN_FILE,
               strerror(errno));
    close(dirfd);
    return rc;
}

int keys_helpline_pin_check(const char *data_dir, const uint8_t pk[KEYS_PUBLIC_SIZE],
                            uint8_t pinned[KEYS_PUBLIC_SIZE], char *err, size_t errlen)
{
    memset(pinned, 0, KEYS_PUBLIC_SIZE);
    int dirfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot open the data directory %s: %s", data_dir, strerror(errno));
        return -1;
    }
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = durable_read(dirfd, KEYS_HELPLINE_PIN_FILE, 4096, &data, &len);
    int saved = errno;
    close(dirfd);
    if (rc != 0 && saved == ENOENT)
        return keys_helpline_pin_set(data_dir, pk, err, errlen) == 0 ? KEYS_PIN_NEW : -1;
    if (rc != 0) {
        errfmt(err, errlen, "cannot read %s/%s: %s", data_dir, KEYS_HELPLINE_PIN_FILE,
               strerror(saved));
        return -1;
    }
    /* '#' comment lines and one line of base64 */
    bool ok = false;
    int keys = 0;
    for (size_t i = 0; i < len;) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        char line[128];
        snprintf(line, sizeof line, "%.*s", (int)(e - i < 127 ? e - i : 127), (const char *)data + i);
        if (line[0] && line[0] != '#') {
            keys++;
            ok = e - i < 127 && keys_public_parse(line, pinned) == 0;
        }
        i = e + 1;
    }
    free(data);
    if (!ok || keys != 1) {
        memset(pinned, 0, KEYS_PUBLIC_SIZE);
        errfmt(err, errlen, "%s/%s is damaged: the helpline key this kiosk was set up with is "
                            "unknown", data_dir, KEYS_HELPLINE_PIN_FILE);
        return KEYS_PIN_CHANGED;
    }
    if (sodium_memcmp(pinned, pk, KEYS_PUBLIC_SIZE) == 0)
        return KEYS_PIN_SAME;
    errfmt(err, errlen, "the helpline key changed since this kiosk was set up");
    return KEYS_PIN_CHANGED;
}

/* ------------------------------------------------------------- helpline */

static void kdf_limits(enum keys_kdf kdf, unsigned long long *ops, size_t *mem)
{
    switch (kdf) {
    case KEYS_KDF_INTERACTIVE:
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        break;
    case KEYS_KDF_SENSITIVE:
        *ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
        *mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
        break;
    default:
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
        break;
    }
}

static struct keys_helpline *helpline_alloc(void)
{
    struct keys_helpline *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->sk = sodium_malloc(crypto_box_SECRETKEYBYTES + crypto_sign_SECRETKEYBYTES);
    if (!h->sk) {
        free(h);
        return NULL;
    }
    return h;
}

void keys_helpline_close(struct keys_helpline *h)
{
    if (!h)
        return;
    sodium_free(h->sk);
    free(h);
}

struct keys_helpline *keys_helpline_from_seed(const uint8_t seed[KEYS_SEED_SIZE])
{
    if (keys_init() != 0)
        return NULL;
    struct keys_helpline *h = helpline_alloc();
    if (h) {
        crypto_box_seed_keypair(h->pk, h->sk, seed);
        /* a different seed for the signing half, from the same one */
        uint8_t s2[KEYS_SEED_SIZE];
        crypto_generichash(s2, sizeof s2, seed, KEYS_SEED_SIZE, (const uint8_t *)"sign", 4);
        crypto_sign_seed_keypair(h->sign_pk, h->sk + crypto_box_SECRETKEYBYTES, s2);
        sodium_memzero(s2, sizeof s2);
        h->can_sign = true;
    }
    return h;
}

const uint8_t *keys_helpline_sign_public(const struct keys_helpline *h)
{
    return h->can_sign ? h->sign_pk : NULL;
}

int keys_helpline_sign(const struct keys_helpline *h, const uint8_t *msg, size_t len,
                       uint8_t sig[KEYS_SIGNATURE_SIZE])
{
    if (!h->can_sign)
        return -1;
    return crypto_sign_detached(sig, NULL, msg, len, h->sk + crypto_box_SECRETKEYBYTES);
}

const uint8_t *keys_helpline_public(const struct keys_helpline *h)
{
    return h->pk;
}

const uint8_t *keys_helpline_secret(const struct keys_helpline *h)
{
    return h->sk;
}

int keys_helpline_generate(const char *dir, const char *pass, size_t passlen, enum keys_kdf kdf,
                           uint8_t pk_out[KEYS_PUBLIC_SIZE], char *err, size_t errlen)
{
    memset(pk_out, 0, KEYS_PUBLIC_SIZE);
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return -1;
    }
    if (passlen < KEYS_PASSPHRASE_MIN) {
        errfmt(err, errlen, "the passphrase must have at least %d characters", KEYS_PASSPHRASE_MIN);
        return -1;
    }
    int rc = -1;
    json_t *o = NULL;
    uint8_t *key = sodium_malloc(crypto_secretbox_KEYBYTES);
    struct keys_helpline *h = helpline_alloc();
    uint8_t *box = malloc(crypto_secretbox_MACBYTES + crypto_box_SECRETKEYBYTES);
    uint8_t *sbox = malloc(crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!key || !h || !box || !sbox) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        goto out;
    }
    /* A helpline key is never overwritten: every report sealed to it would be lost. */
    if (faccessat(dirfd, KEYS_HELPLINE_SECRET_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
        faccessat(dirfd, KEYS_HELPLINE_PUBLIC_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
        faccessat(dirfd, KEYS_HELPLINE_SIGN_PUBLIC_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        errfmt(err, errlen, "%s already holds a helpline key; refusing to overwrite it", dir);
        goto out;
    }
    crypto_box_keypair(h->pk, h->sk);
    crypto_sign_keypair(h->sign_pk, h->sk + crypto_box_SECRETKEYBYTES);

    unsigned long long ops;
    size_t mem;
    kdf_limits(kdf, &ops, &mem);
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES],
        snonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(salt, sizeof(salt));
    randombytes_buf(nonce, sizeof(nonce));
    randombytes_buf(snonce, sizeof(snonce));
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        errfmt(err, errlen, "not enough memory for the passphrase hash (argon2id, %zu MiB)",
               mem >> 20);
        goto out;
    }
    crypto_secretbox_easy(box, h->sk, crypto_box_SECRETKEYBYTES, nonce, key);
    crypto_secretbox_easy(sbox, h->sk + crypto_box_SECRETKEYBYTES, crypto_sign_SECRETKEYBYTES,
                          snonce, key);

    o = json_object();
    json_t *k = json_object();
    json_object_set_new(o, "format", json_string("hifazat-helpline-secret-key"));
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "public_key", b64_json(h->pk, KEYS_PUBLIC_SIZE));
    json_object_set_new(k, "algorithm", json_string("argon2id13"));
    json_object_set_new(k, "opslimit", json_integer((json_int_t)ops));
    json_object_set_new(k, "memlimit", json_integer((json_int_t)mem));
    json_object_set_new(k, "salt", b64_json(salt, sizeof(salt)));
    json_object_set_new(o, "kdf", k);
    json_object_set_new(o, "nonce", b64_json(nonce, sizeof(nonce)));
    json_object_set_new(o, "secretbox",
                        b64_json(box, crypto_secretbox_MACBYTES + crypto_box_SECRETKEYBYTES));
    /* The signing key (receipts) under the same passphrase; optional, so
     * key files made before it still open (they cannot sign). */
    json_object_set_new(o, "sign_public_key", b64_json(h->sign_pk, KEYS_PUBLIC_SIZE));
    json_object_set_new(o, "sign_nonce", b64_json(snonce, sizeof(snonce)));
    json_object_set_new(o, "sign_secretbox",
                        b64_json(sbox, crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES));
    if (write_json_secret(dirfd, KEYS_HELPLINE_SECRET_FILE, o, 0600) != 0) {
        errfmt(err, errlen, "cannot write %s/%s: %s", dir, KEYS_HELPLINE_SECRET_FILE,
               strerror(errno));
        goto out;
    }
    char text[KEYS_PUBLIC_TEXT_SIZE], fpr[KEYS_FINGERPRINT_SIZE], pub[256];
    keys_public_format(h->pk, text);
    keys_fingerprint(h->pk, KEYS_ROLE_HELPLINE, fpr);
    int n = snprintf(pub, sizeof(pub),
                     "# Hifazat helpline public key (X25519). Fingerprint: %s\n%s\n", fpr, text);
    if (durable_write(dirfd, KEYS_HELPLINE_PUBLIC_FILE, pub, (size_t)n, 0644) != 0) {
        errfmt(err, errlen, "cannot write %s/%s: %s", dir, KEYS_HELPLINE_PUBLIC_FILE,
               strerror(errno));
        goto out;
    }
    keys_public_format(h->sign_pk, text);
    keys_fingerprint(h->sign_pk, KEYS_ROLE_HELPLINE_SIGNING, fpr);
    n = snprintf(pub, sizeof(pub),
                 "# Hifazat helpline signing public key (Ed25519, receipts). Fingerprint: %s\n%s\n",
                 fpr, text);
    if (durable_write(dirfd, KEYS_HELPLINE_SIGN_PUBLIC_FILE, pub, (size_t)n, 0644) != 0) {
        errfmt(err, errlen, "cannot write %s/%s: %s", dir, KEYS_HELPLINE_SIGN_PUBLIC_FILE,
               strerror(errno));
        goto out;
    }
    memcpy(pk_out, h->pk, KEYS_PUBLIC_SIZE);
    rc = 0;
out:
    if (dirfd >= 0)
        close(dirfd);
    json_decref(o);
    free(box);
    free(sbox);
    sodium_free(key);
    keys_helpline_close(h);
    return rc;
}

struct keys_helpline *keys_helpline_open(const char *path, const char *pass, size_t passlen,
                                         char *err, size_t errlen)
{
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return NULL;
    }
    /* The key file may well be a symlink (e.g. into an encrypted home). */
    char *real = realpath(path, NULL);
    json_t *j = read_json_secret(AT_FDCWD, real ? real : path, path, err, errlen);
    free(real);
    if (!j)
        return NULL;
    struct keys_helpline *h = helpline_alloc();
    uint8_t *key = sodium_malloc(crypto_secretbox_KEYBYTES);
    uint8_t pk[KEYS_PUBLIC_SIZE], salt[crypto_pwhash_SALTBYTES],
        nonce[crypto_secretbox_NONCEBYTES],
        box[crypto_secretbox_MACBYTES + crypto_box_SECRETKEYBYTES];
    const json_t *kdf = json_object_get(j, "kdf");
    const json_t *alg = json_object_get(kdf, "algorithm");
    const json_t *ops = json_object_get(kdf, "opslimit"), *mem = json_object_get(kdf, "memlimit");
    int f = check_format(j, "hifazat-helpline-secret-key");
    if (!h || !key) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    if (f == -2) {
        errfmt(err, errlen, "%s has a key format version this program does not know", path);
        goto fail;
    }
    if (f != 0 || get_b64(j, "public_key", pk, sizeof(pk)) != 0 ||
        get_b64(kdf, "salt", salt, sizeof(salt)) != 0 ||
        get_b64(j, "nonce", nonce, sizeof(nonce)) != 0 ||
        get_b64(j, "secretbox", box, sizeof(box)) != 0 || !json_is_string(alg) ||
        strcmp(json_string_value(alg), "argon2id13") != 0 || !json_is_integer(ops) ||
        !json_is_integer(mem) || json_integer_value(ops) < (json_int_t)crypto_pwhash_OPSLIMIT_MIN ||
        json_integer_value(ops) > 64 ||
        json_integer_value(mem) < (json_int_t)crypto_pwhash_MEMLIMIT_MIN ||
        json_integer_value(mem) > ((json_int_t)4 << 30)) {
        errfmt(err, errlen, "%s is not a helpline secret key file, or it is damaged", path);
        goto fail;
    }
    if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt,
                      (unsigned long long)json_integer_value(ops),
                      (size_t)json_integer_value(mem), crypto_pwhash_ALG_ARGON2ID13) != 0) {
        errfmt(err, errlen, "not enough memory for the passphrase hash of %s", path);
        goto fail;
    }
    if (crypto_secretbox_open_easy(h->sk, box, sizeof(box), nonce, key) != 0) {
        errfmt(err, errlen, "wrong passphrase for %s (or the file is damaged)", path);
        goto fail;
    }
    crypto_scalarmult_base(h->pk, h->sk);
    if (sodium_memcmp(h->pk, pk, sizeof(pk)) != 0) {
        errfmt(err, errlen, "%s is damaged (its public key does not match)", path);
        goto fail;
    }
    if (json_object_get(j, "sign_secretbox")) {
        uint8_t spk[KEYS_PUBLIC_SIZE], snonce[crypto_secretbox_NONCEBYTES],
            sbox[crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES],
            derived[KEYS_PUBLIC_SIZE];
        uint8_t *ssk = h->sk + crypto_box_SECRETKEYBYTES;
        if (get_b64(j, "sign_public_key", spk, sizeof spk) != 0 ||
            get_b64(j, "sign_nonce", snonce, sizeof snonce) != 0 ||
            get_b64(j, "sign_secretbox", sbox, sizeof sbox) != 0 ||
            crypto_secretbox_open_easy(ssk, sbox, sizeof sbox, snonce, key) != 0 ||
            crypto_sign_ed25519_sk_to_pk(derived, ssk) != 0 ||
            sodium_memcmp(derived, spk, sizeof spk) != 0) {
            errfmt(err, errlen, "%s is damaged (its signing key)", path);
            goto fail;
        }
        memcpy(h->sign_pk, spk, sizeof spk);
        h->can_sign = true;
    }
    sodium_free(key);
    json_decref(j);
    return h;
fail:
    sodium_free(key);
    keys_helpline_close(h);
    json_decref(j);
    return NULL;
}

/* ---------------------------------------------------------- passphrases */

void keys_passphrase_free(char *p)
{
    sodium_free(p); /* sodium_free wipes and accepts NULL */
}

static char *pass_alloc(void)
{
    char *p = sodium_malloc(KEYS_PASSPHRASE_MAX + 2);
    if (p)
        memset(p, 0, KEYS_PASSPHRASE_MAX + 2);
    return p;
}

/* One line from fd into buf (without the newline); -1 when too long or empty input. */
static int read_line(int fd, char *buf, size_t *len)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || c == '\n')
            break;
        if (n >= KEYS_PASSPHRASE_MAX)
            return -1;
        buf[n++] = c;
    }
    if (n && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return 0;
}

static int prompt(int tty, const char *question, char *buf, size_t *len)
{
    struct termios old, quiet;
    if (tcgetattr(tty, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (write(tty, question, strlen(question)) < 0 || tcsetattr(tty, TCSAFLUSH, &quiet) != 0)
        return -1;
    int rc = read_line(tty, buf, len);
    tcsetattr(tty, TCSAFLUSH, &old);
    return rc;
}

char *keys_passphrase_read(const char *file, bool confirm, size_t *len, char *err, size_t errlen)
{
    *len = 0;
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return NULL;
    }
    char *p = pass_alloc();
    if (!p) {
        errfmt(err, errlen, "out of memory");
        return NULL;
    }
    if (file) {
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            errfmt(err, errlen, "cannot read the passphrase file %s: %s", file, strerror(errno));
            goto fail;
        }
        int rc = read_line(fd, p, len);
        close(fd);
        if (rc != 0) {
            errfmt(err, errlen, "the passphrase in %s is longer than %d characters", file,
                   KEYS_PASSPHRASE_MAX);
            goto fail;
        }
    } else {
        int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (tty < 0) {
            errfmt(err, errlen, "no terminal to ask for the passphrase: use --passphrase-file");
            goto fail;
        }
        char *again = confirm ? pass_alloc() : NULL;
        size_t againlen = 0;
        int rc = prompt(tty, "Passphrase: ", p, len);
        if (rc == 0 && confirm)
            rc = again ? prompt(tty, "Passphrase again: ", again, &againlen) : -1;
        close(tty);
        bool same = !confirm || (again && againlen == *len && sodium_memcmp(again, p, *len) == 0);
        sodium_free(again);
        if (rc != 0) {
            errfmt(err, errlen, "could not read the passphrase from the terminal");
            goto fail;
        }
        if (!same) {
            errfmt(err, errlen, "the two passphrases differ");
            goto fail;
        }
    }
    if (*len == 0) {
        errfmt(err, errlen, "the passphrase is empty");
        goto fail;
    }
    return p;
fail:
    *len = 0;
    sodium_free(p);
    return NULL;
}
