/* Step 7, review: how many fingerprints are ready, the weak (low-quality)
 * ones explained, each shown as a short letter-number code (as StopNCII
 * does) that the person can remove. Files that could not be used are
 * counted, not sent. */
#include "screen_util.h"

#include <stdio.h>
#include <string.h>

static struct {
    struct ui_scroll list;
    char *remove;   /* path to remove before the next frame (session memory) */
} st;

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    ui_set_focus(a->ui, ui_id("review.next"));
}

static void leave(struct app *a)
{
    (void)a;
    session_free(st.remove);
    memset(&st, 0, sizeof st);
}

static void update(struct app *a)
{
    app_take_media_events(a, APP_EV_DEVICES | MEDIA_EV_FOLDER | MEDIA_EV_THUMBS);
    if (st.remove) {
        session_unselect(&a->session, st.remove);
        session_free(st.remove);
        st.remove = NULL;
    }
}

/* The width for the title when the count fits beside it on one line, else 0. */
static int compact_title_width(struct ui_ctx *ui, const struct page *p, const char *title, const char *head)
{
    const struct ui_theme *t = ui_theme(ui);
    const struct text_block *tb = ui_text_block(ui, title, UI_FONT_TITLE, 0, TEXT_ALIGN_START, 0);
    const struct text_block *hb = ui_text_block(ui, head, UI_FONT_BODY, 0, TEXT_ALIGN_START, 0);
    if (!tb || !hb)
        return 0;
    /* The step's pictogram (or the icon) and its gap, and a margin so the
     * title never wraps. */
    int tw = tb->text_width + (int)(76 * t->scale) + (int)(16 * t->scale) + (int)(10 * t->scale);
    return tw + t->pad + hb->text_width <= p->body.w ? tw : 0;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct session *s = &a->session;
    struct session_counts c;
    session_counts(s, &c);
    struct page p;
    page_begin(ui, area, false, true, &p);
    switch (page_nav(ui, &p, "review.back", _("Back"), "review.next", _("Next"), c.done == 0)) {
    case NAV_BACK: app_back(a); return;
    case NAV_NEXT: app_next(a); return;
    default: break;
    }
    size_t photos = 0, videos = 0;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].state == ITEM_DONE) {
            photos += s->items[i].kind == MEDIA_KIND_PHOTO;
            videos += s->items[i].kind == MEDIA_KIND_VIDEO;
        }
    char head[300];
    if (c.done)
        /* TRANSLATORS: %1$d fingerprints in all: %2$d of photos, %3$d of videos. */
        snprintf(head, sizeof head, _("Fingerprints ready: %d (photos: %d, videos: %d)."), (int)c.done,
                 (int)photos, (int)videos);
    else
        snprintf(head, sizeof head, "%s", _("There are no fingerprints left. Go back to choose pictures."));
    /* The list needs the height (three rows or more on a netbook): the
     * count goes beside the title when both fit on one line, and the note
     * about files left out between Back and Next when it fits there. */
    const char *title = _("Check the fingerprints");
    int title_w = compact_title_width(ui, &p, title, head);
    if (title_w > 0) {
        struct ui_rect row = p.body;
        struct page tp = p;
        tp.body = ui_cut_start(ui, &row, title_w);
        page_title(ui, &tp, title, TEXT_ICON_FINGERPRINT);
        int th = tp.body.y - p.body.y;
        ui_cut_start(ui, &row, t->pad);
        const struct text_block *hb = ui_text_block(ui, head, UI_FONT_BODY, row.w, TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, hb, row.x, (struct ui_rect){row.x, row.y, row.w, th - t->gap / 2}, t->text);
        ui_cut_top(&p.body, th);
    } else {
        page_title(ui, &p, title, TEXT_ICON_FINGERPRINT);
        page_text(ui, &p, head, UI_FONT_BODY, t->text);
    }
    if (c.low_quality) {
        char lq[400];
        /* TRANSLATORS: how many fingerprints are marked "weak". */
        snprintf(lq, sizeof lq,
                 _("Marked \"weak\": %d. The picture is very plain, dark or small, so its "
                   "fingerprint may find fewer copies. It is still sent."),
                 (int)c.low_quality);
        int h = icon_row(ui, p.body, TEXT_ICON_INFO, t->primary, lq, UI_FONT_SMALL, false);
        ui_cut_top(&p.body, h + t->gap / 2);
    }
    if (c.failed) {
        char fl[300];
        /* TRANSLATORS: files that could not be used are left out of the report. */
        snprintf(fl, sizeof fl, _("Not included, because they could not be used: %d."), (int)c.failed);
        int nh = icon_row(ui, p.nav, TEXT_ICON_WARNING, t->muted, fl, UI_FONT_SMALL, true);
        const struct text_block *fb = ui_text_block(ui, fl, UI_FONT_SMALL, 0, TEXT_ALIGN_START, 1);
        if (fb && nh <= p.nav.h && fb->text_width + (int)(60 * t->scale) <= p.nav.w) {
            struct ui_rect nr = ui_center(p.nav, p.nav.w, nh);
            icon_row(ui, nr, TEXT_ICON_WARNING, t->muted, fl, UI_FONT_SMALL, false);
        } else {
            int h = icon_row(ui, p.body, TEXT_ICON_WARNING, t->muted, fl, UI_FONT_SMALL, false);
            ui_cut_top(&p.body, h + t->gap / 2);
        }
    }

    /* One row per fingerprint: kind, code, name, Remove. */
    int rowh = (int)(88 * t->scale), gap = (int)(8 * t->scale);
    if (rowh < t->touch + 8)
        rowh = t->touch + 8;
    int content = (int)c.done * (rowh + gap);
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "review.list", p.body, content, &st.list);
    uint32_t rm_base = ui_id("review.remove");
    int y = p.body.y - st.list.offset, k = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        if (it->state != ITEM_DONE)
            continue;
        struct ui_rect r = {p.body.x, y, p.body.w, rowh};
        uint32_t rid = ui_id_index(rm_base, k);
        ui_scroll_follow_focus(ui, &st.list, rid, k * (rowh + gap), rowh);
        y += rowh + gap;
        k++;
        bool visible = !(r.y + r.h < p.body.y || r.y > p.body.y + p.body.h);
        struct ui_rect in = ui_inset(r, (int)(10 * t->scale));
        struct ui_button_spec rb = {.label = _("Remove"), .icon = TEXT_ICON_CLOSE,
                                    .style = UI_BUTTON_SECONDARY};
        struct ui_rect br = ui_cut_end(ui, &in, ui_button_width(ui, &rb));
        if (visible)
            draw_card(ui, r);
        /* Registered even when scrolled away, so Tab reaches every row. */
        if (ui_button_id(ui, rid, br, &rb) && !st.remove) {
            st.remove = session_strdup(it->path);
            app_redo_frame(a);
        }
        if (!visible)
            continue;
        ui_cut_end(ui, &in, t->gap);
        int isz = (int)(36 * t->scale);
        struct ui_rect ir = ui_cut_start(ui, &in, isz);
        ui_draw_icon(ui, it->kind == MEDIA_KIND_VIDEO ? TEXT_ICON_VIDEO : TEXT_ICON_IMAGE,
                     ui_center(ir, isz, isz), t->primary);
        ui_cut_start(ui, &in, (int)(14 * t->scale));
        /* The code in Latin letters, left to right in both languages. */
        struct text_style cs;
        text_style_init(&cs);
        cs.size = t->font_title;
        cs.weight = TEXT_BOLD;
        cs.dir = TEXT_DIR_LTR;
        memcpy(cs.lang, "en", 3);
        const struct text_block *cb = text_get(ui_text_ctx(ui), it->code, &cs);
        int cw = cb ? cb->text_width : 0;
        struct ui_rect cr = ui_cut_start(ui, &in, cw);
        if (cb)
            ui_draw_block_vcenter(ui, cb, cr.x, cr, t->text);
        ui_cut_start(ui, &in, (int)(20 * t->scale));
        const char *tag = it->low_quality ? _("weak") : NULL;
        if (tag) {
            const struct text_block *tb = ui_text_block(ui, tag, UI_FONT_SMALL, 0, TEXT_ALIGN_START, 1);
            int tw = (tb ? tb->text_width : 0) + (int)(20 * t->scale);
            struct ui_rect tr = ui_cut_start(ui, &in, tw);
            tr = ui_center(tr, tw, (int)(36 * t->scale));
            ui_fill(ui, tr, 0xFFF2E3C2u, tr.h / 2);
            if (tb)
                ui_draw_block_vcenter(ui, tb, tr.x + (tr.w - tb->text_width) / 2 - (tb->nlines ? tb->lines[0].x : 0),
                                      tr, t->text);
            ui_cut_start(ui, &in, (int)(14 * t->scale));
        }
        const struct text_block *nb = ui_text_block(ui, it->name, UI_FONT_SMALL, in.w, TEXT_ALIGN_START, 1);
        if (nb && in.w > 0)
            ui_draw_block_vcenter(ui, nb, in.x, in, t->muted);
    }
    ui_scroll_end(ui, &sa);
}

const struct screen screen_review = {
    .name = "review",
    .enter = enter,
    .leave = leave,
    .update = update,
    .draw = draw,
};
