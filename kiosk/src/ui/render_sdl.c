/* The renderer: the only file that calls SDL's render API. It executes the
 * UI's draw commands and keeps textures for laid-out text (keyed by the
 * block's serial and colour, so text is uploaded once, not per frame),
 * images and rounded corners. */
#include "ui_internal.h"
#include "errfmt.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_TEXT (1ull << 62)
#define KEY_IMAGE (1ull << 61)
#define TEX_BUDGET (16u << 20)     /* bytes of text/image textures kept warm */
#define TEX_MAX_IDLE 120           /* frames a texture may go unused */

struct tex_entry {
    uint64_t key;
    uint32_t color;
    SDL_Texture *tex;
    uint64_t last_used;
    size_t bytes;
};

struct corner_set {
    int radius, thick;             /* thick 0: filled quarter circle */
    SDL_Texture *tex[4];           /* top-left, top-right, bottom-right, bottom-left */
    uint64_t last_used;
};

#define MAX_CORNERS 48

struct ui_renderer {
    SDL_Renderer *r;
    char name[32];
    struct tex_entry *tex;
    size_t ntex, captex, tex_bytes;
    struct corner_set corners[MAX_CORNERS];
    int ncorners;
    uint64_t frame;
    uint32_t *scratch;
    size_t scratch_cap;
};

struct ui_renderer *ui_renderer_create(SDL_Window *win, const char *driver, char *err, size_t errlen)
{
    struct ui_renderer *rr = calloc(1, sizeof(*rr));
    if (!rr) {
        errfmt(err, errlen, "out of memory");
        return NULL;
    }
    int index = -1;
    Uint32 flags = 0;
    if (driver && *driver) {
        /* Asked for by name: that driver or a clear error. (SDL's own
         * SDL_RENDER_DRIVER handling falls back silently.) */
        char avail[256] = "";
        int n = SDL_GetNumRenderDrivers();
        for (int i = 0; i < n; i++) {
            SDL_RendererInfo info;
            if (SDL_GetRenderDriverInfo(i, &info) == 0) {
                if (!SDL_strcasecmp(info.name, driver))
                    index = i;
                if (strlen(avail) + strlen(info.name) + 3 < sizeof avail) {
                    if (*avail)
                        strcat(avail, ", ");
                    strcat(avail, info.name);
                }
            }
        }
        if (index < 0) {
            errfmt(err, errlen, "render driver '%s' is not available (available: %s)", driver, avail);
            free(rr);
            return NULL;
        }
        if (!SDL_strcasecmp(driver, "software"))
            /* Software rendering into an X11/offscreen window otherwise goes
             * through a hidden GL upload that costs ~10 ms per frame. */
            SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    } else {
        flags = SDL_RENDERER_ACCELERATED;
    }
    rr->r = SDL_CreateRenderer(win, index, flags);
    if (!rr->r) {
        errfmt(err, errlen, "cannot create the %s renderer: %s",
               driver && *driver ? driver : "accelerated", SDL_GetError());
        free(rr);
        return NULL;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(rr->r, &info) == 0)
        snprintf(rr->name, sizeof rr->name, "%s", info.name);
    return rr;
}

static void destroy_entry(struct tex_entry *e, bool wipe)
{
    if (wipe) {
        /* Image textures are streaming: zero the pixels before SDL frees them. */
        void *px;
        int pitch, h;
        if (SDL_QueryTexture(e->tex, NULL, NULL, NULL, &h) == 0 &&
            SDL_LockTexture(e->tex, NULL, &px, &pitch) == 0) {
            memset(px, 0, (size_t)pitch * (size_t)h);
            SDL_UnlockTexture(e->tex);
        }
    }
    SDL_DestroyTexture(e->tex);
}

static void remove_at(struct ui_renderer *rr, size_t i)
{
    struct tex_entry *e = &rr->tex[i];
    destroy_entry(e, (e->key & KEY_IMAGE) != 0);
    rr->tex_bytes -= e->bytes;
    rr->tex[i] = rr->tex[--rr->ntex];
}

static uint32_t *scratch(struct ui_renderer *rr, size_t n);

void ui_render_purge(struct ui_renderer *rr)
{
    if (!rr)
        return;
    /* A session wipe: text textures may show a person's file names, so they
     * are overwritten too (image textures are zeroed in destroy_entry). */
    for (size_t i = 0; i < rr->ntex; i++) {
        struct tex_entry *e = &rr->tex[i];
        int w, h;
        if ((e->key & KEY_IMAGE) || SDL_QueryTexture(e->tex, NULL, NULL, &w, &h) != 0)
            continue;
        uint32_t *zero = scratch(rr, (size_t)w * (size_t)h);
        if (zero) {
            memset(zero, 0, (size_t)w * (size_t)h * sizeof(*zero));
            SDL_UpdateTexture(e->tex, NULL, zero, w * 4);
        }
    }
    if (rr->scratch)
        explicit_bzero(rr->scratch, rr->scratch_cap * sizeof(*rr->scratch));
    while (rr->ntex)
        remove_at(rr, rr->ntex - 1);
    for (int i = 0; i < rr->ncorners; i++)
        for (int k = 0; k < 4; k++)
            SDL_DestroyTexture(rr->corners[i].tex[k]);
    rr->ncorners = 0;
}

void ui_renderer_destroy(struct ui_renderer *rr)
{
    if (!rr)
        return;
    ui_render_purge(rr);
    free(rr->tex);
    free(rr->scratch);
    if (rr->r)
        SDL_DestroyRenderer(rr->r);
    free(rr);
}

const char *ui_renderer_name(const struct ui_renderer *rr) { return rr->name; }

int ui_renderer_output_size(struct ui_renderer *rr, int *w, int *h)
{
    return SDL_GetRendererOutputSize(rr->r, w, h);
}

static uint32_t *scratch(struct ui_renderer *rr, size_t n)
{
    if (n > rr->scratch_cap) {
        uint32_t *p = realloc(rr->scratch, n * sizeof(*p));
        if (!p)
            return NULL;
        rr->scratch = p;
        rr->scratch_cap = n;
    }
    return rr->scratch;
}

static struct tex_entry *find_tex(struct ui_renderer *rr, uint64_t key, uint32_t color)
{
    for (size_t i = 0; i < rr->ntex; i++)
        if (rr->tex[i].key == key && rr->tex[i].color == color)
            return &rr->tex[i];
    return NULL;
}

static struct tex_entry *add_tex(struct ui_renderer *rr, uint64_t key, uint32_t color,
                                 SDL_Texture *t, size_t bytes)
{
    if (rr->ntex == rr->captex) {
        size_t n = rr->captex ? rr->captex * 2 : 64;
        struct tex_entry *v = realloc(rr->tex, n * sizeof(*v));
        if (!v) {
            SDL_DestroyTexture(t);
            return NULL;
        }
        rr->tex = v;
        rr->captex = n;
    }
    struct tex_entry *e = &rr->tex[rr->ntex++];
    *e = (struct tex_entry){.key = key, .color = color, .tex = t, .last_used = rr->frame, .bytes = bytes};
    rr->tex_bytes += bytes;
    return e;
}

/* Text: coverage becomes alpha, the colour is baked in, so drawing is a
 * plain alpha blend (the software renderer's fastest blit). */
static SDL_Texture *text_texture(struct ui_renderer *rr, const struct text_block *b, ui_color c)
{
    uint64_t key = KEY_TEXT | b->serial;
    struct tex_entry *e = find_tex(rr, key, c);
    if (e) {
        e->last_used = rr->frame;
        return e->tex;
    }
    size_t n = (size_t)b->ink_w * b->ink_h;
    uint32_t *px = scratch(rr, n);
    if (!px)
        return NULL;
    uint32_t rgb = c & 0xFFFFFFu, ca = c >> 24;
    for (size_t i = 0; i < n; i++)
        px[i] = ((uint32_t)b->alpha[i] * ca / 255u) << 24 | rgb;
    SDL_Texture *t = SDL_CreateTexture(rr->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
                                       b->ink_w, b->ink_h);
    if (!t)
        return NULL;
    SDL_UpdateTexture(t, NULL, px, b->ink_w * 4);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    e = add_tex(rr, key, c, t, n * 4);
    return e ? t : NULL;
}

static void upload_image(SDL_Texture *t, const struct ui_image *img)
{
    void *px;
    int pitch;
    if (SDL_LockTexture(t, NULL, &px, &pitch) == 0) {
        for (int y = 0; y < img->h; y++)
            memcpy((uint8_t *)px + (size_t)y * pitch, img->rgba + (size_t)y * img->w * 4,
                   (size_t)img->w * 4);
        SDL_UnlockTexture(t);
    }
}

/* Images: one streaming texture each; an entry's `color` holds the image's
 * version, so a picture changed in place is uploaded again. */
static SDL_Texture *image_texture(struct ui_renderer *rr, struct ui_image *img)
{
    uint64_t key = KEY_IMAGE | img->serial;
    for (size_t i = 0; i < rr->ntex; i++) {
        struct tex_entry *e = &rr->tex[i];
        if (e->key != key)
            continue;
        if (e->color != img->version) {
            upload_image(e->tex, img);
            e->color = img->version;
        }
        e->last_used = rr->frame;
        return e->tex;
    }
    SDL_Texture *t = SDL_CreateTexture(rr->r, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STREAMING,
                                       img->w, img->h);
    if (!t)
        return NULL;
    upload_image(t, img);
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
    struct tex_entry *e = add_tex(rr, key, img->version, t, (size_t)img->w * img->h * 4);
    return e ? t : NULL;
}

/* Quarter-circle (or quarter-ring) coverage, 4x4 supersampled. */
static struct corner_set *corners(struct ui_renderer *rr, int radius, int thick)
{
    for (int i = 0; i < rr->ncorners; i++) {
        if (rr->corners[i].radius == radius && rr->corners[i].thick == thick) {
            rr->corners[i].last_used = rr->frame;
            return &rr->corners[i];
        }
    }
    if (rr->ncorners == MAX_CORNERS) {
        int old = 0;
        for (int i = 1; i < rr->ncorners; i++)
            if (rr->corners[i].last_used < rr->corners[old].last_used)
                old = i;
        for (int k = 0; k < 4; k++)
            SDL_DestroyTexture(rr->corners[old].tex[k]);
        rr->corners[old] = rr->corners[--rr->ncorners];
    }
    int n = radius;
    uint32_t *px = scratch(rr, (size_t)n * n * 4);
    if (!px)
        return NULL;
    uint32_t *q[4] = {px, px + n * n, px + 2 * n * n, px + 3 * n * n};
    float ro = (float)radius, ri = thick > 0 ? (float)(radius - thick) : -1.0f;
    for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
            int cover = 0;
            for (int sy = 0; sy < 4; sy++) {
                for (int sx = 0; sx < 4; sx++) {
                    /* Top-left quadrant; the circle's centre is at (n, n). */
                    float dx = (float)n - ((float)x + (sx + 0.5f) / 4);
                    float dy = (float)n - ((float)y + (sy + 0.5f) / 4);
                    float d2 = dx * dx + dy * dy;
                    if (d2 <= ro * ro && (ri < 0 || d2 >= ri * ri))
                        cover++;
                }
            }
            uint32_t a = (uint32_t)(cover * 255 / 16);
            uint32_t v = a << 24 | 0xFFFFFFu;
            q[0][y * n + x] = v;                         /* top-left */
            q[1][y * n + (n - 1 - x)] = v;               /* top-right */
            q[2][(n - 1 - y) * n + (n - 1 - x)] = v;     /* bottom-right */
            q[3][(n - 1 - y) * n + x] = v;               /* bottom-left */
        }
    }
    struct corner_set *cs = &rr->corners[rr->ncorners];
    memset(cs, 0, sizeof(*cs));
    for (int k = 0; k < 4; k++) {
        cs->tex[k] = SDL_CreateTexture(rr->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, n, n);
        if (!cs->tex[k]) {
            for (int j = 0; j < k; j++)
                SDL_DestroyTexture(cs->tex[j]);
            return NULL;
        }
        SDL_UpdateTexture(cs->tex[k], NULL, q[k], n * 4);
        SDL_SetTextureBlendMode(cs->tex[k], SDL_BLENDMODE_BLEND);
    }
    cs->radius = radius;
    cs->thick = thick;
    cs->last_used = rr->frame;
    rr->ncorners++;
    return cs;
}

static void set_color(struct ui_renderer *rr, ui_color c)
{
    Uint8 a = (Uint8)(c >> 24);
    SDL_SetRenderDrawBlendMode(rr->r, a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(rr->r, (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c, a);
}

static void fill_rect(struct ui_renderer *rr, int x, int y, int w, int h)
{
    if (w <= 0 || h <= 0)
        return;
    SDL_Rect r = {x, y, w, h};
    SDL_RenderFillRect(rr->r, &r);
}

static void draw_corners(struct ui_renderer *rr, struct ui_rect r, int rad, int thick, ui_color c)
{
    struct corner_set *cs = corners(rr, rad, thick);
    if (!cs)
        return;
    SDL_Rect d[4] = {
        {r.x, r.y, rad, rad},
        {r.x + r.w - rad, r.y, rad, rad},
        {r.x + r.w - rad, r.y + r.h - rad, rad, rad},
        {r.x, r.y + r.h - rad, rad, rad},
    };
    for (int k = 0; k < 4; k++) {
        SDL_SetTextureColorMod(cs->tex[k], (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
        SDL_SetTextureAlphaMod(cs->tex[k], (Uint8)(c >> 24));
        SDL_RenderCopy(rr->r, cs->tex[k], NULL, &d[k]);
    }
}

static int clamp_radius(struct ui_rect r, int rad)
{
    int m = (r.w < r.h ? r.w : r.h) / 2;
    if (rad > m)
        rad = m;
    return rad < 0 ? 0 : rad;
}

static void do_fill(struct ui_renderer *rr, const struct ui_cmd *c)
{
    struct ui_rect r = c->rect;
    int rad = clamp_radius(r, c->radius);
    set_color(rr, c->color);
    if (rad == 0) {
        fill_rect(rr, r.x, r.y, r.w, r.h);
        return;
    }
    fill_rect(rr, r.x + rad, r.y, r.w - 2 * rad, r.h);
    fill_rect(rr, r.x, r.y + rad, rad, r.h - 2 * rad);
    fill_rect(rr, r.x + r.w - rad, r.y + rad, rad, r.h - 2 * rad);
    draw_corners(rr, r, rad, 0, c->color);
}

static void do_frame(struct ui_renderer *rr, const struct ui_cmd *c)
{
    struct ui_rect r = c->rect;
    int t = c->thickness;
    int rad = clamp_radius(r, c->radius);
    if (rad < t)
        rad = rad > 0 ? t : 0;
    rad = clamp_radius(r, rad);
    set_color(rr, c->color);
    int e = rad > 0 ? rad : 0;
    fill_rect(rr, r.x + e, r.y, r.w - 2 * e, t);                     /* top */
    fill_rect(rr, r.x + e, r.y + r.h - t, r.w - 2 * e, t);           /* bottom */
    fill_rect(rr, r.x, r.y + (e ? e : t), t, r.h - 2 * (e ? e : t)); /* start */
    fill_rect(rr, r.x + r.w - t, r.y + (e ? e : t), t, r.h - 2 * (e ? e : t));
    if (rad > 0)
        draw_corners(rr, r, rad, t, c->color);
}

static void evict(struct ui_renderer *rr)
{
    for (size_t i = 0; i < rr->ntex;) {
        if (rr->frame - rr->tex[i].last_used > TEX_MAX_IDLE)
            remove_at(rr, i);
        else
            i++;
    }
    while (rr->tex_bytes > TEX_BUDGET) {
        size_t old = rr->ntex;
        for (size_t i = 0; i < rr->ntex; i++)
            if (rr->tex[i].last_used != rr->frame &&
                (old == rr->ntex || rr->tex[i].last_used < rr->tex[old].last_used))
                old = i;
        if (old == rr->ntex)
            break;   /* everything is on screen now */
        remove_at(rr, old);
    }
}

int ui_render(struct ui_renderer *rr, struct ui_ctx *ui)
{
    rr->frame++;
    uint64_t dead[64];
    size_t nd;
    while ((nd = ui_take_dead_images(ui, dead, 64)) > 0) {
        for (size_t k = 0; k < nd; k++)
            for (size_t i = 0; i < rr->ntex; i++)
                if (rr->tex[i].key == (KEY_IMAGE | dead[k])) {
                    remove_at(rr, i);
                    break;
                }
    }
    SDL_RenderSetClipRect(rr->r, NULL);
    ui_color bg = ui_theme(ui)->bg;
    SDL_SetRenderDrawBlendMode(rr->r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(rr->r, (Uint8)(bg >> 16), (Uint8)(bg >> 8), (Uint8)bg, 255);
    SDL_RenderClear(rr->r);
    size_t n;
    const struct ui_cmd *cmds = ui_commands(ui, &n);
    for (size_t i = 0; i < n; i++) {
        const struct ui_cmd *c = &cmds[i];
        switch (c->kind) {
        case UI_CMD_FILL:
            do_fill(rr, c);
            break;
        case UI_CMD_FRAME:
            do_frame(rr, c);
            break;
        case UI_CMD_TEXT: {
            SDL_Texture *t = text_texture(rr, c->text, c->color);
            SDL_Rect d = {c->rect.x, c->rect.y, c->rect.w, c->rect.h};
            SDL_Rect sr = {c->src.x, c->src.y, c->src.w, c->src.h};
            if (t)
                SDL_RenderCopy(rr->r, t, c->src.w > 0 ? &sr : NULL, &d);
            break;
        }
        case UI_CMD_IMAGE: {
            SDL_Texture *t = image_texture(rr, c->image);
            SDL_Rect d = {c->rect.x, c->rect.y, c->rect.w, c->rect.h};
            SDL_Rect sr = {c->src.x, c->src.y, c->src.w, c->src.h};
            if (t)
                SDL_RenderCopy(rr->r, t, c->src.w > 0 ? &sr : NULL, &d);
            break;
        }
        case UI_CMD_CLIP:
            if (c->rect.w < 0) {
                SDL_RenderSetClipRect(rr->r, NULL);
            } else {
                SDL_Rect cr = {c->rect.x, c->rect.y, c->rect.w, c->rect.h};
                SDL_RenderSetClipRect(rr->r, &cr);
            }
            break;
        default:
            break;
        }
    }
    SDL_RenderSetClipRect(rr->r, NULL);
    evict(rr);
    return 0;
}

void ui_render_present(struct ui_renderer *rr) { SDL_RenderPresent(rr->r); }

uint8_t *ui_render_read_rgba(struct ui_renderer *rr, int *w, int *h)
{
    if (SDL_GetRendererOutputSize(rr->r, w, h))
        return NULL;
    uint8_t *px = malloc((size_t)*w * *h * 4);
    if (!px)
        return NULL;
    if (SDL_RenderReadPixels(rr->r, NULL, SDL_PIXELFORMAT_RGBA32, px, *w * 4)) {
        free(px);
        return NULL;
    }
    return px;
}
