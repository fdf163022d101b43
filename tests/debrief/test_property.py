"""Building the debrief never fails: random runs (random choices, random perception) of every shipped scenario."""
from __future__ import annotations

import json
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from engine import Run, load_scenario
from engine.debrief import build
from engine.debrief.model import QUALITY_RANK
from tests.engine.helpers import REPO, play_all
from tests.engine.strategies import random_player

SHIPPED = sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))


@lru_cache(maxsize=None)
def scenario(name):
    return load_scenario(REPO / "scenarios" / f"{name}.yaml")


@pytest.mark.parametrize("name", SHIPPED)
@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.generate))  # no shrinking: a failing seed is reported as it is
@given(seed=st.integers(0, 2**31 - 1), rate=st.sampled_from([0.0, 0.3, 0.8]))
def test_the_debrief_of_any_run_builds(name, seed, rate):
    sc = scenario(name)
    run = Run(sc, seed)
    play_all(run, random_player(seed, rate))
    d = build(sc, run.transcript())
    assert d.ending.id == run.state.ending == d.why.ending.id
    assert json.loads(json.dumps(d.to_dict())) == d.to_dict()
    assert min(5, d.decisions) <= len(d.trace.decisions) <= 8
    assert [t.rank for t in d.trace.decisions] == list(range(1, len(d.trace.decisions) + 1))
    assert 3 <= len(d.reflection) <= 5
    assert len(d.gap.stakeholders) == len(sc.stakeholders)
    assert sum(len(notes) for _, notes in d.research.years) == sum(1 for x in run.history.decisions if x["debrief"])
    if d.better.found:
        assert QUALITY_RANK[d.better.outcome.ending.quality] > QUALITY_RANK[d.ending.quality]
        assert 1 <= len(d.better.swaps) <= 3
