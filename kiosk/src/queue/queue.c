#include "queue.h"

#include "durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const char *const state_dirs[QUEUE_NSTATES] = {"pending", "exported", "uploaded"};
#define DAMAGED_DIR "damaged"
#define LOCK_FILE ".lock"

struct queue {
    int root, dir[QUEUE_NSTATES], damaged, lock;
    int retention_days;
    struct queue_recovery rec;
    enum queue_err err;
    char msg[300];
};

/* Sets a file's (or directory's) atime and mtime to t: a queue file's own
 * times must not tell when its person came. Best effort: it hides, it does
 * not keep anything safe. */
static void hide_time(int fd, time_t t)
{
    const struct timespec ts[2] = {{t, 0}, {t, 0}};
    futimens(fd, ts);
}

const char *queue_state_name(enum queue_state s)
{
    return (unsigned)s < QUEUE_NSTATES ? state_dirs[s] : "?";
}

const char *queue_err_code(enum queue_err e)
{
    static const char *const c[] = {"ok",        "out_of_memory", "no_space",  "io_error",
                                    "read_only", "busy",          "refused",   "training",
                                    "not_found"};
    return (unsigned)e < sizeof(c) / sizeof(c[0]) ? c[e] : "unknown";
}

enum queue_err queue_error(const struct queue *q)
{
    return q->err;
}

const char *queue_error_message(const struct queue *q)
{
    return q->msg[0] ? q->msg : "no error";
}

static enum queue_err errno_code(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
        return QUEUE_ERR_NO_SPACE;
    case EROFS:
    case EACCES:
    case EPERM:
        return QUEUE_ERR_READ_ONLY;
    case ENOMEM:
        return QUEUE_ERR_NOMEM;
    case ENOENT:
        return QUEUE_ERR_NOT_FOUND;
    default:
        return QUEUE_ERR_IO;
    }
}

static int qfail(struct queue *q, enum queue_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int qfail(struct queue *q, enum queue_err e, const char *fmt, ...)
{
    q->err = e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->msg, sizeof(q->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static int qfail_errno(struct queue *q, const char *what)
{
    int e = errno;
    return qfail(q, errno_code(e), "%s: %s", what, strerror(e));
}

static void qok(struct queue *q)
{
    q->err = QUEUE_OK;
    q->msg[0] = '\0';
}

/* ------------------------------------------------------------ locking */

static int lock(struct queue *q)
{
    /* Operations take milliseconds (an export of thousands of reports a few
     * seconds): wait up to 30 s before calling the queue busy. */
    for (int i = 0; i < 3000; i++) {
        if (flock(q->lock, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return qfail_errno(q, "cannot lock the queue");
        usleep(10000);
    }
    return qfail(q, QUEUE_ERR_BUSY, "the queue is held by another program");
}

static void unlock(struct queue *q)
{
    flock(q->lock, LOCK_UN);
}

/* ------------------------------------------------------------- names */

static bool valid_name(const char *name, char id[REPORT_ID_HEX + 1])
{
    size_t n = strlen(name), sl = strlen(QUEUE_SUFFIX);
    if (n != REPORT_ID_HEX + sl || strcmp(name + REPORT_ID_HEX, QUEUE_SUFFIX) != 0)
        return false;
    for (int i = 0; i < REPORT_ID_HEX; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    if (id) {
        memcpy(id, name, REPORT_ID_HEX);
        id[REPORT_ID_HEX] = '\0';
    }
    return true;
}

static bool valid_id(const char *id)
{
    char name[REPORT_ID_HEX + 8];
    if (strlen(id) != REPORT_ID_HEX)
        return false;
    snprintf(name, sizeof(name), "%s%s", id, QUEUE_SUFFIX);
    return valid_name(name, NULL);
}

static void file_name(char out[REPORT_ID_HEX + 8], const char *id)
{
    snprintf(out, REPORT_ID_HEX + 8, "%s%s", id, QUEUE_SUFFIX);
}

/* ---------------------------------------------------------- scanning */

struct scan {
    struct queue_entry *e;
    size_t n, cap;
};

static int entry_cmp_id(const void *a, const void *b)
{
    return strcmp(((const struct queue_entry *)a)->id, ((const struct queue_entry *)b)->id);
}

static int scan_push(struct scan *s, const char *id, const struct stat *st)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct queue_entry *e = realloc(s->e, cap * sizeof(*e));
        if (!e)
            return -1;
        s->e = e;
        s->cap = cap;
    }
    struct queue_entry *e = &s->e[s->n++];
    memcpy(e->id, id, sizeof(e->id));
    e->size = (uint64_t)st->st_size;
    e->since = st->st_ctime;
    e->mtime = st->st_mtime;
    return 0;
}

/* Moves a file aside into damaged/ under a name that keeps where it came
 * from and never overwrites an earlier one. */
static int move_aside(struct queue *q, int dirfd, const char *state, const char *name)
{
    char dst[DURABLE_NAME_MAX];
    for (int i = 0; i < 1000; i++) {
        if (i == 0)
            snprintf(dst, sizeof(dst), "%s-%.200s", state, name);
        else
            snprintf(dst, sizeof(dst), "%s-%.200s.%d", state, name, i);
        if (faccessat(q->damaged, dst, F_OK, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
            break;
    }
    if (durable_move(dirfd, name, q->damaged, dst) != 0)
        return -1;
    q->rec.moved_aside++;
    return 0;
}

/* Is this a whole sealed report, as far as the kiosk can tell without the
 * helpline's key? */
static bool looks_sealed(int dirfd, const char *name, struct stat *st)
{
    if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st->st_mode))
        return false;
    /* reading must not stamp the time on it either */
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME: only the owner may */
        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    uint8_t head[REPORT_HEADER_SIZE];
    ssize_t n = pread(fd, head, sizeof(head), 0);
    close(fd);
    return n == (ssize_t)sizeof(head) &&
           report_check_envelope(head, sizeof(head), (uint64_t)st->st_size) == REPORT_OK;
}

/* Lists a state directory. With recover, temp files are removed and
 * anything that is not a whole sealed report is moved aside. */
static int scan_state(struct queue *q, enum queue_state s, bool recover, struct scan *out)
{
    int fd = dup(q->dir[s]);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return qfail_errno(q, "cannot list the queue");
    }
    rewinddir(d);
    int rc = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno && rc == 0)
                rc = qfail_errno(q, "cannot list the queue");
            break;
        }
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        char id[REPORT_ID_HEX + 1];
        struct stat st;
        if (durable_is_temp(name)) {
            if (recover) {
                if (unlinkat(q->dir[s], name, 0) == 0)
                    q->rec.temps_removed++;
                else
                    rc = qfail_errno(q, "cannot remove an interrupted write");
            }
            continue;
        }
        bool ok = valid_name(name, id) && looks_sealed(q->dir[s], name, &st);
        if (!ok) {
            if (recover && move_aside(q, q->dir[s], state_dirs[s], name) != 0)
                rc = qfail_errno(q, "cannot move an unreadable file aside");
            continue;
        }
        if (scan_push(out, id, &st) != 0) {
            rc = qfail(q, QUEUE_ERR_NOMEM, "out of memory");
            break;
        }
    }
    closedir(d);
    return rc;
}

static void scan_free(struct scan *s)
{
    free(s->e);
    s->e = NULL;
    s->n = s->cap = 0;
}

static bool scan_has(const struct scan *s, const char *id)
{
    struct queue_entry key;
    memcpy(key.id, id, sizeof(key.id));
    return s->n && bsearch(&key, s->e, s->n, sizeof(key), entry_cmp_id);
}

static int recover(struct queue *q)
{
    struct scan sc[QUEUE_NSTATES] = {{0}};
    int rc = 0;
    for (int s = 0; s < QUEUE_NSTATES && rc == 0; s++) {
        rc = scan_state(q, (enum queue_state)s, true, &sc[s]);
        if (sc[s].n)
            qsort(sc[s].e, sc[s].n, sizeof(*sc[s].e), entry_cmp_id);
    }
    /* The same report in two states (a copy made by hand, say): the further
     * state wins, the other copy is moved aside, not deleted. */
    for (int s = 0; s < QUEUE_NSTATES - 1 && rc == 0; s++)
        for (size_t i = 0; i < sc[s].n; i++)
            for (int t = s + 1; t < QUEUE_NSTATES; t++)
                if (scan_has(&sc[t], sc[s].e[i].id)) {
                    char name[REPORT_ID_HEX + 8];
                    file_name(name, sc[s].e[i].id);
                    if (move_aside(q, q->dir[s], state_dirs[s], name) != 0)
                        rc = qfail_errno(q, "cannot move a duplicate aside");
                    break;
                }
    if (rc == 0 && q->retention_days > 0) {
        time_t cutoff = time(NULL) - (time_t)q->retention_days * 86400;
        bool any = false;
        for (size_t i = 0; i < sc[QUEUE_UPLOADED].n; i++) {
            if (sc[QUEUE_UPLOADED].e[i].mtime >= cutoff)
                continue;
            char name[REPORT_ID_HEX + 8];
            file_name(name, sc[QUEUE_UPLOADED].e[i].id);
            if (unlinkat(q->dir[QUEUE_UPLOADED], name, 0) == 0) {
                q->rec.pruned++;
                any = true;
            }
        }
        if (any)
            durable_fsync_dir(q->dir[QUEUE_UPLOADED]);
    }
    for (int s = 0; s < QUEUE_NSTATES; s++) {
        hide_time(q->dir[s], QUEUE_FIXED_MTIME);
        scan_free(&sc[s]);
    }
    return rc;
}

/* -------------------------------------------------------- open/close */

void queue_close(struct queue *q)
{
    if (!q)
        return;
    int fds[] = {q->root, q->dir[0], q->dir[1], q->dir[2], q->damaged, q->lock};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(q);
}

static int open_dir(int parent, const char *name)
{
    if (durable_mkdir(parent, name, 0700) != 0)
        return -1;
    return openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

struct queue *queue_open(const char *data_dir, int retention_days, enum queue_err *err,
                         char *errmsg, size_t errlen)
{
    struct queue *q = calloc(1, sizeof(*q));
    if (!q) {
        if (err)
            *err = QUEUE_ERR_NOMEM;
        if (errmsg && errlen)
            snprintf(errmsg, errlen, "out of memory");
        return NULL;
    }
    q->root = q->damaged = q->lock = -1;
    for (int s = 0; s < QUEUE_NSTATES; s++)
        q->dir[s] = -1;
    q->retention_days = retention_days;
    if (keys_init() != 0) {
        qfail(q, QUEUE_ERR_NOMEM, "libsodium could not start");
        goto fail;
    }
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        qfail_errno(q, "cannot create the data directory");
        goto fail;
    }
    int data = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (data < 0) {
        qfail(q, errno_code(errno), "cannot open the data directory %s: %s", data_dir,
              strerror(errno));
        goto fail;
    }
    q->root = open_dir(data, "queue");
    close(data);
    if (q->root < 0) {
        qfail_errno(q, "cannot create the queue directory");
        goto fail;
    }
    q->lock = openat(q->root, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (q->lock < 0) {
        qfail_errno(q, "cannot create the queue lock");
        goto fail;
    }
    if (lock(q) != 0)
        goto fail;
    for (int s = 0; s < QUEUE_NSTATES; s++)
        if ((q->dir[s] = open_dir(q->root, state_dirs[s])) < 0) {
            qfail_errno(q, "cannot create the queue directories");
            goto fail_locked;
        }
    if ((q->damaged = open_dir(q->root, DAMAGED_DIR)) < 0) {
        qfail_errno(q, "cannot create the queue directories");
        goto fail_locked;
    }
    if (recover(q) != 0)
        goto fail_locked;
    unlock(q);
    qok(q);
    return q;
fail_locked:
    unlock(q);
fail:
    if (err)
        *err = q->err;
    if (errmsg && errlen)
        snprintf(errmsg, errlen, "%s", q->msg);
    queue_close(q);
    return NULL;
}

const struct queue_recovery *queue_recovery(const struct queue *q)
{
    return &q->rec;
}

/* -------------------------------------------------------------- adding */

/* durable_write, with the fixed mtime set before the file has its name. */
static int write_report(int dirfd, const char *name, const uint8_t *data, size_t len)
{
    char tmp[DURABLE_NAME_MAX];
    int fd = durable_begin(dirfd, name, 0600, tmp);
    if (fd < 0)
        return -1;
    if (durable_write_all(fd, data, len) != 0) {
        durable_abort(dirfd, fd, tmp);
        return -1;
    }
    hide_time(fd, QUEUE_FIXED_MTIME);
    return durable_commit(dirfd, fd, tmp, name);
}

int queue_add_sealed(struct queue *q, const char *id, const uint8_t *data, size_t len)
{
    if (!valid_id(id))
        return qfail(q, QUEUE_ERR_REPORT, "'%s' is not a report id", id);
    if (report_check_envelope(data, len, len) != REPORT_OK)
        return qfail(q, QUEUE_ERR_REPORT, "not a sealed report");
    if (lock(q) != 0)
        return -1;
    char name[REPORT_ID_HEX + 8];
    file_name(name, id);
    int rc = 0;
    for (int s = 0; s < QUEUE_NSTATES; s++)
        if (faccessat(q->dir[s], name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            rc = qfail(q, QUEUE_ERR_REPORT, "report %s is already queued", id);
    if (rc == 0 && write_report(q->dir[QUEUE_PENDING], name, data, len) != 0)
        rc = qfail_errno(q, "cannot save the report");
    hide_time(q->dir[QUEUE_PENDING], QUEUE_FIXED_MTIME);
    unlock(q);
    if (rc == 0)
        qok(q);
    return rc;
}

int queue_add_report(struct queue *q, struct report *r, const struct keys_kiosk *k,
                     const uint8_t helpline_pk[KEYS_PUBLIC_SIZE], struct report_receipt *receipt)
{
    memset(receipt, 0, sizeof(*receipt));
    if (report_is_training(r))
        return qfail(q, QUEUE_ERR_TRAINING, "a demo (training) report never reaches the queue");
    uint8_t *sealed;
    size_t len;
    if (report_seal(r, k, helpline_pk, &sealed, &len) != 0)
        return qfail(q, QUEUE_ERR_REPORT, "%s", report_error_message(r));
    int rc = queue_add_sealed(q, report_id(r), sealed, len);
    free(sealed);
    if (rc != 0)
        return -1;
    /* Only now may anyone be told that the report is saved. */
    report_mark_queued(r);
    report_receipt(r, receipt);
    return 0;
}

/* ------------------------------------------------------------- reading */

int queue_status(struct queue *q, struct queue_status *st)
{
    memset(st, 0, sizeof(*st));
    if (lock(q) != 0)
        return -1;
    int rc = 0;
    for (int s = 0; s < QUEUE_NSTATES && rc == 0; s++) {
        struct scan sc = {0};
        rc = scan_state(q, (enum queue_state)s, false, &sc);
        st->count[s] = sc.n;
        for (size_t i = 0; i < sc.n; i++) {
            st->bytes[s] += sc.e[i].size;
            if (s == QUEUE_PENDING && (!st->oldest_pending || sc.e[i].since < st->oldest_pending))
                st->oldest_pending = sc.e[i].since;
        }
        scan_free(&sc);
    }
    int fd = dup(q->damaged);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d) {
        rewinddir(d);
        struct dirent *de;
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                st->damaged++;
        closedir(d);
    } else if (fd >= 0) {
        close(fd);
    }
    struct statvfs vfs;
    if (fstatvfs(q->root, &vfs) == 0)
        st->free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    unlock(q);
    if (rc == 0)
        qok(q);
    return rc;
}

int queue_list(struct queue *q, enum queue_state s, struct queue_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if ((unsigned)s >= QUEUE_NSTATES)
        return qfail(q, QUEUE_ERR_NOT_FOUND, "no such state");
    if (lock(q) != 0)
        return -1;
    struct scan sc = {0};
    int rc = scan_state(q, s, false, &sc);
    unlock(q);
    if (rc != 0) {
        scan_free(&sc);
        return -1;
    }
    if (sc.n)
        /* by id (random, stable): the same batches on every export, and no
         * order that follows when people came */
        qsort(sc.e, sc.n, sizeof(*sc.e), entry_cmp_id);
    *out = sc.e;
    *n = sc.n;
    qok(q);
    return 0;
}

int queue_read(struct queue *q, const char *id, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!valid_id(id))
        return qfail(q, QUEUE_ERR_NOT_FOUND, "'%s' is not a report id", id);
    char name[REPORT_ID_HEX + 8];
    file_name(name, id);
    if (lock(q) != 0)
        return -1;
    int rc = -1;
    errno = ENOENT;
    for (int s = 0; s < QUEUE_NSTATES && rc != 0; s++) {
        rc = durable_read(q->dir[s], name, REPORT_MAX_SEALED, data, len);
        if (rc != 0 && errno != ENOENT)
            break;
    }
    if (rc != 0)
        qfail(q, errno == ENOENT ? QUEUE_ERR_NOT_FOUND : errno_code(errno),
              "cannot read report %s: %s", id, strerror(errno));
    unlock(q);
    if (rc == 0)
        qok(q);
    return rc;
}

/* After reports moved or went: each touched directory gets the fixed time
 * back and is synced, `first` (where reports moved to; -1: none) before the
 * others, so a power cut never loses a report that left its old place;
 * returns rc, or -1 when a sync fails and rc was 0. */
static int settle_dirs(struct queue *q, const bool touched[QUEUE_NSTATES], int first, int rc)
{
    for (int s = 0; s < QUEUE_NSTATES; s++)
        if (touched[s] || s == first)
            hide_time(q->dir[s], QUEUE_FIXED_MTIME);
    if (first >= 0 && durable_fsync_dir(q->dir[first]) != 0 && rc == 0)
        rc = qfail_errno(q, "cannot sync the queue");
    for (int s = 0; s < QUEUE_NSTATES; s++)
        if (touched[s] && s != first && durable_fsync_dir(q->dir[s]) != 0 && rc == 0)
            rc = qfail_errno(q, "cannot sync the queue");
    return rc;
}

long queue_mark(struct queue *q, enum queue_state to, const char *const *ids, size_t n)
{
    if ((unsigned)to >= QUEUE_NSTATES || to == QUEUE_PENDING)
        return qfail(q, QUEUE_ERR_NOT_FOUND, "reports only move forward");
    if (lock(q) != 0)
        return -1;
    long moved = 0;
    bool touched[QUEUE_NSTATES] = {false};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!valid_id(ids[i]))
            continue;
        char name[REPORT_ID_HEX + 8];
        file_name(name, ids[i]);
        for (int s = QUEUE_PENDING; s < (int)to; s++) {
            if (faccessat(q->dir[s], name, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            if (to == QUEUE_UPLOADED) {
                /* The retention time counts from the acknowledgement: its
                 * day, the same for every report acknowledged that day. */
                time_t now = time(NULL);
                const struct timespec day[2] = {{now - now % 86400, 0}, {now - now % 86400, 0}};
                utimensat(q->dir[s], name, day, AT_SYMLINK_NOFOLLOW);
            }
            /* Directories are synced once at the end: until then a crash
             * simply leaves the report in its earlier state. */
            if (renameat(q->dir[s], name, q->dir[to], name) != 0) {
                rc = qfail_errno(q, "cannot move a report to its new state");
                break;
            }
            touched[s] = true;
            moved++;
            break;
        }
    }
    if (moved)
        rc = settle_dirs(q, touched, (int)to, rc);
    unlock(q);
    if (rc != 0)
        return -1;
    qok(q);
    return moved;
}

long queue_remove(struct queue *q, const char *const *ids, size_t n)
{
    if (lock(q) != 0)
        return -1;
    long removed = 0;
    bool touched[QUEUE_NSTATES] = {false};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!valid_id(ids[i]))
            continue;
        char name[REPORT_ID_HEX + 8];
        file_name(name, ids[i]);
        for (int s = 0; s < QUEUE_NSTATES; s++) {
            if (unlinkat(q->dir[s], name, 0) == 0) {
                touched[s] = true;
                removed++;
                break;
            }
            if (errno != ENOENT) {
                rc = qfail_errno(q, "cannot delete a report the helpline confirmed");
                break;
            }
        }
    }
    /* The deletion is final only once each directory is synced. */
    rc = settle_dirs(q, touched, -1, rc);
    unlock(q);
    if (rc != 0)
        return -1;
    qok(q);
    return removed;
}
