/* Recursive visit of the paths given to `hifazat hash`, in a stable order.
 * Symlinks are followed (a phone's folder may be reached through one), and
 * a directory that is its own ancestor is reported instead of looping. */
#include "hash.h"
#include "hash_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_DEPTH = 256 };

struct ancestor {
    dev_t dev;
    ino_t ino;
};

struct walk {
    int (*visit)(void *, const char *, enum hash_err, const char *);
    void *ctx;
    struct ancestor stack[MAX_DEPTH];
    int depth;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_path(struct walk *w, const char *path);

static int walk_dir(struct walk *w, const char *path, const struct stat *st)
{
    for (int i = 0; i < w->depth; i++)
        if (w->stack[i].dev == st->st_dev && w->stack[i].ino == st->st_ino)
            return w->visit(w->ctx, path, HASH_ERR_LOOP, "directory contains itself (symlink loop)");
    if (w->depth >= MAX_DEPTH)
        return w->visit(w->ctx, path, HASH_ERR_LOOP, "directories nested too deeply");

    /* O_NOATIME: listing a folder must not change it either. */
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    int fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        return w->visit(w->ctx, path, hash_errno_to_err(e), strerror(e));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof(*names));
            if (!nn) {
                rc = w->visit(w->ctx, path, HASH_ERR_NOMEM, "out of memory listing a folder");
                goto out;
            }
            names = nn;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) {
            rc = w->visit(w->ctx, path, HASH_ERR_NOMEM, "out of memory listing a folder");
            goto out;
        }
        n++;
    }
    if (errno) {
        rc = w->visit(w->ctx, path, HASH_ERR_READ, strerror(errno));
        goto out;
    }
    qsort(names, n, sizeof(*names), cmp_names);

    w->stack[w->depth++] = (struct ancestor){st->st_dev, st->st_ino};
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);
        if (!child) {
            rc = w->visit(w->ctx, path, HASH_ERR_NOMEM, "out of memory");
            break;
        }
        const bool slash = path[0] && path[strlen(path) - 1] == '/';
        snprintf(child, len, "%s%s%s", path, slash ? "" : "/", names[i]);
        rc = walk_path(w, child);
        free(child);
    }
    w->depth--;
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(dir);
    return rc;
}

static int walk_path(struct walk *w, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        struct stat lst;
        /* A dangling symlink is "not found"; a symlink cycle is a loop. */
        if (e == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            return w->visit(w->ctx, path, HASH_ERR_NOT_FOUND, "symlink points nowhere");
        return w->visit(w->ctx, path, hash_errno_to_err(e), strerror(e));
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, &st);
    /* Regular files and everything else: hash_file() refuses non-regular
     * files itself, without opening them in a way that could block. */
    return w->visit(w->ctx, path, HASH_OK, NULL);
}

int hash_walk(const char *path,
              int (*visit)(void *ctx, const char *path, enum hash_err err, const char *detail),
              void *ctx)
{
    struct walk *w = calloc(1, sizeof(*w));
    if (!w)
        return visit(ctx, path, HASH_ERR_NOMEM, "out of memory");
    w->visit = visit;
    w->ctx = ctx;
    int rc = walk_path(w, path);
    free(w);
    return rc;
}
