"""balcony check: invariants pass and fail with numbers; a failure's counterexample replays to the failure it claims."""
from __future__ import annotations

import json

from engine import load_scenario, replay
from engine.tools.invariants import OPS, check_invariants, measure_transcript, parse_invariants, path_difference

from .helpers import cli, cli_json, doc, line_of, write

LEADER_WINS = {"id": "leader_wins", "finding": 1, "says": "Influence beats force on outcomes.",
               "left": {"persona": "systems-leader", "measure": "outcomes", "at": "end"}, "op": ">",
               "right": {"persona": "hero", "measure": "outcomes", "at": "end"}}
HERO_WINS = {"id": "hero_wins", "finding": 1, "says": "A claim this scenario does not bear out.",
             "left": {"persona": "hero", "measure": "outcomes", "at": "end"}, "op": ">",
             "right": {"persona": "systems-leader", "measure": "outcomes", "at": "end"}}


def test_passing_invariants_exit_0(tmp_path, capsys):
    path = write(tmp_path, doc(invariants=[LEADER_WINS,
                                           {"id": "good_not_certain", "ending_rate": {"ending": "good", "max": 0.9}},
                                           {"id": "leader_good", "ending_rate": {"persona": "systems-leader",
                                                                                 "quality": "good", "min": 0.9}}]))
    # random play reaches 'good' in about a quarter of runs, no persona always
    path.write_text(path.read_text())
    code, d, _ = cli_json(capsys, "check", path, "--runs", 40, "--out", tmp_path / "out")
    failing = [i for i in d["invariants"] if not i["ok"]]
    assert [i["id"] for i in failing] == ["good_not_certain"], "systems-leader always reaches 'good'"
    code, d, _ = cli_json(capsys, "check", write(tmp_path, doc(invariants=[LEADER_WINS]), "ok.yaml"),
                          "--runs", 40, "--out", tmp_path / "out")
    assert code == 0 and d["ok"] and d["invariants"][0]["numbers"]["left"] > d["invariants"][0]["numbers"]["right"]


def test_failing_invariant_prints_numbers_and_a_counterexample_that_replays(tmp_path, capsys):
    path = write(tmp_path, doc(invariants=[HERO_WINS]))
    out_dir = tmp_path / "out"
    code, text, _ = cli(capsys, "check", path, "--runs", 30, "--out", out_dir)
    assert code == 1
    assert "FAIL hero_wins" in text
    assert "mean of outcomes at end for hero = 17.33 <= mean of outcomes at end for systems-leader = 35.00" in text
    assert f"{path}:{line_of(path, 'id: hero_wins')}" in text
    cx = out_dir / "mini-hero_wins.json"
    assert cx.exists()
    transcript = json.loads(cx.read_text())
    claim = transcript["claim"]
    # `balcony replay` accepts it...
    code, out, _ = cli(capsys, "replay", cx, "--scenario", path)
    assert code == 0, out
    # ...and it replays to the failure it claims: the measured value, against the other side, breaks the op
    sc = load_scenario(path)
    assert replay(sc, transcript).ok
    value = measure_transcript(sc, transcript, claim["measure"], claim["at"])
    assert value == claim["value"] == 15 and claim["against"] == 35
    assert not OPS[claim["op"]](value, claim["against"])


def drifting():
    """Two years; political drifts by 2 a quarter, up once a hero choice was made, else down; six quarters pass
    in 'middle', then the run ends."""
    d0 = doc(calendar={"start": "2010-Q1", "end": "2011-Q4"})
    d0["rules"] = [{"id": "drift", "effects": [{"add": {"political": "2 if tags.hero > 0 else -2"}}]}]
    d0["scenes"]["middle"]["quarters"] = 6
    for c in d0["scenes"]["middle"]["choices"]:
        c["goto"] = "last"
    d0["scenes"]["last"] = {"speaker": "narrator", "text": "The end.", "end": True}
    return d0


def test_counterexample_at_a_year_replays_to_its_value(tmp_path):
    d0 = drifting()
    d0["invariants"] = [{"id": "leader_popular_early", "left": {"persona": "systems-leader", "measure": "political",
                                                                "at": "year 1"},
                         "op": ">=", "right": {"persona": "hero", "measure": "political", "at": "year 1"}}]
    path = write(tmp_path, d0)
    sc = load_scenario(path)
    invs, diags = parse_invariants(sc)
    assert not diags
    (outcome,) = check_invariants(sc, invs, runs=10)
    assert not outcome.ok
    # systems-leader: 50 - 5, then -2 a quarter: 37 after four quarters; hero: 60 (or 65), then +2 a quarter
    assert outcome.numbers["left"] == 37 and outcome.numbers["right"] >= 68
    claim = outcome.counterexample["claim"]
    assert claim["at"] == "year 1" and claim["value"] == 37
    assert measure_transcript(sc, outcome.counterexample, "political", "year 1") == 37
    assert measure_transcript(sc, outcome.counterexample, "political", "end") == 33


def test_a_side_can_measure_each_runs_change_since_a_moment(tmp_path):
    """`since`: each run is valued by its own change, from `since` to `at` (finding 8: pay-offs arrive late)."""
    d0 = drifting()
    d0["invariants"] = [{"id": "leader_gains_late",
                         "left": {"persona": "systems-leader", "measure": "political", "since": "year 1", "at": "end"},
                         "op": ">",
                         "right": {"persona": "hero", "measure": "political", "since": "turn 4"}}]
    path = write(tmp_path, d0)
    sc = load_scenario(path)
    invs, diags = parse_invariants(sc)
    assert not diags
    (outcome,) = check_invariants(sc, invs, runs=10)
    # systems-leader: 37 after year 1, 33 at the end (-4 in every run); hero: +2 a quarter for two quarters (+4)
    assert not outcome.ok and outcome.numbers["left"] == -4 and outcome.numbers["right"] == 4
    assert "mean of the change in political from year 1 to end for systems-leader" in outcome.message
    claim = outcome.counterexample["claim"]
    assert (claim["since"], claim["at"], claim["value"]) == ("year 1", "end", -4)
    assert measure_transcript(sc, outcome.counterexample, "political", "end", since="year 1") == -4
    assert replay(sc, outcome.counterexample).ok


def test_since_must_be_a_moment_before_at_and_measure_a_number(tmp_path, capsys):
    bad = [("since_end", {"since": "end"}, "cannot be the end"),
           ("since_after", {"since": "year 2", "at": "year 1"}, "must come before 'at'"),
           ("since_bool", {"since": "year 1", "measure": "deal"}, "must be a number"),
           ("since_garbled", {"since": "last spring"}, "'since' must be end, 'year N' or 'turn N'")]
    d0 = doc(invariants=[{"id": iid, "left": {"persona": "hero", "measure": "outcomes", **side}, "op": ">",
                          "right": 0} for iid, side, _ in bad])
    path = write(tmp_path, d0)
    invs, diags = parse_invariants(load_scenario(path))
    assert invs == [] and len(diags) == len(bad)
    for (iid, _, text), d in zip(bad, diags):
        assert d.code == "BAL053" and text in d.message and iid in d.message, d.message


def test_ending_rate_failure_has_a_counterexample(tmp_path):
    d0 = doc(invariants=[{"id": "best_rare", "ending_rate": {"ending": "good", "max": 0.4}}])
    sc = load_scenario(write(tmp_path, d0))
    invs, _ = parse_invariants(sc)
    (o,) = check_invariants(sc, invs, runs=20)
    assert not o.ok and o.numbers["rates"]["systems-leader"] == 1.0
    t = o.counterexample
    assert replay(sc, t).ok and replay(sc, t).run.state.ending == "good"


def test_runs_filter_and_inconclusive(tmp_path):
    d0 = doc(invariants=[
        {"id": "ceding_pays", "left": {"runs": "tags.cede_power >= 1", "measure": "outcomes"}, "op": ">",
         "right": {"runs": "tags.cede_power == 0", "measure": "outcomes"}},
        {"id": "never_matches", "left": {"runs": "outcomes > 99", "measure": "outcomes"}, "op": ">", "right": 0},
    ])
    sc = load_scenario(write(tmp_path, d0))
    invs, _ = parse_invariants(sc)
    a, b = check_invariants(sc, invs, runs=60)
    assert a.ok and a.numbers["left_runs"] + a.numbers["right_runs"] == 60
    assert not b.ok and b.message.startswith("inconclusive")


def test_distinct_paths(tmp_path):
    d0 = doc(invariants=[{"id": "two_ways", "distinct_paths": {"quality": "good", "min": 2, "differ": 0.3}},
                         {"id": "ten_ways", "distinct_paths": {"quality": "good", "min": 10, "differ": 0.3}}])
    sc = load_scenario(write(tmp_path, d0))
    invs, _ = parse_invariants(sc)
    ok, bad = check_invariants(sc, invs, runs=60)
    assert ok.ok and not bad.ok
    assert path_difference((("a", 0), ("b", 1)), (("a", 0), ("b", 0))) == 0.5


def test_malformed_invariants_are_BAL053_with_positions(tmp_path, capsys):
    d0 = doc(invariants=[
        {"id": "bad_op", "left": {"measure": "outcomes"}, "op": "=>", "right": 1},
        {"id": "bad_persona", "left": {"persona": "villain", "measure": "outcomes"}, "op": ">", "right": 1},
        {"id": "bad_measure", "left": {"measure": "outcome"}, "op": ">", "right": 1},
        {"id": "bad_rate", "ending_rate": {"ending": "nope", "max": 0.5}},
    ])
    path = write(tmp_path, d0)
    code, out, err = cli(capsys, "check", path)
    assert code == 2 and "Traceback" not in err
    lines = [ln for ln in err.splitlines() if "BAL053" in ln]
    assert len(lines) == 4
    assert f"{path}:{line_of(path, 'op: =>')}:" in lines[0]
    assert "villain" in lines[1] and "did you mean 'outcomes'" in lines[2] and "nope" in lines[3]


def test_shipped_tutorial_invariants_parse():
    from .helpers import SCENARIOS
    sc = load_scenario(SCENARIOS / "tutorial.yaml")
    invs, diags = parse_invariants(sc)
    assert not diags and invs


def test_proving_in_worker_processes_gives_the_same_outcomes(tmp_path, capsys):
    """--jobs: personas simulated in worker processes give the very outcomes of one process, counterexamples
    included; a file that changes under the workers is reported, not a traceback."""
    import pytest

    from engine import BalconyError
    from engine.tools.invariants import _persona_worker
    d0 = doc(invariants=[LEADER_WINS, HERO_WINS, {"id": "good_rare", "ending_rate": {"ending": "good", "max": 0.2}}])
    path = write(tmp_path, d0)
    sc = load_scenario(path)
    invs, _ = parse_invariants(sc)
    one = [o.to_dict() for o in check_invariants(sc, invs, runs=40)]
    two = [o.to_dict() for o in check_invariants(sc, invs, runs=40, jobs=2)]
    assert one == two and [o["ok"] for o in one] == [True, False, False]
    code, d, _ = cli_json(capsys, "check", path, "--runs", 40, "--jobs", 2, "--no-explore", "--out", tmp_path / "o")
    assert code == 1 and [i["ok"] for i in d["invariants"]] == [True, False, False]
    with pytest.raises(BalconyError, match="changed while it was being checked"):
        _persona_worker(str(path), "not-this-content", "hero", [("m", "outcomes", None)], 5, 0)
    path.write_text("balcony: 1\nid: [broken")
    with pytest.raises(BalconyError, match="no longer loads"):
        _persona_worker(str(path), sc.content_hash, "hero", [("m", "outcomes", None)], 5, 0)


def test_the_command_line_proves_in_workers_too(tmp_path):
    """`python -m game check --jobs 2`: the command starts its workers and gathers their outcomes."""
    import subprocess
    import sys
    path = write(tmp_path, doc(invariants=[LEADER_WINS, {"id": "good_rare", "ending_rate": {"ending": "good", "max": 0.2}}]))
    r = subprocess.run([sys.executable, "-m", "game", "check", str(path), "--runs", "30", "--jobs", "2", "--no-explore",
                        "--json", "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120,
                       cwd=str(tmp_path))
    assert r.returncode == 1, r.stderr[-2000:]
    assert [i["ok"] for i in json.loads(r.stdout)["invariants"]] == [True, False]
    assert "Traceback" not in r.stderr
