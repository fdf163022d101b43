"""Every YAML example in docs/authoring.md is checked (the tutorial's own steps are followed in
test_tutorial.py): each is read as YAML and checked against the language's schema, and the examples of
rooms, cast and branching are loaded into a scenario, validated, explored and played."""
from __future__ import annotations

import copy

import pytest
import yaml

from engine import Run, check_file, load_scenario
from engine import schema as S
from engine.diagnostics import Diagnostics
from engine.tools.explore import explore
from engine.yamlload import parse_text

from .helpers import BASE, write
from .test_tutorial import GUIDE, blocks

REFERENCE = GUIDE[GUIDE.index("## The shape of a scenario"):]
SHAPE = GUIDE[GUIDE.index("## The shape of a scenario"):GUIDE.index("## Reference")]
EXAMPLES = blocks(REFERENCE[len(SHAPE):], "yaml")


def test_there_are_examples_to_check():
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("i", range(len(EXAMPLES)))
def test_every_reference_example_fits_the_schema(i):
    doc = parse_text(EXAMPLES[i], "guide.yaml")
    if isinstance(doc, list):  # a list of teaching invariants, shown on its own
        assert all(isinstance(x, dict) and isinstance(x.get("id"), str) for x in doc)
        return
    assert isinstance(doc, dict)
    assert set(doc) <= set(S.SCHEMA.fields), f"unknown top-level keys {set(doc) - set(S.SCHEMA.fields)}"
    diags = Diagnostics()
    values = set(doc.get("stakeholder_values") or {})
    for k, v in doc.items():
        S.SCHEMA.fields[k].check(v, doc.val_pos.get(k), S.CheckCtx("guide.yaml", diags, {"values": values}))
    assert not diags.items, [d.format() for d in diags.items]


def _example(title):
    section = REFERENCE[REFERENCE.index(f"### {title}"):]
    section = section[:section.index("\n### ", 5)]
    return yaml.safe_load(blocks(section, "yaml")[0])


def test_the_room_cast_and_branching_examples_load_explore_and_play(tmp_path):
    room, branching = _example("Who is in the room"), _example("Branching on state and on chance")
    d = copy.deepcopy(BASE)
    d["stakeholders"] = [dict(d["stakeholders"][0], id="farmers", name="Farmers' union"),
                         dict(d["stakeholders"][1], id="agency", name="Environment Agency")]
    d["triangle"] = {"public_value": "outcomes", "legitimacy": "political", "capacity": "mean(all.trust)"}
    d["cast"] = room["cast"]
    end = {"speaker": "narrator", "text": "The end.", "choices": [{"text": "Close.", "goto": "end"}]}
    d["scenes"] = {**room["scenes"], **branching["scenes"], "mandate": end, "compromise": end, "stalemate": end}
    d["start"] = "farmers_cafe"
    path = write(tmp_path, d)
    sc, diags = check_file(path)
    assert sc is not None and not diags, [x.format() for x in diags]
    res = explore(str(path), seeds=1, time_limit=2)
    assert {"mandate", "compromise", "stalemate"} <= res.scenes_reached
    run = Run(load_scenario(path), 3)
    assert [p.id for p in run.snapshot().dance_floor] == ["farmers"]
    assert run.snapshot().speaker.name == "Jo Reed"
