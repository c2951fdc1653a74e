/* Benchmark (not a test): sealed reports, the durable queue, outbox archives.
 * Prints, in one run, each figure beside a baseline measured in the same run:
 *   1. seal + durable queue of one report (median of 200), against a durable
 *      write of the same number of bytes without any crypto;
 *   2. export of 10 000 reports into one archive, against `tar -cf` of the
 *      same files;
 *   3. opening that archive (every manifest check, decryption, signature and
 *      schema check), against `tar -xOf` of it.
 * Usage: bench_queue [WORKDIR]   (default: a directory under $TMPDIR) */
#include "benchutil.h"
#include "durable.h"
#include "outbox.h"
#include "queue.h"
#include "report.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { ADDS = 200, EXPORT_N = 10000 };

static struct report *make_report(int items)
{
    struct report_meta m = {.route = REPORT_ROUTE_ADULT, .reporter = REPORT_BY_SELF, .language = "ur",
                            .kiosk_id = "bench", .app_version = "0.1.0"};
    struct report *r = report_create(&m);
    for (int i = 0; i < items; i++) {
        char md5[33], sha[65], pdq[65];
        for (int c = 0; c < 64; c++) {
            sha[c] = "0123456789abcdef"[(i + c * 5) % 16];
            pdq[c] = "0123456789abcdef"[(i * 3 + c * 7 + 1) % 16];
            if (c < 32)
                md5[c] = "0123456789abcdef"[(i + c * 3) % 16];
        }
        md5[32] = sha[64] = pdq[64] = '\0';
        json_t *j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:i}", "kind", "image", "size",
                              100000 + i, "md5", md5, "sha256", sha, "pdq", pdq, "pdq_quality", 100,
                              "pdq_full", pdq, "pdq_full_quality", 100);
        /* make the two PDQ variants differ */
        json_object_set_new(j, "pdq_full", json_string("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"));
        if (report_add_hash_json(r, j) != 0) {
            fprintf(stderr, "bench: %s\n", report_error_message(r));
            exit(1);
        }
        json_decref(j);
    }
    return r;
}

static double run_cmd(const char *cmd)
{
    double t = bench_now();
    if (system(cmd) != 0)
        fprintf(stderr, "bench: '%s' failed\n", cmd);
    return bench_now() - t;
}

int main(int argc, char **argv)
{
    if (keys_init() != 0)
        return 1;
    char dir[1024];
    if (argc > 1) {
        snprintf(dir, sizeof(dir), "%s", argv[1]);
        mkdir(dir, 0700);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/hifazat-bench-XXXXXX", t ? t : "/tmp");
        if (!mkdtemp(dir))
            return 1;
    }
    char data[1100], data2[1100], out[1100], cmd[4096];
    snprintf(data, sizeof(data), "%s/data", dir);
    snprintf(data2, sizeof(data2), "%s/data-export", dir);
    snprintf(out, sizeof(out), "%s/out", dir);
    mkdir(out, 0700);
    uint8_t seed[32];
    memset(seed, 7, sizeof(seed));
    struct keys_kiosk *k = keys_kiosk_from_seed(seed);
    memset(seed, 9, sizeof(seed));
    struct keys_helpline *h = keys_helpline_from_seed(seed);
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(data, 0, &qe, msg, sizeof(msg));
    if (!q || !k || !h) {
        fprintf(stderr, "bench: %s\n", msg);
        return 1;
    }

    /* 1. one report: seal + durable write, median */
    static double t_add[ADDS], t_base[ADDS];
    size_t sealed_len = 0;
    for (int i = 0; i < ADDS; i++) {
        struct report *r = make_report(5);
        struct report_receipt rc;
        double t = bench_now();
        if (queue_add_report(q, r, k, keys_helpline_public(h), &rc) != 0) {
            fprintf(stderr, "bench: %s\n", queue_error_message(q));
            return 1;
        }
        t_add[i] = bench_now() - t;
        report_destroy(r);
    }
    {
        struct queue_entry *l;
        size_t n;
        queue_list(q, QUEUE_PENDING, &l, &n);
        sealed_len = n ? l[0].size : 0;
        free(l);
    }
    uint8_t *blob = calloc(1, sealed_len);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < ADDS; i++) {
        char name[64];
        snprintf(name, sizeof(name), "baseline-%d", i);
        double t = bench_now();
        durable_write(dfd, name, blob, sealed_len, 0600);
        t_base[i] = bench_now() - t;
        unlinkat(dfd, name, 0);
    }
    close(dfd);
    free(blob);
    double ma = bench_median(t_add, ADDS) * 1e3, mb = bench_median(t_base, ADDS) * 1e3;
    printf("seal + durable queue of one report (5 images, %zu bytes sealed): median %.2f ms\n"
           "  baseline, durable write of the same bytes without crypto:     median %.2f ms  "
           "(ratio %.2f)\n",
           sealed_len, ma, mb, ma / mb);
    queue_close(q);

    /* 2. export of 10 000 reports (set up without fsync: only the export is timed) */
    q = queue_open(data2, 0, &qe, msg, sizeof(msg));
    char pending[1200];
    snprintf(pending, sizeof(pending), "%s/queue/pending", data2);
    int pfd = open(pending, O_RDONLY | O_DIRECTORY);
    double t_seal = bench_now();
    for (int i = 0; i < EXPORT_N; i++) {
        struct report *r = make_report(1 + i % 5);
        uint8_t *s;
        size_t len;
        if (report_seal(r, k, keys_helpline_public(h), &s, &len) != 0)
            return 1;
        char name[64];
        snprintf(name, sizeof(name), "%s.hfz", report_id(r));
        int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || durable_write_all(fd, s, len) != 0)
            return 1;
        close(fd);
        free(s);
        report_destroy(r);
    }
    t_seal = bench_now() - t_seal;
    close(pfd);
    sync();
    struct outbox_export_options opt = {.max_reports = EXPORT_N};
    char err[400];
    double t = bench_now();
    long n = outbox_export(q, k, out, &opt, NULL, NULL, err, sizeof(err));
    double t_export = bench_now() - t;
    if (n != EXPORT_N) {
        fprintf(stderr, "bench: export: %s\n", err);
        return 1;
    }
    char exported[1200];
    snprintf(exported, sizeof(exported), "%s/queue", data2);
    snprintf(cmd, sizeof(cmd), "tar -C %s -cf %s/baseline.tar exported && sync %s/baseline.tar",
             exported, dir, dir);
    double t_tar = run_cmd(cmd);
    printf("export of %d reports into one archive: %.2f s  (tar -cf of the same files: %.2f s, "
           "ratio %.2f)   [sealing them: %.2f s, %.2f ms each]\n",
           EXPORT_N, t_export, t_tar, t_export / t_tar, t_seal, t_seal * 1e3 / EXPORT_N);

    /* 3. open that archive */
    snprintf(cmd, sizeof(cmd), "ls %s/*.tar", out);
    FILE *p = popen(cmd, "r");
    char apath[2048] = "";
    if (!p || !fgets(apath, sizeof(apath), p))
        return 1;
    pclose(p);
    apath[strcspn(apath, "\n")] = '\0';
    t = bench_now();
    uint8_t *arch;
    size_t alen;
    if (durable_read(AT_FDCWD, apath, (size_t)1 << 31, &arch, &alen) != 0)
        return 1;
    struct outbox_reader *r = outbox_read(arch, alen, NULL, err, sizeof(err));
    size_t opened = 0;
    for (size_t i = 0; r && i < outbox_reader_count(r); i++) {
        const struct outbox_entry *e = outbox_reader_entry(r, i);
        struct report_opened *o;
        if (e->status == OUTBOX_ENTRY_OK &&
            report_open(e->data, e->len, h, &o, err, sizeof(err)) == REPORT_OK) {
            char *s = json_dumps(report_opened_json(o), JSON_COMPACT);
            free(s);
            opened++;
            report_opened_free(o);
        }
    }
    double t_open = bench_now() - t;
    outbox_reader_free(r);
    free(arch);
    snprintf(cmd, sizeof(cmd), "tar -xOf %s > /dev/null", apath);
    double t_xo = run_cmd(cmd);
    printf("open of that archive (%.1f MB, %zu reports checked and decrypted): %.2f s, %.0f reports/s"
           "  (tar -xOf: %.2f s, ratio %.1f)\n",
           alen / 1e6, opened, t_open, opened / t_open, t_xo, t_open / t_xo);
    queue_close(q);
    keys_kiosk_close(k);
    keys_helpline_close(h);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (argc < 2)
        run_cmd(cmd);
    return opened == EXPORT_N ? 0 : 1;
}
