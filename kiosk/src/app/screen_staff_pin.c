/* Staff PIN: reached by a hidden gesture (five quick taps on the app's
 * mark at the top, or Ctrl+Alt+S) from the start screen only. The PIN is
 * checked against the argon2id hash in the config ([staff] pin_hash, made
 * by `hifazat staff-pin`) on a worker thread, so the screen stays live.
 * Wrong PINs are rate-limited: after three, a wait of 30 s that doubles
 * with each further wrong PIN (at most 15 minutes). The count is kept on the
 * data partition (durably), so switching the kiosk off and on does not
 * reset it: after a restart with three or more wrong PINs counted, the
 * whole wait starts again (the kiosk may have no clock to trust).
 * PINs have 6 to 12 digits: a hash made before 6 digits were required
 * (libsodium's interactive cost, what `hifazat staff-pin` used then) may be
 * of a shorter PIN and is refused with a message asking to re-provision. */
#include "screen_util.h"

#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIN_MAX 12
#define PIN_MIN 6
#define PIN_DOTS 6          /* the indicator's fixed row: never one per digit */
#define PIN_FLASH_MS 180u   /* a key press flashes the row: it was taken */
#define PIN_STATE_FILE "staff-pin.state"
/* What `hifazat staff-pin` made when 4-digit PINs were allowed. */
#define PIN_OLD_PARAMS "$argon2id$v=19$m=65536,t=2,p=1$"

struct verify_job {
    char hash[crypto_pwhash_STRBYTES];
    char pin[PIN_MAX + 1];
    bool ok;
};

static struct {
    char pin[PIN_MAX + 1];
    int len;
    struct verify_job *job;
    bool wrong;
    Uint32 pressed_ms;   /* the last key press (the row flashes), 0: none */
} st;

static void clear_pin(void) { sodium_memzero(st.pin, sizeof st.pin), st.len = 0; }

static void enter(struct app *a)
{
    clear_pin();
    st.job = NULL;
    st.wrong = false;
    st.pressed_ms = 0;
    ui_set_focus(a->ui, ui_id_index(ui_id("staff_pin.key"), 1));
}

static void leave(struct app *a)
{
    a->pin_confirms_key = false;
    clear_pin();
    st.job = NULL;   /* a running check is freed by its done() */
}

static const char *pin_hash(const struct app *a)
{
    return a->cfg ? config_get(a->cfg, "staff", "pin_hash") : NULL;
}

static Uint32 lock_wait(int failures)
{
    if (failures < 3)
        return 0;
    int shift = failures - 3 < 5 ? failures - 3 : 5;
    Uint32 wait = 30000u << shift;
    return wait > 15u * 60 * 1000 ? 15u * 60 * 1000 : wait;
}

/* The wrong-PIN count on the data partition: "failures N". A file that
 * cannot be read as one counts as locked (three). */
void staff_pin_restore(struct app *a)
{
    a->pin_failures = 0;
    a->pin_locked_until = 0;
    if (!a->data_dir)
        return;
    int dfd = open(a->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    unsigned char *data = NULL;
    size_t len = 0;
    if (durable_read(dfd, PIN_STATE_FILE, 256, &data, &len) == 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 63 ? len : 63), (const char *)data);
        int n = 0;
        if (sscanf(buf, "failures %d", &n) != 1 || n < 0)
            n = 3;
        a->pin_failures = n > 1000 ? 1000 : n;
        Uint32 wait = lock_wait(a->pin_failures);
        if (wait)
            a->pin_locked_until = (SDL_GetTicks() + wait) | 1;
    } else if (errno != ENOENT) {
        a->pin_failures = 3;
        a->pin_locked_until = (SDL_GetTicks() + lock_wait(3)) | 1;
    }
    free(data);
    close(dfd);
}

/* Best effort: a full disk must not stop staff; the count stays in memory. */
static void save_failures(struct app *a)
{
    if (!a->data_dir)
        return;
    int dfd = open(a->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "failures %d\n", a->pin_failures);
    if (durable_write(dfd, PIN_STATE_FILE, buf, (size_t)n, 0600) != 0)
        SDL_Log("staff PIN: cannot save the wrong-PIN count: %s", strerror(errno));
    close(dfd);
}

static bool hash_outdated(const char *h)
{
    return h && !strncmp(h, PIN_OLD_PARAMS, strlen(PIN_OLD_PARAMS));
}

static int locked_for(const struct app *a)
{
    Sint32 left = (Sint32)(a->pin_locked_until - SDL_GetTicks());
    return a->pin_locked_until && left > 0 ? (left + 999) / 1000 : 0;
}

static void verify_run(struct app_job *h, void *arg)
{
    (void)h;
    struct verify_job *j = arg;
    j->ok = crypto_pwhash_str_verify(j->hash, j->pin, strlen(j->pin)) == 0;
    sodium_memzero(j->pin, sizeof j->pin);
}

static void verify_done(struct app *a, void *arg, bool cancelled)
{
    struct verify_job *j = arg;
    bool ours = j == st.job && !cancelled && a->screen == SCREEN_STAFF_PIN;
    if (ours) {
        st.job = NULL;
        if (j->ok) {
            bool had = a->pin_failures != 0;
            a->pin_failures = 0;
            a->pin_locked_until = 0;
            if (had)
                save_failures(a);
            if (a->pin_confirms_key) {
                app_helpline_confirm(a);
                app_finish(a); /* the welcome screen, or the error screen */
            } else {
                app_go(a, SCREEN_STAFF);
            }
        } else {
            if (a->pin_failures < 1000)
                a->pin_failures++;
            st.wrong = true;
            Uint32 wait = lock_wait(a->pin_failures);
            if (wait)
                a->pin_locked_until = (SDL_GetTicks() + wait) | 1;
            save_failures(a);
        }
    }
    sodium_memzero(j, sizeof(*j));
    session_free(j);
}

static void submit(struct app *a)
{
    const char *h = pin_hash(a);
    if (!h || hash_outdated(h) || st.len < PIN_MIN || st.job || locked_for(a))
        return;
    struct verify_job *j = session_alloc(sizeof(*j));
    if (!j)
        return;
    snprintf(j->hash, sizeof j->hash, "%s", h);
    memcpy(j->pin, st.pin, (size_t)st.len);
    clear_pin();
    st.wrong = false;
    st.job = j;
    if (app_start_job(a, verify_run, verify_done, j) != 0) {
        st.job = NULL;
        sodium_memzero(j, sizeof(*j));
        session_free(j);
    }
}

static void key(struct app *a, int k)
{
    if (st.job || locked_for(a))
        return;
    if (k >= 0 && k <= 9) {
        /* Past the longest PIN a digit still flashes like the others (and is
         * dropped): the pad never shows that the count ran out. */
        if (st.len < PIN_MAX)
            st.pin[st.len++] = (char)('0' + k);
        st.wrong = false;
        st.pressed_ms = SDL_GetTicks() | 1;
    } else if (k == PAD_ERASE) {
        if (st.len > 0)
            st.pin[--st.len] = '\0';
        st.pressed_ms = SDL_GetTicks() | 1;
    } else if (k == PAD_OK) {
        submit(a);
    }
    a->dirty = true;
}

static bool event(struct app *a, const struct ui_event *e)
{
    int k = digit_pad_key(e);
    if (k < 0 || (k == PAD_OK && st.len < PIN_MIN))
        return false;
    key(a, k);
    return true;
}

static void cancel(struct app *a)
{
    app_finish(a);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, "staff_pin.cancel", _("Cancel"), NULL, NULL, false) == NAV_BACK) {
        cancel(a);
        return;
    }
    page_title(ui, &p, _("Staff"), TEXT_ICON_KEY);
    if (!pin_hash(a)) {
        icon_row(ui, p.body, TEXT_ICON_INFO, t->muted,
                 _("No staff PIN is set. Add [staff] pin_hash to the configuration file (made with "
                   "the command hifazat staff-pin)."),
                 UI_FONT_BODY, false);
        return;
    }
    if (hash_outdated(pin_hash(a))) {
        icon_row(ui, p.body, TEXT_ICON_WARNING, t->danger,
                 _("This staff PIN was made by an older version and may be shorter than 6 digits, "
                   "so it no longer opens the staff screen. Make a new one (6 to 12 digits) with "
                   "hifazat staff-pin and re-provision the stick."),
                 UI_FONT_BODY, false);
        return;
    }
    int lock = locked_for(a);
    char msg[200];
    if (lock) {
        /* TRANSLATORS: %d is a number of seconds. */
        snprintf(msg, sizeof msg, _("Too many wrong PINs. Try again in %d seconds."), lock);
        app_wake_after(a, 1000);
    } else if (st.job) {
        snprintf(msg, sizeof msg, "%s", _("Checking..."));
    } else if (st.wrong) {
        snprintf(msg, sizeof msg, "%s", _("Wrong PIN. Please try again."));
    } else {
        snprintf(msg, sizeof msg, "%s", _("Enter the staff PIN."));
    }
    page_text(ui, &p, msg, UI_FONT_BODY, lock || st.wrong ? t->danger : t->text);

    /* The dots never count: a fixed row, hollow while nothing is typed, all
     * filled once anything is (someone looking over a shoulder learns
     * neither the digits nor how many). Each key press flashes the row. */
    Uint32 since = SDL_GetTicks() - st.pressed_ms;
    bool flash = st.pressed_ms && since < PIN_FLASH_MS;
    if (flash)
        app_wake_after(a, PIN_FLASH_MS - since);
    pin_dots(ui, &p.body, PIN_DOTS, st.len > 0 ? PIN_DOTS : 0, flash);

    int k = digit_pad(ui, "staff_pin.key", p.body, _("OK"), st.len < PIN_MIN || st.job || lock, NULL);
    if (k >= 0)
        key(a, k);
}

const struct screen screen_staff_pin = {
    .name = "staff_pin",
    .enter = enter,
    .leave = leave,
    .event = event,
    .draw = draw,
};
