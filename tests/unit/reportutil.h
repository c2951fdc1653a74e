/* Helpers shared by the report/queue/outbox tests: fixed keys and small
 * reports made from real hash results (static inline: one header, no library). */
#ifndef HIFAZAT_REPORTUTIL_H
#define HIFAZAT_REPORTUTIL_H

#include "check.h"
#include "keys.h"
#include "report.h"
#include "testutil.h"

#include <string.h>

static inline struct keys_kiosk *test_kiosk_key(uint8_t tag)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 0x4b ^ tag, sizeof(seed));
    struct keys_kiosk *k = keys_kiosk_from_seed(seed);
    REQUIRE(k, "kiosk key");
    return k;
}

static inline struct keys_helpline *test_helpline_key(uint8_t tag)
{
    uint8_t seed[KEYS_SEED_SIZE];
    memset(seed, 0x48 ^ tag, sizeof(seed));
    struct keys_helpline *h = keys_helpline_from_seed(seed);
    REQUIRE(h, "helpline key");
    return h;
}

static inline struct report_meta test_meta(void)
{
    struct report_meta m = {
        .route = REPORT_ROUTE_UNDER18,
        .reporter = REPORT_BY_PARENT,
        .language = "ur",
        .kiosk_id = "test-kiosk",
        .app_version = "0.1.0",
        .training = false,
        .clock_trusted = 0,
        .created_at = 1735732800, /* 2025-01-01T12:00:00Z */
    };
    return m;
}

/* A JSON line as `hifazat hash` prints it for an image (made-up values). */
static inline json_t *test_image_line(unsigned n)
{
    char md5[33], sha[65], pdq[65];
    for (int i = 0; i < 32; i++)
        md5[i] = "0123456789abcdef"[(n + i * 7) % 16];
    for (int i = 0; i < 64; i++) {
        sha[i] = "0123456789abcdef"[(n * 3 + i * 5) % 16];
        pdq[i] = "0123456789abcdef"[(n * 11 + i * 3 + 1) % 16];
    }
    md5[32] = sha[64] = pdq[64] = '\0';
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i}", "path", "/media/x/DCIM/a.jpg",
                     "kind", "image", "format", "jpeg", "size", 1000 + (int)n, "md5", md5, "sha256",
                     sha, "pdq", pdq, "pdq_quality", 90);
}

/* A report of n made-up images. */
static inline struct report *test_report(unsigned n)
{
    struct report_meta m = test_meta();
    struct report *r = report_create(&m);
    REQUIRE(r, "report_create");
    for (unsigned i = 0; i < n; i++) {
        json_t *line = test_image_line(i);
        REQUIRE(report_add_hash_json(r, line) == 0, "add: %s", report_error_message(r));
        json_decref(line);
    }
    return r;
}

static inline uint8_t *test_sealed(unsigned n, const struct keys_kiosk *k,
                                   const struct keys_helpline *h, size_t *len, char id[33])
{
    struct report *r = test_report(n);
    uint8_t *s;
    REQUIRE(report_seal(r, k, keys_helpline_public(h), &s, len) == 0, "seal: %s",
            report_error_message(r));
    if (id)
        memcpy(id, report_id(r), 33);
    report_destroy(r);
    return s;
}

#endif
