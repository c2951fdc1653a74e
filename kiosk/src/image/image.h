/* image — decode the still images phones produce, from memory, row by row.
 *
 * Usage:
 *   1. image_sniff() names the format from the first bytes (never from a file
 *      name or extension).
 *   2. Fill a struct image_sink: begin() learns the size, pixel layout and
 *      EXIF orientation before any pixel memory is allocated and may refuse;
 *      row() then receives every row top to bottom as 8-bit grey or RGB.
 *   3. image_decode() returns 0, or -1 with the reason in *err.
 * Limits are checked against the declared dimensions before allocating.
 *
 * What reaches the sink follows what Meta's PDQ reference saw through
 * ImageMagick: alpha is dropped without compositing, palettes and CMYK become
 * RGB, grey stays grey, EXIF orientation is reported but not applied. Unlike
 * the reference, 16-bit samples are scaled to 8 bits (the reference keeps the
 * low byte, a bug).
 */
#ifndef HIFAZAT_IMAGE_H
#define HIFAZAT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum image_format {
    IMAGE_FORMAT_NONE = 0,
    IMAGE_FORMAT_JPEG,
    IMAGE_FORMAT_PNG,
    IMAGE_FORMAT_WEBP,
    IMAGE_FORMAT_HEIF,
    IMAGE_FORMAT_GIF,
    IMAGE_FORMAT_BMP,
    IMAGE_FORMAT_PNM,
};

enum image_layout {
    IMAGE_GREY8 = 1, /* one byte per pixel */
    IMAGE_RGB8 = 3,  /* R, G, B */
};

struct image_info {
    enum image_format format;
    int width, height;        /* as stored */
    enum image_layout layout;
    int orientation;          /* EXIF 1..8; 1 when absent or already applied */
};

struct image_sink {
    void *ctx;
    /* 0 to go on; -1 to stop (image_decode then fails with IMAGE_ERR_SINK). */
    int (*begin)(void *ctx, const struct image_info *info);
    int (*row)(void *ctx, int y, const uint8_t *pixels);
};

struct image_limits {
    uint64_t max_pixels; /* width * height */
    int max_dim;         /* either side */
};

/* Defaults: 100 megapixels, 65535 on a side. */
extern const struct image_limits image_default_limits;

enum image_err {
    IMAGE_OK = 0,
    IMAGE_ERR_UNSUPPORTED, /* not an image format we decode */
    IMAGE_ERR_CORRUPT,     /* truncated or damaged data */
    IMAGE_ERR_TOO_LARGE,   /* over the pixel budget or absurd dimensions */
    IMAGE_ERR_NOMEM,
    IMAGE_ERR_SINK,        /* the sink stopped the decode */
};

struct image_error {
    enum image_err code;
    char detail[200]; /* for developers: what the decoder said */
};

enum image_format image_sniff(const uint8_t *data, size_t len);
const char *image_format_name(enum image_format f);

int image_decode(const uint8_t *data, size_t len, const struct image_limits *limits,
                 const struct image_sink *sink, struct image_error *err);

/* The size an image shows at once its orientation is applied. */
void image_oriented_dims(int orientation, int width, int height, int *out_w, int *out_h);
/* The stored pixel (*sx, *sy) of a width x height image that shows at
 * (x, y) once its orientation is applied. */
void image_oriented_source(int orientation, int width, int height, int x, int y, int *sx, int *sy);

/* ---- Reduced size, for display only (thumbnails); never for hashing ----
 * image_decode_scaled() decodes a picture to fit max_w x max_h as displayed
 * (EXIF orientation applied; never enlarged) into packed RGBA rows (4 bytes
 * a pixel, A = 255). It takes the cheapest road each format offers: JPEG is
 * decoded at 1/8..7/8 by libjpeg's DCT scaling (fast IDCT, plain
 * upsampling), WebP by libwebp's scaler, HEIF from its embedded thumbnail
 * when that is large enough; whatever is still too large is box-averaged
 * row by row as the decoder produces it, so only the small picture is ever
 * held. The limits apply to the full-size picture. image_decode() and the
 * PDQ path are not affected by any of this. */
struct image_scale {
    int max_w, max_h;              /* the box, as displayed; both > 0 */
    /* Optional: polled between rows; non-zero stops the decode, which then
     * fails with IMAGE_ERR_SINK. */
    int (*cancelled)(void *ctx);
    void *ctx;
};

struct image_rgba {
    enum image_format format;
    int width, height;             /* as displayed, within the box */
    uint8_t *pixels;               /* width * height * 4 bytes; image_rgba_free() */
    int full_width, full_height;   /* the whole picture, as displayed */
};

/* 0, or -1 with the reason in *err (out is then empty). */
int image_decode_scaled(const uint8_t *data, size_t len, const struct image_limits *limits,
                        const struct image_scale *scale, struct image_rgba *out,
                        struct image_error *err);
/* A JPEG's embedded EXIF thumbnail as its display picture, when it can
 * stand in for the photo at this box size: a JPEG of the same shape as the
 * photo, at least as large as the box needs (phones store 160x120 up to
 * 512x384). Needs only the start of the file, the EXIF block and the frame
 * header (within the first 64 KB of a phone's photo), so a preview costs a
 * small read instead of the whole file. Shown with the photo's orientation;
 * full_width/height are the photo's. 0, or -1 when there is no usable
 * preview (err says why; decode the whole file with image_decode_scaled()).
 * An editor may leave a stale preview behind: the same-shape rule refuses
 * crops, not retouching. */
int image_decode_preview(const uint8_t *head, size_t len, const struct image_limits *limits,
                         const struct image_scale *scale, struct image_rgba *out,
                         struct image_error *err);
/* Wipes and frees the pixels (they are somebody's private picture); accepts
 * an empty struct. */
void image_rgba_free(struct image_rgba *img);

#endif
