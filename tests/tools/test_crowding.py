"""More than four choices shown at once (BAL036): validate warns where the conditions of choices hidden while
unavailable can hold together; explore finds a state that shows more than four, with a transcript that
replay plays back; at run time every choice is shown and a warning is logged."""
from __future__ import annotations

import json
import logging

import pytest

from engine import Run, check_file, load_scenario
from engine.crowding import MAX_SHOWN, most_shown
from engine.tools.explore import explore

from .helpers import cli, doc, line_of, scenes, write

OPEN = [{"text": "Wait.", "goto": "middle"}, {"text": "Act.", "goto": "middle"}]


def _scene(*conds, locked=()):
    """BASE's first scene with two open choices and one hidden while unavailable per condition (a choice
    in `locked` has an 'unavailable' reason instead: always shown)."""
    extra = [{"text": f"Option {i}.", "if": c, "goto": "middle", **({"unavailable": "Not yet."} if i in locked else {})}
             for i, c in enumerate(conds)]
    return scenes(start={"speaker": "narrator", "text": "It begins.", "quarters": 0, "choices": OPEN + extra})


def _warnings(tmp_path, *conds, **kw):
    d = doc(scenes=_scene(*conds, **kw), phases=[{"id": "one", "name": "One"}, {"id": "two", "name": "Two"}],
            computed={"hot": "political > 60 and deal", "drive": "political + outcomes"})
    path = write(tmp_path, d)
    sc, diags = check_file(path)
    assert sc is not None, [x.format() for x in diags]
    return path, sc, [x for x in diags if x.code == "BAL036"]


@pytest.mark.parametrize("conds", [
    ("political >= 60", "political < 60", "outcomes > 10"),              # the first two exclude each other
    ("deal", "not deal", "outcomes > 10"),
    ("phase == 'one'", "phase == 'two'", "deal"),
    ("alice.trust > bob.trust", "bob.trust > alice.trust", "deal"),       # a comparison written both ways
    ("20 <= political <= 40", "political > 40 and deal", "political < 20 or not deal"),
    ("deal and political > 50", "not (deal and political > 50)", "outcomes < 5"),
    ("political >= 60", "political < 60", "political == 60"),             # the third holds with the first only
    ("hot", "political <= 60", "not deal"),                               # a computed value, by its definition
    ("drive > 100", "political + outcomes <= 100", "deal"),
])
def test_exclusive_conditions_do_not_add_up(tmp_path, conds):
    _, sc, found = _warnings(tmp_path, *conds)
    assert not found, [x.format() for x in found]
    assert most_shown(sc.scenes["start"].choices, sc.env)[0] == MAX_SHOWN


@pytest.mark.parametrize("conds", [
    ("political >= 60", "outcomes > 10", "deal"),
    ("political >= 60", "political > 70", "political != 65"),
    ("deal or outcomes > 10", "not deal", "outcomes > 90"),
    ("alice.trust > bob.trust", "alice.trust >= bob.trust", "deal"),
])
def test_conditions_that_can_hold_together_are_warned_about(tmp_path, conds):
    path, sc, found = _warnings(tmp_path, *conds)
    assert len(found) == 1
    d = found[0]
    assert d.severity == "warning" and d.line == line_of(path, "choices:")
    assert "the scene 'start' may show 5 choices at once" in d.message and "choices 3, 4 and 5" in d.message


def test_a_locked_choice_with_a_reason_counts_always(tmp_path):
    _, _, found = _warnings(tmp_path, "political >= 60", "political < 60", "deal", locked=(2,))
    assert not found  # 3 always shown, and one of the two others at a time
    _, _, found = _warnings(tmp_path, "political >= 60", "outcomes > 5", "deal", locked=(2,))
    assert len(found) == 1 and "3 always shown" in found[0].message and "choices 3 and 4" in found[0].message


def _crowded(tmp_path):
    # five choices shown at once, but only after the player has raised political support
    d = doc(scenes=scenes(start={"speaker": "narrator", "text": "It begins.", "quarters": 0, "choices": [
        {"text": "Campaign.", "effects": [{"add": {"political": 20}}], "goto": "middle"},
        {"text": "Wait.", "goto": "middle"}]},
        middle={"speaker": "alice", "text": "Alice waits.", "choices": OPEN[:1] + [
            {"text": "Act.", "goto": "end"},
            {"text": "Lead.", "if": "political >= 60", "goto": "end"},
            {"text": "Push.", "if": "political >= 65", "goto": "end"},
            {"text": "Insist.", "if": "political >= 70", "goto": "end"}]}))
    d["scenes"]["middle"]["choices"][0]["goto"] = "end"
    return write(tmp_path, d)


def test_explore_reports_a_state_that_shows_more_than_four_and_replay_plays_it_back(tmp_path, capsys):
    path = _crowded(tmp_path)
    res = explore(str(path), seeds=1, time_limit=3, steer=False)
    found = [f for f in res.findings if f.kind == "crowded"]
    assert len(found) == 1 and res.failed
    f = found[0]
    assert f.scene == "middle" and "5 choices are shown at once" in f.message
    assert f.transcript["crowded"]["line"] == line_of(path, "Alice waits.") - 2  # the scene's key
    code, out, _ = cli(capsys, "explore", str(path), "--time-limit", "1")
    assert code == 1
    assert f"{path}:{line_of(path, 'middle:')}:3: middle: in the scene 'middle' 5 choices are shown at once" in out
    tr = tmp_path / "crowded.json"
    tr.write_text(json.dumps(f.transcript))
    code, out, _ = cli(capsys, "replay", str(tr), "--scenario", str(path))
    assert code == 0 and "replays to the scene 'middle'" in out and "5 choices are shown at once" in out
    # once the scene shows four at most, the same transcript says so, and fails
    path.write_text(path.read_text().replace("political >= 70", "political >= 90"))
    code, out, _ = cli(capsys, "replay", str(tr), "--scenario", str(path))
    assert code == 1 and "4 choices" in out


def test_at_run_time_every_choice_is_shown_and_a_warning_logged(tmp_path, caplog):
    run = Run(load_scenario(_crowded(tmp_path)), 1)
    run.take(0)
    with caplog.at_level(logging.WARNING, logger="balcony.engine"):
        snap = run.snapshot()
        run.snapshot()
    assert [c.text for c in snap.choices] == ["Wait.", "Act.", "Lead.", "Push.", "Insist."]
    logged = [r for r in caplog.records if "BAL036" in r.getMessage()]
    assert len(logged) == 1 and "'middle' shows 5 choices at once" in logged[0].getMessage()
    run.take(4)
    assert run.state.status == "ended"


def test_more_than_four_always_shown_is_bal034_alone(tmp_path):
    d = doc(scenes=_scene("deal", locked=()) )
    d["scenes"]["start"]["choices"] += [{"text": f"More {i}.", "goto": "middle"} for i in range(3)]
    sc, diags = check_file(write(tmp_path, d))
    assert sc is None and {x.code for x in diags} == {"BAL034"}, [x.format() for x in diags]


def test_the_terminal_numbers_every_choice_shown(tmp_path):
    import io

    from game.textui import TextUI

    out, err = io.StringIO(), io.StringIO()
    TextUI(load_scenario(_crowded(tmp_path)), 1, inp=io.StringIO("1\n\n5\n\n"), out=out, err=err,
           autosave=False).play()
    text = out.getvalue()
    assert "  5. Insist." in text and "There is no choice" not in text
    assert "Meh" in text or "Good" in text  # the fifth choice was taken, and the run ended
