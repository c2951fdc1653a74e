/* Step 4, connect your device: phones by cable and the removable devices
 * mounted under the media root, by name and size, updated live as one is
 * plugged in or taken out. Choosing one opens it on "Choose". A phone that
 * cannot be read yet (charging only, locked, not answering) is shown
 * greyed with what to do. Nothing is ever written to a device. Staff
 * courier sticks are left out (volume_is_courier). */
#include "screen_util.h"

#include <stdio.h>

static struct ui_scroll scroll;

static void enter(struct app *a)
{
    scroll = (struct ui_scroll){0};
    ui_set_focus(app_ui(a), ui_id_index(ui_id("connect.device"), 0));
}

static void update(struct app *a)
{
    /* The list itself is the app's (refreshed on every change). */
    app_take_media_events(a, APP_EV_DEVICES);
}

static void choose(struct app *a, const struct device_info *v)
{
    if (session_set_volume(&a->session, v->id, v->root, volume_name(a, v)) != 0)
        return;
    app_next(a);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, "connect.back", _("Back"), NULL, NULL, false) == NAV_BACK) {
        app_back(a);
        return;
    }
    page_title(ui, &p, _("Connect your phone or memory card"), TEXT_ICON_USB);
    page_text(ui, &p,
              _("Plug your phone's memory card or your USB stick into this computer. If you use a "
                "phone cable, choose \"File transfer\" on your phone when it asks."),
              UI_FONT_BODY, t->text);

    /* The reassurance stays at the bottom of the body. */
    const char *safe = _("We only read from your device. Nothing on it is changed.");
    int sh = icon_row(ui, p.body, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, true);
    struct ui_rect sr = ui_cut_bottom(&p.body, sh);
    icon_row(ui, sr, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, false);
    ui_cut_bottom(&p.body, t->gap);

    /* The person's devices: phones, and every volume but a staff courier stick. */
    const struct device_info *shown[64];
    size_t n = 0;
    for (size_t i = 0; a->volumes && i < a->volumes->count && n < 64; i++)
        if (!volume_is_courier(&a->volumes->v[i]))
            shown[n++] = &a->volumes->v[i];
    if (n == 0) {
        struct ui_rect box = p.body;
        draw_card(ui, box);
        int isz = (int)(72 * t->scale);
        const char *wait = _("Waiting for a device...");
        const struct text_block *b = ui_text_block(ui, wait, UI_FONT_BODY, box.w - 2 * t->pad,
                                                   TEXT_ALIGN_CENTER, 0);
        int h = isz + t->gap + (b ? b->height : 0);
        int y = box.y + (box.h - h) / 2;
        ui_draw_icon(ui, TEXT_ICON_CARD, (struct ui_rect){box.x + (box.w - isz) / 2, y, isz, isz},
                     t->muted);
        ui_draw_block(ui, b, box.x + t->pad, y + isz + t->gap, t->muted);
        return;
    }

    /* One large button per device: its name, size and a device icon. */
    int row = (int)(96 * t->scale), gap = (int)(12 * t->scale);
    int content = (int)n * row + ((int)n - 1) * gap;
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "connect.list", p.body, content, &scroll);
    uint32_t base = ui_id("connect.device");
    for (size_t i = 0; i < n; i++) {
        const struct device_info *v = shown[i];
        struct ui_rect r = {p.body.x, p.body.y + (int)i * (row + gap) - scroll.offset, p.body.w, row};
        uint32_t id = ui_id_index(base, (int)i);
        ui_scroll_follow_focus(ui, &scroll, id, (int)i * (row + gap), row);
        char size[64], label[400];
        const char *why = device_state_text(v->state);
        fmt_size(size, sizeof size, v->total_bytes);
        if (why)
            snprintf(label, sizeof label, "%s: %s", volume_name(a, v), why);
        else
            snprintf(label, sizeof label, "%s  (%s)", volume_name(a, v), size);
        const bool phone = v->kind != DEVICE_KIND_VOLUME;
        struct ui_button_spec b = {.label = label,
                                   .icon = a->default_demo || phone ? TEXT_ICON_PHONE : TEXT_ICON_CARD,
                                   .style = UI_BUTTON_SECONDARY, .disabled = why != NULL};
        if (ui_button_id(ui, id, r, &b)) {
            choose(a, v);
            break;
        }
    }
    ui_scroll_end(ui, &sa);
}

const struct screen screen_connect = {
    .name = "connect",
    .enter = enter,
    .update = update,
    .draw = draw,
};
