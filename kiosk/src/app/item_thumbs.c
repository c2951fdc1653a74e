/* Blurred thumbnails of the chosen files (item_thumbs.h). */
#include "item_thumbs.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FOLDERS 16   /* folders the chosen files are in (more: an icon) */
#define MAX_SLOTS 64     /* images kept (the visible rows and some) */
#define NO_ID UINT32_MAX

struct it_folder {
    char *dir;                 /* session memory */
    struct media_folder *f;    /* NULL: it could not be opened */
};

struct it_slot {
    char *path;                /* session memory; NULL: a free slot */
    int folder;                /* index in folders, -1 before it is known */
    uint32_t id;               /* its entry there, NO_ID before it is found */
    struct ui_image *img;      /* blurred */
    uint64_t used;             /* the frame it was last asked for */
    bool none;                 /* no image will come: an icon */
};

struct item_thumbs {
    struct it_folder folders[MAX_FOLDERS];
    int nfolders;
    struct it_slot slots[MAX_SLOTS];
    uint64_t frame;
    int want_folder;           /* media takes one folder's list at a time */
    uint32_t want[MAX_SLOTS];
    size_t nwant;
    int sent_folder;
    uint32_t sent[MAX_SLOTS];
    size_t nsent;
};

struct item_thumbs *item_thumbs_create(void)
{
    struct item_thumbs *t = calloc(1, sizeof *t);
    if (t)
        t->want_folder = t->sent_folder = -1;
    return t;
}

static void slot_clear(struct app *a, struct it_slot *s)
{
    ui_image_destroy(a->ui, s->img);   /* zeroed */
    session_free(s->path);
    memset(s, 0, sizeof *s);
}

void item_thumbs_destroy(struct app *a, struct item_thumbs *t)
{
    if (!t)
        return;
    if (t->nsent && a->media)
        media_thumbs_want(a->media, NULL, NULL, 0);
    for (int i = 0; i < MAX_SLOTS; i++)
        slot_clear(a, &t->slots[i]);
    for (int i = 0; i < t->nfolders; i++) {
        media_folder_close(t->folders[i].f);
        session_free(t->folders[i].dir);
    }
    sodium_memzero(t, sizeof *t);
    free(t);
}

void item_thumbs_update(struct app *a, struct item_thumbs *t)
{
    (void)a;
    if (!t)
        return;
    for (int i = 0; i < t->nfolders; i++)
        if (t->folders[i].f)
            media_folder_update(t->folders[i].f);
}

/* The folder a path is in, opened once (index, or -1). */
static int folder_of(struct app *a, struct item_thumbs *t, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return -1;
    size_t n = (size_t)(slash - path);
    for (int i = 0; i < t->nfolders; i++)
        if (strlen(t->folders[i].dir) == n && !memcmp(t->folders[i].dir, path, n))
            return t->folders[i].f ? i : -1;
    if (t->nfolders >= MAX_FOLDERS)
        return -1;
    char *dir = session_alloc(n + 1);
    if (!dir)
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    struct media_error err;
    struct it_folder *f = &t->folders[t->nfolders++];
    f->dir = dir;
    /* Hidden folders too: the person may have chosen from one. */
    f->f = media_folder_open(a->media, dir, MEDIA_SHOW_HIDDEN, &err);
    return f->f ? t->nfolders - 1 : -1;
}

static struct it_slot *slot_for(struct app *a, struct item_thumbs *t, const char *path)
{
    struct it_slot *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < MAX_SLOTS; i++) {
        struct it_slot *s = &t->slots[i];
        if (!s->path) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (!strcmp(s->path, path))
            return s;
        if (s->used != t->frame && (!oldest || s->used < oldest->used))
            oldest = s;
    }
    struct it_slot *s = free_slot ? free_slot : oldest;
    if (!s)
        return NULL;
    slot_clear(a, s);
    if (!(s->path = session_strdup(path)))
        return NULL;
    s->folder = -1;
    s->id = NO_ID;
    return s;
}

struct ui_image *item_thumb(struct app *a, struct item_thumbs *t, const char *path)
{
    if (!t || !a->media || !path)
        return NULL;
    struct it_slot *s = slot_for(a, t, path);
    if (!s)
        return NULL;
    s->used = t->frame;
    if (s->img || s->none)
        return s->img;
    if (s->folder < 0 && (s->folder = folder_of(a, t, path)) < 0) {
        s->none = true;
        return NULL;
    }
    struct media_folder *f = t->folders[s->folder].f;
    if (s->id == NO_ID) {
        size_t n = media_folder_count(f);
        struct media_entry e;
        for (size_t i = 0; i < n && s->id == NO_ID; i++)
            if (media_folder_entry(f, i, &e) == 0 && e.kind != MEDIA_KIND_FOLDER && e.path &&
                !strcmp(e.path, path))
                s->id = e.id;
        if (s->id == NO_ID) {
            s->none = !media_folder_listing(f);   /* no longer there */
            return NULL;
        }
    }
    struct media_thumb_info info;
    media_thumb_get(a->media, f, s->id, &info);
    if (info.state == MEDIA_THUMB_READY && info.width > 0) {
        s->img = ui_image_create(a->ui, info.width, info.height, NULL);
        if (s->img && media_thumb_copy(a->media, f, s->id, true, ui_image_pixels(s->img),
                                       (size_t)info.width * 4, info.width, info.height) == 0) {
            ui_image_changed(s->img);
            return s->img;
        }
        ui_image_destroy(a->ui, s->img);   /* evicted meanwhile: asked again */
        s->img = NULL;
    } else if (info.state == MEDIA_THUMB_READY || info.state == MEDIA_THUMB_FAILED) {
        s->none = true;   /* damaged, or a video without a poster */
        return NULL;
    }
    if ((t->want_folder < 0 || t->want_folder == s->folder) && t->nwant < MAX_SLOTS) {
        t->want_folder = s->folder;
        t->want[t->nwant++] = s->id;
    }
    return NULL;
}

void item_thumbs_end_frame(struct app *a, struct item_thumbs *t)
{
    if (!t || !a->media)
        return;
    t->frame++;
    bool same = t->nwant == t->nsent && t->want_folder == t->sent_folder &&
                !memcmp(t->want, t->sent, t->nwant * sizeof t->want[0]);
    if (!same && (t->nwant || t->nsent)) {
        media_thumbs_want(a->media, t->nwant ? t->folders[t->want_folder].f : NULL, t->want, t->nwant);
        memcpy(t->sent, t->want, t->nwant * sizeof t->want[0]);
        t->nsent = t->nwant;
        t->sent_folder = t->want_folder;
    }
    t->nwant = 0;
    t->want_folder = -1;
}
