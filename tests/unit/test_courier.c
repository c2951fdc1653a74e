/* courier: one upload run over a spool of real outbox archives, with a
 * fake transport: oldest first, removal only after a confirmed send and
 * acknowledgement, a failure in the middle (counted, nothing lost), a
 * refusal that stops the run, cancel between archives. */
#include "courier.h"
#include "outbox.h"
#include "reportutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[1024], data[1100], spool[1100];

struct fake {
    char order[8][256];   /* names in the order they were sent */
    int n;
    int fail_at;          /* this send fails (-1: none) */
    enum upload_status fail_status;
    long fail_code;
    bool there[8];        /* "the server already had it" */
    int cancel_after;     /* cancelled() says yes once this many were sent (-1: never) */
    size_t progress_done, progress_total;
    int progress_calls;
};

static int fake_send(void *ctx, const char *path, const char *name, struct upload_result *res)
{
    struct fake *f = ctx;
    struct stat sb;
    REQUIRE(stat(path, &sb) == 0, "sending a file that is there: %s", name);
    memset(res, 0, sizeof(*res));
    int i = f->n++;
    snprintf(f->order[i], sizeof f->order[i], "%s", name);
    if (i == f->fail_at) {
        res->status = f->fail_status;
        res->http_code = f->fail_code;
        snprintf(res->message, sizeof res->message, "fake failure");
        return -1;
    }
    res->status = f->there[i] ? UPLOAD_ALREADY_THERE : UPLOAD_SENT;
    res->attempts = 1;
    snprintf(res->message, sizeof res->message, "delivered");
    return 0;
}

static bool fake_cancelled(void *ctx)
{
    struct fake *f = ctx;
    return f->cancel_after >= 0 && f->n >= f->cancel_after;
}

static void fake_progress(void *ctx, size_t done, size_t total)
{
    struct fake *f = ctx;
    f->progress_done = done;
    f->progress_total = total;
    f->progress_calls++;
}

static bool in_spool(const char *name)
{
    char p[1400];
    snprintf(p, sizeof p, "%s/%s", spool, name);
    return access(p, F_OK) == 0;
}

static int count_spool(void) { return count_entries(spool); }

/* Pending reports, one per archive, exported and renamed so that their
 * names (export time first) put them in a known order: the newest name is
 * written first so that the directory's order is not the sorted one. */
static void fill_spool(struct queue *q, const struct keys_kiosk *kk, const struct keys_helpline *hk,
                       int n, const char *tag)
{
    for (int i = 0; i < n; i++) {
        struct report *r = test_report((unsigned)i + 2);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, kk, keys_helpline_public(hk), &rc) == 0, "add");
        report_destroy(r);
    }
    char tmp[1200], err[400];
    snprintf(tmp, sizeof tmp, "%s/export-%s", top, tag);
    REQUIRE(mkdir(tmp, 0700) == 0, "export dir");
    struct outbox_export_options eo = {.max_reports = 1};
    REQUIRE(outbox_export(q, kk, tmp, &eo, NULL, NULL, err, sizeof err) == n, "export: %s", err);
    DIR *d = opendir(tmp);
    REQUIRE(d, "export dir");
    struct dirent *e;
    int k = n;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char from[1600], to[1600];
        snprintf(from, sizeof from, "%s/%s", tmp, e->d_name);
        snprintf(to, sizeof to, "%s/2025010%d-%s.tar", spool, k--, tag);
        REQUIRE(rename(from, to) == 0, "rename");
    }
    closedir(d);
    REQUIRE(k == 0, "%d archives", n);
    rmdir(tmp);
}

static struct courier_run run_with(struct queue *q, const struct keys_kiosk *kk, struct fake *f)
{
    struct courier_run cr = {
        .q = q, .key = kk, .spool = spool,
        .send = fake_send, .send_ctx = f,
        .cancelled = fake_cancelled, .cancel_ctx = f,
        .progress = fake_progress, .ctx = f,
    };
    return cr;
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    snprintf(top, sizeof top, "%s", make_tmpdir("courier"));
    snprintf(data, sizeof data, "%s/data", top);
    snprintf(spool, sizeof spool, "%s/spool", top);
    REQUIRE(mkdir(spool, 0700) == 0, "spool");
    struct keys_kiosk *kk = test_kiosk_key(0);
    struct keys_helpline *hk = test_helpline_key(0);
    enum queue_err qe;
    char msg[300], err[400];
    struct queue *q = queue_open(data, 30, &qe, msg, sizeof msg);
    REQUIRE(q, "queue: %s", msg);
    struct courier_result res;

    /* Everything goes, oldest first; one was on the server already. */
    fill_spool(q, kk, hk, 3, "a");
    struct fake f = {.fail_at = -1, .cancel_after = -1, .there = {false, true, false}};
    struct courier_run cr = run_with(q, kk, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(f.n == 3 && !strcmp(f.order[0], "20250101-a.tar") && !strcmp(f.order[1], "20250102-a.tar") &&
              !strcmp(f.order[2], "20250103-a.tar"),
          "oldest first: %s %s %s", f.order[0], f.order[1], f.order[2]);
    CHECK(res.archives == 3 && res.sent == 2 && res.there == 1 && res.failed == 0 && res.left == 0 &&
              res.reports == 3 && !res.stopped && !res.cancelled,
          "counts: %zu sent %zu there %zu failed %zu left %zu reports %ld", res.archives, res.sent,
          res.there, res.failed, res.left, res.reports);
    CHECK(count_spool() == 0, "delivered archives left the spool (%d)", count_spool());
    CHECK(f.progress_calls == 3 && f.progress_done == 3 && f.progress_total == 3, "progress %d: %zu/%zu",
          f.progress_calls, f.progress_done, f.progress_total);
    struct queue_status qs;
    REQUIRE(queue_status(q, &qs) == 0, "status");
    CHECK(qs.count[QUEUE_UPLOADED] == 3, "3 reports uploaded (%zu)", qs.count[QUEUE_UPLOADED]);

    /* A failure in the middle: counted, that archive stays, the rest go. */
    fill_spool(q, kk, hk, 3, "b");
    f = (struct fake){.fail_at = 1, .fail_status = UPLOAD_RETRY_LATER, .cancel_after = -1};
    cr = run_with(q, kk, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(f.n == 3 && res.sent == 2 && res.failed == 1 && res.left == 1 && res.reports == 2 && !res.stopped,
          "middle failure: tried %d sent %zu failed %zu left %zu", f.n, res.sent, res.failed, res.left);
    CHECK(!in_spool("20250101-b.tar") && in_spool("20250102-b.tar") && !in_spool("20250103-b.tar"),
          "only the failed archive stays");
    REQUIRE(queue_status(q, &qs) == 0, "status");
    CHECK(qs.count[QUEUE_UPLOADED] == 5 && qs.count[QUEUE_EXPORTED] == 1,
          "its report is still exported, not lost (%zu uploaded, %zu exported)", qs.count[QUEUE_UPLOADED],
          qs.count[QUEUE_EXPORTED]);
    /* The next run sends it. */
    f = (struct fake){.fail_at = -1, .cancel_after = -1};
    cr = run_with(q, kk, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0 && res.sent == 1 && res.left == 0 && count_spool() == 0,
          "the next run sends what was left");

    /* A refusal every archive would meet stops the run: the rest is left. */
    fill_spool(q, kk, hk, 3, "c");
    f = (struct fake){.fail_at = 0, .fail_status = UPLOAD_REFUSED, .fail_code = 401, .cancel_after = -1};
    cr = run_with(q, kk, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(f.n == 1 && res.stopped && res.failed == 1 && res.left == 3 && count_spool() == 3,
          "stopped: tried %d failed %zu left %zu in spool %d", f.n, res.failed, res.left, count_spool());

    /* Cancel between archives: what was sent is done, the rest stays. */
    f = (struct fake){.fail_at = -1, .cancel_after = 1};
    cr = run_with(q, kk, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(f.n == 1 && res.cancelled && res.sent == 1 && res.failed == 0 && res.left == 2 &&
              !in_spool("20250101-c.tar") && in_spool("20250102-c.tar") && in_spool("20250103-c.tar"),
          "cancelled: sent %d left %zu", f.n, res.left);

    /* Not acknowledged here (the queue has no such reports): kept. */
    struct queue *other = NULL;
    char odata[1200];
    snprintf(odata, sizeof odata, "%s/other", top);
    other = queue_open(odata, 30, &qe, msg, sizeof msg);
    REQUIRE(other, "other queue: %s", msg);
    struct keys_kiosk *kk2 = test_kiosk_key(1);
    f = (struct fake){.fail_at = -1, .cancel_after = -1};
    cr = run_with(other, kk2, &f);
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(f.n == 2 && res.sent == 2 && res.failed == 2 && res.left == 2 && res.reports == 0 && count_spool() == 2,
          "on the server but not acknowledged: kept (failed %zu left %zu spool %d)", res.failed, res.left,
          count_spool());

    /* Pending reports sealed into the spool first (export_pending), at
     * most two an archive: they go with the two archives still there. */
    for (int i = 0; i < 5; i++) {
        struct report *r = test_report((unsigned)i + 20);
        struct report_receipt rcpt;
        REQUIRE(queue_add_report(q, r, kk, keys_helpline_public(hk), &rcpt) == 0, "add");
        report_destroy(r);
    }
    f = (struct fake){.fail_at = -1, .cancel_after = -1};
    cr = run_with(q, kk, &f);
    cr.export_pending = true;
    cr.max_per_archive = 2;
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0, "run: %s", err);
    CHECK(res.exported == 5 && !res.export_failed && res.archives == 5 && res.sent == 5 && res.left == 0 &&
              res.reports == 7 && count_spool() == 0,
          "exported first: %ld exported, %zu archives, %zu sent, %zu left, %ld reports", res.exported,
          res.archives, res.sent, res.left, res.reports);
    REQUIRE(queue_status(q, &qs) == 0, "status");
    CHECK(qs.count[QUEUE_PENDING] == 0 && qs.count[QUEUE_EXPORTED] == 0, "nothing left waiting (%zu, %zu)",
          qs.count[QUEUE_PENDING], qs.count[QUEUE_EXPORTED]);
    /* Nothing pending: no new archive, no error. */
    f = (struct fake){.fail_at = -1, .cancel_after = -1};
    CHECK(courier_run(&cr, &res, err, sizeof err) == 0 && res.exported == 0 && !res.export_failed &&
              res.archives == 0 && f.n == 0,
          "an empty queue exports nothing (%ld, %zu)", res.exported, res.archives);

    /* No spool: -1 and why. */
    char gone[1200];
    snprintf(gone, sizeof gone, "%s/missing", top);
    cr.spool = gone;
    CHECK(courier_run(&cr, &res, err, sizeof err) == -1 && strstr(err, "cannot read") && res.archives == 0,
          "a missing spool: %s", err);

    queue_close(other);
    queue_close(q);
    keys_kiosk_close(kk2);
    keys_kiosk_close(kk);
    keys_helpline_close(hk);
    rm_rf(top);
    return check_exit();
}
