"""Fonts, the text cache, and the draw context every screen draws through.

Rendering text is the expensive part of a frame (wrapping a 700-word scene
and rendering it every frame costs ~12 ms; blitting cached lines ~1 ms), so
wrapped lines and rendered line surfaces are cached, keyed by everything that
changes their pixels. ``TextCache(enabled=False)`` is the naive renderer the
frame benchmark compares against.

Every piece of text and every interactive widget is drawn through :class:`Ctx`,
which records what it drew in a :class:`LayoutLog`: the layout tests check
that log (text inside its panel, widgets not overlapping, focus visible).
"""
from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Iterator

import pygame

from .theme import Colour, Theme

FontKey = tuple[str, int]
#: rendered glyphs can overhang their advance width by a pixel or two
WRAP_SLACK = 3


class Fonts:
    """Loaded ``pygame.font.Font`` objects, one per (file, pixel size)."""

    def __init__(self) -> None:
        self._fonts: dict[FontKey, pygame.font.Font] = {}
        self._by_style: dict[tuple[str, str, int], tuple[pygame.font.Font, FontKey]] = {}

    def get(self, theme: Theme, size: int, weight: str = "regular") -> tuple[pygame.font.Font, FontKey]:
        fast = (theme.font_family, weight, size)
        hit = self._by_style.get(fast)
        if hit is not None:
            return hit
        path = theme.font_path(weight)
        key = (str(path), size)
        font = self._fonts.get(key)
        if font is None:
            try:
                font = pygame.font.Font(path, size)
            except (OSError, FileNotFoundError):
                font = pygame.font.Font(None, size)  # the bundled default, never missing
            self._fonts[key] = font
        self._by_style[fast] = (font, key)
        return font, key


class TextCache:
    """Wrapped lines and rendered line surfaces, least-recently-used."""

    def __init__(self, enabled: bool = True, max_lines: int = 3000) -> None:
        self.enabled = enabled
        self.max_lines = max_lines
        self._lines: OrderedDict[tuple, pygame.Surface] = OrderedDict()
        self._wraps: OrderedDict[tuple, list[str]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self._lines.clear()
        self._wraps.clear()

    def line(self, text: str, font: pygame.font.Font, fkey: FontKey, colour: Colour) -> pygame.Surface:
        if not self.enabled:
            return font.render(text, True, colour)
        key = (text, fkey, colour)
        surf = self._lines.get(key)
        if surf is not None:
            self.hits += 1
            self._lines.move_to_end(key)
            return surf
        self.misses += 1
        surf = font.render(text, True, colour)
        self._lines[key] = surf
        if len(self._lines) > self.max_lines:
            self._lines.popitem(last=False)
        return surf

    def wrap(self, text: str, font: pygame.font.Font, fkey: FontKey, width: int) -> list[str]:
        """Lines of ``text`` that fit ``width``; a blank line separates paragraphs."""
        if not self.enabled:
            return wrap_text(text, font, width)
        key = (text, fkey, width)
        got = self._wraps.get(key)
        if got is None:
            got = wrap_text(text, font, width)
            self._wraps[key] = got
            if len(self._wraps) > 400:
                self._wraps.popitem(last=False)
        else:
            self._wraps.move_to_end(key)
        return got


#: where wrap_text reports words it had to break (set by Ctx while a LayoutLog records)
_BROKEN: list | None = None


def wrap_text(text: str, font: pygame.font.Font, width: int) -> list[str]:
    out: list[str] = []
    paragraphs = text.replace("\r\n", "\n").strip("\n").split("\n\n")
    space = font.size(" ")[0]
    for pi, para in enumerate(paragraphs):
        if pi:
            out.append("")
        # single line breaks inside a paragraph are soft (YAML block text), as in Markdown
        for raw in (para,):
            words = raw.split()
            if not words:
                continue
            line: list[str] = []
            lw = 0
            for word in words:
                ww = font.size(word)[0]
                if line and lw + space + ww > width:
                    out.append(" ".join(line))
                    line, lw = [], 0
                if not line and ww > width:
                    # a single word wider than the box: break it by characters (the layout
                    # tests fail when this happens: boxes must be wide enough for every word)
                    if _BROKEN is not None:
                        _BROKEN.append((word, width))
                    chunk = ""
                    for ch in word:
                        if font.size(chunk + ch)[0] > width and chunk:
                            out.append(chunk)
                            chunk = ""
                        chunk += ch
                    word, ww = chunk, font.size(chunk)[0]
                line.append(word)
                lw = ww if len(line) == 1 else lw + space + ww
            if line:
                out.append(" ".join(line))
    return out


@dataclass
class LayoutLog:
    """What a frame drew, for the layout tests."""

    #: (name, rect, viewport): ``viewport`` is the scroll area the panel is drawn in, or None
    panels: list[tuple] = field(default_factory=list)
    #: (text, rect, panel name, panel rect, viewport)
    texts: list[tuple] = field(default_factory=list)
    #: (id, rect, layer, viewport)
    widgets: list[tuple] = field(default_factory=list)
    focus: list[tuple[str, pygame.Rect]] = field(default_factory=list)
    #: (scroll area, thumb rect): the visible sign that a panel scrolls
    scrollbars: list[tuple] = field(default_factory=list)
    #: words that had to be broken inside, because they were wider than their box
    broken_words: list[tuple[str, int]] = field(default_factory=list)
    #: (original text, shown text) for every single line cut with an ellipsis
    ellipsized: list[tuple[str, str]] = field(default_factory=list)

    def clear(self) -> None:
        self.panels.clear()
        self.texts.clear()
        self.widgets.clear()
        self.focus.clear()
        self.scrollbars.clear()
        self.broken_words.clear()
        self.ellipsized.clear()


class SurfaceCache:
    """Pictures of widgets (buttons), least-recently-used, keyed by everything they show."""

    def __init__(self, max_items: int = 400) -> None:
        self.max_items = max_items
        self._items: OrderedDict[tuple, pygame.Surface] = OrderedDict()

    def get(self, key: tuple) -> pygame.Surface | None:
        surf = self._items.get(key)
        if surf is not None:
            self._items.move_to_end(key)
        return surf

    def put(self, key: tuple, surf: pygame.Surface) -> None:
        self._items[key] = surf
        if len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


class Ctx:
    """Drawing helpers bound to a surface, a theme and the caches."""

    def __init__(self, surface: pygame.Surface, theme: Theme, fonts: Fonts, cache: TextCache,
                 log: LayoutLog | None = None, widget_cache: SurfaceCache | None = None) -> None:
        self.widget_cache = widget_cache
        self.surface = surface
        self.theme = theme
        self.fonts = fonts
        self.cache = cache
        self.log = log
        self.layer = 0
        self._panel_stack: list[tuple[str, pygame.Rect]] = [("window", surface.get_rect())]
        self._views: list = []  # the scroll areas being drawn, innermost last

    # ---- fonts -----------------------------------------------------------
    def font(self, size: str | int = "body", weight: str = "regular") -> tuple[pygame.font.Font, FontKey]:
        px = size if isinstance(size, int) else getattr(self.theme.type, size)
        return self.fonts.get(self.theme, px, weight)

    def line_height(self, size: str | int = "body", weight: str = "regular", spacing: float = 1.0) -> int:
        font, _ = self.font(size, weight)
        return round(font.get_linesize() * spacing)

    def measure(self, text: str, size: str | int = "body", weight: str = "regular") -> tuple[int, int]:
        font, _ = self.font(size, weight)
        return font.size(curly(text))  # as drawn: curly quotes are wider than straight ones

    # ---- panels ------------------------------------------------------------
    @property
    def current_panel(self) -> tuple[str, pygame.Rect]:
        return self._panel_stack[-1]

    @contextlib.contextmanager
    def panel(self, rect: pygame.Rect, name: str, fill: Colour | None = None, border: Colour | None = None,
              radius: int | None = None, clip: bool = True) -> Iterator[pygame.Rect]:
        rect = pygame.Rect(rect)
        r = self.theme.radius if radius is None else radius
        if fill is not None:
            pygame.draw.rect(self.surface, fill, rect, border_radius=r)
        if border is not None:
            pygame.draw.rect(self.surface, border, rect, width=self.theme.border, border_radius=r)
        if self.log is not None:
            self.log.panels.append((name, rect.copy(), self.view))
        old_clip = self.surface.get_clip()
        if clip:
            self.surface.set_clip(rect.clip(old_clip))
        self._panel_stack.append((name, rect))
        try:
            yield rect
        finally:
            self._panel_stack.pop()
            self.surface.set_clip(old_clip)

    @property
    def view(self):
        """The scroll area being drawn into (innermost), or None."""
        return self._views[-1] if self._views else None

    @contextlib.contextmanager
    def scroll(self, area, name: str | None = None) -> Iterator[pygame.Rect]:
        """Draw content that scrolls inside ``area.rect`` (a ``ScrollArea``).

        Yields the content frame: its left, top (already moved up by
        ``area.offset``) and width, inset so a focus ring fits, with room for
        the scrollbar on the right. Set ``area.content`` to the height used
        (``frame_height(used)``), then call :meth:`scrollbar`."""
        rect = pygame.Rect(area.rect)
        pad = self.scroll_pad
        frame = pygame.Rect(rect.left + pad, rect.top + pad - area.offset,
                            max(1, rect.width - self.scrollbar_width - 2 * pad), 0)
        if self.log is not None:
            self.log.panels.append((name or area.id, rect.copy(), self.view))
        old_clip = self.surface.get_clip()
        self.surface.set_clip(rect.clip(old_clip))
        self._panel_stack.append((name or area.id, rect))
        self._views.append(area)
        try:
            yield frame
        finally:
            self._views.pop()
            self._panel_stack.pop()
            self.surface.set_clip(old_clip)

    @property
    def scroll_pad(self) -> int:
        """Inset of scrolled content: room for a focus ring inside the clip."""
        return self.theme.focus_width + 2

    @property
    def scrollbar_width(self) -> int:
        return max(12, self.theme.s(1.6))

    def scroll_content(self, used: int) -> int:
        """The content height for ``area.content`` when the content drawn was ``used`` px tall."""
        return used + 2 * self.scroll_pad

    def scrollbar(self, area) -> None:
        """A track and thumb along the right edge when ``area`` has more than it shows."""
        area.clamp()
        if area.max_offset <= 0:
            return
        t = self.theme
        r = area.rect
        bw = self.scrollbar_width
        track = pygame.Rect(r.right - bw, r.top + 2, bw - 2, r.height - 4)
        pygame.draw.rect(self.surface, t.pal.panel_alt if not t.settings.high_contrast else (0, 0, 0), track,
                         border_radius=bw // 2)
        pygame.draw.rect(self.surface, t.pal.line, track, width=1, border_radius=bw // 2)
        th = max(bw * 2, round(track.height * r.height / max(1, area.content)))
        ty = track.top + round((track.height - th) * area.offset / max(1, area.max_offset))
        thumb = pygame.Rect(track.left + 2, ty, track.width - 4, th)
        pygame.draw.rect(self.surface, t.pal.text_muted if not t.settings.high_contrast else t.pal.text, thumb,
                         border_radius=(bw - 4) // 2)
        if self.log is not None:
            self.log.scrollbars.append((area, thumb))

    def _record_text(self, text: str, rect: pygame.Rect) -> None:
        if self.log is not None and text.strip():
            name, prect = self.current_panel
            self.log.texts.append((text, rect.copy(), name, prect.copy(), self.view))

    # ---- text --------------------------------------------------------------
    def text(self, s: str, pos: tuple[int, int], size: str | int = "body", colour: Colour | None = None,
             weight: str = "regular", max_width: int | None = None, anchor: str = "topleft") -> pygame.Rect:
        """One line of text, cut with an ellipsis if wider than ``max_width``."""
        s = curly(s)
        font, fkey = self.font(size, weight)
        colour = self.theme.pal.text if colour is None else colour
        if max_width is not None and font.size(s)[0] > max_width - WRAP_SLACK:
            cut = ellipsize(s, font, max(1, max_width - WRAP_SLACK))
            if self.log is not None:
                self.log.ellipsized.append((s, cut))
            s = cut
        surf = self.cache.line(s, font, fkey, colour)
        rect = surf.get_rect(**{anchor: pos})
        self.surface.blit(surf, rect)
        self._record_text(s, rect)
        return rect

    def paragraph(self, s: str, rect: pygame.Rect, size: str | int = "body", colour: Colour | None = None,
                  weight: str = "regular", spacing: float = 1.15, scroll: int = 0,
                  reveal: int | None = None, para_gap: float = 0.6) -> int:
        """Wrapped text inside ``rect``, from ``scroll`` px down; returns the full height.

        Only lines that lie wholly inside ``rect`` are drawn. ``reveal`` limits
        how many characters show (the typewriter effect)."""
        s = curly(s)
        font, fkey = self.font(size, weight)
        colour = self.theme.pal.text if colour is None else colour
        lines = self._wrap(s, font, fkey, max(1, rect.width - WRAP_SLACK))
        lh = round(font.get_linesize() * spacing)
        gap = round(lh * para_gap)
        y = rect.top - scroll
        remaining = reveal
        clip = self.surface.get_clip()
        fh = font.get_height()
        for line in lines:
            if not line:
                y += gap
                continue
            if remaining is not None and remaining <= 0:
                break
            if y + fh <= clip.top or y >= clip.bottom:
                pass  # scrolled out of sight: neither rendered nor drawn
            elif y >= rect.top and y + fh <= rect.bottom:
                surf = self.cache.line(line, font, fkey, colour)
                lrect = surf.get_rect(topleft=(rect.left, y))
                if remaining is not None and remaining < len(line):
                    w = font.size(line[:remaining])[0]
                    self.surface.blit(surf, lrect, pygame.Rect(0, 0, w, lrect.height))
                    self._record_text(line[:remaining], pygame.Rect(lrect.left, lrect.top, w, lrect.height))
                else:
                    self.surface.blit(surf, lrect)
                    self._record_text(line, lrect)
            if remaining is not None:
                remaining -= len(line) + 1
            y += lh
        return y + scroll - rect.top

    def paragraph_height(self, s: str, width: int, size: str | int = "body", weight: str = "regular",
                         spacing: float = 1.15, para_gap: float = 0.6) -> int:
        s = curly(s)
        font, fkey = self.font(size, weight)
        lines = self._wrap(s, font, fkey, max(1, width - WRAP_SLACK))
        lh = round(font.get_linesize() * spacing)
        gap = round(lh * para_gap)
        return sum(gap if not ln else lh for ln in lines)

    def _wrap(self, s: str, font: pygame.font.Font, fkey: FontKey, width: int) -> list[str]:
        if self.log is None:
            return self.cache.wrap(s, font, fkey, width)
        global _BROKEN
        _BROKEN = self.log.broken_words
        try:
            return wrap_text(s, font, width)  # uncached, so every broken word is seen
        finally:
            _BROKEN = None

    # ---- widgets -------------------------------------------------------------
    def widget(self, wid: str, rect: pygame.Rect) -> None:
        if self.log is not None:
            self.log.widgets.append((wid, pygame.Rect(rect), self.layer, self.view))

    def focus_ring(self, wid: str, rect: pygame.Rect) -> None:
        t = self.theme
        ring = pygame.Rect(rect).inflate(t.focus_width * 2 + 2, t.focus_width * 2 + 2)
        pygame.draw.rect(self.surface, t.pal.focus, ring, width=t.focus_width, border_radius=t.radius + t.focus_width)
        if self.log is not None:
            self.log.focus.append((wid, ring))


_OPEN_BEFORE = set(" \t\n([{—–-/“‘")


@functools.lru_cache(maxsize=1024)
def curly(s: str) -> str:
    """One quote style: straight quotes in story text become the interface's curly ones (“ ” ‘ ’)."""
    if '"' not in s and "'" not in s:
        return s
    out = []
    prev = " "
    for ch in s:
        if ch == '"':
            out.append("“" if prev in _OPEN_BEFORE else "”")
        elif ch == "'":
            out.append("‘" if prev in _OPEN_BEFORE else "’")  # also the apostrophe: it's, Westway's
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def ellipsize(s: str, font: pygame.font.Font, width: int) -> str:
    ell = "…"
    if font.size(ell)[0] > width:
        return ""
    lo, hi = 0, len(s)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.size(s[:mid].rstrip() + ell)[0] <= width:
            lo = mid
        else:
            hi = mid - 1
    return s[:lo].rstrip() + ell
