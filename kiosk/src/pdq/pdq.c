/* PDQ, streaming. The reference filters a full float copy of the image with
 * four box passes (rows, columns, rows, columns) and then point-samples a
 * 64x64 grid. Here the same float operations run in the same order, but on
 * rows as they arrive: the column passes keep one running sum per column and
 * a ring of the last window+1 rows, and the last two passes are only
 * evaluated where the 64x64 grid samples them. Each output value is the
 * result of exactly the reference's sequence of float adds, subtracts and
 * divides, so the hash is bit-identical while memory stays small. */
#include "pdq.h"

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

/* ---- 1-D box filter along a row (the reference's box1DFloat) ----
 * out[i] = mean of in[i-(w-half) .. i+half-1] clipped to the row, as one
 * float running sum: add the right edge, then subtract the left edge. */

static int half_window(int w)
{
    return (w + 2) / 2;
}

static void hbox_full(const float *in, float *out, int n, int w)
{
    const int half = half_window(w);
    int ri = 0, li = 0, oi = 0, cnt = 0;
    float sum = 0.0f;

    for (int i = 0; i < half - 1; i++) {
        sum += in[ri++];
        cnt++;
    }
    for (int i = 0; i < w - half + 1; i++) {
        sum += in[ri++];
        cnt++;
        out[oi++] = sum / (float)cnt;
    }
    for (int i = 0; i < n - w; i++) {
        sum += in[ri++];
        sum -= in[li++];
        out[oi++] = sum / (float)cnt;
    }
    for (int i = 0; i < half - 1; i++) {
        sum -= in[li++];
        cnt--;
        out[oi++] = sum / (float)cnt;
    }
}

/* Same arithmetic, but the mean is only taken at the 64 sampled columns. */
static void hbox_sampled(const float *in, float out[64], int n, int w, const int cols[64])
{
    const int half = half_window(w);
    int ri = 0, li = 0, oi = 0, cnt = 0, k = 0;
    float sum = 0.0f;

#define EMIT()                                      \
    do {                                            \
        while (k < 64 && cols[k] == oi)             \
            out[k++] = sum / (float)cnt;            \
        oi++;                                       \
    } while (0)

    for (int i = 0; i < half - 1; i++) {
        sum += in[ri++];
        cnt++;
    }
    for (int i = 0; i < w - half + 1; i++) {
        sum += in[ri++];
        cnt++;
        EMIT();
    }
    for (int i = 0; i < n - w; i++) {
        sum += in[ri++];
        sum -= in[li++];
        EMIT();
    }
    for (int i = 0; i < half - 1; i++) {
        sum -= in[li++];
        cnt--;
        EMIT();
    }
#undef EMIT
}

/* ---- 1-D box filter down the columns, fed one row at a time ----
 * One running sum per column; the float operations on each column are those
 * of box1DFloat with a stride, in the same order. */

struct vbox {
    int n, w, half, width;
    int in_rows, cnt;
    float *ring; /* (w + 1) rows */
    float *sum;
    float *out;  /* one output row */
};

static int vbox_init(struct vbox *v, int n, int w, int width)
{
    memset(v, 0, sizeof(*v));
    v->n = n;
    v->w = w;
    v->half = half_window(w);
    v->width = width;
    v->ring = malloc(sizeof(float) * (size_t)(w + 1) * (size_t)width);
    v->sum = calloc((size_t)width, sizeof(float));
    v->out = malloc(sizeof(float) * (size_t)width);
    return (v->ring && v->sum && v->out) ? 0 : -1;
}

static void vbox_free(struct vbox *v)
{
    free(v->ring);
    free(v->sum);
    free(v->out);
}

static float *vbox_slot(const struct vbox *v, int row)
{
    return v->ring + (size_t)(row % (v->w + 1)) * (size_t)v->width;
}

static void vbox_emit_mean(struct vbox *v)
{
    const float c = (float)v->cnt;
    for (int j = 0; j < v->width; j++)
        v->out[j] = v->sum[j] / c;
}

/* Takes input row k (k = rows so far). Returns the output row index that is
 * now ready in v->out, or -1. The caller must then call vbox_flush() after
 * the last row to get the final half-1 rows. */
static int vbox_push(struct vbox *v, const float *row)
{
    const int k = v->in_rows++;
    float *slot = vbox_slot(v, k);
    memcpy(slot, row, sizeof(float) * (size_t)v->width);

    if (k < v->w) {
        for (int j = 0; j < v->width; j++)
            v->sum[j] += slot[j];
        v->cnt++;
        if (k < v->half - 1)
            return -1;
    } else {
        const float *old = vbox_slot(v, k - v->w);
        for (int j = 0; j < v->width; j++) {
            v->sum[j] += slot[j];
            v->sum[j] -= old[j];
        }
    }
    vbox_emit_mean(v);
    return k - (v->half - 1);
}

/* Phase 4: t = 0 .. half-2. Returns the output row index in v->out. */
static int vbox_flush(struct vbox *v, int t)
{
    const float *old = vbox_slot(v, v->n - v->w + t);
    for (int j = 0; j < v->width; j++)
        v->sum[j] -= old[j];
    v->cnt--;
    vbox_emit_mean(v);
    return v->n - v->half + 1 + t;
}

/* ---- the stream ---- */

struct pdq_stream {
    int width, height;
    int rows;
    bool degenerate, bypass;
    int wr, wc;              /* window along rows (from width), along columns (from height) */
    int cols[64], rows64[64];
    int next_row64;
    float *tmp;              /* one row after the first horizontal pass */
    float row3[64];          /* a row after the third pass, sampled */
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
    s->tmp = malloc(sizeof(float) * (size_t)width);
    if (!s->tmp || vbox_init(&s->pass2, height, s->wc, width) != 0 ||
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
    free(s->tmp);
    vbox_free(&s->pass2);
    vbox_free(&s->pass4);
    free(s);
}

/* A row of pass 4 is ready: keep it if the 64x64 grid samples it. */
static void take_row4(struct pdq_stream *s, int r)
{
    while (s->next_row64 < 64 && s->rows64[s->next_row64] == r)
        memcpy(s->a[s->next_row64++], s->pass4.out, sizeof(float) * 64);
}

/* A row of pass 2 is ready: pass 3 (sampled) and feed pass 4. */
static void take_row2(struct pdq_stream *s)
{
    hbox_sampled(s->pass2.out, s->row3, s->width, s->wr, s->cols);
    int r = vbox_push(&s->pass4, s->row3);
    if (r >= 0)
        take_row4(s, r);
}

int pdq_stream_push(struct pdq_stream *s, const float *row)
{
    if (s->rows >= s->height)
        return -1;
    const int y = s->rows++;
    if (s->degenerate)
        return 0;
    if (s->bypass) {
        memcpy(s->a[y], row, sizeof(float) * 64);
        return 0;
    }
    hbox_full(row, s->tmp, s->width, s->wr);
    if (vbox_push(&s->pass2, s->tmp) >= 0)
        take_row2(s);
    if (y == s->height - 1) {
        for (int t = 0; t < s->pass2.half - 1; t++) {
            vbox_flush(&s->pass2, t);
            take_row2(s);
        }
        for (int t = 0; t < s->pass4.half - 1; t++)
            take_row4(s, vbox_flush(&s->pass4, t));
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

/* B = D A D^T, float accumulators, k ascending (the order matters). */
static void dct64to16(const float a[64][64], float b[16][16])
{
    float t[16][64];
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float sum = 0.0f;
            for (int k = 0; k < 64; k++)
                sum += dct_matrix[i][k] * a[k][j];
            t[i][j] = sum;
        }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float sum = 0.0f;
            for (int k = 0; k < 64; k++)
                sum += t[i][k] * dct_matrix[j][k];
            b[i][j] = sum;
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

void pdq_luma_rgb(const uint8_t *rgb, size_t n, float *out)
{
    const float kr = 0.299f, kg = 0.587f, kb = 0.114f;
    for (size_t i = 0; i < n; i++, rgb += 3)
        out[i] = kr * rgb[0] + kg * rgb[1] + kb * rgb[2];
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

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pdq_parse(const char *hex, struct pdq_hash *out)
{
    memset(out, 0, sizeof(*out));
    if (!hex || strlen(hex) != PDQ_HEX_LEN)
        return -1;
    struct pdq_hash h = {{0}};
    for (int k = 0; k < PDQ_HEX_LEN; k++) {
        int v = hexval(hex[k]);
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
