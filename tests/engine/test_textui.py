"""The terminal front end, scripted through a pipe as a player would: `printf '1\\n2\\n' | balcony play
scenarios/tutorial.yaml --text --seed 3`. User files go to a temporary BALCONY_DATA_DIR."""
from __future__ import annotations

import json

import pytest

from engine import Run
from engine.replay import apply_action

from .helpers import PLAYTHROUGHS, TUTORIAL, balcony

LONG_GAME = json.loads((PLAYTHROUGHS / "tutorial-long-game.json").read_text())


def script_for(plan, scenario):
    """Turn transcript actions into the lines a player would type (1-based positions in the shown list)."""
    run = Run(scenario, plan["seed"])
    lines = []
    for action in plan["actions"]:
        if run.status == "outcome":
            run.advance()
        snap = run.snapshot()
        if "choose" in action:
            shown = [c.index for c in snap.choices]
            lines.append(str(shown.index(action["choose"]) + 1))
        elif action["perceive"] == "one_to_one":
            lines.append(f"o {[s.id for s in snap.dance_floor].index(action['who']) + 1}")
        else:
            lines.append({"balcony": "b", "listen": "l"}[action["perceive"]])
        apply_action(run, action)
    return "\n".join(lines) + "\n"


def test_end_of_input_stops_cleanly(tmp_path):
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "3", input="1\n2\n")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "input ended" in r.stderr
    assert "1. Go and see the Director." in r.stdout
    assert "> " not in r.stdout and "──" not in r.stdout       # no prompts or rules through a pipe
    save = tmp_path / "data" / "saves" / "autosave-tutorial.json"
    assert json.loads(save.read_text())["actions"] == [{"choose": 0}, {"choose": 1}]


def test_empty_input_and_nonsense_lines(tmp_path):
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "1", input="")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "1", "--no-autosave",
                input="\nxyzzy\n99\no\no 42\n?\nr\n")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "is not something you can do here" in r.stdout and "There is no choice 99" in r.stdout
    assert "Whom?" in r.stdout and "go to the balcony" in r.stdout
    assert not (tmp_path / "data" / "saves" / "autosave-tutorial.json").exists()


def test_perception_commands(tmp_path):
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "2", input="b\nb\nl\nl\n")
    assert r.returncode == 0
    assert "[From the balcony]" in r.stdout and "in shadow" in r.stdout
    assert "already been to the balcony" in r.stdout
    assert "not enough attention" in r.stdout.lower() or "No attention" in r.stdout


def test_a_full_scripted_run_writes_a_transcript_that_replays(tmp_path, tutorial):
    out = tmp_path / "run.json"
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", str(LONG_GAME["seed"]), "--transcript", out,
                input=script_for(LONG_GAME, tutorial))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "input ended" not in r.stderr
    assert "[The end]" in r.stdout and "The long game" in r.stdout and "[Debrief]" in r.stdout
    t = json.loads(out.read_text())
    assert t["ending"] == LONG_GAME["ending"] == "long_game"
    assert t["actions"] == LONG_GAME["actions"]
    for k, v in LONG_GAME["values"].items():
        assert t["final_state"][k] == pytest.approx(v)
    assert {"scenario", "version", "seed"} <= set(t)

    r = balcony(tmp_path, "replay", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "replays exactly" in r.stdout

    t["final_state"]["outcomes"] += 5
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(t))
    r = balcony(tmp_path, "replay", edited)
    assert r.returncode == 1 and "'outcomes'" in r.stdout and "Traceback" not in r.stderr

    t = json.loads(out.read_text())
    t["actions"][2] = {"choose": 7}
    edited.write_text(json.dumps(t))
    r = balcony(tmp_path, "replay", edited, "--json")
    assert r.returncode == 1
    assert json.loads(r.stdout)["step"] == 2


def test_transcript_of_an_unfinished_run_replays(tmp_path):
    out = tmp_path / "part.json"
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "3", "--transcript", out, input="1\n2\n")
    assert r.returncode == 0
    t = json.loads(out.read_text())
    assert t["ending"] is None and t["actions"] == [{"choose": 0}, {"choose": 1}] and t["final_state"]
    assert balcony(tmp_path, "replay", out).returncode == 0


def test_replay_of_bad_files_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    for content in ("not json", "[]", '{"scenario": "tutorial"}', '{"scenario": "nowhere", "seed": 1, "version": "1", "actions": []}'):
        bad.write_text(content)
        r = balcony(tmp_path, "replay", bad)
        assert r.returncode == 2 and "Traceback" not in r.stderr, (content, r.stderr)


def test_continue_resumes_the_autosave(tmp_path):
    balcony(tmp_path, "play", TUTORIAL, "--text", "--seed", "3", input="1\n")
    out = tmp_path / "t.json"
    r = balcony(tmp_path, "play", TUTORIAL, "--text", "--continue", "--transcript", out, input="2\n")
    assert r.returncode == 0, r.stderr
    t = json.loads(out.read_text())
    assert t["seed"] == 3 and t["actions"] == [{"choose": 0}, {"choose": 1}]


def test_a_broken_scenario_is_reported_not_played(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("balcony: 1\n")
    r = balcony(tmp_path, "play", bad, "--text", input="1\n")
    assert r.returncode == 2 and "BAL013" in r.stderr and "Traceback" not in r.stderr


def test_the_balcony_console_script(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from .helpers import cli_env
    script = Path(sys.executable).parent / "balcony"
    if not script.exists():
        pytest.skip("the balcony console script is not installed beside this Python")
    r = subprocess.run([str(script), "play", str(TUTORIAL), "--text", "--seed", "3"], input="1\n2\n",
                       capture_output=True, text=True, env=cli_env(tmp_path), timeout=60)
    assert r.returncode == 0 and "Go and see the Director." in r.stdout and "Traceback" not in r.stderr
