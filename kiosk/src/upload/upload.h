/* upload — sends outbox archives to the helpline's drop box over HTTPS with
 * libcurl, exactly once, even over a flaky 2G link.
 *
 * Protocol: a plain WebDAV-style drop box (nginx `dav_methods PUT`, Apache
 * mod_dav, a storage bucket):
 *   HEAD <base>/<name>   already there with the same size and digest? Then
 *                        nothing is sent. A server that gives no digest is
 *                        asked for the file (GET) and its bytes compared:
 *                        a HEAD's size alone proves nothing. Something else
 *                        under that name: refused, never sent over it.
 *   PUT  <base>/<name>   with If-None-Match: * (never overwrite) and a
 *                        Content-Digest; 412 means it is there: HEAD decides.
 *   HEAD <base>/<name>   after a 2xx: only the same size and digest (or the
 *                        same bytes by GET) count as delivered.
 *   GET  <base>/hifazat-status.json   upload_fetch(): the helpline's signed
 *                        status archive, which the caller verifies.
 * TLS is always verified (CA file or the system's, plus an optional pinned
 * public key), TLS 1.2 at least; only https:// URLs are accepted and
 * redirects (any 3xx) are refused, never followed.
 *
 * Usage:
 *   1. u = upload_create(&cfg, err, errlen): checks the configuration.
 *   2. upload_send(u, path, name, &res) per archive. Transient failures
 *      (no connection, stalled transfer, 5xx) are retried with exponential
 *      backoff and jitter until cfg.budget_seconds is spent (shared by all
 *      sends of this handle); permanent ones (TLS refused, 401/403, 507, a
 *      different file under the same name) stop at once. res says what
 *      happened: a status, the HTTP code, and a message for people.
 *   3. upload_fetch(u, name, max, &data, &len, &res) after the sends: the
 *      status archive (receipt.h decides whether it is genuine).
 *   4. upload_destroy(u) (accepts NULL).
 */
#ifndef HIFAZAT_UPLOAD_H
#define HIFAZAT_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct upload_config {
    const char *url;          /* https://host[:port]/path (the drop box folder) */
    const char *ca_file;      /* PEM bundle; NULL: the system's */
    const char *pin;          /* "sha256//BASE64[;sha256//...]" or NULL */
    const char *username;     /* HTTP basic, with password */
    const char *password;
    const char *bearer_token; /* or a bearer token */
    double budget_seconds;    /* total time for all sends (0: 1200) */
    double retry_base;        /* first backoff in seconds (0: 2) */
    double retry_max;         /* longest backoff (0: 300) */
    long connect_timeout;     /* seconds (0: 60) */
    long low_speed_limit;     /* bytes/s below which a transfer is stalled (0: 64) */
    long low_speed_time;      /* seconds of stall before giving up (0: 90) */
    /* Progress of the current transfer (may be NULL). */
    void (*progress)(void *ctx, const char *name, uint64_t sent, uint64_t total);
    void *progress_ctx;
};

enum upload_status {
    UPLOAD_SENT,          /* PUT accepted and confirmed by HEAD */
    UPLOAD_ALREADY_THERE, /* confirmed present before or instead of sending */
    UPLOAD_RETRY_LATER,   /* transient trouble; the budget ran out */
    UPLOAD_REFUSED,       /* permanent for this run: TLS, credentials, storage full, conflict */
    UPLOAD_LOCAL_ERROR,   /* the archive could not be read here */
};

struct upload_result {
    enum upload_status status;
    long http_code;       /* last HTTP status (0: none) */
    int attempts;
    char message[320];    /* English, for staff; no secrets */
};

struct upload;

struct upload *upload_create(const struct upload_config *cfg, char *err, size_t errlen);
void upload_destroy(struct upload *u);

/* 0 when the archive is confirmed on the server (SENT or ALREADY_THERE),
 * -1 otherwise (res says why). name: [A-Za-z0-9._-], no leading dot. */
int upload_send(struct upload *u, const char *path, const char *name, struct upload_result *res);

/* GET <base>/<name> (the helpline's status archive): 0 with the bytes in
 * *data (malloc'd), 1 when the server does not have it (404/410), -1 on
 * any other failure (res says why; one attempt, no retries). Anything it
 * returns is untrusted: the caller verifies it (receipt.h). */
int upload_fetch(struct upload *u, const char *name, size_t max, uint8_t **data, size_t *len,
                 struct upload_result *res);

/* Whether a failure stops the whole run (REFUSED for TLS or credentials):
 * further archives would fail the same way. */
bool upload_result_stops_run(const struct upload_result *res);

#endif
