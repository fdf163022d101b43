"""What a player waits for, and what an idle window costs.

* idle: the window open on a screen with nothing moving, waiting for input;
  the CPU time the process uses per second of wall time (per cent of one
  core), on the title screen and on the play screen (the in-memory twin), with
  the shipped wait (SDL_WaitEventTimeout: blocks on the display connection)
  and with pygame's ``event.wait`` (polls every millisecond), for comparison.
* start-up: the real command, ``balcony play``, from the moment it is started
  to the first frame on the display (the app reports the wall-clock time just
  after its first ``display.flip`` when ``BALCONY_FIRST_FRAME_FILE`` is set,
  then quits). Best and median of N runs.

Run it under a real X server: with no ``$DISPLAY`` it starts ``Xvfb :97`` if
Xvfb is installed, otherwise it falls back to the dummy video driver (whose
event wait polls: the idle figure is then not what a player's machine does).

Usage: python bench/window_wait.py [--seconds S] [--runs N] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IDLE = """
import resource, sys, time
sys.path.insert(0, {root!r})
import pygame
from pathlib import Path
from dataclasses import replace
from game.window.app import App
from game.window.pilot import Pilot
from game.window.saves import SaveStore
from game.window.screens import TitleScreen
from game.window.settings import Settings, SettingsStore
from game.window.tts import Speaker
from game.window.twin import TwinBackend
tmp = Path({tmp!r})
store = SettingsStore(tmp / "cfg"); store.save(replace(Settings(), reduced_motion=True))
backend = TwinBackend()
app = App(backend, settings_store=store, save_store=SaveStore(backend, tmp / "saves"), speaker=Speaker(command=""))
app.push(TitleScreen(app), transition=False)
p = Pilot(app); p.settle()
if {screen!r} == "play":
    p.focus("new"); p.press("return"); p.press("return"); p.focus("begin"); p.press("return")
    assert app.top.name == "play", app.top.name
app.toast_text = ""
p.settle()
pygame.event.clear()
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
frames = app.frames
pygame.time.set_timer(pygame.QUIT, int({seconds} * 1000), loops=1)
c0, t0 = cpu(), time.perf_counter()
app.run()
c1, t1 = cpu(), time.perf_counter()
print((c1 - c0) / (t1 - t0) * 100, app.frames - frames)
"""


def ensure_display() -> tuple[str, subprocess.Popen | None]:
    """A display to measure on: $DISPLAY, else a private Xvfb, else the dummy driver."""
    if os.environ.get("DISPLAY"):
        return "x11 " + os.environ["DISPLAY"], None
    if shutil.which("Xvfb"):
        proc = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.8)
        os.environ["DISPLAY"] = ":97"
        return "Xvfb :97", proc
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    return "dummy driver", None


def env_for(tmp: str, **extra: str) -> dict:
    env = dict(os.environ, BALCONY_CONFIG_DIR=tmp, BALCONY_DATA_DIR=tmp, SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1")
    env.update(extra)
    return env


def idle(screen: str, seconds: float, polling: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        code = IDLE.format(root=str(ROOT), tmp=tmp, screen=screen, seconds=seconds)
        extra = {"BALCONY_POLLING_WAIT": "1"} if polling else {}
        r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env_for(tmp, **extra),
                           capture_output=True, text=True, timeout=seconds + 60)
        if r.returncode:
            raise SystemExit(r.stderr)
        pct, frames = r.stdout.split()[-2:]
        return float(pct), int(frames)


def startup(runs: int) -> list[float]:
    exe = Path(sys.executable).with_name("balcony")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "game"]
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            mark = Path(tmp) / "first-frame"
            t0 = time.time()
            subprocess.run(cmd + ["play"], env=env_for(tmp, BALCONY_FIRST_FRAME_FILE=str(mark)), cwd=ROOT,
                           capture_output=True, timeout=60, check=True)
            out.append((float(mark.read_text()) - t0) * 1000)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    where, xvfb = ensure_display()
    try:
        res: dict = {"display": where, "idle_seconds": args.seconds}
        for screen in ("title", "play"):
            for polling in (False, True):
                pct, frames = idle(screen, args.seconds, polling)
                res[f"idle_{screen}_{'polling' if polling else 'blocking'}_pct"] = round(pct, 3)
                res[f"idle_{screen}_{'polling' if polling else 'blocking'}_frames"] = frames
        times = startup(args.runs)
        res["startup_ms"] = {"best": round(min(times)), "median": round(statistics.median(times)),
                             "worst": round(max(times)), "runs": len(times)}
    finally:
        if xvfb is not None:
            xvfb.terminate()
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"display: {where}")
        for screen in ("title", "play"):
            print(f"  idle on {screen:5}: {res[f'idle_{screen}_blocking_pct']:.2f} % of a core "
                  f"(pygame event.wait polling: {res[f'idle_{screen}_polling_pct']:.2f} %), "
                  f"{res[f'idle_{screen}_blocking_frames']} frames drawn in {args.seconds:g} s")
        s = res["startup_ms"]
        print(f"  start-up, `balcony play` to the first frame: best {s['best']} ms, median {s['median']} ms, "
              f"worst {s['worst']} ms ({s['runs']} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
