/* keys — the two kinds of keys a report passes between (libsodium).
 *
 * Kiosk side: an Ed25519 signing key, made on first start and kept on the
 * data partition (DATA/kiosk.key, mode 0600, written durably); the kiosk
 * signs with it unattended, so no person types a passphrase. With a secret
 * (the site settings' kiosk_key_secret, 32 bytes that are not on the data
 * partition) the file holds the key encrypted (XChaCha20-Poly1305 under a
 * key derived from the secret; format version 2); a clear key (version 1)
 * found then is encrypted in place, durably, on that open. Without a
 * secret (development, a desk machine) the key is kept in clear; an
 * encrypted file then cannot be opened. A wrong secret or a damaged file is
 * an error: the file is never replaced by a new key. The kiosk also holds
 * the helpline's X25519 public key (from its config).
 *   1. k = keys_kiosk_open_secret(data_dir, true, secret or NULL, err, n)
 *      (keys_kiosk_open(): without a secret);
 *   2. keys_kiosk_sign(k, msg, len, sig) / keys_kiosk_public(k);
 *   3. keys_kiosk_close(k) (accepts NULL; wipes the secret).
 *
 * Helpline side: an X25519 key pair (reports are sealed to it) and an
 * Ed25519 signing key (receipts, which kiosks check). The secret key file
 * is mode 0600 and holds both keys encrypted with a passphrase
 * (crypto_pwhash argon2id -> crypto_secretbox); a file from before the
 * signing key still opens, without one.
 *   1. keys_helpline_generate(dir, pass, len, KEYS_KDF_MODERATE, pk, err, n)
 *      writes DIR/helpline.pub, DIR/helpline-sign.pub and DIR/helpline.key
 *      (refuses to overwrite);
 *   2. h = keys_helpline_open(path, pass, len, err, n) decrypts it into
 *      sodium_malloc'd memory; keys_helpline_secret(h) for opening reports,
 *      keys_helpline_sign(h, ...) for signing receipts;
 *   3. keys_helpline_close(h) (accepts NULL).
 *
 * Fingerprints: keys_fingerprint() gives 16 letters/digits in four groups
 * (Crockford base32 of a BLAKE2b hash) that staff compare on screens.
 * Functions return 0 / -1 (or NULL) and put an English sentence in err.
 */
#ifndef HIFAZAT_KEYS_H
#define HIFAZAT_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    KEYS_PUBLIC_SIZE = 32,
    KEYS_SIGNATURE_SIZE = 64,
    KEYS_SEED_SIZE = 32,
    KEYS_KEY_ID_SIZE = 8,
    KEYS_FINGERPRINT_SIZE = 20,  /* "ABCD-EFGH-JKMN-PQRS" + NUL */
    KEYS_PUBLIC_TEXT_SIZE = 45,  /* base64 of 32 bytes + NUL */
    KEYS_PASSPHRASE_MIN = 12,
    KEYS_PASSPHRASE_MAX = 1024,
    KEYS_ERR_SIZE = 256,
};

#define KEYS_KIOSK_FILE "kiosk.key"
#define KEYS_HELPLINE_PUBLIC_FILE "helpline.pub"
#define KEYS_HELPLINE_SECRET_FILE "helpline.key"
#define KEYS_HELPLINE_SIGN_PUBLIC_FILE "helpline-sign.pub"

/* Which party a fingerprint is for: keeps the two kinds from ever looking alike. */
enum keys_role { KEYS_ROLE_HELPLINE, KEYS_ROLE_KIOSK, KEYS_ROLE_HELPLINE_SIGNING };

/* libsodium's three argon2id cost levels (64 MiB, 256 MiB, 1 GiB). */
enum keys_kdf { KEYS_KDF_INTERACTIVE, KEYS_KDF_MODERATE, KEYS_KDF_SENSITIVE };

/* sodium_init(); 0 / -1. Every other module calls it; safe to repeat. */
int keys_init(void);

/* Crockford base32 (0-9 A-Z without I L O U) of the first nbits of in. */
void keys_base32(const uint8_t *in, size_t nbits, char *out);
void keys_fingerprint(const uint8_t pk[KEYS_PUBLIC_SIZE], enum keys_role role,
                      char out[KEYS_FINGERPRINT_SIZE]);
/* Short id of a helpline public key, written in clear on sealed reports so a
 * wrong key can be named without trying to decrypt. */
void keys_key_id(const uint8_t pk[KEYS_PUBLIC_SIZE], uint8_t id[KEYS_KEY_ID_SIZE]);

/* Public keys as text: standard base64 of the 32 bytes. */
void keys_public_format(const uint8_t pk[KEYS_PUBLIC_SIZE], char out[KEYS_PUBLIC_TEXT_SIZE]);
int keys_public_parse(const char *text, uint8_t pk[KEYS_PUBLIC_SIZE]);
/* A public key file: '#' comment lines and one line of base64. */
int keys_public_read(const char *path, uint8_t pk[KEYS_PUBLIC_SIZE], char *err, size_t errlen);

/* --- kiosk signing key --- */
struct keys_kiosk;
struct keys_kiosk *keys_kiosk_open(const char *data_dir, bool create, char *err, size_t errlen);
struct keys_kiosk *keys_kiosk_open_secret(const char *data_dir, bool create,
                                          const uint8_t secret[KEYS_SEED_SIZE], char *err,
                                          size_t errlen);
/* Deterministic key for tests and fuzzers (never written anywhere). */
struct keys_kiosk *keys_kiosk_from_seed(const uint8_t seed[KEYS_SEED_SIZE]);
void keys_kiosk_close(struct keys_kiosk *k);
const uint8_t *keys_kiosk_public(const struct keys_kiosk *k);
int keys_kiosk_sign(const struct keys_kiosk *k, const uint8_t *msg, size_t len,
                    uint8_t sig[KEYS_SIGNATURE_SIZE]);
/* 0 when sig is a valid Ed25519 signature of msg by pk. */
int keys_verify(const uint8_t pk[KEYS_PUBLIC_SIZE], const uint8_t *msg, size_t len,
                const uint8_t sig[KEYS_SIGNATURE_SIZE]);

/* --- the helpline key this kiosk was set up with ---
 * Remembered on the data partition (DATA/helpline-key.pin, written durably)
 * at first start, so that a helpline key changed later (a tampered site
 * file, a stick re-provisioned by someone else) stops the kiosk until staff
 * confirm it with the staff PIN.
 *   keys_helpline_pin_check(data_dir, pk, pinned, err, n):
 *     KEYS_PIN_SAME     pk is the remembered key;
 *     KEYS_PIN_NEW      nothing was remembered: pk is remembered now;
 *     KEYS_PIN_CHANGED  pk differs: pinned gets the remembered key (all
 *                       zero when the record is damaged; err says so);
 *     -1                it cannot be checked (err says why).
 *   keys_helpline_pin_set(data_dir, pk, err, n): remember pk (staff
 *     confirmed it); 0 / -1. */
#define KEYS_HELPLINE_PIN_FILE "helpline-key.pin"
enum { KEYS_PIN_SAME = 0, KEYS_PIN_NEW = 1, KEYS_PIN_CHANGED = 2 };
int keys_helpline_pin_check(const char *data_dir, const uint8_t pk[KEYS_PUBLIC_SIZE],
                            uint8_t pinned[KEYS_PUBLIC_SIZE], char *err, size_t errlen);
int keys_helpline_pin_set(const char *data_dir, const uint8_t pk[KEYS_PUBLIC_SIZE], char *err,
                          size_t errlen);

/* --- helpline key pair --- */
struct keys_helpline;
int keys_helpline_generate(const char *dir, const char *pass, size_t passlen, enum keys_kdf kdf,
                           uint8_t pk_out[KEYS_PUBLIC_SIZE], char *err, size_t errlen);
struct keys_helpline *keys_helpline_open(const char *path, const char *pass, size_t passlen,
                                         char *err, size_t errlen);
struct keys_helpline *keys_helpline_from_seed(const uint8_t seed[KEYS_SEED_SIZE]);
void keys_helpline_close(struct keys_helpline *h);
const uint8_t *keys_helpline_public(const struct keys_helpline *h);
const uint8_t *keys_helpline_secret(const struct keys_helpline *h);
/* The signing key (Ed25519, for receipts): NULL / -1 for a key file made
 * before helplines had one (`hifazat keygen` makes a new pair). */
const uint8_t *keys_helpline_sign_public(const struct keys_helpline *h);
int keys_helpline_sign(const struct keys_helpline *h, const uint8_t *msg, size_t len,
                       uint8_t sig[KEYS_SIGNATURE_SIZE]);

/* --- passphrases (sodium_malloc'd; free with keys_passphrase_free) ---
 * From the first line of `file` when given, else from the terminal without
 * echo (asked twice when confirm). Never from an argument. */
char *keys_passphrase_read(const char *file, bool confirm, size_t *len, char *err, size_t errlen);
void keys_passphrase_free(char *p);

#endif
