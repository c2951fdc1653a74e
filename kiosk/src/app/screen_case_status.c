/* "I have a case code" (from Welcome): the person types the case code and
 * secret number on a digit pad, sees the last status this machine knows
 * from the helpline's receipts (receipt.h), and may withdraw the report.
 *
 * The digits live in the session (session.case_digits / case_pin), wiped
 * when the screen is left and with the session (finish, quick exit, idle).
 * They are spoken as pressed only where no one else can hear
 * (narration_say_digit): the screen is sensitive in the guide. Lookups and
 * withdrawals run on a worker (argon2id: about 0.1 s and 64 MiB); a wrong
 * code or secret number gets exactly the answer of a case not known here,
 * and the rate limit is receipt_lookup's own. Demo mode never reads the
 * data partition and never queues: the answers are practice ones. */
#include "screen_util.h"

#include "receipt.h"
#include "version.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_DIGITS 12
#define PIN_DIGITS 6
#define FLASH_MS 180u

enum page_id { PAGE_ENTRY, PAGE_ANSWER, PAGE_DONE };

struct case_job {
    bool withdraw;
    char data_dir[1024];
    char code[16];           /* dddd-dddd-dddd */
    char pin[PIN_DIGITS + 1];
    int64_t now;
    struct queue *q;
    const struct keys_kiosk *key;
    uint8_t pk[KEYS_PUBLIC_SIZE];
    char language[8];
    char kiosk_id[64];
    int rc;                  /* enum receipt_result, or -1 */
    struct receipt_case c;
};

static struct {
    enum page_id page;
    bool pin_field;          /* typing the secret number (else the code) */
    struct case_job *job;
    int rc;                  /* the last answer (enum receipt_result, -1: a failure) */
    struct receipt_case c;
    bool confirm;            /* the withdraw dialog is open */
    bool practice;           /* demo mode: the answer is a practice one */
    Uint32 pressed_ms;
    struct ui_scroll scroll;
} st;

static void wipe_typed(struct app *a)
{
    sodium_memzero(a->session.case_digits, sizeof a->session.case_digits);
    sodium_memzero(a->session.case_pin, sizeof a->session.case_pin);
}

static void enter(struct app *a)
{
    wipe_typed(a);
    sodium_memzero(&st, sizeof st);
    ui_set_focus(a->ui, ui_id_index(ui_id("case_status.key"), 1));
}

static void leave(struct app *a)
{
    wipe_typed(a);
    sodium_memzero(&st, sizeof st);   /* a running job is freed by its done() */
    a->safety.busy = false;
}

static const char *part(const struct app *a)
{
    (void)a;
    return st.page == PAGE_ANSWER ? "answer" : st.page == PAGE_DONE ? "withdrawn" : NULL;
}

static void set_page(struct app *a, enum page_id p)
{
    st.page = p;
    st.scroll.offset = 0;
    app_part_changed(a);
}

static void job_run(struct app_job *h, void *arg)
{
    (void)h;
    struct case_job *j = arg;
    char err[256] = "";
    if (j->withdraw) {
        struct report_meta m = {
            .language = j->language,
            .kiosk_id = j->kiosk_id,
            .app_version = HIFAZAT_VERSION,
            .clock_trusted = REPORT_CLOCK_AUTO,
        };
        j->rc = receipt_withdraw(j->q, j->data_dir, j->key, j->pk, &m, j->code, j->pin,
                                 (time_t)j->now, &j->c, err, sizeof err);
    } else {
        j->rc = receipt_lookup(j->data_dir, j->code, j->pin, (time_t)j->now, &j->c, err, sizeof err);
    }
    if (j->rc < 0)
        SDL_Log("case status: %s", err);   /* never the code or PIN: receipt.c does not say them */
    sodium_memzero(j->code, sizeof j->code);
    sodium_memzero(j->pin, sizeof j->pin);
}

static void job_done(struct app *a, void *arg, bool cancelled)
{
    struct case_job *j = arg;
    if (j == st.job && !cancelled && a->screen == SCREEN_CASE_STATUS) {
        st.job = NULL;
        a->safety.busy = false;
        st.rc = j->rc;
        st.c = j->c;
        set_page(a, j->withdraw ? PAGE_DONE : PAGE_ANSWER);
        a->dirty = true;
    }
    sodium_memzero(j, sizeof(*j));
    session_free(j);
}

static bool complete(const struct app *a)
{
    return strlen(a->session.case_digits) == CODE_DIGITS && strlen(a->session.case_pin) == PIN_DIGITS;
}

static void start(struct app *a, bool withdraw)
{
    if (st.job)
        return;
    const char *d = a->session.case_digits;
    if (a->session.demo || a->default_demo) {
        /* Practice: nothing is looked up on, or written to, this machine. */
        st.practice = true;
        st.rc = withdraw ? RECEIPT_QUEUED : RECEIPT_UNKNOWN;
        set_page(a, withdraw ? PAGE_DONE : PAGE_ANSWER);
        return;
    }
    struct case_job *j = session_alloc(sizeof(*j));
    if (!j)
        return;
    j->withdraw = withdraw;
    snprintf(j->data_dir, sizeof j->data_dir, "%s", a->data_dir ? a->data_dir : "");
    snprintf(j->code, sizeof j->code, "%.4s-%.4s-%.4s", d, d + 4, d + 8);
    memcpy(j->pin, a->session.case_pin, sizeof j->pin);
    j->now = app_now(a);
    j->q = a->queue;
    j->key = a->kiosk_key;
    memcpy(j->pk, a->helpline_pk, sizeof j->pk);
    snprintf(j->language, sizeof j->language, "%s", i18n_tag(i18n_lang()));
    snprintf(j->kiosk_id, sizeof j->kiosk_id, "%s", a->kiosk_id[0] ? a->kiosk_id : "kiosk");
    if (!a->data_dir || (withdraw && (!a->queue || !a->kiosk_key))) {
        j->rc = -1;
        st.job = j;
        job_done(a, j, false);
        return;
    }
    st.job = j;
    a->safety.busy = true;
    if (app_start_job(a, job_run, job_done, j) != 0) {
        st.job = NULL;
        a->safety.busy = false;
        sodium_memzero(j, sizeof(*j));
        session_free(j);
    }
}

/* A digit, the erase key or Check, from the pad or the keyboard. */
static void key(struct app *a, int k)
{
    if (st.job || st.page != PAGE_ENTRY)
        return;
    char *code = a->session.case_digits, *pin = a->session.case_pin;
    size_t cl = strlen(code), pl = strlen(pin);
    if (k >= 0 && k <= 9) {
        if (!st.pin_field && cl < CODE_DIGITS) {
            code[cl++] = (char)('0' + k);
            if (cl == CODE_DIGITS)
                st.pin_field = true;   /* the code is whole: on to the secret number */
        } else if (st.pin_field && pl < PIN_DIGITS) {
            pin[pl] = (char)('0' + k);
        }
        narration_say_digit(a->narr, (char)('0' + k));
        st.pressed_ms = SDL_GetTicks() | 1;
    } else if (k == PAD_ERASE) {
        if (st.pin_field && pl > 0)
            pin[pl - 1] = '\0';
        else if (cl > 0) {
            st.pin_field = false;
            code[cl - 1] = '\0';
        }
        st.pressed_ms = SDL_GetTicks() | 1;
    } else if (k == PAD_OK && complete(a)) {
        start(a, false);
    }
    a->dirty = true;
}

static bool event(struct app *a, const struct ui_event *e)
{
    int k = st.page == PAGE_ENTRY ? digit_pad_key(e) : -1;
    if (k < 0 || (k == PAD_OK && !complete(a)))
        return false;
    key(a, k);
    return true;
}

/* ---- drawing */

/* A field: its name above a box; the box's content is drawn by the caller. */
static struct ui_rect field(struct ui_ctx *ui, struct ui_rect r, const char *name, bool active)
{
    const struct ui_theme *t = ui_theme(ui);
    const struct text_block *b = ui_text_block(ui, name, UI_FONT_SMALL, r.w, TEXT_ALIGN_START, 1);
    ui_draw_block(ui, b, r.x, r.y, active ? t->text : t->muted);
    struct ui_rect box = {r.x, r.y + b->height + t->gap / 4, r.w, r.h - b->height - t->gap / 4};
    ui_fill(ui, box, t->surface, t->radius / 2);
    ui_frame(ui, box, active ? t->primary : t->border, t->radius / 2, active ? 3 : 1);
    return box;
}

static void draw_entry(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    const struct text_block *nb = ui_text_block(ui, _("Case code"), UI_FONT_SMALL, p->body.w, TEXT_ALIGN_START, 1);
    int fh = nb->height + t->gap / 4 + t->button_h;
    struct ui_rect row = ui_cut_top(&p->body, fh);
    ui_cut_top(&p->body, t->gap);
    int cw = row.w * 3 / 5;
    struct ui_rect cr = ui_cut_start(ui, &row, cw);
    ui_cut_start(ui, &row, t->gap);
    Uint32 since = SDL_GetTicks() - st.pressed_ms;
    bool flash = st.pressed_ms && since < FLASH_MS;
    if (flash)
        app_wake_after(a, FLASH_MS - since);

    /* The case code, grouped as it is typed (dddd-dddd-dddd), left to right
     * in both languages as it is written on the paper. */
    struct ui_rect box = field(ui, cr, _("Case code"), !st.pin_field);
    const char *d = a->session.case_digits;
    char shown[20] = "";
    size_t n = strlen(d), k = 0;
    for (size_t i = 0; i < n && k + 2 < sizeof shown; i++) {
        if (i && i % 4 == 0)
            shown[k++] = '-';
        shown[k++] = d[i];
    }
    shown[k] = '\0';
    if (n) {
        struct text_style s;
        text_style_init(&s);
        s.size = t->font_title;
        s.weight = TEXT_BOLD;
        s.dir = TEXT_DIR_LTR;
        memcpy(s.lang, "en", 3);
        const struct text_block *b = text_get(ui_text_ctx(ui), shown, &s);
        if (b) {
            int off = b->nlines ? b->lines[0].x : 0;
            int x = ui_dir(ui) == TEXT_DIR_RTL ? box.x + box.w - t->gap - b->text_width - off
                                               : box.x + t->gap - off;
            ui_draw_block_vcenter(ui, b, x, box, t->text);
        }
    }
    sodium_memzero(shown, sizeof shown);

    /* The secret number: one dot per digit typed (it always has six, so
     * the count tells nothing), never the digits. */
    struct ui_rect pb = field(ui, row, _("Secret number"), st.pin_field);
    int dot = (int)(22 * t->scale);
    struct ui_rect dots = {pb.x, pb.y + (pb.h - dot) / 2, pb.w, dot + t->gap};
    pin_dots(ui, &dots, PIN_DIGITS, (int)strlen(a->session.case_pin), flash && st.pin_field);

    int used = 0;
    int k2 = digit_pad(ui, "case_status.key", p->body, NULL, false, &used);
    if (k2 >= 0)
        key(a, k2);
}

static const char *status_text(enum receipt_status s)
{
    switch (s) {
    /* TRANSLATORS: %s is a date, e.g. 05-12-2026. */
    case RECEIPT_RECEIVED: return _("The helpline received your report on %s.");
    case RECEIPT_SENT_TO_TAKE_IT_DOWN:
        return _("On %s, the helpline sent your picture codes to Take It Down, which finds copies "
                 "on websites and apps.");
    case RECEIPT_SENT_TO_STOPNCII:
        return _("On %s, the helpline sent your picture codes to StopNCII, which finds copies on "
                 "websites and apps.");
    case RECEIPT_ADDED_TO_BANK:
        return _("On %s, the helpline added your picture codes to the list that finds copies.");
    case RECEIPT_WITHDRAWN: return _("Your report was withdrawn on %s. Its picture codes are no longer used.");
    case RECEIPT_REJECTED:
        /* TRANSLATORS: %s is a date; the helpline's reason follows on its own line. */
        return _("On %s, the helpline could not accept your report.");
    default: return NULL;
    }
}

/* The answer in plain words, then whom to call; returns the height. */
static int draw_answer_column(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only,
                              bool *can_withdraw)
{
    const struct ui_theme *t = ui_theme(ui);
    char msg[600] = "";
    int icon = TEXT_ICON_INFO;
    ui_color ic = t->primary;
    *can_withdraw = false;
    if (st.page == PAGE_DONE) {
        if (st.practice) {
            snprintf(msg, sizeof msg, "%s",
                     _("This is practice: nothing was saved or sent. On a real machine, your "
                       "request to withdraw would be saved here and sent to the helpline."));
        } else if (st.rc == RECEIPT_QUEUED) {
            icon = TEXT_ICON_CHECK;
            snprintf(msg, sizeof msg, "%s",
                     _("Your request to withdraw is saved. It goes to the helpline with the next "
                       "reports, and the helpline asks for your picture codes to be removed."));
        } else if (st.rc == RECEIPT_ALREADY) {
            snprintf(msg, sizeof msg, "%s", _("This report is withdrawn already."));
        } else if (st.rc == RECEIPT_LIMITED) {
            int m = (int)((st.c.retry_after + 59) / 60);
            /* TRANSLATORS: %d is a number of minutes. */
            snprintf(msg, sizeof msg, _("Too many tries. Please wait %d minutes, then try again."),
                     m < 1 ? 1 : m);
            icon = TEXT_ICON_CLOCK;
        } else {
            icon = TEXT_ICON_WARNING;
            ic = t->danger;
            snprintf(msg, sizeof msg, "%s",
                     _("The request could not be saved because of a problem with this machine. "
                       "Please tell a staff member."));
        }
    } else if (st.practice) {
        snprintf(msg, sizeof msg, "%s",
                 _("This is practice. On a real machine, the last news about your case is shown "
                   "here, with its date."));
        *can_withdraw = true;
    } else if (st.rc == RECEIPT_FOUND) {
        char date[16];
        /* YYYY-MM-DD as people here write it: DD/MM/YYYY (slashes hold the
         * date together in an Urdu line; dashes let the bidi algorithm
         * reorder its parts). */
        snprintf(date, sizeof date, "%.2s/%.2s/%.4s", st.c.date + 8, st.c.date + 5, st.c.date);
        const char *f = status_text(st.c.status);
        snprintf(msg, sizeof msg, f ? f : "%s", date);
        if (st.c.status == RECEIPT_REJECTED && st.c.reason[0]) {
            char reason[RECEIPT_REASON_MAX + 1];
            snprintf(reason, sizeof reason, "%s", st.c.reason);
            for (char *c = reason; *c; c++)
                if (*c == '_')
                    *c = ' ';
            char why[200];
            /* TRANSLATORS: %s is the helpline's reason, as they wrote it (in English). */
            snprintf(why, sizeof why, _("The reason they gave: %s"), reason);
            size_t l = strlen(msg);
            snprintf(msg + l, sizeof msg - l, " %s", why);
        }
        icon = st.c.status == RECEIPT_REJECTED ? TEXT_ICON_WARNING : TEXT_ICON_CHECK;
        *can_withdraw = st.c.status != RECEIPT_WITHDRAWN;
    } else if (st.rc == RECEIPT_LIMITED) {
        int m = (int)((st.c.retry_after + 59) / 60);
        snprintf(msg, sizeof msg, _("Too many tries. Please wait %d minutes, then try again."),
                 m < 1 ? 1 : m);
        icon = TEXT_ICON_CLOCK;
    } else if (st.rc == RECEIPT_UNKNOWN) {
        snprintf(msg, sizeof msg, "%s",
                 _("This machine does not know this case yet, or the code or secret number is "
                   "different."));
        *can_withdraw = true;   /* queued anyway: the helpline checks the secret number */
    } else {
        icon = TEXT_ICON_WARNING;
        ic = t->danger;
        snprintf(msg, sizeof msg, "%s",
                 _("This machine could not look up the case because of a problem with its "
                   "storage. Please tell a staff member."));
    }
    int y = r.y;
    int pad = t->gap / 2 + 2;
    struct ui_rect in = ui_inset((struct ui_rect){r.x, y, r.w, 0}, pad);
    int h = icon_row(ui, in, icon, ic, msg, UI_FONT_BODY, true) + 2 * pad;
    if (!measure_only) {
        struct ui_rect card = {r.x, y, r.w, h};
        ui_fill(ui, card, t->selected, t->radius);
        icon_row(ui, ui_inset(card, pad), icon, ic, msg, UI_FONT_BODY, false);
    }
    y += h + t->gap;
    y += icon_row(ui, (struct ui_rect){r.x, y, r.w, 0}, TEXT_ICON_PHONE, t->primary,
                  _("The helpline may know more. Call them and tell them your case code:"),
                  UI_FONT_SMALL, measure_only) +
         t->gap / 2;
    int rh = draw_helplines(a, ui, (struct ui_rect){r.x, y, r.w, 0}, false, true);
    if (!measure_only)
        draw_helplines(a, ui, (struct ui_rect){r.x, y, r.w, rh}, false, false);
    y += rh;
    sodium_memzero(msg, sizeof msg);
    return y - r.y;
}

static void draw_answer(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    bool can_withdraw = false;
    int total = draw_answer_column(a, ui, (struct ui_rect){p->body.x, 0, p->body.w, 0}, true,
                                   &can_withdraw);
    if (can_withdraw && st.page == PAGE_ANSWER) {
        /* Withdrawing is there, but quieter than Finish. */
        struct ui_button_spec wb = {.label = _("Withdraw my report"), .icon = -1,
                                    .style = UI_BUTTON_SECONDARY};
        int bw = ui_button_width(ui, &wb);
        struct ui_rect br;
        if (bw + 2 * t->gap <= p->nav.w) {
            /* Between Back and Finish, when it fits. */
            br = ui_center(p->nav, bw, p->nav.h);
        } else {
            if (bw > p->body.w)
                bw = p->body.w;
            br = ui_cut_bottom(&p->body, t->button_h);
            ui_cut_bottom(&p->body, t->gap);
            br = ui_cut_start(ui, &br, bw);
        }
        if (ui_button(ui, "case_status.withdraw", br, &wb))
            st.confirm = true;
    }
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "case_status.answer", p->body, total, &st.scroll);
    draw_answer_column(a, ui, (struct ui_rect){p->body.x, p->body.y - st.scroll.offset, p->body.w, total},
                       false, &can_withdraw);
    ui_scroll_end(ui, &sa);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (st.page == PAGE_ENTRY) {
        enum nav_action n = page_nav(ui, &p, "case_status.back", _("Back"), "case_status.check",
                                     _("Check"), !complete(a) || st.job);
        if (n == NAV_BACK) {
            /* Nothing of this visit stays: Welcome is fresh again. */
            wipe_typed(a);
            session_wipe(&a->session);
            a->session.demo = a->default_demo;
            app_back(a);
            return;
        }
        if (n == NAV_NEXT)
            key(a, PAD_OK);
        page_title(ui, &p, _("Check your case"), TEXT_ICON_KEY);
        draw_entry(a, ui, &p);
        return;
    }
    const char *back = st.page == PAGE_ANSWER ? _("Back") : NULL;
    enum nav_action n = page_nav(ui, &p, back ? "case_status.back" : NULL, back, "case_status.finish",
                                 _("Finish"), st.job != NULL);
    if (n == NAV_BACK) {
        /* To type the secret number again (the code stays). */
        sodium_memzero(a->session.case_pin, sizeof a->session.case_pin);
        st.pin_field = strlen(a->session.case_digits) == CODE_DIGITS;
        set_page(a, PAGE_ENTRY);
        return;
    }
    if (n == NAV_NEXT) {
        app_finish(a);
        return;
    }
    page_title(ui, &p, st.page == PAGE_DONE ? _("Withdraw your report") : _("Your case"),
               TEXT_ICON_KEY);
    draw_answer(a, ui, &p);
    if (st.confirm) {
        enum ui_dialog_result r = ui_dialog(
            ui, "case_status.confirm", _("Withdraw your report?"),
            _("The helpline will be asked to remove your picture codes, so they are no longer used "
              "to find copies. Copies that sites have already removed stay removed."),
            _("Yes, withdraw it"), _("No, keep it"));
        if (r != UI_DIALOG_OPEN)
            st.confirm = false;
        if (r == UI_DIALOG_YES)
            start(a, true);   /* the code and secret number typed for the answer */
    }
}

const struct screen screen_case_status = {
    .name = "case_status",
    .enter = enter,
    .leave = leave,
    .event = event,
    .draw = draw,
    .part = part,
};
