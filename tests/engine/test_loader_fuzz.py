"""Hypothesis on the loader: random bytes, random YAML-ish text and randomly damaged scenarios
never raise; they produce diagnostics. A scenario that loads without errors can be played."""
from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import BalconyError, Run, check_file

from .helpers import BASE, dump, play_all

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzz.yaml"


def checked(path):
    scenario, diags = check_file(path)
    for d in diags:
        assert d.code.startswith("BAL") and d.line >= 1 and d.column >= 1 and d.severity in ("error", "warning")
        assert d.message
    if scenario is None:
        assert any(d.severity == "error" for d in diags)
    return scenario, diags


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(target, data):
    target.write_bytes(data)
    scenario, diags = checked(target)
    assert scenario is None


YAMLISH = st.sampled_from([
    "- ", ": ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!python/object/apply:os.system ", "!tag ", "\t", "\n", "\n  ",
    "  ", "'", '"', "|\n", ">\n", "# c\n", "balcony", "id", "scenes", "meters", "start", "choices", "text", "goto",
    "1", "-3.5", "1e400", ".nan", "0x1F", "0o17", "1:30", "2010-Q1", "true", "null", "~", "<<: *a\n", "%YAML 1.1\n",
    "---\n", "...\n", "? ", "\\", "\x00", "\ufeff", "\u2028", "é", "{if x}", "{end}", "__import__('os')",
])


@SETTINGS
@given(st.lists(YAMLISH, max_size=40).map("".join))
def test_random_yamlish_text(target, text):
    target.write_text(text, encoding="utf-8")
    checked(target)


# --- damaged scenarios -----------------------------------------------------------------------

leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["outcomes > 1", "alice.trust", "{outcomes}", "{if x}", "end", "start", "all.trust", "self.trust",
                     "nowhere", "2010-Q1", "hidden", "visible", "int", "best", "narrator", "alice", "1 +", "one",
                     "return", "aside"]),
)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["id", "text", "goto", "if", "effects", "add", "set", "fair", "later", "turns", "range", "start", "choices",
         "speaker", "name", "trust", "phase", "end", "each", "where", "x", "1"]), inner, max_size=4)), max_leaves=8)


def _paths(doc, here=()):
    yield here
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, here + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, here + (i,))


def _get(doc, path):
    for step in path:
        doc = doc[step]
    return doc


#: Every key of the language, for mutations that add keys.
KEYS = sorted({"balcony", "id", "title", "version", "summary", "setting", "place", "years", "role", "themes",
               "length_minutes", "credits", "sources", "cite", "url", "start", "end", "calendar", "tags", "meters",
               "label", "range", "type", "visible", "kind", "balcony", "description", "flags", "stakeholder_values",
               "stakeholders", "name", "agency", "colour", "local_budget", "trust", "support", "commitment", "voice",
               "confides", "if", "text", "groups", "where", "computed", "perception", "attention", "cost", "band",
               "listen", "stories", "fallback", "one_to_one", "effects", "phases", "on_enter", "on_exit", "next",
               "to", "when", "rules", "each", "event_chance", "events", "weight", "once", "forced", "goto", "scenes",
               "speaker", "quarters", "phase", "choices", "unavailable", "debrief", "cite", "result", "triangle",
               "public_value", "legitimacy", "capacity", "endings", "quality", "priority", "includes", "personas",
               "prefer", "perceive", "invariants", "set", "add", "fair", "then", "else", "later", "turns"})

RICH = copy.deepcopy(BASE)
RICH.update({
    "flags": {"deal": False},
    "stakeholder_values": {"influence": {"range": [0, 10], "start": 5}},
    "groups": {"pair": ["alice", "bob"], "holders": {"where": "local_budget"}},
    "computed": {"gap": "mean(all.support) - mean(all.commitment)"},
    "perception": {"attention": 2, "listen": {"stories": [{"id": "s1", "text": "Story {alice.name}.",
                                                           "effects": [{"set": {"deal": True}}]}]},
                   "one_to_one": {"effects": [{"fair": {"self.trust": 5}}]}},
    "phases": [{"id": "one", "name": "One", "next": [{"to": "two", "when": "turn >= 1"}]}, {"id": "two", "name": "Two"}],
    "rules": [{"id": "r", "each": "all", "effects": [{"add": {"self.support": -1}}]}],
    "event_chance": 0.5,
    "events": [{"id": "e", "title": "E", "text": "t", "weight": 2, "goto": "next", "effects": [{"add": {"outcomes": 1}}]},
               {"id": "detour", "title": "D", "text": "t", "forced": True, "if": "turn == 1", "goto": "aside"}],
    "scenes": {"start": {"speaker": "alice", "text": "{if gap > 10}Gap.{else}No gap.{end}", "choices": [
        {"text": "A", "goto": "next", "tags": ["hero"], "effects": [{"later": {"turns": 1, "text": "Later.", "effects": []}}]},
        {"text": "B", "if": "deal", "unavailable": "No deal.", "goto": "end"}]},
        "next": {"speaker": "narrator", "text": "Next.", "choices": [{"text": "End", "goto": "end"}]},
        "aside": {"speaker": "bob", "text": "Aside.", "quarters": 0, "choices": [{"text": "Back", "goto": "return"}]}},
})


def test_the_rich_scenario_is_valid(tmp_path):
    p = tmp_path / "rich.yaml"
    p.write_text(dump(RICH))
    scenario, diags = check_file(p)
    assert diags == [] and scenario is not None


@SETTINGS
@given(st.data())
def test_randomly_damaged_scenarios(target, data):
    doc = copy.deepcopy(RICH)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        new = data.draw(values)
        if data.draw(st.booleans()):  # add (or replace) a key of the language somewhere
            where = data.draw(st.sampled_from([q for q in paths if isinstance(_get(doc, q), dict)]))
            _get(doc, where)[data.draw(st.sampled_from(KEYS))] = new
        else:  # replace any part
            path = data.draw(st.sampled_from(paths[1:]))
            _get(doc, path[:-1])[path[-1]] = new
    target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    scenario, diags = checked(target)
    if scenario is not None:  # whatever loads must play without crashing
        for seed in (0, 1):
            run = Run(scenario, seed)
            try:
                run.perceive("balcony")
                run.perceive("listen")
            except BalconyError:
                pass
            play_all(run, limit=200)


META = st.one_of(YAMLISH, st.sampled_from(["id: x\n", "id: ", "title: ", "themes: ", "setting: ", "years: ", "place: ",
                                         "length_minutes: ", "version: ", "summary: ", "credits: ", "role: ", "\n"]))


@SETTINGS
@given(st.one_of(st.binary(max_size=300), st.lists(META, max_size=40).map(lambda x: "".join(x).encode("utf-8"))))
def test_read_metadata_gives_content_error_or_metadata(target, data):
    from engine import ContentError, read_metadata
    target.write_bytes(data)
    try:
        meta = read_metadata(target)
    except ContentError as e:
        assert e.diagnostics and all(d.code.startswith("BAL") for d in e.diagnostics)
        return
    assert isinstance(meta["id"], str) and isinstance(meta["title"], str) and isinstance(meta["years"], list)


WRONG = ([], {}, None, 7, "x")


def test_every_part_replaced_by_a_wrong_shape(target):
    """Deterministic sweep: each part of RICH in turn replaced by each wrong shape; nothing raises."""
    tried = 0
    for path in list(_paths(RICH))[1:]:
        for wrong in WRONG:
            doc = copy.deepcopy(RICH)
            _get(doc, path[:-1])[path[-1]] = copy.deepcopy(wrong)
            target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            try:
                scenario, _ = checked(target)
                if scenario is not None:
                    play_all(Run(scenario, 0), limit=200)
            except Exception as e:  # noqa: BLE001 - the point is to name the part that broke it
                raise AssertionError(f"replacing {'/'.join(map(str, path))} with {wrong!r}: {e!r}") from e
            tried += 1
    assert tried == 5 * (len(list(_paths(RICH))) - 1)
