/* Volumes: folders appearing and disappearing under a temporary media root
 * (folder mode), an injected mount table (mount mode: labels from a fake
 * /dev/disk/by-label, read-only flags, depth, filesystems that are not
 * volumes), snapshots that outlive a removal, one notify() per fetch, and
 * the real /proc/self/mountinfo path. No real mounts are needed. */
#include "check.h"
#include "media.h"
#include "mediagen.h"
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static atomic_int notified;
static pthread_t main_thread;
static atomic_int notified_on_main;

static void on_notify(void *ctx)
{
    (void)ctx;
    if (pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&notified_on_main, 1);
    pthread_mutex_lock(&lock);
    atomic_fetch_add(&notified, 1);
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

/* Waits (up to 10 s) until media_events() reports `bit`. */
static bool wait_event(struct media *m, unsigned bit)
{
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += 10;
    for (;;) {
        if (media_events(m) & bit)
            return true;
        pthread_mutex_lock(&lock);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&cond, &lock, &ts);
        pthread_mutex_unlock(&lock);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (now.tv_sec > end.tv_sec)
            return false;
    }
}

static const struct media_volume *find(const struct media_volume_list *l, const char *label)
{
    for (size_t i = 0; l && i < l->count; i++)
        if (!strcmp(l->v[i].label, label))
            return &l->v[i];
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_dirs_mode(const char *tmp)
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

    struct media_options o;
    media_options_default(&o);
    o.root = root;
    o.mode = MEDIA_ROOT_DIRS;
    o.notify = on_notify;
    o.rescan_ms = 60000; /* inotify must do the work, not the safety net */
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);

    struct media_volume_list *l = media_volumes(m);
    REQUIRE(l, "snapshot");
    CHECK(l->count == 1, "one volume at the start, got %zu", l->count);
    const struct media_volume *v = find(l, "STICK");
    CHECK(v && v->total_bytes > 0 && v->free_bytes <= v->total_bytes, "STICK with sizes");
    const uint64_t stick_id = v ? v->id : 0;

    /* Inserted: a folder appears. */
    snprintf(p, sizeof(p), "%s/CARD", root);
    REQUIRE(gen_mkdirs(p) == 0, "mkdir");
    CHECK(wait_event(m, MEDIA_EV_VOLUMES), "no event for a new volume");
    struct media_volume_list *l2 = media_volumes(m);
    CHECK(l2 && l2->count == 2, "two volumes, got %zu", l2 ? l2->count : 0);
    CHECK(l2 && !strcmp(l2->v[0].label, "CARD") && !strcmp(l2->v[1].label, "STICK"),
          "sorted by label");
    v = find(l2, "STICK");
    CHECK(v && v->id == stick_id, "STICK keeps its id");
    CHECK(find(l2, "CARD") && find(l2, "CARD")->id != stick_id, "CARD has its own id");

    /* Removed while a snapshot is held: the snapshot stays readable. */
    snprintf(p, sizeof(p), "%s/STICK", root);
    REQUIRE(rmdir(p) == 0, "rmdir");
    CHECK(wait_event(m, MEDIA_EV_VOLUMES), "no event for a removed volume");
    struct media_volume_list *l3 = media_volumes(m);
    CHECK(l3 && l3->count == 1 && find(l3, "CARD"), "only CARD left");
    CHECK(!strcmp(l2->v[1].label, "STICK") && strstr(l2->v[1].path, "/STICK"),
          "old snapshot still intact");
    media_volume_list_free(l);
    media_volume_list_free(l2);
    media_volume_list_free(l3);

    /* One notify() until the events are fetched. */
    media_events(m);
    const int before = atomic_load(&notified);
    snprintf(p, sizeof(p), "%s/ONE", root);
    gen_mkdirs(p);
    for (int i = 0; i < 1000 && atomic_load(&notified) == before; i++)
        sleep_ms(10);
    CHECK(atomic_load(&notified) == before + 1, "a notify for ONE");
    snprintf(p, sizeof(p), "%s/TWO", root);
    gen_mkdirs(p);
    sleep_ms(400);
    CHECK(atomic_load(&notified) == before + 1, "no second notify before media_events (%d)",
          atomic_load(&notified) - before);
    CHECK(media_events(m) & MEDIA_EV_VOLUMES, "the volumes bit is pending");
    struct media_volume_list *l4 = media_volumes(m);
    CHECK(l4 && l4->count == 3, "CARD, ONE, TWO: %zu", l4 ? l4->count : 0);
    media_volume_list_free(l4);
    snprintf(p, sizeof(p), "%s/THREE", root);
    gen_mkdirs(p);
    CHECK(wait_event(m, MEDIA_EV_VOLUMES), "notify again after a fetch");
    CHECK(atomic_load(&notified) >= before + 2, "second notify");
    CHECK(atomic_load(&notified_on_main) == 0, "notify ran on the caller's thread");

    /* Nothing was created on the volumes or the root. */
    snprintf(p, sizeof(p), "%s/CARD", root);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", p);
    CHECK(gen_run(cmd) == 0, "CARD is still empty");
    media_destroy(m);
}

static void write_mountinfo(const char *path, const char *text)
{
    char tmp[2048];
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    REQUIRE(gen_write(tmp, text, strlen(text)) == 0, "write mountinfo");
    REQUIRE(rename(tmp, path) == 0, "rename mountinfo");
}

static void test_mounts_mode(const char *tmp)
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
    /* udev's by-label links; /dev/null is device 1:3. */
    snprintf(p, sizeof(p), "%s/KINGSTON\\x20USB", bylabel);
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

    struct media_options o;
    media_options_default(&o);
    o.root = root;
    o.mountinfo = mi;
    o.by_label = bylabel;
    o.notify = on_notify;
    o.rescan_ms = 60000;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    struct media_volume_list *l = media_volumes(m);
    REQUIRE(l, "snapshot");
    CHECK(l->count == 3, "usb0, My Phone, stacked: got %zu", l->count);
    for (size_t i = 0; i < l->count; i++)
        fprintf(stderr, "  volume %s (%s)%s\n", l->v[i].label, l->v[i].path, l->v[i].read_only ? " ro" : "");
    const struct media_volume *usb = find(l, "KINGSTON USB");
    CHECK(usb && usb->read_only && strstr(usb->path, "/usb0"), "label from by-label, read-only");
    const struct media_volume *phone = find(l, "My Phone");
    CHECK(phone && !phone->read_only && strstr(phone->path, "/user/My Phone"),
          "two levels down, escaped space, no label: the folder's name");
    const struct media_volume *st = find(l, "stacked");
    CHECK(st && st->read_only, "stacked mounts: the top one counts");
    const uint64_t phone_id = phone ? phone->id : 0;

    /* The stick is unmounted, an SD card is mounted. */
    snprintf(text, sizeof(text),
             "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
             "101 22 0:50 / %s/user/My\\040Phone rw,nosuid,nodev - fuse.jmtpfs jmtpfs rw\n"
             "110 22 179:1 / %s/user/SD ro - exfat /dev/mmcblk0p1 ro\n",
             root, root);
    write_mountinfo(mi, text);
    CHECK(wait_event(m, MEDIA_EV_VOLUMES), "no event for the mount table");
    struct media_volume_list *l2 = media_volumes(m);
    CHECK(l2 && l2->count == 2, "My Phone, SD: got %zu", l2 ? l2->count : 0);
    CHECK(find(l2, "My Phone") && find(l2, "My Phone")->id == phone_id, "same mount, same id");
    CHECK(find(l2, "SD") && find(l2, "SD")->read_only, "SD read-only");
    CHECK(!find(l2, "KINGSTON USB"), "the stick is gone");
    CHECK(usb && strstr(usb->path, "/usb0"), "the old snapshot is intact");
    media_volume_list_free(l);
    media_volume_list_free(l2);

    /* A folder made under the root wakes the watcher, but is no volume. */
    snprintf(p, sizeof(p), "%s/user/new", root);
    gen_mkdirs(p);
    sleep_ms(300);
    struct media_volume_list *l3 = media_volumes(m);
    CHECK(l3 && l3->count == 2, "a plain folder is not a volume");
    media_volume_list_free(l3);
    media_destroy(m);
}

static void test_real_mountinfo(const char *tmp)
{
    /* The real mount table (poll() for POLLPRI): nothing is mounted under
     * a fresh folder, and starting and stopping works. */
    char root[1024];
    snprintf(root, sizeof(root), "%s/real", tmp);
    gen_mkdirs(root);
    struct media_options o;
    media_options_default(&o);
    o.root = root;
    struct media_error err;
    struct media *m = media_create(&o, &err);
    REQUIRE(m, "media_create: %s", err.detail);
    struct media_volume_list *l = media_volumes(m);
    CHECK(l && l->count == 0, "no volumes under an empty folder");
    media_volume_list_free(l);
    media_destroy(m);

    /* A missing root is not an error: it may appear later. */
    o.root = "/nonexistent/hifazat-media";
    m = media_create(&o, &err);
    CHECK(m != NULL, "missing root");
    media_destroy(m);

    o.root = "";
    CHECK(media_create(&o, &err) == NULL && err.code == MEDIA_ERR_INVALID, "empty root refused");
}

int main(void)
{
    main_thread = pthread_self();
    const char *t = make_tmpdir("volumes");
    REQUIRE(t, "tmpdir");
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s", t);
    test_dirs_mode(tmp);
    test_mounts_mode(tmp);
    test_real_mountinfo(tmp);
    rm_rf(tmp);
    return check_exit();
}
