/* pdq — Meta's PDQ perceptual image hash, bit-exact with the C++ reference
 * (facebook/ThreatExchange pdq/cpp; see ../shared/pdq/ALGORITHM.md).
 *
 * Usage:
 *   1. Turn pixels into float luma rows (pdq_luma_rgb / pdq_luma_grey). For the
 *      reference command-line tool's behaviour ("cli" mode), first sample the
 *      image to pdq_cli_dims() with pdq_nn_index() (nearest neighbour).
 *   2. pdq_stream_create(width, height, flags), then pdq_stream_push() every
 *      row, top to bottom. Memory stays O(width * height/128): the full-size
 *      image is never held.
 *   3. pdq_stream_finish() gives the 16x16 DCT and the quality (0..100).
 *   4. pdq_dct_hash() turns it into a 256-bit hash (or one of the 8 dihedral
 *      variants); pdq_hex() formats it as Meta's 64 lowercase hex digits.
 *   5. pdq_stream_destroy() (accepts NULL).
 * pdq_hash_luma() does 2-4 for a whole buffer.
 *
 * This file must be compiled with -ffp-contract=off (never -ffast-math): the
 * hash depends on every float rounding step.
 */
#ifndef HIFAZAT_PDQ_H
#define HIFAZAT_PDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PDQ_MIN_DIM = 5,          /* smaller images hash to all zeros, quality 0 */
    PDQ_CLI_DIM = 512,        /* the reference CLI resizes larger images to 512x512 */
    PDQ_MATCH_DISTANCE = 31,  /* Meta's threshold: match if distance <= 31 */
    PDQ_MIN_QUALITY = 50,     /* Meta's threshold: hashes below are unreliable */
    PDQ_HEX_LEN = 64,
};

/* Word i holds DCT row i; bit j of it is column j (as the reference). */
struct pdq_hash {
    uint16_t w[16];
};

struct pdq_dct {
    float c[16][16];
    int quality;
    bool degenerate; /* smaller than PDQ_MIN_DIM: hash is all zeros */
};

enum pdq_xform {
    PDQ_ORIG, PDQ_ROT90, PDQ_ROT180, PDQ_ROT270,
    PDQ_FLIPX, PDQ_FLIPY, PDQ_FLIPP, PDQ_FLIPM,
    PDQ_NXFORMS
};

/* pdq_stream_create flags */
enum {
    /* The reference copies a 64x64 image unfiltered in its plain hash but not
     * in its dihedral function; this flag selects the dihedral behaviour. */
    PDQ_NO_BYPASS = 1u << 0,
};

struct pdq_stream;

struct pdq_stream *pdq_stream_create(int width, int height, unsigned flags);
/* Returns 0, or -1 when more rows are pushed than the height. */
int pdq_stream_push(struct pdq_stream *s, const float *row);
/* Without a copy: write `width` floats into pdq_stream_row(), then commit. */
float *pdq_stream_row(struct pdq_stream *s);
int pdq_stream_commit(struct pdq_stream *s);
/* Returns 0, or -1 when rows are missing. */
int pdq_stream_finish(struct pdq_stream *s, struct pdq_dct *out);
void pdq_stream_destroy(struct pdq_stream *s);

/* Whole buffer, row-major, `stride` floats between rows. 0 / -1 (no memory). */
int pdq_hash_luma(const float *luma, int width, int height, size_t stride,
                  struct pdq_hash *out, int *quality);

void pdq_dct_hash(const struct pdq_dct *d, enum pdq_xform x, struct pdq_hash *out);
const char *pdq_xform_name(enum pdq_xform x);

/* BT.601 luma in float, exactly as the reference: (0.299R + 0.587G) + 0.114B. */
void pdq_luma_rgb(const uint8_t *rgb, size_t n, float *out);
void pdq_luma_grey(const uint8_t *grey, size_t n, float *out);
/* out[i] = luma of pixel cols[i] of an RGB row (nearest-neighbour sampling). */
void pdq_luma_rgb_sampled(const uint8_t *rgb, const int *cols, size_t n, float *out);

/* Size the reference CLI hashes an image of width x height at. */
void pdq_cli_dims(int width, int height, int *out_w, int *out_h);
/* Source index for output index i when resizing `in` samples to `out`
 * (CImg nearest neighbour: top-left aligned, floor(i * in / out)). */
static inline int pdq_nn_index(int i, int in, int out)
{
    return (int)(((int64_t)i * in) / out);
}

void pdq_hex(const struct pdq_hash *h, char out[PDQ_HEX_LEN + 1]);
/* Exactly 64 hex digits (either case). 0, or -1 with *out zeroed. */
int pdq_parse(const char *hex, struct pdq_hash *out);
int pdq_distance(const struct pdq_hash *a, const struct pdq_hash *b);
bool pdq_is_zero(const struct pdq_hash *h);
/* Meta's rule: both qualities >= PDQ_MIN_QUALITY and distance <= PDQ_MATCH_DISTANCE. */
bool pdq_match(const struct pdq_hash *a, int quality_a,
               const struct pdq_hash *b, int quality_b);

#endif
