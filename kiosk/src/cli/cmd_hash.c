/* hifazat hash [options] FILE|DIR|DEVICE-PATH... — one JSON object per file
 * on stdout. Device paths ("mtp:", "mtp:KEY/DCIM/Camera", "ptp:KEY...") are
 * read from phones and cameras by cable through the device layer, straight
 * into the hash engine (media_hash_file): nothing is copied to any disk. */
#include "cli.h"
#include "device.h"
#include "hash.h"
#include "media.h"

#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct run {
    struct hash_ctx *ctx;
    int rootfd;                /* the folder being walked (-1: a file was given) */
    const char *root;
    bool dihedral, progress;
    unsigned long files, failed;
    double last_progress;
    FILE *out;
    /* Devices by cable: one layer per backend asked for ("mtp", "ptp"). */
    struct devices *dev;
    char dev_scheme[8];
};

static void usage(FILE *f)
{
    fputs("usage: hifazat hash [options] FILE|DIR|DEVICE-PATH...\n"
          "Fingerprints images and videos (directories recursively) and prints one\n"
          "JSON object per file on stdout. Files are opened read-only and never changed.\n"
          "Phones and cameras by cable are read in place through device paths (see\n"
          "hifazat devices): mtp: (the first MTP device, whole), mtp:KEY, mtp:KEY@2 (its\n"
          "second storage), mtp:KEY/DCIM/Camera, mtp:KEY/DCIM/Camera/IMG_1.jpg; ptp: the\n"
          "same through libgphoto2. \"path\" in the output is the device path.\n"
          "\n"
          "  --no-full         skip the full-resolution PDQ variant\n"
          "  --no-displayed    skip the PDQ of the image as displayed (EXIF orientation)\n"
          "  --dihedral        add the 8 dihedral PDQ hashes (reference CLI mode)\n"
          "  --max-pixels N    refuse images over N pixels (default 100000000)\n"
          "  --vpdq-interval S seconds between hashed video frames (default 1; 0 = every frame)\n"
          "  --vpdq-downscale N  scale video frames to NxN before PDQ (default: full size)\n"
          "  --video-budget S  stop decoding a video after S seconds of work (default 600; 0 = none)\n"
          "  --no-vpdq         videos get exact hashes only\n"
          "  -q, --quiet       no progress line on stderr\n"
          "  -h, --help        this text\n"
          "\n"
          "Exit status: 0 all files hashed, 1 some failed, 2 usage error.\n",
          f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_progress(void *vrun, uint64_t done, uint64_t total)
{
    struct run *r = vrun;
    double t = now();
    if (t - r->last_progress < 0.2)
        return;
    r->last_progress = t;
    /* No file names: the terminal may be on a shared screen. */
    fprintf(stderr, "\rhashing file %lu: %3d%% ", r->files + 1,
            total ? (int)(done * 100 / total) : 100);
    fflush(stderr);
}

static void set_hex(json_t *o, const char *key, const uint8_t *b, size_t n)
{
    char hex[2 * 64 + 1];
    digest_hex(b, n, hex);
    json_object_set_new(o, key, json_string(hex));
}

static void set_pdq(json_t *o, const char *key, const struct hash_pdq *p)
{
    char hex[PDQ_HEX_LEN + 1], qkey[64];
    pdq_hex(&p->hash, hex);
    json_object_set_new(o, key, json_string(hex));
    snprintf(qkey, sizeof(qkey), "%s_quality", key);
    json_object_set_new(o, qkey, json_integer(p->quality));
}

static bool same_pdq(const struct hash_pdq *a, const struct hash_pdq *b)
{
    return a->present && b->present && pdq_distance(&a->hash, &b->hash) == 0;
}

/* Meta's HMA form: a list of "pdqhex,quality,timestamp". */
static json_t *vpdq_json(const struct vpdq_list *l)
{
    json_t *a = json_array();
    char buf[VPDQ_FORMAT_LEN];
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(vpdq_format(&l->v[i], buf)));
    return a;
}

static void video_json(json_t *o, const struct vpdq_result *v)
{
    json_object_set_new(o, "width", json_integer(v->width));
    json_object_set_new(o, "height", json_integer(v->height));
    json_object_set_new(o, "codec", json_string(v->codec));
    json_object_set_new(o, "fps", json_real(round(v->fps * 1000.0) / 1000.0));
    json_object_set_new(o, "duration", json_real(round(v->duration * 1000.0) / 1000.0));
    json_object_set_new(o, "frames", json_integer((json_int_t)v->frames_decoded));
    if (v->rotation || v->flipped)
        json_object_set_new(o, "rotation", json_integer(v->rotation));
    if (v->flipped)
        json_object_set_new(o, "flipped", json_true());
    json_object_set_new(o, "vpdq", vpdq_json(&v->frames));
    json_object_set_new(o, "vpdq_low_quality_frames",
                        json_integer((json_int_t)vpdq_low_quality_count(&v->frames)));
    if (v->displayed.n)
        json_object_set_new(o, "vpdq_displayed", vpdq_json(&v->displayed));
    if (!v->complete) {
        json_object_set_new(o, "vpdq_complete", json_false());
        json_object_set_new(o, "vpdq_seconds", json_real(round(v->hashed_seconds * 1000.0) / 1000.0));
    }
}

static json_t *result_json(const char *path, const struct hash_result *res, bool dihedral)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(path));
    if (res->size || res->have_digests) {
        json_object_set_new(o, "kind", json_string(hash_kind_name(res->kind)));
        json_object_set_new(o, "format", json_string(res->format));
        json_object_set_new(o, "size", json_integer((json_int_t)res->size));
    }
    if (res->have_digests) {
        set_hex(o, "md5", res->md5, sizeof(res->md5));
        set_hex(o, "sha1", res->sha1, sizeof(res->sha1));
        set_hex(o, "sha256", res->sha256, sizeof(res->sha256));
    }
    const struct hash_pdq *p = res->pdq;
    if (p[HASH_PDQ_CLI].present) {
        json_object_set_new(o, "width", json_integer(res->width));
        json_object_set_new(o, "height", json_integer(res->height));
        set_pdq(o, "pdq", &p[HASH_PDQ_CLI]);
        if (p[HASH_PDQ_CLI].quality < PDQ_MIN_QUALITY)
            json_object_set_new(o, "pdq_low_quality", json_true());
        if (p[HASH_PDQ_FULL].present && !same_pdq(&p[HASH_PDQ_FULL], &p[HASH_PDQ_CLI]))
            set_pdq(o, "pdq_full", &p[HASH_PDQ_FULL]);
        if (res->orientation != 1)
            json_object_set_new(o, "orientation", json_integer(res->orientation));
        if (p[HASH_PDQ_DISPLAYED_CLI].present) {
            set_pdq(o, "pdq_displayed", &p[HASH_PDQ_DISPLAYED_CLI]);
            if (p[HASH_PDQ_DISPLAYED_FULL].present &&
                !same_pdq(&p[HASH_PDQ_DISPLAYED_FULL], &p[HASH_PDQ_DISPLAYED_CLI]))
                set_pdq(o, "pdq_displayed_full", &p[HASH_PDQ_DISPLAYED_FULL]);
        }
        if (dihedral) {
            json_t *a = json_array();
            for (int x = 0; x < PDQ_NXFORMS; x++) {
                struct pdq_hash h;
                char hex[PDQ_HEX_LEN + 1];
                pdq_dct_hash(&res->dct, (enum pdq_xform)x, &h);
                pdq_hex(&h, hex);
                json_array_append_new(a, json_string(hex));
            }
            json_object_set_new(o, "pdq_dihedral", a);
        }
    }
    if (res->vpdq)
        video_json(o, res->vpdq);
    if (res->err != HASH_OK) {
        json_object_set_new(o, "error", json_string(hash_err_code(res->err)));
        json_object_set_new(o, "message", json_string(hash_err_message(res->err)));
        if (res->detail[0] && strcmp(res->detail, hash_err_message(res->err)))
            json_object_set_new(o, "detail", json_string(res->detail));
    }
    return o;
}

static void emit(FILE *out, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
    if (s) {
        fputs(s, out);
        fputc('\n', out);
        free(s);
    }
    fflush(out);
    json_decref(o);
}

static int visit(void *vrun, const char *path, enum hash_err err, const char *detail)
{
    struct run *r = vrun;
    struct hash_result *res = calloc(1, sizeof(*res));
    if (!res) {
        cli_error("out of memory");
        return -1;
    }
    if (err != HASH_OK) {
        res->err = err;
        snprintf(res->detail, sizeof(res->detail), "%s", detail ? detail : "");
    } else if (r->rootfd >= 0 && !strncmp(path, r->root, strlen(r->root))) {
        /* Opened beneath the folder given: a link swapped in after the
         * walk looked cannot lead elsewhere. */
        const char *rel = path + strlen(r->root);
        while (*rel == '/')
            rel++;
        hash_file_at(r->ctx, r->rootfd, *rel ? rel : ".", res);
    } else {
        hash_file(r->ctx, path, res);
    }
    if (r->progress)
        fputs("\r\033[K", stderr);
    r->files++;
    if (res->err != HASH_OK)
        r->failed++;
    emit(r->out, result_json(path, res, r->dihedral));
    hash_result_clear(res);
    free(res);
    return 0;
}

/* ---- devices by cable ---- */

static enum hash_err hash_err_of(enum device_err e)
{
    switch (e) {
    case DEVICE_ERR_NOT_FOUND: return HASH_ERR_NOT_FOUND;
    case DEVICE_ERR_ACCESS:
    case DEVICE_ERR_LOCKED:
    case DEVICE_ERR_BUSY:
    case DEVICE_ERR_OUTSIDE: return HASH_ERR_ACCESS;
    case DEVICE_ERR_GONE: return HASH_ERR_GONE;
    case DEVICE_ERR_TIMEOUT: return HASH_ERR_TIMEOUT;
    case DEVICE_ERR_CHANGED: return HASH_ERR_CHANGED;
    case DEVICE_ERR_NOMEM: return HASH_ERR_NOMEM;
    default: return HASH_ERR_READ;
    }
}

static void report_device_error(struct run *r, const char *path, const struct device_error *err)
{
    struct hash_result res = {.err = hash_err_of(err->code), .format = "unknown", .orientation = 1};
    snprintf(res.detail, sizeof(res.detail), "%s", err->detail);
    r->files++;
    r->failed++;
    emit(r->out, result_json(path, &res, r->dihedral));
}

static void hash_device_file(struct run *r, const char *path)
{
    struct hash_result *res = calloc(1, sizeof(*res));
    if (!res) {
        cli_error("out of memory");
        return;
    }
    media_hash_file(r->dev, r->ctx, path, res);
    if (r->progress)
        fputs("\r\033[K", stderr);
    r->files++;
    if (res->err != HASH_OK)
        r->failed++;
    emit(r->out, result_json(path, res, r->dihedral));
    hash_result_clear(res);
    free(res);
}

struct dev_entries {
    struct dev_ent {
        char *name, *path;
        bool folder;
    } *v;
    size_t n, cap;
    bool nomem;
};

static int collect_entry(void *ctx, const struct device_entry *e)
{
    struct dev_entries *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct dev_ent *nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv) {
            l->nomem = true;
            return 1;
        }
        l->v = nv;
        l->cap = cap;
    }
    struct dev_ent *x = &l->v[l->n];
    x->name = strdup(e->name);
    x->path = strdup(e->path);
    x->folder = e->folder;
    if (!x->name || !x->path) {
        free(x->name);
        free(x->path);
        l->nomem = true;
        return 1;
    }
    l->n++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct dev_ent *)a)->name, ((const struct dev_ent *)b)->name);
}

static void free_str(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void free_entries(struct dev_entries *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free_str(l->v[i].name);
        free_str(l->v[i].path);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void walk_device_folder(struct run *r, const char *path, int depth);

/* A listed folder's files in byte order of names, folders recursively
 * where they fall in that order (as hash_walk does on disk). */
static void walk_entries(struct run *r, struct dev_entries *l, int depth)
{
    qsort(l->v, l->n, sizeof(*l->v), by_name);
    for (size_t i = 0; i < l->n; i++) {
        if (!l->v[i].folder)
            hash_device_file(r, l->v[i].path);
        else if (depth < 64)
            walk_device_folder(r, l->v[i].path, depth + 1);
    }
}

static void walk_device_folder(struct run *r, const char *path, int depth)
{
    struct dev_entries l = {0};
    struct device_error err = {0};
    if (device_folder_list(r->dev, path, collect_entry, &l, NULL, &err) != 0 && !l.nomem)
        report_device_error(r, path, &err);
    else if (l.nomem)
        cli_error("out of memory");
    else
        walk_entries(r, &l, depth);
    free_entries(&l);
}

/* The device layer for a path's scheme ("mtp" or "ptp": that backend on
 * every device that can take it). */
static int use_devices(struct run *r, const char *path)
{
    char scheme[8] = "";
    const char *colon = strchr(path, ':');
    if (colon && (size_t)(colon - path) < sizeof(scheme))
        memcpy(scheme, path, (size_t)(colon - path));
    if (r->dev && !strcmp(r->dev_scheme, scheme))
        return 0;
    devices_destroy(r->dev); /* one backend at a time holds a device */
    r->dev = NULL;
    struct device_options o;
    device_options_default(&o);
    o.usb = true;
    o.usb_backend = !strcmp(scheme, "ptp") ? "ptp" : "mtp";
    struct device_error err = {0};
    r->dev = devices_create(&o, &err);
    if (!r->dev) {
        cli_error("devices: %s (%s)", device_err_message(err.code), err.detail);
        return -1;
    }
    snprintf(r->dev_scheme, sizeof(r->dev_scheme), "%s", scheme);
    if (devices_settle(r->dev, 30000) != 0)
        cli_error("devices: some devices are still being opened after 30 s");
    return 0;
}

static void hash_device_path(struct run *r, const char *path)
{
    if (use_devices(r, path) != 0) {
        struct device_error err = {.code = DEVICE_ERR_NOT_FOUND};
        snprintf(err.detail, sizeof(err.detail), "the device layer could not start");
        report_device_error(r, path, &err);
        return;
    }
    /* A folder (or a whole device), else a file. */
    struct device_error err = {0};
    struct dev_entries l = {0};
    const int rc = device_folder_list(r->dev, path, collect_entry, &l, NULL, &err);
    if (rc == 0 || l.nomem) {
        if (l.nomem)
            cli_error("out of memory");
        else
            walk_entries(r, &l, 0);
        free_entries(&l);
        return;
    }
    free_entries(&l);
    if (err.code == DEVICE_ERR_NOT_FOUND)
        hash_device_file(r, path);
    else
        report_device_error(r, path, &err);
}

int cmd_hash(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-full", no_argument, NULL, 'F'},
        {"no-displayed", no_argument, NULL, 'D'},
        {"dihedral", no_argument, NULL, 'd'},
        {"max-pixels", required_argument, NULL, 'm'},
        {"vpdq-interval", required_argument, NULL, 'I'},
        {"vpdq-downscale", required_argument, NULL, 'S'},
        {"video-budget", required_argument, NULL, 'B'},
        {"no-vpdq", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct hash_options opt;
    hash_options_default(&opt);
    struct run r = {0};
    r.rootfd = -1;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'F': opt.full = false; break;
        case 'D': opt.displayed = false; break;
        case 'd': r.dihedral = true; break;
        case 'q': quiet = true; break;
        case 'm': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || v == 0) {
                cli_error("--max-pixels needs a positive number, not '%s'", optarg);
                return CLI_USAGE;
            }
            opt.limits.max_pixels = v;
            break;
        }
        case 'I':
            if (cli_parse_seconds(optarg, &opt.vpdq.interval) != 0) {
                cli_error("--vpdq-interval needs seconds (0 = every frame), not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'S':
            if (cli_parse_downscale(optarg, &opt.vpdq.downscale) != 0) {
                cli_error("--vpdq-downscale needs a size from %d to 4096, not '%s'", PDQ_MIN_DIM, optarg);
                return CLI_USAGE;
            }
            break;
        case 'B':
            if (cli_parse_seconds(optarg, &opt.vpdq.max_seconds) != 0) {
                cli_error("--video-budget needs seconds (0 = no limit), not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'V': opt.video = false; break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("hash: no FILE or DIR given");
        usage(stderr);
        return CLI_USAGE;
    }
    r.progress = !quiet && isatty(STDERR_FILENO);
    if (r.progress) {
        opt.progress = show_progress;
        opt.progress_ctx = &r;
    }
    r.out = stdout;
    for (int i = optind; i < argc; i++)
        if (device_path_is_usb(argv[i]) && !(r.out = cli_results_stream()))
            return CLI_SOME_FAILED;
    r.ctx = hash_ctx_create(&opt);
    if (!r.ctx) {
        cli_error("out of memory");
        return CLI_SOME_FAILED;
    }
    for (int i = optind; i < argc; i++) {
        if (device_path_is_usb(argv[i]))
            hash_device_path(&r, argv[i]);
        else {
            struct stat st;
            r.root = argv[i];
            r.rootfd = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                       ? open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
            const int wrc = hash_walk(argv[i], visit, &r);
            if (r.rootfd >= 0)
                close(r.rootfd);
            r.rootfd = -1;
            if (wrc != 0)
                break;
        }
    }
    hash_ctx_destroy(r.ctx);
    devices_destroy(r.dev);
    if (r.progress && r.files > 1)
        fprintf(stderr, "%lu files, %lu failed\n", r.files, r.failed);
    return r.failed ? CLI_SOME_FAILED : CLI_OK;
}
