"""Drawing shared by several screens: the backdrop, headers and footers."""
from __future__ import annotations

import pygame

from ..render import Ctx
from ..tts import sentence, sentences  # noqa: F401  (screens import them from here)
from ..theme import mix


def draw_backdrop(ctx: Ctx, motif: bool = True) -> None:
    """The window background: a deep band with a quiet dance-floor motif."""
    t = ctx.theme
    pal = t.pal
    s = ctx.surface
    w, h = s.get_size()
    s.fill(pal.bg)
    if not motif or t.settings.high_contrast:
        return
    # a floor of dots in perspective, seen from above: the dance floor
    horizon = int(h * 0.58)
    dot = mix(pal.bg, pal.text_on_bg, 0.09)
    rows = 9
    for r in range(rows):
        p = (r + 1) / rows
        y = horizon + int((h - horizon) * p ** 1.6)
        n = 14 + r * 3
        rad = max(1, round(t.ui * (1.2 + 2.2 * p)))
        for i in range(n + 1):
            x = int(w * 0.5 + (i / n - 0.5) * w * (0.55 + 0.9 * p))
            pygame.draw.circle(s, dot, (x, y), rad)
    # the balcony rail
    rail = mix(pal.bg, pal.text_on_bg, 0.14)
    ry = int(h * 0.5)
    pygame.draw.line(s, rail, (0, ry), (w, ry), max(2, t.s(0.5)))
    step = t.s(6)
    for x in range(step // 2, w, step):
        pygame.draw.line(s, rail, (x, ry), (x, ry + t.s(3.5)), max(1, t.s(0.25)))
    pygame.draw.line(s, rail, (0, ry + t.s(3.5)), (w, ry + t.s(3.5)), max(1, t.s(0.25)))


def draw_screen_header(ctx: Ctx, title: str, subtitle: str = "") -> int:
    """A heading on the window background; returns the y below it."""
    t = ctx.theme
    x, y = t.s(6), t.s(4)
    w = ctx.surface.get_width() - t.s(12)
    r = ctx.text(title, (x, y), "h1", t.pal.text_on_bg, "bold", max_width=w)
    y = r.bottom + t.s(0.5)
    if subtitle:
        r = ctx.text(subtitle, (x, y), "body", t.pal.muted_on_bg, max_width=w)
        y = r.bottom
    return y + t.s(3)


def draw_footer_hint(ctx: Ctx, text: str, wrap: bool = False) -> int:
    """The hint at the foot of a screen; returns its top. One line cut with an ellipsis, or with ``wrap``
    as many lines as it takes (for a hint that must be read whole, like the title screen's credit)."""
    t = ctx.theme
    w, h = ctx.surface.get_size()
    if not wrap:
        return ctx.text(text, (t.s(6), h - t.s(2)), "label", t.pal.muted_on_bg, max_width=w - t.s(12),
                        anchor="bottomleft").top
    width = w - t.s(12)
    height = ctx.paragraph_height(text, width, "label", spacing=1.0)
    top = h - t.s(2) - height
    ctx.paragraph(text, pygame.Rect(t.s(6), top, width, height), "label", t.pal.muted_on_bg, spacing=1.0)
    return top


def centred_card(ctx: Ctx, width_units: float, height: int) -> pygame.Rect:
    t = ctx.theme
    w, h = ctx.surface.get_size()
    cw = min(w - t.s(6), t.s(width_units))
    ch = min(h - t.s(6), height)
    return pygame.Rect((w - cw) // 2, (h - ch) // 2, cw, ch)


def fit_width(ctx: Ctx, button, min_units: float, available: int) -> int:
    """A button's width: at least ``min_units``, wide enough for its label on one line, at most ``available``."""
    from ..widgets import button_width

    return min(available, max(ctx.theme.s(min_units), button_width(ctx, button)))


def scroll_card(ctx: Ctx, area, name: str, width: int, content_h: int, fixed_h: int, fill, border) -> pygame.Rect:
    """A centred card sized to its content (``content_h`` scrolled plus ``fixed_h`` fixed), never taller
    than the window allows."""
    t = ctx.theme
    w, h = ctx.surface.get_size()
    cw = min(w - t.s(4), width)
    ch = min(h - t.s(4), content_h + fixed_h)
    return pygame.Rect((w - cw) // 2, (h - ch) // 2, cw, ch)
