/* Shared by the app's files: the app struct, the screen table, the session. */
#ifndef HIFAZAT_APP_INTERNAL_H
#define HIFAZAT_APP_INTERNAL_H

#include "app.h"
#include "i18n.h"
#include "text.h"
#include "ui.h"

#include <SDL.h>

/* ---- screens: one per file, each a table of callbacks */
struct screen {
    const char *name;
    void (*enter)(struct app *a);                       /* state reset, focus */
    void (*leave)(struct app *a);                       /* wipe what it showed */
    bool (*event)(struct app *a, const SDL_Event *e);   /* true: consumed before the UI */
    void (*update)(struct app *a);                      /* before each frame: jobs, timers */
    void (*draw)(struct app *a, struct ui_ctx *ui, struct ui_rect area);
};

enum screen_id {
    SCREEN_WELCOME,
    SCREEN_PRIVACY,
    SCREEN_CHECK,        /* staff: display, touch and keyboard check */
    SCREEN_COUNT
};

extern const struct screen screen_welcome;
extern const struct screen screen_privacy;
extern const struct screen screen_check;

/* ---- the person's session: everything in it is wiped (sodium_memzero) on
 * finish, quick exit and idle timeout. Issue 6 adds the answers, the chosen
 * items and their fingerprints here. */
struct session {
    bool active;             /* Start was pressed */
    bool demo;               /* demo mode: nothing is ever queued */
    uint32_t started_ms;
};

void session_begin(struct session *s, bool demo);
void session_wipe(struct session *s);

/* ---- worker jobs (worker.c) */
struct job_list {
    struct app_job *head;
    int running;
};

enum app_event_code { APP_EV_WAKE = 1, APP_EV_JOB_DONE = 2 };

struct app {
    struct app_options opt;
    SDL_Window *win;
    struct text_ctx *text;
    struct ui_ctx *ui;
    struct ui_renderer *rend;
    Uint32 event_type;           /* our SDL user event */
    SDL_atomic_t wake_pending;

    enum screen_id screen;
    bool default_demo;
    enum i18n_lang default_lang;
    struct session session;
    struct job_list jobs;

    bool dirty, quit;
    bool native_wait;               /* the video driver blocks in SDL_WaitEvent */
    bool in_frame, pending_reset;   /* changes asked for during a frame wait for its end */
    int pending_screen, pending_lang; /* id + 1, 0 = none */
    uint64_t frames;
    Uint32 last_input_ms;
    int idle_timeout_ms;
};

/* Screen changes (leave, enter); 0 / -1. */
void app_go(struct app *a, enum screen_id id);
/* Along the kiosk flow: the next screen, or the finish (wipe, back to the
 * start) after the last one. */
void app_next(struct app *a);
void app_back(struct app *a);
void app_finish(struct app *a);
/* The top bar and the demo banner, drawn on every screen. */
void app_draw_chrome(struct app *a, struct ui_ctx *ui, struct ui_rect *area);

/* worker.c */
void jobs_handle_done(struct app *a, void *job);
void jobs_cancel_all(struct app *a);
void jobs_wait_all(struct app *a);
void app_wake(struct app *a);

#endif
