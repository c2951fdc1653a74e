/* hash_source_file(): the engine on bytes served by a reader, as a phone's
 * are over a cable. Through a reader that hands out odd, short pieces (at
 * most 7919 bytes a call) every file of ../shared/pdq and videos made here
 * by ffmpeg (moov at the end and at the start, B-frames, a rotation,
 * Matroska, AVI) give exactly hash_file()'s result: digests, every PDQ
 * variant, the DCT, vPDQ frames. Digests are also checked against nettle in
 * one piece and frames against vpdq_hash_path(), so that both sides cannot
 * be wrong alike. Then the faults a cable brings: unplugged (ENODEV),
 * no longer answering (ETIMEDOUT), the file ending early or growing, a
 * reader that breaks its contract; cancelling; progress; each file read
 * once; every buffer that held file bytes wiped before it is freed. And
 * vpdq_hash_reader() alone: the same frames, the reader's errno reported.
 * Usage: test_hash_source [SECTION...]  (sections: same vpdq faults cancel wipe; default all) */
#include "check.h"
#include "hash.h"
#include "hash_internal.h"
#include "mediagen.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PIECE = 7919 };

static const char *tmp;

static const char *tpath(const char *name)
{
    static char buf[8][1024];
    static int i;
    char *b = buf[i++ & 7];
    snprintf(b, 1024, "%s/%s", tmp, name);
    return b;
}

/* ---- a reader over a file, in short pieces, with faults on demand ---- */

struct piecewise {
    int fd;
    uint64_t size;
    size_t max;              /* at most this many bytes a call */
    uint64_t fault_after;    /* bytes served before the fault (UINT64_MAX: none) */
    int fault_errno;         /* the fault: -1 with this errno, or (0) an early end */
    bool grow;               /* one byte more than size */
    bool oversize;           /* returns one byte more than asked (a broken reader) */
    uint64_t served, calls, calls_after_fault;
    bool faulted;
};

static ssize_t piecewise_read(void *vctx, void *buf, size_t n, uint64_t off)
{
    struct piecewise *p = vctx;
    p->calls++;
    if (p->faulted)
        p->calls_after_fault++;
    if (p->served >= p->fault_after && off < p->size) {
        p->faulted = true;
        if (p->fault_errno) {
            errno = p->fault_errno;
            return -1;
        }
        return 0;
    }
    if (off >= p->size) {
        if (p->grow && off == p->size && n > 0) {
            ((uint8_t *)buf)[0] = 0x42;
            return 1;
        }
        return 0;
    }
    size_t want = n < p->max ? n : p->max;
    if (p->fault_after != UINT64_MAX && want > p->fault_after - p->served)
        want = (size_t)(p->fault_after - p->served);
    ssize_t r = pread(p->fd, buf, want, (off_t)off);
    if (r > 0)
        p->served += (uint64_t)r;
    if (p->oversize && r > 0 && (size_t)r == n)
        return r + 1; /* the byte after is the caller's memory: not written */
    return r;
}

static struct piecewise piecewise_open(const char *path)
{
    struct piecewise p = {.fd = open(path, O_RDONLY | O_CLOEXEC), .max = PIECE,
                          .fault_after = UINT64_MAX};
    REQUIRE(p.fd >= 0, "open %s", path);
    struct stat st;
    REQUIRE(fstat(p.fd, &st) == 0, "stat");
    p.size = (uint64_t)st.st_size;
    return p;
}

static struct hash_source source_of(struct piecewise *p)
{
    return (struct hash_source){.size = p->size, .read_at = piecewise_read, .ctx = p};
}

/* ---- comparing results ---- */

static bool same_list(const struct vpdq_list *a, const struct vpdq_list *b, const char *what)
{
    if (a->n != b->n) {
        CHECK(false, "%s: %zu vs %zu frames", what, a->n, b->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct vpdq_feature *x = &a->v[i], *y = &b->v[i];
        if (x->frame != y->frame || x->quality != y->quality || x->timestamp != y->timestamp ||
            memcmp(&x->hash, &y->hash, sizeof(x->hash)) != 0) {
            CHECK(false, "%s: frame entry %zu differs", what, i);
            return false;
        }
    }
    return true;
}

static void same_vpdq(const struct vpdq_result *a, const struct vpdq_result *b, const char *what)
{
    if (!a || !b) {
        CHECK(!a && !b, "%s: vPDQ on one side only", what);
        return;
    }
    CHECK(!strcmp(a->codec, b->codec) && a->width == b->width && a->height == b->height &&
              a->rotation == b->rotation && a->flipped == b->flipped && a->fps == b->fps &&
              a->duration == b->duration && a->hashed_seconds == b->hashed_seconds &&
              a->frames_decoded == b->frames_decoded && a->decode_errors == b->decode_errors &&
              a->complete == b->complete && a->skipped == b->skipped,
          "%s: vPDQ stream facts differ", what);
    same_list(&a->frames, &b->frames, what);
    same_list(&a->displayed, &b->displayed, what);
}

static void same_result(const struct hash_result *a, const struct hash_result *b, const char *what)
{
    CHECK(a->kind == b->kind && !strcmp(a->format, b->format) && a->size == b->size, "%s: kind/format/size",
          what);
    CHECK(a->err == b->err && !strcmp(a->detail, b->detail), "%s: %s (%s) vs %s (%s)", what,
          hash_err_code(a->err), a->detail, hash_err_code(b->err), b->detail);
    CHECK(a->have_digests == b->have_digests && !memcmp(a->md5, b->md5, sizeof(a->md5)) &&
              !memcmp(a->sha1, b->sha1, sizeof(a->sha1)) &&
              !memcmp(a->sha256, b->sha256, sizeof(a->sha256)),
          "%s: digests differ", what);
    CHECK(a->width == b->width && a->height == b->height && a->orientation == b->orientation,
          "%s: size or orientation", what);
    for (int i = 0; i < HASH_PDQ_N; i++)
        CHECK(a->pdq[i].present == b->pdq[i].present && a->pdq[i].quality == b->pdq[i].quality &&
                  !memcmp(&a->pdq[i].hash, &b->pdq[i].hash, sizeof(a->pdq[i].hash)),
              "%s: PDQ variant %d differs", what, i);
    CHECK(!memcmp(a->dct.c, b->dct.c, sizeof(a->dct.c)) && a->dct.quality == b->dct.quality &&
              a->dct.degenerate == b->dct.degenerate,
          "%s: DCT differs", what);
    same_vpdq(a->vpdq, b->vpdq, what);
}


static void one_piece(const char *path, uint8_t md5[16], uint8_t sha1[20], uint8_t sha[32])
{
    size_t n;
    uint8_t *d = read_whole(path, &n);
    REQUIRE(d, "read %s", path);
    struct md5_ctx m;
    struct sha1_ctx s1;
    struct sha256_ctx s;
    md5_init(&m);
    sha1_init(&s1);
    sha256_init(&s);
    md5_update(&m, n, d);
    sha1_update(&s1, n, d);
    sha256_update(&s, n, d);
    md5_digest(&m, 16, md5);
    sha1_digest(&s1, 20, sha1);
    sha256_digest(&s, 32, sha);
    free(d);
}

/* hash_file() and hash_source_file() through short pieces: the same; and
 * digests as nettle computes them in one piece. */
static void compare(struct hash_ctx *ctx, const char *path, const char *what, double *read_ratio)
{
    struct hash_result a, b;
    hash_file(ctx, path, &a);
    struct piecewise p = piecewise_open(path);
    const struct hash_source src = source_of(&p);
    const int rc = hash_source_file(ctx, &src, &b);
    CHECK(rc == (b.err == HASH_OK ? 0 : -1), "%s: return %d with %s", what, rc, hash_err_code(b.err));
    same_result(&a, &b, what);
    uint8_t md5[16], sha1[20], sha[32];
    one_piece(path, md5, sha1, sha);
    CHECK(b.have_digests && !memcmp(md5, b.md5, 16) && !memcmp(sha1, b.sha1, 20) &&
              !memcmp(sha, b.sha256, 32),
          "%s: digests differ from nettle in one piece", what);
    if (read_ratio)
        *read_ratio = (double)p.served / (double)p.size;
    else /* not a video: each byte once */
        CHECK(p.served == p.size, "%s: %llu bytes read for %llu", what, (unsigned long long)p.served,
              (unsigned long long)p.size);
    close(p.fd);
    hash_result_clear(&a);
    hash_result_clear(&b);
}

/* ---- same results ---- */

static struct hash_ctx *walk_ctx;
static int walk_files;

static int visit(void *vctx, const char *path, enum hash_err err, const char *detail)
{
    (void)vctx;
    (void)detail;
    if (err != HASH_OK)
        return 0;
    compare(walk_ctx, path, path, NULL);
    walk_files++;
    return 0;
}

static void gen(const char *out, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y %s '%s'", args, tpath(out));
    REQUIRE(gen_run(cmd) == 0, "ffmpeg failed: %s", cmd);
}

static const char *const videos[] = {"moov-end.mp4", "faststart-rotated.mp4", "clip.mkv", "clip.avi",
                                     "tiny.mp4"};

static void make_videos(void)
{
    /* Phones write MP4 with the index (moov) at the end, B-frames or not, with sound. */
    gen("moov-end.mp4", "-f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440 "
                        "-t 5 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest");
    gen("faststart.mp4", "-f lavfi -i testsrc2=size=240x160:rate=30 -t 3 -c:v libx264 -bf 0 "
                         "-pix_fmt yuv420p -movflags +faststart");
    char args[2048];
    snprintf(args, sizeof(args), "-i '%s' -c copy -metadata:s:v:0 rotate=90 -movflags +faststart",
             tpath("faststart.mp4"));
    gen("faststart-rotated.mp4", args);
    gen("clip.mkv", "-f lavfi -i testsrc2=size=160x120:rate=10 -f lavfi -i sine -t 4 -c:v mpeg4 "
                    "-q:v 5 -c:a aac -shortest");
    gen("clip.avi", "-f lavfi -i testsrc2=size=176x144:rate=12 -t 3 -c:v mpeg4 -q:v 5");
    gen("tiny.mp4", "-f lavfi -i testsrc2=size=128x96:rate=8 -t 2 -c:v libx264 -pix_fmt yuv420p");
}

static void test_same(void)
{
    struct hash_options o;
    hash_options_default(&o);
    o.vpdq.max_seconds = 0;
    struct hash_ctx *ctx = hash_ctx_create(&o);
    REQUIRE(ctx, "ctx");
    /* Every file of the PDQ vectors (pictures in every format, and the
     * text files beside them: digests only). */
    walk_ctx = ctx;
    REQUIRE(hash_walk(shared_path("pdq"), visit, NULL) == 0, "walk");
    CHECK(walk_files >= 150, "only %d files under pdq", walk_files);

    for (size_t i = 0; i < sizeof(videos) / sizeof(videos[0]); i++) {
        const char *path = tpath(videos[i]);
        double ratio;
        compare(ctx, path, videos[i], &ratio);
        fprintf(stderr, "%s: read %.3f x its size\n", videos[i], ratio);
        CHECK(ratio <= 1.02, "%s: read %.2f times", videos[i], ratio);
        /* Independent of the hash engine: nettle in one piece, vpdq alone. */
        struct piecewise p = piecewise_open(path);
        const struct hash_source src = source_of(&p);
        struct hash_result r;
        CHECK(hash_source_file(ctx, &src, &r) == 0 && r.kind == HASH_KIND_VIDEO && r.vpdq,
              "%s: %s (%s)", videos[i], hash_err_code(r.err), r.detail);
        uint8_t md5[16], sha1[20], sha[32];
        one_piece(path, md5, sha1, sha);
        CHECK(r.have_digests && !memcmp(md5, r.md5, 16) && !memcmp(sha1, r.sha1, 20) &&
                  !memcmp(sha, r.sha256, 32),
              "%s: digests differ from nettle in one piece", videos[i]);
        struct vpdq_options vo = o.vpdq;
        vo.displayed = o.displayed;
        struct vpdq_result *v = NULL;
        struct vpdq_error verr;
        CHECK(vpdq_hash_path(path, &vo, &v, &verr) == 0, "%s: %s", videos[i], verr.detail);
        same_vpdq(r.vpdq, v, videos[i]);
        if (strstr(videos[i], "rotated"))
            CHECK(r.vpdq && r.vpdq->rotation == 270 && r.vpdq->displayed.n > 0, "rotation lost");
        if (!strcmp(videos[i], "moov-end.mp4"))
            CHECK(r.vpdq && r.vpdq->skipped, "the skip-unsampled path was not taken");
        vpdq_result_free(v);
        hash_result_clear(&r);
        close(p.fd);
    }
    /* Every frame, and a 32x32 downscale: other paths through vpdq. */
    struct hash_options every = o;
    every.vpdq.interval = 0;
    every.vpdq.downscale = 32;
    struct hash_ctx *ectx = hash_ctx_create(&every);
    REQUIRE(ectx, "ctx");
    double ratio;
    compare(ectx, tpath("moov-end.mp4"), "moov-end.mp4, every frame 32x32", &ratio);
    hash_ctx_destroy(ectx);
    /* Vectors of Meta's: one with padded dimensions. */
    compare(ctx, shared_path("vpdq/videos/test-padded-dimensions.mp4"), "test-padded-dimensions", &ratio);

    /* Nothing may be kept ahead: the digests read each gap as soon as the
     * decoder jumps over it (the index at the end: the whole media data at
     * once), and read those bytes again when the decoder gets there. */
    hash_hold_budget = 0;
    compare(ctx, tpath("moov-end.mp4"), "moov-end.mp4, nothing kept", &ratio);
    CHECK(ratio > 1.5, "moov-end.mp4, nothing kept: read %.2f times: the gap path was not taken", ratio);
    compare(ctx, tpath("clip.avi"), "clip.avi, nothing kept", &ratio);
    hash_hold_budget = HASH_HOLD_BUDGET;
    hash_ctx_destroy(ctx);
}

/* ---- vpdq_hash_reader() on its own ---- */

static ssize_t reader_read(void *vctx, void *buf, size_t n, uint64_t off)
{
    return piecewise_read(vctx, buf, n, off);
}

static void test_vpdq_reader(void)
{
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.max_seconds = 0;
    for (size_t i = 0; i < sizeof(videos) / sizeof(videos[0]); i++) {
        const char *path = tpath(videos[i]);
        struct vpdq_result *a = NULL, *b = NULL;
        struct vpdq_error err;
        CHECK(vpdq_hash_path(path, &o, &a, &err) == 0, "%s: %s", videos[i], err.detail);
        struct piecewise p = piecewise_open(path);
        const struct vpdq_reader rd = {.size = p.size, .read_at = reader_read, .ctx = &p};
        CHECK(vpdq_hash_reader(&rd, &o, &b, &err) == 0 && err.sys_errno == 0, "%s: %s", videos[i],
              err.detail);
        same_vpdq(a, b, videos[i]);
        vpdq_result_free(a);
        vpdq_result_free(b);
        close(p.fd);
        /* Unplugged, not answering, half-way: a read error with its errno,
         * and the reader is not asked again. An early end is a cut file. */
        const int errs[] = {ENODEV, ETIMEDOUT, EIO, 0};
        for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++) {
            p = piecewise_open(path);
            p.fault_after = p.size / 2;
            p.fault_errno = errs[k];
            const struct vpdq_reader fr = {.size = p.size, .read_at = reader_read, .ctx = &p};
            b = NULL;
            const int rc = vpdq_hash_reader(&fr, &o, &b, &err);
            if (errs[k])
                CHECK(rc == -1 && err.code == VPDQ_ERR_READ && err.sys_errno == errs[k] &&
                          p.calls_after_fault == 0,
                      "%s errno %d: %s (%s), sys_errno %d, %llu reads after", videos[i], errs[k],
                      vpdq_err_code(err.code), err.detail, err.sys_errno,
                      (unsigned long long)p.calls_after_fault);
            else
                CHECK(rc == -1 && err.code == VPDQ_ERR_CORRUPT && err.sys_errno == 0, "%s cut: %s (%s)",
                      videos[i], vpdq_err_code(err.code), err.detail);
            CHECK(!b || !b->complete, "%s: a complete result from half a file", videos[i]);
            vpdq_result_free(b);
            close(p.fd);
        }
    }
    struct vpdq_result *r = NULL;
    struct vpdq_error err;
    CHECK(vpdq_hash_reader(NULL, &o, &r, &err) == -1 && err.code == VPDQ_ERR_READ && !r, "NULL reader");
}

/* ---- faults ---- */

static struct hash_result fault_run(struct hash_ctx *ctx, const char *path, uint64_t after, int e,
                                    bool grow, struct piecewise *out)
{
    struct piecewise p = piecewise_open(path);
    p.fault_after = after;
    p.fault_errno = e;
    p.grow = grow;
    const struct hash_source src = source_of(&p);
    struct hash_result r;
    hash_source_file(ctx, &src, &r);
    close(p.fd);
    if (out)
        *out = p;
    return r;
}

static void test_faults(void)
{
    struct hash_options o;
    hash_options_default(&o);
    struct hash_ctx *ctx = hash_ctx_create(&o);
    REQUIRE(ctx, "ctx");
    const char *files[] = {tpath("moov-end.mp4"), tpath("faststart-rotated.mp4"), tpath("clip.mkv"),
                           shared_path("pdq/images/generated/gen_1mp.jpg"),
                           shared_path("pdq/vectors.tsv")};
    const struct {
        int e;
        enum hash_err want;
    } why[] = {{ENODEV, HASH_ERR_GONE}, {ENXIO, HASH_ERR_GONE}, {ETIMEDOUT, HASH_ERR_TIMEOUT},
               {EIO, HASH_ERR_READ}, {0, HASH_ERR_CHANGED}};
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        struct stat st;
        REQUIRE(stat(files[f], &st) == 0, "stat");
        const uint64_t size = (uint64_t)st.st_size;
        /* In the first bytes, half-way, just before the end. */
        const uint64_t at[] = {100, size / 2, size - 10};
        for (size_t w = 0; w < sizeof(why) / sizeof(why[0]); w++) {
            for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
                struct piecewise p;
                struct hash_result r = fault_run(ctx, files[f], at[k], why[w].e, false, &p);
                CHECK(r.err == why[w].want, "%s errno %d at %llu: %s (%s), want %s", files[f], why[w].e,
                      (unsigned long long)at[k], hash_err_code(r.err), r.detail,
                      hash_err_code(why[w].want));
                CHECK(!r.have_digests && !r.vpdq, "%s errno %d at %llu: digests or vPDQ of half a file",
                      files[f], why[w].e, (unsigned long long)at[k]);
                /* A device that failed is not asked again (each ask may
                 * wait for a timeout); an early end may be looked at again. */
                if (why[w].e)
                    CHECK(p.calls_after_fault == 0, "%s errno %d: %llu reads after the failure", files[f],
                          why[w].e, (unsigned long long)p.calls_after_fault);
                hash_result_clear(&r);
            }
        }
        /* One byte more than listed. */
        struct hash_result r = fault_run(ctx, files[f], UINT64_MAX, 0, true, NULL);
        CHECK(r.err == HASH_ERR_CHANGED && !r.have_digests && !r.vpdq && strstr(r.detail, "grew"),
              "%s grows: %s (%s)", files[f], hash_err_code(r.err), r.detail);
        hash_result_clear(&r);
        /* More bytes than asked for: a broken reader, never trusted. */
        struct piecewise p = piecewise_open(files[f]);
        p.oversize = true;
        p.max = SIZE_MAX;
        const struct hash_source src = source_of(&p);
        CHECK(hash_source_file(ctx, &src, &r) == -1 && r.err == HASH_ERR_READ && !r.have_digests,
              "%s oversize: %s", files[f], hash_err_code(r.err));
        hash_result_clear(&r);
        close(p.fd);
    }
    /* The listed size is what is hashed: a reader that ends early is "shrank". */
    struct piecewise p = piecewise_open(files[0]);
    struct hash_source src = source_of(&p);
    src.size += 1000;
    struct hash_result r;
    CHECK(hash_source_file(ctx, &src, &r) == -1 && r.err == HASH_ERR_CHANGED && strstr(r.detail, "shrank") &&
              !r.have_digests && r.size == src.size,
          "listed too large: %s (%s)", hash_err_code(r.err), r.detail);
    hash_result_clear(&r);
    close(p.fd);
    /* No reader, an empty file. */
    CHECK(hash_source_file(ctx, NULL, &r) == -1 && r.err == HASH_ERR_READ, "NULL source");
    const struct hash_source empty = {.size = 0, .read_at = piecewise_read, .ctx = &p};
    CHECK(hash_source_file(ctx, &empty, &r) == -1 && r.err == HASH_ERR_EMPTY, "empty");
    CHECK(!strcmp(hash_err_code(HASH_ERR_GONE), "device_removed") &&
              !strcmp(hash_err_code(HASH_ERR_TIMEOUT), "device_not_answering") &&
              !strcmp(hash_err_message(HASH_ERR_GONE), "the device was unplugged while the file was read") &&
              !strcmp(hash_err_message(HASH_ERR_TIMEOUT), "the device stopped answering"),
          "codes and messages");

    /* After all that the same context gives the clean answer. */
    compare(ctx, shared_path("pdq/images/generated/gen_1mp.jpg"), "after faults", NULL);
    double ratio;
    compare(ctx, tpath("moov-end.mp4"), "video after faults", &ratio);
    hash_ctx_destroy(ctx);
}

/* ---- cancel and progress ---- */

struct watch {
    uint64_t last_done, last_total;
    int calls, calls_in_total, stop_after;
    bool backwards, over;
};

static void on_progress(void *vctx, uint64_t done, uint64_t total)
{
    struct watch *w = vctx;
    w->calls++;
    if (total != w->last_total) {
        w->last_total = total; /* bytes of the file, or milliseconds of video */
        w->last_done = 0;
        w->calls_in_total = 0;
    }
    w->calls_in_total++;
    if (done < w->last_done)
        w->backwards = true;
    if (done > total && total)
        w->over = true;
    w->last_done = done;
}

static bool on_cancelled(void *vctx)
{
    const struct watch *w = vctx;
    return w->calls >= w->stop_after;
}

static void test_cancel(void)
{
    char big[1024];
    snprintf(big, sizeof(big), "%s", tpath("big.bin"));
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "head -c 40000000 /dev/urandom > '%s'", big);
    REQUIRE(gen_run(cmd) == 0, "big file");
    struct watch w;
    struct hash_options o;
    hash_options_default(&o);
    o.progress = on_progress;
    o.cancelled = on_cancelled;
    o.progress_ctx = &w;
    struct hash_ctx *ctx = hash_ctx_create(&o);
    REQUIRE(ctx, "ctx");

    const char *files[] = {big, tpath("moov-end.mp4"), shared_path("pdq/images/generated/gen_12mp_reencoded.jpg")};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        /* Whole: progress goes forward, never past the total; bytes end at the size. */
        memset(&w, 0, sizeof(w));
        w.stop_after = 1 << 30;
        struct piecewise p = piecewise_open(files[i]);
        struct hash_source src = source_of(&p);
        struct hash_result r;
        hash_source_file(ctx, &src, &r);
        CHECK(r.have_digests, "%s: %s", files[i], hash_err_code(r.err));
        CHECK(w.calls > 0 && !w.backwards && !w.over, "%s: progress %d calls, backwards %d, over %d",
              files[i], w.calls, w.backwards, w.over);
        if (r.kind != HASH_KIND_VIDEO)
            CHECK(w.last_total == p.size && w.last_done == p.size, "%s: progress ends at %llu of %llu",
                  files[i], (unsigned long long)w.last_done, (unsigned long long)w.last_total);
        const int all = w.calls;
        hash_result_clear(&r);
        close(p.fd);
        if (all < 3)
            continue;
        /* Cancelled after two calls: stops there, nothing kept. */
        memset(&w, 0, sizeof(w));
        w.stop_after = 2;
        p = piecewise_open(files[i]);
        src = source_of(&p);
        CHECK(hash_source_file(ctx, &src, &r) == -1 && r.err == HASH_ERR_CANCELLED && !r.have_digests &&
                  !r.vpdq,
              "%s cancelled: %s, digests %d", files[i], hash_err_code(r.err), r.have_digests);
        CHECK(w.calls < all && p.served < p.size, "%s: went on after the cancel (%d of %d calls)", files[i],
              w.calls, all);
        hash_result_clear(&r);
        close(p.fd);
    }
    hash_ctx_destroy(ctx);
}

/* ---- every buffer that held file bytes is wiped before it is freed ---- */

static atomic_long hook_bytes, hook_dirty, hook_calls;

static void free_hook(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) {
            atomic_fetch_add(&hook_dirty, 1);
            break;
        }
    atomic_fetch_add(&hook_bytes, (long)n);
    atomic_fetch_add(&hook_calls, 1);
}

static void test_wipe(void)
{
    /* A rotated photo (its pixels are kept for the displayed variant), a
     * large one (the row queue), a video with its index at the end (kept
     * until the digests reach it). */
    size_t len;
    REQUIRE(gen_jpeg_file(tpath("turned.jpg"), 900, 700, gen_camera, 6, 90) == 0, "jpeg");
    uint8_t *d = read_whole(tpath("turned.jpg"), &len);
    free(d);
    struct hash_options o;
    hash_options_default(&o);
    struct hash_ctx *ctx = hash_ctx_create(&o);
    REQUIRE(ctx, "ctx");
    hash_free_hook = free_hook;
    const char *files[] = {tpath("turned.jpg"), shared_path("pdq/images/generated/gen_12mp_reencoded.jpg"),
                           tpath("moov-end.mp4")};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        atomic_store(&hook_bytes, 0);
        atomic_store(&hook_dirty, 0);
        atomic_store(&hook_calls, 0);
        struct piecewise p = piecewise_open(files[i]);
        const struct hash_source src = source_of(&p);
        struct hash_result r;
        CHECK(hash_source_file(ctx, &src, &r) == 0, "%s: %s", files[i], r.detail);
        if (i == 0)
            CHECK(r.orientation == 6 && r.pdq[HASH_PDQ_DISPLAYED_CLI].present, "no displayed variant");
        CHECK(atomic_load(&hook_dirty) == 0, "%s: %ld of %ld buffers freed unwiped", files[i],
              atomic_load(&hook_dirty), atomic_load(&hook_calls));
        /* Images: the file's bytes (and the turned one's pixels) went through the hook. */
        if (r.kind == HASH_KIND_IMAGE)
            CHECK((uint64_t)atomic_load(&hook_bytes) >= p.size, "%s: %ld bytes wiped, the file has %llu",
                  files[i], atomic_load(&hook_bytes), (unsigned long long)p.size);
        else
            CHECK(atomic_load(&hook_calls) > 0, "%s: the bytes kept ahead were not seen freed", files[i]);
        hash_result_clear(&r);
        close(p.fd);
    }
    atomic_store(&hook_dirty, 0);
    hash_ctx_destroy(ctx); /* the row queue's rows */
    CHECK(atomic_load(&hook_dirty) == 0, "destroy: rows freed unwiped");
    hash_free_hook = NULL;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } sections[] = {
        {"same", test_same},     {"vpdq", test_vpdq_reader}, {"faults", test_faults},
        {"cancel", test_cancel}, {"wipe", test_wipe},
    };
    const char *t = make_tmpdir("hashsource");
    REQUIRE(t, "tmpdir");
    char *dir = strdup(t);
    tmp = dir;
    make_videos();
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        bool want = argc < 2;
        for (int a = 1; a < argc; a++)
            want |= !strcmp(argv[a], sections[i].name);
        if (want)
            sections[i].fn();
    }
    rm_rf(dir);
    free(dir);
    return check_exit();
}
