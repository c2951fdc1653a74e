/* What the flow's screens share: the page layout (a readable column, a
 * title, a row of Back / Next at the bottom), referrals, and the words and
 * numbers shown to people (sizes, durations, why a file failed). */
#ifndef HIFAZAT_SCREEN_UTIL_H
#define HIFAZAT_SCREEN_UTIL_H

#include "app_internal.h"

#include <stddef.h>
#include <stdint.h>

struct page {
    struct ui_rect col;   /* the whole column */
    struct ui_rect body;  /* between the title and the buttons */
    struct ui_rect nav;   /* the button row (h = 0 without one) */
};

/* A centred column of at most theme.content_w (wide: the whole width). */
void page_begin(struct ui_ctx *ui, struct ui_rect area, bool wide, bool nav, struct page *p);
/* Title at the top of the body, with an icon at its start (icon < 0: none). */
void page_title(struct ui_ctx *ui, struct page *p, const char *title, int icon);
/* A paragraph at the top of the body (cut from it); returns its height. */
int page_text(struct ui_ctx *ui, struct page *p, const char *text, enum ui_font f, ui_color c);

enum nav_action { NAV_NONE, NAV_BACK, NAV_NEXT };
/* Back at the start, the main action at the end of the button row. Either
 * label may be NULL (no button). Leaves p->nav as the space between them. */
enum nav_action page_nav(struct ui_ctx *ui, struct page *p, const char *back_id, const char *back,
                         const char *next_id, const char *next, bool next_disabled);

/* A white card with a border. */
void draw_card(struct ui_ctx *ui, struct ui_rect r);
/* An icon and a wrapped text beside it; returns the height used. With
 * measure_only nothing is drawn. */
int icon_row(struct ui_ctx *ui, struct ui_rect r, int icon, ui_color icon_color, const char *text,
             enum ui_font f, bool measure_only);
/* The referral list (name, number, note), for r.w; returns the height. */
int draw_referrals(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool measure_only);

/* The referrals as compact rows, so that all of them show at once (a
 * netbook too): the number, bold and in a column of its own, the name
 * beside it, and its note under the name when `notes`. Returns the height. */
int draw_helplines(struct app *a, struct ui_ctx *ui, struct ui_rect r, bool notes, bool measure_only);

/* A digit pad, 3 x 4 and the same order in both languages: 1-9, an erase
 * key (its own key-cap sign, never the Back arrow), 0 and the action key
 * (ok: its label, NULL: none). Keys are as tall as fits r.h (at least a
 * touch target, at most a button), centred in r; key k's widget id is
 * ui_id_index(ui_id(id), k). Returns the key pressed this frame (0-9,
 * PAD_ERASE, PAD_OK) or -1; the height used in *used (may be NULL). */
enum { PAD_ERASE = 10, PAD_OK = 11 };
int digit_pad(struct ui_ctx *ui, const char *id, struct ui_rect r, const char *ok, bool ok_disabled,
              int *used);
/* The pad key a key press means (a digit, Backspace: PAD_ERASE, Enter:
 * PAD_OK), or -1: typing on a keyboard works like the pad. */
int digit_pad_key(const struct ui_event *e);
/* A row of n secret dots centred at the top of *r (cut from it): filled
 * ones never show which digits, flash: a key press was taken. */
void pin_dots(struct ui_ctx *ui, struct ui_rect *r, int n, int filled, bool flash);

/* "16 GB", "820 MB" (words in the UI language). */
void fmt_size(char *buf, size_t n, uint64_t bytes);
/* "1:05" (videos), "1:02:03". */
void fmt_clock(char *buf, size_t n, int64_t ms);
/* A calm estimate: "about 3 minutes left", "less than a minute left". */
void fmt_time_left(char *buf, size_t n, double seconds);
/* Why a file could not be fingerprinted, in plain words. */
const char *problem_text(enum item_problem p);
/* The device's name to show (the demo phone is named in the UI language). */
const char *volume_name(const struct app *a, const struct device_info *v);
/* A staff courier stick (filesystem label HIFAZATOUT, which the USB image
 * mounts read-write for exports): offered on the staff export page, never to
 * a person choosing their own phone or card. */
bool volume_is_courier(const struct device_info *v);
/* Why a phone cannot be read yet, in plain words (NULL when it can). */
const char *device_state_text(enum device_state s);

#endif
