/* codec: the strict UTF-8 sequence decoder (valid forms, and every way a
 * sequence is refused) and hex digits. */
#include "check.h"
#include "codec.h"

#include <string.h>

static size_t seq(const char *s, size_t len, uint32_t *cp)
{
    return codec_utf8_seq((const uint8_t *)s, len, cp);
}

int main(void)
{
    uint32_t cp = 1;
    CHECK(seq("a", 1, &cp) == 1 && cp == 'a', "ASCII");
    CHECK(seq("\xd8\xb3", 2, &cp) == 2 && cp == 0x633, "two bytes (seen): %x", cp);
    CHECK(seq("\xe2\x80\x8f", 3, &cp) == 3 && cp == 0x200f, "three bytes (RLM)");
    CHECK(seq("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600, "four bytes");
    CHECK(seq("\xf4\x8f\xbf\xbf", 4, &cp) == 4 && cp == 0x10ffff, "the last code point");
    static const struct {
        const char *s;
        size_t len;
        const char *why;
    } bad[] = {
        {"\x80", 1, "a lone continuation byte"},
        {"\xff", 1, "no lead byte"},
        {"\xc0\xaf", 2, "overlong"},
        {"\xe0\x80\xaf", 3, "overlong in three"},
        {"\xed\xa0\x80", 3, "a surrogate"},
        {"\xf4\x90\x80\x80", 4, "above U+10FFFF"},
        {"\xd8\x41", 2, "a bad continuation"},
        {"\xd8\xb3", 1, "cut by len"},
        {"\xf0\x9f\x98", 3, "cut by len in four"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cp = 1;
        CHECK(seq(bad[i].s, bad[i].len, &cp) == 0 && cp == 0, "refused: %s", bad[i].why);
    }

    CHECK(codec_hexval('0') == 0 && codec_hexval('9') == 9, "digits");
    CHECK(codec_hexval('a') == 10 && codec_hexval('F') == 15, "letters, either case");
    CHECK(codec_hexval('g') == -1 && codec_hexval('/') == -1 && codec_hexval('\0') == -1,
          "not hex");
    return check_exit();
}
