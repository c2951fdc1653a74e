/* The "blurred by default" look: three box blurs each way approximate a
 * Gaussian; running sums make each pass O(1) per pixel whatever the radius.
 * Strong enough that a thumbnail shows colours and rough shapes only. */
#include "media_internal.h"

#include <stdlib.h>
#include <string.h>

enum { PASSES = 3 };

/* One pass over n pixels (4 bytes each) of line, stride step pixels apart;
 * tmp holds n * 4 bytes. Edges repeat the first/last pixel. */
static void box_line(uint8_t *line, size_t step, int n, int r, uint8_t *tmp)
{
    for (int i = 0; i < n; i++)
        memcpy(tmp + 4 * (size_t)i, line + (size_t)i * step, 4);
    const uint32_t div = (uint32_t)(2 * r + 1);
    for (int c = 0; c < 4; c++) {
        uint32_t sum = 0;
        for (int k = -r; k <= r; k++) {
            int i = k < 0 ? 0 : k >= n ? n - 1 : k;
            sum += tmp[4 * i + c];
        }
        for (int x = 0; x < n; x++) {
            line[(size_t)x * step + c] = (uint8_t)((sum + div / 2) / div);
            const int add = x + r + 1 < n ? x + r + 1 : n - 1;
            const int sub = x - r > 0 ? x - r : 0;
            sum += tmp[4 * add + c];
            sum -= tmp[4 * sub + c];
        }
    }
}

void media_blur_rgba(uint8_t *px, int w, int h, size_t pitch, int radius)
{
    if (!px || w <= 0 || h <= 0)
        return;
    if (radius <= 0) {
        radius = (w > h ? w : h) / 8;
        if (radius < 2)
            radius = 2;
    }
    if (radius > 1000)
        radius = 1000;
    const int n = w > h ? w : h;
    uint8_t *tmp = malloc((size_t)n * 4);
    if (!tmp) {
        /* Never show a sharp picture because memory ran out: grey it out. */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                memcpy(px + (size_t)y * pitch + 4 * (size_t)x, "\x80\x80\x80\xff", 4);
        return;
    }
    for (int pass = 0; pass < PASSES; pass++) {
        for (int y = 0; y < h; y++)
            box_line(px + (size_t)y * pitch, 4, w, radius, tmp);
        for (int x = 0; x < w; x++)
            box_line(px + 4 * (size_t)x, pitch, h, radius, tmp);
    }
    explicit_bzero(tmp, (size_t)n * 4);
    free(tmp);
}
