/* The queue: durable adds, states that only move forward, the receipt only
 * after the write, demo reports refused, and the startup recovery pass. */
#include "queue.h"
#include "reportutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char data[1024];

static const char *qpath(const char *rel)
{
    static char buf[4][2048];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/queue/%.1000s", data, rel);
    return buf[i];
}

/* A stolen stick's listing must not tell when each person came: every
 * queue file and state directory has the fixed mtime (and atime); an
 * acknowledged report has its acknowledgement's day (its retention clock). */
static void check_times(char ids[][33], time_t t_start)
{
    const char *where[] = {"uploaded", "exported", "pending", "pending", "pending"};
    for (int i = 0; i < 5; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "%s/%s.hfz", where[i], ids[i]);
        struct stat st;
        REQUIRE(stat(qpath(rel), &st) == 0, "%s", rel);
        time_t want = i ? QUEUE_FIXED_MTIME : time(NULL) - time(NULL) % 86400;
        CHECK(st.st_mtime == want && st.st_atime == want, "%s: mtime %lld atime %lld, want %lld", rel,
              (long long)st.st_mtime, (long long)st.st_atime, (long long)want);
        CHECK(st.st_ctime >= t_start, "%s: the kernel's ctime is still the real one", rel);
    }
    for (int s = 0; s < 3; s++) {
        struct stat st;
        REQUIRE(stat(qpath(where[s]), &st) == 0, "%s", where[s]);
        CHECK(st.st_mtime == QUEUE_FIXED_MTIME, "directory %s: mtime %lld", where[s],
              (long long)st.st_mtime);
    }
}

static int count_dir(const char *rel)
{
    DIR *d = opendir(qpath(rel));
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
    if (d)
        closedir(d);
    return n;
}

static struct queue *open_q(int retention)
{
    enum queue_err e;
    char msg[300];
    struct queue *q = queue_open(data, retention, &e, msg, sizeof(msg));
    REQUIRE(q, "queue_open: %s", msg);
    return q;
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    time_t t_start = time(NULL);
    snprintf(data, sizeof(data), "%s/data", make_tmpdir("queue"));
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    struct queue *q = open_q(30);
    const struct queue_recovery *rec = queue_recovery(q);
    CHECK(rec->temps_removed == 0 && rec->moved_aside == 0, "fresh queue");
    struct stat st;
    CHECK(stat(data, &st) == 0 && (st.st_mode & 0777) == 0700, "data dir 0700");

    /* add: receipt only on success */
    char ids[5][33];
    for (int i = 0; i < 5; i++) {
        struct report *r = test_report((unsigned)i + 1);
        struct report_receipt rc;
        CHECK(report_receipt(r, &rc) == -1, "no receipt before queueing");
        REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rc) == 0, "add: %s",
                queue_error_message(q));
        CHECK(strlen(rc.case_code) == 14 && rc.case_code[4] == '-' && strlen(rc.pin) == 6, "receipt after queueing");
        CHECK(!strcmp(rc.report_id, report_id(r)), "receipt id");
        memcpy(ids[i], rc.report_id, 33);
        report_destroy(r);
    }
    CHECK(count_dir("pending") == 5, "5 files");
    char name[64];
    snprintf(name, sizeof(name), "pending/%s.hfz", ids[0]);
    CHECK(stat(qpath(name), &st) == 0 && (st.st_mode & 0777) == 0600, "report file 0600");

    /* demo reports never reach the queue */
    struct report_meta m = test_meta();
    m.training = true;
    struct report *demo = report_create(&m);
    json_t *line = test_image_line(1);
    report_add_hash_json(demo, line);
    json_decref(line);
    struct report_receipt rc;
    CHECK(queue_add_report(q, demo, k, keys_helpline_public(h), &rc) == -1 &&
              queue_error(q) == QUEUE_ERR_TRAINING && rc.case_code[0] == 0,
          "training refused");
    report_destroy(demo);
    /* an empty or invalid report is refused with the report's reason */
    m.training = false;
    struct report *empty = report_create(&m);
    CHECK(queue_add_report(q, empty, k, keys_helpline_public(h), &rc) == -1 &&
              queue_error(q) == QUEUE_ERR_REPORT && strstr(queue_error_message(q), "no fingerprints"),
          "empty: %s", queue_error_message(q));
    report_destroy(empty);
    CHECK(count_dir("pending") == 5, "still 5");
    size_t slen;
    uint8_t *sealed = test_sealed(1, k, h, &slen, NULL);
    CHECK(queue_add_sealed(q, ids[0], sealed, slen) == -1, "an id is never overwritten");
    CHECK(queue_add_sealed(q, "../../etc/passwd", sealed, slen) == -1, "bad id");
    free(sealed);

    /* status and list */
    struct queue_status qs;
    REQUIRE(queue_status(q, &qs) == 0, "status");
    CHECK(qs.count[QUEUE_PENDING] == 5 && qs.bytes[QUEUE_PENDING] == 5 * (13 + 48 + 4096),
          "status counts %zu %llu", qs.count[QUEUE_PENDING],
          (unsigned long long)qs.bytes[QUEUE_PENDING]);
    CHECK(qs.oldest_pending >= t_start && qs.oldest_pending <= time(NULL) && qs.free_bytes > 0,
          "oldest (from the kernel's ctime), free");
    struct queue_entry *list;
    size_t n;
    REQUIRE(queue_list(q, QUEUE_PENDING, &list, &n) == 0 && n == 5, "list");
    free(list);

    /* states move forward only */
    const char *two[] = {ids[0], ids[1]};
    CHECK(queue_mark(q, QUEUE_EXPORTED, two, 2) == 2, "exported");
    CHECK(queue_mark(q, QUEUE_EXPORTED, two, 2) == 0, "again: nothing");
    const char *one[] = {ids[0]};
    CHECK(queue_mark(q, QUEUE_UPLOADED, one, 1) == 1, "uploaded");
    CHECK(queue_mark(q, QUEUE_EXPORTED, one, 1) == 0, "never back");
    CHECK(queue_mark(q, QUEUE_PENDING, one, 1) == -1, "never to pending");
    const char *unknown[] = {"ffffffffffffffffffffffffffffffff", "nonsense"};
    CHECK(queue_mark(q, QUEUE_UPLOADED, unknown, 2) == 0, "unknown ids skipped");
    uint8_t *bytes;
    size_t blen;
    CHECK(queue_read(q, ids[0], &bytes, &blen) == 0 && blen == 13 + 48 + 4096, "read uploaded");
    struct report_opened *o;
    char err[200];
    CHECK(report_open(bytes, blen, h, &o, err, sizeof(err)) == REPORT_OK, "opens: %s", err);
    report_opened_free(o);
    free(bytes);
    queue_status(q, &qs);
    CHECK(qs.count[0] == 3 && qs.count[1] == 1 && qs.count[2] == 1, "3/1/1");
    check_times(ids, t_start);
    queue_close(q);

    /* recovery: temps removed, junk moved aside (never deleted), duplicates,
     * retention of acknowledged reports */
    write_whole(qpath("pending/.tmp-abc.hfz.1234"), "partial", 7);
    write_whole(qpath("exported/.tmp-x"), "", 0);
    write_whole(qpath("pending/notes.txt"), "hello", 5);
    char trunc[64], dup[64];
    snprintf(trunc, sizeof(trunc), "pending/%s.hfz", ids[2]);
    truncate(qpath(trunc), 100);
    snprintf(dup, sizeof(dup), "pending/%s.hfz", ids[1]); /* same id as an exported one */
    size_t dl;
    snprintf(name, sizeof(name), "exported/%s.hfz", ids[1]);
    uint8_t *copy = read_whole(qpath(name), &dl);
    write_whole(qpath(dup), copy, dl);
    free(copy);
    mkdir(qpath("pending/subdir"), 0700);
    snprintf(name, sizeof(name), "uploaded/%s.hfz", ids[0]);
    struct timespec old[2] = {{time(NULL) - 40 * 86400, 0}, {time(NULL) - 40 * 86400, 0}};
    utimensat(AT_FDCWD, qpath(name), old, 0);
    q = open_q(30);
    rec = queue_recovery(q);
    CHECK(rec->temps_removed == 2, "temps removed: %u", rec->temps_removed);
    CHECK(rec->moved_aside == 4, "moved aside: %u (junk, truncated, duplicate, subdir)", rec->moved_aside);
    CHECK(rec->pruned == 1, "pruned %u", rec->pruned);
    CHECK(count_dir("damaged") == 4, "damaged holds them");
    queue_status(q, &qs);
    CHECK(qs.count[0] == 2 && qs.count[1] == 1 && qs.count[2] == 0 && qs.damaged == 4,
          "after recovery %zu/%zu/%zu/%zu", qs.count[0], qs.count[1], qs.count[2], qs.damaged);
    queue_close(q);
    /* retention 0 keeps acknowledged reports forever */
    q = open_q(0);
    const char *last[] = {ids[4]};
    queue_mark(q, QUEUE_UPLOADED, last, 1);
    snprintf(name, sizeof(name), "uploaded/%s.hfz", ids[4]);
    utimensat(AT_FDCWD, qpath(name), old, 0);
    queue_close(q);
    q = open_q(0);
    CHECK(queue_recovery(q)->pruned == 0, "kept forever");
    queue_close(q);
    queue_close(NULL);

    /* a second opener waits for the lock instead of racing */
    q = open_q(0);
    int ready[2];
    REQUIRE(pipe(ready) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(qpath(".lock"), O_RDWR); /* its own open file description */
        flock(fd, LOCK_EX);
        (void)!write(ready[1], "x", 1); /* tell the parent: held (no timing guess) */
        usleep(300000);
        _exit(0);
    }
    char byte;
    REQUIRE(read(ready[0], &byte, 1) == 1, "child took the lock");
    close(ready[0]);
    close(ready[1]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(queue_status(q, &qs) == 0, "status after waiting: %s", queue_error_message(q));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 100,
          "waited for the other holder");
    waitpid(pid, NULL, 0);
    queue_close(q);

    keys_kiosk_close(k);
    keys_helpline_close(h);
    char top[1024];
    snprintf(top, sizeof(top), "%s", data);
    *strrchr(top, '/') = '\0';
    rm_rf(top);
    return check_exit();
}
