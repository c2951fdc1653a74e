/* hifazat open ARCHIVE... --key FILE — the helpline's side: outbox archives
 * (or single sealed reports) in, the hashes out as JSON Lines and CSV; with
 * --kiosks, only from the kiosks the helpline registered. */
#include "cli.h"
#include "durable.h"
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
    fputs("usage: hifazat open ARCHIVE... --key FILE [options]\n"
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
          "  --jsonl FILE           JSON Lines output (default: standard output)\n"
          "  --csv FILE             CSV output: case_code,route,signal_type,value,quality,\n"
          "                         report_id,item,kind,variant\n"
          "  --seen FILE            ids and digests of reports opened in earlier runs;\n"
          "                         new ones are added (the helpline's replay guard)\n"
          "  --kiosks FILE          the registered kiosks: one per line, the kiosk key's\n"
          "                         fingerprint (XXXX-XXXX-XXXX-XXXX, as `hifazat queue\n"
          "                         status` and the staff screen show it) or its base64\n"
          "                         public key, then an optional name; '#' comments.\n"
          "                         A report signed by any other key is rejected: anyone\n"
          "                         with helpline.pub can seal a report, only a\n"
          "                         registered kiosk can sign one\n"
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 every report opened, 1 some were rejected, 2 usage or key error.\n",
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

static int seen_load(struct seen *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
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
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    int rc = 0;
    for (unsigned no = 1; fgets(line, sizeof(line), f); no++) {
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, no);
            rc = -1;
            break;
        }
        char *p = line + strspn(line, " \t");
        if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
            continue;
        size_t tok = strcspn(p, " \t\r\n");
        struct kiosk e = {0};
        char key[KEYS_PUBLIC_TEXT_SIZE + 1];
        if (parse_fingerprint(p, tok, e.fpr) != 0) {
            snprintf(key, sizeof(key), "%.*s", (int)(tok < KEYS_PUBLIC_TEXT_SIZE ? tok : KEYS_PUBLIC_TEXT_SIZE), p);
            if (tok >= KEYS_PUBLIC_TEXT_SIZE || keys_public_parse(key, e.pk) != 0) {
                snprintf(err, errlen,
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
        snprintf(e.name, sizeof(e.name), "%s", name);
        if (k->n == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 16;
            struct kiosk *v = realloc(k->v, cap * sizeof(*v));
            if (!v) {
                snprintf(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
            k->v = v;
            k->cap = cap;
        }
        k->v[k->n++] = e;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && k->n == 0) {
        /* would reject every report: surely not what was meant */
        snprintf(err, errlen, "%s names no kiosk", path);
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
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].have_pk ? sodium_memcmp(k->v[i].pk, pk, KEYS_PUBLIC_SIZE) == 0
                            : strcmp(k->v[i].fpr, fpr) == 0)
            return &k->v[i];
    return NULL;
}

/* ------------------------------------------------------------- output */

struct run {
    const struct keys_helpline *key;
    struct kiosks kiosks; /* n == 0: every kiosk is accepted */
    struct seen seen;
    FILE *jsonl, *csv, *seen_out;
    unsigned long opened, duplicates, rejected, problems;
};

static void csv_field(FILE *f, const char *s, bool last)
{
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

static void csv_row(FILE *f, const json_t *doc, const char *type, const char *value,
                    const char *quality, size_t item, const char *kind, const char *variant)
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
    csv_field(f, variant ? variant : "", true);
}

static void emit_csv(FILE *f, const json_t *doc)
{
    size_t i;
    const json_t *item;
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
                    csv_row(f, doc, type, s, qb, i + 1, kind, variant);
                }
            } else {
                char qb[8] = "";
                if (q)
                    snprintf(qb, sizeof(qb), "%lld", (long long)json_integer_value(q));
                csv_row(f, doc, type, json_string_value(v), qb, i + 1, kind, variant);
            }
        }
    }
}

static void emit(struct run *r, const struct report_opened *o, const uint8_t sha[32],
                 const char *source, const struct kiosk *registered)
{
    const json_t *doc = report_opened_json(o);
    if (r->jsonl) {
        json_t *out = json_copy((json_t *)doc);
        char fpr[KEYS_FINGERPRINT_SIZE], hex[65];
        keys_fingerprint(report_opened_kiosk_key(o), KEYS_ROLE_KIOSK, fpr);
        sodium_bin2hex(hex, sizeof(hex), sha, 32);
        json_object_set_new(out, "kiosk_key_fingerprint", json_string(fpr));
        if (registered && registered->name[0])
            json_object_set_new(out, "kiosk_name", json_string(registered->name));
        json_object_set_new(out, "sealed_sha256", json_string(hex));
        json_object_set_new(out, "source", json_string(source));
        char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        if (s) {
            fputs(s, r->jsonl);
            fputc('\n', r->jsonl);
            free(s);
        }
        json_decref(out);
    }
    if (r->csv)
        emit_csv(r->csv, doc);
    if (r->seen_out) {
        char hex[65];
        sodium_bin2hex(hex, sizeof(hex), sha, 32);
        fprintf(r->seen_out, "%s %s\n", report_opened_id(o), hex);
    }
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
    const struct kiosk *registered = NULL;
    if (r->kiosks.n && !(registered = kiosks_find(&r->kiosks, report_opened_kiosk_key(o)))) {
        /* not added to --seen: once the kiosk is registered, it opens */
        char fpr[KEYS_FINGERPRINT_SIZE], why[200];
        keys_fingerprint(report_opened_kiosk_key(o), KEYS_ROLE_KIOSK, fpr);
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
        } else if (seen_add(&r->seen, id, sha) != 0) {
            reject(r, source, id, "out of memory");
        } else {
            const char *w = report_opened_warning(o);
            if (w)
                cli_error("%s: report %s: %s", source, id, w);
            emit(r, o, sha, source, registered);
            r->opened++;
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

static FILE *open_output(const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    /* Hashes, case codes and PINs in clear: only the helpline's staff may read them. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    return fd >= 0 ? fdopen(fd, "w") : NULL;
}

static int close_output(FILE *f, bool sync)
{
    if (!f || f == stdout)
        return f ? fflush(f) : 0;
    int rc = fflush(f);
    if (sync && rc == 0)
        rc = fsync(fileno(f));
    return fclose(f) != 0 ? -1 : rc;
}

int cmd_open(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, NULL, 'k'},
        {"passphrase-file", required_argument, NULL, 'p'},
        {"jsonl", required_argument, NULL, 'J'},
        {"csv", required_argument, NULL, 'C'},
        {"seen", required_argument, NULL, 's'},
        {"kiosks", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *keyfile = NULL, *passfile = NULL, *jsonl = "-", *csv = NULL, *seenfile = NULL,
               *kiosksfile = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'p': passfile = optarg; break;
        case 'J': jsonl = optarg; break;
        case 'C': csv = optarg; break;
        case 's': seenfile = optarg; break;
        case 'K': kiosksfile = optarg; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (!keyfile || optind >= argc) {
        cli_error("open: --key FILE and at least one ARCHIVE are required");
        usage(stderr);
        return CLI_USAGE;
    }
    struct run r = {0};
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
        int s = seen_load(&r.seen, seenfile);
        if (s != 0) {
            cli_error("%s: %s", seenfile, s == -2 ? "not a --seen file" : strerror(errno));
            goto out;
        }
        r.seen_out = fopen(seenfile, "a");
        if (!r.seen_out) {
            cli_error("cannot write %s: %s", seenfile, strerror(errno));
            goto out;
        }
    }
    if (!(r.jsonl = open_output(jsonl)) || (csv && !(r.csv = open_output(csv)))) {
        cli_error("cannot write %s: %s", r.jsonl ? csv : jsonl, strerror(errno));
        goto out;
    }
    if (r.csv)
        fputs("case_code,route,signal_type,value,quality,report_id,item,kind,variant\n", r.csv);
    for (int i = optind; i < argc; i++)
        open_input(&r, argv[i]);
    rc = (r.rejected || r.problems) ? CLI_SOME_FAILED : CLI_OK;
    fprintf(stderr, "hifazat: %lu report%s opened, %lu duplicate%s skipped, %lu rejected\n",
            r.opened, r.opened == 1 ? "" : "s", r.duplicates, r.duplicates == 1 ? "" : "s",
            r.rejected);
out:
    if (close_output(r.jsonl, false) != 0 || close_output(r.csv, false) != 0 ||
        close_output(r.seen_out, true) != 0) {
        cli_error("cannot finish writing the output: %s", strerror(errno));
        rc = CLI_SOME_FAILED;
    }
    keys_helpline_close(key);
    free(r.kiosks.v);
    free(r.seen.s);
    return rc;
}
