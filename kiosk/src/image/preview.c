/* EXIF previews: the small JPEG a camera stores in the EXIF block of a
 * photo (IFD1), used for display when it is as good as a reduced-size
 * decode would be. Only the file's first bytes are looked at. */
#include "image_internal.h"

#include <libexif/exif-data.h>
#include <stdlib.h>
#include <string.h>

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

struct jpeg_head {
    const uint8_t *exif; /* APP1 payload, "Exif\0\0..." */
    size_t exif_len;
    int w, h;            /* from the frame header */
};

/* Walks the markers up to the frame header. 0 when the header was found
 * within len. */
static int walk(const uint8_t *d, size_t len, struct jpeg_head *jh)
{
    memset(jh, 0, sizeof(*jh));
    if (len < 4 || d[0] != 0xff || d[1] != 0xd8)
        return -1;
    size_t pos = 2;
    while (pos + 4 <= len) {
        if (d[pos] != 0xff)
            return -1;
        const uint8_t m = d[pos + 1];
        if (m == 0xff) { /* fill byte */
            pos++;
            continue;
        }
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
            pos += 2;
            continue;
        }
        if (m == 0xd9 || m == 0xda) /* end of image, start of scan: no frame header */
            return -1;
        const size_t seg = be16(d + pos + 2);
        if (seg < 2)
            return -1;
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            if (pos + 9 > len || seg < 7)
                return -1;
            jh->h = (int)be16(d + pos + 5);
            jh->w = (int)be16(d + pos + 7);
            return jh->w > 0 && jh->h > 0 ? 0 : -1;
        }
        if (m == 0xe1 && !jh->exif && seg > 8 && pos + 2 + seg <= len &&
            !memcmp(d + pos + 4, "Exif\0\0", 6)) {
            jh->exif = d + pos + 4;
            jh->exif_len = seg - 2;
        }
        pos += 2 + seg;
    }
    return -1; /* the frame header is further in than we were given */
}

int image_decode_preview(const uint8_t *head, size_t len, const struct image_limits *limits,
                         const struct image_scale *scale, struct image_rgba *out,
                         struct image_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    struct decode_job job = {
        .limits = limits ? limits : &image_default_limits,
        .err = err,
        .box_w = scale->max_w,
        .box_h = scale->max_h,
    };
    struct jpeg_head photo;
    if (scale->max_w <= 0 || scale->max_h <= 0 || walk(head, len, &photo) != 0 || !photo.exif)
        return job_fail(&job, IMAGE_ERR_UNSUPPORTED, "no EXIF block before the frame header");
    if (job_check_dims(&job, photo.w, photo.h) != 0)
        return -1;
    ExifData *ed = exif_data_new_from_data(photo.exif, (unsigned int)photo.exif_len);
    if (!ed)
        return job_fail(&job, IMAGE_ERR_NOMEM, "libexif");
    int rc = -1;
    int o = exif_orientation(photo.exif, photo.exif_len);
    struct jpeg_head thumb;
    if (!ed->data || ed->size < 4 || walk(ed->data, ed->size, &thumb) != 0) {
        job_fail(&job, IMAGE_ERR_UNSUPPORTED, "no JPEG preview in the EXIF block");
        goto out;
    }
    /* Same shape as the photo, to within a preview pixel: letterboxed or
     * cropped previews are refused. */
    const long long W = photo.w, H = photo.h;
    if (llabs((long long)thumb.w * H - (long long)thumb.h * W) > (W > H ? W : H)) {
        job_fail(&job, IMAGE_ERR_UNSUPPORTED, "preview %dx%d is not the shape of %dx%d", thumb.w,
                 thumb.h, photo.w, photo.h);
        goto out;
    }
    int tw, th;
    job_fit(&job, o, photo.w, photo.h, &tw, &th);
    if (thumb.w < tw || thumb.h < th) {
        job_fail(&job, IMAGE_ERR_UNSUPPORTED, "preview %dx%d is smaller than %dx%d", thumb.w, thumb.h,
                 tw, th);
        goto out;
    }
    rc = image_scaled_run(ed->data, ed->size, limits, scale, o, photo.w, photo.h, out, err);
out:
    exif_data_unref(ed);
    return rc;
}
