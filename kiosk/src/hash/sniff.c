/* What a file is, from its first bytes only: names and extensions lie. */
#include "hash.h"

#include <string.h>

static bool at(const uint8_t *d, size_t len, size_t off, const void *magic, size_t n)
{
    return len >= off + n && memcmp(d + off, magic, n) == 0;
}

static const char *bmff_video(const uint8_t *d, size_t len)
{
    /* ISO base media ("ftyp" box): MP4, MOV, 3GP. HEIF images share the box
     * and were claimed by image_sniff() already. */
    if (at(d, len, 4, "ftyp", 4) && len >= 12) {
        const uint8_t *brand = d + 8;
        /* Audio in the same box (voice notes, music): not a video. */
        if (!memcmp(brand, "M4A ", 4) || !memcmp(brand, "M4B ", 4) || !memcmp(brand, "M4P ", 4) ||
            !memcmp(brand, "F4A ", 4) || !memcmp(brand, "F4B ", 4))
            return NULL;
        if (!memcmp(brand, "qt  ", 4))
            return "mov";
        if (!memcmp(brand, "3gp", 3) || !memcmp(brand, "3g2", 3))
            return "3gp";
        return "mp4";
    }
    /* Old QuickTime files start straight with an atom. */
    static const char *const atoms[] = {"moov", "mdat", "wide", "free", "skip", "pnot"};
    for (size_t i = 0; i < sizeof(atoms) / sizeof(atoms[0]); i++)
        if (at(d, len, 4, atoms[i], 4))
            return "mov";
    return NULL;
}

static const char *video_format(const uint8_t *d, size_t len)
{
    const char *f = bmff_video(d, len);
    if (f)
        return f;
    if (at(d, len, 0, "\x1a\x45\xdf\xa3", 4)) {
        /* EBML: the DocType element says webm or matroska. */
        size_t n = len < 64 ? len : 64;
        for (size_t i = 0; i + 4 <= n; i++)
            if (!memcmp(d + i, "webm", 4))
                return "webm";
        return "mkv";
    }
    if (at(d, len, 0, "RIFF", 4) && at(d, len, 8, "AVI ", 4))
        return "avi";
    if (at(d, len, 0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11", 8))
        return "asf";
    if (at(d, len, 0, "FLV\x01", 4))
        return "flv";
    if (at(d, len, 0, "\x00\x00\x01\xba", 4))
        return "mpeg";
    /* MPEG transport stream: a sync byte every 188 bytes. */
    if (len >= 188 * 3 && d[0] == 0x47 && d[188] == 0x47 && d[376] == 0x47)
        return "mpegts";
    return NULL;
}

enum hash_kind hash_sniff(const uint8_t *data, size_t len, const char **format)
{
    enum image_format img = image_sniff(data, len);
    /* PNM is for test vectors; it is an image we decode, not one phones make. */
    if (img != IMAGE_FORMAT_NONE) {
        *format = image_format_name(img);
        return HASH_KIND_IMAGE;
    }
    const char *v = video_format(data, len);
    if (v) {
        *format = v;
        return HASH_KIND_VIDEO;
    }
    *format = "unknown";
    return HASH_KIND_OTHER;
}
