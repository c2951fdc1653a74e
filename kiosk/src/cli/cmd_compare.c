/* hifazat compare [options] QUERY TARGET — Meta's vPDQ matching rule on two
 * videos or saved hash lists; one JSON object on stdout, the answer in the
 * exit status. */
#include "cli.h"
#include "hash.h"
#include "durable.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    SNIFF_BYTES = 64 * 1024,
    MAX_LIST_BYTES = 64 << 20, /* a saved list of a 2-hour video, every frame, is ~20 MB */
};

struct side {
    const char *path;
    struct vpdq_list v[2];     /* [0] as decoded, [1] as displayed (may be empty) */
    bool video;
};

static void usage(FILE *f)
{
    fputs("usage: hifazat compare [options] QUERY TARGET\n"
          "Does QUERY match TARGET under Meta's vPDQ rule? Each is a video file or a saved\n"
          "vPDQ hash list:\n"
          "  - the output of 'hifazat hash' for one video (its \"vpdq\" list),\n"
          "  - an HMA vpdq signal: a JSON array of \"pdqhex,quality,timestamp\" strings,\n"
          "  - text lines \"pdqhex,quality,timestamp\", or the reference tool's\n"
          "    \"frame,quality,pdqhex,timestamp\".\n"
          "Frames with quality < 50 are ignored and equal hashes count once; a frame\n"
          "matches when the other side has a frame within PDQ distance 31. QUERY matches\n"
          "when at least 80 % of ITS frames match (as HMA decides when QUERY is looked up\n"
          "in a bank holding TARGET). When a video is rotated, both the decoded and the\n"
          "displayed frames are tried. Prints one JSON object.\n"
          "\n"
          "  --either          match when either side reaches 80 % (HMA's compare_hash)\n"
          "  --vpdq-interval S for video inputs: seconds between frames (default 1; 0 = all)\n"
          "  --vpdq-downscale N  for video inputs: scale frames to NxN first\n"
          "  --video-budget S  for video inputs: stop decoding after S seconds (default 600)\n"
          "  -h, --help        this text\n"
          "\n"
          "Exit status: 0 match, 1 no match, 2 usage error, 3 an input could not be used.\n",
          f);
}

static void side_free(struct side *s)
{
    vpdq_list_free(&s->v[0]);
    vpdq_list_free(&s->v[1]);
}

static int take_list(struct vpdq_list *dst, struct vpdq_list *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
    return 0;
}

/* ---- saved lists ---- */

static int parse_json_array(const json_t *a, struct vpdq_list *out, const char *path, const char *key)
{
    if (!json_is_array(a)) {
        cli_error("%s: \"%s\" is not a list", path, key);
        return -1;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(a, i, e) {
        struct vpdq_feature f;
        const char *s = json_string_value(e);
        if (!s || vpdq_parse(s, strlen(s), (int64_t)i, &f) != 0) {
            cli_error("%s: entry %zu of \"%s\" is not \"pdqhex,quality,timestamp\"", path, i + 1, key);
            return -1;
        }
        if (vpdq_list_push(out, &f) != 0) {
            cli_error("out of memory");
            return -1;
        }
    }
    return 0;
}

/* JSON Lines from 'hifazat hash': exactly one object with a "vpdq" list. */
static int parse_json_lines(const char *text, size_t len, struct side *s)
{
    int found = 0;
    size_t line_no = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        size_t a = at;
        while (a < end && isspace((unsigned char)text[a]))
            a++;
        if (a < end) {
            json_error_t jerr;
            json_t *o = json_loadb(text + a, end - a, 0, &jerr);
            if (!json_is_object(o)) {
                cli_error("%s: line %zu is not JSON: %s", s->path, line_no, jerr.text);
                json_decref(o);
                return -1;
            }
            const json_t *v = json_object_get(o, "vpdq");
            if (v) {
                if (++found > 1) {
                    cli_error("%s holds the hashes of several videos; save one video per file",
                              s->path);
                    json_decref(o);
                    return -1;
                }
                const json_t *d = json_object_get(o, "vpdq_displayed");
                if (parse_json_array(v, &s->v[0], s->path, "vpdq") != 0 ||
                    (d && parse_json_array(d, &s->v[1], s->path, "vpdq_displayed") != 0)) {
                    json_decref(o);
                    return -1;
                }
            }
            json_decref(o);
        }
        at = end + 1;
    }
    if (!found) {
        cli_error("%s has no \"vpdq\" hashes (was it a video?)", s->path);
        return -1;
    }
    return 0;
}

static int parse_text_lines(const char *text, size_t len, struct side *s)
{
    size_t line_no = 0;
    int64_t index = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        line_no++;
        size_t a = at;
        while (a < end && isspace((unsigned char)text[a]))
            a++;
        if (a < end && text[a] != '#') {
            struct vpdq_feature f;
            if (vpdq_parse(text + a, end - a, index++, &f) != 0) {
                cli_error("%s: line %zu is not \"pdqhex,quality,timestamp\" nor "
                          "\"frame,quality,pdqhex,timestamp\"",
                          s->path, line_no);
                return -1;
            }
            if (vpdq_list_push(&s->v[0], &f) != 0) {
                cli_error("out of memory");
                return -1;
            }
        }
        at = end + 1;
    }
    return 0;
}

static int load_list(int fd, uint64_t size, struct side *s)
{
    if (size > MAX_LIST_BYTES) {
        cli_error("%s: not a video, and too large for a hash list", s->path);
        return -1;
    }
    char *text = malloc((size_t)size + 1);
    if (!text) {
        cli_error("out of memory");
        return -1;
    }
    ssize_t r = durable_pread_all(fd, text, (size_t)size, 0);
    if (r < 0 || (size_t)r < (size_t)size) {
        cli_error("%s: read failed: %s", s->path, r < 0 ? strerror(errno) : "file shrank");
        free(text);
        return -1;
    }
    size_t got = (size_t)r;
    text[got] = 0;
    size_t a = 0;
    while (a < got && isspace((unsigned char)text[a]))
        a++;
    int rc;
    if (a < got && text[a] == '[') {
        json_error_t jerr;
        json_t *arr = json_loadb(text + a, got - a, 0, &jerr);
        if (!arr) {
            cli_error("%s: not valid JSON: %s (line %d)", s->path, jerr.text, jerr.line);
            rc = -1;
        } else {
            rc = parse_json_array(arr, &s->v[0], s->path, "list");
        }
        json_decref(arr);
    } else if (a < got && text[a] == '{') {
        rc = parse_json_lines(text + a, got - a, s);
    } else {
        rc = parse_text_lines(text + a, got - a, s);
    }
    free(text);
    if (rc == 0 && s->v[0].n == 0) {
        cli_error("%s: the hash list is empty", s->path);
        rc = -1;
    }
    return rc;
}

/* ---- one side: a video or a list ---- */

static int load_side(struct side *s, const struct vpdq_options *vo)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        cli_error("%s: %s", s->path, strerror(errno));
        return -1;
    }
    int rc = -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cli_error("%s: not a regular file", s->path);
        goto out;
    }
    if (st.st_size == 0) {
        cli_error("%s: the file is empty", s->path);
        goto out;
    }
    uint8_t head[SNIFF_BYTES];
    ssize_t n = pread(fd, head, sizeof(head), 0);
    if (n <= 0) {
        cli_error("%s: read failed", s->path);
        goto out;
    }
    const char *format;
    enum hash_kind kind = hash_sniff(head, (size_t)n, &format);
    if (kind == HASH_KIND_IMAGE) {
        cli_error("%s is an image (%s); compare works on videos", s->path, format);
        goto out;
    }
    if (kind != HASH_KIND_VIDEO) {
        rc = load_list(fd, (uint64_t)st.st_size, s);
        goto out;
    }
    s->video = true;
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    if (vpdq_hash_fd(fd, vo, &res, &err) != 0) {
        if (!res) {
            cli_error("%s: %s (%s)", s->path, vpdq_err_message(err.code), err.detail);
            goto out;
        }
        /* damaged or too long: what was hashed is still worth comparing */
        cli_error("note: %s: %s (%s); comparing the %zu frames hashed", s->path,
                  vpdq_err_message(err.code), err.detail, res->frames.n);
    }
    take_list(&s->v[0], &res->frames);
    take_list(&s->v[1], &res->displayed);
    vpdq_result_free(res);
    rc = 0;
out:
    close(fd);
    return rc;
}

static double score(const struct vpdq_match *m, bool either)
{
    return either ? fmax(m->query_percent, m->target_percent) : m->query_percent;
}

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"either", no_argument, NULL, 'e'},
        {"vpdq-interval", required_argument, NULL, 'I'},
        {"vpdq-downscale", required_argument, NULL, 'S'},
        {"video-budget", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    struct vpdq_options vo;
    vpdq_options_default(&vo);
    bool either = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': either = true; break;
        case 'I':
            if (cli_parse_seconds(optarg, &vo.interval) != 0) {
                cli_error("--vpdq-interval needs seconds (0 = every frame), not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'S':
            if (cli_parse_downscale(optarg, &vo.downscale) != 0) {
                cli_error("--vpdq-downscale needs a size from %d to 4096, not '%s'", PDQ_MIN_DIM, optarg);
                return CLI_USAGE;
            }
            break;
        case 'B':
            if (cli_parse_seconds(optarg, &vo.max_seconds) != 0) {
                cli_error("--video-budget needs seconds (0 = no limit), not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("compare: give exactly two inputs, QUERY and TARGET");
        usage(stderr);
        return CLI_USAGE;
    }
    struct side q = {.path = argv[optind]}, t = {.path = argv[optind + 1]};
    int rc = CLI_INPUT_ERROR;
    if (load_side(&q, &vo) != 0 || load_side(&t, &vo) != 0)
        goto out;

    /* Every pairing of decoded/displayed frames; keep the best for the query. */
    static const char *const variant[2] = {"decoded", "displayed"};
    struct vpdq_match best;
    memset(&best, 0, sizeof(best));
    int bq = -1, bt = -1;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            if (!q.v[i].n || !t.v[j].n)
                continue;
            struct vpdq_match m;
            if (vpdq_compare(q.v[i].v, q.v[i].n, t.v[j].v, t.v[j].n, &m) != 0) {
                cli_error("out of memory");
                goto out;
            }
            if (either)
                m.match = m.query_percent >= VPDQ_MATCH_PERCENT || m.target_percent >= VPDQ_MATCH_PERCENT;
            if (bq < 0 || (m.match && !best.match) ||
                (m.match == best.match && score(&m, either) > score(&best, either))) {
                best = m;
                bq = i;
                bt = j;
            }
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, "query", json_string(q.path));
    json_object_set_new(o, "target", json_string(t.path));
    json_object_set_new(o, "match", json_boolean(best.match));
    json_object_set_new(o, "rule", json_string(either ? "either side >= 80 %" : "query >= 80 %"));
    json_object_set_new(o, "query_percent", json_real(round3(best.query_percent)));
    json_object_set_new(o, "target_percent", json_real(round3(best.target_percent)));
    json_object_set_new(o, "query_frames", json_integer((json_int_t)best.query_frames));
    json_object_set_new(o, "query_matched", json_integer((json_int_t)best.query_matched));
    json_object_set_new(o, "target_frames", json_integer((json_int_t)best.target_frames));
    json_object_set_new(o, "target_matched", json_integer((json_int_t)best.target_matched));
    if (q.v[1].n || t.v[1].n) {
        json_object_set_new(o, "query_variant", json_string(variant[bq < 0 ? 0 : bq]));
        json_object_set_new(o, "target_variant", json_string(variant[bt < 0 ? 0 : bt]));
    }
    if (!best.query_frames || !best.target_frames)
        json_object_set_new(o, "note", json_string(!best.query_frames
                                                       ? "the query has no frame with quality >= 50"
                                                       : "the target has no frame with quality >= 50"));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(12));
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(o);
    rc = best.match ? CLI_OK : CLI_NO_MATCH;
out:
    side_free(&q);
    side_free(&t);
    return rc;
}
