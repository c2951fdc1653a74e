/* upload_via: "Upload now" in this process, or through the system's upload
 * service (upload_via.h). */
#include "upload_via.h"

#include "courier.h"
#include "outbox.h"
#include "receipt.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void clear(struct upload_via_result *res)
{
    memset(res, 0, sizeof(*res));
}

/* ---- process: libcurl here */

/* The last archive that failed says why, for staff. */
static void on_archive(void *ctx, const struct courier_archive *a)
{
    struct upload_via_result *res = ctx;
    if (a->outcome == COURIER_NOT_SENT)
        snprintf(res->message, sizeof res->message, "%s", a->send->message);
    else if (a->outcome == COURIER_NOT_ACKED)
        snprintf(res->message, sizeof res->message, "not acknowledged here: %.360s", a->ack_error);
}

static int via_process(const struct upload_via_request *rq, struct upload_via_result *res)
{
    clear(res);
    char err[400] = "";
    struct upload *u = NULL;
    int rc = -1;
    if (!rq->q || !rq->key || !rq->spool) {
        snprintf(res->message, sizeof res->message, "no queue or kiosk key");
        goto out;
    }
    if (mkdir(rq->spool, 0700) != 0 && errno != EEXIST) {
        snprintf(res->message, sizeof res->message, "cannot create %.300s: %.60s", rq->spool, strerror(errno));
        goto out;
    }
    u = upload_create(&rq->upload, err, sizeof err);
    if (!u) {
        snprintf(res->message, sizeof res->message, "%s", err);
        goto out;
    }
    struct courier_run cr = {
        .q = rq->q,
        .key = rq->key,
        .spool = rq->spool,
        .send = courier_send_upload,
        .send_ctx = u,
        .cancelled = rq->cancelled,
        .cancel_ctx = rq->cancel_ctx,
        .on_archive = on_archive,
        .ctx = res,
        /* pending reports into the spool, then every archive there */
        .export_pending = true,
        .max_per_archive = rq->max_per_archive,
    };
    struct courier_result cres;
    if (courier_run(&cr, &cres, err, sizeof err) != 0) {
        snprintf(res->message, sizeof res->message, "%s", err);
        goto out;
    }
    res->exported = cres.exported;
    if (cres.export_failed) {
        /* Not fatal: the archives already in the spool went. */
        if (!res->message[0])
            snprintf(res->message, sizeof res->message, "export failed: %.360s", cres.export_error);
        res->left++;
    }
    res->sent = (int)cres.sent;
    res->there = (int)cres.there;
    res->left += (int)cres.left;
    res->reports = cres.reports;
    if (cres.cancelled) {
        snprintf(res->message, sizeof res->message, "cancelled");
        goto out;
    }
    rc = res->left ? -1 : 0;
    if (rq->have_signing && rq->data_dir) {
        /* as `hifazat upload`: only a verified receipt deletes reports */
        struct courier_status_result st;
        if (courier_fetch_status(u, rq->q, rq->data_dir, rq->signing_pk, &st, err, sizeof err) != 0) {
            snprintf(res->message, sizeof res->message, "status archive refused: %.340s", err);
            rc = -1;
        } else if (st.state == COURIER_STATUS_IMPORTED) {
            res->confirmed = st.import.removed;
        }
    }
out:
    upload_destroy(u);
    sodium_memzero(err, sizeof err);
    return rc;
}

/* ---- unit: a request file for hifazat-upload.path, status.json back */

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int json_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/* The service's answer to request `id`: 1 done (res filled, *ok set), 0 not
 * yet (no file, another request's, still running, half written). */
static int read_status(const char *path, const char *id, struct upload_via_result *res, bool *ok)
{
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return 0;
    }
    const char *rid = json_string_value(json_object_get(o, "request"));
    const char *state = json_string_value(json_object_get(o, "state"));
    if (!rid || strcmp(rid, id) || !state || strcmp(state, "done")) {
        json_decref(o);
        return 0;
    }
    int exit_code = json_is_integer(json_object_get(o, "exit")) ? json_int(o, "exit") : -1;
    res->sent = json_int(o, "sent");
    res->there = json_int(o, "already_there");
    res->left = json_int(o, "left");
    res->reports = json_int(o, "reports_uploaded");
    const char *reason = json_string_value(json_object_get(o, "reason"));
    if (reason)
        snprintf(res->message, sizeof res->message, "%s", reason);
    else if (exit_code != 0)
        snprintf(res->message, sizeof res->message,
                 "the upload service ended with status %d (see its journal: hifazat-upload.service)",
                 exit_code);
    *ok = exit_code == 0 && res->left == 0;
    json_decref(o);
    return 1;
}

static int via_unit(const struct upload_via_request *rq, struct upload_via_result *res)
{
    clear(res);
    if (!rq->request_dir) {
        snprintf(res->message, sizeof res->message, "no request directory");
        return -1;
    }
    if (mkdir(rq->request_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(res->message, sizeof res->message, "cannot create %.300s: %.60s", rq->request_dir,
                 strerror(errno));
        return -1;
    }
    /* A fresh id: only the service's answer to this request counts. */
    unsigned char raw[8];
    char id[2 * sizeof raw + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    char tmp[1200], req[1200], status[1200];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", rq->request_dir, UPLOAD_VIA_REQUEST_NAME);
    snprintf(req, sizeof req, "%s/%s", rq->request_dir, UPLOAD_VIA_REQUEST_NAME);
    snprintf(status, sizeof status, "%s/%s", rq->request_dir, UPLOAD_VIA_STATUS_NAME);
    /* Whole, then renamed into place: the path unit never sees half of it. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(res->message, sizeof res->message, "cannot write the upload request: %.60s", strerror(errno));
        return -1;
    }
    char line[sizeof id + 1];
    int n = snprintf(line, sizeof line, "%s\n", id);
    bool written = write(fd, line, (size_t)n) == n;
    if (close(fd) != 0 || !written || rename(tmp, req) != 0) {
        snprintf(res->message, sizeof res->message, "cannot write the upload request: %.60s", strerror(errno));
        unlink(tmp);
        return -1;
    }
    double timeout = rq->timeout_seconds > 0 ? rq->timeout_seconds : 600;
    double poll = rq->poll_seconds > 0 ? rq->poll_seconds : 0.25;
    double end = mono_s() + timeout;
    for (;;) {
        bool ok = false;
        if (read_status(status, id, res, &ok))
            return ok ? 0 : -1;
        if (mono_s() > end)
            break;
        sleep_s(poll);
    }
    /* The request stays: the service may still come and send everything. */
    snprintf(res->message, sizeof res->message,
             "the upload service did not answer within %.0f seconds; the request stays and is "
             "carried out when it can",
             timeout);
    return -1;
}

static const struct upload_via_backend backends[] = {
    {"process", via_process},
    {"unit", via_unit},
};

const struct upload_via_backend *upload_via_find(const char *name)
{
    if (!name)
        return &backends[0];
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (!strcmp(backends[i].name, name))
            return &backends[i];
    return NULL;
}
