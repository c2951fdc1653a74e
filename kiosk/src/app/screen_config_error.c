/* For staff: the kiosk cannot take reports because its configuration is
 * missing or wrong (no file, a bad setting, no helpline key, the queue
 * cannot be opened...). It says so in plain words to a person who walks up,
 * gives staff the exact reason, and tries again on request; never a crash,
 * never a kiosk that fingerprints for nothing.
 * A changed helpline key (app.helpline_changed) is shown here too, with the
 * remembered and the new fingerprints, and a button for staff to confirm
 * the new key with the staff PIN.
 * So is a boot the image's own-stick check refused (app.boot_problem):
 * another Hifazat stick is plugged in; staff are told which one to unplug. */
#include "screen_util.h"

static struct ui_scroll scroll;

static void enter(struct app *a)
{
    scroll = (struct ui_scroll){0};
    ui_set_focus(a->ui, ui_id("config_error.retry"));
}

static void retry(struct app *a)
{
    if (app_config_load(a) == 0) {
        /* The settings the command line did not fix come from the new
         * file, all of them (app_finish() starts narration from them). */
        app_settings_load(a);
        app_apply_text_size(a);
        app_finish(a);   /* a fresh start on the welcome screen */
    }
    a->dirty = true;
}

static void confirm_key(struct app *a)
{
    app_go(a, SCREEN_STAFF_PIN);
    a->pin_confirms_key = true; /* after app_go: leaving the PIN screen clears it */
    a->dirty = true;
}

/* A label in the UI's language at the start of a row, the fingerprint at its
 * end, left to right even in Urdu (letters and digits staff read out). */
static void fpr_row(struct ui_ctx *ui, struct page *p, const char *label, const char *fpr)
{
    const struct ui_theme *t = ui_theme(ui);
    struct text_style s;
    text_style_init(&s);
    s.size = t->font_body;
    s.dir = TEXT_DIR_LTR;
    memcpy(s.lang, "en", 3);
    const struct text_block *b = text_get(ui_text_ctx(ui), fpr, &s);
    int fw = b ? b->text_width : 0;
    int lw = p->body.w - fw - t->gap;
    int lh = ui_text_height(ui, label, UI_FONT_SMALL, lw);
    int h = b && b->height > lh ? b->height : lh;
    struct ui_rect r = ui_cut_top(&p->body, h + t->gap / 4);
    bool rtl = ui_dir(ui) == TEXT_DIR_RTL;
    struct ui_rect lr = {rtl ? r.x + r.w - lw : r.x, r.y + (h - lh) / 2, lw, lh};
    ui_label(ui, lr, label, UI_FONT_SMALL, t->muted, TEXT_ALIGN_START);
    if (b)
        ui_draw_block(ui, b, rtl ? r.x : r.x + r.w - fw, r.y + (h - b->height) / 2, t->text);
}

/* A staff-facing page: the title, the line for the person who walked up,
 * and a card with what staff should do; returns the card's inside (more
 * rows go there). */
static struct page staff_card(struct ui_ctx *ui, struct page *p, const char *title, int icon,
                              const char *for_staff)
{
    const struct ui_theme *t = ui_theme(ui);
    page_title(ui, p, title, icon);
    page_text(ui, p, _("Please ask a staff member for help. Nothing has been saved."), UI_FONT_BODY,
              t->text);
    ui_cut_top(&p->body, t->gap / 2);
    draw_card(ui, p->body);
    struct page in = *p;
    in.body = ui_inset(p->body, t->pad / 2);
    page_text(ui, &in, for_staff, UI_FONT_SMALL, t->text);
    return in;
}

static void draw_key_changed(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    struct page p;
    page_begin(ui, area, false, true, &p);
    enum nav_action nav = page_nav(ui, &p, "config_error.retry", _("Try again"), "config_error.confirm_key",
                                   _("Staff: confirm the new key"), false);
    if (nav == NAV_BACK) {
        retry(a);
        return;
    }
    if (nav == NAV_NEXT) {
        confirm_key(a);
        return;
    }
    struct page in = staff_card(ui, &p, _("This machine is not ready"), TEXT_ICON_KEY,
                                _("For staff: this kiosk's helpline key changed. Reports are sealed to "
                                  "this key, so nothing is taken until staff confirm it. Compare the "
                                  "new fingerprint with the one the helpline gave you; if they differ, "
                                  "do not confirm: re-provision the stick."));
    fpr_row(ui, &in, _("Set up with:"), a->pinned_fpr[0] ? a->pinned_fpr : _("unknown (its record is damaged)"));
    fpr_row(ui, &in, _("Now configured:"), a->helpline_fpr);
}

static void draw_boot_problem(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "config_error.retry", _("Try again"), false) == NAV_NEXT) {
        retry(a);
        return;
    }
    bool twin = a->boot_problem == APP_BOOT_TWIN;
    staff_card(ui, &p, twin ? _("Another Hifazat stick is plugged in") : _("This machine is not ready"),
               TEXT_ICON_USB,
               twin ? _("For staff: two Hifazat sticks with the same identity are plugged in (copies of "
                       "one image that were never provisioned). Unplug the other Hifazat stick, not "
                       "the one this computer started from, then switch the computer off and on. "
                       "Provision every stick so that each has an identity of its own.")
                   : _("For staff: this computer started from one stick, but the kiosk's system came "
                       "from another. Unplug every other USB stick, then switch the computer off and "
                       "on."));
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    if (a->helpline_changed) {
        draw_key_changed(a, ui, area);
        return;
    }
    if (a->boot_problem != APP_BOOT_OK) {
        draw_boot_problem(a, ui, area);
        return;
    }
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "config_error.retry", _("Try again"), false) == NAV_NEXT) {
        retry(a);
        return;
    }
    page_title(ui, &p, _("This machine is not ready"), TEXT_ICON_WARNING);
    page_text(ui, &p, _("Please ask a staff member for help. Nothing has been saved."), UI_FONT_BODY,
              t->text);
    ui_cut_top(&p.body, t->gap / 2);

    /* For staff: the exact reason (English, from the configuration check). */
    const char *how = _("For staff: fix the configuration file (/etc/hifazat/kiosk.conf, or "
                        "kiosk.conf on the data partition), then press Try again. The example "
                        "kiosk.conf.example explains every setting.");
    int hh = ui_text_height(ui, how, UI_FONT_SMALL, p.body.w);
    struct ui_rect hr = ui_cut_bottom(&p.body, hh);
    ui_label(ui, hr, how, UI_FONT_SMALL, t->muted, TEXT_ALIGN_START);
    ui_cut_bottom(&p.body, t->gap);
    draw_card(ui, p.body);
    struct ui_rect in = ui_inset(p.body, t->pad / 2);
    struct text_style s;
    text_style_init(&s);
    s.size = t->font_small;
    s.dir = TEXT_DIR_LTR;
    s.max_width = in.w;
    memcpy(s.lang, "en", 3);
    const struct text_block *b = text_get(ui_text_ctx(ui), a->config_err[0] ? a->config_err : "-", &s);
    ui_clip_push(ui, in);
    if (b)
        ui_draw_block(ui, b, in.x, in.y, t->danger);
    ui_clip_pop(ui);
}

const struct screen screen_config_error = {
    .name = "config_error",
    .enter = enter,
    .draw = draw,
};
