"""Saves: atomic writes, checks against the scenario, and damaged saves give SaveError, never a traceback."""
from __future__ import annotations

import copy
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import BalconyError, Run, SaveError, load_scenario, read_save, write_save
from engine.saves import atomic_write_json, read_json

from .helpers import BASE, dump, merge, play_all
from .strategies import random_player, steps

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


def test_save_is_versioned_json_naming_content_by_id(tutorial, tmp_path):
    run = Run(tutorial, 1)
    steps(run, random_player(1), 2)
    data = write_save(tmp_path / "s.json", run)
    on_disk = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(data))
    assert on_disk["format"] == "balcony-save" and on_disk["format_version"] >= 1
    assert on_disk["scenario"] == "tutorial" and on_disk["scenario_version"] == tutorial.version
    assert on_disk["state"]["scene"] in tutorial.scenes and isinstance(on_disk["state"]["vals"], dict)
    assert "memo" not in on_disk["state"]


def test_atomic_write_leaves_the_old_save_when_writing_fails(tutorial, tmp_path, monkeypatch):
    path = tmp_path / "autosave.json"
    first = Run(tutorial, 1)
    write_save(path, first)
    before = path.read_bytes()
    later = Run(tutorial, 1)
    steps(later, random_player(1), 3)

    def crash(obj, fp, **kw):
        fp.write('{"format": "balcony-save", "half')
        raise OSError("disk full")
    monkeypatch.setattr(json, "dump", crash)
    with pytest.raises(OSError, match="disk full"):
        write_save(path, later)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["autosave.json"]   # no temporary file left behind
    monkeypatch.undo()
    assert read_save(path, tutorial).state.to_dict() == first.state.to_dict()


def test_atomic_write_survives_an_interrupt_during_rename(tmp_path, monkeypatch):
    path = tmp_path / "data.json"
    atomic_write_json(path, {"v": 1})

    def interrupted(*a):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_json(path, {"v": 2})
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


def _scenario(tmp_path, **over):
    p = tmp_path / f"s{len(list(tmp_path.iterdir()))}.yaml"
    p.write_text(dump(merge(BASE, over)))
    return load_scenario(p)


def test_a_file_written_atomically_gets_the_mode_open_would_give_it_or_keeps_the_one_it_replaces(tmp_path):
    """mkstemp makes its file readable by its owner only, and the rename kept that: every report, export,
    translation and transcript Balcony wrote was 0600, unreadable to a colleague or a web server."""
    from engine.saves import atomic_write_text
    umask = os.umask(0o022)
    os.umask(umask)
    fresh = tmp_path / "report.html"
    atomic_write_text(fresh, "<p>new</p>")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    private = tmp_path / "save.json"
    private.write_text("{}")
    private.chmod(0o600)
    atomic_write_json(private, {"kept": True})
    assert private.stat().st_mode & 0o777 == 0o600 and read_json(private) == {"kept": True}
    shared = tmp_path / "cohort.csv"
    shared.write_text("a")
    shared.chmod(0o664)
    atomic_write_text(shared, "b")
    assert shared.stat().st_mode & 0o777 == 0o664


def test_loading_refuses_another_scenario_or_version(tmp_path):
    a = _scenario(tmp_path)
    run = Run(a, 0)
    write_save(tmp_path / "a.json", run)
    other_id = _scenario(tmp_path, id="elsewhere")
    with pytest.raises(SaveError, match="belongs to the scenario 'mini', not 'elsewhere'"):
        read_save(tmp_path / "a.json", other_id)
    other_version = _scenario(tmp_path, version="2")
    with pytest.raises(SaveError) as e:
        read_save(tmp_path / "a.json", other_version)
    assert "version 1" in str(e.value) and "version 2" in str(e.value) and "Start a new run" in str(e.value)


def test_loading_refuses_a_newer_format(tutorial, tmp_path):
    data = Run(tutorial, 0).to_save()
    data["format_version"] = data["min_compatible"] = 99
    (tmp_path / "s.json").write_text(json.dumps(data))
    with pytest.raises(SaveError, match="newer Balcony"):
        read_save(tmp_path / "s.json", tutorial)


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b"{" * 100000, b'{"format": 3}',
                                     b'{"format": "balcony-save"}', b"null", b'"text"'])
def test_unreadable_saves(tutorial, tmp_path, content):
    (tmp_path / "s.json").write_bytes(content)
    with pytest.raises(SaveError):
        read_save(tmp_path / "s.json", tutorial)


def test_missing_save(tutorial, tmp_path):
    with pytest.raises(SaveError, match="no such save"):
        read_save(tmp_path / "nope.json", tutorial)
    with pytest.raises(SaveError):
        read_json(tmp_path, "save")


# --- hypothesis: damaged saves ---------------------------------------------------------------

@pytest.fixture(scope="module")
def saved(tutorial):
    run = Run(tutorial, 4)
    pick = random_player(4)
    steps(run, pick, 4)
    run.perceive("balcony") if run.status == "choosing" and run.snapshot().attention_left else None
    return run.to_save()


def _paths(doc, here=()):
    yield here
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, here + (k,))
    elif isinstance(doc, list) and len(doc) < 50:   # not into the random generator's 625 numbers
        for i, v in enumerate(doc):
            yield from _paths(v, here + (i,))


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=8),
              st.sampled_from(["choosing", "outcome", "ended", "welcome", "tutorial", "1.0", "balcony-save"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _survives(tutorial, path):
    """Loading gives SaveError, or a run that can be shown and played to its end."""
    try:
        run = read_save(path, tutorial)
    except SaveError as e:
        assert str(e)
        return
    run.snapshot()
    try:
        play_all(run, random_player(0), limit=300)
    except BalconyError:
        pass


@SETTINGS
@given(data=st.data())
def test_mutated_save_json_gives_save_error_or_a_playable_run(tutorial, saved, tmp_path, data):
    doc = copy.deepcopy(saved)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = data.draw(st.sampled_from(paths))
        if not path:
            doc = data.draw(junk)
            break
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(junk)
    p = tmp_path / "mutated.json"
    p.write_text(json.dumps(doc, allow_nan=True))
    _survives(tutorial, p)


@SETTINGS
@given(cut=st.integers(0, 4000), flip=st.integers(0, 4000), byte=st.integers(0, 255))
def test_truncated_or_corrupted_save_bytes(tutorial, saved, tmp_path, cut, flip, byte):
    raw = bytearray(json.dumps(saved).encode())
    if flip < len(raw):
        raw[flip] = byte
    p = tmp_path / "bytes.json"
    p.write_bytes(bytes(raw[: len(raw) - cut]))
    _survives(tutorial, p)


def _damaged(saved, change):
    doc = copy.deepcopy(saved)
    change(doc)
    return doc


DAMAGE = {
    "notice without kind": lambda d: d["state"].__setitem__("notices", [{"title": "", "text": "x"}]),
    "pending without cause": lambda d: d["state"].__setitem__("pending", [{"due": 9, "ref": "nope"}]),
    "tag count not a number": lambda d: d["state"]["tags"].__setitem__("hero", {"x": 1}),
    "value out of its range": lambda d: d["state"]["vals"].__setitem__("outcomes", 1e9),
    "flag not true/false": lambda d: d["state"]["vals"].__setitem__("pooled", 1),
    "scene as a list": lambda d: d["state"].__setitem__("scene", ["welcome"]),
    "history not a mapping": lambda d: d.__setitem__("history", []),
    "decision without tags": lambda d: d["history"]["decisions"][0].pop("tags"),
    "actions not a list": lambda d: d.__setitem__("actions", "choose 1"),
    "random state cut short": lambda d: d["state"]["rng"][1].pop(),
    "negative turn": lambda d: d["state"].__setitem__("turn", -1),
    "balcony reading without hidden": lambda d: d["state"].__setitem__(
        "balcony", {"readings": [{"id": "police", "trust": [1, 2], "commitment": [1, 2]}], "meters": []}),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_specific_damage_is_a_save_error(tutorial, saved, tmp_path, case):
    p = tmp_path / "damaged.json"
    p.write_text(json.dumps(_damaged(saved, DAMAGE[case])))
    with pytest.raises(SaveError, match="damaged"):
        read_save(p, tutorial)
