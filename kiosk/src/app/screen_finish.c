/* Step 10, finish: the session's choices, fingerprints, thumbnails and
 * receipt are wiped as this screen opens; it asks the person to take their
 * device (and says when it is gone), then Finish returns to the start for
 * the next person (the idle timeout does the same if they just leave). */
#include "screen_util.h"

#include <sodium.h>
#include <string.h>

static struct ui_scroll scroll;

static void enter(struct app *a)
{
    scroll = (struct ui_scroll){0};
    struct session *s = &a->session;
    /* Everything but the device's id (to see it taken out) goes now. */
    session_clear_items(s);
    sodium_memzero(&s->receipt, sizeof s->receipt);
    s->have_receipt = false;
    media_wipe(a->media);
    devices_wipe(a->devices);   /* the names the device layer learnt from a phone */
    ui_set_focus(a->ui, ui_id("finish.done"));
}

static void update(struct app *a)
{
    if (app_take_media_events(a, APP_EV_DEVICES))
        a->dirty = true;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, true, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "finish.done", _("Finish"), false) == NAV_NEXT) {
        app_finish(a);
        return;
    }
    page_title(ui, &p, _("Thank you"), TEXT_ICON_SHIELD);
    const char *help = _("If you are worried or need to talk to someone, the staff here can help, or "
                         "you can call one of these helplines:");
    /* Start column: the device, the wipe. End column: where to get help,
     * every helpline in view: their notes, the sentence in body type and
     * half the width only when there is room for them all (the demo
     * banner takes some). */
    enum ui_font hf = UI_FONT_BODY;
    bool notes = true;
    int hw = (p.body.w - t->pad) / 2, hh = 0, rh = 0;
    for (int step = 0; step < 4; step++) {
        if (step == 1)
            notes = false;
        else if (step == 2)
            hf = UI_FONT_SMALL;
        else if (step == 3)
            hw = (p.body.w - t->pad) * 3 / 5;
        hh = ui_text_height(ui, help, hf, hw);
        rh = draw_helplines(a, ui, (struct ui_rect){0, 0, hw, 0}, notes, true);
        if (hh + t->gap + rh <= p.body.h)
            break;
    }
    struct ui_rect right = ui_cut_end(ui, &p.body, hw);
    ui_cut_end(ui, &p.body, t->pad);
    struct ui_rect left = p.body;
    bool here = app_volume(a, a->session.volume_id) != NULL;
    bool phone = a->session.volume_kind != DEVICE_KIND_VOLUME;
    struct ui_rect r = left;
    int h = icon_row(ui, r, here ? (phone ? TEXT_ICON_PHONE : TEXT_ICON_USB) : TEXT_ICON_CHECK, t->primary,
                     !here   ? _("Your device has been taken out.")
                     : phone ? _("You can now unplug your phone.")
                             : _("You can now take out your memory card or USB stick."),
                     UI_FONT_BODY, false);
    r.y += h + t->gap;
    /* Demo mode never queues: no report waits for the helpline. */
    icon_row(ui, r, TEXT_ICON_LOCK, t->primary,
             a->session.demo ? _("This was practice: nothing was saved or sent. Your choices have been "
                                 "erased from this machine.")
                             : _("Your choices have been erased from this machine. The pictures on "
                                 "your phone or card are untouched. Your sealed report is waiting "
                                 "for the helpline."),
             UI_FONT_BODY, false);

    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "finish.referrals", right, hh + t->gap + rh, &scroll);
    int y = right.y - scroll.offset;
    ui_label(ui, (struct ui_rect){right.x, y, right.w, hh}, help, hf, t->text, TEXT_ALIGN_START);
    draw_helplines(a, ui, (struct ui_rect){right.x, y + hh + t->gap, right.w, rh}, notes, false);
    ui_scroll_end(ui, &sa);
}

const struct screen screen_finish = {
    .name = "finish",
    .enter = enter,
    .update = update,
    .draw = draw,
};
