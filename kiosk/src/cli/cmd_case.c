/* hifazat case status|withdraw --code C --pin P — what a person with a case
 * code can do at any kiosk (kiosk side; staff and tests). */
#include "cli.h"
#include "kiosk_opts.h"
#include "receipt.h"
#include "version.h"

#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat case status --code CODE --pin PIN [--json] [options]\n"
          "       hifazat case withdraw --code CODE --pin PIN [--language ur|en] [--json]\n"
          "                             [options]\n"
          "\n"
          "status    the last status of the case this kiosk knows from the helpline's\n"
          "          receipts (`hifazat receipts import`, `hifazat upload`), with its day.\n"
          "          A wrong code or PIN gets the same answer as a case not known here.\n"
          "withdraw  queues a sealed, signed withdrawal request for the case (sent like a\n"
          "          report: export or upload); the helpline checks the PIN against the\n"
          "          original report and its next receipt marks the case withdrawn.\n"
          "Lookups that find nothing are counted on the data partition: after "
          "5 within 15\n"
          "minutes every lookup answers \"too many tries\" until the time has passed.\n"
          "\n" KIOSK_OPTS_HELP
          "  --code CODE          the case code (dddd-dddd-dddd; spaces, Urdu digits fine)\n"
          "  --pin PIN            its 6-digit PIN\n"
          "  --language ur|en     the withdrawal request's language (default: the kiosk's)\n"
          "  --json               machine-readable output\n"
          "  -h, --help           this text\n"
          "\n"
          "Exit status: 0 a status was found / the withdrawal is queued (or the case is\n"
          "withdrawn already); 1 not known here, too many tries, or a failure; 2 usage or\n"
          "configuration error.\n",
          f);
}

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static int report_result(int r, const struct receipt_case *c, bool withdraw, bool json)
{
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "result", json_string(receipt_result_name(r)));
        if (r == RECEIPT_FOUND || (withdraw && r == RECEIPT_ALREADY)) {
            json_object_set_new(o, "status", json_string(receipt_status_name(c->status)));
            json_object_set_new(o, "reason", json_string(c->reason));
            json_object_set_new(o, "date", json_string(c->date));
        }
        if (r == RECEIPT_LIMITED)
            json_object_set_new(o, "retry_after_seconds", json_integer(c->retry_after));
        print_json(o);
    } else if (r == RECEIPT_FOUND) {
        printf("Status: %s%s%s (%s)\n", receipt_status_name(c->status), c->reason[0] ? ": " : "",
               c->reason, c->date);
        printf("The helpline may know more: call them with the case code.\n");
    } else if (r == RECEIPT_UNKNOWN) {
        printf("This case is not known here (or the code or PIN is not right).\n"
               "The helpline may know more: call them with the case code.\n");
    } else if (r == RECEIPT_LIMITED) {
        printf("Too many tries. Try again in %ld minute%s.\n", (c->retry_after + 59) / 60,
               (c->retry_after + 59) / 60 == 1 ? "" : "s");
    } else if (r == RECEIPT_QUEUED) {
        printf("The withdrawal request is saved and will go to the helpline with the next\n"
               "reports. The helpline checks it; the status then says withdrawn.\n");
    } else if (r == RECEIPT_ALREADY) {
        printf("This case is withdrawn already (%s).\n", c->date);
    }
    fflush(stdout);
    return (r == RECEIPT_FOUND || r == RECEIPT_QUEUED || r == RECEIPT_ALREADY) ? CLI_OK
                                                                             : CLI_SOME_FAILED;
}

int cmd_case(int argc, char **argv)
{
    static const struct option longopts[] = {
        KIOSK_LONGOPTS,
        {"code", required_argument, NULL, 'c'},
        {"pin", required_argument, NULL, 'p'},
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
    bool is_status = !strcmp(sub, "status"), is_withdraw = !strcmp(sub, "withdraw");
    if (!is_status && !is_withdraw) {
        cli_error("case: unknown subcommand '%s' (status or withdraw)", sub);
        return CLI_USAGE;
    }
    struct kiosk_opts ko = {0};
    const char *code = NULL, *pin = NULL, *language = NULL;
    bool json = false;
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (kiosk_opt(&ko, c, optarg))
            continue;
        switch (c) {
        case 'c': code = optarg; break;
        case 'p': pin = optarg; break;
        case 'l':
            if (strcmp(optarg, "ur") && strcmp(optarg, "en")) {
                cli_error("case: --language must be ur or en");
                return CLI_USAGE;
            }
            language = optarg;
            break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (!code || !pin || optind != argc) {
        cli_error("case %s: --code CODE and --pin PIN are required (and nothing else)", sub);
        return CLI_USAGE;
    }
    struct kiosk_env *env = NULL;
    unsigned need = KIOSK_NEED_QUEUE |
                    (is_withdraw ? KIOSK_NEED_KEY | KIOSK_NEED_HELPLINE : 0);
    int rc = kiosk_opts_open(&env, &ko, need);
    if (rc != CLI_OK)
        return rc;
    char err[400] = "";
    struct receipt_case rc_case;
    int r;
    if (is_status) {
        r = receipt_lookup(kiosk_env_data_dir(env), code, pin, time(NULL), &rc_case, err, sizeof err);
    } else {
        struct report_meta meta = {
            .language = language ? language : config_get(kiosk_env_config(env), "kiosk", "language"),
            .kiosk_id = config_kiosk_id(kiosk_env_config(env), keys_kiosk_public(kiosk_env_kiosk_key(env))),
            .app_version = HIFAZAT_VERSION,
            .clock_trusted = REPORT_CLOCK_AUTO,
        };
        if (!meta.language)
            meta.language = "ur";
        r = receipt_withdraw(kiosk_env_queue(env), kiosk_env_data_dir(env), kiosk_env_kiosk_key(env), kiosk_env_helpline_pk(env), &meta, code, pin,
                             time(NULL), &rc_case, err, sizeof err);
    }
    if (r < 0) {
        cli_error("%s", err);
        rc = CLI_SOME_FAILED;
    } else {
        rc = report_result(r, &rc_case, is_withdraw, json);
    }
    sodium_memzero(&rc_case, sizeof rc_case);
    kiosk_env_close(env);
    return rc;
}
