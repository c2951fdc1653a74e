/* PNG with libpng. Palettes and low bit depths are expanded, 16-bit samples
 * are scaled (not truncated: the reference's low-byte bug is not copied),
 * alpha is dropped without compositing. Non-interlaced images are streamed
 * row by row; interlaced ones need the whole bitmap. */
#include "image_decoder.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

struct png_src {
    struct decode_job *job;
    size_t pos;
};

static void on_read(png_structp png, png_bytep out, size_t n)
{
    struct png_src *src = png_get_io_ptr(png);
    if (n > src->job->len - src->pos)
        png_error(png, "PNG data is truncated");
    memcpy(out, src->job->data + src->pos, n);
    src->pos += n;
}

static void on_error(png_structp png, png_const_charp msg)
{
    struct png_src *src = png_get_error_ptr(png);
    job_fail(src->job, IMAGE_ERR_CORRUPT, "libpng: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static bool sniff_png(const uint8_t *d, size_t len)
{
    return image_has_magic(d, len, 0, "\x89PNG\r\n\x1a\n", 8);
}

static int decode_png(struct decode_job *job)
{
    struct png_src src = {.job = job, .pos = 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, on_error, on_warning);
    if (!png)
        return job_fail(job, IMAGE_ERR_NOMEM, "png_create_read_struct failed");
    png_infop info = png_create_info_struct(png);
    uint8_t *volatile buf = NULL;
    uint8_t *volatile row = NULL;
    png_bytep *volatile rows = NULL;
    volatile int rc = -1;
    if (!info) {
        job_fail(job, IMAGE_ERR_NOMEM, "png_create_info_struct failed");
        goto out;
    }
    if (setjmp(png_jmpbuf(png)))
        goto out;

    png_set_read_fn(png, &src, on_read);
    /* Our own limits below classify oversized images; libpng's would call them corrupt. */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(png, 64u << 20);
    png_read_info(png, info);

    png_uint_32 w = 0, h = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if (job_check_dims(job, w, h) != 0)
        goto out;

    int orientation = 1;
#ifdef PNG_eXIf_SUPPORTED
    png_bytep exif = NULL;
    png_uint_32 exif_len = 0;
    if (png_get_eXIf_1(png, info, &exif_len, &exif) && exif && exif_len > 0)
        orientation = exif_orientation(exif, exif_len);
#endif

    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16)
        png_set_scale_16(png);
    if (color & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    const int channels = png_get_channels(png, info);
    if (channels != 1 && channels != 3) {
        job_fail(job, IMAGE_ERR_UNSUPPORTED, "unexpected PNG layout (%d channels)", channels);
        goto out;
    }
    struct image_info ii = {
        .format = IMAGE_FORMAT_PNG, .width = (int)w, .height = (int)h,
        .layout = channels == 1 ? IMAGE_GREY8 : IMAGE_RGB8, .orientation = orientation,
    };
    if (job_begin(job, &ii) != 0)
        goto out;

    const size_t stride = png_get_rowbytes(png, info);
    if (passes > 1 && job->box_w > 0 && (uint64_t)stride * h > IMAGE_SCALED_MAX_BYTES) {
        job_fail(job, IMAGE_ERR_TOO_LARGE, "interlaced PNG of %ux%u: too large to preview", w, h);
        goto out;
    }
    if (passes > 1) {
        buf = malloc(stride * h);
        rows = buf ? malloc(sizeof(png_bytep) * h) : NULL;
        if (!rows) {
            job_fail(job, IMAGE_ERR_NOMEM, "out of memory for an interlaced PNG");
            goto out;
        }
        for (png_uint_32 y = 0; y < h; y++)
            rows[y] = buf + (size_t)y * stride;
        png_read_image(png, rows);
        if (job_emit_buffer(job, &ii, buf, stride, channels) != 0)
            goto out;
    } else {
        row = malloc(stride);
        if (!row) {
            job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a row");
            goto out;
        }
        for (png_uint_32 y = 0; y < h; y++) {
            png_read_row(png, row, NULL);
            if (job_row(job, (int)y, row) != 0)
                goto out;
        }
    }
    rc = 0;
out:
    free(rows);
    free(buf);
    free(row);
    png_destroy_read_struct(&png, info ? &info : NULL, NULL);
    return rc;
}

const struct image_decoder image_decoder_png = {
    .format = IMAGE_FORMAT_PNG,
    .name = "png",
    .info = "libpng",
    .sniff = sniff_png,
    .decode = decode_png,
};
