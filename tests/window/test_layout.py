"""Screenshot tests: every screen at two window sizes and two text sizes must
keep its text inside its panels, its widgets apart, and its focus visible."""
from dataclasses import replace

import pytest
from .helpers import make_app, needs_engine
from .layout_check import check_layout

from game.window.settings import Settings

CONFIGS = [((1024, 640), 1), ((1024, 640), 5), ((1920, 1080), 1), ((1920, 1080), 5)]


def tour(app, label, check):
    """Visit every screen with the keyboard, checking each."""
    from game.window.pilot import Pilot

    p = Pilot(app)
    check("title")
    p.focus("settings"); p.press("return"); check("settings")
    p.press("escape")
    p.focus("new"); p.press("return"); check("select")
    p.press("return"); check("briefing")
    p.focus("begin"); p.press("return"); assert p.screen_name == "play"
    check("play")
    p.press("b"); check("play-balcony")
    p.press("o"); check("one-to-one"); p.press("1")
    p.press("d"); check("play-floor-revealed")
    p.press("l"); check("play-after-listening")
    p.press("escape"); check("pause")
    p.focus("save"); p.press("return"); check("saves-save")
    p.press("escape"); p.press("escape")
    turns = 0
    while p.screen_name != "ending" and turns < 40:
        turns += 1
        if p.screen_name == "play":
            snap = app.top.snap
            k = next(i for i, c in enumerate(snap.choices) if c.available)
            p.press(str(k + 1))
        elif p.screen_name == "event":
            check("event"); p.press("return")
        elif p.screen_name == "outcome":
            check("outcome"); p.focus("continue"); p.press("return")
        else:
            raise AssertionError(p.screen_name)
    check("ending")
    p.focus("title"); p.press("return")
    p.focus("load"); p.press("return"); check("saves-load")


@pytest.mark.parametrize("size,scale", CONFIGS, ids=[f"{w}x{h}-text{s}" for (w, h), s in CONFIGS])
def test_twin_screens_keep_layout_invariants(tmp_path, size, scale):
    app = make_app(tmp_path, size=size, settings=replace(Settings(), reduced_motion=True, text_scale=scale),
                   record_layout=True)
    seen = []
    tour(app, "twin", lambda name: (seen.append(name), check_layout(app, f"twin-{size[0]}x{size[1]}-t{scale}-{name}")))
    for name in ("title", "settings", "select", "briefing", "play", "play-balcony", "one-to-one", "pause",
                 "saves-save", "outcome", "event", "ending", "saves-load"):
        assert name in seen


def test_largest_window_keeps_layout_invariants(tmp_path):
    app = make_app(tmp_path, size=(3840, 2160), settings=replace(Settings(), reduced_motion=True, text_scale=3),
                   record_layout=True)
    tour(app, "twin", lambda name: check_layout(app, f"twin-3840x2160-t3-{name}"))


@needs_engine
@pytest.mark.parametrize("size,scale", CONFIGS, ids=[f"{w}x{h}-text{s}" for (w, h), s in CONFIGS])
def test_tutorial_screens_keep_layout_invariants(tmp_path, size, scale):
    from game.window.backend import EngineBackend

    app = make_app(tmp_path, size=size, backend=EngineBackend(),
                   settings=replace(Settings(), reduced_motion=True, text_scale=scale), record_layout=True)
    app.seed = 3
    tour(app, "tutorial", lambda name: check_layout(app, f"tut-{size[0]}x{size[1]}-t{scale}-{name}"))


def test_the_checker_catches_a_spilling_text(tmp_path):
    """The invariant check itself must be able to fail."""
    import pygame

    app = make_app(tmp_path, record_layout=True)
    top = app.top
    original = top.draw

    def bad_draw(ctx):
        original(ctx)
        with ctx.panel(pygame.Rect(10, 10, 40, 20), "tiny"):
            ctx.text("far too long for this panel", (12, 12))

    top.draw = bad_draw
    with pytest.raises(AssertionError, match="spills out"):
        check_layout(app, "bad")


def test_the_checker_catches_overlap_and_missing_focus(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    top = app.top
    original = top.draw

    def bad_draw(ctx):
        original(ctx)
        b = top.focusables()
        b[1].rect = b[0].rect.move(5, 5)
        ctx.widget("clone", b[0].rect.move(5, 5))
        app.layout_log.focus.clear()

    top.draw = bad_draw
    with pytest.raises(AssertionError) as e:
        check_layout(app, "bad")
    assert "overlap" in str(e.value) and "no focus ring" in str(e.value)
