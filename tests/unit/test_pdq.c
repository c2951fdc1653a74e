/* PDQ unit tests: text form, distance, thresholds, and the streaming filter
 * against a plain full-buffer filter written the way the reference is
 * structured (whole float buffers, column passes with a stride). */
#include "check.h"
#include "pdq.h"

#include <math.h>
#include <string.h>

/* ---- full-buffer model ---- */

static void box1d(const float *in, float *out, int n, int stride, int w)
{
    int half = (w + 2) / 2, ri = 0, li = 0, oi = 0, cnt = 0;
    float sum = 0.0f;
    for (int i = 0; i < half - 1; i++, ri += stride, cnt++)
        sum += in[ri];
    for (int i = 0; i < w - half + 1; i++, ri += stride, oi += stride) {
        sum += in[ri];
        cnt++;
        out[oi] = sum / cnt;
    }
    for (int i = 0; i < n - w; i++, ri += stride, li += stride, oi += stride) {
        sum += in[ri];
        sum -= in[li];
        out[oi] = sum / cnt;
    }
    for (int i = 0; i < half - 1; i++, li += stride, oi += stride) {
        sum -= in[li];
        cnt--;
        out[oi] = sum / cnt;
    }
}

static void model_a64(const float *luma, int w, int h, float a[64][64], bool bypass)
{
    if (bypass && w == 64 && h == 64) {
        memcpy(a, luma, sizeof(float) * 64 * 64);
        return;
    }
    float *b1 = malloc(sizeof(float) * (size_t)w * h), *b2 = malloc(sizeof(float) * (size_t)w * h);
    memcpy(b1, luma, sizeof(float) * (size_t)w * h);
    int wr = (w + 127) / 128, wc = (h + 127) / 128;
    for (int pass = 0; pass < 2; pass++) {
        for (int y = 0; y < h; y++)
            box1d(b1 + (size_t)y * w, b2 + (size_t)y * w, w, 1, wr);
        for (int x = 0; x < w; x++)
            box1d(b2 + x, b1 + x, h, w, wc);
    }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            a[i][j] = b1[(size_t)((int)(((i + 0.5) * h) / 64)) * w + (int)(((j + 0.5) * w) / 64)];
    free(b1);
    free(b2);
}

static void model_dct(const float a[64][64], float b[16][16])
{
    float d[16][64], t[16][64];
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++)
            d[i][j] = (float)(scale * cos((3.14159265358979323846 / 2.0 / 64.0) * (i + 1) * (2 * j + 1)));
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 64; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += d[i][k] * a[k][j];
            t[i][j] = s;
        }
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) {
            float s = 0.0f;
            for (int k = 0; k < 64; k++)
                s += t[i][k] * d[j][k];
            b[i][j] = s;
        }
}

static uint32_t rng = 12345;
static float rnd(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 24);
}

static void check_stream_vs_model(int w, int h, unsigned flags)
{
    float *luma = malloc(sizeof(float) * (size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) /* smooth-ish content plus noise */
            luma[(size_t)y * w + x] = (float)(128 + 100 * sin(x * 0.05) * cos(y * 0.07)) + rnd() * 0.1f;
    struct pdq_stream *s = pdq_stream_create(w, h, flags);
    REQUIRE(s, "create %dx%d", w, h);
    for (int y = 0; y < h; y++)
        CHECK(pdq_stream_push(s, luma + (size_t)y * w) == 0, "push row %d", y);
    CHECK(pdq_stream_push(s, luma) == -1, "%dx%d: extra row accepted", w, h);
    struct pdq_dct got;
    CHECK(pdq_stream_finish(s, &got) == 0, "finish");
    pdq_stream_destroy(s);

    if (w < PDQ_MIN_DIM || h < PDQ_MIN_DIM) {
        CHECK(got.degenerate && got.quality == 0, "%dx%d should be degenerate", w, h);
        struct pdq_hash z;
        pdq_dct_hash(&got, PDQ_ROT90, &z);
        CHECK(pdq_is_zero(&z), "degenerate hash not zero");
    } else {
        float a[64][64], b[16][16];
        model_a64(luma, w, h, a, !(flags & PDQ_NO_BYPASS));
        model_dct((const float (*)[64])a, b);
        CHECK(memcmp(b, got.c, sizeof(b)) == 0, "%dx%d flags %u: streamed DCT differs from the model",
              w, h, flags);
    }
    free(luma);
}

static void test_stream(void)
{
    static const int sizes[][2] = {
        {4, 4}, {600, 4}, {5, 5}, {64, 64}, {65, 63}, {34, 42}, {128, 128}, {129, 130},
        {300, 200}, {512, 512}, {1000, 7}, {7, 1000}, {1155, 866}, {2000, 10},
    };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        check_stream_vs_model(sizes[i][0], sizes[i][1], 0);
        check_stream_vs_model(sizes[i][0], sizes[i][1], PDQ_NO_BYPASS);
    }
    CHECK(pdq_stream_create(0, 10, 0) == NULL, "zero width accepted");
    struct pdq_stream *s = pdq_stream_create(10, 10, 0);
    struct pdq_dct d;
    CHECK(pdq_stream_finish(s, &d) == -1, "finish without rows accepted");
    pdq_stream_destroy(s);
    pdq_stream_destroy(NULL);
}

static void test_hex(void)
{
    struct pdq_hash h = {{0}}, back;
    char hex[PDQ_HEX_LEN + 1];
    /* Word order: row 0 is printed last; bit j of a word is column j. */
    h.w[0] = 0x9b22;
    h.w[15] = 0x0001;
    pdq_hex(&h, hex);
    CHECK(!strcmp(hex, "0001000000000000000000000000000000000000000000000000000000009b22"), "%s", hex);
    CHECK(pdq_parse(hex, &back) == 0 && !memcmp(&back, &h, sizeof(h)), "round trip");
    CHECK(pdq_parse("0001000000000000000000000000000000000000000000000000000000009B22", &back) == 0 &&
              back.w[0] == 0x9b22, "upper case");
    CHECK(pdq_parse("001000000000000000000000000000000000000000000000000000000009b22", &back) == -1,
          "63 digits accepted");
    CHECK(pdq_parse("00010000000000000000000000000000000000000000000000000000000009b22", &back) == -1,
          "65 digits accepted");
    CHECK(pdq_parse("g001000000000000000000000000000000000000000000000000000000009b22", &back) == -1 &&
              pdq_is_zero(&back), "non-hex accepted or output not cleared");
    CHECK(pdq_parse(NULL, &back) == -1, "NULL accepted");
}

static void test_distance(void)
{
    struct pdq_hash a = {{0}}, b;
    memset(&b, 0xff, sizeof(b));
    CHECK(pdq_distance(&a, &b) == 256, "all bits");
    CHECK(pdq_distance(&a, &a) == 0, "self");
    b = a;
    for (int i = 0; i < 31; i++)
        b.w[i / 16] |= (uint16_t)(1u << (i % 16));
    CHECK(pdq_distance(&a, &b) == 31, "31 bits");
    CHECK(pdq_match(&a, 50, &b, 100), "distance 31 quality 50 must match");
    CHECK(!pdq_match(&a, 49, &b, 100), "quality 49 must not match");
    b.w[3] |= 1;
    CHECK(!pdq_match(&a, 100, &b, 100), "distance 32 must not match");
}

static void test_luma(void)
{
    const uint8_t rgb[6] = {255, 0, 0, 10, 20, 30};
    float y[2];
    pdq_luma_rgb(rgb, 2, y);
    CHECK(y[0] == 0.299f * 255, "red");
    CHECK(y[1] == (0.299f * 10 + 0.587f * 20) + 0.114f * 30, "order of summation");
    /* Every value of each channel, in rows of odd lengths (the vector path's
     * tails), bit for bit the reference expression; and the sampled form. */
    enum { N = 1021 };
    static uint8_t px[3 * N];
    static float got[N], sampled[N];
    static int cols[N];
    int bad = 0;
    for (int pass = 0; pass < 3 * 256; pass++) {
        for (int i = 0; i < 3 * N; i++)
            px[i] = (uint8_t)(pass * 7 + i * (i % 3 == pass % 3 ? 1 : 13));
        for (int i = 0; i < N; i++)
            cols[i] = (i * 37) % N;
        const size_t n = (size_t)(N - pass % 9);
        pdq_luma_rgb(px, n, got);
        pdq_luma_rgb_sampled(px, cols, n, sampled);
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = px + 3 * i, *q = px + 3 * (size_t)cols[i];
            bad += got[i] != (0.299f * p[0] + 0.587f * p[1]) + 0.114f * p[2];
            bad += sampled[i] != (0.299f * q[0] + 0.587f * q[1]) + 0.114f * q[2];
        }
    }
    CHECK(bad == 0, "luma differs from the reference expression at %d pixels", bad);
    int w, h;
    pdq_cli_dims(4032, 3024, &w, &h);
    CHECK(w == 512 && h == 512, "cli dims large");
    pdq_cli_dims(600, 4, &w, &h);
    CHECK(w == 512 && h == 512, "cli dims 600x4 stretched");
    pdq_cli_dims(500, 4, &w, &h);
    CHECK(w == 500 && h == 4, "cli dims small kept");
    CHECK(pdq_nn_index(511, 4032, 512) == 4024, "nn index");
}

int main(void)
{
    test_hex();
    test_distance();
    test_luma();
    test_stream();
    return check_exit();
}
