/* hifazat receipts — the helpline's signed status archive (helpline side),
 * and `hifazat receipts import` of one on a kiosk. */
#include "cli.h"
#include "durable.h"
#include "kiosk_opts.h"
#include "receipt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat receipts RECORDS.jsonl... --key FILE --out DIR [--status FILE.csv]\n"
          "                        [--passphrase-file FILE] [--issued-at TIME]\n"
          "       hifazat receipts import FILE|DIR [--json] [options]\n"
          "\n"
          "Helpline side: reads what `hifazat open --jsonl` wrote (reports and withdrawal\n"
          "requests) and writes DIR/" RECEIPT_ARCHIVE_NAME ", the status of every report,\n"
          "signed with the helpline's signing key, for kiosks (put it in the drop box\n"
          "folder under that name, or on the courier stick). Every report is `received`\n"
          "unless --status says otherwise; a withdrawal whose case code and PIN match a\n"
          "report makes that case `withdrawn`. Case codes appear only as slow keyed\n"
          "hashes of (case code, PIN). The sequence number is one more than that of the\n"
          "archive already in DIR (1 for the first).\n"
          "Each tag (argon2id, about 0.1 s) is computed once and kept in\n"
          "DIR/hifazat-tags.private (mode 0600): a slow hash of case code and PIN, for the\n"
          "helpline's side only; copy only " RECEIPT_ARCHIVE_NAME " out of DIR.\n"
          "  --key FILE             the helpline secret key (helpline.key)\n"
          "  --passphrase-file FILE its passphrase (first line); else asked on the terminal\n"
          "  --out DIR              where " RECEIPT_ARCHIVE_NAME " is written\n"
          "  --status FILE.csv      staff's statuses, one per line: KEY,STATUS[,REASON[,DAY]]\n"
          "                         KEY a report id or a case code; STATUS received,\n"
          "                         sent_to_take_it_down, sent_to_stopncii, added_to_bank,\n"
          "                         withdrawn or rejected; REASON [a-z0-9_]; DAY YYYY-MM-DD.\n"
          "                         '#' lines and a header line are skipped\n"
          "  --issued-at TIME       the issue time (YYYY-MM-DDTHH:MM:SSZ; default now; tests)\n"
          "\n"
          "Kiosk side: `import` checks an archive (FILE, or DIR/" RECEIPT_ARCHIVE_NAME ")\n"
          "against the helpline's signing key before anything changes, then deletes every\n"
          "report it names from the queue and keeps the case statuses for `hifazat case`.\n"
          "Tampered, wrong-key, older (replayed) and stale archives are refused.\n"
          "\n" KIOSK_OPTS_HELP
          "  --json               machine-readable output\n"
          "  -h, --help           this text\n"
          "\n"
          "Exit status: 0 written / imported; 1 refused or failed (nothing changed);\n"
          "2 usage, key or configuration error.\n",
          f);
}

/* ------------------------------------------------------------ helpline */

struct rec {
    struct receipt_entry e;
    char code[REPORT_CASE_CODE_LEN + 1];
    char pin[REPORT_PIN_LEN + 1];
    char created_day[11];
    bool withdrawal, staff;
};

struct recs {
    struct rec *r;
    size_t n, cap;
    json_t *by_id;   /* report id -> index in r: each report once, in O(1) */
    json_t *by_code; /* normalised case code -> [indices of its reports] */
};

/* Indexes the reports (not the withdrawals) by case code; 0 / -1. */
static int recs_index_codes(struct recs *t)
{
    if (!(t->by_code = json_object()))
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        if (t->r[i].withdrawal)
            continue;
        json_t *list = json_object_get(t->by_code, t->r[i].code);
        if (!list && (!(list = json_array()) || json_object_set_new(t->by_code, t->r[i].code, list) != 0))
            return -1;
        if (json_array_append_new(list, json_integer((json_int_t)i)) != 0)
            return -1;
    }
    return 0;
}

static struct rec *recs_push(struct recs *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct rec *r = realloc(t->r, cap * sizeof *r);
        if (!r)
            return NULL;
        t->r = r;
        t->cap = cap;
    }
    memset(&t->r[t->n], 0, sizeof t->r[0]);
    return &t->r[t->n++];
}

/* One record of `hifazat open --jsonl` into t (cli_record_fn). */
static int record_add(void *ctx, const char *path, json_t *j)
{
    (void)path;
    struct recs *t = ctx;
    const char *id = json_string_value(json_object_get(j, "report_id"));
    const char *code = json_string_value(json_object_get(j, "case_code"));
    const char *pin = json_string_value(json_object_get(j, "pin"));
    const char *created = json_string_value(json_object_get(j, "created_at"));
    const char *kind = json_string_value(json_object_get(j, "kind"));
    char norm[REPORT_CASE_CODE_LEN + 1];
    if (!id || strlen(id) != REPORT_ID_HEX || !code ||
        report_case_code_normalize(code, norm) != 0 || !pin || strlen(pin) != REPORT_PIN_LEN ||
        !created || strlen(created) < 10)
        return 1;
    /* the same report in two files: once */
    if (json_object_get(t->by_id, id))
        return 0;
    struct rec *r = recs_push(t);
    if (!r || json_object_set_new(t->by_id, id, json_integer((json_int_t)(t->n - 1))) != 0) {
        cli_error("out of memory");
        return -1;
    }
    snprintf(r->e.report_id, sizeof r->e.report_id, "%s", id);
    memcpy(r->code, norm, sizeof norm);
    snprintf(r->pin, sizeof r->pin, "%s", pin);
    snprintf(r->created_day, sizeof r->created_day, "%.10s", created);
    r->withdrawal = kind && !strcmp(kind, "withdrawal");
    return 0;
}

static int load_records(struct recs *t, const char *path)
{
    return cli_records_read(path, record_add, t);
}

static int apply_status_file(struct recs *t, const char *path, const char *today)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    unsigned long lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
            continue;
        char *fields[4] = {NULL, NULL, "", ""};
        int nf = 0;
        for (char *p = line, *s; nf < 4 && (s = strsep(&p, ","));)
            fields[nf++] = s;
        for (int i = 0; i < 4; i++)
            fields[i] += fields[i] ? strspn(fields[i], " ") : 0;
        enum receipt_status st;
        if (nf < 2 || receipt_status_parse(fields[1], &st) != 0) {
            if (lineno == 1)
                continue; /* a header */
            cli_error("%s line %lu: STATUS must be one of received, sent_to_take_it_down, "
                      "sent_to_stopncii, added_to_bank, withdrawn, rejected",
                      path, lineno);
            rc = -1;
            break;
        }
        if (!receipt_reason_valid(fields[2]) ||
            (fields[3][0] && (strlen(fields[3]) != 10 || fields[3][4] != '-'))) {
            cli_error("%s line %lu: REASON must be [a-z0-9_] (at most %d) and DAY YYYY-MM-DD",
                      path, lineno, RECEIPT_REASON_MAX);
            rc = -1;
            break;
        }
        char norm[REPORT_CASE_CODE_LEN + 1] = "";
        bool by_code = report_case_code_normalize(fields[0], norm) == 0;
        size_t hits = 0, k;
        json_t *one = json_pack("[O]", json_object_get(t->by_id, fields[0]));
        const json_t *ix;
        json_array_foreach(by_code ? json_object_get(t->by_code, norm) : one, k, ix) {
            struct rec *r = &t->r[json_integer_value(ix)];
            if (r->withdrawal)
                continue;
            r->e.status = st;
            snprintf(r->e.reason, sizeof r->e.reason, "%s", fields[2]);
            snprintf(r->e.date, sizeof r->e.date, "%s", fields[3][0] ? fields[3] : today);
            r->staff = true;
            hits++;
        }
        json_decref(one);
        if (!hits)
            fprintf(stderr, "hifazat: %s line %lu: no opened report has that id or case code\n",
                    path, lineno);
    }
    fclose(f);
    return rc;
}

/* The tag cache: "REPORT_ID TAG\n" per line, hex, in the output folder
 * (mode 0600, replaced whole with durable.h). A tag is a slow hash of case
 * code and PIN: the archive publishes those of the reports it names, but the
 * cache also keeps those a refused withdrawal left out, so it stays on the
 * helpline's side and is never copied to the drop box or a stick. Keyed by
 * report id: a report's code and PIN are signed with it and never change. */
#define TAG_CACHE_NAME "hifazat-tags.private"

/* id -> tag hex (an empty object when there is none or it is damaged). */
static json_t *tag_cache_load(int dirfd, const char *outdir)
{
    json_t *m = json_object();
    unsigned char *data = NULL;
    size_t len = 0;
    if (!m || durable_read(dirfd, TAG_CACHE_NAME, RECEIPT_MAX_ARCHIVE, &data, &len) != 0) {
        if (m && errno != ENOENT)
            fprintf(stderr, "hifazat: warning: cannot read %s/%s (%s): every tag is computed\n",
                    outdir, TAG_CACHE_NAME, strerror(errno));
        return m;
    }
    enum { LINE = REPORT_ID_HEX + 1 + 2 * RECEIPT_TAG_SIZE + 1 };
    for (size_t off = 0; off < len; off += LINE) {
        const char *l = (const char *)data + off;
        if (len - off < LINE || l[REPORT_ID_HEX] != ' ' || l[LINE - 1] != '\n' ||
            strspn(l, "0123456789abcdef") != REPORT_ID_HEX ||
            strspn(l + REPORT_ID_HEX + 1, "0123456789abcdef") != 2 * RECEIPT_TAG_SIZE) {
            fprintf(stderr, "hifazat: warning: %s/%s is damaged: every tag is computed\n", outdir,
                    TAG_CACHE_NAME);
            json_object_clear(m);
            break;
        }
        char id[REPORT_ID_HEX + 1];
        snprintf(id, sizeof id, "%.*s", REPORT_ID_HEX, l);
        json_object_set_new(m, id, json_stringn(l + REPORT_ID_HEX + 1, 2 * RECEIPT_TAG_SIZE));
    }
    free(data);
    return m;
}

static char *tag_cache_text(const struct recs *t, size_t *len)
{
    enum { LINE = REPORT_ID_HEX + 1 + 2 * RECEIPT_TAG_SIZE + 1 };
    char *buf = malloc(t->n * LINE + 1), *p = buf;
    if (!buf)
        return NULL;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->r[i].e.has_tag)
            continue;
        memcpy(p, t->r[i].e.report_id, REPORT_ID_HEX);
        p[REPORT_ID_HEX] = ' ';
        sodium_bin2hex(p + REPORT_ID_HEX + 1, 2 * RECEIPT_TAG_SIZE + 1, t->r[i].e.tag,
                       RECEIPT_TAG_SIZE);
        p[LINE - 1] = '\n';
        p += LINE;
    }
    *len = (size_t)(p - buf);
    return buf;
}

static int parse_when(const char *s, time_t *out)
{
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return -1;
    *out = timegm(&tm);
    return 0;
}

static int do_build(int nin, char **in, const char *keyfile, const char *passfile,
                    const char *outdir, const char *statusfile, const char *issued_at)
{
    time_t issued = time(NULL);
    if (issued_at && parse_when(issued_at, &issued) != 0) {
        cli_error("receipts: --issued-at must be like 2025-01-31T14:05:00Z");
        return CLI_USAGE;
    }
    char today[11];
    struct tm tm;
    gmtime_r(&issued, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);

    struct recs t = {0};
    int rc = CLI_SOME_FAILED;
    struct keys_helpline *h = NULL;
    char *out = NULL, *cache = NULL;
    size_t cachelen = 0;
    int dirfd = -1;
    if (!(t.by_id = json_object())) {
        cli_error("out of memory");
        goto done;
    }
    for (int i = 0; i < nin; i++)
        if (load_records(&t, in[i]) != 0)
            goto done;
    if (recs_index_codes(&t) != 0) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < t.n; i++) {
        t.r[i].e.status = RECEIPT_RECEIVED;
        snprintf(t.r[i].e.date, sizeof t.r[i].e.date, "%s", today);
    }
    if (statusfile && apply_status_file(&t, statusfile, today) != 0) {
        rc = CLI_USAGE;
        goto done;
    }
    char err[KEYS_ERR_SIZE];
    size_t plen;
    char *pass = keys_passphrase_read(passfile, false, &plen, err, sizeof err);
    if (!pass) {
        cli_error("%s", err);
        rc = CLI_USAGE;
        goto done;
    }
    h = keys_helpline_open(keyfile, pass, plen, err, sizeof err);
    keys_passphrase_free(pass);
    if (!h) {
        cli_error("%s", err);
        rc = CLI_USAGE;
        goto done;
    }
    if (!keys_helpline_sign_public(h)) {
        cli_error("%s has no signing key (it was made before receipts existed): make a new "
                  "key pair with `hifazat keygen` and give kiosks both public files",
                  keyfile);
        rc = CLI_USAGE;
        goto done;
    }
    dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 && errno == ENOENT && mkdir(outdir, 0755) == 0)
        dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        cli_error("cannot open %s: %s", outdir, strerror(errno));
        goto done;
    }
    /* tags: the slow part (argon2id, about 0.1 s each), each computed once
     * and then kept in the tag cache beside the archive */
    json_t *cached = tag_cache_load(dirfd, outdir);
    size_t computed = 0;
    for (size_t i = 0; i < t.n; i++) {
        const char *hex = json_string_value(json_object_get(cached, t.r[i].e.report_id));
        if (hex && sodium_hex2bin(t.r[i].e.tag, RECEIPT_TAG_SIZE, hex, strlen(hex), NULL, NULL,
                                  NULL) == 0) {
            t.r[i].e.has_tag = true;
        } else if (receipt_tag(t.r[i].code, t.r[i].pin, t.r[i].e.tag) == 0) {
            t.r[i].e.has_tag = true;
            computed++;
        }
    }
    json_decref(cached);
    /* every tag of these records (a refused withdrawal's too: its report
     * may come later), written once the archive is */
    cache = tag_cache_text(&t, &cachelen);
    /* withdrawals: the case code and PIN of a report make that case withdrawn */
    size_t withdrawn = 0, refused = 0;
    for (size_t i = 0; i < t.n; i++) {
        struct rec *w = &t.r[i];
        if (!w->withdrawal)
            continue;
        size_t hits = 0, k;
        const json_t *ix;
        json_array_foreach(json_object_get(t.by_code, w->code), k, ix) {
            struct rec *r = &t.r[json_integer_value(ix)];
            if (sodium_memcmp(r->pin, w->pin, REPORT_PIN_LEN) != 0)
                continue;
            r->e.status = RECEIPT_WITHDRAWN;
            r->e.reason[0] = '\0';
            snprintf(r->e.date, sizeof r->e.date, "%s", w->created_day);
            hits++;
        }
        if (hits) {
            w->e.status = RECEIPT_WITHDRAWN;
            snprintf(w->e.date, sizeof w->e.date, "%s", w->created_day);
            withdrawn++;
        } else {
            /* no report of that code with that PIN (yet): the request is
             * acknowledged (the kiosk may delete it) but says nothing */
            w->e.status = RECEIPT_REJECTED;
            snprintf(w->e.reason, sizeof w->e.reason, "no_matching_case");
            w->e.has_tag = false;
            refused++;
        }
    }
    uint64_t seq = 1;
    unsigned char *prev = NULL;
    size_t prevlen = 0;
    if (durable_read(dirfd, RECEIPT_ARCHIVE_NAME, RECEIPT_MAX_ARCHIVE, &prev, &prevlen) == 0) {
        uint64_t ps;
        int pr = receipt_archive_sequence(prev, prevlen, keys_helpline_sign_public(h), &ps, err,
                                          sizeof err);
        free(prev);
        if (pr != RECEIPT_OK) {
            cli_error("%s/%s is there but is not this helpline's (%s): move it away first",
                      outdir, RECEIPT_ARCHIVE_NAME, err);
            goto done;
        }
        seq = ps + 1;
    } else if (errno != ENOENT) {
        cli_error("cannot read %s/%s: %s", outdir, RECEIPT_ARCHIVE_NAME, strerror(errno));
        goto done;
    }
    struct receipt_entry *entries = calloc(t.n ? t.n : 1, sizeof *entries);
    if (!entries) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < t.n; i++)
        entries[i] = t.r[i].e;
    size_t len;
    char berr[300];
    int b = receipt_archive_build(entries, t.n, seq, issued, h, &out, &len, berr, sizeof berr);
    sodium_memzero(entries, t.n * sizeof *entries);
    free(entries);
    if (b != 0) {
        cli_error("%s", berr);
        goto done;
    }
    if (durable_write(dirfd, RECEIPT_ARCHIVE_NAME, out, len, 0644) != 0) {
        cli_error("cannot write %s/%s: %s", outdir, RECEIPT_ARCHIVE_NAME, strerror(errno));
        goto done;
    }
    if (!cache || durable_write(dirfd, TAG_CACHE_NAME, cache, cachelen, 0600) != 0)
        fprintf(stderr, "hifazat: warning: cannot write %s/%s (%s): the next run computes every "
                "tag again\n", outdir, TAG_CACHE_NAME, cache ? strerror(errno) : "out of memory");
    printf("%s/%s: sequence %llu, %zu report%s (%zu withdrawal%s matched, %zu without a "
           "matching case; %zu tag%s computed, %zu from %s)\n",
           outdir, RECEIPT_ARCHIVE_NAME, (unsigned long long)seq, t.n, t.n == 1 ? "" : "s",
           withdrawn, withdrawn == 1 ? "" : "s", refused, computed, computed == 1 ? "" : "s",
           t.n - computed, TAG_CACHE_NAME);
    rc = CLI_OK;
done:
    if (dirfd >= 0)
        close(dirfd);
    free(out);
    if (cache) {
        sodium_memzero(cache, cachelen);
        free(cache);
    }
    keys_helpline_close(h);
    json_decref(t.by_id);
    json_decref(t.by_code);
    if (t.r)
        sodium_memzero(t.r, t.cap * sizeof *t.r);
    free(t.r);
    return rc;
}

/* --------------------------------------------------------------- kiosk */

static int do_import(struct kiosk_env *env, const char *path, bool json)
{
    struct stat st;
    char *file = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path) + sizeof(RECEIPT_ARCHIVE_NAME) + 2;
        file = malloc(n);
        if (file)
            snprintf(file, n, "%s/%s", path, RECEIPT_ARCHIVE_NAME);
    } else {
        file = strdup(path);
    }
    if (!file) {
        cli_error("out of memory");
        return CLI_SOME_FAILED;
    }
    unsigned char *data = NULL;
    size_t len = 0;
    if (durable_read(AT_FDCWD, file, RECEIPT_MAX_ARCHIVE, &data, &len) != 0) {
        cli_error("cannot read %s: %s", file, strerror(errno));
        free(file);
        return CLI_SOME_FAILED;
    }
    struct receipt_import_result res;
    char err[400] = "";
    int r = receipt_import(kiosk_env_queue(env), kiosk_env_data_dir(env), kiosk_env_signing_pk(env), data, len, time(NULL), &res,
                           err, sizeof err);
    free(data);
    int rc = (r == RECEIPT_OK || r == RECEIPT_ALREADY) ? CLI_OK : CLI_SOME_FAILED;
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "result", json_string(receipt_result_name(r)));
        if (rc == CLI_OK) {
            json_object_set_new(o, "sequence", json_integer((json_int_t)res.sequence));
            json_object_set_new(o, "issued_at", json_string(res.issued_at));
            json_object_set_new(o, "entries", json_integer((json_int_t)res.entries));
            json_object_set_new(o, "removed", json_integer(res.removed));
        } else {
            json_object_set_new(o, "message", json_string(err));
        }
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
    } else if (rc == CLI_OK) {
        printf("%s: sequence %llu issued %s%s: %zu entr%s, %ld report%s deleted from the queue\n",
               file, (unsigned long long)res.sequence, res.issued_at,
               r == RECEIPT_ALREADY ? " (imported before)" : "", res.entries,
               res.entries == 1 ? "y" : "ies", res.removed, res.removed == 1 ? "" : "s");
    }
    if (rc != CLI_OK)
        cli_error("%s refused: %s; nothing was changed", file, err);
    free(file);
    return rc;
}

int cmd_receipts(int argc, char **argv)
{
    static const struct option longopts[] = {
        KIOSK_LONGOPTS,
        {"key", required_argument, NULL, 'k'},
        {"passphrase-file", required_argument, NULL, 'P'},
        {"out", required_argument, NULL, 'o'},
        {"status", required_argument, NULL, 's'},
        {"issued-at", required_argument, NULL, 'i'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool import = argc >= 2 && !strcmp(argv[1], "import");
    struct kiosk_opts ko = {0};
    const char *keyfile = NULL, *passfile = NULL, *outdir = NULL, *statusfile = NULL,
               *issued_at = NULL;
    bool json = false;
    int c;
    optind = import ? 2 : 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (import && kiosk_opt(&ko, c, optarg))
            continue;
        switch (c) {
        case 'k': keyfile = optarg; break;
        case 'P': passfile = optarg; break;
        case 'o': outdir = optarg; break;
        case 's': statusfile = optarg; break;
        case 'i': issued_at = optarg; break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (import) {
        if (optind + 1 != argc || keyfile || outdir || statusfile || issued_at) {
            cli_error("receipts import: one FILE or DIR (and the kiosk options)");
            return CLI_USAGE;
        }
        struct kiosk_env *env = NULL;
        int rc = kiosk_opts_open(&env, &ko, KIOSK_NEED_QUEUE | KIOSK_NEED_SIGNING);
        if (rc != CLI_OK)
            return rc;
        rc = do_import(env, argv[optind], json);
        kiosk_env_close(env);
        return rc;
    }
    if (!keyfile || !outdir || optind == argc) {
        cli_error("receipts: RECORDS.jsonl..., --key FILE and --out DIR are required");
        usage(stderr);
        return CLI_USAGE;
    }
    return do_build(argc - optind, argv + optind, keyfile, passfile, outdir, statusfile,
                    issued_at);
}
