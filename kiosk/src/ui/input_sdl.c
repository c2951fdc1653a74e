/* SDL events to UI events, in one place, so that neither the UI's core nor
 * the screens need SDL for input. Touch arrives as SDL's synthesized mouse
 * events (marked SDL_TOUCH_MOUSEID), so finger events themselves are
 * ignored and a tap is never handled twice. */
#include "ui.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>

/* The SDL keys that are ui keys (digits aside); others are the app's or nobody's. */
static const struct {
    SDL_Keycode sdl;
    enum ui_key key;
} keymap[] = {
    {SDLK_TAB, UI_KEY_TAB},         {SDLK_UP, UI_KEY_UP},
    {SDLK_DOWN, UI_KEY_DOWN},       {SDLK_LEFT, UI_KEY_LEFT},
    {SDLK_RIGHT, UI_KEY_RIGHT},     {SDLK_RETURN, UI_KEY_ENTER},
    {SDLK_KP_ENTER, UI_KEY_ENTER},  {SDLK_SPACE, UI_KEY_SPACE},
    {SDLK_ESCAPE, UI_KEY_ESCAPE},   {SDLK_AC_BACK, UI_KEY_ESCAPE},
    {SDLK_HOME, UI_KEY_HOME},       {SDLK_END, UI_KEY_END},
    {SDLK_PAGEUP, UI_KEY_PAGEUP},   {SDLK_PAGEDOWN, UI_KEY_PAGEDOWN},
    {SDLK_BACKSPACE, UI_KEY_BACKSPACE}, {SDLK_v, UI_KEY_V},
    {SDLK_KP_0, UI_KEY_0},
};

static bool key_of(SDL_Keycode k, enum ui_key *out)
{
    if (k >= SDLK_0 && k <= SDLK_9) {
        *out = (enum ui_key)(UI_KEY_0 + (k - SDLK_0));
        return true;
    }
    /* SDL's keypad codes run 1..9 and then 0. */
    if (k >= SDLK_KP_1 && k <= SDLK_KP_9) {
        *out = (enum ui_key)(UI_KEY_1 + (k - SDLK_KP_1));
        return true;
    }
    for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++) {
        if (keymap[i].sdl == k) {
            *out = keymap[i].key;
            return true;
        }
    }
    return false;
}

bool ui_event_from_sdl(const SDL_Event *e, struct ui_event *ev)
{
    memset(ev, 0, sizeof *ev);
    switch (e->type) {
    case SDL_MOUSEMOTION:
        ev->kind = UI_EV_POINTER_MOVE;
        ev->x = e->motion.x;
        ev->y = e->motion.y;
        ev->touch = e->motion.which == SDL_TOUCH_MOUSEID;
        return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        ev->kind = e->type == SDL_MOUSEBUTTONDOWN ? UI_EV_POINTER_DOWN : UI_EV_POINTER_UP;
        ev->x = e->button.x;
        ev->y = e->button.y;
        ev->touch = e->button.which == SDL_TOUCH_MOUSEID;
        ev->primary = e->button.button == SDL_BUTTON_LEFT;
        return true;
    case SDL_MOUSEWHEEL:
        ev->kind = UI_EV_WHEEL;
        ev->dy = e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -e->wheel.y : e->wheel.y;
        return true;
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
        enum ui_key k;
        if (!key_of(e->key.keysym.sym, &k))
            return false;
        ev->kind = e->type == SDL_KEYDOWN ? UI_EV_KEY_DOWN : UI_EV_KEY_UP;
        ev->key = (uint8_t)k;
        ev->repeat = e->key.repeat != 0;
        ev->shift = (e->key.keysym.mod & KMOD_SHIFT) != 0;
        return true;
    }
    case SDL_TEXTINPUT:
        ev->kind = UI_EV_TEXT;
        /* Both hold 32 bytes; a cut sequence would only be typed short. */
        snprintf(ev->text, sizeof ev->text, "%s", e->text.text);
        return true;
    default:
        return false;
    }
}
