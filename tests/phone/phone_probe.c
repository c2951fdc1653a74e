/* phone_probe: drives one USB backend (mtp.c or ptp.c) directly, below the
 * device layer's core, on a real USB device: the proof tool of
 * image-build/test/phone_vm.py, which runs it inside the test VM on qemu's
 * usb-mtp device and compares what it prints with the host's files.
 *
 *   phone_probe [-b mtp|ptp] [-d BUS:DEV] [-s SYSFS] COMMAND [ARGS]
 *
 *   info                 what open() found (one JSON object)
 *   tree                 every object of every storage, one per line:
 *                        "D|F <storage#> <size> <mtime_s> <rel>"
 *   sha [BLOCK]          every file read whole in BLOCK-byte requests
 *                        (default 1000003): "<sha256> <size> <rel>"
 *   ranges REL OFF:LEN.. reads each range of one file (storage 1):
 *                        "<off> <len> <got> <sha256 of the bytes got>"
 *   thumbs               every file's own thumbnail: "<len>|unsupported|<error> <rel>"
 *   pull REL [BLOCK]     reads REL in a loop, "ok <bytes> <ms>" per request,
 *                        until an error: "error <code> <ms since the last
 *                        good read> <detail>" (the unplug test)
 *   listtime REL         lists one folder: "<entries> <ms>"
 *   refresh              refresh() after open(): the probe again
 *
 * -v: the libraries' debug logs on stderr (libgphoto2's log, libmtp's
 * LIBMTP_DEBUG_PTP|USB).
 *
 * Results go to the original stdout; fd 1 is pointed at stderr while the
 * backend runs (libmtp prints notices on stdout). Prints file names: a
 * test tool for test data only, never built into the image.
 * Exit: 0 done, 1 a backend call failed, 2 usage.
 */
#include "usb_internal.h"

#include <dirent.h>
#include <gphoto2/gphoto2-port-log.h>
#include <libmtp.h>
#include <stdarg.h>
#include <errno.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *out;
static const struct device_backend *be;
static void *conn;
static struct device_probe probe;

static const char *err_name(enum device_err e)
{
    static const char *const n[] = {"ok",     "not_found", "access",      "outside", "gone",  "timeout",
                                    "locked", "busy",      "unsupported", "changed", "nomem", "invalid"};
    return (unsigned)e < sizeof(n) / sizeof(n[0]) ? n[e] : "?";
}

static const char *state_name(enum device_state s)
{
    static const char *const n[] = {"ready",      "connecting", "charging_only", "locked",
                                    "untrusted",  "not_answering", "busy",       "failed"};
    return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hex(const uint8_t *d, size_t n, char *o)
{
    for (size_t i = 0; i < n; i++)
        sprintf(o + 2 * i, "%02x", d[i]);
}

static void json_str(const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void print_probe(void)
{
    fprintf(out, "{\"backend\":\"%s\",\"state\":\"%s\",\"kind\":%d,\"model\":", be->scheme,
            state_name(probe.state), (int)probe.kind);
    json_str(probe.model);
    fprintf(out, ",\"vendor\":");
    json_str(probe.vendor);
    fprintf(out, ",\"serial\":");
    json_str(probe.serial);
    fprintf(out, ",\"storages\":[");
    for (size_t i = 0; i < probe.nstorages; i++) {
        const struct device_probe_storage *s = &probe.storages[i];
        fprintf(out, "%s{\"id\":%" PRIu32 ",\"description\":", i ? "," : "", s->id);
        json_str(s->description);
        fprintf(out, ",\"removable\":%s,\"total\":%" PRIu64 ",\"free\":%" PRIu64 "}",
                s->removable ? "true" : "false", s->total_bytes, s->free_bytes);
    }
    fprintf(out, "]}\n");
}

/* ---- walking ---- */

struct node {
    struct device_obj o;
    char *rel;
    size_t storage; /* index in probe.storages */
};

static size_t cur_storage;

struct nodes {
    struct node *v;
    size_t n, cap;
};

static int collect(void *ctx, const struct device_obj *c)
{
    struct nodes *ns = ctx;
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? 2 * ns->cap : 64;
        ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
        if (!ns->v)
            abort();
    }
    struct node *x = &ns->v[ns->n++];
    x->o = *c;
    x->rel = strdup(c->rel);
    x->o.rel = x->rel;
    x->o.name = x->rel + (c->name - c->rel);
    x->storage = cur_storage;
    return 0;
}

static void nodes_free(struct nodes *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i].rel);
    free(ns->v);
    memset(ns, 0, sizeof(*ns));
}

static int list_folder(const struct device_obj *f, struct nodes *ns)
{
    struct device_error err = {0};
    if (be->list(conn, f, collect, ns, &err) != 0) {
        fprintf(out, "error %s list %s\n", err_name(err.code), err.detail);
        return -1;
    }
    return 0;
}

/* Depth first, every storage: all objects into ns. */
static int walk_all(struct nodes *ns)
{
    for (size_t s = 0; s < probe.nstorages; s++) {
        struct device_obj top = {.storage = probe.storages[s].id, .rel = "", .name = "", .folder = true};
        size_t first = ns->n;
        cur_storage = s;
        if (list_folder(&top, ns) != 0)
            return -1;
        for (size_t i = first; i < ns->n; i++) {
            if (ns->v[i].o.folder) {
                struct device_obj f = ns->v[i].o; /* ns->v may move */
                if (list_folder(&f, ns) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* The object at rel on the first storage. */
static int resolve(const char *rel, struct device_obj *o, char **keep)
{
    struct device_obj cur = {.storage = probe.nstorages ? probe.storages[0].id : 0, .rel = "", .name = "", .folder = true};
    char *dup = strdup(rel), *save = NULL;
    char *curkeep = NULL;
    int rc = -1;
    for (char *comp = strtok_r(dup, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        struct nodes ns = {0};
        if (list_folder(&cur, &ns) != 0) {
            nodes_free(&ns);
            goto out;
        }
        size_t i;
        for (i = 0; i < ns.n && strcmp(ns.v[i].o.name, comp) != 0; i++)
            ;
        if (i == ns.n) {
            fprintf(out, "error not_found resolve\n");
            nodes_free(&ns);
            goto out;
        }
        free(curkeep);
        curkeep = strdup(ns.v[i].rel);
        cur = ns.v[i].o;
        cur.rel = curkeep;
        cur.name = curkeep + (ns.v[i].o.name - ns.v[i].rel);
        nodes_free(&ns);
    }
    *o = cur;
    *keep = curkeep;
    curkeep = NULL;
    rc = 0;
out:
    free(curkeep);
    free(dup);
    return rc;
}

/* ---- commands ---- */

static int cmd_tree(void)
{
    struct nodes ns = {0};
    int rc = walk_all(&ns) == 0 ? 0 : 1;
    for (size_t i = 0; i < ns.n; i++)
        fprintf(out, "%c %zu %" PRIu64 " %" PRId64 " %s\n", ns.v[i].o.folder ? 'D' : 'F', ns.v[i].storage + 1,
                ns.v[i].o.size, ns.v[i].o.mtime_ns / 1000000000, ns.v[i].rel);
    nodes_free(&ns);
    return rc;
}

static int sha_of(const struct device_obj *o, size_t block, char hexout[65], uint64_t *total)
{
    struct sha256_ctx h;
    sha256_init(&h);
    uint8_t *buf = malloc(block);
    *total = 0;
    int rc = 0;
    for (;;) {
        size_t got = 0;
        struct device_error err = {0};
        if (be->read(conn, o, *total, buf, block, &got, &err) != 0) {
            fprintf(out, "error %s read %s\n", err_name(err.code), err.detail);
            rc = -1;
            break;
        }
        sha256_update(&h, got, buf);
        *total += got;
        if (got < block)
            break;
    }
    explicit_bzero(buf, block);
    free(buf);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&h, sizeof(d), d);
    hex(d, sizeof(d), hexout);
    return rc;
}

static int cmd_sha(size_t block)
{
    struct nodes ns = {0};
    int rc = walk_all(&ns) == 0 ? 0 : 1;
    for (size_t i = 0; i < ns.n && rc == 0; i++) {
        if (ns.v[i].o.folder)
            continue;
        char h[65];
        uint64_t total;
        if (sha_of(&ns.v[i].o, block, h, &total) != 0)
            rc = 1;
        else
            fprintf(out, "%s %" PRIu64 " %s\n", h, total, ns.v[i].rel);
    }
    nodes_free(&ns);
    return rc;
}

static int cmd_ranges(const char *rel, int n, char **ranges)
{
    struct device_obj o;
    char *keep;
    if (resolve(rel, &o, &keep) != 0)
        return 1;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        uint64_t off;
        size_t len;
        if (sscanf(ranges[i], "%" SCNu64 ":%zu", &off, &len) != 2) {
            rc = 2;
            break;
        }
        uint8_t *buf = malloc(len ? len : 1);
        size_t got = 0;
        struct device_error err = {0};
        if (be->read(conn, &o, off, buf, len, &got, &err) != 0) {
            fprintf(out, "%" PRIu64 " %zu error %s %s\n", off, len, err_name(err.code), err.detail);
            rc = 1;
        } else {
            struct sha256_ctx h;
            uint8_t d[SHA256_DIGEST_SIZE];
            char hx[65];
            sha256_init(&h);
            sha256_update(&h, got, buf);
            sha256_digest(&h, sizeof(d), d);
            hex(d, sizeof(d), hx);
            fprintf(out, "%" PRIu64 " %zu %zu %s\n", off, len, got, hx);
        }
        explicit_bzero(buf, len ? len : 1);
        free(buf);
    }
    free(keep);
    return rc;
}

static int cmd_thumbs(void)
{
    struct nodes ns = {0};
    int rc = walk_all(&ns) == 0 ? 0 : 1;
    for (size_t i = 0; i < ns.n; i++) {
        if (ns.v[i].o.folder)
            continue;
        uint8_t *d = NULL;
        size_t len = 0;
        struct device_error err = {0};
        int64_t t0 = now_ms();
        if (be->thumbnail(conn, &ns.v[i].o, &d, &len, &err) == 0) {
            fprintf(out, "%zu %" PRId64 "ms %s\n", len, now_ms() - t0, ns.v[i].rel);
            explicit_bzero(d, len);
            free(d);
        } else {
            fprintf(out, "%s %" PRId64 "ms %s\n", err_name(err.code), now_ms() - t0, ns.v[i].rel);
            if (err.code != DEVICE_ERR_UNSUPPORTED)
                rc = 1;
        }
    }
    nodes_free(&ns);
    return rc;
}

static int cmd_pull(const char *rel, size_t block)
{
    struct device_obj o;
    char *keep;
    if (resolve(rel, &o, &keep) != 0)
        return 1;
    uint8_t *buf = malloc(block);
    uint64_t off = 0;
    int64_t last = now_ms();
    int rc = 0;
    for (;;) {
        size_t got = 0;
        struct device_error err = {0};
        int64_t t0 = now_ms();
        if (be->read(conn, &o, off, buf, block, &got, &err) != 0) {
            fprintf(out, "error %s %" PRId64 " %s\n", err_name(err.code), now_ms() - last, err.detail);
            fflush(out);
            rc = 1;
            break;
        }
        last = now_ms();
        fprintf(out, "ok %zu %" PRId64 "\n", got, last - t0);
        fflush(out);
        off = got < block ? 0 : off + got; /* round and round */
    }
    explicit_bzero(buf, block);
    free(buf);
    free(keep);
    return rc;
}

static int cmd_listtime(const char *rel)
{
    struct device_obj o;
    char *keep = NULL;
    if (rel[0] && resolve(rel, &o, &keep) != 0)
        return 1;
    if (!rel[0])
        o = (struct device_obj){.storage = probe.storages[0].id, .rel = "", .name = "", .folder = true};
    struct nodes ns = {0};
    int64_t t0 = now_ms();
    int rc = list_folder(&o, &ns) == 0 ? 0 : 1;
    fprintf(out, "%zu %" PRId64 "\n", ns.n, now_ms() - t0);
    nodes_free(&ns);
    free(keep);
    return rc;
}

static void gp_log_stderr(GPLogLevel level, const char *domain, const char *str, void *data)
{
    (void)level;
    (void)data;
    fprintf(stderr, "gp %s: %s\n", domain, str);
}

static int find_device(const char *sysfs, int bus, int dev, struct device_usb *u)
{
    DIR *d = opendir(sysfs);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = -1;
    while (rc != 0 && (de = readdir(d)) != NULL) {
        if (device_usb_read(sysfs, de->d_name, u) != 0)
            continue;
        if (bus ? (u->busnum == bus && u->devnum == dev) : be->claims(u) > 0)
            rc = 0;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    const char *backend = "mtp", *sysfs = "/sys/bus/usb/devices";
    int bus = 0, dev = 0, opt;
    while ((opt = getopt(argc, argv, "b:d:s:v")) != -1) {
        if (opt == 'v') {
            gp_log_add_func(GP_LOG_DEBUG, gp_log_stderr, NULL);
            LIBMTP_Set_Debug(LIBMTP_DEBUG_PTP | LIBMTP_DEBUG_USB);
        } else if (opt == 'b')
            backend = optarg;
        else if (opt == 'd' && sscanf(optarg, "%d:%d", &bus, &dev) == 2)
            ;
        else if (opt == 's')
            sysfs = optarg;
        else
            return 2;
    }
    if (optind >= argc)
        return 2;
    be = !strcmp(backend, "ptp") ? device_backend_ptp() : device_backend_mtp();
    /* Results on the real stdout, libraries' chatter on stderr. */
    int fd = dup(1);
    out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out || dup2(2, 1) < 0)
        return 2;

    struct device_usb u;
    if (find_device(sysfs, bus, dev, &u) != 0) {
        fprintf(out, "error not_found no device for the %s backend\n", be->scheme);
        return 1;
    }
    struct device_error err = {0};
    int64_t t0 = now_ms();
    if (be->open(be, &u, &conn, &probe, &err) != 0) {
        fprintf(out, "error %s open %s\n", err_name(err.code), err.detail);
        return 1;
    }
    fprintf(stderr, "phone_probe: %s open %03d/%03d %04x:%04x in %" PRId64 " ms\n", be->scheme, u.busnum,
            u.devnum, u.vendor, u.product, now_ms() - t0);
    const char *cmd = argv[optind];
    int rc = 2;
    if (!strcmp(cmd, "info")) {
        print_probe();
        rc = 0;
    } else if (!strcmp(cmd, "refresh")) {
        rc = be->refresh(conn, &probe, &err) == 0 ? 0 : 1;
        if (rc)
            fprintf(out, "error %s refresh %s\n", err_name(err.code), err.detail);
        else
            print_probe();
    } else if (probe.state != DEVICE_READY) {
        fprintf(out, "error %s no storage\n", state_name(probe.state));
        rc = 1;
    } else if (!strcmp(cmd, "tree")) {
        rc = cmd_tree();
    } else if (!strcmp(cmd, "sha")) {
        rc = cmd_sha(optind + 1 < argc ? (size_t)strtoull(argv[optind + 1], NULL, 10) : 1000003);
    } else if (!strcmp(cmd, "ranges") && optind + 1 < argc) {
        rc = cmd_ranges(argv[optind + 1], argc - optind - 2, argv + optind + 2);
    } else if (!strcmp(cmd, "thumbs")) {
        rc = cmd_thumbs();
    } else if (!strcmp(cmd, "pull") && optind + 1 < argc) {
        rc = cmd_pull(argv[optind + 1], optind + 2 < argc ? (size_t)strtoull(argv[optind + 2], NULL, 10) : 1 << 20);
    } else if (!strcmp(cmd, "listtime") && optind + 1 < argc) {
        rc = cmd_listtime(argv[optind + 1]);
    }
    t0 = now_ms();
    be->close(conn);
    fprintf(stderr, "phone_probe: closed in %" PRId64 " ms\n", now_ms() - t0);
    fclose(out);
    return rc;
}
