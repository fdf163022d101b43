"""The ending screen: the ending, the strategic triangle, the way to the debrief."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import pygame

from engine.views import shown

from ..render import Ctx
from ..backend import get
from ..widgets import Button, button_height, draw_chip
from .base import Screen, ScrollArea
from .common import draw_backdrop, fit_width, sentences
from ...i18n import N_, _, ending_why

if TYPE_CHECKING:
    from ..context import ScreenContext

QUALITY = {
    # quality: (label, icon, palette attribute)
    # the labels here and in TRIANGLE are marked, and translated where they are shown
    "best": (N_("Best ending"), "check", "good"),
    "good": (N_("Good ending"), "check", "good"),
    "mixed": (N_("Mixed ending"), "flag", "warn"),
    "poor": (N_("Poor ending"), "alert", "bad"),
}

TRIANGLE = (
    ("public_value", N_("Public value"), N_("Outcomes for the people the services exist for")),
    ("legitimacy", N_("Legitimacy"), N_("Support from the authorising environment")),
    ("capacity", N_("Operating capacity"), N_("Relationships, resources and resilience")),
)

#: one line on what the triangle is (the research cites Moore in Section Six; the scores are the game's model)
TRIANGLE_NOTE = N_("What public leadership needs at once (Moore, cited in the research, Section Six): value for the "
                 "public, legitimacy, and the capacity to deliver. The scores are this game's model.")


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
        self.area = ScrollArea("ending-text", _("The ending"))

    def signature(self) -> str:
        e = self.session.snap.ending
        return f"ending-{getattr(e, 'id', 'none')}"

    def speech(self) -> str:
        e = self.session.snap.ending
        if e is None:
            return _("The end.")
        scores = [_("{score_name} {score} of 100").format(score_name=_(label), score=shown(e.triangle.get(k, 0)))
                  for k, label, _help in TRIANGLE if k in e.triangle]
        why = " ".join(self.why(e)[:1])
        return sentences(_("The end"), e.title, e.text, *scores,
                         _("Why this ending: {why}").format(why=why) if why else "")

    def back(self) -> bool:
        return False

    def why(self, e) -> tuple:
        """Why this ending, in the interface language (the engine's English where it cannot be worded again)."""
        key = (getattr(e, "id", None), id(self.session))
        if getattr(self, "_why", (None,))[0] != key:  # worded once, not on every frame
            self._why = (key, ending_why(getattr(self.session, "run", None), getattr(e, "why", ())))
        return self._why[1]

    def _title(self) -> None:
        self.context.end_session()
        self.context.go_home()

    def _again(self) -> None:
        from .front import BriefingScreen

        info = self.session.info
        self.context.go_home(BriefingScreen(self.context, info))

    def extra_scroll_areas(self) -> list:
        return [self.area]

    def decisions(self) -> list[dict]:
        history = getattr(self.session.run, "history", None)
        return list(get(history, "decisions", []) or [])

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx)
        snap = self.session.snap
        e = snap.ending
        w, h = ctx.surface.get_size()
        m = t.s(4)
        buttons = []
        hook = debrief_hook()
        if hook is not None:
            buttons.append(Button("debrief", _("Read the debrief"), lambda: hook(self.context, self.session), primary=True,
                                  key_hint="Enter"))
        buttons.append(Button("again", _("Play again"), self._again, primary=hook is None))
        buttons.append(Button("title", _("Back to title"), self._title))
        widths = [fit_width(ctx, b, 18, w - 2 * m) for b in buttons]
        one_row = sum(widths) + t.s(1.5) * (len(buttons) - 1) <= w - 2 * m
        bh = max(button_height(ctx, b, bw) for b, bw in zip(buttons, widths))
        x = w - m
        y = h - t.s(2) - bh
        for b, bw in reversed(list(zip(buttons, widths))):
            if not one_row and x - bw < m:
                x = w - m
                y -= bh + t.s(1)
            b.rect = pygame.Rect(x - bw, y, bw, bh)
            x -= bw + t.s(1.5)
        foot_top = min(b.rect.top for b in buttons)
        card = pygame.Rect(m, t.s(2), w - 2 * m, foot_top - t.s(1.5) - t.s(2))
        area = self.area
        with ctx.panel(card, "ending", fill=pal.panel, border=pal.line) as c:
            area.rect = c.inflate(-t.s(3), -t.s(3))
            with ctx.scroll(area, "ending-text") as f:
                y = f.top
                head = _("THE END · {scenario} · {quarter}").format(scenario=snap.scenario_title, quarter=snap.calendar.label)
                hh = ctx.paragraph_height(head, f.width, "label", "bold", spacing=1.0)
                ctx.paragraph(head, pygame.Rect(f.left, y, f.width, hh + 2), "label", pal.text_muted, "bold", spacing=1.0)
                y += hh + t.s(1)
                title = e.title if e else _("The end")
                th = ctx.paragraph_height(title, f.width, "h1", "bold", spacing=1.0)
                ctx.paragraph(title, pygame.Rect(f.left, y, f.width, th + 2), "h1", pal.text, "bold", spacing=1.0)
                y += th + t.s(1.5)
                if e is not None:
                    label, icon, attr = QUALITY.get(e.quality, (str(e.quality).title(), "flag", "text_muted"))
                    col = getattr(pal, attr)
                    cr = draw_chip(ctx, _(label), (f.left, y), col if not t.settings.high_contrast else pal.panel_alt,
                                   (255, 255, 255) if not t.settings.high_contrast else col, icon=icon, max_width=f.width)
                    y = cr.bottom + t.s(2.5)
                gap = t.s(4)
                two = f.width >= t.s(100)
                text_w = int((f.width - gap) * 0.56) if two else f.width
                left = pygame.Rect(f.left, y, text_w, 0)
                ly = y + self._draw_story(ctx, left, e)
                if two:
                    tri = pygame.Rect(left.right + gap, y, f.right - left.right - gap, 0)
                    ty = y + self._draw_triangle(ctx, tri, e.triangle if e else {})
                    ly = self._draw_decisions(ctx, pygame.Rect(f.left, ly + t.s(3), text_w, 0)) if self.decisions() else ly
                    bottom = max(ly, ty)
                else:
                    ty = ly + t.s(3) + self._draw_triangle(ctx, pygame.Rect(f.left, ly + t.s(3), f.width, 0),
                                                           e.triangle if e else {})
                    bottom = self._draw_decisions(ctx, pygame.Rect(f.left, ty + t.s(3), f.width, 0)) if self.decisions() else ty
                area.content = ctx.scroll_content(bottom - f.top)
                area.step = ctx.line_height("body") * 2
            ctx.scrollbar(area)
        self.set_focusables(buttons + ([area] if area.max_offset > 0 else []))
        self.draw_buttons(ctx, buttons)
        self.draw_scroll_focus(ctx, area)

    def _draw_story(self, ctx: Ctx, rect: pygame.Rect, e) -> int:
        """The ending's text, and why this ending (when the engine says); returns the height."""
        t = ctx.theme
        pal = t.pal
        y = rect.top
        y += ctx.paragraph(e.text if e else "", pygame.Rect(rect.left, y, rect.width, 100_000), "body", pal.text)
        why = self.why(e) if e else ()
        if why:
            y += t.s(2)
            r = ctx.text(_("WHY THIS ENDING"), (rect.left, y), "label", pal.text_muted, "bold", max_width=rect.width)
            y = r.bottom + t.s(0.5)
            for line in why[:1]:  # which condition chose it; the debrief says more
                y += ctx.paragraph(line, pygame.Rect(rect.left, y, rect.width, 100_000), "small", pal.text)
                y += t.s(0.5)
        return y - rect.top

    def _draw_decisions(self, ctx: Ctx, rect: pygame.Rect) -> int:
        """The player's decisions, oldest first, every one (the panel scrolls); returns the y below them."""
        t = ctx.theme
        pal = t.pal
        decisions = self.decisions()
        r = ctx.text(_("THE DECISIONS THAT LED HERE"), (rect.left, rect.top), "label", pal.text_muted, "bold",
                     max_width=rect.width)
        y = r.bottom + t.s(1)
        date_w = max(ctx.measure(str(get(d, "label", "")), "small", "bold")[0] for d in decisions) + t.s(1.5)
        stacked = rect.width - date_w < t.s(24)
        for d in decisions:
            label = str(get(d, "label", ""))
            text = str(get(d, "text", ""))
            ctx.text(label, (rect.left, y), "small", pal.text_muted, "bold")
            tx = rect.left if stacked else rect.left + date_w
            if stacked:
                y += ctx.line_height("small", "bold")
            y += ctx.paragraph(text, pygame.Rect(tx, y, rect.right - tx, 100_000), "small", pal.text, spacing=1.1)
            y += t.s(0.8)
        return y

    def _draw_triangle(self, ctx: Ctx, rect: pygame.Rect, tri: dict) -> int:
        """The three scores, each with what it means, after one line on what the triangle is; returns the height."""
        t = ctx.theme
        pal = t.pal
        y = rect.top
        r = ctx.text(_("MOORE'S STRATEGIC TRIANGLE"), (rect.left, y), "label", pal.text_muted, "bold", max_width=rect.width)
        y = r.bottom + t.s(0.5)
        y += ctx.paragraph(_(TRIANGLE_NOTE), pygame.Rect(rect.left, y, rect.width, 100_000), "label", pal.text, spacing=1.1)
        y += t.s(1.5)
        for key, label, help_text in TRIANGLE:
            if key not in tri:
                continue
            v = max(0.0, min(100.0, float(tri[key])))
            score = f"{shown(v)} / 100"
            sw = ctx.measure(score, "small", "bold")[0] + t.s(1)
            lw = rect.width - sw
            label = _(label)
            lh = ctx.paragraph_height(label, lw, "small", "bold", spacing=1.0)
            ctx.paragraph(label, pygame.Rect(rect.left, y, lw, lh + 2), "small", pal.text, "bold", spacing=1.0)
            ctx.text(score, (rect.right, y), "small", pal.text, "bold", anchor="topright")
            y += lh + t.s(0.3)
            bar = pygame.Rect(rect.left, y, rect.width, t.s(1.4))
            pygame.draw.rect(ctx.surface, pal.panel_alt, bar, border_radius=bar.height // 2)
            pygame.draw.rect(ctx.surface, pal.line, bar, width=1, border_radius=bar.height // 2)
            fill = bar.copy()
            fill.width = max(bar.height, round(bar.width * v / 100))
            pygame.draw.rect(ctx.surface, pal.accent if not t.settings.high_contrast else pal.text, fill,
                             border_radius=bar.height // 2)
            y = bar.bottom + t.s(0.5)
            y += ctx.paragraph(_(help_text), pygame.Rect(rect.left, y, rect.width, 100_000), "label", pal.text_muted,
                               spacing=1.0)
            y += t.s(2)
        return y - rect.top
