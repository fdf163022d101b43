"""Checkpoints: a compact digest of a run's state after each action, so that a replay names where it parts."""
from __future__ import annotations

import hashlib


def state_digest(state) -> str:
    """Twelve hex digits that change when anything that decides the rest of the run changes: the scene, the
    calendar, every value, tag, visit, meeting, story heard, delayed effect, event fired and balcony reading.
    Not what only the screens read (notices, the numbers last shown), which a run that records no history
    leaves out."""
    s = state
    parts = (s.scene, s.status, s.phase, s.turn, s.attention, s.decisions, s.balcony_visits, s.end_requested,
             s.ending, s.next_scene, sorted(s.vals.items()), sorted(s.tags.items()), sorted(s.visits.items()),
             sorted(s.met.items()), sorted(s.heard.items()), [(p["due"], p["ref"], p["cause"]) for p in s.pending],
             list(s.fired), list(s.returns), s.balcony, sorted(s.revealed.items()))
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=6).hexdigest()


def checkpoint(state, before: dict) -> dict:
    """The checkpoint after an action: the digest, where the run stands, and the values that changed since
    `before` (the values at the previous checkpoint), which `before` is updated to."""
    vals = state.vals
    changed = {k: v for k, v in vals.items() if before.get(k, _NONE) != v or type(before.get(k)) is not type(v)}
    before.update(changed)
    return {"digest": state_digest(state), "scene": state.scene, "turn": state.turn, "changed": changed}


_NONE = object()
