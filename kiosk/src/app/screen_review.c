/* Step 7, review: how many fingerprints are ready, one row per picture
 * that the person can remove, the weak (low-quality) ones marked and
 * explained under the list. A row shows the picture blurred (a video its
 * poster frame), never its file name (a revealing name is read by anyone
 * passing) nor a hash (it looks like a case code): item_thumbs.h. Files
 * that could not be used are counted, not sent. */
#include "item_thumbs.h"

#include <stdio.h>
#include <string.h>

static struct {
    struct ui_scroll list;
    char *remove;   /* path to remove before the next frame (session memory) */
    struct item_thumbs *thumbs;
} st;

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    st.thumbs = item_thumbs_create();
    ui_set_focus(a->ui, ui_id("review.next"));
}

static void leave(struct app *a)
{
    session_free(st.remove);
    item_thumbs_destroy(a, st.thumbs);
    memset(&st, 0, sizeof st);
}

static void update(struct app *a)
{
    if (app_take_media_events(a, APP_EV_DEVICES | MEDIA_EV_FOLDER | MEDIA_EV_THUMBS))
        item_thumbs_update(a, st.thumbs);
    if (st.remove) {
        session_unselect(&a->session, st.remove);
        session_free(st.remove);
        st.remove = NULL;
    }
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
    page_title(ui, &p, _("Check the picture codes"), TEXT_ICON_FINGERPRINT);

    size_t photos = 0, videos = 0;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].state == ITEM_DONE) {
            photos += s->items[i].kind == MEDIA_KIND_PHOTO;
            videos += s->items[i].kind == MEDIA_KIND_VIDEO;
        }
    /* The counts in one paragraph, so that the list starts high: at least
     * three rows on a 1024x600 netbook. */
    char head[600];
    if (c.done)
        /* TRANSLATORS: %1$d fingerprints in all: %2$d of photos, %3$d of videos. */
        snprintf(head, 300, _("Picture codes ready: %d (photos: %d, videos: %d)."), (int)c.done,
                 (int)photos, (int)videos);
    else
        snprintf(head, 300, "%s", _("There are no picture codes left. Go back to choose "
                                            "pictures."));
    if (c.failed) {
        char fl[300];
        /* TRANSLATORS: files that could not be used are left out of the report. */
        snprintf(fl, sizeof fl, _("Not included, because they could not be used: %d."), (int)c.failed);
        size_t n = strlen(head);
        snprintf(head + n, sizeof head - n, " %s", fl);
    }
    page_text(ui, &p, head, UI_FONT_BODY, t->text);
    ui_cut_top(&p.body, t->gap / 2);

    /* One row per fingerprint: the picture blurred, what it is, Remove;
     * then what "weak" means. */
    int rowh = (int)(80 * t->scale), gap = (int)(8 * t->scale);
    if (rowh < t->touch + 8)
        rowh = t->touch + 8;
    char lq[400] = "";
    int lqh = 0;
    if (c.low_quality) {
        /* TRANSLATORS: how many fingerprints are marked "weak". */
        snprintf(lq, sizeof lq,
                 _("Marked \"weak\": %d. The picture is very plain, dark or small, so its code "
                   "may find fewer copies. It is still sent."),
                 (int)c.low_quality);
        lqh = icon_row(ui, p.body, TEXT_ICON_INFO, t->primary, lq, UI_FONT_SMALL, true) + gap;
    }
    /* Two columns where they fit: more pictures seen at once. */
    int cols = p.body.w >= (int)(860 * t->scale) ? 2 : 1;
    int colw = (p.body.w - (cols - 1) * gap) / cols;
    int lines = ((int)c.done + cols - 1) / cols;
    int content = lines * (rowh + gap) + lqh;
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "review.list", p.body, content, &st.list);
    uint32_t rm_base = ui_id("review.remove");
    int y = p.body.y - st.list.offset, k = 0, nphoto = 0, nvideo = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const struct session_item *it = &s->items[i];
        if (it->state != ITEM_DONE)
            continue;
        bool video = it->kind == MEDIA_KIND_VIDEO;
        int number = video ? ++nvideo : ++nphoto;
        int col = k % cols;
        int x = ui_dir(ui) == TEXT_DIR_RTL ? p.body.x + p.body.w - (col + 1) * colw - col * gap
                                           : p.body.x + col * (colw + gap);
        struct ui_rect r = {x, y, colw, rowh};
        uint32_t rid = ui_id_index(rm_base, k);
        ui_scroll_follow_focus(ui, &st.list, rid, k / cols * (rowh + gap), rowh);
        if (col == cols - 1)
            y += rowh + gap;
        k++;
        bool visible = !(r.y + r.h < p.body.y || r.y > p.body.y + p.body.h);
        struct ui_rect in = ui_inset(r, (int)(8 * t->scale));
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
        /* The picture, blurred; an icon until it comes (or when it cannot). */
        struct ui_rect tr = ui_cut_start(ui, &in, in.h);
        struct ui_image *img = item_thumb(a, st.thumbs, it->path);
        ui_fill(ui, tr, t->selected, t->radius / 2);
        if (img)
            ui_draw_image_cover(ui, img, tr);
        int isz = (int)(32 * t->scale);
        if (!img || video)
            ui_draw_icon(ui, video ? TEXT_ICON_VIDEO : TEXT_ICON_IMAGE, ui_center(tr, isz, isz),
                         img ? t->on_primary : t->primary);
        ui_cut_start(ui, &in, (int)(16 * t->scale));
        char label[120];
        /* TRANSLATORS: a row of the list: the 3rd photo, the 1st video. */
        const char *fmt = video ? _("Video %d")
                                /* TRANSLATORS: a row of the list: the 3rd photo, the 1st video. */
                                : _("Photo %d");
        snprintf(label, sizeof label, fmt, number);
        const struct text_block *lb = ui_text_block(ui, label, UI_FONT_BODY, 0, TEXT_ALIGN_START, 1);
        struct ui_rect lr = ui_cut_start(ui, &in, lb ? lb->text_width : 0);
        if (lb)
            ui_draw_block_vcenter(ui, lb, lr.x - (lb->nlines ? lb->lines[0].x : 0), lr, t->text);
        ui_cut_start(ui, &in, (int)(20 * t->scale));
        if (it->low_quality) {
            const struct text_block *tb = ui_text_block(ui, _("weak"), UI_FONT_SMALL, 0, TEXT_ALIGN_START, 1);
            int tw = (tb ? tb->text_width : 0) + (int)(20 * t->scale);
            struct ui_rect wr = ui_cut_start(ui, &in, tw);
            wr = ui_center(wr, tw, (int)(36 * t->scale));
            ui_fill(ui, wr, 0xFFF2E3C2u, wr.h / 2);
            if (tb)
                ui_draw_block_vcenter(ui, tb, wr.x + (wr.w - tb->text_width) / 2 - (tb->nlines ? tb->lines[0].x : 0),
                                      wr, t->text);
        }
    }
    if (k % cols)
        y += rowh + gap;   /* the last line was not full */
    if (lqh)
        icon_row(ui, (struct ui_rect){p.body.x, y, p.body.w, 0}, TEXT_ICON_INFO, t->primary, lq, UI_FONT_SMALL,
                 false);
    ui_scroll_end(ui, &sa);
    item_thumbs_end_frame(a, st.thumbs);
}

const struct screen screen_review = {
    .name = "review",
    .enter = enter,
    .leave = leave,
    .update = update,
    .draw = draw,
};
