/* hifazat upload — sends outbox archives to the helpline's drop box, then
 * marks their reports uploaded. A report is only marked once the server has
 * confirmed the whole archive (HEAD: same size, and digest when given).
 * Then it fetches the helpline's signed status archive: only that deletes
 * reports from the queue (receipt.h). */
#include "cli.h"
#include "courier.h"
#include "kiosk_opts.h"
#include "outbox.h"
#include "receipt.h"
#include "upload.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat upload [--from DIR] [--url URL] [--ca-file FILE] [--pin PIN] [options]\n"
          "Sends every outbox archive in the spool (exporting pending reports into it\n"
          "first) to the helpline's drop box over HTTPS, then marks their reports as\n"
          "uploaded. Safe to run again and again: archives already on the server are\n"
          "not sent twice, and nothing is marked before the server has it all.\n"
          "Then it fetches the helpline's status archive (GET of " RECEIPT_ARCHIVE_NAME ")\n"
          "when a helpline signing key is set, checks it and deletes every report the\n"
          "helpline confirmed (as `hifazat receipts import`); none there yet is fine.\n"
          "\n"
          "  --from DIR          the spool (default: <data dir>/outbox)\n"
          "  --url URL           drop box folder, https:// only (default [upload] url)\n"
          "  --ca-file FILE      CA bundle that signed the server (default [upload] ca_file,\n"
          "                      else the system's)\n"
          "  --pin PIN           sha256//BASE64 of the server's public key ([upload] pin)\n"
          "  --budget SECONDS    give up retrying after this long (default 1200)\n"
          "  -q, --quiet         no progress on the terminal\n" KIOSK_OPTS_HELP
          "  -h, --help          this text\n"
          "\n"
          "Credentials ([upload] username + password, or bearer_token) are read only\n"
          "from the configuration file, which must not be readable by others.\n"
          "The last line on stdout is a JSON summary.\n"
          "Exit status: 0 all sent, 1 some left for later (the reason is printed),\n"
          "2 configuration error.\n",
          f);
}

struct run {
    bool tty;
    json_t *summary;
    char reason[800]; /* the last archive that failed, and why */
};

static void on_progress(void *ctx, const char *name, uint64_t sent, uint64_t total)
{
    struct run *r = ctx;
    if (!r->tty)
        return;
    fprintf(stderr, "\r\033[Ksending %s: %3d%% (%llu of %llu KB)", name,
            total ? (int)(sent * 100 / total) : 100, (unsigned long long)(sent / 1024),
            (unsigned long long)(total / 1024));
    fflush(stderr);
}

static void end_progress(const struct run *r)
{
    if (r->tty)
        fputs("\r\033[K", stderr);
}

/* What happened to each archive, on stderr; the last failure is the
 * summary's reason. */
static void on_archive(void *ctx, const struct courier_archive *a)
{
    struct run *r = ctx;
    end_progress(r);
    switch (a->outcome) {
    case COURIER_NOT_SENT:
        fprintf(stderr, "%s: not sent: %s\n", a->name, a->send->message);
        snprintf(r->reason, sizeof(r->reason), "%s: %s", a->name, a->send->message);
        break;
    case COURIER_NOT_ACKED:
        fprintf(stderr, "%s: on the server, but not acknowledged here: %s\n", a->name, a->ack_error);
        snprintf(r->reason, sizeof(r->reason), "%s: not acknowledged: %s", a->name, a->ack_error);
        break;
    case COURIER_DELIVERED:
        fprintf(stderr, "%s: %s (%d attempt%s); %ld report%s marked uploaded\n", a->name,
                a->send->message, a->send->attempts, a->send->attempts == 1 ? "" : "s", a->reports,
                a->reports == 1 ? "" : "s");
        break;
    }
}

/* The helpline's status archive, by GET: verified, then every report it
 * names leaves the queue. Absent is fine. -1 when one was there but refused. */
static int fetch_receipts(struct kiosk_env *env, struct upload *up, json_t *summary)
{
    if (!kiosk_env_signing_pk(env)) {
        json_object_set_new(summary, "status_archive", json_string("not_configured"));
        return 0;
    }
    struct courier_status_result st;
    char err[400] = "";
    int rc = courier_fetch_status(up, kiosk_env_queue(env), kiosk_env_data_dir(env), kiosk_env_signing_pk(env),
                                  &st, err, sizeof(err));
    switch (st.state) {
    case COURIER_STATUS_ABSENT:
        fprintf(stderr, "%s: not on the server yet (the helpline has not sent receipts)\n",
                RECEIPT_ARCHIVE_NAME);
        json_object_set_new(summary, "status_archive", json_string("absent"));
        return 0;
    case COURIER_STATUS_NOT_FETCHED:
        fprintf(stderr, "%s: could not be fetched: %s\n", RECEIPT_ARCHIVE_NAME, st.fetch.message);
        json_object_set_new(summary, "status_archive", json_string("not_fetched"));
        return 0; /* the next run tries again */
    case COURIER_STATUS_REFUSED:
        json_object_set_new(summary, "status_archive", json_string(receipt_result_name(st.receipt)));
        cli_error("%s from the server refused: %s; nothing was changed", RECEIPT_ARCHIVE_NAME, err);
        return rc;
    case COURIER_STATUS_IMPORTED:
        break;
    }
    json_object_set_new(summary, "status_archive", json_string(receipt_result_name(st.receipt)));
    json_object_set_new(summary, "reports_confirmed", json_integer(st.import.removed));
    fprintf(stderr, "%s: sequence %llu, %ld report%s confirmed by the helpline and deleted here\n",
            RECEIPT_ARCHIVE_NAME, (unsigned long long)st.import.sequence, st.import.removed,
            st.import.removed == 1 ? "" : "s");
    return 0;
}

static double parse_seconds(const char *s, const char *what, int *bad)
{
    char *end;
    double v = strtod(s, &end);
    if (*end || v <= 0 || v > 7 * 24 * 3600) {
        cli_error("upload: %s needs a positive number of seconds, not '%s'", what, s);
        *bad = 1;
    }
    return v;
}

int cmd_upload(int argc, char **argv)
{
    enum { OPT_FROM = 0x2000, OPT_URL, OPT_CA, OPT_PIN, OPT_BUDGET, OPT_RETRY_BASE };
    static const struct option longopts[] = {
        KIOSK_LONGOPTS,
        {"from", required_argument, NULL, OPT_FROM},
        {"url", required_argument, NULL, OPT_URL},
        {"ca-file", required_argument, NULL, OPT_CA},
        {"pin", required_argument, NULL, OPT_PIN},
        {"budget", required_argument, NULL, OPT_BUDGET},
        {"retry-base", required_argument, NULL, OPT_RETRY_BASE}, /* tests: shorter backoff */
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct kiosk_opts ko = {0};
    const char *from = NULL, *url = NULL, *ca = NULL, *pin = NULL;
    double budget = 0, retry_base = 0;
    int c, bad = 0;
    bool quiet = false;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        if (kiosk_opt(&ko, c, optarg))
            continue;
        switch (c) {
        case OPT_FROM: from = optarg; break;
        case OPT_URL: url = optarg; break;
        case OPT_CA: ca = optarg; break;
        case OPT_PIN: pin = optarg; break;
        case OPT_BUDGET: budget = parse_seconds(optarg, "--budget", &bad); break;
        case OPT_RETRY_BASE: retry_base = parse_seconds(optarg, "--retry-base", &bad); break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (bad)
        return CLI_USAGE;
    if (optind != argc) {
        cli_error("upload: unexpected argument '%s'", argv[optind]);
        usage(stderr);
        return CLI_USAGE;
    }

    struct kiosk_env *env = NULL;
    int rc = kiosk_opts_open(&env, &ko, KIOSK_NEED_QUEUE | KIOSK_NEED_KEY | KIOSK_WANT_SIGNING);
    if (rc != CLI_OK)
        return rc;
    struct run r = {.tty = !quiet && isatty(STDERR_FILENO), .summary = json_object()};
    struct upload *up = NULL;
    struct courier_result cres = {0};
    char *spool = NULL, *ca_cfg = NULL;
    const char *reason = NULL;
    char reason_buf[800] = "";

    /* The configuration, with the command line winning. */
    struct upload_config uc = {0};
    ca_cfg = config_path(kiosk_env_config(env), "upload", "ca_file");
    uc.url = url ? url : config_get(kiosk_env_config(env), "upload", "url");
    uc.ca_file = ca ? ca : ca_cfg;
    uc.pin = pin ? pin : config_get(kiosk_env_config(env), "upload", "pin");
    uc.username = config_get(kiosk_env_config(env), "upload", "username");
    uc.password = config_get(kiosk_env_config(env), "upload", "password");
    uc.bearer_token = config_get(kiosk_env_config(env), "upload", "bearer_token");
    uc.budget_seconds = budget;
    uc.retry_base = retry_base;
    uc.progress = on_progress;
    uc.progress_ctx = &r;
    if (!uc.url) {
        cli_error("upload: no server: give --url or set url in [upload] of the configuration");
        rc = CLI_USAGE;
        goto out;
    }
    /* Credentials must not sit in a file others can read: the file that
     * holds them, whichever layer that is (config.h). */
    if (config_check_credentials(kiosk_env_config(env)) != 0) {
        cli_error("upload: %s", config_error(kiosk_env_config(env)));
        rc = CLI_USAGE;
        goto out;
    }
    char err[400];
    up = upload_create(&uc, err, sizeof(err));
    if (!up) {
        cli_error("upload: %s", err);
        rc = CLI_USAGE;
        goto out;
    }

    /* The spool; pending reports go into it first. */
    if (from) {
        spool = strdup(from);
    } else if (asprintf(&spool, "%s/outbox", kiosk_env_data_dir(env)) < 0) {
        spool = NULL;
    }
    if (!spool) {
        cli_error("out of memory");
        rc = CLI_SOME_FAILED;
        goto out;
    }
    if (!from && mkdir(spool, 0700) != 0 && errno != EEXIST) {
        cli_error("upload: cannot create %s: %s", spool, strerror(errno));
        rc = CLI_SOME_FAILED;
        goto out;
    }
    struct courier_run cr = {
        .q = kiosk_env_queue(env),
        .key = kiosk_env_kiosk_key(env),
        .spool = spool,
        .send = courier_send_upload,
        .send_ctx = up,
        .on_archive = on_archive,
        .ctx = &r,
        .export_pending = true,
        .max_per_archive = (size_t)config_get_int(kiosk_env_config(env), "queue", "max_per_archive"),
    };
    if (courier_run(&cr, &cres, err, sizeof(err)) != 0) {
        cli_error("upload: %s", err);
        rc = CLI_SOME_FAILED;
        goto out;
    }
    if (cres.exported > 0)
        fprintf(stderr, "exported %ld pending report%s into %s first\n", cres.exported,
                cres.exported == 1 ? "" : "s", spool);
    if (cres.export_failed) {
        /* Not fatal: the archives already in the spool went. */
        snprintf(reason_buf, sizeof(reason_buf), "export failed: %s", cres.export_error);
        reason = reason_buf;
        cli_error("upload: %s", reason);
    }
    if (r.reason[0])
        reason = r.reason;
    rc = cres.left ? CLI_SOME_FAILED : CLI_OK;
    if (!cres.left && reason) /* an export failure leaves pending reports behind */
        rc = CLI_SOME_FAILED;
    if (fetch_receipts(env, up, r.summary) != 0)
        rc = CLI_SOME_FAILED;

out:
    if (rc != CLI_USAGE) {
        json_object_set_new(r.summary, "archives", json_integer((json_int_t)cres.archives));
        json_object_set_new(r.summary, "sent", json_integer((json_int_t)cres.sent));
        json_object_set_new(r.summary, "already_there", json_integer((json_int_t)cres.there));
        json_object_set_new(r.summary, "left", json_integer((json_int_t)cres.left));
        json_object_set_new(r.summary, "reports_uploaded", json_integer(cres.reports));
        if (reason)
            json_object_set_new(r.summary, "reason", json_string(reason));
        char *s = json_dumps(r.summary, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s) {
            puts(s);
            free(s);
        }
    }
    json_decref(r.summary);
    free(spool);
    free(ca_cfg);
    upload_destroy(up);
    kiosk_env_close(env);
    return rc;
}
