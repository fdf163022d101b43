"""`assumes:`: what a piece of text takes for granted about the run, proved by explore and check.

Small inline scenarios: one whose text contradicts a path (explore must find it, with a transcript that
`balcony replay` plays back to the broken assumption), one where every path agrees, and each kind of text
that can declare an assumption.
"""
from __future__ import annotations

import json

from engine import Run, load_scenario, replay
from engine.tools.explore import explore

from .helpers import cli, cli_json, doc, line_of, scenes, write


def _broken_doc():
    """'middle' says Alice's offer was accepted; one choice in 'start' refuses it and still leads there."""
    s = scenes()
    s["start"]["choices"][0]["effects"].append({"set": {"deal": True}})
    s["middle"]["text"] = "Alice thanks you for accepting her offer."
    s["middle"]["assumes"] = "deal"
    return doc(scenes=s)


def test_explore_finds_the_path_that_breaks_an_assumption_and_its_transcript_replays(tmp_path, capsys):
    path = write(tmp_path, _broken_doc())
    res = explore(path, time_limit=2)
    broken = res.broken_assumptions()
    assert [b.assumption.key for b in broken] == ["scene:middle"]
    b = broken[0]
    assert b.assumption.line == line_of(path, "assumes: deal")
    assert list(b.routes) == ["start"]                # the only way in: from 'start', by 'Take charge.'
    scene, turn, transcript = b.routes["start"]
    assert scene == "middle"
    assert transcript["actions"] == [{"choose": 1}]    # the choice that does not set the flag
    assert res.failed
    # the transcript replays to the broken assumption, through the library and the command
    result = replay(load_scenario(path), transcript)
    assert result.ok, result.message
    assert "assumes \"deal\"" in result.message and "'middle'" in result.message
    tfile = tmp_path / "t.json"
    tfile.write_text(json.dumps(transcript), encoding="utf-8")
    code, out, _ = cli(capsys, "replay", str(tfile), "--scenario", str(path))
    assert code == 0 and "broken assumption" in out
    # the command reports it with its place, and writes the transcript where asked
    code, out, _ = cli(capsys, "explore", str(path), "--time-limit", "2", "--out", str(tmp_path / "out"))
    assert code == 1
    assert f"{path}:{line_of(path, 'assumes: deal')}:" in out
    assert "Texts shown while what they assume is false" in out
    written = sorted((tmp_path / "out").glob("*.json"))
    assert len(written) == 1
    assert replay(load_scenario(path), json.loads(written[0].read_text())).ok


def test_a_fixed_scenario_replays_the_old_transcript_as_a_change(tmp_path):
    path = write(tmp_path, _broken_doc())
    transcript = explore(path, time_limit=2).broken_assumptions()[0].routes["start"][2]
    d = _broken_doc()
    d["scenes"]["start"]["choices"][1]["effects"].append({"set": {"deal": True}})  # now both ways accept it
    fixed = write(tmp_path, d, "fixed.yaml")
    result = replay(load_scenario(fixed), transcript)
    assert not result.ok and "held" in result.message


def test_assumptions_that_always_hold_pass(tmp_path, capsys):
    d = _broken_doc()
    d["scenes"]["middle"]["assumes"] = "visits.start >= 1"
    path = write(tmp_path, d)
    res = explore(path, time_limit=2)
    assert res.broken_assumptions() == [] and not res.failed
    code, out, _ = cli(capsys, "explore", str(path), "--time-limit", "2")
    assert code == 0 and "Every text's assumption held" in out


def test_check_fails_on_a_broken_assumption_and_writes_its_transcript(tmp_path, capsys):
    path = write(tmp_path, _broken_doc())
    code, report, _ = cli_json(capsys, "check", str(path), "--runs", "20", "--time-limit", "2",
                            "--out", str(tmp_path / "check"))
    assert code == 1 and report["ok"] is False
    broken = report["explore"]["assumptions_broken"]
    assert [b["key"] for b in broken] == ["scene:middle"] and broken[0]["assumes"] == "deal"
    assert list((tmp_path / "check").glob("mini-assumes-scene-middle-*.json"))


def test_every_kind_of_text_can_assume(tmp_path):
    """A choice's result, a delayed effect, an event, an ending, a story and a confidence: each is tested
    with the state it is shown in (the result and the delayed text before their effects)."""
    s = scenes()
    s["start"]["quarters"] = 1                          # a quarter passes: the delayed effect and the event come
    start = s["start"]["choices"]
    start[0]["result"] = "Alice's deal stands."
    start[0]["assumes"] = "deal"                        # broken: the deal is set by this choice's own effects
    start[1]["effects"].append({"later": {"turns": 1, "text": "Bob remembers.", "assumes": "political > 90",
                                          "effects": []}})
    d = doc(scenes=s, event_chance=1)
    d["events"] = [{"id": "storm", "title": "Storm", "text": "It rains.", "assumes": "deal"}]
    d["endings"][1]["assumes"] = "outcomes >= 30"
    d["stakeholders"][0]["confides"] = [{"text": "I trust you.", "assumes": "alice.trust > 90"}]
    d["perception"] = {"listen": {"stories": [{"id": "kim", "text": "Kim's story.", "assumes": "deal"}]}}
    start[0]["effects"].append({"set": {"deal": True}})
    path = write(tmp_path, d)
    sc = load_scenario(path)
    assert set(sc.assumptions) == {"choice:start#0", "later:choice:start#1.1", "event:storm", "ending:meh",
                                   "confides:alice#0", "story:kim"}
    res = explore(path, time_limit=2)
    assert {b.assumption.key for b in res.broken_assumptions()} == set(sc.assumptions)
    for b in res.broken_assumptions():
        for _, (_, _, tr) in b.routes.items():
            assert replay(sc, tr).ok, (b.assumption.key, replay(sc, tr).message)


def test_an_assumption_is_checked_like_any_condition(tmp_path, capsys):
    d = _broken_doc()
    d["scenes"]["middle"]["assumes"] = "dael"
    path = write(tmp_path, d)
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:{line_of(path, 'assumes: dael')}:" in out + err and "BAL021" in out + err
    d["scenes"]["middle"]["assumes"] = "outcomes > 200"
    path = write(tmp_path, d)
    code, out, err = cli(capsys, "validate", str(path))
    assert "BAL055" in out + err


def test_playing_is_not_slowed_or_changed_by_assumptions(tmp_path):
    """Without a watch the runtime never evaluates an assumption: a run that breaks one plays as before."""
    sc = load_scenario(write(tmp_path, _broken_doc()))
    run = Run(sc, 0)
    run.choose(1)
    run.advance()
    assert run.state.scene == "middle" and run.on_text is None
