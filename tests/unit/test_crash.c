/* Crash consistency: a child process queues reports as fast as it can and is
 * SIGKILLed at random moments, 500 times. After every kill: each report whose
 * queue_add_report() had returned (the child then wrote its id to a pipe) is
 * in the queue and opens, and no file under a report's name is partial. */
#include "queue.h"
#include "reportutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { KILLS = 500 };

static char data[1024];
static struct keys_kiosk *kk;
static struct keys_helpline *hk;

static char (*acked)[33];
static size_t nacked, capacked;

static void child(int fd, unsigned seed)
{
    enum queue_err e;
    char msg[300];
    struct queue *q = queue_open(data, 0, &e, msg, sizeof(msg));
    if (!q)
        _exit(3);
    if (write(fd, "R\n", 2) != 2)
        _exit(4);
    for (unsigned i = 0;; i++) {
        struct report *r = test_report(1 + (seed + i) % 4);
        struct report_receipt rc;
        if (queue_add_report(q, r, kk, keys_helpline_public(hk), &rc) != 0)
            _exit(5);
        char line[34];
        memcpy(line, rc.report_id, 32);
        line[32] = '\n';
        if (write(fd, line, 33) != 33) /* atomic: < PIPE_BUF */
            _exit(6);
        report_destroy(r);
    }
}

/* Reads from fd into buf until it holds `lines` newlines (or EOF);
 * returns how many it holds. */
static size_t read_lines(int fd, char *buf, size_t cap, size_t *got, size_t lines)
{
    size_t seen = 0;
    while (seen < lines && *got < cap) {
        ssize_t n = read(fd, buf + *got, 1);
        if (n <= 0)
            break;
        if (buf[(*got)++] == '\n')
            seen++;
    }
    return seen;
}

/* Every file under a report's name must be a whole sealed report. */
static unsigned check_visible(bool decrypt)
{
    char dir[1200];
    snprintf(dir, sizeof(dir), "%s/queue/pending", data);
    DIR *d = opendir(dir);
    REQUIRE(d, "pending dir");
    struct dirent *de;
    unsigned partial = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1500];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        size_t len;
        uint8_t *b = read_whole(p, &len);
        REQUIRE(b, "read %s", p);
        if (report_check_envelope(b, len, len) != REPORT_OK) {
            partial++;
        } else if (decrypt) {
            struct report_opened *o;
            char err[200];
            if (report_open(b, len, hk, &o, err, sizeof(err)) != REPORT_OK ||
                strncmp(report_opened_id(o), de->d_name, 32) != 0)
                partial++;
            report_opened_free(o);
        }
        free(b);
    }
    closedir(d);
    return partial;
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    char top[1024];
    snprintf(top, sizeof(top), "%s", make_tmpdir("crash"));
    snprintf(data, sizeof(data), "%.900s/data", top);
    kk = test_kiosk_key(0);
    hk = test_helpline_key(0);
    enum queue_err e;
    char msg[300];
    struct queue *q = queue_open(data, 0, &e, msg, sizeof(msg));
    REQUIRE(q, "queue: %s", msg);
    /* How long one add takes here (fsync speed varies a lot between
     * disks): kills are spread over about three adds' time, so that they
     * land before, inside and after writes wherever this runs. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 10; i++) {
        struct report *r = test_report(2);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, kk, keys_helpline_public(hk), &rc) == 0, "calibrate");
        report_destroy(r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long add_us = ((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000) / 10;
    long window = add_us * 3 < 1000 ? 1000 : add_us * 3;
    queue_close(q);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    unsigned temps = 0, before_ready = 0, partial = 0, missing = 0;
    for (int k = 0; k < KILLS; k++) {
        int p[2];
        REQUIRE(pipe(p) == 0, "pipe");
        pid_t pid = fork();
        REQUIRE(pid >= 0, "fork");
        if (pid == 0) {
            close(p[0]);
            child(p[1], (unsigned)k);
        }
        close(p[1]);
        /* Mostly while reports are being written; one kill in ten while the
         * child is still starting (its recovery pass may be running); one in
         * five only after the child has acknowledged a report, so that the
         * queue keeps growing even when a loaded machine makes the adds
         * slower than the calibration saw. */
        static char buf[1 << 20];
        size_t got = 0;
        int mode = rand() % 10;
        bool early = mode == 0;
        if (!early) {
            /* "R\n" once the queue is open, then one line per report */
            size_t lines = mode <= 2 ? 2 : 1;
            if (read_lines(p[0], buf, sizeof(buf), &got, lines) < lines)
                CHECK(0, "child %d stopped before acknowledging", k);
        } else {
            before_ready++;
        }
        usleep((useconds_t)(rand() % (early ? 3000 : window)));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "child ended by itself (status %d): a queue error", status);
        /* collect the ids whose add had returned: whole lines only */
        ssize_t n;
        while (got < sizeof(buf) && (n = read(p[0], buf + got, sizeof(buf) - got)) > 0)
            got += (size_t)n;
        for (char *l = buf; l < buf + got;) {
            char *nl = memchr(l, '\n', (size_t)(buf + got - l));
            if (!nl)
                break;
            if (nl - l == 32) {
                if (nacked == capacked) {
                    capacked = capacked ? capacked * 2 : 1024;
                    acked = realloc(acked, capacked * sizeof(*acked));
                }
                memcpy(acked[nacked], l, 32);
                acked[nacked++][32] = '\0';
            }
            l = nl + 1;
        }
        close(p[0]);
        /* before any recovery: nothing partial under a final name */
        partial += check_visible(k % 100 == 99);
        q = queue_open(data, 0, &e, msg, sizeof(msg));
        REQUIRE(q, "reopen after kill %d: %s", k, msg);
        temps += queue_recovery(q)->temps_removed;
        CHECK(queue_recovery(q)->moved_aside == 0, "kill %d left an unreadable report", k);
        queue_close(q);
    }
    /* every acknowledged report is there and opens */
    q = queue_open(data, 0, &e, msg, sizeof(msg));
    REQUIRE(q, "final open");
    for (size_t i = 0; i < nacked; i++) {
        uint8_t *b;
        size_t len;
        struct report_opened *o;
        char err[200];
        if (queue_read(q, acked[i], &b, &len) != 0) {
            missing++;
            continue;
        }
        if (report_open(b, len, hk, &o, err, sizeof(err)) != REPORT_OK ||
            strcmp(report_opened_id(o), acked[i]))
            missing++;
        report_opened_free(o);
        free(b);
    }
    struct queue_status st;
    queue_status(q, &st);
    queue_close(q);
    partial += check_visible(true);
    fprintf(stderr,
            "crash: %d SIGKILLs (%u during start-up; one add takes %ld us here), %zu reports "
            "acknowledged, %zu in the queue, %u interrupted writes cleaned up\n",
            KILLS, before_ready, add_us, nacked, st.count[QUEUE_PENDING], temps);
    CHECK(missing == 0, "%u acknowledged reports missing or unreadable", missing);
    CHECK(partial == 0, "%u partial files visible under a report's name", partial);
    CHECK(nacked >= KILLS / 10, "the child made progress (%zu)", nacked);
    CHECK(temps >= KILLS / 10, "kills landed inside writes (%u temp files)", temps);
    CHECK(st.count[QUEUE_PENDING] >= nacked, "queue holds at least the acknowledged reports");
    free(acked);
    keys_kiosk_close(kk);
    keys_helpline_close(hk);
    rm_rf(top);
    return check_exit();
}
