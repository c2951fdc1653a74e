/* Remembered networks: one file on the data partition, sealed like the
 * kiosk key (XChaCha20-Poly1305 under a key derived from kiosk_key_secret,
 * which lives in the site settings, not on the data partition).
 *
 * File: "HZWIFI1\n" | nonce (24) | sealed(records), the header as the
 * associated data. Records are fixed-size (1 + 32 + 1 + 63 bytes: name
 * length, name, passphrase length, passphrase, zero-padded), so the file's
 * size tells how many networks, never how long a passphrase is. The
 * plaintext lives only in sodium_malloc'd memory and is wiped. */
#include "durable.h"
#include "wifi.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HDR "HZWIFI1\n"
enum {
    HDR_LEN = 8,
    REC = 1 + WIFI_SSID_MAX + 1 + WIFI_PASS_MAX,
    NONCE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    TAG = crypto_aead_xchacha20poly1305_ietf_ABYTES,
    FILE_MAX = HDR_LEN + NONCE + REC * WIFI_STORE_MAX + TAG,
};

void wifi_store_key(const uint8_t secret[32], uint8_t key[WIFI_STORE_KEY_SIZE])
{
    /* A context of its own ("hzwifi01", not the kiosk key's "hzkiosk1"):
     * the same site secret gives an independent key per purpose, so the
     * two files never share a key (nor its nonce space), and knowing one
     * key tells nothing about the other. */
    crypto_kdf_derive_from_key(key, WIFI_STORE_KEY_SIZE, 1, "hzwifi01", secret);
}

static int dir_open(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
    return fd;
}

/* The records into plain (sodium_malloc'd, REC * WIFI_STORE_MAX), their
 * count; 0 records when there is no file. -1 on a damaged file or key. */
static int load(int dfd, const uint8_t *key, uint8_t *plain, size_t *count, char *err, size_t errlen)
{
    *count = 0;
    unsigned char *data = NULL;
    size_t len = 0;
    if (durable_read(dfd, WIFI_STORE_FILE, FILE_MAX, &data, &len) != 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, WIFI_STORE_FILE ": %s", strerror(errno));
        return -1;
    }
    int rc = -1;
    size_t body = len >= HDR_LEN + NONCE + TAG ? len - HDR_LEN - NONCE - TAG : 0;
    unsigned long long plen = 0;
    if (len < HDR_LEN + NONCE + TAG || memcmp(data, HDR, HDR_LEN) != 0 || body % REC != 0 ||
        body / REC > WIFI_STORE_MAX)
        snprintf(err, errlen, WIFI_STORE_FILE ": not a file of remembered networks");
    else if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, data + HDR_LEN + NONCE,
                                                        len - HDR_LEN - NONCE, data, HDR_LEN,
                                                        data + HDR_LEN, key) != 0)
        snprintf(err, errlen,
                 WIFI_STORE_FILE ": cannot be opened (damaged, or the site's kiosk_key_secret changed)");
    else {
        *count = (size_t)plen / REC;
        rc = 0;
    }
    free(data);   /* ciphertext only */
    return rc;
}

static int save(int dfd, const uint8_t *key, const uint8_t *plain, size_t count, char *err,
                size_t errlen)
{
    if (count == 0) {
        if (unlinkat(dfd, WIFI_STORE_FILE, 0) != 0 && errno != ENOENT) {
            snprintf(err, errlen, WIFI_STORE_FILE ": %s", strerror(errno));
            return -1;
        }
        return durable_fsync_dir(dfd);
    }
    uint8_t out[FILE_MAX];
    memcpy(out, HDR, HDR_LEN);
    randombytes_buf(out + HDR_LEN, NONCE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + HDR_LEN + NONCE, &clen, plain, count * REC, out,
                                               HDR_LEN, NULL, out + HDR_LEN, key);
    if (durable_write(dfd, WIFI_STORE_FILE, out, HDR_LEN + NONCE + (size_t)clen, 0600) != 0) {
        snprintf(err, errlen, WIFI_STORE_FILE ": %s", strerror(errno));
        return -1;
    }
    return 0;
}

static long find(const uint8_t *plain, size_t count, const uint8_t *ssid, size_t ssid_len)
{
    for (size_t i = 0; i < count; i++) {
        const uint8_t *r = plain + i * REC;
        if (r[0] == ssid_len && !memcmp(r + 1, ssid, ssid_len))
            return (long)i;
    }
    return -1;
}

/* The common frame: the directory, the plaintext buffer, the loaded records. */
struct store {
    int dfd;
    uint8_t *plain;
    size_t count;
};

static int store_begin(struct store *s, const char *dir, const uint8_t *key, const uint8_t *ssid,
                       size_t ssid_len, char *err, size_t errlen)
{
    s->dfd = -1;
    s->count = 0;
    s->plain = NULL;
    if (ssid_len == 0 || ssid_len > WIFI_SSID_MAX) {
        snprintf(err, errlen, "not a network name");
        return -1;
    }
    if (sodium_init() < 0 || !(s->plain = sodium_malloc(REC * WIFI_STORE_MAX))) {
        snprintf(err, errlen, "out of secure memory");
        return -1;
    }
    sodium_memzero(s->plain, REC * WIFI_STORE_MAX);
    if ((s->dfd = dir_open(dir, err, errlen)) < 0 || load(s->dfd, key, s->plain, &s->count, err, errlen) != 0)
        return -1;
    return 0;
}

static void store_end(struct store *s)
{
    if (s->plain) {
        sodium_memzero(s->plain, REC * WIFI_STORE_MAX);
        sodium_free(s->plain);
    }
    if (s->dfd >= 0)
        close(s->dfd);
}

int wifi_store_put(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                   size_t ssid_len, const char *passphrase, char *err, size_t errlen)
{
    if (passphrase && !wifi_passphrase_ok(passphrase)) {
        snprintf(err, errlen, "not a passphrase");
        return -1;
    }
    struct store s;
    int rc = -1;
    if (store_begin(&s, dir, key, ssid, ssid_len, err, errlen) == 0) {
        long i = find(s.plain, s.count, ssid, ssid_len);
        if (i >= 0) {
            /* Out of its place: the newest goes last. */
            memmove(s.plain + i * REC, s.plain + (i + 1) * REC, (s.count - (size_t)i - 1) * REC);
            s.count--;
        }
        if (s.count == WIFI_STORE_MAX) {
            memmove(s.plain, s.plain + REC, (s.count - 1) * REC);   /* the oldest goes */
            s.count--;
        }
        uint8_t *r = s.plain + s.count * REC;
        sodium_memzero(r, REC);
        size_t pl = passphrase ? strlen(passphrase) : 0;
        r[0] = (uint8_t)ssid_len;
        memcpy(r + 1, ssid, ssid_len);
        r[1 + WIFI_SSID_MAX] = (uint8_t)pl;
        memcpy(r + 2 + WIFI_SSID_MAX, passphrase ? passphrase : "", pl);
        s.count++;
        rc = save(s.dfd, key, s.plain, s.count, err, errlen);
    }
    store_end(&s);
    return rc;
}

int wifi_store_get(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                   size_t ssid_len, char *pass, char *err, size_t errlen)
{
    pass[0] = '\0';
    struct store s;
    int rc = -1;
    if (store_begin(&s, dir, key, ssid, ssid_len, err, errlen) == 0) {
        long i = find(s.plain, s.count, ssid, ssid_len);
        rc = 0;
        if (i >= 0) {
            const uint8_t *r = s.plain + i * REC;
            size_t pl = r[1 + WIFI_SSID_MAX];
            if (pl > WIFI_PASS_MAX) {
                snprintf(err, errlen, WIFI_STORE_FILE ": a damaged record");
                rc = -1;
            } else {
                memcpy(pass, r + 2 + WIFI_SSID_MAX, pl);
                pass[pl] = '\0';
                rc = 1;
            }
        }
    }
    store_end(&s);
    return rc;
}

int wifi_store_forget(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                      size_t ssid_len, char *err, size_t errlen)
{
    struct store s;
    int rc = -1;
    if (store_begin(&s, dir, key, ssid, ssid_len, err, errlen) != 0 && s.dfd >= 0) {
        /* A file that cannot be opened any more (damaged, another site
         * secret) cannot be sorted either: forgetting it all is the way on. */
        rc = save(s.dfd, key, s.plain, 0, err, errlen);
    } else if (s.dfd >= 0) {
        long i = find(s.plain, s.count, ssid, ssid_len);
        rc = 0;
        if (i >= 0) {
            memmove(s.plain + i * REC, s.plain + (i + 1) * REC, (s.count - (size_t)i - 1) * REC);
            s.count--;
            sodium_memzero(s.plain + s.count * REC, REC);
            rc = save(s.dfd, key, s.plain, s.count, err, errlen);
        }
    }
    store_end(&s);
    return rc;
}
