/* The wifi module's parsers of wpa_supplicant's replies and events, shared
 * by the backend, its unit test and its fuzz target. Every function takes
 * untrusted bytes of any length and never reads past them. */
#ifndef HIFAZAT_WIFI_INTERNAL_H
#define HIFAZAT_WIFI_INTERNAL_H

#include "wifi.h"

/* SCAN_RESULTS ("bssid / frequency / signal level / flags / ssid" lines):
 * the networks, one per name (the strongest kept), unsorted; lines that do
 * not parse are skipped. Returns how many were written (at most max). */
size_t wifi_parse_scan_results(const char *text, size_t len, struct wifi_network *nets, size_t max);
/* A printf-escaped SSID (\\, \", \e, \n, \r, \t, \xHH) into bytes; -1 when
 * it is longer than WIFI_SSID_MAX or badly escaped. */
int wifi_ssid_unescape(const char *s, size_t len, uint8_t *out, size_t *out_len);
/* The bytes as text safe to draw (see struct wifi_network.shown). */
void wifi_ssid_shown(const uint8_t *ssid, size_t len, char *out, size_t outlen);
/* The flags field ("[WPA2-PSK-CCMP][ESS]") to a kind of security. */
enum wifi_security wifi_parse_flags(const char *flags, size_t len);
/* A signal level to 0..4 bars. */
int wifi_bars(int signal);

enum wifi_event {
    WIFI_EV_NONE,           /* anything else */
    WIFI_EV_SCAN_RESULTS,   /* CTRL-EVENT-SCAN-RESULTS */
    WIFI_EV_CONNECTED,      /* CTRL-EVENT-CONNECTED */
    WIFI_EV_DISCONNECTED,   /* CTRL-EVENT-DISCONNECTED */
    WIFI_EV_WRONG_KEY,      /* CTRL-EVENT-SSID-TEMP-DISABLED ... reason=WRONG_KEY */
    WIFI_EV_TEMP_DISABLED,  /* ... any other reason */
    WIFI_EV_NOT_FOUND,      /* CTRL-EVENT-NETWORK-NOT-FOUND */
    WIFI_EV_TERMINATING,    /* CTRL-EVENT-TERMINATING */
};
/* One unsolicited message ("<3>CTRL-EVENT-CONNECTED - ..."). */
enum wifi_event wifi_parse_event(const char *msg, size_t len);

/* STATUS: wpa_state=COMPLETED and ip_address=; ipv4 "" when absent or not
 * an IPv4 address. Returns whether wpa_state is COMPLETED. */
bool wifi_parse_status(const char *text, size_t len, char ipv4[16]);

#endif
