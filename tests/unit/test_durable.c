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
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_linkat(int a, const char *b, int c, const char *d, int flags);
int __wrap_linkat(int a, const char *b, int c, const char *d, int flags);

static bool fail_dir_sync, no_links;
static int dir_syncs;

int __wrap_fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
        dir_syncs++;
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

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* The read side: a pipe fed in small pieces, while a timer interrupts the
 * blocking reads (a handler without SA_RESTART: read() fails with EINTR). */
static void read_all_checks(int dfd)
{
    char want[3000];
    for (size_t i = 0; i < sizeof want; i++)
        want[i] = (char)('a' + i % 26);
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    REQUIRE(pid >= 0, "fork");
    if (pid == 0) {
        close(p[0]);
        for (size_t off = 0; off < sizeof want; off += 500) {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (write(p[1], want + off, 500) != 500)
                _exit(1);
        }
        _exit(0);
    }
    close(p[1]);
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 5000}, {0, 5000}};
    setitimer(ITIMER_REAL, &it, NULL);
    char got[sizeof want + 100];
    ssize_t n = durable_read_all(p[0], got, sizeof want);
    int e = errno;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    CHECK(n == (ssize_t)sizeof want && !memcmp(got, want, sizeof want),
          "read_all: all of it across short reads and EINTR: %zd (%s)", n, strerror(e));
    CHECK(alarms > 0, "the reads were interrupted (%d signals)", (int)alarms);
    CHECK(durable_read_all(p[0], got, sizeof got) == 0, "read_all: 0 at end of file");
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer");

    /* fewer bytes only at end of file; pread_all from an offset */
    REQUIRE(durable_write(dfd, "ten", "0123456789", 10, 0600) == 0, "ten");
    int fd = openat(dfd, "ten", O_RDONLY);
    REQUIRE(fd >= 0, "open ten");
    n = durable_read_all(fd, got, sizeof got);
    CHECK(n == 10 && !memcmp(got, "0123456789", 10), "read_all: a short file: %zd", n);
    n = durable_pread_all(fd, got, 4, 3);
    CHECK(n == 4 && !memcmp(got, "3456", 4), "pread_all at an offset: %zd", n);
    n = durable_pread_all(fd, got, 100, 8);
    CHECK(n == 2 && !memcmp(got, "89", 2), "pread_all: fewer at end of file: %zd", n);
    CHECK(durable_pread_all(fd, got, 4, 10) == 0, "pread_all: 0 past the end");
    close(fd);
    CHECK(durable_read_all(fd, got, 4) == -1 && errno == EBADF, "read_all: -1 with errno");
    CHECK(durable_pread_all(fd, got, 4, 0) == -1 && errno == EBADF, "pread_all: -1 with errno");
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

    read_all_checks(dfd);

    /* removing a file for good: unlink, then the directory's sync */
    REQUIRE(durable_write(dfd, "sent.tar", "x", 1, 0600) == 0, "a file to remove");
    dir_syncs = 0;
    CHECK(durable_unlink(dfd, "sent.tar") == 0 && is(dfd, "sent.tar", NULL) && dir_syncs == 1,
          "removed, and the directory synced (%d)", dir_syncs);
    errno = 0;
    CHECK(durable_unlink(dfd, "sent.tar") == -1 && errno == ENOENT, "not there: ENOENT");
    close(dfd);

    rm_rf(dir);
    return check_exit();
}
