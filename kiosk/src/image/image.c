#include "image_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct image_limits image_default_limits = {
    .max_pixels = 100ull * 1000 * 1000,
    .max_dim = 65535,
};

int job_fail(struct decode_job *job, enum image_err code, const char *fmt, ...)
{
    /* The first error wins: later ones are usually consequences. */
    if (job->err->code != IMAGE_OK)
        return -1;
    job->err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->err->detail, sizeof(job->err->detail), fmt, ap);
    va_end(ap);
    return -1;
}

int job_check_dims(struct decode_job *job, int64_t width, int64_t height)
{
    if (width <= 0 || height <= 0)
        return job_fail(job, IMAGE_ERR_CORRUPT, "invalid dimensions %lldx%lld",
                        (long long)width, (long long)height);
    if (width > job->limits->max_dim || height > job->limits->max_dim ||
        (uint64_t)width * (uint64_t)height > job->limits->max_pixels)
        return job_fail(job, IMAGE_ERR_TOO_LARGE,
                        "%lldx%lld is over the limit (%llu pixels, %d on a side)",
                        (long long)width, (long long)height,
                        (unsigned long long)job->limits->max_pixels, job->limits->max_dim);
    return 0;
}

int job_begin(struct decode_job *job, const struct image_info *info)
{
    if (job_check_dims(job, info->width, info->height) != 0)
        return -1;
    if (job->sink->begin && job->sink->begin(job->sink->ctx, info) != 0)
        return job_fail(job, IMAGE_ERR_SINK, "stopped by the caller");
    return 0;
}

int job_row(struct decode_job *job, int y, const uint8_t *pixels)
{
    if (job->sink->row && job->sink->row(job->sink->ctx, y, pixels) != 0)
        return job_fail(job, IMAGE_ERR_SINK, "stopped by the caller");
    return 0;
}

int job_emit_buffer(struct decode_job *job, const struct image_info *info,
                    const uint8_t *buf, size_t stride, int channels)
{
    const int out_ch = info->layout == IMAGE_GREY8 ? 1 : 3;
    if (channels == out_ch) {
        for (int y = 0; y < info->height; y++)
            if (job_row(job, y, buf + (size_t)y * stride) != 0)
                return -1;
        return 0;
    }
    uint8_t *row = malloc((size_t)info->width * (size_t)out_ch);
    if (!row)
        return job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a row");
    int rc = 0;
    for (int y = 0; y < info->height && rc == 0; y++) {
        const uint8_t *src = buf + (size_t)y * stride;
        for (int x = 0; x < info->width; x++)
            memcpy(row + (size_t)x * out_ch, src + (size_t)x * channels, (size_t)out_ch);
        rc = job_row(job, y, row);
    }
    free(row);
    return rc;
}

static bool has(const uint8_t *d, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off + n && memcmp(d + off, magic, n) == 0;
}

static bool is_heif_brand(const uint8_t *b)
{
    static const char *const brands[] = {
        "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis",
    };
    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
        if (memcmp(b, brands[i], 4) == 0)
            return true;
    return false;
}

enum image_format image_sniff(const uint8_t *d, size_t len)
{
    if (has(d, len, 0, "\xff\xd8\xff", 3))
        return IMAGE_FORMAT_JPEG;
    if (has(d, len, 0, "\x89PNG\r\n\x1a\n", 8))
        return IMAGE_FORMAT_PNG;
    if (has(d, len, 0, "RIFF", 4) && has(d, len, 8, "WEBP", 4))
        return IMAGE_FORMAT_WEBP;
    if (has(d, len, 0, "GIF87a", 6) || has(d, len, 0, "GIF89a", 6))
        return IMAGE_FORMAT_GIF;
    /* BMP: "BM", then a DIB header size we know. */
    if (has(d, len, 0, "BM", 2) && len >= 18) {
        uint32_t dib = (uint32_t)d[14] | (uint32_t)d[15] << 8 | (uint32_t)d[16] << 16 |
                       (uint32_t)d[17] << 24;
        if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 ||
            dib == 124)
            return IMAGE_FORMAT_BMP;
    }
    /* HEIF: an ISO-BMFF "ftyp" box whose major brand is an image brand.
     * (Videos share the box; their brands are isom, mp42, qt...) */
    if (has(d, len, 4, "ftyp", 4) && len >= 12 && is_heif_brand(d + 8))
        return IMAGE_FORMAT_HEIF;
    if (len >= 3 && d[0] == 'P' && (d[1] == '5' || d[1] == '6') &&
        (d[2] == ' ' || d[2] == '\t' || d[2] == '\n' || d[2] == '\r'))
        return IMAGE_FORMAT_PNM;
    return IMAGE_FORMAT_NONE;
}

const char *image_format_name(enum image_format f)
{
    switch (f) {
    case IMAGE_FORMAT_JPEG: return "jpeg";
    case IMAGE_FORMAT_PNG: return "png";
    case IMAGE_FORMAT_WEBP: return "webp";
    case IMAGE_FORMAT_HEIF: return "heif";
    case IMAGE_FORMAT_GIF: return "gif";
    case IMAGE_FORMAT_BMP: return "bmp";
    case IMAGE_FORMAT_PNM: return "pnm";
    default: return "unknown";
    }
}

int image_run(struct decode_job *job)
{
    int rc;
    switch (image_sniff(job->data, job->len)) {
    case IMAGE_FORMAT_JPEG: rc = decode_jpeg(job); break;
    case IMAGE_FORMAT_PNG: rc = decode_png(job); break;
    case IMAGE_FORMAT_WEBP: rc = decode_webp(job); break;
    case IMAGE_FORMAT_HEIF: rc = decode_heif(job); break;
    case IMAGE_FORMAT_GIF: rc = decode_gif(job); break;
    case IMAGE_FORMAT_BMP: rc = decode_bmp(job); break;
    case IMAGE_FORMAT_PNM: rc = decode_pnm(job); break;
    default:
        return job_fail(job, IMAGE_ERR_UNSUPPORTED, "not a known image format");
    }
    if (rc != 0 && job->err->code == IMAGE_OK)
        job_fail(job, IMAGE_ERR_CORRUPT, "decoder failed");
    return rc;
}

int image_decode(const uint8_t *data, size_t len, const struct image_limits *limits,
                 const struct image_sink *sink, struct image_error *err)
{
    memset(err, 0, sizeof(*err));
    struct decode_job job = {
        .data = data,
        .len = len,
        .limits = limits ? limits : &image_default_limits,
        .sink = sink,
        .err = err,
    };
    return image_run(&job);
}

void image_oriented_dims(int orientation, int width, int height, int *out_w, int *out_h)
{
    /* 5..8 swap the axes (transpose, rotate 90 CW, transverse, rotate 270 CW). */
    if (orientation >= 5 && orientation <= 8) {
        *out_w = height;
        *out_h = width;
    } else {
        *out_w = width;
        *out_h = height;
    }
}

void image_oriented_source(int o, int w, int h, int x, int y, int *sx, int *sy)
{
    switch (o) {
    case 2: *sx = w - 1 - x; *sy = y; break;         /* mirrored */
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; break; /* 180 */
    case 4: *sx = x; *sy = h - 1 - y; break;         /* flipped */
    case 5: *sx = y; *sy = x; break;                 /* transposed */
    case 6: *sx = y; *sy = h - 1 - x; break;         /* 90 clockwise */
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; break; /* transverse */
    case 8: *sx = w - 1 - y; *sy = x; break;         /* 90 counter-clockwise */
    default: *sx = x; *sy = y; break;
    }
}
