#include "digest.h"

#include <nettle/md5.h>
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

struct digest {
    struct md5_ctx md5;
    struct sha256_ctx sha;
    bool threaded;
    bool worker_md5;              /* the worker runs MD5 (else SHA-256) */

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
        if (d->worker_md5)
            md5_update(&d->md5, j.n, j.buf);
        else
            sha256_update(&d->sha, j.n, j.buf);
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

/* Whether MD5 is slower than SHA-256 here: the best of three runs of each
 * over 128 KiB (about 0.2 ms in all; SHA-NI makes SHA-256 ~2.5x faster than
 * MD5, without it SHA-256 is the slower one). */
static bool md5_slower(uint8_t *buf)
{
    enum { N = 128 * 1024 };
    for (size_t i = 0; i < N; i++)
        buf[i] = (uint8_t)(i * 131u + (i >> 9));
    double best_md5 = 1e9, best_sha = 1e9;
    for (int r = 0; r < 3; r++) {
        struct md5_ctx m;
        struct sha256_ctx s;
        md5_init(&m);
        sha256_init(&s);
        double t0 = seconds();
        md5_update(&m, N, buf);
        double t1 = seconds();
        sha256_update(&s, N, buf);
        double t2 = seconds();
        if (t1 - t0 < best_md5)
            best_md5 = t1 - t0;
        if (t2 - t1 < best_sha)
            best_sha = t2 - t1;
    }
    return best_md5 > best_sha;
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
    d->worker_md5 = w == DIGEST_WORKER_MD5 || (w == DIGEST_WORKER_AUTO && md5_slower(d->slots[0]));
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
        md5_update(&d->md5, n, buf);
        sha256_update(&d->sha, n, buf);
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
    if (d->worker_md5)
        sha256_update(&d->sha, n, buf);
    else
        md5_update(&d->md5, n, buf);
}

void digest_end(struct digest *d, uint8_t md5[DIGEST_MD5_SIZE], uint8_t sha256[DIGEST_SHA256_SIZE])
{
    if (d->threaded) {
        pthread_mutex_lock(&d->lock);
        while (d->done < d->queued)
            pthread_cond_wait(&d->changed, &d->lock);
        pthread_mutex_unlock(&d->lock);
    }
    md5_digest(&d->md5, DIGEST_MD5_SIZE, md5);
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
