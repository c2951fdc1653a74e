/* USB devices as sysfs describes them, on an injected sysfs tree (the
 * developer machines have no USB at all): reading a device's folder, what
 * each kind of device is taken for (a phone in "charging only", an ADB-only
 * phone, an iPhone with PTP and usbmux, qemu's usb-mtp device, Android's
 * vendor-class MTP, cameras, a stick, a mouse), which backend claims it,
 * and the helpers the two USB backends share (still plugged in, may it be
 * opened, text from devices made safe to show). */
#include "check.h"
#include "device_backend.h"
#include "testutil.h"
#include "usb_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[512];

static void put(const char *dir, const char *name, const char *value)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    REQUIRE(write_whole(p, value, strlen(value)) == 0, "%s", p);
}

/* A device folder "<root>/<name>" with its attributes. */
static void device(const char *name, const char *vid, const char *pid, int bus, int dev, const char *maker,
                   const char *product, const char *serial)
{
    char d[1024], v[32];
    snprintf(d, sizeof(d), "%s/%s", root, name);
    REQUIRE(mkdir(d, 0755) == 0, "%s", d);
    put(d, "idVendor", vid);
    put(d, "idProduct", pid);
    snprintf(v, sizeof(v), "%d\n", bus);
    put(d, "busnum", v);
    snprintf(v, sizeof(v), "%d\n", dev);
    put(d, "devnum", v);
    put(d, "bConfigurationValue", "1\n");
    if (maker)
        put(d, "manufacturer", maker);
    if (product)
        put(d, "product", product);
    if (serial)
        put(d, "serial", serial);
}

/* An interface folder "<root>/<dev>/<dev>:1.<n>" (sysfs nests them there). */
static void iface(const char *dev, int n, const char *cls, const char *sub, const char *proto, const char *name)
{
    char d[1024];
    snprintf(d, sizeof(d), "%s/%s/%s:1.%d", root, dev, dev, n);
    REQUIRE(mkdir(d, 0755) == 0, "%s", d);
    put(d, "bInterfaceClass", cls);
    put(d, "bInterfaceSubClass", sub);
    put(d, "bInterfaceProtocol", proto);
    if (name)
        put(d, "interface", name);
}

struct expect {
    const char *name;
    enum device_state state;
    enum device_kind kind;
    unsigned ifaces;
    int mtp, ptp; /* claims() */
};

static void build_tree(void)
{
    /* Samsung in "charging only": its id, nothing to transfer with. */
    device("1-1", "04e8\n", "6860\n", 1, 2, "SAMSUNG\n", "SAMSUNG_Android\n", "R58N12ABCDE\n");
    /* Another phone charging with no interface at all. */
    device("1-4", "2717\n", "ff40\n", 1, 5, "Xiaomi\n", "Redmi\n", NULL);
    /* A Pixel with only Android debugging on. */
    device("1-2", "18d1\n", "4ee7\n", 1, 3, "Google\n", "Pixel 7\n", "2A111FDH2005XY\n");
    iface("1-2", 0, "ff\n", "42\n", "01\n", "ADB Interface\n");
    /* An iPhone: PTP plus Apple's usbmux. */
    device("1-3", "05ac\n", "12a8\n", 1, 4, "Apple Inc.\n", "iPhone\n", "00008110001A2B3C0E12801E\n");
    iface("1-3", 0, "06\n", "01\n", "01\n", "PTP\n");
    iface("1-3", 1, "ff\n", "fe\n", "02\n", "Apple USB Multiplexor\n");
    /* qemu's usb-mtp: still-image class, named "MTP". */
    device("2-1", "46f4\n", "0004\n", 2, 2, "QEMU\n", "QEMU USB MTP\n", "34617\n");
    iface("2-1", 0, "06\n", "01\n", "01\n", "MTP\n");
    /* Android in "File transfer": vendor class named "MTP", plus ADB. */
    device("2-4", "04e8\n", "6860\n", 2, 5, "SAMSUNG\n", "SAMSUNG_Android\n", "R58N12ABCDE\n");
    iface("2-4", 0, "ff\n", "ff\n", "00\n", "MTP\n");
    iface("2-4", 1, "ff\n", "42\n", "01\n", "ADB Interface\n");
    /* A USB stick (mass storage): read as a mounted volume, not here. */
    device("2-2", "0781\n", "5567\n", 2, 3, "SanDisk\n", "Cruzer Blade\n", "4C530001\n");
    iface("2-2", 0, "08\n", "06\n", "50\n", NULL);
    /* A mouse. */
    device("2-3", "046d\n", "c077\n", 2, 4, "Logitech\n", "USB Optical Mouse\n", NULL);
    iface("2-3", 0, "03\n", "01\n", "02\n", NULL);
    /* Cameras: Canon (read through libmtp only) and Nikon. */
    device("2-5", "04a9\n", "3218\n", 2, 6, "Canon Inc.\n", "Canon Digital Camera\n", NULL);
    iface("2-5", 0, "06\n", "01\n", "01\n", NULL);
    device("2-6", "04b0\n", "0428\n", 2, 7, "Nikon\n", "NIKON DSC D7000\n", "3040123\n");
    iface("2-6", 0, "06\n", "01\n", "01\n", NULL);
    /* An iPhone offering only usbmux (no photos): told like charging only. */
    device("2-7", "05ac\n", "12a8\n", 2, 8, "Apple Inc.\n", "iPhone\n", NULL);
    iface("2-7", 0, "ff\n", "fe\n", "02\n", "Apple USB Multiplexor\n");
    /* What device_usb_read() must refuse: a root hub, an interface, junk. */
    device("usb1", "1d6b\n", "0002\n", 1, 1, "Linux\n", "xHCI Host Controller\n", NULL);
    char d[1024];
    snprintf(d, sizeof(d), "%s/1-9", root);
    REQUIRE(mkdir(d, 0755) == 0, "%s", d); /* a device folder without attributes */
    /* Just plugged in, not configured yet: its interfaces are still coming. */
    device("1-7", "04e8\n", "6860\n", 1, 9, "SAMSUNG\n", "SAMSUNG_Android\n", NULL);
    snprintf(d, sizeof(d), "%s/1-7/bConfigurationValue", root);
    REQUIRE(write_whole(d, "", 0) == 0, "%s", d);
}

static void test_classify(void)
{
    const struct device_backend *mtp = device_backend_mtp(), *ptp = device_backend_ptp();
    REQUIRE(mtp && ptp && mtp->claims && ptp->claims, "both USB backends are built in");
    CHECK(!strcmp(mtp->scheme, "mtp") && !strcmp(ptp->scheme, "ptp"), "schemes %s %s", mtp->scheme, ptp->scheme);
    CHECK(mtp->kind == DEVICE_BACKEND_MTP && ptp->kind == DEVICE_BACKEND_PTP, "kinds");
    CHECK(mtp->open && mtp->refresh && mtp->list && mtp->read && mtp->thumbnail && mtp->close && !mtp->scan,
          "mtp fills the table");
    CHECK(ptp->open && ptp->refresh && ptp->list && ptp->read && ptp->thumbnail && ptp->close && !ptp->scan,
          "ptp fills the table");

    const struct expect ex[] = {
        {"1-1", DEVICE_CHARGING_ONLY, DEVICE_KIND_PHONE, 0, 0, 0},
        {"1-4", DEVICE_CHARGING_ONLY, DEVICE_KIND_PHONE, 0, 0, 0},
        {"1-2", DEVICE_CHARGING_ONLY, DEVICE_KIND_PHONE, DEVICE_USB_IF_ADB, 0, 0},
        {"1-3", DEVICE_READY, DEVICE_KIND_IPHONE, DEVICE_USB_IF_PTP | DEVICE_USB_IF_APPLE_MUX, 1, 2},
        {"2-1", DEVICE_READY, DEVICE_KIND_PHONE, DEVICE_USB_IF_PTP | DEVICE_USB_IF_MTP, 2, 1},
        {"2-4", DEVICE_READY, DEVICE_KIND_PHONE, DEVICE_USB_IF_MTP | DEVICE_USB_IF_ADB, 2, 1},
        {"2-2", DEVICE_FAILED, DEVICE_KIND_CAMERA, DEVICE_USB_IF_STORAGE, 0, 0},
        {"2-3", DEVICE_FAILED, DEVICE_KIND_CAMERA, DEVICE_USB_IF_OTHER, 0, 0},
        {"2-5", DEVICE_READY, DEVICE_KIND_CAMERA, DEVICE_USB_IF_PTP, 2, 0},
        {"2-6", DEVICE_READY, DEVICE_KIND_CAMERA, DEVICE_USB_IF_PTP, 1, 2},
        {"2-7", DEVICE_CHARGING_ONLY, DEVICE_KIND_IPHONE, DEVICE_USB_IF_APPLE_MUX, 0, 0},
    };
    for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
        struct device_usb u;
        if (device_usb_read(root, ex[i].name, &u) != 0) {
            CHECK(0, "%s: device_usb_read failed", ex[i].name);
            continue;
        }
        enum device_kind kind;
        enum device_state st = device_usb_classify(&u, &kind);
        CHECK(st == ex[i].state, "%s: state %d, want %d", ex[i].name, st, ex[i].state);
        if (st != DEVICE_FAILED)
            CHECK(kind == ex[i].kind, "%s: kind %d, want %d", ex[i].name, kind, ex[i].kind);
        CHECK(u.ifaces == ex[i].ifaces, "%s: ifaces %#x, want %#x", ex[i].name, u.ifaces, ex[i].ifaces);
        CHECK(mtp->claims(&u) == ex[i].mtp, "%s: mtp claims %d, want %d", ex[i].name, mtp->claims(&u), ex[i].mtp);
        CHECK(ptp->claims(&u) == ex[i].ptp, "%s: ptp claims %d, want %d", ex[i].name, ptp->claims(&u), ex[i].ptp);
        /* Whichever backend wants it most can read it: a device the layer
         * would open is claimed, one it would not is left alone. */
        int best = mtp->claims(&u) > ptp->claims(&u) ? mtp->claims(&u) : ptp->claims(&u);
        CHECK((st == DEVICE_READY) == (best > 0), "%s: ready %d but best claim %d", ex[i].name,
              st == DEVICE_READY, best);
    }

    struct device_usb u;
    REQUIRE(device_usb_read(root, "1-3", &u) == 0, "iPhone");
    CHECK(u.vendor == 0x05ac && u.product == 0x12a8 && u.busnum == 1 && u.devnum == 4, "ids %04x:%04x %d/%d",
          u.vendor, u.product, u.busnum, u.devnum);
    CHECK(!strcmp(u.manufacturer, "Apple Inc.") && !strcmp(u.product_name, "iPhone") &&
              !strcmp(u.serial, "00008110001A2B3C0E12801E"),
          "strings trimmed: '%s' '%s' '%s'", u.manufacturer, u.product_name, u.serial);
    CHECK(!strcmp(u.ident, "1-3"), "ident %s", u.ident);
    CHECK(device_usb_read(root, "usb1", &u) != 0, "a root hub is not a device");
    CHECK(device_usb_read(root, "1-3:1.0", &u) != 0, "an interface is not a device");
    CHECK(device_usb_read(root, "1-9", &u) != 0, "a folder without ids is not a device");
    CHECK(device_usb_read(root, "1-7", &u) != 0, "not configured yet: not read (it would look like charging only)");
    CHECK(device_usb_read(root, "1-8", &u) != 0, "a missing folder is not a device");
    CHECK(device_usb_read(root, "../1-3", &u) != 0, "no path tricks");

    CHECK(!strcmp(device_usb_phone_vendor(0x04e8), "Samsung"), "Samsung");
    CHECK(!strcmp(device_usb_phone_vendor(0x05ac), "Apple"), "Apple");
    CHECK(device_usb_phone_vendor(0x46f4) == NULL, "qemu is no phone maker");
}

static void test_present_and_open(void)
{
    struct device_usb u;
    REQUIRE(device_usb_read(root, "2-1", &u) == 0, "qemu's device");
    CHECK(device_usb_present(&u), "present while its folder is there");
    CHECK(!device_usb_gone_soon(&u, 40), "not gone");

    /* The node: a fake /dev/bus/usb. */
    char devdir[600], node[700], p[1024];
    snprintf(devdir, sizeof(devdir), "%s/dev", root);
    snprintf(p, sizeof(p), "%s/002", devdir);
    REQUIRE(mkdir(devdir, 0755) == 0 && mkdir(p, 0755) == 0, "%s", p);
    snprintf(node, sizeof(node), "%s/002/002", devdir);
    REQUIRE(write_whole(node, "", 0) == 0, "%s", node);
    struct device_error err = {0};
    CHECK(device_usb_check_open(&u, devdir, &err) == 0, "may open: %s", err.detail);
    struct device_usb nonode;
    REQUIRE(device_usb_read(root, "1-3", &nonode) == 0, "iPhone");
    err = (struct device_error){0};
    CHECK(device_usb_check_open(&nonode, devdir, &err) != 0 && err.code == DEVICE_ERR_GONE,
          "no device node: GONE, got %d %s", err.code, err.detail);
    if (geteuid() != 0) { /* root may open anything */
        chmod(node, 0444);
        CHECK(device_usb_check_open(&u, devdir, &err) != 0 && err.code == DEVICE_ERR_ACCESS,
              "read-only node: ACCESS, got %d %s", err.code, err.detail);
        chmod(node, 0644);
    }
    /* Another program has claimed an interface through usbfs. */
    char link[1024];
    snprintf(link, sizeof(link), "%s/2-1/2-1:1.0/driver", root);
    REQUIRE(symlink("../../../../bus/usb/drivers/usbfs", link) == 0, "%s", link);
    err = (struct device_error){0};
    CHECK(device_usb_check_open(&u, devdir, &err) != 0 && err.code == DEVICE_ERR_BUSY, "usbfs: BUSY, got %d %s",
          err.code, err.detail);
    unlink(link);
    REQUIRE(symlink("../../../../bus/usb/drivers/usb-storage", link) == 0, "%s", link);
    CHECK(device_usb_check_open(&u, devdir, &err) == 0, "a kernel driver is not a program holding it");
    unlink(link);

    /* Plugged in again at once: same port, new device number. */
    snprintf(p, sizeof(p), "%s/2-1", root);
    put(p, "devnum", "9\n");
    CHECK(!device_usb_present(&u), "a new device number is another device");
    put(p, "devnum", "2\n");
    CHECK(device_usb_present(&u), "back");
    /* Pulled out: the folder goes. */
    rm_rf(p);
    CHECK(!device_usb_present(&u), "gone with its folder");
    CHECK(device_usb_gone_soon(&u, 1000), "gone at once");
    err = (struct device_error){0};
    CHECK(device_usb_check_open(&u, devdir, &err) != 0 && err.code == DEVICE_ERR_GONE, "GONE, got %d", err.code);
    /* The backends refuse it the same way before touching libmtp/libgphoto2. */
    void *conn = (void *)1;
    struct device_probe probe;
    const struct device_backend *be[] = {device_backend_mtp(), device_backend_ptp()};
    for (int i = 0; i < 2; i++) {
        err = (struct device_error){0};
        conn = (void *)1;
        CHECK(be[i]->open(be[i], &u, &conn, &probe, &err) != 0 && err.code == DEVICE_ERR_GONE && conn == NULL,
              "%s open of an unplugged device: GONE, got %d %s", be[i]->scheme, err.code, err.detail);
    }
    /* A test device (no syspath) is always present. */
    struct device_usb t = {.ident = "test"};
    CHECK(device_usb_present(&t), "no syspath: present");
}

static void test_text(void)
{
    char b[16];
    device_usb_text(b, sizeof(b), "  Galaxy\tA14 \n");
    CHECK(!strcmp(b, "Galaxy A14"), "trimmed, tab to space: '%s'", b);
    device_usb_text(b, sizeof(b), NULL);
    CHECK(!strcmp(b, ""), "NULL");
    device_usb_text(b, sizeof(b), "a\xff\xfe" "b");
    CHECK(!strcmp(b, "a??b"), "invalid bytes: '%s'", b);
    device_usb_text(b, sizeof(b), "\xc0\xaf" "x");
    CHECK(!strcmp(b, "??x"), "overlong: '%s'", b);
    device_usb_text(b, sizeof(b), "\xed\xa0\x80" "y");
    CHECK(!strcmp(b, "???y"), "surrogate: '%s'", b);
    device_usb_text(b, sizeof(b), "\xd8\xb3\xd8\xa7\xd9\x85\xd8\xb3\xd9\x86\xda\xaf");
    CHECK(!strcmp(b, "\xd8\xb3\xd8\xa7\xd9\x85\xd8\xb3\xd9\x86\xda\xaf"), "Urdu kept: '%s'", b);
    device_usb_text(b, 6, "\xd8\xb3\xd8\xa7\xd9\x85");
    CHECK(!strcmp(b, "\xd8\xb3\xd8\xa7"), "cut on a character boundary: '%s' (%zu)", b, strlen(b));
    device_usb_text(b, sizeof(b), "x\x01\x7fy");
    CHECK(!strcmp(b, "x y"), "controls: '%s'", b);
    device_usb_text(b, sizeof(b), "0123456789abcdefghij");
    CHECK(strlen(b) == 15, "fits: %zu", strlen(b));

    /* Names for display: invalid bytes as U+FFFD, unsafe characters as '?'. */
    char *c = device_utf8_clean("a\xff\xd8\xb3\xe2\x80\xae" "b\xd8");
    CHECK(c && !strcmp(c, "a\xef\xbf\xbd\xd8\xb3?b\xef\xbf\xbd"), "utf8_clean: '%s'", c ? c : "");
    free(c);

    uint64_t a = device_usb_path_handle(0x10001, "DCIM/Camera/IMG_1.jpg");
    CHECK(a != 0 && a == device_usb_path_handle(0x10001, "DCIM/Camera/IMG_1.jpg"), "stable");
    CHECK(a != device_usb_path_handle(0x20001, "DCIM/Camera/IMG_1.jpg"), "storage counts");
    CHECK(a != device_usb_path_handle(0x10001, "DCIM/Camera/IMG_2.jpg"), "path counts");
    CHECK(device_usb_path_handle(0, "") != 0, "never 0 (0 is a storage's top)");

    struct device_error err = {0};
    device_usb_error(&err, DEVICE_ERR_TIMEOUT, "no answer for %d ms", 20000);
    CHECK(err.code == DEVICE_ERR_TIMEOUT && !strcmp(err.detail, "no answer for 20000 ms"), "error");
    device_usb_error(NULL, DEVICE_ERR_GONE, "x"); /* accepted */
}

int main(void)
{
    snprintf(root, sizeof(root), "%s", make_tmpdir("device_usb"));
    build_tree();
    test_classify();
    test_present_and_open();
    test_text();
    rm_rf(root);
    return check_exit();
}
