/* hifazat keygen --out DIR — the helpline's X25519 key pair and its Ed25519
 * receipt-signing key (helpline side). */
#include "cli.h"
#include "keys.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat keygen --out DIR [--passphrase-file FILE] [--kdf LEVEL]\n"
          "Makes the helpline's keys: DIR/helpline.pub (reports are sealed to it) and\n"
          "DIR/helpline-sign.pub (kiosks check receipts with it): give both to every\n"
          "kiosk; DIR/helpline.key (mode 0600) holds both secret halves, encrypted with\n"
          "a passphrase (argon2id + secretbox).\n"
          "Existing keys are never overwritten. Without --passphrase-file the passphrase\n"
          "is asked twice on the terminal (at least 12 characters).\n"
          "\n"
          "  --out DIR              where to write the two files (created if missing)\n"
          "  --passphrase-file FILE the passphrase is the first line of FILE\n"
          "  --kdf LEVEL            argon2id cost: interactive (64 MiB), moderate (256 MiB,\n"
          "                         default) or sensitive (1 GiB)\n"
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 written, 1 failed, 2 usage error.\n",
          f);
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"passphrase-file", required_argument, NULL, 'p'},
        {"kdf", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *out = NULL, *passfile = NULL;
    enum keys_kdf kdf = KEYS_KDF_MODERATE;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'p': passfile = optarg; break;
        case 'k':
            if (!strcmp(optarg, "interactive"))
                kdf = KEYS_KDF_INTERACTIVE;
            else if (!strcmp(optarg, "moderate"))
                kdf = KEYS_KDF_MODERATE;
            else if (!strcmp(optarg, "sensitive"))
                kdf = KEYS_KDF_SENSITIVE;
            else {
                cli_error("keygen: --kdf must be interactive, moderate or sensitive");
                return CLI_USAGE;
            }
            break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (!out || optind != argc) {
        cli_error("keygen: --out DIR is required (and nothing else)");
        usage(stderr);
        return CLI_USAGE;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        cli_error("cannot create %s: %s", out, strerror(errno));
        return CLI_SOME_FAILED;
    }
    char err[KEYS_ERR_SIZE];
    size_t plen;
    char *pass = keys_passphrase_read(passfile, true, &plen, err, sizeof(err));
    if (!pass) {
        cli_error("%s", err);
        return CLI_USAGE;
    }
    uint8_t pk[KEYS_PUBLIC_SIZE];
    int rc = keys_helpline_generate(out, pass, plen, kdf, pk, err, sizeof(err));
    keys_passphrase_free(pass);
    if (rc != 0) {
        cli_error("%s", err);
        return plen < KEYS_PASSPHRASE_MIN ? CLI_USAGE : CLI_SOME_FAILED;
    }
    char text[KEYS_PUBLIC_TEXT_SIZE], fpr[KEYS_FINGERPRINT_SIZE];
    keys_public_format(pk, text);
    keys_fingerprint(pk, KEYS_ROLE_HELPLINE, fpr);
    printf("public key file: %s/%s  (copy it to every kiosk: helpline_key in kiosk.conf)\n", out,
           KEYS_HELPLINE_PUBLIC_FILE);
    printf("secret key file: %s/%s  (mode 0600; keep it and its passphrase safe: without them\n"
           "                 no report can ever be opened)\n",
           out, KEYS_HELPLINE_SECRET_FILE);
    printf("public key:      %s\n", text);
    printf("fingerprint:     %s  (the kiosk's staff screen shows the same)\n", fpr);
    printf("signing key file: %s/%s  (copy it to every kiosk: helpline_signing_key in\n"
           "                 kiosk.conf; they check `hifazat receipts` archives with it)\n",
           out, KEYS_HELPLINE_SIGN_PUBLIC_FILE);
    return CLI_OK;
}
