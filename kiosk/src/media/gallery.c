/* The gallery's albums: where phones keep their pictures, as their own
 * gallery apps group them, and where the gallery's walk looks first.
 * Paths are below a storage's top (a phone's internal storage, its memory
 * card, a USB stick); folder names are compared without case, as the FAT
 * and exFAT cards they often live on do. */
#include "media_internal.h"

#include <string.h>
#include <strings.h>

/* rel is place or lies below it. */
static bool under(const char *rel, const char *place)
{
    const size_t n = strlen(place);
    return !strncasecmp(rel, place, n) && (rel[n] == 0 || rel[n] == '/');
}

/* WhatsApp's media folders: Android 11 and later keep them in the app's
 * media folder, older phones (and phones moved over) at the top; WhatsApp
 * Business the same with its own names. */
static const char *const whatsapp_media[] = {
    "Android/media/com.whatsapp/WhatsApp/Media",
    "WhatsApp/Media",
    "Android/media/com.whatsapp.w4b/WhatsApp Business/Media",
    "WhatsApp Business/Media",
    NULL,
};

static const char *const whatsapp_images[] = {"WhatsApp Images", "WhatsApp Business Images", NULL};
/* Animated GIFs are short MP4 videos. */
static const char *const whatsapp_video[] = {"WhatsApp Video", "WhatsApp Business Video",
                                             "WhatsApp Animated Gifs", "WhatsApp Business Animated Gifs",
                                             NULL};

static const char *const screenshots[] = {"Pictures/Screenshots", "DCIM/Screenshots", "Screenshots", NULL};
/* Telegram's own folders, and where it saves to the gallery. */
static const char *const telegram[] = {"Telegram", "Android/media/org.telegram.messenger/Telegram",
                                       "Pictures/Telegram", "Movies/Telegram", NULL};
static const char *const downloads[] = {"Download", "Downloads", NULL};

static bool under_any(const char *rel, const char *const *places)
{
    for (int i = 0; places[i]; i++)
        if (under(rel, places[i]))
            return true;
    return false;
}

/* The WhatsApp album of rel, or -1. */
static int whatsapp_album(const char *rel)
{
    for (int i = 0; whatsapp_media[i]; i++) {
        const size_t n = strlen(whatsapp_media[i]);
        if (!under(rel, whatsapp_media[i]) || rel[n] != '/')
            continue;
        const char *sub = rel + n + 1;
        if (under_any(sub, whatsapp_images))
            return MEDIA_ALBUM_WHATSAPP_IMAGES;
        if (under_any(sub, whatsapp_video))
            return MEDIA_ALBUM_WHATSAPP_VIDEO;
    }
    return -1;
}

enum media_album media_album_of(const char *rel)
{
    if (!rel)
        return MEDIA_ALBUM_OTHER;
    while (*rel == '/')
        rel++;
    if (under_any(rel, screenshots))
        return MEDIA_ALBUM_SCREENSHOTS;
    if (under(rel, "DCIM"))
        return MEDIA_ALBUM_CAMERA; /* Camera, 100APPLE, 100ANDRO, OpenCamera... */
    const int wa = whatsapp_album(rel);
    if (wa >= 0)
        return (enum media_album)wa;
    if (under_any(rel, telegram))
        return MEDIA_ALBUM_TELEGRAM;
    if (under_any(rel, downloads))
        return MEDIA_ALBUM_DOWNLOADS;
    return MEDIA_ALBUM_OTHER;
}

static const struct {
    const char *place;
    int rank;
} first_places[] = {
    {"DCIM", 0},
    {"Pictures", 1},
    {"Android/media/com.whatsapp/WhatsApp/Media", 2},
    {"WhatsApp/Media", 2},
    {"Android/media/com.whatsapp.w4b/WhatsApp Business/Media", 2},
    {"WhatsApp Business/Media", 2},
    {"Download", 3},
    {"Downloads", 3},
    {"Telegram", 4},
    {"Android/media/org.telegram.messenger/Telegram", 4},
    {"Movies", 5},
};

int media_walk_rank(const char *rel)
{
    if (!rel[0])
        return 0;
    int best = 9;
    for (size_t i = 0; i < sizeof(first_places) / sizeof(first_places[0]); i++) {
        const char *p = first_places[i].place;
        /* Inside a likely place, or on the way to one (Android, Android/media). */
        if ((under(rel, p) || under(p, rel)) && first_places[i].rank < best)
            best = first_places[i].rank;
    }
    return best;
}
