/* Widgets: each registers its touch/focus rect, draws with commands and
 * reports what the person did. */
#include "ui_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct wstate {
    bool hot, down, focused, clicked;
};

static int S(const struct ui_ctx *ui, float v) { return (int)lroundf(v * ui->theme.scale); }
static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

static struct wstate interact(struct ui_ctx *ui, uint32_t id, struct ui_rect r, uint8_t flags)
{
    struct wstate s = {0};
    ui_add_hit(ui, id, r, flags);
    s.clicked = ui_take_click(ui, id);
    s.hot = ui->hot == id;
    s.down = ui->active == id && ui->pdown;
    s.focused = ui->focus == id;
    return s;
}

static bool show_ring(const struct ui_ctx *ui, const struct wstate *s)
{
    return s->focused && ui->focus_visible;
}

/* ---- buttons */

enum text_icon ui_icon_forward(const struct ui_ctx *ui)
{
    return ui->dir == TEXT_DIR_RTL ? TEXT_ICON_ARROW_LEFT : TEXT_ICON_ARROW_RIGHT;
}

enum text_icon ui_icon_back(const struct ui_ctx *ui)
{
    return ui->dir == TEXT_DIR_RTL ? TEXT_ICON_ARROW_RIGHT : TEXT_ICON_ARROW_LEFT;
}

static int button_hpad(const struct ui_ctx *ui) { return S(ui, 28); }
static int button_icon(const struct ui_ctx *ui) { return ui->theme.icon; }

int ui_button_width(struct ui_ctx *ui, const struct ui_button_spec *b)
{
    int w = 2 * button_hpad(ui);
    const struct text_block *tb =
        b->label && *b->label ? ui_text_block(ui, b->label, UI_FONT_BUTTON, 0, TEXT_ALIGN_START, 1)
                              : NULL;
    if (tb)
        w += tb->text_width;
    if (b->icon >= 0)
        w += button_icon(ui) + (tb ? S(ui, 14) : 0);
    return imax(w, ui->theme.touch);
}

static bool button_impl(struct ui_ctx *ui, uint32_t id, struct ui_rect r,
                        const struct ui_button_spec *b)
{
    const struct ui_theme *t = &ui->theme;
    struct wstate s = interact(ui, id, r, b->disabled ? 0 : HIT_CLICK | HIT_FOCUS);
    if (b->disabled)
        s.clicked = false;
    else
        ui_voice_widget(ui, id, b->voice ? b->voice : b->label, s.clicked);

    ui_color bg, fg, border = 0;
    switch (b->style) {
    case UI_BUTTON_SECONDARY:
        bg = s.down ? t->selected : s.hot ? 0xFFEFF5F3u : t->surface;
        fg = t->primary;
        border = t->primary;
        break;
    case UI_BUTTON_DANGER:
        bg = s.down ? t->danger_down : s.hot ? t->danger_hover : t->danger;
        fg = t->on_danger;
        break;
    case UI_BUTTON_BAR:
        bg = s.down ? t->bar : s.hot ? t->bar_button_hover : t->bar_button;
        fg = t->on_bar;
        border = 0x66FFFFFFu;
        break;
    default:
        bg = s.down ? t->primary_down : s.hot ? t->primary_hover : t->primary;
        fg = t->on_primary;
        break;
    }
    if (b->disabled) {
        bg = t->disabled;
        fg = t->on_disabled;
        border = 0;
    }
    int radius = t->radius;
    ui_fill(ui, r, bg, radius);
    if (border)
        ui_frame(ui, r, border, radius, t->border_w);

    /* Icon and label centred as a group; the icon sits at the reading start
     * unless it points forward (icon_end). */
    int hp = button_hpad(ui), isz = button_icon(ui), ig = S(ui, 14);
    int avail = r.w - 2 * hp - (b->icon >= 0 ? isz + ig : 0);
    const struct text_block *tb = NULL;
    if (b->label && *b->label && avail > 0)
        tb = ui_text_block(ui, b->label, UI_FONT_BUTTON, avail, TEXT_ALIGN_START, 1);
    int tw = tb && tb->nlines ? tb->lines[0].width : 0;
    int group = tw + (b->icon >= 0 ? isz + (tw ? ig : 0) : 0);
    int gx = r.x + (r.w - group) / 2;
    bool icon_left = (ui->dir == TEXT_DIR_LTR) != b->icon_end;
    int tx = gx, ix = gx;
    if (b->icon >= 0) {
        if (icon_left)
            tx = gx + isz + (tw ? ig : 0);
        else
            ix = gx + tw + (tw ? ig : 0);
        ui_draw_icon(ui, (enum text_icon)b->icon, (struct ui_rect){ix, r.y + (r.h - isz) / 2, isz, isz}, fg);
    }
    if (tb && tb->nlines)
        ui_draw_block_vcenter(ui, tb, tx - tb->lines[0].x, r, fg);
    if (show_ring(ui, &s))
        ui_focus_ring(ui, r, radius);
    return s.clicked;
}

bool ui_button(struct ui_ctx *ui, const char *name, struct ui_rect r, const struct ui_button_spec *b)
{
    return button_impl(ui, ui_id(name), r, b);
}

bool ui_button_id(struct ui_ctx *ui, uint32_t id, struct ui_rect r, const struct ui_button_spec *b)
{
    return button_impl(ui, id, r, b);
}

/* ---- scroll areas */

#define scroll_area ui_scroll_area

static void clamp_scroll(struct ui_scroll *sc)
{
    int max = sc->content_h - sc->view_h;
    if (max < 0)
        max = 0;
    if (sc->offset > max)
        sc->offset = max;
    if (sc->offset < 0)
        sc->offset = 0;
}

static struct wstate scroll_begin(struct ui_ctx *ui, struct scroll_area *a, uint32_t id,
                                  struct ui_rect view, int content_h, struct ui_scroll *sc,
                                  bool focusable)
{
    struct wstate s = {0};
    a->id = id;
    a->view = view;
    a->sc = sc;
    a->scrollable = content_h > view.h;
    sc->view_h = view.h;
    sc->content_h = content_h;
    if (a->scrollable) {
        s = interact(ui, id, view, (uint8_t)(HIT_SCROLL | (focusable ? HIT_FOCUS : 0)));
        sc->offset += ui_take_scroll(ui, id);
    }
    clamp_scroll(sc);
    ui_clip_push(ui, view);
    a->saved_owner = ui->scroll_owner;
    if (a->scrollable)
        ui->scroll_owner = id;
    return s;
}

static void scroll_end(struct ui_ctx *ui, struct scroll_area *a)
{
    ui_clip_pop(ui);
    ui->scroll_owner = a->saved_owner;
    if (!a->scrollable)
        return;
    /* A scroll bar at the end edge shows there is more to read. */
    const struct ui_theme *t = &ui->theme;
    struct ui_rect v = a->view;
    int bw = imax(S(ui, 8), 6);
    int x = ui->dir == TEXT_DIR_RTL ? v.x - bw - S(ui, 4) : v.x + v.w + S(ui, 4);
    struct ui_rect track = {x, v.y, bw, v.h};
    ui_fill(ui, track, t->track, bw / 2);
    int th = imax(v.h * v.h / a->sc->content_h, bw * 4);
    int range = a->sc->content_h - v.h;
    int ty = v.y + (range > 0 ? (v.h - th) * a->sc->offset / range : 0);
    ui_fill(ui, (struct ui_rect){x, ty, bw, th}, t->muted, bw / 2);
}

/* Scrolls so that content rows [y, y + h) are visible. */
static void scroll_into_view(struct ui_scroll *sc, int y, int h)
{
    if (y < sc->offset)
        sc->offset = y;
    else if (y + h > sc->offset + sc->view_h)
        sc->offset = y + h - sc->view_h;
    clamp_scroll(sc);
}

void ui_scroll_begin(struct ui_ctx *ui, struct ui_scroll_area *a, const char *id,
                     struct ui_rect view, int content_h, struct ui_scroll *sc)
{
    /* Focusable when it scrolls, so arrow keys and Page Down reach it. */
    struct wstate s = scroll_begin(ui, a, ui_id(id), view, content_h, sc, true);
    a->ring = a->scrollable && show_ring(ui, &s);
}

void ui_scroll_end(struct ui_ctx *ui, struct ui_scroll_area *a)
{
    scroll_end(ui, a);
    if (a->ring)
        ui_focus_ring(ui, a->view, S(ui, 6));
}

void ui_scroll_follow_focus(struct ui_ctx *ui, struct ui_scroll *sc, uint32_t id, int y, int h)
{
    if (ui->focus_moved && ui->focus == id)
        scroll_into_view(sc, y, h);
}

void ui_paragraph(struct ui_ctx *ui, const char *name, struct ui_rect r, const char *s,
                  enum ui_font f, struct ui_scroll *sc)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t id = ui_id(name);
    const struct text_block *b = ui_text_block(ui, s, f, r.w, TEXT_ALIGN_START, 0);
    if (!b)
        return;
    if (b->height > r.h) {
        /* It will scroll: keep a gutter between the text and the bar. */
        int gutter = S(ui, 16);
        if (ui->dir == TEXT_DIR_RTL)
            r.x += gutter;
        r.w -= gutter;
        b = ui_text_block(ui, s, f, r.w, TEXT_ALIGN_START, 0);
        if (!b)
            return;
    }
    int pitch = b->line_pitch > 0 ? b->line_pitch : 1;
    struct ui_rect view = r;
    if (b->height > r.h && r.h >= pitch)
        view.h = r.h / pitch * pitch;   /* whole lines only: no line cut in half */
    struct scroll_area a;
    struct wstate st = scroll_begin(ui, &a, id, view, b->height, sc, true);
    if (a.scrollable && !(ui->dragging && ui->drag_scroll == id)) {
        sc->offset = (sc->offset + pitch / 2) / pitch * pitch;   /* wheel and keys move by lines */
        clamp_scroll(sc);
    }
    /* Nastaliq ink rises above its line box: at the very top (and bottom)
     * the clip leaves room for it instead of shaving the first line. */
    ui_clip_pop(ui);
    int margin = pitch / 3;
    int top = sc->offset == 0 ? margin : 0;
    int bottom = sc->offset >= sc->content_h - sc->view_h ? margin : 0;
    ui_clip_push(ui, (struct ui_rect){view.x - margin, view.y - top, view.w + 2 * margin,
                                      view.h + top + bottom});
    ui_draw_block(ui, b, view.x, view.y - sc->offset, t->text);
    scroll_end(ui, &a);
    if (a.scrollable && show_ring(ui, &st))
        ui_focus_ring(ui, view, S(ui, 6));
}

/* ---- progress */

void ui_progress(struct ui_ctx *ui, struct ui_rect r, float fraction, const char *label)
{
    const struct ui_theme *t = &ui->theme;
    if (!(fraction >= 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int y = r.y;
    if (label && *label)
        y += ui_label(ui, r, label, UI_FONT_BODY, t->text, TEXT_ALIGN_START) + S(ui, 4);
    int bh = imax(S(ui, 20), 12);
    struct ui_rect track = {r.x, y, r.w, bh};
    ui_fill(ui, track, t->track, bh / 2);
    int fw = (int)lroundf((float)r.w * fraction);
    if (fw > 0) {
        if (fw < bh)
            fw = bh;   /* a visible start even at 1 % */
        int fx = ui->dir == TEXT_DIR_RTL ? r.x + r.w - fw : r.x;
        ui_fill(ui, (struct ui_rect){fx, y, fw, bh}, t->primary, bh / 2);
    }
}

/* ---- toggle */

/* The label's room in a toggle row of width w: less the margins, the switch
 * and the gap before it. */
static int toggle_label_w(struct ui_ctx *ui, int w)
{
    return w - 2 * S(ui, 18) - S(ui, 64) - S(ui, 16);
}

int ui_toggle_height(struct ui_ctx *ui, const char *label, int w)
{
    const struct text_block *b =
        ui_text_block(ui, label, UI_FONT_BODY, toggle_label_w(ui, w), TEXT_ALIGN_START, 2);
    int h = b ? b->ink_h + 2 * S(ui, 6) : 0;
    return h > ui->theme.touch ? h : ui->theme.touch;
}

bool ui_toggle(struct ui_ctx *ui, const char *name, struct ui_rect r, const char *label, bool *value)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t id = ui_id(name);
    struct wstate s = interact(ui, id, r, HIT_CLICK | HIT_FOCUS);
    bool changed = false;
    ui_voice_widget(ui, id, label, s.clicked);
    if (s.clicked) {
        *value = !*value;
        changed = true;
    }
    ui_fill(ui, r, s.down ? t->selected : t->surface, t->radius);
    ui_frame(ui, r, t->border, t->radius, imax(1, t->border_w / 2));

    struct ui_rect in = ui_inset(r, S(ui, 18));
    int tw = S(ui, 64), th = S(ui, 36);
    struct ui_rect sw = ui_cut_end(ui, &in, tw);
    sw = ui_center(sw, tw, th);
    ui_cut_end(ui, &in, S(ui, 16));
    /* Two lines if the row is tall enough for them (ui_toggle_height), else
     * one with an ellipsis: the label never spills out of its row. */
    const struct text_block *b = ui_text_block(ui, label, UI_FONT_BODY, in.w, TEXT_ALIGN_START, 2);
    if (b && b->nlines > 1 && b->ink_h > r.h - 2 * S(ui, 6))
        b = ui_text_block(ui, label, UI_FONT_BODY, in.w, TEXT_ALIGN_START, 1);
    ui_draw_block_vcenter(ui, b, in.x, (struct ui_rect){in.x, r.y, in.w, r.h}, t->text);

    bool on = *value;
    ui_fill(ui, sw, on ? t->primary : 0xFF7D848Cu, th / 2);
    int k = th - 2 * S(ui, 4);
    /* On = the knob at the end side (mirrored in RTL), with a tick. */
    bool knob_right = on == (ui->dir == TEXT_DIR_LTR);
    int kx = knob_right ? sw.x + sw.w - S(ui, 4) - k : sw.x + S(ui, 4);
    struct ui_rect knob = {kx, sw.y + S(ui, 4), k, k};
    ui_fill(ui, knob, 0xFFFFFFFFu, k / 2);
    if (on)
        ui_draw_icon(ui, TEXT_ICON_CHECK, ui_inset(knob, k / 6), t->primary);
    if (show_ring(ui, &s))
        ui_focus_ring(ui, r, t->radius);
    return changed;
}

/* ---- list */

/* Rows are taller when answers carry pictograms (and with larger text). */
static int list_row(struct ui_ctx *ui, const char *const *items, int count)
{
    const struct ui_theme *t = &ui->theme;
    int row = imax(t->touch, S(ui, 72));
    row = imax(row, t->font_body * 3);
    for (int i = 0; i < count; i++)
        if (ui_voice_pictogram(ui, items[i]))
            return imax(row, S(ui, 84));
    return row;
}

int ui_list_height(struct ui_ctx *ui, const char *const *items, int count)
{
    int row = list_row(ui, items, count);
    return count > 0 ? count * row + (count - 1) * S(ui, 8) + 4 : 0;
}

int ui_list(struct ui_ctx *ui, const char *name, struct ui_rect r, const char *const *items,
            int count, int *selected, struct ui_scroll *sc)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t base = ui_id(name);
    int row = list_row(ui, items, count), gap = S(ui, 8);
    int content = count > 0 ? count * row + (count - 1) * gap : 0;
    int chosen = -1;
    /* Keyboard focus on a row scrolls it into view. */
    sc->view_h = r.h;
    sc->content_h = content;
    if (ui->focus_moved) {
        for (int i = 0; i < count; i++)
            if (ui->focus == ui_id_index(base, i))
                scroll_into_view(sc, i * (row + gap), row);
    }
    struct scroll_area a;
    scroll_begin(ui, &a, base, r, content, sc, false);
    for (int i = 0; i < count; i++) {
        struct ui_rect rr = {r.x, r.y + i * (row + gap) - sc->offset, r.w, row};
        uint32_t id = ui_id_index(base, i);
        /* Every row is registered, so Tab reaches rows scrolled out of view. */
        struct wstate s = interact(ui, id, rr, HIT_CLICK | HIT_FOCUS);
        ui_voice_widget(ui, id, items[i], s.clicked);
        if (s.clicked) {
            *selected = i;
            chosen = i;
        }
        if (rr.y + rr.h < r.y || rr.y > r.y + r.h)
            continue;
        bool sel = *selected == i;
        ui_fill(ui, rr, s.down ? t->track : sel ? t->selected : t->surface, t->radius);
        ui_frame(ui, rr, sel ? t->primary : t->border, t->radius,
                 sel ? t->border_w + 1 : imax(1, t->border_w / 2));
        struct ui_rect in = ui_inset(rr, S(ui, 18));
        int d = S(ui, 30);
        struct ui_rect radio = ui_center(ui_cut_start(ui, &in, d), d, d);
        ui_cut_start(ui, &in, S(ui, 16));
        ui_frame(ui, radio, sel ? t->primary : t->muted, d / 2, imax(2, S(ui, 3)));
        if (sel)
            ui_fill(ui, ui_inset(radio, S(ui, 8)), t->primary, d / 2);
        /* The answer's pictogram at the end of the row: answers can be told
         * apart by picture and voice alone. */
        struct ui_image *pic = ui_voice_pictogram(ui, items[i]);
        if (pic) {
            int ps = rr.h - 2 * S(ui, 8);
            struct ui_rect pr = ui_cut_end(ui, &in, ps);
            ui_cut_end(ui, &in, S(ui, 12));
            ui_draw_image(ui, pic, (struct ui_rect){pr.x, rr.y + (rr.h - ps) / 2, ps, ps});
        }
        const struct text_block *b =
            ui_text_block(ui, items[i], UI_FONT_BODY, in.w, TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, b, in.x, (struct ui_rect){in.x, rr.y, in.w, rr.h}, t->text);
        if (show_ring(ui, &s))
            ui_focus_ring(ui, rr, t->radius);
    }
    scroll_end(ui, &a);
    return chosen;
}

/* ---- thumbnail grid */

static void grid_geometry(const struct ui_ctx *ui, struct ui_rect r, int count, struct ui_grid_metrics *m)
{
    const struct ui_theme *t = &ui->theme;
    m->gap = S(ui, 14);
    m->cols = imax(1, (r.w + m->gap) / (t->thumb + m->gap));
    m->cell = (r.w - (m->cols - 1) * m->gap) / m->cols;
    m->rows = (count + m->cols - 1) / m->cols;
}

/* The offset this frame's grid will use: the keyboard focus followed, the
 * pending wheel, drag and key scrolls applied, clamped. ui_grid() takes the
 * scrolls (consume); ui_grid_metrics() only looks, so a screen asks for and
 * fills in exactly the rows that will be drawn. */
static int grid_offset(struct ui_ctx *ui, uint32_t base, struct ui_rect r, int count,
                       const struct ui_scroll *sc, const struct ui_grid_metrics *m, bool consume)
{
    struct ui_scroll s = *sc;
    s.view_h = r.h;
    s.content_h = m->rows > 0 ? m->rows * m->cell + (m->rows - 1) * m->gap : 0;
    if (ui->focus_moved) {
        for (int i = 0; i < count; i++)
            if (ui->focus == ui_id_index(base, i))
                scroll_into_view(&s, (i / m->cols) * (m->cell + m->gap), m->cell);
    }
    if (s.content_h > s.view_h) {
        if (consume) {
            s.offset += ui_take_scroll(ui, base);
        } else {
            for (int i = 0; i < ui->nscrolls; i++)
                if (ui->scrolls[i].id == base)
                    s.offset += ui->scrolls[i].dy;
        }
    }
    clamp_scroll(&s);
    return s.offset;
}

void ui_grid_metrics(const struct ui_ctx *ui, const char *id, struct ui_rect r, int count,
                     const struct ui_scroll *sc, struct ui_grid_metrics *m)
{
    grid_geometry(ui, r, count, m);
    int off = grid_offset((struct ui_ctx *)ui, ui_id(id), r, count, sc, m, false);
    int pitch = imax(1, m->cell + m->gap);
    int r0 = off / pitch, r1 = (off + r.h) / pitch + 1;
    m->first = imin(count, r0 * m->cols);
    m->last = imin(count, r1 * m->cols);
}

int ui_grid(struct ui_ctx *ui, const char *name, struct ui_rect r, const struct ui_grid_item *items,
            int count, struct ui_scroll *sc)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t base = ui_id(name);
    struct ui_grid_metrics gm;
    grid_geometry(ui, r, count, &gm);
    int gap = gm.gap, cols = gm.cols, cell = gm.cell, rows = gm.rows;
    int content = rows > 0 ? rows * cell + (rows - 1) * gap : 0;
    int chosen = -1;
    /* Exactly the offset ui_grid_metrics() predicted for this frame. */
    sc->offset = grid_offset(ui, base, r, count, sc, &gm, true);
    sc->view_h = r.h;
    sc->content_h = content;
    struct scroll_area a;
    scroll_begin(ui, &a, base, r, content, sc, false);
    for (int i = 0; i < count; i++) {
        int row = i / cols, col = i % cols;
        int x = ui->dir == TEXT_DIR_RTL ? r.x + r.w - (col + 1) * cell - col * gap
                                        : r.x + col * (cell + gap);
        struct ui_rect c = {x, r.y + row * (cell + gap) - sc->offset, cell, cell};
        uint32_t id = ui_id_index(base, i);
        struct wstate s = interact(ui, id, c, HIT_CLICK | HIT_FOCUS);
        if (s.clicked)
            chosen = i;
        if (c.y + c.h < r.y || c.y > r.y + r.h)
            continue;   /* registered for keyboard order, nothing to draw */
        const struct ui_grid_item *it = &items[i];
        ui_fill(ui, c, s.down ? t->track : t->surface, t->radius);
        struct ui_rect in = ui_inset(c, S(ui, 8));
        if (it->label && *it->label) {
            const struct text_block *lb = ui_text_block(ui, it->label, UI_FONT_SMALL, in.w, TEXT_ALIGN_CENTER, 1);
            int lh = lb ? imin(lb->line_pitch, in.h / 3) : 0;
            struct ui_rect lr = ui_cut_bottom(&in, lh);
            if (lb)
                ui_draw_block_vcenter(ui, lb, lr.x, lr, t->text);
        }
        if (it->folder) {
            int isz = imin(in.w, in.h) * 3 / 5;
            ui_draw_icon(ui, TEXT_ICON_FOLDER, ui_center(in, isz, isz), t->primary);
        } else if (it->image && ui_image_width(it->image) > 0) {
            /* Contain: the whole picture, as the person knows it. */
            int iw = ui_image_width(it->image), ih = ui_image_height(it->image);
            int w = in.w, h = (int)((long)ih * in.w / iw);
            if (h > in.h) {
                h = in.h;
                w = (int)((long)iw * in.h / ih);
            }
            ui_fill(ui, in, 0xFFEAE6DEu, S(ui, 6));
            ui_draw_image(ui, it->image, ui_center(in, w, h));
        } else {
            ui_fill(ui, in, 0xFFEAE6DEu, S(ui, 6));
            int isz = imin(in.w, in.h) / 2;
            ui_draw_icon(ui, it->problem ? TEXT_ICON_WARNING : it->video ? TEXT_ICON_VIDEO : TEXT_ICON_IMAGE,
                         ui_center(in, isz, isz), t->muted);
        }
        int badge = imax(S(ui, 40), 28);
        if (it->video && !it->folder) {
            int bw = badge;
            const struct text_block *bb = NULL;
            if (it->badge && *it->badge) {
                struct text_style st = ui_style(ui, UI_FONT_SMALL);
                st.dir = TEXT_DIR_LTR;   /* 1:05 reads the same in both languages */
                memcpy(st.lang, "en", 3);
                bb = text_get(ui->text, it->badge, &st);
                if (bb)
                    bw += bb->text_width + S(ui, 8);
            }
            struct ui_rect vb = {ui->dir == TEXT_DIR_RTL ? in.x + in.w - bw - S(ui, 6) : in.x + S(ui, 6),
                                 in.y + in.h - badge - S(ui, 6), bw, badge};
            ui_fill(ui, vb, 0xCC1C2430u, S(ui, 8));
            struct ui_rect vi = {vb.x, vb.y, badge, badge};
            ui_draw_icon(ui, TEXT_ICON_VIDEO, ui_inset(vi, S(ui, 5)), 0xFFFFFFFFu);
            if (bb)
                ui_draw_block_vcenter(ui, bb, vb.x + badge, (struct ui_rect){vb.x + badge, vb.y, bw - badge, badge},
                                      0xFFFFFFFFu);
        }
        if (it->selected && !it->folder) {
            ui_frame(ui, c, t->primary, t->radius, imax(4, S(ui, 6)));
            struct ui_rect cb = {ui->dir == TEXT_DIR_RTL ? c.x + S(ui, 10) : c.x + c.w - badge - S(ui, 10),
                                 c.y + S(ui, 10), badge, badge};
            ui_fill(ui, cb, t->primary, badge / 2);
            ui_frame(ui, cb, 0xFFFFFFFFu, badge / 2, imax(2, S(ui, 3)));
            ui_draw_icon(ui, TEXT_ICON_CHECK, ui_inset(cb, S(ui, 7)), 0xFFFFFFFFu);
        } else {
            ui_frame(ui, c, t->border, t->radius, imax(1, t->border_w / 2));
        }
        if (show_ring(ui, &s))
            ui_focus_ring(ui, c, t->radius);
    }
    scroll_end(ui, &a);
    return chosen;
}

/* ---- dialog */

enum ui_dialog_result ui_dialog(struct ui_ctx *ui, const char *name, const char *title,
                                const char *message, const char *yes, const char *no)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t base = ui_id(name);
    uint32_t yes_id = ui_id_index(base, 1), no_id = ui_id_index(base, 2);
    bool opening = !ui->modal_prev && !ui->modal_now;
    ui->modal_now = true;
    uint8_t saved_layer = ui->layer;
    ui->layer = 1;
    if (opening) {
        /* Focus starts on the safe answer; it returns when the dialog goes. */
        ui->focus_saved = ui->focus;
        ui->focus = no ? no_id : yes_id;
        /* Its question is read aloud as it appears. */
        if (ui->voice.say && title)
            ui->voice.say(ui->voice.ctx, title, true);
    }

    struct ui_rect area = {0, ui->bar_bottom, ui->w, ui->h - ui->bar_bottom};
    ui_fill(ui, area, t->scrim, 0);
    int pw = imin(S(ui, 760), ui->w - 2 * t->pad);
    int inner = pw - 2 * t->pad;
    const struct text_block *tb = ui_text_block(ui, title, UI_FONT_TITLE, inner, TEXT_ALIGN_START, 0);
    const struct text_block *mb =
        message ? ui_text_block(ui, message, UI_FONT_BODY, inner, TEXT_ALIGN_START, 0) : NULL;
    int th = tb ? tb->height : 0, mh = mb ? mb->height : 0;
    int ph = t->pad + th + (mb ? S(ui, 8) + mh : 0) + t->pad + t->button_h + t->pad;
    struct ui_rect panel = ui_center(area, pw, imin(ph, area.h - 2 * S(ui, 8)));
    ui_fill(ui, (struct ui_rect){panel.x, panel.y + S(ui, 6), panel.w, panel.h}, 0x33000000u, t->radius);
    ui_fill(ui, panel, t->surface, t->radius);
    struct ui_rect in = ui_inset(panel, t->pad);
    if (tb)
        ui_draw_block(ui, tb, in.x, in.y, t->text);
    ui_cut_top(&in, th + S(ui, 8));
    if (mb)
        ui_draw_block(ui, mb, in.x, in.y, t->text);
    struct ui_rect row = ui_cut_bottom(&in, t->button_h);
    enum ui_dialog_result res = UI_DIALOG_OPEN;
    if (no) {
        int bw = (row.w - t->gap) / 2;
        struct ui_rect nr = ui_cut_start(ui, &row, bw);
        ui_cut_start(ui, &row, t->gap);
        struct ui_button_spec ns = {.label = no, .icon = -1, .style = UI_BUTTON_SECONDARY};
        struct ui_button_spec ys = {.label = yes, .icon = -1, .style = UI_BUTTON_PRIMARY};
        if (button_impl(ui, no_id, nr, &ns))
            res = UI_DIALOG_NO;
        if (button_impl(ui, yes_id, row, &ys))
            res = UI_DIALOG_YES;
    } else {
        struct ui_button_spec ys = {.label = yes, .icon = -1, .style = UI_BUTTON_PRIMARY};
        if (button_impl(ui, yes_id, row, &ys))
            res = UI_DIALOG_YES;
    }
    if (ui->dialog_escape) {
        ui->dialog_escape = false;
        res = no ? UI_DIALOG_NO : UI_DIALOG_YES;
    }
    ui->layer = saved_layer;
    if (res != UI_DIALOG_OPEN)
        ui->want_frame = true;
    return res;
}

/* ---- top bar */

enum ui_bar_action ui_top_bar(struct ui_ctx *ui, struct ui_rect *area, const struct ui_bar_spec *sp)
{
    const struct ui_theme *t = &ui->theme;
    enum ui_bar_action act = UI_BAR_NONE;
    struct ui_rect bar = ui_cut_top(area, t->bar_h);
    ui_fill(ui, bar, t->bar, 0);
    int bh = imax(t->touch, t->bar_h - 2 * S(ui, 12));
    struct ui_rect in = {bar.x + S(ui, 20), bar.y + (bar.h - bh) / 2, bar.w - 2 * S(ui, 20), bh};

    ui->hit_extra = HIT_ALWAYS;
    struct ui_button_spec qe = {.label = sp->quick_exit, .icon = TEXT_ICON_EXIT, .style = UI_BUTTON_DANGER};
    if (ui_button(ui, UI_QUICK_EXIT_ID, ui_cut_end(ui, &in, ui_button_width(ui, &qe)), &qe))
        act = UI_BAR_QUICK_EXIT;
    ui_cut_end(ui, &in, S(ui, 14));
    if (sp->language) {
        struct ui_button_spec ls = {.label = sp->language, .icon = TEXT_ICON_LANGUAGE, .style = UI_BUTTON_BAR};
        if (ui_button(ui, UI_LANGUAGE_ID, ui_cut_end(ui, &in, ui_button_width(ui, &ls)), &ls))
            act = UI_BAR_LANGUAGE;
    }
    if (sp->listen) {
        /* Listen again: large, with the speaker; the volume beside it. */
        ui_cut_end(ui, &in, S(ui, 14));
        if (sp->volume >= 0) {
            int vb = imax(t->touch, bh);
            struct ui_button_spec lo = {.icon = TEXT_ICON_SPEAKER_UP, .style = UI_BUTTON_BAR,
                                        .voice = sp->louder, .disabled = sp->volume >= 100};
            if (ui_button(ui, UI_LOUDER_ID, ui_cut_end(ui, &in, vb), &lo))
                act = UI_BAR_LOUDER;
            /* The level as five bars, growing towards "louder". */
            int lw = S(ui, 46);
            struct ui_rect lv = ui_cut_end(ui, &in, lw + 2 * S(ui, 6));
            int n = (sp->volume + 10) / 20, bw5 = lw / 5;
            for (int k = 0; k < 5; k++) {
                int hh = S(ui, 10) + k * S(ui, 5);
                int x = ui->dir == TEXT_DIR_RTL ? lv.x + S(ui, 6) + (4 - k) * bw5
                                                : lv.x + S(ui, 6) + k * bw5;
                ui_fill(ui, (struct ui_rect){x, lv.y + lv.h / 2 + S(ui, 16) - hh, bw5 - S(ui, 3), hh},
                        k < n ? t->on_bar : 0x55FFFFFFu, 2);
            }
            struct ui_button_spec qu = {.icon = TEXT_ICON_SPEAKER_DOWN, .style = UI_BUTTON_BAR,
                                        .voice = sp->quieter, .disabled = sp->volume <= 0};
            if (ui_button(ui, UI_QUIETER_ID, ui_cut_end(ui, &in, vb), &qu))
                act = UI_BAR_QUIETER;
            ui_cut_end(ui, &in, S(ui, 10));
        }
        struct ui_button_spec li = {.label = sp->listen, .icon = TEXT_ICON_SPEAKER, .style = UI_BUTTON_BAR};
        int lwid = ui_button_width(ui, &li);
        /* Narrow windows: the speaker alone (its name is still read aloud). */
        if (lwid > in.w / 2) {
            li.label = NULL;
            li.voice = sp->listen;
            lwid = ui_button_width(ui, &li);
        }
        if (ui_button(ui, UI_LISTEN_ID, ui_cut_end(ui, &in, lwid), &li))
            act = UI_BAR_LISTEN;
    }
    ui->hit_extra = 0;

    int isz = S(ui, 44);
    struct ui_rect mark = ui_cut_start(ui, &in, isz);
    ui_draw_icon(ui, TEXT_ICON_SHIELD, ui_center(mark, isz, isz), t->on_bar);
    ui_cut_start(ui, &in, S(ui, 12));
    if (sp->title) {
        const struct text_block *b = ui_text_block(ui, sp->title, UI_FONT_BAR, in.w, TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, b, in.x, (struct ui_rect){in.x, bar.y, in.w, bar.h}, t->on_bar);
    }
    if (sp->banner) {
        const struct text_block *b =
            ui_text_block(ui, sp->banner, UI_FONT_SMALL, area->w - 2 * t->pad, TEXT_ALIGN_CENTER, 1);
        /* Tall enough for the Nastaliq ink with a margin. */
        int h = t->banner_h;
        if (b && b->ink_h + 2 * S(ui, 10) > h)
            h = b->ink_h + 2 * S(ui, 10);
        struct ui_rect bn = ui_cut_top(area, h);
        ui_fill(ui, bn, t->banner, 0);
        ui_draw_block_vcenter(ui, b, bn.x + t->pad, bn, t->on_banner);
    }
    ui->bar_bottom = area->y;
    return act;
}
