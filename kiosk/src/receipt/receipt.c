#include "receipt.h"

#include "durable.h"
#include "errfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What is signed: this context, then the body's bytes. */
static const char SIGN_CONTEXT[] = "hifazat-status v1";
static const char TAG_CONTEXT[] = "hifazat case tag v1";

static const char *const status_names[RECEIPT_NSTATUS] = {
    "received", "sent_to_take_it_down", "sent_to_stopncii", "added_to_bank", "withdrawn",
    "rejected",
};

const char *receipt_status_name(enum receipt_status s)
{
    return (unsigned)s < RECEIPT_NSTATUS ? status_names[s] : "?";
}

int receipt_status_parse(const char *s, enum receipt_status *out)
{
    for (int i = 0; i < RECEIPT_NSTATUS; i++)
        if (s && !strcmp(s, status_names[i])) {
            *out = (enum receipt_status)i;
            return 0;
        }
    return -1;
}

const char *receipt_result_name(int r)
{
    switch (r) {
    case RECEIPT_OK: return "ok";
    case RECEIPT_UNKNOWN: return "not_known_here";
    case RECEIPT_FOUND: return "found";
    case RECEIPT_LIMITED: return "too_many_tries";
    case RECEIPT_QUEUED: return "queued";
    case RECEIPT_ALREADY: return "already";
    case RECEIPT_ERR_FORMAT: return "format";
    case RECEIPT_ERR_WRONG_KEY: return "wrong_key";
    case RECEIPT_ERR_SIGNATURE: return "signature";
    case RECEIPT_ERR_REPLAY: return "replayed";
    case RECEIPT_ERR_STALE: return "stale";
    default: return "io";
    }
}

bool receipt_reason_valid(const char *s)
{
    size_t n = strlen(s);
    return n <= RECEIPT_REASON_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static bool valid_date(const char *s)
{
    return strlen(s) == 10 && strspn(s, "0123456789-") == 10 && s[4] == '-' && s[7] == '-';
}

static bool valid_hex(const char *s, size_t want)
{
    return strlen(s) == want && strspn(s, "0123456789abcdef") == want;
}

int receipt_tag(const char *case_code, const char *pin, uint8_t tag[RECEIPT_TAG_SIZE])
{
    char code[REPORT_CASE_CODE_LEN + 1];
    if (keys_init() != 0 || !case_code || !pin ||
        report_case_code_normalize(case_code, code) != 0 || strlen(pin) != REPORT_PIN_LEN ||
        strspn(pin, "0123456789") != REPORT_PIN_LEN)
        return -1;
    /* salt: the code itself (hashed to the salt's size), so one tag's work
     * says nothing of another code's */
    uint8_t salt[crypto_pwhash_SALTBYTES];
    crypto_generichash(salt, sizeof salt, (const uint8_t *)code, strlen(code),
                       (const uint8_t *)TAG_CONTEXT, sizeof TAG_CONTEXT - 1);
    char pass[REPORT_CASE_CODE_LEN + 1 + REPORT_PIN_LEN + 1];
    int len = snprintf(pass, sizeof pass, "%s|%s", code, pin);
    int rc = crypto_pwhash(tag, RECEIPT_TAG_SIZE, pass, (unsigned long long)len, salt,
                           crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                           crypto_pwhash_ALG_ARGON2ID13);
    sodium_memzero(pass, sizeof pass);
    sodium_memzero(code, sizeof code);
    return rc == 0 ? 0 : -1;
}

static void format_time(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return -1;
    *out = timegm(&tm);
    return 0;
}

static const size_t JFLAGS = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;

/* ------------------------------------------------------------ building */

int receipt_archive_build(const struct receipt_entry *e, size_t n, uint64_t sequence,
                          time_t issued, const struct keys_helpline *h, char **out, size_t *len,
                          char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    const uint8_t *spk = keys_helpline_sign_public(h);
    if (!spk)
        return errfmt(err, errlen, "this helpline key file has no signing key (made before "
                                     "receipts existed): make a new key pair with `hifazat keygen`");
    json_t *body = json_object(), *entries = json_array();
    json_t *outer = NULL;
    char *bodytext = NULL, *sigtext = NULL, *bodyb64 = NULL;
    int rc = -1;
    char when[21];
    format_time(issued, when);
    json_object_set_new(body, "version", json_integer(1));
    json_object_set_new(body, "sequence", json_integer((json_int_t)sequence));
    json_object_set_new(body, "issued_at", json_string(when));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "report_id", json_string(e[i].report_id));
        if (e[i].has_tag) {
            char hex[RECEIPT_TAG_SIZE * 2 + 1];
            sodium_bin2hex(hex, sizeof hex, e[i].tag, RECEIPT_TAG_SIZE);
            json_object_set_new(o, "tag", json_string(hex));
        }
        json_object_set_new(o, "status", json_string(receipt_status_name(e[i].status)));
        if (e[i].reason[0])
            json_object_set_new(o, "reason", json_string(e[i].reason));
        json_object_set_new(o, "date", json_string(e[i].date));
        json_array_append_new(entries, o);
    }
    json_object_set_new(body, "entries", entries);
    bodytext = json_dumps(body, JFLAGS);
    if (!bodytext) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    size_t blen = strlen(bodytext), mlen = sizeof SIGN_CONTEXT + blen;
    uint8_t *msg = malloc(mlen), sig[KEYS_SIGNATURE_SIZE];
    if (!msg) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    memcpy(msg, SIGN_CONTEXT, sizeof SIGN_CONTEXT);
    memcpy(msg + sizeof SIGN_CONTEXT, bodytext, blen);
    int s = keys_helpline_sign(h, msg, mlen, sig);
    free(msg);
    if (s != 0) {
        errfmt(err, errlen, "signing failed");
        goto out;
    }
    size_t b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    bodyb64 = malloc(b64len);
    sigtext = malloc(sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL));
    if (!bodyb64 || !sigtext) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    sodium_bin2base64(bodyb64, b64len, (const uint8_t *)bodytext, blen,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sigtext, sodium_base64_ENCODED_LEN(sizeof sig, sodium_base64_VARIANT_ORIGINAL),
                      sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    uint8_t kid[KEYS_KEY_ID_SIZE];
    char kidhex[KEYS_KEY_ID_SIZE * 2 + 1];
    keys_key_id(spk, kid);
    sodium_bin2hex(kidhex, sizeof kidhex, kid, sizeof kid);
    outer = json_object();
    json_object_set_new(outer, "format", json_string("hifazat-status"));
    json_object_set_new(outer, "version", json_integer(1));
    json_object_set_new(outer, "key_id", json_string(kidhex));
    json_object_set_new(outer, "body", json_string(bodyb64));
    json_object_set_new(outer, "signature", json_string(sigtext));
    *out = json_dumps(outer, JFLAGS | JSON_INDENT(1));
    if (!*out) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    *len = strlen(*out);
    rc = 0;
out:
    json_decref(body);
    json_decref(outer);
    free(bodytext);
    free(bodyb64);
    free(sigtext);
    return rc;
}

/* ------------------------------------------------------------- reading */

struct parsed {
    json_t *body;
    uint64_t sequence;
    time_t issued;
    char issued_text[21];
    uint8_t sha[32]; /* of the whole archive file */
};

/* Verifies and parses; nothing is changed anywhere. */
static int parse_archive(const uint8_t *data, size_t len, const uint8_t sign_pk[32],
                         struct parsed *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return RECEIPT_ERR_IO;
    }
    if (len > RECEIPT_MAX_ARCHIVE) {
        errfmt(err, errlen, "too large for a status archive");
        return RECEIPT_ERR_FORMAT;
    }
    crypto_hash_sha256(p->sha, data, len);
    json_error_t je;
    json_t *outer = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    int rc = RECEIPT_ERR_FORMAT;
    uint8_t *body = NULL, sig[KEYS_SIGNATURE_SIZE];
    const char *f = json_string_value(json_object_get(outer, "format"));
    const json_t *ver = json_object_get(outer, "version");
    const char *kid = json_string_value(json_object_get(outer, "key_id"));
    const char *b64 = json_string_value(json_object_get(outer, "body"));
    const char *s64 = json_string_value(json_object_get(outer, "signature"));
    if (!outer || !f || strcmp(f, "hifazat-status") || !json_is_integer(ver) || !kid || !b64 ||
        !s64 || json_object_size(outer) != 5) {
        errfmt(err, errlen, "not a Hifazat status archive");
        goto out;
    }
    if (json_integer_value(ver) != 1) {
        errfmt(err, errlen, "status archive version %lld is not known to this program",
               (long long)json_integer_value(ver));
        goto out;
    }
    uint8_t want[KEYS_KEY_ID_SIZE];
    char wanthex[KEYS_KEY_ID_SIZE * 2 + 1];
    keys_key_id(sign_pk, want);
    sodium_bin2hex(wanthex, sizeof wanthex, want, sizeof want);
    if (strcmp(kid, wanthex)) {
        rc = RECEIPT_ERR_WRONG_KEY;
        errfmt(err, errlen,
               "signed by a different key than this kiosk's helpline signing key");
        goto out;
    }
    size_t b64len = strlen(b64), blen = 0, slen = 0;
    body = malloc(sizeof SIGN_CONTEXT + b64len / 4 * 3 + 3);
    if (!body) {
        rc = RECEIPT_ERR_IO;
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    memcpy(body, SIGN_CONTEXT, sizeof SIGN_CONTEXT);
    if (sodium_base642bin(body + sizeof SIGN_CONTEXT, b64len / 4 * 3 + 3, b64, b64len, NULL,
                          &blen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        sodium_base642bin(sig, sizeof sig, s64, strlen(s64), NULL, &slen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        slen != sizeof sig) {
        rc = RECEIPT_ERR_SIGNATURE;
        errfmt(err, errlen, "altered or damaged (not base64)");
        goto out;
    }
    if (keys_verify(sign_pk, body, sizeof SIGN_CONTEXT + blen, sig) != 0) {
        rc = RECEIPT_ERR_SIGNATURE;
        errfmt(err, errlen,
               "altered or damaged: the helpline's signature does not verify");
        goto out;
    }
    /* signed by the helpline: from here a malformed body is its mistake */
    p->body = json_loadb((const char *)body + sizeof SIGN_CONTEXT, blen, JSON_REJECT_DUPLICATES,
                         &je);
    const json_t *seq = json_object_get(p->body, "sequence");
    const char *iss = json_string_value(json_object_get(p->body, "issued_at"));
    const json_t *entries = json_object_get(p->body, "entries");
    if (!p->body || !json_is_integer(json_object_get(p->body, "version")) ||
        json_integer_value(json_object_get(p->body, "version")) != 1 || !json_is_integer(seq) ||
        json_integer_value(seq) < 1 || !iss || parse_time(iss, &p->issued) != 0 ||
        !json_is_array(entries)) {
        errfmt(err, errlen, "signed, but not a valid version 1 status archive");
        goto out;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(entries, i, e) {
        const char *id = json_string_value(json_object_get(e, "report_id"));
        const char *st = json_string_value(json_object_get(e, "status"));
        const char *date = json_string_value(json_object_get(e, "date"));
        const json_t *tag = json_object_get(e, "tag"), *reason = json_object_get(e, "reason");
        enum receipt_status s;
        if (!id || !valid_hex(id, REPORT_ID_HEX) || receipt_status_parse(st, &s) != 0 || !date ||
            !valid_date(date) ||
            (tag && (!json_is_string(tag) ||
                     !valid_hex(json_string_value(tag), RECEIPT_TAG_SIZE * 2))) ||
            (reason &&
             (!json_is_string(reason) || !receipt_reason_valid(json_string_value(reason))))) {
            errfmt(err, errlen, "signed, but entry %zu is malformed", i + 1);
            goto out;
        }
    }
    p->sequence = (uint64_t)json_integer_value(seq);
    snprintf(p->issued_text, sizeof p->issued_text, "%s", iss);
    rc = RECEIPT_OK;
out:
    free(body);
    json_decref(outer);
    if (rc != RECEIPT_OK) {
        json_decref(p->body);
        p->body = NULL;
    }
    return rc;
}

int receipt_archive_sequence(const uint8_t *data, size_t len, const uint8_t sign_pk[32],
                             uint64_t *sequence, char *err, size_t errlen)
{
    struct parsed p;
    int rc = parse_archive(data, len, sign_pk, &p, err, errlen);
    *sequence = rc == RECEIPT_OK ? p.sequence : 0;
    json_decref(p.body);
    return rc;
}

/* ---------------------------------------------------------- the store */

static int open_data(const char *data_dir, char *err, size_t errlen)
{
    int fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        errfmt(err, errlen, "cannot open %s: %s", data_dir, strerror(errno));
    return fd;
}

/* The JSON file name in dirfd, or an empty object when there is none; NULL
 * on a read error or a damaged file. */
static json_t *load_json(int dirfd, const char *name, char *err, size_t errlen)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (durable_read(dirfd, name, RECEIPT_MAX_ARCHIVE, &data, &len) != 0) {
        if (errno == ENOENT)
            return json_object();
        errfmt(err, errlen, "cannot read %s: %s", name, strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, 0, &je);
    free(data);
    if (!json_is_object(j)) {
        json_decref(j);
        errfmt(err, errlen, "%s on the data partition is damaged", name);
        return NULL;
    }
    return j;
}

/* Written durably, then given the queue's fixed times (the file and the
 * data directory): a stolen stick's listing must not tell when someone last
 * looked a case up. Best effort, as in the queue. */
static int save_json(int dirfd, const char *name, const json_t *j, char *err, size_t errlen)
{
    char *text = json_dumps(j, JFLAGS);
    if (!text)
        return errfmt(err, errlen, "out of memory");
    int rc = durable_write(dirfd, name, text, strlen(text), 0600);
    if (rc != 0) {
        errfmt(err, errlen, "cannot write %s: %s", name, strerror(errno));
    } else {
        const struct timespec ts[2] = {{QUEUE_FIXED_MTIME, 0}, {QUEUE_FIXED_MTIME, 0}};
        utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW);
        futimens(dirfd, ts);
    }
    free(text);
    return rc;
}

int receipt_import(struct queue *q, const char *data_dir, const uint8_t sign_pk[32],
                   const uint8_t *data, size_t len, time_t now, struct receipt_import_result *res,
                   char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    struct parsed p;
    int rc = parse_archive(data, len, sign_pk, &p, err, errlen);
    if (rc != RECEIPT_OK)
        return rc;
    int dirfd = open_data(data_dir, err, errlen);
    json_t *store = dirfd >= 0 ? load_json(dirfd, RECEIPT_STORE_FILE, err, errlen) : NULL;
    const char **ids = NULL;
    json_t *cases = NULL;
    char shahex[65];
    sodium_bin2hex(shahex, sizeof shahex, p.sha, sizeof p.sha);
    if (!store) {
        rc = RECEIPT_ERR_IO;
        goto out;
    }
    const json_t *seen = json_object_get(store, "sequence");
    const char *seen_sha = json_string_value(json_object_get(store, "archive_sha256"));
    bool again = false;
    if (json_is_integer(seen) && (uint64_t)json_integer_value(seen) >= p.sequence) {
        if ((uint64_t)json_integer_value(seen) == p.sequence && seen_sha &&
            !strcmp(seen_sha, shahex)) {
            again = true; /* the same archive: deletions are redone, nothing else */
        } else {
            rc = RECEIPT_ERR_REPLAY;
            errfmt(err, errlen,
                   "sequence %llu, but this kiosk already has sequence %lld: an older or "
                   "replayed archive",
                   (unsigned long long)p.sequence, (long long)json_integer_value(seen));
            goto out;
        }
    }
    if (!again && p.issued < now - (time_t)RECEIPT_MAX_AGE_DAYS * 86400) {
        rc = RECEIPT_ERR_STALE;
        errfmt(err, errlen,
               "issued %s, more than %d days ago: a stale archive (ask the helpline for a "
               "new one)",
               p.issued_text, RECEIPT_MAX_AGE_DAYS);
        goto out;
    }
    const json_t *entries = json_object_get(p.body, "entries");
    size_t n = json_array_size(entries), i;
    const json_t *e;
    ids = calloc(n ? n : 1, sizeof *ids);
    cases = json_array();
    if (!ids || !cases) {
        rc = RECEIPT_ERR_IO;
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    json_array_foreach(entries, i, e) {
        ids[i] = json_string_value(json_object_get(e, "report_id"));
        const json_t *tag = json_object_get(e, "tag");
        if (!tag)
            continue;
        /* the store keeps tags, statuses and days only: no report ids */
        json_t *c = json_object();
        json_object_set(c, "tag", (json_t *)tag);
        json_object_set(c, "status", json_object_get(e, "status"));
        if (json_object_get(e, "reason"))
            json_object_set(c, "reason", json_object_get(e, "reason"));
        json_object_set(c, "date", json_object_get(e, "date"));
        json_array_append_new(cases, c);
    }
    /* Reports first: a crash before the store is written leaves a newer
     * archive that imports again. */
    long removed = queue_remove(q, ids, n);
    if (removed < 0) {
        rc = RECEIPT_ERR_IO;
        errfmt(err, errlen, "%s", queue_error_message(q));
        goto out;
    }
    if (!again) {
        json_t *ns = json_object();
        json_object_set_new(ns, "format", json_string("hifazat-case-status"));
        json_object_set_new(ns, "version", json_integer(1));
        json_object_set_new(ns, "sequence", json_integer((json_int_t)p.sequence));
        json_object_set_new(ns, "issued_at", json_string(p.issued_text));
        json_object_set_new(ns, "archive_sha256", json_string(shahex));
        json_object_set(ns, "cases", cases);
        int w = save_json(dirfd, RECEIPT_STORE_FILE, ns, err, errlen);
        json_decref(ns);
        if (w != 0) {
            rc = RECEIPT_ERR_IO;
            goto out;
        }
    }
    res->sequence = p.sequence;
    snprintf(res->issued_at, sizeof res->issued_at, "%s", p.issued_text);
    res->entries = n;
    res->removed = removed;
    rc = again ? RECEIPT_ALREADY : RECEIPT_OK;
out:
    free(ids);
    json_decref(cases);
    json_decref(store);
    json_decref(p.body);
    if (dirfd >= 0)
        close(dirfd);
    return rc;
}

int receipt_store_info(const char *data_dir, uint64_t *sequence, char issued_at[21])
{
    *sequence = 0;
    issued_at[0] = '\0';
    int dirfd = open_data(data_dir, NULL, 0);
    if (dirfd < 0)
        return -1;
    json_t *store = load_json(dirfd, RECEIPT_STORE_FILE, NULL, 0);
    close(dirfd);
    if (!store)
        return -1;
    const json_t *seq = json_object_get(store, "sequence");
    const char *iss = json_string_value(json_object_get(store, "issued_at"));
    int rc = 0;
    if (json_is_integer(seq) && iss) {
        *sequence = (uint64_t)json_integer_value(seq);
        snprintf(issued_at, 21, "%s", iss);
        rc = 1;
    }
    json_decref(store);
    return rc;
}

/* ------------------------------------------------------------- lookups */

static int cmp_time(const void *a, const void *b)
{
    json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
    return (x > y) - (x < y);
}

/* Failed lookups within the window (times in the file; a clock set back
 * keeps the later ones counting). When there are too many, *wait is how
 * long until enough of them have left the window. */
static size_t recent_failures(const json_t *fails, time_t now, long *wait)
{
    size_t i, count = 0;
    const json_t *t;
    json_int_t recent[64];
    *wait = 0;
    json_array_foreach(fails, i, t) {
        json_int_t v = json_integer_value(t);
        if (v > (json_int_t)now - RECEIPT_LOOKUP_WINDOW) {
            if (count < sizeof recent / sizeof recent[0])
                recent[count] = v > (json_int_t)now ? (json_int_t)now : v;
            count++;
        }
    }
    size_t n = count < 64 ? count : 64;
    if (count >= RECEIPT_LOOKUP_MAX && n >= RECEIPT_LOOKUP_MAX) {
        qsort(recent, n, sizeof recent[0], cmp_time);
        *wait = (long)(recent[n - RECEIPT_LOOKUP_MAX] + RECEIPT_LOOKUP_WINDOW - (json_int_t)now);
        if (*wait < 1)
            *wait = 1;
    }
    return count;
}

/* Counts one lookup as failed, durably, before it is made: a process killed
 * half-way cannot make a free guess. */
static int count_attempt(int dirfd, json_t *lk, time_t now, char *err, size_t errlen)
{
    json_t *fails = json_object_get(lk, "failures");
    json_t *kept = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(fails, i, t) {
        if (json_integer_value(t) > (json_int_t)now - RECEIPT_LOOKUP_WINDOW)
            json_array_append(kept, (json_t *)t);
    }
    json_array_append_new(kept, json_integer((json_int_t)now));
    json_object_set_new(lk, "failures", kept);
    return save_json(dirfd, RECEIPT_LOOKUPS_FILE, lk, err, errlen);
}

/* A lookup that found its case does not count: the attempt is taken back. */
static int uncount_attempt(int dirfd, json_t *lk, char *err, size_t errlen)
{
    json_t *fails = json_object_get(lk, "failures");
    if (json_array_size(fails))
        json_array_remove(fails, json_array_size(fails) - 1);
    return save_json(dirfd, RECEIPT_LOOKUPS_FILE, lk, err, errlen);
}

static int find_case(int dirfd, const uint8_t tag[RECEIPT_TAG_SIZE], struct receipt_case *c,
                     char *err, size_t errlen)
{
    json_t *store = load_json(dirfd, RECEIPT_STORE_FILE, err, errlen);
    if (!store)
        return -1;
    int found = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(store, "cases"), i, e) {
        uint8_t t[RECEIPT_TAG_SIZE];
        const char *hex = json_string_value(json_object_get(e, "tag"));
        size_t got = 0;
        enum receipt_status s;
        if (!hex || sodium_hex2bin(t, sizeof t, hex, strlen(hex), NULL, &got, NULL) != 0 ||
            got != sizeof t ||
            receipt_status_parse(json_string_value(json_object_get(e, "status")), &s) != 0)
            continue;
        if (sodium_memcmp(t, tag, sizeof t) == 0) {
            c->status = s;
            snprintf(c->reason, sizeof c->reason, "%s",
                     json_string_value(json_object_get(e, "reason"))
                         ? json_string_value(json_object_get(e, "reason"))
                         : "");
            snprintf(c->date, sizeof c->date, "%s",
                     json_string_value(json_object_get(e, "date")));
            found = 1;
        }
    }
    json_decref(store);
    return found;
}

/* The rate-limited lookup both receipt_lookup and receipt_withdraw use. */
static int lookup(int dirfd, const char *code, const char *pin, time_t now,
                  struct receipt_case *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    json_t *lk = load_json(dirfd, RECEIPT_LOOKUPS_FILE, err, errlen);
    if (!lk)
        return -1;
    int rc = -1;
    if (recent_failures(json_object_get(lk, "failures"), now, &c->retry_after) >=
        RECEIPT_LOOKUP_MAX) {
        rc = RECEIPT_LIMITED;
        goto out;
    }
    if (count_attempt(dirfd, lk, now, err, errlen) != 0)
        goto out;
    uint8_t tag[RECEIPT_TAG_SIZE];
    int found = receipt_tag(code, pin, tag) == 0 ? find_case(dirfd, tag, c, err, errlen) : 0;
    sodium_memzero(tag, sizeof tag);
    if (found < 0)
        goto out;
    if (found && uncount_attempt(dirfd, lk, err, errlen) != 0)
        goto out;
    rc = found ? RECEIPT_FOUND : RECEIPT_UNKNOWN;
out:
    json_decref(lk);
    return rc;
}

int receipt_lookup(const char *data_dir, const char *code, const char *pin, time_t now,
                   struct receipt_case *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (keys_init() != 0)
        return errfmt(err, errlen, "libsodium could not start");
    int dirfd = open_data(data_dir, err, errlen);
    if (dirfd < 0)
        return -1;
    int rc = lookup(dirfd, code, pin, now, c, err, errlen);
    close(dirfd);
    return rc;
}

int receipt_withdraw(struct queue *q, const char *data_dir, const struct keys_kiosk *k,
                     const uint8_t helpline_pk[KEYS_PUBLIC_SIZE], const struct report_meta *meta,
                     const char *code, const char *pin, time_t now, struct receipt_case *c,
                     char *err, size_t errlen)
{
    /* The same lookup and rate limit as a status question. */
    int rc = receipt_lookup(data_dir, code, pin, now, c, err, errlen);
    if (rc == RECEIPT_LIMITED || rc < 0)
        return rc;
    if (rc == RECEIPT_FOUND && c->status == RECEIPT_WITHDRAWN)
        return RECEIPT_ALREADY;
    struct report *r = report_create_withdrawal(meta, code, pin);
    if (!r) /* a malformed code or PIN (its check digit is public arithmetic) */
        return RECEIPT_UNKNOWN;
    struct report_receipt rr;
    int qrc = queue_add_report(q, r, k, helpline_pk, &rr);
    if (qrc != 0)
        errfmt(err, errlen, "%s", queue_error_message(q));
    sodium_memzero(&rr, sizeof rr);
    report_destroy(r);
    return qrc == 0 ? RECEIPT_QUEUED : -1;
}
