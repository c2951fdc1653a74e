/* Shared by the hash module's files; not part of the public API. */
#ifndef HIFAZAT_HASH_INTERNAL_H
#define HIFAZAT_HASH_INTERNAL_H

#include "hash.h"

#include <stddef.h>

/* The error code for an errno from open(), stat() or readdir(). */
enum hash_err hash_errno_to_err(int e);

/* explicit_bzero + free (accepts NULL), for every buffer that held file
 * bytes or pixels. Tests set hash_free_hook to see each such buffer just
 * before it is freed: it must be all zeros by then. */
void hash_secure_free(void *p, size_t n);
extern void (*hash_free_hook)(const void *p, size_t n);

/* Videos are read once, by the decoder; bytes it reads ahead of the
 * digests are kept up to this many (tests lower it to read gaps at once). */
enum { HASH_HOLD_BUDGET = 16 << 20 };
extern size_t hash_hold_budget;

#endif
