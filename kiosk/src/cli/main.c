#include "cli.h"
#include "version.h"
#include "version_git.h"

#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"hash", cmd_hash, "fingerprint images and videos (JSON Lines on stdout)"},
    {"devices", cmd_devices, "list the phones and cameras plugged in by cable"},
    {"compare", cmd_compare, "do two videos match under Meta's vPDQ rule? (exit 0 yes, 1 no)"},
    {"queue", cmd_queue, "queue a report (add), show the queue (status), acknowledge (ack)"},
    {"export", cmd_export, "bundle pending reports into an outbox archive"},
    {"keygen", cmd_keygen, "make the helpline's key pair (helpline side)"},
    {"open", cmd_open, "open outbox archives with the helpline key (helpline side)"},
    {"upload", cmd_upload, "send outbox archives to the helpline over HTTPS"},
    {"receipts", cmd_receipts, "sign the status archive (helpline side); import one (kiosk)"},
    {"case", cmd_case, "a case's status, or withdraw it, by case code and PIN"},
    {"staff-pin", cmd_staff_pin, "make the [staff] pin_hash line for kiosk.conf"},
};

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hifazat: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

FILE *cli_results_stream(void)
{
    static FILE *out;
    if (out)
        return out;
    /* libmtp prints notices on stdout ("Android device detected..."):
     * results keep the real stdout through a stream of their own, and fd 1
     * goes to stderr with the libraries' chatter. */
    fflush(stdout);
    int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || !(out = fdopen(fd, "w"))) {
        cli_error("cannot set up stdout: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    return out;
}

int cli_parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1e7)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_downscale(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 5 || v > 4096)
        return -1;
    *out = (int)v;
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: hifazat COMMAND [options] ...\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'hifazat COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    /* Bytes of people's pictures pass through libmtp's and libgphoto2's
     * transfer buffers, which they free without wiping: glibc overwrites
     * what is freed (chunks past its per-thread cache, i.e. over ~1 KiB).
     * Our own buffers are wiped anyway; measured: no cost to hashing. */
    mallopt(M_PERTURB, 0x5a);
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("hifazat %s%s%s%s\n", HIFAZAT_VERSION, HIFAZAT_VERSION_GIT[0] ? " (" : "",
               HIFAZAT_VERSION_GIT, HIFAZAT_VERSION_GIT[0] ? ")" : "");
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
