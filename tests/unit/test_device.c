/* The device layer without a real phone (the real ones are proved on
 * qemu's MTP device in the image's boot test):
 *   paths     device paths parsed, built, gone up;
 *   volumes   folders appearing under a media root (folder mode), an
 *             injected mount table (labels, read-only, depth, stacked
 *             mounts), one notify() per change, the real mountinfo;
 *   files     a volume's folders and files: links followed only on the
 *             volume, FIFOs refused, reads, a file whose volume is gone;
 *   phone     a fake phone with two storages: the top lists storages,
 *             folders and files by path, every byte the same as on disk
 *             by random and sequential reads (large blocks read ahead),
 *             the phone's own thumbnail, the name cache and its wipe;
 *   states    charging only (from the USB interfaces), locked then
 *             unlocked, an iPhone that has not trusted us, two phones with
 *             the same serial;
 *   unplug    a read when the cable is pulled, the device leaving the
 *             list, plugged in again with the same id;
 *   hang      a phone that stops answering: the read gives up with
 *             TIMEOUT, the device shows NOT_ANSWERING, then recovers; one
 *             that hangs while it is opened is NOT_ANSWERING too;
 *   stream    a folder's entries reach the caller while the phone is still
 *             listing it; a listing that says nothing for longer than a
 *             read may is still waited for (up to its own limit); notify()
 *             needs no devices_changed() first;
 *   sysfs     USB devices from an injected sysfs tree: a charging-only
 *             phone is listed, a stick and a mouse are not. */
#include "check.h"
#include "device.h"
#include "device_backend.h"
#include "fakephone.h"
#include "mediagen.h"
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static atomic_int notified;

static void on_notify(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&lock);
    atomic_fetch_add(&notified, 1);
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (up to 20 s) until devices_changed() says so. */
static bool wait_change(struct devices *d)
{
    for (int i = 0; i < 2000; i++) {
        if (devices_changed(d))
            return true;
        sleep_ms(10);
    }
    return false;
}

static const struct device_info *find_label(const struct device_list *l, const char *label)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (!strcmp(l->v[i].label, label))
            return &l->v[i];
    return NULL;
}

/* Waits (up to 20 s) until the device with this label is in state s. */
static bool wait_state(struct devices *d, const char *label, enum device_state s)
{
    for (int i = 0; i < 2000; i++) {
        struct device_list *l = devices_list(d);
        const struct device_info *v = find_label(l, label);
        const bool ok = v && v->state == s;
        device_list_free(l);
        if (ok)
            return true;
        sleep_ms(10);
    }
    return false;
}

/* ---- paths ---- */

static void test_paths(void)
{
    struct {
        const char *in, *parent;
    } up[] = {
        {"mtp:K/DCIM/Camera/x.jpg", "mtp:K/DCIM/Camera"},
        {"mtp:K/DCIM", "mtp:K"},
        {"mtp:K@2/DCIM/x", "mtp:K@2/DCIM"},
        {"mtp:K@2/DCIM", "mtp:K@2"},
        {"mtp:K@2", "mtp:K"},
        {"mtp:K@1", "mtp:K"},
        {"mtp:K", NULL},
        {"ptp:A1.b-c_d/x", "ptp:A1.b-c_d"},
        {"/media/usb0/DCIM", "/media/usb0"},
        {"/media//usb0/./DCIM/", "/media/usb0"},
        {"/media", "/"},
        {"/", NULL},
    };
    for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
        char *p = device_path_parent(up[i].in);
        CHECK((!p && !up[i].parent) || (p && up[i].parent && !strcmp(p, up[i].parent)),
              "parent of %s: %s, not %s", up[i].in, p ? p : "NULL", up[i].parent ? up[i].parent : "NULL");
        free(p);
    }
    CHECK(device_path_is_usb("mtp:") && device_path_is_usb("ptp:K/x") && device_path_is_usb("test:K"),
          "usb schemes");
    CHECK(!device_path_is_usb("/media/x") && !device_path_is_usb("file:x") && !device_path_is_usb("mtpx:"),
          "not usb");
    CHECK(!strcmp(device_path_name("mtp:K/DCIM/IMG_1.jpg"), "IMG_1.jpg"), "name");
    CHECK(!strcmp(device_path_name("/media/usb0"), "usb0"), "fs name");
    /* Paths that must not be taken. */
    char *p = device_path_parent("mtp:K/../x");
    CHECK(!p, "'..' refused");
    free(p);
    p = device_path_parent("mtp:K@0/x");
    CHECK(!p, "storage 0 refused");
    free(p);
    p = device_path_parent("mtp:K L/x");
    CHECK(!p, "a key with a space refused");
    free(p);
    CHECK(device_err_code(DEVICE_ERR_GONE)[0] && device_err_message(DEVICE_ERR_TIMEOUT)[0], "messages");
    CHECK(!strcmp(device_state_name(DEVICE_CHARGING_ONLY), "charging_only") &&
              !strcmp(device_state_name(DEVICE_UNTRUSTED), "untrusted"),
          "state names");
}

/* ---- volumes ---- */

static void test_volumes_dirs(const char *tmp)
{
    char root[1024], p[2048];
    snprintf(root, sizeof(root), "%s/dirs", tmp);
    REQUIRE(gen_mkdirs(root) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/STICK", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/.hidden", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/a-file", root);
    REQUIRE(gen_write(p, "x", 1) == 0, "write");

    struct device_options o;
    device_options_default(&o);
    o.media_root = root;
    o.mode = DEVICE_ROOT_DIRS;
    o.notify = on_notify;
    o.rescan_ms = 60000; /* inotify must do the work, not the safety net */
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);

    struct device_list *l = devices_list(d);
    REQUIRE(l, "snapshot");
    CHECK(l->count == 1, "one volume at the start, got %zu", l->count);
    const struct device_info *v = find_label(l, "STICK");
    CHECK(v && v->kind == DEVICE_KIND_VOLUME && v->backend == DEVICE_BACKEND_FS && v->state == DEVICE_READY &&
              v->total_bytes > 0 && v->free_bytes <= v->total_bytes && !strcmp(v->key, ""),
          "STICK, a volume with sizes");
    const uint64_t stick_id = v ? v->id : 0;
    devices_changed(d);

    snprintf(p, sizeof(p), "%s/CARD", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    CHECK(wait_change(d), "no event for a new volume");
    struct device_list *l2 = devices_list(d);
    CHECK(l2 && l2->count == 2, "two volumes, got %zu", l2 ? l2->count : 0);
    CHECK(l2 && !strcmp(l2->v[0].label, "CARD") && !strcmp(l2->v[1].label, "STICK"), "sorted by label");
    v = find_label(l2, "STICK");
    CHECK(v && v->id == stick_id, "STICK keeps its id");
    CHECK(find_label(l2, "CARD") && find_label(l2, "CARD")->id != stick_id, "CARD has its own id");
    CHECK(device_list_find(l2, stick_id) == v, "found by id");

    snprintf(p, sizeof(p), "%s/STICK", root);
    REQUIRE(rmdir(p) == 0, "rmdir");
    CHECK(wait_change(d), "no event for a removed volume");
    struct device_list *l3 = devices_list(d);
    CHECK(l3 && l3->count == 1 && find_label(l3, "CARD"), "only CARD left");
    CHECK(!strcmp(l2->v[1].label, "STICK") && strstr(l2->v[1].root, "/STICK"), "old snapshot intact");
    device_list_free(l);
    device_list_free(l2);
    device_list_free(l3);

    /* One notify() until the change is taken. */
    devices_changed(d);
    const int before = atomic_load(&notified);
    snprintf(p, sizeof(p), "%s/ONE", root);
    gen_mkdirs(p);
    for (int i = 0; i < 1000 && atomic_load(&notified) == before; i++)
        sleep_ms(10);
    CHECK(atomic_load(&notified) == before + 1, "a notify for ONE");
    snprintf(p, sizeof(p), "%s/TWO", root);
    gen_mkdirs(p);
    sleep_ms(400);
    CHECK(atomic_load(&notified) == before + 1, "no second notify before devices_changed (%d)",
          atomic_load(&notified) - before);
    CHECK(devices_changed(d), "the change is pending");
    struct device_list *l4 = devices_list(d);
    CHECK(l4 && l4->count == 3, "CARD, ONE, TWO: %zu", l4 ? l4->count : 0);
    device_list_free(l4);
    snprintf(p, sizeof(p), "%s/CARD", root);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", p);
    CHECK(gen_run(cmd) == 0, "CARD is still empty");
    devices_destroy(d);
}

static void write_mountinfo(const char *path, const char *text)
{
    char tmp[2048];
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    REQUIRE(gen_write(tmp, text, strlen(text)) == 0, "write mountinfo");
    REQUIRE(rename(tmp, path) == 0, "rename mountinfo");
}

static void test_volumes_mounts(const char *tmp)
{
    char root[1024], mi[1024], bylabel[1024], p[2048], text[16384];
    snprintf(root, sizeof(root), "%s/media", tmp);
    snprintf(mi, sizeof(mi), "%s/etc/mountinfo", tmp);
    snprintf(bylabel, sizeof(bylabel), "%s/by-label", tmp);
    const char *dirs[] = {"usb0", "user/My Phone", "user/SD", "tmp", "a/b/c", "plain", "stacked"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
        REQUIRE(gen_mkdirs(p) == 0, "mkdir %s", p);
    }
    snprintf(p, sizeof(p), "%s/etc", tmp);
    gen_mkdirs(p);
    gen_mkdirs(bylabel);
    snprintf(p, sizeof(p), "%s/KINGSTON\\x20USB", bylabel); /* /dev/null is device 1:3 */
    REQUIRE(symlink("/dev/null", p) == 0, "symlink");
    snprintf(text, sizeof(text),
             "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
             "25 22 0:22 / /proc rw,nosuid - proc proc rw\n"
             "100 22 1:3 / %s/usb0 ro,nosuid,nodev,relatime shared:7 - vfat /dev/sdb1 ro,fmask=0022\n"
             "101 22 0:50 / %s/user/My\\040Phone rw,nosuid,nodev - fuse.jmtpfs jmtpfs rw\n"
             "102 22 0:51 / %s/tmp rw - tmpfs tmpfs rw\n"
             "103 22 8:33 / /mnt/elsewhere rw - ext4 /dev/sdc1 rw\n"
             "104 22 8:34 / %s/a/b/c rw - ext4 /dev/sdc2 rw\n"
             "105 22 8:35 / %s/stacked rw - ext4 /dev/sdd1 rw\n"
             "106 105 8:36 / %s/stacked ro - vfat /dev/sdd2 ro\n"
             "107 22 8:37 / %s/gone rw - ext4 /dev/sde1 rw\n",
             root, root, root, root, root, root, root);
    write_mountinfo(mi, text);

    struct device_options o;
    device_options_default(&o);
    o.media_root = root;
    o.mountinfo = mi;
    o.by_label = bylabel;
    o.rescan_ms = 60000;
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    struct device_list *l = devices_list(d);
    REQUIRE(l, "snapshot");
    CHECK(l->count == 3, "usb0, My Phone, stacked: got %zu", l->count);
    const struct device_info *usb = find_label(l, "KINGSTON USB");
    CHECK(usb && usb->read_only && strstr(usb->root, "/usb0"), "label from by-label, read-only");
    const struct device_info *phone = find_label(l, "My Phone");
    CHECK(phone && !phone->read_only && strstr(phone->root, "/user/My Phone"), "two levels down, escaped space");
    const struct device_info *st = find_label(l, "stacked");
    CHECK(st && st->read_only, "stacked mounts: the top one counts");
    const uint64_t phone_id = phone ? phone->id : 0;
    devices_changed(d);

    snprintf(text, sizeof(text),
             "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
             "101 22 0:50 / %s/user/My\\040Phone rw,nosuid,nodev - fuse.jmtpfs jmtpfs rw\n"
             "110 22 179:1 / %s/user/SD ro - exfat /dev/mmcblk0p1 ro\n",
             root, root);
    write_mountinfo(mi, text);
    CHECK(wait_change(d), "no event for the mount table");
    struct device_list *l2 = devices_list(d);
    CHECK(l2 && l2->count == 2, "My Phone, SD: got %zu", l2 ? l2->count : 0);
    CHECK(find_label(l2, "My Phone") && find_label(l2, "My Phone")->id == phone_id, "same mount, same id");
    CHECK(find_label(l2, "SD") && find_label(l2, "SD")->read_only, "SD read-only");
    CHECK(!find_label(l2, "KINGSTON USB"), "the stick is gone");
    CHECK(usb && strstr(usb->root, "/usb0"), "the old snapshot is intact");
    device_list_free(l);
    device_list_free(l2);
    devices_destroy(d);

    /* The real mount table: nothing under a fresh folder; a missing root is
     * not an error (it may appear later). */
    snprintf(p, sizeof(p), "%s/real", tmp);
    gen_mkdirs(p);
    device_options_default(&o);
    o.media_root = p;
    d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    l = devices_list(d);
    CHECK(l && l->count == 0, "no volumes under an empty folder");
    device_list_free(l);
    devices_destroy(d);
    o.media_root = "/nonexistent/hifazat-media";
    d = devices_create(&o, &err);
    CHECK(d != NULL, "missing root");
    devices_destroy(d);
    o.timeout_ms = 0;
    CHECK(devices_create(&o, &err) == NULL && err.code == DEVICE_ERR_INVALID, "bad options refused");
    o.timeout_ms = 1000;
    o.usb_backend = "usb";
    CHECK(devices_create(&o, &err) == NULL && err.code == DEVICE_ERR_INVALID, "unknown backend refused");
}

/* ---- files on a volume ---- */

struct names {
    char v[64][256];
    bool folder[64];
    int n;
};

static int collect(void *ctx, const struct device_entry *e)
{
    struct names *n = ctx;
    if (n->n < 64) {
        snprintf(n->v[n->n], sizeof(n->v[0]), "%s|%s", e->name, e->path);
        n->folder[n->n] = e->folder;
        n->n++;
    }
    return 0;
}

static bool has(const struct names *n, const char *needle)
{
    for (int i = 0; i < n->n; i++)
        if (strstr(n->v[i], needle))
            return true;
    return false;
}

static void test_files(const char *tmp)
{
    char root[1024], p[2048], q[2048];
    snprintf(root, sizeof(root), "%s/files", tmp);
    snprintf(p, sizeof(p), "%s/STICK/DCIM/Camera", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/OTHER", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/OTHER/secret.jpg", root);
    REQUIRE(gen_write(p, "secret", 6) == 0, "write");
    uint8_t data[100000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + (i >> 8));
    snprintf(p, sizeof(p), "%s/STICK/DCIM/Camera/IMG_1.jpg", root);
    REQUIRE(gen_write(p, data, sizeof(data)) == 0, "write");
    /* A link on the volume (followed, listed where it leads), one off it
     * (refused), a FIFO (refused). */
    snprintf(p, sizeof(p), "%s/STICK/latest.jpg", root);
    REQUIRE(symlink("DCIM/Camera/IMG_1.jpg", p) == 0, "symlink");
    snprintf(p, sizeof(p), "%s/STICK/escape.jpg", root);
    snprintf(q, sizeof(q), "%s/OTHER/secret.jpg", root);
    REQUIRE(symlink(q, p) == 0, "symlink");
    snprintf(p, sizeof(p), "%s/STICK/fifo", root);
    REQUIRE(mkfifo(p, 0600) == 0, "mkfifo");

    struct device_options o;
    device_options_default(&o);
    o.media_root = root;
    o.mode = DEVICE_ROOT_DIRS;
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    struct device_list *l = devices_list(d);
    const struct device_info *stick = find_label(l, "STICK");
    REQUIRE(stick, "STICK");
    char stick_root[1024];
    snprintf(stick_root, sizeof(stick_root), "%s", stick->root);
    device_list_free(l);

    struct names n = {0};
    struct device_list_stats stats;
    CHECK(device_folder_list(d, stick_root, collect, &n, &stats, &err) == 0, "list: %s", err.detail);
    CHECK(n.n == 2 && has(&n, "DCIM|") && has(&n, "latest.jpg|"), "DCIM and the link: %d", n.n);
    CHECK(has(&n, "/DCIM/Camera/IMG_1.jpg"), "the link is listed where it leads");
    CHECK(stats.refused == 2, "escape and fifo refused: %zu", stats.refused);

    snprintf(p, sizeof(p), "%s/DCIM/Camera/IMG_1.jpg", stick_root);
    struct device_file *f = device_file_open(d, p, &err);
    REQUIRE(f, "open: %s", err.detail);
    CHECK(device_file_size(f) == sizeof(data) && device_file_mtime_ns(f) > 0, "size and date");
    uint8_t buf[100000];
    CHECK(device_file_read(f, buf, sizeof(buf), 0) == (ssize_t)sizeof(data) && !memcmp(buf, data, sizeof(data)),
          "whole file");
    CHECK(device_file_read(f, buf, 10, 99995) == 5 && !memcmp(buf, data + 99995, 5), "the end");
    uint8_t *t = NULL;
    size_t tl = 0;
    CHECK(device_file_thumbnail(f, &t, &tl, &err) == -1 && err.code == DEVICE_ERR_UNSUPPORTED && !t,
          "no device thumbnails on a volume");
    device_file_close(f);

    /* Not through a link, not off the volume, not a folder. */
    snprintf(p, sizeof(p), "%s/escape.jpg", stick_root);
    CHECK(!device_file_open(d, p, &err) && err.code == DEVICE_ERR_OUTSIDE, "a link off the volume: %s",
          device_err_code(err.code));
    snprintf(p, sizeof(p), "%s/DCIM/../../OTHER/secret.jpg", stick_root);
    CHECK(!device_file_open(d, p, &err) && err.code == DEVICE_ERR_OUTSIDE, "'..' refused");
    snprintf(p, sizeof(p), "%s/DCIM", stick_root);
    CHECK(!device_file_open(d, p, &err) && err.code == DEVICE_ERR_NOT_FOUND, "a folder is no file");
    snprintf(p, sizeof(p), "%s/fifo", stick_root);
    CHECK(!device_file_open(d, p, &err), "a FIFO is refused without blocking");
    CHECK(!device_file_open(d, "/etc/passwd", &err) && err.code == DEVICE_ERR_GONE,
          "a path on no device: %s", device_err_code(err.code));
    snprintf(p, sizeof(p), "%s/DCIM", stick_root);
    CHECK(!device_file_open(d, "relative/path", &err) && err.code == DEVICE_ERR_INVALID, "relative");
    devices_destroy(d);
}

/* ---- a fake phone ---- */

struct phone_fixture {
    char dir[1024], internal[1100], card[1100];
    uint8_t *big;
    size_t big_len;
};

static void make_phone(const char *tmp, struct phone_fixture *pf)
{
    char p[2048];
    snprintf(pf->dir, sizeof(pf->dir), "%s/phone", tmp);
    snprintf(pf->internal, sizeof(pf->internal), "%s/internal", pf->dir);
    snprintf(pf->card, sizeof(pf->card), "%s/card", pf->dir);
    snprintf(p, sizeof(p), "%s/DCIM/Camera", pf->internal);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images", pf->internal);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    snprintf(p, sizeof(p), "%s/DCIM/Camera/IMG_1.jpg", pf->internal);
    REQUIRE(gen_jpeg_file(p, 320, 240, gen_quadrants, 1, 90) == 0, "jpeg");
    snprintf(p, sizeof(p), "%s/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-WA0001.jpg",
             pf->internal);
    REQUIRE(gen_jpeg_file(p, 200, 200, gen_halves, 1, 90) == 0, "jpeg");
    /* A big file on the card, for reads in blocks. */
    snprintf(p, sizeof(p), "%s/DCIM", pf->card);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    pf->big_len = 10 * 1024 * 1024 + 12345;
    pf->big = malloc(pf->big_len);
    REQUIRE(pf->big, "malloc");
    uint32_t x = 12345;
    for (size_t i = 0; i < pf->big_len; i++) {
        x = x * 1103515245u + 12345u;
        pf->big[i] = (uint8_t)(x >> 16);
    }
    snprintf(p, sizeof(p), "%s/DCIM/VID_1.mp4", pf->card);
    REQUIRE(gen_write(p, pf->big, pf->big_len) == 0, "write");
}

static struct fakephone phone_desc(const struct phone_fixture *pf, const char *model, const char *serial)
{
    struct fakephone fd = {.model = model, .vendor = "Samsung", .serial = serial, .nstorages = 2,
                           .thumbnails = true, .delay_us = 200};
    fd.storages[0] = (struct fakephone_storage){pf->internal, "Internal shared storage", false};
    fd.storages[1] = (struct fakephone_storage){pf->card, "SD card", true};
    return fd;
}

static struct devices *phone_devices_lt(struct fakephones *fp, int timeout_ms, int list_timeout_ms)
{
    static const struct device_backend *list[2];
    list[0] = fakephones_backend(fp);
    list[1] = NULL;
    struct device_options o;
    device_options_default(&o);
    o.backends = list;
    o.notify = on_notify;
    o.rescan_ms = 60000; /* devices_rescan() drives it */
    o.retry_locked_ms = 50;
    o.timeout_ms = timeout_ms;
    o.list_timeout_ms = list_timeout_ms;
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    return d;
}

static struct devices *phone_devices(struct fakephones *fp, int timeout_ms)
{
    return phone_devices_lt(fp, timeout_ms, timeout_ms);
}

static void test_phone(const char *tmp, struct phone_fixture *pf)
{
    struct fakephones *fp = fakephones_create();
    REQUIRE(fp, "fakephones");
    struct devices *d = phone_devices(fp, 10000);
    struct fakephone desc = phone_desc(pf, "Galaxy A14", "R58N12ABC");
    const int ph = fakephone_plug(fp, &desc);
    devices_rescan(d);
    CHECK(devices_settle(d, 10000) == 0, "settled");
    struct device_list *l = devices_list(d);
    const struct device_info *v = find_label(l, "Galaxy A14");
    REQUIRE(v, "the phone is listed by its model");
    CHECK(v->kind == DEVICE_KIND_PHONE && v->state == DEVICE_READY && v->backend == DEVICE_BACKEND_TEST &&
              !strcmp(v->key, "R58N12ABC") && !strcmp(v->root, "test:R58N12ABC") &&
              !strcmp(v->vendor, "Samsung") && v->read_only,
          "a ready phone: %s %s %s", v->root, device_state_name(v->state), v->vendor);
    CHECK(v->nstorages == 2 && !strcmp(v->storages[0].root, "test:R58N12ABC@1") &&
              !strcmp(v->storages[1].root, "test:R58N12ABC@2") && v->storages[1].removable &&
              !strcmp(v->storages[0].description, "Internal shared storage") &&
              v->total_bytes == 2 * (64ull << 30),
          "two storages as one device");
    CHECK(device_list_find_path(l, "test:R58N12ABC@2/DCIM") == v && device_list_find_path(l, "test:") == v,
          "found by path");
    const uint64_t id = v->id;
    device_list_free(l);

    struct device_error err;
    struct names n = {0};
    CHECK(device_folder_list(d, "test:R58N12ABC", collect, &n, NULL, &err) == 0, "top: %s", err.detail);
    CHECK(n.n == 2 && has(&n, "Internal shared storage|test:R58N12ABC@1") && has(&n, "SD card|test:R58N12ABC@2"),
          "the top lists the storages");
    memset(&n, 0, sizeof(n));
    CHECK(device_folder_list(d, "test:R58N12ABC@1", collect, &n, NULL, &err) == 0, "storage 1: %s", err.detail);
    CHECK(n.n == 2 && has(&n, "Android|test:R58N12ABC/Android") && has(&n, "DCIM|test:R58N12ABC/DCIM"),
          "storage 1's paths need no @1: %s", n.n ? n.v[0] : "");
    memset(&n, 0, sizeof(n));
    CHECK(device_folder_list(d, "test:R58N12ABC@2/DCIM", collect, &n, NULL, &err) == 0, "card: %s", err.detail);
    CHECK(n.n == 1 && has(&n, "VID_1.mp4|test:R58N12ABC@2/DCIM/VID_1.mp4") && !n.folder[0], "the card's file");
    /* Deep path first, without listing the folders on the way: looked up. */
    const char *wa = "test:R58N12ABC/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-WA0001.jpg";
    struct device_file *f = device_file_open(d, wa, &err);
    CHECK(f != NULL, "a deep path opens: %s", err.detail);
    char p[2048];
    snprintf(p, sizeof(p), "%s/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/IMG-WA0001.jpg",
             pf->internal);
    size_t wlen = 0;
    uint8_t *wdata = read_whole(p, &wlen);
    if (f && wdata) {
        uint8_t *buf = malloc(wlen + 10);
        CHECK(device_file_size(f) == wlen && device_file_read(f, buf, wlen + 10, 0) == (ssize_t)wlen &&
                  !memcmp(buf, wdata, wlen),
              "its bytes");
        uint8_t *t = NULL;
        size_t tl = 0;
        CHECK(device_file_thumbnail(f, &t, &tl, &err) == 0 && t && tl == wlen, "the device's thumbnail");
        device_free(t, tl);
        free(buf);
    }
    free(wdata);
    device_file_close(f);
    CHECK(!device_file_open(d, "test:R58N12ABC/DCIM/nothing.jpg", &err) && err.code == DEVICE_ERR_NOT_FOUND,
          "a missing file");
    CHECK(!device_file_open(d, "test:R58N12ABC@3/DCIM", &err) && err.code == DEVICE_ERR_NOT_FOUND,
          "no third storage");
    CHECK(!device_file_open(d, "test:NOSUCH/DCIM/x.jpg", &err) && err.code == DEVICE_ERR_GONE, "no such phone");
    CHECK(!device_file_open(d, "mtp:R58N12ABC/DCIM/x.jpg", &err), "another scheme is another device");

    /* The big file: random reads, then a sequential reader in small steps
     * gets large blocks read ahead. */
    f = device_file_open(d, "test:R58N12ABC@2/DCIM/VID_1.mp4", &err);
    REQUIRE(f, "open the big file: %s", err.detail);
    CHECK(device_file_size(f) == pf->big_len, "size from the listing");
    uint8_t buf[70000];
    const uint64_t offs[] = {0, 5, 65535, 65536, 1000003, pf->big_len - 70000, pf->big_len - 3};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        const size_t want = offs[i] + sizeof(buf) > pf->big_len ? (size_t)(pf->big_len - offs[i]) : sizeof(buf);
        ssize_t r = device_file_read(f, buf, sizeof(buf), offs[i]);
        CHECK(r == (ssize_t)want && !memcmp(buf, pf->big + offs[i], want), "random read at %llu: %zd",
              (unsigned long long)offs[i], r);
    }
    CHECK(device_file_read(f, buf, 10, pf->big_len) == 0, "at the end: 0");
    struct fakephone_stats st0, st1;
    fakephone_stats(fp, ph, &st0);
    uint8_t *all = malloc(pf->big_len);
    uint64_t pos = 0;
    bool same = true;
    while (pos < pf->big_len) {
        ssize_t r = device_file_read(f, all + pos, 32768, pos);
        if (r <= 0) {
            same = false;
            break;
        }
        pos += (uint64_t)r;
    }
    same = same && pos == pf->big_len && !memcmp(all, pf->big, pf->big_len);
    CHECK(same, "every byte by a sequential reader (%llu)", (unsigned long long)pos);
    free(all);
    fakephone_stats(fp, ph, &st1);
    const unsigned reads = st1.reads - st0.reads;
    CHECK(reads < 20 && st1.max_read >= (1u << 20), "read in large blocks: %u reads, largest %u", reads,
          st1.max_read);
    device_file_close(f);

    /* The name cache: a path opened again needs no listing; after a wipe it does. */
    fakephone_stats(fp, ph, &st0);
    f = device_file_open(d, wa, &err);
    device_file_close(f);
    fakephone_stats(fp, ph, &st1);
    CHECK(f && st1.lists == st0.lists, "no listing for a known path (%u)", st1.lists - st0.lists);
    devices_wipe(d);
    f = device_file_open(d, wa, &err);
    device_file_close(f);
    fakephone_stats(fp, ph, &st0);
    CHECK(f && st0.lists > st1.lists, "after the wipe the phone is asked again");

    /* Unplugged and plugged in again: same phone, same id. */
    fakephone_unplug(fp, ph);
    devices_rescan(d);
    l = devices_list(d);
    CHECK(!find_label(l, "Galaxy A14"), "unplugged: gone from the list");
    device_list_free(l);
    const int ph2 = fakephone_plug(fp, &desc);
    devices_rescan(d);
    devices_settle(d, 10000);
    l = devices_list(d);
    v = find_label(l, "Galaxy A14");
    CHECK(v && v->id == id && v->state == DEVICE_READY, "plugged in again: the same id");
    device_list_free(l);
    (void)ph2;
    devices_destroy(d);
    fakephones_destroy(fp);
    (void)tmp;
}

static void test_states(struct phone_fixture *pf)
{
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices(fp, 10000);
    struct device_error err;

    /* Charging only: seen from its USB interfaces, never opened. */
    struct fakephone cdesc = phone_desc(pf, "Redmi Note 12", "CHG1");
    cdesc.charging_only = true;
    cdesc.usb_vendor = 0x2717;
    const int ch = fakephone_plug(fp, &cdesc);
    /* Locked: opens, offers no storage. */
    struct fakephone ldesc = phone_desc(pf, "Galaxy A05", "LCK1");
    const int lk = fakephone_plug(fp, &ldesc);
    fakephone_set(fp, lk, FAKEPHONE_LOCKED);
    /* An iPhone that has not trusted us. */
    struct fakephone idesc = phone_desc(pf, "iPhone", "00008030-0012");
    idesc.apple = true;
    idesc.nstorages = 1;
    const int ip = fakephone_plug(fp, &idesc);
    fakephone_set(fp, ip, FAKEPHONE_LOCKED);
    /* Two phones with the same cheap serial. */
    struct fakephone s1 = phone_desc(pf, "Tecno Spark", "0123456789ABCDEF");
    struct fakephone s2 = phone_desc(pf, "Infinix Hot", "0123456789ABCDEF");
    fakephone_plug(fp, &s1);
    fakephone_plug(fp, &s2);
    devices_rescan(d);
    devices_settle(d, 10000);

    struct device_list *l = devices_list(d);
    const struct device_info *v = find_label(l, "Redmi Note 12");
    CHECK(v && v->state == DEVICE_CHARGING_ONLY && v->kind == DEVICE_KIND_PHONE && !strcmp(v->vendor, "Xiaomi"),
          "charging only: %s", v ? device_state_name(v->state) : "missing");
    struct fakephone_stats st;
    fakephone_stats(fp, ch, &st);
    CHECK(st.opens == 0, "a charging-only phone is not opened");
    v = find_label(l, "Galaxy A05");
    CHECK(v && v->state == DEVICE_LOCKED && v->nstorages == 0, "locked");
    v = find_label(l, "iPhone");
    CHECK(v && v->state == DEVICE_UNTRUSTED && v->kind == DEVICE_KIND_IPHONE, "untrusted iPhone: %s",
          v ? device_state_name(v->state) : "missing");
    const struct device_info *t1 = find_label(l, "Tecno Spark"), *t2 = find_label(l, "Infinix Hot");
    CHECK(t1 && t2 && t1->id != t2->id && strcmp(t1->key, t2->key) && strcmp(t1->root, t2->root),
          "same serial, two keys: %s %s", t1 ? t1->key : "", t2 ? t2->key : "");
    device_list_free(l);
    CHECK(device_folder_list(d, "test:LCK1", collect, &(struct names){0}, NULL, &err) == -1 &&
              err.code == DEVICE_ERR_LOCKED,
          "a locked phone's folders: LOCKED (%s)", device_err_code(err.code));
    CHECK(device_folder_list(d, "test:CHG1", collect, &(struct names){0}, NULL, &err) == -1 &&
              err.code == DEVICE_ERR_LOCKED,
          "a charging-only phone's folders: LOCKED (%s)", device_err_code(err.code));

    /* Unlocked: asked again by itself, READY, and the app is told. */
    devices_changed(d);
    fakephone_set(fp, lk, FAKEPHONE_READY);
    CHECK(wait_state(d, "Galaxy A05", DEVICE_READY), "unlocked phone becomes ready");
    CHECK(wait_change(d), "and the change is announced");
    struct names n = {0};
    CHECK(device_folder_list(d, "test:LCK1@1", collect, &n, NULL, &err) == 0 && n.n == 2, "now it lists");
    fakephone_set(fp, ip, FAKEPHONE_READY);
    CHECK(wait_state(d, "iPhone", DEVICE_READY), "trusted iPhone becomes ready");
    devices_destroy(d);
    fakephones_destroy(fp);
}

/* A phone whose first openings fail (its node not yet the kiosk's, its last
 * connection still being torn down after a quick replug) is asked again,
 * shown as being opened, and is ready as soon as it opens; one that never
 * opens is FAILED once open_retry_ms has passed. */
static void test_open_retry(struct phone_fixture *pf)
{
    struct fakephones *fp = fakephones_create();
    static const struct device_backend *list[2];
    list[0] = fakephones_backend(fp);
    list[1] = NULL;
    struct device_options o;
    device_options_default(&o);
    o.backends = list;
    o.rescan_ms = 60000;
    o.retry_locked_ms = 50;
    o.open_retry_ms = 1500;
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);

    struct fakephone desc = phone_desc(pf, "Galaxy A14", "RTY1");
    const int i = fakephone_plug(fp, &desc);
    fakephone_set(fp, i, FAKEPHONE_REFUSED);
    devices_rescan(d);
    sleep_ms(400);
    struct fakephone_stats st;
    fakephone_stats(fp, i, &st);
    struct device_list *l = devices_list(d);
    const struct device_info *v = find_label(l, "Galaxy A14");
    CHECK(v && v->state == DEVICE_CONNECTING && st.opens >= 2,
          "refused at first: still being opened (%s), asked again (%u openings)",
          v ? device_state_name(v->state) : "missing", st.opens);
    device_list_free(l);
    fakephone_set(fp, i, FAKEPHONE_READY);
    CHECK(wait_state(d, "Galaxy A14", DEVICE_READY), "opens: ready, never shown as failed");
    fakephone_unplug(fp, i);
    devices_rescan(d);

    const int j = fakephone_plug(fp, &desc);
    fakephone_set(fp, j, FAKEPHONE_REFUSED);
    devices_rescan(d);
    const int64_t t0 = now_ms();
    CHECK(wait_state(d, "Galaxy A14", DEVICE_FAILED), "never opens: failed");
    const int64_t took = now_ms() - t0;
    CHECK(took >= 1200 && took < 10000, "after open_retry_ms (%lld ms)", (long long)took);
    devices_destroy(d);
    fakephones_destroy(fp);
}

static void test_unplug_and_hang(struct phone_fixture *pf)
{
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices(fp, 300);
    struct fakephone desc = phone_desc(pf, "Galaxy A14", "R58N12ABC");
    const int ph = fakephone_plug(fp, &desc);
    devices_rescan(d);
    devices_settle(d, 10000);
    struct device_error err;
    struct device_file *f = device_file_open(d, "test:R58N12ABC@2/DCIM/VID_1.mp4", &err);
    REQUIRE(f, "open: %s", err.detail);
    uint8_t *buf = malloc(1 << 20);

    /* The cable is pulled half-way through. */
    fakephone_gone_after(fp, ph, 3u << 20);
    uint64_t pos = 0;
    ssize_t r;
    while ((r = device_file_read(f, buf, 1 << 20, pos)) > 0)
        pos += (uint64_t)r;
    CHECK(r == -1 && device_file_error(f)->code == DEVICE_ERR_GONE && pos <= (4u << 20),
          "a read after the pull fails GONE (%s at %llu)", device_err_code(device_file_error(f)->code),
          (unsigned long long)pos);
    device_file_close(f);
    fakephone_set(fp, ph, FAKEPHONE_READY);

    /* It stops answering: the read gives up, the phone is NOT_ANSWERING. */
    f = device_file_open(d, "test:R58N12ABC@2/DCIM/VID_1.mp4", &err);
    REQUIRE(f, "open again: %s", err.detail);
    fakephone_set(fp, ph, FAKEPHONE_HANG);
    r = device_file_read(f, buf, 4096, 5u << 20);
    CHECK(r == -1 && device_file_error(f)->code == DEVICE_ERR_TIMEOUT, "a hung phone: TIMEOUT (%s)",
          device_err_code(device_file_error(f)->code));
    CHECK(wait_state(d, "Galaxy A14", DEVICE_NOT_ANSWERING), "shown as not answering");
    r = device_file_read(f, buf, 4096, 7u << 20);
    CHECK(r == -1 && device_file_error(f)->code == DEVICE_ERR_TIMEOUT, "new requests fail at once");
    fakephone_set(fp, ph, FAKEPHONE_READY);
    CHECK(wait_state(d, "Galaxy A14", DEVICE_READY), "it answers again: READY");
    r = device_file_read(f, buf, 4096, 7u << 20);
    CHECK(r == 4096 && !memcmp(buf, pf->big + (7u << 20), 4096), "and reads again");

    /* Unplugged with a file open: reads fail GONE, the list drops it. */
    fakephone_unplug(fp, ph);
    devices_rescan(d);
    r = device_file_read(f, buf, 4096, 9u << 20);
    CHECK(r == -1 && device_file_error(f)->code == DEVICE_ERR_GONE, "unplugged: GONE (%s)",
          device_err_code(device_file_error(f)->code));
    struct device_list *l = devices_list(d);
    CHECK(l && l->count == 0, "gone from the list");
    device_list_free(l);
    device_file_close(f);
    free(buf);

    /* A phone that does not answer while it is being opened: not left
     * "connecting" for ever; shown as NOT_ANSWERING, then as it is. */
    struct fakephone hdesc = phone_desc(pf, "Redmi 12C", "HANGOPEN");
    const int hp = fakephone_plug(fp, &hdesc);
    fakephone_set(fp, hp, FAKEPHONE_HANG);
    devices_rescan(d);
    CHECK(wait_state(d, "Redmi 12C", DEVICE_NOT_ANSWERING), "a hung opening: NOT_ANSWERING");
    CHECK(devices_settle(d, 5000) == 0, "settle does not wait for it");
    fakephone_set(fp, hp, FAKEPHONE_READY);
    CHECK(wait_state(d, "Redmi 12C", DEVICE_READY), "it answers after all: READY");
    devices_destroy(d);
    fakephones_destroy(fp);
}

/* ---- listings as they come ---- */

struct lister {
    struct devices *d;
    const char *path;
    atomic_int emitted;
    int rc;
    struct device_error err;
};

static int count_emit(void *ctx, const struct device_entry *e)
{
    (void)e;
    atomic_fetch_add(&((struct lister *)ctx)->emitted, 1);
    return 0;
}

static void *list_thread(void *arg)
{
    struct lister *l = arg;
    l->rc = device_folder_list(l->d, l->path, count_emit, l, NULL, &l->err);
    return NULL;
}

static void test_stream(const char *tmp, struct phone_fixture *pf)
{
    char many[1100], p[2048];
    snprintf(many, sizeof(many), "%s/many", tmp);
    snprintf(p, sizeof(p), "%s/DCIM/Camera", many);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    for (int i = 0; i < 40; i++) {
        snprintf(p, sizeof(p), "%s/DCIM/Camera/IMG_%04d.jpg", many, i);
        REQUIRE(gen_write(p, "x", 1) == 0, "write");
    }
    struct fakephones *fp = fakephones_create();
    struct devices *d = phone_devices_lt(fp, 300, 1500);
    /* notify() fires for the first change without devices_changed() first. */
    const int before = atomic_load(&notified);
    struct fakephone desc = {.model = "Galaxy A54", .vendor = "Samsung", .serial = "STREAM1", .nstorages = 1};
    desc.storages[0] = (struct fakephone_storage){many, "Internal shared storage", false};
    const int ph = fakephone_plug(fp, &desc);
    devices_rescan(d);
    devices_settle(d, 10000);
    CHECK(atomic_load(&notified) > before, "a change notifies at once");

    /* The phone holds its listing after 10 of 40: the caller has them already. */
    fakephone_hold_list(fp, ph, 10);
    struct lister l = {.d = d, .path = "test:STREAM1/DCIM/Camera"};
    atomic_init(&l.emitted, 0);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, list_thread, &l) == 0, "thread");
    struct fakephone_stats st;
    bool held = false;
    for (int i = 0; i < 2000 && !(held && atomic_load(&l.emitted) >= 10); i++) {
        fakephone_stats(fp, ph, &st);
        held = st.held;
        sleep_ms(10);
    }
    const int mid = atomic_load(&l.emitted);
    CHECK(held && mid == 10, "10 entries reached the caller while the phone still lists (%d, held %d)", mid,
          held);
    /* Held longer than a read may take (300 ms): each entry was news, and a
     * listing has its own limit. */
    sleep_ms(700);
    fakephone_release(fp, ph);
    pthread_join(t, NULL);
    CHECK(l.rc == 0 && atomic_load(&l.emitted) == 40, "then all 40 (%d, %s)", atomic_load(&l.emitted),
          l.rc ? l.err.detail : "ok");
    fakephone_hold_list(fp, ph, -1);

    /* libmtp says nothing until the folder is read: longer than a read's
     * limit is fine for a listing. */
    devices_wipe(d);
    fakephone_unplug(fp, ph);
    desc.list_delay_us = 800000;
    const int ph2 = fakephone_plug(fp, &desc);
    devices_rescan(d);
    devices_settle(d, 10000);
    struct device_error err;
    struct names n = {0};
    CHECK(device_folder_list(d, "test:STREAM1/DCIM", collect, &n, NULL, &err) == 0 && n.n == 1,
          "a slow listing is waited for: %s", err.detail);
    /* ...but not for ever. */
    fakephone_set(fp, ph2, FAKEPHONE_HANG);
    CHECK(device_folder_list(d, "test:STREAM1/DCIM/Camera", collect, &(struct names){0}, NULL, &err) == -1 &&
              err.code == DEVICE_ERR_TIMEOUT,
          "a hung listing: TIMEOUT (%s)", device_err_code(err.code));
    fakephone_set(fp, ph2, FAKEPHONE_READY);
    devices_destroy(d);
    fakephones_destroy(fp);
    (void)pf;
}

/* ---- USB devices from sysfs ---- */

static void sysdev(const char *sys, const char *name, const char *vid, const char *pid, const char *product,
                   const char *serial, const char *const *ifaces)
{
    char p[2048], v[64];
    snprintf(p, sizeof(p), "%s/%s", sys, name);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    struct {
        const char *k, *v;
    } attrs[] = {{"idVendor", vid}, {"idProduct", pid}, {"busnum", "1"}, {"devnum", "7"},
                 {"product", product}, {"serial", serial}, {"bConfigurationValue", "1"}};
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (!attrs[i].v)
            continue;
        snprintf(p, sizeof(p), "%s/%s/%s", sys, name, attrs[i].k);
        snprintf(v, sizeof(v), "%s\n", attrs[i].v);
        gen_write(p, v, strlen(v));
    }
    for (int i = 0; ifaces[i]; i++) {
        /* "cls sub proto name" */
        char cls[8], sub[8], pr[8], nm[32] = "";
        sscanf(ifaces[i], "%7s %7s %7s %31s", cls, sub, pr, nm);
        snprintf(p, sizeof(p), "%s/%s/%s:1.%d", sys, name, name, i);
        gen_mkdirs(p);
        const char *k[] = {"bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "interface"};
        const char *val[] = {cls, sub, pr, nm};
        for (int j = 0; j < 4; j++) {
            if (!val[j][0])
                continue;
            char q[2100];
            snprintf(q, sizeof(q), "%s/%s", p, k[j]);
            snprintf(v, sizeof(v), "%s\n", val[j]);
            gen_write(q, v, strlen(v));
        }
    }
}

static void test_sysfs(const char *tmp)
{
    char sys[1024];
    snprintf(sys, sizeof(sys), "%s/sys", tmp);
    REQUIRE(gen_mkdirs(sys) == 0, "mkdir");
    sysdev(sys, "1-2", "04e8", "6860", "SAMSUNG_Android", "R58N12ABC", (const char *const[]){"ff 42 01", NULL});
    sysdev(sys, "1-3", "0781", "5567", "Cruzer Blade", "4C53", (const char *const[]){"08 06 50", NULL});
    sysdev(sys, "1-4", "046d", "c077", "USB Optical Mouse", NULL, (const char *const[]){"03 01 02", NULL});
    sysdev(sys, "usb1", "1d6b", "0002", "xHCI Host Controller", NULL, (const char *const[]){"09 00 00", NULL});
    struct device_options o;
    device_options_default(&o);
    o.usb = true;
    o.usb_sysfs = sys;
    o.rescan_ms = 60000;
    struct device_error err;
    struct devices *d = devices_create(&o, &err);
    REQUIRE(d, "devices_create: %s", err.detail);
    struct device_list *l = devices_list(d);
    CHECK(l && l->count == 1, "only the phone: %zu", l ? l->count : 0);
    const struct device_info *v = l && l->count ? &l->v[0] : NULL;
    CHECK(v && v->state == DEVICE_CHARGING_ONLY && v->kind == DEVICE_KIND_PHONE && !strcmp(v->vendor, "Samsung") &&
              !strcmp(v->key, "R58N12ABC") && v->usb_vendor == 0x04e8,
          "a Samsung with only ADB: charging only");
    const uint64_t id = v ? v->id : 0;
    device_list_free(l);
    /* The person picks "File transfer": the phone comes back with MTP and
     * the same serial; it keeps its id. */
    char p[2048];
    snprintf(p, sizeof(p), "rm -rf '%s/1-2'", sys);
    gen_run(p);
    sysdev(sys, "1-2", "04e8", "6860", "SAMSUNG_Android", "R58N12ABC",
           (const char *const[]){"ff ff 00 MTP", "ff 42 01", NULL});
    devices_rescan(d);
    l = devices_list(d);
    v = l && l->count ? &l->v[0] : NULL;
    CHECK(l && l->count == 1 && v->id == id && v->state != DEVICE_CHARGING_ONLY,
          "file transfer: same id, no longer charging only (%s)", v ? device_state_name(v->state) : "-");
    device_list_free(l);
    devices_destroy(d);
}

int main(int argc, char **argv)
{
    const char *t = make_tmpdir("device");
    REQUIRE(t, "tmpdir");
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", t);
    struct phone_fixture pf;
    memset(&pf, 0, sizeof(pf));
    make_phone(tmp, &pf);
    const char *only = argc > 1 ? argv[1] : NULL;
#define RUN(name, call)                                                                                  \
    do {                                                                                                 \
        if (!only || !strcmp(only, name)) {                                                              \
            fprintf(stderr, "== %s\n", name);                                                            \
            call;                                                                                        \
        }                                                                                                \
    } while (0)
    RUN("paths", test_paths());
    RUN("volumes", (test_volumes_dirs(tmp), test_volumes_mounts(tmp)));
    RUN("files", test_files(tmp));
    RUN("phone", test_phone(tmp, &pf));
    RUN("states", test_states(&pf));
    RUN("open_retry", test_open_retry(&pf));
    RUN("unplug", test_unplug_and_hang(&pf));
    RUN("stream", test_stream(tmp, &pf));
    RUN("sysfs", test_sysfs(tmp));
    free(pf.big);
    rm_rf(tmp);
    return check_exit();
}
