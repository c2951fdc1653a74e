/* The audio module (spoken guidance) on SDL's dummy audio driver, which takes
 * samples from the callback in real time: clips asked for and really
 * started, sequences with gaps, missing and damaged clips, a stereo human
 * recording, volume, no device at all (silent, never an error),
 * audio_stop() forgetting what was played, and where the sound goes
 * (headphones or the room) through a test backend and the real ALSA one. */
#include "audio.h"
#include "check.h"
#include "testutil.h"

#include <SDL.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *audio_dir;

static bool wait_started(struct audio *au, const char *clip, uint64_t at_least, int ms)
{
    Uint32 t0 = SDL_GetTicks();
    for (;;) {
        struct audio_stats st;
        audio_stats(au, &st);
        if (st.started >= at_least && (!clip || !strcmp(st.last_started, clip)))
            return true;
        if (SDL_GetTicks() - t0 > (Uint32)ms)
            return false;
        SDL_Delay(5);
    }
}

static bool wait_quiet(struct audio *au, int ms)
{
    Uint32 t0 = SDL_GetTicks();
    while (audio_playing(au)) {
        if (SDL_GetTicks() - t0 > (Uint32)ms)
            return false;
        SDL_Delay(10);
    }
    return true;
}

static void test_play(void)
{
    char err[512];
    struct audio *au = audio_create(NULL, err, sizeof err);
    REQUIRE(au, "audio_create");
    CHECK(audio_available(au), "dummy device open: %s", err);
    CHECK(!strcmp(audio_driver(au), "dummy"), "driver %s", audio_driver(au));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/ur", audio_dir);
    int n = audio_load_dir(au, "ur", dir);
    CHECK(n >= 80, "Urdu clips loaded: %d", n);
    CHECK(audio_has(au, "ur/screen.welcome") && audio_has(au, "ur/char.K"), "clips by name");
    CHECK(!audio_has(au, "ur/nope") && !audio_has(au, "screen.welcome"), "only those");
    CHECK(audio_bytes(au) > 10000, "bytes held: %zu", audio_bytes(au));
    int ms = audio_clip_ms(au, "ur/say.yes");
    CHECK(ms > 100 && ms < 3000, "'yes' lasts %d ms", ms);

    /* One clip: asked at once, started by the device soon after. */
    CHECK(audio_play1(au, "ur/say.yes") == 0, "play");
    CHECK(!strcmp(audio_asked(au), "ur/say.yes"), "asked %s", audio_asked(au));
    CHECK(wait_started(au, "ur/say.yes", 1, 10000), "the clip started");
    struct audio_stats st;
    audio_stats(au, &st);
    /* Only that it was measured: how soon is bench_audio's business (a
     * loaded CI machine under ASan may take any time). */
    CHECK(st.first_sample_ms >= 0, "first sample after %.1f ms", st.first_sample_ms);
    CHECK(wait_quiet(au, 5000), "the clip ended");
    audio_stats(au, &st);
    /* Every sample of it went to the device (48 kHz). */
    CHECK(st.samples >= (uint64_t)ms * 48 - 48 * 30, "samples %llu for %d ms",
          (unsigned long long)st.samples, ms);

    /* A sequence: missing clips are skipped, the rest play in order. */
    struct audio_item seq[] = {{"ur/nope", 0}, {"ur/char.K", 0}, {"ur/char.7", 200}};
    CHECK(audio_play(au, seq, 3) == 0, "sequence");
    CHECK(!strcmp(audio_asked(au), "ur/char.K"), "first found clip asked: %s", audio_asked(au));
    CHECK(wait_started(au, "ur/char.7", st.started + 2, 5000), "both characters played");
    CHECK(wait_quiet(au, 5000), "sequence ended");
    struct audio_item none[] = {{"ur/nope", 0}, {"xx/char.K", 0}};
    CHECK(audio_play(au, none, 2) == -1, "nothing to play: -1");
    CHECK(!audio_playing(au), "and nothing plays");

    /* A new clip interrupts the one playing. */
    audio_play1(au, "ur/screen.welcome");
    CHECK(wait_started(au, "ur/screen.welcome", 1, 10000), "long clip started");
    audio_play1(au, "ur/say.no");
    CHECK(wait_started(au, "ur/say.no", 1, 10000), "interrupted by another");
    CHECK(wait_quiet(au, 3000), "the long one did not go on after it");

    /* Volume: clamped; silence still plays through (the sequence moves on). */
    audio_set_volume(au, 150);
    CHECK(audio_volume(au) == 100, "clamped high");
    audio_set_volume(au, -3);
    CHECK(audio_volume(au) == 0, "clamped low");
    audio_play1(au, "ur/say.yes");
    CHECK(wait_quiet(au, 3000), "muted clip still ends");

    /* Stop forgets what was asked and played (a case code leaves nothing). */
    audio_play1(au, "ur/char.Q");
    wait_started(au, "ur/char.Q", 1, 2000);
    audio_stop(au);
    audio_stats(au, &st);
    CHECK(!audio_playing(au) && !*audio_asked(au) && !*st.last_started, "stop forgets");
    audio_destroy(au);
    audio_destroy(NULL);
}

static void test_files(void)
{
    char err[512];
    struct audio *au = audio_create(NULL, err, sizeof err);
    REQUIRE(au, "audio_create");
    const char *tmp = make_tmpdir("audio");
    char p[4096];
    /* Not Ogg Opus: refused with a developer message. */
    snprintf(p, sizeof p, "%s/bad.opus", tmp);
    write_whole(p, "OggS but not really an opus file at all", 40);
    err[0] = '\0';
    CHECK(audio_load(au, "t/bad", p, err, sizeof err) == -1 && strstr(err, "not an Ogg Opus"),
          "garbage refused: %s", err);
    CHECK(audio_load(au, "t/none", "/nonexistent/x.opus", err, sizeof err) == -1, "missing file");
    /* A truncated real clip: whatever loads plays without harm. */
    char src[4096];
    snprintf(src, sizeof src, "%s/ur/screen.welcome.opus", audio_dir);
    size_t len = 0;
    uint8_t *data = read_whole(src, &len);
    REQUIRE(data && len > 4000, "read a clip");
    /* Clips are held as they are on disk: 100 of them cost about 100 times
     * the file in heap, not a 64 KB buffer each (glibc's count; an ASan
     * build has its own allocator and reports nothing). */
    {
        struct mallinfo2 m0 = mallinfo2();
        int loaded = 0;
        for (int i = 0; i < 100; i++) {
            char name[32];
            snprintf(name, sizeof name, "t/m%d", i);
            loaded += audio_load(au, name, src, err, sizeof err) == 0;
        }
        struct mallinfo2 m1 = mallinfo2();
        size_t grew = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd);
        CHECK(loaded == 100, "100 clips loaded (%d)", loaded);
        if (m0.uordblks)
            CHECK(grew < 100 * (len + 512), "100 clips of %zu bytes took %zu bytes of heap", len, grew);
    }
    snprintf(p, sizeof p, "%s/cut.opus", tmp);
    write_whole(p, data, 3000);
    if (audio_load(au, "t/cut", p, err, sizeof err) == 0) {
        audio_play1(au, "t/cut");
        CHECK(wait_quiet(au, 5000), "a cut clip ends");
    }
    free(data);
    /* A stereo human recording (opusenc of a WAV made here): mixed to mono. */
    snprintf(p, sizeof p, "%s/st.wav", tmp);
    {
        int rate = 48000, frames = rate / 2;
        size_t bytes = (size_t)frames * 4;
        uint8_t *w = calloc(1, 44 + bytes);
        REQUIRE(w, "oom");
        memcpy(w, "RIFF", 4);
        uint32_t v = (uint32_t)(36 + bytes);
        memcpy(w + 4, &v, 4);
        memcpy(w + 8, "WAVEfmt ", 8);
        v = 16;
        memcpy(w + 16, &v, 4);
        uint16_t s16 = 1;
        memcpy(w + 20, &s16, 2);
        s16 = 2;
        memcpy(w + 22, &s16, 2);
        v = (uint32_t)rate;
        memcpy(w + 24, &v, 4);
        v = (uint32_t)rate * 4;
        memcpy(w + 28, &v, 4);
        s16 = 4;
        memcpy(w + 32, &s16, 2);
        s16 = 16;
        memcpy(w + 34, &s16, 2);
        memcpy(w + 36, "data", 4);
        v = (uint32_t)bytes;
        memcpy(w + 40, &v, 4);
        int16_t *smp = (int16_t *)(w + 44);
        for (int i = 0; i < frames; i++) {
            smp[2 * i] = (int16_t)((i % 100) * 200 - 10000);
            smp[2 * i + 1] = (int16_t)(-smp[2 * i] / 2);
        }
        write_whole(p, w, 44 + bytes);
        free(w);
    }
    char cmd[8400], out[4096];
    snprintf(out, sizeof out, "%s/st.opus", tmp);
    snprintf(cmd, sizeof cmd, "opusenc --quiet '%s' '%s'", p, out);
    REQUIRE(system(cmd) == 0, "opusenc");
    CHECK(audio_load(au, "t/stereo", out, err, sizeof err) == 0, "stereo loads: %s", err);
    int ms = audio_clip_ms(au, "t/stereo");
    CHECK(ms >= 490 && ms <= 510, "stereo length %d ms", ms);
    struct audio_stats before;
    audio_stats(au, &before);
    audio_play1(au, "t/stereo");
    CHECK(wait_started(au, "t/stereo", before.started + 1, 10000), "stereo started");
    CHECK(wait_quiet(au, 3000), "stereo ended");
    struct audio_stats after;
    audio_stats(au, &after);
    CHECK(after.samples - before.samples >= 23000, "mono samples of a stereo clip: %llu",
          (unsigned long long)(after.samples - before.samples));
    /* A later load with the same name replaces a clip (human over generated). */
    CHECK(audio_load(au, "t/stereo", src, err, sizeof err) == 0, "replace");
    CHECK(audio_clip_ms(au, "t/stereo") > 5000, "replaced by the longer clip");
    audio_destroy(au);
    rm_rf(tmp);
}

/* No sound device: everything works and is silent. */
static void test_no_device(void)
{
    char err[512];
    struct audio *au = audio_create("no-such-driver", err, sizeof err);
    REQUIRE(au, "audio_create without a device still gives an engine");
    CHECK(!audio_available(au) && err[0], "no device, a message for logs: %s", err);
    CHECK(!strcmp(audio_driver(au), "none"), "driver none");
    char p[4096], e2[256];
    snprintf(p, sizeof p, "%s/ur/say.yes.opus", audio_dir);
    CHECK(audio_load(au, "ur/say.yes", p, e2, sizeof e2) == 0, "clips load anyway");
    CHECK(audio_play1(au, "ur/say.yes") == 0 && !strcmp(audio_asked(au), "ur/say.yes"), "asked");
    CHECK(!audio_playing(au), "and silent");
    audio_set_volume(au, 40);
    audio_stop(au);
    audio_destroy(au);
}

/* Where the sound goes: the backend's answer, given the device's name;
 * nothing without a device; the real ALSA backend answers something sane
 * on any machine (no sound card: cannot tell) and knows a headset by its
 * name. */
static enum audio_sink double_says = AUDIO_SINK_HEADPHONES;
static char double_device[160];
static int double_calls;

static enum audio_sink sink_double(void *ctx, const char *device)
{
    (void)ctx;
    double_calls++;
    snprintf(double_device, sizeof double_device, "%s", device ? device : "(null)");
    return double_says;
}

static void test_sink(void)
{
    char err[256];
    struct audio *au = audio_create("dummy", err, sizeof err);
    REQUIRE(au && audio_available(au), "dummy device: %s", err);
    static const struct audio_sink_backend b = {.name = "double", .detect = sink_double};
    audio_set_sink_backend(au, &b);
    CHECK(audio_sink(au) == AUDIO_SINK_HEADPHONES && double_calls == 1, "the backend is asked");
    CHECK(!strcmp(double_device, audio_device_name(au)), "given the device's name (%s)", double_device);
    double_says = AUDIO_SINK_ROOM;
    CHECK(audio_sink(au) == AUDIO_SINK_ROOM, "the room");
    /* Back to ALSA's: whatever this machine has, one of the three. */
    audio_set_sink_backend(au, NULL);
    enum audio_sink real = audio_sink(au);
    CHECK(real == AUDIO_SINK_UNKNOWN || real == AUDIO_SINK_ROOM || real == AUDIO_SINK_HEADPHONES,
          "ALSA: %d", (int)real);
    audio_destroy(au);
    /* The ALSA backend itself: a headset names itself; other names leave it
     * to the cards' jack controls (none here or not: never headphones by name). */
    CHECK(audio_sink_alsa.detect(NULL, "USB Headset Analog Stereo") == AUDIO_SINK_HEADPHONES,
          "a USB headset");
    CHECK(audio_sink_alsa.detect(NULL, "Bose QC35 Headphones") == AUDIO_SINK_HEADPHONES, "headphones");
    enum audio_sink spk = audio_sink_alsa.detect(NULL, "Built-in Audio Analog Stereo");
    CHECK(spk == AUDIO_SINK_UNKNOWN || spk == AUDIO_SINK_ROOM || spk == AUDIO_SINK_HEADPHONES,
          "built-in: %d", (int)spk);
    /* No device: nothing is heard, the backend is not asked. */
    au = audio_create("no-such-driver", err, sizeof err);
    REQUIRE(au, "audio_create");
    audio_set_sink_backend(au, &b);
    double_calls = 0;
    CHECK(audio_sink(au) == AUDIO_SINK_UNKNOWN && double_calls == 0, "no device: unknown");
    audio_destroy(au);
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 2, "usage: test_audio AUDIO_DIR");
    audio_dir = argv[1];
    REQUIRE(SDL_Init(SDL_INIT_TIMER) == 0, "SDL_Init");
    test_play();
    test_files();
    test_no_device();
    test_sink();
    SDL_Quit();
    return check_exit();
}
