/* queue — sealed reports waiting on the kiosk's data partition, one file
 * each, written durably (temp file, fsync, rename, fsync of the directory).
 *
 *   DATA/queue/pending/<report_id>.hfz    sealed, not yet in an outbox archive
 *   DATA/queue/exported/<report_id>.hfz   in at least one archive, not acknowledged
 *   DATA/queue/uploaded/<report_id>.hfz   acknowledged; removed after the retention time
 *   DATA/queue/damaged/...                anything unreadable, moved aside (never deleted)
 *
 * A state change is a rename between these directories, so a report is in
 * exactly one state after any crash. A report leaves the queue when a
 * helpline-signed receipt names it (queue_remove, from receipt.h), or when
 * it was acknowledged (uploaded) longer ago than the retention time.
 *
 * Usage (the kiosk app):
 *   1. q = queue_open(data_dir, retention_days): creates what is missing and
 *      runs the recovery pass (leftover temp files removed, unreadable files
 *      moved to damaged/ and counted, acknowledged reports past the retention
 *      time deleted); queue_recovery(q) says what it found.
 *   2. queue_add_report(q, report, kiosk_key, helpline_pk, &receipt): seals
 *      and durably writes one report; only when it returns 0 is the receipt
 *      (case code + PIN) filled in, ready to show. A demo (training) report
 *      is refused. On -1, queue_error(q) is a stable code for the UI
 *      (QUEUE_ERR_NO_SPACE: "storage full, tell staff") and
 *      queue_error_message(q) the detail for developers.
 *   3. queue_status(q, &st) for the staff screen.
 *   4. Export/upload (outbox.h, upload.h): queue_list(), queue_read(),
 *      queue_mark(q, QUEUE_EXPORTED / QUEUE_UPLOADED, ids, n).
 *   5. queue_close(q) (accepts NULL).
 * Every operation holds an exclusive lock (flock on DATA/queue/.lock) for
 * its duration, so the kiosk and a staff command can share the queue.
 */
#ifndef HIFAZAT_QUEUE_H
#define HIFAZAT_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "keys.h"
#include "report.h"

#define QUEUE_SUFFIX ".hfz"

enum queue_state { QUEUE_PENDING, QUEUE_EXPORTED, QUEUE_UPLOADED, QUEUE_NSTATES };

enum queue_err {
    QUEUE_OK = 0,
    QUEUE_ERR_NOMEM,
    QUEUE_ERR_NO_SPACE,   /* ENOSPC, EDQUOT, EFBIG */
    QUEUE_ERR_IO,         /* EIO and anything unexpected from the disk */
    QUEUE_ERR_READ_ONLY,  /* EROFS, EACCES, EPERM */
    QUEUE_ERR_BUSY,       /* another program holds the queue too long */
    QUEUE_ERR_REPORT,     /* the report was refused (report_error_message) */
    QUEUE_ERR_TRAINING,   /* demo reports never reach the queue */
    QUEUE_ERR_NOT_FOUND,  /* no such report */
};

struct queue_recovery {
    unsigned temps_removed;   /* interrupted writes (never acknowledged to anyone) */
    unsigned moved_aside;     /* unreadable or duplicate files moved to damaged/ */
    unsigned pruned;          /* acknowledged reports past the retention time */
};

struct queue_status {
    size_t count[QUEUE_NSTATES];
    uint64_t bytes[QUEUE_NSTATES];
    time_t oldest_pending;    /* 0 when none */
    size_t damaged;           /* files in damaged/ */
    uint64_t free_bytes;      /* on the data partition */
};

/* Queue files carry a fixed mtime (QUEUE_FIXED_MTIME), so a listing does
 * not tell when each person came; acknowledged ones carry the day of their
 * acknowledgement (their retention clock). The kernel's ctime, which no
 * program can set, still tells when a file entered its state. */
#define QUEUE_FIXED_MTIME ((time_t)946684800) /* 2000-01-01T00:00:00Z */

struct queue_entry {
    char id[REPORT_ID_HEX + 1];
    uint64_t size;
    time_t since; /* entered this state (ctime) */
    time_t mtime; /* QUEUE_FIXED_MTIME; in uploaded/, the acknowledgement's day */
};

struct queue;

/* retention_days: how long acknowledged reports stay (0: forever). NULL on
 * failure with *err / errmsg set. */
struct queue *queue_open(const char *data_dir, int retention_days, enum queue_err *err,
                         char *errmsg, size_t errlen);
void queue_close(struct queue *q);
const struct queue_recovery *queue_recovery(const struct queue *q);

int queue_add_report(struct queue *q, struct report *r, const struct keys_kiosk *k,
                     const uint8_t helpline_pk[KEYS_PUBLIC_SIZE], struct report_receipt *receipt);
/* Low level: stores already sealed bytes as pending/<id>.hfz. */
int queue_add_sealed(struct queue *q, const char *id, const uint8_t *data, size_t len);

int queue_status(struct queue *q, struct queue_status *st);
/* Reports in a state, by id: a random order, the same every time (malloc'd
 * array, free()). */
int queue_list(struct queue *q, enum queue_state s, struct queue_entry **out, size_t *n);
/* The sealed bytes of a report in any state (malloc'd). */
int queue_read(struct queue *q, const char *id, uint8_t **data, size_t *len);
/* Moves reports forward to state `to` (never back); ids already there or
 * further on are left alone, unknown ids are skipped. Returns how many moved,
 * or -1. */
long queue_mark(struct queue *q, enum queue_state to, const char *const *ids, size_t n);

/* Deletes reports in whatever state they are (the helpline confirmed them
 * with a signed receipt, receipt.h), durably: each directory touched is
 * synced before it returns. Unknown ids are skipped. How many went, or -1. */
long queue_remove(struct queue *q, const char *const *ids, size_t n);

enum queue_err queue_error(const struct queue *q);
const char *queue_error_message(const struct queue *q);
const char *queue_err_code(enum queue_err e);
const char *queue_state_name(enum queue_state s);

#endif
