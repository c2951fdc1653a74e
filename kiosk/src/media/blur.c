/* The "blurred by default" look: three box blurs each way approximate a
 * Gaussian; running sums make each pass O(1) per pixel whatever the radius.
 * Strong blurs are computed at a fraction of the size (box-averaged down,
 * blurred, bilinear back up): a blur that wide has nothing finer left to
 * lose, and it is what keeps copying a screenful of thumbnails cheap on the
 * main thread. Strong enough that a thumbnail shows colours and rough
 * shapes only. */
#include "media_internal.h"

#include <stdlib.h>
#include <string.h>

enum { PASSES = 3, DIRECT_MAX_RADIUS = 6 };

/* One pass over n pixels (4 bytes each) of line, stride step bytes apart;
 * tmp holds n * 4 bytes. Edges repeat the first/last pixel. */
static void box_line(uint8_t *line, size_t step, int n, int r, uint8_t *tmp)
{
    for (int i = 0; i < n; i++)
        memcpy(tmp + 4 * (size_t)i, line + (size_t)i * step, 4);
    const uint32_t div = (uint32_t)(2 * r + 1);
    for (int c = 0; c < 4; c++) {
        uint32_t sum = 0;
        for (int k = -r; k <= r; k++) {
            int i = k < 0 ? 0 : k >= n ? n - 1 : k;
            sum += tmp[4 * i + c];
        }
        for (int x = 0; x < n; x++) {
            line[(size_t)x * step + c] = (uint8_t)((sum + div / 2) / div);
            const int add = x + r + 1 < n ? x + r + 1 : n - 1;
            const int sub = x - r > 0 ? x - r : 0;
            sum += tmp[4 * add + c];
            sum -= tmp[4 * sub + c];
        }
    }
}

static void blur_direct(uint8_t *px, int w, int h, size_t pitch, int r, uint8_t *tmp)
{
    for (int pass = 0; pass < PASSES; pass++) {
        for (int y = 0; y < h; y++)
            box_line(px + (size_t)y * pitch, 4, w, r, tmp);
        for (int x = 0; x < w; x++)
            box_line(px + 4 * (size_t)x, pitch, h, r, tmp);
    }
}

/* Where big pixel i's centre falls in the small picture (n small pixels,
 * factor f): the left/top neighbour and the weight of the next, in 1/256. */
static void lerp_pos(int i, int f, int n, int *i0, int *i1, int *a)
{
    int p = ((2 * i + 1) * 256) / (2 * f) - 128;
    if (p < 0)
        p = 0;
    *i0 = p >> 8;
    *a = p & 255;
    if (*i0 >= n - 1) {
        *i0 = n - 1;
        *a = 0;
    }
    *i1 = *i0 + 1 < n ? *i0 + 1 : *i0;
}

/* Bilinear enlargement of s (sw x sh, packed) into px (w x h): each output
 * row mixes two small rows once, then each pixel two neighbours of that. */
static void enlarge(const uint8_t *s, int sw, int sh, int f, uint8_t *px, int w, int h, size_t pitch,
                    int *cols, uint32_t *restrict vrow)
{
    for (int x = 0; x < w; x++)
        lerp_pos(x, f, sw, &cols[3 * x], &cols[3 * x + 1], &cols[3 * x + 2]);
    for (int y = 0; y < h; y++) {
        int y0, y1, ay;
        lerp_pos(y, f, sh, &y0, &y1, &ay);
        const uint8_t *r0 = s + (size_t)y0 * sw * 4, *r1 = s + (size_t)y1 * sw * 4;
        for (int i = 0; i < sw * 4; i++)
            vrow[i] = (uint32_t)(r0[i] * (256 - ay) + r1[i] * ay);
        uint8_t *restrict out = px + (size_t)y * pitch;
        for (int x = 0; x < w; x++, out += 4) {
            const int *cx = &cols[3 * x];
            const uint32_t *a = vrow + 4 * cx[0], *b = vrow + 4 * cx[1];
            const uint32_t wb = (uint32_t)cx[2], wa = 256 - wb;
            out[0] = (uint8_t)((a[0] * wa + b[0] * wb + (1u << 15)) >> 16);
            out[1] = (uint8_t)((a[1] * wa + b[1] * wb + (1u << 15)) >> 16);
            out[2] = (uint8_t)((a[2] * wa + b[2] * wb + (1u << 15)) >> 16);
            out[3] = (uint8_t)((a[3] * wa + b[3] * wb + (1u << 15)) >> 16);
        }
    }
}

void media_blur_rgba(uint8_t *px, int w, int h, size_t pitch, int radius)
{
    if (!px || w <= 0 || h <= 0)
        return;
    if (radius <= 0) {
        radius = (w > h ? w : h) / 8;
        if (radius < 2)
            radius = 2;
    }
    if (radius > 1000)
        radius = 1000;
    int f = radius > DIRECT_MAX_RADIUS ? (radius + 3) / 4 : 1;
    const int sw = (w + f - 1) / f, sh = (h + f - 1) / f;
    const int n = w > h ? w : h;
    const size_t small_bytes = f > 1 ? (size_t)sw * sh * 4 : 0;
    /* tmp: a line for box_line(), or the column sums of the downscale. */
    const size_t line = (size_t)n * 4 > (size_t)sw * 16 ? (size_t)n * 4 : (size_t)sw * 16;
    uint8_t *tmp = malloc(line + small_bytes);
    if (!tmp) {
        /* Never show a sharp picture because memory ran out: grey it out. */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                memcpy(px + (size_t)y * pitch + 4 * (size_t)x, "\x80\x80\x80\xff", 4);
        return;
    }
    if (f == 1) {
        blur_direct(px, w, h, pitch, radius, tmp);
    } else {
        uint8_t *s = tmp + line;
        /* Box-average down: sums per small column, one row at a time. */
        uint32_t *acc = (uint32_t *)(void *)tmp;
        for (int sy = 0; sy < sh; sy++) {
            memset(acc, 0, sizeof(uint32_t) * 4 * (size_t)sw);
            const int y_end = sy * f + f < h ? sy * f + f : h;
            for (int y = sy * f; y < y_end; y++) {
                const uint8_t *row = px + (size_t)y * pitch;
                uint32_t *a = acc;
                for (int x = 0, k = 0; x < w; x++, row += 4) {
                    a[0] += row[0];
                    a[1] += row[1];
                    a[2] += row[2];
                    a[3] += row[3];
                    if (++k == f) {
                        k = 0;
                        a += 4;
                    }
                }
            }
            for (int sx = 0; sx < sw; sx++) {
                const int x_end = sx * f + f < w ? sx * f + f : w;
                const uint32_t cnt = (uint32_t)((x_end - sx * f) * (y_end - sy * f));
                for (int c = 0; c < 4; c++)
                    s[((size_t)sy * sw + sx) * 4 + c] = (uint8_t)((acc[4 * sx + c] + cnt / 2) / cnt);
            }
        }
        int r = radius / f;
        if (r < 1)
            r = 1;
        blur_direct(s, sw, sh, (size_t)sw * 4, r, tmp);
        int *cols = malloc(sizeof(int) * 3 * (size_t)w + sizeof(uint32_t) * 4 * (size_t)sw);
        if (cols) {
            enlarge(s, sw, sh, f, px, w, h, pitch, cols, (uint32_t *)(void *)(cols + 3 * (size_t)w));
            explicit_bzero(cols, sizeof(int) * 3 * (size_t)w + sizeof(uint32_t) * 4 * (size_t)sw);
            free(cols);
        } else {
            for (int y = 0; y < h; y++) /* flat average rather than anything sharp */
                for (int x = 0; x < w; x++)
                    memcpy(px + (size_t)y * pitch + 4 * (size_t)x, s + ((size_t)(y / f) * sw + x / f) * 4, 4);
        }
    }
    explicit_bzero(tmp, line + small_bytes);
    free(tmp);
}
