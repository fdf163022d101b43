"""The initiative's phases as a `transitions` state machine, behind a small typed facade.

transitions adds trigger methods to its model at run time; nothing outside this module
sees them. The scene graph is plain data elsewhere: a Machine suits a handful of phases,
not thousands of scenes (see docs/performance.md).

Building a Machine costs far more than moving it, and simulations create thousands of runs, so one
Machine per list of phases is shared (per thread) by every PhaseMachine: before a move, the facade
puts the shared model in its own phase and names itself the owner that receives the callbacks.
"""
from __future__ import annotations

import threading
from typing import Callable

from transitions import Machine, State

_local = threading.local()


class _PhaseModel:
    """The object transitions decorates. Only PhaseMachine touches it."""

    state: str
    owner: "PhaseMachine | None" = None


# plain functions, not names of model methods: transitions would look a name up on every move
def _entered(event):
    event.model.owner._on_enter(event.state.name, event.kwargs.get("cause", ""))


def _exited(event):
    event.model.owner._on_exit(event.state.name, event.kwargs.get("cause", ""))


def _shared(phase_ids: tuple) -> tuple:
    """(Machine, model) for this list of phases, built once per thread."""
    cache = getattr(_local, "machines", None)
    if cache is None:
        cache = _local.machines = {}
    got = cache.get(phase_ids)
    if got is None:
        model = _PhaseModel()
        states = [State(p, on_enter=[_entered], on_exit=[_exited]) for p in phase_ids]
        machine = Machine(model=model, states=states, initial=phase_ids[0], auto_transitions=False,
                          queued=True, send_event=True, model_attribute="state")
        for p in phase_ids:
            sources = [x for x in phase_ids if x != p]
            if sources:
                machine.add_transition(trigger=f"to_{p}", source=sources, dest=p)
        got = cache[phase_ids] = (machine, model)
    return got


class PhaseMachine:
    """Moves between declared phases, running exit and entry callbacks in order."""

    def __init__(self, phase_ids: list[str], initial: str,
                 on_enter: Callable[[str, str], None], on_exit: Callable[[str, str], None]):
        self._phase_ids = tuple(phase_ids)
        if initial not in self._phase_ids:
            raise ValueError(f"unknown phase {initial!r}")
        self._machine, self._model = _shared(self._phase_ids)
        self._current = initial
        self._busy = False
        self._on_enter, self._on_exit = on_enter, on_exit

    @property
    def current(self) -> str:
        return self._model.state if self._busy else self._current

    def move_to(self, phase_id: str, cause: str) -> bool:
        """Move to `phase_id`; returns False if already there."""
        if phase_id not in self._phase_ids:
            raise ValueError(f"unknown phase {phase_id!r}")
        model = self._model
        if self._busy:  # a move made by a move's own callbacks: transitions queues it
            if phase_id == model.state:
                return False
            return bool(model.trigger(f"to_{phase_id}", cause=cause))
        if phase_id == self._current:
            return False
        model.owner = self
        model.state = self._current  # what Machine.set_state does, without its look-ups
        self._busy = True
        try:
            return bool(model.trigger(f"to_{phase_id}", cause=cause))
        finally:
            self._busy = False
            self._current = model.state
            model.owner = None

    def restore(self, phase_id: str) -> None:
        """Put the machine in a phase without running callbacks (loading a save)."""
        if phase_id not in self._phase_ids:
            raise ValueError(f"unknown phase {phase_id!r}")
        self._current = phase_id
