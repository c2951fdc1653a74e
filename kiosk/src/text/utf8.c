#include "text_internal.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[i] (1..4), or 0 if invalid.
 * Rejects overlongs, surrogates and code points above U+10FFFF. */
static size_t seq_len(const unsigned char *s, size_t len, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > len)
        return 0;
    uint32_t cp = c & (0x7F >> n);
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

uint32_t utf8_next(const char *str, size_t len, size_t *i)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = seq_len(s, len, *i);
    if (n == 0) {               /* never happens on sanitized text */
        (*i)++;
        return 0xFFFD;
    }
    uint32_t cp = s[*i] & (n == 1 ? 0x7F : 0x7F >> n);
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    *i += n;
    return cp;
}

char *utf8_sanitize(const char *str, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = strlen(str);
    /* Worst case: every byte becomes U+FFFD (3 bytes). */
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = seq_len(s, len, i);
        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        if (n == 1) {
            unsigned char c = s[i];
            if (c == '\r') {
                out[o++] = '\n';
                i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
                continue;
            }
            if (c == '\t')
                out[o++] = ' ';
            else if (c == '\n' || (c >= 0x20 && c != 0x7F))
                out[o++] = (char)c;
            i++;
            continue;
        }
        if (n == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0) {   /* C1 controls */
            i += 2;
            continue;
        }
        memcpy(out + o, s + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}
