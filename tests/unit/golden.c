/* Golden screenshot comparison (golden.h). */
#include "golden.h"

#include "png_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHANNEL_TOL 8
#define MAX_BAD_PPM 200

static const char *out_dir(void)
{
    const char *d = getenv("HIFAZAT_GOLDEN_OUT");
    return d && *d ? d : "golden-out";
}

static void write_diff(const char *name, const uint8_t *want, const uint8_t *got, int w, int h)
{
    mkdir(out_dir(), 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.actual.png", out_dir(), name);
    png_write_rgba(path, got, w, h);
    fprintf(stderr, "  actual: %s\n", path);
    if (!want)
        return;
    uint8_t *d = malloc((size_t)w * h * 4);
    if (!d)
        return;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *a = want + 4 * i, *b = got + 4 * i;
        int m = 0;
        for (int c = 0; c < 3; c++) {
            int v = abs(a[c] - b[c]);
            m = v > m ? v : m;
        }
        uint8_t *o = d + 4 * i;
        if (m > CHANNEL_TOL) {
            o[0] = 255;
            o[1] = o[2] = 0;
        } else {
            int grey = (a[0] + a[1] + a[2]) / 3;
            o[0] = o[1] = o[2] = (uint8_t)(192 + grey / 4);
        }
        o[3] = 255;
    }
    snprintf(path, sizeof path, "%s/%s.diff.png", out_dir(), name);
    png_write_rgba(path, d, w, h);
    fprintf(stderr, "  diff:   %s\n", path);
    free(d);
}

int golden_check(const char *name, const uint8_t *got, int w, int h, bool update)
{
    char path[4096];
    const char *src = getenv("HIFAZAT_SOURCE");
    snprintf(path, sizeof path, "%s/tests/golden/%s.png", src ? src : ".", name);
    if (update) {
        if (png_write_rgba(path, got, w, h) != 0) {
            fprintf(stderr, "%s: cannot write %s\n", name, path);
            return -1;
        }
        fprintf(stderr, "updated %s\n", path);
        return 0;
    }
    int ew, eh;
    uint8_t *want = png_read_rgba(path, &ew, &eh);
    if (!want || ew != w || eh != h) {
        fprintf(stderr, "%s: golden %s missing or %dx%d\n", name, path, want ? ew : 0, want ? eh : 0);
        write_diff(name, NULL, got, w, h);
        free(want);
        return -1;
    }
    size_t bad = 0, n = (size_t)w * h;
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        int m = 0;
        for (int c = 0; c < 3; c++) {
            int v = abs(want[4 * i + c] - got[4 * i + c]);
            m = v > m ? v : m;
        }
        worst = m > worst ? m : worst;
        bad += m > CHANNEL_TOL;
    }
    bool ok = bad * 1000000 <= n * MAX_BAD_PPM;
    if (!ok) {
        fprintf(stderr, "%s: %zu of %zu pixels differ (worst channel diff %d)\n", name, bad, n, worst);
        write_diff(name, want, got, w, h);
    } else {
        fprintf(stderr, "%s: ok (%zu pixels differ slightly, worst %d)\n", name, bad, worst);
    }
    free(want);
    return ok ? 0 : -1;
}

bool golden_update_mode(int *argc, char **argv)
{
    bool update = getenv("HIFAZAT_UPDATE_GOLDEN") && *getenv("HIFAZAT_UPDATE_GOLDEN") == '1';
    if (*argc > 1 && !strcmp(argv[1], "--update")) {
        update = true;
        for (int i = 1; i + 1 < *argc; i++)
            argv[i] = argv[i + 1];
        (*argc)--;
    }
    return update;
}
