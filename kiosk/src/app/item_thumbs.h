/* Blurred thumbnails of the files a person chose, for the screens that
 * list them after Choose (Review; the fingerprinting problems show a
 * neutral icon, as most of those files cannot be read): a picture
 * they recognise by its colours and shapes, where a file name or a hash
 * would be read by anyone passing, or mistaken for the case code. They
 * come from the media module's thumbnails (decoded in its sandbox, cached
 * in memory; a video's is its poster frame), blurred in memory as the
 * gallery's are and never shown sharp here. Nothing is written anywhere:
 * the images live in the UI's memory and are wiped when destroyed.
 *
 * The folders the files are in are opened again (read-only, listed on
 * media's thread for a phone) to find each file's entry; a file that is
 * not found, cannot be shown (damaged) or a video without a poster has no
 * image: the screen draws a neutral icon instead.
 *
 * Usage:
 *   1. t = item_thumbs_create() when the screen is entered.
 *   2. In update(): on APP_EV/MEDIA_EV_FOLDER or MEDIA_EV_THUMBS,
 *      item_thumbs_update(a, t) (the folders take their news).
 *   3. In draw(), for each visible row: img = item_thumb(a, t, item->path)
 *      (NULL: draw the icon), then item_thumbs_end_frame(a, t) once: it
 *      asks media for the thumbnails of this frame's rows, the first
 *      listed first.
 *   4. item_thumbs_destroy(a, t) when leaving (closes the folders, wipes
 *      the images and the paths). Accepts NULL. */
#ifndef HIFAZAT_ITEM_THUMBS_H
#define HIFAZAT_ITEM_THUMBS_H

#include "screen_util.h"

struct item_thumbs;

struct item_thumbs *item_thumbs_create(void);
void item_thumbs_destroy(struct app *a, struct item_thumbs *t);
void item_thumbs_update(struct app *a, struct item_thumbs *t);
/* The blurred thumbnail of the chosen file at path, or NULL for now. */
struct ui_image *item_thumb(struct app *a, struct item_thumbs *t, const char *path);
void item_thumbs_end_frame(struct app *a, struct item_thumbs *t);

#endif
