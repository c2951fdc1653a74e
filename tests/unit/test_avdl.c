/* avdl: FFmpeg is not in a process until a video is met, photos never
 * bring it in, a missing or wrong library is a clean "unsupported video"
 * (digests still there, the poster a placeholder), and once found the
 * same video hashes. The order of the steps matters: one process. */
#include "avdl.h"
#include "check.h"
#include "hash.h"
#include "hash_internal.h"
#include "media_internal.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether a library whose file name contains `lib` is mapped now. */
static bool mapped(const char *lib)
{
    FILE *f = fopen("/proc/self/maps", "r");
    REQUIRE(f, "/proc/self/maps");
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, lib) != NULL;
    fclose(f);
    return found;
}

static bool any_ffmpeg_mapped(void)
{
    return mapped("libavcodec") || mapped("libavformat") || mapped("libavutil") ||
           mapped("libswscale");
}

static void hash_one(struct hash_ctx *ctx, const char *path, struct hash_result *res)
{
    memset(res, 0, sizeof(*res));
    hash_file(ctx, path, res);
}

static int poster(const char *path, struct poster *p, enum media_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0, "%s", path);
    struct stat st;
    REQUIRE(fstat(fd, &st) == 0, "%s", path);
    struct media_reader rd;
    media_reader_fd(&rd, &fd, (uint64_t)st.st_size);
    int rc = media_video_poster(&rd, 64, NULL, NULL, p, err);
    close(fd);
    return rc;
}

int main(void)
{
    char photo[1024], video[1024];
    snprintf(photo, sizeof(photo), "%s", shared_path("pdq/images/repo/bridge-mods/aaa-orig.jpg"));
    snprintf(video, sizeof(video), "%s", shared_path("vpdq/videos/chair-19-sd-bar.mp4"));

    struct hash_options o;
    hash_options_default(&o);
    o.vpdq.interval = 2;
    struct hash_ctx *ctx = hash_ctx_create(&o);
    REQUIRE(ctx, "hash_ctx_create");
    struct hash_result res;

    /* 1. Nothing links FFmpeg: not mapped at start, nor after a photo. */
    CHECK(!avdl_loaded() && !any_ffmpeg_mapped(), "FFmpeg in the process at start");
    hash_one(ctx, photo, &res);
    CHECK(res.err == HASH_OK && res.kind == HASH_KIND_IMAGE && res.pdq[HASH_PDQ_CLI].present,
          "photo: %s %s", hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    CHECK(!avdl_loaded() && !any_ffmpeg_mapped(), "a photo loaded FFmpeg");

    /* 1b. A video is decoded in the sandbox's child: FFmpeg is loaded
     * there, never in this process. */
    hash_one(ctx, video, &res);
    CHECK(res.err == HASH_OK && res.vpdq && res.vpdq->frames.n > 0, "sandboxed video: %s %s",
          hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    CHECK(!avdl_loaded() && !any_ffmpeg_mapped(), "a sandboxed video loaded FFmpeg here");

    /* From here on, avdl as the decoder's child uses it: in this process. */
    hash_in_process = true;

    /* 2. A library that is not there: the video keeps its digests and gets
     * "unsupported" with dlerror()'s words; the poster is the placeholder. */
    const char *missing[AVDL_NLIBS] = {[AVDL_AVFORMAT] = "libavformat-not-installed.so.0"};
    avdl_set_names(missing);
    hash_one(ctx, video, &res);
    CHECK(res.kind == HASH_KIND_VIDEO && res.err == HASH_ERR_VIDEO_UNSUPPORTED,
          "missing: %s %s", hash_err_code(res.err), res.detail);
    CHECK(res.have_digests && !res.vpdq, "missing: digests %d, vpdq %p", res.have_digests,
          (void *)res.vpdq);
    CHECK(strstr(res.detail, "FFmpeg is not installed") &&
              strstr(res.detail, "libavformat-not-installed"),
          "missing: detail '%s'", res.detail);
    hash_result_clear(&res);
    /* Remembered: the second video does not try again, and says the same. */
    hash_one(ctx, video, &res);
    CHECK(res.err == HASH_ERR_VIDEO_UNSUPPORTED && strstr(res.detail, "libavformat-not-installed"),
          "missing again: %s %s", hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    struct poster p;
    enum media_err merr;
    CHECK(poster(video, &p, &merr) == 0 && !p.rgba && merr == MEDIA_OK && p.duration_ms == -1,
          "missing: poster rc/err %d", (int)merr);
    media_secure_free(p.rgba, (size_t)p.w * (size_t)p.h * 4);
    CHECK(!avdl_loaded(), "loaded with a library missing");

    /* 3. A library that is there but is not FFmpeg's: named in the detail. */
    const char *wrong[AVDL_NLIBS] = {[AVDL_AVUTIL] = "libz.so.1"};
    avdl_set_names(wrong);
    hash_one(ctx, video, &res);
    CHECK(res.err == HASH_ERR_VIDEO_UNSUPPORTED && strstr(res.detail, "libz.so.1 has no"),
          "wrong: %s %s", hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    CHECK(!avdl_loaded(), "loaded with a wrong library");

    /* 4. The real libraries: loaded now, the video hashes, the poster shows. */
    avdl_set_names(NULL);
    hash_one(ctx, video, &res);
    CHECK(res.err == HASH_OK && res.vpdq && res.vpdq->frames.n > 0, "video: %s %s",
          hash_err_code(res.err), res.detail);
    hash_result_clear(&res);
    CHECK(avdl_loaded() && mapped("libavcodec"), "FFmpeg not loaded after a video");
    CHECK(poster(video, &p, &merr) == 0 && p.rgba && p.duration_ms > 0, "poster: err %d",
          (int)merr);
    media_secure_free(p.rgba, (size_t)p.w * (size_t)p.h * 4);

    /* 5. Once loaded, names no longer matter. */
    avdl_set_names(missing);
    char detail[200];
    CHECK(avdl_load(detail, sizeof(detail)) == 0, "reload: %s", detail);

    hash_ctx_destroy(ctx);
    return check_exit();
}
