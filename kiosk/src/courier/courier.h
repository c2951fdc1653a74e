/* courier — one upload run: every outbox archive in the spool goes to the
 * helpline's drop box, oldest first; each one the server confirmed is
 * acknowledged in the queue and only then removed from the spool, for good
 * (unlink, then fsync of the spool). `hifazat upload` and the staff screen's
 * "Upload now" both run it; upload.h is the transport.
 *
 * Usage:
 *   1. Fill a struct courier_run: the queue, the kiosk key, the spool (a
 *      folder of outbox archives, outbox.h) and a transport: send =
 *      courier_send_upload with send_ctx = an upload handle (upload.h), or
 *      a fake in tests. Set export_pending to seal the pending reports
 *      into the spool first (both callers do). Optional: cancelled()
 *      (polled between archives),
 *      progress() (after each archive: done of total) and on_archive()
 *      (what happened to each one, for the caller's messages).
 *   2. courier_run(&run, &res, err, errlen) (blocks; call it from a worker
 *      thread in the app): 0 when the spool could be read, res then holds
 *      the counts even when archives failed (res.left > 0: some stay for
 *      the next run); -1 when the spool could not be read (err says why,
 *      res all zero). An archive that failed, or that was not tried
 *      because the run stopped (a refusal that every archive would meet) or
 *      was cancelled, is never lost: it stays in the spool.
 *   3. After the run, courier_fetch_status(u, q, data_dir, signing_pk, &st,
 *      err, errlen): the helpline's signed status archive
 *      (RECEIPT_ARCHIVE_NAME) by GET through the same upload handle,
 *      verified and imported (receipt.h): only that deletes reports. Not
 *      on the server yet, or not fetched (the network), is 0 with st.state
 *      saying so: the next run tries again; refused (a bad signature, an
 *      older sequence) is -1 with err set and nothing changed.
 */
#ifndef HIFAZAT_COURIER_H
#define HIFAZAT_COURIER_H

#include "keys.h"
#include "queue.h"
#include "receipt.h"
#include "upload.h"

#include <stdbool.h>
#include <stddef.h>

enum courier_outcome {
    COURIER_DELIVERED, /* confirmed by the server, acknowledged, removed */
    COURIER_NOT_SENT,  /* the transport failed (send says why) */
    COURIER_NOT_ACKED, /* on the server, but the queue could not record it: kept */
};

/* What happened to one archive (valid during the on_archive call only). */
struct courier_archive {
    const char *name;                 /* the archive's file name in the spool */
    const char *path;
    size_t index, total;              /* its place in the run (0-based) */
    enum courier_outcome outcome;
    const struct upload_result *send; /* the transport's answer */
    long reports;                     /* DELIVERED: reports marked uploaded */
    const char *ack_error;            /* NOT_ACKED: why */
};

struct courier_run {
    struct queue *q;
    const struct keys_kiosk *key;
    const char *spool;
    /* The transport: 0 when the archive is confirmed on the server
     * (res->status UPLOAD_SENT or UPLOAD_ALREADY_THERE), -1 otherwise. */
    int (*send)(void *ctx, const char *path, const char *name, struct upload_result *res);
    void *send_ctx;
    bool (*cancelled)(void *ctx);     /* may be NULL */
    void *cancel_ctx;
    void (*progress)(void *ctx, size_t done, size_t total); /* may be NULL */
    void (*on_archive)(void *ctx, const struct courier_archive *a); /* may be NULL */
    void *ctx;                        /* for progress and on_archive */
    /* First seal the queue's pending reports into new archives in the
     * spool (outbox_export, at most max_per_archive each, 0: no cap), so
     * that one run sends everything waiting. A failed export does not stop
     * the run: the archives already there still go (res says why). */
    bool export_pending;
    size_t max_per_archive;
};

struct courier_result {
    size_t archives;   /* in the spool when the run started */
    size_t sent;       /* sent and confirmed */
    size_t there;      /* the server had them already */
    size_t failed;     /* tried, and not delivered or not acknowledged */
    size_t left;       /* still in the spool: failed, plus not tried */
    long reports;      /* reports marked uploaded */
    bool stopped;      /* a refusal ended the run early (upload_result_stops_run) */
    bool cancelled;    /* cancelled() ended it */
    long exported;     /* export_pending: reports put into new archives */
    bool export_failed;             /* export_pending: the export failed ... */
    char export_error[400];         /* ... and why (the reports stay pending) */
};

int courier_run(const struct courier_run *run, struct courier_result *res, char *err, size_t errlen);

/* The real transport: upload_send() with ctx a struct upload *. */
int courier_send_upload(void *ctx, const char *path, const char *name, struct upload_result *res);

enum courier_status {
    COURIER_STATUS_ABSENT,      /* the server has none yet (the helpline sent no receipts) */
    COURIER_STATUS_NOT_FETCHED, /* the GET failed (fetch says why) */
    COURIER_STATUS_IMPORTED,    /* verified and imported (receipt: RECEIPT_OK or _ALREADY) */
    COURIER_STATUS_REFUSED,     /* fetched, refused by receipt_import (receipt says which) */
};

struct courier_status_result {
    enum courier_status state;
    int receipt;                        /* receipt_import's answer (IMPORTED, REFUSED) */
    struct receipt_import_result import;
    struct upload_result fetch;         /* the GET's answer */
};

int courier_fetch_status(struct upload *u, struct queue *q, const char *data_dir,
                         const uint8_t signing_pk[KEYS_PUBLIC_SIZE], struct courier_status_result *res,
                         char *err, size_t errlen);

#endif
