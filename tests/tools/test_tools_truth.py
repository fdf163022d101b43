"""The tools keep their word (issue 9, "The tools"): check plays as many runs as the scenario says its
invariants need; includes may hold any section the main file requires; --watch follows included files;
includes have their own schema; replay says when the scenario changed since the recording."""
from __future__ import annotations

import io
import json
import os

import jsonschema
import yaml

from engine import load_scenario
from engine.schema import include_json_schema, json_schema
from game.textui import TextUI

from .helpers import REPO, Script, cli, cli_json, doc, write

CEDING = [{"id": "ceding_pays", "left": {"runs": "tags.cede_power >= 1 and outcomes >= 35", "measure": "outcomes"},
           "op": ">", "right": {"runs": "tags.cede_power == 0", "measure": "outcomes"}}]


def test_check_plays_the_runs_the_scenario_asks_for(tmp_path, capsys):
    few = write(tmp_path, doc(invariants=CEDING, check={"runs": 8}), "few.yaml")
    code, out, _ = cli(capsys, "check", few, "--no-explore", "--out", tmp_path / "out")
    assert code == 1 and "8 runs per persona" in out and "inconclusive" in out
    enough = write(tmp_path, doc(invariants=CEDING, check={"runs": 80}), "enough.yaml")
    code, out, _ = cli(capsys, "check", enough, "--no-explore", "--out", tmp_path / "out")
    assert code == 0 and "80 runs per persona" in out and "check: all well" in out
    code, out, _ = cli(capsys, "check", few, "--no-explore", "--runs", "80", "--out", tmp_path / "out")
    assert code == 0 and "80 runs per persona" in out          # --runs still overrides
    code, out, err = cli(capsys, "validate", write(tmp_path, doc(check={"runs": "many"}), "bad.yaml"))
    assert code == 2 and "BAL0" in out + err


def test_the_shipped_scenarios_that_need_more_runs_say_so():
    for name in ("total-place", "integrated-care"):
        assert load_scenario(REPO / "scenarios" / f"{name}.yaml").check_runs == 2000


def included(tmp_path, moved=("stakeholders",)):
    """The mini scenario with some sections moved to an included file."""
    main = doc()
    part = {k: main.pop(k) for k in moved}
    main["includes"] = ["cast.yaml"]
    (tmp_path / "cast.yaml").write_text("# yaml-language-server: $schema=include.schema.json\n"
                                        + yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
    return write(tmp_path, main), tmp_path / "cast.yaml"


def test_stakeholders_may_live_only_in_an_included_file(tmp_path, capsys):
    path, _ = included(tmp_path)
    code, out, err = cli(capsys, "validate", path)
    assert code == 0, out + err
    assert set(load_scenario(path).stakeholders) == {"alice", "bob"}
    path, _ = included(tmp_path, ("stakeholders", "scenes", "endings", "meters"))
    assert load_scenario(path).start == "start"
    # still required somewhere: a scenario with no stakeholders at all says so
    main = doc()
    main.pop("stakeholders")
    code, out, err = cli(capsys, "validate", write(tmp_path, main, "none.yaml"))
    assert code == 2 and "needs the key 'stakeholders'" in out + err


def test_includes_have_their_own_schema(tmp_path, capsys):
    path, cast = included(tmp_path, ("stakeholders", "scenes"))
    part = yaml.safe_load(cast.read_text())
    jsonschema.validate(part, include_json_schema())
    jsonschema.validate(yaml.safe_load(path.read_text()), json_schema())   # the main file, with includes
    jsonschema.validate(yaml.safe_load((REPO / "scenarios" / "common" / "tutorial-events.yaml").read_text()),
                        include_json_schema())
    try:
        jsonschema.validate({**part, "title": "x"}, include_json_schema())
        raise AssertionError("an include may not hold a title")
    except jsonschema.ValidationError:
        pass
    code, out, _ = cli(capsys, "schema", "--include")
    assert code == 0 and json.loads(out) == include_json_schema()
    assert json.loads((REPO / "docs" / "include.schema.json").read_text()) == include_json_schema(), \
        "docs/include.schema.json is stale: run balcony schema --include -o docs/include.schema.json"


def test_watch_reloads_when_an_included_file_changes(tmp_path):
    path, _ = included(tmp_path, ("scenes",))
    cast = tmp_path / "cast.yaml"

    def edit():
        cast.write_text(cast.read_text().replace("Alice waits.", "Alice is impatient."))
        st = os.stat(cast)
        os.utime(cast, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    out, err = io.StringIO(), io.StringIO()
    ui = TextUI(load_scenario(path), 3, inp=Script(["1", "", ""], {2: edit}), out=out, err=err, autosave=False,
                watch_path=str(path))
    ui.play()
    assert "Alice waits." in out.getvalue() and "Alice is impatient." in out.getvalue()
    assert "(reloaded" in err.getvalue()


def test_replay_says_the_content_changed_since_the_recording(tmp_path, capsys):
    path = write(tmp_path, doc())
    t = tmp_path / "t.json"
    out = io.StringIO()
    TextUI(load_scenario(path), 3, inp=io.StringIO("1\n1\n"), out=out, err=io.StringIO(), autosave=False,
           transcript_path=str(t)).play()
    recorded = json.loads(t.read_text())
    assert recorded["content_hash"] == load_scenario(path).content_hash
    code, d, _ = cli_json(capsys, "replay", t, "--scenario", path)
    assert code == 0 and "changed" not in d["message"]
    path.write_text(path.read_text().replace("It begins.", "It starts."))       # text only: the run is the same
    code, d, _ = cli_json(capsys, "replay", t, "--scenario", path)
    assert code == 0 and "changed since it was recorded, but not in a way that alters this run" in d["message"]
    changed = doc()
    changed["scenes"]["start"]["choices"][0]["effects"] = [{"add": {"outcomes": 1, "political": -5}}]
    write(tmp_path, changed)                                                  # same id and version
    code, d, _ = cli_json(capsys, "replay", t, "--scenario", path)
    assert code == 1
    assert "the scenario's content has changed since this transcript was recorded" in d["message"]
    assert recorded["content_hash"] in d["message"]
