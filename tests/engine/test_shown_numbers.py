"""Every number a player sees adds up: one rounding rule (engine.views.shown), and every shown value is the
value shown before plus the change shown with it, whose parts (your decision, drift, events...) add up to it.

Checked on small scenarios for the issue's examples, then as a property over random runs of every shipped
scenario, in the engine's view data (as the window reads it) and in the terminal's own output."""
from __future__ import annotations

import io
import random
import re

import pytest

from engine import Run, load_scenario
from engine.views import MeterRow, Part, shown
from game.textui import TextUI

from .helpers import BASE, REPO, merge

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))

DRIFT = {
    "meters": {"outcomes": {"range": [0, 100], "start": 50},
               "standing": {"label": "Standing", "range": [0, 100], "start": 60, "visible": True},
               "reserves": {"label": "Your reserves", "range": [0, 100], "start": 3.7, "visible": True}},
    "rules": [{"id": "wear", "effects": [{"add": {"standing": -2, "reserves": -0.3}}]}],
    "scenes": {
        "start": {"speaker": "narrator", "text": "Standing {standing}, reserves {reserves}.", "quarters": 1,
                  "choices": [{"text": "Act", "goto": "next", "effects": [{"add": {"standing": 6, "reserves": -1}}],
                               "result": "Done."}]},
        "next": {"speaker": "narrator", "text": "Next.", "quarters": 0,
                 "choices": [{"text": "Talk", "goto": "last", "effects": [{"add": {"standing": 3}}]}]},
        "last": {"speaker": "narrator", "text": "Last.", "choices": [{"text": "End", "goto": "end"}]},
    },
}


def test_the_rule_rounds_halves_away_from_zero():
    assert [shown(v) for v in (62.5, 63.5, 62.49, -2.5, -0.4, 3.7, 0.5)] == [63, 64, 62, -3, 0, 4, 1]


def test_a_quarter_summary_shows_the_whole_change_and_its_parts(run_of):
    run = run_of(DRIFT)
    assert [m.shown for m in run.snapshot().visible_meters] == [60, 4]
    run.choose(0)
    result, quarter = run.snapshot().notices
    # the decision's own effect, when it happens
    assert result.rows == (MeterRow("standing", "Standing", None, 6, (Part("your decision", 6),)),
                           MeterRow("reserves", "Your reserves", None, -1, (Part("your decision", -1),)))
    assert "Your decision: Standing +6 · Your reserves -1" in result.full_text()
    # the summary: since the numbers were last shown (60 and 4), decision and drift together
    assert [r.text() for r in quarter.rows] == ["Standing: 64 (+4: +6 your decision, -2 drift)",
                                                "Your reserves: 2 (-2: -1 your decision, -1 drift)"]
    run.advance()
    assert run.snapshot().changes == ()        # nothing changed since the summary
    run.choose(0)                              # a decision that passes no quarter...
    run.advance()
    snap = run.snapshot()                      # ...is counted where the numbers are next shown
    assert [r.text() for r in snap.changes] == ["Standing: 67 (+3 your decision)"]
    assert [m.shown for m in snap.visible_meters] == [67, 2]


def test_scene_text_and_view_data_round_alike(run_of):
    run = run_of(merge(DRIFT, {"meters": {"standing": {"start": 62.5}}}))
    snap = run.snapshot()
    assert snap.text == "Standing 63, reserves 4." and snap.visible_meters[0].shown == 63


def test_the_terminal_shows_the_parts(load, tmp_path):
    out = io.StringIO()
    TextUI(load(DRIFT), 1, inp=io.StringIO("1\n1\n"), out=out, err=io.StringIO(), autosave=False).play()
    text = " ".join(out.getvalue().split())
    assert "Your decision: Standing +6 · Your reserves -1" in text
    assert "Standing: 64 (+4: +6 your decision, -2 drift)" in text
    assert "Your reserves: 2 (-2: -1 your decision, -1 drift)" in text
    assert "Standing: 67 (+3 your decision)" in text
    assert "3.7" not in text and "-0.3" not in text


def test_the_ending_triangle_uses_the_rule(run_of):
    run = run_of(merge(DRIFT, {"meters": {"outcomes": {"start": 62.55}},
                               "endings": [{"id": "f", "title": "F", "quality": "mixed", "fallback": True,
                                            "text": "Score {round(public_value)}."}]}))
    run.choose(0), run.advance(), run.choose(0), run.advance(), run.choose(0), run.advance()
    e = run.snapshot().ending
    assert e.triangle["public_value"] == 63 and e.text == "Score 63."


# --- the property, over random runs of every shipped scenario ---------------------------------------------

class Ledger:
    """What a player has been shown, meter by meter: each statement must follow from the one before."""

    def __init__(self, snap):
        self.last = {m.id: m.shown for m in snap.visible_meters}
        self.decision: dict = {}

    def statement(self, rows, where):
        for r in rows:
            assert r.value is not None, where
            assert r.value == self.last[r.id] + r.delta, (where, r, self.last[r.id])
            assert sum(p.delta for p in r.parts) == r.delta, (where, r)
            own = sum(p.delta for p in r.parts if p.label == "your decision")
            assert own == self.decision.pop(r.id, 0), (where, r)
            self.last[r.id] = r.value
        for mid in [m for m in self.decision if m not in {r.id for r in rows}]:
            raise AssertionError(f"{where}: a decision moved {mid} but the next statement does not say so")

    def decided(self, rows):
        for r in rows:
            assert r.value is None and r.parts == (Part("your decision", r.delta),)
            self.decision[r.id] = r.delta

    def matches(self, snap, where):
        assert {m.id: m.shown for m in snap.visible_meters} == self.last, where


def random_run(scenario, seed, check):
    """Play at random, perceiving now and then; `check` sees each step."""
    rnd = random.Random(seed)
    run = Run(scenario, seed)
    while not run.ended:
        snap = run.snapshot()
        if snap.status == "outcome":
            check("outcome", snap)
            run.advance()
            continue
        check("choosing", snap)
        acts = [a for a in snap.perception_actions if a.available]
        if acts and rnd.random() < 0.35:
            kind = rnd.choice(acts).kind
            run.perceive(kind, rnd.choice(snap.dance_floor).id if kind == "one_to_one" else None)
            check("perceived", run.snapshot())
            continue
        run.choose(rnd.choice(snap.available_choices).index)
    return run


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_view_data_adds_up_on_random_runs(path):
    scenario = load_scenario(path)
    for seed in range(10):
        ledger = None
        last_choosing = None

        def check(step, snap):
            nonlocal ledger, last_choosing
            if ledger is None:
                ledger = Ledger(snap)
                last_choosing = (snap.scene_id, snap.decisions)
                assert snap.changes == ()
                return
            where = f"{path.stem} seed {seed} {snap.calendar.label} {snap.scene_id} ({step})"
            if step == "outcome":
                for n in snap.notices:
                    if n.kind == "result":
                        ledger.decided(n.rows)
                    elif n.kind == "quarter":
                        ledger.statement(n.rows, where)
                        assert len(n.rows) == len(snap.visible_meters)
                    # the window shows a notice as its full text: the rows are in it, as they are
                    for r in n.rows:
                        assert r.text() in n.full_text()
            else:
                if step == "perceived" or (snap.scene_id, snap.decisions) != last_choosing:
                    ledger.statement(snap.changes, where)
                last_choosing = (snap.scene_id, snap.decisions)
                ledger.matches(snap, where)

        random_run(scenario, seed, check)


class RandomPlayer(io.StringIO):
    """Input for the terminal that plays at random: reads the run the terminal shows."""

    def __init__(self, seed):
        super().__init__()
        self.rnd = random.Random(seed)
        self.ui = None

    def readline(self, *a):
        snap = self.ui.run.snapshot()
        acts = [a for a in snap.perception_actions if a.available]
        if acts and self.rnd.random() < 0.35:
            kind = self.rnd.choice(acts).kind
            return {"balcony": "b\n", "listen": "l\n"}.get(kind) or f"o {self.rnd.randint(1, len(snap.dance_floor))}\n"
        open_ = [i for i, c in enumerate(snap.choices, 1) if c.available]
        return f"{self.rnd.choice(open_)}\n"


def terminal_numbers(text, labels):
    """Every meter number in the terminal's lines of numbers (indented, starting with a meter's label or
    'Your decision:'; wrapped lines joined), in order: (label, value or None, delta, parts). Prose that
    quotes a number is left out."""
    blocks, cur = [], None
    for line in text.splitlines():
        if line.startswith("  ") and any(line[2:].startswith(lb) for lb in [*labels, "Your decision:"]):
            cur = [line]
            blocks.append(cur)
        elif cur is not None and line.startswith("  ") and line.strip():
            cur.append(line)
        else:
            cur = None
    flat = " ".join(" ".join(b) for b in blocks)
    flat = " ".join(flat.split())
    alts = "|".join(re.escape(lb) for lb in sorted(labels, key=len, reverse=True))
    found = []
    for m in re.finditer(rf"(?P<label>{alts})(?::\s(?P<value>[\d,]+)(?:\s\((?P<change>[^)]*)\))?"
                         rf"|\s(?P<delta>[+-][\d,]+)(?=\s·|\s|$))", flat):
        num = lambda s: int(s.replace(",", ""))  # noqa: E731
        if m["value"] is not None:
            change, parts = m["change"] or "", []
            head, _, rest = change.partition(": ")
            if not rest and change and " " in change:      # '+6 your decision': one part
                head, _, label = change.partition(" ")
                parts = [(label, num(head))]
            else:
                parts = [(p.split(" ", 1)[1], num(p.split(" ", 1)[0])) for p in rest.split(", ") if p]
            delta = 0 if head in ("", "no change") else num(head)
            found.append((m["label"], num(m["value"]), delta, parts))
        else:
            found.append((m["label"], None, num(m["delta"]), []))
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_terminal_adds_up_on_random_runs(path):
    scenario = load_scenario(path)
    labels = [m.label for m in scenario.meters.values() if m.visible]
    for seed in range(5):
        inp, out = RandomPlayer(seed), io.StringIO()
        ui = TextUI(scenario, seed, inp=inp, out=out, err=io.StringIO(), autosave=False)
        inp.ui = ui
        assert ui.play() == 0 and ui.run.ended
        last, decision, seen = {}, {}, 0
        for label, value, delta, parts in terminal_numbers(out.getvalue(), labels):
            where = f"{path.stem} seed {seed}: {label} {value} {delta} {parts}"
            if value is None:
                decision[label] = delta
                continue
            seen += 1
            if label in last:
                assert value == last[label] + delta, where
                assert sum(d for _, d in parts) == delta, where
                assert sum(d for lb, d in parts if lb == "your decision") == decision.pop(label, 0), where
            last[label] = value
        assert seen > 3 * len(labels)
