/* Step 2, how it works: what happens to the pictures, what happens next and
 * what this cannot do, as short points with an icon each (they scroll on
 * small screens), then Back / Next. */
#include "screen_util.h"

#define NEXT_ID "privacy.next"
#define BACK_ID "privacy.back"

static struct ui_scroll scroll;

static void enter(struct app *a)
{
    scroll = (struct ui_scroll){0};
    ui_set_focus(app_ui(a), ui_id(NEXT_ID));
}

struct point {
    int icon;
    const char *text;
};

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    switch (page_nav(ui, &p, BACK_ID, _("Back"), NEXT_ID, _("I understand"), false)) {
    case NAV_BACK: app_back(a); return;
    case NAV_NEXT: app_next(a); return;
    default: break;
    }
    page_title(ui, &p, _("How it works"), -1);

    const struct point pts[] = {
        {TEXT_ICON_LOCK, _("Your pictures stay on your phone. They are not copied, saved or sent "
                           "anywhere.")},
        {TEXT_ICON_FINGERPRINT,
         _("This machine makes a secret code of each picture or video you choose. The code is "
           "not the picture: the picture cannot be made again from its code.")},
        {TEXT_ICON_EYE, _("No one here sees your pictures. On the screen they stay blurred, unless "
                          "you press and hold one.")},
        {TEXT_ICON_UPLOAD,
         _("What happens next: the picture codes are sealed and sent to the helpline. Websites "
           "and apps that take part use them to find copies and remove them.")},
        {TEXT_ICON_INFO,
         _("What it cannot do: it cannot delete pictures from anyone's phone or from private chats "
           "such as WhatsApp, and it may not find a copy that was cut or changed a lot.")},
        {TEXT_ICON_HELP, _("To stop at any time, press Leave now at the top. What you chose "
                           "here is erased from this machine at once.")},
    };
    const int n = (int)(sizeof pts / sizeof pts[0]);
    int gap = t->gap;
    int total = 0;
    for (int i = 0; i < n; i++)
        total += icon_row(ui, p.body, pts[i].icon, t->primary, pts[i].text, UI_FONT_BODY, true) +
                 (i + 1 < n ? gap : 0);
    struct ui_scroll_area sa;
    struct ui_rect view = p.body;
    ui_scroll_begin(ui, &sa, "privacy.points", view, total, &scroll);
    int y = view.y - scroll.offset;
    for (int i = 0; i < n; i++) {
        struct ui_rect r = {view.x, y, view.w, view.h};
        y += icon_row(ui, r, pts[i].icon, t->primary, pts[i].text, UI_FONT_BODY, false) + gap;
    }
    ui_scroll_end(ui, &sa);
}

const struct screen screen_privacy = {
    .name = "privacy",
    .enter = enter,
    .draw = draw,
};
