/* Step 8, confirm: what will be sent and where, then Send. The report is
 * built from the session on the main thread, then sealed and durably
 * queued on a worker (two fsyncs can take a moment on a USB stick); only
 * when queue_add_report() has succeeded is the case code shown. In demo
 * mode the report is a training one: never sealed, never queued. */
#include "screen_util.h"
#include "version.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct seal_job {
    struct queue *q;
    struct report *r;
    const struct keys_kiosk *key;
    uint8_t pk[KEYS_PUBLIC_SIZE];
    int rc;
    enum queue_err err;
    struct report_receipt receipt;
};

static struct {
    struct seal_job *job;
    bool saving;
    const char *error;   /* a message for the person (translated) */
    struct ui_scroll text;
} st;

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    ui_set_focus(a->ui, ui_id("confirm.send"));
}

static void leave(struct app *a)
{
    (void)a;
    st.job = NULL;   /* a running job finishes on its own and is freed in done() */
    memset(&st, 0, sizeof st);
}

static void seal_run(struct app_job *h, void *arg)
{
    (void)h;
    struct seal_job *j = arg;
    j->rc = queue_add_report(j->q, j->r, j->key, j->pk, &j->receipt);
    j->err = j->rc ? queue_error(j->q) : QUEUE_OK;
}

static const char *queue_message(enum queue_err e)
{
    switch (e) {
    case QUEUE_ERR_NO_SPACE:
        return _("This machine's storage is full, so your report was not saved. Please tell a "
                 "staff member. Nothing you gave us was kept.");
    case QUEUE_ERR_BUSY: return _("This machine is busy. Please wait a moment and try again.");
    case QUEUE_ERR_REPORT:
        return _("Some of the picture codes could not be used, so the report was not saved. A "
                 "staff member can help.");
    default:
        return _("The report could not be saved because of a problem with this machine's "
                 "storage. Please tell a staff member.");
    }
}

static void seal_done(struct app *a, void *arg, bool cancelled)
{
    struct seal_job *j = arg;
    bool ours = j == st.job && !cancelled && a->screen == SCREEN_CONFIRM;
    if (ours) {
        st.job = NULL;
        st.saving = false;
        a->safety.busy = false;
        if (j->rc == 0) {
            a->session.receipt = j->receipt;
            a->session.have_receipt = true;
            app_next(a);
        } else {
            st.error = queue_message(j->err);
        }
    }
    report_destroy(j->r);
    sodium_memzero(j, sizeof(*j));
    session_free(j);
}

static struct report *build(struct app *a)
{
    struct session *s = &a->session;
    struct report_meta m = {
        .route = session_route(s),
        .reporter = session_reporter(s),
        .origin = session_origin(s),
        .language = i18n_tag(i18n_lang()),
        .kiosk_id = a->kiosk_id[0] ? a->kiosk_id : "demo",
        .app_version = HIFAZAT_VERSION,
        .training = a->default_demo,
        .clock_trusted = REPORT_CLOCK_AUTO,
    };
    struct report *r = report_create(&m);
    if (!r)
        return NULL;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        if (it->state == ITEM_DONE && report_add_hash_result(r, it->res) != 0) {
            report_destroy(r);
            return NULL;
        }
    }
    return r;
}

static void send(struct app *a)
{
    st.error = NULL;
    struct report *r = build(a);
    if (!r) {
        st.error = queue_message(QUEUE_ERR_REPORT);
        return;
    }
    if (a->default_demo) {
        /* Training: a receipt marked as such, nothing written anywhere. */
        struct report_receipt rc;
        int ok = report_training_receipt(r, &rc);
        report_destroy(r);
        if (ok != 0) {
            st.error = queue_message(QUEUE_ERR_REPORT);
            return;
        }
        a->session.receipt = rc;
        a->session.have_receipt = true;
        app_next(a);
        return;
    }
    struct seal_job *j = session_alloc(sizeof(*j));
    if (!j || !a->queue || !a->kiosk_key) {
        report_destroy(r);
        session_free(j);
        st.error = queue_message(QUEUE_ERR_IO);
        return;
    }
    j->q = a->queue;
    j->r = r;
    j->key = a->kiosk_key;
    memcpy(j->pk, a->helpline_pk, sizeof j->pk);
    st.job = j;
    st.saving = true;
    a->safety.busy = true;
    if (app_start_job(a, seal_run, seal_done, j) != 0) {
        st.job = NULL;
        st.saving = false;
        a->safety.busy = false;
        report_destroy(r);
        session_free(j);
        st.error = queue_message(QUEUE_ERR_IO);
    }
}

/* While the report is being written there is no going back (Esc). */
static bool event(struct app *a, const struct ui_event *e)
{
    (void)a;
    return st.saving && e->kind == UI_EV_KEY_DOWN && e->key == UI_KEY_ESCAPE;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct session *s = &a->session;
    struct session_counts c;
    session_counts(s, &c);
    struct page p;
    page_begin(ui, area, false, true, &p);
    enum nav_action act = page_nav(ui, &p, "confirm.back", st.saving ? NULL : _("Back"), "confirm.send",
                                   st.saving ? _("Saving...") : _("Send the picture codes"),
                                   st.saving || c.done == 0);
    if (act == NAV_BACK) {
        app_back(a);
        return;
    }
    if (act == NAV_NEXT) {
        send(a);
        a->dirty = true;
    }
    page_title(ui, &p, _("Ready to send?"), TEXT_ICON_UPLOAD);
    /* What went wrong comes first: on a netbook the text below scrolls. */
    if (st.error) {
        int eh = icon_row(ui, p.body, TEXT_ICON_WARNING, t->danger, st.error, UI_FONT_BODY, false);
        ui_cut_top(&p.body, eh + t->gap);
    }

    /* What goes where, in a card. */
    char l1[200];
    /* TRANSLATORS: the number of fingerprints in the report. */
    snprintf(l1, sizeof l1, _("Picture codes: %d"), (int)c.done);
    const char *l2 = session_route(s) == REPORT_ROUTE_UNDER18
                         ? _("Goes to: Take It Down (NCMEC), for pictures of people under 18")
                         : _("Goes to: StopNCII, for pictures of adults");
    int pad = t->pad / 2;
    struct ui_rect cr = {p.body.x, p.body.y, p.body.w, 0};
    struct ui_rect in = ui_inset((struct ui_rect){cr.x, cr.y, cr.w, 10000}, pad);
    int h1 = icon_row(ui, in, TEXT_ICON_FINGERPRINT, t->primary, l1, UI_FONT_BODY, true);
    int h2 = icon_row(ui, in, TEXT_ICON_SHIELD, t->primary, l2, UI_FONT_BODY, true);
    cr.h = h1 + h2 + t->gap + 2 * pad;
    draw_card(ui, cr);
    icon_row(ui, in, TEXT_ICON_FINGERPRINT, t->primary, l1, UI_FONT_BODY, false);
    in.y += h1 + t->gap;
    icon_row(ui, in, TEXT_ICON_SHIELD, t->primary, l2, UI_FONT_BODY, false);
    ui_cut_top(&p.body, cr.h + t->gap);

    ui_paragraph(ui, "confirm.text", p.body,
              a->default_demo
                  ? _("This is demo mode: nothing will be saved or sent. You will see a practice "
                      "case code.")
                  : _("The picture codes are sealed so only the helpline can open them, and "
                      "sent when this machine is next online. With your case code and secret "
                      "number, you can call the helpline to ask about your report or withdraw "
                      "it. Your pictures stay with you."),
              UI_FONT_BODY, &st.text);
}

const struct screen screen_confirm = {
    .name = "confirm",
    .enter = enter,
    .leave = leave,
    .event = event,
    .draw = draw,
};
