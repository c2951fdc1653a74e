/* hifazat hash [options] FILE|DIR... — one JSON object per file on stdout. */
#include "cli.h"
#include "hash.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
    struct hash_ctx *ctx;
    bool dihedral, progress;
    unsigned long files, failed;
    double last_progress;
};

static void usage(FILE *f)
{
    fputs("usage: hifazat hash [options] FILE|DIR...\n"
          "Fingerprints images and videos (directories recursively) and prints one\n"
          "JSON object per file on stdout. Files are opened read-only and never changed.\n"
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

static void emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    fflush(stdout);
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
    } else {
        hash_file(r->ctx, path, res);
    }
    if (r->progress)
        fputs("\r\033[K", stderr);
    r->files++;
    if (res->err != HASH_OK)
        r->failed++;
    emit(result_json(path, res, r->dihedral));
    hash_result_clear(res);
    free(res);
    return 0;
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
    r.ctx = hash_ctx_create(&opt);
    if (!r.ctx) {
        cli_error("out of memory");
        return CLI_SOME_FAILED;
    }
    for (int i = optind; i < argc; i++)
        if (hash_walk(argv[i], visit, &r) != 0)
            break;
    hash_ctx_destroy(r.ctx);
    if (r.progress && r.files > 1)
        fprintf(stderr, "%lu files, %lu failed\n", r.files, r.failed);
    return r.failed ? CLI_SOME_FAILED : CLI_OK;
}
