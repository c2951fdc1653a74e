/* Narration and pictograms (the spoken guidance): listens to screen changes
 * (app_add_listener) and to the UI's voice hook, and plays the guide's
 * clips (guide.h) through the audio module. Each screen's explanation plays
 * on entry when audio is on and on "Listen again"; a choice is read aloud
 * when the keyboard focuses it or it is pressed; the case code is spoken one
 * character at a time. Screens that name intimate pictures or say a code
 * (guide_screen_sensitive) are said only into headphones (audio_sink) or
 * after the person answered that no one near could hear (dialog_hearing.c;
 * the answer is session data). Pictograms are PNGs rasterised from
 * assets/icons/ at build time, loaded once. Nothing is written anywhere: the case code is
 * played from per-character clips in memory, never saved. */
#include "narration.h"

#include "audio.h"
#include "guide.h"
#include "i18n.h"
#include "session.h"
#include "settings.h"
#include "ui.h"

#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PICS 48
/* The case code, slowly: a pause between characters, a longer one at the
 * dash and before it is said once more. */
#define CHAR_GAP_MS 450
#define GROUP_GAP_MS 900
#define REPEAT_GAP_MS 1500

struct narration {
    struct ui_ctx *ui;
    struct audio *au;            /* the caller's */
    const struct kiosk_settings *settings;
    int *hearing;                /* enum session_hearing, in the session */
    void (*changed)(void *ctx);
    void *ctx;
    bool on;                     /* this session: the welcome screen's switch */
    bool fresh;                  /* a screen was just entered: focus moves are its own */
    const struct guide_screen *cur;
    const char *topic;           /* the screen's own subject now (a guide clip), or NULL */
    /* "Is anyone near you who could hear?" is shown; what to say after "no
     * one can hear": the screen's narration, or the case code. */
    bool asking;
    enum { AFTER_SCREEN, AFTER_CODE } after;
    struct {
        char name[32];
        struct ui_image *img;
    } pics[MAX_PICS];
    int npics;
};

/* ---- pictograms */

static struct ui_image *load_png(struct ui_ctx *ui, const char *path)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&im, path))
        return NULL;
    im.format = PNG_FORMAT_RGBA;
    if (im.width > 1024 || im.height > 1024) {
        png_image_free(&im);
        return NULL;
    }
    struct ui_image *img = ui_image_create(ui, (int)im.width, (int)im.height, NULL);
    if (!img) {
        png_image_free(&im);
        return NULL;
    }
    if (!png_image_finish_read(&im, NULL, ui_image_pixels(img), 0, NULL)) {
        png_image_free(&im);
        ui_image_destroy(ui, img);
        return NULL;
    }
    ui_image_changed(img);
    return img;
}

struct pic_load {
    struct narration *n;
    const char *dir;
};

static void load_icon(void *ctx, const char *icon)
{
    struct pic_load *pl = ctx;
    struct narration *n = pl->n;
    if (n->npics >= MAX_PICS)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.png", pl->dir, icon);
    struct ui_image *img = load_png(n->ui, path);
    if (!img) {
        /* A missing picture leaves the words and the voice: never a failure. */
        fprintf(stderr, "hifazat-kiosk: pictogram missing: %s\n", path);
        return;
    }
    snprintf(n->pics[n->npics].name, sizeof n->pics[0].name, "%s", icon);
    n->pics[n->npics++].img = img;
}

static struct ui_image *pic(const struct narration *n, const char *icon)
{
    if (!n || !icon)
        return NULL;
    for (int i = 0; i < n->npics; i++)
        if (!strcmp(n->pics[i].name, icon))
            return n->pics[i].img;
    return NULL;
}

struct ui_image *narration_pictogram(const struct narration *n, const char *icon)
{
    return pic(n, icon);
}

struct ui_image *narration_step_pictogram(const struct narration *n)
{
    return n && n->cur ? pic(n, n->cur->icon) : NULL;
}

/* ---- playing */

static const char *lang(const struct narration *n)
{
    return n->settings->narration_english ? "en" : i18n_tag(i18n_lang());
}

static void clip_name(const struct narration *n, const char *clip, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", lang(n), clip);
}

static void changed(struct narration *n)
{
    if (n->changed)
        n->changed(n->ctx);
}

/* Sensitive narration (the nudity question, the case code) only where no
 * one else can hear: into headphones, or after the person said so. If they
 * have not been asked yet, or asked for it themselves (asked: Listen again,
 * Listen to the code), the question is shown and nothing is said now. */
static bool private_enough(struct narration *n, bool asked, int after)
{
    if (!audio_available(n->au))
        return true;    /* nothing is heard (it plays silently): never ask */
    if (audio_sink(n->au) == AUDIO_SINK_HEADPHONES || *n->hearing == HEARING_ALONE)
        return true;
    if (*n->hearing == HEARING_UNASKED || asked) {
        n->asking = true;
        n->after = after;
        changed(n);
    }
    return false;
}

static void play_screen(struct narration *n, bool asked)
{
    if (!n || (!n->cur && !n->topic))
        return;
    if (!n->topic && guide_screen_sensitive(n->cur) && !private_enough(n, asked, AFTER_SCREEN)) {
        audio_stop(n->au);
        return;
    }
    char c[80];
    clip_name(n, n->topic ? n->topic : n->cur->clip, c, sizeof c);
    audio_play1(n->au, c);
}

void narration_listen_again(struct narration *n) { play_screen(n, true); }
void narration_say_screen(struct narration *n) { play_screen(n, false); }

bool narration_hearing_asking(const struct narration *n) { return n && n->asking; }

bool narration_hearing_answer(struct narration *n, bool alone)
{
    if (!n)
        return false;
    n->asking = false;
    *n->hearing = alone ? HEARING_ALONE : HEARING_OTHERS;
    changed(n);
    if (!alone)
        return false;   /* the answer's own word is said; nothing sensitive */
    if (n->after == AFTER_CODE)
        return true;    /* the caller has the code */
    play_screen(n, false);
    return false;
}

void narration_screen(struct narration *n, const char *screen, const char *part)
{
    if (!n)
        return;
    n->cur = guide_screen_find(screen, part);
    n->topic = NULL;
    n->fresh = true;
    n->asking = false;   /* a question about the last screen goes with it */
    if (n->on)
        play_screen(n, false);
    else
        audio_stop(n->au);
}

void narration_event(struct narration *n, const char *clip)
{
    if (!n || !n->on)
        return;
    char c[80];
    clip_name(n, clip, c, sizeof c);
    audio_play1(n->au, c);
}

void narration_topic(struct narration *n, const char *clip, bool say)
{
    if (!n)
        return;
    n->topic = clip;
    if (say && clip)
        narration_event(n, clip);
}

/* The UI read a label: a choice pressed, or focused from the keyboard. */
static void on_say(void *ctx, const char *label, bool pressed)
{
    struct narration *n = ctx;
    if (!n->on || (!pressed && n->fresh))
        return;
    const struct guide_string *g = guide_string_find_label(label);
    if (!g)
        return;
    /* Listen again, louder, quieter say themselves by playing. */
    if (!strcmp(g->clip, "say.listen_again") || !strcmp(g->clip, "say.listen_code"))
        return;
    char c[80];
    clip_name(n, g->clip, c, sizeof c);
    audio_play1(n->au, c);
}

static struct ui_image *on_pictogram(void *ctx, const char *label)
{
    const struct guide_string *g = guide_string_find_label(label);
    return g && g->icon ? pic(ctx, g->icon) : NULL;
}

void narration_frame_done(struct narration *n)
{
    if (n)
        n->fresh = false;
}

int narration_say_code(struct narration *n, const char *code, const char *pin)
{
    if (!n)
        return -1;
    if (!private_enough(n, true, AFTER_CODE)) {
        audio_stop(n->au);
        return -1;
    }
    /* Names are built in a wiped buffer: the code is spoken, never kept. */
    struct audio_item items[64];
    char names[64][32];
    int k = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *intro = pass ? GUIDE_CLIP_AGAIN : GUIDE_CLIP_CODE_IS;
        snprintf(names[k], sizeof names[k], "%s/%s", lang(n), intro);
        items[k] = (struct audio_item){names[k], pass ? REPEAT_GAP_MS : 0};
        k++;
        int gap = CHAR_GAP_MS;
        for (const char *p = code; *p && k < 60; p++) {
            const char *cc = guide_char_clip(*p);
            if (!cc) {
                gap = GROUP_GAP_MS;
                continue;
            }
            snprintf(names[k], sizeof names[k], "%s/%s", lang(n), cc);
            items[k] = (struct audio_item){names[k], gap};
            gap = CHAR_GAP_MS;
            k++;
        }
        if (pin && *pin && k < 60) {
            snprintf(names[k], sizeof names[k], "%s/%s", lang(n), GUIDE_CLIP_PIN_IS);
            items[k] = (struct audio_item){names[k], GROUP_GAP_MS};
            k++;
            for (const char *p = pin; *p && k < 62; p++) {
                const char *cc = guide_char_clip(*p);
                if (!cc)
                    continue;
                snprintf(names[k], sizeof names[k], "%s/%s", lang(n), cc);
                items[k] = (struct audio_item){names[k], CHAR_GAP_MS};
                k++;
            }
        }
    }
    int rc = audio_play(n->au, items, k);
    sodium_memzero(names, sizeof names);
    sodium_memzero(items, sizeof items);
    return rc;
}

void narration_say_digit(struct narration *n, char c)
{
    const char *cc = guide_char_clip(c);
    if (!n || !n->on || !cc || !audio_available(n->au))
        return;
    if (audio_sink(n->au) != AUDIO_SINK_HEADPHONES && *n->hearing != HEARING_ALONE)
        return;
    char name[80];
    clip_name(n, cc, name, sizeof name);
    audio_play1(n->au, name);
    sodium_memzero(name, sizeof name);
}

void narration_set_on(struct narration *n, bool on)
{
    if (!n)
        return;
    n->on = on;
    if (on)
        play_screen(n, false);
    else
        audio_stop(n->au);
}

bool narration_is_on(const struct narration *n) { return n && n->on; }

void narration_volume_step(struct narration *n, int delta)
{
    if (!n)
        return;
    int v = audio_volume(n->au) + delta;
    audio_set_volume(n->au, v);
    /* Say the new loudness with a short word, so it can be heard. */
    char c[80];
    clip_name(n, delta > 0 ? "say.louder" : "say.quieter", c, sizeof c);
    audio_play1(n->au, c);
}

bool narration_available(const struct narration *n) { return n && audio_available(n->au); }
int narration_volume(const struct narration *n) { return n ? audio_volume(n->au) : -1; }

void narration_reset(struct narration *n)
{
    if (!n)
        return;
    n->on = n->settings->narration;
    n->asking = false;
    audio_stop(n->au);   /* also forgets what was played */
    audio_set_volume(n->au, n->settings->volume);
}

struct narration *narration_create(const struct narration_options *o)
{
    struct narration *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->ui = o->ui;
    n->au = o->audio;
    n->settings = o->settings;
    n->hearing = o->hearing;
    n->changed = o->changed;
    n->ctx = o->ctx;
    n->on = n->settings->narration;
    audio_set_volume(n->au, n->settings->volume);
    int nclips = 0;
    for (int l = 0; l < I18N_COUNT; l++) {
        char d[4200];
        snprintf(d, sizeof d, "%s/%s", o->audio_dir, i18n_tag((enum i18n_lang)l));
        nclips += audio_load_dir(n->au, i18n_tag((enum i18n_lang)l), d);
    }
    struct pic_load pl = {n, o->icon_dir};
    guide_each_icon(load_icon, &pl);
    /* For staff logs: what the kiosk can say and show. */
    if (!o->quiet)
        fprintf(stderr, "hifazat-kiosk: audio %s, %d clips from %s, %d pictograms from %s\n",
                audio_driver(n->au), nclips, o->audio_dir, n->npics, o->icon_dir);
    struct ui_voice v = {.say = on_say, .pictogram = on_pictogram, .ctx = n};
    ui_set_voice(n->ui, &v);
    return n;
}

void narration_destroy(struct narration *n)
{
    if (!n)
        return;
    ui_set_voice(n->ui, NULL);
    audio_stop(n->au);
    for (int i = 0; i < n->npics; i++)
        ui_image_destroy(n->ui, n->pics[i].img);
    free(n);
}
