/* What a person sees about a phone that cannot be read yet, on Connect and
 * on Fingerprinting once the cable was pulled and the phone comes back: the
 * guide's heading for its state, then numbered steps each beside its own
 * pictogram, with what the phone itself shows in its own (English) words
 * as it shows them ("File transfer"), then a note (guide.h guide_devices:
 * unlock, pull down, touch the USB message, choose "File transfer" ...);
 * or one short row (the state's pictogram, the heading, the phone's name)
 * when another device has the big explanation. Nothing here can be
 * pressed: a phone is chosen only once it is READY.
 *
 * Usage: h = device_help(a, ui, r, v, flags, true) measures at r.w; then
 * device_help(a, ui, r, v, flags, false) draws it at r (r.h = h). */
#ifndef HIFAZAT_DEVICE_HELP_H
#define HIFAZAT_DEVICE_HELP_H

#include "screen_util.h"

enum device_help_flags {
    DEVICE_HELP_COMPACT = 1u << 0, /* one row: the state's pictogram, its heading */
    DEVICE_HELP_HEADING = 1u << 1, /* the steps under their heading (else the page title says it) */
    DEVICE_HELP_NOTE = 1u << 2,    /* the note under the steps ("this screen changes by itself") */
    DEVICE_HELP_NAME = 1u << 3,    /* the phone's name (several devices on the screen) */
    DEVICE_HELP_DENSE = 1u << 4,   /* smaller pictures and words (short of room) */
};

/* The height the help for v takes at r.w; drawn at r unless measure_only.
 * A phone being opened shows a gentle wait indicator (it asks for frames). */
int device_help(struct app *a, struct ui_ctx *ui, struct ui_rect r, const struct device_info *v,
                unsigned flags, bool measure_only);
/* The heading of state s, translated (a page title: one short line), or
 * NULL for READY. */
const char *device_help_title(enum device_state s);
/* The clip said when a phone enters state s (NULL: READY, or nothing to say). */
const char *device_help_clip(enum device_state s);

#endif
