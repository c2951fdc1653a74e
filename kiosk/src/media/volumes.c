/* Volumes under the media root, kept up to date by a watcher thread.
 *
 * What is a volume: in MEDIA_ROOT_MOUNTS mode, a mount point one or two
 * levels under the root (/media/usb0, /media/<user>/<LABEL>) as the mount
 * table says; in MEDIA_ROOT_DIRS mode, every folder right under the root.
 * What wakes the watcher: the mount table changing (poll() on
 * /proc/self/mountinfo reports POLLPRI; an injected regular file is watched
 * with inotify instead), inotify on the root and, in mounts mode, on its
 * plain subfolders (/media/<user>), and a slow periodic rescan as a safety
 * net. Each rescan builds a fresh list; when it differs from the last one it
 * is published as a new snapshot and MEDIA_EV_VOLUMES is raised. Nothing is
 * kept open on a volume: statvfs() by path, nothing else. */
#include "media_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

enum { MAX_VOLUMES = 64, MAX_WATCHES = 64, DEBOUNCE_MS = 40 };

struct vol {
    char *path, *label;
    char key[64 + 4096]; /* mount id or inode, plus the path: what makes it "the same" */
    uint64_t id, total, avail;
    bool ro;
};

struct vlist {
    struct vol v[MAX_VOLUMES];
    size_t n;
};

struct watch {
    int wd;
    char *path;
};

struct watcher {
    struct media *m;
    int ifd;        /* inotify */
    int mfd;        /* mountinfo, when it is procfs (poll) */
    int mi_wd;      /* inotify watch on an injected mountinfo's folder */
    struct watch w[MAX_WATCHES];
    size_t nw;
    struct vlist cur;
    uint64_t next_id;
};

static void vlist_clear(struct vlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].label);
    }
    l->n = 0;
}

/* Mount table escapes: "\040" for a space and so on. In place. */
static void unescape_octal(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

/* udev's link names: "\x20" for a space and so on. In place. */
static void unescape_hex(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        unsigned v;
        if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1 && p[2] && p[3]) {
            *o++ = (char)v;
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

static char *clean_label(const char *raw)
{
    char *c = media_utf8_clean(raw);
    return c ? c : strdup(raw);
}

/* The filesystem label udev found for a block device, or NULL. */
static char *label_for_dev(const char *by_label, unsigned maj, unsigned min)
{
    DIR *d = opendir(by_label);
    if (!d)
        return NULL;
    char *label = NULL;
    struct dirent *de;
    while (!label && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0)
            continue;
        if (major(st.st_rdev) == maj && minor(st.st_rdev) == min && st.st_rdev != 0) {
            char buf[256];
            snprintf(buf, sizeof(buf), "%s", de->d_name);
            unescape_hex(buf);
            if (buf[0])
                label = clean_label(buf);
        }
    }
    closedir(d);
    return label;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : p;
}

/* Depth of path below root: 1 for root/x, 2 for root/x/y; 0 otherwise. */
static int depth_under(const char *root, const char *path)
{
    const size_t rl = strlen(root);
    if (strncmp(path, root, rl) != 0 || path[rl] != '/' || !path[rl + 1])
        return 0;
    int d = 1;
    for (const char *p = path + rl + 1; *p; p++)
        if (*p == '/') {
            if (!p[1])
                break; /* trailing slash */
            d++;
        }
    return d <= 2 ? d : 0;
}

static bool skip_fstype(const char *t)
{
    static const char *const skip[] = {"autofs", "tmpfs", "ramfs", "proc", "sysfs", "devtmpfs",
                                        "devpts", "cgroup", "cgroup2", "overlay", "squashfs"};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
        if (!strcmp(t, skip[i]))
            return true;
    return false;
}

static char *read_file(const char *path, int fd_hint)
{
    int fd = fd_hint >= 0 ? fd_hint : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fd_hint >= 0)
        lseek(fd, 0, SEEK_SET);
    size_t cap = 16384, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    if (buf)
        buf[n] = 0;
    if (fd_hint < 0)
        close(fd);
    return buf;
}

static void add_volume(struct watcher *w, struct vlist *l, const char *path, const char *key,
                       char *label, bool ro_hint)
{
    struct statvfs sv;
    struct stat st;
    if (l->n >= MAX_VOLUMES || stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
        statvfs(path, &sv) != 0) {
        free(label);
        return;
    }
    struct vol *v = &l->v[l->n];
    memset(v, 0, sizeof(*v));
    v->path = strdup(path);
    v->label = label ? label : clean_label(base_name(path));
    if (!v->path || !v->label) {
        free(v->path);
        free(v->label);
        return;
    }
    snprintf(v->key, sizeof(v->key), "%s", key);
    v->total = (uint64_t)sv.f_blocks * sv.f_frsize;
    v->avail = (uint64_t)sv.f_bavail * sv.f_frsize;
    v->ro = ro_hint || (sv.f_flag & ST_RDONLY);
    /* Same mount (or folder) as before: same id. */
    for (size_t i = 0; i < w->cur.n; i++)
        if (!strcmp(w->cur.v[i].key, v->key))
            v->id = w->cur.v[i].id;
    if (!v->id)
        v->id = ++w->next_id;
    l->n++;
}

static void scan_dirs(struct watcher *w, struct vlist *l)
{
    const char *root = w->m->root;
    DIR *d = opendir(root);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096], key[4200];
        snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        snprintf(key, sizeof(key), "%llu:%llu:%s", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino, path);
        add_volume(w, l, path, key, NULL, false);
    }
    closedir(d);
}

struct mnt {
    char *mp, *fstype;
    unsigned id, maj, min;
    bool ro;
};

static void scan_mounts(struct watcher *w, struct vlist *l)
{
    char *text = read_file(w->m->mountinfo, w->mfd);
    if (!text)
        return;
    struct mnt *ms = NULL;
    size_t n = 0, cap = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[12];
        int nf = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(line, " ", &s2); t && nf < 12; t = strtok_r(NULL, " ", &s2)) {
            f[nf++] = t;
            if (!strcmp(t, "-")) {
                char *ft = strtok_r(NULL, " ", &s2);
                if (ft)
                    f[nf++] = ft;
                break;
            }
        }
        /* id parent maj:min root mountpoint options [optional...] - fstype */
        if (nf < 8 || strcmp(f[nf - 2], "-") != 0)
            continue;
        unescape_octal(f[4]);
        if (!depth_under(w->m->root, f[4]))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct mnt *nm = realloc(ms, cap * sizeof(*ms));
            if (!nm)
                break;
            ms = nm;
        }
        struct mnt *mt = &ms[n++];
        mt->mp = f[4];
        mt->fstype = f[nf - 1];
        mt->id = (unsigned)strtoul(f[0], NULL, 10);
        if (sscanf(f[2], "%u:%u", &mt->maj, &mt->min) != 2)
            mt->maj = mt->min = 0;
        mt->ro = !strncmp(f[5], "ro", 2) && (f[5][2] == ',' || !f[5][2]);
    }
    for (size_t i = 0; i < n; i++) {
        bool skip = skip_fstype(ms[i].fstype);
        /* Stacked mounts: the last one is what is seen. A mount with a volume
         * below it (a tmpfs on /media/<user>) is a container, not a volume. */
        for (size_t j = 0; j < n && !skip; j++) {
            if (j == i)
                continue;
            if (j > i && !strcmp(ms[j].mp, ms[i].mp))
                skip = true;
            const size_t li = strlen(ms[i].mp);
            if (!strncmp(ms[j].mp, ms[i].mp, li) && ms[j].mp[li] == '/')
                skip = true;
        }
        if (skip)
            continue;
        char key[4200];
        snprintf(key, sizeof(key), "m%u:%s", ms[i].id, ms[i].mp);
        char *label = ms[i].maj ? label_for_dev(w->m->by_label, ms[i].maj, ms[i].min) : NULL;
        add_volume(w, l, ms[i].mp, key, label, ms[i].ro);
    }
    free(ms);
    free(text);
}

static int cmp_vol(const void *a, const void *b)
{
    const struct vol *x = a, *y = b;
    int c = media_name_cmp(x->label, y->label);
    return c ? c : strcmp(x->path, y->path);
}

static bool same(const struct vlist *a, const struct vlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const struct vol *x = &a->v[i], *y = &b->v[i];
        if (x->id != y->id || strcmp(x->path, y->path) || strcmp(x->label, y->label) ||
            x->ro != y->ro || x->total != y->total || x->avail != y->avail)
            return false;
    }
    return true;
}

static struct media_volume_list *snapshot(const struct vlist *l)
{
    size_t bytes = sizeof(struct media_volume_list) + l->n * sizeof(struct media_volume);
    for (size_t i = 0; i < l->n; i++)
        bytes += strlen(l->v[i].path) + strlen(l->v[i].label) + 2;
    struct media_volume_list *s = calloc(1, bytes);
    if (!s)
        return NULL;
    s->count = l->n;
    s->v = (struct media_volume *)(s + 1);
    char *str = (char *)(s->v + l->n);
    for (size_t i = 0; i < l->n; i++) {
        const struct vol *v = &l->v[i];
        struct media_volume *o = &s->v[i];
        o->id = v->id;
        o->total_bytes = v->total;
        o->free_bytes = v->avail;
        o->read_only = v->ro;
        o->path = strcpy(str, v->path);
        str += strlen(v->path) + 1;
        o->label = strcpy(str, v->label);
        str += strlen(v->label) + 1;
    }
    return s;
}

static size_t snapshot_bytes(const struct media_volume_list *s)
{
    size_t bytes = sizeof(*s) + s->count * sizeof(struct media_volume);
    for (size_t i = 0; i < s->count; i++)
        bytes += strlen(s->v[i].path) + strlen(s->v[i].label) + 2;
    return bytes;
}

struct media_volume_list *media_volumes(struct media *m)
{
    pthread_mutex_lock(&m->lock);
    struct media_volume_list *s = NULL;
    if (m->vols) {
        const size_t bytes = snapshot_bytes(m->vols);
        s = malloc(bytes);
        if (s) {
            /* Deep copy: re-point into the copy. */
            memcpy(s, m->vols, bytes);
            s->v = (struct media_volume *)(s + 1);
            const char *base = (const char *)m->vols;
            for (size_t i = 0; i < s->count; i++) {
                s->v[i].path = (const char *)s + (s->v[i].path - base);
                s->v[i].label = (const char *)s + (s->v[i].label - base);
            }
        }
    } else {
        s = calloc(1, sizeof(*s));
    }
    pthread_mutex_unlock(&m->lock);
    return s;
}

void media_volume_list_free(struct media_volume_list *l)
{
    if (l)
        media_secure_free(l, snapshot_bytes(l)); /* labels can be personal */
}

/* inotify watches: the root, and in mounts mode its plain subfolders. */
static void update_watches(struct watcher *w)
{
    if (w->ifd < 0)
        return;
    char want[MAX_WATCHES][4096];
    size_t nwant = 0;
    snprintf(want[nwant++], sizeof(want[0]), "%s", w->m->root);
    if (w->m->opt.mode == MEDIA_ROOT_MOUNTS) {
        DIR *d = opendir(w->m->root);
        struct dirent *de;
        while (d && nwant < MAX_WATCHES && (de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", w->m->root, de->d_name);
            bool is_vol = false;
            for (size_t i = 0; i < w->cur.n; i++)
                is_vol |= !strcmp(w->cur.v[i].path, path);
            struct stat st;
            if (!is_vol && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
                snprintf(want[nwant++], sizeof(want[0]), "%s", path);
        }
        if (d)
            closedir(d);
    }
    /* Drop what is no longer wanted, add what is new. */
    for (size_t i = 0; i < w->nw;) {
        bool keep = false;
        for (size_t j = 0; j < nwant && !keep; j++)
            keep = !strcmp(w->w[i].path, want[j]);
        if (keep) {
            i++;
            continue;
        }
        inotify_rm_watch(w->ifd, w->w[i].wd);
        free(w->w[i].path);
        w->w[i] = w->w[--w->nw];
    }
    const uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                          IN_MOVE_SELF | IN_ATTRIB | IN_ONLYDIR;
    for (size_t j = 0; j < nwant && w->nw < MAX_WATCHES; j++) {
        bool have = false;
        for (size_t i = 0; i < w->nw && !have; i++)
            have = !strcmp(w->w[i].path, want[j]);
        if (have)
            continue;
        int wd = inotify_add_watch(w->ifd, want[j], mask);
        if (wd < 0)
            continue; /* the root may not exist yet: the periodic rescan retries */
        w->w[w->nw].wd = wd;
        w->w[w->nw].path = strdup(want[j]);
        if (w->w[w->nw].path)
            w->nw++;
    }
}

static void rescan(struct watcher *w, bool first)
{
    struct vlist *l = calloc(1, sizeof(*l));
    if (!l)
        return;
    if (w->m->opt.mode == MEDIA_ROOT_DIRS)
        scan_dirs(w, l);
    else
        scan_mounts(w, l);
    qsort(l->v, l->n, sizeof(l->v[0]), cmp_vol);
    if (first || !same(l, &w->cur)) {
        struct media_volume_list *s = snapshot(l);
        if (s) {
            pthread_mutex_lock(&w->m->lock);
            media_volume_list_free(w->m->vols);
            w->m->vols = s;
            pthread_mutex_unlock(&w->m->lock);
            vlist_clear(&w->cur);
            w->cur = *l;
            l->n = 0;
            if (!first)
                media_raise(w->m, MEDIA_EV_VOLUMES);
        }
    }
    vlist_clear(l);
    free(l);
    update_watches(w);
}

static void drain(int fd)
{
    char buf[4096] __attribute__((aligned(8)));
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    for (;;) {
        struct pollfd p[3] = {
            {.fd = w->m->stop_fd, .events = POLLIN},
            {.fd = w->ifd, .events = POLLIN},
            {.fd = w->mfd, .events = POLLPRI},
        };
        int r = poll(p, 3, w->m->opt.rescan_ms);
        if (r < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (r > 0) {
            /* Mounting makes a folder, then mounts: wait for the burst to end. */
            do {
                if (w->ifd >= 0)
                    drain(w->ifd);
                p[1].revents = p[2].revents = 0;
                p[2].events = 0; /* POLLPRI stays raised until the next read */
                r = poll(p, 2, DEBOUNCE_MS);
            } while (r > 0 && !p[0].revents);
            if (p[0].revents)
                break;
        }
        rescan(w, false);
    }
    return NULL;
}

int media_volumes_start(struct media *m)
{
    struct watcher *w = calloc(1, sizeof(*w));
    if (!w)
        return -1;
    w->m = m;
    w->mfd = -1;
    w->mi_wd = -1;
    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    m->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->stop_fd < 0) {
        if (w->ifd >= 0)
            close(w->ifd);
        free(w);
        return -1;
    }
    if (m->opt.mode == MEDIA_ROOT_MOUNTS) {
        int fd = open(m->mountinfo, O_RDONLY | O_CLOEXEC);
        struct statfs sf;
        if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
            w->mfd = fd; /* poll() says POLLPRI when the mount table changes */
        } else {
            if (fd >= 0)
                close(fd);
            /* An injected file: watch its folder (it may be replaced by rename). */
            char dir[4096];
            snprintf(dir, sizeof(dir), "%s", m->mountinfo);
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir)
                *slash = 0;
            else
                snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
            if (w->ifd >= 0)
                w->mi_wd = inotify_add_watch(w->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
                                                              IN_DELETE | IN_MODIFY);
        }
    }
    rescan(w, true); /* the first list is there when media_create() returns */
    m->watcher_arg = w;
    if (pthread_create(&m->watcher, NULL, watch_main, w) != 0) {
        m->watcher_arg = NULL;
        vlist_clear(&w->cur);
        for (size_t i = 0; i < w->nw; i++)
            free(w->w[i].path);
        if (w->ifd >= 0)
            close(w->ifd);
        if (w->mfd >= 0)
            close(w->mfd);
        free(w);
        return -1;
    }
    m->watcher_started = true;
    return 0;
}

void media_volumes_stop(struct media *m)
{
    if (m->watcher_started) {
        uint64_t one = 1;
        if (write(m->stop_fd, &one, sizeof(one)) < 0) {
            /* an eventfd write only fails on overflow: it is signalled already */
        }
        pthread_join(m->watcher, NULL);
        m->watcher_started = false;
    }
    struct watcher *w = m->watcher_arg;
    if (w) {
        vlist_clear(&w->cur);
        for (size_t i = 0; i < w->nw; i++)
            free(w->w[i].path);
        if (w->ifd >= 0)
            close(w->ifd);
        if (w->mfd >= 0)
            close(w->mfd);
        free(w);
        m->watcher_arg = NULL;
    }
    if (m->stop_fd >= 0) {
        close(m->stop_fd);
        m->stop_fd = -1;
    }
    media_volume_list_free(m->vols);
    m->vols = NULL;
}
