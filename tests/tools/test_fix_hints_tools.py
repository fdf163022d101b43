"""Issue 14, for the authoring tools: a deliberate trap silences the dominated-choice warning, and explore
points at the file position of a condition that can never hold in play."""
from __future__ import annotations

from engine import load_scenario
from engine.tools.simulate import simulate

from .helpers import cli, doc, line_of, scenes, write


def _trap(intended):
    s = scenes()
    s["middle"]["choices"][1]["effects"] = [{"add": {"political": -10, "outcomes": -10, "all.trust": -10}}]
    s["middle"]["choices"][0]["effects"] = [{"add": {"outcomes": 5, "political": 5}}]
    if intended:
        s["middle"]["choices"][1]["intended"] = "dominated"
    return doc(scenes=s)


def test_intended_dominated_silences_the_warning(tmp_path):
    warned = simulate(load_scenario(write(tmp_path, _trap(False), "a.yaml")), 200, "random")
    assert [(x["scene"], x["choice"]) for x in warned.dominated()] == [("middle", 1)]
    quiet = simulate(load_scenario(write(tmp_path, _trap(True), "b.yaml")), 200, "random")
    assert quiet.dominated() == []


def test_explore_points_at_an_impossible_condition(tmp_path, capsys):
    # the storm is forced late in the calendar: 'storm and year == 2010 and quarter == 1' can never hold
    d = doc(flags={"deal": False, "storm": False},
            events=[{"id": "storm", "title": "Storm", "text": "It pours.", "if": "turn >= 2", "forced": True,
                     "effects": [{"set": {"storm": True}}]}])
    d["endings"].insert(0, {"id": "early_storm", "title": "Early", "quality": "good", "priority": 20,
                            "if": "storm and year == 2010 and quarter == 1", "text": "Soaked."})
    s = scenes()
    s["middle"]["choices"].append({"text": "Shelter.", "if": "storm and quarter == 1", "goto": "end"})
    path = write(tmp_path, dict(d, scenes=s))
    code, out, _ = cli(capsys, "explore", str(path))
    assert code == 1
    assert f"{path}:{line_of(path, 'storm and year == 2010')}:" in out
    assert f"{path}:{line_of(path, 'storm and quarter == 1')}:" in out
