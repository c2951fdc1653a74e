/* Reports: building from hash results, strict validation, case codes, and
 * sealing/opening with every tampered, truncated, wrong-key, wrong-version
 * and forged case the helpline must refuse. */
#include "reportutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The format as docs/report-format.md describes it, written independently
 * of report.c: seals any body with any kiosk key to any helpline key. */
static uint8_t *craft(const char *body, const struct keys_kiosk *k, const uint8_t *sign_for_pk,
                      const uint8_t *seal_to_pk, uint8_t env_version, uint8_t plain_version,
                      size_t *outlen)
{
    size_t blen = strlen(body), hlen = 4 + 1 + 32 + 64;
    size_t bucket = 4096;
    while (bucket < hlen + blen + 1)
        bucket <<= 1;
    uint8_t head[13] = {'H', 'F', 'Z', 'R', env_version};
    keys_key_id(seal_to_pk, head + 5);
    static const char ctx[] = "hifazat report v1";
    size_t mlen = sizeof(ctx) + 13 + 32 + blen;
    uint8_t *m = malloc(mlen), *plain = calloc(1, bucket);
    memcpy(m, ctx, sizeof(ctx));
    memcpy(m + sizeof(ctx), head, 13);
    memcpy(m + sizeof(ctx) + 13, sign_for_pk, 32);
    memcpy(m + sizeof(ctx) + 45, body, blen);
    memcpy(plain, "HFZP", 4);
    plain[4] = plain_version;
    memcpy(plain + 5, keys_kiosk_public(k), 32);
    keys_kiosk_sign(k, m, mlen, plain + 37);
    memcpy(plain + hlen, body, blen);
    size_t padded;
    REQUIRE(sodium_pad(&padded, plain, hlen + blen, bucket, bucket) == 0, "pad");
    *outlen = 13 + crypto_box_SEALBYTES + bucket;
    uint8_t *out = malloc(*outlen);
    memcpy(out, head, 13);
    crypto_box_seal(out + 13, plain, bucket, seal_to_pk);
    free(m);
    free(plain);
    return out;
}

static const char *valid_body =
    "{\"format\":\"hifazat-report\",\"version\":1,\"report_id\":\"00112233445566778899aabbccddeeff\","
    "\"case_code\":\"K7P2-9XQM\",\"pin\":\"012345\",\"created_at\":\"2025-01-31T14:05:00Z\","
    "\"clock_trusted\":true,\"app_version\":\"0.1.0\",\"kiosk_id\":\"lahore-01\",\"route\":\"adult\","
    "\"reporter\":\"self\",\"language\":\"en\",\"training\":false,\"items\":[{\"kind\":\"image\","
    "\"size\":10,\"signals\":[{\"type\":\"md5\",\"value\":\"0123456789abcdef0123456789abcdef\"}%s]}]%s}";

static char *body_with(const char *extra_signal, const char *extra_field)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf), valid_body, extra_signal, extra_field);
    return buf;
}

static enum report_err open_crafted(const char *body, const struct keys_kiosk *k,
                                    const struct keys_helpline *h, uint8_t ev, uint8_t pv,
                                    struct report_opened **o)
{
    size_t len;
    uint8_t *s = craft(body, k, keys_helpline_public(h), keys_helpline_public(h), ev, pv, &len);
    char err[256];
    enum report_err e = report_open(s, len, h, o, err, sizeof(err));
    free(s);
    return e;
}

static void test_crafted(void)
{
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0), *other = test_helpline_key(1);
    struct report_opened *o = NULL;

    CHECK(open_crafted(body_with("", ""), k, h, 1, 1, &o) == REPORT_OK, "crafted valid body opens");
    CHECK(o && !strcmp(report_opened_id(o), "00112233445566778899aabbccddeeff"), "id");
    report_opened_free(o);

    /* case codes: today's digits with their check digit; an older kiosk's
     * base32 code (the body above) still opens */
    static const struct {
        const char *code;
        enum report_err want;
    } codes[] = {
        {"4820-7316-5912", REPORT_OK},        {"3071-5926-4803", REPORT_OK},
        {"4820-7316-5913", REPORT_ERR_SCHEMA}, /* a wrong check digit */
        {"4820-7136-5912", REPORT_ERR_SCHEMA}, /* two neighbours swapped */
        {"482073165912", REPORT_ERR_SCHEMA},   {"4820 7316 5912", REPORT_ERR_SCHEMA},
        {"4820-7316-591", REPORT_ERR_SCHEMA},  {"K7P2-9XQM-5912", REPORT_ERR_SCHEMA},
        {"k7p2-9xqm", REPORT_ERR_SCHEMA},      {"K7P2-9XQU", REPORT_ERR_SCHEMA},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char body[2048], *at;
        snprintf(body, sizeof body, "%s", body_with("", ""));
        REQUIRE((at = strstr(body, "K7P2-9XQM")), "case code in the body");
        size_t n = strlen(codes[i].code);
        memmove(at + n, at + 9, strlen(at + 9) + 1);
        memcpy(at, codes[i].code, n);
        CHECK(open_crafted(body, k, h, 1, 1, &o) == codes[i].want, "case code %s", codes[i].code);
        report_opened_free(o);
        o = NULL;
    }

    /* versions */
    CHECK(open_crafted(body_with("", ""), k, h, 2, 1, &o) == REPORT_ERR_VERSION, "envelope v2");
    CHECK(open_crafted(body_with("", ""), k, h, 1, 2, &o) == REPORT_ERR_VERSION, "framing v2");
    char v2[2048];
    snprintf(v2, sizeof(v2), "%s", body_with("", ""));
    memcpy(strstr(v2, "\"version\":1"), "\"version\":2", 11);
    CHECK(open_crafted(v2, k, h, 1, 1, &o) == REPORT_ERR_VERSION, "schema v2");

    /* schema strictness */
    CHECK(open_crafted(body_with("", ",\"path\":\"/x\""), k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "unknown top-level field refused");
    CHECK(open_crafted(body_with(",{\"type\":\"md5\",\"value\":\"0123456789ABCDEF0123456789abcdef\"}", ""),
                       k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "uppercase hex refused");
    CHECK(open_crafted(body_with(",{\"type\":\"pdq\",\"value\":\"" "0000000000000000000000000000000000000000000000000000000000000000" "\",\"quality\":0}", ""),
                       k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "all-zero PDQ refused");
    CHECK(open_crafted(body_with(",{\"type\":\"video_md5\",\"value\":\"0123456789abcdef0123456789abcdef\"}", ""),
                       k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "video signal on an image refused");
    /* SHA-1 (an optional signal added later in version 1): 40 hex digits */
    CHECK(open_crafted(body_with(",{\"type\":\"sha1\",\"value\":\"a9993e364706816aba3e25717850c26c9cd0d89d\"}", ""),
                       k, h, 1, 1, &o) == REPORT_OK,
          "sha1 accepted");
    report_opened_free(o);
    o = NULL;
    CHECK(open_crafted(body_with(",{\"type\":\"sha1\",\"value\":\"a9993e364706816aba3e25717850c26c9cd0d89\"}", ""),
                       k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "sha1 of 39 digits refused");
    CHECK(open_crafted(body_with(",{\"type\":\"video_sha1\",\"value\":\"a9993e364706816aba3e25717850c26c9cd0d89d\"}", ""),
                       k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "video_sha1 on an image refused");
    char dupkey[2048];
    snprintf(dupkey, sizeof(dupkey), "%s", body_with("", ",\"route\":\"adult\""));
    CHECK(open_crafted(dupkey, k, h, 1, 1, &o) == REPORT_ERR_SCHEMA, "duplicate key refused");
    CHECK(open_crafted("not json", k, h, 1, 1, &o) == REPORT_ERR_SCHEMA, "not JSON");

    /* origin: optional, one of three words */
    CHECK(open_crafted(body_with("", ",\"origin\":\"copy\""), k, h, 1, 1, &o) == REPORT_OK,
          "origin copy opens");
    CHECK(o && !strcmp(json_string_value(json_object_get(report_opened_json(o), "origin")), "copy"),
          "origin kept");
    report_opened_free(o);
    o = NULL;
    CHECK(open_crafted(body_with("", ",\"origin\":\"stolen\""), k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "unknown origin refused");
    CHECK(open_crafted(body_with("", ",\"origin\":1"), k, h, 1, 1, &o) == REPORT_ERR_SCHEMA,
          "origin not a string refused");

    /* a signal type from a later version: left out with a warning */
    CHECK(open_crafted(body_with(",{\"type\":\"tmk_pdqf\",\"value\":\"abc\"}", ""), k, h, 1, 1, &o) ==
              REPORT_OK,
          "unknown signal type does not break the report");
    CHECK(o && report_opened_warning(o), "... but is named in a warning");
    CHECK(o && json_array_size(json_object_get(json_array_get(json_object_get(report_opened_json(o), "items"), 0), "signals")) == 1,
          "... and left out");
    report_opened_free(o);

    /* training reports are never real */
    char train[2048];
    snprintf(train, sizeof(train), "%s", body_with("", ""));
    memcpy(strstr(train, "\"training\":false"), "\"training\":true ", 16);
    CHECK(open_crafted(train, k, h, 1, 1, &o) == REPORT_ERR_TRAINING, "training report refused");

    /* signatures */
    size_t len;
    char err[256];
    uint8_t *s = craft(body_with("", ""), k, keys_helpline_public(other), keys_helpline_public(h),
                       1, 1, &len);
    CHECK(report_open(s, len, h, &o, err, sizeof(err)) == REPORT_ERR_SIGNATURE,
          "signed for another helpline, re-sealed to us (forwarding) refused: %s", err);
    free(s);

    struct report_opened *o2 = NULL;
    CHECK(open_crafted(body_with("", ""), k, other, 1, 1, &o2) == REPORT_OK, "other key opens its own");
    report_opened_free(o2);

    keys_kiosk_close(k);
    keys_helpline_close(h);
    keys_helpline_close(other);
}

static void test_seal_open_tamper(void)
{
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0), *other = test_helpline_key(2);
    size_t len;
    char id[33];
    uint8_t *s = test_sealed(3, k, h, &len, id);
    struct report_opened *o;
    char err[256];
    REQUIRE(report_open(s, len, h, &o, err, sizeof(err)) == REPORT_OK, "open: %s", err);
    CHECK(!strcmp(report_opened_id(o), id), "id survives");
    CHECK(!memcmp(report_opened_kiosk_key(o), keys_kiosk_public(k), 32), "kiosk key");
    report_opened_free(o);

    /* every byte, every bit of the header */
    unsigned accepted = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t *t = malloc(len);
        memcpy(t, s, len);
        t[i] ^= (uint8_t)(1u << (i % 8));
        if (report_open(t, len, h, &o, err, sizeof(err)) == REPORT_OK) {
            accepted++;
            report_opened_free(o);
        }
        free(t);
    }
    CHECK(accepted == 0, "%u of %zu single-byte flips were accepted", accepted, len);
    for (size_t bit = 0; bit < 13 * 8; bit++) {
        s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK(report_open(s, len, h, &o, err, sizeof(err)) != REPORT_OK, "header bit %zu", bit);
        s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* every truncation, and one byte too many */
    accepted = 0;
    for (size_t n = 0; n < len; n++)
        if (report_open(s, n, h, &o, err, sizeof(err)) == REPORT_OK) {
            accepted++;
            report_opened_free(o);
        }
    CHECK(accepted == 0, "%u truncations accepted", accepted);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, s, len);
    longer[len] = 0;
    CHECK(report_open(longer, len + 1, h, &o, err, sizeof(err)) == REPORT_ERR_DAMAGED, "extra byte");
    free(longer);
    CHECK(report_open(s, 100, h, &o, err, sizeof(err)) == REPORT_ERR_DAMAGED, "truncated: %s", err);
    /* wrong key: named as such; with the key id forged, still refused */
    CHECK(report_open(s, len, other, &o, err, sizeof(err)) == REPORT_ERR_WRONG_KEY, "wrong key");
    keys_key_id(keys_helpline_public(other), s + 5);
    CHECK(report_open(s, len, other, &o, err, sizeof(err)) == REPORT_ERR_DAMAGED,
          "wrong key with forged key id");
    CHECK(report_open((const uint8_t *)"PK\3\4 not a report", 18, h, &o, err, sizeof(err)) ==
              REPORT_ERR_FORMAT,
          "not a report");
    free(s);
    keys_kiosk_close(k);
    keys_helpline_close(h);
    keys_helpline_close(other);
}

static void test_padding(void)
{
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    size_t l1, l5, l200;
    uint8_t *a = test_sealed(1, k, h, &l1, NULL), *b = test_sealed(5, k, h, &l5, NULL);
    uint8_t *c = test_sealed(200, k, h, &l200, NULL);
    CHECK(l1 == l5, "1 and 5 items look the same (%zu vs %zu)", l1, l5);
    CHECK(l1 == 13 + 48 + 4096, "smallest bucket");
    size_t p = l200 - 61;
    CHECK(p > 4096 && (p & (p - 1)) == 0, "200 items: a power-of-two bucket (%zu)", p);
    free(a);
    free(b);
    free(c);
    keys_kiosk_close(k);
    keys_helpline_close(h);
}

static int add_line(struct report *r, const char *json)
{
    json_error_t je;
    json_t *j = json_loads(json, 0, &je);
    REQUIRE(j, "bad test JSON %s", json);
    int rc = report_add_hash_json(r, j);
    json_decref(j);
    return rc;
}

#define MD5 "\"md5\":\"0123456789abcdef0123456789abcdef\""
#define SHA "\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\""
#define PDQ1 "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"

static void test_validation(void)
{
    struct report_meta m = test_meta();
    struct report *r = report_create(&m);
    REQUIRE(r, "create");
    CHECK(add_line(r, "{\"kind\":\"image\",\"size\":5," MD5 "," SHA ",\"pdq\":\"" PDQ1 "\",\"pdq_quality\":100}") == 0,
          "good image: %s", report_error_message(r));
    static const char *const bad[] = {
        "{\"kind\":\"image\",\"size\":5,\"md5\":\"0123456789abcdef0123456789abcde\"}",
        "{\"kind\":\"image\",\"size\":5,\"md5\":\"0123456789abcdef0123456789abcdeff\"}",
        "{\"kind\":\"image\",\"size\":5,\"md5\":\"0123456789ABCDEF0123456789abcdef\"}",
        "{\"kind\":\"image\",\"size\":5,\"md5\":\"0123456789abcdeg0123456789abcdef\"}",
        "{\"kind\":\"image\",\"size\":5,\"md5\":12}",
        "{\"kind\":\"image\",\"size\":5," MD5 ",\"sha256\":\"0123\"}",
        "{\"kind\":\"image\",\"size\":5," MD5 ",\"pdq\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"pdq_quality\":0}",
        "{\"kind\":\"image\",\"size\":5," MD5 ",\"pdq\":\"" PDQ1 "\"}",
        "{\"kind\":\"image\",\"size\":5," MD5 ",\"pdq\":\"" PDQ1 "\",\"pdq_quality\":101}",
        "{\"kind\":\"image\",\"size\":5," MD5 ",\"pdq\":\"" PDQ1 "0\",\"pdq_quality\":50}",
        "{\"kind\":\"image\",\"size\":0," MD5 "}",
        "{\"kind\":\"image\"," MD5 "}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",100\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",101,0.000\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",50,-1\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",50,1.2345\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",050,1.2\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[\"" PDQ1 ",50,1.2,x\"]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":[]}",
        "{\"kind\":\"video\",\"size\":5," MD5 ",\"vpdq\":\"" PDQ1 ",50,1.2\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(add_line(r, bad[i]) == -1, "refused: %s", bad[i]);
        CHECK(report_error(r) == REPORT_ERR_INVALID, "code for %s", bad[i]);
        CHECK(strstr(report_error_message(r), "item 2"), "message names the item: %s",
              report_error_message(r));
    }
    CHECK(report_item_count(r) == 1, "refused items left the report unchanged");
    CHECK(add_line(r, "{\"kind\":\"other\",\"size\":5," MD5 "}") == 1, "other: left out");
    CHECK(add_line(r, "{\"kind\":\"image\",\"error\":\"not_found\"}") == 1, "unread: left out");
    /* a video with vPDQ: uniform frames (all-zero PDQ) are dropped, not refused */
    CHECK(add_line(r, "{\"kind\":\"video\",\"size\":9," MD5 "," SHA ",\"vpdq\":["
                      "\"0000000000000000000000000000000000000000000000000000000000000000,0,0.000\","
                      "\"" PDQ1 ",100,1.000\",\"" PDQ1 ",49,2\"]}") == 0,
          "video: %s", report_error_message(r));
    CHECK(report_item_count(r) == 2, "video added");
    const json_t *doc = NULL;
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    uint8_t *s;
    size_t len;
    REQUIRE(report_seal(r, k, keys_helpline_public(h), &s, &len) == 0, "seal");
    struct report_opened *o;
    char err[200];
    REQUIRE(report_open(s, len, h, &o, err, sizeof(err)) == REPORT_OK, "open %s", err);
    doc = report_opened_json(o);
    const json_t *vid = json_array_get(json_object_get(doc, "items"), 1);
    const json_t *sigs = json_object_get(vid, "signals");
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 0), "type")), "video_md5"),
          "video md5 named video_md5");
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 1), "type")), "video_sha256"),
          "video sha256 named video_sha256");
    const json_t *vp = json_object_get(json_array_get(sigs, 2), "value");
    CHECK(json_array_size(vp) == 2, "uniform frame dropped, others kept");
    char *dump = json_dumps(doc, 0);
    CHECK(!json_object_get(doc, "path") && !strstr(dump, "DCIM"), "no path");
    CHECK(!json_object_get(doc, "origin"), "no origin when it was not asked");
    free(dump);
    report_opened_free(o);
    free(s);

    /* origin: written only when asked, read back as the helpline reads it */
    {
        struct report_meta mo = test_meta();
        mo.origin = REPORT_ORIGIN_NOT_SURE;
        struct report *ro = report_create(&mo);
        REQUIRE(ro, "create with origin");
        add_line(ro, "{\"kind\":\"image\",\"size\":5," MD5 "}");
        uint8_t *so;
        size_t lo;
        REQUIRE(report_seal(ro, k, keys_helpline_public(h), &so, &lo) == 0, "seal with origin");
        struct report_opened *oo;
        REQUIRE(report_open(so, lo, h, &oo, err, sizeof(err)) == REPORT_OK, "open %s", err);
        const char *ov = json_string_value(json_object_get(report_opened_json(oo), "origin"));
        CHECK(ov && !strcmp(ov, "not_sure"), "origin not_sure written");
        report_opened_free(oo);
        free(so);
        report_destroy(ro);
        mo.origin = (enum report_origin)7;
        CHECK(!report_create(&mo), "an unknown origin is not created");
    }

    /* a training report is never sealed; its receipt comes from the demo call only */
    struct report_receipt rc;
    CHECK(report_receipt(r, &rc) == -1 && rc.case_code[0] == 0, "no receipt before queued");
    CHECK(report_training_receipt(r, &rc) == -1, "no demo receipt for a real report");
    report_destroy(r);
    m.training = true;
    r = report_create(&m);
    add_line(r, "{\"kind\":\"image\",\"size\":5," MD5 "}");
    CHECK(report_seal(r, k, keys_helpline_public(h), &s, &len) == -1 &&
              report_error(r) == REPORT_ERR_TRAINING,
          "training report not sealed");
    CHECK(report_training_receipt(r, &rc) == 0 && rc.case_code[4] == '-', "demo receipt");
    report_destroy(r);
    m.training = false;
    r = report_create(&m);
    CHECK(report_seal(r, k, keys_helpline_public(h), &s, &len) == -1 &&
              report_error(r) == REPORT_ERR_EMPTY,
          "empty report not sealed");
    report_destroy(r);
    keys_kiosk_close(k);
    keys_helpline_close(h);
}

static void test_codes(void)
{
    unsigned seen[10] = {0};
    unsigned digits[10] = {0};
    char prev[REPORT_CASE_CODE_LEN + 1] = "";
    unsigned same = 0;
    struct report_meta m = test_meta();
    m.training = true; /* receipts without a queue */
    for (int i = 0; i < 2000; i++) {
        struct report *r = report_create(&m);
        json_t *line = test_image_line(7); /* identical items every time */
        report_add_hash_json(r, line);
        json_decref(line);
        struct report_receipt rc;
        REQUIRE(report_training_receipt(r, &rc) == 0, "receipt");
        /* Digits only, three groups of four, the last one Damm's check digit. */
        const char *cc = rc.case_code;
        CHECK(strlen(cc) == 14 && cc[4] == '-' && cc[9] == '-' && strspn(cc, "0123456789") == 4 &&
                  strspn(cc + 5, "0123456789") == 4 && strspn(cc + 10, "0123456789") == 4,
              "format %s", cc);
        char d[12];
        for (int c = 0, o = 0; c < 14; c++)
            if (c != 4 && c != 9)
                d[o++] = cc[c];
        CHECK(report_damm(d, 12) == 0, "check digit of %s", cc);
        for (int c = 0; c < 11; c++)
            if (d[c] >= '0' && d[c] <= '9')
                seen[d[c] - '0']++;
        char norm[REPORT_CASE_CODE_LEN + 1];
        CHECK(report_case_code_normalize(cc, norm) == 0 && !strcmp(norm, cc), "%s normalises to itself", cc);
        CHECK(strlen(rc.pin) == 6 && strspn(rc.pin, "0123456789") == 6, "pin %s", rc.pin);
        for (int c = 0; c < 6; c++)
            digits[rc.pin[c] - '0']++;
        same += !strcmp(prev, cc);
        memcpy(prev, cc, sizeof prev);
        report_destroy(r);
    }
    CHECK(same == 0, "case codes repeat for identical items");
    /* 11 random digits each: ~2200 draws of every digit */
    for (int i = 0; i < 10; i++)
        CHECK(seen[i] > 1900 && seen[i] < 2500, "code digit %d drawn %u times of ~2200", i, seen[i]);
    for (int i = 0; i < 10; i++)
        CHECK(digits[i] > 1000 && digits[i] < 1400, "digit %d drawn %u times of ~1200", i, digits[i]);

    /* Damm: 572 -> 4 (the textbook example); every single wrong digit and
     * every swap of two different neighbours of a code is caught. */
    CHECK(report_damm("572", 3) == 4 && report_damm("5724", 4) == 0 && report_damm("57a", 3) == -1, "damm");
    char code[13] = "482073165912";
    int missed = 0;
    for (int i = 0; i < 12; i++) {
        for (char c = '0'; c <= '9'; c++) {
            char t[13];
            memcpy(t, code, 13);
            if (t[i] == c)
                continue;
            t[i] = c;
            missed += report_damm(t, 12) == 0;
        }
        if (i < 11 && code[i] != code[i + 1]) {
            char t[13];
            memcpy(t, code, 13);
            t[i] = code[i + 1];
            t[i + 1] = code[i];
            missed += report_damm(t, 12) == 0;
        }
    }
    CHECK(missed == 0, "%d copying mistakes not caught", missed);

    char out[REPORT_CASE_CODE_LEN + 1];
    /* as a person types or reads it: any grouping, Urdu or Arabic digits */
    CHECK(report_case_code_normalize("4820-7316-5912", out) == 0 && !strcmp(out, "4820-7316-5912"), "digits");
    CHECK(report_case_code_normalize(" 4820 7316 5912 ", out) == 0 && !strcmp(out, "4820-7316-5912"), "spaces");
    CHECK(report_case_code_normalize("482073165912", out) == 0 && !strcmp(out, "4820-7316-5912"), "no groups");
    CHECK(report_case_code_normalize("\u06f4\u06f8\u06f2\u06f0-\u06f7\u06f3\u06f1\u06f6-\u06f5\u06f9\u06f1\u06f2",
                                     out) == 0 && !strcmp(out, "4820-7316-5912"),
          "Urdu digits");
    CHECK(report_case_code_normalize("\u0664\u0668\u0662\u0660 7316 5912", out) == 0 && !strcmp(out, "4820-7316-5912"),
          "Arabic digits");
    CHECK(report_case_code_normalize("4820-7316-5913", out) == -1, "wrong check digit");
    CHECK(report_case_code_normalize("4820-7316-591", out) == -1, "11 digits");
    CHECK(report_case_code_normalize("4820-7316-59122", out) == -1, "13 digits");
    CHECK(report_case_code_normalize("4820-7316-591x", out) == -1, "a letter");
    CHECK(report_case_code_normalize("\u06f4\u06f8", out) == -1, "two digits");
    /* codes of older kiosks */
    CHECK(report_case_code_normalize("k7p2 9xqm", out) == 0 && !strcmp(out, "K7P2-9XQM"), "normalize");
    CHECK(report_case_code_normalize("OIL0-1234", out) == 0 && !strcmp(out, "0110-1234"), "O/I/L");
    CHECK(report_case_code_normalize("K7P2-9XQ", out) == -1, "short");
    CHECK(report_case_code_normalize("K7P2-9XQU", out) == -1, "U is not in the alphabet");
}

/* Real files through the hashing engine: the report carries exactly what
 * hash_file computed, in the variants `hifazat hash` prints. */
static void test_real_files(void)
{
    static const char *const files[] = {
        "pdq/images/repo/bridge-mods/aaa-orig.jpg",
        "pdq/images/repo/exif-rotn/exif-rotn-6.jpg",
        "pdq/images/repo/misc-images/small.jpg",
        "vpdq/videos/chair-19-sd-bar.mp4",
    };
    struct hash_ctx *ctx = hash_ctx_create(NULL);
    struct report_meta m = test_meta();
    struct report *r = report_create(&m);
    struct hash_result *res = calloc(4, sizeof(*res));
    for (int i = 0; i < 4; i++) {
        REQUIRE(hash_file(ctx, shared_path(files[i]), &res[i]) == 0, "hash %s", files[i]);
        CHECK(report_add_hash_result(r, &res[i]) == 0, "%s: %s", files[i], report_error_message(r));
    }
    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    uint8_t *s;
    size_t len;
    REQUIRE(report_seal(r, k, keys_helpline_public(h), &s, &len) == 0, "seal");
    struct report_opened *o;
    char err[200];
    REQUIRE(report_open(s, len, h, &o, err, sizeof(err)) == REPORT_OK, "open %s", err);
    const json_t *items = json_object_get(report_opened_json(o), "items");
    CHECK(json_array_size(items) == 4, "4 items");
    for (int i = 0; i < 4; i++) {
        const json_t *it = json_array_get(items, i);
        const json_t *sigs = json_object_get(it, "signals");
        char md5[33], sha1[41], sha[65], pdq[65];
        digest_hex(res[i].md5, 16, md5);
        digest_hex(res[i].sha1, 20, sha1);
        digest_hex(res[i].sha256, 32, sha);
        CHECK(json_integer_value(json_object_get(it, "size")) == (json_int_t)res[i].size, "size");
        CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 0), "value")), md5), "md5 %d", i);
        CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 1), "value")), sha1), "sha1 %d", i);
        CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 1), "type")),
                      res[i].kind == HASH_KIND_VIDEO ? "video_sha1" : "sha1"),
              "sha1 type %d", i);
        CHECK(!strcmp(json_string_value(json_object_get(json_array_get(sigs, 2), "value")), sha), "sha %d", i);
        if (res[i].kind == HASH_KIND_IMAGE) {
            pdq_hex(&res[i].pdq[HASH_PDQ_CLI].hash, pdq);
            const json_t *p = json_array_get(sigs, 3);
            CHECK(!strcmp(json_string_value(json_object_get(p, "value")), pdq), "pdq %d", i);
            CHECK(json_integer_value(json_object_get(p, "quality")) == res[i].pdq[HASH_PDQ_CLI].quality, "quality");
        } else {
            /* vPDQ as `hifazat hash` prints it: one frame per second */
            const json_t *v = json_array_get(sigs, 3);
            const struct vpdq_list *l = &res[i].vpdq->frames;
            CHECK(json_array_size(sigs) == 4 && !strcmp(json_string_value(json_object_get(v, "type")), "vpdq") &&
                      !json_object_get(v, "variant"),
                  "video: md5 + sha1 + sha256 + vpdq");
            const json_t *frames = json_object_get(v, "value");
            CHECK(json_array_size(frames) == l->n && l->n == 19, "vpdq: %zu frames", json_array_size(frames));
            for (size_t f = 0; f < l->n && f < json_array_size(frames); f++) {
                char want[VPDQ_FORMAT_LEN];
                CHECK(!strcmp(json_string_value(json_array_get(frames, f)), vpdq_format(&l->v[f], want)),
                      "vpdq frame %zu", f);
            }
        }
    }
    /* exif-rotn-6 carries the displayed variants */
    const json_t *rot = json_object_get(json_array_get(items, 1), "signals");
    bool displayed = false;
    for (size_t i = 0; i < json_array_size(rot); i++) {
        const json_t *v = json_object_get(json_array_get(rot, i), "variant");
        displayed |= v && !strcmp(json_string_value(v), "displayed");
    }
    CHECK(displayed, "displayed PDQ of a rotated photo");
    report_opened_free(o);
    free(s);
    for (int i = 0; i < 4; i++)
        hash_result_clear(&res[i]);
    free(res);
    report_destroy(r);
    hash_ctx_destroy(ctx);
    keys_kiosk_close(k);
    keys_helpline_close(h);
}

/* A rotated video's displayed frames go in as the "displayed" variant;
 * uniform frames (all-zero PDQ) are left out; a video of nothing but
 * uniform frames keeps its digests. */
static void test_video_result(void)
{
    struct vpdq_result *v = calloc(1, sizeof(*v));
    REQUIRE(v, "calloc");
    struct vpdq_feature f = {.quality = 100, .frame = 0, .timestamp = 0};
    REQUIRE(pdq_parse("e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c", &f.hash) == 0, "hex");
    struct vpdq_feature zero = {.quality = 0, .frame = 30, .timestamp = 1.0};
    struct vpdq_feature g = f;
    g.frame = 60;
    g.timestamp = 2.0;
    g.quality = 42;
    REQUIRE(vpdq_list_push(&v->frames, &f) == 0 && vpdq_list_push(&v->frames, &zero) == 0 &&
                vpdq_list_push(&v->frames, &g) == 0 && vpdq_list_push(&v->displayed, &g) == 0,
            "push");
    struct hash_result res;
    memset(&res, 0, sizeof(res));
    res.kind = HASH_KIND_VIDEO;
    res.size = 1234;
    res.have_digests = true;
    memset(res.md5, 0x11, sizeof(res.md5));
    memset(res.sha1, 0x33, sizeof(res.sha1));
    memset(res.sha256, 0x22, sizeof(res.sha256));
    res.vpdq = v;
    struct report_meta m = test_meta();
    struct report *r = report_create(&m);
    CHECK(report_add_hash_result(r, &res) == 0, "rotated video: %s", report_error_message(r));
    /* the same video with only uniform frames */
    vpdq_list_free(&v->frames);
    vpdq_list_free(&v->displayed);
    REQUIRE(vpdq_list_push(&v->frames, &zero) == 0, "push");
    CHECK(report_add_hash_result(r, &res) == 0, "uniform video: %s", report_error_message(r));
    hash_result_clear(&res);
    /* and as a line of `hifazat hash` */
    json_t *line = json_loads("{\"kind\":\"video\",\"size\":9,\"md5\":\"0123456789abcdef0123456789abcdef\","
                              "\"sha256\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
                              "\"vpdq\":[\"0000000000000000000000000000000000000000000000000000000000000000,0,0.000\"]}",
                              0, NULL);
    REQUIRE(line, "json");
    CHECK(report_add_hash_json(r, line) == 0, "uniform video line: %s", report_error_message(r));
    json_decref(line);

    struct keys_kiosk *k = test_kiosk_key(0);
    struct keys_helpline *h = test_helpline_key(0);
    uint8_t *s;
    size_t len;
    REQUIRE(report_seal(r, k, keys_helpline_public(h), &s, &len) == 0, "seal");
    struct report_opened *o;
    char err[200];
    REQUIRE(report_open(s, len, h, &o, err, sizeof(err)) == REPORT_OK, "open %s", err);
    const json_t *items = json_object_get(report_opened_json(o), "items");
    const json_t *sigs = json_object_get(json_array_get(items, 0), "signals");
    CHECK(json_array_size(sigs) == 5, "md5, sha1, sha256, vpdq, vpdq displayed: %zu",
          json_array_size(sigs));
    const json_t *dec = json_object_get(json_array_get(sigs, 3), "value");
    CHECK(json_array_size(dec) == 2 &&
              !strcmp(json_string_value(json_array_get(dec, 0)),
                      "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,100,0.000") &&
              !strcmp(json_string_value(json_array_get(dec, 1)),
                      "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,42,2.000"),
          "decoded frames, the uniform one left out");
    const json_t *disp = json_array_get(sigs, 4);
    CHECK(!strcmp(json_string_value(json_object_get(disp, "variant")), "displayed") &&
              json_array_size(json_object_get(disp, "value")) == 1,
          "displayed variant");
    sigs = json_object_get(json_array_get(items, 1), "signals");
    CHECK(json_array_size(sigs) == 3, "uniform video: digests only (%zu signals)", json_array_size(sigs));
    sigs = json_object_get(json_array_get(items, 2), "signals");
    /* a line of an older `hifazat hash`, without sha1, still makes an item */
    CHECK(json_array_size(sigs) == 2, "uniform video line: digests only (%zu signals)", json_array_size(sigs));
    report_opened_free(o);
    free(s);
    report_destroy(r);
    keys_kiosk_close(k);
    keys_helpline_close(h);
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    test_crafted();
    test_seal_open_tamper();
    test_padding();
    test_validation();
    test_codes();
    test_real_files();
    test_video_result();
    return check_exit();
}
