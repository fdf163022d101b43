"""What the terminal shows (issue 9, "The terminal front end"): played in-process through a pipe-like
StringIO, as `printf ... | balcony play --text` would."""
from __future__ import annotations

import io
import json
import re

import pytest

from engine import Run, load_scenario
from game.textui import TextUI

from .helpers import PLAYTHROUGHS, REPO, merge
from .test_shown_numbers import RandomPlayer

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))


def play(scenario, lines, seed=1, run=None):
    out = io.StringIO()
    ui = TextUI(scenario, seed, inp=io.StringIO("".join(f"{x}\n" for x in lines)), out=out, err=io.StringIO(),
                autosave=False, run=run)
    ui.play()
    return out.getvalue()


LOCKS = {
    "meters": {"outcomes": {"range": [0, 100], "start": 50}},
    "flags": {"signed": {"start": False, "label": "Signed"}},
    "stakeholders": [{"id": "alice", "name": "Alice", "role": "Chief", "agency": "Council", "local_budget": True,
                      "trust": 50, "support": 60, "commitment": 40}],
    "scenes": {
        "start": {"speaker": "narrator", "text": "Hello.", "quarters": 0, "choices": [
            {"text": "\u201cBetter, for less.\u201d", "goto": "second", "debrief": "Said in 2010.",
             "effects": [{"later": {"turns": 1, "text": "It comes back.", "effects": []}}]},
            {"text": "Keep the rest.", "if": "outcomes > 90", "goto": "end",
             "unavailable": "Marcus would need to trust you more before putting his own money on the table."},
            {"text": "Sign it.", "if": "not signed and outcomes > 90", "goto": "end",
             "unavailable": "{if not signed}The partners don't trust the work enough yet.{end}"}]},
        "second": {"speaker": "narrator", "text": "Again.", "quarters": 4, "choices": [
            {"text": "On", "goto": "third", "debrief": "Said in 2011."}]},
        "third": {"speaker": "narrator", "text": "Three.", "choices": [{"text": "End", "goto": "end"}]},
    },
}


def test_a_locked_choice_shows_its_reason_on_a_line_of_its_own(load):
    text = play(load(LOCKS), [])
    assert "  2. Keep the rest.\n     Not open to you: Marcus would need to trust you more" in text
    assert "(Keep the rest.:" not in text


def test_a_lock_reason_may_depend_on_the_run_and_hides_the_choice_when_it_says_nothing(load):
    scenario = load(LOCKS)
    snap = Run(scenario, 1).snapshot()
    assert snap.choices[2].reason == "The partners don't trust the work enough yet."
    snap = Run.start_at(scenario, 1, None, {"signed": True}).snapshot()
    assert [c.text for c in snap.choices] == ["\u201cBetter, for less.\u201d", "Keep the rest."]


def test_total_place_the_compact_lock_does_not_show_the_engine_logic():
    scenario = load_scenario(REPO / "scenarios" / "total-place.yaml")
    unsigned = Run.start_at(scenario, 1, "partners_react", {"compact_signed": False, "national": 70})
    reasons = [c.reason for c in unsigned.snapshot().choices if not c.available]
    assert reasons and not any("Either" in r or " or " in r for r in reasons)
    signed = Run.start_at(scenario, 1, "partners_react", {"compact_signed": True})
    assert not any(c.text.startswith("Propose a local compact") for c in signed.snapshot().choices)


def test_quotes_are_not_doubled(load):
    text = play(load(LOCKS), [1, 1, 1])
    assert "\u201c\u201c" not in text and "\u201d\u201d" not in text
    assert "Because of your decision in 2010 Q1: \u201cBetter, for less.\u201d" in " ".join(text.split())
    assert "2010 Q1: \u201cBetter, for less.\u201d. Said in 2010." in " ".join(text.split())


def test_every_debrief_note_is_shown_grouped_by_year(tutorial):
    plan = json.loads((PLAYTHROUGHS / "tutorial-long-game.json").read_text())
    run = Run(tutorial, plan["seed"])
    from engine.replay import apply_action
    for action in plan["actions"][:-1]:
        if run.status == "outcome":
            run.advance()
        apply_action(run, action)
    if run.status == "outcome":
        run.advance()
    last = plan["actions"][-1]["choose"]
    pos = [c.index for c in run.snapshot().choices].index(last) + 1
    text = play(tutorial, [pos], seed=plan["seed"], run=run)
    debrief = text[text.index("[Debrief]"):]
    notes = [d for d in run.history.decisions if d.get("debrief")]
    assert len(notes) > 8
    flat = " ".join(debrief.split())
    for d in notes:
        assert " ".join(d["debrief"].split()) in flat
    years = sorted({d["label"].split()[0] for d in notes})
    assert len(years) >= 2
    heads = [ln for ln in debrief.splitlines() if ln in years]
    assert heads == years


def test_perception_shows_the_choices_again_and_the_balcony_is_short():
    scenario = load_scenario(REPO / "scenarios" / "troubled-families.yaml")

    class UpTwice(io.StringIO):
        """The balcony, then the first choice until a new quarter, then the balcony again."""
        ui, step = None, 0

        def readline(self, *a):
            self.step += 1
            snap = self.ui.run.snapshot()
            if self.step == 1 or (self.step < 50 and snap.calendar.turn > 0 and snap.balcony is None):
                return "b\n" if self.step < 50 else ""
            return "" if snap.balcony is not None and snap.calendar.turn > 0 else "1\n"

    inp, out = UpTwice(), io.StringIO()
    inp.ui = TextUI(scenario, 1, inp=inp, out=out, err=io.StringIO(), autosave=False)
    inp.ui.play()
    text = out.getvalue()
    first, second = [m.start() for m in re.finditer(r"\[From the balcony\]", text)]
    readout = text[second:]
    lines = readout[:readout.index("Your choices:")].splitlines()
    assert len(lines) <= len(scenario.stakeholders) + 8, lines
    assert scenario.perception.balcony_text[:30] not in readout      # the description once a run
    after = readout[readout.index("Your choices:"):].splitlines()
    assert after[1].startswith("  1. ")


def test_listening_and_one_to_one_show_the_choices_again(load):
    doc = merge(LOCKS, {"perception": {"attention": 3}})
    text = play(load(doc), ["l", "o 1"])
    assert text.count("Your choices:") == 2


def test_the_room_is_listed_when_it_changes_or_on_request_and_numbered_in_a_pipe(load):
    text = play(load(LOCKS), [1, "r"])
    assert "In the room: 1. Alice: Supportive" in text
    assert "In the room: as before (r shows everyone again)." in text
    assert text.count("In the room: 1. Alice") == 2             # r shows everyone again


class Restless(RandomPlayer):
    """A random player who also asks for one-to-ones when there is no attention left."""

    def readline(self, *a):
        if self.rnd.random() < 0.1:
            return "o 1\n"
        return super().readline()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_random_runs_show_no_engine_names_and_fit_the_width(path):
    scenario = load_scenario(path)
    ids = {k for k in scenario.start_values if "_" in k} | {"one_to_one"}
    for seed in range(2):
        inp, out = Restless(seed), io.StringIO()
        ui = TextUI(scenario, seed, inp=inp, out=out, err=io.StringIO(), autosave=False)
        inp.ui = ui
        ui.play()
        text = out.getvalue()
        assert "[The end]" in text
        for line in text.splitlines():
            assert len(line) <= 78, line
        words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text))
        assert not words & ids, words & ids
