"""Menus: pause, settings (the accessibility menu), save and load, messages."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

import pygame

from ..input import Intent
from ..render import Ctx
from ..saves import SlotInfo
from ..settings import (FONT_NAMES, FONTS, PALETTE_NAMES, PALETTES, TEXT_SCALE_NAMES, TEXT_SCALES,
                        TEXT_SPEED_NAMES, TEXT_SPEEDS)
from ..theme import mix
from ..widgets import Button, button_height, button_width
from .base import Screen, ScrollArea
from .common import centred_card, draw_backdrop, draw_screen_header, fit_width, sentences
from ...i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ..context import ScreenContext


class PauseScreen(Screen):
    name = "pause"
    modal = True
    title = N_("Paused")

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.list_area = ScrollArea("pause-menu", _("Menu"))

    def speech(self) -> str:
        return _("Paused. Resume, save, load, settings, rewind, or quit to the title screen.")

    def back(self) -> bool:
        self.context.pop()
        return True

    def _buttons(self) -> list[Button]:
        context = self.context
        s = context.session
        from .play import rewind

        def quit_to_title() -> None:
            context.autosave()
            context.end_session()
            context.go_home()

        can_rw = bool(s and s.can_rewind and context.allow_rewind)
        return [
            Button("resume", _("Resume"), self.back, primary=True, key_hint="Esc"),
            Button("save", _("Save"), lambda: context.push(SavesScreen(context, "save")), enabled=s is not None),
            Button("load", _("Load"), lambda: context.push(SavesScreen(context, "load"))),
            Button("settings", _("Settings"), lambda: context.push(SettingsScreen(context))),
            Button("rewind", _("Rewind last decision"), lambda: rewind(context), enabled=can_rw, key_hint="Ctrl Z",
                   detail=(_("Undo “{decision}”").format(decision=short(s.rewind_label, 48)) if can_rw else rewind_reason(s, context))),
            Button("title", _("Quit to title"), quit_to_title, detail=_("Your progress is autosaved")),
        ]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        buttons = self._buttons()
        w, h = ctx.surface.get_size()
        bw = min(t.s(50), w - t.s(14))
        bw = max(bw, min(w - t.s(14), max(button_width(ctx, b, whole=False) for b in buttons)))
        heights = [button_height(ctx, b, bw) for b in buttons]
        head = ctx.line_height("h1", "bold") + t.s(2.5)
        gap = t.s(1.2)
        list_h = ctx.scroll_content(sum(heights) + gap * (len(buttons) - 1))
        card = centred_card(ctx, 60, head + list_h + t.s(6))
        card.width = max(card.width, min(w - t.s(4), bw + 2 * ctx.scroll_pad + ctx.scrollbar_width + t.s(6)))
        card.centerx = w // 2
        area = self.list_area
        with ctx.panel(card, "pause", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(5), -t.s(4))
            r = ctx.text(_("Paused"), (c.centerx, inner.top), "h1", pal.text, "bold", anchor="midtop", max_width=inner.width)
            area.rect = pygame.Rect(inner.left, r.bottom + t.s(1.5), inner.width, inner.bottom - r.bottom - t.s(1.5))
            with ctx.scroll(area, "pause-menu") as f:
                y = f.top
                x = f.centerx - bw // 2 if f.width > bw else f.left
                for b, bh in zip(buttons, heights):
                    b.rect = pygame.Rect(x, y, min(bw, f.width), bh)
                    b.area = area
                    y += bh + gap
                area.content = ctx.scroll_content(y - gap - f.top)
                area.step = t.s(6)
                self.set_focusables(buttons)
                self.draw_buttons(ctx, buttons)
            ctx.scrollbar(area)


def rewind_reason(session: Any, context: "ScreenContext") -> str:
    if not context.allow_rewind:
        return _("Rewind is turned off in this session")
    if session is None:
        return _("Nothing to undo yet")
    return _(getattr(session, "rewind_unavailable", "") or N_("Nothing to undo yet"))


def short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Option:
    """One setting: a stepper through values, or a toggle (``state`` says on or off)."""

    def __init__(self, id: str, label: str, value: Callable[[], str], change: Callable[[int], None], help: str = "",
                 state: Callable[[], bool] | None = None) -> None:
        self.id = id
        self.label = label
        self.value = value
        self.change = change
        self.help = help
        self.state = state or (lambda: False)
        self.kind = "toggle" if state is not None else "stepper"


class SettingsScreen(Screen):
    name = "settings"
    title = N_("Settings")

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.list_area = ScrollArea("settings-list", _("Settings"))

    def speech(self) -> str:
        return _("Settings. Up and down to choose a setting, left and right or Enter to change it.")

    def back(self) -> bool:
        self.context.pop()
        return True

    def _set(self, **kw: Any) -> None:
        self.context.apply_settings(replace(self.context.settings, **kw))

    def _options(self) -> list[_Option]:
        context = self.context
        st = lambda: context.settings  # noqa: E731

        def cycle(n: int, cur: int, step: int, wrap: bool = True) -> int:
            v = cur + step
            return v % n if wrap else max(0, min(n - 1, v))

        tts_help = _("Reads scenes, choices and menus aloud.")
        if not context.speaker.available:
            tts_help = context.speaker.missing_message
        return [
            _Option("text_scale", _("Text size"), lambda: _("{size} ({percent}%)").format(
                size=_(TEXT_SCALE_NAMES[st().text_scale]), percent=round(TEXT_SCALES[st().text_scale] * 100)),
                    lambda d: self._set(text_scale=cycle(len(TEXT_SCALES), st().text_scale, d, wrap=False)),
                    _("Also Ctrl + and Ctrl − anywhere.")),
            _Option("font", _("Font"), lambda: FONT_NAMES[FONTS.index(st().font)],
                    lambda d: self._set(font=FONTS[cycle(len(FONTS), FONTS.index(st().font), d)]),
                    _("OpenDyslexic is designed for readers with dyslexia.")),
            _Option("high_contrast", _("High contrast"), lambda: on_off(st().high_contrast),
                    lambda d: self._set(high_contrast=not st().high_contrast), _("White on black, with heavier outlines."),
                    state=lambda: st().high_contrast),
            _Option("palette", _("Agency colours"), lambda: _(PALETTE_NAMES[PALETTES.index(st().palette)]),
                    lambda d: self._set(palette=PALETTES[cycle(len(PALETTES), PALETTES.index(st().palette), d)]),
                    _("Colour-blind safe uses the Okabe-Ito set. Shapes and initials always tell agencies apart too.")),
            _Option("reduced_motion", _("Reduced motion"), lambda: on_off(st().reduced_motion),
                    lambda d: self._set(reduced_motion=not st().reduced_motion), _("Turns off fades between screens."),
                    state=lambda: st().reduced_motion),
            _Option("text_speed", _("Text speed"), lambda: _(TEXT_SPEED_NAMES[st().text_speed]) + (
                " " + ngettext("({n} letter a second)", "({n} letters a second)", TEXT_SPEEDS[st().text_speed]).format(
                    n=TEXT_SPEEDS[st().text_speed]) if TEXT_SPEEDS[st().text_speed] else ""),
                    lambda d: self._set(text_speed=cycle(len(TEXT_SPEEDS), st().text_speed, d)),
                    _("Any key or click shows the rest at once.")),
            _Option("tts", _("Text-to-speech"), lambda: on_off(st().tts) + ("" if context.speaker.available
                                                                           else " " + _("(not installed)")),
                    self._toggle_tts, tts_help, state=lambda: st().tts),
            _Option("fullscreen", _("Full screen"), lambda: on_off(context.is_fullscreen),
                    lambda d: context.toggle_fullscreen(), _("Also F11 anywhere."), state=lambda: context.is_fullscreen),
        ]

    def _toggle_tts(self, d: int) -> None:
        new = not self.context.settings.tts
        self._set(tts=new)
        if new and not self.context.speaker.available:
            self.context.toast(_("espeak-ng was not found: install it to hear text read aloud."), 4.0)

    def handle_key(self, intent: Intent) -> bool:
        f = self.focused()
        if intent.kind == "nav" and intent.dir in ("left", "right") and f is not None and f.id.startswith("opt:"):
            opt = next(o for o in self._options() if "opt:" + o.id == f.id)
            opt.change(-1 if intent.dir == "left" else 1)
            self.context.announce_focus(self._button_for(opt))
            return True
        return False

    def _button_for(self, o: _Option) -> Button:
        return Button("opt:" + o.id, o.label, lambda: o.change(1), detail=o.value())

    def handle(self, intent: Intent) -> bool:
        # a click on a stepper's left arrow steps back
        if intent.kind == "click":
            for o in self._options():
                b = next((f for f in self.focusables() if f.id == "opt:" + o.id), None)
                if b is not None and o.kind == "stepper" and b.rect.collidepoint(intent.pos) \
                        and b.area is not None and b.area.rect.collidepoint(intent.pos) \
                        and intent.pos[0] < b.rect.left + b.rect.width // 3:
                    self.focus_id = b.id
                    o.change(-1)
                    return True
        return super().handle(intent)

    def extra_scroll_areas(self) -> list[ScrollArea]:
        return [self.list_area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, _("Settings"), _("Saved as you change them."))
        m = t.s(6)
        options = self._options()
        back = Button("back", _("Done"), self.back, primary=True, key_hint="Esc")
        bw = min(w - 2 * m, max(t.s(22), button_width(ctx, back)))
        bh = button_height(ctx, back, bw)
        back.rect = pygame.Rect(m, h - t.s(3) - bh, bw, bh)
        area = self.list_area
        area.rect = pygame.Rect(m - ctx.scroll_pad, top, w - 2 * m + 2 * ctx.scroll_pad, back.rect.top - t.s(2) - top)
        rows: list[Button] = []
        with ctx.scroll(area, "settings-list") as f:
            col_w = min(f.width, t.s(150))
            controls = [self._control(o) for o in options]
            label_nat = max(ctx.measure(o.label, "body", "bold")[0] for o in options) + t.s(2)
            value_nat = max(button_width(ctx, b) for b in controls)
            label_w, value_w = label_nat, value_nat
            help_w = col_w - label_w - value_w - t.s(2)
            side = help_w >= t.s(26)   # label, control and help on one row when there is room
            y = f.top
            row_gap = t.s(1.5)
            for o, vb in zip(options, controls):
                vb.area = area
                if side:
                    vb.rect = pygame.Rect(f.left + label_w, y, value_w, button_height(ctx, vb, value_w))
                    help_h = ctx.paragraph_height(o.help, help_w, "label", spacing=1.0) if o.help else 0
                    row_h = max(vb.rect.height, help_h)
                    vb.rect.top = y + (row_h - vb.rect.height) // 2
                    lrect = pygame.Rect(f.left, y, label_w - t.s(1), row_h)
                    lh = ctx.paragraph_height(o.label, lrect.width, "body", "bold", spacing=1.0)
                    with ctx.panel(lrect, f"label:{o.id}"):
                        ctx.paragraph(o.label, pygame.Rect(lrect.left, y + (row_h - lh) // 2, lrect.width, lh + 2),
                                      "body", pal.text_on_bg, "bold", spacing=1.0)
                    if o.help:
                        hr = pygame.Rect(vb.rect.right + t.s(2), y + (row_h - help_h) // 2, help_w, help_h + 2)
                        with ctx.panel(hr, f"help:{o.id}"):
                            ctx.paragraph(o.help, hr, "label", pal.muted_on_bg, spacing=1.0)
                else:
                    # stacked: the label, the control under it, then the help
                    lh = ctx.paragraph_height(o.label, col_w, "body", "bold", spacing=1.0)
                    lrect = pygame.Rect(f.left, y, col_w, lh + 2)
                    with ctx.panel(lrect, f"label:{o.id}"):
                        ctx.paragraph(o.label, lrect, "body", pal.text_on_bg, "bold", spacing=1.0)
                    vw = min(col_w, max(value_w, t.s(20)))
                    vb.rect = pygame.Rect(f.left, lrect.bottom + t.s(0.5), vw, button_height(ctx, vb, vw))
                    yy = vb.rect.bottom + t.s(0.5)
                    if o.help:
                        help_h = ctx.paragraph_height(o.help, col_w, "label", spacing=1.0)
                        hr = pygame.Rect(f.left, yy, col_w, help_h + 2)
                        with ctx.panel(hr, f"help:{o.id}"):
                            ctx.paragraph(o.help, hr, "label", pal.muted_on_bg, spacing=1.0)
                        yy = hr.bottom
                    row_h = yy - y
                rows.append(vb)
                y += row_h + row_gap
            area.content = ctx.scroll_content(y - row_gap - f.top)
            area.step = t.s(6)
            self.draw_buttons(ctx, rows)
        ctx.scrollbar(area)
        self.set_focusables(rows + [back])
        self.draw_buttons(ctx, [back])
        hint = _("Up and Down choose a setting · Left and Right change it")
        hx = back.rect.right + t.s(3)
        if w - m - hx >= ctx.measure(hint, "small")[0] + 4:
            ctx.text(hint, (hx, back.rect.centery), "small", pal.muted_on_bg, anchor="midleft")

    def _control(self, o: "_Option") -> Button:
        if o.kind == "toggle":
            return Button("opt:" + o.id, o.value(), (lambda o=o: o.change(1)), kind="toggle", on=o.state())
        return Button("opt:" + o.id, o.value(), (lambda o=o: o.change(1)), kind="stepper")


def on_off(v: bool) -> str:
    return _("On") if v else _("Off")


class SavesScreen(Screen):
    name = "saves"

    def __init__(self, context: "ScreenContext", mode: str = "load") -> None:
        super().__init__(context)
        self.mode = mode
        self.title = N_("Save your game") if mode == "save" else N_("Load a game")
        self.grid_area = ScrollArea("slots", _("Save slots"))
        self.thumbs: dict[str, pygame.Surface | None] = {}
        self.slots: list[SlotInfo] = []
        self.refresh()

    def signature(self) -> str:
        return f"saves-{self.mode}"

    def refresh(self) -> None:
        self.slots = self.context.saves.all(include_auto=self.mode == "load")
        self.thumbs = {}
        for s in self.slots:
            p = self.context.saves.thumb_path(s.slot)
            if s.exists and p.exists():
                try:
                    self.thumbs[s.slot] = pygame.image.load(str(p)).convert()
                except (pygame.error, FileNotFoundError):
                    self.thumbs[s.slot] = None

    def back(self) -> bool:
        self.context.pop()
        return True

    def _activate(self, slot: SlotInfo) -> None:
        context = self.context
        if self.mode == "save":
            if context.session is None:
                return
            context.saves.save(slot.slot, context.session, context.thumbnail())
            self.refresh()
            context.toast(_("Saved in {slot}.").format(slot=slot.label))
        else:
            if not slot.exists:
                context.toast(_("{slot} is empty.").format(slot=slot.label))
                return
            from .play import open_slot

            open_slot(context, slot.slot)

    def extra_scroll_areas(self) -> list[ScrollArea]:
        return [self.grid_area]

    def _details(self, s: SlotInfo) -> list[str]:
        if not s.exists:
            return [_("Empty slot") if self.mode == "load" else _("Empty: save here")]
        return [x for x in (s.scenario_title, " · ".join(x for x in (s.calendar_label, s.scene_title) if x),
                            s.date_text) if x]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, _(self.title), _("Each slot keeps the scenario, the date, the quarter and a picture."))
        m = t.s(6)
        back = Button("back", _("Back"), self.back, key_hint="Esc")
        bw = fit_width(ctx, back, 20, w - 2 * m)
        bh = button_height(ctx, back, bw)
        back.rect = pygame.Rect(m, h - t.s(3) - bh, bw, bh)
        area = self.grid_area
        area.rect = pygame.Rect(m - ctx.scroll_pad, top - ctx.scroll_pad, w - 2 * m + 2 * ctx.scroll_pad,
                                back.rect.top - t.s(2) - top + ctx.scroll_pad)
        n = len(self.slots)
        gap = t.s(2)
        buttons = []
        with ctx.scroll(area, "slots") as f:
            cols = max(1, min(4 if n > 6 else 3, (f.width + gap) // (t.s(30) + gap)))
            rows = (n + cols - 1) // cols
            cw = (f.width - gap * (cols - 1)) // cols
            pad = t.s(1.5)
            text_w = cw - 2 * pad
            text_h = max(ctx.line_height("small", "bold") + sum(ctx.paragraph_height(d, text_w, "label", spacing=1.0)
                                                                  for d in self._details(s)) for s in self.slots)
            thumb_h = (cw - 2 * pad) * 9 // 16
            fit_h = (area.rect.height - 2 * ctx.scroll_pad - gap * (rows - 1)) // rows
            # the picture shrinks to fit the window, down to a third of its width; then the grid scrolls
            thumb_h = max(min(thumb_h, fit_h - text_h - 2 * pad - t.s(1)), (cw - 2 * pad) * 9 // 48)
            ch = thumb_h + text_h + 2 * pad + t.s(1)
            for i, s in enumerate(self.slots):
                r, c = divmod(i, cols)
                rect = pygame.Rect(f.left + c * (cw + gap), f.top + r * (ch + gap), cw, ch)
                b = Button(f"slot:{s.slot}", s.label, (lambda s=s: self._activate(s)),
                           enabled=s.exists or self.mode == "save", area=area)
                b.rect = rect
                buttons.append((b, s))
                self._draw_slot(ctx, b, s, thumb_h)
            area.content = ctx.scroll_content(rows * ch + gap * (rows - 1))
            area.step = t.s(6)
        ctx.scrollbar(area)
        self.set_focusables([b for b, _thumb in buttons] + [back])
        self.draw_buttons(ctx, [back])

    def _draw_slot(self, ctx: Ctx, b: Button, s: SlotInfo, thumb_h: int) -> None:
        t = ctx.theme
        pal = t.pal
        r = b.rect
        focused = b.id == self.focus_id
        fill = pal.panel if (s.exists or self.mode == "save") else mix(pal.panel, pal.bg, 0.35)
        if b.id == self.hover_id:
            fill = mix(fill, pal.focus, 0.1)
        ctx.widget(b.id, r)
        with ctx.panel(r, f"slot:{s.slot}", fill=fill, border=pal.line) as c:
            pad = t.s(1.5)
            inner = c.inflate(-pad * 2, -pad * 2)
            th = thumb_h
            tw = min(inner.width, th * 16 // 9)
            thumb_rect = pygame.Rect(inner.left, inner.top, tw, th)
            img = self.thumbs.get(s.slot)
            if s.exists and img is not None and tw > 8:
                ctx.surface.blit(pygame.transform.smoothscale(img, (tw, th)), thumb_rect)
                pygame.draw.rect(ctx.surface, pal.line, thumb_rect, 1)
            elif tw > 8:
                pygame.draw.rect(ctx.surface, pal.panel_alt, thumb_rect, border_radius=t.radius)
                word = _("Empty") if not s.exists else _("No picture")
                if ctx.measure(word, "small")[0] + 4 <= tw and ctx.line_height("small") <= th:
                    ctx.text(word, thumb_rect.center, "small", pal.text_muted, anchor="center")
            y = thumb_rect.bottom + t.s(1)
            ctx.text(s.label, (inner.left, y), "small", pal.text, "bold", max_width=inner.width)
            y += ctx.line_height("small", "bold")
            for d in self._details(s):
                dh = ctx.paragraph_height(d, inner.width, "label", spacing=1.0)
                ctx.paragraph(d, pygame.Rect(inner.left, y, inner.width, dh + 2), "label", pal.text_muted, spacing=1.0)
                y += dh
        if focused and self.context.focus_visible(self):
            ctx.focus_ring(b.id, r)

    def handle_key(self, intent: Intent) -> bool:
        if intent.kind == "key" and intent.char == "delete" and self.mode == "load":
            return False
        return False


class MessageScreen(Screen):
    name = "message"
    modal = True

    def __init__(self, context: "ScreenContext", heading: str, text: str) -> None:
        super().__init__(context)
        self.heading = heading
        self.text = text
        self.area = ScrollArea("message-text", _("Message"))

    def speech(self) -> str:
        return sentences(self.heading, self.text)

    def back(self) -> bool:
        self.context.pop()
        return True

    def extra_scroll_areas(self) -> list[ScrollArea]:
        return [self.area]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        ok = Button("ok", _("OK"), self.back, primary=True, key_hint="Enter")
        w, h = ctx.surface.get_size()
        cw = min(w - t.s(4), t.s(80))
        inner_w = cw - t.s(10)
        text_w = inner_w - 2 * ctx.scroll_pad - ctx.scrollbar_width
        head_h = ctx.paragraph_height(self.heading, inner_w, "h2", "bold", spacing=1.0)
        th = ctx.scroll_content(ctx.paragraph_height(self.text, text_w, "small"))
        okw = fit_width(ctx, ok, 16, inner_w)
        bh = button_height(ctx, ok, okw)
        card = centred_card(ctx, 80, head_h + th + bh + t.s(12))
        with ctx.panel(card, "message", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(10), -t.s(8))
            ctx.paragraph(self.heading, pygame.Rect(inner.left, inner.top, inner.width, head_h + 2), "h2", pal.text, "bold",
                          spacing=1.0)
            ok.rect = pygame.Rect(inner.right - okw, inner.bottom - bh, okw, bh)
            self.area.rect = pygame.Rect(inner.left, inner.top + head_h + t.s(1), inner.width,
                                         ok.rect.top - t.s(1) - inner.top - head_h - t.s(1))
            with ctx.scroll(self.area, "message-text") as f:
                used = ctx.paragraph(self.text, pygame.Rect(f.left, f.top, f.width, 100_000), "small", pal.text)
                self.area.content = ctx.scroll_content(used)
                self.area.step = ctx.line_height("small") * 2
            ctx.scrollbar(self.area)
        self.set_focusables([ok] + ([self.area] if self.area.max_offset > 0 else []))
        self.draw_buttons(ctx, [ok])
        self.draw_scroll_focus(ctx, self.area)
