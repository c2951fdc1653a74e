/* hash — fingerprints of one file: MD5, SHA-1 and SHA-256 of every file (one read
 * pass), and PDQ for images, in the variants reports carry.
 *
 * Usage:
 *   1. ctx = hash_ctx_create(NULL) (or with struct hash_options).
 *   2. hash_file(ctx, path, &res) for each file; or hash_walk() to visit a
 *      tree, hashing each file with hash_file_at() beneath the tree's root. Files are opened read-only (O_NOATIME where allowed) and never
 *      written; FIFOs and devices are refused without blocking.
 *      Bytes that come from elsewhere (a phone by cable) go through
 *      hash_source_file(ctx, &src, &res) with a struct hash_source: the same
 *      engine, the same results bit for bit; hash_file() is that over pread().
 *   3. On failure res.err says why: hash_err_code() is a stable code,
 *      hash_err_message() a sentence for people; res.detail is for
 *      developers. MD5/SHA-1/SHA-256 stay valid (res.have_digests) when the file
 *      could be read but not decoded.
 *   4. hash_result_clear(&res) when done with a result (or before reusing
 *      it): videos carry a vPDQ list it frees. hash_file() starts by zeroing
 *      res, so pass it zeroed or cleared.
 *   5. hash_ctx_destroy(ctx) (accepts NULL).
 *
 * Videos get vPDQ (see vpdq.h), decoded in place through the same reader
 * (no copy anywhere); res.vpdq may be present together with an error (a
 * budget ran out, the file is damaged): the frames before that point.
 *
 * PDQ variants (see ../shared/pdq/ALGORITHM.md):
 *   HASH_PDQ_CLI       what Meta's reference CLI computes (images over 512 on a
 *                      side are first resized nearest-neighbour to 512x512);
 *   HASH_PDQ_FULL      the core algorithm on full-resolution pixels (Java,
 *                      vPDQ, Python bindings);
 *   HASH_PDQ_DISPLAYED_*   the same two for the image as displayed, when its EXIF
 *                      orientation is not 1 (what a platform hashes after upload).
 */
#ifndef HIFAZAT_HASH_H
#define HIFAZAT_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "image.h"
#include "pdq.h"
#include "vpdq.h"

enum hash_kind {
    HASH_KIND_OTHER = 0,
    HASH_KIND_IMAGE,
    HASH_KIND_VIDEO,
};

enum hash_err {
    HASH_OK = 0,
    HASH_ERR_NOT_FOUND,
    HASH_ERR_ACCESS,
    HASH_ERR_NOT_REGULAR,
    HASH_ERR_EMPTY,
    HASH_ERR_READ,
    HASH_ERR_CHANGED,
    HASH_ERR_UNKNOWN_TYPE,
    HASH_ERR_CORRUPT,
    HASH_ERR_TOO_LARGE,
    HASH_ERR_UNSUPPORTED,
    HASH_ERR_NOMEM,
    HASH_ERR_LOOP,
    /* videos (vpdq) */
    HASH_ERR_VIDEO_CORRUPT,
    HASH_ERR_VIDEO_UNSUPPORTED,
    HASH_ERR_NO_VIDEO,
    HASH_ERR_NO_FRAMES,
    HASH_ERR_VIDEO_TOO_LARGE,
    HASH_ERR_VIDEO_TOO_LONG,
    HASH_ERR_CANCELLED,        /* hash_options.cancelled said stop (the kiosk's Cancel) */
    /* reading from a device by cable (the reader's errno) */
    HASH_ERR_GONE,             /* ENODEV/ENXIO: the device was unplugged mid-file */
    HASH_ERR_TIMEOUT,          /* ETIMEDOUT: the device stopped answering */
    HASH_ERR_COUNT
};

enum hash_pdq_variant {
    HASH_PDQ_CLI,
    HASH_PDQ_FULL,
    HASH_PDQ_DISPLAYED_CLI,
    HASH_PDQ_DISPLAYED_FULL,
    HASH_PDQ_N
};

struct hash_pdq {
    bool present;
    struct pdq_hash hash;
    int quality;
};

struct hash_result {
    enum hash_kind kind;
    const char *format;        /* "jpeg", "mp4", ... ; "unknown" */
    uint64_t size;
    bool have_digests;
    uint8_t md5[DIGEST_MD5_SIZE];
    uint8_t sha1[DIGEST_SHA1_SIZE];
    uint8_t sha256[DIGEST_SHA256_SIZE];
    int width, height;         /* images: as stored */
    int orientation;           /* images: EXIF 1..8 */
    struct hash_pdq pdq[HASH_PDQ_N];
    struct pdq_dct dct;        /* of HASH_PDQ_CLI: the dihedral variants come from it */
    enum hash_err err;
    char detail[240];
    struct vpdq_result *vpdq;  /* videos: owned, freed by hash_result_clear() */
};

struct hash_options {
    struct image_limits limits;
    uint64_t max_image_bytes;  /* larger "images" get digests only */
    bool full;                 /* compute HASH_PDQ_FULL (default on) */
    bool displayed;               /* compute HASH_PDQ_DISPLAYED_* (default on) */
    bool video;                /* vPDQ for videos (default on) */
    struct vpdq_options vpdq;  /* vpdq_options_default(); vpdq.displayed follows `displayed` */
    /* Called as bytes are read (may be NULL). Videos are read by their
     * decoding (one pass): milliseconds of video as they are decoded, then
     * bytes again for whatever the decoder did not read (vPDQ off: bytes). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Polled (with progress_ctx) while a file is read and while a video is
     * decoded (may be NULL): true stops the file with HASH_ERR_CANCELLED. */
    bool (*cancelled)(void *ctx);
};

void hash_options_default(struct hash_options *o);

struct hash_ctx;
struct hash_ctx *hash_ctx_create(const struct hash_options *opts);
void hash_ctx_destroy(struct hash_ctx *ctx);

/* 0 when everything asked for was computed; -1 with res->err set. */
int hash_file(struct hash_ctx *ctx, const char *path, struct hash_result *res);

/* hash_file() of rel opened beneath the folder dirfd: a symlink (or "..")
 * that leads out of it is HASH_ERR_ACCESS, so a link swapped in between a
 * walk's look and the open cannot send the hashing elsewhere. */
int hash_file_at(struct hash_ctx *ctx, int dirfd, const char *rel, struct hash_result *res);

/* Where a file's bytes come from when they are not a path: read_at() gives
 * up to n bytes at off and returns the count (fewer than n only at the end
 * of the file; 0 at or past it), or -1 with errno set: ENODEV or ENXIO the
 * device is gone (HASH_ERR_GONE), ETIMEDOUT it stopped answering
 * (HASH_ERR_TIMEOUT), anything else (EIO, ENOMEM, ...) HASH_ERR_READ.
 * Calls come from the hashing thread, one at a time, mostly in increasing
 * offsets; short counts are asked again for the rest. After a failed read
 * the file is given up: nothing more is asked of the reader for it. */
struct hash_source {
    uint64_t size;             /* the file's size as listed */
    ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off);
    void *ctx;
};

/* hash_file() on a reader, with the same contract: 0 / -1 with res->err;
 * res->size = src->size; digests only when every byte was read; a reader
 * that ends before src->size is HASH_ERR_CHANGED ("shrank"), one that has
 * bytes past it too ("grew"). Images are read into memory and decoded from
 * there, digests are computed as the bytes arrive (one pass, constant memory
 * for everything but images). Videos are read once, by the vPDQ decoder,
 * and the digests follow its reads (bytes it reads ahead, like an index at
 * the end, are kept up to 16 MiB until the digests reach them; what it
 * skips is read after it). A video not read whole has neither digests nor
 * vPDQ. */
int hash_source_file(struct hash_ctx *ctx, const struct hash_source *src, struct hash_result *res);
/* Frees what a result owns (the vPDQ list) and zeroes it. Accepts NULL. */
void hash_result_clear(struct hash_result *res);
/* Image bytes already in memory (no digests): decode + PDQ. 0 / -1. */
int hash_image_memory(struct hash_ctx *ctx, const uint8_t *data, size_t len,
                      struct hash_result *res);

/* Visit every file under each path: directories recursively in byte order
 * of names, symlinks followed, loops reported as HASH_ERR_LOOP. visit()
 * gets err != HASH_OK for entries that cannot be hashed at all; returning
 * non-zero stops the walk. Returns 0, or what visit() returned. */
int hash_walk(const char *path,
              int (*visit)(void *ctx, const char *path, enum hash_err err, const char *detail),
              void *ctx);

/* Content sniffing (first bytes of a file). */
enum hash_kind hash_sniff(const uint8_t *data, size_t len, const char **format);

const char *hash_err_code(enum hash_err e);
const char *hash_err_message(enum hash_err e);
const char *hash_kind_name(enum hash_kind k);

#endif
