"""The sweep: every screen at every setting keeps its layout invariants.

Screens: title, settings, select, briefing, play (dance floor, balcony and,
where the window is small, the perception tab; after listening and a
one-to-one), the one-to-one picker, pause, save and load, outcome, event and
ending; at the extremes only, the debrief (every tab), the message pop-up and Join a class. Settings: 1024x600, 1280x720 and 1920x1080; every text size; each
font; high contrast on and off. Played on the real engine with integrated-care
(the longest briefing and text of the shipped scenarios).

Every combination at the extreme text sizes (smallest and largest) is swept in
full, with the keyboard walk (every control reached with Tab, scrolled into
view, ringed); the middle text sizes are sampled, one font and contrast per
size in turn, so each value meets each other value at least once. Rendering
is off-screen (the dummy video driver). See ``layout_check`` for the checks.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import replace

import pytest

from game.window.settings import FONTS, TEXT_SCALES, Settings

from .helpers import ROOT, make_app, needs_engine
from .layout_check import check_keyboard, check_layout

SIZES = [(1024, 600), (1280, 720), (1920, 1080)]
SCENARIO = ROOT / "scenarios" / "integrated-care.yaml"


def combinations():
    out = []
    last = len(TEXT_SCALES) - 1
    for si, size in enumerate(SIZES):
        for ts in range(len(TEXT_SCALES)):
            for fi, hc in itertools.product(range(len(FONTS)), (False, True)):
                extreme = ts in (0, last)
                # middle sizes: one (font, contrast) pair per (size, text size), rotating
                sampled = (si + ts) % 4 == fi * 2 + int(hc)
                if extreme or sampled:
                    out.append((size, ts, FONTS[fi], hc, extreme))
    return out


COMBOS = combinations()


def ids(c):
    (w, h), ts, font, hc, _ = c
    return f"{w}x{h}-t{ts}-{font}{'-hc' if hc else ''}"


def sweep(app, where: str, keyboard: bool) -> list[str]:
    from game.window.pilot import Pilot
    from game.window.screens import PauseScreen, SavesScreen, SelectScreen, SettingsScreen

    c = app.context
    p = Pilot(app)
    seen = []

    def check(name: str) -> None:
        seen.append(name)
        try:
            check_layout(app, f"{where}-{name}")
            if keyboard:
                check_keyboard(app, f"{where}-{name}")
        except AssertionError as e:
            if not os.environ.get("BALCONY_SWEEP_ALL"):  # (for debugging: report every screen)
                raise
            print(e)

    check("title")
    c.push(SettingsScreen(c), transition=False)
    p.settle()
    check("settings")
    c.pop()
    c.push(SelectScreen(c), transition=False)
    p.settle()
    check("select")
    target = next(i for i, s in enumerate(app.top.scenarios) if s.id == "integrated-care")
    p.focus(f"scn:{target}")
    p.press("return")
    assert p.screen_name == "briefing"
    check("briefing")
    p.focus("begin")
    p.press("return")
    assert p.screen_name == "play"
    check("play")
    play = app.top
    if play.compact:
        p.press("p")
        check("play-perceive")
    p.press("o")
    assert p.screen_name == "one-to-one", (p.screen_name, c.toasts[-1:])
    check("one-to-one")
    p.press("1")
    p.press("d")
    check("play-floor-revealed")
    p.press("b")
    if app.top.snap.balcony is not None:
        check("play-balcony")
    else:  # no attention left: the balcony as it looks with readings, through a fresh quarter's view
        pytest.fail(f"no balcony: {c.toasts[-1:]}")
    p.press("l")
    check("play-after-listening")
    c.push(PauseScreen(c), transition=False)
    p.settle()
    check("pause")
    c.push(SavesScreen(c, "save"), transition=False)
    p.settle()
    check("saves-save")
    c.pop()
    c.pop()
    # decide until an outcome with an event has been seen (and at least two outcomes)
    outcomes = events = 0
    for _ in range(30):
        if p.screen_name == "play":
            snap = app.top.snap
            k = next(i for i, ch in enumerate(snap.choices) if ch.available)
            p.press(str(k + 1))
        elif p.screen_name == "event":
            if not events:
                check("event")
            events += 1
            p.press("return")
        elif p.screen_name == "outcome":
            if outcomes < 2:
                check(f"outcome-{outcomes}")
            outcomes += 1
            p.focus("continue")
            p.press("return")
        else:
            raise AssertionError(f"unexpected screen {p.screen_name}")
        if outcomes >= 2 and events:
            break
    # on to the ending, through the session (no drawing)
    s = c.session
    for _ in range(400):
        if s.snap.status == "ended":
            break
        if s.snap.status == "outcome":
            s.advance()
        else:
            s.choose(next(ch.index for ch in s.snap.choices if ch.available))
    from game.window.screens import EndingScreen

    c.go_home(EndingScreen(c))
    p.settle()
    check("ending")
    c.go_home(SavesScreen(c, "load"))
    p.settle()
    check("saves-load")
    return seen


@needs_engine
@pytest.mark.parametrize("combo", COMBOS, ids=[ids(c) for c in COMBOS])
def test_every_screen_at_every_setting(tmp_path, combo):
    from game.window.backend import EngineBackend

    size, ts, font, hc, extreme = combo
    settings = replace(Settings(), reduced_motion=True, text_scale=ts, font=font, high_contrast=hc)
    app = make_app(tmp_path, size=size, backend=EngineBackend(), settings=settings, record_layout=True)
    app.seed = 7
    seen = sweep(app, ids(combo), keyboard=extreme)
    for name in ("title", "settings", "select", "briefing", "play", "play-balcony", "one-to-one", "pause",
                 "saves-save", "outcome-0", "event", "ending", "saves-load"):
        assert name in seen, (name, seen)


def test_the_sweep_covers_every_value():
    sizes = {c[0] for c in COMBOS}
    scales = {c[1] for c in COMBOS}
    fonts = {c[2] for c in COMBOS}
    contrast = {c[3] for c in COMBOS}
    assert sizes == set(SIZES) and scales == set(range(len(TEXT_SCALES))) and fonts == set(FONTS)
    assert contrast == {False, True}
    # the extremes in full
    for size, font, hc in itertools.product(SIZES, FONTS, (False, True)):
        for ts in (0, len(TEXT_SCALES) - 1):
            assert (size, ts, font, hc, True) in COMBOS


# The screens the sweep above does not reach on its way: the debrief (every tab, from the ending's "Read the
# debrief"), the message pop-up and Join a class, at the sweep's extremes only (the debrief is the slow part:
# the tutorial played to its end and the debrief built, once per setting).
EXTREMES = [((1024, 600), len(TEXT_SCALES) - 1, "dyslexic", True), ((1024, 600), 0, "atkinson", False),
            ((1920, 1080), len(TEXT_SCALES) - 1, "atkinson", True), ((1920, 1080), 0, "dyslexic", False)]


@needs_engine
@pytest.mark.parametrize("combo", EXTREMES, ids=[ids((*c, True)) for c in EXTREMES])
def test_debrief_message_and_join_at_the_extremes(tmp_path, combo):
    from game.window.backend import EngineBackend
    from game.window.screens.classroom import JoinScreen
    from game.window.screens.menus import MessageScreen

    from .test_debrief_screen import TABS, to_ending

    size, ts, font, hc = combo
    where = ids((*combo, True))
    settings = replace(Settings(), reduced_motion=True, text_scale=ts, font=font, high_contrast=hc)
    app = make_app(tmp_path, size=size, backend=EngineBackend(), settings=settings, record_layout=True)
    app.seed = 3
    c = app.context
    p = to_ending(app)
    p.focus("debrief")
    p.press("return")
    scr = app.top
    assert scr.name == "debrief"
    scr.wait()
    p.settle()
    assert not scr.building() and not scr.error, scr.error
    scrolled = 0
    for i, tab in enumerate(TABS):
        p.press(str(i + 1))
        assert scr.tab == i
        check_layout(app, f"{where}-debrief-{tab}")
        check_keyboard(app, f"{where}-debrief-{tab}")
        if scr.scroll.max_offset > 0:       # more than it shows: a scrollbar is drawn, and scrolled it still holds
            assert any(a is scr.scroll for a, _ in app.layout_log.scrollbars), (where, tab)
            p.press("pagedown")
            assert scr.scroll.offset > 0
            check_layout(app, f"{where}-debrief-{tab}-scrolled")
            scrolled += 1
    assert scrolled, "no tab scrolls: the scrollbar was not exercised"
    c.push(MessageScreen(c, "Could not save the report", "The folder could not be written: " + "a long reason " * 60),
           transition=False)
    p.settle()
    check_layout(app, f"{where}-message")
    check_keyboard(app, f"{where}-message")
    c.go_home(JoinScreen(c, address="192.168.1.20:8765"))
    p.settle()
    assert p.screen_name == "join"
    check_layout(app, f"{where}-join")
    check_keyboard(app, f"{where}-join")
