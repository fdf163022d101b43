"""A content error met only at run time (arithmetic that gives no number) never leaves a half-applied
decision: Run.atomic() puts the run back as it was, and every front end wraps each intent in it. Before,
`play --text` printed the error and went on from the next quarter, the rule half done."""
from __future__ import annotations

import pytest

from engine import ExprRuntimeError, Run, load_scenario

from .helpers import BASE, balcony, dump, merge

POWER = " * ".join(["x"] * 22)   # (10^15)^22: beyond a float, so POWER - POWER is no number
NAN = f"{POWER} - {POWER}"


def _write(tmp_path, over):
    p = tmp_path / "n.yaml"
    p.write_text(dump(merge(BASE, over)), encoding="utf-8")
    return p


def _in_a_rule(tmp_path):
    """A rule that fails at the end of every quarter; 'Stop' ends the run at once, with no quarter."""
    return _write(tmp_path, {
        "meters": {"x": {"range": [0, 1e15], "start": 1e15}},
        "rules": [{"id": "grow", "text": "x grows", "effects": [{"set": {"x": NAN}}]}],
        "scenes": {"start": {"quarters": 1, "text": "Hello.",
                             "choices": [{"text": "Go", "goto": "start", "effects": [{"add": {"outcomes": 5}}]},
                                         {"text": "Stop", "goto": "end"}]}},
        "calendar": {"start": "2010-Q1", "end": "2011-Q4"}})


def test_a_failed_choice_leaves_the_run_exactly_as_it_was(tmp_path):
    run = Run(load_scenario(_in_a_rule(tmp_path)), seed=3)
    run.perceive("listen")
    before = (run.to_save(), run.history.to_dict(), list(run.checkpoints), run.transcript())
    with pytest.raises(ExprRuntimeError):
        with run.atomic():
            run.choose(0)
    assert (run.to_save(), run.history.to_dict(), list(run.checkpoints), run.transcript()) == before
    assert run.state.vals["outcomes"] == 50 and run.state.turn == before[0]["state"]["turn"]
    run.choose(1)                      # the run goes on from where it was
    run.advance()
    assert run.status == "ended"


def test_without_atomic_the_same_choice_is_half_applied(tmp_path):
    """What the test above guards against is real: the choice's own effect and the quarter have happened."""
    run = Run(load_scenario(_in_a_rule(tmp_path)), seed=3)
    with pytest.raises(ExprRuntimeError):
        run.choose(0)
    assert run.state.vals["outcomes"] == 55


def test_the_terminal_says_nothing_changed_and_stays_in_the_same_quarter(tmp_path):
    r = balcony(tmp_path, "play", "--text", "--no-autosave", _in_a_rule(tmp_path), input="1\n1\n2\n")
    out = r.stdout + r.stderr
    assert "Traceback" not in out and r.returncode == 0, out
    assert out.count("The scenario has an error (not something you did)") == 2
    assert "Nothing changed: you are where you were before." in out
    assert "2010 Q1" in out and "2010 Q2" not in out       # the quarter never moved on
    assert "[The end]" in out


def test_an_error_on_entering_the_next_scene_stops_the_run_with_status_2(tmp_path):
    p = _write(tmp_path, {
        "meters": {"x": {"range": [0, 1e15], "start": 1e15}},
        "scenes": {"start": {"text": "Hello.", "choices": [{"text": "Go", "goto": "next"}]},
                   "next": {"speaker": "narrator", "text": "Broken.", "on_enter": [{"set": {"x": NAN}}],
                            "choices": [{"text": "Stop", "goto": "end"}]}}})
    r = balcony(tmp_path, "play", "--text", "--no-autosave", p, input="1\n")
    out = r.stdout + r.stderr
    assert "Traceback" not in out and r.returncode == 2, out
    assert "The run cannot go on past this point until the scenario is fixed." in out
    assert "Broken." not in out

