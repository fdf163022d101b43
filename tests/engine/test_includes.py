"""Includes: shared casts and event decks, nested; missing, circular and misused includes."""
from __future__ import annotations

from engine import Run, check_file, load_scenario

from .helpers import BASE, dump, line_of, merge, only

CAROL = {"id": "carol", "name": "Carol", "role": "GP", "agency": "Practice", "local_budget": False,
         "trust": 10, "support": 20, "commitment": 30}


def write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(doc), encoding="utf-8")
    return path


def test_nested_includes_merge_sections(tmp_path):
    write(tmp_path / "common" / "cast.yaml", {"includes": ["deck/events.yaml"], "stakeholders": [CAROL],
                                              "groups": {"clinicians": ["carol"]},
                                              "meters": {"waits": {"range": [0, 10], "start": 3}}})
    write(tmp_path / "common" / "deck" / "events.yaml", {
        "events": [{"id": "flu", "title": "Flu", "text": "Flu season.", "forced": True,
                    "effects": [{"add": {"carol.trust": 5, "waits": 1}}]}],
        "scenes": {"clinic": {"speaker": "carol", "text": "Busy.", "choices": [{"text": "End", "goto": "end"}]}},
        "tags": ["clinical"]})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["common/cast.yaml"],
                                                   "scenes": {"start": {"choices": [{"text": "Clinic", "goto": "clinic",
                                                                                     "tags": ["clinical"]}]}}}))
    sc, diags = check_file(p)
    assert diags == []
    assert list(sc.stakeholders) == ["alice", "bob", "carol"]
    assert sc.groups["clinicians"] == ("carol",) and sc.groups["all"] == ("alice", "bob", "carol")
    assert "clinical" in sc.tags and "clinic" in sc.scenes and [e.id for e in sc.events] == ["flu"]
    assert len(sc.files) == 3
    run = Run(sc, 0)
    run.choose(0)
    assert run.value("carol.trust") == 15 and run.value("waits") == 4 and run.state.tags == {"clinical": 1}
    run.advance()
    assert run.snapshot().speaker.name == "Carol"


def test_BAL040_missing_include(tmp_path):
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["common/nowhere.yaml"]}))
    diags = check_file(p)[1]
    d = only(diags, "BAL040")[0]
    assert d.line == line_of(p, "includes:") and d.file.endswith("main.yaml") and d.severity == "error"
    assert "nowhere.yaml" in d.message


def test_BAL040_missing_include_inside_an_include(tmp_path):
    write(tmp_path / "cast.yaml", {"stakeholders": [CAROL], "includes": ["gone.yaml"]})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["cast.yaml"]}))
    d = only(check_file(p)[1], "BAL040")[0]
    assert d.file.endswith("cast.yaml") and d.line == line_of(tmp_path / "cast.yaml", "gone.yaml")


def test_BAL041_circular_includes(tmp_path):
    write(tmp_path / "a.yaml", {"includes": ["b.yaml"]})
    write(tmp_path / "b.yaml", {"includes": ["a.yaml"]})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["a.yaml"]}))
    diags = check_file(p)[1]
    d = only(diags, "BAL041")[0]
    assert d.file.endswith("b.yaml") and d.line == line_of(tmp_path / "b.yaml", "a.yaml")
    assert "main.yaml -> " in d.message and "a.yaml -> " in d.message and "b.yaml -> " in d.message
    assert len(only(diags, "BAL041")) == 1


def test_BAL041_a_file_including_itself(tmp_path):
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["./main.yaml"]}))
    d = only(check_file(p)[1], "BAL041")[0]
    assert d.line == line_of(p, "includes:") and d.file.endswith("main.yaml")


def test_the_same_file_included_twice_is_a_duplicate_not_a_cycle(tmp_path):
    write(tmp_path / "cast.yaml", {"stakeholders": [CAROL]})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["cast.yaml", "cast.yaml"]}))
    diags = check_file(p)[1]
    assert "BAL041" not in {d.code for d in diags}
    assert only(diags, "BAL042")


def test_BAL042_id_defined_in_the_scenario_and_an_include(tmp_path):
    inc = write(tmp_path / "more.yaml", {"meters": {"outcomes": {"range": [0, 1], "start": 0}},
                                         "scenes": {"start": {"speaker": "narrator", "text": "x",
                                                              "choices": [{"text": "y", "goto": "end"}]}}})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["more.yaml"]}))
    diags = only(check_file(p)[1], "BAL042")
    lines = {(d.file.rsplit("/", 1)[-1], d.line) for d in diags}
    assert ("more.yaml", line_of(inc, "outcomes:")) in lines
    assert ("more.yaml", line_of(inc, "start:", whole=True)) in lines
    assert all(f"main.yaml:{line_of(p, 'outcomes:')}" in d.message or "start" in d.message for d in diags)


def test_BAL042_a_name_shared_across_an_include_is_shown_in_its_own_file_and_names_the_other(tmp_path):
    """A flag in an included file named like a stakeholder of the scenario was reported at the main file,
    at the included file's line number, and did not say where the stakeholder is."""
    inc = write(tmp_path / "common" / "flags.yaml", {"flags": {"alice": False},
                                                     "meters": {"waits": {"range": [0, 10], "start": 3}}})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["common/flags.yaml"],
                                                   "cast": [{"id": "waits", "name": "W", "role": "Porter"}]}))
    diags = only(check_file(p)[1], "BAL042")
    flag = next(d for d in diags if "'alice'" in d.message)
    assert (flag.file, flag.line) == (str(inc), line_of(inc, "alice:"))
    assert "a flag and a stakeholder (the stakeholder at " in flag.message
    assert f"main.yaml:{line_of(p, 'id: alice')})" in flag.message
    waits = next(d for d in diags if "'waits'" in d.message)
    assert (waits.file, waits.line) == (str(inc), line_of(inc, "waits:"))
    assert "a meter and a cast member (the cast member at " in waits.message
    assert f"main.yaml:{line_of(p, 'id: waits')})" in waits.message


def test_BAL043_include_defines_what_only_a_scenario_may(tmp_path):
    inc = write(tmp_path / "bad.yaml", {"title": "Not here", "stakeholders": [CAROL], "perception": {"attention": 3}})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["bad.yaml"]}))
    diags = only(check_file(p)[1], "BAL043")
    assert sorted(d.line for d in diags) == [line_of(inc, "title:"), line_of(inc, "perception:")]
    assert all(d.file.endswith("bad.yaml") for d in diags)


def test_include_errors_point_into_the_included_file(tmp_path):
    inc = write(tmp_path / "deck.yaml", {"events": [{"id": "e", "title": "E", "text": "{nonsense}"}]})
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["deck.yaml"]}))
    d = only(check_file(p)[1], "BAL021")[0]
    assert d.file.endswith("deck.yaml") and d.line == line_of(inc, "nonsense")


def test_an_included_file_that_is_not_yaml(tmp_path):
    (tmp_path / "junk.yaml").write_bytes(b"\xff\xfe\x00junk")
    p = write(tmp_path / "main.yaml", merge(BASE, {"includes": ["junk.yaml"]}))
    d = only(check_file(p)[1], "BAL002")[0]
    assert d.file.endswith("junk.yaml")


def test_tutorial_uses_an_include(tutorial):
    assert any(f.endswith("tutorial-events.yaml") for f in tutorial.files)
    assert load_scenario(tutorial.path).content_hash == tutorial.content_hash


def test_read_metadata_refuses_what_it_cannot_read(tmp_path):
    import pytest

    from engine import ContentError, read_metadata
    cases = {"latin1.yaml": (b"id: caf\xe9\n", "BAL002"), "binary.yaml": (b"\x00\x01\x02", "BAL002"),
             "huge.yaml": (b"id: x\n" + b"#" * (7 * 1024 * 1024), "BAL005"), "noid.yaml": (b"title: x\n", "BAL013")}
    for name, (data, code) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ContentError) as e:
            read_metadata(tmp_path / name)
        assert [d.code for d in e.value.diagnostics] == [code], name
    with pytest.raises(ContentError) as e:
        read_metadata(tmp_path / "missing.yaml")
    assert e.value.diagnostics[0].code == "BAL007"
