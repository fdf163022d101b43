"""Numbers beyond range, through the real command line (issue 12, item 2, and its note on digits): literals
outside +-10^15 are refused at validation with a positioned BAL025 that says the range; non-ASCII digits are
refused; arithmetic that gives no number (NaN) at run time fails naming the expression, never as a traceback,
and no meter, autosave or report ever holds NaN; an infinity is clamped to the meter's range."""
from __future__ import annotations

import json

import pytest

from .helpers import BASE, balcony, dump, merge

BIG = "1" + "0" * 309          # beyond a float: 10^309
DIGITS_201 = "1" + "0" * 200
POWER = " * ".join(["x"] * 22)  # (10^15)^22: beyond a float


def _write(tmp_path, over, name="n.yaml"):
    p = tmp_path / name
    p.write_text(dump(merge(BASE, over)), encoding="utf-8")
    return p


def _choice(**extra):
    return {"scenes": {"start": {"text": "Hello.", "choices": [{"text": "Go", "goto": "end", **extra}]}}}


REFUSED = {
    "round of a 310-digit literal": (_choice(**{"if": f"round({BIG}) > 1"}), "BAL025", "10^15"),
    "product of two 201-digit literals": (_choice(**{"if": f"{DIGITS_201} * {DIGITS_201} > outcomes"}), "BAL025",
                                          "out of range"),
    "a 310-digit number in a text's {...}": ({"scenes": {"start": {"text": f"You have {{{BIG}}} problems.",
                                                                   "choices": [{"text": "Go", "goto": "end"}]}}},
                                             "BAL025", "10^15"),
    "x * 10^400 in an effect": (_choice(effects=[{"add": {"outcomes": f"outcomes * 1{'0' * 400} - outcomes"}}]),
                                "BAL025", "out of range"),
    "an infinite YAML number as an amount": (_choice(effects=[{"add": {"outcomes": float("inf")}}]), "BAL012", "usable number"),
    "Arabic-Indic digits": (_choice(**{"if": "outcomes > \u0663\u0660"}), "BAL020", "digits 0-9"),
    "Devanagari digits": (_choice(**{"if": "outcomes > \u0969"}), "BAL020", "digits 0-9"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_numbers_out_of_range_are_refused_at_validation(tmp_path, case):
    over, code, fragment = REFUSED[case]
    p = _write(tmp_path, over)
    for command in (["validate"], ["play", "--text", "--no-autosave"]):
        r = balcony(tmp_path, *command, p, input="1\n", timeout=60)
        assert r.returncode == 2, (command, r.returncode, r.stdout, r.stderr)
        out = r.stdout + r.stderr
        assert "Traceback" not in out
        line = next(ln for ln in out.splitlines() if f" {code} " in ln)  # file:line:column: CODE message
        assert line.split(" ")[0].endswith(":") and f"{p.name}:" in line.split(" ")[0], line
        assert fragment in line


def _nan_scenario(tmp_path):
    return _write(tmp_path, {
        "meters": {"x": {"range": [0, 1e15], "start": 1e15}},
        "rules": [{"id": "grow", "text": "x grows", "effects": [{"set": {"x": f"{POWER} - {POWER}"}}]}],
        "scenes": {"start": {"quarters": 1, "choices": [{"text": "Go", "goto": "start"}, {"text": "Stop", "goto": "end"}]}},
        "calendar": {"start": "2010-Q1", "end": "2011-Q4"}})


def _no_nan(text):
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the output"))


def test_arithmetic_that_gives_no_number_is_reported_naming_the_expression(tmp_path):
    p = _nan_scenario(tmp_path)
    r = balcony(tmp_path, "simulate", p, "--runs", "20", "--jobs", "1", "--json")
    assert "Traceback" not in r.stderr and r.returncode in (0, 1), r.stderr
    report = json.loads(r.stdout)
    assert report["errors"] and all("gave no number (NaN)" in e["message"] and "x * x" in e["message"]
                                    for e in report["errors"])
    _no_nan(r.stdout)
    r = balcony(tmp_path, "play", "--text", p, input="1\n2\n")
    assert "Traceback" not in r.stderr + r.stdout
    assert "gave no number (NaN)" in r.stdout + r.stderr
    saves = list((tmp_path).rglob("autosave-*.json"))
    for save in saves:
        _no_nan(save.read_text())


def test_an_infinity_is_clamped_to_the_meters_range_through_the_command_line(tmp_path):
    p = _write(tmp_path, {
        "meters": {"x": {"range": [0, 1e15], "start": 1e15}},
        "rules": [{"id": "grow", "text": "x grows", "effects": [{"add": {"x": POWER}}]}],
        "scenes": {"start": {"quarters": 1, "choices": [{"text": "Go", "goto": "start"}, {"text": "Stop", "goto": "end"}]}},
        "calendar": {"start": "2010-Q1", "end": "2011-Q4"}})
    r = balcony(tmp_path, "simulate", p, "--runs", "5", "--jobs", "1", "--json")
    assert r.returncode == 0, r.stderr
    _no_nan(r.stdout)
    x = next(m for m in json.loads(r.stdout)["meters"] if m["id"] == "x")
    assert x["at"][-1]["max"] == 1e15
