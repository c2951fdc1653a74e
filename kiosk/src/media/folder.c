/* Folder listings and the gallery's entries. Everything is listed through
 * the device layer (device_folder_list). A mounted volume's folder is
 * listed on the caller's thread, at once; a phone's folder and every
 * gallery are listed by the lister thread (lister.c), one device folder at
 * a time, and their entries are added as they come. Types are guessed from
 * the names so the grid shows at once, then checked by content on the
 * worker threads (refine). The UI sees changes only when it calls
 * media_folder_update(): new entries are merged into its sorted arrays
 * there. */
#include "media_internal.h"

#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    SNIFF_BYTES = 4096,
    GALLERY_DEPTH = 24,       /* folders below a storage's top */
    GALLERY_FOLDERS = 20000,  /* folders listed at most */
    EVENT_EVERY = 64,         /* entries: the UI hears of a long listing as it goes */
};

static const char *const photo_ext[] = {"jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic",
                                        "heif", "hif", "avif", "gif", "bmp", "dng", NULL};
static const char *const video_ext[] = {"mp4", "m4v", "mov", "3gp", "3g2", "mkv", "webm",
                                        "avi", "wmv", "asf", "flv", "mpg", "mpeg", "ts",
                                        "mts", "m2ts", NULL};

int media_hint_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return HINT_UNKNOWN;
    for (int i = 0; photo_ext[i]; i++)
        if (!strcasecmp(dot + 1, photo_ext[i]))
            return HINT_PHOTO;
    for (int i = 0; video_ext[i]; i++)
        if (!strcasecmp(dot + 1, video_ext[i]))
            return HINT_VIDEO;
    return HINT_UNKNOWN;
}

/* Left out unless MEDIA_SHOW_HIDDEN: dot files and folders (.thumbnails,
 * .trashed-*, .Trashes, .nomedia, WhatsApp's .Statuses...), the system
 * folders Windows, macOS and Android put on cards, and apps' private data
 * (Android/data, Android/obb; Android/media, where WhatsApp keeps its
 * pictures, stays). */
bool media_is_hidden(const char *rel, const char *name)
{
    if (name[0] == '.')
        return true;
    static const char *const sys[] = {"System Volume Information", "$RECYCLE.BIN", "RECYCLER",
                                      "LOST.DIR", "lost+found", "FOUND.000", NULL};
    for (int i = 0; sys[i]; i++)
        if (!strcasecmp(name, sys[i]))
            return true;
    if (!strcasecmp(rel, "Android") && (!strcasecmp(name, "data") || !strcasecmp(name, "obb")))
        return true;
    return false;
}

int media_sniff(const uint8_t *data, size_t len)
{
    const char *fmt;
    switch (hash_sniff(data, len, &fmt)) {
    case HASH_KIND_IMAGE: return SNIFF_PHOTO;
    case HASH_KIND_VIDEO: return SNIFF_VIDEO;
    default: return SNIFF_OTHER;
    }
}

static int set_err(struct media_error *err, enum media_err code, const char *what)
{
    if (err) {
        err->code = code;
        snprintf(err->detail, sizeof(err->detail), "%s", what);
    }
    return -1;
}

/* ---- lifetime ---- */

void media_folder_ref(struct media_folder *f)
{
    atomic_fetch_add(&f->refs, 1);
}

void media_folder_unref(struct media_folder *f)
{
    if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    for (uint32_t i = 0; i < f->n; i++) {
        struct mentry *e = media_ent(f, i);
        media_free_str(e->path);
        media_free_str(e->disp);
    }
    for (size_t c = 0; c < MCHUNKS && f->chunk[c]; c++)
        media_secure_free(f->chunk[c], sizeof(struct mentry) * MCHUNK);
    free(f->by_name);
    free(f->by_date);
    free(f->dirs);
    free(f->view);
    free(f->tmp);
    media_free_str(f->path);
    media_free_str(f->parent);
    media_free_str(f->rel);
    media_free_str(f->top_rel);
    media_walk_free(f->walk);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static void bzero_str(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
}

void media_folder_wipe(struct media_folder *f)
{
    pthread_mutex_lock(&f->lock);
    if (!f->wiped) {
        f->wiped = true;
        /* Entries keep their memory (the UI may still hold pointers) but
         * every name is erased; the folder reads as empty. */
        for (uint32_t i = 0; i < f->n; i++) {
            struct mentry *e = media_ent(f, i);
            bzero_str(e->path);
            bzero_str(e->disp);
            e->size = 0;
            e->mtime_ns = 0;
        }
        f->view_n = 0; /* the counts read `wiped`; nfiles stays for the workers */
        bzero_str(f->path);
        bzero_str(f->parent);
        bzero_str(f->rel);
        bzero_str(f->top_rel);
        media_walk_free(f->walk); /* the folders still to list: names too */
        f->walk = NULL;
        f->listing = false;
    }
    pthread_mutex_unlock(&f->lock);
}

void media_folder_close(struct media_folder *f)
{
    if (!f)
        return;
    struct media *m = f->m; /* NULL once media_destroy() has run */
    if (m) {
        pthread_mutex_lock(&m->lock);
        for (struct media_folder **pp = &m->folders; *pp; pp = &(*pp)->next)
            if (*pp == f) {
                *pp = f->next;
                break;
            }
        f->closed = true;
        pthread_mutex_unlock(&m->lock);
    }
    media_folder_wipe(f);
    media_folder_unref(f);
}

/* ---- adding entries (whoever lists; f->lock held) ---- */

struct lctx {
    struct media_folder *f;
    const char *path;      /* of the folder being listed */
    const char *rel;       /* the same, below its storage's top */
    int depth;
    bool async;            /* on the lister thread (events as it goes) */
    size_t since_event;
    enum media_err stop;   /* why emit() stopped the listing (a cap, memory) */
};

static struct mentry *slot_locked(struct media_folder *f)
{
    const uint32_t cap = f->gallery ? MEDIA_GALLERY_MAX : MEDIA_MAX_ENTRIES;
    if (f->n >= cap)
        return NULL;
    const uint32_t c = f->n >> MCHUNK_BITS;
    if (!f->chunk[c] && !(f->chunk[c] = calloc(MCHUNK, sizeof(struct mentry))))
        return NULL;
    struct mentry *e = media_ent(f, f->n);
    memset(e, 0, sizeof(*e));
    return e;
}

/* "a" + "/" + "b" (or "b" when a is ""), malloc'd. */
static char *join(const char *a, const char *b)
{
    const size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, a[0] ? "/" : "", b);
    return s;
}

/* On a mounted volume a link's entry carries its target's path: it is not
 * folder + "/" + name. */
static bool is_link(const char *folder, const struct device_entry *de)
{
    if (de->storage || device_path_is_usb(de->path))
        return false;
    const size_t fl = strlen(folder);
    const bool root = fl == 1 && folder[0] == '/';
    if (root)
        return de->path[0] != '/' || strcmp(de->path + 1, de->name) != 0;
    return strncmp(de->path, folder, fl) != 0 || de->path[fl] != '/' || strcmp(de->path + fl + 1, de->name) != 0;
}

static int emit(void *ctx, const struct device_entry *de)
{
    struct lctx *c = ctx;
    struct media_folder *f = c->f;
    int rc = 0;
    char *crel = NULL;
    pthread_mutex_lock(&f->lock);
    if (f->wiped || f->closed) {
        rc = 1; /* nobody wants the rest */
        goto out;
    }
    if (!de->storage && !(f->flags & MEDIA_SHOW_HIDDEN) && media_is_hidden(c->rel, de->name)) {
        f->hidden++;
        goto out;
    }
    if (!de->folder && de->size == 0)
        goto out; /* nothing to show or fingerprint */
    uint8_t hint = de->folder ? HINT_UNKNOWN : (uint8_t)media_hint_of(de->name);
    uint8_t album = MEDIA_ALBUM_OTHER;
    if (f->gallery) {
        /* The gallery goes by names, as a phone's does, and never through a
         * link: what it leads to on the volume is found where it is. */
        if (is_link(c->path, de) || (!de->folder && hint == HINT_UNKNOWN))
            goto out;
        crel = de->storage ? strdup("") : join(c->rel, de->name);
        if (!crel) {
            c->stop = MEDIA_ERR_NOMEM;
            rc = 1;
            goto out;
        }
        if (de->folder) {
            const int depth = de->storage ? 0 : c->depth + 1;
            if (depth <= GALLERY_DEPTH &&
                media_walk_push(f->walk, de->path, crel, depth, media_walk_rank(crel)) != 0) {
                c->stop = MEDIA_ERR_NOMEM;
                rc = 1;
            }
            goto out;
        }
        album = (uint8_t)media_album_of(crel);
    }
    struct mentry *e = slot_locked(f);
    if (!e) {
        c->stop = f->n >= (f->gallery ? MEDIA_GALLERY_MAX : MEDIA_MAX_ENTRIES) ? MEDIA_ERR_TOO_LARGE
                                                                                : MEDIA_ERR_NOMEM;
        rc = 1;
        goto out;
    }
    e->path = strdup(de->path);
    /* A storage without a description shows its path's last part. */
    e->disp = device_utf8_clean(de->name[0] ? de->name : device_path_name(de->path));
    if (!e->path || !e->disp) {
        media_free_str(e->path);
        media_free_str(e->disp);
        memset(e, 0, sizeof(*e));
        c->stop = MEDIA_ERR_NOMEM;
        rc = 1;
        goto out;
    }
    e->dir = de->folder;
    e->storage = de->storage;
    e->removable = de->removable;
    e->album = album;
    if (e->dir) {
        e->shown = MEDIA_KIND_FOLDER;
        e->confirmed = true;
    } else {
        e->kind = hint;
        e->size = de->size;
        e->mtime_ns = de->mtime_ns;
        e->file_id = de->file_id;
        e->key = media_hash_str(e->path);
    }
    atomic_init(&e->sniffed, 0);
    f->n++;
    if (c->async && ++c->since_event >= EVENT_EVERY) {
        /* A long listing shows as it goes (the lister's only). */
        c->since_event = 0;
        atomic_store(&f->dirty, true);
        media_raise(f->m, MEDIA_EV_FOLDER);
    }
out:
    pthread_mutex_unlock(&f->lock);
    media_free_str(crel);
    return rc;
}

/* Lists the next folder of f's walk (the lister thread): false when there
 * was nothing left. */
bool media_folder_list_step(struct media_folder *f)
{
    struct media *m = f->m;
    char *path = NULL, *rel = NULL;
    int depth = 0;
    pthread_mutex_lock(&f->lock);
    const bool have = !f->wiped && !f->closed && f->walk && media_walk_pop(f->walk, &path, &rel, &depth) == 0;
    if (!have) {
        f->listing = false;
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    const bool first = f->walk && media_walk_popped(f->walk) == 1;
    pthread_mutex_unlock(&f->lock);

    struct lctx c = {.f = f, .path = path, .rel = rel, .depth = depth, .async = true};
    struct device_list_stats ls = {0};
    struct device_error derr = {0};
    const int rc = device_folder_list(m->dev, path, emit, &c, &ls, &derr);
    pthread_mutex_lock(&m->lock);
    m->stats.folders_listed++;
    pthread_mutex_unlock(&m->lock);

    pthread_mutex_lock(&f->lock);
    if (!f->wiped && !f->closed) {
        f->hidden += ls.refused;
        const enum media_err e = c.stop ? c.stop : rc < 0 ? media_err_of_device(derr.code) : MEDIA_OK;
        /* One odd folder of a gallery (gone since its parent was listed, not
         * readable) is skipped; the device itself failing ends the walk. */
        const bool fatal = e != MEDIA_OK && (!f->gallery || first || e == MEDIA_ERR_GONE ||
                                             e == MEDIA_ERR_NOT_ANSWERING || e == MEDIA_ERR_LOCKED ||
                                             e == MEDIA_ERR_BUSY || e == MEDIA_ERR_NOMEM ||
                                             e == MEDIA_ERR_TOO_LARGE);
        if (fatal) {
            f->list_err = e;
            media_walk_free(f->walk);
            f->walk = NULL;
        } else if (f->walk && media_walk_popped(f->walk) >= GALLERY_FOLDERS) {
            f->list_err = MEDIA_ERR_TOO_LARGE;
            media_walk_free(f->walk);
            f->walk = NULL;
        }
        if (!f->walk || media_walk_empty(f->walk))
            f->listing = false;
        atomic_store(&f->dirty, true);
        media_raise(m, MEDIA_EV_FOLDER);
    }
    pthread_mutex_unlock(&f->lock);
    media_free_str(path);
    media_free_str(rel);
    return true;
}

/* ---- opening ---- */

/* "mtp:K//DCIM/./x/" -> "mtp:K/DCIM/x", "/media//usb0/" -> "/media/usb0";
 * NULL with *code for "..", a relative path, no memory. */
static char *normalize(const char *path, enum media_err *code)
{
    size_t plen = 0;
    if (device_path_is_usb(path)) {
        const char *c = strchr(path, ':');
        plen = (size_t)(c + 1 - path) + strcspn(c + 1, "/");
    } else if (path[0] != '/') {
        *code = MEDIA_ERR_INVALID;
        return NULL;
    }
    char *out = malloc(strlen(path) + 2);
    if (!out) {
        *code = MEDIA_ERR_NOMEM;
        return NULL;
    }
    memcpy(out, path, plen);
    size_t o = plen;
    const char *p = path + plen;
    while (*p) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        const size_t len = (size_t)(p - s);
        if (len == 0 || (len == 1 && s[0] == '.'))
            continue;
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            media_secure_free(out, strlen(path) + 2);
            *code = MEDIA_ERR_OUTSIDE;
            return NULL;
        }
        out[o++] = '/';
        memcpy(out + o, s, len);
        o += len;
    }
    if (o == 0)
        out[o++] = '/'; /* "/" itself */
    out[o] = 0;
    return out;
}

/* The part of a phone's path after "scheme:KEY[@N]/" ("" at a top), and
 * the storage it names (0: the device's top). */
static const char *usb_rel(const char *path, int *storage)
{
    const char *c = strchr(path, ':');
    const char *k = c + 1 + strcspn(c + 1, "@/");
    const char *slash = strchr(k, '/');
    *storage = *k == '@' ? atoi(k + 1) : slash ? 1 : 0;
    return slash ? slash + 1 : "";
}

/* Where the folder is: below its storage's top, for display, and up. */
static int place(struct media_folder *f, const struct device_info *v)
{
    const char *rel;
    char *disp = NULL;
    if (device_path_is_usb(f->path)) {
        int storage;
        rel = usb_rel(f->path, &storage);
        if (v->nstorages > 1 && storage >= 1 && (size_t)storage <= v->nstorages) {
            const char *desc = v->storages[storage - 1].description;
            if (!desc[0])
                desc = device_path_name(v->storages[storage - 1].root);
            disp = rel[0] ? join(desc, rel) : strdup(desc);
        }
        if (strcmp(f->path, v->root) != 0) {
            f->parent = device_path_parent(f->path);
            /* Storage 1's folders are written without "@1": their parent's
             * path is then the phone's top, which lists the storages. */
            if (f->parent && v->nstorages > 1 && storage == 1 && !strcmp(f->parent, v->root) &&
                !strchr(strchr(f->path, ':'), '@')) {
                const size_t n = strlen(v->root) + 3;
                char *at = malloc(n);
                if (at)
                    snprintf(at, n, "%s@1", v->root);
                media_free_str(f->parent);
                f->parent = at;
            }
            if (!f->parent)
                goto nomem;
        }
    } else {
        const size_t rl = strlen(v->root);
        rel = strlen(f->path) > rl ? f->path + rl + (v->root[rl - 1] == '/' ? 0 : 1) : "";
        if (rel[0] && !(f->parent = device_path_parent(f->path)))
            goto nomem;
    }
    f->top_rel = strdup(rel);
    f->rel = device_utf8_clean(disp ? disp : rel);
    media_free_str(disp);
    return f->top_rel && f->rel ? 0 : -1;
nomem:
    media_free_str(disp);
    return -1;
}

static void integrate_locked(struct media_folder *f);
static bool apply_locked(struct media_folder *f);
static void build_view_locked(struct media_folder *f);

static struct media_folder *open_any(struct media *m, const char *path, unsigned flags, bool gallery,
                                     struct media_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!m || !path || !path[0]) {
        set_err(err, MEDIA_ERR_INVALID, "no path");
        return NULL;
    }
    struct media_folder *f = calloc(1, sizeof(*f));
    if (!f) {
        set_err(err, MEDIA_ERR_NOMEM, "out of memory");
        return NULL;
    }
    f->m = m;
    f->flags = flags;
    f->gallery = gallery;
    pthread_mutex_init(&f->lock, NULL);
    atomic_init(&f->refs, 1);
    atomic_init(&f->dirty, false);
    f->sort = MEDIA_SORT_DATE;
    f->filter = MEDIA_FILTER_ALL;
    f->album = MEDIA_ALBUM_ALL;
    struct device_list *l = NULL;
    enum media_err code = MEDIA_OK;
    f->path = normalize(path, &code);
    if (!f->path) {
        set_err(err, code, code == MEDIA_ERR_OUTSIDE ? "'..' in a path" : "not a device path");
        goto fail;
    }
    l = devices_list(m->dev);
    const struct device_info *v = l ? device_list_find_path(l, f->path) : NULL;
    if (!v) {
        set_err(err, l ? MEDIA_ERR_GONE : MEDIA_ERR_NOMEM, "not on a device that is plugged in");
        goto fail;
    }
    if (place(f, v) != 0) {
        set_err(err, MEDIA_ERR_NOMEM, "out of memory");
        goto fail;
    }
    const bool usb = device_path_is_usb(f->path);
    if (gallery || usb) {
        /* A phone answers slowly, a gallery lists a whole device: both are
         * listed on the lister thread. */
        f->walk = media_walk_new();
        if (!f->walk || media_walk_push(f->walk, f->path, f->top_rel, 0, 0) != 0) {
            set_err(err, MEDIA_ERR_NOMEM, "out of memory");
            goto fail;
        }
        f->listing = true;
        f->listing_shown = true;
    } else {
        struct lctx c = {.f = f, .path = f->path, .rel = f->top_rel};
        struct device_list_stats ls = {0};
        struct device_error derr = {0};
        if (device_folder_list(m->dev, f->path, emit, &c, &ls, &derr) != 0 || c.stop) {
            const enum media_err e = c.stop ? c.stop : media_err_of_device(derr.code);
            set_err(err, e, c.stop ? "too many entries or out of memory" : derr.detail);
            goto fail;
        }
        f->hidden += ls.refused;
        pthread_mutex_lock(&m->lock);
        m->stats.folders_listed++;
        pthread_mutex_unlock(&m->lock);
        pthread_mutex_lock(&f->lock);
        integrate_locked(f);
        apply_locked(f);
        f->hidden_shown = f->hidden;
        build_view_locked(f);
        pthread_mutex_unlock(&f->lock);
        if (f->n && !f->by_name) {
            set_err(err, MEDIA_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    device_list_free(l);

    pthread_mutex_lock(&m->lock);
    f->next = m->folders;
    m->folders = f;
    pthread_cond_broadcast(&m->work_cond); /* listing and content checks can start */
    pthread_mutex_unlock(&m->lock);
    return f;
fail:
    device_list_free(l);
    media_folder_unref(f);
    return NULL;
}

struct media_folder *media_folder_open(struct media *m, const char *path, unsigned flags,
                                       struct media_error *err)
{
    return open_any(m, path, flags, false, err);
}

struct media_folder *media_gallery_open(struct media *m, const char *device_root, unsigned flags,
                                        struct media_error *err)
{
    return open_any(m, device_root, flags, true, err);
}

const char *media_folder_path(const struct media_folder *f)
{
    return f && f->path ? f->path : "";
}

const char *media_folder_parent(const struct media_folder *f)
{
    return f && !f->gallery && f->parent && f->parent[0] ? f->parent : NULL;
}

const char *media_folder_rel(const struct media_folder *f)
{
    return f && f->rel ? f->rel : "";
}

bool media_folder_listing(const struct media_folder *f)
{
    return f && !f->wiped && f->listing_shown;
}

enum media_err media_folder_error(const struct media_folder *f)
{
    return f ? f->err_shown : MEDIA_ERR_INVALID;
}

/* ---- what the UI sees (its thread, f->lock held) ---- */

static const char *entry_name(const struct mentry *e)
{
    return e->disp ? e->disp : "";
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
    const struct media_folder *f = ctx;
    return media_name_cmp(entry_name(media_ent(f, *(const uint32_t *)a)),
                          entry_name(media_ent(f, *(const uint32_t *)b)));
}

static int cmp_date(const void *a, const void *b, void *ctx)
{
    const struct media_folder *f = ctx;
    const struct mentry *x = media_ent(f, *(const uint32_t *)a);
    const struct mentry *y = media_ent(f, *(const uint32_t *)b);
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns > y->mtime_ns ? -1 : 1; /* newest first */
    return media_name_cmp(entry_name(x), entry_name(y));
}

/* Merges the sorted add[] into the sorted arr[na] (out: scratch of na + nadd). */
static void merge(uint32_t *arr, size_t na, const uint32_t *add, size_t nadd, uint32_t *out,
                  int (*cmp)(const void *, const void *, void *), void *ctx)
{
    size_t i = 0, j = 0, o = 0;
    while (i < na && j < nadd)
        out[o++] = cmp(&add[j], &arr[i], ctx) < 0 ? add[j++] : arr[i++];
    while (i < na)
        out[o++] = arr[i++];
    while (j < nadd)
        out[o++] = add[j++];
    memcpy(arr, out, o * sizeof(*arr));
}

static bool grow(uint32_t **p, size_t cap)
{
    uint32_t *n = realloc(*p, cap * sizeof(uint32_t));
    if (!n)
        return false;
    *p = n;
    return true;
}

/* Takes the entries listed since the last time into the sorted arrays. */
static void integrate_locked(struct media_folder *f)
{
    const uint32_t n = f->n;
    if (n == f->known)
        return;
    if (n + 1 > f->arrays_cap) {
        size_t cap = f->arrays_cap ? f->arrays_cap : 256;
        while (cap < (size_t)n + 1)
            cap *= 2;
        if (!grow(&f->by_name, cap) || !grow(&f->by_date, cap) || !grow(&f->dirs, cap) ||
            !grow(&f->view, cap) || !grow(&f->tmp, cap))
            return; /* out of memory: the new entries wait */
        f->arrays_cap = cap;
    }
    size_t nnew = 0;
    const uint32_t ndirs0 = f->ndirs;
    for (uint32_t id = f->known; id < n; id++) {
        if (media_ent(f, id)->dir)
            f->dirs[f->ndirs++] = id;
        else
            f->tmp[nnew++] = id;
    }
    if (f->ndirs != ndirs0)
        qsort_r(f->dirs, f->ndirs, sizeof(uint32_t), cmp_name, f);
    qsort_r(f->tmp, nnew, sizeof(uint32_t), cmp_name, f);
    merge(f->by_name, f->nfiles, f->tmp, nnew, f->view, cmp_name, f);
    qsort_r(f->tmp, nnew, sizeof(uint32_t), cmp_date, f);
    merge(f->by_date, f->nfiles, f->tmp, nnew, f->view, cmp_date, f);
    f->nfiles += (uint32_t)nnew;
    f->known = n;
    f->refine_next = 0; /* newer files may have come before the ones checked */
}

/* The kind the view uses: content when known, else the name's guess. */
static uint8_t shown_kind(const struct mentry *e, bool *confirmed)
{
    const unsigned s = atomic_load(&e->sniffed);
    *confirmed = s == SNIFF_PHOTO || s == SNIFF_VIDEO || s == SNIFF_OTHER;
    switch (s) {
    case SNIFF_PHOTO: return MEDIA_KIND_PHOTO;
    case SNIFF_VIDEO: return MEDIA_KIND_VIDEO;
    case SNIFF_OTHER: return 0;
    default:
        return e->kind == HINT_PHOTO ? MEDIA_KIND_PHOTO : e->kind == HINT_VIDEO ? MEDIA_KIND_VIDEO : 0;
    }
}

static bool in_album(const struct media_folder *f, const struct mentry *e)
{
    return f->album == MEDIA_ALBUM_ALL || e->album == f->album;
}

static void build_view_locked(struct media_folder *f)
{
    if (!f->view)
        return;
    size_t n = 0;
    for (uint32_t i = 0; i < f->ndirs; i++)
        f->view[n++] = f->dirs[i];
    const uint32_t *order = f->sort == MEDIA_SORT_NAME ? f->by_name : f->by_date;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        const struct mentry *e = media_ent(f, order[i]);
        if (!e->shown || !in_album(f, e))
            continue;
        if ((f->filter == MEDIA_FILTER_PHOTOS && e->shown != MEDIA_KIND_PHOTO) ||
            (f->filter == MEDIA_FILTER_VIDEOS && e->shown != MEDIA_KIND_VIDEO))
            continue;
        f->view[n++] = order[i];
    }
    f->view_n = n;
}

/* Applies the content checks done so far; true if anything changed. */
static bool apply_locked(struct media_folder *f)
{
    bool changed = false;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        struct mentry *e = media_ent(f, f->by_name[i]);
        bool confirmed;
        const uint8_t k = shown_kind(e, &confirmed);
        const bool pending = atomic_load(&e->sniffed) == 0;
        if (k != e->shown || confirmed != e->confirmed || pending != e->pending) {
            e->shown = k;
            e->confirmed = confirmed;
            e->pending = pending;
            changed = true;
        }
    }
    return changed;
}

void media_folder_view(struct media_folder *f, enum media_sort sort, enum media_filter filter)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->sort = sort;
    f->filter = filter;
    if (!f->wiped) {
        apply_locked(f);
        build_view_locked(f);
    }
    pthread_mutex_unlock(&f->lock);
}

void media_gallery_album(struct media_folder *f, int album)
{
    if (!f || album < MEDIA_ALBUM_ALL || album >= MEDIA_ALBUM_COUNT)
        return;
    pthread_mutex_lock(&f->lock);
    f->album = album;
    if (!f->wiped) {
        apply_locked(f);
        build_view_locked(f);
    }
    pthread_mutex_unlock(&f->lock);
}

bool media_folder_update(struct media_folder *f)
{
    if (!f || !atomic_exchange(&f->dirty, false))
        return false;
    pthread_mutex_lock(&f->lock);
    bool changed = false;
    const uint32_t known0 = f->known;
    if (!f->wiped) {
        const uint32_t known = f->known;
        integrate_locked(f);
        changed = f->known != known;
        changed |= apply_locked(f);
        /* Listed so far, and whether more is coming: as of now, together. */
        const bool listing = f->listing || f->known != f->n;
        if (listing != f->listing_shown || f->list_err != f->err_shown || f->hidden != f->hidden_shown) {
            f->listing_shown = listing;
            f->err_shown = f->list_err;
            f->hidden_shown = f->hidden;
            changed = true;
        }
        if (changed)
            build_view_locked(f);
    }
    const bool more = f->known != known0;
    pthread_mutex_unlock(&f->lock);
    if (more && f->m) {
        /* New files to check by content: wake the workers (lock order: m
         * before f, so not while holding f's). */
        pthread_mutex_lock(&f->m->lock);
        pthread_cond_broadcast(&f->m->work_cond);
        pthread_mutex_unlock(&f->m->lock);
    }
    return changed;
}

size_t media_folder_count(const struct media_folder *f)
{
    return f ? f->view_n : 0;
}

static void fill(const struct media_folder *f, uint32_t id, struct media_entry *out)
{
    const struct mentry *e = media_ent(f, id);
    out->id = id;
    out->kind = e->dir ? MEDIA_KIND_FOLDER
                : e->shown ? (enum media_kind)e->shown
                : e->kind == HINT_VIDEO ? MEDIA_KIND_VIDEO : MEDIA_KIND_PHOTO;
    out->confirmed = e->confirmed;
    out->storage = e->storage;
    out->removable = e->removable;
    out->album = (enum media_album)e->album;
    out->name = entry_name(e);
    out->path = e->path ? e->path : "";
    out->size = e->size;
    out->mtime = e->mtime_ns / 1000000000;
}

int media_folder_entry(const struct media_folder *f, size_t i, struct media_entry *out)
{
    memset(out, 0, sizeof(*out));
    if (!f || i >= f->view_n)
        return -1;
    fill(f, f->view[i], out);
    return 0;
}

int media_folder_entry_by_id(const struct media_folder *f, uint32_t id, struct media_entry *out)
{
    memset(out, 0, sizeof(*out));
    if (!f || f->wiped || id >= f->known)
        return -1;
    fill(f, id, out);
    return 0;
}

void media_folder_counts(const struct media_folder *f, struct media_counts *c)
{
    memset(c, 0, sizeof(*c));
    if (!f || f->wiped)
        return;
    c->folders = f->ndirs;
    c->hidden = f->hidden_shown;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        const struct mentry *e = media_ent(f, f->by_name[i]);
        if (!in_album(f, e))
            continue;
        if (e->pending) /* not yet looked at (a file that could not be read is done) */
            c->checking++;
        if (e->shown == MEDIA_KIND_PHOTO) {
            c->photos++;
            c->photo_bytes += e->size;
        } else if (e->shown == MEDIA_KIND_VIDEO) {
            c->videos++;
            c->video_bytes += e->size;
        }
    }
}

void media_gallery_albums(const struct media_folder *f, struct media_album_info out[MEDIA_ALBUM_COUNT])
{
    for (int a = 0; a < MEDIA_ALBUM_COUNT; a++)
        out[a] = (struct media_album_info){.cover = MEDIA_NO_ENTRY};
    if (!f || f->wiped || !f->gallery)
        return;
    for (uint32_t i = 0; i < f->nfiles; i++) { /* newest first: the first one seen is the cover */
        const struct mentry *e = media_ent(f, f->by_date[i]);
        if (!e->shown || e->album >= MEDIA_ALBUM_COUNT)
            continue;
        struct media_album_info *a = &out[e->album];
        if (e->shown == MEDIA_KIND_PHOTO)
            a->photos++;
        else
            a->videos++;
        if (a->cover == MEDIA_NO_ENTRY) {
            a->cover = f->by_date[i];
            a->newest = e->mtime_ns / 1000000000;
        }
    }
}

/* ---- content checks (worker threads) ---- */

bool media_folder_needs_refine(struct media_folder *f)
{
    pthread_mutex_lock(&f->lock);
    const bool r = !f->wiped && !f->closed && f->refine_next < f->nfiles;
    pthread_mutex_unlock(&f->lock);
    return r;
}

void media_folder_refine(struct media_folder *f, size_t max)
{
    /* Pick a batch (newest first, what the default view shows first) and
     * copy the paths out, so the reads happen without the lock. */
    enum { BATCH = 32 };
    struct media *m = f->m;
    uint32_t ids[BATCH];
    char *paths[BATCH];
    size_t n = 0;
    if (max > BATCH)
        max = BATCH;
    pthread_mutex_lock(&m->lock);
    const uint64_t epoch = m->epoch;
    pthread_mutex_unlock(&m->lock);
    pthread_mutex_lock(&f->lock);
    while (n < max && !f->wiped && f->refine_next < f->nfiles) {
        const uint32_t id = f->by_date[f->refine_next++];
        struct mentry *e = media_ent(f, id);
        if (atomic_load(&e->sniffed) || e->claimed)
            continue; /* a thumbnail job looked already, or another worker has it */
        paths[n] = strdup(e->path);
        if (!paths[n])
            break;
        e->claimed = true;
        ids[n++] = id;
    }
    pthread_mutex_unlock(&f->lock);

    uint8_t buf[SNIFF_BYTES];
    size_t done = 0;
    for (; done < n; done++) {
        const bool usb = device_path_is_usb(paths[done]);
        if (usb && done > 0 && media_thumbs_waiting(m))
            break;
        int kind = SNIFF_FAILED;
        struct device_error derr;
        media_io_begin(m, usb);
        struct device_file *df = device_file_open(m->dev, paths[done], &derr);
        if (df) {
            const uint64_t size = device_file_size(df);
            ssize_t r = device_file_read(df, buf, size < sizeof(buf) ? (size_t)size : sizeof(buf), 0);
            if (r > 0)
                kind = media_sniff(buf, (size_t)r);
            device_file_close(df);
        }
        media_io_end(m, usb);
        atomic_store(&media_ent(f, ids[done])->sniffed, (unsigned char)kind);
    }
    explicit_bzero(buf, sizeof(buf)); /* the first bytes of somebody's file */
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < n; i++) {
        if (i >= done) {
            media_ent(f, ids[i])->claimed = false; /* later */
            f->refine_next = 0;
        }
        media_free_str(paths[i]);
    }
    pthread_mutex_unlock(&f->lock);
    if (done) {
        pthread_mutex_lock(&m->lock);
        m->stats.sniffed += done;
        /* Under the lock: no event of a wiped session after media_wipe(). */
        if (epoch == m->epoch && !f->wiped) {
            atomic_store(&f->dirty, true);
            media_raise(m, MEDIA_EV_FOLDER);
        }
        pthread_mutex_unlock(&m->lock);
    }
}
