/* Thumbnails decoded in the sandbox (hash/sandbox.h): the gallery's
 * pictures and video posters come from a fresh hifazat-decode per file,
 * which returns only the small RGBA thumbnail; the file's bytes and the
 * full-size pixels die with it. Same contracts as image_decode_scaled(),
 * image_decode_preview() and media_video_poster(); a child that dies is a
 * corrupt file. One child per thumbnail, as for hashing: a fork of the
 * decoder's server (sandbox.c), measured by scripts/bench.sh sandbox; a
 * batching child would keep one person's many pictures in one process an
 * exploit could sit in. */
#include "media_internal.h"

#include "hash_internal.h"
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_FULL = 1 << 20 };

struct result {
    struct sbx_thumb_result w;
    uint8_t *px;                 /* w * h * 4, or NULL */
};

/* The child's answer, checked: the thumbnail fits in the box it was asked
 * for, the sizes are sane, the pixels are exactly there. */
static int read_result(struct sbx_child *c, const struct sbx_hdr *h, int box_w, int box_h,
                       struct result *r)
{
    if (h->type != SBX_THUMB_RESULT || h->len < sizeof(r->w)) {
        snprintf(c->why, sizeof(c->why), "the decoder sent a malformed message");
        return -1;
    }
    int io = sbx_io(c, &r->w, sizeof(r->w), false);
    if (io != 0)
        return io;
    struct sbx_thumb_result *w = &r->w;
    w->detail[sizeof(w->detail) - 1] = 0;
    const uint64_t extra = h->len - sizeof(*w);
    const bool has_px = extra > 0;
    if ((w->rc != 0 && w->rc != -1) || w->err < 0 || w->err >= MEDIA_ERR_COUNT ||
        (has_px && (w->w <= 0 || w->h <= 0 || w->w > box_w || w->h > box_h ||
                    extra != (uint64_t)w->w * (uint64_t)w->h * 4)) ||
        w->full_w < 0 || w->full_h < 0 || w->full_w > MAX_FULL || w->full_h > MAX_FULL) {
        snprintf(c->why, sizeof(c->why), "the decoder sent an impossible thumbnail");
        return -1;
    }
    if (!has_px)
        return 0;
    if (!(r->px = malloc((size_t)extra))) {
        snprintf(c->why, sizeof(c->why), "out of memory for a thumbnail");
        return -1;
    }
    if ((io = sbx_io(c, r->px, (size_t)extra, false)) != 0) {
        media_secure_free(r->px, (size_t)extra);
        r->px = NULL;
    }
    return io;
}

/* One child, one job: data (may be NULL) sent whole, or a reader served. */
static int run(uint32_t kind, int box_w, int box_h, const uint8_t *data, size_t len,
               const struct media_reader *rd, int (*cancelled)(void *), void *cctx,
               struct result *r)
{
    memset(r, 0, sizeof(*r));
    struct sbx_child c = {.cancelled = cancelled, .cctx = cctx, .video = kind == SBX_POSTER};
    struct sbx_job job;
    memset(&job, 0, sizeof(job));
    job.kind = kind;
    job.size = rd ? rd->size : len;
    job.limits = image_default_limits;
    job.box_w = box_w;
    job.box_h = box_h;
    job.threads = 1;
    if (sbx_start(&c) != 0)
        return -3;
    struct sbx_hdr h;
    int io = sbx_send(&c, SBX_JOB, &job, sizeof(job), NULL, 0);
    if (io == 0 && !rd)
        io = sbx_send(&c, SBX_DATA, data, len, NULL, 0);
    if (io == 0)
        io = rd ? sbx_serve(&c, rd->read_at, rd->ctx, NULL, NULL, &h) : sbx_io(&c, &h, sizeof(h), false);
    if (io == 0)
        io = read_result(&c, &h, box_w, box_h, r);
    sbx_end(&c, io == -2 || (io != 0 && c.why[0]));
    return io;
}

static int image_job(uint32_t kind, const uint8_t *data, size_t len, const struct image_scale *sc,
                     struct image_rgba *out, struct image_error *err)
{
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    struct result r;
    const int io = run(kind, sc->max_w, sc->max_h, data, len, NULL, sc->cancelled, sc->ctx, &r);
    if (io == -2 || io == -3 || io == -1) {
        err->code = io == -2 ? IMAGE_ERR_SINK : IMAGE_ERR_CORRUPT;
        snprintf(err->detail, sizeof(err->detail), "%s",
                 io == -2 ? "cancelled" : "the decoder failed (see the sandbox)");
        return -1;
    }
    if (r.w.rc != 0 || !r.px) {
        media_secure_free(r.px, (size_t)r.w.w * (size_t)r.w.h * 4);
        err->code = r.w.rc != 0 && r.w.err > IMAGE_OK && r.w.err <= IMAGE_ERR_SINK ? (enum image_err)r.w.err
                                                                                  : IMAGE_ERR_CORRUPT;
        snprintf(err->detail, sizeof(err->detail), "%s", r.w.detail);
        return -1;
    }
    out->format = (enum image_format)r.w.format;
    out->width = r.w.w;
    out->height = r.w.h;
    out->full_width = r.w.full_w;
    out->full_height = r.w.full_h;
    out->pixels = r.px;
    return 0;
}

int media_sandbox_scaled(const uint8_t *data, size_t len, const struct image_scale *sc,
                         struct image_rgba *out, struct image_error *err)
{
    if (hash_in_process)
        return image_decode_scaled(data, len, NULL, sc, out, err);
    return image_job(SBX_THUMB_SCALED, data, len, sc, out, err);
}

int media_sandbox_preview(const uint8_t *head, size_t len, const struct image_scale *sc,
                          struct image_rgba *out, struct image_error *err)
{
    if (hash_in_process)
        return image_decode_preview(head, len, NULL, sc, out, err);
    return image_job(SBX_THUMB_PREVIEW, head, len, sc, out, err);
}

int media_sandbox_poster(const struct media_reader *rd, int box, int (*cancelled)(void *), void *ctx,
                         struct poster *out, enum media_err *err)
{
    if (hash_in_process)
        return media_video_poster(rd, box, cancelled, ctx, out, err);
    memset(out, 0, sizeof(*out));
    out->duration_ms = -1;
    *err = MEDIA_OK;
    struct result r;
    const int io = run(SBX_POSTER, box, box, NULL, 0, rd, cancelled, ctx, &r);
    if (io == -2)
        return 0; /* cancelled: the caller sees it and drops the job */
    if (io != 0) {
        *err = MEDIA_ERR_CORRUPT;
        return -1;
    }
    if (r.w.rc != 0) {
        media_secure_free(r.px, (size_t)r.w.w * (size_t)r.w.h * 4);
        *err = r.w.err > MEDIA_OK ? (enum media_err)r.w.err : MEDIA_ERR_CORRUPT;
        return -1;
    }
    out->rgba = r.px;
    out->w = r.px ? r.w.w : 0;
    out->h = r.px ? r.w.h : 0;
    out->full_w = r.w.full_w;
    out->full_h = r.w.full_h;
    out->duration_ms = r.w.duration_ms >= 0 ? r.w.duration_ms : -1;
    return 0;
}
