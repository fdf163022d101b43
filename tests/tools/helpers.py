"""Small inline scenarios for the authoring-tool tests, each built to have (or not have) a known defect.

`doc(**overrides)` returns a minimal valid scenario as a dict (top-level keys replaced by the overrides);
`write(tmp_path, d)` writes it as YAML and returns the path.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"

BASE = {
    "balcony": 1, "id": "mini", "title": "Mini", "version": "1", "summary": "A test scenario.",
    "setting": {"place": "Testville", "years": [2010, 2011]}, "role": "Tester",
    "start": "start", "calendar": {"start": "2010-Q1", "end": "2010-Q4"}, "event_chance": 0,
    "meters": {
        "outcomes": {"range": [0, 100], "start": 20},
        "political": {"range": [0, 100], "start": 50, "visible": True},
    },
    "flags": {"deal": False},
    "stakeholders": [
        {"id": "alice", "name": "Alice", "role": "Chief", "agency": "Council", "local_budget": True,
         "trust": 50, "support": 60, "commitment": 40},
        {"id": "bob", "name": "Bob", "role": "Inspector", "agency": "Police", "local_budget": False,
         "trust": 40, "support": 70, "commitment": 20},
    ],
    "phases": [{"id": "one", "name": "One"}],
    "scenes": {
        "start": {"speaker": "narrator", "text": "It begins.", "quarters": 0, "choices": [
            {"text": "Share power.", "tags": ["cede_power", "distributed"],
             "effects": [{"add": {"outcomes": 10, "political": -5}}], "goto": "middle"},
            {"text": "Take charge.", "tags": ["hold_power", "hero"],
             "effects": [{"add": {"political": 10, "outcomes": -5}}], "goto": "middle"},
        ]},
        "middle": {"speaker": "alice", "text": "Alice waits.", "choices": [
            {"text": "Listen.", "tags": ["listen", "face_conflict"], "effects": [{"add": {"outcomes": 5}}],
             "goto": "end"},
            {"text": "Press on.", "tags": ["avoid_conflict"], "effects": [{"add": {"political": 5}}],
             "goto": "end"},
        ]},
    },
    "triangle": {"public_value": "outcomes", "legitimacy": "political", "capacity": "mean(all.trust)"},
    "endings": [
        {"id": "good", "title": "Good", "quality": "good", "priority": 10, "if": "outcomes >= 30", "text": "Well done."},
        {"id": "meh", "title": "Meh", "quality": "mixed", "fallback": True, "text": "So so."},
    ],
}


def doc(**overrides) -> dict:
    d = copy.deepcopy(BASE)
    for k, v in overrides.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def scenes(**extra) -> dict:
    """BASE's scenes, with some replaced or added."""
    s = copy.deepcopy(BASE["scenes"])
    s.update(extra)
    return s


def write(tmp_path, d: dict, name: str = "mini.yaml") -> Path:
    p = Path(tmp_path) / name
    p.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def line_of(path, needle: str) -> int:
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


def cli(capsys, *argv):
    """Run `balcony ARGV...` in this process; returns (exit status, stdout, stderr)."""
    from game.cli import main
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own exits (--help, bad usage)
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, *argv):
    code, out, err = cli(capsys, *argv, "--json")
    return code, json.loads(out), err


class Script:
    """Terminal input for TextUI: input lines, with an edit made to the scenario just before a given line is read."""

    def __init__(self, lines, edits):
        self.lines, self.edits, self.n = list(lines), dict(edits), 0

    def readline(self):
        self.n += 1
        if self.n in self.edits:
            self.edits[self.n]()
        return self.lines.pop(0) + "\n" if self.lines else ""

    def isatty(self):
        return False
