/* Reduced-size decoding for display (thumbnails). The decoders scale what
 * they can scale cheaply (see job->box_*); this sink box-averages the rest
 * as rows arrive and applies the EXIF orientation at the end, so only the
 * small picture is ever held. Never used for hashing. */
#include "image_internal.h"

#include <stdlib.h>
#include <string.h>

struct scaler {
    struct decode_job *job;
    const struct image_scale *opt;
    int force_orientation; /* a preview shows with its photo's orientation */
    struct image_info info;
    int ch, tw, th;
    int *ox_of;      /* output column of each source column */
    uint32_t *ncols; /* source columns in each output column */
    uint64_t *acc;   /* sums for the output row being built: tw * ch */
    int rows_in;     /* source rows summed into it so far */
    int rows_done;   /* source rows seen */
    uint8_t *small;  /* tw x th RGBA, as stored */
};

static void wipe_free(void *p, size_t n)
{
    if (p) {
        explicit_bzero(p, n);
        free(p);
    }
}

static int sc_begin(void *ctx, const struct image_info *info)
{
    struct scaler *s = ctx;
    s->info = *info;
    if (s->force_orientation)
        s->info.orientation = s->force_orientation;
    info = &s->info;
    s->ch = info->layout == IMAGE_GREY8 ? 1 : 3;
    job_fit(s->job, info->orientation, info->width, info->height, &s->tw, &s->th);
    s->ox_of = malloc(sizeof(int) * (size_t)info->width);
    s->ncols = calloc((size_t)s->tw, sizeof(uint32_t));
    s->acc = calloc((size_t)s->tw * (size_t)s->ch, sizeof(uint64_t));
    s->small = malloc((size_t)s->tw * (size_t)s->th * 4);
    if (!s->ox_of || !s->ncols || !s->acc || !s->small)
        return job_fail(s->job, IMAGE_ERR_NOMEM, "out of memory for a %dx%d picture", s->tw, s->th);
    for (int x = 0; x < info->width; x++) {
        s->ox_of[x] = (int)((int64_t)x * s->tw / info->width);
        s->ncols[s->ox_of[x]]++;
    }
    return 0;
}

static int sc_row(void *ctx, int y, const uint8_t *px)
{
    struct scaler *s = ctx;
    if (s->opt->cancelled && (y & 15) == 0 && s->opt->cancelled(s->opt->ctx))
        return -1;
    const int w = s->info.width, h = s->info.height, ch = s->ch;
    uint64_t *acc = s->acc;
    if (ch == 3) {
        for (int x = 0; x < w; x++) {
            uint64_t *a = acc + 3 * s->ox_of[x];
            a[0] += px[3 * x];
            a[1] += px[3 * x + 1];
            a[2] += px[3 * x + 2];
        }
    } else {
        for (int x = 0; x < w; x++)
            acc[s->ox_of[x]] += px[x];
    }
    s->rows_in++;
    s->rows_done = y + 1;
    const int oy = (int)((int64_t)y * s->th / h);
    const int next = y + 1 < h ? (int)((int64_t)(y + 1) * s->th / h) : s->th;
    if (next == oy)
        return 0;
    /* The last source row of output row oy: average and start the next. */
    uint8_t *out = s->small + (size_t)oy * (size_t)s->tw * 4;
    for (int ox = 0; ox < s->tw; ox++, out += 4) {
        const uint64_t n = (uint64_t)s->ncols[ox] * (uint64_t)s->rows_in;
        const uint64_t *a = acc + (size_t)ox * ch;
        for (int c = 0; c < 3; c++)
            out[c] = (uint8_t)((a[ch == 3 ? c : 0] + n / 2) / n);
        out[3] = 255;
    }
    memset(acc, 0, sizeof(uint64_t) * (size_t)s->tw * (size_t)ch);
    s->rows_in = 0;
    return 0;
}


int image_decode_scaled(const uint8_t *data, size_t len, const struct image_limits *limits,
                        const struct image_scale *scale, struct image_rgba *out,
                        struct image_error *err)
{
    return image_scaled_run(data, len, limits, scale, 0, 0, 0, out, err);
}

int image_scaled_run(const uint8_t *data, size_t len, const struct image_limits *limits,
                     const struct image_scale *scale, int orientation, int full_w, int full_h,
                     struct image_rgba *out, struct image_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    struct scaler s;
    memset(&s, 0, sizeof(s));
    struct image_sink sink = {.ctx = &s, .begin = sc_begin, .row = sc_row};
    struct decode_job job = {
        .data = data,
        .len = len,
        .limits = limits ? limits : &image_default_limits,
        .sink = &sink,
        .err = err,
        .box_w = scale->max_w,
        .box_h = scale->max_h,
    };
    s.job = &job;
    s.opt = scale;
    s.force_orientation = orientation;
    if (scale->max_w <= 0 || scale->max_h <= 0)
        return job_fail(&job, IMAGE_ERR_SINK, "empty box %dx%d", scale->max_w, scale->max_h);

    int rc = image_run(&job);
    if (rc == 0 && (!s.small || s.rows_done != s.info.height))
        rc = job_fail(&job, IMAGE_ERR_CORRUPT, "decoder stopped after %d of %d rows", s.rows_done,
                      s.info.height);
    if (rc == 0) {
        const int o = s.info.orientation;
        int dw, dh;
        image_oriented_dims(o, s.tw, s.th, &dw, &dh);
        out->pixels = malloc((size_t)dw * (size_t)dh * 4);
        if (!out->pixels) {
            rc = job_fail(&job, IMAGE_ERR_NOMEM, "out of memory for the picture");
        } else {
            uint32_t *dst = (uint32_t *)(void *)out->pixels;
            const uint32_t *src = (const uint32_t *)(const void *)s.small;
            for (int y = 0; y < dh; y++)
                for (int x = 0; x < dw; x++) {
                    int sx, sy;
                    image_oriented_source(o, s.tw, s.th, x, y, &sx, &sy);
                    dst[(size_t)y * dw + x] = src[(size_t)sy * s.tw + sx];
                }
            out->format = s.info.format;
            out->width = dw;
            out->height = dh;
            const int fw = full_w > 0 ? full_w : job.full_w > 0 ? job.full_w : s.info.width;
            const int fh = full_h > 0 ? full_h : job.full_h > 0 ? job.full_h : s.info.height;
            image_oriented_dims(o, fw, fh, &out->full_width, &out->full_height);
        }
    }
    free(s.ox_of);
    free(s.ncols);
    wipe_free(s.acc, sizeof(uint64_t) * (size_t)s.tw * (size_t)s.ch);
    wipe_free(s.small, (size_t)s.tw * (size_t)s.th * 4);
    return rc;
}

void image_rgba_free(struct image_rgba *img)
{
    if (!img)
        return;
    wipe_free(img->pixels, (size_t)img->width * (size_t)img->height * 4);
    memset(img, 0, sizeof(*img));
}
