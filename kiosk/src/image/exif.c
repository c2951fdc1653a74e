#include "image_decoder.h"

#include <libexif/exif-data.h>
#include <stdlib.h>
#include <string.h>

int exif_orientation(const uint8_t *data, size_t len)
{
    if (!data || len < 8 || len > 0x7fffffff)
        return 1;
    /* libexif wants the "Exif\0\0" prefix (JPEG APP1 layout). */
    static const uint8_t prefix[6] = {'E', 'x', 'i', 'f', 0, 0};
    ExifData *ed = NULL;
    if (len >= 6 && memcmp(data, prefix, 6) == 0) {
        ed = exif_data_new_from_data(data, (unsigned int)len);
    } else if (len <= (64u << 10)) { /* an EXIF block fits one JPEG segment */
        uint8_t *buf = malloc(len + 6);
        if (buf) {
            memcpy(buf, prefix, 6);
            memcpy(buf + 6, data, len);
            ed = exif_data_new_from_data(buf, (unsigned int)len + 6);
            free(buf);
        }
    }
    if (!ed)
        return 1;
    int orientation = 1;
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data && e->size >= 2) {
        int v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            orientation = v;
    }
    exif_data_unref(ed);
    return orientation;
}
