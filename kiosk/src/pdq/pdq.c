/* PDQ, streaming. The reference filters a full float copy of the image with
 * four box passes (rows, columns, rows, columns) and then point-samples a
 * 64x64 grid. Here the same float operations run in the same order, but on
 * rows as they arrive: the column passes keep one running sum per column and
 * a ring of the last window+1 rows, and the last two passes are only
 * evaluated where the 64x64 grid samples them. Each output value is the
 * result of exactly the reference's sequence of float adds, subtracts and
 * divides, so the hash is bit-identical while memory stays small. */
#include "pdq.h"

#include "codec.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__FAST_MATH__)
#error "PDQ must not be built with -ffast-math"
#endif

/* ---- DCT matrix (16 x 64), built once as the reference does ---- */

static float dct_matrix[16][64];
static pthread_once_t dct_once = PTHREAD_ONCE_INIT;

static void dct_init(void)
{
    const double pi = 3.14159265358979323846;
    /* The scale factor is rounded to float before the multiply. */
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++)
            dct_matrix[i][j] =
                (float)((double)scale * cos((pi / 2.0 / 64.0) * (double)(i + 1) * (double)(2 * j + 1)));
}

/* ---- 1-D box filter along rows (the reference's box1DFloat) ----
 * out[i] = mean of in[i-(w-half) .. i+half-1] clipped to the row, from one
 * float running sum per row: add the right edge, then subtract the left
 * edge, then divide by the number of samples summed. The running sum is a
 * serial chain, so BATCH rows are filtered together: their chains are
 * independent and interleave. Sums are stored first and divided in a second,
 * vectorisable loop; the float operations are the same, so is every bit. */

enum { BATCH = 8 };

static int half_window(int w)
{
    return (w + 2) / 2;
}

/* Samples summed for output i of a row of n with window w. */
static int box_count(int i, int n, int w)
{
    const int half = half_window(w);
    if (i <= w - half)
        return half + i;
    if (i <= n - half)
        return w;
    return w - i + n - half;
}

/* Running sums of BATCH rows into out (not yet divided). */
static void hbox_sums(const float *const in[BATCH], float *const out[BATCH], int n, int w)
{
    const int half = half_window(w);
    float sum[BATCH] = {0};
    int ri = 0, li = 0, oi = 0;

    for (int i = 0; i < half - 1; i++, ri++)
        for (int r = 0; r < BATCH; r++)
            sum[r] += in[r][ri];
    for (int i = 0; i < w - half + 1; i++, ri++, oi++)
        for (int r = 0; r < BATCH; r++) {
            sum[r] += in[r][ri];
            out[r][oi] = sum[r];
        }
    for (int i = 0; i < n - w; i++, ri++, li++, oi++)
        for (int r = 0; r < BATCH; r++) {
            sum[r] += in[r][ri];
            sum[r] -= in[r][li];
            out[r][oi] = sum[r];
        }
    for (int i = 0; i < half - 1; i++, li++, oi++)
        for (int r = 0; r < BATCH; r++) {
            sum[r] -= in[r][li];
            out[r][oi] = sum[r];
        }
}

static void divide_counts(float *row, int n, int w)
{
    const int half = half_window(w);
    int i = 0;
    for (; i <= w - half && i < n; i++)
        row[i] = row[i] / (float)box_count(i, n, w);
    const float full = (float)w;
    for (; i <= n - half; i++)
        row[i] = row[i] / full;
    for (; i < n; i++)
        row[i] = row[i] / (float)box_count(i, n, w);
}

/* The same running sums, but means are only taken at the 64 sampled columns. */
static void hbox_sampled(const float *const in[BATCH], float *const out[BATCH], int n, int w,
                         const int cols[64])
{
    const int half = half_window(w);
    float sum[BATCH] = {0};
    int ri = 0, li = 0, oi = 0, k = 0;

#define EMIT()                                                  \
    do {                                                        \
        for (; k < 64 && cols[k] == oi; k++) {                  \
            const float c = (float)box_count(oi, n, w);         \
            for (int r = 0; r < BATCH; r++)                     \
                out[r][k] = sum[r] / c;                         \
        }                                                       \
    } while (0)

    for (int i = 0; i < half - 1; i++, ri++)
        for (int r = 0; r < BATCH; r++)
            sum[r] += in[r][ri];
    for (int i = 0; i < w - half + 1; i++, ri++, oi++) {
        for (int r = 0; r < BATCH; r++)
            sum[r] += in[r][ri];
        EMIT();
    }
    for (int i = 0; i < n - w; i++, ri++, li++, oi++) {
        for (int r = 0; r < BATCH; r++) {
            sum[r] += in[r][ri];
            sum[r] -= in[r][li];
        }
        EMIT();
    }
    for (int i = 0; i < half - 1; i++, li++, oi++) {
        for (int r = 0; r < BATCH; r++)
            sum[r] -= in[r][li];
        EMIT();
    }
#undef EMIT
}

/* ---- 1-D box filter down the columns, fed one row at a time ----
 * One running sum per column, updated for a whole row at once; the float
 * operations on each column are those of box1DFloat with a stride. */

struct vbox {
    int n, w, half, width;
    int in_rows, cnt;
    float *ring; /* w + BATCH rows: the window, plus a batch being written */
    float *sum;
};

static int vbox_init(struct vbox *v, int n, int w, int width)
{
    memset(v, 0, sizeof(*v));
    v->n = n;
    v->w = w;
    v->half = half_window(w);
    v->width = width;
    v->ring = malloc(sizeof(float) * (size_t)(w + BATCH) * (size_t)width);
    v->sum = calloc((size_t)width, sizeof(float));
    return (v->ring && v->sum) ? 0 : -1;
}

/* Wiped: the rows are blurred luma of somebody's picture. */
static void free_wiped(void *p, size_t n)
{
    if (p) {
        explicit_bzero(p, n);
        free(p);
    }
}

static void vbox_free(struct vbox *v)
{
    free_wiped(v->ring, sizeof(float) * (size_t)(v->w + BATCH) * (size_t)v->width);
    free_wiped(v->sum, sizeof(float) * (size_t)v->width);
}

static float *vbox_slot(const struct vbox *v, int row)
{
    return v->ring + (size_t)(row % (v->w + BATCH)) * (size_t)v->width;
}

/* Input row in_rows + ahead (ahead < BATCH) is written into the returned
 * slot before it is pushed. */
static float *vbox_next(const struct vbox *v, int ahead)
{
    return vbox_slot(v, v->in_rows + ahead);
}

static void vbox_mean(const struct vbox *v, float *out)
{
    const float c = (float)v->cnt;
    const float *sum = v->sum;
    for (int j = 0; j < v->width; j++)
        out[j] = sum[j] / c;
}

/* Takes the row in vbox_next(). Returns the index of the output row now
 * written to out, or -1. After the last row, vbox_flush() gives the rest. */
static int vbox_push(struct vbox *v, float *out)
{
    const int k = v->in_rows++;
    const float *row = vbox_slot(v, k);
    float *sum = v->sum;
    if (k < v->w) {
        for (int j = 0; j < v->width; j++)
            sum[j] += row[j];
        v->cnt++;
        if (k < v->half - 1)
            return -1;
    } else {
        const float *old = vbox_slot(v, k - v->w);
        for (int j = 0; j < v->width; j++) {
            sum[j] += row[j];
            sum[j] -= old[j];
        }
    }
    vbox_mean(v, out);
    return k - (v->half - 1);
}

/* Phase 4: t = 0 .. half-2. Returns the output row index written to out. */
static int vbox_flush(struct vbox *v, int t, float *out)
{
    const float *old = vbox_slot(v, v->n - v->w + t);
    float *sum = v->sum;
    for (int j = 0; j < v->width; j++)
        sum[j] -= old[j];
    v->cnt--;
    vbox_mean(v, out);
    return v->n - v->half + 1 + t;
}

/* ---- the stream ----
 * luma rows -> [batch] -> pass 1 (rows) -> pass 2 (columns) -> [batch] ->
 * pass 3 (rows, sampled) -> pass 4 (columns, 64 wide) -> sampled rows. */

struct pdq_stream {
    int width, height;
    int rows;
    bool degenerate, bypass;
    int wr, wc;              /* window along rows (from width), along columns (from height) */
    int cols[64], rows64[64];
    int next_row64;
    float *in[BATCH];        /* luma rows waiting for pass 1 */
    float *p1;               /* pass 1 output of padding rows (discarded) */
    float *p2[BATCH];        /* pass 2 output rows waiting for pass 3 */
    float *spare;            /* padding row for partial batches */
    int nin, np2;
    float p3[BATCH][64];
    float p4[64];
    struct vbox pass2, pass4;
    float a[64][64];
};

static int jarosz_window(int dim)
{
    return (dim + 2 * 64 - 1) / (2 * 64);
}

struct pdq_stream *pdq_stream_create(int width, int height, unsigned flags)
{
    if (width <= 0 || height <= 0)
        return NULL;
    pthread_once(&dct_once, dct_init);

    struct pdq_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->width = width;
    s->height = height;
    s->spare = calloc((size_t)width, sizeof(float)); /* also the sink of rows nobody needs */
    if (!s->spare) {
        free(s);
        return NULL;
    }
    if (width < PDQ_MIN_DIM || height < PDQ_MIN_DIM) {
        s->degenerate = true;
        return s;
    }
    if (width == 64 && height == 64 && !(flags & PDQ_NO_BYPASS)) {
        s->bypass = true;
        return s;
    }
    s->wr = jarosz_window(width);
    s->wc = jarosz_window(height);
    /* Decimation at cell centres, index arithmetic in double as the reference. */
    for (int i = 0; i < 64; i++) {
        s->rows64[i] = (int)(((i + 0.5) * height) / 64);
        s->cols[i] = (int)(((i + 0.5) * width) / 64);
    }
    bool ok = true;
    for (int r = 0; r < BATCH && ok; r++)
        ok = (s->in[r] = malloc(sizeof(float) * (size_t)width)) &&
             (s->p2[r] = malloc(sizeof(float) * (size_t)width));
    ok = ok && (s->p1 = malloc(sizeof(float) * (size_t)width));
    if (!ok || vbox_init(&s->pass2, height, s->wc, width) != 0 ||
        vbox_init(&s->pass4, height, s->wc, 64) != 0) {
        pdq_stream_destroy(s);
        return NULL;
    }
    return s;
}

void pdq_stream_destroy(struct pdq_stream *s)
{
    if (!s)
        return;
    const size_t row = sizeof(float) * (size_t)s->width;
    for (int r = 0; r < BATCH; r++) {
        free_wiped(s->in[r], row);
        free_wiped(s->p2[r], row);
    }
    free_wiped(s->p1, row);
    free_wiped(s->spare, row);
    vbox_free(&s->pass2);
    vbox_free(&s->pass4);
    explicit_bzero(s, sizeof(*s)); /* p3, p4 and the 64x64 DCT input */
    free(s);
}

/* A row of pass 4 is ready: keep it if the 64x64 grid samples it. */
static void take_row4(struct pdq_stream *s, int r)
{
    while (s->next_row64 < 64 && s->rows64[s->next_row64] == r)
        memcpy(s->a[s->next_row64++], s->p4, sizeof(s->p4));
}

/* Pass 3 on the batched pass-2 rows, then pass 4. */
static void run_pass3(struct pdq_stream *s)
{
    const float *in[BATCH];
    float *out[BATCH];
    for (int r = 0; r < BATCH; r++) {
        in[r] = r < s->np2 ? s->p2[r] : s->spare;
        out[r] = s->p3[r];
    }
    hbox_sampled(in, out, s->width, s->wr, s->cols);
    for (int r = 0; r < s->np2; r++) {
        memcpy(vbox_next(&s->pass4, 0), s->p3[r], sizeof(s->p3[r]));
        int k = vbox_push(&s->pass4, s->p4);
        if (k >= 0)
            take_row4(s, k);
    }
    s->np2 = 0;
}

/* A pass-2 row was written to p2[np2]. */
static void took_row2(struct pdq_stream *s)
{
    if (++s->np2 == BATCH)
        run_pass3(s);
}

/* Pass 1 on the batched input rows, then pass 2. */
static void run_pass1(struct pdq_stream *s)
{
    const float *in[BATCH];
    float *out[BATCH];
    for (int r = 0; r < BATCH; r++) {
        in[r] = r < s->nin ? s->in[r] : s->spare;
        /* straight into pass 2's ring; padding rows go to scratch */
        out[r] = r < s->nin ? vbox_next(&s->pass2, r) : s->p1;
    }
    hbox_sums(in, out, s->width, s->wr);
    for (int r = 0; r < s->nin; r++) {
        divide_counts(vbox_next(&s->pass2, 0), s->width, s->wr);
        if (vbox_push(&s->pass2, s->p2[s->np2]) >= 0)
            took_row2(s);
    }
    s->nin = 0;
}

float *pdq_stream_row(struct pdq_stream *s)
{
    if (s->rows >= s->height)
        return s->spare;
    if (s->degenerate)
        return s->spare;
    if (s->bypass)
        return s->a[s->rows];
    return s->in[s->nin];
}

int pdq_stream_push(struct pdq_stream *s, const float *row)
{
    float *dst = pdq_stream_row(s);
    if (dst != row)
        memcpy(dst, row, sizeof(float) * (size_t)s->width);
    return pdq_stream_commit(s);
}

int pdq_stream_commit(struct pdq_stream *s)
{
    if (s->rows >= s->height)
        return -1;
    const int y = s->rows++;
    if (s->degenerate || s->bypass)
        return 0;
    s->nin++;
    if (s->nin == BATCH)
        run_pass1(s);
    if (y == s->height - 1) {
        if (s->nin)
            run_pass1(s);
        for (int t = 0; t < s->pass2.half - 1; t++) {
            vbox_flush(&s->pass2, t, s->p2[s->np2]);
            took_row2(s);
        }
        if (s->np2)
            run_pass3(s);
        for (int t = 0; t < s->pass4.half - 1; t++)
            take_row4(s, vbox_flush(&s->pass4, t, s->p4));
    }
    return 0;
}

static int quality_metric(const float a[64][64])
{
    int gradient_sum = 0;
    for (int i = 0; i < 63; i++)
        for (int j = 0; j < 64; j++) {
            int d = (int)(((a[i][j] - a[i + 1][j]) * 100) / 255);
            gradient_sum += abs(d);
        }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 63; j++) {
            int d = (int)(((a[i][j] - a[i][j + 1]) * 100) / 255);
            gradient_sum += abs(d);
        }
    int q = gradient_sum / 90;
    return q > 100 ? 100 : q;
}

/* B = D A D^T, float accumulators, k ascending (the order matters). The
 * loops run k outermost so that the innermost loop is across independent
 * outputs and vectorises; each output still sums its k terms in order. */
static void dct64to16(const float a[64][64], float b[16][16])
{
    float t[16][64];
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 64; k++) {
            const float d = dct_matrix[i][k];
            for (int j = 0; j < 64; j++)
                t[i][j] += d * a[k][j];
        }
    float dt[64][16]; /* D transposed */
    for (int j = 0; j < 16; j++)
        for (int k = 0; k < 64; k++)
            dt[k][j] = dct_matrix[j][k];
    memset(b, 0, sizeof(float) * 256);
    for (int i = 0; i < 16; i++)
        for (int k = 0; k < 64; k++) {
            const float tk = t[i][k];
            for (int j = 0; j < 16; j++)
                b[i][j] += tk * dt[k][j];
        }
}

int pdq_stream_finish(struct pdq_stream *s, struct pdq_dct *out)
{
    memset(out, 0, sizeof(*out));
    if (s->rows != s->height)
        return -1;
    if (s->degenerate) {
        out->degenerate = true;
        return 0;
    }
    out->quality = quality_metric((const float (*)[64])s->a);
    dct64to16((const float (*)[64])s->a, out->c);
    return 0;
}

int pdq_hash_luma(const float *luma, int width, int height, size_t stride,
                  struct pdq_hash *out, int *quality)
{
    memset(out, 0, sizeof(*out));
    *quality = 0;
    struct pdq_stream *s = pdq_stream_create(width, height, 0);
    if (!s)
        return -1;
    for (int y = 0; y < height; y++)
        pdq_stream_push(s, luma + (size_t)y * stride);
    struct pdq_dct d;
    int rc = pdq_stream_finish(s, &d);
    pdq_stream_destroy(s);
    if (rc != 0)
        return -1;
    pdq_dct_hash(&d, PDQ_ORIG, out);
    *quality = d.quality;
    return 0;
}

/* ---- bits ---- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The reference's Torben median returns the 128th smallest of the 256
 * values (the lower median); a sort finds the same element. */
static void bits_from_dct(const float b[16][16], struct pdq_hash *out)
{
    float v[256];
    memcpy(v, b, sizeof(v));
    qsort(v, 256, sizeof(float), cmp_float);
    const float median = v[127];
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            if (b[i][j] > median)
                out->w[i] |= (uint16_t)(1u << j);
}

void pdq_dct_hash(const struct pdq_dct *d, enum pdq_xform x, struct pdq_hash *out)
{
    if (d->degenerate) {
        memset(out, 0, sizeof(*out));
        return;
    }
    float b[16][16];
    const float (*a)[16] = d->c;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            const float v = a[i][j];
            /* Even index = odd frequency: its sign flips under reflection. */
            switch (x) {
            case PDQ_ROT90: b[j][i] = (j & 1) ? v : -v; break;
            case PDQ_ROT180: b[i][j] = ((i + j) & 1) ? -v : v; break;
            case PDQ_ROT270: b[j][i] = (i & 1) ? v : -v; break;
            case PDQ_FLIPX: b[i][j] = (i & 1) ? v : -v; break;
            case PDQ_FLIPY: b[i][j] = (j & 1) ? v : -v; break;
            case PDQ_FLIPP: b[j][i] = v; break;
            case PDQ_FLIPM: b[j][i] = ((i + j) & 1) ? -v : v; break;
            default: b[i][j] = v; break;
            }
        }
    bits_from_dct((const float (*)[16])b, out);
}

const char *pdq_xform_name(enum pdq_xform x)
{
    static const char *const names[PDQ_NXFORMS] = {
        "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm",
    };
    return (unsigned)x < PDQ_NXFORMS ? names[x] : "?";
}

/* ---- luma ---- */

/* Each product k * v takes only 256 values per channel: tables give the
 * same floats, and the sum keeps the reference's order. */
static float luma_r[256], luma_g[256], luma_b[256];
static pthread_once_t luma_once = PTHREAD_ONCE_INIT;

static void luma_init(void)
{
    const float kr = 0.299f, kg = 0.587f, kb = 0.114f;
    for (int v = 0; v < 256; v++) {
        luma_r[v] = kr * (float)v;
        luma_g[v] = kg * (float)v;
        luma_b[v] = kb * (float)v;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* With AVX2 the same three float products vectorise, 8 pixels at a time
 * (twice as fast as the tables); every product and sum is the one the
 * tables give, in the same order (no FMA: -ffp-contract=off, and AVX2
 * alone does not enable it). Without AVX2 the tables are the faster. */
__attribute__((target("avx2"))) static void luma_rgb_avx2(const uint8_t *rgb, size_t n, float *out)
{
    const float kr = 0.299f, kg = 0.587f, kb = 0.114f;
    for (size_t i = 0; i < n; i++)
        out[i] = (kr * (float)rgb[3 * i] + kg * (float)rgb[3 * i + 1]) + kb * (float)rgb[3 * i + 2];
}
#define HAVE_LUMA_AVX2 1
#endif

void pdq_luma_rgb(const uint8_t *rgb, size_t n, float *out)
{
#ifdef HAVE_LUMA_AVX2
    if (__builtin_cpu_supports("avx2")) {
        luma_rgb_avx2(rgb, n, out);
        return;
    }
#endif
    pthread_once(&luma_once, luma_init);
    for (size_t i = 0; i < n; i++, rgb += 3)
        out[i] = (luma_r[rgb[0]] + luma_g[rgb[1]]) + luma_b[rgb[2]];
}

void pdq_luma_rgb_sampled(const uint8_t *rgb, const int *cols, size_t n, float *out)
{
    pthread_once(&luma_once, luma_init);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = rgb + 3 * (size_t)cols[i];
        out[i] = (luma_r[p[0]] + luma_g[p[1]]) + luma_b[p[2]];
    }
}

void pdq_luma_grey(const uint8_t *grey, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (float)grey[i];
}

void pdq_cli_dims(int width, int height, int *out_w, int *out_h)
{
    if (width > PDQ_CLI_DIM || height > PDQ_CLI_DIM) {
        *out_w = PDQ_CLI_DIM;
        *out_h = PDQ_CLI_DIM;
    } else {
        *out_w = width;
        *out_h = height;
    }
}

/* ---- text form and distance ---- */

void pdq_hex(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    char *p = out;
    for (int i = 15; i >= 0; i--)
        for (int shift = 12; shift >= 0; shift -= 4)
            *p++ = digits[(h->w[i] >> shift) & 0xf];
    *p = '\0';
}

int pdq_parse(const char *hex, struct pdq_hash *out)
{
    memset(out, 0, sizeof(*out));
    if (!hex || strlen(hex) != PDQ_HEX_LEN)
        return -1;
    struct pdq_hash h = {{0}};
    for (int k = 0; k < PDQ_HEX_LEN; k++) {
        int v = codec_hexval(hex[k]);
        if (v < 0)
            return -1;
        const int word = 15 - k / 4;
        h.w[word] = (uint16_t)((h.w[word] << 4) | v);
    }
    *out = h;
    return 0;
}

int pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b)
{
    int d = 0;
    for (int i = 0; i < 16; i++)
        d += __builtin_popcount((unsigned)(a->w[i] ^ b->w[i]));
    return d;
}

bool pdq_is_zero(const struct pdq_hash *h)
{
    for (int i = 0; i < 16; i++)
        if (h->w[i])
            return false;
    return true;
}

bool pdq_match(const struct pdq_hash *a, int quality_a,
               const struct pdq_hash *b, int quality_b)
{
    return quality_a >= PDQ_MIN_QUALITY && quality_b >= PDQ_MIN_QUALITY &&
           pdq_distance(a, b) <= PDQ_MATCH_DISTANCE;
}
