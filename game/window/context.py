"""The screen context: everything a screen may use, handed to it when it is made.

Screens never import the :class:`~game.window.app.App`. Each screen is built
with a :class:`ScreenContext` (``TitleScreen(context)``) and reaches the rest of
the game only through it:

=====================  ======================================================
navigation             ``push(screen)``, ``pop()``, ``replace(screen)``,
                       ``reset_to(*screens)``, ``go_home(*then)``, ``top``,
                       ``stack``, ``find(name)``
the run in progress    ``session`` (a :class:`~game.window.backend.Session` or
                       any object with the same members), ``start_session``,
                       ``resume_session``, ``end_session``, ``autosave``,
                       ``allow_rewind``, ``seed``, ``backend``
saves                  ``saves`` (a :class:`~game.window.saves.SaveStore`)
settings               ``settings`` (read), ``apply_settings(new)``,
                       ``change_text_size(step)``, ``is_fullscreen``,
                       ``toggle_fullscreen()``
speech and notices     ``speak(text)``, ``announce_focus(item)``,
                       ``toast(text)``, ``speaker``
the window             ``focus_visible(screen)``, ``invalidate()``,
                       ``quit(code)``
=====================  ======================================================

The window itself is a :class:`Host`: the app implements it (fades, redraws,
full screen, thumbnails). Without a host (``ScreenContext(backend)``) a screen
can be built, driven and drawn on an off-screen surface in a test, with no
window, no event loop and no app: see ``tests/window/test_context.py``.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .backend import Backend, ScenarioInfo, Session, describe_error
from .saves import AUTO, SaveStore
from .settings import TEXT_SCALES, Settings, SettingsStore
from .tts import Speaker, sentences
from ..i18n import _

if TYPE_CHECKING:
    import pygame


class Host(Protocol):
    """What the window does for the context (the app implements it)."""

    def begin_transition(self) -> None: ...
    def invalidate(self) -> None: ...
    def settings_changed(self, old: Settings, new: Settings) -> None: ...
    def set_fullscreen(self, on: bool) -> bool: ...
    def thumbnail(self) -> "pygame.Surface | None": ...
    def stop(self, code: int) -> None: ...


class NullHost:
    """No window: for screens tested on their own, and for off-screen rendering."""

    fullscreen = False

    def begin_transition(self) -> None:
        pass

    def invalidate(self) -> None:
        pass

    def settings_changed(self, old: Settings, new: Settings) -> None:
        pass

    def set_fullscreen(self, on: bool) -> bool:
        self.fullscreen = on
        return on

    def thumbnail(self) -> None:
        return None

    def stop(self, code: int) -> None:
        pass


class ScreenContext:
    """Navigation, the session, saves, settings, speech and toasts, for screens."""

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        settings_store: SettingsStore | None = None,
        settings: Settings | None = None,
        save_store: SaveStore | None = None,
        speaker: Speaker | None = None,
        host: Host | None = None,
        clock: Callable[[], float] = time.perf_counter,
        allow_rewind: bool = True,
        seed: int | None = None,
    ) -> None:
        self._backend = backend
        self.settings_store = settings_store or SettingsStore()
        self.settings: Settings = settings if settings is not None else self.settings_store.load()
        self._save_store = save_store
        self.speaker = speaker or Speaker()
        self.host: Host = host or NullHost()
        self.clock = clock
        #: the classroom turns rewind off
        self.allow_rewind = allow_rewind
        #: the seed for new runs (``--seed``); None picks one from the clock
        self.seed = seed
        self.stack: list[Any] = []
        self.session: Session | None = None
        self.toast_text = ""
        self.toast_until = 0.0
        #: every toast shown, newest last (tests read it; it is never drawn)
        self.toasts: list[str] = []
        self.is_fullscreen = False

    # ---- services --------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        """The engine, imported on first use so the title appears quickly."""
        if self._backend is None:
            from .backend import EngineBackend

            self._backend = EngineBackend()
        return self._backend

    @property
    def saves(self) -> SaveStore:
        if self._save_store is None:
            self._save_store = SaveStore(lambda: self.backend)
        return self._save_store

    # ---- navigation --------------------------------------------------------------------
    @property
    def top(self) -> Any:
        return self.stack[-1] if self.stack else None

    def find(self, name: str) -> Any:
        """The topmost screen called ``name`` on the stack, or None."""
        return next((s for s in reversed(self.stack) if s.name == name), None)

    def push(self, screen: Any, transition: bool = True) -> None:
        """Open ``screen`` on top; a modal screen draws over the one below."""
        if transition and not screen.modal:
            self.host.begin_transition()
        self.stack.append(screen)
        self._entered(screen)

    def pop(self) -> None:
        """Close the top screen (never the last one)."""
        if len(self.stack) > 1:
            gone = self.stack.pop()
            if not gone.modal:
                self.host.begin_transition()
            self._entered(self.stack[-1])

    def pop_to(self, screen: Any) -> None:
        """Close every screen above ``screen`` at once, without transitions."""
        while self.stack and self.stack[-1] is not screen:
            self.stack.pop()
        self.host.invalidate()

    def replace(self, screen: Any) -> None:
        self.host.begin_transition()
        if self.stack:
            self.stack.pop()
        self.stack.append(screen)
        self._entered(screen)

    def reset_to(self, *screens: Any) -> None:
        self.host.begin_transition()
        self.stack = list(screens)
        self._entered(self.stack[-1])

    def go_home(self, *then: Any) -> None:
        """Back to the first screen (the title), then open ``then`` over it."""
        self.reset_to(self.stack[0], *then)

    def _entered(self, screen: Any) -> None:
        self.host.invalidate()
        screen.on_enter()
        if self.settings.tts:
            self.speak(screen.speech())

    # ---- the window ----------------------------------------------------------------------
    def focus_visible(self, screen: Any) -> bool:
        """Whether ``screen`` shows its keyboard focus ring (only the top screen does)."""
        return screen is self.top

    def invalidate(self) -> None:
        """Something changed outside input handling: draw the next frame."""
        self.host.invalidate()

    def thumbnail(self) -> "pygame.Surface | None":
        """A picture of the play screen for a save slot (None without a window)."""
        return self.host.thumbnail()

    def quit(self, code: int = 0) -> None:
        self.host.stop(code)

    # ---- settings ----------------------------------------------------------------------------
    def apply_settings(self, new: Settings, reapply_mode: bool = True) -> None:
        """Use and save ``new`` settings; the window re-themes itself."""
        old = self.settings
        self.settings = new
        if reapply_mode and new.fullscreen != self.is_fullscreen:
            self.is_fullscreen = self.host.set_fullscreen(new.fullscreen)
        self.host.settings_changed(old, new)
        new = self.settings  # the host may add the window size
        try:
            self.settings_store.save(new)
        except OSError as exc:
            self.toast(_("Could not save settings: {error}").format(error=exc))
        if new.tts and not old.tts and self.speaker.available:
            self.speaker.say(_("Text to speech is on."))
        if not new.tts:
            self.speaker.stop()
        self.host.invalidate()

    def change_text_size(self, step: int) -> None:
        i = max(0, min(len(TEXT_SCALES) - 1, self.settings.text_scale + step))
        if i != self.settings.text_scale:
            self.apply_settings(replace(self.settings, text_scale=i))

    def toggle_fullscreen(self) -> None:
        self.is_fullscreen = self.host.set_fullscreen(not self.is_fullscreen)
        self.apply_settings(replace(self.settings, fullscreen=self.is_fullscreen), reapply_mode=False)

    # ---- speech and toasts ------------------------------------------------------------------------
    def announce_focus(self, item: Any) -> None:
        """Text-to-speech reads a control when the focus moves onto it."""
        if self.settings.tts:
            label = getattr(item, "label", "")
            detail = getattr(item, "detail", "")
            self.speak(sentences(label, _("Unavailable") if getattr(item, "enabled", True) is False else "", detail))

    def speak(self, text: str) -> None:
        if self.settings.tts and text:
            self.speaker.say(text)

    def toast(self, text: str, seconds: float = 2.6) -> None:
        """A short notice at the top of the window, gone after ``seconds``."""
        self.toast_text = text
        self.toast_until = self.clock() + seconds
        self.toasts.append(text)
        self.host.invalidate()
        if self.settings.tts:
            self.speak(text)

    # ---- sessions ---------------------------------------------------------------------------------
    def start_session(self, info: ScenarioInfo, seed: int | None = None) -> Session:
        scenario = self.backend.load(info.path)
        if seed is None:
            seed = int(time.time() * 1000) % 1_000_000
        run = self.backend.new_run(scenario, seed)
        self.session = Session(self.backend, info, scenario, run, seed)
        return self.session

    def resume_session(self, slot: str) -> Session:
        scenario, run, sinfo = self.saves.load(slot)
        try:
            info = self.backend.info(sinfo.scenario_path)
        except Exception:
            info = ScenarioInfo(path=sinfo.scenario_path, id="", title=sinfo.scenario_title)
        self.session = Session(self.backend, info, scenario, run, self.saves.seed(slot))
        return self.session

    def end_session(self) -> None:
        self.session = None

    def autosave(self) -> None:
        """Save the run to the autosave slot; a failure is a toast, never a crash."""
        if self.session is None or not getattr(self.session, "can_save", True):
            return
        try:
            self.saves.save(AUTO, self.session, self.host.thumbnail())
        except Exception as exc:  # a full disk must not end the game
            self.toast(_("Autosave failed: {error}").format(error=exc))

    def reload_scenario(self) -> bool:
        """``--watch``: read the scenario file again and keep the player's place if possible.

        Returns True when the session was replaced; screens showing it are told
        through ``on_session_replaced()``."""
        s = self.session
        if s is None:
            return False
        try:
            scenario = self.backend.load(s.info.path)
        except Exception as exc:
            self.toast(_("Scenario has errors; see the terminal."), 4.0)
            print(describe_error(exc), flush=True)
            return False
        data = s.run.to_save()
        try:
            run = self.backend.run_from_save(scenario, data)
        except Exception:
            run = self.backend.new_run(scenario, s.seed)
        s.scenario = scenario
        s.run = run
        s.disable_rewind()
        s._changed()
        for screen in reversed(list(self.stack)):
            hook = getattr(screen, "on_session_replaced", None)
            if hook is not None:
                hook()
                break
        self.toast(_("Scenario reloaded."))
        return True
