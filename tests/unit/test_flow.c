/* The kiosk end to end, driven headlessly with synthetic SDL
 * input (touch taps and keys pushed into SDL's queue, handled by the real
 * loop) on a fixture device: generated photos, a video, a damaged file.
 *
 *   flow        the whole flow in Urdu and in English, with a golden
 *               screenshot at every screen (tests/golden/flow_*.png), ending
 *               in a queued report that `hifazat open` decrypts to exactly
 *               the hashes `hifazat hash` gives for those files;
 *   quick_exit  quick exit (button, F12, Esc three times) at every step:
 *               nothing queued, the session struct all zero, every session
 *               block zeroed before it was freed, thumbnails and text caches
 *               emptied, back at Welcome;
 *   idle        the countdown, then the wipe; input during the countdown
 *               keeps the session;
 *   removed     the device pulled out while fingerprinting: the app goes on
 *               and says which files and why;
 *   demo        demo mode on the built-in demo pictures: the real queue
 *               directory is untouched, the case code screen says demo;
 *   staff       hidden gesture, wrong PINs rate-limited, the staff screen,
 *               export to a courier stick, settings saved, shut down;
 *   config      missing and invalid configuration: the error screen, then
 *               Try again once fixed;
 *   phone       the whole flow on a phone by cable (a fake MTP phone,
 *               fakephone.h, plugged in on "Connect"): the report holds
 *               exactly the hashes `hifazat hash` gives for the same files
 *               on disk, and the phone's files are unchanged;
 *   phone_removed  its cable pulled mid-fingerprint, plugged in again
 *               (charging only, then "File transfer"), Try again;
 *   phone_states   Connect with a phone in every state (charging only,
 *               opening, locked, an untrusted iPhone, not answering, busy,
 *               failed, several devices at once): words, pictograms, the
 *               clip of each state, no button until it can be read,
 *               nothing chosen for the person, KIOSK_EVENT lines;
 *   phone_replug   the screens after a pulled cable, in goldens;
 *   phone_not_answering  a phone that stops answering mid-fingerprint;
 *   staff_wifi_keys  the boot test's Wi-Fi presses (boot_test.py WIFI_KEYS)
 *   staff_wifi  Wi-Fi on the staff screen (the fake backend): the list, a
 *               wrong password and its message, the right one typed on a
 *               physical keyboard, connected; remembered encrypted on the
 *               data partition (the password's bytes not in the file),
 *               Forget, a machine without Wi-Fi; leaving the staff screen
 *               disconnects.
 * Usage: test_flow [--update] [SECTION...] */
#include "app_internal.h"
#include "audio.h"
#include "fakephone.h"
#include "check.h"
#include "golden.h"
#include "guide.h"
#include "kioskfix.h"
#include "mediagen.h"
#include "receipt.h"
#include "testutil.h"
#include "ui_internal.h"
#include "wifi.h"

#include <SDL.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool update;
static struct kfix *cur_fix;
static char phone_tree[1 << 16];   /* the fixture phone as made: never written to */
static void list_tree(const char *dir, char *out, size_t n);
static void list_tree_as(const char *dir, char *out, size_t n, bool atimes);
struct app;
struct device_info;
static const struct device_info *wait_dev(struct app *a, const char *label, enum device_state s);

/* ---- driving the app */

static void pump(struct app *a, int n)
{
    for (int i = 0; i < n; i++)
        app_pump(a, 0);
}

static bool wait_for(struct app *a, bool (*cond)(struct app *a, const void *arg), const void *arg,
                     int timeout_ms)
{
    /* Every wait ends as soon as its condition holds; the limits are what a
     * quiet machine needs, stretched for a loaded CI machine under ASan (no
     * test here waits for something *not* to happen). */
    Uint32 t0 = SDL_GetTicks();
    while (!cond(a, arg)) {
        if (SDL_GetTicks() - t0 > (Uint32)timeout_ms * 4)
            return false;
        app_pump(a, 20);
    }
    return true;
}

static bool on_screen(struct app *a, const void *name)
{
    return !strcmp(app_screen(a), (const char *)name);
}

static void wait_screen(struct app *a, const char *name, int timeout_ms)
{
    bool ok = wait_for(a, on_screen, name, timeout_ms);
    REQUIRE(ok, "waited for screen %s, still on %s", name, app_screen(a));
}

static const struct ui_hit *find_hit(struct app *a, uint32_t id)
{
    struct ui_ctx *ui = app_ui(a);
    for (size_t i = 0; i < ui->prev.n; i++)
        if (ui->prev.v[i].id == id && ui->prev.v[i].vis.w > 0 && ui->prev.v[i].vis.h > 0)
            return &ui->prev.v[i];
    return NULL;
}

static void push_button(int x, int y, bool down)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.which = SDL_TOUCH_MOUSEID;   /* a finger */
    e.button.state = down ? SDL_PRESSED : SDL_RELEASED;
    e.button.x = x;
    e.button.y = y;
    SDL_PushEvent(&e);
}

/* A touch tap on the widget's visible centre, through SDL's event queue. */
static void tap_id(struct app *a, uint32_t id, const char *what)
{
    app_draw(a, true);
    const struct ui_hit *h = find_hit(a, id);
    REQUIRE(h, "no widget '%s' on screen %s", what, app_screen(a));
    int x = h->vis.x + h->vis.w / 2, y = h->vis.y + h->vis.h / 2;
    push_button(x, y, true);
    push_button(x, y, false);
    pump(a, 3);
}

static void tap(struct app *a, const char *name) { tap_id(a, ui_id(name), name); }

/* Choose: an album's tile in the gallery, the i-th cell of an album or a folder. */
static void tap_album(struct app *a, enum media_album k)
{
    tap_id(a, ui_id_index(ui_id("choose.album"), (int)k), "album");
}

static void tap_cell(struct app *a, size_t i)
{
    app_draw(a, true);
    char what[64];
    snprintf(what, sizeof what, "choose cell %zu", i);
    tap_id(a, screen_choose_cell(i), what);
}

static void tap_row(struct app *a, const char *list, int i)
{
    char what[128];
    snprintf(what, sizeof what, "%s[%d]", list, i);
    tap_id(a, ui_id_index(ui_id(list), i), what);
}

static void key_mod(struct app *a, SDL_Keycode k, Uint16 mod)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    e.key.state = SDL_PRESSED;
    SDL_PushEvent(&e);
    e.type = SDL_KEYUP;
    e.key.state = SDL_RELEASED;
    SDL_PushEvent(&e);
    pump(a, 2);
}

static void key(struct app *a, SDL_Keycode k) { key_mod(a, k, 0); }

/* Press, hold (the loop keeps running), release. */
static void hold_id(struct app *a, uint32_t id, int ms, void (*while_held)(struct app *a))
{
    app_draw(a, true);
    const struct ui_hit *h = find_hit(a, id);
    REQUIRE(h, "nothing to hold on %s", app_screen(a));
    int x = h->vis.x + h->vis.w / 2, y = h->vis.y + h->vis.h / 2;
    push_button(x, y, true);
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < (Uint32)ms)
        app_pump(a, 20);
    if (while_held)
        while_held(a);
    push_button(x, y, false);
    pump(a, 3);
}

static const char *lang_now;
/* NULL: every step; else only these (the netbook-size run). */
static const char *const *shot_only;
/* shot() checks the layout only, without a golden (the layout section). */
static bool layout_only;

/* ---- the layout test: on every frame shot(), the key text (titles, the
 * main action, a dialog's answers, the case code and PIN) lies wholly in
 * the window and inside whatever scroll area holds it (nothing scrolled
 * away or cut), and no paragraph ends in a lone word. */

/* ASCII letters and digits of s, upper case: "K7P2-9XQM" and "k7p2 9xqm" match. */
static void alnum_only(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if ((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
            out[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
    out[k] = 0;
}

static int line_words(const char *s, int n)
{
    int w = 0;
    bool in = false;
    for (int i = 0; i < n; i++) {
        bool sp = s[i] == ' ';
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

static const char *role_name(int role)
{
    switch (role) {
    case UI_ROLE_TITLE: return "title";
    case UI_ROLE_ACTION: return "main action";
    case UI_ROLE_CODE: return "case code";
    case UI_ROLE_PIN: return "PIN";
    default: return "text";
    }
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static unsigned layout_frames;   /* frames checked, for the layout section's own count */

static void check_frame(struct app *a, const char *what)
{
    struct ui_ctx *ui = app_ui(a);
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    const struct ui_rect win = {0, 0, ui->w, ui->h};
    struct ui_rect clip = win;
    /* The case code and PIN, by what they say (marked or not). */
    char code[32] = "", pin[32] = "";
    bool modal = ui->modal_prev;
    if (!strcmp(app_screen(a), "case_code") && a->session.have_receipt && !modal) {
        alnum_only(a->session.receipt.case_code, code, sizeof code);
        alnum_only(a->session.receipt.pin, pin, sizeof pin);
    }
    bool title = false, code_seen = !*code, pin_seen = !*pin;
    /* Finish and "not for these pictures": every helpline's number in view. */
    bool finish = (!strcmp(app_screen(a), "finish") || !strcmp(app_screen_part(a), "not_for_this")) && !modal;
    unsigned helplines = 0;
    layout_frames++;
    for (size_t i = 0; i < n; i++) {
        if (c[i].kind == UI_CMD_CLIP) {
            clip = c[i].rect.w < 0 ? win : ui_rect_intersect(win, c[i].rect);
            continue;
        }
        if (c[i].kind != UI_CMD_TEXT || !c[i].text)
            continue;
        const struct text_block *b = c[i].text;
        int role = c[i].role;
        if (b->text && (*code || *pin)) {
            char t[512];
            alnum_only(b->text, t, sizeof t);
            if (*code && strstr(t, code)) {
                role = UI_ROLE_CODE;
                code_seen = true;
            } else if (*pin && strstr(t, pin)) {
                role = UI_ROLE_PIN;
                pin_seen = true;
            }
        }
        title |= role == UI_ROLE_TITLE;
        for (int k = 0; finish && b->text && k < a->nreferrals; k++)
            if (!strcmp(b->text, a->referrals[k].phone)) {
                struct ui_rect in = ui_rect_intersect(clip, c[i].rect);
                CHECK(in.w == c[i].rect.w && in.h == c[i].rect.h, "%s: helpline %s is cut or out of view", what,
                      b->text);
                helplines |= 1u << k;
            }
        if (role != UI_ROLE_NONE) {
            struct ui_rect r = c[i].rect;
            struct ui_rect in = ui_rect_intersect(clip, r);
            CHECK(in.w == r.w && in.h == r.h,
                  "%s: the %s \"%s\" is cut or out of view: ink %d,%d %dx%d, visible %d,%d %dx%d", what,
                  role_name(role), b->text ? b->text : "", r.x, r.y, r.w, r.h, clip.x, clip.y, clip.w, clip.h);
        }
        /* No word broken inside (one wider than its line). */
        CHECK(!b->split, "%s: a word broken inside in \"%s\"", what, b->text ? b->text : "");
        /* No lone word on a paragraph's last line. */
        for (int k = 1; b->lines && !b->truncated && k < b->nlines; k++) {
            const struct text_line *l = &b->lines[k];
            bool last = k + 1 == b->nlines || b->lines[k + 1].para_start;
            if (!last || l->para_start)
                continue;
            CHECK(line_words(b->text + l->start, l->len) > 1, "%s: a lone word on the last line of \"%s\"", what,
                  b->text);
        }
    }
    CHECK(!finish || helplines == (1u << a->nreferrals) - 1, "%s: not every helpline is shown", what);
    /* Nothing drawn over key text (a message that runs into the buttons):
     * the visible ink of the texts of one layer (a dialog's scrim starts
     * the next) overlaps no key text's. */
    struct ui_rect *vis = calloc(n ? n : 1, sizeof *vis);
    int *lay = calloc(n ? n : 1, sizeof *lay);
    REQUIRE(vis && lay, "calloc");
    clip = win;
    for (size_t i = 0, l = 0; i < n; i++) {
        if (c[i].kind == UI_CMD_CLIP)
            clip = c[i].rect.w < 0 ? win : ui_rect_intersect(win, c[i].rect);
        if (c[i].kind == UI_CMD_FILL && c[i].color == ui_theme(ui)->scrim)
            l++;
        vis[i] = ui_rect_intersect(clip, c[i].rect);
        lay[i] = (int)l;
    }
    int bad = 0;
    for (size_t i = 0; i < n && bad < 3; i++) {
        if (c[i].kind != UI_CMD_TEXT || !c[i].text || c[i].role == UI_ROLE_NONE || !c[i].text->nlines)
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j == i || lay[j] != lay[i] || c[j].kind != UI_CMD_TEXT || !c[j].text || !c[j].text->nlines)
                continue;
            /* Nastaliq ink boxes of lines one above the other touch: an
             * overlap counts from a third of the smaller one's height. */
            struct ui_rect o = ui_rect_intersect(vis[i], vis[j]);
            int hmin = vis[i].h < vis[j].h ? vis[i].h : vis[j].h;
            if (o.w > 6 && o.h > 6 && o.h * 3 > hmin && bad++ < 3)
                CHECK(0, "%s: \"%s\" is drawn over the %s \"%s\"", what, c[j].text->text, role_name(c[i].role),
                      c[i].text->text);
        }
    }
    free(vis);
    free(lay);
    /* Lists, on a netbook (1024x600): at least three rows in view, each at
     * least half (all of them, when there are fewer). The
     * rows of a scroll area are the items it holds (registered even when
     * scrolled away), a row a distinct top. A gallery by day, whose rows
     * are parted by the days' headers, is left out: its headers take the
     * room on a netbook. */
    const struct hit_list *hl = &ui->prev;
    for (size_t i = 0; ui_theme(ui)->scale < 1 && i < hl->n; i++) {
        uint32_t owner = hl->v[i].owner;
        bool first = owner != 0;
        for (size_t j = 0; j < i && first; j++)
            first = hl->v[j].owner != owner;
        if (!first)
            continue;
        int tops[512], ntops = 0, shown[512], nshown = 0, row_h = 0;
        for (size_t j = i; j < hl->n; j++) {
            const struct ui_hit *h = &hl->v[j];
            if (h->owner != owner || !(h->flags & HIT_CLICK))
                continue;
            row_h = h->r.h;
            bool seen = false;
            for (int k = 0; k < ntops && !seen; k++)
                seen = tops[k] == h->r.y;
            if (!seen && ntops < 512)
                tops[ntops++] = h->r.y;
            /* In view: at least half of it (the rest is seen to scroll). */
            bool whole = h->vis.h * 2 >= h->r.h && h->vis.w == h->r.w;
            seen = !whole;
            for (int k = 0; k < nshown && !seen; k++)
                seen = shown[k] == h->r.y;
            if (!seen && nshown < 512)
                shown[nshown++] = h->r.y;
        }
        int want = ntops < 3 ? ntops : 3;
        /* A header between rows: the rows' distance is far more than
         * their height. */
        qsort(tops, (size_t)ntops, sizeof tops[0], cmp_int);
        bool headers = false;
        for (int k = 1; k < ntops && !headers; k++)
            headers = (tops[k] - tops[k - 1]) * 2 > row_h * 3;
        CHECK(headers || nshown >= want, "%s: a list shows %d of its %d rows (at least %d)", what, nshown, ntops, want);
    }
    CHECK(title, "%s: no title on screen", what);
    CHECK(code_seen, "%s: the case code %s is not shown as text", what, code);
    CHECK(pin_seen, "%s: the PIN is not shown as text", what);
}

/* Paints over the value drawn after the "Free space" label (the text
 * command after the label's), with room for a longer or shorter value. */
static void mask_free_space(struct app *a, uint8_t *px, int w, int h)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    const char *label = _("Free space");
    struct ui_rect clip = {0, 0, w, h};
    size_t i = 0;
    for (; i < n && !(c[i].kind == UI_CMD_TEXT && c[i].text && !strcmp(c[i].text->text, label)); i++)
        if (c[i].kind == UI_CMD_CLIP)
            clip = c[i].rect.w < 0 ? (struct ui_rect){0, 0, w, h} : c[i].rect;
    while (++i < n && c[i].kind != UI_CMD_TEXT)
        ;
    CHECK(i < n, "the free space is not on the staff screen");
    if (i >= n)
        return;
    struct ui_rect r = ui_inset(c[i].rect, -6);
    r.x -= 100;
    r.w += 200;
    r = ui_rect_intersect(r, clip);
    for (int y = r.y < 0 ? 0 : r.y; y < r.y + r.h && y < h; y++)
        for (int x = r.x < 0 ? 0 : r.x; x < r.x + r.w && x < w; x++)
            memset(px + ((size_t)y * (size_t)w + (size_t)x) * 4, 0x80, 4);
}

static void shot(struct app *a, const char *step)
{
    char name[128];
    snprintf(name, sizeof name, "flow_%s_%s", step, lang_now);
    int w, h;
    uint8_t *px = app_screenshot(a, &w, &h);
    REQUIRE(px, "screenshot");
    check_frame(a, name);
    bool want = !layout_only;
    if (want && shot_only) {
        want = false;
        for (const char *const *p = shot_only; *p && !want; p++)
            want = !strcmp(*p, step);
    }
    if (!want) {
        free(px);
        return;
    }
    /* The staff screen shows the machine's free disk space, which changes
     * from run to run: that value's box is painted over before comparing. */
    if (!strcmp(app_screen(a), "staff") && !*app_screen_part(a))
        mask_free_space(a, px, w, h);
    CHECK(golden_check(name, px, w, h, update) == 0, "%s differs from its golden screenshot", name);
    free(px);
}

/* Thumbnail decoders and content checks idle, and a frame drawn since. */
static bool media_settled(struct app *a, const void *arg)
{
    (void)arg;
    struct media_stats st;
    media_get_stats(a->media, &st);
    static int calm;
    if (st.running == 0 && st.queued == 0 && st.listing == 0)
        calm++;
    else
        calm = 0;
    return calm >= 5;
}

static void settle_media(struct app *a)
{
    CHECK(wait_for(a, media_settled, NULL, 20000), "thumbnails never settled");
    pump(a, 2);
}

static bool fingerprint_finished(struct app *a, const void *arg)
{
    (void)arg;
    return strcmp(app_screen(a), "fingerprint") || app_jobs_running(a) == 0;
}

static int app_w = 1280, app_h = 800;
static int64_t app_now_s;   /* the app's clock (0: the real one) */

static int64_t flow_clock(void *ctx)
{
    (void)ctx;
    return app_now_s ? app_now_s : (int64_t)time(NULL);
}
static bool app_events;     /* KIOSK_EVENT lines on stdout */

/* Where the sound goes, as the tests say (the machine's own sound card
 * must not decide what a test hears): the room, unless a section says
 * headphones. */
static enum audio_sink test_sink = AUDIO_SINK_ROOM;
static int sink_asked;

static enum audio_sink sink_double(void *ctx, const char *device)
{
    (void)ctx;
    (void)device;
    sink_asked++;
    return test_sink;
}

static const struct audio_sink_backend sink_test = {.name = "test", .detect = sink_double};

static struct wifi *flow_wifi;   /* handed to the app when set (section staff_wifi) */

static struct app *open_app(const struct kfix *f, const char *lang, int idle_s)
{
    struct app_options o;
    kfix_options(f, &o, app_w, app_h);
    o.wifi = flow_wifi;
    o.lang = lang;
    o.idle_timeout_s = idle_s;
    o.now = flow_clock;
    o.test_events = app_events;
    char err[800];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    REQUIRE(a, "app_create: %s", err);
    audio_set_sink_backend(app_audio(a), &sink_test);
    app_draw(a, true);
    return a;
}

static bool volumes_are(struct app *a, const void *n)
{
    return a->volumes && (int)a->volumes->count == *(const int *)n;
}

static void wait_volumes(struct app *a, int n)
{
    CHECK(wait_for(a, volumes_are, &n, 10000), "expected %d devices", n);
}

/* ---- session memory checks */

static size_t freed_blocks, dirty_blocks;

static void free_hook(const void *p, size_t n)
{
    freed_blocks++;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) {
            dirty_blocks++;
            return;
        }
}

static bool session_zero(const struct session *s)
{
    static const struct session zero;
    return !memcmp(s, &zero, sizeof zero);
}

static size_t queue_count(const struct kfix *f, const char *state)
{
    char p[1300];
    snprintf(p, sizeof p, "%s/queue/%s", f->data, state);
    return (size_t)count_entries(p);
}

static size_t queue_pending(const struct kfix *f) { return queue_count(f, "pending"); }

/* ---- the flow, step by step */

enum step {
    ST_WELCOME, ST_PRIVACY, ST_AGE, ST_WHO, ST_CONTENT, ST_CONNECT, ST_CHOOSE, ST_FINGERPRINT,
    ST_REVIEW, ST_CONFIRM, ST_CASE_CODE, ST_FINISH, ST_DONE
};

struct run {
    const char *lang;
    bool shots;          /* golden screenshots along the way */
    bool remove_one;     /* review: remove the first fingerprint */
    enum step stop;      /* return once this step is on screen */
    bool big_phone;      /* the device with big photos (slow fingerprinting) */
    int photos;          /* how many */
    bool fake_phone;     /* plug in a phone by cable (kfix_add_phone), not a card */
    const char *phone_dir; /* out: its storage's folder on disk */
    int phone_idx;       /* out: its fake phone */
    bool people_near;    /* "Is anyone near who could hear?": people are (show only) */
    /* out */
    char case_code[16];
    char removed[1200];
};

static void hold_shot(struct app *a) { shot(a, "choose_hold"); }

static bool first_ready(struct app *a, const void *arg)
{
    (void)arg;
    return a->volumes && a->volumes->count >= 1 && a->volumes->v[0].state == DEVICE_READY;
}

static void choose_device(struct app *a)
{
    tap_row(a, "connect.device", 0);
    wait_screen(a, "choose", 3000);
    settle_media(a);
}

/* ---- narration: which clip each screen asked for, and that
 * SDL's dummy audio device really took its first samples. */
static bool clip_started(struct app *a, const void *clip)
{
    struct audio_stats st;
    audio_stats(app_audio(a), &st);
    return !strcmp(st.last_started, (const char *)clip);
}

static void expect_clip(struct app *a, const char *lang, const char *clip)
{
    char want[96];
    snprintf(want, sizeof want, "%s/%s", lang, clip);
    struct audio *au = app_audio(a);
    REQUIRE(au, "no audio engine");
    CHECK(!strcmp(audio_asked(au), want), "on %s/%s the clip asked for is '%s', not %s",
          app_screen(a), app_screen_part(a), audio_asked(au), want);
    /* Without a device it is asked for and silent. */
    if (audio_available(au))
        CHECK(wait_for(a, clip_started, want, 3000), "%s never started playing", want);
}

/* How it works: three pages, each said as it opens; Next goes one page on,
 * Back one back; the last Next ("I understand") goes on to the questions. */
static void privacy_pages(struct app *a, const char *L)
{
    static const char *const parts[] = {"code", "next", "exit"};
    for (int i = 0; i < 3; i++) {
        CHECK(!strcmp(app_screen(a), "privacy") && !strcmp(app_screen_part(a), parts[i]),
              "how it works, page %d: %s/%s", i + 1, app_screen(a), app_screen_part(a));
        char clip[64];
        snprintf(clip, sizeof clip, "screen.privacy.%s", parts[i]);
        if (L)
            expect_clip(a, L, clip);
        tap(a, "privacy.next");
    }
}

/* "Is anyone near you who could hear?": no one (sound), or people (show only). */
static void answer_hearing(struct app *a, bool alone)
{
    REQUIRE(narration_hearing_asking(a->narr), "the hearing question is not shown");
    app_draw(a, true);
    tap_id(a, ui_id_index(ui_id("hearing"), alone ? 1 : 2), alone ? "no one can hear" : "people are near");
    CHECK(!narration_hearing_asking(a->narr), "the question went");
    CHECK(a->session.hearing == (alone ? HEARING_ALONE : HEARING_OTHERS), "the answer is in the session");
}

/* What anyone passing sees of the chosen files on Review and the
 * fingerprinting problems: never a file name (a revealing name is read
 * from across the room). */
static void check_no_names(struct app *a, const char *what)
{
    app_draw(a, true);
    size_t n;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    const struct session *s = &a->session;
    unsigned leaks = 0, texts = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].kind != UI_CMD_TEXT || !c[i].text || !c[i].text->text)
            continue;
        texts++;
        for (size_t k = 0; k < s->nitems; k++) {
            char stem[256];
            snprintf(stem, sizeof stem, "%s", s->items[k].name ? s->items[k].name : "");
            char *dot = strrchr(stem, '.');
            if (dot && dot != stem)
                *dot = '\0';
            if (strlen(stem) >= 4 && strstr(c[i].text->text, stem) && leaks++ < 3)
                CHECK(0, "%s: the file name %s is on the screen", what, s->items[k].name);
        }
    }
    CHECK(texts > 0 && leaks == 0, "%s: %u file names among %u texts", what, leaks, texts);
}

/* Review: no names, and at least three rows whole on the screen without
 * scrolling, each with its picture (blurred) once the thumbnails are in. */
static void check_review(struct app *a, const char *what)
{
    check_no_names(a, what);
    struct session_counts sc;
    session_counts(&a->session, &sc);
    size_t want = sc.done < 3 ? sc.done : 3;
    const struct hit_list *l = &app_ui(a)->prev;
    uint32_t base = ui_id("review.remove");
    size_t whole = 0;
    for (size_t k = 0; k < sc.done; k++)
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i].id == ui_id_index(base, (int)k) && l->v[i].r.h > 0 && l->v[i].vis.h == l->v[i].r.h &&
                l->v[i].vis.w == l->v[i].r.w)
                whole++;
    CHECK(whole >= want, "%s: %zu rows seen whole without scrolling (want %zu)", what, whole, want);
    size_t n, images = 0;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    for (size_t i = 0; i < n; i++)
        images += c[i].kind == UI_CMD_IMAGE && c[i].image;
    CHECK(images >= want, "%s: %zu pictures on the rows (want %zu)", what, images, want);
}

/* The case code screen: the code, the PIN and the first helpline's number
 * whole on the screen without scrolling, above the buttons. */
static void check_case_code(struct app *a, const char *what)
{
    app_draw(a, true);
    const struct hit_list *l = &app_ui(a)->prev;
    int bottom = app_h;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].id == ui_id("case_code.done") && l->v[i].r.y < bottom)
            bottom = l->v[i].r.y;
        else if (l->v[i].id == ui_id("case_code.main") && l->v[i].r.y + l->v[i].r.h < bottom)
            bottom = l->v[i].r.y + l->v[i].r.h;   /* the scroll area's view */
    const char *want[3] = {a->session.receipt.case_code, a->session.receipt.pin,
                           a->nreferrals ? a->referrals[0].phone : NULL};
    size_t n;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    for (int w = 0; w < 3; w++) {
        if (!want[w])
            continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = c[i].kind == UI_CMD_TEXT && c[i].text && c[i].text->text &&
                   !strcmp(c[i].text->text, want[w]) && c[i].rect.y >= 0 &&
                   c[i].rect.y + c[i].text->height <= bottom && c[i].rect.x >= 0 &&
                   c[i].rect.x + c[i].text->text_width <= app_w;
        CHECK(seen, "%s: %s is not seen whole without scrolling", what, want[w]);
    }
}

/* Goes through the flow on the app from Welcome up to r->stop, checking
 * the narration clip of every screen and answer on the way. */
/* After "What kind of pictures?": the route's own question (young people:
 * originals or copies, here the originals; an adult's pictures reported by
 * someone else: the person's agreement, here yes), then the sites that check the codes, and Next to
 * Connect. lang NULL: the clips are not checked. */
static void route_pages(struct app *a, const char *lang, bool shots)
{
    const char *part = app_screen_part(a);
    const char *list = !strcmp(part, "origin") ? "questions.origin"
                       : !strcmp(part, "consent") ? "questions.consent" : NULL;
    if (list) {
        if (lang)
            expect_clip(a, lang, !strcmp(part, "origin") ? "screen.questions.origin"
                                                        : "screen.questions.consent");
        tap_row(a, list, 0);
        tap(a, "questions.next");
    }
    CHECK(!strcmp(app_screen(a), "questions") && !strcmp(app_screen_part(a), "platforms"),
          "then the sites that check the codes (%s/%s)", app_screen(a), app_screen_part(a));
    if (lang)
        expect_clip(a, lang, "screen.questions.platforms");
    if (shots)
        shot(a, "platforms");
    tap(a, "questions.next");
}

static void walk(struct app *a, struct run *r)
{
    bool s = r->shots;
    const char *L = r->lang;
    wait_screen(a, "welcome", 3000);
    expect_clip(a, L, "screen.welcome");
    if (s)
        shot(a, "welcome");
    if (r->stop == ST_WELCOME)
        return;
    tap(a, "welcome.start");
    wait_screen(a, "privacy", 2000);
    CHECK(a->session.active, "Start began a session");
    CHECK(!strcmp(app_screen_part(a), "code"), "how it works opens on the secret code (%s)",
          app_screen_part(a));
    expect_clip(a, L, "screen.privacy.code");
    if (s)
        shot(a, "privacy");
    if (r->stop == ST_PRIVACY)
        return;
    privacy_pages(a, L);
    wait_screen(a, "questions", 2000);
    CHECK(!strcmp(app_screen_part(a), "age"), "first question is the age");
    expect_clip(a, L, "screen.questions.age");
    if (s)
        shot(a, "age");
    bool ur = !strcmp(r->lang, "ur");
    /* Urdu: "not sure" (an explanation, then the young people's route);
     * English: 18 or older (StopNCII). */
    tap_row(a, "questions.age", ur ? 2 : 1);
    expect_clip(a, L, ur ? "say.age_not_sure" : "say.age_adult");
    if (s)
        shot(a, "age_chosen");
    if (r->stop == ST_AGE)
        return;
    tap(a, "questions.next");
    if (ur) {
        CHECK(!strcmp(app_screen_part(a), "not_sure"), "not sure explained (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.not_sure");
        if (s)
            shot(a, "not_sure");
        tap(a, "questions.next");
    }
    CHECK(!strcmp(app_screen_part(a), "who"), "then who (%s)", app_screen_part(a));
    expect_clip(a, L, "screen.questions.who");
    tap_row(a, "questions.who", ur ? 0 : 1);
    expect_clip(a, L, ur ? "say.who_self" : "say.who_parent");
    if (s)
        shot(a, "who");
    if (r->stop == ST_WHO)
        return;
    tap(a, "questions.next");
    CHECK(!strcmp(app_screen_part(a), "content"), "then content");
    /* Not said aloud until the person says no one near could hear (with
     * headphones, at once). */
    char content_clip[64];
    snprintf(content_clip, sizeof content_clip, "%s/screen.questions.content", L);
    if (audio_available(app_audio(a)) && test_sink != AUDIO_SINK_HEADPHONES) {
        CHECK(narration_hearing_asking(a->narr) && strcmp(audio_asked(app_audio(a)), content_clip),
              "the nudity question was said before asking who could hear (%s)", audio_asked(app_audio(a)));
        expect_clip(a, L, "say.hearing_question");
        if (s)
            shot(a, "hearing");
        answer_hearing(a, !r->people_near);
    }
    if (r->people_near)
        CHECK(strcmp(audio_asked(app_audio(a)), content_clip), "people near: the nudity question said");
    else
        expect_clip(a, L, "screen.questions.content");
    tap_row(a, "questions.content", 0);
    expect_clip(a, L, "say.yes");
    if (s)
        shot(a, "content");
    if (r->stop == ST_CONTENT)
        return;
    tap(a, "questions.next");
    /* People near: the pages after the question are quiet too. */
    route_pages(a, r->people_near ? NULL : L, s);
    wait_screen(a, "connect", 2000);
    expect_clip(a, L, "screen.connect");
    if (!a->volumes || a->volumes->count == 0) {
        if (s)
            shot(a, "connect_waiting");
        /* Plugged in now: the list updates by itself. */
        if (r->fake_phone) {
            r->phone_idx = kfix_add_phone(cur_fix, "R58N12ABC", r->big_phone ? r->photos : 0, 200, &r->phone_dir);
            REQUIRE(r->phone_idx >= 0, "plug in the phone");
            /* The fake phone reads its folder like any program (access
             * times move); names, sizes, dates and modes must not. */
            list_tree_as(r->phone_dir, phone_tree, sizeof phone_tree, false);
            wait_volumes(a, 1);
            CHECK(wait_for(a, first_ready, NULL, 10000), "the phone is ready");
            CHECK(a->volumes->v[0].kind == DEVICE_KIND_PHONE && !strcmp(a->volumes->v[0].label, "Galaxy A14"),
                  "shown as a phone by its model");
        } else {
            const char *dev = kfix_make_phone(cur_fix, r->big_phone ? "BIG" : "PHONE",
                                              r->big_phone ? r->photos : 0);
            REQUIRE(dev, "make the phone");
            list_tree(dev, phone_tree, sizeof phone_tree);
            wait_volumes(a, 1);
        }
        pump(a, 2);
        expect_clip(a, L, "event.device_found");   /* what to do now, said */
    }
    if (s)
        shot(a, "connect");
    if (r->stop == ST_CONNECT)
        return;
    choose_device(a);
    /* The gallery: albums, as the phone's own gallery shows them. */
    CHECK(!*app_screen_part(a), "Choose opens on the gallery (%s)", app_screen_part(a));
    expect_clip(a, L, "screen.choose");
    if (s)
        shot(a, "choose_gallery");
    tap_album(a, MEDIA_ALBUM_CAMERA);
    CHECK(!strcmp(app_screen_part(a), "album"), "the Camera album opens (%s)", app_screen_part(a));
    expect_clip(a, L, "screen.choose.album");
    settle_media(a);
    if (s)
        shot(a, "choose_camera");
    tap(a, "choose.all");
    expect_clip(a, L, "say.choose_all_album");
    size_t all = r->big_phone ? (size_t)r->photos : 11u;
    CHECK(a->session.nitems == all, "choose all in this album: %zu", a->session.nitems);
    /* Unchoose one and choose it again with a tap. */
    tap_cell(a, 1);
    CHECK(a->session.nitems == all - 1, "a tap unchooses (%zu)", a->session.nitems);
    tap_cell(a, 1);
    if (s) {
        shot(a, "choose_all");
        /* Press and hold the first photo: that one is shown clearly, and the
         * hold is not a tap (its choice stays). */
        size_t before = a->session.nitems;
        hold_id(a, screen_choose_cell(3), 800, hold_shot);
        CHECK(a->session.nitems == before, "press and hold changed the choice");
    }
    if (!r->big_phone) {
        /* Back to the albums, into Other (the cards in Pictures), one card. */
        tap(a, "choose.back");
        CHECK(!*app_screen_part(a), "Back goes to the albums (%s)", app_screen_part(a));
        CHECK(!strcmp(app_screen(a), "choose"), "and stays on Choose");
        tap_album(a, MEDIA_ALBUM_OTHER);
        settle_media(a);
        tap_cell(a, 0);
        CHECK(a->session.nitems == 12, "chosen across albums: %zu", a->session.nitems);
        if (s)
            shot(a, "choose_other");
    }
    if (r->stop == ST_CHOOSE)
        return;
    tap(a, "choose.next");
    wait_screen(a, "fingerprint", 2000);
    expect_clip(a, L, "screen.fingerprint");
    if (r->stop == ST_FINGERPRINT)
        return;
    CHECK(wait_for(a, fingerprint_finished, NULL, 120000), "fingerprinting never finished");
    pump(a, 2);
    if (!r->big_phone) {
        /* The damaged file: a plain reason, the rest went on. */
        CHECK(!strcmp(app_screen(a), "fingerprint"), "stays to explain the damaged file");
        struct session_counts c;
        session_counts(&a->session, &c);
        CHECK(c.failed == 1 && c.done == 11, "done %zu failed %zu", c.done, c.failed);
        for (size_t i = 0; i < a->session.nitems; i++)
            if (a->session.items[i].state == ITEM_FAILED)
                CHECK(a->session.items[i].problem == PROBLEM_CORRUPT &&
                          strstr(a->session.items[i].path, "IMG_0010"),
                      "the damaged file is named damaged");
        expect_clip(a, L, "event.some_failed");
        if (s) {
            settle_media(a);
            shot(a, "fingerprint_problems");
        }
        check_no_names(a, "fingerprinting problems");
        tap(a, "fingerprint.next");
    }
    wait_screen(a, "review", 3000);
    expect_clip(a, L, "screen.review");
    if (s) {
        settle_media(a);   /* the pictures, blurred */
        shot(a, "review");
        check_review(a, "review");
    }
    if (r->remove_one) {
        for (size_t i = 0; i < a->session.nitems; i++)
            if (a->session.items[i].state == ITEM_DONE) {
                snprintf(r->removed, sizeof r->removed, "%s", a->session.items[i].path);
                break;
            }
        tap_row(a, "review.remove", 0);
        CHECK(!session_find(&a->session, r->removed), "Remove took it out");
    }
    if (r->stop == ST_REVIEW)
        return;
    tap(a, "review.next");
    wait_screen(a, "confirm", 2000);
    expect_clip(a, L, "screen.confirm");
    if (s)
        shot(a, "confirm");
    if (r->stop == ST_CONFIRM)
        return;
    tap(a, "confirm.send");
    wait_screen(a, "case_code", 10000);
    CHECK(a->session.have_receipt, "a receipt");
    if (r->people_near)
        CHECK(strncmp(audio_asked(app_audio(a)) + 3, "screen.case_code", 16) &&
                  !narration_hearing_asking(a->narr),
              "people near: the case code screen said (%s) or asked again", audio_asked(app_audio(a)));
    else
        expect_clip(a, L, "screen.case_code");
    snprintf(r->case_code, sizeof r->case_code, "%s", a->session.receipt.case_code);
    {
        /* Digits in three groups of four, whole (its check digit right). */
        char norm[REPORT_CASE_CODE_LEN + 1];
        CHECK(strlen(r->case_code) == 14 && strspn(r->case_code, "0123456789-") == 14 &&
                  report_case_code_normalize(r->case_code, norm) == 0 && !strcmp(norm, r->case_code),
              "the case code shown is digits in groups: %s", r->case_code);
    }
    if (s) {
        /* A fixed code for the screenshot (the real one is random). */
        snprintf(a->session.receipt.case_code, sizeof a->session.receipt.case_code, "4820-7316-5912");
        snprintf(a->session.receipt.pin, sizeof a->session.receipt.pin, "482913");
        shot(a, "case_code");
        check_case_code(a, "case code");
    }
    if (r->stop == ST_CASE_CODE)
        return;
    tap(a, "case_code.done");
    if (s)
        shot(a, "case_code_confirm");
    tap_id(a, ui_id_index(ui_id("case_code.confirm"), 1), "yes, I have it");
    wait_screen(a, "finish", 2000);
    CHECK(a->session.nitems == 0 && !a->session.have_receipt, "finish wiped the session's data");
    expect_clip(a, L, "screen.finish");
    if (s)
        shot(a, "finish");
    if (r->stop == ST_FINISH)
        return;
    tap(a, "finish.done");
    wait_screen(a, "welcome", 2000);
    CHECK(session_zero(&a->session), "after Finish the session is all zero");
}

/* ---- checking the queued report against `hifazat hash` */

static char *run_cmd(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += r;
        if (cap - n < 4096) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
    }
    int st = pclose(p);
    if (buf)
        buf[n] = '\0';
    if (st != 0) {
        fprintf(stderr, "command failed (%d): %s\n", st, cmd);
        free(buf);
        return NULL;
    }
    return buf;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted "type value variant" lines. */
struct sigset {
    char **v;
    size_t n, cap;
};

static void sig_add(struct sigset *s, const char *type, const char *value, const char *variant)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof(char *));
    }
    size_t n = strlen(type) + strlen(value) + (variant ? strlen(variant) : 0) + 3;
    char *buf = malloc(n);
    REQUIRE(buf, "malloc");
    snprintf(buf, n, "%s %s %s", type, value, variant ? variant : "");
    s->v[s->n++] = buf;
}

static void sig_free(struct sigset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static void expected_from_hash(struct sigset *s, const char *jsonl, size_t *files)
{
    *files = 0;
    const char *p = jsonl;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t je;
        json_t *o = json_loadb(p, len, 0, &je);
        p = nl ? nl + 1 : NULL;
        if (!o)
            continue;
        (*files)++;
        bool video = !strcmp(json_string_value(json_object_get(o, "kind")) ?: "", "video");
        const char *md5 = json_string_value(json_object_get(o, "md5"));
        const char *sha = json_string_value(json_object_get(o, "sha256"));
        const char *sha1 = json_string_value(json_object_get(o, "sha1"));
        if (md5)
            sig_add(s, video ? "video_md5" : "md5", md5, NULL);
        if (sha1)
            sig_add(s, video ? "video_sha1" : "sha1", sha1, NULL);
        if (sha)
            sig_add(s, video ? "video_sha256" : "sha256", sha, NULL);
        static const char *const pdq[][2] = {{"pdq", NULL},
                                             {"pdq_full", "full"},
                                             {"pdq_displayed", "displayed"},
                                             {"pdq_displayed_full", "displayed_full"}};
        for (int k = 0; k < 4; k++) {
            const char *v = json_string_value(json_object_get(o, pdq[k][0]));
            if (v)
                sig_add(s, "pdq", v, pdq[k][1]);
        }
        /* vPDQ: one signal row per frame, uniform (all-zero) frames left out. */
        static const char *const vp[][2] = {{"vpdq", NULL}, {"vpdq_displayed", "displayed"}};
        for (int k = 0; k < 2; k++) {
            size_t fi;
            json_t *fr;
            json_array_foreach(json_object_get(o, vp[k][0]), fi, fr) {
                const char *v = json_string_value(fr);
                if (v && strspn(v, "0") < 64)
                    sig_add(s, "vpdq", v, vp[k][1]);
            }
        }
        json_decref(o);
    }
    qsort(s->v, s->n, sizeof(char *), cmp_str);
}

/* One CSV line into fields (RFC 4180 quoting, as `hifazat open` writes). */
static int csv_split(const char *line, char fields[][400], int max)
{
    int n = 0;
    const char *p = line;
    while (n < max) {
        size_t o = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++;
                if (o + 1 < 400)
                    fields[n][o++] = *p;
            }
            if (*p == '"')
                p++;
        } else {
            for (; *p && *p != ',' && *p != '\n'; p++)
                if (o + 1 < 400)
                    fields[n][o++] = *p;
        }
        fields[n++][o] = '\0';
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

static void from_csv(struct sigset *s, const char *csv, const char *case_code, size_t *items)
{
    *items = 0;
    const char *p = csv;
    int max_item = 0;
    static char f[10][400];
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        char line[1200];
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        p = nl ? nl + 1 : NULL;
        int nf = csv_split(line, f, 10);
        if (nf < 9 || strcmp(f[0], case_code))
            continue;
        sig_add(s, f[2], f[3], f[8][0] ? f[8] : NULL);
        if (atoi(f[6]) > max_item)
            max_item = atoi(f[6]);
    }
    *items = (size_t)max_item;
    qsort(s->v, s->n, sizeof(char *), cmp_str);
}

static void verify_report(const struct kfix *f, const char *case_code, const char *const *paths,
                          size_t npaths)
{
    const char *bin = getenv("HIFAZAT_BIN");
    REQUIRE(bin, "HIFAZAT_BIN not set (run through ctest)");
    char out[1300], cmd[20000];
    snprintf(out, sizeof out, "%s/courier", f->root);
    mkdir(out, 0700);
    snprintf(cmd, sizeof cmd, "'%s/hifazat' export --config '%s' --to '%s' --all >/dev/null", bin,
             f->config, out);
    char *o = run_cmd(cmd);
    CHECK(o, "hifazat export");
    free(o);
    /* the helpline registers this kiosk by its public key */
    char keyfile[1200], kiosks[1300];
    snprintf(keyfile, sizeof keyfile, "%s/kiosk.key", f->data);
    snprintf(kiosks, sizeof kiosks, "%s/kiosks.txt", f->root);
    json_t *kj = json_load_file(keyfile, 0, NULL);
    FILE *kf = fopen(kiosks, "w");
    REQUIRE(kj && kf, "the kiosk's public key for --kiosks");
    fprintf(kf, "%s test kiosk\n", json_string_value(json_object_get(kj, "public_key")));
    fclose(kf);
    json_decref(kj);
    snprintf(cmd, sizeof cmd,
             "'%s/hifazat' open '%s'/*.tar --key '%s/helpline.key' --passphrase-file '%s' "
             "--kiosks '%s' --jsonl /dev/null --csv -",
             bin, out, f->keydir, f->passfile, kiosks);
    char *csv = run_cmd(cmd);
    REQUIRE(csv, "hifazat open");
    size_t n = (size_t)snprintf(cmd, sizeof cmd, "'%s/hifazat' hash -q", bin);
    for (size_t i = 0; i < npaths; i++)
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " '%s'", paths[i]);
    char *jsonl = run_cmd(cmd);
    REQUIRE(jsonl, "hifazat hash");
    struct sigset want = {0}, got = {0};
    size_t files, items;
    expected_from_hash(&want, jsonl, &files);
    from_csv(&got, csv, case_code, &items);
    CHECK(files == npaths && items == npaths, "report %s: %zu items for %zu files", case_code, items,
          npaths);
    bool same = want.n == got.n;
    for (size_t i = 0; same && i < want.n; i++)
        same = !strcmp(want.v[i], got.v[i]);
    CHECK(same && want.n > 0, "report %s: %zu signals vs %zu from hifazat hash", case_code, got.n, want.n);
    if (!same)
        for (size_t i = 0; i < want.n || i < got.n; i++)
            fprintf(stderr, "  want %-90s got %s\n", i < want.n ? want.v[i] : "-",
                    i < got.n ? got.v[i] : "-");
    sig_free(&want);
    sig_free(&got);
    free(csv);
    free(jsonl);
}

static void section_flow(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "flow", KFIX_HELPLINE_SECRET) == 0, "fixture");
    cur_fix = &f;
    /* Urdu and English at 1280x800, then Urdu on a 1024x600 netbook (every
     * step at both sizes in Urdu). */
    const char *langs[] = {"ur", "en", "ur"};
    struct run runs[3];
    for (int l = 0; l < 3; l++) {
        lang_now = l < 2 ? langs[l] : "ur_1024x600";
        shot_only = NULL;
        app_w = l < 2 ? 1280 : 1024;
        app_h = l < 2 ? 800 : 600;
        struct app *a = open_app(&f, langs[l], 0);
        runs[l] = (struct run){.lang = langs[l], .shots = true, .remove_one = l == 0, .stop = ST_DONE};
        walk(a, &runs[l]);
        app_destroy(a);
        shot_only = NULL;
        app_w = 1280;
        app_h = 800;
        {
            /* The person's device: read, never written (nor its access times). */
            static char after[1 << 16];
            char dev[1200];
            snprintf(dev, sizeof dev, "%s/PHONE", f.media);
            list_tree(dev, after, sizeof after);
            CHECK(phone_tree[0] && !strcmp(phone_tree, after), "the device changed:\n%s\n---\n%s",
                  phone_tree, after);
        }
        if (l < 2) {
            /* Taken out: the next run plugs it in again on "Connect". */
            char dev[1200];
            snprintf(dev, sizeof dev, "%s/PHONE", f.media);
            rm_rf(dev);
        }
        CHECK(queue_pending(&f) == (size_t)l + 1, "one more report queued (%zu)", queue_pending(&f));
    }
    /* The reports hold exactly what `hifazat hash` says of the files. */
    char dev[1200];
    snprintf(dev, sizeof dev, "%s/PHONE", f.media);
    for (int l = 0; l < 3; l++) {
        const char *paths[16];
        static char buf[16][1400];
        size_t n = 0;
        for (int i = 0; kfix_phone_files[i]; i++) {
            if (strstr(kfix_phone_files[i], "IMG_0010") || strstr(kfix_phone_files[i], "card-1"))
                continue;   /* damaged; not chosen */
            snprintf(buf[n], sizeof buf[n], "%s/%s", dev, kfix_phone_files[i]);
            if (runs[l].removed[0] && !strcmp(buf[n], runs[l].removed))
                continue;
            paths[n] = buf[n];
            n++;
        }
        verify_report(&f, runs[l].case_code, paths, n);
    }
    kfix_destroy(&f);
}

/* ---- the questions StopNCII and Take It Down ask */

/* The sealed reports, opened as the helpline opens them (JSON Lines). */
static char *opened_reports(const struct kfix *f)
{
    const char *bin = getenv("HIFAZAT_BIN");
    REQUIRE(bin, "HIFAZAT_BIN not set (run through ctest)");
    char out[1300], cmd[6000], keyfile[1200], kiosks[1300];
    snprintf(out, sizeof out, "%s/courier", f->root);
    mkdir(out, 0700);
    snprintf(cmd, sizeof cmd, "'%s/hifazat' export --config '%s' --to '%s' --all >/dev/null", bin,
             f->config, out);
    free(run_cmd(cmd));
    snprintf(keyfile, sizeof keyfile, "%s/kiosk.key", f->data);
    snprintf(kiosks, sizeof kiosks, "%s/kiosks.txt", f->root);
    json_t *kj = json_load_file(keyfile, 0, NULL);
    FILE *kf = fopen(kiosks, "w");
    REQUIRE(kj && kf, "the kiosk's public key for --kiosks");
    fprintf(kf, "%s test kiosk\n", json_string_value(json_object_get(kj, "public_key")));
    fclose(kf);
    json_decref(kj);
    snprintf(cmd, sizeof cmd,
             "'%s/hifazat' open '%s'/*.tar --key '%s/helpline.key' --passphrase-file '%s' "
             "--kiosks '%s' --jsonl -",
             bin, out, f->keydir, f->passfile, kiosks);
    char *jsonl = run_cmd(cmd);
    REQUIRE(jsonl, "hifazat open");
    return jsonl;
}

/* The opened report with this case code (a new reference), or NULL. */
static json_t *opened_report(const char *jsonl, const char *case_code)
{
    for (const char *p = jsonl; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        json_t *doc = json_loadb(p, len, 0, NULL);
        const char *cc = doc ? json_string_value(json_object_get(doc, "case_code")) : NULL;
        if (cc && !strcmp(cc, case_code))
            return doc;
        json_decref(doc);
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* From the page after "What kind of pictures?" to a queued report: the
 * Camera album, fingerprinted, sent. Returns with the case code shown. */
static void send_camera_album(struct app *a, char *case_code, size_t n)
{
    CHECK(!strcmp(app_screen_part(a), "platforms"), "the sites before Connect (%s)", app_screen_part(a));
    tap(a, "questions.next");
    wait_screen(a, "connect", 2000);
    if (!a->volumes || a->volumes->count == 0)
        REQUIRE(kfix_make_phone(cur_fix, "PHONE", 0), "make the phone");
    wait_volumes(a, 1);
    choose_device(a);
    tap_album(a, MEDIA_ALBUM_CAMERA);
    settle_media(a);
    tap(a, "choose.all");
    tap(a, "choose.next");
    wait_screen(a, "fingerprint", 2000);
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "fingerprinting");
    pump(a, 2);
    if (!strcmp(app_screen(a), "fingerprint"))
        tap(a, "fingerprint.next");   /* past the damaged file's reason */
    wait_screen(a, "review", 3000);
    tap(a, "review.next");
    wait_screen(a, "confirm", 2000);
    tap(a, "confirm.send");
    wait_screen(a, "case_code", 10000);
    snprintf(case_code, n, "%s", a->session.receipt.case_code);
}

/* Nothing said aloud on "What kind of pictures?" names what is in them. */
static void check_content_clip_neutral(void)
{
    const struct guide_screen *g = guide_screen_find("questions", "content");
    REQUIRE(g, "the content page's clip");
    static const char *const words[] = {"nude", "sexual", "naked", "برہنہ", "جنسی", "بے لباس", "ننگ", NULL};
    const char *ur = _(g->text);
    for (const char *const *w = words; *w; w++)
        CHECK(!strstr(g->text, *w) && !strstr(ur, *w), "the content page's clip says \"%s\"", *w);
}

static void section_questions(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "questions", KFIX_HELPLINE_SECRET) == 0, "fixture");
    cur_fix = &f;
    /* Urdu and English at 1280x800, then Urdu at 1024x600: every new page's
     * golden; the young people's route with copies and an adult's helper
     * with their agreement go on to a queued report (the first two runs). */
    const char *langs[] = {"ur", "en", "ur"};
    char codes[2][16] = {"", ""};
    for (int l = 0; l < 3; l++) {
        const char *L = langs[l];
        lang_now = l < 2 ? L : "ur_1024x600";
        app_w = l < 2 ? 1280 : 1024;
        app_h = l < 2 ? 800 : 600;
        struct app *a = open_app(&f, L, 0);
        if (l == 0)
            check_content_clip_neutral();

        /* An adult's pictures, someone helping: is the person here, and do
         * they agree? No: what they can do, and nothing is kept. */
        struct run r = {.lang = L, .stop = ST_AGE};
        walk(a, &r);
        tap_row(a, "questions.age", 1);
        tap(a, "questions.next");
        tap_row(a, "questions.who", 2);
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "content"), "what kind of pictures (%s)", app_screen_part(a));
        answer_hearing(a, true);
        expect_clip(a, L, "screen.questions.content");
        /* Someone threatening to share them: the advice, then back. */
        tap(a, "questions.threats");
        CHECK(!strcmp(app_screen_part(a), "threats"), "the advice on threats (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.threats");
        shot(a, "threats");
        tap(a, "questions.back");
        CHECK(!strcmp(app_screen_part(a), "content"), "back to the question (%s)", app_screen_part(a));
        tap_row(a, "questions.content", 0);
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "consent"), "the person's agreement (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.consent");
        tap_row(a, "questions.consent", 1);
        expect_clip(a, L, "say.consent_no");
        shot(a, "consent");
        size_t before = queue_pending(&f);
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "no_consent"), "only they can report (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.no_consent");
        shot(a, "no_consent");
        tap(a, "questions.next");
        wait_screen(a, "welcome", 2000);
        CHECK(session_zero(&a->session), "not here or not agreeing: the session is wiped");
        CHECK(queue_pending(&f) == before, "not here or not agreeing: nothing queued");

        if (l == 1) {
            /* English: they are here and agree: the sites, then the flow. */
            walk(a, &r);
            tap_row(a, "questions.age", 1);
            tap(a, "questions.next");
            tap_row(a, "questions.who", 2);
            tap(a, "questions.next");
            answer_hearing(a, true);
            tap_row(a, "questions.content", 0);
            tap(a, "questions.next");
            tap_row(a, "questions.consent", 0);
            expect_clip(a, L, "say.consent_yes");
            tap(a, "questions.next");
            expect_clip(a, L, "screen.questions.platforms");
            shot(a, "platforms_helper");
            send_camera_album(a, codes[1], sizeof codes[1]);
            key(a, SDLK_F12);
            wait_screen(a, "welcome", 2000);
        }

        /* Under 18: originals or copies? Copies: what that means. */
        walk(a, &r);
        tap_row(a, "questions.age", 0);
        tap(a, "questions.next");
        tap_row(a, "questions.who", 0);
        tap(a, "questions.next");
        answer_hearing(a, true);
        tap_row(a, "questions.content", 0);
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "origin"), "originals or copies (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.origin");
        tap_row(a, "questions.origin", 1);
        expect_clip(a, L, "say.origin_copies");
        shot(a, "origin");
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "copies"), "what copies mean (%s)", app_screen_part(a));
        expect_clip(a, L, "screen.questions.copies");
        shot(a, "copies");
        tap(a, "questions.next");
        expect_clip(a, L, "screen.questions.platforms");
        if (l == 2)
            shot(a, "platforms");
        /* Back: to what copies mean, then on again. */
        tap(a, "questions.back");
        CHECK(!strcmp(app_screen_part(a), "copies"), "Back from the sites (%s)", app_screen_part(a));
        tap(a, "questions.next");
        if (l == 0) {
            send_camera_album(a, codes[0], sizeof codes[0]);
            key(a, SDLK_F12);
            wait_screen(a, "welcome", 2000);
        }
        app_destroy(a);
    }
    app_w = 1280;
    app_h = 800;
    /* The helpline reads the answer: copies on the young people's route;
     * nothing on the adult route, where it is not asked. */
    char *jsonl = opened_reports(&f);
    json_t *young = opened_report(jsonl, codes[0]), *adult = opened_report(jsonl, codes[1]);
    CHECK(young && adult, "both reports opened");
    if (young) {
        const char *o = json_string_value(json_object_get(young, "origin"));
        CHECK(o && !strcmp(o, "copy"), "origin on the young people's route: %s", o ? o : "(none)");
        CHECK(!strcmp(json_string_value(json_object_get(young, "route")), "under18"), "route under18");
    }
    if (adult) {
        CHECK(!json_object_get(adult, "origin"), "no origin on the adult route");
        CHECK(!strcmp(json_string_value(json_object_get(adult, "reporter")), "helper"), "reported by a helper");
    }
    json_decref(young);
    json_decref(adult);
    free(jsonl);
    CHECK(queue_pending(&f) + 0 <= 2, "only the two reports");
    kfix_destroy(&f);
}

/* ---- the whole flow on a phone by cable */

static void section_phone(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phone", KFIX_HELPLINE_SECRET) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct run r = {.lang = "ur", .stop = ST_DONE, .fake_phone = true};
    walk(a, &r);
    app_destroy(a);
    REQUIRE(r.phone_dir, "the phone was plugged in");
    static char after[1 << 16];
    list_tree_as(r.phone_dir, after, sizeof after, false);
    CHECK(phone_tree[0] && !strcmp(phone_tree, after), "the phone's files changed:\n%s\n---\n%s", phone_tree,
          after);
    CHECK(queue_pending(&f) == 1, "one report queued (%zu)", queue_pending(&f));
    /* The same files on disk, as `hifazat hash` sees them. */
    const char *paths[16];
    static char buf[16][1400];
    size_t n = 0;
    for (int i = 0; kfix_phone_files[i]; i++) {
        if (strstr(kfix_phone_files[i], "IMG_0010") || strstr(kfix_phone_files[i], "card-1"))
            continue; /* damaged; not chosen */
        snprintf(buf[n], sizeof buf[n], "%s/%s", r.phone_dir, kfix_phone_files[i]);
        paths[n] = buf[n];
        n++;
    }
    verify_report(&f, r.case_code, paths, n);
    kfix_destroy(&f);
}

/* The phone's cable pulled out while fingerprinting: the file being read
 * and the rest are named "removed", the finished ones stay; plugged in
 * again, it is the same device (same id) and Try again finishes them. */
static void section_phone_removed(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phoneremoved", 0) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct run r = {.lang = "ur", .stop = ST_FINGERPRINT, .big_phone = true, .photos = 40, .fake_phone = true};
    walk(a, &r);
    const uint64_t id = a->session.volume_id;
    CHECK(id && app_volume(a, id) && app_volume(a, id)->kind == DEVICE_KIND_PHONE, "the session's device is the phone");
    /* Let a few files through, then pull the cable. */
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < 300)
        app_pump(a, 20);
    fakephone_unplug(f.phones, r.phone_idx);
    devices_rescan(f.devices);
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "fingerprinting did not end");
    pump(a, 3);
    CHECK(!strcmp(app_screen(a), "fingerprint"), "stays to explain (on %s)", app_screen(a));
    CHECK(!app_volume(a, id), "the phone left the list");
    struct session_counts c;
    session_counts(&a->session, &c);
    size_t removed = 0;
    for (size_t i = 0; i < a->session.nitems; i++)
        removed += a->session.items[i].state == ITEM_FAILED && a->session.items[i].problem == PROBLEM_REMOVED;
    CHECK(c.failed > 0 && removed == c.failed, "every failure says 'removed' (%zu of %zu)", removed, c.failed);
    CHECK(c.done + c.failed == 40, "every file accounted for (%zu + %zu)", c.done, c.failed);
    for (int i = 0; i < 5; i++)
        CHECK(app_draw(a, true) == 0, "frame after the cable was pulled");
    /* Said and shown: the phone went, what was made is kept, plug it in
     * again; no Try again while there is nothing to read. */
    expect_clip(a, "ur", "event.device_removed");
    CHECK(!find_hit(a, ui_id("fingerprint.retry")), "no Try again without the phone");
    const size_t done_before = c.done;
    /* Plugged in again the way an Android phone comes back: charging only.
     * Its steps are shown and said; still nothing to retry. */
    const int back = kfix_plug_phone(&f, "R58N12ABC", "Galaxy A14", KFIX_PLUG_CHARGING_ONLY);
    REQUIRE(back >= 0, "plug it in again");
    const struct device_info *v = wait_dev(a, "Galaxy A14", DEVICE_CHARGING_ONLY);
    CHECK(v && v->id == id, "the same phone, the same id");
    expect_clip(a, "ur", "device.charging_only");
    app_draw(a, true);
    CHECK(!find_hit(a, ui_id("fingerprint.retry")), "no Try again while it only charges");
    session_counts(&a->session, &c);
    CHECK(c.done == done_before, "the finished ones stay (%zu, %zu before)", c.done, done_before);
    /* "File transfer" chosen: the same phone, readable; Try again is the
     * way on, focused and said. */
    fakephone_unplug(f.phones, back);
    REQUIRE(kfix_add_phone(&f, "R58N12ABC", 40, 200, NULL) >= 0, "file transfer");
    CHECK(wait_for(a, first_ready, NULL, 10000) && app_volume(a, id), "back with the same id");
    expect_clip(a, "ur", "event.device_back");
    app_draw(a, true);
    CHECK(find_hit(a, ui_id("fingerprint.retry")) && ui_focus(app_ui(a)) == ui_id("fingerprint.retry"),
          "Try again shown and focused");
    CHECK(!strcmp(app_screen(a), "fingerprint") && app_jobs_running(a) == 0, "it does not start by itself");
    tap(a, "fingerprint.retry");
    CHECK(wait_for(a, fingerprint_finished, NULL, 120000), "the second run did not end");
    pump(a, 3);
    session_counts(&a->session, &c);
    CHECK(c.done == 40 && c.failed == 0, "all made after plugging it in again: %zu done, %zu failed (%zu before)",
          c.done, c.failed, done_before);
    wait_screen(a, "review", 3000);
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- a phone in every state on Connect */

static const struct device_info *dev_named(struct app *a, const char *label)
{
    for (size_t i = 0; a->volumes && i < a->volumes->count; i++)
        if (!strcmp(a->volumes->v[i].label, label))
            return &a->volumes->v[i];
    return NULL;
}

struct dev_want {
    const char *label;
    enum device_state state;
};

static bool dev_is(struct app *a, const void *arg)
{
    const struct dev_want *w = arg;
    const struct device_info *v = dev_named(a, w->label);
    return v && v->state == w->state;
}

static const struct device_info *wait_dev(struct app *a, const char *label, enum device_state s)
{
    struct dev_want w = {label, s};
    CHECK(wait_for(a, dev_is, &w, 10000), "%s never became %s", label, device_state_name(s));
    pump(a, 3);
    return dev_named(a, label);
}

static int ignore_entry(void *ctx, const struct device_entry *e)
{
    (void)ctx;
    (void)e;
    return 0;
}

static bool no_devices(struct app *a, const void *arg)
{
    (void)arg;
    return a->volumes && a->volumes->count == 0;
}

/* Pulls out phone ph and waits until Connect has no device left. */
static void unplug_phone(struct app *a, struct kfix *f, int ph)
{
    fakephone_unplug(f->phones, ph);
    devices_rescan(f->devices);
    CHECK(wait_for(a, no_devices, NULL, 5000), "unplugged");
}

/* How many devices Connect offers as buttons (only READY ones can be chosen). */
static int device_buttons(struct app *a)
{
    app_draw(a, true);
    int n = 0;
    for (int i = 0; i < 8; i++)
        n += find_hit(a, ui_id_index(ui_id("connect.device"), i)) != NULL;
    return n;
}

/* The device state changes the app told its listeners, "kind=state " each. */
static char dev_events[4096];

static void on_dev_event(void *ctx, const char *kind, const char *state)
{
    (void)ctx;
    size_t l = strlen(dev_events);
    snprintf(dev_events + l, sizeof dev_events - l, "%s=%s ", kind, state);
}

/* Are the words of want (space-separated) in got, in that order? */
static bool in_order(const char *got, const char *want)
{
    char w[1024];
    snprintf(w, sizeof w, "%s", want);
    const char *at = got;
    for (char *tok = strtok(w, " "); tok; tok = strtok(NULL, " ")) {
        char needle[128];
        snprintf(needle, sizeof needle, "%s ", tok);
        at = strstr(at, needle);
        if (!at)
            return false;
        at += strlen(needle);
    }
    return true;
}

static void to_connect(struct app *a, const char *lang)
{
    struct run r = {.lang = lang, .stop = ST_CONTENT};
    walk(a, &r);
    tap(a, "questions.next");
    route_pages(a, lang, false);
    wait_screen(a, "connect", 2000);
    expect_clip(a, lang, "screen.connect");
}

/* Each state's words, pictograms (goldens) and clip, and that nothing can
 * be chosen until the phone can be read. */
static void connect_states(struct kfix *f, const char *L)
{
    struct app_options o;
    kfix_options(f, &o, app_w, app_h);
    o.lang = L;
    o.test_events = true;
    char err[800];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    REQUIRE(a, "app_create: %s", err);
    dev_events[0] = '\0';
    static const struct app_listener l = {.device = on_dev_event};
    app_add_listener(a, &l, NULL);
    to_connect(a, L);

    /* Android's default: charging only. Its steps, big; no button. */
    int ph = kfix_plug_phone(f, "R58N12ABC", "Galaxy A14", KFIX_PLUG_CHARGING_ONLY);
    REQUIRE(ph >= 0, "plug");
    const struct device_info *v = wait_dev(a, "Galaxy A14", DEVICE_CHARGING_ONLY);
    REQUIRE(v, "charging only");
    const uint64_t id = v->id;
    CHECK(v->kind == DEVICE_KIND_PHONE, "a phone");
    expect_clip(a, L, "device.charging_only");
    CHECK(device_buttons(a) == 0, "a phone that only charges cannot be chosen");
    shot(a, "connect_charging_only");
    if (audio_available(app_audio(a))) {
        tap(a, UI_LISTEN_ID);
        expect_clip(a, L, "device.charging_only");   /* Listen again: the steps, again */
    }
    /* "File transfer" chosen: the phone comes back as another USB device
     * with the same serial: the same id, being opened, then readable. */
    fakephone_unplug(f->phones, ph);
    ph = kfix_plug_phone(f, "R58N12ABC", "Galaxy A14", KFIX_PLUG_OPENING);
    v = wait_dev(a, "Galaxy A14", DEVICE_CONNECTING);
    CHECK(v && v->id == id, "the same phone while it opens");
    expect_clip(a, L, "device.connecting");
    CHECK(device_buttons(a) == 0, "a phone being opened cannot be chosen");
    fakephone_set(f->phones, ph, FAKEPHONE_READY);
    v = wait_dev(a, "Galaxy A14", DEVICE_READY);
    CHECK(v && v->id == id, "the same phone, readable");
    expect_clip(a, L, "event.device_found");
    CHECK(device_buttons(a) == 1, "now it can be chosen");
    shot(a, "connect_phone_ready");
    /* Nothing chooses it for the person. */
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < 400)
        app_pump(a, 20);
    CHECK(!strcmp(app_screen(a), "connect") && a->session.volume_id == 0, "not chosen by itself");
    unplug_phone(a, f, ph);

    /* A locked Android phone: unlock it (and allow access). */
    ph = kfix_plug_phone(f, "LOCK77", "Galaxy A05", KFIX_PLUG_LOCKED);
    wait_dev(a, "Galaxy A05", DEVICE_LOCKED);
    expect_clip(a, L, "device.locked");
    CHECK(device_buttons(a) == 0, "a locked phone cannot be chosen");
    shot(a, "connect_locked");
    fakephone_set(f->phones, ph, FAKEPHONE_READY);
    wait_dev(a, "Galaxy A05", DEVICE_READY);
    expect_clip(a, L, "event.device_found");
    CHECK(device_buttons(a) == 1, "unlocked: it can be chosen");
    unplug_phone(a, f, ph);

    /* An iPhone that has not trusted this computer. */
    ph = kfix_plug_phone(f, "IPH0NE1", "iPhone", KFIX_PLUG_IPHONE | KFIX_PLUG_LOCKED);
    v = wait_dev(a, "iPhone", DEVICE_UNTRUSTED);
    CHECK(v && v->kind == DEVICE_KIND_IPHONE, "an iPhone");
    expect_clip(a, L, "device.untrusted");
    CHECK(device_buttons(a) == 0, "an untrusted iPhone cannot be chosen");
    shot(a, "connect_untrusted");
    fakephone_set(f->phones, ph, FAKEPHONE_READY);
    wait_dev(a, "iPhone", DEVICE_READY);
    expect_clip(a, L, "event.device_found");
    unplug_phone(a, f, ph);

    /* A phone that stops answering (a request left unanswered past the
     * layer's timeout), then unplugged and plugged in again. */
    ph = kfix_plug_phone(f, "R58N12ABC", "Galaxy A14", 0);
    v = wait_dev(a, "Galaxy A14", DEVICE_READY);
    REQUIRE(v, "ready");
    char root[256];
    snprintf(root, sizeof root, "%s", v->root);
    fakephone_set(f->phones, ph, FAKEPHONE_HANG);
    struct device_error derr;
    CHECK(device_folder_list(f->devices, root, ignore_entry, NULL, NULL, &derr) != 0 &&
              derr.code == DEVICE_ERR_TIMEOUT,
          "the request timed out (%s)", device_err_code(derr.code));
    wait_dev(a, "Galaxy A14", DEVICE_NOT_ANSWERING);
    expect_clip(a, L, "device.not_answering");
    CHECK(device_buttons(a) == 0, "a phone that does not answer cannot be chosen");
    shot(a, "connect_not_answering");
    fakephone_unplug(f->phones, ph);
    ph = kfix_plug_phone(f, "R58N12ABC", "Galaxy A14", 0);
    v = wait_dev(a, "Galaxy A14", DEVICE_READY);
    CHECK(v && v->id == id, "plugged in again: readable, the same id");
    expect_clip(a, L, "event.device_found");
    unplug_phone(a, f, ph);

    /* Busy (another program has it), then free. */
    ph = kfix_plug_phone(f, "BUSY1", "Redmi 12", KFIX_PLUG_BUSY);
    wait_dev(a, "Redmi 12", DEVICE_BUSY);
    expect_clip(a, L, "device.busy");
    CHECK(device_buttons(a) == 0, "a busy phone cannot be chosen");
    shot(a, "connect_busy");
    fakephone_set(f->phones, ph, FAKEPHONE_READY);
    wait_dev(a, "Redmi 12", DEVICE_READY);
    expect_clip(a, L, "event.device_found");
    unplug_phone(a, f, ph);

    /* One that cannot be opened at all: what to try, then staff. */
    ph = kfix_plug_phone(f, "FAIL1", "Nokia G21", KFIX_PLUG_REFUSED);
    wait_dev(a, "Nokia G21", DEVICE_FAILED);
    expect_clip(a, L, "device.failed");
    CHECK(device_buttons(a) == 0, "a phone that failed cannot be chosen");
    shot(a, "connect_failed");
    unplug_phone(a, f, ph);

    /* Several at once: a memory card (a button), a phone that only charges
     * (the big explanation) and a locked iPhone (a short row). */
    const int p1 = kfix_plug_phone(f, "R58N12ABC", "Galaxy A14", KFIX_PLUG_CHARGING_ONLY);
    const int p2 = kfix_plug_phone(f, "IPH0NE1", "iPhone", KFIX_PLUG_IPHONE | KFIX_PLUG_LOCKED);
    REQUIRE(kfix_make_phone(f, "CARD", 0), "card");
    wait_volumes(a, 3);
    wait_dev(a, "Galaxy A14", DEVICE_CHARGING_ONLY);
    wait_dev(a, "iPhone", DEVICE_UNTRUSTED);
    pump(a, 3);
    CHECK(device_buttons(a) == 1, "only the card can be chosen");
    shot(a, "connect_several");
    /* Coming back to Connect with them plugged in: the phone with the big
     * explanation says its steps at once (instead of the screen's words). */
    tap(a, "connect.back");
    wait_screen(a, "questions", 2000);
    tap(a, "questions.next");
    wait_screen(a, "connect", 2000);
    pump(a, 2);
    expect_clip(a, L, "device.charging_only");
    fakephone_unplug(f->phones, p1);
    fakephone_unplug(f->phones, p2);
    char card[1200];
    snprintf(card, sizeof card, "%s/CARD", f->media);
    rm_rf(card);
    devices_rescan(f->devices);
    CHECK(wait_for(a, no_devices, NULL, 5000), "all taken out");
    if (audio_available(app_audio(a))) {
        tap(a, UI_LISTEN_ID);
        expect_clip(a, L, "screen.connect");   /* nothing plugged in: the screen's own words */
    }
    app_destroy(a);

    /* What the listeners heard, in order (kinds and states only). */
    CHECK(in_order(dev_events, "phone=charging_only phone=connecting phone=ready phone=removed "
                               "phone=locked phone=ready phone=removed iphone=untrusted iphone=ready "
                               "iphone=removed phone=ready phone=not_answering phone=ready "
                               "phone=removed phone=busy phone=ready phone=removed "
                               "phone=failed phone=removed"),
          "device events: %s", dev_events);
}

static void section_phone_states(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phonestates", 0) == 0, "fixture");
    f.timeout_ms = 1500;   /* not answering within a test's patience */
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    /* The boot test's lines, on stdout: kinds and states, never a name. */
    char out[1300];
    snprintf(out, sizeof out, "%s/stdout", f.root);
    fflush(stdout);
    int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved >= 0 && fd >= 0 && dup2(fd, 1) == 1, "stdout to a file");
    close(fd);
    /* Urdu and English at 1280x800; Urdu on a 1024x600 netbook (the
     * longest state and the several devices). */
    static const char *const netbook[] = {"connect_charging_only", "connect_several", NULL};
    const char *langs[] = {"ur", "en", "ur"};
    for (int l = 0; l < 3; l++) {
        lang_now = l < 2 ? langs[l] : "ur_1024x600";
        shot_only = l < 2 ? NULL : netbook;
        app_w = l < 2 ? 1280 : 1024;
        app_h = l < 2 ? 800 : 600;
        connect_states(&f, langs[l]);
        if (l == 0) {
            fflush(stdout);
            REQUIRE(dup2(saved, 1) == 1, "stdout back");
            close(saved);
        }
    }
    shot_only = NULL;
    app_w = 1280;
    app_h = 800;
    size_t len = 0;
    char *ev = (char *)read_whole(out, &len);
    REQUIRE(ev, "read the events");
    CHECK(strstr(ev, "KIOSK_EVENT device=phone state=charging_only\n") &&
              strstr(ev, "KIOSK_EVENT device=phone state=connecting\n") &&
              strstr(ev, "KIOSK_EVENT device=phone state=ready\n") &&
              strstr(ev, "KIOSK_EVENT device=phone state=locked\n") &&
              strstr(ev, "KIOSK_EVENT device=iphone state=untrusted\n") &&
              strstr(ev, "KIOSK_EVENT device=phone state=not_answering\n") &&
              strstr(ev, "KIOSK_EVENT device=phone state=removed\n") &&
              strstr(ev, "KIOSK_EVENT volumes=") && strstr(ev, "KIOSK_EVENT screen=connect\n"),
          "KIOSK_EVENT lines:\n%s", ev);
    CHECK(!strstr(ev, "Galaxy") && !strstr(ev, "iPhone") && !strstr(ev, "R58N12ABC") &&
              !strstr(ev, "IMG_"),
          "no names in the events:\n%s", ev);
    free(ev);
    kfix_destroy(&f);
}

/* After a pulled cable, as the person sees it (goldens; the cable is
 * "pulled" after a fixed number of bytes, so the same files are done each
 * time): the phone is gone (plug it in again), back but only charging
 * (its steps), back and readable (Try again, the main button). */
static void section_phone_replug(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phonereplug", 0) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    static const char *const netbook[] = {"fingerprint_phone_back_charging", NULL};
    for (int l = 0; l < 2; l++) {
        lang_now = l == 0 ? "ur" : "ur_1024x600";
        shot_only = l == 0 ? NULL : netbook;
        app_w = l == 0 ? 1280 : 1024;
        app_h = l == 0 ? 800 : 600;
        struct app *a = open_app(&f, "ur", 0);
        struct run r = {.lang = "ur", .stop = ST_CHOOSE, .big_phone = true, .photos = 12, .fake_phone = true};
        walk(a, &r);
        const uint64_t id = a->session.volume_id;
        /* The phone's reads fail as if unplugged after its first megabyte. */
        fakephone_gone_after(f.phones, r.phone_idx, 1u << 20);
        tap(a, "choose.next");
        wait_screen(a, "fingerprint", 2000);
        CHECK(wait_for(a, fingerprint_finished, NULL, 120000), "fingerprinting never finished");
        /* The run ended while the phone is (again) listed and readable, as
         * when a read stuck in the pulled cable returns only after the
         * phone came back: Try again is the way on, focused, not Next. */
        pump(a, 3);
        if (app_volume(a, id) && app_volume(a, id)->state == DEVICE_READY)
        {
            CHECK(ui_focus(app_ui(a)) == ui_id("fingerprint.retry"), "Try again focused when the run ends "
                  "with the phone back");
            expect_clip(a, "ur", "event.device_back");
        }
        fakephone_unplug(f.phones, r.phone_idx);
        devices_rescan(f.devices);
        CHECK(wait_for(a, volumes_are, &(int){0}, 5000), "unplugged");
        pump(a, 3);
        struct session_counts c;
        session_counts(&a->session, &c);
        CHECK(c.done > 0 && c.failed > 0 && c.done + c.failed == 12, "%zu done, %zu failed", c.done, c.failed);
        expect_clip(a, "ur", "event.device_removed");
        shot(a, "fingerprint_phone_removed");
        const int back = kfix_plug_phone(&f, "R58N12ABC", "Galaxy A14", KFIX_PLUG_CHARGING_ONLY);
        wait_dev(a, "Galaxy A14", DEVICE_CHARGING_ONLY);
        expect_clip(a, "ur", "device.charging_only");
        shot(a, "fingerprint_phone_back_charging");
        fakephone_unplug(f.phones, back);
        REQUIRE(kfix_add_phone(&f, "R58N12ABC", 12, 0, NULL) >= 0, "file transfer");
        CHECK(wait_for(a, first_ready, NULL, 10000) && app_volume(a, id), "back with the same id");
        expect_clip(a, "ur", "event.device_back");
        shot(a, "fingerprint_phone_back");
        tap(a, "fingerprint.retry");
        CHECK(wait_for(a, fingerprint_finished, NULL, 120000), "the second run did not end");
        wait_screen(a, "review", 3000);
        session_counts(&a->session, &c);
        CHECK(c.done == 12 && c.failed == 0, "all made: %zu done", c.done);
        app_destroy(a);
        /* Next size: the phone out, a fresh start. */
        for (int i = 0; i < 32; i++)
            fakephone_unplug(f.phones, i);
        devices_rescan(f.devices);
    }
    shot_only = NULL;
    app_w = 1280;
    app_h = 800;
    kfix_destroy(&f);
}

/* A phone that stops answering while it is read: that file and the rest
 * say so (not "removed", not "damaged"), the finished ones stay; unplugged
 * and plugged in again, Try again finishes them. */
static void section_phone_not_answering(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phonehang", 0) == 0, "fixture");
    f.timeout_ms = 1500;
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct run r = {.lang = "ur", .stop = ST_FINGERPRINT, .big_phone = true, .photos = 40, .fake_phone = true};
    walk(a, &r);
    const uint64_t id = a->session.volume_id;
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < 300)
        app_pump(a, 20);
    fakephone_set(f.phones, r.phone_idx, FAKEPHONE_HANG);
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "fingerprinting did not end");
    pump(a, 3);
    CHECK(!strcmp(app_screen(a), "fingerprint"), "stays to explain (on %s)", app_screen(a));
    const struct device_info *v = app_volume(a, id);
    CHECK(v && v->state == DEVICE_NOT_ANSWERING, "the phone is not answering");
    struct session_counts c;
    session_counts(&a->session, &c);
    size_t silent = 0;
    for (size_t i = 0; i < a->session.nitems; i++)
        silent += a->session.items[i].state == ITEM_FAILED &&
                  a->session.items[i].problem == PROBLEM_NOT_ANSWERING;
    CHECK(c.failed > 0 && silent == c.failed, "every failure says 'not answering' (%zu of %zu)", silent,
          c.failed);
    CHECK(c.done + c.failed == 40, "every file accounted for (%zu + %zu)", c.done, c.failed);
    expect_clip(a, "ur", "device.not_answering");
    app_draw(a, true);
    CHECK(!find_hit(a, ui_id("fingerprint.retry")), "no Try again while it does not answer");
    /* Unplugged and plugged in again. */
    fakephone_unplug(f.phones, r.phone_idx);
    devices_rescan(f.devices);
    CHECK(wait_for(a, volumes_are, &(int){0}, 5000), "unplugged");
    pump(a, 3);
    expect_clip(a, "ur", "event.device_removed");
    REQUIRE(kfix_add_phone(&f, "R58N12ABC", 40, 200, NULL) >= 0, "plugged in again");
    CHECK(wait_for(a, first_ready, NULL, 10000) && app_volume(a, id), "back with the same id");
    expect_clip(a, "ur", "event.device_back");
    const size_t done_before = c.done;
    tap(a, "fingerprint.retry");
    CHECK(wait_for(a, fingerprint_finished, NULL, 120000), "the second run did not end");
    pump(a, 3);
    session_counts(&a->session, &c);
    CHECK(c.done == 40 && c.failed == 0, "all made: %zu (%zu before)", c.done, done_before);
    wait_screen(a, "review", 3000);
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- the gallery: albums, an album by day, All folders, a phone still read */

/* mkphone (tests/unit/mkphone.c, built beside this test) makes a phone-like tree. */
static void mkphone(const char *dir, const char *args)
{
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    REQUIRE(n > 0, "readlink");
    self[n] = 0;
    char *slash = strrchr(self, '/');
    REQUIRE(slash, "own folder");
    *slash = 0;
    char cmd[4000];
    snprintf(cmd, sizeof cmd, "'%s/mkphone' '%s' %s >/dev/null", self, dir, args);
    REQUIRE(system(cmd) == 0, "mkphone %s", args);
}

/* Some drawn text holds s. */
static bool drawn_text(struct app *a, const char *s)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(app_ui(a), &n);
    for (size_t i = 0; i < n; i++)
        if (c[i].kind == UI_CMD_TEXT && c[i].text && c[i].text->text && strstr(c[i].text->text, s))
            return true;
    return false;
}

/* No folder names or paths in the gallery and its albums. */
static void check_no_paths(struct app *a, const char *where)
{
    app_draw(a, true);
    static const char *const never[] = {"DCIM", "Android", "WhatsApp/", "Media", "/", ".jpg", ".mp4",
                                        "mtp:", "Internal shared storage", "Instagram", NULL};
    for (const char *const *p = never; *p; p++)
        CHECK(!drawn_text(a, *p), "%s shows '%s'", where, *p);
}

static bool phone_holding(struct kfix *f, int idx)
{
    struct fakephone_stats st;
    fakephone_stats(f->phones, idx, &st);
    return st.holding > 0;
}

/* The newest photo: 3 January 2025, 10:00 in Pakistan (05:00 UTC). */
#define GALLERY_NEWEST 1735880400LL

static void section_gallery(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "gallery", 0) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    /* A phone with both storages: every album in its own (a photo every 12
     * hours, the newest on 3 January 2025), two more camera photos on its
     * memory card. */
    char p1[1200], p2[1200], args[400];
    snprintf(p1, sizeof p1, "%s/phone-internal", f.root);
    snprintf(p2, sizeof p2, "%s/phone-card", f.root);
    snprintf(args, sizeof args, "--other 2 --step 43200 --epoch %lld", GALLERY_NEWEST - 17 * 43200LL);
    mkphone(p1, args);
    snprintf(args, sizeof args,
             "--camera 2 --heic 0 --videos 0 --whatsapp 0 --screenshots 0 --downloads 0 --telegram 0 "
             "--step 43200 --epoch %lld",
             GALLERY_NEWEST - 7200 - 43200);
    mkphone(p2, args);
    struct fakephone d = {.model = "Galaxy A14", .vendor = "Samsung", .serial = "R58N34GAL", .nstorages = 2,
                          .delay_us = 20000};
    d.storages[0] = (struct fakephone_storage){p1, "Internal shared storage", false};
    d.storages[1] = (struct fakephone_storage){p2, "SD card", true};
    const int idx = fakephone_plug(f.phones, &d);
    REQUIRE(idx >= 0, "plug the phone");
    devices_rescan(f.devices);
    app_now_s = GALLERY_NEWEST + 3600;

    const char *langs[] = {"ur", "en", "ur"};
    for (int l = 0; l < 3; l++) {
        lang_now = l < 2 ? langs[l] : "ur_1024x600";
        app_w = l < 2 ? 1280 : 1024;
        app_h = l < 2 ? 800 : 600;
        struct app *a = open_app(&f, langs[l], 0);
        CHECK(wait_for(a, first_ready, NULL, 10000), "the phone is ready");
        struct run r = {.lang = langs[l], .stop = ST_CONNECT};
        walk(a, &r);
        /* Still reading: the phone's Android folder answers only later.
         * Nothing is drawn until the walk waits there, so what is shown
         * (and that the covers wait behind it) is the same every run. */
        fakephone_hold(f.phones, idx, "Android");
        tap_row(a, "connect.device", 0);
        wait_screen(a, "choose", 3000);
        Uint32 t0 = SDL_GetTicks();
        while (!phone_holding(&f, idx) && SDL_GetTicks() - t0 < 40000)
            SDL_Delay(10);
        CHECK(phone_holding(&f, idx), "the walk reached the held folder");
        pump(a, 5);
        char found[200];
        snprintf(found, sizeof found, _("Still looking for pictures and videos. Found so far: %d"), 14);
        app_draw(a, true);
        CHECK(drawn_text(a, found), "while reading: says so, with how many were found (%s)", found);
        shot(a, "gallery_reading");
        check_no_paths(a, "the gallery while reading");
        fakephone_hold(f.phones, idx, NULL);
        settle_media(a);

        /* Every album, in the gallery's order, no folder names or paths. */
        char still[200];
        snprintf(still, sizeof still, "%s", _("Still looking for pictures and videos. Found so far: %d"));
        still[strcspn(still, "%")] = 0;
        CHECK(!drawn_text(a, still), "read to the end: no more 'still looking'");
        shot(a, "gallery_albums");
        check_no_paths(a, "the gallery");
        const struct ui_hit *prev = NULL;
        for (int k = 0; k < MEDIA_ALBUM_COUNT; k++) {
            const struct ui_hit *h = find_hit(a, ui_id_index(ui_id("choose.album"), k));
            if (!h && (k == MEDIA_ALBUM_OTHER || app_h == 600))
                break;   /* scrolled out of view */
            CHECK(h != NULL, "album %d shown", k);
            if (h && prev)
                CHECK(h->r.y > prev->r.y || (l == 1 ? h->r.x > prev->r.x : h->r.x < prev->r.x),
                      "album %d after album %d, in reading order", k, k - 1);
            prev = h ? h : prev;
        }
        CHECK(drawn_text(a, _("WhatsApp Images")) && drawn_text(a, _("Camera")), "album names translated");
        char cnt[64];
        snprintf(cnt, sizeof cnt, _("%d photos"), 9);
        CHECK(drawn_text(a, cnt), "the camera's count (%s)", cnt);

        /* The Camera album, both storages, newest first under date headers. */
        tap_album(a, MEDIA_ALBUM_CAMERA);
        settle_media(a);
        CHECK(!strcmp(app_screen_part(a), "album"), "the album opens");
        CHECK(screen_choose_cell(9) != 0 && screen_choose_cell(10) == 0, "10 in the Camera album");
        CHECK(drawn_text(a, _("Today")) && drawn_text(a, _("Yesterday")), "Today and Yesterday");
        shot(a, "gallery_camera");
        check_no_paths(a, "the album");
        /* Further down: a date this year, then dates of the year before. */
        char this_year[80], last_year[80];
        snprintf(this_year, sizeof this_year, "1 %s", _("January"));
        snprintf(last_year, sizeof last_year, "30 %s 2024", _("December"));
        bool saw_this = false, saw_last = false;
        for (int i = 0; i < 12; i++) {
            SDL_Event e;
            SDL_zero(e);
            e.type = SDL_MOUSEWHEEL;
            e.wheel.y = -1;
            const struct ui_hit *g = find_hit(a, screen_choose_cell(0));
            SDL_Event mv;
            SDL_zero(mv);
            mv.type = SDL_MOUSEMOTION;
            mv.motion.x = g ? g->vis.x + 10 : app_w / 2;
            mv.motion.y = app_h / 2;
            SDL_PushEvent(&mv);
            SDL_PushEvent(&e);
            pump(a, 2);
            app_draw(a, true);
            saw_this |= drawn_text(a, this_year);
            saw_last |= drawn_text(a, last_year);
        }
        CHECK(saw_this && saw_last, "dates: %s (%d), %s (%d)", this_year, saw_this, last_year, saw_last);
        settle_media(a);
        if (l == 0)
            shot(a, "gallery_camera_older");

        /* Choices survive moving between an album and All folders. */
        tap(a, "choose.all");
        CHECK(a->session.nitems == 10, "all 10 chosen (%zu)", a->session.nitems);
        tap(a, "choose.back");
        CHECK(!*app_screen_part(a), "back at the albums");
        tap(a, "choose.folders");
        settle_media(a);
        CHECK(!strcmp(app_screen_part(a), "folders"), "All folders (%s)", app_screen_part(a));
        expect_clip(a, langs[l], "screen.choose.folders");
        CHECK(drawn_text(a, _("Phone storage")) && drawn_text(a, _("Memory card")),
              "a phone's top: its storages by what they are");
        shot(a, "gallery_folders");
        tap_cell(a, 1);   /* the memory card (by name: "SD card" after "Internal...") */
        settle_media(a);
        tap_cell(a, 1);   /* DCIM (after Android) */
        settle_media(a);
        tap_cell(a, 0);   /* Camera */
        settle_media(a);
        CHECK(drawn_text(a, _("Unchoose all here")), "the card's camera photos show as chosen");
        CHECK(drawn_text(a, _("Memory card")), "where: the memory card, by what it is");
        tap_cell(a, 0);
        CHECK(a->session.nitems == 9, "unchosen in All folders (%zu)", a->session.nitems);
        tap(a, "choose.back");
        CHECK(!*app_screen_part(a), "Back: the albums again");
        tap_album(a, MEDIA_ALBUM_CAMERA);
        settle_media(a);
        CHECK(drawn_text(a, _("Choose all in this album")), "and the album knows one is not chosen");
        tap(a, "choose.all");
        CHECK(a->session.nitems == 10, "chosen again (%zu)", a->session.nitems);
        app_destroy(a);
    }
    app_w = 1280;
    app_h = 800;
    app_now_s = 0;
    kfix_destroy(&f);
}

/* ---- the gallery as a phone is read: nothing moves under a finger */

/* n small photos in dir (copies of one, each with its own date), dated
 * from t0 a minute apart. */
static void make_photos(const char *dir, const char *prefix, int n, int64_t t0)
{
    REQUIRE(gen_mkdirs(dir) == 0, "mkdir %s", dir);
    size_t len;
    uint8_t *jpg = gen_jpeg(96, 72, gen_quadrants, 1, 80, &len);
    REQUIRE(jpg, "jpeg");
    for (int i = 0; i < n; i++) {
        char p[1400];
        REQUIRE(snprintf(p, sizeof p, "%s/%s%04d.jpg", dir, prefix, i) < (int)sizeof p, "path too long");
        REQUIRE(gen_write(p, jpg, len) == 0, "write %s", p);
        struct timespec ts[2] = {{(time_t)(t0 + 60 * i), 0}, {(time_t)(t0 + 60 * i), 0}};
        utimensat(AT_FDCWD, p, ts, 0);
    }
    free(jpg);
}

static void wheel(struct app *a, int x, int y, int steps)
{
    for (int i = 0; i < steps; i++) {
        SDL_Event mv, e;
        SDL_zero(mv);
        mv.type = SDL_MOUSEMOTION;
        mv.motion.x = x;
        mv.motion.y = y;
        SDL_PushEvent(&mv);
        SDL_zero(e);
        e.type = SDL_MOUSEWHEEL;
        e.wheel.y = -1;
        SDL_PushEvent(&e);
        pump(a, 2);
    }
}

static bool listing_done(struct app *a, const void *arg)
{
    (void)arg;
    struct media_stats st;
    media_get_stats(a->media, &st);
    return st.listing == 0;
}

static bool same_rect(struct ui_rect a, struct ui_rect b)
{
    return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

/* Up to Choose on the live phone, its DCIM/Later held (the phone still
 * reading it), into the Camera album. */
static struct app *live_album(struct kfix *f, int idx)
{
    struct app *a = open_app(f, "en", 0);
    CHECK(wait_for(a, first_ready, NULL, 10000), "the phone is ready");
    struct run r = {.lang = "en", .stop = ST_CONNECT};
    walk(a, &r);
    fakephone_hold(f->phones, idx, "DCIM/Later");
    tap_row(a, "connect.device", 0);
    wait_screen(a, "choose", 3000);
    Uint32 t0 = SDL_GetTicks();
    while (!phone_holding(f, idx) && SDL_GetTicks() - t0 < 40000)
        app_pump(a, 10);
    pump(a, 3);
    tap_album(a, MEDIA_ALBUM_CAMERA);
    pump(a, 3);
    CHECK(!strcmp(app_screen_part(a), "album") && screen_choose_cell(29) && !screen_choose_cell(30),
          "the album shows the 30 read so far");
    return a;
}

/* The album grid's columns: the cells level with the first. */
static int grid_cols(struct app *a)
{
    app_draw(a, true);
    const struct ui_hit *c0 = find_hit(a, screen_choose_cell(0));
    int n = 0;
    for (; c0 && n < 64; n++) {
        uint32_t id = screen_choose_cell(n);
        const struct ui_hit *h = id ? find_hit(a, id) : NULL;
        if (!h || h->r.y != c0->r.y)
            break;
    }
    return n;
}

static void section_gallery_live(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "gallerylive", 0) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    lang_now = "en";
    /* The camera's 30 older photos, 12 newer ones in another DCIM folder
     * read later; screenshots, then WhatsApp (whose album comes before
     * Screenshots) read later still. */
    char dir[1200], sub[1400];
    snprintf(dir, sizeof dir, "%s/live-phone", f.root);
    snprintf(sub, sizeof sub, "%s/DCIM/Camera", dir);
    make_photos(sub, "IMG_", 30, 1700000000);
    snprintf(sub, sizeof sub, "%s/DCIM/Later", dir);
    make_photos(sub, "NEW_", 12, 1700100000);
    snprintf(sub, sizeof sub, "%s/Pictures/Screenshots", dir);
    make_photos(sub, "Screenshot_", 3, 1690000000);
    snprintf(sub, sizeof sub, "%s/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images", dir);
    make_photos(sub, "IMG-WA", 4, 1690100000);
    struct fakephone d = {.model = "Galaxy A14", .vendor = "Samsung", .serial = "R58N56LIV", .nstorages = 1,
                          .delay_us = 2000};
    d.storages[0] = (struct fakephone_storage){dir, "Internal shared storage", false};
    const int idx = fakephone_plug(f.phones, &d);
    REQUIRE(idx >= 0, "plug the phone");
    devices_rescan(f.devices);

    /* 1. The keyboard's focus stays on its photo, in its place on the
     * screen, while newer ones come in above it. */
    struct app *a = live_album(&f, idx);
    key(a, SDLK_TAB);    /* shows the focus on the first photo */
    key(a, SDLK_DOWN);   /* the second row */
    const int cols = grid_cols(a);   /* draws the frame */
    uint32_t focused = ui_focus(app_ui(a));
    const struct ui_hit *h = find_hit(a, focused);
    REQUIRE(h && cols > 1 && focused == screen_choose_cell(cols), "the keyboard on the second row (%d columns)", cols);
    struct ui_rect before = h->r;
    fakephone_hold(f.phones, idx, NULL);
    CHECK(wait_for(a, listing_done, NULL, 20000), "the phone read to the end");
    settle_media(a);
    CHECK(screen_choose_cell(41) && !screen_choose_cell(42), "42 in the album now");
    h = find_hit(a, focused);
    CHECK(ui_focus(app_ui(a)) == focused, "the focus stayed on its photo");
    CHECK(h && same_rect(h->r, before), "and in its place (%d,%d -> %d,%d)", before.x, before.y, h ? h->r.x : -1,
          h ? h->r.y : -1);
    CHECK(focused == screen_choose_cell(cols + 12), "with the 12 newer ones before it");
    app_destroy(a);

    /* 2. Scrolled down: the photos in view stay where they are. */
    a = live_album(&f, idx);
    const struct ui_hit *c0 = find_hit(a, screen_choose_cell(0));
    REQUIRE(c0, "first cell");
    wheel(a, c0->vis.x + 10, c0->vis.y + 10, 3);
    app_draw(a, true);
    uint32_t top = 0;
    struct ui_rect top_r = {0};
    for (size_t i = 0; i < 30 && !top; i++) {
        const struct ui_hit *g = find_hit(a, screen_choose_cell(i));
        if (g && g->vis.h == g->r.h) {
            top = g->id;
            top_r = g->r;
        }
    }
    REQUIRE(top && top != screen_choose_cell(0), "scrolled down");
    fakephone_hold(f.phones, idx, NULL);
    CHECK(wait_for(a, listing_done, NULL, 20000), "the phone read to the end");
    settle_media(a);
    h = find_hit(a, top);
    CHECK(h && same_rect(h->r, top_r), "the top row stayed in place (%d -> %d)", top_r.y, h ? h->r.y : -1);
    app_destroy(a);

    /* 3. A finger down while the rest comes in: nothing moves until it is
     * lifted (a press and hold shows that photo clearly, as ever). */
    a = live_album(&f, idx);
    uint32_t cell = screen_choose_cell(2);
    h = find_hit(a, cell);
    REQUIRE(h, "cell 2");
    before = h->r;
    int x = h->vis.x + h->vis.w / 2, y = h->vis.y + h->vis.h / 2;
    push_button(x, y, true);
    pump(a, 2);
    fakephone_hold(f.phones, idx, NULL);
    CHECK(wait_for(a, listing_done, NULL, 20000), "the phone read to the end");
    for (int i = 0; i < 20; i++)
        app_pump(a, 20);
    app_draw(a, true);
    h = find_hit(a, cell);
    CHECK(h && same_rect(h->r, before) && screen_choose_cell(29) && !screen_choose_cell(30),
          "while the finger is down, nothing moved and nothing came in");
    push_button(x, y, false);
    pump(a, 3);
    settle_media(a);
    CHECK(screen_choose_cell(41) != 0, "once it is lifted, the rest shows");
    h = find_hit(a, cell);
    CHECK(h && same_rect(h->r, before), "and the photo touched stays in its place");
    app_destroy(a);

    /* 4. Albums: the one under the finger stays until it is lifted; the
     * keyboard's focus stays on its album when one comes in before it. */
    fakephone_hold(f.phones, idx, "Android");
    a = open_app(&f, "en", 0);
    struct run r = {.lang = "en", .stop = ST_CONNECT};
    walk(a, &r);
    tap_row(a, "connect.device", 0);
    wait_screen(a, "choose", 3000);
    Uint32 t0 = SDL_GetTicks();
    while (!phone_holding(&f, idx) && SDL_GetTicks() - t0 < 40000)
        app_pump(a, 10);
    pump(a, 3);
    uint32_t shots = ui_id_index(ui_id("choose.album"), MEDIA_ALBUM_SCREENSHOTS);
    uint32_t wa = ui_id_index(ui_id("choose.album"), MEDIA_ALBUM_WHATSAPP_IMAGES);
    h = find_hit(a, shots);
    REQUIRE(h && !find_hit(a, wa), "Camera and Screenshots so far");
    before = h->r;
    x = h->vis.x + h->vis.w / 2, y = h->vis.y + h->vis.h / 2;
    const Uint32 down_at = SDL_GetTicks();
    push_button(x, y, true);
    pump(a, 2);
    fakephone_hold(f.phones, idx, NULL);
    CHECK(wait_for(a, listing_done, NULL, 20000), "the phone read to the end");
    for (int i = 0; i < 10; i++)
        app_pump(a, 20);
    app_draw(a, true);
    h = find_hit(a, shots);
    CHECK(h && same_rect(h->r, before) && !find_hit(a, wa), "under the finger, the albums did not move");
    const bool held = SDL_GetTicks() - down_at >= 450;   /* screen_choose.c's HOLD_MS */
    push_button(x, y, false);
    pump(a, 3);
    if (held) {
        /* A slow machine (ASan) read the phone while the finger was down
         * longer than a press and hold: lifting it opens nothing; the tile
         * under it, still in its place, opens with a tap. */
        CHECK(!strcmp(app_screen_part(a), ""), "a press and hold opens no album (%s)", app_screen_part(a));
        tap_id(a, shots, "Screenshots");
    }
    CHECK(!strcmp(app_screen_part(a), "album") && drawn_text(a, _("Screenshots")),
          "lifted: the album touched opens");
    tap(a, "choose.back");
    settle_media(a);
    CHECK(find_hit(a, wa) != NULL, "WhatsApp Images came in meanwhile");
    app_destroy(a);

    /* 5. Choose all in an album stops at the report's limit, with the
     * dialog that says so. */
    snprintf(sub, sizeof sub, "%s/LIMIT/DCIM/Camera", f.media);
    make_photos(sub, "IMG_", SESSION_MAX_ITEMS + 1, 1700000000);
    fakephone_unplug(f.phones, idx);
    devices_rescan(f.devices);
    a = open_app(&f, "en", 0);
    r = (struct run){.lang = "en", .stop = ST_CONNECT};
    walk(a, &r);
    choose_device(a);
    tap_album(a, MEDIA_ALBUM_CAMERA);
    settle_media(a);
    tap(a, "choose.all");
    app_draw(a, true);
    CHECK(a->session.nitems == SESSION_MAX_ITEMS, "stops at the limit (%zu)", a->session.nitems);
    CHECK(drawn_text(a, _("That is the most for one report")), "and says so");
    /* The dialog in Urdu, in a golden. */
    app_set_lang(a, "ur");
    lang_now = "ur";
    shot(a, "choose_limit");
    app_set_lang(a, "en");
    app_draw(a, true);
    tap_id(a, ui_id_index(ui_id("choose.limit"), 1), "OK");
    CHECK(!drawn_text(a, _("That is the most for one report")), "OK closes it");
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- the whole flow on a phone by key presses alone */

/* The key presses that walk the whole flow on a phone, from Welcome to
 * Finish: image-build/test/boot_test.py sends the same ones to the USB
 * image in qemu (PHONE_FLOW_KEYS there). Change both together.
 * Each row: the keys, by qemu's names ("shift-tab" is one chord), and the
 * KIOSK_EVENT line (HIFAZAT_TEST_EVENTS=1) to wait for before the next
 * row, or "" (a second and a half is enough). The phone must be plugged in
 * and ready before Connect shows (Connect's focus starts on its first
 * device). The report holds the phone's whole Camera album. */
static const struct {
    const char *keys, *wait;
} phone_flow_keys[] = {
    {"ret", "screen=privacy"},          /* Welcome: Start */
    {"ret", ""},                        /* How it works: the secret code, Next */
    {"ret", ""},                        /* what happens next, Next */
    {"ret", "screen=questions"},        /* quick exit: I understand */
    {"ret", ""},                        /* Under 18? The first answer: yes */
    {"shift-tab", ""},                  /* Next */
    {"ret", ""},                        /* Who are you? */
    {"ret", ""},                        /* The first answer: the person in them */
    {"shift-tab", ""},                  /* Next */
    {"ret", ""},                        /* What kind of pictures? */
    {"ret", ""},                        /* "Is anyone near you?": People are near (focused) */
    {"ret", ""},                        /* The first answer: yes */
    {"shift-tab", ""},                  /* Next */
    {"ret", ""},                        /* Taken on this phone? */
    {"ret", ""},                        /* The first answer: yes */
    {"shift-tab", ""},                  /* Next */
    {"ret", ""},                        /* Where the codes are checked: Next is focused */
    {"ret", "screen=connect"},          /* Connect: the phone, already there, is focused */
    {"ret", "gallery=read"},            /* Choose: the gallery, read to the end */
    {"ret", ""},                        /* The first album, Camera, opens */
    {"shift-tab", ""},                  /* Choose all in this album */
    {"ret", ""},
    {"shift-tab", ""},                  /* Next (with the count) */
    {"ret", "screen=review"},           /* Fingerprinting, then Review by itself */
    {"ret", "screen=confirm"},          /* Review: Next */
    {"ret", "screen=case_code"},        /* Confirm: Send the fingerprints */
    {"ret", ""},                        /* Case code: I have saved my code -> "Have you saved it?" */
    {"tab", ""},                        /* from "No, show it again" to "Yes, I have it" */
    {"ret", "screen=finish"},
    {"ret", "screen=welcome"},          /* Finish */
};

static SDL_Keycode qemu_key(const char *name)
{
    static const struct {
        const char *name;
        SDL_Keycode k;
    } map[] = {{"ret", SDLK_RETURN}, {"tab", SDLK_TAB},   {"spc", SDLK_SPACE}, {"esc", SDLK_ESCAPE},
               {"up", SDLK_UP},      {"down", SDLK_DOWN}, {"left", SDLK_LEFT}, {"right", SDLK_RIGHT},
               {"v", SDLK_v}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, name))
            return map[i].k;
    return SDLK_UNKNOWN;
}

static const char *focus_name(struct app *a)
{
    static const char *const names[] = {
        "welcome.start", "privacy.next", "questions.next", "questions.back", "connect.back", "choose.back",
        "choose.next", "choose.all", "choose.folders", "fingerprint.next", "fingerprint.cancel", "review.next",
        "review.back", "confirm.send", "confirm.back", "case_code.done", "case_code.listen", "finish.done",
        UI_QUICK_EXIT_ID, UI_LANGUAGE_ID, UI_LISTEN_ID, UI_QUIETER_ID, UI_LOUDER_ID, NULL};
    static char buf[64];
    uint32_t f = ui_focus(app_ui(a));
    if (!f)
        return "(none)";
    for (const char *const *n = names; *n; n++)
        if (f == ui_id(*n))
            return *n;
    static const char *const lists[] = {"questions.age", "questions.who", "questions.content", "questions.origin", "connect.device",
                                        "choose.album", "case_code.confirm", "hearing", NULL};
    for (const char *const *n = lists; *n; n++)
        for (int i = 0; i < 8; i++)
            if (f == ui_id_index(ui_id(*n), i)) {
                snprintf(buf, sizeof buf, "%s[%d]", *n, i);
                return buf;
            }
    for (size_t i = 0; i < 64; i++)
        if (f == screen_choose_cell(i)) {
            snprintf(buf, sizeof buf, "cell %zu", i);
            return buf;
        }
    snprintf(buf, sizeof buf, "%08x", (unsigned)f);
    return buf;
}

static void send_qemu_keys(struct app *a, const char *keys)
{
    char k[32];
    snprintf(k, sizeof k, "%s", keys);
    Uint16 mod = 0;
    char *key = k;
    char *dash = strrchr(k, '-');
    if (dash) {
        *dash = 0;
        key = dash + 1;
        for (char *m = strtok(k, "-"); m; m = strtok(NULL, "-"))
            mod |= !strcmp(m, "shift") ? KMOD_LSHIFT : !strcmp(m, "ctrl") ? KMOD_LCTRL : !strcmp(m, "alt") ? KMOD_LALT : 0;
    }
    SDL_Keycode code = qemu_key(key);
    REQUIRE(code != SDLK_UNKNOWN, "key %s", keys);
    key_mod(a, code, mod);
}

static void section_phone_keys(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "phonekeys", KFIX_HELPLINE_SECRET) == 0, "fixture");
    REQUIRE(kfix_phones(&f) == 0, "fake phones");
    cur_fix = &f;
    lang_now = "ur";
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/mkphone", f.root);
    mkphone(dir, "");
    /* The app's KIOSK_EVENT lines go to a file: the table's waits are
     * exactly what it prints. */
    char events[1300];
    snprintf(events, sizeof events, "%s/events.txt", f.root);
    fflush(stdout);
    const int saved_out = dup(1);
    const int ev_fd = open(events, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved_out >= 0 && ev_fd >= 0 && dup2(ev_fd, 1) == 1, "stdout to a file");
    close(ev_fd);
    app_events = true;
    /* Speakers, as in the USB image's qemu (an intel-hda card without jack
     * sense): "Is anyone near you who could hear?" is asked there too. */
    test_sink = AUDIO_SINK_ROOM;
    struct app *a = open_app(&f, "ur", 0);
    app_events = false;
    struct fakephone d = {.model = "Galaxy A14", .vendor = "Samsung", .serial = "R58N78KEY", .nstorages = 1,
                          .delay_us = 200};
    d.storages[0] = (struct fakephone_storage){dir, "Internal shared storage", false};
    REQUIRE(fakephone_plug(f.phones, &d) >= 0, "plug the phone");
    devices_rescan(f.devices);
    CHECK(wait_for(a, first_ready, NULL, 10000), "the phone is ready");
    /* Where each row of the table leaves the kiosk: screen/page, focus. */
    static const char *const after[] = {
        "privacy/code privacy.next",
        "privacy/next privacy.next",
        "privacy/exit privacy.next",
        "questions/age questions.age[0]",
        "questions/age questions.age[0]",
        "questions/age questions.next",
        "questions/who questions.who[0]",
        "questions/who questions.who[0]",
        "questions/who questions.next",
        "questions/content hearing[2]",
        "questions/content questions.content[0]",
        "questions/content questions.content[0]",
        "questions/content questions.next",
        "questions/origin questions.origin[0]",
        "questions/origin questions.origin[0]",
        "questions/origin questions.next",
        "questions/platforms questions.next",
        "connect/ connect.device[0]",
        "choose/ choose.album[0]",
        "choose/album cell 0",
        "choose/album choose.all",
        "choose/album choose.all",
        "choose/album choose.next",
        "review/ review.next",
        "confirm/ confirm.send",
        "case_code/ case_code.done",
        "case_code/ case_code.confirm[2]",
        "case_code/ case_code.confirm[1]",
        "finish/ finish.done",
        "welcome/ welcome.start",
    };
    const size_t nkeys = sizeof phone_flow_keys / sizeof phone_flow_keys[0];
    REQUIRE(nkeys == sizeof after / sizeof after[0], "a check for every row");
    char case_code[16] = "";
    size_t chosen = 0;
    for (size_t i = 0; i < nkeys; i++) {
        send_qemu_keys(a, phone_flow_keys[i].keys);
        const char *w = phone_flow_keys[i].wait;
        if (!strncmp(w, "screen=", 7))
            wait_screen(a, w + 7, 120000);
        else if (!strcmp(w, "gallery=read"))
            settle_media(a);
        pump(a, 3);
        app_draw(a, true);
        char now[160];
        snprintf(now, sizeof now, "%s/%s %s", app_screen(a), app_screen_part(a), focus_name(a));
        CHECK(!strcmp(now, after[i]), "key row %zu (%s): %s, expected %s", i, phone_flow_keys[i].keys, now, after[i]);
        if (!strcmp(app_screen(a), "choose"))
            chosen = a->session.nitems;
        if (!strcmp(app_screen(a), "case_code") && a->session.have_receipt)
            snprintf(case_code, sizeof case_code, "%s", a->session.receipt.case_code);
    }
    CHECK(case_code[0], "a case code was shown");
    app_destroy(a);
    test_sink = AUDIO_SINK_ROOM;
    fflush(stdout);
    dup2(saved_out, 1);
    close(saved_out);
    size_t elen;
    char *ev = (char *)read_whole(events, &elen);
    REQUIRE(ev, "events");
    const char *at = ev;
    for (size_t i = 0; i < nkeys; i++) {
        if (!*phone_flow_keys[i].wait)
            continue;
        char line[80];
        snprintf(line, sizeof line, "KIOSK_EVENT %s\n", phone_flow_keys[i].wait);
        const char *hit = strstr(at, line);
        CHECK(hit != NULL, "the app printed '%s' after row %zu's keys", phone_flow_keys[i].wait, i);
        if (hit)
            at = hit + strlen(line);
    }
    free(ev);
    /* The report: the phone's whole Camera album, as `hifazat hash` sees
     * the same files on disk. */
    const char *paths[32];
    static char buf[32][1600];
    size_t n = 0;
    char cam[1300];
    snprintf(cam, sizeof cam, "%s/DCIM/Camera", dir);
    DIR *dd = opendir(cam);
    REQUIRE(dd, "camera folder");
    struct dirent *de;
    while ((de = readdir(dd)) && n < 32) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(buf[n], sizeof buf[n], "%s/%s", cam, de->d_name);
        paths[n] = buf[n];
        n++;
    }
    closedir(dd);
    CHECK(n == 8 && chosen == n, "the Camera album: %zu files, %zu chosen", n, chosen);
    verify_report(&f, case_code, paths, n);
    kfix_destroy(&f);
}

/* ---- quick exit at every step */

static void check_wiped(struct app *a, const char *where, size_t pending_before, const struct kfix *f,
                        bool queued_is_ok)
{
    CHECK(!strcmp(app_screen(a), "welcome"), "%s: quick exit went to %s", where, app_screen(a));
    CHECK(session_zero(&a->session), "%s: session not all zero after quick exit", where);
    CHECK(ui_dir(app_ui(a)) == TEXT_DIR_RTL, "%s: back in Urdu", where);
    /* Work in flight finishes and wipes its own copies. */
    Uint32 t0 = SDL_GetTicks();
    while (app_jobs_running(a) && SDL_GetTicks() - t0 < 30000)
        app_pump(a, 20);
    CHECK(app_jobs_running(a) == 0, "%s: a job still runs", where);
    CHECK(session_zero(&a->session), "%s: session touched after the jobs ended", where);
    struct media_stats ms;
    media_get_stats(a->media, &ms);
    CHECK(ms.cache_items == 0, "%s: %zu thumbnails still cached", where, ms.cache_items);
    size_t p = queue_pending(f);
    CHECK(queued_is_ok ? p <= pending_before + 1 : p == pending_before,
          "%s: %zu reports queued (before: %zu)", where, p, pending_before);
    CHECK(dirty_blocks == 0, "%s: %zu session blocks were freed without being wiped", where, dirty_blocks);
}

static void section_quick_exit(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "quickexit", 0) == 0, "fixture");
    cur_fix = &f;
    REQUIRE(kfix_make_phone(&f, "BIG", 40), "phone");
    lang_now = "en";
    /* Urdu by default (the config); each walk switches to English, so
     * quick exit's return to Urdu shows. */
    struct app *a = open_app(&f, NULL, 0);
    wait_volumes(a, 1);
    session_free_hook = free_hook;
    static const enum step steps[] = {ST_PRIVACY, ST_AGE,    ST_WHO,     ST_CONTENT,
                                      ST_CONNECT, ST_CHOOSE, ST_FINGERPRINT, ST_REVIEW,
                                      ST_CONFIRM, ST_CASE_CODE, ST_FINISH};
    static const char *const names[] = {"privacy", "age", "who", "content", "connect", "choose",
                                        "fingerprint", "review", "confirm", "case_code", "finish"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        size_t before = queue_pending(&f);
        dirty_blocks = 0;
        struct run r = {.lang = "en", .stop = steps[i], .big_phone = true, .photos = 40};
        app_set_lang(a, "en");
        walk(a, &r);
        if (steps[i] == ST_FINGERPRINT) {
            /* Mid-run: wait for a file or two, then leave. */
            Uint32 t0 = SDL_GetTicks();
            while (app_jobs_running(a) && SDL_GetTicks() - t0 < 150)
                app_pump(a, 20);
            CHECK(app_jobs_running(a) == 1, "fingerprinting still running when quick exit is pressed");
        }
        CHECK(a->session.active, "%s: a session to wipe", names[i]);
        /* Three ways out, in turn. */
        switch (i % 3) {
        case 0: {
            /* F12 as the loop would see it, then look before any frame. */
            SDL_Event e;
            SDL_zero(e);
            e.type = SDL_KEYDOWN;
            e.key.keysym.sym = SDLK_F12;
            app_event(a, &e);
            struct text_stats ts;
            text_get_stats(ui_text_ctx(app_ui(a)), &ts);
            CHECK(ts.blocks == 0, "%s: text cache not emptied (%zu blocks)", names[i], ts.blocks);
            pump(a, 2);
            break;
        }
        case 1:
            tap(a, UI_QUICK_EXIT_ID);
            break;
        default: {
            SDL_Event e;
            SDL_zero(e);
            e.type = SDL_KEYDOWN;
            e.key.keysym.sym = SDLK_ESCAPE;
            for (int k = 0; k < 3; k++)
                SDL_PushEvent(&e);
            pump(a, 3);
            break;
        }
        }
        check_wiped(a, names[i], before, &f, steps[i] >= ST_CASE_CODE);
    }
    session_free_hook = NULL;
    CHECK(freed_blocks > 0, "the hook saw session blocks");
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- idle timeout */

static bool warning_shown(struct app *a, const void *arg)
{
    (void)arg;
    return a->safety.idle_warning;
}

static void section_idle(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "idle", 0) == 0, "fixture");
    cur_fix = &f;
    REQUIRE(kfix_make_phone(&f, "PHONE", 0), "phone");
    lang_now = "ur";
    /* The walk to Choose without a timeout (on a loaded machine a wait in
     * it can pass 4 s), then 4 s from the last tap, the countdown in the
     * last 2 s, as staff would set it. */
    struct app *a = open_app(&f, "ur", 0);
    wait_volumes(a, 1);
    session_free_hook = free_hook;
    dirty_blocks = 0;
    struct run r = {.lang = "ur", .stop = ST_CHOOSE};
    walk(a, &r);
    CHECK(a->session.nitems > 0, "a session with choices");
    safety_init(&a->safety, 4, SDL_GetTicks());
    /* Someone is still there: any touch during the countdown keeps it. */
    CHECK(wait_for(a, warning_shown, NULL, 6000), "no countdown before the wipe");
    CHECK(!strcmp(app_screen(a), "choose"), "the countdown is shown over the screen");
    app_draw(a, true);
    expect_clip(a, "ur", "say.still_there");   /* the question is said as it appears */
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_MOUSEMOTION;
    e.motion.x = 10;
    e.motion.y = 400;
    SDL_PushEvent(&e);
    pump(a, 2);
    CHECK(!a->safety.idle_warning && !strcmp(app_screen(a), "choose") && a->session.nitems > 0,
          "a touch during the countdown keeps the session");
    /* Walked away: the countdown, then the wipe. */
    Uint32 t0 = SDL_GetTicks();
    CHECK(wait_for(a, warning_shown, NULL, 6000), "no countdown the second time");
    Uint32 warned = SDL_GetTicks() - t0;
    wait_screen(a, "welcome", 8000);
    Uint32 wiped = SDL_GetTicks() - t0;
    CHECK(warned >= 1500 && wiped >= 3500, "countdown at %u ms, wipe at %u ms (timeout 4 s)", warned,
          wiped);
    check_wiped(a, "idle", 0, &f, false);
    session_free_hook = NULL;
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- the device pulled out while fingerprinting */

static void section_removed(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "removed", 0) == 0, "fixture");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct run r = {.lang = "ur", .stop = ST_FINGERPRINT, .big_phone = true, .photos = 40};
    walk(a, &r);
    /* Cancel first: asked, then back to Choose with every choice kept and
     * nothing fingerprinted; then Next starts again. */
    tap(a, "fingerprint.cancel");
    CHECK(!strcmp(app_screen(a), "fingerprint"), "Cancel asks first");
    tap_id(a, ui_id_index(ui_id("fingerprint.cancel_dialog"), 1), "yes, stop");
    wait_screen(a, "choose", 30000);
    struct session_counts c0;
    session_counts(&a->session, &c0);
    CHECK(c0.items == 40 && c0.pending == 40, "after Cancel: %zu chosen, %zu pending", c0.items,
          c0.pending);
    CHECK(app_jobs_running(a) == 0, "the job ended");
    settle_media(a);
    tap(a, "choose.next");
    wait_screen(a, "fingerprint", 2000);
    char dev[1200];
    snprintf(dev, sizeof dev, "%s/BIG", f.media);
    /* Let a few files through, then pull it out. */
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < 200)
        app_pump(a, 20);
    rm_rf(dev);
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "fingerprinting did not end");
    pump(a, 3);
    CHECK(!strcmp(app_screen(a), "fingerprint"), "stays to explain (on %s)", app_screen(a));
    struct session_counts c;
    session_counts(&a->session, &c);
    size_t removed = 0;
    for (size_t i = 0; i < a->session.nitems; i++)
        removed += a->session.items[i].state == ITEM_FAILED &&
                   a->session.items[i].problem == PROBLEM_REMOVED;
    CHECK(c.failed > 0 && removed == c.failed, "every failure says 'removed' (%zu of %zu)", removed,
          c.failed);
    CHECK(c.done + c.failed == 40, "every file accounted for (%zu + %zu)", c.done, c.failed);
    /* Still alive: it draws, and the person can go on with what was made. */
    for (int i = 0; i < 5; i++)
        CHECK(app_draw(a, true) == 0, "frame after removal");
    if (c.done) {
        tap(a, "fingerprint.next");
        wait_screen(a, "review", 2000);
    } else {
        CHECK(find_hit(a, ui_id("fingerprint.retry")) != NULL, "Try again offered");
    }
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- demo mode */

static void list_tree(const char *dir, char *out, size_t n)
{
    list_tree_as(dir, out, n, true);
}

static void list_tree_as(const char *dir, char *out, size_t n, bool atimes)
{
    char cmd[2000];
    /* Names, sizes, modes, change and access times: reading leaves no trace.
     * The first find reads the folders itself (their access times move
     * once, by relatime's rule); the second is the listing. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && find . >/dev/null && find . -printf '%%p %%s %%T@ %s%%m\\n' | sort", dir,
             atimes ? "%A@ " : "");
    char *t = run_cmd(cmd);
    snprintf(out, n, "%s", t ? t : "");
    free(t);
}

/* The demo's Review and practice case code on a 1024x600 netbook too. */
static void demo_netbook(const struct app_options *base)
{
    struct app_options o = *base;
    o.width = 1024;
    o.height = 600;
    lang_now = "ur_1024x600";
    char err[800];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    REQUIRE(a, "demo app at 1024x600: %s", err);
    wait_volumes(a, 1);
    tap(a, "welcome.start");
    privacy_pages(a, NULL);
    tap_row(a, "questions.age", 1);
    tap(a, "questions.next");
    tap_row(a, "questions.who", 0);
    tap(a, "questions.next");
    answer_hearing(a, false);
    tap_row(a, "questions.content", 0);
    tap(a, "questions.next");
    route_pages(a, NULL, false);
    wait_screen(a, "connect", 2000);
    choose_device(a);
    tap_album(a, MEDIA_ALBUM_CAMERA);
    settle_media(a);
    tap(a, "choose.all");
    tap(a, "choose.next");
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "demo fingerprinting at 1024x600");
    wait_screen(a, "review", 3000);
    settle_media(a);
    shot(a, "demo_review");
    check_review(a, "demo review at 1024x600");
    tap(a, "review.next");
    tap(a, "confirm.send");
    wait_screen(a, "case_code", 3000);
    snprintf(a->session.receipt.case_code, sizeof a->session.receipt.case_code, "3071-5926-4803");
    snprintf(a->session.receipt.pin, sizeof a->session.receipt.pin, "100200");
    shot(a, "demo_case_code");
    check_case_code(a, "practice case code at 1024x600");
    app_destroy(a);
    lang_now = "ur";
}

static void section_demo(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "demo", 0) == 0, "fixture");
    cur_fix = &f;
    /* A real queue with a report in it, as on a kiosk's data partition. */
    char qdir[1300];
    snprintf(qdir, sizeof qdir, "%s/queue/pending", f.data);
    REQUIRE(gen_mkdirs(qdir) == 0, "queue dir");
    char sentinel[1400];
    snprintf(sentinel, sizeof sentinel, "%s/0123456789abcdef0123456789abcdef.hfz", qdir);
    REQUIRE(write_whole(sentinel, "sealed", 6) == 0, "sentinel");
    static char before[1 << 16], after[1 << 16];
    list_tree(f.data, before, sizeof before);

    lang_now = "ur";
    struct app_options o;
    kfix_options(&f, &o, 1280, 800);
    o.demo = true;
    o.lang = "ur";
    o.media_root = NULL;
    o.media_folders = false;
    /* A copy of the demo pictures with fixed dates: a fresh clone gives every
     * file its checkout time, and "newest first" would order them by chance. */
    static char demo_dir[1200];
    snprintf(demo_dir, sizeof demo_dir, "%s/demo-media", f.root);
    char cmd[3000];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/assets/demo/media' '%s' && cd '%s' && find . -type f | sort | "
             "awk '{ printf \"touch -m -d @%%d \\\"%%s\\\"\\n\", 1700000000 + NR * 3600, $0 }' | sh && echo ok",
             getenv("HIFAZAT_SOURCE"), demo_dir, demo_dir);
    char *ok = run_cmd(cmd);
    REQUIRE(ok && strstr(ok, "ok"), "copying the demo media");
    free(ok);
    static struct app_paths demo_paths;
    demo_paths = f.paths;
    snprintf(demo_paths.demo_dir, sizeof demo_paths.demo_dir, "%s", demo_dir);
    o.paths = &demo_paths;
    char err[800];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    REQUIRE(a, "demo app: %s", err);
    CHECK(!a->queue && !a->kiosk_key, "demo mode opened the queue or the kiosk key");
    wait_volumes(a, 1);
    /* The whole flow on the demo phone, to the case code. */
    tap(a, "welcome.start");
    privacy_pages(a, NULL);
    tap_row(a, "questions.age", 1);
    tap(a, "questions.next");
    tap_row(a, "questions.who", 0);
    tap(a, "questions.next");
    answer_hearing(a, false);
    tap_row(a, "questions.content", 0);
    tap(a, "questions.next");
    route_pages(a, NULL, false);
    wait_screen(a, "connect", 2000);
    shot(a, "demo_connect");
    choose_device(a);
    tap_album(a, MEDIA_ALBUM_CAMERA);
    settle_media(a);
    shot(a, "demo_choose");
    tap(a, "choose.all");
    tap(a, "choose.next");
    CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "demo fingerprinting");
    wait_screen(a, "review", 3000);
    struct session_counts c;
    session_counts(&a->session, &c);
    CHECK(c.done == 12 && c.low_quality >= 1, "demo: %zu fingerprints, %zu weak", c.done, c.low_quality);
    settle_media(a);
    shot(a, "demo_review");
    check_review(a, "demo review");
    check_review(a, "demo review at 1024x600");
    tap(a, "review.next");
    tap(a, "confirm.send");
    wait_screen(a, "case_code", 3000);
    CHECK(a->session.demo && a->session.have_receipt, "a practice receipt");
    snprintf(a->session.receipt.case_code, sizeof a->session.receipt.case_code, "3071-5926-4803");
    snprintf(a->session.receipt.pin, sizeof a->session.receipt.pin, "100200");
    shot(a, "demo_case_code");
    check_case_code(a, "practice case code");
    /* Finish says it was practice: no sealed report waits for the helpline. */
    tap(a, "case_code.done");
    tap_id(a, ui_id_index(ui_id("case_code.confirm"), 1), "yes, I have it");
    wait_screen(a, "finish", 2000);
    shot(a, "demo_finish");
    /* F5: the trainer starts again. */
    key(a, SDLK_F5);
    wait_screen(a, "welcome", 2000);
    CHECK(!a->session.active && a->session.nitems == 0 && !a->session.have_receipt,
          "F5 wiped the demo session");
    CHECK(a->session.demo, "still in demo mode");
    app_destroy(a);
    demo_netbook(&o);
    list_tree(f.data, after, sizeof after);
    CHECK(!strcmp(before, after), "demo mode touched the real queue directory:\n%s\n---\n%s", before, after);
    kfix_destroy(&f);
}

/* ---- staff */

static void type_pin(struct app *a, const char *pin)
{
    for (const char *p = pin; *p; p++)
        tap_id(a, ui_id_index(ui_id("staff_pin.key"), *p - '0'), "pin key");
    tap_id(a, ui_id_index(ui_id("staff_pin.key"), 11), "OK");
}

static bool pin_checked(struct app *a, const void *arg)
{
    (void)arg;
    return app_jobs_running(a) == 0;
}

/* The courier brings the helpline's signed status archive back on the
 * stick: the next export reads it first (a tampered one changes nothing) and
 * the reports it confirms leave the queue. */
static void staff_receipt_on_stick(struct app *a, const struct kfix *f, const char *courier)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 7, sizeof seed); /* kfix's helpline key */
    struct keys_helpline *h = keys_helpline_from_seed(seed);
    REQUIRE(h && keys_helpline_sign_public(h), "helpline signing key");
    char b64[KEYS_PUBLIC_TEXT_SIZE];
    keys_public_format(keys_helpline_sign_public(h), b64);
    REQUIRE(config_set(a->cfg, "kiosk", "helpline_signing_public_key", b64) == 0, "signing key set");
    char dir[1300];
    snprintf(dir, sizeof dir, "%s/queue/exported", f->data);
    struct receipt_entry e[8];
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) && n < 8)
        if (strlen(de->d_name) == REPORT_ID_HEX + 4) {
            memset(&e[n], 0, sizeof e[n]);
            snprintf(e[n].report_id, sizeof e[n].report_id, "%.32s", de->d_name);
            snprintf(e[n].date, sizeof e[n].date, "2027-01-15");
            n++;
        }
    if (d)
        closedir(d);
    CHECK(n == 1, "one exported report");
    char *arch = NULL, err[200], path[1400];
    size_t len;
    REQUIRE(receipt_archive_build(e, n, 1, time(NULL), h, &arch, &len, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/" RECEIPT_ARCHIVE_NAME, courier);
    char *sig = strstr(arch, "\"signature\":\"") + 13;
    const char orig = *sig;
    *sig = orig == 'A' ? 'B' : 'A';
    REQUIRE(write_whole(path, arch, len) == 0, "tampered archive on the stick");
    tap(a, "staff.export");
    tap_row(a, "staff.export.device", 0);
    CHECK(wait_for(a, pin_checked, NULL, 20000), "export job");
    pump(a, 2);
    CHECK(queue_count(f, "exported") == 1, "a tampered receipt deletes nothing");
    *sig = orig;
    REQUIRE(write_whole(path, arch, len) == 0, "archive on the stick");
    tap(a, "staff.export");
    tap_row(a, "staff.export.device", 0);
    CHECK(wait_for(a, pin_checked, NULL, 20000), "export job");
    pump(a, 2);
    CHECK(queue_count(f, "exported") == 0 && queue_count(f, "pending") == 0,
          "the confirmed report left the kiosk");
    config_unset(a->cfg, "kiosk", "helpline_signing_public_key");
    unlink(path);
    free(arch);
    keys_helpline_close(h);
}

static void section_staff(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "staff", 0) == 0, "fixture");
    cur_fix = &f;
    REQUIRE(kfix_make_phone(&f, "PHONE", 0), "phone");
    lang_now = "en";
    struct app *a = open_app(&f, "en", 0);
    wait_volumes(a, 1);
    /* One report in the queue first. */
    struct run r = {.lang = "en", .stop = ST_DONE};
    walk(a, &r);
    CHECK(queue_pending(&f) == 1, "a report queued");
    /* Five quick taps on the mark (top left in English). */
    for (int i = 0; i < 5; i++) {
        push_button(40, 40, true);
        push_button(40, 40, false);
        pump(a, 1);
    }
    wait_screen(a, "staff_pin", 1000);
    shot(a, "staff_pin");
    for (int i = 0; i < 3; i++) {
        type_pin(a, "135790");
        CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
        pump(a, 2);
        CHECK(!strcmp(app_screen(a), "staff_pin"), "a wrong PIN let staff in");
    }
    CHECK(a->pin_locked_until != 0, "three wrong PINs lock the pad");
    type_pin(a, KFIX_PIN);
    pump(a, 3);
    CHECK(app_jobs_running(a) == 0 && !strcmp(app_screen(a), "staff_pin"), "locked: not even checked");
    /* The test skips the 30 s wait. */
    a->pin_locked_until = 0;
    type_pin(a, KFIX_PIN);
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    wait_screen(a, "staff", 2000);
    CHECK(a->pin_failures == 0, "the right PIN resets the count");
    shot(a, "staff");
    /* Export to a courier stick. */
    char courier[1300];
    snprintf(courier, sizeof courier, "%s/HIFAZATOUT", f.media);   /* the image's courier label */
    REQUIRE(mkdir(courier, 0755) == 0, "courier");
    wait_volumes(a, 2);
    tap(a, "staff.export");
    CHECK(!strcmp(app_screen_part(a), "export"), "export page");
    tap_row(a, "staff.export.device", 0);   /* HIFAZATOUT sorts before PHONE */
    CHECK(wait_for(a, pin_checked, NULL, 20000), "export job");
    pump(a, 2);
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "ls '%s/hifazat-outbox' | grep -c '\\.tar$'", courier);
    char *n = run_cmd(cmd);
    CHECK(n && atoi(n) == 1, "one archive on the courier stick (%s)", n ? n : "-");
    free(n);
    staff_receipt_on_stick(a, &f, courier);
    /* A person never sees the courier stick among their devices. */
    app_goto(a, "connect");
    app_draw(a, true);
    CHECK(find_hit(a, ui_id_index(ui_id("connect.device"), 0)) &&
              !find_hit(a, ui_id_index(ui_id("connect.device"), 1)),
          "Connect offers the courier stick beside the phone");
    app_goto(a, "staff");
    app_draw(a, true);
    /* Settings, on their own page, go to the data partition's override. */
    tap(a, "staff.settings");
    CHECK(!strcmp(app_screen_part(a), "settings"), "settings page");
    tap(a, "staff.lang.ur");
    tap(a, "staff.idle.plus");
    /* Larger text and English narration: saved, and larger text
     * shown on the person's screens (the staff screens stay as they are). */
    int body = ui_theme(app_ui(a))->font_body;
    tap(a, "staff.large_text");
    tap(a, "staff.narration_en");
    app_draw(a, true);
    CHECK(a->settings.large_text && a->settings.narration_english, "both switched on");
    CHECK(ui_theme(app_ui(a))->font_body == body, "staff screen unchanged");
    shot(a, "staff_settings");
    app_goto(a, "welcome");
    app_draw(a, true);
    CHECK(ui_theme(app_ui(a))->font_body > body, "larger text: %d -> %d", body,
          ui_theme(app_ui(a))->font_body);
    expect_clip(a, "en", "screen.welcome");   /* English narration on an Urdu kiosk */
    shot(a, "welcome_large");
    app_goto(a, "staff");
    app_draw(a, true);
    char over[1300];
    snprintf(over, sizeof over, "%s/kiosk.conf", f.data);
    size_t len;
    char *text = (char *)read_whole(over, &len);
    CHECK(text && strstr(text, "language = ur") && strstr(text, "idle_timeout_minutes = 1") &&
              strstr(text, "large_text = yes") && strstr(text, "narration_english = yes"),
          "override: %s", text ? text : "(none)");
    free(text);
    tap(a, "staff.settings");
    tap(a, "staff.large_text");
    tap(a, "staff.narration_en");
    CHECK(!a->settings.large_text && !a->settings.narration_english, "off again");
    tap(a, "staff.settings.back");
    CHECK(!strcmp(app_screen_part(a), ""), "back on the staff page");
    /* Shut down. */
    tap(a, "staff.shutdown");
    app_draw(a, true);
    tap_id(a, ui_id_index(ui_id("staff.shutdown_dialog"), 1), "yes, shut down");
    CHECK(!app_pump(a, 0) && a->exit_code == APP_EXIT_SHUTDOWN, "shut down exit code %d", a->exit_code);
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- the staff PIN's lockout survives a restart; PINs of 6 digits or more;
 * a hash from when shorter PINs were allowed is refused */

static void open_staff_pin(struct app *a)
{
    key_mod(a, SDLK_s, KMOD_LCTRL | KMOD_LALT);
    wait_screen(a, "staff_pin", 1000);
}

/* Ctrl+Alt+S and the right PIN, typed on the keyboard (keys) or tapped on
 * the PIN pad: the staff screen, its PIN check done. */
static void open_staff(struct app *a, bool keys)
{
    open_staff_pin(a);
    if (keys) {
        for (const char *p = KFIX_PIN; *p; p++)
            key(a, SDLK_0 + (*p - '0'));
        key(a, SDLK_RETURN);
    } else {
        type_pin(a, KFIX_PIN);
    }
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    wait_screen(a, "staff", 2000);
}

static void section_staff_lockout(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "staffpin", 0) == 0, "fixture");
    cur_fix = &f;
    lang_now = "en";
    struct app *a = open_app(&f, "en", 0);
    open_staff_pin(a);
    /* Five digits: the pad does not even check them. */
    type_pin(a, "24681");
    pump(a, 2);
    CHECK(app_jobs_running(a) == 0 && a->pin_failures == 0 && !strcmp(app_screen(a), "staff_pin"),
          "a 5-digit PIN is not checked");
    for (int i = 0; i < 3; i++) {
        type_pin(a, "135790");
        CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
        pump(a, 2);
    }
    CHECK(a->pin_failures == 3 && a->pin_locked_until != 0, "three wrong PINs lock the pad");
    app_destroy(a);
    /* Switched off and on: still locked, the right PIN is not even checked. */
    a = open_app(&f, "en", 0);
    CHECK(a->pin_failures == 3 && a->pin_locked_until != 0, "a restart keeps the lockout (%d)",
          a->pin_failures);
    open_staff_pin(a);
    type_pin(a, KFIX_PIN);
    pump(a, 3);
    CHECK(app_jobs_running(a) == 0 && !strcmp(app_screen(a), "staff_pin"), "locked after restart");
    /* The test skips the wait; one more wrong PIN doubles it and is counted. */
    a->pin_locked_until = 0;
    type_pin(a, "135790");
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    CHECK(a->pin_failures == 4, "counted on from the saved count: %d", a->pin_failures);
    a->pin_locked_until = 0;
    type_pin(a, KFIX_PIN);
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    wait_screen(a, "staff", 2000);
    app_destroy(a);
    a = open_app(&f, "en", 0);
    CHECK(a->pin_failures == 0 && a->pin_locked_until == 0, "the right PIN resets the saved count");
    /* A hash `hifazat staff-pin` made when 4 digits were allowed. */
    char old[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str(old, KFIX_PIN, strlen(KFIX_PIN), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0, "old hash");
    REQUIRE(config_set(a->cfg, "staff", "pin_hash", old) == 0, "set old hash");
    open_staff_pin(a);
    for (const char *p = KFIX_PIN; *p; p++)
        key(a, SDLK_0 + (*p - '0'));
    key(a, SDLK_RETURN);
    pump(a, 3);
    CHECK(app_jobs_running(a) == 0 && !strcmp(app_screen(a), "staff_pin"),
          "an old-style hash does not open the staff screen");
    shot(a, "staff_pin_outdated");
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- the helpline key this kiosk was set up with: remembered at first
 * start; a different key later stops the kiosk (a staff error screen with
 * both fingerprints, nothing queued) until staff confirm it with the PIN */

static void section_helpline_key(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "hlkey", 0) == 0, "fixture");
    cur_fix = &f;
    REQUIRE(kfix_make_phone(&f, "PHONE", 0), "phone");
    /* With the site's kiosk_key_secret the kiosk key (the fixture's, in
     * clear) is encrypted at the first start, and keeps signing. */
    FILE *c = fopen(f.config, "a");
    REQUIRE(c, "append");
    fputs("[kiosk]\nkiosk_key_secret = ERERERERERERERERERERERERERERERERERERERERERE=\n", c);
    fclose(c);
    lang_now = "en";
    struct app *a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "first start: %s (%s)", app_screen(a), a->config_err);
    char keyfile[1200];
    snprintf(keyfile, sizeof keyfile, "%s/%s", f.data, KEYS_KIOSK_FILE);
    size_t klen;
    char *ktext = (char *)read_whole(keyfile, &klen);
    CHECK(ktext && strstr(ktext, "sealed_seed") && !strstr(ktext, "\"seed\""), "kiosk key encrypted: %s",
          ktext ? ktext : "(none)");
    free(ktext);
    char pinfile[1200];
    snprintf(pinfile, sizeof pinfile, "%s/%s", f.data, KEYS_HELPLINE_PIN_FILE);
    CHECK(access(pinfile, F_OK) == 0, "the key is remembered at first start");
    app_destroy(a);
    /* Someone puts another helpline key in the kiosk's configuration. */
    uint8_t other[32];
    memset(other, 0x5a, sizeof other);
    char b64[KEYS_PUBLIC_TEXT_SIZE], text[100], pub[1200];
    keys_public_format(other, b64);
    snprintf(text, sizeof text, "%s\n", b64);
    snprintf(pub, sizeof pub, "%s/helpline.pub", f.root);
    REQUIRE(write_whole(pub, text, strlen(text)) == 0, "other key");
    lang_now = "ur";
    a = open_app(&f, "ur", 0);
    CHECK(!strcmp(app_screen(a), "config_error") && a->helpline_changed && a->pinned_fpr[0],
          "a changed key stops the kiosk: %s (%s)", app_screen(a), a->config_err);
    char fpr[KEYS_FINGERPRINT_SIZE];
    keys_fingerprint(f.helpline_pk, KEYS_ROLE_HELPLINE, fpr);
    CHECK(!strcmp(a->pinned_fpr, fpr) && strstr(a->config_err, fpr), "the old fingerprint is shown");
    shot(a, "helpline_key_changed");
    app_destroy(a);
    /* The smallest screen the kiosk supports, in Urdu. */
    app_w = 1024, app_h = 600;
    lang_now = "ur_1024x600";
    a = open_app(&f, "ur", 0);
    shot(a, "helpline_key_changed");
    app_destroy(a);
    app_w = 1280, app_h = 800;
    lang_now = "ur";
    a = open_app(&f, "ur", 0);
    /* Quick exit, a restart: still stopped, nothing queued. */
    key(a, SDLK_F12);
    CHECK(!strcmp(app_screen(a), "config_error"), "quick exit left the error screen");
    app_destroy(a);
    lang_now = "en";
    a = open_app(&f, "en", 0);
    wait_volumes(a, 1);
    CHECK(!strcmp(app_screen(a), "config_error") && a->helpline_changed, "still stopped after a restart");
    shot(a, "helpline_key_changed");
    CHECK(queue_pending(&f) == 0, "nothing queued");
    /* Staff confirm the new key with the PIN; a wrong PIN does not. */
    tap(a, "config_error.confirm_key");
    wait_screen(a, "staff_pin", 1000);
    type_pin(a, "135790");
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    pump(a, 2);
    CHECK(!strcmp(app_screen(a), "staff_pin") && a->helpline_changed, "a wrong PIN confirms nothing");
    type_pin(a, KFIX_PIN);
    CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
    wait_screen(a, "welcome", 2000);
    CHECK(!a->helpline_changed && !a->config_err[0], "confirmed: %s", a->config_err);
    /* Now reports are taken, sealed to the new key. */
    struct run r = {.lang = "en", .stop = ST_DONE};
    walk(a, &r);
    CHECK(queue_pending(&f) == 1, "a report queued after the confirmation");
    app_destroy(a);
    a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "welcome"), "the new key is remembered: %s", a->config_err);
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- staff, by keyboard alone: the key presses image-build/test/boot_test.py
 * sends to the USB image in qemu to shut it down from the staff screen
 * (STAFF_SHUTDOWN_KEYS there). Change both together. */

static void section_staff_keys(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "staffkeys", 0) == 0, "fixture");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    open_staff(a, true);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.close"), "the staff screen starts on Close");
    /* The first Tab on a new screen shows the focus ring where it is; the
     * second moves it. */
    key(a, SDLK_TAB);
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.shutdown"), "two Tabs from the start: Shut down");
    key(a, SDLK_RETURN);
    app_draw(a, true);
    /* The dialog starts on its safe answer: one Tab to "yes, shut down". */
    key(a, SDLK_TAB);
    key(a, SDLK_RETURN);
    CHECK(!app_pump(a, 0) && a->exit_code == APP_EXIT_SHUTDOWN, "shut down by keyboard: exit code %d",
          a->exit_code);
    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- Wi-Fi on the staff screen */

static void check_layout(struct app *a, const char *what);

static void wifi_wait_jobs(struct app *a)
{
    CHECK(wait_for(a, pin_checked, NULL, 10000), "Wi-Fi job");
    pump(a, 2);
    app_draw(a, true);
}

static void wifi_type_keys(struct app *a, const char *s)
{
    for (; *s; s++)
        tap_id(a, ui_id_index(ui_id("staff.wifi.key"), (unsigned char)*s), "a key");
}

static void text_input(struct app *a, const char *s)
{
    SDL_Event e;
    SDL_zero(e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof e.text.text, "%s", s);
    SDL_PushEvent(&e);
    pump(a, 2);
}

static bool part_is(struct app *a, const char *part) { return !strcmp(app_screen_part(a), part); }

static void section_staff_wifi(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "staffwifi", 0) == 0, "fixture");
    cur_fix = &f;
    static const char right[] = "correct-horse-42";
    const struct wifi_fake_network world[] = {
        {"HelpCentre", -50, WIFI_SEC_PSK, right},
        {"Cafe Free", -72, WIFI_SEC_OPEN, NULL},
        {"Office", -60, WIFI_SEC_ENTERPRISE, NULL},
        {"Neighbour", -84, WIFI_SEC_SAE, "not-ours-123"},
    };
    struct wifi_fake_config fc = {.networks = world, .count = 4, .connect_ms = 100};
    struct wifi_options wo = {.fake = &fc};
    char err[256];
    flow_wifi = wifi_create(&wifi_backend_fake, &wo, err, sizeof err);
    REQUIRE(flow_wifi, "fake Wi-Fi: %s", err);
    /* The site's kiosk_key_secret: remembered networks are sealed under it. */
    uint8_t secret[32];
    memset(secret, 7, sizeof secret);
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, secret, sizeof secret, sodium_base64_VARIANT_ORIGINAL);

    /* Goldens: the list, the keyboard page, the wrong password's message;
     * Urdu at both sizes, English on the usual screen. */
    static const struct {
        int w, h;
        const char *lang, *tag;
    } runs[] = {{1280, 800, "ur", "ur"}, {1024, 600, "ur", "ur_1024x600"}, {1280, 800, "en", "en"},
                {1024, 600, "en", "en_1024x600"}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        app_w = runs[r].w;
        app_h = runs[r].h;
        lang_now = runs[r].tag;
        struct app *a = open_app(&f, runs[r].lang, 0);
        REQUIRE(config_set(a->cfg, "kiosk", "kiosk_key_secret", b64) == 0, "secret");
        open_staff(a, false);
        char what[80];
        snprintf(what, sizeof what, "staff %s %dx%d", runs[r].lang, app_w, app_h);
        check_layout(a, what);
        tap(a, "staff.wifi");
        CHECK(part_is(a, "wifi"), "the Wi-Fi page");
        wifi_wait_jobs(a);
        strcat(what, " wifi");
        check_layout(a, what);
        shot(a, "staff_wifi_list");
        tap_row(a, "staff.wifi.net", 0);   /* HelpCentre: the strongest */
        CHECK(part_is(a, "wifi_password"), "the password page");
        CHECK(ui_focus(a->ui) == ui_id("staff.wifi.connect"), "the password page starts on Connect");
        wifi_type_keys(a, "wrongpass");
        app_draw(a, true);
        strcat(what, " password");
        check_layout(a, what);
        shot(a, "staff_wifi_keyboard");
        tap(a, "staff.wifi.connect");
        CHECK(part_is(a, "wifi_status"), "connecting");
        wifi_wait_jobs(a);
        struct wifi_status st;
        wifi_last_status(flow_wifi, &st);
        CHECK(st.state == WIFI_FAILED && st.reason == WIFI_REASON_WRONG_KEY, "wrong password: %s %s",
              wifi_state_name(st.state), wifi_reason_name(st.reason));
        shot(a, "staff_wifi_wrong");
        app_destroy(a);
        wifi_last_status(flow_wifi, &st);
        CHECK(st.state == WIFI_DISCONNECTED, "the app's end disconnects");
    }
    app_w = 1280;
    app_h = 800;
    lang_now = "ur";

    /* The whole way, by touch and the physical keyboard. */
    struct app *a = open_app(&f, "ur", 0);
    REQUIRE(config_set(a->cfg, "kiosk", "kiosk_key_secret", b64) == 0, "secret");
    open_staff(a, false);
    /* By keyboard: the Wi-Fi button takes Enter like every staff button. */
    ui_set_focus(a->ui, ui_id("staff.wifi"));
    key(a, SDLK_RETURN);
    CHECK(part_is(a, "wifi"), "Enter on Wi-Fi opens its page");
    wifi_wait_jobs(a);
    tap_row(a, "staff.wifi.net", 0);
    wifi_type_keys(a, "wrong");
    /* Hidden by default; Show shows it, Hide hides it again. */
    uint8_t *hidden = app_screenshot(a, &(int){0}, &(int){0});
    tap_id(a, ui_id_index(ui_id("staff.wifi.key"), 203), "show");
    uint8_t *visible = app_screenshot(a, &(int){0}, &(int){0});
    tap_id(a, ui_id_index(ui_id("staff.wifi.key"), 203), "hide");
    uint8_t *again = app_screenshot(a, &(int){0}, &(int){0});
    size_t bytes = (size_t)app_w * (size_t)app_h * 4;
    REQUIRE(hidden && visible && again, "screenshots");
    CHECK(memcmp(hidden, visible, bytes) != 0 && memcmp(hidden, again, bytes) == 0, "show and hide");
    free(hidden), free(visible), free(again);
    wifi_type_keys(a, "pass");
    key(a, SDLK_BACKSPACE);   /* a physical key erases too */
    tap(a, "staff.wifi.connect");
    wifi_wait_jobs(a);
    CHECK(part_is(a, "wifi_status"), "the outcome");
    tap(a, "staff.wifi.status.next");   /* Try again: the password page, emptied */
    CHECK(part_is(a, "wifi_password"), "Try again asks for the password");
    text_input(a, right);
    key(a, SDLK_RETURN);      /* the focus starts on Connect */
    CHECK(part_is(a, "wifi_status"), "Enter connects");
    wifi_wait_jobs(a);
    struct wifi_status st;
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_CONNECTED && st.ipv4[0], "connected: %s", wifi_state_name(st.state));
    /* Remembered (the switch is on by default), sealed on the data partition. */
    char path[1300];
    snprintf(path, sizeof path, "%s/" WIFI_STORE_FILE, f.data);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "remembered, mode 0600");
    size_t len = 0;
    uint8_t *data = read_whole(path, &len);
    CHECK(data && len > 0 && !memmem(data, len, right, strlen(right)) && !memmem(data, len, "HelpCentre", 10),
          "the file holds neither the password nor the name in clear");
    free(data);
    tap(a, "staff.wifi.status.next");   /* Done */
    CHECK(part_is(a, ""), "back on the staff page");
    /* The list again: the remembered network has Forget. */
    tap(a, "staff.wifi");
    wifi_wait_jobs(a);
    tap_row(a, "staff.wifi.forget", 0);
    CHECK(stat(path, &sb) != 0, "Forget removes it (the last one: the file goes)");
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_CONNECTED, "still connected while staff are here");
    /* Leaving the staff screen takes the network down. */
    tap(a, "staff.wifi.back");
    tap(a, "staff.close");
    pump(a, 3);
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_DISCONNECTED, "leaving the staff screen disconnects: %s", wifi_state_name(st.state));
    /* An open network connects without a password page, and quick exit
     * takes it down too. */
    open_staff(a, false);
    tap(a, "staff.wifi");
    wifi_wait_jobs(a);
    tap_row(a, "staff.wifi.net", 2);   /* Cafe Free (Office, -60, is the second) */
    CHECK(part_is(a, "wifi_status"), "an open network: no password");
    wifi_wait_jobs(a);
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_CONNECTED, "open network connected");
    key(a, SDLK_F12);
    pump(a, 3);
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_DISCONNECTED && !strcmp(app_screen(a), "welcome"), "quick exit disconnects");
    /* An upload still running when staff leave keeps the network until it
     * has finished (the image's upload service, answered by hand here). */
    REQUIRE(config_set(a->cfg, "upload", "url", "https://drop.example.invalid/hifazat/") == 0 &&
                config_set(a->cfg, "upload", "via", "unit") == 0,
            "upload settings");
    open_staff(a, false);
    tap(a, "staff.wifi");
    wifi_wait_jobs(a);
    tap_row(a, "staff.wifi.net", 2);
    wifi_wait_jobs(a);
    tap(a, "staff.wifi.status.next");   /* Done */
    tap(a, "staff.upload");
    char reqpath[1300], statpath[1300];
    snprintf(reqpath, sizeof reqpath, "%s/upload/request", f.data);
    snprintf(statpath, sizeof statpath, "%s/upload/status.json", f.data);
    char *req = NULL;
    for (int i = 0; i < 200 && !req; i++) {
        app_pump(a, 10);
        req = (char *)read_whole(reqpath, &len);
    }
    REQUIRE(req && app_jobs_running(a) == 1, "the upload asked the service");
    tap(a, "staff.close");
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_CONNECTED, "staff left, the upload runs: still connected");
    char json[200];
    req[strcspn(req, "\n")] = 0;
    snprintf(json, sizeof json,
             "{\"request\": \"%s\", \"state\": \"done\", \"exit\": 0, \"sent\": 0, \"left\": 0}", req);
    free(req);
    REQUIRE(write_whole(statpath, json, strlen(json)) == 0, "status.json");
    CHECK(wait_for(a, pin_checked, NULL, 10000), "the upload ended");
    CHECK(wait_for(a, pin_checked, NULL, 10000), "the network dropped");
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_DISCONNECTED, "after the upload: disconnected (%s)", wifi_state_name(st.state));
    app_destroy(a);
    wifi_destroy(flow_wifi);

    /* A machine without a radio: the button says so and is off. */
    fc.no_radio = true;
    flow_wifi = wifi_create(&wifi_backend_fake, &wo, err, sizeof err);
    a = open_app(&f, "en", 0);
    open_staff(a, false);
    app_draw(a, true);
    tap(a, "staff.wifi");
    CHECK(part_is(a, ""), "no radio: the Wi-Fi button does nothing");
    app_destroy(a);
    wifi_destroy(flow_wifi);
    flow_wifi = NULL;
    /* The same from the configuration: wpa_supplicant's backend for an
     * interface this machine does not have. */
    FILE *cf = fopen(f.config, "a");
    REQUIRE(cf, "config");
    fprintf(cf, "\n[wifi]\ninterface = hzwifi-none0\ncontrol_dir = /nonexistent/wpa\n");
    fclose(cf);
    a = open_app(&f, "en", 0);
    CHECK(a->wifi && !wifi_present(a->wifi), "[wifi] interface: the real backend, no radio");
    open_staff(a, false);
    app_draw(a, true);
    CHECK(find_hit(a, ui_id("staff.wifi")), "the Wi-Fi button is shown");
    tap(a, "staff.wifi");
    CHECK(part_is(a, ""), "no such interface: the Wi-Fi button does nothing");
    app_destroy(a);
    kfix_destroy(&f);
}


/* The focused control by name, for the messages of staff_wifi_keys. */
static const char *wprobe_name(struct app *a)
{
    static const char *ids[] = {"staff.close", "staff.shutdown", "staff.check", "staff.info", "staff.export",
                                "staff.upload", "staff.wifi", "staff.settings", "staff.wifi.back",
                                "staff.wifi.refresh", "staff.wifi.disconnect", "staff.wifi.connect",
                                "staff.wifi.password.back", "staff.wifi.status.back", "staff.wifi.status.next"};
    uint32_t f = ui_focus(a->ui);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (f == ui_id(ids[i]))
            return ids[i];
    for (int i = 0; i < 8; i++)
        if (f == ui_id_index(ui_id("staff.wifi.net"), i))
            return i == 0 ? "net[0]" : "net[n]";
    return "?";
}

/* The boot test's Wi-Fi by keys (image-build/test/boot_test.py: WIFI_KEYS
 * and STAFF_UPLOAD_KEYS) on the app: the same presses from the staff
 * screen's start to the network, the password typed key by key, a wrong one
 * then the right one, "Upload now", and Close. Change both together. */
static void type_text_keys(struct app *a, const char *s)
{
    for (; *s; s++) {
        char c[2] = {*s, 0};
        text_input(a, c);
    }
}

static void section_staff_wifi_keys(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "wifikeys", 0) == 0, "fixture");
    cur_fix = &f;
    static const char right[] = "hifazat-test-77", wrong[] = "wrongpass1";
    const struct wifi_fake_network world[] = {{"HifazatTest", -40, WIFI_SEC_PSK, right}};
    struct wifi_fake_config fc = {.networks = world, .count = 1, .connect_ms = 100};
    struct wifi_options wo = {.fake = &fc};
    char err[256];
    flow_wifi = wifi_create(&wifi_backend_fake, &wo, err, sizeof err);
    REQUIRE(flow_wifi, "fake Wi-Fi: %s", err);
    struct app *a = open_app(&f, "ur", 0);
    /* As the image: a drop box set, uploads through the unit. */
    REQUIRE(config_set(a->cfg, "upload", "url", "https://10.0.2.100/drop/") == 0 &&
                config_set(a->cfg, "upload", "via", "unit") == 0,
            "upload settings");
    open_staff(a, false);
    app_draw(a, true);
    /* WIFI_KEYS: six Tabs from Close (the first shows the ring): Shut down,
     * Screen check, Export, Upload now, Wi-Fi; Enter. */
    for (int i = 0; i < 6; i++)
        key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.wifi"), "six Tabs: Wi-Fi (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    CHECK(part_is(a, "wifi"), "Enter opens the Wi-Fi page");
    wifi_wait_jobs(a);
    /* Two Tabs from Back: Refresh, the first network; Enter. */
    key(a, SDLK_TAB);
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id_index(ui_id("staff.wifi.net"), 0), "two Tabs: the network (%s)",
          wprobe_name(a));
    key(a, SDLK_RETURN);
    CHECK(part_is(a, "wifi_password"), "Enter: the password page");
    /* As a slow machine gets them (the boot test under TCG): the password
     * and Enter in one batch, no frame drawn in between, while the last
     * frame still showed Connect disabled. Enter connects all the same. */
    SDL_Event te;
    SDL_zero(te);
    te.type = SDL_TEXTINPUT;
    for (const char *c = wrong; *c; c++) {
        te.text.text[0] = *c;
        te.text.text[1] = 0;
        SDL_PushEvent(&te);
    }
    key(a, SDLK_RETURN);
    CHECK(part_is(a, "wifi_status"), "Enter connects (%s, focus %s)", app_screen_part(a), wprobe_name(a));
    wifi_wait_jobs(a);
    struct wifi_status st;
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_FAILED && st.reason == WIFI_REASON_WRONG_KEY, "wrong password: %s %s",
          wifi_state_name(st.state), wifi_reason_name(st.reason));
    /* The outcome starts on Back; one Tab: Try again; Enter: the password
     * page, emptied. */
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.wifi.status.next"), "one Tab: Try again (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    CHECK(part_is(a, "wifi_password"), "Enter: Try again (%s)", app_screen_part(a));
    type_text_keys(a, right);
    key(a, SDLK_RETURN);
    wifi_wait_jobs(a);
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_CONNECTED && st.ipv4[0], "connected: %s", wifi_state_name(st.state));
    /* One Tab: Done; Enter: back on the staff page. */
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.wifi.status.next"), "one Tab: Done (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    app_draw(a, true);
    CHECK(part_is(a, ""), "Enter: Done, the staff page (%s)", app_screen_part(a));
    CHECK(ui_focus(a->ui) == ui_id("staff.close"), "the staff page starts on Close (%s)", wprobe_name(a));
    /* STAFF_UPLOAD_KEYS: four Tabs (Shut down, Screen check, Export, Upload
     * now), Enter: the upload service is asked (the request file). */
    for (int i = 0; i < 4; i++)
        key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.upload"), "four Tabs: Upload now (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    char reqpath[1300], statpath[1300];
    snprintf(reqpath, sizeof reqpath, "%s/upload/request", f.data);
    snprintf(statpath, sizeof statpath, "%s/upload/status.json", f.data);
    char *req = NULL;
    size_t len = 0;
    for (int i = 0; i < 200 && !req; i++) {
        app_pump(a, 10);
        req = (char *)read_whole(reqpath, &len);
    }
    REQUIRE(req, "Enter on Upload now asked the service");
    req[strcspn(req, "\n")] = 0;
    char json[200];
    snprintf(json, sizeof json, "{\"request\": \"%s\", \"state\": \"done\", \"exit\": 0, \"sent\": 1, \"left\": 0}",
             req);
    free(req);
    REQUIRE(write_whole(statpath, json, strlen(json)) == 0, "status.json");
    CHECK(wait_for(a, pin_checked, NULL, 10000), "the upload ended");
    app_draw(a, true);
    /* STAFF_CLOSE_KEYS: Upload now is off while it runs, which puts the
     * focus back on Close, where it stays; Enter: the staff screen closes and
     * the network goes down. */
    CHECK(ui_focus(a->ui) == ui_id("staff.close"), "after the upload: Close (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    CHECK(wait_for(a, pin_checked, NULL, 10000), "the network dropped");
    pump(a, 3);
    wifi_last_status(flow_wifi, &st);
    CHECK(st.state == WIFI_DISCONNECTED && !strcmp(app_screen(a), "welcome"),
          "Close: the welcome screen, disconnected (%s, %s)", app_screen(a), wifi_state_name(st.state));
    /* STAFF_SHUTDOWN_KEYS_AFTER_WIFI: the focus ring is showing already, so
     * Shut down is one Tab from Close (two on a fresh start: staff_keys). */
    open_staff(a, true);
    app_draw(a, true);
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(a->ui) == ui_id("staff.shutdown"), "one Tab: Shut down (%s)", wprobe_name(a));
    key(a, SDLK_RETURN);
    app_draw(a, true);
    key(a, SDLK_TAB);
    key(a, SDLK_RETURN);
    CHECK(!app_pump(a, 0) && a->exit_code == APP_EXIT_SHUTDOWN, "shut down by keyboard: exit code %d", a->exit_code);
    app_destroy(a);
    wifi_destroy(flow_wifi);
    flow_wifi = NULL;
    kfix_destroy(&f);
}

/* ---- staff screens fit: Urdu (tall Nastaliq lines) and English, on the
 * usual screen and a 1024x600 netbook. Every widget inside the window, none
 * on top of another (a scroll area's own rows are inside it, not on it). */

static bool inside(struct ui_rect a, struct ui_rect b)
{
    return a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
}

static bool overlap(struct ui_rect a, struct ui_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void check_layout(struct app *a, const char *what)
{
    app_draw(a, true);
    const struct hit_list *l = &app_ui(a)->prev;
    const struct ui_rect win = {0, 0, app_w, app_h};
    unsigned bad = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct ui_hit *h = &l->v[i];
        if (h->vis.w <= 0 || h->vis.h <= 0)
            continue;
        if (!inside(h->vis, win) && bad++ < 3)
            CHECK(0, "%s: widget %08x outside the window", what, (unsigned)h->id);
        for (size_t j = i + 1; j < l->n; j++) {
            const struct ui_hit *g = &l->v[j];
            if (g->vis.w <= 0 || g->vis.h <= 0 || g->layer != h->layer || g->owner == h->id ||
                h->owner == g->id)
                continue;
            if (overlap(h->vis, g->vis) && bad++ < 3)
                CHECK(0, "%s: widgets %08x and %08x overlap", what, (unsigned)h->id, (unsigned)g->id);
        }
    }
    CHECK(bad == 0, "%s: %u layout problems", what, bad);
}

/* Past the flash a key press gives the PIN's indicator. */
static void pin_settle(struct app *a)
{
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < 300)
        app_pump(a, 20);
    app_draw(a, true);
}

static uint8_t *pin_shot(struct app *a, const char *digits)
{
    for (const char *p = digits; *p; p++)
        tap_id(a, ui_id_index(ui_id("staff_pin.key"), *p - '0'), "pin key");
    pin_settle(a);
    int w, h;
    return app_screenshot(a, &w, &h);
}

/* The PIN's indicator never tells how many digits were typed: one and five
 * look the same, and six, twelve and more (the OK key is on from six, the
 * shortest PIN there is). */
static void check_pin_hides_length(struct app *a)
{
    size_t n = (size_t)app_w * (size_t)app_h * 4;
    uint8_t *none = pin_shot(a, "");
    uint8_t *one = pin_shot(a, "1");
    uint8_t *five = pin_shot(a, "2345");
    uint8_t *six = pin_shot(a, "6");
    uint8_t *twelve = pin_shot(a, "789012");
    uint8_t *more = pin_shot(a, "34");
    REQUIRE(none && one && five && six && twelve && more, "screenshots");
    CHECK(memcmp(none, one, n) != 0, "the PIN pad shows nothing when a digit is typed");
    CHECK(memcmp(one, five, n) == 0, "the PIN pad shows how many digits (1 and 5 differ)");
    CHECK(memcmp(six, twelve, n) == 0 && memcmp(twelve, more, n) == 0,
          "the PIN pad shows how many digits (6, 12 and 14 differ)");
    free(none), free(one), free(five), free(six), free(twelve), free(more);
    /* Erasing every digit (however many) empties it again. */
    for (int i = 0; i < 14; i++)
        tap_id(a, ui_id_index(ui_id("staff_pin.key"), 10), "erase");
    pin_settle(a);
}

/* Every staff page in Urdu, on the usual screen and a 1024x600 netbook: the
 * PIN pad (empty, typed, wrong, locked out), the staff page, its result line
 * after an export, the settings, and a PIN hash too old to use. (The
 * changed helpline key's page: section helpline_key.) */
static void staff_urdu_shots(struct kfix *f)
{
    char courier[1300];
    snprintf(courier, sizeof courier, "%s/HIFAZATOUT", f->media);
    mkdir(courier, 0755);
    struct stat sb;
    REQUIRE(stat(courier, &sb) == 0, "courier");
    static const int sizes[][2] = {{1280, 800}, {1024, 600}};
    for (int s = 0; s < 2; s++) {
        app_w = sizes[s][0];
        app_h = sizes[s][1];
        lang_now = s ? "ur_1024x600" : "ur";
        struct app *a = open_app(f, "ur", 0);
        wait_volumes(a, 1);
        open_staff_pin(a);
        shot(a, "staff_pin");
        if (s == 0)
            check_pin_hides_length(a);
        for (const char *p = "135"; *p; p++)
            tap_id(a, ui_id_index(ui_id("staff_pin.key"), *p - '0'), "pin key");
        pin_settle(a);
        shot(a, "staff_pin_typed");
        for (int i = 0; i < 3; i++)
            tap_id(a, ui_id_index(ui_id("staff_pin.key"), 10), "erase");
        for (int i = 0; i < 3; i++) {
            type_pin(a, "135790");
            CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
            pump(a, 2);
            if (i == 0) {
                pin_settle(a);
                shot(a, "staff_pin_wrong");
            }
        }
        CHECK(a->pin_locked_until != 0, "three wrong PINs lock the pad");
        /* "30 seconds" in every run: 29.5 s left, shown rounded up, for the
         * half second the screenshot may take. */
        a->pin_locked_until = (SDL_GetTicks() + 29500) | 1;
        pin_settle(a);
        a->pin_locked_until = (SDL_GetTicks() + 29500) | 1;
        shot(a, "staff_pin_locked");
        a->pin_locked_until = 0;
        type_pin(a, KFIX_PIN);
        CHECK(wait_for(a, pin_checked, NULL, 10000), "PIN check");
        wait_screen(a, "staff", 2000);
        shot(a, "staff");
        tap(a, "staff.export");
        CHECK(!strcmp(app_screen_part(a), "export"), "export page");
        tap_row(a, "staff.export.device", 0);
        CHECK(wait_for(a, pin_checked, NULL, 20000), "export job");
        pump(a, 2);
        shot(a, "staff_exported");
        tap(a, "staff.settings");
        CHECK(!strcmp(app_screen_part(a), "settings"), "settings page");
        shot(a, "staff_settings");
        app_destroy(a);
    }
    /* A hash `hifazat staff-pin` made when 4 digits were allowed. */
    char old[crypto_pwhash_STRBYTES];
    REQUIRE(crypto_pwhash_str(old, KFIX_PIN, strlen(KFIX_PIN), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0, "old hash");
    for (int s = 0; s < 2; s++) {
        app_w = sizes[s][0];
        app_h = sizes[s][1];
        lang_now = s ? "ur_1024x600" : "ur";
        struct app *a = open_app(f, "ur", 0);
        REQUIRE(config_set(a->cfg, "staff", "pin_hash", old) == 0, "set old hash");
        open_staff_pin(a);
        shot(a, "staff_pin_outdated");
        app_destroy(a);
    }
    app_w = 1280;
    app_h = 800;
}

static void section_staff_layout(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "stafflayout", 0) == 0, "fixture");
    cur_fix = &f;
    static const int sizes[][2] = {{1280, 800}, {1024, 600}};
    for (int s = 0; s < 2; s++)
        for (int l = 0; l < 2; l++) {
            const char *lang = l ? "en" : "ur";
            app_w = sizes[s][0];
            app_h = sizes[s][1];
            struct app *a = open_app(&f, lang, 0);
            app_goto(a, "staff");
            char what[80];
            snprintf(what, sizeof what, "staff %s %dx%d", lang, app_w, app_h);
            check_layout(a, what);
            tap(a, "staff.settings");
            CHECK(!strcmp(app_screen_part(a), "settings"), "%s: settings page", what);
            strcat(what, " settings");
            check_layout(a, what);
            app_destroy(a);
        }
    app_w = 1280;
    app_h = 800;
    staff_urdu_shots(&f);
    kfix_destroy(&f);
}

/* ---- the layout test over the whole flow at 1024x600 (a netbook), in Urdu
 * and English: every screen and dialog walk() shows is checked by shot()
 * (check_frame), so a new screen is covered once walk() shows it. */

static void section_layout(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "layout", KFIX_HELPLINE_SECRET) == 0, "fixture");
    cur_fix = &f;
    layout_only = true;
    app_w = 1024;
    app_h = 600;
    const char *langs[] = {"ur", "en"};
    for (int l = 0; l < 2; l++) {
        lang_now = langs[l];
        layout_frames = 0;
        struct app *a = open_app(&f, langs[l], 0);
        struct run r = {.lang = langs[l], .shots = true, .stop = ST_DONE};
        walk(a, &r);
        app_destroy(a);
        CHECK(layout_frames >= 15, "%s: only %u screens checked", langs[l], layout_frames);
        char dev[1200];
        snprintf(dev, sizeof dev, "%s/PHONE", f.media);
        rm_rf(dev);   /* the next walk plugs it in again on Connect */
    }
    layout_only = false;
    app_w = 1280;
    app_h = 800;
    kfix_destroy(&f);
}

/* ---- screens and dialogs outside the straight walk, in Urdu at 1280x800
 * and on a 1024x600 netbook (goldens, and the layout check of shot()):
 * "not for these pictures", fingerprinting under way (the phone holds its
 * first file, so the frame does not change), its Cancel dialog, the phone
 * pulled out then, the idle countdown, and the kiosk's storage full. */

/* The kiosk's storage full as the report is saved: the data partition a
 * small tmpfs, filled once the app is up (root only; skipped, and said,
 * where mounting is not allowed). */
static void storage_full(const char *name)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, name, 0) == 0, "fixture");
    cur_fix = &f;
    char orig[1300], cmd[4000];
    snprintf(orig, sizeof orig, "%s.orig", f.data);
    REQUIRE(rename(f.data, orig) == 0 && mkdir(f.data, 0700) == 0, "move the data partition aside");
    if (mount("tmpfs", f.data, "tmpfs", MS_NOSUID | MS_NODEV, "size=2m,mode=0700") != 0) {
        fprintf(stderr, "storage full: skipped (mount: %s)\n", strerror(errno));
        kfix_destroy(&f);
        return;
    }
    snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", orig, f.data);
    CHECK(system(cmd) == 0, "copy the data partition");
    struct app *a = open_app(&f, "ur", 0);
    /* Full: what is left is taken by one file. */
    char fill[1300];
    snprintf(fill, sizeof fill, "%s/fill", f.data);
    int fd = open(fill, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0, "fill");
    static char zeros[4096];
    while (write(fd, zeros, sizeof zeros) > 0) {
    }
    close(fd);
    struct run r = {.lang = "ur", .stop = ST_CONFIRM};
    walk(a, &r);
    tap(a, "confirm.send");
    Uint32 t0 = SDL_GetTicks();
    while ((app_jobs_running(a) || SDL_GetTicks() - t0 < 300) && SDL_GetTicks() - t0 < 20000)
        app_pump(a, 20);
    pump(a, 3);
    CHECK(!strcmp(app_screen(a), "confirm") && !a->session.have_receipt, "not saved: still on Confirm (%s)",
          app_screen(a));
    CHECK(queue_pending(&f) == 0, "nothing queued");
    shot(a, "confirm_storage_full");
    app_destroy(a);
    unlink(fill);
    CHECK(umount(f.data) == 0, "umount: %s", strerror(errno));
    kfix_destroy(&f);
}

static void section_screens(void)
{
    static const int sizes[][2] = {{1280, 800}, {1024, 600}};
    for (int z = 0; z < 2; z++) {
        struct kfix f;
        REQUIRE(kfix_create(&f, z ? "screens-small" : "screens", 0) == 0, "fixture");
        f.timeout_ms = 600000;   /* a held request is never "not answering" here */
        REQUIRE(kfix_phones(&f) == 0, "fake phones");
        cur_fix = &f;
        app_w = sizes[z][0];
        app_h = sizes[z][1];
        lang_now = z ? "ur_1024x600" : "ur";

        /* The answer "no" to the content question. */
        struct app *a = open_app(&f, "ur", 0);
        struct run r = {.lang = "ur", .stop = ST_WHO};
        walk(a, &r);
        tap(a, "questions.next");
        answer_hearing(a, false);
        tap_row(a, "questions.content", 1);
        tap(a, "questions.next");
        CHECK(!strcmp(app_screen_part(a), "not_for_this"), "not for these pictures (%s)", app_screen_part(a));
        shot(a, "not_for_this");
        app_destroy(a);

        /* Fingerprinting under way, held at its first file. */
        a = open_app(&f, "ur", 0);
        r = (struct run){.lang = "ur", .stop = ST_CHOOSE, .big_phone = true, .photos = 40, .fake_phone = true};
        walk(a, &r);
        fakephone_set(f.phones, r.phone_idx, FAKEPHONE_HANG);
        tap(a, "choose.next");
        wait_screen(a, "fingerprint", 2000);
        pump(a, 5);
        CHECK(app_jobs_running(a) == 1, "fingerprinting under way");
        shot(a, "fingerprinting");
        tap(a, "fingerprint.cancel");
        shot(a, "fingerprint_cancel");
        tap_id(a, ui_id_index(ui_id("fingerprint.cancel_dialog"), 2), "no, go on");
        CHECK(app_jobs_running(a) == 1 && !strcmp(app_screen(a), "fingerprint"), "going on after No");
        /* The cable pulled out now: every file "removed", none made. */
        fakephone_unplug(f.phones, r.phone_idx);
        devices_rescan(f.devices);
        CHECK(wait_for(a, fingerprint_finished, NULL, 60000), "fingerprinting did not end");
        pump(a, 3);
        struct session_counts c;
        session_counts(&a->session, &c);
        CHECK(c.done == 0 && c.failed == 40, "none made (%zu done, %zu failed)", c.done, c.failed);
        shot(a, "fingerprint_removed");
        app_destroy(a);

        /* The idle countdown over Choose, at 20 seconds left. */
        a = open_app(&f, "ur", 60);
        REQUIRE(kfix_make_phone(&f, "PHONE", 0), "phone");
        wait_volumes(a, 1);
        r = (struct run){.lang = "ur", .stop = ST_CHOOSE};
        walk(a, &r);
        a->safety.idle_warning = true;
        a->safety.last_input_ms = SDL_GetTicks() - (Uint32)(a->safety.idle_timeout_ms - 19500);
        shot(a, "idle_warning");
        app_destroy(a);
        kfix_destroy(&f);
        storage_full(z ? "full-small" : "full");
    }
    app_w = 1280;
    app_h = 800;
}

/* ---- configuration errors */

static void section_config(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "config", KFIX_NO_CONFIG) == 0, "fixture");
    lang_now = "en";
    struct app *a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "config_error"), "missing config: %s", app_screen(a));
    CHECK(strstr(a->config_err, "kiosk.conf"), "the message names the file: %s", a->config_err);
    /* Quick exit and the gestures stay on the error screen. */
    key(a, SDLK_F12);
    CHECK(!strcmp(app_screen(a), "config_error"), "quick exit left the error screen");
    /* Fixed, then Try again. */
    struct kfix g;
    REQUIRE(kfix_create(&g, "config2", 0) == 0, "second fixture");
    char cmd[4000];
    snprintf(cmd, sizeof cmd, "sed 's|helpline_key = .*|helpline_key = %s/helpline.pub|' '%s' > '%s'",
             g.root, g.config, f.config);
    free(run_cmd(cmd));
    /* The fixed file also sets staff's settings: Try again takes them all,
     * as a start with the file would. */
    FILE *fixed = fopen(f.config, "a");
    REQUIRE(fixed, "append");
    fputs("\n[kiosk]\nnarration = no\nlarge_text = yes\nvolume = 30\n", fixed);
    fclose(fixed);
    tap(a, "config_error.retry");
    pump(a, 2);
    CHECK(!strcmp(app_screen(a), "welcome"), "Try again after the fix: %s (%s)", app_screen(a), a->config_err);
    CHECK(!narration_is_on(a->narr) && a->settings.large_text, "Try again takes narration and large text: %d %d",
          narration_is_on(a->narr), a->settings.large_text);
    CHECK(narration_volume(a->narr) == 30 || !narration_available(a->narr), "Try again takes the volume: %d",
          narration_volume(a->narr));
    app_destroy(a);
    /* Invalid: an unknown setting is named with its line. */
    FILE *c = fopen(f.config, "a");
    REQUIRE(c, "append");
    fputs("[kiosk]\ncolour = red\n", c);
    fclose(c);
    a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "config_error") && strstr(a->config_err, "colour"),
          "invalid config: %s / %s", app_screen(a), a->config_err);
    app_destroy(a);
    /* A site setting in the data partition's override (anyone with the stick
     * could write it): the error screen names it; nothing is taken. */
    snprintf(cmd, sizeof cmd, "sed -i '/colour = red/d' '%s'", f.config);
    free(run_cmd(cmd));
    char over[1200];
    snprintf(over, sizeof over, "%s/kiosk.conf", f.data);
    static const char site_in_override[] = "[kiosk]\nlanguage = en\n[referrals]\nfake.phone = 0300-0000000\n";
    REQUIRE(write_whole(over, site_in_override, strlen(site_in_override)) == 0, "override %s", over);
    a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "config_error") && strstr(a->config_err, "fake.phone") &&
              strstr(a->config_err, "site setting") && strstr(a->config_err, over),
          "site setting in the override: %s / %s", app_screen(a), a->config_err);
    app_destroy(a);
    unlink(over);
    kfix_destroy(&g);
    kfix_destroy(&f);
}


/* The image's own-stick check refused the boot ([kiosk] boot_problem): the
 * error screen names the other stick, nothing is opened or taken, and the
 * kiosk starts normally once the file is gone. */
static void section_boot_problem(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "bootproblem", 0) == 0, "fixture");
    char file[1200], line[1300];
    snprintf(file, sizeof file, "%s/boot-problem", f.root);
    snprintf(line, sizeof line, "[kiosk]\nboot_problem = %s\n", file);
    FILE *c = fopen(f.config, "a");
    REQUIRE(c, "append");
    fputs(line, c);
    fclose(c);
    struct app *a = open_app(&f, "en", 0);
    CHECK(!strcmp(app_screen(a), "welcome") && a->boot_problem == APP_BOOT_OK,
          "no file, no problem: %s (%s)", app_screen(a), a->config_err);
    app_destroy(a);
    static const struct {
        const char *word, *lang, *step;
        int w, h, want;
    } cases[] = {
        {"twin\n", "en", "boot_twin", 1280, 800, APP_BOOT_TWIN},
        {"twin\n", "ur", "boot_twin", 1280, 800, APP_BOOT_TWIN},
        {"twin\n", "ur_1024x600", "boot_twin", 1024, 600, APP_BOOT_TWIN},
        {"elsewhere\n", "ur", "boot_elsewhere", 1280, 800, APP_BOOT_ELSEWHERE},
        {"elsewhere\n", "en", "boot_elsewhere", 1280, 800, APP_BOOT_ELSEWHERE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(write_whole(file, cases[i].word, strlen(cases[i].word)) == 0, "%s", file);
        app_w = cases[i].w, app_h = cases[i].h;
        lang_now = cases[i].lang;
        a = open_app(&f, strncmp(cases[i].lang, "ur", 2) ? "en" : "ur", 0);
        CHECK(!strcmp(app_screen(a), "config_error") && (int)a->boot_problem == cases[i].want &&
                  strstr(a->config_err, file) && !a->queue && !a->kiosk_key,
              "%s: the kiosk stops, opens nothing: %s (%s)", cases[i].word, app_screen(a), a->config_err);
        CHECK(ui_focus(app_ui(a)) == ui_id("config_error.retry"), "Try again has the focus");
        shot(a, cases[i].step);
        /* Quick exit stays on it. */
        key(a, SDLK_F12);
        CHECK(!strcmp(app_screen(a), "config_error"), "quick exit left the error screen");
        app_destroy(a);
    }
    app_w = 1280, app_h = 800;
    /* Still there: Try again stays; gone (the other stick out, a new boot):
     * Try again starts the kiosk. */
    lang_now = "en";
    a = open_app(&f, "en", 0);
    tap(a, "config_error.retry");
    pump(a, 2);
    CHECK(!strcmp(app_screen(a), "config_error") && a->boot_problem == APP_BOOT_ELSEWHERE, "still refused");
    unlink(file);
    tap(a, "config_error.retry");
    pump(a, 2);
    CHECK(!strcmp(app_screen(a), "welcome") && a->boot_problem == APP_BOOT_OK && a->queue,
          "the file gone, Try again starts: %s (%s)", app_screen(a), a->config_err);
    app_destroy(a);
    kfix_destroy(&f);
}


/* ---- spoken guidance */

static bool not_playing(struct app *a, const void *arg)
{
    (void)arg;
    return !audio_playing(app_audio(a));
}

static bool started_at_least(struct app *a, const void *n)
{
    struct audio_stats st;
    audio_stats(app_audio(a), &st);
    return st.started >= *(const uint64_t *)n;
}

/* Listen again, the volume, the switch on Welcome, a choice read when the
 * keyboard reaches it, the language switch, English narration for trainers,
 * the case code spoken one character at a time, and a kiosk with no sound
 * device at all (no audio controls, the flow works). */
static void section_audio(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "audio", 0) == 0, "fixture");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct audio *au = app_audio(a);
    REQUIRE(au && audio_available(au), "dummy audio device");
    expect_clip(a, "ur", "screen.welcome");
    struct audio_stats st;
    audio_stats(au, &st);
    /* measured (the latency itself is bench_audio's) */
    CHECK(st.first_sample_ms >= 0, "first sample %.1f ms after entry", st.first_sample_ms);

    /* Listen again: the same explanation from its start. */
    uint64_t plays = st.plays;
    tap(a, UI_LISTEN_ID);
    audio_stats(au, &st);
    CHECK(st.plays == plays + 1 && !strcmp(audio_asked(au), "ur/screen.welcome"), "listen again");
    /* Volume: quieter and louder, said aloud, shown on the bar. */
    int v = audio_volume(au);
    tap(a, UI_QUIETER_ID);
    CHECK(audio_volume(au) == v - 20, "quieter: %d", audio_volume(au));
    expect_clip(a, "ur", "say.quieter");
    tap(a, UI_LOUDER_ID);
    tap(a, UI_LOUDER_ID);
    CHECK(audio_volume(au) == (v + 20 > 100 ? 100 : v + 20), "louder: %d", audio_volume(au));

    /* The keyboard reaches the switch: its name is read. */
    ui_set_focus(app_ui(a), ui_id("welcome.start"));
    app_draw(a, true);
    key(a, SDLK_TAB);   /* the first Tab shows the focus, the second moves it */
    key(a, SDLK_TAB);
    app_draw(a, true);
    CHECK(ui_focus(app_ui(a)) == ui_id("welcome.audio"), "Tab to the switch");
    expect_clip(a, "ur", "say.spoken_guidance");

    /* Switched off for this person: silence on the next screens, but Listen
     * again still speaks when asked. */
    tap(a, "welcome.audio");
    CHECK(!narration_is_on(a->narr) && !*audio_asked(au), "switched off, stopped");
    tap(a, "welcome.start");
    wait_screen(a, "privacy", 2000);
    CHECK(!*audio_asked(au), "no narration when off (%s)", audio_asked(au));
    tap(a, UI_LISTEN_ID);
    expect_clip(a, "ur", "screen.privacy.code");
    /* Quick exit: the next person gets the kiosk's default (on), and the
     * volume back. */
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);
    CHECK(narration_is_on(a->narr) && audio_volume(au) == v, "defaults after the session");
    expect_clip(a, "ur", "screen.welcome");

    /* The language switch says the same screen in English. */
    tap(a, UI_LANGUAGE_ID);
    expect_clip(a, "en", "screen.welcome");
    tap(a, UI_LANGUAGE_ID);
    expect_clip(a, "ur", "screen.welcome");

    /* English narration for trainers: the Urdu screens, said in English. */
    a->settings.narration_english = true;
    tap(a, "welcome.start");
    wait_screen(a, "privacy", 2000);
    expect_clip(a, "en", "screen.privacy.code");
    a->settings.narration_english = false;
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);

    /* The case code: each character's clip, slowly, twice, then the PIN. */
    struct run r = {.lang = "ur", .stop = ST_CASE_CODE};
    walk(a, &r);
    snprintf(a->session.receipt.case_code, sizeof a->session.receipt.case_code, "4820-7316-5912");
    snprintf(a->session.receipt.pin, sizeof a->session.receipt.pin, "482913");
    audio_stats(au, &st);
    uint64_t base = st.started;
    Uint32 t0 = SDL_GetTicks();
    tap(a, "case_code.listen");
    expect_clip(a, "ur", "code.case_code");
    uint64_t want = base + 3;   /* the intro, then 4, then 8: digit by digit */
    CHECK(wait_for(a, started_at_least, &want, 8000), "characters spoken");
    audio_stats(au, &st);
    CHECK(!strcmp(st.last_started, "ur/char.8"), "4 then 8: %s", st.last_started);
    Uint32 spoken = SDL_GetTicks() - t0;
    int slow = audio_clip_ms(au, "ur/code.case_code") + audio_clip_ms(au, "ur/char.4") + 2 * 450;
    /* (the dummy device runs a little ahead of the clock: 10 %) */
    CHECK(spoken * 11 / 10 + 100 >= (Uint32)slow, "slowly: two characters after %u ms (>= %d)", spoken, slow);
    /* Repeatable: pressed again, it starts over. */
    tap(a, "case_code.listen");
    expect_clip(a, "ur", "code.case_code");
    /* Leaving stops it and forgets it (nothing of the code stays). */
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);
    CHECK(strncmp(audio_asked(au), "ur/char.", 8) != 0, "the code is not kept");
    CHECK(wait_for(a, not_playing, NULL, 30000), "welcome narration ends");
    app_destroy(a);

    /* No sound device: nothing about audio on screen, the flow works. */
    const char *drv = getenv("SDL_AUDIODRIVER");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", drv ? drv : "");
    setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
    a = open_app(&f, "ur", 0);
    CHECK(app_audio(a) && !audio_available(app_audio(a)), "no device");
    app_draw(a, true);
    CHECK(!find_hit(a, ui_id(UI_LISTEN_ID)) && !find_hit(a, ui_id("welcome.audio")),
          "no audio controls without a device");
    struct run r2 = {.lang = "ur", .stop = ST_CONTENT};
    walk(a, &r2);
    app_destroy(a);
    if (*saved)
        setenv("SDL_AUDIODRIVER", saved, 1);
    else
        unsetenv("SDL_AUDIODRIVER");
    kfix_destroy(&f);
}

/* ---- narration that is never overheard: the nudity question and the case
 * code are said only after the person said no one near could hear, or into
 * headphones; the answer is session data. */
static void section_hearing(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "hearing", 0) == 0, "fixture");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    struct audio *au = app_audio(a);
    REQUIRE(au && audio_available(au), "dummy audio device");

    /* Speakers, people near: the question first, then silence on the
     * sensitive screens; Listen again asks again, and "no one can hear"
     * then says it. */
    struct run r = {.lang = "ur", .stop = ST_CONTENT, .people_near = true};
    walk(a, &r);
    pump(a, 3);
    CHECK(strcmp(audio_asked(au), "ur/screen.questions.content"), "people near: not said (%s)",
          audio_asked(au));
    /* Another language is not a request: still silent, not asked again. */
    tap(a, UI_LANGUAGE_ID);
    CHECK(!narration_hearing_asking(a->narr) && strcmp(audio_asked(au), "en/screen.questions.content"),
          "people near: the language switch said it (%s) or asked", audio_asked(au));
    tap(a, UI_LANGUAGE_ID);
    tap(a, UI_LISTEN_ID);
    CHECK(narration_hearing_asking(a->narr), "Listen again asks again");
    CHECK(strcmp(audio_asked(au), "ur/screen.questions.content"), "and says nothing yet");
    answer_hearing(a, true);
    expect_clip(a, "ur", "screen.questions.content");
    /* Quick exit wipes the answer with the session. */
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);
    CHECK(a->session.hearing == HEARING_UNASKED && !narration_hearing_asking(a->narr), "the answer wiped");

    /* People near, to the case code: neither the screen nor the code is
     * said; Listen to the code asks, and after "no one can hear" says it. */
    struct run r2 = {.lang = "ur", .stop = ST_CASE_CODE, .people_near = true};
    walk(a, &r2);
    pump(a, 3);
    tap(a, "case_code.listen");
    CHECK(narration_hearing_asking(a->narr), "Listen to the code asks first");
    CHECK(strncmp(audio_asked(au), "ur/code.", 8) && strncmp(audio_asked(au), "ur/char.", 8),
          "the code said before the answer (%s)", audio_asked(au));
    answer_hearing(a, true);
    expect_clip(a, "ur", "code.case_code");
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);

    /* Headphones: no question, said at once (walk checks the clip). */
    test_sink = AUDIO_SINK_HEADPHONES;
    sink_asked = 0;
    struct run r3 = {.lang = "ur", .stop = ST_CONTENT};
    walk(a, &r3);
    CHECK(!narration_hearing_asking(a->narr) && a->session.hearing == HEARING_UNASKED, "headphones: not asked");
    CHECK(sink_asked > 0, "the sink was asked");
    test_sink = AUDIO_SINK_ROOM;
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);

    app_destroy(a);
    kfix_destroy(&f);
}

/* ---- "I have a case code": status and withdrawal at the kiosk */

static void type_case(struct app *a, const char *digits)
{
    for (const char *p = digits; *p; p++)
        if (*p >= '0' && *p <= '9')
            tap_id(a, ui_id_index(ui_id("case_status.key"), *p - '0'), "case pad key");
}

static void erase_case(struct app *a, int n)
{
    for (int i = 0; i < n; i++)
        tap_id(a, ui_id_index(ui_id("case_status.key"), 10), "erase key");
}

static void case_check(struct app *a, const char *want_part)
{
    tap(a, "case_status.check");
    CHECK(wait_for(a, pin_checked, NULL, 20000), "the lookup job");
    pump(a, 2);
    CHECK(!strcmp(app_screen_part(a), want_part), "after Check: %s", app_screen_part(a));
}

/* Welcome -> I have a case code -> the pad, with people near (the digits
 * are never said aloud). */
static void open_case_screen(struct app *a)
{
    wait_screen(a, "welcome", 3000);
    tap(a, "welcome.case_code");
    wait_screen(a, "case_status", 2000);
    CHECK(a->session.active, "the case screen began a session");
    if (narration_hearing_asking(a->narr))
        answer_hearing(a, false);
}

/* One language and size: the pad, a status, not known, withdrawing. */
static void case_walk(struct app *a, const char *code, const char *pin, const char *wrong_pin)
{
    struct audio *au = app_audio(a);
    open_case_screen(a);
    /* Fixed digits for the screenshot: the whole code and half the secret
     * number; the code shows grouped, the secret number never. */
    type_case(a, "482073165912482");
    CHECK(!strcmp(a->session.case_digits, "482073165912") && !strcmp(a->session.case_pin, "482"),
          "typed into the session (%s)", a->session.case_digits);
    pump(a, 1);
    CHECK(drawn_text(a, "4820-7316-5912"), "the code is shown in groups as typed");
    CHECK(strncmp(audio_asked(au) + 3, "char.", 5), "people near: a digit was said (%s)", audio_asked(au));
    shot(a, "case_entry");
    erase_case(a, 15);
    CHECK(!a->session.case_digits[0] && !a->session.case_pin[0], "the erase key took every digit");

    type_case(a, code);
    type_case(a, pin);
    case_check(a, "answer");
    CHECK(drawn_text(a, "15/01/2027"), "the status's date is shown");
    shot(a, "case_received");

    /* A wrong secret number: exactly the answer of a case not known here. */
    tap(a, "case_status.back");
    CHECK(!strcmp(app_screen_part(a), "") && !a->session.case_pin[0] &&
              strlen(a->session.case_digits) == 12,
          "Back: the code kept, the secret number erased");
    type_case(a, wrong_pin);
    case_check(a, "answer");
    CHECK(!drawn_text(a, "15/01/2027"), "a wrong secret number shows no status");
    shot(a, "case_not_known");

    /* Withdraw, with the right secret number. */
    tap(a, "case_status.back");
    type_case(a, pin);
    case_check(a, "answer");
    tap(a, "case_status.withdraw");
    shot(a, "case_withdraw_dialog");
    tap_id(a, ui_id_index(ui_id("case_status.confirm"), 1), "yes, withdraw it");
    CHECK(wait_for(a, pin_checked, NULL, 20000), "the withdrawal job");
    pump(a, 2);
    CHECK(!strcmp(app_screen_part(a), "withdrawn"), "the withdrawal's answer (%s)", app_screen_part(a));
    shot(a, "case_withdrawn");
    tap(a, "case_status.finish");
    wait_screen(a, "welcome", 2000);
    CHECK(session_zero(&a->session), "Finish wiped the session");
}

static void section_case_status(void)
{
    struct kfix f;
    REQUIRE(kfix_create(&f, "casestatus", KFIX_HELPLINE_SECRET) == 0, "fixture");
    cur_fix = &f;
    lang_now = "ur";
    struct app *a = open_app(&f, "ur", 0);
    /* A report queued by the kiosk's own flow. */
    struct run r = {.lang = "ur", .stop = ST_CASE_CODE};
    walk(a, &r);
    struct report_receipt rc = a->session.receipt;
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);
    CHECK(queue_pending(&f) == 1, "one report queued");

    /* The helpline's status archive says it was received (the real API, as
     * `hifazat receipts` and the import make and take it). */
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 7, sizeof seed); /* kfix's helpline key */
    struct keys_helpline *h = keys_helpline_from_seed(seed);
    REQUIRE(h && keys_helpline_sign_public(h), "helpline signing key");
    struct receipt_entry e;
    memset(&e, 0, sizeof e);
    snprintf(e.report_id, sizeof e.report_id, "%s", rc.report_id);
    e.has_tag = true;
    REQUIRE(receipt_tag(rc.case_code, rc.pin, e.tag) == 0, "tag");
    e.status = RECEIPT_RECEIVED;
    snprintf(e.date, sizeof e.date, "2027-01-15");
    char *arch = NULL, err[300];
    size_t len;
    REQUIRE(receipt_archive_build(&e, 1, 1, time(NULL), h, &arch, &len, err, sizeof err) == 0, "%s", err);
    struct receipt_import_result res;
    int ir = receipt_import(a->queue, f.data, keys_helpline_sign_public(h), (const uint8_t *)arch, len,
                            time(NULL), &res, err, sizeof err);
    CHECK(ir == RECEIPT_OK, "import: %d %s", ir, err);
    CHECK(queue_pending(&f) == 0, "the received report left the queue");
    free(arch);
    keys_helpline_close(h);

    char wrong[8];
    snprintf(wrong, sizeof wrong, "%s", strcmp(rc.pin, "000000") ? "000000" : "111111");
    session_free_hook = free_hook;
    dirty_blocks = 0;
    /* Urdu and English at 1280x800, then Urdu on a 1024x600 netbook. */
    for (int l = 0; l < 3; l++) {
        if (l) {
            app_destroy(a);
            app_w = l < 2 ? 1280 : 1024;
            app_h = l < 2 ? 800 : 600;
            lang_now = l == 1 ? "en" : "ur_1024x600";
            a = open_app(&f, l == 1 ? "en" : "ur", 0);
        }
        case_walk(a, rc.case_code, rc.pin, wrong);
        CHECK(queue_pending(&f) == (size_t)l + 1, "a withdrawal queued (%zu)", queue_pending(&f));
    }
    app_w = 1280;
    app_h = 800;

    /* The helpline opens them as withdrawals of that case. */
    char *jsonl = opened_reports(&f);
    json_t *doc = opened_report(jsonl, rc.case_code);
    CHECK(doc && !strcmp(json_string_value(json_object_get(doc, "kind")) ?: "", "withdrawal"),
          "hifazat open lists the withdrawal of the case:\n%s", jsonl);
    json_decref(doc);
    free(jsonl);

    /* Quick exit with digits typed: the session is zero, nothing queued.
     * Into headphones each digit is said as it is pressed. */
    test_sink = AUDIO_SINK_HEADPHONES;
    open_case_screen(a);
    CHECK(!narration_hearing_asking(a->narr), "headphones: not asked");
    type_case(a, "1234567");
    expect_clip(a, lang_now[0] == 'e' ? "en" : "ur", "char.7");
    test_sink = AUDIO_SINK_ROOM;
    CHECK(a->session.case_digits[0], "digits typed");
    size_t before = queue_pending(&f);
    tap(a, UI_QUICK_EXIT_ID);
    wait_screen(a, "welcome", 2000);
    CHECK(session_zero(&a->session), "quick exit wiped the typed digits");
    CHECK(queue_pending(&f) == before, "nothing queued by quick exit");
    CHECK(dirty_blocks == 0, "%zu session blocks freed without being wiped", dirty_blocks);
    session_free_hook = NULL;
    app_destroy(a);

    /* Demo mode: practice answers; the data partition is never read or
     * written (its tree byte for byte the same) and nothing is queued. */
    static char before_t[1 << 16], after_t[1 << 16];
    list_tree(f.data, before_t, sizeof before_t);
    struct app_options o;
    kfix_options(&f, &o, 1280, 800);
    o.demo = true;
    o.lang = "en";
    char aerr[800];
    int code;
    a = app_create(&o, aerr, sizeof aerr, &code);
    REQUIRE(a, "demo app: %s", aerr);
    audio_set_sink_backend(app_audio(a), &sink_test);
    app_draw(a, true);
    open_case_screen(a);
    type_case(a, rc.case_code);
    type_case(a, rc.pin);
    tap(a, "case_status.check");
    pump(a, 2);
    CHECK(!strcmp(app_screen_part(a), "answer") && app_jobs_running(a) == 0 &&
              !drawn_text(a, "15/01/2027"),
          "demo: a practice answer, nothing looked up");
    tap(a, "case_status.withdraw");
    tap_id(a, ui_id_index(ui_id("case_status.confirm"), 1), "yes, withdraw it");
    pump(a, 2);
    CHECK(!strcmp(app_screen_part(a), "withdrawn") && app_jobs_running(a) == 0,
          "demo: the practice withdrawal's answer");
    tap(a, "case_status.finish");
    wait_screen(a, "welcome", 2000);
    app_destroy(a);
    list_tree(f.data, after_t, sizeof after_t);
    CHECK(!strcmp(before_t, after_t), "demo mode changed the data directory:\n%s\n---\n%s", before_t,
          after_t);
    kfix_destroy(&f);
}

int main(int argc, char **argv)
{
    update = golden_update_mode(&argc, argv);
    /* The gallery's date headers in Pakistan's time, whatever the machine's. */
    setenv("TZ", "PKT-5", 1);
    tzset();
    REQUIRE(getenv("HIFAZAT_SOURCE"), "HIFAZAT_SOURCE not set (run through ctest)");
    static const struct {
        const char *name;
        void (*fn)(void);
    } sections[] = {
        {"flow", section_flow},       {"quick_exit", section_quick_exit}, {"idle", section_idle},
        {"removed", section_removed}, {"demo", section_demo},             {"staff", section_staff},
        {"staff_keys", section_staff_keys}, {"staff_lockout", section_staff_lockout}, {"helpline_key", section_helpline_key}, {"staff_layout", section_staff_layout}, {"layout", section_layout}, {"screens", section_screens}, {"config", section_config}, {"boot_problem", section_boot_problem}, {"audio", section_audio},
        {"phone", section_phone}, {"phone_removed", section_phone_removed},
        {"phone_states", section_phone_states}, {"phone_replug", section_phone_replug},
        {"phone_not_answering", section_phone_not_answering},
        {"gallery", section_gallery}, {"gallery_live", section_gallery_live}, {"phone_keys", section_phone_keys},
        {"questions", section_questions},
        {"hearing", section_hearing},
        {"case_status", section_case_status},
        {"staff_wifi", section_staff_wifi}, {"staff_wifi_keys", section_staff_wifi_keys},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        bool want = argc < 2;
        for (int k = 1; k < argc; k++)
            want |= !strcmp(argv[k], sections[i].name);
        if (want) {
            fprintf(stderr, "== %s\n", sections[i].name);
            sections[i].fn();
        }
    }
    return check_exit();
}
