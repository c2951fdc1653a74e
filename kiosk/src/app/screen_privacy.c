/* Step 2, how it works, in three short pages that cannot be skipped (Next
 * goes one page on, Back one page back; nothing scrolls at 1024x600):
 *   code  the picture's secret code: a picture -> its code -> a copy with
 *         the same code found (the picture StopNCII and Take It Down use);
 *         the pictures stay on the phone
 *   next  what happens next, and what this cannot do
 *   exit  quick exit, and that no one here sees the pictures
 * Each page: its picture, large, at the start; a title and two short
 * points with an icon each; dots saying which page of three. */
#include "screen_util.h"

#include <math.h>

#define NEXT_ID "privacy.next"
#define BACK_ID "privacy.back"

enum page_id { P_CODE, P_NEXT, P_EXIT, P_COUNT };

static const char *const part_names[P_COUNT] = {"code", "next", "exit"};
/* The page's picture (assets/icons/<name>.svg). */
static const char *const pictures[P_COUNT] = {"secret-code", "code-sent", "quick-exit"};

static struct {
    enum page_id page;
    struct ui_scroll scroll;
} st;

static void focus_next(struct app *a) { ui_set_focus(app_ui(a), ui_id(NEXT_ID)); }

static void enter(struct app *a)
{
    st.page = P_CODE;
    st.scroll = (struct ui_scroll){0};
    focus_next(a);
}

static const char *part(const struct app *a)
{
    (void)a;
    return part_names[st.page];
}

static void go_page(struct app *a, enum page_id p)
{
    st.page = p;
    st.scroll = (struct ui_scroll){0};
    /* A new page is a new view for narration and tests; focus follows. */
    app_part_changed(a);
}

static void back(struct app *a)
{
    if (st.page == P_CODE)
        app_back(a);
    else
        go_page(a, st.page - 1);
}

static void next(struct app *a)
{
    if (st.page + 1 < P_COUNT)
        go_page(a, st.page + 1);
    else
        app_next(a);
}

/* Esc goes back one page, not one screen. */
static bool event(struct app *a, const struct ui_event *e)
{
    if (e->kind == UI_EV_KEY_DOWN && e->key == UI_KEY_ESCAPE && st.page != P_CODE) {
        back(a);
        return true;
    }
    return false;
}

struct point {
    int icon;
    const char *text;
};

static int S(const struct ui_theme *t, float v) { return (int)lroundf(v * t->scale); }

/* Which page of three: a dot each, the current one filled. */
static void draw_dots(struct ui_ctx *ui, struct ui_rect r)
{
    const struct ui_theme *t = ui_theme(ui);
    int d = S(t, 14), gap = S(t, 12);
    int w = P_COUNT * d + (P_COUNT - 1) * gap;
    if (r.w < w)
        return;
    /* ui_cut_start: the first page's dot at the reading start. */
    struct ui_rect row = {r.x + (r.w - w) / 2, r.y + (r.h - d) / 2, w, d};
    for (int i = 0; i < P_COUNT; i++) {
        struct ui_rect c = ui_cut_start(ui, &row, d);
        ui_cut_start(ui, &row, gap);
        if (i == (int)st.page)
            ui_fill(ui, c, t->primary, d / 2);
        else
            ui_frame(ui, c, t->primary, d / 2, S(t, 2));
    }
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    bool last = st.page + 1 == P_COUNT;
    switch (page_nav(ui, &p, BACK_ID, _("Back"), NEXT_ID, last ? _("I understand") : _("Next"),
                     false)) {
    case NAV_BACK: back(a); return;
    case NAV_NEXT: next(a); return;
    default: break;
    }
    draw_dots(ui, p.nav);

    const char *title = NULL;
    struct point pts[2];
    switch (st.page) {
    case P_CODE:
        title = _("How it works");
        pts[0] = (struct point){TEXT_ICON_LOCK,
                               _("Your pictures stay on your phone. They are not copied, saved or "
                                 "sent anywhere.")};
        pts[1] = (struct point){TEXT_ICON_KEY,
                                _("This machine makes a secret code from each picture or video you "
                                  "choose. Only the code is sent. No one can make the picture "
                                  "again from its code.")};
        break;
    case P_NEXT:
        title = _("What happens next");
        pts[0] = (struct point){TEXT_ICON_UPLOAD,
                                _("The secret codes are sealed and sent to the helpline. Websites "
                                  "and apps that take part look for copies with the same code and "
                                  "remove them.")};
        pts[1] = (struct point){TEXT_ICON_INFO,
                                _("What it cannot do: it cannot delete pictures from anyone's "
                                  "phone or from private chats such as WhatsApp, and it may not "
                                  "find a copy that was cut or changed a lot.")};
        break;
    default:
        title = _("You can stop at any time");
        pts[0] = (struct point){TEXT_ICON_EXIT, _("To stop at any time, press Leave now at the "
                                                  "top. What you chose here is erased from this "
                                                  "machine at once.")};
        pts[1] = (struct point){TEXT_ICON_EYE,
                                _("No one here sees your pictures. On the screen they stay "
                                  "blurred, unless you press and hold one.")};
        break;
    }

    /* The page's picture, large, at the start of the body; the title and the
     * points beside it. As large as it can be without costing the words more
     * than a line (a narrower column wraps more) or making them scroll. */
    struct ui_image *pic = narration_pictogram(a->narr, pictures[st.page]);
    static const float sizes[] = {170, 140, 112, 88};
    enum { NSIZES = sizeof sizes / sizeof sizes[0] };
    int totals[NSIZES] = {0};
    for (int k = 0; k < NSIZES; k++) {
        struct ui_rect c = p.body;
        if (pic) {
            ui_cut_start(ui, &c, S(t, sizes[k]));
            ui_cut_start(ui, &c, S(t, 24));
        }
        totals[k] = ui_text_height(ui, title, UI_FONT_TITLE, c.w) + t->gap;
        for (int i = 0; i < 2; i++)
            totals[k] += icon_row(ui, c, pts[i].icon, t->primary, pts[i].text, UI_FONT_BODY, true) +
                         (i ? 0 : t->gap);
        if (!pic)
            break;
    }
    /* One line more than the fewest is worth a larger picture. */
    int line = ui_text_height(ui, title, UI_FONT_BODY, p.body.w);
    int best = NSIZES - 1;
    for (int k = 0; pic && k < NSIZES - 1; k++)
        if (totals[k] <= totals[NSIZES - 1] + line && totals[k] <= p.body.h) {
            best = k;
            break;
        }
    int psz = pic ? S(t, sizes[best]) : 0;
    int total = pic ? totals[best] : totals[0];
    struct ui_rect col = p.body;
    if (pic) {
        ui_cut_start(ui, &col, psz);
        ui_cut_start(ui, &col, S(t, 24));
    }
    if (pic) {
        struct ui_rect side = p.body;
        struct ui_rect pr = ui_cut_start(ui, &side, psz);
        ui_draw_image(ui, pic, (struct ui_rect){pr.x, p.body.y + S(t, 8), psz, psz});
    }
    /* The big picture is the page's: no second, small one at the title. */
    page_set_step_pictogram(NULL);
    /* The title above the scroll area: Nastaliq's ink rises above its line,
     * and a scroll area's clip would cut it. */
    struct page tp = {.col = col, .body = col, .nav = {0}};
    page_title(ui, &tp, title, -1);
    int th = tp.body.y - col.y;
    ui_cut_top(&col, th);
    total = total > th ? total - th : 0;
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "privacy.points", col, total, &st.scroll);
    struct page in = {.col = col, .body = col, .nav = {0}};
    in.body.y -= st.scroll.offset;
    in.body.h = total;
    for (int i = 0; i < 2; i++) {
        int h = icon_row(ui, in.body, pts[i].icon, t->primary, pts[i].text, UI_FONT_BODY, false);
        ui_cut_top(&in.body, h + t->gap);
    }
    ui_scroll_end(ui, &sa);
}

const struct screen screen_privacy = {
    .name = "privacy",
    .enter = enter,
    .event = event,
    .draw = draw,
    .part = part,
    .part_enter = focus_next,
};
