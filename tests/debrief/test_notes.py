"""Notes where they matter: the choices the causal trace most often finds consequential carry a debrief note.

`bench/debrief_notes.py` played 2,000 random runs of each research scenario, built each run's causal trace
and counted how often each choice taken was among the decisions the trace shows; its ranking is in
data/consequential.json. The top 30 of each scenario must carry a note. A small live sample checks the
ranking still describes the scenarios: a choice the trace shows in half of a sample's runs carries a note.
"""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from engine import load_scenario
from tests.engine.helpers import REPO

DATA = json.loads((Path(__file__).parent / "data" / "consequential.json").read_text(encoding="utf-8"))
RESEARCH = ("troubled-families", "integrated-care", "total-place")
TOP = 30


@lru_cache(maxsize=None)
def scenario(name):
    return load_scenario(REPO / "scenarios" / f"{name}.yaml")


@pytest.mark.parametrize("name", RESEARCH)
def test_the_30_choices_most_often_consequential_carry_a_note(name):
    ranking = DATA[name]
    assert ranking["runs"] >= 2000 and len(ranking["choices"]) >= TOP
    sc = scenario(name)
    missing = []
    for row in ranking["choices"][:TOP]:
        scene = sc.scenes.get(row["scene"])
        assert scene is not None and row["choice"] < len(scene.choices), \
            f"{row['scene']}#{row['choice']} is gone from {name}: run bench/debrief_notes.py again"
        if not scene.choices[row["choice"]].debrief:
            missing.append(f"{row['scene']}#{row['choice']} ({row['share']:.0%} of runs): {row['text']}")
    assert not missing, f"{name}: the most consequential choices without a note:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("name", RESEARCH)
def test_a_live_sample_agrees(name):
    from engine.debrief.trace import consequential
    from engine.tools import personas as P
    from engine.tools import simulate as S
    sc = scenario(name)
    persona = P.get_persona(sc, "random")
    scores = P.scores(sc, persona)
    runs = 8
    counts = Counter()
    for seed in range(10_000, 10_000 + runs):
        run, _, _ = S.play(sc, persona, seed, scores=scores)
        counts.update(set(consequential(sc, run.transcript())))
    for key, n in counts.items():
        if n * 2 >= runs:
            scene, _, idx = key.partition("#")
            assert sc.scenes[scene].choices[int(idx)].debrief, f"{name}: {key} is consequential in {n} of {runs} runs"
