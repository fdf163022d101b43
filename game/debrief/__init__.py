"""The debrief's front ends: plain text (`text.py`), the HTML report (`report.py`, `charts.py`) and the window's
screen (`screen.py`, `wcharts.py`). Each renders the same `engine.debrief.Debrief`. See README.md here."""
from __future__ import annotations


def open_debrief(context, session) -> bool:
    """Open the debrief screen for the session's finished run (the ending screen's "Read the debrief").

    The backend makes the builder (`EngineBackend.debrief_builder`); a backend without one (the test twin)
    gets a toast instead. Returns whether the screen opened."""
    make = getattr(context.backend, "debrief_builder", None)
    if make is None:
        context.toast("There is no debrief for this run.")
        return False
    from .screen import DebriefScreen
    context.push(DebriefScreen(context, session, make(session.scenario, session.run)))
    return True
