#include "mediagen.h"

#include <errno.h>
#include <stdio.h> /* before jpeglib.h */

#include <jpeglib.h>
#include <libheif/heif.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <webp/encode.h>
#include <zlib.h>

void gen_quadrants(int x, int y, int w, int h, uint8_t rgb[3])
{
    const bool right = x >= w / 2, bottom = y >= h / 2;
    static const uint8_t c[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    memcpy(rgb, c[(bottom ? 2 : 0) + (right ? 1 : 0)], 3);
}

void gen_halves(int x, int y, int w, int h, uint8_t rgb[3])
{
    (void)y, (void)h;
    rgb[0] = x < w / 2 ? 255 : 0;
    rgb[1] = 0;
    rgb[2] = x < w / 2 ? 0 : 255;
}

void gen_gradient(int x, int y, int w, int h, uint8_t rgb[3])
{
    rgb[0] = (uint8_t)(x * 255 / (w > 1 ? w - 1 : 1));
    rgb[1] = (uint8_t)(y * 255 / (h > 1 ? h - 1 : 1));
    rgb[2] = (uint8_t)((x + y) * 255 / (w + h));
}

uint32_t gen_camera_seed;

void gen_camera(int x, int y, int w, int h, uint8_t rgb[3])
{
    gen_camera_seed = gen_camera_seed * 1103515245u + 12345u;
    const int n = (int)((gen_camera_seed >> 16) & 31) - 16;
    const int r = 60 + x * 150 / w + n, g = 40 + y * 170 / h + n, b = 90 + (x + y) * 90 / (w + h) - n;
    rgb[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
    rgb[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
    rgb[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
}

void gen_solid_red(int x, int y, int w, int h, uint8_t rgb[3])
{
    (void)x, (void)y, (void)w, (void)h;
    rgb[0] = 255, rgb[1] = 0, rgb[2] = 0;
}

void gen_solid_blue(int x, int y, int w, int h, uint8_t rgb[3])
{
    (void)x, (void)y, (void)w, (void)h;
    rgb[0] = 0, rgb[1] = 0, rgb[2] = 255;
}

static uint8_t *render(int w, int h, gen_pattern p)
{
    uint8_t *px = malloc((size_t)w * h * 3);
    if (px)
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                p(x, y, w, h, px + ((size_t)y * w + x) * 3);
    return px;
}

static uint8_t *jpeg_encode(int w, int h, gen_pattern p, int orientation, int quality, bool progressive,
                            const uint8_t *app1, size_t app1_len, size_t *len);

uint8_t *gen_jpeg(int w, int h, gen_pattern p, int orientation, int quality, size_t *len)
{
    return jpeg_encode(w, h, p, orientation, quality, false, NULL, 0, len);
}

uint8_t *gen_jpeg_progressive(int w, int h, size_t *len)
{
    return jpeg_encode(w, h, gen_gradient, 0, 90, true, NULL, 0, len);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static void ifd_entry(uint8_t *p, unsigned tag, unsigned type, uint32_t value)
{
    put16(p, tag);
    put16(p + 2, type);
    put32(p + 4, 1);
    if (type == 3) { /* SHORT: left-justified in the value field */
        put16(p + 8, value);
        put16(p + 10, 0);
    } else {
        put32(p + 8, value);
    }
}

uint8_t *gen_jpeg_preview(int w, int h, gen_pattern p, int orientation, int thumb_w, int thumb_h,
                          gen_pattern tp, size_t *len)
{
    size_t tlen;
    uint8_t *t = jpeg_encode(thumb_w, thumb_h, tp, 0, 80, false, NULL, 0, &tlen);
    if (!t || tlen > 60000) {
        free(t);
        return NULL;
    }
    /* "Exif\0\0", TIFF header, IFD0 (Orientation), IFD1 (the preview). */
    const size_t tiff = 8 + 18 + 42;
    uint8_t *app1 = calloc(1, 6 + tiff + tlen);
    memcpy(app1, "Exif\0\0MM\0\x2a\0\0\0\x08", 14);
    uint8_t *b = app1 + 6;
    put16(b + 8, 1);
    ifd_entry(b + 10, 0x0112, 3, (uint32_t)(orientation ? orientation : 1));
    put32(b + 22, 26); /* next IFD: IFD1 */
    put16(b + 26, 3);
    ifd_entry(b + 28, 0x0103, 3, 6);                /* Compression: JPEG */
    ifd_entry(b + 40, 0x0201, 4, (uint32_t)tiff);   /* JPEGInterchangeFormat */
    ifd_entry(b + 52, 0x0202, 4, (uint32_t)tlen);   /* JPEGInterchangeFormatLength */
    put32(b + 64, 0);
    memcpy(b + tiff, t, tlen);
    free(t);
    uint8_t *out = jpeg_encode(w, h, p, 0, 88, false, app1, 6 + tiff + tlen, len);
    free(app1);
    return out;
}

static uint8_t *jpeg_encode(int w, int h, gen_pattern p, int orientation, int quality, bool progressive,
                            const uint8_t *app1, size_t app1_len, size_t *len)
{
    uint8_t *px = render(w, h, p);
    if (!px)
        return NULL;
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outlen = 0;
    jpeg_mem_dest(&c, &out, &outlen);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (app1)
        jpeg_write_marker(&c, JPEG_APP0 + 1, app1, (unsigned)app1_len);
    if (orientation >= 1 && orientation <= 8) {
        /* "Exif\0\0", a big-endian TIFF header, one IFD with Orientation. */
        const uint8_t exif[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8,
                                0, 1,                                     /* one entry */
                                0x01, 0x12, 0, 3, 0, 0, 0, 1,             /* Orientation, SHORT, 1 */
                                0, (uint8_t)orientation, 0, 0,            /* value */
                                0, 0, 0, 0};                              /* no next IFD */
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof(exif));
    }
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = px + (size_t)c.next_scanline * w * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(px);
    uint8_t *copy = malloc(outlen);
    if (copy)
        memcpy(copy, out, outlen);
    free(out);
    *len = outlen;
    return copy;
}

int gen_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

int gen_jpeg_file(const char *path, int w, int h, gen_pattern p, int orientation, int quality)
{
    size_t len;
    uint8_t *d = gen_jpeg(w, h, p, orientation, quality, &len);
    if (!d)
        return -1;
    int rc = gen_write(path, d, len);
    free(d);
    return rc;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* One PNG chunk: length, type, data, CRC. */
static size_t chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t n)
{
    be32(out, n);
    memcpy(out + 4, type, 4);
    memcpy(out + 8, data, n);
    be32(out + 8 + n, (uint32_t)crc32(crc32(0, NULL, 0), out + 4, n + 4));
    return 12 + n;
}

int gen_png_header_file(const char *path, int w, int h)
{
    uint8_t buf[4096];
    memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
    size_t n = 8;
    uint8_t ihdr[13];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8, ihdr[9] = 2, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 1; /* RGB, Adam7 */
    n += chunk(buf + n, "IHDR", ihdr, 13);
    uint8_t raw[64] = {0}, z[128];
    uLongf zl = sizeof(z);
    compress(z, &zl, raw, sizeof(raw)); /* the start of the first row: then the file stops */
    n += chunk(buf + n, "IDAT", z, (uint32_t)zl);
    return gen_write(path, buf, n);
}

int gen_png_file(const char *path, int w, int h, gen_pattern p, bool interlaced, bool noise)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    uint8_t *row = malloc((size_t)w * 3);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        free(row);
        return -1;
    }
    png_init_io(png, f);
    png_set_compression_level(png, 1);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    uint32_t seed = 12345;
    const int passes = png_set_interlace_handling(png);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                p(x, y, w, h, row + 3 * x);
                if (noise)
                    for (int c = 0; c < 3; c++) {
                        seed = seed * 1103515245u + 12345u;
                        row[3 * x + c] ^= (uint8_t)(seed >> 24);
                    }
            }
            png_write_row(png, row);
        }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    return fclose(f) == 0 ? 0 : -1;
}

int gen_webp_file(const char *path, int w, int h, gen_pattern p)
{
    uint8_t *px = render(w, h, p);
    if (!px)
        return -1;
    uint8_t *out = NULL;
    size_t n = WebPEncodeRGB(px, w, h, w * 3, 90, &out);
    free(px);
    if (!n)
        return -1;
    int rc = gen_write(path, out, n);
    WebPFree(out);
    return rc;
}

static struct heif_image *heif_picture(int w, int h, gen_pattern p)
{
    struct heif_image *img = NULL;
    if (heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img).code)
        return NULL;
    heif_image_add_plane(img, heif_channel_interleaved, w, h, 8);
    int stride = 0;
    uint8_t *px = heif_image_get_plane(img, heif_channel_interleaved, &stride);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            p(x, y, w, h, px + (size_t)y * stride + 3 * x);
    return img;
}

static int heic_file(const char *path, int w, int h, gen_pattern p, int thumb_w, gen_pattern tp)
{
    int rc = -1;
    struct heif_context *ctx = heif_context_alloc();
    struct heif_encoder *enc = NULL;
    struct heif_image *img = heif_picture(w, h, p);
    struct heif_image *timg = thumb_w > 0 ? heif_picture(w, h, tp) : NULL;
    struct heif_image_handle *main_h = NULL, *thumb_h = NULL;
    if (!ctx || !img || (thumb_w > 0 && !timg))
        goto out;
    if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc).code) {
        fprintf(stderr, "libheif has no HEVC encoder\n");
        goto out;
    }
    heif_encoder_set_lossy_quality(enc, 90);
    if (heif_context_encode_image(ctx, img, enc, NULL, &main_h).code)
        goto out;
    /* libheif scales the picture it is given down to the thumbnail's size:
     * give it the other pattern. */
    if (timg && heif_context_encode_thumbnail(ctx, timg, main_h, enc, NULL, thumb_w, &thumb_h).code)
        goto out;
    if (heif_context_write_to_file(ctx, path).code)
        goto out;
    rc = 0;
out:
    heif_image_handle_release(thumb_h);
    heif_image_handle_release(main_h);
    heif_image_release(timg);
    heif_image_release(img);
    if (enc)
        heif_encoder_release(enc);
    heif_context_free(ctx);
    return rc;
}

int gen_heic_file(const char *path, int w, int h, gen_pattern p, int thumb_w, gen_pattern tp)
{
    /* In a child process: the x265 encoder keeps a few allocations to the
     * end, which LeakSanitizer would blame on the test (_exit skips it). */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(heic_file(path, w, h, p, thumb_w, tp) == 0 ? 0 : 1);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int gen_run(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}

int gen_mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}
