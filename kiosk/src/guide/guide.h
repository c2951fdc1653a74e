/* Guide: the design of the spoken guidance and the pictograms, as data.
 *
 * Every screen (and page) has a narration clip and, where the design says
 * so, a step pictogram; every label a person can choose has a clip of its
 * own and, for answers, a pictogram. Texts are gettext msgids: the Urdu
 * (and English) said aloud is the .po's msgstr, so translations and audio
 * stay in step. Clip names are stable ("screen.questions.age",
 * "say.start", "char.K"): a recorded human voice in assets/audio/<lang>/
 * <clip>.opus (or .wav) replaces the generated one without code changes.
 *
 * Usage:
 *  1. guide_screen_find("questions", "age") -> clip, text and pictogram.
 *  2. guide_string_find_label(label) -> the string whose translation in the
 *     current language is label (what the UI showed), or NULL.
 *  3. guide_char_clip('K') -> "char.K", for a case code spoken one character
 *     at a time.
 *  4. guide_device_find("charging_only") -> what to do with a phone in that
 *     state: heading, numbered steps with pictograms, clip.
 *  5. guide_screen_sensitive(g): its narration names intimate pictures or
 *     says a case code, so it is said only where no one else can hear
 *     (after the person said so, or into headphones: app/narration.c).
 *  6. guide_each_clip() lists every clip with its msgid (the generator,
 *     hifazat-guide-texts, and the tests walk it). */
#ifndef HIFAZAT_GUIDE_H
#define HIFAZAT_GUIDE_H

#include <stdbool.h>
#include <stddef.h>

struct guide_screen {
    const char *screen, *part;   /* app screen id and page ("" for one page) */
    const char *clip;            /* "screen.<screen>[.<part>]" */
    const char *text;            /* msgid said on entry and by "Listen again" */
    const char *icon;            /* step pictogram (assets/icons/<icon>.svg), or NULL */
};

struct guide_string {
    const char *clip;            /* "say.<id>" */
    const char *text;            /* the label's msgid, exactly as the screen shows it */
    const char *icon;            /* answer pictogram, or NULL */
};

extern const struct guide_screen guide_screens[];
extern const size_t guide_nscreens;
extern const struct guide_string guide_strings[];
extern const size_t guide_nstrings;

const struct guide_screen *guide_screen_find(const char *screen, const char *part);
/* Said only where no one else can hear (the nudity question, the case code). */
bool guide_screen_sensitive(const struct guide_screen *g);
/* Label as shown (translated in the current gettext language); a count in
 * brackets after it ("Next (12)") is ignored. */
const struct guide_string *guide_string_find_label(const char *label);
const struct guide_string *guide_string_find_text(const char *msgid);

/* Clip of one case-code character (0-9, A-Z, '-' is a pause: NULL). */
const char *guide_char_clip(char c);
/* Words around a spoken code. */
#define GUIDE_CLIP_CODE_IS "code.case_code"
#define GUIDE_CLIP_PIN_IS "code.pin"
#define GUIDE_CLIP_AGAIN "code.again"
/* Said when something happens on a screen, not on entry. */
#define GUIDE_CLIP_DEVICE_FOUND "event.device_found"   /* Connect: a device appeared */
#define GUIDE_CLIP_SOME_FAILED "event.some_failed"     /* Fingerprinting: some files failed */
#define GUIDE_CLIP_NONE_MADE "event.none_made"         /* Fingerprinting: none could be made */
#define GUIDE_CLIP_DEVICE_REMOVED "event.device_removed" /* Fingerprinting: the phone or card went */
#define GUIDE_CLIP_DEVICE_BACK "event.device_back"       /* Fingerprinting: it is back, Try again */

/* ---- a phone that cannot be read yet ----
 * What a person sees and hears about a phone in each state (Connect, and
 * Fingerprinting when the cable was pulled and the phone comes back): a
 * heading, numbered steps each with its own pictogram, a note, and a clip
 * that says all of it. Keyed by device_state_name() ("charging_only"). */
#define GUIDE_MAX_STEPS 4
struct guide_step {
    const char *text;            /* msgid shown beside its pictogram */
    const char *icon;            /* assets/icons/<icon>.svg */
    const char *shows[2];        /* what the phone itself shows, as it shows it (in English,
                                    not translated: "File transfer"), or NULL */
};
struct guide_device {
    const char *state;           /* device_state_name(): "connecting", "charging_only", ... */
    const char *clip;            /* "device.<state>": said when the state appears */
    const char *say;             /* msgid said (the heading and every step) */
    const char *title;           /* msgid: the heading (short: one line as a page title) */
    const char *note;            /* msgid under the steps, or NULL */
    const char *icon;            /* the state in one picture (a short row), or NULL */
    int nsteps;
    struct guide_step steps[GUIDE_MAX_STEPS];
};
extern const struct guide_device guide_devices[];
extern const size_t guide_ndevices;
/* NULL for "ready" and unknown states. */
const struct guide_device *guide_device_find(const char *state);

/* Every clip, in a stable order: fn(ctx, clip, msgid, slow) where slow
 * marks characters (spoken slowly, one at a time). */
void guide_each_clip(void (*fn)(void *ctx, const char *clip, const char *msgid, bool slow),
                     void *ctx);
/* Every pictogram named by the design (each once). */
void guide_each_icon(void (*fn)(void *ctx, const char *icon), void *ctx);

#endif
