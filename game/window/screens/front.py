"""The screens before play: title, scenario select and briefing."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from ..backend import ScenarioInfo, describe_error, get
from ..input import Intent
from ..render import Ctx
from ..widgets import Button, button_height, draw_badge, draw_chip
from .base import Screen
from .common import draw_backdrop, draw_footer_hint, draw_screen_header
from ...i18n import _

if TYPE_CHECKING:
    from ..context import ScreenContext

TAGLINE = "Systems leadership, from the dance floor and the balcony"




class TitleScreen(Screen):
    name = "title"
    title = "Balcony. " + TAGLINE

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.latest = None

    def on_enter(self) -> None:
        before = self.latest
        try:
            self.latest = self.context.saves.latest()
        except Exception:
            self.latest = None
        if self.latest != before:
            self.focus_id = None  # a new save: focus the first item, Continue

    def speech(self) -> str:
        return f"Balcony. {TAGLINE}. Use the arrow keys and Enter, or the mouse."

    def _buttons(self) -> list[Button]:
        context = self.context
        from .menus import SavesScreen, SettingsScreen

        out = []
        if self.latest is not None:
            detail = " · ".join(x for x in (self.latest.scenario_title, self.latest.calendar_label) if x)
            out.append(Button("continue", _("Continue"), self._continue, primary=True, detail=detail))
        out.append(Button("new", _("New game"), lambda: context.push(SelectScreen(context)), primary=self.latest is None))
        out.append(Button("load", "Load", lambda: context.push(SavesScreen(context, mode="load"))))
        out.append(Button("join", "Join a class", self._join))
        out.append(Button("settings", _("Settings"), lambda: context.push(SettingsScreen(context))))
        out.append(Button("quit", _("Quit"), lambda: context.quit(0)))
        return out

    def _join(self) -> None:
        from .classroom import JoinScreen

        self.context.push(JoinScreen(self.context))

    def _continue(self) -> None:
        if self.latest is None:
            return
        from .play import open_slot

        open_slot(self.context, self.latest.slot)

    def back(self) -> bool:
        return False

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx)
        w, h = ctx.surface.get_size()
        x = t.s(10)
        y = int(h * 0.13)
        r = ctx.text("Balcony", (x, y), "display", pal.text_on_bg, "bold", max_width=w - x * 2)
        pygame.draw.line(ctx.surface, pal.focus, (x, r.bottom + t.s(1)), (x + t.s(12), r.bottom + t.s(1)), max(3, t.s(0.5)))
        r = ctx.text(TAGLINE, (x, r.bottom + t.s(2.5)), "h3", pal.muted_on_bg, max_width=w - x * 2)
        buttons = self._buttons()
        bw = min(t.s(46), w - x * 2)
        by = r.bottom + t.s(5)
        gap = t.s(1.5)
        for b in buttons:
            bh = button_height(ctx, b, bw)
            b.rect = pygame.Rect(x, by, bw, bh)
            by += bh + gap
        # keep the menu on screen at huge text sizes: move it up if needed
        overflow = by - gap - (h - t.s(6))
        if overflow > 0:
            for b in buttons:
                b.rect.move_ip(0, -overflow)
        self.set_focusables(buttons)
        with ctx.panel(pygame.Rect(0, 0, w, h), "title-menu", clip=False):
            self.draw_buttons(ctx, buttons)
        draw_footer_hint(ctx, "Arrows and Enter, or the mouse · F11 full screen · Ctrl + and Ctrl − text size · "
                              "After Ghate, Lewis & Welbourn (2013)")


class SelectScreen(Screen):
    name = "select"
    title = "Choose a scenario"

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.error = ""
        try:
            self.scenarios: list[ScenarioInfo] = context.backend.list_scenarios()
        except Exception as exc:  # no engine, unreadable folder
            self.scenarios = []
            self.error = describe_error(exc)
        self.shown: ScenarioInfo | None = self.scenarios[0] if self.scenarios else None

    def speech(self) -> str:
        return "Choose a scenario. " + (self.shown.title if self.shown else "")

    def back(self) -> bool:
        self.context.pop()
        return True

    def _begin(self, info: ScenarioInfo) -> None:
        self.context.push(BriefingScreen(self.context, info))

    def handle(self, intent: Intent) -> bool:
        used = super().handle(intent)
        f = self.focused()
        if f is not None and f.id.startswith("scn:"):
            idx = int(f.id[4:])
            if self.scenarios[idx] is not self.shown:
                self.shown = self.scenarios[idx]
                used = True
        return used

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, "Choose a scenario", "The scenarios follow real initiatives; the people in them are fiction.")
        m = t.s(6)
        gap = t.s(3)
        list_w = int((w - 2 * m - gap) * 0.38)
        buttons: list[Button] = []
        y = top
        back = Button("back", "Back", self.back, key_hint="Esc")
        bottom = h - t.s(3)
        back_h = button_height(ctx, back, t.s(20))
        back.rect = pygame.Rect(m, bottom - back_h, t.s(20), back_h)
        for i, info in enumerate(self.scenarios):
            mins = f"about {info.length_minutes} minutes" if info.length_minutes else ""
            b = Button(f"scn:{i}", info.title, (lambda inf=info: self._begin(inf)),
                       detail=" · ".join(x for x in (info.place, mins) if x))
            bh = button_height(ctx, b, list_w)
            if y + bh > back.rect.top - t.s(2):
                break  # more scenarios than fit: the list shows what fits
            b.rect = pygame.Rect(m, y, list_w, bh)
            y += bh + t.s(1.2)
            buttons.append(b)
        card = pygame.Rect(m + list_w + gap, top, w - 2 * m - list_w - gap, bottom - top)
        begin = None
        with ctx.panel(card, "scenario-card", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(6), -t.s(6))
            if self.error or not self.scenarios:
                ctx.paragraph("No scenarios were found." + ("\n\n" + self.error if self.error else ""), inner, "body",
                              pal.text)
            elif self.shown is not None:
                info = self.shown
                yy = inner.top
                r = ctx.text(info.title, (inner.left, yy), "h2", pal.text, "bold", max_width=inner.width)
                yy = r.bottom + t.s(1.5)
                cx = inner.left
                for theme_name in info.themes:
                    cw = ctx.measure(theme_name, "label", "bold")[0] + t.s(2)
                    if cx + cw > inner.right:
                        break
                    cr = draw_chip(ctx, theme_name, (cx, yy), pal.panel_alt, pal.text)
                    cx = cr.right + t.s(1)
                if info.themes:
                    yy += ctx.line_height("label", "bold") + t.s(2)
                facts = []
                if info.role:
                    facts.append(("You are", info.role))
                if info.place:
                    years = f", {info.years[0]}–{info.years[-1]}" if info.years else ""
                    facts.append(("Where", info.place + years))
                if info.length_minutes:
                    facts.append(("Length", f"about {info.length_minutes} minutes"))
                label_w = max([ctx.measure(k, "small", "bold")[0] for k, _ in facts] + [0]) + t.s(2)
                for k, v in facts:
                    ctx.text(k, (inner.left, yy), "small", pal.text_muted, "bold")
                    r = ctx.text(v, (inner.left + label_w, yy), "small", pal.text, max_width=inner.width - label_w)
                    yy = r.bottom + t.s(0.6)
                yy += t.s(2)
                begin = Button("begin", "Read the briefing", lambda inf=info: self._begin(inf), primary=True,
                               key_hint="Enter")
                bh = button_height(ctx, begin, min(inner.width, t.s(44)))
                begin.rect = pygame.Rect(inner.left, inner.bottom - bh, min(inner.width, t.s(44)), bh)
                summary_rect = pygame.Rect(inner.left, yy, inner.width, begin.rect.top - t.s(2) - yy)
                full = ctx.paragraph_height(info.summary, inner.width, "body")
                ctx.paragraph(info.summary, summary_rect, "body", pal.text)
                if full > summary_rect.height:
                    ctx.text("…", (summary_rect.right, summary_rect.bottom), "body", pal.text_muted, anchor="bottomright")
        items: list = buttons + ([begin] if begin else []) + [back]
        self.set_focusables(items)
        self.draw_buttons(ctx, buttons + ([begin] if begin else []))
        self.draw_buttons(ctx, [back])


class BriefingScreen(Screen):
    name = "briefing"
    title = "Briefing"

    def __init__(self, context: "ScreenContext", info: ScenarioInfo, seed: int | None = None) -> None:
        super().__init__(context)
        self.info = info
        self.error = ""
        self.session = None
        try:
            self.session = context.start_session(info, seed if seed is not None else context.seed)
        except Exception as exc:
            self.error = describe_error(exc)

    def speech(self) -> str:
        if self.error:
            return "This scenario could not be loaded. " + self.error
        return f"Briefing. {self.info.title}. You are {self.info.role}. {self.info.summary}"

    def back(self) -> bool:
        self.context.end_session()
        self.context.pop()
        return True

    def _begin(self) -> None:
        from .play import PlayScreen

        if self.session is None:
            return
        self.context.go_home(PlayScreen(self.context))
        self.context.autosave()

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, self.info.title, "Briefing")
        m = t.s(6)
        bottom = h - t.s(3)
        begin = Button("begin", "Begin", self._begin, primary=True, key_hint="Enter", enabled=self.session is not None)
        back = Button("back", "Back", self.back, key_hint="Esc")
        bw = t.s(24)
        bh = max(button_height(ctx, begin, bw), button_height(ctx, back, bw))
        begin.rect = pygame.Rect(w - m - bw, bottom - bh, bw, bh)
        back.rect = pygame.Rect(begin.rect.left - t.s(2) - bw, bottom - bh, bw, bh)
        area = pygame.Rect(m, top, w - 2 * m, begin.rect.top - t.s(2) - top)
        gap = t.s(3)
        left = pygame.Rect(area.left, area.top, int((area.width - gap) * 0.5), area.height)
        right = pygame.Rect(left.right + gap, area.top, area.width - left.width - gap, area.height)
        with ctx.panel(left, "briefing-card", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(5), -t.s(5))
            if self.error:
                ctx.paragraph("This scenario could not be loaded:\n\n" + self.error, inner, "small", pal.text)
            else:
                y = inner.top
                facts = [("Your role", self.info.role)]
                if self.info.place:
                    years = f", {self.info.years[0]}–{self.info.years[-1]}" if self.info.years else ""
                    facts.append(("The place", self.info.place + years))
                for k, v in facts:
                    r = ctx.text(k.upper(), (inner.left, y), "label", pal.text_muted, "bold", max_width=inner.width)
                    r = ctx.text(v, (inner.left, r.bottom + t.s(0.3)), "h3", pal.text, "bold", max_width=inner.width)
                    y = r.bottom + t.s(2)
                r = ctx.text("WHAT IS AT STAKE", (inner.left, y), "label", pal.text_muted, "bold", max_width=inner.width)
                y = r.bottom + t.s(0.6)
                ctx.paragraph(self.info.summary, pygame.Rect(inner.left, y, inner.width, inner.bottom - y), "body", pal.text)
        with ctx.panel(right, "briefing-people", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(5), -t.s(5))
            r = ctx.text("WHO YOU WILL WORK WITH", (inner.left, inner.top), "label", pal.text_muted, "bold",
                         max_width=inner.width)
            y = r.bottom + t.s(1.5)
            people = tuple(get(self.session.snap, "dance_floor", ()) or ()) if self.session else ()
            row_h = max(t.s(6), ctx.line_height("small", "bold") + ctx.line_height("label") + t.s(1.5))
            badge = max(min(row_h - t.s(1), t.s(5)), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
            row_h = max(row_h, badge + t.s(1))
            shown = 0
            for i, p in enumerate(people):
                if y + row_h > inner.bottom:
                    break
                col = t.agency_colour(p.agency, p.colour, i)
                draw_badge(ctx, pygame.Rect(inner.left, y + (row_h - badge) // 2, badge, badge), p.name, p.agency, col)
                tx = inner.left + badge + t.s(2)
                ctx.text(p.name, (tx, y + t.s(0.3)), "small", pal.text, "bold", max_width=inner.right - tx)
                ctx.text(f"{p.role}, {p.agency}" if p.role else p.agency, (tx, y + t.s(0.3) + ctx.line_height("small", "bold")),
                         "label", pal.text_muted, max_width=inner.right - tx)
                y += row_h
                shown += 1
            if shown < len(people):
                ctx.text(f"and {len(people) - shown} more, met in play", (inner.left, inner.bottom), "label",
                         pal.text_muted, max_width=inner.width, anchor="bottomleft")
        self.set_focusables([begin, back])
        self.draw_buttons(ctx, [back, begin])
