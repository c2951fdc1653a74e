/* Icons: simple shapes on a 24-unit grid (y down), filled with FreeType's
 * anti-aliasing rasteriser at any size. Drawn here, not loaded from files, so
 * they scale cleanly from a 1024x600 netbook to 1080p and need no assets.
 * Fills use the non-zero rule: shapes are wound one way, holes the other. */
#include "text_internal.h"

#include FT_OUTLINE_H
#include FT_BITMAP_H
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEGS 48            /* polygon segments per full circle */
#define MAXPTS 2048
#define MAXCONT 64

struct path {
    double s;              /* px per grid unit */
    int size;
    FT_Vector pts[MAXPTS];
    char tags[MAXPTS];
    short ends[MAXCONT];
    int np, nc;
    bool overflow;
};

/* Adds a closed polygon; fill=true winds it one way, false (a hole) the other. */
static void poly(struct path *p, const double *xy, int n, bool fill)
{
    if (p->np + n > MAXPTS || p->nc + 1 > MAXCONT || n < 3) {
        p->overflow = true;
        return;
    }
    double area = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        area += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    bool reverse = (area > 0) != fill;
    for (int k = 0; k < n; k++) {
        int i = reverse ? n - 1 - k : k;
        FT_Vector *v = &p->pts[p->np + k];
        v->x = (FT_Pos)lround(xy[2 * i] * p->s * 64);
        v->y = (FT_Pos)lround((24.0 - xy[2 * i + 1]) * p->s * 64);   /* FreeType: y up */
        p->tags[p->np + k] = FT_CURVE_TAG_ON;
    }
    p->np += n;
    p->ends[p->nc++] = (short)(p->np - 1);
}

static void ellipse(struct path *p, double cx, double cy, double rx, double ry, bool fill)
{
    double xy[2 * SEGS];
    for (int i = 0; i < SEGS; i++) {
        double a = 2 * M_PI * i / SEGS;
        xy[2 * i] = cx + rx * cos(a);
        xy[2 * i + 1] = cy + ry * sin(a);
    }
    poly(p, xy, SEGS, fill);
}

static void circle(struct path *p, double cx, double cy, double r, bool fill)
{
    ellipse(p, cx, cy, r, r, fill);
}

/* A ring of stroke width w centred on radius r. */
static void ring(struct path *p, double cx, double cy, double r, double w)
{
    circle(p, cx, cy, r + w / 2, true);
    circle(p, cx, cy, r - w / 2, false);
}

/* A stroke with round caps. */
static void seg(struct path *p, double x0, double y0, double x1, double y1, double w)
{
    double dx = x1 - x0, dy = y1 - y0, l = sqrt(dx * dx + dy * dy);
    if (l > 0) {
        double nx = -dy / l * w / 2, ny = dx / l * w / 2;
        double q[8] = {x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny};
        poly(p, q, 4, true);
    }
    circle(p, x0, y0, w / 2, true);
    circle(p, x1, y1, w / 2, true);
}

/* A stroked arc from angle a0 to a1 (degrees, clockwise on screen, 0 = right). */
static void arc(struct path *p, double cx, double cy, double r, double a0, double a1, double w)
{
    int n = (int)(fabs(a1 - a0) / 360.0 * SEGS) + 2;
    double xy[4 * (SEGS + 2)];
    for (int i = 0; i < n; i++) {
        double a = (a0 + (a1 - a0) * i / (n - 1)) * M_PI / 180;
        xy[2 * i] = cx + (r + w / 2) * cos(a);
        xy[2 * i + 1] = cy + (r + w / 2) * sin(a);
        xy[2 * (2 * n - 1 - i)] = cx + (r - w / 2) * cos(a);
        xy[2 * (2 * n - 1 - i) + 1] = cy + (r - w / 2) * sin(a);
    }
    poly(p, xy, 2 * n, true);
    double b0 = a0 * M_PI / 180, b1 = a1 * M_PI / 180;
    circle(p, cx + r * cos(b0), cy + r * sin(b0), w / 2, true);
    circle(p, cx + r * cos(b1), cy + r * sin(b1), w / 2, true);
}

static void rrect(struct path *p, double x, double y, double w, double h, double r, bool fill)
{
    double xy[2 * (4 * (SEGS / 4 + 1))];
    int n = 0;
    /* Corners clockwise on screen: top-right, bottom-right, bottom-left, top-left. */
    const double cx[4] = {x + w - r, x + w - r, x + r, x + r};
    const double cy[4] = {y + r, y + h - r, y + h - r, y + r};
    const double start[4] = {-90, 0, 90, 180};
    for (int c = 0; c < 4; c++) {
        for (int i = 0; i <= SEGS / 4; i++) {
            double a = (start[c] + 90.0 * i / (SEGS / 4)) * M_PI / 180;
            xy[2 * n] = cx[c] + r * cos(a);
            xy[2 * n + 1] = cy[c] + r * sin(a);
            n++;
        }
    }
    poly(p, xy, n, fill);
}

/* Outline of a rounded rectangle: stroke w centred on the edge. */
static void rrect_ring(struct path *p, double x, double y, double w, double h, double r, double sw)
{
    rrect(p, x - sw / 2, y - sw / 2, w + sw, h + sw, r + sw / 2, true);
    rrect(p, x + sw / 2, y + sw / 2, w - sw, h - sw, r > sw / 2 ? r - sw / 2 : 0.01, false);
}

/* Shield outline: flat-ish top, sides that curve into a point. */
static void shield_pts(double inset, double *xy, int *n)
{
    int k = 0;
    const int curve = 20;
    /* Top edge from left to right, slightly dipping in the middle. */
    xy[k++] = 4 + inset, xy[k++] = 5.2 + inset * 0.6;
    xy[k++] = 12, xy[k++] = 2 + inset * 1.2;
    xy[k++] = 20 - inset, xy[k++] = 5.2 + inset * 0.6;
    /* Right side down, then a quadratic curve into the point. */
    double x0 = 20 - inset, y0 = 11, cxp = 20 - inset, cyp = 18 - inset * 0.2, x1 = 12,
           y1 = 22 - inset * 1.3;
    for (int i = 0; i <= curve; i++) {
        double u = (double)i / curve;
        xy[k++] = (1 - u) * (1 - u) * x0 + 2 * u * (1 - u) * cxp + u * u * x1;
        xy[k++] = (1 - u) * (1 - u) * y0 + 2 * u * (1 - u) * cyp + u * u * y1;
    }
    /* Mirror back up the left side. */
    for (int i = curve - 1; i >= 0; i--) {
        double u = (double)i / curve;
        double px = (1 - u) * (1 - u) * x0 + 2 * u * (1 - u) * cxp + u * u * x1;
        double py = (1 - u) * (1 - u) * y0 + 2 * u * (1 - u) * cyp + u * u * y1;
        xy[k++] = 24 - px;
        xy[k++] = py;
    }
    *n = k / 2;
}

static void arrow(struct path *p, bool right)
{
    double w = 2.4;
    if (right) {
        seg(p, 4.5, 12, 18.5, 12, w);
        seg(p, 12.5, 6, 18.5, 12, w);
        seg(p, 12.5, 18, 18.5, 12, w);
    } else {
        seg(p, 19.5, 12, 5.5, 12, w);
        seg(p, 11.5, 6, 5.5, 12, w);
        seg(p, 11.5, 18, 5.5, 12, w);
    }
}

static void draw_icon(struct path *p, enum text_icon icon)
{
    double xy[2 * 64];
    int n;
    switch (icon) {
    case TEXT_ICON_ARROW_LEFT:
        arrow(p, false);
        break;
    case TEXT_ICON_ARROW_RIGHT:
        arrow(p, true);
        break;
    case TEXT_ICON_CLOSE:
        seg(p, 6, 6, 18, 18, 2.6);
        seg(p, 18, 6, 6, 18, 2.6);
        break;
    case TEXT_ICON_EXIT:
        /* Door frame open on the right, arrow walking out of it. */
        seg(p, 12.5, 7, 12.5, 3.5, 2.2);
        seg(p, 12.5, 3.5, 4, 3.5, 2.2);
        seg(p, 4, 3.5, 4, 20.5, 2.2);
        seg(p, 4, 20.5, 12.5, 20.5, 2.2);
        seg(p, 12.5, 20.5, 12.5, 17, 2.2);
        seg(p, 9, 12, 20.5, 12, 2.2);
        seg(p, 16.5, 8, 20.5, 12, 2.2);
        seg(p, 16.5, 16, 20.5, 12, 2.2);
        break;
    case TEXT_ICON_LANGUAGE:
        ring(p, 12, 12, 9, 1.9);
        ellipse(p, 12, 12, 4.6, 9.95, true);
        ellipse(p, 12, 12, 2.8, 8.05, false);
        seg(p, 3.5, 12, 20.5, 12, 1.7);
        seg(p, 5, 7.5, 19, 7.5, 1.5);
        seg(p, 5, 16.5, 19, 16.5, 1.5);
        break;
    case TEXT_ICON_SHIELD:
        shield_pts(0, xy, &n);
        poly(p, xy, n, true);
        shield_pts(2.2, xy, &n);
        poly(p, xy, n, false);
        seg(p, 8.3, 12.2, 11, 14.9, 2.2);
        seg(p, 11, 14.9, 15.9, 9.3, 2.2);
        break;
    case TEXT_ICON_CHECK:
        seg(p, 5, 12.5, 9.8, 17.3, 2.8);
        seg(p, 9.8, 17.3, 19.2, 7, 2.8);
        break;
    case TEXT_ICON_INFO:
        ring(p, 12, 12, 9.2, 2);
        seg(p, 12, 11, 12, 16.8, 2.4);
        circle(p, 12, 7.4, 1.5, true);
        break;
    case TEXT_ICON_HELP:
        ring(p, 12, 12, 9.2, 2);
        arc(p, 12, 9.6, 3, -180, 35, 2.2);
        seg(p, 12 + 3 * cos(35 * M_PI / 180), 9.6 + 3 * sin(35 * M_PI / 180), 12, 13.6, 2.2);
        circle(p, 12, 17.2, 1.45, true);
        break;
    case TEXT_ICON_LOCK:
        arc(p, 12, 8.5, 4.3, -180, 0, 2.2);
        seg(p, 7.7, 8.5, 7.7, 11, 2.2);
        seg(p, 16.3, 8.5, 16.3, 11, 2.2);
        rrect(p, 4.5, 10.5, 15, 11, 2, true);
        circle(p, 12, 15.8, 1.9, false);
        break;
    case TEXT_ICON_PHONE:
        rrect_ring(p, 7, 2.5, 10, 19, 2, 2);
        seg(p, 10.5, 18.6, 13.5, 18.6, 1.6);
        break;
    case TEXT_ICON_IMAGE: {
        rrect_ring(p, 3, 4.5, 18, 15, 2, 2);
        static const double m[] = {5.5, 17.5, 10, 11.5, 13.2, 15, 15.3, 13, 18.5, 17.5};
        poly(p, m, 5, true);
        circle(p, 16, 9, 1.7, true);
        break;
    }
    case TEXT_ICON_VIDEO: {
        rrect_ring(p, 3, 4.5, 18, 15, 2, 2);
        static const double tri[] = {10, 8.5, 16, 12, 10, 15.5};
        poly(p, tri, 3, true);
        break;
    }
    case TEXT_ICON_FOLDER: {
        static const double f[] = {2.5, 5, 9.5, 5, 11.5, 7.5, 21.5, 7.5, 21.5, 19.5, 2.5, 19.5};
        poly(p, f, 6, true);
        static const double h[] = {4.3, 10.6, 19.7, 10.6, 19.7, 17.7, 4.3, 17.7};
        poly(p, h, 4, false);
        break;
    }
    case TEXT_ICON_ARROW_UP:
        seg(p, 12, 19.5, 12, 5.5, 2.4);
        seg(p, 6, 11.5, 12, 5.5, 2.4);
        seg(p, 18, 11.5, 12, 5.5, 2.4);
        break;
    case TEXT_ICON_WARNING: {
        static const double o[] = {12, 2.2, 22.8, 20.8, 1.2, 20.8};
        static const double i[] = {12, 6.4, 19.2, 18.8, 4.8, 18.8};
        poly(p, o, 3, true);
        poly(p, i, 3, false);
        seg(p, 12, 10, 12, 14.2, 2.2);
        circle(p, 12, 16.8, 1.3, true);
        break;
    }
    case TEXT_ICON_CLOCK:
        ring(p, 12, 12, 9.2, 2);
        seg(p, 12, 12, 12, 6.5, 2.2);
        seg(p, 12, 12, 16, 14.2, 2.2);
        break;
    case TEXT_ICON_USB:
        rrect_ring(p, 7, 9.5, 10, 12, 2, 2);
        rrect_ring(p, 9, 3, 6, 6.5, 0.6, 1.7);
        seg(p, 11, 5.6, 11, 5.6, 1.2);
        seg(p, 13, 5.6, 13, 5.6, 1.2);
        break;
    case TEXT_ICON_CARD: {
        static const double o[] = {6, 2.5, 14.8, 2.5, 18.5, 6.2, 18.5, 21.5, 6, 21.5};
        static const double i[] = {8, 4.5, 14, 4.5, 16.5, 7, 16.5, 19.5, 8, 19.5};
        poly(p, o, 5, true);
        poly(p, i, 5, false);
        seg(p, 10, 6.5, 10, 9, 1.4);
        seg(p, 12.5, 6.5, 12.5, 9, 1.4);
        break;
    }
    case TEXT_ICON_EYE:
        ellipse(p, 12, 12, 10.5, 6.6, true);
        ellipse(p, 12, 12, 8.6, 4.8, false);
        circle(p, 12, 12, 3.3, true);
        break;
    case TEXT_ICON_KEY:
        ring(p, 7.5, 12, 4, 2.2);
        seg(p, 11.5, 12, 21, 12, 2.2);
        seg(p, 18.2, 12, 18.2, 15.6, 2.2);
        seg(p, 15, 12, 15, 14.6, 2.2);
        break;
    case TEXT_ICON_POWER:
        arc(p, 12, 13, 7.6, -55, 235, 2.2);
        seg(p, 12, 3, 12, 11.5, 2.2);
        break;
    case TEXT_ICON_UPLOAD:
        seg(p, 12, 15.5, 12, 3.5, 2.2);
        seg(p, 7, 8.5, 12, 3.5, 2.2);
        seg(p, 17, 8.5, 12, 3.5, 2.2);
        seg(p, 4, 14.5, 4, 20.2, 2.2);
        seg(p, 4, 20.2, 20, 20.2, 2.2);
        seg(p, 20, 20.2, 20, 14.5, 2.2);
        break;
    case TEXT_ICON_FINGERPRINT:
        arc(p, 12, 12.5, 9.3, -150, -30, 1.7);
        arc(p, 12, 12.5, 6.5, -180, 0, 1.7);
        seg(p, 5.5, 12.5, 5.5, 16, 1.7);
        seg(p, 18.5, 12.5, 18.5, 14.5, 1.7);
        arc(p, 12, 12.5, 3.7, -180, 0, 1.7);
        seg(p, 8.3, 12.5, 8.3, 19, 1.7);
        seg(p, 15.7, 12.5, 15.7, 20.5, 1.7);
        seg(p, 12, 11, 12, 21.5, 1.7);
        break;
    case TEXT_ICON_SPEAKER:
    case TEXT_ICON_SPEAKER_UP:
    case TEXT_ICON_SPEAKER_DOWN: {
        /* A loudspeaker: box and cone, then sound waves or a plus / minus. */
        static const double cone[] = {2.5, 8.5, 7, 8.5, 12.5, 3.5, 12.5, 20.5, 7, 15.5, 2.5, 15.5};
        poly(p, cone, 6, true);
        if (icon == TEXT_ICON_SPEAKER) {
            arc(p, 12.5, 12, 4.2, -50, 50, 2);
            arc(p, 12.5, 12, 8, -55, 55, 2);
        } else {
            seg(p, 15, 12, 21.5, 12, 2.4);
            if (icon == TEXT_ICON_SPEAKER_UP)
                seg(p, 18.25, 8.75, 18.25, 15.25, 2.4);
        }
        break;
    }
    case TEXT_ICON_SELECT_ALL:
        rrect_ring(p, 3.5, 3.5, 17, 17, 3, 2);
        seg(p, 7.5, 12.5, 10.8, 15.8, 2.4);
        seg(p, 10.8, 15.8, 16.8, 8.8, 2.4);
        break;
    case TEXT_ICON_SETTINGS: {
        /* Eight teeth on a wheel, a hole in the middle. */
        double g[2 * 32];
        for (int i = 0; i < 8; i++) {
            static const double da[4] = {-16, -9, 9, 16}, rr[4] = {7.4, 10.4, 10.4, 7.4};
            for (int k = 0; k < 4; k++) {
                double a = (i * 45 + da[k]) * M_PI / 180;
                g[2 * (4 * i + k)] = 12 + rr[k] * cos(a);
                g[2 * (4 * i + k) + 1] = 12 + rr[k] * sin(a);
            }
        }
        poly(p, g, 32, true);
        circle(p, 12, 12, 3.4, false);
        break;
    }
    case TEXT_ICON_ERASE: {
        static const double o[] = {1.6, 12, 7.6, 4.6, 22, 4.6, 22, 19.4, 7.6, 19.4};
        static const double i[] = {4.2, 12, 8.6, 6.6, 20, 6.6, 20, 17.4, 8.6, 17.4};
        poly(p, o, 5, true);
        poly(p, i, 5, false);
        seg(p, 11.6, 9.2, 16.8, 14.8, 2.1);
        seg(p, 16.8, 9.2, 11.6, 14.8, 2.1);
        break;
    }
    default:
        break;
    }
}

int icon_render(struct text_ctx *t, enum text_icon icon, int size, struct text_block *b)
{
    memset(b, 0, sizeof(*b));
    struct path *p = calloc(1, sizeof(*p));
    char *text = strdup("");
    uint8_t *alpha = calloc((size_t)size * (size_t)size, 1);
    int rc = -1;
    if (!p || !text || !alpha)
        goto out;
    p->s = size / 24.0;
    p->size = size;
    draw_icon(p, icon);
    if (p->overflow)
        goto out;
    FT_Outline ol;
    memset(&ol, 0, sizeof ol);
    ol.n_points = (short)p->np;
    ol.n_contours = (short)p->nc;
    ol.points = p->pts;
    ol.tags = p->tags;
    ol.contours = p->ends;
    ol.flags = FT_OUTLINE_NONE;    /* non-zero winding */
    FT_Bitmap bm;
    FT_Bitmap_Init(&bm);
    bm.rows = (unsigned)size;
    bm.width = (unsigned)size;
    bm.pitch = size;
    bm.buffer = alpha;
    bm.num_grays = 256;
    bm.pixel_mode = FT_PIXEL_MODE_GRAY;
    if (p->np && FT_Outline_Get_Bitmap(t->lib, &ol, &bm))
        goto out;
    b->width = b->height = size;
    b->text_width = size;
    b->line_pitch = size;
    b->nlines = 0;
    b->text = text;
    b->ink_w = b->ink_h = size;
    b->alpha = alpha;
    text = NULL;
    alpha = NULL;
    rc = 0;
out:
    free(p);
    free(text);
    free(alpha);
    return rc;
}
