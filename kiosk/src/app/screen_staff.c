/* Staff: after the PIN. Queue status (pending / exported / uploaded), export
 * to a courier stick, upload now (when the config names a drop box and a
 * network exists), the kiosk id, the kiosk key's fingerprint (what the
 * helpline registers), the helpline key's fingerprint (to compare with the
 * helpline's), a Settings page (start language, idle timeout, larger text,
 * English narration: saved to the data partition's override), Wi-Fi (when
 * the kiosk has a radio: staff_wifi.c), the screen check, and shut down.
 * Demo mode never opens the queue, so queue actions are off there. */
#include "screen_util.h"
#include "staff_wifi.h"

#include "durable.h"
#include "outbox.h"
#include "receipt.h"
#include "upload.h"
#include "upload_via.h"
#include "wifi.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum staff_page { P_MAIN, P_EXPORT, P_SETTINGS, P_WIFI, P_WIFI_PASSWORD, P_WIFI_STATUS };
enum job_kind { JOB_EXPORT, JOB_UPLOAD };

struct staff_job {
    enum job_kind kind;
    struct queue *q;
    const struct keys_kiosk *key;
    char dir[1200];              /* export: the stick's folder; upload: the spool */
    char stick[1200];            /* export: the stick's root (the helpline's status archive) */
    size_t max_per_archive;
    /* upload: how ([upload] via), the unit's request directory, and the
     * settings for an upload in this process, copied */
    const struct upload_via_backend *via;
    char request_dir[1200];
    char url[600], ca[1200], pin[300], user[200], pass[200], token[600];
    char data_dir[1200];
    bool have_signing;           /* the helpline's receipt-signing key is set */
    uint8_t signing_pk[KEYS_PUBLIC_SIZE];
    long exported;
    int sent, there, left;
    long acked;
    long confirmed;              /* reports a verified receipt deleted */
    bool failed;
    char msg[400];               /* English detail for staff */
};

static struct {
    enum staff_page page;
    struct staff_job *job;
    bool have_status;
    struct queue_status qs;
    char result[600];
    bool result_bad;
    bool shutdown_dialog;
    bool upload_waits;       /* "Upload now" waits for the Wi-Fi connect under way */
    bool radio;              /* [wifi] is set up and the radio is there */
    struct ui_scroll info;   /* the kiosk's details scroll when they do not fit */
    /* A setting staff changed this frame: saved in update(), not while drawing. */
    struct kiosk_settings want;
    unsigned want_what;      /* SETTINGS_* */
} st;

static void refresh(struct app *a)
{
    st.have_status = a->queue && queue_status(a->queue, &st.qs) == 0;
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    refresh(a);
    staff_wifi_enter(a);
    st.radio = a->wifi && wifi_present(a->wifi);
    ui_set_focus(a->ui, ui_id("staff.close"));
}

static void leave(struct app *a)
{
    /* Staff leave (Close, idle timeout, quick exit): so does the network,
     * once a running upload no longer needs it. */
    staff_wifi_leave(a, st.job && st.job->kind == JOB_UPLOAD);
    st.job = NULL;   /* a running export or upload finishes and frees itself */
    sodium_memzero(&st, sizeof st);
}

/* Each page's way out: Close on the main page, Back on the others; where
 * the focus starts. */
static const char *const page_exit[] = {
    [P_MAIN] = "staff.close", [P_EXPORT] = "staff.export.back", [P_SETTINGS] = "staff.settings.back",
    [P_WIFI] = "staff.wifi.back", [P_WIFI_PASSWORD] = "staff.wifi.password.back",
    [P_WIFI_STATUS] = "staff.wifi.status.back"};

static enum staff_wifi_page wifi_page(void)
{
    return st.page == P_WIFI_PASSWORD ? SW_PASSWORD : st.page == P_WIFI_STATUS ? SW_STATUS : SW_LIST;
}

static void part_enter(struct app *a)
{
    bool wifi = st.page >= P_WIFI;
    ui_set_focus(a->ui, ui_id(wifi ? staff_wifi_focus(wifi_page()) : page_exit[st.page]));
}

static const char *part(const struct app *a)
{
    (void)a;
    static const char *const names[] = {[P_MAIN] = "",          [P_EXPORT] = "export",
                                        [P_SETTINGS] = "settings", [P_WIFI] = "wifi",
                                        [P_WIFI_PASSWORD] = "wifi_password",
                                        [P_WIFI_STATUS] = "wifi_status"};
    return names[st.page];
}

static void go_page(struct app *a, enum staff_page pg)
{
    st.page = pg;
    app_part_changed(a);
}

/* ---- jobs */

/* A quick exit or shutdown stops an upload between archives. */
static bool job_cancelled(void *ctx)
{
    return app_job_cancelled(ctx);
}

static void job_run(struct app_job *h, void *arg)
{
    struct staff_job *j = arg;
    char err[400] = "";
    struct outbox_export_options eo = {.max_reports = j->max_per_archive};
    if (j->kind == JOB_EXPORT && j->have_signing) {
        /* The courier brings the helpline's status archive back on the same
         * stick: checked before anything changes; confirmed reports leave
         * the queue before the export (receipt.h). */
        char path[1300];
        snprintf(path, sizeof path, "%s/" RECEIPT_ARCHIVE_NAME, j->stick);
        unsigned char *data = NULL;
        size_t len = 0;
        if (durable_read(AT_FDCWD, path, RECEIPT_MAX_ARCHIVE, &data, &len) == 0) {
            struct receipt_import_result ir;
            int r = receipt_import(j->q, j->data_dir, j->signing_pk, data, len, time(NULL), &ir,
                                   err, sizeof err);
            free(data);
            if (r != RECEIPT_OK && r != RECEIPT_ALREADY) {
                snprintf(j->msg, sizeof j->msg, "%s: %.340s", RECEIPT_ARCHIVE_NAME, err);
                j->failed = true;
                return;
            }
            j->confirmed = ir.removed;
        }
    }
    if (j->kind == JOB_EXPORT) {
        if (mkdir(j->dir, 0755) != 0 && errno != EEXIST) {
            snprintf(j->msg, sizeof j->msg, "cannot create %.300s: %.60s", j->dir, strerror(errno));
            j->failed = true;
            return;
        }
        j->exported = outbox_export(j->q, j->key, j->dir, &eo, NULL, NULL, err, sizeof err);
        if (j->exported < 0) {
            snprintf(j->msg, sizeof j->msg, "%s", err);
            j->failed = true;
        }
        return;
    }
    /* Upload: in this process, or by asking the upload service (upload_via.h). */
    struct upload_via_request rq = {
        .q = j->q,
        .key = j->key,
        .spool = j->dir,
        .max_per_archive = j->max_per_archive,
        .upload =
            {
                .url = j->url,
                .ca_file = j->ca[0] ? j->ca : NULL,
                .pin = j->pin[0] ? j->pin : NULL,
                .username = j->user[0] ? j->user : NULL,
                .password = j->pass[0] ? j->pass : NULL,
                .bearer_token = j->token[0] ? j->token : NULL,
                .budget_seconds = 120, /* staff are waiting at the screen */
            },
        .cancelled = job_cancelled,
        .cancel_ctx = h,
        .data_dir = j->data_dir,
        .have_signing = j->have_signing,
        .request_dir = j->request_dir,
        /* the service's own budget is 120 s too; then some slack */
        .timeout_seconds = 300,
    };
    memcpy(rq.signing_pk, j->signing_pk, sizeof rq.signing_pk);
    struct upload_via_result res;
    if (j->via->run(&rq, &res) != 0) {
        snprintf(j->msg, sizeof j->msg, "%s", res.message);
        j->failed = true;
    }
    j->exported = res.exported;
    j->sent = res.sent;
    j->there = res.there;
    j->left = res.left;
    j->acked = res.reports;
    sodium_memzero(&rq, sizeof rq);
}

static void job_done(struct app *a, void *arg, bool cancelled)
{
    struct staff_job *j = arg;
    bool ours = j == st.job && !cancelled && a->screen == SCREEN_STAFF;
    if (j == st.job && !ours)
        st.job = NULL;   /* never left pointing at a freed job */
    if (j->kind == JOB_UPLOAD)
        staff_wifi_upload_done(a);   /* staff left meanwhile: the network goes now */
    if (ours) {
        st.job = NULL;
        refresh(a);
        st.result_bad = j->failed;
        if (j->kind == JOB_EXPORT && !j->failed) {
            /* TRANSLATORS: %d reports were written to the courier stick. */
            snprintf(st.result, sizeof st.result, _("Reports exported: %d. The stick can be taken out."),
                     (int)j->exported);
            if (j->confirmed > 0) {
                size_t n = strlen(st.result);
                snprintf(st.result + n, sizeof st.result - n, " %s",
                         /* TRANSLATORS: the helpline confirmed %d reports; deleted here. */
                         _("Confirmed by the helpline and removed from this machine:"));
                n = strlen(st.result);
                snprintf(st.result + n, sizeof st.result - n, " %d.", (int)j->confirmed);
            }
        }
        else if (j->kind == JOB_UPLOAD && !j->failed)
            snprintf(st.result, sizeof st.result, _("Reports uploaded: %d."), (int)j->acked);
        else {
            snprintf(st.result, sizeof st.result, "%s %s", _("Not finished:"), j->msg);
            if (j->kind == JOB_UPLOAD && j->left > 0) {
                size_t n = strlen(st.result);
                snprintf(st.result + n, sizeof st.result - n, " %s",
                         /* TRANSLATORS: %d archives stay for the next upload (none lost). */
                         _("Files kept for the next upload:"));
                n = strlen(st.result);
                snprintf(st.result + n, sizeof st.result - n, " %d.", j->left);
            }
        }
        go_page(a, P_MAIN);
    }
    sodium_memzero(j, sizeof(*j));
    session_free(j);
}

static void start(struct app *a, struct staff_job *j)
{
    j->q = a->queue;
    j->key = a->kiosk_key;
    j->max_per_archive = (size_t)config_get_int(a->cfg, "queue", "max_per_archive");
    st.job = j;
    st.result[0] = '\0';
    if (app_start_job(a, job_run, job_done, j) != 0) {
        st.job = NULL;
        session_free(j);
    }
}

static void copy_cfg(char *dst, size_t n, const char *v) { snprintf(dst, n, "%s", v ? v : ""); }

static void start_upload(struct app *a)
{
    /* Over Wi-Fi: once the connect under way has ended. */
    if (staff_wifi_connecting(a)) {
        st.upload_waits = true;
        return;
    }
    struct staff_job *j = session_alloc(sizeof(*j));
    if (!j)
        return;
    j->kind = JOB_UPLOAD;
    j->via = upload_via_find(config_get(a->cfg, "upload", "via"));
    if (!j->via) {
        st.result_bad = true;
        snprintf(st.result, sizeof st.result, "%s via = %s", _("Not finished:"),
                 config_get(a->cfg, "upload", "via"));
        session_free(j);
        return;
    }
    snprintf(j->dir, sizeof j->dir, "%s/outbox", a->data_dir);
    snprintf(j->request_dir, sizeof j->request_dir, "%s/upload", a->data_dir);
    snprintf(j->data_dir, sizeof j->data_dir, "%s", a->data_dir);
    j->have_signing = config_helpline_signing_key(a->cfg, j->signing_pk) == 1;
    copy_cfg(j->url, sizeof j->url, config_get(a->cfg, "upload", "url"));
    char *ca = config_path(a->cfg, "upload", "ca_file");
    copy_cfg(j->ca, sizeof j->ca, ca);
    free(ca);
    copy_cfg(j->pin, sizeof j->pin, config_get(a->cfg, "upload", "pin"));
    copy_cfg(j->user, sizeof j->user, config_get(a->cfg, "upload", "username"));
    copy_cfg(j->pass, sizeof j->pass, config_get(a->cfg, "upload", "password"));
    copy_cfg(j->token, sizeof j->token, config_get(a->cfg, "upload", "bearer_token"));
    /* Credentials must not sit in a file others can read: only the file
     * that holds them counts (a 0644 main file without any is fine). */
    if (j->user[0] || j->pass[0] || j->token[0]) {
        if (config_check_credentials(a->cfg) != 0) {
            st.result_bad = true;
            snprintf(st.result, sizeof st.result, "%s",
                     _("Not started: the configuration file holds upload credentials but others "
                       "can read it (chmod 600)."));
            sodium_memzero(j, sizeof(*j));
            session_free(j);
            return;
        }
    }
    start(a, j);
}

static void start_export(struct app *a, const struct device_info *v)
{
    struct staff_job *j = session_alloc(sizeof(*j));
    if (!j)
        return;
    j->kind = JOB_EXPORT;
    snprintf(j->dir, sizeof j->dir, "%s/hifazat-outbox", v->root);
    snprintf(j->stick, sizeof j->stick, "%s", v->root);
    snprintf(j->data_dir, sizeof j->data_dir, "%s", a->data_dir ? a->data_dir : "");
    j->have_signing = a->data_dir && config_helpline_signing_key(a->cfg, j->signing_pk) == 1;
    start(a, j);
}

/* ---- drawing */

/* A label and its value side by side; returns the height (draws nothing
 * when measuring). */
static int info_line(struct ui_ctx *ui, struct ui_rect r, const char *label, const char *value,
                     bool measure)
{
    const struct ui_theme *t = ui_theme(ui);
    /* Half for the label: Urdu labels are long, the values (ids,
     * fingerprints, numbers) short. */
    int lw = r.w / 2;
    struct ui_rect lr = ui_cut_start(ui, &r, lw);
    const struct text_block *lb = ui_text_block(ui, label, UI_FONT_SMALL, lr.w, TEXT_ALIGN_START, 0);
    /* Values (ids, fingerprints, numbers) in Latin, left to right. */
    struct text_style s;
    text_style_init(&s);
    s.size = t->font_body;
    s.dir = TEXT_DIR_LTR;
    s.max_width = r.w;
    s.align = ui_dir(ui) == TEXT_DIR_RTL ? TEXT_ALIGN_END : TEXT_ALIGN_START;
    memcpy(s.lang, "en", 3);
    const struct text_block *b = text_get(ui_text_ctx(ui), value, &s);
    /* A row is as tall as the label's ink (Nastaliq's line box is mostly
     * air above the letters) or the value: the details fit a 1024x600
     * screen in Urdu without scrolling. */
    bool ink = lb && lb->urdu && lb->ink_h;
    int h1 = !lb ? 0 : ink ? lb->ink_h : lb->height;
    int h2 = b ? b->height : 0;
    int h = h1 > h2 ? h1 : h2;
    if (!measure) {
        if (lb)
            ui_draw_block(ui, lb, lr.x, r.y + (h - h1) / 2 - (ink ? lb->ink_y : 0), t->muted);
        if (b)
            ui_draw_block(ui, b, r.x, r.y + (h - h2) / 2, t->text);
    }
    return h;
}

static void draw_export(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    page_title(ui, p, _("Export to a courier stick"), TEXT_ICON_USB);
    page_text(ui, p,
              _("Plug in the courier stick and choose it. Pending reports are written to the "
                "folder hifazat-outbox on it, sealed."),
              UI_FONT_BODY, t->text);
    /* Mounted volumes only: phones are never written to. */
    size_t n = 0;
    for (size_t i = 0; a->volumes && i < a->volumes->count; i++)
        n += a->volumes->v[i].kind == DEVICE_KIND_VOLUME;
    if (!n) {
        icon_row(ui, p->body, TEXT_ICON_CLOCK, t->muted, _("Waiting for a device..."), UI_FONT_BODY, false);
        return;
    }
    int row = (int)(88 * t->scale), gap = (int)(10 * t->scale);
    uint32_t base = ui_id("staff.export.device");
    for (size_t k = 0, i = 0; a->volumes && k < a->volumes->count && !st.job; k++) {
        const struct device_info *v = &a->volumes->v[k];
        if (v->kind != DEVICE_KIND_VOLUME)
            continue;
        char size[64], label[400];
        fmt_size(size, sizeof size, v->free_bytes);
        /* TRANSLATORS: a device's name and its free space. */
        snprintf(label, sizeof label, _("%s (free: %s)"), v->label, size);
        struct ui_button_spec b = {.label = label, .icon = TEXT_ICON_USB, .style = UI_BUTTON_SECONDARY,
                                   .disabled = v->read_only};
        struct ui_rect r = {p->body.x, p->body.y + (int)i * (row + gap), p->body.w, row};
        if (r.y + r.h > p->body.y + p->body.h)
            break;
        if (ui_button_id(ui, ui_id_index(base, (int)i), r, &b)) {
            start_export(a, v);
            go_page(a, P_MAIN);
            return;
        }
        i++;
    }
}

/* Who this kiosk is and its queue; returns the height. */
static int draw_info(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure, bool tight)
{
    const struct ui_theme *t = ui_theme(ui);
    /* Between rows, and before the queue's rows (less when space is short). */
    const int rg = tight ? 1 : t->gap / 3, sg = tight ? t->gap / 3 : t->gap;
    const int y0 = r.y;
    char buf[200];
    if (a->default_demo)
        r.y += icon_row(ui, r, TEXT_ICON_INFO, t->primary,
                        _("Demo mode: the queue is not used and nothing is saved."), UI_FONT_SMALL,
                        measure) +
               t->gap / 2;
    if (a->config_err[0])
        r.y += icon_row(ui, r, TEXT_ICON_WARNING, t->danger, a->config_err, UI_FONT_SMALL, measure) +
               t->gap / 2;
    r.y += info_line(ui, r, _("Kiosk"), a->kiosk_id[0] ? a->kiosk_id : "-", measure) + rg;
    /* The helpline registers this one (hifazat open --kiosks) after comparing
     * it over the phone: a report signed by any other key is refused. */
    if (a->kiosk_fpr[0])
        r.y += info_line(ui, r, _("Kiosk key"), a->kiosk_fpr, measure) + rg;
    r.y += info_line(ui, r, _("Helpline key"), a->helpline_fpr[0] ? a->helpline_fpr : "-", measure) +
           sg;
    if (st.have_status) {
        snprintf(buf, sizeof buf, "%zu", st.qs.count[QUEUE_PENDING]);
        r.y += info_line(ui, r, _("Waiting to be sent"), buf, measure) + rg;
        snprintf(buf, sizeof buf, "%zu", st.qs.count[QUEUE_EXPORTED]);
        r.y += info_line(ui, r, _("Exported, not yet confirmed"), buf, measure) + rg;
        snprintf(buf, sizeof buf, "%zu", st.qs.count[QUEUE_UPLOADED]);
        r.y += info_line(ui, r, _("Confirmed by the helpline"), buf, measure) + rg;
        if (st.qs.damaged) {
            snprintf(buf, sizeof buf, "%zu", st.qs.damaged);
            r.y += info_line(ui, r, _("Damaged (kept aside)"), buf, measure) + rg;
        }
        char sz[64];
        fmt_size(sz, sizeof sz, st.qs.free_bytes);
        r.y += info_line(ui, r, _("Free space"), sz, measure);
    }
    return r.y - y0;
}

/* The last action's result (or the job at work). */
static void draw_result(struct ui_ctx *ui, struct ui_rect r)
{
    const struct ui_theme *t = ui_theme(ui);
    if (st.job || st.upload_waits || st.result[0])
        icon_row(ui, r, st.job || st.upload_waits ? TEXT_ICON_CLOCK : st.result_bad ? TEXT_ICON_WARNING : TEXT_ICON_CHECK,
                 st.result_bad ? t->danger : t->primary,
                 st.job || st.upload_waits ? _("Working...") : st.result,
                 UI_FONT_SMALL, false);
}

static void saved(struct app *a, int rc)
{
    st.result_bad = rc != 0;
    snprintf(st.result, sizeof st.result, "%s", rc ? config_error(a->cfg) : _("Saved."));
}

/* Staff changed a setting (while the frame was drawn): the settings as
 * they are now, with that one to be changed in update(). */
static struct kiosk_settings *want_setting(struct app *a, unsigned what)
{
    if (!st.want_what) {
        st.want = a->settings;
        st.want.language = a->default_lang;
        st.want.idle_minutes = a->safety.idle_timeout_ms / 60000;
    }
    st.want_what |= what;
    a->dirty = true;
    return &st.want;
}

/* Saves what staff changed to the data partition's override and applies it. */
static void save_settings(struct app *a)
{
    unsigned what = st.want_what;
    st.want_what = 0;
    int rc = a->cfg && a->data_dir ? settings_save(a->cfg, &st.want, what) : 0;
    if (rc == 0) {
        struct kiosk_settings *s = &a->settings;
        if (what & SETTINGS_LANGUAGE)
            a->default_lang = s->language = st.want.language;
        if (what & SETTINGS_IDLE) {
            s->idle_minutes = st.want.idle_minutes;
            a->safety.idle_timeout_ms = s->idle_minutes * 60000;
        }
        if (what & SETTINGS_NARRATION_ENGLISH)
            s->narration_english = st.want.narration_english;
        if (what & SETTINGS_LARGE_TEXT) {
            s->large_text = st.want.large_text;
            app_apply_text_size(a);
        }
    }
    saved(a, rc);
    a->dirty = true;
}

/* Settings saved to the data partition's override: the language at the
 * start and the idle timeout on the start side, larger text and English
 * narration on the end side. */
static void draw_settings(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    page_title(ui, p, _("Settings"), TEXT_ICON_SETTINGS);
    /* The start column holds short buttons; the switches' long labels get
     * the wider end column. */
    struct ui_rect left = ui_cut_start(ui, &p->body, (p->body.w - t->pad) * 2 / 5);
    ui_cut_start(ui, &p->body, t->pad);
    struct ui_rect right = p->body;
    int bh = t->button_h, g = t->gap;
    struct ui_rect b = {left.x, left.y, left.w, bh};

    /* Default language: the two, the current one filled. */
    ui_label(ui, (struct ui_rect){b.x, b.y, b.w, 0}, _("Language at the start"), UI_FONT_SMALL,
             t->muted, TEXT_ALIGN_START);
    b.y += ui_text_height(ui, _("Language at the start"), UI_FONT_SMALL, b.w) + g / 2;
    struct ui_rect row = b;
    for (int l = 0; l < I18N_COUNT; l++) {
        struct ui_button_spec ls = {.label = i18n_native_name((enum i18n_lang)l), .icon = -1,
                                    .style = a->default_lang == (enum i18n_lang)l ? UI_BUTTON_PRIMARY
                                                                                  : UI_BUTTON_SECONDARY};
        struct ui_rect lr = ui_cut_start(ui, &row, (b.w - g) / 2);
        ui_cut_start(ui, &row, g);
        char id[32];
        snprintf(id, sizeof id, "staff.lang.%s", i18n_tag((enum i18n_lang)l));
        if (ui_button(ui, id, lr, &ls) && a->default_lang != (enum i18n_lang)l)
            want_setting(a, SETTINGS_LANGUAGE)->language = (enum i18n_lang)l;
    }
    b.y += bh + g * 2;

    /* Idle timeout in minutes. */
    int mins = a->safety.idle_timeout_ms / 60000;
    char idle[160];
    if (mins == 1)
        snprintf(idle, sizeof idle, "%s", _("Clear the screen after 1 minute without use"));
    else if (mins > 1)
        /* TRANSLATORS: the idle timeout in minutes (2 to 30). */
        snprintf(idle, sizeof idle, _("Clear the screen after %d minutes without use"), mins);
    else
        snprintf(idle, sizeof idle, "%s", _("The screen is never cleared by itself"));
    ui_label(ui, (struct ui_rect){b.x, b.y, b.w, 0}, idle, UI_FONT_SMALL, t->muted, TEXT_ALIGN_START);
    b.y += ui_text_height(ui, idle, UI_FONT_SMALL, b.w) + g / 2;
    row = b;
    struct ui_button_spec minus = {.label = "-", .icon = -1, .style = UI_BUTTON_SECONDARY,
                                   .disabled = mins <= 1};
    struct ui_button_spec plus = {.label = "+", .icon = -1, .style = UI_BUTTON_SECONDARY,
                                  .disabled = mins >= 30};
    int step = 0;
    if (ui_button(ui, "staff.idle.minus", ui_cut_start(ui, &row, (b.w - g) / 2), &minus))
        step = -1;
    ui_cut_start(ui, &row, g);
    if (ui_button(ui, "staff.idle.plus", row, &plus))
        step = 1;
    if (step)
        want_setting(a, SETTINGS_IDLE)->idle_minutes = mins + step < 1 ? 1 : mins + step;

    /* Larger text (everyone) and English narration (trainers). */
    struct ui_rect tr = {right.x, right.y, right.w, 0};
    struct {
        const char *id, *label;
        unsigned what;
        bool value;
    } sw[] = {
        {"staff.large_text", _("Larger text"), SETTINGS_LARGE_TEXT, a->settings.large_text},
        {"staff.narration_en", _("English narration (for trainers)"), SETTINGS_NARRATION_ENGLISH,
         a->settings.narration_english},
    };
    for (size_t i = 0; i < sizeof sw / sizeof sw[0]; i++) {
        bool v = sw[i].value;
        /* Tall enough for a label on two lines (Urdu on a small screen). */
        tr.h = ui_toggle_height(ui, sw[i].label, tr.w);
        if (ui_toggle(ui, sw[i].id, tr, sw[i].label, &v)) {
            struct kiosk_settings *w = want_setting(a, sw[i].what);
            if (sw[i].what == SETTINGS_LARGE_TEXT)
                w->large_text = v;
            else
                w->narration_english = v;
        }
        tr.y += tr.h + g / 3;
    }
    draw_result(ui, (struct ui_rect){right.x, tr.y + g / 2, right.w, 0});
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, true, true, &p);
    if (st.page >= P_WIFI) {
        int next = staff_wifi_draw(a, ui, &p, wifi_page());
        static const enum staff_page to[] = {[SW_STAFF] = P_MAIN, [SW_LIST] = P_WIFI,
                                             [SW_PASSWORD] = P_WIFI_PASSWORD, [SW_STATUS] = P_WIFI_STATUS};
        if (next != SW_STAY && to[next] != st.page)
            go_page(a, to[next]);
        return;
    }
    if (st.page != P_MAIN) {
        if (page_nav(ui, &p, page_exit[st.page], _("Back"), NULL, NULL, false) == NAV_BACK)
            go_page(a, P_MAIN);
        else if (st.page == P_EXPORT)
            draw_export(a, ui, &p);
        else
            draw_settings(a, ui, &p);
        return;
    }
    if (page_nav(ui, &p, page_exit[P_MAIN], _("Close"), NULL, NULL, false) == NAV_BACK) {
        app_finish(a);
        return;
    }
    {
        struct ui_button_spec off = {.label = _("Shut down"), .icon = TEXT_ICON_POWER,
                                     .style = UI_BUTTON_DANGER};
        if (ui_button(ui, "staff.shutdown", ui_cut_end(ui, &p.nav, ui_button_width(ui, &off)), &off))
            st.shutdown_dialog = true;
        ui_cut_end(ui, &p.nav, t->gap);
        struct ui_button_spec chk = {.label = _("Screen check"), .icon = TEXT_ICON_EYE,
                                     .style = UI_BUTTON_SECONDARY};
        if (ui_button(ui, "staff.check", ui_cut_end(ui, &p.nav, ui_button_width(ui, &chk)), &chk)) {
            a->staff_return = SCREEN_STAFF;
            app_go(a, SCREEN_CHECK);
            return;
        }
        /* The version between the buttons. */
        ui_cut_end(ui, &p.nav, t->gap);
        char ver[80];
        snprintf(ver, sizeof ver, "%s %s", _("Version"), HIFAZAT_VERSION);
        struct ui_rect vr = p.nav;
        vr.y += (vr.h - ui_text_height(ui, ver, UI_FONT_SMALL, vr.w)) / 2;
        ui_label(ui, vr, ver, UI_FONT_SMALL, t->muted, TEXT_ALIGN_CENTER);
    }
    page_title(ui, &p, _("Staff"), TEXT_ICON_KEY);

    struct ui_rect left = ui_cut_start(ui, &p.body, (p.body.w - t->pad) / 2);
    ui_cut_start(ui, &p.body, t->pad);
    struct ui_rect right = p.body;

    /* Start column (scrolls when Urdu on a small screen does not fit). */
    bool tight = false;
    int ih = draw_info(a, ui, left, true, tight);
    if (ih > left.h)
        ih = draw_info(a, ui, left, true, tight = true);
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "staff.info", left, ih, &st.info);
    draw_info(a, ui, (struct ui_rect){left.x, left.y - st.info.offset, left.w, ih}, false, tight);
    ui_scroll_end(ui, &sa);

    /* End column: the actions, then what the last one did. */
    int bh = t->button_h, g = t->gap;
    struct ui_rect b = {right.x, right.y, right.w, bh};
    bool q = a->queue && a->kiosk_key && !st.job;
    struct ui_button_spec ex = {.label = _("Export to a courier stick"), .icon = TEXT_ICON_USB,
                                .style = UI_BUTTON_SECONDARY, .disabled = !q};
    if (ui_button(ui, "staff.export", b, &ex)) {
        go_page(a, P_EXPORT);
        return;
    }
    b.y += bh + g;
    bool has_url = a->cfg && config_get(a->cfg, "upload", "url");
    struct ui_button_spec up = {.label = has_url ? _("Upload now") : _("Upload now (no address set)"),
                                .icon = TEXT_ICON_UPLOAD, .style = UI_BUTTON_SECONDARY,
                                .disabled = !q || !has_url};
    if (ui_button(ui, "staff.upload", b, &up))
        start_upload(a);
    b.y += bh + g;
    /* Wi-Fi when the kiosk is set up for it ([wifi] interface). */
    if (a->wifi) {
        struct ui_button_spec wf = {.label = st.radio ? _("Wi-Fi") : _("This machine has no Wi-Fi."),
                                    .icon = -1, .style = UI_BUTTON_SECONDARY, .disabled = !st.radio};
        if (ui_button(ui, "staff.wifi", b, &wf)) {
            staff_wifi_open(a);
            go_page(a, P_WIFI);
            return;
        }
        b.y += bh + g;
    }
    struct ui_button_spec se = {.label = _("Settings"), .icon = TEXT_ICON_SETTINGS,
                                .style = UI_BUTTON_SECONDARY};
    if (ui_button(ui, "staff.settings", b, &se)) {
        go_page(a, P_SETTINGS);
        return;
    }
    b.y += bh + g;
    draw_result(ui, (struct ui_rect){b.x, b.y, b.w, 0});

    if (st.shutdown_dialog) {
        enum ui_dialog_result res = ui_dialog(ui, "staff.shutdown_dialog", _("Shut down the kiosk?"),
                                              _("Reports already saved stay in the queue."),
                                              _("Shut down"), _("Cancel"));
        if (res != UI_DIALOG_OPEN)
            st.shutdown_dialog = false;
        if (res == UI_DIALOG_YES) {
            a->exit_code = APP_EXIT_SHUTDOWN;
            a->quit = true;
        }
    }
}

static void update(struct app *a)
{
    if (st.want_what)
        save_settings(a);
    if (app_take_media_events(a, APP_EV_DEVICES))
        a->dirty = true;
    if (st.upload_waits && !staff_wifi_connecting(a)) {
        st.upload_waits = false;
        start_upload(a);
    }
}

static bool event(struct app *a, const struct ui_event *e)
{
    return st.page >= P_WIFI && staff_wifi_event(a, e, wifi_page());
}

const struct screen screen_staff = {
    .name = "staff",
    .enter = enter,
    .leave = leave,
    .event = event,
    .update = update,
    .draw = draw,
    .part = part,
    .part_enter = part_enter,
};
