/* The real backend: wpa_supplicant's control interface, by hand. It is a
 * tiny line protocol over unix datagrams (one request, one reply) and Debian
 * ships no library for it (wpa_ctrl.c lives only in wpa_supplicant's own
 * sources), so it is written here and parsed defensively: every reply is
 * untrusted bytes (SSIDs are anyone's choice, printf-escaped).
 *
 * Two sockets to /run/wpa_supplicant/<ifname>: one for requests, one that
 * sent ATTACH and receives events ("<3>CTRL-EVENT-CONNECTED ..."). Ours are
 * autobound to an abstract address (no file to leave behind, nothing in
 * /tmp). wpa_supplicant's own configuration is never saved: the network
 * added here lives until REMOVE_NETWORK or its restart. */

#include "wifi_internal.h"

#include "codec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- parsers */

int wifi_bars(int signal)
{
    /* Some drivers give a percentage instead of dBm. */
    if (signal > 0)
        return signal >= 100 ? 4 : signal / 25;
    if (signal >= -55)
        return 4;
    if (signal >= -67)
        return 3;
    if (signal >= -75)
        return 2;
    if (signal >= -85)
        return 1;
    return 0;
}

int wifi_ssid_unescape(const char *s, size_t len, uint8_t *out, size_t *out_len)
{
    size_t n = 0;
    *out_len = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '\\') {
            if (++i >= len)
                return -1;
            switch (s[i]) {
            case '\\': c = '\\'; break;
            case '"': c = '"'; break;
            case 'e': c = 0x1b; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'x': {
                if (i + 2 >= len)
                    return -1;
                int h = codec_hexval(s[i + 1]), l = codec_hexval(s[i + 2]);
                if (h < 0 || l < 0)
                    return -1;
                c = (uint8_t)(h << 4 | l);
                i += 2;
                break;
            }
            default: return -1;
            }
        }
        if (n >= WIFI_SSID_MAX)
            return -1;
        out[n++] = c;
    }
    *out_len = n;
    return 0;
}

void wifi_ssid_shown(const uint8_t *ssid, size_t len, char *out, size_t outlen)
{
    static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
    size_t o = 0;
    if (!outlen)
        return;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = codec_utf8_seq(ssid + i, len - i, &cp);
        /* Controls would break the line; direction marks and overrides
         * could make a name read as another. */
        bool bad = n == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x200e ||
                   cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
                   cp == 0x061c;
        const char *src = bad ? repl : (const char *)ssid + i;
        size_t sl = bad ? 3 : n;
        if (o + sl + 1 > outlen)
            break;
        memcpy(out + o, src, sl);
        o += sl;
        i += n ? n : 1;
    }
    out[o] = '\0';
}

static bool has(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++)
        if (!memcmp(s + i, needle, nl))
            return true;
    return false;
}

enum wifi_security wifi_parse_flags(const char *flags, size_t len)
{
    bool sae = has(flags, len, "SAE"), psk = has(flags, len, "-PSK");
    if (sae)
        return WIFI_SEC_SAE;
    if (psk)
        return WIFI_SEC_PSK;
    if (has(flags, len, "EAP"))
        return WIFI_SEC_ENTERPRISE;
    if (has(flags, len, "WEP") || has(flags, len, "OWE") || has(flags, len, "WPA"))
        return WIFI_SEC_OTHER;
    return WIFI_SEC_OPEN;
}

/* A decimal int (optionally negative) filling [s, s+len); false otherwise. */
static bool parse_int(const char *s, size_t len, int *v)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    i = neg;
    if (i >= len || len - i > 6)
        return false;
    long x = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (s[i] - '0');
    }
    *v = (int)(neg ? -x : x);
    return true;
}

size_t wifi_parse_scan_results(const char *text, size_t len, struct wifi_network *nets, size_t max)
{
    size_t count = 0;
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        /* Five tab-separated fields; the SSID (last) may hold escaped tabs
         * only, never raw ones. */
        const char *f[5];
        size_t fl[5];
        int k = 0;
        const char *p = line;
        while (k < 5) {
            const char *t = k < 4 ? memchr(p, '\t', (size_t)(le - p)) : NULL;
            f[k] = p;
            fl[k] = (size_t)((t ? t : le) - p);
            k++;
            if (!t)
                break;
            p = t + 1;
        }
        line = nl ? nl + 1 : end;
        int freq, sig;
        if (k != 5 || fl[0] != 17 || !parse_int(f[1], fl[1], &freq) || !parse_int(f[2], fl[2], &sig))
            continue;
        if (memchr(f[4], '\t', fl[4]))
            continue;
        struct wifi_network n;
        memset(&n, 0, sizeof n);
        if (wifi_ssid_unescape(f[4], fl[4], n.ssid, &n.ssid_len) != 0 || n.ssid_len == 0)
            continue;
        /* A hidden network may be listed with its name as zero bytes. */
        bool zeros = true;
        for (size_t i = 0; i < n.ssid_len; i++)
            zeros &= n.ssid[i] == 0;
        if (zeros)
            continue;
        n.signal = sig;
        n.bars = wifi_bars(sig);
        n.security = wifi_parse_flags(f[3], fl[3]);
        wifi_ssid_shown(n.ssid, n.ssid_len, n.shown, sizeof n.shown);
        size_t j = 0;
        for (; j < count; j++)
            if (nets[j].ssid_len == n.ssid_len && !memcmp(nets[j].ssid, n.ssid, n.ssid_len))
                break;
        if (j < count) {
            /* The same name from several access points: the strongest. */
            if (n.signal > nets[j].signal)
                nets[j] = n;
        } else if (count < max)
            nets[count++] = n;
    }
    return count;
}

enum wifi_event wifi_parse_event(const char *msg, size_t len)
{
    /* "<N>" priority prefix */
    if (len >= 3 && msg[0] == '<') {
        const char *gt = memchr(msg, '>', len < 5 ? len : 5);
        if (gt) {
            len -= (size_t)(gt + 1 - msg);
            msg = gt + 1;
        }
    }
    struct {
        const char *prefix;
        enum wifi_event ev;
    } t[] = {
        {"CTRL-EVENT-SCAN-RESULTS", WIFI_EV_SCAN_RESULTS},
        {"CTRL-EVENT-CONNECTED", WIFI_EV_CONNECTED},
        {"CTRL-EVENT-DISCONNECTED", WIFI_EV_DISCONNECTED},
        {"CTRL-EVENT-SSID-TEMP-DISABLED", WIFI_EV_TEMP_DISABLED},
        {"CTRL-EVENT-NETWORK-NOT-FOUND", WIFI_EV_NOT_FOUND},
        {"CTRL-EVENT-TERMINATING", WIFI_EV_TERMINATING},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t pl = strlen(t[i].prefix);
        if (len < pl || memcmp(msg, t[i].prefix, pl) != 0)
            continue;
        if (len > pl && msg[pl] != ' ' && msg[pl] != '\n')
            continue;   /* a longer name: another event */
        if (t[i].ev == WIFI_EV_TEMP_DISABLED && has(msg, len, " reason=WRONG_KEY"))
            return WIFI_EV_WRONG_KEY;
        return t[i].ev;
    }
    return WIFI_EV_NONE;
}

bool wifi_parse_status(const char *text, size_t len, char ipv4[16])
{
    bool completed = false;
    ipv4[0] = '\0';
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        size_t ll = (size_t)(le - line);
        if (ll == 19 && !memcmp(line, "wpa_state=COMPLETED", 19))
            completed = true;
        if (ll > 11 && ll < 11 + 16 && !memcmp(line, "ip_address=", 11)) {
            char a[16];
            memcpy(a, line + 11, ll - 11);
            a[ll - 11] = '\0';
            struct in_addr in;
            if (inet_pton(AF_INET, a, &in) == 1)
                memcpy(ipv4, a, ll - 11 + 1);
        }
        line = nl ? nl + 1 : end;
    }
    return completed;
}

/* ---- the backend */

enum { REPLY_MAX = 32768 };

struct wpa {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char ifname[IF_NAMESIZE];
    int request_ms, scan_ms;
    int cmd_fd, ev_fd;
    enum wifi_state state;
    enum wifi_reason reason;
    bool link;
    char ipv4[16];
    int not_found;
    bool scan_done;
    char *reply;            /* REPLY_MAX + 1 */
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int ctrl_open(struct wpa *w, char *err, size_t errlen)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* Autobind: the kernel gives us a unique abstract address for
     * wpa_supplicant to answer to. */
    struct sockaddr_un me = {.sun_family = AF_UNIX};
    if (bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) != 0) {
        snprintf(err, errlen, "bind: %s", strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    memcpy(to.sun_path, w->path, sizeof to.sun_path);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        snprintf(err, errlen, "wpa_supplicant's control socket %s: %s", w->path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static long ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* One request: its reply in w->reply (NUL-terminated), its length, or -1.
 * Late replies to an earlier request that timed out are drained first. */
static long request_fd(struct wpa *w, int *fd, const char *cmd, size_t cmdlen, char *err, size_t errlen)
{
    if (*fd < 0 && (*fd = ctrl_open(w, err, errlen)) < 0)
        return -1;
    while (recv(*fd, w->reply, REPLY_MAX, MSG_DONTWAIT) >= 0)
        ;
    if (send(*fd, cmd, cmdlen, 0) < 0) {
        snprintf(err, errlen, "wpa_supplicant: %s", strerror(errno));
        close_fd(fd);
        return -1;
    }
    long deadline = ms_now() + w->request_ms;
    for (;;) {
        long left = deadline - ms_now();
        struct pollfd p = {.fd = *fd, .events = POLLIN};
        int r = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "wpa_supplicant did not answer within %d ms", w->request_ms);
            /* A new socket next time: this one may still get the late reply. */
            close_fd(fd);
            return -1;
        }
        ssize_t n = recv(*fd, w->reply, REPLY_MAX, 0);
        if (n < 0) {
            snprintf(err, errlen, "wpa_supplicant: %s", strerror(errno));
            close_fd(fd);
            return -1;
        }
        w->reply[n] = '\0';
        /* Events only come to the attached socket, but never take one for a reply. */
        if (n > 0 && w->reply[0] == '<' && fd == &w->cmd_fd)
            continue;
        return (long)n;
    }
}

static long request(struct wpa *w, const char *cmd, char *err, size_t errlen)
{
    return request_fd(w, &w->cmd_fd, cmd, strlen(cmd), err, errlen);
}

static bool is_ok(const char *reply, long n) { return n >= 2 && !memcmp(reply, "OK", 2) && (n == 2 || reply[2] == '\n'); }

/* A request whose only good answer is OK. */
static int request_ok(struct wpa *w, const char *cmd, const char *what, char *err, size_t errlen)
{
    long n = request(w, cmd, err, errlen);
    if (n < 0)
        return -1;
    if (!is_ok(w->reply, n)) {
        snprintf(err, errlen, "wpa_supplicant refused %s", what);
        return -1;
    }
    return 0;
}

static void handle_event(struct wpa *w, enum wifi_event ev)
{
    bool trying = w->state == WIFI_CONNECTING || w->state == WIFI_CONNECTED;
    switch (ev) {
    case WIFI_EV_SCAN_RESULTS: w->scan_done = true; break;
    case WIFI_EV_CONNECTED:
        if (trying)
            w->link = true, w->not_found = 0;
        break;
    case WIFI_EV_DISCONNECTED:
        /* wpa_supplicant tries again by itself: connecting once more. */
        if (trying)
            w->state = WIFI_CONNECTING, w->link = false, w->ipv4[0] = '\0';
        break;
    case WIFI_EV_WRONG_KEY:
        if (trying)
            w->state = WIFI_FAILED, w->reason = WIFI_REASON_WRONG_KEY, w->link = false;
        break;
    case WIFI_EV_NOT_FOUND:
        /* Said after every scan that missed it; the first scan after
         * SELECT_NETWORK may miss a network that is there, a second is
         * the answer. */
        if (w->state == WIFI_CONNECTING && !w->link && ++w->not_found >= 2)
            w->state = WIFI_FAILED, w->reason = WIFI_REASON_NOT_FOUND;
        break;
    case WIFI_EV_TERMINATING:
        close_fd(&w->ev_fd);
        close_fd(&w->cmd_fd);
        if (trying)
            w->state = WIFI_FAILED, w->reason = WIFI_REASON_ERROR, w->link = false;
        break;
    default: break;
    }
}

/* The event socket, attached. */
static int events_open(struct wpa *w, char *err, size_t errlen)
{
    if (w->ev_fd >= 0)
        return 0;
    long n = request_fd(w, &w->ev_fd, "ATTACH", 6, err, errlen);
    if (n < 0)
        return -1;
    if (!is_ok(w->reply, n)) {
        snprintf(err, errlen, "wpa_supplicant refused ATTACH");
        close_fd(&w->ev_fd);
        return -1;
    }
    return 0;
}

/* Reads events for up to ms (0: only those waiting); stops early once
 * until() holds. */
static void events_read(struct wpa *w, int ms, bool (*until)(const struct wpa *w))
{
    if (w->ev_fd < 0)
        return;
    long deadline = ms_now() + ms;
    for (;;) {
        if (until && until(w))
            return;
        long left = deadline - ms_now();
        struct pollfd p = {.fd = w->ev_fd, .events = POLLIN};
        int r = poll(&p, 1, left > 0 ? (int)left : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        ssize_t n = recv(w->ev_fd, w->reply, REPLY_MAX, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                close_fd(&w->ev_fd);   /* attached again on the next need */
            return;
        }
        w->reply[n] = '\0';
        handle_event(w, wifi_parse_event(w->reply, (size_t)n));
        if (w->ev_fd < 0)
            return;
    }
}

static void *wpa_open(const struct wifi_options *o, char *err, size_t errlen)
{
    const char *dir = o->control_dir ? o->control_dir : "/run/wpa_supplicant";
    if (!o->interface || !o->interface[0] || strlen(o->interface) >= IF_NAMESIZE ||
        strchr(o->interface, '/') || o->interface[0] == '.') {
        snprintf(err, errlen, "[wifi] interface: not a network interface name");
        return NULL;
    }
    struct wpa *w = calloc(1, sizeof *w);
    if (!w || !(w->reply = malloc(REPLY_MAX + 1))) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int n = snprintf(w->path, sizeof w->path, "%s/%s", dir, o->interface);
    if (n < 0 || (size_t)n >= sizeof w->path) {
        snprintf(err, errlen, "[wifi] control_dir: too long for a socket path");
        free(w->reply);
        free(w);
        return NULL;
    }
    snprintf(w->ifname, sizeof w->ifname, "%s", o->interface);
    w->request_ms = o->request_ms > 0 ? o->request_ms : 2000;
    w->scan_ms = o->scan_ms > 0 ? o->scan_ms : 10000;
    w->cmd_fd = w->ev_fd = -1;
    return w;
}

static void wpa_close(void *b)
{
    struct wpa *w = b;
    if (!w)
        return;
    close_fd(&w->cmd_fd);
    close_fd(&w->ev_fd);
    sodium_memzero(w->reply, REPLY_MAX + 1);
    free(w->reply);
    free(w);
}

static bool wpa_present(void *b)
{
    struct wpa *w = b;
    struct stat sb;
    char sys[96];
    /* The radio, or at least wpa_supplicant serving the interface. */
    snprintf(sys, sizeof sys, "/sys/class/net/%s/phy80211", w->ifname);
    if (stat(sys, &sb) == 0)
        return true;
    return stat(w->path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

static bool scan_done(const struct wpa *w) { return w->scan_done; }

static int wpa_scan(void *b, struct wifi_network *nets, size_t max, size_t *n, char *err, size_t errlen)
{
    struct wpa *w = b;
    *n = 0;
    /* Attached before asking, so the results' event cannot be missed. */
    if (events_open(w, err, errlen) != 0)
        return -1;
    events_read(w, 0, NULL);
    w->scan_done = false;
    long r = request(w, "SCAN", err, errlen);
    if (r < 0)
        return -1;
    /* FAIL-BUSY: a scan is already running; its results will do. */
    if (!is_ok(w->reply, r) && strncmp(w->reply, "FAIL-BUSY", 9) != 0) {
        snprintf(err, errlen, "wpa_supplicant refused SCAN");
        return -1;
    }
    events_read(w, w->scan_ms, scan_done);
    /* Without the event in time, the results it has are still the best answer. */
    r = request(w, "SCAN_RESULTS", err, errlen);
    if (r < 0)
        return -1;
    *n = wifi_parse_scan_results(w->reply, (size_t)r, nets, max);
    return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int wpa_connect(void *b, const struct wifi_network *net, const char *pass, char *err,
                       size_t errlen)
{
    struct wpa *w = b;
    char cmd[160];
    w->state = WIFI_FAILED;
    w->reason = WIFI_REASON_ERROR;
    w->link = false;
    w->ipv4[0] = '\0';
    w->not_found = 0;
    if (events_open(w, err, errlen) != 0)
        return -1;
    events_read(w, 0, NULL);
    /* Only the kiosk's one network, never one from wpa_supplicant's file. */
    if (request_ok(w, "REMOVE_NETWORK all", "REMOVE_NETWORK", err, errlen) != 0)
        return -1;
    long r = request(w, "ADD_NETWORK", err, errlen);
    if (r < 0)
        return -1;
    int id;
    size_t l = (size_t)r;
    while (l && (w->reply[l - 1] == '\n' || w->reply[l - 1] == '\r'))
        l--;
    if (!parse_int(w->reply, l, &id) || id < 0) {
        snprintf(err, errlen, "wpa_supplicant gave no network id for ADD_NETWORK");
        return -1;
    }
    char hx[2 * WIFI_SSID_MAX + 1];
    hex(net->ssid, net->ssid_len, hx);
    snprintf(cmd, sizeof cmd, "SET_NETWORK %d ssid %s", id, hx);
    if (request_ok(w, cmd, "the network's name", err, errlen) != 0)
        return -1;
    if (pass) {
        /* The passphrase in quotes (wpa_supplicant takes up to the last
         * quote, so quotes inside are fine); the buffer is wiped. */
        char pc[128];
        int pn = snprintf(pc, sizeof pc, "SET_NETWORK %d psk \"%s\"", id, pass);
        long pr = request_fd(w, &w->cmd_fd, pc, (size_t)pn, err, errlen);
        sodium_memzero(pc, sizeof pc);
        bool ok = pr >= 0 && is_ok(w->reply, pr);
        if (!ok) {
            if (pr >= 0)
                snprintf(err, errlen, "wpa_supplicant refused the passphrase");
            return -1;
        }
        /* WPA2 and WPA3 personal alike; PMF when the network offers it. */
        snprintf(cmd, sizeof cmd, "SET_NETWORK %d key_mgmt WPA-PSK WPA-PSK-SHA256 SAE", id);
        if (request_ok(w, cmd, "key_mgmt", err, errlen) != 0) {
            /* A build without SAE. */
            snprintf(cmd, sizeof cmd, "SET_NETWORK %d key_mgmt WPA-PSK", id);
            if (request_ok(w, cmd, "key_mgmt", err, errlen) != 0)
                return -1;
        }
        snprintf(cmd, sizeof cmd, "SET_NETWORK %d ieee80211w 1", id);
        (void)request_ok(w, cmd, "ieee80211w", err, errlen);   /* optional */
    } else {
        snprintf(cmd, sizeof cmd, "SET_NETWORK %d key_mgmt NONE", id);
        if (request_ok(w, cmd, "key_mgmt", err, errlen) != 0)
            return -1;
    }
    snprintf(cmd, sizeof cmd, "SELECT_NETWORK %d", id);
    if (request_ok(w, cmd, "SELECT_NETWORK", err, errlen) != 0)
        return -1;
    w->state = WIFI_CONNECTING;
    w->reason = WIFI_REASON_NONE;
    return 0;
}

/* The interface's IPv4 address from the kernel (DHCP is someone else's). */
static void if_address(const char *ifname, char ipv4[16])
{
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) != 0)
        return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && i->ifa_name &&
            !strcmp(i->ifa_name, ifname)) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ipv4, 16);
            break;
        }
    freeifaddrs(ifa);
}

static bool decided(const struct wpa *w) { return w->state == WIFI_FAILED || w->state == WIFI_DISCONNECTED; }

static int wpa_wait(void *b, int ms, struct wifi_status *st, char *err, size_t errlen)
{
    struct wpa *w = b;
    int rc = 0;
    if (w->state == WIFI_CONNECTING || w->state == WIFI_CONNECTED) {
        if (w->ev_fd < 0 && events_open(w, err, errlen) != 0) {
            /* wpa_supplicant went away (restarted, stopped). */
            w->state = WIFI_FAILED, w->reason = WIFI_REASON_ERROR;
            rc = -1;
        } else
            events_read(w, ms, decided);
    }
    if (w->state == WIFI_CONNECTING || w->state == WIFI_CONNECTED) {
        /* STATUS as well: an event may have been lost (datagrams), and it
         * carries the address when wpa_supplicant knows it. */
        char ip[16];
        long r = request(w, "STATUS", err, errlen);
        if (r >= 0) {
            bool done = wifi_parse_status(w->reply, (size_t)r, ip);
            if (done)
                w->link = true;
            if (done && !ip[0])
                if_address(w->ifname, ip);
            if (done && ip[0]) {
                w->state = WIFI_CONNECTED;
                memcpy(w->ipv4, ip, sizeof ip);
            } else if (w->state == WIFI_CONNECTED && !done)
                w->state = WIFI_CONNECTING, w->link = false, w->ipv4[0] = '\0';
        }
    }
    st->state = w->state;
    st->reason = w->state == WIFI_FAILED ? w->reason : WIFI_REASON_NONE;
    st->link = w->link;
    memcpy(st->ipv4, w->state == WIFI_CONNECTED ? w->ipv4 : "", w->state == WIFI_CONNECTED ? 16 : 1);
    return rc;
}

static int wpa_disconnect(void *b, char *err, size_t errlen)
{
    struct wpa *w = b;
    w->state = WIFI_DISCONNECTED;
    w->reason = WIFI_REASON_NONE;
    w->link = false;
    w->ipv4[0] = '\0';
    int rc = request_ok(w, "DISCONNECT", "DISCONNECT", err, errlen);
    if (request_ok(w, "REMOVE_NETWORK all", "REMOVE_NETWORK", err, errlen) != 0)
        rc = -1;
    if (w->ev_fd >= 0) {
        char e2[64];
        (void)request_fd(w, &w->ev_fd, "DETACH", 6, e2, sizeof e2);
        close_fd(&w->ev_fd);
    }
    return rc;
}

const struct wifi_backend wifi_backend_wpa = {
    .name = "wpa_supplicant",
    .open = wpa_open,
    .close = wpa_close,
    .present = wpa_present,
    .scan = wpa_scan,
    .connect = wpa_connect,
    .wait = wpa_wait,
    .disconnect = wpa_disconnect,
};
