/* Step 9, the case code: shown only after the report was durably queued
 * (or, in demo mode, marked as practice). Case code and PIN large, a QR
 * code of both and nothing else (libqrencode) for people who prefer to
 * photograph it, the
 * advice to keep them safe (they cannot be recovered), what this can and
 * cannot do, and where to get help (numbers from the config). */
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
    struct ui_scroll side, main;
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

/* The card: a practice marker in demo mode, the code and PIN at the start,
 * the QR code at the end. Returns its height (measure_only: nothing drawn). */
static int draw_code(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only)
{
    const struct ui_theme *t = ui_theme(ui);
    const struct session *s = &a->session;
    int pad = t->pad / 2;
    struct ui_rect in = ui_inset((struct ui_rect){r.x, r.y, r.w, 100000}, pad);
    int y = in.y;
    const struct text_block *db = NULL;
    if (s->demo) {
        db = ui_text_block(ui, _("DEMO: this is not a real case code"), UI_FONT_SMALL, in.w,
                           TEXT_ALIGN_CENTER, 0);
        y += (db ? db->height : 0) + t->gap / 2 + t->gap / 2;
    }
    int top = y;
    /* The QR code at the end side, the code and PIN at the start. */
    int qsz = in.w * 2 / 5;
    int cap = (int)(210 * t->scale);
    if (qsz > cap)
        qsz = cap;
    struct ui_rect row = {in.x, y, in.w, qsz};
    struct ui_rect qr = ui_cut_end(ui, &row, qsz);
    ui_cut_end(ui, &row, t->gap);
    int big = (int)(t->font_title * 1.4f);
    const struct text_block *l1 = ui_text_block(ui, _("Your case code"), UI_FONT_SMALL, row.w, TEXT_ALIGN_START, 0);
    const struct text_block *cb = latin(ui, s->receipt.case_code, big);
    const struct text_block *l2 = ui_text_block(ui, _("Secret number"), UI_FONT_SMALL, row.w, TEXT_ALIGN_START, 0);
    const struct text_block *pb = latin(ui, s->receipt.pin, big);
    int text_h = (l1 ? l1->height : 0) + (cb ? cb->height : 0) + t->gap / 2 + (l2 ? l2->height : 0) +
                 (pb ? pb->height : 0);
    int h = (text_h > qsz ? text_h : qsz) + (y - in.y) + 2 * pad;
    if (measure_only)
        return h;
    draw_card(ui, (struct ui_rect){r.x, r.y, r.w, h});
    if (db) {
        struct ui_rect dr = {in.x, in.y, in.w, db->height + t->gap / 2};
        ui_fill(ui, dr, t->banner, t->radius / 2);
        ui_draw_block_vcenter(ui, db, dr.x, dr, t->on_banner);
    }
    if (!st.qr || st.qr_size != qsz || strcmp(st.qr_for, s->receipt.case_code)) {
        drop_qr(a);
        st.qr = make_qr(a, qsz);
        st.qr_size = qsz;
        snprintf(st.qr_for, sizeof st.qr_for, "%s", s->receipt.case_code);
    }
    int body_h = text_h > qsz ? text_h : qsz;
    if (st.qr) {
        int d = ui_image_width(st.qr);
        ui_draw_image(ui, st.qr, (struct ui_rect){qr.x + (qr.w - d) / 2, top + (body_h - d) / 2, d, d});
    }
    y = top + (body_h - text_h) / 2;
    const struct text_block *blocks[4] = {l1, cb, l2, pb};
    for (int i = 0; i < 4; i++) {
        const struct text_block *b = blocks[i];
        if (!b)
            continue;
        bool value = i % 2 == 1;
        int x = row.x;
        if (value && ui_dir(ui) == TEXT_DIR_RTL)
            x = row.x + row.w - b->text_width - (b->nlines ? b->lines[0].x : 0);
        else if (value)
            x = row.x - (b->nlines ? b->lines[0].x : 0);
        ui_draw_block(ui, b, x, y, value ? t->text : t->muted);
        y += b->height + (i == 1 ? t->gap / 2 : 0);
    }
    return h;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, true, true, &p);
    if (page_nav(ui, &p, NULL, NULL, "case_code.done", _("I have saved my code"), false) == NAV_NEXT)
        st.confirm = true;
    page_title(ui, &p, a->session.demo ? _("Your practice case code") : _("Your report is saved"),
               TEXT_ICON_CHECK);

    /* Start column (scrolls if it must): the code card. */
    struct ui_rect left = ui_cut_start(ui, &p.body, (p.body.w - t->pad) * 11 / 20);
    ui_cut_start(ui, &p.body, t->pad);
    struct ui_rect right = p.body;
    /* Under the card: hear the code, one character at a time, as often as
     * wanted (to memorise it, or record it on one's own phone). */
    if (narration_available(a)) {
        struct ui_button_spec lb = {.label = _("Listen to the code"), .icon = TEXT_ICON_SPEAKER,
                                    .style = UI_BUTTON_SECONDARY};
        struct ui_rect br = ui_cut_bottom(&left, t->button_h);
        ui_cut_bottom(&left, t->gap / 2);
        if (ui_button(ui, "case_code.listen", br, &lb))
            narration_say_code(a, a->session.receipt.case_code, a->session.receipt.pin);
    }
    int ch = draw_code(a, ui, left, true);
    struct ui_scroll_area la;
    ui_scroll_begin(ui, &la, "case_code.main", left, ch, &st.main);
    draw_code(a, ui, (struct ui_rect){left.x, left.y - st.main.offset, left.w, ch}, false);
    ui_scroll_end(ui, &la);

    /* End column (scrolls): what this can and cannot do, then help. */
    const char *pts[] = {
        _("Websites and apps that take part will look for copies with these picture codes and "
          "remove them."),
        _("It cannot reach WhatsApp or other private chats that are end-to-end encrypted."),
        _("A copy that was cut, edited or filtered a lot may not be found."),
        _("Websites that do not take part are not reached. The helplines below can help with "
          "those."),
    };
    const int np = (int)(sizeof pts / sizeof pts[0]);
    const char *help = _("Where to get help");
    /* First, in a tinted card: keep the code safe. */
    const char *advice = _("Write down your case code and secret number, or take a photo of the "
                           "QR code with your phone. Keep them private. If you lose them, no "
                           "one can find them again: not even the helpline.");
    int apad = t->gap / 2 + 2;
    struct ui_rect ain = ui_inset(right, apad);
    int ah = icon_row(ui, ain, TEXT_ICON_LOCK, t->primary, advice, UI_FONT_BODY, true) + 2 * apad;
    int th = ui_text_height(ui, help, UI_FONT_BODY, right.w);
    int total = ah + t->gap;
    for (int i = 0; i < np; i++)
        total += icon_row(ui, right, TEXT_ICON_INFO, t->primary, pts[i], UI_FONT_SMALL, true) +
                 t->gap / 2;
    int rh = draw_referrals(a, ui, (struct ui_rect){right.x, 0, right.w, 0}, true);
    total += t->gap + th + t->gap / 2 + rh;
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "case_code.side", right, total, &st.side);
    int y = right.y - st.side.offset;
    struct ui_rect ar = {right.x, y, right.w, ah};
    ui_fill(ui, ar, t->selected, t->radius);
    icon_row(ui, ui_inset(ar, apad), TEXT_ICON_LOCK, t->primary, advice, UI_FONT_BODY, false);
    y += ah + t->gap;
    for (int i = 0; i < np; i++)
        y += icon_row(ui, (struct ui_rect){right.x, y, right.w, 0}, TEXT_ICON_INFO, t->primary, pts[i],
                      UI_FONT_SMALL, false) +
             t->gap / 2;
    y += t->gap;
    const struct text_block *hb = ui_text_block(ui, help, UI_FONT_BODY, right.w, TEXT_ALIGN_START, 0);
    ui_draw_block(ui, hb, right.x, y, t->text);
    y += th + t->gap / 2;
    draw_referrals(a, ui, (struct ui_rect){right.x, y, right.w, rh}, false);
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
