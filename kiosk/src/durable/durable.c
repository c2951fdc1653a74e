#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

bool durable_is_temp(const char *name)
{
    return strncmp(name, DURABLE_TEMP_PREFIX, strlen(DURABLE_TEMP_PREFIX)) == 0;
}

/* The one read loop: read() when off is NULL, else pread() from *off. */
static ssize_t read_loop(int fd, void *buf, size_t len, const uint64_t *off)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = off ? pread(fd, p + got, len - got, (off_t)(*off + got))
                        : read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

ssize_t durable_read_all(int fd, void *buf, size_t len)
{
    return read_loop(fd, buf, len, NULL);
}

ssize_t durable_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    return read_loop(fd, buf, len, &off);
}

int durable_write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_retry(int fd)
{
    /* fsync is not restarted after EINTR by every kernel/filesystem. An
     * EIO is final: the page cache may have dropped the data, so the caller
     * must treat the file as lost (never "retry until it works"). */
    int rc;
    do
        rc = fsync(fd);
    while (rc != 0 && errno == EINTR);
    return rc;
}

int durable_fsync_dir(int dirfd)
{
    return fsync_retry(dirfd);
}

int durable_unlink(int dirfd, const char *name)
{
    /* Without the directory sync, a power cut can bring the name back. */
    if (unlinkat(dirfd, name, 0) != 0)
        return -1;
    return fsync_retry(dirfd);
}

int durable_begin(int dirfd, const char *name, mode_t mode, char *tmpname)
{
    uint32_t r = 0;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        r = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&r;
    int n = snprintf(tmpname, DURABLE_NAME_MAX, "%s%s.%08x", DURABLE_TEMP_PREFIX, name, r);
    if (n < 0 || n >= DURABLE_NAME_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd;
    do
        fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

void durable_abort(int dirfd, int fd, const char *tmpname)
{
    int saved = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(dirfd, tmpname, 0);
    errno = saved;
}

int durable_commit(int dirfd, int fd, const char *tmpname, const char *name)
{
    if (fsync_retry(fd) != 0) {
        durable_abort(dirfd, fd, tmpname);
        return -1;
    }
    /* close() can report a deferred write error (NFS, some FUSE). */
    if (close(fd) != 0 && errno != EINTR) {
        durable_abort(dirfd, -1, tmpname);
        return -1;
    }
    /* The previous good copy keeps a second name (a temp name: the recovery
     * pass removes it after a crash) until the new one is known durable. */
    char keep[DURABLE_NAME_MAX + 8];
    snprintf(keep, sizeof(keep), "%s.keep", tmpname);
    bool had_old = faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
    bool kept = had_old && linkat(dirfd, name, dirfd, keep, 0) == 0;
    /* no hard links (a FAT courier stick): the new copy stays if it must */
    if (renameat(dirfd, tmpname, dirfd, name) != 0) {
        if (kept)
            unlinkat(dirfd, keep, 0);
        durable_abort(dirfd, -1, tmpname);
        return -1;
    }
    /* The rename is only durable once the directory is synced. If that
     * fails, the caller is told "not saved" and must not find the new file
     * later as if it had been: the previous copy goes back (or, with none,
     * the name goes away); never is the previous copy the one deleted. */
    if (durable_fsync_dir(dirfd) != 0) {
        int saved = errno;
        if (kept)
            renameat(dirfd, keep, dirfd, name);
        else if (!had_old)
            unlinkat(dirfd, name, 0);
        fsync(dirfd);
        errno = saved;
        return -1;
    }
    if (kept)
        unlinkat(dirfd, keep, 0);
    return 0;
}

int durable_write(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
    char tmp[DURABLE_NAME_MAX];
    int fd = durable_begin(dirfd, name, mode, tmp);
    if (fd < 0)
        return -1;
    if (durable_write_all(fd, data, len) != 0) {
        durable_abort(dirfd, fd, tmp);
        return -1;
    }
    return durable_commit(dirfd, fd, tmp, name);
}

int durable_move(int from_dirfd, const char *from, int to_dirfd, const char *to)
{
    if (renameat(from_dirfd, from, to_dirfd, to) != 0)
        return -1;
    if (durable_fsync_dir(to_dirfd) != 0)
        return -1;
    return from_dirfd == to_dirfd ? 0 : durable_fsync_dir(from_dirfd);
}

int durable_mkdir(int parent_dirfd, const char *name, mode_t mode)
{
    if (mkdirat(parent_dirfd, name, mode) != 0) {
        if (errno != EEXIST)
            return -1;
        struct stat st;
        if (fstatat(parent_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            return -1;
        if (!S_ISDIR(st.st_mode)) {
            errno = ENOTDIR;
            return -1;
        }
        return 0;
    }
    return durable_fsync_dir(parent_dirfd);
}

int durable_read(int dirfd, const char *name, size_t max, unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    /* a read leaves no time behind (the queue's files have fixed times) */
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME: only the owner may */
        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto fail;
    }
    if ((uint64_t)st.st_size > max) {
        errno = EFBIG;
        goto fail;
    }
    size_t want = (size_t)st.st_size;
    unsigned char *buf = malloc(want ? want : 1);
    if (!buf)
        goto fail;
    ssize_t n = durable_read_all(fd, buf, want);
    if (n < 0 || (size_t)n < want) {
        if (n >= 0)
            errno = EIO; /* shrank while reading */
        free(buf);
        goto fail;
    }
    size_t got = want;
    close(fd);
    *data = buf;
    *len = got;
    return 0;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}
