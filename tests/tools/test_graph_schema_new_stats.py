"""balcony graph, schema, new and stats."""
from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
import yaml

from engine import load_scenario
from engine.schema import json_schema
from engine.tools import graph, starter
from engine.tools.explore import explore
from engine.tools.stats import count
from engine.tools.words import template_words

from .helpers import REPO, SCENARIOS, cli, cli_json, doc, scenes, write

HAVE_DOT = shutil.which("dot") is not None


def test_graph_dot_has_clusters_endings_labels_and_unreachable(tmp_path, capsys, monkeypatch):
    d0 = doc(phases=[{"id": "one", "name": "One"}, {"id": "two", "name": "Two"}],
             scenes=scenes(orphan={"speaker": "narrator", "text": "Alone.", "phase": "two",
                                   "choices": [{"text": "Leave.", "goto": "end"}]}))
    d0["scenes"]["start"]["phase"] = "one"
    path = write(tmp_path, d0)
    monkeypatch.setenv("PATH", str(tmp_path))       # no dot: .dot must still work
    out = tmp_path / "g.dot"
    code, d, _ = cli_json(capsys, "graph", path, "-o", out)
    assert code == 0 and d["unreached"] == ["orphan"]
    src = out.read_text()
    assert "subgraph cluster_one" in src and "subgraph cluster_two" in src
    assert "doubleoctagon" in src and "Share power." in src and "never reached" in src
    assert '"#ffcdd2"' in src or "#ffcdd2" in src
    code, _, err = cli(capsys, "graph", path, "-o", tmp_path / "g.svg")
    assert code == 2 and "dot" in err
    code, _, err = cli(capsys, "graph", path, "-o", tmp_path / "g.txt")
    assert code == 2 and ".svg" in err


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed")
def test_graph_svg_and_png(tmp_path, capsys):
    path = write(tmp_path, doc())
    for ext, magic in (("svg", b"<svg"), ("png", b"\x89PNG")):
        out = tmp_path / f"g.{ext}"
        code, _, _ = cli(capsys, "graph", path, "-o", out)
        assert code == 0 and magic in out.read_bytes()[:400]


def test_graph_can_mark_what_explore_never_reached(tmp_path):
    s = scenes()
    s["middle"]["choices"].append({"text": "Secret.", "if": "outcomes >= 95", "goto": "secret"})
    s["secret"] = {"speaker": "narrator", "text": "Hidden.", "choices": [{"text": "Out.", "goto": "end"}]}
    path = write(tmp_path, doc(scenes=s))
    sc = load_scenario(path)
    assert graph.reachable(sc) == {"start", "middle", "secret"}
    unreached = set(explore(path).unreached_scenes())
    assert unreached == {"secret"}
    assert "never reached" in graph.build(sc, unreached=unreached).source


def shipped():
    return sorted(p for p in SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.name)
def test_every_shipped_scenario_validates_against_the_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), json_schema())


def test_the_schema_rejects_what_the_language_refuses():
    bad = yaml.safe_load((SCENARIOS / "tutorial.yaml").read_text(encoding="utf-8"))
    bad["scenes"]["welcome"]["colour"] = "red"     # not a scene key
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())


def test_schema_command_and_the_copy_in_docs(tmp_path, capsys):
    code, out, _ = cli(capsys, "schema")
    assert code == 0 and json.loads(out) == json_schema()
    assert json.loads((REPO / "docs" / "scenario.schema.json").read_text()) == json_schema(), \
        "docs/scenario.schema.json is stale: run balcony schema -o docs/scenario.schema.json"


def test_new_writes_a_valid_starter_that_plays_and_explores_clean(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, d, _ = cli_json(capsys, "new", "riverside")
    assert code == 0 and d["file"] == "riverside.yaml" and (tmp_path / "scenario.schema.json").exists()
    text = (tmp_path / "riverside.yaml").read_text()
    assert text.count("#") > 20, "the starter explains itself in comments"
    code, out, _ = cli(capsys, "validate", "riverside.yaml")
    assert code == 0 and out == ""
    jsonschema.validate(yaml.safe_load(text), json_schema())
    assert explore(tmp_path / "riverside.yaml").to_dict()["ok"]
    code, _, err = cli(capsys, "new", "riverside")
    assert code == 2 and "already exists" in err
    assert starter.scenario_id("My Scenario!.yaml") == "My-Scenario"


def test_stats_names_a_cast_member_who_speaks(tmp_path):
    """A speaker from `cast` was listed by id ('reporter'), the stakeholders by name."""
    d0 = doc(cast=[{"id": "reporter", "name": "Jo Reed", "role": "Reporter"}])
    d0["scenes"]["middle"]["speaker"] = "reporter"
    c = count(load_scenario(write(tmp_path, d0)))
    (jo,) = [s for s in c["by_speaker"] if s["id"] == "reporter"]
    assert jo["name"] == "Jo Reed"


def test_words_and_stats(tmp_path, capsys):
    assert template_words("One two three.") == 3
    assert template_words("A {if x}b c{else}d{end} e {police.name}") == 2 + 1.5 + 1
    assert template_words("{if x}four words here now{end}") == 2
    d0 = doc()
    d0["scenes"]["start"]["text"] = "One two three four."          # narrator
    d0["scenes"]["middle"]["text"] = "Five six."                    # alice
    path = write(tmp_path, d0)
    c = count(load_scenario(path))
    speakers = {s["id"]: s["words"] for s in c["by_speaker"]}
    assert speakers["alice"] == 2 and speakers["player"] == 2 + 2 + 1 + 2
    assert c["by_kind"]["scenes"] == 6 and c["choices"] == 4
    code, d, _ = cli_json(capsys, "stats", path, "--runs", 20)
    assert code == 0 and d["scenes"] == 2 and d["playthrough"]["decisions"] == 2
    assert 0 < d["playthrough"]["minutes"] < 2
    code, out, _ = cli(capsys, "stats", path, "--runs", 20)
    assert "Words per speaker" in out and "Alice" in out
