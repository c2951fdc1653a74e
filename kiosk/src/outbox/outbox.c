#include "outbox.h"

#include "durable.h"
#include "errfmt.h"

#include <archive.h>
#include <archive_entry.h>
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

#define MANIFEST_NAME "manifest.json"
#define SIGNATURE_NAME "manifest.sig"
#define REPORTS_PREFIX "reports/"
static const char SIGN_CONTEXT[] = "hifazat outbox v1"; /* signed with its NUL */

static bool parse_report_name(const char *name, char id[REPORT_ID_HEX + 1])
{
    size_t pl = strlen(REPORTS_PREFIX), sl = strlen(QUEUE_SUFFIX);
    if (strncmp(name, REPORTS_PREFIX, pl) != 0 || strlen(name) != pl + REPORT_ID_HEX + sl ||
        strcmp(name + pl + REPORT_ID_HEX, QUEUE_SUFFIX) != 0)
        return false;
    for (int i = 0; i < REPORT_ID_HEX; i++) {
        char c = name[pl + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        id[i] = c;
    }
    id[REPORT_ID_HEX] = '\0';
    return true;
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char hex[2 * 64 + 1];
    sodium_bin2hex(hex, sizeof(hex), b, n);
    return json_string(hex);
}

/* ================================================================ reader */

struct outbox_reader {
    struct outbox_entry *e;
    size_t n, cap;
    uint8_t **bufs;
    size_t nbufs;
    bool manifest_ok;
    char manifest_err[200];
    uint8_t kiosk_pk[KEYS_PUBLIC_SIZE];
    char warning[300];
};

struct raw {
    char id[REPORT_ID_HEX + 1];
    uint8_t *data;
    size_t len;
    bool dup, too_large, truncated;
};

struct manifest_item {
    char id[REPORT_ID_HEX + 1];
    json_int_t size;
    uint8_t sha256[32];
};

static int item_cmp(const void *a, const void *b)
{
    return strcmp(((const struct manifest_item *)a)->id, ((const struct manifest_item *)b)->id);
}

static int raw_cmp(const void *a, const void *b)
{
    return strcmp(((const struct raw *)a)->id, ((const struct raw *)b)->id);
}

void outbox_reader_free(struct outbox_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nbufs; i++)
        free(r->bufs[i]);
    free(r->bufs);
    free(r->e);
    free(r);
}

bool outbox_reader_manifest_ok(const struct outbox_reader *r)
{
    return r->manifest_ok;
}

const char *outbox_reader_manifest_error(const struct outbox_reader *r)
{
    return r->manifest_ok ? NULL : r->manifest_err;
}

const uint8_t *outbox_reader_kiosk_key(const struct outbox_reader *r)
{
    return r->manifest_ok ? r->kiosk_pk : NULL;
}

const char *outbox_reader_warning(const struct outbox_reader *r)
{
    return r->warning[0] ? r->warning : NULL;
}

size_t outbox_reader_count(const struct outbox_reader *r)
{
    return r->n;
}

const struct outbox_entry *outbox_reader_entry(const struct outbox_reader *r, size_t i)
{
    return i < r->n ? &r->e[i] : NULL;
}

const char *outbox_entry_status_message(enum outbox_entry_status s)
{
    switch (s) {
    case OUTBOX_ENTRY_OK: return "ok";
    case OUTBOX_ENTRY_UNVERIFIED: return "not covered by a valid manifest";
    case OUTBOX_ENTRY_MISSING: return "named in the manifest but missing from the archive (damaged or removed)";
    case OUTBOX_ENTRY_ALTERED: return "altered or truncated: it does not match the manifest";
    case OUTBOX_ENTRY_UNLISTED: return "not in the signed manifest (added to the archive later)";
    case OUTBOX_ENTRY_DUPLICATE: return "appears twice in the archive";
    case OUTBOX_ENTRY_TOO_LARGE: return "larger than any sealed report can be";
    }
    return "?";
}

static void warn(struct outbox_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct outbox_reader *r, const char *fmt, ...)
{
    if (r->warning[0])
        return; /* the first problem explains the rest */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warning, sizeof(r->warning), fmt, ap);
    va_end(ap);
}

static int push_entry(struct outbox_reader *r, const char *id, enum outbox_entry_status st,
                      const struct raw *raw)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct outbox_entry *e = realloc(r->e, cap * sizeof(*e));
        if (!e)
            return -1;
        r->e = e;
        r->cap = cap;
    }
    struct outbox_entry *e = &r->e[r->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->id, id, sizeof(e->id));
    e->status = st;
    if (raw && raw->data) {
        e->data = raw->data;
        e->len = raw->len;
        crypto_hash_sha256(e->sha256, raw->data, raw->len);
    }
    return 0;
}

/* Reads the current entry's data (size known, <= max) into malloc'd memory.
 * Returns 0; *truncated when the archive ended early; -1 for no memory. */
static int read_data(struct archive *a, size_t size, uint8_t **out, size_t *len, bool *truncated)
{
    uint8_t *buf = malloc(size ? size : 1);
    *out = NULL;
    *len = 0;
    *truncated = false;
    if (!buf)
        return -1;
    size_t got = 0;
    while (got < size) {
        la_ssize_t n = archive_read_data(a, buf + got, size - got);
        if (n <= 0) {
            *truncated = true;
            break;
        }
        got += (size_t)n;
    }
    *out = buf;
    *len = got;
    return 0;
}

static int parse_manifest(struct outbox_reader *r, const uint8_t *m, size_t mlen,
                          const uint8_t *sig, size_t siglen, struct manifest_item **items,
                          size_t *nitems, size_t max_entries)
{
    *items = NULL;
    *nitems = 0;
    if (!m)
        return errfmt(r->manifest_err, sizeof(r->manifest_err), "the archive has no manifest");
    if (!sig || siglen != KEYS_SIGNATURE_SIZE)
        return errfmt(r->manifest_err, sizeof(r->manifest_err), "the manifest is not signed");
    json_error_t je;
    json_t *j = json_loadb((const char *)m, mlen, JSON_REJECT_DUPLICATES, &je);
    const json_t *fmt = json_object_get(j, "format"), *ver = json_object_get(j, "version");
    const json_t *kk = json_object_get(j, "kiosk_key"), *reps = json_object_get(j, "reports");
    int rc = -1;
    if (!json_is_object(j) || !json_is_string(fmt) ||
        strcmp(json_string_value(fmt), "hifazat-outbox") != 0) {
        errfmt(r->manifest_err, sizeof(r->manifest_err), "the manifest is not a Hifazat manifest");
        goto out;
    }
    if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
        errfmt(r->manifest_err, sizeof(r->manifest_err),
               "manifest version %lld is not known to this program",
               json_is_integer(ver) ? (long long)json_integer_value(ver) : -1LL);
        goto out;
    }
    if (!json_is_string(kk) || keys_public_parse(json_string_value(kk), r->kiosk_pk) != 0 ||
        !json_is_array(reps) || !json_is_string(json_object_get(j, "created_at"))) {
        errfmt(r->manifest_err, sizeof(r->manifest_err), "the manifest is malformed");
        goto out;
    }
    /* Check the signature before believing anything else in it. */
    size_t msglen = sizeof(SIGN_CONTEXT) + mlen;
    uint8_t *msg = malloc(msglen);
    if (!msg) {
        errfmt(r->manifest_err, sizeof(r->manifest_err), "out of memory");
        goto out;
    }
    memcpy(msg, SIGN_CONTEXT, sizeof(SIGN_CONTEXT));
    memcpy(msg + sizeof(SIGN_CONTEXT), m, mlen);
    int v = keys_verify(r->kiosk_pk, msg, msglen, sig);
    free(msg);
    if (v != 0) {
        errfmt(r->manifest_err, sizeof(r->manifest_err),
               "the manifest's signature does not verify (altered or damaged)");
        goto out;
    }
    size_t n = json_array_size(reps);
    if (n > max_entries) {
        errfmt(r->manifest_err, sizeof(r->manifest_err), "the manifest lists too many reports");
        goto out;
    }
    *items = calloc(n ? n : 1, sizeof(**items));
    if (!*items) {
        errfmt(r->manifest_err, sizeof(r->manifest_err), "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(reps, i);
        const json_t *id = json_object_get(e, "id"), *size = json_object_get(e, "size");
        const json_t *sha = json_object_get(e, "sha256");
        struct manifest_item *it = &(*items)[i];
        char name[128];
        size_t shalen = 0;
        if (!json_is_string(id) || !json_is_integer(size) || !json_is_string(sha) ||
            json_object_size(e) != 3)
            goto bad;
        snprintf(name, sizeof(name), "%s%s%s", REPORTS_PREFIX, json_string_value(id), QUEUE_SUFFIX);
        if (!parse_report_name(name, it->id) || json_string_length(sha) != 64 ||
            sodium_hex2bin(it->sha256, 32, json_string_value(sha), 64, NULL, &shalen, NULL) != 0 ||
            shalen != 32)
            goto bad;
        it->size = json_integer_value(size);
    }
    if (n)
        qsort(*items, n, sizeof(**items), item_cmp);
    for (size_t i = 1; i < n; i++)
        if (!strcmp((*items)[i].id, (*items)[i - 1].id))
            goto bad;
    *nitems = n;
    r->manifest_ok = true;
    rc = 0;
    goto out;
bad:
    errfmt(r->manifest_err, sizeof(r->manifest_err), "the manifest lists a report badly");
    free(*items);
    *items = NULL;
out:
    json_decref(j);
    return rc;
}

struct outbox_reader *outbox_read(const uint8_t *data, size_t len, const struct outbox_limits *lim,
                                  char *err, size_t errlen)
{
    size_t max_entries = lim && lim->max_entries ? lim->max_entries : 100000;
    size_t max_entry = lim && lim->max_entry_size ? lim->max_entry_size : REPORT_MAX_SEALED;
    size_t max_manifest = lim && lim->max_manifest_size ? lim->max_manifest_size : 32u << 20;
    if (keys_init() != 0) {
        errfmt(err, errlen, "libsodium could not start");
        return NULL;
    }
    struct outbox_reader *r = calloc(1, sizeof(*r));
    struct archive *a = archive_read_new();
    struct raw *raws = NULL;
    size_t nraw = 0, rawcap = 0;
    uint8_t *manifest = NULL, *sig = NULL;
    size_t mlen = 0, siglen = 0;
    struct manifest_item *items = NULL;
    size_t nitems = 0;
    if (!r || !a) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    /* Tar only, no compression filters (no decompression bombs), and the
     * format set outright: a damaged first header must not make the whole
     * archive unreadable (libarchive resynchronises on the next header). */
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_set_format(a, ARCHIVE_FORMAT_TAR) != ARCHIVE_OK ||
        archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        errfmt(err, errlen, "not a readable archive: %s", archive_error_string(a));
        goto fail;
    }
    size_t retries = 0, seen = 0;
    for (;;) {
        struct archive_entry *ae;
        int rc = archive_read_next_header(a, &ae);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc == ARCHIVE_RETRY) {
            warn(r, "the archive is damaged (%s); skipped to the next intact entry",
                 archive_error_string(a));
            if (++retries > len / 512 + 2)
                break;
            continue;
        }
        if (rc == ARCHIVE_FATAL) {
            warn(r, "the archive is truncated or damaged after %zu entries (%s)", seen,
                 archive_error_string(a));
            break;
        }
        if (++seen > max_entries + 2) {
            warn(r, "the archive has more than %zu entries; the rest was not read", max_entries);
            break;
        }
        const char *name = archive_entry_pathname(ae);
        char id[REPORT_ID_HEX + 1];
        bool is_manifest = name && !strcmp(name, MANIFEST_NAME);
        bool is_sig = name && !strcmp(name, SIGNATURE_NAME);
        bool is_report = name && parse_report_name(name, id);
        if (archive_entry_filetype(ae) != AE_IFREG || !archive_entry_size_is_set(ae) ||
            archive_entry_size(ae) < 0 || !(is_manifest || is_sig || is_report)) {
            warn(r, "unexpected entry '%.80s' ignored", name ? name : "(no name)");
            continue;
        }
        /* Refused before any allocation: a sparse entry's holes would be
         * read out as zeros (megabytes from a few hundred bytes), and no
         * entry can hold more bytes than the whole archive has. */
        if (archive_entry_sparse_count(ae) > 0) {
            warn(r, "a sparse entry '%.80s' was refused", name);
            continue;
        }
        if ((uint64_t)archive_entry_size(ae) > (uint64_t)len) {
            warn(r, "the entry '%.80s' declares %lld bytes, more than the whole archive; refused",
                 name, (long long)archive_entry_size(ae));
            continue;
        }
        size_t size = (size_t)archive_entry_size(ae);
        uint8_t *buf = NULL;
        size_t got = 0;
        bool truncated = false;
        if (is_manifest || is_sig) {
            if ((is_manifest ? manifest : sig) || size > (is_manifest ? max_manifest : 4096)) {
                warn(r, "a second or oversized %s was ignored", name);
                continue;
            }
            if (read_data(a, size, &buf, &got, &truncated) != 0) {
                errfmt(err, errlen, "out of memory");
                goto fail;
            }
            if (is_manifest) {
                manifest = buf;
                mlen = got;
            } else {
                sig = buf;
                siglen = got;
            }
        } else {
            if (nraw == rawcap) {
                size_t cap = rawcap ? rawcap * 2 : 64;
                struct raw *nr = realloc(raws, cap * sizeof(*nr));
                if (!nr) {
                    errfmt(err, errlen, "out of memory");
                    goto fail;
                }
                raws = nr;
                rawcap = cap;
            }
            struct raw *rw = &raws[nraw++];
            memset(rw, 0, sizeof(*rw));
            memcpy(rw->id, id, sizeof(rw->id));
            if (size > max_entry) {
                rw->too_large = true;
                continue;
            }
            if (read_data(a, size, &rw->data, &rw->len, &rw->truncated) != 0) {
                errfmt(err, errlen, "out of memory");
                goto fail;
            }
        }
        if (truncated || (is_report && raws[nraw - 1].truncated)) {
            warn(r, "the archive is truncated inside '%.80s'", name);
            break;
        }
    }

    /* Ownership of every report buffer goes to the reader. */
    r->bufs = calloc(nraw ? nraw : 1, sizeof(*r->bufs));
    if (!r->bufs) {
        errfmt(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nraw; i++)
        if (raws[i].data)
            r->bufs[r->nbufs++] = raws[i].data;
    if (nraw)
        qsort(raws, nraw, sizeof(*raws), raw_cmp);
    for (size_t i = 1; i < nraw; i++)
        if (!strcmp(raws[i].id, raws[i - 1].id))
            raws[i].dup = raws[i - 1].dup = true;

    parse_manifest(r, manifest, mlen, sig, siglen, &items, &nitems, max_entries);
    if (r->manifest_ok) {
        for (size_t i = 0; i < nitems; i++) {
            struct raw key;
            memcpy(key.id, items[i].id, sizeof(key.id));
            struct raw *rw = nraw ? bsearch(&key, raws, nraw, sizeof(*raws), raw_cmp) : NULL;
            enum outbox_entry_status st;
            uint8_t sha[32];
            if (!rw)
                st = OUTBOX_ENTRY_MISSING;
            else if (rw->dup)
                st = OUTBOX_ENTRY_DUPLICATE;
            else if (rw->too_large)
                st = OUTBOX_ENTRY_TOO_LARGE;
            else if (rw->truncated || (json_int_t)rw->len != items[i].size ||
                     (crypto_hash_sha256(sha, rw->data, rw->len),
                      sodium_memcmp(sha, items[i].sha256, 32) != 0))
                st = OUTBOX_ENTRY_ALTERED;
            else
                st = OUTBOX_ENTRY_OK;
            if (push_entry(r, items[i].id, st, st == OUTBOX_ENTRY_MISSING ? NULL : rw) != 0)
                goto nomem;
        }
        for (size_t i = 0; i < nraw; i++) {
            struct manifest_item key;
            memcpy(key.id, raws[i].id, sizeof(key.id));
            bool listed = nitems && bsearch(&key, items, nitems, sizeof(*items), item_cmp);
            if (i > 0 && !strcmp(raws[i].id, raws[i - 1].id))
                continue;
            if (!listed && push_entry(r, raws[i].id, OUTBOX_ENTRY_UNLISTED, &raws[i]) != 0)
                goto nomem;
        }
    } else {
        for (size_t i = 0; i < nraw; i++) {
            if (i > 0 && !strcmp(raws[i].id, raws[i - 1].id))
                continue;
            enum outbox_entry_status st = raws[i].dup         ? OUTBOX_ENTRY_DUPLICATE
                                          : raws[i].too_large ? OUTBOX_ENTRY_TOO_LARGE
                                                              : OUTBOX_ENTRY_UNVERIFIED;
            if (push_entry(r, raws[i].id, st, &raws[i]) != 0)
                goto nomem;
        }
    }
    free(items);
    free(raws);
    free(manifest);
    free(sig);
    archive_read_free(a);
    return r;
nomem:
    errfmt(err, errlen, "out of memory");
fail:
    if (r && !r->bufs)
        for (size_t i = 0; i < nraw; i++)
            free(raws[i].data);
    free(items);
    free(raws);
    free(manifest);
    free(sig);
    if (a)
        archive_read_free(a);
    outbox_reader_free(r);
    return NULL;
}

/* ================================================================ writer */

static int add_entry(struct archive *a, const char *name, const uint8_t *data, size_t len,
                     time_t mtime)
{
    struct archive_entry *ae = archive_entry_new();
    if (!ae)
        return -1;
    archive_entry_set_pathname(ae, name);
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0600);
    archive_entry_set_size(ae, (la_int64_t)len);
    archive_entry_set_mtime(ae, mtime, 0);
    int rc = archive_write_header(a, ae);
    archive_entry_free(ae);
    if (rc != ARCHIVE_OK)
        return -1;
    if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
        return -1;
    return 0;
}

struct batch {
    struct queue_entry *e; /* sorted by id */
    size_t n;
    uint8_t (*sha)[32];
    uint64_t *size;
};

static void archive_name(char *out, size_t outlen, const struct keys_kiosk *k, const struct batch *b)
{
    /* Named after the kiosk and the set of reports, so the same set always
     * gets the same name (idempotent export; the uploader's If-None-Match). */
    crypto_generichash_state st;
    uint8_t h[10];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, keys_kiosk_public(k), KEYS_PUBLIC_SIZE);
    for (size_t i = 0; i < b->n; i++)
        crypto_generichash_update(&st, (const uint8_t *)b->e[i].id, REPORT_ID_HEX);
    crypto_generichash_final(&st, h, sizeof(h));
    char fpr[KEYS_FINGERPRINT_SIZE], hex[21];
    keys_fingerprint(keys_kiosk_public(k), KEYS_ROLE_KIOSK, fpr);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, outlen, "hifazat-%.4s%.4s-%s%s", fpr, fpr + 5, hex, OUTBOX_SUFFIX);
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(((const struct queue_entry *)a)->id, ((const struct queue_entry *)b)->id);
}

/* Whether dir/name already is a valid archive of exactly this batch. */
static bool archive_present(int dirfd, const char *name, const struct keys_kiosk *k,
                            const struct batch *b)
{
    uint8_t *data;
    size_t len;
    if (durable_read(dirfd, name, (size_t)1 << 31, &data, &len) != 0)
        return false;
    struct outbox_reader *r = outbox_read(data, len, NULL, NULL, 0);
    bool ok = r && r->manifest_ok && !r->warning[0] && r->n == b->n &&
              sodium_memcmp(r->kiosk_pk, keys_kiosk_public(k), KEYS_PUBLIC_SIZE) == 0;
    for (size_t i = 0; ok && i < r->n; i++) {
        struct queue_entry key;
        memcpy(key.id, r->e[i].id, sizeof(key.id));
        struct queue_entry *qe = b->n ? bsearch(&key, b->e, b->n, sizeof(key), id_cmp) : NULL;
        ok = r->e[i].status == OUTBOX_ENTRY_OK && qe &&
             sodium_memcmp(r->e[i].sha256, b->sha[qe - b->e], 32) == 0;
    }
    outbox_reader_free(r);
    free(data);
    return ok;
}

static json_t *build_manifest(const struct keys_kiosk *k, const struct batch *b, time_t now)
{
    char kk[KEYS_PUBLIC_TEXT_SIZE], when[32];
    struct tm tm;
    keys_public_format(keys_kiosk_public(k), kk);
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *reps = json_array();
    for (size_t i = 0; i < b->n; i++)
        json_array_append_new(reps, json_pack("{s:s, s:I, s:o}", "id", b->e[i].id, "size",
                                              (json_int_t)b->size[i], "sha256",
                                              hex_json(b->sha[i], 32)));
    return json_pack("{s:s, s:i, s:s, s:s, s:o}", "format", "hifazat-outbox", "version", 1,
                     "created_at", when, "kiosk_key", kk, "reports", reps);
}

static int write_batch(struct queue *q, const struct keys_kiosk *k, int dirfd, const char *name,
                       const struct batch *b, const char *shown, char *err, size_t errlen)
{
    time_t now = time(NULL);
    json_t *mj = build_manifest(k, b, now);
    char *m = mj ? json_dumps(mj, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(mj);
    if (!m)
        return errfmt(err, errlen, "out of memory");
    size_t mlen = strlen(m);
    uint8_t sig[KEYS_SIGNATURE_SIZE];
    uint8_t *msg = malloc(sizeof(SIGN_CONTEXT) + mlen);
    if (!msg) {
        free(m);
        return errfmt(err, errlen, "out of memory");
    }
    memcpy(msg, SIGN_CONTEXT, sizeof(SIGN_CONTEXT));
    memcpy(msg + sizeof(SIGN_CONTEXT), m, mlen);
    keys_kiosk_sign(k, msg, sizeof(SIGN_CONTEXT) + mlen, sig);
    free(msg);

    char tmp[DURABLE_NAME_MAX];
    int rc = -1;
    int fd = durable_begin(dirfd, name, 0600, tmp);
    struct archive *a = archive_write_new();
    if (fd < 0 || !a) {
        errfmt(err, errlen, "cannot write in %s: %s", shown, fd < 0 ? strerror(errno) : "out of memory");
        goto out;
    }
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK ||
        add_entry(a, MANIFEST_NAME, (const uint8_t *)m, mlen, now) != 0 ||
        add_entry(a, SIGNATURE_NAME, sig, sizeof(sig), now) != 0)
        goto archive_fail;
    for (size_t i = 0; i < b->n; i++) {
        uint8_t *data;
        size_t len;
        uint8_t sha[32];
        if (queue_read(q, b->e[i].id, &data, &len) != 0) {
            errfmt(err, errlen, "%s", queue_error_message(q));
            goto out;
        }
        crypto_hash_sha256(sha, data, len);
        char ename[64];
        snprintf(ename, sizeof(ename), "%s%s%s", REPORTS_PREFIX, b->e[i].id, QUEUE_SUFFIX);
        int arc = (len != b->size[i] || sodium_memcmp(sha, b->sha[i], 32) != 0)
                      ? -2
                      : add_entry(a, ename, data, len, now);
        free(data);
        if (arc == -2) {
            errfmt(err, errlen, "report %s changed while it was being exported", b->e[i].id);
            goto out;
        }
        if (arc != 0)
            goto archive_fail;
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        goto archive_fail;
    archive_write_free(a);
    a = NULL;
    rc = durable_commit(dirfd, fd, tmp, name);
    fd = -1;
    if (rc != 0)
        errfmt(err, errlen, "cannot finish %s/%s: %s", shown, name, strerror(errno));
    goto out;
archive_fail:
    errfmt(err, errlen, "cannot write %s/%s: %s", shown, name,
           archive_errno(a) ? strerror(archive_errno(a)) : archive_error_string(a));
out:
    if (a)
        archive_write_free(a);
    if (fd >= 0)
        durable_abort(dirfd, fd, tmp);
    free(m);
    return rc;
}

long outbox_export(struct queue *q, const struct keys_kiosk *k, const char *dir,
                   const struct outbox_export_options *opts, outbox_archive_fn on_archive,
                   void *ctx, char *err, size_t errlen)
{
    /* 0: no cap (the kiosk's callers pass [queue] max_per_archive). */
    size_t per = opts && opts->max_reports ? opts->max_reports : SIZE_MAX;
    struct queue_entry *all = NULL, *more = NULL;
    size_t nall = 0, nmore = 0;
    long total = -1;
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        errfmt(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    if (queue_list(q, QUEUE_PENDING, &all, &nall) != 0 ||
        (opts && opts->include_exported && queue_list(q, QUEUE_EXPORTED, &more, &nmore) != 0)) {
        errfmt(err, errlen, "%s", queue_error_message(q));
        goto out;
    }
    if (nmore) {
        struct queue_entry *j = realloc(all, (nall + nmore) * sizeof(*j));
        if (!j) {
            errfmt(err, errlen, "out of memory");
            goto out;
        }
        all = j;
        memcpy(all + nall, more, nmore * sizeof(*more));
        nall += nmore;
    }
    total = 0;
    for (size_t start = 0; start < nall; start += per) {
        struct batch b = {all + start, nall - start < per ? nall - start : per, NULL, NULL};
        qsort(b.e, b.n, sizeof(*b.e), id_cmp);
        b.sha = malloc(b.n * sizeof(*b.sha));
        b.size = malloc(b.n * sizeof(*b.size));
        const char **ids = malloc(b.n * sizeof(*ids));
        int rc = (b.sha && b.size && ids) ? 0 : errfmt(err, errlen, "out of memory");
        for (size_t i = 0; rc == 0 && i < b.n; i++) {
            uint8_t *data;
            size_t len;
            if (queue_read(q, b.e[i].id, &data, &len) != 0) {
                rc = errfmt(err, errlen, "%s", queue_error_message(q));
                break;
            }
            crypto_hash_sha256(b.sha[i], data, len);
            b.size[i] = len;
            free(data);
            ids[i] = b.e[i].id;
        }
        char name[128];
        bool existed = false;
        if (rc == 0) {
            archive_name(name, sizeof(name), k, &b);
            existed = archive_present(dirfd, name, k, &b);
            if (!existed)
                rc = write_batch(q, k, dirfd, name, &b, dir, err, errlen);
        }
        if (rc == 0 && queue_mark(q, QUEUE_EXPORTED, ids, b.n) < 0)
            rc = errfmt(err, errlen, "%s", queue_error_message(q));
        if (rc == 0 && on_archive) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            on_archive(ctx, path, b.n, existed);
        }
        free(b.sha);
        free(b.size);
        free(ids);
        if (rc != 0) {
            total = -1;
            goto out;
        }
        total += (long)b.n;
    }
out:
    free(all);
    free(more);
    close(dirfd);
    return total;
}

long outbox_ack(struct queue *q, const struct keys_kiosk *k, const char *archive_path, char *err,
                size_t errlen)
{
    uint8_t *data;
    size_t len;
    if (durable_read(AT_FDCWD, archive_path, (size_t)1 << 31, &data, &len) != 0)
        return errfmt(err, errlen, "cannot read %s: %s", archive_path, strerror(errno));
    char rerr[200];
    struct outbox_reader *r = outbox_read(data, len, NULL, rerr, sizeof(rerr));
    long rc = -1;
    const char **ids = NULL;
    if (!r) {
        errfmt(err, errlen, "%s: %s", archive_path, rerr);
        goto out;
    }
    if (!r->manifest_ok) {
        errfmt(err, errlen, "%s: %s", archive_path, r->manifest_err);
        goto out;
    }
    if (sodium_memcmp(r->kiosk_pk, keys_kiosk_public(k), KEYS_PUBLIC_SIZE) != 0) {
        errfmt(err, errlen, "%s was exported by another kiosk", archive_path);
        goto out;
    }
    ids = malloc((r->n ? r->n : 1) * sizeof(*ids));
    if (!ids) {
        errfmt(err, errlen, "out of memory");
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].status == OUTBOX_ENTRY_OK)
            ids[n++] = r->e[i].id;
    rc = queue_mark(q, QUEUE_UPLOADED, ids, n);
    if (rc < 0)
        errfmt(err, errlen, "%s", queue_error_message(q));
out:
    free(ids);
    outbox_reader_free(r);
    free(data);
    return rc;
}
