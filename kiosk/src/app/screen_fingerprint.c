/* Step 6, fingerprinting: media_hash_file() for every chosen file on a
 * worker thread (the bytes stream from the device, a phone's too, into the
 * hash engine: nothing is copied anywhere), with the progress of this file and of all of them, the time
 * left, and Cancel. A file that fails (damaged, unreadable, the device
 * taken out, a phone that stopped answering) gets a plain reason and the
 * rest go on; when the device disappears, what is left is marked at once
 * instead of being tried. The fingerprints made stay. The screen then says
 * what to do about the device: plug it in again; once it is back (the same
 * device id) but not open yet, the phone's own steps (device_help.h: a
 * phone plugged in again is "only charging" again); once it can be read,
 * "connected again" with Try again as the main button. It does not start
 * again by itself: the person may have pulled the cable on purpose.
 *
 * The job works on its own copies of the paths and its own results, all
 * in session memory (wiped when freed): a quick exit wipes the session at
 * once while the worker finishes the file in hand, then the job's done()
 * wipes the rest. Only a finished, uncancelled job hands its results to the
 * session. While it runs the thumbnail decoders are paused and the idle
 * timer does not run (the person is waiting for us). */
#include "device_help.h"
#include "guide.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fp_file {
    char *path;                  /* session memory */
    uint64_t size;
    int rc;
    struct hash_result res;
    bool done;
    bool moved;                  /* res (and its vPDQ list) now belongs to the session */
};

struct fp_job {
    struct devices *devices;     /* the app's, which outlives its jobs */
    size_t n;
    struct fp_file *files;       /* session memory */
    uint64_t total_bytes;
    _Atomic uint64_t bytes_done; /* of finished files */
    _Atomic uint64_t cur_done, cur_total;
    _Atomic size_t finished, failed;
    atomic_bool stop;            /* Cancel pressed */
    atomic_bool device_gone;     /* set by the main thread */
    struct app_job *handle;
};

enum state { RUNNING, STOPPING, FINISHED };

static struct {
    struct fp_job *job;
    enum state state;
    Uint32 started;
    bool cancel_dialog;
    bool skip;                   /* nothing to do: straight on to the review */
    bool retry;                  /* Try again pressed: start before the next frame */
    struct ui_scroll list;
    int dev_state;               /* FINISHED: the device's state last seen (-1: gone) */
} st;

static void job_free(struct fp_job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        struct fp_file *f = &j->files[i];
        session_free(f->path);
        if (f->moved)
            sodium_memzero(&f->res, sizeof f->res);   /* the session owns its vPDQ list */
        else
            session_result_release(&f->res);
    }
    session_free(j->files);
    sodium_memzero(j, sizeof(*j));
    session_free(j);
}

struct progress_ctx {
    struct fp_job *job;
    struct app_job *handle;
    Uint32 last_wake;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress_ctx *p = ctx;
    atomic_store(&p->job->cur_done, done);
    atomic_store(&p->job->cur_total, total);
    /* A few redraws a second are enough for a progress bar. */
    Uint32 now = SDL_GetTicks();
    if (now - p->last_wake >= 100) {
        p->last_wake = now;
        app_job_wake(p->handle);
    }
}

/* Cancel, quick exit or shutdown: a long video stops mid-file. */
static bool on_cancelled(void *ctx)
{
    struct progress_ctx *p = ctx;
    return app_job_cancelled(p->handle) || atomic_load(&p->job->stop);
}

static void run(struct app_job *handle, void *arg)
{
    struct fp_job *j = arg;
    struct progress_ctx pc = {.job = j, .handle = handle};
    struct hash_options o;
    hash_options_default(&o);
    o.progress = on_progress;
    o.progress_ctx = &pc;
    o.cancelled = on_cancelled;
    struct hash_ctx *hc = hash_ctx_create(&o);
    for (size_t i = 0; i < j->n; i++) {
        if (app_job_cancelled(handle) || atomic_load(&j->stop))
            break;
        struct fp_file *f = &j->files[i];
        atomic_store(&j->cur_done, 0);
        atomic_store(&j->cur_total, f->size);
        if (!hc) {
            f->rc = -1;
            f->res.err = HASH_ERR_NOMEM;
        } else if (atomic_load(&j->device_gone)) {
            /* Taken out: the rest cannot be read; say so at once. */
            f->rc = -1;
            f->res.err = HASH_ERR_GONE;
        } else {
            f->rc = media_hash_file(j->devices, hc, f->path, &f->res);
        }
        f->done = true;
        atomic_fetch_add(&j->bytes_done, f->size);
        if (f->rc != 0)
            atomic_fetch_add(&j->failed, 1);
        atomic_fetch_add(&j->finished, 1);
        app_job_wake(handle);
    }
    hash_ctx_destroy(hc);
}

/* Did this file give fingerprints the report can carry? A video too long
 * to finish within vPDQ's budget keeps the frames of its beginning. */
static enum item_problem problem_of(const struct fp_file *f, bool gone)
{
    const struct hash_result *r = &f->res;
    bool media = r->have_digests && (r->kind == HASH_KIND_IMAGE || r->kind == HASH_KIND_VIDEO);
    if (media && (f->rc == 0 || (r->err == HASH_ERR_VIDEO_TOO_LONG && r->vpdq)))
        return PROBLEM_NONE;
    if (f->rc == 0)
        return PROBLEM_NOT_MEDIA;
    return session_problem_for(r->err, gone);
}

static bool volume_gone(const struct app *a)
{
    return a->volumes && !app_volume(a, a->session.volume_id);
}

/* The session's device's state now, -1 when it is not plugged in. */
static int device_state_now(const struct app *a)
{
    const struct device_info *v = app_volume(a, a->session.volume_id);
    return v ? (int)v->state : -1;
}

/* Files that failed because of the device itself (taken out, not
 * answering): Try again can make them once it is back. */
static size_t device_failures(const struct session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nitems; i++)
        n += s->items[i].state == ITEM_FAILED && (s->items[i].problem == PROBLEM_REMOVED ||
                                                  s->items[i].problem == PROBLEM_NOT_ANSWERING);
    return n;
}

/* What the person hears about the device: gone, back and ready, or back
 * and needing something done on the phone. Listen again says it too. */
static void say_device(struct app *a, int state)
{
    if (state < 0)
        narration_topic(a->narr, GUIDE_CLIP_DEVICE_REMOVED, true);
    else if (state == DEVICE_READY)
        narration_topic(a->narr, GUIDE_CLIP_DEVICE_BACK, true);
    else
        narration_topic(a->narr, device_help_clip((enum device_state)state), true);
}

static bool phone_session(const struct app *a)
{
    return a->session.volume_kind != DEVICE_KIND_VOLUME && !a->default_demo;
}

/* Why a file failed; a phone's pulled cable said as such. */
static const char *item_problem_text(const struct app *a, enum item_problem p)
{
    if (p == PROBLEM_REMOVED && phone_session(a))
        return _("The phone's cable was pulled out.");
    return problem_text(p);
}

static void done(struct app *a, void *arg, bool cancelled)
{
    struct fp_job *j = arg;
    bool ours = j == st.job && !cancelled && a->screen == SCREEN_FINGERPRINT;
    if (ours) {
        st.job = NULL;
        a->safety.busy = false;
        media_pause(a->media, false);
    }
    if (!ours || atomic_load(&j->stop)) {
        job_free(j);
        if (ours)
            app_back(a);   /* cancelled: back to choosing, the choices kept */
        return;
    }
    bool gone = volume_gone(a);
    for (size_t i = 0; i < j->n; i++) {
        struct fp_file *f = &j->files[i];
        struct session_item *it = session_find(&a->session, f->path);
        if (!it || !f->done)
            continue;
        enum item_problem p = problem_of(f, gone);
        session_item_set_result(it, p == PROBLEM_NONE ? &f->res : NULL, p);
        f->moved = p == PROBLEM_NONE && it->state == ITEM_DONE;
    }
    job_free(j);
    struct session_counts c;
    session_counts(&a->session, &c);
    st.state = FINISHED;
    st.dev_state = device_state_now(a);
    app_test_event(a, "fingerprint=finished");   /* the boot test presses keys only after it */
    if (c.failed == 0 && c.done > 0) {
        app_next(a);   /* all fine: straight on to the review */
    } else {
        /* Try again is offered only once the device can be read. A run can
         * end after the device came back (a read stuck in the pulled cable
         * returns late): then Try again is the main button and has the
         * focus, as when the device comes back after the run. */
        const bool devfail = device_failures(&a->session) > 0;
        const bool waiting = devfail && st.dev_state != DEVICE_READY;
        ui_set_focus(a->ui, ui_id(waiting                ? (c.done ? "fingerprint.next" : "fingerprint.back")
                                  : devfail || !c.done ? "fingerprint.retry"
                                                       : "fingerprint.next"));
        if (devfail)
            say_device(a, st.dev_state);   /* what to do about the device comes first */
        else
            narration_event(a->narr, c.done ? GUIDE_CLIP_SOME_FAILED : GUIDE_CLIP_NONE_MADE);
    }
}

static void start(struct app *a)
{
    struct session *s = &a->session;
    size_t n = 0;
    for (size_t i = 0; i < s->nitems; i++)
        n += s->items[i].state != ITEM_DONE;
    if (n == 0) {
        st.skip = true;
        return;
    }
    struct fp_job *j = session_alloc(sizeof(*j));
    if (!j)
        return;
    j->devices = a->devices;
    j->files = session_alloc(n * sizeof(*j->files));
    if (!j->files) {
        session_free(j);
        return;
    }
    for (size_t i = 0; i < s->nitems; i++) {
        struct session_item *it = &s->items[i];
        if (it->state == ITEM_DONE)
            continue;
        session_item_reset(it);
        struct fp_file *f = &j->files[j->n];
        f->path = session_strdup(it->path);
        f->size = it->size;
        j->total_bytes += it->size;
        j->n++;
    }
    st.job = j;
    st.state = RUNNING;
    st.started = SDL_GetTicks();
    narration_topic(a->narr, NULL, false);   /* "connected again" is over: the screen's own words */
    media_pause(a->media, true);
    a->safety.busy = true;
    if (app_start_job(a, run, done, j) != 0) {
        st.job = NULL;
        a->safety.busy = false;
        media_pause(a->media, false);
        job_free(j);
        st.state = FINISHED;
    }
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    start(a);
    ui_set_focus(a->ui, ui_id("fingerprint.cancel"));
}

static void leave(struct app *a)
{
    if (st.job) {
        /* Leaving while it runs (quick exit, idle): done() will wipe it. */
        atomic_store(&st.job->stop, true);
        st.job = NULL;
        a->safety.busy = false;
        media_pause(a->media, false);
    }
    memset(&st, 0, sizeof st);
}

static void update(struct app *a)
{
    app_take_media_events(a, APP_EV_DEVICES | MEDIA_EV_FOLDER | MEDIA_EV_THUMBS);
    if (st.skip) {
        st.skip = false;
        app_next(a);
        return;
    }
    if (st.retry) {
        st.retry = false;
        start(a);
    }
    if (st.job && volume_gone(a))
        atomic_store(&st.job->device_gone, true);
    /* Waiting for the device to come back: say each change as it happens. */
    if (st.state == FINISHED && device_failures(&a->session)) {
        int now = device_state_now(a);
        if (now != st.dev_state) {
            st.dev_state = now;
            say_device(a, now);
            if (now == DEVICE_READY)
                ui_set_focus(a->ui, ui_id("fingerprint.retry"));
        }
    }
}

static bool event(struct app *a, const struct ui_event *e)
{
    /* Esc asks before stopping, like Cancel. */
    if (e->kind == UI_EV_KEY_DOWN && e->key == UI_KEY_ESCAPE && st.state == RUNNING) {
        st.cancel_dialog = true;
        a->dirty = true;
        return true;
    }
    return false;
}

static void draw_running(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    struct fp_job *j = st.job;
    size_t finished = j ? atomic_load(&j->finished) : 0, n = j ? j->n : 0;
    size_t failed = j ? atomic_load(&j->failed) : 0;
    uint64_t cd = j ? atomic_load(&j->cur_done) : 0, ct = j ? atomic_load(&j->cur_total) : 0;
    uint64_t bd = j ? atomic_load(&j->bytes_done) : 0, bt = j ? j->total_bytes : 0;
    float file_frac = ct ? (float)((double)cd / (double)ct) : 0.0f;
    double all = bt ? ((double)bd + (finished < n ? (double)cd : 0)) / (double)bt
                    : (n ? (double)finished / (double)n : 1);
    if (all > 1)
        all = 1;

    page_text(ui, p,
              _("Please wait. Your pictures are not copied: only their secret codes are made, "
                "here on this machine."),
              UI_FONT_BODY, t->text);
    ui_cut_top(&p->body, t->gap);
    char label[200];
    /* TRANSLATORS: progress; the first number is done, the second the total.
       Reorder with %1$d and %2$d. */
    snprintf(label, sizeof label, _("Making picture codes: %d of %d"),
             (int)(finished < n ? finished + 1 : n), (int)n);
    int ph = ui_text_height(ui, label, UI_FONT_BODY, p->body.w) + (int)(28 * t->scale);
    ui_progress(ui, ui_cut_top(&p->body, ph), (float)all, label);
    ui_cut_top(&p->body, t->gap);
    ph = ui_text_height(ui, _("This file"), UI_FONT_SMALL, p->body.w) + (int)(28 * t->scale);
    struct ui_rect fr = ui_cut_top(&p->body, ph);
    fr.w = fr.w * 2 / 3;
    if (ui_dir(ui) == TEXT_DIR_RTL)
        fr.x = p->body.x + p->body.w - fr.w;
    ui_progress(ui, fr, finished < n ? file_frac : 1.0f, _("This file"));
    ui_cut_top(&p->body, t->gap);

    double spent = (SDL_GetTicks() - st.started) / 1000.0;
    char left[160];
    fmt_time_left(left, sizeof left, spent >= 2.0 && all > 0.02 ? spent / all - spent : -1);
    struct ui_rect lr = p->body;
    int h = icon_row(ui, lr, TEXT_ICON_CLOCK, t->muted, left, UI_FONT_BODY, false);
    ui_cut_top(&p->body, h + t->gap);
    if (failed) {
        char msg[200];
        /* TRANSLATORS: files that could not be fingerprinted so far. */
        snprintf(msg, sizeof msg, _("Could not be used so far: %d. The others go on."), (int)failed);
        icon_row(ui, p->body, TEXT_ICON_WARNING, t->danger, msg, UI_FONT_BODY, false);
    }
    if (j)
        app_wake_after(a, 1000);   /* the time left moves even when no file ends */
}

/* The files that failed, each with its reason. */
static void draw_problems(struct app *a, struct ui_ctx *ui, struct page *p, bool with_head)
{
    const struct ui_theme *t = ui_theme(ui);
    struct session *s = &a->session;
    struct session_counts c;
    session_counts(s, &c);
    char head[300];
    if (c.done)
        /* TRANSLATORS: %1$d fingerprints were made, %2$d files could not be used. */
        snprintf(head, sizeof head,
                 _("Picture codes ready: %d. Could not be made: %d. The reasons are below."),
                 (int)c.done, (int)c.failed);
    else
        snprintf(head, sizeof head, "%s",
                 _("No picture codes could be made. The reasons are below. If your device was "
                   "removed, plug it in again and press Try again."));
    if (with_head) {
        page_text(ui, p, head, UI_FONT_BODY, t->text);
        ui_cut_top(&p->body, t->gap / 2);
    }

    /* One card per file: a neutral icon (photo or video) and the reason.
     * Never its name: a revealing file name is read by anyone passing. No
     * thumbnail either: most of these files cannot be read (damaged, the
     * device taken out, a phone that stopped answering, which asking for
     * more would only keep busy). */
    int pad = (int)(12 * t->scale), tsz = (int)(64 * t->scale), gap = (int)(8 * t->scale);
    int tw = p->body.w - 2 * pad - tsz - pad;
    int content = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        if (it->state != ITEM_FAILED)
            continue;
        int rh = ui_text_height(ui, item_problem_text(a, (enum item_problem)it->problem), UI_FONT_BODY, tw);
        content += (rh > tsz ? rh : tsz) + 2 * pad + gap;
    }
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "fingerprint.problems", p->body, content, &st.list);
    int y = p->body.y - st.list.offset;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        if (it->state != ITEM_FAILED)
            continue;
        const struct text_block *rb =
            ui_text_block(ui, item_problem_text(a, (enum item_problem)it->problem), UI_FONT_BODY, tw,
                          TEXT_ALIGN_START, 0);
        int rh = rb ? rb->height : 0;
        int h = (rh > tsz ? rh : tsz) + 2 * pad;
        struct ui_rect r = {p->body.x, y, p->body.w, h};
        y += h + gap;
        if (r.y + r.h < p->body.y || r.y > p->body.y + p->body.h)
            continue;
        draw_card(ui, r);
        struct ui_rect in = ui_inset(r, pad);
        struct ui_rect tr = ui_cut_start(ui, &in, tsz);
        tr = (struct ui_rect){tr.x, in.y + (in.h - tsz) / 2, tsz, tsz};
        ui_fill(ui, tr, t->selected, t->radius / 2);
        int isz = (int)(32 * t->scale);
        ui_draw_icon(ui, it->kind == MEDIA_KIND_VIDEO ? TEXT_ICON_VIDEO : TEXT_ICON_IMAGE,
                     ui_center(tr, isz, isz), t->muted);
        ui_cut_start(ui, &in, pad);
        ui_draw_block(ui, rb, in.x, in.y + (in.h - rh) / 2, t->text);
    }
    ui_scroll_end(ui, &sa);
}

/* A card at the top of the body: a pictogram and what to do. */
static void status_card(struct app *a, struct ui_ctx *ui, struct page *p, const char *icon,
                        const char *text)
{
    const struct ui_theme *t = ui_theme(ui);
    int pad = (int)(14 * t->scale), psz = (int)(64 * t->scale);
    struct ui_rect in = ui_inset(p->body, pad);
    struct ui_rect ir = ui_cut_start(ui, &in, psz);
    ui_cut_start(ui, &in, pad);
    const struct text_block *b = ui_text_block(ui, text, UI_FONT_BODY, in.w, TEXT_ALIGN_START, 0);
    int th = b ? b->height : 0;
    int h = (th > psz ? th : psz) + 2 * pad;
    struct ui_rect card = ui_cut_top(&p->body, h);
    ui_fill(ui, card, t->surface, t->radius);
    ui_frame(ui, card, t->primary, t->radius, t->border_w);
    struct ui_image *pic = narration_pictogram(a->narr, icon);
    if (pic)
        ui_draw_image(ui, pic, (struct ui_rect){ir.x, card.y + (h - psz) / 2, psz, psz});
    ui_draw_block(ui, b, in.x, card.y + (h - th) / 2, t->text);
    ui_cut_top(&p->body, t->gap);
}

enum fin_action { FIN_NONE, FIN_BACK, FIN_NEXT, FIN_RETRY };

/* Back at the start, Next at the end, Try again between them; the main
 * action is the one that helps most now. */
static enum fin_action finished_nav(struct ui_ctx *ui, struct page *p, bool next, bool retry,
                                    bool retry_main)
{
    const struct ui_theme *t = ui_theme(ui);
    enum fin_action act = FIN_NONE;
    struct ui_rect row = p->nav;
    int min_w = (int)(220 * t->scale);
    struct ui_button_spec b = {.label = _("Back"), .icon = ui_icon_back(ui),
                               .style = UI_BUTTON_SECONDARY};
    int bw = ui_button_width(ui, &b);
    if (ui_button(ui, "fingerprint.back", ui_cut_start(ui, &row, bw > min_w ? bw : min_w), &b))
        act = FIN_BACK;
    ui_cut_start(ui, &row, t->gap);
    if (next) {
        struct ui_button_spec n = {.label = _("Next"), .icon = ui_icon_forward(ui), .icon_end = true,
                                   .style = retry_main ? UI_BUTTON_SECONDARY : UI_BUTTON_PRIMARY};
        int nw = ui_button_width(ui, &n);
        if (ui_button(ui, "fingerprint.next", ui_cut_end(ui, &row, nw > min_w ? nw : min_w), &n))
            act = FIN_NEXT;
        ui_cut_end(ui, &row, t->gap);
    }
    if (retry) {
        struct ui_button_spec rb = {.label = _("Try again"), .icon = -1,
                                    .style = retry_main ? UI_BUTTON_PRIMARY : UI_BUTTON_SECONDARY};
        int rw = ui_button_width(ui, &rb);
        if (rw > row.w)
            rw = row.w;
        struct ui_rect r = {row.x + (row.w - rw) / 2, row.y, rw, row.h};
        if (ui_button(ui, "fingerprint.retry", r, &rb))
            act = FIN_RETRY;
    }
    return act;
}

/* Done, with failures: why each failed and, when the device itself was
 * the reason, what to do about it. */
static void draw_finished(struct app *a, struct ui_ctx *ui, struct page *p,
                          const struct session_counts *c)
{
    size_t devfail = device_failures(&a->session);
    const struct device_info *dev = app_volume(a, a->session.volume_id);
    bool back = devfail && dev && dev->state == DEVICE_READY;
    const bool phone = phone_session(a);
    /* Try again only where it can help: the device is here and readable. */
    bool retry = c->failed > 0 && (!devfail || back);
    switch (finished_nav(ui, p, c->done > 0, retry, back)) {
    case FIN_BACK: app_back(a); return;
    case FIN_NEXT: app_next(a); return;
    case FIN_RETRY:
        st.retry = true;
        app_redo_frame(a);
        return;
    default: break;
    }
    if (back) {
        page_title(ui, p,
                   phone ? _("Your phone is connected again") : _("Your card or stick is connected again"),
                   TEXT_ICON_PHONE);
        status_card(a, ui, p, "connect",
                    _("To make the rest, press Try again. The ones already made are kept."));
        draw_problems(a, ui, p, false);
        return;
    }
    /* Back, but not open yet (a phone plugged in again is "only charging"
     * again): what to do on it is the title, its steps come first. */
    page_title(ui, p,
               devfail && dev ? device_help_title(dev->state) : _("Some files could not be used"),
               TEXT_ICON_WARNING);
    if (devfail && !dev) {
        status_card(a, ui, p, "replug",
                    phone ? _("To make the rest, plug your phone in again. The picture codes "
                              "already made are kept.")
                          : _("To make the rest, put your card or stick in again. The picture "
                              "codes already made are kept."));
    } else if (devfail) {
        /* Room for the list too: the note goes, then the steps shrink. */
        unsigned fl = DEVICE_HELP_NOTE;
        int h = device_help(a, ui, p->body, dev, fl, true);
        if (h > p->body.h * 2 / 3) {
            fl = 0;
            h = device_help(a, ui, p->body, dev, fl, true);
        }
        if (h > p->body.h * 2 / 3) {
            fl = DEVICE_HELP_DENSE;
            h = device_help(a, ui, p->body, dev, fl, true);
        }
        device_help(a, ui, ui_cut_top(&p->body, h), dev, fl, false);
        ui_cut_top(&p->body, ui_theme(ui)->gap);
        draw_problems(a, ui, p, false);
        return;
    }
    draw_problems(a, ui, p, true);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    struct page p;
    page_begin(ui, area, false, true, &p);
    struct session_counts c;
    session_counts(&a->session, &c);
    if (st.state == FINISHED) {
        draw_finished(a, ui, &p, &c);
        return;
    }

    struct ui_button_spec cancel = {.label = st.state == STOPPING ? _("Stopping...") : _("Cancel"),
                                    .icon = TEXT_ICON_CLOSE, .style = UI_BUTTON_SECONDARY,
                                    .disabled = st.state == STOPPING};
    int cw = ui_button_width(ui, &cancel);
    if (ui_button(ui, "fingerprint.cancel", ui_cut_start(ui, &p.nav, cw), &cancel))
        st.cancel_dialog = true;
    page_title(ui, &p, _("Making picture codes"), TEXT_ICON_FINGERPRINT);
    draw_running(a, ui, &p);

    if (st.cancel_dialog) {
        enum ui_dialog_result r = ui_dialog(ui, "fingerprint.cancel_dialog", _("Stop making "
                                                                               "picture codes?"),
                                            _("The picture codes made so far are thrown away. "
                                              "Your choices are kept."),
                                            _("Yes, stop"), _("No, go on"));
        if (r != UI_DIALOG_OPEN)
            st.cancel_dialog = false;
        if (r == UI_DIALOG_YES && st.job) {
            atomic_store(&st.job->stop, true);
            st.state = STOPPING;
        }
    }
}

const struct screen screen_fingerprint = {
    .name = "fingerprint",
    .enter = enter,
    .leave = leave,
    .event = event,
    .update = update,
    .draw = draw,
};
