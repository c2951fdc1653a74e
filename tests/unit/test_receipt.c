/* Receipts, case status and withdrawal (receipt.h) below the CLI: the
 * withdrawal document round trip and its strict schema, queue_remove in every
 * state, tags, the import checks in order, and the lookup rate limit's
 * window passing (which the CLI test cannot wait for). */
#include "queue.h"
#include "receipt.h"
#include "reportutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char data[1024];

static int count_state(const char *state)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/queue/%s", data, state);
    return count_entries(p);
}

static char *build(const struct keys_helpline *h, const struct receipt_entry *e, size_t n,
                   uint64_t seq, time_t issued, size_t *len)
{
    char *out = NULL, err[200];
    REQUIRE(receipt_archive_build(e, n, seq, issued, h, &out, len, err, sizeof err) == 0, "build: %s",
            err);
    return out;
}

static void test_withdrawal_document(const struct keys_kiosk *k, const struct keys_helpline *h)
{
    struct report_meta m = test_meta();
    CHECK(!report_create_withdrawal(&m, "4820-7316-5913", "123456"), "a wrong check digit refused");
    CHECK(!report_create_withdrawal(&m, "4820-7316-5912", "12345"), "a short PIN refused");
    m.training = true;
    CHECK(!report_create_withdrawal(&m, "4820-7316-5912", "123456"), "never in demo mode");
    m.training = false;
    struct report *w = report_create_withdrawal(&m, "4820 7316 5912", "123456");
    REQUIRE(w, "withdrawal");
    CHECK(report_is_withdrawal(w) && report_item_count(w) == 0, "no items");
    uint8_t *sealed;
    size_t len;
    REQUIRE(report_seal(w, k, keys_helpline_public(h), &sealed, &len) == 0, "seal: %s",
            report_error_message(w));
    struct report_opened *o;
    char err[200];
    REQUIRE(report_open(sealed, len, h, &o, err, sizeof err) == REPORT_OK, "open: %s", err);
    const json_t *doc = report_opened_json(o);
    CHECK(report_opened_is_withdrawal(o), "opened as a withdrawal");
    CHECK(!strcmp(json_string_value(json_object_get(doc, "case_code")), "4820-7316-5912") &&
              !strcmp(json_string_value(json_object_get(doc, "pin")), "123456"),
          "the normalised code and the PIN inside");
    /* strict: an extra field, another kind, a report field */
    json_t *bad = json_deep_copy(doc);
    json_object_set_new(bad, "items", json_array());
    CHECK(report_validate(bad, false, err, sizeof err, NULL) != 0 && strstr(err, "items"),
          "a withdrawal has no items: %s", err);
    json_object_del(bad, "items");
    json_object_set_new(bad, "kind", json_string("report"));
    CHECK(report_validate(bad, false, err, sizeof err, NULL) != 0, "an unknown kind");
    json_object_set_new(bad, "kind", json_string("withdrawal"));
    json_object_del(bad, "pin");
    CHECK(report_validate(bad, false, err, sizeof err, NULL) != 0 && strstr(err, "pin"),
          "the PIN is required: %s", err);
    json_decref(bad);
    report_opened_free(o);
    free(sealed);
    report_destroy(w);
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    snprintf(data, sizeof data, "%s/data", make_tmpdir("receipt"));
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0), *other = test_helpline_key(1);
    const uint8_t *spk = keys_helpline_sign_public(h);
    REQUIRE(spk, "a seeded helpline key can sign");
    CHECK(memcmp(spk, keys_helpline_sign_public(other), 32) != 0, "different seeds, different keys");

    test_withdrawal_document(k, h);

    /* tags: deterministic, from the normalised code, PIN-dependent */
    uint8_t t1[RECEIPT_TAG_SIZE], t2[RECEIPT_TAG_SIZE], t3[RECEIPT_TAG_SIZE];
    CHECK(receipt_tag("4820-7316-5912", "123456", t1) == 0 &&
              receipt_tag("۴۸۲۰ ۷۳۱۶ ۵۹۱۲", "123456", t2) == 0 && !memcmp(t1, t2, sizeof t1),
          "same tag for the code typed in Urdu digits");
    CHECK(receipt_tag("4820-7316-5912", "123457", t3) == 0 && memcmp(t1, t3, sizeof t1),
          "another PIN, another tag");
    CHECK(receipt_tag("4820-7316-5913", "123456", t3) == -1, "a malformed code has no tag");

    /* three reports, one in each state */
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(data, 90, &qe, msg, sizeof msg);
    REQUIRE(q, "queue: %s", msg);
    struct report_receipt rr[3];
    for (int i = 0; i < 3; i++) {
        struct report *r = test_report((unsigned)i + 1);
        REQUIRE(queue_add_report(q, r, k, keys_helpline_public(h), &rr[i]) == 0, "add");
        report_destroy(r);
    }
    const char *one[] = {rr[1].report_id}, *two[] = {rr[2].report_id};
    queue_mark(q, QUEUE_EXPORTED, one, 1);
    queue_mark(q, QUEUE_UPLOADED, two, 1);
    CHECK(count_state("pending") == 1 && count_state("exported") == 1 && count_state("uploaded") == 1,
          "one in each state");

    time_t now = 1800000000;
    struct receipt_entry e[3];
    memset(e, 0, sizeof e);
    for (int i = 0; i < 3; i++) {
        snprintf(e[i].report_id, sizeof e[i].report_id, "%s", rr[i].report_id);
        REQUIRE(receipt_tag(rr[i].case_code, rr[i].pin, e[i].tag) == 0, "tag");
        e[i].has_tag = true;
        e[i].status = RECEIPT_RECEIVED;
        snprintf(e[i].date, sizeof e[i].date, "2027-01-15");
    }
    e[2].status = RECEIPT_REJECTED;
    snprintf(e[2].reason, sizeof e[2].reason, "not_intimate");

    size_t len;
    char *a1 = build(h, e, 3, 1, now - 3600, &len);
    struct receipt_import_result res;
    char err[300];
    /* the wrong key, and an archive from a key file without a signing key */
    CHECK(receipt_import(q, data, keys_helpline_sign_public(other), (uint8_t *)a1, len, now, &res, err,
                         sizeof err) == RECEIPT_ERR_WRONG_KEY,
          "wrong key: %s", err);
    CHECK(count_state("pending") == 1, "nothing deleted");
    /* stale */
    size_t slen;
    char *stale = build(h, e, 3, 1, now - (time_t)(RECEIPT_MAX_AGE_DAYS + 1) * 86400, &slen);
    CHECK(receipt_import(q, data, spk, (uint8_t *)stale, slen, now, &res, err, sizeof err) ==
              RECEIPT_ERR_STALE,
          "stale: %s", err);
    free(stale);
    /* tampered: one byte of the signature */
    char *sig = strstr(a1, "\"signature\":\"");
    REQUIRE(sig, "signature field");
    sig += 13;
    const char orig = *sig;
    *sig = orig == 'A' ? 'B' : 'A';
    CHECK(receipt_import(q, data, spk, (uint8_t *)a1, len, now, &res, err, sizeof err) ==
              RECEIPT_ERR_SIGNATURE,
          "tampered: %s", err);
    *sig = orig;
    struct stat st;
    CHECK(stat(data, &st) == 0 && fstatat(AT_FDCWD, data, &st, 0) == 0, "data");
    char store[1200];
    snprintf(store, sizeof store, "%s/%s", data, RECEIPT_STORE_FILE);
    CHECK(access(store, F_OK) != 0, "no store written by refused archives");

    /* the real one: every state is emptied */
    CHECK(receipt_import(q, data, spk, (uint8_t *)a1, len, now, &res, err, sizeof err) == RECEIPT_OK &&
              res.removed == 3 && res.sequence == 1,
          "import: %s", err);
    CHECK(count_state("pending") + count_state("exported") + count_state("uploaded") == 0,
          "confirmed reports deleted in every state");
    CHECK(stat(store, &st) == 0 && (st.st_mode & 0777) == 0600, "store 0600");
    CHECK(st.st_mtime == QUEUE_FIXED_MTIME, "the store's mtime says nothing");

    struct receipt_case c;
    CHECK(receipt_lookup(data, rr[2].case_code, rr[2].pin, now, &c, err, sizeof err) == RECEIPT_FOUND &&
              c.status == RECEIPT_REJECTED && !strcmp(c.reason, "not_intimate") &&
              !strcmp(c.date, "2027-01-15"),
          "status, reason, day");

    /* the rate limit, and its window passing */
    char wrong[16];
    snprintf(wrong, sizeof wrong, "%06d", (atoi(rr[0].pin) + 1) % 1000000);
    for (int i = 0; i < RECEIPT_LOOKUP_MAX; i++)
        CHECK(receipt_lookup(data, rr[0].case_code, wrong, now + i, &c, err, sizeof err) ==
                  RECEIPT_UNKNOWN,
              "miss %d", i);
    CHECK(receipt_lookup(data, rr[0].case_code, rr[0].pin, now + 10, &c, err, sizeof err) ==
                  RECEIPT_LIMITED &&
              c.retry_after == RECEIPT_LOOKUP_WINDOW - 10,
          "limited, until the first miss leaves the window: %ld", c.retry_after);
    CHECK(receipt_lookup(data, rr[0].case_code, rr[0].pin, now + RECEIPT_LOOKUP_WINDOW + 10, &c, err,
                         sizeof err) == RECEIPT_FOUND,
          "after the window: found");
    char lookups[1200];
    snprintf(lookups, sizeof lookups, "%s/%s", data, RECEIPT_LOOKUPS_FILE);
    CHECK(stat(lookups, &st) == 0 && st.st_mtime == QUEUE_FIXED_MTIME &&
              stat(data, &st) == 0 && st.st_mtime == QUEUE_FIXED_MTIME,
          "no listing tells when someone last looked a case up");

    /* replay, and the same archive again */
    size_t l2;
    e[0].status = RECEIPT_WITHDRAWN;
    char *a2 = build(h, e, 1, 2, now, &l2);
    CHECK(receipt_import(q, data, spk, (uint8_t *)a2, l2, now, &res, err, sizeof err) == RECEIPT_OK,
          "sequence 2: %s", err);
    CHECK(receipt_import(q, data, spk, (uint8_t *)a1, len, now, &res, err, sizeof err) ==
              RECEIPT_ERR_REPLAY,
          "sequence 1 after 2: %s", err);
    CHECK(receipt_import(q, data, spk, (uint8_t *)a2, l2, now, &res, err, sizeof err) == RECEIPT_ALREADY,
          "the same archive again");
    CHECK(receipt_lookup(data, rr[2].case_code, rr[2].pin, now + 3 * RECEIPT_LOOKUP_WINDOW, &c, err,
                         sizeof err) == RECEIPT_UNKNOWN,
          "a snapshot: cases not in the newer archive are gone");

    /* withdraw: already withdrawn, a new one queued */
    struct report_meta m = test_meta();
    CHECK(receipt_withdraw(q, data, k, keys_helpline_public(h), &m, rr[0].case_code, rr[0].pin,
                           now + 3 * RECEIPT_LOOKUP_WINDOW, &c, err, sizeof err) == RECEIPT_ALREADY,
          "withdrawn already");
    CHECK(count_state("pending") == 0, "nothing queued for it");
    CHECK(receipt_withdraw(q, data, k, keys_helpline_public(h), &m, rr[1].case_code, rr[1].pin,
                           now + 3 * RECEIPT_LOOKUP_WINDOW, &c, err, sizeof err) == RECEIPT_QUEUED,
          "withdrawal queued: %s", err);
    CHECK(count_state("pending") == 1, "one request queued");

    free(a1);
    free(a2);
    queue_close(q);
    keys_kiosk_close(k);
    keys_helpline_close(h);
    keys_helpline_close(other);
    return check_exit();
}
