/* WebP with libwebp (still and animated: the first frame). Alpha dropped. */
#include "image_decoder.h"

#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

static int webp_orientation(const struct decode_job *job)
{
    WebPData data = {job->data, job->len};
    WebPDemuxer *dmx = WebPDemux(&data);
    if (!dmx)
        return 1;
    int o = 1;
    WebPChunkIterator it;
    if (WebPDemuxGetChunk(dmx, "EXIF", 1, &it)) {
        o = exif_orientation(it.chunk.bytes, it.chunk.size);
        WebPDemuxReleaseChunkIterator(&it);
    }
    WebPDemuxDelete(dmx);
    return o;
}

static int decode_animated(struct decode_job *job, struct image_info *info)
{
    WebPData data = {job->data, job->len};
    WebPAnimDecoderOptions opts;
    if (!WebPAnimDecoderOptionsInit(&opts))
        return job_fail(job, IMAGE_ERR_UNSUPPORTED, "libwebp version mismatch");
    opts.color_mode = MODE_RGBA;
    opts.use_threads = 0;
    WebPAnimDecoder *dec = WebPAnimDecoderNew(&data, &opts);
    if (!dec)
        return job_fail(job, IMAGE_ERR_CORRUPT, "animated WebP could not be opened");
    uint8_t *frame = NULL;
    int ts = 0, rc = -1;
    if (!WebPAnimDecoderGetNext(dec, &frame, &ts) || !frame) {
        job_fail(job, IMAGE_ERR_CORRUPT, "animated WebP has no decodable frame");
    } else if (job_begin(job, info) == 0) {
        rc = job_emit_buffer(job, info, frame, (size_t)info->width * 4, 4);
    }
    WebPAnimDecoderDelete(dec);
    return rc;
}

static bool sniff_webp(const uint8_t *d, size_t len)
{
    return image_has_magic(d, len, 0, "RIFF", 4) && image_has_magic(d, len, 8, "WEBP", 4);
}

static int decode_webp(struct decode_job *job)
{
    WebPBitstreamFeatures f;
    if (WebPGetFeatures(job->data, job->len, &f) != VP8_STATUS_OK)
        return job_fail(job, IMAGE_ERR_CORRUPT, "WebP header is damaged");
    if (job_check_dims(job, f.width, f.height) != 0)
        return -1;
    struct image_info info = {
        .format = IMAGE_FORMAT_WEBP, .width = f.width, .height = f.height,
        .layout = IMAGE_RGB8, .orientation = webp_orientation(job),
    };
    if (f.has_animation)
        return decode_animated(job, &info);
    /* Display only (never the PDQ path): libwebp's own scaler. */
    int tw = 0, th = 0;
    if (job->box_w > 0) {
        job_fit(job, info.orientation, f.width, f.height, &tw, &th);
        job->full_w = f.width;
        job->full_h = f.height;
        if (tw < f.width || th < f.height) {
            info.width = tw;
            info.height = th;
        } else {
            tw = th = 0;
        }
    }
    if (job_begin(job, &info) != 0)
        return -1;

    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg))
        return job_fail(job, IMAGE_ERR_UNSUPPORTED, "libwebp version mismatch");
    cfg.output.colorspace = MODE_RGB;
    if (tw > 0) {
        cfg.options.use_scaling = 1;
        cfg.options.scaled_width = tw;
        cfg.options.scaled_height = th;
        cfg.options.no_fancy_upsampling = 1;
    }
    VP8StatusCode st = WebPDecode(job->data, job->len, &cfg);
    if (st != VP8_STATUS_OK) {
        WebPFreeDecBuffer(&cfg.output);
        return job_fail(job, st == VP8_STATUS_OUT_OF_MEMORY ? IMAGE_ERR_NOMEM : IMAGE_ERR_CORRUPT,
                        "libwebp: status %d", (int)st);
    }
    int rc = job_emit_buffer(job, &info, cfg.output.u.RGBA.rgba, (size_t)cfg.output.u.RGBA.stride, 3);
    WebPFreeDecBuffer(&cfg.output);
    return rc;
}

const struct image_decoder image_decoder_webp = {
    .format = IMAGE_FORMAT_WEBP,
    .name = "webp",
    .info = "libwebp (the first frame of an animation)",
    .sniff = sniff_webp,
    .decode = decode_webp,
};
