"""Each debrief section on a small scenario whose right answer is known."""
from __future__ import annotations

import json

from engine.debrief import build, build_from_run

from .conftest import play
from .scenarios import DELAYED, GAP, scene


# --- the balcony gap ------------------------------------------------------------------------

def test_a_gap_never_checked_is_named_with_its_values(load_doc):
    sc = load_doc(GAP)
    run = play(sc)
    d = build(sc, run.transcript())
    bob = next(s for s in d.gap.stakeholders if s.id == "bob")
    assert bob.one_to_ones == 0 and bob.balcony_readings == 0 and bob.seen == ()
    assert bob.unseen_quarters == 3                       # three quarters of play, none looked at
    assert round(bob.final_gap) == 70 and bob.support[-1] == 85 and bob.commitment[-1] == 15
    assert len(d.gap.blind_quarters) == 3
    moment = next(m for m in d.gap.moments if m.stakeholder == "bob")
    assert "never checked" in moment.believed and "delivering 15" in moment.truth and moment.distance == 70
    assert "Alice" not in {m.name for m in d.gap.moments}   # her 2-point gap is no false belief
    q = {q.id: q for q in d.reflection}
    assert "unmet_gap" in q and "Bob Grey" in q["unmet_gap"].text and q["unmet_gap"].stage == "what_happened"
    assert 3 <= len(d.reflection) <= 5


def test_readings_the_player_took_are_kept_and_an_exact_one_ends_the_false_belief(load_doc):
    sc = load_doc(GAP)
    run = play(sc, script=[("perceive", "balcony"), ("perceive", "one_to_one", "bob")])
    d = build(sc, run.transcript())
    bob = next(s for s in d.gap.stakeholders if s.id == "bob")
    kinds = [s.kind for s in bob.seen]
    assert kinds == ["balcony", "one_to_one"] and bob.one_to_ones == 1 and bob.balcony_readings == 1
    exact = bob.seen[1]
    assert exact.lo == exact.hi == exact.true == 15
    band = bob.seen[0]
    assert band.hi - band.lo == 20 and band.lo <= 15 + 5 + 10 and band.true == 15
    assert bob.unseen_quarters == 2 and len(d.gap.blind_quarters) == 2
    assert all("never checked" not in m.believed for m in d.gap.moments if m.stakeholder == "bob")
    assert "unmet_gap" not in {q.id for q in d.reflection}


# --- the causal trace -----------------------------------------------------------------------

def test_the_delayed_choice_that_decides_the_ending_ranks_first_with_its_chain(load_doc):
    sc = load_doc(DELAYED)
    run = play(sc, script=[("choose", 1)])            # invest; then the first choice everywhere
    d = build(sc, run.transcript())
    assert d.ending.id == "good"
    top = d.trace.decisions[0]
    assert top.step == 1 and top.rank == 1 and top.text == "Invest in the partnership"
    assert top.immediate == ()                        # nothing changed at once
    assert len(top.delayed) == 1
    link = top.delayed[0]
    assert link.title == "The investment pays" and link.when == "2010 Q3"
    assert [(c.key, c.delta) for c in link.changes] == [("outcomes", 40)]
    assert top.alternative.ending.id == "poor" and top.alternative_text == "Announce a quick win"
    assert top.verdict == "better" and top.weight > 100
    assert top.triangle_delta["public_value"] == 37   # 94 against 57
    assert all(t.weight < 10 for t in d.trace.decisions[1:])
    assert d.trace.tested == 4 and d.trace.replays == 4


# --- a better path --------------------------------------------------------------------------

def test_a_path_one_choice_from_a_better_ending_is_found(load_doc):
    sc = load_doc(DELAYED)
    run = play(sc, script=[("choose", 0)])            # announce: outcomes end at 57, poor
    d = build(sc, run.transcript())
    assert d.ending.id == "poor"
    b = d.better
    assert b.found and b.certain and len(b.swaps) == 1
    s = b.swaps[0]
    assert (s.step, s.actual_text, s.text, s.when) == (1, "Announce a quick win", "Invest in the partnership", "2010 Q1")
    assert b.outcome.ending.id == "good"
    assert (b.seeds, b.seeds_better, b.seeds_baseline) == (20, 20, 0)   # no random events: every seed agrees
    assert "2010 Q1" in b.summary and "certain" in b.summary
    assert d.trace.decisions[0].verdict == "worse"


def test_no_better_path_at_the_best_ending_is_said_plainly(load_doc):
    sc = load_doc(DELAYED)
    run = play(sc, script=[("choose", 1)])
    d = build(sc, run.transcript())
    assert not d.better.found and d.better.swaps == () and d.better.outcome is None


# --- why this ending ------------------------------------------------------------------------

def test_why_names_the_ending_what_was_tried_before_and_the_next_better_one(load_doc):
    sc = load_doc(DELAYED)
    d = build(sc, play(sc, script=[("choose", 0)]).transcript())   # outcomes end at 57: poor
    assert d.why.ending.id == "poor" and d.why.condition == "fallback" and d.why.clauses == ()
    assert [e.id for e in d.why.passed_over] == ["good"]
    nb = d.why.next_better
    assert nb.ending.id == "good" and nb.condition == "outcomes >= 80" and nb.blocked_by == ()
    (part,) = nb.failed
    assert (part.value, part.target, part.holds, part.short_by) == (57, 80, False, 23)
    assert "(57)" in part.text and "80" in part.text and "short by 23" in nb.summary


def test_why_states_the_condition_that_chose_the_ending_with_its_values(load_doc):
    sc = load_doc(DELAYED)
    d = build(sc, play(sc, script=[("choose", 1)]).transcript())   # invest: outcomes end at 94
    assert d.why.ending.id == "good" and d.why.condition == "outcomes >= 80"
    (part,) = d.why.clauses
    assert (part.value, part.target, part.holds, part.short_by) == (94, 80, True, 0)
    assert "(94)" in part.text and "80" in part.text
    assert "94" in d.why.summary and "80" in d.why.summary and d.why.next_better is None
    assert d.why.triangle == {"public_value": 94, "legitimacy": 94, "capacity": 94}


# --- the pattern and the research -------------------------------------------------------------

def test_the_pattern_counts_the_choices_that_formed_it_and_sets_personas_beside_it(load_doc):
    sc = load_doc(DELAYED)
    d = build(sc, play(sc, script=[("choose", 1)]).transcript())
    p = d.pattern
    assert p.decisions == 4
    power = {st.label: st for st in p.stances}["Leadership"]
    assert (power.a.tag, power.a.count, power.a.decisions) == ("distributed", 1, (("2010 Q1", "Invest in the partnership"),))
    assert power.b.count == 0 and power.a.share == 0.25
    names = {s.persona for s in power.a.personas}
    assert names == {"systems-leader", "hero"}
    spread = {s.persona: s for s in power.a.personas}
    assert spread["systems-leader"].median == 0.25 and spread["hero"].median == 0.0   # each takes its own side
    assert "not a fixed recipe" in p.reading and "score" in p.reading


def test_research_notes_are_grouped_by_year_with_their_sections(load_doc):
    doc = dict(DELAYED)
    scenes = json.loads(json.dumps(doc["scenes"]))
    scenes["start"]["choices"][1]["debrief"] = "The research finds pay-offs arrive late (Section Four)."
    scenes["four"]["choices"][0]["debrief"] = "This is the game's model, not a finding."
    scenes["three"]["quarters"] = 4                   # so that the last decision falls in 2011
    doc["scenes"] = scenes
    sc = load_doc(doc)
    d = build(sc, play(sc, script=[("choose", 1)]).transcript())
    years = dict(d.research.years)
    assert sorted(years) == [2010, 2011]
    first = years[2010][0]
    assert first.sections == ("Section Four",) and not first.model and first.when == "2010 Q1"
    last = years[2011][0]
    assert last.model and last.sections == ()
    assert "teaching model" in d.research.caveat and "Section Three" in d.research.caveat
    assert d.research.uncited == 0


# --- the whole value ------------------------------------------------------------------------

def test_built_from_the_transcript_equals_built_from_the_live_run_and_is_json(load_doc):
    sc = load_doc(GAP)
    run = play(sc, seed=4, script=[("perceive", "balcony"), ("choose", 0), ("perceive", "one_to_one", "alice")])
    live = build_from_run(run)
    again = build(sc, json.loads(json.dumps(run.transcript())))
    assert live == again
    assert json.loads(json.dumps(live.to_dict())) == live.to_dict()


# --- reflection: the scenario's own questions ----------------------------------------------------

def test_a_scenarios_own_questions_are_asked_when_their_condition_holds(load_doc):
    doc = dict(GAP, reflection=[
        {"id": "never_met_bob", "stage": "what_happened", "if": "met.bob == 0",
         "text": "You never sat down with {bob.name}. What stopped you?"},
        {"id": "met_bob", "if": "met.bob > 0", "text": "What did the one-to-one with Bob change?"},
    ])
    sc = load_doc(doc)
    d = build(sc, play(sc).transcript())
    mine = [q for q in d.reflection if q.authored]
    assert [(q.id, q.stage, q.text) for q in mine] == [
        ("never_met_bob", "what_happened", "You never sat down with Bob Grey. What stopped you?")]
    assert d.reflection[0].id == "never_met_bob" and 3 <= len(d.reflection) <= 5
    d2 = build(sc, play(sc, script=[("perceive", "one_to_one", "bob")]).transcript())
    assert [q.id for q in d2.reflection if q.authored] == ["met_bob"]
    assert next(q for q in d2.reflection if q.authored).stage == "why"     # the default stage


def test_a_question_with_a_bad_condition_is_a_content_error_with_its_place(scenario_file):
    import pytest

    from engine import ContentError, load_scenario
    from tests.engine.helpers import line_of
    path = scenario_file(doc=dict(GAP, reflection=[{"id": "q", "if": "met.nobody == 0", "text": "Why?"},
                                                   {"id": "q2", "stage": "whenever", "text": "When?"}]))
    with pytest.raises(ContentError) as e:
        load_scenario(path)
    diags = {d.code: d for d in e.value.diagnostics}
    assert any(d.line == line_of(path, "met.nobody") for d in e.value.diagnostics), [d.format() for d in e.value.diagnostics]
    assert any("whenever" in d.message or "stage" in d.message for d in e.value.diagnostics), diags


def test_sections_are_read_in_the_forms_the_guide_documents():
    from engine.debrief.research import credits_research, is_model, sections
    assert sections("as the paper says (Ghate et al. 2013, Section Four)") == ("Section Four",)
    assert sections("(Sections Five and Eight)") == ("Section Five", "Section Eight")
    assert sections("(Executive summary; Section Five, patience)") == ("Executive summary", "Section Five")
    assert sections("no citation here") == ()
    assert is_model("In this game that is the game's model, not a finding.") and not is_model("The study found it.")
    assert credits_research("The research found") and not credits_research("A choice.")


def test_the_rule_spends_the_players_attention_before_reading_which_choices_are_open(load_doc):
    """A choice that listening opens is taken again in a changed run: the rule listens first, as the player did."""
    from .scenarios import PERCEPTION, scene
    doc = dict(DELAYED, perception=dict(PERCEPTION, listen={"cost": 1, "stories": [{"id": "s", "text": "A story."}]}),
               scenes={
                   "start": scene("One.", [{"text": "A", "goto": "two"}, {"text": "B", "goto": "two"}]),
                   "two": scene("Two.", [
                       {"text": "Act on the story", "if": "listened > 0", "effects": [{"add": {"outcomes": 40}}],
                        "goto": "end"},
                       {"text": "Carry on", "goto": "end"}]),
               })
    sc = load_doc(doc)
    run = play(sc, script=[("choose", 0), ("perceive", "listen"), ("choose", 0)])
    d = build(sc, run.transcript())
    assert d.ending.id == "good"
    first = next(t for t in d.trace.decisions if t.step == 1)
    assert first.alternative_text == "B" and first.alternative.ending.id == "good"   # listened, then acted again


def test_a_chancy_outcome_the_transcript_names_is_replayed_as_named(load_doc):
    from engine import Run
    from engine.debrief.play import Player
    doc = dict(DELAYED, scenes={
        "start": scene("One.", [{"text": "Gamble", "outcomes": [
            {"weight": 1000, "effects": [{"add": {"outcomes": -10}}]},
            {"weight": 1, "effects": [{"add": {"outcomes": 40}}]}], "goto": "end"},
            {"text": "Wait", "goto": "end"}]),
    })
    sc = load_doc(doc)
    run = Run(sc, 0)
    run.choose(0, 1)          # a tool names the unlikely outcome
    run.advance()
    assert run.state.ending == "good"
    tr = run.transcript()
    assert tr["actions"][0].get("outcome") == 1
    assert Player(sc, tr).outcome.ending.id == "good"
    assert build(sc, tr).ending.id == "good"
