/* Staff connect the kiosk to a Wi-Fi network for "Upload now": the list
 * (strongest first, bars, a lock for secured ones), a password page with
 * an on-screen keyboard (and the physical one), connecting with Cancel and
 * a timeout (wifi.h), and the outcome with the way on. Scans and connects
 * run on worker jobs: the radio can take seconds, the screen never waits.
 * The password lives in sodium_malloc'd memory, wiped after use; no name
 * or password is ever printed (test events say wifi=connected or
 * wifi=failed reason=... only). */
#include "staff_wifi.h"

#include "wifi.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum wjob_kind { WJ_SCAN, WJ_CONNECT };

struct wjob {
    enum wjob_kind kind;
    struct wifi *w;
    SDL_atomic_t stop;           /* staff left or cancelled: disconnect at the end */
    unsigned visit;              /* the staff visit that started it */
    bool have_key;
    uint8_t key[WIFI_STORE_KEY_SIZE];
    char dir[1200];
    /* scan */
    struct wifi_network nets[WIFI_MAX_NETWORKS];
    bool remembered[WIFI_MAX_NETWORKS];
    size_t n;
    int rc;
    bool no_radio;
    /* connect */
    struct wifi_network net;
    char pass[WIFI_PASS_MAX + 1];   /* the job is sodium_malloc'd */
    bool from_store, remember, store_failed;
    struct wifi_status st;
};

static struct {
    unsigned visit;
    struct wjob *job;            /* the job of this visit, or NULL */
    bool scanned, scan_failed, no_radio;
    struct wifi_network nets[WIFI_MAX_NETWORKS];
    bool remembered[WIFI_MAX_NETWORKS];
    size_t n;
    struct wifi_network target;
    bool target_remembered;
    char *pass;                  /* sodium_malloc'd, WIFI_PASS_MAX + 1 */
    bool show, shift, symbols, remember;
    bool submit;                 /* Enter on Connect, taken by the next frame */
    struct wifi_status result;
    bool store_failed, cancelled;
    bool drop_after_upload;
    char note[200];
    struct ui_scroll list;
} ws;

static SDL_atomic_t visit_now;   /* for jobs: the current visit */

static bool store_key(struct app *a, uint8_t key[WIFI_STORE_KEY_SIZE])
{
    uint8_t secret[32];
    bool ok = a->cfg && a->data_dir && !a->default_demo && config_kiosk_key_secret(a->cfg, secret) == 1;
    if (ok)
        wifi_store_key(secret, key);
    sodium_memzero(secret, sizeof secret);
    return ok;
}

static struct wjob *job_new(struct app *a, enum wjob_kind kind)
{
    struct wjob *j = sodium_malloc(sizeof *j);
    if (!j)
        return NULL;
    memset(j, 0, sizeof *j);
    j->kind = kind;
    j->w = a->wifi;
    j->visit = ws.visit;
    j->have_key = store_key(a, j->key);
    snprintf(j->dir, sizeof j->dir, "%s", a->data_dir ? a->data_dir : "");
    return j;
}

static void job_free(struct wjob *j)
{
    sodium_memzero(j, sizeof *j);
    sodium_free(j);
}

/* Staff left while it ran: the network goes down with them (unless they
 * came back meanwhile: then the new visit owns it). */
static void finish_run(struct wjob *j)
{
    if (SDL_AtomicGet(&j->stop) && (unsigned)SDL_AtomicGet(&visit_now) == j->visit + 1)
        wifi_disconnect(j->w);
}

static void scan_run(struct app_job *h, void *arg)
{
    (void)h;
    struct wjob *j = arg;
    j->no_radio = !wifi_present(j->w);
    j->rc = j->no_radio ? -1 : wifi_scan(j->w, j->nets, WIFI_MAX_NETWORKS, &j->n);
    for (size_t i = 0; j->rc == 0 && j->have_key && i < j->n; i++) {
        char err[200];
        j->remembered[i] = wifi_store_get(j->dir, j->key, j->nets[i].ssid, j->nets[i].ssid_len,
                                          j->pass, err, sizeof err) == 1;
        sodium_memzero(j->pass, sizeof j->pass);
    }
    finish_run(j);
}

static void connect_run(struct app_job *h, void *arg)
{
    struct wjob *j = arg;
    char err[200];
    if (j->from_store && (!j->have_key || wifi_store_get(j->dir, j->key, j->net.ssid, j->net.ssid_len,
                                                         j->pass, err, sizeof err) != 1))
        j->pass[0] = '\0';
    bool needs = wifi_security_needs_passphrase(j->net.security);
    if (wifi_connect(j->w, &j->net, needs ? j->pass : NULL) != 0) {
        wifi_last_status(j->w, &j->st);
        if (j->st.state != WIFI_FAILED)
            j->st = (struct wifi_status){.state = WIFI_FAILED, .reason = WIFI_REASON_ERROR};
    } else {
        /* wifi_wait() applies the connect and address timeouts: this ends. */
        do {
            wifi_wait(j->w, 200, &j->st);
            app_job_wake(h);
        } while (j->st.state == WIFI_CONNECTING && !SDL_AtomicGet(&j->stop) && !app_job_cancelled(h));
        if (j->st.state == WIFI_CONNECTING) {
            wifi_disconnect(j->w);
            j->st = (struct wifi_status){.state = WIFI_DISCONNECTED};
        }
    }
    if (j->st.state == WIFI_CONNECTED && j->remember && j->have_key && !j->from_store &&
        wifi_store_put(j->dir, j->key, j->net.ssid, j->net.ssid_len, needs ? j->pass : NULL, err,
                       sizeof err) != 0)
        j->store_failed = true;
    sodium_memzero(j->pass, sizeof j->pass);
    finish_run(j);
}

static void job_done(struct app *a, void *arg, bool cancelled)
{
    struct wjob *j = arg;
    if (j == ws.job) {
        ws.job = NULL;
        if (j->kind == WJ_SCAN) {
            ws.scanned = true;
            ws.no_radio = j->no_radio;
            ws.scan_failed = j->rc != 0 && !j->no_radio;
            ws.n = j->rc == 0 ? j->n : 0;
            memcpy(ws.nets, j->nets, ws.n * sizeof ws.nets[0]);
            memcpy(ws.remembered, j->remembered, sizeof ws.remembered);
            if (ws.scan_failed)
                snprintf(ws.note, sizeof ws.note, "%s", wifi_error(a->wifi));
        } else if (!cancelled) {
            ws.result = j->st;
            ws.store_failed = j->store_failed;
            if (j->st.state == WIFI_CONNECTED)
                app_test_event(a, "wifi=connected");
            else if (j->st.state == WIFI_FAILED) {
                char ev[64];
                snprintf(ev, sizeof ev, "wifi=failed reason=%s", wifi_reason_name(j->st.reason));
                app_test_event(a, ev);
            }
            if (j->st.state == WIFI_FAILED && j->st.reason == WIFI_REASON_ERROR)
                snprintf(ws.note, sizeof ws.note, "%s", wifi_error(a->wifi));
            /* A remembered password that failed is asked for again. */
            ws.target_remembered &= j->st.state != WIFI_FAILED || j->st.reason != WIFI_REASON_WRONG_KEY;
        }
        a->dirty = true;
    }
    job_free(j);
}

static void start_scan(struct app *a)
{
    if (ws.job || !a->wifi)
        return;
    struct wjob *j = job_new(a, WJ_SCAN);
    if (!j)
        return;
    ws.note[0] = '\0';
    ws.job = j;
    if (app_start_job(a, scan_run, job_done, j) != 0) {
        ws.job = NULL;
        job_free(j);
    }
}

static void start_connect(struct app *a)
{
    if (ws.job)
        return;
    struct wjob *j = job_new(a, WJ_CONNECT);
    if (!j)
        return;
    j->net = ws.target;
    j->from_store = ws.target_remembered;
    j->remember = ws.remember;
    if (!j->from_store && ws.pass)
        memcpy(j->pass, ws.pass, WIFI_PASS_MAX + 1);
    if (ws.pass)
        sodium_memzero(ws.pass, WIFI_PASS_MAX + 1);
    memset(&ws.result, 0, sizeof ws.result);
    ws.result.state = WIFI_CONNECTING;
    ws.store_failed = ws.cancelled = false;
    ws.note[0] = '\0';
    ws.job = j;
    if (app_start_job(a, connect_run, job_done, j) != 0) {
        ws.job = NULL;
        job_free(j);
        ws.result.state = WIFI_FAILED;
        ws.result.reason = WIFI_REASON_ERROR;
    }
}

void staff_wifi_enter(struct app *a)
{
    (void)a;
    unsigned v = ws.visit + 1;
    char *pass = ws.pass;
    bool drop = ws.drop_after_upload;
    memset(&ws, 0, sizeof ws);
    ws.visit = v;
    ws.pass = pass;
    ws.drop_after_upload = drop;
    SDL_AtomicSet(&visit_now, (int)(v + 1));
    if (!ws.pass)
        ws.pass = sodium_malloc(WIFI_PASS_MAX + 1);
    if (ws.pass)
        sodium_memzero(ws.pass, WIFI_PASS_MAX + 1);
}

void staff_wifi_open(struct app *a)
{
    ws.scanned = false;
    ws.n = 0;
    start_scan(a);
}

bool staff_wifi_connecting(const struct app *a)
{
    (void)a;
    return ws.job && ws.job->kind == WJ_CONNECT;
}

void staff_wifi_leave(struct app *a, bool upload_running)
{
    if (ws.pass)
        sodium_free(ws.pass);   /* wipes it */
    ws.pass = NULL;
    memset(&ws.target, 0, sizeof ws.target);
    memset(ws.nets, 0, sizeof ws.nets);
    ws.n = 0;
    /* Jobs still running see the visit end. */
    SDL_AtomicSet(&visit_now, 0);
    if (!a->wifi)
        return;
    if (upload_running) {
        ws.drop_after_upload = true;   /* the upload needs the network */
        ws.job = NULL;
        return;
    }
    if (ws.job) {
        /* It holds the radio (a scan can take seconds): it disconnects at
         * its end; the screen does not wait for it. */
        SDL_AtomicSet(&visit_now, (int)(ws.job->visit + 1));
        SDL_AtomicSet(&ws.job->stop, 1);
        ws.job = NULL;
        return;
    }
    wifi_disconnect(a->wifi);
}

static void drop_run(struct app_job *h, void *arg)
{
    (void)h;
    wifi_disconnect(arg);
}

void staff_wifi_start(struct app *a)
{
    if (a->wifi)
        app_start_job(a, drop_run, NULL, a->wifi);
}

void staff_wifi_upload_done(struct app *a)
{
    if (!ws.drop_after_upload || !a->wifi)
        return;
    ws.drop_after_upload = false;
    /* Back on the staff screen meanwhile: staff have the network again. */
    if (a->screen == SCREEN_STAFF)
        return;
    app_start_job(a, drop_run, NULL, a->wifi);
}

const char *staff_wifi_focus(enum staff_wifi_page pg)
{
    switch (pg) {
    case SW_PASSWORD: return "staff.wifi.connect";
    case SW_STATUS: return "staff.wifi.status.back";
    default: return "staff.wifi.back";
    }
}

/* ---- drawing */

/* Signal bars at the end of r: 4 steps, the lit ones in the text colour. */
static void draw_bars(struct ui_ctx *ui, struct ui_rect r, int bars)
{
    const struct ui_theme *t = ui_theme(ui);
    int bw = (int)(6 * t->scale) + 1, gap = bw / 2 + 1, hmax = r.h / 2;
    int x = ui_dir(ui) == TEXT_DIR_RTL ? r.x : r.x + r.w - 4 * (bw + gap);
    int base = r.y + (r.h + hmax) / 2;
    for (int i = 0; i < 4; i++) {
        int h = hmax * (i + 1) / 4;
        ui_fill(ui, (struct ui_rect){x + i * (bw + gap), base - h, bw, h}, i < bars ? t->text : t->track,
                1);
    }
}

/* The state in one line (the list's top). */
static void status_line(struct app *a, char *buf, size_t n, int *icon, bool *bad)
{
    struct wifi_status st;
    wifi_last_status(a->wifi, &st);
    *bad = false;
    *icon = TEXT_ICON_INFO;
    if (staff_wifi_connecting(a)) {
        /* TRANSLATORS: %s is a Wi-Fi network's name. */
        snprintf(buf, n, _("Connecting to %s..."), ws.target.shown);
        *icon = TEXT_ICON_CLOCK;
    } else if (st.state == WIFI_CONNECTED) {
        /* TRANSLATORS: a Wi-Fi network's name and the address it gave. */
        snprintf(buf, n, _("Connected to %1$s (%2$s)"), ws.target.shown, st.ipv4);
        *icon = TEXT_ICON_CHECK;
    } else
        snprintf(buf, n, "%s", _("Not connected"));
}

static const char *failure_text(enum wifi_reason r)
{
    switch (r) {
    case WIFI_REASON_WRONG_KEY: return _("The password is wrong.");
    case WIFI_REASON_NOT_FOUND: return _("The network cannot be found. Move closer to it, or check that it is switched on.");
    case WIFI_REASON_NO_ADDRESS: return _("No address from the network. Try again, or ask whoever runs the network.");
    case WIFI_REASON_TIMEOUT: return _("The network did not answer in time.");
    default: return _("Wi-Fi is not working:");
    }
}

static int draw_list(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    if (page_nav(ui, p, "staff.wifi.back", _("Back"), NULL, NULL, false) == NAV_BACK)
        return SW_STAFF;
    struct wifi_status st;
    wifi_last_status(a->wifi, &st);
    bool connected = st.state == WIFI_CONNECTED && !ws.job;
    if (connected) {
        struct ui_button_spec d = {.label = _("Disconnect"), .icon = TEXT_ICON_CLOSE,
                                   .style = UI_BUTTON_SECONDARY};
        if (ui_button(ui, "staff.wifi.disconnect", ui_cut_end(ui, &p->nav, ui_button_width(ui, &d)), &d)) {
            wifi_disconnect(a->wifi);
            a->dirty = true;
        }
        ui_cut_end(ui, &p->nav, t->gap);
    }
    struct ui_button_spec rf = {.label = _("Refresh"), .icon = -1, .style = UI_BUTTON_SECONDARY,
                                .disabled = ws.job != NULL};
    if (ui_button(ui, "staff.wifi.refresh", ui_cut_end(ui, &p->nav, ui_button_width(ui, &rf)), &rf))
        start_scan(a);
    page_title(ui, p, _("Wi-Fi"), -1);
    if (ws.no_radio) {
        icon_row(ui, p->body, TEXT_ICON_INFO, t->muted, _("This machine has no Wi-Fi."), UI_FONT_BODY, false);
        return SW_STAY;
    }
    char line[300];
    int icon;
    bool bad;
    status_line(a, line, sizeof line, &icon, &bad);
    int h = icon_row(ui, p->body, icon, icon == TEXT_ICON_CHECK ? t->primary : t->muted, line,
                     UI_FONT_SMALL, false);
    ui_cut_top(&p->body, h + t->gap / 2);
    if (!ws.scanned || (ws.job && ws.job->kind == WJ_SCAN)) {
        icon_row(ui, p->body, TEXT_ICON_CLOCK, t->muted, _("Looking for networks..."), UI_FONT_BODY, false);
        return SW_STAY;
    }
    if (ws.scan_failed) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s %s", _("Wi-Fi is not working:"), ws.note);
        icon_row(ui, p->body, TEXT_ICON_WARNING, t->danger, msg, UI_FONT_SMALL, false);
        return SW_STAY;
    }
    if (!ws.n) {
        icon_row(ui, p->body, TEXT_ICON_INFO, t->muted, _("No networks found. Refresh to look again."),
                 UI_FONT_BODY, false);
        return SW_STAY;
    }
    /* One row per network: its name (a lock when secured), its bars at the
     * end, Forget beside a remembered one. Rows scroll. */
    int row = t->touch, g = t->gap / 2;
    int content = (int)ws.n * (row + g);
    struct ui_scroll_area sa;
    ui_scroll_begin(ui, &sa, "staff.wifi.list", p->body, content, &ws.list);
    uint32_t base = ui_id("staff.wifi.net"), fbase = ui_id("staff.wifi.forget");
    int next = SW_STAY;
    for (size_t i = 0; i < ws.n; i++) {
        const struct wifi_network *n = &ws.nets[i];
        struct ui_rect r = {p->body.x, p->body.y + (int)i * (row + g) - ws.list.offset, p->body.w, row};
        bool ok = wifi_security_supported(n->security);
        char label[WIFI_SHOWN_MAX + 80];
        if (ok)
            snprintf(label, sizeof label, "%s", n->shown);
        else
            /* TRANSLATORS: a Wi-Fi network the kiosk cannot join (enterprise, WEP). */
            snprintf(label, sizeof label, _("%s (not supported)"), n->shown);
        if (ws.remembered[i]) {
            struct ui_button_spec fb = {.label = _("Forget"), .icon = -1, .style = UI_BUTTON_SECONDARY};
            struct ui_rect fr = ui_cut_end(ui, &r, ui_button_width(ui, &fb));
            ui_cut_end(ui, &r, g);
            if (ui_button_id(ui, ui_id_index(fbase, (int)i), fr, &fb)) {
                uint8_t key[WIFI_STORE_KEY_SIZE];
                char err[200];
                if (store_key(a, key) &&
                    wifi_store_forget(a->data_dir, key, n->ssid, n->ssid_len, err, sizeof err) == 0)
                    ws.remembered[i] = false;
                sodium_memzero(key, sizeof key);
                a->dirty = true;
            }
        }
        struct ui_button_spec b = {.label = label,
                                   .icon = wifi_security_needs_passphrase(n->security) ? TEXT_ICON_LOCK : -1,
                                   .style = UI_BUTTON_SECONDARY, .disabled = !ok || ws.job != NULL};
        bool hit = ui_button_id(ui, ui_id_index(base, (int)i), r, &b);
        draw_bars(ui, ui_inset(r, t->pad / 2), n->bars);
        if (hit) {
            ws.target = *n;
            ws.target_remembered = ws.remembered[i];
            ws.remember = true;
            ws.show = ws.shift = ws.symbols = ws.submit = false;
            if (ws.pass)
                sodium_memzero(ws.pass, WIFI_PASS_MAX + 1);
            if (wifi_security_needs_passphrase(n->security) && !ws.target_remembered)
                next = SW_PASSWORD;
            else {
                start_connect(a);
                next = SW_STATUS;
            }
        }
    }
    ui_scroll_end(ui, &sa);
    return next;
}

/* ---- the password page */

static const char *const letters[] = {"1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm._@"};
static const char *const symbols[] = {"1234567890", "!\"#$%&'()*", "+,/:;<=>?[", "\\]^`{|}~-_"};
enum { K_SHIFT = 200, K_SYMBOLS, K_ERASE, K_SHOW };

static void type_char(char c)
{
    size_t n = ws.pass ? strlen(ws.pass) : WIFI_PASS_MAX;
    if (n < WIFI_PASS_MAX && c >= 0x20 && c <= 0x7e) {
        ws.pass[n] = c;
        ws.pass[n + 1] = '\0';
    }
}

static void erase_char(void)
{
    size_t n = ws.pass ? strlen(ws.pass) : 0;
    if (n)
        ws.pass[n - 1] = '\0';
}

bool staff_wifi_event(struct app *a, const struct ui_event *e, enum staff_wifi_page pg)
{
    if (pg != SW_PASSWORD || !ws.pass)
        return false;
    if (e->kind == UI_EV_TEXT) {
        for (const char *s = e->text; *s; s++)
            type_char(*s);
        a->dirty = true;
        return true;
    }
    if (e->kind == UI_EV_KEY_DOWN) {
        if (e->key == UI_KEY_BACKSPACE) {
            erase_char();
            a->dirty = true;
            return true;
        }
        /* A space typed is text (UI_EV_TEXT), not "press the focused button". */
        if (e->key == UI_KEY_SPACE)
            return true;
        /* Enter on Connect connects once the password is long enough, as
         * the password stands now: the UI would judge the button by the
         * last frame, which on a slow machine may predate the last keys
         * typed (and then Enter on a disabled button moves the focus). */
        if (e->key == UI_KEY_ENTER && ui_focus(a->ui) == ui_id("staff.wifi.connect")) {
            ws.submit = wifi_passphrase_ok(ws.pass);
            a->dirty = true;
            return true;
        }
    }
    return false;
}

static int draw_password(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    size_t len = ws.pass ? strlen(ws.pass) : 0;
    bool good = ws.pass && wifi_passphrase_ok(ws.pass);
    enum nav_action na = page_nav(ui, p, "staff.wifi.password.back", _("Back"), "staff.wifi.connect",
                                  _("Connect"), !good);
    if (na == NAV_BACK) {
        sodium_memzero(ws.pass, WIFI_PASS_MAX + 1);
        return SW_LIST;
    }
    if (na == NAV_NEXT || (ws.submit && good)) {
        ws.submit = false;
        start_connect(a);
        return SW_STATUS;
    }
    ws.submit = false;
    /* Remember this network: between Back and Connect, when the kiosk can
     * keep it encrypted (kiosk_key_secret set). */
    uint8_t key[WIFI_STORE_KEY_SIZE];
    if (store_key(a, key)) {
        const char *rl = _("Remember this network");
        struct ui_rect tr = ui_inset(p->nav, 0);
        tr.x += t->gap, tr.w -= 2 * t->gap;
        if (tr.w > 0)
            ui_toggle(ui, "staff.wifi.remember", tr, rl, &ws.remember);
    }
    sodium_memzero(key, sizeof key);
    /* No title row: the keyboard needs the height (five rows of touch-sized
     * keys on a 1024x600 netbook). The field says whose password it is. */
    char title[WIFI_SHOWN_MAX + 100];
    /* TRANSLATORS: %s is a Wi-Fi network's name. */
    snprintf(title, sizeof title, _("The password for %s"), ws.target.shown);
    struct ui_rect field = ui_cut_top(&p->body, t->touch);
    ui_fill(ui, field, t->surface, t->radius);
    ui_frame(ui, field, t->border, t->radius, t->border_w);
    /* Its end: the network (or, while too short, the rule), muted. */
    struct ui_rect lr = ui_inset(field, t->pad / 2);
    /* (A long password shown in clear takes the whole field.) */
    struct ui_rect note = ui_cut_end(ui, &lr, ws.show && len > 20 ? 0 : lr.w * 11 / 20);
    const char *hint = len && !good ? _("A Wi-Fi password has 8 to 63 letters, digits or symbols.") : title;
    const struct text_block *hb =
        note.w > 0 ? ui_text_block(ui, hint, UI_FONT_SMALL, note.w, TEXT_ALIGN_END, 0) : NULL;
    enum ui_role role = ui_set_role(ui, UI_ROLE_TITLE);
    if (hb)
        ui_draw_block_vcenter(ui, hb, note.x, note, t->muted);
    ui_set_role(ui, role);
    /* Its start: dots unless shown; Latin, left to right. */
    char shown[WIFI_PASS_MAX * 3 + 8];
    if (ws.show && ws.pass)
        snprintf(shown, sizeof shown, "%s", ws.pass);
    else {
        size_t o = 0;
        for (size_t i = 0; i < len; i++, o += 3)
            memcpy(shown + o, "\xe2\x80\xa2", 3);   /* U+2022 */
        shown[o] = '\0';
    }
    struct text_style s;
    text_style_init(&s);
    s.size = t->font_body;
    s.dir = TEXT_DIR_LTR;
    s.max_lines = 1;
    memcpy(s.lang, "en", 3);
    const struct text_block *b = len ? text_get(ui_text_ctx(ui), shown, &s) : NULL;
    if (b)
        ui_draw_block(ui, b, ui_dir(ui) == TEXT_DIR_RTL ? lr.x + lr.w - b->width : lr.x,
                      field.y + (field.h - b->height) / 2, t->text);
    sodium_memzero(shown, sizeof shown);

    /* The keyboard: always Latin, left to right, in both languages. */
    const char *const *layer = ws.symbols ? symbols : letters;
    int kg = (int)(6 * t->scale) + 2;
    /* Touch-sized keys first; the gaps give way on a netbook. */
    if (5 * t->touch + 5 * kg > p->body.h)
        kg = (p->body.h - 5 * t->touch) / 5 > 2 ? (p->body.h - 5 * t->touch) / 5 : 2;
    ui_cut_top(&p->body, kg);
    int kh = (p->body.h - 4 * kg) / 5;
    if (kh > t->button_h)
        kh = t->button_h;
    if (kh < t->touch)
        kh = t->touch;
    uint32_t base = ui_id("staff.wifi.key");
    struct ui_rect kb = p->body;
    for (int r = 0; r < 5; r++) {
        struct ui_rect row = {kb.x, kb.y + r * (kh + kg), kb.w, kh};
        if (r < 4) {
            int n = (int)strlen(layer[r]);
            int kw = (row.w - (n - 1) * kg) / n;
            for (int i = 0; i < n; i++) {
                char c = layer[r][i];
                if (ws.shift && c >= 'a' && c <= 'z')
                    c = (char)(c - 32);
                char lab[2] = {c, 0};
                /* The character drawn by us in the Latin font: a button's
                 * label would follow the UI's language (Urdu digits and
                 * marks, mirrored punctuation). */
                struct ui_button_spec kbs = {.label = "", .icon = -1, .style = UI_BUTTON_SECONDARY,
                                             .voice = lab};
                struct ui_rect kr = {row.x + i * (kw + kg), row.y, kw, kh};
                if (ui_button_id(ui, ui_id_index(base, (unsigned char)c), kr, &kbs)) {
                    type_char(c);
                    a->dirty = true;
                }
                struct text_style ks;
                text_style_init(&ks);
                ks.size = t->font_button;
                ks.dir = TEXT_DIR_LTR;
                memcpy(ks.lang, "en", 3);
                const struct text_block *kt = text_get(ui_text_ctx(ui), lab, &ks);
                if (kt)
                    ui_draw_block(ui, kt, kr.x + (kr.w - kt->width) / 2, kr.y + (kr.h - kt->height) / 2,
                                  t->primary);
            }
            continue;
        }
        /* Shift, symbols, space, erase, show/hide. */
        struct {
            int id;
            const char *label;
            int icon, weight;
        } k[] = {
            {K_SHIFT, ws.shift ? "abc" : "ABC", -1, 2},
            {K_SYMBOLS, ws.symbols ? "abc" : "!?#", -1, 2},
            {' ', _("Space"), -1, 4},
            {K_ERASE, "", TEXT_ICON_ERASE, 2},
            {K_SHOW, ws.show ? _("Hide") : _("Show"), TEXT_ICON_EYE, 3},
        };
        int x = row.x, units = 13, uw = (row.w - 4 * kg) / units;
        for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
            int w = uw * k[i].weight;
            if (i == sizeof k / sizeof k[0] - 1)
                w = row.x + row.w - x;
            struct ui_button_spec kbs = {.label = k[i].label, .icon = k[i].icon,
                                         .style = UI_BUTTON_SECONDARY,
                                         .voice = k[i].id == K_ERASE ? _("Erase") : NULL};
            if (ui_button_id(ui, ui_id_index(base, k[i].id), (struct ui_rect){x, row.y, w, kh}, &kbs)) {
                switch (k[i].id) {
                case K_SHIFT: ws.shift = !ws.shift; break;
                case K_SYMBOLS: ws.symbols = !ws.symbols; break;
                case K_ERASE: erase_char(); break;
                case K_SHOW: ws.show = !ws.show; break;
                default: type_char(' '); break;
                }
                a->dirty = true;
            }
            x += w + kg;
        }
    }
    return SW_STAY;
}

/* ---- connecting, and how it ended */

static int draw_status(struct app *a, struct ui_ctx *ui, struct page *p)
{
    const struct ui_theme *t = ui_theme(ui);
    bool busy = staff_wifi_connecting(a);
    const struct wifi_status *r = &ws.result;
    const char *main = NULL;
    const char *main_id = "staff.wifi.status.next";
    int next = SW_STAY;
    if (busy)
        main = NULL;
    else if (r->state == WIFI_CONNECTED)
        main = _("Done");
    else if (r->state == WIFI_FAILED &&
             (r->reason == WIFI_REASON_WRONG_KEY || r->reason == WIFI_REASON_NO_ADDRESS ||
              r->reason == WIFI_REASON_TIMEOUT))
        main = _("Try again");
    enum nav_action na = page_nav(ui, p, "staff.wifi.status.back", busy ? _("Cancel") : _("Back to the list"),
                                  main ? main_id : NULL, main, false);
    if (na == NAV_BACK) {
        if (busy) {
            SDL_AtomicSet(&ws.job->stop, 1);
            ws.cancelled = true;
            return SW_STAY;
        }
        staff_wifi_open(a);
        return SW_LIST;
    }
    if (na == NAV_NEXT) {
        if (r->state == WIFI_CONNECTED)
            return SW_STAFF;
        if (r->reason == WIFI_REASON_WRONG_KEY && wifi_security_needs_passphrase(ws.target.security)) {
            if (ws.pass)
                sodium_memzero(ws.pass, WIFI_PASS_MAX + 1);
            return SW_PASSWORD;
        }
        start_connect(a);
        return SW_STAY;
    }
    if (busy || r->state == WIFI_CONNECTING) {
        char buf[300];
        snprintf(buf, sizeof buf, _("Connecting to %s..."), ws.target.shown);
        page_title(ui, p, buf, TEXT_ICON_CLOCK);
        page_text(ui, p, ws.cancelled ? _("Stopping...") : _("This can take up to a minute."),
                  UI_FONT_BODY, t->muted);
        return next;
    }
    if (r->state == WIFI_CONNECTED) {
        page_title(ui, p, _("Connected"), TEXT_ICON_CHECK);
        char buf[300];
        snprintf(buf, sizeof buf, _("Connected to %1$s (%2$s)"), ws.target.shown, r->ipv4);
        page_text(ui, p, buf, UI_FONT_BODY, t->text);
        page_text(ui, p,
                  _("Reports can be uploaded now. The network is switched off when you close the staff "
                    "screen."),
                  UI_FONT_BODY, t->muted);
        if (ws.store_failed)
            icon_row(ui, p->body, TEXT_ICON_WARNING, t->danger, _("The network could not be remembered."),
                     UI_FONT_SMALL, false);
        return next;
    }
    if (r->state == WIFI_FAILED) {
        page_title(ui, p, _("Not connected"), TEXT_ICON_WARNING);
        char buf[500];
        if (r->reason == WIFI_REASON_ERROR)
            snprintf(buf, sizeof buf, "%s %s", failure_text(r->reason), ws.note);
        else
            snprintf(buf, sizeof buf, "%s", failure_text(r->reason));
        page_text(ui, p, buf, UI_FONT_BODY, t->danger);
        return next;
    }
    /* Cancelled. */
    page_title(ui, p, _("Not connected"), TEXT_ICON_INFO);
    return next;
}

int staff_wifi_draw(struct app *a, struct ui_ctx *ui, struct page *p, enum staff_wifi_page pg)
{
    if (!a->wifi)
        return SW_STAFF;
    switch (pg) {
    case SW_PASSWORD: return draw_password(a, ui, p);
    case SW_STATUS: return draw_status(a, ui, p);
    default: return draw_list(a, ui, p);
    }
}
