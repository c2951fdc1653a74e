/* courier: one upload run over the spool (courier.h). */
#include "courier.h"

#include "durable.h"
#include "errfmt.h"
#include "outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int courier_send_upload(void *ctx, const char *path, const char *name, struct upload_result *res)
{
    return upload_send(ctx, path, name, res);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Archives in the spool, oldest first: names start with the export time. */
static int list_archives(const char *dir, char ***out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = -1;
    DIR *d = opendir(dir);
    if (!d)
        return errfmt(err, errlen, "cannot read %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= strlen(OUTBOX_SUFFIX) ||
            strcmp(e->d_name + len - strlen(OUTBOX_SUFFIX), OUTBOX_SUFFIX))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, cap * sizeof(char *));
            if (!nn)
                goto out;
            names = nn;
        }
        if (!(names[count] = strdup(e->d_name)))
            goto out;
        count++;
    }
    if (count)
        qsort(names, count, sizeof(char *), cmp_names);
    *out = names;
    *n = count;
    names = NULL;
    rc = 0;
out:
    closedir(d);
    if (rc != 0) {
        free_names(names, count);
        errfmt(err, errlen, "out of memory");
    }
    return rc;
}

int courier_run(const struct courier_run *run, struct courier_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    char **names = NULL;
    size_t n = 0;
    int dirfd = -1, rc = -1;
    if (!run->q || !run->key || !run->spool || !run->send)
        return errfmt(err, errlen, "no queue, kiosk key, spool or transport");
    if (run->export_pending) {
        struct outbox_export_options eo = {.max_reports = run->max_per_archive};
        res->exported = outbox_export(run->q, run->key, run->spool, &eo, NULL, NULL, res->export_error,
                                      sizeof res->export_error);
        if (res->exported < 0)
            res->exported = 0, res->export_failed = true;
        else
            res->export_error[0] = '\0';
    }
    if (list_archives(run->spool, &names, &n, err, errlen) != 0)
        goto out;
    dirfd = open(run->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot read %s: %s", run->spool, strerror(errno));
        goto out;
    }
    res->archives = n;
    size_t i;
    for (i = 0; i < n; i++) {
        if (run->cancelled && run->cancelled(run->cancel_ctx)) {
            res->cancelled = true;
            break;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", run->spool, names[i]);
        struct upload_result ur;
        memset(&ur, 0, sizeof ur);
        struct courier_archive a = {.name = names[i], .path = path, .index = i, .total = n, .send = &ur};
        char ack_err[400] = "";
        if (run->send(run->send_ctx, path, names[i], &ur) != 0) {
            a.outcome = COURIER_NOT_SENT;
            res->failed++;
        } else {
            if (ur.status == UPLOAD_SENT)
                res->sent++;
            else
                res->there++;
            long r = outbox_ack(run->q, run->key, path, ack_err, sizeof ack_err);
            if (r < 0) {
                /* On the server, but this queue could not record it: the
                 * archive stays so that the next run acknowledges it. */
                a.outcome = COURIER_NOT_ACKED;
                a.ack_error = ack_err;
                res->failed++;
            } else {
                /* Delivered and acknowledged: the sealed reports stay in the
                 * queue (uploaded, until the retention time); the archive
                 * copy goes for good, so a power cut cannot bring it back. */
                a.outcome = COURIER_DELIVERED;
                a.reports = r;
                res->reports += r;
                durable_unlink(dirfd, names[i]);
            }
        }
        if (run->on_archive)
            run->on_archive(run->ctx, &a);
        if (run->progress)
            run->progress(run->ctx, i + 1, n);
        if (a.outcome == COURIER_NOT_SENT && upload_result_stops_run(&ur)) {
            res->stopped = true; /* the rest would fail the same way */
            i++;
            break;
        }
    }
    res->left = res->failed + (n - i);
    rc = 0;
out:
    if (dirfd >= 0)
        close(dirfd);
    free_names(names, n);
    return rc;
}

int courier_fetch_status(struct upload *u, struct queue *q, const char *data_dir,
                         const uint8_t signing_pk[KEYS_PUBLIC_SIZE], struct courier_status_result *res,
                         char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->state = COURIER_STATUS_NOT_FETCHED;
    if (errlen)
        err[0] = '\0';
    uint8_t *data = NULL;
    size_t len = 0;
    int f = upload_fetch(u, RECEIPT_ARCHIVE_NAME, RECEIPT_MAX_ARCHIVE, &data, &len, &res->fetch);
    if (f == 1) {
        res->state = COURIER_STATUS_ABSENT;
        return 0;
    }
    if (f != 0)
        return 0; /* the next run tries again */
    res->receipt = receipt_import(q, data_dir, signing_pk, data, len, time(NULL), &res->import, err, errlen);
    free(data);
    if (res->receipt != RECEIPT_OK && res->receipt != RECEIPT_ALREADY) {
        res->state = COURIER_STATUS_REFUSED;
        return -1;
    }
    res->state = COURIER_STATUS_IMPORTED;
    return 0;
}
