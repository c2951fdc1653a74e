/* The filesystem backend: volumes mounted under the media root, their
 * folders, and their files opened read-only beneath the volume.
 *
 * What is a volume: in DEVICE_ROOT_MOUNTS mode, a mount point one or two
 * levels under the root (/media/usb0, /media/<user>/<LABEL>) as the mount
 * table says; in DEVICE_ROOT_DIRS mode, every folder right under the root.
 * What wakes the watcher (device.c): the mount table changing (poll() on
 * /proc/self/mountinfo reports POLLPRI; an injected regular file is watched
 * with inotify instead), inotify on the root and, in mounts mode, on its
 * plain subfolders (/media/<user>). Nothing is kept open on a volume.
 *
 * Files and folders are opened O_RDONLY (O_NOATIME where allowed) beneath
 * the volume without following a link and without crossing into another
 * mount; links in a listing are followed only while they stay on the
 * volume, and then listed by where they lead. */
#include "device_internal.h"
#include "durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

enum { MAX_VOLUMES = 64, MAX_WATCHES = 64 };

/* ---- opening beneath a volume ---- */

static int openat2_beneath(int dirfd, const char *rel, int flags, uint64_t resolve)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)flags;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* Without openat2 (old kernels, some sandboxes): one component at a time,
 * no symlinks at all, no "..", and never onto another device. */
static int open_walk(int volfd, const char *rel, int flags)
{
    struct stat vst;
    if (fstat(volfd, &vst) != 0)
        return -1;
    char *copy = strdup(rel);
    if (!copy)
        return -1;
    int cur = dup(volfd);
    char *save = NULL;
    char *comp = strtok_r(copy, "/", &save);
    while (cur >= 0 && comp) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(comp, "..")) {
            close(cur);
            cur = -1;
            errno = EXDEV;
            break;
        }
        const int fl = next ? O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH : flags;
        int fd = openat(cur, comp, fl | O_NOFOLLOW);
        close(cur);
        cur = fd;
        struct stat st;
        if (cur >= 0 && (fstat(cur, &st) != 0 || st.st_dev != vst.st_dev)) {
            close(cur);
            cur = -1;
            errno = EXDEV;
        }
        comp = next;
    }
    device_free_str(copy);
    return cur;
}

static int open_beneath(int volfd, const char *rel, int flags)
{
    while (*rel == '/')
        rel++;
    if (!*rel)
        rel = ".";
    int fd = openat2_beneath(volfd, rel, flags | O_CLOEXEC,
                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                                 RESOLVE_NO_MAGICLINKS);
    if (fd >= 0 || errno != ENOSYS)
        return fd;
    return open_walk(volfd, rel, flags | O_CLOEXEC);
}

/* Looking without touching: O_NONBLOCK (a FIFO must not wait for a
 * writer), O_NOATIME where the kernel lets us. */
static int open_ro(int dirfd, const char *rel, bool directory)
{
    const int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | (directory ? O_DIRECTORY : 0);
    int fd = open_beneath(dirfd, rel, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open_beneath(dirfd, rel, flags);
    return fd;
}

/* Where a link (rel, beneath volfd) leads, relative to the volume, when it
 * stays on it: malloc'd, or NULL (errno EXDEV: off the volume). */
static char *resolve_link(int volfd, const char *vol_real, const char *rel)
{
    int fd = openat2_beneath(volfd, rel, O_PATH | O_CLOEXEC,
                             RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS);
    if (fd < 0) {
        if (errno == ENOSYS)
            errno = EXDEV; /* cannot check safely: refuse */
        return NULL;
    }
    char proc[64], real[4096];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, real, sizeof(real) - 1);
    close(fd);
    if (n <= 0) {
        errno = EXDEV;
        return NULL;
    }
    real[n] = 0;
    const size_t vl = strlen(vol_real);
    const bool root = vl == 1 && vol_real[0] == '/';
    if (root ? real[0] != '/' : strncmp(real, vol_real, vl) != 0 || real[vl] != '/') {
        errno = EXDEV;
        return NULL;
    }
    return strdup(real + (root ? 1 : vl + 1));
}

/* The part of path below the volume vol ("" for the volume itself), or
 * NULL when path is not under it. */
static const char *below(const char *vol, const char *path)
{
    const size_t vl = strlen(vol);
    if (vl == 1 && vol[0] == '/')
        return path[0] == '/' ? path + 1 : NULL;
    if (strncmp(path, vol, vl) != 0 || (path[vl] != '/' && path[vl] != 0))
        return NULL;
    return path[vl] == '/' ? path + vl + 1 : path + vl;
}

int fs_open(const char *vol, const char *path, uint64_t *size, int64_t *mtime_ns,
            struct device_error *err)
{
    *size = 0;
    *mtime_ns = 0;
    const char *rel = below(vol, path);
    if (!rel)
        return device_set_err(err, DEVICE_ERR_NOT_FOUND, "not on this volume");
    char *vol_real = realpath(vol, NULL);
    if (!vol_real) {
        const int e = errno;
        return device_set_err(err, e == ENOENT ? DEVICE_ERR_GONE : device_errno(e), "volume: %s",
                              strerror(e));
    }
    int volfd = open(vol_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    free(vol_real);
    if (volfd < 0) {
        const int e = errno;
        return device_set_err(err, e == ENOENT ? DEVICE_ERR_GONE : device_errno(e),
                              "open volume: %s", strerror(e));
    }
    int fd = open_ro(volfd, rel, false);
    const int e = errno;
    close(volfd);
    if (fd < 0)
        return device_set_err(err, device_errno(e), "open: %s", strerror(e));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return device_set_err(err, DEVICE_ERR_NOT_FOUND, "not a regular file");
    }
    /* Reads may block from here on (a slow card): that is what they are for. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *size = (uint64_t)st.st_size;
    *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return fd;
}

int fs_list(const char *vol, const char *path, int (*emit)(void *ctx, const struct device_entry *e),
            void *ctx, struct device_list_stats *stats, struct device_error *err)
{
    const char *rel0 = below(vol, path);
    if (!rel0)
        return device_set_err(err, DEVICE_ERR_NOT_FOUND, "not on this volume");
    char *rel = dpath_normalize(rel0);
    if (!rel)
        return device_set_err(err, errno == EXDEV ? DEVICE_ERR_OUTSIDE : DEVICE_ERR_NOMEM, "folder path");
    char *vol_real = realpath(vol, NULL);
    int volfd = vol_real ? open(vol_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY) : -1;
    if (volfd < 0) {
        const int e = errno;
        free(vol_real);
        device_free_str(rel);
        return device_set_err(err, e == ENOENT ? DEVICE_ERR_GONE : device_errno(e), "open volume: %s",
                              strerror(e));
    }
    int dfd = open_ro(volfd, rel, true);
    DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!dir) {
        const int e = errno;
        if (dfd >= 0)
            close(dfd);
        close(volfd);
        free(vol_real);
        device_free_str(rel);
        return device_set_err(err, device_errno(e), "open folder: %s", strerror(e));
    }
    const size_t vlen = strlen(vol);
    char *child = NULL, *full = NULL;
    size_t child_cap = 0, full_cap = 0;
    int rc = 0;
    for (;;) {
        errno = 0; /* readdir() leaves it alone at the end, and checks above may have set it */
        struct dirent *de = readdir(dir);
        if (!de)
            break;
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        const size_t need = strlen(rel) + strlen(name) + 2;
        if (need > child_cap) {
            char *nc = realloc(child, need * 2);
            if (!nc) {
                rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory listing a folder");
                break;
            }
            child = nc;
            child_cap = need * 2;
        }
        snprintf(child, child_cap, "%s%s%s", rel, rel[0] ? "/" : "", name);

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
            real_rel = resolve_link(volfd, vol_real, child);
            if (!real_rel || fstatat(volfd, real_rel[0] ? real_rel : ".", &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                (S_ISDIR(st.st_mode) && !real_rel[0])) {
                /* off the volume, dangling, a loop, or the volume's top */
                if (stats)
                    stats->refused++;
                free(real_rel);
                continue;
            }
            have_st = true;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type != DT_DIR && type != DT_REG) { /* devices, FIFOs, sockets */
            if (stats)
                stats->refused++;
            free(real_rel);
            continue;
        }
        if (!have_st && fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            free(real_rel);
            continue;
        }
        const char *where = real_rel ? real_rel : child;
        const size_t plen = vlen + 2 + strlen(where);
        if (plen > full_cap) {
            char *nf = realloc(full, plen * 2);
            if (!nf) {
                free(real_rel);
                rc = device_set_err(err, DEVICE_ERR_NOMEM, "out of memory listing a folder");
                break;
            }
            full = nf;
            full_cap = plen * 2;
        }
        if (vlen == 1 && vol[0] == '/')
            snprintf(full, full_cap, "/%s", where);
        else
            snprintf(full, full_cap, "%s/%s", vol, where);
        struct device_entry e = {
            .name = name, /* a link shows its own name */
            .path = full,
            .folder = type == DT_DIR,
            .size = type == DT_REG ? (uint64_t)st.st_size : 0,
            .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
            .file_id = (uint64_t)st.st_ino ^ ((uint64_t)st.st_dev << 40),
        };
        free(real_rel);
        const int r = emit(ctx, &e);
        if (r) {
            rc = r;
            break;
        }
    }
    if (rc == 0 && errno != 0 && errno != ENOENT) /* ENOENT: a benign end on some filesystems */
        rc = device_set_err(err, device_errno(errno), "readdir: %s", strerror(errno));
    if (child)
        device_free(child, child_cap);
    if (full)
        device_free(full, full_cap);
    closedir(dir);
    close(volfd);
    free(vol_real);
    device_free_str(rel);
    return rc;
}

/* ---- volumes ---- */

void fs_scan_clear(struct fs_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        device_free_str(s->v[i].path);
        device_free_str(s->v[i].label);
    }
    free(s->v);
    memset(s, 0, sizeof(*s));
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
                label = device_utf8_clean(buf);
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

static char *read_text(const char *path, int fd_hint)
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
        const size_t want = cap - n - 1;
        ssize_t r = durable_read_all(fd, buf + n, want);
        if (r <= 0)
            break;
        n += (size_t)r;
        if ((size_t)r < want)
            break; /* end of file */
    }
    if (buf)
        buf[n] = 0;
    if (fd_hint < 0)
        close(fd);
    return buf;
}

static void add_volume(struct fs_scan *l, const char *path, const char *key, char *label, bool ro_hint)
{
    struct statvfs sv;
    struct stat st;
    if (l->n >= MAX_VOLUMES || stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
        statvfs(path, &sv) != 0) {
        free(label);
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct fs_vol *nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv) {
            free(label);
            return;
        }
        l->v = nv;
        l->cap = cap;
    }
    struct fs_vol *v = &l->v[l->n];
    memset(v, 0, sizeof(*v));
    v->path = strdup(path);
    v->label = label ? label : device_utf8_clean(base_name(path));
    if (!v->path || !v->label) {
        free(v->path);
        free(v->label);
        return;
    }
    snprintf(v->key, sizeof(v->key), "%s", key);
    v->total = (uint64_t)sv.f_blocks * sv.f_frsize;
    v->avail = (uint64_t)sv.f_bavail * sv.f_frsize;
    v->ro = ro_hint || (sv.f_flag & ST_RDONLY);
    l->n++;
}

static void scan_dirs(const char *root, struct fs_scan *l)
{
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
        add_volume(l, path, key, NULL, false);
    }
    closedir(d);
}

struct mnt {
    char *mp, *fstype;
    unsigned id, maj, min;
    bool ro;
};

static void scan_mounts(const struct device_options *o, int mfd, struct fs_scan *l)
{
    char *text = read_text(o->mountinfo, mfd);
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
        if (!depth_under(o->media_root, f[4]))
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
        char *label = ms[i].maj ? label_for_dev(o->by_label, ms[i].maj, ms[i].min) : NULL;
        add_volume(l, ms[i].mp, key, label, ms[i].ro);
    }
    free(ms);
    free(text);
}

void fs_scan(const struct device_options *o, int mountinfo_fd, struct fs_scan *out)
{
    memset(out, 0, sizeof(*out));
    if (!o->media_root)
        return;
    if (o->mode == DEVICE_ROOT_DIRS)
        scan_dirs(o->media_root, out);
    else
        scan_mounts(o, mountinfo_fd, out);
}

/* ---- watching ---- */

struct fs_watch {
    const struct device_options *o;
    int ifd; /* inotify */
    int mfd; /* mountinfo, when it is procfs (poll POLLPRI) */
    struct {
        int wd;
        char *path;
    } w[MAX_WATCHES];
    size_t nw;
};

struct fs_watch *fs_watch_create(const struct device_options *o)
{
    struct fs_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->o = o;
    w->mfd = -1;
    w->ifd = o->media_root ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
    if (o->media_root && o->mode == DEVICE_ROOT_MOUNTS) {
        int fd = open(o->mountinfo, O_RDONLY | O_CLOEXEC);
        struct statfs sf;
        if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
            w->mfd = fd; /* poll() says POLLPRI when the mount table changes */
        } else {
            if (fd >= 0)
                close(fd);
            /* An injected file: watch its folder (it may be replaced by rename). */
            char dir[4096];
            snprintf(dir, sizeof(dir), "%s", o->mountinfo);
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir)
                *slash = 0;
            else
                snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
            if (w->ifd >= 0)
                inotify_add_watch(w->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY);
        }
    }
    return w;
}

void fs_watch_destroy(struct fs_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nw; i++)
        free(w->w[i].path);
    if (w->ifd >= 0)
        close(w->ifd);
    if (w->mfd >= 0)
        close(w->mfd);
    free(w);
}

int fs_watch_inotify_fd(const struct fs_watch *w)
{
    return w ? w->ifd : -1;
}

int fs_watch_mountinfo_fd(const struct fs_watch *w)
{
    return w ? w->mfd : -1;
}

void fs_watch_drain(struct fs_watch *w)
{
    char buf[4096] __attribute__((aligned(8)));
    if (w && w->ifd >= 0)
        while (read(w->ifd, buf, sizeof(buf)) > 0)
            ;
}

void fs_watch_update(struct fs_watch *w, const struct fs_scan *cur)
{
    if (!w || w->ifd < 0 || !w->o->media_root)
        return;
    char want[MAX_WATCHES][4096]; /* 256 KiB on the watcher's own stack */
    size_t nwant = 0;
    snprintf(want[nwant++], sizeof(want[0]), "%s", w->o->media_root);
    if (w->o->mode == DEVICE_ROOT_MOUNTS) {
        DIR *d = opendir(w->o->media_root);
        struct dirent *de;
        while (d && nwant < MAX_WATCHES && (de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", w->o->media_root, de->d_name);
            bool is_vol = false;
            for (size_t i = 0; i < cur->n; i++)
                is_vol |= !strcmp(cur->v[i].path, path);
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
