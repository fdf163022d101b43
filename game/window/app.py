"""The application: a stack of screens, the event loop, transitions and services.

The loop sleeps in ``pygame.event.wait`` while nothing moves on screen, and
redraws only when an event or an animation changed something, so an idle
window costs almost no CPU. ``step()`` runs one iteration and never blocks
when asked not to: the scripted pilot and the autoplayer drive it that way.
"""
from __future__ import annotations

import os
import time
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pygame

from .backend import Backend, ScenarioInfo, Session
from .input import Intent, to_intent
from .render import WRAP_SLACK, Ctx, Fonts, LayoutLog, SurfaceCache, TextCache
from .context import ScreenContext
from .saves import SaveStore
from .settings import Settings, SettingsStore
from .theme import MAX_WINDOW, MIN_WINDOW, Theme
from .tts import Speaker


def _sdl_wait_function() -> Callable[[Any, int], int] | None:
    """``SDL_WaitEventTimeout`` from the SDL library pygame loaded, or None where it cannot be found."""
    if os.environ.get("BALCONY_POLLING_WAIT"):  # the benchmark's comparison
        return None
    try:
        import ctypes
        import re

        with open("/proc/self/maps", encoding="utf-8") as maps:
            path = next(line.split()[-1] for line in maps if re.search(r"/libSDL2-2[-.][^/]*\.so", line))
        fn = ctypes.CDLL(path).SDL_WaitEventTimeout
    except Exception:  # not Linux, or an unusual build: pygame's own wait
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_SDL_WAIT: Callable[[Any, int], int] | None = None


def _delegate(name: str) -> property:
    return property(lambda self: getattr(self.context, name),
                    lambda self, value: setattr(self.context, name, value))


class App:
    """The window: the event loop, drawing, fades, toasts, resize and full screen.

    The screens and the game's services live in :attr:`context` (a
    :class:`~game.window.context.ScreenContext`); the app is its
    :class:`~game.window.context.Host`. The app's ``stack``, ``session``,
    ``push``... are the context's, kept here for tests and tools."""

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        settings_store: SettingsStore | None = None,
        save_store: SaveStore | None = None,
        size: tuple[int, int] | None = None,
        fullscreen: bool = False,
        watch: bool = False,
        record_layout: bool = False,
        speaker: Speaker | None = None,
        clock: Callable[[], float] = time.perf_counter,
        text_cache: TextCache | None = None,
        allow_rewind: bool = True,
    ) -> None:
        self.clock = clock
        self.watch = watch
        self.running = True
        self.exit_code = 0
        self.dirty = True
        self.is_fullscreen = False
        self.context = ScreenContext(backend, settings_store=settings_store, save_store=save_store,
                                     speaker=speaker, host=self, clock=clock, allow_rewind=allow_rewind)
        self.fonts = Fonts()
        self.cache = text_cache or TextCache()
        self.layout_log = LayoutLog() if record_layout else None
        self._trans_from: pygame.Surface | None = None
        self._trans_t0 = 0.0
        self._last = clock()
        self.frames = 0
        self.on_frame: list[Callable[["App"], None]] = []
        self._watch_mtime: tuple | None = None
        self._watch_next = 0.0
        self.window_error = ""
        self.frame_cache = text_cache is None or text_cache.enabled
        self._frame: pygame.Surface | None = None
        self._frame_key: tuple | None = None
        self._dim: pygame.Surface | None = None
        self.widget_cache = SurfaceCache()
        self._tick = pygame.time.Clock()

        os.environ.setdefault("SDL_VIDEO_MINIMIZE_ON_FOCUS_LOSS", "0")
        pygame.display.init()
        pygame.font.init()
        global _SDL_WAIT
        if _SDL_WAIT is None:
            _SDL_WAIT = _sdl_wait_function()
        pygame.key.set_repeat(350, 40)
        pygame.display.set_caption("Balcony")
        try:
            pygame.display.set_icon(window_icon())
        except pygame.error:
            pass
        want = size or self.settings.window_size
        self._windowed_size = clamp_size(want)
        self.surface = self._set_mode(fullscreen or self.settings.fullscreen)
        self.theme = Theme(self.settings, self.surface.get_size())
        pygame.event.set_allowed(None)
        pygame.event.set_allowed([pygame.QUIT, pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION,
                                  pygame.MOUSEWHEEL, pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED,
                                  pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED, pygame.WINDOWFOCUSGAINED])

    # ---- the context's members, for tests and tools ---------------------------------------
    @property
    def backend(self) -> Backend:
        return self.context.backend

    @property
    def saves(self) -> SaveStore:
        return self.context.saves

    settings = _delegate("settings")
    session = _delegate("session")
    stack = _delegate("stack")
    speaker = _delegate("speaker")
    toast_text = _delegate("toast_text")
    toast_until = _delegate("toast_until")
    allow_rewind = _delegate("allow_rewind")
    seed = _delegate("seed")
    settings_store = _delegate("settings_store")

    @property
    def top(self) -> Any:
        return self.context.top

    def push(self, screen: Any, transition: bool = True) -> None:
        self.context.push(screen, transition)

    def pop(self) -> None:
        self.context.pop()

    def replace(self, screen: Any) -> None:
        self.context.replace(screen)

    def reset_to(self, *screens: Any) -> None:
        self.context.reset_to(*screens)

    def toast(self, text: str, seconds: float = 2.6) -> None:
        self.context.toast(text, seconds)

    def speak(self, text: str) -> None:
        self.context.speak(text)

    def announce_focus(self, item: Any) -> None:
        self.context.announce_focus(item)

    def keyboard_focus_visible(self, screen: Any) -> bool:
        return self.context.focus_visible(screen)

    def start_session(self, info: ScenarioInfo, seed: int | None = None) -> Session:
        return self.context.start_session(info, seed)

    def resume_session(self, slot: str) -> Session:
        return self.context.resume_session(slot)

    def autosave(self) -> None:
        self.context.autosave()

    def apply_settings(self, new: Settings, reapply_mode: bool = True) -> None:
        self.context.apply_settings(new, reapply_mode)

    def change_text_size(self, step: int) -> None:
        self.context.change_text_size(step)

    def toggle_fullscreen(self) -> None:
        self.context.toggle_fullscreen()

    def quit(self, code: int = 0) -> None:
        self.stop(code)

    # ---- the Host protocol (called by the context) ---------------------------------------------
    def begin_transition(self) -> None:
        if self.theme.transition_ms() and self.stack and self.frames:
            self._trans_from = self.surface.copy()
            self._trans_t0 = self.clock()

    def invalidate(self) -> None:
        self.dirty = True

    def stop(self, code: int) -> None:
        self.running = False
        self.exit_code = code

    def set_fullscreen(self, on: bool) -> bool:
        self.surface = self._set_mode(on)
        self._on_size_changed()
        return self.is_fullscreen

    def settings_changed(self, old: Settings, new: Settings) -> None:
        if not self.is_fullscreen:
            self.context.settings = replace(new, window_size=tuple(self.surface.get_size()))
        self.theme = Theme(self.settings, self.surface.get_size())
        if (old.font, old.high_contrast, old.text_scale) != (new.font, new.high_contrast, new.text_scale):
            self.cache.clear()
        self.widget_cache.clear()
        self.dirty = True

    def thumbnail(self) -> pygame.Surface | None:
        """The play screen as it would look now, without pause menus on top."""
        play = next((s for s in reversed(self.stack) if getattr(s, "thumbnail_source", False)), None)
        if play is None:
            return None
        surf = pygame.Surface(self.surface.get_size())
        ctx = Ctx(surf, self.theme, self.fonts, self.cache, None)
        play.draw(ctx)
        return surf

    render_thumbnail = thumbnail

    # ---- the window ------------------------------------------------------------------
    def _set_mode(self, fullscreen: bool) -> pygame.Surface:
        self.is_fullscreen = fullscreen
        self.context.is_fullscreen = fullscreen
        if fullscreen:
            try:
                desk = pygame.display.get_desktop_sizes()[0]
            except (pygame.error, IndexError):
                desk = self._windowed_size
            surf = pygame.display.set_mode(clamp_size(desk), pygame.FULLSCREEN)
        else:
            surf = pygame.display.set_mode(self._windowed_size, pygame.RESIZABLE)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    win = pygame.Window.from_display_module()
                    win.minimum_size = MIN_WINDOW
                    win.maximum_size = MAX_WINDOW
                except Exception:
                    pass
        return surf

    def resize(self, size: tuple[int, int]) -> None:
        """Resize the window (also used by tests to try layouts at many sizes)."""
        self._windowed_size = clamp_size(size)
        if not self.is_fullscreen:
            self.surface = pygame.display.set_mode(self._windowed_size, pygame.RESIZABLE)
        self._on_size_changed()

    def _on_size_changed(self) -> None:
        self.widget_cache.clear()
        self.surface = pygame.display.get_surface()
        self.theme = Theme(self.settings, self.surface.get_size())
        self._trans_from = None
        self.dirty = True

    # ---- the loop ------------------------------------------------------------------------------------
    def animating(self) -> bool:
        if self._trans_from is not None:
            return True
        return any(s.animating() for s in self.stack[-1:])

    def _timeout_ms(self) -> int:
        """How long the loop may sleep: until the toast expires, or for ever."""
        waits = []
        now = self.clock()
        if self.toast_text:
            waits.append(max(1, int((self.toast_until - now) * 1000)))
        if self.watch:
            waits.append(1000)
        return min(waits) if waits else 0  # 0 means no timeout

    def step(self, block: bool = False) -> bool:
        """One loop iteration. Returns False once the app should stop."""
        events: list[pygame.event.Event]
        if block and not self.animating() and not self.dirty:
            self._wait(self._timeout_ms())
            events = pygame.event.get()
        else:
            if block:
                self._tick.tick(60)  # animating: 60 frames a second, not as fast as possible
            events = pygame.event.get()
        for ev in events:
            self.handle_event(ev)
        now = self.clock()
        dt = min(0.25, now - self._last)
        self._last = now
        if self.toast_text and now >= self.toast_until:
            self.toast_text = ""
            self.dirty = True
        if self.watch and now >= self._watch_next:
            self._watch_next = now + 1.0
            self._check_watch()
        if self.stack:
            self.stack[-1].update(dt)
        if self.animating():
            self.dirty = True
        if self.dirty and self.running:
            self.draw()
            pygame.display.flip()
            self.frames += 1
            if self.frames == 1 and os.environ.get("BALCONY_FIRST_FRAME_FILE"):
                self._report_first_frame(os.environ["BALCONY_FIRST_FRAME_FILE"])
            for cb in list(self.on_frame):
                cb(self)
        return self.running

    def _report_first_frame(self, path: str) -> None:
        """For bench/window_wait.py: the wall-clock time the first frame was shown; then quit."""
        Path(path).write_text(repr(time.time()), encoding="utf-8")
        self.stop(0)

    def _wait(self, timeout_ms: int) -> None:
        """Sleep until an event arrives (or ``timeout_ms``, when > 0), leaving it queued.

        ``pygame.event.wait`` polls every millisecond (about 1,000 wake-ups a
        second); SDL's own ``SDL_WaitEventTimeout`` blocks on the display
        connection, and other threads' events (timers, key repeat) wake it."""
        if _SDL_WAIT is not None:
            _SDL_WAIT(None, timeout_ms if timeout_ms > 0 else -1)
            return
        ev = pygame.event.wait(timeout_ms) if timeout_ms > 0 else pygame.event.wait()
        if ev.type != pygame.NOEVENT:
            pygame.event.post(ev)

    def handle_event(self, ev: pygame.event.Event) -> None:
        if ev.type == pygame.QUIT:
            self.quit(0)
            return
        if ev.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            if pygame.display.get_surface() is not None and pygame.display.get_surface().get_size() != self.theme.size:
                self._on_size_changed()
                if not self.is_fullscreen:
                    self._windowed_size = self.surface.get_size()
            return
        if ev.type in (pygame.WINDOWEXPOSED, pygame.WINDOWRESTORED, pygame.WINDOWFOCUSGAINED):
            self.dirty = True
            return
        intent = to_intent(ev)
        if intent is None or not self.stack:
            return
        if self.global_keys(intent):
            self.dirty = True
            return
        if self._trans_from is not None and intent.kind in ("activate", "click", "number"):
            self._trans_from = None  # input finishes a transition at once
        if self.stack[-1].handle(intent):
            self.dirty = True

    def global_keys(self, intent: Intent) -> bool:
        if intent.kind == "key" and intent.char == "f11":
            self.toggle_fullscreen()
            return True
        if intent.kind == "key" and intent.ctrl and intent.char in "+-":
            self.change_text_size(1 if intent.char == "+" else -1)
            return True
        return False

    def draw(self) -> None:
        self.dirty = False
        surf = self.surface
        if self.layout_log is not None:
            self.layout_log.clear()
        ctx = Ctx(surf, self.theme, self.fonts, self.cache, self.layout_log,
                  self.widget_cache if self.cache.enabled else None)
        # draw from the last opaque screen up
        start = 0
        for i in range(len(self.stack) - 1, -1, -1):
            if not self.stack[i].modal:
                start = i
                break
        # modal screens never pile up: only the top one is drawn over the screen below them all
        layers = [start] + ([len(self.stack) - 1] if len(self.stack) - 1 > start else [])
        # Retained rendering: screens that can say what their picture depends on
        # (``view_key``) are composed once and reused until that key changes.
        keys = tuple(self.stack[i].view_key() for i in layers)
        frame_key = None if (None in keys or self.layout_log is not None) else (keys, id(self.theme), surf.get_size())
        if self.frame_cache and frame_key is not None and frame_key == self._frame_key and self._frame is not None:
            surf.blit(self._frame, (0, 0))
        else:
            for i in layers:
                scr = self.stack[i]
                ctx.layer = i
                if scr.modal:
                    if self._dim is None or self._dim.get_size() != surf.get_size():
                        self._dim = pygame.Surface(surf.get_size(), pygame.SRCALPHA)
                    self._dim.fill((0, 0, 0, self.theme.pal.overlay_alpha))
                    surf.blit(self._dim, (0, 0))
                scr.draw(ctx)
            surf.set_clip(None)
            if frame_key is not None and self.frame_cache:
                if self._frame is None or self._frame.get_size() != surf.get_size():
                    self._frame = pygame.Surface(surf.get_size()).convert(surf) if surf.get_bitsize() else surf.copy()
                self._frame.blit(surf, (0, 0))
                self._frame_key = frame_key
            else:
                self._frame_key = None
        if self.toast_text:
            self._draw_toast(ctx)
        if self._trans_from is not None:
            ms = self.theme.transition_ms()
            p = (self.clock() - self._trans_t0) * 1000 / ms if ms else 1.0
            if p >= 1.0 or self._trans_from.get_size() != surf.get_size():
                self._trans_from = None
            else:
                ease = 1 - (1 - p) ** 3
                self._trans_from.set_alpha(round(255 * (1 - ease)))
                surf.blit(self._trans_from, (0, 0))

    def _draw_toast(self, ctx: Ctx) -> None:
        """The toast, whole: it wraps onto more lines rather than losing its end."""
        t = self.theme
        w, h = self.surface.get_size()
        limit = min(w - t.s(8), t.s(90))
        tw = min(ctx.measure(self.toast_text, "body", "bold")[0] + WRAP_SLACK + 2, limit)
        th = ctx.paragraph_height(self.toast_text, tw, "body", "bold", spacing=1.05)
        rect = pygame.Rect(0, 0, tw + t.s(4), th + t.s(2))
        rect.midtop = (w // 2, t.s(9))
        ctx.layer = 99
        with ctx.panel(rect, "toast", fill=t.pal.text if not t.settings.high_contrast else (0, 0, 0),
                       border=t.pal.focus):
            ctx.paragraph(self.toast_text, pygame.Rect(rect.left + t.s(2), rect.top + t.s(1), tw, th + 2), "body",
                          t.pal.panel if not t.settings.high_contrast else (255, 255, 255), "bold", spacing=1.05)

    def screenshot(self, path: str | Path) -> None:
        pygame.image.save(self.surface, str(path))

    def run(self) -> int:
        try:
            while self.step(block=True):
                pass
        finally:
            self.speaker.stop()
            self._remember_window()
        return self.exit_code

    def _remember_window(self) -> None:
        """Keep the window's size for next time (not while full screen)."""
        if self.is_fullscreen or self.surface.get_size() == tuple(self.settings.window_size):
            return
        try:
            self.settings = replace(self.settings, window_size=tuple(self.surface.get_size()))
            self.settings_store.save(self.settings)
        except OSError:
            pass

    # ---- hot reload (--watch) ----------------------------------------------------------------------------
    def _check_watch(self) -> None:
        if self.session is None:
            return
        # the scenario's file and every file it includes
        files = tuple(getattr(getattr(self.session, "scenario", None), "files", ()) or ()) or (self.session.info.path,)
        try:
            m = tuple(Path(f).stat().st_mtime_ns for f in files)
        except OSError:
            return
        # and its translation into the interface's language, which may appear, change or go
        po = self.backend.translation_file(self.session.info.path)
        if po:
            try:
                m += (Path(po).stat().st_mtime_ns,)
            except OSError:
                m += (None,)
        if self._watch_mtime is None:
            self._watch_mtime = m
            return
        if m != self._watch_mtime:
            self._watch_mtime = m
            if self.context.reload_scenario():
                self._watch_mtime = None  # the new version may include other files: stamp them next time


def clamp_size(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    return (max(MIN_WINDOW[0], min(MAX_WINDOW[0], int(w))), max(MIN_WINDOW[1], min(MAX_WINDOW[1], int(h))))


def window_icon() -> pygame.Surface:
    """A 64x64 icon drawn in code: the balcony rail over the dance floor."""
    from .theme import OKABE_ITO, STANDARD

    icon = pygame.Surface((64, 64), pygame.SRCALPHA)
    pygame.draw.rect(icon, STANDARD.bg, (0, 0, 64, 64), border_radius=14)
    for i, c in enumerate(OKABE_ITO[:5]):
        pygame.draw.circle(icon, c, (10 + i * 11, 46 + (i % 2) * 6), 4)
    pygame.draw.line(icon, STANDARD.text_on_bg, (8, 22), (56, 22), 4)
    for x in range(12, 56, 8):
        pygame.draw.line(icon, STANDARD.text_on_bg, (x, 22), (x, 32), 2)
    pygame.draw.line(icon, STANDARD.focus, (8, 34), (56, 34), 3)
    return icon
