"""Why this ending: the condition that chose it, with its values, and the distance to the next better one.

Endings are tried from the highest priority down; the first whose condition holds is the ending (the
fallback catches the rest). `engine.endings.explain` says which condition chose it, part by part, with the
values it read. The nearest better ending is, among the endings of better quality, the one whose failed
parts fall short by the least: for a comparison of numbers, by how far its left side is from making it
hold; a part that is not a comparison of numbers (a flag, an either-or) counts as `NOT_A_NUMBER` points.
Endings tried before it whose conditions hold would still win, so each adds `BLOCKED` points.
"""
from __future__ import annotations

from ..endings import check, explain
from ..marks import N_, same
from .model import Clause, EndingRef, NextEnding, Why
from ..views import shown
from .play import rank, triangle

NOT_A_NUMBER = 25.0
BLOCKED = 1000.0


def _ref(e) -> EndingRef:
    return EndingRef(e.id, e.title, e.quality)


def short_by(c) -> float | None:
    """How far a comparison's left side is from making it hold (0 when it holds; None if not numbers)."""
    if c.holds:
        return 0.0
    if c.op is None or c.left is None or c.right is None:
        return None
    gap = abs(c.right - c.left)
    return round(gap if c.op in (">=", "<=", "==") else max(gap, 0.1) if c.op in (">", "<") else 0.1, 1)


def clause(c) -> Clause:
    return Clause(c.words, c.left, c.right, c.holds, short_by(c))


def build_why(scenario, run, tr=same) -> Why:
    """Why this ending, worded in the language `tr` translates into (English by default)."""
    s = run.state
    ex = explain(scenario, run, tr)
    endings = scenario.endings
    mine = next(e for e in endings if e.id == s.ending)
    passed = tuple(EndingRef(p.id, p.title, p.quality) for p in ex.passed_over)
    clauses = tuple(clause(c) for c in ex.chosen.clauses)
    best = None
    for j, e in enumerate(endings):
        if e.fallback or rank(_ref(e)) <= rank(_ref(mine)):
            continue
        ck = check(scenario, e, s, tr)
        failed = tuple(clause(c) for c in ck.failed)
        blockers = tuple(_ref(x) for x in endings[:j] if x is not e and check(scenario, x, s).holds)
        distance = sum(NOT_A_NUMBER if c.short_by is None else c.short_by for c in failed) + BLOCKED * len(blockers)
        key = (distance, -rank(_ref(e)), j)
        if best is None or key < best[0]:
            best = (key, e, ck, failed, blockers)
    nxt = None
    if best is not None:
        _, e, ck, failed, blockers = best
        nxt = NextEnding(_ref(e), ck.condition, failed, blockers, _next_summary(e, failed, blockers, tr))
    tri = triangle(run)
    summary = " ".join(ex.lines(tr))
    if tri:
        summary += " " + tr(N_("The strategic triangle at the end: {scores}.")).format(scores=", ".join(
            f"{tr(k.replace('_', ' '))} {_fmt(v)}" for k, v in tri.items()))
    return Why(_ref(mine), "fallback" if mine.fallback else ex.chosen.condition, clauses, passed, tri, nxt, summary)


def _fmt(v) -> str:
    return "?" if v is None else f"{shown(v):,}"


def short_text(c, tr=same) -> str:
    """How far a failed part fell short, in the numbers shown beside it."""
    if c.short_by is None or c.value is None or c.target is None:
        return ""
    d = abs(shown(c.target) - shown(c.value))
    return tr(N_("short by {n}")).format(n=f"{d:,}") if d >= 1 else tr(N_("short by less than 1"))


def _next_summary(e, failed, blockers, tr=same) -> str:
    parts = [tr(N_("The nearest better ending was \u201c{ending}\u201d ({quality}).")).format(
        ending=e.title, quality=tr(e.quality))]
    if failed:
        parts.append(tr(N_("It needed {conditions}.")).format(conditions="; ".join(
            c.text + (f", {short_text(c, tr)}" if short_text(c, tr) else "") for c in failed)))
    if blockers:
        parts.append(tr(N_("Even then, {endings} is tried first and its condition held.")).format(
            endings=", ".join(f"\u201c{b.title}\u201d" for b in blockers)))
    return " ".join(parts)
