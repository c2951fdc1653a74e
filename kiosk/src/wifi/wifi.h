/* wifi — staff connect the kiosk to a Wi-Fi network for "Upload now", and
 * only then: there is no network until they ask for one.
 *
 * A backend does the radio work (SDL style: a table of functions):
 * wifi_backend_wpa speaks wpa_supplicant's control interface (a unix
 * datagram socket per interface, its text commands and, on a second socket
 * after ATTACH, its events); wifi_backend_fake is a made-up world for tests
 * (networks, signal, a passphrase each, a connect delay, no radio). It never
 * writes wpa_supplicant's configuration: what is remembered is the kiosk's
 * own encrypted file (step 7). Addresses come from DHCP run by someone else
 * (systemd-networkd on the USB image). Every call may block (at most the
 * timeouts below): call them from a worker thread, except
 * wifi_last_status() and wifi_present(), which never block. Calls on one handle are
 * serialised inside it. Nothing here logs; no SSID or passphrase is ever
 * printed, and error messages never hold either.
 *
 * Usage:
 *   1. w = wifi_create(&wifi_backend_wpa, &opts, err, errlen) with
 *      opts.interface ("wlan0") and opts.control_dir
 *      ("/run/wpa_supplicant"); NULL + err when the options are unusable.
 *   2. wifi_present(w): whether this machine has the radio at all (say
 *      "no Wi-Fi" and stop when it has not).
 *   3. wifi_scan(w, nets, max, &n): the networks around, strongest first,
 *      one entry per name (its name as bytes and shown safely, 0..4 bars,
 *      open / WPA2 / WPA3 personal, or not supported: enterprise, WEP).
 *   4. wifi_connect(w, &nets[i], passphrase) (8..63 printable ASCII; NULL
 *      for an open network) starts connecting; returns at once.
 *   5. wifi_wait(w, ms, &st) in a loop until st.state is WIFI_CONNECTED (with
 *      st.ipv4) or WIFI_FAILED (st.reason: wrong passphrase, network gone,
 *      no address, timed out, not working). The connect and address
 *      timeouts are applied here, so the loop always ends.
 *   6. wifi_disconnect(w) when the network is no longer wanted (staff leave
 *      their screen). wifi_destroy(w) disconnects too (accepts NULL).
 *   7. Remembered networks: wifi_store_key(secret, key) derives the file's
 *      key from the site's kiosk_key_secret; wifi_store_put(dir, key, ssid,
 *      len, passphrase) / wifi_store_get() (into sodium_malloc'd memory the
 *      caller wipes) / wifi_store_forget() keep WIFI_STORE_FILE in the data
 *      directory, encrypted (XChaCha20-Poly1305), written durably, mode 0600.
 */
#ifndef HIFAZAT_WIFI_H
#define HIFAZAT_WIFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { WIFI_SSID_MAX = 32, WIFI_PASS_MIN = 8, WIFI_PASS_MAX = 63, WIFI_SHOWN_MAX = 130,
       WIFI_MAX_NETWORKS = 64 };

enum wifi_security {
    WIFI_SEC_OPEN,       /* no passphrase */
    WIFI_SEC_PSK,        /* WPA2 (or WPA) personal: a passphrase */
    WIFI_SEC_SAE,        /* WPA3 personal (or WPA2/WPA3 mixed): a passphrase */
    WIFI_SEC_ENTERPRISE, /* 802.1X (EAP): not supported */
    WIFI_SEC_OTHER,      /* WEP, OWE, anything else: not supported */
};

struct wifi_network {
    uint8_t ssid[WIFI_SSID_MAX];
    size_t ssid_len;                /* 1..32: hidden networks are not listed */
    char shown[WIFI_SHOWN_MAX];     /* the name as UTF-8 safe to draw: bytes that are not
                                       UTF-8, controls and direction marks replaced by U+FFFD */
    int signal;                     /* dBm as the driver says it */
    int bars;                       /* 0..4 */
    enum wifi_security security;
};

/* Whether the kiosk can connect to a network of this kind. */
bool wifi_security_supported(enum wifi_security s);
/* Whether connecting needs a passphrase. */
bool wifi_security_needs_passphrase(enum wifi_security s);

enum wifi_state { WIFI_DISCONNECTED, WIFI_CONNECTING, WIFI_CONNECTED, WIFI_FAILED };

enum wifi_reason {
    WIFI_REASON_NONE,
    WIFI_REASON_WRONG_KEY,   /* the network refused the passphrase */
    WIFI_REASON_NOT_FOUND,   /* the network is gone (out of range, switched off) */
    WIFI_REASON_NO_ADDRESS,  /* joined, but no IPv4 address came (DHCP) */
    WIFI_REASON_TIMEOUT,     /* nothing decided within the connect timeout */
    WIFI_REASON_ERROR,       /* wpa_supplicant cannot be reached, or refused a command */
};

struct wifi_status {
    enum wifi_state state;
    enum wifi_reason reason;        /* with WIFI_FAILED */
    bool link;                      /* joined (still waiting for an address while connecting) */
    char ipv4[16];                  /* with WIFI_CONNECTED: "192.168.1.23" */
};

/* Stable names for events and tests: "disconnected", "connecting",
 * "connected", "failed"; "wrong_key", "not_found", "no_address", "timeout",
 * "error" ("" for none). */
const char *wifi_state_name(enum wifi_state s);
const char *wifi_reason_name(enum wifi_reason r);

/* The fake backend's world (tests). */
struct wifi_fake_network {
    const char *ssid;               /* bytes up to its NUL */
    int signal;                     /* dBm */
    enum wifi_security security;
    const char *passphrase;         /* the right one (NULL: open) */
};
struct wifi_fake_config {
    const struct wifi_fake_network *networks;
    size_t count;
    bool no_radio;                  /* wifi_present() is false */
    int connect_ms;                 /* how long joining takes */
    bool no_address;                /* joins, but DHCP never answers */
};

struct wifi_options {
    const char *interface;          /* "wlan0" */
    const char *control_dir;        /* NULL: "/run/wpa_supplicant" */
    int request_ms;                 /* one control request's reply (0: 2000) */
    int scan_ms;                    /* waiting for a scan's results (0: 10000) */
    int connect_ms;                 /* connect to connected or failed (0: 45000) */
    int address_ms;                 /* joined to an address (0: 20000) */
    const struct wifi_fake_config *fake; /* wifi_backend_fake's world (copied) */
};

/* A backend: each function but present() is called with the handle's lock
 * held (present() must be safe without it). Errors:
 * -1 and an English message in err (never an SSID or passphrase). */
struct wifi_backend {
    const char *name;
    void *(*open)(const struct wifi_options *o, char *err, size_t errlen);
    void (*close)(void *b);
    bool (*present)(void *b);
    int (*scan)(void *b, struct wifi_network *nets, size_t max, size_t *n, char *err, size_t errlen);
    int (*connect)(void *b, const struct wifi_network *net, const char *passphrase, char *err,
                   size_t errlen);
    /* Up to ms for news, then the state as the backend knows it: CONNECTING
     * with link once joined, CONNECTED once an address is known; FAILED
     * with a reason it saw (timeouts are the front's). -1: unreachable. */
    int (*wait)(void *b, int ms, struct wifi_status *st, char *err, size_t errlen);
    int (*disconnect)(void *b, char *err, size_t errlen);
};

extern const struct wifi_backend wifi_backend_wpa;
extern const struct wifi_backend wifi_backend_fake;

struct wifi;

struct wifi *wifi_create(const struct wifi_backend *backend, const struct wifi_options *o, char *err,
                         size_t errlen);
void wifi_destroy(struct wifi *w);
bool wifi_present(struct wifi *w);
/* 0 with *n networks in nets (strongest first, one per name), -1
 * (wifi_error()). */
int wifi_scan(struct wifi *w, struct wifi_network *nets, size_t max, size_t *n);
/* 0 once connecting started; -1: a passphrase of the wrong length or kind,
 * an unsupported network, or the backend refused (wifi_error()). The
 * passphrase is not kept. */
int wifi_connect(struct wifi *w, const struct wifi_network *net, const char *passphrase);
/* Waits up to ms for news; *st the state now. 0 / -1 (st still set). */
int wifi_wait(struct wifi *w, int ms, struct wifi_status *st);
/* What the last call saw, without asking the backend (never blocks). */
void wifi_last_status(struct wifi *w, struct wifi_status *st);
int wifi_disconnect(struct wifi *w);
/* The last failure, in English for staff and developers. */
const char *wifi_error(struct wifi *w);
/* Whether a passphrase can be used: 8..63 printable ASCII characters. */
bool wifi_passphrase_ok(const char *p);

/* ---- remembered networks */
#define WIFI_STORE_FILE "wifi-networks"
enum { WIFI_STORE_KEY_SIZE = 32, WIFI_STORE_MAX = 16 };

/* The file's key from kiosk_key_secret (crypto_kdf, a context of its own). */
void wifi_store_key(const uint8_t secret[32], uint8_t key[WIFI_STORE_KEY_SIZE]);
/* Remembers (or replaces) a network's passphrase (NULL: an open network);
 * the oldest is dropped beyond WIFI_STORE_MAX. 0 / -1. */
int wifi_store_put(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                   size_t ssid_len, const char *passphrase, char *err, size_t errlen);
/* 1 with the passphrase in pass (WIFI_PASS_MAX + 1 bytes, "" for an open
 * network), 0 when not remembered, -1 when the file cannot be read or
 * opened (a wrong key, damaged). pass is "" on every path but 1. */
int wifi_store_get(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                   size_t ssid_len, char *pass, char *err, size_t errlen);
/* Forgets one network (the file goes when it was the last). 0 / -1. */
int wifi_store_forget(const char *dir, const uint8_t key[WIFI_STORE_KEY_SIZE], const uint8_t *ssid,
                      size_t ssid_len, char *err, size_t errlen);

#endif
