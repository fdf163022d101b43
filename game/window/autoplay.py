"""``--autoplay``: the game plays itself through its own keyboard interface.

The autoplayer looks at the top screen and presses the keys a player would,
choosing among available choices with a seeded random generator. With
``--screenshots DIR`` a PNG of every distinct screen it passes is written.
It visits the settings, pause and save screens once so those are captured too.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from .pilot import Pilot

if TYPE_CHECKING:
    from .app import App


class ScreenRecorder:
    """Writes a PNG of every distinct screen a player passes through (``--screenshots``)."""

    clean = False

    def __init__(self, app: "App", screenshots: str) -> None:
        self.app = app
        self.dir = Path(screenshots)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.seen: set[str] = set()
        self.shots: list[Path] = []

    def on_frame(self, app: "App") -> None:
        if not app.animating():
            self.capture()

    capture = None  # set below, shared with Autoplayer


class Autoplayer:
    clean = True

    def __init__(self, app: "App", seed: int | None = None, screenshots: str | None = None,
                 scenario_path: str | None = None, max_actions: int = 1500) -> None:
        self.app = app
        self.pilot = Pilot(app)
        self.rng = random.Random(seed if seed is not None else 0)
        self.dir = Path(screenshots) if screenshots else None
        self.scenario_path = scenario_path
        self.seen: set[str] = set()
        self.shots: list[Path] = []
        self.max_actions = max_actions
        self.actions = 0
        self.visited: set[str] = set()
        self.turn_plan: tuple | None = None
        if self.dir is not None:
            self.dir.mkdir(parents=True, exist_ok=True)
        # deterministic pictures: no fades, text at once; not saved to the player's settings
        app.settings = replace(app.settings, reduced_motion=True, text_speed=0, tts=False)
        app.theme = app.theme.__class__(app.settings, app.surface.get_size())

    def capture(self) -> None:
        top = self.app.top
        if top is None or self.dir is None:
            return
        sig = top.signature()
        if sig in self.seen:
            return
        self.seen.add(sig)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", sig)[:80]
        path = self.dir / f"{len(self.shots) + 1:03d}-{name}.png"
        if self.clean:
            self.app.toast_text = ""  # a stale toast would date the picture
            self.app.draw()
        self.app.screenshot(path)
        self.shots.append(path)

    def run(self, delay: float = 0.0) -> int:  # noqa: D102
        app = self.app
        self.pilot.settle()
        while app.running and self.actions < self.max_actions:
            self.capture()
            if not self.act():
                break
            self.actions += 1
            if delay:
                pygame.event.pump()
                time.sleep(delay)
        app.speaker.stop()
        if self.actions >= self.max_actions:
            print(f"autoplay: stopped after {self.actions} actions without reaching an ending", flush=True)
            return 2
        return app.exit_code

    def act(self) -> bool:
        """Take one action on the current screen; False when finished."""
        p = self.pilot
        top = self.app.top
        name = top.name
        once = self._once
        if name == "title":
            if once("settings"):
                p.focus("settings")
                p.press("return")
                return True
            p.focus("new")
            p.press("return")
            return True
        if name == "settings":
            p.press("escape")
            return True
        if name == "select":
            target = None
            if self.scenario_path:
                for i, info in enumerate(top.scenarios):
                    if Path(info.path).resolve() == Path(self.scenario_path).resolve():
                        target = f"scn:{i}"
            if self.scenario_path and target is None:
                from .screens import BriefingScreen

                ctx = self.app.context
                ctx.push(BriefingScreen(ctx, ctx.backend.info(self.scenario_path), ctx.seed))
                return True
            ids = p.focus_ids()
            target = target or next((i for i in ids if i.startswith("scn:")), None)
            if target is None:
                self.app.quit(1)
                return False
            p.focus(target)
            p.press("return")
            return True
        if name == "briefing":
            if top.session is None:
                self.app.quit(1)
                return False
            p.focus("begin")
            p.press("return")
            return True
        if name == "play":
            return self._play(top)
        if name == "one-to-one":
            n = len(top.play.snap.dance_floor)
            p.press(str(self.rng.randint(1, min(9, n))))
            return True
        if name == "event":
            p.press("return")
            return True
        if name == "outcome":
            if top.area.max_offset > 0 and once("outcome-scroll"):
                p.press("pagedown")
                return True
            p.focus("continue")
            p.press("return")
            return True
        if name == "pause":
            if once("save"):
                p.focus("save")
                p.press("return")
                return True
            p.press("escape")
            return True
        if name == "saves":
            if top.mode == "save" and once("save-slot"):
                p.focus("slot:1")
                p.press("return")
                return True
            p.press("escape")
            return True
        if name == "ending":
            self.capture()
            self.app.quit(0)
            return False
        if name == "message":
            self.capture()
            self.app.quit(1)
            return False
        p.press("escape")
        return True

    def _once(self, key: str) -> bool:
        if key in self.visited:
            return False
        self.visited.add(key)
        return True

    def _play(self, top) -> bool:
        p = self.pilot
        snap = top.snap
        if snap.status != "choosing":
            p.settle()
            return True
        acts = {a.kind: a for a in snap.perception_actions if a.available}
        turn = snap.calendar.turn
        if turn >= 1 and self._once("pause"):
            p.press("escape")
            return True
        # perceive: the balcony most quarters, a story now and then, one one-to-one
        if "balcony" in acts and snap.balcony is None and self.rng.random() < 0.7:
            p.press("b")
            return True
        if "listen" in acts and not snap.insights and self.rng.random() < 0.4:
            p.press("l")
            return True
        if "one_to_one" in acts and self._once("one-to-one"):
            p.press("o")
            return True
        avail = [i for i, c in enumerate(snap.choices) if c.available]
        if not avail:
            self.app.quit(1)
            return False
        k = self.rng.choice(avail)
        p.press(str(k + 1))
        return True


ScreenRecorder.capture = Autoplayer.capture  # type: ignore[assignment]
