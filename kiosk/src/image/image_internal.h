/* Shared by the decoders; not part of the public API. */
#ifndef HIFAZAT_IMAGE_INTERNAL_H
#define HIFAZAT_IMAGE_INTERNAL_H

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

/* Reduced-size decoding also bounds the memory one decode may take, since
 * thumbnails are decoded on several threads at once: pictures that would
 * need a whole full-size bitmap (interlaced PNG, HEIF without a usable
 * thumbnail) or a huge coefficient buffer (progressive JPEG) fail with
 * IMAGE_ERR_TOO_LARGE above this. The PDQ path has no such cap. */
#define IMAGE_SCALED_MAX_BYTES (160u << 20)

/* Always returns -1 so that decoders can `return job_fail(...)`. */
int job_fail(struct decode_job *job, enum image_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Checks the declared size against the limits; 0 / -1 (error set). */
int job_check_dims(struct decode_job *job, int64_t width, int64_t height);
/* Calls sink->begin; 0 / -1 (error set). */
int job_begin(struct decode_job *job, const struct image_info *info);
/* Calls sink->row; 0 / -1 (error set). */
int job_row(struct decode_job *job, int y, const uint8_t *pixels);

/* Reduced-size decoding: the size (as stored) that a w x h picture with this
 * EXIF orientation takes to fit job->box_* as displayed, never enlarged. */
void job_fit(const struct decode_job *job, int orientation, int w, int h, int *tw, int *th);
/* image_decode_scaled() with the orientation (1..8, 0: the picture's own)
 * and the full size (0: the picture's own) given from outside: a preview
 * shows as its photo does. */
int image_scaled_run(const uint8_t *data, size_t len, const struct image_limits *limits,
                     const struct image_scale *scale, int orientation, int full_w, int full_h,
                     struct image_rgba *out, struct image_error *err);
/* Sniffs and runs the right decoder. */
int image_run(struct decode_job *job);

/* Emit a whole interleaved buffer with `channels` bytes per pixel (1..4):
 * 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. Alpha is dropped, as the
 * reference's ImageMagick path does. */
int job_emit_buffer(struct decode_job *job, const struct image_info *info,
                    const uint8_t *buf, size_t stride, int channels);

/* EXIF orientation (1..8) from a TIFF-structured EXIF blob, with or without
 * the "Exif\0\0" prefix; 1 when absent or invalid. */
int exif_orientation(const uint8_t *data, size_t len);

int decode_pnm(struct decode_job *job);
int decode_jpeg(struct decode_job *job);
int decode_png(struct decode_job *job);
int decode_webp(struct decode_job *job);
int decode_heif(struct decode_job *job);
int decode_gif(struct decode_job *job);
int decode_bmp(struct decode_job *job);

#endif
