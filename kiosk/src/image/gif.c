/* GIF with giflib: the first frame, at its own size, with its palette colour
 * even where it is transparent (alpha is dropped, as everywhere). */
#include "image_decoder.h"

#include <gif_lib.h>
#include <stdlib.h>
#include <string.h>

struct gif_src {
    const uint8_t *data;
    size_t len, pos;
};

static int on_read(GifFileType *gif, GifByteType *out, int n)
{
    struct gif_src *src = gif->UserData;
    size_t left = src->len - src->pos;
    size_t k = (size_t)n < left ? (size_t)n : left;
    memcpy(out, src->data + src->pos, k);
    src->pos += k;
    return (int)k;
}

static bool sniff_gif(const uint8_t *d, size_t len)
{
    return image_has_magic(d, len, 0, "GIF87a", 6) || image_has_magic(d, len, 0, "GIF89a", 6);
}

static int decode_gif(struct decode_job *job)
{
    struct gif_src src = {job->data, job->len, 0};
    int err = 0, rc = -1;
    uint8_t *idx = NULL, *rgb = NULL;
    GifFileType *gif = DGifOpen(&src, on_read, &err);
    if (!gif)
        return job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(err));

    GifRecordType rec;
    for (;;) {
        if (DGifGetRecordType(gif, &rec) == GIF_ERROR) {
            job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(gif->Error));
            goto out;
        }
        if (rec == IMAGE_DESC_RECORD_TYPE)
            break;
        if (rec == TERMINATE_RECORD_TYPE) {
            job_fail(job, IMAGE_ERR_CORRUPT, "GIF has no image");
            goto out;
        }
        if (rec == EXTENSION_RECORD_TYPE) {
            int code;
            GifByteType *ext;
            if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) {
                job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(gif->Error));
                goto out;
            }
            while (ext) {
                if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) {
                    job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(gif->Error));
                    goto out;
                }
            }
        }
    }
    if (DGifGetImageDesc(gif) == GIF_ERROR) {
        job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(gif->Error));
        goto out;
    }
    const int w = gif->Image.Width, h = gif->Image.Height;
    if (job_check_dims(job, w, h) != 0)
        goto out;
    const ColorMapObject *cmap = gif->Image.ColorMap ? gif->Image.ColorMap : gif->SColorMap;
    if (!cmap) {
        job_fail(job, IMAGE_ERR_CORRUPT, "GIF has no colour table");
        goto out;
    }
    idx = malloc((size_t)w * (size_t)h);
    rgb = malloc((size_t)w * 3);
    if (!idx || !rgb) {
        job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a GIF frame");
        goto out;
    }
    if (gif->Image.Interlace) {
        static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
        for (int p = 0; p < 4; p++)
            for (int y = start[p]; y < h; y += step[p])
                if (DGifGetLine(gif, idx + (size_t)y * w, w) == GIF_ERROR)
                    goto corrupt;
    } else {
        for (int y = 0; y < h; y++)
            if (DGifGetLine(gif, idx + (size_t)y * w, w) == GIF_ERROR)
                goto corrupt;
    }
    struct image_info info = {
        .format = IMAGE_FORMAT_GIF, .width = w, .height = h, .layout = IMAGE_RGB8, .orientation = 1,
    };
    if (job_begin(job, &info) != 0)
        goto out;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int c = idx[(size_t)y * w + x];
            GifColorType col = c < cmap->ColorCount ? cmap->Colors[c] : (GifColorType){0, 0, 0};
            rgb[3 * x] = col.Red;
            rgb[3 * x + 1] = col.Green;
            rgb[3 * x + 2] = col.Blue;
        }
        if (job_row(job, y, rgb) != 0)
            goto out;
    }
    rc = 0;
    goto out;
corrupt:
    job_fail(job, IMAGE_ERR_CORRUPT, "giflib: %s", GifErrorString(gif->Error));
out:
    free(idx);
    free(rgb);
    DGifCloseFile(gif, &err);
    return rc;
}

const struct image_decoder image_decoder_gif = {
    .format = IMAGE_FORMAT_GIF,
    .name = "gif",
    .info = "giflib (the first frame)",
    .sniff = sniff_gif,
    .decode = decode_gif,
};
