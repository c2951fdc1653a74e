/* hifazat-decode — the decoding sandbox (see sandbox.h): a server that
 * forks one child per file; the child decodes the file's image or video
 * and PDQ/vPDQ-hashes it (or makes its thumbnail) in a process that holds
 * no key, cannot open files or sockets, cannot exec, and dies with its
 * pixels.
 *
 * Order matters: libraries are loaded (FFmpeg's by dlopen, which opens
 * files) and every fd but 0-3 is closed before the seccomp filter goes on;
 * the filter goes on before the first byte of the file is read. */
#include "hash.h"
#include "hash_internal.h"
#include "sandbox.h"

#include "avdl.h"
#include "media_internal.h"
#include "durable.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <time.h>
#include <malloc.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* All n bytes or -1: the parent hung up or sent less than it said. */
static int io_full(int fd, void *buf, size_t n, bool out)
{
    if (out)
        return durable_write_all(fd, buf, n);
    const ssize_t r = durable_read_all(fd, buf, n);
    return r >= 0 && (size_t)r == n ? 0 : -1;
}

static int send_msg(uint32_t type, const void *a, size_t alen, const void *b, size_t blen)
{
    const struct sbx_hdr h = {.type = type, .len = alen + blen};
    if (io_full(SBX_FD, (void *)&h, sizeof(h), true) != 0 || io_full(SBX_FD, (void *)a, alen, true) != 0)
        return -1;
    return blen ? io_full(SBX_FD, (void *)b, blen, true) : 0;
}

static int recv_hdr(struct sbx_hdr *h)
{
    return io_full(SBX_FD, h, sizeof(*h), false);
}

/* ---- limits and the filter ---- */

/* A limit that cannot be set (a service's own system call filter may refuse
 * setrlimit) is fatal: a child never decodes without its limits. */
static void set_limit(int res, rlim_t v)
{
    const struct rlimit l = {v, v};
    if (setrlimit(res, &l) != 0)
        _exit(2);
}

static void limits(const struct sbx_job *job)
{
    set_limit(RLIMIT_CORE, 0);           /* no core file of a person's picture */
    set_limit(RLIMIT_NOFILE, SBX_FD + 1);
    /* No RLIMIT_NPROC: it counts threads too (and the kiosk's user already
     * has processes); the filter allows clone() of threads only. No
     * RLIMIT_FSIZE: stderr may be a file (a library's warning would be
     * SIGXFSZ); nothing else can be opened. */
    /* CPU: a picture decodes in seconds; a video gets its own budget. */
    rlim_t cpu = 120;
    if (job->kind == SBX_POSTER)
        cpu = 60;
    if (job->kind == SBX_VIDEO)
        cpu = job->max_seconds > 0 ? (rlim_t)(job->max_seconds * job->threads) + 120 : 4 * 3600;
    set_limit(RLIMIT_CPU, cpu);
#ifndef HIFAZAT_SANITIZE
    /* Memory: private writable mappings (RLIMIT_DATA, not RLIMIT_AS: thread
     * stacks and malloc's arena reservations are address space, not memory).
     * The largest legitimate picture (image limits: 100 MP) needs its pixels
     * twice plus the file; a video a few frames per thread. The sanitizers'
     * shadow memory is terabytes of such mappings: no limit under them. */
    uint64_t mem = job->kind == SBX_VIDEO || job->kind == SBX_POSTER ? 3ull << 30 : (1ull << 30) + 2 * job->size;
    set_limit(RLIMIT_DATA, (rlim_t)mem);
#endif
}

#define ALLOW(name) rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(name), 0)
#define ALLOW1(name, cmp) rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(name), 1, cmp)

/* Only what decoding needs: read/write on the inherited fds, memory without
 * PROT_EXEC, threads (FFmpeg's frame threads, the PDQ row worker: clone with
 * CLONE_THREAD only, so no new process), time, signals to itself, exit.
 * Everything else, open/openat, socket, connect, execve, ptrace, kills the
 * process. */
static int filter_load(void)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!f)
        return -1;
    int rc = 0;
    ALLOW(read);
    ALLOW(write);
    ALLOW(readv);
    ALLOW(writev);
    ALLOW(close);
    ALLOW(fstat);
    ALLOW(newfstatat);
    ALLOW(lseek);
    ALLOW1(mmap, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW1(mprotect, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    ALLOW(munmap);
    ALLOW(mremap);
    ALLOW(brk);
    ALLOW(madvise);
    ALLOW(futex);
    ALLOW(set_robust_list);
    ALLOW(rseq);
    ALLOW1(clone, SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    /* clone3 passes its flags in memory, out of the filter's sight: glibc
     * falls back to clone when it is ENOSYS. */
    rc |= seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    ALLOW1(prctl, SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME, 0));  /* FFmpeg names its threads */
    ALLOW(sched_getaffinity);
    ALLOW(sched_yield);
    ALLOW(getrandom);
    ALLOW(sysinfo);                 /* glibc qsort sizes its buffer by it */
    ALLOW(clock_gettime);
    ALLOW(clock_nanosleep);
    ALLOW(nanosleep);
    ALLOW(gettimeofday);
    ALLOW(getpid);
    ALLOW(gettid);
    ALLOW(rt_sigprocmask);
    ALLOW(rt_sigreturn);
    ALLOW1(tgkill, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0)); /* abort() */
    ALLOW(exit);
    ALLOW(exit_group);
#ifdef HIFAZAT_SANITIZE
    /* Build-time allowance for ASan/UBSan's runtime (never in a release
     * build): its allocator and reports use these. */
    ALLOW(sigaltstack);
    ALLOW(rt_sigaction);
    ALLOW(prlimit64);
    ALLOW(getrlimit);
    ALLOW(readlink);
    ALLOW(mincore);
    ALLOW(sched_getparam);
    ALLOW(getrusage);
#endif
    if (rc == 0)
        rc = seccomp_load(f);
    seccomp_release(f);
    return rc == 0 ? 0 : -1;
}

/* What the libraries would otherwise open after the filter is on, done
 * before it (a file open then is fatal): the time zone (FFmpeg formats
 * creation times with localtime_r()) and glibc's character set converters,
 * which MPEG-TS service names go through (iconv_open() dlopen()s them; kept
 * open so that they stay loaded). */
static void preload(uint32_t kind)
{
    tzset();
    if (kind != SBX_VIDEO)
        return;
    static const char *const sets[] = {
        "ISO6937", "ISO-8859-1", "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
        "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10", "ISO-8859-11",
        "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "UCS-2BE", "KSC_5601", "GB2312", "BIG-5",
        "UTF-16BE",
    };
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        (void)iconv_open("UTF-8", sets[i]);
}

/* ---- test-only triggers ----
 * Exist only with HIFAZAT_DECODER_TEST=1 in the environment (the tests set
 * it; the kiosk's service does not): a file whose last bytes are
 * "HIFAZAT-DECODER-TEST:<what>" makes the decoder misbehave on purpose, to
 * prove that the parent survives it. */
static const char *test_trigger(const uint8_t *data, size_t len)
{
    static const char tag[] = "HIFAZAT-DECODER-TEST:";
    const char *t = getenv("HIFAZAT_DECODER_TEST");
    if (!t || strcmp(t, "1") != 0)
        return NULL;
    const size_t from = len > 64 ? len - 64 : 0;
    for (size_t i = from; i + sizeof(tag) - 1 <= len; i++)
        if (memcmp(data + i, tag, sizeof(tag) - 1) == 0)
            return (const char *)data + i + sizeof(tag) - 1;
    return NULL;
}

/* 0: no trigger. Otherwise the trigger's effect was survived (the test
 * then sees an answer that says so). */
static int run_trigger(const char *what, struct hash_result *res)
{
    if (!strncmp(what, "crash", 5)) {
        raise(SIGSEGV);
    } else if (!strncmp(what, "open", 4)) {
        const long fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
        snprintf(res->detail, sizeof(res->detail), "open() was allowed (%ld)", fd);
        return 1;
    } else if (!strncmp(what, "socket", 6)) {
        const int s = socket(AF_INET, SOCK_STREAM, 0);
        snprintf(res->detail, sizeof(res->detail), "socket() was allowed (%d)", s);
        return 1;
    } else if (!strncmp(what, "exec", 4)) {
        char *const argv[] = {(char *)"true", NULL};
        execve("/bin/true", argv, argv + 1);
        snprintf(res->detail, sizeof(res->detail), "execve() was allowed");
        return 1;
    } else if (!strncmp(what, "alloc", 5)) {
        /* What a decoder does with a picture that claims 8 GB of pixels. */
        const size_t big = (size_t)8 << 30;
        uint8_t *p = malloc(big);
        if (!p) {
            res->err = HASH_ERR_NOMEM;
            snprintf(res->detail, sizeof(res->detail), "out of memory (the decoder's limit)");
            return 1;
        }
        p[0] = 1;
        p[big - 1] = 1;
        free(p);
        snprintf(res->detail, sizeof(res->detail), "8 GiB allocated: no memory limit");
        return 1;
    } else if (!strncmp(what, "hang", 4)) {
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    return 0;
}

/* ---- jobs ---- */

static void to_wire_pdq(const struct hash_pdq *p, struct sbx_pdq *w)
{
    memcpy(w->hash, p->hash.w, sizeof(w->hash));
    w->present = p->present;
    w->quality = p->quality;
}

static int image_job(struct hash_ctx *ctx, const struct sbx_job *job)
{
    struct sbx_hdr h;
    if (recv_hdr(&h) != 0 || h.type != SBX_DATA || h.len != job->size)
        return -1;
    uint8_t *data = malloc(job->size ? job->size : 1);
    if (!data)
        return -1; /* the parent reports a dead decoder */
    if (io_full(SBX_FD, data, job->size, false) != 0)
        return -1;
    struct hash_result res;
    memset(&res, 0, sizeof(res));
    res.orientation = 1;
    const char *trig = test_trigger(data, job->size);
    if (!trig || !run_trigger(trig, &res))
        hash_image_inprocess(ctx, data, job->size, &res);
    struct sbx_image_result w;
    memset(&w, 0, sizeof(w));
    w.err = (int32_t)res.err;
    w.width = res.width;
    w.height = res.height;
    w.orientation = res.orientation;
    for (int i = 0; i < HASH_PDQ_N; i++)
        to_wire_pdq(&res.pdq[i], &w.pdq[i]);
    memcpy(w.dct, res.dct.c, sizeof(w.dct));
    w.dct_quality = res.dct.quality;
    w.dct_degenerate = res.dct.degenerate;
    memcpy(w.detail, res.detail, sizeof(w.detail));
    return send_msg(SBX_IMAGE_RESULT, &w, sizeof(w), NULL, 0);
}

static ssize_t remote_read_at(void *vctx, void *buf, size_t n, uint64_t off)
{
    if (n > SBX_MAX_READ)
        n = SBX_MAX_READ;
    const struct sbx_read rq = {.off = off, .n = n};
    struct sbx_hdr h;
    if (send_msg(SBX_READ, &rq, sizeof(rq), NULL, 0) != 0 || recv_hdr(&h) != 0)
        _exit(3);
    if (h.type == SBX_READ_ERR && h.len == sizeof(int32_t)) {
        int32_t e;
        if (io_full(SBX_FD, &e, sizeof(e), false) != 0)
            _exit(3);
        errno = e > 0 ? e : EIO;
        return -1;
    }
    if (h.type != SBX_DATA || h.len > n || io_full(SBX_FD, buf, (size_t)h.len, false) != 0)
        _exit(3);
    return (ssize_t)h.len;
}

static int remote_progress(void *vctx, double done, double total)
{
    const double v[2] = {done, total};
    if (send_msg(SBX_PROGRESS, v, sizeof(v), NULL, 0) != 0)
        _exit(3);
    return 0; /* the parent kills us to cancel */
}

static void to_wire_list(const struct vpdq_list *l, struct sbx_feature *w)
{
    for (size_t i = 0; i < l->n; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        memcpy(w[i].hash, l->v[i].hash.w, sizeof(w[i].hash));
        w[i].quality = l->v[i].quality;
        w[i].frame = l->v[i].frame;
        w[i].timestamp = l->v[i].timestamp;
    }
}

static int video_job(const struct sbx_job *job)
{
    struct vpdq_options o;
    vpdq_options_default(&o);
    o.interval = job->interval;
    o.downscale = job->downscale;
    o.displayed = job->displayed;
    o.threads = (int)job->threads;
    o.max_seconds = job->max_seconds;
    o.max_frames = job->max_frames;
    o.max_pixels = job->max_pixels;
    o.skip_unsampled = job->skip_unsampled;
    if (job->progress)
        o.progress = remote_progress;
    const struct vpdq_reader rd = {.size = job->size, .read_at = remote_read_at};
    struct vpdq_result *res = NULL;
    struct vpdq_error err;
    memset(&err, 0, sizeof(err));
    struct sbx_video_result w;
    memset(&w, 0, sizeof(w));
    w.rc = vpdq_hash_reader(&rd, &o, &res, &err);
    w.code = (int32_t)err.code;
    w.sys_errno = err.sys_errno;
    memcpy(w.detail, err.detail, sizeof(w.detail));
    struct sbx_feature *fw = NULL;
    size_t nf = 0;
    if (res) {
        w.have_res = 1;
        snprintf(w.codec, sizeof(w.codec), "%s", res->codec ? res->codec : "unknown");
        w.width = res->width;
        w.height = res->height;
        w.rotation = res->rotation;
        w.flipped = res->flipped;
        w.fps = res->fps;
        w.duration = res->duration;
        w.hashed_seconds = res->hashed_seconds;
        w.frames_decoded = res->frames_decoded;
        w.decode_errors = res->decode_errors;
        w.complete = res->complete;
        w.skipped = res->skipped;
        w.nframes = res->frames.n;
        w.ndisplayed = res->displayed.n;
        nf = res->frames.n + res->displayed.n;
        fw = calloc(nf ? nf : 1, sizeof(*fw));
        if (!fw)
            return -1;
        to_wire_list(&res->frames, fw);
        to_wire_list(&res->displayed, fw + res->frames.n);
    }
    return send_msg(SBX_VIDEO_RESULT, &w, sizeof(w), fw, nf * sizeof(*fw));
}

/* ---- thumbnails ---- */

static int send_thumb(struct sbx_thumb_result *w, const uint8_t *px)
{
    const size_t n = px ? (size_t)w->w * (size_t)w->h * 4 : 0;
    return send_msg(SBX_THUMB_RESULT, w, sizeof(*w), px, n);
}

static int thumb_image_job(const struct sbx_job *job)
{
    struct sbx_hdr h;
    if (recv_hdr(&h) != 0 || h.type != SBX_DATA || h.len != job->size)
        return -1;
    uint8_t *data = malloc(job->size ? job->size : 1);
    if (!data || io_full(SBX_FD, data, job->size, false) != 0)
        return -1;
    struct hash_result tr;
    memset(&tr, 0, sizeof(tr));
    const char *trig = test_trigger(data, job->size);
    if (trig)
        run_trigger(trig, &tr);
    const struct image_scale sc = {.max_w = job->box_w, .max_h = job->box_h};
    struct image_rgba img;
    struct image_error ierr;
    memset(&ierr, 0, sizeof(ierr));
    const int rc = job->kind == SBX_THUMB_PREVIEW
                   ? image_decode_preview(data, job->size, &job->limits, &sc, &img, &ierr)
                   : image_decode_scaled(data, job->size, &job->limits, &sc, &img, &ierr);
    struct sbx_thumb_result w;
    memset(&w, 0, sizeof(w));
    w.rc = rc == 0 ? 0 : -1;
    w.err = rc == 0 ? IMAGE_OK : (int32_t)ierr.code;
    w.duration_ms = -1;
    snprintf(w.detail, sizeof(w.detail), "%.150s", ierr.detail);
    if (rc == 0) {
        w.format = (int32_t)img.format;
        w.w = img.width;
        w.h = img.height;
        w.full_w = img.full_width;
        w.full_h = img.full_height;
    }
    return send_thumb(&w, rc == 0 ? img.pixels : NULL);
}

static ssize_t poster_read_at(void *vctx, void *buf, size_t n, uint64_t off)
{
    return remote_read_at(vctx, buf, n, off);
}

static int poster_job(const struct sbx_job *job)
{
    const struct media_reader rd = {.size = job->size, .read_at = poster_read_at};
    struct poster p;
    enum media_err err = MEDIA_OK;
    const int rc = media_video_poster(&rd, job->box_w, NULL, NULL, &p, &err);
    struct sbx_thumb_result w;
    memset(&w, 0, sizeof(w));
    w.rc = rc == 0 ? 0 : -1;
    w.err = (int32_t)err;
    w.duration_ms = p.duration_ms;
    w.full_w = p.full_w;
    w.full_h = p.full_h;
    if (p.rgba) {
        w.w = p.w;
        w.h = p.h;
    }
    return send_thumb(&w, p.rgba);
}

static bool g_video_server;

/* One job in a fresh child of the server, on the socket SBX_FD. */
static void run_child(void)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sbx_hdr h;
    struct sbx_job job;
    if (recv_hdr(&h) != 0 || h.type != SBX_JOB || h.len != sizeof(job) ||
        io_full(SBX_FD, &job, sizeof(job), false) != 0)
        _exit(2);
    struct hash_options opt;
    hash_options_default(&opt);
    opt.limits = job.limits;
    opt.full = job.full;
    opt.displayed = job.displayed;
    struct hash_ctx *ctx = hash_ctx_create(&opt);  /* reads the CPU count: before the filter */
    if (!ctx)
        _exit(2);
    if (job.threads == 0)
        job.threads = 1;
    /* A video in the pictures' server would dlopen() FFmpeg after the filter. */
    if ((job.kind == SBX_VIDEO || job.kind == SBX_POSTER) != g_video_server)
        _exit(2);
    limits(&job);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || filter_load() != 0)
        _exit(2); /* never decode without the filter */
    int rc;
    switch (job.kind) {
    case SBX_IMAGE: rc = image_job(ctx, &job); break;
    case SBX_VIDEO: rc = video_job(&job); break;
    case SBX_THUMB_SCALED:
    case SBX_THUMB_PREVIEW: rc = thumb_image_job(&job); break;
    case SBX_POSTER: rc = poster_job(&job); break;
    default: rc = -1; break;
    }
    /* _exit: the pixels go with the process; no atexit work (LSan's leak
     * check would need ptrace) after the result is sent. */
    _exit(rc == 0 ? 0 : 2);
}

static int srv_reply(const struct sbx_srv_resp *r)
{
    return io_full(SBX_FD, (void *)r, sizeof(*r), true);
}

/* The server (the "zygote"): started once by exec, so it holds nothing of
 * its parent's (no key); loads the libraries once; never reads a byte of
 * any file. For each job it forks a child that gets the job's socket as
 * SBX_FD, limits and filters itself, decodes, answers and exits. Children
 * are reaped only when the parent asks (SBX_SRV_WAIT), so the parent may
 * kill one by pid without it being reused meanwhile. */
static int serve(void)
{
    for (;;) {
        struct sbx_srv_req rq;
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = &rq, .iov_len = sizeof(rq)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof(cbuf)};
        ssize_t r;
        do
            r = recvmsg(SBX_FD, &mh, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r == 0)
            return 0; /* the parent went away */
        if (r != (ssize_t)sizeof(rq))
            return 2;
        int jobfd = -1;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                memcpy(&jobfd, CMSG_DATA(cm), sizeof(int));
        struct sbx_srv_resp resp = {.pid = -1};
        if (rq.op == SBX_SRV_SPAWN && jobfd >= 0) {
            const pid_t pid = fork();
            if (pid == 0) {
                if (dup2(jobfd, SBX_FD) != SBX_FD)
                    _exit(2);
                syscall(SYS_close_range, SBX_FD + 1, ~0U, 0);
                run_child();
            }
            resp.pid = pid;
            resp.err = pid < 0 ? errno : 0;
        } else if (rq.op == SBX_SRV_WAIT && rq.pid > 0) {
            int st = 0;
            pid_t w;
            do
                w = waitpid(rq.pid, &st, rq.nohang ? WNOHANG : 0);
            while (w < 0 && errno == EINTR);
            resp.pid = rq.pid;
            resp.ret = w;
            resp.status = st;
            resp.err = w < 0 ? errno : 0;
        }
        if (jobfd >= 0)
            close(jobfd);
        if (srv_reply(&resp) != 0)
            return 2;
    }
}

int main(int argc, char **argv)
{
    /* Nothing but stdin/stdout (/dev/null), stderr and the socket. */
    syscall(SYS_close_range, SBX_FD + 1, ~0U, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_DUMPABLE, 0);
    hash_in_process = true;
    /* One malloc arena: glibc's per-thread arenas read
     * /proc/sys/vm/overcommit_memory when they shrink, an open() the
     * filter forbids. */
    mallopt(M_ARENA_MAX, 1);
    /* Loaded once here, before any child: the time zone; for the videos'
     * server (--video) FFmpeg (a dlopen; failing, vpdq says "unsupported
     * video" as in process) and iconv. The pictures' server leaves FFmpeg
     * out: its children are forked faster without its mappings. */
    const bool video = argc > 1 && !strcmp(argv[1], "--video");
    if (video) {
        char detail[200];
        (void)avdl_load(detail, sizeof(detail));
    }
    preload(video ? SBX_VIDEO : SBX_IMAGE);
    g_video_server = video;
    return serve();
}
