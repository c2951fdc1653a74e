/* Step 3, short questions, one per page:
 *   age          was the person under 18 when it was taken? (decides the
 *                route: Take It Down for under 18, StopNCII for adults; not
 *                sure -> a short explanation, then the route for young people)
 *   who          the person in it, a parent or trusted adult, or a helper
 *   content      what kind of pictures? A neutral title; the question itself
 *                in body text, never a headline read from across the room
 *                (no -> this is not the right place, and where to get help
 *                instead). "Someone is threatening me" opens threats: what
 *                to do about someone threatening to share them (as Take It
 *                Down advises), then back to the question
 *   consent      adults, reported by someone else (a helper, a parent or
 *                trusted adult): is the person in the pictures here, and do
 *                they agree? StopNCII takes only the person's own
 *                report (no -> no_consent: what they can do; nothing queued)
 *   origin       young people: taken on this phone, or copies? Take It Down
 *                asks for the pictures from the device they were taken on
 *                (copies or not sure -> copies: what that means, and where
 *                the helpline may refer it). The answer goes in the report
 *   platforms    the sites that check the codes on this route (config
 *                [platforms]), and that a site's moderators may look at a
 *                matching copy, as StopNCII says
 * Nothing moves on by itself: the person picks, then presses Next. */
#include "screen_util.h"

#include <stdio.h>

enum page_id {
    P_AGE, P_NOT_SURE, P_WHO, P_CONTENT, P_NOT_FOR_THIS,
    P_CONSENT, P_NO_CONSENT, P_ORIGIN, P_COPIES, P_THREATS, P_PLATFORMS
};

static const char *const part_names[] = {"age",     "not_sure",   "who",    "content",
                                         "not_for_this", "consent", "no_consent", "origin",
                                         "copies",  "threats",    "platforms"};

static struct {
    enum page_id page;
    struct ui_scroll list, text;
} st;

/* The answer list of a question page and where its answer is kept (NULL:
 * an information page). */
static int *answer_of(struct app *a, enum page_id p, const char **list)
{
    struct session *s = &a->session;
    switch (p) {
    case P_AGE: *list = "questions.age"; return &s->age;
    case P_WHO: *list = "questions.who"; return &s->who;
    case P_CONTENT: *list = "questions.content"; return &s->content;
    case P_CONSENT: *list = "questions.consent"; return &s->consent;
    case P_ORIGIN: *list = "questions.origin"; return &s->origin;
    default: *list = NULL; return NULL;
    }
}

static void focus_first(struct app *a)
{
    const char *list;
    int *sel = answer_of(a, st.page, &list);
    if (!sel)
        ui_set_focus(app_ui(a), ui_id(st.page == P_THREATS ? "questions.back" : "questions.next"));
    else
        ui_set_focus(app_ui(a), ui_id_index(ui_id(list), *sel >= 0 ? *sel : 0));
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
    /* Coming back from "Connect" lands on the last page. */
    if (a->session.content != CONTENT_UNSET && a->session.who != WHO_UNSET)
        st.page = P_PLATFORMS;
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

/* The page before the sites' list: the last question of the route. */
static enum page_id before_platforms(const struct session *s)
{
    if (session_asks_consent(s))
        return P_CONSENT;
    if (session_asks_origin(s))
        return s->origin == ORIGIN_ORIGINAL ? P_ORIGIN : P_COPIES;
    return P_CONTENT;
}

static void back(struct app *a)
{
    switch (st.page) {
    case P_AGE: app_back(a); break;
    case P_NOT_SURE: go_page(a, P_AGE); break;
    case P_WHO: go_page(a, a->session.age == AGE_NOT_SURE ? P_NOT_SURE : P_AGE); break;
    case P_CONTENT: go_page(a, P_WHO); break;
    case P_NOT_FOR_THIS: go_page(a, P_CONTENT); break;
    case P_THREATS: go_page(a, P_CONTENT); break;
    case P_CONSENT: go_page(a, P_CONTENT); break;
    case P_NO_CONSENT: go_page(a, P_CONSENT); break;
    case P_ORIGIN: go_page(a, P_CONTENT); break;
    case P_COPIES: go_page(a, P_ORIGIN); break;
    case P_PLATFORMS: go_page(a, before_platforms(&a->session)); break;
    }
}

static void next(struct app *a)
{
    const struct session *s = &a->session;
    switch (st.page) {
    case P_AGE: go_page(a, s->age == AGE_NOT_SURE ? P_NOT_SURE : P_WHO); break;
    case P_NOT_SURE: go_page(a, P_WHO); break;
    case P_WHO: go_page(a, P_CONTENT); break;
    case P_CONTENT:
        if (s->content == CONTENT_NO)
            go_page(a, P_NOT_FOR_THIS);
        else if (session_asks_consent(s))
            go_page(a, P_CONSENT);
        else if (session_asks_origin(s))
            go_page(a, P_ORIGIN);
        else
            go_page(a, P_PLATFORMS);
        break;
    case P_CONSENT: go_page(a, s->consent == CONSENT_YES ? P_PLATFORMS : P_NO_CONSENT); break;
    case P_ORIGIN: go_page(a, s->origin == ORIGIN_ORIGINAL ? P_PLATFORMS : P_COPIES); break;
    case P_COPIES: go_page(a, P_PLATFORMS); break;
    case P_THREATS: go_page(a, P_CONTENT); break;
    case P_PLATFORMS: app_next(a); break;
    /* Nothing was chosen or fingerprinted yet: finishing queues nothing. */
    case P_NOT_FOR_THIS:
    case P_NO_CONSENT: app_finish(a); break;
    }
}

/* Esc goes back one page, not one screen. */
static bool event(struct app *a, const struct ui_event *e)
{
    if (e->kind == UI_EV_KEY_DOWN && e->key == UI_KEY_ESCAPE && st.page != P_AGE) {
        back(a);
        return true;
    }
    return false;
}

/* A question page: the title, then (softly, in body text) the question
 * itself or a hint, then the answers. */
static void question(struct ui_ctx *ui, struct page *p, const char *id, const char *title,
                     const char *ask, const char *hint, const char *const *items, int n, int *value)
{
    const struct ui_theme *t = ui_theme(ui);
    page_title(ui, p, title, TEXT_ICON_HELP);
    if (ask)
        page_text(ui, p, ask, UI_FONT_BODY, t->text);
    if (hint)
        page_text(ui, p, hint, UI_FONT_SMALL, t->muted);
    int want = ui_list_height(ui, items, n);
    struct ui_rect lr = p->body;
    if (lr.h > want)
        lr.h = want;
    ui_list(ui, id, lr, items, n, value, &st.list);
    ui_cut_top(&p->body, lr.h + t->gap);
}

/* Points with an icon each, then (with referrals) the helplines, in one
 * scroll region under the title: the points come first, in view. */
struct point {
    int icon;
    const char *text;
};

static void points_and_referrals(struct app *a, struct ui_ctx *ui, struct page *p, const char *id,
                                 const struct point *pts, int n, bool referrals)
{
    const struct ui_theme *t = ui_theme(ui);
    int total = 0, h[8];
    for (int i = 0; i < n && i < 8; i++) {
        h[i] = icon_row(ui, (struct ui_rect){p->body.x, 0, p->body.w, 0}, pts[i].icon, t->primary,
                        pts[i].text, UI_FONT_BODY, true);
        total += h[i] + t->gap / 2;
    }
    int rh = referrals ? draw_referrals(a, ui, (struct ui_rect){p->body.x, 0, p->body.w, 0}, true) : 0;
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, id, p->body, total + (referrals ? t->gap / 2 + rh : 0), &st.text);
    int y = p->body.y - st.text.offset;
    for (int i = 0; i < n && i < 8; i++) {
        icon_row(ui, (struct ui_rect){p->body.x, y, p->body.w, h[i]}, pts[i].icon, t->primary,
                 pts[i].text, UI_FONT_BODY, false);
        y += h[i] + t->gap / 2;
    }
    if (referrals)
        draw_referrals(a, ui, (struct ui_rect){p->body.x, y + t->gap / 2, p->body.w, rh}, false);
    ui_scroll_end(ui, &sa);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    struct session *s = &a->session;
    const char *list;
    const int *answer = answer_of(a, st.page, &list);
    bool chosen = !answer || *answer >= 0;
    const char *next_label = _("Next");
    if (st.page == P_NOT_FOR_THIS || st.page == P_NO_CONSENT)
        next_label = _("Finish");
    else if (st.page == P_THREATS)
        next_label = NULL;   /* back to the question: only Back */
    switch (page_nav(ui, &p, "questions.back", _("Back"), "questions.next", next_label, !chosen)) {
    case NAV_BACK: back(a); return;
    case NAV_NEXT: next(a); return;
    default: break;
    }

    switch (st.page) {
    case P_AGE: {
        const char *items[] = {_("Yes, under 18"), _("No, 18 or older"), _("I am not sure")};
        question(ui, &p, "questions.age",
                 _("Was the person in the pictures under 18 when they were taken?"), NULL,
                 _("This decides where the picture codes go: Take It Down for people under 18, "
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
        question(ui, &p, "questions.who", _("Who are you?"), NULL, NULL, items, 3, &s->who);
        break;
    }
    case P_CONTENT: {
        /* A neutral title anyone passing may read; the question itself is
         * body text, for the person at the screen. */
        const char *items[] = {_("Yes"), _("No")};
        question(ui, &p, "questions.content", _("What kind of pictures are they?"),
                 _("Are the pictures or videos nude, partly nude or sexual?"),
                 _("Only pictures and videos like these can be reported here."), items, 2,
                 &s->content);
        struct ui_button_spec b = {.label = _("Someone is threatening me"), .icon = TEXT_ICON_WARNING,
                                   .style = UI_BUTTON_SECONDARY};
        int bw = ui_button_width(ui, &b);
        if (bw > p.body.w)
            bw = p.body.w;
        struct ui_rect br = ui_cut_top(&p.body, t->button_h);
        if (ui_button(ui, "questions.threats", ui_cut_start(ui, &br, bw), &b))
            go_page(a, P_THREATS);
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
    case P_THREATS: {
        /* Take It Down's advice on sextortion, in the order to act on it. */
        page_title(ui, &p, _("If someone threatens you"), TEXT_ICON_SHIELD);
        const struct point pts[] = {
            {TEXT_ICON_CHECK, _("It is not your fault. You can get help.")},
            {TEXT_ICON_CLOSE, _("Do not pay them, and do not send anything more. Paying does not "
                                "make them stop.")},
            {TEXT_ICON_LOCK, _("Stop replying to them. Do not delete the chat: take screenshots "
                               "of the messages and their account first.")},
            {TEXT_ICON_PHONE, _("Call a helpline. They help for free and keep it private:")},
        };
        points_and_referrals(a, ui, &p, "questions.threats.text", pts, 4, true);
        break;
    }
    case P_CONSENT: {
        const char *items[] = {_("Yes, they are here and they agree"),
                               _("No, they are not here, or they do not agree")};
        question(ui, &p, "questions.consent", _("Is the person in the pictures here with you?"),
                 _("Do they agree to make this report?"),
                 _("For adults, StopNCII only takes a report made by the person in the pictures, "
                   "or with them beside you."),
                 items, 2, &s->consent);
        break;
    }
    case P_NO_CONSENT: {
        page_title(ui, &p, _("Only they can make this report"), TEXT_ICON_INFO);
        const struct point pts[] = {
            {TEXT_ICON_INFO, _("Nothing has been saved, and nothing will be sent.")},
            {TEXT_ICON_CHECK, _("The person in the pictures can come here themselves, with you "
                                "beside them if they wish.")},
            {TEXT_ICON_PHONE, _("Or they can call a helpline, free and in confidence:")},
        };
        points_and_referrals(a, ui, &p, "questions.no_consent.text", pts, 3, true);
        break;
    }
    case P_ORIGIN: {
        const char *items[] = {_("Yes, they were taken on this phone"),
                               _("No, they are copies that were sent or saved"),
                               _("I am not sure")};
        question(ui, &p, "questions.origin", _("Were these pictures taken on this phone?"), NULL,
                 _("The originals, on the phone they were taken on, work best. Copies can be used "
                   "too."),
                 items, 3, &s->origin);
        break;
    }
    case P_COPIES: {
        page_title(ui, &p, _("Copies can be used too"), TEXT_ICON_INFO);
        const struct point pts[] = {
            {TEXT_ICON_CHECK, _("The codes of copies can still find those same copies.")},
            {TEXT_ICON_INFO, _("A copy that was changed, for example cut or filtered, may not "
                               "match.")},
            {TEXT_ICON_SHIELD, _("The helpline may also pass the case to NCMEC's CyberTipline, "
                                 "and can help you report it in Pakistan:")},
        };
        points_and_referrals(a, ui, &p, "questions.copies.text", pts, 3, true);
        break;
    }
    case P_PLATFORMS: {
        page_title(ui, &p, _("Where the codes are checked"), TEXT_ICON_INFO);
        char names[600], line[800];
        const char *list_text = platforms_text(a, session_route(s), names, sizeof names);
        if (list_text)
            /* The names on a line of their own, left to right in Urdu too. */
            snprintf(line, sizeof line, "%s\n%s", _("These sites and apps check the codes:"), list_text);
        else
            snprintf(line, sizeof line, "%s", _("A staff member can tell you which sites check the codes."));
        const struct point pts[] = {
            {TEXT_ICON_CHECK, line},
            {TEXT_ICON_EYE, _("If a site finds a picture that matches, a person who checks "
                              "pictures there may look at that copy before removing it.")},
            {TEXT_ICON_INFO, _("Sites that are not on this list cannot check the codes.")},
        };
        points_and_referrals(a, ui, &p, "questions.platforms.text", pts, 3, false);
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
