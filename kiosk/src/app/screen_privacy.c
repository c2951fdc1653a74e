/* Before you start: what happens to the pictures, in one calm paragraph
 * (it scrolls on small screens), then Back / Next. */
#include "app_internal.h"

#define NEXT_ID "privacy.next"
#define BACK_ID "privacy.back"

static struct ui_scroll scroll;

static void enter(struct app *a)
{
    scroll = (struct ui_scroll){0};
    ui_set_focus(app_ui(a), ui_id(NEXT_ID));
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    int col_w = area.w - 2 * t->pad;
    if (col_w > t->content_w)
        col_w = t->content_w;
    struct ui_rect col = ui_center(ui_inset(area, t->pad), col_w, area.h - 2 * t->pad);

    struct ui_button_spec back = {.label = _("Back"), .icon = ui_icon_back(ui),
                                  .style = UI_BUTTON_SECONDARY};
    struct ui_button_spec next = {.label = _("Next"), .icon = ui_icon_forward(ui),
                                  .style = UI_BUTTON_PRIMARY, .icon_end = true};
    struct ui_rect row = ui_cut_bottom(&col, t->button_h);
    ui_cut_bottom(&col, t->gap);
    int bw = ui_button_width(ui, &back), nw = ui_button_width(ui, &next);
    int min_w = (int)(220 * t->scale);
    if (ui_button(ui, BACK_ID, ui_cut_start(ui, &row, bw > min_w ? bw : min_w), &back))
        app_back(a);
    if (ui_button(ui, NEXT_ID, ui_cut_end(ui, &row, nw > min_w ? nw : min_w), &next))
        app_next(a);

    int th = ui_label(ui, col, _("Before you start"), UI_FONT_TITLE, t->text, TEXT_ALIGN_START);
    ui_cut_top(&col, th + t->gap / 2);
    ui_paragraph(ui, "privacy.text", col,
                 _("Choose the pictures and videos on your phone that worry you. This "
                   "machine makes a digital fingerprint of each one. In English this is called "
                   "a hash. The picture cannot be made again from its fingerprint. Your "
                   "pictures are not copied, saved or sent anywhere. Only the fingerprints go "
                   "to the helpline, sealed, so that websites can find and remove copies. It "
                   "takes about 5 to 10 minutes. For help, call the free helpline 0800-39393. "
                   "To stop at any time, press Quick exit at the top."),
                 UI_FONT_BODY, &scroll);
}

const struct screen screen_privacy = {
    .name = "privacy",
    .enter = enter,
    .draw = draw,
};
