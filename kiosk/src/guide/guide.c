/* Guide (guide.h): the narration and pictogram design table. */
#include "guide.h"

#include "i18n.h"

#include <string.h>

/* Said on entry to each screen (when audio is on) and by "Listen again".
 * Short: what this step is, and what to press. */
const struct guide_screen guide_screens[] = {
    {"welcome", "", "screen.welcome",
     N_("Welcome. This machine helps stop your private pictures and videos from spreading "
        "online. Your pictures stay on your phone. No one here will see them. To begin, press "
        "Start. To hear this again, press Listen again."),
     "welcome"},
    /* How it works: three pages, each said as it opens. */
    {"privacy", "code", "screen.privacy.code",
     N_("How it works. This machine makes a secret code from each picture you choose. The code is "
        "not the picture, and the picture cannot be made again from it. Only the code is sent. "
        "Your pictures stay on your phone. Press Next."),
     "secret-code"},
    {"privacy", "next", "screen.privacy.next",
     N_("What happens next. The secret codes are sealed and sent to the helpline. Websites and "
        "apps that take part look for copies with the same code and remove them. This cannot "
        "delete pictures from phones or from private chats. Press Next."),
     "code-sent"},
    {"privacy", "exit", "screen.privacy.exit",
     N_("You can stop at any time. Press Leave now at the top, and what you chose here is "
        "erased at once. No one here sees your pictures. When you are ready, press I understand."),
     "quick-exit"},
    {"questions", "age", "screen.questions.age",
     N_("A question. Was the person in the pictures under 18 when they were taken? Choose yes, "
        "no, or I am not sure. Then press Next."),
     "age"},
    {"questions", "not_sure", "screen.questions.not_sure",
     N_("That is all right. We will use the service for young people. It works in the same way. "
        "Press Next."),
     "question"},
    {"questions", "who", "screen.questions.who",
     N_("Who are you? The person in the pictures, their parent or a trusted adult, or someone "
        "helping another person? Choose one, then press Next."),
     "who"},
    /* Said aloud where others may hear: never an explicit word. The
     * question itself is on the screen, for the person reading it. */
    {"questions", "content", "screen.questions.content",
     N_("A question about the pictures. Read the question on the screen, choose yes or no, then "
        "press Next. If someone is threatening you, press Someone is threatening me."),
     "pictures-kind"},
    {"questions", "not_for_this", "screen.questions.not_for_this",
     N_("This service cannot help with these pictures. For other problems, the services on the "
        "screen can help. A staff member can help you reach them."),
     "helpline"},
    {"questions", "threats", "screen.questions.threats",
     N_("If someone is threatening you: it is not your fault. Do not pay them, and do not send "
        "anything more. Stop replying, but keep the messages. Call a helpline on the screen. To "
        "go back to the question, press Back."),
     "helpline"},
    {"questions", "consent", "screen.questions.consent",
     N_("Is the person in the pictures here with you, and do they agree to make this report? "
        "Choose one, then press Next."),
     "who-helper"},
    {"questions", "no_consent", "screen.questions.no_consent",
     N_("Only the person in the pictures can make this report. Nothing has been saved. They can "
        "come here themselves, or call a helpline on the screen. Press Finish."),
     "helpline"},
    {"questions", "origin", "screen.questions.origin",
     N_("Were these pictures taken on this phone, or are they copies that were sent or saved? "
        "Choose one, then press Next."),
     "origin-phone"},
    {"questions", "copies", "screen.questions.copies",
     N_("Copies can be used too. The helpline may also pass the case to NCMEC's CyberTipline, "
        "and can help you report it in Pakistan. Press Next."),
     "copies"},
    {"questions", "platforms", "screen.questions.platforms",
     N_("The sites and apps on the screen check the codes. If one finds a picture that matches, "
        "a person who checks pictures there may look at that copy. Sites that are not on the "
        "list cannot check. Press Next."),
     "platforms"},
    {"connect", "", "screen.connect",
     N_("Connect your phone to this machine with the cable, or put in your memory card. If your "
        "phone asks, allow access to its files."),
     "connect"},
    /* Choose: the gallery (albums), one album, and All folders. */
    {"choose", "", "screen.choose",
     N_("Choose the pictures and videos. They are shown in albums, as on your phone: Camera, "
        "WhatsApp and others. Touch an album to open it."),
     "choose"},
    {"choose", "album", "screen.choose.album",
     N_("Touch each picture or video you want to choose. A tick shows it is chosen. To choose the "
        "whole album, press Choose all in this album. To see the other albums, press Back. Then "
        "press Next."),
     "choose"},
    {"choose", "folders", "screen.choose.folders",
     N_("All folders, for staff. Touch a folder to open it, and touch each picture or video to "
        "choose it. To go back to the albums, press Back."),
     "choose"},
    {"fingerprint", "", "screen.fingerprint",
     N_("Please wait. This machine is making the picture codes. Your pictures are not copied. "
        "When it is done, press Next."),
     "fingerprint"},
    {"review", "", "screen.review",
     N_("Check the picture codes. You can remove any you do not want to send. Then press Next."),
     "review"},
    {"confirm", "", "screen.confirm",
     N_("Ready to send? Only the picture codes are sent, never your pictures. To send, press "
        "Send the picture codes."),
     "send"},
    {"case_code", "", "screen.case_code",
     N_("Your report is saved. Your case code and secret number are on the screen. To hear them "
        "one character at a time, press Listen to the code. You can write them down, or record "
        "them on your own phone."),
     "code"},
    {"finish", "", "screen.finish",
     N_("Thank you. Your choices have been erased from this machine. The pictures on your phone "
        "are untouched. Press Finish."),
     "finish"},
    /* "I have a case code": typing it, the answer, withdrawing. */
    {"case_status", "", "screen.case_status",
     N_("Type your case code and your secret number with the number keys. Then press Check."),
     "code"},
    {"case_status", "answer", "screen.case_status.answer",
     N_("The answer about your case is on the screen. The helpline may know more: you can call "
        "them. To withdraw your report, press Withdraw my report."),
     "code"},
    {"case_status", "withdrawn", "screen.case_status.withdrawn",
     N_("The answer is on the screen. The helpline may know more: you can call them. Press "
        "Finish."),
     "code"},
    {"staff_pin", "", "screen.staff_pin", N_("For staff only. Enter the staff PIN."), NULL},
    {"staff", "", "screen.staff", N_("Staff screen."), NULL},
    {"staff", "export", "screen.staff.export", N_("Export to a courier stick."), NULL},
    {"config_error", "", "screen.config_error",
     N_("This machine is not ready. Please ask a staff member for help."), "warning"},
    {"check", "", "screen.check", N_("Screen check for staff."), NULL},
};
const size_t guide_nscreens = sizeof guide_screens / sizeof guide_screens[0];

/* Screens whose words must not be overheard: they name intimate pictures,
 * or say a case code and PIN. */
static const char *const sensitive[][2] = {
    {"questions", "content"},
    {"questions", "not_for_this"},
    {"questions", "threats"},
    {"questions", "consent"},
    {"questions", "no_consent"},
    {"questions", "origin"},
    {"questions", "copies"},
    {"case_code", ""},
    {"case_status", ""},
    {"case_status", "answer"},
    {"case_status", "withdrawn"},
};

bool guide_screen_sensitive(const struct guide_screen *g)
{
    for (size_t i = 0; g && i < sizeof sensitive / sizeof sensitive[0]; i++)
        if (!strcmp(g->screen, sensitive[i][0]) && !strcmp(g->part, sensitive[i][1]))
            return true;
    return false;
}

/* The labels a person chooses: read aloud when focused or pressed. */
const struct guide_string guide_strings[] = {
    {"say.start", N_("Start"), NULL},
    {"say.next", N_("Next"), NULL},
    {"say.back", N_("Back"), NULL},
    {"say.i_understand", N_("I understand"), NULL},
    {"say.finish", N_("Finish"), NULL},
    {"say.quick_exit", N_("Leave now"), NULL},
    {"say.listen_again", N_("Listen again"), NULL},
    {"say.louder", N_("Louder"), NULL},
    {"say.quieter", N_("Quieter"), NULL},
    {"say.spoken_guidance", N_("Spoken guidance"), NULL},
    {"say.age_under_18", N_("Yes, under 18"), "age-young"},
    {"say.age_adult", N_("No, 18 or older"), "age-adult"},
    {"say.age_not_sure", N_("I am not sure"), "question"},
    {"say.who_self", N_("I am the person in the pictures"), "who-self"},
    {"say.who_parent", N_("I am their parent or a trusted adult"), "who-parent"},
    {"say.who_helper", N_("I am helping someone else"), "who-helper"},
    {"say.yes", N_("Yes"), "yes"},
    {"say.no", N_("No"), "no"},
    {"say.threatening", N_("Someone is threatening me"), NULL},
    {"say.consent_yes", N_("Yes, they are here and they agree"), "yes"},
    {"say.consent_no", N_("No, they are not here, or they do not agree"), "no"},
    {"say.origin_phone", N_("Yes, they were taken on this phone"), "origin-phone"},
    {"say.origin_copies", N_("No, they are copies that were sent or saved"), "copies"},
    {"say.choose_all", N_("Choose all here"), NULL},
    {"say.unchoose_all", N_("Unchoose all here"), NULL},
    /* Choose: the gallery's albums and buttons. */
    {"say.choose_all_album", N_("Choose all in this album"), NULL},
    {"say.unchoose_all_album", N_("Unchoose all in this album"), NULL},
    {"say.all_folders", N_("All folders"), NULL},
    {"say.album_camera", N_("Camera"), NULL},
    {"say.album_whatsapp_images", N_("WhatsApp Images"), NULL},
    {"say.album_whatsapp_video", N_("WhatsApp Video"), NULL},
    {"say.album_screenshots", N_("Screenshots"), NULL},
    {"say.album_downloads", N_("Downloads"), NULL},
    {"say.album_telegram", N_("Telegram"), NULL},
    {"say.album_other", N_("Other"), NULL},
    {"say.cancel", N_("Cancel"), NULL},
    {"say.connect_again", N_("Connect it again"), NULL},
    {"say.up", N_("Up"), NULL},
    {"say.remove", N_("Remove"), NULL},
    {"say.try_again", N_("Try again"), NULL},
    {"say.send", N_("Send the picture codes"), NULL},
    {"say.listen_code", N_("Listen to the code"), NULL},
    {"say.saved_code", N_("I have saved my code"), NULL},
    {"say.have_it", N_("Yes, I have it"), NULL},
    {"say.show_again", N_("No, show it again"), NULL},
    {"say.still_here", N_("I am still here"), NULL},
    {"say.ok", N_("OK"), NULL},
    /* Dialogs: their question is read as they appear. */
    {"say.still_there", N_("Are you still there?"), NULL},
    {"say.saved_question", N_("Have you saved your case code?"), NULL},
    {"say.stop_question", N_("Stop making picture codes?"), NULL},
    {"say.yes_stop", N_("Yes, stop"), NULL},
    {"say.no_go_on", N_("No, go on"), NULL},
    {"say.limit", N_("That is the most for one report"), NULL},
    /* Before a screen that must not be overheard (dialog_hearing.c). */
    {"say.hearing_question", N_("Is anyone near you who could hear?"), NULL},
    {"say.hearing_alone", N_("No one can hear"), NULL},
    {"say.hearing_others", N_("People are near"), NULL},
    /* "I have a case code" (screen_case_status.c). */
    {"say.have_case_code", N_("I have a case code"), "code"},
    {"say.check", N_("Check"), NULL},
    {"say.withdraw", N_("Withdraw my report"), NULL},
    {"say.withdraw_question", N_("Withdraw your report?"), NULL},
    {"say.withdraw_yes", N_("Yes, withdraw it"), NULL},
    {"say.withdraw_no", N_("No, keep it"), NULL},
};
const size_t guide_nstrings = sizeof guide_strings / sizeof guide_strings[0];

/* A phone that cannot be read yet (guide.h): the steps a person does on
 * the phone itself, each with its pictogram, and a clip that says them all.
 * Buttons the phone shows are written as the phone writes them ("File
 * transfer", "Trust"); the clips say them in Urdu letters (the Urdu voice
 * cannot read Latin ones). */
const struct guide_device guide_devices[] = {
    {"connecting", "device.connecting", N_("Opening your phone. Please wait a moment."),
     N_("Opening your phone..."), N_("Please wait a moment."), NULL, 0, {{NULL, NULL, {NULL}}}},
    {"charging_only", "device.charging_only",
     N_("Your phone is only charging. To open it, do this on your phone. Unlock it. Pull down "
        "from the top of the screen. Touch the message that says USB charging. Then choose File "
        "transfer. This screen changes by itself when your phone is ready."),
     N_("Your phone is only charging"),
     N_("This screen changes by itself when your phone is ready."), "phone-file-transfer", 4,
     {{N_("Unlock your phone."), "phone-unlock", {NULL}},
      {N_("Pull down from the top of the screen."), "phone-swipe-down", {NULL}},
      {N_("Touch the USB message:"), "phone-usb-notification",
       {"USB charging", "Charging this device via USB"}},
      {N_("Then choose:"), "phone-file-transfer", {"File transfer"}}}},
    {"locked", "device.locked",
     N_("Your phone is locked. Unlock it. If it asks to allow access to phone data, touch "
        "Allow. This screen changes by itself when your phone is ready."),
     N_("Unlock your phone"), N_("This screen changes by itself when your phone is ready."),
     "phone-unlock", 2,
     {{N_("Unlock your phone."), "phone-unlock", {NULL}},
      {N_("If the phone asks, touch:"), "phone-allow", {"Allow"}}}},
    {"untrusted", "device.untrusted",
     N_("Unlock your iPhone. Touch Trust. Then type your passcode. This screen changes by itself "
        "when your iPhone is ready."),
     N_("Unlock your iPhone, touch \"Trust\", type your passcode"),
     N_("This screen changes by itself when your iPhone is ready."), "iphone-trust", 3,
     {{N_("Unlock your iPhone."), "iphone-unlock", {NULL}},
      {N_("Touch this:"), "iphone-trust", {"Trust"}},
      {N_("Type your passcode."), "iphone-passcode", {NULL}}}},
    {"not_answering", "device.not_answering",
     N_("Your phone is not answering. Unplug the cable and plug it in again. If it still does not "
        "open, ask a staff member for help."),
     N_("Your phone is not answering"), NULL, "replug", 2,
     {{N_("Unplug the cable and plug it in again."), "replug", {NULL}},
      {N_("If it still does not open, ask a staff member for help."), "ask-staff", {NULL}}}},
    {"busy", "device.busy",
     N_("Your phone is busy right now. Unplug the cable, wait a moment, and plug it in again. If "
        "it still does not open, ask a staff member for help."),
     N_("Your phone is busy right now"), NULL, "replug", 2,
     {{N_("Unplug the cable, wait a moment, and plug it in again."), "replug", {NULL}},
      {N_("If it still does not open, ask a staff member for help."), "ask-staff", {NULL}}}},
    {"failed", "device.failed",
     N_("Your phone could not be opened. Unplug the cable and plug it in again. If it still does "
        "not open, ask a staff member for help."),
     N_("Your phone could not be opened"), NULL, "replug", 2,
     {{N_("Unplug the cable and plug it in again."), "replug", {NULL}},
      {N_("If it still does not open, ask a staff member for help."), "ask-staff", {NULL}}}},
};
const size_t guide_ndevices = sizeof guide_devices / sizeof guide_devices[0];

const struct guide_device *guide_device_find(const char *state)
{
    for (size_t i = 0; state && i < guide_ndevices; i++)
        if (!strcmp(guide_devices[i].state, state))
            return &guide_devices[i];
    return NULL;
}

/* Case codes are digits (report.c); the letters of older kiosks' codes
 * (0-9 and A-Z without I, L, O and U) stay, so any code can be spoken. */
static const char *const char_clips[36] = {
    "char.0", "char.1", "char.2", "char.3", "char.4", "char.5", "char.6", "char.7", "char.8",
    "char.9", "char.A", "char.B", "char.C", "char.D", "char.E", "char.F", "char.G", "char.H",
    "char.I", "char.J", "char.K", "char.L", "char.M", "char.N", "char.O", "char.P", "char.Q",
    "char.R", "char.S", "char.T", "char.U", "char.V", "char.W", "char.X", "char.Y", "char.Z",
};
/* TRANSLATORS: a digit or a Latin letter of a case code, as said aloud
 * one at a time (Urdu: the digit's word; a letter's name as Urdu speakers
 * say it, e.g. K is "کے"). */
static const char *const char_texts[36] = {
    N_("zero"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"),
    N_("seven"), N_("eight"), N_("nine"),
    N_("letter A"), N_("letter B"), N_("letter C"), N_("letter D"), N_("letter E"),
    N_("letter F"), N_("letter G"), N_("letter H"), N_("letter I"), N_("letter J"),
    N_("letter K"), N_("letter L"), N_("letter M"), N_("letter N"), N_("letter O"),
    N_("letter P"), N_("letter Q"), N_("letter R"), N_("letter S"), N_("letter T"),
    N_("letter U"), N_("letter V"), N_("letter W"), N_("letter X"), N_("letter Y"),
    N_("letter Z"),
};

static int char_index(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z')
        return 10 + c - 'A';
    return -1;
}

const char *guide_char_clip(char c)
{
    int i = char_index(c);
    return i < 0 ? NULL : char_clips[i];
}

const struct guide_screen *guide_screen_find(const char *screen, const char *part)
{
    const struct guide_screen *whole = NULL;
    for (size_t i = 0; i < guide_nscreens; i++) {
        const struct guide_screen *g = &guide_screens[i];
        if (strcmp(g->screen, screen))
            continue;
        if (!strcmp(g->part, part ? part : ""))
            return g;
        if (!*g->part)
            whole = g;
    }
    return whole;
}

const struct guide_string *guide_string_find_label(const char *label)
{
    if (!label)
        return NULL;
    for (size_t i = 0; i < guide_nstrings; i++)
        if (!strcmp(_(guide_strings[i].text), label))
            return &guide_strings[i];
    /* "Next (12)": a count in brackets after a label is not read. */
    const char *br = strstr(label, " (");
    size_t n = br ? (size_t)(br - label) : 0;
    if (!n || label[strlen(label) - 1] != ')')
        return NULL;
    for (size_t i = 0; i < guide_nstrings; i++) {
        const char *t = _(guide_strings[i].text);
        if (strlen(t) == n && !strncmp(t, label, n))
            return &guide_strings[i];
    }
    return NULL;
}

const struct guide_string *guide_string_find_text(const char *msgid)
{
    for (size_t i = 0; i < guide_nstrings; i++)
        if (!strcmp(guide_strings[i].text, msgid))
            return &guide_strings[i];
    return NULL;
}

void guide_each_clip(void (*fn)(void *ctx, const char *clip, const char *msgid, bool slow),
                     void *ctx)
{
    for (size_t i = 0; i < guide_nscreens; i++)
        fn(ctx, guide_screens[i].clip, guide_screens[i].text, false);
    for (size_t i = 0; i < guide_nstrings; i++)
        fn(ctx, guide_strings[i].clip, guide_strings[i].text, false);
    fn(ctx, GUIDE_CLIP_CODE_IS, N_("Your case code is:"), false);
    fn(ctx, GUIDE_CLIP_PIN_IS, N_("Your secret number is:"), false);
    fn(ctx, GUIDE_CLIP_AGAIN, N_("Once more."), false);
    fn(ctx, GUIDE_CLIP_DEVICE_FOUND,
       N_("Your phone or card is connected. Touch it on the screen to open it."), false);
    fn(ctx, GUIDE_CLIP_SOME_FAILED,
       N_("Some files could not be used. The reasons are on the screen. To go on with the "
          "others, press Next."),
       false);
    fn(ctx, GUIDE_CLIP_NONE_MADE,
       N_("No picture codes could be made. You can try again, or ask a staff member for help."),
       false);
    /* A phone's states, and its cable pulled while fingerprinting. */
    for (size_t i = 0; i < guide_ndevices; i++)
        fn(ctx, guide_devices[i].clip, guide_devices[i].say, false);
    fn(ctx, GUIDE_CLIP_DEVICE_REMOVED,
       N_("Your phone or card was taken out. The picture codes already made are kept. To make "
          "the rest, plug it in again."),
       false);
    fn(ctx, GUIDE_CLIP_DEVICE_BACK,
       N_("Your phone or card is connected again. To make the rest of the picture codes, press "
          "Try again."),
       false);
    for (int i = 0; i < 36; i++)
        fn(ctx, char_clips[i], char_texts[i], true);
}

/* Was pictogram ic named before guide_devices[di] (step si; -1: its own
 * icon), by a screen, a label or an earlier state? */
static bool device_icon_earlier(const char *ic, size_t di, int si)
{
    for (size_t k = 0; k < guide_nscreens; k++)
        if (guide_screens[k].icon && !strcmp(guide_screens[k].icon, ic))
            return true;
    for (size_t k = 0; k < guide_nstrings; k++)
        if (guide_strings[k].icon && !strcmp(guide_strings[k].icon, ic))
            return true;
    for (size_t k = 0; k <= di; k++) {
        const struct guide_device *g = &guide_devices[k];
        int upto = k < di ? g->nsteps : si;
        if (g->icon && (k < di || si >= 0) && !strcmp(g->icon, ic))
            return true;
        for (int s = 0; s < upto; s++)
            if (g->steps[s].icon && !strcmp(g->steps[s].icon, ic))
                return true;
    }
    return false;
}

void guide_each_icon(void (*fn)(void *ctx, const char *icon), void *ctx)
{
    for (size_t i = 0; i < guide_nscreens; i++) {
        const char *ic = guide_screens[i].icon;
        if (!ic)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = guide_screens[k].icon && !strcmp(guide_screens[k].icon, ic);
        if (!seen)
            fn(ctx, ic);
    }
    for (size_t i = 0; i < guide_nstrings; i++) {
        const char *ic = guide_strings[i].icon;
        if (!ic)
            continue;
        bool seen = false;
        for (size_t k = 0; k < guide_nscreens && !seen; k++)
            seen = guide_screens[k].icon && !strcmp(guide_screens[k].icon, ic);
        for (size_t k = 0; k < i && !seen; k++)
            seen = guide_strings[k].icon && !strcmp(guide_strings[k].icon, ic);
        if (!seen)
            fn(ctx, ic);
    }
    /* A phone's states (guide_devices): their pictograms and their steps'. */
    for (size_t i = 0; i < guide_ndevices; i++)
        for (int k = -1; k < guide_devices[i].nsteps; k++) {
            const char *ic = k < 0 ? guide_devices[i].icon : guide_devices[i].steps[k].icon;
            if (ic && !device_icon_earlier(ic, i, k))
                fn(ctx, ic);
        }
}
