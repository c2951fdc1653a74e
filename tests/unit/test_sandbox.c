/* The decoding sandbox (hash/sandbox.h): a decoder child that crashes, makes
 * a forbidden system call or runs out of memory is that file's
 * corrupt_image (or a clean out_of_memory) and the next file, in the same
 * hash context, hashes as before. The misbehaviour is switched on by the
 * decoder's test-only trigger (HIFAZAT_DECODER_TEST=1 and a marker at the
 * end of the file).
 *
 * Gallery thumbnails go the same way (thumbs).
 *
 * Usage: test_sandbox [crash|seccomp|rlimit|thumbs]   (no argument: crash + seccomp) */
#include "check.h"
#include "hash.h"
#include "media_internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir;
static uint8_t *png;
static size_t png_len;

static const char *with_trigger(const char *what)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s.png", dir, what);
    char tag[64];
    const int n = snprintf(tag, sizeof(tag), "HIFAZAT-DECODER-TEST:%s", what);
    uint8_t *b = malloc(png_len + (size_t)n);
    REQUIRE(b, "malloc");
    memcpy(b, png, png_len);
    memcpy(b + png_len, tag, (size_t)n);
    REQUIRE(write_whole(path, b, png_len + (size_t)n) == 0, "write %s", path);
    free(b);
    return path;
}

/* The good file after a bad one: the same PDQ as before it. */
static void next_file_hashes(struct hash_ctx *ctx, const char *good, const struct hash_result *ref,
                             const char *after)
{
    struct hash_result res;
    CHECK(hash_file(ctx, good, &res) == 0, "after %s: %s %s", after, hash_err_code(res.err), res.detail);
    CHECK(res.pdq[HASH_PDQ_CLI].present &&
              !memcmp(&res.pdq[HASH_PDQ_CLI].hash, &ref->pdq[HASH_PDQ_CLI].hash, sizeof(struct pdq_hash)),
          "after %s: a different PDQ", after);
    hash_result_clear(&res);
}

static void bad_file(struct hash_ctx *ctx, const char *what, enum hash_err want, const char *in_detail,
                     const char *good, const struct hash_result *ref)
{
    struct hash_result res;
    const int rc = hash_file(ctx, with_trigger(what), &res);
    CHECK(rc == -1 && res.err == want, "%s: rc %d, %s (%s), want %s", what, rc, hash_err_code(res.err),
          res.detail, hash_err_code(want));
    CHECK(strstr(res.detail, in_detail), "%s: detail \"%s\" lacks \"%s\"", what, res.detail, in_detail);
    /* The file was read: its exact hashes are there whatever the decoder did. */
    CHECK(res.have_digests, "%s: no digests", what);
    CHECK(!res.pdq[HASH_PDQ_CLI].present, "%s: a PDQ from a failed decoder", what);
    hash_result_clear(&res);
    next_file_hashes(ctx, good, ref, what);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    const bool all = !strcmp(mode, "all");
    setenv("HIFAZAT_DECODER_TEST", "1", 1);
    dir = make_tmpdir("sandbox");
    png = read_whole(shared_path("pdq/images/generated/gen_coffee_half.png"), &png_len);
    REQUIRE(png, "the shared coffee picture");
    char good[4096];
    snprintf(good, sizeof(good), "%s/good.png", dir);
    REQUIRE(write_whole(good, png, png_len) == 0, "write");

    struct hash_ctx *ctx = hash_ctx_create(NULL);
    REQUIRE(ctx, "ctx");
    struct hash_result ref;
    REQUIRE(hash_file(ctx, good, &ref) == 0, "good.png: %s", ref.detail);

    if (all || !strcmp(mode, "crash"))
        /* SIGSEGV; under the sanitizers their own crash handler, which
         * the filter stops (SIGSYS): a signal, named, either way. */
        bad_file(ctx, "crash", HASH_ERR_CORRUPT, "the decoder died of SIG", good, &ref);
    if (all || !strcmp(mode, "seccomp")) {
        /* Each of these, if allowed, answers with a result that says so. */
        bad_file(ctx, "open", HASH_ERR_CORRUPT, "SIGSYS", good, &ref);
        bad_file(ctx, "socket", HASH_ERR_CORRUPT, "SIGSYS", good, &ref);
        bad_file(ctx, "exec", HASH_ERR_CORRUPT, "SIGSYS", good, &ref);
    }
    if (!strcmp(mode, "rlimit"))
        bad_file(ctx, "alloc", HASH_ERR_NOMEM, "limit", good, &ref);

    if (!strcmp(mode, "thumbs")) {
        const struct image_scale sc = {.max_w = 96, .max_h = 96};
        struct image_rgba img;
        struct image_error err;
        size_t len;
        uint8_t *bad = read_whole(with_trigger("crash"), &len);
        REQUIRE(bad, "crash.png");
        CHECK(media_sandbox_scaled(bad, len, &sc, &img, &err) == -1 && err.code == IMAGE_ERR_CORRUPT &&
                  !img.pixels,
              "crashing thumbnail: code %d", (int)err.code);
        free(bad);
        CHECK(media_sandbox_scaled(png, png_len, &sc, &img, &err) == 0 && img.pixels &&
                  img.width == 96 && img.height == 64 && img.full_width == 300 && img.full_height == 200,
              "thumbnail after it: %s (%dx%d of %dx%d)", err.detail, img.width, img.height,
              img.full_width, img.full_height);
        /* The same pixels as decoding here. */
        struct image_rgba here;
        REQUIRE(image_decode_scaled(png, png_len, NULL, &sc, &here, &err) == 0, "in process");
        CHECK(img.pixels && here.width == img.width && here.height == img.height &&
                  !memcmp(here.pixels, img.pixels, (size_t)img.width * (size_t)img.height * 4),
              "sandboxed thumbnail differs");
        image_rgba_free(&here);
        image_rgba_free(&img);
    }

    hash_result_clear(&ref);
    hash_ctx_destroy(ctx);
    free(png);
    rm_rf(dir);
    return check_exit();
}
