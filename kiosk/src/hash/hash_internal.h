/* Shared by the hash module's files; not part of the public API. */
#ifndef HIFAZAT_HASH_INTERNAL_H
#define HIFAZAT_HASH_INTERNAL_H

#include "hash.h"

/* The error code for an errno from open(), stat() or readdir(). */
enum hash_err hash_errno_to_err(int e);

#endif
