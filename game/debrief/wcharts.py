"""The window's debrief charts, drawn with pygame: line charts with axes, labels and a legend, and the
dimensions chart. Each series has an Okabe-Ito colour *and* a dash pattern and a marker; text uses the
window's fonts (its text size, the dyslexia font) and the theme's palette (high contrast).

Drawn into an off-screen surface that the screen caches and blits: `bench/debrief_charts.py` measured
this against matplotlib's Agg back end on the same data (docs/performance.md).
"""
from __future__ import annotations

import math

import pygame

from game.i18n import _, ngettext

#: Okabe-Ito, in the order series take them; darker ones first on the light panel.
LIGHT = ((0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (230, 159, 0), (86, 180, 233), (0, 0, 0))
#: On high contrast's black: the light members of the palette, and white.
DARK = ((86, 180, 233), (230, 159, 0), (0, 158, 115), (240, 228, 66), (204, 121, 167), (213, 94, 0), (255, 255, 255))
DASHES = ((), (10, 5), (3, 4), (10, 4, 3, 4), (16, 5), (2, 2), (6, 3, 2, 3, 2, 3))
MARKERS = ("circle", "square", "triangle", "diamond", "down", "plus", "cross")


def palette(theme) -> tuple:
    return DARK if theme.settings.high_contrast else LIGHT


def style(theme, i: int) -> tuple:
    """(colour, dash pattern, marker) of series i; no two of the first 49 series share all three."""
    n = len(LIGHT)
    return palette(theme)[i % n], DASHES[(i + i // n) % len(DASHES)], MARKERS[(i + 2 * (i // n)) % len(MARKERS)]


def dashed(surf, colour, points, dash, width):
    """A polyline with a dash pattern (in multiples of the line width); solid when `dash` is empty."""
    if len(points) < 2:
        return
    if not dash:
        pygame.draw.lines(surf, colour, False, points, width)
        return
    scale = max(1, width * 0.7)
    pattern = [d * scale for d in dash]
    k, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < seg:
            step = min(left, seg - pos)
            if on and seg:
                a = (x0 + (x1 - x0) * pos / seg, y0 + (y1 - y0) * pos / seg)
                b = (x0 + (x1 - x0) * (pos + step) / seg, y0 + (y1 - y0) * (pos + step) / seg)
                pygame.draw.line(surf, colour, a, b, width)
            pos += step
            left -= step
            if left <= 1e-9:
                k = (k + 1) % len(pattern)
                left, on = pattern[k], not on


def marker(surf, kind, centre, r, colour, edge=None):
    x, y = centre
    if kind == "circle":
        pygame.draw.circle(surf, colour, (round(x), round(y)), r)
        if edge:
            pygame.draw.circle(surf, edge, (round(x), round(y)), r, 1)
        return
    pts = {
        "square": [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)],
        "triangle": [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)],
        "down": [(x, y + r * 1.2), (x + r * 1.1, y - r * 0.8), (x - r * 1.1, y - r * 0.8)],
        "diamond": [(x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y)],
    }.get(kind)
    if pts is not None:
        pygame.draw.polygon(surf, colour, pts)
        if edge:
            pygame.draw.polygon(surf, edge, pts, 1)
        return
    w = max(2, r // 2)
    if kind == "plus":
        pygame.draw.line(surf, colour, (x - r, y), (x + r, y), w)
        pygame.draw.line(surf, colour, (x, y - r), (x, y + r), w)
    else:
        pygame.draw.line(surf, colour, (x - r, y - r), (x + r, y + r), w)
        pygame.draw.line(surf, colour, (x - r, y + r), (x + r, y - r), w)


class Painter:
    """Text and lines on an off-screen surface with the window's fonts and palette."""

    def __init__(self, ctx, size):
        self.ctx = ctx
        self.t = ctx.theme
        self.pal = ctx.theme.pal
        self.surf = pygame.Surface(size)
        self.surf.fill(self.pal.panel)

    def text(self, s, pos, size="label", colour=None, weight="regular", anchor="topleft", max_width=None):
        from game.window.render import ellipsize
        font, fkey = self.ctx.font(size, weight)
        if max_width is not None and font.size(s)[0] > max_width:
            s = ellipsize(s, font, max_width)
        img = self.ctx.cache.line(s, font, fkey, colour or self.pal.text)
        r = img.get_rect(**{anchor: pos})
        self.surf.blit(img, r)
        return r

    def measure(self, s, size="label", weight="regular"):
        return self.ctx.measure(s, size, weight)


def _legend(p: Painter, items, x, y, width) -> int:
    """Legend entries (label, colour, dash, marker) in rows within `width`; returns the height used."""
    t = p.t
    lh = p.ctx.line_height("label")
    sample = t.s(4)
    cx, cy = x, y
    for label, colour, dash, mk in items:
        w = sample + t.s(1) + p.measure(label)[0] + t.s(2)
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + lh + t.s(0.5)
        mid = cy + lh // 2
        if dash is not None:
            dashed(p.surf, colour, [(cx, mid), (cx + sample, mid)], dash, max(2, t.s(0.3)))
        if mk:
            marker(p.surf, mk, (cx + sample / 2, mid), max(3, t.s(0.6)), colour, p.pal.text)
        p.text(label, (cx + sample + t.s(1), cy), max_width=width - sample - t.s(1))
        cx += w
    return cy + lh - y


def line_chart_min_height(ctx, width, legend, title="", bands=False, exact=False) -> int:
    """The least height at which `line_chart` draws its plot with this legend (the labels of its series) at
    this width: the title, the legend's rows as `_legend` wraps them, the axis labels and a small plot. At
    the largest text the legend alone can take more than the debrief's view (the meters' nine series)."""
    t = ctx.theme
    lh = ctx.line_height("label")
    labels = list(legend) + ([_("balcony reading (a band)")] if bands else []) + ([_("one-to-one (exact)")] if exact else [])
    h = t.s(0.5) + ((ctx.line_height("small", "bold") + t.s(0.5)) if title else 0)
    sample, cx, rows = t.s(4), 0, 1
    for label in labels:
        w = sample + t.s(1) + ctx.measure(label, "label")[0] + t.s(2)
        if cx > 0 and cx + w > width - t.s(2):
            cx, rows = 0, rows + 1
        cx += w
    h += rows * lh + (rows - 1) * t.s(0.5) + t.s(1)       # the legend
    h += lh + lh // 2 + t.s(0.5)                            # the y label
    return h + t.s(18) + lh * 2 + t.s(1.5)                  # a plot, and the x labels under it


def line_chart(ctx, size, labels, series, y_label, lo=0.0, hi=100.0, bands=(), exact=(), title="") -> pygame.Surface:
    """A line chart: `series` is [(label, values, style index)] or [(label, values, (colour, dash, marker))];
    `bands` [(index, lo, hi)] drawn as bars (balcony readings); `exact` [(index, value)] as diamonds."""
    p = Painter(ctx, size)
    t, pal = p.t, p.pal
    w, h = size
    lh = ctx.line_height("label")
    items = []
    for label, values, st in series:
        colour, dash, mk = style(t, st) if isinstance(st, int) else st
        items.append((label, colour, dash, mk))
    if bands:
        items.append((_("balcony reading (a band)"), palette(t)[2], None, "square"))
    if exact:
        items.append((_("one-to-one (exact)"), palette(t)[4], None, "diamond"))
    top = t.s(0.5)
    if title:
        p.text(title, (t.s(1), top), "small", pal.text, "bold", max_width=w - t.s(2))
        top += ctx.line_height("small", "bold") + t.s(0.5)
    legend_h = _legend(p, items, t.s(1), top, w - t.s(2))
    top += legend_h + t.s(1)
    p.text(y_label, (t.s(1), top), "label", pal.text_muted)
    top += lh + lh // 2 + t.s(0.5)  # the top tick's label sits half a line above the plot
    ylab_w = max(p.measure(f"{v:g}")[0] for v in (lo, hi, (lo + hi) / 2)) + t.s(1)
    x0 = t.s(1) + ylab_w
    x1 = w - t.s(2)
    bottom = h - (lh * 2 + t.s(1.5))
    if bottom - top < t.s(4) or x1 - x0 < t.s(8):
        p.text(_("(too small to draw)"), (t.s(1), top), "label", pal.text_muted)
        return p.surf
    axis = pal.text_muted
    pygame.draw.line(p.surf, axis, (x0, top), (x0, bottom), 1)
    pygame.draw.line(p.surf, axis, (x0, bottom), (x1, bottom), 1)
    span = (hi - lo) or 1

    def ypos(v):
        return bottom - (float(v) - lo) / span * (bottom - top)
    for k in range(5):
        v = lo + span * k / 4
        yy = ypos(v)
        pygame.draw.line(p.surf, pal.line, (x0 + 1, yy), (x1, yy), 1)
        p.text(f"{v:g}", (x0 - t.s(0.5), yy), "label", axis, anchor="midright")
    n = max(1, len(labels) - 1)
    pad_l = max(t.s(1), p.measure(labels[0])[0] // 2 - ylab_w + t.s(1)) if labels else t.s(1)
    pad_r = max(t.s(1), p.measure(labels[-1])[0] // 2) if labels else t.s(1)

    def xpos(i):
        return x0 + pad_l + (x1 - x0 - pad_l - pad_r) * i / n
    widest = max((p.measure(lb)[0] for lb in labels), default=10) + t.s(1)
    every = max(1, math.ceil(widest / max(1, (x1 - x0) / max(1, len(labels)))))
    for i, lb in enumerate(labels):
        if i % every == 0:
            pygame.draw.line(p.surf, axis, (xpos(i), bottom), (xpos(i), bottom + t.s(0.5)), 1)
            p.text(lb, (xpos(i), bottom + t.s(0.6)), "label", axis, anchor="midtop")
    p.text(_("quarter"), ((x0 + x1) // 2, bottom + t.s(0.6) + lh), "label", pal.text_muted, anchor="midtop")
    lw = max(2, t.s(0.3))
    for (label, colour, dash, mk), (_label, values, _style) in zip(items, series):
        pts = [(xpos(i), ypos(v)) for i, v in enumerate(values)]
        dashed(p.surf, colour, pts, dash, lw)
        r = max(3, t.s(0.5))
        for pt in pts:
            marker(p.surf, mk, pt, r, colour)
    for i, blo, bhi in bands:
        bw = max(4, t.s(1))
        rect = pygame.Rect(0, 0, bw, max(2, round(ypos(blo) - ypos(bhi))))
        rect.midbottom = (round(xpos(i)), round(ypos(blo)))
        pygame.draw.rect(p.surf, palette(t)[2], rect)
        pygame.draw.rect(p.surf, pal.text, rect, 1)
    for i, v in exact:
        marker(p.surf, "diamond", (xpos(i), ypos(v)), max(4, t.s(0.8)), palette(t)[4], pal.text)
    return p.surf


def dimensions_chart(ctx, size, pattern) -> pygame.Surface:
    """The six dimensions: the player's share of decisions (hatched bars), each persona's 10th-90th
    percentile (a line) and median (a marker), on rows under the player's."""
    p = Painter(ctx, size)
    t, pal = p.t, p.pal
    w, h = size
    lh = ctx.line_height("label")
    cols = palette(t)
    items = [(ngettext("you ({n} decision)", "you ({n} decisions)", pattern.decisions).format(n=pattern.decisions),
              cols[0], None, "square")]
    pmarks = ("circle", "diamond", "triangle")
    for j, pr in enumerate(pattern.personas):
        label = ngettext("{name}: median, 10-90% of {n} run", "{name}: median, 10-90% of {n} runs", pr.runs)
        items.append((label.format(name=pr.label or pr.name, n=pr.runs), cols[1 + j], DASHES[j], pmarks[j % 3]))
    top = t.s(0.5) + _legend(p, items, t.s(1), t.s(0.5), w - t.s(2)) + t.s(1)
    label_w = min(w // 3, max(p.measure(u.label)[0] for u in pattern.dimensions) + t.s(1.5))
    x0, x1 = t.s(1) + label_w, w - t.s(3)
    bottom = h - (lh * 2 + t.s(1.5))
    rows = len(pattern.dimensions)
    if rows == 0 or bottom - top < rows * 6:
        return p.surf
    row_h = (bottom - top) / rows
    for k in range(5):
        xx = x0 + (x1 - x0) * k / 4
        pygame.draw.line(p.surf, pal.line, (xx, top), (xx, bottom), 1)
        p.text(f"{25 * k}%", (xx, bottom + t.s(0.5)), "label", pal.text_muted, anchor="midtop")
    p.text(_("share of decisions that drew on the dimension"), ((x0 + x1) // 2, bottom + t.s(0.5) + lh), "label",
           pal.text_muted, anchor="midtop")
    pygame.draw.line(p.surf, pal.text_muted, (x0, top), (x0, bottom), 1)
    for r, u in enumerate(pattern.dimensions):
        y = top + row_h * r
        p.text(u.label, (x0 - t.s(1), y + row_h * 0.3), "label", pal.text, anchor="midright")
        bar = pygame.Rect(x0, round(y + row_h * 0.12), max(1, round((x1 - x0) * u.share)), max(3, round(row_h * 0.34)))
        pygame.draw.rect(p.surf, cols[0], bar)
        for hx in range(bar.left - bar.height, bar.right, max(4, t.s(0.8))):  # hatching: not colour alone
            pygame.draw.line(p.surf, pal.panel, (max(bar.left, hx), min(bar.bottom, bar.bottom - (bar.left - hx))),
                             (min(bar.right, hx + bar.height), max(bar.top, bar.top + (hx + bar.height - bar.right))), 1)
        pygame.draw.rect(p.surf, pal.text, bar, 1)
        for j, s in enumerate(u.personas):
            yy = y + row_h * (0.6 + 0.18 * j)
            colour = cols[1 + j]
            dashed(p.surf, colour, [(x0 + (x1 - x0) * s.low, yy), (x0 + (x1 - x0) * max(s.high, s.low + 0.004), yy)],
                   DASHES[j], max(2, t.s(0.35)))
            marker(p.surf, pmarks[j % 3], (x0 + (x1 - x0) * s.median, yy), max(3, t.s(0.6)), colour, pal.text)
    return p.surf
