"""Snapshot.from_dict rebuilds exactly what to_dict wrote, after a JSON round trip: the classroom's clients
show the snapshots the server sends with the same code as local ones. When a view gains a nested view that
views.NESTED does not know, this fails."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import Run, Snapshot, load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name, seed", [("tutorial", 3), ("tutorial", 8), ("integrated-care", 5)])
def test_from_dict_inverts_to_dict_through_json_over_a_whole_run(name, seed):
    run = Run(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), seed)
    kinds = set()
    for step in range(400):
        snap = run.snapshot()
        again = Snapshot.from_dict(json.loads(json.dumps(snap.to_dict())))
        assert again == snap, step
        kinds.update(n.kind for n in snap.notices)
        if snap.status == "ended":
            break
        if snap.status == "outcome":
            run.advance()
        elif snap.attention_left and snap.balcony is None and step % 2:
            run.perceive("balcony")
        elif snap.attention_left and step % 3 == 0:
            run.perceive("one_to_one", snap.dance_floor[step % len(snap.dance_floor)].id)
        else:
            run.choose(snap.available_choices[step % len(snap.available_choices)].index)
    assert run.snapshot().status == "ended" and run.snapshot().ending is not None
    assert {"result", "quarter"} <= kinds
