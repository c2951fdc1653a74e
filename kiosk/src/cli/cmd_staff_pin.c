/* hifazat staff-pin — the line for [staff] pin_hash in kiosk.conf: an
 * argon2id hash of the staff screen's PIN (libsodium's crypto_pwhash_str),
 * so the configuration never holds the PIN itself. */
#include "cli.h"
#include "keys.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PIN_MIN 6
#define PIN_MAX 12

static void usage(FILE *f)
{
    fputs("usage: hifazat staff-pin [--pin-file FILE]\n"
          "Prints the line to put in [staff] of kiosk.conf: pin_hash = <argon2id hash of\n"
          "the staff PIN>. The PIN (6 to 12 digits) is asked twice on the terminal, or is\n"
          "the first line of FILE; it is never an argument and never printed.\n"
          "\n"
          "  --pin-file FILE   read the PIN from FILE\n"
          "  -h, --help        this text\n"
          "\n"
          "Exit status: 0 printed, 1 failed, 2 usage error (e.g. not 6 to 12 digits).\n",
          f);
}

int cmd_staff_pin(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"pin-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *file = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': file = optarg; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("staff-pin: unexpected argument '%s' (the PIN is never an argument)", argv[optind]);
        return CLI_USAGE;
    }
    if (keys_init() != 0) {
        cli_error("libsodium failed to initialise");
        return CLI_SOME_FAILED;
    }
    char err[KEYS_ERR_SIZE];
    size_t len;
    char *pin = keys_passphrase_read(file, file == NULL, &len, err, sizeof err);
    if (!pin) {
        cli_error("staff-pin: %s", err);
        return CLI_USAGE;
    }
    bool digits = len >= PIN_MIN && len <= PIN_MAX;
    for (size_t i = 0; i < len && digits; i++)
        digits = pin[i] >= '0' && pin[i] <= '9';
    if (!digits) {
        keys_passphrase_free(pin);
        cli_error("staff-pin: the PIN must be %d to %d digits (the kiosk's keypad has digits only)",
                  PIN_MIN, PIN_MAX);
        return CLI_USAGE;
    }
    /* libsodium's moderate cost (256 MiB, about a second): a PIN has few
     * digits, so each guess at a stolen hash must be dear. The kiosk checks
     * it on a worker thread; wrong PINs are also rate-limited there. */
    char hash[crypto_pwhash_STRBYTES];
    int rc = crypto_pwhash_str(hash, pin, len, crypto_pwhash_OPSLIMIT_MODERATE,
                               crypto_pwhash_MEMLIMIT_MODERATE);
    keys_passphrase_free(pin);
    if (rc != 0) {
        cli_error("staff-pin: out of memory for argon2id");
        return CLI_SOME_FAILED;
    }
    printf("pin_hash = %s\n", hash);
    return CLI_OK;
}
