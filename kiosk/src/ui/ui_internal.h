/* Shared by the UI toolkit's files; not part of the public API. */
#ifndef HIFAZAT_UI_INTERNAL_H
#define HIFAZAT_UI_INTERNAL_H

#include "ui.h"

enum {
    HIT_CLICK = 1,       /* takes taps and Enter */
    HIT_FOCUS = 2,       /* in the keyboard order */
    HIT_SCROLL = 4,      /* a scroll area: wheel, drag, arrow keys */
    HIT_ALWAYS = 8,      /* stays usable under a modal dialog (the top bar) */
};

struct ui_hit {
    uint32_t id;
    struct ui_rect r;    /* full rect (may be scrolled out of view) */
    struct ui_rect vis;  /* part visible inside the clip: where taps land */
    uint8_t flags, layer;
    uint32_t owner;      /* enclosing scroll area, 0 if none */
};

struct hit_list {
    struct ui_hit *v;
    size_t n, cap;
};

#define UI_MAX_CLIP 16
#define UI_MAX_EVENTS 16

struct ui_image {
    int w, h;
    uint8_t *rgba;
    uint64_t serial;
    uint32_t version;    /* bumped by ui_image_changed(): upload again */
};

struct ui_ctx {
    struct text_ctx *text;
    enum text_dir dir;
    char lang[8];
    struct ui_theme theme;
    int w, h;

    struct ui_cmd *cmds;
    size_t ncmds, capcmds;
    struct hit_list hits, prev;      /* this frame, last frame */

    struct ui_rect clip[UI_MAX_CLIP];
    int nclip;
    uint8_t layer;                   /* 1 while drawing a dialog */
    uint8_t role;                    /* enum ui_role of the text drawn now */
    bool modal_now, modal_prev;
    uint32_t scroll_owner;
    uint8_t hit_extra;               /* OR-ed into every hit (HIT_ALWAYS in the bar) */
    int bar_bottom;                  /* the top bar stays above a dialog's scrim */
    struct ui_rect bar_mark;         /* the app's mark and name in the last top bar */

    /* pointer */
    int px, py;
    bool pdown, ptouch;
    uint32_t hot, active;
    int press_y;
    uint32_t drag_scroll;
    bool dragging;
    int drag_last_y;

    /* what input asked of the next frame */
    uint32_t clicked[UI_MAX_EVENTS];
    int nclicked;
    struct {
        uint32_t id;
        int dy;
    } scrolls[UI_MAX_EVENTS];
    int nscrolls;
    bool escape, dialog_escape;

    /* keyboard focus */
    uint32_t focus, focus_saved;
    bool focus_visible, focus_moved;
    bool focus_by_key;               /* this frame's focus move came from the keyboard */
    bool want_frame;

    struct ui_voice voice;           /* narration and pictogram hooks */
    int text_pct;                    /* larger text: 100 = normal */

    uint64_t next_image_serial;
    uint64_t *dead;                  /* serials of destroyed images */
    size_t ndead, capdead;
};

/* ui.c */
/* Tells the voice hook about a widget's label: pressed, or the keyboard
 * focus just moved to it. */
void ui_voice_widget(struct ui_ctx *ui, uint32_t id, const char *label, bool clicked);
struct ui_image *ui_voice_pictogram(struct ui_ctx *ui, const char *label);
void ui_push_cmd(struct ui_ctx *ui, const struct ui_cmd *c);
/* Registers an interactive rect for this frame; returns its visible part. */
struct ui_rect ui_add_hit(struct ui_ctx *ui, uint32_t id, struct ui_rect r, uint8_t flags);
/* True once, on the frame after a tap/Enter on id. */
bool ui_take_click(struct ui_ctx *ui, uint32_t id);
/* Pending scroll for a scroll area (wheel, drag, keys), consumed. */
int ui_take_scroll(struct ui_ctx *ui, uint32_t id);
struct ui_rect ui_clip_rect(const struct ui_ctx *ui);
struct text_style ui_style(const struct ui_ctx *ui, enum ui_font f);
int ui_font_size(const struct ui_ctx *ui, enum ui_font f);
void ui_focus_ring(struct ui_ctx *ui, struct ui_rect r, int radius);
struct ui_rect ui_rect_intersect(struct ui_rect a, struct ui_rect b);

/* render_sdl.c asks for destroyed images' serials. */
size_t ui_take_dead_images(struct ui_ctx *ui, uint64_t *out, size_t max);

#endif
