"""Diagnostics that say how to fix (issue 14): a flag set to a number, indentation, a duplicate across an
include, a misspelt 'choices' reported cause first."""
from __future__ import annotations

from engine import check_file

from .helpers import BASE, DELETE, dump, line_of, merge


def test_flag_set_to_a_number_says_a_flag_takes_true_or_false(scenario_file):
    p = scenario_file({"flags": {"deal": False},
                       "scenes": {"start": {"choices": [{"text": "a", "goto": "end",
                                                         "effects": [{"set": {"deal": 5}}]}]}}})
    diags = check_file(p)[1]
    d = [x for x in diags if x.code == "BAL023"]
    assert len(d) == 1 and d[0].line == line_of(p, "deal: 5")
    assert "takes true or false" in d[0].message and "> 0" not in d[0].message


def test_indentation_error_gets_a_plain_sentence_and_the_line(scenario_file):
    text = dump(merge(BASE, {"scenes": DELETE})) + (
        "scenes:\n"
        "  start:\n"
        "    speaker: narrator\n"
        "    text: Hello.\n"
        "    choices:\n"
        "      - text: Go\n"
        "       goto: end\n")
    p = scenario_file(text=text)
    d = check_file(p)[1]
    assert [x.code for x in d] == ["BAL001"]
    line = line_of(p, "       goto: end")
    assert d[0].line == line
    assert "indentation" in d[0].message and f"line {line} starts at column 8" in d[0].message


def test_duplicate_stakeholder_across_an_include_says_where_the_other_is(scenario_file, tmp_path):
    alice = dict(BASE["stakeholders"][0])
    scenario_file(doc={"stakeholders": [alice]}, name="people.yaml")
    p = scenario_file({"includes": ["people.yaml"]})
    d = [x for x in check_file(p)[1] if x.code == "BAL042"]
    assert len(d) == 1 and d[0].file.endswith("people.yaml")
    assert f"(also at {p}:{line_of(p, 'id: alice')})" in d[0].message


def test_misspelt_choices_reports_the_cause_first(scenario_file):
    p = scenario_file({"scenes": {"start": {"choices": DELETE, "choises": [{"text": "a", "goto": "end"}]}}})
    diags = check_file(p)[1]
    assert [d.code for d in diags][:2] == ["BAL010", "BAL034"]
    assert diags[0].line == diags[1].line == line_of(p, "choises:")
    assert "spell it 'choices'" in diags[1].message


def test_a_scene_without_choices_still_says_so(scenario_file):
    p = scenario_file({"scenes": {"start": {"choices": DELETE}}})
    d = [x for x in check_file(p)[1] if x.code == "BAL034"]
    assert d and "offers 0 choices" in d[0].message
