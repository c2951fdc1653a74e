/* The UI context: frames, theme, draw commands, input and keyboard focus. */
#include "ui_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- ids */

uint32_t ui_id(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h ? h : 1;
}

uint32_t ui_id_index(uint32_t base, int index)
{
    uint32_t h = base ^ (0x9E3779B9u + (uint32_t)index * 0x85EBCA6Bu);
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return h ? h : 1;
}

/* ---- theme */

static int S(float scale, float v) { return (int)lroundf(v * scale); }
static int at_least(int v, int min) { return v < min ? min : v; }

static void compute_theme(struct ui_theme *t, int w, int h, int text_pct)
{
    /* 1.0 at 1280x800; a 1024x600 netbook gets 0.75, 1920x1080 gets 1.35. */
    float s = fminf((float)w / 1280.0f, (float)h / 800.0f);
    s = fmaxf(0.7f, fminf(s, 1.6f));
    t->scale = s;
    t->pad = S(s, 32);
    t->gap = S(s, 16);
    t->radius = S(s, 14);
    t->font_small = at_least(S(s, 19), 16);
    t->font_body = at_least(S(s, 24), 19);
    t->font_button = at_least(S(s, 24), 19);
    t->font_title = at_least(S(s, 34), 26);
    t->font_bar = at_least(S(s, 22), 18);
    t->touch = 64;
    t->button_h = at_least(S(s, 84), 64);
    t->bar_h = at_least(S(s, 96), 76);
    t->banner_h = at_least(S(s, 48), 40);
    t->icon = at_least(S(s, 32), 24);
    t->focus_w = at_least(S(s, 4), 3);
    t->focus_gap = at_least(S(s, 3), 2);
    t->border_w = at_least(S(s, 2), 2);
    t->thumb = S(s, 168);
    /* Readable line length; small screens use the width they have. */
    if (text_pct > 100) {
        /* Larger text: fonts and the boxes that hold them grow together. */
        float k = (float)text_pct / 100.0f;
        t->font_small = (int)lroundf((float)t->font_small * k);
        t->font_body = (int)lroundf((float)t->font_body * k);
        t->font_button = (int)lroundf((float)t->font_button * k);
        t->font_title = (int)lroundf((float)t->font_title * k);
        t->button_h = (int)lroundf((float)t->button_h * k);
        t->icon = (int)lroundf((float)t->icon * k);
    }
    t->content_w = S(s, 1040) > 920 ? S(s, 1040) : 920;
    if (t->content_w > w - 2 * t->pad)
        t->content_w = w - 2 * t->pad;

    /* Calm and high contrast: warm paper, ink-dark text, one deep teal for
     * actions, brick red only for quick exit. Text pairs are >= 7:1. */
    t->bg = 0xFFF6F3ECu;
    t->surface = 0xFFFFFFFFu;
    t->text = 0xFF1C2430u;
    t->muted = 0xFF4A5563u;
    t->border = 0xFFCFC8BAu;
    t->primary = 0xFF0B5D5Bu;
    t->primary_hover = 0xFF0E6E6Bu;
    t->primary_down = 0xFF074442u;
    t->on_primary = 0xFFFFFFFFu;
    t->danger = 0xFF9E2A2Bu;
    t->danger_hover = 0xFFB03435u;
    t->danger_down = 0xFF7A1F20u;
    t->on_danger = 0xFFFFFFFFu;
    t->bar = 0xFF163A45u;
    t->on_bar = 0xFFFFFFFFu;
    t->bar_button = 0xFF24525Fu;
    t->bar_button_hover = 0xFF2E6473u;
    t->banner = 0xFFF2C14Eu;
    t->on_banner = 0xFF1C2430u;
    t->focus = 0xFF1A4FD6u;
    t->focus_inner = 0xFFFFFFFFu;
    t->track = 0xFFDDD6C8u;
    t->selected = 0xFFDCEFEBu;
    t->scrim = 0x991C2430u;
    t->disabled = 0xFFDAD5CCu;
    t->on_disabled = 0xFF5E6368u;
}

/* ---- context */

struct ui_ctx *ui_create(struct text_ctx *text)
{
    struct ui_ctx *ui = calloc(1, sizeof(*ui));
    if (!ui)
        return NULL;
    ui->text = text;
    ui->next_image_serial = 1;
    ui->text_pct = 100;
    ui_set_lang(ui, TEXT_DIR_RTL, "ur");
    compute_theme(&ui->theme, 1280, 800, 100);
    ui->w = 1280;
    ui->h = 800;
    return ui;
}

void ui_destroy(struct ui_ctx *ui)
{
    if (!ui)
        return;
    free(ui->cmds);
    free(ui->hits.v);
    free(ui->prev.v);
    free(ui->dead);
    free(ui);
}

void ui_set_lang(struct ui_ctx *ui, enum text_dir dir, const char *lang)
{
    ui->dir = dir;
    memset(ui->lang, 0, sizeof ui->lang);
    for (size_t i = 0; i + 1 < sizeof ui->lang && lang[i]; i++)
        ui->lang[i] = lang[i];
    ui->want_frame = true;
}

enum text_dir ui_dir(const struct ui_ctx *ui) { return ui->dir; }
const struct ui_theme *ui_theme(const struct ui_ctx *ui) { return &ui->theme; }
struct text_ctx *ui_text_ctx(struct ui_ctx *ui) { return ui->text; }

void ui_begin(struct ui_ctx *ui, int width, int height)
{
    if (width != ui->w || height != ui->h) {
        ui->w = width;
        ui->h = height;
    }
    compute_theme(&ui->theme, ui->w, ui->h, ui->text_pct);
    ui->ncmds = 0;
    ui->hits.n = 0;
    ui->nclip = 0;
    ui->layer = 0;
    ui->role = UI_ROLE_NONE;
    ui->modal_now = false;
    ui->scroll_owner = 0;
    ui->bar_bottom = 0;
    ui->want_frame = false;
}

void ui_end(struct ui_ctx *ui)
{
    /* Focus returns where it was when a dialog goes (ui_dialog saved it). */
    if (ui->modal_now && !ui->modal_prev) {
        ui->want_frame = true;
    } else if (!ui->modal_now && ui->modal_prev) {
        ui->focus = ui->focus_saved;
        ui->want_frame = true;
    }
    ui->modal_prev = ui->modal_now;
    /* A focused widget that is gone loses the focus. */
    if (ui->focus) {
        bool found = false;
        for (size_t i = 0; i < ui->hits.n && !found; i++)
            found = ui->hits.v[i].id == ui->focus;
        if (!found && !(ui->modal_now && ui->focus_saved == ui->focus))
            ui->focus = 0;
    }
    struct hit_list tmp = ui->prev;
    ui->prev = ui->hits;
    ui->hits = tmp;
    ui->hits.n = 0;
    ui->nclicked = 0;
    ui->nscrolls = 0;
    ui->escape = false;
    ui->dialog_escape = false;
    ui->focus_moved = false;
    ui->focus_by_key = false;
    text_frame_end(ui->text);
}

const struct ui_cmd *ui_commands(const struct ui_ctx *ui, size_t *count)
{
    *count = ui->ncmds;
    return ui->cmds;
}

bool ui_needs_frame(const struct ui_ctx *ui)
{
    return ui->want_frame || ui->nclicked || ui->nscrolls || ui->escape || ui->dialog_escape;
}

void ui_reset(struct ui_ctx *ui)
{
    ui->hot = ui->active = ui->drag_scroll = 0;
    ui->dragging = false;
    ui->focus = ui->focus_saved = 0;
    ui->nclicked = ui->nscrolls = 0;
    ui->escape = ui->dialog_escape = false;
    ui->prev.n = 0;
    ui->modal_prev = false;
    ui->want_frame = true;
}

/* ---- layout */

struct ui_rect ui_cut_top(struct ui_rect *r, int h)
{
    if (h > r->h)
        h = r->h;
    struct ui_rect o = {r->x, r->y, r->w, h};
    r->y += h;
    r->h -= h;
    return o;
}

struct ui_rect ui_cut_bottom(struct ui_rect *r, int h)
{
    if (h > r->h)
        h = r->h;
    r->h -= h;
    return (struct ui_rect){r->x, r->y + r->h, r->w, h};
}

static struct ui_rect cut_left(struct ui_rect *r, int w)
{
    if (w > r->w)
        w = r->w;
    struct ui_rect o = {r->x, r->y, w, r->h};
    r->x += w;
    r->w -= w;
    return o;
}

static struct ui_rect cut_right(struct ui_rect *r, int w)
{
    if (w > r->w)
        w = r->w;
    r->w -= w;
    return (struct ui_rect){r->x + r->w, r->y, w, r->h};
}

struct ui_rect ui_cut_start(const struct ui_ctx *ui, struct ui_rect *r, int w)
{
    return ui->dir == TEXT_DIR_RTL ? cut_right(r, w) : cut_left(r, w);
}

struct ui_rect ui_cut_end(const struct ui_ctx *ui, struct ui_rect *r, int w)
{
    return ui->dir == TEXT_DIR_RTL ? cut_left(r, w) : cut_right(r, w);
}

struct ui_rect ui_inset(struct ui_rect r, int d)
{
    r.x += d;
    r.y += d;
    r.w -= 2 * d;
    r.h -= 2 * d;
    if (r.w < 0)
        r.w = 0;
    if (r.h < 0)
        r.h = 0;
    return r;
}

struct ui_rect ui_center(struct ui_rect o, int w, int h)
{
    if (w > o.w)
        w = o.w;
    if (h > o.h)
        h = o.h;
    return (struct ui_rect){o.x + (o.w - w) / 2, o.y + (o.h - h) / 2, w, h};
}

bool ui_rect_contains(struct ui_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

struct ui_rect ui_rect_intersect(struct ui_rect a, struct ui_rect b)
{
    int x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
    int x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
    int y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;
    if (x1 <= x0 || y1 <= y0)
        return (struct ui_rect){x0, y0, 0, 0};
    return (struct ui_rect){x0, y0, x1 - x0, y1 - y0};
}

/* ---- commands */

void ui_push_cmd(struct ui_ctx *ui, const struct ui_cmd *c)
{
    if (ui->ncmds == ui->capcmds) {
        size_t n = ui->capcmds ? ui->capcmds * 2 : 256;
        struct ui_cmd *v = realloc(ui->cmds, n * sizeof(*v));
        if (!v)
            return;   /* out of memory: the frame loses a command, nothing crashes */
        ui->cmds = v;
        ui->capcmds = n;
    }
    ui->cmds[ui->ncmds++] = *c;
}

void ui_fill(struct ui_ctx *ui, struct ui_rect r, ui_color c, int radius)
{
    if (r.w <= 0 || r.h <= 0)
        return;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_FILL, .rect = r, .color = c, .radius = radius});
}

void ui_frame(struct ui_ctx *ui, struct ui_rect r, ui_color c, int radius, int thickness)
{
    if (r.w <= 0 || r.h <= 0 || thickness <= 0)
        return;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_FRAME, .rect = r, .color = c,
                                     .radius = radius, .thickness = thickness});
}

void ui_draw_block(struct ui_ctx *ui, const struct text_block *b, int x, int y, ui_color c)
{
    if (!b || !b->alpha || b->ink_w <= 0)
        return;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_TEXT, .role = ui->role,
                                     .rect = {x + b->ink_x, y + b->ink_y, b->ink_w, b->ink_h},
                                     .color = c, .text = b});
}

enum ui_role ui_set_role(struct ui_ctx *ui, enum ui_role role)
{
    enum ui_role old = (enum ui_role)ui->role;
    ui->role = (uint8_t)role;
    return old;
}

void ui_draw_block_vcenter(struct ui_ctx *ui, const struct text_block *b, int x,
                           struct ui_rect r, ui_color c)
{
    if (!b)
        return;
    /* Nastaliq: centre the ink, not the line box, which is mostly air above
     * the letters (box-centred labels look low). Latin: centre the box, so
     * labels with and without descenders share a baseline. */
    int y = b->urdu && b->ink_h ? r.y + (r.h - b->ink_h) / 2 - b->ink_y
                                : r.y + (r.h - b->height) / 2;
    ui_draw_block(ui, b, x, y, c);
}

void ui_draw_icon(struct ui_ctx *ui, enum text_icon icon, struct ui_rect r, ui_color c)
{
    int size = r.w < r.h ? r.w : r.h;
    const struct text_block *b = text_icon(ui->text, icon, size);
    if (b)
        ui_draw_block(ui, b, r.x + (r.w - size) / 2, r.y + (r.h - size) / 2, c);
}

void ui_draw_image(struct ui_ctx *ui, struct ui_image *img, struct ui_rect r)
{
    if (!img || r.w <= 0 || r.h <= 0)
        return;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_IMAGE, .rect = r, .image = img});
}

void ui_draw_image_cover(struct ui_ctx *ui, struct ui_image *img, struct ui_rect r)
{
    if (!img || r.w <= 0 || r.h <= 0 || img->w <= 0 || img->h <= 0)
        return;
    struct ui_rect src = {0, 0, img->w, img->h};
    if ((long)img->w * r.h > (long)img->h * r.w) {
        src.w = (int)((long)img->h * r.w / r.h);
        src.x = (img->w - src.w) / 2;
    } else {
        src.h = (int)((long)img->w * r.h / r.w);
        src.y = (img->h - src.h) / 2;
    }
    if (src.w < 1)
        src.w = 1;
    if (src.h < 1)
        src.h = 1;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_IMAGE, .rect = r, .image = img, .src = src});
}

struct ui_rect ui_clip_rect(const struct ui_ctx *ui)
{
    if (ui->nclip == 0)
        return (struct ui_rect){0, 0, ui->w, ui->h};
    return ui->clip[ui->nclip - 1];
}

void ui_clip_push(struct ui_ctx *ui, struct ui_rect r)
{
    struct ui_rect c = ui_rect_intersect(ui_clip_rect(ui), r);
    if (ui->nclip < UI_MAX_CLIP)
        ui->clip[ui->nclip++] = c;
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_CLIP, .rect = c});
}

void ui_clip_pop(struct ui_ctx *ui)
{
    if (ui->nclip > 0)
        ui->nclip--;
    struct ui_rect c = ui->nclip ? ui->clip[ui->nclip - 1] : (struct ui_rect){0, 0, -1, -1};
    ui_push_cmd(ui, &(struct ui_cmd){.kind = UI_CMD_CLIP, .rect = c});
}

void ui_focus_ring(struct ui_ctx *ui, struct ui_rect r, int radius)
{
    const struct ui_theme *t = &ui->theme;
    int g = t->focus_gap, w = t->focus_w;
    /* Two tones so the ring shows on the light page and on the dark bar. */
    ui_frame(ui, ui_inset(r, -g), t->focus_inner, radius + g, g);
    ui_frame(ui, ui_inset(r, -(g + w)), t->focus, radius + g + w, w);
}

/* ---- text */

int ui_font_size(const struct ui_ctx *ui, enum ui_font f)
{
    const struct ui_theme *t = &ui->theme;
    switch (f) {
    case UI_FONT_SMALL: return t->font_small;
    case UI_FONT_BUTTON: return t->font_button;
    case UI_FONT_TITLE: return t->font_title;
    case UI_FONT_BAR: return t->font_bar;
    default: return t->font_body;
    }
}

struct text_style ui_style(const struct ui_ctx *ui, enum ui_font f)
{
    struct text_style st;
    text_style_init(&st);
    st.size = ui_font_size(ui, f);
    st.dir = (uint8_t)ui->dir;
    memcpy(st.lang, ui->lang, sizeof st.lang);
    st.weight = (f == UI_FONT_TITLE || f == UI_FONT_BAR) ? TEXT_BOLD : TEXT_REGULAR;
    if (f == UI_FONT_TITLE)
        st.line_spacing = 85;   /* headings are short: less air above them */
    return st;
}

const struct text_block *ui_text_block(struct ui_ctx *ui, const char *s, enum ui_font f,
                                       int width, enum text_align align, int max_lines)
{
    struct text_style st = ui_style(ui, f);
    st.max_width = width > 0 ? width : 0;
    st.align = (uint8_t)align;
    st.max_lines = max_lines;
    return text_get(ui->text, s ? s : "", &st);
}

int ui_label(struct ui_ctx *ui, struct ui_rect r, const char *s, enum ui_font f, ui_color c,
             enum text_align align)
{
    const struct text_block *b = ui_text_block(ui, s, f, r.w, align, 0);
    if (!b)
        return 0;
    ui_draw_block(ui, b, r.x, r.y, c);
    return b->height;
}

int ui_text_height(struct ui_ctx *ui, const char *s, enum ui_font f, int width)
{
    const struct text_block *b = ui_text_block(ui, s, f, width, TEXT_ALIGN_START, 0);
    return b ? b->height : 0;
}

/* ---- images */

struct ui_image *ui_image_create(struct ui_ctx *ui, int w, int h, const uint8_t *rgba)
{
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384)
        return NULL;
    struct ui_image *img = calloc(1, sizeof(*img));
    if (!img)
        return NULL;
    img->rgba = rgba ? malloc((size_t)w * h * 4) : calloc((size_t)w * h, 4);
    if (!img->rgba) {
        free(img);
        return NULL;
    }
    if (rgba)
        memcpy(img->rgba, rgba, (size_t)w * h * 4);
    img->w = w;
    img->h = h;
    img->serial = ui->next_image_serial++;
    return img;
}

void ui_image_destroy(struct ui_ctx *ui, struct ui_image *img)
{
    if (!img)
        return;
    /* The renderer drops its texture copy (zeroed) at the next frame. */
    if (ui->ndead == ui->capdead) {
        size_t n = ui->capdead ? ui->capdead * 2 : 64;
        uint64_t *v = realloc(ui->dead, n * sizeof(*v));
        if (v) {
            ui->dead = v;
            ui->capdead = n;
        }
    }
    if (ui->ndead < ui->capdead)
        ui->dead[ui->ndead++] = img->serial;
    /* Volatile stores so the wipe of a person's picture is not optimised away. */
    volatile uint8_t *p = img->rgba;
    for (size_t i = 0, n = (size_t)img->w * img->h * 4; i < n; i++)
        p[i] = 0;
    free(img->rgba);
    free(img);
}

uint8_t *ui_image_pixels(struct ui_image *img) { return img ? img->rgba : NULL; }

void ui_image_changed(struct ui_image *img)
{
    if (img)
        img->version++;
}

int ui_image_width(const struct ui_image *img) { return img ? img->w : 0; }
int ui_image_height(const struct ui_image *img) { return img ? img->h : 0; }

size_t ui_take_dead_images(struct ui_ctx *ui, uint64_t *out, size_t max)
{
    size_t n = ui->ndead < max ? ui->ndead : max;
    if (n == 0)
        return 0;
    memcpy(out, ui->dead, n * sizeof(*out));
    memmove(ui->dead, ui->dead + n, (ui->ndead - n) * sizeof(*out));
    ui->ndead -= n;
    return n;
}

/* ---- hits, clicks, scrolls */

struct ui_rect ui_add_hit(struct ui_ctx *ui, uint32_t id, struct ui_rect r, uint8_t flags)
{
    struct hit_list *h = &ui->hits;
    struct ui_rect vis = ui_rect_intersect(ui_clip_rect(ui), r);
    if (h->n == h->cap) {
        size_t n = h->cap ? h->cap * 2 : 64;
        struct ui_hit *v = realloc(h->v, n * sizeof(*v));
        if (!v)
            return vis;
        h->v = v;
        h->cap = n;
    }
    if (flags)
        flags |= ui->hit_extra;
    h->v[h->n++] = (struct ui_hit){.id = id, .r = r, .vis = vis, .flags = flags,
                                   .layer = ui->layer, .owner = ui->scroll_owner};
    return vis;
}

bool ui_take_click(struct ui_ctx *ui, uint32_t id)
{
    for (int i = 0; i < ui->nclicked; i++) {
        if (ui->clicked[i] == id) {
            ui->clicked[i] = ui->clicked[--ui->nclicked];
            ui->want_frame = true;
            return true;
        }
    }
    return false;
}

int ui_take_scroll(struct ui_ctx *ui, uint32_t id)
{
    int dy = 0;
    for (int i = 0; i < ui->nscrolls;) {
        if (ui->scrolls[i].id == id) {
            dy += ui->scrolls[i].dy;
            ui->scrolls[i] = ui->scrolls[--ui->nscrolls];
        } else {
            i++;
        }
    }
    return dy;
}

static void queue_click(struct ui_ctx *ui, uint32_t id)
{
    if (ui->nclicked < UI_MAX_EVENTS)
        ui->clicked[ui->nclicked++] = id;
}

static void queue_scroll(struct ui_ctx *ui, uint32_t id, int dy)
{
    for (int i = 0; i < ui->nscrolls; i++) {
        if (ui->scrolls[i].id == id) {
            ui->scrolls[i].dy += dy;
            return;
        }
    }
    if (ui->nscrolls < UI_MAX_EVENTS) {
        ui->scrolls[ui->nscrolls].id = id;
        ui->scrolls[ui->nscrolls].dy = dy;
        ui->nscrolls++;
    }
}

/* Under a dialog only the dialog and the top bar take input. */
static bool allowed(const struct ui_ctx *ui, const struct ui_hit *h)
{
    return !ui->modal_prev || h->layer > 0 || (h->flags & HIT_ALWAYS);
}

static const struct ui_hit *hit_at(const struct ui_ctx *ui, int x, int y, uint8_t want)
{
    for (size_t i = ui->prev.n; i-- > 0;) {
        const struct ui_hit *h = &ui->prev.v[i];
        if ((h->flags & want) && allowed(ui, h) && ui_rect_contains(h->vis, x, y))
            return h;
    }
    return NULL;
}

static const struct ui_hit *find_prev(const struct ui_ctx *ui, uint32_t id)
{
    for (size_t i = 0; i < ui->prev.n; i++)
        if (ui->prev.v[i].id == id)
            return &ui->prev.v[i];
    return NULL;
}

/* ---- pointer input */

bool ui_input_pointer_move(struct ui_ctx *ui, int x, int y, bool touch)
{
    ui->px = x;
    ui->py = y;
    bool changed = false;
    if (ui->pdown && ui->drag_scroll) {
        int slop = (int)(12 * ui->theme.scale) + 4;
        if (!ui->dragging && abs(y - ui->press_y) > slop) {
            ui->dragging = true;
            ui->active = 0;   /* a drag is a scroll, not a tap */
            ui->drag_last_y = ui->press_y;
        }
        if (ui->dragging) {
            queue_scroll(ui, ui->drag_scroll, ui->drag_last_y - y);
            ui->drag_last_y = y;
            changed = true;
        }
    }
    uint32_t hot = 0;
    if (!touch) {
        const struct ui_hit *h = hit_at(ui, x, y, HIT_CLICK);
        hot = h ? h->id : 0;
    }
    if (hot != ui->hot) {
        ui->hot = hot;
        changed = true;
    }
    return changed;
}

bool ui_input_pointer_button(struct ui_ctx *ui, int x, int y, bool down, bool touch)
{
    ui->px = x;
    ui->py = y;
    ui->ptouch = touch;
    if (down) {
        ui->pdown = true;
        ui->focus_visible = false;
        ui->dragging = false;
        ui->press_y = y;
        const struct ui_hit *h = hit_at(ui, x, y, HIT_CLICK);
        ui->active = h ? h->id : 0;
        if (h && (h->flags & HIT_FOCUS))
            ui->focus = h->id;
        const struct ui_hit *s = hit_at(ui, x, y, HIT_SCROLL);
        ui->drag_scroll = s ? s->id : 0;
        if (touch)
            ui->hot = 0;
        return true;
    }
    if (!ui->pdown)
        return false;
    ui->pdown = false;
    if (ui->active && !ui->dragging) {
        const struct ui_hit *h = hit_at(ui, x, y, HIT_CLICK);
        if (h && h->id == ui->active)
            queue_click(ui, h->id);
    }
    ui->active = 0;
    ui->dragging = false;
    ui->drag_scroll = 0;
    return true;
}

bool ui_input_wheel(struct ui_ctx *ui, int x, int y, int dy)
{
    const struct ui_hit *s = hit_at(ui, x, y, HIT_SCROLL);
    if (!s)
        return false;
    queue_scroll(ui, s->id, -dy * (int)(60 * ui->theme.scale));
    return true;
}

/* ---- keyboard */

static bool focusable(const struct ui_ctx *ui, const struct ui_hit *h)
{
    return (h->flags & HIT_FOCUS) && allowed(ui, h);
}

static void focus_to(struct ui_ctx *ui, uint32_t id)
{
    if (id && id != ui->focus) {
        ui->focus = id;
        ui->focus_moved = true;
        ui->focus_by_key = true;
    }
}

static void focus_step(struct ui_ctx *ui, int step)
{
    size_t n = ui->prev.n;
    if (!n)
        return;
    size_t cur = n;   /* n: nothing focused yet */
    for (size_t i = 0; i < n; i++)
        if (ui->prev.v[i].id == ui->focus && focusable(ui, &ui->prev.v[i]))
            cur = i;
    for (size_t k = 1; k <= n; k++) {
        size_t i;
        if (cur == n)
            i = step > 0 ? k - 1 : n - k;
        else
            i = step > 0 ? (cur + k) % n : (cur + n - k) % n;
        if (focusable(ui, &ui->prev.v[i])) {
            focus_to(ui, ui->prev.v[i].id);
            return;
        }
    }
}

/* Nearest focusable widget in a screen direction (dx, dy): within a cone
 * around that direction, scored by distance along it plus twice the
 * sideways offset. */
static void focus_spatial(struct ui_ctx *ui, int dx, int dy)
{
    const struct ui_hit *cur = find_prev(ui, ui->focus);
    if (!cur || !focusable(ui, cur)) {
        focus_step(ui, 1);
        return;
    }
    long cx = cur->r.x + cur->r.w / 2, cy = cur->r.y + cur->r.h / 2;
    long best = -1;
    uint32_t best_id = 0;
    for (size_t i = 0; i < ui->prev.n; i++) {
        const struct ui_hit *h = &ui->prev.v[i];
        if (h->id == cur->id || !focusable(ui, h))
            continue;
        long hx = h->r.x + h->r.w / 2, hy = h->r.y + h->r.h / 2;
        long along = dx ? (hx - cx) * dx : (hy - cy) * dy;
        long side = dx ? labs(hy - cy) : labs(hx - cx);
        if (along <= 0 || side > 2 * along)
            continue;
        long score = along + 2 * side;
        if (best < 0 || score < best) {
            best = score;
            best_id = h->id;
        }
    }
    focus_to(ui, best_id);
}

bool ui_input_key(struct ui_ctx *ui, enum ui_key key, bool shift)
{
    if (key >= UI_KEY_BACKSPACE)
        return false;   /* a screen's key (digits, Backspace, V): no focus ring either */
    const struct ui_hit *cur = find_prev(ui, ui->focus);
    bool was_visible = ui->focus_visible;
    if (key != UI_KEY_ESCAPE)
        ui->focus_visible = true;
    /* Keys that scroll the focused scroll area, or the one holding the
     * focused item. */
    uint32_t scroll_id = 0;
    if (cur && (cur->flags & HIT_SCROLL))
        scroll_id = cur->id;
    else if (cur && cur->owner)
        scroll_id = cur->owner;
    const struct ui_hit *sa = scroll_id ? find_prev(ui, scroll_id) : NULL;
    int page = sa ? sa->r.h * 3 / 4 : 0;
    int line = (int)(60 * ui->theme.scale);

    switch (key) {
    case UI_KEY_TAB:
        if (!was_visible && cur)
            return true;   /* the first Tab only shows where the focus is */
        focus_step(ui, shift ? -1 : 1);
        return true;
    case UI_KEY_UP:
    case UI_KEY_DOWN:
        if (cur && (cur->flags & HIT_SCROLL) && !(cur->flags & HIT_CLICK)) {
            queue_scroll(ui, cur->id, key == UI_KEY_UP ? -line : line);
            return true;
        }
        if (!was_visible && cur)
            return true;
        focus_spatial(ui, 0, key == UI_KEY_UP ? -1 : 1);
        return true;
    case UI_KEY_LEFT:
    case UI_KEY_RIGHT:
        if (!was_visible && cur)
            return true;
        focus_spatial(ui, key == UI_KEY_LEFT ? -1 : 1, 0);
        return true;
    case UI_KEY_PAGEUP:
    case UI_KEY_PAGEDOWN:
        if (sa)
            queue_scroll(ui, sa->id, key == UI_KEY_PAGEUP ? -page : page);
        return true;
    case UI_KEY_HOME:
    case UI_KEY_END:
        if (sa && (sa->flags & HIT_FOCUS) && sa->id == ui->focus) {
            queue_scroll(ui, sa->id, key == UI_KEY_HOME ? -1000000 : 1000000);
            return true;
        }
        for (size_t k = 0; k < ui->prev.n; k++) {
            size_t i = key == UI_KEY_HOME ? k : ui->prev.n - 1 - k;
            if (focusable(ui, &ui->prev.v[i])) {
                focus_to(ui, ui->prev.v[i].id);
                break;
            }
        }
        return true;
    case UI_KEY_ENTER:
    case UI_KEY_SPACE:
        if (cur && (cur->flags & HIT_CLICK) && allowed(ui, cur))
            queue_click(ui, cur->id);
        else if (cur && !cur->flags)
            ;   /* a disabled button keeps the focus: Enter does nothing, as a tap would */
        else
            focus_step(ui, 1);
        return true;
    case UI_KEY_ESCAPE:
        if (ui->modal_prev)
            ui->dialog_escape = true;
        else
            ui->escape = true;
        return true;
    default:
        return false;
    }
}

bool ui_input_event(struct ui_ctx *ui, const struct ui_event *e)
{
    switch (e->kind) {
    case UI_EV_POINTER_MOVE:
        return ui_input_pointer_move(ui, e->x, e->y, e->touch);
    case UI_EV_POINTER_DOWN:
    case UI_EV_POINTER_UP:
        if (!e->primary)
            return false;
        return ui_input_pointer_button(ui, e->x, e->y, e->kind == UI_EV_POINTER_DOWN, e->touch);
    case UI_EV_WHEEL:
        return e->dy ? ui_input_wheel(ui, ui->px, ui->py, e->dy) : false;
    case UI_EV_KEY_DOWN:
        return ui_input_key(ui, (enum ui_key)e->key, e->shift);
    default:
        return false;   /* key up and text are the screens' */
    }
}

uint32_t ui_pressed(const struct ui_ctx *ui)
{
    return ui->pdown && !ui->dragging ? ui->active : 0;
}

void ui_press_cancel(struct ui_ctx *ui)
{
    ui->active = 0;
    ui->want_frame = true;
}

bool ui_pointer_down(const struct ui_ctx *ui) { return ui->pdown; }

struct ui_rect ui_bar_mark(const struct ui_ctx *ui) { return ui->bar_mark; }

bool ui_escape(struct ui_ctx *ui)
{
    bool e = ui->escape;
    ui->escape = false;
    return e;
}

bool ui_focus_visible(const struct ui_ctx *ui) { return ui->focus_visible; }

void ui_set_focus(struct ui_ctx *ui, uint32_t id)
{
    ui->focus = id;
    ui->focus_moved = true;
    ui->want_frame = true;
}

uint32_t ui_focus(const struct ui_ctx *ui) { return ui->focus; }

/* ---- voice hooks */

void ui_set_voice(struct ui_ctx *ui, const struct ui_voice *v)
{
    if (v)
        ui->voice = *v;
    else
        memset(&ui->voice, 0, sizeof ui->voice);
}

void ui_set_text_scale(struct ui_ctx *ui, int percent)
{
    ui->text_pct = percent < 100 ? 100 : percent > 150 ? 150 : percent;
    compute_theme(&ui->theme, ui->w, ui->h, ui->text_pct);
    ui->want_frame = true;
}

int ui_text_scale(const struct ui_ctx *ui) { return ui->text_pct; }

void ui_voice_widget(struct ui_ctx *ui, uint32_t id, const char *label, bool clicked)
{
    if (!ui->voice.say || !label || !*label)
        return;
    if (clicked)
        ui->voice.say(ui->voice.ctx, label, true);
    else if (ui->focus_by_key && ui->focus == id)
        ui->voice.say(ui->voice.ctx, label, false);
}

struct ui_image *ui_voice_pictogram(struct ui_ctx *ui, const char *label)
{
    return ui->voice.pictogram && label ? ui->voice.pictogram(ui->voice.ctx, label) : NULL;
}
