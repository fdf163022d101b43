"""simulate's tuning report: the triangle, computed values and each ending's terms at the end of the runs,
and --near ENDING (which of an ending's conditions failed, and by how much), on a scenario with known answers.

In tools/helpers' scenario, outcomes start at 20; the first scene adds 10 or takes 5, the second adds 5 or
nothing; so a run ends on 15, 20, 30 or 35, and the ending "good" needs outcomes >= 30."""
from __future__ import annotations

from engine import load_scenario
from engine.tools.simulate import simulate
from engine.tools.tuning import near

from .helpers import cli, cli_json, doc, write


def _sim(tmp_path, runs=200):
    d = doc(computed={"double": "outcomes * 2", "high": "outcomes > 25"})
    return simulate(load_scenario(write(tmp_path, d)), runs, "random", 3)


def test_the_triangle_computed_values_and_ending_terms_at_the_end(tmp_path):
    res = _sim(tmp_path)
    a = res.to_dict()["at_end"]
    pv = next(x for x in a["triangle"] if x["id"] == "public_value")
    assert (pv["min"], pv["max"]) == (15, 35) and sum(pv["histogram"]) == 200
    double = next(x for x in a["computed"] if x["id"] == "double")
    assert (double["min"], double["max"]) == (30, 70)
    assert [x["id"] for x in a["computed"]] == ["double"]  # a true/false computed value has no distribution
    (good,) = a["endings"]
    (term,) = good["terms"]
    assert term["term"] == "outcomes >= 30" and term["held"] == round(res.endings["good"] / 200, 4)
    assert 0 < term["held"] < 1 and (term["left"]["min"], term["left"]["max"]) == (15, 35)


def test_near_says_which_condition_failed_and_by_how_much(tmp_path):
    res = _sim(tmp_path)
    n = near(res, "good")
    assert n["missed"] == res.endings["meh"] > 0 and n["all_held"] == 0
    (t,) = n["terms"]
    assert t["failed"] == n["missed"]
    assert (t["short_by"]["min"], t["short_by"]["max"]) == (10, 15)  # 30 - 20 and 30 - 15


def test_near_through_the_command_line(tmp_path, capsys):
    p = write(tmp_path, doc())
    code, out, _ = cli_json(capsys, "simulate", str(p), "--runs", "100", "--near", "good")
    assert code == 0 and out["near"]["terms"][0]["term"] == "outcomes >= 30"
    code, text, err = cli(capsys, "simulate", str(p), "--runs", "50", "--near", "god")
    assert code == 2 and "did you mean 'good'" in err
    code, text, _ = cli(capsys, "simulate", str(p), "--runs", "50", "--near", "good")
    assert code == 0 and "failed  outcomes >= 30, short by" in text and "At the end of the runs" in text


def test_a_true_false_computed_value_is_reported_as_the_share_of_runs_in_which_it_held(tmp_path, capsys):
    """The balancing chapter reads where `productive` ends; a true/false computed value was left out."""
    res = _sim(tmp_path)
    a = res.to_dict()["at_end"]
    (high,) = a["computed_held"]
    pv = next(j for n, j, _ in res.measures.triangle if n == "public_value")  # outcomes, at the end of each run
    ends_high = sum(1 for f in res.finals if f[pv] > 25)
    assert high["id"] == "high" and high["held"] == round(ends_high / 200, 4) and 0 < high["held"] < 1
    p = write(tmp_path, doc(computed={"high": "outcomes > 25"}), name="b.yaml")
    code, text, _ = cli(capsys, "simulate", str(p), "--runs", "50")
    assert code == 0 and "computed                 high: true at the end of " in text
