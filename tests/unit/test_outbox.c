/* Outbox archives: export (atomic, idempotent, chunked), acknowledgement,
 * and the helpline-side reader against every single-byte flip, every
 * truncation and hand-made hostile archives. */
#include "outbox.h"
#include "reportutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[1024], data[1100], out[1100];
static struct keys_kiosk *kk;
static struct keys_helpline *hk;

struct got {
    char path[8][1200];
    size_t reports[8];
    bool existed[8];
    int n;
};

static void on_archive(void *ctx, const char *path, size_t reports, bool existed)
{
    struct got *g = ctx;
    if (g->n < 8) {
        snprintf(g->path[g->n], sizeof(g->path[0]), "%s", path);
        g->reports[g->n] = reports;
        g->existed[g->n] = existed;
        g->n++;
    }
}

/* Ids accepted from an archive, the way `hifazat open` accepts them. */
static int accepted(const uint8_t *a, size_t len, char ids[][33], int max, bool *manifest_ok)
{
    char err[200];
    struct outbox_reader *r = outbox_read(a, len, NULL, err, sizeof(err));
    if (!r)
        return -1;
    int n = 0;
    *manifest_ok = outbox_reader_manifest_ok(r);
    for (size_t i = 0; i < outbox_reader_count(r); i++) {
        const struct outbox_entry *e = outbox_reader_entry(r, i);
        if (e->status != OUTBOX_ENTRY_OK && e->status != OUTBOX_ENTRY_UNVERIFIED)
            continue;
        struct report_opened *o;
        if (report_open(e->data, e->len, hk, &o, err, sizeof(err)) != REPORT_OK)
            continue;
        const uint8_t *mk = outbox_reader_kiosk_key(r);
        if (!strcmp(report_opened_id(o), e->id) &&
            (!mk || !memcmp(mk, report_opened_kiosk_key(o), 32)) && n < max)
            memcpy(ids[n++], e->id, 33);
        report_opened_free(o);
    }
    outbox_reader_free(r);
    return n;
}

static bool has(char ids[][33], int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ids[i], id))
            return true;
    return false;
}

/* --- hand-made archives --- */
struct entry {
    const char *name;
    const uint8_t *data;
    size_t len;
    int type;            /* AE_IFREG, AE_IFDIR, AE_IFLNK */
    la_int64_t declared; /* size in the header if >= 0 and != len */
};

static uint8_t *make_tar(const struct entry *e, int n, size_t *len)
{
    size_t cap = 1 << 22;
    uint8_t *buf = malloc(cap);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    size_t used = 0;
    REQUIRE(archive_write_open_memory(a, buf, cap, &used) == ARCHIVE_OK, "open mem");
    for (int i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_filetype(ae, (unsigned)e[i].type);
        archive_entry_set_perm(ae, 0644);
        if (e[i].type == AE_IFLNK)
            archive_entry_set_symlink(ae, "/etc/passwd");
        archive_entry_set_size(ae, e[i].type == AE_IFREG ? (la_int64_t)e[i].len : 0);
        archive_write_header(a, ae);
        if (e[i].len)
            archive_write_data(a, e[i].data, e[i].len);
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    *len = used;
    return buf;
}

/* Splits a real archive into its entries (to rebuild variations of it). */
static int split(const uint8_t *a, size_t len, char names[][80], uint8_t **datas, size_t *lens, int max)
{
    struct archive *r = archive_read_new();
    archive_read_support_format_tar(r);
    archive_read_open_memory(r, a, len);
    struct archive_entry *ae;
    int n = 0;
    while (n < max && archive_read_next_header(r, &ae) == ARCHIVE_OK) {
        snprintf(names[n], 80, "%s", archive_entry_pathname(ae));
        lens[n] = (size_t)archive_entry_size(ae);
        datas[n] = malloc(lens[n] + 1);
        archive_read_data(r, datas[n], lens[n]);
        n++;
    }
    archive_read_free(r);
    return n;
}

static void test_hostile(const uint8_t *arch, size_t alen, char ids[3][33])
{
    char names[8][80];
    uint8_t *datas[8];
    size_t lens[8];
    int n = split(arch, alen, names, datas, lens, 8);
    REQUIRE(n == 5, "manifest, sig, 3 reports (%d)", n);
    char err[200];
    /* an extra report (valid, but not in the signed manifest) and a duplicate */
    size_t xlen;
    char xid[33];
    uint8_t *extra = test_sealed(2, kk, hk, &xlen, xid);
    char xname[80];
    snprintf(xname, sizeof(xname), "reports/%s.hfz", xid);
    struct entry e1[] = {
        {names[0], datas[0], lens[0], AE_IFREG, -1}, {names[1], datas[1], lens[1], AE_IFREG, -1},
        {names[2], datas[2], lens[2], AE_IFREG, -1}, {names[2], datas[2], lens[2], AE_IFREG, -1},
        {names[3], datas[3], lens[3], AE_IFREG, -1}, {xname, extra, xlen, AE_IFREG, -1},
        {"../../../tmp/evil", datas[4], lens[4], AE_IFREG, -1},
        {"/etc/cron.d/evil", datas[4], lens[4], AE_IFREG, -1},
        {"reports/link.hfz", NULL, 0, AE_IFLNK, -1},
        {"reports/", NULL, 0, AE_IFDIR, -1},
    };
    size_t len;
    uint8_t *t = make_tar(e1, 10, &len);
    struct outbox_reader *r = outbox_read(t, len, NULL, err, sizeof(err));
    REQUIRE(r, "read hostile: %s", err);
    CHECK(outbox_reader_manifest_ok(r), "manifest still fine");
    CHECK(outbox_reader_warning(r) && strstr(outbox_reader_warning(r), "unexpected entry"),
          "unexpected entries named: %s", outbox_reader_warning(r));
    int ok = 0, dup = 0, unlisted = 0, missing = 0;
    for (size_t i = 0; i < outbox_reader_count(r); i++) {
        const struct outbox_entry *e = outbox_reader_entry(r, i);
        ok += e->status == OUTBOX_ENTRY_OK;
        dup += e->status == OUTBOX_ENTRY_DUPLICATE;
        unlisted += e->status == OUTBOX_ENTRY_UNLISTED && !strcmp(e->id, xid);
        missing += e->status == OUTBOX_ENTRY_MISSING;
    }
    CHECK(ok == 1 && dup == 1 && unlisted == 1 && missing == 1,
          "ok %d dup %d unlisted %d missing %d", ok, dup, unlisted, missing);
    outbox_reader_free(r);
    free(t);
    struct stat st;
    CHECK(stat("/tmp/evil", &st) != 0, "nothing extracted");

    /* limits: too many entries, an entry larger than a report can be */
    struct outbox_limits lim = {.max_entries = 1};
    r = outbox_read(arch, alen, &lim, err, sizeof(err));
    CHECK(r && outbox_reader_warning(r) && !outbox_reader_manifest_ok(r),
          "entry limit: %s / %s", r ? outbox_reader_warning(r) : err,
          r ? outbox_reader_manifest_error(r) : "");
    outbox_reader_free(r);
    lim.max_entries = 0;
    lim.max_entry_size = 1000;
    r = outbox_read(arch, alen, &lim, err, sizeof(err));
    int large = 0;
    for (size_t i = 0; r && i < outbox_reader_count(r); i++)
        large += outbox_reader_entry(r, i)->status == OUTBOX_ENTRY_TOO_LARGE;
    CHECK(large == 3, "size limit: %d", large);
    outbox_reader_free(r);

    /* a manifest of another version is named as such */
    json_t *mj = json_loadb((const char *)datas[0], lens[0], 0, NULL);
    json_object_set_new(mj, "version", json_integer(2));
    char *m2 = json_dumps(mj, 0);
    json_decref(mj);
    struct entry e2[] = {{names[0], (const uint8_t *)m2, strlen(m2), AE_IFREG, -1},
                         {names[1], datas[1], lens[1], AE_IFREG, -1},
                         {names[2], datas[2], lens[2], AE_IFREG, -1}};
    t = make_tar(e2, 3, &len);
    r = outbox_read(t, len, NULL, err, sizeof(err));
    CHECK(r && !outbox_reader_manifest_ok(r) && strstr(outbox_reader_manifest_error(r), "version"),
          "version: %s", r ? outbox_reader_manifest_error(r) : err);
    /* (a re-signed v2 manifest would say "version" too; an unsigned one fails the signature first) */
    outbox_reader_free(r);
    free(t);
    free(m2);
    /* not a tar at all */
    r = outbox_read((const uint8_t *)"hello world, not an archive", 27, NULL, err, sizeof(err));
    CHECK(!r || outbox_reader_count(r) == 0, "garbage gives nothing");
    outbox_reader_free(r);
    for (int i = 0; i < n; i++)
        free(datas[i]);
    free(extra);
    (void)ids;
}

static void test_tamper(const uint8_t *arch, size_t alen, char ids[3][33], uint8_t *sealed[3],
                        size_t slen[3])
{
    size_t start[3], end[3];
    for (int i = 0; i < 3; i++) {
        const uint8_t *p = memmem(arch, alen, sealed[i], slen[i]);
        REQUIRE(p, "report %d in archive", i);
        start[i] = (size_t)(p - arch);
        end[i] = start[i] + slen[i];
    }
    uint8_t *t = malloc(alen);
    unsigned bad = 0, flips = 0, manifest_hits = 0;
    for (size_t pos = 0; pos < alen; pos++) {
        /* Every byte of the tar structure, manifest and signature; inside a
         * sealed report every 7th (test_report flips every one of those). */
        bool inside = false;
        for (int i = 0; i < 3; i++)
            inside |= pos >= start[i] + 8 && pos + 8 < end[i];
        if (inside && pos % 7)
            continue;
        memcpy(t, arch, alen);
        t[pos] ^= (uint8_t)(0x01u << (pos % 8));
        char got[8][33];
        bool mok;
        int n = accepted(t, alen, got, 8, &mok);
        flips++;
        manifest_hits += !mok;
        int lost = 0;
        for (int i = 0; i < 3; i++) {
            bool in = pos >= start[i] && pos < end[i];
            bool there = n > 0 && has(got, n, ids[i]);
            if (in && there) {
                bad++;
                CHECK(0, "flip at %zu inside report %d accepted", pos, i);
            }
            lost += !there;
        }
        if (n < 0 || n > 3 || lost > 1) {
            bad++;
            CHECK(0, "flip at %zu: %d accepted, %d lost (at most the one hit may be lost)", pos, n, lost);
        }
        if (bad > 20)
            break;
    }
    fprintf(stderr, "tamper: %u single-byte flips over the whole archive, %u hit the manifest\n",
            flips, manifest_hits);
    CHECK(manifest_hits > 0, "some flips hit the manifest and were caught there");

    /* truncation: the reports wholly before the cut survive, no others */
    for (size_t cut = 0; cut < alen; cut += 37) {
        char got[8][33];
        bool mok;
        int n = accepted(arch, cut, got, 8, &mok);
        for (int i = 0; i < 3; i++) {
            bool whole = end[i] <= cut;
            bool there = n > 0 && has(got, n, ids[i]);
            CHECK(there == whole, "cut at %zu: report %d %s", cut, i,
                  whole ? "lost" : "accepted though cut");
        }
    }
    free(t);
}

int main(void)
{
    REQUIRE(keys_init() == 0, "sodium");
    snprintf(top, sizeof(top), "%s", make_tmpdir("outbox"));
    snprintf(data, sizeof(data), "%s/data", top);
    snprintf(out, sizeof(out), "%s/out", top);
    mkdir(out, 0700);
    kk = test_kiosk_key(0);
    hk = test_helpline_key(0);
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(data, 30, &qe, msg, sizeof(msg));
    REQUIRE(q, "queue: %s", msg);
    char ids[7][33];
    for (int i = 0; i < 7; i++) {
        struct report *r = test_report((unsigned)i + 1);
        struct report_receipt rc;
        REQUIRE(queue_add_report(q, r, kk, keys_helpline_public(hk), &rc) == 0, "add");
        memcpy(ids[i], rc.report_id, 33);
        report_destroy(r);
    }
    char err[400];
    struct got g = {0};
    struct outbox_export_options opt = {.max_reports = 3};
    CHECK(outbox_export(q, kk, out, &opt, on_archive, &g, err, sizeof(err)) == 7, "export: %s", err);
    CHECK(g.n == 3 && g.reports[0] == 3 && g.reports[1] == 3 && g.reports[2] == 1 && !g.existed[0],
          "3 archives of 3, 3, 1 (%d)", g.n);
    struct queue_status st;
    queue_status(q, &st);
    CHECK(st.count[QUEUE_PENDING] == 0 && st.count[QUEUE_EXPORTED] == 7, "all exported, none deleted");
    struct got g2 = {0};
    CHECK(outbox_export(q, kk, out, &opt, on_archive, &g2, err, sizeof(err)) == 0 && g2.n == 0,
          "nothing pending: nothing written");
    opt.include_exported = true;
    struct got g3 = {0};
    CHECK(outbox_export(q, kk, out, &opt, on_archive, &g3, err, sizeof(err)) == 7, "again --all");
    CHECK(g3.n == 3 && g3.existed[0] && g3.existed[1] && g3.existed[2] &&
              !strcmp(g3.path[0], g.path[0]) && !strcmp(g3.path[2], g.path[2]),
          "same archives found, nothing written (idempotent)");
    /* a damaged archive of the same name is rewritten whole */
    truncate(g.path[1], 2000);
    struct got g4 = {0};
    outbox_export(q, kk, out, &opt, on_archive, &g4, err, sizeof(err));
    CHECK(g4.n == 3 && !g4.existed[1] && g4.existed[0], "damaged archive rewritten");
    DIR *d = opendir(out);
    struct dirent *de;
    int files = 0, temps = 0;
    while ((de = readdir(d))) {
        files += de->d_type == DT_REG;
        temps += !strncmp(de->d_name, ".tmp-", 5);
    }
    closedir(d);
    CHECK(files == 3 && temps == 0, "3 archives, no temp files (%d, %d)", files, temps);

    /* the first archive: read back; opens to exactly its reports */
    size_t alen;
    uint8_t *arch = read_whole(g.path[0], &alen);
    char got[8][33];
    bool mok;
    int n = accepted(arch, alen, got, 8, &mok);
    CHECK(n == 3 && mok, "3 reports from archive 1 (%d)", n);
    char first[3][33];
    uint8_t *sealed[3];
    size_t slen[3];
    for (int i = 0; i < 3 && i < n; i++) {
        memcpy(first[i], got[i], 33);
        REQUIRE(queue_read(q, got[i], &sealed[i], &slen[i]) == 0, "read");
    }
    /* batches in id order (random, the same every time), not in the order
     * people came */
    char byid[7][33];
    memcpy(byid, ids, sizeof(byid));
    qsort(byid, 7, sizeof(byid[0]), (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < 3; i++)
        CHECK(has(got, n, byid[i]), "id order: report %s in the first archive", byid[i]);

    test_tamper(arch, alen, first, sealed, slen);
    test_hostile(arch, alen, first);

    /* acknowledgement */
    CHECK(outbox_ack(q, kk, g.path[0], err, sizeof(err)) == 3, "ack: %s", err);
    CHECK(outbox_ack(q, kk, g.path[0], err, sizeof(err)) == 0, "ack twice: nothing more");
    struct keys_kiosk *other = test_kiosk_key(9);
    CHECK(outbox_ack(q, other, g.path[1], err, sizeof(err)) == -1 && strstr(err, "another kiosk"),
          "ack only our own archives: %s", err);
    keys_kiosk_close(other);
    queue_status(q, &st);
    CHECK(st.count[QUEUE_UPLOADED] == 3 && st.count[QUEUE_EXPORTED] == 4, "3 uploaded, 4 exported");

    for (int i = 0; i < 3; i++)
        free(sealed[i]);
    free(arch);
    queue_close(q);
    keys_kiosk_close(kk);
    keys_helpline_close(hk);
    rm_rf(top);
    return check_exit();
}
