/* Audio: spoken guidance, played through SDL2's audio API.
 *
 * Clips are Ogg Opus files held in memory as they are on disk (a few KB
 * each) and decoded by libopusfile inside SDL's audio callback as they
 * play: nothing is decoded ahead, so a clip starts within one device
 * buffer of being asked for, and nothing is ever written anywhere.
 *
 * Usage:
 *  1. struct audio *au = audio_create(driver, err, sizeof err);
 *     driver NULL: $SDL_AUDIODRIVER or SDL's choice. NULL only when memory
 *     runs out. No audio device is not an error: audio_available() is false,
 *     everything below still works and is silent (a kiosk without speakers
 *     must never show a person an audio error).
 *  2. audio_load_dir(au, "ur", dir): every <dir>/<name>.opus becomes the
 *     clip "ur/<name>" (a later load of the same name replaces it).
 *  3. audio_play(au, items, n): stops what plays and plays the clips in
 *     order, each after its own silence (gap_ms). Clips not loaded are
 *     skipped; -1 if none of them is.
 *  4. audio_set_volume(au, 0..100), audio_stop(au) (also forgets what was
 *     played: a spoken case code leaves nothing behind), audio_destroy(au)
 *     (accepts NULL).
 *  5. audio_sink(au): where the sound is heard. AUDIO_SINK_HEADPHONES only
 *     when a backend can tell headphones are plugged in; AUDIO_SINK_ROOM
 *     when it can tell they are not; AUDIO_SINK_UNKNOWN otherwise (treat it
 *     as the room). The backend is ALSA's (audio_sink_alsa, sink_alsa.c) unless
 *     audio_set_sink_backend() gave another (tests: a double).
 * Tests and benchmarks: audio_asked() is what the last audio_play() asked
 * for; audio_stats() counts clips that really started (first sample taken
 * by the device) and the time from audio_play() to that first sample. */
#ifndef HIFAZAT_AUDIO_H
#define HIFAZAT_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audio;

struct audio_item {
    const char *clip;      /* "ur/screen.welcome" */
    int gap_ms;            /* silence before it */
};

struct audio *audio_create(const char *driver, char *err, size_t errlen);
void audio_destroy(struct audio *au);
/* A device is open (false: everything is silent). */
bool audio_available(const struct audio *au);
/* The device's audio driver ("pulseaudio", "alsa", "dummy"), or "none". */
const char *audio_driver(const struct audio *au);

/* Clips: 0 / -1 (unreadable file, not Ogg Opus: a developer message in err). */
int audio_load(struct audio *au, const char *name, const char *path, char *err, size_t errlen);
/* Loads every *.opus in dir as "<prefix>/<name>"; returns the number loaded. */
int audio_load_dir(struct audio *au, const char *prefix, const char *dir);
bool audio_has(const struct audio *au, const char *name);
/* Total bytes of the clips held in memory. */
size_t audio_bytes(const struct audio *au);
/* A clip's length in ms (decoded once to count), or -1. */
int audio_clip_ms(const struct audio *au, const char *name);

int audio_play(struct audio *au, const struct audio_item *items, int n);
int audio_play1(struct audio *au, const char *clip);
void audio_stop(struct audio *au);
/* True while a sequence is playing (or waiting in a gap). */
bool audio_playing(const struct audio *au);
void audio_set_volume(struct audio *au, int volume);
int audio_volume(const struct audio *au);

/* The first clip the last audio_play() asked for ("" after audio_stop()). */
const char *audio_asked(const struct audio *au);

struct audio_stats {
    uint64_t plays;              /* audio_play() calls that found a clip */
    uint64_t started;            /* clips whose first sample the device took */
    char last_started[64];       /* the last of them */
    double first_sample_ms;      /* audio_play() to its first sample (-1: not yet) */
    uint64_t samples;            /* samples of speech handed to the device */
};
void audio_stats(const struct audio *au, struct audio_stats *st);

/* ---- where the sound goes (narration of sensitive screens: app/narration.c) */
enum audio_sink { AUDIO_SINK_UNKNOWN = -1, AUDIO_SINK_ROOM = 0, AUDIO_SINK_HEADPHONES = 1 };
struct audio_sink_backend {
    const char *name;
    /* device: the name of the output SDL plays to ("" when SDL does not say). */
    enum audio_sink (*detect)(void *ctx, const char *device);
    void *ctx;
};
/* ALSA: a headset's own device name ("USB Headset"), else the jack-sense
 * controls of every sound card ("Headphone Jack", "Front Headphone Jack"). */
extern const struct audio_sink_backend audio_sink_alsa;
/* NULL: back to ALSA's. The backend must outlive au. */
void audio_set_sink_backend(struct audio *au, const struct audio_sink_backend *b);
/* UNKNOWN when no device is open (nothing is heard anyway). */
enum audio_sink audio_sink(const struct audio *au);
/* The output device's name ("" when SDL does not say). */
const char *audio_device_name(const struct audio *au);

#endif
