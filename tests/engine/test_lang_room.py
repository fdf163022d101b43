"""Who is in the room (issue 14): a scene's `present`, which the dance floor, one-to-ones, the personas and
the terminal follow; and a cast of minor characters who may speak. Small inline scenarios."""
from __future__ import annotations

import pytest

from engine import ChoiceError, Run
from engine.tools import personas as P

from .helpers import BASE, balcony, dump, merge

ROOM = {"cast": [{"id": "reporter", "name": "Jo Reed", "role": "Reporter, the Gazette"}],
        "scenes": {"start": {"speaker": "reporter", "text": "Jo asks for a quote.", "present": ["bob"],
                             "choices": [{"text": "On to the café", "goto": "cafe"}]},
                   "cafe": {"speaker": "alice", "text": "Only Alice is here.",
                            "choices": [{"text": "Leave", "goto": "end"}]}}}


def test_the_dance_floor_and_one_to_ones_follow_present(load):
    run = Run(load(ROOM), 0)
    snap = run.snapshot()
    assert [p.id for p in snap.dance_floor] == ["bob"] and run.in_room() == ("bob",)
    with pytest.raises(ChoiceError, match="Alice is not in the room in this scene; in the room: bob"):
        run.perceive("one_to_one", "alice")
    run.perceive("one_to_one", "bob")
    run.choose(0)
    run.advance()
    # no 'present': everyone, as before
    assert [p.id for p in run.snapshot().dance_floor] == ["alice", "bob"]


def test_with_nobody_in_the_room_a_one_to_one_is_not_offered(load, scenario_file, tmp_path):
    """`present: []`: the terminal offered '[o N] hold a one-to-one', and 'o 1' answered "Whom? Type o and a
    number from the room, for example: o 1", the very thing just typed."""
    empty = merge(ROOM, {})
    empty["scenes"]["start"]["present"] = []
    run = Run(load(empty), 0)
    (one,) = [a for a in run.snapshot().perception_actions if a.kind == "one_to_one"]
    assert not one.available and one.reason == "Nobody is in the room for a one-to-one"
    assert all(a.available for a in run.snapshot().perception_actions if a.kind != "one_to_one")
    p = scenario_file(empty)
    r = balcony(tmp_path, "play", p, "--text", "--seed", "1", "--no-autosave", input="o 1\nq\n")
    assert "Nobody is in the room for a one-to-one" in r.stdout and "Whom?" not in r.stdout, r.stdout


def test_a_cast_member_speaks_without_hidden_values(load):
    sc = load(ROOM)
    run = Run(sc, 0)
    sp = run.snapshot().speaker
    assert (sp.id, sp.name, sp.role) == ("reporter", "Jo Reed", "Reporter, the Gazette")
    assert not any(k.startswith("reporter.") for k in run.state.vals)
    assert "reporter" not in sc.stakeholders


def test_personas_meet_only_whoever_is_in_the_room(load):
    run = Run(load(ROOM), 0)
    P.perceive(run, P.Persona("attentive", "first", {}, ("one_to_one",)), None)
    assert list(run.state.met) == ["bob"]


def test_present_and_cast_are_checked(diags_of):
    bad = merge(ROOM, {})
    bad["scenes"]["start"]["present"] = ["bobb", "reporter"]
    bad["scenes"]["cafe"]["speaker"] = "reportr"
    p, diags = diags_of(bad)
    msgs = [d.message for d in diags if d.code == "BAL021"]
    assert any("'bobb' is not a stakeholder: did you mean 'bob'?" in m for m in msgs)
    assert any("'reporter' is a cast member" in m for m in msgs)
    assert any("did you mean 'reporter'?" in m and "cast" in m for m in msgs)
    clash = merge(ROOM, {"cast": [{"id": "alice", "name": "A", "role": "r"}]})
    p, diags = diags_of(clash)
    assert any(d.code == "BAL042" and "both a stakeholder and a cast member" in d.message for d in diags)


def test_the_terminal_offers_only_whoever_is_in_the_room(tmp_path):
    p = tmp_path / "room.yaml"
    p.write_text(dump(merge(BASE, ROOM)), encoding="utf-8")
    r = balcony(tmp_path, "play", p, "--text", "--seed", "1", "--no-autosave", input="r\no 2\no 1\n")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "Jo Reed, Reporter, the Gazette\n" in r.stdout      # a cast member has no agency to show
    assert "In the room: 1. Bob: Supportive\n" in r.stdout
    assert "Alice" not in r.stdout and "real commitment, as far as you can now tell: 20" in r.stdout
