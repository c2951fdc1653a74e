/* The app: explicit video/render driver choice, the window, the main loop
 * that sleeps until something happens, screen changes, the session. */
#include "app_internal.h"
#include "errfmt.h"
#include "audio.h"
#include "staff_wifi.h"
#include "wifi.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef HIFAZAT_FONT_DIR
#define HIFAZAT_FONT_DIR "fonts"
#endif
#ifndef HIFAZAT_LOCALE_DIR
#define HIFAZAT_LOCALE_DIR "locale"
#endif

#ifndef HIFAZAT_ASSETS_DIR
#define HIFAZAT_ASSETS_DIR "assets"
#endif
#ifndef HIFAZAT_AUDIO_DIR
#define HIFAZAT_AUDIO_DIR "audio"
#endif
#ifndef HIFAZAT_ICON_DIR
#define HIFAZAT_ICON_DIR "icons"
#endif

/* Five taps on the app's mark within this long: the staff screen. */
#define MARK_TAPS_MS 3000

static const struct screen *const screens[SCREEN_COUNT] = {
    [SCREEN_WELCOME] = &screen_welcome,
    [SCREEN_PRIVACY] = &screen_privacy,
    [SCREEN_QUESTIONS] = &screen_questions,
    [SCREEN_CONNECT] = &screen_connect,
    [SCREEN_CHOOSE] = &screen_choose,
    [SCREEN_FINGERPRINT] = &screen_fingerprint,
    [SCREEN_REVIEW] = &screen_review,
    [SCREEN_CONFIRM] = &screen_confirm,
    [SCREEN_CASE_CODE] = &screen_case_code,
    [SCREEN_CASE_STATUS] = &screen_case_status,
    [SCREEN_FINISH] = &screen_finish,
    [SCREEN_STAFF_PIN] = &screen_staff_pin,
    [SCREEN_STAFF] = &screen_staff,
    [SCREEN_CONFIG_ERROR] = &screen_config_error,
    [SCREEN_CHECK] = &screen_check,
};

/* The kiosk flow in order: one screen per step. */
static const enum screen_id flow[] = {
    SCREEN_WELCOME, SCREEN_PRIVACY,     SCREEN_QUESTIONS, SCREEN_CONNECT,   SCREEN_CHOOSE,
    SCREEN_FINGERPRINT, SCREEN_REVIEW, SCREEN_CONFIRM,   SCREEN_CASE_CODE, SCREEN_FINISH,
};
#define FLOW_LEN (int)(sizeof flow / sizeof flow[0])

static bool is_dir(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The environment, then an installed layout beside the binary
 * (<prefix>/bin -> <prefix>/share/...), then the build-time default. */
static void resolve_dir(char *buf, size_t n, const char *env, const char *installed_rel,
                        const char *builtin)
{
    const char *e = getenv(env);
    if (e && *e) {
        snprintf(buf, n, "%s", e);
        return;
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            int l = snprintf(buf, n, "%s/../%s", exe, installed_rel);
            if (l > 0 && (size_t)l < n && is_dir(buf))
                return;
        }
    }
    snprintf(buf, n, "%s", builtin);
}

void app_paths_default(struct app_paths *p)
{
    resolve_dir(p->font_dir, sizeof p->font_dir, "HIFAZAT_FONT_DIR", "share/hifazat/fonts",
                HIFAZAT_FONT_DIR);
    resolve_dir(p->locale_dir, sizeof p->locale_dir, "HIFAZAT_LOCALE_DIR", "share/locale",
                HIFAZAT_LOCALE_DIR);
    resolve_dir(p->audio_dir, sizeof p->audio_dir, "HIFAZAT_AUDIO_DIR", "share/hifazat/audio",
                HIFAZAT_AUDIO_DIR);
    resolve_dir(p->icon_dir, sizeof p->icon_dir, "HIFAZAT_ICON_DIR", "share/hifazat/icons",
                HIFAZAT_ICON_DIR);
    resolve_dir(p->demo_dir, sizeof p->demo_dir, "HIFAZAT_DEMO_DIR", "share/hifazat/demo/media",
                HIFAZAT_ASSETS_DIR "/demo/media");
}

/* The real clock (app_options_default()'s). */
static int64_t wall_clock(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

void app_options_default(struct app_options *o)
{
    memset(o, 0, sizeof(*o));
    o->width = 1280;
    o->height = 800;
    o->lang = NULL;
    o->screen = "welcome";
    o->idle_timeout_s = -1;
    o->now = wall_clock;
}

/* One named driver, or the real displays in turn; never SDL's silent
 * fallback to the offscreen driver (a kiosk "running" with a blank screen). */
static int init_video(const char *want, char *err, size_t errlen)
{
    char avail[256] = "";
    for (int i = 0; i < SDL_GetNumVideoDrivers(); i++) {
        if (strlen(avail) + strlen(SDL_GetVideoDriver(i)) + 3 < sizeof avail) {
            if (*avail)
                strcat(avail, ", ");
            strcat(avail, SDL_GetVideoDriver(i));
        }
    }
    if (want && *want) {
        SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, want, SDL_HINT_OVERRIDE);
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            return 0;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", SDL_GetError());
        return errfmt(err, errlen, "video driver '%s' failed: %s (compiled in: %s)", want, msg, avail);
    }
    static const char *const order[] = {"wayland", "x11", "kmsdrm"};
    char tried[512] = "";
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        bool compiled = false;
        for (int k = 0; k < SDL_GetNumVideoDrivers(); k++)
            compiled |= !SDL_strcasecmp(SDL_GetVideoDriver(k), order[i]);
        if (!compiled)
            continue;
        SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, order[i], SDL_HINT_OVERRIDE);
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            return 0;
        size_t l = strlen(tried);
        snprintf(tried + l, sizeof tried - l, "%s%s: %s", l ? "; " : "", order[i], SDL_GetError());
    }
    return errfmt(err, errlen,
                  "no display found (%s). Set SDL_VIDEODRIVER or --video-driver (compiled in: %s)",
                  *tried ? tried : "no display driver compiled in", avail);
}

static void notify_screen(struct app *a)
{
    const struct screen *sc = screens[a->screen];
    const char *part = sc->part ? sc->part(a) : "";
    for (int i = 0; i < a->nlisteners; i++)
        if (a->listeners[i].l.screen)
            a->listeners[i].l.screen(a->listeners[i].ctx, sc->name, part ? part : "");
}

static void notify_volumes(struct app *a)
{
    int n = a->volumes ? (int)a->volumes->count : 0;
    if (n == a->last_volume_count)
        return;
    a->last_volume_count = n;
    for (int i = 0; i < a->nlisteners; i++)
        if (a->listeners[i].l.volumes)
            a->listeners[i].l.volumes(a->listeners[i].ctx, n);
}

static const char *kind_name(enum device_kind k)
{
    switch (k) {
    case DEVICE_KIND_PHONE: return "phone";
    case DEVICE_KIND_IPHONE: return "iphone";
    case DEVICE_KIND_CAMERA: return "camera";
    default: return "volume";
    }
}

static void tell_device(struct app *a, const struct app_listener *only, void *only_ctx,
                        enum device_kind kind, const char *state)
{
    if (only) {
        only->device(only_ctx, kind_name(kind), state);
        return;
    }
    for (int i = 0; i < a->nlisteners; i++)
        if (a->listeners[i].l.device)
            a->listeners[i].l.device(a->listeners[i].ctx, kind_name(kind), state);
}

/* Phones and cameras whose state changed between two lists (cards and
 * sticks are counted by the volumes listener: always ready). The same
 * phone switched to "File transfer" keeps its id: a change, not a new one. */
static void notify_devices(struct app *a, const struct device_list *old, const struct device_list *now,
                           const struct app_listener *only, void *only_ctx)
{
    for (size_t i = 0; old && i < old->count; i++) {
        const struct device_info *o = &old->v[i];
        if (o->kind != DEVICE_KIND_VOLUME && !device_list_find(now, o->id))
            tell_device(a, only, only_ctx, o->kind, "removed");
    }
    for (size_t i = 0; now && i < now->count; i++) {
        const struct device_info *v = &now->v[i];
        const struct device_info *o = device_list_find(old, v->id);
        if (v->kind != DEVICE_KIND_VOLUME && (!o || o->state != v->state))
            tell_device(a, only, only_ctx, v->kind, device_state_name(v->state));
    }
}

int app_add_listener(struct app *a, const struct app_listener *l, void *ctx)
{
    if (a->nlisteners >= APP_MAX_LISTENERS)
        return -1;
    a->listeners[a->nlisteners].l = *l;
    a->listeners[a->nlisteners].ctx = ctx;
    a->nlisteners++;
    /* Say where we are now, so a listener added after start sees it. */
    if (l->screen) {
        const struct screen *sc = screens[a->screen];
        const char *part = sc->part ? sc->part(a) : "";
        l->screen(ctx, sc->name, part ? part : "");
    }
    if (l->volumes && a->last_volume_count >= 0)
        l->volumes(ctx, a->last_volume_count);
    if (l->device)
        notify_devices(a, NULL, a->volumes, l, ctx);
    return 0;
}

const char *app_screen_part(const struct app *a)
{
    const struct screen *sc = screens[a->screen];
    const char *p = sc->part ? sc->part(a) : "";
    return p ? p : "";
}

/* HIFAZAT_TEST_EVENTS=1: one line per change for the USB image's boot test
 * (the USB image). Counts and screen ids only: never a label, a name or a hash. */
static void event_screen(void *ctx, const char *screen, const char *part)
{
    struct app *a = ctx;
    (void)part;
    /* Screens, not pages: a new line only when the screen changes. */
    if (a->last_event_screen && !strcmp(a->last_event_screen, screen))
        return;
    a->last_event_screen = screen;
    printf("KIOSK_EVENT screen=%s\n", screen);
    fflush(stdout);
}

static void event_volumes(void *ctx, int count)
{
    (void)ctx;
    printf("KIOSK_EVENT volumes=%d\n", count);
    fflush(stdout);
}

/* A phone's state: its kind and state only, never its model or serial. */
static void event_device(void *ctx, const char *kind, const char *state)
{
    (void)ctx;
    printf("KIOSK_EVENT device=%s state=%s\n", kind, state);
    fflush(stdout);
}

/* From media's and the device layer's threads: only wake the loop. */
static void media_notify(void *ctx) { app_wake(ctx); }

/* yes/no, on/off, true/false, 1/0; anything else: the default. */
static enum screen_id screen_by_name(const char *name)
{
    for (int i = 0; i < SCREEN_COUNT; i++)
        if (!strcmp(screens[i]->name, name))
            return (enum screen_id)i;
    return SCREEN_COUNT;
}

/* The narration's question (whether anyone near can hear) came or went. */
static void narration_changed(void *ctx)
{
    struct app *a = ctx;
    a->dirty = true;
}

/* The narration hears every screen and page change. */
static void narration_on_screen(void *ctx, const char *screen, const char *part)
{
    struct app *a = ctx;
    narration_screen(a->narr, screen, part);
}

/* The settings (settings.h) from the configuration; the command line wins
 * for the language and the idle time. */
void app_settings_load(struct app *a)
{
    settings_load(&a->settings, a->cfg);
    /* The command line wins over the files. */
    if (!a->opt.lang)
        a->default_lang = a->settings.language;
    int idle_s = a->opt.idle_timeout_s >= 0 ? a->opt.idle_timeout_s : a->settings.idle_minutes * 60;
    safety_init(&a->safety, idle_s, SDL_GetTicks());
}

struct app *app_create(const struct app_options *o, char *err, size_t errlen, int *exit_code)
{
    int code = 1;
    if (err && errlen)
        err[0] = '\0';
    struct app *a = calloc(1, sizeof(*a));
    if (!a) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    a->opt = *o;
    a->opt.paths = NULL;   /* the caller's, read here only */
    if (sodium_init() < 0) {
        errfmt(err, errlen, "libsodium failed to initialise");
        goto fail;
    }
    a->last_volume_count = -1;
    int lang = o->lang ? i18n_parse(o->lang) : I18N_UR;
    if (lang < 0) {
        errfmt(err, errlen, "unknown language '%s' (use ur or en)", o->lang);
        code = 2;
        goto fail;
    }
    enum screen_id first = screen_by_name(o->screen ? o->screen : "welcome");
    if (first == SCREEN_COUNT) {
        errfmt(err, errlen,
               "unknown screen '%s' (welcome, privacy, questions, connect, choose, fingerprint, "
               "review, confirm, case_code, finish, staff_pin, staff, config_error, check)",
               o->screen);
        code = 2;
        goto fail;
    }

    if (!o->paths || !o->now) {
        errfmt(err, errlen, "app_options without %s", !o->paths ? "paths" : "a clock");
        code = 2;
        goto fail;
    }
    const char *audio_dir = o->paths->audio_dir, *icon_dir = o->paths->icon_dir;
    const char *font_dir = o->paths->font_dir, *locale_dir = o->paths->locale_dir;
    if (snprintf(a->demo_root, sizeof a->demo_root, "%s", o->paths->demo_dir) >=
        (int)sizeof a->demo_root) {
        errfmt(err, errlen, "the demo pictures' path is too long: %s", o->paths->demo_dir);
        code = 2;
        goto fail;
    }

    /* The configuration: real mode without a usable one shows the staff
     * error screen (never a crash); demo mode works without one. */
    a->default_demo = o->demo;
    app_config_load(a);
    a->default_lang = (enum i18n_lang)lang;
    app_settings_load(a);
    char *root = NULL;
    if (o->demo)
        snprintf(a->media_root, sizeof a->media_root, "%s", a->demo_root);
    else if (o->media_root)
        snprintf(a->media_root, sizeof a->media_root, "%s", o->media_root);
    else if (a->cfg && (root = config_path(a->cfg, "kiosk", "media_root")))
        snprintf(a->media_root, sizeof a->media_root, "%s", root);
    else
        snprintf(a->media_root, sizeof a->media_root, "/media");
    free(root);
    if (i18n_init(locale_dir)) {
        errfmt(err, errlen, "cannot load the translations from %s (hifazat.mo)", locale_dir);
        code = 2;
        goto fail;
    }
    char terr[512];
    a->text = text_create(font_dir, terr, sizeof terr);
    if (!a->text) {
        errfmt(err, errlen, "%s", terr);
        code = 2;
        goto fail;
    }
    a->ui = ui_create(a->text);
    if (!a->ui) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }

    /* SDL turns SIGINT/SIGTERM into SDL_QUIT: the session is wiped on the way out. */
    if (SDL_Init(SDL_INIT_EVENTS | SDL_INIT_TIMER)) {
        errfmt(err, errlen, "SDL_Init failed: %s", SDL_GetError());
        goto fail;
    }
    const char *vd = o->video_driver ? o->video_driver : getenv("SDL_VIDEODRIVER");
    if (init_video(vd, err, errlen)) {
        code = 2;
        goto fail;
    }
    Uint32 wflags = SDL_WINDOW_SHOWN;
    int w = o->width > 0 ? o->width : 1280, h = o->height > 0 ? o->height : 800;
    if (o->windowed) {
        wflags |= SDL_WINDOW_RESIZABLE;
    } else {
        wflags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
        SDL_DisplayMode dm;
        if (SDL_GetDesktopDisplayMode(0, &dm) == 0) {
            w = dm.w;
            h = dm.h;
        }
    }
    a->win = SDL_CreateWindow("Hifazat", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, wflags);
    if (!a->win) {
        errfmt(err, errlen, "cannot create the window: %s", SDL_GetError());
        goto fail;
    }
    const char *rd = o->render_driver ? o->render_driver : getenv("SDL_RENDER_DRIVER");
    char rerr[512];
    a->rend = ui_renderer_create(a->win, rd, rerr, sizeof rerr);
    if (!a->rend) {
        if (rd && *rd)
            errfmt(err, errlen, "%s", rerr);
        else
            errfmt(err, errlen, "%s; try --render-driver software", rerr);
        code = 2;
        goto fail;
    }
    const char *cur = SDL_GetCurrentVideoDriver();
    a->native_wait = cur && (!strcmp(cur, "x11") || !strcmp(cur, "wayland"));
    a->event_type = SDL_RegisterEvents(1);
    if (a->event_type == (Uint32)-1) {
        errfmt(err, errlen, "no SDL user events left");
        goto fail;
    }
    if (!o->quiet) {
        int ow = 0, oh = 0;
        ui_renderer_output_size(a->rend, &ow, &oh);
        fprintf(stderr, "hifazat-kiosk: video %s, renderer %s, %dx%d%s\n",
                SDL_GetCurrentVideoDriver(), ui_renderer_name(a->rend), ow, oh,
                o->windowed ? " (windowed)" : "");
    }

    /* Devices: watched from the start, so the count is known on every
     * screen (and a test event can say when one appears). Tests hand in
     * their own (fake phones); the kiosk reads the volumes under the media
     * root and, except in demo mode, phones by cable. */
    if (o->devices) {
        a->devices = o->devices;
    } else {
        struct device_options dopt;
        device_options_default(&dopt);
        dopt.media_root = a->media_root;
        dopt.mode = o->demo || o->media_folders ? DEVICE_ROOT_DIRS : DEVICE_ROOT_MOUNTS;
        dopt.usb = !o->demo;
        dopt.notify = media_notify;
        dopt.notify_ctx = a;
        struct device_error derr;
        a->devices = devices_create(&dopt, &derr);
        if (!a->devices) {
            errfmt(err, errlen, "cannot watch for devices: %s", derr.detail);
            goto fail;
        }
        a->own_devices = true;
    }
    /* Wi-Fi: only for staff's uploads, never in demo mode. A missing
     * interface is no error: the staff screen says there is no Wi-Fi. */
    if (o->wifi) {
        a->wifi = o->wifi;
    } else if (!o->demo && a->cfg && config_get(a->cfg, "wifi", "interface")) {
        char *cdir = config_path(a->cfg, "wifi", "control_dir");
        struct wifi_options wo = {.interface = config_get(a->cfg, "wifi", "interface"),
                                  .control_dir = cdir};
        char werr[256];
        /* Only a name too long for a socket path fails here (the
         * configuration checked the rest): then no Wi-Fi, never no kiosk. */
        a->wifi = wifi_create(&wifi_backend_wpa, &wo, werr, sizeof werr);
        free(cdir);
        a->own_wifi = a->wifi != NULL;
    }
    struct media_options mo;
    media_options_default(&mo);
    mo.devices = a->devices;
    mo.notify = media_notify;
    mo.notify_ctx = a;
    struct media_error merr;
    a->media = media_create(&mo, &merr);
    if (!a->media) {
        errfmt(err, errlen, "cannot read devices: %s", merr.detail);
        goto fail;
    }
    /* The first list is ready when devices_create() returns; taking the
     * change arms the layer's notify for the next one. */
    devices_changed(a->devices);
    a->volumes = devices_list(a->devices);
    notify_volumes(a);

    app_set_lang(a, i18n_tag(a->default_lang));
    a->session.demo = o->demo;
    /* A kiosk that cannot queue reports says so to staff instead of
     * letting a person fingerprint for nothing. */
    if (a->config_err[0] && !o->demo && first != SCREEN_CHECK && first != SCREEN_STAFF_PIN)
        first = SCREEN_CONFIG_ERROR;
    a->screen = first;
    a->staff_return = SCREEN_WELCOME;
    a->safety.last_input_ms = SDL_GetTicks();
    if (screens[first]->enter)
        screens[first]->enter(a);
    if (o->test_events) {
        a->test_events = true;
        static const struct app_listener ev = {.screen = event_screen, .volumes = event_volumes,
                                               .device = event_device};
        app_add_listener(a, &ev, a);   /* says the first screen and device count */
    } else {
        notify_screen(a);
    }
    /* After the first screen is known: the narration listener hears it once. */
    char aerr[512];
    a->audio = audio_create(NULL, aerr, sizeof aerr);
    if (!a->audio) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    if (aerr[0] && !o->quiet)
        fprintf(stderr, "hifazat-kiosk: %s\n", aerr);
    struct narration_options no = {
        .ui = a->ui,
        .audio = a->audio,
        .settings = &a->settings,
        .hearing = &a->session.hearing,
        .audio_dir = audio_dir,
        .icon_dir = icon_dir,
        .quiet = o->quiet,
        .changed = narration_changed,
        .ctx = a,
    };
    a->narr = narration_create(&no);
    static const struct app_listener nl = {.screen = narration_on_screen};
    if (!a->narr || app_add_listener(a, &nl, a)) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    /* No network until staff ask for one, even after a crash mid-upload. */
    staff_wifi_start(a);
    a->dirty = true;
    if (exit_code)
        *exit_code = 0;
    return a;
fail:
    app_destroy(a);
    if (exit_code)
        *exit_code = code;
    return NULL;
}

void app_destroy(struct app *a)
{
    if (!a)
        return;
    if (a->event_type)
        jobs_wait_all(a);
    if (a->win && screens[a->screen]->leave)
        screens[a->screen]->leave(a);
    if (a->own_wifi)
        wifi_destroy(a->wifi);   /* disconnects */
    else if (a->wifi)
        wifi_disconnect(a->wifi);
    session_wipe(&a->session);
    narration_destroy(a->narr);
    a->narr = NULL;
    audio_destroy(a->audio);
    a->audio = NULL;
    device_list_free(a->volumes);
    media_destroy(a->media);
    if (a->own_devices)
        devices_destroy(a->devices);
    app_config_free(a);
    ui_renderer_destroy(a->rend);
    if (a->win)
        SDL_DestroyWindow(a->win);
    ui_destroy(a->ui);
    text_destroy(a->text);
    if (SDL_WasInit(0))
        SDL_Quit();
    free(a);
}

/* ---- screens, flow, language, session */

static void do_go(struct app *a, enum screen_id id)
{
    if (id == a->screen)
        return;
    if (screens[a->screen]->leave)
        screens[a->screen]->leave(a);
    a->screen = id;
    ui_reset(a->ui);
    if (screens[id]->enter)
        screens[id]->enter(a);
    a->dirty = true;
    notify_screen(a);
}

/* During a frame, changes wait for its end: the frame's draw commands still
 * point at the old screen's text and images. */
void app_go(struct app *a, enum screen_id id)
{
    if (a->in_frame)
        a->pending_screen = (int)id + 1;
    else
        do_go(a, id);
}

int app_goto(struct app *a, const char *name)
{
    enum screen_id id = screen_by_name(name);
    if (id == SCREEN_COUNT)
        return -1;
    app_go(a, id);
    return 0;
}

const char *app_screen(const struct app *a) { return screens[a->screen]->name; }

static void do_part(struct app *a)
{
    ui_reset(a->ui);
    if (screens[a->screen]->part_enter)
        screens[a->screen]->part_enter(a);
    a->dirty = true;
    notify_screen(a);
}

void app_redo_frame(struct app *a)
{
    if (a->in_frame)
        a->pending_redo = true;
    a->dirty = true;
}

void app_part_changed(struct app *a)
{
    if (a->in_frame)
        a->pending_part = true;
    else
        do_part(a);
}

static int flow_index(enum screen_id id)
{
    for (int i = 0; i < FLOW_LEN; i++)
        if (flow[i] == id)
            return i;
    return -1;
}

void app_next(struct app *a)
{
    int i = flow_index(a->screen);
    if (i == 0 && !a->session.active)
        session_begin(&a->session, a->default_demo);
    if (i < 0 || i + 1 >= FLOW_LEN)
        app_finish(a);
    else
        app_go(a, flow[i + 1]);
}

void app_back(struct app *a)
{
    /* Once the report is queued there is no way back to it. */
    if (a->screen == SCREEN_CASE_CODE || a->screen == SCREEN_FINISH)
        return;
    if (a->screen == SCREEN_CHECK) {
        app_go(a, a->staff_return);
        return;
    }
    int i = flow_index(a->screen);
    if (i > 0)
        app_go(a, flow[i - 1]);
    else if (i < 0)
        app_go(a, a->config_err[0] && !a->default_demo ? SCREEN_CONFIG_ERROR : SCREEN_WELCOME);
}

/* Back to a fresh start: nothing of the last person stays in memory or on
 * screen (jobs cancelled, textures of their pictures zeroed, caches emptied). */
static void reset_all(struct app *a)
{
    jobs_cancel_all(a);
    if (screens[a->screen]->leave)
        screens[a->screen]->leave(a);
    safety_wipe(a);
    app_set_lang(a, i18n_tag(a->default_lang));
    a->screen = a->config_err[0] && !a->default_demo ? SCREEN_CONFIG_ERROR : SCREEN_WELCOME;
    a->wake_at = 0;
    a->staff_return = SCREEN_WELCOME;
    a->media_ev = 0;
    ui_reset(a->ui);
    narration_reset(a->narr);
    if (screens[a->screen]->enter)
        screens[a->screen]->enter(a);
    a->dirty = true;
    notify_screen(a);
}

void app_finish(struct app *a)
{
    if (a->in_frame)
        a->pending_reset = true;
    else
        reset_all(a);
}

bool app_session_active(const struct app *a) { return a->session.active; }

int app_set_lang(struct app *a, const char *tag)
{
    int l = i18n_parse(tag);
    if (l < 0)
        return -1;
    if (a->in_frame) {
        a->pending_lang = l + 1;
        return 0;
    }
    bool changed = i18n_lang() != (enum i18n_lang)l;
    if (i18n_set_lang((enum i18n_lang)l))
        return -1;
    /* The same screen, now said in the other language. */
    if (changed && narration_is_on(a->narr))
        narration_say_screen(a->narr);
    ui_set_lang(a->ui, i18n_rtl((enum i18n_lang)l) ? TEXT_DIR_RTL : TEXT_DIR_LTR,
                i18n_tag((enum i18n_lang)l));
    a->dirty = true;
    return 0;
}

void app_wake_after(struct app *a, Uint32 ms)
{
    Uint32 at = SDL_GetTicks() + (ms ? ms : 1);
    if (!a->wake_at || (Sint32)(at - a->wake_at) < 0)
        a->wake_at = at;
}

unsigned app_take_media_events(struct app *a, unsigned mask)
{
    unsigned ev = a->media_ev & mask;
    a->media_ev &= ~mask;
    return ev;
}

const struct device_info *app_volume(const struct app *a, uint64_t id)
{
    return device_list_find(a->volumes, id);
}

int64_t app_now(const struct app *a)
{
    return a->opt.now(a->opt.now_ctx);
}

void app_test_event(struct app *a, const char *what)
{
    if (!a->test_events)
        return;
    printf("KIOSK_EVENT %s\n", what);
    fflush(stdout);
}

/* The device list changed: a new snapshot, listeners told. */
static void take_device_news(struct app *a)
{
    if (!a->devices || !devices_changed(a->devices))
        return;
    struct device_list *l = devices_list(a->devices);
    if (l) {
        notify_devices(a, a->volumes, l, NULL, NULL);
        device_list_free(a->volumes);
        a->volumes = l;
    }
    notify_volumes(a);
    a->media_ev |= APP_EV_DEVICES;
    a->dirty = true;
}

/* On the main thread after a wake-up: what the device layer, the listings
 * and the thumbnail decoders have news about. */
static void take_media_news(struct app *a)
{
    take_device_news(a);
    a->media_ev |= media_events(a->media);
}

/* ---- drawing */

void app_draw_chrome(struct app *a, struct ui_ctx *ui, struct ui_rect *area)
{
    enum i18n_lang other = i18n_lang() == I18N_UR ? I18N_EN : I18N_UR;
    struct ui_bar_spec bar = {
        .title = _("Hifazat"),
        .quick_exit = _("Leave now"),
        .language = i18n_native_name(other),
        .banner = a->default_demo ? _("Demo mode: practice pictures only. Nothing is saved or sent. "
                                      "F5 starts again.")
                                  : NULL,
        .volume = -1,
    };
    /* No sound device: no listen or volume buttons that would do nothing. */
    if (narration_available(a->narr)) {
        bar.listen = _("Listen again");
        bar.quieter = _("Quieter");
        bar.louder = _("Louder");
        bar.volume = narration_volume(a->narr);
    }
    switch (ui_top_bar(ui, area, &bar)) {
    case UI_BAR_QUICK_EXIT:
        app_quick_exit(a);
        break;
    case UI_BAR_LANGUAGE:
        app_set_lang(a, i18n_tag(other));
        break;
    case UI_BAR_LISTEN:
        narration_listen_again(a->narr);
        break;
    case UI_BAR_QUIETER:
        narration_volume_step(a->narr, -20);
        break;
    case UI_BAR_LOUDER:
        narration_volume_step(a->narr, 20);
        break;
    default:
        break;
    }
}

/* Applies what a frame asked for; true if anything changed. */
static bool apply_pending(struct app *a)
{
    bool any = false;
    if (a->pending_reset) {
        a->pending_reset = false;
        a->pending_screen = 0;
        a->pending_lang = 0;
        a->pending_part = false;
        a->pending_redo = false;
        reset_all(a);
        return true;
    }
    if (a->pending_part) {
        a->pending_part = false;
        do_part(a);
        any = true;
    }
    if (a->pending_redo) {
        a->pending_redo = false;
        any = true;
    }
    if (a->pending_lang) {
        int l = a->pending_lang - 1;
        a->pending_lang = 0;
        app_set_lang(a, i18n_tag((enum i18n_lang)l));
        any = true;
    }
    if (a->pending_screen) {
        enum screen_id id = (enum screen_id)(a->pending_screen - 1);
        a->pending_screen = 0;
        do_go(a, id);
        any = true;
    }
    return any;
}

int app_draw(struct app *a, bool present)
{
    int w, h;
    if (ui_renderer_output_size(a->rend, &w, &h))
        return -1;
    /* Build the frame; if it changed screen, language or reset the session,
     * drop it and build the new one, so no stale frame is ever shown. */
    for (int pass = 0; pass < 4; pass++) {
        if (screens[a->screen]->update)
            screens[a->screen]->update(a);
        /* Larger text is for the people using the kiosk; the staff screens
         * are dense and their readers read. */
        bool staff = a->screen == SCREEN_STAFF_PIN || a->screen == SCREEN_STAFF ||
                     a->screen == SCREEN_CHECK || a->screen == SCREEN_CONFIG_ERROR;
        int pct = a->settings.large_text && !staff ? 125 : 100;
        if (ui_text_scale(a->ui) != pct)
            ui_set_text_scale(a->ui, pct);
        a->in_frame = true;
        ui_begin(a->ui, w, h);
        struct ui_rect area = {0, 0, w, h};
        page_set_step_pictogram(narration_step_pictogram(a->narr));
        app_draw_chrome(a, a->ui, &area);
#define STALE (a->pending_reset || a->pending_screen || a->pending_part || a->pending_redo)
        if (!STALE)
            screens[a->screen]->draw(a, a->ui, area);
        if (!STALE && narration_hearing_asking(a->narr))
            hearing_dialog_draw(a);
        if (!STALE && a->safety.idle_warning)
            safety_draw_warning(a);
        if (!STALE && ui_escape(a->ui))
            app_back(a);
#undef STALE
        ui_end(a->ui);
        a->in_frame = false;
        if (!apply_pending(a))
            break;
    }
    narration_frame_done(a->narr);
    ui_render(a->rend, a->ui);
    if (present) {
        ui_render_present(a->rend);
        a->frames++;
    }
    a->dirty = ui_needs_frame(a->ui);
    return 0;
}

uint8_t *app_screenshot(struct app *a, int *w, int *h)
{
    /* Settle: a tap or a screen change may need a frame or two to show. */
    for (int i = 0; i < 4 && a->dirty; i++)
        app_draw(a, true);
    if (app_draw(a, false))
        return NULL;
    uint8_t *px = ui_render_read_rgba(a->rend, w, h);
    ui_render_present(a->rend);
    a->frames++;
    return px;
}

/* ---- events and the loop */

/* The staff gesture works only where no person's session is open. */
static bool staff_allowed(const struct app *a)
{
    return !a->session.active &&
           (a->screen == SCREEN_WELCOME || a->screen == SCREEN_CONFIG_ERROR);
}

/* The app's mark and name at the reading start of the top bar (as the
 * last frame drew them: the language switch beside them is not part of it). */
static bool on_mark(const struct app *a, int x, int y)
{
    struct ui_rect m = ui_bar_mark(a->ui);
    if (m.w > 0 && m.h > 0)
        return ui_rect_contains(m, x, y);
    const struct ui_theme *t = ui_theme(a->ui);
    int w = 0, h = 0;
    ui_renderer_output_size(a->rend, &w, &h);
    int zone = t->bar_h * 2;
    if (y < 0 || y >= t->bar_h)
        return false;
    return ui_dir(a->ui) == TEXT_DIR_RTL ? x >= w - zone : x < zone;
}

void app_event(struct app *a, const SDL_Event *e)
{
    if (e->type == SDL_QUIT) {
        a->quit = true;
        return;
    }
    if (e->type == a->event_type) {
        if (e->user.code == APP_EV_WAKE) {
            SDL_AtomicSet(&a->wake_pending, 0);
            take_media_news(a);
        } else if (e->user.code == APP_EV_JOB_DONE) {
            jobs_handle_done(a, e->user.data1);
        }
        a->dirty = true;
        return;
    }
    switch (e->type) {
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
            e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
            e->window.event == SDL_WINDOWEVENT_RESTORED)
            a->dirty = true;
        return;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        ui_render_purge(a->rend);
        a->dirty = true;
        return;
    default:
        break;
    }
    /* Input stamps the idle clock; the quick exit goes before anything else. */
    if (safety_event(a, e))
        return;
    if (e->type == SDL_KEYDOWN && !e->key.repeat) {
        SDL_Keycode k = e->key.keysym.sym;
        Uint16 mod = e->key.keysym.mod;
        /* F5 in demo mode: the trainer starts the demo again. */
        if (k == SDLK_F5 && a->default_demo) {
            app_finish(a);
            return;
        }
        /* Ctrl+Alt+S: the staff screen, from the start screen only. */
        if (k == SDLK_s && (mod & KMOD_CTRL) && (mod & KMOD_ALT) && staff_allowed(a)) {
            app_go(a, SCREEN_STAFF_PIN);
            return;
        }
    }
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT && staff_allowed(a) &&
        on_mark(a, e->button.x, e->button.y)) {
        Uint32 now = SDL_GetTicks();
        memmove(a->mark_taps, a->mark_taps + 1, sizeof a->mark_taps - sizeof a->mark_taps[0]);
        a->mark_taps[4] = now ? now : 1;
        if (a->mark_taps[0] && now - a->mark_taps[0] <= MARK_TAPS_MS) {
            memset(a->mark_taps, 0, sizeof a->mark_taps);
            app_go(a, SCREEN_STAFF_PIN);
            return;
        }
    }
    /* Translated once: the screen reads it first, then the UI. */
    struct ui_event ue;
    if (!ui_event_from_sdl(e, &ue))
        return;
    if (screens[a->screen]->event && screens[a->screen]->event(a, &ue)) {
        a->dirty = true;
        return;
    }
    if (e->type == SDL_MOUSEBUTTONDOWN && screens[a->screen]->event)
        a->dirty = true;   /* the screen may draw something for the press */
    if (ui_input_event(a->ui, &ue))
        a->dirty = true;
}

static void wait_at_most(int *wait_ms, int ms)
{
    if (ms < 0)
        ms = 0;
    if (*wait_ms < 0 || ms < *wait_ms)
        *wait_ms = ms;
}

/* x11 and wayland block in the kernel until an event comes. For the other
 * drivers (kmsdrm on the console, dummy) SDL 2.26 "waits" by polling every
 * millisecond; polling every 10 ms is as quick for a finger or a key and
 * wakes the CPU a tenth as often (battery-powered outreach laptops). */
static int wait_event(struct app *a, SDL_Event *e, int timeout_ms)
{
    if (a->native_wait || timeout_ms == 0)
        return timeout_ms < 0 ? SDL_WaitEvent(e) : SDL_WaitEventTimeout(e, timeout_ms);
    Uint32 start = SDL_GetTicks();
    for (;;) {
        if (SDL_PollEvent(e))
            return 1;
        int d = 10;
        if (timeout_ms >= 0) {
            Uint32 spent = SDL_GetTicks() - start;
            if (spent >= (Uint32)timeout_ms)
                return 0;
            if ((Uint32)timeout_ms - spent < (Uint32)d)
                d = (int)((Uint32)timeout_ms - spent);
        }
        SDL_Delay((Uint32)d);
    }
}

bool app_pump(struct app *a, int timeout_ms)
{
    if (a->opt.exit_after_frames > 0)
        a->dirty = true;   /* tests and benchmarks: frames back to back */
    int wait = a->dirty ? 0 : timeout_ms;
    Uint32 now = SDL_GetTicks();
    int idle_next = -1;
    if (safety_idle_due(a, now, &idle_next)) {
        /* Someone walked away: wipe and start again for the next person. */
        reset_all(a);
        a->safety.last_input_ms = now;
        wait = 0;
    } else if (idle_next >= 0) {
        wait_at_most(&wait, idle_next);
    }
    if (a->wake_at) {
        Sint32 d = (Sint32)(a->wake_at - now);
        if (d <= 0) {
            a->wake_at = 0;
            a->dirty = true;
            wait = 0;
        } else {
            wait_at_most(&wait, d);
        }
    }
    SDL_Event e;
    if (wait_event(a, &e, wait)) {
        app_event(a, &e);
        while (!a->quit && SDL_PollEvent(&e))
            app_event(a, &e);
    }
    if (a->quit)
        return false;
    /* Devices handed in by a caller may have no notify of ours. */
    take_device_news(a);
    if (a->wake_at && (Sint32)(a->wake_at - SDL_GetTicks()) <= 0) {
        a->wake_at = 0;
        a->dirty = true;
    }
    if (a->dirty) {
        /* A frame can trigger another (a tap changes the screen); bounded. */
        for (int i = 0; i < 3 && a->dirty; i++)
            app_draw(a, true);
    }
    if (a->opt.exit_after_frames > 0 && a->frames >= (uint64_t)a->opt.exit_after_frames)
        return false;
    return !a->quit;
}

int app_run(struct app *a)
{
    if (app_draw(a, true))
        return 1;
    /* The first frame is on screen; the image's boot test waits for this. */
    printf("KIOSK_READY\n");
    fflush(stdout);
    if (a->opt.exit_after_frames > 0 && a->frames >= (uint64_t)a->opt.exit_after_frames)
        return 0;
    while (app_pump(a, -1))
        ;
    return a->exit_code;
}

uint64_t app_frames(const struct app *a) { return a->frames; }
struct audio *app_audio(struct app *a) { return a->audio; }

void app_apply_text_size(struct app *a)
{
    /* app_draw() applies it to the person's screens from the next frame. */
    a->dirty = true;
}
struct ui_ctx *app_ui(struct app *a) { return a->ui; }
