"""The initiative's phases as a `transitions` state machine, behind a small typed facade.

transitions adds trigger methods to its model at run time; nothing outside this module
sees them. The scene graph is plain data elsewhere: a Machine suits a handful of phases,
not thousands of scenes (see docs/performance.md).
"""
from __future__ import annotations

from typing import Callable

from transitions import Machine, State


class _PhaseModel:
    """The object transitions decorates. Only PhaseMachine touches it."""

    state: str


class PhaseMachine:
    """Moves between declared phases, running exit and entry callbacks in order."""

    def __init__(self, phase_ids: list[str], initial: str,
                 on_enter: Callable[[str, str], None], on_exit: Callable[[str, str], None]):
        self._model = _PhaseModel()
        self._phase_ids = list(phase_ids)
        states = [State(p, on_enter=[self._entered], on_exit=[self._exited]) for p in phase_ids]
        self._on_enter, self._on_exit = on_enter, on_exit
        self._machine = Machine(model=self._model, states=states, initial=initial, auto_transitions=False,
                                queued=True, send_event=True, model_attribute="state")
        for p in phase_ids:
            sources = [x for x in phase_ids if x != p]
            if sources:
                self._machine.add_transition(trigger=f"to_{p}", source=sources, dest=p)

    def _entered(self, event):
        self._on_enter(event.state.name, event.kwargs.get("cause", ""))

    def _exited(self, event):
        self._on_exit(event.state.name, event.kwargs.get("cause", ""))

    @property
    def current(self) -> str:
        return self._model.state

    def move_to(self, phase_id: str, cause: str) -> bool:
        """Move to `phase_id`; returns False if already there."""
        if phase_id == self._model.state:
            return False
        if phase_id not in self._phase_ids:
            raise ValueError(f"unknown phase {phase_id!r}")
        return bool(self._model.trigger(f"to_{phase_id}", cause=cause))

    def restore(self, phase_id: str) -> None:
        """Put the machine in a phase without running callbacks (loading a save)."""
        self._machine.set_state(phase_id, model=self._model)
