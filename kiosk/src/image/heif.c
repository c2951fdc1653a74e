/* HEIF/HEIC (iPhones) with libheif. libheif applies the container's
 * rotation and mirroring (irot/imir): that is the picture as every viewer
 * shows it and as ImageMagick hands it to the PDQ reference, so the
 * orientation reported here is always 1. */
#include "image_internal.h"

#include <libheif/heif.h>
#include <string.h>

int decode_heif(struct decode_job *job)
{
    int rc = -1;
    struct heif_image_handle *handle = NULL;
    struct heif_image *img = NULL;
    struct heif_decoding_options *opts = NULL;
    struct heif_context *ctx = heif_context_alloc();
    if (!ctx)
        return job_fail(job, IMAGE_ERR_NOMEM, "heif_context_alloc failed");
    heif_context_set_maximum_image_size_limit(ctx, job->limits->max_dim);

    struct heif_error e = heif_context_read_from_memory_without_copy(ctx, job->data, job->len, NULL);
    if (e.code != heif_error_Ok) {
        job_fail(job, e.code == heif_error_Unsupported_feature ? IMAGE_ERR_UNSUPPORTED : IMAGE_ERR_CORRUPT,
                 "libheif: %s", e.message);
        goto out;
    }
    e = heif_context_get_primary_image_handle(ctx, &handle);
    if (e.code != heif_error_Ok) {
        job_fail(job, IMAGE_ERR_CORRUPT, "libheif: %s", e.message);
        goto out;
    }
    /* Size as displayed (after irot), checked before any pixel is decoded. */
    if (job_check_dims(job, heif_image_handle_get_width(handle),
                       heif_image_handle_get_height(handle)) != 0)
        goto out;
    opts = heif_decoding_options_alloc();
    e = heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, opts);
    if (e.code != heif_error_Ok) {
        job_fail(job,
                 e.code == heif_error_Unsupported_feature || e.code == heif_error_Unsupported_filetype
                     ? IMAGE_ERR_UNSUPPORTED : IMAGE_ERR_CORRUPT,
                 "libheif: %s", e.message);
        goto out;
    }
    int stride = 0;
    const uint8_t *px = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    struct image_info info = {
        .format = IMAGE_FORMAT_HEIF,
        .width = heif_image_get_width(img, heif_channel_interleaved),
        .height = heif_image_get_height(img, heif_channel_interleaved),
        .layout = IMAGE_RGB8,
        .orientation = 1,
    };
    if (!px || stride <= 0) {
        job_fail(job, IMAGE_ERR_CORRUPT, "libheif returned no pixels");
        goto out;
    }
    if (job_begin(job, &info) != 0)
        goto out;
    rc = job_emit_buffer(job, &info, px, (size_t)stride, 3);
out:
    heif_decoding_options_free(opts);
    heif_image_release(img);
    heif_image_handle_release(handle);
    heif_context_free(ctx);
    return rc;
}
