/* Shared by image.c, scaled.c and preview.c (the module's own plumbing, not
 * the decoders: they see only image_decoder.h). Not part of the public API. */
#ifndef HIFAZAT_IMAGE_INTERNAL_H
#define HIFAZAT_IMAGE_INTERNAL_H

#include "image_decoder.h"

/* image_decode_scaled() with the orientation (1..8, 0: the picture's own)
 * and the full size (0: the picture's own) given from outside: a preview
 * shows as its photo does. */
int image_scaled_run(const uint8_t *data, size_t len, const struct image_limits *limits,
                     const struct image_scale *scale, int orientation, int full_w, int full_h,
                     struct image_rgba *out, struct image_error *err);
/* Sniffs and runs the right decoder (image.c's table). */
int image_run(struct decode_job *job);

#endif
