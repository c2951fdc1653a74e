/* Device paths (device.h), errors and small helpers. */
#include "device_internal.h"

#include "codec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t device_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void device_free_str(char *s)
{
    if (s)
        device_free(s, strlen(s) + 1);
}

void device_free(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n); /* names and file bytes: somebody's */
    free(p);
}

int64_t device_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int device_set_err(struct device_error *err, enum device_err code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
        va_end(ap);
    }
    return -1;
}

enum device_err device_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return DEVICE_ERR_NOT_FOUND;
    case EACCES:
    case EPERM: return DEVICE_ERR_ACCESS;
    case ELOOP:
    case EXDEV: return DEVICE_ERR_OUTSIDE;
    case ENOMEM: return DEVICE_ERR_NOMEM;
    case ETIMEDOUT: return DEVICE_ERR_TIMEOUT;
    case EBUSY: return DEVICE_ERR_BUSY;
    case EINVAL: return DEVICE_ERR_INVALID;
    default: return DEVICE_ERR_GONE; /* EIO, ENODEV, ENXIO, ESTALE, ENOTCONN... */
    }
}

static const struct {
    const char *code, *message;
} errs[DEVICE_ERR_COUNT] = {
    [DEVICE_OK] = {"ok", "ok"},
    [DEVICE_ERR_NOT_FOUND] = {"not_found", "no such device, folder or file"},
    [DEVICE_ERR_ACCESS] = {"permission_denied", "permission denied"},
    [DEVICE_ERR_OUTSIDE] = {"outside", "a link that leads off the device was not followed"},
    [DEVICE_ERR_GONE] = {"device_removed", "the device was unplugged or cannot be read"},
    [DEVICE_ERR_TIMEOUT] = {"device_not_answering", "the device stopped answering"},
    [DEVICE_ERR_LOCKED] = {"device_locked", "the phone is locked or has not trusted this computer"},
    [DEVICE_ERR_BUSY] = {"device_busy", "another program is using the device"},
    [DEVICE_ERR_UNSUPPORTED] = {"unsupported", "the device cannot do that"},
    [DEVICE_ERR_CHANGED] = {"file_changed", "the file changed since it was listed"},
    [DEVICE_ERR_NOMEM] = {"out_of_memory", "out of memory"},
    [DEVICE_ERR_INVALID] = {"invalid", "invalid argument or path"},
};

const char *device_err_code(enum device_err e)
{
    return (unsigned)e < DEVICE_ERR_COUNT ? errs[e].code : "unknown_error";
}

const char *device_err_message(enum device_err e)
{
    return (unsigned)e < DEVICE_ERR_COUNT ? errs[e].message : "unknown error";
}

const char *device_backend_name(enum device_backend_kind b)
{
    switch (b) {
    case DEVICE_BACKEND_FS: return "fs";
    case DEVICE_BACKEND_MTP: return "mtp";
    case DEVICE_BACKEND_PTP: return "ptp";
    default: return "test";
    }
}

const char *device_state_name(enum device_state s)
{
    switch (s) {
    case DEVICE_READY: return "ready";
    case DEVICE_CONNECTING: return "connecting";
    case DEVICE_CHARGING_ONLY: return "charging_only";
    case DEVICE_LOCKED: return "locked";
    case DEVICE_UNTRUSTED: return "untrusted";
    case DEVICE_NOT_ANSWERING: return "not_answering";
    case DEVICE_BUSY: return "busy";
    default: return "failed";
    }
}

/* ---- paths ---- */

static bool usb_scheme(const char *s, size_t n)
{
    return (n == 3 && (!memcmp(s, "mtp", 3) || !memcmp(s, "ptp", 3))) || (n == 4 && !memcmp(s, "test", 4));
}

bool device_path_is_usb(const char *path)
{
    const char *c = path ? strchr(path, ':') : NULL;
    return c && usb_scheme(path, (size_t)(c - path));
}

char *dpath_normalize(const char *rel)
{
    char *out = malloc(strlen(rel) + 1);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    size_t o = 0;
    const char *p = rel;
    while (*p) {
        while (*p == '/')
            p++;
        const char *s = p;
        while (*p && *p != '/')
            p++;
        const size_t len = (size_t)(p - s);
        if (len == 0 || (len == 1 && s[0] == '.'))
            continue;
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            device_free(out, strlen(rel) + 1); /* not terminated yet */
            errno = EXDEV;
            return NULL;
        }
        if (o)
            out[o++] = '/';
        memcpy(out + o, s, len);
        o += len;
    }
    out[o] = 0;
    return out;
}

void dpath_clear(struct dpath *p)
{
    device_free_str(p->rel);
    memset(p, 0, sizeof(*p));
}

int dpath_parse(const char *path, struct dpath *p)
{
    memset(p, 0, sizeof(*p));
    if (!path || !*path) {
        errno = EINVAL;
        return -1;
    }
    if (!device_path_is_usb(path)) {
        if (path[0] != '/') {
            errno = EINVAL;
            return -1;
        }
        char *n = dpath_normalize(path);
        if (!n)
            return -1;
        /* Keep it absolute. */
        p->rel = malloc(strlen(n) + 2);
        if (!p->rel) {
            device_free_str(n);
            errno = ENOMEM;
            return -1;
        }
        snprintf(p->rel, strlen(n) + 2, "/%s", n);
        device_free_str(n);
        return 0;
    }
    const char *c = strchr(path, ':');
    memcpy(p->scheme, path, (size_t)(c - path));
    const char *k = c + 1;
    size_t kl = strcspn(k, "@/");
    if (kl >= sizeof(p->key)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(p->key, k, kl);
    for (size_t i = 0; i < kl; i++) {
        const char ch = p->key[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == '_')) {
            errno = EINVAL;
            return -1;
        }
    }
    const char *r = k + kl;
    if (*r == '@') {
        char *end;
        errno = 0;
        long s = strtol(r + 1, &end, 10);
        if (end == r + 1 || errno || s < 1 || s > DEVICE_PROBE_MAX_STORAGES || (*end && *end != '/')) {
            errno = EINVAL;
            return -1;
        }
        p->storage = (int)s;
        r = end;
    }
    p->rel = dpath_normalize(*r == '/' ? r + 1 : r);
    if (!p->rel)
        return -1;
    if (p->storage == 0 && p->rel[0])
        p->storage = 1;
    return 0;
}

char *dpath_format(const char *scheme, const char *key, int storage, const char *rel)
{
    char st[16] = "";
    if (storage > 1 || (storage == 1 && !rel[0]))
        snprintf(st, sizeof(st), "@%d", storage);
    const size_t n = strlen(scheme) + strlen(key) + strlen(st) + strlen(rel) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s:%s%s%s%s", scheme, key, st, rel[0] ? "/" : "", rel);
    return s;
}

void dpath_key(const char *serial, const char *fallback, char *out, size_t n)
{
    bool ok = serial && serial[0] && strlen(serial) < n && strlen(serial) < 64;
    for (const char *s = serial; ok && *s; s++)
        ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
             *s == '.' || *s == '-' || *s == '_';
    if (ok) {
        snprintf(out, n, "%s", serial);
        return;
    }
    /* A serial with other characters (or none): a stable stand-in made from it. */
    const char *src = serial && serial[0] ? serial : fallback ? fallback : "";
    snprintf(out, n, "x%012llx", (unsigned long long)(device_hash_str(src) & 0xffffffffffffull));
}

char *device_path_parent(const char *path)
{
    if (!path)
        return NULL;
    if (device_path_is_usb(path)) {
        struct dpath p;
        if (dpath_parse(path, &p) != 0)
            return NULL;
        char *out = NULL;
        if (p.rel[0]) {
            char *slash = strrchr(p.rel, '/');
            if (slash)
                *slash = 0;
            else
                p.rel[0] = 0;
            /* The top of storage 1 is the device's top. */
            out = dpath_format(p.scheme, p.key, p.rel[0] || p.storage > 1 ? p.storage : 0, p.rel);
        } else if (p.storage) {
            out = dpath_format(p.scheme, p.key, 0, "");
        }
        dpath_clear(&p);
        return out;
    }
    if (path[0] != '/')
        return NULL;
    char *n = dpath_normalize(path);
    if (!n)
        return NULL;
    if (!n[0]) { /* "/" */
        device_free_str(n);
        return NULL;
    }
    char *slash = strrchr(n, '/');
    char *out = NULL;
    if (slash) {
        *slash = 0;
        const size_t len = strlen(n) + 2;
        out = malloc(len);
        if (out)
            snprintf(out, len, "/%s", n);
    } else {
        out = strdup("/");
    }
    device_free_str(n);
    return out;
}

const char *device_path_name(const char *path)
{
    if (!path)
        return "";
    const char *s = strrchr(path, '/');
    if (s && s[1])
        return s + 1;
    if (device_path_is_usb(path) && !s)
        return strchr(path, ':') + 1;
    return path;
}

/* ---- names for display ---- */

/* Characters that would garble a line of text: C0/C1 controls and the
 * bidirectional overrides and isolates. */
static bool unsafe_cp(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

char *device_utf8_clean(const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    size_t o = 0, len = strlen((const char *)s);
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = codec_utf8_seq(s + i, len - i, &cp);
        if (n == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
            o += 3;
            i++;
        } else if (unsafe_cp(cp)) {
            out[o++] = '?';
            i += n;
        } else {
            memcpy(out + o, s + i, n);
            o += n;
            i += n;
        }
    }
    out[o] = 0;
    return out;
}
