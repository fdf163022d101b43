"""The malformed-input suite: every command on every bad input, through the real command line.

Each run is a separate `python -m game` process with its address space capped (resource.setrlimit in a
preexec_fn, 1 GB) and its time limited (killed after 30 s of wall time or of CPU), so that a hang or a
runaway fails the test instead of stopping the suite. Every bad input must get a clear message and exit
status 2: no traceback, no hang, no runaway. docs/bad-input.md says what Balcony promises and lists these.
"""
from __future__ import annotations

import json
import os

import pytest

from .helpers import TRACEBACK, run_cli, starter

#: Every command that reads a scenario, and how to call it on FILE.
SCENARIO_COMMANDS = {
    "validate": ["validate", "FILE"],
    "play --text": ["play", "FILE", "--text", "--seed", "1", "--no-autosave"],
    "check": ["check", "FILE", "--runs", "5"],
    "explore": ["explore", "FILE"],
    "graph": ["graph", "FILE", "-o", "graph.svg"],
    "stats": ["stats", "FILE", "--runs", "5"],
    "simulate": ["simulate", "FILE", "--runs", "5"],
}


def _starter_edit(old, new):
    def make(folder):
        text = (folder / "starter.yaml").read_text()
        assert old in text, old
        return text.replace(old, new, 1)
    return make


#: name -> (content: bytes, or a function of the folder giving text; or a special kind), run options
SCENARIOS = {
    "fifo": ("fifo", {}),
    "/dev/stdin include": (_starter_edit("\nbalcony: 1 ", "\nincludes: [/dev/stdin]\nbalcony: 1 "), {"stdin_pipe": True}),
    "fifo include": (_starter_edit("\nbalcony: 1 ", "\nincludes: [pipe.yaml]\nbalcony: 1 "), {}),
    "symlink to /dev/zero": ("zero", {}),
    "a folder": ("folder", {}),
    "missing triangle key": (_starter_edit("\n  public_value: ", "\n  # public_value: "), {}),
    "misspelt triangle key": (_starter_edit("\n  capacity: ", "\n  capacit: "), {}),
    "a million tiny items": (b"a: [" + b",".join([b"1"] * 1_000_001) + b"]\n", {}),
    "alias bomb": ('a: &a ["x","x","x","x","x","x","x","x","x"]\n'.encode() + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi")).encode(), {}),
    "binary": (bytes(range(256)) * 4, {}),
    "deep nesting": (b"a: " + b"[" * 50_000 + b"]" * 50_000 + b"\n", {}),
    "python tag": (b"balcony: 1\nid: !!python/object/apply:os.system ['touch PWNED']\n", {}),
    # issue 12 item 2 and its note, which the expression language's own tests cover in depth
    "a number beyond float range": (_starter_edit('if: "public_value >= 12', 'if: "round(1' + "0" * 309 + ') > 0 and public_value >= 12'), {}),
    "Arabic-Indic digits": (_starter_edit('if: "public_value >= 12', 'if: "public_value >= \u0661\u0662'), {}),
    "expression injection": (_starter_edit('if: "public_value >= 12', 'if: "__import__(\'os\').system(\'touch PWNED\') or public_value >= 12'), {}),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    starter(d)
    os.mkfifo(d / "pipe.yaml")
    return d


def _scenario_file(folder, name):
    content, _ = SCENARIOS[name]
    path = folder / (name.replace(" ", "-").replace("/", "") + ".yaml")
    if content == "fifo":
        if not path.exists():
            os.mkfifo(path)
    elif content == "zero":
        if not path.exists():
            path.symlink_to("/dev/zero")
    elif content == "folder":
        path.mkdir(exist_ok=True)
    elif callable(content):
        path.write_text(content(folder))
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_command_refuses_a_bad_scenario_cleanly(folder, name):
    path = _scenario_file(folder, name)
    failures = []
    for command, args in SCENARIO_COMMANDS.items():
        r = run_cli(folder, *[str(path) if a == "FILE" else a for a in args], input="", **SCENARIOS[name][1])
        if r.killed or not r.clean_refusal() or "BAL0" not in r.text:
            failures.append(f"{command}: exit {r.returncode}{' (killed)' if r.killed else ''}: {r.text[-300:]}")
    assert not failures, "\n".join(failures)
    assert not (folder / "PWNED").exists()


# --- transcripts: balcony replay --------------------------------------------------------------------

def _transcript(folder):
    """A real transcript of the starter, played through the command."""
    path = folder / "good-transcript.json"
    if not path.exists():
        r = run_cli(folder, "play", "starter.yaml", "--text", "--seed", "3", "--no-autosave", "--transcript", path,
                    input="b\n1\n1\n1\n1\n1\n1\n1\n1\n")
        assert r.returncode == 0 and path.exists(), r
    return json.loads(path.read_text())


TRANSCRIPTS = {
    "fifo": None,
    "not json": b"{\"scenario\": ",
    "perceive a list": lambda t: t["actions"].__setitem__(0, {"perceive": ["balcony"]}),
    "who a list": lambda t: t["actions"].__setitem__(0, {"perceive": "one_to_one", "who": ["x"]}),
    "start_at a list": lambda t: t["actions"].insert(0, {"start_at": ["x"], "set": {}}),
    "set outcomes text": lambda t: t["actions"].insert(0, {"start_at": None, "set": {"outcomes": "abc"}}),
    "seed 10^400": lambda t: t.__setitem__("seed", 10 ** 400),
    "NaN": b'{"scenario": "starter", "version": "0.1", "seed": NaN, "actions": []}',
    "actions a mapping": lambda t: t.__setitem__("actions", {"choose": 1}),
}


def _write_bad(path, kind, good):
    """Write one bad input at `path`: a FIFO (kind None), raw bytes, or a good document (`good()`) that
    `kind` spoils in place (written as Python's json writes it: Infinity and NaN as JSON's non-standard
    words). Returns the path."""
    if kind is None:
        os.mkfifo(path)
    elif isinstance(kind, bytes):
        path.write_bytes(kind)
    else:
        d = good()
        kind(d)
        path.write_text(json.dumps(d))
    return path


@pytest.mark.parametrize("name", list(TRANSCRIPTS))
def test_replay_refuses_a_bad_transcript_cleanly(folder, name):
    path = _write_bad(folder / f"transcript-{name.replace(' ', '-')}.json", TRANSCRIPTS[name],
                      lambda: _transcript(folder))
    r = run_cli(folder, "replay", path, "--scenario", "starter.yaml")
    assert not r.killed and r.clean_refusal(), r


# --- saves: balcony play --load ----------------------------------------------------------------------

def _save(folder):
    from engine import Run, load_scenario, write_save
    run = Run(load_scenario(folder / "starter.yaml"), 1)
    run.perceive("balcony")
    path = folder / "good-save.json"
    write_save(path, run)
    return json.loads(path.read_text())


def _ended(d):
    d["state"].update(status="ended", ending=None)


SAVES = {
    "fifo": None,
    "not json": b"\x00\x01",
    "meter 10^400": lambda d: d["state"]["vals"].__setitem__("outcomes", 10 ** 400),
    "ended with ending null": _ended,
    "reading without trust": lambda d: d["state"]["balcony"]["readings"][0].pop("trust"),
    "Infinity": lambda d: d["state"]["vals"].__setitem__("outcomes", float("inf")),
    "unknown scene": lambda d: d["state"].__setitem__("scene", "nowhere"),
    "another scenario": lambda d: d.__setitem__("scenario", "tutorial"),
}


@pytest.mark.parametrize("name", list(SAVES))
def test_play_load_refuses_a_bad_save_cleanly(folder, name):
    path = _write_bad(folder / f"save-{name.replace(' ', '-')}.json", SAVES[name], lambda: _save(folder))
    r = run_cli(folder, "play", "starter.yaml", "--text", "--no-autosave", "--load", path, input="1\n")
    assert not r.killed and r.clean_refusal(), r


# --- what is typed: balcony play --text ------------------------------------------------------------------

TYPED = {
    "superscript two": "\u00b2\n",
    "5,000 digits": "1" * 5000 + "\n",
    "o superscript two": "o \u00b2\n",
    "Arabic-Indic digit": "\u0663\n",
    "a megabyte line": "x" * 1_000_000 + "\n",
    "invalid UTF-8": b"\xff\xfe\xc3\n",
    "closed stdin": None,
}


@pytest.mark.parametrize("name", list(TYPED))
def test_play_text_takes_any_typing_without_a_traceback(folder, name):
    typed = TYPED[name]
    r = run_cli(folder, "play", "starter.yaml", "--text", "--seed", "1", "--no-autosave", input=typed,
                close_stdin=typed is None, env={"PYTHONIOENCODING": "utf-8:strict"})
    assert not r.killed and r.returncode == 0 and not TRACEBACK.search(r.text), r
