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
    /* A screen's main action and a dialog's answers are key text. */
    enum ui_role role = ui_set_role(ui, b->style == UI_BUTTON_PRIMARY || ui->layer > 0
                                            ? UI_ROLE_ACTION : (enum ui_role)ui->role);

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
    ui_set_role(ui, role);
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

/* ---- thumbnail grid (with section headers, stable keys and tiles) */

/* Where everything of a grid lies for a rectangle: cells, and sections
 * (a header, then rows of cells) from the content's top. Without sections
 * there is one implicit section with no header. */
struct glayout {
    const struct ui_grid_spec *g;
    int cols, cell_w, cell_h, gap, pitch, header_h;
    int nsec;
    int content_h;
};

static int sec_first(const struct glayout *l, int k)
{
    if (k <= 0 || !l->g->sections)
        return 0;
    int f = l->g->sections[k].first;
    return f < 0 ? 0 : f > l->g->count ? l->g->count : f;
}

static int sec_end(const struct glayout *l, int k)
{
    return k + 1 < l->nsec ? sec_first(l, k + 1) : l->g->count;
}

static int sec_rows(const struct glayout *l, int k)
{
    int n = sec_end(l, k) - sec_first(l, k);
    return n > 0 ? (n + l->cols - 1) / l->cols : 0;
}

static int sec_height(const struct glayout *l, int k)
{
    return l->header_h + sec_rows(l, k) * l->pitch;
}

/* Tall enough for a line of Nastaliq in the body font, with air above it
 * that separates it from the section before. */
static int header_height(const struct ui_ctx *ui)
{
    return imax(S(ui, 60), ui->theme.font_body * 2 + S(ui, 14));
}

static void glayout_make(const struct ui_ctx *ui, struct ui_rect r, const struct ui_grid_spec *g,
                         struct glayout *l)
{
    const struct ui_theme *t = &ui->theme;
    memset(l, 0, sizeof(*l));
    l->g = g;
    l->gap = S(ui, 14);
    bool sections = g->sections && g->nsections > 0;
    l->nsec = sections ? g->nsections : 1;
    l->header_h = sections ? header_height(ui) : 0;
    /* With min_rows, the largest cells that keep that many rows (under a
     * header) in view, never so small that a picture can no longer be made
     * out (nor below a touch target). The size depends on r alone, never
     * on the items: pictures that come in later move nothing. */
    bool tiles = g->tile_w > 0 && g->tile_h > 0;
    int floor = imax(t->touch, S(ui, tiles ? 120 : 96));   /* a tile: its two lines */
    for (int size = tiles ? g->tile_h : t->thumb;; size -= 2) {
        if (tiles) {
            l->cols = imax(1, (r.w + l->gap) / (g->tile_w + l->gap));
            l->cell_w = (r.w - (l->cols - 1) * l->gap) / l->cols;
            l->cell_h = size;
        } else {
            l->cols = imax(1, (r.w + l->gap) / (size + l->gap));
            l->cell_w = l->cell_h = (r.w - (l->cols - 1) * l->gap) / l->cols;
        }
        l->pitch = l->cell_h + l->gap;
        if (g->min_rows <= 0 || size <= floor || l->header_h + g->min_rows * l->pitch - l->gap <= r.h)
            break;
    }
    int total = 0;
    for (int k = 0; k < l->nsec; k++)
        total += sec_height(l, k);
    /* No gap after the last row. */
    l->content_h = total > 0 && sec_rows(l, l->nsec - 1) > 0 ? total - l->gap : total;
}

/* The section holding item i (the last one starting at or before it). */
static int sec_of(const struct glayout *l, int i)
{
    int lo = 0, hi = l->nsec - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (sec_first(l, mid) <= i)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Item i's top, from the content's top. */
static int item_y(const struct glayout *l, int i)
{
    int k = sec_of(l, i), y = 0;
    for (int j = 0; j < k; j++)
        y += sec_height(l, j);
    return y + l->header_h + (i - sec_first(l, k)) / l->cols * l->pitch;
}

static uint32_t item_id(uint32_t base, const struct ui_grid_spec *g, int i)
{
    return ui_id_index(base, g->keys ? (int)g->keys[i] : i);
}

uint32_t ui_grid_item_id(const char *id, const uint32_t *keys, int i)
{
    return ui_id_index(ui_id(id), keys ? (int)keys[i] : i);
}

static int find_key(const struct glayout *l, uint32_t key, int hint)
{
    const struct ui_grid_spec *g = l->g;
    if (hint >= 0 && hint < g->count && g->keys[hint] == key)
        return hint;
    for (int i = 0; i < g->count; i++)
        if (g->keys[i] == key)
            return i;
    return -1;
}

static int focused_index(const struct ui_ctx *ui, uint32_t base, const struct glayout *l)
{
    if (!ui->focus)
        return -1;
    for (int i = 0; i < l->g->count; i++)
        if (ui->focus == item_id(base, l->g, i))
            return i;
    return -1;
}

/* The offset this frame's grid will use: what came in before the anchor
 * made up for, the keyboard focus followed, the pending wheel, drag and key
 * scrolls applied, clamped. ui_grid() takes the scrolls (consume);
 * ui_grid_metrics() only looks, so a screen asks for and fills in exactly
 * the rows that will be drawn. */
static int grid_offset(struct ui_ctx *ui, uint32_t base, struct ui_rect r, const struct glayout *l,
                       const struct ui_scroll *sc, bool consume)
{
    struct ui_scroll s = *sc;
    s.view_h = r.h;
    s.content_h = l->content_h;
    if (l->g->keys && s.anchored) {
        int i = find_key(l, s.anchor_key, s.anchor_index);
        if (i >= 0)
            s.offset = item_y(l, i) - s.anchor_y;
    }
    if (ui->focus_moved) {
        int i = focused_index(ui, base, l);
        if (i >= 0) {
            int y = item_y(l, i), h = l->cell_h;
            /* A section's first row shows its header too. */
            if (l->header_h && i - sec_first(l, sec_of(l, i)) < l->cols) {
                y -= l->header_h;
                h += l->header_h;
            }
            scroll_into_view(&s, y, h);
        }
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

static void metrics_of(const struct glayout *l, int off, int view_h, struct ui_grid_metrics *m)
{
    memset(m, 0, sizeof(*m));
    m->cols = l->cols;
    m->cell = m->cell_w = l->cell_w;
    m->cell_h = l->cell_h;
    m->gap = l->gap;
    m->header_h = l->header_h;
    bool sec_seen = false, item_seen = false;
    int y = 0;
    for (int k = 0; k < l->nsec; k++) {
        int rows = sec_rows(l, k), h = sec_height(l, k);
        m->rows += rows;
        if (y > off + view_h || y + h < off) {
            y += h;
            continue;
        }
        if (!sec_seen)
            m->first_section = k;
        sec_seen = true;
        m->last_section = k + 1;
        int top = y + l->header_h;
        int r0 = off > top ? (off - top) / l->pitch : 0;
        int r1 = off + view_h >= top ? (off + view_h - top) / l->pitch + 1 : 0;
        if (r1 > rows)
            r1 = rows;
        if (r0 < r1) {
            int f0 = sec_first(l, k) + r0 * l->cols;
            int f1 = imin(sec_end(l, k), sec_first(l, k) + r1 * l->cols);
            if (!item_seen)
                m->first = f0;
            item_seen = true;
            m->last = f1;
        }
        y += h;
    }
}

void ui_grid_ex_metrics(const struct ui_ctx *ui, const char *id, struct ui_rect r,
                        const struct ui_grid_spec *g, const struct ui_scroll *sc,
                        struct ui_grid_metrics *m)
{
    struct glayout l;
    glayout_make(ui, r, g, &l);
    int off = grid_offset((struct ui_ctx *)ui, ui_id(id), r, &l, sc, false);
    metrics_of(&l, off, r.h, m);
    if (m->last < m->first)
        m->last = m->first;
}

void ui_grid_metrics(const struct ui_ctx *ui, const char *id, struct ui_rect r, int count,
                     const struct ui_scroll *sc, struct ui_grid_metrics *m)
{
    struct ui_grid_spec g = {.count = count};
    ui_grid_ex_metrics(ui, id, r, &g, sc, m);
}

/* A picture contained in r (the whole picture, as the person knows it), or
 * a placeholder icon. */
static void draw_picture(struct ui_ctx *ui, struct ui_rect in, const struct ui_grid_item *it)
{
    const struct ui_theme *t = &ui->theme;
    ui_fill(ui, in, 0xFFEAE6DEu, S(ui, 6));
    if (it->folder) {
        int isz = imin(in.w, in.h) * 3 / 5;
        ui_draw_icon(ui, TEXT_ICON_FOLDER, ui_center(in, isz, isz), t->primary);
    } else if (it->image && ui_image_width(it->image) > 0 && it->cover) {
        ui_draw_image_cover(ui, it->image, in);
    } else if (it->image && ui_image_width(it->image) > 0) {
        int iw = ui_image_width(it->image), ih = ui_image_height(it->image);
        int w = in.w, h = (int)((long)ih * in.w / iw);
        if (h > in.h) {
            h = in.h;
            w = (int)((long)iw * in.h / ih);
        }
        ui_draw_image(ui, it->image, ui_center(in, w, h));
    } else {
        int isz = imin(in.w, in.h) / 2;
        ui_draw_icon(ui, it->problem ? TEXT_ICON_WARNING : it->video ? TEXT_ICON_VIDEO : TEXT_ICON_IMAGE,
                     ui_center(in, isz, isz), t->muted);
    }
}

/* Height of a block's ink (Nastaliq) or box (Latin), and the y to draw it
 * at so that this part starts at top. */
static int block_h(const struct text_block *b) { return !b ? 0 : b->urdu && b->ink_h ? b->ink_h : b->height; }
static int block_y(const struct text_block *b, int top) { return b && b->urdu && b->ink_h ? top - b->ink_y : top; }

/* A wide tile: the picture at the reading start, label and detail beside it. */
static void draw_tile(struct ui_ctx *ui, struct ui_rect c, const struct ui_grid_item *it, const struct wstate *s)
{
    const struct ui_theme *t = &ui->theme;
    ui_fill(ui, c, s->down ? t->track : t->surface, t->radius);
    ui_frame(ui, c, it->selected ? t->primary : t->border, t->radius,
             it->selected ? imax(3, S(ui, 4)) : imax(1, t->border_w / 2));
    struct ui_rect in = ui_inset(c, S(ui, 10));
    struct ui_rect pr = ui_cut_start(ui, &in, in.h);
    ui_cut_start(ui, &in, S(ui, 16));
    draw_picture(ui, pr, it);
    const struct text_block *lb =
        it->label && *it->label ? ui_text_block(ui, it->label, UI_FONT_BUTTON, in.w, TEXT_ALIGN_START, 1) : NULL;
    const struct text_block *db =
        it->detail && *it->detail ? ui_text_block(ui, it->detail, UI_FONT_SMALL, in.w, TEXT_ALIGN_START, 1) : NULL;
    int between = lb && db ? S(ui, 14) : 0;
    int total = block_h(lb) + between + block_h(db);
    int top = c.y + (c.h - total) / 2;
    if (lb)
        ui_draw_block(ui, lb, in.x, block_y(lb, top), t->text);
    if (db)
        ui_draw_block(ui, db, in.x, block_y(db, top + block_h(lb) + between), t->muted);
}

/* A square thumbnail cell: the picture, its label under it, a video's
 * length, the tick of a chosen one. */
static void draw_thumb(struct ui_ctx *ui, struct ui_rect c, const struct ui_grid_item *it, const struct wstate *s)
{
    const struct ui_theme *t = &ui->theme;
    ui_fill(ui, c, s->down ? t->track : t->surface, t->radius);
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
    } else {
        draw_picture(ui, in, it);
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
}

static void draw_header(struct ui_ctx *ui, struct ui_rect h, const char *title)
{
    const struct ui_theme *t = &ui->theme;
    if (!title || !*title)
        return;
    const struct text_block *b = ui_text_block(ui, title, UI_FONT_BAR, h.w, TEXT_ALIGN_START, 1);
    /* Level with the bottom of the header: it belongs to the rows below. */
    struct ui_rect line = {h.x, h.y + h.h / 4, h.w, h.h - h.h / 4};
    ui_draw_block_vcenter(ui, b, h.x, line, t->text);
}

int ui_grid_ex(struct ui_ctx *ui, const char *name, struct ui_rect r, const struct ui_grid_spec *g,
               struct ui_scroll *sc)
{
    const struct ui_theme *t = &ui->theme;
    uint32_t base = ui_id(name);
    struct glayout l;
    glayout_make(ui, r, g, &l);
    int chosen = -1;
    /* Exactly the offset ui_grid_metrics() predicted for this frame. */
    sc->offset = grid_offset(ui, base, r, &l, sc, true);
    sc->view_h = r.h;
    sc->content_h = l.content_h;
    struct scroll_area a;
    scroll_begin(ui, &a, base, r, l.content_h, sc, false);
    bool tiles = g->tile_w > 0 && g->tile_h > 0;
    int focus_i = -1, top_i = -1, y = 0;
    for (int k = 0; k < l.nsec; k++) {
        int f0 = sec_first(&l, k), f1 = sec_end(&l, k);
        int hy = r.y + y - sc->offset;
        if (l.header_h && hy + l.header_h >= r.y && hy <= r.y + r.h)
            draw_header(ui, (struct ui_rect){r.x, hy, r.w, l.header_h}, g->sections[k].title);
        int iy = y + l.header_h;
        for (int i = f0; i < f1; i++) {
            int row = (i - f0) / l.cols, col = (i - f0) % l.cols;
            int x = ui->dir == TEXT_DIR_RTL ? r.x + r.w - (col + 1) * l.cell_w - col * l.gap
                                            : r.x + col * (l.cell_w + l.gap);
            struct ui_rect c = {x, r.y + iy + row * l.pitch - sc->offset, l.cell_w, l.cell_h};
            uint32_t id = item_id(base, g, i);
            /* Every item is registered, so the keyboard reaches those out of view. */
            struct wstate s = interact(ui, id, c, HIT_CLICK | HIT_FOCUS);
            if (s.clicked)
                chosen = i;
            if (s.clicked || s.down)
                sc->engaged = true;
            bool visible = !(c.y + c.h < r.y || c.y > r.y + r.h);
            if (s.focused && c.y + c.h > r.y && c.y < r.y + r.h)
                focus_i = i;
            if (top_i < 0 && c.y >= r.y)
                top_i = i;
            if (!visible)
                continue;   /* registered for keyboard order, nothing to draw */
            const struct ui_grid_item *it = &g->items[i];
            ui_voice_widget(ui, id, it->voice, s.clicked);
            if (tiles)
                draw_tile(ui, c, it, &s);
            else
                draw_thumb(ui, c, it, &s);
            if (show_ring(ui, &s))
                ui_focus_ring(ui, c, t->radius);
        }
        y += sec_height(&l, k);
    }
    scroll_end(ui, &a);
    /* What the person looks at stays in place next frame when items come in
     * before it: the focused item (keyboard, or after a touch), else, once
     * scrolled or touched, the top row. At the very top, untouched, the
     * newest coming in show first. */
    if (g->keys) {
        bool mine = ui->focus_visible || sc->engaged;
        int ai = focus_i >= 0 && mine ? focus_i : sc->offset > 0 || sc->engaged ? top_i : -1;
        sc->anchored = ai >= 0;
        if (ai >= 0) {
            sc->anchor_key = g->keys[ai];
            sc->anchor_index = ai;
            sc->anchor_y = item_y(&l, ai) - sc->offset;
        }
    } else {
        sc->anchored = false;
    }
    return chosen;
}

int ui_grid(struct ui_ctx *ui, const char *name, struct ui_rect r, const struct ui_grid_item *items,
            int count, struct ui_scroll *sc)
{
    struct ui_grid_spec g = {.items = items, .count = count};
    return ui_grid_ex(ui, name, r, &g, sc);
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
    enum ui_role role = ui_set_role(ui, UI_ROLE_TITLE);
    if (tb)
        ui_draw_block(ui, tb, in.x, in.y, t->text);
    ui_set_role(ui, role);
    ui_cut_top(&in, th + S(ui, 8));
    if (mb)
        ui_draw_block(ui, mb, in.x, in.y, t->text);
    struct ui_rect row = ui_cut_bottom(&in, t->button_h);
    enum ui_dialog_result res = UI_DIALOG_OPEN;
    if (no) {
        int bw = (row.w - t->gap) / 2;
        struct ui_rect nr = ui_cut_start(ui, &row, bw);
        ui_cut_start(ui, &row, t->gap);
        /* The safe answer is the filled, main-looking one; the answer that
         * stops, erases or leaves is only outlined. */
        struct ui_button_spec ns = {.label = no, .icon = -1, .style = UI_BUTTON_PRIMARY};
        struct ui_button_spec ys = {.label = yes, .icon = -1, .style = UI_BUTTON_SECONDARY};
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

    /* Quick exit alone in the far corner (the end); the app's mark and name,
     * then the language switch and the listening controls, from the other
     * end. A clear space between them: a hurried tap meant for one never
     * lands on quick exit, and quick exit is never mistaken for them. */
    ui->hit_extra = HIT_ALWAYS;
    struct ui_button_spec qe = {.label = sp->quick_exit, .icon = TEXT_ICON_EXIT, .style = UI_BUTTON_DANGER};
    if (ui_button(ui, UI_QUICK_EXIT_ID, ui_cut_end(ui, &in, ui_button_width(ui, &qe)), &qe))
        act = UI_BAR_QUICK_EXIT;
    ui_cut_end(ui, &in, imax(S(ui, 48), t->touch / 2));

    int isz = S(ui, 44);
    struct ui_rect mark = ui_cut_start(ui, &in, isz);
    ui_draw_icon(ui, TEXT_ICON_SHIELD, ui_center(mark, isz, isz), t->on_bar);
    ui_cut_start(ui, &in, S(ui, 12));
    struct ui_rect name = mark;
    if (sp->title) {
        const struct text_block *b = ui_text_block(ui, sp->title, UI_FONT_BAR, in.w / 3, TEXT_ALIGN_START, 1);
        int tw = b ? imin(b->text_width, in.w / 3) : 0;
        name = ui_cut_start(ui, &in, tw);
        ui_draw_block_vcenter(ui, b, name.x - (b && b->nlines ? b->lines[0].x : 0),
                              (struct ui_rect){name.x, bar.y, name.w, bar.h}, t->on_bar);
    }
    /* The mark and name, from the bar's start edge: the staff gesture's target. */
    ui->bar_mark = ui->dir == TEXT_DIR_RTL
                       ? (struct ui_rect){name.x, bar.y, bar.x + bar.w - name.x, bar.h}
                       : (struct ui_rect){bar.x, bar.y, name.x + name.w - bar.x, bar.h};
    ui_cut_start(ui, &in, S(ui, 24));

    if (sp->language) {
        struct ui_button_spec ls = {.label = sp->language, .icon = TEXT_ICON_LANGUAGE, .style = UI_BUTTON_BAR};
        if (ui_button(ui, UI_LANGUAGE_ID, ui_cut_start(ui, &in, ui_button_width(ui, &ls)), &ls))
            act = UI_BAR_LANGUAGE;
        ui_cut_start(ui, &in, S(ui, 14));
    }
    if (sp->listen) {
        /* Listen again: large, with the speaker; the volume after it. */
        int vb = imax(t->touch, bh), lw = S(ui, 46);
        int vol = sp->volume >= 0 ? S(ui, 10) + 2 * vb + lw + 2 * S(ui, 6) : 0;
        struct ui_button_spec li = {.label = sp->listen, .icon = TEXT_ICON_SPEAKER, .style = UI_BUTTON_BAR};
        int lwid = ui_button_width(ui, &li);
        /* Narrow windows: the speaker alone (its name is still read aloud). */
        if (lwid + vol > in.w) {
            li.label = NULL;
            li.voice = sp->listen;
            lwid = ui_button_width(ui, &li);
        }
        if (ui_button(ui, UI_LISTEN_ID, ui_cut_start(ui, &in, lwid), &li))
            act = UI_BAR_LISTEN;
        if (sp->volume >= 0) {
            ui_cut_start(ui, &in, S(ui, 10));
            struct ui_button_spec qu = {.icon = TEXT_ICON_SPEAKER_DOWN, .style = UI_BUTTON_BAR,
                                        .voice = sp->quieter, .disabled = sp->volume <= 0};
            if (ui_button(ui, UI_QUIETER_ID, ui_cut_start(ui, &in, vb), &qu))
                act = UI_BAR_QUIETER;
            /* The level as five bars, growing towards "louder". */
            struct ui_rect lv = ui_cut_start(ui, &in, lw + 2 * S(ui, 6));
            int n = (sp->volume + 10) / 20, bw5 = lw / 5;
            for (int k = 0; k < 5; k++) {
                int hh = S(ui, 10) + k * S(ui, 5);
                int x = ui->dir == TEXT_DIR_RTL ? lv.x + S(ui, 6) + (4 - k) * bw5
                                                : lv.x + S(ui, 6) + k * bw5;
                ui_fill(ui, (struct ui_rect){x, lv.y + lv.h / 2 + S(ui, 16) - hh, bw5 - S(ui, 3), hh},
                        k < n ? t->on_bar : 0x55FFFFFFu, 2);
            }
            struct ui_button_spec lo = {.icon = TEXT_ICON_SPEAKER_UP, .style = UI_BUTTON_BAR,
                                        .voice = sp->louder, .disabled = sp->volume >= 100};
            if (ui_button(ui, UI_LOUDER_ID, ui_cut_start(ui, &in, vb), &lo))
                act = UI_BAR_LOUDER;
        }
    }
    ui->hit_extra = 0;

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
