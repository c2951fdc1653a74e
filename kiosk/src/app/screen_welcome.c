/* Welcome: who we are in one sentence, a reassurance, and one big Start.
 * Language, quick exit, "Listen again" and the volume are on the top bar, as
 * on every screen. The spoken guidance switch is here, under Start (the
 * narration listens to screen changes through app_add_listener()).
 * Beside it, quieter, "I have a case code" for someone who made a report
 * before (screen_case_status.c). */
#include "app_internal.h"

#define START_ID "welcome.start"
#define HAVE_CODE_ID "welcome.case_code"

static void enter(struct app *a) { ui_set_focus(app_ui(a), ui_id(START_ID)); }

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    int col_w = area.w - 2 * t->pad;
    if (col_w > t->content_w)
        col_w = t->content_w;
    struct ui_rect col = ui_center(area, col_w, area.h);

    const char *title = _("Welcome");
    const char *intro = _("This machine helps stop your private pictures and videos from "
                          "spreading online. Your pictures stay on your phone. No one here will "
                          "see them.");
    const char *note = _("Your pictures are never copied or sent anywhere.");
    struct ui_button_spec start = {.label = _("Start"), .icon = ui_icon_forward(ui),
                                   .style = UI_BUTTON_PRIMARY, .icon_end = true};

    int mark = (int)(96 * t->scale);
    const struct text_block *tb = ui_text_block(ui, title, UI_FONT_TITLE, col.w, TEXT_ALIGN_CENTER, 0);
    const struct text_block *ib = ui_text_block(ui, intro, UI_FONT_BODY, col.w, TEXT_ALIGN_CENTER, 0);
    int note_icon = t->icon;
    const struct text_block *nb =
        ui_text_block(ui, note, UI_FONT_SMALL, col.w - note_icon - t->gap, TEXT_ALIGN_START, 2);
    int bw = ui_button_width(ui, &start);
    int min_bw = (int)(340 * t->scale);
    if (bw < min_bw)
        bw = min_bw;
    if (bw > col.w)
        bw = col.w;
    /* The title's line box already has air above its letters: no gap
     * after the mark, one before the text. */
    bool sound = narration_available(a->narr);
    /* Someone who made a report before: a quiet outlined button on the row
     * under Start (beside the guidance switch), never a second Start. */
    struct ui_button_spec have = {.label = _("I have a case code"), .icon = TEXT_ICON_KEY,
                                  .style = UI_BUTTON_SECONDARY};
    int hw = ui_button_width(ui, &have);
    if (hw > col.w)
        hw = col.w;
    int tw = bw + bw / 3 > col.w ? col.w : bw + bw / 3;
    bool beside = sound && tw + t->gap + hw <= col.w;
    int row_h = t->button_h;
    int total = mark + tb->height + t->gap + ib->height + 2 * t->gap + t->button_h + 2 * t->gap +
                nb->height + row_h + t->gap + (sound && !beside ? row_h + t->gap : 0);
    int y = area.y + (area.h - total) / 2;
    if (y < area.y + t->gap)
        y = area.y + t->gap;

    struct ui_image *pic = narration_step_pictogram(a->narr);
    struct ui_rect mr = {col.x + (col.w - mark) / 2, y, mark, mark};
    if (pic)
        ui_draw_image(ui, pic, mr);
    else
        ui_draw_icon(ui, TEXT_ICON_SHIELD, mr, t->primary);
    y += mark;
    ui_set_role(ui, UI_ROLE_TITLE);
    ui_draw_block(ui, tb, col.x, y, t->text);
    ui_set_role(ui, UI_ROLE_NONE);
    y += tb->height + t->gap;
    ui_draw_block(ui, ib, col.x, y, t->text);
    y += ib->height + 2 * t->gap;
    if (ui_button(ui, START_ID, (struct ui_rect){col.x + (col.w - bw) / 2, y, bw, t->button_h}, &start))
        app_next(a);
    y += t->button_h + t->gap;
    /* The row under Start: the guidance switch and "I have a case code"
     * side by side (in reading order), or one under the other. */
    int rw = beside ? tw + t->gap + hw : (sound ? tw : hw);
    struct ui_rect row1 = {col.x + (col.w - rw) / 2, y, rw, row_h};
    struct ui_rect hr = {col.x + (col.w - hw) / 2, y, hw, row_h};
    if (sound) {
        /* Spoken guidance on or off for this person (back to the kiosk's
         * default after them). */
        bool on = narration_is_on(a->narr);
        struct ui_rect tr = ui_cut_start(ui, &row1, tw);
        if (!beside)
            tr = (struct ui_rect){col.x + (col.w - tw) / 2, y, tw, row_h};
        if (ui_toggle(ui, "welcome.audio", tr, _("Spoken guidance"), &on))
            narration_set_on(a->narr, on);
        if (beside) {
            ui_cut_start(ui, &row1, t->gap);
            hr = row1;
        } else {
            y += row_h + t->gap;
            hr.y = y;
        }
    }
    if (ui_button(ui, HAVE_CODE_ID, hr, &have)) {
        session_begin(&a->session, a->default_demo);
        app_go(a, SCREEN_CASE_STATUS);
    }
    y += row_h + t->gap;
    y += t->gap;

    /* The reassurance line: a lock and one short sentence, centred as a group. */
    int nw = nb->text_width + note_icon + t->gap / 2;
    struct ui_rect row = {col.x + (col.w - nw) / 2, y, nw, nb->height};
    struct ui_rect ir = ui_cut_start(ui, &row, note_icon);
    ui_cut_start(ui, &row, t->gap / 2);
    int iy = nb->nlines == 1 && nb->ink_h ? y + nb->ink_y + nb->ink_h / 2 - note_icon / 2
                                          : y + nb->baseline - note_icon;
    ui_draw_icon(ui, TEXT_ICON_LOCK, (struct ui_rect){ir.x, iy, note_icon, note_icon}, t->muted);
    int minx = nb->width;
    for (int i = 0; i < nb->nlines; i++)
        if (nb->lines[i].x < minx)
            minx = nb->lines[i].x;
    ui_draw_block(ui, nb, row.x - minx, y, t->muted);
}

const struct screen screen_welcome = {
    .name = "welcome",
    .enter = enter,
    .draw = draw,
};
