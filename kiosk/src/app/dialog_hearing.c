/* "Is anyone near you who could hear?": asked once a session, over the
 * first screen whose narration must not be overheard (the nudity question,
 * the case code; guide_screen_sensitive), unless headphones are plugged in.
 * "No one can hear" lets that narration play; "People are near" keeps it
 * to the screen (the safe answer: focused first, and what Esc means). The
 * answer is session data (narration.c keeps it in the session). */
#include "app_internal.h"

void hearing_dialog_draw(struct app *a)
{
    switch (ui_dialog(a->ui, "hearing", _("Is anyone near you who could hear?"),
                      _("The next part is about your pictures. If someone could hear, this machine "
                        "will only show it on the screen."),
                      _("No one can hear"), _("People are near"))) {
    case UI_DIALOG_YES:
        /* Asked before the case code was said: it is said now. */
        if (narration_hearing_answer(a->narr, true)) {
            if (a->session.have_receipt)
                narration_say_code(a->narr, a->session.receipt.case_code, a->session.receipt.pin);
            else
                narration_say_screen(a->narr);
        }
        break;
    case UI_DIALOG_NO: narration_hearing_answer(a->narr, false); break;
    default: break;
    }
}
