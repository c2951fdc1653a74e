/* media_hash_file(): fingerprints read through the device layer are
 * hash_file()'s, bit for bit, for photos (JPEG with an EXIF preview, PNG,
 * HEIC) and videos (vPDQ frame by frame), on a fake phone (fakephone.h) and
 * on a mounted volume; and what goes wrong is named as hash_file() names
 * it, plus the device's own failures: a file that is not there, a phone
 * unplugged before and in the middle of a file (HASH_ERR_GONE), a phone
 * that stops answering (HASH_ERR_TIMEOUT). */
#include "check.h"
#include "device.h"
#include "fakephone.h"
#include "hash.h"
#include "media.h"
#include "mediagen.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[512];

static const char *at(const char *dir, const char *rel)
{
    static char p[4][2048];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", dir, rel);
    return p[k];
}

static bool same_list(const struct vpdq_list *a, const struct vpdq_list *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        char x[VPDQ_FORMAT_LEN], y[VPDQ_FORMAT_LEN];
        if (strcmp(vpdq_format(&a->v[i], x), vpdq_format(&b->v[i], y)) != 0)
            return false;
    }
    return true;
}

/* Everything a report carries, and the errors. */
static bool same(const struct hash_result *a, const struct hash_result *b, const char *what)
{
    bool ok = a->err == b->err && a->kind == b->kind && a->size == b->size &&
              a->have_digests == b->have_digests && !memcmp(a->md5, b->md5, sizeof(a->md5)) &&
              !memcmp(a->sha1, b->sha1, sizeof(a->sha1)) &&
              !memcmp(a->sha256, b->sha256, sizeof(a->sha256)) && a->width == b->width &&
              a->height == b->height && a->orientation == b->orientation && !strcmp(a->format, b->format);
    for (int v = 0; v < HASH_PDQ_N; v++)
        ok &= a->pdq[v].present == b->pdq[v].present && a->pdq[v].quality == b->pdq[v].quality &&
              !memcmp(&a->pdq[v].hash, &b->pdq[v].hash, sizeof(a->pdq[v].hash));
    ok &= !a->vpdq == !b->vpdq;
    if (a->vpdq && b->vpdq)
        ok &= same_list(&a->vpdq->frames, &b->vpdq->frames) && same_list(&a->vpdq->displayed, &b->vpdq->displayed);
    if (!ok)
        fprintf(stderr, "  %s: err %s/%s kind %d/%d size %llu/%llu digests %d/%d\n", what, hash_err_code(a->err),
                hash_err_code(b->err), a->kind, b->kind, (unsigned long long)a->size, (unsigned long long)b->size,
                a->have_digests, b->have_digests);
    return ok;
}

int main(void)
{
    const char *t = make_tmpdir("mhash");
    REQUIRE(t, "tmpdir");
    snprintf(tmp, sizeof(tmp), "%s", t);
    const char *src = getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : "..";
    char store[1100];
    snprintf(store, sizeof(store), "%s/vol", tmp);
    REQUIRE(gen_mkdirs(at(store, "DCIM/Camera")) == 0 && gen_mkdirs(at(store, "Pictures")) == 0, "mkdir");
    size_t len;
    uint8_t *pv = gen_jpeg_preview(2000, 1500, gen_camera, 6, 320, 240, gen_solid_blue, &len);
    REQUIRE(pv && gen_write(at(store, "DCIM/Camera/IMG_1.jpg"), pv, len) == 0, "jpeg with a preview");
    free(pv);
    REQUIRE(gen_png_file(at(store, "Pictures/card.png"), 480, 480, gen_gradient, false, true) == 0, "png");
    REQUIRE(gen_heic_file(at(store, "DCIM/Camera/IMG_2.heic"), 640, 480, gen_quadrants, 320, gen_solid_blue) == 0,
            "heic");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "cp '%s/assets/demo/media/DEMO-PHONE/DCIM/Camera/VID_0001.mp4' '%s' && "
             "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=15:duration=3 -c:v libx264 "
             "-pix_fmt yuv420p -metadata:s:v:0 rotate=90 '%s'",
             src, at(store, "DCIM/Camera/VID_1.mp4"), at(store, "DCIM/Camera/VID_2.mp4"));
    REQUIRE(gen_run(cmd) == 0, "videos");
    REQUIRE(gen_write(at(store, "Pictures/empty.jpg"), "", 0) == 0, "empty");
    REQUIRE(gen_write(at(store, "Pictures/letter.txt"), "not a picture\n", 14) == 0, "text");

    struct fakephones *fp = fakephones_create();
    REQUIRE(fp, "fakephones");
    static const struct device_backend *list[2];
    list[0] = fakephones_backend(fp);
    struct device_options o;
    device_options_default(&o);
    o.backends = list;
    o.media_root = tmp;              /* and vol as a mounted volume */
    o.mode = DEVICE_ROOT_DIRS;
    o.rescan_ms = 60000;
    o.timeout_ms = 500;
    o.read_block = 256 * 1024;       /* many requests a file */
    struct device_error derr;
    struct devices *d = devices_create(&o, &derr);
    REQUIRE(d, "devices_create: %s", derr.detail);
    struct fakephone desc = {.model = "Galaxy A14", .serial = "HASH", .nstorages = 1, .delay_us = 100};
    desc.storages[0] = (struct fakephone_storage){store, "Internal shared storage", false};
    const int ph = fakephone_plug(fp, &desc);
    devices_rescan(d);
    REQUIRE(devices_settle(d, 20000) == 0, "the phone opened");
    struct hash_ctx *hc = hash_ctx_create(NULL);
    REQUIRE(hc, "hash_ctx");

    /* The same results as hash_file() on the same bytes. */
    static const char *const files[] = {"DCIM/Camera/IMG_1.jpg", "DCIM/Camera/IMG_2.heic", "Pictures/card.png",
                                        "DCIM/Camera/VID_1.mp4", "DCIM/Camera/VID_2.mp4", "Pictures/letter.txt",
                                        "Pictures/empty.jpg", NULL};
    for (int i = 0; files[i]; i++) {
        struct hash_result want, got, vol;
        char phone[512];
        snprintf(phone, sizeof(phone), "test:HASH/%s", files[i]);
        const int rw = hash_file(hc, at(store, files[i]), &want);
        const int rg = media_hash_file(d, hc, phone, &got);
        const int rv = media_hash_file(d, hc, at(store, files[i]), &vol);
        CHECK(rw == rg && same(&want, &got, files[i]), "%s through the phone: as hash_file()", files[i]);
        CHECK(rw == rv && same(&want, &vol, files[i]), "%s on the volume: as hash_file()", files[i]);
        if (strstr(files[i], ".mp4"))
            CHECK(want.vpdq && want.vpdq->frames.n > 0, "%s: frames hashed", files[i]);
        if (strstr(files[i], "IMG_1"))
            CHECK(want.pdq[HASH_PDQ_DISPLAYED_CLI].present, "IMG_1: turned, hashed as displayed too");
        hash_result_clear(&want);
        hash_result_clear(&got);
        hash_result_clear(&vol);
    }

    /* What cannot be read is named. */
    struct hash_result r;
    CHECK(media_hash_file(d, hc, "test:HASH/DCIM/Camera/nope.jpg", &r) != 0 && r.err == HASH_ERR_NOT_FOUND,
          "missing: %s", hash_err_code(r.err));
    CHECK(media_hash_file(d, hc, "test:HASH/DCIM", &r) != 0 && r.err == HASH_ERR_NOT_FOUND, "a folder: %s",
          hash_err_code(r.err));
    CHECK(media_hash_file(d, hc, at(store, "nope.jpg"), &r) != 0 && r.err == HASH_ERR_NOT_FOUND,
          "missing on the volume: %s", hash_err_code(r.err));
    CHECK(media_hash_file(d, hc, "/nowhere/x.jpg", &r) != 0 && r.err == HASH_ERR_GONE,
          "not on a device: %s", hash_err_code(r.err));

    /* Unplugged in the middle of a video: its file fails as removed. */
    struct stat st;
    REQUIRE(stat(at(store, "DCIM/Camera/VID_1.mp4"), &st) == 0, "stat");
    fakephone_gone_after(fp, ph, (uint64_t)st.st_size / 2);
    CHECK(media_hash_file(d, hc, "test:HASH/DCIM/Camera/VID_1.mp4", &r) != 0 && r.err == HASH_ERR_GONE &&
              !r.have_digests,
          "unplugged mid-file: %s", hash_err_code(r.err));
    hash_result_clear(&r);
    fakephone_set(fp, ph, FAKEPHONE_READY);

    /* Stops answering: not answering, never a hang. */
    fakephone_set(fp, ph, FAKEPHONE_HANG);
    CHECK(media_hash_file(d, hc, "test:HASH/Pictures/card.png", &r) != 0 && r.err == HASH_ERR_TIMEOUT,
          "not answering: %s", hash_err_code(r.err));
    hash_result_clear(&r);

    /* Unplugged: removed. */
    fakephone_unplug(fp, ph);
    devices_rescan(d);
    CHECK(media_hash_file(d, hc, "test:HASH/DCIM/Camera/IMG_1.jpg", &r) != 0 && r.err == HASH_ERR_GONE,
          "unplugged: %s", hash_err_code(r.err));
    CHECK(media_hash_file(NULL, hc, "test:HASH/x", &r) != 0 && r.err == HASH_ERR_NOT_FOUND, "no device layer");

    hash_ctx_destroy(hc);
    devices_destroy(d);
    fakephones_destroy(fp);
    rm_rf(tmp);
    return check_exit();
}
