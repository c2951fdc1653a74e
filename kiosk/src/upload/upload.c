#include "upload.h"
#include "version.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct upload {
    char *url, *ca_file, *pin, *username, *password, *bearer;
    struct upload_config cfg; /* numbers and callbacks; strings point at the copies above */
    CURL *curl;
    double deadline;
    char errbuf[CURL_ERROR_SIZE];
    uint32_t rng;
};

/* What one exchange with the server concluded. */
enum outcome { OUT_DONE, OUT_THERE, OUT_TRANSIENT, OUT_PERMANENT, OUT_LOCAL };

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void upload_destroy(struct upload *u)
{
    if (!u)
        return;
    if (u->curl)
        curl_easy_cleanup(u->curl);
    free(u->url);
    free(u->ca_file);
    free(u->pin);
    wipe_free(u->username);
    wipe_free(u->password);
    wipe_free(u->bearer);
    free(u);
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

struct upload *upload_create(const struct upload_config *cfg, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", "");
    if (!cfg->url || strncasecmp(cfg->url, "https://", 8) != 0 || !cfg->url[8]) {
        snprintf(err, errlen, "the upload URL must start with https:// (got %s)",
                 cfg->url && *cfg->url ? cfg->url : "nothing");
        return NULL;
    }
    if (cfg->ca_file && *cfg->ca_file) {
        struct stat st;
        if (stat(cfg->ca_file, &st) != 0 || !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "CA file %s cannot be read: %s", cfg->ca_file,
                     errno ? strerror(errno) : "not a file");
            return NULL;
        }
    }
    if (cfg->pin && *cfg->pin && strncmp(cfg->pin, "sha256//", 8) != 0) {
        snprintf(err, errlen, "the pin must look like sha256//BASE64 (the server key's SHA-256)");
        return NULL;
    }
    if ((cfg->username && *cfg->username) != (cfg->password && *cfg->password)) {
        snprintf(err, errlen, "upload username and password go together");
        return NULL;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        snprintf(err, errlen, "libcurl could not start: %s", curl_easy_strerror(curl_init_rc));
        return NULL;
    }
    struct upload *u = calloc(1, sizeof(*u));
    if (!u) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    u->cfg = *cfg;
    u->url = strdup(cfg->url);
    u->ca_file = dup_or_null(cfg->ca_file);
    u->pin = dup_or_null(cfg->pin);
    u->username = dup_or_null(cfg->username);
    u->password = dup_or_null(cfg->password);
    u->bearer = dup_or_null(cfg->bearer_token);
    u->curl = curl_easy_init();
    if (!u->url || !u->curl) {
        snprintf(err, errlen, "out of memory");
        upload_destroy(u);
        return NULL;
    }
    size_t n = strlen(u->url);
    while (n > 8 && u->url[n - 1] == '/')
        u->url[--n] = '\0';
    if (u->cfg.budget_seconds <= 0)
        u->cfg.budget_seconds = 1200;
    if (u->cfg.retry_base <= 0)
        u->cfg.retry_base = 2;
    if (u->cfg.retry_max <= 0)
        u->cfg.retry_max = 300;
    if (u->cfg.connect_timeout <= 0)
        u->cfg.connect_timeout = 60;
    if (u->cfg.low_speed_limit <= 0)
        u->cfg.low_speed_limit = 64;
    if (u->cfg.low_speed_time <= 0)
        u->cfg.low_speed_time = 90;
    u->deadline = now() + u->cfg.budget_seconds;
    u->rng = (uint32_t)(now() * 1e6) ^ (uint32_t)getpid();
    return u;
}

/* ---- one request ---- */

struct reply {
    long code;
    curl_off_t length;   /* Content-Length of a HEAD, -1 unknown */
    char digest[64];     /* base64 SHA-256 the server reports, "" if none */
};

/* Server digests: "Repr-Digest: sha-256=:B64:" (RFC 9530) or the older
 * "Digest: SHA-256=B64" (RFC 3230). */
static size_t on_header(char *buf, size_t size, size_t n, void *vrep)
{
    struct reply *rep = vrep;
    const size_t len = size * n;
    char line[512];
    size_t k = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
    memcpy(line, buf, k);
    line[k] = '\0';
    char *colon = strchr(line, ':');
    if (!colon)
        return len;
    *colon = '\0';
    const char *v = colon + 1;
    if (strcasecmp(line, "repr-digest") && strcasecmp(line, "digest"))
        return len;
    const char *at = strcasestr(v, "sha-256=");
    if (!at)
        return len;
    at += 8;
    if (*at == ':')
        at++;
    size_t i = 0;
    while (at[i] && (isalnum((unsigned char)at[i]) || at[i] == '+' || at[i] == '/' || at[i] == '=') &&
           i < sizeof(rep->digest) - 1) {
        rep->digest[i] = at[i];
        i++;
    }
    rep->digest[i] = '\0';
    return len;
}

struct progress_ctx {
    struct upload *u;
    const char *name;
};

static int on_progress(void *vctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    struct progress_ctx *pc = vctx;
    if (pc->u->cfg.progress && ultotal > 0)
        pc->u->cfg.progress(pc->u->cfg.progress_ctx, pc->name, (uint64_t)ulnow, (uint64_t)ultotal);
    return 0;
}

static void setup(struct upload *u, const char *url, struct reply *rep)
{
    CURL *c = u->curl;
    curl_easy_reset(c);
    memset(rep, 0, sizeof(*rep));
    rep->length = -1;
    u->errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    /* whatever the system's OpenSSL settings allow: never below TLS 1.2 */
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (u->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, u->ca_file);
    if (u->pin)
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, u->pin);
    if (u->username) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, u->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, u->password);
    } else if (u->bearer) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, u->bearer);
    }
    /* 2G: a stalled transfer is caught by the low-speed limit, not by a
     * short total timeout; the total is only the remaining budget. */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, u->cfg.connect_timeout);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, u->cfg.low_speed_limit);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, u->cfg.low_speed_time);
    double left = u->deadline - now();
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left > 1 ? left * 1000 : 1000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, u->errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "hifazat/" HIFAZAT_VERSION);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, rep);
}

static bool curl_error_permanent(CURLcode rc)
{
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_FILESIZE_EXCEEDED:
        return true;
    default:
        return false;
    }
}

static enum outcome curl_failed(struct upload *u, CURLcode rc, struct upload_result *res,
                                const char *what)
{
    const bool tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
                     rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
                     rc == CURLE_SSL_ISSUER_ERROR;
    snprintf(res->message, sizeof(res->message), "%s%s: %.180s", tls ? "the server's identity was refused: " : "",
             what, u->errbuf[0] ? u->errbuf : curl_easy_strerror(rc));
    res->http_code = 0;
    if (tls)
        res->http_code = -1; /* marks a TLS refusal for upload_result_stops_run */
    return curl_error_permanent(rc) ? OUT_PERMANENT : OUT_TRANSIENT;
}

static enum outcome http_failed(long code, struct upload_result *res, const char *what)
{
    res->http_code = code;
    if (code == 401 || code == 403) {
        snprintf(res->message, sizeof(res->message),
                 "%s: the server refused access (HTTP %ld): check the upload credentials", what, code);
        return OUT_PERMANENT;
    }
    if (code == 507) {
        snprintf(res->message, sizeof(res->message),
                 "%s: the server is out of storage (HTTP 507): try again later", what);
        return OUT_PERMANENT;
    }
    if (code == 413) {
        snprintf(res->message, sizeof(res->message),
                 "%s: the server refuses files this large (HTTP 413): export smaller archives", what);
        return OUT_PERMANENT;
    }
    if (code >= 500 || code == 408 || code == 429) {
        snprintf(res->message, sizeof(res->message), "%s: server error (HTTP %ld)", what, code);
        return OUT_TRANSIENT;
    }
    snprintf(res->message, sizeof(res->message), "%s: unexpected answer (HTTP %ld)", what, code);
    return OUT_PERMANENT;
}

struct local {
    const char *path, *name;
    char url[2048];
    uint64_t size;
    char sha_b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
};

enum presence { ABSENT, SAME, DIFFERENT };

struct body_check {
    struct sha256_ctx sha;
    uint64_t n, max;
};

static size_t on_body(char *buf, size_t size, size_t n, void *vb)
{
    struct body_check *b = vb;
    const size_t len = size * n;
    b->n += len;
    if (b->n > b->max)
        return 0; /* longer than ours: not the same file, stop reading */
    sha256_update(&b->sha, len, (const uint8_t *)buf);
    return len;
}

/* GET: the bytes the server gives back are exactly ours (size and SHA-256).
 * A HEAD's size alone is what a proxy or a lazy server may say about a file
 * it does not have. */
static enum outcome same_bytes(struct upload *u, const struct local *l, enum presence *p,
                               struct upload_result *res)
{
    struct reply rep;
    struct body_check b = {.max = l->size};
    sha256_init(&b.sha);
    setup(u, l->url, &rep);
    curl_easy_setopt(u->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(u->curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(u->curl);
    curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &rep.code);
    if (rc == CURLE_WRITE_ERROR && b.n > b.max) {
        *p = DIFFERENT;
        return OUT_DONE;
    }
    if (rc != CURLE_OK)
        return curl_failed(u, rc, res, "checking the server");
    res->http_code = rep.code;
    if (rep.code == 404 || rep.code == 410) {
        *p = ABSENT; /* HEAD said it was there: a server that does not agree with itself */
        return OUT_DONE;
    }
    if (rep.code != 200)
        return http_failed(rep.code, res, "checking the server");
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&b.sha, sizeof(d), d);
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
    base64_encode_raw(b64, sizeof(d), d);
    b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)] = '\0';
    *p = b.n == l->size && !strcmp(b64, l->sha_b64) ? SAME : DIFFERENT;
    return OUT_DONE;
}

/* HEAD: is the archive there, whole? */
static enum outcome head(struct upload *u, const struct local *l, enum presence *p,
                         struct upload_result *res)
{
    struct reply rep;
    setup(u, l->url, &rep);
    curl_easy_setopt(u->curl, CURLOPT_NOBODY, 1L);
    CURLcode rc = curl_easy_perform(u->curl);
    if (rc != CURLE_OK)
        return curl_failed(u, rc, res, "checking the server");
    curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &rep.code);
    res->http_code = rep.code;
    if (rep.code == 404 || rep.code == 410) {
        *p = ABSENT;
        return OUT_DONE;
    }
    if (rep.code != 200)
        return http_failed(rep.code, res, "checking the server");
    curl_easy_getinfo(u->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &rep.length);
    const bool size_ok = rep.length >= 0 && (uint64_t)rep.length == l->size;
    if (size_ok && !rep.digest[0]) /* no digest from the server: read it back */
        return same_bytes(u, l, p, res);
    *p = size_ok && !strcmp(rep.digest, l->sha_b64) ? SAME : DIFFERENT;
    return OUT_DONE;
}

static enum outcome put(struct upload *u, const struct local *l, struct upload_result *res)
{
    FILE *f = fopen(l->path, "rb");
    if (!f) {
        snprintf(res->message, sizeof(res->message), "cannot read %s: %s", l->name, strerror(errno));
        return OUT_LOCAL;
    }
    struct reply rep;
    setup(u, l->url, &rep);
    char digest_hdr[128];
    snprintf(digest_hdr, sizeof(digest_hdr), "Content-Digest: sha-256=:%s:", l->sha_b64);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "If-None-Match: *");
    h = curl_slist_append(h, "Content-Type: application/x-tar");
    h = curl_slist_append(h, digest_hdr);
    struct progress_ctx pc = {u, l->name};
    curl_easy_setopt(u->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(u->curl, CURLOPT_READDATA, f);
    curl_easy_setopt(u->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)l->size);
    curl_easy_setopt(u->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(u->curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(u->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(u->curl, CURLOPT_XFERINFODATA, &pc);
    CURLcode rc = curl_easy_perform(u->curl);
    curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &rep.code);
    curl_slist_free_all(h);
    const bool read_failed = ferror(f);
    fclose(f);
    if (read_failed) {
        snprintf(res->message, sizeof(res->message), "reading %s failed", l->name);
        return OUT_LOCAL;
    }
    if (rc != CURLE_OK)
        return curl_failed(u, rc, res, "sending");
    res->http_code = rep.code;
    if (rep.code == 412)
        return OUT_THERE; /* something is there already: HEAD decides */
    if (rep.code >= 200 && rep.code < 300)
        return OUT_DONE;
    return http_failed(rep.code, res, "sending");
}

/* HEAD, PUT if needed, HEAD again: one attempt. */
static enum outcome attempt(struct upload *u, const struct local *l, struct upload_result *res,
                            bool *sent)
{
    enum presence p;
    enum outcome o = head(u, l, &p, res);
    if (o != OUT_DONE)
        return o;
    if (p == SAME)
        return OUT_THERE;
    if (p == DIFFERENT) {
        /* Never PUT over it: a server that ignores If-None-Match would
         * replace a file someone else may still need. */
        snprintf(res->message, sizeof(res->message),
                 "a different file named %s is on the server; it was not replaced", l->name);
        return OUT_PERMANENT;
    }
    o = put(u, l, res);
    if (o != OUT_DONE && o != OUT_THERE)
        return o;
    const bool conflict_possible = o == OUT_THERE;
    const long put_code = res->http_code;
    o = head(u, l, &p, res);
    if (o != OUT_DONE)
        return o;
    if (p == SAME) {
        *sent = !conflict_possible;
        return OUT_DONE;
    }
    if (conflict_possible) {
        snprintf(res->message, sizeof(res->message),
                 "a different file named %s is on the server; it was not replaced", l->name);
        return OUT_PERMANENT;
    }
    if (p == DIFFERENT) {
        /* a 2xx, and then not our bytes: it would say the same again */
        snprintf(res->message, sizeof(res->message),
                 "the server answered HTTP %ld to %s but gives back different bytes; not counted as "
                 "delivered", put_code, l->name);
        return OUT_PERMANENT;
    }
    snprintf(res->message, sizeof(res->message), "the server accepted %s but does not show it", l->name);
    return OUT_TRANSIENT;
}

static int local_info(struct local *l, struct upload_result *res)
{
    FILE *f = fopen(l->path, "rb");
    if (!f) {
        snprintf(res->message, sizeof(res->message), "cannot read %s: %s", l->name, strerror(errno));
        return -1;
    }
    struct sha256_ctx sha;
    sha256_init(&sha);
    uint8_t buf[1 << 16];
    size_t n;
    l->size = 0;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        sha256_update(&sha, n, buf);
        l->size += n;
    }
    const bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(res->message, sizeof(res->message), "reading %s failed", l->name);
        return -1;
    }
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&sha, sizeof(d), d);
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE) + 1];
    base64_encode_raw(b64, sizeof(d), d);
    b64[BASE64_ENCODE_RAW_LENGTH(SHA256_DIGEST_SIZE)] = '\0';
    memcpy(l->sha_b64, b64, sizeof(b64));
    return 0;
}

static bool name_ok(const char *name)
{
    if (!name || !*name || name[0] == '.' || strlen(name) > 200)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    return true;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int upload_send(struct upload *u, const char *path, const char *name, struct upload_result *res)
{
    memset(res, 0, sizeof(*res));
    res->status = UPLOAD_LOCAL_ERROR;
    if (!name_ok(name)) {
        snprintf(res->message, sizeof(res->message), "refusing an unsafe archive name");
        return -1;
    }
    struct local l = {.path = path, .name = name};
    snprintf(l.url, sizeof(l.url), "%s/%s", u->url, name);
    if (local_info(&l, res) != 0)
        return -1;

    double delay = u->cfg.retry_base;
    for (;;) {
        res->attempts++;
        bool sent = false;
        enum outcome o = attempt(u, &l, res, &sent);
        switch (o) {
        case OUT_DONE:
        case OUT_THERE:
            res->status = (o == OUT_DONE && sent) ? UPLOAD_SENT : UPLOAD_ALREADY_THERE;
            snprintf(res->message, sizeof(res->message), "%s",
                     res->status == UPLOAD_SENT ? "sent and confirmed" : "already on the server");
            return 0;
        case OUT_LOCAL:
            res->status = UPLOAD_LOCAL_ERROR;
            return -1;
        case OUT_PERMANENT:
            res->status = UPLOAD_REFUSED;
            return -1;
        case OUT_TRANSIENT:
            break;
        }
        /* Back off: exponential, with jitter in [delay/2, delay], within the budget. */
        u->rng = u->rng * 1664525u + 1013904223u;
        const double wait = delay * (0.5 + 0.5 * (u->rng >> 8) / 16777216.0);
        if (now() + wait >= u->deadline) {
            res->status = UPLOAD_RETRY_LATER;
            size_t len = strlen(res->message);
            snprintf(res->message + len, sizeof(res->message) - len, " (left for later after %d tries)",
                     res->attempts);
            return -1;
        }
        sleep_seconds(wait);
        delay = fmin(delay * 2, u->cfg.retry_max);
    }
}

bool upload_result_stops_run(const struct upload_result *res)
{
    return res->status == UPLOAD_REFUSED &&
           (res->http_code == -1 || res->http_code == 401 || res->http_code == 403 ||
            res->http_code == 507);
}

/* ---- fetching a file back (the helpline's status archive) ---- */

struct fetch_buf {
    uint8_t *data;
    size_t len, cap, max;
    bool too_large;
};

static size_t on_fetch(char *buf, size_t size, size_t n, void *vb)
{
    struct fetch_buf *b = vb;
    const size_t len = size * n;
    if (len > b->max - b->len) {
        b->too_large = true; /* larger than allowed: stop */
        return 0;
    }
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d)
            return 0;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    return len;
}

int upload_fetch(struct upload *u, const char *name, size_t max, uint8_t **data, size_t *len,
                 struct upload_result *res)
{
    memset(res, 0, sizeof(*res));
    *data = NULL;
    *len = 0;
    res->status = UPLOAD_LOCAL_ERROR;
    if (!name_ok(name)) {
        snprintf(res->message, sizeof(res->message), "refusing an unsafe file name");
        return -1;
    }
    char url[2048];
    snprintf(url, sizeof(url), "%s/%s", u->url, name);
    struct reply rep;
    struct fetch_buf b = {.max = max};
    setup(u, url, &rep);
    curl_easy_setopt(u->curl, CURLOPT_WRITEFUNCTION, on_fetch);
    curl_easy_setopt(u->curl, CURLOPT_WRITEDATA, &b);
    res->attempts = 1;
    CURLcode rc = curl_easy_perform(u->curl);
    curl_easy_getinfo(u->curl, CURLINFO_RESPONSE_CODE, &rep.code);
    res->http_code = rep.code;
    enum outcome o = OUT_DONE;
    if (rc == CURLE_WRITE_ERROR && b.too_large) {
        snprintf(res->message, sizeof(res->message), "%s is larger than %zu bytes", name, max);
        o = OUT_PERMANENT;
    } else if (rc != CURLE_OK) {
        o = curl_failed(u, rc, res, "fetching");
    } else if (rep.code == 404 || rep.code == 410) {
        free(b.data);
        res->status = UPLOAD_SENT; /* the request itself went fine */
        snprintf(res->message, sizeof(res->message), "not on the server (yet)");
        return 1;
    } else if (rep.code != 200) {
        o = http_failed(rep.code, res, "fetching");
    }
    if (o != OUT_DONE) {
        free(b.data);
        res->status = o == OUT_TRANSIENT ? UPLOAD_RETRY_LATER : UPLOAD_REFUSED;
        return -1;
    }
    res->status = UPLOAD_SENT;
    snprintf(res->message, sizeof(res->message), "fetched");
    *data = b.data;
    *len = b.len;
    return 0;
}
