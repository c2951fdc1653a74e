/* The spoken guidance's design is all there: every clip the design names
 * has an Urdu and an English file that decodes as Ogg Opus; every screen
 * and page of the app has its narration (and, on the person's flow, a step
 * pictogram); every answer has a pictogram; every pictogram has its SVG
 * source (no embedded photos) and its built PNG; the narration texts are
 * translated (the Urdu voice speaks Urdu, not English). */
#include "audio.h"
#include "check.h"
#include "guide.h"
#include "i18n.h"
#include "testutil.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *audio_dir, *icon_dir, *src_dir;
static struct audio *au;
static int nclips;

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void clip_files(void *ctx, const char *clip, const char *msgid, bool slow)
{
    (void)ctx;
    (void)slow;
    nclips++;
    for (int l = 0; l < I18N_COUNT; l++) {
        const char *tag = i18n_tag((enum i18n_lang)l);
        char p[4096], name[128], err[512];
        snprintf(p, sizeof p, "%s/%s/%s.opus", audio_dir, tag, clip);
        CHECK(exists(p), "%s has no %s audio file (%s)", clip, tag, p);
        snprintf(name, sizeof name, "%s/%s", tag, clip);
        if (exists(p)) {
            CHECK(audio_load(au, name, p, err, sizeof err) == 0, "%s", err);
            int ms = audio_clip_ms(au, name);
            CHECK(ms >= 150 && ms < 60000, "%s lasts %d ms", name, ms);
        }
    }
    /* Spoken from the Urdu catalog: a text left in English would be read
     * by the Urdu voice as nonsense. */
    i18n_set_lang(I18N_UR);
    CHECK(strcmp(_(msgid), msgid) != 0, "%s: no Urdu for \"%s\"", clip, msgid);
}

static void icon_files(void *ctx, const char *icon)
{
    int *n = ctx;
    (*n)++;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s.png", icon_dir, icon);
    CHECK(exists(p), "pictogram %s not built (%s)", icon, p);
    snprintf(p, sizeof p, "%s/assets/icons/%s.svg", src_dir, icon);
    size_t len = 0;
    char *svg = (char *)read_whole(p, &len);
    CHECK(svg, "pictogram %s has no SVG source (%s)", icon, p);
    if (svg) {
        /* Simple drawn shapes only: no photos (of people or anything). */
        CHECK(!strstr(svg, "<image") && !strstr(svg, "data:image"), "%s embeds a picture", icon);
        free(svg);
    }
}

static void test_screens(void)
{
    /* Every screen and page the app has (app.c, screen_*.c); the person's
     * flow also carries a step pictogram. */
    static const struct {
        const char *screen, *part;
        bool flow;
    } all[] = {
        {"welcome", "", true},           {"privacy", "code", true},
        {"privacy", "next", true},       {"privacy", "exit", true},
        {"questions", "age", true},      {"questions", "not_sure", true},
        {"questions", "who", true},      {"questions", "content", true},
        {"questions", "not_for_this", true}, {"connect", "", true},
        {"choose", "", true},            {"fingerprint", "", true},
        {"review", "", true},            {"confirm", "", true},
        {"case_code", "", true},         {"finish", "", true},
        {"staff_pin", "", false},        {"staff", "", false},
        {"staff", "export", false},      {"config_error", "", true},
        {"check", "", false},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const struct guide_screen *g = guide_screen_find(all[i].screen, all[i].part);
        CHECK(g && !strcmp(g->screen, all[i].screen) && !strcmp(g->part, all[i].part),
              "no narration for %s/%s", all[i].screen, all[i].part);
        if (g && all[i].flow)
            CHECK(g->icon, "no step pictogram for %s/%s", all[i].screen, all[i].part);
    }
    /* An unknown page falls back to its screen's narration. */
    const struct guide_screen *g = guide_screen_find("staff", "nope");
    CHECK(g && !strcmp(g->clip, "screen.staff"), "fallback to the screen");
    CHECK(!guide_screen_find("nope", ""), "unknown screen");
}

static void test_answers(void)
{
    /* The answers on the questions screen (screen_questions.c): each has
     * its own clip and pictogram, so they can be told apart unread. */
    static const char *const answers[] = {
        "Yes, under 18", "No, 18 or older", "I am not sure", "I am the person in the pictures",
        "I am their parent or a trusted adult", "I am helping someone else", "Yes", "No",
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        const struct guide_string *s = guide_string_find_text(answers[i]);
        CHECK(s && s->icon, "answer \"%s\" has no clip or pictogram", answers[i]);
        for (size_t k = 0; k < i; k++) {
            const struct guide_string *o = guide_string_find_text(answers[k]);
            if (s && o && k / 3 == i / 3 && i < 6)
                CHECK(strcmp(s->icon, o->icon), "answers %zu and %zu look the same", i, k);
        }
    }
    /* Labels are matched as shown, in either language. */
    i18n_set_lang(I18N_UR);
    const struct guide_string *s = guide_string_find_label(_("Start"));
    CHECK(s && !strcmp(s->clip, "say.start"), "Urdu label found");
    i18n_set_lang(I18N_EN);
    s = guide_string_find_label("Start");
    CHECK(s && !strcmp(s->clip, "say.start"), "English label found");
    CHECK(!guide_string_find_label("Some file name.jpg"), "other text is not read");
    s = guide_string_find_label("Next (12)");
    CHECK(s && !strcmp(s->clip, "say.next"), "a count after a label is not read");
    CHECK(!guide_string_find_label("IMG (2)") && !guide_string_find_label("Next (12"),
          "only a known label before the count");
    i18n_set_lang(I18N_UR);
    char next[128];
    snprintf(next, sizeof next, _("Next (%d)"), 7);
    s = guide_string_find_label(next);
    CHECK(s && !strcmp(s->clip, "say.next"), "the Urdu count too: %s", next);
    i18n_set_lang(I18N_EN);
    /* Any case code and PIN can be spoken. */
    const char *alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (const char *p = alphabet; *p; p++)
        CHECK(guide_char_clip(*p), "no clip for '%c'", *p);
    CHECK(!guide_char_clip('-') && !strcmp(guide_char_clip('k'), "char.K"), "dash, lower case");
}

/* A phone that cannot be read yet (guide_devices): every state but ready
 * has a heading, a clip of its own and, where something can be done on the
 * phone, numbered steps each with its own pictogram; what the phone shows
 * is kept in its own (English) words. */
static void test_devices(void)
{
    static const char *const states[] = {"connecting", "charging_only", "locked", "untrusted",
                                         "not_answering", "busy", "failed"};
    i18n_set_lang(I18N_UR);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        const struct guide_device *g = guide_device_find(states[i]);
        CHECK(g, "no words for a phone that is %s", states[i]);
        if (!g)
            continue;
        char clip[64];
        snprintf(clip, sizeof clip, "device.%s", states[i]);
        CHECK(!strcmp(g->clip, clip), "%s: clip %s", states[i], g->clip);
        CHECK(g->title && strcmp(_(g->title), g->title), "%s: heading not in Urdu", states[i]);
        CHECK(g->say && strcmp(_(g->say), g->say), "%s: what is said is not in Urdu", states[i]);
        CHECK(g->nsteps >= 0 && g->nsteps <= GUIDE_MAX_STEPS, "%s: %d steps", states[i], g->nsteps);
        CHECK(g->nsteps > 0 || !strcmp(states[i], "connecting"), "%s: nothing to do?", states[i]);
        for (int k = 0; k < g->nsteps; k++) {
            CHECK(g->steps[k].text && strcmp(_(g->steps[k].text), g->steps[k].text),
                  "%s step %d: no Urdu", states[i], k + 1);
            CHECK(g->steps[k].icon, "%s step %d: no pictogram", states[i], k + 1);
            for (int j = 0; j < k; j++)
                CHECK(strcmp(g->steps[k].icon, g->steps[j].icon),
                      "%s: steps %d and %d look the same", states[i], j + 1, k + 1);
        }
    }
    CHECK(!guide_device_find("ready") && !guide_device_find(NULL), "ready needs no words");
    const struct guide_device *c = guide_device_find("charging_only");
    CHECK(c && c->nsteps == 4 && c->steps[3].shows[0] && !strcmp(c->steps[3].shows[0], "File transfer") &&
              c->steps[2].shows[0] && !strcmp(c->steps[2].shows[0], "USB charging"),
          "charging only: unlock, pull down, touch \"USB charging\", choose \"File transfer\"");
    const struct guide_device *u = guide_device_find("untrusted");
    CHECK(u && u->nsteps == 3 && u->steps[1].shows[0] && !strcmp(u->steps[1].shows[0], "Trust"),
          "untrusted: unlock, \"Trust\", passcode");
    i18n_set_lang(I18N_EN);
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 5, "usage: test_guide AUDIO_DIR ICON_DIR LOCALE_DIR SOURCE_DIR");
    audio_dir = argv[1];
    icon_dir = argv[2];
    src_dir = argv[4];
    REQUIRE(i18n_init(argv[3]) == 0, "i18n_init %s", argv[3]);
    REQUIRE(SDL_Init(SDL_INIT_TIMER) == 0, "SDL_Init");
    char err[256];
    au = audio_create("no-such-driver", err, sizeof err);   /* decoding only */
    REQUIRE(au, "audio_create");
    guide_each_clip(clip_files, NULL);
    CHECK(nclips > 80, "%d clips", nclips);
    int nicons = 0;
    guide_each_icon(icon_files, &nicons);
    CHECK(nicons >= 20, "%d pictograms", nicons);
    test_screens();
    test_answers();
    test_devices();
    audio_destroy(au);
    SDL_Quit();
    return check_exit();
}
