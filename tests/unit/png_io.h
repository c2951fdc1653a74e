/* 8-bit RGBA PNG read/write for the screenshot tests (libpng). */
#ifndef HIFAZAT_PNG_IO_H
#define HIFAZAT_PNG_IO_H

#include <stdint.h>

/* Reads a PNG as RGBA (4 bytes a pixel, rows packed); malloc'd, NULL on error. */
uint8_t *png_read_rgba(const char *path, int *w, int *h);
/* Writes packed RGBA rows; 0 / -1. */
int png_write_rgba(const char *path, const uint8_t *rgba, int w, int h);

#endif
