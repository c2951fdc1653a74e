/* JPEG with libjpeg-turbo: default islow DCT and fancy upsampling, which is
 * what the PDQ reference saw through ImageMagick. Rows are streamed, so a
 * baseline 12 MP photo never exists as a whole bitmap. */
#include "image_decoder.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */

#include <jerror.h>
#include <jpeglib.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SCANS = 1000 }; /* progressive files with absurd scan counts are a known DoS */

struct jpeg_job {
    struct jpeg_error_mgr pub;
    struct jpeg_progress_mgr progress;
    jmp_buf jmp;
    struct decode_job *job;
    bool truncated;
};

static void on_error(j_common_ptr cinfo)
{
    struct jpeg_job *jj = (struct jpeg_job *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, msg);
    job_fail(jj->job, cinfo->err->msg_code == JERR_NO_BACKING_STORE ? IMAGE_ERR_TOO_LARGE : IMAGE_ERR_CORRUPT,
             "libjpeg: %s", msg);
    longjmp(jj->jmp, 1);
}

static void on_message(j_common_ptr cinfo, int level)
{
    struct jpeg_job *jj = (struct jpeg_job *)cinfo->err;
    if (level >= 0)
        return; /* trace messages */
    /* Warnings: only those that mean pixels are missing or invented count. */
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
        jj->truncated = true;
        break;
    default:
        break;
    }
}

static void on_progress(j_common_ptr cinfo)
{
    if (cinfo->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        if (d->input_scan_number > MAX_SCANS)
            ERREXIT1(cinfo, JERR_UNKNOWN_MARKER, d->input_scan_number);
    }
}

static int orientation_from_markers(j_decompress_ptr cinfo)
{
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0)
            return exif_orientation(m->data, m->data_length);
    return 1;
}

static bool sniff_jpeg(const uint8_t *d, size_t len)
{
    return image_has_magic(d, len, 0, "\xff\xd8\xff", 3);
}

static int decode_jpeg(struct decode_job *job)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_job jj;
    memset(&jj, 0, sizeof(jj));
    jj.job = job;
    uint8_t *volatile row = NULL;
    volatile int rc = -1;

    cinfo.err = jpeg_std_error(&jj.pub);
    jj.pub.error_exit = on_error;
    jj.pub.emit_message = on_message;
    if (setjmp(jj.jmp)) {
        rc = -1;
        goto out;
    }
    jpeg_create_decompress(&cinfo);
    jj.progress.progress_monitor = on_progress;
    cinfo.progress = &jj.progress;
    jpeg_mem_src(&cinfo, job->data, (unsigned long)job->len);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(&cinfo, TRUE);

    if (job_check_dims(job, cinfo.image_width, cinfo.image_height) != 0)
        goto out;
    const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    const bool grey = cinfo.jpeg_color_space == JCS_GRAYSCALE;
    cinfo.out_color_space = cmyk ? JCS_CMYK : grey ? JCS_GRAYSCALE : JCS_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.do_fancy_upsampling = TRUE;
    if (job->box_w > 0) {
        /* Display only (never the PDQ path): libjpeg's DCT scaling decodes
         * at M/8 of the size directly, the cheapest way to a thumbnail. */
        const JDIMENSION w = cinfo.image_width, h = cinfo.image_height;
        int tw, th;
        job_fit(job, orientation_from_markers(&cinfo), (int)w, (int)h, &tw, &th);
        unsigned m = 8;
        for (unsigned k = 1; k < 8; k++)
            if ((w * k + 7) / 8 >= (JDIMENSION)tw && (h * k + 7) / 8 >= (JDIMENSION)th) {
                m = k;
                break;
            }
        /* libjpeg-turbo has no backing store: past this it stops cleanly. */
        cinfo.mem->max_memory_to_use = IMAGE_SCALED_MAX_BYTES;
        cinfo.scale_num = m;
        cinfo.scale_denom = 8;
        cinfo.dct_method = JDCT_IFAST;
        cinfo.do_fancy_upsampling = FALSE;
        job->full_w = (int)w;
        job->full_h = (int)h;
    }
    jpeg_start_decompress(&cinfo);

    struct image_info info = {
        .format = IMAGE_FORMAT_JPEG,
        .width = (int)cinfo.output_width,
        .height = (int)cinfo.output_height,
        .layout = grey ? IMAGE_GREY8 : IMAGE_RGB8,
        .orientation = orientation_from_markers(&cinfo),
    };
    if (job_begin(job, &info) != 0)
        goto out;
    row = malloc((size_t)cinfo.output_width * (size_t)cinfo.output_components);
    if (!row) {
        job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a row");
        goto out;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {row};
        const int y = (int)cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1)
            break;
        if (cmyk) {
            /* Adobe CMYK JPEGs store inverted ink values, so the inverted C
             * times inverted K is already the red level (ImageMagick's
             * conversion, rounded the same way). */
            uint8_t *p = row;
            for (JDIMENSION x = 0; x < cinfo.output_width; x++, p += 4) {
                unsigned k = p[3];
                uint8_t r = (uint8_t)((p[0] * k + 127) / 255);
                uint8_t g = (uint8_t)((p[1] * k + 127) / 255);
                uint8_t b = (uint8_t)((p[2] * k + 127) / 255);
                row[3 * x] = r;
                row[3 * x + 1] = g;
                row[3 * x + 2] = b;
            }
        }
        if (job_row(job, y, row) != 0)
            goto out;
    }
    if (jj.truncated) {
        job_fail(job, IMAGE_ERR_CORRUPT, "JPEG data is truncated or damaged");
        goto out;
    }
    jpeg_finish_decompress(&cinfo);
    if (jj.truncated) {
        job_fail(job, IMAGE_ERR_CORRUPT, "JPEG data is truncated or damaged");
        goto out;
    }
    rc = 0;
out:
    free(row);
    jpeg_destroy_decompress(&cinfo);
    return rc;
}

const struct image_decoder image_decoder_jpeg = {
    .format = IMAGE_FORMAT_JPEG,
    .name = "jpeg",
    .info = "libjpeg-turbo",
    .sniff = sniff_jpeg,
    .decode = decode_jpeg,
};
