"""Fixtures for the debrief tests: inline scenarios written to tmp_path and loaded."""
from __future__ import annotations

import pytest

from engine import Run, load_scenario
from tests.engine.helpers import dump


@pytest.fixture
def load_doc(tmp_path):
    def go(doc, name="scenario.yaml"):
        p = tmp_path / name
        p.write_text(dump(doc), encoding="utf-8")
        return load_scenario(p)
    return go


def play(scenario, seed=0, script=()):
    """Play a run: `script` is a list of actions ("choose", i) / ("perceive", kind[, who]); then first choices."""
    run = Run(scenario, seed)
    todo = list(script)
    while run.status != "ended":
        if run.status == "outcome":
            run.advance()
            continue
        if todo:
            act = todo.pop(0)
            if act[0] == "choose":
                run.choose(act[1])
            else:
                run.perceive(*act[1:])
        else:
            run.choose(run.available_indices()[0])
    return run


@pytest.fixture
def scenario_file(tmp_path):
    def write(doc, name="scenario.yaml"):
        p = tmp_path / name
        p.write_text(dump(doc), encoding="utf-8")
        return p
    return write
