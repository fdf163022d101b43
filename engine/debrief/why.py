"""Why this ending: the condition that chose it, with its values, and the distance to the next better one.

Endings are tried from the highest priority down; the first whose condition holds is the ending (the
fallback catches the rest). So the run's ending is explained by its own condition holding and by the
conditions of the endings tried before it failing. The next better ending is, among the endings of
better quality, the one whose failed comparisons fall short by the least in total (in points of the
values compared); with it, the endings tried before it whose conditions held, which would still have
won.
"""
from __future__ import annotations

from .model import Clause, EndingRef, NextEnding, Why
from .play import rank


def _ref(e) -> EndingRef:
    return EndingRef(e.id, e.title, e.quality)


def clauses_of(scenario, ending, state) -> tuple:
    """The comparisons in an ending's condition, with their values at the end of the run."""
    explain = getattr(scenario, "explain_ending", None)
    if explain is None:
        return ()
    return tuple(explain(ending, state))


def _condition(ending) -> str:
    return "fallback" if ending.fallback else getattr(ending, "cond_src", "") or ""


def _holds(ending, state) -> bool:
    return ending.fallback or (ending.cond is not None and bool(ending.cond(state)))


def build_why(scenario, run) -> Why:
    s = run.state
    endings = scenario.endings
    mine = next(e for e in endings if e.id == s.ending)
    i = endings.index(mine)
    passed = tuple(_ref(e) for e in endings[:i])
    clauses = clauses_of(scenario, mine, s)
    nxt = None
    best = None
    for j, e in enumerate(endings):
        if rank(_ref(e)) <= rank(_ref(mine)) or e.fallback:
            continue
        cl = clauses_of(scenario, e, s)
        failed = tuple(c for c in cl if not c.holds)
        short = sum(abs(c.short_by or 0) for c in failed)
        blockers = tuple(_ref(x) for x in endings[:j] if x is not e and _holds(x, s))
        key = (short + 1000 * len(blockers), -rank(_ref(e)), j)
        if best is None or key < best[0]:
            best = (key, e, failed, blockers)
    if best is not None:
        _, e, failed, blockers = best
        nxt = NextEnding(_ref(e), _condition(e), failed, blockers, _next_summary(e, failed, blockers))
    tri = run.triangle()
    return Why(_ref(mine), _condition(mine), clauses, passed, tri, nxt, _summary(mine, clauses, passed, tri))


def _fmt(v) -> str:
    if v is None:
        return "?"
    return f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"


def _summary(e, clauses, passed, tri) -> str:
    parts = [f"The run ended in \u201c{e.title}\u201d ({e.quality})."]
    if e.fallback:
        parts.append("No other ending's condition held, so the fallback ending caught the run.")
    elif clauses:
        parts.append("Its condition held: " + "; ".join(
            f"{c.text} ({_fmt(c.value)} against {_fmt(c.target)})" if c.target is not None else c.text
            for c in clauses) + ".")
    if passed:
        parts.append(f"{len(passed)} ending{'s' if len(passed) != 1 else ''} tried before it did not hold.")
    if tri:
        parts.append("The strategic triangle at the end: " + ", ".join(
            f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in tri.items()) + ".")
    return " ".join(parts)


def _next_summary(e, failed, blockers) -> str:
    parts = [f"The nearest better ending was \u201c{e.title}\u201d ({e.quality})."]
    if failed:
        parts.append("It needed " + "; ".join(
            f"{c.text}, where the run had {_fmt(c.value)}, short by {_fmt(c.short_by)}" if c.short_by is not None
            else c.text for c in failed) + ".")
    if blockers:
        parts.append("Even then, " + ", ".join(f"\u201c{b.title}\u201d" for b in blockers)
                     + " is tried first and its condition held.")
    return " ".join(parts)
