#include "image_internal.h"

#include <string.h>

const struct image_limits image_default_limits = {
    .max_pixels = 100ull * 1000 * 1000,
    .max_dim = 65535,
};

/* Sniffed in this order; the first that claims the bytes decodes them. */
static const struct image_decoder *const decoders[] = {
    &image_decoder_jpeg, &image_decoder_png, &image_decoder_webp, &image_decoder_gif,
    &image_decoder_bmp,  &image_decoder_heif, &image_decoder_pnm,
};
#define N_DECODERS (sizeof(decoders) / sizeof(decoders[0]))

static const struct image_decoder *decoder_for(const uint8_t *d, size_t len)
{
    for (size_t i = 0; i < N_DECODERS; i++)
        if (decoders[i]->sniff(d, len))
            return decoders[i];
    return NULL;
}

enum image_format image_sniff(const uint8_t *d, size_t len)
{
    const struct image_decoder *dec = decoder_for(d, len);
    return dec ? dec->format : IMAGE_FORMAT_NONE;
}

const char *image_format_name(enum image_format f)
{
    for (size_t i = 0; i < N_DECODERS; i++)
        if (decoders[i]->format == f)
            return decoders[i]->name;
    return "unknown";
}

int image_run(struct decode_job *job)
{
    const struct image_decoder *dec = decoder_for(job->data, job->len);
    if (!dec)
        return job_fail(job, IMAGE_ERR_UNSUPPORTED, "not a known image format");
    int rc = dec->decode(job);
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
