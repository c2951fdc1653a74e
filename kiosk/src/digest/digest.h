/* digest — MD5, SHA-1 and SHA-256 of one stream in a single pass (nettle;
 * SHA-1 and SHA-256 use the CPU's SHA extensions where present). MD5 and
 * SHA-1 because NCMEC's hash lists carry them, SHA-256 for everyone else.
 * A worker thread runs the slowest of the three on this CPU (measured once,
 * at create: MD5 where there is SHA-NI, SHA-256 where there is not), the
 * caller's thread reads and runs the other two, so that with SHA-NI the file
 * takes about as long as MD5 alone.
 *
 * Usage:
 *   1. d = digest_create() once; it keeps its worker for many files.
 *   2. digest_begin(d, expected_size) for each stream.
 *   3. Feed bytes in order, either
 *      - buf = digest_slot(d, &cap); read up to cap bytes into buf;
 *        digest_feed(d, buf, n)   (buffers owned by the digest, constant memory), or
 *      - digest_feed(d, ptr, n) on memory of your own that stays unchanged
 *        until digest_end() returns.
 *   4. digest_end(d, md5, sha1, sha256) waits for the worker and gives the three.
 *   5. digest_destroy(d) (accepts NULL).
 */
#ifndef HIFAZAT_DIGEST_H
#define HIFAZAT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum { DIGEST_MD5_SIZE = 16, DIGEST_SHA1_SIZE = 20, DIGEST_SHA256_SIZE = 32 };

struct digest;

enum digest_worker {
    DIGEST_WORKER_AUTO,        /* the slowest digest, measured (digest_create) */
    DIGEST_WORKER_MD5,         /* the worker runs this one, the caller the other two */
    DIGEST_WORKER_SHA1,
    DIGEST_WORKER_SHA256,
};

struct digest *digest_create(void);
/* As digest_create(), choosing the worker's digest (tests, benchmarks). */
struct digest *digest_create_with(enum digest_worker w);
void digest_destroy(struct digest *d);

void digest_begin(struct digest *d, uint64_t expected_size);
uint8_t *digest_slot(struct digest *d, size_t *cap);
void digest_feed(struct digest *d, const uint8_t *buf, size_t n);
void digest_end(struct digest *d, uint8_t md5[DIGEST_MD5_SIZE], uint8_t sha1[DIGEST_SHA1_SIZE],
                uint8_t sha256[DIGEST_SHA256_SIZE]);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void digest_hex(const uint8_t *bytes, size_t n, char *out);

#endif
