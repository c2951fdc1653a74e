/* A phone that cannot be read yet, in words and pictures (device_help.h).
 * The words, pictograms and clips are the guide's (guide.c guide_devices);
 * this file only lays them out. */
#include "device_help.h"
#include "guide.h"

#include <math.h>
#include <stdio.h>

static int S(const struct ui_theme *t, float v) { return (int)lroundf(v * t->scale); }

/* The wait indicator: three dots, one lit in turn. */
#define DOT_MS 450

static const struct guide_device *guide_of(enum device_state s)
{
    return guide_device_find(device_state_name(s));
}

const char *device_help_clip(enum device_state s)
{
    const struct guide_device *g = guide_of(s);
    return g ? g->clip : NULL;
}

const char *device_help_title(enum device_state s)
{
    const struct guide_device *g = guide_of(s);
    return g ? _(g->title) : NULL;
}

static int dots_width(const struct ui_theme *t) { return 3 * S(t, 14) + 2 * S(t, 12); }

/* A phone is being opened: calm movement says "wait", not "broken". */
static void wait_dots(struct app *a, struct ui_ctx *ui, struct ui_rect r)
{
    const struct ui_theme *t = ui_theme(ui);
    int d = S(t, 14), gap = S(t, 12);
    Uint32 now = SDL_GetTicks();
    int lit = (int)(now / DOT_MS % 3);
    struct ui_rect row = r;
    for (int i = 0; i < 3; i++) {
        struct ui_rect c = ui_cut_start(ui, &row, d);
        ui_fill(ui, (struct ui_rect){c.x, r.y + (r.h - d) / 2, d, d}, i == lit ? t->primary : t->track,
                d / 2);
        ui_cut_start(ui, &row, gap);
    }
    app_wake_after(a, DOT_MS - now % DOT_MS);
}

/* A row: an icon or pictogram, the heading (with the wait dots after it
 * while the phone is being opened), the phone's name at the end. */
static int header(struct app *a, struct ui_ctx *ui, struct ui_rect r, const struct device_info *v,
                  const struct guide_device *g, unsigned flags, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    const bool heading = flags & (DEVICE_HELP_COMPACT | DEVICE_HELP_HEADING);
    struct ui_image *pic =
        (flags & DEVICE_HELP_COMPACT) && g->icon ? narration_pictogram(a->narr, g->icon) : NULL;
    const bool small = flags & (DEVICE_HELP_COMPACT | DEVICE_HELP_DENSE);
    const enum ui_font hf = small ? UI_FONT_SMALL : UI_FONT_BODY;
    int isz = pic ? S(t, 44) : S(t, small ? 30 : 36);
    struct ui_rect row = r;
    struct ui_rect ir = ui_cut_start(ui, &row, isz);
    ui_cut_start(ui, &row, S(t, 16));

    const struct text_block *nb = NULL;
    struct ui_rect nr = {0};
    if (flags & DEVICE_HELP_NAME) {
        int most = heading ? row.w / 3 : row.w;
        nb = ui_text_block(ui, volume_name(a, v), UI_FONT_SMALL, 0, TEXT_ALIGN_START, 1);
        if (nb && nb->width > most)
            nb = ui_text_block(ui, volume_name(a, v), UI_FONT_SMALL, most, TEXT_ALIGN_START, 1);
        if (nb) {
            nr = heading ? ui_cut_end(ui, &row, nb->width) : ui_cut_start(ui, &row, nb->width);
            ui_cut_end(ui, &row, S(t, 16));
        }
    }
    const bool waiting = heading && v->state == DEVICE_CONNECTING;
    int dw = waiting ? dots_width(t) + S(t, 16) : 0;
    const struct text_block *hb = NULL;
    if (heading) {
        const char *title = _(g->title);
        /* On one line when it fits, so the dots follow the words. */
        hb = ui_text_block(ui, title, hf, 0, TEXT_ALIGN_START, 0);
        if (hb && hb->width > row.w - dw)
            hb = ui_text_block(ui, title, hf, row.w - dw, TEXT_ALIGN_START, 0);
    }
    int th = hb ? hb->height : nb ? nb->height : 0;
    int h = th > isz ? th : isz;
    if (measure_only)
        return h;

    struct ui_rect ic = {ir.x, r.y + (h - isz) / 2, isz, isz};
    if (pic)
        ui_draw_image(ui, pic, ic);
    else
        ui_draw_icon(ui, TEXT_ICON_PHONE, ic, heading ? t->primary : t->muted);
    if (hb) {
        struct ui_rect tr = ui_cut_start(ui, &row, hb->width);
        if (hb->nlines <= 1)
            ui_draw_block_vcenter(ui, hb, tr.x, (struct ui_rect){tr.x, r.y, tr.w, h}, t->text);
        else
            ui_draw_block(ui, hb, tr.x, r.y + (h - th) / 2, t->text);
    }
    if (waiting) {
        ui_cut_start(ui, &row, S(t, 16));
        wait_dots(a, ui, (struct ui_rect){row.x, r.y, row.w, h});
    }
    if (nb)
        ui_draw_block_vcenter(ui, nb, nr.x, (struct ui_rect){nr.x, r.y, nr.w, h}, t->muted);
    return h;
}

/* What the phone shows, as it shows it, in rounded boxes like the phone's
 * own buttons (side by side while they fit): the person looks for the same
 * words. */
static int chips(struct ui_ctx *ui, struct ui_rect r, const struct guide_step *s, bool dense,
                 bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    const enum ui_font f = dense ? UI_FONT_SMALL : UI_FONT_BODY;
    int padx = S(t, dense ? 10 : 16), gap = S(t, dense ? 6 : 8);
    int y = r.y, used = 0, line_h = 0;
    for (int k = 0; k < 2 && s->shows[k]; k++) {
        /* One line at its own width; wrapped only when it cannot fit. */
        const struct text_block *b = ui_text_block(ui, s->shows[k], f, 0, TEXT_ALIGN_START, 0);
        if (b && b->width > r.w - 2 * padx)
            b = ui_text_block(ui, s->shows[k], f, r.w - 2 * padx, TEXT_ALIGN_START, 0);
        if (!b)
            continue;
        int ink = b->ink_h ? b->ink_h : b->height;
        int h = ink + 2 * S(t, dense ? 8 : 12);
        if (h < S(t, dense ? 32 : 44))
            h = S(t, dense ? 32 : 44);
        int w = b->width + 2 * padx;
        if (used && used + gap + w > r.w) {   /* a new line */
            y += line_h + gap;
            used = line_h = 0;
        }
        if (!measure_only) {
            struct ui_rect row = {r.x, y, r.w, h};
            ui_cut_start(ui, &row, used ? used + gap : 0);
            struct ui_rect c = ui_cut_start(ui, &row, w);
            ui_fill(ui, c, t->bg, h / 2);
            ui_frame(ui, c, t->primary, h / 2, t->border_w);
            ui_draw_block_vcenter(ui, b, c.x + padx, c, t->text);
        }
        used += (used ? gap : 0) + w;
        if (h > line_h)
            line_h = h;
    }
    return used ? y + line_h - r.y : 0;
}

/* One step: its pictogram with its number on the corner at the reading
 * start, the words beside it, then what the phone shows. */
static int step(struct app *a, struct ui_ctx *ui, struct ui_rect r, const struct guide_step *s, int num,
                bool dense, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    int psz = S(t, dense ? 52 : 80);
    struct ui_rect row = r;
    struct ui_rect pr = ui_cut_start(ui, &row, psz);
    ui_cut_start(ui, &row, S(t, 16));
    const struct text_block *tb =
        ui_text_block(ui, _(s->text), dense ? UI_FONT_SMALL : UI_FONT_BODY, row.w, TEXT_ALIGN_START, 0);
    int th = tb ? tb->height : 0;
    int ch = chips(ui, (struct ui_rect){row.x, r.y + th, row.w, 0}, s, dense, true);
    int h = th + (ch ? ch + S(t, 6) : 0);
    if (h < psz)
        h = psz;
    if (measure_only)
        return h;

    struct ui_image *pic = narration_pictogram(a->narr, s->icon);
    if (pic)
        ui_draw_image(ui, pic, (struct ui_rect){pr.x, r.y, psz, psz});
    const bool rtl = ui_dir(ui) == TEXT_DIR_RTL;
    int bd = S(t, dense ? 28 : 34), ring = S(t, 3);
    struct ui_rect b = {rtl ? pr.x + psz - bd + S(t, 8) : pr.x - S(t, 8), r.y - S(t, 8), bd, bd};
    ui_fill(ui, ui_inset(b, -ring), t->surface, (bd + 2 * ring) / 2);
    ui_fill(ui, b, t->primary, bd / 2);
    char n[16];
    snprintf(n, sizeof n, "%d", num);
    const struct text_block *nb =
        ui_text_block(ui, n, dense ? UI_FONT_SMALL : UI_FONT_BODY, 0, TEXT_ALIGN_START, 0);
    if (nb)
        ui_draw_block_vcenter(ui, nb, b.x + (bd - nb->width) / 2, b, t->on_primary);
    /* The words level with the picture's middle when they are short. */
    int y = r.y;
    if (!ch && th < psz)
        y += (psz - th) / 2;
    ui_draw_block(ui, tb, row.x, y, t->text);
    chips(ui, (struct ui_rect){row.x, y + th + S(t, 6), row.w, 0}, s, dense, false);
    return h;
}

/* The steps two by two, in reading order (1 2 / 3 4), numbered. */
static int steps(struct app *a, struct ui_ctx *ui, struct ui_rect r, const struct guide_device *g,
                 bool dense, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    int n = g->nsteps, gap = S(t, dense ? 20 : 28), vgap = S(t, dense ? 6 : 16);
    int cw = (r.w - gap) / 2;
    int y = r.y;
    for (int i = 0; i < n; i += 2) {
        int h = 0;
        for (int k = i; k < n && k < i + 2; k++) {
            int hh = step(a, ui, (struct ui_rect){r.x, y, cw, 0}, &g->steps[k], k + 1, dense, true);
            if (hh > h)
                h = hh;
        }
        if (!measure_only) {
            struct ui_rect row = {r.x, y, r.w, h};
            for (int k = i; k < n && k < i + 2; k++) {
                struct ui_rect c = ui_cut_start(ui, &row, cw);
                ui_cut_start(ui, &row, gap);
                step(a, ui, c, &g->steps[k], k + 1, dense, false);
            }
        }
        y += h + (i + 2 < n ? vgap : 0);
    }
    return y - r.y;
}

int device_help(struct app *a, struct ui_ctx *ui, struct ui_rect r, const struct device_info *v,
                unsigned flags, bool measure_only)
{
    const struct guide_device *g = guide_of(v->state);
    if (!g)
        return 0;
    const struct ui_theme *t = ui_theme(ui);
    const bool compact = flags & DEVICE_HELP_COMPACT;
    if (!measure_only) {
        /* The card first: what follows is drawn on it. The one with the
         * steps is framed in the action colour: it is what to do now. */
        int h = device_help(a, ui, r, v, flags, true);
        struct ui_rect c = {r.x, r.y, r.w, h};
        if (compact) {
            draw_card(ui, c);
        } else {
            ui_fill(ui, c, t->surface, t->radius);
            ui_frame(ui, c, t->primary, t->radius, t->border_w);
        }
    }
    const bool dense = flags & DEVICE_HELP_DENSE;
    int pad = compact ? S(t, 6) : S(t, dense ? 8 : 16);
    struct ui_rect in = {r.x + pad, r.y + pad, r.w - 2 * pad, 0};
    int y = in.y;
    if (compact || (flags & (DEVICE_HELP_HEADING | DEVICE_HELP_NAME))) {
        y += header(a, ui, (struct ui_rect){in.x, y, in.w, 0}, v, g, flags, measure_only);
        if (!compact)
            y += S(t, dense ? 6 : 18);
    }
    if (compact)
        return y + pad - r.y;
    if (g->nsteps > 0) {
        y += S(t, dense ? 5 : 8);   /* room for the numbers on the pictograms' corners */
        y += steps(a, ui, (struct ui_rect){in.x, y, in.w, 0}, g, dense, measure_only);
    } else if (v->state == DEVICE_CONNECTING) {
        /* The phone, the dots moving beside it, and "please wait" under them. */
        int isz = S(t, 56), dw = dots_width(t), gap = S(t, 20);
        const struct text_block *nb =
            g->note ? ui_text_block(ui, _(g->note), UI_FONT_BODY, in.w, TEXT_ALIGN_CENTER, 0) : NULL;
        if (!measure_only) {
            struct ui_rect row = {in.x + (in.w - isz - gap - dw) / 2, y, isz + gap + dw, isz};
            ui_draw_icon(ui, TEXT_ICON_PHONE, ui_cut_start(ui, &row, isz), t->primary);
            ui_cut_start(ui, &row, gap);
            wait_dots(a, ui, row);
            if (nb)
                ui_draw_block(ui, nb, in.x, y + isz + S(t, 8), t->muted);
        }
        return y + isz + S(t, 8) + (nb ? nb->height : 0) + pad - r.y;
    }
    if (g->note && (flags & DEVICE_HELP_NOTE)) {
        y += S(t, 14);
        y += icon_row(ui, (struct ui_rect){in.x, y, in.w, 0}, TEXT_ICON_INFO, t->muted, _(g->note),
                      UI_FONT_SMALL, measure_only);
    }
    return y + pad - r.y;
}
