/* receipt — what the helpline tells kiosks back: a signed status archive
 * (docs/report-format.md, "Status archives"), case status by case code and
 * PIN, and withdrawal.
 *
 * The archive (RECEIPT_ARCHIVE_NAME) lists, for every report the helpline
 * opened, its id, a status and a day; a case code appears only as a tag, a
 * slow keyed hash of (case code, PIN) (receipt_tag: argon2id), so a stolen
 * stick lists no case codes and guessing a PIN is slow. It is signed with
 * the helpline's Ed25519 key and carries a sequence number: a kiosk that has
 * seen sequence N refuses anything older (a replay), and refuses an archive
 * issued more than RECEIPT_MAX_AGE_DAYS ago (stale).
 *
 * Helpline side (`hifazat receipts`):
 *   1. receipt_tag(code, pin, tag) for each opened report;
 *   2. receipt_archive_build(entries, n, sequence, issued, h, &out, &len, ...);
 *      receipt_archive_sequence() reads the sequence of the previous one.
 *
 * Kiosk side:
 *   1. receipt_import(q, data_dir, sign_pk, data, len, now, &res, err, n):
 *      verifies before anything changes; then every report the archive names
 *      is deleted from the queue in whatever state (queue_remove: durable),
 *      and the case statuses (tags, statuses, days: nothing else) are written
 *      to DATA/RECEIPT_STORE_FILE with durable.h. A refused archive changes
 *      nothing.
 *   2. receipt_lookup(data_dir, code, pin, now, &c, err, n): the last status
 *      this kiosk knows. A wrong code or PIN gets exactly the answer of a case
 *      not known here (RECEIPT_UNKNOWN). Lookups that find nothing are
 *      counted on the data partition (RECEIPT_LOOKUPS_FILE, written before
 *      the answer): after RECEIPT_LOOKUP_MAX of them within
 *      RECEIPT_LOOKUP_WINDOW seconds every lookup, right or wrong, answers
 *      RECEIPT_LIMITED (c.retry_after says for how long) until the window
 *      has passed. It costs about 0.1 s and 64 MiB (argon2id): call it from
 *      a worker thread, not from a screen's event handler.
 *   receipt_store_info(data_dir, &seq, issued): which archive the answers
 *      come from (none yet: 0).
 *   3. receipt_withdraw(q, data_dir, k, helpline_pk, &meta, code, pin, now,
 *      &c, err, n): the same lookup and rate limit; then, unless the case is
 *      already withdrawn here, a sealed, signed withdrawal request
 *      (report_create_withdrawal) goes into the queue like a report. A case
 *      not known here is queued too (the helpline checks the PIN), so the
 *      answer says nothing about whether the code exists.
 * receipt_import, _lookup and _withdraw return a value of enum
 * receipt_result, or -1 with err set; the others 0 / -1.
 */
#ifndef HIFAZAT_RECEIPT_H
#define HIFAZAT_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "keys.h"
#include "queue.h"
#include "report.h"

#define RECEIPT_ARCHIVE_NAME "hifazat-status.json"
#define RECEIPT_STORE_FILE "case-status.json"
#define RECEIPT_LOOKUPS_FILE "case-lookups.json"

enum {
    RECEIPT_TAG_SIZE = 32,
    RECEIPT_REASON_MAX = 64,
    RECEIPT_MAX_AGE_DAYS = 120,
    RECEIPT_LOOKUP_MAX = 5,
    RECEIPT_LOOKUP_WINDOW = 15 * 60,
    RECEIPT_MAX_ARCHIVE = 64 << 20,
};

enum receipt_status {
    RECEIPT_RECEIVED,
    RECEIPT_SENT_TO_TAKE_IT_DOWN,
    RECEIPT_SENT_TO_STOPNCII,
    RECEIPT_ADDED_TO_BANK,
    RECEIPT_WITHDRAWN,
    RECEIPT_REJECTED,
    RECEIPT_NSTATUS,
};

enum receipt_result {
    RECEIPT_OK = 0,
    RECEIPT_UNKNOWN = 1,    /* lookup: not known here (or a wrong code or PIN) */
    RECEIPT_FOUND = 2,      /* lookup: c is filled in */
    RECEIPT_LIMITED = 3,    /* too many lookups found nothing: wait */
    RECEIPT_QUEUED = 4,     /* withdraw: the request is durably queued */
    RECEIPT_ALREADY = 5,    /* import: this very archive was imported before (deletions redone);
                               withdraw: the case is withdrawn already */
    RECEIPT_ERR_FORMAT = 10, /* not a status archive, or malformed */
    RECEIPT_ERR_WRONG_KEY,  /* signed by another key (key id differs) */
    RECEIPT_ERR_SIGNATURE,  /* altered: the signature does not verify */
    RECEIPT_ERR_REPLAY,     /* older than (or a different one with the same sequence as) one seen */
    RECEIPT_ERR_STALE,      /* issued more than RECEIPT_MAX_AGE_DAYS ago */
    RECEIPT_ERR_IO,         /* the data partition or the queue failed (err says why) */
};

struct receipt_entry {
    char report_id[REPORT_ID_HEX + 1];
    bool has_tag;           /* false: no case code (e.g. a refused withdrawal) */
    uint8_t tag[RECEIPT_TAG_SIZE];
    enum receipt_status status;
    char reason[RECEIPT_REASON_MAX + 1]; /* "" or [a-z0-9_] */
    char date[11];          /* YYYY-MM-DD */
};

struct receipt_case {
    enum receipt_status status;
    char reason[RECEIPT_REASON_MAX + 1];
    char date[11];
    long retry_after;       /* RECEIPT_LIMITED: seconds until a lookup is allowed again */
};

struct receipt_import_result {
    uint64_t sequence;
    char issued_at[21];
    size_t entries;
    long removed;           /* reports deleted from the queue */
};

const char *receipt_status_name(enum receipt_status s);
int receipt_status_parse(const char *s, enum receipt_status *out);
const char *receipt_result_name(int r);
/* A reason: empty, or 1-64 of [a-z0-9_]. */
bool receipt_reason_valid(const char *s);

/* argon2id of the normalised case code and the PIN (salted by the code);
 * about 0.1 s and 64 MiB. 0, or -1 when the code or PIN is malformed. */
int receipt_tag(const char *case_code, const char *pin, uint8_t tag[RECEIPT_TAG_SIZE]);

int receipt_archive_build(const struct receipt_entry *e, size_t n, uint64_t sequence,
                          time_t issued, const struct keys_helpline *h, char **out, size_t *len,
                          char *err, size_t errlen);
/* The sequence of an archive signed by sign_pk (0 / an error result). */
int receipt_archive_sequence(const uint8_t *data, size_t len, const uint8_t sign_pk[32],
                             uint64_t *sequence, char *err, size_t errlen);

/* The status archive this kiosk has (for the status screen's "as of" and
 * staff): 1 with its sequence and issue time, 0 none yet, -1 unreadable. */
int receipt_store_info(const char *data_dir, uint64_t *sequence, char issued_at[21]);

int receipt_import(struct queue *q, const char *data_dir, const uint8_t sign_pk[32],
                   const uint8_t *data, size_t len, time_t now, struct receipt_import_result *res,
                   char *err, size_t errlen);
int receipt_lookup(const char *data_dir, const char *code, const char *pin, time_t now,
                   struct receipt_case *c, char *err, size_t errlen);
int receipt_withdraw(struct queue *q, const char *data_dir, const struct keys_kiosk *k,
                     const uint8_t helpline_pk[KEYS_PUBLIC_SIZE], const struct report_meta *meta,
                     const char *code, const char *pin, time_t now, struct receipt_case *c,
                     char *err, size_t errlen);

#endif
