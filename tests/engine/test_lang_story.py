"""The story: scenes, text (interpolation and conditional fragments), choices, end scenes,
effects, the strategic triangle and endings."""
from __future__ import annotations

import pytest

from engine import ChoiceError

from .helpers import BASE, play_all


def scene(text="Hello.", choices=None, **more):
    return {"speaker": "narrator", "text": text, "choices": choices or [{"text": "Go", "goto": "end"}], **more}


def start(text="Hello.", choices=None, **more):
    return {"scenes": {"start": scene(text, choices, **more)}}


# --- scenes and text ------------------------------------------------------------------

def test_scene_speaker_title_and_interpolated_text(run_of):
    run = run_of({"meters": {"budget": {"range": [0, 5000], "start": 1200.4}}, "scenes": {"start": {
        "speaker": "bob", "title": "The board", "text": "{bob.name} says: budget {budget}, {round(mean(all.trust))} trust, "
                                                      "{outcomes > 10} {{braces}}.\n\nSecond paragraph."}}})
    snap = run.snapshot()
    assert snap.scene_id == "start" and snap.scene_title == "The board"
    assert snap.speaker.id == "bob" and snap.speaker.name == "Bob"
    assert snap.text == "Bob says: budget 1200, 40 trust, yes {braces}.\n\nSecond paragraph."


@pytest.mark.parametrize("outcomes, expected", [(10, "Low."), (50, "Middle."), (90, "High.")])
def test_conditional_fragments_if_elif_else_end(run_of, outcomes, expected):
    run = run_of({"meters": {"outcomes": {"range": [0, 100], "start": outcomes}},
                  **start("{if outcomes < 30}Low.{elif outcomes < 70}Middle.{else}High.{end}")})
    assert run.snapshot().text == expected


def test_nested_fragments_and_blank_lines_are_tidied(run_of):
    run = run_of(start("One.\n\n{if outcomes > 10}{if bob.trust > 90}Never.{else}Nested.{end}{end}\n\n\n\n"
                       "{if false}Gone.{end}\n\nTwo."))
    assert run.snapshot().text == "One.\n\nNested.\n\nTwo."


def test_scene_on_enter_visits_and_quarters(run_of):
    run = run_of({"scenes": {
        "start": scene("Visit {visits.start}.", [{"text": "Again", "goto": "start"}, {"text": "Stop", "goto": "end"}],
                       quarters=0, on_enter=[{"add": {"outcomes": 5}}])}})
    assert run.snapshot().text == "Visit 1." and run.value("outcomes") == 55
    run.choose(0)
    assert run.state.turn == 0            # quarters: 0 keeps the calendar still
    run.advance()
    assert run.snapshot().text == "Visit 2." and run.value("outcomes") == 60
    assert [c[4] for c in run.history.changes] == ["scene:start", "scene:start"]


# --- choices --------------------------------------------------------------------------

CHOICES = start("Pick.", [
    {"text": "Announce targets", "tags": ["doing", "hold_power", "hero"], "effects": [{"add": {"outcomes": 6}}],
     "debrief": "Command wins early.", "cite": "Section Four", "result": "The press loves it, {bob.name}.",
     "goto": "after"},
    {"text": "Write them together", "if": "alice.trust >= 60", "unavailable": "Alice does not trust you enough yet.",
     "tags": ["relating", "cede_power"], "goto": "after"},
    {"text": "A secret door", "if": "bob.trust > 50", "goto": "after"},
    {"text": "Co-design with {bob.name}", "tags": ["my_tag"], "goto": "after"},
])
CHOICES["tags"] = ["my_tag"]
CHOICES["scenes"]["after"] = scene("Hero {tags.hero}, mine {tags.my_tag}.", [{"text": "End", "goto": "end"}])


def test_choices_available_unavailable_and_hidden(run_of):
    run = run_of(CHOICES)
    snap = run.snapshot()
    assert [(c.index, c.text, c.available, c.reason) for c in snap.choices] == [
        (0, "Announce targets", True, None),
        (1, "Write them together", False, "Alice does not trust you enough yet."),
        (3, "Co-design with Bob", True, None),      # choice 2 is hidden: no `unavailable` reason
    ]
    assert [c.index for c in snap.available_choices] == [0, 3]
    assert run.available_indices() == [0, 3]
    with pytest.raises(ChoiceError, match="not available.*Alice does not trust"):
        run.choose(1)
    with pytest.raises(ChoiceError, match="not available"):
        run.choose(2)
    with pytest.raises(ChoiceError, match="no choice 7"):
        run.choose(7)
    assert run.status == "choosing" and run.state.decisions == 0


def test_choice_tags_result_debrief_and_goto(run_of):
    run = run_of(CHOICES)
    assert run.snapshot().choices[0].tags == ("doing", "hold_power", "hero")
    run.choose(0)
    snap = run.snapshot()
    assert snap.status == "outcome"
    assert snap.notices[0].kind == "result" and snap.notices[0].text == "The press loves it, Bob."
    assert run.state.tags == {"doing": 1, "hold_power": 1, "hero": 1}
    d = run.history.decisions[0]
    assert (d["scene"], d["choice"], d["text"], d["tags"]) == ("start", 0, "Announce targets", ["doing", "hold_power", "hero"])
    assert d["debrief"] == "Command wins early. (Section Four)"
    run.advance()
    assert run.snapshot().scene_id == "after" and run.snapshot().text == "Hero 1, mine 0."


def test_choice_becomes_available_when_its_condition_holds(run_of):
    people = [{**BASE["stakeholders"][0], "trust": 60}, {**BASE["stakeholders"][1], "trust": 80}]
    run = run_of({**CHOICES, "stakeholders": people})
    assert run.available_indices() == [0, 1, 2, 3]
    run.choose(3)
    run.advance()
    assert run.snapshot().text == "Hero 0, mine 1."


def test_goto_end_ends_the_run(run_of):
    run = run_of(start("Go.", [{"text": "Leave", "goto": "end", "effects": [{"add": {"outcomes": 1}}]}]))
    run.choose(0)
    assert run.status == "outcome" and run.state.turn == 0   # no quarter passes once the end is asked for
    run.advance()
    snap = run.snapshot()
    assert snap.status == "ended" and snap.ending.id == "fallback" and run.value("outcomes") == 51


def test_end_scene_ends_the_run_when_entered(run_of):
    run = run_of({"scenes": {"start": scene("Go.", [{"text": "Finish", "goto": "finale"}]),
                             "finale": {"speaker": "alice", "text": "It is over, {alice.name}.", "end": True,
                                        "on_enter": [{"add": {"outcomes": 10}}]}}})
    run.choose(0)
    run.advance()
    snap = run.snapshot()
    assert snap.status == "ended" and snap.scene_id == "finale"
    assert snap.text == "It is over, Alice." and run.value("outcomes") == 60
    assert snap.choices == () and snap.ending.id == "fallback"


# --- effects ----------------------------------------------------------------------------

@pytest.mark.parametrize("start_value, pct, expected", [
    (50, 20, 60),     # 20% of the way from 50 to 100
    (50, -20, 40),    # 20% of the way from 50 down to 0
    (90, 50, 95),     # shrinks near the top
    (10, -50, 5),     # and near the bottom
    (100, 30, 100),
    (40, 250, 100),   # percentages are capped at 100
])
def test_fair_is_fairmath(run_of, start_value, pct, expected):
    run = run_of({"meters": {"outcomes": {"range": [0, 100], "start": start_value}},
                  **start(choices=[{"text": "Go", "goto": "end", "effects": [{"fair": {"outcomes": pct}}]}])})
    run.choose(0)
    assert run.value("outcomes") == pytest.approx(expected)


def test_fair_on_an_offset_range_and_a_group(run_of):
    run = run_of({"meters": {"budget": {"range": [100, 300], "start": 200}},
                  **start(choices=[{"text": "Go", "goto": "end",
                                    "effects": [{"fair": {"budget": 50, "all.trust": "10 * 2"}}]}])})
    run.choose(0)
    assert run.value("budget") == 250
    assert run.value("alice.trust") == pytest.approx(60) and run.value("bob.trust") == pytest.approx(44)


def test_conditional_effects(run_of):
    run = run_of(start(choices=[{"text": "Go", "goto": "end", "effects": [
        {"if": "outcomes > 40", "then": [{"add": {"outcomes": 1}}, {"if": "bob.trust > 90", "then": [{"add": {"outcomes": 100}}],
                                                                    "else": [{"add": {"alice.trust": 2}}]}],
         "else": [{"add": {"outcomes": -50}}]},
        {"if": "outcomes > 99", "then": [{"set": {"outcomes": 0}}]},
    ]}]))
    run.choose(0)
    assert run.value("outcomes") == 51 and run.value("alice.trust") == 52


def test_group_targets_and_expressions_per_member(run_of):
    run = run_of({"groups": {"holders": {"where": "local_budget"}},
                  **start(choices=[{"text": "Go", "goto": "end", "effects": [
                      {"add": {"all.trust": "self.commitment / 10"}},     # `self` is each member in turn
                      {"set": {"holders.support": 99}}]}])})
    run.choose(0)
    assert run.value("alice.trust") == 54 and run.value("bob.trust") == 32
    assert run.value("alice.support") == 99 and run.value("bob.support") == 70


LATER = {"scenes": {"start": scene("Q{quarter}", [
    {"text": "Cut the budget", "goto": "start",
     "effects": [{"later": {"turns": 2, "title": "The cuts bite", "text": "Waiting lists grow to {outcomes}.",
                            "effects": [{"add": {"outcomes": -20}}]}}]},
    {"text": "Wait", "goto": "start"}, {"text": "Stop", "goto": "end"}])}}


def test_later_effects_land_n_quarters_later_with_their_notice_and_cause(run_of):
    run = run_of(LATER)
    run.choose(0)
    assert run.value("outcomes") == 50 and len(run.state.pending) == 1
    assert not [n for n in run.snapshot().notices if n.kind == "delayed"]
    run.advance()
    run.choose(1)
    delayed = [n for n in run.snapshot().notices if n.kind == "delayed"]
    assert len(delayed) == 1
    n = delayed[0]
    assert n.title == "The cuts bite" and n.text == "Waiting lists grow to 50."   # text before its effects
    assert n.cause == "Because of your decision in 2010 Q1: \u201cCut the budget\u201d"
    assert run.value("outcomes") == 30 and run.state.pending == []
    cause = [c[4] for c in run.history.changes if c[1] == "outcomes"]
    assert len(cause) == 1 and cause[0].startswith("later:") and cause[0].endswith("|choice:start#0")


def test_later_effects_from_an_event_name_the_event(run_of):
    run = run_of({**LATER, "event_chance": 0, "events": [{"id": "storm", "title": "Storm", "text": "Rain.", "forced": True,
                                                          "effects": [{"later": {"turns": 1, "text": "Floods.", "effects": [{"add": {"outcomes": 1}}]}}]}]})
    run.choose(1)
    run.advance()
    run.choose(1)
    n = [n for n in run.snapshot().notices if n.kind == "delayed"][0]
    assert n.title == "A delayed consequence" and n.text == "Floods."
    assert n.cause == "Following an event in 2010 Q2"
    assert run.value("outcomes") == 51


def test_end_effect_ends_the_run_after_the_scene(run_of):
    run = run_of({"scenes": {"start": scene("Go.", [{"text": "Resign", "goto": "next", "effects": [{"end": True}]}]),
                             "next": scene("Never shown.")}})
    run.choose(0)
    assert run.state.turn == 0
    run.advance()
    assert run.status == "ended" and run.snapshot().scene_id == "start"


def test_every_change_is_recorded_with_its_cause(run_of):
    run = run_of(start(choices=[{"text": "Go", "goto": "end", "effects": [{"add": {"outcomes": 5, "alice.trust": 0}}]}]))
    run.choose(0)
    assert run.history.changes == [(0, "outcomes", 50, 55, "choice:start#0")]   # a zero change is not a change


# --- triangle and endings ---------------------------------------------------------------

ENDINGS = {
    "meters": {"political": {"range": [0, 100], "start": 50}, "staff": {"range": [0, 100], "start": 50}},
    "triangle": {"public_value": "outcomes", "legitimacy": "political", "capacity": "(mean(all.trust) + staff) / 2"},
    "endings": [
        {"id": "muddled", "title": "Muddling through", "quality": "mixed", "fallback": True, "text": "Muddled."},
        {"id": "good", "title": "Good", "quality": "good", "if": "public_value >= 60", "text": "Good: {round(triangle.public_value)}."},
        {"id": "best", "title": "Best", "quality": "best", "priority": 10,
         "if": "public_value >= 60 and legitimacy >= 60 and triangle.capacity >= 40", "text": "Best."},
        {"id": "poor", "title": "Poor", "quality": "poor", "priority": 5, "if": "legitimacy < 20", "text": "Poor."},
    ],
    **start(choices=[
        {"text": "Both", "goto": "end", "effects": [{"set": {"outcomes": 70, "political": 70}}]},
        {"text": "Outcomes", "goto": "end", "effects": [{"set": {"outcomes": 70}}]},
        {"text": "Crash", "goto": "end", "effects": [{"set": {"outcomes": 70, "political": 10}}]},
        {"text": "Nothing", "goto": "end"}]),
}


@pytest.mark.parametrize("choice, ending, quality", [(0, "best", "best"), (1, "good", "good"), (2, "poor", "poor"),
                                                     (3, "muddled", "mixed")])
def test_endings_by_priority_with_a_fallback(run_of, choice, ending, quality):
    run = run_of(ENDINGS)
    assert [e.id for e in run.scenario.endings] == ["best", "poor", "good", "muddled"]
    run.choose(choice)
    run.advance()
    e = run.snapshot().ending
    assert (e.id, e.quality) == (ending, quality)
    assert set(e.triangle) == {"public_value", "legitimacy", "capacity"}
    if ending == "good":
        assert e.text == "Good: 70." and e.title == "Good"


def test_triangle_scores(run_of):
    run = run_of(ENDINGS)
    assert run.triangle() == {"public_value": 50.0, "legitimacy": 50.0, "capacity": 45.0}
    run.choose(0)
    run.advance()
    assert run.snapshot().ending.triangle == {"public_value": 70.0, "legitimacy": 70.0, "capacity": 45.0}
    assert run.history.timeline[-1]["triangle"] == run.snapshot().ending.triangle


def test_a_declared_name_wins_over_the_triangles_bare_name(run_of):
    run = run_of({**ENDINGS, "meters": {**ENDINGS["meters"], "capacity": {"range": [0, 100], "start": 3}},
                  "scenes": {"start": scene("{capacity} {triangle.capacity}")}})
    assert run.snapshot().text == "3 45"


def test_play_to_an_ending_with_the_helper(run_of):
    assert play_all(run_of(ENDINGS)).ending.id == "best"


def test_the_triangle_is_exact_and_shown_once_by_the_one_rounding_rule(run_of):
    """37.46 is shown as 37 everywhere: rounded to 0.1 first (37.5), it showed 38 on the ending screen while the
    ending's explanation said 37."""
    from engine.views import shown
    run = run_of({**ENDINGS, "triangle": {**ENDINGS["triangle"], "public_value": "outcomes * 0.7492"}})
    assert run.triangle()["public_value"] == pytest.approx(37.46)
    run.choose(3)
    run.advance()
    e = run.snapshot().ending
    assert shown(e.triangle["public_value"]) == 37
