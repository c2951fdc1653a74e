/* vpdq — Meta's video PDQ (facebook/ThreatExchange vpdq/cpp): the PDQ hash of
 * sampled video frames, decoded in memory with FFmpeg's libraries (loaded
 * when the first video is hashed: avdl.h).
 *
 * Usage:
 *   1. struct vpdq_options o; vpdq_options_default(&o); then change what you
 *      need (sampling interval, NxN downscale, threads, budgets).
 *   2. vpdq_hash_reader(&reader, &o, &res, &err) with a struct vpdq_reader
 *      that serves the video's bytes by offset (a phone's file, a file); or
 *      vpdq_hash_fd(fd, ...) on a file opened read-only, vpdq_hash_path(),
 *      vpdq_hash_memory(), which are readers over pread() and memory. The
 *      bytes go through a custom AVIOContext: nothing is written, no frame
 *      and no copy of the video ever touches a disk, and FFmpeg may not open
 *      anything else (playlists, external references and network URLs are
 *      refused).
 *   3. 0: res->frames holds one feature per sampled frame, as decoded, and,
 *      when the container asks for a rotation or flip, res->displayed the
 *      same frames as a player shows them. -1: err says why (err.code is
 *      stable, vpdq_err_message() is a sentence for people, err.detail is
 *      for developers, err.sys_errno the reader's errno for VPDQ_ERR_READ);
 *      *res may still hold the frames hashed before a budget ran out or the
 *      file turned out to be damaged, and must then be freed too.
 *   4. vpdq_result_free(res) (accepts NULL).
 *
 * Frames are what Meta's reference hashes: the first video stream's decoded
 * frames counted from 0 in output order, frame n kept when
 * n % max(1, (int)(interval * fps)) == 0, converted to RGB24 by swscale with
 * SWS_AREA at the stream's size (or NxN), PDQ at that full size (no 512
 * pre-resize), timestamp = (float)n / (float)fps. Quality < 50 frames are kept
 * and flagged (the matcher ignores them).
 *
 * Matching (vpdq_compare) follows Meta's HMA: each side is reduced to its
 * unique frame hashes with quality >= 50; a frame matches when some frame of
 * the other side is within PDQ distance 31. The videos match when at least
 * 80 % of the QUERY's frames match (query_percent); target_percent is
 * reported beside it, as HMA's index does (it requires >= 0 % there).
 *
 * Text forms: vpdq_format() writes Meta's HMA signal entry
 * "pdqhex,quality,timestamp"; vpdq_parse() reads that or the reference tool's
 * "frame,quality,pdqhex,timestamp" lines.
 */
#ifndef HIFAZAT_VPDQ_H
#define HIFAZAT_VPDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pdq.h"

enum {
    VPDQ_MATCH_QUALITY = 50,   /* frames below are ignored by the matcher */
    VPDQ_MATCH_DISTANCE = 31,  /* frame match: PDQ distance <= 31 */
    VPDQ_MATCH_PERCENT = 80,   /* video match: >= 80 % of the query's frames */
    VPDQ_FORMAT_LEN = 96,      /* vpdq_format() buffer size */
};

struct vpdq_feature {
    struct pdq_hash hash;
    int quality;               /* 0..100; < VPDQ_MATCH_QUALITY: unreliable */
    int64_t frame;             /* frame number (0-based, decoder output order) */
    double timestamp;          /* seconds; the reference's (float)frame / (float)fps */
};

struct vpdq_list {
    struct vpdq_feature *v;
    size_t n, cap;
};

struct vpdq_options {
    double interval;           /* seconds between hashed frames; 0 = every frame (default 1) */
    int downscale;             /* N > 0: frames are scaled to NxN first (default 0 = no) */
    bool displayed;            /* also hash as displayed when rotated/flipped (default on) */
    int threads;               /* decoding + hashing threads; 0 = one per CPU (default) */
    double max_seconds;        /* wall-clock budget; 0 = none (default 600) */
    uint64_t max_frames;       /* decoded-frame budget; 0 = none (default 0) */
    uint64_t max_pixels;       /* larger frames are refused (default 4096 x 2304) */
    /* Leave H.264/HEVC frames undecoded that are neither sampled nor needed
     * by another frame; the result is identical (checked as it goes, with
     * a fallback to decoding everything). Default on. */
    bool skip_unsampled;
    /* Called about once per decoded second of video (may be NULL); returning
     * non-zero cancels (VPDQ_ERR_CANCELLED). */
    int (*progress)(void *ctx, double done_seconds, double total_seconds);
    void *progress_ctx;
};

enum vpdq_err {
    VPDQ_OK = 0,
    VPDQ_ERR_NOMEM,
    VPDQ_ERR_READ,             /* the file could not be read */
    VPDQ_ERR_CORRUPT,          /* not a readable container, or damaged */
    VPDQ_ERR_NO_VIDEO,         /* no video stream (audio only?) */
    VPDQ_ERR_UNSUPPORTED,      /* no decoder for the codec, unusable stream, or no FFmpeg */
    VPDQ_ERR_TOO_LARGE,        /* frame size above max_pixels */
    VPDQ_ERR_NO_FRAMES,        /* not a single frame could be decoded */
    VPDQ_ERR_BUDGET,           /* stopped by max_seconds / max_frames: partial */
    VPDQ_ERR_CANCELLED,        /* the progress callback asked to stop: partial */
    VPDQ_ERR_COUNT
};

struct vpdq_error {
    enum vpdq_err code;
    char detail[200];          /* for developers: what FFmpeg or the budget said */
    /* VPDQ_ERR_READ: the errno the reader (or open()/fstat() of a path or
     * fd) failed with (ENODEV: the device went away, ETIMEDOUT: it stopped
     * answering, EIO, ...), so that callers can tell a pulled cable from a
     * damaged file; 0 otherwise. */
    int sys_errno;
};

/* Where the video's bytes come from. read_at() gives up to n bytes at off:
 * the count (fewer than n only at the end of the video; 0 at or past it),
 * or -1 with errno set. It is called from the thread that called
 * vpdq_hash_reader(), one call at a time, mostly in increasing offsets
 * (containers with their index at the end are read there first). After a
 * failed read no other read is asked for (VPDQ_ERR_READ); a 0 before size
 * is a cut file (VPDQ_ERR_CORRUPT, the frames before it kept). */
struct vpdq_reader {
    uint64_t size;             /* bytes in the video */
    ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off);
    void *ctx;
};

struct vpdq_result {
    struct vpdq_list frames;     /* as decoded: what Meta's reference computes */
    struct vpdq_list displayed;  /* as displayed; empty unless rotated/flipped */
    const char *codec;           /* FFmpeg's codec name, static */
    int width, height;           /* stream size as decoded */
    int rotation;                /* clockwise degrees a player turns the picture: 0/90/180/270 */
    bool flipped;                /* the display matrix also mirrors */
    double fps;                  /* frame rate used for sampling and timestamps */
    double duration;             /* seconds, from the container (0 if unknown) */
    double hashed_seconds;       /* how far into the video decoding got */
    uint64_t frames_decoded;
    uint64_t decode_errors;      /* packets the decoder rejected (skipped) */
    bool complete;               /* every frame of the stream was seen */
    bool skipped;                /* unsampled frames were left undecoded (skip_unsampled) */
};

void vpdq_options_default(struct vpdq_options *o);

/* The decoders FFmpeg may open (comma-separated decoder names, FFmpeg's
 * "codec_whitelist"); the demuxers are limited too. */
extern const char vpdq_codec_whitelist[];
/* name when it is one of the whitelisted video codecs (by codec name, as
 * in vpdq_result.codec), as a static string; NULL otherwise. */
const char *vpdq_codec_known(const char *name);

int vpdq_hash_reader(const struct vpdq_reader *r, const struct vpdq_options *o,
                     struct vpdq_result **out, struct vpdq_error *err);
/* Readers over a file descriptor (pread(), the fd's offset untouched), a
 * path (opened read-only, O_NOATIME where allowed) and memory. */
int vpdq_hash_fd(int fd, const struct vpdq_options *o, struct vpdq_result **out,
                 struct vpdq_error *err);
int vpdq_hash_path(const char *path, const struct vpdq_options *o, struct vpdq_result **out,
                   struct vpdq_error *err);
/* The bytes must stay unchanged until it returns (used by the fuzzer). */
int vpdq_hash_memory(const uint8_t *data, size_t len, const struct vpdq_options *o,
                     struct vpdq_result **out, struct vpdq_error *err);
void vpdq_result_free(struct vpdq_result *r);

const char *vpdq_err_code(enum vpdq_err e);     /* stable: "corrupt_video", ... */
const char *vpdq_err_message(enum vpdq_err e);  /* English sentence for people */

/* ---- lists, text, matching ---- */

int vpdq_list_push(struct vpdq_list *l, const struct vpdq_feature *f); /* 0 / -1 */
void vpdq_list_free(struct vpdq_list *l);
size_t vpdq_low_quality_count(const struct vpdq_list *l);

/* "pdqhex,quality,timestamp" (timestamp with 3 decimals). Returns out. */
char *vpdq_format(const struct vpdq_feature *f, char out[VPDQ_FORMAT_LEN]);
/* One entry: "pdqhex,quality,timestamp" (HMA) or "frame,quality,pdqhex,timestamp"
 * (the reference's vpdq-hash-video), surrounding blanks allowed. 0 / -1.
 * `index` numbers HMA entries, which carry no frame number. */
int vpdq_parse(const char *s, size_t len, int64_t index, struct vpdq_feature *out);

struct vpdq_match {
    size_t query_frames, target_frames;    /* unique hashes with quality >= 50 */
    size_t query_matched, target_matched;  /* of those, how many match the other side */
    double query_percent, target_percent;  /* 0..100 (0 when a side has no frames) */
    bool match;                            /* query_percent >= VPDQ_MATCH_PERCENT */
};

/* 0, or -1 when out of memory. */
int vpdq_compare(const struct vpdq_feature *query, size_t nquery,
                 const struct vpdq_feature *target, size_t ntarget, struct vpdq_match *m);

#endif
