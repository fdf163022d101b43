"""Issue 12's items, each through the real command line: bad input gets a clear message and exit status 2."""
from __future__ import annotations

import copy
import json
import os
import time

import pytest

from .helpers import TRACEBACK, run_cli, starter


# --- item 8: FIFOs and other files that are not regular files ------------------------------------------

@pytest.fixture
def fifo(tmp_path):
    def make(name):
        path = tmp_path / name
        os.mkfifo(path)
        return path
    return make


def test_a_fifo_as_scenario_save_or_transcript_is_refused_without_opening_it(tmp_path, fifo):
    starter(tmp_path)
    for args in (["validate", fifo("pipe.yaml")], ["replay", fifo("pipe.json")],
                 ["play", "starter.yaml", "--text", "--load", fifo("save.json")]):
        r = run_cli(tmp_path, *args, timeout=15)
        assert not r.killed, f"{args} hung"
        assert r.clean_refusal(), (args, r)
        assert "named pipe" in r.text, r.text


def test_a_fifo_or_dev_stdin_as_an_include_is_refused(tmp_path, fifo):
    fifo("part.yaml")
    path = starter(tmp_path)
    text = path.read_text().replace("balcony: 1 ", "includes: [part.yaml, /dev/stdin]\nbalcony: 1 ", 1)
    path.write_text(text)
    r = run_cli(tmp_path, "validate", path, timeout=15, stdin_pipe=True)  # a pipe that never ends, as a terminal
    assert not r.killed and r.clean_refusal(), r
    assert "part.yaml:1:1: BAL007 error: this is a named pipe" in r.stdout
    assert "/dev/stdin:1:1: BAL007 error: this is a named pipe" in r.stdout
    r = run_cli(tmp_path, "check", path, timeout=15, stdin_pipe=True)
    assert not r.killed and r.clean_refusal() and "named pipe" in r.text, r


# --- item 9: a flood of tiny values is refused before it is built ---------------------------------------

def test_three_million_tiny_flow_items_are_refused_in_bounded_memory_naming_the_limit(tmp_path):
    path = tmp_path / "flood.yaml"
    path.write_bytes(b"a: [" + b",".join([b"1"] * 3_000_000) + b"]\n")
    r = run_cli(tmp_path, "validate", path, memory=200 * 1024 ** 2)  # past 200 MB it would be a MemoryError
    assert r.clean_refusal(), r
    assert "BAL005" in r.stdout and "more than 1,000,000 values" in r.stdout and "alias" not in r.stdout, r.stdout


# --- item 3: hand-edited saves are checked field by field -------------------------------------------

def good_save(tmp_path):
    """A save of the starter after a visit to the balcony (so that it holds readings)."""
    from engine import Run, load_scenario, write_save
    run = Run(load_scenario(starter(tmp_path)), 1)
    run.perceive("balcony")
    path = tmp_path / "good.json"
    write_save(path, run)
    return json.loads(path.read_text())


def _edit(data, edit):
    data = copy.deepcopy(data)
    edit(data)
    return data


def _ended_without_ending(d):
    d["state"]["status"] = "ended"
    d["state"]["ending"] = None


SAVE_EDITS = {
    "meter of 10^400": (lambda d: d["state"]["vals"].__setitem__("outcomes", 10 ** 400), "state.vals.outcomes"),
    "ended with ending null": (_ended_without_ending, "state.ending"),
    "balcony reading without trust": (lambda d: d["state"]["balcony"]["readings"][0].pop("trust"),
                                      "state.balcony.readings[0].trust"),
    "seed missing": (lambda d: d["state"].pop("seed"), "state.seed"),
    "turn huge": (lambda d: d["state"].__setitem__("turn", 10 ** 30), "state.turn"),
    "unknown event fired": (lambda d: d["state"].__setitem__("fired", ["nope"]), "state.fired[0]"),
    "change with a string value": (lambda d: d["history"].__setitem__("changes", [[0, "outcomes", "x", 1, "c"]]),
                                   "history.changes[0]"),
}


def test_hand_edited_saves_are_refused_naming_the_field(tmp_path):
    good = good_save(tmp_path)
    for name, (edit, field) in SAVE_EDITS.items():
        path = tmp_path / "edited.json"
        path.write_text(json.dumps(_edit(good, edit)))
        r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--no-autosave", "--load", path, input="1\n")
        assert r.clean_refusal(), (name, r)
        assert f"{field} " in r.stderr and "edited.json" in r.stderr, (name, r.stderr)
    path = tmp_path / "fine.json"
    path.write_text(json.dumps(good))
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--no-autosave", "--load", path, input="")
    assert r.returncode == 0, r


# --- item 6: what is typed in the terminal ------------------------------------------------------------

@pytest.mark.parametrize("typed", ["\u00b2", "1" * 5000, "o \u00b2", "\u0663", "99999999999999999999"])
def test_odd_numbers_typed_in_the_terminal_are_answered_not_crashed_on(tmp_path, typed):
    starter(tmp_path)
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--seed", "1", "--no-autosave", input=typed + "\nq\n")
    assert r.returncode == 0 and not TRACEBACK.search(r.text), r
    assert "not something you can do here" in r.stdout or "Whom?" in r.stdout or "There is no choice" in r.stdout


def test_closed_stdin_and_invalid_utf8_under_a_strict_locale_end_the_game_cleanly(tmp_path):
    starter(tmp_path)
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--seed", "1", "--no-autosave", close_stdin=True)
    assert r.returncode == 0 and "input ended" in r.stderr and not TRACEBACK.search(r.text), r
    r = run_cli(tmp_path, "play", "--text", close_stdin=True)  # the scenario chooser reads stdin too
    assert r.clean_refusal() and "no scenario chosen" in r.stderr, r
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--seed", "1", "--no-autosave",
                input=b"\xff\xfe\xc3\n1\n", env={"PYTHONIOENCODING": "utf-8:strict"})
    assert r.returncode == 0 and not TRACEBACK.search(r.text), r
    assert "\ufffd" in r.stdout and "not something you can do here" in r.stdout


# --- item 10: temporary files orphaned by a killed autosave ----------------------------------------------

def test_stale_temporary_files_are_removed_on_start_and_fresh_ones_kept(tmp_path):
    starter(tmp_path)
    saves = tmp_path / "data" / "saves"
    saves.mkdir(parents=True)
    stale = [saves / ".tmp-abc123.json", saves / "slot-1.meta.tmp", saves / "slot-1.tmp.png"]
    for p in stale:
        p.write_text("{")
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    fresh = saves / ".tmp-justnow.json"  # another Balcony may be writing it at this moment
    fresh.write_text("{")
    keep = saves / "autosave-other.json"
    keep.write_text("{}")
    os.utime(keep, (time.time() - 3600, time.time() - 3600))
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--seed", "1", input="1\n")
    assert r.returncode == 0, r
    assert not any(p.exists() for p in stale) and fresh.exists() and keep.exists()
    assert (saves / "autosave-starter.json").exists()


def test_a_save_killed_mid_write_is_still_whole(tmp_path):
    """SIGKILL at random moments while the terminal game autosaves: the autosave always reads back."""
    import random
    import signal
    import subprocess
    from engine import load_scenario, read_save
    from tests.engine.helpers import PYTHON, cli_env
    scenario = load_scenario(starter(tmp_path))
    rnd = random.Random(12)
    for _ in range(5):
        p = subprocess.Popen([PYTHON, "-m", "game", "play", "starter.yaml", "--text", "--seed", "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=cli_env(tmp_path), cwd=tmp_path)
        p.stdin.write(b"1\n" * 40)
        p.stdin.flush()
        time.sleep(0.3 + rnd.random() * 0.4)
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdin.close()
        save = tmp_path / "data" / "saves" / "autosave-starter.json"
        if save.exists():
            read_save(save, scenario)


def test_every_save_of_real_play_passes_the_field_checks():
    """The checks refuse only damage: saves taken at every step of random play of each shipped scenario load."""
    import glob
    import random
    from engine import Run, load_scenario
    from engine.saves import check_save_header
    from tests.engine.helpers import REPO
    for f in sorted(glob.glob(str(REPO / "scenarios" / "*.yaml"))):
        sc = load_scenario(f)
        rnd, run = random.Random(f), Run(sc, 7)
        while True:
            check_save_header(sc, json.loads(json.dumps(run.to_save())))
            if run.status == "ended":
                break
            if run.status == "outcome":
                run.advance()
            elif rnd.random() < 0.3:
                kind = rnd.choice(["balcony", "listen", "one_to_one"])
                try:
                    run.perceive(kind, rnd.choice(list(sc.stakeholders)) if kind == "one_to_one" else None)
                except Exception:  # no attention left, or the balcony already visited
                    pass
            else:
                run.choose(rnd.choice(run.available_indices()))


# --- item 1: a missing or misspelt corner of the triangle that an ending uses ------------------------------

SCENARIO_COMMANDS = (["validate"], ["play", "--text", "--seed", "1"])  # test_matrix.py runs every command on both


def test_a_missing_or_misspelt_triangle_key_is_a_diagnostic_in_every_command(tmp_path):
    text = starter(tmp_path).read_text()
    assert "\n  public_value: " in text and "public_value >= " in text  # an ending's `if` uses it
    (tmp_path / "missing.yaml").write_text(text.replace("\n  public_value: ", "\n  # public_value: "))
    (tmp_path / "misspelt.yaml").write_text(text.replace("\n  capacity: ", "\n  capacit: "))
    for command in SCENARIO_COMMANDS:
        for name, needles in (("missing.yaml", ["BAL021", "the triangle does not define public_value"]),
                              ("misspelt.yaml", ["unknown key 'capacit' in triangle: did you mean 'capacity'?",
                                                 "the triangle does not define capacity"])):
            r = run_cli(tmp_path, command[0], name, *command[1:], input="")
            assert r.clean_refusal(), (command, name, r)
            assert all(n in r.text for n in needles), (command, name, r.text)


# --- item 4: transcripts checked against their published schema --------------------------------------------

def _played_transcript(tmp_path):
    starter(tmp_path)
    path = tmp_path / "run.json"
    r = run_cli(tmp_path, "play", "starter.yaml", "--text", "--seed", "3", "--no-autosave", "--transcript", path,
                input="b\n1\n1\n1\n1\n1\n1\n1\n1\n")
    assert r.returncode == 0, r
    return json.loads(path.read_text())


def test_wrongly_typed_transcript_fields_are_refused_naming_the_field(tmp_path):
    t = _played_transcript(tmp_path)
    cases = {
        "actions[0].perceive": lambda t: t["actions"].__setitem__(0, {"perceive": ["balcony"]}),
        "actions[0].who": lambda t: t["actions"].__setitem__(0, {"perceive": "one_to_one", "who": ["x"]}),
        "actions[0].start_at": lambda t: t["actions"].insert(0, {"start_at": ["x"], "set": {}}),
        "actions[0].set.outcomes": lambda t: t["actions"].insert(0, {"start_at": None, "set": {"outcomes": "abc"}}),
    }
    for field, edit in cases.items():
        path = tmp_path / "edited.json"
        path.write_text(json.dumps(_edit(t, edit)))
        r = run_cli(tmp_path, "replay", path)
        assert r.clean_refusal(), (field, r)
        assert f"edited.json: the transcript's {field} is " in r.stderr and "transcript.schema.json" in r.stderr, r.stderr


def test_the_published_transcript_schema_is_the_one_replay_uses_and_real_transcripts_follow_it(tmp_path):
    import jsonschema
    from engine.transcript_schema import TRANSCRIPT_SCHEMA
    from tests.engine.helpers import REPO
    published = json.loads((REPO / "docs" / "transcript.schema.json").read_text())
    assert published == TRANSCRIPT_SCHEMA, "docs/transcript.schema.json is stale: write it from engine/transcript_schema.py"
    jsonschema.validate(_played_transcript(tmp_path), published)


# --- item 5: replay names the first action where the runs part ----------------------------------------------

def test_replay_names_the_first_divergence_and_the_values_that_differ(tmp_path):
    t = _played_transcript(tmp_path)
    assert len(t["checkpoints"]) == len(t["actions"]) and all(len(c["digest"]) == 12 for c in t["checkpoints"])
    path = tmp_path / "edited.json"
    swapped = _edit(t, lambda t: None)
    i = max(i for i, a in enumerate(swapped["actions"]) if a.get("choose") == 0)
    swapped["actions"][i] = {"choose": 1}  # another valid choice (the starter's scenes offer two or more)
    path.write_text(json.dumps(swapped))
    r = run_cli(tmp_path, "replay", path, "--scenario", "starter.yaml")
    assert r.returncode == 1 and not TRACEBACK.search(r.text), r
    assert f"the run parts from the transcript at action {i + 1} (choose 1" in r.stdout, r.stdout
    assert " in this run but " in r.stdout and " in the transcript" in r.stdout
    path.write_text(json.dumps(_edit(t, lambda t: t.__setitem__("seed", t["seed"] + 1))))
    r = run_cli(tmp_path, "replay", path, "--scenario", "starter.yaml")
    assert r.returncode == 1 and "the run parts from the transcript at action 1 (perceive balcony" in r.stdout, r
    old = _edit(t, lambda t: t.pop("checkpoints"))  # a transcript from before checkpoints still replays
    path.write_text(json.dumps(old))
    r = run_cli(tmp_path, "replay", path, "--scenario", "starter.yaml")
    assert r.returncode == 0 and "replays exactly" in r.stdout, r


# --- item 7: settings files that must not stop the window ---------------------------------------------------

SETTINGS = {
    "infinity": b'{"window_size": [Infinity, 720]}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep nesting within the size cap": b"[" * 30_000 + b"]" * 30_000,
    "huge window": b'{"window_size": [100000, 100000], "font": 3}',
    "symlink to /dev/zero": None,
    "huge file": b'{"x": "' + b"y" * 200_000 + b'"}',
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_bad_settings_file_gives_a_notice_and_the_window_starts(tmp_path, name):
    starter(tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    path = config / "settings.json"
    if SETTINGS[name] is None:
        path.symlink_to("/dev/zero")
    else:
        path.write_bytes(SETTINGS[name])
    r = run_cli(tmp_path, "play", "starter.yaml", "--autoplay", "--seed", "1", memory=300 * 1024 ** 2, timeout=60,
                env={"SDL_AUDIODRIVER": "dummy"})  # a 100000 x 100000 window took 436 MB
    assert r.returncode == 0 and not TRACEBACK.search(r.text), r
    notices = [ln for ln in r.stderr.splitlines() if "settings.json" in ln]
    assert len(notices) == 1 and "default" in notices[0], r.stderr
