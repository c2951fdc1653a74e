/* Layout and words shared by the flow's screens (screen_util.h). */
#include "screen_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int S(const struct ui_theme *t, float v) { return (int)lroundf(v * t->scale); }

void page_begin(struct ui_ctx *ui, struct ui_rect area, bool wide, bool nav, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    int w = area.w - 2 * t->pad;
    if (!wide && w > t->content_w)
        w = t->content_w;
    struct ui_rect in = ui_inset(area, t->pad);
    p->col = (struct ui_rect){area.x + (area.w - w) / 2, in.y, w, in.h};
    p->body = p->col;
    p->nav = (struct ui_rect){p->col.x, p->col.y + p->col.h, p->col.w, 0};
    if (nav) {
        p->nav = ui_cut_bottom(&p->body, t->button_h);
        ui_cut_bottom(&p->body, t->gap);
    }
}

static struct ui_image *step_pictogram;

void page_set_step_pictogram(struct ui_image *img) { step_pictogram = img; }

void page_title(struct ui_ctx *ui, struct page *p, const char *title, int icon)
{
    const struct ui_theme *t = ui_theme(ui);
    struct ui_rect r = p->body;
    int isz = S(t, 44);
    if (step_pictogram) {
        /* The step's pictogram, large, at the title's start: the flow can be
         * followed by picture and voice alone. */
        int psz = S(t, 76);
        struct ui_rect ir = ui_cut_start(ui, &r, psz);
        ui_cut_start(ui, &r, S(t, 16));
        const struct text_block *b = ui_text_block(ui, title, UI_FONT_TITLE, r.w, TEXT_ALIGN_START, 0);
        int h = b ? b->height : psz;
        int ty = r.y + (h < psz ? (psz - h) / 2 : 0);
        ui_draw_image(ui, step_pictogram, (struct ui_rect){ir.x, r.y, psz, psz});
        enum ui_role role = ui_set_role(ui, UI_ROLE_TITLE);
        ui_draw_block(ui, b, r.x, ty, t->text);
        ui_set_role(ui, role);
        ui_cut_top(&p->body, (h > psz ? h : psz) + t->gap / 2);
        return;
    }
    if (icon >= 0) {
        struct ui_rect ir = ui_cut_start(ui, &r, isz);
        ui_cut_start(ui, &r, S(t, 14));
        const struct text_block *b = ui_text_block(ui, title, UI_FONT_TITLE, r.w, TEXT_ALIGN_START, 0);
        int h = b ? b->height : isz;
        /* The icon sits level with the title's first line. */
        int line = b && b->nlines ? b->line_pitch : h;
        int iy = r.y + (line - isz) / 2;
        if (b && b->urdu && b->ink_h)
            iy = r.y + b->ink_y + (b->baseline - b->ink_y) / 2 - isz / 2 + S(t, 6);
        ui_draw_icon(ui, (enum text_icon)icon, (struct ui_rect){ir.x, iy, isz, isz}, t->primary);
        enum ui_role role = ui_set_role(ui, UI_ROLE_TITLE);
        ui_draw_block(ui, b, r.x, r.y, t->text);
        ui_set_role(ui, role);
        ui_cut_top(&p->body, (h > isz ? h : isz) + t->gap / 2);
        return;
    }
    enum ui_role role = ui_set_role(ui, UI_ROLE_TITLE);
    int h = ui_label(ui, r, title, UI_FONT_TITLE, t->text, TEXT_ALIGN_START);
    ui_set_role(ui, role);
    ui_cut_top(&p->body, h + t->gap / 2);
}

int page_text(struct ui_ctx *ui, struct page *p, const char *text, enum ui_font f, ui_color c)
{
    const struct ui_theme *t = ui_theme(ui);
    int h = ui_label(ui, p->body, text, f, c, TEXT_ALIGN_START);
    ui_cut_top(&p->body, h + t->gap / 2);
    return h;
}

enum nav_action page_nav(struct ui_ctx *ui, struct page *p, const char *back_id, const char *back,
                         const char *next_id, const char *next, bool next_disabled)
{
    const struct ui_theme *t = ui_theme(ui);
    enum nav_action act = NAV_NONE;
    struct ui_rect row = p->nav;
    int min_w = S(t, 220);
    if (back) {
        struct ui_button_spec b = {.label = back, .icon = ui_icon_back(ui), .style = UI_BUTTON_SECONDARY};
        int bw = ui_button_width(ui, &b);
        if (bw < min_w)
            bw = min_w;
        if (ui_button(ui, back_id, ui_cut_start(ui, &row, bw), &b))
            act = NAV_BACK;
        ui_cut_start(ui, &row, t->gap);
    }
    if (next) {
        struct ui_button_spec n = {.label = next, .icon = ui_icon_forward(ui), .style = UI_BUTTON_PRIMARY,
                                   .icon_end = true, .disabled = next_disabled};
        int nw = ui_button_width(ui, &n);
        if (nw < min_w)
            nw = min_w;
        if (nw > row.w)
            nw = row.w;
        if (ui_button(ui, next_id, ui_cut_end(ui, &row, nw), &n))
            act = NAV_NEXT;
        ui_cut_end(ui, &row, t->gap);
    }
    p->nav = row;   /* what is left between the two, for a screen's extra button */
    return act;
}

void draw_card(struct ui_ctx *ui, struct ui_rect r)
{
    const struct ui_theme *t = ui_theme(ui);
    ui_fill(ui, r, t->surface, t->radius);
    ui_frame(ui, r, t->border, t->radius, t->border_w / 2 > 0 ? t->border_w / 2 : 1);
}

int icon_row(struct ui_ctx *ui, struct ui_rect r, int icon, ui_color icon_color, const char *text,
             enum ui_font f, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    int isz = S(t, 36);
    struct ui_rect ir = ui_cut_start(ui, &r, isz);
    ui_cut_start(ui, &r, S(t, 16));
    const struct text_block *b = ui_text_block(ui, text, f, r.w, TEXT_ALIGN_START, 0);
    if (!b)
        return 0;
    if (!measure_only) {
        int iy = r.y + (b->line_pitch - isz) / 2;
        if (b->urdu && b->nlines)
            iy = r.y + b->baseline - isz + S(t, 2);
        if (icon >= 0)
            ui_draw_icon(ui, (enum text_icon)icon, (struct ui_rect){ir.x, iy, isz, isz}, icon_color);
        ui_draw_block(ui, b, r.x, r.y, t->text);
    }
    return b->height > isz ? b->height : isz;
}

int draw_referrals(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    int y = r.y, pad = S(t, 16), isz = S(t, 32);
    for (int i = 0; i < a->nreferrals; i++) {
        const struct referral *ref = &a->referrals[i];
        struct ui_rect in = {r.x + pad, y + pad / 2, r.w - 2 * pad, 0};
        struct ui_rect ir = ui_cut_start(ui, &in, isz);
        ui_cut_start(ui, &in, S(t, 14));
        const struct text_block *nb = ui_text_block(ui, referral_name(ref), UI_FONT_BODY, in.w,
                                                    TEXT_ALIGN_START, 0);
        /* The number is what matters: large, and in digits everyone reads. */
        const struct text_block *pb = ui_text_block(ui, ref->phone, UI_FONT_TITLE, in.w,
                                                    TEXT_ALIGN_START, 1);
        const char *note = referral_note(ref);
        const struct text_block *ob =
            note ? ui_text_block(ui, note, UI_FONT_SMALL, in.w, TEXT_ALIGN_START, 0) : NULL;
        int h = (nb ? nb->height : 0) + (pb ? pb->height : 0) + (ob ? ob->height : 0) + pad;
        if (!measure_only) {
            draw_card(ui, (struct ui_rect){r.x, y, r.w, h});
            int yy = in.y;
            ui_draw_icon(ui, TEXT_ICON_PHONE, (struct ui_rect){ir.x, yy + S(t, 8), isz, isz}, t->primary);
            ui_draw_block(ui, nb, in.x, yy, t->text);
            yy += nb ? nb->height : 0;
            ui_draw_block(ui, pb, in.x, yy, t->primary);
            yy += pb ? pb->height : 0;
            if (ob)
                ui_draw_block(ui, ob, in.x, yy, t->muted);
        }
        y += h + S(t, 10);
    }
    return y - r.y;
}

int draw_helplines(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool notes, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    struct text_style ns;
    text_style_init(&ns);
    ns.size = t->font_title;
    ns.weight = TEXT_BOLD;
    ns.dir = TEXT_DIR_LTR;   /* digits everyone reads, left to right */
    memcpy(ns.lang, "en", 3);
    int num_w = 0;
    for (int i = 0; i < a->nreferrals; i++) {
        const struct text_block *b = text_get(ui_text_ctx(ui), a->referrals[i].phone, &ns);
        if (b && b->text_width > num_w)
            num_w = b->text_width;
    }
    int pad = (int)(12 * t->scale), y = r.y;
    for (int i = 0; i < a->nreferrals; i++) {
        const struct referral *ref = &a->referrals[i];
        struct ui_rect in = {r.x + pad, y + pad / 2, r.w - 2 * pad, 0};
        struct ui_rect nr = ui_cut_start(ui, &in, num_w);
        ui_cut_start(ui, &in, t->gap);
        const struct text_block *pb = text_get(ui_text_ctx(ui), ref->phone, &ns);
        const struct text_block *nb = ui_text_block(ui, referral_name(ref), UI_FONT_SMALL, in.w,
                                                    TEXT_ALIGN_START, 0);
        const char *note = notes ? referral_note(ref) : NULL;
        const struct text_block *ob =
            note ? ui_text_block(ui, note, UI_FONT_SMALL, in.w, TEXT_ALIGN_START, 0) : NULL;
        int th = (nb ? nb->height : 0) + (ob ? ob->height : 0);
        int h = (pb && pb->height > th ? pb->height : th) + pad;
        if (!measure_only) {
            draw_card(ui, (struct ui_rect){r.x, y, r.w, h});
            /* The number level with the name's first line. */
            int first = nb && nb->nlines ? nb->line_pitch : th;
            if (pb)
                ui_draw_block_vcenter(ui, pb, nr.x + (ui_dir(ui) == TEXT_DIR_RTL ? num_w - pb->text_width : 0),
                                      (struct ui_rect){nr.x, in.y, num_w, first}, t->primary);
            ui_draw_block(ui, nb, in.x, in.y, t->text);
            if (ob)
                ui_draw_block(ui, ob, in.x, in.y + (nb ? nb->height : 0), t->muted);
        }
        y += h + (int)(6 * t->scale);
    }
    return y - r.y;
}

void fmt_size(char *buf, size_t n, uint64_t bytes)
{
    double gb = (double)bytes / 1e9, mb = (double)bytes / 1e6;
    if (gb >= 10)
        /* TRANSLATORS: a storage size in gigabytes. */
        snprintf(buf, n, _("%.0f GB"), gb);
    else if (gb >= 1)
        snprintf(buf, n, _("%.1f GB"), gb);
    else if (mb >= 1)
        /* TRANSLATORS: a storage size in megabytes. */
        snprintf(buf, n, _("%.0f MB"), mb);
    else
        /* TRANSLATORS: a storage size in kilobytes. */
        snprintf(buf, n, _("%.0f KB"), (double)bytes / 1e3);
}

void fmt_clock(char *buf, size_t n, int64_t ms)
{
    if (ms < 0) {
        snprintf(buf, n, "--:--");
        return;
    }
    int64_t s = (ms + 500) / 1000;
    if (s >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        snprintf(buf, n, "%d:%02d", (int)(s / 60), (int)(s % 60));
}

void fmt_time_left(char *buf, size_t n, double seconds)
{
    if (!(seconds >= 0)) {
        snprintf(buf, n, "%s", _("Working out how long this takes..."));
    } else if (seconds < 60) {
        snprintf(buf, n, "%s", _("Less than a minute left"));
    } else {
        int m = (int)((seconds + 59) / 60);
        /* TRANSLATORS: %d is a number of minutes (2 or more). */
        snprintf(buf, n, _("About %d minutes left"), m);
    }
}

const char *problem_text(enum item_problem p)
{
    switch (p) {
    case PROBLEM_CORRUPT: return _("The file is damaged or incomplete.");
    case PROBLEM_UNREADABLE: return _("The file could not be read.");
    case PROBLEM_REMOVED: return _("The device was removed.");
    case PROBLEM_NOT_MEDIA: return _("This is not a picture or a video.");
    case PROBLEM_UNSUPPORTED: return _("This kind of file cannot be used.");
    case PROBLEM_TOO_LARGE: return _("The file is too large.");
    case PROBLEM_EMPTY: return _("The file is empty.");
    case PROBLEM_CHANGED: return _("The file changed while it was being read.");
    case PROBLEM_NOMEM: return _("This machine ran out of memory.");
    case PROBLEM_NOT_ANSWERING: return _("The phone stopped answering.");
    default: return _("The file could not be read.");
    }
}

bool volume_is_courier(const struct device_info *v)
{
    /* The label image-build/rootfs/usr/lib/hifazat/media-mount looks for. */
    return v->kind == DEVICE_KIND_VOLUME && v->label && !strcasecmp(v->label, "HIFAZATOUT");
}

const char *device_state_text(enum device_state s)
{
    switch (s) {
    case DEVICE_READY: return NULL;
    case DEVICE_CONNECTING: return _("Opening...");
    case DEVICE_CHARGING_ONLY: return _("On the phone, choose \"File transfer\"");
    case DEVICE_LOCKED: return _("Unlock the phone");
    case DEVICE_UNTRUSTED: return _("Unlock the phone and tap \"Trust\"");
    case DEVICE_NOT_ANSWERING: return _("Not answering: unplug it and plug it in again");
    case DEVICE_BUSY: return _("In use by another program");
    default: return _("Cannot be read");
    }
}

const char *volume_name(const struct app *a, const struct device_info *v)
{
    if (a->default_demo)
        return _("Demo phone (practice pictures)");
    if (v->label && *v->label)
        return v->label;
    switch (v->kind) {
    case DEVICE_KIND_PHONE: return _("Phone");
    case DEVICE_KIND_IPHONE: return "iPhone";
    default: return _("Device");
    }
}

void pin_dots(struct ui_ctx *ui, struct ui_rect *r, int n, int filled, bool flash)
{
    const struct ui_theme *t = ui_theme(ui);
    int dot = (int)(22 * t->scale), dg = (int)(16 * t->scale);
    int dw = n * dot + (n - 1) * dg;
    struct ui_rect dr = ui_cut_top(r, dot + t->gap);
    for (int i = 0; i < n; i++) {
        struct ui_rect d = {dr.x + (dr.w - dw) / 2 + i * (dot + dg), dr.y, dot, dot};
        if (i < filled)
            ui_fill(ui, d, flash ? t->primary : t->text, dot / 2);
        else
            ui_frame(ui, d, flash ? t->primary : t->muted, dot / 2, 2);
    }
}

int digit_pad_key(const struct ui_event *e)
{
    if (e->kind != UI_EV_KEY_DOWN)
        return -1;
    if (e->key >= UI_KEY_0 && e->key <= UI_KEY_9)
        return e->key - UI_KEY_0;
    if (e->key == UI_KEY_BACKSPACE)
        return PAD_ERASE;
    return e->key == UI_KEY_ENTER ? PAD_OK : -1;
}

int digit_pad(struct ui_ctx *ui, const char *id, struct ui_rect r, const char *ok, bool ok_disabled,
              int *used)
{
    const struct ui_theme *t = ui_theme(ui);
    int kg = (int)(10 * t->scale);
    int kh = (r.h - 3 * kg) / 4;
    if (kh > t->button_h)
        kh = t->button_h;
    if (kh < t->touch)
        kh = t->touch;
    int kw = (int)(150 * t->scale);
    /* Keys wide enough for the action key's word, in Urdu too. */
    struct ui_button_spec okb = {.label = ok, .icon = -1};
    if (ok && kw < ui_button_width(ui, &okb))
        kw = ui_button_width(ui, &okb);
    int gx = r.x + (r.w - (3 * kw + 2 * kg)) / 2;
    static const int order[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, PAD_ERASE, 0, PAD_OK};
    uint32_t base = ui_id(id);
    int pressed = -1;
    for (int i = 0; i < 12; i++) {
        int k = order[i];
        if (k == PAD_OK && !ok)
            continue;
        char label[64];
        struct ui_button_spec b = {.label = label, .icon = -1, .style = UI_BUTTON_SECONDARY};
        if (k <= 9) {
            snprintf(label, sizeof label, "%d", k);
        } else if (k == PAD_ERASE) {
            label[0] = '\0';
            b.icon = TEXT_ICON_ERASE;
        } else {
            snprintf(label, sizeof label, "%s", ok);
            b.style = UI_BUTTON_PRIMARY;
            b.disabled = ok_disabled;
        }
        int col = i % 3, row = i / 3;
        struct ui_rect kr = {gx + col * (kw + kg), r.y + row * (kh + kg), kw, kh};
        if (ui_button_id(ui, ui_id_index(base, k), kr, &b))
            pressed = k;
    }
    if (used)
        *used = 4 * kh + 3 * kg;
    return pressed;
}
