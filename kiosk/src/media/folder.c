/* Folder listings: one pass over the directory entries (one fstatat per
 * file for size and date), types guessed from the names so the grid shows
 * at once, then checked by content on the worker threads (refine). The UI
 * sees changes only when it calls media_folder_update(). */
#include "media_internal.h"

#include "hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { SNIFF_BYTES = 4096 };

static const char *const photo_ext[] = {"jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic",
                                        "heif", "hif", "avif", "gif", "bmp", NULL};
static const char *const video_ext[] = {"mp4", "m4v", "mov", "3gp", "3g2", "mkv", "webm",
                                        "avi", "wmv", "asf", "flv", "mpg", "mpeg", "ts",
                                        "mts", "m2ts", NULL};

static int hint_of(const char *name)
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
 * .trashed-*, .Trashes, .nomedia...), the system folders Windows, macOS and
 * Android put on cards, and apps' private data (Android/data, Android/obb;
 * Android/media, where WhatsApp keeps its pictures, stays). */
static bool is_hidden(const char *rel, const char *name)
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

/* ---- lifetime ---- */

void media_folder_ref(struct media_folder *f)
{
    atomic_fetch_add(&f->refs, 1);
}

static void wipe_entries(struct media_folder *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        media_free_str(f->e[i].path);
        media_free_str(f->e[i].disp);
        f->e[i].path = f->e[i].disp = NULL;
    }
}

void media_folder_unref(struct media_folder *f)
{
    if (!f || atomic_fetch_sub(&f->refs, 1) != 1)
        return;
    wipe_entries(f);
    media_secure_free(f->e, sizeof(*f->e) * f->n);
    free(f->by_name);
    free(f->by_date);
    free(f->dirs);
    free(f->view);
    media_free_str(f->vol);
    media_free_str(f->rel);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void media_folder_wipe(struct media_folder *f)
{
    pthread_mutex_lock(&f->lock);
    if (!f->wiped) {
        f->wiped = true;
        /* Entries keep their memory (the UI may still hold pointers) but
         * every name is erased; the folder reads as empty. */
        for (uint32_t i = 0; i < f->n; i++) {
            struct mentry *e = &f->e[i];
            if (e->path)
                explicit_bzero(e->path, strlen(e->path));
            if (e->disp)
                explicit_bzero(e->disp, strlen(e->disp));
            e->size = 0;
            e->mtime_ns = 0;
        }
        f->view_n = 0; /* the counts read `wiped`; nfiles stays for the workers */
        if (f->rel)
            explicit_bzero(f->rel, strlen(f->rel));
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

/* ---- listing ---- */

struct builder {
    struct mentry *e;
    uint32_t n, cap;
};

static struct mentry *push(struct builder *b)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 256;
        struct mentry *ne = realloc(b->e, sizeof(*ne) * cap);
        if (!ne)
            return NULL;
        b->e = ne;
        b->cap = cap;
    }
    struct mentry *e = &b->e[b->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

/* "a//b/./c/" -> "a/b/c"; NULL (errno EXDEV) for any "..". */
static char *normalize_rel(const char *rel)
{
    char *out = malloc(strlen(rel) + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = rel;
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
            free(out);
            errno = EXDEV;
            return NULL;
        }
        if (o)
            out[o++] = '/';
        memcpy(out + o, s, len);
        o += len;
    }
    out[o] = 0;
    return out;
}

static int set_err(struct media_error *err, enum media_err code, const char *what, int e)
{
    if (err) {
        err->code = code;
        if (e)
            snprintf(err->detail, sizeof(err->detail), "%s: %s", what, strerror(e));
        else
            snprintf(err->detail, sizeof(err->detail), "%s", what);
    }
    return -1;
}

static const char *entry_name(const struct mentry *e)
{
    return e->disp ? e->disp : e->path + e->name_off;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
    const struct mentry *e = ctx;
    return media_name_cmp(entry_name(&e[*(const uint32_t *)a]), entry_name(&e[*(const uint32_t *)b]));
}

static int cmp_date(const void *a, const void *b, void *ctx)
{
    const struct mentry *x = &((const struct mentry *)ctx)[*(const uint32_t *)a];
    const struct mentry *y = &((const struct mentry *)ctx)[*(const uint32_t *)b];
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns > y->mtime_ns ? -1 : 1; /* newest first */
    return media_name_cmp(entry_name(x), entry_name(y));
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

static void build_view(struct media_folder *f)
{
    size_t n = 0;
    for (uint32_t i = 0; i < f->ndirs; i++)
        f->view[n++] = f->dirs[i];
    const uint32_t *order = f->sort == MEDIA_SORT_NAME ? f->by_name : f->by_date;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        const struct mentry *e = &f->e[order[i]];
        if (!e->shown)
            continue;
        if ((f->filter == MEDIA_FILTER_PHOTOS && e->shown != MEDIA_KIND_PHOTO) ||
            (f->filter == MEDIA_FILTER_VIDEOS && e->shown != MEDIA_KIND_VIDEO))
            continue;
        f->view[n++] = order[i];
    }
    f->view_n = n;
}

/* Applies the content checks done so far; true if anything changed. */
static bool apply(struct media_folder *f)
{
    bool changed = false;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        struct mentry *e = &f->e[f->by_name[i]];
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

static int list_dir(struct media_folder *f, int volfd, const char *vol_real, int dfd,
                    unsigned flags, struct builder *b, struct media_error *err)
{
    DIR *dir = fdopendir(dfd);
    if (!dir) {
        const int e = errno;
        close(dfd);
        return set_err(err, media_errno(e), "fdopendir", e);
    }
    const bool show_hidden = flags & MEDIA_SHOW_HIDDEN;
    const size_t vlen = strlen(f->vol);
    char *child = NULL;
    size_t child_cap = 0;
    struct dirent *de;
    int rc = 0;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        if (!show_hidden && is_hidden(f->rel, name)) {
            f->hidden++;
            continue;
        }
        /* rel of the entry: "<folder rel>/<name>" */
        const size_t need = strlen(f->rel) + strlen(name) + 2;
        if (need > child_cap) {
            char *nc = realloc(child, need * 2);
            if (!nc) {
                rc = set_err(err, MEDIA_ERR_NOMEM, "out of memory listing a folder", 0);
                break;
            }
            child = nc;
            child_cap = need * 2;
        }
        snprintf(child, child_cap, "%s%s%s", f->rel, f->rel[0] ? "/" : "", name);

        unsigned type = de->d_type;
        struct stat st;
        bool have_st = false;
        char *real_rel = NULL; /* a link's target, on this volume */
        if (type == DT_UNKNOWN) {
            if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            have_st = true;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG
                   : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
        }
        if (type == DT_LNK) {
            real_rel = media_resolve_link(volfd, vol_real, child);
            if (!real_rel || fstatat(volfd, real_rel[0] ? real_rel : ".", &st, AT_SYMLINK_NOFOLLOW) != 0) {
                f->hidden++; /* off the volume, dangling, or a loop: refused */
                free(real_rel);
                continue;
            }
            have_st = true;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            if (type == DT_DIR && !show_hidden && !real_rel[0]) {
                f->hidden++; /* a link to the volume's top */
                free(real_rel);
                continue;
            }
        }
        if (type != DT_DIR && type != DT_REG) { /* devices, FIFOs, sockets */
            free(real_rel);
            continue;
        }
        if (type == DT_REG && !have_st) {
            if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
                continue;
            have_st = true;
        }
        if (type == DT_REG && st.st_size == 0) { /* nothing to show or fingerprint */
            free(real_rel);
            continue;
        }
        struct mentry *e = push(b);
        if (!e) {
            free(real_rel);
            rc = set_err(err, MEDIA_ERR_NOMEM, "out of memory listing a folder", 0);
            break;
        }
        const char *rel = real_rel ? real_rel : child;
        const size_t plen = vlen + 1 + strlen(rel);
        e->path = malloc(plen + 1);
        if (!e->path) {
            b->n--;
            free(real_rel);
            rc = set_err(err, MEDIA_ERR_NOMEM, "out of memory listing a folder", 0);
            break;
        }
        snprintf(e->path, plen + 1, "%s/%s", f->vol, rel);
        e->rel_off = (uint32_t)(vlen + 1);
        const char *slash = strrchr(e->path + e->rel_off, '/');
        e->name_off = slash ? (uint32_t)(slash + 1 - e->path) : e->rel_off;
        /* A link shows its own name; any name shows as clean UTF-8. */
        e->disp = media_utf8_clean(name);
        if (!e->disp && real_rel && strcmp(name, e->path + e->name_off) != 0)
            e->disp = strdup(name);
        free(real_rel);
        if (type == DT_DIR) {
            e->dir = true;
            e->shown = MEDIA_KIND_FOLDER;
            e->confirmed = true;
        } else {
            e->kind = (uint8_t)hint_of(name);
            e->size = (uint64_t)st.st_size;
            e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
            e->dev = (uint64_t)st.st_dev;
            e->ino = (uint64_t)st.st_ino;
            e->key = media_hash_str(e->path);
        }
        atomic_init(&e->sniffed, 0);
        errno = 0;
    }
    if (rc == 0 && errno != 0 && errno != ENOENT) /* ENOENT: benign end on some filesystems */
        rc = set_err(err, media_errno(errno), "readdir", errno);
    media_secure_free(child, child_cap);
    closedir(dir);
    return rc;
}

struct media_folder *media_folder_open(struct media *m, const char *volume_path, const char *rel,
                                       unsigned flags, struct media_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
    if (!m || !volume_path || !volume_path[0]) {
        set_err(err, MEDIA_ERR_INVALID, "no volume", 0);
        return NULL;
    }
    struct media_folder *f = calloc(1, sizeof(*f));
    struct builder b = {0};
    char *vol_real = NULL;
    int volfd = -1;
    if (!f) {
        set_err(err, MEDIA_ERR_NOMEM, "out of memory", 0);
        return NULL;
    }
    f->m = m;
    pthread_mutex_init(&f->lock, NULL);
    atomic_init(&f->refs, 1);
    atomic_init(&f->dirty, false);
    f->sort = MEDIA_SORT_DATE;
    f->filter = MEDIA_FILTER_ALL;

    vol_real = realpath(volume_path, NULL);
    if (!vol_real) {
        set_err(err, media_errno(errno), "volume", errno);
        goto fail;
    }
    f->vol = vol_real;
    vol_real = NULL;
    f->rel = normalize_rel(rel ? rel : "");
    if (!f->rel) {
        set_err(err, errno == EXDEV ? MEDIA_ERR_OUTSIDE : MEDIA_ERR_NOMEM, "folder path", 0);
        goto fail;
    }
    volfd = open(f->vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (volfd < 0) {
        set_err(err, media_errno(errno), "open volume", errno);
        goto fail;
    }
    const int dfd = media_open_ro(volfd, f->rel, true);
    if (dfd < 0) {
        const int e = errno;
        set_err(err, media_errno(e), "open folder", e);
        goto fail;
    }
    if (list_dir(f, volfd, f->vol, dfd, flags, &b, err) != 0)
        goto fail;
    close(volfd);
    volfd = -1;

    f->e = b.e;
    f->n = b.n;
    b.e = NULL;
    f->by_name = malloc(sizeof(uint32_t) * (f->n + 1));
    f->by_date = malloc(sizeof(uint32_t) * (f->n + 1));
    f->dirs = malloc(sizeof(uint32_t) * (f->n + 1));
    f->view = malloc(sizeof(uint32_t) * (f->n + 1));
    if (!f->by_name || !f->by_date || !f->dirs || !f->view) {
        set_err(err, MEDIA_ERR_NOMEM, "out of memory", 0);
        goto fail;
    }
    for (uint32_t i = 0; i < f->n; i++) {
        if (f->e[i].dir)
            f->dirs[f->ndirs++] = i;
        else
            f->by_name[f->nfiles++] = i;
    }
    memcpy(f->by_date, f->by_name, sizeof(uint32_t) * f->nfiles);
    qsort_r(f->dirs, f->ndirs, sizeof(uint32_t), cmp_name, f->e);
    qsort_r(f->by_name, f->nfiles, sizeof(uint32_t), cmp_name, f->e);
    qsort_r(f->by_date, f->nfiles, sizeof(uint32_t), cmp_date, f->e);
    apply(f);
    build_view(f);

    pthread_mutex_lock(&m->lock);
    f->next = m->folders;
    m->folders = f;
    pthread_cond_broadcast(&m->work_cond); /* content checks can start */
    pthread_mutex_unlock(&m->lock);
    return f;

fail:
    if (volfd >= 0)
        close(volfd);
    for (uint32_t i = 0; i < b.n; i++) {
        media_free_str(b.e[i].path);
        media_free_str(b.e[i].disp);
    }
    free(b.e);
    media_folder_unref(f);
    return NULL;
}

const char *media_folder_rel(const struct media_folder *f)
{
    return f && f->rel ? f->rel : "";
}

void media_folder_view(struct media_folder *f, enum media_sort sort, enum media_filter filter)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->sort = sort;
    f->filter = filter;
    if (!f->wiped) {
        apply(f);
        build_view(f);
    }
    pthread_mutex_unlock(&f->lock);
}

bool media_folder_update(struct media_folder *f)
{
    if (!f || !atomic_exchange(&f->dirty, false))
        return false;
    pthread_mutex_lock(&f->lock);
    bool changed = !f->wiped && apply(f);
    if (changed)
        build_view(f);
    pthread_mutex_unlock(&f->lock);
    return changed;
}

size_t media_folder_count(const struct media_folder *f)
{
    return f ? f->view_n : 0;
}

static void fill(const struct media_folder *f, uint32_t id, struct media_entry *out)
{
    const struct mentry *e = &f->e[id];
    out->id = id;
    out->kind = e->dir ? MEDIA_KIND_FOLDER
                : e->shown ? (enum media_kind)e->shown
                : e->kind == HINT_VIDEO ? MEDIA_KIND_VIDEO : MEDIA_KIND_PHOTO;
    out->confirmed = e->confirmed;
    out->name = entry_name(e);
    out->path = e->path;
    out->rel = e->path + e->rel_off;
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
    if (!f || f->wiped || id >= f->n)
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
    c->hidden = f->hidden;
    for (uint32_t i = 0; i < f->nfiles; i++) {
        const struct mentry *e = &f->e[f->by_name[i]];
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

/* ---- content checks (worker threads) ---- */

bool media_folder_needs_refine(struct media_folder *f)
{
    return !f->wiped && !f->closed && f->refine_next < f->nfiles;
}

void media_folder_refine(struct media_folder *f, size_t max)
{
    /* Pick a batch (newest first, what the default view shows first) and
     * copy the names out, so the reads happen without the lock. */
    enum { BATCH = 32 };
    uint32_t ids[BATCH];
    char *rels[BATCH];
    size_t n = 0;
    if (max > BATCH)
        max = BATCH;
    pthread_mutex_lock(&f->lock);
    while (n < max && !f->wiped && f->refine_next < f->nfiles) {
        const uint32_t id = f->by_date[f->refine_next++];
        if (atomic_load(&f->e[id].sniffed))
            continue; /* a thumbnail job looked already */
        rels[n] = strdup(f->e[id].path + f->e[id].rel_off);
        if (!rels[n])
            break;
        ids[n++] = id;
    }
    char *vol = f->wiped ? NULL : strdup(f->vol);
    pthread_mutex_unlock(&f->lock);

    int volfd = vol ? open(vol, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY) : -1;
    uint8_t buf[SNIFF_BYTES];
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        int kind = SNIFF_FAILED;
        int fd = volfd >= 0 ? media_open_ro(volfd, rels[i], false) : -1;
        if (fd >= 0) {
            struct stat st;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                ssize_t r = media_pread_full(fd, buf, sizeof(buf), 0);
                if (r > 0)
                    kind = media_sniff(buf, (size_t)r);
            }
            close(fd);
        }
        atomic_store(&f->e[ids[i]].sniffed, (unsigned char)kind);
        any = true;
        media_free_str(rels[i]);
    }
    explicit_bzero(buf, sizeof(buf)); /* the first bytes of somebody's file */
    if (volfd >= 0)
        close(volfd);
    media_free_str(vol);
    if (any) {
        pthread_mutex_lock(&f->m->lock);
        f->m->stats.sniffed += n;
        pthread_mutex_unlock(&f->m->lock);
        atomic_store(&f->dirty, true);
        media_raise(f->m, MEDIA_EV_FOLDER);
    }
}
