/* codec — the small decoders several modules need, kept once: one UTF-8
 * sequence (strict) and one hex digit. No allocation, no state, no errors
 * beyond "not valid".
 *
 * Usage:
 *   1. size_t n = codec_utf8_seq(s, len, &cp): 0 means "not valid UTF-8 here"
 *      (the caller shows U+FFFD and moves one byte on), else cp is the code
 *      point and n (1..4) its length.
 *   2. int v = codec_hexval(c): 0..15, or -1 for a character that is not a
 *      hex digit (either case). */
#ifndef HIFAZAT_CODEC_H
#define HIFAZAT_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* The valid UTF-8 sequence at s (len > 0 bytes readable): its length 1..4
 * with *cp set, or 0 (a bad lead or continuation byte, a sequence cut by
 * len, an overlong form, a surrogate or a code point above U+10FFFF). */
size_t codec_utf8_seq(const uint8_t *s, size_t len, uint32_t *cp);

int codec_hexval(char c);

#endif
