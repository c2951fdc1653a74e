/* Audio (audio.h): one SDL audio device, a callback that decodes the
 * playing clip with libopusfile and mixes it at the chosen volume. */
#include "audio.h"

#include <SDL.h>
#include <dirent.h>
#include <opusfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RATE 48000             /* Opus always decodes at 48 kHz */
#define MAX_SEQ 64             /* a case code and its PIN, twice: 2 x (12 + 6 digits and 2 words) */
#define NAME_MAX_LEN 63

struct clip {
    char name[NAME_MAX_LEN + 1];
    unsigned char *data;
    size_t len;
};

struct seq_item {
    int clip;                  /* index in clips */
    int gap_left;              /* samples of silence still to play before it */
    OggOpusFile *of;           /* open while it plays */
    bool started;
};

struct audio {
    SDL_AudioDeviceID dev;
    bool sdl_init, audio_init;   /* SDL_InitSubSystem / SDL_AudioInit(driver) */
    char driver[32];
    char device[128];          /* the output's name, for audio_sink() */
    const struct audio_sink_backend *sink;
    int samples;               /* device buffer, in samples (mono) */
    int16_t *mix;              /* decoded speech for one callback */
    float *stereo;             /* a stereo recording, downmixed */

    struct clip *clips;
    int nclips, cap;

    /* Shared with the callback: changed only with the device locked. */
    struct seq_item seq[MAX_SEQ];
    int nseq, cur;
    int volume;                /* 0..100 */
    char asked[NAME_MAX_LEN + 1];
    struct audio_stats st;
    Uint64 asked_at;           /* performance counter at audio_play() */
    bool first_done;
};

static void lock(const struct audio *au)
{
    if (au->dev)
        SDL_LockAudioDevice(au->dev);
}

static void unlock(const struct audio *au)
{
    if (au->dev)
        SDL_UnlockAudioDevice(au->dev);
}

/* Decodes up to n mono samples of the item into out; 0 at its end. */
static int decode(struct audio *au, struct seq_item *it, int16_t *out, int n)
{
    if (op_channel_count(it->of, -1) == 1)
        return op_read(it->of, out, n, NULL);
    /* A stereo human recording: libopusfile downmixes to stereo, we to mono. */
    int got = op_read_float_stereo(it->of, au->stereo, 2 * n);
    for (int i = 0; i < got; i++) {
        float v = (au->stereo[2 * i] + au->stereo[2 * i + 1]) * 0.5f * 32767.0f;
        out[i] = (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : v);
    }
    return got;
}

static void callback(void *ud, Uint8 *stream, int len)
{
    struct audio *au = ud;
    int n = len / (int)sizeof(int16_t);
    memset(stream, 0, (size_t)len);
    if (n > au->samples)
        n = au->samples;
    memset(au->mix, 0, (size_t)n * sizeof(int16_t));
    int pos = 0;
    while (pos < n && au->cur < au->nseq) {
        struct seq_item *it = &au->seq[au->cur];
        if (it->gap_left > 0) {
            int k = it->gap_left < n - pos ? it->gap_left : n - pos;
            it->gap_left -= k;
            pos += k;
            continue;
        }
        if (!it->of && !it->started) {
            const struct clip *c = &au->clips[it->clip];
            it->of = op_open_memory(c->data, c->len, NULL);
        }
        int got = it->of ? decode(au, it, au->mix + pos, n - pos) : 0;
        if (got <= 0) {
            op_free(it->of);
            it->of = NULL;
            it->started = true;
            au->cur++;
            continue;
        }
        if (!it->started) {
            /* The clip's first samples went to the device: it really plays. */
            it->started = true;
            au->st.started++;
            snprintf(au->st.last_started, sizeof au->st.last_started, "%s", au->clips[it->clip].name);
            if (!au->first_done) {
                au->first_done = true;
                au->st.first_sample_ms = (double)(SDL_GetPerformanceCounter() - au->asked_at) *
                                         1000.0 / (double)SDL_GetPerformanceFrequency();
            }
        }
        pos += got;
        au->st.samples += (uint64_t)got;
    }
    SDL_MixAudioFormat(stream, (const Uint8 *)au->mix, AUDIO_S16SYS, (Uint32)(n * 2),
                       au->volume * SDL_MIX_MAXVOLUME / 100);
}

struct audio *audio_create(const char *driver, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    struct audio *au = calloc(1, sizeof(*au));
    if (!au)
        return NULL;
    au->volume = 80;
    au->st.first_sample_ms = -1;
    au->sink = &audio_sink_alsa;
    snprintf(au->driver, sizeof au->driver, "none");
    /* A machine without sound, or with a broken driver: silent, never an error
     * for the person (the message is for staff logs). */
    int rc = driver && *driver ? SDL_AudioInit(driver) : SDL_InitSubSystem(SDL_INIT_AUDIO);
    if (rc != 0) {
        if (err && errlen)
            snprintf(err, errlen, "no audio (%s): narration is silent", SDL_GetError());
        return au;
    }
    au->sdl_init = !(driver && *driver);
    au->audio_init = !au->sdl_init;
    SDL_AudioSpec want = {0}, have;
    want.freq = RATE;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 512;        /* ~11 ms: a clip starts within one buffer */
    want.callback = callback;
    want.userdata = au;
    au->samples = want.samples;
    au->mix = calloc((size_t)want.samples, sizeof(int16_t));
    au->stereo = calloc((size_t)want.samples * 2, sizeof(float));
    if (!au->mix || !au->stereo) {
        audio_destroy(au);
        return NULL;
    }
    /* No allowed changes: SDL converts to whatever the hardware wants. */
    au->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!au->dev) {
        if (err && errlen)
            snprintf(err, errlen, "no audio device (%s): narration is silent", SDL_GetError());
        return au;
    }
    const char *d = SDL_GetCurrentAudioDriver();
    snprintf(au->driver, sizeof au->driver, "%s", d ? d : "?");
#if SDL_VERSION_ATLEAST(2, 24, 0)
    /* The default output's name: a USB or Bluetooth headset says so in it. */
    char *dn = NULL;
    SDL_AudioSpec ds;
    if (SDL_GetDefaultAudioInfo(&dn, &ds, 0) == 0 && dn)
        snprintf(au->device, sizeof au->device, "%s", dn);
    SDL_free(dn);
#endif
    SDL_PauseAudioDevice(au->dev, 0);
    return au;
}

static void clear_seq(struct audio *au)
{
    for (int i = 0; i < au->nseq; i++) {
        op_free(au->seq[i].of);
        au->seq[i].of = NULL;
    }
    memset(au->seq, 0, sizeof au->seq);
    au->nseq = au->cur = 0;
}

void audio_destroy(struct audio *au)
{
    if (!au)
        return;
    if (au->dev)
        SDL_CloseAudioDevice(au->dev);
    clear_seq(au);
    if (au->sdl_init)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    else if (au->audio_init)
        SDL_AudioQuit();
    for (int i = 0; i < au->nclips; i++)
        free(au->clips[i].data);
    free(au->clips);
    free(au->mix);
    free(au->stereo);
    /* The log may name the characters of a spoken case code. */
    SDL_memset(&au->st, 0, sizeof au->st);
    free(au);
}

bool audio_available(const struct audio *au) { return au && au->dev != 0; }
const char *audio_driver(const struct audio *au) { return au ? au->driver : "none"; }

static int find(const struct audio *au, const char *name)
{
    for (int i = 0; i < au->nclips; i++)
        if (!strcmp(au->clips[i].name, name))
            return i;
    return -1;
}

int audio_load(struct audio *au, const char *name, const char *path, char *err, size_t errlen)
{
    if (strlen(name) > NAME_MAX_LEN) {
        snprintf(err, errlen, "%s: clip name too long", name);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    /* Exactly the file's size: a clip is a few KB and ~300 are held, so a
     * growing buffer's slack would cost more than the clips (it once held
     * 64 KB each: 19 MB for 1.7 MB of clips). */
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)(64u << 20)) {
        fclose(f);
        snprintf(err, errlen, "%s: not a file, or too large", path);
        return -1;
    }
    size_t len = (size_t)sb.st_size;
    unsigned char *data = malloc(len ? len : 1);
    if (!data) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    len = fread(data, 1, len, f);
    bool rerr = ferror(f) || len != (size_t)sb.st_size;
    fclose(f);
    int oerr = 0;
    OggOpusFile *of = rerr ? NULL : op_open_memory(data, len, &oerr);
    if (!of) {
        free(data);
        snprintf(err, errlen, "%s: %s", path, rerr ? "read error" : "not an Ogg Opus file");
        return -1;
    }
    op_free(of);
    int i = find(au, name);
    lock(au);
    if (i >= 0) {
        /* Replacing a clip that may be playing: stop first. */
        clear_seq(au);
        free(au->clips[i].data);
    } else {
        if (au->nclips == au->cap) {
            int nc = au->cap ? au->cap * 2 : 64;
            struct clip *n = realloc(au->clips, (size_t)nc * sizeof *n);
            if (!n) {
                unlock(au);
                free(data);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            au->clips = n;
            au->cap = nc;
        }
        i = au->nclips++;
        snprintf(au->clips[i].name, sizeof au->clips[i].name, "%s", name);
    }
    au->clips[i].data = data;
    au->clips[i].len = len;
    unlock(au);
    return 0;
}

int audio_load_dir(struct audio *au, const char *prefix, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".opus"))
            continue;
        char name[NAME_MAX_LEN + 8], path[4096], err[512];
        int nl = snprintf(name, sizeof name, "%s/%.*s", prefix, (int)(l - 5), e->d_name);
        if (nl < 0 || nl > NAME_MAX_LEN)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (audio_load(au, name, path, err, sizeof err) == 0)
            n++;
        else
            fprintf(stderr, "hifazat-kiosk: audio clip skipped: %s\n", err);
    }
    closedir(d);
    return n;
}

bool audio_has(const struct audio *au, const char *name) { return au && find(au, name) >= 0; }

size_t audio_bytes(const struct audio *au)
{
    size_t b = 0;
    for (int i = 0; i < au->nclips; i++)
        b += au->clips[i].len;
    return b;
}

int audio_clip_ms(const struct audio *au, const char *name)
{
    int i = find(au, name);
    if (i < 0)
        return -1;
    OggOpusFile *of = op_open_memory(au->clips[i].data, au->clips[i].len, NULL);
    if (!of)
        return -1;
    ogg_int64_t n = op_pcm_total(of, -1);
    op_free(of);
    return n < 0 ? -1 : (int)(n * 1000 / RATE);
}

int audio_play(struct audio *au, const struct audio_item *items, int n)
{
    if (!au)
        return -1;
    struct seq_item seq[MAX_SEQ];
    int ns = 0;
    const char *first = NULL;
    int carry = 0;   /* the gap of a missing clip still separates its neighbours */
    for (int i = 0; i < n && ns < MAX_SEQ; i++) {
        int c = find(au, items[i].clip);
        int gap = items[i].gap_ms > 0 ? items[i].gap_ms : 0;
        if (c < 0) {
            carry += gap;
            continue;
        }
        if (!first)
            first = au->clips[c].name;
        seq[ns++] = (struct seq_item){.clip = c, .gap_left = (int)((long)(gap + carry) * RATE / 1000)};
        carry = 0;
    }
    lock(au);
    clear_seq(au);
    snprintf(au->asked, sizeof au->asked, "%s", first ? first : "");
    if (ns)
        au->st.plays++;
    if (ns && au->dev) {   /* no device: asked for, and silent */
        memcpy(au->seq, seq, (size_t)ns * sizeof seq[0]);
        au->nseq = ns;
        au->asked_at = SDL_GetPerformanceCounter();
        au->first_done = false;
        au->st.first_sample_ms = -1;
    }
    unlock(au);
    return ns ? 0 : -1;
}

int audio_play1(struct audio *au, const char *clip)
{
    struct audio_item it = {clip, 0};
    return audio_play(au, &it, 1);
}

void audio_stop(struct audio *au)
{
    if (!au)
        return;
    lock(au);
    clear_seq(au);
    SDL_memset(au->asked, 0, sizeof au->asked);
    SDL_memset(au->st.last_started, 0, sizeof au->st.last_started);
    unlock(au);
}

bool audio_playing(const struct audio *au)
{
    if (!au)
        return false;
    lock(au);
    bool p = au->cur < au->nseq;
    unlock(au);
    return p;
}

void audio_set_volume(struct audio *au, int v)
{
    if (!au)
        return;
    lock(au);
    au->volume = v < 0 ? 0 : v > 100 ? 100 : v;
    unlock(au);
}

int audio_volume(const struct audio *au) { return au ? au->volume : 0; }
const char *audio_asked(const struct audio *au) { return au ? au->asked : ""; }

void audio_stats(const struct audio *au, struct audio_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!au)
        return;
    lock(au);
    *st = au->st;
    unlock(au);
}

void audio_set_sink_backend(struct audio *au, const struct audio_sink_backend *b)
{
    if (au)
        au->sink = b ? b : &audio_sink_alsa;
}

enum audio_sink audio_sink(const struct audio *au)
{
    if (!au || !au->dev || !au->sink || !au->sink->detect)
        return AUDIO_SINK_UNKNOWN;
    return au->sink->detect(au->sink->ctx, au->device);
}

const char *audio_device_name(const struct audio *au) { return au ? au->device : ""; }
