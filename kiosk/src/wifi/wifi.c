/* The front: one lock around the backend, the timeouts that keep a
 * connect from hanging, sorting, and checks common to every backend. */
#include "wifi_internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct wifi {
    const struct wifi_backend *b;
    void *impl;
    pthread_mutex_t lock;        /* the backend's calls, one at a time */
    pthread_mutex_t last_lock;   /* `last` and `err`, for wifi_last_status() */
    struct wifi_status last;
    int connect_ms, address_ms;
    long started, linked;        /* ms: connect asked, link up (0: not yet) */
    struct wifi_status failure;  /* the last connect's failure, until the next connect */
    char err[256];
};

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

bool wifi_security_supported(enum wifi_security s)
{
    return s == WIFI_SEC_OPEN || s == WIFI_SEC_PSK || s == WIFI_SEC_SAE;
}

bool wifi_security_needs_passphrase(enum wifi_security s)
{
    return s == WIFI_SEC_PSK || s == WIFI_SEC_SAE;
}

const char *wifi_state_name(enum wifi_state s)
{
    static const char *const n[] = {"disconnected", "connecting", "connected", "failed"};
    return (unsigned)s < 4 ? n[s] : "";
}

const char *wifi_reason_name(enum wifi_reason r)
{
    static const char *const n[] = {"", "wrong_key", "not_found", "no_address", "timeout", "error"};
    return (unsigned)r < 6 ? n[r] : "";
}

bool wifi_passphrase_ok(const char *p)
{
    if (!p)
        return false;
    size_t n = strlen(p);
    if (n < WIFI_PASS_MIN || n > WIFI_PASS_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return true;
}

struct wifi *wifi_create(const struct wifi_backend *backend, const struct wifi_options *o, char *err,
                         size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    struct wifi *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->b = backend;
    w->connect_ms = o->connect_ms > 0 ? o->connect_ms : 45000;
    w->address_ms = o->address_ms > 0 ? o->address_ms : 20000;
    w->impl = backend->open(o, err, errlen);
    if (!w->impl) {
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_init(&w->last_lock, NULL);
    return w;
}

void wifi_destroy(struct wifi *w)
{
    if (!w)
        return;
    wifi_disconnect(w);
    w->b->close(w->impl);
    pthread_mutex_destroy(&w->lock);
    pthread_mutex_destroy(&w->last_lock);
    free(w);
}

static void set_last(struct wifi *w, const struct wifi_status *st, const char *err)
{
    pthread_mutex_lock(&w->last_lock);
    w->last = *st;
    if (err)
        snprintf(w->err, sizeof w->err, "%s", err);
    pthread_mutex_unlock(&w->last_lock);
}

static void set_err(struct wifi *w, const char *err)
{
    pthread_mutex_lock(&w->last_lock);
    snprintf(w->err, sizeof w->err, "%s", err);
    pthread_mutex_unlock(&w->last_lock);
}

const char *wifi_error(struct wifi *w) { return w->err; }

void wifi_last_status(struct wifi *w, struct wifi_status *st)
{
    pthread_mutex_lock(&w->last_lock);
    *st = w->last;
    pthread_mutex_unlock(&w->last_lock);
}

bool wifi_present(struct wifi *w)
{
    /* Without the lock: backends answer from what never changes under
     * them (a stat, the fake's flag), so the main thread may ask. */
    return w->b->present(w->impl);
}

static int by_signal(const void *x, const void *y)
{
    const struct wifi_network *a = x, *b = y;
    if (a->signal != b->signal)
        return a->signal > b->signal ? -1 : 1;
    size_t n = a->ssid_len < b->ssid_len ? a->ssid_len : b->ssid_len;
    int c = memcmp(a->ssid, b->ssid, n);
    return c ? c : (a->ssid_len > b->ssid_len) - (a->ssid_len < b->ssid_len);
}

int wifi_scan(struct wifi *w, struct wifi_network *nets, size_t max, size_t *n)
{
    char err[256] = "";
    *n = 0;
    pthread_mutex_lock(&w->lock);
    int rc = w->b->scan(w->impl, nets, max, n, err, sizeof err);
    pthread_mutex_unlock(&w->lock);
    if (rc != 0) {
        *n = 0;
        set_err(w, err);
        return -1;
    }
    qsort(nets, *n, sizeof *nets, by_signal);
    return 0;
}

int wifi_connect(struct wifi *w, const struct wifi_network *net, const char *passphrase)
{
    if (!wifi_security_supported(net->security) || net->ssid_len == 0 ||
        net->ssid_len > WIFI_SSID_MAX) {
        set_err(w, "this kind of network is not supported");
        return -1;
    }
    bool needs = wifi_security_needs_passphrase(net->security);
    if (needs ? !wifi_passphrase_ok(passphrase) : passphrase != NULL) {
        set_err(w, needs ? "a passphrase has 8 to 63 letters, digits or symbols"
                         : "an open network takes no passphrase");
        return -1;
    }
    char err[256] = "";
    pthread_mutex_lock(&w->lock);
    int rc = w->b->connect(w->impl, net, passphrase, err, sizeof err);
    w->started = rc == 0 ? ms_now() : 0;
    w->linked = 0;
    memset(&w->failure, 0, sizeof w->failure);
    pthread_mutex_unlock(&w->lock);
    struct wifi_status st = {.state = WIFI_CONNECTING};
    if (rc != 0) {
        st.state = WIFI_FAILED;
        st.reason = WIFI_REASON_ERROR;
    }
    set_last(w, &st, rc ? err : NULL);
    return rc;
}

int wifi_wait(struct wifi *w, int ms, struct wifi_status *st)
{
    char err[256] = "";
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&w->lock);
    int rc = w->b->wait(w->impl, ms, st, err, sizeof err);
    if (st->state == WIFI_CONNECTING) {
        long now = ms_now();
        if (st->link && !w->linked)
            w->linked = now;
        enum wifi_reason why = WIFI_REASON_NONE;
        /* Joined but no address: DHCP did not answer. */
        if (w->linked && now - w->linked > w->address_ms)
            why = WIFI_REASON_NO_ADDRESS;
        else if (now - w->started > w->connect_ms)
            why = st->link ? WIFI_REASON_NO_ADDRESS : WIFI_REASON_TIMEOUT;
        if (why != WIFI_REASON_NONE) {
            char e2[256];
            /* wpa_supplicant would keep trying: stop it. */
            w->b->disconnect(w->impl, e2, sizeof e2);
            st->state = WIFI_FAILED;
            st->reason = why;
            st->link = false;
        }
    }
    if (st->state == WIFI_FAILED && st->reason != WIFI_REASON_NONE && w->started) {
        /* Stop retrying a wrong passphrase or a gone network too; the
         * failure stays what wifi_wait() says until the next connect. */
        char e2[256];
        struct wifi_status keep = *st;
        w->b->disconnect(w->impl, e2, sizeof e2);
        w->started = 0;
        *st = keep;
        w->failure = keep;
        pthread_mutex_unlock(&w->lock);
        set_last(w, st, rc ? err : NULL);
        return rc;
    }
    if (!w->started && w->failure.state == WIFI_FAILED && st->state == WIFI_DISCONNECTED)
        *st = w->failure;   /* the failure already reported, kept */
    pthread_mutex_unlock(&w->lock);
    set_last(w, st, rc ? err : NULL);
    return rc;
}

int wifi_disconnect(struct wifi *w)
{
    char err[256] = "";
    pthread_mutex_lock(&w->lock);
    int rc = w->b->disconnect(w->impl, err, sizeof err);
    w->started = 0;
    w->linked = 0;
    memset(&w->failure, 0, sizeof w->failure);
    pthread_mutex_unlock(&w->lock);
    struct wifi_status st = {.state = WIFI_DISCONNECTED};
    set_last(w, &st, rc ? err : NULL);
    return rc;
}

/* ---- the fake backend: a world given in the options */

struct fake {
    struct wifi_fake_config cfg;
    struct wifi_fake_network nets[WIFI_MAX_NETWORKS];
    char ssids[WIFI_MAX_NETWORKS][WIFI_SSID_MAX + 1];
    char passes[WIFI_MAX_NETWORKS][WIFI_PASS_MAX + 1];
    int target;                  /* the network joining, -1: none */
    bool pass_ok;
    long since;
    enum wifi_state state;
    enum wifi_reason reason;
};

static void *fake_open(const struct wifi_options *o, char *err, size_t errlen)
{
    struct fake *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (o->fake) {
        f->cfg = *o->fake;
        size_t n = f->cfg.count < WIFI_MAX_NETWORKS ? f->cfg.count : WIFI_MAX_NETWORKS;
        for (size_t i = 0; i < n; i++) {
            f->nets[i] = o->fake->networks[i];
            snprintf(f->ssids[i], sizeof f->ssids[i], "%s", f->nets[i].ssid ? f->nets[i].ssid : "");
            f->nets[i].ssid = f->ssids[i];
            if (f->nets[i].passphrase) {
                snprintf(f->passes[i], sizeof f->passes[i], "%s", f->nets[i].passphrase);
                f->nets[i].passphrase = f->passes[i];
            }
        }
        f->cfg.networks = f->nets;
        f->cfg.count = n;
    }
    f->target = -1;
    return f;
}

static void fake_close(void *b)
{
    if (b)
        sodium_memzero(b, sizeof(struct fake));
    free(b);
}

static bool fake_present(void *b) { return !((struct fake *)b)->cfg.no_radio; }

static int fake_scan(void *b, struct wifi_network *nets, size_t max, size_t *n, char *err, size_t errlen)
{
    struct fake *f = b;
    *n = 0;
    if (f->cfg.no_radio) {
        snprintf(err, errlen, "no radio");
        return -1;
    }
    for (size_t i = 0; i < f->cfg.count && *n < max; i++) {
        struct wifi_network *x = &nets[*n];
        memset(x, 0, sizeof *x);
        x->ssid_len = strlen(f->nets[i].ssid);
        if (!x->ssid_len)
            continue;
        memcpy(x->ssid, f->nets[i].ssid, x->ssid_len);
        wifi_ssid_shown(x->ssid, x->ssid_len, x->shown, sizeof x->shown);
        x->signal = f->nets[i].signal;
        x->bars = wifi_bars(x->signal);
        x->security = f->nets[i].security;
        (*n)++;
    }
    return 0;
}

static int fake_connect(void *b, const struct wifi_network *net, const char *pass, char *err,
                        size_t errlen)
{
    struct fake *f = b;
    f->target = -1;
    for (size_t i = 0; i < f->cfg.count; i++)
        if (strlen(f->nets[i].ssid) == net->ssid_len && !memcmp(f->nets[i].ssid, net->ssid, net->ssid_len))
            f->target = (int)i;
    if (f->cfg.no_radio) {
        snprintf(err, errlen, "no radio");
        return -1;
    }
    f->pass_ok = f->target >= 0 &&
                 (f->nets[f->target].passphrase ? pass && !strcmp(pass, f->nets[f->target].passphrase)
                                                : !pass);
    f->since = ms_now();
    f->state = WIFI_CONNECTING;
    f->reason = WIFI_REASON_NONE;
    return 0;
}

static int fake_wait(void *b, int ms, struct wifi_status *st, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    struct fake *f = b;
    if (f->state == WIFI_CONNECTING) {
        long left = f->since + f->cfg.connect_ms - ms_now();
        if (left > 0) {
            long nap = left < ms ? left : ms;
            struct timespec ts = {nap / 1000, (nap % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (ms_now() >= f->since + f->cfg.connect_ms) {
            if (f->target < 0)
                f->state = WIFI_FAILED, f->reason = WIFI_REASON_NOT_FOUND;
            else if (!f->pass_ok)
                f->state = WIFI_FAILED, f->reason = WIFI_REASON_WRONG_KEY;
            else if (!f->cfg.no_address)
                f->state = WIFI_CONNECTED;
        }
    }
    st->state = f->state;
    st->reason = f->state == WIFI_FAILED ? f->reason : WIFI_REASON_NONE;
    st->link = f->state == WIFI_CONNECTED ||
               (f->state == WIFI_CONNECTING && f->pass_ok && ms_now() >= f->since + f->cfg.connect_ms);
    snprintf(st->ipv4, sizeof st->ipv4, "%s", f->state == WIFI_CONNECTED ? "10.0.0.23" : "");
    return 0;
}

static int fake_disconnect(void *b, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    struct fake *f = b;
    f->state = WIFI_DISCONNECTED;
    f->reason = WIFI_REASON_NONE;
    f->target = -1;
    return 0;
}

const struct wifi_backend wifi_backend_fake = {
    .name = "fake",
    .open = fake_open,
    .close = fake_close,
    .present = fake_present,
    .scan = fake_scan,
    .connect = fake_connect,
    .wait = fake_wait,
    .disconnect = fake_disconnect,
};
