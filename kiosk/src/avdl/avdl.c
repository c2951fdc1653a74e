/* avdl — FFmpeg's libraries loaded on first use (see avdl.h). */
#include "avdl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/macros.h>

struct avdl avdl;

static const char *const default_names[AVDL_NLIBS] = {
    [AVDL_AVUTIL] = "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
    [AVDL_SWSCALE] = "libswscale.so." AV_STRINGIFY(LIBSWSCALE_VERSION_MAJOR),
    [AVDL_AVCODEC] = "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR),
    [AVDL_AVFORMAT] = "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR),
};

/* The major version each library must report: same soname is same ABI,
 * but a file renamed by hand (or a test's wrong library) is caught here. */
static const unsigned expected_major[AVDL_NLIBS] = {
    [AVDL_AVUTIL] = LIBAVUTIL_VERSION_MAJOR,
    [AVDL_SWSCALE] = LIBSWSCALE_VERSION_MAJOR,
    [AVDL_AVCODEC] = LIBAVCODEC_VERSION_MAJOR,
    [AVDL_AVFORMAT] = LIBAVFORMAT_VERSION_MAJOR,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *chosen[AVDL_NLIBS];     /* avdl_set_names(); NULL: default_names */
static atomic_bool loaded;
static bool failed;                 /* avdl_load() gave up: don't retry each video */
static char failed_detail[200];

/* ---- FFmpeg's log: silent, the last error kept per thread ---- */

static _Thread_local char last_log[160];

static void log_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    (void)avcl;
    if (level > AV_LOG_ERROR)
        return;
    vsnprintf(last_log, sizeof(last_log), fmt, vl);
    size_t n = strlen(last_log);
    while (n && (last_log[n - 1] == '\n' || last_log[n - 1] == ' '))
        last_log[--n] = 0;
}

const char *avdl_last_log(void)
{
    return last_log;
}

void avdl_clear_log(void)
{
    last_log[0] = 0;
}

bool avdl_loaded(void)
{
    return atomic_load(&loaded);
}

static const char *name_of(int lib)
{
    return chosen[lib] ? chosen[lib] : default_names[lib];
}

/* Called with the lock held. The handles stay open for the life of the
 * process, also when something is missing: dlclose() would unload libraries
 * whose constructors allocated (libgcrypt, libgomp, libavcodec itself),
 * and a later attempt (avdl_set_names) opens them again for nothing. */
static int load(char *detail, size_t len)
{
    void *h[AVDL_NLIBS] = {0};  /* not closed: see above */
    struct avdl t;
    memset(&t, 0, sizeof(t));
    if (len)
        detail[0] = 0;

    for (int i = 0; i < AVDL_NLIBS; i++) {
        const char *name = name_of(i);
        /* RTLD_LAZY: only the functions used get bound; RTLD_LOCAL: FFmpeg's
         * symbols stay out of the global namespace. */
        h[i] = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
        if (!h[i]) {
            const char *e = dlerror();
            snprintf(detail, len, "FFmpeg is not installed: %s", e ? e : name);
            goto fail;
        }
    }
#define AVDL_SYM(lib, name)                                                   \
    *(void **)&t.name = dlsym(h[lib], #name);                                 \
    if (!t.name) {                                                            \
        snprintf(detail, len, "FFmpeg's %s has no %s", name_of(lib), #name); \
        goto fail;                                                            \
    }
#include "avdl_syms.h"
#undef AVDL_SYM

    const unsigned got[AVDL_NLIBS] = {
        [AVDL_AVUTIL] = t.avutil_version(),
        [AVDL_SWSCALE] = t.swscale_version(),
        [AVDL_AVCODEC] = t.avcodec_version(),
        [AVDL_AVFORMAT] = t.avformat_version(),
    };
    for (int i = 0; i < AVDL_NLIBS; i++) {
        if (AV_VERSION_MAJOR(got[i]) != expected_major[i]) {
            snprintf(detail, len, "FFmpeg's %s is version %u, built for %u", name_of(i),
                     AV_VERSION_MAJOR(got[i]), expected_major[i]);
            goto fail;
        }
    }

    t.av_log_set_callback(log_callback);
    avdl = t;
    atomic_store(&loaded, true);
    return 0;

fail:
    return -1;
}

int avdl_load(char *detail, size_t len)
{
    if (len)
        detail[0] = 0;
    if (atomic_load(&loaded))
        return 0;
    pthread_mutex_lock(&lock);
    if (!atomic_load(&loaded) && !failed && load(failed_detail, sizeof(failed_detail)) != 0)
        failed = true;
    const int rc = atomic_load(&loaded) ? 0 : -1;
    if (rc)
        snprintf(detail, len, "%s", failed_detail);
    pthread_mutex_unlock(&lock);
    return rc;
}

void avdl_set_names(const char *const names[AVDL_NLIBS])
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < AVDL_NLIBS; i++)
        chosen[i] = names ? names[i] : NULL;
    failed = false;
    pthread_mutex_unlock(&lock);
}

const int32_t *avdl_display_matrix(const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *sd = avdl.av_packet_side_data_get(
        st->codecpar->coded_side_data, st->codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 9 * sizeof(int32_t) ? (const int32_t *)sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *sd = avdl.av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return sd && size >= 9 * sizeof(int32_t) ? (const int32_t *)(const void *)sd : NULL;
#endif
}
