"""The screens before play: title, scenario select and briefing."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from ..backend import ScenarioInfo, describe_error, get
from ..input import Intent
from ..render import Ctx
from ..widgets import Button, button_height, button_width, draw_badge, draw_chip
from .base import Screen, ScrollArea
from .common import draw_backdrop, draw_footer_hint, draw_screen_header, fit_width, sentences
from ...i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ..context import ScreenContext

TAGLINE = N_("Systems leadership, from the dance floor and the balcony")  # translated where shown




def about_minutes(n: int) -> str:
    """'about 25 minutes', in the interface language (with its plural forms)."""
    return ngettext("about {n} minute", "about {n} minutes", n).format(n=n)


class TitleScreen(Screen):
    name = "title"
    title = "Balcony"  # the game's name, not translated; speech() adds the tagline

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
        return _("Balcony. {tagline}. Use the arrow keys and Enter, or the mouse.").format(tagline=_(TAGLINE))

    def _buttons(self) -> list[Button]:
        context = self.context
        from .menus import SavesScreen, SettingsScreen

        out = []
        if self.latest is not None:
            detail = " · ".join(x for x in (self.latest.scenario_title, self.latest.calendar_label) if x)
            out.append(Button("continue", _("Continue"), self._continue, primary=True, detail=detail))
        out.append(Button("new", _("New game"), lambda: context.push(SelectScreen(context)), primary=self.latest is None))
        out.append(Button("load", _("Load"), lambda: context.push(SavesScreen(context, mode="load"))))
        out.append(Button("join", _("Join a class"), self._join))
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
        # the credit is read whole (it wraps); the title, tagline and menu share what is left above it
        foot = draw_footer_hint(ctx, _("Arrows and Enter, or the mouse · F11 full screen · Ctrl + and Ctrl − "
                                       "text size · After Ghate, Lewis & Welbourn (2013)"), wrap=True)
        buttons = self._buttons()
        gap = t.s(1.5)
        bw = min(t.s(46), w - x * 2)
        heights = [button_height(ctx, b, bw) for b in buttons]
        columns = 1
        menu_h = sum(heights) + gap * (len(heights) - 1)
        title_h = ctx.line_height("display", "bold")
        tagline = _(TAGLINE)
        tag_h = ctx.paragraph_height(tagline, w - x * 2, "h3", spacing=1.0)
        head_h = title_h + t.s(2.5) + tag_h + t.s(5)
        bottom = foot - t.s(2)
        y = int(h * 0.13)
        if y + head_h + menu_h > bottom:  # large text or a small window: less space above the title
            y = max(t.s(3), bottom - head_h - menu_h)
        if y + head_h + menu_h > bottom and bw * 2 + x * 3 <= w:  # then the menu in two columns
            columns, half = 2, (len(buttons) + 1) // 2
            menu_h = max(sum(heights[:half]) + gap * (half - 1), sum(heights[half:]) + gap * (len(heights) - half - 1))
        r = ctx.text("Balcony", (x, y), "display", pal.text_on_bg, "bold", max_width=w - x * 2)
        pygame.draw.line(ctx.surface, pal.focus, (x, r.bottom + t.s(1)), (x + t.s(12), r.bottom + t.s(1)), max(3, t.s(0.5)))
        top = r.bottom + t.s(2.5)
        if top + tag_h + t.s(5) + menu_h <= bottom:  # the tagline, unless only the menu fits
            ctx.paragraph(tagline, pygame.Rect(x, top, w - x * 2, tag_h), "h3", pal.muted_on_bg, spacing=1.0)
            top += tag_h + t.s(5)
        else:
            top = r.bottom + t.s(3)
        by, bx = top, x
        half = (len(buttons) + 1) // 2 if columns == 2 else len(buttons)
        for i, (b, bh) in enumerate(zip(buttons, heights)):
            if i == half:
                by, bx = top, x + bw + x
            b.rect = pygame.Rect(bx, by, bw, bh)
            by += bh + gap
        # still too tall (the largest text in a tiny window): keep the menu on screen above the credit
        overflow = max(b.rect.bottom for b in buttons) - bottom
        if overflow > 0:
            for b in buttons:
                b.rect.move_ip(0, -min(overflow, b.rect.top))
        self.set_focusables(buttons)
        with ctx.panel(pygame.Rect(0, 0, w, h), "title-menu", clip=False):
            self.draw_buttons(ctx, buttons)


class SelectScreen(Screen):
    name = "select"
    title = N_("Choose a scenario")

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.error = ""
        try:
            self.scenarios: list[ScenarioInfo] = context.backend.list_scenarios()
        except Exception as exc:  # no engine, unreadable folder
            self.scenarios = []
            self.error = describe_error(exc)
        self.shown: ScenarioInfo | None = self.scenarios[0] if self.scenarios else None
        self.list_area = ScrollArea("scenario-list", _("Scenarios"))
        self.card_area = ScrollArea("scenario-card", _("About this scenario"))

    def speech(self) -> str:
        return sentences(_("Choose a scenario"), self.shown.title if self.shown else "")

    def back(self) -> bool:
        self.context.pop()
        return True

    def _begin(self, info: ScenarioInfo) -> None:
        self.context.push(BriefingScreen(self.context, info))

    def handle(self, intent: Intent) -> bool:
        f = self.focused()
        if intent.kind == "nav" and intent.dir in ("up", "down") and f is not None and f.id.startswith("scn:"):
            # Up and Down walk the list of scenarios; Tab also visits a long description
            j = int(f.id[4:]) + (1 if intent.dir == "down" else -1)
            if 0 <= j < len(self.scenarios):
                self.focus_id = f"scn:{j}"
                self.reveal_focus()
                self.context.announce_focus(self.focused())
                self.shown = self.scenarios[j]
                self.card_area.offset = 0
                return True
        used = super().handle(intent)
        f = self.focused()
        if f is not None and f.id.startswith("scn:"):
            idx = int(f.id[4:])
            if self.scenarios[idx] is not self.shown:
                self.shown = self.scenarios[idx]
                self.card_area.offset = 0
                used = True
        return used

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, _("Choose a scenario"),
                                 _("The scenarios follow real initiatives; the people in them are fiction."))
        if self.focus_id and self.focus_id.startswith("scn:") and int(self.focus_id[4:]) < len(self.scenarios):
            focused = self.scenarios[int(self.focus_id[4:])]
            if focused is not self.shown:  # the card shows the scenario in focus
                self.shown = focused
                self.card_area.offset = 0
        m = t.s(6)
        gap = t.s(3)
        back = Button("back", _("Back"), self.back, key_hint="Esc")
        bottom = h - t.s(3)
        bw = min(w - 2 * m, max(t.s(20), button_width(ctx, back)))
        back_h = button_height(ctx, back, bw)
        back.rect = pygame.Rect(m, bottom - back_h, bw, back_h)
        body_bottom = back.rect.top - t.s(2)
        list_w = int((w - 2 * m - gap) * 0.38)
        # the list of scenarios scrolls when they do not all fit
        la = self.list_area
        la.rect = pygame.Rect(m - ctx.scroll_pad, top - ctx.scroll_pad, list_w + ctx.scroll_pad, body_bottom - top + ctx.scroll_pad)
        buttons: list[Button] = []
        with ctx.scroll(la, "scenario-list") as f:
            y = f.top
            for i, info in enumerate(self.scenarios):
                mins = about_minutes(info.length_minutes) if info.length_minutes else ""
                b = Button(f"scn:{i}", info.title, (lambda inf=info: self._begin(inf)),
                           detail=" · ".join(x for x in (info.place, mins) if x), area=la)
                bh = button_height(ctx, b, f.width)
                b.rect = pygame.Rect(f.left, y, f.width, bh)
                y += bh + t.s(1.2)
                buttons.append(b)
            la.content = ctx.scroll_content(y - t.s(1.2) - f.top)
            la.step = t.s(6)
            self.draw_buttons(ctx, buttons)
        ctx.scrollbar(la)
        card = pygame.Rect(m + list_w + gap, top, w - 2 * m - list_w - gap, body_bottom - top)
        begin = None
        with ctx.panel(card, "scenario-card", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(4), -t.s(4))
            if self.error or not self.scenarios:
                ctx.paragraph(_("No scenarios were found.") + ("\n\n" + self.error if self.error else ""), inner, "body",
                              pal.text)
            elif self.shown is not None:
                info = self.shown
                begin = Button("begin", _("Read the briefing"), lambda inf=info: self._begin(inf), primary=True,
                               key_hint="Enter")
                bw2 = min(inner.width, max(t.s(36), button_width(ctx, begin)))
                bh = button_height(ctx, begin, bw2)
                begin.rect = pygame.Rect(inner.left, inner.bottom - bh, bw2, bh)
                ca = self.card_area
                ca.rect = pygame.Rect(inner.left, inner.top, inner.width, begin.rect.top - t.s(1.5) - inner.top)
                with ctx.scroll(ca, "scenario-card-text") as f:
                    yy = f.top
                    hh = ctx.paragraph_height(info.title, f.width, "h2", "bold", spacing=1.0)
                    ctx.paragraph(info.title, pygame.Rect(f.left, yy, f.width, hh + 2), "h2", pal.text, "bold", spacing=1.0)
                    yy += hh + t.s(1.5)
                    cx = f.left
                    chip_h = ctx.line_height("label", "bold") + t.s(0.5)
                    for theme_name in info.themes:
                        cw = ctx.measure(theme_name, "label", "bold")[0] + t.s(2) + 4
                        if cx + cw > f.right and cx > f.left:
                            cx = f.left
                            yy += chip_h + t.s(0.8)
                        cr = draw_chip(ctx, theme_name, (cx, yy), pal.panel_alt, pal.text, max_width=f.width)
                        cx = cr.right + t.s(1)
                    if info.themes:
                        yy += chip_h + t.s(2)
                    facts = []
                    if info.role:
                        facts.append((_("You are"), info.role))
                    if info.place:
                        years = f", {info.years[0]}–{info.years[-1]}" if info.years else ""
                        facts.append((_("Where"), info.place + years))
                    if info.length_minutes:
                        facts.append((_("Length"), about_minutes(info.length_minutes)))
                    label_w = max([ctx.measure(k, "small", "bold")[0] for k, _v in facts] + [0]) + t.s(2)
                    stacked = f.width - label_w < t.s(24)
                    for k, v in facts:
                        ctx.text(k, (f.left, yy), "small", pal.text_muted, "bold")
                        vx = f.left if stacked else f.left + label_w
                        if stacked:
                            yy += ctx.line_height("small", "bold")
                        vh = ctx.paragraph_height(v, f.right - vx, "small", spacing=1.0)
                        ctx.paragraph(v, pygame.Rect(vx, yy, f.right - vx, vh + 2), "small", pal.text, spacing=1.0)
                        yy += vh + t.s(0.6)
                    yy += t.s(2)
                    sh = ctx.paragraph_height(info.summary, f.width, "body")
                    ctx.paragraph(info.summary, pygame.Rect(f.left, yy, f.width, sh + 2), "body", pal.text)
                    yy += sh
                    ca.content = ctx.scroll_content(yy - f.top)
                    ca.step = ctx.line_height("body") * 2
                ctx.scrollbar(ca)
        items: list = buttons + ([begin] if begin else []) + [back]
        if begin is not None and self.card_area.max_offset > 0:
            # the description scrolls: Tab reaches it right after its scenario, before the next one
            at = next((i + 1 for i, inf in enumerate(self.scenarios) if inf is self.shown), len(buttons))
            items.insert(at, self.card_area)
        self.set_focusables(items)
        self.draw_buttons(ctx, ([begin] if begin else []) + [back])
        self.draw_scroll_focus(ctx, self.card_area)

    def extra_scroll_areas(self) -> list:
        return [self.list_area, self.card_area]


class BriefingScreen(Screen):
    name = "briefing"
    title = N_("Briefing")

    def __init__(self, context: "ScreenContext", info: ScenarioInfo, seed: int | None = None) -> None:
        super().__init__(context)
        self.card_area = ScrollArea("briefing-text", _("What is at stake"))
        self.people_area = ScrollArea("briefing-people", _("Who you will work with"))
        self.info = info
        self.error = ""
        self.session = None
        try:
            self.session = context.start_session(info, seed if seed is not None else context.seed)
        except Exception as exc:
            self.error = describe_error(exc)

    def speech(self) -> str:
        if self.error:
            return sentences(_("This scenario could not be loaded."), self.error)
        return sentences(_("Briefing"), self.info.title,
                         _("You are {role}").format(role=self.info.role) if self.info.role else "", self.info.summary)

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

    def extra_scroll_areas(self) -> list:
        return [self.card_area, self.people_area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, self.info.title, _("Briefing"))
        m = t.s(6)
        bottom = h - t.s(3)
        begin = Button("begin", _("Begin"), self._begin, primary=True, key_hint="Enter", enabled=self.session is not None)
        back = Button("back", _("Back"), self.back, key_hint="Esc")
        bw = max(fit_width(ctx, begin, 24, (w - 2 * m) // 2 - t.s(1)), fit_width(ctx, back, 24, (w - 2 * m) // 2 - t.s(1)))
        bh = max(button_height(ctx, begin, bw), button_height(ctx, back, bw))
        begin.rect = pygame.Rect(w - m - bw, bottom - bh, bw, bh)
        back.rect = pygame.Rect(begin.rect.left - t.s(2) - bw, bottom - bh, bw, bh)
        area = pygame.Rect(m, top, w - 2 * m, begin.rect.top - t.s(2) - top)
        gap = t.s(3)
        left = pygame.Rect(area.left, area.top, int((area.width - gap) * 0.5), area.height)
        right = pygame.Rect(left.right + gap, area.top, area.width - left.width - gap, area.height)
        ca = self.card_area
        with ctx.panel(left, "briefing-card", fill=pal.panel, border=pal.line) as c:
            ca.rect = c.inflate(-t.s(3), -t.s(3))
            with ctx.scroll(ca, "briefing-text") as f:
                y = f.top
                if self.error:
                    y += ctx.paragraph(_("This scenario could not be loaded:") + "\n\n" + self.error,
                                       pygame.Rect(f.left, y, f.width, 100_000), "small", pal.text)
                else:
                    facts = [(_("Your role"), self.info.role)]
                    if self.info.place:
                        years = f", {self.info.years[0]}–{self.info.years[-1]}" if self.info.years else ""
                        facts.append((_("The place"), self.info.place + years))
                    for k, v in facts:
                        r = ctx.text(k.upper(), (f.left, y), "label", pal.text_muted, "bold", max_width=f.width)
                        y = r.bottom + t.s(0.3)
                        # role and place wrap: they are never cut
                        vh = ctx.paragraph_height(v, f.width, "h3", "bold", spacing=1.0)
                        ctx.paragraph(v, pygame.Rect(f.left, y, f.width, vh + 2), "h3", pal.text, "bold", spacing=1.0)
                        y += vh + t.s(2)
                    r = ctx.text(_("WHAT IS AT STAKE"), (f.left, y), "label", pal.text_muted, "bold", max_width=f.width)
                    y = r.bottom + t.s(0.6)
                    y += ctx.paragraph(self.info.summary, pygame.Rect(f.left, y, f.width, 100_000), "body", pal.text)
                ca.content = ctx.scroll_content(y - f.top)
                ca.step = ctx.line_height("body") * 2
            ctx.scrollbar(ca)
        pa = self.people_area
        with ctx.panel(right, "briefing-people", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(3), -t.s(3))
            r = ctx.text(_("WHO YOU WILL WORK WITH"), (inner.left + ctx.scroll_pad, inner.top), "label", pal.text_muted, "bold",
                         max_width=inner.width)
            pa.rect = pygame.Rect(inner.left, r.bottom + t.s(1), inner.width, inner.bottom - r.bottom - t.s(1))
            people = tuple(get(self.session.snap, "dance_floor", ()) or ()) if self.session else ()
            with ctx.scroll(pa, "briefing-people-list") as f:
                y = f.top
                badge = max(t.s(5), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
                tx = f.left + badge + t.s(2)
                tw = f.right - tx
                for i, p in enumerate(people):
                    col = t.agency_colour(p.agency, p.colour, i)
                    nh = ctx.paragraph_height(p.name, tw, "small", "bold", spacing=1.0)
                    role = f"{p.role}, {p.agency}" if p.role else p.agency
                    rh = ctx.paragraph_height(role, tw, "label", spacing=1.0)
                    row_h = max(badge, nh + rh) + t.s(1.5)
                    draw_badge(ctx, pygame.Rect(f.left, y + (row_h - badge) // 2, badge, badge), p.name, p.agency, col)
                    ty = y + (row_h - nh - rh) // 2
                    ctx.paragraph(p.name, pygame.Rect(tx, ty, tw, nh + 2), "small", pal.text, "bold", spacing=1.0)
                    ctx.paragraph(role, pygame.Rect(tx, ty + nh, tw, rh + 2), "label", pal.text_muted, spacing=1.0)
                    y += row_h
                pa.content = ctx.scroll_content(y - f.top)
                pa.step = t.s(6)
            ctx.scrollbar(pa)
        items = [begin, back]
        if ca.max_offset > 0:
            items.append(ca)
        if pa.max_offset > 0:
            items.append(pa)
        self.set_focusables(items)
        self.draw_buttons(ctx, [back, begin])
        self.draw_scroll_focus(ctx, ca)
        self.draw_scroll_focus(ctx, pa)
