/* hifazat queue status|add|ack — the kiosk's queue of sealed reports. */
#include "cli.h"
#include "kiosk_opts.h"
#include "outbox.h"
#include "receipt.h"
#include "report.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat queue status [--json] [options]\n"
          "       hifazat queue add --from FILE.jsonl --route under18|adult\n"
          "                         [--reporter self|parent_or_trusted_adult|helper]\n"
          "                         [--language ur|en] [--json] [options]\n"
          "       hifazat queue ack ARCHIVE... [options]\n"
          "\n"
          "status  counts per state (pending, exported, uploaded), the oldest pending\n"
          "        report, bytes, files moved aside, free space and key fingerprints.\n"
          "add     queues the output of `hifazat hash` (FILE.jsonl, '-' for stdin) as one\n"
          "        sealed report and prints its case code and PIN, only once the report\n"
          "        is durably written. --route is the age when the picture was taken:\n"
          "        under18 (Take It Down) or adult (StopNCII). File names and paths in\n"
          "        the input are never stored.\n"
          "ack     marks the reports of outbox archives as uploaded (acknowledged by\n"
          "        the helpline); they are deleted after [queue] retention_days.\n"
          "\n" KIOSK_OPTS_HELP
          "  --json               machine-readable output\n"
          "  -h, --help           this text\n"
          "\n"
          "Exit status: 0 ok, 1 failed (nothing was queued), 2 usage or configuration error.\n",
          f);
}

static void human_bytes(uint64_t b, char *out, size_t n)
{
    if (b < 1024)
        snprintf(out, n, "%llu B", (unsigned long long)b);
    else if (b < (1u << 20))
        snprintf(out, n, "%.1f KiB", b / 1024.0);
    else if (b < (1u << 30))
        snprintf(out, n, "%.1f MiB", b / 1048576.0);
    else
        snprintf(out, n, "%.1f GiB", b / 1073741824.0);
}

static int do_status(struct kiosk_env *env, bool json)
{
    struct queue_status st;
    if (queue_status(kiosk_env_queue(env), &st) != 0) {
        cli_error("%s", queue_error_message(kiosk_env_queue(env)));
        return CLI_SOME_FAILED;
    }
    const struct queue_recovery *rec = queue_recovery(kiosk_env_queue(env));
    char kfpr[KEYS_FINGERPRINT_SIZE] = "", hfpr[KEYS_FINGERPRINT_SIZE] = "", oldest[32] = "";
    if (kiosk_env_kiosk_key(env))
        keys_fingerprint(keys_kiosk_public(kiosk_env_kiosk_key(env)), KEYS_ROLE_KIOSK, kfpr);
    if (kiosk_env_helpline_pk(env))
        keys_fingerprint(kiosk_env_helpline_pk(env), KEYS_ROLE_HELPLINE, hfpr);
    if (st.oldest_pending) {
        struct tm tm;
        gmtime_r(&st.oldest_pending, &tm);
        strftime(oldest, sizeof(oldest), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    long retention = config_get_int(kiosk_env_config(env), "queue", "retention_days");
    uint64_t rseq = 0;
    char rissued[21] = "";
    int have_receipts = receipt_store_info(kiosk_env_data_dir(env), &rseq, rissued);
    if (json) {
        json_t *o = json_object();
        for (int s = 0; s < QUEUE_NSTATES; s++) {
            json_object_set_new(o, queue_state_name((enum queue_state)s),
                                json_pack("{s:I, s:I}", "reports", (json_int_t)st.count[s],
                                          "bytes", (json_int_t)st.bytes[s]));
        }
        json_object_set_new(o, "oldest_pending", oldest[0] ? json_string(oldest) : json_null());
        json_object_set_new(o, "damaged", json_integer((json_int_t)st.damaged));
        json_object_set_new(o, "free_bytes", json_integer((json_int_t)st.free_bytes));
        json_object_set_new(o, "retention_days", json_integer(retention));
        json_object_set_new(o, "recovery",
                            json_pack("{s:i, s:i, s:i}", "temps_removed", rec->temps_removed,
                                      "moved_aside", rec->moved_aside, "pruned", rec->pruned));
        json_object_set_new(o, "kiosk_key_fingerprint", kfpr[0] ? json_string(kfpr) : json_null());
        json_object_set_new(o, "helpline_key_fingerprint",
                            hfpr[0] ? json_string(hfpr) : json_null());
        json_object_set_new(o, "status_archive",
                            have_receipts == 1
                                ? json_pack("{s:I, s:s}", "sequence", (json_int_t)rseq,
                                            "issued_at", rissued)
                                : json_null());
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(o);
        return CLI_OK;
    }
    printf("queue in %s/queue\n", kiosk_env_data_dir(env));
    for (int s = 0; s < QUEUE_NSTATES; s++) {
        char b[32];
        human_bytes(st.bytes[s], b, sizeof(b));
        printf("  %-9s %6zu report%s  %s", queue_state_name((enum queue_state)s), st.count[s],
               st.count[s] == 1 ? " " : "s", b);
        if (s == QUEUE_PENDING && oldest[0])
            printf("  (oldest %s)", oldest);
        if (s == QUEUE_UPLOADED)
            printf(retention ? "  (kept %ld days after acknowledgement)" : "  (kept forever)",
                   retention);
        putchar('\n');
    }
    char fb[32];
    human_bytes(st.free_bytes, fb, sizeof(fb));
    printf("  moved aside (queue/damaged): %zu file%s\n", st.damaged, st.damaged == 1 ? "" : "s");
    printf("  free space: %s\n", fb);
    if (rec->temps_removed || rec->moved_aside || rec->pruned)
        printf("  this start: %u interrupted write%s removed, %u unreadable file%s moved aside, "
               "%u acknowledged report%s deleted\n",
               rec->temps_removed, rec->temps_removed == 1 ? "" : "s", rec->moved_aside,
               rec->moved_aside == 1 ? "" : "s", rec->pruned, rec->pruned == 1 ? "" : "s");
    printf("kiosk key fingerprint:    %s\n", kfpr[0] ? kfpr : "(none yet)");
    printf("helpline key fingerprint: %s\n", hfpr[0] ? hfpr : "(not configured)");
    if (have_receipts == 1)
        printf("helpline receipts:        sequence %llu, issued %s\n", (unsigned long long)rseq,
               rissued);
    else
        printf("helpline receipts:        none yet\n");
    return CLI_OK;
}

static int do_add(struct kiosk_env *env, const char *from, enum report_route route,
                  enum report_reporter reporter, const char *language, bool json)
{
    FILE *f = strcmp(from, "-") ? fopen(from, "r") : stdin;
    if (!f) {
        cli_error("cannot read %s: %s", from, strerror(errno));
        return CLI_SOME_FAILED;
    }
    struct report_meta meta = {
        .route = route,
        .reporter = reporter,
        .language = language ? language : config_get(kiosk_env_config(env), "kiosk", "language"),
        .kiosk_id = config_kiosk_id(kiosk_env_config(env), keys_kiosk_public(kiosk_env_kiosk_key(env))),
        .app_version = HIFAZAT_VERSION,
        .training = false,
        .clock_trusted = REPORT_CLOCK_AUTO,
    };
    if (!meta.language)
        meta.language = "ur";
    struct report *r = report_create(&meta);
    if (!r) {
        if (f != stdin)
            fclose(f);
        cli_error("cannot start a report (out of memory?)");
        return CLI_SOME_FAILED;
    }
    int rc = CLI_OK;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!j) {
            cli_error("%s line %lu: not JSON (%s); nothing was queued", from, lineno, je.text);
            rc = CLI_SOME_FAILED;
            break;
        }
        int a = report_add_hash_json(r, j);
        json_decref(j);
        if (a == 1) {
            /* No path in the message: the terminal may be on a shared screen. */
            fprintf(stderr, "hifazat: %s line %lu: %s\n", from, lineno, report_error_message(r));
        } else if (a != 0) {
            cli_error("%s line %lu: %s; nothing was queued", from, lineno, report_error_message(r));
            rc = CLI_SOME_FAILED;
            break;
        }
    }
    if (line) {
        memset(line, 0, cap);
        free(line);
    }
    if (ferror(f)) {
        cli_error("cannot read %s", from);
        rc = CLI_SOME_FAILED;
    }
    if (f != stdin)
        fclose(f);
    if (rc == CLI_OK && report_item_count(r) == 0) {
        cli_error("%s holds no image or video fingerprints; nothing was queued", from);
        rc = CLI_SOME_FAILED;
    }
    struct report_receipt receipt;
    if (rc == CLI_OK &&
        queue_add_report(kiosk_env_queue(env), r, kiosk_env_kiosk_key(env), kiosk_env_helpline_pk(env), &receipt) != 0) {
        cli_error("the report was not saved: %s", queue_error_message(kiosk_env_queue(env)));
        rc = CLI_SOME_FAILED;
    }
    if (rc == CLI_OK) {
        if (json) {
            printf("{\"case_code\":\"%s\",\"pin\":\"%s\",\"report_id\":\"%s\",\"items\":%zu}\n",
                   receipt.case_code, receipt.pin, receipt.report_id, report_item_count(r));
        } else {
            printf("Saved: %zu file%s fingerprinted.\n", report_item_count(r),
                   report_item_count(r) == 1 ? "" : "s");
            printf("Case code: %s\nPIN:       %s\n", receipt.case_code, receipt.pin);
            printf("Write these down and keep them safe: they cannot be shown again.\n");
        }
        fflush(stdout);
    }
    memset(&receipt, 0, sizeof(receipt));
    report_destroy(r);
    return rc;
}

static int do_ack(struct kiosk_env *env, int argc, char **argv)
{
    int rc = CLI_OK;
    for (int i = 0; i < argc; i++) {
        char err[400];
        long n = outbox_ack(kiosk_env_queue(env), kiosk_env_kiosk_key(env), argv[i], err, sizeof(err));
        if (n < 0) {
            cli_error("%s", err);
            rc = CLI_SOME_FAILED;
        } else {
            printf("%s: %ld report%s marked uploaded\n", argv[i], n, n == 1 ? "" : "s");
        }
    }
    return rc;
}

int cmd_queue(int argc, char **argv)
{
    static const struct option longopts[] = {
        KIOSK_LONGOPTS,
        {"from", required_argument, NULL, 'f'},
        {"route", required_argument, NULL, 'r'},
        {"reporter", required_argument, NULL, 'R'},
        {"language", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        usage(stdout);
        return CLI_OK;
    }
    bool is_status = !strcmp(sub, "status"), is_add = !strcmp(sub, "add"), is_ack = !strcmp(sub, "ack");
    if (!is_status && !is_add && !is_ack) {
        cli_error("queue: unknown subcommand '%s' (status, add or ack)", sub);
        return CLI_USAGE;
    }
    struct kiosk_opts ko = {0};
    const char *from = NULL, *language = NULL;
    bool json = false, have_route = false;
    enum report_route route = REPORT_ROUTE_ADULT;
    enum report_reporter reporter = REPORT_BY_SELF;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (kiosk_opt(&ko, c, optarg))
            continue;
        switch (c) {
        case 'f': from = optarg; break;
        case 'r':
            if (report_route_parse(optarg, &route) != 0) {
                cli_error("queue: --route must be under18 or adult");
                return CLI_USAGE;
            }
            have_route = true;
            break;
        case 'R':
            if (report_reporter_parse(optarg, &reporter) != 0) {
                cli_error("queue: --reporter must be self, parent_or_trusted_adult or helper");
                return CLI_USAGE;
            }
            break;
        case 'l':
            if (strcmp(optarg, "ur") && strcmp(optarg, "en")) {
                cli_error("queue: --language must be ur or en");
                return CLI_USAGE;
            }
            language = optarg;
            break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (is_add && (!from || !have_route || optind != argc)) {
        cli_error("queue add: --from FILE.jsonl and --route under18|adult are required");
        return CLI_USAGE;
    }
    if (is_status && optind != argc) {
        cli_error("queue status: unexpected argument '%s'", argv[optind]);
        return CLI_USAGE;
    }
    if (is_ack && optind == argc) {
        cli_error("queue ack: no ARCHIVE given");
        return CLI_USAGE;
    }
    struct kiosk_env *env = NULL;
    unsigned need = KIOSK_NEED_QUEUE | KIOSK_NEED_KEY | (is_add ? KIOSK_NEED_HELPLINE : 0);
    int rc = kiosk_opts_open(&env, &ko, need);
    if (rc != CLI_OK)
        return rc;
    if (is_status)
        rc = do_status(env, json);
    else if (is_add)
        rc = do_add(env, from, route, reporter, language, json);
    else
        rc = do_ack(env, argc - optind, argv + optind);
    kiosk_env_close(env);
    return rc;
}
