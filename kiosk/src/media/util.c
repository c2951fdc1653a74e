/* Small helpers: wiping memory, errors, names, pixels. */
#include "media_internal.h"
#include "durable.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void (*media_free_hook)(const void *p, size_t n);

void media_secure_free(void *p, size_t n)
{
    if (!p)
        return;
    explicit_bzero(p, n);
    if (media_free_hook)
        media_free_hook(p, n);
    free(p);
}

void media_free_str(char *s)
{
    if (s)
        media_secure_free(s, strlen(s) + 1);
}

/* ---- errors ---- */

enum media_err media_err_of_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return MEDIA_ERR_NOT_FOUND;
    case EACCES:
    case EPERM: return MEDIA_ERR_ACCESS;
    case ELOOP:
    case EXDEV: return MEDIA_ERR_OUTSIDE;
    case ENOMEM: return MEDIA_ERR_NOMEM;
    case EFBIG:
    case EOVERFLOW: return MEDIA_ERR_TOO_LARGE;
    case ETIMEDOUT: return MEDIA_ERR_NOT_ANSWERING;
    default: return MEDIA_ERR_GONE; /* EIO, ENODEV, ENXIO, ESTALE, ENOTCONN... */
    }
}

enum media_err media_err_of_device(enum device_err e)
{
    switch (e) {
    case DEVICE_OK: return MEDIA_OK;
    case DEVICE_ERR_NOT_FOUND: return MEDIA_ERR_NOT_FOUND;
    case DEVICE_ERR_ACCESS: return MEDIA_ERR_ACCESS;
    case DEVICE_ERR_OUTSIDE: return MEDIA_ERR_OUTSIDE;
    case DEVICE_ERR_TIMEOUT: return MEDIA_ERR_NOT_ANSWERING;
    case DEVICE_ERR_LOCKED: return MEDIA_ERR_LOCKED;
    case DEVICE_ERR_BUSY: return MEDIA_ERR_BUSY;
    case DEVICE_ERR_UNSUPPORTED: return MEDIA_ERR_UNSUPPORTED;
    case DEVICE_ERR_NOMEM: return MEDIA_ERR_NOMEM;
    case DEVICE_ERR_INVALID: return MEDIA_ERR_INVALID;
    default: return MEDIA_ERR_GONE; /* GONE, CHANGED: not what was listed any more */
    }
}

int media_errno_of_device(enum device_err e)
{
    switch (e) {
    case DEVICE_ERR_GONE: return ENODEV;
    case DEVICE_ERR_TIMEOUT: return ETIMEDOUT;
    case DEVICE_ERR_NOMEM: return ENOMEM;
    case DEVICE_ERR_ACCESS: return EACCES;
    default: return EIO;
    }
}

/* ---- reading an fd (tests, fuzzing) ---- */

static ssize_t fd_read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
    return durable_pread_all(*(const int *)ctx, buf, n, off);
}

void media_reader_fd(struct media_reader *r, int *fd, uint64_t size)
{
    r->size = size;
    r->read_at = fd_read_at;
    r->ctx = fd;
}

/* ---- text ---- */

int media_name_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q) {
        if (isdigit(*p) && isdigit(*q)) {
            while (*p == '0' && isdigit(p[1]))
                p++;
            while (*q == '0' && isdigit(q[1]))
                q++;
            size_t lp = 0, lq = 0;
            while (isdigit(p[lp]))
                lp++;
            while (isdigit(q[lq]))
                lq++;
            if (lp != lq)
                return lp < lq ? -1 : 1;
            int c = memcmp(p, q, lp);
            if (c)
                return c;
            p += lp;
            q += lq;
            continue;
        }
        int x = tolower(*p), y = tolower(*q);
        if (x != y)
            return x < y ? -1 : 1;
        p++;
        q++;
    }
    if (*p || *q)
        return *p ? 1 : -1;
    return strcmp(a, b); /* equal but for case or leading zeros: still a stable order */
}

uint64_t media_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- pixels ---- */

void media_orient_rgba(const uint8_t *src, int sw, int sh, int o, uint8_t *dst)
{
    int dw = sw, dh = sh;
    if (o >= 5 && o <= 8) {
        dw = sh;
        dh = sw;
    }
    const uint32_t *s = (const uint32_t *)(const void *)src;
    uint32_t *d = (uint32_t *)(void *)dst;
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = sw - 1 - x; sy = y; break;
            case 3: sx = sw - 1 - x; sy = sh - 1 - y; break;
            case 4: sx = x; sy = sh - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = sh - 1 - x; break;
            case 7: sx = sw - 1 - y; sy = sh - 1 - x; break;
            case 8: sx = sw - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
            d[(size_t)y * dw + x] = s[(size_t)sy * sw + sx];
        }
}
