/* Step 3, three short questions, one per page:
 *   age      was the person under 18 when it was taken? (decides the route:
 *            Take It Down for under 18, StopNCII for adults; not sure -> a
 *            short explanation, then the route for young people)
 *   who      the person in it, a parent or trusted adult, or a helper
 *   content  nude, partly nude or sexual? (no -> this is not the right
 *            place, and where to get help instead)
 * Nothing moves on by itself: the person picks, then presses Next. */
#include "screen_util.h"

enum page_id { P_AGE, P_NOT_SURE, P_WHO, P_CONTENT, P_NOT_FOR_THIS };

static const char *const part_names[] = {"age", "not_sure", "who", "content", "not_for_this"};

static struct {
    enum page_id page;
    struct ui_scroll list, text;
} st;

static void focus_first(struct app *a)
{
    const char *list = st.page == P_AGE ? "questions.age"
                       : st.page == P_WHO ? "questions.who"
                                          : "questions.content";
    int sel = st.page == P_AGE ? a->session.age : st.page == P_WHO ? a->session.who : a->session.content;
    if (st.page == P_NOT_SURE || st.page == P_NOT_FOR_THIS)
        ui_set_focus(app_ui(a), ui_id("questions.next"));
    else
        ui_set_focus(app_ui(a), ui_id_index(ui_id(list), sel >= 0 ? sel : 0));
}

static void go_page(struct app *a, enum page_id p)
{
    st.page = p;
    st.list = st.text = (struct ui_scroll){0};
    /* A new page is a new view for narration and tests; focus follows. */
    app_part_changed(a);
}

static void enter(struct app *a)
{
    /* Coming back from "Connect" lands on the last question. */
    if (a->session.content != CONTENT_UNSET && a->session.who != WHO_UNSET)
        st.page = P_CONTENT;
    else
        st.page = P_AGE;
    st.list = st.text = (struct ui_scroll){0};
    focus_first(a);
}

static const char *part(const struct app *a)
{
    (void)a;
    return part_names[st.page];
}

static void back(struct app *a)
{
    switch (st.page) {
    case P_AGE: app_back(a); break;
    case P_NOT_SURE: go_page(a, P_AGE); break;
    case P_WHO: go_page(a, a->session.age == AGE_NOT_SURE ? P_NOT_SURE : P_AGE); break;
    case P_CONTENT: go_page(a, P_WHO); break;
    case P_NOT_FOR_THIS: go_page(a, P_CONTENT); break;
    }
}

static void next(struct app *a)
{
    switch (st.page) {
    case P_AGE: go_page(a, a->session.age == AGE_NOT_SURE ? P_NOT_SURE : P_WHO); break;
    case P_NOT_SURE: go_page(a, P_WHO); break;
    case P_WHO: go_page(a, P_CONTENT); break;
    case P_CONTENT:
        if (a->session.content == CONTENT_NO)
            go_page(a, P_NOT_FOR_THIS);
        else
            app_next(a);
        break;
    case P_NOT_FOR_THIS: app_finish(a); break;
    }
}

/* Esc goes back one page, not one screen. */
static bool event(struct app *a, const SDL_Event *e)
{
    if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_ESCAPE && st.page != P_AGE) {
        back(a);
        return true;
    }
    return false;
}

static void question(struct app *a, struct ui_ctx *ui, struct page *p, const char *id,
                     const char *title, const char *hint, const char *const *items, int n, int *value)
{
    const struct ui_theme *t = ui_theme(ui);
    page_title(ui, p, title, TEXT_ICON_HELP);
    if (hint)
        page_text(ui, p, hint, UI_FONT_SMALL, t->muted);
    int want = ui_list_height(ui, items, n);
    struct ui_rect lr = p->body;
    if (lr.h > want)
        lr.h = want;
    ui_list(ui, id, lr, items, n, value, &st.list);
    (void)a;
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    struct session *s = &a->session;
    bool chosen = true;
    const char *next_label = _("Next");
    switch (st.page) {
    case P_AGE: chosen = s->age != AGE_UNSET; break;
    case P_WHO: chosen = s->who != WHO_UNSET; break;
    case P_CONTENT: chosen = s->content != CONTENT_UNSET; break;
    case P_NOT_FOR_THIS: next_label = _("Finish"); break;
    default: break;
    }
    switch (page_nav(ui, &p, "questions.back", _("Back"), "questions.next", next_label, !chosen)) {
    case NAV_BACK: back(a); return;
    case NAV_NEXT: next(a); return;
    default: break;
    }

    switch (st.page) {
    case P_AGE: {
        const char *items[] = {_("Yes, under 18"), _("No, 18 or older"), _("I am not sure")};
        question(a, ui, &p, "questions.age",
                 _("Was the person in the pictures under 18 when they were taken?"),
                 _("This decides where the fingerprints go: Take It Down for people under 18, "
                   "StopNCII for adults."),
                 items, 3, &s->age);
        break;
    }
    case P_NOT_SURE:
        page_title(ui, &p, _("That is all right"), TEXT_ICON_INFO);
        ui_paragraph(ui, "questions.not_sure.text", p.body,
                     _("If the person may have been under 18, we use the service for young "
                       "people, Take It Down. It works in the same way, and it keeps young people "
                       "safe. A staff member can also help you decide."),
                     UI_FONT_BODY, &st.text);
        break;
    case P_WHO: {
        const char *items[] = {_("I am the person in the pictures"),
                               _("I am their parent or a trusted adult"),
                               _("I am helping someone else")};
        question(a, ui, &p, "questions.who", _("Who are you?"), NULL, items, 3, &s->who);
        break;
    }
    case P_CONTENT: {
        const char *items[] = {_("Yes"), _("No")};
        question(a, ui, &p, "questions.content",
                 _("Are the pictures or videos nude, partly nude or sexual?"),
                 _("Only pictures and videos like these can be reported here."), items, 2,
                 &s->content);
        break;
    }
    case P_NOT_FOR_THIS: {
        page_title(ui, &p, _("This service is not for these pictures"), TEXT_ICON_INFO);
        const char *text =
            _("This service only helps with nude, partly nude or sexual pictures and videos. For "
              "other problems, such as threats, blackmail, fake accounts or harassment, these "
              "services can help:");
        int th = ui_text_height(ui, text, UI_FONT_BODY, p.body.w);
        /* Every helpline in view; their notes when there is room. */
        struct ui_rect hr = {p.body.x, 0, p.body.w, 0};
        bool notes = th + t->gap + draw_helplines(a, ui, hr, true, true) <= p.body.h;
        int rh = draw_helplines(a, ui, hr, notes, true);
        struct ui_scroll_area sa;
        ui_scroll_begin(ui, &sa, "questions.referrals", p.body, th + t->gap + rh, &st.text);
        int y = p.body.y - st.text.offset;
        ui_label(ui, (struct ui_rect){p.body.x, y, p.body.w, th}, text, UI_FONT_BODY, t->text,
                 TEXT_ALIGN_START);
        draw_helplines(a, ui, (struct ui_rect){p.body.x, y + th + t->gap, p.body.w, rh}, notes, false);
        ui_scroll_end(ui, &sa);
        break;
    }
    }
}

const struct screen screen_questions = {
    .name = "questions",
    .enter = enter,
    .event = event,
    .draw = draw,
    .part = part,
    .part_enter = focus_first,
};
