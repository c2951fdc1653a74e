/* The helpers every decoder calls (image_decoder.h): errors, limits, and
 * handing rows to the sink. */
#include "image_decoder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool image_has_magic(const uint8_t *d, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off + n && memcmp(d + off, magic, n) == 0;
}

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

void job_fit(const struct decode_job *job, int orientation, int w, int h, int *tw, int *th)
{
    int bw = job->box_w, bh = job->box_h;
    if (orientation >= 5 && orientation <= 8) { /* the box, as stored */
        bw = job->box_h;
        bh = job->box_w;
    }
    if (w <= bw && h <= bh) {
        *tw = w;
        *th = h;
        return;
    }
    /* Whichever side is tighter sets the scale; round the other, at least 1. */
    if ((int64_t)w * bh >= (int64_t)h * bw) {
        *tw = bw;
        *th = (int)(((int64_t)h * bw * 2 + w) / (2 * (int64_t)w));
    } else {
        *th = bh;
        *tw = (int)(((int64_t)w * bh * 2 + h) / (2 * (int64_t)h));
    }
    if (*tw < 1)
        *tw = 1;
    if (*th < 1)
        *th = 1;
}
