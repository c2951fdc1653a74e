/* Safety on a shared machine: quick exit (the top bar's button, F12, Esc
 * three times), the idle timeout with its countdown, and the wipe. */
#include "app_internal.h"
#include "safety.h"

#include <stdio.h>
#include <string.h>

/* The countdown before an idle wipe: at least 20 s to come back. */
#define IDLE_WARN_MS 30000
/* Three Esc presses within this long: quick exit. */
#define ESC_CHORD_MS 1500

void safety_init(struct safety *s, int idle_s, Uint32 now)
{
    memset(s, 0, sizeof(*s));
    s->idle_timeout_ms = idle_s > 0 ? idle_s * 1000 : 0;
    s->idle_warn_ms = IDLE_WARN_MS;
    if (s->idle_warn_ms > s->idle_timeout_ms / 2)
        s->idle_warn_ms = s->idle_timeout_ms / 2;   /* short test timeouts only */
    s->last_input_ms = now;
}

/* The top bar's button ends here too. */
void app_quick_exit(struct app *a) { app_finish(a); }

bool safety_event(struct app *a, const SDL_Event *e)
{
    struct safety *s = &a->safety;
    switch (e->type) {
    case SDL_KEYDOWN:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEMOTION:
    case SDL_MOUSEWHEEL:
    case SDL_FINGERDOWN:
        s->last_input_ms = SDL_GetTicks();
        if (s->idle_warning) {
            s->idle_warning = false;   /* any touch or key means someone is there */
            a->dirty = true;
        }
        break;
    default:
        break;
    }
    if (e->type != SDL_KEYDOWN || e->key.repeat)
        return false;
    /* F12, or Esc three times quickly: quick exit, wherever the focus is. */
    SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_F12) {
        app_quick_exit(a);
        return true;
    }
    if (k == SDLK_ESCAPE) {
        Uint32 now = SDL_GetTicks();
        s->esc_ms[0] = s->esc_ms[1];
        s->esc_ms[1] = s->esc_ms[2];
        s->esc_ms[2] = now ? now : 1;
        if (s->esc_ms[0] && now - s->esc_ms[0] <= ESC_CHORD_MS) {
            app_quick_exit(a);
            return true;
        }
    }
    return false;
}

bool safety_idle_due(struct app *a, Uint32 now, int *next_ms)
{
    struct safety *s = &a->safety;
    *next_ms = -1;
    if (!s->idle_timeout_ms)
        return false;
    bool fresh = (a->screen == SCREEN_WELCOME || a->screen == SCREEN_CONFIG_ERROR) &&
                 !a->session.active && i18n_lang() == a->default_lang;
    if (fresh) {
        s->idle_warning = false;
        return false;
    }
    /* Fingerprinting: the person is waiting for us, not gone. */
    if (s->busy)
        s->last_input_ms = now;
    Uint32 idle = now - s->last_input_ms;
    if (idle >= (Uint32)s->idle_timeout_ms)
        return true;
    int left = s->idle_timeout_ms - (int)idle;
    if (left <= s->idle_warn_ms) {
        if (!s->idle_warning) {
            s->idle_warning = true;
            a->dirty = true;
        }
        /* Redraw as each second of the countdown passes. */
        int to_tick = left % 1000;
        *next_ms = to_tick ? to_tick : 1000;
    } else {
        *next_ms = left - s->idle_warn_ms;
    }
    return false;
}

/* Someone may have walked away: a calm countdown they can stop with one
 * tap, then the wipe. */
void safety_draw_warning(struct app *a)
{
    struct safety *s = &a->safety;
    Uint32 idle = SDL_GetTicks() - s->last_input_ms;
    int left_ms = s->idle_timeout_ms - (int)idle;
    int secs = left_ms > 0 ? (left_ms + 999) / 1000 : 0;
    char msg[512];
    /* TRANSLATORS: %d is a number of seconds, counting down. */
    snprintf(msg, sizeof msg,
             _("To keep your information private, this screen will be cleared in %d seconds. "
               "Touch the button to carry on."),
             secs);
    if (ui_dialog(a->ui, "idle.warning", _("Are you still there?"), msg, _("I am still here"),
                  NULL) == UI_DIALOG_YES) {
        s->idle_warning = false;
        s->last_input_ms = SDL_GetTicks();
    }
}

/* Nothing of the last person stays in memory or on screen: their session,
 * the pictures' thumbnails and names, their textures and laid-out text. */
void safety_wipe(struct app *a)
{
    session_wipe(&a->session);
    a->session.demo = a->default_demo;
    media_wipe(a->media);
    media_pause(a->media, false);
    devices_wipe(a->devices);
    ui_render_purge(a->rend);
    text_cache_clear(a->text);
    a->safety.idle_warning = false;
    a->safety.busy = false;
    memset(a->safety.esc_ms, 0, sizeof a->safety.esc_ms);
}
