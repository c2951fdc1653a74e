/* Benchmark for text and UI. Prints, in one run, figures and
 * ratios against baselines measured in the same run, all on SDL's dummy
 * video driver with the software renderer at 1280x800:
 *   - cold start: process start to the first frame shown (KIOSK_READY) of
 *     hifazat-kiosk on the Urdu paragraph screen, vs a bare SDL program
 *     that opens the same window and presents one cleared frame;
 *   - frame time of that full Urdu screen with warm caches (target <= 2 ms)
 *     vs a clear+present-only frame; also with the text caches dropped every
 *     frame (what caching saves) and the very first frame;
 *   - peak RSS of hifazat-kiosk (target <= 60 MB) vs the bare SDL program.
 * Usage: bench_ui KIOSK_BINARY
 *        bench_ui --baseline-window   (the bare SDL program, used internally) */
#include "benchutil.h"
#include "app.h"
#include "text.h"
#include "ui.h"

#include <SDL.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define W 1280
#define H 800

static struct app *open_app(const char *screen)
{
    static struct app_paths paths;
    app_paths_default(&paths);
    struct app_options o;
    app_options_default(&o);
    o.paths = &paths;
    o.windowed = true;
    o.width = W;
    o.height = H;
    o.screen = screen;
    o.quiet = true;
    o.idle_timeout_s = 0;
    char err[512];
    int code;
    struct app *a = app_create(&o, err, sizeof err, &code);
    if (!a)
        fprintf(stderr, "bench_ui: %s\n", err);
    return a;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--baseline-window"))
        return bench_baseline_window(W, H);
    if (argc != 2) {
        fprintf(stderr, "usage: bench_ui KIOSK_BINARY\n");
        return 2;
    }
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    setenv("SDL_RENDER_DRIVER", "software", 1);
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        return 1;
    self[sl] = '\0';

    /* ---- cold start */
    enum { RUNS = 9 };
    char *kiosk[] = {argv[1], "--windowed", "--size", "1280x800", "--screen", "privacy",
                     "--exit-after-frames", "1", "-q", NULL};
    char *base[] = {self, "--baseline-window", NULL};
    double tk[RUNS], tb[RUNS];
    long rss_k = 0, rss_b = 0, r;
    for (int i = 0; i < RUNS; i++) {
        tk[i] = bench_run_to_ready(kiosk, &r);
        rss_k = r > rss_k ? r : rss_k;
        tb[i] = bench_run_to_ready(base, &r);
        rss_b = r > rss_b ? r : rss_b;
        if (tk[i] < 0 || tb[i] < 0) {
            fprintf(stderr, "bench_ui: a child failed to show its first frame\n");
            return 1;
        }
    }
    double first_run = tk[0];
    double mk = bench_median(tk, RUNS), mb = bench_median(tb, RUNS);
    printf("cold start to first frame (Urdu paragraph screen, %dx%d, median of %d)\n", W, H, RUNS);
    printf("  hifazat-kiosk              %7.1f ms  (first run %.1f ms)\n", mk * 1e3, first_run * 1e3);
    printf("  baseline: bare SDL window  %7.1f ms\n", mb * 1e3);
    printf("  ratio                      %7.2f x\n", mk / mb);

    /* ---- peak RSS, also over the check screen with its thumbnails */
    char *kiosk2[] = {argv[1], "--windowed", "--size", "1280x800", "--screen", "check",
                      "--exit-after-frames", "30", "-q", NULL};
    if (bench_run_to_ready(kiosk2, &r) < 0)
        return 1;
    rss_k = r > rss_k ? r : rss_k;

    /* ---- frame time */
    struct app *a = open_app("privacy");
    if (!a)
        return 1;
    double t0 = bench_now();
    app_draw(a, true);
    double first_frame = bench_now() - t0;
    enum { WARM = 30, N = 400 };
    for (int i = 0; i < WARM; i++)
        app_draw(a, true);
    double ft[N];
    for (int i = 0; i < N; i++) {
        double s = bench_now();
        app_draw(a, true);
        ft[i] = bench_now() - s;
    }
    double warm = bench_median(ft, N);
    /* Without the text caches: every block laid out and rasterised again. */
    struct text_ctx *tc = ui_text_ctx(app_ui(a));
    enum { NC = 40 };
    double fc[NC];
    for (int i = 0; i < NC; i++) {
        text_cache_clear(tc);
        double s = bench_now();
        app_draw(a, true);
        fc[i] = bench_now() - s;
    }
    double uncached = bench_median(fc, NC);
    app_destroy(a);

    /* Baseline frame: clear + present only, same window size and renderer. */
    SDL_Init(SDL_INIT_VIDEO);
    SDL_Window *w = SDL_CreateWindow("baseline", 0, 0, W, H, SDL_WINDOW_SHOWN);
    SDL_Renderer *rr = w ? SDL_CreateRenderer(w, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!rr)
        return 1;
    double fb[N];
    for (int i = 0; i < WARM + N; i++) {
        double s = bench_now();
        SDL_SetRenderDrawColor(rr, 0xF6, 0xF3, 0xEC, 255);
        SDL_RenderClear(rr);
        SDL_RenderPresent(rr);
        if (i >= WARM)
            fb[i - WARM] = bench_now() - s;
    }
    double bare = bench_median(fb, N);
    SDL_DestroyRenderer(rr);
    SDL_DestroyWindow(w);
    SDL_Quit();

    printf("frame time, full Urdu screen, software renderer %dx%d (median of %d)\n", W, H, N);
    printf("  warm caches                %7.3f ms  (target <= 2 ms: %s)\n", warm * 1e3,
           warm <= 0.002 ? "ok" : "MISSED");
    printf("  baseline: clear + present %7.3f ms\n", bare * 1e3);
    printf("  ratio                      %7.2f x\n", warm / bare);
    printf("  text caches dropped        %7.3f ms  (%.1f x the warm frame)\n", uncached * 1e3,
           uncached / warm);
    printf("  first frame after start    %7.3f ms\n", first_frame * 1e3);
    printf("peak RSS (privacy and check screens)\n");
    printf("  hifazat-kiosk              %7.1f MB  (target <= 60 MB: %s)\n", rss_k / 1024.0,
           rss_k <= 60 * 1024 ? "ok" : "MISSED");
    printf("  baseline: bare SDL window  %7.1f MB\n", rss_b / 1024.0);
    printf("  ratio                      %7.2f x\n", (double)rss_k / (double)rss_b);
    return 0;
}
