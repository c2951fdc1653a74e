/* durable_commit when the directory sync fails (injected at link time,
 * -Wl,--wrap=fsync,--wrap=linkat): the caller hears "not saved", and the
 * previous good copy of the file is still there under its name, the new one
 * is not, and no temp file is left. Where hard links are impossible (a FAT
 * courier stick), the new whole copy stays rather than neither. */
#include "check.h"
#include "durable.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_linkat(int a, const char *b, int c, const char *d, int flags);
int __wrap_linkat(int a, const char *b, int c, const char *d, int flags);

static bool fail_dir_sync, no_links;

int __wrap_fsync(int fd)
{
    struct stat st;
    if (fail_dir_sync && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_linkat(int a, const char *b, int c, const char *d, int flags)
{
    if (no_links) {
        errno = EPERM; /* what vfat says */
        return -1;
    }
    return __real_linkat(a, b, c, d, flags);
}

static char *content(int dirfd, const char *name)
{
    unsigned char *data;
    size_t len;
    if (durable_read(dirfd, name, 1 << 20, &data, &len) != 0)
        return NULL;
    char *s = malloc(len + 1);
    memcpy(s, data, len);
    s[len] = '\0';
    free(data);
    return s;
}

static int temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += durable_is_temp(e->d_name);
    if (d)
        closedir(d);
    return n;
}

static bool is(int dirfd, const char *name, const char *want)
{
    char *got = content(dirfd, name);
    bool same = want ? got && !strcmp(got, want) : !got && errno == ENOENT;
    free(got);
    return same;
}

int main(void)
{
    const char *dir = make_tmpdir("durable");
    REQUIRE(dir, "tmpdir");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    REQUIRE(dfd >= 0, "open %s", dir);

    /* replacing a file: the directory sync fails */
    REQUIRE(durable_write(dfd, "settings", "old", 3, 0600) == 0, "first copy");
    fail_dir_sync = true;
    int rc = durable_write(dfd, "settings", "new", 3, 0600);
    int err = errno;
    fail_dir_sync = false;
    CHECK(rc == -1 && err == EIO, "the failed directory sync is reported: %d %s", rc, strerror(err));
    CHECK(is(dfd, "settings", "old"), "the previous good copy is still there");
    CHECK(temp_files(dir) == 0, "no temp file left behind (%d)", temp_files(dir));
    CHECK(durable_write(dfd, "settings", "newer", 5, 0600) == 0 && is(dfd, "settings", "newer"),
          "the next write replaces it");

    /* a new file: the directory sync fails, so it is not there */
    fail_dir_sync = true;
    rc = durable_write(dfd, "fresh", "x", 1, 0600);
    fail_dir_sync = false;
    CHECK(rc == -1 && is(dfd, "fresh", NULL), "a new file that was not saved is not found later");
    CHECK(temp_files(dir) == 0, "no temp file left behind");

    /* no hard links: never neither copy */
    no_links = true;
    fail_dir_sync = true;
    rc = durable_write(dfd, "settings", "on fat", 6, 0600);
    fail_dir_sync = false;
    CHECK(rc == -1 && is(dfd, "settings", "on fat"),
          "without hard links the new whole copy stays instead of none");
    CHECK(durable_write(dfd, "settings", "again", 5, 0600) == 0 && is(dfd, "settings", "again"),
          "and writes without hard links work");
    no_links = false;
    CHECK(temp_files(dir) == 0, "no temp file left behind");

    close(dfd);
    rm_rf(dir);
    return check_exit();
}
