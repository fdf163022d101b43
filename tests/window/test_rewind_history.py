"""The window's one-step rewind restores the run from the save taken before the last decision: that save
must not grow with the run (its history shared the live run's lists, so the undone decision stayed in
what the debrief reads)."""
from __future__ import annotations

from pathlib import Path

from game.window.backend import EngineBackend, Session

TUTORIAL = Path(__file__).resolve().parents[2] / "scenarios" / "tutorial.yaml"


def test_a_save_taken_before_a_decision_does_not_grow_with_the_run():
    """The window keeps the save from before the last decision for its one-step rewind. The save's history
    shared its lists with the live run, so the undone decision stayed in what the debrief reads."""
    backend = EngineBackend()
    scenario = backend.load(str(TUTORIAL))
    session = Session(backend, backend.info(str(TUTORIAL)), scenario, backend.new_run(scenario, 4), 4)
    session.choose(session.snap.available_choices[0].index)
    session.advance()
    assert len(session.run.history.decisions) == 1
    assert session.rewind()
    assert session.run.state.decisions == 0
    assert session.run.history.decisions == [] and session.run.actions == []
