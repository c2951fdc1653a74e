/* Shared by the app's files: the app struct, the screen table, the session. */
#ifndef HIFAZAT_APP_INTERNAL_H
#define HIFAZAT_APP_INTERNAL_H

#include "app.h"
#include "config.h"
#include "device.h"
#include "i18n.h"
#include "keys.h"
#include "media.h"
#include "queue.h"
#include "safety.h"
#include "narration.h"
#include "session.h"
#include "settings.h"
#include "text.h"
#include "ui.h"

#include <SDL.h>

/* ---- screens: one per file, each a table of callbacks */
struct screen {
    const char *name;                                   /* stable id (narration, tests) */
    void (*enter)(struct app *a);                       /* state reset, focus */
    void (*leave)(struct app *a);                       /* wipe what it showed */
    bool (*event)(struct app *a, const struct ui_event *e);  /* true: consumed before the UI */
    void (*update)(struct app *a);                      /* before each frame: jobs, timers */
    void (*draw)(struct app *a, struct ui_ctx *ui, struct ui_rect area);
    const char *(*part)(const struct app *a);           /* the page shown, or NULL */
    void (*part_enter)(struct app *a);                  /* after a page change: focus */
};

enum screen_id {
    SCREEN_WELCOME,
    SCREEN_PRIVACY,      /* how it works */
    SCREEN_QUESTIONS,
    SCREEN_CONNECT,
    SCREEN_CHOOSE,
    SCREEN_FINGERPRINT,
    SCREEN_REVIEW,
    SCREEN_CONFIRM,
    SCREEN_CASE_CODE,
    SCREEN_FINISH,
    SCREEN_CASE_STATUS,  /* "I have a case code": status and withdrawal */
    SCREEN_STAFF_PIN,    /* staff: PIN entry */
    SCREEN_STAFF,        /* staff: queue, export, upload, settings */
    SCREEN_CONFIG_ERROR, /* staff-facing: the kiosk is not set up */
    SCREEN_CHECK,        /* staff: display, touch and keyboard check */
    SCREEN_COUNT
};

extern const struct screen screen_welcome;
extern const struct screen screen_privacy;
extern const struct screen screen_questions;
extern const struct screen screen_connect;
extern const struct screen screen_choose;
extern const struct screen screen_fingerprint;
extern const struct screen screen_review;
extern const struct screen screen_confirm;
extern const struct screen screen_case_code;
extern const struct screen screen_finish;
extern const struct screen screen_case_status;
extern const struct screen screen_staff_pin;
extern const struct screen screen_staff;
extern const struct screen screen_config_error;
extern const struct screen screen_check;

/* ---- worker jobs (worker.c) */
struct job_list {
    struct app_job *head;
    int running;
};

enum app_event_code { APP_EV_WAKE = 1, APP_EV_JOB_DONE = 2 };

/* With the MEDIA_EV_* bits in app_take_media_events(): the device list
 * (a->volumes) changed. */
#define APP_EV_DEVICES (1u << 8)

/* A helpline or service to refer people to, from [referrals] in the config:
 * <id>.name, <id>.name_ur, <id>.phone, <id>.note, <id>.note_ur. */
struct referral {
    char *id, *name, *name_ur, *phone, *note, *note_ur;
};

#define APP_MAX_LISTENERS 4

struct app {
    struct app_options opt;
    SDL_Window *win;
    struct text_ctx *text;
    struct ui_ctx *ui;
    struct ui_renderer *rend;
    Uint32 event_type;           /* our SDL user event */
    SDL_atomic_t wake_pending;

    enum screen_id screen;
    enum screen_id staff_return; /* where the check screen's Back goes */
    bool default_demo;
    enum i18n_lang default_lang;
    struct session session;
    struct job_list jobs;

    bool dirty, quit;
    int exit_code;
    bool native_wait;               /* the video driver blocks in SDL_WaitEvent */
    bool in_frame, pending_reset;   /* changes asked for during a frame wait for its end */
    bool pending_part, pending_redo;
    int pending_screen, pending_lang; /* id + 1, 0 = none */
    uint64_t frames;
    struct safety safety;           /* quick exit, idle timeout (safety.c) */
    Uint32 wake_at;                 /* a screen's timer (0: none) */
    Uint32 mark_taps[5];            /* taps on the app's mark: five quickly = staff */

    /* configuration (appconfig.c): the kiosk's environment (kiosk_env.h) and,
     * borrowed from it, what the screens use */
    struct kiosk_env *env;
    struct config *cfg;
    char config_err[768];           /* not empty: real mode cannot run (config error screen) */
    const char *data_dir;
    struct queue *queue;            /* real mode only: demo mode never opens the queue */
    struct keys_kiosk *kiosk_key;
    uint8_t helpline_pk[KEYS_PUBLIC_SIZE];
    char helpline_fpr[KEYS_FINGERPRINT_SIZE];
    char kiosk_fpr[KEYS_FINGERPRINT_SIZE]; /* what the helpline registers (hifazat open --kiosks) */
    char kiosk_id[64];
    /* The configured helpline key differs from the one this kiosk was set up
     * with (keys_helpline_pin_check): nothing is taken until staff confirm it
     * with the PIN (the config error screen says so). */
    bool helpline_changed;
    char pinned_fpr[KEYS_FINGERPRINT_SIZE]; /* the remembered key ("" when its record is damaged) */
    bool pin_confirms_key;          /* the staff PIN screen confirms the new key, not staff */
    /* The image's own-stick check refused this boot ([kiosk] boot_problem):
     * another stick is plugged in with this one's identifiers (TWIN), or the
     * system came from another stick (ELSEWHERE). */
    enum { APP_BOOT_OK, APP_BOOT_TWIN, APP_BOOT_ELSEWHERE } boot_problem;
    struct referral *referrals;
    int nreferrals;
    /* [platforms] adult / under18: the sites that check the codes on each
     * route, as the site file lists them (NULL: not listed) */
    char *platforms[2];
    char media_root[1024];
    char demo_root[1024];

    /* staff PIN: wrong PINs are rate-limited; the count is kept on the data
     * partition (screen_staff_pin.c) */
    int pin_failures;
    Uint32 pin_locked_until;

    /* devices (device.h): watched for the whole run; media.h reads them */
    struct devices *devices;
    bool own_devices;               /* made here (not app_options.devices): destroyed here */
    struct device_list *volumes;    /* the devices now: volumes and phones */
    struct media *media;
    /* Wi-Fi for staff's uploads ([wifi] interface, or the tests' fake):
     * NULL when the kiosk is not set up for it */
    struct wifi *wifi;
    bool own_wifi;
    unsigned media_ev;              /* MEDIA_EV_* and APP_EV_DEVICES bits the screen has not
                                       taken yet */

    /* what staff can change and [kiosk] sets (settings.c) */
    struct kiosk_settings settings;

    /* spoken guidance and pictograms (narration.c) */
    struct narration *narr;
    struct audio *audio;            /* narration plays through it */

    struct {
        struct app_listener l;
        void *ctx;
    } listeners[APP_MAX_LISTENERS];
    int nlisteners;
    int last_volume_count;
    const char *last_event_screen;  /* KIOSK_EVENT: screens, not pages */
    bool test_events;               /* KIOSK_EVENT lines are printed */
};

/* The staff PIN's wrong-PIN count and lockout, from the data partition
 * (screen_staff_pin.c); called once the configuration is loaded. */
void staff_pin_restore(struct app *a);
/* Staff entered the PIN to confirm a changed helpline key: remember it and
 * load the configuration again (appconfig.c); 0 / -1 (config_err says why). */
int app_helpline_confirm(struct app *a);

/* Screen changes (leave, enter); 0 / -1. */
void app_go(struct app *a, enum screen_id id);
/* Along the kiosk flow: the next screen, or the finish (wipe, back to the
 * start) after the last one. */
void app_next(struct app *a);
void app_back(struct app *a);
void app_finish(struct app *a);
/* A screen with pages moved to another page: a fresh UI state (focus,
 * scrolling), the page's part_enter(), and listeners are told. */
void app_part_changed(struct app *a);
/* Drop the frame being built and build it again after update() (which does
 * what the frame asked for: e.g. open another folder, whose thumbnails the
 * old frame's commands must not outlive). */
void app_redo_frame(struct app *a);
/* The top bar and the demo banner, drawn on every screen. */
void app_draw_chrome(struct app *a, struct ui_ctx *ui, struct ui_rect *area);
/* Ask for a frame at SDL_GetTicks() + ms (the earliest asked wins). */
void app_wake_after(struct app *a, Uint32 ms);
/* The media events (and APP_EV_DEVICES) not taken yet, cleared (screens
 * call it in update()). */
unsigned app_take_media_events(struct app *a, unsigned mask);
/* The device with this id in the current list, or NULL. */
const struct device_info *app_volume(const struct app *a, uint64_t id);
/* Seconds since 1970: app_options.now (the real clock, or the tests' fixed one). */
int64_t app_now(const struct app *a);
/* With test events on: "KIOSK_EVENT <what>" on stdout (what a screen
 * reached, for the USB image's boot test; never a name, a label or a
 * count of a person's files). */
void app_test_event(struct app *a, const char *what);

/* screen_choose.c, for tests: the widget id of the i-th photo, video or
 * folder of the album or folder shown (0: none). */
uint32_t screen_choose_cell(size_t i);

/* appconfig.c: loads the configuration and opens the queue and keys (real
 * mode); in demo mode only the referrals and settings. 0, or -1 with
 * a->config_err set. */
int app_config_load(struct app *a);
void app_config_free(struct app *a);
/* The referral's name and note in the current language. */
const char *referral_name(const struct referral *r);
const char *referral_note(const struct referral *r);
/* The sites that check the codes on a route ("Facebook, Instagram"), tidied;
 * NULL when the site lists none. */
const char *platforms_text(const struct app *a, enum report_route route, char *buf, size_t n);

/* dialog_hearing.c: "Is anyone near you who could hear?", over the screen,
 * while narration_hearing_asking(). */
void hearing_dialog_draw(struct app *a);
/* screen_util.c: the step pictogram page_title() shows this frame (NULL: the
 * title's own icon). */
void page_set_step_pictogram(struct ui_image *img);
/* settings.c: a->settings from a->cfg, and the start language and idle
 * time from them unless the command line set those. */
void app_settings_load(struct app *a);
/* [kiosk] large_text changed: redraw (app_draw() applies it to the person's screens). */
void app_apply_text_size(struct app *a);

/* worker.c */
void jobs_handle_done(struct app *a, void *job);
void jobs_cancel_all(struct app *a);
void jobs_wait_all(struct app *a);
void app_wake(struct app *a);

#endif
