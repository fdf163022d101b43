"""A scripted driver for the real app, in the spirit of textual's pilot.

It posts genuine pygame key and mouse events to the event queue and lets the
app run one loop iteration to handle them, so tests exercise exactly the code
a player's key presses do. Works under ``SDL_VIDEODRIVER=dummy``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

if TYPE_CHECKING:
    from .app import App


class Pilot:
    def __init__(self, app: "App") -> None:
        self.app = app

    @property
    def screen(self):
        return self.app.top

    @property
    def screen_name(self) -> str:
        return self.app.top.name if self.app.top else ""

    def settle(self, max_steps: int = 200) -> None:
        """Run the loop until nothing is animating (transitions, text reveal)."""
        self.app.step()
        for _ in range(max_steps):
            if not self.app.animating() and not self.app.dirty:
                return
            self.app._trans_from = None  # the pilot does not wait for fades
            top = self.app.top
            if top is not None and hasattr(top, "finish_reveal"):
                top.finish_reveal()
            self.app.step()

    def press(self, key: str | int, mod: int = 0, times: int = 1) -> None:
        code = key if isinstance(key, int) else pygame.key.key_code(key)
        for _ in range(times):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode="", scancode=0))
            pygame.event.post(pygame.event.Event(pygame.KEYUP, key=code, mod=mod, unicode="", scancode=0))
            self.settle()

    def ctrl(self, key: str) -> None:
        self.press(key, mod=pygame.KMOD_LCTRL)

    def widget_rect(self, wid: str) -> pygame.Rect:
        for f in self.app.top.focusables():
            if f.id == wid:
                return pygame.Rect(f.rect)
        raise LookupError(f"no widget {wid!r} on screen {self.screen_name!r}; "
                          f"have {[f.id for f in self.app.top.focusables()]}")

    def click(self, target: str | tuple[int, int]) -> None:
        pos = self.widget_rect(target).center if isinstance(target, str) else target
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))
        self.settle()

    def focus_ids(self) -> list[str]:
        return [f.id for f in self.app.top.focusables()]

    def focused(self) -> str | None:
        return self.app.top.focus_id

    def focus(self, wid: str, max_presses: int = 60) -> None:
        """Move the keyboard focus to ``wid`` with Tab, as a keyboard user would."""
        for _ in range(max_presses):
            if self.focused() == wid:
                return
            self.press("tab")
        raise LookupError(f"could not reach {wid!r} with Tab on {self.screen_name!r}")

    def resize(self, size: tuple[int, int]) -> None:
        self.app.resize(size)
        self.settle()
