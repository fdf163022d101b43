"""Turns pygame events into the player's intents.

Screens handle :class:`Intent` values, never raw pygame events, so the same
screen code serves the mouse, the keyboard and the scripted pilot.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Intent:
    kind: str                 # nav, tab, activate, back, number, key, text, click, hover, scroll, page, home, end
    dir: str = ""             # up/down/left/right for nav
    n: int = 0                # number keys, tab direction, scroll amount
    pos: tuple[int, int] = (0, 0)
    char: str = ""            # letter keys, lower case; typed text (kind "text"); "backspace" and " " say which key
                              # made a back or an activate (text fields need to know)
    ctrl: bool = False
    shift: bool = False


_NAV = {
    pygame.K_UP: "up", pygame.K_DOWN: "down", pygame.K_LEFT: "left", pygame.K_RIGHT: "right",
}
_NUMBERS = {getattr(pygame, f"K_{i}"): i for i in range(1, 10)}
_NUMBERS.update({getattr(pygame, f"K_KP{i}"): i for i in range(1, 10)})


def to_intent(event: pygame.event.Event) -> Intent | None:
    et = event.type
    if et == pygame.KEYDOWN:
        key = event.key
        mods = getattr(event, "mod", 0)
        ctrl = bool(mods & pygame.KMOD_CTRL)
        shift = bool(mods & pygame.KMOD_SHIFT)
        if key in _NAV:
            return Intent("nav", dir=_NAV[key], ctrl=ctrl, shift=shift)
        if key == pygame.K_TAB:
            return Intent("tab", n=-1 if shift else 1)
        if key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            return Intent("activate", ctrl=ctrl, shift=shift, char=" " if key == pygame.K_SPACE else "")
        if key in (pygame.K_ESCAPE, pygame.K_BACKSPACE) and not ctrl:
            return Intent("back", char="backspace" if key == pygame.K_BACKSPACE else "")
        if key in _NUMBERS and not ctrl:
            return Intent("number", n=_NUMBERS[key])
        if key == pygame.K_PAGEUP:
            return Intent("page", n=-1, shift=shift)
        if key == pygame.K_PAGEDOWN:
            return Intent("page", n=1, shift=shift)
        if key == pygame.K_HOME:
            return Intent("home")
        if key == pygame.K_END:
            return Intent("end")
        if key == pygame.K_F11:
            return Intent("key", char="f11")
        if key in (pygame.K_EQUALS, pygame.K_PLUS, pygame.K_KP_PLUS):
            return Intent("key", char="+", ctrl=ctrl)
        if key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            return Intent("key", char="-", ctrl=ctrl)
        name = pygame.key.name(key)
        if len(name) == 1:
            return Intent("key", char=name.lower(), ctrl=ctrl, shift=shift)
        return None
    if et == pygame.TEXTINPUT:
        return Intent("text", char=event.text)
    if et == pygame.MOUSEBUTTONDOWN and event.button == 1:
        return Intent("click", pos=tuple(event.pos))
    if et == pygame.MOUSEMOTION:
        return Intent("hover", pos=tuple(event.pos))
    if et == pygame.MOUSEWHEEL:
        return Intent("scroll", n=-int(event.y), pos=tuple(pygame.mouse.get_pos()))
    return None
