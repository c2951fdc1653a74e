/* The app shell on SDL's dummy driver: the loop sleeps when nothing
 * happens, a worker job wakes it, taps and keys move through the flow,
 * quick exit and the idle timeout wipe the session, the language switch
 * mirrors the UI, and bad drivers give a clear error instead of a blank
 * screen. */
#include "app.h"
#include "check.h"
#include "kioskfix.h"
#include "ui.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kfix fix;

static struct app *make(const char *screen, const char *lang, int idle_s, char *err, size_t n, int *code)
{
    struct app_options o;
    kfix_options(&fix, &o, 1024, 600);
    o.screen = screen;
    o.lang = lang;
    o.quiet = true;
    o.idle_timeout_s = idle_s;
    return app_create(&o, err, n, code);
}

static struct app *open_app(const char *screen, int idle_s)
{
    char err[512];
    int code;
    struct app *a = make(screen, "ur", idle_s, err, sizeof err, &code);
    REQUIRE(a, "app_create: %s", err);
    REQUIRE(app_draw(a, true) == 0, "first frame");
    return a;
}

static void key(struct app *a, SDL_Keycode k)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    app_event(a, &e);
}

static void press(struct app *a, const char *id)
{
    ui_set_focus(app_ui(a), ui_id(id));
    key(a, SDLK_RETURN);
    app_pump(a, 0);
}

static void test_sleeps_when_idle(void)
{
    struct app *a = open_app("welcome", 0);
    app_pump(a, 0);   /* settle */
    uint64_t f0 = app_frames(a);
    Uint32 t0 = SDL_GetTicks();
    for (int i = 0; i < 3; i++)
        app_pump(a, 100);
    Uint32 dt = SDL_GetTicks() - t0;
    CHECK(app_frames(a) == f0, "drew %llu frames with nothing happening",
          (unsigned long long)(app_frames(a) - f0));
    CHECK(dt >= 250, "app_pump did not wait for events (%u ms for 3 x 100 ms)", dt);
    /* A pointer move over nothing changes nothing: still no frame. */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_MOUSEMOTION;
    e.motion.x = 5;
    e.motion.y = 590;
    SDL_PushEvent(&e);
    app_pump(a, 50);
    CHECK(app_frames(a) == f0, "a move over empty space caused a frame");
    /* A key that moves the focus wakes it and draws. */
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = SDLK_TAB;
    SDL_PushEvent(&e);
    app_pump(a, 100);
    CHECK(app_frames(a) > f0, "a key press did not lead to a frame");
    app_destroy(a);
}

static SDL_atomic_t job_ran;
static int done_calls, done_cancelled;

static void slow_job(struct app_job *job, void *arg)
{
    (void)arg;
    SDL_Delay(50);
    app_job_wake(job);
    SDL_AtomicSet(&job_ran, 1);
}

static void job_done(struct app *a, void *arg, bool cancelled)
{
    (void)a;
    (void)arg;
    done_calls++;
    done_cancelled += cancelled;
}

static void endless_job(struct app_job *job, void *arg)
{
    (void)arg;
    while (!app_job_cancelled(job))
        SDL_Delay(5);
}

static void test_worker_wakes_loop(void)
{
    struct app *a = open_app("welcome", 0);
    app_pump(a, 0);
    done_calls = done_cancelled = 0;
    REQUIRE(app_start_job(a, slow_job, job_done, NULL) == 0, "app_start_job");
    CHECK(app_jobs_running(a) == 1, "job not counted");
    Uint32 t0 = SDL_GetTicks();
    while (done_calls == 0 && SDL_GetTicks() - t0 < 5000)
        app_pump(a, 5000);   /* sleeps until the worker's event arrives */
    CHECK(done_calls == 1 && !done_cancelled, "done() not called on the main thread");
    CHECK(SDL_GetTicks() - t0 < 4000, "the worker did not wake the sleeping loop");
    CHECK(SDL_AtomicGet(&job_ran) == 1 && app_jobs_running(a) == 0, "job state");

    /* Quick exit cancels running work; done() still runs. */
    REQUIRE(app_start_job(a, endless_job, job_done, NULL) == 0, "endless job");
    key(a, SDLK_F12);
    t0 = SDL_GetTicks();
    while (done_calls < 2 && SDL_GetTicks() - t0 < 5000)
        app_pump(a, 1000);
    CHECK(done_calls == 2 && done_cancelled == 1, "cancelled job: %d calls, %d cancelled", done_calls,
          done_cancelled);
    /* Shutdown waits for jobs. */
    REQUIRE(app_start_job(a, endless_job, job_done, NULL) == 0, "endless job 2");
    app_destroy(a);
    CHECK(done_calls == 3 && done_cancelled == 2, "destroy did not cancel and collect the job");
}

static void test_flow_and_quick_exit(void)
{
    struct app *a = open_app("welcome", 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "starts on welcome");
    CHECK(!app_session_active(a), "session active before Start");
    press(a, "welcome.start");
    CHECK(!strcmp(app_screen(a), "privacy"), "Start went to %s", app_screen(a));
    CHECK(app_session_active(a), "Start did not begin a session");
    key(a, SDLK_ESCAPE);
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "Esc did not go back");
    press(a, "welcome.start");
    /* How it works: three pages, Next one by one; Esc back one page. */
    press(a, "privacy.next");
    CHECK(!strcmp(app_screen_part(a), "next"), "How it works, page 2: %s", app_screen_part(a));
    key(a, SDLK_ESCAPE);
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "privacy") && !strcmp(app_screen_part(a), "code"),
          "Esc goes back a page: %s/%s", app_screen(a), app_screen_part(a));
    press(a, "privacy.next");
    press(a, "privacy.next");
    CHECK(!strcmp(app_screen_part(a), "exit"), "How it works, page 3: %s", app_screen_part(a));
    press(a, "privacy.next");
    CHECK(!strcmp(app_screen(a), "questions") && app_session_active(a), "then the questions: %s",
          app_screen(a));
    key(a, SDLK_F12);
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "welcome") && !app_session_active(a), "F12 did not wipe");

    press(a, "welcome.start");
    press(a, UI_LANGUAGE_ID);
    CHECK(ui_dir(app_ui(a)) == TEXT_DIR_LTR, "language switch did not mirror the UI");
    /* Quick exit by a touch tap on the bar button. */
    app_draw(a, true);
    SDL_Event e;
    SDL_zero(e);
    /* RTL/LTR: in English the quick exit is in the top-right corner. */
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.which = SDL_TOUCH_MOUSEID;
    e.button.x = 1024 - 40;
    e.button.y = 38;
    app_event(a, &e);
    e.type = SDL_MOUSEBUTTONUP;
    app_event(a, &e);
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "quick exit tap: screen %s", app_screen(a));
    CHECK(!app_session_active(a), "quick exit did not wipe the session");
    CHECK(ui_dir(app_ui(a)) == TEXT_DIR_RTL, "quick exit did not restore Urdu");
    app_destroy(a);
}

static void test_idle_timeout(void)
{
    struct app *a = open_app("welcome", 1);
    Uint32 t0 = SDL_GetTicks();   /* the last input is the key press below */
    press(a, "welcome.start");
    CHECK(!strcmp(app_screen(a), "privacy"), "not on privacy");
    while (strcmp(app_screen(a), "welcome") && SDL_GetTicks() - t0 < 4000)
        app_pump(a, 2000);
    CHECK(!strcmp(app_screen(a), "welcome") && !app_session_active(a), "idle timeout did not reset");
    CHECK(SDL_GetTicks() - t0 >= 990, "reset before the timeout (%u ms)", SDL_GetTicks() - t0);
    app_destroy(a);
}

static void test_check_screen(void)
{
    struct app *a = open_app("check", 0);
    press(a, "check.message");
    app_draw(a, true);
    key(a, SDLK_ESCAPE);   /* closes the dialog, does not leave the screen */
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "check"), "Esc on a dialog left the screen");
    key(a, SDLK_ESCAPE);
    app_pump(a, 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "Esc did not leave the check screen");
    CHECK(app_goto(a, "nonsense") == -1, "unknown screen accepted");
    app_destroy(a);
}

static void test_bad_config(void)
{
    char err[512];
    int code = 0;
    struct app_paths paths;
    app_paths_default(&paths);
    struct app_options o;
    app_options_default(&o);
    o.paths = &paths;
    o.windowed = true;
    o.quiet = true;
    o.render_driver = "no-such-renderer";
    struct app *a = app_create(&o, err, sizeof err, &code);
    CHECK(!a && code == 2, "unknown render driver: app %p code %d", (void *)a, code);
    CHECK(strstr(err, "no-such-renderer") && strstr(err, "software"), "message does not help: %s", err);
    o.render_driver = NULL;
    o.video_driver = "no-such-video";
    a = app_create(&o, err, sizeof err, &code);
    CHECK(!a && code == 2 && strstr(err, "no-such-video"), "unknown video driver: %s", err);
    o.video_driver = NULL;
    o.lang = "fa";
    a = app_create(&o, err, sizeof err, &code);
    CHECK(!a && code == 2 && strstr(err, "fa"), "unknown language: %s", err);
    o.lang = "ur";
    snprintf(paths.font_dir, sizeof paths.font_dir, "/nonexistent");
    a = app_create(&o, err, sizeof err, &code);
    CHECK(!a && code == 2 && strstr(err, "/nonexistent"), "missing fonts: %s", err);
}

int main(void)
{
    REQUIRE(kfix_create(&fix, "app", 0) == 0, "kiosk fixture");
    test_sleeps_when_idle();
    test_worker_wakes_loop();
    test_flow_and_quick_exit();
    test_idle_timeout();
    test_check_screen();
    test_bad_config();
    kfix_destroy(&fix);
    return check_exit();
}
