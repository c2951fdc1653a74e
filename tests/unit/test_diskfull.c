/* A full or failing disk. Two ways, both working in the normal and the
 * ASan build (no LD_PRELOAD):
 *  1. fault injection at link time (-Wl,--wrap=openat,write,fsync,renameat):
 *     every system call of a queue add fails in turn, with ENOSPC, or EIO
 *     for fsync; each time the add reports the failure, nothing new or
 *     half-written is left, the reports already queued are untouched, and
 *     the next add works;
 *  2. a real full filesystem: a small tmpfs mounted by the test (as root;
 *     skipped with a message where mounting is not allowed): reports are
 *     queued until the disk is full, then the same promises are checked,
 *     and an export onto a full courier stick fails cleanly too. */
#include "outbox.h"
#include "reportutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_renameat(int a, const char *b, int c, const char *d);
int __wrap_renameat(int a, const char *b, int c, const char *d);

static int calls, fail_at = -1;

static int inject(int err)
{
    if (++calls == fail_at) {
        errno = err;
        return -1;
    }
    return 0;
}

int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
        if (inject(ENOSPC))
            return -1;
    }
    return __real_openat(dirfd, path, flags, mode);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (inject(ENOSPC))
        return -1;
    /* short writes: the caller must go on writing (and each piece can fail) */
    if (n > 1000)
        n = 1000;
    return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
    return inject(EIO) ? -1 : __real_fsync(fd);
}

int __wrap_renameat(int a, const char *b, int c, const char *d)
{
    return inject(ENOSPC) ? -1 : __real_renameat(a, b, c, d);
}

static char data[1024];

/* name -> bytes of every file in pending/ (and a count of temp files) */
struct snap {
    char names[64][64];
    uint8_t *bytes[64];
    size_t len[64];
    int n, temps;
};

static void snapshot(struct snap *s)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/queue/pending", data);
    memset(s, 0, sizeof(*s));
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (de->d_name[0] == '.') {
            s->temps++;
            continue;
        }
        if (s->n == 64)
            break;
        char p[1600];
        snprintf(p, sizeof(p), "%s/%.60s", dir, de->d_name);
        snprintf(s->names[s->n], 64, "%.60s", de->d_name);
        s->bytes[s->n] = read_whole(p, &s->len[s->n]);
        s->n++;
    }
    if (d)
        closedir(d);
}

static bool same(const struct snap *a, const struct snap *b)
{
    if (a->n != b->n || b->temps)
        return false;
    for (int i = 0; i < a->n; i++) {
        bool found = false;
        for (int j = 0; j < b->n && !found; j++)
            found = !strcmp(a->names[i], b->names[j]) && a->len[i] == b->len[j] &&
                    !memcmp(a->bytes[i], b->bytes[j], a->len[i]);
        if (!found)
            return false;
    }
    return true;
}

static void snap_free(struct snap *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->bytes[i]);
}

static void test_injected(struct keys_kiosk *k, struct keys_helpline *h)
{
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(data, 0, &qe, msg, sizeof(msg));
    REQUIRE(q, "queue %s", msg);
    for (int i = 0; i < 3; i++) {
        struct report *r = test_report(2);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add");
        report_destroy(r);
    }
    /* count the calls one add makes */
    calls = 0;
    struct report *r = test_report(2);
    struct report_receipt rc;
    REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add");
    report_destroy(r);
    int total = calls;
    CHECK(total >= 9, "an add makes %d checked calls (open, writes, fsync, rename, fsync)", total);
    for (int at = 1; at <= total; at++) {
        struct snap before, after;
        snapshot(&before);
        calls = 0;
        fail_at = at;
        r = test_report(2);
        int rc2 = queue_add_report(q, r, k, keys_helpline_public(h), &rc);
        fail_at = -1;
        CHECK(rc2 == -1, "failure at call %d/%d reported", at, total);
        CHECK(rc.case_code[0] == 0, "no receipt when not saved (call %d)", at);
        enum queue_err e = queue_error(q);
        CHECK(e == QUEUE_ERR_NO_SPACE || e == QUEUE_ERR_IO, "code %s at call %d",
              queue_err_code(e), at);
        snapshot(&after);
        CHECK(same(&before, &after),
              "call %d: queue unchanged, no temp left (%d->%d files, %d temps)", at, before.n,
              after.n, after.temps);
        snap_free(&before);
        snap_free(&after);
        /* and the disk "has room again": the next add works */
        CHECK(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add after %d", at);
        report_destroy(r);
    }
    queue_close(q);
}

static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += !strncmp(de->d_name, ".tmp-", 5);
    if (d)
        closedir(d);
    return n;
}

static void test_tmpfs(const char *top, struct keys_kiosk *k, struct keys_helpline *h)
{
    char mnt[1100], stick[1100];
    snprintf(mnt, sizeof(mnt), "%s/mnt", top);
    snprintf(stick, sizeof(stick), "%s/stick", top);
    mkdir(mnt, 0700);
    mkdir(stick, 0700);
    if (mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=192k,mode=0700") != 0) {
        fprintf(stderr, "disk full on tmpfs: skipped (mount: %s); the injected faults above ran\n",
                strerror(errno));
        return;
    }
    snprintf(data, sizeof(data), "%.1000s/data", mnt);
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(data, 0, &qe, msg, sizeof(msg));
    REQUIRE(q, "queue on tmpfs: %s", msg);
    char ids[64][33];
    int n = 0;
    for (; n < 64; n++) {
        struct report *r = test_report(3);
        struct report_receipt rc;
        int rc2 = queue_add_report(q, r, k, keys_helpline_public(h), &rc);
        report_destroy(r);
        if (rc2 != 0)
            break;
        memcpy(ids[n], rc.report_id, 33);
    }
    CHECK(n > 5 && n < 64, "filled the disk after %d reports", n);
    CHECK(queue_error(q) == QUEUE_ERR_NO_SPACE, "no_space: %s", queue_error_message(q));
    char pending[1200];
    snprintf(pending, sizeof(pending), "%s/queue/pending", data);
    CHECK(count_temps(pending) == 0, "no temp file left on the full disk");
    for (int i = 0; i < n; i++) {
        uint8_t *b;
        size_t len;
        struct report_opened *o;
        char err[200];
        REQUIRE(queue_read(q, ids[i], &b, &len) == 0, "read %d", i);
        CHECK(report_open(b, len, h, &o, err, sizeof(err)) == REPORT_OK, "report %d opens", i);
        report_opened_free(o);
        free(b);
    }
    /* an export onto a full courier stick fails cleanly; reports stay pending */
    if (mount("tmpfs", stick, "tmpfs", MS_NOSUID | MS_NODEV, "size=16k,mode=0700") == 0) {
        char err[400];
        long x = outbox_export(q, k, stick, NULL, NULL, NULL, err, sizeof(err));
        CHECK(x == -1 && strstr(err, "space"), "export onto a full stick: %s", err);
        CHECK(count_temps(stick) == 0, "no partial archive on the stick");
        struct queue_status st;
        queue_status(q, &st);
        CHECK(st.count[QUEUE_PENDING] == (size_t)n && st.count[QUEUE_EXPORTED] == 0,
              "nothing marked exported");
        umount(stick);
    }
    /* room again: queueing works */
    char victim[1300];
    snprintf(victim, sizeof(victim), "%s/%s.hfz", pending, ids[0]);
    unlink(victim);
    struct report *r = test_report(1);
    struct report_receipt rc;
    CHECK(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "works again: %s",
          queue_error_message(q));
    report_destroy(r);
    queue_close(q);
    fprintf(stderr, "disk full on tmpfs: %d reports fitted, then no_space, all intact\n", n);
    CHECK(umount(mnt) == 0, "umount");
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    char top[1024];
    snprintf(top, sizeof(top), "%s", make_tmpdir("diskfull"));
    snprintf(data, sizeof(data), "%.900s/data", top);
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    test_injected(k, h);
    test_tmpfs(top, k, h);
    keys_kiosk_close(k);
    keys_helpline_close(h);
    rm_rf(top);
    return check_exit();
}
