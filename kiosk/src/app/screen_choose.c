/* Step 5, choose: browse the device's folders and pick photos and videos.
 * Folders are opened by device path (a volume's, or a phone's: a phone's
 * folder fills in as the phone answers).
 *
 * Thumbnails are blurred by default; pressing and holding one (or holding V
 * on a focused one) shows that one clearly, in its own small cell, for as
 * long as it is held: nothing is ever shown large unasked. Only the visible
 * cells (and a row or two around them) ask the media module for
 * thumbnails, decoded at reduced size on its workers and cached within a
 * memory bound, so a phone's camera folder with thousands of files opens at
 * once. Tap to choose or unchoose; "Choose all here" takes every photo and
 * video of the folder (as filtered). Counts and filters sit above the grid. */
#include "screen_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOLD_MS 450
#define MAX_THUMBS 256
#define GRID_ID "choose.grid"
#define NONE UINT32_MAX   /* no entry (entry ids start at 0) */

struct thumb {
    uint32_t id;             /* media entry id (0 is an id too: img marks a used slot) */
    struct ui_image *img;    /* blurred, or sharp while peeked */
    uint64_t used;           /* frame it was last visible */
    bool sharp;
};

static struct {
    struct media_folder *folder;
    enum media_filter filter;
    struct ui_scroll grid;
    struct thumb thumbs[MAX_THUMBS];
    uint64_t frame;
    struct ui_grid_item *items;
    size_t items_cap;
    uint32_t *want;
    size_t nwant, want_cap;
    uint32_t last_want[1024];
    uint32_t peek_id;        /* the entry shown clearly now (NONE: none) */
    uint32_t pointer_peek;   /* the entry held by the finger or mouse (NONE: none) */
    bool key_peek;           /* V held: the focused entry */
    Uint32 press_ms;
    bool press_pending;
    bool limit_dialog;
    char *pending_path;      /* a folder to open before the next frame (session memory) */
    bool pending_up;
    enum media_err open_err;
    char badge[64][16];      /* video lengths of the visible cells */
} st;

/* ---- thumbnails */

static struct thumb *thumb_find(uint32_t id)
{
    for (int i = 0; i < MAX_THUMBS; i++)
        if (st.thumbs[i].img && st.thumbs[i].id == id)
            return &st.thumbs[i];
    return NULL;
}

static void thumb_drop(struct app *a, struct thumb *t)
{
    ui_image_destroy(app_ui(a), t->img);   /* zeroes the pixels */
    memset(t, 0, sizeof(*t));
}

static void thumbs_clear(struct app *a)
{
    for (int i = 0; i < MAX_THUMBS; i++)
        if (st.thumbs[i].img)
            thumb_drop(a, &st.thumbs[i]);
}

/* A free slot, else the one not seen for longest (never one on screen). */
static struct thumb *thumb_slot(struct app *a)
{
    struct thumb *best = NULL;
    for (int i = 0; i < MAX_THUMBS; i++) {
        struct thumb *t = &st.thumbs[i];
        if (!t->img)
            return t;
        if (t->used < st.frame && (!best || t->used < best->used))
            best = t;
    }
    if (best)
        thumb_drop(a, best);
    return best;
}

static void thumb_copy(struct app *a, struct thumb *t, bool sharp)
{
    int w = ui_image_width(t->img), h = ui_image_height(t->img);
    if (media_thumb_copy(a->media, st.folder, t->id, !sharp, ui_image_pixels(t->img),
                         (size_t)w * 4, w, h) == 0) {
        t->sharp = sharp;
        ui_image_changed(t->img);
    }
}

/* The thumbnail of a visible entry: made once it is ready. */
static struct thumb *thumb_for(struct app *a, uint32_t id, struct media_thumb_info *info)
{
    struct thumb *t = thumb_find(id);
    media_thumb_get(a->media, st.folder, id, info);
    if (t) {
        t->used = st.frame;
        return t;
    }
    if (info->state != MEDIA_THUMB_READY || info->width <= 0)
        return NULL;
    t = thumb_slot(a);
    if (!t)
        return NULL;
    t->img = ui_image_create(app_ui(a), info->width, info->height, NULL);
    if (!t->img)
        return NULL;
    t->id = id;
    t->used = st.frame;
    thumb_copy(a, t, false);
    return t;
}

static void peek(struct app *a, uint32_t id)
{
    if (st.peek_id == id)
        return;
    struct thumb *old = st.peek_id != NONE ? thumb_find(st.peek_id) : NULL;
    if (old && old->sharp)
        thumb_copy(a, old, false);
    st.peek_id = id;
    struct thumb *t = id != NONE ? thumb_find(id) : NULL;
    if (t)
        thumb_copy(a, t, true);
    a->dirty = true;
}

/* ---- folders */

static void close_folder(struct app *a)
{
    peek(a, NONE);
    thumbs_clear(a);
    if (a->media)
        media_thumbs_want(a->media, st.folder, NULL, 0);
    media_folder_close(st.folder);
    st.folder = NULL;
    st.nwant = 0;
    st.grid = (struct ui_scroll){0};
}

static void open_folder(struct app *a, const char *path)
{
    /* path may point into the folder being closed: copy it first. */
    char *copy = session_strdup(path);
    if (!copy)
        return;
    close_folder(a);
    struct media_error err;
    st.folder = media_folder_open(a->media, copy, 0, &err);
    session_free(copy);
    st.open_err = st.folder ? MEDIA_OK : err.code;
    if (st.folder)
        media_folder_view(st.folder, MEDIA_SORT_DATE, st.filter);
    ui_set_focus(app_ui(a), ui_id_index(ui_id(GRID_ID), 0));
}

static void go_up(struct app *a)
{
    const char *parent = st.folder ? media_folder_parent(st.folder) : NULL;
    if (parent)
        open_folder(a, parent);
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    st.peek_id = st.pointer_peek = NONE;
    st.filter = MEDIA_FILTER_ALL;
    open_folder(a, a->session.volume_path ? a->session.volume_path : "");
}

static void leave(struct app *a)
{
    session_free(st.pending_path);
    close_folder(a);
    free(st.items);
    free(st.want);
    sodium_memzero(&st, sizeof st);
}

static bool volume_gone(const struct app *a)
{
    return a->volumes && !app_volume(a, a->session.volume_id);
}

static void update(struct app *a)
{
    unsigned ev = app_take_media_events(a, MEDIA_EV_FOLDER | MEDIA_EV_THUMBS | APP_EV_DEVICES);
    if ((ev & MEDIA_EV_FOLDER) && st.folder)
        media_folder_update(st.folder);
    if (st.folder && volume_gone(a))
        close_folder(a);   /* pulled out: nothing more to read */
    /* A phone that locked itself or stopped answering while its folder was
     * read, and can be read again: read the folder again. */
    const struct device_info *dev = app_volume(a, a->session.volume_id);
    if ((ev & APP_EV_DEVICES) && st.folder && !st.pending_path && media_folder_error(st.folder) != MEDIA_OK &&
        dev && dev->state == DEVICE_READY)
        st.pending_path = session_strdup(media_folder_path(st.folder));
    /* Folder changes asked for by the last frame happen here, between frames. */
    if (st.pending_path) {
        char *path = st.pending_path;
        st.pending_path = NULL;
        open_folder(a, path);
        session_free(path);
    } else if (st.pending_up) {
        st.pending_up = false;
        go_up(a);
    }
    st.frame++;
}

/* ---- choosing */

static void toggle(struct app *a, const struct media_entry *e)
{
    struct session *s = &a->session;
    if (session_find(s, e->path)) {
        session_unselect(s, e->path);
        return;
    }
    if (session_select(s, e->path, e->name, e->kind, e->size) == 1)
        st.limit_dialog = true;
}

static bool all_chosen_here(struct app *a, size_t *media)
{
    size_t n = media_folder_count(st.folder), m = 0;
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        if (media_folder_entry(st.folder, i, &e) || e.kind == MEDIA_KIND_FOLDER)
            continue;
        m++;
        if (!session_find(&a->session, e.path))
            all = false;
    }
    *media = m;
    return all && m > 0;
}

static bool marked(const struct session_item *it, void *ctx)
{
    (void)ctx;
    return it->mark;
}

static void choose_all_here(struct app *a, bool unchoose)
{
    struct session *s = &a->session;
    size_t n = media_folder_count(st.folder);
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        if (media_folder_entry(st.folder, i, &e) || e.kind == MEDIA_KIND_FOLDER)
            continue;
        if (unchoose) {
            struct session_item *it = session_find(s, e.path);
            if (it)
                it->mark = true;
        } else if (session_select(s, e.path, e.name, e.kind, e.size) == 1) {
            st.limit_dialog = true;
            break;
        }
    }
    if (unchoose)
        session_remove_if(s, marked, NULL);
}

/* ---- input: press and hold */

static bool event(struct app *a, const SDL_Event *e)
{
    if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) {
        st.press_ms = SDL_GetTicks();
        st.press_pending = true;
        app_wake_after(a, HOLD_MS);
    } else if (e->type == SDL_MOUSEBUTTONUP && e->button.button == SDL_BUTTON_LEFT) {
        st.press_pending = false;
        if (st.pointer_peek != NONE) {
            st.pointer_peek = NONE;
            peek(a, NONE);
        }
    } else if (e->type == SDL_KEYDOWN && e->key.keysym.sym == SDLK_v && !e->key.repeat) {
        st.key_peek = true;
        a->dirty = true;
        return true;
    } else if (e->type == SDL_KEYUP && e->key.keysym.sym == SDLK_v) {
        st.key_peek = false;
        peek(a, NONE);
        return true;
    }
    return false;
}

/* ---- drawing */

static void tab(struct ui_ctx *ui, struct ui_rect *row, const char *id, const char *label, bool on,
                enum media_filter f, struct app *a)
{
    struct ui_button_spec b = {.label = label, .icon = -1,
                               .style = on ? UI_BUTTON_PRIMARY : UI_BUTTON_SECONDARY};
    int w = ui_button_width(ui, &b);
    if (ui_button(ui, id, ui_cut_end(ui, row, w), &b) && st.filter != f) {
        st.filter = f;
        media_folder_view(st.folder, MEDIA_SORT_DATE, f);
        st.grid = (struct ui_scroll){0};
        a->dirty = true;
    }
    ui_cut_end(ui, row, ui_theme(ui)->gap / 2);
}

static void draw_gone(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    draw_card(ui, p->body);
    struct ui_rect in = ui_inset(p->body, t->pad);
    int h = icon_row(ui, in, TEXT_ICON_WARNING, t->danger,
                     _("Your device was removed. The pictures you chose are still listed. To go "
                       "on, plug it in again and choose it."),
                     UI_FONT_BODY, false);
    struct ui_button_spec b = {.label = _("Connect it again"), .icon = TEXT_ICON_USB,
                               .style = UI_BUTTON_PRIMARY};
    int bw = ui_button_width(ui, &b);
    if (ui_button(ui, "choose.reconnect",
                  (struct ui_rect){in.x + (in.w - bw) / 2, in.y + h + t->gap * 2, bw, t->button_h}, &b))
        app_back(a);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct session *s = &a->session;
    struct page p;
    page_begin(ui, area, true, true, &p);

    char next[96];
    /* TRANSLATORS: the button to go on, with how many are chosen. */
    snprintf(next, sizeof next, _("Next (%d)"), (int)s->nitems);
    enum nav_action act = page_nav(ui, &p, "choose.back", _("Back"), "choose.next", next,
                                   s->nitems == 0);
    if (act == NAV_BACK) {
        app_back(a);
        return;
    }
    if (act == NAV_NEXT) {
        app_next(a);
        return;
    }
    /* Title, and at its end how to see one clearly (the count is on Next). */
    {
        const char *title = _("Choose the pictures and videos");
        const struct text_block *tb = ui_text_block(ui, title, UI_FONT_TITLE, 0, TEXT_ALIGN_START, 1);
        int tw = tb ? tb->text_width : 0;
        if (tw > p.body.w * 3 / 5)
            tw = p.body.w * 3 / 5;
        int th = ui_text_height(ui, title, UI_FONT_TITLE, tw + 1);
        struct ui_rect r = ui_cut_top(&p.body, th);
        struct ui_rect tr = ui_cut_start(ui, &r, tw + 1);
        ui_label(ui, tr, title, UI_FONT_TITLE, t->text, TEXT_ALIGN_START);
        ui_cut_start(ui, &r, t->pad);
        const char *h = _("Pictures stay blurred. Press and hold one to see it clearly.");
        int isz = (int)(30 * t->scale);
        struct ui_rect ir = ui_cut_start(ui, &r, isz);
        ui_cut_start(ui, &r, t->gap / 2);
        const struct text_block *hb = ui_text_block(ui, h, UI_FONT_SMALL, r.w, TEXT_ALIGN_START, 2);
        if (hb && r.w > 0) {
            ui_draw_block_vcenter(ui, hb, r.x, r, t->muted);
            ui_draw_icon(ui, TEXT_ICON_EYE, ui_center(ir, isz, isz), t->muted);
        }
        ui_cut_top(&p.body, t->gap / 2);
    }

    if (volume_gone(a) || !st.folder) {
        if (!volume_gone(a) && st.open_err != MEDIA_OK) {
            icon_row(ui, p.body, TEXT_ICON_WARNING, t->danger,
                     _("This folder could not be opened. Go back and try again."), UI_FONT_BODY, false);
            return;
        }
        draw_gone(a, ui, &p);
        return;
    }

    /* Toolbar: up, where we are, filters, choose all. */
    struct media_counts c;
    media_folder_counts(st.folder, &c);
    const char *rel = media_folder_rel(st.folder);
    struct ui_rect bar = ui_cut_top(&p.body, t->touch > (int)(64 * t->scale) ? t->touch : (int)(64 * t->scale));
    ui_cut_top(&p.body, t->gap);
    if (media_folder_parent(st.folder)) {
        struct ui_button_spec up = {.label = _("Up"), .icon = TEXT_ICON_ARROW_UP,
                                    .style = UI_BUTTON_SECONDARY};
        if (ui_button(ui, "choose.up", ui_cut_start(ui, &bar, ui_button_width(ui, &up)), &up)) {
            st.pending_up = true;
            app_redo_frame(a);
            return;
        }
        ui_cut_start(ui, &bar, t->gap);
    }
    /* Choose all (or none) of this folder: between Back and Next. */
    size_t media_here = 0;
    bool all = all_chosen_here(a, &media_here);
    if (media_here > 0) {
        struct ui_button_spec sa = {.label = all ? _("Unchoose all here") : _("Choose all here"),
                                    .icon = TEXT_ICON_SELECT_ALL, .style = UI_BUTTON_SECONDARY};
        int bw = ui_button_width(ui, &sa);
        if (bw > p.nav.w)
            bw = p.nav.w;
        if (ui_button(ui, "choose.all", (struct ui_rect){p.nav.x + (p.nav.w - bw) / 2, p.nav.y, bw, p.nav.h},
                      &sa)) {
            choose_all_here(a, all);
            a->dirty = true;
        }
    }
    if (c.photos && c.videos) {
        char l1[64], l2[64], l3[64];
        /* TRANSLATORS: filter tabs with how many of each are in the folder. */
        snprintf(l1, sizeof l1, _("All (%d)"), (int)(c.photos + c.videos));
        snprintf(l2, sizeof l2, _("Photos (%d)"), (int)c.photos);
        snprintf(l3, sizeof l3, _("Videos (%d)"), (int)c.videos);
        tab(ui, &bar, "choose.filter.videos", l3, st.filter == MEDIA_FILTER_VIDEOS, MEDIA_FILTER_VIDEOS, a);
        tab(ui, &bar, "choose.filter.photos", l2, st.filter == MEDIA_FILTER_PHOTOS, MEDIA_FILTER_PHOTOS, a);
        tab(ui, &bar, "choose.filter.all", l1, st.filter == MEDIA_FILTER_ALL, MEDIA_FILTER_ALL, a);
    }
    {
        /* Where we are: the device, then the folders. */
        char where[600];
        if (rel[0])
            snprintf(where, sizeof where, "%s / %s", s->volume_label, rel);
        else
            snprintf(where, sizeof where, "%s", s->volume_label);
        const struct text_block *wb = ui_text_block(ui, where, UI_FONT_BODY, bar.w, TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, wb, bar.x, bar, t->muted);
    }

    size_t n = media_folder_count(st.folder);
    if (n == 0) {
        /* A phone's folder comes in as it answers; one that stopped
         * answering, or locked itself, cannot be listed. */
        const bool failed = media_folder_error(st.folder) != MEDIA_OK;
        icon_row(ui, p.body, failed ? TEXT_ICON_WARNING : TEXT_ICON_INFO, failed ? t->danger : t->muted,
                 failed ? _("This folder could not be opened. Go back and try again.")
                 : c.checking || media_folder_listing(st.folder) ? _("Looking at the files...")
                                                                 : _("There are no pictures or videos in this folder."),
                 UI_FONT_BODY, false);
        return;
    }

    /* The grid: only the visible rows get items and thumbnails. */
    if (n > st.items_cap) {
        struct ui_grid_item *v = realloc(st.items, n * sizeof(*v));
        if (!v)
            return;
        st.items = v;
        st.items_cap = n;
    }
    /* No stale pointers outside the rows drawn (a few kB a frame). */
    memset(st.items, 0, n * sizeof(*st.items));
    struct ui_grid_metrics gm;
    ui_grid_metrics(ui, GRID_ID, p.body, (int)n, &st.grid, &gm);
    /* Thumbnails wanted: the visible ones first, then a row either side. */
    size_t wmax = media_thumbs_max_want(a->media);
    if (st.want_cap < wmax) {
        uint32_t *v = realloc(st.want, wmax * sizeof(*v));
        if (!v)
            return;
        st.want = v;
        st.want_cap = wmax;
    }
    size_t nw = 0;
    int pre0 = gm.first - gm.cols, pre1 = gm.last + gm.cols;
    for (int pass = 0; pass < 2; pass++) {
        int lo = pass ? (pre0 > 0 ? pre0 : 0) : gm.first;
        int hi = pass ? (pre1 < (int)n ? pre1 : (int)n) : gm.last;
        for (int i = lo; i < hi && nw < wmax; i++) {
            if (pass && i >= gm.first && i < gm.last)
                continue;
            struct media_entry e;
            if (media_folder_entry(st.folder, (size_t)i, &e) == 0 && e.kind != MEDIA_KIND_FOLDER)
                st.want[nw++] = e.id;
        }
    }
    bool same = nw == st.nwant;
    for (size_t i = 0; same && i < nw && i < 1024; i++)
        same = st.last_want[i] == st.want[i];
    if (!same) {
        media_thumbs_want(a->media, st.folder, st.want, nw);
        st.nwant = nw;
        for (size_t i = 0; i < nw && i < 1024; i++)
            st.last_want[i] = st.want[i];
    }

    uint32_t base = ui_id(GRID_ID);
    uint32_t pressed = ui_pressed(ui), focused = ui_focus(ui);
    Uint32 held_ms = SDL_GetTicks() - st.press_ms;
    bool hold = st.press_pending && pressed && held_ms >= HOLD_MS;
    if (st.press_pending && pressed && !hold)
        app_wake_after(a, HOLD_MS - held_ms);
    uint32_t key_target = NONE;
    for (int i = gm.first; i < gm.last; i++) {
        struct media_entry e;
        struct ui_grid_item *it = &st.items[i];
        if (media_folder_entry(st.folder, (size_t)i, &e))
            continue;
        if (e.kind == MEDIA_KIND_FOLDER) {
            it->folder = true;
            it->label = e.name;
            continue;
        }
        it->video = e.kind == MEDIA_KIND_VIDEO;
        it->selected = session_find(s, e.path) != NULL;
        struct media_thumb_info info;
        struct thumb *th = thumb_for(a, e.id, &info);
        it->image = th ? th->img : NULL;
        it->problem = info.state == MEDIA_THUMB_FAILED;
        if (it->video && info.duration_ms >= 0 && info.state == MEDIA_THUMB_READY) {
            char *bb = st.badge[(i - gm.first) % 64];
            fmt_clock(bb, 16, info.duration_ms);
            it->badge = bb;
        }
        uint32_t cid = ui_id_index(base, i);
        if (hold && pressed == cid && th) {
            /* Held, not tapped: shown clearly, and the choice stays as it was. */
            st.pointer_peek = e.id;
            st.press_pending = false;
            ui_press_cancel(ui);
        }
        if (focused == cid && th)
            key_target = e.id;
    }
    peek(a, st.pointer_peek != NONE ? st.pointer_peek : st.key_peek ? key_target : NONE);

    int hit = ui_grid(ui, GRID_ID, p.body, st.items, (int)n, &st.grid);
    if (hit >= 0) {
        struct media_entry e;
        if (media_folder_entry(st.folder, (size_t)hit, &e) == 0) {
            if (e.kind == MEDIA_KIND_FOLDER) {
                session_free(st.pending_path);
                st.pending_path = session_strdup(e.path);
                app_redo_frame(a);
                return;
            }
            toggle(a, &e);
        }
    }

    if (st.limit_dialog) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 _("Up to %d pictures and videos can go in one report. You can make another "
                   "report for the rest."),
                 SESSION_MAX_ITEMS);
        if (ui_dialog(ui, "choose.limit", _("That is the most for one report"), msg, _("OK"), NULL) !=
            UI_DIALOG_OPEN)
            st.limit_dialog = false;
    }
}

const struct screen screen_choose = {
    .name = "choose",
    .enter = enter,
    .leave = leave,
    .event = event,
    .update = update,
    .draw = draw,
};
