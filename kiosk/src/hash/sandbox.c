/* The decoding sandbox, parent side (the wire format and why: sandbox.h).
 *
 * A fresh child per file: the child exits after its file, so the decoded
 * pixels and the file's bytes die with it, and a child an exploit got into
 * is gone before the next file. Children are forked by a server,
 * hifazat-decode, which this process starts once by exec (never a fork of
 * this process: the kiosk's key must not be copied) and which has the
 * libraries loaded: a child costs a fork, not an exec and the loading of
 * libheif's codecs and FFmpeg (measured: ~18 ms an exec, a fork ~1-2 ms;
 * scripts/bench.sh sandbox). The decoder is found at $HIFAZAT_DECODER,
 * else beside the running binary (the build tree), else in
 * ../libexec/hifazat/ from it (an install), else at the compiled-in path.
 * A child that dies (crash, seccomp, rlimit), stops answering, or says
 * something malformed is this file's corrupt_image / corrupt_video; the
 * next file gets a fresh child (and a fresh server if the server died).
 * There is no fallback to decoding in this process. */
#include "hash.h"
#include "hash_internal.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef HIFAZAT_DECODER_PATH
#define HIFAZAT_DECODER_PATH "/usr/libexec/hifazat/hifazat-decode"
#endif

bool hash_in_process;

/* Without a message for this long, a child is taken as hung. */
enum { IDLE_MS = 120 * 1000, POLL_MS = 100 };

extern char **environ;

static int opt_cancelled(void *ctx)
{
    const struct hash_options *o = ctx;
    return o->cancelled && o->cancelled(o->progress_ctx);
}

static int decoder_path(char *out, size_t n)
{
    const char *env = getenv("HIFAZAT_DECODER");
    if (env && env[0]) {
        snprintf(out, n, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (len > 0) {
        self[len] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            if (snprintf(out, n, "%s/hifazat-decode", self) < (int)n && access(out, X_OK) == 0)
                return 0;
            if (snprintf(out, n, "%s/../libexec/hifazat/hifazat-decode", self) < (int)n &&
                access(out, X_OK) == 0)
                return 0;
        }
    }
    snprintf(out, n, "%s", HIFAZAT_DECODER_PATH);
    return 0;
}

/* The child's environment: nothing of ours but the test switch and the
 * sanitizers' options. */
static void child_env(char **env, size_t cap)
{
    static const char *const keep[] = {"HIFAZAT_DECODER_TEST=", "ASAN_OPTIONS=", "UBSAN_OPTIONS=",
                                       "LSAN_OPTIONS="};
    size_t k = 0;
    for (char **e = environ; e && *e && k + 1 < cap; e++)
        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
            if (!strncmp(*e, keep[i], strlen(keep[i])))
                env[k++] = *e;
    env[k] = NULL;
}

static int64_t now_ms(void);

/* The servers: two per process, started when the first file needs them,
 * shared by every thread (the kiosk hashes and makes thumbnails on
 * several). One for pictures, one for videos with FFmpeg loaded: FFmpeg's
 * ~130 shared objects would make every picture's fork() copy their
 * mappings (measured: a few milliseconds each). */
struct server {
    pid_t pid;
    int fd;
    pid_t owner;                 /* a fork() of ours starts its own server */
    unsigned gen;                /* which server a child's pid belongs to */
};
static pthread_mutex_t srv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct server srv[2] = {{-1, -1, 0, 0}, {-1, -1, 0, 0}};

/* Kills a child of the current server: its children are reaped only when
 * we ask, so while that server lives the pid cannot be anybody else's. */
static void child_kill(const struct sbx_child *c)
{
    pthread_mutex_lock(&srv_lock);
    const struct server *s = &srv[c->video];
    if (s->fd >= 0 && s->gen == c->gen && s->owner == getpid())
        kill(c->pid, SIGKILL);
    pthread_mutex_unlock(&srv_lock);
}

static void srv_stop(struct server *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    s->pid = -1;
}

static int srv_spawn(struct server *s, bool video, char *why, size_t n)
{
    char path[PATH_MAX];
    decoder_path(path, sizeof(path));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(why, n, "socketpair: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* stdout is the CLI's JSON: the decoder may not write into it */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], SBX_FD);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *env[8];
    child_env(env, 8);
    char *argv[] = {(char *)"hifazat-decode", video ? (char *)"--video" : NULL, NULL};
    const int e = posix_spawn(&s->pid, path, &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(sv[1]);
    if (e != 0) {
        s->pid = -1;
        close(sv[0]);
        snprintf(why, n, "cannot start the decoder %.100s: %s", path, strerror(e));
        return -1;
    }
    s->fd = sv[0];
    s->owner = getpid();
    s->gen++;
    return 0;
}

/* One request and its answer (srv_lock held); fd >= 0 is passed along. */
static int srv_call(struct server *s, const struct sbx_srv_req *rq, int fd, struct sbx_srv_resp *resp)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof(cbuf));
    struct iovec iov = {.iov_base = (void *)rq, .iov_len = sizeof(*rq)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    ssize_t r;
    do
        r = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r != (ssize_t)sizeof(*rq))
        return -1;
    uint8_t *p = (uint8_t *)resp;
    for (size_t got = 0; got < sizeof(*resp);) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        const int pr = poll(&pfd, 1, 10 * 1000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1; /* the server does nothing slow: it is broken */
        r = recv(s->fd, p + got, sizeof(*resp) - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

int sbx_start(struct sbx_child *c)
{
    c->pid = -1;
    c->fd = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(c->why, sizeof(c->why), "socketpair: %s", strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&srv_lock);
    struct server *s = &srv[c->video];
    if (s->fd >= 0 && s->owner != getpid()) {
        close(s->fd); /* our copy only: the server is our parent's */
        s->fd = -1;
        s->pid = -1;
    }
    int rc = -1;
    for (int attempt = 0; attempt < 2 && rc != 0; attempt++) {
        if (s->fd < 0 && srv_spawn(s, c->video, c->why, sizeof(c->why)) != 0)
            break;
        const struct sbx_srv_req rq = {.op = SBX_SRV_SPAWN};
        struct sbx_srv_resp resp;
        if (srv_call(s, &rq, sv[1], &resp) == 0 && resp.pid > 0) {
            c->pid = resp.pid;
            c->gen = s->gen;
            rc = 0;
        } else {
            /* A server that died or cannot fork: a fresh one, once. */
            srv_stop(s);
            snprintf(c->why, sizeof(c->why), "the decoder could not be started");
        }
    }
    pthread_mutex_unlock(&srv_lock);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        return -1;
    }
    c->why[0] = 0;
    c->fd = sv[0];
    return 0;
}

/* waitpid() of a child, through its server: 1 reaped (*st), 0 not yet, -1
 * the server is gone (and so is the child: it dies with the server). */
static int child_wait(const struct sbx_child *c, pid_t pid, bool nohang, int *st)
{
    const struct sbx_srv_req rq = {.op = SBX_SRV_WAIT, .pid = pid, .nohang = nohang};
    struct sbx_srv_resp resp;
    pthread_mutex_lock(&srv_lock);
    struct server *s = &srv[c->video];
    int rc = -1;
    if (s->fd >= 0 && srv_call(s, &rq, -1, &resp) == 0 && resp.pid == pid) {
        rc = resp.ret == pid ? 1 : resp.ret == 0 ? 0 : -1;
        *st = resp.status;
    } else {
        srv_stop(s);
    }
    pthread_mutex_unlock(&srv_lock);
    return rc;
}

/* Reaps the child. A child that closed its end is given a moment to die on
 * its own, so that the detail can name what killed it; one still there
 * (hung, malformed, cancelled, or done) is killed. It is not reaped before
 * that, so its pid cannot be anybody else's when it is killed. */
void sbx_end(struct sbx_child *c, bool kill_now)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    if (c->pid <= 0)
        return;
    int st = 0, w = 0;
    bool killed = false;
    if (kill_now) {
        child_kill(c);
        killed = true;
    } else {
        for (const int64_t until = now_ms() + 2000; (w = child_wait(c, c->pid, true, &st)) == 0 && now_ms() < until;)
            nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
        if (w == 0) {
            child_kill(c);
            killed = true;
        }
    }
    if (w == 0)
        w = child_wait(c, c->pid, false, &st);
    c->pid = -1;
    if (killed || c->why[0] || w <= 0)
        return;
    if (WIFSIGNALED(st)) {
        const int sig = WTERMSIG(st);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(c->why, sizeof(c->why), "the decoder died of SIG%s%s", abbrev ? abbrev : "?",
                 sig == SIGSYS ? " (a forbidden system call)" :
                 sig == SIGXCPU ? " (its CPU time limit)" : "");
    } else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
        snprintf(c->why, sizeof(c->why), "the decoder exited with status %d", WEXITSTATUS(st));
    }
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* 0; -1 with why set (the child is gone or hung), -2 cancelled. */
int sbx_io(struct sbx_child *c, void *buf, size_t n, bool out)
{
    uint8_t *p = buf;
    int64_t idle_since = now_ms();
    while (n) {
        struct pollfd pfd = {.fd = c->fd, .events = out ? POLLOUT : POLLIN};
        const int pr = poll(&pfd, 1, POLL_MS);
        if (pr < 0 && errno != EINTR) {
            snprintf(c->why, sizeof(c->why), "poll: %s", strerror(errno));
            return -1;
        }
        if (c->cancelled && c->cancelled(c->cctx))
            return -2;
        if (pr <= 0) {
            if (now_ms() - idle_since > IDLE_MS) {
                snprintf(c->why, sizeof(c->why), "the decoder stopped answering");
                return -1;
            }
            continue;
        }
        const ssize_t r = out ? send(c->fd, p, n, MSG_NOSIGNAL) : recv(c->fd, p, n, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return -1; /* EOF / EPIPE: child_end() says how it died */
        p += r;
        n -= (size_t)r;
        idle_since = now_ms();
    }
    return 0;
}

int sbx_send(struct sbx_child *c, uint32_t type, const void *a, size_t alen, const void *b,
                      size_t blen)
{
    const struct sbx_hdr h = {.type = type, .len = alen + blen};
    int rc = sbx_io(c, (void *)&h, sizeof(h), true);
    if (rc == 0 && alen)
        rc = sbx_io(c, (void *)a, alen, true);
    if (rc == 0 && blen)
        rc = sbx_io(c, (void *)b, blen, true);
    return rc;
}

static void job_init(struct sbx_job *job, const struct hash_options *opt, uint32_t kind, uint64_t size)
{
    memset(job, 0, sizeof(*job));
    job->kind = kind;
    job->size = size;
    job->limits = opt->limits;
    job->full = opt->full;
    job->displayed = opt->displayed;
}

int sbx_serve(struct sbx_child *c, ssize_t (*read_at)(void *ctx, void *buf, size_t n, uint64_t off),
              void *rctx, int (*progress)(void *ctx, double done, double total), void *pctx,
              struct sbx_hdr *h)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    int io;
    while ((io = sbx_io(c, h, sizeof(*h), false)) == 0) {
        if (h->type == SBX_READ && h->len == sizeof(struct sbx_read)) {
            struct sbx_read rq;
            if ((io = sbx_io(c, &rq, sizeof(rq), false)) != 0)
                break;
            const size_t n = rq.n > SBX_MAX_READ ? SBX_MAX_READ : (size_t)rq.n;
            if (n > cap) {
                hash_secure_free(buf, cap);
                cap = 0;
                if (!(buf = malloc(n))) {
                    snprintf(c->why, sizeof(c->why), "out of memory for a read");
                    io = -1;
                    break;
                }
                cap = n;
            }
            errno = 0;
            const ssize_t r = read_at(rctx, buf, n, rq.off);
            if (r < 0 || (size_t)r > n) {
                const int32_t e = r < 0 && errno > 0 ? errno : EIO;
                io = sbx_send(c, SBX_READ_ERR, &e, sizeof(e), NULL, 0);
            } else {
                io = sbx_send(c, SBX_DATA, buf, (size_t)r, NULL, 0);
            }
        } else if (h->type == SBX_PROGRESS && h->len == 2 * sizeof(double)) {
            double v[2];
            if ((io = sbx_io(c, v, sizeof(v), false)) != 0)
                break;
            if (progress && progress(pctx, v[0], v[1]) != 0)
                io = -2;
        } else {
            break; /* the caller's */
        }
        if (io != 0)
            break;
    }
    hash_secure_free(buf, cap); /* bytes of the file */
    return io;
}

/* ---- images ---- */

static int image_fail(struct hash_result *res, enum hash_err e, const char *detail)
{
    res->err = e;
    const size_t n = strnlen(detail, sizeof(res->detail) - 1);
    memcpy(res->detail, detail, n);
    res->detail[n] = 0;
    return -1;
}

static bool pdq_ok(const struct sbx_pdq *p)
{
    return (p->present == 0 || p->present == 1) && p->quality >= 0 && p->quality <= 100;
}

/* The child's answer, checked: a hostile child gets no more than a wrong
 * hash of its own file into the result. */
static int image_take(const struct sbx_image_result *w, struct hash_result *res)
{
    if (w->err < 0 || w->err >= HASH_ERR_COUNT)
        return -1;
    for (int i = 0; i < HASH_PDQ_N; i++)
        if (!pdq_ok(&w->pdq[i]))
            return -1;
    if (w->err == HASH_OK && (w->width <= 0 || w->height <= 0 || w->orientation < 1 || w->orientation > 8))
        return -1;
    res->width = w->width;
    res->height = w->height;
    res->orientation = w->err == HASH_OK ? w->orientation : 1;
    for (int i = 0; i < HASH_PDQ_N; i++) {
        res->pdq[i].present = w->pdq[i].present;
        res->pdq[i].quality = w->pdq[i].quality;
        memcpy(res->pdq[i].hash.w, w->pdq[i].hash, sizeof(res->pdq[i].hash.w));
    }
    memcpy(res->dct.c, w->dct, sizeof(res->dct.c));
    res->dct.quality = w->dct_quality;
    res->dct.degenerate = w->dct_degenerate != 0;
    if (w->err != HASH_OK) {
        char d[sizeof(w->detail) + 1];
        memcpy(d, w->detail, sizeof(w->detail));
        d[sizeof(w->detail)] = 0;
        return image_fail(res, (enum hash_err)w->err, d);
    }
    return 0;
}

int hash_sandbox_image(const struct hash_options *opt, const uint8_t *data, size_t len,
                       struct hash_result *res)
{
    struct sbx_child c = {.cancelled = opt_cancelled, .cctx = (void *)opt};
    struct sbx_job job;
    struct sbx_image_result w;
    struct sbx_hdr h;
    int rc = -1, io;
    job_init(&job, opt, SBX_IMAGE, len);
    if (sbx_start(&c) != 0)
        return image_fail(res, HASH_ERR_UNSUPPORTED, c.why);
    if ((io = sbx_send(&c, SBX_JOB, &job, sizeof(job), NULL, 0)) != 0 ||
        (io = sbx_send(&c, SBX_DATA, data, len, NULL, 0)) != 0 ||
        (io = sbx_io(&c, &h, sizeof(h), false)) != 0)
        goto out;
    if (h.type != SBX_IMAGE_RESULT || h.len != sizeof(w)) {
        snprintf(c.why, sizeof(c.why), "the decoder sent a malformed answer");
        io = -1;
        goto out;
    }
    if ((io = sbx_io(&c, &w, sizeof(w), false)) != 0)
        goto out;
    if (image_take(&w, res) == 0)
        rc = 0;
    else if (res->err == HASH_OK) {
        snprintf(c.why, sizeof(c.why), "the decoder sent an impossible result");
        io = -1;
    }
out:
    sbx_end(&c, io == -2 || (io != 0 && c.why[0]));
    if (io == -2)
        return image_fail(res, HASH_ERR_CANCELLED, hash_err_message(HASH_ERR_CANCELLED));
    if (io != 0) {
        char d[200];
        snprintf(d, sizeof(d), "%s", c.why[0] ? c.why : "the decoder stopped");
        return image_fail(res, HASH_ERR_CORRUPT, d);
    }
    return rc;
}

/* ---- videos ---- */

/* FFmpeg's codec names are static strings in the child; here the known
 * ones map to ours (the codec whitelist), anything else to "other". */
static const char *codec_name(const char *s)
{
    const char *k = vpdq_codec_known(s);
    return k ? k : "other";
}

static int take_list(struct vpdq_list *l, const struct sbx_feature *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i].quality < 0 || w[i].quality > 100 || w[i].frame < 0)
            return -1;
        struct vpdq_feature f;
        memcpy(f.hash.w, w[i].hash, sizeof(f.hash.w));
        f.quality = w[i].quality;
        f.frame = w[i].frame;
        f.timestamp = w[i].timestamp;
        if (vpdq_list_push(l, &f) != 0)
            return -1;
    }
    return 0;
}

static int video_take(struct sbx_child *c, const struct sbx_video_result *w, size_t extra,
                      struct vpdq_result **out, struct vpdq_error *err)
{
    if (w->code < 0 || w->code >= VPDQ_ERR_COUNT || w->nframes > SBX_MAX_FRAMES ||
        w->ndisplayed > SBX_MAX_FRAMES ||
        extra != (w->nframes + w->ndisplayed) * sizeof(struct sbx_feature) ||
        (w->rc != 0 && w->rc != -1) || (w->rc == 0) != (w->code == VPDQ_OK)) {
        snprintf(c->why, sizeof(c->why), "the decoder sent an impossible result");
        return -2;
    }
    struct sbx_feature *fw = NULL;
    if (extra) {
        fw = malloc(extra);
        if (!fw) {
            snprintf(c->why, sizeof(c->why), "out of memory for the video's frames");
            return -2;
        }
        if (sbx_io(c, fw, extra, false) != 0) {
            free(fw);
            return -2;
        }
    }
    int rc = w->rc;
    if (w->have_res) {
        struct vpdq_result *r = calloc(1, sizeof(*r));
        if (!r || take_list(&r->frames, fw, w->nframes) != 0 ||
            take_list(&r->displayed, fw + w->nframes, w->ndisplayed) != 0) {
            vpdq_result_free(r);
            free(fw);
            snprintf(c->why, sizeof(c->why), "the decoder sent impossible frames");
            return -2;
        }
        char codec[sizeof(w->codec) + 1];
        memcpy(codec, w->codec, sizeof(w->codec));
        codec[sizeof(w->codec)] = 0;
        r->codec = codec_name(codec);
        r->width = w->width;
        r->height = w->height;
        r->rotation = w->rotation == 90 || w->rotation == 180 || w->rotation == 270 ? w->rotation : 0;
        r->flipped = w->flipped != 0;
        r->fps = w->fps;
        r->duration = w->duration;
        r->hashed_seconds = w->hashed_seconds;
        r->frames_decoded = w->frames_decoded;
        r->decode_errors = w->decode_errors;
        r->complete = w->complete != 0;
        r->skipped = w->skipped != 0;
        *out = r;
    }
    free(fw);
    err->code = (enum vpdq_err)w->code;
    err->sys_errno = w->sys_errno;
    memcpy(err->detail, w->detail, sizeof(err->detail));
    err->detail[sizeof(err->detail) - 1] = 0;
    return rc;
}

static int video_fail(struct vpdq_error *err, enum vpdq_err code, const char *detail)
{
    err->code = code;
    err->sys_errno = 0;
    snprintf(err->detail, sizeof(err->detail), "%s", detail);
    return -1;
}

int hash_sandbox_video(const struct hash_options *opt, const struct vpdq_reader *rd,
                       const struct vpdq_options *o, struct vpdq_result **out, struct vpdq_error *err)
{
    *out = NULL;
    memset(err, 0, sizeof(*err));
    struct sbx_child c = {.cancelled = opt_cancelled, .cctx = (void *)opt, .video = true};
    struct sbx_job job;
    job_init(&job, opt, SBX_VIDEO, rd->size);
    job.displayed = o->displayed;
    job.interval = o->interval;
    job.downscale = o->downscale;
    job.max_seconds = o->max_seconds;
    job.max_frames = o->max_frames;
    job.max_pixels = o->max_pixels;
    job.skip_unsampled = o->skip_unsampled;
    job.progress = o->progress != NULL;
    long threads = o->threads;
    if (threads <= 0)
        threads = sysconf(_SC_NPROCESSORS_ONLN); /* the child cannot read /sys */
    job.threads = threads > 0 ? (uint32_t)threads : 1;

    if (sbx_start(&c) != 0)
        return video_fail(err, VPDQ_ERR_UNSUPPORTED, c.why);
    int rc = -1, io = sbx_send(&c, SBX_JOB, &job, sizeof(job), NULL, 0);
    struct sbx_hdr h;
    if (io == 0)
        io = sbx_serve(&c, rd->read_at, rd->ctx, o->progress, o->progress_ctx, &h);
    if (io == 0) {
        struct sbx_video_result w;
        if (h.type != SBX_VIDEO_RESULT || h.len < sizeof(w)) {
            snprintf(c.why, sizeof(c.why), "the decoder sent a malformed message");
            io = -1;
        } else if ((io = sbx_io(&c, &w, sizeof(w), false)) == 0) {
            rc = video_take(&c, &w, (size_t)(h.len - sizeof(w)), out, err);
            if (rc == -2)
                io = -1;
        }
    }
    sbx_end(&c, io == -2 || (io != 0 && c.why[0]));
    if (io == -2) {
        vpdq_result_free(*out);
        *out = NULL;
        return video_fail(err, VPDQ_ERR_CANCELLED, "cancelled");
    }
    if (io != 0) {
        vpdq_result_free(*out);
        *out = NULL;
        return video_fail(err, VPDQ_ERR_CORRUPT, c.why[0] ? c.why : "the decoder stopped");
    }
    return rc;
}
