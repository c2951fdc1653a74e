/* hifazat-kiosk: the full-screen app. Options only; everything else is in
 * the app module so tests and benchmarks run the same code. */
#include "app.h"
#include "version.h"
#include "version_git.h"

#include <malloc.h>
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat-kiosk [options]\n"
          "\n"
          "  --windowed             run in a window (default: full screen)\n"
          "  --size WxH             window size with --windowed (default 1280x800)\n"
          "  --video-driver NAME    SDL video driver (default: $SDL_VIDEODRIVER, else\n"
          "                         wayland, x11, kmsdrm in turn; never a blank offscreen)\n"
          "  --render-driver NAME   SDL render driver, e.g. software or opengl (default:\n"
          "                         $SDL_RENDER_DRIVER, else the first accelerated one)\n"
          "  --lang ur|en           starting language (default ur)\n"
          "  --demo                 demo mode: practice pictures, a banner on every screen;\n"
          "                         nothing is ever queued (works without a configuration)\n"
          "  --config FILE          kiosk configuration (default /etc/hifazat/kiosk.conf)\n"
          "  --data-dir DIR         the data partition (queue, kiosk key; overrides the config)\n"
          "  --media-root DIR       where devices are mounted (default [kiosk] media_root, /media)\n"
          "  --media-folders        every folder under the media root is a device (testing)\n"
          "  --demo-dir DIR         the demo pictures (default: installed or the source tree)\n"
          "  --screen NAME          first screen (default welcome; check = staff screen check)\n"
          "  --idle-timeout SEC     wipe and go back to the start after SEC seconds without\n"
          "                         input (default [kiosk] idle_timeout_minutes, else 180;\n"
          "                         0 = never)\n"
          "  --font-dir DIR         fonts (default: $HIFAZAT_FONT_DIR or the installed ones)\n"
          "  --locale-dir DIR       compiled translations (default: $HIFAZAT_LOCALE_DIR or installed)\n"
          "  --audio-dir DIR        narration clips, DIR/<lang>/<clip>.opus (default:\n"
          "                         $HIFAZAT_AUDIO_DIR or installed; none: silent)\n"
          "  --icon-dir DIR         pictograms, DIR/<name>.png (default: $HIFAZAT_ICON_DIR\n"
          "                         or installed)\n"
          "  --exit-after-frames N  quit after N frames (tests, benchmarks)\n"
          "  --list-drivers         print the video and render drivers SDL offers\n"
          "  -q, --quiet            no driver summary on stderr\n"
          "  --version, -h, --help\n"
          "\n"
          "Keys: Tab/arrows move, Enter/Space choose, Esc goes back; F12 or Esc three\n"
          "times is quick exit; hold V to see a focused picture clearly; F5 restarts the\n"
          "demo; Ctrl+Alt+S (or five taps on the mark at the top) opens the staff screen.\n"
          "Prints KIOSK_READY on stdout once the first frame is on screen; with\n"
          "HIFAZAT_TEST_EVENTS=1 also KIOSK_EVENT screen=NAME and volumes=N lines.\n"
          "Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error,\n"
          "4 staff chose Shut down.\n",
          f);
}

static int list_drivers(void)
{
    printf("video drivers:");
    for (int i = 0; i < SDL_GetNumVideoDrivers(); i++)
        printf(" %s", SDL_GetVideoDriver(i));
    printf("\nrender drivers:");
    for (int i = 0; i < SDL_GetNumRenderDrivers(); i++) {
        SDL_RendererInfo info;
        if (SDL_GetRenderDriverInfo(i, &info) == 0)
            printf(" %s", info.name);
    }
    printf("\n");
    return 0;
}

static int bad(const char *fmt, const char *arg)
{
    fputs("hifazat-kiosk: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    usage(stderr);
    return 2;
}

/* A directory given on the command line; empty keeps the default. */
static bool set_dir(char *dir, size_t n, const char *val)
{
    if (!*val)
        return true;
    int l = snprintf(dir, n, "%s", val);
    return l >= 0 && (size_t)l < n;
}

static bool parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return false;
    *out = (int)v;
    return true;
}

int main(int argc, char **argv)
{
    /* Bytes of people's pictures pass through libmtp's and libgphoto2's
     * transfer buffers, which they free without wiping: glibc overwrites
     * what is freed (chunks past its per-thread cache, i.e. over ~1 KiB).
     * Our own buffers are wiped anyway; measured: no cost to hashing. */
    mallopt(M_PERTURB, 0x5a);
    /* Where fonts, translations, clips, pictograms and demo pictures are:
     * the environment or the installed layout, unless argv names them. */
    static struct app_paths paths;
    app_paths_default(&paths);
    struct app_options o;
    app_options_default(&o);
    o.paths = &paths;
    const char *te = getenv("HIFAZAT_TEST_EVENTS");
    o.test_events = te && !strcmp(te, "1");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE()                                          \
    do {                                                      \
        if (!val)                                             \
            return bad("option %s needs a value", a);         \
        i++;                                                  \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("hifazat-kiosk %s%s%s%s\n", HIFAZAT_VERSION, HIFAZAT_VERSION_GIT[0] ? " (" : "",
                   HIFAZAT_VERSION_GIT, HIFAZAT_VERSION_GIT[0] ? ")" : "");
            return 0;
        } else if (!strcmp(a, "--list-drivers")) {
            return list_drivers();
        } else if (!strcmp(a, "--windowed")) {
            o.windowed = true;
        } else if (!strcmp(a, "--demo")) {
            o.demo = true;
        } else if (!strcmp(a, "--media-folders")) {
            o.media_folders = true;
        } else if (!strcmp(a, "--config")) {
            NEED_VALUE();
            o.config = val;
        } else if (!strcmp(a, "--data-dir")) {
            NEED_VALUE();
            o.data_dir = val;
        } else if (!strcmp(a, "--media-root")) {
            NEED_VALUE();
            o.media_root = val;
        } else if (!strcmp(a, "--demo-dir")) {
            NEED_VALUE();
            if (!set_dir(paths.demo_dir, sizeof paths.demo_dir, val))
                return bad("--demo-dir too long: '%s'", val);
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = true;
        } else if (!strcmp(a, "--size")) {
            NEED_VALUE();
            if (sscanf(val, "%dx%d", &o.width, &o.height) != 2 || o.width < 320 ||
                o.height < 240 || o.width > 16384 || o.height > 16384)
                return bad("bad --size '%s' (expected WxH, e.g. 1280x800)", val);
        } else if (!strcmp(a, "--video-driver")) {
            NEED_VALUE();
            o.video_driver = val;
        } else if (!strcmp(a, "--render-driver")) {
            NEED_VALUE();
            o.render_driver = val;
        } else if (!strcmp(a, "--lang")) {
            NEED_VALUE();
            o.lang = val;
        } else if (!strcmp(a, "--screen")) {
            NEED_VALUE();
            o.screen = val;
        } else if (!strcmp(a, "--font-dir")) {
            NEED_VALUE();
            if (!set_dir(paths.font_dir, sizeof paths.font_dir, val))
                return bad("--font-dir too long: '%s'", val);
        } else if (!strcmp(a, "--locale-dir")) {
            NEED_VALUE();
            if (!set_dir(paths.locale_dir, sizeof paths.locale_dir, val))
                return bad("--locale-dir too long: '%s'", val);
        } else if (!strcmp(a, "--audio-dir")) {
            NEED_VALUE();
            if (!set_dir(paths.audio_dir, sizeof paths.audio_dir, val))
                return bad("--audio-dir too long: '%s'", val);
        } else if (!strcmp(a, "--icon-dir")) {
            NEED_VALUE();
            if (!set_dir(paths.icon_dir, sizeof paths.icon_dir, val))
                return bad("--icon-dir too long: '%s'", val);
        } else if (!strcmp(a, "--idle-timeout")) {
            NEED_VALUE();
            if (!parse_int(val, 0, 86400, &o.idle_timeout_s))
                return bad("bad --idle-timeout '%s' (seconds, 0..86400)", val);
        } else if (!strcmp(a, "--exit-after-frames")) {
            NEED_VALUE();
            if (!parse_int(val, 1, 1000000, &o.exit_after_frames))
                return bad("bad --exit-after-frames '%s'", val);
        } else {
            return bad("unknown option '%s'", a);
        }
#undef NEED_VALUE
    }

    char err[1024];
    int code = 1;
    struct app *app = app_create(&o, err, sizeof err, &code);
    if (!app) {
        fprintf(stderr, "hifazat-kiosk: %s\n", err);
        return code;
    }
    int rc = app_run(app);
    app_destroy(app);
    return rc;
}
