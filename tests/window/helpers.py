"""Shared helpers for the window tests: an app on the in-memory engine twin."""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from game.window.app import App  # noqa: E402
from game.window.pilot import Pilot  # noqa: E402
from game.window.saves import SaveStore  # noqa: E402
from game.window.settings import Settings, SettingsStore  # noqa: E402
from game.window.tts import Speaker  # noqa: E402
from game.window.twin import TwinBackend  # noqa: E402


def make_app(tmp: Path, size=(1280, 720), backend=None, settings: Settings | None = None, **kw) -> App:
    backend = backend or TwinBackend()
    store = SettingsStore(tmp / "config")
    if settings is not None:
        store.save(settings)
    else:
        store.save(replace(Settings(), reduced_motion=True))
    app = App(backend, settings_store=store, save_store=SaveStore(backend, tmp / "saves"), size=size,
              speaker=Speaker(command=""), **kw)
    from game.window.screens import TitleScreen

    app.push(TitleScreen(app), transition=False)
    app.step()
    return app


def to_play(app: App) -> Pilot:
    """From the title, through select and briefing, to the play screen."""
    p = Pilot(app)
    p.focus("new")
    p.press("return")
    assert p.screen_name == "select"
    p.press("return")
    assert p.screen_name == "briefing"
    p.focus("begin")
    p.press("return")
    assert p.screen_name == "play", p.screen_name
    return p


ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


def engine_available() -> bool:
    try:
        import engine  # noqa: F401
    except ImportError:
        return False
    return TUTORIAL.exists()


needs_engine = pytest.mark.skipif(not engine_available(), reason="the engine or scenarios/tutorial.yaml is missing")
