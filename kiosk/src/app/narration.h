/* The kiosk's spoken guidance and pictograms (narration.c): the guide's
 * clips (guide.h) played through the caller's audio engine, the pictograms
 * drawn through the caller's UI. It owns its own state (the screen it
 * speaks for, the session's switch, the hearing question) and knows nothing
 * of struct app: the app hands it what it needs and tells it about screens.
 *
 * Usage:
 *   1. n = narration_create(&(struct narration_options){.ui, .audio,
 *      .settings, .hearing, .audio_dir, .icon_dir, ...}): loads the clips
 *      into the audio engine and the pictograms; NULL only when memory runs
 *      out (no audio device means silence).
 *   2. On every screen or page change: narration_screen(n, screen, part)
 *      (the app's listener).
 *   3. While a session runs: narration_listen_again(), _event(), _topic(),
 *      _set_on(), _volume_step(), _say_code(), _say_digit(); each frame
 *      narration_hearing_asking() (show the question, answer with
 *      narration_hearing_answer()) and narration_frame_done().
 *   4. A session ends: narration_reset(n).
 *   5. narration_destroy(n) (accepts NULL) before the UI and the audio
 *      engine are destroyed.
 * Every function accepts n == NULL (nothing is said or shown). */
#ifndef HIFAZAT_APP_NARRATION_H
#define HIFAZAT_APP_NARRATION_H

#include <stdbool.h>

struct audio;
struct kiosk_settings;
struct narration;
struct ui_ctx;
struct ui_image;

struct narration_options {
    struct ui_ctx *ui;                       /* pictograms and the UI's voice hook */
    struct audio *audio;                     /* the caller's; outlives the narration */
    /* English narration and the defaults a session starts with (volume,
     * on/off); read when used, so staff changes count at once */
    const struct kiosk_settings *settings;
    /* Where the answer to the hearing question is kept (enum
     * session_hearing): the session's, wiped with it. */
    int *hearing;
    const char *audio_dir, *icon_dir;
    bool quiet;                              /* no messages on stderr */
    /* What narration shows changed (the hearing question): redraw. */
    void (*changed)(void *ctx);
    void *ctx;
};

struct narration *narration_create(const struct narration_options *o);
void narration_destroy(struct narration *n);
/* The screen or its page changed (stable names, guide.h). */
void narration_screen(struct narration *n, const char *screen, const char *part);
/* A device is open (the listen and volume controls are shown). */
bool narration_available(const struct narration *n);
void narration_listen_again(struct narration *n);
/* The screen's narration again, not asked for by the person (the language
 * changed): a sensitive screen the person said people could hear stays silent. */
void narration_say_screen(struct narration *n);
/* Says an event's clip (guide.h GUIDE_CLIP_*) when audio is on. */
void narration_event(struct narration *n, const char *clip);
/* The screen's subject changed (Connect: the state a phone is in): Listen
 * again says this clip (a guide clip name, static) instead of the screen's
 * own until the screen changes or it is set to NULL; say: also now (when
 * audio is on). */
void narration_topic(struct narration *n, const char *clip, bool say);
/* This session's switch (the welcome screen's). */
void narration_set_on(struct narration *n, bool on);
bool narration_is_on(const struct narration *n);
void narration_volume_step(struct narration *n, int delta);
int narration_volume(const struct narration *n);
/* Speaks a case code and PIN one character at a time, twice, slowly. */
int narration_say_code(struct narration *n, const char *code, const char *pin);
/* One typed digit of a case code or secret number (sensitive: said only
 * into headphones or after the person said no one near could hear; never
 * asks). */
void narration_say_digit(struct narration *n, char c);
/* A session ends: audio back to the kiosk's defaults, nothing remembered. */
void narration_reset(struct narration *n);
void narration_frame_done(struct narration *n);
struct ui_image *narration_pictogram(const struct narration *n, const char *icon);
struct ui_image *narration_step_pictogram(const struct narration *n);
/* Narration of sensitive screens (guide_screen_sensitive: the nudity
 * question, the case code) plays only into headphones or after the person
 * said no one near could hear. Until then it asks (dialog_hearing.c):
 * narration_hearing_asking() is true while the question should show, and
 * the answer goes to narration_hearing_answer() (kept where
 * narration_options.hearing points). It returns true when the question was
 * asked before the case code was said: the caller says it now
 * (narration_say_code). */
bool narration_hearing_asking(const struct narration *n);
bool narration_hearing_answer(struct narration *n, bool alone);

#endif
