/* Step 10, finish: the session's choices, fingerprints, thumbnails and
 * receipt are wiped as this screen opens; it asks the person to take their
 * device (and says when it is gone), then Finish returns to the start for
 * the next person (the idle timeout does the same if they just leave). */
#include "screen_util.h"

#include <sodium.h>
#include <string.h>

static void enter(struct app *a)
{
    struct session *s = &a->session;
    /* Everything but the device's id (to see it taken out) goes now. */
    session_clear_items(s);
    sodium_memzero(&s->receipt, sizeof s->receipt);
    s->have_receipt = false;
    media_wipe(a->media);
    ui_set_focus(a->ui, ui_id("finish.done"));
}

static void update(struct app *a)
{
    if (app_take_media_events(a, MEDIA_EV_VOLUMES))
        a->dirty = true;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "finish.done", _("Finish"), false) == NAV_NEXT) {
        app_finish(a);
        return;
    }
    page_title(ui, &p, _("Thank you"), TEXT_ICON_SHIELD);
    bool here = app_volume(a, a->session.volume_id) != NULL;
    struct ui_rect r = p.body;
    int h = icon_row(ui, r, here ? TEXT_ICON_USB : TEXT_ICON_CHECK, t->primary,
                     here ? _("You can now take out your memory card or USB stick.")
                          : _("Your device has been taken out."),
                     UI_FONT_BODY, false);
    r.y += h + t->gap;
    h = icon_row(ui, r, TEXT_ICON_LOCK, t->primary,
                 _("Everything about your visit has been cleared from this machine: the pictures "
                   "you chose, their fingerprints and your case code."),
                 UI_FONT_BODY, false);
    r.y += h + t->gap;
    icon_row(ui, r, TEXT_ICON_HELP, t->primary,
             _("If you are worried or need to talk to someone, the staff here can help, or you can "
               "call the free helpline."),
             UI_FONT_BODY, false);
}

const struct screen screen_finish = {
    .name = "finish",
    .enter = enter,
    .update = update,
    .draw = draw,
};
