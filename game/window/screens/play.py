"""The play screen and its pop-ups: scene, choices, perception, stakeholders,
events, outcomes with delayed consequences linked to their causes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from engine.views import shown

from ..backend import get
from ..input import Intent
from ..render import Ctx
from ..theme import mix
from ..widgets import (Button, button_height, draw_badge, draw_band, draw_button, draw_chip, draw_icon,
                       draw_portrait, draw_scroll_hint)
from .base import Screen, ScrollArea
from .common import centred_card
from ...i18n import _

if TYPE_CHECKING:
    from ..context import ScreenContext

ACTION_ICONS = {"balcony": "eye", "listen": "ear", "one_to_one": "chat"}
ACTION_KEYS = {"balcony": "B", "listen": "L", "one_to_one": "O"}


def open_slot(context: "ScreenContext", slot: str) -> bool:
    """Load a save slot and go to the play screen (or the ending)."""
    from .front import describe_error
    from .menus import MessageScreen

    try:
        context.resume_session(slot)
    except Exception as exc:
        context.push(MessageScreen(context, "This save could not be loaded", describe_error(exc)))
        return False
    context.go_home(PlayScreen(context))
    context.toast("Loaded.")
    return True


def rewind(context: "ScreenContext") -> bool:
    s = context.session
    if not context.allow_rewind:
        context.toast("Rewind is turned off in this session.")
        return False
    if s is None or not s.can_rewind:
        context.toast("Nothing to rewind: you can undo only your last decision.")
        return False
    label = s.rewind_label
    s.rewind()
    play = context.find("play")
    if play is None:
        context.go_home(PlayScreen(context))
    else:
        context.pop_to(play)
        play.sync(force=True)
    context.autosave()
    context.toast(f"Rewound: \"{short(label, 60)}\" is undone.")
    return True


def short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class PlayScreen(Screen):
    name = "play"
    thumbnail_source = True

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        assert context.session is not None
        self.session = context.session
        self.seen_revision = -1
        self.scene_key: tuple = ()
        self.reveal: float = 0.0
        self.tab = "floor"
        self.text_area = ScrollArea("scene-text", "Scene text")
        self.people_area = ScrollArea("people", "Stakeholders")
        self.quarter_seen = None
        self.compact = False

    @property
    def snap(self) -> Any:
        return self.session.snap

    def signature(self) -> str:
        s = self.snap
        parts = ["play", str(s.scene_id), s.status]
        if s.balcony is not None and self.tab == "balcony":
            parts.append("balcony")
        if s.insights:
            parts.append(f"heard{len(s.insights)}")
        return "-".join(parts)

    def speech(self) -> str:
        s = self.snap
        sp = s.speaker
        who = "" if sp.id == "narrator" else ", ".join(x for x in (sp.name, sp.role, sp.agency) if x) + ". "
        choices = " ".join(f"Choice {i + 1}: {c.text}." + ("" if c.available else f" Unavailable: {c.reason}.")
                           for i, c in enumerate(s.choices))
        return f"{s.calendar.label}. {s.scene_title or ''}. {who}{s.text} {choices}"

    # ---- syncing with the session ----------------------------------------------------
    def on_enter(self) -> None:
        self.sync()

    def on_session_replaced(self) -> None:
        """``--watch`` reloaded the scenario: close what is above and show the new state."""
        self.context.pop_to(self)
        self.sync(force=True)

    def sync(self, force: bool = False) -> None:
        if self.context.session is not self.session and self.context.session is not None:
            self.session = self.context.session
        if not force and self.session.revision == self.seen_revision:
            return
        self.seen_revision = self.session.revision
        s = self.snap
        key = (s.scene_id, s.calendar.turn, getattr(s, "decisions", None))
        if key != self.scene_key:
            self.scene_key = key
            cps = self.context.settings.chars_per_second
            self.reveal = 0.0 if cps else float(len(s.text))
            self.text_area.offset = 0
            self.people_area.offset = 0
            self.tab = "perceive" if self.compact else "floor"
            if self.context.settings.tts and s.status == "choosing":
                self.context.speak(self.speech())
        if s.balcony is None and self.tab == "balcony":
            self.tab = "floor"
        if s.status == "outcome":
            self.context.push(OutcomeScreen(self.context))
            for n in reversed([n for n in s.notices if n.kind == "event"]):
                self.context.push(EventPopup(self.context, n))
        elif s.status == "ended":
            from .ending import EndingScreen

            self.context.replace(EndingScreen(self.context))

    def update(self, dt: float) -> None:
        if self.session.revision != self.seen_revision:
            self.sync()
            self.context.invalidate()
        cps = self.context.settings.chars_per_second
        if cps and self.reveal < len(self.snap.text):
            self.reveal = min(float(len(self.snap.text)), self.reveal + cps * dt)

    def animating(self) -> bool:
        return self.reveal < len(self.snap.text)

    def view_key(self) -> tuple | None:
        return ("play", id(self.session), self.session.revision, id(self.snap), self.tab, self.text_area.offset,
                self.people_area.offset, self.focus_id, self.hover_id, int(self.reveal), self.context.top is self)

    def finish_reveal(self) -> bool:
        if self.reveal < len(self.snap.text):
            self.reveal = float(len(self.snap.text))
            return True
        return False

    # ---- intents -------------------------------------------------------------------------
    def choose(self, index: int) -> None:
        if self.finish_reveal():
            return
        c = next((c for c in self.snap.choices if c.index == index), None)
        if c is None or not c.available or self.snap.status != "choosing":
            if c is not None and c.reason:
                self.context.toast(f"Not available: {c.reason}")
            return
        if not self._safely(lambda: self.session.choose(index)):
            return
        self.context.autosave()
        self.sync()

    def perceive(self, kind: str) -> None:
        self.finish_reveal()
        a = next((a for a in self.snap.perception_actions if a.kind == kind), None)
        if a is None or not a.available:
            if a is not None:
                self.context.toast(a.reason or "Not available now.")
            return
        if kind == "one_to_one":
            self.context.push(OneToOnePicker(self.context, self))
            return
        if not self._safely(lambda: self.session.perceive(kind)):
            return
        if kind == "balcony":
            self.tab = "balcony"
        self.context.invalidate()
        self.seen_revision = self.session.revision
        if self.context.settings.tts:
            self.context.speak(self.perception_speech(kind))

    def perception_speech(self, kind: str) -> str:
        s = self.snap
        if kind == "balcony" and s.balcony is not None:
            parts = [s.balcony.text]
            for r in s.balcony.readings:
                if r.hidden:
                    parts.append(f"{r.name}: in shadow.")
                else:
                    parts.append(f"{r.name}: trust {r.trust[0]:.0f} to {r.trust[1]:.0f}, "
                                 f"commitment {r.commitment[0]:.0f} to {r.commitment[1]:.0f}.")
            return " ".join(parts)
        return " ".join(s.insights[-1:])

    def _safely(self, call) -> bool:
        """Send an intent; an engine error becomes a message, never a crash."""
        from .front import describe_error
        from .menus import MessageScreen

        try:
            call()
        except Exception as exc:
            self.context.push(MessageScreen(self.context, "The engine refused that", describe_error(exc)))
            return False
        return True

    def one_to_one(self, stakeholder_id: str) -> None:
        if not self._safely(lambda: self.session.perceive("one_to_one", stakeholder_id)):
            return
        self.seen_revision = self.session.revision
        if self.context.settings.tts:
            self.context.speak(self.perception_speech("one_to_one"))

    def pause(self) -> None:
        from .menus import PauseScreen

        self.context.push(PauseScreen(self.context))

    def back(self) -> bool:
        self.pause()
        return True

    def handle_key(self, intent: Intent) -> bool:
        if intent.kind == "number":
            choices = self.snap.choices
            if 1 <= intent.n <= len(choices):
                self.focus_id = f"choice:{choices[intent.n - 1].index}"
                self.choose(choices[intent.n - 1].index)
                return True
            return False
        if intent.kind == "key" and not intent.ctrl:
            kinds = {v.lower(): k for k, v in ACTION_KEYS.items()}
            if intent.char in kinds:
                self.perceive(kinds[intent.char])
                return True
            if intent.char == "d":
                self.set_tab("floor")
                return True
            if intent.char == "p" and self.compact:
                self.set_tab("perceive")
                return True
            if intent.char == "v" and self.snap.balcony is not None:
                self.set_tab("balcony")
                return True
        if intent.kind == "key" and intent.ctrl and intent.char == "z":
            rewind(self.context)
            return True
        if intent.kind == "page":
            shift_area = self.people_area if intent.shift else self.text_area
            return shift_area.scroll(intent.n * max(40, shift_area.rect.height - 40))
        if intent.kind == "activate" and self.finish_reveal():
            return True
        if intent.kind == "click" and self.text_area.rect.collidepoint(intent.pos) and self.finish_reveal():
            return True
        return False

    def set_tab(self, tab: str) -> None:
        if tab == "balcony" and self.snap.balcony is None:
            self.context.toast("Go to the balcony (B) to see readings from above.")
            return
        self.tab = tab
        self.people_area.offset = 0
        self.context.invalidate()

    # ---- drawing ---------------------------------------------------------------------------
    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        surf = ctx.surface
        w, h = surf.get_size()
        surf.fill(pal.bg)
        m = t.s(2.5)
        focusables: list = []

        # top bar: scenario, calendar and phase, visible meters, menu
        bar_h = max(t.s(7), ctx.line_height("h3", "bold") + t.s(2.5),
                    (ctx.line_height("label") + ctx.line_height("small", "bold") + t.s(1.5)) if s.visible_meters else 0)
        bar = pygame.Rect(0, 0, w, bar_h)
        menu = Button("menu", _("Menu"), self.pause, key_hint="Esc", size="small")
        mw = ctx.measure(_("Menu"), "small")[0] + ctx.measure("Esc", "label", "bold")[0] + t.s(8)
        menu.rect = pygame.Rect(w - m - mw, t.s(1), mw, bar_h - t.s(2))
        with ctx.panel(bar, "topbar", fill=pal.bg_deep, radius=0):
            x = m
            cy = bar.centery
            draw_icon(ctx, "calendar", pygame.Rect(x, cy - t.s(1.3), t.s(2.6), t.s(2.6)), pal.text_on_bg)
            x += t.s(3.6)
            r = ctx.text(s.calendar.label, (x, cy), "h3", pal.text_on_bg, "bold", anchor="midleft")
            x = r.right + t.s(2)
            phase_name = get(s.phase, "name", "")
            if phase_name:
                r = draw_chip(ctx, phase_name, (x, cy - (ctx.line_height("label", "bold") + t.s(0.5)) // 2),
                              mix(pal.bg_deep, pal.text_on_bg, 0.16), pal.text_on_bg, icon="flag",
                              max_width=t.s(36))
                x = r.right + t.s(2)
            right_limit = menu.rect.left - t.s(2)
            self._draw_meters(ctx, pygame.Rect(x, bar.top, right_limit - x, bar.height))
        draw_button(ctx, menu, focused=(self.focus_id == "menu" and self.context.focus_visible(self)),
                    hovered=self.hover_id == "menu")

        body = pygame.Rect(m, bar_h + m, w - 2 * m, h - bar_h - 2 * m)
        gap = t.s(2.5)
        left_w = int((body.width - gap) * 0.6)
        left = pygame.Rect(body.left, body.top, left_w, body.height)
        right = pygame.Rect(left.right + gap, body.top, body.width - left_w - gap, body.height)

        # ---- choices (bottom of the left column) ----
        choice_buttons: list[Button] = []
        for i, c in enumerate(s.choices):
            b = Button(f"choice:{c.index}", c.text, (lambda idx=c.index: self.choose(idx)), enabled=c.available,
                       key_hint=str(i + 1) if i < 9 else "", icon="" if c.available else "lock",
                       detail="" if c.available else f"Not available: {c.reason or 'conditions not met'}")
            choice_buttons.append(b)
        cgap = t.s(1)
        heights = [button_height(ctx, b, left.width) for b in choice_buttons]
        if sum(heights) + cgap * len(heights) > left.height * 0.5:
            for b in choice_buttons:
                b.size = "small"
            heights = [button_height(ctx, b, left.width) for b in choice_buttons]
        total = sum(heights) + cgap * max(0, len(heights) - 1)
        y = left.bottom - total
        for b, bh in zip(choice_buttons, heights):
            b.rect = pygame.Rect(left.left, y, left.width, bh)
            y += bh + cgap
        scene_rect = pygame.Rect(left.left, left.top, left.width, (left.bottom - total - t.s(1.5) if choice_buttons else left.bottom) - left.top)
        self._draw_scene(ctx, scene_rect)
        focusables.append(self.text_area)

        # ---- perception and stakeholders ----
        pad = t.s(2)
        perc = self._perception(ctx, right.width - pad * 2)
        self.compact = perc["total"] + pad * 2 > right.height * 0.45
        perc_buttons: list[Button] = []
        if self.compact:
            # big text or a small window: perception becomes a third tab of the side panel
            if self.tab not in ("perceive", "floor", "balcony"):
                self.tab = "perceive"
            tab_buttons = self._draw_people(ctx, right, perc)
            perc_buttons = perc["buttons"] if self.tab == "perceive" else []
        else:
            if self.tab == "perceive":
                self.tab = "floor"
            prect = pygame.Rect(right.left, right.top, right.width, perc["total"] + pad * 2)
            with ctx.panel(prect, "perception", fill=pal.panel, border=pal.line):
                perc_buttons = self._draw_perception(ctx, prect.left + pad, prect.top + pad, prect.width - pad * 2, perc)
            people_rect = pygame.Rect(right.left, prect.bottom + t.s(1.5), right.width, right.bottom - prect.bottom - t.s(1.5))
            tab_buttons = self._draw_people(ctx, people_rect, None)

        focusables = choice_buttons + [self.text_area] + (tab_buttons + perc_buttons if self.compact else perc_buttons + tab_buttons)
        if self.people_area.content:
            focusables.append(self.people_area)
        focusables.append(menu)
        self.set_focusables(focusables)
        self.draw_buttons(ctx, choice_buttons)
        self.draw_scroll_focus(ctx, self.text_area)
        self.draw_scroll_focus(ctx, self.people_area)

    def _draw_meters(self, ctx: Ctx, rect: pygame.Rect) -> None:
        """Visible meters as tiles in the top bar: label above, value below."""
        t = ctx.theme
        pal = t.pal
        meters = list(self.snap.visible_meters)
        if not meters or rect.width < t.s(8):
            return
        gap = t.s(2.5)
        lab_h = ctx.line_height("label")
        val_h = ctx.line_height("small", "bold")
        top = rect.centery - (lab_h + val_h) // 2
        widths = [max(ctx.measure(m.label, "label")[0], ctx.measure(fmt_num(m.value), "small", "bold")[0]) + 4 for m in meters]
        total = sum(widths) + gap * (len(meters) - 1)
        if total > rect.width:
            # share the space: long labels are cut, every meter stays on show
            each = (rect.width - gap * (len(meters) - 1)) // len(meters)
            widths = [min(w, each) for w in widths]
            total = sum(widths) + gap * (len(meters) - 1)
        x = rect.right - total
        for m, w in zip(meters, widths):
            if w < t.s(3):
                break
            ctx.text(m.label, (x, top), "label", pal.muted_on_bg, max_width=w)
            ctx.text(fmt_num(m.value), (x, top + lab_h), "small", pal.text_on_bg, "bold", max_width=w)
            x += w + gap

    def _draw_scene(self, ctx: Ctx, rect: pygame.Rect) -> None:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        sp = s.speaker
        narrator = sp.id == "narrator"
        colour = t.agency_colour(sp.agency or sp.id, get(sp, "colour"), self._order(sp.id)) if not narrator else pal.line
        with ctx.panel(rect, "scene", fill=pal.panel, border=pal.line) as card:
            pad = t.s(3)
            inner = card.inflate(-pad * 2, -pad * 2)
            # a band of the agency's colour along the top edge
            band = pygame.Rect(card.left, card.top, card.width, max(4, t.s(0.75)))
            pygame.draw.rect(ctx.surface, colour, band, border_top_left_radius=t.radius, border_top_right_radius=t.radius)
            tight = inner.height < t.s(34)
            ph = min(t.s(12), max(t.s(5), inner.height // (4 if tight else 3)))
            portrait = pygame.Rect(inner.left, inner.top, ph, ph)
            draw_portrait(ctx, portrait, sp.name, sp.agency, colour, narrator=narrator)
            tx = portrait.right + t.s(2.5)
            tw = inner.right - tx
            y = portrait.top + t.s(0.5)
            if s.scene_title and not tight:
                r = ctx.text(str(s.scene_title).upper(), (tx, y), "label", pal.text_muted, "bold", max_width=tw)
                y = r.bottom + t.s(0.5)
            r = ctx.text(_("Narrator") if narrator else sp.name, (tx, y), "h3", pal.text, "bold", max_width=tw)
            y = r.bottom + t.s(0.3)
            if not narrator:
                role = ", ".join(x for x in (sp.role, sp.agency) if x)
                r = ctx.text(role, (tx, y), "small", pal.text_muted, max_width=tw)
            text_top = max(portrait.bottom, r.bottom) + t.s(2)
            area = pygame.Rect(inner.left, text_top, inner.width, inner.bottom - text_top)
            self.text_area.rect = area
            self.text_area.step = ctx.line_height("body") * 2
            full = s.text
            insights = tuple(s.insights or ())
            reveal = None if self.reveal >= len(full) else int(self.reveal)
            with ctx.panel(area, "scene-text", clip=True):
                hgt = ctx.paragraph(full, area, "body", pal.text, scroll=self.text_area.offset, reveal=reveal)
                y = area.top + hgt - self.text_area.offset
                if reveal is None:
                    sections = []
                    if s.balcony is not None and get(s.balcony, "text", ""):
                        sections.append(("eye", "FROM THE BALCONY", (s.balcony.text,)))
                    if insights:
                        sections.append(("ear", "WHAT YOU HEARD THIS QUARTER", insights))
                    for icon, heading, lines in sections:
                        y = self._section(ctx, area, y + t.s(2), icon, heading, lines)
                content = y + self.text_area.offset - area.top
                self.text_area.content = content
                self.text_area.clamp()
            draw_scroll_hint(ctx, area, self.text_area.offset > 0, self.text_area.offset < self.text_area.max_offset,
                             pal.text_muted)

    def _section(self, ctx: Ctx, area: pygame.Rect, y: int, icon: str, heading: str, lines: tuple) -> int:
        """A headed block under the scene text (balcony view, stories heard); returns the y below it."""
        t = ctx.theme
        pal = t.pal
        colour = pal.delayed
        hh = ctx.line_height("label", "bold")
        if area.top <= y and y + hh <= area.bottom:
            draw_icon(ctx, icon, pygame.Rect(area.left, y, t.s(2.2), t.s(2.2)), colour)
            ctx.text(heading, (area.left + t.s(3), y), "label", pal.text_muted, "bold", max_width=area.width - t.s(3))
        y += hh + t.s(0.8)
        for line in lines:
            lw = area.width - t.s(3)
            ih = ctx.paragraph_height(line, lw, "small")
            top, bottom = max(area.top, y), min(area.bottom, y + ih)
            if bottom - top >= ctx.line_height("small"):
                pygame.draw.line(ctx.surface, colour, (area.left + t.s(1), top), (area.left + t.s(1), bottom), max(2, t.s(0.4)))
                ctx.paragraph(line, pygame.Rect(area.left + t.s(3), area.top, lw, area.height), "small", pal.text,
                              scroll=area.top - y)
            y += ih + t.s(1)
        return y

    def _order(self, sid: str) -> int:
        for i, p in enumerate(self.snap.dance_floor):
            if p.id == sid:
                return i
        return -1

    def _perception(self, ctx: Ctx, width: int) -> dict:
        """Buttons and measures for the perception block, ``width`` wide."""
        t = ctx.theme
        s = self.snap
        actions = list(s.perception_actions)
        reasons = {a.reason for a in actions if not a.available}
        shared = reasons.pop() if len(reasons) == 1 and all(not a.available for a in actions) else None
        same_cost = len({a.cost for a in actions}) == 1
        buttons = []
        for a in actions:
            detail = ""
            if not a.available and not shared:
                detail = a.reason or _("Not available now")
            elif not same_cost:
                detail = f"Costs {a.cost} attention"
            buttons.append(Button(f"perceive:{a.kind}", a.label, (lambda k=a.kind: self.perceive(k)), enabled=a.available,
                                  key_hint=ACTION_KEYS.get(a.kind, ""), icon=ACTION_ICONS.get(a.kind, ""),
                                  detail=detail, size="small"))
        note = shared or (f"Each costs {actions[0].cost} attention." if actions and same_cost else "")
        label = f"Attention left: {s.attention_left} of {s.attention_max}"
        lh = ctx.line_height("label", "bold")
        pips_w = s.attention_max * (t.s(1.8) + t.s(0.6))
        one_line = ctx.measure("PERCEIVE  " + label, "label", "bold")[0] + pips_w + t.s(2) <= width
        head_h = lh * (1 if one_line else 2) + t.s(0.5)
        note_h = ctx.paragraph_height(note, width, "label") if note else 0
        heights = [button_height(ctx, b, width) for b in buttons]
        bgap = t.s(0.8)
        total = head_h + (note_h + t.s(0.5) if note else 0) + t.s(1) + sum(heights) + bgap * max(0, len(heights) - 1)
        return dict(buttons=buttons, heights=heights, note=note, note_h=note_h, label=label, one_line=one_line,
                    head_h=head_h, total=total, bgap=bgap, pips_w=pips_w)

    def _draw_perception(self, ctx: Ctx, x: int, y: int, width: int, p: dict) -> list[Button]:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        from ..widgets import draw_pips

        lh = ctx.line_height("label", "bold")
        ctx.text("PERCEIVE", (x, y), "label", pal.text_muted, "bold", max_width=width)
        ly = y if p["one_line"] else y + lh
        r = ctx.text(p["label"], (x + width, ly), "label", pal.text, "bold", anchor="topright", max_width=width - p["pips_w"])
        if r.left - p["pips_w"] - t.s(1) >= x:
            draw_pips(ctx, (r.left - t.s(1) - p["pips_w"], ly + lh // 2), s.attention_left, s.attention_max,
                      pal.accent if not t.settings.high_contrast else pal.focus, pal.text_muted)
        y += p["head_h"]
        if p["note"]:
            ctx.paragraph(p["note"], pygame.Rect(x, y, width, p["note_h"] + 1), "label", pal.text_muted)
            y += p["note_h"] + t.s(0.5)
        y += t.s(1)
        for b, bh in zip(p["buttons"], p["heights"]):
            b.rect = pygame.Rect(x, y, width, bh)
            y += bh + p["bgap"]
        self.draw_buttons(ctx, p["buttons"])
        return p["buttons"]

    def _draw_people(self, ctx: Ctx, rect: pygame.Rect, perc: dict | None) -> list[Button]:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        pad = t.s(2)
        with ctx.panel(rect, "people", fill=pal.panel, border=pal.line) as card:
            inner = card.inflate(-pad * 2, -pad * 2)
            tabs = []
            if perc is not None:
                tabs.append(Button("tab:perceive", _("Perceive"), lambda: self.set_tab("perceive"), key_hint="P", size="small",
                                   primary=self.tab == "perceive"))
            tabs.append(Button("tab:floor", _("Dance floor"), lambda: self.set_tab("floor"), key_hint="D", size="small",
                               primary=self.tab == "floor"))
            tabs.append(Button("tab:balcony", _("Balcony"), lambda: self.set_tab("balcony"), key_hint="V", size="small",
                               primary=self.tab == "balcony", enabled=s.balcony is not None,
                               icon="" if s.balcony is not None else "lock"))
            gap = t.s(1)
            tw = (inner.width - gap * (len(tabs) - 1)) // len(tabs)
            for b in tabs:
                fit_words(ctx, b, tw)
            th = max(button_height(ctx, b, tw) for b in tabs)
            for i, b in enumerate(tabs):
                b.rect = pygame.Rect(inner.left + i * (tw + gap), inner.top, tw, th)
            self.draw_buttons(ctx, tabs)
            y = inner.top + th + t.s(1)
            if self.tab == "perceive" and perc is not None:
                self._draw_perception(ctx, inner.left, y, inner.width, perc)
                self.people_area.rect = pygame.Rect(inner.left, y, inner.width, 0)
                self.people_area.content = 0
                return tabs
            caption = ("What people say in the room." if self.tab == "floor"
                       else _("Readings from above: ranges, never exact."))
            ch = ctx.paragraph_height(caption, inner.width, "label")
            if ch < (inner.bottom - y) // 3:
                ctx.paragraph(caption, pygame.Rect(inner.left, y, inner.width, ch + 2), "label", pal.text_muted)
                y += ch + t.s(1)
            area = pygame.Rect(inner.left, y, inner.width, max(0, inner.bottom - y))
            self.people_area.rect = area
            with ctx.panel(area, "people-list"):
                if self.tab == "balcony" and s.balcony is not None:
                    content = self._draw_balcony(ctx, area)
                else:
                    content = self._draw_floor(ctx, area)
            self.people_area.content = content
            self.people_area.step = t.s(6)
            self.people_area.clamp()
            draw_scroll_hint(ctx, area, self.people_area.offset > 0, self.people_area.offset < self.people_area.max_offset,
                             pal.text_muted)
        return tabs

    def _row_visible(self, area: pygame.Rect, top: int, height: int) -> bool:
        return top >= area.top and top + height <= area.bottom

    def _draw_floor(self, ctx: Ctx, area: pygame.Rect) -> int:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        revealed = {sid: val for sid, val in (s.revealed or ())}
        lh_name = ctx.line_height("small", "bold")
        lh_label = ctx.line_height("label")
        row_h = lh_name + lh_label + t.s(1.2)
        badge = max(min(row_h - t.s(0.8), t.s(5)), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
        y0 = area.top - self.people_area.offset
        y = y0
        for i, p in enumerate(s.dance_floor):
            says = f"“{p.says}”"
            sw = ctx.measure(says, "small", "bold")[0]
            avail_all = area.right - area.left - badge - t.s(1.5)
            stacked = sw > avail_all // 2  # big text: what they say goes on its own line
            extra = lh_label + t.s(0.4) if p.id in revealed else 0
            if stacked:
                extra += ctx.line_height("small", "bold")
            rh = row_h + extra
            if self._row_visible(area, y, rh):
                col = t.agency_colour(p.agency, p.colour, i)
                draw_badge(ctx, pygame.Rect(area.left, y + (row_h - badge) // 2, badge, badge), p.name, p.agency, col)
                tx = area.left + badge + t.s(1.5)
                band = get(p, "support_band", 2)
                band = band if isinstance(band, int) else 2
                avail = area.right - tx
                says_w = 0 if stacked else sw
                ctx.text(p.name, (tx, y + t.s(0.4)), "small", pal.text, "bold", max_width=avail - says_w - t.s(1))
                ctx.text(p.agency, (tx, y + t.s(0.4) + lh_name), "label", pal.text_muted,
                         max_width=avail - (0 if stacked else max(says_w, t.s(8))) - t.s(1))
                if stacked:
                    ctx.text(says, (tx, y + t.s(0.4) + lh_name + lh_label), "small", pal.text, "bold",
                             max_width=avail - t.s(9))
                    pip_y = y + t.s(0.6) + lh_name + lh_label + (lh_name - t.s(1.1)) // 2
                else:
                    ctx.text(says, (area.right, y + t.s(0.4)), "small", pal.text, "bold", max_width=says_w + t.s(1),
                             anchor="topright")
                    pip_y = y + t.s(0.6) + lh_name
                # five small steps: stated support, also readable as the words beside it
                step = t.s(1.1)
                for k in range(5):
                    r = pygame.Rect(area.right - (5 - k) * (step + t.s(0.4)), pip_y, step, step)
                    if k <= band:
                        pygame.draw.rect(ctx.surface, pal.text_muted, r, border_radius=2)
                    else:
                        pygame.draw.rect(ctx.surface, pal.line, r, width=1, border_radius=2)
                if p.id in revealed:
                    ctx.text(f"Real commitment {fmt_num(revealed[p.id])}/100 (one-to-one)",
                             (tx, y + rh - lh_label - t.s(0.6)), "label",
                             pal.delayed if not t.settings.high_contrast else pal.text, "bold", max_width=avail)
                if i < len(s.dance_floor) - 1:
                    pygame.draw.line(ctx.surface, pal.line, (area.left, y + rh - 1), (area.right, y + rh - 1), 1)
            y += rh
        return y - y0

    def _draw_balcony(self, ctx: Ctx, area: pygame.Rect) -> int:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        bv = s.balcony
        lh_name = ctx.line_height("small", "bold")
        lh_label = ctx.line_height("label")
        y0 = area.top - self.people_area.offset
        y = y0
        label_w = max(ctx.measure(_("Commitment"), "label")[0], ctx.measure(_("Trust"), "label")[0]) + t.s(1)
        range_w = ctx.measure("100–100", "label", "bold")[0] + t.s(1)
        # meters first: the state of the system
        for mr in bv.meters:
            rh = lh_label + t.s(1.6)
            if self._row_visible(area, y, rh):
                lw = min(max(ctx.measure(x.label, "label")[0] for x in bv.meters) + t.s(1), area.width // 2)
                ctx.text(mr.label, (area.left, y), "label", pal.text, max_width=lw)
                bar = pygame.Rect(area.left + lw + t.s(1), y + lh_label // 2 - t.s(0.6),
                                  area.width - lw - range_w - t.s(2), t.s(1.2))
                draw_band(ctx, bar, mr.lo, mr.hi)
                ctx.text(f"{fmt_num(mr.lo)}–{fmt_num(mr.hi)}", (area.right, y), "label", pal.text, "bold", anchor="topright")
            y += rh
        if bv.meters:
            if area.top <= y + t.s(0.5) <= area.bottom:
                pygame.draw.line(ctx.surface, pal.line, (area.left, y + t.s(0.5)), (area.right, y + t.s(0.5)), 1)
            y += t.s(1.5)
        order = {p.id: i for i, p in enumerate(s.dance_floor)}
        agencies = {p.id: p for p in s.dance_floor}
        badge = max(min(lh_name + lh_label, t.s(4.5)), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
        half = (area.width - badge - t.s(1.5) - t.s(2)) // 2
        side = half - label_w - range_w >= t.s(8)   # both readings on one line, if the bars stay readable
        row_h = lh_name + (1 if side else 2) * lh_label + t.s(1.6)
        def fits(top: int, h: int) -> bool:
            return top >= area.top and top + h <= area.bottom

        for r in bv.readings:
            # rows cut by the panel's edge show the lines that fit whole, so the list reads as "more below"
            if y + row_h > area.top and y < area.bottom:
                p = agencies.get(r.stakeholder_id)
                agency = p.agency if p else ""
                col = t.agency_colour(agency, p.colour if p else None, order.get(r.stakeholder_id, -1))
                if fits(y + t.s(0.3), badge):
                    draw_badge(ctx, pygame.Rect(area.left, y + t.s(0.3), badge, badge), r.name, agency, col,
                               shadow=r.hidden)
                tx = area.left + badge + t.s(1.5)
                if fits(y, lh_name):
                    ctx.text(r.name, (tx, y), "small", pal.shadow if r.hidden else pal.text, "bold",
                             max_width=area.right - tx)
                if r.hidden:
                    note = _("In shadow: out of view from the balcony.")
                    nh = ctx.paragraph_height(note, area.right - tx, "label")
                    if fits(y + lh_name, min(nh, row_h - lh_name)):
                        ctx.paragraph(note, pygame.Rect(tx, y + lh_name, area.right - tx, row_h - lh_name), "label",
                                      pal.text_muted)
                else:
                    yy = y + lh_name
                    xx = tx
                    for lab, rng in ((_("Trust"), r.trust), (_("Commitment"), r.commitment)):
                        if rng is None:
                            continue
                        right_edge = (xx + half) if side and lab == "Trust" else area.right
                        lw = label_w
                        if fits(yy, lh_label):
                            ctx.text(lab, (xx, yy), "label", pal.text_muted, max_width=lw)
                            bar = pygame.Rect(xx + lw, yy + lh_label // 2 - t.s(0.5), right_edge - xx - lw - range_w,
                                              t.s(1))
                            if bar.width > t.s(2):
                                draw_band(ctx, bar, rng[0], rng[1])
                            ctx.text(f"{fmt_num(rng[0])}–{fmt_num(rng[1])}", (right_edge, yy), "label", pal.text, "bold",
                                     anchor="topright")
                        if side:
                            xx = right_edge + t.s(2)
                        else:
                            yy += lh_label
                if area.top <= y + row_h - 1 < area.bottom:
                    pygame.draw.line(ctx.surface, pal.line, (area.left, y + row_h - 1), (area.right, y + row_h - 1), 1)
            y += row_h
        return y - y0


def fit_words(ctx: Ctx, b: Button, width: int) -> None:
    """Narrow buttons must not break words: drop the key cap (the key still works),
    then the padding, then use a smaller size."""
    from ..render import WRAP_SLACK
    from ..widgets import _label_width

    def fits() -> bool:
        longest = max(ctx.measure(wd, b.size, "bold" if b.primary else "regular")[0] for wd in b.label.split())
        return longest <= _label_width(ctx, b, width) - WRAP_SLACK

    for step in ("key", "compact", "size"):
        if fits():
            return
        if step == "key":
            b.key_hint = ""
        elif step == "compact":
            b.compact = True
        else:
            b.size = "label"


def fmt_num(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{shown(f):,}"  # the one rounding rule of every number a player sees (engine.views.shown)


# ---- pop-ups ------------------------------------------------------------------------------------

NOTICE_STYLE = {
    # kind: (label, icon, palette attribute)
    "result": (_("Your decision"), "check", "accent"),
    "quarter": (_("Quarter summary"), "calendar", "text_muted"),
    "event": (_("Event"), "alert", "event"),
    "delayed": (_("Delayed consequence"), "link", "delayed"),
    "phase": (_("New phase"), "flag", "good"),
}


class OneToOnePicker(Screen):
    name = "one-to-one"
    modal = True
    title = "Hold a one-to-one with whom?"

    def __init__(self, context: "ScreenContext", play: PlayScreen) -> None:
        super().__init__(context)
        self.play = play

    def speech(self) -> str:
        return self.title + " " + ". ".join(p.name for p in self.play.snap.dance_floor)

    def back(self) -> bool:
        self.context.pop()
        return True

    def _pick(self, sid: str) -> None:
        self.context.pop()
        self.play.one_to_one(sid)

    def handle_key(self, intent: Intent) -> bool:
        if intent.kind == "number":
            people = self.play.snap.dance_floor
            if 1 <= intent.n <= len(people):
                self._pick(people[intent.n - 1].id)
                return True
        return False

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        people = self.play.snap.dance_floor
        cols = 2 if len(people) > 4 else 1
        w, h = ctx.surface.get_size()
        card_w = min(w - t.s(6), t.s(90 if cols == 2 else 56))
        inner_w = card_w - t.s(10)
        cw = (inner_w - t.s(1.5) * (cols - 1)) // cols
        buttons = []
        for i, p in enumerate(people):
            buttons.append(Button(f"meet:{p.id}", p.name, (lambda sid=p.id: self._pick(sid)),
                                  key_hint=str(i + 1) if i < 9 else "", detail=p.agency, size="small",
                                  badge=(p.name, p.agency, t.agency_colour(p.agency, p.colour, i))))
        cancel = Button("cancel", _("Cancel"), self.back, key_hint="Esc", size="small")
        row_h = max([button_height(ctx, b, cw) for b in buttons + [cancel]] + [t.s(6)])
        rows = (len(people) + cols - 1) // cols
        head = ctx.line_height("h2", "bold") + ctx.line_height("small") * 2 + t.s(3)
        card = centred_card(ctx, 90 if cols == 2 else 56, head + rows * (row_h + t.s(1)) + row_h + t.s(10))
        with ctx.panel(card, "picker", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(10), -t.s(6))
            r = ctx.text(_("Hold a one-to-one"), (inner.left, inner.top), "h2", pal.text, "bold", max_width=inner.width)
            note = "Who do you meet? You will learn what they really intend."
            nh = ctx.paragraph_height(note, inner.width, "small")
            ctx.paragraph(note, pygame.Rect(inner.left, r.bottom + t.s(0.5), inner.width, nh + 1), "small", pal.text_muted)
            y0 = r.bottom + t.s(0.5) + nh + t.s(2)
            cancel.rect = pygame.Rect(inner.right - min(inner.width, t.s(24)), inner.bottom - row_h,
                                      min(inner.width, t.s(24)), row_h)
            avail_rows = max(1, (cancel.rect.top - t.s(1) - y0) // (row_h + t.s(1)))
            shown = []
            for i, b in enumerate(buttons):
                col, row = divmod(i, max(rows, 1)) if cols == 2 else (0, i)
                if row >= avail_rows:
                    continue  # number keys still reach everyone
                b.rect = pygame.Rect(inner.left + col * (cw + t.s(1.5)), y0 + row * (row_h + t.s(1)), cw, row_h)
                shown.append(b)
            buttons = shown
            self.set_focusables(buttons + [cancel])
            self.draw_buttons(ctx, buttons + [cancel])


class EventPopup(Screen):
    name = "event"
    modal = True

    def __init__(self, context: "ScreenContext", notice: Any) -> None:
        super().__init__(context)
        self.notice = notice

    def signature(self) -> str:
        return f"event-{self.notice.title}"

    def view_key(self) -> tuple | None:
        return ("event", id(self.notice), self.focus_id, self.hover_id, self.context.top is self)

    def speech(self) -> str:
        return f"Event. {self.notice.title}. {self.notice.text}"

    def back(self) -> bool:
        self.context.pop()
        return True

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        n = self.notice
        width = t.s(72)
        inner_w = min(ctx.surface.get_width() - t.s(6), width) - t.s(10)
        body_h = ctx.paragraph_height(n.text, inner_w, "body")
        ok = Button("ok", _("Continue"), self.back, primary=True, key_hint="Enter")
        bh = button_height(ctx, ok, t.s(26))
        title_h = ctx.paragraph_height(n.title, inner_w, "h1", "bold", spacing=1.0)
        head = ctx.line_height("label", "bold") + title_h + t.s(4)
        card = centred_card(ctx, 72, head + body_h + bh + t.s(14))
        with ctx.panel(card, "event", fill=pal.panel, border=pal.event) as c:
            stripe = pygame.Rect(c.left, c.top, max(6, t.s(1)), c.height)
            pygame.draw.rect(ctx.surface, pal.event, stripe, border_top_left_radius=t.radius, border_bottom_left_radius=t.radius)
            inner = c.inflate(-t.s(10), -t.s(8))
            draw_icon(ctx, "alert", pygame.Rect(inner.left, inner.top, t.s(2.4), t.s(2.4)), pal.event)
            r = ctx.text("EVENT", (inner.left + t.s(3.2), inner.top), "label", pal.event, "bold")
            th = ctx.paragraph_height(n.title, inner.width, "h1", "bold", spacing=1.0)
            ctx.paragraph(n.title, pygame.Rect(inner.left, r.bottom + t.s(1), inner.width, th + 2), "h1", pal.text, "bold",
                          spacing=1.0)
            r = pygame.Rect(inner.left, r.bottom + t.s(1), inner.width, th)
            ok.rect = pygame.Rect(inner.right - t.s(26), inner.bottom - bh, t.s(26), bh)
            ctx.paragraph(n.text, pygame.Rect(inner.left, r.bottom + t.s(2), inner.width, ok.rect.top - t.s(2) - r.bottom - t.s(2)),
                          "body", pal.text)
        self.set_focusables([ok])
        self.draw_buttons(ctx, [ok])


class OutcomeScreen(Screen):
    """What the last decision led to: its result, the quarter, events, delayed
    consequences (each linked to the decision that caused it), phase changes."""

    name = "outcome"
    modal = True

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.area = ScrollArea("notices", "Notices")
        self.session = context.session
        self.revision = context.session.revision if context.session else -1

    def signature(self) -> str:
        s = self.session.snap
        return f"outcome-{s.scene_id}-{s.calendar.turn}"

    def view_key(self) -> tuple | None:
        return ("outcome", self.session.revision, self.area.offset, self.focus_id, self.hover_id, self.context.top is self)

    def speech(self) -> str:
        parts = []
        for n in self.session.snap.notices:
            label = NOTICE_STYLE.get(n.kind, (n.kind,))[0]
            cause = f" Caused by: {n.cause}." if n.cause else ""
            parts.append(f"{label}. {n.title}. {n.full_text()}{cause}")
        return " ".join(parts) + " Press Enter to continue."

    def _continue(self) -> None:
        s = self.session
        if s.snap.status != "outcome":
            self.context.pop()
            return
        s.advance()
        self.context.pop()
        self.context.autosave()

    def back(self) -> bool:
        from .menus import PauseScreen

        self.context.push(PauseScreen(self.context))
        return True

    def handle_key(self, intent: Intent) -> bool:
        if intent.kind == "key" and intent.ctrl and intent.char == "z":
            rewind(self.context)
            return True
        if intent.kind == "page":
            return self.area.scroll(intent.n)
        return False

    def update(self, dt: float) -> None:
        if self.session.snap.status != "outcome" and self.context.top is self:
            self.context.pop()

    def _card_height(self, ctx: Ctx, n: Any, width: int) -> int:
        t = ctx.theme
        h = ctx.line_height("label", "bold") + t.s(1.5)
        if n.title:
            h += ctx.line_height("h3", "bold")
        h += ctx.paragraph_height(n.full_text(), width, "body")
        if n.cause:
            h += t.s(1.5) + ctx.paragraph_height(n.cause if n.cause.lower().startswith("because") else "Because of: " + n.cause,
                                                 width - t.s(4), "small") + t.s(1.5)
        return h + t.s(4)

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        snap = self.session.snap
        notices = list(snap.notices)
        w, h = ctx.surface.get_size()
        cw = min(w - t.s(6), t.s(96))
        card = pygame.Rect((w - cw) // 2, t.s(3), cw, h - t.s(6))
        ok = Button("continue", _("Continue"), self._continue, primary=True, key_hint="Enter")
        menu = Button("pause", _("Menu"), self.back, key_hint="Esc")
        focus = []
        with ctx.panel(card, "outcome", fill=pal.bg_deep if t.settings.high_contrast else mix(pal.panel, pal.bg, 0.06),
                       border=pal.line) as c:
            inner = c.inflate(-t.s(5), -t.s(5))
            title = f"{snap.calendar.label}: what happened"
            r = ctx.text(title, (inner.left, inner.top), "h2", pal.text, "bold", max_width=inner.width)
            bh = button_height(ctx, ok, t.s(24))
            ok.rect = pygame.Rect(inner.right - t.s(24), inner.bottom - bh, t.s(24), bh)
            menu.rect = pygame.Rect(ok.rect.left - t.s(18) - t.s(1.5), ok.rect.top, t.s(18), bh)
            area = pygame.Rect(inner.left, r.bottom + t.s(2), inner.width, ok.rect.top - t.s(2) - r.bottom - t.s(2))
            self.area.rect = area
            # the notices scroll a whole card at a time, so no card is ever cut in half
            cgap = t.s(1.5)
            heights = [self._card_height(ctx, n, area.width - t.s(8)) for n in notices]
            max_first, acc = len(notices) - 1 if notices else 0, 0
            for i in range(len(notices) - 1, -1, -1):
                acc += heights[i] + (cgap if i < len(notices) - 1 else 0)
                if acc > area.height:
                    break
                max_first = i
            self.area.step = 1
            self.area.content = area.height + max_first
            self.area.clamp()
            first = self.area.offset
            y = area.top
            with ctx.panel(area, "notices"):
                for i in range(first, len(notices)):
                    nr = pygame.Rect(area.left, y, area.width, heights[i])
                    if nr.bottom > area.bottom:
                        # the next card shows as much as fits, whole lines only; PgDn brings it up
                        if area.bottom - nr.top >= t.s(8):
                            self._draw_notice(ctx, notices[i], nr.clip(area))
                        break
                    self._draw_notice(ctx, notices[i], nr)
                    y += heights[i] + cgap
            draw_scroll_hint(ctx, area, self.area.offset > 0, self.area.offset < self.area.max_offset, pal.text_muted)
            if self.area.max_offset > 0:
                ctx.text("PgDn / scroll for more", (inner.left, ok.rect.centery), "label", pal.text_muted,
                         max_width=menu.rect.left - inner.left - t.s(1), anchor="midleft")
        focus = [ok, menu] + ([self.area] if self.area.max_offset > 0 else [])
        self.set_focusables(focus)
        self.draw_buttons(ctx, [menu, ok])
        self.draw_scroll_focus(ctx, self.area)

    def _draw_notice(self, ctx: Ctx, n: Any, rect: pygame.Rect) -> None:
        t = ctx.theme
        pal = t.pal
        label, icon, attr = NOTICE_STYLE.get(n.kind, (n.kind.title(), "flag", "text_muted"))
        colour = getattr(pal, attr)
        with ctx.panel(rect, f"notice:{n.kind}", fill=pal.panel, border=pal.line) as c:
            stripe = pygame.Rect(c.left, c.top, max(5, t.s(0.8)), c.height)
            pygame.draw.rect(ctx.surface, colour, stripe, border_top_left_radius=t.radius, border_bottom_left_radius=t.radius)
            x = c.left + t.s(4)
            wdt = c.right - t.s(2) - x
            y = c.top + t.s(1.5)
            ih = ctx.line_height("label", "bold")
            draw_icon(ctx, icon, pygame.Rect(x, y + 1, ih - 2, ih - 2), colour)
            ctx.text(label.upper(), (x + ih + t.s(0.8), y), "label", colour if not t.settings.high_contrast else pal.text,
                     "bold", max_width=wdt - ih)
            y += ih + t.s(0.5)
            if n.title and y + ctx.line_height("h3", "bold") <= c.bottom:
                r = ctx.text(n.title, (x, y), "h3", pal.text, "bold", max_width=wdt)
                y = r.bottom
            y += t.s(0.8)
            bh = ctx.paragraph_height(n.full_text(), wdt, "body")
            ctx.paragraph(n.full_text(), pygame.Rect(x, y, wdt, max(0, min(bh + 2, c.bottom - y))), "body", pal.text)
            y += bh
            if n.cause and y + t.s(1.5) + ctx.line_height("small") * 2 < c.bottom:
                y += t.s(1.5)
                text = n.cause if n.cause.lower().startswith("because") else "Because of: " + n.cause
                lh = ctx.paragraph_height(text, wdt - t.s(4), "small")
                link = pygame.Rect(x, y, wdt, lh + t.s(1))
                pygame.draw.rect(ctx.surface, pal.panel_alt, link, border_radius=t.radius)
                draw_icon(ctx, "link", pygame.Rect(x + t.s(0.8), y + t.s(0.5), t.s(2.4), t.s(2)), colour)
                ctx.paragraph(text, pygame.Rect(x + t.s(4), y + t.s(0.5), wdt - t.s(4.5), lh + 2), "small", pal.text,
                              weight="regular")
