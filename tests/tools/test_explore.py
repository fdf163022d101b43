"""balcony explore on small scenarios with known defects: each defect must be found, and a clean one passes."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import load_scenario, replay
from engine.tools.explore import explore

from .helpers import cli, cli_json, doc, line_of, scenes, write

TUTORIAL = Path(__file__).resolve().parents[2] / "scenarios" / "tutorial.yaml"


def test_clean_scenario_is_fully_covered(tmp_path):
    res = explore(write(tmp_path, doc()))
    d = res.to_dict()
    assert d["ok"] and d["complete"]
    assert d["coverage"]["scenes"] == d["coverage"]["scenes_total"] == 2
    assert d["coverage"]["choices"] == 4 and set(d["endings"]) == {"good", "meh"}
    assert not res.failed


def test_unreachable_scene_is_reported(tmp_path, capsys):
    path = write(tmp_path, doc(scenes=scenes(orphan={"speaker": "narrator", "text": "Nobody comes here.",
                                                     "choices": [{"text": "Leave.", "goto": "end"}]})))
    res = explore(path)
    assert res.unreached_scenes() == ["orphan"]
    assert {(c["scene"], c["why"]) for c in res.untaken_choices()} == {("orphan", "its scene is never reached")}
    code, out, _ = cli(capsys, "explore", path)
    assert code == 1
    assert f"{path}:{line_of(path, 'orphan:')}:" in out
    assert "orphan" in out and "Scenes never reached" in out


def test_dead_end_is_found_with_a_transcript_that_replays(tmp_path, capsys):
    s = scenes()
    for c in s["middle"]["choices"]:
        c["if"] = "deal"          # the flag is never set: in 'middle' no choice is ever available
    path = write(tmp_path, doc(scenes=s))
    res = explore(path, time_limit=1)    # nothing can end: the aim at the endings would use the whole limit
    dead = [f for f in res.findings if f.kind == "dead_end"]
    assert [f.scene for f in dead] == ["middle"]
    scenario = load_scenario(path)
    result = replay(scenario, dead[0].transcript)
    assert result.ok, result.message
    assert result.run.state.scene == "middle" and result.run.available_indices() == []
    code, d, _ = cli_json(capsys, "explore", path, "--time-limit", 1)
    assert code == 1 and d["dead_ends"][0]["scene"] == "middle"


def test_never_true_condition_and_untaken_choice(tmp_path, capsys):
    s = scenes()
    s["middle"]["choices"].append({"text": "Celebrate.", "if": "outcomes >= 90", "goto": "end"})
    path = write(tmp_path, doc(scenes=s))
    code, d, _ = cli_json(capsys, "explore", path)
    assert code == 1
    assert [(c["scene"], c["index"], c["why"]) for c in d["untaken_choices"]] == [("middle", 2, "its condition never holds")]
    never = [c for c in d["conditions_never_true"] if c["source"] == "outcomes >= 90"]
    assert never and never[0]["line"] == line_of(path, "outcomes >= 90")


def test_never_false_condition_and_meter_that_never_changes(tmp_path, capsys):
    d0 = doc()
    d0["meters"]["idle"] = {"range": [0, 10], "start": 5}
    d0["scenes"]["middle"]["choices"][0]["if"] = "political >= 0 or outcomes >= 0"
    path = write(tmp_path, d0)
    code, d, _ = cli_json(capsys, "explore", path)
    assert code == 0, "warnings alone do not fail explore"
    assert {"name": "idle", "kind": "meter", "value": 5} in d["unchanging"]
    assert {"name": "deal", "kind": "flag", "value": False} in d["unchanging"]
    assert any(c["source"].startswith("political >= 0") for c in d["conditions_never_false"])
    code, _, _ = cli(capsys, "explore", path, "--strict")
    assert code == 1


def test_unreached_ending(tmp_path):
    d0 = doc()
    d0["endings"].insert(0, {"id": "dream", "title": "Dream", "quality": "best", "priority": 20,
                             "if": "outcomes >= 99 and political >= 99", "text": "!"})
    res = explore(write(tmp_path, d0), time_limit=1)
    assert res.unreached_endings() == ["dream"]
    assert res.failed


def test_steering_reaches_a_narrow_ending(tmp_path):
    # only one path of four reaches 'top': share power, then listen (outcomes 35); the walk or the aim finds it
    d0 = doc()
    d0["endings"].insert(0, {"id": "top", "title": "Top", "quality": "best", "priority": 20,
                             "if": "outcomes >= 35", "text": "!"})
    res = explore(write(tmp_path, d0))
    assert "top" in res.endings_reached


def test_bounds_are_reported(tmp_path):
    res = explore(write(tmp_path, doc()), max_states=1, sweep=0, steer=False)
    assert not res.complete and res.stopped_by == "max_states"
    assert res.to_dict()["bounds"]["max_states"] == 1


def test_content_errors_exit_2_with_positions(tmp_path, capsys):
    d0 = doc()
    d0["scenes"]["middle"]["choices"][0]["goto"] = "nowhere"
    path = write(tmp_path, d0)
    code, out, err = cli(capsys, "explore", path)
    assert code == 2
    assert f":{line_of(path, 'nowhere')}:" in err and "BAL030" in err and "Traceback" not in err


def test_a_detour_with_goto_return_is_explored_and_drawn(tmp_path):
    """An event takes the story aside to a scene whose choice comes back with `goto: return`: explore reaches
    every scene and both endings and finds nothing wrong; simulate's runs end; the graph draws the return."""
    from engine.tools.graph import build
    from engine.tools.simulate import simulate
    s = scenes(press={"speaker": "bob", "text": "The press calls.",
                      "choices": [{"text": "Answer.", "effects": [{"add": {"outcomes": 3}}], "goto": "return"}]})
    s["start"]["quarters"] = 1   # a quarter passes on the way to 'middle': the event may fire then
    event = {"id": "leak", "title": "A leak", "text": "The phone rings.", "forced": True, "if": "outcomes > 25",
             "goto": "press"}
    path = write(tmp_path, doc(scenes=s, events=[event]))
    res = explore(path)
    d = res.to_dict()
    assert d["ok"] and not res.failed and not res.findings
    assert d["coverage"]["scenes"] == d["coverage"]["scenes_total"] == 3
    assert d["coverage"]["choices"] == d["coverage"]["choices_total"] == 5
    sim = simulate(load_scenario(path), 200, "random", 0)
    assert not sim.errors and sim.scene_runs["press"] > 0 and sim.scene_runs["middle"] == 200
    dot = build(load_scenario(path)).source
    assert '"scene_press" -> return' in dot or "scene_press -> return" in dot


def _report(res):
    d = res.to_dict()
    d.pop("seconds")
    d["bounds"] = {k: v for k, v in d["bounds"].items() if k != "time_limit"}
    return d


def test_the_budget_not_the_clock_bounds_the_walk(tmp_path):
    """Same scenario, same budget: the same report, whether the machine is fast or crawls (a clock that jumps
    half a second at every look, with no wall-clock safety net), so `check` cannot pass here and fail under load."""
    path = str(TUTORIAL)
    steps = iter(range(10**9))
    fast = explore(path, budget=3000)
    crawling = explore(path, budget=3000, time_limit=None, clock=lambda: next(steps) * 0.5)
    assert fast.stopped_by == "budget" and not fast.complete and fast.work >= 0.6 * 3000
    assert _report(crawling) == _report(fast)
    assert _report(explore(path, budget=3000)) == _report(fast)


def test_the_time_limit_is_a_safety_net_that_says_it_stopped_the_walk(tmp_path, capsys):
    path = str(TUTORIAL)
    steps = iter(range(10**9))
    res = explore(path, time_limit=10, clock=lambda: next(steps) * 0.5)
    assert res.stopped_by == "time_limit" and not res.complete
    assert res.work < res.bounds["budget"]


_BAD_BOUNDS = [("--budget", "0", "--budget must be at least 1"), ("--time-limit", "nan", "--time-limit must be a positive"),
               ("--time-limit", "-5", "--time-limit must be a positive")]


@pytest.mark.parametrize("command,option,value,message",
                         [("explore", *b) for b in _BAD_BOUNDS + [("--seeds", "-1", "--seeds must be at least 1"),
                                                                  ("--width", "0", "--width must be at least 1")]]
                         + [("check", *b) for b in _BAD_BOUNDS + [("--runs", "0", "--runs must be at least 1"),
                                                                  ("--jobs", "-2", "--jobs must be 0")]]
                         # a huge number: it ran for ever, or started as many worker processes as asked
                         + [(c, "--runs", "99999999999999999999", "--runs must be at most 1,000,000")
                            for c in ("check", "simulate")]
                         + [(c, "--jobs", "100000", "--jobs must be at most") for c in ("check", "simulate")])
def test_bounds_that_make_no_sense_are_refused(tmp_path, capsys, command, option, value, message):
    path = write(tmp_path, doc())
    code, out, err = cli(capsys, command, path, option, value)
    assert code == 2 and message in err and "Traceback" not in err
