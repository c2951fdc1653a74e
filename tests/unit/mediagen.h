/* Test pictures made at test time (libjpeg, libpng, libwebp, libheif), and
 * small file helpers for the media tests. */
#ifndef HIFAZAT_MEDIAGEN_H
#define HIFAZAT_MEDIAGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Colour of pixel (x, y) of a w x h picture. */
typedef void (*gen_pattern)(int x, int y, int w, int h, uint8_t rgb[3]);

/* Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. */
void gen_quadrants(int x, int y, int w, int h, uint8_t rgb[3]);
/* Left half red, right half blue. */
void gen_halves(int x, int y, int w, int h, uint8_t rgb[3]);
/* Smooth colour gradients. */
void gen_gradient(int x, int y, int w, int h, uint8_t rgb[3]);
/* Smooth light with sensor-like noise (file sizes like a phone's); the
 * noise follows gen_camera_seed, which callers set per picture. */
extern uint32_t gen_camera_seed;
void gen_camera(int x, int y, int w, int h, uint8_t rgb[3]);
void gen_solid_red(int x, int y, int w, int h, uint8_t rgb[3]);
void gen_solid_blue(int x, int y, int w, int h, uint8_t rgb[3]);

/* orientation 0: no EXIF; 1..8: an EXIF block with that orientation. */
uint8_t *gen_jpeg(int w, int h, gen_pattern p, int orientation, int quality, size_t *len);
int gen_jpeg_file(const char *path, int w, int h, gen_pattern p, int orientation, int quality);
/* A JPEG whose EXIF block (orientation 1..8) carries a preview of
 * thumb_w x thumb_h drawn with another pattern, as phones write them. */
uint8_t *gen_jpeg_preview(int w, int h, gen_pattern p, int orientation, int thumb_w, int thumb_h,
                          gen_pattern tp, size_t *len);
/* A progressive JPEG (in memory). */
uint8_t *gen_jpeg_progressive(int w, int h, size_t *len);
/* An interlaced RGB PNG that declares w x h but holds only its first row. */
int gen_png_header_file(const char *path, int w, int h);
int gen_png_file(const char *path, int w, int h, gen_pattern p, bool interlaced, bool noise);
int gen_webp_file(const char *path, int w, int h, gen_pattern p);
/* A HEIC whose embedded thumbnail (thumb_w wide, same shape) is drawn with
 * another pattern, so tests can tell which one was decoded. 0 / -1. */
int gen_heic_file(const char *path, int w, int h, gen_pattern p, int thumb_w, gen_pattern tp);

/* Runs a shell command (ffmpeg); 0 on success. */
int gen_run(const char *cmd);
int gen_write(const char *path, const void *data, size_t len);
int gen_mkdirs(const char *path); /* mkdir -p */

#endif
