/* The wifi module: the real wpa_supplicant backend against a fake
 * wpa_supplicant in a thread (a unix datagram socket answering the text
 * protocol, sending events to the attached socket), and the fake backend.
 *
 *   scan       SCAN, the results event, SCAN_RESULTS with escaped, odd and
 *              broken lines: names as bytes and shown safely, bars,
 *              security, one entry per name, strongest first;
 *   connect    the commands sent (hex name, quoted passphrase, never
 *              SAVE_CONFIG), CONNECTED then the address from STATUS;
 *   failures   the wrong-key event, a network that vanished (NOT-FOUND),
 *              no address (the address timeout), garbage replies, a
 *              server that never answers (request timeout), no socket;
 *   store      remembered networks: round trip, the passphrase's bytes not
 *              in the file, mode 0600, a wrong key, a damaged file, forget;
 *   fake       the fake backend's world. */
#include "check.h"
#include "testutil.h"
#include "wifi_internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ---- the fake wpa_supplicant */

/* What happens after SELECT_NETWORK (B_NOTHING: nothing at all), or how
 * every request is answered (garbage, or not at all). */
enum behaviour { B_JOIN, B_WRONG_KEY, B_GONE, B_NO_ADDRESS, B_NOTHING, B_GARBAGE, B_SILENT };

static struct {
    int fd;
    char path[256];
    pthread_t thread;
    atomic_bool stop;
    enum behaviour b;
    struct sockaddr_un mon;     /* the attached socket */
    socklen_t mon_len;
    bool completed;             /* STATUS says COMPLETED */
    bool with_ip;
    char log[8192];             /* every command, one per line (passphrases included) */
    pthread_mutex_t lock;
} srv;

static const char scan_results[] =
    "bssid / frequency / signal level / flags / ssid\n"
    "02:00:00:00:00:01\t2412\t-48\t[WPA2-PSK-CCMP][ESS]\tHelpCentre\n"
    "02:00:00:00:00:02\t2437\t-80\t[WPA2-PSK-CCMP][ESS]\tHelpCentre\n"        /* same name, weaker */
    "02:00:00:00:00:03\t5180\t-60\t[WPA2-SAE-CCMP][ESS]\tWPA3 \\\"net\\\"\n"  /* escaped quotes */
    "02:00:00:00:00:04\t2412\t-70\t[WPA2-EAP-CCMP][ESS]\tCorp\n"
    "02:00:00:00:00:05\t2412\t-90\t[ESS]\tCafe\\x00\\xff\\xe2\\x80\\xae\n"    /* NUL, not UTF-8, RLO */
    "02:00:00:00:00:06\t2412\t-50\t[WEP][ESS]\tOld\n"
    "02:00:00:00:00:07\t2412\t-40\t[ESS]\t\n"                                 /* hidden */
    "02:00:00:00:00:08\t2412\t-40\t[ESS]\t\\x00\\x00\n"                       /* hidden, as zeros */
    "garbage line without tabs\n"
    "02:00:00:00:00:09\tabc\t-40\t[ESS]\tBadFreq\n"
    "02:00:00:00:00:0a\t2412\t-40\t[ESS]\tBad\\q\n"                           /* bad escape */
    "02:00:00:00:00:0b\t2412\t-40\t[ESS]\tToo long a name for any Wi-Fi network\n"
    "02:00:00:00:00:0c\t2412\t-66\t[WPA-PSK-TKIP+CCMP][WPA2-PSK+SAE-CCMP][ESS]\tMixed";

static void srv_send(const char *s, const struct sockaddr_un *to, socklen_t tl)
{
    sendto(srv.fd, s, strlen(s), 0, (const struct sockaddr *)to, tl);
}

static void event(const char *s)
{
    pthread_mutex_lock(&srv.lock);
    if (srv.mon_len)
        srv_send(s, &srv.mon, srv.mon_len);
    pthread_mutex_unlock(&srv.lock);
}

static void *srv_run(void *arg)
{
    (void)arg;
    char buf[4096];
    while (!atomic_load(&srv.stop)) {
        struct pollfd p = {.fd = srv.fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        struct sockaddr_un from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(srv.fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        pthread_mutex_lock(&srv.lock);
        size_t ll = strlen(srv.log);
        snprintf(srv.log + ll, sizeof srv.log - ll, "%s\n", buf);
        enum behaviour b = srv.b;
        pthread_mutex_unlock(&srv.lock);
        if (b == B_SILENT)
            continue;
        if (b == B_GARBAGE && strcmp(buf, "ATTACH") != 0) {
            srv_send("\x01\xff garbage\n<3>", &from, fl);
            continue;
        }
        const char *reply = "OK\n";
        char big[4096];
        if (!strcmp(buf, "ATTACH")) {
            pthread_mutex_lock(&srv.lock);
            srv.mon = from;
            srv.mon_len = fl;
            pthread_mutex_unlock(&srv.lock);
        } else if (!strcmp(buf, "DETACH")) {
            pthread_mutex_lock(&srv.lock);
            srv.mon_len = 0;
            pthread_mutex_unlock(&srv.lock);
        } else if (!strcmp(buf, "SCAN")) {
            srv_send(reply, &from, fl);
            usleep(30000);
            event("<2>CTRL-EVENT-SCAN-STARTED ");
            event("<2>CTRL-EVENT-SCAN-RESULTS ");
            continue;
        } else if (!strcmp(buf, "SCAN_RESULTS"))
            reply = scan_results;
        else if (!strcmp(buf, "ADD_NETWORK"))
            reply = "0\n";
        else if (!strcmp(buf, "STATUS")) {
            snprintf(big, sizeof big, "bssid=02:00:00:00:00:01\nfreq=2412\nssid=HelpCentre\nid=0\n"
                                      "mode=station\nwpa_state=%s\n%s",
                     srv.completed ? "COMPLETED" : "SCANNING",
                     srv.completed && srv.with_ip ? "ip_address=192.168.7.5\n" : "");
            reply = big;
        } else if (!strncmp(buf, "SELECT_NETWORK", 14)) {
            srv_send(reply, &from, fl);
            usleep(30000);
            switch (b) {
            case B_JOIN:
                srv.completed = true, srv.with_ip = true;
                event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:00:01 completed [id=0 id_str=]");
                break;
            case B_NO_ADDRESS:
                srv.completed = true, srv.with_ip = false;
                event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:00:00:00:01 completed [id=0 id_str=]");
                break;
            case B_WRONG_KEY:
                event("<3>CTRL-EVENT-DISCONNECTED bssid=02:00:00:00:00:01 reason=15");
                event("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"HelpCentre\" auth_failures=1 "
                      "duration=10 reason=WRONG_KEY");
                break;
            case B_GONE:
                event("<3>CTRL-EVENT-NETWORK-NOT-FOUND");
                usleep(30000);
                event("<3>CTRL-EVENT-NETWORK-NOT-FOUND");
                break;
            default: break;
            }
            continue;
        } else if (!strcmp(buf, "DISCONNECT") || !strcmp(buf, "REMOVE_NETWORK all"))
            srv.completed = false;
        srv_send(reply, &from, fl);
    }
    return NULL;
}

static void srv_start(const char *dir, enum behaviour b)
{
    memset(&srv, 0, sizeof srv);
    pthread_mutex_init(&srv.lock, NULL);
    snprintf(srv.path, sizeof srv.path, "%s/wlan-test", dir);
    unlink(srv.path);
    srv.fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    REQUIRE(strlen(srv.path) < sizeof a.sun_path, "socket path too long");
    memcpy(a.sun_path, srv.path, strlen(srv.path) + 1);
    REQUIRE(srv.fd >= 0 && bind(srv.fd, (struct sockaddr *)&a, sizeof a) == 0, "bind: %s",
            strerror(errno));
    srv.b = b;
    REQUIRE(pthread_create(&srv.thread, NULL, srv_run, NULL) == 0, "thread");
}

static void srv_stop(void)
{
    atomic_store(&srv.stop, true);
    pthread_join(srv.thread, NULL);
    close(srv.fd);
    unlink(srv.path);
    pthread_mutex_destroy(&srv.lock);
}

static bool logged(const char *cmd)
{
    pthread_mutex_lock(&srv.lock);
    bool r = strstr(srv.log, cmd) != NULL;
    pthread_mutex_unlock(&srv.lock);
    return r;
}

static struct wifi *real(const char *dir, int connect_ms, int address_ms)
{
    struct wifi_options o = {.interface = "wlan-test", .control_dir = dir, .request_ms = 300,
                             .scan_ms = 2000, .connect_ms = connect_ms, .address_ms = address_ms};
    char err[256];
    struct wifi *w = wifi_create(&wifi_backend_wpa, &o, err, sizeof err);
    REQUIRE(w, "wifi_create: %s", err);
    return w;
}

/* Waits until connected or failed (at most 10 s). */
static struct wifi_status settle(struct wifi *w)
{
    struct wifi_status st;
    double t0 = now_s();
    do
        wifi_wait(w, 100, &st);
    while ((st.state == WIFI_CONNECTING) && now_s() - t0 < 10);
    return st;
}

static struct wifi_network find_net(struct wifi_network *n, size_t c, const char *ssid)
{
    for (size_t i = 0; i < c; i++)
        if (n[i].ssid_len == strlen(ssid) && !memcmp(n[i].ssid, ssid, n[i].ssid_len))
            return n[i];
    struct wifi_network none;
    memset(&none, 0, sizeof none);
    return none;
}

static void test_scan(const char *dir)
{
    srv_start(dir, B_JOIN);
    struct wifi *w = real(dir, 0, 0);
    CHECK(wifi_present(w), "the control socket means a radio");
    struct wifi_network nets[WIFI_MAX_NETWORKS];
    size_t n = 0;
    double t0 = now_s();
    CHECK(wifi_scan(w, nets, WIFI_MAX_NETWORKS, &n) == 0, "scan: %s", wifi_error(w));
    CHECK(now_s() - t0 < 1.5, "the results event ends the wait (%.2f s)", now_s() - t0);
    CHECK(logged("SCAN\n") && logged("SCAN_RESULTS\n") && logged("ATTACH\n"), "commands: %s", srv.log);
    CHECK(n == 6, "six networks (one per name, no hidden or broken lines): %zu", n);
    for (size_t i = 1; i < n; i++)
        CHECK(nets[i - 1].signal >= nets[i].signal, "strongest first");
    struct wifi_network h = find_net(nets, n, "HelpCentre");
    CHECK(h.signal == -48 && h.bars == 4 && h.security == WIFI_SEC_PSK, "HelpCentre: %d %d %d",
          h.signal, h.bars, (int)h.security);
    struct wifi_network q = find_net(nets, n, "WPA3 \"net\"");
    CHECK(q.ssid_len == 10 && q.security == WIFI_SEC_SAE && q.bars == 3, "escaped quotes, SAE");
    CHECK(find_net(nets, n, "Corp").security == WIFI_SEC_ENTERPRISE &&
              !wifi_security_supported(WIFI_SEC_ENTERPRISE),
          "enterprise: not supported");
    CHECK(find_net(nets, n, "Old").security == WIFI_SEC_OTHER, "WEP: not supported");
    CHECK(find_net(nets, n, "Mixed").security == WIFI_SEC_SAE, "WPA2/WPA3 mixed");
    const uint8_t cafe[] = {'C', 'a', 'f', 'e', 0, 0xff, 0xe2, 0x80, 0xae};
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (nets[i].ssid_len == sizeof cafe && !memcmp(nets[i].ssid, cafe, sizeof cafe)) {
            found = true;
            CHECK(!strcmp(nets[i].shown, "Cafe\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
                  "NUL, a stray byte and a direction override shown as U+FFFD: %s", nets[i].shown);
            CHECK(nets[i].bars == 0, "-90 dBm: no bars");
        }
    CHECK(found, "a name with odd bytes kept as bytes");
    wifi_destroy(w);
    srv_stop();
}

static void test_connect(const char *dir)
{
    srv_start(dir, B_JOIN);
    struct wifi *w = real(dir, 0, 0);
    struct wifi_network net;
    memset(&net, 0, sizeof net);
    memcpy(net.ssid, "HelpCentre", net.ssid_len = 10);
    net.security = WIFI_SEC_PSK;
    CHECK(wifi_connect(w, &net, "short") == -1, "a 5-letter passphrase refused");
    CHECK(wifi_connect(w, &net, NULL) == -1, "no passphrase for a secured network refused");
    CHECK(wifi_connect(w, &net, "s3cret \"pass\"") == 0, "connect: %s", wifi_error(w));
    struct wifi_status st = settle(w);
    CHECK(st.state == WIFI_CONNECTED && !strcmp(st.ipv4, "192.168.7.5"), "connected: %s %s",
          wifi_state_name(st.state), st.ipv4);
    CHECK(logged("REMOVE_NETWORK all\nADD_NETWORK\nSET_NETWORK 0 ssid 48656c7043656e747265\n"
                 "SET_NETWORK 0 psk \"s3cret \"pass\"\"\n"),
          "the network's commands: %s", srv.log);
    CHECK(logged("SELECT_NETWORK 0\n") && !logged("SAVE_CONFIG"), "selected, never saved");
    struct wifi_status last;
    wifi_last_status(w, &last);
    CHECK(last.state == WIFI_CONNECTED, "last status");
    CHECK(wifi_disconnect(w) == 0, "disconnect");
    CHECK(logged("DISCONNECT\n"), "DISCONNECT sent");
    wifi_wait(w, 10, &st);
    CHECK(st.state == WIFI_DISCONNECTED, "disconnected: %s", wifi_state_name(st.state));
    wifi_destroy(w);
    srv_stop();

    /* An open network: key_mgmt NONE, no psk. */
    srv_start(dir, B_JOIN);
    w = real(dir, 0, 0);
    net.security = WIFI_SEC_OPEN;
    CHECK(wifi_connect(w, &net, "a passphrase") == -1, "an open network takes none");
    CHECK(wifi_connect(w, &net, NULL) == 0, "open: %s", wifi_error(w));
    st = settle(w);
    CHECK(st.state == WIFI_CONNECTED, "open network connected");
    CHECK(logged("key_mgmt NONE") && !logged(" psk "), "key_mgmt NONE");
    wifi_destroy(w);
    srv_stop();
}

static void expect_failure(const char *dir, enum behaviour b, enum wifi_reason why, int connect_ms,
                           int address_ms, const char *what)
{
    srv_start(dir, b);
    struct wifi *w = real(dir, connect_ms, address_ms);
    struct wifi_network net;
    memset(&net, 0, sizeof net);
    memcpy(net.ssid, "HelpCentre", net.ssid_len = 10);
    net.security = WIFI_SEC_PSK;
    int rc = wifi_connect(w, &net, "wrong passphrase");
    struct wifi_status st = settle(w);
    CHECK((rc == 0 || why == WIFI_REASON_ERROR) && st.state == WIFI_FAILED && st.reason == why,
          "%s: %s %s (%s)", what, wifi_state_name(st.state), wifi_reason_name(st.reason), wifi_error(w));
    /* After a failure wpa_supplicant is told to stop trying. */
    if (b != B_SILENT && b != B_GARBAGE)
        CHECK(logged("DISCONNECT\nREMOVE_NETWORK all\n"), "%s: told to stop after the failure", what);
    /* The failure stays until something else is asked for. */
    wifi_wait(w, 10, &st);
    CHECK(st.state == WIFI_FAILED && st.reason == why, "%s: the failure is kept", what);
    wifi_destroy(w);
    srv_stop();
}

static void test_failures(const char *dir)
{
    expect_failure(dir, B_WRONG_KEY, WIFI_REASON_WRONG_KEY, 0, 0, "wrong key");
    expect_failure(dir, B_GONE, WIFI_REASON_NOT_FOUND, 0, 0, "network gone");
    expect_failure(dir, B_NO_ADDRESS, WIFI_REASON_NO_ADDRESS, 0, 400, "no address");
    /* Garbage and silence: connecting fails at once, nothing crashes. */
    expect_failure(dir, B_GARBAGE, WIFI_REASON_ERROR, 0, 0, "garbage replies");
    double t0 = now_s();
    expect_failure(dir, B_SILENT, WIFI_REASON_ERROR, 0, 0, "no answer");
    CHECK(now_s() - t0 < 3, "a silent server is a timeout, not a hang (%.2f s)", now_s() - t0);

    /* Garbage to a scan. */
    srv_start(dir, B_GARBAGE);
    struct wifi *w = real(dir, 0, 0);
    struct wifi_network nets[8];
    size_t n = 99;
    CHECK(wifi_scan(w, nets, 8, &n) == -1 && n == 0, "a garbage answer to SCAN");
    wifi_destroy(w);
    srv_stop();

    /* Nothing follows SELECT_NETWORK: the connect timeout ends it. */
    expect_failure(dir, B_NOTHING, WIFI_REASON_TIMEOUT, 400, 0, "nothing happens");

    /* No wpa_supplicant at all. */
    w = real(dir, 0, 0);
    CHECK(!wifi_present(w), "no socket, no interface: no radio");
    CHECK(wifi_scan(w, nets, 8, &n) == -1 && strstr(wifi_error(w), "control socket"), "no socket: %s",
          wifi_error(w));
    wifi_destroy(w);
}

static void test_parsers(void)
{
    uint8_t b[WIFI_SSID_MAX];
    size_t n;
    CHECK(wifi_ssid_unescape("a\\x4", 4, b, &n) == -1, "short \\x");
    CHECK(wifi_ssid_unescape("a\\", 2, b, &n) == -1, "a lone backslash");
    CHECK(wifi_ssid_unescape("\\e\\n\\t\\\\", 8, b, &n) == 0 && n == 4 && b[0] == 0x1b && b[3] == '\\',
          "escapes");
    CHECK(wifi_ssid_unescape("\\xd8\\xb3!", 9, b, &n) == 0 && n == 3 && b[0] == 0xd8 && b[1] == 0xb3,
          "hex escapes");
    /* Shown: invalid UTF-8 and direction overrides as U+FFFD, Urdu kept. */
    char shown[64];
    wifi_ssid_shown((const uint8_t *)"\xd8\xb3\xff\xe2\x80\xaex", 7, shown, sizeof shown);
    CHECK(!strcmp(shown, "\xd8\xb3\xef\xbf\xbd\xef\xbf\xbdx"), "ssid shown: '%s'", shown);
    CHECK(wifi_parse_event("<3>CTRL-EVENT-CONNECTED - x", 27) == WIFI_EV_CONNECTED, "connected");
    CHECK(wifi_parse_event("CTRL-EVENT-CONNECTEDX", 21) == WIFI_EV_NONE, "a longer name");
    CHECK(wifi_parse_event("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 reason=CONN_FAILED", 56) ==
              WIFI_EV_TEMP_DISABLED,
          "other reasons are not a wrong key");
    CHECK(wifi_parse_event("<", 1) == WIFI_EV_NONE && wifi_parse_event("", 0) == WIFI_EV_NONE, "short");
    char ip[16];
    CHECK(wifi_parse_status("wpa_state=COMPLETED\nip_address=10.1.2.3", 39, ip) && !strcmp(ip, "10.1.2.3"),
          "status");
    CHECK(!wifi_parse_status("wpa_state=COMPLETEDX\nip_address=999.1.2.3\n", 42, ip) && !ip[0],
          "not completed, not an address");
    CHECK(wifi_bars(-30) == 4 && wifi_bars(-70) == 2 && wifi_bars(-100) == 0 && wifi_bars(60) == 2, "bars");
    CHECK(wifi_passphrase_ok("12345678") && !wifi_passphrase_ok("1234567") &&
              !wifi_passphrase_ok("1234567\n8") &&
              !wifi_passphrase_ok("0123456789012345678901234567890123456789012345678901234567890123"),
          "passphrase rules");
    /* Random bytes through every parser: no crash (ASan runs). */
    struct wifi_network nets[8];
    char junk[2048];
    for (int r = 0; r < 2000; r++) {
        randombytes_buf(junk, sizeof junk);
        for (size_t i = 0; i < sizeof junk; i++)
            if (r & 1 && (junk[i] & 7) == 0)
                junk[i] = '\t';
        wifi_parse_scan_results(junk, sizeof junk, nets, 8);
        wifi_parse_event(junk, (size_t)(r % 64));
        wifi_parse_status(junk, sizeof junk, ip);
    }
}

static void test_store(const char *dir)
{
    uint8_t secret[32], key[WIFI_STORE_KEY_SIZE], other[WIFI_STORE_KEY_SIZE];
    randombytes_buf(secret, sizeof secret);
    wifi_store_key(secret, key);
    secret[0] ^= 1;
    wifi_store_key(secret, other);
    char err[256], *pass = sodium_malloc(WIFI_PASS_MAX + 1);
    REQUIRE(pass, "sodium_malloc");
    const char *pp = "Very-Secret-Passphrase-42";
    CHECK(wifi_store_get(dir, key, (const uint8_t *)"Home", 4, pass, err, sizeof err) == 0 && !pass[0],
          "nothing remembered yet");
    CHECK(wifi_store_put(dir, key, (const uint8_t *)"Home", 4, pp, err, sizeof err) == 0, "put: %s", err);
    CHECK(wifi_store_put(dir, key, (const uint8_t *)"Cafe", 4, NULL, err, sizeof err) == 0, "put open");
    CHECK(wifi_store_get(dir, key, (const uint8_t *)"Home", 4, pass, err, sizeof err) == 1 &&
              !strcmp(pass, pp),
          "round trip");
    CHECK(wifi_store_get(dir, key, (const uint8_t *)"Cafe", 4, pass, err, sizeof err) == 1 && !pass[0],
          "open network remembered");
    char path[512];
    snprintf(path, sizeof path, "%s/" WIFI_STORE_FILE, dir);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
    size_t len;
    uint8_t *data = read_whole(path, &len);
    REQUIRE(data, "the file");
    CHECK(!memmem(data, len, pp, strlen(pp)) && !memmem(data, len, "Home", 4), "encrypted");
    CHECK(wifi_store_get(dir, other, (const uint8_t *)"Home", 4, pass, err, sizeof err) == -1 && !pass[0],
          "another key cannot open it");
    data[len - 1] ^= 1;
    write_whole(path, data, len);
    free(data);
    CHECK(wifi_store_get(dir, key, (const uint8_t *)"Home", 4, pass, err, sizeof err) == -1,
          "a damaged file is refused");
    CHECK(wifi_store_forget(dir, key, (const uint8_t *)"Home", 4, err, sizeof err) == 0 &&
              stat(path, &sb) != 0,
          "forgetting from a damaged file removes it");
    CHECK(wifi_store_put(dir, key, (const uint8_t *)"Home", 4, pp, err, sizeof err) == 0, "put again");
    CHECK(wifi_store_put(dir, key, (const uint8_t *)"Cafe", 4, NULL, err, sizeof err) == 0, "put open");
    CHECK(wifi_store_forget(dir, key, (const uint8_t *)"Home", 4, err, sizeof err) == 0 &&
              wifi_store_get(dir, key, (const uint8_t *)"Home", 4, pass, err, sizeof err) == 0,
          "forgotten");
    CHECK(wifi_store_forget(dir, key, (const uint8_t *)"Cafe", 4, err, sizeof err) == 0 &&
              stat(path, &sb) != 0,
          "the last one forgotten: no file");
    /* Beyond WIFI_STORE_MAX the oldest goes. */
    for (int i = 0; i < WIFI_STORE_MAX + 2; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", i);
        CHECK(wifi_store_put(dir, key, (const uint8_t *)name, strlen(name), "12345678", err, sizeof err) == 0,
              "put %d", i);
    }
    CHECK(wifi_store_get(dir, key, (const uint8_t *)"n0", 2, pass, err, sizeof err) == 0 &&
              wifi_store_get(dir, key, (const uint8_t *)"n17", 3, pass, err, sizeof err) == 1,
          "the oldest dropped");
    sodium_free(pass);
}

static void test_fake(void)
{
    const struct wifi_fake_network world[] = {
        {"Weak", -85, WIFI_SEC_OPEN, NULL},
        {"HelpCentre", -50, WIFI_SEC_PSK, "right-passphrase"},
    };
    struct wifi_fake_config fc = {.networks = world, .count = 2, .connect_ms = 50};
    struct wifi_options o = {.fake = &fc};
    char err[256];
    struct wifi *w = wifi_create(&wifi_backend_fake, &o, err, sizeof err);
    REQUIRE(w, "fake: %s", err);
    CHECK(wifi_present(w), "a radio");
    struct wifi_network nets[8];
    size_t n;
    CHECK(wifi_scan(w, nets, 8, &n) == 0 && n == 2 && !strcmp(nets[0].shown, "HelpCentre"), "strongest first");
    CHECK(wifi_connect(w, &nets[0], "wrong-passphrase") == 0, "connect");
    struct wifi_status st = settle(w);
    CHECK(st.state == WIFI_FAILED && st.reason == WIFI_REASON_WRONG_KEY, "wrong key");
    CHECK(wifi_connect(w, &nets[0], "right-passphrase") == 0, "connect");
    st = settle(w);
    CHECK(st.state == WIFI_CONNECTED && st.ipv4[0], "connected");
    wifi_destroy(w);
    fc.no_address = true;
    o.address_ms = 200;
    w = wifi_create(&wifi_backend_fake, &o, err, sizeof err);
    wifi_scan(w, nets, 8, &n);
    wifi_connect(w, &nets[0], "right-passphrase");
    st = settle(w);
    CHECK(st.state == WIFI_FAILED && st.reason == WIFI_REASON_NO_ADDRESS, "no address: %s",
          wifi_reason_name(st.reason));
    wifi_destroy(w);
    fc.no_radio = true;
    w = wifi_create(&wifi_backend_fake, &o, err, sizeof err);
    CHECK(!wifi_present(w) && wifi_scan(w, nets, 8, &n) == -1, "no radio");
    wifi_destroy(w);
}

int main(void)
{
    REQUIRE(sodium_init() >= 0, "sodium");
    const char *dir = make_tmpdir("wifi");
    REQUIRE(dir, "tmpdir");
    test_parsers();
    test_scan(dir);
    test_connect(dir);
    test_failures(dir);
    test_store(dir);
    test_fake();
    rm_rf(dir);
    return check_exit();
}
