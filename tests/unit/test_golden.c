/* Golden screenshots: the real app on SDL's dummy video driver with the
 * software renderer (pixel-identical across dummy/offscreen/Xvfb), compared
 * with the PNGs in tests/golden/ with a small tolerance. On a mismatch the
 * actual frame and a diff image (differences in red over a faded copy of the
 * expected frame) are written to $HIFAZAT_GOLDEN_OUT (the build dir).
 *
 * Regenerate after a deliberate change: scripts/update-golden.sh (runs this
 * program with --update) and look at every PNG before committing.
 * Usage: test_golden [--update] [CASE...] */
#include "app.h"
#include "check.h"
#include "png_io.h"
#include "ui.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A pixel differs when a channel is off by more than CHANNEL_TOL; a case
 * fails when more than MAX_BAD_PPM pixels per million differ (about 200 at
 * 1280x800: a single missing Nastaliq word is several hundred). */
#define CHANNEL_TOL 8
#define MAX_BAD_PPM 200

struct golden_case {
    const char *name;
    int w, h;
    const char *lang, *screen;
    bool demo;
    void (*setup)(struct app *a);
};

static void key(struct app *a, SDL_Keycode k)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    app_event(a, &e);
}

/* Keyboard user: the first Tab shows the focus ring on the main button. */
static void tab_once(struct app *a)
{
    app_draw(a, true);
    key(a, SDLK_TAB);
}

static void check_keyboard(struct app *a)
{
    app_draw(a, true);
    key(a, SDLK_TAB);
    app_draw(a, true);
    /* Focus the middle row of the list: shows selection, focus and a list row. */
    ui_set_focus(app_ui(a), ui_id_index(ui_id("check.age"), 1));
    app_draw(a, true);
    key(a, SDLK_RETURN);
    /* A touch on empty space shows the touch mark. */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.which = SDL_TOUCH_MOUSEID;
    e.button.x = 640;
    e.button.y = 740;
    app_event(a, &e);
    e.type = SDL_MOUSEBUTTONUP;
    app_event(a, &e);
}

static void open_dialog(struct app *a)
{
    app_draw(a, true);
    ui_set_focus(app_ui(a), ui_id("check.message"));
    key(a, SDLK_RETURN);   /* the focus ring shows on the dialog's safe answer */
}

static const struct golden_case cases[] = {
    {"welcome_ur_1280x800", 1280, 800, "ur", "welcome", false, NULL},
    {"welcome_en_1280x800", 1280, 800, "en", "welcome", false, NULL},
    {"welcome_ur_1024x600", 1024, 600, "ur", "welcome", false, NULL},
    {"welcome_ur_1920x1080", 1920, 1080, "ur", "welcome", false, NULL},
    {"welcome_ur_demo_focus", 1280, 800, "ur", "welcome", true, tab_once},
    {"privacy_ur_1280x800", 1280, 800, "ur", "privacy", false, NULL},
    {"privacy_en_1280x800", 1280, 800, "en", "privacy", false, NULL},
    {"privacy_ur_1024x600", 1024, 600, "ur", "privacy", false, NULL},
    {"check_ur_1280x800", 1280, 800, "ur", "check", false, check_keyboard},
    {"check_en_1280x800", 1280, 800, "en", "check", false, check_keyboard},
    {"dialog_ur_1280x800", 1280, 800, "ur", "check", false, open_dialog},
};

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

static int run_case(const struct golden_case *gc, bool update)
{
    struct app_options o;
    app_options_default(&o);
    o.windowed = true;
    o.width = gc->w;
    o.height = gc->h;
    o.lang = gc->lang;
    o.screen = gc->screen;
    o.demo = gc->demo;
    o.quiet = true;
    o.idle_timeout_s = 0;
    char err[512];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    REQUIRE(a, "app_create: %s", err);
    if (gc->setup)
        gc->setup(a);
    int w, h;
    uint8_t *got = app_screenshot(a, &w, &h);
    app_destroy(a);
    REQUIRE(got, "screenshot failed");
    CHECK(w == gc->w && h == gc->h, "%s: frame is %dx%d, expected %dx%d", gc->name, w, h, gc->w, gc->h);

    char path[4096];
    snprintf(path, sizeof path, "%s/tests/golden/%s.png", getenv("HIFAZAT_SOURCE"), gc->name);
    if (update) {
        int rc = png_write_rgba(path, got, w, h);
        CHECK(rc == 0, "cannot write %s", path);
        fprintf(stderr, "updated %s\n", path);
        free(got);
        return 0;
    }
    int ew, eh;
    uint8_t *want = png_read_rgba(path, &ew, &eh);
    if (!want || ew != w || eh != h) {
        CHECK(false, "%s: golden %s missing or %dx%d", gc->name, path, want ? ew : 0, want ? eh : 0);
        write_diff(gc->name, NULL, got, w, h);
        free(want);
        free(got);
        return 1;
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
    CHECK(ok, "%s: %zu of %zu pixels differ (worst channel diff %d)", gc->name, bad, n, worst);
    if (!ok)
        write_diff(gc->name, want, got, w, h);
    else
        fprintf(stderr, "%s: ok (%zu pixels differ slightly, worst %d)\n", gc->name, bad, worst);
    free(want);
    free(got);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    bool update = getenv("HIFAZAT_UPDATE_GOLDEN") && *getenv("HIFAZAT_UPDATE_GOLDEN") == '1';
    int first = 1;
    if (argc > 1 && !strcmp(argv[1], "--update")) {
        update = true;
        first = 2;
    }
    REQUIRE(getenv("HIFAZAT_SOURCE"), "HIFAZAT_SOURCE not set (run through ctest)");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool want = first >= argc;
        for (int k = first; k < argc; k++)
            want |= !strcmp(argv[k], cases[i].name);
        if (want)
            run_case(&cases[i], update);
    }
    return check_exit();
}
