/* report — one person's report: their answers and the fingerprints of their
 * files, as JSON (schema v1, docs/report-format.md), signed by the kiosk and
 * sealed to the helpline (libsodium). The kiosk cannot read a report back.
 *
 * Kiosk side:
 *   1. r = report_create(&meta): draws the report id, case code and PIN from
 *      the OS random generator (never from the hashes).
 *   2. report_add_hash_result(r, &res) for each fingerprinted file (or
 *      report_add_hash_json() for a line of `hifazat hash`). Every value is
 *      checked here; a refused file returns -1 and leaves the report as it was.
 *   3. queue_add_report() (queue.h) seals the report, writes it durably and
 *      only then gives the receipt (case code + PIN) to show. In demo mode
 *      (meta.training) use report_training_receipt() instead: a training
 *      report can never be sealed or queued.
 *   4. report_destroy(r): the report's plaintext is wiped.
 *
 * Withdrawal (a person takes a case back, at any kiosk):
 *   r = report_create_withdrawal(&meta, case_code, pin): a document of kind
 *   "withdrawal" carrying what the person typed; then queue_add_report() as
 *   for a report (sealed, signed, queued durably) and report_destroy(r). The
 *   helpline checks the PIN against the original report.
 *
 * Helpline side:
 *   report_open(sealed, len, helpline, &opened) checks the envelope, decrypts,
 *   checks the kiosk's signature and the schema strictly, and gives the
 *   document (report_opened_json()). Signals of a type this version does not
 *   know are left out with a warning (report_opened_warning()); anything else
 *   unexpected refuses the report.
 *
 * Errors: functions return 0 / -1 (report_open returns an enum report_err);
 * report_error() is a stable code, report_error_message() an English sentence
 * naming the item and the field.
 */
#ifndef HIFAZAT_REPORT_H
#define HIFAZAT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hash.h"
#include "keys.h"

enum {
    REPORT_VERSION = 1,
    REPORT_ID_HEX = 32,
    REPORT_CASE_CODE_LEN = 14,       /* "4820-7316-5912" (older reports: "K7P2-9XQM") */
    REPORT_PIN_LEN = 6,
    REPORT_MAX_ITEMS = 1000,
    REPORT_MAX_VPDQ_FRAMES = 100000,
    REPORT_HEADER_SIZE = 13,         /* clear envelope: magic, version, key id */
    REPORT_MIN_BUCKET = 4096,
    REPORT_MAX_BUCKET = 32 << 20,    /* plaintext size limit */
    REPORT_MAX_SEALED = REPORT_HEADER_SIZE + 48 + REPORT_MAX_BUCKET,
};

enum report_route { REPORT_ROUTE_UNDER18, REPORT_ROUTE_ADULT };
enum report_reporter { REPORT_BY_SELF, REPORT_BY_PARENT, REPORT_BY_HELPER };
/* Optional: were the pictures taken on the device they were read from, or
 * are they copies (sent or received)? Take It Down asks for the originals;
 * the helpline refers copies on as well. NONE: not asked (no field). */
enum report_origin { REPORT_ORIGIN_NONE, REPORT_ORIGIN_ORIGINAL, REPORT_ORIGIN_COPY,
                     REPORT_ORIGIN_NOT_SURE };
enum { REPORT_CLOCK_AUTO = -1 };

struct report_meta {
    enum report_route route;        /* by the age when the picture was taken */
    enum report_reporter reporter;
    enum report_origin origin;      /* NONE (0): the report has no "origin" field */
    const char *language;           /* "ur" or "en" */
    const char *kiosk_id;
    const char *app_version;
    bool training;                  /* demo mode: never sealed, never queued */
    int clock_trusted;              /* 0, 1 or REPORT_CLOCK_AUTO (asks the kernel) */
    time_t created_at;              /* 0: now */
};

struct report_receipt {
    char case_code[REPORT_CASE_CODE_LEN + 1];
    char pin[REPORT_PIN_LEN + 1];
    char report_id[REPORT_ID_HEX + 1];
};

enum report_err {
    REPORT_OK = 0,
    REPORT_ERR_NOMEM,
    REPORT_ERR_INVALID,     /* a value failed validation (message names it) */
    REPORT_ERR_EMPTY,       /* no items */
    REPORT_ERR_TOO_LARGE,   /* too many items / frames, or over REPORT_MAX_BUCKET */
    REPORT_ERR_TRAINING,    /* a demo report where a real one is needed (or the reverse) */
    REPORT_ERR_NOT_QUEUED,  /* receipt asked before the report was durably queued */
    REPORT_ERR_FORMAT,      /* not a sealed Hifazat report */
    REPORT_ERR_VERSION,     /* a format version this program does not know */
    REPORT_ERR_WRONG_KEY,   /* sealed to another helpline key */
    REPORT_ERR_DAMAGED,     /* truncated, altered, or failed decryption */
    REPORT_ERR_SIGNATURE,   /* the kiosk's signature does not verify */
    REPORT_ERR_SCHEMA,      /* decrypted but not a valid v1 report */
};

const char *report_route_name(enum report_route r);
const char *report_reporter_name(enum report_reporter r);
int report_route_parse(const char *s, enum report_route *out);
int report_reporter_parse(const char *s, enum report_reporter *out);
/* "original", "copy", "not_sure" (NONE: "?"). */
const char *report_origin_name(enum report_origin o);
int report_origin_parse(const char *s, enum report_origin *out);
const char *report_err_code(enum report_err e);

/* 1 when the kernel says the clock is synchronised (and not absurd), else 0. */
int report_clock_trusted(void);

struct report;
struct report *report_create(const struct report_meta *meta);
void report_destroy(struct report *r);
/* NULL when the code (report_case_code_normalize) or PIN (6 digits) is
 * malformed, or meta is a training one. Route, reporter and origin unused. */
struct report *report_create_withdrawal(const struct report_meta *meta, const char *case_code,
                                        const char *pin);
bool report_is_withdrawal(const struct report *r);

int report_add_hash_result(struct report *r, const struct hash_result *res);
/* A line of `hifazat hash`: 0 added, 1 left out (not an image or video, or
 * no fingerprint at all; report_error_message says why), -1 refused. */
int report_add_hash_json(struct report *r, const json_t *line);
size_t report_item_count(const struct report *r);
bool report_is_training(const struct report *r);
const char *report_id(const struct report *r);

/* Validates, signs with k, pads and seals to helpline_pk. The sealed bytes
 * (malloc'd; not secret) go to *out. A training report is refused. */
int report_seal(struct report *r, const struct keys_kiosk *k,
                const uint8_t helpline_pk[KEYS_PUBLIC_SIZE], uint8_t **out, size_t *len);
/* For queue.c only: records that the sealed bytes are durably stored. */
void report_mark_queued(struct report *r);
/* The receipt of a queued report (REPORT_ERR_NOT_QUEUED before). */
int report_receipt(const struct report *r, struct report_receipt *out);
/* Demo mode: a receipt that is marked as such by the UI; refused for real reports. */
int report_training_receipt(const struct report *r, struct report_receipt *out);

enum report_err report_error(const struct report *r);
const char *report_error_message(const struct report *r);

/* Checks the clear envelope of a sealed file without decrypting: magic,
 * version and a size that a sealed report can have. 0 / an error code. */
enum report_err report_check_envelope(const uint8_t *head, size_t headlen, uint64_t filesize);

/* --- helpline side --- */
struct report_opened;
enum report_err report_open(const uint8_t *sealed, size_t len, const struct keys_helpline *h,
                            struct report_opened **out, char *err, size_t errlen);
void report_opened_free(struct report_opened *o);
/* The validated document (owned by o). */
const json_t *report_opened_json(const struct report_opened *o);
const char *report_opened_id(const struct report_opened *o);
const uint8_t *report_opened_kiosk_key(const struct report_opened *o);
/* A withdrawal request (kind "withdrawal": case_code and pin, no items). */
bool report_opened_is_withdrawal(const struct report_opened *o);
/* NULL, or what was left out (unknown signal types). */
const char *report_opened_warning(const struct report_opened *o);

/* Validates a report document (both sides use it). */
int report_validate(json_t *doc, bool drop_unknown_signals, char *err, size_t errlen,
                    int *dropped);

/* Normalises a case code as typed or read out by a person: 0 with the
 * canonical form, or -1. Digit codes (12 digits, any grouping, spaces or
 * hyphens, Urdu or Arabic digits as well as 0-9) must pass their check
 * digit and come back as "dddd-dddd-dddd"; codes of older kiosks (8 symbols
 * of Crockford base32, lower case, O/I/L for 0/1/1) as "XXXX-XXXX". */
int report_case_code_normalize(const char *in, char out[REPORT_CASE_CODE_LEN + 1]);
/* Damm check digit of a string of ASCII digits (0-9), or -1 when another
 * character is met. A code is whole when its digits give 0. */
int report_damm(const char *digits, size_t n);

#endif
