/* Small helpers: wiping memory, opening files read-only beneath a volume,
 * names for display, pixels. */
#include "media_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

char *media_strdup(const char *s)
{
    return strdup(s ? s : "");
}

void media_free_str(char *s)
{
    if (s)
        media_secure_free(s, strlen(s) + 1);
}

/* ---- files ---- */

enum media_err media_errno(int e)
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
    default: return MEDIA_ERR_GONE; /* EIO, ENODEV, ENXIO, ESTALE, ENOTCONN... */
    }
}

static int openat2_beneath(int dirfd, const char *rel, int flags, uint64_t resolve)
{
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (uint64_t)flags;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* Without openat2 (old kernels, some sandboxes): one component at a time,
 * no symlinks at all, no "..", and never onto another device. */
static int open_walk(int volfd, const char *rel, int flags)
{
    struct stat vst;
    if (fstat(volfd, &vst) != 0)
        return -1;
    char *copy = strdup(rel);
    if (!copy)
        return -1;
    int cur = dup(volfd);
    char *save = NULL;
    char *comp = strtok_r(copy, "/", &save);
    while (cur >= 0 && comp) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(comp, "..")) {
            close(cur);
            cur = -1;
            errno = EXDEV;
            break;
        }
        const int fl = next ? O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH : flags;
        int fd = openat(cur, comp, fl | O_NOFOLLOW);
        close(cur);
        cur = fd;
        struct stat st;
        if (cur >= 0 && (fstat(cur, &st) != 0 || st.st_dev != vst.st_dev)) {
            close(cur);
            cur = -1;
            errno = EXDEV;
        }
        comp = next;
    }
    free(copy);
    return cur;
}

int media_open_beneath(int volfd, const char *rel, int flags)
{
    while (*rel == '/')
        rel++;
    if (!*rel)
        rel = ".";
    int fd = openat2_beneath(volfd, rel, flags | O_CLOEXEC,
                             RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                                 RESOLVE_NO_MAGICLINKS);
    if (fd >= 0 || errno != ENOSYS)
        return fd;
    return open_walk(volfd, rel, flags | O_CLOEXEC);
}

int media_open_ro(int dirfd, const char *rel, bool directory)
{
    const int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | (directory ? O_DIRECTORY : 0);
    int fd = media_open_beneath(dirfd, rel, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = media_open_beneath(dirfd, rel, flags);
    return fd;
}

char *media_resolve_link(int volfd, const char *vol_real, const char *rel)
{
    /* Links may be followed, but only while every step stays beneath the
     * volume: absolute links and ../ escapes are refused by the kernel. */
    int fd = openat2_beneath(volfd, rel, O_PATH | O_CLOEXEC,
                             RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS);
    if (fd < 0) {
        if (errno == ENOSYS)
            errno = EXDEV; /* cannot check safely: refuse */
        return NULL;
    }
    char proc[64], real[4096];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, real, sizeof(real) - 1);
    close(fd);
    if (n <= 0) {
        errno = EXDEV;
        return NULL;
    }
    real[n] = 0;
    const size_t vl = strlen(vol_real);
    const bool root = vl == 1 && vol_real[0] == '/';
    if (root ? real[0] != '/' : strncmp(real, vol_real, vl) != 0 || real[vl] != '/') {
        errno = EXDEV;
        return NULL;
    }
    return strdup(real + (root ? 1 : vl + 1));
}

ssize_t media_pread_full(int fd, void *buf, size_t n, off_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, off + (off_t)got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0; *cp gets the code point. */
static int utf8_seq(const unsigned char *s, uint32_t *cp)
{
    const unsigned char c = s[0];
    int n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

/* Characters that would garble a line of text: C0/C1 controls and the
 * bidirectional overrides and isolates (names like "gpj.exe" spoofing). */
static bool unsafe_cp(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

char *media_utf8_clean(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    bool clean = true;
    for (size_t i = 0; s[i];) {
        uint32_t cp;
        int n = utf8_seq(s + i, &cp);
        if (n == 0 || unsafe_cp(cp)) {
            clean = false;
            break;
        }
        i += (size_t)n;
    }
    if (clean)
        return NULL;
    const size_t len = strlen(str);
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; s[i];) {
        uint32_t cp;
        int n = utf8_seq(s + i, &cp);
        if (n == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
            o += 3;
            i++;
        } else if (unsafe_cp(cp)) {
            out[o++] = '?';
            i += (size_t)n;
        } else {
            memcpy(out + o, s + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
        }
    }
    out[o] = 0;
    return out;
}

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
