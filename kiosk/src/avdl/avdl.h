/* avdl — FFmpeg's libraries, loaded when a video is first met.
 *
 * Linking libavformat and libavcodec brings every codec library FFmpeg was
 * built with (about 130 shared objects on Debian) into a process before
 * main(): 17 MB of resident memory and their relocations, in a CLI and a
 * kiosk that mostly hash photos. So nothing links FFmpeg: the functions vpdq
 * and media call are looked up here, once, with dlopen()/dlsym(), by the
 * sonames of the headers they were compiled against (so the ABI matches).
 *
 * Usage:
 *   1. Include FFmpeg's headers, then "avdl.h".
 *   2. avdl_load(detail, len) before the first FFmpeg call: 0 when the
 *      libraries are there (again 0 at once on later calls; thread-safe),
 *      -1 when they are not, with dlerror()'s words in detail — the video
 *      cannot be decoded then, nothing else is affected; the failure is
 *      remembered (one dlopen() attempt per process, not one per video).
 *   3. Call FFmpeg through the table: avdl.avformat_open_input(...).
 *
 * FFmpeg never prints (it would describe a person's video on stderr): its
 * log goes to a per-thread buffer, avdl_last_log(), emptied by
 * avdl_clear_log(); only errors are kept.
 */
#ifndef HIFAZAT_AVDL_H
#define HIFAZAT_AVDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libswscale/swscale.h>

enum { AVDL_AVUTIL, AVDL_SWSCALE, AVDL_AVCODEC, AVDL_AVFORMAT, AVDL_NLIBS };

struct avdl {
#define AVDL_SYM(lib, name) __typeof__(name) *name;
#include "avdl_syms.h"
#undef AVDL_SYM
};

/* Filled by the first successful avdl_load(); all NULL before. */
extern struct avdl avdl;

int avdl_load(char *detail, size_t len);

/* The files avdl_load() opens instead of the sonames (for tests of a
 * missing or wrong library, or an install that keeps FFmpeg elsewhere);
 * NULL entries, or names NULL, mean the sonames. Forgets an earlier
 * failure; no effect once loaded. The strings must outlive the loading. */
void avdl_set_names(const char *const names[AVDL_NLIBS]);

/* Whether FFmpeg is in this process (for tests: a photo must not load it). */
bool avdl_loaded(void);

const char *avdl_last_log(void);
void avdl_clear_log(void);

/* The stream's display matrix (9 int32, the rotation/flip a player applies),
 * or NULL when it has none or a short one. FFmpeg 6.1 moved it from stream
 * side data to codecpar's; this is the one place that knows. avdl_load()
 * first. */
const int32_t *avdl_display_matrix(const AVStream *st);

#endif
