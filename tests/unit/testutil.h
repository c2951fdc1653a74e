/* Small helpers shared by the C tests. */
#ifndef HIFAZAT_TESTUTIL_H
#define HIFAZAT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* $HIFAZAT_SHARED (set by ctest) joined with a relative path; static buffer. */
const char *shared_path(const char *rel);
/* Whole file in malloc'd memory (NULL if unreadable). */
uint8_t *read_whole(const char *path, size_t *len);
/* Writes a file; 0 / -1. */
int write_whole(const char *path, const void *data, size_t len);
/* A fresh empty directory under $TMPDIR (static buffer), removed by rm_rf. */
const char *make_tmpdir(const char *tag);
void rm_rf(const char *path);
/* Entries in a directory, dot files aside (0 when it cannot be read). */
int count_entries(const char *dir);

/* A notify callback (media's, the device layer's: any thread) that wakes
 * notify_wait(). */
void notify_waiter(void *ctx);
/* Waits until notify_waiter() is called, or ms pass. */
void notify_wait(int ms);
/* Seconds on the monotonic clock. */
double now_s(void);

/* Splits a tab-separated line in place; returns the number of fields. */
int split_tabs(char *line, char **fields, int max);

#endif
