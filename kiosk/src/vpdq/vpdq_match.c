/* vPDQ lists, text forms and Meta's matching rule. */
#include "vpdq.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vpdq_list_push(struct vpdq_list *l, const struct vpdq_feature *f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct vpdq_feature *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *f;
    return 0;
}

void vpdq_list_free(struct vpdq_list *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

size_t vpdq_low_quality_count(const struct vpdq_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].quality < VPDQ_MATCH_QUALITY;
    return n;
}

char *vpdq_format(const struct vpdq_feature *f, char out[VPDQ_FORMAT_LEN])
{
    char hex[PDQ_HEX_LEN + 1];
    pdq_hex(&f->hash, hex);
    snprintf(out, VPDQ_FORMAT_LEN, "%s,%d,%.3f", hex, f->quality, f->timestamp);
    return out;
}

/* ---- parsing ---- */

static int split_fields(const char *s, size_t len, char fields[4][80], int *count)
{
    int n = 0;
    size_t i = 0;
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    while (i <= len) {
        if (n == 4)
            return -1;
        size_t start = i;
        while (i < len && s[i] != ',')
            i++;
        size_t a = start, b = i;
        while (a < b && isspace((unsigned char)s[a]))
            a++;
        while (b > a && isspace((unsigned char)s[b - 1]))
            b--;
        if (b - a == 0 || b - a >= 80)
            return -1;
        memcpy(fields[n], s + a, b - a);
        fields[n][b - a] = 0;
        n++;
        i++; /* past the comma (or the end) */
    }
    *count = n;
    return 0;
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_time(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

int vpdq_parse(const char *s, size_t len, int64_t index, struct vpdq_feature *out)
{
    memset(out, 0, sizeof(*out));
    char f[4][80];
    int n;
    long long q, frame = index;
    if (split_fields(s, len, f, &n) != 0)
        return -1;
    int hex_at = n == 3 ? 0 : n == 4 ? 2 : -1;
    if (hex_at < 0)
        return -1;
    const int q_at = 1, t_at = n - 1;
    if (n == 4 && parse_int(f[0], 0, INT64_MAX, &frame) != 0)
        goto bad;
    if (strlen(f[hex_at]) != PDQ_HEX_LEN || pdq_parse(f[hex_at], &out->hash) != 0)
        goto bad;
    if (parse_int(f[q_at], 0, 100, &q) != 0 || parse_time(f[t_at], &out->timestamp) != 0)
        goto bad;
    out->quality = (int)q;
    out->frame = frame;
    return 0;
bad:
    memset(out, 0, sizeof(*out));
    return -1;
}

/* ---- matching ---- */

struct key {
    uint64_t w[4];
};

static struct key key_of(const struct pdq_hash *h)
{
    struct key k;
    for (int i = 0; i < 4; i++)
        k.w[i] = (uint64_t)h->w[4 * i] | (uint64_t)h->w[4 * i + 1] << 16 |
                 (uint64_t)h->w[4 * i + 2] << 32 | (uint64_t)h->w[4 * i + 3] << 48;
    return k;
}

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct key));
}

/* Unique hashes of frames with quality >= VPDQ_MATCH_QUALITY (HMA filters
 * by quality, then dedupes by hex). *out is malloc'd (NULL when n == 0). */
static int unique_keys(const struct vpdq_feature *f, size_t n, struct key **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct key *k = malloc((n ? n : 1) * sizeof(*k));
    if (!k)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].quality >= VPDQ_MATCH_QUALITY)
            k[m++] = key_of(&f[i].hash);
    if (m)
        qsort(k, m, sizeof(*k), key_cmp);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || key_cmp(&k[u - 1], &k[i]) != 0)
            k[u++] = k[i];
    *out = k;
    *count = u;
    return 0;
}

static int distance(const struct key *a, const struct key *b)
{
    return __builtin_popcountll(a->w[0] ^ b->w[0]) + __builtin_popcountll(a->w[1] ^ b->w[1]) +
           __builtin_popcountll(a->w[2] ^ b->w[2]) + __builtin_popcountll(a->w[3] ^ b->w[3]);
}

/* How many of a[] have some b[] within VPDQ_MATCH_DISTANCE. */
static size_t count_matched(const struct key *a, size_t na, const struct key *b, size_t nb)
{
    size_t matched = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (distance(&a[i], &b[j]) <= VPDQ_MATCH_DISTANCE) {
                matched++;
                break;
            }
    return matched;
}

int vpdq_compare(const struct vpdq_feature *query, size_t nquery,
                 const struct vpdq_feature *target, size_t ntarget, struct vpdq_match *m)
{
    memset(m, 0, sizeof(*m));
    struct key *q = NULL, *t = NULL;
    int rc = -1;
    if (unique_keys(query, nquery, &q, &m->query_frames) != 0 ||
        unique_keys(target, ntarget, &t, &m->target_frames) != 0)
        goto out;
    if (m->query_frames && m->target_frames) {
        m->query_matched = count_matched(q, m->query_frames, t, m->target_frames);
        m->target_matched = count_matched(t, m->target_frames, q, m->query_frames);
        m->query_percent = 100.0 * (double)m->query_matched / (double)m->query_frames;
        m->target_percent = 100.0 * (double)m->target_matched / (double)m->target_frames;
    }
    m->match = m->query_frames > 0 && m->query_percent >= VPDQ_MATCH_PERCENT;
    rc = 0;
out:
    free(q);
    free(t);
    return rc;
}

/* ---- names ---- */

static const struct {
    const char *code, *message;
} errors[VPDQ_ERR_COUNT] = {
    [VPDQ_OK] = {"ok", "ok"},
    [VPDQ_ERR_NOMEM] = {"out_of_memory", "out of memory"},
    [VPDQ_ERR_READ] = {"read_error", "the file could not be read (was the device removed?)"},
    [VPDQ_ERR_CORRUPT] = {"corrupt_video", "the video is damaged or incomplete"},
    [VPDQ_ERR_NO_VIDEO] = {"no_video_stream", "this file has no pictures (sound only?)"},
    [VPDQ_ERR_UNSUPPORTED] = {"unsupported_video", "this kind of video cannot be decoded here"},
    [VPDQ_ERR_TOO_LARGE] = {"video_too_large", "the video's picture size is too large to decode safely"},
    [VPDQ_ERR_NO_FRAMES] = {"no_video_frames", "not a single picture in this video could be decoded"},
    [VPDQ_ERR_BUDGET] = {"video_too_long", "the video is too long to fingerprint completely; its beginning was fingerprinted"},
    [VPDQ_ERR_CANCELLED] = {"cancelled", "fingerprinting was stopped"},
};

const char *vpdq_err_code(enum vpdq_err e)
{
    return (unsigned)e < VPDQ_ERR_COUNT ? errors[e].code : "unknown_error";
}

const char *vpdq_err_message(enum vpdq_err e)
{
    return (unsigned)e < VPDQ_ERR_COUNT ? errors[e].message : "unknown error";
}
