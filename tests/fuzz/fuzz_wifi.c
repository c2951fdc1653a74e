/* libFuzzer: arbitrary bytes as wpa_supplicant's replies and events (any
 * process that can reach its socket, or a broken wpa_supplicant, could send
 * them): SCAN_RESULTS with escaped SSIDs, events, STATUS. */
#include "wifi_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes: a read past them is a finding. */
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    struct wifi_network nets[WIFI_MAX_NETWORKS];
    size_t n = wifi_parse_scan_results(s, size, nets, WIFI_MAX_NETWORKS);
    for (size_t i = 0; i < n; i++)
        if (nets[i].ssid_len == 0 || nets[i].ssid_len > WIFI_SSID_MAX || nets[i].bars < 0 ||
            nets[i].bars > 4 || strlen(nets[i].shown) >= sizeof nets[i].shown)
            abort();
    (void)wifi_parse_event(s, size);
    char ip[16];
    (void)wifi_parse_status(s, size, ip);
    if (strlen(ip) >= sizeof ip)
        abort();
    uint8_t ssid[WIFI_SSID_MAX];
    size_t sl;
    (void)wifi_ssid_unescape(s, size, ssid, &sl);
    free(s);
    return 0;
}
