"""The README's screenshots, rendered off-screen: ``python -m game.window.shots [DIR]``.

Plays the tutorial with a fixed seed under the dummy video driver and writes
each picture the READMEs show (default ``assets/screenshots``), so they can
be retaken with today's code in one command.
"""
from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp: Path, settings, size=(1280, 720)):
    from .app import App
    from .backend import EngineBackend
    from .saves import SaveStore
    from .screens import TitleScreen
    from .settings import SettingsStore
    from .tts import Speaker

    store = SettingsStore(tmp / "cfg")
    store.save(settings)
    backend = EngineBackend()
    app = App(backend, settings_store=store, save_store=SaveStore(backend, tmp / "saves"), size=size,
              speaker=Speaker(command=""))
    app.context.seed = 3
    app.push(TitleScreen(app.context), transition=False)
    return app


def _shot(app, path: Path) -> None:
    from .pilot import Pilot

    Pilot(app).settle()
    app.toast_text = ""
    app.draw()
    app.screenshot(path)
    print(path)


def _to_play(app):
    from .pilot import Pilot
    from .screens import BriefingScreen

    c = app.context
    info = c.backend.info(str(ROOT / "scenarios" / "tutorial.yaml"))
    c.push(BriefingScreen(c, info, 3), transition=False)
    p = Pilot(app)
    p.settle()
    return p


def main(argv: list[str] | None = None) -> int:
    from .pilot import Pilot
    from .settings import Settings

    out = Path((argv or sys.argv[1:] or [str(ROOT / "assets" / "screenshots")])[0])
    out.mkdir(parents=True, exist_ok=True)
    base = replace(Settings(), reduced_motion=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        app = _app(tmp / "a", base)
        _shot(app, out / "title.png")
        p = _to_play(app)
        _shot(app, out / "briefing.png")
        p.focus("begin")
        p.press("return")
        p.press("b")
        _shot(app, out / "play-balcony.png")
        p.press("o")
        _shot(app, out / "one-to-one.png")
        p.press("escape")
        # on to the first event and the first delayed consequence
        event = delayed = False
        for _ in range(200):
            name = p.screen_name
            if name == "play":
                snap = app.top.snap
                p.press(str(next(i for i, c in enumerate(snap.choices) if c.available) + 1))
            elif name == "event":
                if not event:
                    _shot(app, out / "event.png")
                    event = True
                p.press("return")
            elif name == "outcome":
                if not delayed and any(c.kind == "delayed" for c in app.top.cards()):
                    _shot(app, out / "outcome-delayed.png")
                    delayed = True
                p.focus("continue")
                p.press("return")
            elif name == "ending":
                _shot(app, out / "ending.png")
                break
            else:
                p.press("escape")
        # the largest text, high contrast, in the dyslexia font, at 1024x600 and at 1280x720
        for size, name in (((1280, 720), "play-largest-text-high-contrast.png"),
                           ((1024, 600), "play-largest-text-1024x600.png")):
            big = replace(base, text_scale=5, high_contrast=True, font="dyslexic")
            app = _app(tmp / name, big, size)
            p = _to_play(app)
            p.focus("begin")
            p.press("return")
            p.press("l")
            Pilot(app).settle()
            _shot(app, out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
