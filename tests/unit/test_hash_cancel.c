/* hash_options.cancelled: the kiosk's Cancel (and quick exit) stops a file
 * in the middle, both while a large file is read and while a video is
 * decoded for vPDQ, with HASH_ERR_CANCELLED and nothing kept. */
#include "check.h"
#include "hash.h"
#include "mediagen.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int calls, stop_after, video_calls;
static bool stop_in_video;
static uint64_t file_size;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    (void)done;
    calls++;
    /* Reading reports bytes of the file; decoding, milliseconds of video. */
    if (total != file_size)
        video_calls++;
}

static bool on_cancelled(void *ctx)
{
    (void)ctx;
    return stop_in_video ? video_calls >= 2 : calls >= stop_after;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    const char *dir = make_tmpdir("hashcancel");
    REQUIRE(dir, "tmpdir");
    char d[1024], big[1200], video[1200], cmd[3000];
    snprintf(d, sizeof d, "%s", dir);
    snprintf(big, sizeof big, "%s/big.bin", d);
    snprintf(video, sizeof video, "%s/long.mp4", d);
    /* 48 MB of something that is not a picture: read to the end for its digests. */
    snprintf(cmd, sizeof cmd, "head -c 48000000 /dev/zero > '%s'", big);
    REQUIRE(gen_run(cmd) == 0, "big file");
    snprintf(cmd, sizeof cmd,
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=60 "
             "-c:v mpeg4 -q:v 8 -threads 1 '%s'", video);
    REQUIRE(gen_run(cmd) == 0, "video");

    struct hash_options o;
    hash_options_default(&o);
    o.progress = on_progress;
    o.cancelled = on_cancelled;
    struct hash_ctx *h = hash_ctx_create(&o);
    REQUIRE(h, "hash ctx");
    struct hash_result r;

    /* Not cancelled: the whole file. */
    calls = 0;
    stop_after = 1 << 30;
    CHECK(hash_file(h, big, &r) == -1 && r.err == HASH_ERR_UNKNOWN_TYPE && r.have_digests,
          "uncancelled read: err %d", r.err);
    int all_calls = calls;
    hash_result_clear(&r);

    /* Cancelled after the first chunks of the read. */
    calls = 0;
    stop_after = 2;
    CHECK(hash_file(h, big, &r) == -1 && r.err == HASH_ERR_CANCELLED && !r.have_digests,
          "cancelled read: err %d digests %d", r.err, r.have_digests);
    CHECK(calls < all_calls, "the read went on after the cancel (%d of %d)", calls, all_calls);
    CHECK(!strcmp(hash_err_code(HASH_ERR_CANCELLED), "cancelled"), "code");
    hash_result_clear(&r);

    /* A minute of video, cancelled once decoding has started. */
    size_t vlen;
    free(read_whole(video, &vlen));
    file_size = vlen;
    calls = 0;
    stop_after = 1 << 30;
    double t0 = now();
    CHECK(hash_file(h, video, &r) == 0 && r.vpdq, "the whole video: err %d", r.err);
    double whole = now() - t0;
    hash_result_clear(&r);
    calls = video_calls = 0;
    stop_in_video = true;   /* the file read, then two progress calls of decoding */
    t0 = now();
    CHECK(hash_file(h, video, &r) == -1 && r.err == HASH_ERR_CANCELLED, "cancelled video: err %d",
          r.err);
    double part = now() - t0;
    CHECK(video_calls >= 2 && part < whole, "cancelling did not save time (%.3f s vs %.3f s, %d calls)",
          part, whole, video_calls);
    hash_result_clear(&r);

    hash_ctx_destroy(h);
    rm_rf(d);
    return check_exit();
}
