/* upload_via — how "Upload now" on the staff screen reaches the helpline's
 * drop box. Two backends, chosen by [upload] via in the configuration:
 *   "process"  in this process with libcurl (windowed and development use;
 *              the default);
 *   "unit"     by asking the system's upload service: the USB image's kiosk
 *              has no network at all (IPAddressDeny=any, no IP sockets), so
 *              it writes a request file that hifazat-upload.path watches;
 *              hifazat-upload.service runs `hifazat upload` (the only cgroup
 *              the firewall lets out, and only to the drop box) and answers
 *              in status.json beside the request, which this waits for.
 *
 * Usage:
 *   1. b = upload_via_find(config_get(cfg, "upload", "via")): the backend
 *      ("process" when the name is NULL); NULL for a name it does not know.
 *   2. Fill a struct upload_via_request: the queue, the kiosk key and the
 *      spool (process), or the request directory and how long to wait
 *      (unit). Then, in a worker thread (both block):
 *      b->run(&req, &res): 0 when every archive was delivered and
 *      acknowledged, -1 otherwise; res holds the counts and an English
 *      message for staff (no secrets, no file names of people's pictures:
 *      archive names only).
 */
#ifndef HIFAZAT_UPLOAD_VIA_H
#define HIFAZAT_UPLOAD_VIA_H

#include "keys.h"
#include "queue.h"
#include "upload.h"

#include <stdbool.h>
#include <stddef.h>

/* The unit backend's files in the request directory (<data dir>/upload). */
#define UPLOAD_VIA_REQUEST_NAME "request"
#define UPLOAD_VIA_STATUS_NAME "status.json"

struct upload_via_request {
    /* process: pending reports are exported into the spool, then every
     * archive there is sent and acknowledged */
    struct queue *q;
    const struct keys_kiosk *key;
    const char *spool;
    size_t max_per_archive;
    struct upload_config upload;
    /* process: polled between archives (may be NULL); a cancelled run
     * leaves the rest in the spool and returns -1 */
    bool (*cancelled)(void *ctx);
    void *cancel_ctx;
    /* process: then the helpline's status archive is fetched and imported
     * (receipt.h) when a signing key is set: confirmed reports are deleted */
    const char *data_dir;
    bool have_signing;
    uint8_t signing_pk[KEYS_PUBLIC_SIZE];
    /* unit: where the request file goes and status.json comes back */
    const char *request_dir;
    double timeout_seconds; /* no answer by then: -1 (0: 600) */
    double poll_seconds;    /* how often status.json is read (0: 0.25) */
};

struct upload_via_result {
    long exported;   /* pending reports put into archives (process only) */
    int sent;        /* archives sent */
    int there;       /* archives the server already had */
    int left;        /* archives not delivered (or not acknowledged), or not tried */
    long reports;    /* reports marked uploaded */
    long confirmed;  /* reports the helpline's receipt confirmed (deleted here) */
    char message[400];
};

struct upload_via_backend {
    const char *name;
    int (*run)(const struct upload_via_request *req, struct upload_via_result *res);
};

const struct upload_via_backend *upload_via_find(const char *name);

#endif
