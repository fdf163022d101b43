"""The debrief screen: reached from the ending, the first tab at once, the rest filled in by a thread as it
arrives, every tab within the layout invariants at small and large windows and text, high contrast and the
dyslexia font; typed reflection answers go into the saved report."""
from __future__ import annotations

import threading
from dataclasses import replace

import pygame
import pytest

from game.window.settings import Settings

from .helpers import make_app, needs_engine
from .layout_check import check_layout

TABS = ("why", "story", "decisions", "pattern", "research", "reflect")


def to_ending(app):
    from game.window.pilot import Pilot
    p = Pilot(app)
    p.focus("new"); p.press("return"); p.press("return"); p.focus("begin"); p.press("return")
    turns = 0
    while p.screen_name != "ending" and turns < 60:
        turns += 1
        if p.screen_name == "play":
            if turns % 3 == 1:
                p.press("b")
            snap = app.top.snap
            p.press(str(next(i for i, c in enumerate(snap.choices) if c.available) + 1))
        elif p.screen_name == "event":
            p.press("return")
        elif p.screen_name == "outcome":
            p.focus("continue"); p.press("return")
    assert p.screen_name == "ending"
    return p


def open_debrief(app, p=None):
    """From the run's end (played to it unless the pilot `p` is there already) to its debrief, every section
    built: (the pilot, the debrief screen)."""
    p = p if p is not None else to_ending(app)
    p.focus("debrief"); p.press("return")
    scr = app.top
    scr.wait(); p.settle()
    return p, scr


def save_report(p, scr):
    """The debrief's "Save report" (key s), waited for: it writes on a thread of its own."""
    p.press("s")
    for _ in range(400):
        if not scr.saving:
            break
        pygame.time.wait(25)
    p.settle()


def engine_app(tmp_path, size=(1280, 720), **settings):
    from game.window.backend import EngineBackend
    app = make_app(tmp_path, size=size, backend=EngineBackend(), record_layout=True,
                   settings=replace(Settings(), reduced_motion=True, **settings))
    app.seed = 3
    return app


class Gate:
    """Wraps a real builder so that everything after the first section waits until the test opens the gate."""

    def __init__(self, builder):
        self.builder, self.parts, self.open = builder, builder.parts, threading.Event()

    def sections(self):
        gen = self.builder.sections()
        yield next(gen)
        self.open.wait(30)
        yield from gen

    def result(self):
        return self.builder.result()


@needs_engine
def test_the_first_tab_shows_at_once_and_the_rest_fill_in_while_the_window_keeps_drawing(tmp_path, monkeypatch):
    from game.window.backend import EngineBackend
    app = engine_app(tmp_path)
    p = to_ending(app)
    gates = []
    real = EngineBackend.debrief_builder
    monkeypatch.setattr(EngineBackend, "debrief_builder",
                        lambda self, sc, run: gates.append(Gate(real(self, sc, run))) or gates[-1])
    p.focus("debrief"); p.press("return")
    scr = app.top
    assert scr.name == "debrief" and list(scr.parts) == ["why"] and scr.building()
    frames = app.frames
    p.press("2")                                   # Story: not built yet, and the window answers
    assert scr.tab == 1 and app.frames > frames
    assert any("still being built" in text for text, *_ in app.layout_log.texts)
    check_layout(app, "debrief-while-building")
    gates[0].open.set()
    scr.wait()
    p.settle()
    assert not scr.building() and "reflection" in scr.parts and not scr.error
    assert not any("still being built" in text for text, *_ in app.layout_log.texts)


@needs_engine
@pytest.mark.parametrize("size,scale,extra", [((1024, 640), 0, {}), ((1024, 640), 5, {"font": "dyslexic"}),
                                              ((1920, 1080), 3, {"high_contrast": True})],
                         ids=["1024-smallest", "1024-largest-dyslexic", "1920-high-contrast"])
def test_every_tab_keeps_the_layout_invariants(tmp_path, size, scale, extra):
    app = engine_app(tmp_path, size=size, text_scale=scale, **extra)
    p = to_ending(app)
    check_layout(app, "ending-with-debrief-button")
    p, scr = open_debrief(app, p)
    for i, tab in enumerate(TABS):
        p.press(str(i + 1))
        assert scr.tab == i
        check_layout(app, f"debrief-{tab}-{size[0]}-t{scale}")
        p.press("pagedown")
        check_layout(app, f"debrief-{tab}-scrolled-{size[0]}-t{scale}")
    assert scr.scroll.content > scr.scroll.rect.height        # the reflect tab scrolls at these sizes


@needs_engine
def test_answers_typed_on_the_reflect_tab_go_into_the_saved_report(tmp_path):
    app = engine_app(tmp_path)
    p, scr = open_debrief(app)
    p.press("6")
    first = next(f for f in p.focus_ids() if f.startswith("answer:"))
    p.focus(first)
    p.press("return")                              # start typing
    assert scr.editing == first.split(":", 1)[1]
    for ch in "Budget 1st":                        # digits and letters are text here, not shortcuts
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    p.settle()
    p.press("backspace")
    assert scr.tab == 5 and scr.answers[scr.editing] == "Budget 1s"
    p.press("escape")                              # stop typing; the screen stays
    assert scr.editing is None and p.screen_name == "debrief"
    check_layout(app, "debrief-reflect-answered")
    save_report(p, scr)
    reports = list((tmp_path / "reports").glob("*.html"))
    assert len(reports) == 1, app.context.toasts
    assert "Budget 1s" in reports[0].read_text(encoding="utf-8")
    assert any("Report saved" in t for t in app.context.toasts)
    p.press("escape")
    assert p.screen_name == "ending"
    p.focus("debrief"); p.press("return")           # the answers are kept with the session
    assert app.top.answers == {first.split(":", 1)[1]: "Budget 1s"}
