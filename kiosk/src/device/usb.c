/* USB devices as the kernel describes them in sysfs, read before anyone
 * opens them: what a plugged-in device offers (PTP, MTP, Android debugging,
 * mass storage), and whether it is a phone that offers no file transfer
 * ("charging only", Android's default since version 10). Nothing here opens
 * a device node, so it works for the kiosk user on any device. */
#include "usb_internal.h"
#include "durable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* USB vendor ids of phone makers (usb.ids). A device of one of these that
 * offers neither PTP nor MTP is a phone in "charging only" mode. MediaTek,
 * Qualcomm and Unisoc ids are used by many phones sold under other names
 * (Infinix, Tecno, itel, QMobile). */
static const struct {
    uint16_t id;
    const char *name;
} phone_vendors[] = {
    {0x0421, "Nokia"},      {0x0489, "Foxconn"},   {0x04e8, "Samsung"},  {0x05ac, "Apple"},
    {0x05c6, "Qualcomm"},   {0x0b05, "Asus"},      {0x0bb4, "HTC"},      {0x0e8d, "MediaTek"},
    {0x0fce, "Sony"},       {0x1004, "LG"},        {0x109b, "Hisense"},  {0x12d1, "Huawei"},
    {0x1782, "Unisoc"},     {0x17ef, "Lenovo"},    {0x18d1, "Google"},   {0x19d2, "ZTE"},
    {0x1bbb, "Alcatel"},    {0x1ebf, "Coolpad"},   {0x22b8, "Motorola"}, {0x22d9, "OPPO"},
    {0x2717, "Xiaomi"},     {0x2a70, "OnePlus"},   {0x2ae5, "Fairphone"}, {0x2d95, "vivo"},
    {0x2e04, "Nokia"},      {0x339b, "Honor"},
};

const char *device_usb_phone_vendor(uint16_t vendor)
{
    for (size_t i = 0; i < sizeof(phone_vendors) / sizeof(phone_vendors[0]); i++)
        if (phone_vendors[i].id == vendor)
            return phone_vendors[i].name;
    return NULL;
}

/* One sysfs attribute, trimmed; "" when it is not there. */
static void attr(const char *dir, const char *name, char *out, size_t n)
{
    char path[1024];
    out[0] = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return;
    ssize_t r = durable_read_all(fd, out, n - 1);
    close(fd);
    if (r <= 0)
        return;
    out[r] = 0;
    while (r > 0 && (out[r - 1] == '\n' || out[r - 1] == ' ' || out[r - 1] == '\r'))
        out[--r] = 0;
}

static unsigned long attr_num(const char *dir, const char *name, int base, bool *ok)
{
    char v[64];
    attr(dir, name, v, sizeof(v));
    char *end;
    errno = 0;
    unsigned long x = strtoul(v, &end, base);
    if (!v[0] || *end || errno)
        *ok = false;
    return x;
}

static unsigned iface_bits(unsigned cls, unsigned sub, unsigned proto, const char *name)
{
    if (cls == 0x06 && sub == 0x01 && proto == 0x01)
        return DEVICE_USB_IF_PTP | (strstr(name, "MTP") ? DEVICE_USB_IF_MTP : 0);
    if (strstr(name, "MTP"))
        return DEVICE_USB_IF_MTP; /* Android: vendor class, named "MTP" */
    if (cls == 0xff && sub == 0x42 && proto == 0x01)
        return DEVICE_USB_IF_ADB;
    if (cls == 0xff && sub == 0xfe && proto == 0x02)
        return DEVICE_USB_IF_APPLE_MUX;
    if (cls == 0x08)
        return DEVICE_USB_IF_STORAGE;
    return DEVICE_USB_IF_OTHER;
}

int device_usb_read(const char *sysfs, const char *name, struct device_usb *u)
{
    memset(u, 0, sizeof(*u));
    /* Devices are "B-P[.P...]"; root hubs ("usb1") and interfaces ("1-2:1.0") are not. */
    const char *p = name;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return -1;
    if (!strchr(name, '-'))
        return -1;
    char dir[sizeof(u->syspath)];
    if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", sysfs, name) >= sizeof(dir))
        return -1;
    bool ok = true;
    u->vendor = (uint16_t)attr_num(dir, "idVendor", 16, &ok);
    u->product = (uint16_t)attr_num(dir, "idProduct", 16, &ok);
    u->busnum = (int)attr_num(dir, "busnum", 10, &ok);
    u->devnum = (int)attr_num(dir, "devnum", 10, &ok);
    /* Not configured yet (its interfaces are still being made): the next
     * udev event about it brings them. Deciding now would show a phone in
     * "charging only" for a moment. */
    char conf[16];
    attr(dir, "bConfigurationValue", conf, sizeof(conf));
    if (!ok || !conf[0])
        return -1;
    snprintf(u->ident, sizeof(u->ident), "%s", name);
    memcpy(u->syspath, dir, sizeof(dir));
    attr(dir, "manufacturer", u->manufacturer, sizeof(u->manufacturer));
    attr(dir, "product", u->product_name, sizeof(u->product_name));
    attr(dir, "serial", u->serial, sizeof(u->serial));

    /* Interfaces of the active configuration: "<name>:<config>.<n>". */
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    const size_t nl = strlen(name);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, name, nl) != 0 || de->d_name[nl] != ':')
            continue;
        char idir[1024], iname[128];
        snprintf(idir, sizeof(idir), "%s/%s", dir, de->d_name);
        bool iok = true;
        unsigned cls = (unsigned)attr_num(idir, "bInterfaceClass", 16, &iok);
        unsigned sub = (unsigned)attr_num(idir, "bInterfaceSubClass", 16, &iok);
        unsigned proto = (unsigned)attr_num(idir, "bInterfaceProtocol", 16, &iok);
        attr(idir, "interface", iname, sizeof(iname));
        if (iok)
            u->ifaces |= iface_bits(cls, sub, proto, iname);
    }
    closedir(d);
    return 0;
}

enum device_state device_usb_classify(const struct device_usb *u, enum device_kind *kind)
{
    const bool apple = u->vendor == 0x05ac;
    const bool phone_maker = device_usb_phone_vendor(u->vendor) != NULL;
    *kind = apple ? DEVICE_KIND_IPHONE
            : phone_maker || (u->ifaces & (DEVICE_USB_IF_MTP | DEVICE_USB_IF_ADB)) ? DEVICE_KIND_PHONE
                                                                                 : DEVICE_KIND_CAMERA;
    if (u->ifaces & (DEVICE_USB_IF_PTP | DEVICE_USB_IF_MTP))
        return DEVICE_READY;
    /* A stick or card reader (mass storage) is read as a mounted volume. An
     * Apple device without PTP is an iPod or a locked-down mode: nothing to
     * offer either way, so it is told like a charging-only phone. */
    if (u->ifaces & DEVICE_USB_IF_STORAGE)
        return DEVICE_FAILED;
    if (apple || (u->ifaces & DEVICE_USB_IF_ADB) || phone_maker) {
        *kind = apple ? DEVICE_KIND_IPHONE : DEVICE_KIND_PHONE;
        return DEVICE_CHARGING_ONLY;
    }
    return DEVICE_FAILED;
}

/* ---- for the backends (usb_internal.h) ---- */

void device_usb_error(struct device_error *err, enum device_err code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

bool device_usb_present(const struct device_usb *u)
{
    if (!u->syspath[0])
        return true;
    bool ok = true;
    int bus = (int)attr_num(u->syspath, "busnum", 10, &ok);
    int dev = (int)attr_num(u->syspath, "devnum", 10, &ok);
    return ok && bus == u->busnum && dev == u->devnum;
}

bool device_usb_gone_soon(const struct device_usb *u, int wait_ms)
{
    for (int waited = 0;; waited += 20) {
        if (!device_usb_present(u))
            return true;
        if (waited >= wait_ms)
            return false;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int device_usb_check_open(const struct device_usb *u, const char *devdir, struct device_error *err)
{
    if (!u->syspath[0])
        return 0;
    if (!device_usb_present(u)) {
        device_usb_error(err, DEVICE_ERR_GONE, "the USB device is no longer plugged in");
        return -1;
    }
    char node[PATH_MAX];
    snprintf(node, sizeof(node), "%s/%03d/%03d", devdir, u->busnum, u->devnum);
    if (access(node, R_OK | W_OK) != 0) {
        if (errno == EACCES || errno == EPERM || errno == EROFS)
            device_usb_error(err, DEVICE_ERR_ACCESS, "no permission to open the USB device node %03d/%03d",
                             u->busnum, u->devnum);
        else /* no node: nothing can open it (and libmtp leaks on a failed open) */
            device_usb_error(err, DEVICE_ERR_GONE, "no USB device node %03d/%03d", u->busnum, u->devnum);
        return -1;
    }
    /* An interface bound to "usbfs" is claimed by a program (gvfs, another
     * kiosk process): opening it would fail or fight over the session. */
    DIR *d = u->syspath[0] ? opendir(u->syspath) : NULL;
    if (!d)
        return 0;
    const char *name = strrchr(u->syspath, '/');
    name = name ? name + 1 : u->syspath;
    const size_t nl = strlen(name);
    bool busy = false;
    struct dirent *de;
    while (!busy && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, name, nl) != 0 || de->d_name[nl] != ':')
            continue;
        char link[PATH_MAX], target[PATH_MAX];
        snprintf(link, sizeof(link), "%s/%s/driver", u->syspath, de->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n <= 0)
            continue;
        target[n] = 0;
        const char *drv = strrchr(target, '/');
        busy = strcmp(drv ? drv + 1 : target, "usbfs") == 0;
    }
    closedir(d);
    if (busy) {
        device_usb_error(err, DEVICE_ERR_BUSY, "another program has claimed the USB device");
        return -1;
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void device_usb_text(char *dst, size_t n, const char *src)
{
    size_t o = 0;
    bool space = false;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    while (*s) {
        size_t l = utf8_len(s);
        unsigned char sub = 0;
        if (l == 0)
            sub = '?', l = 1;
        else if (l == 1 && (*s < 0x20 || *s == 0x7f))
            sub = ' ';
        if ((sub ? sub : *s) == ' ') {
            space = o > 0;
            s += l;
            continue;
        }
        size_t need = (sub ? 1 : l) + (space ? 1 : 0);
        if (o + need >= n)
            break;
        if (space)
            dst[o++] = ' ';
        space = false;
        if (sub)
            dst[o++] = (char)sub;
        else
            memcpy(dst + o, s, l), o += l;
        s += l;
    }
    dst[o] = 0;
}

uint64_t device_usb_path_handle(uint32_t storage, const char *rel)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 4; i++) {
        h ^= (storage >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}
