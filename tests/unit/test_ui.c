/* UI toolkit without a window: layout mirroring, taps (mouse and touch),
 * keyboard focus and its ring, SDL events as ui events, modal dialogs, the
 * top bar under a dialog, toggle, list, grid, scrolling, theme scaling and
 * touch target sizes. The toolkit only emits commands, so everything is
 * checked on those. */
#include "check.h"
#include "text.h"
#include "ui.h"
#include "ui_internal.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct text_ctx *T;

static struct ui_ctx *new_ui(enum text_dir dir)
{
    struct ui_ctx *ui = ui_create(T);
    REQUIRE(ui, "ui_create");
    ui_set_lang(ui, dir, dir == TEXT_DIR_RTL ? "ur" : "en");
    return ui;
}

static void tap(struct ui_ctx *ui, int x, int y, bool touch)
{
    ui_input_pointer_move(ui, x, y, touch);
    ui_input_pointer_button(ui, x, y, true, touch);
    ui_input_pointer_button(ui, x, y, false, touch);
}

static const struct ui_hit *hit_of(struct ui_ctx *ui, uint32_t id)
{
    for (size_t i = 0; i < ui->prev.n; i++)
        if (ui->prev.v[i].id == id)
            return &ui->prev.v[i];
    return NULL;
}

static int count_focus_rings(struct ui_ctx *ui)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += c[i].kind == UI_CMD_FRAME && c[i].color == ui_theme(ui)->focus;
    return k;
}

static const struct ui_button_spec B = {.label = "ٹھیک ہے", .icon = -1, .style = UI_BUTTON_PRIMARY};
static const struct ui_rect RA = {100, 100, 300, 80}, RB = {500, 100, 300, 80};

/* Two buttons side by side; returns which were activated (bit 0: a, 1: b). */
static int two_buttons(struct ui_ctx *ui)
{
    ui_begin(ui, 1280, 800);
    int r = 0;
    r |= ui_button(ui, "a", RA, &B) ? 1 : 0;
    r |= ui_button(ui, "b", RB, &B) ? 2 : 0;
    ui_end(ui);
    return r;
}

static void test_mirroring(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    struct ui_rect r = {0, 0, 1000, 100};
    struct ui_rect s = ui_cut_start(ui, &r, 200);
    CHECK(s.x == 800 && s.w == 200, "RTL start cut is not on the right (x=%d)", s.x);
    struct ui_rect e = ui_cut_end(ui, &r, 100);
    CHECK(e.x == 0 && r.x == 100 && r.w == 700, "RTL end cut is not on the left");
    ui_set_lang(ui, TEXT_DIR_LTR, "en");
    r = (struct ui_rect){0, 0, 1000, 100};
    s = ui_cut_start(ui, &r, 200);
    CHECK(s.x == 0 && r.x == 200, "LTR start cut is not on the left");
    CHECK(ui_icon_forward(ui) == TEXT_ICON_ARROW_RIGHT, "LTR forward arrow");
    ui_set_lang(ui, TEXT_DIR_RTL, "ur");
    CHECK(ui_icon_forward(ui) == TEXT_ICON_ARROW_LEFT, "RTL forward arrow points left");
    struct ui_rect top = {0, 0, 100, 100};
    struct ui_rect t1 = ui_cut_top(&top, 30), b1 = ui_cut_bottom(&top, 20);
    CHECK(t1.y == 0 && t1.h == 30 && b1.y == 80 && top.y == 30 && top.h == 50, "top/bottom cuts");
    ui_destroy(ui);
}

static void test_taps(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    CHECK(two_buttons(ui) == 0, "clicked without input");
    tap(ui, 150, 130, false);
    CHECK(two_buttons(ui) == 1, "mouse tap on a missed");
    CHECK(two_buttons(ui) == 0, "a click fired twice");
    tap(ui, 600, 130, true);
    CHECK(two_buttons(ui) == 2, "touch tap on b missed");
    tap(ui, 450, 130, false);
    CHECK(two_buttons(ui) == 0, "tap between buttons clicked something");
    /* Press on a, release on b: nothing. */
    ui_input_pointer_button(ui, 150, 130, true, false);
    ui_input_pointer_move(ui, 600, 130, false);
    ui_input_pointer_button(ui, 600, 130, false, false);
    CHECK(two_buttons(ui) == 0, "press-drag-release across buttons clicked");
    /* Hover only for the mouse. */
    ui_input_pointer_move(ui, 150, 130, false);
    CHECK(ui->hot == ui_id("a"), "mouse hover not tracked");
    ui_input_pointer_move(ui, 150, 130, true);
    CHECK(ui->hot == 0, "touch should not hover");
    /* Disabled buttons take no taps and no focus. */
    struct ui_button_spec d = B;
    d.disabled = true;
    ui_begin(ui, 1280, 800);
    ui_button(ui, "d", RA, &d);
    ui_end(ui);
    tap(ui, 150, 130, false);
    ui_begin(ui, 1280, 800);
    CHECK(!ui_button(ui, "d", RA, &d), "disabled button clicked");
    ui_end(ui);
    ui_destroy(ui);
}

static void test_keyboard(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_LTR);
    two_buttons(ui);
    CHECK(count_focus_rings(ui) == 0, "focus ring without keyboard use");
    ui_input_key(ui, UI_KEY_TAB, false);
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("a"), "Tab did not focus the first button");
    CHECK(count_focus_rings(ui) == 1, "no focus ring after Tab");
    ui_input_key(ui, UI_KEY_TAB, false);
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("b"), "second Tab did not move on");
    ui_input_key(ui, UI_KEY_TAB, true);
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("a"), "Shift+Tab did not go back");
    ui_input_key(ui, UI_KEY_RIGHT, false);
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("b"), "Right arrow did not reach the button on the right");
    ui_input_key(ui, UI_KEY_ENTER, false);
    CHECK(two_buttons(ui) == 2, "Enter did not activate the focused button");
    ui_input_key(ui, UI_KEY_SPACE, false);
    CHECK(two_buttons(ui) == 2, "Space did not activate the focused button");
    /* b turns disabled under the focus (a password not yet long enough):
     * Enter does nothing and the focus stays on it, so the Enter typed
     * after the last key still reaches b once it is enabled again. */
    {
        struct ui_button_spec d = B;
        d.disabled = true;
        ui_begin(ui, 1280, 800);
        ui_button(ui, "a", RA, &B);
        ui_button(ui, "b", RB, &d);
        ui_end(ui);
        ui_input_key(ui, UI_KEY_ENTER, false);
        ui_begin(ui, 1280, 800);
        CHECK(!ui_button(ui, "a", RA, &B), "Enter on a disabled button activated another");
        CHECK(!ui_button(ui, "b", RB, &d), "Enter activated a disabled button");
        ui_end(ui);
        CHECK(ui_focus(ui) == ui_id("b"), "Enter on a disabled button moved the focus away");
        CHECK(two_buttons(ui) == 0, "b clicked while disabled");   /* b enabled again */
        ui_input_key(ui, UI_KEY_ENTER, false);
        CHECK(two_buttons(ui) == 2, "Enter on the button enabled again did not activate it");
    }
    ui_input_key(ui, UI_KEY_LEFT, false);
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("a"), "Left arrow");
    /* A tap hides the ring (touch users), the focus stays usable. */
    tap(ui, 600, 130, true);
    two_buttons(ui);
    CHECK(count_focus_rings(ui) == 0, "ring still shown after a tap");
    CHECK(!ui_focus_visible(ui), "focus still visible after a tap");
    ui_input_key(ui, UI_KEY_ESCAPE, false);
    ui_begin(ui, 1280, 800);
    CHECK(ui_escape(ui), "Esc not reported as back");
    CHECK(!ui_escape(ui), "Esc reported twice");
    ui_end(ui);
    ui_destroy(ui);
}

/* SDL events as ui events (input_sdl.c), and what the UI does with them. */
static struct ui_event from_key(Uint32 type, SDL_Keycode k, Uint16 mod, bool repeat, bool *ok)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = type;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    e.key.repeat = repeat;
    struct ui_event ev;
    *ok = ui_event_from_sdl(&e, &ev);
    return ev;
}

static void test_event_from_sdl(void)
{
    static const struct {
        SDL_Keycode sdl;
        enum ui_key key;
    } keys[] = {
        {SDLK_0, UI_KEY_0}, {SDLK_9, UI_KEY_9}, {SDLK_KP_0, UI_KEY_0}, {SDLK_KP_1, UI_KEY_1},
        {SDLK_KP_9, UI_KEY_9}, {SDLK_BACKSPACE, UI_KEY_BACKSPACE}, {SDLK_RETURN, UI_KEY_ENTER},
        {SDLK_KP_ENTER, UI_KEY_ENTER}, {SDLK_ESCAPE, UI_KEY_ESCAPE}, {SDLK_AC_BACK, UI_KEY_ESCAPE},
        {SDLK_TAB, UI_KEY_TAB}, {SDLK_SPACE, UI_KEY_SPACE}, {SDLK_v, UI_KEY_V},
        {SDLK_PAGEDOWN, UI_KEY_PAGEDOWN},
    };
    bool ok;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct ui_event ev = from_key(SDL_KEYDOWN, keys[i].sdl, 0, false, &ok);
        CHECK(ok && ev.kind == UI_EV_KEY_DOWN && ev.key == keys[i].key && !ev.repeat && !ev.shift,
              "key %d: kind %d key %d", (int)keys[i].sdl, ev.kind, ev.key);
    }
    struct ui_event ev = from_key(SDL_KEYUP, SDLK_v, 0, false, &ok);
    CHECK(ok && ev.kind == UI_EV_KEY_UP && ev.key == UI_KEY_V, "v released");
    ev = from_key(SDL_KEYDOWN, SDLK_TAB, KMOD_LSHIFT, true, &ok);
    CHECK(ok && ev.shift && ev.repeat, "Shift+Tab held: shift and repeat");
    /* Keys only the app reads (quick exit, demo restart) are no ui events. */
    ev = from_key(SDL_KEYDOWN, SDLK_F12, 0, false, &ok);
    CHECK(!ok && ev.kind == UI_EV_NONE, "F12 is the app's");

    SDL_Event e;
    memset(&e, 0, sizeof e);
    e.type = SDL_TEXTINPUT;
    snprintf(e.text.text, sizeof e.text.text, "%s", "a b");
    CHECK(ui_event_from_sdl(&e, &ev) && ev.kind == UI_EV_TEXT && !strcmp(ev.text, "a b"), "text");

    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_RIGHT;
    e.button.x = 12;
    e.button.y = 34;
    CHECK(ui_event_from_sdl(&e, &ev) && ev.kind == UI_EV_POINTER_DOWN && !ev.primary && !ev.touch &&
              ev.x == 12 && ev.y == 34,
          "right button down");
    e.type = SDL_MOUSEBUTTONUP;
    e.button.button = SDL_BUTTON_LEFT;
    e.button.which = SDL_TOUCH_MOUSEID;
    CHECK(ui_event_from_sdl(&e, &ev) && ev.kind == UI_EV_POINTER_UP && ev.primary && ev.touch,
          "finger lifted");
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEMOTION;
    e.motion.x = 5;
    e.motion.y = 6;
    CHECK(ui_event_from_sdl(&e, &ev) && ev.kind == UI_EV_POINTER_MOVE && ev.x == 5 && ev.y == 6,
          "motion");
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEWHEEL;
    e.wheel.y = 2;
    e.wheel.direction = SDL_MOUSEWHEEL_FLIPPED;
    CHECK(ui_event_from_sdl(&e, &ev) && ev.kind == UI_EV_WHEEL && ev.dy == -2, "flipped wheel");
    memset(&e, 0, sizeof e);
    e.type = SDL_WINDOWEVENT;
    CHECK(!ui_event_from_sdl(&e, &ev), "a window event is no ui event");

    /* The UI takes Tab, not the screens' keys, and only the main button. */
    struct ui_ctx *ui = new_ui(TEXT_DIR_LTR);
    two_buttons(ui);
    ev = from_key(SDL_KEYDOWN, SDLK_5, 0, false, &ok);
    CHECK(!ui_input_event(ui, &ev) && !ui_focus_visible(ui), "a digit moved the UI");
    ev = from_key(SDL_KEYDOWN, SDLK_BACKSPACE, 0, false, &ok);
    CHECK(!ui_input_event(ui, &ev) && !ui_focus_visible(ui), "Backspace moved the UI");
    ev = from_key(SDL_KEYUP, SDLK_TAB, 0, false, &ok);
    CHECK(!ui_input_event(ui, &ev), "a key released moved the UI");
    memset(&e, 0, sizeof e);
    e.type = SDL_MOUSEBUTTONDOWN;
    e.button.button = SDL_BUTTON_RIGHT;
    e.button.x = 150;
    e.button.y = 130;
    ui_event_from_sdl(&e, &ev);
    CHECK(!ui_input_event(ui, &ev), "the right button pressed a button");
    ev = from_key(SDL_KEYDOWN, SDLK_TAB, 0, false, &ok);
    CHECK(ui_input_event(ui, &ev), "Tab ignored");
    two_buttons(ui);
    CHECK(ui_focus(ui) == ui_id("a") && ui_focus_visible(ui), "Tab by ui event: the first button");
    /* A left click through ui events taps, as ui_input_pointer_*() do. */
    e.type = SDL_MOUSEMOTION;
    e.motion.x = 600;
    e.motion.y = 130;
    ui_event_from_sdl(&e, &ev);
    ui_input_event(ui, &ev);
    memset(&e, 0, sizeof e);
    e.button.button = SDL_BUTTON_LEFT;
    e.button.x = 600;
    e.button.y = 130;
    e.type = SDL_MOUSEBUTTONDOWN;
    ui_event_from_sdl(&e, &ev);
    CHECK(ui_input_event(ui, &ev), "left button down ignored");
    e.type = SDL_MOUSEBUTTONUP;
    ui_event_from_sdl(&e, &ev);
    ui_input_event(ui, &ev);
    CHECK(two_buttons(ui) == 2, "a click by ui events did not tap b");
    ui_destroy(ui);
}

static void test_dialog_is_modal(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    struct ui_bar_spec bar = {.title = "حفاظت", .quick_exit = "فوراً بند کریں", .language = "English"};
    enum ui_dialog_result res = UI_DIALOG_OPEN;
    int bg_clicks = 0, exits = 0;
    for (int frame = 0; frame < 8; frame++) {
        ui_begin(ui, 1280, 800);
        struct ui_rect area = {0, 0, 1280, 800};
        if (ui_top_bar(ui, &area, &bar) == UI_BAR_QUICK_EXIT)
            exits++;
        bg_clicks += ui_button(ui, "bg", (struct ui_rect){100, 600, 300, 80}, &B);
        res = ui_dialog(ui, "dlg", "کیا ابھی روک دیں؟", "سب مٹا دیا جائے گا۔", "ہاں", "نہیں");
        ui_end(ui);
        if (frame == 1) {
            tap(ui, 150, 630, false);   /* behind the scrim */
            CHECK(ui_focus(ui) == ui_id_index(ui_id("dlg"), 2), "dialog focus is not on the safe answer");
        }
        if (frame == 2) {
            const struct ui_hit *q = hit_of(ui, ui_id(UI_QUICK_EXIT_ID));
            REQUIRE(q, "no quick exit button");
            tap(ui, q->r.x + q->r.w / 2, q->r.y + q->r.h / 2, true);
        }
        if (frame == 4)
            ui_input_key(ui, UI_KEY_ESCAPE, false);
        if (res != UI_DIALOG_OPEN)
            break;
    }
    CHECK(bg_clicks == 0, "a button behind the dialog was clicked");
    CHECK(exits == 1, "quick exit did not work under the dialog (%d)", exits);
    CHECK(res == UI_DIALOG_NO, "Esc should answer no (got %d)", res);
    /* Tab stays inside the dialog and the bar. */
    for (int frame = 0; frame < 12; frame++) {
        ui_begin(ui, 1280, 800);
        struct ui_rect area = {0, 0, 1280, 800};
        ui_top_bar(ui, &area, &bar);
        ui_button(ui, "bg", (struct ui_rect){100, 600, 300, 80}, &B);
        ui_dialog(ui, "dlg2", "عنوان", NULL, "ٹھیک ہے", NULL);
        ui_end(ui);
        CHECK(ui_focus(ui) != ui_id("bg"), "Tab reached a button behind the dialog");
        ui_input_key(ui, UI_KEY_TAB, false);
    }
    ui_destroy(ui);
}

/* The colour of the last fill drawn exactly over r (0: none). */
static ui_color fill_at(struct ui_ctx *ui, struct ui_rect r)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    ui_color col = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].kind == UI_CMD_FILL && !memcmp(&c[i].rect, &r, sizeof r))
            col = c[i].color;
    return col;
}

/* The answer that stops, erases or leaves (`yes`) is never the filled,
 * main-looking button: the safe one (`no`) is. One answer alone is filled. */
static void test_dialog_safe_answer_filled(void)
{
    for (int d = 0; d < 2; d++) {
        struct ui_ctx *ui = new_ui(d ? TEXT_DIR_LTR : TEXT_DIR_RTL);
        const struct ui_theme *t = ui_theme(ui);
        for (int frame = 0; frame < 2; frame++) {
            ui_begin(ui, 1024, 600);
            ui_dialog(ui, "stop", "کیا ابھی روک دیں؟", "سب مٹا دیا جائے گا۔", "ہاں، روک دیں", "نہیں، جاری رکھیں");
            ui_end(ui);
        }
        const struct ui_hit *yes = hit_of(ui, ui_id_index(ui_id("stop"), 1));
        const struct ui_hit *no = hit_of(ui, ui_id_index(ui_id("stop"), 2));
        REQUIRE(yes && no, "dialog buttons");
        ui_begin(ui, 1024, 600);
        ui_dialog(ui, "stop", "کیا ابھی روک دیں؟", "سب مٹا دیا جائے گا۔", "ہاں، روک دیں", "نہیں، جاری رکھیں");
        ui_end(ui);
        ui_color yc = fill_at(ui, yes->r), nc = fill_at(ui, no->r);
        CHECK(nc == t->primary || nc == t->primary_hover, "the safe answer is not filled (%08x)", (unsigned)nc);
        CHECK(yc != t->primary && yc != t->primary_hover && yc != t->primary_down && yc != t->danger,
              "the answer that stops is the filled, main-looking button (%08x)", (unsigned)yc);
        CHECK(ui_focus(ui) == no->id, "the dialog does not start on its safe answer");
        ui_destroy(ui);
    }
}

/* Quick exit alone in the far corner; the language switch at the other end
 * of the bar, on a 1024x600 netbook with every control shown, both ways. */
static void test_bar_quick_exit_apart(void)
{
    for (int d = 0; d < 4; d++) {
        bool rtl = d % 2 == 0;
        struct ui_ctx *ui = new_ui(rtl ? TEXT_DIR_RTL : TEXT_DIR_LTR);
        ui_set_text_scale(ui, d < 2 ? 100 : 150);   /* and with larger text */
        struct ui_bar_spec bar = {.title = rtl ? "حفاظت" : "Hifazat",
                                  .quick_exit = rtl ? "فوراً باہر نکلیں" : "Quick exit",
                                  .language = rtl ? "English" : "اردو",
                                  .listen = rtl ? "دوبارہ سنیں" : "Listen again",
                                  .quieter = "-", .louder = "+", .volume = 60};
        for (int frame = 0; frame < 2; frame++) {
            ui_begin(ui, 1024, 600);
            struct ui_rect area = {0, 0, 1024, 600};
            ui_top_bar(ui, &area, &bar);
            ui_end(ui);
        }
        const struct ui_hit *q = hit_of(ui, ui_id(UI_QUICK_EXIT_ID));
        const struct ui_hit *l = hit_of(ui, ui_id(UI_LANGUAGE_ID));
        REQUIRE(q && l, "quick exit and language buttons");
        /* Quick exit in the end corner (left in Urdu), the language switch in
         * the half of the bar at the start. */
        CHECK(rtl ? q->r.x < 40 : q->r.x + q->r.w > 1024 - 40, "quick exit is not in the far corner");
        CHECK(rtl ? l->r.x > 512 : l->r.x + l->r.w < 512, "the language switch is near quick exit");
        /* Nothing else between quick exit and a clear space before it; every
         * button whole, none on another. */
        for (size_t i = 0; i < ui->prev.n; i++) {
            const struct ui_hit *h = &ui->prev.v[i];
            CHECK(h->r.w >= ui_theme(ui)->touch && h->r.x >= 0 && h->r.x + h->r.w <= 1024,
                  "a bar button squeezed or outside (%d wide at %d)", h->r.w, h->r.x);
            for (size_t j = i + 1; j < ui->prev.n; j++) {
                const struct ui_hit *g = &ui->prev.v[j];
                CHECK(g->r.x >= h->r.x + h->r.w || h->r.x >= g->r.x + g->r.w, "bar buttons overlap");
            }
            if (h->id == q->id)
                continue;
            int dist = rtl ? h->r.x - (q->r.x + q->r.w) : q->r.x - (h->r.x + h->r.w);
            CHECK(dist >= 32, "a bar button %d px from quick exit", dist);
        }
        /* The hidden staff gesture's target is the mark and name alone. */
        struct ui_rect m = ui_bar_mark(ui);
        CHECK(m.w > 0 && (rtl ? m.x + m.w == 1024 && m.x > l->r.x + l->r.w : m.x == 0 && m.x + m.w < l->r.x),
              "the mark's zone reaches the language switch");
        ui_destroy(ui);
    }
}

static void test_toggle_list_grid(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    bool on = false;
    struct ui_rect tr = {100, 100, 600, 80};
    ui_begin(ui, 1280, 800);
    ui_toggle(ui, "t", tr, "آواز", &on);
    ui_end(ui);
    tap(ui, 300, 140, true);
    ui_begin(ui, 1280, 800);
    bool changed = ui_toggle(ui, "t", tr, "آواز", &on);
    ui_end(ui);
    CHECK(changed && on, "toggle did not switch on");

    const char *items[12];
    char names[12][32];
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof names[i], "انتخاب %d", i + 1);
        items[i] = names[i];
    }
    int sel = -1;
    struct ui_scroll sc = {0};
    struct ui_rect lr = {100, 100, 600, 300};
    ui_begin(ui, 1280, 800);
    ui_list(ui, "l", lr, items, 12, &sel, &sc);
    ui_end(ui);
    CHECK(sc.content_h > sc.view_h, "12 rows should scroll in 300 px");
    const struct ui_hit *row1 = hit_of(ui, ui_id_index(ui_id("l"), 1));
    REQUIRE(row1, "row 1 not registered");
    CHECK(row1->r.h >= 64, "list row shorter than a touch target (%d)", row1->r.h);
    tap(ui, row1->r.x + 20, row1->r.y + 20, true);
    ui_begin(ui, 1280, 800);
    int chosen = ui_list(ui, "l", lr, items, 12, &sel, &sc);
    ui_end(ui);
    CHECK(chosen == 1 && sel == 1, "tap on row 1 gave %d/%d", chosen, sel);
    /* Keyboard to the last row scrolls it into view. */
    ui_input_key(ui, UI_KEY_TAB, false);
    ui_set_focus(ui, ui_id_index(ui_id("l"), 11));
    ui_begin(ui, 1280, 800);
    ui_list(ui, "l", lr, items, 12, &sel, &sc);
    ui_end(ui);
    const struct ui_hit *last = hit_of(ui, ui_id_index(ui_id("l"), 11));
    CHECK(last && last->r.y >= lr.y && last->r.y + last->r.h <= lr.y + lr.h,
          "focused last row not scrolled into view (offset %d)", sc.offset);
    /* Wheel scrolls and clamps. */
    ui_input_wheel(ui, 300, 200, 100);
    ui_begin(ui, 1280, 800);
    ui_list(ui, "l", lr, items, 12, &sel, &sc);
    ui_end(ui);
    CHECK(sc.offset == 0, "wheel up did not clamp at the top (%d)", sc.offset);
    /* A touch drag scrolls and does not tap. */
    ui_input_pointer_button(ui, 300, 350, true, true);
    ui_input_pointer_move(ui, 300, 250, true);
    ui_input_pointer_move(ui, 300, 150, true);
    ui_input_pointer_button(ui, 300, 150, false, true);
    ui_begin(ui, 1280, 800);
    chosen = ui_list(ui, "l", lr, items, 12, &sel, &sc);
    ui_end(ui);
    CHECK(chosen == -1, "a drag chose a row");
    CHECK(sc.offset > 150, "drag did not scroll (%d)", sc.offset);

    /* Grid: first item at the reading start (right in RTL). */
    struct ui_grid_item g[7] = {{0}};
    struct ui_scroll gs = {0};
    struct ui_rect gr = {0, 0, 800, 400};
    ui_begin(ui, 1280, 800);
    ui_grid(ui, "g", gr, g, 7, &gs);
    ui_end(ui);
    const struct ui_hit *g0 = hit_of(ui, ui_id_index(ui_id("g"), 0));
    const struct ui_hit *g1 = hit_of(ui, ui_id_index(ui_id("g"), 1));
    REQUIRE(g0 && g1, "grid items not registered");
    CHECK(g0->r.x > g1->r.x, "RTL grid does not start on the right");
    CHECK(g0->r.w >= 64 && g0->r.h >= 64, "thumbnail smaller than a touch target");
    tap(ui, g1->r.x + 10, g1->r.y + 10, true);
    ui_begin(ui, 1280, 800);
    CHECK(ui_grid(ui, "g", gr, g, 7, &gs) == 1, "grid tap");
    ui_end(ui);
    ui_destroy(ui);
}

/* A grid of thousands: the screen fills only items[first..last) from
 * ui_grid_metrics(), and the grid draws only those, even when a wheel, a
 * drag or the keyboard moves it in the same frame (the rest may be stale). */
static int drawn_outside(struct ui_ctx *ui)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += c[i].kind == UI_CMD_TEXT && c[i].text && c[i].text->text &&
             !strcmp(c[i].text->text, "OUTSIDE");
    return k;
}

static void big_grid_frame(struct ui_ctx *ui, struct ui_grid_item *items, int n, struct ui_scroll *sc,
                           struct ui_grid_metrics *m)
{
    struct ui_rect gr = {0, 100, 1200, 600};
    ui_begin(ui, 1280, 800);
    for (int i = 0; i < n; i++)
        items[i] = (struct ui_grid_item){.label = "OUTSIDE"};
    ui_grid_metrics(ui, "big", gr, n, sc, m);
    for (int i = m->first; i < m->last; i++)
        items[i] = (struct ui_grid_item){.label = "x"};
    ui_grid(ui, "big", gr, items, n, sc);
    ui_end(ui);
}

static void test_big_grid(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_LTR);
    enum { N = 3000 };
    struct ui_grid_item *items = calloc(N, sizeof(*items));
    REQUIRE(items, "calloc");
    struct ui_scroll sc = {0};
    struct ui_grid_metrics m;
    big_grid_frame(ui, items, N, &sc, &m);
    CHECK(m.first == 0 && m.last > 0 && m.last < 100, "first screen %d..%d", m.first, m.last);
    CHECK(drawn_outside(ui) == 0, "drew rows it was not given");
    /* A wheel scroll arrives between frames: that frame already draws the new rows. */
    for (int k = 0; k < 5; k++)
        ui_input_wheel(ui, 600, 400, -3);
    big_grid_frame(ui, items, N, &sc, &m);
    CHECK(sc.offset > 0 && m.first > 0, "the wheel moved the grid (offset %d, first %d)", sc.offset,
          m.first);
    CHECK(drawn_outside(ui) == 0, "after a wheel: drew rows it was not given");
    /* The keyboard jumps to the last item. */
    ui_input_key(ui, UI_KEY_TAB, false);
    ui_set_focus(ui, ui_id_index(ui_id("big"), N - 1));
    big_grid_frame(ui, items, N, &sc, &m);
    CHECK(m.last == N && drawn_outside(ui) == 0, "after End: %d..%d, outside %d", m.first, m.last,
          drawn_outside(ui));
    /* A touch drag. */
    ui_input_pointer_button(ui, 600, 600, true, true);
    ui_input_pointer_move(ui, 600, 400, true);
    ui_input_pointer_move(ui, 600, 700, true);
    big_grid_frame(ui, items, N, &sc, &m);
    CHECK(drawn_outside(ui) == 0, "after a drag: drew rows it was not given");
    ui_input_pointer_button(ui, 600, 700, false, true);
    big_grid_frame(ui, items, N, &sc, &m);

    /* Press and hold: the cell is "pressed" while held; a cancelled press is no tap. */
    sc = (struct ui_scroll){0};
    big_grid_frame(ui, items, N, &sc, &m);
    const struct ui_hit *c0 = hit_of(ui, ui_id_index(ui_id("big"), 0));
    REQUIRE(c0, "cell 0");
    int x = c0->vis.x + 10, y = c0->vis.y + 10;
    ui_input_pointer_move(ui, x, y, true);
    ui_input_pointer_button(ui, x, y, true, true);
    CHECK(ui_pressed(ui) == ui_id_index(ui_id("big"), 0), "the held cell is pressed");
    ui_press_cancel(ui);
    ui_input_pointer_button(ui, x, y, false, true);
    struct ui_rect gr = {0, 100, 1200, 600};
    ui_begin(ui, 1280, 800);
    CHECK(ui_grid(ui, "big", gr, items, N, &sc) == -1, "a held (cancelled) press became a tap");
    ui_end(ui);
    CHECK(ui_pressed(ui) == 0, "nothing pressed after release");
    free(items);
    ui_destroy(ui);
}

/* The grid with date headers, stable keys and tiles: thousands of items in
 * a hundred sections still draw only the rows (and headers) the screen
 * filled in; the keyboard crosses headers; an item keeps its place and its
 * focus when items come in before it; tiles crop their cover. */
enum { SN = 3000, SECS = 100 };
static struct ui_grid_section secs[SECS];
static uint32_t keys[SN + 40];

static int drawn_titles(struct ui_ctx *ui, const char *s)
{
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += c[i].kind == UI_CMD_TEXT && c[i].text && c[i].text->text && !strcmp(c[i].text->text, s);
    return k;
}

/* One frame of a sectioned grid of count items: only what the metrics name
 * gets content ("x", and titles "T"); everything else says OUTSIDE. */
static void section_frame(struct ui_ctx *ui, struct ui_grid_item *items, int count, int nsec,
                          const uint32_t *k, struct ui_scroll *sc, struct ui_grid_metrics *m)
{
    struct ui_rect gr = {0, 100, 1200, 600};
    ui_begin(ui, 1280, 800);
    for (int i = 0; i < count; i++)
        items[i] = (struct ui_grid_item){.label = "OUTSIDE"};
    for (int j = 0; j < nsec; j++)
        secs[j].title = "OUTSIDE";
    struct ui_grid_spec g = {.items = items, .count = count, .keys = k, .sections = secs, .nsections = nsec};
    ui_grid_ex_metrics(ui, "sg", gr, &g, sc, m);
    for (int i = m->first; i < m->last; i++)
        items[i] = (struct ui_grid_item){.label = "x"};
    for (int j = m->first_section; j < m->last_section; j++)
        secs[j].title = "T";
    ui_grid_ex(ui, "sg", gr, &g, sc);
    ui_end(ui);
}

static void test_section_grid(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_LTR);
    struct ui_grid_item *items = calloc(SN + 40, sizeof(*items));
    REQUIRE(items, "calloc");
    for (int j = 0; j < SECS; j++)
        secs[j].first = j * (SN / SECS);   /* 30 a day: five rows of six */
    for (int i = 0; i < SN + 40; i++)
        keys[i] = 1000u + (uint32_t)i;
    struct ui_scroll sc = {0};
    struct ui_grid_metrics m;
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    CHECK(m.first == 0 && m.last > 0 && m.last < 60 && m.first_section == 0 && m.last_section >= 1,
          "first screen: items %d..%d, sections %d..%d", m.first, m.last, m.first_section, m.last_section);
    CHECK(m.header_h >= 40, "a header row (%d px)", m.header_h);
    CHECK(drawn_outside(ui) == 0 && drawn_titles(ui, "OUTSIDE") == 0, "drew only what it was given");
    CHECK(drawn_titles(ui, "T") >= 1, "the first header drawn");
    /* Keyed ids: item i is ui_id_index(base, key). */
    const struct ui_hit *h0 = hit_of(ui, ui_grid_item_id("sg", keys, 0));
    REQUIRE(h0, "item 0 by its key");
    CHECK(h0->r.y >= 100 + m.header_h, "the header above the first row (%d)", h0->r.y);
    /* The last row of the first day, then Down: the next day's first row,
     * below its header. */
    ui_input_key(ui, UI_KEY_TAB, false);   /* shows the focus */
    ui_set_focus(ui, ui_grid_item_id("sg", keys, 24));
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    ui_input_key(ui, UI_KEY_DOWN, false);
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    CHECK(ui_focus(ui) == ui_grid_item_id("sg", keys, 30), "Down crosses the header to the next day");
    const struct ui_hit *h30 = hit_of(ui, ui_id_index(ui_id("sg"), (int)keys[30]));
    CHECK(h30 && h30->r.y - m.header_h >= 100, "and the header of that day is in view too (offset %d)",
          sc.offset);
    CHECK(drawn_outside(ui) == 0 && drawn_titles(ui, "OUTSIDE") == 0, "after a key: drew only what it was given");
    /* The wheel, a drag, the end: still only the rows and headers filled. */
    for (int k = 0; k < 7; k++)
        ui_input_wheel(ui, 600, 400, -3);
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    CHECK(sc.offset > 0 && m.first_section > 0, "the wheel moved it (offset %d, day %d)", sc.offset,
          m.first_section);
    CHECK(drawn_outside(ui) == 0 && drawn_titles(ui, "OUTSIDE") == 0, "after the wheel: drew only what it was given");
    ui_set_focus(ui, ui_grid_item_id("sg", keys, SN - 1));
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    CHECK(m.last == SN && m.last_section == SECS && drawn_outside(ui) == 0 && drawn_titles(ui, "OUTSIDE") == 0,
          "at the end: %d..%d, days %d..%d", m.first, m.last, m.first_section, m.last_section);

    /* Items coming in before the focused one: it keeps its key, its focus
     * and its place on the screen. */
    sc = (struct ui_scroll){0};
    ui_set_focus(ui, ui_grid_item_id("sg", keys, 40));
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    section_frame(ui, items, SN, SECS, keys, &sc, &m);
    const struct ui_hit *f = hit_of(ui, ui_grid_item_id("sg", keys, 40));
    REQUIRE(f, "focused item");
    struct ui_rect before = f->r;
    /* Forty newer ones come in at the top, in a day of their own. */
    static uint32_t keys2[SN + 40];
    for (int i = 0; i < 40; i++)
        keys2[i] = 900000u + (uint32_t)i;
    memcpy(keys2 + 40, keys, SN * sizeof(uint32_t));
    for (int j = SECS - 1; j > 0; j--)
        secs[j].first = (j - 1) * (SN / SECS) + 40;
    secs[0].first = 0;
    section_frame(ui, items, SN + 40, SECS, keys2, &sc, &m);
    f = hit_of(ui, ui_grid_item_id("sg", keys, 40));
    CHECK(ui_focus(ui) == ui_grid_item_id("sg", keys, 40), "the focus stayed with its item");
    CHECK(f && f->r.x == before.x && f->r.y == before.y, "and in its place (%d,%d -> %d,%d)", before.x, before.y,
          f ? f->r.x : -1, f ? f->r.y : -1);
    CHECK(drawn_outside(ui) == 0 && drawn_titles(ui, "OUTSIDE") == 0, "after they came in: drew only what it was given");

    /* At the very top, untouched, the newest show first. */
    for (int j = 0; j < SECS; j++)
        secs[j].first = j * (SN / SECS);
    struct ui_ctx *ui2 = new_ui(TEXT_DIR_LTR);
    struct ui_scroll sc2 = {0};
    section_frame(ui2, items, SN, SECS, keys, &sc2, &m);
    for (int j = SECS - 1; j > 0; j--)
        secs[j].first = (j - 1) * (SN / SECS) + 40;
    section_frame(ui2, items, SN + 40, SECS, keys2, &sc2, &m);
    CHECK(sc2.offset == 0 && m.first == 0, "untouched at the top: the newest first (offset %d)", sc2.offset);
    ui_destroy(ui2);
    free(items);
    ui_destroy(ui);
}

/* Wide tiles: the picture at the reading start, its cover cropped to fill. */
static void test_tiles(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    uint8_t px[40 * 20 * 4];
    memset(px, 200, sizeof px);
    struct ui_image *img = ui_image_create(ui, 40, 20, px);
    REQUIRE(img, "image");
    struct ui_grid_item it[3] = {
        {.image = img, .label = "کیمرہ", .detail = "9 تصویریں", .cover = true},
        {.label = "واٹس ایپ", .detail = "1 ویڈیو", .video = true},
        {.label = "دیگر"},
    };
    uint32_t k[3] = {0, 1, 6};
    struct ui_scroll sc = {0};
    struct ui_grid_spec g = {.items = it, .count = 3, .keys = k, .tile_w = 340, .tile_h = 150};
    struct ui_rect r = {0, 100, 1200, 500};
    ui_begin(ui, 1280, 800);
    ui_grid_ex(ui, "tiles", r, &g, &sc);
    ui_end(ui);
    const struct ui_hit *t0 = hit_of(ui, ui_grid_item_id("tiles", k, 0));
    const struct ui_hit *t2 = hit_of(ui, ui_id_index(ui_id("tiles"), 6));
    REQUIRE(t0 && t2, "tiles by key");
    CHECK(t0->r.h == 150 && t0->r.w >= 340 && t0->r.x > t2->r.x, "three to a row, the first at the right (RTL)");
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    bool cropped = false, label = false;
    for (size_t i = 0; i < n; i++) {
        if (c[i].kind == UI_CMD_IMAGE && c[i].image == img) {
            /* a 40x20 picture into a square: its middle 20x20 */
            cropped = c[i].src.w == 20 && c[i].src.h == 20 && c[i].src.x == 10 && c[i].rect.w == c[i].rect.h &&
                      c[i].rect.x + c[i].rect.w > t0->r.x + t0->r.w - 20;
        }
        if (c[i].kind == UI_CMD_TEXT && c[i].text && !strcmp(c[i].text->text, "9 تصویریں"))
            label = true;
    }
    CHECK(cropped, "the cover fills its square at the start, cropped to its middle");
    CHECK(label, "the detail line drawn");
    ui_image_destroy(ui, img);
    ui_destroy(ui);
}

static void test_paragraph_scroll(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    const char *s = "یہ ایک لمبا پیراگراف ہے جو کئی سطروں میں آتا ہے۔ یہ ایک لمبا پیراگراف ہے جو کئی سطروں میں آتا ہے۔ "
                    "یہ ایک لمبا پیراگراف ہے جو کئی سطروں میں آتا ہے۔ یہ ایک لمبا پیراگراف ہے جو کئی سطروں میں آتا ہے۔";
    struct ui_scroll sc = {0};
    struct ui_rect r = {100, 100, 400, 200};
    for (int i = 0; i < 2; i++) {
        ui_begin(ui, 1280, 800);
        ui_paragraph(ui, "p", r, s, UI_FONT_BODY, &sc);
        ui_end(ui);
        if (i == 0)
            ui_input_wheel(ui, 300, 200, -1);
    }
    const struct text_block *b = ui_text_block(ui, s, UI_FONT_BODY, r.w - 16, TEXT_ALIGN_START, 0);
    CHECK(sc.content_h > sc.view_h, "paragraph should scroll");
    CHECK(sc.view_h % b->line_pitch == 0, "viewport is not whole lines (%d, pitch %d)", sc.view_h, b->line_pitch);
    CHECK(sc.offset > 0 && sc.offset % b->line_pitch == 0, "wheel did not scroll by lines (%d)", sc.offset);
    ui_destroy(ui);
}

static void test_theme_and_targets(void)
{
    const int sizes[][2] = {{1024, 600}, {1280, 800}, {1920, 1080}};
    struct ui_bar_spec bar = {.title = "حفاظت", .quick_exit = "فوراً بند کریں", .language = "English",
                              .banner = "ڈیمو"};
    for (int k = 0; k < 3; k++) {
        struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
        ui_begin(ui, sizes[k][0], sizes[k][1]);
        const struct ui_theme *t = ui_theme(ui);
        CHECK(t->button_h >= 64 && t->touch == 64, "%dx%d: buttons below 64 px", sizes[k][0], sizes[k][1]);
        CHECK(t->font_body >= 19, "%dx%d: body text too small", sizes[k][0], sizes[k][1]);
        struct ui_rect area = {0, 0, sizes[k][0], sizes[k][1]};
        ui_top_bar(ui, &area, &bar);
        ui_end(ui);
        const struct ui_hit *q = hit_of(ui, ui_id(UI_QUICK_EXIT_ID));
        const struct ui_hit *l = hit_of(ui, ui_id(UI_LANGUAGE_ID));
        REQUIRE(q && l, "bar buttons missing");
        CHECK(q->r.h >= 64 && q->r.w >= 64 && l->r.h >= 64, "%dx%d: bar buttons below 64 px",
              sizes[k][0], sizes[k][1]);
        /* RTL: quick exit in the far (left) corner, language beside it. */
        CHECK(q->r.x < l->r.x && q->r.x < 40, "%dx%d: quick exit not at the end corner", sizes[k][0], sizes[k][1]);
        CHECK(area.y > t->bar_h, "the banner was not cut below the bar");
        if (k == 0)
            CHECK(t->scale < 0.8f, "1024x600 did not scale down (%f)", t->scale);
        if (k == 2)
            CHECK(t->scale > 1.3f, "1920x1080 did not scale up (%f)", t->scale);
        ui_destroy(ui);
    }
    /* LTR mirrors the bar. */
    struct ui_ctx *ui = new_ui(TEXT_DIR_LTR);
    ui_begin(ui, 1280, 800);
    struct ui_rect area = {0, 0, 1280, 800};
    ui_top_bar(ui, &area, &bar);
    ui_end(ui);
    const struct ui_hit *q = hit_of(ui, ui_id(UI_QUICK_EXIT_ID));
    CHECK(q && q->r.x + q->r.w > 1240, "LTR quick exit not in the right corner");
    ui_destroy(ui);
}

static void test_commands_and_images(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    uint8_t px[4 * 4 * 4];
    memset(px, 200, sizeof px);
    struct ui_image *img = ui_image_create(ui, 4, 4, px);
    REQUIRE(img, "ui_image_create");
    CHECK(ui_image_create(ui, 0, 4, px) == NULL, "zero-sized image accepted");
    ui_begin(ui, 1280, 800);
    ui_label(ui, (struct ui_rect){0, 0, 500, 100}, "سلام", UI_FONT_BODY, 0xFF000000u, TEXT_ALIGN_START);
    ui_draw_image(ui, img, (struct ui_rect){0, 0, 40, 40});
    ui_clip_push(ui, (struct ui_rect){10, 10, 100, 100});
    ui_fill(ui, (struct ui_rect){0, 0, 0, 10}, 0xFFFFFFFFu, 0);   /* empty: dropped */
    ui_clip_pop(ui);
    ui_end(ui);
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    int text = 0, image = 0, clip = 0, fill = 0;
    for (size_t i = 0; i < n; i++) {
        text += c[i].kind == UI_CMD_TEXT && c[i].text && c[i].text->alpha;
        image += c[i].kind == UI_CMD_IMAGE && c[i].image == img;
        clip += c[i].kind == UI_CMD_CLIP;
        fill += c[i].kind == UI_CMD_FILL;
    }
    CHECK(text == 1 && image == 1 && clip == 2 && fill == 0, "commands: text %d image %d clip %d fill %d",
          text, image, clip, fill);
    struct ui_image *blank = ui_image_create(ui, 8, 2, NULL);
    REQUIRE(blank && ui_image_pixels(blank), "image without pixels");
    bool zero = true;
    for (int i = 0; i < 8 * 2 * 4; i++)
        zero &= ui_image_pixels(blank)[i] == 0;
    CHECK(zero, "a new blank image is not transparent");
    uint32_t v0 = blank->version;
    ui_image_pixels(blank)[0] = 255;
    ui_image_changed(blank);
    CHECK(blank->version != v0, "ui_image_changed did not mark the image for upload");
    ui_image_destroy(ui, blank);
    uint64_t serial = img->serial, dead[4];
    ui_image_destroy(ui, img);
    CHECK(ui_take_dead_images(ui, dead, 4) == 2 && dead[1] == serial, "destroyed images not reported");
    ui_destroy(ui);
}

/* The renderer itself, on the dummy driver: fills, an image and its
 * re-upload after ui_image_changed(), text, and a clear error for a driver
 * that does not exist. */
static void test_renderer(void)
{
    REQUIRE(SDL_Init(SDL_INIT_VIDEO) == 0, "SDL_Init: %s", SDL_GetError());
    SDL_Window *win = SDL_CreateWindow("t", 0, 0, 200, 100, 0);
    REQUIRE(win, "window: %s", SDL_GetError());
    char err[256];
    CHECK(ui_renderer_create(win, "no-such-driver", err, sizeof err) == NULL && strstr(err, "no-such-driver"),
          "unknown render driver: %s", err);
    struct ui_renderer *r = ui_renderer_create(win, "software", err, sizeof err);
    REQUIRE(r, "%s", err);
    CHECK(!strcmp(ui_renderer_name(r), "software"), "renderer is %s", ui_renderer_name(r));
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    uint8_t red[4 * 4] = {255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255};
    struct ui_image *img = ui_image_create(ui, 2, 2, red);
    uint8_t *px = NULL;
    int w, h;
    for (int pass = 0; pass < 2; pass++) {
        ui_begin(ui, 200, 100);
        ui_fill(ui, (struct ui_rect){100, 0, 100, 100}, 0xFF0000FFu, 20);
        ui_draw_image(ui, img, (struct ui_rect){0, 0, 50, 50});
        ui_label(ui, (struct ui_rect){0, 50, 100, 50}, "سلام", UI_FONT_BODY, 0xFF000000u, TEXT_ALIGN_START);
        ui_end(ui);
        REQUIRE(ui_render(r, ui) == 0, "ui_render");
        free(px);
        px = ui_render_read_rgba(r, &w, &h);
        REQUIRE(px && w == 200 && h == 100, "read back");
        const uint8_t *c = px + (25 * 200 + 25) * 4;
        if (pass == 0) {
            CHECK(c[0] > 250 && c[2] < 5, "image not drawn red (%d,%d,%d)", c[0], c[1], c[2]);
            for (int i = 0; i < 4; i++) {
                ui_image_pixels(img)[4 * i] = 0;
                ui_image_pixels(img)[4 * i + 2] = 255;
            }
            ui_image_changed(img);
        } else {
            CHECK(c[2] > 250 && c[0] < 5, "changed image not uploaded again (%d,%d,%d)", c[0], c[1], c[2]);
        }
    }
    /* Rounded fill: solid inside, background in the very corner, a blend on the arc. */
    const uint8_t *in = px + (50 * 200 + 150) * 4, *corner = px + (0 * 200 + 100) * 4;
    CHECK(in[2] > 250 && in[0] < 5, "fill not drawn");
    CHECK(corner[2] < 250, "rounded corner not cut");
    long ink = 0;
    for (int y = 50; y < 100; y++)
        for (int x = 0; x < 100; x++)
            ink += px[(y * 200 + x) * 4] < 128;
    CHECK(ink > 50, "text not drawn (%ld dark pixels)", ink);
    free(px);
    ui_image_destroy(ui, img);
    ui_begin(ui, 200, 100);
    ui_end(ui);
    CHECK(ui_render(r, ui) == 0, "render after destroying an image");
    ui_render_purge(r);
    ui_renderer_destroy(r);
    ui_destroy(ui);
    SDL_DestroyWindow(win);
    SDL_Quit();
}

/* min_rows: on a netbook the grid's cells shrink until three rows (under a
 * header) fit, never below the floor; the size depends on the space only
 * (more items move nothing); without min_rows nothing changes. */
static void test_grid_min_rows(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    static struct ui_grid_item items[200];
    static const struct ui_grid_section one[] = {{0, "T"}};
    const struct ui_rect r = {24, 240, 976, 260};   /* an album's grid at 1024x600 */
    struct ui_scroll sc = {0};
    struct ui_grid_metrics m0, m3, m3b;
    ui_begin(ui, 1024, 600);
    struct ui_grid_spec g = {.items = items, .count = 40, .sections = one, .nsections = 1};
    ui_grid_ex_metrics(ui, "mr", r, &g, &sc, &m0);
    g.min_rows = 3;
    ui_grid_ex_metrics(ui, "mr", r, &g, &sc, &m3);
    g.count = 200;
    ui_grid_ex_metrics(ui, "mr", r, &g, &sc, &m3b);
    ui_end(ui);
    const struct ui_theme *t = ui_theme(ui);
    CHECK(m0.cell >= t->thumb, "without min_rows: the usual thumbnails (%d)", m0.cell);
    CHECK(m3.cell < m0.cell && m3.cols > m0.cols, "min_rows: smaller cells (%d < %d), more columns", m3.cell, m0.cell);
    CHECK(m3.cell >= t->touch && m3.cell >= (int)(96 * t->scale) - 2, "never below the floor (%d)", m3.cell);
    CHECK(m3b.cell == m3.cell && m3b.cols == m3.cols, "the size depends on the space, not the items");
    /* Where three rows fit at the usual size, nothing shrinks. */
    struct ui_rect tall = {24, 100, 976, 700};
    ui_begin(ui, 1024, 900);
    ui_grid_ex_metrics(ui, "mr", tall, &g, &sc, &m3);
    ui_end(ui);
    CHECK(m3.cell >= ui_theme(ui)->thumb, "tall: the usual size (%d)", m3.cell);
    ui_destroy(ui);
}

/* Text commands carry the role in effect: a primary button's label is the
 * main action, a dialog's title and answers are key text, and a role set
 * by a screen lasts until changed (each frame starts with none). */
static void test_roles(void)
{
    struct ui_ctx *ui = new_ui(TEXT_DIR_RTL);
    ui_begin(ui, 1280, 800);
    ui_label(ui, (struct ui_rect){0, 0, 400, 100}, "عنوان", UI_FONT_BODY, 0xFF000000u, TEXT_ALIGN_START);
    ui_set_role(ui, UI_ROLE_TITLE);
    ui_label(ui, (struct ui_rect){0, 100, 400, 100}, "خوش آمدید", UI_FONT_TITLE, 0xFF000000u, TEXT_ALIGN_START);
    CHECK(ui_set_role(ui, UI_ROLE_NONE) == UI_ROLE_TITLE, "the role it replaces");
    ui_button(ui, "p", RA, &B);
    struct ui_button_spec sec = B;
    sec.style = UI_BUTTON_SECONDARY;
    ui_button(ui, "s", RB, &sec);
    ui_end(ui);
    size_t n;
    const struct ui_cmd *c = ui_commands(ui, &n);
    int roles[8] = {0}, k = 0;
    for (size_t i = 0; i < n && k < 8; i++)
        if (c[i].kind == UI_CMD_TEXT)
            roles[k++] = c[i].role;
    CHECK(k == 4, "four texts (%d)", k);
    CHECK(roles[0] == UI_ROLE_NONE && roles[1] == UI_ROLE_TITLE && roles[2] == UI_ROLE_ACTION &&
              roles[3] == UI_ROLE_NONE,
          "roles: %d %d %d %d", roles[0], roles[1], roles[2], roles[3]);
    /* A new frame starts with none; a dialog's title and both answers. */
    ui_begin(ui, 1280, 800);
    ui_set_role(ui, UI_ROLE_CODE);
    ui_begin(ui, 1280, 800);
    ui_dialog(ui, "d", "سوال؟", NULL, "ہاں", "نہیں");
    ui_end(ui);
    c = ui_commands(ui, &n);
    int title = 0, action = 0, none = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].kind == UI_CMD_TEXT) {
            title += c[i].role == UI_ROLE_TITLE;
            action += c[i].role == UI_ROLE_ACTION;
            none += c[i].role == UI_ROLE_NONE;
        }
    CHECK(title == 1 && action == 2 && none == 0, "dialog: %d title, %d answers, %d other", title, action, none);
    ui_destroy(ui);
}

int main(void)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/fonts", getenv("HIFAZAT_SOURCE") ? getenv("HIFAZAT_SOURCE") : ".");
    T = text_create(path, err, sizeof err);
    REQUIRE(T, "%s", err);
    test_mirroring();
    test_taps();
    test_keyboard();
    test_event_from_sdl();
    test_dialog_is_modal();
    test_dialog_safe_answer_filled();
    test_bar_quick_exit_apart();
    test_toggle_list_grid();
    test_big_grid();
    test_section_grid();
    test_tiles();
    test_paragraph_scroll();
    test_theme_and_targets();
    test_commands_and_images();
    test_renderer();
    test_grid_min_rows();
    test_roles();
    text_destroy(T);
    return check_exit();
}
