/* Step 4, connect your device: phones by cable (by their model name, all
 * their storages as one device) and the cards and sticks mounted under the
 * media root, updated live as one is plugged in, taken out or unlocked.
 * Only a device that can be read is a button: choosing it opens it on
 * "Choose"; nothing is ever chosen for the person. A phone that cannot be
 * read yet says what to do, in words, numbered pictograms and its own
 * clip (device_help.h: "only charging" -> unlock, pull down, touch the USB
 * message, choose "File transfer"); the first such phone gets the big
 * explanation, any other a short row. When the phone does what was asked
 * it becomes a button by itself (the same device id) and the screen says
 * so. Nothing is ever written to a device. Staff courier sticks are left
 * out (volume_is_courier). */
#include "device_help.h"
#include "guide.h"

#include <stdio.h>
#include <string.h>

#define CONNECT_MAX 64

struct seen {
    uint64_t id;
    enum device_state state;
};

static struct {
    struct ui_scroll scroll;
    bool known;                 /* the list was looked at since entering */
    uint64_t featured;          /* the device with the big explanation (0: none) */
    enum device_state featured_state;
    size_t nseen;
    struct seen seen[CONNECT_MAX];
} st;

/* The person's devices: phones, and every volume but a staff courier stick. */
static size_t shown_devices(const struct app *a, const struct device_info **out)
{
    size_t n = 0;
    for (size_t i = 0; a->volumes && i < a->volumes->count && n < CONNECT_MAX; i++)
        if (!volume_is_courier(&a->volumes->v[i]))
            out[n++] = &a->volumes->v[i];
    return n;
}

/* The first device that cannot be read yet: its explanation is the big one. */
static const struct device_info *featured(const struct device_info *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i]->state != DEVICE_READY)
            return v[i];
    return NULL;
}

static const struct seen *seen_find(uint64_t id)
{
    for (size_t i = 0; i < st.nseen; i++)
        if (st.seen[i].id == id)
            return &st.seen[i];
    return NULL;
}

static void enter(struct app *a)
{
    memset(&st, 0, sizeof st);
    ui_set_focus(app_ui(a), ui_id_index(ui_id("connect.device"), 0));
}

/* Says what changed: a device that can now be opened ("touch it on the
 * screen"), or the state of the phone with the big explanation (its steps).
 * Listen again says the same until the next change. */
static void update(struct app *a)
{
    app_take_media_events(a, APP_EV_DEVICES);
    const struct device_info *v[CONNECT_MAX];
    size_t n = shown_devices(a, v);
    const struct device_info *f = featured(v, n);
    bool any_ready = false, newly_ready = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i]->state != DEVICE_READY)
            continue;
        any_ready = true;
        const struct seen *s = seen_find(v[i]->id);
        newly_ready |= !s || s->state != DEVICE_READY;
    }
    bool f_changed = f ? !st.featured || f->id != st.featured || f->state != st.featured_state
                       : st.featured != 0;
    if (!st.known) {
        /* Just entered: the screen's own words are playing. A phone that
         * needs something done says so at once instead. */
        if (f)
            narration_topic(a->narr, device_help_clip(f->state), true);
        else if (any_ready)
            narration_topic(a->narr, GUIDE_CLIP_DEVICE_FOUND, false);
    } else if (newly_ready) {
        narration_topic(a->narr, GUIDE_CLIP_DEVICE_FOUND, true);
    } else if (f_changed && f) {
        narration_topic(a->narr, device_help_clip(f->state), true);
    } else if (f_changed) {
        narration_topic(a->narr, any_ready ? GUIDE_CLIP_DEVICE_FOUND : NULL, false);
    } else if (!f && !any_ready) {
        narration_topic(a->narr, NULL, false);   /* all taken out: the screen's own words again */
    }
    st.known = true;
    st.featured = f ? f->id : 0;
    st.featured_state = f ? f->state : DEVICE_READY;
    st.nseen = 0;
    for (size_t i = 0; i < n; i++)
        st.seen[st.nseen++] = (struct seen){v[i]->id, v[i]->state};
}

static void choose(struct app *a, const struct device_info *v)
{
    if (v->state != DEVICE_READY)
        return;
    if (session_set_volume(&a->session, v->id, v->root, volume_name(a, v)) != 0)
        return;
    a->session.volume_kind = (uint8_t)v->kind;
    app_next(a);
}

/* "Galaxy A14  (64 GB)": all of a phone's storages are one device. */
static void device_label(const struct app *a, const struct device_info *v, char *buf, size_t n)
{
    char size[64];
    fmt_size(size, sizeof size, v->total_bytes);
    if (v->total_bytes)
        snprintf(buf, n, "%s  (%s)", volume_name(a, v), size);
    else
        snprintf(buf, n, "%s", volume_name(a, v));
}

static void draw(struct app *a, struct ui_ctx *ui, struct ui_rect area)
{
    const struct ui_theme *t = ui_theme(ui);
    struct page p;
    page_begin(ui, area, false, true, &p);
    if (page_nav(ui, &p, "connect.back", _("Back"), NULL, NULL, false) == NAV_BACK) {
        app_back(a);
        return;
    }
    const struct device_info *v[CONNECT_MAX];
    size_t n = shown_devices(a, v);
    const struct device_info *f = featured(v, n);
    /* One phone that needs something done: its state is the title and its
     * steps replace the general words. With several devices each says its
     * own, under the usual title. */
    const bool alone = f && n == 1;
    page_title(ui, &p, alone ? device_help_title(f->state) : _("Connect your phone or memory card"),
               TEXT_ICON_USB);
    if (!f)
        page_text(ui, &p,
                  _("Plug your phone into this machine with its cable. You can also use your "
                    "phone's memory card or a USB stick."),
                  UI_FONT_BODY, t->text);

    /* The reassurance beside Back (or at the bottom of the body when the
     * row has no room for it). */
    const char *safe = _("We only read from your device. Nothing on it is changed.");
    int sh = icon_row(ui, p.nav, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, true);
    if (sh <= p.nav.h) {
        struct ui_rect sr = {p.nav.x, p.nav.y + (p.nav.h - sh) / 2, p.nav.w, sh};
        icon_row(ui, sr, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, false);
    } else {
        sh = icon_row(ui, p.body, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, true);
        struct ui_rect sr = ui_cut_bottom(&p.body, sh);
        icon_row(ui, sr, TEXT_ICON_LOCK, t->muted, safe, UI_FONT_SMALL, false);
        ui_cut_bottom(&p.body, t->gap);
    }

    if (n == 0) {
        draw_card(ui, p.body);
        struct ui_rect box = p.body;
        int isz = (int)(56 * t->scale);
        const struct text_block *b = ui_text_block(ui, _("Waiting for a device..."), UI_FONT_BODY,
                                                   box.w - 2 * t->pad, TEXT_ALIGN_CENTER, 0);
        int h = isz + t->gap + (b ? b->height : 0);
        int y = box.y + (box.h - h) / 2;
        ui_draw_icon(ui, TEXT_ICON_CARD, (struct ui_rect){box.x + (box.w - isz) / 2, y, isz, isz},
                     t->muted);
        ui_draw_block(ui, b, box.x + t->pad, y + isz + t->gap, t->muted);
        return;
    }

    /* One row per device: first a large button for each that can be
     * opened, then a short row for each that cannot yet, then the big
     * explanation (numbered steps) for the first of those. */
    const struct device_info *order[CONNECT_MAX];
    int idx[CONNECT_MAX];
    size_t k = 0;
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < n; i++) {
            bool ready = v[i]->state == DEVICE_READY;
            if ((pass == 0 && ready) || (pass == 1 && !ready && v[i] != f) || (pass == 2 && v[i] == f)) {
                order[k] = v[i];
                idx[k++] = (int)i;
            }
        }
    int row = (int)(96 * t->scale), gap = (int)(10 * t->scale);
    if (n > 1) {
        row = t->button_h;   /* several: room for each */
        gap = (int)(6 * t->scale);
    }
    unsigned big = alone ? DEVICE_HELP_NOTE : DEVICE_HELP_HEADING | DEVICE_HELP_NAME | DEVICE_HELP_NOTE;
    const unsigned small = DEVICE_HELP_COMPACT | (n > 1 ? DEVICE_HELP_NAME : 0);
    int hs[CONNECT_MAX], content = 0;
    for (int pass = 0; pass < 3; pass++) {
        content = 0;
        for (size_t i = 0; i < k; i++) {
            const struct device_info *d = order[i];
            hs[i] = d->state == DEVICE_READY ? row
                                             : device_help(a, ui, p.body, d, d == f ? big : small, true);
            content += hs[i] + (i ? gap : 0);
        }
        /* Short of room: the note goes first (the voice says it too), then
         * the steps get smaller; what still does not fit scrolls. */
        if (content <= p.body.h || !f || pass == 2)
            break;
        if (big & DEVICE_HELP_NOTE)
            big &= ~DEVICE_HELP_NOTE;
        else
            big |= DEVICE_HELP_DENSE;
    }
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "connect.list", p.body, content, &st.scroll);
    uint32_t base = ui_id("connect.device");
    int y = 0;
    for (size_t i = 0; i < k; i++) {
        const struct device_info *d = order[i];
        struct ui_rect r = {p.body.x, p.body.y + y - st.scroll.offset, p.body.w, hs[i]};
        int at = y;
        y += hs[i] + gap;
        if (d->state != DEVICE_READY) {
            device_help(a, ui, r, d, d == f ? big : small, false);
            continue;
        }
        uint32_t id = ui_id_index(base, idx[i]);
        ui_scroll_follow_focus(ui, &st.scroll, id, at, hs[i]);
        char label[400];
        device_label(a, d, label, sizeof label);
        const bool phone = d->kind != DEVICE_KIND_VOLUME;
        struct ui_button_spec b = {.label = label,
                                   .icon = a->default_demo || phone ? TEXT_ICON_PHONE : TEXT_ICON_CARD,
                                   .style = UI_BUTTON_SECONDARY};
        if (ui_button_id(ui, id, r, &b)) {
            choose(a, d);
            break;
        }
    }
    ui_scroll_end(ui, &sa);
}

const struct screen screen_connect = {
    .name = "connect",
    .enter = enter,
    .update = update,
    .draw = draw,
};
