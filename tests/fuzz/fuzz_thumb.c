/* libFuzzer: what the kiosk's thumbnails do with arbitrary bytes. Images go
 * through image_decode_preview() (EXIF previews) and image_decode_scaled() (every decoder's reduced-size path, the box
 * averaging, the orientation) at a box size taken from the input, then the
 * blur; videos go through the poster frame path (FFmpeg via our read-only
 * I/O, from a memfd). Limits are lowered so that the fuzzer explores
 * formats, not allocation sizes. */
#include "hash.h"
#include "image.h"
#include "media.h"
#include "media_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* The box (1..256 a side) comes from the input without using up any of
     * its bytes, so the seed files stay valid pictures and videos. */
    const unsigned mix = (unsigned)size * 31u + data[size / 2] * 7u + data[size - 1];
    const int bw = 1 + (int)(mix % 256), bh = 1 + (int)((mix / 256) % 256);
    const char *fmt;
    const enum hash_kind kind = hash_sniff(data, size, &fmt);
    if (kind == HASH_KIND_VIDEO) {
        int fd = memfd_create("fuzz", MFD_CLOEXEC);
        if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
            if (fd >= 0)
                close(fd);
            return 0;
        }
        struct poster p;
        enum media_err err;
        struct media_reader rd;
        media_reader_fd(&rd, &fd, size);
        if (media_video_poster(&rd, bw, NULL, NULL, &p, &err) == 0 && p.rgba) {
            media_blur_rgba(p.rgba, p.w, p.h, (size_t)p.w * 4, 0);
            media_secure_free(p.rgba, (size_t)p.w * p.h * 4);
        }
        close(fd);
        return 0;
    }
    static const struct image_limits limits = {.max_pixels = 4u << 20, .max_dim = 8192};
    struct image_scale sc = {.max_w = bw, .max_h = bh};
    struct image_rgba img;
    struct image_error err;
    /* The EXIF preview path first, on the first 64 KB, as the kiosk does. */
    if (image_decode_preview(data, size < 65536 ? size : 65536, &limits, &sc, &img, &err) == 0 &&
        (img.width > bw || img.height > bh || img.width <= 0 || img.height <= 0))
        abort();
    image_rgba_free(&img);
    if (image_decode_scaled(data, size, &limits, &sc, &img, &err) == 0) {
        if (img.width > bw || img.height > bh || img.width <= 0 || img.height <= 0)
            abort(); /* never larger than the box */
        media_blur_rgba(img.pixels, img.width, img.height, (size_t)img.width * 4, 0);
    }
    image_rgba_free(&img);
    return 0;
}
