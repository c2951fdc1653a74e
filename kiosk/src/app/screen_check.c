/* Screen check, for help-desk staff setting up a machine: every widget of
 * the toolkit with real strings, so touch, keys, scrolling, Urdu text and
 * the display can be checked before anyone uses the kiosk
 * (hifazat-kiosk --screen check). The toggle marks where the screen was
 * last touched, to check a touch panel's calibration. The thumbnails are
 * drawn here, not read. */
#include "app_internal.h"

#include <stdlib.h>
#include <string.h>

#define NTHUMBS 10

static struct {
    struct ui_image *thumbs[NTHUMBS];
    bool selected[NTHUMBS];
    bool mark_touch;
    bool touched;
    int tx, ty;
    int choice;
    bool dialog;
    struct ui_scroll list_scroll, grid_scroll;
} st;

/* Calm synthetic pictures: a sky gradient, a hill and a sun. */
static struct ui_image *make_thumb(struct ui_ctx *ui, int i)
{
    const int w = 160, h = 120;
    uint8_t *px = malloc((size_t)w * h * 4);
    if (!px)
        return NULL;
    static const uint32_t sky[] = {0x9CC9E0, 0xF2C1A0, 0xB9D7B0, 0xC9B8E0, 0xA8D8D0};
    uint32_t c = sky[i % 5];
    int hill = h * (55 + 7 * (i % 4)) / 100;
    int sx = w * (20 + 13 * (i % 5)) / 100, sy = h / 4, sr = h / 9;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 4;
            int r = (int)(c >> 16 & 255), g = (int)(c >> 8 & 255), b = (int)(c & 255);
            int f = 100 - 35 * y / h;
            r = r * f / 100 + 60 * (100 - f) / 100;
            g = g * f / 100 + 60 * (100 - f) / 100;
            b = b * f / 100 + 80 * (100 - f) / 100;
            int wave = hill + (int)(8 * ((x * 7 + i * 13) % 40 - 20) / 20);
            if (y > wave) {
                r = 70 + 10 * (i % 3);
                g = 120 + 12 * (i % 4);
                b = 80;
            } else if ((x - sx) * (x - sx) + (y - sy) * (y - sy) <= sr * sr) {
                r = 250;
                g = 236;
                b = 170;
            }
            p[0] = (uint8_t)r;
            p[1] = (uint8_t)g;
            p[2] = (uint8_t)b;
            p[3] = 255;
        }
    }
    struct ui_image *img = ui_image_create(ui, w, h, px);
    free(px);
    return img;
}

static void enter(struct app *a)
{
    struct ui_ctx *ui = app_ui(a);
    memset(&st, 0, sizeof st);
    st.choice = -1;
    for (int i = 0; i < NTHUMBS; i++)
        st.thumbs[i] = make_thumb(ui, i);
    st.selected[1] = st.selected[4] = true;
    st.mark_touch = true;
    ui_set_focus(ui, ui_id("check.back"));
}

static void leave(struct app *a)
{
    for (int i = 0; i < NTHUMBS; i++)
        ui_image_destroy(app_ui(a), st.thumbs[i]);
    memset(&st, 0, sizeof st);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct ui_rect in = ui_inset(area, t->pad);

    struct ui_button_spec back = {.label = _("Back"), .icon = ui_icon_back(ui),
                                  .style = UI_BUTTON_SECONDARY};
    struct ui_button_spec msg = {.label = _("Show a message"), .icon = TEXT_ICON_INFO,
                                 .style = UI_BUTTON_PRIMARY};
    struct ui_rect row = ui_cut_bottom(&in, t->button_h);
    ui_cut_bottom(&in, t->gap);
    if (ui_button(ui, "check.back", ui_cut_start(ui, &row, ui_button_width(ui, &back)), &back))
        app_back(a);
    if (ui_button(ui, "check.message", ui_cut_end(ui, &row, ui_button_width(ui, &msg)), &msg))
        st.dialog = true;

    int th = ui_label(ui, in, _("Screen check"), UI_FONT_TITLE, t->text, TEXT_ALIGN_START);
    ui_cut_top(&in, th + t->gap / 2);

    /* Two columns: controls at the start, pictures at the end. */
    struct ui_rect left = ui_cut_start(ui, &in, (in.w - t->pad) / 2);
    ui_cut_start(ui, &in, t->pad);
    struct ui_rect right = in;

    char label[256];
    /* TRANSLATORS: progress; the first number is done, the second the total.
       Reorder with %1$d and %2$d. */
    snprintf(label, sizeof label, _("Making picture codes: %d of %d"), 5, 12);
    int ph = ui_text_height(ui, label, UI_FONT_BODY, left.w) + (int)(24 * t->scale);
    ui_progress(ui, ui_cut_top(&left, ph), 5.0f / 12.0f, label);
    ui_cut_top(&left, t->gap);
    int toggle_h = (int)(84 * t->scale);
    if (toggle_h < t->touch)
        toggle_h = t->touch;
    ui_toggle(ui, "check.touch", ui_cut_top(&left, toggle_h), _("Mark where the screen is touched"),
              &st.mark_touch);
    ui_cut_top(&left, t->gap);
    const char *items[] = {_("Under 18"), _("18 or older"), _("Not sure")};
    ui_list(ui, "check.age", left, items, 3, &st.choice, &st.list_scroll);

    struct ui_grid_item grid[NTHUMBS];
    for (int i = 0; i < NTHUMBS; i++)
        grid[i] = (struct ui_grid_item){.image = st.thumbs[i], .selected = st.selected[i],
                                        .video = i % 4 == 2};
    int hit = ui_grid(ui, "check.grid", right, grid, NTHUMBS, &st.grid_scroll);
    if (hit >= 0)
        st.selected[hit] = !st.selected[hit];

    if (st.mark_touch && st.touched) {
        int r = (int)(22 * t->scale);
        struct ui_rect m = {st.tx - r, st.ty - r, 2 * r, 2 * r};
        ui_frame(ui, m, t->focus, r, (int)(4 * t->scale) + 1);
        ui_fill(ui, ui_center(m, 6, 6), t->focus, 3);
    }

    if (st.dialog) {
        enum ui_dialog_result r =
            ui_dialog(ui, "check.dialog", _("Stop now?"),
                      _("Everything you did here will be erased."), _("Yes, stop"),
                      _("No, go on"));
        if (r != UI_DIALOG_OPEN)
            st.dialog = false;
        if (r == UI_DIALOG_YES)
            app_back(a);
    }
}

/* Sees every press before the UI does (and lets the UI have it too). */
static bool event(struct app *a, const struct ui_event *e)
{
    (void)a;
    if (e->kind == UI_EV_POINTER_DOWN) {
        st.touched = true;
        st.tx = e->x;
        st.ty = e->y;
    }
    return false;
}

const struct screen screen_check = {
    .name = "check",
    .enter = enter,
    .leave = leave,
    .event = event,
    .draw = draw,
};
