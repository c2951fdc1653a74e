#include "text_internal.h"

#include "codec.h"

#include <stdlib.h>
#include <string.h>

/* The one strict UTF-8 decoder (codec): overlongs, surrogates and code
 * points above U+10FFFF are not valid. */
uint32_t utf8_next(const char *str, size_t len, size_t *i)
{
    uint32_t cp;
    size_t n = codec_utf8_seq((const uint8_t *)str + *i, len - *i, &cp);
    if (n == 0) {               /* never happens on sanitized text */
        (*i)++;
        return 0xFFFD;
    }
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
        uint32_t cp;
        size_t n = codec_utf8_seq(s + i, len - i, &cp);
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
