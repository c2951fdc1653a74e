/* vpdq: sampling, the skip-unsampled fast path, rotation, errors and budgets,
 * text forms and the matching rule. Test videos are made at test time with
 * the ffmpeg command-line tool in a temporary directory.
 * Usage: test_vpdq [SECTION...]  (sections: match parse sampling fast
 *        rotation errors privacy; default all) */
#include "check.h"
#include "testutil.h"
#include "vpdq.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *tmp;

static const char *tpath(const char *name)
{
    static char buf[8][1024];
    static int i;
    char *b = buf[i++ & 7];
    snprintf(b, 1024, "%s/%s", tmp, name);
    return b;
}

/* ffmpeg ARGS OUT, quietly; the file must then exist. */
static void gen(const char *out, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y %s '%s'", args, tpath(out));
    REQUIRE(system(cmd) == 0, "ffmpeg failed: %s", cmd);
}

static struct vpdq_options opts(double interval)
{
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.interval = interval;
    o.max_seconds = 0;
    return o;
}

static struct vpdq_result *hash_ok(const char *path, const struct vpdq_options *o)
{
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    int rc = vpdq_hash_path(path, o, &res, &err);
    CHECK(rc == 0 && res, "%s: %s (%s)", path, vpdq_err_code(err.code), err.detail);
    return rc == 0 ? res : (vpdq_result_free(res), NULL);
}

static bool same_lists(const struct vpdq_list *a, const struct vpdq_list *b, const char *what)
{
    if (a->n != b->n) {
        CHECK(false, "%s: %zu vs %zu frames", what, a->n, b->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct vpdq_feature *x = &a->v[i], *y = &b->v[i];
        if (x->frame != y->frame || x->quality != y->quality || x->timestamp != y->timestamp ||
            pdq_distance(&x->hash, &y->hash) != 0) {
            CHECK(false, "%s: entry %zu differs (frame %lld/%lld, distance %d)", what, i,
                  (long long)x->frame, (long long)y->frame, pdq_distance(&x->hash, &y->hash));
            return false;
        }
    }
    return true;
}

/* ---- the matching rule ---- */

static struct vpdq_feature feat(int seed, int flips, int quality)
{
    struct vpdq_feature f;
    memset(&f, 0, sizeof(f));
    uint32_t x = (uint32_t)seed * 2654435761u + 12345u;
    for (int i = 0; i < 16; i++) {
        x = x * 1103515245u + 12345u;
        f.hash.w[i] = (uint16_t)(x >> 16);
    }
    for (int b = 0; b < flips; b++)
        f.hash.w[b / 16] ^= (uint16_t)(1u << (b % 16));
    f.quality = quality;
    return f;
}

static void test_match(void)
{
    struct vpdq_feature q[10], t[10];
    struct vpdq_match m;
    /* 8 of 10 query frames within 31 bits: exactly 80 % -> match */
    for (int i = 0; i < 10; i++) {
        q[i] = feat(i, 0, 100);
        t[i] = i < 8 ? feat(i, 31, 100) : feat(100 + i, 0, 100);
    }
    REQUIRE(vpdq_compare(q, 10, t, 10, &m) == 0, "oom");
    CHECK(m.match && m.query_matched == 8 && m.query_frames == 10, "80 %%: %zu/%zu", m.query_matched,
          m.query_frames);
    /* distance 32 does not count */
    t[7] = feat(7, 32, 100);
    REQUIRE(vpdq_compare(q, 10, t, 10, &m) == 0, "oom");
    CHECK(!m.match && m.query_matched == 7, "distance 32 counted: %zu", m.query_matched);
    /* low-quality frames are ignored on both sides: 7 of 8 = 87.5 % */
    q[8].quality = q[9].quality = 49;
    REQUIRE(vpdq_compare(q, 10, t, 10, &m) == 0, "oom");
    CHECK(m.query_frames == 8 && m.query_matched == 7 && m.match, "quality filter: %zu/%zu",
          m.query_matched, m.query_frames);
    t[7] = feat(7, 0, 10); /* a matching hash, but unreliable */
    REQUIRE(vpdq_compare(q, 10, t, 10, &m) == 0, "oom");
    CHECK(m.query_matched == 7, "low-quality target frame counted");
    /* duplicates count once: 9 copies of one matching frame + 1 other = 50 % */
    for (int i = 0; i < 10; i++)
        q[i] = i < 9 ? feat(1, 0, 100) : feat(999, 0, 100);
    REQUIRE(vpdq_compare(q, 10, t, 10, &m) == 0, "oom");
    CHECK(m.query_frames == 2 && m.query_matched == 1 && !m.match, "dedupe: %zu/%zu", m.query_matched,
          m.query_frames);
    /* which side: a short clip inside a long video matches as the query only */
    struct vpdq_feature lng[20], clip[4];
    for (int i = 0; i < 20; i++)
        lng[i] = feat(200 + i, 0, 100);
    for (int i = 0; i < 4; i++)
        clip[i] = feat(200 + i, 3, 100);
    REQUIRE(vpdq_compare(clip, 4, lng, 20, &m) == 0, "oom");
    CHECK(m.match && m.query_percent == 100.0 && m.target_percent == 20.0, "clip as query: %.1f/%.1f",
          m.query_percent, m.target_percent);
    REQUIRE(vpdq_compare(lng, 20, clip, 4, &m) == 0, "oom");
    CHECK(!m.match && m.query_percent == 20.0, "long as query: %.1f", m.query_percent);
    /* nothing usable: no match, no division by zero */
    REQUIRE(vpdq_compare(NULL, 0, lng, 20, &m) == 0, "oom");
    CHECK(!m.match && m.query_percent == 0, "empty query matched");
    q[0] = feat(1, 0, 0);
    REQUIRE(vpdq_compare(q, 1, q, 1, &m) == 0, "oom");
    CHECK(!m.match && m.query_frames == 0, "all low quality matched");
}

/* ---- text forms ---- */

static void test_parse(void)
{
    const char *hex = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c";
    char line[200], out[VPDQ_FORMAT_LEN];
    struct vpdq_feature f;
    snprintf(line, sizeof(line), "%s,100,0.033", hex);
    CHECK(vpdq_parse(line, strlen(line), 7, &f) == 0 && f.quality == 100 && f.frame == 7, "HMA form");
    CHECK(!strcmp(vpdq_format(&f, out), line), "round trip: %s", out);
    snprintf(line, sizeof(line), " 12,49,%s,1.500 \n", hex);
    CHECK(vpdq_parse(line, strlen(line), 0, &f) == 0 && f.frame == 12 && f.quality == 49 &&
              f.timestamp == 1.5,
          "reference form");
    snprintf(line, sizeof(line), "%s,100,1.5e+03", hex); /* python-threatexchange's {:.3} */
    CHECK(vpdq_parse(line, strlen(line), 0, &f) == 0 && f.timestamp == 1500.0, "exponent timestamp");
    const char *bad[] = {
        "",
        "abc,100,0.0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,101,0.0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,-1,0.0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,-1",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,nan",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055cc,100,0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055g,100,0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,0,0,0",
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,,0",
        "x,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(vpdq_parse(bad[i], strlen(bad[i]), 0, &f) != 0, "accepted '%s'", bad[i]);
}

/* ---- sampling as the reference: every 30th frame of a 30 fps video ---- */

static void test_sampling(void)
{
    const char *v = shared_path("vpdq/videos/chair-19-sd-bar.mp4");
    struct vpdq_options o = opts(0);
    struct vpdq_result *all = hash_ok(v, &o);
    o = opts(1.0);
    struct vpdq_result *one = hash_ok(v, &o);
    o = opts(0.5);
    struct vpdq_result *half = hash_ok(v, &o);
    if (!all || !one || !half)
        goto out;
    CHECK(all->frames.n == 564 && all->frames_decoded == 564, "every frame: %zu", all->frames.n);
    CHECK(one->frames.n == 19, "1 fps: %zu frames", one->frames.n); /* 0, 30, ..., 540 */
    CHECK(half->frames.n == 38, "2 fps: %zu frames", half->frames.n);
    for (size_t i = 0; i < one->frames.n; i++) {
        const struct vpdq_feature *a = &one->frames.v[i], *b = &all->frames.v[30 * i];
        CHECK(a->frame == (int64_t)(30 * i) && pdq_distance(&a->hash, &b->hash) == 0 &&
                  a->timestamp == b->timestamp,
              "1 fps frame %zu is not frame %zu", i, 30 * i);
    }
    CHECK(one->complete && one->width == 480 && one->height == 720 && one->fps == 30.0 &&
              one->rotation == 0 && one->displayed.n == 0 && !strcmp(one->codec, "h264"),
          "metadata");
    CHECK(one->duration > 18.7 && one->duration < 18.9, "duration %.3f", one->duration);
out:
    vpdq_result_free(all);
    vpdq_result_free(one);
    vpdq_result_free(half);
}

/* ---- the fast path gives exactly the frames of a full decode ---- */

static void fast_vs_plain(const char *path, double interval, bool expect_skip)
{
    struct vpdq_options o = opts(interval);
    struct vpdq_result *fast = hash_ok(path, &o);
    o.skip_unsampled = false;
    struct vpdq_result *plain = hash_ok(path, &o);
    if (fast && plain) {
        char what[1200];
        snprintf(what, sizeof(what), "%s @%.2fs", path, interval);
        same_lists(&fast->frames, &plain->frames, what);
        CHECK(fast->frames_decoded == plain->frames_decoded, "%s: %llu vs %llu frames", what,
              (unsigned long long)fast->frames_decoded, (unsigned long long)plain->frames_decoded);
        CHECK(fast->skipped == expect_skip, "%s: fast path %s", what,
              fast->skipped ? "used" : "not used");
        CHECK(!plain->skipped, "%s: skipped although told not to", what);
    }
    vpdq_result_free(fast);
    vpdq_result_free(plain);
}

static void test_fast(void)
{
    DIR *d = opendir(shared_path("vpdq/videos"));
    REQUIRE(d, "no ../shared/vpdq/videos");
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".mp4"))
            continue;
        char rel[512];
        snprintf(rel, sizeof(rel), "vpdq/videos/%s", e->d_name);
        fast_vs_plain(shared_path(rel), 1.0, true);
    }
    closedir(d);
    const char *v = shared_path("vpdq/videos/pattern-longer-no-bar.mp4");
    fast_vs_plain(v, 0.5, true);
    fast_vs_plain(v, 0.2, true);
    fast_vs_plain(v, 3.0, true);
    /* x264 with deep B-pyramids, open GOPs, many references */
    gen("bframes.mp4", "-f lavfi -i testsrc2=size=320x240:rate=25 -t 8 -c:v libx264 -preset slow "
                       "-bf 8 -b_strategy 2 -refs 6 -x264-params open-gop=1:keyint=40 -pix_fmt yuv420p");
    fast_vs_plain(tpath("bframes.mp4"), 1.0, true);
    /* no B-frames (what phones record): nothing to skip, same frames */
    gen("pframes.mp4", "-f lavfi -i testsrc2=size=320x240:rate=30 -t 4 -c:v libx264 -bf 0 -pix_fmt yuv420p");
    fast_vs_plain(tpath("pframes.mp4"), 1.0, true);
    /* variable frame rate: frame numbers are still output counts */
    gen("vfr.mkv", "-f lavfi -i testsrc2=size=320x240:rate=30 -t 6 -vf "
                   "\"setpts='N/30/TB+0.004*sin(N)/TB'\" -fps_mode vfr -c:v libx264 -bf 3 -pix_fmt yuv420p");
    fast_vs_plain(tpath("vfr.mkv"), 1.0, true);
    /* MPEG-4 part 2 is not on the fast path */
    gen("mpeg4.avi", "-f lavfi -i testsrc2=size=320x240:rate=30 -t 3 -c:v mpeg4 -bf 2");
    fast_vs_plain(tpath("mpeg4.avi"), 1.0, false);
    /* HEVC */
    gen("hevc.mp4", "-f lavfi -i testsrc2=size=320x240:rate=30 -t 4 -c:v libx265 -x265-params "
                    "log-level=error:bframes=4 -pix_fmt yuv420p");
    fast_vs_plain(tpath("hevc.mp4"), 1.0, true);
}

/* ---- rotation: hashed as decoded and as a player shows it ---- */

static void test_rotation(void)
{
    gen("flat.mp4", "-f lavfi -i testsrc2=size=320x240:rate=10 -t 3 -c:v libx264 -qp 0 -pix_fmt yuv420p");
    const struct {
        const char *tag;
        int rotation;
    } cases[] = {{"90", 270}, {"180", 180}, {"270", 90}};
    struct vpdq_options o = opts(1.0);
    struct vpdq_result *flat = hash_ok(tpath("flat.mp4"), &o);
    REQUIRE(flat, "flat");
    CHECK(flat->displayed.n == 0 && flat->rotation == 0, "unrotated video has a displayed list");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char name[64], shown[64], args[512];
        snprintf(name, sizeof(name), "rot%s.mp4", cases[i].tag);
        snprintf(shown, sizeof(shown), "rot%s-shown.mp4", cases[i].tag);
        snprintf(args, sizeof(args), "-i '%s' -c copy -metadata:s:v:0 rotate=%s", tpath("flat.mp4"),
                 cases[i].tag);
        gen(name, args);
        /* what ffmpeg (autorotate) shows, stored losslessly without a flag */
        snprintf(args, sizeof(args), "-i '%s' -c:v libx264 -qp 0 -pix_fmt yuv420p", tpath(name));
        gen(shown, args);
        struct vpdq_result *r = hash_ok(tpath(name), &o);
        struct vpdq_result *s = hash_ok(tpath(shown), &o);
        if (r && s) {
            CHECK(r->rotation == cases[i].rotation, "rotate=%s: rotation %d", cases[i].tag, r->rotation);
            same_lists(&r->frames, &flat->frames, "as decoded = unrotated file");
            CHECK(r->displayed.n == s->frames.n, "rotate=%s: %zu displayed frames", cases[i].tag,
                  r->displayed.n);
            int maxd = 0;
            for (size_t k = 0; k < r->displayed.n && k < s->frames.n; k++) {
                int dd = pdq_distance(&r->displayed.v[k].hash, &s->frames.v[k].hash);
                maxd = dd > maxd ? dd : maxd;
            }
            CHECK(maxd <= 2, "rotate=%s: displayed is %d bits from ffmpeg's autorotated copy",
                  cases[i].tag, maxd);
            struct vpdq_options nd = o;
            nd.displayed = false;
            struct vpdq_result *q = hash_ok(tpath(name), &nd);
            CHECK(q && q->displayed.n == 0 && q->rotation == cases[i].rotation, "displayed=false");
            vpdq_result_free(q);
        }
        vpdq_result_free(r);
        vpdq_result_free(s);
    }
    vpdq_result_free(flat);
}

/* ---- bad input: clear errors, bounded work, never a crash ---- */

static void expect_err(const char *path, const struct vpdq_options *o, enum vpdq_err want,
                       bool partial)
{
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    int rc = vpdq_hash_path(path, o, &res, &err);
    CHECK(rc == -1 && err.code == want, "%s: got %s (%s), want %s", path, vpdq_err_code(err.code),
          err.detail, vpdq_err_code(want));
    CHECK(err.code == VPDQ_OK || err.detail[0], "%s: no detail", path);
    CHECK((res != NULL) == partial, "%s: partial result %s", path, res ? "present" : "missing");
    if (res)
        CHECK(res->frames.n > 0 && !res->complete, "%s: partial result empty or complete", path);
    vpdq_result_free(res);
}

static int cancel_after_two(void *ctx, double done, double total)
{
    (void)total;
    int *calls = ctx;
    return ++*calls > 2 && done > 0;
}

static void test_errors(void)
{
    struct vpdq_options o = opts(1.0);
    const char *v = shared_path("vpdq/videos/pattern-sd-grey-bar.mp4");
    size_t len;
    uint8_t *data = read_whole(v, &len);
    REQUIRE(data && len > 100000, "read %s", v);

    /* moov at the start: cut in half, the first half still hashes */
    REQUIRE(write_whole(tpath("half.mp4"), data, len / 2) == 0, "write");
    expect_err(tpath("half.mp4"), &o, VPDQ_ERR_CORRUPT, true);
    /* garbage in the middle of the frames: decoded around, never a crash */
    memcpy(data + len / 3, data, 60000);
    for (size_t i = len / 2; i < len / 2 + 50000; i++)
        data[i] = (uint8_t)(i * 7919u >> 3);
    REQUIRE(write_whole(tpath("garbled.mp4"), data, len) == 0, "write");
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    int rc = vpdq_hash_path(tpath("garbled.mp4"), &o, &res, &err);
    CHECK(res && res->frames.n > 0, "garbled: %s (%s)", vpdq_err_code(err.code), err.detail);
    (void)rc;
    vpdq_result_free(res);
    free(data);

    /* moov at the end, cut: nothing to decode */
    data = read_whole(shared_path("vpdq/videos/test-padded-dimensions.mp4"), &len);
    REQUIRE(data, "read");
    REQUIRE(write_whole(tpath("nomoov.mp4"), data, len / 2) == 0, "write");
    expect_err(tpath("nomoov.mp4"), &o, VPDQ_ERR_CORRUPT, false);
    /* a valid header followed by garbage */
    for (size_t i = 64; i < len; i++)
        data[i] = (uint8_t)(i * 2654435761u >> 24);
    REQUIRE(write_whole(tpath("header-garbage.mp4"), data, len) == 0, "write");
    expect_err(tpath("header-garbage.mp4"), &o, VPDQ_ERR_CORRUPT, false);
    free(data);

    REQUIRE(write_whole(tpath("empty.mp4"), "", 0) == 0, "write");
    expect_err(tpath("empty.mp4"), &o, VPDQ_ERR_CORRUPT, false);
    REQUIRE(write_whole(tpath("text.mp4"), "hello, this is not a video\n", 27) == 0, "write");
    expect_err(tpath("text.mp4"), &o, VPDQ_ERR_CORRUPT, false);

    gen("audio.m4a", "-f lavfi -i sine=frequency=440:duration=2 -c:a aac");
    expect_err(tpath("audio.m4a"), &o, VPDQ_ERR_NO_VIDEO, false);
    /* a codec FFmpeg has no decoder for */
    gen("mpeg4.avi", "-f lavfi -i testsrc2=size=64x64:rate=5 -t 1 -c:v mpeg4");
    data = read_whole(tpath("mpeg4.avi"), &len);
    REQUIRE(data && len > 4096, "read");
    for (size_t i = 0; i + 4 <= 4096; i++) /* the FourCC, in two header fields */
        if (!memcmp(data + i, "FMP4", 4))
            memcpy(data + i, "QQQQ", 4);
    REQUIRE(write_whole(tpath("unknown.avi"), data, len) == 0, "write");
    free(data);
    expect_err(tpath("unknown.avi"), &o, VPDQ_ERR_UNSUPPORTED, false);
    /* a playlist would make FFmpeg open other files: refused */
    char m3u[2048];
    int n = snprintf(m3u, sizeof(m3u), "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n%s\n#EXT-X-ENDLIST\n",
                     shared_path("vpdq/videos/chair-19-sd-bar.mp4"));
    REQUIRE(write_whole(tpath("list.m3u8"), m3u, (size_t)n) == 0, "write");
    expect_err(tpath("list.m3u8"), &o, VPDQ_ERR_UNSUPPORTED, false);
    /* a video stream without a single frame (AVI keeps the stream header) */
    gen("noframes.avi", "-f lavfi -i testsrc2=size=64x64:rate=5 -frames:v 0 -c:v mpeg4");
    expect_err(tpath("noframes.avi"), &o, VPDQ_ERR_NO_FRAMES, false);
    /* MP4 writes no stream at all then: the file looks cut short */
    gen("noframes.mp4", "-f lavfi -i testsrc2=size=64x64:rate=5 -frames:v 0 -c:v libx264");
    expect_err(tpath("noframes.mp4"), &o, VPDQ_ERR_CORRUPT, false);

    /* budgets: partial result, clear error */
    v = shared_path("vpdq/videos/chair-22-sd-grey-bar.mp4");
    struct vpdq_options b = o;
    b.max_frames = 100;
    expect_err(v, &b, VPDQ_ERR_BUDGET, true);
    b = o;
    b.max_seconds = 0.2;
    b.threads = 1;
    b.skip_unsampled = false;
    b.interval = 0;
    expect_err(v, &b, VPDQ_ERR_BUDGET, true);
    b = o;
    b.max_pixels = 480 * 719;
    expect_err(v, &b, VPDQ_ERR_TOO_LARGE, false);
    int calls = 0;
    b = o;
    b.progress = cancel_after_two;
    b.progress_ctx = &calls;
    expect_err(v, &b, VPDQ_ERR_CANCELLED, true);
    CHECK(calls == 3, "progress called %d times", calls);

    /* not a file */
    expect_err(tmp, &o, VPDQ_ERR_READ, false);
    expect_err(tpath("missing.mp4"), &o, VPDQ_ERR_READ, false);
}

/* ---- privacy: read-only, nothing written anywhere, memory = file ---- */

static void list_dir(const char *dir, char *out, size_t cap)
{
    out[0] = 0;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        strncat(out, e->d_name, cap - strlen(out) - 2);
        strncat(out, "/", cap - strlen(out) - 1);
    }
    closedir(d);
}

static void test_privacy(void)
{
    /* a private copy, read-only, in a directory of its own; TMPDIR empty */
    char dir[1024], tdir[1024];
    snprintf(dir, sizeof(dir), "%s/media", tmp);
    snprintf(tdir, sizeof(tdir), "%s/tmpdir", tmp);
    REQUIRE(mkdir(dir, 0755) == 0 && mkdir(tdir, 0755) == 0, "mkdir");
    size_t len;
    uint8_t *data = read_whole(shared_path("vpdq/videos/doorknob-hd-no-bar.mp4"), &len);
    REQUIRE(data, "read");
    char file[1100];
    snprintf(file, sizeof(file), "%s/v.mp4", dir);
    REQUIRE(write_whole(file, data, len) == 0 && chmod(file, 0444) == 0, "write");
    struct stat before, after;
    REQUIRE(stat(file, &before) == 0, "stat");
    char list_before[4096], list_after[4096], tmp_after[4096];
    list_dir(dir, list_before, sizeof(list_before));
    const char *old_tmp = getenv("TMPDIR");
    char *saved = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", tdir, 1);

    struct vpdq_options o = opts(1.0);
    struct vpdq_result *a = hash_ok(file, &o);
    struct vpdq_result *m = NULL;
    struct vpdq_error err;
    CHECK(vpdq_hash_memory(data, len, &o, &m, &err) == 0, "memory: %s", err.detail);
    if (a && m)
        same_lists(&a->frames, &m->frames, "file vs memory");
    /* an fd opened read-only works; the fd's own offset is not used */
    int fd = open(file, O_RDONLY);
    REQUIRE(fd >= 0, "open");
    CHECK(lseek(fd, 1000, SEEK_SET) == 1000, "lseek");
    struct vpdq_result *f = NULL;
    CHECK(vpdq_hash_fd(fd, &o, &f, &err) == 0, "fd: %s", err.detail);
    if (a && f)
        same_lists(&a->frames, &f->frames, "path vs fd");
    close(fd);

    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    REQUIRE(stat(file, &after) == 0, "stat");
    list_dir(dir, list_after, sizeof(list_after));
    list_dir(tdir, tmp_after, sizeof(tmp_after));
    CHECK(!strcmp(list_before, list_after), "files appeared beside the video: %s", list_after);
    CHECK(!strcmp(tmp_after, "./../") || !strcmp(tmp_after, "../."), "files in TMPDIR: %s", tmp_after);
    CHECK(before.st_mtime == after.st_mtime && before.st_size == after.st_size, "the video changed");
    size_t len2;
    uint8_t *data2 = read_whole(file, &len2);
    CHECK(data2 && len2 == len && !memcmp(data, data2, len), "the video's bytes changed");
    free(data2);
    free(data);
    vpdq_result_free(a);
    vpdq_result_free(m);
    vpdq_result_free(f);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } sections[] = {
        {"match", test_match},       {"parse", test_parse},   {"sampling", test_sampling},
        {"fast", test_fast},         {"rotation", test_rotation}, {"errors", test_errors},
        {"privacy", test_privacy},
    };
    tmp = make_tmpdir("vpdq");
    REQUIRE(tmp, "mkdtemp");
    char *dir = strdup(tmp);
    tmp = dir;
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        bool want = argc < 2;
        for (int a = 1; a < argc; a++)
            want |= !strcmp(argv[a], sections[i].name);
        if (want) {
            fprintf(stderr, "== %s\n", sections[i].name);
            sections[i].fn();
        }
    }
    rm_rf(dir);
    free(dir);
    return check_exit();
}
