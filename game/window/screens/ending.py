"""The ending screen: the ending, the strategic triangle, the way to the debrief."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pygame

from ..render import Ctx
from ..widgets import Button, button_height, draw_chip
from .base import Screen
from .common import draw_backdrop

if TYPE_CHECKING:
    from ..context import ScreenContext

QUALITY = {
    # quality: (label, icon, palette attribute)
    "best": ("Best ending", "check", "good"),
    "good": ("Good ending", "check", "good"),
    "mixed": ("Mixed ending", "flag", "warn"),
    "poor": ("Poor ending", "alert", "bad"),
}

TRIANGLE = (
    ("public_value", "Public value", "Outcomes for the people the services exist for"),
    ("legitimacy", "Legitimacy", "Support from the authorising environment"),
    ("capacity", "Operating capacity", "Relationships, resources and resilience"),
)


def debrief_hook():
    """The debrief issue provides ``game.debrief.open_debrief(context, session)``."""
    try:
        mod = importlib.import_module("game.debrief")
    except ImportError:
        return None
    return getattr(mod, "open_debrief", None)


class EndingScreen(Screen):
    name = "ending"

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.session = context.session

    def signature(self) -> str:
        e = self.session.snap.ending
        return f"ending-{getattr(e, 'id', 'none')}"

    def speech(self) -> str:
        e = self.session.snap.ending
        if e is None:
            return "The end."
        scores = ". ".join(f"{label} {round(float(e.triangle.get(k, 0)))} of 100" for k, label, _ in TRIANGLE if k in e.triangle)
        why = " ".join(getattr(e, "why", ())[:1])
        return f"The end. {e.title}. {e.text} {scores}." + (f" Why this ending: {why}" if why else "")

    def back(self) -> bool:
        return False

    def _title(self) -> None:
        self.context.end_session()
        self.context.go_home()

    def _again(self) -> None:
        from .front import BriefingScreen

        info = self.session.info
        self.context.go_home(BriefingScreen(self.context, info))

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx)
        snap = self.session.snap
        e = snap.ending
        w, h = ctx.surface.get_size()
        m = t.s(6)
        buttons = []
        hook = debrief_hook()
        if hook is not None:
            buttons.append(Button("debrief", "Read the debrief", lambda: hook(self.context, self.session), primary=True,
                                  key_hint="Enter"))
        buttons.append(Button("again", "Play again", self._again, primary=hook is None))
        buttons.append(Button("title", "Back to title", self._title, key_hint="Esc" if False else ""))
        bw = t.s(28)
        bh = max(button_height(ctx, b, bw) for b in buttons)
        x = w - m
        for b in reversed(buttons):
            b.rect = pygame.Rect(x - bw, h - t.s(3) - bh, bw, bh)
            x -= bw + t.s(1.5)
        card = pygame.Rect(m, t.s(4), w - 2 * m, h - t.s(4) - bh - t.s(6))
        with ctx.panel(card, "ending", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(8), -t.s(6))
            r = ctx.text(f"THE END · {snap.scenario_title} · {snap.calendar.label}", (inner.left, inner.top), "label",
                         pal.text_muted, "bold", max_width=inner.width)
            y = r.bottom + t.s(1)
            title = e.title if e else "The end"
            r = ctx.text(title, (inner.left, y), "h1", pal.text, "bold", max_width=inner.width)
            y = r.bottom + t.s(1.5)
            if e is not None:
                label, icon, attr = QUALITY.get(e.quality, (str(e.quality).title(), "flag", "text_muted"))
                col = getattr(pal, attr)
                cr = draw_chip(ctx, label, (inner.left, y), col if not t.settings.high_contrast else pal.panel_alt,
                               (255, 255, 255) if not t.settings.high_contrast else col, icon=icon)
                y = cr.bottom + t.s(2.5)
            gap = t.s(5)
            text_w = int((inner.width - gap) * 0.56)
            text_rect = pygame.Rect(inner.left, y, text_w, inner.bottom - y)
            used = ctx.paragraph(e.text if e else "", text_rect, "body", pal.text)
            why = tuple(getattr(e, "why", ()) or ()) if e else ()
            if why and text_rect.height - used > ctx.line_height("small") * 4:
                # why this ending, in the engine's plain words (engine.endings); the debrief says more
                r = ctx.text("WHY THIS ENDING", (text_rect.left, text_rect.top + used + t.s(2)), "label",
                             pal.text_muted, "bold", max_width=text_rect.width)
                used = r.bottom - text_rect.top + t.s(0.5)
                used += ctx.paragraph(why[0], pygame.Rect(text_rect.left, text_rect.top + used, text_rect.width,
                                                          text_rect.height - used), "small", pal.text)
            self._draw_decisions(ctx, pygame.Rect(text_rect.left, text_rect.top + used + t.s(3), text_rect.width,
                                                  text_rect.bottom - text_rect.top - used - t.s(3)))
            tri = pygame.Rect(text_rect.right + gap, y, inner.right - text_rect.right - gap, inner.bottom - y)
            if e is not None and e.triangle:
                self._draw_triangle(ctx, tri, e.triangle)
        self.set_focusables(buttons)
        self.draw_buttons(ctx, buttons)

    def _draw_decisions(self, ctx: Ctx, rect: pygame.Rect) -> None:
        """The player's decisions, most recent last: the debrief traces them further."""
        from ..backend import get

        t = ctx.theme
        pal = t.pal
        history = getattr(self.session.run, "history", None)
        decisions = list(get(history, "decisions", []) or [])
        lh = ctx.line_height("small")
        if not decisions or rect.height < lh * 3:
            return
        r = ctx.text("THE DECISIONS THAT LED HERE", (rect.left, rect.top), "label", pal.text_muted, "bold",
                     max_width=rect.width)
        y = r.bottom + t.s(1)
        date_w = max(ctx.measure(str(get(d, "label", "")), "small", "bold")[0] for d in decisions) + t.s(1.5)
        fit = max(0, (rect.bottom - y) // (lh + t.s(0.3)))
        shown = decisions[-fit:] if fit < len(decisions) else decisions
        if len(shown) < len(decisions) and shown:
            shown = shown[1:]
            ctx.text(f"… and {len(decisions) - len(shown)} earlier", (rect.left, y), "small", pal.text_muted,
                     max_width=rect.width)
            y += lh + t.s(0.3)
        for d in shown:
            ctx.text(str(get(d, "label", "")), (rect.left, y), "small", pal.text_muted, "bold", max_width=date_w)
            ctx.text(str(get(d, "text", "")), (rect.left + date_w, y), "small", pal.text, max_width=rect.width - date_w)
            y += lh + t.s(0.3)

    def _draw_triangle(self, ctx: Ctx, rect: pygame.Rect, tri: dict) -> None:
        t = ctx.theme
        pal = t.pal
        y = rect.top
        r = ctx.text("MOORE'S STRATEGIC TRIANGLE", (rect.left, y), "label", pal.text_muted, "bold", max_width=rect.width)
        y = r.bottom + t.s(1.5)
        for key, label, help_text in TRIANGLE:
            if key not in tri:
                continue
            v = max(0.0, min(100.0, float(tri[key])))
            lh = ctx.line_height("small", "bold")
            if y + lh * 2 + t.s(3) > rect.bottom:
                break
            ctx.text(label, (rect.left, y), "small", pal.text, "bold", max_width=rect.width - t.s(8))
            ctx.text(f"{round(v)} / 100", (rect.right, y), "small", pal.text, "bold", anchor="topright")
            y += lh + t.s(0.3)
            bar = pygame.Rect(rect.left, y, rect.width, t.s(1.4))
            pygame.draw.rect(ctx.surface, pal.panel_alt, bar, border_radius=bar.height // 2)
            pygame.draw.rect(ctx.surface, pal.line, bar, width=1, border_radius=bar.height // 2)
            fill = bar.copy()
            fill.width = max(bar.height, round(bar.width * v / 100))
            pygame.draw.rect(ctx.surface, pal.accent if not t.settings.high_contrast else pal.text, fill,
                             border_radius=bar.height // 2)
            y = bar.bottom + t.s(0.5)
            hr = ctx.text(help_text, (rect.left, y), "label", pal.text_muted, max_width=rect.width)
            y = hr.bottom + t.s(2)
