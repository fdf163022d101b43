"""The play screen and its pop-ups: scene, choices, perception, stakeholders,
events, outcomes with delayed consequences linked to their causes."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pygame

from ..backend import get
from ..input import Intent
from ..render import Ctx
from ..theme import mix
from ..widgets import (Button, button_height, button_width, draw_badge, draw_band, draw_button, draw_chip, draw_icon,
                       draw_portrait, draw_scroll_hint)
from .base import Screen, ScrollArea
from .common import centred_card, fit_width, sentences
from ...i18n import N_, _, engine_text, ngettext

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
        context.push(MessageScreen(context, _("This save could not be loaded"), describe_error(exc)))
        return False
    context.go_home(PlayScreen(context))
    context.toast(_("Loaded."))
    return True


def rewind(context: "ScreenContext") -> bool:
    s = context.session
    if not context.allow_rewind:
        context.toast(_("Rewind is turned off in this session."))
        return False
    if s is None or not s.can_rewind:
        if getattr(s, "rewound", False):
            context.toast(_("Already undone: you can undo only your last decision."))
        else:
            context.toast(_("Nothing to rewind yet: you can undo only your last decision."))
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
    context.toast(_("Rewound: “{decision}” is undone.").format(decision=short(label, 60)))
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
        self.text_area = ScrollArea("scene-text", _("Scene text"))
        self.choice_area = ScrollArea("choices", _("Choices"))
        self.people_area = ScrollArea("people", _("Stakeholders"))
        self.quarter_seen = None
        self.compact = False
        #: where perception's news was drawn (section -> y in the scene text), and what to scroll to
        self.section_tops: dict[str, int] = {}
        self.scroll_to: str | None = None
        #: how many of each section's lines are new since the last perception
        self.new_since: dict[str, int] = {}
        #: the visible meters as last shown, to show what changed since
        self.meters_before: dict[str, int] = {}
        self.meters_now: dict[str, int] = {}
        self.choosing_key: tuple = ()

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
        who = "" if sp.id == "narrator" else ", ".join(x for x in (sp.name, sp.role, sp.agency) if x)
        parts = [s.calendar.label, s.scene_title or "", who, s.text]
        for i, c in enumerate(s.choices):
            parts.append(_("Choice {n}: {text}").format(n=i + 1, text=c.text))
            if not c.available:
                parts.append(_("Unavailable: {reason}").format(reason=c.reason or _("conditions not met")))
        return sentences(*parts)

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
            self.choice_area.offset = 0
            self.people_area.offset = 0
            self.new_since = {}
            self.scroll_to = None
            self.tab = "perceive" if self.compact else "floor"
        if s.status == "choosing" and key != self.choosing_key:
            self.choosing_key = key
            # the numbers as shown in the last scene, to mark what changed since
            now = {mv.id: meter_shown(mv) for mv in s.visible_meters}
            self.meters_before, self.meters_now = (self.meters_now or now), now
            # the focus goes to the first choice that can be taken
            first = next((c for c in s.choices if c.available), None)
            self.focus_id = f"choice:{first.index}" if first is not None else None
            if self.context.settings.tts and s.status == "choosing":
                self.context.speak(self.speech())
        if s.balcony is None and self.tab == "balcony":
            self.tab = "floor"
        if s.status == "outcome":
            events = [n for n in s.notices if n.kind == "event"]
            self.context.push(OutcomeScreen(self.context, events_shown=bool(events)))
            for n in reversed(events):  # the first event on top; each Continue shows the next
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
                self.choice_area.offset, self.people_area.offset, self.focus_id, self.hover_id, int(self.reveal),
                self.scroll_to, self.context.top is self)

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
                self.context.toast(_("Not available: {reason}").format(reason=c.reason))
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
                self.context.toast(_(a.reason) if a.reason else _("Not available now."))
            return
        if kind == "one_to_one":
            self.context.push(OneToOnePicker(self.context, self))
            return
        before = (len(self.snap.insights or ()), self.snap.balcony is not None)
        if not self._safely(lambda: self.session.perceive(kind)):
            return
        self._show_news(before)
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
                    parts.append(_("{name}: in shadow.").format(name=r.name))
                else:
                    parts.append(_("{name}: trust {trust_lo} to {trust_hi}, commitment {commitment_lo} to "
                                   "{commitment_hi}.").format(
                        name=r.name, trust_lo=f"{r.trust[0]:.0f}", trust_hi=f"{r.trust[1]:.0f}",
                        commitment_lo=f"{r.commitment[0]:.0f}", commitment_hi=f"{r.commitment[1]:.0f}"))
            return " ".join(parts)
        return " ".join(s.insights[-1:])

    def _safely(self, call) -> bool:
        """Send an intent; an engine error becomes a message, never a crash."""
        from .front import describe_error
        from .menus import MessageScreen

        try:
            call()
        except Exception as exc:
            self.context.push(MessageScreen(self.context, _("The engine refused that"), describe_error(exc)))
            return False
        return True

    def _show_news(self, before: tuple[int, bool]) -> None:
        """What a perception added goes where the eye is: the scene panel scrolls to it and marks it."""
        heard, up = before
        s = self.snap
        if len(s.insights or ()) > heard:
            self.new_since["heard"] = len(s.insights) - heard
            self.scroll_to = "heard"
        elif s.balcony is not None and not up:
            self.new_since["balcony"] = 1
            self.scroll_to = "balcony"
        self.context.invalidate()

    def one_to_one(self, stakeholder_id: str) -> None:
        before = (len(self.snap.insights or ()), self.snap.balcony is not None)
        if not self._safely(lambda: self.session.perceive("one_to_one", stakeholder_id)):
            return
        self._show_news(before)
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
            self.context.toast(_("Go to the balcony (B) to see readings from above."))
            return
        self.tab = tab
        self.people_area.offset = 0
        self.context.invalidate()

    # ---- drawing ---------------------------------------------------------------------------
    def extra_scroll_areas(self) -> list:
        return [self.text_area, self.choice_area, self.people_area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        surf = ctx.surface
        w, h = surf.get_size()
        surf.fill(pal.bg)
        m = t.s(2)

        # ---- the top bar: calendar and phase, the visible meters, the menu ----
        menu = Button("menu", _("Menu"), self.pause, key_hint="Esc", size="small")
        mw = fit_width(ctx, menu, 0, w // 3)
        mh = button_height(ctx, menu, mw)
        cal_w = t.s(3.6) + ctx.measure(s.calendar.label, "h3", "bold")[0] + t.s(2)
        phase_name = get(s.phase, "name", "")
        chip_w = (ctx.measure(phase_name, "label", "bold")[0] + ctx.line_height("label", "bold") + t.s(3.5)) if phase_name else 0
        tiles = self._meter_tiles(ctx)
        tiles_w = sum(tw for _tile, tw in tiles) + t.s(2.5) * max(0, len(tiles) - 1)
        row_h = max(ctx.line_height("h3", "bold"), mh, ctx.line_height("label") + ctx.line_height("small", "bold")) + t.s(1.5)
        free = w - 2 * m - mw - t.s(2) - cal_w
        meters_in_bar = tiles_w + chip_w + t.s(2) <= free
        chip_w = min(chip_w, max(0, free - (tiles_w + t.s(2) if meters_in_bar else 0)))
        bar_h = row_h
        strip: list[list] = []
        if not meters_in_bar and tiles:
            # meters on a strip of their own under the bar, in as many rows as they need
            line: list = []
            lw = 0
            for tile in tiles:
                if line and lw + t.s(2.5) + tile[1] > w - 2 * m:
                    strip.append(line)
                    line, lw = [], 0
                lw += (t.s(2.5) if line else 0) + min(tile[1], w - 2 * m)
                line.append(tile)
            strip.append(line)
            bar_h = row_h + len(strip) * (ctx.line_height("label") + ctx.line_height("small", "bold") + t.s(1))
        bar = pygame.Rect(0, 0, w, bar_h)
        menu.rect = pygame.Rect(w - m - mw, (row_h - mh) // 2, mw, mh)
        with ctx.panel(bar, "topbar", fill=pal.bg_deep, radius=0):
            x = m
            cy = row_h // 2
            draw_icon(ctx, "calendar", pygame.Rect(x, cy - t.s(1.3), t.s(2.6), t.s(2.6)), pal.text_on_bg)
            x += t.s(3.6)
            r = ctx.text(s.calendar.label, (x, cy), "h3", pal.text_on_bg, "bold", anchor="midleft")
            x = r.right + t.s(2)
            if phase_name and chip_w >= t.s(8):
                r = draw_chip(ctx, phase_name, (x, cy - (ctx.line_height("label", "bold") + t.s(0.5)) // 2),
                              mix(pal.bg_deep, pal.text_on_bg, 0.16), pal.text_on_bg, icon="flag", max_width=chip_w)
                x = r.right + t.s(2)
            if meters_in_bar:
                self._draw_meter_row(ctx, tiles, menu.rect.left - t.s(2) - tiles_w, 0, row_h)
            else:
                yy = row_h
                for line in strip:
                    lh = ctx.line_height("label") + ctx.line_height("small", "bold") + t.s(1)
                    self._draw_meter_row(ctx, line, m, yy, lh)
                    yy += lh
        draw_button(ctx, menu, focused=(self.focus_id == "menu" and self.context.focus_visible(self)),
                    hovered=self.hover_id == "menu")

        body = pygame.Rect(m, bar_h + m, w - 2 * m, h - bar_h - 2 * m)
        gap = t.s(2)
        left_w = int((body.width - gap) * 0.6)
        left = pygame.Rect(body.left, body.top, left_w, body.height)
        right = pygame.Rect(left.right + gap, body.top, body.width - left_w - gap, body.height)

        # ---- the choices: at the bottom of the left column; they scroll when there are too many ----
        choice_buttons: list[Button] = []
        ca = self.choice_area
        for i, c in enumerate(s.choices):
            b = Button(f"choice:{c.index}", c.text, (lambda idx=c.index: self.choose(idx)), enabled=c.available,
                       key_hint=str(i + 1) if i < 9 else "", icon="" if c.available else "lock",
                       detail="" if c.available else _("Not available: {reason}").format(
                           reason=c.reason or _("conditions not met")),
                       area=ca)
            choice_buttons.append(b)
        cgap = t.s(1)
        cw = left.width - 2 * ctx.scroll_pad - ctx.scrollbar_width
        heights = [button_height(ctx, b, cw) for b in choice_buttons]
        if heights and sum(heights) + cgap * len(heights) > left.height * 0.45:
            for b in choice_buttons:
                b.size = "small"
            heights = [button_height(ctx, b, cw) for b in choice_buttons]
        natural = ctx.scroll_content(sum(heights) + cgap * max(0, len(heights) - 1)) if heights else 0
        choices_h = min(natural, int(left.height * 0.5)) if natural > left.height * 0.5 else natural
        if choice_buttons:
            ca.rect = pygame.Rect(left.left - ctx.scroll_pad, left.bottom - choices_h + ctx.scroll_pad,
                                  left.width + ctx.scroll_pad, choices_h - ctx.scroll_pad)
            with ctx.scroll(ca, "choices") as f:
                y = f.top
                for b, bh in zip(choice_buttons, heights):
                    b.rect = pygame.Rect(f.left, y, f.width, bh)
                    y += bh + cgap
                ca.content = natural - ctx.scroll_pad
                ca.step = max(heights) if heights else t.s(6)
                self.draw_buttons(ctx, choice_buttons)
            ctx.scrollbar(ca)
        else:
            ca.rect = pygame.Rect(left.left, left.bottom, left.width, 0)
            ca.content = 0
        scene_rect = pygame.Rect(left.left, left.top, left.width,
                                 (ca.rect.top - t.s(1) if choice_buttons else left.bottom) - left.top)
        self._draw_scene(ctx, scene_rect)

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

        focusables = choice_buttons + ([self.text_area] if self.text_area.max_offset > 0 else [])
        focusables += tab_buttons + perc_buttons if self.compact else perc_buttons + tab_buttons
        if self.people_area.max_offset > 0:
            focusables.append(self.people_area)
        focusables.append(menu)
        self.set_focusables(focusables)
        self.draw_scroll_focus(ctx, self.text_area)
        self.draw_scroll_focus(ctx, self.people_area)
        self._draw_tooltip(ctx, tab_buttons)

    def _draw_tooltip(self, ctx: Ctx, buttons: list[Button]) -> None:
        """A locked control's reason, beside it while the mouse is over it."""
        t = ctx.theme
        pal = t.pal
        b = next((b for b in buttons if b.id == self.hover_id and b.tooltip), None)
        if b is None:
            return
        w, h = ctx.surface.get_size()
        tw = min(t.s(40), w - t.s(4))
        th = ctx.paragraph_height(b.tooltip, tw - t.s(2), "small", spacing=1.0) + t.s(1.5)
        rect = pygame.Rect(0, 0, tw, th)
        rect.topright = (min(w - t.s(1), b.rect.right), b.rect.bottom + t.s(0.5))
        if rect.bottom > h:
            rect.bottom = b.rect.top - t.s(0.5)
        with ctx.panel(rect, "tooltip", fill=pal.text if not t.settings.high_contrast else (0, 0, 0), border=pal.focus):
            ctx.paragraph(b.tooltip, rect.inflate(-t.s(2), -t.s(1.5)), "small",
                          pal.panel if not t.settings.high_contrast else (255, 255, 255), spacing=1.0)

    # ---- meters -------------------------------------------------------------------------------
    def _meter_changes(self) -> dict:
        """Meter id -> (shown change, its causes) since the player last saw the numbers."""
        rows = getattr(self.snap, "changes", ()) or ()
        out = {r.id: (r.delta, r.change_text() if hasattr(r, "change_text") else "") for r in rows if r.delta}
        if not rows:
            for mv in self.snap.visible_meters:
                before = self.meters_before.get(mv.id)
                now = meter_shown(mv)
                if before is not None and now != before:
                    out[mv.id] = (now - before, "")
        return out

    def _meter_tiles(self, ctx: Ctx) -> list:
        t = ctx.theme
        changes = self._meter_changes()
        tiles = []
        for mv in self.snap.visible_meters:
            val = f"{meter_shown(mv):,}"
            delta = changes.get(mv.id, (0, ""))[0]
            dw = (ctx.measure(_signed(delta), "label", "bold")[0] + t.s(2.5)) if delta else 0
            width = max(ctx.measure(mv.label, "label")[0], ctx.measure(val, "small", "bold")[0] + dw) + 4
            tiles.append(((mv, val, delta), width))
        return tiles

    def _draw_meter_row(self, ctx: Ctx, tiles: list, x: int, top: int, height: int) -> None:
        t = ctx.theme
        pal = t.pal
        lab_h = ctx.line_height("label")
        val_h = ctx.line_height("small", "bold")
        y = top + (height - lab_h - val_h) // 2
        limit = ctx.surface.get_width() - t.s(2)
        for (mv, val, delta), tw in tiles:
            tw = min(tw, limit - x)
            ctx.text(mv.label, (x, y), "label", pal.muted_on_bg, max_width=tw)
            r = ctx.text(val, (x, y + lab_h), "small", pal.text_on_bg, "bold")
            if delta:
                # the change since the numbers were last shown: an arrow and the amount (the outcome says why)
                ax = r.right + t.s(0.8)
                ah = max(4, lab_h // 3)
                cy = r.centery
                pts = ([(ax, cy + ah // 2), (ax + ah * 2, cy + ah // 2), (ax + ah, cy - ah)] if delta > 0 else
                       [(ax, cy - ah // 2), (ax + ah * 2, cy - ah // 2), (ax + ah, cy + ah)])
                pygame.draw.polygon(ctx.surface, pal.focus, pts)
                ctx.text(_signed(delta), (ax + ah * 2 + t.s(0.4), r.centery), "label", pal.focus, "bold", anchor="midleft")
            x += tw + t.s(2.5)

    # ---- the scene ------------------------------------------------------------------------------
    def _draw_scene(self, ctx: Ctx, rect: pygame.Rect) -> None:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        sp = s.speaker
        narrator = sp.id == "narrator"
        colour = t.agency_colour(sp.agency or sp.id, get(sp, "colour"), self._order(sp.id)) if not narrator else pal.line
        with ctx.panel(rect, "scene", fill=pal.panel, border=pal.line) as card:
            pad = t.s(2)
            inner = card.inflate(-pad * 2, -pad * 2)
            band = pygame.Rect(card.left, card.top, card.width, max(4, t.s(0.75)))
            pygame.draw.rect(ctx.surface, colour, band, border_top_left_radius=t.radius, border_top_right_radius=t.radius)
            name = _("Narrator") if narrator else sp.name
            role = "" if narrator else ", ".join(x for x in (sp.role, sp.agency) if x)
            # with room, a portrait beside the speaker; when tight, the speaker's name scrolls with the text
            tight = inner.height < t.s(30) + ctx.line_height("body") * 4
            area = self.text_area
            if not tight:
                ph = min(t.s(12), max(t.s(6), inner.height // 4))
                portrait = pygame.Rect(inner.left, inner.top + t.s(0.5), ph, ph)
                draw_portrait(ctx, portrait, sp.name, sp.agency, colour, narrator=narrator)
                tx = portrait.right + t.s(2)
                tw = inner.right - tx
                y = portrait.top
                if s.scene_title:
                    hh = ctx.paragraph_height(str(s.scene_title).upper(), tw, "label", "bold", spacing=1.0)
                    ctx.paragraph(str(s.scene_title).upper(), pygame.Rect(tx, y, tw, hh + 2), "label", pal.text_muted, "bold",
                                  spacing=1.0)
                    y += hh + t.s(0.3)
                nh = ctx.paragraph_height(name, tw, "h3", "bold", spacing=1.0)
                ctx.paragraph(name, pygame.Rect(tx, y, tw, nh + 2), "h3", pal.text, "bold", spacing=1.0)
                y += nh
                if role:
                    rh = ctx.paragraph_height(role, tw, "small", spacing=1.0)
                    if y + rh <= inner.bottom:
                        ctx.paragraph(role, pygame.Rect(tx, y, tw, rh + 2), "small", pal.text_muted, spacing=1.0)
                        y += rh
                text_top = min(max(portrait.bottom, y) + t.s(1), inner.bottom - ctx.line_height("body") * 2)
            else:
                text_top = inner.top + t.s(0.5)
            area.rect = pygame.Rect(inner.left - ctx.scroll_pad, text_top, inner.width + ctx.scroll_pad,
                                    inner.bottom - text_top + ctx.scroll_pad // 2)
            area.step = ctx.line_height("body") * 2
            full = s.text
            insights = tuple(s.insights or ())
            reveal = None if self.reveal >= len(full) else int(self.reveal)
            with ctx.scroll(area, "scene-text") as f:
                y = f.top
                if tight:
                    who = name + (f" · {role}" if role else "")
                    wh = ctx.paragraph_height(who, f.width, "small", "bold", spacing=1.0)
                    ctx.paragraph(who, pygame.Rect(f.left, y, f.width, wh + 2), "small", pal.text_muted, "bold", spacing=1.0)
                    y += wh + t.s(0.8)
                y += ctx.paragraph(full, pygame.Rect(f.left, y, f.width, 100_000), "body", pal.text, reveal=reveal)
                if reveal is None:
                    sections = []
                    if s.balcony is not None and get(s.balcony, "text", ""):
                        sections.append(("balcony", "eye", _("FROM THE BALCONY"), (s.balcony.text,)))
                    if insights:
                        sections.append(("heard", "ear", _("WHAT YOU HEARD THIS QUARTER"), insights))
                    for key, icon, heading, lines in sections:
                        top = y + t.s(2)
                        y = self._section(ctx, f, top, icon, heading, lines, new=self.new_since.get(key, 0))
                        self.section_tops[key] = top - f.top
                area.content = ctx.scroll_content(y - f.top)
                if self.scroll_to is not None and self.scroll_to in self.section_tops:
                    # perception's news goes where the eye is: the panel scrolls to it
                    area.offset = self.section_tops[self.scroll_to]
                    area.clamp()
                    self.scroll_to = None
                    self.context.invalidate()
            ctx.scrollbar(area)

    def _section(self, ctx: Ctx, f: pygame.Rect, y: int, icon: str, heading: str, lines: tuple, new: int = 0) -> int:
        """A headed block under the scene text (balcony view, stories heard); returns the y below it."""
        t = ctx.theme
        pal = t.pal
        colour = pal.delayed if not t.settings.high_contrast else pal.text
        hh = ctx.line_height("label", "bold")
        draw_icon(ctx, icon, pygame.Rect(f.left, y, hh - 2, hh - 2), colour)
        hw = f.width - hh - t.s(1)
        heading_h = ctx.paragraph_height(heading, hw, "label", "bold", spacing=1.0)
        ctx.paragraph(heading, pygame.Rect(f.left + hh + t.s(1), y, hw, heading_h + 2), "label", pal.text_muted, "bold",
                      spacing=1.0)
        y += heading_h + t.s(0.8)
        for i, line in enumerate(lines):
            fresh = i >= len(lines) - new
            lw = f.width - t.s(3)
            ih = ctx.paragraph_height(line, lw, "small")
            pygame.draw.line(ctx.surface, pal.focus if fresh else colour, (f.left + t.s(1), y),
                             (f.left + t.s(1), y + ih), max(2, t.s(0.5 if fresh else 0.4)))
            ctx.paragraph(line, pygame.Rect(f.left + t.s(3), y, lw, ih + 2), "small", pal.text)
            y += ih + t.s(1)
        return y

    def _order(self, sid: str) -> int:
        for i, p in enumerate(self.snap.dance_floor):
            if p.id == sid:
                return i
        return -1

    # ---- perception -------------------------------------------------------------------------------
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
                detail = _(a.reason) if a.reason else _("Not available now")
            elif not same_cost:
                detail = ngettext("Costs {n} attention", "Costs {n} attention", a.cost).format(n=a.cost)
            buttons.append(Button(f"perceive:{a.kind}", _(a.label), (lambda k=a.kind: self.perceive(k)), enabled=a.available,
                                  key_hint=ACTION_KEYS.get(a.kind, ""), icon=ACTION_ICONS.get(a.kind, ""),
                                  detail=detail, size="small", tooltip=_(a.reason) if a.reason else ""))
        note = _(shared) if shared else (ngettext("Each costs {n} attention.", "Each costs {n} attention.",
                                                 actions[0].cost).format(n=actions[0].cost)
                                        if actions and same_cost else "")
        label = _("Attention left: {left} of {most}").format(left=s.attention_left, most=s.attention_max)
        lh = ctx.line_height("label", "bold")
        pips_w = s.attention_max * (t.s(1.8) + t.s(0.6))
        one_line = ctx.measure(_("PERCEIVE") + "  " + label, "label", "bold")[0] + pips_w + t.s(2) <= width
        label_h = lh if ctx.measure(label, "label", "bold")[0] + pips_w + t.s(2) <= width else \
            ctx.paragraph_height(label, width, "label", "bold", spacing=1.0) + lh
        head_h = (lh if one_line else lh + label_h) + t.s(0.5)
        note_h = ctx.paragraph_height(note, width, "label") if note else 0
        heights = [button_height(ctx, b, width) for b in buttons]
        bgap = t.s(0.8)
        total = head_h + (note_h + t.s(0.5) if note else 0) + t.s(1) + sum(heights) + bgap * max(0, len(heights) - 1)
        return dict(buttons=buttons, heights=heights, note=note, note_h=note_h, label=label, one_line=one_line,
                    head_h=head_h, total=total, bgap=bgap, pips_w=pips_w)

    def _draw_perception(self, ctx: Ctx, x: int, y: int, width: int, p: dict, area: ScrollArea | None = None) -> list[Button]:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        from ..widgets import draw_pips

        lh = ctx.line_height("label", "bold")
        ctx.text(_("PERCEIVE"), (x, y), "label", pal.text_muted, "bold", max_width=width)
        ly = y if p["one_line"] else y + lh
        if ctx.measure(p["label"], "label", "bold")[0] + p["pips_w"] + t.s(2) <= width:
            r = ctx.text(p["label"], (x + width, ly), "label", pal.text, "bold", anchor="topright")
            draw_pips(ctx, (r.left - t.s(1) - p["pips_w"], ly + lh // 2), s.attention_left, s.attention_max,
                      pal.accent if not t.settings.high_contrast else pal.focus, pal.text_muted)
        else:
            draw_pips(ctx, (x, ly + lh // 2), s.attention_left, s.attention_max,
                      pal.accent if not t.settings.high_contrast else pal.focus, pal.text_muted)
            ph = ctx.paragraph_height(p["label"], width, "label", "bold", spacing=1.0)
            ctx.paragraph(p["label"], pygame.Rect(x, ly + lh, width, ph + 2), "label", pal.text, "bold", spacing=1.0)
        y += p["head_h"]
        if p["note"]:
            ctx.paragraph(p["note"], pygame.Rect(x, y, width, p["note_h"] + 1), "label", pal.text_muted)
            y += p["note_h"] + t.s(0.5)
        y += t.s(1)
        for b, bh in zip(p["buttons"], p["heights"]):
            b.rect = pygame.Rect(x, y, width, bh)
            b.area = area
            y += bh + p["bgap"]
        self.draw_buttons(ctx, p["buttons"])
        return p["buttons"]

    # ---- stakeholders ----------------------------------------------------------------------------
    def _draw_people(self, ctx: Ctx, rect: pygame.Rect, perc: dict | None) -> list[Button]:
        t = ctx.theme
        pal = t.pal
        s = self.snap
        pad = t.s(1.5)
        with ctx.panel(rect, "people", fill=pal.panel, border=pal.line) as card:
            inner = card.inflate(-pad * 2, -pad * 2)
            tabs = []
            if perc is not None:
                tabs.append(Button("tab:perceive", _("Perceive"), lambda: self.set_tab("perceive"), key_hint="P", size="small",
                                   primary=self.tab == "perceive"))
            tabs.append(Button("tab:floor", _("Dance floor"), lambda: self.set_tab("floor"), key_hint="D", size="small",
                               primary=self.tab == "floor"))
            locked = _("Go to the balcony (B) first: its readings show here.") if s.balcony is None else ""
            tabs.append(Button("tab:balcony", _("Balcony"), lambda: self.set_tab("balcony"), key_hint="V", size="small",
                               primary=self.tab == "balcony", enabled=s.balcony is not None,
                               icon="" if s.balcony is not None else "lock", tooltip=locked))
            gap = t.s(1)
            tw = (inner.width - gap * (len(tabs) - 1)) // len(tabs)
            for b in tabs:
                fit_words(ctx, b, tw)
            th = max(button_height(ctx, b, tw) for b in tabs)
            for i, b in enumerate(tabs):
                b.rect = pygame.Rect(inner.left + i * (tw + gap), inner.top, tw, th)
            self.draw_buttons(ctx, tabs)
            y = inner.top + th + t.s(1)
            area = self.people_area
            area.rect = pygame.Rect(inner.left - ctx.scroll_pad // 2, y, inner.width + ctx.scroll_pad // 2 + pad // 2,
                                    max(0, card.bottom - t.s(0.5) - y))
            area.step = t.s(6)
            with ctx.scroll(area, "people-list") as f:
                if self.tab == "perceive" and perc is not None:
                    self._draw_perception(ctx, f.left, f.top, f.width, self._perception(ctx, f.width), area)
                    used = self._perception(ctx, f.width)["total"]
                else:
                    yy = f.top
                    caption = (_("What people say in the room.") if self.tab == "floor"
                               else _("Readings from above: ranges, never exact."))
                    ch = ctx.paragraph_height(caption, f.width, "label")
                    ctx.paragraph(caption, pygame.Rect(f.left, yy, f.width, ch + 2), "label", pal.text_muted)
                    yy += ch + t.s(1)
                    if self.tab == "balcony" and s.balcony is not None:
                        yy += self._draw_balcony(ctx, pygame.Rect(f.left, yy, f.width, 0))
                    else:
                        yy += self._draw_floor(ctx, pygame.Rect(f.left, yy, f.width, 0))
                    used = yy - f.top
                area.content = ctx.scroll_content(used)
            ctx.scrollbar(area)
        return tabs

    def _draw_floor(self, ctx: Ctx, area: pygame.Rect) -> int:
        """Every stakeholder on the floor, each row as tall as its words need; returns the height."""
        t = ctx.theme
        pal = t.pal
        s = self.snap
        revealed = {sid: val for sid, val in (s.revealed or ())}
        badge = max(t.s(4.5), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
        y = area.top
        step = t.s(1.1)
        pips_w = 5 * (step + t.s(0.4))
        for i, p in enumerate(s.dance_floor):
            tx = area.left + badge + t.s(1.5)
            avail = area.right - tx
            says = f"“{_(p.says)}”"
            sw = ctx.measure(says, "small", "bold")[0] + t.s(1)
            name_w = ctx.measure(p.name, "small", "bold")[0]
            beside = name_w + t.s(1) + max(sw, pips_w) <= avail
            name_box = avail - (max(sw, pips_w) + t.s(1) if beside else 0)
            nh = ctx.paragraph_height(p.name, name_box, "small", "bold", spacing=1.0)
            ah = ctx.paragraph_height(p.agency, name_box, "label", spacing=1.0)
            yy = y + t.s(0.5)
            col = t.agency_colour(p.agency, p.colour, i)
            draw_badge(ctx, pygame.Rect(area.left, yy, badge, badge), p.name, p.agency, col)
            ctx.paragraph(p.name, pygame.Rect(tx, yy, name_box, nh + 2), "small", pal.text, "bold", spacing=1.0)
            ctx.paragraph(p.agency, pygame.Rect(tx, yy + nh, name_box, ah + 2), "label", pal.text_muted, spacing=1.0)
            if beside:
                ctx.text(says, (area.right, yy), "small", pal.text, "bold", anchor="topright")
                pip_y = yy + ctx.line_height("small", "bold") + t.s(0.3)
                bottom = max(yy + nh + ah, pip_y + step)
            else:
                sy = yy + nh + ah
                sh = ctx.paragraph_height(says, avail, "small", "bold", spacing=1.0)
                ctx.paragraph(says, pygame.Rect(tx, sy, avail, sh + 2), "small", pal.text, "bold", spacing=1.0)
                pip_y = sy + sh + t.s(0.3)
                bottom = pip_y + step
            band = get(p, "support_band", 2)
            band = band if isinstance(band, int) else 2
            for k in range(5):
                r = pygame.Rect(area.right - (5 - k) * (step + t.s(0.4)), pip_y, step, step)
                if k <= band:
                    pygame.draw.rect(ctx.surface, pal.text_muted, r, border_radius=2)
                else:
                    pygame.draw.rect(ctx.surface, pal.line, r, width=1, border_radius=2)
            if p.id in revealed:
                note = _("Real commitment {value}/100 (one-to-one)").format(value=fmt_num(revealed[p.id]))
                rh = ctx.paragraph_height(note, avail, "label", "bold", spacing=1.0)
                ctx.paragraph(note, pygame.Rect(tx, bottom + t.s(0.3), avail, rh + 2), "label",
                              pal.delayed if not t.settings.high_contrast else pal.text, "bold", spacing=1.0)
                bottom += rh + t.s(0.3)
            bottom = max(bottom, yy + badge) + t.s(0.8)
            if i < len(s.dance_floor) - 1:
                pygame.draw.line(ctx.surface, pal.line, (area.left, bottom), (area.right, bottom), 1)
            y = bottom + t.s(0.5)
        return y - area.top

    def _draw_balcony(self, ctx: Ctx, area: pygame.Rect) -> int:
        """The balcony's readings: meters, then each stakeholder's trust and commitment as ranges."""
        t = ctx.theme
        pal = t.pal
        bv = self.snap.balcony
        lh_label = ctx.line_height("label")
        y = area.top
        range_w = ctx.measure("100–100", "label", "bold")[0] + t.s(1)
        if bv.meters:
            lw = min(max(ctx.measure(x.label, "label")[0] for x in bv.meters) + t.s(1), area.width // 2)
        for mr in bv.meters:
            nh = ctx.paragraph_height(mr.label, lw, "label", spacing=1.0)
            ctx.paragraph(mr.label, pygame.Rect(area.left, y, lw, nh + 2), "label", pal.text, spacing=1.0)
            bar = pygame.Rect(area.left + lw + t.s(1), y + lh_label // 2 - t.s(0.6), area.width - lw - range_w - t.s(2),
                              t.s(1.2))
            if bar.width > t.s(2):
                draw_band(ctx, bar, mr.lo, mr.hi)
            ctx.text(f"{fmt_num(mr.lo)}–{fmt_num(mr.hi)}", (area.right, y), "label", pal.text, "bold", anchor="topright")
            y += max(nh, lh_label) + t.s(1)
        if bv.meters:
            pygame.draw.line(ctx.surface, pal.line, (area.left, y + t.s(0.5)), (area.right, y + t.s(0.5)), 1)
            y += t.s(1.5)
        order = {p.id: i for i, p in enumerate(self.snap.dance_floor)}
        agencies = {p.id: p for p in self.snap.dance_floor}
        badge = max(t.s(4.5), ctx.measure("MW", "label", "bold")[0] + t.s(1.2))
        label_w = max(ctx.measure(_("Commitment"), "label")[0], ctx.measure(_("Trust"), "label")[0]) + t.s(1)
        tx = area.left + badge + t.s(1.5)
        avail = area.right - tx
        half = (avail - t.s(2)) // 2
        side = half - label_w - range_w >= t.s(8)   # both readings on one line, if the bars stay readable
        for r in bv.readings:
            p = agencies.get(r.stakeholder_id)
            agency = p.agency if p else ""
            col = t.agency_colour(agency, p.colour if p else None, order.get(r.stakeholder_id, -1))
            draw_badge(ctx, pygame.Rect(area.left, y + t.s(0.3), badge, badge), r.name, agency, col, shadow=r.hidden)
            nh = ctx.paragraph_height(r.name, avail, "small", "bold", spacing=1.0)
            ctx.paragraph(r.name, pygame.Rect(tx, y, avail, nh + 2), "small", pal.shadow if r.hidden else pal.text, "bold",
                          spacing=1.0)
            yy = y + nh
            if r.hidden:
                note = _("In shadow: out of view from the balcony.")
                hh = ctx.paragraph_height(note, avail, "label")
                ctx.paragraph(note, pygame.Rect(tx, yy, avail, hh + 2), "label", pal.text_muted)
                yy += hh
            else:
                xx = tx
                for key, lab, rng in (("trust", _("Trust"), r.trust), ("commitment", _("Commitment"), r.commitment)):
                    if rng is None:
                        continue
                    right_edge = (xx + half) if side and key == "trust" else area.right
                    ctx.text(lab, (xx, yy), "label", pal.text_muted)
                    bar = pygame.Rect(xx + label_w, yy + lh_label // 2 - t.s(0.5), right_edge - xx - label_w - range_w, t.s(1))
                    if bar.width > t.s(2):
                        draw_band(ctx, bar, rng[0], rng[1])
                    ctx.text(f"{fmt_num(rng[0])}–{fmt_num(rng[1])}", (right_edge, yy), "label", pal.text, "bold",
                             anchor="topright")
                    if side:
                        xx = right_edge + t.s(2)
                    else:
                        yy += lh_label
                if side:
                    yy += lh_label
            bottom = max(yy, y + badge + t.s(0.3)) + t.s(0.8)
            pygame.draw.line(ctx.surface, pal.line, (area.left, bottom), (area.right, bottom), 1)
            y = bottom + t.s(0.5)
        return y - area.top


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


def shown(v: Any) -> int:
    """The engine's one rounding rule for every number shown (imported when first needed: the title
    screen opens without the engine)."""
    from engine.views import shown as rule

    return rule(v)


def meter_shown(mv: Any) -> int:
    """A meter's value as the player sees it (the engine's one rounding rule)."""
    got = getattr(mv, "shown", None)
    return got if isinstance(got, int) and (got or not mv.value) else shown(mv.value)


def fmt_num(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{shown(f):,}"  # the one rounding rule of every number a player sees (engine.views.shown)


# ---- pop-ups ------------------------------------------------------------------------------------

NOTICE_STYLE = {
    # kind: (label, icon, palette attribute)
    # the labels are translated where they are shown (marked here: this runs once, at import)
    "result": (N_("Your decision"), "check", "accent"),
    "quarter": (N_("Quarter summary"), "calendar", "text_muted"),
    "event": (N_("Event"), "alert", "event"),
    "delayed": (N_("Delayed consequence"), "link", "delayed"),
    "phase": (N_("New phase"), "flag", "good"),
}


class OneToOnePicker(Screen):
    name = "one-to-one"
    modal = True
    title = N_("Hold a one-to-one with whom?")

    def __init__(self, context: "ScreenContext", play: PlayScreen) -> None:
        super().__init__(context)
        self.play = play
        self.area = ScrollArea("picker-list", _("People"))

    def speech(self) -> str:
        return _(self.title) + " " + ". ".join(p.name for p in self.play.snap.dance_floor)

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

    def extra_scroll_areas(self) -> list:
        return [self.area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        people = self.play.snap.dance_floor
        w, h = ctx.surface.get_size()
        buttons = []
        for i, p in enumerate(people):
            buttons.append(Button(f"meet:{p.id}", p.name, (lambda sid=p.id: self._pick(sid)),
                                  key_hint=str(i + 1) if i < 9 else "", detail=p.agency, size="small",
                                  badge=(p.name, p.agency, t.agency_colour(p.agency, p.colour, i)), area=self.area))
        gap = t.s(1)
        need = max([button_width(ctx, b, whole=False) for b in buttons] + [0])
        cols = 1
        if len(people) > 4:
            wide = min(w - t.s(4), t.s(96)) - t.s(8) - 2 * ctx.scroll_pad - ctx.scrollbar_width
            if (wide - gap) // 2 >= max(need, t.s(30)):
                cols = 2  # two columns only where every word still fits
        card_w = min(w - t.s(4), t.s(96 if cols == 2 else 60))
        inner_w = card_w - t.s(8)
        list_w = inner_w - 2 * ctx.scroll_pad - ctx.scrollbar_width
        cw = (list_w - gap * (cols - 1)) // cols
        cancel = Button("cancel", _("Cancel"), self.back, key_hint="Esc", size="small")
        row_h = max([button_height(ctx, b, cw) for b in buttons] + [t.s(6)])
        rows = (len(people) + cols - 1) // cols
        note = _("Who do you meet? You will learn what they really intend.")
        head_h = ctx.paragraph_height(_("Hold a one-to-one"), inner_w, "h2", "bold", spacing=1.0)
        nh = ctx.paragraph_height(note, inner_w, "small")
        cancel_w = fit_width(ctx, cancel, 20, inner_w)
        cancel_h = button_height(ctx, cancel, cancel_w)
        list_h = ctx.scroll_content(rows * row_h + gap * (rows - 1))
        card = centred_card(ctx, card_w / t.s(1), head_h + nh + list_h + cancel_h + t.s(11))
        with ctx.panel(card, "picker", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(8), -t.s(6))
            ctx.paragraph(_("Hold a one-to-one"), pygame.Rect(inner.left, inner.top, inner.width, head_h + 2), "h2", pal.text,
                          "bold", spacing=1.0)
            y = inner.top + head_h + t.s(0.5)
            ctx.paragraph(note, pygame.Rect(inner.left, y, inner.width, nh + 2), "small", pal.text_muted)
            y += nh + t.s(1)
            cancel.rect = pygame.Rect(inner.right - cancel_w, inner.bottom - cancel_h, cancel_w, cancel_h)
            self.area.rect = pygame.Rect(inner.left, y, inner.width, cancel.rect.top - t.s(1) - y)
            with ctx.scroll(self.area, "picker-list") as f:
                for i, b in enumerate(buttons):
                    col, row = (i % cols, i // cols)
                    b.rect = pygame.Rect(f.left + col * (cw + gap), f.top + row * (row_h + gap), cw, row_h)
                self.area.content = ctx.scroll_content(rows * row_h + gap * (rows - 1))
                self.area.step = row_h
                self.set_focusables(buttons + [cancel])
                self.draw_buttons(ctx, buttons)
            ctx.scrollbar(self.area)
            self.draw_buttons(ctx, [cancel])


class EventPopup(Screen):
    name = "event"
    modal = True

    def __init__(self, context: "ScreenContext", notice: Any) -> None:
        super().__init__(context)
        self.notice = notice
        self.area = ScrollArea("event-text", _("Event"))

    def signature(self) -> str:
        return f"event-{self.notice.title}"

    def view_key(self) -> tuple | None:
        return ("event", id(self.notice), self.area.offset, self.focus_id, self.hover_id, self.context.top is self)

    def speech(self) -> str:
        return sentences(_("Event"), self.notice.title, self.notice.text)

    def back(self) -> bool:
        self.context.pop()
        return True

    def extra_scroll_areas(self) -> list:
        return [self.area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        n = self.notice
        w, h = ctx.surface.get_size()
        cw = min(w - t.s(4), t.s(72))
        inner_w = cw - t.s(10)
        text_w = inner_w - 2 * ctx.scroll_pad - ctx.scrollbar_width
        ok = Button("ok", _("Continue"), self.back, primary=True, key_hint="Enter")
        okw = fit_width(ctx, ok, 26, inner_w)
        bh = button_height(ctx, ok, okw)
        label_h = ctx.line_height("label", "bold")
        title_h = ctx.paragraph_height(n.title, text_w, "h1", "bold", spacing=1.0)
        body_h = ctx.scroll_content(title_h + t.s(2) + ctx.paragraph_height(n.text, text_w, "body"))
        card = centred_card(ctx, cw / t.s(1), label_h + t.s(1) + body_h + t.s(2) + bh + t.s(8))
        with ctx.panel(card, "event", fill=pal.panel, border=pal.event) as c:
            stripe = pygame.Rect(c.left, c.top, max(6, t.s(1)), c.height)
            pygame.draw.rect(ctx.surface, pal.event, stripe, border_top_left_radius=t.radius, border_bottom_left_radius=t.radius)
            inner = c.inflate(-t.s(10), -t.s(8))
            draw_icon(ctx, "alert", pygame.Rect(inner.left, inner.top, label_h - 2, label_h - 2), pal.event)
            r = ctx.text(_("EVENT"), (inner.left + label_h + t.s(0.8), inner.top), "label", pal.event, "bold")
            ok.rect = pygame.Rect(inner.right - okw, inner.bottom - bh, okw, bh)
            self.area.rect = pygame.Rect(inner.left - ctx.scroll_pad, r.bottom + t.s(1), inner.width + ctx.scroll_pad,
                                         ok.rect.top - t.s(2) - r.bottom - t.s(1))
            with ctx.scroll(self.area, "event-text") as f:
                ctx.paragraph(n.title, pygame.Rect(f.left, f.top, f.width, title_h + 2), "h1", pal.text, "bold", spacing=1.0)
                used = title_h + t.s(2)
                used += ctx.paragraph(n.text, pygame.Rect(f.left, f.top + used, f.width, 100_000), "body", pal.text)
                self.area.content = ctx.scroll_content(used)
                self.area.step = ctx.line_height("body") * 2
            ctx.scrollbar(self.area)
        self.set_focusables([ok] + ([self.area] if self.area.max_offset > 0 else []))
        self.draw_buttons(ctx, [ok])
        self.draw_scroll_focus(ctx, self.area)


class OutcomeScreen(Screen):
    """What the last decision led to: its result, the quarter, delayed
    consequences (each linked to the decision that caused it), phase changes.
    Events come first, one pop-up at a time, and are not repeated here."""

    name = "outcome"
    modal = True

    def __init__(self, context: "ScreenContext", events_shown: bool = False) -> None:
        super().__init__(context)
        self.area = ScrollArea("notices", _("Notices"))
        self.session = context.session
        self.revision = context.session.revision if context.session else -1
        #: the quarter's events were shown one by one as pop-ups before this
        self.events_shown = events_shown

    def signature(self) -> str:
        s = self.session.snap
        return f"outcome-{s.scene_id}-{s.calendar.turn}"

    def view_key(self) -> tuple | None:
        return ("outcome", self.session.revision, self.area.offset, self.focus_id, self.hover_id, self.context.top is self)

    def cards(self) -> list["Card"]:
        """The notices as the outcome shows them: events already shown as pop-ups are not repeated."""
        return [notice_card(n, self.session.last_choice_text) for n in self.session.snap.notices
                if n.kind != "event" or not self.events_shown]

    def speech(self) -> str:
        return sentences(*(c.speech() for c in self.cards()), _("Press Enter to continue"))

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
        return False

    def extra_scroll_areas(self) -> list:
        return [self.area]

    def update(self, dt: float) -> None:
        if self.session.snap.status != "outcome" and self.context.top is self:
            self.context.pop()

    def _card_height(self, ctx: Ctx, card: "Card", width: int) -> int:
        return self._draw_card(ctx, card, pygame.Rect(0, 0, width, 0), measure=True)

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        snap = self.session.snap
        cards = self.cards()
        w, h = ctx.surface.get_size()
        cw = min(w - t.s(4), t.s(96))
        inner_w = cw - t.s(8)
        list_w = inner_w - 2 * ctx.scroll_pad - ctx.scrollbar_width
        ok = Button("continue", _("Continue"), self._continue, primary=True, key_hint="Enter")
        menu = Button("pause", _("Menu"), self.back, key_hint="Esc")
        okw = fit_width(ctx, ok, 24, inner_w)
        mw = fit_width(ctx, menu, 18, inner_w)
        two_rows = okw + mw + t.s(1.5) > inner_w
        bh = max(button_height(ctx, ok, okw), button_height(ctx, menu, mw))
        foot = bh * (2 if two_rows else 1) + (t.s(1) if two_rows else 0)
        title = _("{quarter}: what happened").format(quarter=snap.calendar.label)
        title_h = ctx.paragraph_height(title, inner_w, "h2", "bold", spacing=1.0)
        cgap = t.s(1.5)
        heights = [self._card_height(ctx, c, list_w) for c in cards]
        content = ctx.scroll_content(sum(heights) + cgap * max(0, len(cards) - 1))
        # the dialog is as tall as what it says, never taller than the window
        card = centred_card(ctx, cw / t.s(1), title_h + t.s(2) + content + t.s(2) + foot + t.s(8))
        with ctx.panel(card, "outcome", fill=pal.bg_deep if t.settings.high_contrast else mix(pal.panel, pal.bg, 0.06),
                       border=pal.line) as c:
            inner = c.inflate(-t.s(8), -t.s(8))
            ctx.paragraph(title, pygame.Rect(inner.left, inner.top, inner.width, title_h + 2), "h2", pal.text, "bold",
                          spacing=1.0)
            ok.rect = pygame.Rect(inner.right - okw, inner.bottom - bh, okw, bh)
            if two_rows:
                menu.rect = pygame.Rect(inner.right - mw, ok.rect.top - t.s(1) - bh, mw, bh)
            else:
                menu.rect = pygame.Rect(ok.rect.left - t.s(1.5) - mw, ok.rect.top, mw, bh)
            top = inner.top + title_h + t.s(2)
            area = self.area
            area.rect = pygame.Rect(inner.left - ctx.scroll_pad, top, inner.width + ctx.scroll_pad,
                                    min(ok.rect.top, menu.rect.top) - t.s(2) - top)
            with ctx.scroll(area, "notices") as f:
                y = f.top
                for cd, ch in zip(cards, heights):
                    self._draw_card(ctx, cd, pygame.Rect(f.left, y, f.width, ch))
                    y += ch + cgap
                area.content = content
                area.step = ctx.line_height("body") * 2
            ctx.scrollbar(area)
        self.set_focusables([ok, menu] + ([area] if area.max_offset > 0 else []))
        self.draw_buttons(ctx, [menu, ok])
        self.draw_scroll_focus(ctx, area)

    def _draw_card(self, ctx: Ctx, cd: "Card", rect: pygame.Rect, measure: bool = False) -> int:
        """Draw one notice card in ``rect`` (or only measure it); returns its height."""
        t = ctx.theme
        pal = t.pal
        label, icon, attr = NOTICE_STYLE.get(cd.kind, (cd.kind.title(), "flag", "text_muted"))
        label = _(label)
        colour = getattr(pal, attr)
        x = rect.left + t.s(3)
        wdt = rect.right - t.s(2) - x
        y = rect.top + t.s(1.5)
        ih = ctx.line_height("label", "bold")
        if not measure:
            pygame.draw.rect(ctx.surface, pal.panel, rect, border_radius=t.radius)
            pygame.draw.rect(ctx.surface, pal.line, rect, width=t.border, border_radius=t.radius)
            stripe = pygame.Rect(rect.left, rect.top, max(5, t.s(0.8)), rect.height)
            pygame.draw.rect(ctx.surface, colour, stripe, border_top_left_radius=t.radius,
                             border_bottom_left_radius=t.radius)
            draw_icon(ctx, icon, pygame.Rect(x, y + 1, ih - 2, ih - 2), colour)
        panel = ctx.panel(rect, f"notice:{cd.kind}") if not measure else None
        if panel is not None:
            panel.__enter__()
        try:
            if not measure:
                ctx.text(label.upper(), (x + ih + t.s(0.8), y), "label",
                         colour if not t.settings.high_contrast else pal.text, "bold", max_width=wdt - ih)
            y += ih + t.s(0.5)
            if cd.heading:
                hh = ctx.paragraph_height(cd.heading, wdt, "h3", "bold", spacing=1.05)
                if not measure:
                    ctx.paragraph(cd.heading, pygame.Rect(x, y, wdt, hh + 2), "h3", pal.text, "bold", spacing=1.05)
                y += hh + t.s(0.5)
            if cd.subheading:
                sh = ctx.paragraph_height(cd.subheading, wdt, "small", spacing=1.0)
                if not measure:
                    ctx.paragraph(cd.subheading, pygame.Rect(x, y, wdt, sh + 2), "small", pal.text_muted, spacing=1.0)
                y += sh + t.s(0.5)
            if cd.text:
                y += t.s(0.3)
                bh = ctx.paragraph_height(cd.text, wdt, "body")
                if not measure:
                    ctx.paragraph(cd.text, pygame.Rect(x, y, wdt, bh + 2), "body", pal.text)
                y += bh
            if cd.rows:
                y += t.s(1)
                y += draw_rows_table(ctx, cd.rows, pygame.Rect(x, y, wdt, 0), measure)
            if cd.cause:
                y += t.s(1.5)
                lh = ctx.paragraph_height(cd.cause, wdt - t.s(4.5), "small")
                if not measure:
                    link = pygame.Rect(x, y, wdt, lh + t.s(1))
                    pygame.draw.rect(ctx.surface, pal.panel_alt, link, border_radius=t.radius)
                    draw_icon(ctx, "link", pygame.Rect(x + t.s(0.8), y + t.s(0.5), t.s(2.4), t.s(2)), colour)
                    ctx.paragraph(cd.cause, pygame.Rect(x + t.s(4), y + t.s(0.5), wdt - t.s(4.5), lh + 2), "small", pal.text)
                y += lh + t.s(1)
        finally:
            if panel is not None:
                panel.__exit__(None, None, None)
        return y + t.s(1.5) - rect.top


class Card:
    """One notice as the outcome shows it, and as text-to-speech reads it."""

    def __init__(self, kind: str, heading: str, text: str, subheading: str = "", cause: str = "",
                 rows: tuple = ()) -> None:
        self.kind = kind
        self.heading = heading
        self.subheading = subheading
        self.text = text
        self.cause = cause
        self.rows = rows

    def speech(self) -> str:
        label = _(NOTICE_STYLE.get(self.kind, (self.kind.title(),))[0])
        parts = [label, self.heading, self.subheading, self.text, self.cause]
        return sentences(*parts, *(row_speech(r) for r in self.rows))


_CAUSE = re.compile(r"^because of your decision in (?P<when>[^:]+):\s*[“\"](?P<what>.+?)[”\"]?\s*$", re.I | re.S)


def notice_card(n: Any, last_choice: str = "") -> Card:
    """How a notice reads on its card: each with a heading of its own, causes in plain words."""
    rows = tuple(getattr(n, "rows", ()) or ())
    text = n.text or ""
    if n.kind == "result":
        heading = f"“{short(last_choice, 120)}”" if last_choice else (n.title or "")
        return Card("result", heading, text, rows=rows)
    if n.kind == "delayed":
        m = _CAUSE.match(n.cause or "")
        if m:
            # the heading says which decision came back, so no two consequences look alike
            what = m.group("what").strip().rstrip("”\"")
            return Card("delayed", _("What came of “{decision}”").format(decision=short(what, 90)), text,
                        subheading=_("Your decision in {quarter}").format(quarter=m.group("when")), rows=rows)
        cause = n.cause or ""
        if cause and not cause.lower().startswith("because") and not cause.startswith("Following"):
            cause = _("Because of {cause}").format(cause=cause)
        else:
            cause = engine_text(cause)
        from engine.loader import UNTITLED_LATER  # (here: the title screen opens without the engine)
        heading = n.title if n.title and n.title != UNTITLED_LATER else ""  # no heading rather than a generic one
        return Card("delayed", heading, text, cause=cause, rows=rows)
    if n.kind == "quarter":
        if rows:
            return Card("quarter", n.title, _summary_lead(text), rows=rows)
        return Card("quarter", n.title, summary_lines(text))
    return Card(n.kind, n.title or "", engine_text(text) if n.kind == "phase" else text, cause=n.cause or "",
                rows=rows)


def _summary_lead(text: str) -> str:
    """The sentence before the numbers, when the rows carry the numbers themselves."""
    first = text.split(". ", 1)[0].strip()
    return first + "." if first and ":" not in first else ""


def summary_lines(text: str) -> str:
    """A summary written as one long sentence joined by semicolons, one item to a line."""
    if ";" not in text:
        return text
    lead, sep, rest = text.partition(". ")
    body = rest if sep and ":" not in lead else text
    items = [i.strip().rstrip(".") for i in body.split(";") if i.strip()]
    head = (lead + ".\n\n") if sep and ":" not in lead else ""
    return head + "\n\n".join(items)


def row_speech(r: Any) -> str:
    change = r.change_text(_) if hasattr(r, "change_text") else ""
    value = getattr(r, "value", None)
    if value is None:
        return f"{r.label} {change}".strip()
    return f"{r.label} {value:,}" + (f", {change}" if change else "")


def draw_rows_table(ctx: Ctx, rows: tuple, rect: pygame.Rect, measure: bool = False) -> int:
    """Meter rows as a small table: meter, now, change, and what the change came from."""
    t = ctx.theme
    pal = t.pal
    has_value = any(getattr(r, "value", None) is not None for r in rows)
    name_w = max(ctx.measure(r.label, "small", "bold")[0] for r in rows) + t.s(1.5)
    val_w = max([ctx.measure(f"{r.value:,}", "small", "bold")[0] for r in rows if r.value is not None] + [0]) + t.s(1.5)
    delta_w = max(ctx.measure(_signed(r.delta), "small", "bold")[0] for r in rows) + t.s(1.5)
    words = [w for r in rows for p in getattr(r, "parts", ()) for w in f"{_signed(p.delta)} {_(p.label)}".split()]
    word_w = max([ctx.measure(w, "label")[0] for w in words] + [0]) + t.s(1)
    # the table needs room for its columns and the longest word of the causes; else each row stacks
    stacked = name_w + (val_w if has_value else 0) + delta_w + max(t.s(16), word_w) > rect.width
    lh = ctx.line_height("small", "bold")
    y = rect.top
    for r in rows:
        parts = ", ".join(f"{_signed(p.delta)} {_(p.label)}" for p in getattr(r, "parts", ()) if p.delta)
        if stacked:
            nh = ctx.paragraph_height(r.label, rect.width, "small", "bold", spacing=1.0)
            line = (f"{r.value:,}  " if r.value is not None else "") + _signed(r.delta)
            ph = ctx.paragraph_height(parts, rect.width - t.s(2), "label", spacing=1.0) if parts else 0
            if not measure:
                ctx.paragraph(r.label, pygame.Rect(rect.left, y, rect.width, nh + 2), "small", pal.text, "bold", spacing=1.0)
                ctx.text(line, (rect.left + t.s(2), y + nh), "small", pal.text, "bold")
                if parts:
                    ctx.paragraph(parts, pygame.Rect(rect.left + t.s(2), y + nh + lh, rect.width - t.s(2), ph + 2),
                                  "label", pal.text_muted, spacing=1.0)
            y += nh + lh + ph + t.s(0.6)
        else:
            px = rect.left + name_w + (val_w if has_value else 0) + delta_w
            ph = ctx.paragraph_height(parts, rect.right - px, "label", spacing=1.0) if parts else 0
            if not measure:
                ctx.text(r.label, (rect.left, y), "small", pal.text, "bold")
                if has_value and r.value is not None:
                    ctx.text(f"{r.value:,}", (rect.left + name_w + val_w - t.s(1.5), y), "small", pal.text, "bold",
                             anchor="topright")
                ctx.text(_signed(r.delta), (px - t.s(1.5), y), "small", _delta_colour(t, r.delta), "bold",
                         anchor="topright")
                if parts:
                    ctx.paragraph(parts, pygame.Rect(px, y + (lh - ctx.line_height("label")) // 2, rect.right - px, ph + 2),
                                  "label", pal.text_muted, spacing=1.0)
            y += max(lh, ph) + t.s(0.4)
    return y - rect.top


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else (f"−{-n:,}" if n < 0 else "0")


def _delta_colour(t, n: int):
    """Changes are not coloured good or bad: a rise in tension is not good news (the sign says which way)."""
    return t.pal.text
