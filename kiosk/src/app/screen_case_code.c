/* Step 9, the case code: shown only after the report was durably queued
 * (or, in demo mode, marked as practice). One column, so that what matters
 * is seen first without scrolling, also on a 1024x600 netbook: the case
 * code and PIN large (digits only) with a QR code of both and nothing else
 * (libqrencode) for people who prefer to photograph it; what they are for
 * and whom to call (numbers from the config). Below: keep them safe (they
 * cannot be recovered) and what this can and cannot do. */
#include "screen_util.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    struct ui_image *qr;
    int qr_size;
    char qr_for[REPORT_CASE_CODE_LEN + 1];   /* the code the QR image shows */
    struct ui_scroll main;
    bool confirm;
} st;

static void drop_qr(struct app *a)
{
    ui_image_destroy(a->ui, st.qr);   /* zeroed */
    st.qr = NULL;
    st.qr_size = 0;
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    ui_set_focus(a->ui, ui_id("case_code.done"));
}

static void leave(struct app *a)
{
    drop_qr(a);
    sodium_memzero(&st, sizeof st);
}

/* The QR code drawn at exactly `size` px (whole pixels per module, a
 * quiet zone of four modules), so it stays sharp without scaling. */
static struct ui_image *make_qr(struct app *a, int size)
{
    const struct session *s = &a->session;
    /* The code and PIN only: a photo of it on a phone that someone else
     * looks through must not say what it is for (the screen marks a
     * practice code; the practice code itself is no secret). */
    char text[64];
    snprintf(text, sizeof text, "%s %s", s->receipt.case_code, s->receipt.pin);
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    sodium_memzero(text, sizeof text);
    if (!q)
        return NULL;
    int modules = q->width + 8;
    int px = size / modules;
    if (px < 1)
        px = 1;
    int dim = px * modules;
    struct ui_image *img = ui_image_create(a->ui, dim, dim, NULL);
    if (img) {
        uint8_t *p = ui_image_pixels(img);
        memset(p, 255, (size_t)dim * dim * 4);
        for (int y = 0; y < q->width; y++)
            for (int x = 0; x < q->width; x++) {
                if (!(q->data[y * q->width + x] & 1))
                    continue;
                for (int dy = 0; dy < px; dy++) {
                    uint8_t *row = p + ((size_t)((y + 4) * px + dy) * dim + (size_t)(x + 4) * px) * 4;
                    for (int dx = 0; dx < px; dx++) {
                        row[4 * dx] = row[4 * dx + 1] = row[4 * dx + 2] = 0x10;
                        row[4 * dx + 3] = 255;
                    }
                }
            }
        ui_image_changed(img);
    }
    sodium_memzero(q->data, (size_t)q->width * q->width);
    QRcode_free(q);
    return img;
}

static const struct text_block *latin(struct ui_ctx *ui, const char *s, int size)
{
    struct text_style st_;
    text_style_init(&st_);
    st_.size = size;
    st_.weight = TEXT_BOLD;
    st_.dir = TEXT_DIR_LTR;
    memcpy(st_.lang, "en", 3);
    return text_get(ui_text_ctx(ui), s, &st_);
}

/* The card: one line each for the code and the PIN (label at the start,
 * digits after it), the QR code at the end and, in demo mode, a practice
 * marker between them (above them when there is no room). Returns its
 * height (measure_only: nothing drawn). */
static int draw_code(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    const struct session *s = &a->session;
    int pad = t->gap / 2 + t->gap / 4;
    struct ui_rect in = ui_inset((struct ui_rect){r.x, r.y, r.w, 100000}, pad);
    int big = (int)(t->font_title * 1.4f);
    const struct text_block *lb[2] = {
        ui_text_block(ui, _("Your case code"), UI_FONT_BODY, 0, TEXT_ALIGN_START, 1),
        ui_text_block(ui, _("Secret number"), UI_FONT_BODY, 0, TEXT_ALIGN_START, 1),
    };
    const struct text_block *vb[2] = {latin(ui, s->receipt.case_code, big), latin(ui, s->receipt.pin, big)};
    int lw = 0, vw = 0, lh[2];
    for (int i = 0; i < 2; i++) {
        int w = lb[i] ? lb[i]->text_width : 0;
        lw = w > lw ? w : lw;
        w = vb[i] ? vb[i]->text_width : 0;
        vw = w > vw ? w : vw;
        int h1 = lb[i] ? lb[i]->height : 0, h2 = vb[i] ? vb[i]->height : 0;
        lh[i] = h1 > h2 ? h1 : h2;
    }
    int text_h = lh[0] + t->gap / 2 + lh[1];
    /* The QR code as tall as the two lines (whole pixels per module). */
    int qsz = text_h, cap = (int)(200 * t->scale);
    qsz = qsz > cap ? cap : qsz < 100 ? 100 : qsz;
    int body_h = text_h > qsz ? text_h : qsz;
    /* The practice marker: between the digits and the QR code if it fits. */
    const struct text_block *db = NULL;
    int dpad = t->gap, free_w = in.w - qsz - lw - vw - 4 * t->gap;
    bool beside = false;
    if (s->demo) {
        const char *dt = _("DEMO: this is not a real case code");
        db = ui_text_block(ui, dt, UI_FONT_SMALL, 0, TEXT_ALIGN_CENTER, 1);
        beside = db && db->text_width + 2 * dpad <= free_w;
        int half = db ? db->text_width * 3 / 5 : 0;
        if (!beside && half > 0 && half + 2 * dpad <= free_w) {
            /* on two lines of about the same length (no word alone on the
             * second), if they fit beside the digits */
            db = ui_text_block(ui, dt, UI_FONT_SMALL, half, TEXT_ALIGN_CENTER, 0);
            beside = db && db->nlines <= 2 && db->height + t->gap / 2 <= body_h;
        }
        if (!beside)
            db = ui_text_block(ui, dt, UI_FONT_SMALL, in.w, TEXT_ALIGN_CENTER, 0);
    }
    int top = in.y + (db && !beside ? db->height + t->gap : 0);
    int h = body_h + (top - in.y) + 2 * pad;
    if (measure_only)
        return h;
    draw_card(ui, (struct ui_rect){r.x, r.y, r.w, h});
    struct ui_rect row = {in.x, top, in.w, body_h};
    struct ui_rect qr = ui_cut_end(ui, &row, qsz);
    ui_cut_end(ui, &row, t->gap);
    if (db) {
        struct ui_rect dr = beside ? ui_center(ui_cut_end(ui, &row, db->text_width + 2 * dpad),
                                              db->text_width + 2 * dpad, db->height + t->gap / 2)
                                   : (struct ui_rect){in.x, in.y, in.w, db->height + t->gap / 2};
        ui_fill(ui, dr, t->banner, t->radius / 2);
        ui_draw_block_vcenter(ui, db, beside ? dr.x + dpad - (db->nlines ? db->lines[0].x : 0) : dr.x, dr,
                              t->on_banner);
    }
    if (!st.qr || st.qr_size != qsz || strcmp(st.qr_for, s->receipt.case_code)) {
        drop_qr(a);
        st.qr = make_qr(a, qsz);
        st.qr_size = qsz;
        snprintf(st.qr_for, sizeof st.qr_for, "%s", s->receipt.case_code);
    }
    if (st.qr) {
        int d = ui_image_width(st.qr);
        ui_draw_image(ui, st.qr, (struct ui_rect){qr.x + (qr.w - d) / 2, top + (body_h - d) / 2, d, d});
    }
    int y = top + (body_h - text_h) / 2;
    for (int i = 0; i < 2; i++) {
        struct ui_rect line = {row.x, y, row.w, lh[i]};
        struct ui_rect lr = ui_cut_start(ui, &line, lw);
        ui_cut_start(ui, &line, t->gap);
        if (lb[i])
            ui_draw_block_vcenter(ui, lb[i], lr.x, lr, t->muted);
        const struct text_block *b = vb[i];
        if (b) {
            /* The digits next to their label, left to right in both languages. */
            int off = b->nlines ? b->lines[0].x : 0;
            int x = ui_dir(ui) == TEXT_DIR_RTL ? line.x + line.w - b->text_width - off : line.x - off;
            ui_draw_block_vcenter(ui, b, x, line, t->text);
        }
        y += lh[i] + t->gap / 2;
    }
    return h;
}

/* Everything under the title in one column, the most needed first; returns
 * the height (measure_only: nothing drawn). */
static int draw_column(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    int y = r.y;
    /* 1. The code and PIN. */
    int ch = draw_code(a, ui, (struct ui_rect){r.x, y, r.w, 0}, true);
    if (!measure_only)
        draw_code(a, ui, (struct ui_rect){r.x, y, r.w, ch}, false);
    y += ch + t->gap / 2;
    /* 2. What they are for, and whom to call. */
    const char *use = _("To ask about your report, call a helpline and tell them this code and "
                        "secret number.");
    y += icon_row(ui, (struct ui_rect){r.x, y, r.w, 0}, TEXT_ICON_INFO, t->primary, use, UI_FONT_SMALL,
                  measure_only) +
         t->gap / 2;
    int rh = draw_helplines(a, ui, (struct ui_rect){r.x, y, r.w, 0}, true, true);
    if (!measure_only)
        draw_helplines(a, ui, (struct ui_rect){r.x, y, r.w, rh}, true, false);
    y += rh + t->gap / 2;
    /* 3. Keep them safe, in a tinted card. */
    const char *advice = _("Write down your case code and secret number, or take a photo of the "
                           "QR code with your phone. Keep them private. If you lose them, no "
                           "one can find them again: not even the helpline.");
    int apad = t->gap / 2 + 2;
    struct ui_rect ain = ui_inset((struct ui_rect){r.x, y, r.w, 0}, apad);
    int ah = icon_row(ui, ain, TEXT_ICON_LOCK, t->primary, advice, UI_FONT_BODY, true) + 2 * apad;
    if (!measure_only) {
        struct ui_rect ar = {r.x, y, r.w, ah};
        ui_fill(ui, ar, t->selected, t->radius);
        icon_row(ui, ui_inset(ar, apad), TEXT_ICON_LOCK, t->primary, advice, UI_FONT_BODY, false);
    }
    y += ah + t->gap;
    /* 4. What this can and cannot do. */
    const char *pts[] = {
        _("Websites and apps that take part will look for copies with these picture codes and "
          "remove them."),
        _("It cannot reach WhatsApp or other private chats that are end-to-end encrypted."),
        _("A copy that was cut, edited or filtered a lot may not be found."),
        _("Websites that do not take part are not reached. The helplines below can help with "
          "those."),
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        y += icon_row(ui, (struct ui_rect){r.x, y, r.w, 0}, TEXT_ICON_INFO, t->primary, pts[i],
                      UI_FONT_SMALL, measure_only) +
             t->gap / 2;
    return y - r.y;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "case_code.done", _("I have saved my code"), false) == NAV_NEXT)
        st.confirm = true;
    /* Beside it: hear the code, one digit at a time, as often as wanted (to
     * memorise it, or record it on one's own phone). */
    if (narration_available(a->narr)) {
        struct ui_button_spec lb = {.label = _("Listen to the code"), .icon = TEXT_ICON_SPEAKER,
                                    .style = UI_BUTTON_SECONDARY};
        int bw = ui_button_width(ui, &lb);
        if (bw > p.nav.w)
            bw = p.nav.w;
        if (ui_button(ui, "case_code.listen", ui_cut_start(ui, &p.nav, bw), &lb))
            narration_say_code(a->narr, a->session.receipt.case_code, a->session.receipt.pin);
    }
    page_title(ui, &p, a->session.demo ? _("Your practice case code") : _("Your report is saved"),
               TEXT_ICON_CHECK);

    /* One column; it scrolls only for what comes after the code, the PIN,
     * what they are for and the helplines. */
    int total = draw_column(a, ui, (struct ui_rect){p.body.x, 0, p.body.w, 0}, true);
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "case_code.main", p.body, total, &st.main);
    draw_column(a, ui, (struct ui_rect){p.body.x, p.body.y - st.main.offset, p.body.w, total}, false);
    ui_scroll_end(ui, &sa);

    if (st.confirm) {
        enum ui_dialog_result r =
            ui_dialog(ui, "case_code.confirm", _("Have you saved your case code?"),
                      _("It will not be shown again."), _("Yes, I have it"), _("No, show it again"));
        if (r != UI_DIALOG_OPEN)
            st.confirm = false;
        if (r == UI_DIALOG_YES)
            app_next(a);
    }
}

const struct screen screen_case_code = {
    .name = "case_code",
    .enter = enter,
    .leave = leave,
    .draw = draw,
};
