"""Screens take a ScreenContext, not the app: each can be built, driven and drawn alone."""
from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pygame

from game.window.context import ScreenContext
from game.window.input import Intent
from game.window.render import Ctx, Fonts, LayoutLog, TextCache
from game.window.saves import SaveStore
from game.window.settings import Settings, SettingsStore
from game.window.theme import Theme
from game.window.tts import Speaker
from game.window.twin import TwinBackend

SCREENS = Path(__file__).resolve().parents[2] / "game" / "window" / "screens"


def make_context(tmp: Path, **kw) -> ScreenContext:
    backend = TwinBackend()
    return ScreenContext(backend, settings_store=SettingsStore(tmp / "cfg"),
                         settings=replace(Settings(), reduced_motion=True),
                         save_store=SaveStore(backend, tmp / "saves"), speaker=Speaker(command=""), **kw)


def draw_alone(context: ScreenContext, size=(1280, 720)) -> LayoutLog:
    pygame.font.init()
    log = LayoutLog()
    surf = pygame.Surface(size)
    context.top.draw(Ctx(surf, Theme(context.settings, size), Fonts(), TextCache(), log))
    return log


def test_no_screen_module_imports_the_app():
    """The service locator is gone: screens see only the context (not even for type hints)."""
    for path in sorted(SCREENS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = ("." * node.level) + (node.module or "")
                assert mod not in ("..app", "game.window.app"), f"{path.name} imports the app"
            if isinstance(node, ast.Import):
                assert all(a.name != "game.window.app" for a in node.names), f"{path.name} imports the app"


def test_a_screen_is_driven_and_drawn_without_an_app_or_window(tmp_path):
    from game.window.screens import BriefingScreen, SelectScreen, TitleScreen

    context = make_context(tmp_path)
    context.push(TitleScreen(context), transition=False)
    log = draw_alone(context)
    assert any(t == "Balcony" for t, *_ in log.texts)
    top = context.top
    top.focus("new")
    assert top.handle(Intent("activate"))
    assert isinstance(context.top, SelectScreen)
    draw_alone(context)
    context.top.handle(Intent("activate"))
    assert isinstance(context.top, BriefingScreen) and context.session is not None
    draw_alone(context)
    context.top.focus("begin")
    context.top.handle(Intent("activate"))
    assert context.top.name == "play" and [s.name for s in context.stack] == ["title", "play"]
    assert context.saves.info("auto").exists  # Begin autosaves, with no thumbnail and no window
    log = draw_alone(context, (1024, 600))
    assert any("Priya Raman" in t for t, *_ in log.texts)


def test_the_context_records_toasts_and_reports_quit(tmp_path):
    from game.window.context import NullHost
    from game.window.screens import TitleScreen

    stopped = []

    class Host(NullHost):
        def stop(self, code):
            stopped.append(code)

    context = make_context(tmp_path, host=Host())
    context.push(TitleScreen(context), transition=False)
    context.toast("Hello")
    assert context.toasts == ["Hello"] and context.toast_text == "Hello"
    draw_alone(context)  # a screen lays out its controls when drawn
    context.top.focus("quit")
    context.top.handle(Intent("activate"))
    assert stopped == [0]


def test_an_app_is_still_accepted_where_a_context_is_expected(tmp_path):
    from .helpers import make_app
    from game.window.screens import SettingsScreen

    app = make_app(tmp_path)
    screen = SettingsScreen(app)
    assert screen.context is app.context


def test_save_store_makes_a_backend_from_a_class(tmp_path):
    """Issue 9: SaveStore(EngineBackend) never instantiated the class, so write_save lacked `self`."""

    class Backend(TwinBackend):
        pass

    store = SaveStore(Backend, tmp_path)
    assert isinstance(store.backend, Backend)
