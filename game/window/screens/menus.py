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
from ..widgets import Button, button_height
from .base import Screen
from .common import centred_card, draw_backdrop, draw_screen_header

if TYPE_CHECKING:
    from ..context import ScreenContext


class PauseScreen(Screen):
    name = "pause"
    modal = True
    title = "Paused"

    def speech(self) -> str:
        return "Paused. Resume, save, load, settings, rewind, or quit to the title screen."

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
            Button("resume", "Resume", self.back, primary=True, key_hint="Esc"),
            Button("save", "Save", lambda: context.push(SavesScreen(context, "save")), enabled=s is not None),
            Button("load", "Load", lambda: context.push(SavesScreen(context, "load"))),
            Button("settings", "Settings", lambda: context.push(SettingsScreen(context))),
            Button("rewind", "Rewind last decision", lambda: rewind(context), enabled=can_rw, key_hint="Ctrl Z",
                   detail=(f"Undo “{short(s.rewind_label, 48)}”" if can_rw else "Nothing to undo yet")),
            Button("title", "Quit to title", quit_to_title, detail="Your progress is autosaved"),
        ]

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        buttons = self._buttons()
        bw = min(t.s(50), ctx.surface.get_width() - t.s(14))
        heights = [button_height(ctx, b, bw) for b in buttons]
        head = ctx.line_height("h1", "bold") + t.s(3)
        card = centred_card(ctx, 60, head + sum(heights) + t.s(1.2) * len(buttons) + t.s(8))
        with ctx.panel(card, "pause", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(5), -t.s(4))
            r = ctx.text("Paused", (c.centerx, inner.top), "h1", pal.text, "bold", anchor="midtop", max_width=inner.width)
            y = r.bottom + t.s(2.5)
            x = c.centerx - bw // 2
            for b, bh in zip(buttons, heights):
                b.rect = pygame.Rect(x, y, bw, bh)
                y += bh + t.s(1.2)
        self.set_focusables(buttons)
        self.draw_buttons(ctx, buttons)


def short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class _Option:
    def __init__(self, id: str, label: str, value: Callable[[], str], change: Callable[[int], None], help: str = "") -> None:
        self.id = id
        self.label = label
        self.value = value
        self.change = change
        self.help = help


class SettingsScreen(Screen):
    name = "settings"
    title = "Settings"

    def speech(self) -> str:
        return "Settings. Up and down to choose a setting, left and right or Enter to change it."

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

        tts_help = "Reads scenes, choices and menus aloud."
        if not context.speaker.available:
            tts_help = context.speaker.missing_message
        return [
            _Option("text_scale", "Text size", lambda: f"{TEXT_SCALE_NAMES[st().text_scale]} ({round(TEXT_SCALES[st().text_scale] * 100)}%)",
                    lambda d: self._set(text_scale=cycle(len(TEXT_SCALES), st().text_scale, d, wrap=False)),
                    "Also Ctrl + and Ctrl − anywhere."),
            _Option("font", "Font", lambda: FONT_NAMES[FONTS.index(st().font)],
                    lambda d: self._set(font=FONTS[cycle(len(FONTS), FONTS.index(st().font), d)]),
                    "OpenDyslexic is designed for readers with dyslexia."),
            _Option("high_contrast", "High contrast", lambda: on_off(st().high_contrast),
                    lambda d: self._set(high_contrast=not st().high_contrast), "White on black, with heavier outlines."),
            _Option("palette", "Agency colours", lambda: PALETTE_NAMES[PALETTES.index(st().palette)],
                    lambda d: self._set(palette=PALETTES[cycle(len(PALETTES), PALETTES.index(st().palette), d)]),
                    "Colour-blind safe uses the Okabe-Ito set. Shapes and initials always tell agencies apart too."),
            _Option("reduced_motion", "Reduced motion", lambda: on_off(st().reduced_motion),
                    lambda d: self._set(reduced_motion=not st().reduced_motion), "Turns off fades between screens."),
            _Option("text_speed", "Text speed", lambda: TEXT_SPEED_NAMES[st().text_speed] + (
                f" ({TEXT_SPEEDS[st().text_speed]} letters a second)" if TEXT_SPEEDS[st().text_speed] else ""),
                    lambda d: self._set(text_speed=cycle(len(TEXT_SPEEDS), st().text_speed, d)),
                    "Any key or click shows the rest at once."),
            _Option("tts", "Text-to-speech", lambda: on_off(st().tts) + ("" if context.speaker.available else " (not installed)"),
                    self._toggle_tts, tts_help),
            _Option("fullscreen", "Full screen", lambda: on_off(context.is_fullscreen),
                    lambda d: context.toggle_fullscreen(), "Also F11 anywhere."),
        ]

    def _toggle_tts(self, d: int) -> None:
        new = not self.context.settings.tts
        self._set(tts=new)
        if new and not self.context.speaker.available:
            self.context.toast("espeak-ng was not found: install it to hear text read aloud.", 4.0)

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

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, "Settings", "Saved as you change them.")
        m = t.s(6)
        options = self._options()
        back = Button("back", "Done", self.back, primary=True, key_hint="Esc")
        bw = t.s(22)
        bh = button_height(ctx, back, bw)
        back.rect = pygame.Rect(m, h - t.s(3) - bh, bw, bh)
        area = pygame.Rect(m, top, w - 2 * m, back.rect.top - t.s(2) - top)
        col_w = min(area.width, t.s(140))
        label_w = int(col_w * 0.24)
        value_w = int(col_w * 0.32)
        help_x = area.left + label_w + value_w + t.s(2)
        help_w = area.left + col_w - help_x
        side = help_w >= t.s(24)   # help beside the value when there is room, else under it
        if not side:
            value_w = col_w - label_w
            help_x, help_w = area.left + label_w, value_w
        rows: list[Button] = []
        y = area.top
        lh = ctx.line_height("body", "bold")
        row_gap = t.s(1)
        for o in options:
            vb = Button("opt:" + o.id, o.value(), (lambda o=o: o.change(1)))
            vb.rect = pygame.Rect(area.left + label_w, y, value_w, 0)
            vb.rect.height = max(lh + t.s(1.6), t.s(4.5), button_height(ctx, vb, value_w) - t.s(1))
            help_h = ctx.paragraph_height(o.help, help_w, "label", spacing=1.0) if o.help else 0
            if side:
                row_h = max(vb.rect.height, help_h)
                help_rect = pygame.Rect(help_x, y + max(0, (vb.rect.height - help_h) // 2), help_w, help_h + 1)
            else:
                row_h = vb.rect.height + help_h + t.s(0.4)
                help_rect = pygame.Rect(help_x, vb.rect.bottom + t.s(0.3), help_w, help_h + 1)
            if y + row_h > area.bottom:
                break
            with ctx.panel(pygame.Rect(area.left, y, label_w - t.s(1), vb.rect.height), f"label:{o.id}", clip=True):
                ctx.text(o.label, (area.left, vb.rect.centery), "body", pal.text_on_bg, "bold", max_width=label_w - t.s(2),
                         anchor="midleft")
            if o.help:
                with ctx.panel(help_rect, f"help:{o.id}"):
                    ctx.paragraph(o.help, help_rect, "label", pal.muted_on_bg, spacing=1.0)
            rows.append(vb)
            y += row_h + row_gap
        self.set_focusables(rows + [back])
        self.draw_buttons(ctx, rows + [back])
        ctx.text("Up and Down choose a setting · Left, Right or Enter change it", (back.rect.right + t.s(3), back.rect.centery),
                 "small", pal.muted_on_bg, max_width=w - back.rect.right - t.s(3) - m, anchor="midleft")


def on_off(v: bool) -> str:
    return "On" if v else "Off"


class SavesScreen(Screen):
    name = "saves"

    def __init__(self, context: "ScreenContext", mode: str = "load") -> None:
        super().__init__(context)
        self.mode = mode
        self.title = "Save your game" if mode == "save" else "Load a game"
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
            context.toast(f"Saved in {slot.label}.")
        else:
            if not slot.exists:
                context.toast(f"{slot.label} is empty.")
                return
            from .play import open_slot

            open_slot(context, slot.slot)

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, self.title, "Each slot keeps the scenario, the date, the quarter and a picture.")
        m = t.s(6)
        back = Button("back", "Back", self.back, key_hint="Esc")
        bw = t.s(20)
        bh = button_height(ctx, back, bw)
        back.rect = pygame.Rect(m, h - t.s(3) - bh, bw, bh)
        area = pygame.Rect(m, top, w - 2 * m, back.rect.top - t.s(2) - top)
        n = len(self.slots)
        cols = 4 if n > 6 else 3
        rows = (n + cols - 1) // cols
        gap = t.s(2)
        cw = (area.width - gap * (cols - 1)) // cols
        ch = (area.height - gap * (rows - 1)) // rows
        buttons = []
        for i, s in enumerate(self.slots):
            r, c = divmod(i, cols)
            rect = pygame.Rect(area.left + c * (cw + gap), area.top + r * (ch + gap), cw, ch)
            label = s.label
            b = Button(f"slot:{s.slot}", label, (lambda s=s: self._activate(s)),
                       enabled=s.exists or self.mode == "save")
            b.rect = rect
            buttons.append((b, s))
        self.set_focusables([b for b, _ in buttons] + [back])
        for b, s in buttons:
            self._draw_slot(ctx, b, s)
        self.draw_buttons(ctx, [back])

    def _draw_slot(self, ctx: Ctx, b: Button, s: SlotInfo) -> None:
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
            lh = ctx.line_height("small", "bold")
            lines = 3
            text_h = lh + ctx.line_height("label") * lines + t.s(1)
            th = max(0, inner.height - text_h)
            tw = min(inner.width, th * 16 // 9)
            th = tw * 9 // 16
            thumb_rect = pygame.Rect(inner.left, inner.top, tw, th)
            img = self.thumbs.get(s.slot)
            if s.exists and img is not None and tw > 8:
                ctx.surface.blit(pygame.transform.smoothscale(img, (tw, th)), thumb_rect)
                pygame.draw.rect(ctx.surface, pal.line, thumb_rect, 1)
            elif tw > 8:
                pygame.draw.rect(ctx.surface, pal.panel_alt, thumb_rect, border_radius=t.radius)
                ctx.text("Empty" if not s.exists else "No picture", thumb_rect.center, "small", pal.text_muted,
                         anchor="center", max_width=tw - 4)
            y = thumb_rect.bottom + t.s(1)
            ctx.text(s.label, (inner.left, y), "small", pal.text, "bold", max_width=inner.width)
            y += lh
            details = [s.scenario_title, " · ".join(x for x in (s.calendar_label, s.scene_title) if x), s.date_text] \
                if s.exists else ["Empty slot" if self.mode == "load" else "Empty: save here"]
            for d in details:
                if d and y + ctx.line_height("label") <= inner.bottom:
                    ctx.text(d, (inner.left, y), "label", pal.text_muted, max_width=inner.width)
                    y += ctx.line_height("label")
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

    def speech(self) -> str:
        return f"{self.heading}. {self.text}"

    def back(self) -> bool:
        self.context.pop()
        return True

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        ok = Button("ok", "OK", self.back, primary=True, key_hint="Enter")
        width = min(ctx.surface.get_width() - t.s(6), t.s(80))
        th = ctx.paragraph_height(self.text, width - t.s(10), "small")
        bh = button_height(ctx, ok, t.s(16))
        card = centred_card(ctx, 80, th + bh + ctx.line_height("h2", "bold") + t.s(14))
        with ctx.panel(card, "message", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(10), -t.s(8))
            r = ctx.text(self.heading, (inner.left, inner.top), "h2", pal.text, "bold", max_width=inner.width)
            ok.rect = pygame.Rect(inner.right - t.s(16), inner.bottom - bh, t.s(16), bh)
            ctx.paragraph(self.text, pygame.Rect(inner.left, r.bottom + t.s(2), inner.width, ok.rect.top - r.bottom - t.s(3)),
                          "small", pal.text)
        self.set_focusables([ok])
        self.draw_buttons(ctx, [ok])
