#include "hash.h"
#include "hash_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
    SNIFF_BYTES = 64 * 1024,
};

/* Decoded rows travel from the decoder to a worker thread that runs the PDQ
 * pipes, so decoding and hashing overlap on two cores. Rows are published in
 * batches to keep locking rare. */
enum {
    QUEUE_ROWS = 128,
    QUEUE_BATCH = 32, /* QUEUE_ROWS is a multiple: consumed and written stay multiples of it */
    THREAD_MIN_PIXELS = 1 << 18, /* smaller images are hashed inline */
};
#define SPIN_SECONDS 200e-6 /* rowq_wait: a batch is ~0.1 ms of decoding on a 1 MP photo */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

struct sink_state;

struct qslot {
    int y;
    bool grey; /* every row up to this one was grey */
};

struct rowq {
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint8_t *ring;
    size_t ring_size, row_bytes;
    struct qslot slot[QUEUE_ROWS];
    unsigned long produced, consumed; /* published / hashed rows */
    unsigned long written;            /* producer only: rows written, maybe unpublished */
    struct sink_state *job;           /* NULL when idle */
    bool eof, quit;
    atomic_uint signals;              /* counts broadcasts, for rowq_wait's spin */
};

struct hash_ctx {
    struct hash_options opt;
    long cpus;                 /* online CPUs at create */
    struct digest *digest;
    struct rowq q;
};

static void *rowq_main(void *arg);
static void rowq_signal(struct rowq *q);

void (*hash_free_hook)(const void *p, size_t n);

void hash_secure_free(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n);
    if (hash_free_hook)
        hash_free_hook(p, n);
    free(p);
}

void hash_options_default(struct hash_options *o)
{
    memset(o, 0, sizeof(*o));
    o->limits = image_default_limits;
    o->max_image_bytes = 512ull << 20;
    o->full = true;
    o->displayed = true;
    o->video = true;
    vpdq_options_default(&o->vpdq);
}

struct hash_ctx *hash_ctx_create(const struct hash_options *opts)
{
    struct hash_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    if (opts)
        ctx->opt = *opts;
    else
        hash_options_default(&ctx->opt);
    ctx->digest = digest_create();
    if (!ctx->digest) {
        free(ctx);
        return NULL;
    }
    pthread_mutex_init(&ctx->q.lock, NULL);
    pthread_cond_init(&ctx->q.cond, NULL);
    atomic_init(&ctx->q.signals, 0);
    ctx->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return ctx;
}

void hash_ctx_destroy(struct hash_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->q.started) {
        pthread_mutex_lock(&ctx->q.lock);
        ctx->q.quit = true;
        rowq_signal(&ctx->q);
        pthread_mutex_unlock(&ctx->q.lock);
        pthread_join(ctx->q.thread, NULL);
    }
    pthread_cond_destroy(&ctx->q.cond);
    pthread_mutex_destroy(&ctx->q.lock);
    hash_secure_free(ctx->q.ring, ctx->q.ring_size); /* rows of the last picture */
    digest_destroy(ctx->digest);
    free(ctx);
}

static int fail(struct hash_result *res, enum hash_err e, const char *detail)
{
    res->err = e;
    snprintf(res->detail, sizeof(res->detail), "%s", detail ? detail : hash_err_message(e));
    return -1;
}

/* ---- PDQ pipelines ----
 * A pipe turns source rows into luma rows for one PDQ computation, either at
 * full size or sampled nearest-neighbour to the reference CLI's 512x512. It
 * runs the RGB luma path and, while every pixel so far has been grey, also
 * the grey path: ImageMagick hands an all-grey picture to the reference as
 * grey, and the two paths differ in the last float bit for some levels. */

enum { PATH_RGB, PATH_GREY, NPATHS };

struct pipe {
    bool active, sampled;
    int src_w, src_h, w, h;
    int *cols;             /* sampled: source column of each output column */
    int next_out;          /* sampled: next output row */
    /* [path][0] is the plain hash; [path][1] exists only for a 64x64 input,
     * where the reference's dihedral function skips the plain hash's bypass. */
    struct pdq_stream *s[NPATHS][2];
};

static void pipe_free(struct pipe *p)
{
    for (int i = 0; i < NPATHS; i++)
        for (int j = 0; j < 2; j++)
            pdq_stream_destroy(p->s[i][j]);
    free(p->cols);
    memset(p, 0, sizeof(*p));
}

static int pipe_init(struct pipe *p, int src_w, int src_h, bool cli, bool rgb, bool grey)
{
    memset(p, 0, sizeof(*p));
    p->active = true;
    p->src_w = src_w;
    p->src_h = src_h;
    if (cli)
        pdq_cli_dims(src_w, src_h, &p->w, &p->h);
    else {
        p->w = src_w;
        p->h = src_h;
    }
    p->sampled = p->w != src_w || p->h != src_h;
    if (p->sampled) {
        p->cols = malloc(sizeof(int) * (size_t)p->w);
        if (!p->cols)
            return -1;
        for (int x = 0; x < p->w; x++)
            p->cols[x] = pdq_nn_index(x, src_w, p->w);
    }
    const bool want[NPATHS] = {rgb, grey};
    const int variants = (cli && p->w == 64 && p->h == 64) ? 2 : 1;
    for (int i = 0; i < NPATHS; i++)
        for (int j = 0; j < variants && want[i]; j++)
            if (!(p->s[i][j] = pdq_stream_create(p->w, p->h, j ? PDQ_NO_BYPASS : 0)))
                return -1;
    return 0;
}

static void pipe_drop_grey(struct pipe *p)
{
    for (int j = 0; j < 2; j++) {
        pdq_stream_destroy(p->s[PATH_GREY][j]);
        p->s[PATH_GREY][j] = NULL;
    }
}

/* Luma of one row (sampled at cols when not NULL) into the pipe's streams,
 * written straight into their input buffers. */
static void pipe_emit(struct pipe *p, const uint8_t *row, const int *cols, int ch)
{
    const int n = p->w;
    struct pdq_stream *const *rgb = p->s[PATH_RGB], *const *grey = p->s[PATH_GREY];
    if (rgb[0]) {
        float *dst = pdq_stream_row(rgb[0]);
        if (cols)
            pdq_luma_rgb_sampled(row, cols, (size_t)n, dst);
        else
            pdq_luma_rgb(row, (size_t)n, dst);
        if (rgb[1])
            pdq_stream_push(rgb[1], dst);
        pdq_stream_commit(rgb[0]);
    }
    if (grey[0]) {
        /* Grey layout: the value; RGB with R = G = B: the red channel. */
        float *dst = pdq_stream_row(grey[0]);
        if (cols)
            for (int x = 0; x < n; x++)
                dst[x] = (float)row[(size_t)cols[x] * ch];
        else if (ch == 1)
            pdq_luma_grey(row, (size_t)n, dst);
        else
            for (int x = 0; x < n; x++)
                dst[x] = (float)row[3 * (size_t)x];
        if (grey[1])
            pdq_stream_push(grey[1], dst);
        pdq_stream_commit(grey[0]);
    }
}

static void pipe_push(struct pipe *p, int y, const uint8_t *row, int ch)
{
    if (!p->active)
        return;
    if (!p->sampled) {
        pipe_emit(p, row, NULL, ch);
        return;
    }
    while (p->next_out < p->h && pdq_nn_index(p->next_out, p->src_h, p->h) == y) {
        pipe_emit(p, row, p->cols, ch);
        p->next_out++;
    }
}

/* dct_out: the DCT the dihedral variants are derived from (as the reference's
 * dihedral function computes it). */
static int pipe_finish(struct pipe *p, bool grey, struct hash_pdq *out, struct pdq_dct *dct_out)
{
    struct pdq_stream *const *s = p->s[grey ? PATH_GREY : PATH_RGB];
    struct pdq_dct dct;
    if (!s[0] || pdq_stream_finish(s[0], &dct) != 0)
        return -1;
    out->present = true;
    out->quality = dct.quality;
    pdq_dct_hash(&dct, PDQ_ORIG, &out->hash);
    if (dct_out) {
        *dct_out = dct;
        if (s[1] && pdq_stream_finish(s[1], dct_out) != 0)
            return -1;
    }
    return 0;
}

/* ---- the image sink ---- */

struct sink_state {
    const struct hash_options *opt;
    struct hash_result *res;
    struct image_info info;
    int ch;
    bool grey;             /* every pixel so far has R = G = B (or the image is grey) */
    struct pipe cli, full;
    uint8_t *stored;       /* a copy of the pixels, only when the orientation needs it */
    size_t stored_len;
    struct rowq *q;        /* rows go to the worker (NULL: hashed inline) */
    bool grey_in;          /* decoder side: every row so far was grey */
    uint8_t *need;         /* decoder side: source rows some pipe uses */
};

/* Broadcast a change (lock held). */
static void rowq_signal(struct rowq *q)
{
    atomic_fetch_add_explicit(&q->signals, 1, memory_order_release);
    pthread_cond_broadcast(&q->cond);
}

/* Wait for a broadcast (lock held; callers re-check their condition). The
 * two threads hand over a batch every ~0.1 ms on a small photo: a thread
 * that sleeps each time is woken late (a halted virtual CPU) or moved onto
 * the waker's core by the scheduler, and the two then share one core. So,
 * within a picture, spin a little first; sleep only when nothing comes. */
static void rowq_wait(struct rowq *q, bool spin)
{
    const unsigned seen = atomic_load_explicit(&q->signals, memory_order_acquire);
    if (spin) {
        pthread_mutex_unlock(&q->lock);
        const double until = now_seconds() + SPIN_SECONDS;
        for (unsigned i = 1; atomic_load_explicit(&q->signals, memory_order_acquire) == seen; i++) {
            if (i % 64 == 0 && now_seconds() > until)
                break;
            cpu_relax();
        }
        pthread_mutex_lock(&q->lock);
    }
    if (atomic_load_explicit(&q->signals, memory_order_acquire) == seen)
        pthread_cond_wait(&q->cond, &q->lock);
}

static int rowq_start(struct rowq *q, struct sink_state *st, size_t row_bytes)
{
    if (!q->started) {
        if (pthread_create(&q->thread, NULL, rowq_main, q) != 0)
            return -1;
        q->started = true;
    }
    const size_t need = row_bytes * QUEUE_ROWS;
    if (need > q->ring_size) {
        /* Not realloc(): the old rows are pixels, wiped before they go. */
        uint8_t *r = malloc(need);
        if (!r)
            return -1;
        hash_secure_free(q->ring, q->ring_size);
        q->ring = r;
        q->ring_size = need;
    }
    pthread_mutex_lock(&q->lock);
    q->row_bytes = row_bytes;
    q->produced = q->consumed = q->written = 0;
    q->eof = false;
    q->job = st;
    pthread_mutex_unlock(&q->lock);
    return 0;
}

static void rowq_publish(struct rowq *q)
{
    pthread_mutex_lock(&q->lock);
    q->produced = q->written;
    rowq_signal(q);
    pthread_mutex_unlock(&q->lock);
}

static void rowq_put(struct rowq *q, int y, bool grey, const uint8_t *row)
{
    if (q->written % QUEUE_BATCH == 0 && q->written >= QUEUE_ROWS) {
        /* About to write into the next batch of slots: wait until it is free. */
        pthread_mutex_lock(&q->lock);
        while (q->written - q->consumed >= QUEUE_ROWS)
            rowq_wait(q, true);
        pthread_mutex_unlock(&q->lock);
    }
    const unsigned long i = q->written % QUEUE_ROWS;
    memcpy(q->ring + i * q->row_bytes, row, q->row_bytes);
    q->slot[i] = (struct qslot){y, grey};
    if (++q->written % QUEUE_BATCH == 0)
        rowq_publish(q);
}

/* No more rows: wait until the worker has hashed every queued one. */
static void rowq_finish(struct rowq *q)
{
    pthread_mutex_lock(&q->lock);
    q->produced = q->written;
    q->eof = true;
    rowq_signal(q);
    while (q->job)
        rowq_wait(q, true);
    pthread_mutex_unlock(&q->lock);
}

static int sink_begin(void *vctx, const struct image_info *info)
{
    struct sink_state *st = vctx;
    st->info = *info;
    st->ch = info->layout == IMAGE_GREY8 ? 1 : 3;
    st->grey = true;
    const bool rgb = info->layout == IMAGE_RGB8;
    if (pipe_init(&st->cli, info->width, info->height, true, rgb, true) != 0)
        return -1;
    if (st->opt->full && st->cli.sampled &&
        pipe_init(&st->full, info->width, info->height, false, rgb, true) != 0)
        return -1;
    if (st->opt->displayed && info->orientation > 1 && info->orientation <= 8) {
        st->stored_len = (size_t)info->width * (size_t)info->height * (size_t)st->ch;
        st->stored = malloc(st->stored_len);
        if (!st->stored)
            return -1;
    }
    st->grey_in = true;
    if (st->q && (uint64_t)info->width * (uint64_t)info->height >= THREAD_MIN_PIXELS) {
        /* Only the rows a pipe reads are handed over. */
        st->need = calloc((size_t)info->height, 1);
        if (!st->need)
            return -1;
        for (int y = 0; y < info->height; y++)
            st->need[y] = st->full.active || !st->cli.sampled;
        for (int i = 0; st->cli.sampled && i < st->cli.h; i++)
            st->need[pdq_nn_index(i, info->height, st->cli.h)] = 1;
        if (rowq_start(st->q, st, (size_t)info->width * (size_t)st->ch) == 0)
            return 0;
    }
    st->q = NULL; /* inline */
    return 0;
}

static bool row_is_grey(const uint8_t *row, int n)
{
    for (int x = 0; x < n; x++, row += 3)
        if (row[0] != row[1] || row[1] != row[2])
            return false;
    return true;
}

/* Runs on the worker (or inline): the PDQ pipes. grey: every row so far,
 * including rows no pipe reads, was grey. */
static void process_row(struct sink_state *st, int y, bool grey, const uint8_t *row)
{
    if (st->grey && !grey) {
        st->grey = false;
        pipe_drop_grey(&st->cli);
        pipe_drop_grey(&st->full);
    }
    pipe_push(&st->cli, y, row, st->ch);
    pipe_push(&st->full, y, row, st->ch);
}

static void *rowq_main(void *arg)
{
    struct rowq *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->quit && !(q->job && (q->consumed < q->produced || q->eof)))
            rowq_wait(q, q->job != NULL);   /* idle between pictures: just sleep */
        if (q->quit)
            break;
        if (q->consumed < q->produced) {
            const unsigned long from = q->consumed, to = q->produced;
            struct sink_state *st = q->job;
            pthread_mutex_unlock(&q->lock);
            for (unsigned long i = from; i < to; i++) {
                const struct qslot *sl = &q->slot[i % QUEUE_ROWS];
                process_row(st, sl->y, sl->grey, q->ring + (i % QUEUE_ROWS) * q->row_bytes);
            }
            pthread_mutex_lock(&q->lock);
            q->consumed = to;
            rowq_signal(q);
            continue;
        }
        q->job = NULL; /* eof and every row hashed */
        rowq_signal(q);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Runs on the decoder's thread. Decoders give rows in order from 0. */
static int sink_row(void *vctx, int y, const uint8_t *row)
{
    struct sink_state *st = vctx;
    if (st->stored) {
        const size_t stride = (size_t)st->info.width * (size_t)st->ch;
        memcpy(st->stored + (size_t)y * stride, row, stride);
    }
    if (st->ch == 3 && st->grey_in && !row_is_grey(row, st->info.width))
        st->grey_in = false;
    if (!st->q)
        process_row(st, y, st->grey_in, row);
    else if (st->need[y])
        rowq_put(st->q, y, st->grey_in, row);
    return 0;
}


/* PDQ of the picture as displayed, from the stored copy. */
static int hash_displayed(struct sink_state *st)
{
    const int o = st->info.orientation, w = st->info.width, h = st->info.height, ch = st->ch;
    int dw, dh;
    image_oriented_dims(o, w, h, &dw, &dh);
    const bool grey = st->grey;
    struct pipe cli, full;
    memset(&full, 0, sizeof(full));
    uint8_t *row = malloc((size_t)dw * (size_t)ch);
    int rc = -1;
    if (!row || pipe_init(&cli, dw, dh, true, !grey, grey) != 0)
        goto out;
    if (st->opt->full && cli.sampled && pipe_init(&full, dw, dh, false, !grey, grey) != 0)
        goto out;
    for (int y = 0; y < dh; y++) {
        for (int x = 0; x < dw; x++) {
            int sx, sy;
            image_oriented_source(o, w, h, x, y, &sx, &sy);
            memcpy(row + (size_t)x * ch, st->stored + ((size_t)sy * w + sx) * ch, (size_t)ch);
        }
        pipe_push(&cli, y, row, ch);
        pipe_push(&full, y, row, ch);
    }
    if (pipe_finish(&cli, grey, &st->res->pdq[HASH_PDQ_DISPLAYED_CLI], NULL) != 0)
        goto out;
    if (full.active && pipe_finish(&full, grey, &st->res->pdq[HASH_PDQ_DISPLAYED_FULL], NULL) != 0)
        goto out;
    if (!full.active && st->opt->full)
        st->res->pdq[HASH_PDQ_DISPLAYED_FULL] = st->res->pdq[HASH_PDQ_DISPLAYED_CLI];
    rc = 0;
out:
    hash_secure_free(row, (size_t)dw * (size_t)ch);
    pipe_free(&cli);
    pipe_free(&full);
    return rc;
}

static enum hash_err image_err_to_hash(enum image_err e)
{
    switch (e) {
    case IMAGE_ERR_CORRUPT: return HASH_ERR_CORRUPT;
    case IMAGE_ERR_TOO_LARGE: return HASH_ERR_TOO_LARGE;
    case IMAGE_ERR_UNSUPPORTED: return HASH_ERR_UNSUPPORTED;
    default: return HASH_ERR_NOMEM;
    }
}

int hash_image_inprocess(struct hash_ctx *ctx, const uint8_t *data, size_t len, struct hash_result *res)
{
    struct sink_state st;
    memset(&st, 0, sizeof(st));
    st.opt = &ctx->opt;
    st.res = res;
    /* One CPU: a second thread would only take turns with the decoder. */
    st.q = ctx->cpus > 1 ? &ctx->q : NULL;
    struct image_sink sink = {.ctx = &st, .begin = sink_begin, .row = sink_row};
    struct image_error ierr;
    int rc = -1;

    const int drc = image_decode(data, len, &ctx->opt.limits, &sink, &ierr);
    if (st.q)
        rowq_finish(st.q); /* the worker may not touch st after this */
    st.grey = st.grey_in;  /* rows no pipe read count too */
    if (drc != 0) {
        fail(res, image_err_to_hash(ierr.code), ierr.detail);
        goto out;
    }
    res->width = st.info.width;
    res->height = st.info.height;
    res->orientation = st.info.orientation;
    if (pipe_finish(&st.cli, st.grey, &res->pdq[HASH_PDQ_CLI], &res->dct) != 0) {
        fail(res, HASH_ERR_NOMEM, "PDQ failed");
        goto out;
    }
    if (ctx->opt.full) {
        if (st.full.active) {
            if (pipe_finish(&st.full, st.grey, &res->pdq[HASH_PDQ_FULL], NULL) != 0) {
                fail(res, HASH_ERR_NOMEM, "PDQ failed");
                goto out;
            }
        } else {
            res->pdq[HASH_PDQ_FULL] = res->pdq[HASH_PDQ_CLI];
        }
    }
    if (st.stored && hash_displayed(&st) != 0) {
        fail(res, HASH_ERR_NOMEM, "out of memory for the displayed orientation");
        goto out;
    }
    rc = 0;
out:
    free(st.need);
    pipe_free(&st.cli);
    pipe_free(&st.full);
    hash_secure_free(st.stored, st.stored_len); /* pixels of a private picture */
    return rc;
}

/* Hostile bytes are decoded in the sandbox (sandbox.c). */
static int hash_image(struct hash_ctx *ctx, const uint8_t *data, size_t len, struct hash_result *res)
{
    if (hash_in_process)
        return hash_image_inprocess(ctx, data, len, res);
    return hash_sandbox_image(&ctx->opt, data, len, res);
}

int hash_image_memory(struct hash_ctx *ctx, const uint8_t *data, size_t len, struct hash_result *res)
{
    memset(res, 0, sizeof(*res));
    res->orientation = 1;
    res->size = len;
    res->kind = hash_sniff(data, len, &res->format);
    if (res->kind != HASH_KIND_IMAGE)
        return fail(res, HASH_ERR_UNKNOWN_TYPE, NULL);
    return hash_image(ctx, data, len, res);
}

/* ---- reading ---- */

enum hash_err hash_errno_to_err(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return HASH_ERR_NOT_FOUND;
    case EACCES:
    case EPERM: return HASH_ERR_ACCESS;
    case ELOOP: return HASH_ERR_LOOP;
    case ENXIO:
    case ENODEV: return HASH_ERR_NOT_REGULAR;
    case ENOMEM: return HASH_ERR_NOMEM;
    default: return HASH_ERR_READ;
    }
}

/* A failed read: a pulled cable and a phone that stopped answering are
 * told apart from a device that fails (open() errors are another story:
 * hash_errno_to_err). */
static enum hash_err read_errno_to_err(int e)
{
    switch (e) {
    case ENODEV:
    case ENXIO: return HASH_ERR_GONE;
    case ETIMEDOUT: return HASH_ERR_TIMEOUT;
    default: return HASH_ERR_READ;
    }
}

static int read_error(struct hash_result *res, int e)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "read failed: %s", strerror(e));
    return fail(res, read_errno_to_err(e), msg);
}

/* One read_at() call; a reader that fails without errno, or returns more
 * than asked, counts as a failed device (EIO). */
static ssize_t source_read(const struct hash_source *src, uint8_t *buf, size_t n, uint64_t off,
                           int *err)
{
    errno = 0;
    const ssize_t r = src->read_at(src->ctx, buf, n, off);
    if (r < 0 || (size_t)r > n) {
        *err = r < 0 && errno > 0 ? errno : EIO;
        return -1;
    }
    return r;
}

/* Exactly n bytes at off, however the reader cuts them: 0; 1 when the
 * file ends first; -1 with *err when a read fails. */
static int read_into(const struct hash_source *src, uint8_t *buf, size_t n, uint64_t off, int *err)
{
    for (size_t got = 0; got < n;) {
        const ssize_t r = source_read(src, buf + got, n - got, off + got, err);
        if (r < 0)
            return -1;
        if (r == 0)
            return 1;
        got += (size_t)r;
    }
    return 0;
}

/* read_into(), or the error that explains why not. 0 / -1. */
static int read_exact(const struct hash_source *src, uint8_t *buf, size_t n, uint64_t off,
                      struct hash_result *res)
{
    int e = 0;
    const int r = read_into(src, buf, n, off, &e);
    if (r < 0)
        return read_error(res, e);
    if (r > 0)
        return fail(res, HASH_ERR_CHANGED, "the file shrank while it was being read");
    return 0;
}

/* After the expected size, the file must be at its end. */
static int check_end(const struct hash_source *src, struct hash_result *res)
{
    uint8_t extra;
    int e;
    const ssize_t r = source_read(src, &extra, 1, src->size, &e);
    explicit_bzero(&extra, sizeof(extra));
    if (r < 0)
        return read_error(res, e);
    if (r > 0)
        return fail(res, HASH_ERR_CHANGED, "the file grew while it was being read");
    return 0;
}

static void progress(struct hash_ctx *ctx, uint64_t done, uint64_t total)
{
    if (ctx->opt.progress)
        ctx->opt.progress(ctx->opt.progress_ctx, done, total);
}

static bool cancelled(struct hash_ctx *ctx)
{
    return ctx->opt.cancelled && ctx->opt.cancelled(ctx->opt.progress_ctx);
}

/* ---- videos: vPDQ through the same reader ---- */

static enum hash_err vpdq_err_to_hash(const struct vpdq_error *e)
{
    switch (e->code) {
    case VPDQ_ERR_READ: return read_errno_to_err(e->sys_errno);
    case VPDQ_ERR_CORRUPT: return HASH_ERR_VIDEO_CORRUPT;
    case VPDQ_ERR_NO_VIDEO: return HASH_ERR_NO_VIDEO;
    case VPDQ_ERR_UNSUPPORTED: return HASH_ERR_VIDEO_UNSUPPORTED;
    case VPDQ_ERR_TOO_LARGE: return HASH_ERR_VIDEO_TOO_LARGE;
    case VPDQ_ERR_NO_FRAMES: return HASH_ERR_NO_FRAMES;
    case VPDQ_ERR_BUDGET: return HASH_ERR_VIDEO_TOO_LONG;
    case VPDQ_ERR_CANCELLED: return HASH_ERR_CANCELLED;   /* only hash_options.cancelled stops it */
    default: return HASH_ERR_NOMEM;
    }
}

static int video_progress(void *vctx, double done, double total)
{
    struct hash_ctx *ctx = vctx;
    progress(ctx, (uint64_t)(done * 1000.0), (uint64_t)(total * 1000.0));
    return cancelled(ctx) ? 1 : 0;
}

static void video_options(struct hash_ctx *ctx, struct vpdq_options *o)
{
    *o = ctx->opt.vpdq;
    o->displayed = ctx->opt.displayed;
    if (ctx->opt.progress || ctx->opt.cancelled) {
        o->progress = video_progress;
        o->progress_ctx = ctx;
    }
}

/* ---- videos in one pass ----
 * Over a cable every byte costs time, so a video is read once, by the vPDQ
 * decoder, and the digests follow its reads: bytes at the digests' position
 * are fed at once; bytes ahead of it (an index at the end of the file, read
 * first) are kept, up to hash_hold_budget, until the position reaches them. When
 * the budget is full the gap is read at once instead; what the decoder
 * never read is read at the end. The digests are of the bytes in order,
 * exactly as a plain read gives them; the decoder sees the reader's bytes
 * untouched. Reading stays within about the file's size (a second decoding
 * attempt, vpdq's fallback, reads it again). */

size_t hash_hold_budget = HASH_HOLD_BUDGET;

struct held {
    uint64_t off;
    size_t len;
    struct held *next;
    uint8_t buf[];
};

struct tee {
    struct hash_ctx *ctx;
    const struct hash_source *src;
    struct hash_result *res;
    const uint8_t *head;     /* the first head_len bytes (sniffed): served from memory */
    size_t head_len;
    uint64_t pos;            /* the digests have every byte before this */
    struct held *held;       /* bytes ahead of pos, by offset */
    size_t held_bytes;
    int err;                 /* the first failed read's errno (0: none) */
    bool broken;             /* the digests cannot be completed: res->err says why */
};

static void held_free(struct held *h)
{
    hash_secure_free(h, sizeof(*h) + h->len);
}

/* Bytes at pos, in order: copied into the digest's own slots (the reader's
 * buffer is the decoder's, reused at once). */
static void tee_feed(struct tee *t, const uint8_t *data, size_t len)
{
    while (len) {
        size_t cap;
        uint8_t *slot = digest_slot(t->ctx->digest, &cap);
        const size_t n = len < cap ? len : cap;
        memcpy(slot, data, n);
        digest_feed(t->ctx->digest, slot, n);
        data += n;
        len -= n;
        t->pos += n;
    }
}

/* Kept bytes the position has reached. */
static void tee_release(struct tee *t)
{
    while (t->held && t->held->off <= t->pos) {
        struct held *h = t->held;
        t->held = h->next;
        t->held_bytes -= h->len;
        if (h->off + h->len > t->pos)
            tee_feed(t, h->buf + (t->pos - h->off), (size_t)(h->off + h->len - t->pos));
        held_free(h);
    }
}

/* Reads the gaps up to `upto` from the source, using what is kept; polls
 * the cancel. final: the last stretch after decoding, reported as bytes. */
static int tee_catch_up(struct tee *t, uint64_t upto, bool final)
{
    struct hash_ctx *ctx = t->ctx;
    while (!t->broken && (tee_release(t), t->pos < upto)) {
        uint64_t end = t->held && t->held->off < upto ? t->held->off : upto;
        size_t cap;
        uint8_t *slot = digest_slot(ctx->digest, &cap);
        const size_t n = end - t->pos < cap ? (size_t)(end - t->pos) : cap;
        int e = 0;
        const int r = read_into(t->src, slot, n, t->pos, &e);
        if (r != 0) {
            t->broken = true;
            if (r < 0) {
                t->err = e;
                return read_error(t->res, e);
            }
            return fail(t->res, HASH_ERR_CHANGED, "the file shrank while it was being read");
        }
        digest_feed(ctx->digest, slot, n);
        t->pos += n;
        if (final)
            progress(ctx, t->pos, t->src->size);
        if (cancelled(ctx)) {
            t->broken = true;
            return fail(t->res, HASH_ERR_CANCELLED, NULL);
        }
    }
    return t->broken ? -1 : 0;
}

/* What the decoder read, for the digests. */
static void tee_take(struct tee *t, const uint8_t *data, size_t len, uint64_t off)
{
    if (t->broken || off + len <= t->pos)
        return;
    if (off > t->pos) {
        /* Ahead: keep a copy, or, with the budget spent, read up to it now. */
        struct held *h = t->held_bytes + len <= hash_hold_budget ? malloc(sizeof(*h) + len) : NULL;
        if (h) {
            h->off = off;
            h->len = len;
            memcpy(h->buf, data, len);
            struct held **at = &t->held;
            while (*at && (*at)->off <= off)
                at = &(*at)->next;
            h->next = *at;
            *at = h;
            t->held_bytes += len;
            return;
        }
        if (tee_catch_up(t, off, false) != 0 || off + len <= t->pos)
            return;
    }
    tee_feed(t, data + (t->pos - off), (size_t)(off + len - t->pos));
    tee_release(t);
}

static ssize_t tee_read_at(void *vctx, void *buf, size_t n, uint64_t off)
{
    struct tee *t = vctx;
    if (t->err) {
        errno = t->err;
        return -1;
    }
    if (off < t->head_len) {
        /* Digested already; one round trip to a phone saved. */
        const size_t k = n < t->head_len - off ? n : (size_t)(t->head_len - off);
        memcpy(buf, t->head + off, k);
        return (ssize_t)k;
    }
    int e = 0;
    const ssize_t r = source_read(t->src, buf, n, off, &e);
    if (r < 0) {
        t->err = e;
        errno = e;
        return -1;
    }
    tee_take(t, buf, (size_t)r, off);
    if (t->err) { /* a gap read failed: the device is in trouble for the decoder too */
        errno = t->err;
        return -1;
    }
    return r;
}

/* The sniffed head (len bytes) is digested already. */
static int hash_video(struct hash_ctx *ctx, const struct hash_source *src, const uint8_t *head,
                      size_t len, struct hash_result *res)
{
    struct tee t = {.ctx = ctx, .src = src, .res = res, .head = head, .head_len = len, .pos = len};
    struct vpdq_options o;
    video_options(ctx, &o);
    const struct vpdq_reader rd = {.size = src->size, .read_at = tee_read_at, .ctx = &t};
    struct vpdq_error verr;
    const int vrc = hash_in_process ? vpdq_hash_reader(&rd, &o, &res->vpdq, &verr)
                                    : hash_sandbox_video(&ctx->opt, &rd, &o, &res->vpdq, &verr);
    int rc = -1;
    if (t.broken)
        goto out; /* res->err says why */
    if (t.err) {
        read_error(res, t.err);
        goto out;
    }
    if (vrc != 0 && verr.code == VPDQ_ERR_CANCELLED) {
        fail(res, HASH_ERR_CANCELLED, verr.detail);
        goto out;
    }
    if (tee_catch_up(&t, src->size, true) != 0 || check_end(src, res) != 0)
        goto out;
    digest_end(ctx->digest, res->md5, res->sha1, res->sha256);
    res->have_digests = true;
    rc = vrc == 0 ? 0 : fail(res, vpdq_err_to_hash(&verr), verr.detail);
out:
    while (t.held) {
        struct held *h = t.held;
        t.held = h->next;
        held_free(h);
    }
    if (!res->have_digests) {
        /* Not read whole: no fingerprint of it at all. Drain the digests'
         * worker so the next file starts clean. */
        uint8_t md5[DIGEST_MD5_SIZE], sha1[DIGEST_SHA1_SIZE], sha[DIGEST_SHA256_SIZE];
        digest_end(ctx->digest, md5, sha1, sha);
        vpdq_result_free(res->vpdq);
        res->vpdq = NULL;
    }
    return rc;
}

void hash_result_clear(struct hash_result *res)
{
    if (!res)
        return;
    vpdq_result_free(res->vpdq);
    memset(res, 0, sizeof(*res));
}

/* ---- one file, from any reader ---- */

static int hash_source_run(struct hash_ctx *ctx, const struct hash_source *src,
                           struct hash_result *res)
{
    int rc = -1;
    uint8_t *image = NULL;
    const uint64_t size = src->size;
    if (size == 0)
        return fail(res, HASH_ERR_EMPTY, NULL);

    struct digest *d = ctx->digest;
    digest_begin(d, size);
    size_t cap;
    uint8_t *slot = digest_slot(d, &cap);
    const size_t want = size < SNIFF_BYTES ? (size_t)size : SNIFF_BYTES;
    if (read_exact(src, slot, want, 0, res) != 0)
        goto out_digest;
    res->kind = hash_sniff(slot, want, &res->format);

    if (res->kind == HASH_KIND_IMAGE && size <= ctx->opt.max_image_bytes) {
        /* Images are decoded from memory: read them once into one buffer,
         * digesting as the bytes arrive. */
        image = malloc((size_t)size);
        if (!image) {
            fail(res, HASH_ERR_NOMEM, "out of memory for the image file");
            goto out_digest;
        }
        memcpy(image, slot, want);
        slot = image;
    }
    if (res->kind == HASH_KIND_VIDEO && ctx->opt.video) {
        /* One pass for both; the head is kept for the decoder's first reads
         * (the slot is the digests' again after this). */
        uint8_t *head = malloc(want);
        if (head)
            memcpy(head, slot, want);
        digest_feed(d, slot, want);
        rc = hash_video(ctx, src, head, head ? want : 0, res);
        hash_secure_free(head, want);
        return rc;
    }
    digest_feed(d, slot, want);
    for (uint64_t done = want; done < size;) {
        /* Into the image buffer, or into the digest's own slots (constant memory). */
        uint8_t *dst = image ? image + done : digest_slot(d, &cap);
        const size_t chunk = size - done < cap ? (size_t)(size - done) : cap;
        if (read_exact(src, dst, chunk, done, res) != 0)
            goto out_digest;
        digest_feed(d, dst, chunk);
        done += chunk;
        progress(ctx, done, size);
        if (cancelled(ctx)) {
            fail(res, HASH_ERR_CANCELLED, NULL);
            goto out_digest;
        }
    }
    if (check_end(src, res) != 0)
        goto out_digest;
    digest_end(d, res->md5, res->sha1, res->sha256);
    res->have_digests = true;

    switch (res->kind) {
    case HASH_KIND_IMAGE:
        if (!image) {
            fail(res, HASH_ERR_TOO_LARGE, "image file too large to decode; exact hashes only");
            goto out;
        }
        rc = hash_image(ctx, image, (size_t)size, res);
        break;
    case HASH_KIND_VIDEO:
        rc = 0; /* vPDQ not asked for (with it, videos go hash_video()) */
        break;
    default:
        fail(res, HASH_ERR_UNKNOWN_TYPE, NULL);
        break;
    }
    goto out;

out_digest:
    /* Drain the worker so the next file starts clean; these digests are not valid. */
    {
        uint8_t md5[DIGEST_MD5_SIZE], sha1[DIGEST_SHA1_SIZE], sha[DIGEST_SHA256_SIZE];
        digest_end(d, md5, sha1, sha);
    }
out:
    hash_secure_free(image, image ? (size_t)size : 0);
    return rc;
}

int hash_source_file(struct hash_ctx *ctx, const struct hash_source *src, struct hash_result *res)
{
    memset(res, 0, sizeof(*res));
    res->format = "unknown";
    res->orientation = 1;
    if (!src || !src->read_at)
        return fail(res, HASH_ERR_READ, "no reader");
    res->size = src->size;
    return hash_source_run(ctx, src, res);
}

/* ---- files: a reader over pread() ---- */

/* Beneath dirfd: symlinks may not lead out of it, nor "..", nor /proc's
 * magic links (openat2); without openat2, one component at a time and no
 * symlinks at all. So a link swapped in after the walk looked cannot
 * point the hashing (and its decoders) at a file elsewhere. */
static int open_beneath(int dirfd, const char *rel, int flags)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
    if (fd >= 0 || errno != ENOSYS)
        return fd;
    char *copy = strdup(rel);
    if (!copy)
        return -1;
    int cur = dup(dirfd);
    char *save = NULL;
    for (char *comp = strtok_r(copy, "/", &save); cur >= 0 && comp;) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(comp, "..")) {
            close(cur);
            cur = -1;
            errno = EXDEV;
            break;
        }
        const int fl = next ? O_RDONLY | O_DIRECTORY | O_PATH : flags;
        const int nfd = openat(cur, comp, fl | O_NOFOLLOW | O_CLOEXEC);
        close(cur);
        cur = nfd;
        comp = next;
    }
    free(copy);
    return cur;
}

/* dirfd < 0: path as given. */
static int open_readonly(int dirfd, const char *path, struct hash_result *res)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOATIME:
     * leave the person's device as it was, where the kernel lets us. */
    const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = dirfd < 0 ? open(path, flags | O_NOATIME) : open_beneath(dirfd, path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = dirfd < 0 ? open(path, flags) : open_beneath(dirfd, path, flags);
    if (fd < 0 && dirfd >= 0 && (errno == EXDEV || errno == ELOOP)) {
        fail(res, HASH_ERR_ACCESS, "a link leads outside the folder being hashed");
        return -1;
    }
    if (fd < 0) {
        fail(res, hash_errno_to_err(errno), strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail(res, HASH_ERR_READ, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(res, HASH_ERR_NOT_REGULAR, NULL);
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    res->size = (uint64_t)st.st_size;
    return fd;
}

static ssize_t fd_read_at(void *vctx, void *buf, size_t n, uint64_t off)
{
    const int fd = *(const int *)vctx;
    ssize_t r;
    do
        r = pread(fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r;
}

static int hash_file_in(struct hash_ctx *ctx, int dirfd, const char *path, struct hash_result *res)
{
    memset(res, 0, sizeof(*res));
    res->format = "unknown";
    res->orientation = 1;
    int fd = open_readonly(dirfd, path, res);
    if (fd < 0)
        return -1;
    const struct hash_source src = {.size = res->size, .read_at = fd_read_at, .ctx = &fd};
    const int rc = hash_source_run(ctx, &src, res);
    close(fd);
    return rc;
}

int hash_file(struct hash_ctx *ctx, const char *path, struct hash_result *res)
{
    return hash_file_in(ctx, -1, path, res);
}

int hash_file_at(struct hash_ctx *ctx, int dirfd, const char *rel, struct hash_result *res)
{
    if (dirfd < 0) {
        memset(res, 0, sizeof(*res));
        res->format = "unknown";
        res->orientation = 1;
        return fail(res, HASH_ERR_NOT_FOUND, "no folder to open the file beneath");
    }
    return hash_file_in(ctx, dirfd, rel, res);
}

/* ---- names ---- */

static const struct {
    const char *code, *message;
} errors[HASH_ERR_COUNT] = {
    [HASH_OK] = {"ok", "ok"},
    [HASH_ERR_NOT_FOUND] = {"not_found", "file not found"},
    [HASH_ERR_ACCESS] = {"permission_denied", "permission denied"},
    [HASH_ERR_NOT_REGULAR] = {"not_regular_file", "not a regular file (a device, FIFO or socket)"},
    [HASH_ERR_EMPTY] = {"empty_file", "the file is empty"},
    [HASH_ERR_READ] = {"read_error", "the file could not be read (was the device removed?)"},
    [HASH_ERR_CHANGED] = {"file_changed", "the file changed while it was being read"},
    [HASH_ERR_UNKNOWN_TYPE] = {"unknown_type", "not an image or video this tool recognises"},
    [HASH_ERR_CORRUPT] = {"corrupt_image", "corrupt image: the file is damaged or incomplete"},
    [HASH_ERR_TOO_LARGE] = {"image_too_large", "image too large to decode safely"},
    [HASH_ERR_UNSUPPORTED] = {"unsupported_image", "this kind of image is not supported"},
    [HASH_ERR_NOMEM] = {"out_of_memory", "out of memory"},
    [HASH_ERR_LOOP] = {"directory_loop", "folder loop: a link points back to a parent folder"},
    [HASH_ERR_VIDEO_CORRUPT] = {"corrupt_video", "the video is damaged or incomplete"},
    [HASH_ERR_VIDEO_UNSUPPORTED] = {"unsupported_video", "this kind of video cannot be decoded here"},
    [HASH_ERR_NO_VIDEO] = {"no_video_stream", "this file has no pictures (sound only?)"},
    [HASH_ERR_NO_FRAMES] = {"no_video_frames", "not a single picture in this video could be decoded"},
    [HASH_ERR_VIDEO_TOO_LARGE] = {"video_too_large", "the video's picture size is too large to decode safely"},
    [HASH_ERR_VIDEO_TOO_LONG] = {"video_too_long", "the video is too long to fingerprint completely; its beginning was fingerprinted"},
    [HASH_ERR_CANCELLED] = {"cancelled", "stopped before the end, as asked"},
    [HASH_ERR_GONE] = {"device_removed", "the device was unplugged while the file was read"},
    [HASH_ERR_TIMEOUT] = {"device_not_answering", "the device stopped answering"},
};

const char *hash_err_code(enum hash_err e)
{
    return (unsigned)e < HASH_ERR_COUNT ? errors[e].code : "unknown_error";
}

const char *hash_err_message(enum hash_err e)
{
    return (unsigned)e < HASH_ERR_COUNT ? errors[e].message : "unknown error";
}

const char *hash_kind_name(enum hash_kind k)
{
    switch (k) {
    case HASH_KIND_IMAGE: return "image";
    case HASH_KIND_VIDEO: return "video";
    default: return "other";
    }
}
