"""The driving API: calls in the wrong phase say what to call; snapshots are frozen and JSON-able;
hidden values reach the snapshot only through perception."""
from __future__ import annotations

import dataclasses
import json

import pytest

from engine import ChoiceError, PhaseError, Run

from .helpers import BASE, play_all
from .strategies import random_player

TWO = {"scenes": {"start": {"choices": [{"text": "Go", "goto": "next"}]},
                  "next": {"speaker": "narrator", "text": "Next.", "choices": [{"text": "End", "goto": "end"}]}}}


def test_wrong_phase_calls_say_what_to_call(run_of):
    run = run_of(TWO)
    assert run.status == "choosing"
    with pytest.raises(PhaseError) as e:
        run.advance()
    assert "advance()" in str(e.value) and "'choosing'" in str(e.value) and "choose() or perceive()" in str(e.value)

    run.choose(0)
    assert run.status == "outcome"
    for call, name in ((lambda: run.choose(0), "choose(0)"), (lambda: run.perceive("balcony"), "perceive('balcony')")):
        with pytest.raises(PhaseError) as e:
            call()
        assert name in str(e.value) and "advance()" in str(e.value) and "'outcome'" in str(e.value)

    run.advance()
    run.choose(0)
    run.advance()
    assert run.status == "ended"
    for call in (run.advance, lambda: run.choose(0), lambda: run.perceive("listen")):
        with pytest.raises(PhaseError) as e:
            call()
        assert "ended" in str(e.value) and "snapshot().ending" in str(e.value)


def test_phase_error_is_a_balcony_error_and_changes_nothing(run_of):
    from engine import BalconyError
    run = run_of(TWO)
    before = run.state.to_dict()
    with pytest.raises(BalconyError):
        run.advance()
    assert run.state.to_dict() == before and run.actions == []


@pytest.mark.parametrize("bad", [-1, 1, 99, "0", None, 0.0])
def test_choose_rejects_bad_indices(run_of, bad):
    run = run_of(TWO)
    with pytest.raises(ChoiceError):
        run.choose(bad)
    assert run.status == "choosing" and run.actions == []


def test_snapshot_is_frozen_and_json_able(tutorial):
    run = Run(tutorial, 3)
    run.perceive("balcony")
    run.perceive("one_to_one", "police")
    snap = run.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.status = "ended"
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.calendar.turn = 5
    json.dumps(snap.to_dict())
    assert isinstance(snap.choices, tuple) and isinstance(snap.dance_floor, tuple)
    play_all(run, random_player(3))
    end = run.snapshot()
    json.dumps(end.to_dict())
    assert end.ending is not None and end.ending.id in {e.id for e in tutorial.endings}


# --- hidden state reaches the snapshot only through perception --------------------------------

HIDDEN = {
    "meters": {"outcomes": {"range": [0, 100], "start": 37.37}, "morale": {"range": [0, 100], "start": 61.61, "balcony": False},
               "budget": {"range": [0, 1000], "start": 512, "visible": True}},
    "stakeholders": [{**BASE["stakeholders"][0], "trust": 41.41, "commitment": 23.23, "support": 71.71},
                     {**BASE["stakeholders"][1], "trust": 52.52, "commitment": 14.14, "support": 33.33, "balcony": "hidden"}],
    "scenes": {"start": {"choices": [{"text": "Go", "goto": "start"}, {"text": "End", "goto": "end"}]}},
    "perception": {"attention": 3},
}
SECRETS = {37.37, 61.61, 41.41, 23.23, 71.71, 52.52, 14.14, 33.33}


def numbers_in(obj):
    if isinstance(obj, bool):
        return
    if isinstance(obj, (int, float)):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from numbers_in(k)
            yield from numbers_in(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from numbers_in(v)
    elif isinstance(obj, str):
        for word in obj.replace(",", " ").split():
            try:
                yield float(word)
            except ValueError:
                pass


def leaked(snap):
    return {n for n in numbers_in(snap.to_dict()) for s in SECRETS if abs(n - s) < 1e-9}


def test_hidden_values_never_reach_the_snapshot(run_of):
    run = run_of(HIDDEN)
    snap = run.snapshot()
    assert not leaked(snap)
    assert [m.value for m in snap.visible_meters] == [512]          # visible meters are exact
    assert [s.says for s in snap.dance_floor] == ["Supportive", "Sceptical"]   # stated support, as words
    fields = {f.name for f in dataclasses.fields(snap.dance_floor[0])}
    assert not fields & {"trust", "commitment", "support"}

    run.perceive("balcony")
    snap = run.snapshot()
    assert not leaked(snap)
    readings = {r.stakeholder_id: r for r in snap.balcony.readings}
    lo, hi = readings["alice"].commitment
    assert lo <= 23.23 <= hi and (lo, hi) != (23.23, 23.23) and isinstance(lo, int)
    assert readings["bob"].hidden and readings["bob"].commitment is None
    assert [m.id for m in snap.balcony.meters] == ["outcomes"]      # not morale (balcony: false), not budget (visible)

    run.perceive("one_to_one", "bob")
    snap = run.snapshot()
    assert not leaked(snap)
    assert snap.revealed == (("bob", 14),)                           # the one-to-one reveals, rounded

    run.choose(0)
    snap = run.snapshot()
    assert not leaked(snap)
    run.advance()
    snap = run.snapshot()
    assert snap.revealed == () and snap.balcony is None and not leaked(snap)   # a new quarter forgets


def test_hidden_values_stay_hidden_through_a_whole_tutorial_run(tutorial):
    run = Run(tutorial, 6)
    pick = random_player(6, perceive_rate=0)   # never perceives
    while run.status != "ended":
        snap = run.snapshot()
        assert snap.balcony is None and snap.revealed == ()
        for s in snap.dance_floor:
            assert set(dataclasses.asdict(s)) == {"id", "name", "role", "agency", "colour", "local_budget", "says",
                                                  "support_band"}
        if run.status == "outcome":
            run.advance()
        else:
            run.choose(pick(run, snap))
    shown = {m.id for m in run.snapshot().visible_meters}
    assert shown == {m.id for m in tutorial.meters.values() if m.visible}
    assert "outcomes" not in shown


def test_the_debrief_gets_the_full_history(tutorial):
    run = Run(tutorial, 6)
    play_all(run, random_player(6))
    h = run.history
    assert len(h.decisions) == run.state.decisions > 0
    assert all({"turn", "scene", "choice", "text", "tags", "debrief"} <= set(d) for d in h.decisions)
    assert h.changes and all(len(c) == 5 and c[4] for c in h.changes)
    assert {c[4].split(":")[0] for c in h.changes} >= {"choice", "rule"}
    assert h.timeline[0]["turn"] == 0 and h.timeline[-1]["vals"] == run.state.vals
    assert len(h.timeline) >= run.state.turn + 1
    for change in h.changes:                    # every recorded change is consistent with the value range
        lo, hi, _ = tutorial.ranges.get(change[1], (None, None, None))
        if lo is not None:
            assert lo <= change[3] <= hi


def test_run_without_recording_plays_the_same(tutorial):
    a, b = Run(tutorial, 9), Run(tutorial, 9, record=False)
    play_all(a, random_player(9))
    play_all(b, random_player(9))
    assert a.state.vals == b.state.vals and a.state.ending == b.state.ending
    assert b.history.changes == [] and a.history.changes
