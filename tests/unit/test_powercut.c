/* Power cut: SIGKILL keeps the page cache, a power cut does not. This test
 * wraps fsync() (-Wl,--wrap=fsync) to keep a model of what a strict POSIX
 * filesystem guarantees after a power cut: a file's bytes only once the file
 * was fsynced, a directory's entries only once the directory was fsynced.
 * The queue is driven through adds and a state change; at every fsync the
 * durable image is written out to its own directory, as if the power had
 * failed just before that fsync. Each image then gets the recovery pass and
 * must hold every report whose add had returned, each opening, and nothing
 * partial. A self-check drops file fsyncs (a bug the queue could have) and
 * expects the model to catch lost reports. */
#include "queue.h"
#include "reportutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_fsync(int fd);
int __wrap_fsync(int fd);

struct dfile { ino_t ino; uint8_t *data; size_t len; };
struct dent { char name[256]; ino_t ino; bool dir; };
struct ddir { char rel[256]; struct dent *e; size_t n; };

static struct dfile files[4096];
static size_t nfiles;
static struct ddir dirs[16];
static size_t ndirs;
static char root[1024], images[1024];
static bool modelling, recording, drop_file_fsync, drop_dir_fsync;
static int step;

static struct dfile *file_slot(ino_t ino)
{
    for (size_t i = 0; i < nfiles; i++)
        if (files[i].ino == ino)
            return &files[i];
    REQUIRE(nfiles < sizeof(files) / sizeof(files[0]), "too many files");
    files[nfiles].ino = ino;
    return &files[nfiles++];
}

static struct ddir *dir_slot(const char *rel)
{
    for (size_t i = 0; i < ndirs; i++)
        if (!strcmp(dirs[i].rel, rel))
            return &dirs[i];
    REQUIRE(ndirs < sizeof(dirs) / sizeof(dirs[0]), "too many dirs");
    snprintf(dirs[ndirs].rel, sizeof(dirs[0].rel), "%s", rel);
    return &dirs[ndirs++];
}

static void snap_file(int fd, ino_t ino)
{
    struct dfile *f = file_slot(ino);
    struct stat st;
    fstat(fd, &st);
    free(f->data);
    f->len = (size_t)st.st_size;
    f->data = malloc(f->len + 1);
    /* the queue's fd may be write-only: read through a fresh one */
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    int rfd = open(proc, O_RDONLY);
    REQUIRE(rfd >= 0 && pread(rfd, f->data, f->len, 0) == (ssize_t)f->len, "pread");
    close(rfd);
}

static void snap_dir(int fd)
{
    char proc[64], abs[PATH_MAX];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, abs, sizeof(abs) - 1);
    REQUIRE(n > 0, "readlink");
    abs[n] = '\0';
    size_t rl = strlen(root);
    REQUIRE(!strncmp(abs, root, rl), "dir %s outside %s", abs, root);
    struct ddir *d = dir_slot(abs[rl] ? abs + rl + 1 : ".");
    free(d->e);
    d->e = NULL;
    d->n = 0;
    int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY);
    DIR *dd = fdopendir(dfd);
    struct dirent *de;
    size_t cap = 0;
    while ((de = readdir(dd))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (d->n == cap) {
            cap = cap ? cap * 2 : 16;
            d->e = realloc(d->e, cap * sizeof(*d->e));
        }
        snprintf(d->e[d->n].name, 256, "%s", de->d_name);
        d->e[d->n].ino = de->d_ino;
        d->e[d->n].dir = de->d_type == DT_DIR;
        d->n++;
    }
    closedir(dd);
}

/* Writes the durable image out, as found after a power cut. */
static void materialize(const char *dst)
{
    REQUIRE(mkdir(dst, 0700) == 0, "mkdir %s", dst);
    for (size_t i = 0; i < ndirs; i++) {
        char p[8192];
        snprintf(p, sizeof(p), "%s/%s", dst, dirs[i].rel);
        mkdir(p, 0700);
        for (size_t k = 0; k < dirs[i].n; k++) {
            const struct dent *e = &dirs[i].e[k];
            snprintf(p, sizeof(p), "%s/%s/%s", dst, dirs[i].rel, e->name);
            if (e->dir) {
                mkdir(p, 0700);
                continue;
            }
            struct dfile *f = NULL;
            for (size_t j = 0; j < nfiles; j++)
                if (files[j].ino == e->ino)
                    f = &files[j];
            /* never fsynced: its bytes are lost (an empty file is the kind outcome) */
            write_whole(p, f ? f->data : (const uint8_t *)"", f ? f->len : 0);
        }
    }
}

int __wrap_fsync(int fd)
{
    if (!modelling)
        return __real_fsync(fd);
    if (recording) {
        char img[1100];
        snprintf(img, sizeof(img), "%s/%d", images, step++);
        materialize(img); /* the power fails just before this fsync */
    }
    struct stat st;
    fstat(fd, &st);
    if (S_ISDIR(st.st_mode) && drop_dir_fsync)
        return 0;
    if (S_ISDIR(st.st_mode))
        snap_dir(fd);
    else if (!drop_file_fsync)
        snap_file(fd, st.st_ino);
    else
        return 0;
    return __real_fsync(fd);
}

/* Records the whole tree as durable (the state before the run). */
static void snap_tree(const char *rel)
{
    char p[2048];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    int fd = open(p, O_RDONLY | O_DIRECTORY);
    REQUIRE(fd >= 0, "open %s", p);
    snap_dir(fd);
    struct ddir *d = dir_slot(rel);
    for (size_t i = 0; i < d->n; i++) {
        char sub[600];
        snprintf(sub, sizeof(sub), "%s/%s", rel, d->e[i].name);
        if (d->e[i].dir) {
            snap_tree(sub);
            d = dir_slot(rel);
        } else {
            int f = openat(fd, d->e[i].name, O_RDONLY);
            snap_file(f, d->e[i].ino);
            close(f);
        }
    }
    close(fd);
}

struct ack { char id[33]; int after_step; bool exported; };

/* Runs the workload; returns how many image checks failed. */
static int run(int broken, int *images_checked)
{
    char top[1024];
    snprintf(top, sizeof(top), "%s", make_tmpdir("powercut"));
    snprintf(root, sizeof(root), "%.900s/data", top);
    snprintf(images, sizeof(images), "%.900s/images", top);
    mkdir(images, 0700);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i].data);
    for (size_t i = 0; i < ndirs; i++)
        free(dirs[i].e);
    memset(files, 0, sizeof(files));
    memset(dirs, 0, sizeof(dirs));
    nfiles = ndirs = 0;
    step = 0;
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    enum queue_err qe;
    char msg[300];
    modelling = true;
    struct queue *q = queue_open(root, 0, &qe, msg, sizeof(msg));
    REQUIRE(q, "queue %s", msg);
    /* two reports from before the run */
    struct ack acks[16];
    int nack = 0;
    for (int i = 0; i < 2; i++) {
        struct report *r = test_report(1);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add");
        snprintf(acks[nack].id, 33, "%s", rc.report_id);
        acks[nack].after_step = -1;
        acks[nack++].exported = false;
        report_destroy(r);
    }
    snap_tree(".");
    drop_file_fsync = broken == 1;
    drop_dir_fsync = broken == 2;
    recording = true;
    for (int i = 0; i < 8; i++) {
        struct report *r = test_report((unsigned)(i % 3) + 1);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add");
        snprintf(acks[nack].id, 33, "%s", rc.report_id);
        acks[nack].after_step = step; /* returned after all fsyncs so far */
        acks[nack++].exported = false;
        report_destroy(r);
        if (i == 4) {
            const char *ids[] = {acks[0].id, acks[2].id, acks[3].id};
            REQUIRE(queue_mark(q, QUEUE_EXPORTED, ids, 3) == 3, "mark");
        }
    }
    recording = false;
    drop_file_fsync = drop_dir_fsync = false;
    modelling = false;
    queue_close(q);

    int failures = 0;
    for (int s = 0; s < step; s++) {
        char img[1100];
        snprintf(img, sizeof(img), "%s/%d", images, s);
        q = queue_open(img, 0, &qe, msg, sizeof(msg));
        if (!q) {
            failures++;
            continue;
        }
        (*images_checked)++;
        for (int a = 0; a < nack; a++) {
            if (acks[a].after_step > s)
                continue; /* its add had not returned when the power failed */
            uint8_t *b;
            size_t len;
            struct report_opened *o = NULL;
            char err[200];
            if (queue_read(q, acks[a].id, &b, &len) != 0) {
                failures++;
                if (!broken)
                    CHECK(0, "power cut before fsync %d: report %d lost", s, a);
                continue;
            }
            if (report_open(b, len, h, &o, err, sizeof(err)) != REPORT_OK) {
                failures++;
                if (!broken)
                    CHECK(0, "power cut before fsync %d: report %d unreadable: %s", s, a, err);
            }
            report_opened_free(o);
            free(b);
        }
        /* after recovery, everything left under a report's name opens */
        for (int st = 0; st < QUEUE_NSTATES; st++) {
            struct queue_entry *list;
            size_t n;
            REQUIRE(queue_list(q, (enum queue_state)st, &list, &n) == 0, "list");
            for (size_t i = 0; i < n; i++) {
                uint8_t *b;
                size_t len;
                struct report_opened *o = NULL;
                char err[200];
                if (queue_read(q, list[i].id, &b, &len) != 0 ||
                    report_open(b, len, h, &o, err, sizeof(err)) != REPORT_OK) {
                    failures++;
                    if (!broken)
                        CHECK(0, "image %d: a partial report is visible", s);
                } else {
                    free(b);
                }
                report_opened_free(o);
            }
            free(list);
        }
        queue_close(q);
    }
    keys_kiosk_close(k);
    keys_helpline_close(h);
    rm_rf(top);
    return failures;
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    int checked = 0;
    int f = run(0, &checked);
    fprintf(stderr, "power cut: %d crash images (one before every fsync), %d failures\n", checked, f);
    CHECK(f == 0 && checked >= 16, "every acknowledged report survives every power cut");
    int broken_checked = 0;
    int bf = run(1, &broken_checked), bd = run(2, &broken_checked);
    fprintf(stderr, "self-checks: without file fsyncs %d failures, without directory fsyncs %d "
                    "(both must be > 0)\n", bf, bd);
    CHECK(bf > 0, "the model catches a queue that skips the file fsync");
    CHECK(bd > 0, "the model catches a queue that skips the directory fsync");
    for (size_t i = 0; i < nfiles; i++)
        free(files[i].data);
    for (size_t i = 0; i < ndirs; i++)
        free(dirs[i].e);
    return check_exit();
}
