/* The staff screen's Wi-Fi pages (staff_wifi.c): the networks around, the
 * password with an on-screen keyboard, connecting and its outcome. The
 * staff screen owns the pages' order and calls these; the network is up
 * only while staff are on their screen (staff_wifi_leave()). */
#ifndef HIFAZAT_STAFF_WIFI_H
#define HIFAZAT_STAFF_WIFI_H

#include "screen_util.h"

/* The pages; staff_wifi_draw() returns the one to show next. */
enum staff_wifi_page { SW_STAY = -1, SW_STAFF = 0, SW_LIST, SW_PASSWORD, SW_STATUS };

/* The staff screen opened (wipes what an earlier visit left). */
void staff_wifi_enter(struct app *a);
/* Staff chose "Wi-Fi" on their main page: the list, and a scan. */
void staff_wifi_open(struct app *a);
/* Draws page pg into p (page_begin() done); returns the next page or SW_STAY. */
int staff_wifi_draw(struct app *a, struct ui_ctx *ui, struct page *p, enum staff_wifi_page pg);
/* Typing on a physical keyboard while the password page shows. */
bool staff_wifi_event(struct app *a, const struct ui_event *e, enum staff_wifi_page pg);
/* Where the focus starts on a page. */
const char *staff_wifi_focus(enum staff_wifi_page pg);
/* The staff screen is left: the network goes down now, or once the running
 * upload has finished (staff_wifi_upload_done()). */
void staff_wifi_leave(struct app *a, bool upload_running);
void staff_wifi_upload_done(struct app *a);
/* The kiosk starts: whatever network a crashed run left up goes down (on
 * a worker: wpa_supplicant may be slow to answer). */
void staff_wifi_start(struct app *a);
/* A connect is under way ("Upload now" waits for its end). */
bool staff_wifi_connecting(const struct app *a);

#endif
