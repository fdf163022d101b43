"""balcony simulate: distributions, personas, determinism, dominated choices, stuck runs."""
from __future__ import annotations

from engine import load_scenario, replay
from engine.tools import personas as P
from engine.tools.simulate import play, replay_run, simulate

from .helpers import cli, cli_json, doc, scenes, write


def test_endings_add_up_and_runs_are_reproducible(tmp_path):
    sc = load_scenario(write(tmp_path, doc()))
    a = simulate(sc, 200, "random", 7)
    b = simulate(sc, 200, "random", 7)
    assert sum(a.endings.values()) == 200
    assert a.endings == b.endings and a.decisions == b.decisions
    assert set(a.endings) == {"good", "meh"}, "random play reaches both endings"


def test_personas_follow_their_tags(tmp_path):
    sc = load_scenario(write(tmp_path, doc()))
    hero = simulate(sc, 30, "hero")
    leader = simulate(sc, 30, "systems-leader")
    first = simulate(sc, 30, "first")
    assert hero.choice_runs[("start", 1)] == 30 and hero.choice_runs[("start", 0)] == 0
    assert leader.choice_runs[("start", 0)] == 30 and leader.choice_runs[("middle", 0)] == 30
    assert first.choice_runs[("start", 0)] == 30 and first.choice_runs[("middle", 0)] == 30
    assert leader.endings["good"] == 30 and hero.endings["meh"] == 30


def test_declared_persona_and_perception_habits(tmp_path):
    d0 = doc(personas={"quiet": {"prefer": {"avoid_conflict": 2}, "perceive": ["one_to_one"]}})
    sc = load_scenario(write(tmp_path, d0))
    assert "quiet" in P.all_personas(sc)
    run, _, path = play(sc, P.get_persona(sc, "quiet"), 3)
    assert ("middle", 1) in path
    assert any("perceive" in a and a["perceive"] == "one_to_one" for a in run.actions)


def test_meter_distributions_per_year_and_at_end(tmp_path):
    d0 = doc(calendar={"start": "2010-Q1", "end": "2011-Q4"})
    d0["rules"] = [{"id": "grow", "effects": [{"add": {"outcomes": 1}}]}]
    d0["scenes"]["middle"]["quarters"] = 6      # six quarters pass after the middle's choice...
    for c in d0["scenes"]["middle"]["choices"]:
        c["goto"] = "last"                       # ...on the way to a closing scene ('goto: end' passes none)
    d0["scenes"]["last"] = {"speaker": "narrator", "text": "The end.", "end": True}
    sc = load_scenario(write(tmp_path, d0))
    res = simulate(sc, 50, "first")
    table = {m["id"]: m for m in res.to_dict()["meters"]}
    at = {a["at"]: a for a in table["outcomes"]["at"]}
    # first: +10 at the start, +5 in the middle, then one a quarter: 39 after 4 quarters, 41 at the end
    assert at["year 1"]["median"] == 39 and at["end"]["median"] == 41
    assert sum(at["end"]["histogram"]) == 50 and at["end"]["min"] == at["end"]["max"] == 41


def test_dominated_choice_is_found(tmp_path):
    s = scenes()
    # 'Press on' is worse on every count than 'Listen': less outcome, less support, less trust
    s["middle"]["choices"][1]["effects"] = [{"add": {"political": -10, "outcomes": -10, "all.trust": -10}}]
    s["middle"]["choices"][0]["effects"] = [{"add": {"outcomes": 5, "political": 5}}]
    sc = load_scenario(write(tmp_path, doc(scenes=s)))
    res = simulate(sc, 400, "random")
    dom = res.dominated()
    assert [(x["scene"], x["choice"], x["by"]) for x in dom] == [("middle", 1, 0)]
    base = simulate(load_scenario(write(tmp_path, doc(), "plain.yaml")), 400, "random")
    assert not [x for x in base.dominated() if x["scene"] == "middle"]


def test_stuck_runs_are_reported_with_transcripts(tmp_path, capsys):
    s = scenes()
    for c in s["middle"]["choices"]:
        c["if"] = "deal"
    path = write(tmp_path, doc(scenes=s))
    sc = load_scenario(path)
    res = simulate(sc, 5, "random")
    assert len(res.errors) == 5
    seed, msg, transcript = res.errors[0]
    assert "middle" in msg and replay(sc, transcript).ok
    code, d, _ = cli_json(capsys, "simulate", path, "--runs", 5)
    assert code == 1 and len(d["errors"]) == 5


def test_endless_runs_are_reported_after_the_limit(tmp_path):
    from engine.tools.simulate import MAX_DECISIONS
    s = scenes()
    s["middle"]["quarters"] = 0
    s["middle"]["choices"][0]["goto"] = "middle"   # `first` goes round and round, and no time passes
    sc = load_scenario(write(tmp_path, doc(scenes=s)))
    res = simulate(sc, 2, "first")
    assert [seed for seed, _, _ in res.errors] == [0, 1] and not res.endings
    seed, msg, transcript = res.errors[0]
    assert f"did not end after {MAX_DECISIONS + 1} decisions" in msg
    assert sum(1 for a in transcript["actions"] if "choose" in a) == MAX_DECISIONS + 1


def test_replay_run_reproduces_a_simulated_run(tmp_path):
    sc = load_scenario(write(tmp_path, doc()))
    res = simulate(sc, 20, "random", 0, keep_runs=True)
    for rec in res.records[:5]:
        run = replay_run(sc, "random", rec.seed)
        assert run.state.ending == rec.ending and run.state.decisions == rec.decisions
        assert replay(sc, run.transcript()).ok


def test_cli_text_json_and_bad_input(tmp_path, capsys):
    path = write(tmp_path, doc())
    code, out, _ = cli(capsys, "simulate", path, "--runs", 50, "--persona", "hero")
    assert code == 0 and "Endings:" in out and "Meh" in out
    code, d, _ = cli_json(capsys, "simulate", path, "--runs", 50)
    assert code == 0 and d["runs"] == 50 and sum(e["runs"] for e in d["endings"]) == 50
    assert {"decisions", "words"} <= set(d["length"]) and d["length"]["words"]["mean"] > 0
    code, _, err = cli(capsys, "simulate", path, "--persona", "nobody")
    assert code == 2 and "systems-leader" in err
    code, _, err = cli(capsys, "simulate", tmp_path / "missing.yaml")
    assert code == 2 and "BAL007" in err


def test_scene_visits_and_runs_match_the_runs_themselves(tmp_path):
    from collections import Counter
    d0 = doc()
    d0["scenes"]["middle"]["choices"][1]["goto"] = "start"       # a loop: scenes can be entered twice
    d0["calendar"] = {"start": "2010-Q1", "end": "2010-Q3"}
    sc = load_scenario(write(tmp_path, d0))
    res = simulate(sc, 60, "random", 0)
    visits, runs = Counter(), Counter()
    for k in range(60):
        run, _, _ = play(sc, P.get_persona(sc, "random"), k)
        visits.update(run.state.visits)
        runs.update(run.state.visits.keys())
    assert res.scene_visits == visits and res.scene_runs == runs
    assert max(visits.values()) > 60, "some runs went round the loop"


def test_runs_shared_among_workers_give_the_same_result(tmp_path, capsys):
    """--jobs: blocks of seeds in worker processes, put back together in seed order, are one simulation."""
    import pytest

    from engine import BalconyError
    from engine.tools.simulate import _block_worker
    s = scenes()
    s["middle"]["choices"][0]["if"] = "outcomes > 25"   # runs that cede power then find 'middle' half open...
    s["middle"]["choices"][1]["if"] = "outcomes > 100"  # ...and those that do not get stuck there
    path = write(tmp_path, doc(scenes=s))
    sc = load_scenario(path)
    one = simulate(sc, 101, "random", 5, keep_runs=True)
    three = simulate(sc, 101, "random", 5, keep_runs=True, jobs=3)
    assert one.errors and one.endings                    # both kinds of run are there
    assert three.to_dict() == one.to_dict()
    assert three.records == one.records and three.meter_samples == one.meter_samples
    assert [e[:2] for e in three.errors] == [e[:2] for e in one.errors]
    code, d, _ = cli_json(capsys, "simulate", path, "--runs", 101, "--seed", 5, "--jobs", 2)
    assert code == 1 and d == one.to_dict()
    with pytest.raises(BalconyError, match="changed while it was being simulated"):
        _block_worker(str(path), "not-this-content", "random", 0, 3, False, None)


def test_a_misspelt_persona_gets_a_did_you_mean(tmp_path, capsys):
    """--near and --start suggest the name meant; --persona listed the personas without saying which."""
    code, _, err = cli(capsys, "simulate", write(tmp_path, doc()), "--persona", "systems-leeder", "--runs", "5")
    assert code == 2 and "did you mean 'systems-leader'?" in err, err
