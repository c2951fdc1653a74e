/* vPDQ against Meta's reference built on Debian's FFmpeg:
 * ../shared/vpdq/expected-debian-ffmpeg/NAME[-128x128].txt hold the
 * reference's "frame,quality,pdqhex,timestamp" for every frame of
 * ../shared/vpdq/videos/NAME.mp4. For each video and both sizes this hashes
 * every frame and asserts:
 *   - the same frame numbers and timestamps, in the same order;
 *   - >= 95 % of frames within PDQ distance 4 of the reference;
 *   - the video matches its reference under the vPDQ rule, both ways;
 * and prints how many frames are bit-exact (hash and quality).
 * Usage: test_vpdq_vectors [--strict] [NAME...]
 *   --strict  also require every frame to be bit-exact. */
#include "check.h"
#include "testutil.h"
#include "vpdq.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strict;
static size_t total_frames, total_exact;

static int load_expected(const char *path, struct vpdq_list *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int64_t i = 0;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '\n')
            continue;
        struct vpdq_feature v;
        REQUIRE(vpdq_parse(line, strlen(line), i++, &v) == 0, "%s: bad line %s", path, line);
        REQUIRE(vpdq_list_push(out, &v) == 0, "out of memory");
    }
    fclose(f);
    return 0;
}

static void check_video(const char *name, int downscale)
{
    char rel[512], exp_rel[512];
    snprintf(rel, sizeof(rel), "vpdq/videos/%s.mp4", name);
    snprintf(exp_rel, sizeof(exp_rel), "vpdq/expected-debian-ffmpeg/%s%s.txt", name,
             downscale ? "-128x128" : "");
    struct vpdq_list want = {0};
    REQUIRE(load_expected(shared_path(exp_rel), &want) == 0, "cannot read %s", shared_path(exp_rel));

    struct vpdq_options o;
    vpdq_options_default(&o);
    o.interval = 0; /* every frame, as the vectors */
    o.downscale = downscale;
    o.max_seconds = 0;
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    int rc = vpdq_hash_path(shared_path(rel), &o, &res, &err);
    CHECK(rc == 0, "%s: %s (%s)", name, vpdq_err_code(err.code), err.detail);
    if (rc != 0) {
        vpdq_result_free(res);
        vpdq_list_free(&want);
        return;
    }
    const struct vpdq_list *got = &res->frames;
    CHECK(got->n == want.n, "%s%s: %zu frames, reference %zu", name, downscale ? " 128" : "", got->n,
          want.n);
    size_t n = got->n < want.n ? got->n : want.n, exact = 0, near = 0, qdiff = 0;
    int maxd = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vpdq_feature *a = &got->v[i], *b = &want.v[i];
        char ta[32], tb[32];
        snprintf(ta, sizeof(ta), "%.3f", a->timestamp);
        snprintf(tb, sizeof(tb), "%.3f", b->timestamp);
        CHECK(a->frame == b->frame && !strcmp(ta, tb), "%s frame %zu: number %lld/%lld time %s/%s",
              name, i, (long long)a->frame, (long long)b->frame, ta, tb);
        const int d = pdq_distance(&a->hash, &b->hash);
        if (d > maxd)
            maxd = d;
        exact += d == 0 && a->quality == b->quality;
        near += d <= 4;
        qdiff += a->quality != b->quality;
        if (strict)
            CHECK(d == 0 && a->quality == b->quality, "%s frame %zu: distance %d quality %d/%d", name,
                  i, d, a->quality, b->quality);
    }
    struct vpdq_match m1, m2;
    REQUIRE(vpdq_compare(got->v, got->n, want.v, want.n, &m1) == 0, "oom");
    REQUIRE(vpdq_compare(want.v, want.n, got->v, got->n, &m2) == 0, "oom");
    CHECK(near * 100 >= n * 95, "%s: only %zu of %zu frames within distance 4", name, near, n);
    CHECK(m1.match && m2.match, "%s: no vPDQ match with the reference (%.1f %% / %.1f %%)", name,
          m1.query_percent, m2.query_percent);
    printf("%-34s %-8s frames %4zu  exact %4zu  <=4 %4zu  max_d %2d  q_diff %zu  match %.1f%%\n",
           name, downscale ? "128x128" : "native", n, exact, near, maxd, qdiff, m1.query_percent);
    total_frames += n;
    total_exact += exact;
    vpdq_result_free(res);
    vpdq_list_free(&want);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    char *names[64];
    int n = 0;
    bool owned = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--strict"))
            strict = true;
        else if (n < 64)
            names[n++] = argv[i];
    }
    if (n == 0) {
        DIR *d = opendir(shared_path("vpdq/videos"));
        REQUIRE(d, "cannot open %s (is ../shared beside the checkout?)", shared_path("vpdq/videos"));
        struct dirent *e;
        while ((e = readdir(d)) && n < 64) {
            size_t l = strlen(e->d_name);
            if (l > 4 && !strcmp(e->d_name + l - 4, ".mp4")) {
                names[n] = strdup(e->d_name);
                names[n][l - 4] = 0;
                n++;
            }
        }
        closedir(d);
        qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
        owned = true;
    }
    REQUIRE(n > 0, "no videos");
    for (int i = 0; i < n; i++) {
        check_video(names[i], 0);
        check_video(names[i], 128);
    }
    printf("TOTAL bit-exact frames (hash and quality): %zu of %zu\n", total_exact, total_frames);
    for (int i = 0; owned && i < n; i++)
        free(names[i]);
    return check_exit();
}
