/* vPDQ: decode with FFmpeg's libraries from the file in place (through the
 * caller's reader: a file, memory, a phone's file by cable), sample frames
 * as Meta's reference does, PDQ each one at full frame size.
 *
 * Threads: the decoder uses FFmpeg's own frame/slice threads; with more than
 * one thread, sampled frames go (as references to the decoder's buffers,
 * never copies on disk) to a small bounded queue that hashing workers drain,
 * each with its own swscale context and RGB buffer. Memory is bounded by
 * the queue length and the frame size limit, whatever the video's length. */
#include "vpdq.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "avdl.h"

enum {
    IO_BUFFER = 64 * 1024,
    QUEUE_CAP = 4,
    MAX_THREADS = 16,
    RGB_PADDING = 256,
};

/* The demuxers for the containers hash_sniff() recognises. Anything else
 * (playlists, concat lists, image sequences...) is refused: those could make
 * FFmpeg open other files. */
static const char allowed_formats[] = "mov,matroska,avi,asf,flv,mpeg,mpegts";

/* Decoders FFmpeg may open, by decoder name: what phones, cameras and
 * messengers record in the containers above, and the audio decoders that
 * probing opens. Everything else (hundreds of rarely used, rarely fuzzed
 * decoders, and hardware ones that open device files) is refused: a
 * smaller attack surface for a hostile file. */
const char vpdq_codec_whitelist[] =
    "h264,hevc,mpeg4,h263,h263p,h263i,vp8,vp9,libdav1d,libaom-av1,av1,mjpeg,mpeg1video,"
    "mpeg2video,msmpeg4v1,msmpeg4v2,msmpeg4,wmv1,wmv2,wmv3,vc1,flv,prores,theora,"
    "aac,aac_fixed,aac_latm,mp3float,mp3,mp2float,mp2,opus,libopus,vorbis,libvorbis,ac3,"
    "ac3_fixed,eac3,amrnb,amrwb,alac,flac,wmav1,wmav2,pcm_s16le,pcm_s16be,pcm_s24le,"
    "pcm_f32le,pcm_u8,pcm_mulaw,pcm_alaw,adpcm_ima_qt,adpcm_ms,gsm_ms";

/* The same video codecs by their codec (descriptor) names, as
 * avcodec_get_name() gives them in vpdq_result.codec. */
static const char *const known_codecs[] = {
    "h264", "hevc", "mpeg4", "h263", "h263p", "h263i", "vp8", "vp9", "av1", "mjpeg",
    "mpeg1video", "mpeg2video", "msmpeg4v1", "msmpeg4v2", "msmpeg4v3", "wmv1", "wmv2", "wmv3",
    "vc1", "flv1", "prores", "theora",
};

/* Whether name is one of a comma-separated list's entries. */
static bool in_list(const char *name, const char *list)
{
    const size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        const size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !memcmp(p, name, n))
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

const char *vpdq_codec_known(const char *name)
{
    for (size_t i = 0; name && i < sizeof(known_codecs) / sizeof(known_codecs[0]); i++)
        if (!strcmp(name, known_codecs[i]))
            return known_codecs[i];
    return NULL;
}

void vpdq_options_default(struct vpdq_options *o)
{
    memset(o, 0, sizeof(*o));
    o->interval = 1.0;
    o->displayed = true;
    o->threads = 0;
    o->max_seconds = 600.0;
    o->max_pixels = 4096ull * 2304ull;
    o->skip_unsampled = true;
}

void vpdq_result_free(struct vpdq_result *r)
{
    if (!r)
        return;
    vpdq_list_free(&r->frames);
    vpdq_list_free(&r->displayed);
    free(r);
}

/* ---- reading: through the caller's reader ---- */

struct source {
    const struct vpdq_reader *rd;
    int64_t size, pos;
    int read_errno;         /* the first failed read's errno: no read after it */
    bool ended_early;       /* the reader had nothing more before its size */
};

static int source_read(void *opaque, uint8_t *buf, int n)
{
    struct source *s = opaque;
    if (s->read_errno)
        return AVERROR(s->read_errno); /* a pulled cable does not come back mid-file */
    if (s->pos >= s->size || n <= 0)
        return AVERROR_EOF;
    size_t want = (size_t)n;
    if ((int64_t)want > s->size - s->pos)
        want = (size_t)(s->size - s->pos);
    errno = 0;
    const ssize_t r = s->rd->read_at(s->rd->ctx, buf, want, (uint64_t)s->pos);
    if (r < 0 || (size_t)r > want) {
        /* A reader that breaks its contract counts as a failed device. */
        s->read_errno = r < 0 && errno > 0 ? errno : EIO;
        return AVERROR(s->read_errno);
    }
    if (r == 0) {
        s->ended_early = true; /* the file shrank, or was cut while listed */
        return AVERROR_EOF;
    }
    s->pos += r;
    return (int)r;
}

static int64_t source_seek(void *opaque, int64_t off, int whence)
{
    struct source *s = opaque;
    int64_t np;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return s->size;
    case SEEK_SET: np = off; break;
    case SEEK_CUR: np = s->pos + off; break;
    case SEEK_END: np = s->size + off; break;
    default: return AVERROR(EINVAL);
    }
    if (np < 0)
        return AVERROR(EINVAL);
    s->pos = np;
    return np;
}

/* Nothing but the file we were given: no nested opens at all. */
static int refuse_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    *pb = NULL;
    return AVERROR(EPERM);
}

/* ---- one run ---- */

struct worker {
    struct run *run;
    pthread_t tid;
    bool started;
    struct SwsContext *sws;
    uint8_t *rgb;            /* target frame, RGB24, rows of 3 * tw bytes */
    uint8_t *turned;         /* as displayed */
    float *luma;
};

struct run {
    const struct vpdq_options *o;
    struct vpdq_result *res;
    struct vpdq_error *err;
    struct source src;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVFrame *frame;
    AVPacket *pkt;
    int stream;
    int tw, th;              /* hashed size as decoded */
    /* As displayed: a source pixel (x, y) goes to (ta*x + tc*y + tx, tb*x + td*y + ty). */
    bool turn;
    int ta, tb, tc, td, tx, ty, dw, dh;
    float fps_f;
    int64_t mod;
    double deadline;         /* CLOCK_MONOTONIC seconds; 0 = none */
    bool interrupted;        /* the budget deadline passed inside FFmpeg */

    struct worker workers[MAX_THREADS];
    int nworkers;            /* 0: hash on the decoding thread with workers[0] */
    pthread_mutex_t mu;
    pthread_cond_t cv_put, cv_get;
    AVFrame *queue[QUEUE_CAP];
    int64_t qnum[QUEUE_CAP];
    int qhead, qlen;
    bool closing;
    bool failed;             /* a worker ran out of memory */

    struct fast *fast;       /* skipping unsampled frames (NULL: counting all) */
    bool fast_failed;        /* ... was abandoned: decode again */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int interrupt_cb(void *opaque)
{
    struct run *r = opaque;
    if (r->deadline > 0 && now() > r->deadline) {
        r->interrupted = true;
        return 1;
    }
    return 0;
}

static int set_err(struct run *r, enum vpdq_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_err(struct run *r, enum vpdq_err code, const char *fmt, ...)
{
    if (r->err->code != VPDQ_OK)
        return -1; /* keep the first reason */
    r->err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->detail, sizeof(r->err->detail), fmt, ap);
    va_end(ap);
    return -1;
}

static const char *av_msg(int e, char buf[AV_ERROR_MAX_STRING_SIZE])
{
    avdl.av_strerror(e, buf, AV_ERROR_MAX_STRING_SIZE);
    return buf;
}

/* ---- hashing one frame ---- */

static void pdq_rgb(const uint8_t *rgb, int w, int h, float *luma, struct pdq_stream *s,
                    struct vpdq_feature *f)
{
    for (int y = 0; y < h; y++) {
        pdq_luma_rgb(rgb + (size_t)y * 3 * (size_t)w, (size_t)w, luma);
        pdq_stream_push(s, luma);
    }
    struct pdq_dct d;
    pdq_stream_finish(s, &d);
    pdq_dct_hash(&d, PDQ_ORIG, &f->hash);
    f->quality = d.quality;
}

static int worker_init(struct run *r, struct worker *w)
{
    w->run = r;
    /* swscale's SIMD writes run a little past the last row (FFmpeg's own
     * frame buffers carry padding for it). */
    const size_t px = (size_t)r->tw * (size_t)r->th;
    w->rgb = avdl.av_malloc(px * 3 + RGB_PADDING);
    w->luma = malloc(sizeof(float) * (size_t)(r->tw > r->th ? r->tw : r->th));
    if (r->turn)
        w->turned = avdl.av_malloc(px * 3);
    return w->rgb && w->luma && (!r->turn || w->turned) ? 0 : -1;
}

static void worker_free(struct worker *w)
{
    /* Pixels of a private video: wiped before they go. */
    const size_t px = w->run ? (size_t)w->run->tw * (size_t)w->run->th : 0;
    if (w->rgb)
        explicit_bzero(w->rgb, px * 3 + RGB_PADDING);
    if (w->turned)
        explicit_bzero(w->turned, px * 3);
    if (w->luma)
        explicit_bzero(w->luma, sizeof(float) * (size_t)(w->run->tw > w->run->th ? w->run->tw : w->run->th));
    avdl.sws_freeContext(w->sws);
    avdl.av_free(w->rgb);
    avdl.av_free(w->turned);
    free(w->luma);
    w->sws = NULL;
    w->rgb = w->turned = NULL;
    w->luma = NULL;
}

static void turn_rgb(const struct run *r, const uint8_t *in, uint8_t *out)
{
    for (int y = 0; y < r->th; y++) {
        const uint8_t *p = in + (size_t)y * 3 * (size_t)r->tw;
        for (int x = 0; x < r->tw; x++, p += 3) {
            const int dx = r->ta * x + r->tc * y + r->tx;
            const int dy = r->tb * x + r->td * y + r->ty;
            memcpy(out + ((size_t)dy * (size_t)r->dw + (size_t)dx) * 3, p, 3);
        }
    }
}

/* 0, or -1 (out of memory / unusable pixel format) with nothing stored. */
static int hash_frame(struct worker *w, const AVFrame *f, int64_t number,
                      struct vpdq_feature *decoded, struct vpdq_feature *shown)
{
    struct run *r = w->run;
    /* As the reference: SWS_AREA to RGB24 at the stream's size (or NxN),
     * into rows exactly 3 * width bytes apart (its buffers use align 1). */
    w->sws = avdl.sws_getCachedContext(w->sws, f->width, f->height, (enum AVPixelFormat)f->format,
                                  r->tw, r->th, AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL, NULL);
    if (!w->sws)
        return -1;
    uint8_t *dst[4] = {w->rgb, NULL, NULL, NULL};
    int dst_ls[4] = {3 * r->tw, 0, 0, 0};
    avdl.sws_scale(w->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, dst_ls);

    struct pdq_stream *s = pdq_stream_create(r->tw, r->th, 0);
    struct pdq_stream *s2 = r->turn ? pdq_stream_create(r->dw, r->dh, 0) : NULL;
    if (!s || (r->turn && !s2)) {
        pdq_stream_destroy(s);
        pdq_stream_destroy(s2);
        return -1;
    }
    const double ts = (double)((float)number / r->fps_f);
    memset(decoded, 0, sizeof(*decoded));
    decoded->frame = number;
    decoded->timestamp = ts;
    pdq_rgb(w->rgb, r->tw, r->th, w->luma, s, decoded);
    if (r->turn) {
        turn_rgb(r, w->rgb, w->turned);
        memset(shown, 0, sizeof(*shown));
        shown->frame = number;
        shown->timestamp = ts;
        pdq_rgb(w->turned, r->dw, r->dh, w->luma, s2, shown);
    }
    pdq_stream_destroy(s);
    pdq_stream_destroy(s2);
    return 0;
}

static int store(struct run *r, const struct vpdq_feature *decoded, const struct vpdq_feature *shown)
{
    if (vpdq_list_push(&r->res->frames, decoded) != 0)
        return -1;
    if (r->turn && vpdq_list_push(&r->res->displayed, shown) != 0)
        return -1;
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->run;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->qlen == 0 && !r->closing)
            pthread_cond_wait(&r->cv_get, &r->mu);
        if (r->qlen == 0)
            break;
        AVFrame *f = r->queue[r->qhead];
        int64_t number = r->qnum[r->qhead];
        r->qhead = (r->qhead + 1) % QUEUE_CAP;
        r->qlen--;
        pthread_cond_signal(&r->cv_put);
        pthread_mutex_unlock(&r->mu);

        struct vpdq_feature a, b;
        int rc = hash_frame(w, f, number, &a, &b);
        avdl.av_frame_free(&f);

        pthread_mutex_lock(&r->mu);
        if (rc != 0 || store(r, &a, &b) != 0)
            r->failed = true;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static int start_workers(struct run *r, int n)
{
    if (n <= 1) {
        r->nworkers = 0;
        return worker_init(r, &r->workers[0]);
    }
    for (int i = 0; i < n; i++) {
        if (worker_init(r, &r->workers[i]) != 0)
            return -1;
        if (pthread_create(&r->workers[i].tid, NULL, worker_main, &r->workers[i]) != 0)
            return -1;
        r->workers[i].started = true;
        r->nworkers = i + 1;
    }
    return 0;
}

static void stop_workers(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    r->closing = true;
    pthread_cond_broadcast(&r->cv_get);
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < MAX_THREADS; i++) {
        if (r->workers[i].started)
            pthread_join(r->workers[i].tid, NULL);
        r->workers[i].started = false;
        worker_free(&r->workers[i]);
    }
    while (r->qlen) {
        avdl.av_frame_free(&r->queue[r->qhead]);
        r->qhead = (r->qhead + 1) % QUEUE_CAP;
        r->qlen--;
    }
}

/* A decoded frame that was sampled: hash it now, or queue it. */
static int dispatch(struct run *r, const AVFrame *f, int64_t number)
{
    if (r->nworkers == 0) {
        struct vpdq_feature a, b;
        if (hash_frame(&r->workers[0], f, number, &a, &b) != 0 || store(r, &a, &b) != 0)
            return set_err(r, VPDQ_ERR_NOMEM, "out of memory hashing frame %lld", (long long)number);
        return 0;
    }
    AVFrame *ref = avdl.av_frame_clone(f); /* a reference to the decoder's buffer */
    if (!ref)
        return set_err(r, VPDQ_ERR_NOMEM, "out of memory queueing frame %lld", (long long)number);
    pthread_mutex_lock(&r->mu);
    while (r->qlen == QUEUE_CAP && !r->failed)
        pthread_cond_wait(&r->cv_put, &r->mu);
    const bool failed = r->failed;
    if (!failed) {
        const int at = (r->qhead + r->qlen) % QUEUE_CAP;
        r->queue[at] = ref;
        r->qnum[at] = number;
        r->qlen++;
        pthread_cond_signal(&r->cv_get);
    }
    pthread_mutex_unlock(&r->mu);
    if (failed) {
        avdl.av_frame_free(&ref);
        return set_err(r, VPDQ_ERR_NOMEM, "out of memory hashing frames");
    }
    return 0;
}

/* ---- orientation from the display matrix ---- */

static int unit(int64_t v, int64_t mx)
{
    /* dominant entries are +-1, the others must be (nearly) 0 */
    if (v > mx / 2)
        return 1;
    if (v < -(mx / 2))
        return -1;
    return 0;
}

static void setup_orientation(struct run *r, const AVStream *st)
{
    const int32_t *m = avdl_display_matrix(st);
    if (!m)
        return;
    const double angle = avdl.av_display_rotation_get(m);
    if (isnan(angle))
        return;
    /* What a player turns the picture by, clockwise (as ffmpeg's autorotate). */
    long deg = lround(-angle);
    deg = ((deg % 360) + 360) % 360;
    r->res->rotation = (int)(((deg + 45) / 90 % 4) * 90);

    /* 64-bit: a hostile matrix may hold INT32_MIN (found by fuzz_vpdq) */
    int64_t mx = 0;
    const int idx[4] = {0, 1, 3, 4};
    for (int i = 0; i < 4; i++) {
        const int64_t v = llabs((long long)m[idx[i]]);
        if (v > mx)
            mx = v;
    }
    if (mx <= 0)
        return;
    const int a = unit(m[0], mx), b = unit(m[1], mx), c = unit(m[3], mx), d = unit(m[4], mx);
    /* Only the 8 rotations/flips of the pixel grid are applied; anything
     * else (an arbitrary angle, a shear) is reported but not hashed. */
    const bool straight = a && d && !b && !c, across = b && c && !a && !d;
    for (int i = 0; i < 4; i++) {
        const int64_t v = llabs((long long)m[idx[i]]);
        if (v > mx / 64 && v < mx - mx / 64)
            return;
    }
    if (!straight && !across)
        return;
    r->res->flipped = a * d - b * c < 0;
    if (a == 1 && d == 1)
        return; /* identity */
    r->ta = a;
    r->tb = b;
    r->tc = c;
    r->td = d;
    /* (p', q') = (a p + c q, b p + d q), shifted back into the picture */
    r->tx = (a < 0 ? r->tw - 1 : 0) + (c < 0 ? r->th - 1 : 0);
    r->ty = (b < 0 ? r->tw - 1 : 0) + (d < 0 ? r->th - 1 : 0);
    r->dw = straight ? r->tw : r->th;
    r->dh = straight ? r->th : r->tw;
    r->turn = r->o->displayed;
}

/* ---- open ---- */

/* The read buffer held bytes of the video: wiped before it goes. */
static void free_io_buffer(AVIOContext *pb)
{
    if (pb->buffer)
        explicit_bzero(pb->buffer, (size_t)pb->buffer_size);
    avdl.av_freep(&pb->buffer);
}

static int open_input(struct run *r)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    uint8_t *iobuf = avdl.av_malloc(IO_BUFFER);
    if (!iobuf)
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for the read buffer");
    AVIOContext *pb = avdl.avio_alloc_context(iobuf, IO_BUFFER, 0, &r->src, source_read, NULL, source_seek);
    if (!pb) {
        avdl.av_free(iobuf);
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for the reader");
    }
    r->fmt = avdl.avformat_alloc_context();
    if (!r->fmt) {
        free_io_buffer(pb);
        avdl.avio_context_free(&pb);
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for the demuxer");
    }
    r->fmt->pb = pb;
    r->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    r->fmt->io_open = refuse_open;
    r->fmt->interrupt_callback.callback = interrupt_cb;
    r->fmt->interrupt_callback.opaque = r;

    AVDictionary *opts = NULL;
    avdl.av_dict_set(&opts, "format_whitelist", allowed_formats, 0);
    avdl.av_dict_set(&opts, "codec_whitelist", vpdq_codec_whitelist, 0);
    /* Streaming input needs no more; bounds probing work on odd files. */
    avdl.av_dict_set(&opts, "probesize", "10000000", 0);
    avdl_clear_log();
    const char *last_log = avdl_last_log();
    int e = avdl.avformat_open_input(&r->fmt, NULL, NULL, &opts);
    avdl.av_dict_free(&opts);
    if (e < 0) {
        /* avformat_open_input freed the context but not our custom I/O */
        r->fmt = NULL;
        free_io_buffer(pb);
        avdl.avio_context_free(&pb);
        if (r->src.read_errno)
            return set_err(r, VPDQ_ERR_READ, "read failed: %s", strerror(r->src.read_errno));
        if (r->interrupted)
            return set_err(r, VPDQ_ERR_BUDGET, "time budget ran out while opening the video");
        if (e == AVERROR(EINVAL) && strstr(last_log, "whitelist"))
            return set_err(r, VPDQ_ERR_UNSUPPORTED, "container not allowed: %s", last_log);
        return set_err(r, VPDQ_ERR_CORRUPT, "cannot open the container: %s%s%s", av_msg(e, eb),
                       last_log[0] ? "; " : "", last_log);
    }
    e = avdl.avformat_find_stream_info(r->fmt, NULL);
    if (e < 0) {
        if (r->src.read_errno)
            return set_err(r, VPDQ_ERR_READ, "read failed: %s", strerror(r->src.read_errno));
        if (r->interrupted)
            return set_err(r, VPDQ_ERR_BUDGET, "time budget ran out while probing the video");
        return set_err(r, VPDQ_ERR_CORRUPT, "cannot read stream information: %s", av_msg(e, eb));
    }
    return 0;
}

static int open_decoder(struct run *r)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    const struct vpdq_options *o = r->o;
    r->stream = -1;
    /* The first video stream, as the reference; cover pictures are not video. */
    for (unsigned i = 0; i < r->fmt->nb_streams; i++) {
        const AVStream *st = r->fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            r->stream = (int)i;
            break;
        }
    }
    if (r->fmt->nb_streams == 0)
        return set_err(r, VPDQ_ERR_CORRUPT, "no streams found: the file may be cut short");
    if (r->stream < 0)
        return set_err(r, VPDQ_ERR_NO_VIDEO, "no video stream among %u streams", r->fmt->nb_streams);
    AVStream *st = r->fmt->streams[r->stream];
    const AVCodecParameters *par = st->codecpar;
    r->res->codec = avdl.avcodec_get_name(par->codec_id);
    r->res->width = par->width;
    r->res->height = par->height;
    if (par->width <= 0 || par->height <= 0)
        return set_err(r, VPDQ_ERR_CORRUPT, "the video stream has no picture size (%s)", r->res->codec);
    if ((uint64_t)par->width * (uint64_t)par->height > o->max_pixels)
        return set_err(r, VPDQ_ERR_TOO_LARGE, "%dx%d is over the limit of %llu pixels", par->width,
                       par->height, (unsigned long long)o->max_pixels);

    AVRational rate = st->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0)
        rate = st->r_frame_rate;
    if (rate.num <= 0 || rate.den <= 0)
        return set_err(r, VPDQ_ERR_UNSUPPORTED, "the video has no frame rate");
    r->res->fps = (double)rate.num / (double)rate.den;
    r->fps_f = (float)r->res->fps;
    if (o->interval > 0) {
        const double m = o->interval * r->res->fps;
        r->mod = m >= 1.0 && m < 1e9 ? (int64_t)(int)m : 1;
    } else {
        r->mod = 1;
    }
    if (r->fmt->duration != AV_NOPTS_VALUE && r->fmt->duration > 0)
        r->res->duration = (double)r->fmt->duration / AV_TIME_BASE;
    else if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        r->res->duration = (double)st->duration * av_q2d(st->time_base);

    const AVCodec *codec = avdl.avcodec_find_decoder(par->codec_id);
    if (!codec) {
        char tag[AV_FOURCC_MAX_STRING_SIZE];
        avdl.av_fourcc_make_string(tag, par->codec_tag);
        return set_err(r, VPDQ_ERR_UNSUPPORTED, "no decoder for codec %s (tag %s)", r->res->codec, tag);
    }
    /* Checked here for a clear reason; FFmpeg checks it again on open. */
    if (!in_list(codec->name, vpdq_codec_whitelist))
        return set_err(r, VPDQ_ERR_UNSUPPORTED, "codec not allowed: %s (decoder %s)", r->res->codec,
                       codec->name);
    r->dec = avdl.avcodec_alloc_context3(codec);
    if (!r->dec)
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for the decoder");
    if (avdl.avcodec_parameters_to_context(r->dec, par) < 0)
        return set_err(r, VPDQ_ERR_NOMEM, "cannot set up the decoder");
    r->dec->pkt_timebase = st->time_base;
    r->dec->max_pixels = (int64_t)o->max_pixels;
    int threads = o->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    /* Decoders are bit-exact whatever the threading, so frame threads
     * (faster) give the reference's frames. */
    r->dec->thread_count = threads;
    r->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    AVDictionary *dopts = NULL;
    avdl.av_dict_set(&dopts, "codec_whitelist", vpdq_codec_whitelist, 0);
    int e = avdl.avcodec_open2(r->dec, codec, &dopts);
    avdl.av_dict_free(&dopts);
    if (e < 0)
        return set_err(r, VPDQ_ERR_UNSUPPORTED, "cannot open the %s decoder: %s", r->res->codec,
                       av_msg(e, eb));

    r->tw = o->downscale > 0 ? o->downscale : par->width;
    r->th = o->downscale > 0 ? o->downscale : par->height;
    setup_orientation(r, st);
    if (!(r->frame = avdl.av_frame_alloc()) || !(r->pkt = avdl.av_packet_alloc()))
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for frames");
    if (start_workers(r, threads) != 0)
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for %d hashing threads", threads);
    return 0;
}

/* ---- skipping frames nobody samples ----
 * At 1 frame per second most frames are never hashed, and most of the
 * decoding time goes into them. Frames no other frame refers to (H.264/HEVC
 * non-reference pictures) can be left undecoded — but then the decoder's
 * output count no longer gives the reference's frame numbers. Those numbers
 * are recomputed exactly: a frame's number is how many frames of the stream
 * have an earlier presentation time. Packets wait in a small window so that
 * every earlier-shown packet has been read before one is sent; anything that
 * breaks the assumptions (no or repeated timestamps, reordering deeper than
 * the window, a frame missing or out of order, a decoding error) abandons the
 * attempt and the video is decoded again frame by frame. */

enum { FAST_WINDOW = 32, FAST_RING = 128 };

struct fast {
    AVPacket *fifo[FAST_WINDOW + 1];
    int fh, fn;
    int64_t ring_pts[FAST_RING], ring_num[FAST_RING];
    int rn;                  /* entries used (the newest at (rh - 1)) */
    int rh;
    uint64_t sent;           /* packets sent so far */
    int64_t max_sent_pts;
    int64_t last_out;        /* number of the last frame output, -1 */
    uint64_t sampled_sent, sampled_out;
};

static bool fast_eligible(const struct run *r)
{
    const enum AVCodecID id = r->fmt->streams[r->stream]->codecpar->codec_id;
    return r->o->skip_unsampled && r->mod > 1 && (id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC);
}

static void fast_free(struct run *r)
{
    struct fast *f = r->fast;
    if (!f)
        return;
    for (int i = 0; i < f->fn; i++)
        avdl.av_packet_free(&f->fifo[(f->fh + i) % (FAST_WINDOW + 1)]);
    free(f);
    r->fast = NULL;
}

static int fast_abandon(struct run *r)
{
    r->fast_failed = true;
    return 1;
}

static int drain(struct run *r, uint64_t *next_progress);

/* Sends the oldest waiting packet with its frame number worked out. */
static int fast_send_one(struct run *r, uint64_t *next_progress)
{
    struct fast *f = r->fast;
    AVPacket *x = f->fifo[f->fh];
    f->fh = (f->fh + 1) % (FAST_WINDOW + 1);
    f->fn--;
    const int64_t p = x->pts;
    /* Earlier-shown packets: among those sent, all but the recent few in
     * the ring (checked below); among those waiting, count them. */
    int64_t later_sent = 0;
    for (int i = 0; i < f->rn; i++)
        later_sent += f->ring_pts[(f->rh - 1 - i + FAST_RING) % FAST_RING] > p;
    int64_t earlier_waiting = 0, min_waiting = p;
    for (int i = 0; i < f->fn; i++) {
        const int64_t q = f->fifo[(f->fh + i) % (FAST_WINDOW + 1)]->pts;
        earlier_waiting += q < p;
        if (q < min_waiting)
            min_waiting = q;
    }
    if (f->rn == FAST_RING) {
        /* The entry leaving the ring is no longer looked at: it must be
         * shown before everything still to come. */
        if (f->ring_pts[f->rh] >= min_waiting) {
            avdl.av_packet_free(&x);
            return fast_abandon(r);
        }
    } else {
        f->rn++;
    }
    const int64_t number = (int64_t)f->sent - later_sent + earlier_waiting;
    f->ring_pts[f->rh] = p;
    f->ring_num[f->rh] = number;
    f->rh = (f->rh + 1) % FAST_RING;
    if (f->sent == 0 || p > f->max_sent_pts)
        f->max_sent_pts = p;
    f->sent++;

    const bool sampled = number % r->mod == 0;
    f->sampled_sent += sampled;
    /* Until the first frame is out, decode everything (the decoder may still
     * be looking for its first key frame). */
    r->dec->skip_frame = sampled || f->last_out < 0 ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
    const int e = avdl.avcodec_send_packet(r->dec, x);
    avdl.av_packet_free(&x);
    if (e < 0 && e != AVERROR(EAGAIN))
        return fast_abandon(r);
    return drain(r, next_progress);
}

/* A packet of the video stream, read in decode order. */
static int fast_packet(struct run *r, AVPacket *pkt, uint64_t *next_progress)
{
    struct fast *f = r->fast;
    if (pkt->pts == AV_NOPTS_VALUE || (pkt->flags & AV_PKT_FLAG_DISCARD) ||
        (f->sent && pkt->pts <= f->max_sent_pts))
        return fast_abandon(r);
    for (int i = 0; i < f->fn; i++)
        if (f->fifo[(f->fh + i) % (FAST_WINDOW + 1)]->pts == pkt->pts)
            return fast_abandon(r);
    AVPacket *mine = avdl.av_packet_alloc();
    if (!mine)
        return set_err(r, VPDQ_ERR_NOMEM, "no memory for packets");
    avdl.av_packet_move_ref(mine, pkt);
    f->fifo[(f->fh + f->fn) % (FAST_WINDOW + 1)] = mine;
    f->fn++;
    if (f->fn > FAST_WINDOW)
        return fast_send_one(r, next_progress);
    return 0;
}

/* The frame number of a decoded frame, from its timestamp. */
static int fast_number(struct run *r, const AVFrame *fr, int64_t *number)
{
    struct fast *f = r->fast;
    for (int i = 0; i < f->rn; i++) {
        const int at = (f->rh - 1 - i + FAST_RING) % FAST_RING;
        if (f->ring_pts[at] == fr->pts) {
            const int64_t n = f->ring_num[at];
            if ((f->last_out < 0 && n != 0) || n <= f->last_out)
                return -1;
            f->last_out = n;
            f->sampled_out += n % r->mod == 0;
            *number = n;
            return 0;
        }
    }
    return -1;
}

/* ---- decode ---- */

/* Receives every frame the decoder has ready. 0 to go on, 1 when a budget,
 * the caller or the fast path stopped the pass, -1 on a fatal error. */
static int drain(struct run *r, uint64_t *next_progress)
{
    const struct vpdq_options *o = r->o;
    for (;;) {
        int e = avdl.avcodec_receive_frame(r->dec, r->frame);
        if (e == AVERROR(EAGAIN) || e == AVERROR_EOF)
            return 0;
        if (e < 0) {
            if (r->fast)
                return fast_abandon(r);
            r->res->decode_errors++;
            return 0;
        }
        int64_t number;
        if (r->fast) {
            if (fast_number(r, r->frame, &number) != 0) {
                avdl.av_frame_unref(r->frame);
                return fast_abandon(r);
            }
            r->res->frames_decoded = (uint64_t)number + 1;
        } else {
            number = (int64_t)r->res->frames_decoded++;
        }
        r->res->hashed_seconds = (double)r->res->frames_decoded / r->res->fps;
        int rc = 0;
        if (number % r->mod == 0)
            rc = dispatch(r, r->frame, number);
        avdl.av_frame_unref(r->frame);
        if (rc != 0)
            return -1;
        if (o->max_frames && r->res->frames_decoded >= o->max_frames) {
            set_err(r, VPDQ_ERR_BUDGET, "stopped after %llu frames (%.1f s of video)",
                    (unsigned long long)r->res->frames_decoded, r->res->hashed_seconds);
            return 1;
        }
        if (r->deadline > 0 && now() > r->deadline) {
            set_err(r, VPDQ_ERR_BUDGET, "stopped after %.0f s of work (%.1f s of video hashed)",
                    o->max_seconds, r->res->hashed_seconds);
            return 1;
        }
        if (o->progress && r->res->hashed_seconds >= (double)*next_progress) {
            *next_progress = (uint64_t)r->res->hashed_seconds + 1;
            if (o->progress(o->progress_ctx, r->res->hashed_seconds, r->res->duration) != 0) {
                set_err(r, VPDQ_ERR_CANCELLED, "cancelled after %.1f s of video",
                        r->res->hashed_seconds);
                return 1;
            }
        }
    }
}

static int decode_all(struct run *r)
{
    char eb[AV_ERROR_MAX_STRING_SIZE];
    uint64_t next_progress = 0, packets = 0, damaged = 0;
    int read_err = 0, rc = 0;
    for (;;) {
        int e = avdl.av_read_frame(r->fmt, r->pkt);
        if (e < 0) {
            read_err = e == AVERROR_EOF ? 0 : e;
            break;
        }
        if (r->pkt->stream_index != r->stream) {
            avdl.av_packet_unref(r->pkt);
            continue;
        }
        packets++;
        if (r->pkt->flags & AV_PKT_FLAG_CORRUPT)
            damaged++;
        if (r->fast) {
            rc = fast_packet(r, r->pkt, &next_progress);
            avdl.av_packet_unref(r->pkt);
            if (rc != 0)
                break;
            continue;
        }
        e = avdl.avcodec_send_packet(r->dec, r->pkt);
        avdl.av_packet_unref(r->pkt);
        if (e < 0 && e != AVERROR(EAGAIN))
            r->res->decode_errors++; /* a damaged packet: skip it, as players do */
        if ((rc = drain(r, &next_progress)) != 0)
            break;
    }
    if (r->fast && rc == 0 && read_err && !r->src.read_errno)
        rc = fast_abandon(r); /* a damaged file: count its frames one by one */
    while (r->fast && rc == 0 && r->fast->fn > 0)
        rc = fast_send_one(r, &next_progress);
    if (rc == 0) {
        /* Frames the decoder still holds (reordering, frame threads). */
        avdl.avcodec_send_packet(r->dec, NULL);
        rc = drain(r, &next_progress);
    }
    if (r->fast && rc == 0) {
        struct fast *f = r->fast;
        if (r->src.read_errno)
            ; /* cut short by the reader: the frames so far stand, reported below */
        else if (f->sampled_out != f->sampled_sent || (uint64_t)(f->last_out + 1) != f->sent)
            rc = fast_abandon(r);
        else
            r->res->frames_decoded = f->sent;
        r->res->skipped = !r->fast_failed;
    }
    if (r->fast_failed)
        return 0;
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 0; /* stopped: the error is set, the frames so far are kept */
    if (r->src.read_errno) /* even where the demuxer took the failure for an end */
        return set_err(r, VPDQ_ERR_READ, "read failed after %.1f s of video: %s",
                       r->res->hashed_seconds, strerror(r->src.read_errno));
    if (read_err) {
        if (r->interrupted)
            return set_err(r, VPDQ_ERR_BUDGET, "stopped after %.0f s of work (%.1f s of video hashed)",
                           r->o->max_seconds, r->res->hashed_seconds);
        set_err(r, VPDQ_ERR_CORRUPT, "the file ends or breaks after %.1f s of video: %s",
                r->res->hashed_seconds, av_msg(read_err, eb));
        return 0;
    }
    /* A cut file often just ends early: the container knew how long it was. */
    const int64_t declared = r->fmt->streams[r->stream]->nb_frames;
    if (declared > 0 && packets < (uint64_t)declared) {
        set_err(r, VPDQ_ERR_CORRUPT, "the file is incomplete: %llu of %lld frames are there (%.1f s of %.1f s)",
                (unsigned long long)packets, (long long)declared, r->res->hashed_seconds,
                r->res->duration);
        return 0;
    }
    if (damaged) {
        set_err(r, VPDQ_ERR_CORRUPT, "%llu damaged frames (the file may be cut short)",
                (unsigned long long)damaged);
        return 0;
    }
    r->res->complete = true;
    return 0;
}

static int cmp_frame(const void *a, const void *b)
{
    const struct vpdq_feature *x = a, *y = b;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

/* Everything one pass opened; the result lists stay. */
static void close_pass(struct run *r)
{
    stop_workers(r); /* every queued frame is hashed before this returns */
    fast_free(r);
    avdl.av_frame_free(&r->frame);
    avdl.av_packet_free(&r->pkt);
    avdl.avcodec_free_context(&r->dec);
    if (r->fmt) {
        AVIOContext *pb = r->fmt->pb;
        avdl.avformat_close_input(&r->fmt);
        if (pb) {
            free_io_buffer(pb);
            avdl.avio_context_free(&pb);
        }
    }
    r->closing = false;
    r->failed = false;
    r->nworkers = 0;
    r->turn = false;
    r->src.pos = 0;
}

static void pass(struct run *r, bool try_fast)
{
    if (open_input(r) != 0 || open_decoder(r) != 0)
        return;
    if (try_fast && fast_eligible(r)) {
        r->fast = calloc(1, sizeof(*r->fast));
        if (!r->fast) {
            set_err(r, VPDQ_ERR_NOMEM, "out of memory");
            return;
        }
        r->fast->last_out = -1;
    }
    decode_all(r);
}

int vpdq_hash_reader(const struct vpdq_reader *rd, const struct vpdq_options *opts,
                     struct vpdq_result **out, struct vpdq_error *err)
{
    struct vpdq_options defaults;
    if (!opts) {
        vpdq_options_default(&defaults);
        opts = &defaults;
    }
    *out = NULL;
    memset(err, 0, sizeof(*err));
    if (!rd || !rd->read_at || rd->size > (uint64_t)INT64_MAX) {
        err->code = VPDQ_ERR_READ;
        err->sys_errno = EINVAL;
        snprintf(err->detail, sizeof(err->detail), "no reader, or a size out of range");
        return -1;
    }
    /* FFmpeg is loaded for the first video, not at start (avdl.h). */
    if (avdl_load(err->detail, sizeof(err->detail)) != 0) {
        err->code = VPDQ_ERR_UNSUPPORTED;
        return -1;
    }

    struct run *r = calloc(1, sizeof(*r));
    struct vpdq_result *res = calloc(1, sizeof(*res));
    if (!r || !res) {
        free(r);
        free(res);
        err->code = VPDQ_ERR_NOMEM;
        snprintf(err->detail, sizeof(err->detail), "out of memory");
        return -1;
    }
    r->o = opts;
    r->res = res;
    r->err = err;
    r->src = (struct source){.rd = rd, .size = (int64_t)rd->size};
    res->codec = "unknown";
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv_put, NULL);
    pthread_cond_init(&r->cv_get, NULL);
    if (opts->max_seconds > 0)
        r->deadline = now() + opts->max_seconds;

    pass(r, true);
    close_pass(r);
    if (r->fast_failed && r->src.read_errno) {
        /* Frames of an abandoned attempt are not trusted, and a device that
         * failed is not read again from the start. */
        vpdq_list_free(&res->frames);
        vpdq_list_free(&res->displayed);
    } else if (r->fast_failed && err->code == VPDQ_OK) {
        /* Start again, counting every frame as the reference does. */
        vpdq_list_free(&res->frames);
        vpdq_list_free(&res->displayed);
        res->frames_decoded = res->decode_errors = 0;
        res->hashed_seconds = 0;
        res->rotation = 0;
        res->flipped = false;
        r->fast_failed = false;
        pass(r, false);
        close_pass(r);
    }
    if (r->failed)
        set_err(r, VPDQ_ERR_NOMEM, "out of memory hashing frames");
    /* A failed read explains whatever followed it (a stream that looked
     * cut, no frames): the caller must be able to tell a pulled cable from
     * a damaged file. A budget, a cancel or no memory stay what they are. */
    if (r->src.read_errno) {
        if (err->code != VPDQ_ERR_BUDGET && err->code != VPDQ_ERR_CANCELLED &&
            err->code != VPDQ_ERR_NOMEM && err->code != VPDQ_ERR_READ) {
            err->code = VPDQ_OK;
            set_err(r, VPDQ_ERR_READ, "read failed after %.1f s of video: %s", res->hashed_seconds,
                    strerror(r->src.read_errno));
        }
        if (err->code == VPDQ_ERR_READ)
            err->sys_errno = r->src.read_errno;
    }
    /* Some containers (Matroska) cannot tell a cut file by themselves. */
    if (r->src.ended_early && err->code == VPDQ_OK) {
        set_err(r, VPDQ_ERR_CORRUPT, "the file ends before its size, after %.1f s of video",
                res->hashed_seconds);
        res->complete = false;
    }

    /* Workers finish out of order. */
    if (res->frames.n)
        qsort(res->frames.v, res->frames.n, sizeof(*res->frames.v), cmp_frame);
    if (res->displayed.n)
        qsort(res->displayed.v, res->displayed.n, sizeof(*res->displayed.v), cmp_frame);
    if (err->code == VPDQ_OK && res->frames_decoded == 0)
        set_err(r, VPDQ_ERR_NO_FRAMES, "no frame could be decoded (%llu decoding errors)",
                (unsigned long long)res->decode_errors);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv_put);
    pthread_cond_destroy(&r->cv_get);
    free(r);

    const bool partial_ok = err->code == VPDQ_ERR_BUDGET || err->code == VPDQ_ERR_CANCELLED ||
                            err->code == VPDQ_ERR_CORRUPT || err->code == VPDQ_ERR_READ;
    if (err->code == VPDQ_OK || (partial_ok && res->frames.n > 0)) {
        *out = res;
    } else {
        vpdq_result_free(res);
    }
    return err->code == VPDQ_OK ? 0 : -1;
}

/* ---- readers over a file and over memory ---- */

static ssize_t fd_read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
    const int fd = *(const int *)ctx;
    ssize_t r;
    do
        r = pread(fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r;
}

struct memory {
    const uint8_t *data;
    size_t len;
};

static ssize_t memory_read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
    const struct memory *m = ctx;
    if (off >= m->len)
        return 0;
    if (n > m->len - off)
        n = m->len - (size_t)off;
    memcpy(buf, m->data + off, n);
    return (ssize_t)n;
}

int vpdq_hash_fd(int fd, const struct vpdq_options *o, struct vpdq_result **out,
                 struct vpdq_error *err)
{
    struct stat st;
    const int e = fstat(fd, &st) != 0 ? errno : 0;
    if (e || !S_ISREG(st.st_mode)) {
        *out = NULL;
        memset(err, 0, sizeof(*err));
        err->code = VPDQ_ERR_READ;
        err->sys_errno = e;
        snprintf(err->detail, sizeof(err->detail), "not a readable regular file");
        return -1;
    }
    const struct vpdq_reader rd = {.size = (uint64_t)st.st_size, .read_at = fd_read_at, .ctx = &fd};
    return vpdq_hash_reader(&rd, o, out, err);
}

int vpdq_hash_path(const char *path, const struct vpdq_options *o, struct vpdq_result **out,
                   struct vpdq_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int e = errno;
        *out = NULL;
        memset(err, 0, sizeof(*err));
        err->code = VPDQ_ERR_READ;
        err->sys_errno = e;
        snprintf(err->detail, sizeof(err->detail), "cannot open: %s", strerror(e));
        return -1;
    }
    int rc = vpdq_hash_fd(fd, o, out, err);
    close(fd);
    return rc;
}

int vpdq_hash_memory(const uint8_t *data, size_t len, const struct vpdq_options *o,
                     struct vpdq_result **out, struct vpdq_error *err)
{
    struct memory m = {.data = data, .len = len};
    const struct vpdq_reader rd = {.size = len, .read_at = memory_read_at, .ctx = &m};
    return vpdq_hash_reader(&rd, o, out, err);
}
