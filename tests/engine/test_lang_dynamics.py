"""The system's own dynamics: phases (a transitions machine), per-turn rules, and events."""
from __future__ import annotations

from collections import Counter

import pytest
import transitions

from engine import Run

from .helpers import play_all

LOOP = {"scenes": {"start": {"choices": [{"text": "Wait", "goto": "start"}, {"text": "Stop", "goto": "end"}]}}}


def wait(run, quarters=1):
    for _ in range(quarters):
        run.choose(0)
        run.advance()


PHASES = {
    "meters": {"log": {"range": [0, 1000], "start": 0}},
    "phases": [
        {"id": "pilot", "name": "Local pilot", "on_enter": [{"add": {"log": 1}}], "on_exit": [{"add": {"log": 10}}],
         "next": [{"to": "national", "when": "outcomes > 90"}, {"to": "budget", "when": "turn >= 2"}]},
        {"id": "budget", "name": "Community budget", "on_enter": [{"add": {"log": 100}}],
         "on_exit": [{"add": {"log": 200}}]},
        {"id": "national", "name": "National programme", "on_enter": [{"add": {"log": 400}}]},
    ],
    "scenes": {"start": {"text": "{phase}", "choices": [
        {"text": "Wait", "goto": "start"},
        {"text": "Go national", "if": "phase == 'budget'", "effects": [{"phase": "national"}], "goto": "start"},
        {"text": "Stop", "goto": "end"}]}},
}


def test_first_phase_is_entered_at_the_start(run_of):
    run = run_of(PHASES)
    snap = run.snapshot()
    assert (snap.phase.id, snap.phase.name) == ("pilot", "Local pilot")
    assert snap.text == "pilot"
    assert run.value("log") == 1


def test_phase_next_rules_move_on_with_exit_then_entry_effects(run_of):
    run = run_of(PHASES)
    run.choose(0)
    assert run.state.phase == "pilot"
    run.advance()
    run.choose(0)
    assert run.state.phase == "budget"
    assert run.value("log") == 1 + 10 + 100
    notices = [n for n in run.snapshot().notices if n.kind == "phase"]
    assert [n.title for n in notices] == ["Community budget"]
    # exit before entry, each with its cause
    causes = [c[4] for c in run.history.changes if c[1] == "log"]
    assert causes == ["phase:pilot:enter", "phase:pilot:exit", "phase:budget:enter"]


def test_phase_effect_moves_the_initiative(run_of):
    run = run_of(PHASES)
    wait(run, 2)
    assert run.snapshot().text == "budget"
    assert [c.available for c in run.snapshot().choices] == [True, True, True]
    run.choose(1)
    assert run.state.phase == "national"
    assert run.value("log") == 111 + 200 + 400
    run.advance()
    assert run.snapshot().phase.name == "National programme"


def test_phase_effect_to_the_current_phase_runs_nothing(run_of):
    run = run_of({**PHASES, "scenes": {"start": {"choices": [
        {"text": "Stay", "effects": [{"phase": "pilot"}], "goto": "end"}]}}})
    run.choose(0)
    assert run.value("log") == 1


def test_phases_are_driven_by_a_transitions_machine_kept_behind_a_facade(run_of):
    run = run_of(PHASES)
    assert isinstance(run.phases._machine, transitions.Machine)
    wait(run, 2)
    assert run.phases.current == run.state.phase == "budget"
    # transitions' runtime-added trigger methods do not leak onto the Run or its state
    for obj in (run, run.state, run.phases):
        for name in ("trigger", "to_pilot", "to_budget", "to_national", "may_to_national", "is_pilot"):
            assert not hasattr(obj, name), (obj, name)


def test_a_restored_run_keeps_its_phase(run_of):
    run = run_of(PHASES)
    wait(run, 2)
    again = Run.from_save(run.scenario, run.to_save())
    assert again.phases.current == "budget"
    again.choose(1)
    assert again.state.phase == "national" and again.value("log") == 711


# --- rules ------------------------------------------------------------------------------

RULES = {
    "meters": {"tension": {"range": [0, 100], "start": 30}},
    "rules": [
        {"id": "outcomes_grow", "text": "Outcomes grow with commitment.",
         "effects": [{"add": {"outcomes": "min(mean(all.commitment) / 10, 100)"}}]},
        {"id": "support_drifts", "each": "all", "effects": [{"add": {"self.support": "(self.trust - self.support) / 10"}}]},
        {"id": "tension_decays", "if": "tension > 25", "effects": [{"add": {"tension": -3}}]},
        {"id": "holders_commit", "each": "holders", "if": "self.trust >= 50", "effects": [{"add": {"self.commitment": 5}}]},
    ],
    "groups": {"holders": {"where": "local_budget"}},
    **LOOP,
}


def test_rules_run_every_quarter_in_order(run_of):
    run = run_of(RULES)
    run.choose(0)
    # outcomes: 50 + mean(40, 20)/10 = 53
    assert run.value("outcomes") == pytest.approx(53)
    # support drifts towards trust: alice 60 + (50-60)/10 = 59; bob 70 + (30-70)/10 = 66
    assert run.value("alice.support") == pytest.approx(59) and run.value("bob.support") == pytest.approx(66)
    assert run.value("tension") == 27
    assert run.value("alice.commitment") == 45 and run.value("bob.commitment") == 20
    run.advance()
    wait(run, 1)
    # the rule's own `if` stops it once tension is no longer above 25
    assert run.value("tension") == 24
    run.choose(0)
    assert run.value("tension") == 24
    causes = {c[4] for c in run.history.changes}
    assert {"rule:outcomes_grow", "rule:support_drifts", "rule:tension_decays", "rule:holders_commit"} <= causes


def test_rules_do_not_run_when_no_quarter_passes(run_of):
    run = run_of({**RULES, "scenes": {"start": {"quarters": 0, "choices": [{"text": "Talk", "goto": "start"},
                                                                          {"text": "Stop", "goto": "end"}]}}})
    run.choose(0)
    assert run.value("outcomes") == 50 and run.state.turn == 0


# --- events ---------------------------------------------------------------------------

def events_over(events, chance=1.0, **more):
    return {"event_chance": chance, "events": events, "meters": {"tension": {"range": [0, 100], "start": 0}}, **LOOP, **more}


def test_forced_event_fires_once_when_its_condition_holds_without_a_draw(run_of):
    run = run_of(events_over([{"id": "election", "title": "Election", "text": "Polls close at {turn}.",
                               "forced": True, "if": "turn >= 2", "effects": [{"add": {"tension": 10}}]}], chance=0))
    wait(run, 1)
    assert run.value("tension") == 0
    run.choose(0)
    ev = [n for n in run.snapshot().notices if n.kind == "event"]
    assert [(n.title, n.text) for n in ev] == [("Election", "Polls close at 2.")]
    run.advance()
    wait(run, 3)
    assert run.value("tension") == 10 and run.state.fired == ["election"]
    assert run.history.events == [{"turn": 2, "id": "election", "title": "Election"}]


def test_event_chance_zero_never_draws(run_of):
    run = run_of(events_over([{"id": "e", "title": "E", "text": "t", "effects": [{"add": {"tension": 1}}], "once": False}], chance=0))
    wait(run, 6)
    assert run.value("tension") == 0


def test_random_event_once_and_repeatable(run_of):
    run = run_of(events_over([{"id": "again", "title": "Again", "text": "t", "once": False, "effects": [{"add": {"tension": 1}}]},
                              {"id": "single", "title": "Single", "text": "t", "if": "false", "effects": []}]))
    wait(run, 5)
    assert run.value("tension") == 5 and run.state.fired == ["again"] * 5
    run = run_of(events_over([{"id": "single", "title": "Single", "text": "t", "effects": [{"add": {"tension": 1}}]}]))
    wait(run, 5)
    assert run.value("tension") == 1 and run.state.fired == ["single"]


def test_random_events_are_drawn_by_weight(load):
    sc = load(events_over([
        {"id": "common", "title": "C", "text": "t", "weight": 3, "once": False},
        {"id": "rare", "title": "R", "text": "t", "weight": "1 if outcomes > 0 else 0", "once": False},
        {"id": "never", "title": "N", "text": "t", "weight": 0, "once": False},
        {"id": "ineligible", "title": "I", "text": "t", "if": "tension > 50", "once": False},
    ]))
    counts = Counter()
    for seed in range(40):
        run = Run(sc, seed)
        wait(run, 10)
        counts.update(run.state.fired)
    assert counts["never"] == 0 and counts["ineligible"] == 0
    assert sum(counts.values()) == 400           # event_chance 1: one event every quarter
    assert 2.0 < counts["common"] / counts["rare"] < 4.5, counts


def test_event_chance_is_a_probability(load):
    sc = load(events_over([{"id": "e", "title": "E", "text": "t", "once": False}], chance=0.25))
    fired = 0
    for seed in range(40):
        run = Run(sc, seed)
        wait(run, 10)
        fired += len(run.state.fired)
    assert 60 < fired < 140, fired


def test_event_goto_replaces_the_next_scene(run_of):
    run = run_of(events_over(
        [{"id": "crisis", "title": "Crisis", "text": "Call now.", "forced": True, "goto": "crisis_room"}], chance=0,
        scenes={"start": {"choices": [{"text": "Wait", "goto": "start"}, {"text": "Stop", "goto": "end"}]},
                "crisis_room": {"speaker": "bob", "text": "This is a crisis.", "choices": [{"text": "Cope", "goto": "end"}]}}))
    run.choose(0)
    run.advance()
    assert run.snapshot().scene_id == "crisis_room"
    assert play_all(run).ending.id == "fallback"


def detour(**more):
    """A story of three scenes in a row; events may take it aside to `press` (and `press` on to `minister`),
    whose choices come back with `goto: return`."""
    scenes = {
        "start": {"choices": [{"text": "On", "goto": "middle"}]},
        "middle": {"speaker": "narrator", "text": "The middle.", "choices": [{"text": "On", "goto": "last"}]},
        "last": {"speaker": "narrator", "text": "The last.", "choices": [{"text": "Stop", "goto": "end"}]},
        "press": {"speaker": "bob", "text": "The press calls.", "choices": [
            {"text": "Answer", "effects": [{"add": {"tension": 5}}], "goto": "return"},
            {"text": "Call the minister", "goto": "minister"}]},
        "minister": {"speaker": "alice", "text": "The minister.", "choices": [{"text": "Back", "goto": "return"}]},
    }
    return events_over(more.pop("events"), chance=0, scenes=scenes, **more)


PRESS = {"id": "press_call", "title": "Press", "text": "A leak.", "forced": True, "goto": "press"}


@pytest.mark.parametrize("record", [True, False])
def test_goto_return_comes_back_to_where_the_event_took_the_story_from(load, record):
    sc = load(detour(events=[PRESS]))
    assert sc.uses_return
    run = Run(sc, 0, record=record)
    run.take(0)                                  # start -> middle, but the event takes the story aside
    assert run.state.scene == "press" and run.state.returns == ["middle"]
    run.take(0)                                  # back where it was going
    assert run.state.scene == "middle" and run.state.returns == [] and run.value("tension") == 5
    run.take(0)
    run.take(0)
    assert run.state.status == "ended" and run.state.visits == {"start": 1, "press": 1, "middle": 1, "last": 1}


def test_goto_return_after_a_further_scene_and_nested_events(load):
    """A detour may go on through more scenes before it returns; two events in one quarter nest."""
    second = {"id": "second", "title": "Second", "text": "Another.", "forced": True, "goto": "minister"}
    run = Run(load(detour(events=[PRESS, second])), 0)
    run.choose(0)
    run.advance()
    assert run.state.scene == "minister" and run.state.returns == ["middle", "press"]
    run.choose(0)          # back from the second event: to the first event's scene
    run.advance()
    assert run.state.scene == "press"
    run.choose(1)          # on to the minister by name, then back: to where the story was going
    run.advance()
    run.choose(0)
    run.advance()
    assert run.state.scene == "middle" and run.state.returns == []


def test_a_detour_survives_saving_and_loading(load, tmp_path):
    from engine import read_save, write_save
    sc = load(detour(events=[PRESS]))
    run = Run(sc, 0)
    run.take(0)
    write_save(tmp_path / "s.json", run)
    again = read_save(tmp_path / "s.json", sc)
    assert again.state.returns == ["middle"]
    again.take(0)
    assert again.state.scene == "middle"


def test_scenarios_without_return_keep_no_detours(run_of):
    run = run_of(events_over(
        [{"id": "crisis", "title": "Crisis", "text": "Call now.", "forced": True, "goto": "crisis_room"}], chance=0,
        scenes={"start": {"choices": [{"text": "Wait", "goto": "start"}, {"text": "Stop", "goto": "end"}]},
                "crisis_room": {"speaker": "bob", "text": "Crisis.", "choices": [{"text": "Cope", "goto": "end"}]}}))
    run.take(0)
    assert run.state.scene == "crisis_room" and run.state.returns == [] and not run.scenario.uses_return
