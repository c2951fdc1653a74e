/* The hifazat command-line tool: one file per command. */
#ifndef HIFAZAT_CLI_H
#define HIFAZAT_CLI_H

/* Exit codes shared by every command. */
enum {
    CLI_OK = 0,
    CLI_SOME_FAILED = 1,
    CLI_USAGE = 2,
};

int cmd_hash(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_queue(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_open(int argc, char **argv);
int cmd_staff_pin(int argc, char **argv);

/* Prints "hifazat: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
