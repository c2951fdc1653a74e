#include "digest.h"

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    SLOT_SIZE = 1 << 20,
    NSLOTS = 8,                   /* 8 MiB in flight at most */
    THREAD_MIN = 4 * SLOT_SIZE,   /* below this a thread hand-off costs more than it saves */
};

struct job {
    const uint8_t *buf;
    size_t n;
};

enum { USE_MD5 = 1, USE_SHA1 = 2, USE_SHA256 = 4, USE_ALL = 7 };

struct digest {
    struct md5_ctx md5;
    struct sha1_ctx sha1;
    struct sha256_ctx sha;
    bool threaded;
    unsigned worker_set;          /* USE_*: the digest the worker runs; the caller runs the rest */

    pthread_t worker;
    bool worker_started;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct job queue[NSLOTS];
    uint64_t queued, done;        /* job sequence numbers */
    bool quit;

    uint8_t *slots[NSLOTS];
    uint64_t slot_seq[NSLOTS];    /* job that last used a slot, +1 (0 = free) */
    unsigned next_slot;
};

static void update(struct digest *d, unsigned set, const uint8_t *buf, size_t n)
{
    if (set & USE_MD5)
        md5_update(&d->md5, n, buf);
    if (set & USE_SHA1)
        sha1_update(&d->sha1, n, buf);
    if (set & USE_SHA256)
        sha256_update(&d->sha, n, buf);
}

static void *worker_main(void *arg)
{
    struct digest *d = arg;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (!d->quit && d->done == d->queued)
            pthread_cond_wait(&d->changed, &d->lock);
        if (d->quit)
            break;
        struct job j = d->queue[d->done % NSLOTS];
        pthread_mutex_unlock(&d->lock);
        update(d, d->worker_set, j.buf, j.n);
        pthread_mutex_lock(&d->lock);
        d->done++;
        pthread_cond_broadcast(&d->changed);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The slowest of the three digests here, which the worker runs alone while
 * the caller runs the other two: the best of three runs of each over 128 KiB
 * (about 0.3 ms in all). With SHA-NI, MD5 is the slowest (SHA-1 ~2.7x and
 * SHA-256 ~2.4x faster), so the caller's two take about as long as it;
 * without, SHA-256 is. */
static unsigned slowest(uint8_t *buf)
{
    enum { N = 128 * 1024 };
    for (size_t i = 0; i < N; i++)
        buf[i] = (uint8_t)(i * 131u + (i >> 9));
    double best[3] = {1e9, 1e9, 1e9};
    for (int r = 0; r < 3; r++) {
        struct md5_ctx m;
        struct sha1_ctx s1;
        struct sha256_ctx s;
        md5_init(&m);
        sha1_init(&s1);
        sha256_init(&s);
        double t0 = seconds();
        md5_update(&m, N, buf);
        double t1 = seconds();
        sha1_update(&s1, N, buf);
        double t2 = seconds();
        sha256_update(&s, N, buf);
        double t3 = seconds();
        const double t[3] = {t1 - t0, t2 - t1, t3 - t2};
        for (int k = 0; k < 3; k++)
            if (t[k] < best[k])
                best[k] = t[k];
    }
    if (best[0] >= best[1] && best[0] >= best[2])
        return USE_MD5;
    return best[1] > best[2] ? USE_SHA1 : USE_SHA256;
}

struct digest *digest_create(void)
{
    return digest_create_with(DIGEST_WORKER_AUTO);
}

struct digest *digest_create_with(enum digest_worker w)
{
    struct digest *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->changed, NULL);
    for (int i = 0; i < NSLOTS; i++) {
        d->slots[i] = malloc(SLOT_SIZE);
        if (!d->slots[i]) {
            digest_destroy(d);
            return NULL;
        }
    }
    d->worker_set = w == DIGEST_WORKER_MD5    ? USE_MD5
                    : w == DIGEST_WORKER_SHA1   ? USE_SHA1
                    : w == DIGEST_WORKER_SHA256 ? USE_SHA256
                                                : slowest(d->slots[0]);
    /* Without a worker everything still works, on one core. */
    d->worker_started = pthread_create(&d->worker, NULL, worker_main, d) == 0;
    return d;
}

void digest_destroy(struct digest *d)
{
    if (!d)
        return;
    if (d->worker_started) {
        pthread_mutex_lock(&d->lock);
        d->quit = true;
        pthread_cond_broadcast(&d->changed);
        pthread_mutex_unlock(&d->lock);
        pthread_join(d->worker, NULL);
    }
    pthread_cond_destroy(&d->changed);
    pthread_mutex_destroy(&d->lock);
    for (int i = 0; i < NSLOTS; i++)
        if (d->slots[i]) {
            explicit_bzero(d->slots[i], SLOT_SIZE); /* the last file's bytes */
            free(d->slots[i]);
        }
    free(d);
}

void digest_begin(struct digest *d, uint64_t expected_size)
{
    md5_init(&d->md5);
    sha1_init(&d->sha1);
    sha256_init(&d->sha);
    d->threaded = d->worker_started && expected_size >= THREAD_MIN;
    pthread_mutex_lock(&d->lock);
    d->queued = d->done = 0;
    memset(d->slot_seq, 0, sizeof(d->slot_seq));
    d->next_slot = 0;
    pthread_mutex_unlock(&d->lock);
}

uint8_t *digest_slot(struct digest *d, size_t *cap)
{
    const unsigned i = d->next_slot;
    d->next_slot = (i + 1) % NSLOTS;
    if (d->threaded) {
        pthread_mutex_lock(&d->lock);
        while (d->done < d->slot_seq[i])
            pthread_cond_wait(&d->changed, &d->lock);
        pthread_mutex_unlock(&d->lock);
    }
    *cap = SLOT_SIZE;
    return d->slots[i];
}

static void remember_slot(struct digest *d, const uint8_t *buf, uint64_t seq)
{
    for (int i = 0; i < NSLOTS; i++)
        if (buf >= d->slots[i] && buf < d->slots[i] + SLOT_SIZE)
            d->slot_seq[i] = seq;
}

void digest_feed(struct digest *d, const uint8_t *buf, size_t n)
{
    if (n == 0)
        return;
    if (!d->threaded) {
        update(d, USE_ALL, buf, n);
        return;
    }
    pthread_mutex_lock(&d->lock);
    while (d->queued - d->done >= NSLOTS)
        pthread_cond_wait(&d->changed, &d->lock);
    d->queue[d->queued % NSLOTS] = (struct job){buf, n};
    d->queued++;
    remember_slot(d, buf, d->queued);
    pthread_cond_broadcast(&d->changed);
    pthread_mutex_unlock(&d->lock);
    update(d, USE_ALL & ~d->worker_set, buf, n);
}

void digest_end(struct digest *d, uint8_t md5[DIGEST_MD5_SIZE], uint8_t sha1[DIGEST_SHA1_SIZE],
                uint8_t sha256[DIGEST_SHA256_SIZE])
{
    if (d->threaded) {
        pthread_mutex_lock(&d->lock);
        while (d->done < d->queued)
            pthread_cond_wait(&d->changed, &d->lock);
        pthread_mutex_unlock(&d->lock);
    }
    md5_digest(&d->md5, DIGEST_MD5_SIZE, md5);
    sha1_digest(&d->sha1, DIGEST_SHA1_SIZE, sha1);
    sha256_digest(&d->sha, DIGEST_SHA256_SIZE, sha256);
}

void digest_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}
