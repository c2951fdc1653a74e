/* The hifazat command-line tool: one file per command. */
#ifndef HIFAZAT_CLI_H
#define HIFAZAT_CLI_H

/* Exit codes shared by every command. */
enum {
    CLI_OK = 0,
    CLI_SOME_FAILED = 1,
    CLI_USAGE = 2,
    /* hifazat compare: 0 match, 1 no match, 2 usage, 3 an input unusable */
    CLI_NO_MATCH = 1,
    CLI_INPUT_ERROR = 3,
};

int cmd_hash(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_staff_pin(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_case(int argc, char **argv);

#include <stdio.h>
/* Where results go when devices by cable are opened: the process's stdout,
 * through a stream of its own, while fd 1 is pointed at stderr (libmtp
 * prints notices on stdout). Call before opening any device; NULL (with a
 * message) if it cannot. */
FILE *cli_results_stream(void);

/* Option values shared by the video commands. 0 / -1. */
int cli_parse_seconds(const char *s, double *out);     /* >= 0, finite */
int cli_parse_downscale(const char *s, int *out);      /* 5..4096 */

/* Prints "hifazat: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The records `hifazat open --jsonl` writes: one JSON object a line, blank
 * lines skipped (records.c). fn gets each object (the reader frees it) and
 * returns 0 to go on, 1 when it is not a record, or -1 when it failed and
 * said why. The reader names a line that is not JSON, or that fn refused,
 * and stops at it; its line buffer is wiped (case codes and PINs). 0, or
 * -1 with a message written. */
struct json_t;
typedef int (*cli_record_fn)(void *ctx, const char *path, struct json_t *doc);
int cli_records_read(const char *path, cli_record_fn fn, void *ctx);

#endif
