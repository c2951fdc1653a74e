/* hifazat open ARCHIVE... --key FILE — the helpline's side: outbox archives
 * (or single sealed reports) in, the hashes out as JSON Lines and CSV, and
 * with --hma as request bodies for a Hasher-Matcher-Actioner bank (and with
 * --hma-withdrawn, those of withdrawn cases, to find and remove); with
 * --kiosks, only from the kiosks the helpline registered. */
#include "cli.h"
#include "durable.h"
#include "errfmt.h"
#include "keys.h"
#include "outbox.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPEN_MAX_INPUT = 1u << 30 };

static void usage(FILE *f)
{
    fputs("usage: hifazat open ARCHIVE... --key FILE --kiosks FILE [options]\n"
          "Opens outbox archives (or single sealed .hfz reports) with the helpline's\n"
          "secret key: checks each manifest's signature and every sealed file against it,\n"
          "decrypts each report, checks the kiosk's signature and the schema, and writes\n"
          "one JSON object per report (JSON Lines) and one CSV row per hash. A report\n"
          "seen before (in this run or in --seen) is written once. A damaged, altered,\n"
          "truncated, wrong-key, replayed or unknown-version report is named on stderr\n"
          "and the others are still opened. Archives are read in memory; nothing in\n"
          "them is ever extracted to disk.\n"
          "\n"
          "  --key FILE             the helpline secret key (helpline.key)\n"
          "  --passphrase-file FILE its passphrase (first line); else asked on the terminal\n"
          "  --kiosks FILE          required: the registered kiosks, one per line:\n"
          "                           [revoked] KEY NAME...\n"
          "                         KEY is the kiosk key's fingerprint (XXXX-XXXX-XXXX-XXXX,\n"
          "                         as `hifazat queue status` and the staff screen show it)\n"
          "                         or its base64 public key; NAME (required) is given back\n"
          "                         as kiosk_name; '#' starts a comment. A line starting\n"
          "                         with `revoked` refuses that key's reports (a stolen or\n"
          "                         retired stick). Anyone with helpline.pub can seal a\n"
          "                         report and every stick's kiosk key can be copied: a\n"
          "                         report signed by any other key is refused\n"
          "  --accept-unregistered  open reports from kiosks not in --kiosks too (revoked\n"
          "                         ones stay refused); stderr counts them at the end\n"
          "  --jsonl FILE           JSON Lines output (default: standard output)\n"
          "  --csv FILE             CSV output: case_code,route,signal_type,value,quality,\n"
          "                         report_id,item,kind,variant,kiosk_key_fingerprint,\n"
          "                         kiosk_name (empty: an unregistered kiosk); a\n"
          "                         withdrawal request is one row of signal_type and kind\n"
          "                         \"withdrawal\" (its JSON Lines record has \"kind\")\n"
          "  --hma FILE             the hashes as request bodies for an HMA bank (Meta's\n"
          "                         Hasher-Matcher-Actioner, POST /c/bank/BANK/signal):\n"
          "                         one JSON object per line, {\"pdq\": ...} per picture,\n"
          "                         {\"video_md5\": ..., \"vpdq\": ...} per video, and one more\n"
          "                         for a picture or video as displayed when it is rotated.\n"
          "                         Nothing but hashes: no case code, PIN, id or note\n"
          "  --hma-types LIST       the signal types the bank has (comma-separated; default\n"
          "                         pdq,video_md5,vpdq; also video_sha256): HMA refuses a\n"
          "                         whole request naming a type it does not know\n"
          "  --hma-withdrawn FILE   for each withdrawal whose case has a report in this\n"
          "                         run or in --records (or each report of a case a\n"
          "                         withdrawal there withdrew), that report's bodies as\n"
          "                         --hma writes them: what to look up in the bank and\n"
          "                         remove (HMA removes content by its id, which only the\n"
          "                         bank knows). Nothing but hashes; each line once\n"
          "  --records FILE         what earlier runs wrote with --jsonl (repeatable): the\n"
          "                         reports and withdrawals --hma-withdrawn matches\n"
          "  --seen FILE            ids and digests of reports opened in earlier runs;\n"
          "                         new ones are added, only once the outputs are safely\n"
          "                         on disk (the helpline's replay guard)\n"
          "  -h, --help             this text\n"
          "\n"
          "Output files are written to a new file (mode 0600) beside them, synced and\n"
          "renamed into place; a symbolic link there is refused, never followed.\n"
          "\n"
          "Exit status: 0 every report opened; 1 some were refused (damaged, unregistered,\n"
          "revoked, replayed...) or an output could not be written; 2 usage, --kiosks or\n"
          "key error.\n",
          f);
}

/* ------------------------------------------------- reports already seen */

struct seen_slot {
    char id[REPORT_ID_HEX + 1];
    uint8_t sha[32];
    bool used;
};

struct seen {
    struct seen_slot *s;
    size_t cap, n;
};

static uint64_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < REPORT_ID_HEX; i++)
        h = (h ^ (uint8_t)id[i]) * 1099511628211ull;
    return h;
}

/* The slot holding id, or the free slot where it would go (cap > 0). */
static struct seen_slot *seen_probe(struct seen_slot *s, size_t cap, const char *id)
{
    for (size_t i = id_hash(id) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!s[i].used || !strcmp(s[i].id, id))
            return &s[i];
}

static struct seen_slot *seen_find(struct seen *t, const char *id)
{
    return t->cap ? seen_probe(t->s, t->cap, id) : NULL;
}

static int seen_add(struct seen *t, const char *id, const uint8_t sha[32])
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct seen_slot *old = t->s;
        size_t oldcap = t->cap;
        t->s = calloc(cap, sizeof(*t->s));
        if (!t->s) {
            t->s = old;
            return -1;
        }
        t->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].used)
                *seen_probe(t->s, cap, old[i].id) = old[i];
        free(old);
    }
    struct seen_slot *s = seen_probe(t->s, t->cap, id);
    memcpy(s->id, id, sizeof(s->id));
    memcpy(s->sha, sha, 32);
    s->used = true;
    t->n++;
    return 0;
}

/* *whole: the length of the file's complete lines (an append cut short by
 * a crash leaves a last line without its newline, which is dropped). */
static int seen_load(struct seen *t, const char *path, off_t *whole)
{
    *whole = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!strchr(line, '\n') && feof(f))
            break;
        *whole += (off_t)strlen(line);
        char id[REPORT_ID_HEX + 1], hex[65];
        uint8_t sha[32];
        size_t got = 0;
        if (sscanf(line, "%32s %64s", id, hex) != 2 || strlen(id) != REPORT_ID_HEX ||
            sodium_hex2bin(sha, 32, hex, 64, NULL, &got, NULL) != 0 || got != 32) {
            rc = -2;
            break;
        }
        struct seen_slot *have = seen_find(t, id);
        if (!have || !have->used)
            if (seen_add(t, id, sha) != 0) {
                rc = -1;
                break;
            }
    }
    fclose(f);
    return rc;
}

/* ------------------------------------------------- registered kiosks */

struct kiosk {
    char fpr[KEYS_FINGERPRINT_SIZE];
    uint8_t pk[KEYS_PUBLIC_SIZE];
    bool have_pk; /* registered by its whole key, not only its fingerprint */
    bool revoked;
    char name[80];
};

struct kiosks {
    struct kiosk *v;
    size_t n, cap;
};

/* "abcd-efgh-..." -> "ABCD-EFGH-...": the fingerprint's own shape and
 * alphabet (Crockford base32), or -1. */
static int parse_fingerprint(const char *s, size_t len, char out[KEYS_FINGERPRINT_SIZE])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    if (len != KEYS_FINGERPRINT_SIZE - 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (i % 5 == 4 ? c != '-' : !strchr(alphabet, c) || c == '\0')
            return -1;
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

/* Returns 0, or -1 with a message naming the line in err. */
static int kiosks_load(struct kiosks *k, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        errfmt(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    int rc = 0;
    for (unsigned no = 1; fgets(line, sizeof(line), f); no++) {
        if (!strchr(line, '\n') && !feof(f)) {
            errfmt(err, errlen, "%s:%u: line too long", path, no);
            rc = -1;
            break;
        }
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        struct kiosk e = {0};
        /* "revoked" can be neither a fingerprint nor a base64 key */
        if (!strncmp(p, "revoked", 7) && (p[7] == ' ' || p[7] == '\t')) {
            e.revoked = true;
            p += 7 + strspn(p + 7, " \t");
        }
        size_t tok = strcspn(p, " \t\r\n");
        char key[KEYS_PUBLIC_TEXT_SIZE + 1];
        if (parse_fingerprint(p, tok, e.fpr) != 0) {
            snprintf(key, sizeof(key), "%.*s", (int)(tok < KEYS_PUBLIC_TEXT_SIZE ? tok : KEYS_PUBLIC_TEXT_SIZE), p);
            if (tok >= KEYS_PUBLIC_TEXT_SIZE || keys_public_parse(key, e.pk) != 0) {
                errfmt(err, errlen,
                       "%s:%u: not a kiosk key fingerprint (XXXX-XXXX-XXXX-XXXX) nor a base64 "
                       "public key", path, no);
                rc = -1;
                break;
            }
            e.have_pk = true;
            keys_fingerprint(e.pk, KEYS_ROLE_KIOSK, e.fpr);
        }
        char *name = p + tok + strspn(p + tok, " \t");
        name[strcspn(name, "\r\n")] = '\0';
        for (size_t n = strlen(name); n && (name[n - 1] == ' ' || name[n - 1] == '\t'); n--)
            name[n - 1] = '\0';
        if (!name[0]) {
            /* the output names the kiosk by what the helpline registered,
             * never by the id the report declares about itself */
            errfmt(err, errlen, "%s:%u: the kiosk %s has no name after its key", path, no, e.fpr);
            rc = -1;
            break;
        }
        snprintf(e.name, sizeof(e.name), "%s", name);
        if (k->n == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 16;
            struct kiosk *v = realloc(k->v, cap * sizeof(*v));
            if (!v) {
                errfmt(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            k->v = v;
            k->cap = cap;
        }
        k->v[k->n++] = e;
    }
    if (rc == 0 && ferror(f)) {
        errfmt(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && k->n == 0) {
        /* would reject every report: surely not what was meant */
        errfmt(err, errlen, "%s names no kiosk", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

/* The registered kiosk that signed with pk, or NULL. */
static const struct kiosk *kiosks_find(const struct kiosks *k, const uint8_t pk[KEYS_PUBLIC_SIZE])
{
    char fpr[KEYS_FINGERPRINT_SIZE];
    keys_fingerprint(pk, KEYS_ROLE_KIOSK, fpr);
    const struct kiosk *found = NULL;
    for (size_t i = 0; i < k->n; i++)
        if ((k->v[i].have_pk ? sodium_memcmp(k->v[i].pk, pk, KEYS_PUBLIC_SIZE) == 0
                             : strcmp(k->v[i].fpr, fpr) == 0) &&
            (!found || k->v[i].revoked))
            found = &k->v[i]; /* a revocation wins over any other line for that key */
    return found;
}

/* ------------------------------------------------------------- output */

/* An output file: written beside its target under a temp name, then synced
 * and renamed into place, so the target is the old file or the whole new
 * one. stdout and devices (/dev/null) are written directly. */
struct output {
    const char *path;
    FILE *f;
    int dirfd;                  /* -1: written directly */
    char tmp[DURABLE_NAME_MAX]; /* its temp name in dirfd */
    const char *base;           /* the target's name in dirfd */
};

struct run {
    const struct keys_helpline *key;
    struct kiosks kiosks;
    bool accept_unregistered;
    struct seen seen;
    struct output jsonl, csv, hma, hmawd;
    unsigned hma_types; /* HMA_* */
    /* --hma-withdrawn: normalised case code -> [{"doc", "now", "wd"}...],
     * and the report ids in it (a report in --records and in this run once) */
    json_t *cases, *case_ids;
    /* lines for --seen, written only once the outputs are on disk */
    char *seen_new;
    size_t seen_len, seen_cap;
    int seen_fd; /* --seen, opened for appending; -1 without */
    unsigned long opened, duplicates, rejected, problems, unregistered, revoked;
};

static void csv_field(FILE *f, const char *s, bool last)
{
    if (!s)
        s = ""; /* a withdrawal has no route */
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

struct kiosk_label {
    const char *fpr, *name; /* name "": not registered */
};

static void csv_row(FILE *f, const json_t *doc, const char *type, const char *value,
                    const char *quality, size_t item, const char *kind, const char *variant,
                    const struct kiosk_label *kl)
{
    char itembuf[24];
    snprintf(itembuf, sizeof(itembuf), "%zu", item);
    csv_field(f, json_string_value(json_object_get(doc, "case_code")), false);
    csv_field(f, json_string_value(json_object_get(doc, "route")), false);
    csv_field(f, type, false);
    csv_field(f, value, false);
    csv_field(f, quality, false);
    csv_field(f, json_string_value(json_object_get(doc, "report_id")), false);
    csv_field(f, itembuf, false);
    csv_field(f, kind, false);
    csv_field(f, variant ? variant : "", false);
    csv_field(f, kl->fpr, false);
    csv_field(f, kl->name, true);
}

static void emit_csv(FILE *f, const json_t *doc, const struct kiosk_label *kl)
{
    size_t i;
    const json_t *item;
    /* A withdrawal request: one row, signal_type "withdrawal", for the
     * case code (the PIN is in the JSON Lines; `hifazat receipts` checks it). */
    if (json_object_get(doc, "kind")) {
        csv_row(f, doc, "withdrawal", "", "", 0, "withdrawal", NULL, kl);
        return;
    }
    json_array_foreach(json_object_get(doc, "items"), i, item) {
        const char *kind = json_string_value(json_object_get(item, "kind"));
        size_t k;
        const json_t *sig;
        json_array_foreach(json_object_get(item, "signals"), k, sig) {
            const char *type = json_string_value(json_object_get(sig, "type"));
            const json_t *v = json_object_get(sig, "value"), *q = json_object_get(sig, "quality");
            const json_t *var = json_object_get(sig, "variant");
            const char *variant = var ? json_string_value(var) : NULL;
            if (json_is_array(v)) { /* vpdq: one row per frame, HMA's text form */
                size_t fi;
                const json_t *fr;
                json_array_foreach(v, fi, fr) {
                    const char *s = json_string_value(fr);
                    const char *c1 = strchr(s, ',');
                    char qb[8] = "";
                    if (c1)
                        snprintf(qb, sizeof(qb), "%.*s", (int)strcspn(c1 + 1, ","), c1 + 1);
                    csv_row(f, doc, type, s, qb, i + 1, kind, variant, kl);
                }
            } else {
                char qb[8] = "";
                if (q)
                    snprintf(qb, sizeof(qb), "%lld", (long long)json_integer_value(q));
                csv_row(f, doc, type, json_string_value(v), qb, i + 1, kind, variant, kl);
            }
        }
    }
}

/* ----------------------------------------------------------- HMA export */

/* HMA's POST /c/bank/<BANK>/signal (hasher-matcher-actioner/src/
 * OpenMediaMatch/blueprints/curation.py, bank_add_as_signals) takes the
 * whole body as {signal type name: signal string} for one piece of content
 * and refuses any other key as an unknown signal type: there is no room for
 * a note, so nothing about the person or the case can go with the hashes.
 * Names and string forms are python-threatexchange's (pdq, video_md5,
 * video_sha256, and the vpdq extension: a JSON list of
 * "pdqhex,quality,timestamp" strings, itself as a string). */
enum { HMA_PDQ = 1, HMA_VIDEO_MD5 = 2, HMA_VIDEO_SHA256 = 4, HMA_VPDQ = 8 };

static const struct {
    const char *name;
    unsigned bit;
} hma_type_names[] = {
    {"pdq", HMA_PDQ},
    {"video_md5", HMA_VIDEO_MD5},
    {"video_sha256", HMA_VIDEO_SHA256},
    {"vpdq", HMA_VPDQ},
};

/* "pdq,vpdq" -> HMA_PDQ | HMA_VPDQ; 0 for an unknown name. */
static unsigned hma_types_parse(const char *list)
{
    unsigned set = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof(hma_type_names) / sizeof(hma_type_names[0]); i++)
            if (strlen(hma_type_names[i].name) == n && !strncmp(p, hma_type_names[i].name, n))
                bit = hma_type_names[i].bit;
        if (!bit)
            return 0;
        set |= bit;
        p += n + (p[n] == ',');
    }
    return set;
}

/* The item's signal of this type and variant (NULL: none), or NULL. */
static const json_t *find_signal(const json_t *sigs, const char *type, const char *variant)
{
    size_t i;
    const json_t *sig;
    json_array_foreach(sigs, i, sig) {
        const char *v = json_string_value(json_object_get(sig, "variant"));
        if (!strcmp(json_string_value(json_object_get(sig, "type")), type) &&
            (variant ? v && !strcmp(v, variant) : !v))
            return sig;
    }
    return NULL;
}

static void hma_set(json_t *o, const char *key, const json_t *sig)
{
    if (!sig)
        return;
    const json_t *v = json_object_get(sig, "value");
    if (json_is_array(v)) { /* vpdq: the list, serialised, is HMA's signal string */
        char *s = json_dumps(v, JSON_COMPACT);
        if (s)
            json_object_set_new(o, key, json_string(s));
        free(s);
    } else {
        json_object_set(o, key, (json_t *)v);
    }
}

/* One line per object with at least one signal the bank takes. */
static void hma_line(FILE *f, json_t *o)
{
    if (json_object_size(o)) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (s) {
            fputs(s, f);
            fputc('\n', f);
            free(s);
        }
    }
    json_decref(o);
}

/* An opened report's items as HMA request bodies. A picture: its PDQ as
 * HMA's own hasher computes it (full-resolution pixels as stored: the "full"
 * variant, or the reference one where they are equal). A video: its MD5,
 * SHA-256 and vPDQ as decoded. Then, for a picture or video stored rotated,
 * a second object as displayed: what a platform that applies the rotation
 * hashes, another piece of content to a bank. Records without items (none
 * today) give nothing. */
static void emit_hma(FILE *f, const json_t *doc, unsigned types)
{
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(doc, "items"), i, item) {
        const json_t *sigs = json_object_get(item, "signals");
        json_t *o = json_object(), *shown = json_object();
        if (!strcmp(json_string_value(json_object_get(item, "kind")), "image")) {
            if (types & HMA_PDQ) {
                const json_t *full = find_signal(sigs, "pdq", "full");
                const json_t *disp = find_signal(sigs, "pdq", "displayed_full");
                hma_set(o, "pdq", full ? full : find_signal(sigs, "pdq", NULL));
                hma_set(shown, "pdq", disp ? disp : find_signal(sigs, "pdq", "displayed"));
            }
        } else {
            if (types & HMA_VIDEO_MD5)
                hma_set(o, "video_md5", find_signal(sigs, "video_md5", NULL));
            if (types & HMA_VIDEO_SHA256)
                hma_set(o, "video_sha256", find_signal(sigs, "video_sha256", NULL));
            if (types & HMA_VPDQ) {
                hma_set(o, "vpdq", find_signal(sigs, "vpdq", NULL));
                hma_set(shown, "vpdq", find_signal(sigs, "vpdq", "displayed"));
            }
        }
        hma_line(f, o);
        hma_line(f, shown);
    }
}

/* ------------------------------------------- withdrawn cases for HMA */

/* Remembers a report or withdrawal (doc: as opened, or a --records line)
 * under its case code; now: opened in this run. 0, 1 not a record with a
 * case (skipped), -1 out of memory. */
static int case_add(struct run *r, const json_t *doc, bool now)
{
    const char *id = json_string_value(json_object_get(doc, "report_id"));
    const char *code = json_string_value(json_object_get(doc, "case_code"));
    const char *pin = json_string_value(json_object_get(doc, "pin"));
    char norm[REPORT_CASE_CODE_LEN + 1];
    if (!id || !code || !pin || report_case_code_normalize(code, norm) != 0)
        return 1;
    json_t *have = json_object_get(r->case_ids, id);
    if (have) { /* in --records and opened again now */
        if (now)
            json_object_set_new(have, "now", json_true());
        return 0;
    }
    json_t *list = json_object_get(r->cases, norm);
    if (!list) {
        list = json_array();
        if (!list || json_object_set_new(r->cases, norm, list) != 0)
            return -1;
    }
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    json_t *e = json_pack("{s:O, s:b, s:b}", "doc", (json_t *)doc, "now", now, "wd",
                          kind && !strcmp(kind, "withdrawal"));
    if (!e || json_object_set(r->case_ids, id, e) != 0 || json_array_append_new(list, e) != 0)
        return -1;
    return 0;
}

/* One --records line into r->cases (cli_record_fn). */
static int record_add(void *ctx, const char *path, json_t *doc)
{
    int a = case_add(ctx, doc, false);
    if (a < 0)
        cli_error("%s: out of memory", path);
    return a;
}

/* One --records FILE into r->cases; 0, or -1 with a message written. */
static int records_load(struct run *r, const char *path)
{
    return cli_records_read(path, record_add, r);
}

static bool is_true(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

/* Writes the bodies of every report of a withdrawn case (the withdrawal
 * carries the report's PIN) where the report or the withdrawal is from this
 * run, each distinct line once; returns how many reports. Linear in the
 * reports, times the withdrawals of the same case. */
static unsigned long emit_withdrawn(struct run *r)
{
    unsigned long n = 0;
    json_t *lines = json_object();
    const char *code;
    json_t *list;
    json_object_foreach(r->cases, code, list) {
        size_t i, j;
        json_t *rep, *wd;
        json_array_foreach(list, i, rep) {
            if (is_true(rep, "wd"))
                continue;
            const json_t *doc = json_object_get(rep, "doc");
            const char *pin = json_string_value(json_object_get(doc, "pin"));
            bool hit = false;
            json_array_foreach(list, j, wd) {
                const char *wpin =
                    json_string_value(json_object_get(json_object_get(wd, "doc"), "pin"));
                if (is_true(wd, "wd") && (is_true(wd, "now") || is_true(rep, "now")) &&
                    strlen(wpin) == strlen(pin) && sodium_memcmp(wpin, pin, strlen(pin)) == 0)
                    hit = true;
            }
            if (!hit)
                continue;
            n++;
            char *buf = NULL;
            size_t blen = 0;
            FILE *m = open_memstream(&buf, &blen);
            if (!m) {
                r->problems++;
                continue;
            }
            emit_hma(m, doc, r->hma_types);
            if (fclose(m) != 0 || !lines) {
                free(buf);
                r->problems++;
                continue;
            }
            for (char *p = buf, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
                *nl = '\0';
                if (!json_object_get(lines, p)) {
                    json_object_set_new(lines, p, json_true());
                    fprintf(r->hmawd.f, "%s\n", p);
                }
            }
            free(buf);
        }
    }
    json_decref(lines);
    return n;
}

static int seen_append(struct run *r, const char *id, const uint8_t sha[32])
{
    enum { LINE = REPORT_ID_HEX + 1 + 64 + 1 };
    if (r->seen_cap - r->seen_len < LINE + 1) {
        size_t cap = r->seen_cap ? r->seen_cap * 2 : 64 * LINE;
        char *n = realloc(r->seen_new, cap);
        if (!n)
            return -1;
        r->seen_new = n;
        r->seen_cap = cap;
    }
    char hex[65];
    sodium_bin2hex(hex, sizeof(hex), sha, 32);
    r->seen_len += (size_t)snprintf(r->seen_new + r->seen_len, r->seen_cap - r->seen_len, "%s %s\n",
                                    id, hex);
    return 0;
}

static void emit(struct run *r, const struct report_opened *o, const uint8_t sha[32],
                 const char *source, const struct kiosk *registered)
{
    const json_t *doc = report_opened_json(o);
    char fpr[KEYS_FINGERPRINT_SIZE];
    keys_fingerprint(report_opened_kiosk_key(o), KEYS_ROLE_KIOSK, fpr);
    /* who sent it is the key that signed it and the name the helpline gave
     * that key, never the kiosk_id the report says about itself */
    struct kiosk_label kl = {fpr, registered ? registered->name : ""};
    if (r->jsonl.f) {
        json_t *out = json_copy((json_t *)doc);
        char hex[65];
        sodium_bin2hex(hex, sizeof(hex), sha, 32);
        json_object_set_new(out, "kiosk_key_fingerprint", json_string(fpr));
        json_object_set_new(out, "kiosk_name", json_string(kl.name));
        json_object_set_new(out, "kiosk_registered", json_boolean(registered != NULL));
        json_object_set_new(out, "sealed_sha256", json_string(hex));
        json_object_set_new(out, "source", json_string(source));
        char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (s) {
            fputs(s, r->jsonl.f);
            fputc('\n', r->jsonl.f);
            free(s);
        }
        json_decref(out);
    }
    if (r->csv.f)
        emit_csv(r->csv.f, doc, &kl);
    if (r->hma.f)
        emit_hma(r->hma.f, doc, r->hma_types);
    if (r->hmawd.f && case_add(r, doc, true) < 0)
        r->problems++;
}

static void reject(struct run *r, const char *source, const char *id, const char *why)
{
    r->rejected++;
    if (id && id[0])
        cli_error("%s: report %s rejected: %s", source, id, why);
    else
        cli_error("%s: rejected: %s", source, why);
}

/* Opens one sealed report; manifest_key is the key that signed its archive
 * (NULL for a single file or an archive without a valid manifest). */
static void open_one(struct run *r, const char *source, const char *expect_id,
                     const uint8_t *data, size_t len, const uint8_t *manifest_key)
{
    char err[256];
    uint8_t sha[32];
    crypto_hash_sha256(sha, data, len);
    struct report_opened *o = NULL;
    enum report_err e = report_open(data, len, r->key, &o, err, sizeof(err));
    if (e != REPORT_OK) {
        char why[300];
        snprintf(why, sizeof(why), "%s (%s)", err, report_err_code(e));
        reject(r, source, expect_id, why);
        return;
    }
    const char *id = report_opened_id(o);
    const struct kiosk *registered = kiosks_find(&r->kiosks, report_opened_kiosk_key(o));
    char fpr[KEYS_FINGERPRINT_SIZE];
    keys_fingerprint(report_opened_kiosk_key(o), KEYS_ROLE_KIOSK, fpr);
    if (registered && registered->revoked) {
        char why[200];
        r->revoked++;
        snprintf(why, sizeof(why), "signed by kiosk key %s (%s), which --kiosks marks revoked", fpr,
                 registered->name);
        reject(r, source, id, why);
    } else if (!registered && !r->accept_unregistered) {
        /* not added to --seen: once the kiosk is registered, it opens */
        char why[200];
        snprintf(why, sizeof(why),
                 "signed by kiosk key %s, which is not in --kiosks (forged, or a kiosk not yet "
                 "registered: compare with its staff screen before adding it)", fpr);
        reject(r, source, id, why);
    } else if (expect_id && strcmp(expect_id, id) != 0) {
        char why[200];
        snprintf(why, sizeof(why), "the report inside is %s: renamed or replayed", id);
        reject(r, source, expect_id, why);
    } else if (manifest_key &&
               sodium_memcmp(manifest_key, report_opened_kiosk_key(o), KEYS_PUBLIC_SIZE) != 0) {
        reject(r, source, id,
               "signed by a different kiosk than the archive (replayed from another archive)");
    } else {
        struct seen_slot *s = seen_find(&r->seen, id);
        if (s && s->used) {
            if (sodium_memcmp(s->sha, sha, 32) == 0)
                r->duplicates++; /* the same report exported or delivered again */
            else
                reject(r, source, id,
                       "a different report with this id was opened before (replayed or forged)");
        } else if (seen_add(&r->seen, id, sha) != 0 ||
                   (r->seen_fd >= 0 && seen_append(r, id, sha) != 0)) {
            reject(r, source, id, "out of memory");
        } else {
            const char *w = report_opened_warning(o);
            if (w)
                cli_error("%s: report %s: %s", source, id, w);
            emit(r, o, sha, source, registered);
            r->opened++;
            if (!registered)
                r->unregistered++;
        }
    }
    report_opened_free(o);
}

static void open_input(struct run *r, const char *path)
{
    size_t len;
    uint8_t *data = NULL;
    /* the spool may hold symlinks; durable_read itself never follows one */
    char *real = realpath(path, NULL);
    if (!real || durable_read(AT_FDCWD, real, OPEN_MAX_INPUT, &data, &len) != 0)
        data = NULL;
    free(real);
    if (!data) {
        cli_error("%s: cannot read: %s", path,
                  errno == EFBIG ? "larger than any outbox archive may be" : strerror(errno));
        r->problems++;
        return;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (len >= 4 && !memcmp(data, "HFZR", 4)) {
        char id[REPORT_ID_HEX + 1] = "", *dot;
        /* a queue file is named <id>.hfz */
        if (strlen(base) == REPORT_ID_HEX + 4 && (dot = strchr(base, '.')) && !strcmp(dot, ".hfz"))
            snprintf(id, sizeof(id), "%.32s", base);
        open_one(r, base, id[0] ? id : NULL, data, len, NULL);
        free(data);
        return;
    }
    char err[256];
    struct outbox_reader *ob = outbox_read(data, len, NULL, err, sizeof(err));
    if (!ob) {
        cli_error("%s: not a Hifazat outbox archive: %s", base, err);
        r->problems++;
        free(data);
        return;
    }
    if (!outbox_reader_manifest_ok(ob) && outbox_reader_count(ob) == 0) {
        cli_error("%s: not a Hifazat outbox archive or sealed report (%s)", base,
                  outbox_reader_warning(ob) ? outbox_reader_warning(ob)
                                            : outbox_reader_manifest_error(ob));
        r->problems++;
        outbox_reader_free(ob);
        free(data);
        return;
    }
    if (!outbox_reader_manifest_ok(ob)) {
        cli_error("%s: %s; each report is checked on its own signature", base,
                  outbox_reader_manifest_error(ob));
        r->problems++;
    }
    if (outbox_reader_warning(ob)) {
        cli_error("%s: %s", base, outbox_reader_warning(ob));
        r->problems++;
    }
    for (size_t i = 0; i < outbox_reader_count(ob); i++) {
        const struct outbox_entry *e = outbox_reader_entry(ob, i);
        if (e->status != OUTBOX_ENTRY_OK && e->status != OUTBOX_ENTRY_UNVERIFIED)
            reject(r, base, e->id, outbox_entry_status_message(e->status));
        else
            open_one(r, base, e->id, e->data, e->len, outbox_reader_kiosk_key(ob));
    }
    outbox_reader_free(ob);
    free(data);
}

/* The directory holding path, opened, and path's last component in *base;
 * -1 with errno. */
static int open_parent(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!**base) {
        errno = EISDIR;
        return -1;
    }
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof(dir), ".");
    else if ((size_t)snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path),
                              path) >= sizeof(dir)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* 0, or -1 with errno (ELOOP: a symbolic link is there). */
static int output_open(struct output *o, const char *path)
{
    o->path = path;
    if (!strcmp(path, "-")) {
        o->f = stdout;
        return 0;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* planted or not, writing through it could land anywhere */
        errno = ELOOP;
        return -1;
    }
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        /* a device or pipe the staff named (/dev/null): nothing to replace */
        int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
        return 0;
    }
    /* Hashes, case codes and PINs in clear: only the helpline's staff may
     * read them (0600, created new, never through a link). */
    if ((o->dirfd = open_parent(path, &o->base)) < 0)
        return -1;
    int fd = durable_begin(o->dirfd, o->base, 0600, o->tmp);
    if (fd >= 0 && (o->f = fdopen(fd, "w")))
        return 0;
    durable_abort(o->dirfd, fd, o->tmp);
    int saved = errno;
    close(o->dirfd);
    o->dirfd = -1;
    errno = saved;
    return -1;
}

/* Everything written reaches the disk under the output's name, or -1 with
 * errno and the old file (if any) left as it was. */
static int output_commit(struct output *o)
{
    if (!o->f)
        return 0;
    FILE *f = o->f;
    o->f = NULL;
    int rc = fflush(f) != 0 || ferror(f) ? -1 : 0;
    if (o->dirfd < 0) {
        /* a pipe or a terminal cannot be synced; a redirected file can */
        if (rc == 0 && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
            rc = -1;
        int saved = errno;
        if (f != stdout && fclose(f) != 0 && rc == 0)
            return -1;
        errno = saved;
        return rc;
    }
    if (rc == 0 && fsync(fileno(f)) != 0)
        rc = -1;
    int saved = errno;
    if (fclose(f) != 0 && rc == 0) {
        saved = errno;
        rc = -1;
    }
    /* the seam a power cut would hit: output written, not yet in place */
    if (rc == 0 && getenv("HIFAZAT_TEST_OPEN_STOP_BEFORE_RENAME"))
        _exit(75);
    if (rc == 0 && renameat(o->dirfd, o->tmp, o->dirfd, o->base) != 0) {
        saved = errno;
        rc = -1;
    }
    if (rc != 0)
        unlinkat(o->dirfd, o->tmp, 0);
    else if (durable_fsync_dir(o->dirfd) != 0) {
        saved = errno;
        rc = -1;
    }
    close(o->dirfd);
    o->dirfd = -1;
    errno = saved;
    return rc;
}

static void output_abort(struct output *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    if (o->f && o->dirfd >= 0)
        unlinkat(o->dirfd, o->tmp, 0);
    if (o->dirfd >= 0)
        close(o->dirfd);
    o->f = NULL;
    o->dirfd = -1;
}

/* Adds this run's reports to --seen, durably; 0 / -1 with errno. */
static int seen_commit(struct run *r, const char *seenfile)
{
    if (r->seen_fd < 0 || !r->seen_len)
        return 0;
    if (durable_write_all(r->seen_fd, r->seen_new, r->seen_len) != 0 || fsync(r->seen_fd) != 0)
        return -1;
    const char *base;
    int dfd = open_parent(seenfile, &base);
    if (dfd < 0) /* a new --seen file is only there once its directory is synced */
        return -1;
    int rc = durable_fsync_dir(dfd);
    int saved = errno;
    close(dfd);
    errno = saved;
    return rc;
}

static const char *output_error(int e)
{
    return e == ELOOP ? "it is a symbolic link (refused, never followed)" : strerror(e);
}

int cmd_open(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"passphrase-file", required_argument, NULL, 'p'},
        {"jsonl", required_argument, NULL, 'J'},
        {"csv", required_argument, NULL, 'C'},
        {"seen", required_argument, NULL, 's'},
        {"hma", required_argument, NULL, 'H'},
        {"hma-types", required_argument, NULL, 'T'},
        {"hma-withdrawn", required_argument, NULL, 'W'},
        {"records", required_argument, NULL, 'R'},
        {"kiosks", required_argument, NULL, 'K'},
        {"accept-unregistered", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *keyfile = NULL, *passfile = NULL, *jsonl = "-", *csv = NULL, *seenfile = NULL,
               *kiosksfile = NULL, *hma = NULL, *hmawd = NULL;
    enum { MAX_RECORDS = 64 };
    const char *records[MAX_RECORDS];
    int nrecords = 0;
    unsigned hma_types = HMA_PDQ | HMA_VIDEO_MD5 | HMA_VPDQ;
    bool accept_unregistered = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'p': passfile = optarg; break;
        case 'J': jsonl = optarg; break;
        case 'C': csv = optarg; break;
        case 's': seenfile = optarg; break;
        case 'H': hma = optarg; break;
        case 'T':
            if (!(hma_types = hma_types_parse(optarg))) {
                cli_error("open: --hma-types: not a list of pdq, video_md5, video_sha256, vpdq");
                return CLI_USAGE;
            }
            break;
        case 'W': hmawd = optarg; break;
        case 'R':
            if (nrecords == MAX_RECORDS) {
                cli_error("open: at most %d --records files", MAX_RECORDS);
                return CLI_USAGE;
            }
            records[nrecords++] = optarg;
            break;
        case 'K': kiosksfile = optarg; break;
        case 'A': accept_unregistered = true; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (!keyfile || optind >= argc) {
        cli_error("open: --key FILE and at least one ARCHIVE are required");
        usage(stderr);
        return CLI_USAGE;
    }
    if (nrecords && !hmawd) {
        cli_error("open: --records is read for --hma-withdrawn FILE only");
        return CLI_USAGE;
    }
    if (!kiosksfile && !accept_unregistered) {
        cli_error("open: --kiosks FILE is required: the kiosks this helpline registered (anyone "
                  "can seal a report and copy a kiosk's key); --accept-unregistered opens "
                  "reports from any kiosk");
        return CLI_USAGE;
    }
    struct run r = {.seen_fd = -1, .jsonl.dirfd = -1, .csv.dirfd = -1, .hma.dirfd = -1,
                    .hmawd.dirfd = -1,
                    .accept_unregistered = accept_unregistered, .hma_types = hma_types};
    int rc = CLI_USAGE;
    char err[KEYS_ERR_SIZE];
    size_t plen;
    struct keys_helpline *key = NULL;
    char *pass = NULL;
    /* before the passphrase: a mistake here should not cost the argon2 wait */
    char kerr[1200];
    if (kiosksfile && kiosks_load(&r.kiosks, kiosksfile, kerr, sizeof(kerr)) != 0) {
        cli_error("%s", kerr);
        goto out;
    }
    if (hmawd) {
        r.cases = json_object();
        r.case_ids = json_object();
        if (!r.cases || !r.case_ids) {
            cli_error("out of memory");
            goto out;
        }
        for (int i = 0; i < nrecords; i++)
            if (records_load(&r, records[i]) != 0)
                goto out;
    }
    pass = keys_passphrase_read(passfile, false, &plen, err, sizeof(err));
    if (!pass) {
        cli_error("%s", err);
        goto out;
    }
    key = keys_helpline_open(keyfile, pass, plen, err, sizeof(err));
    keys_passphrase_free(pass);
    if (!key) {
        cli_error("%s", err);
        goto out;
    }
    r.key = key;
    if (seenfile) {
        r.seen_fd = open(seenfile, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (r.seen_fd < 0) {
            cli_error("cannot write %s: %s", seenfile, output_error(errno));
            goto out;
        }
        off_t whole;
        int s = seen_load(&r.seen, seenfile, &whole);
        if (s != 0) {
            cli_error("%s: %s", seenfile, s == -2 ? "not a --seen file" : strerror(errno));
            goto out;
        }
        if (ftruncate(r.seen_fd, whole) != 0) {
            cli_error("cannot write %s: %s", seenfile, strerror(errno));
            goto out;
        }
    }
    if (output_open(&r.jsonl, jsonl) != 0) {
        cli_error("cannot write %s: %s", jsonl, output_error(errno));
        goto out;
    }
    if (csv && output_open(&r.csv, csv) != 0) {
        cli_error("cannot write %s: %s", csv, output_error(errno));
        goto out;
    }
    if (hma && output_open(&r.hma, hma) != 0) {
        cli_error("cannot write %s: %s", hma, output_error(errno));
        goto out;
    }
    if (hmawd && output_open(&r.hmawd, hmawd) != 0) {
        cli_error("cannot write %s: %s", hmawd, output_error(errno));
        goto out;
    }
    if (r.csv.f)
        fputs("case_code,route,signal_type,value,quality,report_id,item,kind,variant,"
              "kiosk_key_fingerprint,kiosk_name\n",
              r.csv.f);
    for (int i = optind; i < argc; i++)
        open_input(&r, argv[i]);
    unsigned long withdrawn = r.hmawd.f ? emit_withdrawn(&r) : 0;
    rc = (r.rejected || r.problems) ? CLI_SOME_FAILED : CLI_OK;
    /* --seen last: a report is remembered only once it is on disk */
    const struct output *bad = output_commit(&r.jsonl) != 0 ? &r.jsonl
                               : output_commit(&r.csv) != 0 ? &r.csv
                               : output_commit(&r.hma) != 0 ? &r.hma
                               : output_commit(&r.hmawd) != 0 ? &r.hmawd
                                                              : NULL;
    if (bad) {
        cli_error("cannot write %s: %s; nothing was added to --seen", bad->path, strerror(errno));
        rc = CLI_SOME_FAILED;
    } else if (seen_commit(&r, seenfile) != 0) {
        cli_error("cannot write %s: %s", seenfile, strerror(errno));
        rc = CLI_SOME_FAILED;
    }
    fprintf(stderr, "hifazat: %lu report%s opened, %lu duplicate%s skipped, %lu rejected\n",
            r.opened, r.opened == 1 ? "" : "s", r.duplicates, r.duplicates == 1 ? "" : "s",
            r.rejected);
    if (hmawd && !bad)
        fprintf(stderr, "hifazat: %lu withdrawn report%s listed in %s for removal from the bank\n",
                withdrawn, withdrawn == 1 ? "" : "s", hmawd);
    if (r.revoked)
        fprintf(stderr, "hifazat: %lu report%s refused: signed by a revoked kiosk key\n", r.revoked,
                r.revoked == 1 ? "" : "s");
    if (r.unregistered)
        fprintf(stderr,
                "hifazat: WARNING: %lu report%s from unregistered kiosks %s accepted "
                "(--accept-unregistered): anyone can make such a report\n",
                r.unregistered, r.unregistered == 1 ? "" : "s", r.unregistered == 1 ? "was" : "were");
out:
    output_abort(&r.jsonl);
    output_abort(&r.csv);
    output_abort(&r.hma);
    output_abort(&r.hmawd);
    json_decref(r.cases);
    json_decref(r.case_ids);
    if (r.seen_fd >= 0)
        close(r.seen_fd);
    keys_helpline_close(key);
    free(r.kiosks.v);
    free(r.seen.s);
    free(r.seen_new);
    return rc;
}
