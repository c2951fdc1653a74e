/* The decoding sandbox's wire format, shared by the hash module (parent)
 * and hifazat-decode (child). Internal: not part of the public API.
 *
 * Why: images and videos from a visitor's phone are hostile input to
 * libjpeg, libpng, libwebp, libheif, giflib and FFmpeg. They are parsed in
 * a fresh child per file, forked by the hifazat-decode server (which the
 * kiosk starts by exec, never a plain fork: the kiosk's key must not be
 * copied into it), with rlimits and a seccomp filter, no key, no open(),
 * no network.
 * The parent keeps reading the file (phone or disk) and computing MD5,
 * SHA-1 and SHA-256; the child gets the bytes over a socket on its fd 3 and sends
 * back only PDQ/vPDQ results. Pixels and file bytes die with the child.
 *
 * Every message: struct sbx_hdr, then hdr.len bytes. Parent first sends
 * SBX_JOB (struct sbx_job). Images: then SBX_DATA with the whole file; the
 * child answers SBX_IMAGE_RESULT. Videos: the child asks SBX_READ (struct
 * sbx_read), the parent answers SBX_DATA (<= n bytes) or SBX_READ_ERR
 * (int32 errno); the child may send SBX_PROGRESS (two doubles) and ends
 * with SBX_VIDEO_RESULT (struct sbx_video_result + the frames). The child
 * is hostile once it has read a byte: the parent bounds-checks everything. */
#ifndef HIFAZAT_SANDBOX_H
#define HIFAZAT_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "image.h"

enum { SBX_FD = 3 };              /* the child's end of the socket */

enum sbx_type {
    SBX_JOB = 1,
    SBX_DATA,
    SBX_READ,
    SBX_READ_ERR,
    SBX_PROGRESS,
    SBX_IMAGE_RESULT,
    SBX_VIDEO_RESULT,
    SBX_THUMB_RESULT,
};

enum sbx_kind {
    SBX_IMAGE = 1,          /* decode + PDQ */
    SBX_VIDEO,              /* vPDQ */
    SBX_THUMB_SCALED,       /* image_decode_scaled(): a gallery thumbnail */
    SBX_THUMB_PREVIEW,      /* image_decode_preview(): a JPEG's own preview */
    SBX_POSTER,             /* media_video_poster(): a video's thumbnail */
};

enum {
    SBX_MAX_READ = 4 << 20,       /* largest SBX_READ the parent serves */
    SBX_MAX_FRAMES = 4 << 20,     /* more vPDQ frames than this is garbage */
};

struct sbx_hdr {
    uint32_t type;
    uint32_t pad;
    uint64_t len;
};

/* Plain data only (the two ends are the same build). */
struct sbx_job {
    uint32_t kind;
    uint32_t full, displayed;
    uint32_t threads;             /* vPDQ threads, already resolved (> 0) */
    uint32_t progress;            /* send SBX_PROGRESS */
    uint32_t pad;
    uint64_t size;
    struct image_limits limits;
    /* vPDQ options (pointers are not sent) */
    double interval, max_seconds;
    int32_t downscale, skip_unsampled;
    uint64_t max_frames, max_pixels;
    int32_t box_w, box_h;         /* thumbnails */
};

struct sbx_read {
    uint64_t off;
    uint64_t n;
};

struct sbx_pdq {
    uint16_t hash[16];
    int32_t present, quality;
};

struct sbx_image_result {
    int32_t err;                  /* enum hash_err */
    int32_t width, height, orientation;
    struct sbx_pdq pdq[4];        /* HASH_PDQ_N */
    float dct[16][16];
    int32_t dct_quality, dct_degenerate;
    char detail[240];
};

struct sbx_feature {
    uint16_t hash[16];
    int32_t quality, pad;
    int64_t frame;
    double timestamp;
};

struct sbx_video_result {
    int32_t rc;                   /* vpdq_hash_reader()'s */
    int32_t code, sys_errno;      /* struct vpdq_error */
    int32_t have_res;
    char detail[200];
    char codec[32];
    int32_t width, height, rotation, flipped;
    double fps, duration, hashed_seconds;
    uint64_t frames_decoded, decode_errors;
    int32_t complete, skipped;
    uint64_t nframes, ndisplayed; /* then nframes + ndisplayed struct sbx_feature */
};

/* Thumbnails: then w * h * 4 bytes of RGBA (never more than the box). */
struct sbx_thumb_result {
    int32_t rc;
    int32_t err;                  /* enum image_err (pictures), enum media_err (posters) */
    int32_t format;               /* enum image_format */
    int32_t w, h, full_w, full_h;
    int32_t pad;
    int64_t duration_ms;
    char detail[160];
};

/* The server (hifazat-decode's process, started once; SBX_FD is its
 * control socket): SBX_SRV_SPAWN with a job socket passed (SCM_RIGHTS)
 * forks a child for one job, answer: its pid; SBX_SRV_WAIT reaps one
 * (waitpid(), WNOHANG when nohang), answer: waitpid()'s return and status. */
enum { SBX_SRV_SPAWN = 1, SBX_SRV_WAIT = 2 };

struct sbx_srv_req {
    uint32_t op;
    int32_t pid, nohang, pad;
};

struct sbx_srv_resp {
    int32_t pid, ret, status, err;
};

/* ---- the parent's side (sandbox.c), for the hash and media modules ---- */

struct sbx_child {
    pid_t pid;
    bool video;                   /* set before sbx_start(): FFmpeg's server */
    unsigned gen;                 /* the server that forked it */
    int fd;
    int (*cancelled)(void *ctx);  /* polled while waiting (may be NULL) */
    void *cctx;
    char why[160];                /* what went wrong, for the detail */
};

/* A fresh hifazat-decode. 0, or -1 with why. */
int sbx_start(struct sbx_child *c);
/* 0; -1 the child is gone, hung or broke the protocol (why may say);
 * -2 cancelled. */
int sbx_io(struct sbx_child *c, void *buf, size_t n, bool out);
int sbx_send(struct sbx_child *c, uint32_t type, const void *a, size_t alen, const void *b,
             size_t blen);
/* Answers the child's SBX_READ (from read_at) and SBX_PROGRESS (progress()
 * non-zero cancels: -2) until another message comes: 0 with its header. */
int sbx_serve(struct sbx_child *c, ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off),
              void *rctx, int (*progress)(void *ctx, double done, double total), void *pctx,
              struct sbx_hdr *h);
/* Reaps the child, killing it first when kill_now (or when it does not
 * die by itself within a moment); why then names a signal it died of. */
void sbx_end(struct sbx_child *c, bool kill_now);

#endif
