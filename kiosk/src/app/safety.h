/* Safety on a shared machine (safety.c): quick exit, the idle timeout with
 * its countdown, and the wipe that both end in. The app holds one struct
 * safety; screens only say when the person is waiting for the kiosk (busy)
 * and staff change the timeout (idle_timeout_ms).
 *
 * Usage (app.c does exactly this):
 *  1. safety_init(&a->safety, idle_s, SDL_GetTicks()) once, when the app is made.
 *  2. safety_event(a, e) first for every input event; true: it was the quick
 *     exit (F12, or Esc three times quickly) and nothing else should see it.
 *  3. safety_idle_due(a, now, &next_ms) before each wait: true when the
 *     wipe is due, else next_ms says when to look again (-1: no need).
 *  4. safety_draw_warning(a) on top of the frame while s->idle_warning.
 *  5. safety_wipe(a) when a session ends for any reason (finish, quick
 *     exit, idle), after the screen's leave(). */
#ifndef HIFAZAT_SAFETY_H
#define HIFAZAT_SAFETY_H

#include <SDL.h>
#include <stdbool.h>

struct app;

struct safety {
    Uint32 last_input_ms;
    int idle_timeout_ms;            /* 0: never */
    int idle_warn_ms;               /* the warning shows this long before the wipe */
    bool idle_warning;              /* the "are you still there?" countdown is shown */
    bool busy;                      /* work the person waits for: idle time does not count */
    Uint32 esc_ms[3];               /* the last Esc presses: three quickly = quick exit */
};

void safety_init(struct safety *s, int idle_s, Uint32 now);
bool safety_event(struct app *a, const SDL_Event *e);
bool safety_idle_due(struct app *a, Uint32 now, int *next_ms);
void safety_draw_warning(struct app *a);
void safety_wipe(struct app *a);

#endif
