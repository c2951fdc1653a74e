/* Step 5, choose: the person's photos and videos, shown the way their
 * phone's own gallery shows them. Three views (the screen's parts, for the
 * narration and the tests):
 *
 *   ""         the gallery: one large tile per album that has something in
 *              it, always in the same order (Camera, WhatsApp Images,
 *              WhatsApp Video, Screenshots, Downloads, Telegram, Other),
 *              each with a blurred cover, its name and how many photos and
 *              videos. The whole device (both storages of a phone) is read
 *              in the background: albums fill in as they are found, and
 *              while it is read the screen says so, with how many were
 *              found so far. No folder names or paths are shown.
 *   "album"    one album: newest first under date headers ("Today",
 *              "Yesterday", then dates); tap to choose, "Choose all in this
 *              album", press and hold to see one clearly.
 *   "folders"  "All folders", a secondary view for staff and odd layouts:
 *              the device's folders by name (a phone's storages named by
 *              what they are), as the kiosk browsed before the gallery.
 *
 * Back goes up a view (an album or All folders to the gallery, the gallery
 * to Connect); choices are kept by device path in the session, so they
 * survive every move between views. Nothing moves under a finger: while a
 * finger or the mouse is down, what the device layer found meanwhile waits
 * (media_folder_update is held back), and the grids keep the item the
 * person looks at (or has focused) in place as entries come in before it
 * (ui_grid_spec.keys).
 *
 * Thumbnails are blurred by default; pressing and holding one (or holding V
 * on a focused one) shows that one clearly, in its own small cell, for as
 * long as it is held: nothing is ever shown large unasked. Only the visible
 * cells (and a row or two around them) ask the media module for thumbnails,
 * decoded at reduced size on its workers and cached within a memory bound,
 * so an album of thousands opens at once. */
#include "screen_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOLD_MS 450
#define MAX_THUMBS 256
#define ALBUMS_ID "choose.album"   /* album tiles: widget ids by album number */
#define GRID_ID "choose.grid"      /* photos and videos of an album or a folder: ids by entry id */
#define NONE UINT32_MAX            /* no entry (entry ids start at 0) */
#define MAX_TITLES 48              /* date headers laid out in one frame */

enum view { V_GALLERY, V_ALBUM, V_FOLDERS };
/* A view asked for by a frame, shown before the next one (st.pending_view). */
#define ASK_GALLERY 1
#define ASK_FOLDERS 2
#define ASK_ALBUM(k) (3 + (k))
static const char *const part_names[] = {"", "album", "folders"};

/* The albums' names, in the order the gallery shows them (enum media_album). */
static const char *const album_names[MEDIA_ALBUM_COUNT] = {
    N_("Camera"), N_("WhatsApp Images"), N_("WhatsApp Video"), N_("Screenshots"),
    N_("Downloads"), N_("Telegram"), N_("Other"),
};

static const char *const month_names[12] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December"),
};

struct thumb {
    uint32_t id;             /* media entry id (0 is an id too: img marks a used slot) */
    struct ui_image *img;    /* blurred, or sharp while peeked */
    uint64_t used;           /* frame it was last visible */
    bool sharp;
};

/* What a grid shows, made again when its view changes: a key per item
 * (the entry's id) and, in an album, a section per day. */
struct layout {
    uint32_t *keys;
    size_t n, cap;
    struct ui_grid_section *sec;
    int *sec_day;            /* yyyymmdd, 0 for an unknown date */
    size_t nsec, sec_cap;
    bool stale;
};

static struct {
    enum view view;
    int pending_view;        /* ASK_*: a view to show before the next frame (0: none) */
    int album;               /* the album shown in V_ALBUM */
    struct media_folder *gallery;  /* the whole device, for the gallery and albums */
    struct media_folder *folder;   /* All folders: the folder browsed */
    enum media_err gallery_err, open_err;
    struct media_album_info info[MEDIA_ALBUM_COUNT];
    uint32_t shown[MEDIA_ALBUM_COUNT];   /* the albums with something in them, in order */
    int nshown;
    enum media_filter filter;
    struct ui_scroll albums_scroll, grid, fgrid;
    struct layout lay;       /* the album view's or the folder's */
    struct thumb thumbs[MAX_THUMBS];
    uint64_t frame;
    struct ui_grid_item *items;
    size_t items_cap;
    uint32_t *want;
    size_t nwant, want_cap;
    uint32_t last_want[1024];
    bool want_sent;
    uint32_t peek_id;        /* the entry shown clearly now (NONE: none) */
    uint32_t pointer_peek;   /* the entry held by the finger or mouse (NONE: none) */
    bool key_peek;           /* V held: the focused entry */
    Uint32 press_ms;
    bool press_pending;
    bool limit_dialog;
    bool news;               /* the open folders have news not taken yet (held while pressed) */
    bool focus_first;        /* the keyboard focus goes to the first tile or cell once there is one */
    bool read_said;          /* "gallery=read" told (test events) */
    bool reopen;             /* read the device again (it answers again) */
    char *pending_path;      /* a folder to open before the next frame (session memory) */
    bool pending_up;
    char *storage_rel;       /* All folders: the storage's own name as media shows it ... */
    const char *storage_name;/* ... and what the person sees instead (session memory / msgid) */
    char badge[64][16];      /* video lengths of the visible cells */
    char titles[MAX_TITLES][64];
    char detail[MEDIA_ALBUM_COUNT][96];
} st;

static struct media_folder *cur_folder(void)
{
    return st.view == V_FOLDERS ? st.folder : st.gallery;
}

/* ---- thumbnails of the folder shown */

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
    if (media_thumb_copy(a->media, cur_folder(), t->id, !sharp, ui_image_pixels(t->img), (size_t)w * 4, w,
                         h) == 0) {
        t->sharp = sharp;
        ui_image_changed(t->img);
    }
}

/* The thumbnail of a visible entry: made once it is ready. */
static struct thumb *thumb_for(struct app *a, uint32_t id, struct media_thumb_info *info)
{
    struct thumb *t = thumb_find(id);
    media_thumb_get(a->media, cur_folder(), id, info);
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

/* Only these thumbnails are wanted now (visible first): sent when the list
 * changes. */
static void want_thumbs(struct app *a, size_t nw)
{
    bool same = st.want_sent && nw == st.nwant;
    for (size_t i = 0; same && i < nw && i < 1024; i++)
        same = st.last_want[i] == st.want[i];
    if (same)
        return;
    media_thumbs_want(a->media, cur_folder(), st.want, nw);
    st.nwant = nw;
    st.want_sent = true;
    for (size_t i = 0; i < nw && i < 1024; i++)
        st.last_want[i] = st.want[i];
}

static bool want_room(struct app *a)
{
    size_t wmax = media_thumbs_max_want(a->media);
    if (st.want_cap < wmax) {
        uint32_t *v = realloc(st.want, wmax * sizeof(*v));
        if (!v)
            return false;
        st.want = v;
        st.want_cap = wmax;
    }
    return true;
}

/* ---- dates: "Today", "Yesterday", "14 November", "14 November 2023" */

/* The local calendar day of t as yyyymmdd (0: unknown). Entries come
 * newest first, so the day's bounds are kept and localtime_r() is asked
 * only when t leaves them. */
struct daycache {
    int64_t lo, hi;
    int key;
};

static int day_of(struct daycache *c, int64_t t)
{
    if (t <= 0)
        return 0;
    if (c->hi > c->lo && t >= c->lo && t < c->hi)
        return c->key;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    c->key = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    struct tm b = tm;
    b.tm_hour = b.tm_min = b.tm_sec = 0;
    b.tm_isdst = -1;
    c->lo = (int64_t)mktime(&b);
    b = tm;
    b.tm_mday++;
    b.tm_hour = b.tm_min = b.tm_sec = 0;
    b.tm_isdst = -1;
    c->hi = (int64_t)mktime(&b);
    return c->key;
}

static int day_shift(int64_t now, int days)
{
    time_t tt = (time_t)now;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return -1;
    tm.tm_mday -= days;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    tt = mktime(&tm);
    if (!localtime_r(&tt, &tm))
        return -1;
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static void fmt_day(const struct app *a, int key, char *buf, size_t n)
{
    const int64_t now = app_now(a);
    const int today = day_shift(now, 0);
    if (key == 0)
        snprintf(buf, n, "%s", _("Date not known"));
    else if (key == today)
        snprintf(buf, n, "%s", _("Today"));
    else if (key == day_shift(now, 1))
        snprintf(buf, n, "%s", _("Yesterday"));
    else if (key / 10000 == today / 10000)
        /* Day, month, year: the order Urdu and Pakistani English both use
         * ("14 November", "14 November 2023"); the month's name translated. */
        snprintf(buf, n, "%d %s", key % 100, _(month_names[(key / 100 % 100 + 11) % 12]));
    else
        snprintf(buf, n, "%d %s %d", key % 100, _(month_names[(key / 100 % 100 + 11) % 12]), key / 10000);
}

/* "12 photos, 3 videos" */
static void fmt_counts(char *buf, size_t n, size_t photos, size_t videos)
{
    char p[48], v[48];
    if (photos == 1)
        snprintf(p, sizeof p, "%s", _("1 photo"));
    else
        /* TRANSLATORS: how many photos (2 or more, or 0). */
        snprintf(p, sizeof p, _("%d photos"), (int)photos);
    if (videos == 1)
        snprintf(v, sizeof v, "%s", _("1 video"));
    else
        /* TRANSLATORS: how many videos (2 or more, or 0). */
        snprintf(v, sizeof v, _("%d videos"), (int)videos);
    if (photos && videos)
        /* TRANSLATORS: photos and videos of an album: "12 photos, 3 videos". */
        snprintf(buf, n, _("%s, %s"), p, v);
    else
        snprintf(buf, n, "%s", videos ? v : p);
}

/* ---- what a grid shows */

static bool grow_layout(struct layout *l, size_t n)
{
    if (n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < n)
            cap *= 2;
        uint32_t *k = realloc(l->keys, cap * sizeof(*k));
        if (!k)
            return false;
        l->keys = k;
        l->cap = cap;
    }
    return true;
}

static bool add_section(struct layout *l, int first, int day)
{
    if (l->nsec == l->sec_cap) {
        size_t cap = l->sec_cap ? l->sec_cap * 2 : 64;
        struct ui_grid_section *s = realloc(l->sec, cap * sizeof(*s));
        if (!s)
            return false;
        l->sec = s;
        int *d = realloc(l->sec_day, cap * sizeof(*d));
        if (!d)
            return false;
        l->sec_day = d;
        l->sec_cap = cap;
    }
    l->sec[l->nsec] = (struct ui_grid_section){.first = first};
    l->sec_day[l->nsec++] = day;
    return true;
}

/* The keys (and, by day, the sections) of f's view. */
static void layout_make(struct layout *l, const struct media_folder *f, bool by_day)
{
    size_t n = media_folder_count(f);
    l->n = 0;
    l->nsec = 0;
    l->stale = false;
    if (!grow_layout(l, n))
        return;
    struct daycache dc = {0};
    int day = -1;
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        if (media_folder_entry(f, i, &e))
            break;
        l->keys[l->n] = e.id;
        if (by_day) {
            int d = day_of(&dc, e.mtime);
            if (d != day && !add_section(l, (int)l->n, d))
                return;
            day = d;
        }
        l->n++;
    }
}

static void layout_free(struct layout *l)
{
    free(l->keys);
    free(l->sec);
    free(l->sec_day);
    memset(l, 0, sizeof(*l));
}

static bool items_room(size_t n)
{
    if (n <= st.items_cap)
        return true;
    struct ui_grid_item *v = realloc(st.items, n * sizeof(*v));
    if (!v)
        return false;
    /* Never a stale pointer outside the rows drawn: new room starts zeroed,
     * and what a frame filled in is cleared after it. */
    memset(v + st.items_cap, 0, (n - st.items_cap) * sizeof(*v));
    st.items = v;
    st.items_cap = n;
    return true;
}

/* ---- the gallery and folders */

static void refresh_albums(void)
{
    media_gallery_albums(st.gallery, st.info);
    st.nshown = 0;
    for (int k = 0; k < MEDIA_ALBUM_COUNT; k++)
        if (st.info[k].photos + st.info[k].videos > 0)
            st.shown[st.nshown++] = (uint32_t)k;
}

static void close_gallery(struct app *a)
{
    if (!st.gallery)
        return;
    if (st.view != V_FOLDERS) {
        peek(a, NONE);
        thumbs_clear(a);
        if (a->media)
            media_thumbs_want(a->media, st.gallery, NULL, 0);
        st.want_sent = false;
    }
    media_folder_close(st.gallery);
    st.gallery = NULL;
    st.nshown = 0;
    memset(st.info, 0, sizeof st.info);
}

static void open_gallery(struct app *a)
{
    close_gallery(a);
    struct media_error err;
    st.gallery = media_gallery_open(a->media, a->session.volume_path ? a->session.volume_path : "", 0, &err);
    st.gallery_err = st.gallery ? MEDIA_OK : err.code;
    st.read_said = false;
    if (st.gallery) {
        media_gallery_album(st.gallery, st.view == V_ALBUM ? st.album : MEDIA_ALBUM_ALL);
        media_folder_view(st.gallery, MEDIA_SORT_DATE, st.view == V_ALBUM ? st.filter : MEDIA_FILTER_ALL);
        refresh_albums();
    }
    st.lay.stale = true;
}

static void close_folder(struct app *a)
{
    if (!st.folder)
        return;
    if (st.view == V_FOLDERS) {
        peek(a, NONE);
        thumbs_clear(a);
        if (a->media)
            media_thumbs_want(a->media, st.folder, NULL, 0);
        st.want_sent = false;
    }
    media_folder_close(st.folder);
    st.folder = NULL;
    st.fgrid = (struct ui_scroll){0};
}

/* Where the folder is, for staff: a phone's storage by what it is. */
static void note_storage(const struct media_entry *e)
{
    session_free(st.storage_rel);
    st.storage_rel = NULL;
    st.storage_name = NULL;
    if (e && e->storage) {
        st.storage_rel = session_strdup(e->name);
        st.storage_name = e->removable ? N_("Memory card") : N_("Phone storage");
    }
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
    st.lay.stale = true;
    st.focus_first = true;
    ui_set_focus(app_ui(a), 0);
}

/* Shows another view (between frames: thumbnails of the old one may be
 * dropped). */
static void show_view(struct app *a, enum view v, int album)
{
    peek(a, NONE);
    st.pointer_peek = NONE;
    st.press_pending = false;
    const bool other_folder = (st.view == V_FOLDERS) != (v == V_FOLDERS);
    if (other_folder) {
        thumbs_clear(a);
        st.want_sent = false;
    }
    st.view = v;
    st.filter = MEDIA_FILTER_ALL;
    st.lay.stale = true;
    if (v == V_ALBUM) {
        st.album = album;
        st.grid = (struct ui_scroll){0};
        media_gallery_album(st.gallery, album);
        media_folder_view(st.gallery, MEDIA_SORT_DATE, MEDIA_FILTER_ALL);
    } else if (v == V_FOLDERS) {
        note_storage(NULL);
        if (!st.folder)
            open_folder(a, a->session.volume_path ? a->session.volume_path : "");
        else
            media_folder_view(st.folder, MEDIA_SORT_DATE, MEDIA_FILTER_ALL);
    } else if (st.gallery) {
        media_gallery_album(st.gallery, MEDIA_ALBUM_ALL);
    }
    /* A new view for the narration and the tests: a fresh UI state and its
     * own explanation. */
    app_part_changed(a);
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    st.peek_id = st.pointer_peek = NONE;
    st.view = V_GALLERY;
    st.filter = MEDIA_FILTER_ALL;
    st.focus_first = true;
    open_gallery(a);
}

static void leave(struct app *a)
{
    session_free(st.pending_path);
    session_free(st.storage_rel);
    close_gallery(a);
    close_folder(a);
    thumbs_clear(a);
    layout_free(&st.lay);
    free(st.items);
    free(st.want);
    sodium_memzero(&st, sizeof st);
}

static const char *part(const struct app *a)
{
    (void)a;
    return part_names[st.view];
}

static void part_enter(struct app *a)
{
    (void)a;
    st.focus_first = true;
}

static bool volume_gone(const struct app *a)
{
    return a->volumes && !app_volume(a, a->session.volume_id);
}

static void go_up(struct app *a)
{
    const char *parent = st.folder ? media_folder_parent(st.folder) : NULL;
    if (parent) {
        open_folder(a, parent);
        if (st.folder && !*media_folder_rel(st.folder))
            note_storage(NULL);   /* the phone's top again */
    }
}

static void update(struct app *a)
{
    unsigned ev = app_take_media_events(a, MEDIA_EV_FOLDER | MEDIA_EV_THUMBS | APP_EV_DEVICES);
    if (ev & MEDIA_EV_FOLDER)
        st.news = true;
    if (volume_gone(a)) {
        close_gallery(a);   /* pulled out: nothing more to read */
        close_folder(a);
    }
    /* What was found waits while a finger is down: nothing moves under it. */
    if (st.news && !ui_pointer_down(app_ui(a))) {
        st.news = false;
        if (st.gallery && media_folder_update(st.gallery)) {
            refresh_albums();
            if (st.view != V_FOLDERS)
                st.lay.stale = true;
        }
        if (st.folder && media_folder_update(st.folder) && st.view == V_FOLDERS)
            st.lay.stale = true;
    }
    /* A phone that locked itself or stopped answering while it was read,
     * and can be read again: read it again. */
    const struct device_info *dev = app_volume(a, a->session.volume_id);
    if ((ev & APP_EV_DEVICES) && dev && dev->state == DEVICE_READY) {
        const enum media_err ge = st.gallery ? media_folder_error(st.gallery) : MEDIA_OK;
        if (ge == MEDIA_ERR_LOCKED || ge == MEDIA_ERR_NOT_ANSWERING || ge == MEDIA_ERR_BUSY || ge == MEDIA_ERR_GONE)
            st.reopen = true;
        if (st.folder && !st.pending_path && media_folder_error(st.folder) != MEDIA_OK)
            st.pending_path = session_strdup(media_folder_path(st.folder));
    }
    if (st.reopen && !ui_pointer_down(app_ui(a))) {
        st.reopen = false;
        open_gallery(a);
    }
    if (st.gallery && !st.read_said && !media_folder_listing(st.gallery)) {
        st.read_said = true;
        app_test_event(a, "gallery=read");
    }
    /* Changes asked for by the last frame happen here, between frames. */
    if (st.pending_view) {
        int ask = st.pending_view;
        st.pending_view = 0;
        if (ask == ASK_GALLERY)
            show_view(a, V_GALLERY, 0);
        else if (ask == ASK_FOLDERS)
            show_view(a, V_FOLDERS, 0);
        else
            show_view(a, V_ALBUM, ask - ASK_ALBUM(0));
    }
    if (st.pending_path) {
        char *path = st.pending_path;
        st.pending_path = NULL;
        open_folder(a, path);
        session_free(path);
    } else if (st.pending_up) {
        st.pending_up = false;
        go_up(a);
    }
    if (st.lay.stale) {
        struct media_folder *f = cur_folder();
        if (f && st.view != V_GALLERY)
            layout_make(&st.lay, f, st.view == V_ALBUM);
        else
            st.lay.n = st.lay.nsec = 0, st.lay.stale = false;
    }
    st.frame++;
}

static void ask_view(struct app *a, int ask)
{
    st.pending_view = ask;
    app_redo_frame(a);
}

/* Back: up a view, or to Connect from the gallery. */
static void back(struct app *a)
{
    if (st.view == V_GALLERY)
        app_back(a);
    else
        ask_view(a, ASK_GALLERY);
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
    struct media_folder *f = cur_folder();
    size_t n = media_folder_count(f), m = 0;
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        if (media_folder_entry(f, i, &e) || e.kind == MEDIA_KIND_FOLDER)
            continue;
        m++;
        if (all && !session_find(&a->session, e.path))
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

/* Every photo and video of the view (an album, as filtered, or a folder);
 * the report's limit stops it with today's dialog. */
static void choose_all_here(struct app *a, bool unchoose)
{
    struct session *s = &a->session;
    struct media_folder *f = cur_folder();
    size_t n = media_folder_count(f);
    for (size_t i = 0; i < n; i++) {
        struct media_entry e;
        if (media_folder_entry(f, i, &e) || e.kind == MEDIA_KIND_FOLDER)
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

static bool event(struct app *a, const struct ui_event *e)
{
    if (e->kind == UI_EV_POINTER_DOWN && e->primary) {
        st.press_ms = SDL_GetTicks();
        st.press_pending = true;
        app_wake_after(a, HOLD_MS);
    } else if (e->kind == UI_EV_POINTER_UP && e->primary) {
        st.press_pending = false;
        if (st.pointer_peek != NONE) {
            st.pointer_peek = NONE;
            peek(a, NONE);
        }
        if (st.news)
            a->dirty = true;   /* what came in meanwhile shows now */
    } else if (e->kind == UI_EV_KEY_DOWN && e->key == UI_KEY_V && !e->repeat) {
        st.key_peek = true;
        a->dirty = true;
        return true;
    } else if (e->kind == UI_EV_KEY_UP && e->key == UI_KEY_V) {
        st.key_peek = false;
        peek(a, NONE);
        return true;
    }
    return false;
}

/* Is the press on widget cid a hold that shows entry id clearly? */
static struct {
    uint32_t pressed, focused, key_target;
    bool hold;
} hold;

static void hold_begin(struct app *a, struct ui_ctx *ui)
{
    hold.pressed = ui_pressed(ui);
    hold.focused = ui_focus(ui);
    hold.key_target = NONE;
    Uint32 held_ms = SDL_GetTicks() - st.press_ms;
    hold.hold = st.press_pending && hold.pressed && held_ms >= HOLD_MS;
    if (st.press_pending && hold.pressed && !hold.hold)
        app_wake_after(a, HOLD_MS - held_ms);
}

static void hold_check(struct ui_ctx *ui, uint32_t cid, uint32_t entry, bool have_thumb)
{
    if (hold.hold && hold.pressed == cid && have_thumb) {
        /* Held, not tapped: shown clearly, and the choice stays as it was. */
        st.pointer_peek = entry;
        st.press_pending = false;
        ui_press_cancel(ui);
    }
    if (hold.focused == cid && have_thumb)
        hold.key_target = entry;
}

static void hold_end(struct app *a)
{
    peek(a, st.pointer_peek != NONE ? st.pointer_peek : st.key_peek ? hold.key_target : NONE);
}

/* ---- drawing */

static void tab(struct ui_ctx *ui, struct ui_rect *row, const char *id, const char *label, enum media_filter f,
                struct app *a)
{
    struct ui_button_spec b = {.label = label, .icon = -1,
                               .style = st.filter == f ? UI_BUTTON_PRIMARY : UI_BUTTON_SECONDARY};
    int w = ui_button_width(ui, &b);
    if (ui_button(ui, id, ui_cut_end(ui, row, w), &b) && st.filter != f) {
        st.filter = f;
        media_folder_view(cur_folder(), MEDIA_SORT_DATE, f);
        *(st.view == V_FOLDERS ? &st.fgrid : &st.grid) = (struct ui_scroll){0};
        st.lay.stale = true;
        app_redo_frame(a);
    }
    ui_cut_end(ui, row, ui_theme(ui)->gap / 2);
}

/* All / Photos / Videos, at the end of a toolbar, when there are both. */
static void filter_tabs(struct app *a, struct ui_ctx *ui, struct ui_rect *bar, const struct media_counts *c)
{
    if (!(c->photos && c->videos))
        return;
    char l1[64], l2[64], l3[64];
    /* TRANSLATORS: filter tabs with how many of each are in the folder. */
    snprintf(l1, sizeof l1, _("All (%d)"), (int)(c->photos + c->videos));
    snprintf(l2, sizeof l2, _("Photos (%d)"), (int)c->photos);
    snprintf(l3, sizeof l3, _("Videos (%d)"), (int)c->videos);
    tab(ui, bar, "choose.filter.videos", l3, MEDIA_FILTER_VIDEOS, a);
    tab(ui, bar, "choose.filter.photos", l2, MEDIA_FILTER_PHOTOS, a);
    tab(ui, bar, "choose.filter.all", l1, MEDIA_FILTER_ALL, a);
}

static void draw_gone(struct app *a, struct ui_ctx *ui, struct ui_rect body)
{
    const struct ui_theme *t = ui_theme(ui);
    draw_card(ui, body);
    struct ui_rect in = ui_inset(body, t->pad);
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

/* A line of muted text (an icon at its start) centred in r's height. */
static void status_line(struct ui_ctx *ui, struct ui_rect r, int icon, ui_color ic, const char *text)
{
    const struct ui_theme *t = ui_theme(ui);
    int isz = (int)(30 * t->scale);
    struct ui_rect ir = ui_cut_start(ui, &r, isz);
    ui_cut_start(ui, &r, t->gap / 2);
    const struct text_block *b = ui_text_block(ui, text, UI_FONT_SMALL, r.w, TEXT_ALIGN_START, 2);
    if (!b || r.w <= 0)
        return;
    ui_draw_block_vcenter(ui, b, r.x, r, t->muted);
    ui_draw_icon(ui, icon, ui_center(ir, isz, isz), ic);
}

static int toolbar_h(const struct ui_theme *t)
{
    int h = (int)(64 * t->scale);
    return t->touch > h ? t->touch : h;
}

/* The nav row: Back (up a view) and Next with the count. True when the
 * frame ends here (another screen comes). */
static bool nav(struct app *a, struct ui_ctx *ui, struct page *p)
{
    char next[96];
    /* TRANSLATORS: the button to go on, with how many are chosen. */
    snprintf(next, sizeof next, _("Next (%d)"), (int)a->session.nitems);
    enum nav_action act = page_nav(ui, p, "choose.back", _("Back"), "choose.next", next, a->session.nitems == 0);
    if (act == NAV_BACK) {
        back(a);
        return true;
    }
    if (act == NAV_NEXT) {
        app_next(a);
        return true;
    }
    return false;
}

/* "Choose all" (or none) of what is shown, in the nav row between Back and
 * Next. */
static void choose_all_button(struct app *a, struct ui_ctx *ui, const struct page *p, bool album)
{
    size_t media_here = 0;
    bool all = all_chosen_here(a, &media_here);
    if (media_here == 0)
        return;
    struct ui_button_spec sa = {
        .label = album ? (all ? _("Unchoose all in this album") : _("Choose all in this album"))
                       : (all ? _("Unchoose all here") : _("Choose all here")),
        .icon = TEXT_ICON_SELECT_ALL, .style = UI_BUTTON_SECONDARY};
    int bw = ui_button_width(ui, &sa);
    if (bw > p->nav.w)
        bw = p->nav.w;
    if (ui_button(ui, "choose.all", (struct ui_rect){p->nav.x + (p->nav.w - bw) / 2, p->nav.y, bw, p->nav.h},
                  &sa)) {
        choose_all_here(a, all);
        a->dirty = true;
    }
}

/* The gallery: the albums found so far. */
static void draw_gallery(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    struct ui_rect bar = ui_cut_top(&p->body, toolbar_h(t));
    ui_cut_top(&p->body, t->gap);
    /* All folders: for staff and odd layouts, small and at the end. */
    struct ui_button_spec af = {.label = _("All folders"), .icon = TEXT_ICON_FOLDER, .style = UI_BUTTON_SECONDARY};
    int aw = ui_button_width(ui, &af);
    if (ui_button(ui, "choose.folders", ui_cut_end(ui, &bar, aw), &af)) {
        ask_view(a, ASK_FOLDERS);
        return;
    }
    ui_cut_end(ui, &bar, t->gap);
    size_t found = 0;
    for (int k = 0; k < MEDIA_ALBUM_COUNT; k++)
        found += st.info[k].photos + st.info[k].videos;
    const bool listing = media_folder_listing(st.gallery);
    const enum media_err err = media_folder_error(st.gallery);
    const struct device_info *dev = app_volume(a, a->session.volume_id);
    const char *why = dev ? device_state_text(dev->state) : NULL;
    char line[300];
    if (listing) {
        /* TRANSLATORS: a phone or card still being read; %d: photos and videos found so far. */
        snprintf(line, sizeof line, _("Still looking for pictures and videos. Found so far: %d"), (int)found);
        status_line(ui, bar, TEXT_ICON_CLOCK, t->muted, line);
    } else if (err != MEDIA_OK && err != MEDIA_ERR_TOO_LARGE && found) {
        snprintf(line, sizeof line, "%s%s%s", _("Not everything on your device could be read. What was found is shown."),
                 why ? " " : "", why ? why : "");
        status_line(ui, bar, TEXT_ICON_WARNING, t->danger, line);
    } else {
        const struct text_block *wb = ui_text_block(ui, a->session.volume_label, UI_FONT_BODY, bar.w,
                                                    TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, wb, bar.x, bar, t->muted);
    }
    if (nav(a, ui, p))
        return;
    if (st.nshown == 0) {
        const char *msg = listing ? _("Looking for your pictures and videos. Please wait a moment.")
                          : err != MEDIA_OK ? _("Your device could not be read. If it is a phone, unlock it and keep the cable in. Or go back and try again.")
                                            : _("No pictures or videos were found on this device.");
        icon_row(ui, p->body, err != MEDIA_OK && !listing ? TEXT_ICON_WARNING : TEXT_ICON_INFO,
                 err != MEDIA_OK && !listing ? t->danger : t->muted, msg, UI_FONT_BODY, false);
        return;
    }
    /* One tile per album found, in the gallery's order. */
    struct ui_grid_item items[MEDIA_ALBUM_COUNT];
    memset(items, 0, sizeof items);
    struct ui_grid_spec g = {.items = items, .count = st.nshown, .keys = st.shown,
                             .tile_w = (int)(340 * t->scale), .tile_h = (int)(150 * t->scale),
                             .min_rows = t->scale < 1 ? 3 : 0};   /* a netbook: three rows */
    if (g.tile_h < t->touch + 16)
        g.tile_h = t->touch + 16;
    if (st.focus_first) {
        if (!ui_focus(ui))
            ui_set_focus(ui, ui_grid_item_id(ALBUMS_ID, st.shown, 0));
        st.focus_first = false;
    }
    struct ui_grid_metrics gm;
    ui_grid_ex_metrics(ui, ALBUMS_ID, p->body, &g, &st.albums_scroll, &gm);
    size_t nw = 0;
    if (!want_room(a))
        return;
    size_t wmax = media_thumbs_max_want(a->media);
    for (int i = gm.first; i < gm.last && nw < wmax; i++)
        st.want[nw++] = st.info[st.shown[i]].cover;
    want_thumbs(a, nw);
    hold_begin(a, ui);
    for (int i = gm.first; i < gm.last; i++) {
        int k = (int)st.shown[i];
        struct ui_grid_item *it = &items[i];
        it->label = _(album_names[k]);
        it->voice = it->label;
        fmt_counts(st.detail[k], sizeof st.detail[k], st.info[k].photos, st.info[k].videos);
        it->detail = st.detail[k];
        struct media_entry e;
        it->video = media_folder_entry_by_id(st.gallery, st.info[k].cover, &e) == 0 && e.kind == MEDIA_KIND_VIDEO;
        struct media_thumb_info info;
        struct thumb *th = thumb_for(a, st.info[k].cover, &info);
        /* A cover that cannot be shown is a plain picture sign: an album
         * is never marked as a problem. */
        it->image = th ? th->img : NULL;
        it->cover = true;
        hold_check(ui, ui_grid_item_id(ALBUMS_ID, st.shown, i), st.info[k].cover, th != NULL);
    }
    hold_end(a);
    int hit = ui_grid_ex(ui, ALBUMS_ID, p->body, &g, &st.albums_scroll);
    if (hit >= 0)
        ask_view(a, ASK_ALBUM((int)st.shown[hit]));
}

/* The photos and videos of an album (by day) or a folder (folders first). */
static void draw_grid(struct app *a, struct ui_ctx *ui, struct ui_rect body, struct ui_scroll *sc, bool by_day)
{
    struct media_folder *f = cur_folder();
    size_t n = st.lay.n;
    if (!items_room(n) || !want_room(a))
        return;
    struct ui_grid_spec g = {.items = st.items, .count = (int)n, .keys = st.lay.keys,
                             .sections = by_day ? st.lay.sec : NULL, .nsections = by_day ? (int)st.lay.nsec : 0,
                             /* a netbook: three rows of an album's pictures */
                             .min_rows = by_day && ui_theme(ui)->scale < 1 ? 3 : 0};
    if (st.focus_first && n > 0) {
        if (!ui_focus(ui))
            ui_set_focus(ui, ui_grid_item_id(GRID_ID, st.lay.keys, 0));
        st.focus_first = false;
    }
    struct ui_grid_metrics gm;
    ui_grid_ex_metrics(ui, GRID_ID, body, &g, sc, &gm);
    /* Date headers of the visible days only. */
    for (int k = gm.first_section; by_day && k < gm.last_section; k++) {
        char *tb = st.titles[k % MAX_TITLES];
        fmt_day(a, st.lay.sec_day[k], tb, sizeof st.titles[0]);
        st.lay.sec[k].title = tb;
    }
    /* Thumbnails wanted: the visible ones first, then a row either side. */
    size_t nw = 0, wmax = media_thumbs_max_want(a->media);
    int pre0 = gm.first - gm.cols, pre1 = gm.last + gm.cols;
    for (int pass = 0; pass < 2; pass++) {
        int lo = pass ? (pre0 > 0 ? pre0 : 0) : gm.first;
        int hi = pass ? (pre1 < (int)n ? pre1 : (int)n) : gm.last;
        for (int i = lo; i < hi && nw < wmax; i++) {
            if (pass && i >= gm.first && i < gm.last)
                continue;
            struct media_entry e;
            if (media_folder_entry_by_id(f, st.lay.keys[i], &e) == 0 && e.kind != MEDIA_KIND_FOLDER)
                st.want[nw++] = e.id;
        }
    }
    want_thumbs(a, nw);

    hold_begin(a, ui);
    for (int i = gm.first; i < gm.last; i++) {
        struct media_entry e;
        struct ui_grid_item *it = &st.items[i];
        if (media_folder_entry_by_id(f, st.lay.keys[i], &e))
            continue;
        if (e.kind == MEDIA_KIND_FOLDER) {
            it->folder = true;
            /* A phone's storages by what they are; folders by their names. */
            it->label = e.storage ? (e.removable ? _("Memory card") : _("Phone storage")) : e.name;
            continue;
        }
        it->video = e.kind == MEDIA_KIND_VIDEO;
        it->selected = session_find(&a->session, e.path) != NULL;
        struct media_thumb_info info;
        struct thumb *th = thumb_for(a, e.id, &info);
        it->image = th ? th->img : NULL;
        it->problem = info.state == MEDIA_THUMB_FAILED;
        if (it->video && info.duration_ms >= 0 && info.state == MEDIA_THUMB_READY) {
            char *bb = st.badge[(i - gm.first) % 64];
            fmt_clock(bb, 16, info.duration_ms);
            it->badge = bb;
        }
        hold_check(ui, ui_grid_item_id(GRID_ID, st.lay.keys, i), e.id, th != NULL);
    }
    hold_end(a);

    int hit = ui_grid_ex(ui, GRID_ID, body, &g, sc);
    memset(st.items + gm.first, 0, (size_t)(gm.last - gm.first) * sizeof(*st.items));
    if (hit >= 0) {
        struct media_entry e;
        if (media_folder_entry_by_id(f, st.lay.keys[hit], &e) == 0) {
            if (e.kind == MEDIA_KIND_FOLDER) {
                if (e.storage)
                    note_storage(&e);
                session_free(st.pending_path);
                st.pending_path = session_strdup(e.path);
                app_redo_frame(a);
                return;
            }
            toggle(a, &e);
        }
    }
}

/* One album: its name and counts, filters, the grid by day. */
static void draw_album(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    struct media_counts c;
    media_folder_counts(st.gallery, &c);
    struct ui_rect bar = ui_cut_top(&p->body, toolbar_h(t));
    ui_cut_top(&p->body, t->gap / 2);
    filter_tabs(a, ui, &bar, &c);
    {
        char cnt[128];
        fmt_counts(cnt, sizeof cnt, c.photos, c.videos);
        const char *name = _(album_names[st.album >= 0 && st.album < MEDIA_ALBUM_COUNT ? st.album : MEDIA_ALBUM_OTHER]);
        const struct text_block *nb = ui_text_block(ui, name, UI_FONT_BUTTON, 0, TEXT_ALIGN_START, 1);
        int nw = nb ? nb->text_width : 0;
        if (nw > bar.w / 2)
            nb = ui_text_block(ui, name, UI_FONT_BUTTON, nw = bar.w / 2, TEXT_ALIGN_START, 1);
        /* (room for Nastaliq's swashes past the start edge) */
        struct ui_rect nr = ui_cut_start(ui, &bar, nw + (int)(8 * t->scale));
        ui_draw_block_vcenter(ui, nb, nr.x, nr, t->text);
        ui_cut_start(ui, &bar, t->gap);
        const struct text_block *cb = ui_text_block(ui, cnt, UI_FONT_SMALL, bar.w, TEXT_ALIGN_START, 1);
        if (bar.w > 0)
            ui_draw_block_vcenter(ui, cb, bar.x, bar, t->muted);
    }
    if (nav(a, ui, p))
        return;
    choose_all_button(a, ui, p, true);
    if (st.lay.n == 0) {
        const bool listing = media_folder_listing(st.gallery);
        icon_row(ui, p->body, TEXT_ICON_INFO, t->muted,
                 listing ? _("Looking for your pictures and videos. Please wait a moment.")
                         : _("There are no pictures or videos in this album."),
                 UI_FONT_BODY, false);
        return;
    }
    draw_grid(a, ui, p->body, &st.grid, true);
}

/* All folders: the device's folders by name, as the kiosk browsed before. */
static void draw_folders(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    struct session *s = &a->session;
    if (!st.folder) {
        if (nav(a, ui, p))
            return;
        icon_row(ui, p->body, TEXT_ICON_WARNING, t->danger,
                 _("This folder could not be opened. Go back and try again."), UI_FONT_BODY, false);
        return;
    }
    struct media_counts c;
    media_folder_counts(st.folder, &c);
    const char *rel = media_folder_rel(st.folder);
    struct ui_rect bar = ui_cut_top(&p->body, toolbar_h(t));
    ui_cut_top(&p->body, t->gap);
    if (media_folder_parent(st.folder)) {
        struct ui_button_spec up = {.label = _("Up"), .icon = TEXT_ICON_ARROW_UP, .style = UI_BUTTON_SECONDARY};
        if (ui_button(ui, "choose.up", ui_cut_start(ui, &bar, ui_button_width(ui, &up)), &up)) {
            st.pending_up = true;
            app_redo_frame(a);
            return;
        }
        ui_cut_start(ui, &bar, t->gap);
    }
    filter_tabs(a, ui, &bar, &c);
    {
        /* Where we are: the device, then the folders (a phone's storage by
         * what it is, not by the name the phone gives it). */
        char where[700];
        const char *tail = rel;
        size_t sl = st.storage_rel ? strlen(st.storage_rel) : 0;
        if (sl && !strncmp(rel, st.storage_rel, sl) && (rel[sl] == '/' || !rel[sl]))
            tail = rel + sl + (rel[sl] == '/');
        if (st.storage_name && sl && tail != rel)
            snprintf(where, sizeof where, "%s / %s%s%s", s->volume_label, _(st.storage_name), *tail ? " / " : "",
                     tail);
        else if (rel[0])
            snprintf(where, sizeof where, "%s / %s", s->volume_label, rel);
        else
            snprintf(where, sizeof where, "%s", s->volume_label);
        const struct text_block *wb = ui_text_block(ui, where, UI_FONT_BODY, bar.w, TEXT_ALIGN_START, 1);
        ui_draw_block_vcenter(ui, wb, bar.x, bar, t->muted);
    }
    if (nav(a, ui, p))
        return;
    choose_all_button(a, ui, p, false);
    if (st.lay.n == 0) {
        /* A phone's folder comes in as it answers; one that stopped
         * answering, or locked itself, cannot be listed. */
        const bool failed = media_folder_error(st.folder) != MEDIA_OK;
        icon_row(ui, p->body, failed ? TEXT_ICON_WARNING : TEXT_ICON_INFO, failed ? t->danger : t->muted,
                 failed ? _("This folder could not be opened. Go back and try again.")
                 : c.checking || media_folder_listing(st.folder) ? _("Looking at the files...")
                                                                 : _("There are no pictures or videos in this folder."),
                 UI_FONT_BODY, false);
        return;
    }
    draw_grid(a, ui, p->body, &st.fgrid, false);
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, true, true, &p);
    /* Esc, like Back: up a view. */
    if (ui_escape(ui)) {
        back(a);
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
        ui_set_role(ui, UI_ROLE_TITLE);
        ui_label(ui, tr, title, UI_FONT_TITLE, t->text, TEXT_ALIGN_START);
        ui_set_role(ui, UI_ROLE_NONE);
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

    if (volume_gone(a) || (st.view != V_FOLDERS && !st.gallery)) {
        if (nav(a, ui, &p))
            return;
        if (!volume_gone(a) && st.gallery_err != MEDIA_OK) {
            icon_row(ui, p.body, TEXT_ICON_WARNING, t->danger,
                     _("Your device could not be read. If it is a phone, unlock it and keep the cable in. Or go back and try again."),
                     UI_FONT_BODY, false);
            return;
        }
        draw_gone(a, ui, p.body);
        return;
    }
    switch (st.view) {
    case V_GALLERY: draw_gallery(a, ui, &p); break;
    case V_ALBUM: draw_album(a, ui, &p); break;
    case V_FOLDERS: draw_folders(a, ui, &p); break;
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

/* For tests: the widget id of the i-th photo, video or folder shown in the
 * album or folder view (0: none). */
uint32_t screen_choose_cell(size_t i)
{
    return i < st.lay.n ? ui_grid_item_id(GRID_ID, st.lay.keys, (int)i) : 0;
}

const struct screen screen_choose = {
    .name = "choose",
    .enter = enter,
    .leave = leave,
    .event = event,
    .update = update,
    .draw = draw,
    .part = part,
    .part_enter = part_enter,
};
