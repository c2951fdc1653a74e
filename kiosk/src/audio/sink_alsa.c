/* Where the sound goes, as ALSA can tell (audio.h, audio_sink_alsa).
 *
 * What can be told: a USB or Bluetooth headset that is the default output
 * names itself ("USB Headset", "... Headphones"); the analogue jack of most
 * PC sound chips (Intel HDA and others) has a jack-sense control, a boolean
 * named "Headphone Jack" (or "Front Headphone Jack", "Headphone Mic Jack")
 * that is on while a plug is in, and the chip then mutes its speakers.
 * What cannot: a headset whose name does not say so, a jack without sense
 * (many USB sound cards, some HDMI monitors' outputs), speakers plugged into
 * a headphone jack, or which output a sound server chose. Those read as
 * "cannot tell", and the narration asks the person instead. */
#include "audio.h"

#include <alsa/asoundlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool has(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; s && *s; s++)
        if (!strncasecmp(s, word, n))
            return true;
    return false;
}

static bool names_headphones(const char *device)
{
    static const char *const words[] = {"headphone", "headset", "earphone", "earbud"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (has(device, words[i]))
            return true;
    return false;
}

/* A jack-sense control of a headphone output ("Headphone Jack", "Front
 * Headphone Jack", "Headphone Mic Jack"); not "Line Out Jack" or HDMI. */
static bool headphone_jack(const char *name)
{
    size_t n = strlen(name);
    return has(name, "headphone") && n >= 5 && !strcmp(name + n - 5, " Jack");
}

/* 1 plugged in, 0 a jack control says not, -1 this card has none. */
static int card_jacks(int card)
{
    char hw[32];
    snprintf(hw, sizeof hw, "hw:%d", card);
    snd_ctl_t *ctl;
    if (snd_ctl_open(&ctl, hw, SND_CTL_NONBLOCK) < 0)
        return -1;
    int res = -1;
    snd_ctl_elem_list_t *list;
    snd_ctl_elem_id_t *id;
    snd_ctl_elem_value_t *val;
    snd_ctl_elem_list_alloca(&list);
    snd_ctl_elem_id_alloca(&id);
    snd_ctl_elem_value_alloca(&val);
    if (snd_ctl_elem_list(ctl, list) == 0) {
        unsigned n = snd_ctl_elem_list_get_count(list);
        if (n && snd_ctl_elem_list_alloc_space(list, n) == 0) {
            if (snd_ctl_elem_list(ctl, list) == 0)
                for (unsigned i = 0; i < snd_ctl_elem_list_get_used(list) && res < 1; i++) {
                    if (snd_ctl_elem_list_get_interface(list, i) != SND_CTL_ELEM_IFACE_CARD ||
                        !headphone_jack(snd_ctl_elem_list_get_name(list, i)))
                        continue;
                    snd_ctl_elem_list_get_id(list, i, id);
                    snd_ctl_elem_value_set_id(val, id);
                    if (snd_ctl_elem_read(ctl, val) == 0)
                        res = snd_ctl_elem_value_get_boolean(val, 0) ? 1 : 0;
                }
            snd_ctl_elem_list_free_space(list);
        }
    }
    snd_ctl_close(ctl);
    return res;
}

static enum audio_sink detect(void *ctx, const char *device)
{
    (void)ctx;
    if (names_headphones(device))
        return AUDIO_SINK_HEADPHONES;
    int card = -1, seen = -1;
    while (snd_card_next(&card) == 0 && card >= 0) {
        int r = card_jacks(card);
        if (r == 1)
            return AUDIO_SINK_HEADPHONES;
        if (r == 0)
            seen = 0;
    }
    return seen == 0 ? AUDIO_SINK_ROOM : AUDIO_SINK_UNKNOWN;
}

const struct audio_sink_backend audio_sink_alsa = {.name = "alsa", .detect = detect, .ctx = NULL};
