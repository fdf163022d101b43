"""Plain helpers for the engine tests: a minimal valid scenario with overrides, positions, the CLI.

`merge(BASE, overrides)` deep-merges (mappings merge key by key, lists and scalars
replace, DELETE removes a key). `line_of(path, needle)` gives the 1-based line where
`needle` first appears, so diagnostics tests assert positions without counting lines.
"""
from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "scenarios" / "tutorial.yaml"
PLAYTHROUGHS = REPO / "tests" / "playthroughs"
PYTHON = sys.executable

DELETE = object()

BASE = {
    "balcony": 1,
    "id": "mini",
    "title": "Mini",
    "version": "1",
    "summary": "A test scenario.",
    "setting": {"place": "Testville", "years": [2010, 2011]},
    "role": "Tester",
    "start": "start",
    "calendar": {"start": "2010-Q1"},
    "event_chance": 0,
    "meters": {
        "outcomes": {"range": [0, 100], "start": 50},
    },
    "stakeholders": [
        {"id": "alice", "name": "Alice", "role": "Chief", "agency": "Council", "local_budget": True,
         "trust": 50, "support": 60, "commitment": 40},
        {"id": "bob", "name": "Bob", "role": "Inspector", "agency": "Police", "local_budget": False,
         "trust": 30, "support": 70, "commitment": 20},
    ],
    "phases": [{"id": "one", "name": "Phase one"}],
    "scenes": {
        "start": {"speaker": "narrator", "text": "Hello.", "choices": [{"text": "Go", "goto": "end"}]},
    },
    "triangle": {"public_value": "outcomes", "legitimacy": "outcomes", "capacity": "outcomes"},
    "endings": [{"id": "fallback", "title": "Fallback", "quality": "mixed", "fallback": True, "text": "The end."}],
}


def merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        if v is DELETE:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, width=10_000, allow_unicode=True, default_flow_style=None)


def line_of(path, needle, nth=1, whole=False) -> int:
    """1-based line of the nth line containing `needle` (or, with whole=True, equal to it once stripped)."""
    seen = 0
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if (line.strip() == needle.strip()) if whole else (needle in line):
            seen += 1
            if seen == nth:
                return i
    raise AssertionError(f"{needle!r} not found in {path}")


def codes(diags):
    return [d.code for d in diags]


def only(diags, code):
    """The diagnostics with `code`; fails (showing all of them) if there are none."""
    found = [d for d in diags if d.code == code]
    assert found, f"no {code} among {[d.format() for d in diags]}"
    return found


def cli_env(tmp_path, **extra):
    """Environment for running the CLI: user files under tmp_path, no display."""
    env = dict(os.environ)
    env["BALCONY_DATA_DIR"] = str(tmp_path / "data")
    env["BALCONY_CONFIG_DIR"] = str(tmp_path / "config")
    env["SDL_VIDEODRIVER"] = "dummy"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def balcony(tmp_path, *args, input=None, timeout=60, preexec_fn=None, cwd=None):
    """Run `python -m game ARGS` in a subprocess; returns CompletedProcess (text mode)."""
    return subprocess.run([PYTHON, "-m", "game", *map(str, args)], input=input, capture_output=True, text=True,
                          env=cli_env(tmp_path), timeout=timeout, preexec_fn=preexec_fn, cwd=cwd or REPO)


def play_all(run, pick=lambda run, snap: snap.available_choices[0].index, limit=500):
    """Drive a run to its end with `pick` choosing; returns the final snapshot."""
    for _ in range(limit):
        snap = run.snapshot()
        if snap.status == "ended":
            return snap
        if snap.status == "outcome":
            run.advance()
        else:
            run.choose(pick(run, snap))
    raise AssertionError("the run did not end")
