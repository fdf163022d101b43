"""Language constructs that declare state: metadata, calendar, meters, flags, stakeholder values,
groups and computed values. Each test loads a small inline scenario and runs it."""
from __future__ import annotations

import pytest

from engine import ContentError, Run, read_metadata

from .helpers import BASE, play_all


def one_choice(effects=None, **choice):
    """Scenes override: a start scene whose only choice has these effects and goes to `end`."""
    ch = {"text": "Go", "goto": "end", **choice}
    if effects is not None:
        ch["effects"] = effects
    return {"scenes": {"start": {"choices": [ch]}}}


# --- metadata -------------------------------------------------------------------------

def test_metadata_is_loaded_and_readable_quickly(load, scenario_file):
    over = {
        "title": "Hartley Vale", "version": 2.5, "summary": "One paragraph.",
        "setting": {"place": "Hartley", "years": [2012, 2013]}, "role": "Director",
        "themes": ["power", "conflict"], "length_minutes": 7, "credits": ["Written by a tester"],
        "sources": [{"id": "synthesis", "cite": "Ghate et al. (2013)", "url": "http://example.org"}],
    }
    sc = load(over)
    assert (sc.id, sc.title, sc.version, sc.summary) == ("mini", "Hartley Vale", "2.5", "One paragraph.")
    assert (sc.place, sc.years, sc.role) == ("Hartley", (2012, 2013), "Director")
    assert sc.themes == ("power", "conflict") and sc.length_minutes == 7
    assert sc.credits == ("Written by a tester",)
    assert sc.sources == ({"id": "synthesis", "cite": "Ghate et al. (2013)", "url": "http://example.org"},)
    meta = read_metadata(scenario_file(over))
    assert meta["id"] == "mini" and meta["title"] == "Hartley Vale" and meta["version"] == "2.5"
    assert meta["place"] == "Hartley" and meta["years"] == [2012, 2013] and meta["length_minutes"] == 7
    assert meta["themes"] == ["power", "conflict"] and meta["role"] == "Director"
    snap = Run(sc, 0).snapshot()
    assert snap.scenario_id == "mini" and snap.scenario_title == "Hartley Vale"


# --- calendar -------------------------------------------------------------------------

def test_calendar_counts_quarters_and_exposes_year_and_quarter(run_of):
    run = run_of({
        "calendar": {"start": "2010-Q3"},
        "scenes": {
            "start": {"quarters": 2, "choices": [{"text": "Wait", "goto": "later"}]},
            "later": {"speaker": "narrator", "text": "It is {year} Q{quarter}, turn {turn}.",
                      "choices": [{"text": "Stop", "goto": "end"}]},
        },
    })
    snap = run.snapshot()
    assert (snap.calendar.turn, snap.calendar.year, snap.calendar.quarter, snap.calendar.label) == (0, 2010, 3, "2010 Q3")
    run.choose(0)
    quarters = [n for n in run.snapshot().notices if n.kind == "quarter"]
    assert [n.title for n in quarters] == ["2010 Q4", "2011 Q1"]
    run.advance()
    snap = run.snapshot()
    assert snap.calendar.label == "2011 Q1" and snap.calendar.turn == 2
    assert snap.text == "It is 2011 Q1, turn 2."


def test_calendar_end_ends_the_run(run_of):
    run = run_of({
        "calendar": {"start": "2010-Q1", "end": "2010-Q2"},
        "scenes": {"start": {"choices": [{"text": "Again", "goto": "start"}]}},
    })
    turns = 0
    while run.status != "ended":
        if run.status == "outcome":
            run.advance()
        else:
            run.choose(0)
            turns += 1
        assert turns < 10
    # start Q1; Q2 is the last quarter; passing it ends the run
    assert run.state.turn == 2 and turns == 2
    assert run.snapshot().ending.id == "fallback"


# --- meters ---------------------------------------------------------------------------

@pytest.mark.parametrize("op, amount, expected", [
    ("add", 2.6, 8),      # int meters round after each change
    ("add", 100, 10),     # clamped to the top of the range
    ("add", -100, 0),     # and the bottom
    ("set", 3.4, 3),
    ("set", -7, 0),
])
def test_int_meter_rounds_and_clamps(run_of, op, amount, expected):
    run = run_of({"meters": {"staff": {"type": "int", "range": [0, 10], "start": 5}},
                  **one_choice([{op: {"staff": amount}}])})
    run.choose(0)
    assert run.value("staff") == expected
    assert isinstance(run.value("staff"), int)


@pytest.mark.parametrize("record", [True, False])
def test_adding_several_amounts_rounds_and_clamps_each_alike_recorded_or_not(load, record):
    """`add` of constants to several values at once (its own fast path when a run does not record)."""
    sc = load({"meters": {"staff": {"type": "int", "range": [0, 10], "start": 5},
                          "money": {"type": "int", "range": [0, 10], "start": 5},
                          "mood": {"type": "int", "range": [0, 10], "start": 5},
                          "outcomes": {"range": [0, 100], "start": 50}},
               **one_choice([{"add": {"staff": 6, "money": -6, "mood": 2.6, "outcomes": 0.25}}])})  # one past each end
    run = Run(sc, 0, record=record)
    run.take(0)
    assert {k: run.value(k) for k in ("staff", "money", "mood", "outcomes")} == \
        {"staff": 10, "money": 0, "mood": 8, "outcomes": 50.25}
    assert all(isinstance(run.value(k), int) for k in ("staff", "money", "mood"))
    if record:
        assert [c[1:4] for c in run.history.changes] == [("staff", 5, 10), ("money", 5, 0), ("mood", 5, 8),
                                                         ("outcomes", 50, 50.25)]


@pytest.mark.parametrize("op, amount, expected", [
    ("add", 0.25, 50.25),
    ("add", 70, 100),
    ("add", -70, 0),
    ("set", "outcomes / 4", 12.5),
])
def test_number_meter_keeps_fractions_and_clamps(run_of, op, amount, expected):
    run = run_of(one_choice([{op: {"outcomes": amount}}]))
    run.choose(0)
    assert run.value("outcomes") == pytest.approx(expected)


def test_meter_start_defaults_labels_and_visibility(run_of):
    run = run_of({"meters": {
        "budget": {"label": "Budget (£k)", "range": [0, 500], "start": 120, "visible": True, "kind": "capacity"},
        "quiet_thing": {"range": [0, 1], "start": 0.5},
    }})
    sc = run.scenario
    assert sc.meters["budget"].label == "Budget (£k)" and sc.meters["budget"].kind == "capacity"
    assert sc.meters["quiet_thing"].label == "Quiet thing" and sc.meters["quiet_thing"].kind == "other"
    visible = run.snapshot().visible_meters
    assert [(m.id, m.label, m.value, m.lo, m.hi, m.kind) for m in visible] == [
        ("budget", "Budget (£k)", 120, 0, 500, "capacity")]


# --- flags ----------------------------------------------------------------------------

def test_flags_short_and_long_form_set_and_test(run_of):
    run = run_of({
        "flags": {"met_families": False, "deal": {"start": True, "label": "Deal signed"}},
        "scenes": {"start": {"text": "{if deal}Deal.{end}{if met_families}Heard.{end}", "choices": [
            {"text": "Listen", "effects": [{"set": {"met_families": True, "deal": "outcomes > 60"}}], "goto": "next"}]},
            "next": {"speaker": "narrator", "text": "{if deal}Deal.{else}No deal.{end} {if met_families}Heard.{end}",
                     "choices": [{"text": "Only if heard", "if": "met_families and not deal", "goto": "end"}]}},
    })
    assert run.scenario.flags["deal"].label == "Deal signed"
    assert run.snapshot().text == "Deal."
    run.choose(0)
    assert run.value("met_families") is True and run.value("deal") is False
    run.advance()
    snap = run.snapshot()
    assert snap.text == "No deal. Heard."
    assert [c.available for c in snap.choices] == [True]


# --- stakeholder values ---------------------------------------------------------------

def test_stakeholder_values_declared_defaulted_and_changed(run_of):
    over = {
        "stakeholder_values": {"influence": {"range": [0, 10], "start": 5, "type": "int"}},
        **one_choice([{"add": {"alice.influence": 2.4, "bob.trust": -40}}, {"set": {"outcomes": "alice.influence * 10"}}]),
    }
    over["stakeholders"] = [dict(s) for s in BASE["stakeholders"]]
    over["stakeholders"][0]["influence"] = 8
    run = run_of(over)
    assert run.value("alice.influence") == 8 and run.value("bob.influence") == 5
    assert run.value("alice.trust") == 50 and run.value("bob.commitment") == 20
    run.choose(0)
    assert run.value("alice.influence") == 10    # 8 + 2.4 clamped to 10
    assert run.value("bob.trust") == 0           # core values clamp to 0-100
    assert run.value("outcomes") == 100


def test_stakeholder_attributes_in_expressions_and_text(run_of):
    run = run_of({"scenes": {"start": {
        "speaker": "alice",
        "text": "{alice.name}, {alice.role} at {alice.agency}.{if alice.local_budget and not bob.local_budget} Holds the purse.{end}",
        "choices": [{"text": "Go", "goto": "end"}]}}})
    snap = run.snapshot()
    assert snap.text == "Alice, Chief at Council. Holds the purse."
    assert (snap.speaker.id, snap.speaker.name, snap.speaker.role, snap.speaker.agency) == ("alice", "Alice", "Chief", "Council")
    assert [(s.id, s.local_budget) for s in snap.dance_floor] == [("alice", True), ("bob", False)]


# --- groups ---------------------------------------------------------------------------

def test_groups_by_list_and_by_where(run_of):
    run = run_of({
        "groups": {"pair": ["bob"], "holders": {"where": "local_budget"}, "trusting": {"where": "trust >= 40"},
                   "nobody_yet": {"where": "commitment > 90"}},
        **one_choice([{"add": {"holders.trust": 10}}, {"add": {"pair.support": -30}}, {"add": {"all.commitment": 1}}]),
    })
    g = run.scenario.groups
    assert g["all"] == ("alice", "bob") and g["pair"] == ("bob",)
    assert g["holders"] == ("alice",) and g["trusting"] == ("alice",) and g["nobody_yet"] == ()
    run.choose(0)
    assert (run.value("alice.trust"), run.value("bob.trust")) == (60, 30)
    assert (run.value("alice.support"), run.value("bob.support")) == (60, 40)
    assert (run.value("alice.commitment"), run.value("bob.commitment")) == (41, 21)


def test_a_group_effect_reads_each_members_own_value_by_the_group_name(run_of):
    # all.support moves a tenth of the way towards each member's own commitment
    run = run_of({**one_choice([{"add": {"all.support": "(all.commitment - all.support) / 10"}}])})
    run.choose(0)
    assert run.value("alice.support") == 58   # 60 + (40 - 60) / 10
    assert run.value("bob.support") == 65     # 70 + (20 - 70) / 10


def test_group_aggregates_in_expressions(run_of):
    run = run_of({"groups": {"pair": ["alice", "bob"]}, "scenes": {"start": {
        "text": "{sum(all.trust)} {mean(pair.support)} {min(all.commitment)} {max(all.commitment)} {count(all.trust >= 40)}",
        "choices": [{"text": "Go", "goto": "end"}]}}})
    assert run.snapshot().text == "80 65 20 40 1"


# --- computed values ------------------------------------------------------------------

def test_computed_values_follow_the_state(run_of):
    run = run_of({
        "computed": {"gap": "mean(all.support) - mean(all.commitment)", "wide": "gap > 30"},
        "scenes": {"start": {"text": "Gap {gap}.{if wide} Wide.{end}", "choices": [
            {"text": "Close it", "effects": [{"add": {"all.commitment": 20}}], "goto": "next"}]},
            "next": {"speaker": "narrator", "text": "Gap {gap}.{if wide} Wide.{end}",
                     "choices": [{"text": "End", "goto": "end"}]}},
    })
    assert run.snapshot().text == "Gap 35. Wide."
    run.choose(0)
    run.advance()
    assert run.snapshot().text == "Gap 15."   # the cached value was refreshed by the change
    assert run.evaluate(run.scenario.computed["gap"]) == pytest.approx(15)


def test_computed_value_cannot_be_written(diags_of):
    p, diags = diags_of({"computed": {"gap": "outcomes - 10"}, **one_choice([{"add": {"gap": 1}}])})
    assert any(d.code == "BAL021" and "computed" in d.message for d in diags)


def test_undeclared_names_are_refused(load):
    with pytest.raises(ContentError) as e:
        load(one_choice([{"add": {"outcomes": "missing_meter + 1"}}]))
    assert any(d.code == "BAL021" and "missing_meter" in d.message for d in e.value.diagnostics)


def test_play_all_helper_reaches_the_end(run_of):
    assert play_all(run_of()).ending.id == "fallback"
