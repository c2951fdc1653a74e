#include "report.h"
#include "errfmt.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

/* Clear envelope and plaintext framing (docs/report-format.md). */
static const uint8_t ENVELOPE_MAGIC[4] = {'H', 'F', 'Z', 'R'};
static const uint8_t PLAIN_MAGIC[4] = {'H', 'F', 'Z', 'P'};
static const char SIGN_CONTEXT[] = "hifazat report v1"; /* signed with its NUL */
enum {
    PLAIN_HEADER = 4 + 1 + KEYS_PUBLIC_SIZE + KEYS_SIGNATURE_SIZE,
    SEAL_OVERHEAD = crypto_box_SEALBYTES,
};

struct report {
    json_t *doc;
    json_t *items; /* borrowed from doc */
    struct report_receipt receipt;
    bool training, queued;
    bool withdrawal; /* kind "withdrawal": no items */
    enum report_err err;
    char msg[256];
};

struct report_opened {
    json_t *doc;
    char id[REPORT_ID_HEX + 1];
    uint8_t kiosk_pk[KEYS_PUBLIC_SIZE];
    char warning[256];
};

/* ------------------------------------------------------------- names */

static const char *const route_names[] = {"under18", "adult"};
static const char *const reporter_names[] = {"self", "parent_or_trusted_adult", "helper"};

const char *report_route_name(enum report_route r)
{
    return (unsigned)r < 2 ? route_names[r] : "?";
}

const char *report_reporter_name(enum report_reporter r)
{
    return (unsigned)r < 3 ? reporter_names[r] : "?";
}

static const char *const origin_names[] = {"?", "original", "copy", "not_sure"};

const char *report_origin_name(enum report_origin o)
{
    return (unsigned)o < 4 ? origin_names[o] : "?";
}

int report_origin_parse(const char *s, enum report_origin *out)
{
    for (int i = REPORT_ORIGIN_ORIGINAL; i <= REPORT_ORIGIN_NOT_SURE; i++)
        if (!strcmp(s, origin_names[i])) {
            *out = (enum report_origin)i;
            return 0;
        }
    return -1;
}

int report_route_parse(const char *s, enum report_route *out)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(s, route_names[i])) {
            *out = (enum report_route)i;
            return 0;
        }
    return -1;
}

int report_reporter_parse(const char *s, enum report_reporter *out)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, reporter_names[i])) {
            *out = (enum report_reporter)i;
            return 0;
        }
    return -1;
}

const char *report_err_code(enum report_err e)
{
    static const char *const codes[] = {
        "ok", "out_of_memory", "invalid", "empty", "too_large", "training", "not_queued",
        "not_a_report", "unknown_version", "wrong_key", "damaged", "bad_signature", "bad_schema",
    };
    return (unsigned)e < sizeof(codes) / sizeof(codes[0]) ? codes[e] : "unknown";
}

int report_clock_trusted(void)
{
    struct timex tx = {0};
    int state = adjtimex(&tx);
    if (state < 0 || state == TIME_ERROR || (tx.status & STA_UNSYNC))
        return 0;
    /* A synchronised clock before this code was written is still wrong. */
    return time(NULL) > 1735689600 /* 2025-01-01 */ ? 1 : 0;
}

/* --------------------------------------------------------- validation */

static bool is_hex(const char *s, size_t want, size_t len)
{
    if (len != want)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool all_zero_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != '0')
            return false;
    return true;
}

enum vt { VT_HEX32, VT_HEX40, VT_HEX64, VT_PDQ, VT_VPDQ };
enum item_kind { KIND_IMAGE, KIND_VIDEO };

/* Signal types: python-threatexchange / HMA names where they exist (pdq,
 * video_md5, video_sha256, vpdq); md5/sha1/sha256 (photos) and video_sha1
 * follow the same pattern. New types are added here (sha1 and video_sha1
 * were, for NCMEC's hash lists); readers of older versions leave them out. */
static const struct sigtype {
    const char *name;
    enum item_kind kind;
    enum vt vt;
} sigtypes[] = {
    {"md5", KIND_IMAGE, VT_HEX32},
    {"sha1", KIND_IMAGE, VT_HEX40},
    {"sha256", KIND_IMAGE, VT_HEX64},
    {"pdq", KIND_IMAGE, VT_PDQ},
    {"video_md5", KIND_VIDEO, VT_HEX32},
    {"video_sha1", KIND_VIDEO, VT_HEX40},
    {"video_sha256", KIND_VIDEO, VT_HEX64},
    {"vpdq", KIND_VIDEO, VT_VPDQ},
};

static const struct sigtype *find_sigtype(const char *name)
{
    for (size_t i = 0; i < sizeof(sigtypes) / sizeof(sigtypes[0]); i++)
        if (!strcmp(sigtypes[i].name, name))
            return &sigtypes[i];
    return NULL;
}

static const char *const pdq_variants[] = {"full", "displayed", "displayed_full"};
static const char *const vpdq_variants[] = {"displayed"};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* "pdqhex,quality,timestamp" (HMA's vPDQ text form), timestamp in seconds
 * with up to 3 decimals. */
static int check_vpdq_frame(const char *s, size_t len, char *err, size_t n, const char *where,
                            size_t frame)
{
    const char *c1 = memchr(s, ',', len);
    const char *c2 = c1 ? memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - s)) : NULL;
    if (!c1 || !c2 || !is_hex(s, 64, (size_t)(c1 - s)))
        return errfmt(err, n, "%s: vpdq frame %zu is not \"pdqhex,quality,timestamp\"", where,
                      frame + 1);
    if (all_zero_hex(s, 64))
        return errfmt(err, n, "%s: vpdq frame %zu has an all-zero PDQ", where, frame + 1);
    const char *q = c1 + 1;
    size_t qn = (size_t)(c2 - q);
    int qv = 0;
    bool ok = qn >= 1 && qn <= 3 && !(qn > 1 && q[0] == '0');
    for (size_t i = 0; ok && i < qn; i++) {
        ok = isdigit((unsigned char)q[i]);
        qv = qv * 10 + (q[i] - '0');
    }
    if (!ok || qv > 100)
        return errfmt(err, n, "%s: vpdq frame %zu has a quality that is not 0-100", where,
                      frame + 1);
    const char *t = c2 + 1, *end = s + len;
    size_t ip = 0, fp = 0;
    while (t < end && isdigit((unsigned char)*t) && ip < 8)
        t++, ip++;
    if (t < end && *t == '.') {
        t++;
        while (t < end && isdigit((unsigned char)*t) && fp < 4)
            t++, fp++;
        ok = fp >= 1 && fp <= 3;
    }
    if (!ok || ip == 0 || ip > 7 || t != end)
        return errfmt(err, n, "%s: vpdq frame %zu has a bad timestamp", where, frame + 1);
    return 0;
}

static int check_quality(const json_t *sig, const char *where, const char *type, char *err,
                         size_t n)
{
    const json_t *q = json_object_get(sig, "quality");
    if (!json_is_integer(q) || json_integer_value(q) < 0 || json_integer_value(q) > 100)
        return errfmt(err, n, "%s: %s needs a quality from 0 to 100", where, type);
    return 0;
}

static bool only_keys(const json_t *o, const char *const *keys, size_t nkeys, const char **bad)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        (void)v;
        if (!in_list(k, keys, nkeys)) {
            *bad = k;
            return false;
        }
    }
    return true;
}

/* One signal object; 1 when its type is unknown (caller decides). */
static int check_signal(const json_t *sig, enum item_kind kind, const char *where, char *err,
                        size_t n)
{
    static const char *const keys[] = {"type", "value", "quality", "variant"};
    const char *bad = NULL;
    if (!json_is_object(sig))
        return errfmt(err, n, "%s: a signal is not an object", where);
    const json_t *type = json_object_get(sig, "type");
    if (!json_is_string(type))
        return errfmt(err, n, "%s: a signal has no type", where);
    const char *tn = json_string_value(type);
    const struct sigtype *st = find_sigtype(tn);
    if (!st)
        return 1;
    if (!only_keys(sig, keys, 4, &bad))
        return errfmt(err, n, "%s: %s has an unknown field '%s'", where, tn, bad);
    if (st->kind != kind)
        return errfmt(err, n, "%s: %s does not belong to an item of this kind", where, tn);
    const json_t *v = json_object_get(sig, "value");
    const json_t *variant = json_object_get(sig, "variant");
    switch (st->vt) {
    case VT_HEX32:
    case VT_HEX40:
    case VT_HEX64: {
        size_t want = st->vt == VT_HEX32 ? 32 : st->vt == VT_HEX40 ? 40 : 64;
        if (!json_is_string(v) || !is_hex(json_string_value(v), want, json_string_length(v)))
            return errfmt(err, n, "%s: %s must be %zu lowercase hex digits", where, tn, want);
        if (json_object_get(sig, "quality") || variant)
            return errfmt(err, n, "%s: %s takes no quality or variant", where, tn);
        return 0;
    }
    case VT_PDQ:
        if (!json_is_string(v) || !is_hex(json_string_value(v), 64, json_string_length(v)))
            return errfmt(err, n, "%s: pdq must be 64 lowercase hex digits", where);
        if (all_zero_hex(json_string_value(v), 64))
            return errfmt(err, n, "%s: pdq is all zeros (a blank or tiny picture has no PDQ)",
                          where);
        if (variant && (!json_is_string(variant) ||
                        !in_list(json_string_value(variant), pdq_variants, 3)))
            return errfmt(err, n, "%s: pdq has an unknown variant", where);
        return check_quality(sig, where, tn, err, n);
    case VT_VPDQ: {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return errfmt(err, n, "%s: vpdq must be a non-empty list of frames", where);
        if (json_array_size(v) > REPORT_MAX_VPDQ_FRAMES)
            return errfmt(err, n, "%s: vpdq has more than %d frames", where,
                          REPORT_MAX_VPDQ_FRAMES);
        if (json_object_get(sig, "quality"))
            return errfmt(err, n, "%s: vpdq keeps its quality per frame", where);
        if (variant && (!json_is_string(variant) ||
                        !in_list(json_string_value(variant), vpdq_variants, 1)))
            return errfmt(err, n, "%s: vpdq has an unknown variant", where);
        size_t i;
        const json_t *f;
        json_array_foreach(v, i, f) {
            if (!json_is_string(f))
                return errfmt(err, n, "%s: vpdq frame %zu is not a string", where, i + 1);
            if (check_vpdq_frame(json_string_value(f), json_string_length(f), err, n, where, i))
                return -1;
        }
        return 0;
    }
    }
    return -1;
}

static int check_item(json_t *item, size_t idx, bool drop_unknown, char *err, size_t n,
                      int *dropped, char *warn, size_t warnlen)
{
    static const char *const keys[] = {"kind", "size", "signals"};
    char where[32];
    snprintf(where, sizeof(where), "item %zu", idx + 1);
    const char *bad = NULL;
    if (!json_is_object(item))
        return errfmt(err, n, "%s is not an object", where);
    if (!only_keys(item, keys, 3, &bad))
        return errfmt(err, n, "%s has an unknown field '%s'", where, bad);
    const json_t *kind = json_object_get(item, "kind"), *size = json_object_get(item, "size");
    json_t *sigs = json_object_get(item, "signals");
    enum item_kind k;
    if (json_is_string(kind) && !strcmp(json_string_value(kind), "image"))
        k = KIND_IMAGE;
    else if (json_is_string(kind) && !strcmp(json_string_value(kind), "video"))
        k = KIND_VIDEO;
    else
        return errfmt(err, n, "%s: kind must be \"image\" or \"video\"", where);
    if (!json_is_integer(size) || json_integer_value(size) < 1 ||
        json_integer_value(size) > ((json_int_t)1 << 53))
        return errfmt(err, n, "%s: size must be a positive number of bytes", where);
    if (!json_is_array(sigs) || json_array_size(sigs) == 0 || json_array_size(sigs) > 32)
        return errfmt(err, n, "%s: signals must be a list of 1 to 32 signals", where);
    for (size_t i = 0; i < json_array_size(sigs);) {
        json_t *sig = json_array_get(sigs, i);
        int rc = check_signal(sig, k, where, err, n);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            if (!drop_unknown)
                return errfmt(err, n, "%s: unknown signal type '%s'", where,
                              json_string_value(json_object_get(sig, "type")));
            if (warn && !warn[0])
                snprintf(warn, warnlen, "%s: signal type '%s' is not known to this version; left out",
                         where, json_string_value(json_object_get(sig, "type")));
            (*dropped)++;
            json_array_remove(sigs, i);
            continue;
        }
        /* the same (type, variant) twice would be ambiguous */
        for (size_t j = 0; j < i; j++) {
            const json_t *o = json_array_get(sigs, j);
            const json_t *v1 = json_object_get(sig, "variant"), *v2 = json_object_get(o, "variant");
            if (json_equal(json_object_get(sig, "type"), json_object_get(o, "type")) &&
                ((!v1 && !v2) || (v1 && v2 && json_equal(v1, v2))))
                return errfmt(err, n, "%s: the signal %s appears twice", where,
                              json_string_value(json_object_get(sig, "type")));
        }
        i++;
    }
    if (json_array_size(sigs) == 0)
        return errfmt(err, n, "%s: no signal of a known type", where);
    return 0;
}

/* Damm's quasigroup of order 10: one check digit that catches every wrong
 * digit and every swap of two neighbours, the mistakes people make when
 * they copy or read out a number. */
static const uint8_t damm_table[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int report_damm(const char *digits, size_t n)
{
    int interim = 0;
    for (size_t i = 0; i < n; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return -1;
        interim = damm_table[interim][digits[i] - '0'];
    }
    return interim;
}

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* The case code of reports from older kiosks: "K7P2-9XQM". */
static bool valid_old_case_code(const char *s, size_t len)
{
    if (len != 9 || s[4] != '-')
        return false;
    for (size_t i = 0; i < len; i++)
        if (i != 4 && !memchr(CROCKFORD, s[i], 32))
            return false;
    return true;
}

/* Today's: "dddd-dddd-dddd", the last digit Damm's check digit. */
static bool valid_digit_case_code(const char *s, size_t len)
{
    if (len != REPORT_CASE_CODE_LEN || s[4] != '-' || s[9] != '-')
        return false;
    char d[12];
    for (size_t i = 0, o = 0; i < len; i++)
        if (i != 4 && i != 9)
            d[o++] = s[i];
    return report_damm(d, sizeof d) == 0;
}

static bool valid_case_code(const char *s, size_t len)
{
    return valid_digit_case_code(s, len) || valid_old_case_code(s, len);
}

static bool valid_time(const char *s, size_t len)
{
    /* YYYY-MM-DDTHH:MM:SSZ */
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    if (len != sizeof(pat) - 1)
        return false;
    for (size_t i = 0; i < len; i++)
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return false;
    struct tm tm = {0};
    char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end && *end == '\0';
}

static bool valid_token(const char *s, size_t len, size_t max)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.+~", s[i]))
            return false;
    return true;
}

static const json_t *get_string(const json_t *doc, const char *key)
{
    const json_t *v = json_object_get(doc, key);
    return json_is_string(v) ? v : NULL;
}

/* The fields a report and a withdrawal share: who, when, which case. */
static int validate_envelope(const json_t *doc, char *err, size_t n)
{
    const json_t *v;
    if (!(v = get_string(doc, "report_id")) ||
        !is_hex(json_string_value(v), REPORT_ID_HEX, json_string_length(v)))
        return errfmt(err, n, "report_id must be 32 lowercase hex digits");
    if (!(v = get_string(doc, "case_code")) ||
        !valid_case_code(json_string_value(v), json_string_length(v)))
        return errfmt(err, n, "case_code is not of the form dddd-dddd-dddd (with its check digit) "
                             "or XXXX-XXXX (Crockford base32)");
    if (!(v = get_string(doc, "pin")) || json_string_length(v) != REPORT_PIN_LEN ||
        strspn(json_string_value(v), "0123456789") != REPORT_PIN_LEN)
        return errfmt(err, n, "pin must be 6 digits");
    if (!(v = get_string(doc, "created_at")) ||
        !valid_time(json_string_value(v), json_string_length(v)))
        return errfmt(err, n, "created_at must be a UTC time like 2025-01-31T14:05:00Z");
    if (!json_is_boolean(json_object_get(doc, "clock_trusted")))
        return errfmt(err, n, "clock_trusted must be true or false");
    if (!(v = get_string(doc, "app_version")) ||
        !valid_token(json_string_value(v), json_string_length(v), 32))
        return errfmt(err, n, "app_version is missing or malformed");
    if (!(v = get_string(doc, "kiosk_id")) ||
        !valid_token(json_string_value(v), json_string_length(v), 48))
        return errfmt(err, n, "kiosk_id is missing or malformed");
    return 0;
}

/* A withdrawal request (kind "withdrawal", docs/report-format.md): the case
 * code and PIN a person typed at a kiosk; the helpline checks them against
 * the original report. */
static int validate_withdrawal(json_t *doc, char *err, size_t n)
{
    static const char *const keys[] = {
        "format", "version", "kind", "report_id", "case_code", "pin", "created_at",
        "clock_trusted", "app_version", "kiosk_id", "language",
    };
    const char *bad = NULL;
    const json_t *v;
    if (!only_keys(doc, keys, sizeof(keys) / sizeof(keys[0]), &bad))
        return errfmt(err, n, "unknown field '%s' in a version 1 withdrawal", bad);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!json_object_get(doc, keys[i]))
            return errfmt(err, n, "the field '%s' is missing", keys[i]);
    if (validate_envelope(doc, err, n))
        return -1;
    if (!(v = get_string(doc, "language")) ||
        (strcmp(json_string_value(v), "ur") && strcmp(json_string_value(v), "en")))
        return errfmt(err, n, "language must be \"ur\" or \"en\"");
    return 0;
}

int report_validate(json_t *doc, bool drop_unknown, char *err, size_t n, int *dropped)
{
    static const char *const keys[] = {
        "format", "version", "report_id", "case_code", "pin", "created_at", "clock_trusted",
        "app_version", "kiosk_id", "route", "reporter", "language", "training", "items",
        "origin", /* optional: last, so the required ones are the first 14 */
    };
    const size_t nrequired = sizeof(keys) / sizeof(keys[0]) - 1;
    int dummy = 0;
    if (!dropped)
        dropped = &dummy;
    const char *bad = NULL;
    if (!json_is_object(doc))
        return errfmt(err, n, "the report is not a JSON object");
    const json_t *v = get_string(doc, "format");
    if (!v || strcmp(json_string_value(v), "hifazat-report"))
        return errfmt(err, n, "not a Hifazat report (format)");
    v = json_object_get(doc, "version");
    if (!json_is_integer(v) || json_integer_value(v) != REPORT_VERSION)
        return errfmt(err, n, "report schema version %lld is not known to this program",
                      json_is_integer(v) ? (long long)json_integer_value(v) : -1LL);
    if ((v = json_object_get(doc, "kind"))) {
        if (!json_is_string(v) || strcmp(json_string_value(v), "withdrawal"))
            return errfmt(err, n, "kind must be \"withdrawal\" (a report has no kind)");
        return validate_withdrawal(doc, err, n);
    }
    if (!only_keys(doc, keys, sizeof(keys) / sizeof(keys[0]), &bad))
        return errfmt(err, n, "unknown field '%s' in a version 1 report", bad);
    for (size_t i = 0; i < nrequired; i++)
        if (!json_object_get(doc, keys[i]))
            return errfmt(err, n, "the field '%s' is missing", keys[i]);
    if (validate_envelope(doc, err, n))
        return -1;
    enum report_route route;
    enum report_reporter by;
    if (!(v = get_string(doc, "route")) || report_route_parse(json_string_value(v), &route))
        return errfmt(err, n, "route must be \"under18\" or \"adult\"");
    if (!(v = get_string(doc, "reporter")) || report_reporter_parse(json_string_value(v), &by))
        return errfmt(err, n, "reporter must be self, parent_or_trusted_adult or helper");
    enum report_origin origin;
    if (json_object_get(doc, "origin") &&
        (!(v = get_string(doc, "origin")) || report_origin_parse(json_string_value(v), &origin)))
        return errfmt(err, n, "origin must be \"original\", \"copy\" or \"not_sure\"");
    if (!(v = get_string(doc, "language")) ||
        (strcmp(json_string_value(v), "ur") && strcmp(json_string_value(v), "en")))
        return errfmt(err, n, "language must be \"ur\" or \"en\"");
    if (!json_is_boolean(json_object_get(doc, "training")))
        return errfmt(err, n, "training must be true or false");
    json_t *items = json_object_get(doc, "items");
    if (!json_is_array(items) || json_array_size(items) == 0)
        return errfmt(err, n, "the report has no items");
    if (json_array_size(items) > REPORT_MAX_ITEMS)
        return errfmt(err, n, "the report has more than %d items", REPORT_MAX_ITEMS);
    for (size_t i = 0; i < json_array_size(items); i++)
        if (check_item(json_array_get(items, i), i, drop_unknown, err, n, dropped, NULL, 0))
            return -1;
    return 0;
}

/* ----------------------------------------------------------- creation */

static int rfail(struct report *r, enum report_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int rfail(struct report *r, enum report_err e, const char *fmt, ...)
{
    r->err = e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
    va_end(ap);
    return -1;
}

static void clear_error(struct report *r)
{
    r->err = REPORT_OK;
    r->msg[0] = '\0';
}

/* Digits only, in three groups of four like the PIN's digits, so that a
 * reader of Urdu can copy it and say it aloud (a Latin letter is neither).
 * 11 random digits (36.5 bits) and Damm's check digit: the code is not the
 * secret (the PIN is, and the report is sealed), it only has to be unique
 * enough for a helpline to find a case (at 100 000 reports, two share a code
 * with a chance of 5 %, and the PIN and report id still tell them apart), and
 * a mistyped digit is caught before anyone is told "no such case". */
static void random_case_code(char out[REPORT_CASE_CODE_LEN + 1])
{
    char d[12];
    for (int i = 0; i < 11; i++)
        d[i] = (char)('0' + randombytes_uniform(10));
    d[11] = (char)('0' + report_damm(d, 11));
    snprintf(out, REPORT_CASE_CODE_LEN + 1, "%.4s-%.4s-%.4s", d, d + 4, d + 8);
    sodium_memzero(d, sizeof d);
}

/* The language, kiosk id and app version every document carries. */
static bool meta_ok(const struct report_meta *m)
{
    return m->language && (!strcmp(m->language, "ur") || !strcmp(m->language, "en")) &&
           m->kiosk_id && valid_token(m->kiosk_id, strlen(m->kiosk_id), 48) && m->app_version &&
           valid_token(m->app_version, strlen(m->app_version), 32);
}

/* The envelope both kinds share, in this order (report-format.md): format,
 * version, kind (a withdrawal's, right after version), report_id,
 * case_code, pin, created_at, clock_trusted, app_version, kiosk_id. A new
 * report draws its case code and PIN here (case_code and pin NULL); a
 * withdrawal names the report's. The caller appends its own fields. */
static struct report *envelope(const struct report_meta *m, const char *kind,
                               const char *case_code, const char *pin)
{
    struct report *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    uint8_t id[16];
    randombytes_buf(id, sizeof(id));
    sodium_bin2hex(r->receipt.report_id, sizeof(r->receipt.report_id), id, sizeof(id));
    if (case_code) {
        memcpy(r->receipt.case_code, case_code, REPORT_CASE_CODE_LEN + 1);
        memcpy(r->receipt.pin, pin, REPORT_PIN_LEN + 1);
    } else {
        random_case_code(r->receipt.case_code);
        for (int i = 0; i < REPORT_PIN_LEN; i++)
            r->receipt.pin[i] = (char)('0' + randombytes_uniform(10));
        r->receipt.pin[REPORT_PIN_LEN] = '\0';
    }

    time_t t = m->created_at ? m->created_at : time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int trusted = m->clock_trusted == REPORT_CLOCK_AUTO ? report_clock_trusted() : m->clock_trusted;

    json_t *d = json_object();
    r->items = json_array();
    if (!d || !r->items) {
        json_decref(d);
        json_decref(r->items);
        free(r);
        return NULL;
    }
    json_object_set_new(d, "format", json_string("hifazat-report"));
    json_object_set_new(d, "version", json_integer(REPORT_VERSION));
    if (kind)
        json_object_set_new(d, "kind", json_string(kind));
    json_object_set_new(d, "report_id", json_string(r->receipt.report_id));
    json_object_set_new(d, "case_code", json_string(r->receipt.case_code));
    json_object_set_new(d, "pin", json_string(r->receipt.pin));
    json_object_set_new(d, "created_at", json_string(when));
    json_object_set_new(d, "clock_trusted", json_boolean(trusted == 1));
    json_object_set_new(d, "app_version", json_string(m->app_version));
    json_object_set_new(d, "kiosk_id", json_string(m->kiosk_id));
    r->doc = d;
    return r;
}

struct report *report_create(const struct report_meta *m)
{
    if (keys_init() != 0)
        return NULL;
    if (!meta_ok(m) || (unsigned)m->route > REPORT_ROUTE_ADULT ||
        (unsigned)m->reporter > REPORT_BY_HELPER || (unsigned)m->origin > REPORT_ORIGIN_NOT_SURE)
        return NULL;
    struct report *r = envelope(m, NULL, NULL, NULL);
    if (!r)
        return NULL;
    r->training = m->training;
    json_t *d = r->doc;
    json_object_set_new(d, "route", json_string(report_route_name(m->route)));
    json_object_set_new(d, "reporter", json_string(report_reporter_name(m->reporter)));
    if (m->origin != REPORT_ORIGIN_NONE)
        json_object_set_new(d, "origin", json_string(report_origin_name(m->origin)));
    json_object_set_new(d, "language", json_string(m->language));
    json_object_set_new(d, "training", json_boolean(m->training));
    json_object_set(d, "items", r->items);
    return r;
}

struct report *report_create_withdrawal(const struct report_meta *m, const char *case_code,
                                        const char *pin)
{
    char code[REPORT_CASE_CODE_LEN + 1];
    if (keys_init() != 0 || !case_code || !pin ||
        report_case_code_normalize(case_code, code) != 0 || strlen(pin) != REPORT_PIN_LEN ||
        strspn(pin, "0123456789") != REPORT_PIN_LEN || m->training || !meta_ok(m))
        return NULL;
    /* r->items stays empty: report_item_count() is 0 */
    struct report *r = envelope(m, "withdrawal", code, pin);
    sodium_memzero(code, sizeof code);
    if (!r)
        return NULL;
    r->withdrawal = true;
    json_object_set_new(r->doc, "language", json_string(m->language));
    return r;
}

bool report_is_withdrawal(const struct report *r)
{
    return r->withdrawal;
}

bool report_opened_is_withdrawal(const struct report_opened *o)
{
    return json_object_get(o->doc, "kind") != NULL; /* validated: only "withdrawal" */
}

void report_destroy(struct report *r)
{
    if (!r)
        return;
    json_decref(r->items);
    json_decref(r->doc); /* jansson's blocks are wiped as they are freed (keys_init) */
    sodium_memzero(r, sizeof(*r));
    free(r);
}

size_t report_item_count(const struct report *r)
{
    return json_array_size(r->items);
}

bool report_is_training(const struct report *r)
{
    return r->training;
}

const char *report_id(const struct report *r)
{
    return r->receipt.report_id;
}

enum report_err report_error(const struct report *r)
{
    return r->err;
}

const char *report_error_message(const struct report *r)
{
    return r->msg[0] ? r->msg : "no error";
}

static json_t *hex_signal(const char *type, const uint8_t *b, size_t n)
{
    char hex[2 * 32 + 1];
    sodium_bin2hex(hex, sizeof(hex), b, n);
    return json_pack("{s:s, s:s}", "type", type, "value", hex);
}

static json_t *pdq_signal(const struct hash_pdq *p, const char *variant)
{
    char hex[PDQ_HEX_LEN + 1];
    pdq_hex(&p->hash, hex);
    json_t *s = json_pack("{s:s, s:s, s:i}", "type", "pdq", "value", hex, "quality", p->quality);
    if (s && variant)
        json_object_set_new(s, "variant", json_string(variant));
    return s;
}

/* Checks a finished item and appends it; the report is unchanged on error. */
static int add_item(struct report *r, json_t *item)
{
    char err[200];
    int dropped = 0;
    if (!item)
        return rfail(r, REPORT_ERR_NOMEM, "out of memory");
    if (json_array_size(r->items) >= REPORT_MAX_ITEMS) {
        json_decref(item);
        return rfail(r, REPORT_ERR_TOO_LARGE, "a report holds at most %d files", REPORT_MAX_ITEMS);
    }
    if (check_item(item, json_array_size(r->items), false, err, sizeof(err), &dropped, NULL, 0)) {
        json_decref(item);
        return rfail(r, REPORT_ERR_INVALID, "%s", err);
    }
    json_array_append_new(r->items, item);
    clear_error(r);
    return 0;
}

/* vPDQ frames in HMA's text form, leaving out uniform frames (all-zero PDQ)
 * as copy_vpdq() does. NULL when no frame is left. */
static json_t *vpdq_signal(const struct vpdq_list *l, const char *variant)
{
    json_t *value = json_array();
    char buf[VPDQ_FORMAT_LEN];
    for (size_t i = 0; value && i < l->n; i++)
        if (!pdq_is_zero(&l->v[i].hash))
            json_array_append_new(value, json_string(vpdq_format(&l->v[i], buf)));
    if (json_array_size(value) == 0) {
        json_decref(value);
        return NULL;
    }
    json_t *s = json_pack("{s:s, s:o}", "type", "vpdq", "value", value);
    if (s && variant)
        json_object_set_new(s, "variant", json_string(variant));
    return s;
}

static bool same_pdq(const struct hash_pdq *a, const struct hash_pdq *b)
{
    return a->present && b->present && pdq_distance(&a->hash, &b->hash) == 0;
}

int report_add_hash_result(struct report *r, const struct hash_result *res)
{
    size_t n = json_array_size(r->items) + 1;
    if (!res->have_digests || (res->kind != HASH_KIND_IMAGE && res->kind != HASH_KIND_VIDEO))
        return rfail(r, REPORT_ERR_INVALID, "item %zu: not an image or video with fingerprints", n);
    bool video = res->kind == HASH_KIND_VIDEO;
    json_t *sigs = json_array();
    json_array_append_new(sigs, hex_signal(video ? "video_md5" : "md5", res->md5, sizeof(res->md5)));
    json_array_append_new(sigs,
                          hex_signal(video ? "video_sha1" : "sha1", res->sha1, sizeof(res->sha1)));
    json_array_append_new(sigs, hex_signal(video ? "video_sha256" : "sha256", res->sha256,
                                           sizeof(res->sha256)));
    const struct hash_pdq *p = res->pdq;
    if (!video && p[HASH_PDQ_CLI].present) {
        /* The same variants `hifazat hash` prints: full-resolution ones only
         * when they differ. */
        json_array_append_new(sigs, pdq_signal(&p[HASH_PDQ_CLI], NULL));
        if (p[HASH_PDQ_FULL].present && !same_pdq(&p[HASH_PDQ_FULL], &p[HASH_PDQ_CLI]))
            json_array_append_new(sigs, pdq_signal(&p[HASH_PDQ_FULL], "full"));
        if (p[HASH_PDQ_DISPLAYED_CLI].present) {
            json_array_append_new(sigs, pdq_signal(&p[HASH_PDQ_DISPLAYED_CLI], "displayed"));
            if (p[HASH_PDQ_DISPLAYED_FULL].present &&
                !same_pdq(&p[HASH_PDQ_DISPLAYED_FULL], &p[HASH_PDQ_DISPLAYED_CLI]))
                json_array_append_new(sigs,
                                      pdq_signal(&p[HASH_PDQ_DISPLAYED_FULL], "displayed_full"));
        }
    }
    if (video && res->vpdq) {
        /* As decoded (what Meta's reference computes) and, for a rotated
         * video, as displayed. A partial list (time budget, cut file) is
         * still the beginning of the video and goes in. */
        json_t *v = vpdq_signal(&res->vpdq->frames, NULL);
        if (v)
            json_array_append_new(sigs, v);
        v = vpdq_signal(&res->vpdq->displayed, "displayed");
        if (v)
            json_array_append_new(sigs, v);
    }
    json_t *item = json_pack("{s:s, s:I, s:o}", "kind", video ? "video" : "image", "size",
                             (json_int_t)res->size, "signals", sigs);
    return add_item(r, item);
}

/* Copies a hex field of a `hifazat hash` line as a signal (absent: 0). */
static int copy_hex(json_t *sigs, const json_t *line, const char *key, const char *type)
{
    const json_t *v = json_object_get(line, key);
    if (!v)
        return 0;
    json_t *s = json_pack("{s:s, s:O}", "type", type, "value", v);
    return json_array_append_new(sigs, s);
}

static int copy_pdq(json_t *sigs, const json_t *line, const char *key, const char *variant)
{
    const json_t *v = json_object_get(line, key);
    if (!v)
        return 0;
    char qkey[64];
    snprintf(qkey, sizeof(qkey), "%s_quality", key);
    const json_t *q = json_object_get(line, qkey);
    json_t *s = json_pack("{s:s, s:O, s:O}", "type", "pdq", "value", v, "quality",
                          q ? q : json_null());
    if (s && variant)
        json_object_set_new(s, "variant", json_string(variant));
    return json_array_append_new(sigs, s);
}

/* vPDQ frames, leaving out uniform frames (all-zero PDQ, quality 0): they
 * carry nothing and crash some indexers. Anything else is copied as it is
 * and judged by the validator. */
static int copy_vpdq(json_t *sigs, const json_t *line, const char *key, const char *variant)
{
    const json_t *v = json_object_get(line, key);
    if (!v)
        return 0;
    json_t *value = json_is_array(v) ? json_array() : json_incref((json_t *)v);
    size_t i;
    const json_t *f;
    json_array_foreach(v, i, f) {
        if (!(json_is_string(f) && json_string_length(f) >= 64 &&
              all_zero_hex(json_string_value(f), 64)))
            json_array_append(value, (json_t *)f);
    }
    if (json_is_array(value) && json_array_size(value) == 0 && json_array_size(v) > 0) {
        json_decref(value); /* only uniform frames: no vPDQ, the digests still go */
        return 0;
    }
    json_t *s = json_pack("{s:s, s:o}", "type", "vpdq", "value", value);
    if (s && variant)
        json_object_set_new(s, "variant", json_string(variant));
    return json_array_append_new(sigs, s);
}

int report_add_hash_json(struct report *r, const json_t *line)
{
    size_t n = json_array_size(r->items) + 1;
    if (!json_is_object(line))
        return rfail(r, REPORT_ERR_INVALID, "item %zu: not a JSON object", n);
    const json_t *kind = json_object_get(line, "kind");
    const char *k = json_is_string(kind) ? json_string_value(kind) : "";
    bool video = !strcmp(k, "video");
    if (!video && strcmp(k, "image")) {
        rfail(r, REPORT_ERR_INVALID, "not an image or video; left out");
        return 1;
    }
    if (!json_object_get(line, "md5") && !json_object_get(line, "sha256")) {
        rfail(r, REPORT_ERR_INVALID, "the file could not be read; left out");
        return 1;
    }
    const json_t *size = json_object_get(line, "size");
    json_t *sigs = json_array();
    copy_hex(sigs, line, "md5", video ? "video_md5" : "md5");
    copy_hex(sigs, line, "sha1", video ? "video_sha1" : "sha1"); /* absent from older lines */
    copy_hex(sigs, line, "sha256", video ? "video_sha256" : "sha256");
    if (!video) {
        copy_pdq(sigs, line, "pdq", NULL);
        copy_pdq(sigs, line, "pdq_full", "full");
        copy_pdq(sigs, line, "pdq_displayed", "displayed");
        copy_pdq(sigs, line, "pdq_displayed_full", "displayed_full");
    } else {
        copy_vpdq(sigs, line, "vpdq", NULL);
        copy_vpdq(sigs, line, "vpdq_displayed", "displayed");
    }
    json_t *item = json_pack("{s:s, s:O, s:o}", "kind", k, "size", size ? size : json_null(),
                             "signals", sigs);
    return add_item(r, item);
}

/* ------------------------------------------------------------ sealing */

static size_t bucket_for(size_t n)
{
    size_t b = REPORT_MIN_BUCKET;
    while (b < n && b < (size_t)REPORT_MAX_BUCKET)
        b <<= 1;
    return b;
}

static void make_envelope(uint8_t head[REPORT_HEADER_SIZE], const uint8_t helpline_pk[32])
{
    memcpy(head, ENVELOPE_MAGIC, 4);
    head[4] = REPORT_VERSION;
    keys_key_id(helpline_pk, head + 5);
}

/* The signed message: context || envelope || helpline key || body. Binding the
 * recipient key stops a helpline from re-sealing a signed report to someone
 * else as if the kiosk had sent it there (surreptitious forwarding). It is
 * built in m (signed_message_len() bytes, secure memory the caller owns). */
static size_t signed_message_len(size_t bodylen)
{
    return sizeof(SIGN_CONTEXT) + REPORT_HEADER_SIZE + KEYS_PUBLIC_SIZE + bodylen;
}

static void signed_message(uint8_t *m, const uint8_t head[REPORT_HEADER_SIZE],
                           const uint8_t helpline_pk[32], const uint8_t *body, size_t bodylen)
{
    memcpy(m, SIGN_CONTEXT, sizeof(SIGN_CONTEXT));
    m += sizeof(SIGN_CONTEXT);
    memcpy(m, head, REPORT_HEADER_SIZE);
    m += REPORT_HEADER_SIZE;
    memcpy(m, helpline_pk, KEYS_PUBLIC_SIZE);
    m += KEYS_PUBLIC_SIZE;
    memcpy(m, body, bodylen);
}

int report_seal(struct report *r, const struct keys_kiosk *k, const uint8_t helpline_pk[32],
                uint8_t **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (r->training)
        return rfail(r, REPORT_ERR_TRAINING, "a demo (training) report is never sealed or queued");
    char err[200];
    if (json_array_size(r->items) == 0 && !r->withdrawal)
        return rfail(r, REPORT_ERR_EMPTY, "the report has no fingerprints");
    if (report_validate(r->doc, false, err, sizeof(err), NULL) != 0)
        return rfail(r, REPORT_ERR_INVALID, "%s", err);

    const size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;
    size_t bodylen = json_dumpb(r->doc, NULL, 0, flags);
    if (bodylen == 0)
        return rfail(r, REPORT_ERR_NOMEM, "out of memory");
    if (PLAIN_HEADER + bodylen + 1 > (size_t)REPORT_MAX_BUCKET)
        return rfail(r, REPORT_ERR_TOO_LARGE, "the report is larger than %d MiB",
                     REPORT_MAX_BUCKET >> 20);
    size_t bucket = bucket_for(PLAIN_HEADER + bodylen + 1);

    int rc = -1;
    uint8_t *sealed = NULL;
    /* One block of secure memory (each sodium_malloc costs syscalls): the
     * padded plaintext, then the message that is signed. */
    size_t msglen = signed_message_len(bodylen);
    uint8_t *plain = sodium_malloc(bucket + msglen);
    if (!plain) {
        rfail(r, REPORT_ERR_NOMEM, "out of memory");
        goto out;
    }
    uint8_t *msg = plain + bucket;
    uint8_t *body = plain + PLAIN_HEADER;
    json_dumpb(r->doc, (char *)body, bodylen, flags);

    uint8_t head[REPORT_HEADER_SIZE];
    make_envelope(head, helpline_pk);
    signed_message(msg, head, helpline_pk, body, bodylen);
    memcpy(plain, PLAIN_MAGIC, 4);
    plain[4] = REPORT_VERSION;
    memcpy(plain + 5, keys_kiosk_public(k), KEYS_PUBLIC_SIZE);
    keys_kiosk_sign(k, msg, msglen, plain + 5 + KEYS_PUBLIC_SIZE);
    size_t padded;
    if (sodium_pad(&padded, plain, PLAIN_HEADER + bodylen, bucket, bucket) != 0 ||
        padded != bucket) {
        rfail(r, REPORT_ERR_TOO_LARGE, "padding failed");
        goto out;
    }
    size_t total = REPORT_HEADER_SIZE + SEAL_OVERHEAD + bucket;
    sealed = malloc(total);
    if (!sealed) {
        rfail(r, REPORT_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(sealed, head, REPORT_HEADER_SIZE);
    if (crypto_box_seal(sealed + REPORT_HEADER_SIZE, plain, bucket, helpline_pk) != 0) {
        rfail(r, REPORT_ERR_INVALID, "the helpline public key is not usable");
        goto out;
    }
    *out = sealed;
    *outlen = total;
    sealed = NULL;
    clear_error(r);
    rc = 0;
out:
    free(sealed);
    sodium_free(plain); /* wipes the plaintext and the signed message */
    return rc;
}

void report_mark_queued(struct report *r)
{
    r->queued = true;
}

int report_receipt(const struct report *r, struct report_receipt *out)
{
    memset(out, 0, sizeof(*out));
    if (r->training || !r->queued)
        return -1;
    *out = r->receipt;
    return 0;
}

int report_training_receipt(const struct report *r, struct report_receipt *out)
{
    memset(out, 0, sizeof(*out));
    if (!r->training)
        return -1;
    *out = r->receipt;
    return 0;
}

enum report_err report_check_envelope(const uint8_t *head, size_t headlen, uint64_t filesize)
{
    if (headlen < REPORT_HEADER_SIZE || filesize < REPORT_HEADER_SIZE ||
        memcmp(head, ENVELOPE_MAGIC, 4) != 0)
        return REPORT_ERR_FORMAT;
    if (head[4] != REPORT_VERSION)
        return REPORT_ERR_VERSION;
    uint64_t plen = filesize - REPORT_HEADER_SIZE;
    if (plen < SEAL_OVERHEAD + REPORT_MIN_BUCKET)
        return REPORT_ERR_DAMAGED;
    plen -= SEAL_OVERHEAD;
    if (plen > REPORT_MAX_BUCKET || (plen & (plen - 1)) != 0)
        return REPORT_ERR_DAMAGED;
    return REPORT_OK;
}

/* ------------------------------------------------------------ opening */

static enum report_err ofail(enum report_err e, char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum report_err ofail(enum report_err e, char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return e;
}

void report_opened_free(struct report_opened *o)
{
    if (!o)
        return;
    json_decref(o->doc);
    sodium_memzero(o, sizeof(*o));
    free(o);
}

const json_t *report_opened_json(const struct report_opened *o)
{
    return o->doc;
}

const char *report_opened_id(const struct report_opened *o)
{
    return o->id;
}

const uint8_t *report_opened_kiosk_key(const struct report_opened *o)
{
    return o->kiosk_pk;
}

const char *report_opened_warning(const struct report_opened *o)
{
    return o->warning[0] ? o->warning : NULL;
}

enum report_err report_open(const uint8_t *sealed, size_t len, const struct keys_helpline *h,
                            struct report_opened **out, char *err, size_t n)
{
    *out = NULL;
    if (keys_init() != 0)
        return ofail(REPORT_ERR_NOMEM, err, n, "libsodium could not start");
    enum report_err e = report_check_envelope(sealed, len, len);
    switch (e) {
    case REPORT_OK:
        break;
    case REPORT_ERR_FORMAT:
        return ofail(e, err, n, "not a sealed Hifazat report");
    case REPORT_ERR_VERSION:
        return ofail(e, err, n, "sealed with format version %u, which this program does not know",
                     sealed[4]);
    default:
        return ofail(e, err, n, "truncated or damaged (%zu bytes is not a sealed report's size)",
                     len);
    }
    uint8_t id[KEYS_KEY_ID_SIZE];
    keys_key_id(keys_helpline_public(h), id);
    if (memcmp(sealed + 5, id, sizeof(id)) != 0)
        return ofail(REPORT_ERR_WRONG_KEY, err, n,
                     "sealed to a different helpline key (or its envelope is damaged)");
    size_t plen = len - REPORT_HEADER_SIZE - SEAL_OVERHEAD;
    /* the plaintext, then room for the signed message (at most as long) */
    uint8_t *plain = sodium_malloc(plen + signed_message_len(plen));
    json_t *doc = NULL;
    struct report_opened *o = calloc(1, sizeof(*o));
    if (!plain || !o) {
        e = ofail(REPORT_ERR_NOMEM, err, n, "out of memory");
        goto fail;
    }
    if (crypto_box_seal_open(plain, sealed + REPORT_HEADER_SIZE, len - REPORT_HEADER_SIZE,
                             keys_helpline_public(h), keys_helpline_secret(h)) != 0) {
        e = ofail(REPORT_ERR_DAMAGED, err, n, "does not decrypt: altered or damaged");
        goto fail;
    }
    size_t unpadded;
    if (memcmp(plain, PLAIN_MAGIC, 4) != 0 || sodium_unpad(&unpadded, plain, plen, plen) != 0 ||
        unpadded <= PLAIN_HEADER) {
        e = ofail(REPORT_ERR_SCHEMA, err, n, "decrypts, but its framing is wrong");
        goto fail;
    }
    if (plain[4] != REPORT_VERSION) {
        e = ofail(REPORT_ERR_VERSION, err, n, "report framing version %u is not known", plain[4]);
        goto fail;
    }
    const uint8_t *kpk = plain + 5, *sig = plain + 5 + KEYS_PUBLIC_SIZE;
    const uint8_t *body = plain + PLAIN_HEADER;
    size_t bodylen = unpadded - PLAIN_HEADER;
    uint8_t *msg = plain + plen;
    signed_message(msg, sealed, keys_helpline_public(h), body, bodylen);
    if (keys_verify(kpk, msg, signed_message_len(bodylen), sig) != 0) {
        e = ofail(REPORT_ERR_SIGNATURE, err, n, "the kiosk's signature does not verify");
        goto fail;
    }
    json_error_t je;
    doc = json_loadb((const char *)body, bodylen, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        e = ofail(REPORT_ERR_SCHEMA, err, n, "not valid JSON: %s", je.text);
        goto fail;
    }
    const json_t *ver = json_object_get(doc, "version");
    if (json_is_integer(ver) && json_integer_value(ver) != REPORT_VERSION) {
        e = ofail(REPORT_ERR_VERSION, err, n, "report schema version %lld is not known",
                  (long long)json_integer_value(ver));
        goto fail;
    }
    int dropped = 0;
    char verr[200];
    if (report_validate(doc, true, verr, sizeof(verr), &dropped) != 0) {
        e = ofail(REPORT_ERR_SCHEMA, err, n, "%s", verr);
        goto fail;
    }
    if (json_is_true(json_object_get(doc, "training"))) {
        e = ofail(REPORT_ERR_TRAINING, err, n, "a demo (training) report, not a real one");
        goto fail;
    }
    if (dropped)
        snprintf(o->warning, sizeof(o->warning),
                 "%d signal(s) of a type this version does not know were left out", dropped);
    snprintf(o->id, sizeof(o->id), "%s", json_string_value(json_object_get(doc, "report_id")));
    memcpy(o->kiosk_pk, kpk, KEYS_PUBLIC_SIZE);
    o->doc = doc;
    sodium_free(plain);
    *out = o;
    return REPORT_OK;
fail:
    json_decref(doc);
    sodium_free(plain);
    free(o);
    return e;
}

int report_case_code_normalize(const char *in, char out[REPORT_CASE_CODE_LEN + 1])
{
    char c[13];
    int n = 0;
    bool letters = false;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        char ch = (char)toupper(*p);
        /* Urdu (U+06F0-06F9) and Arabic (U+0660-0669) digits, as a person
         * who reads Urdu may write them down. */
        if ((p[0] == 0xDB && p[1] >= 0xB0 && p[1] <= 0xB9) ||
            (p[0] == 0xD9 && p[1] >= 0xA0 && p[1] <= 0xA9)) {
            ch = (char)('0' + (p[1] - (p[0] == 0xDB ? 0xB0 : 0xA0)));
            p++;
        } else if (ch == '-' || ch == ' ') {
            continue;
        } else if (ch == 'O') {
            ch = '0';
        } else if (ch == 'I' || ch == 'L') {
            ch = '1';
        }
        if (ch == '\0' || !strchr(CROCKFORD, ch) || n >= 12)
            return -1;
        letters |= ch > '9';
        c[n++] = ch;
    }
    int rc = -1;
    if (n == 12 && !letters && report_damm(c, 12) == 0) {
        snprintf(out, REPORT_CASE_CODE_LEN + 1, "%.4s-%.4s-%.4s", c, c + 4, c + 8);
        rc = 0;
    } else if (n == 8) {
        snprintf(out, REPORT_CASE_CODE_LEN + 1, "%.4s-%.4s", c, c + 4);
        rc = 0;
    }
    sodium_memzero(c, sizeof c);
    return rc;
}
