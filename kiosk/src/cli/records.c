/* The one reader of what `hifazat open --jsonl` writes (cli.h), for
 * `hifazat open --records` and `hifazat receipts`. */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_records_read(const char *path, cli_record_fn fn, void *ctx)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long no = 0;
    int rc = -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        no++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        json_t *doc = json_loadb(line, (size_t)len, 0, NULL);
        int a = doc ? fn(ctx, path, doc) : 1;
        json_decref(doc);
        if (a > 0)
            cli_error("%s line %lu: not a record of `hifazat open --jsonl`", path, no);
        if (a != 0)
            goto out;
    }
    rc = 0;
out:
    if (line) {
        sodium_memzero(line, cap); /* case codes and PINs */
        free(line);
    }
    fclose(f);
    return rc;
}
