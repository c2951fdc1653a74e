/* What a decoder needs and what it exports; not part of the public API.
 *
 * Each decoder file (jpeg.c, png.c, ...) includes only this header and
 * exports one `const struct image_decoder image_decoder_<name>`; image.c
 * walks a table of them, as SDL walks its video drivers' bootstraps. The
 * job helpers the decoders call live in job.c, so no decoder depends on
 * image.c. */
#ifndef HIFAZAT_IMAGE_DECODER_H
#define HIFAZAT_IMAGE_DECODER_H

#include "image.h"

#include <stdbool.h>

struct decode_job {
    const uint8_t *data;
    size_t len;
    const struct image_limits *limits;
    const struct image_sink *sink;
    struct image_error *err;
    /* Reduced-size decoding (image_decode_scaled only; zero on the PDQ path,
     * which must stay bit-exact): the box the picture must fit, as displayed.
     * Decoders that can scale cheaply may deliver any size not smaller than
     * job_fit() asks for, and then set full_w/full_h (as stored). */
    int box_w, box_h;
    int full_w, full_h;
};

struct image_decoder {
    enum image_format format;
    const char *name;  /* image_format_name(): stable, in hash results */
    const char *info;  /* for developers: what decodes it */
    /* Whether the first bytes are this format (never the file name). */
    bool (*sniff)(const uint8_t *data, size_t len);
    /* 0, or -1 with job->err set (image.c sets a generic one if not). */
    int (*decode)(struct decode_job *job);
};

/* In the order image.c sniffs them. */
extern const struct image_decoder image_decoder_jpeg;
extern const struct image_decoder image_decoder_png;
extern const struct image_decoder image_decoder_webp;
extern const struct image_decoder image_decoder_gif;
extern const struct image_decoder image_decoder_bmp;
extern const struct image_decoder image_decoder_heif;
extern const struct image_decoder image_decoder_pnm;

/* Reduced-size decoding also bounds the memory one decode may take, since
 * thumbnails are decoded on several threads at once: pictures that would
 * need a whole full-size bitmap (interlaced PNG, HEIF without a usable
 * thumbnail) or a huge coefficient buffer (progressive JPEG) fail with
 * IMAGE_ERR_TOO_LARGE above this. The PDQ path has no such cap. */
#define IMAGE_SCALED_MAX_BYTES (160u << 20)

/* True when data[off..off+n) is the magic. */
bool image_has_magic(const uint8_t *data, size_t len, size_t off, const char *magic, size_t n);

/* Always returns -1 so that decoders can `return job_fail(...)`. */
int job_fail(struct decode_job *job, enum image_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks the declared size against the limits; 0 / -1 (error set). */
int job_check_dims(struct decode_job *job, int64_t width, int64_t height);
/* Calls sink->begin; 0 / -1 (error set). */
int job_begin(struct decode_job *job, const struct image_info *info);
/* Calls sink->row; 0 / -1 (error set). */
int job_row(struct decode_job *job, int y, const uint8_t *pixels);
/* Emit a whole interleaved buffer with `channels` bytes per pixel (1..4):
 * 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. Alpha is dropped, as the
 * reference's ImageMagick path does. */
int job_emit_buffer(struct decode_job *job, const struct image_info *info,
                    const uint8_t *buf, size_t stride, int channels);
/* Reduced-size decoding: the size (as stored) that a w x h picture with this
 * EXIF orientation takes to fit job->box_* as displayed, never enlarged. */
void job_fit(const struct decode_job *job, int orientation, int w, int h, int *tw, int *th);

/* EXIF orientation (1..8) from a TIFF-structured EXIF blob, with or without
 * the "Exif\0\0" prefix; 1 when absent or invalid. */
int exif_orientation(const uint8_t *data, size_t len);

#endif
