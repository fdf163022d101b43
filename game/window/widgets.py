"""Widgets: buttons, portraits and badges, reading bars, pips and chips.

Widgets are small dataclasses holding what to show; drawing functions take a
:class:`~game.window.render.Ctx`. None of them knows the game's rules.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import pygame

from .render import Ctx
from .theme import Colour, ink_on, initials, mix


@dataclass(eq=False)
class Button:
    id: str
    label: str
    action: Callable[[], None] | None = None
    enabled: bool = True
    primary: bool = False
    key_hint: str = ""          # shown in a key cap: "1", "B", "Esc"
    detail: str = ""            # second line: a reason, a cost, a value
    icon: str = ""              # "lock", "link", "eye", "ear", "chat"
    size: str = "body"
    compact: bool = False       # less padding, for narrow tabs
    badge: tuple | None = None  # (name, agency, colour): a stakeholder's badge in place of an icon
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    area: object | None = None  # the ScrollArea it is drawn in: focusing it scrolls it into view
    tooltip: str = ""           # shown while the mouse is over it (a locked tab's reason)
    kind: str = ""              # "stepper" (arrows either side of a value) or "toggle" (a switch)
    on: bool = False            # a toggle's state

    def activate(self) -> bool:
        if self.enabled and self.action is not None:
            self.action()
            return True
        return False


def button_height(ctx: Ctx, btn: Button, width: int) -> int:
    t = ctx.theme
    inner = _label_width(ctx, btn, width)
    h = ctx.paragraph_height(btn.label, inner, btn.size, "bold" if btn.primary else "regular", spacing=1.05)
    if btn.detail:
        h += ctx.paragraph_height(btn.detail, inner, "small", spacing=1.0) + t.s(0.25)
    return max(h + t.s(2.2), t.s(5.5))


def button_width(ctx: Ctx, btn: Button, whole: bool = True) -> int:
    """The width that shows the label on one line (``whole``), or its longest word:
    narrower than that, a word would have to break."""
    from .render import WRAP_SLACK

    weight = "bold" if btn.primary else "regular"
    if whole:
        text_w = ctx.measure(btn.label, btn.size, weight)[0]
        if btn.detail:
            text_w = max(text_w, ctx.measure(btn.detail, "small")[0])
    else:
        text_w = max([ctx.measure(w, btn.size, weight)[0] for w in btn.label.split()]
                     + [ctx.measure(w, "small")[0] for w in (btn.detail.split() if btn.detail else [])] + [0])
    extra = _label_width(ctx, btn, 10_000)
    return 10_000 - extra + text_w + WRAP_SLACK + 2


def _cap_width(ctx: Ctx, btn: Button) -> int:
    if not btn.key_hint:
        return 0
    w, _ = ctx.measure(btn.key_hint, "label", "bold")
    return max(w + ctx.theme.s(1.5), ctx.theme.s(3.5))


def _label_width(ctx: Ctx, btn: Button, width: int) -> int:
    t = ctx.theme
    pad = t.s(1) if btn.compact else t.s(2)
    cap = _cap_width(ctx, btn)
    icon = t.s(3) if btn.icon else ((max(t.s(4), ctx.measure("MW", "label", "bold")[0] + t.s(1)) + t.s(1)) if btn.badge else 0)
    if btn.kind == "stepper":
        icon += 2 * _arrow_box(ctx)
    elif btn.kind == "toggle":
        icon += _switch_size(ctx)[0] + t.s(1.5)
    return max(20, width - pad * 2 - (cap + t.s(1.5) if cap else 0) - icon)


def _arrow_box(ctx: Ctx) -> int:
    """Room for one stepper arrow."""
    return max(ctx.theme.s(3), ctx.line_height(ctx.theme.type.small) * 3 // 4)


def _switch_size(ctx: Ctx) -> tuple[int, int]:
    h = max(ctx.theme.s(2.5), ctx.line_height("small") * 3 // 4)
    return h * 2, h


def draw_button(ctx: Ctx, btn: Button, focused: bool, hovered: bool = False) -> None:
    """Draw a button; its picture is cached (per look and size) when ``ctx.widget_cache`` is set."""
    cache = ctx.widget_cache
    if cache is None or ctx.log is not None:
        _paint_button(ctx, btn, btn.rect, focused, hovered)
    else:
        r = btn.rect
        key = (btn.label, btn.detail, btn.key_hint, btn.icon, btn.size, btn.primary, btn.enabled, btn.compact,
               btn.badge, btn.kind, btn.on, r.size, focused, hovered and btn.enabled, id(ctx.theme))
        surf = cache.get(key)
        if surf is None:
            from .render import Ctx as _Ctx

            surf = pygame.Surface(r.size, pygame.SRCALPHA)
            sub = _Ctx(surf, ctx.theme, ctx.fonts, ctx.cache, None)
            _paint_button(sub, btn, pygame.Rect(0, 0, r.width, r.height), focused, hovered)
            cache.put(key, surf)
        ctx.surface.blit(surf, r)
    if focused:
        ctx.focus_ring(btn.id, btn.rect)


def _paint_button(ctx: Ctx, btn: Button, r: pygame.Rect, focused: bool, hovered: bool) -> None:
    t = ctx.theme
    pal = t.pal
    if not btn.enabled:
        bg, fg, border = pal.disabled, pal.disabled_text, pal.line
    elif btn.primary:
        bg, fg, border = pal.accent, pal.accent_text, pal.accent
    else:
        bg, fg, border = pal.button, pal.button_text, pal.line
    if hovered and btn.enabled and not t.settings.high_contrast:
        bg = mix(bg, pal.focus, 0.12)
    pygame.draw.rect(ctx.surface, bg, r, border_radius=t.radius)
    bw = t.border * (2 if (focused or t.settings.high_contrast) else 1)
    pygame.draw.rect(ctx.surface, border, r, width=bw, border_radius=t.radius)
    if not btn.enabled:
        # hatching marks a disabled button as well as its grey
        _hatch(ctx.surface, r.inflate(-bw * 2, -bw * 2), mix(bg, fg, 0.18), t.s(1.2))
    ctx.widget(btn.id, r)
    pad = t.s(1) if btn.compact else t.s(2)
    x = r.left + pad
    cap = _cap_width(ctx, btn)
    with ctx.panel(r, f"button:{btn.id}"):
        if cap:
            ch = t.s(3.2)
            crect = pygame.Rect(x, r.top + (r.height - ch) // 2, cap, ch)
            cap_bg = mix(bg, fg, 0.14)
            pygame.draw.rect(ctx.surface, cap_bg, crect, border_radius=max(2, t.radius // 2))
            pygame.draw.rect(ctx.surface, mix(bg, fg, 0.45), crect, width=max(1, t.border), border_radius=max(2, t.radius // 2))
            ctx.text(btn.key_hint, crect.center, "label", fg, "bold", anchor="center")
            x = crect.right + t.s(1.5)
        right = r.right - pad
        if btn.kind == "stepper":
            # arrows either side of the value say "Left and Right change this"
            ab = _arrow_box(ctx)
            ah = ab // 3
            for sign, ax in ((-1, x + ab // 2), (1, r.right - pad - ab // 2)):
                pts = [(ax - sign * ah // 2, r.centery - ah), (ax - sign * ah // 2, r.centery + ah), (ax + sign * ah, r.centery)]
                pygame.draw.polygon(ctx.surface, fg, pts)
            x += ab
            right -= ab
        elif btn.kind == "toggle":
            sw, sh = _switch_size(ctx)
            track = pygame.Rect(x, r.centery - sh // 2, sw, sh)
            on_col = pal.accent if not t.settings.high_contrast else pal.focus
            pygame.draw.rect(ctx.surface, on_col if btn.on else mix(bg, fg, 0.25), track, border_radius=sh // 2)
            pygame.draw.rect(ctx.surface, fg, track, width=max(1, t.border), border_radius=sh // 2)
            knob = pygame.Rect(0, 0, sh - 6, sh - 6)
            knob.center = (track.right - sh // 2, track.centery) if btn.on else (track.left + sh // 2, track.centery)
            pygame.draw.ellipse(ctx.surface, (255, 255, 255) if btn.on else fg, knob)
            pygame.draw.ellipse(ctx.surface, mix(fg, bg, 0.3), knob, 1)
            x = track.right + t.s(1.5)
        if btn.icon:
            draw_icon(ctx, btn.icon, pygame.Rect(x, r.centery - t.s(1.2), t.s(2.4), t.s(2.4)), fg)
            x += t.s(3)
        elif btn.badge:
            bs = max(t.s(4), ctx.measure("MW", "label", "bold")[0] + t.s(1))
            name, agency, colour = btn.badge
            draw_badge(ctx, pygame.Rect(x, r.centery - bs // 2, bs, bs), name, agency, colour)
            x += bs + t.s(1)
        width = right - x
        weight = "bold" if btn.primary else "regular"
        lh = ctx.paragraph_height(btn.label, width, btn.size, weight, spacing=1.05)
        dh = ctx.paragraph_height(btn.detail, width, "small", spacing=1.0) + t.s(0.25) if btn.detail else 0
        y = r.top + (r.height - lh - dh) // 2
        ctx.paragraph(btn.label, pygame.Rect(x, y, width, lh + 2), btn.size, fg, weight, spacing=1.05)
        if btn.detail:
            dcol = fg if not btn.enabled else mix(fg, bg, 0.25)
            ctx.paragraph(btn.detail, pygame.Rect(x, y + lh + t.s(0.25), width, dh + 2), "small", dcol, spacing=1.0)


def _hatch(surface: pygame.Surface, rect: pygame.Rect, colour: Colour, step: int) -> None:
    old = surface.get_clip()
    surface.set_clip(rect.clip(old))
    for x in range(rect.left - rect.height, rect.right, max(4, step)):
        pygame.draw.line(surface, colour, (x, rect.bottom), (x + rect.height, rect.top), 1)
    surface.set_clip(old)


# ---- icons ---------------------------------------------------------------
def draw_icon(ctx: Ctx, name: str, rect: pygame.Rect, colour: Colour) -> None:
    s = ctx.surface
    w = max(1, rect.width // 8)
    cx, cy = rect.center
    if name == "lock":
        body = pygame.Rect(0, 0, rect.width * 0.8, rect.height * 0.55)
        body.midbottom = rect.midbottom
        pygame.draw.rect(s, colour, body, border_radius=max(1, w))
        arc = pygame.Rect(0, 0, rect.width * 0.55, rect.height * 0.75)
        arc.midtop = rect.midtop
        pygame.draw.arc(s, colour, arc, 0, math.pi, max(2, w + 1))
        pygame.draw.line(s, colour, (arc.left + 1, arc.centery), (arc.left + 1, body.top), max(2, w + 1))
        pygame.draw.line(s, colour, (arc.right - 2, arc.centery), (arc.right - 2, body.top), max(2, w + 1))
    elif name == "eye":  # balcony: looking over
        pygame.draw.ellipse(s, colour, rect.inflate(0, -rect.height // 3), max(2, w))
        pygame.draw.circle(s, colour, rect.center, max(2, rect.width // 6))
    elif name == "ear":  # listen
        pygame.draw.arc(s, colour, rect.inflate(-rect.width // 4, 0), -math.pi / 2, math.pi * 1.1, max(2, w))
        pygame.draw.circle(s, colour, (cx, cy), max(1, rect.width // 10))
    elif name == "chat":  # one-to-one
        b1 = pygame.Rect(rect.left, rect.top, rect.width * 0.7, rect.height * 0.55)
        b2 = pygame.Rect(rect.left + rect.width * 0.3, rect.top + rect.height * 0.4, rect.width * 0.7, rect.height * 0.55)
        pygame.draw.rect(s, colour, b1, max(2, w), border_radius=max(2, rect.width // 6))
        pygame.draw.rect(s, colour, b2, 0, border_radius=max(2, rect.width // 6))
    elif name == "link":  # a delayed consequence tied to its cause
        r1 = pygame.Rect(rect.left, cy - rect.height // 4, rect.width * 0.6, rect.height // 2)
        r2 = r1.move(rect.width * 0.4, 0)
        pygame.draw.rect(s, colour, r1, max(2, w), border_radius=rect.height // 4)
        pygame.draw.rect(s, colour, r2, max(2, w), border_radius=rect.height // 4)
    elif name == "alert":  # event
        pts = [(cx, rect.top), (rect.right, rect.bottom), (rect.left, rect.bottom)]
        pygame.draw.polygon(s, colour, pts, max(2, w))
        pygame.draw.line(s, colour, (cx, rect.top + rect.height * 0.35), (cx, rect.top + rect.height * 0.68), max(2, w))
        pygame.draw.circle(s, colour, (cx, rect.top + rect.height * 0.82), max(1, w))
    elif name == "calendar":
        body = rect.inflate(-2, -rect.height // 6)
        pygame.draw.rect(s, colour, body, max(2, w), border_radius=max(1, w))
        pygame.draw.line(s, colour, (body.left, body.top + body.height // 3), (body.right - 1, body.top + body.height // 3), max(2, w))
    elif name == "check":
        pygame.draw.lines(s, colour, False, [(rect.left, cy), (cx - rect.width // 8, rect.bottom - w * 2), (rect.right, rect.top + w)], max(2, w + 1))
    elif name == "flag":
        pygame.draw.line(s, colour, (rect.left + w, rect.top), (rect.left + w, rect.bottom), max(2, w))
        pygame.draw.polygon(s, colour, [(rect.left + w, rect.top), (rect.right, rect.top + rect.height // 4), (rect.left + w, rect.top + rect.height // 2)])
    else:
        pygame.draw.circle(s, colour, rect.center, rect.width // 3)


# ---- portraits and badges ---------------------------------------------------
def shape_points(shape: str, rect: pygame.Rect) -> list[tuple[float, float]] | None:
    cx, cy = rect.center
    r = min(rect.width, rect.height) / 2
    if shape == "diamond":
        return [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
    if shape == "hexagon":
        return [(cx + r * math.cos(math.pi / 6 + i * math.pi / 3), cy + r * math.sin(math.pi / 6 + i * math.pi / 3)) for i in range(6)]
    if shape == "triangle":
        return [(cx, cy - r), (cx + r * 0.98, cy + r * 0.8), (cx - r * 0.98, cy + r * 0.8)]
    if shape == "shield":
        return [(cx - r * 0.85, cy - r * 0.85), (cx + r * 0.85, cy - r * 0.85), (cx + r * 0.85, cy + r * 0.1),
                (cx, cy + r), (cx - r * 0.85, cy + r * 0.1)]
    return None


def draw_shape(surface: pygame.Surface, shape: str, rect: pygame.Rect, colour: Colour, width: int = 0) -> None:
    pts = shape_points(shape, rect)
    if pts is not None:
        pygame.draw.polygon(surface, colour, pts, width)
    elif shape == "square":
        pygame.draw.rect(surface, colour, rect, width, border_radius=max(2, rect.width // 7))
    else:
        pygame.draw.circle(surface, colour, rect.center, min(rect.width, rect.height) // 2, width)


def draw_badge(ctx: Ctx, rect: pygame.Rect, name: str, agency: str, colour: Colour, shadow: bool = False,
               label_size: str = "label") -> None:
    """A stakeholder's badge: their agency's shape in its colour, with initials."""
    t = ctx.theme
    shape = t.agency_shape(agency)
    fill = t.pal.shadow if shadow else colour
    if shadow:
        draw_shape(ctx.surface, shape, rect, mix(t.pal.panel, t.pal.shadow, 0.35))
        draw_shape(ctx.surface, shape, rect, t.pal.shadow, max(2, t.border * 2))
        ctx.text("?", rect.center, label_size, t.pal.shadow, "bold", anchor="center")
        return
    draw_shape(ctx.surface, shape, rect, fill)
    draw_shape(ctx.surface, shape, rect, mix(fill, (0, 0, 0), 0.35), max(1, t.border))
    cy = rect.centery + (rect.height // 12 if shape == "triangle" else 0)
    ctx.text(initials(name), (rect.centerx, cy), label_size, ink_on(fill), "bold", anchor="center")


def draw_portrait(ctx: Ctx, rect: pygame.Rect, name: str, agency: str, colour: Colour, narrator: bool = False) -> None:
    """A speaker's portrait: a framed card with a bust drawn in the agency colour."""
    t = ctx.theme
    pal = t.pal
    s = ctx.surface
    bg = mix(colour, pal.panel, 0.78) if not narrator else pal.panel_alt
    pygame.draw.rect(s, bg, rect, border_radius=t.radius)
    old = s.get_clip()
    s.set_clip(rect.clip(old))
    if narrator:
        # the narrator: a balcony rail over a floor of dots
        for i in range(5):
            for j in range(3):
                pygame.draw.circle(s, mix(pal.panel_alt, pal.text, 0.35),
                                   (rect.left + rect.width * (i + 0.5 + 0.5 * (j % 2)) / 5.5,
                                    rect.top + rect.height * (0.62 + j * 0.13)), max(2, rect.width // 28))
        rail_y = rect.top + rect.height * 0.38
        pygame.draw.line(s, pal.text_muted, (rect.left, rail_y), (rect.right, rail_y), max(2, rect.width // 24))
        for k in range(7):
            x = rect.left + rect.width * (k + 0.5) / 7
            pygame.draw.line(s, pal.text_muted, (x, rail_y), (x, rail_y + rect.height * 0.16), max(1, rect.width // 40))
    else:
        body_col = colour
        shoulders = pygame.Rect(0, 0, rect.width * 0.86, rect.height * 0.62)
        shoulders.midtop = (rect.centerx, rect.top + rect.height * 0.64)
        pygame.draw.ellipse(s, body_col, shoulders)
        head = pygame.Rect(0, 0, rect.width * 0.44, rect.width * 0.44)
        head.midbottom = (rect.centerx, rect.top + rect.height * 0.68)
        pygame.draw.ellipse(s, mix(body_col, (255, 255, 255), 0.25), head)
        pygame.draw.ellipse(s, mix(body_col, (0, 0, 0), 0.3), head, max(1, t.border))
        ctx.text(initials(name), head.center, "h3", ink_on(mix(body_col, (255, 255, 255), 0.25)), "bold", anchor="center")
        # agency emblem in the corner: shape as well as colour
        er = pygame.Rect(0, 0, rect.width // 4, rect.width // 4)
        er.topright = (rect.right - rect.width // 14, rect.top + rect.width // 14)
        draw_shape(s, t.agency_shape(agency), er, body_col)
        draw_shape(s, t.agency_shape(agency), er, mix(body_col, (0, 0, 0), 0.35), max(1, t.border))
    s.set_clip(old)
    pygame.draw.rect(s, colour if not narrator else pal.line, rect, width=max(2, t.border * 2), border_radius=t.radius)


# ---- readings ---------------------------------------------------------------
def draw_band(ctx: Ctx, rect: pygame.Rect, lo: float, hi: float, vmin: float = 0, vmax: float = 100,
              exact: float | None = None) -> None:
    """A track with a shaded band lo..hi (a balcony reading: never exact)."""
    t = ctx.theme
    pal = t.pal
    s = ctx.surface
    track = pal.panel_alt
    pygame.draw.rect(s, track, rect, border_radius=rect.height // 2)
    pygame.draw.rect(s, pal.line, rect, width=1, border_radius=rect.height // 2)
    span = max(1e-9, vmax - vmin)
    x0 = rect.left + (max(vmin, min(vmax, lo)) - vmin) / span * rect.width
    x1 = rect.left + (max(vmin, min(vmax, hi)) - vmin) / span * rect.width
    band = pygame.Rect(round(x0), rect.top, max(3, round(x1 - x0)), rect.height)
    pygame.draw.rect(s, pal.band, band, border_radius=rect.height // 2)
    # soft edges say "about here", not "exactly here"
    pygame.draw.rect(s, mix(pal.band, pal.text, 0.55), band, width=1, border_radius=rect.height // 2)
    if exact is not None:
        xe = rect.left + (max(vmin, min(vmax, exact)) - vmin) / span * rect.width
        pygame.draw.line(s, pal.text, (xe, rect.top - 3), (xe, rect.bottom + 2), max(2, t.border * 2))


def draw_pips(ctx: Ctx, pos: tuple[int, int], filled: int, total: int, colour: Colour, empty: Colour) -> int:
    """Attention pips: filled and hollow circles. Returns the right edge."""
    t = ctx.theme
    r = t.s(0.9)
    x, y = pos
    for i in range(total):
        c = (x + r, y)
        if i < filled:
            pygame.draw.circle(ctx.surface, colour, c, r)
        else:
            pygame.draw.circle(ctx.surface, empty, c, r, max(2, t.border * 2))
        x += r * 2 + t.s(0.6)
    return x


def draw_chip(ctx: Ctx, text: str, pos: tuple[int, int], fill: Colour, fg: Colour, icon: str = "",
              size: str = "label", max_width: int | None = None) -> pygame.Rect:
    """A small labelled tag; ``icon`` makes the kind readable without colour."""
    t = ctx.theme
    tw, th = ctx.measure(text, size, "bold")
    pad = t.s(1)
    iw = th if icon else 0
    w = tw + pad * 2 + (iw + t.s(0.5) if icon else 0) + 4  # + the ellipsis slack of Ctx.text
    if max_width is not None:
        w = min(w, max_width)
    rect = pygame.Rect(pos[0], pos[1], w, th + t.s(0.5))
    pygame.draw.rect(ctx.surface, fill, rect, border_radius=rect.height // 2)
    x = rect.left + pad
    if icon:
        draw_icon(ctx, icon, pygame.Rect(x, rect.centery - iw // 2 + 1, iw - 2, iw - 2), fg)
        x += iw + t.s(0.5)
    with ctx.panel(rect, f"chip:{text}", radius=rect.height // 2):
        ctx.text(text, (x, rect.centery), size, fg, "bold", max_width=rect.right - pad - x, anchor="midleft")
    return rect


def draw_scroll_hint(ctx: Ctx, rect: pygame.Rect, up: bool, down: bool, colour: Colour) -> None:
    """Small arrows just outside a scroll area's top and bottom edges when there is more to read."""
    t = ctx.theme
    s = max(3, t.s(0.8))
    cx = rect.centerx
    if up:
        y = rect.top - 2
        pygame.draw.polygon(ctx.surface, colour, [(cx - s, y), (cx + s, y), (cx, y - s)])
    if down:
        y = rect.bottom + 2
        pygame.draw.polygon(ctx.surface, colour, [(cx - s, y), (cx + s, y), (cx, y + s)])
