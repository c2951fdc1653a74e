/* SDL events to UI input. Touch arrives as SDL's synthesized mouse events
 * (marked SDL_TOUCH_MOUSEID), so finger events themselves are ignored and a
 * tap is never handled twice. */
#include "ui_internal.h"

#include <SDL.h>

bool ui_input_sdl(struct ui_ctx *ui, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_MOUSEMOTION:
        return ui_input_pointer_move(ui, e->motion.x, e->motion.y,
                                     e->motion.which == SDL_TOUCH_MOUSEID);
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (e->button.button != SDL_BUTTON_LEFT)
            return false;
        return ui_input_pointer_button(ui, e->button.x, e->button.y,
                                       e->type == SDL_MOUSEBUTTONDOWN,
                                       e->button.which == SDL_TOUCH_MOUSEID);
    case SDL_MOUSEWHEEL: {
        int dy = e->wheel.y;
        if (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
            dy = -dy;
        return dy ? ui_input_wheel(ui, ui->px, ui->py, dy) : false;
    }
    case SDL_KEYDOWN: {
        bool shift = (e->key.keysym.mod & KMOD_SHIFT) != 0;
        switch (e->key.keysym.sym) {
        case SDLK_TAB: return ui_input_key(ui, UI_KEY_TAB, shift);
        case SDLK_UP: return ui_input_key(ui, UI_KEY_UP, shift);
        case SDLK_DOWN: return ui_input_key(ui, UI_KEY_DOWN, shift);
        case SDLK_LEFT: return ui_input_key(ui, UI_KEY_LEFT, shift);
        case SDLK_RIGHT: return ui_input_key(ui, UI_KEY_RIGHT, shift);
        case SDLK_RETURN:
        case SDLK_KP_ENTER: return ui_input_key(ui, UI_KEY_ENTER, shift);
        case SDLK_SPACE: return ui_input_key(ui, UI_KEY_SPACE, shift);
        case SDLK_ESCAPE:
        case SDLK_AC_BACK: return ui_input_key(ui, UI_KEY_ESCAPE, shift);
        case SDLK_HOME: return ui_input_key(ui, UI_KEY_HOME, shift);
        case SDLK_END: return ui_input_key(ui, UI_KEY_END, shift);
        case SDLK_PAGEUP: return ui_input_key(ui, UI_KEY_PAGEUP, shift);
        case SDLK_PAGEDOWN: return ui_input_key(ui, UI_KEY_PAGEDOWN, shift);
        default: return false;
        }
    }
    default:
        return false;
    }
}
