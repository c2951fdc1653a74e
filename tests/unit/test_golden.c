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
#include "golden.h"
#include "kioskfix.h"
#include "ui.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct golden_case {
    const char *name;
    int w, h;
    const char *lang, *screen;
    bool demo;
    void (*setup)(struct app *a);
    bool no_config;   /* the staff-facing error screen */
};

static struct kfix fix;

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

/* How it works: Next, once or twice, to its second or third page. */
static void privacy_next(struct app *a)
{
    app_draw(a, true);
    ui_set_focus(app_ui(a), ui_id("privacy.next"));
    key(a, SDLK_RETURN);
    app_draw(a, true);
    /* A mouse click on nothing: the frame as a person who touches sees it
     * (no keyboard focus ring). */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = 4;
    e.button.y = 200;
    app_event(a, &e);
    e.type = SDL_MOUSEBUTTONUP;
    app_event(a, &e);
    app_draw(a, true);
}

static void privacy_exit(struct app *a)
{
    privacy_next(a);
    privacy_next(a);
}

static const struct golden_case cases[] = {
    {"welcome_ur_1280x800", 1280, 800, "ur", "welcome", false, NULL, false},
    {"welcome_en_1280x800", 1280, 800, "en", "welcome", false, NULL, false},
    {"welcome_ur_1024x600", 1024, 600, "ur", "welcome", false, NULL, false},
    {"welcome_ur_1920x1080", 1920, 1080, "ur", "welcome", false, NULL, false},
    {"welcome_ur_demo_focus", 1280, 800, "ur", "welcome", true, tab_once, false},
    {"privacy_ur_1280x800", 1280, 800, "ur", "privacy", false, NULL, false},
    {"privacy_en_1280x800", 1280, 800, "en", "privacy", false, NULL, false},
    {"privacy_ur_1024x600", 1024, 600, "ur", "privacy", false, NULL, false},
    {"privacy_next_ur_1280x800", 1280, 800, "ur", "privacy", false, privacy_next, false},
    {"privacy_next_en_1280x800", 1280, 800, "en", "privacy", false, privacy_next, false},
    {"privacy_next_ur_1024x600", 1024, 600, "ur", "privacy", false, privacy_next, false},
    {"privacy_exit_ur_1280x800", 1280, 800, "ur", "privacy", false, privacy_exit, false},
    {"privacy_exit_en_1280x800", 1280, 800, "en", "privacy", false, privacy_exit, false},
    {"privacy_exit_ur_1024x600", 1024, 600, "ur", "privacy", false, privacy_exit, false},
    {"check_ur_1280x800", 1280, 800, "ur", "check", false, check_keyboard, false},
    {"check_en_1280x800", 1280, 800, "en", "check", false, check_keyboard, false},
    {"dialog_ur_1280x800", 1280, 800, "ur", "check", false, open_dialog, false},
    {"config_error_ur_1280x800", 1280, 800, "ur", "welcome", false, NULL, true},
    {"config_error_en_1024x600", 1024, 600, "en", "welcome", false, NULL, true},
    {"config_error_ur_1024x600", 1024, 600, "ur", "welcome", false, NULL, true},
    {"dialog_ur_1024x600", 1024, 600, "ur", "check", false, open_dialog, false},
};

static int run_case(const struct golden_case *gc, bool update)
{
    struct app_options o;
    kfix_options(&fix, &o, gc->w, gc->h);
    if (gc->no_config)
        o.config = "/nonexistent/hifazat/kiosk.conf";   /* the same message on every machine */
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

    int rc = golden_check(gc->name, got, w, h, update);
    CHECK(rc == 0, "%s differs from its golden screenshot", gc->name);
    free(got);
    return rc;
}

int main(int argc, char **argv)
{
    bool update = golden_update_mode(&argc, argv);
    int first = 1;
    REQUIRE(getenv("HIFAZAT_SOURCE"), "HIFAZAT_SOURCE not set (run through ctest)");
    REQUIRE(kfix_create(&fix, "golden", 0) == 0, "kiosk fixture");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool want = first >= argc;
        for (int k = first; k < argc; k++)
            want |= !strcmp(argv[k], cases[i].name);
        if (want)
            run_case(&cases[i], update);
    }
    kfix_destroy(&fix);
    return check_exit();
}
