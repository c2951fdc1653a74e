/* vPDQ throughput and memory on one file: seconds of video per second of
 * wall time and per second of CPU time, and the process's peak RSS. Run once
 * per process so that the peak belongs to this run alone (scripts/bench.sh
 * does that).
 *   bench_vpdq FILE [THREADS [INTERVAL [DOWNSCALE]]]   hash with vpdq
 *   bench_vpdq --decode-only FILE [THREADS]   the baseline: decode every frame
 *        with libavcodec and nothing else (what any FFmpeg-based hasher that
 *        counts frames, like Meta's reference, pays before hashing) */
#include "benchutil.h"
#include "vpdq.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Frames decoded and the stream's frame rate, or -1. */
static long decode_only(const char *path, int threads, double *fps)
{
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0)
        return -1;
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0)
        return -1;
    const AVStream *st = fmt->streams[si];
    *fps = av_q2d(st->avg_frame_rate);
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(dec, st->codecpar);
    dec->thread_count = threads;
    if (avcodec_open2(dec, codec, NULL) < 0)
        return -1;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    long frames = 0;
    for (int eof = 0; !eof;) {
        if (av_read_frame(fmt, pkt) < 0) {
            eof = 1;
            avcodec_send_packet(dec, NULL);
        } else if (pkt->stream_index == si) {
            avcodec_send_packet(dec, pkt);
        }
        av_packet_unref(pkt);
        while (avcodec_receive_frame(dec, fr) == 0) {
            frames++;
            av_frame_unref(fr);
        }
    }
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return frames;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static void report(double video, double wall, double cpu, const char *extra)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* one line, key=value, for scripts/bench.sh */
    printf("video_s=%.2f wall_s=%.3f cpu_s=%.3f speed_x=%.1f cpu_x=%.1f peak_rss_mb=%.1f %s\n", video,
           wall, cpu, video / wall, video / cpu, (double)ru.ru_maxrss / 1024.0, extra);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--decode-only")) {
        double fps = 0;
        const double t0 = bench_now(), c0 = cpu_seconds();
        long frames = decode_only(argv[2], argc > 3 ? atoi(argv[3]) : 1, &fps);
        const double wall = bench_now() - t0, cpu = cpu_seconds() - c0;
        if (frames <= 0 || fps <= 0) {
            fprintf(stderr, "bench_vpdq: cannot decode %s\n", argv[2]);
            return 1;
        }
        char extra[64];
        snprintf(extra, sizeof(extra), "frames=%ld", frames);
        report((double)frames / fps, wall, cpu, extra);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_vpdq [--decode-only] FILE [THREADS [INTERVAL [DOWNSCALE]]]\n");
        return 2;
    }
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.threads = argc > 2 ? atoi(argv[2]) : 1;
    o.interval = argc > 3 ? atof(argv[3]) : 1.0;
    o.downscale = argc > 4 ? atoi(argv[4]) : 0;
    o.max_seconds = 0;
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    const double t0 = bench_now(), c0 = cpu_seconds();
    const int rc = vpdq_hash_path(argv[1], &o, &res, &err);
    const double wall = bench_now() - t0, cpu = cpu_seconds() - c0;
    if (rc != 0) {
        fprintf(stderr, "bench_vpdq: %s: %s\n", vpdq_err_code(err.code), err.detail);
        vpdq_result_free(res);
        return 1;
    }
    char extra[128];
    snprintf(extra, sizeof(extra), "frames=%llu hashed=%zu skipped=%d size=%dx%d",
             (unsigned long long)res->frames_decoded, res->frames.n, res->skipped, res->width,
             res->height);
    report((double)res->frames_decoded / res->fps, wall, cpu, extra);
    vpdq_result_free(res);
    return 0;
}
