"""Branching on state and on chance (issue 14): conditional goto, chancy outcomes, a choice's own quarters,
and hidden choices that do not count towards the four a scene shows. Small inline scenarios."""
from __future__ import annotations

import pytest

from engine import Run, check_file, replay
from engine.tools.explore import explore

from .helpers import BASE, merge


def _scenes(start_choices, **more):
    plain = {"speaker": "narrator", "text": "x", "choices": [{"text": "Leave", "goto": "end"}]}
    return {"scenes": {"start": {"choices": start_choices}, **{k: dict(plain, text=k) for k in more}}}


BRANCHING = _scenes([{"text": "Go", "effects": [{"add": {"outcomes": 20}}],
                      "goto": [{"if": "outcomes >= 80", "to": "high"},
                               {"if": "outcomes >= 65", "to": "middle"},
                               {"to": "low"}]}],
                    high=1, middle=1, low=1)


@pytest.mark.parametrize("start,scene", [(70, "high"), (50, "middle"), (10, "low")])
def test_conditional_goto_takes_the_first_branch_that_holds_after_the_effects(load, start, scene):
    sc = load(merge(BRANCHING, {"meters": {"outcomes": {"range": [0, 100], "start": start}}}))
    for record in (True, False):
        run = Run(sc, 0, record=record)
        run.take(0)
        assert run.state.scene == scene


def test_conditional_goto_targets_count_for_reachability(diags_of):
    p, diags = diags_of(BRANCHING)
    assert not diags, [d.format() for d in diags]      # high, middle and low are all reachable: no BAL031
    bad = merge(BRANCHING, {})
    bad["scenes"]["start"]["choices"][0]["goto"][1]["to"] = "midle"
    p, diags = diags_of(bad)
    assert [(d.code, "did you mean 'middle'" in d.message) for d in diags if d.severity == "error"] == [("BAL030", True)]


CHANCY = _scenes([{"text": "Gamble", "result": "You roll the dice.",
                   "outcomes": [{"weight": 3, "effects": [{"add": {"outcomes": 10}}], "result": "It works.",
                                 "goto": "win"},
                                {"weight": 1, "effects": [{"add": {"outcomes": -10}}], "result": "It fails.",
                                 "goto": "lose"}]}],
                 win=1, lose=1)


def test_chancy_outcomes_are_drawn_by_weight_from_the_runs_generator(load):
    sc = load(CHANCY)
    seen = {}
    for seed in range(400):
        run = Run(sc, seed, record=False)
        run.take(0)
        seen[run.state.scene] = seen.get(run.state.scene, 0) + 1
        assert run.value("outcomes") == (60 if run.state.scene == "win" else 40)
    assert seen["win"] + seen["lose"] == 400 and 250 <= seen["win"] <= 350   # 3 to 1: 300 expected


def test_chancy_outcome_shows_its_result_and_replays_exactly(load):
    sc = load(CHANCY)
    for seed in range(6):
        run = Run(sc, seed)
        run.choose(0)
        text = run.snapshot().notices[0].text
        won = run.value("outcomes") == 60
        assert text == "You roll the dice. " + ("It works." if won else "It fails.")
        assert run.history.decisions[-1]["outcome"] == (0 if won else 1)
        run.advance()
        twin = Run(sc, seed, record=False)
        twin.take(0)
        assert twin.state.scene == run.state.scene      # take() draws as choose() does
        again = replay(sc, run.transcript())
        assert again.ok and again.run.state.to_dict() == run.state.to_dict()


def test_a_named_outcome_is_recorded_and_replayed(load):
    sc = load(CHANCY)
    run = Run(sc, 0)
    run.choose(0, outcome=1)
    run.advance()
    assert run.state.scene == "lose" and run.actions[-1] == {"choose": 0, "outcome": 1}
    assert replay(sc, run.transcript()).run.state.scene == "lose"
    with pytest.raises(Exception, match="has no outcome 2"):
        Run(sc, 0).choose(0, outcome=2)


def test_explore_follows_every_outcome(scenario_file):
    rare = merge(CHANCY, {})
    rare["scenes"]["start"]["choices"][0]["outcomes"][1]["weight"] = 0.0001
    res = explore(str(scenario_file(rare)), seeds=1, time_limit=2)
    assert {"win", "lose"} <= res.scenes_reached


def test_a_choice_without_goto_needs_one_on_every_outcome(diags_of):
    d = merge(CHANCY, {})
    del d["scenes"]["start"]["choices"][0]["outcomes"][1]["goto"]
    p, diags = diags_of(d)
    assert [x.code for x in diags if x.severity == "error"] == ["BAL013"]
    assert "every one of its outcomes" in diags[0].message


def test_a_choice_may_take_its_own_time(load):
    sc = load(merge(BASE, _scenes([{"text": "Slow", "quarters": 3, "goto": "next"},
                                  {"text": "Quick", "quarters": 0, "goto": "next"}], next=1)))
    for i, turns in ((0, 3), (1, 0)):
        run = Run(sc, 0)
        run.take(i)
        assert run.state.turn == turns


def test_hidden_choices_do_not_count_towards_the_four(diags_of):
    plain = [{"text": f"c{i}", "goto": "end"} for i in range(4)]
    hidden = [{"text": "h", "if": "outcomes > 90", "goto": "end"}, {"text": "h2", "if": "outcomes < 5", "goto": "end"}]
    p, diags = diags_of(_scenes(plain + hidden))
    assert not [d for d in diags if d.code == "BAL034"]
    locked = [{"text": "l", "if": "outcomes > 90", "unavailable": "Not yet.", "goto": "end"}]
    p, diags = diags_of(_scenes(plain + locked))
    d = [d for d in diags if d.code == "BAL034"]
    assert d and "offers 5 choices" in d[0].message


def test_the_graph_draws_every_branch_and_outcome(load):
    from engine.tools import graph
    src = graph.build(load(BRANCHING)).source
    assert "scene_start -> scene_high" in src and "scene_start -> scene_low" in src and "if outcomes >= 80" in src
    src = graph.build(load(CHANCY)).source
    assert "chance 75%" in src and "chance 25%" in src and "scene_start -> scene_lose" in src
