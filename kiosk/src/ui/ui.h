/* UI toolkit: immediate mode, all state in one struct ui_ctx. Widgets
 * emit draw commands; exactly one file (render_sdl.c) executes them with
 * SDL's render API. The UI never touches fonts or the renderer: text and
 * icons come from the text module as coverage bitmaps.
 *
 * Usage:
 *  1. struct ui_ctx *ui = ui_create(text);          (text is borrowed)
 *     struct ui_renderer *r = ui_renderer_create(window, driver, err, n);
 *  2. Feed input as it arrives: ui_event_from_sdl(&sdl, &ev) once, then the
 *     screen may read ev, then ui_input_event(ui, &ev) (or ui_input_*()).
 *     Input is matched against what the last frame showed, so a tap whose
 *     down and up arrive together still hits the right button.
 *  3. Each frame: ui_begin(ui, w, h); call widgets, which draw and report
 *     what the person did (ui_button() is true on the frame after the tap,
 *     Enter or Space); ui_end(ui); ui_render(r, ui); ui_render_present(r).
 *  4. ui_renderer_destroy(r); ui_destroy(ui) (both accept NULL).
 * Layout is rectangle cutting: ui_cut_start()/ui_cut_end() take from the
 * right in RTL, so a screen written once mirrors for English. Keyboard: Tab /
 * Shift+Tab walk the widgets in order, arrows move to the nearest widget in
 * that direction, Enter/Space activate, Esc closes a dialog or means "back".
 * The focus ring shows once the keyboard is used and hides on touch.
 */
#ifndef HIFAZAT_UI_H
#define HIFAZAT_UI_H

#include "text.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ui_ctx;
struct ui_renderer;
struct ui_image;
union SDL_Event;
struct SDL_Window;

typedef uint32_t ui_color;   /* 0xAARRGGBB */

struct ui_rect {
    int x, y, w, h;
};

/* ---- theme: sizes scale with the window (1024x600 .. 1920x1080) */
struct ui_theme {
    float scale;                 /* 1.0 at 1280x800 */
    int pad, gap, radius;
    int font_small, font_body, font_button, font_title, font_bar;  /* Latin em px */
    int touch;                   /* minimum touch target: 64 px */
    int button_h, bar_h, banner_h, icon, focus_w, focus_gap, border_w, thumb;
    int content_w;               /* readable measure for paragraphs */
    ui_color bg, surface, text, muted, border;
    ui_color primary, primary_hover, primary_down, on_primary;
    ui_color danger, danger_hover, danger_down, on_danger;
    ui_color bar, on_bar, bar_button, bar_button_hover;
    ui_color banner, on_banner;
    ui_color focus, focus_inner, track, selected, scrim, disabled, on_disabled;
};

enum ui_font { UI_FONT_SMALL, UI_FONT_BODY, UI_FONT_BUTTON, UI_FONT_TITLE, UI_FONT_BAR };

/* ---- draw commands (what the renderer executes) */
enum ui_cmd_kind {
    UI_CMD_FILL,     /* rect, color, radius */
    UI_CMD_FRAME,    /* rect outline: color, radius, thickness (drawn inside rect) */
    UI_CMD_TEXT,     /* coverage bitmap `text` tinted with color, top-left at rect.x/y */
    UI_CMD_IMAGE,    /* image scaled into rect (only its part src when src.w > 0) */
    UI_CMD_CLIP,     /* clip to rect; w < 0 means no clipping */
};

/* What a text command is to the person, for tests that check every screen
 * keeps its key text in view (a title, the main action, a case code, a PIN). */
enum ui_role { UI_ROLE_NONE, UI_ROLE_TITLE, UI_ROLE_ACTION, UI_ROLE_CODE, UI_ROLE_PIN };

struct ui_cmd {
    uint8_t kind;
    uint8_t role;            /* UI_CMD_TEXT: enum ui_role */
    struct ui_rect rect;
    ui_color color;
    int radius, thickness;
    const struct text_block *text;
    struct ui_image *image;
    struct ui_rect src;      /* UI_CMD_IMAGE: the part of the image shown (w 0: all of it) */
};

/* ---- context */
struct ui_ctx *ui_create(struct text_ctx *text);
void ui_destroy(struct ui_ctx *ui);
/* Direction and language of everything laid out from now on. */
void ui_set_lang(struct ui_ctx *ui, enum text_dir dir, const char *lang);
enum text_dir ui_dir(const struct ui_ctx *ui);
const struct ui_theme *ui_theme(const struct ui_ctx *ui);
struct text_ctx *ui_text_ctx(struct ui_ctx *ui);

void ui_begin(struct ui_ctx *ui, int width, int height);
void ui_end(struct ui_ctx *ui);
const struct ui_cmd *ui_commands(const struct ui_ctx *ui, size_t *count);
/* True when input or focus changed since the last frame, or a widget asked
 * for one more frame: the app draws again, otherwise it sleeps. */
bool ui_needs_frame(const struct ui_ctx *ui);
/* Forgets pointer, focus and scroll state (a new screen or a wiped session). */
void ui_reset(struct ui_ctx *ui);

/* ---- spoken guidance and pictograms: hooks, never audio here.
 * say() gets a widget's label (as shown) when the keyboard moves the focus
 * to it (pressed false) or when it is activated (true), and a dialog's
 * title as the dialog appears (true): the narration reads them aloud. pictogram() may return an image drawn beside a list
 * row's label (answers); NULL: none. */
struct ui_voice {
    void (*say)(void *ctx, const char *label, bool pressed);
    struct ui_image *(*pictogram)(void *ctx, const char *label);
    void *ctx;
};
void ui_set_voice(struct ui_ctx *ui, const struct ui_voice *v);
/* Larger text for people who need it (a staff setting): percent of the
 * normal sizes (100..150); buttons and rows grow with it. */
void ui_set_text_scale(struct ui_ctx *ui, int percent);
int ui_text_scale(const struct ui_ctx *ui);

/* ---- input */
enum ui_key {
    UI_KEY_TAB, UI_KEY_UP, UI_KEY_DOWN, UI_KEY_LEFT, UI_KEY_RIGHT, UI_KEY_ENTER,
    UI_KEY_SPACE, UI_KEY_ESCAPE, UI_KEY_HOME, UI_KEY_END, UI_KEY_PAGEUP, UI_KEY_PAGEDOWN,
    /* From here on, keys only screens read (the UI ignores them): */
    UI_KEY_BACKSPACE,
    UI_KEY_V,                /* held: the choose screen shows the focused picture clearly */
    UI_KEY_0, UI_KEY_1, UI_KEY_2, UI_KEY_3, UI_KEY_4,   /* digit n is UI_KEY_0 + n, */
    UI_KEY_5, UI_KEY_6, UI_KEY_7, UI_KEY_8, UI_KEY_9,   /* the top row's or the keypad's */
};
/* Each returns true if what is on screen may change (redraw). */
bool ui_input_pointer_move(struct ui_ctx *ui, int x, int y, bool touch);
bool ui_input_pointer_button(struct ui_ctx *ui, int x, int y, bool down, bool touch);
bool ui_input_wheel(struct ui_ctx *ui, int x, int y, int dy);   /* dy > 0: towards the top */
bool ui_input_key(struct ui_ctx *ui, enum ui_key key, bool shift);

/* One input event, as screens read it before the UI does (PIN pads, typed
 * passwords, press and hold), so that they need no SDL. */
enum ui_event_kind {
    UI_EV_NONE,              /* a zeroed event: nothing */
    UI_EV_POINTER_MOVE, UI_EV_POINTER_DOWN, UI_EV_POINTER_UP, UI_EV_WHEEL,
    UI_EV_KEY_DOWN, UI_EV_KEY_UP, UI_EV_TEXT
};
#define UI_EVENT_TEXT_MAX 32   /* SDL's text input event holds as much */
struct ui_event {
    uint8_t kind;            /* enum ui_event_kind */
    uint8_t key;             /* keys: enum ui_key */
    bool repeat;             /* key down: repeated while held */
    bool shift;              /* keys: a Shift key is held */
    bool touch;              /* pointer: a finger, not the mouse */
    bool primary;            /* pointer down/up: the left button or a finger */
    int x, y;                /* pointer: where, in window pixels */
    int dy;                  /* wheel: > 0 towards the top */
    char text[UI_EVENT_TEXT_MAX];   /* text: UTF-8 typed, NUL-terminated */
};
/* Feeds one event to the UI (pointer, wheel, navigation keys; the rest is
 * the screens'). True if what is on screen may change. */
bool ui_input_event(struct ui_ctx *ui, const struct ui_event *ev);
/* SDL adapter (input_sdl.c): one SDL event as a ui_event. Touch arrives as
 * SDL's synthesized mouse events, marked as touch. False (ev zeroed) when it
 * is nothing the UI or a screen reads (other keys, windows, fingers). */
bool ui_event_from_sdl(const union SDL_Event *sdl, struct ui_event *ev);
/* The widget under a press (finger or button still down) that has not
 * turned into a drag; 0 when none. For press and hold. */
uint32_t ui_pressed(const struct ui_ctx *ui);
/* The press in progress ends without a tap (it was a press and hold). */
void ui_press_cancel(struct ui_ctx *ui);
/* A finger or the mouse button is down (pressing, holding or dragging):
 * screens hold back changes to what is under it until it is lifted. */
bool ui_pointer_down(const struct ui_ctx *ui);
/* Esc pressed with no dialog open, this frame: the screen's "back". */
bool ui_escape(struct ui_ctx *ui);
bool ui_focus_visible(const struct ui_ctx *ui);
/* Moves the keyboard focus to a widget id (e.g. a screen's main button). */
void ui_set_focus(struct ui_ctx *ui, uint32_t id);
uint32_t ui_focus(const struct ui_ctx *ui);
uint32_t ui_id(const char *name);
uint32_t ui_id_index(uint32_t base, int index);

/* ---- layout by rectangle cutting (physical pixels) */
struct ui_rect ui_cut_top(struct ui_rect *r, int h);
struct ui_rect ui_cut_bottom(struct ui_rect *r, int h);
/* From the reading start: the right edge in RTL, the left in LTR. */
struct ui_rect ui_cut_start(const struct ui_ctx *ui, struct ui_rect *r, int w);
struct ui_rect ui_cut_end(const struct ui_ctx *ui, struct ui_rect *r, int w);
struct ui_rect ui_inset(struct ui_rect r, int d);
struct ui_rect ui_center(struct ui_rect outer, int w, int h);
bool ui_rect_contains(struct ui_rect r, int x, int y);

/* ---- drawing primitives (commands; screens may use them too) */
void ui_fill(struct ui_ctx *ui, struct ui_rect r, ui_color c, int radius);
void ui_frame(struct ui_ctx *ui, struct ui_rect r, ui_color c, int radius, int thickness);
void ui_draw_block(struct ui_ctx *ui, const struct text_block *b, int x, int y, ui_color c);
void ui_draw_icon(struct ui_ctx *ui, enum text_icon icon, struct ui_rect r, ui_color c);
/* Draws a block at x, centred vertically in r (Urdu by its ink, Latin by its box). */
void ui_draw_block_vcenter(struct ui_ctx *ui, const struct text_block *b, int x,
                           struct ui_rect r, ui_color c);
void ui_draw_image(struct ui_ctx *ui, struct ui_image *img, struct ui_rect r);
/* Fills r with the middle of the image, cut to r's shape (an album's cover). */
void ui_draw_image_cover(struct ui_ctx *ui, struct ui_image *img, struct ui_rect r);
void ui_clip_push(struct ui_ctx *ui, struct ui_rect r);
void ui_clip_pop(struct ui_ctx *ui);
/* Text drawn from now on has this role (until changed; each frame starts
 * with none). Titles, primary buttons and a dialog's buttons set their own;
 * screens mark a case code or PIN. Returns the role it replaces. */
enum ui_role ui_set_role(struct ui_ctx *ui, enum ui_role role);

/* ---- text */
/* The laid-out block for s in a UI font, wrapped to width (0 = no wrap). */
const struct text_block *ui_text_block(struct ui_ctx *ui, const char *s, enum ui_font f,
                                       int width, enum text_align align, int max_lines);
/* Draws s wrapped into r.w, from r's top; returns the height used. */
int ui_label(struct ui_ctx *ui, struct ui_rect r, const char *s, enum ui_font f, ui_color c,
             enum text_align align);
int ui_text_height(struct ui_ctx *ui, const char *s, enum ui_font f, int width);

/* Scroll state of a scrollable widget; owned by the screen, zeroed to start. */
struct ui_scroll {
    int offset;              /* px scrolled from the top */
    int content_h, view_h;   /* set by the widget */
    /* A keyed grid's anchor (set by the grid, ui_grid_spec.keys): the item
     * kept where it is on screen when items come in before it. */
    uint32_t anchor_key;
    int anchor_index;        /* where it was last (a hint) */
    int anchor_y;            /* its top, from the view's top */
    bool anchored;
    bool engaged;            /* the person pressed one of its items */
};

/* A scroll area for screens that lay out their own rows: everything drawn
 * between begin and end is clipped to view and moved by sc->offset (the
 * caller adds it: y = view.y + row_y - sc->offset). Wheel, drag, keys and a
 * scroll bar as in the list. */
struct ui_scroll_area {
    uint32_t id, saved_owner;
    struct ui_rect view;
    struct ui_scroll *sc;
    bool scrollable, ring;
};
void ui_scroll_begin(struct ui_ctx *ui, struct ui_scroll_area *a, const char *id,
                     struct ui_rect view, int content_h, struct ui_scroll *sc);
void ui_scroll_end(struct ui_ctx *ui, struct ui_scroll_area *a);
/* When the keyboard focus just moved to widget id, scrolls so that content
 * rows [y, y + h) are visible. */
void ui_scroll_follow_focus(struct ui_ctx *ui, struct ui_scroll *sc, uint32_t id, int y, int h);

/* A long text in r; scrolls (wheel, drag, arrow keys when focused, a
 * visible scroll bar) when it does not fit. */
void ui_paragraph(struct ui_ctx *ui, const char *id, struct ui_rect r, const char *s,
                  enum ui_font f, struct ui_scroll *sc);

/* ---- widgets */
enum ui_button_style {
    UI_BUTTON_PRIMARY,       /* the one main action on a screen */
    UI_BUTTON_SECONDARY,     /* outlined */
    UI_BUTTON_DANGER,        /* quick exit */
    UI_BUTTON_BAR,           /* on the top bar */
};

struct ui_button_spec {
    const char *label;
    int icon;                /* enum text_icon, or -1 */
    uint8_t style;           /* enum ui_button_style */
    bool icon_end;           /* icon after the label (forward arrows) */
    bool disabled;
    const char *voice;       /* read aloud instead of label (icon-only buttons), or NULL */
};

/* True on the frame the button is activated. Touch target >= theme.touch. */
bool ui_button(struct ui_ctx *ui, const char *id, struct ui_rect r, const struct ui_button_spec *b);
/* The same with a numeric id (rows of a list: ui_id_index(ui_id(name), i)). */
bool ui_button_id(struct ui_ctx *ui, uint32_t id, struct ui_rect r, const struct ui_button_spec *b);
/* Natural width of a button (label, icon, padding), at least theme.touch. */
int ui_button_width(struct ui_ctx *ui, const struct ui_button_spec *b);
/* "Forward" and "back" arrows for the current direction. */
enum text_icon ui_icon_forward(const struct ui_ctx *ui);
enum text_icon ui_icon_back(const struct ui_ctx *ui);

/* Progress bar with a label above it; fraction 0..1. */
void ui_progress(struct ui_ctx *ui, struct ui_rect r, float fraction, const char *label);

/* On/off switch with its label; the whole row is the touch target.
 * Returns true when *value changed. */
bool ui_toggle(struct ui_ctx *ui, const char *id, struct ui_rect r, const char *label, bool *value);
/* The row height a toggle of width w needs to show label on up to two
 * lines (at least the touch height). */
int ui_toggle_height(struct ui_ctx *ui, const char *label, int w);

/* Single-choice list (rows >= touch height, scrolls when needed). Returns
 * the index chosen this frame (and updates *selected), else -1. */
int ui_list(struct ui_ctx *ui, const char *id, struct ui_rect r, const char *const *items,
            int count, int *selected, struct ui_scroll *sc);
/* The height ui_list() needs to show every row (taller rows with pictograms). */
int ui_list_height(struct ui_ctx *ui, const char *const *items, int count);

struct ui_grid_item {
    struct ui_image *image;  /* may be NULL: an icon placeholder is shown */
    const char *label;       /* may be NULL */
    const char *detail;      /* tiles: a second, smaller line under the label, or NULL */
    const char *badge;       /* short text on the picture's corner (a video's length), or NULL */
    const char *voice;       /* read aloud when pressed or reached by the keyboard (a label
                                the guide knows: never a file name), or NULL */
    bool selected;
    bool video;              /* shows a video badge */
    bool folder;             /* a folder tile: folder icon and its name, no check mark */
    bool problem;            /* could not be shown: a warning sign instead of the picture */
    bool cover;              /* the picture fills its place, its middle cut to shape (an
                                album's cover); else the whole picture is shown */
};
/* Scrollable grid of thumbnails, first item at the reading start. Returns
 * the index activated this frame, else -1. Item i's widget id is
 * ui_id_index(ui_id(id), i). Thousands of items are fine: only the visible
 * rows are drawn. */
int ui_grid(struct ui_ctx *ui, const char *id, struct ui_rect r, const struct ui_grid_item *items,
            int count, struct ui_scroll *sc);
/* The grid's geometry for r and count items, and the items this frame's
 * ui_grid() will draw (scrolls and keyboard focus of this frame included):
 * a screen fills in items[first..last) only (and must not leave stale
 * pointers in the others) and asks for only their thumbnails. */
struct ui_grid_metrics {
    int cols, rows, cell, gap;
    int first, last;         /* items in (or touching) the view: [first, last) */
    int first_section, last_section; /* sections whose header or items are in the view */
    int cell_w, cell_h;      /* a cell's size (cell_w == cell_h == cell for thumbnails) */
    int header_h;            /* a section header's height (0 without sections) */
};
void ui_grid_metrics(const struct ui_ctx *ui, const char *id, struct ui_rect r, int count,
                     const struct ui_scroll *sc, struct ui_grid_metrics *m);

/* The same grid with more: a header row spanning the grid's width before
 * each section (dates in a gallery), stable keys, and wide tiles.
 *   - sections: section k holds items [sections[k].first, sections[k+1].first);
 *     firsts ascend, the first is 0. Like items, only the visible sections'
 *     titles are read (metrics: [first_section, last_section)).
 *   - keys: a stable key per item, for all count items (a file's id): item
 *     i's widget id is then ui_id_index(ui_id(id), (int)keys[i]), so the
 *     keyboard focus and a press stay with their item when items come in
 *     before it; and the view keeps what the person looks at in place (the
 *     focused item when the keyboard is in use or an item was touched, else
 *     the top row once scrolled or touched; at the very top, untouched, new
 *     items before the first show first). NULL: the index, as ui_grid().
 *   - tile_w, tile_h > 0: wide tiles (at least tile_w wide, tile_h high) with
 *     the picture at the reading start and label and detail beside it
 *     (albums); 0: square thumbnails.
 *   - min_rows: see the field. */
struct ui_grid_section {
    int first;               /* its first item */
    const char *title;       /* the header's text (NULL: none) */
};
struct ui_grid_spec {
    const struct ui_grid_item *items;
    int count;
    const uint32_t *keys;
    const struct ui_grid_section *sections;
    int nsections;
    int tile_w, tile_h;
    /* > 0: cells (thumbnails, or tiles' height) shrink as far as a touch
     * target so that this many rows show in r (a netbook too); 0: as set. */
    int min_rows;
};
int ui_grid_ex(struct ui_ctx *ui, const char *id, struct ui_rect r, const struct ui_grid_spec *g,
               struct ui_scroll *sc);
void ui_grid_ex_metrics(const struct ui_ctx *ui, const char *id, struct ui_rect r,
                        const struct ui_grid_spec *g, const struct ui_scroll *sc,
                        struct ui_grid_metrics *m);
/* The widget id of item i of a grid (keys as in the spec, may be NULL). */
uint32_t ui_grid_item_id(const char *id, const uint32_t *keys, int i);

enum ui_dialog_result { UI_DIALOG_OPEN, UI_DIALOG_YES, UI_DIALOG_NO };
/* A modal dialog over everything drawn before it: the rest of the screen
 * takes no input while it is shown. Call it every frame while it should be
 * open. `no` may be NULL (one button); Esc answers NO (or YES when there is
 * only one button). With two answers, `no` is the safe one ("No, go on",
 * "Cancel", "Show it again"): the focus starts on it and it is the filled,
 * main-looking button; `yes` (stop, erase, shut down, leave for good) is
 * only outlined. Ask so that the answer that destroys is `yes`. */
enum ui_dialog_result ui_dialog(struct ui_ctx *ui, const char *id, const char *title,
                                const char *message, const char *yes, const char *no);

/* The persistent top bar: quick exit alone in the far corner at the end,
 * with a clear space before it; the app's mark and name at the start, then
 * the language switch and the listening controls (far from quick exit, so
 * a hurried tap meant for one never lands on the other). A demo banner
 * below it when `banner` is set. Cuts itself from the top of *area. */
enum ui_bar_action {
    UI_BAR_NONE, UI_BAR_QUICK_EXIT, UI_BAR_LANGUAGE, UI_BAR_LISTEN, UI_BAR_QUIETER, UI_BAR_LOUDER
};
struct ui_bar_spec {
    const char *title;
    const char *quick_exit;
    const char *language;    /* the other language's name, in its own script */
    const char *banner;      /* NULL: no banner */
    const char *listen;      /* "Listen again" (the screen's narration), or NULL */
    const char *quieter, *louder;   /* volume buttons' spoken names (icons shown) */
    int volume;              /* 0..100, shown as bars; < 0: no volume control */
};
enum ui_bar_action ui_top_bar(struct ui_ctx *ui, struct ui_rect *area, const struct ui_bar_spec *s);
/* Where the last top bar drew the app's mark and name (from the bar's start
 * edge, its full height): the hidden staff gesture's target. */
struct ui_rect ui_bar_mark(const struct ui_ctx *ui);
/* Widget id of the quick-exit button (for focus and tests). */
#define UI_QUICK_EXIT_ID "ui.bar.quick_exit"
#define UI_LANGUAGE_ID "ui.bar.language"
#define UI_LISTEN_ID "ui.bar.listen"
#define UI_QUIETER_ID "ui.bar.quieter"
#define UI_LOUDER_ID "ui.bar.louder"

/* ---- images (thumbnails): RGBA pixels owned by the UI, wiped on destroy.
 * rgba may be NULL (starts transparent). To change the picture in place
 * (e.g. media_thumb_copy() of a blurred or a sharp thumbnail), write into
 * ui_image_pixels() (width * height * 4 bytes, rows packed) and call
 * ui_image_changed(): the renderer uploads it again at the next frame. */
struct ui_image *ui_image_create(struct ui_ctx *ui, int w, int h, const uint8_t *rgba);
uint8_t *ui_image_pixels(struct ui_image *img);
void ui_image_changed(struct ui_image *img);
void ui_image_destroy(struct ui_ctx *ui, struct ui_image *img);
int ui_image_width(const struct ui_image *img);
int ui_image_height(const struct ui_image *img);

/* ---- the renderer (render_sdl.c: the only user of SDL's render API) */
/* driver: an SDL render driver name ("software", "opengl", ...) or NULL for
 * SDL's first accelerated choice. An unknown or failing driver is an error,
 * never a silent fallback. */
struct ui_renderer *ui_renderer_create(struct SDL_Window *win, const char *driver, char *err,
                                       size_t errlen);
void ui_renderer_destroy(struct ui_renderer *r);
const char *ui_renderer_name(const struct ui_renderer *r);
int ui_renderer_output_size(struct ui_renderer *r, int *w, int *h);
/* Clears, executes ui's commands, frees textures of destroyed images. */
int ui_render(struct ui_renderer *r, struct ui_ctx *ui);
void ui_render_present(struct ui_renderer *r);
/* The last rendered frame as packed RGBA (tests, screenshots); malloc'd. */
uint8_t *ui_render_read_rgba(struct ui_renderer *r, int *w, int *h);
/* Destroys every cached texture, zeroing image pixels (session wipe). */
void ui_render_purge(struct ui_renderer *r);

#endif
