/* BMP (Windows bitmaps): 1/4/8-bit palette (plain or RLE), 16/24/32-bit and
 * bit-field variants, bottom-up or top-down. A small format: no library of
 * its own is worth the dependency. */
#include "image_decoder.h"

#include <stdlib.h>
#include <string.h>

static uint32_t u16le(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t u32le(const uint8_t *p) { return u16le(p) | u16le(p + 2) << 16; }

struct channel {
    uint32_t mask;
    int shift, bits;
};

static void channel_init(struct channel *c, uint32_t mask)
{
    c->mask = mask;
    c->shift = mask ? __builtin_ctz(mask) : 0;
    c->bits = mask ? __builtin_popcount(mask) : 0;
}

static uint8_t channel_get(const struct channel *c, uint32_t px)
{
    if (!c->bits)
        return 0;
    uint32_t v = (px & c->mask) >> c->shift;
    if (c->bits >= 8)
        return (uint8_t)(v >> (c->bits - 8));
    uint32_t max = (1u << c->bits) - 1;
    return (uint8_t)((v * 255 + max / 2) / max);
}

/* RLE8 / RLE4 into an index buffer (bottom-up rows, as stored). Pixels the
 * stream skips stay 0. Returns 0, or -1 on data that runs out. */
static int unpack_rle(const uint8_t *p, size_t len, uint8_t *idx, int64_t w, int64_t h, int bpp)
{
    int64_t x = 0, y = 0;
    size_t i = 0;
    while (i + 1 < len) {
        const uint8_t n = p[i], v = p[i + 1];
        i += 2;
        if (n > 0) { /* a run */
            for (int k = 0; k < n; k++, x++)
                if (x < w && y < h)
                    idx[y * w + x] = bpp == 8 ? v : (uint8_t)((k & 1) ? (v & 15) : (v >> 4));
            continue;
        }
        if (v == 0) { /* end of line */
            x = 0;
            y++;
        } else if (v == 1) { /* end of bitmap */
            return 0;
        } else if (v == 2) { /* delta */
            if (i + 2 > len)
                return -1;
            x += p[i];
            y += p[i + 1];
            i += 2;
        } else { /* v literal pixels, padded to a 16-bit boundary */
            const size_t bytes = bpp == 8 ? v : (size_t)(v + 1) / 2;
            if (i + bytes > len)
                return -1;
            for (int k = 0; k < v; k++, x++)
                if (x < w && y < h)
                    idx[y * w + x] = bpp == 8 ? p[i + k]
                                              : (uint8_t)((k & 1) ? (p[i + k / 2] & 15) : (p[i + k / 2] >> 4));
            i += (bytes + 1) & ~(size_t)1;
        }
        if (y >= h)
            return 0;
    }
    return -1; /* no end-of-bitmap marker: truncated */
}

static bool sniff_bmp(const uint8_t *d, size_t len)
{
    /* "BM", then a DIB header size we know. */
    if (!image_has_magic(d, len, 0, "BM", 2) || len < 18)
        return false;
    uint32_t dib = (uint32_t)d[14] | (uint32_t)d[15] << 8 | (uint32_t)d[16] << 16 |
                   (uint32_t)d[17] << 24;
    return dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
           dib == 124;
}

static int decode_bmp(struct decode_job *job)
{
    const uint8_t *d = job->data;
    const size_t len = job->len;
    if (len < 26)
        return job_fail(job, IMAGE_ERR_CORRUPT, "BMP header is truncated");
    const uint32_t offset = u32le(d + 10);
    const uint32_t dib = u32le(d + 14);
    if (len < 14 + (size_t)dib)
        return job_fail(job, IMAGE_ERR_CORRUPT, "BMP header is truncated");

    int64_t w, h;
    uint32_t bpp, compression = 0, colours = 0;
    size_t pal_entry = 4;
    if (dib == 12) {
        w = u16le(d + 18);
        h = (int16_t)u16le(d + 20);
        bpp = u16le(d + 24);
        pal_entry = 3;
    } else {
        w = (int32_t)u32le(d + 18);
        h = (int32_t)u32le(d + 22);
        bpp = u16le(d + 28);
        compression = u32le(d + 30);
        colours = u32le(d + 46);
    }
    const bool top_down = h < 0;
    if (top_down)
        h = -h;
    if (job_check_dims(job, w, h) != 0)
        return -1;

    struct channel ch[3];
    if (compression == 3 || compression == 6) { /* BI_BITFIELDS, BI_ALPHABITFIELDS */
        const size_t at = dib >= 52 ? 14 + 40 : 14 + (size_t)dib;
        if (len < at + 12)
            return job_fail(job, IMAGE_ERR_CORRUPT, "BMP bit masks are truncated");
        for (int i = 0; i < 3; i++)
            channel_init(&ch[i], u32le(d + at + 4 * i));
        if (bpp != 16 && bpp != 32)
            return job_fail(job, IMAGE_ERR_CORRUPT, "BMP bit fields with %u bits", bpp);
    } else if (compression == 0 || ((compression == 1 && bpp == 8) || (compression == 2 && bpp == 4))) {
        if (bpp == 16) {
            channel_init(&ch[0], 0x7c00);
            channel_init(&ch[1], 0x03e0);
            channel_init(&ch[2], 0x001f);
        } else {
            channel_init(&ch[0], 0x00ff0000);
            channel_init(&ch[1], 0x0000ff00);
            channel_init(&ch[2], 0x000000ff);
        }
    } else {
        return job_fail(job, IMAGE_ERR_UNSUPPORTED, "compressed BMP (method %u) is not supported",
                        compression);
    }
    if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
        return job_fail(job, IMAGE_ERR_CORRUPT, "BMP with %u bits per pixel", bpp);

    const uint8_t *pal = NULL;
    uint32_t npal = 0;
    if (bpp <= 8) {
        npal = colours ? colours : 1u << bpp;
        if (npal > 256)
            return job_fail(job, IMAGE_ERR_CORRUPT, "BMP palette of %u colours", npal);
        pal = d + 14 + dib;
        if ((size_t)(pal - d) + npal * pal_entry > len)
            return job_fail(job, IMAGE_ERR_CORRUPT, "BMP palette is truncated");
    }

    const bool rle = compression == 1 || compression == 2;
    if (rle && top_down)
        return job_fail(job, IMAGE_ERR_CORRUPT, "top-down RLE BMP");
    const size_t stride = (((size_t)w * bpp + 31) / 32) * 4;
    if (offset > len || (!rle && (len - offset) / stride < (size_t)h))
        return job_fail(job, IMAGE_ERR_CORRUPT, "BMP pixel data is truncated");
    uint8_t *unpacked = NULL;
    if (rle) {
        unpacked = calloc((size_t)w, (size_t)h);
        if (!unpacked)
            return job_fail(job, IMAGE_ERR_NOMEM, "out of memory for an RLE BMP");
        if (unpack_rle(d + offset, len - offset, unpacked, w, h, (int)bpp) != 0) {
            free(unpacked);
            return job_fail(job, IMAGE_ERR_CORRUPT, "BMP RLE data is truncated");
        }
    }

    struct image_info info = {
        .format = IMAGE_FORMAT_BMP, .width = (int)w, .height = (int)h,
        .layout = IMAGE_RGB8, .orientation = 1,
    };
    if (job_begin(job, &info) != 0) {
        free(unpacked);
        return -1;
    }
    uint8_t *row = malloc((size_t)w * 3);
    if (!row) {
        free(unpacked);
        return job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a row");
    }
    int rc = 0;
    for (int64_t y = 0; y < h && rc == 0; y++) {
        const int64_t sy = top_down ? y : h - 1 - y;
        const uint8_t *src = d + offset + (size_t)sy * stride;
        for (int64_t x = 0; x < w; x++) {
            uint8_t *o = row + 3 * x;
            if (unpacked) {
                uint32_t i = unpacked[(size_t)sy * (size_t)w + (size_t)x];
                if (i >= npal)
                    i = 0;
                const uint8_t *e = pal + i * pal_entry;
                o[0] = e[2];
                o[1] = e[1];
                o[2] = e[0];
            } else if (bpp <= 8) {
                const uint32_t per = 8 / bpp;
                uint32_t byte = src[x / per];
                uint32_t shift = (uint32_t)(8 - bpp * (1 + x % per));
                uint32_t i = (byte >> shift) & ((1u << bpp) - 1);
                if (i >= npal)
                    i = 0;
                const uint8_t *e = pal + i * pal_entry;
                o[0] = e[2];
                o[1] = e[1];
                o[2] = e[0];
            } else if (bpp == 24) {
                o[0] = src[3 * x + 2];
                o[1] = src[3 * x + 1];
                o[2] = src[3 * x];
            } else {
                uint32_t px = bpp == 16 ? u16le(src + 2 * x) : u32le(src + 4 * x);
                o[0] = channel_get(&ch[0], px);
                o[1] = channel_get(&ch[1], px);
                o[2] = channel_get(&ch[2], px);
            }
        }
        rc = job_row(job, (int)y, row);
    }
    free(row);
    free(unpacked);
    return rc;
}

const struct image_decoder image_decoder_bmp = {
    .format = IMAGE_FORMAT_BMP,
    .name = "bmp",
    .info = "our own (bmp.c)",
    .sniff = sniff_bmp,
    .decode = decode_bmp,
};
