/* Video posters with FFmpeg: the first decodable frame, scaled to the box
 * and turned as the display matrix says, plus the duration. The file is
 * read through a reader (a device file: a phone's partial reads, a volume's
 * pread()): FFmpeg opens nothing itself (no nested files from playlists or
 * external references), and only the usual phone containers are probed. */
#include "media_internal.h"

#include "avdl.h"
#include "vpdq.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    IO_BUF = 64 * 1024,
    MAX_PACKETS = 2000,     /* a broken file must not be read to its end */
    PROBE_BYTES = 2 << 20,
};

struct vio {
    const struct media_reader *r;
    uint64_t size, pos;
    int (*cancelled)(void *);
    void *ctx;
    int err; /* errno of a failed read */
};

static int vio_read(void *opaque, uint8_t *buf, int n)
{
    struct vio *v = opaque;
    if (v->cancelled && v->cancelled(v->ctx))
        return AVERROR_EXIT;
    if (v->pos >= v->size)
        return AVERROR_EOF;
    size_t want = (size_t)n;
    if (want > v->size - v->pos)
        want = (size_t)(v->size - v->pos);
    ssize_t r = v->r->read_at(v->r->ctx, buf, want, v->pos);
    if (r < 0) {
        v->err = errno ? errno : EIO;
        return AVERROR(v->err);
    }
    if (r == 0) {
        v->err = EIO; /* shorter than it was a moment ago */
        return AVERROR_EOF;
    }
    v->pos += (uint64_t)r;
    return (int)r;
}

static int64_t vio_seek(void *opaque, int64_t off, int whence)
{
    struct vio *v = opaque;
    whence &= ~AVSEEK_FORCE;
    int64_t pos;
    switch (whence) {
    case AVSEEK_SIZE: return (int64_t)v->size;
    case SEEK_SET: pos = off; break;
    case SEEK_CUR: pos = (int64_t)v->pos + off; break;
    case SEEK_END: pos = (int64_t)v->size + off; break;
    default: return AVERROR(EINVAL);
    }
    if (pos < 0)
        return AVERROR(EINVAL);
    v->pos = (uint64_t)pos;
    return pos;
}

static int refuse_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    (void)s, (void)pb, (void)url, (void)flags, (void)options;
    return AVERROR(EPERM);
}

/* Clockwise degrees the frame must be turned for display (0/90/180/270). */
static int rotation(const AVStream *st)
{
    const int32_t *m = avdl_display_matrix(st);
    if (!m)
        return 0;
    double theta = -round(avdl.av_display_rotation_get(m));
    theta -= 360 * floor(theta / 360 + 0.9 / 360);
    const int r = (int)lround(theta / 90) * 90;
    return r == 360 ? 0 : r;
}

/* The poster's size (as stored) for a frame shown at dw x dh. */
static void fit(int dw, int dh, int box, int *tw, int *th)
{
    if (dw <= box && dh <= box) {
        *tw = dw;
        *th = dh;
    } else if (dw >= dh) {
        *tw = box;
        *th = (int)(((int64_t)dh * box * 2 + dw) / (2 * (int64_t)dw));
    } else {
        *th = box;
        *tw = (int)(((int64_t)dw * box * 2 + dh) / (2 * (int64_t)dh));
    }
    if (*tw < 1)
        *tw = 1;
    if (*th < 1)
        *th = 1;
}

static int frame_to_poster(const AVFrame *fr, const AVStream *st, int box, struct poster *out)
{
    int w = fr->width, h = fr->height;
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
        return -1;
    /* Non-square pixels: the frame as displayed is wider or narrower. */
    AVRational sar = fr->sample_aspect_ratio.num ? fr->sample_aspect_ratio
                                                 : st->codecpar->sample_aspect_ratio;
    int dw = w;
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) {
        int64_t x = (int64_t)w * sar.num / sar.den;
        if (x >= 1 && x <= 32768)
            dw = (int)x;
    }
    const int rot = rotation(st);
    const bool swap = rot == 90 || rot == 270;
    int tw, th;
    if (swap) {
        fit(h, dw, box, &th, &tw); /* fit the displayed shape, then back to stored */
    } else {
        fit(dw, h, box, &tw, &th);
    }
    struct SwsContext *sws = avdl.sws_getContext(w, h, (enum AVPixelFormat)fr->format, tw, th,
                                            AV_PIX_FMT_RGBA, SWS_AREA, NULL, NULL, NULL);
    if (!sws)
        return -1;
    /* swscale's SIMD may write past a tight row: give it aligned, padded rows. */
    const int stride = FFALIGN(tw * 4, 64);
    const size_t padded = (size_t)stride * (size_t)(th + 1);
    uint8_t *tmp = avdl.av_mallocz(padded);
    uint8_t *tight = malloc((size_t)tw * th * 4);
    uint8_t *rgba = malloc((size_t)tw * th * 4);
    int rc = -1;
    if (tmp && tight && rgba) {
        uint8_t *dst[4] = {tmp, NULL, NULL, NULL};
        int dst_stride[4] = {stride, 0, 0, 0};
        if (avdl.sws_scale(sws, (const uint8_t *const *)fr->data, fr->linesize, 0, h, dst, dst_stride) == th) {
            for (int y = 0; y < th; y++)
                memcpy(tight + (size_t)y * tw * 4, tmp + (size_t)y * stride, (size_t)tw * 4);
            for (size_t i = 3; i < (size_t)tw * th * 4; i += 4)
                tight[i] = 255;
            const int o = rot == 90 ? 6 : rot == 180 ? 3 : rot == 270 ? 8 : 1;
            media_orient_rgba(tight, tw, th, o, rgba);
            out->rgba = rgba;
            rgba = NULL;
            out->w = swap ? th : tw;
            out->h = swap ? tw : th;
            out->full_w = swap ? h : dw;
            out->full_h = swap ? dw : h;
            rc = 0;
        }
    }
    avdl.sws_freeContext(sws);
    if (tmp) {
        explicit_bzero(tmp, padded);
        avdl.av_free(tmp);
    }
    media_secure_free(tight, (size_t)tw * th * 4);
    media_secure_free(rgba, (size_t)tw * th * 4);
    return rc;
}

int media_video_poster(const struct media_reader *rd, int box, int (*cancelled)(void *), void *ctx,
                       struct poster *out, enum media_err *err)
{
    memset(out, 0, sizeof(*out));
    out->duration_ms = -1;
    *err = MEDIA_OK;
    /* FFmpeg is loaded for the first video shown, not at start (avdl.h),
     * and kept from printing about the video. Without it: the placeholder,
     * as for a codec FFmpeg lacks. */
    char why[200];
    if (avdl_load(why, sizeof(why)) != 0)
        return 0;
    struct vio v = {.r = rd, .size = rd->size, .cancelled = cancelled, .ctx = ctx};
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *fr = NULL;
    AVDictionary *opts = NULL;
    int rc = -1;

    uint8_t *iobuf = avdl.av_malloc(IO_BUF);
    AVIOContext *pb = iobuf ? avdl.avio_alloc_context(iobuf, IO_BUF, 0, &v, vio_read, NULL, vio_seek) : NULL;
    fmt = pb ? avdl.avformat_alloc_context() : NULL;
    if (!fmt) {
        *err = MEDIA_ERR_NOMEM;
        if (!pb)
            avdl.av_free(iobuf);
        goto out;
    }
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->io_open = refuse_open;
    fmt->probesize = PROBE_BYTES;
    avdl.av_dict_set(&opts, "format_whitelist", "mov,matroska,avi,asf,flv,mpeg,mpegts", 0);
    avdl.av_dict_set(&opts, "codec_whitelist", vpdq_codec_whitelist, 0);
    /* The name FFmpeg would print: never the file's. */
    if (avdl.avformat_open_input(&fmt, "video", NULL, &opts) != 0) {
        fmt = NULL; /* freed by avformat_open_input */
        *err = v.err ? (v.err == ENOENT ? MEDIA_ERR_GONE : media_err_of_errno(v.err))
               : cancelled && cancelled(ctx) ? MEDIA_OK : MEDIA_ERR_CORRUPT;
        goto out;
    }
    avdl.avformat_find_stream_info(fmt, NULL); /* best effort: mp4/mov know it all from the header */
    if (v.err) {
        *err = media_err_of_errno(v.err);
        goto out;
    }
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        out->duration_ms = fmt->duration / (AV_TIME_BASE / 1000);
    rc = 0; /* from here on a missing frame means "placeholder", not failure */

    const AVCodec *codec = NULL;
    const int idx = avdl.av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (idx == AVERROR_STREAM_NOT_FOUND) {
        /* Sound only (a voice note in an MP4 box) or nothing readable at all. */
        *err = fmt->nb_streams ? MEDIA_ERR_NOT_MEDIA : MEDIA_ERR_CORRUPT;
        rc = -1;
        goto out;
    }
    if (idx < 0 || !codec)
        goto out; /* a video we have no decoder for: the placeholder */
    AVStream *st = fmt->streams[idx];
    if (out->duration_ms < 0 && st->duration != AV_NOPTS_VALUE && st->duration > 0)
        out->duration_ms = (int64_t)(st->duration * av_q2d(st->time_base) * 1000);
    dec = avdl.avcodec_alloc_context3(codec);
    if (!dec || avdl.avcodec_parameters_to_context(dec, st->codecpar) < 0)
        goto out;
    dec->thread_count = 1;
    AVDictionary *dopts = NULL;
    avdl.av_dict_set(&dopts, "codec_whitelist", vpdq_codec_whitelist, 0);
    const int oe = avdl.avcodec_open2(dec, codec, &dopts);
    avdl.av_dict_free(&dopts);
    if (oe < 0)
        goto out;
    pkt = avdl.av_packet_alloc();
    fr = avdl.av_frame_alloc();
    if (!pkt || !fr)
        goto out;
    bool got = false, eof = false;
    for (int n = 0; n < MAX_PACKETS && !got; n++) {
        if (cancelled && cancelled(ctx))
            goto out;
        if (!eof) {
            int r = avdl.av_read_frame(fmt, pkt);
            if (r < 0) {
                eof = true;
                avdl.avcodec_send_packet(dec, NULL); /* drain what is buffered */
            } else {
                if (pkt->stream_index == idx)
                    avdl.avcodec_send_packet(dec, pkt);
                avdl.av_packet_unref(pkt);
            }
        }
        int r = avdl.avcodec_receive_frame(dec, fr);
        if (r == 0)
            got = true;
        else if (eof)
            break;
    }
    if (v.err) {
        *err = media_err_of_errno(v.err);
        rc = -1;
        goto out;
    }
    if (got && frame_to_poster(fr, st, box, out) != 0) {
        /* no poster: the placeholder */
    }
out:
    avdl.av_dict_free(&opts);
    avdl.av_frame_free(&fr);
    avdl.av_packet_free(&pkt);
    avdl.avcodec_free_context(&dec);
    if (fmt)
        avdl.avformat_close_input(&fmt);
    if (pb) {
        avdl.av_freep(&pb->buffer);
        avdl.avio_context_free(&pb);
    }
    if (rc != 0 && out->rgba) {
        media_secure_free(out->rgba, (size_t)out->w * out->h * 4);
        out->rgba = NULL;
    }
    return rc;
}
