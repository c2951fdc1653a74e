/* HEIF/HEIC (iPhones) with libheif. libheif applies the container's
 * rotation and mirroring (irot/imir): that is the picture as every viewer
 * shows it and as ImageMagick hands it to the PDQ reference, so the
 * orientation reported here is always 1. */
#include "image_decoder.h"

#include <libheif/heif.h>
#include <stdlib.h>
#include <string.h>

/* The smallest embedded thumbnail that still fills the box, or NULL. */
static struct heif_image_handle *pick_thumbnail(struct decode_job *job,
                                                const struct heif_image_handle *handle, int w, int h)
{
    int tw, th;
    job_fit(job, 1, w, h, &tw, &th);
    heif_item_id ids[8];
    const int n = heif_image_handle_get_list_of_thumbnail_IDs(handle, ids, 8);
    struct heif_image_handle *best = NULL;
    for (int i = 0; i < n; i++) {
        struct heif_image_handle *t = NULL;
        if (heif_image_handle_get_thumbnail(handle, ids[i], &t).code != heif_error_Ok || !t)
            continue;
        const int a = heif_image_handle_get_width(t), b = heif_image_handle_get_height(t);
        /* Same shape as the photo (a stale or cropped preview is not used). */
        const bool fits = a >= tw && b >= th && a <= w && b <= h &&
                          llabs((long long)a * h - (long long)b * w) <= (long long)(w > h ? w : h);
        if (fits && (!best || a < heif_image_handle_get_width(best))) {
            heif_image_handle_release(best);
            best = t;
        } else {
            heif_image_handle_release(t);
        }
    }
    return best;
}

static bool sniff_heif(const uint8_t *d, size_t len)
{
    /* An ISO-BMFF "ftyp" box whose major brand is an image brand. (Videos
     * share the box; their brands are isom, mp42, qt...) */
    static const char *const brands[] = {
        "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis",
    };
    if (!image_has_magic(d, len, 4, "ftyp", 4) || len < 12)
        return false;
    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
        if (memcmp(d + 8, brands[i], 4) == 0)
            return true;
    return false;
}

static int decode_heif(struct decode_job *job)
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
    if (job->box_w > 0) {
        /* Display only (never the PDQ path): phones store a small preview
         * image beside the photo; decode that when it is large enough. */
        const int w = heif_image_handle_get_width(handle), h = heif_image_handle_get_height(handle);
        struct heif_image_handle *thumb = pick_thumbnail(job, handle, w, h);
        job->full_w = w;
        job->full_h = h;
        if (thumb) {
            heif_image_handle_release(handle);
            handle = thumb;
        } else if ((uint64_t)w * (uint64_t)h * 6 > IMAGE_SCALED_MAX_BYTES) {
            /* RGB plus the decoder's own planes, all full size. */
            job_fail(job, IMAGE_ERR_TOO_LARGE, "HEIF of %dx%d without a preview: too large to preview", w, h);
            goto out;
        }
    }
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

const struct image_decoder image_decoder_heif = {
    .format = IMAGE_FORMAT_HEIF,
    .name = "heif",
    .info = "libheif",
    .sniff = sniff_heif,
    .decode = decode_heif,
};
