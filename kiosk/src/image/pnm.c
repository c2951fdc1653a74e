/* Binary PGM (P5) and PPM (P6): the pixel files of the PDQ test vectors. */
#include "image_decoder.h"

#include <ctype.h>
#include <stdlib.h>

/* Reads one header number, skipping whitespace and # comments. */
static int pnm_number(const uint8_t *d, size_t len, size_t *pos, long *out)
{
    size_t p = *pos;
    for (;;) {
        while (p < len && isspace(d[p]))
            p++;
        if (p < len && d[p] == '#') {
            while (p < len && d[p] != '\n')
                p++;
            continue;
        }
        break;
    }
    if (p >= len || !isdigit(d[p]))
        return -1;
    long v = 0;
    while (p < len && isdigit(d[p])) {
        v = v * 10 + (d[p++] - '0');
        if (v > 1000000000L)
            return -1;
    }
    *pos = p;
    *out = v;
    return 0;
}

static bool sniff_pnm(const uint8_t *d, size_t len)
{
    return len >= 3 && d[0] == 'P' && (d[1] == '5' || d[1] == '6') &&
           (d[2] == ' ' || d[2] == '\t' || d[2] == '\n' || d[2] == '\r');
}

static int decode_pnm(struct decode_job *job)
{
    const uint8_t *d = job->data;
    size_t pos = 2;
    long w, h, maxval;
    if (pnm_number(d, job->len, &pos, &w) || pnm_number(d, job->len, &pos, &h) ||
        pnm_number(d, job->len, &pos, &maxval) || pos >= job->len || !isspace(d[pos]))
        return job_fail(job, IMAGE_ERR_CORRUPT, "bad PNM header");
    pos++; /* exactly one whitespace byte before the raster */
    if (maxval < 1 || maxval > 65535)
        return job_fail(job, IMAGE_ERR_CORRUPT, "bad PNM maxval %ld", maxval);
    if (job_check_dims(job, w, h) != 0)
        return -1;

    const int ch = d[1] == '5' ? 1 : 3;
    const int bps = maxval > 255 ? 2 : 1;
    const size_t row_bytes = (size_t)w * (size_t)ch * (size_t)bps;
    if ((job->len - pos) / row_bytes < (size_t)h)
        return job_fail(job, IMAGE_ERR_CORRUPT, "PNM raster is truncated");

    struct image_info info = {
        .format = IMAGE_FORMAT_PNM, .width = (int)w, .height = (int)h,
        .layout = ch == 1 ? IMAGE_GREY8 : IMAGE_RGB8, .orientation = 1,
    };
    if (job_begin(job, &info) != 0)
        return -1;
    if (maxval == 255) /* the common case: rows are already what the sink takes */
        return job_emit_buffer(job, &info, d + pos, row_bytes, ch);

    uint8_t *row = malloc((size_t)w * (size_t)ch);
    if (!row)
        return job_fail(job, IMAGE_ERR_NOMEM, "out of memory for a row");
    int rc = 0;
    for (long y = 0; y < h && rc == 0; y++) {
        const uint8_t *src = d + pos + (size_t)y * row_bytes;
        for (size_t i = 0; i < (size_t)w * (size_t)ch; i++) {
            unsigned v = bps == 2 ? (unsigned)(src[2 * i] << 8 | src[2 * i + 1]) : src[i];
            if (v > (unsigned)maxval)
                v = (unsigned)maxval;
            row[i] = (uint8_t)((v * 255u + (unsigned)maxval / 2) / (unsigned)maxval);
        }
        rc = job_row(job, (int)y, row);
    }
    free(row);
    return rc;
}

const struct image_decoder image_decoder_pnm = {
    .format = IMAGE_FORMAT_PNM,
    .name = "pnm",
    .info = "our own (pnm.c): binary PGM and PPM",
    .sniff = sniff_pnm,
    .decode = decode_pnm,
};
