"""The screen base class: focus, keyboard and mouse handling shared by all screens."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import pygame

from ..input import Intent
from ..render import Ctx
from ..widgets import Button, draw_button

if TYPE_CHECKING:
    from ..context import ScreenContext


@dataclass(eq=False)
class ScrollArea:
    """A focusable region whose content can scroll (scene text, the stakeholder list)."""

    id: str
    label: str = ""
    offset: int = 0
    content: int = 0
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    enabled: bool = True
    step: int = 40
    on_change: Callable[[], None] | None = None

    @property
    def max_offset(self) -> int:
        return max(0, self.content - self.rect.height)

    def scroll(self, dy: int) -> bool:
        new = max(0, min(self.max_offset, self.offset + dy))
        if new != self.offset:
            self.offset = new
            return True
        return False

    def clamp(self) -> None:
        self.offset = max(0, min(self.max_offset, self.offset))

    def scroll_into_view(self, rect: pygame.Rect, margin: int = 6) -> bool:
        """Scroll so that ``rect`` (where it was last drawn) shows whole."""
        top, bottom = self.rect.top + margin, self.rect.bottom - margin
        dy = 0
        if rect.height > bottom - top or rect.top < top:
            dy = rect.top - top
        elif rect.bottom > bottom:
            dy = rect.bottom - bottom
        if not dy:
            return False
        before = self.offset
        self.offset = max(0, min(max(self.max_offset, self.offset + dy), self.offset + dy))
        return self.offset != before

    def shows(self, rect: pygame.Rect) -> bool:
        return self.rect.contains(rect)

    def activate(self) -> bool:
        return False


Focusable = Button | ScrollArea


class Screen:
    name = "screen"
    modal = False          # drawn over the screen below, which is dimmed
    title = ""             # read by text-to-speech when the screen opens

    #: the screen drawn into a save's thumbnail (the play screen)
    thumbnail_source = False

    def __init__(self, context: "ScreenContext") -> None:
        # an App is accepted too (tests and tools made before the context): its context is used
        self.context: "ScreenContext" = getattr(context, "context", context)
        self.focus_id: str | None = None
        self.hover_id: str | None = None
        self._focusables: list[Focusable] = []

    # ---- lifecycle ----------------------------------------------------------
    def on_enter(self) -> None:
        """Called when the screen becomes the top of the stack."""

    def signature(self) -> str:
        """Identifies a distinct screen for ``--screenshots``."""
        return self.name

    def update(self, dt: float) -> None:
        pass

    def view_key(self) -> tuple | None:
        """Everything this screen's picture depends on, or None to redraw every frame.

        The app reuses the last picture while the key is unchanged (theme and
        window size are added by the app)."""
        return None

    def animating(self) -> bool:
        return False

    def speech(self) -> str:
        """What text-to-speech reads when the screen opens."""
        return _(self.title)

    # ---- drawing --------------------------------------------------------------
    def draw(self, ctx: Ctx) -> None:
        raise NotImplementedError

    def set_focusables(self, items: list[Focusable]) -> None:
        self._focusables = items
        ids = [f.id for f in items]
        if self.focus_id not in ids:
            first = next((f for f in items if isinstance(f, Button) and f.enabled), None) or (items[0] if items else None)
            self.focus_id = first.id if first else None

    def focusables(self) -> list[Focusable]:
        return self._focusables

    def focused(self) -> Focusable | None:
        return next((f for f in self._focusables if f.id == self.focus_id), None)

    def draw_buttons(self, ctx: Ctx, buttons: list[Button]) -> None:
        for b in buttons:
            draw_button(ctx, b, focused=(b.id == self.focus_id and self.context.focus_visible(self)),
                        hovered=(b.id == self.hover_id))

    def draw_scroll_focus(self, ctx: Ctx, area: ScrollArea) -> None:
        if area.id == self.focus_id and self.context.focus_visible(self):
            ctx.focus_ring(area.id, area.rect)

    # ---- input -------------------------------------------------------------------
    def move_focus(self, step: int) -> bool:
        items = self._focusables
        if not items:
            return False
        ids = [f.id for f in items]
        i = ids.index(self.focus_id) if self.focus_id in ids else -1
        i = (i + step) % len(items)
        self.focus_id = items[i].id
        self.reveal_focus()
        self.context.announce_focus(items[i])
        return True

    def explain_locked(self, button: Button) -> None:
        """Enter or a click on a locked control says why it is locked."""
        why = button.tooltip or button.detail or _("This is not available now.")
        if button.tooltip and button.detail and button.detail not in why:
            why = button.detail
        self.context.toast(why if why.lower().startswith("not available") else why)

    def reveal_focus(self) -> None:
        """Scroll the focused control into view, in whatever scroll area holds it."""
        cur = self.focused()
        area = getattr(cur, "area", None)
        if area is not None:
            area.scroll_into_view(cur.rect, 2)

    def scroll_areas(self) -> list[ScrollArea]:
        """Every scroll area on the screen: focusable ones and those holding buttons."""
        out: list[ScrollArea] = []
        for f in self._focusables:
            a = f if isinstance(f, ScrollArea) else getattr(f, "area", None)
            if isinstance(a, ScrollArea) and a not in out:
                out.append(a)
        return out + [a for a in self.extra_scroll_areas() if a not in out]

    def extra_scroll_areas(self) -> list[ScrollArea]:
        """Scroll areas that hold no control (screens override)."""
        return []

    def page_area(self) -> ScrollArea | None:
        """The area PgUp / PgDn scroll: the focused control's, else the first that scrolls."""
        cur = self.focused()
        a = cur if isinstance(cur, ScrollArea) else getattr(cur, "area", None)
        if isinstance(a, ScrollArea) and a.max_offset > 0:
            return a
        return next((a for a in self.scroll_areas() if a.max_offset > 0), None)

    def focus(self, wid: str) -> None:
        self.focus_id = wid

    def back(self) -> bool:
        return False

    def handle_key(self, intent: Intent) -> bool:
        """Screen-specific keys (number keys, letters); return True if used."""
        return False

    def handle(self, intent: Intent) -> bool:
        if self.handle_key(intent):
            return True
        k = intent.kind
        cur = self.focused()
        if k == "tab":
            return self.move_focus(intent.n)
        if k == "nav":
            if isinstance(cur, ScrollArea) and intent.dir in ("up", "down"):
                if cur.scroll(-cur.step if intent.dir == "up" else cur.step):
                    return True
            return self.move_focus(-1 if intent.dir in ("up", "left") else 1)
        if k == "activate":
            if isinstance(cur, Button):
                if not cur.enabled:
                    self.explain_locked(cur)
                else:
                    cur.activate()
                return True
            return False
        if k == "back":
            return self.back()
        if k == "click":
            for f in reversed(self._focusables):
                area = getattr(f, "area", None)
                visible = f.rect.clip(area.rect) if area is not None else f.rect
                if visible.collidepoint(intent.pos):
                    self.focus_id = f.id
                    if isinstance(f, Button) and not f.enabled:
                        self.explain_locked(f)
                    else:
                        f.activate()
                    return True
            return False
        if k == "hover":
            over = next((f.id for f in reversed(self._focusables)
                         if isinstance(f, Button) and f.rect.collidepoint(intent.pos)
                         and (f.area is None or f.area.rect.collidepoint(intent.pos))), None)
            if over != self.hover_id:
                self.hover_id = over
                return True
            return False
        if k == "scroll":
            for a in self.scroll_areas():
                if a.rect.collidepoint(intent.pos):
                    return a.scroll(intent.n * a.step)
            return False
        if k == "page":
            a = self.page_area()
            return a.scroll(intent.n * max(a.step, a.rect.height - 2 * a.step)) if a is not None else False
        return False
