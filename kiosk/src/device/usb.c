/* USB devices as the kernel describes them in sysfs, read before anyone
 * opens them: what a plugged-in device offers (PTP, MTP, Android debugging,
 * mass storage), and whether it is a phone that offers no file transfer
 * ("charging only", Android's default since version 10). Nothing here opens
 * a device node, so it works for the kiosk user on any device. */
#include "device_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    ssize_t r;
    do
        r = read(fd, out, n - 1);
    while (r < 0 && errno == EINTR);
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
