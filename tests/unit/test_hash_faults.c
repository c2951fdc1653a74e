/* hash_file() when the device misbehaves: pread() is wrapped at link time
 * (-Wl,--wrap=pread) to fail with EIO (or ENODEV, ETIMEDOUT), to end early
 * (the file shrank or the stick was pulled) or to return more bytes than the
 * file had (it grew). Each case must give its error code, no digests, and
 * leave the context usable for the next file. Also: digests equal nettle's
 * in one piece, for a file big enough to take the two-thread path. */
#include "check.h"
#include "hash.h"
#include "testutil.h"

#include <errno.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum fault { FAULT_NONE, FAULT_ERRNO, FAULT_EOF, FAULT_GROW };

static enum fault fault;
static int fault_errno;
static long long fault_after; /* bytes returned before the fault */
static long long returned;

ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
    if (fault == FAULT_NONE)
        return __real_pread(fd, buf, n, off);
    if (returned >= fault_after) {
        switch (fault) {
        case FAULT_ERRNO:
            errno = fault_errno;
            return -1;
        case FAULT_EOF:
            return 0;
        case FAULT_GROW: {
            ssize_t r = __real_pread(fd, buf, n, off);
            if (r == 0 && n > 0) { /* past the real end: one more byte appears */
                ((uint8_t *)buf)[0] = 0x42;
                returned++;
                return 1;
            }
            returned += r > 0 ? r : 0;
            return r;
        }
        default:
            break;
        }
    }
    if ((long long)n > fault_after - returned)
        n = (size_t)(fault_after - returned);
    ssize_t r = __real_pread(fd, buf, n, off);
    if (r > 0)
        returned += r;
    return r;
}

static void arm(enum fault f, long long after)
{
    fault = f;
    fault_errno = EIO;
    fault_after = after;
    returned = 0;
}

static void expect(struct hash_ctx *ctx, const char *path, enum hash_err want, const char *what)
{
    struct hash_result res;
    hash_file(ctx, path, &res);
    CHECK(res.err == want, "%s: got %s (%s), want %s", what, hash_err_code(res.err), res.detail,
          hash_err_code(want));
    if (want != HASH_OK && want != HASH_ERR_CORRUPT && want != HASH_ERR_UNKNOWN_TYPE)
        CHECK(!res.have_digests, "%s: digests reported for a file not read whole", what);
}

static void one_piece(const uint8_t *d, size_t n, uint8_t md5[16], uint8_t sha1[20],
                      uint8_t sha[32])
{
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
}

int main(void)
{
    const char *dir = make_tmpdir("faults");
    REQUIRE(dir, "tmpdir");
    char video[4096], image[4096];
    snprintf(video, sizeof(video), "%s/clip.mp4", dir);
    snprintf(image, sizeof(image), "%s/photo.jpg", dir);

    /* A "video" (MP4 signature, then noise) big enough for the threaded digests. */
    const size_t vlen = (size_t)21 << 20;
    uint8_t *v = malloc(vlen);
    REQUIRE(v, "malloc");
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < vlen; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v[i] = (uint8_t)x;
    }
    memcpy(v, "\0\0\0\x18" "ftypmp42\0\0\0\0mp42isom", 24);
    REQUIRE(write_whole(video, v, vlen) == 0, "write video");
    size_t ilen;
    uint8_t *img = read_whole(shared_path("pdq/images/generated/gen_1mp.jpg"), &ilen);
    REQUIRE(img && write_whole(image, img, ilen) == 0, "write image");

    /* The "video" is noise: digests only (vPDQ has its own tests). */
    struct hash_options opt;
    hash_options_default(&opt);
    opt.video = false;
    struct hash_ctx *ctx = hash_ctx_create(&opt);
    REQUIRE(ctx, "ctx");

    /* Clean reads: digests equal nettle in one piece. */
    struct hash_result res;
    uint8_t md5[16], sha1[20], sha[32];
    hash_file(ctx, video, &res);
    one_piece(v, vlen, md5, sha1, sha);
    CHECK(res.err == HASH_OK && res.kind == HASH_KIND_VIDEO && !strcmp(res.format, "mp4"),
          "video: %s %s", hash_err_code(res.err), res.format);
    CHECK(res.have_digests && !memcmp(res.md5, md5, 16) && !memcmp(res.sha1, sha1, 20) &&
              !memcmp(res.sha256, sha, 32),
          "video digests differ from one-piece nettle");
    hash_file(ctx, image, &res);
    one_piece(img, ilen, md5, sha1, sha);
    CHECK(res.err == HASH_OK && res.pdq[HASH_PDQ_CLI].present, "image: %s", res.detail);
    CHECK(!memcmp(res.md5, md5, 16) && !memcmp(res.sha1, sha1, 20) &&
              !memcmp(res.sha256, sha, 32), "image digests differ");
    const struct pdq_hash clean = res.pdq[HASH_PDQ_CLI].hash;

    /* The device fails at many points, in both paths. */
    const long long points[] = {0, 1, 4096, 65536, 65537, 1 << 20, (long long)ilen - 1};
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "image EIO after %lld", points[i]);
        arm(FAULT_ERRNO, points[i]);
        expect(ctx, image, points[i] < (long long)ilen ? HASH_ERR_READ : HASH_OK, what);
        snprintf(what, sizeof(what), "image shrinks at %lld", points[i]);
        arm(FAULT_EOF, points[i]);
        expect(ctx, image, points[i] < (long long)ilen ? HASH_ERR_CHANGED : HASH_OK, what);
    }
    /* Videos: digests alone, and with vPDQ (one pass: the digests follow
     * the decoder's reads, the rest is read after it gave up on the noise). */
    struct hash_options vopt;
    hash_options_default(&vopt);
    struct hash_ctx *vctx = hash_ctx_create(&vopt);
    REQUIRE(vctx, "ctx");
    const long long vpoints[] = {10, 65536, 3 << 20, 9 << 20, (long long)vlen - 7};
    for (int with_vpdq = 0; with_vpdq < 2; with_vpdq++) {
        struct hash_ctx *c = with_vpdq ? vctx : ctx;
        for (size_t i = 0; i < sizeof(vpoints) / sizeof(vpoints[0]); i++) {
            char what[64];
            snprintf(what, sizeof(what), "video (vpdq %d) EIO after %lld", with_vpdq, vpoints[i]);
            arm(FAULT_ERRNO, vpoints[i]);
            expect(c, video, HASH_ERR_READ, what);
            snprintf(what, sizeof(what), "video (vpdq %d) shrinks at %lld", with_vpdq, vpoints[i]);
            arm(FAULT_EOF, vpoints[i]);
            expect(c, video, HASH_ERR_CHANGED, what);
        }
    }
    /* A phone's reader says why: unplugged, or no longer answering. */
    const struct {
        int e;
        enum hash_err want;
    } why[] = {{ENODEV, HASH_ERR_GONE}, {ENXIO, HASH_ERR_GONE}, {ETIMEDOUT, HASH_ERR_TIMEOUT},
               {ENOMEM, HASH_ERR_READ}};
    for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "errno %d mid-video", why[i].e);
        arm(FAULT_ERRNO, 5 << 20);
        fault_errno = why[i].e;
        expect(ctx, video, why[i].want, what);
        arm(FAULT_ERRNO, 5 << 20);
        fault_errno = why[i].e;
        expect(vctx, video, why[i].want, what);
        snprintf(what, sizeof(what), "errno %d mid-image", why[i].e);
        arm(FAULT_ERRNO, (long long)ilen / 2);
        fault_errno = why[i].e;
        expect(ctx, image, why[i].want, what);
    }
    CHECK(!strcmp(hash_err_code(HASH_ERR_GONE), "device_removed") &&
              !strcmp(hash_err_code(HASH_ERR_TIMEOUT), "device_not_answering"),
          "codes");

    arm(FAULT_GROW, (long long)vlen);
    expect(ctx, video, HASH_ERR_CHANGED, "video grows");
    arm(FAULT_GROW, (long long)ilen);
    expect(ctx, image, HASH_ERR_CHANGED, "image grows");

    /* After all that, the same context still gives the clean answers. */
    arm(FAULT_NONE, 0);
    hash_file(ctx, image, &res);
    CHECK(res.err == HASH_OK && pdq_distance(&res.pdq[HASH_PDQ_CLI].hash, &clean) == 0,
          "context unusable after faults");
    hash_file(ctx, video, &res);
    one_piece(v, vlen, md5, sha1, sha);
    CHECK(res.err == HASH_OK && !memcmp(res.md5, md5, 16) && !memcmp(res.sha1, sha1, 20) &&
              !memcmp(res.sha256, sha, 32),
          "video digests wrong after faults");

    /* With vPDQ the noise is no video, but its digests are those of the bytes. */
    hash_file(vctx, video, &res);
    CHECK(res.err == HASH_ERR_VIDEO_CORRUPT && res.have_digests && !memcmp(res.md5, md5, 16) &&
              !memcmp(res.sha1, sha1, 20) && !memcmp(res.sha256, sha, 32),
          "noise video with vPDQ: %s (%s)", hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    hash_ctx_destroy(vctx);
    hash_ctx_destroy(ctx);
    free(v);
    free(img);
    rm_rf(dir);
    return check_exit();
}
