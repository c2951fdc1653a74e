/* Fingerprints of a file on a device: the one place where a device file
 * becomes the hash engine's reader (struct hash_source), so the kiosk's
 * fingerprint job and the CLI hash a phone's files exactly as they hash a
 * card's: the same engine, the same results bit for bit, the bytes going
 * from the device straight into it (no copy on any disk). */
#include "media_internal.h"

#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* How hash_file() would name a file it could not open. */
static enum hash_err open_err(enum device_err e)
{
    switch (e) {
    case DEVICE_ERR_NOT_FOUND:
    case DEVICE_ERR_INVALID: return HASH_ERR_NOT_FOUND;
    case DEVICE_ERR_ACCESS:
    case DEVICE_ERR_OUTSIDE: /* a link off the volume is not followed */
    case DEVICE_ERR_LOCKED:
    case DEVICE_ERR_BUSY: return HASH_ERR_ACCESS;
    case DEVICE_ERR_NOMEM: return HASH_ERR_NOMEM;
    case DEVICE_ERR_CHANGED: return HASH_ERR_CHANGED;
    case DEVICE_ERR_GONE: return HASH_ERR_GONE;
    case DEVICE_ERR_TIMEOUT: return HASH_ERR_TIMEOUT;
    default: return HASH_ERR_READ;
    }
}

/* The hash engine's reader: errno says why a read failed (ENODEV: the
 * device was unplugged, ETIMEDOUT: it stopped answering). */
static ssize_t read_at(void *ctx, void *buf, size_t n, uint64_t off)
{
    struct device_file *f = ctx;
    const ssize_t r = device_file_read(f, buf, n, off);
    if (r < 0)
        errno = media_errno_of_device(device_file_error(f)->code);
    return r;
}

int media_hash_file(struct devices *d, struct hash_ctx *hc, const char *path, struct hash_result *res)
{
    memset(res, 0, sizeof(*res));
    res->format = "unknown";
    res->orientation = 1;
    struct device_error derr = {0};
    struct device_file *f = d && path ? device_file_open(d, path, &derr) : NULL;
    if (!f) {
        res->err = d && path ? open_err(derr.code) : HASH_ERR_NOT_FOUND;
        snprintf(res->detail, sizeof(res->detail), "%s", d && path ? derr.detail : "no path");
        return -1;
    }
    const struct hash_source src = {.size = device_file_size(f), .read_at = read_at, .ctx = f};
    const int rc = hash_source_file(hc, &src, res);
    device_file_close(f);
    return rc;
}
