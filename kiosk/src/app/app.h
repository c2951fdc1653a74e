/* The kiosk app: window, main loop, screens, session, worker jobs.
 *
 * Usage (main.c does exactly this):
 *  1. struct app_paths p; app_paths_default(&p); ...directories given in argv...
 *     struct app_options o; app_options_default(&o); o.paths = &p; ...set from argv...
 *     (tests hand in their own paths, clock, devices and Wi-Fi the same way)
 *  2. struct app *a = app_create(&o, err, sizeof err);  (NULL + message on failure;
 *     *exit_code says 2 for a configuration error such as an unknown driver)
 *  3. int rc = app_run(a);   draws the first frame, prints KIOSK_READY, then
 *     sleeps until input, a worker's wake-up or a timer; returns the exit code.
 *  4. app_destroy(a)  (wipes the session; accepts NULL).
 * Tests and benchmarks drive the same app without app_run(): app_pump(),
 * app_draw(), app_screenshot(), app_goto(). */
#ifndef HIFAZAT_APP_H
#define HIFAZAT_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct devices;
struct wifi;
union SDL_Event;

/* Where the app's files are: app_paths_default() takes each from
 * $HIFAZAT_FONT_DIR (_LOCALE_, _AUDIO_, _ICON_, _DEMO_), else the installed
 * layout beside the binary (<prefix>/bin/../share/...), else the build and
 * source trees; the caller then sets what its command line names. */
struct app_paths {
    char font_dir[4096];        /* the fonts */
    char locale_dir[4096];      /* compiled translations (<dir>/<lang>/LC_MESSAGES/hifazat.mo) */
    char audio_dir[4096];       /* narration clips (<dir>/<lang>/<clip>.opus); missing: silent */
    char icon_dir[4096];        /* pictograms (<dir>/<name>.png) */
    char demo_dir[4096];        /* demo mode's practice pictures */
};
void app_paths_default(struct app_paths *p);

struct app_options {
    bool windowed;              /* default: full screen (desktop resolution) */
    int width, height;          /* window size with windowed (default 1280x800) */
    const char *video_driver;   /* NULL: $SDL_VIDEODRIVER, else wayland, x11, kmsdrm in turn */
    const char *render_driver;  /* NULL: $SDL_RENDER_DRIVER, else SDL's first accelerated one */
    const struct app_paths *paths; /* required; read by app_create() only */
    const char *lang;           /* "ur" or "en"; NULL: [kiosk] language, else "ur" */
    const char *screen;         /* first screen's name (default "welcome") */
    bool demo;                  /* demo banner, demo pictures; nothing is ever queued */
    int idle_timeout_s;         /* no input this long: wipe, back to the start (0: never;
                                   -1: [kiosk] idle_timeout_minutes, else 180 s) */
    int exit_after_frames;      /* quit after this many frames were shown (0: run) */
    bool quiet;                 /* no driver summary on stderr */
    const char *config;         /* NULL: /etc/hifazat/kiosk.conf (+ the data partition's override) */
    const char *data_dir;       /* overrides [kiosk] data_dir */
    const char *media_root;     /* overrides [kiosk] media_root (default /media) */
    bool media_folders;         /* every folder right under media_root is a device (fixtures) */
    struct devices *devices;    /* the device layer to read (borrowed; tests hand in fake
                                   phones). NULL: the app makes its own from the above:
                                   volumes under the media root, and phones by cable
                                   except in demo mode. The app looks at devices_changed()
                                   on every loop iteration (its own also wake the loop). */
    struct wifi *wifi;          /* Wi-Fi for staff (borrowed; tests hand in the fake backend).
                                   NULL: [wifi] interface with wpa_supplicant's backend, when
                                   set (and never in demo mode) */
    bool test_events;           /* KIOSK_EVENT lines on stdout (main.c: HIFAZAT_TEST_EVENTS=1) */
    /* The wall clock in seconds since 1970, which the gallery's "Today" and
     * "Yesterday" count from (required; the default is the real one, tests
     * hand in a fixed one). */
    int64_t (*now)(void *ctx);
    void *now_ctx;
};

/* app_run()'s exit status when staff chose "Shut down" on the staff screen
 * (the USB image's service powers the machine off on it). */
#define APP_EXIT_SHUTDOWN 4

void app_options_default(struct app_options *o);
struct app *app_create(const struct app_options *o, char *err, size_t errlen, int *exit_code);
int app_run(struct app *a);
void app_destroy(struct app *a);

/* One loop iteration: waits up to timeout_ms (-1: until something happens)
 * for events, handles them, draws if anything changed. False once the app
 * should quit. */
bool app_pump(struct app *a, int timeout_ms);
/* Builds and renders a frame now; presents it if asked. 0 / -1. */
int app_draw(struct app *a, bool present);
/* Renders a frame and returns it as packed RGBA (malloc'd), then presents. */
uint8_t *app_screenshot(struct app *a, int *w, int *h);
/* Handles one event as the loop would (tests inject input this way). */
void app_event(struct app *a, const union SDL_Event *e);
int app_goto(struct app *a, const char *screen);
const char *app_screen(const struct app *a);
int app_set_lang(struct app *a, const char *lang);
uint64_t app_frames(const struct app *a);
/* The UI context (tests look at focus and draw commands). */
struct ui_ctx *app_ui(struct app *a);
/* Wipes the session and returns to the start at once. */
void app_quick_exit(struct app *a);
bool app_session_active(const struct app *a);

/* Observers of what the person sees, for tests and for the narration layer
 * (the spoken guidance): every screen has a stable id (its name, e.g. "choose"); screens
 * with several pages add a part ("questions" + "age"). Strings are gettext
 * msgids, so narration keys off screen ids and string ids. Called on the
 * main thread. Never given file names, labels or fingerprints. */
struct app_listener {
    void (*screen)(void *ctx, const char *screen, const char *part);
    void (*volumes)(void *ctx, int count);   /* the number of devices seen changed */
    /* A phone's or camera's state changed, or it appeared: its kind
     * ("phone", "iphone", "camera") and device_state_name() ("connecting",
     * "charging_only", "ready", ...), or "removed" when it left. */
    void (*device)(void *ctx, const char *kind, const char *state);
};
int app_add_listener(struct app *a, const struct app_listener *l, void *ctx);
/* The current screen's page ("age" on questions), or "" when it has one page. */
const char *app_screen_part(const struct app *a);
/* The audio engine (tests: which clip was asked for and played), or NULL. */
struct audio *app_audio(struct app *a);

/* Background work: run() on a worker thread, then done() on the main thread
 * (the worker wakes the sleeping main loop with an SDL user event). A
 * quick exit or shutdown cancels: run() should poll app_job_cancelled(), and
 * done() still runs (with cancelled set) so it can free what it owns. */
struct app_job;
typedef void (*app_job_run)(struct app_job *job, void *arg);
typedef void (*app_job_done)(struct app *a, void *arg, bool cancelled);
int app_start_job(struct app *a, app_job_run run, app_job_done done, void *arg);
bool app_job_cancelled(const struct app_job *job);
/* From a worker: wake the main loop so it redraws (progress). Coalesced. */
void app_job_wake(struct app_job *job);
/* Jobs started and not yet finished. */
int app_jobs_running(const struct app *a);

#endif
