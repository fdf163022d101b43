"""Perception: attention, the balcony (banded readings, hidden stakeholders, bias), listening
(stories and fallback) and one-to-ones (reveal, confides, effects with self)."""
from __future__ import annotations

import pytest

from engine import ChoiceError

from .helpers import BASE


def stakeholders(**changes):
    """BASE's stakeholders with per-id changes: stakeholders(bob={"balcony": "hidden"})."""
    out = []
    for s in BASE["stakeholders"]:
        out.append({**s, **changes.get(s["id"], {})})
    return out


TWO_QUARTERS = {"scenes": {"start": {"choices": [{"text": "Wait", "goto": "next"}]},
                           "next": {"speaker": "narrator", "text": "Later.", "choices": [{"text": "End", "goto": "end"}]}}}


def test_attention_is_spent_and_refilled_each_quarter(run_of):
    run = run_of({"perception": {"attention": 2, "balcony": {"cost": 1}, "listen": {"cost": 2}}, **TWO_QUARTERS})
    snap = run.snapshot()
    assert (snap.attention_left, snap.attention_max) == (2, 2)
    run.perceive("balcony")
    snap = run.snapshot()
    assert snap.attention_left == 1
    acts = {a.kind: a for a in snap.perception_actions}
    assert not acts["balcony"].available and "already" in acts["balcony"].reason
    assert not acts["listen"].available and acts["listen"].reason == "No attention left this quarter"
    assert acts["one_to_one"].available
    with pytest.raises(ChoiceError, match="attention"):
        run.perceive("listen")
    with pytest.raises(ChoiceError, match="already"):
        run.perceive("balcony")
    run.choose(0)
    run.advance()
    snap = run.snapshot()
    assert snap.attention_left == 2 and snap.balcony is None  # readings last until the end of the quarter


@pytest.mark.parametrize("seed", range(8))
def test_balcony_gives_banded_readings_that_contain_the_truth(run_of, seed):
    run = run_of({"perception": {"balcony": {"band": 20, "text": "From up here."}},
                  "meters": {"tension": {"range": [0, 100], "start": 35},
                             "budget": {"range": [0, 1000], "start": 400, "visible": True},
                             "morale": {"range": [0, 100], "start": 70, "balcony": False}}}, seed=seed)
    run.perceive("balcony")
    b = run.snapshot().balcony
    assert b.text == "From up here."
    assert run.state.balcony_visits == 1
    for r in b.readings:
        for key in ("trust", "commitment"):
            lo, hi = getattr(r, key)
            true = run.value(f"{r.stakeholder_id}.{key}")
            assert hi - lo == 20 and lo <= true <= hi, (r, key, true)
    # hidden meters with balcony readings (default for hidden meters); not visible ones, not balcony: false
    assert [m.id for m in b.meters] == ["outcomes", "tension"]
    for m in b.meters:
        assert m.hi - m.lo == 20 and m.lo <= run.value(m.id) <= m.hi


def test_balcony_readings_vary_with_the_seed_but_not_within_one(run_of):
    seen = set()
    for seed in range(12):
        run = run_of(seed=seed)
        run.perceive("balcony")
        seen.add(run.snapshot().balcony.readings[0].commitment)
    assert len(seen) > 1, "readings should be approximate, not the exact value every time"


def test_hidden_stakeholder_stays_in_shadow(run_of):
    run = run_of({"stakeholders": stakeholders(bob={"balcony": "hidden"})})
    run.perceive("balcony")
    readings = {r.stakeholder_id: r for r in run.snapshot().balcony.readings}
    assert readings["bob"].hidden and readings["bob"].trust is None and readings["bob"].commitment is None
    assert not readings["alice"].hidden and readings["alice"].commitment is not None


@pytest.mark.parametrize("seed", range(5))
def test_balcony_bias_reads_too_high(run_of, seed):
    run = run_of({"stakeholders": stakeholders(bob={"balcony": {"bias": 30}}),
                  "perception": {"balcony": {"band": 20}}}, seed=seed)
    run.perceive("balcony")
    bob = next(r for r in run.snapshot().balcony.readings if r.stakeholder_id == "bob")
    # true commitment 20, trust 30: with bias 30 the whole band sits above the truth
    assert bob.commitment[0] > 20 and bob.trust[0] > 30
    assert run.scenario.stakeholders["bob"].bias == 30


STORIES = {"perception": {"listen": {
    "stories": [
        {"id": "late", "if": "turn >= 1", "text": "A later story.", "effects": [{"add": {"outcomes": 1}}]},
        {"id": "kelly", "text": "Kelly counted {1 + 10} professionals.",
         "effects": [{"set": {"met_families": True}}, {"add": {"all.commitment": 2}}]},
    ],
    "fallback": "Nothing new today."}},
    "flags": {"met_families": False}}


def test_listen_plays_the_first_eligible_unheard_story_then_the_fallback(run_of):
    run = run_of({**STORIES, **TWO_QUARTERS, "perception": {**STORIES["perception"], "attention": 3}})
    run.perceive("listen")
    assert run.snapshot().insights == ("Kelly counted 11 professionals.",)
    assert run.value("met_families") is True and run.value("alice.commitment") == 42
    assert run.state.heard == {"kelly": 0}
    run.perceive("listen")
    assert run.snapshot().insights[-1] == "Nothing new today."   # 'late' is not eligible yet
    run.choose(0)
    run.advance()
    assert run.snapshot().insights == ()
    run.perceive("listen")
    assert run.snapshot().insights == ("A later story.",)
    assert run.value("outcomes") == 51
    assert any(c[4] == "story:late" and c[1] == "outcomes" for c in run.history.changes)


def test_heard_and_listened_in_expressions(run_of):
    run = run_of({**STORIES, "scenes": {"start": {
        "text": "{listened}{if heard.kelly} heard{end}",
        "choices": [{"text": "Only after listening", "if": "heard.kelly and listened == 1",
                     "unavailable": "Listen first.", "goto": "end"}]}}})
    snap = run.snapshot()
    assert snap.text == "0" and not snap.choices[0].available and snap.choices[0].reason == "Listen first."
    run.perceive("listen")
    snap = run.snapshot()
    assert snap.text == "1 heard" and snap.choices[0].available


ONE = {"perception": {"one_to_one": {"cost": 1, "effects": [{"fair": {"self.trust": 10}}, {"add": {"outcomes": "self.commitment / 10"}}]}},
       "stakeholders": stakeholders(
           bob={"confides": [{"if": "bob.commitment < 30", "text": "Off the record: {bob.commitment} is all I have."},
                             {"text": "We're in."}]})}


def test_one_to_one_reveals_confides_and_applies_effects_to_self(run_of):
    run = run_of({**ONE, "scenes": {"start": {"text": "Met Bob {met.bob} times.", "choices": [{"text": "Go", "goto": "end"}]}}})
    assert run.snapshot().revealed == ()
    run.perceive("one_to_one", "bob")
    snap = run.snapshot()
    assert snap.revealed == (("bob", 20),)
    assert snap.insights == ("Bob: Off the record: 20 is all I have.",)
    assert snap.text == "Met Bob 1 times."
    # fair +10 on trust 30 (range 0-100) moves it 10% of the way to 100
    assert run.value("bob.trust") == pytest.approx(37)
    assert run.value("alice.trust") == 50          # only the stakeholder met
    assert run.value("outcomes") == pytest.approx(52)
    assert ("bob.trust" in [c[1] for c in run.history.changes if c[4] == "perceive:one_to_one:bob"])


def test_one_to_one_confides_falls_through_to_the_unconditional_line(run_of):
    over = {**ONE}
    over["stakeholders"] = stakeholders(bob={"commitment": 80, "confides": ONE["stakeholders"][1]["confides"]})
    run = run_of(over)
    run.perceive("one_to_one", "bob")
    assert run.snapshot().insights == ("Bob: We're in.",)
    assert run.snapshot().revealed == (("bob", 80),)


def test_one_to_one_needs_a_known_stakeholder(run_of):
    run = run_of()
    with pytest.raises(ChoiceError, match="stakeholder id"):
        run.perceive("one_to_one", "carol")
    with pytest.raises(ChoiceError, match="unknown perception"):
        run.perceive("telepathy")
    assert run.snapshot().attention_left == 2


def test_balcony_visits_in_expressions(run_of):
    run = run_of({"scenes": {"start": {"text": "{balcony_visits}", "choices": [{"text": "Go", "goto": "end"}]}}})
    assert run.snapshot().text == "0"
    run.perceive("balcony")
    assert run.snapshot().text == "1"


@pytest.mark.parametrize("seed", range(6))
def test_balcony_readings_stay_inside_the_range_at_the_edges(run_of, seed):
    run = run_of({"stakeholders": stakeholders(alice={"trust": 99, "commitment": 1}, bob={"trust": 0, "commitment": 100}),
                  "meters": {"outcomes": {"range": [0, 100], "start": 99.5}, "waits": {"range": [-10, 10], "start": -10}},
                  "perception": {"balcony": {"band": 30}}}, seed=seed)
    run.perceive("balcony")
    b = run.snapshot().balcony
    for r in b.readings:
        for lo, hi in (r.trust, r.commitment):
            assert 0 <= lo and hi <= 100 and hi - lo == 30
    meters = {m.id: (m.lo, m.hi) for m in b.meters}
    assert meters["outcomes"][1] <= 100 and meters["outcomes"][0] <= 99.5
    assert meters["waits"][0] >= -10 and meters["waits"][0] <= -10 + 6


def test_met_counts_every_one_to_one(run_of):
    run = run_of({"perception": {"attention": 3},
                  "scenes": {"start": {"text": "{met.alice} {met.bob}", "choices": [{"text": "Go", "goto": "end"}]}}})
    run.perceive("one_to_one", "bob")
    run.perceive("one_to_one", "bob")
    run.perceive("one_to_one", "alice")
    assert run.snapshot().text == "1 2" and run.state.met == {"bob": 2, "alice": 1}
    assert [p["who"] for p in run.history.perceptions] == ["bob", "bob", "alice"]


@pytest.mark.parametrize("seed", range(8))
def test_balcony_readings_are_the_documented_band_drawn_from_the_runs_generator(run_of, seed):
    """Each reading: a band `band` wide whose centre is the true value plus bias, off by a uniform draw of up
    to a quarter band either way, pushed inside the range; rounded at both ends. Draws come from the run's
    one generator, stakeholder by stakeholder (trust, then commitment), then the hidden meters."""
    import random
    run = run_of({"stakeholders": stakeholders(alice={"trust": 97, "commitment": 3}, bob={"balcony": {"bias": 12}}),
                  "meters": {"outcomes": {"range": [0, 100], "start": 61.5}, "waits": {"range": [-10, 10], "start": 4}},
                  "perception": {"balcony": {"band": 20}}}, seed=seed)
    ref = random.Random()
    ref.setstate(run.rng.getstate())

    def band(v, lo, hi, width, bias=0.0):
        a = v + bias + ref.uniform(-width / 4, width / 4) - width / 2
        a = max(lo, min(hi - width, a))
        return (round(a), round(a + width))

    expected = []
    for sid, bias in (("alice", 0.0), ("bob", 12.0)):
        expected.append((band(run.value(f"{sid}.trust"), 0, 100, 20, bias),
                         band(run.value(f"{sid}.commitment"), 0, 100, 20, bias)))
    meters = {"outcomes": band(61.5, 0, 100, 20), "waits": band(4, -10, 10, 4)}
    run.perceive("balcony")
    b = run.snapshot().balcony
    assert [(r.trust, r.commitment) for r in b.readings] == expected
    assert {m.id: (m.lo, m.hi) for m in b.meters} == meters
