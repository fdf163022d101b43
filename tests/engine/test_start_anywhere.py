"""Testing from anywhere (issue 14): --start with a typo, --set turn and phase, and a detour started
directly, whose `goto: return` has nothing to return to."""
from __future__ import annotations

import pytest

from engine import ChoiceError, Run, load_scenario
from game.commands.play import _parse_sets

from .helpers import BASE, merge

PHASES = [{"id": "one", "name": "One", "on_enter": [{"add": {"outcomes": 1}}]},
          {"id": "delivering", "name": "Delivering", "on_enter": [{"add": {"outcomes": 10}}]}]
ASIDE = {"speaker": "bob", "text": "Aside.", "choices": [{"text": "Back", "goto": "return"}]}
SCENES = {"start": {"choices": [{"text": "a", "goto": "start"}, {"text": "b", "goto": "end"}]}, "aside": ASIDE}


@pytest.fixture
def sc(load):
    return load({"calendar": {"start": "2010-Q1", "end": "2012-Q4"}, "phases": PHASES, "scenes": SCENES,
                 "events": [{"id": "leak", "title": "Leak", "text": "t", "if": "turn == 5", "forced": True, "goto": "aside"}]})


def test_a_misspelt_start_scene_gets_a_did_you_mean(sc):
    with pytest.raises(ChoiceError, match="there is no scene 'asid': did you mean 'aside'"):
        Run.start_at(sc, 1, "asid")


def test_set_turn_starts_later_in_the_calendar(sc):
    run = Run.start_at(sc, 1, None, {"turn": 8})
    snap = run.snapshot()
    assert run.state.turn == 8 and snap.calendar.label == "2012 Q1"
    with pytest.raises(ChoiceError, match="from 0 to 11"):
        Run.start_at(sc, 1, None, {"turn": 12})


def test_set_a_value_outside_its_range_is_refused_not_clamped(sc):
    """--set outcomes=500 started the run at 100, and --set alice.trust=-5 at 0, without a word."""
    with pytest.raises(ChoiceError, match="'outcomes' ranges from 0 to 100: 500 is outside it"):
        Run.start_at(sc, 1, None, {"outcomes": 500})
    with pytest.raises(ChoiceError, match="'alice.trust' ranges from 0 to 100: -5 is outside it"):
        Run.start_at(sc, 1, None, {"alice.trust": -5})
    assert Run.start_at(sc, 1, None, {"outcomes": 100}).value("outcomes") == 100


def test_set_phase_moves_the_initiative_there(sc):
    run = Run.start_at(sc, 1, None, {"phase": "delivering"})
    assert run.state.phase == "delivering" and run.snapshot().phase.name == "Delivering"
    assert run.value("outcomes") == 50 + 1 + 10  # the first phase's entry, then this one's
    with pytest.raises(ChoiceError, match="did you mean 'delivering'"):
        Run.start_at(sc, 1, None, {"phase": "deliverin"})
    assert _parse_sets(["phase=delivering", "turn=8"]) == {"phase": "delivering", "turn": 8}


def test_the_warp_replays_exactly(sc):
    from engine import replay
    run = Run.start_at(sc, 4, "start", {"turn": 3, "phase": "delivering", "outcomes": 30})
    run.choose(0)
    run.advance()
    again = replay(sc, run.transcript())
    assert again.ok and again.run.state.to_dict() == run.state.to_dict()


def test_returning_from_a_detour_started_directly_says_there_is_nothing_to_return_to(sc):
    run = Run.start_at(sc, 1, "aside")
    run.choose(0)
    snap = run.snapshot()
    assert any("Nothing to return to" in n.text for n in snap.notices)
    run.advance()
    assert run.ended
    # reached through the event, the same choice goes back where the story was going
    run = Run.start_at(sc, 1, None, {"turn": 4})
    run.choose(0)
    run.advance()
    assert run.state.scene == "aside"
    run.choose(0)
    assert not any("Nothing to return to" in n.text for n in run.snapshot().notices)
    run.advance()
    assert run.state.scene == "start"
