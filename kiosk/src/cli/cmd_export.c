/* hifazat export --to DIR — pending reports into outbox archives. */
#include "cli.h"
#include "kiosk_opts.h"
#include "outbox.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: hifazat export --to DIR [--all] [--max-per-archive N] [options]\n"
          "Bundles the pending reports into outbox archives (pax tar with a manifest\n"
          "signed by the kiosk key), written atomically into DIR: a courier USB stick or\n"
          "the upload spool. An archive is named after the reports it holds, so\n"
          "exporting the same reports twice writes nothing new. Exported reports stay in\n"
          "the queue until they are acknowledged (hifazat queue ack / upload).\n"
          "\n"
          "  --to DIR               where to write the archives\n"
          "  --all                  also export reports exported before but never\n"
          "                         acknowledged (a courier stick was lost)\n"
          "  --max-per-archive N    reports per archive (default [queue] max_per_archive\n"
          "                         or %ld)\n" KIOSK_OPTS_HELP
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 exported (or nothing to export), 1 failed, 2 usage error.\n",
          config_get_int(NULL, "queue", "max_per_archive"));
}

static void on_archive(void *ctx, const char *path, size_t reports, bool existed)
{
    (void)ctx;
    printf("%s  %zu report%s%s\n", path, reports, reports == 1 ? "" : "s",
           existed ? "  (already there: nothing written)" : "");
    fflush(stdout);
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        KIOSK_LONGOPTS,
        {"to", required_argument, NULL, 't'},
        {"all", no_argument, NULL, 'a'},
        {"max-per-archive", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct kiosk_opts ko = {0};
    struct outbox_export_options opts = {0};
    const char *to = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (kiosk_opt(&ko, c, optarg))
            continue;
        switch (c) {
        case 't': to = optarg; break;
        case 'a': opts.include_exported = true; break;
        case 'm': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000) {
                cli_error("export: --max-per-archive needs a number from 1 to 100000");
                return CLI_USAGE;
            }
            opts.max_reports = (size_t)v;
            break;
        }
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (!to || optind != argc) {
        cli_error("export: --to DIR is required");
        usage(stderr);
        return CLI_USAGE;
    }
    struct kiosk_env *env = NULL;
    int rc = kiosk_opts_open(&env, &ko, KIOSK_NEED_QUEUE | KIOSK_NEED_KEY);
    if (rc != CLI_OK)
        return rc;
    if (!opts.max_reports)
        opts.max_reports = (size_t)config_get_int(kiosk_env_config(env), "queue", "max_per_archive");
    char err[400];
    long n = outbox_export(kiosk_env_queue(env), kiosk_env_kiosk_key(env), to, &opts, on_archive, NULL, err, sizeof(err));
    if (n < 0) {
        cli_error("export failed: %s", err);
        rc = CLI_SOME_FAILED;
    } else if (n == 0) {
        printf("nothing to export: no pending reports\n");
    } else {
        fprintf(stderr, "exported %ld report%s\n", n, n == 1 ? "" : "s");
    }
    kiosk_env_close(env);
    return rc;
}
