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

/* Decoding happens in the sandbox (sandbox.h, hifazat-decode) unless this
 * is true: only in the decoder itself and in the fuzzers, which call the
 * decoders directly. Never set it in the kiosk or the CLI. */
extern bool hash_in_process;

/* Decode + PDQ in this process (what the sandbox's child runs). */
int hash_image_inprocess(struct hash_ctx *ctx, const uint8_t *data, size_t len,
                         struct hash_result *res);

/* The same, and vpdq_hash_reader(), in a fresh sandboxed child. */
int hash_sandbox_image(const struct hash_options *opt, const uint8_t *data, size_t len,
                       struct hash_result *res);
int hash_sandbox_video(const struct hash_options *opt, const struct vpdq_reader *rd,
                       const struct vpdq_options *o, struct vpdq_result **out,
                       struct vpdq_error *err);

#endif
