/* Benchmark for the spoken guidance, on the audio driver in
 * $SDL_AUDIODRIVER (scripts/bench.sh: dummy, which takes samples in real
 * time like a sound card; a real one on a kiosk):
 *   - time from screen entry (app_goto() in the real app: leave, enter,
 *     listeners) to the narration clip's first sample taken by the device,
 *     over many screen changes; target <= 150 ms;
 *   - baseline, same run, same device settings: SDL_QueueAudio() of the same
 *     clips already decoded (nothing to open or decode), to the first sample
 *     taken;
 *   - loading every clip at start (both languages).
 * Usage: bench_audio */
#include "benchutil.h"
#include "app_internal.h"
#include "audio.h"
#include "guide.h"
#include "kioskfix.h"

#include <SDL.h>
#include <opusfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROUNDS = 60 };

static void summary(const char *what, double *v, int n, double *median)
{
    *median = bench_median(v, n);   /* sorts v */
    printf("%-44s median %7.2f ms  p95 %7.2f ms  max %7.2f ms\n", what, v[n / 2], v[n * 95 / 100],
           v[n - 1]);
}

static const char *const screens[] = {"privacy", "connect", "finish", "welcome"};

int main(void)
{
    struct kfix f;
    if (kfix_create(&f, "bench-audio", 0)) {
        fprintf(stderr, "fixture failed\n");
        return 1;
    }
    struct app_options o;
    kfix_options(&f, &o, 1280, 800);
    o.lang = "ur";
    char err[800];
    int code;
    double t0 = bench_now();
    struct app *a = app_create(&o, err, sizeof err, &code);
    if (!a) {
        fprintf(stderr, "app_create: %s\n", err);
        return 1;
    }
    struct audio *au = app_audio(a);
    double created = bench_now() - t0;
    if (!audio_available(au)) {
        fprintf(stderr, "no audio device (SDL_AUDIODRIVER=%s)\n", getenv("SDL_AUDIODRIVER"));
        return 1;
    }
    printf("audio driver %s; app start incl. loading %zu KB of clips: %.1f ms\n", audio_driver(au),
           audio_bytes(au) / 1024, created * 1000);
    app_draw(a, true);

    /* Entry to first sample, through the app. */
    double lat[ROUNDS], cb[ROUNDS];
    char clips[ROUNDS][64];
    for (int i = 0; i < ROUNDS; i++) {
        struct audio_stats st;
        audio_stats(au, &st);
        uint64_t before = st.started;
        SDL_Delay(7 * (i % 3));   /* start at different points of the device's period */
        double s = bench_now();
        app_goto(a, screens[i % 4]);
        for (;;) {
            audio_stats(au, &st);
            if (st.started > before)
                break;
            if (bench_now() - s > 2.0) {
                fprintf(stderr, "no sample after 2 s on %s\n", screens[i % 4]);
                return 1;
            }
            SDL_Delay(0);
        }
        lat[i] = (bench_now() - s) * 1000;
        cb[i] = st.first_sample_ms;
        snprintf(clips[i], sizeof clips[i], "%s", st.last_started);
        app_draw(a, true);
    }
    double m_app, m_cb;
    summary("screen entry -> first sample (app)", lat, ROUNDS, &m_app);
    summary("  of which audio_play() -> first sample", cb, ROUNDS, &m_cb);
    app_destroy(a);

    /* Baseline: the same clips decoded ahead, queued with SDL_QueueAudio. */
    if (SDL_Init(SDL_INIT_AUDIO)) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    SDL_AudioSpec want = {0}, have;
    want.freq = 48000;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 512;
    SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!dev) {
        fprintf(stderr, "baseline device: %s\n", SDL_GetError());
        return 1;
    }
    SDL_PauseAudioDevice(dev, 0);
    int16_t *pcm[4] = {0};
    size_t len[4] = {0};
    for (int k = 0; k < 4; k++) {
        /* the clip the app started on that screen ("ur/screen.privacy.code") */
        char p[8192];
        if (snprintf(p, sizeof p, "%s/%s.opus", o.paths->audio_dir, clips[k]) >= (int)sizeof p)
            return 1;
        OggOpusFile *of = op_open_file(p, NULL);
        if (!of) {
            fprintf(stderr, "cannot open %s\n", p);
            return 1;
        }
        size_t cap = 48000 * 60;
        pcm[k] = malloc(cap * 2);
        int got;
        while (len[k] < cap && (got = op_read(of, pcm[k] + len[k], (int)(cap - len[k]), NULL)) > 0)
            len[k] += (size_t)got;
        op_free(of);
    }
    double base[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
        SDL_ClearQueuedAudio(dev);
        SDL_Delay(7 * (i % 3) + 30);
        int k = i % 4;
        Uint32 bytes = (Uint32)(len[k] * 2);
        double s = bench_now();
        SDL_QueueAudio(dev, pcm[k], bytes);
        while (SDL_GetQueuedAudioSize(dev) >= bytes) {
            if (bench_now() - s > 2.0) {
                fprintf(stderr, "baseline: nothing taken after 2 s\n");
                return 1;
            }
            SDL_Delay(0);
        }
        base[i] = (bench_now() - s) * 1000;
    }
    double m_base;
    summary("baseline: SDL_QueueAudio(decoded) -> first", base, ROUNDS, &m_base);
    SDL_CloseAudioDevice(dev);
    for (int k = 0; k < 4; k++)
        free(pcm[k]);
    SDL_Quit();
    kfix_destroy(&f);
    printf("entry_to_first_sample_ms=%.2f baseline_ms=%.2f ratio_vs_baseline=%.2f "
           "ratio_vs_target=%.3f\n",
           m_app, m_base, m_base > 0 ? m_app / m_base : 0, m_app / 150.0);
    return 0;
}
