"""Balcony's game window (pygame-ce): a stack of screens over the engine's driving API.

The CLI calls :func:`run_window` for ``balcony play [SCENARIO]``.
"""
from __future__ import annotations

import os
import tempfile

__all__ = ["run_window"]


def run_window(scenario_path: str | None = None, seed: int | None = None, *, watch: bool = False,
               autoplay: bool = False, screenshots: str | None = None, fullscreen: bool = False) -> int:
    """Open the game window; return the process exit code.

    ``scenario_path`` skips the scenario list and opens its briefing.
    ``autoplay`` plays by itself to an ending (seeded by ``seed``);
    ``screenshots`` writes a PNG of every distinct screen to that directory.
    ``watch`` reloads the scenario when its file changes (for authors).
    """
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if (autoplay or screenshots) and _headless():
        # a machine without a display can still play itself and take pictures
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from .app import App
    from .saves import SaveStore
    from .screens import BriefingScreen, MessageScreen, TitleScreen
    from .backend import describe_error
    from ..i18n import _

    save_store = None
    if autoplay and "BALCONY_DATA_DIR" not in os.environ:
        # autoplay must not overwrite the player's own autosave
        tmp = tempfile.mkdtemp(prefix="balcony-autoplay-")
        from .backend import EngineBackend

        save_store = SaveStore(EngineBackend, directory=os.path.join(tmp, "saves"))
    app = App(save_store=save_store, fullscreen=fullscreen, watch=watch)
    context = app.context
    context.seed = seed
    context.push(TitleScreen(context), transition=False)
    if scenario_path is not None:
        try:
            info = context.backend.info(scenario_path)
        except Exception as exc:
            context.push(MessageScreen(context, _("This scenario could not be opened"), describe_error(exc)))
        else:
            if not autoplay:
                context.push(BriefingScreen(context, info, seed), transition=False)
    if autoplay:
        from .autoplay import Autoplayer

        player = Autoplayer(app, seed, screenshots, scenario_path)
        real_display = os.environ.get("SDL_VIDEODRIVER") != "dummy"
        return player.run(delay=0.35 if real_display and not screenshots else 0.0)
    if screenshots:
        from .autoplay import ScreenRecorder

        app.on_frame.append(ScreenRecorder(app, screenshots).on_frame)
    return app.run()


def _headless() -> bool:
    import sys

    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False
