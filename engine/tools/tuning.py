"""What endings are judged on, at the end of each simulated run: for tuning a scenario's numbers.

`EndMeasures(scenario)` lists every value worth seeing at the end of a run (each triangle side, each
computed value, and both sides of each comparison in each ending's condition) and reads them all in one
generated function call per run (`engine.expr.values_function`). `simulate` keeps one tuple per run;
`at_end(result)` summarises them per persona as the meters are summarised, and `near(result, ending)` says,
for the runs that missed an ending, which of its conditions failed and by how much.

An ending's condition is read as its top-level `and` terms (the same split as `engine.endings`): a term that
compares two numbers (`public_value >= 60`) is measured on both sides; any other term (a flag, an `or`) is
measured as held or not.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from ..endings import _src, _terms
from ..expr import BOOL, Compiler, compile_expr, values_function

#: How far a comparison falls short of holding, from its two sides (positive when it fails).
SHORT = {">=": lambda a, b: b - a, ">": lambda a, b: b - a, "<=": lambda a, b: a - b, "<": lambda a, b: a - b,
         "==": lambda a, b: abs(a - b), "!=": lambda a, b: 0.0}
HOLDS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
         "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


@dataclass(frozen=True)
class Term:
    ending: str
    src: str            # the term as written back from its tree
    op: str | None      # for a comparison of two numbers; None for a term measured as held or not
    left: int           # the place of its left value in a run's tuple (or of its truth value)
    right: int | None   # the place of its right value
    right_const: float | None  # the right side, when it never changes (a threshold)


class EndMeasures:
    def __init__(self, scenario):
        env = scenario.env
        self.scenario = scenario
        compiled: list = []
        self.triangle = []  # (name, place, interval)
        for name in scenario.triangle:
            c = compile_expr(f"triangle.{name}", env)
            self.triangle.append((name, len(compiled), c.interval))
            compiled.append(c)
        self.computed = []
        self.computed_held = []  # a true/false computed value: (name, place), reported as the share that held
        for name in scenario.computed:
            c = compile_expr(name, env)
            if c.type == BOOL:
                self.computed_held.append((name, len(compiled)))
            else:
                self.computed.append((name, len(compiled), c.interval))
            compiled.append(c)
        self.terms: list = []
        for e in scenario.endings:
            if e.fallback or not e.cond_src:
                continue
            for node in _terms(e.cond_src):
                comp = Compiler(env)
                if node[0] == "cmp" and len(node[1]) == 1:
                    a, b = (comp.compile(x) for x in node[2])
                    if a.type == b.type == "number":
                        self.terms.append(Term(e.id, _src(node), node[1][0], len(compiled), len(compiled) + 1,
                                               b.const if b.is_const else None))
                        compiled += [a, b]
                        continue
                c = comp.compile(node)
                self.terms.append(Term(e.id, _src(node), None, len(compiled), None, None))
                compiled.append(c)
        self.read = values_function(compiled) if compiled else (lambda s: ())
        self.intervals = [c.interval if c.type == "number" else (0, 1) for c in compiled]


def _summary(vals, iv):
    from .simulate import summary
    lo, hi = iv if isinstance(iv, tuple) else (0, 1)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        lo, hi = min(vals), max(vals)
    return summary(vals, lo, hi)


def at_end(res) -> dict:
    """Each triangle side, computed value and ending term at the end of the runs: min, median, max, mean and
    a histogram (over the value's range, or over the values seen when the range is open); for a true/false
    computed value, the share of runs in which it held."""
    m, finals = res.measures, res.finals
    if m is None or not finals:
        return {"triangle": [], "computed": [], "computed_held": [], "endings": []}
    col = [[f[j] for f in finals] for j in range(len(m.intervals))]
    out = {"triangle": [{"id": n, **_summary(col[j], iv)} for n, j, iv in m.triangle],
           "computed": [{"id": n, **_summary(col[j], iv)} for n, j, iv in m.computed],
           "computed_held": [{"id": n, "held": round(sum(1 for x in col[j] if x) / len(finals), 4)}
                             for n, j in m.computed_held], "endings": []}
    for e in res.scenario.endings:
        terms = [t for t in m.terms if t.ending == e.id]
        if not terms:
            continue
        rows = []
        for t in terms:
            if t.op is None:
                held = sum(1 for x in col[t.left] if x)
                rows.append({"term": t.src, "held": round(held / len(finals), 4)})
                continue
            hold = HOLDS[t.op]
            held = sum(1 for a, b in zip(col[t.left], col[t.right]) if hold(a, b))
            row = {"term": t.src, "held": round(held / len(finals), 4),
                   "left": _summary(col[t.left], m.intervals[t.left])}
            if t.right_const is None:
                row["right"] = _summary(col[t.right], m.intervals[t.right])
            rows.append(row)
        out["endings"].append({"id": e.id, "title": e.title, "condition": e.cond_src, "terms": rows})
    return out


def near(res, ending_id: str) -> dict:
    """For the runs that missed `ending_id`: how many failed each of its terms, and by how much (the
    shortfall: how far the left side was from making the comparison hold)."""
    m = res.measures
    e = next(x for x in res.scenario.endings if x.id == ending_id)
    missed = [(end, f) for end, f in zip(res.final_endings, res.finals) if end != ending_id]
    out = {"ending": e.id, "title": e.title, "condition": e.cond_src, "runs": len(res.finals),
           "missed": len(missed), "terms": [], "all_held": 0}
    if e.fallback or not e.cond_src:
        out["fallback"] = True
        return out
    terms = [t for t in m.terms if t.ending == ending_id]
    all_held = [True] * len(missed)
    for t in terms:
        shorts = []
        for k, (_, f) in enumerate(missed):
            if t.op is None:
                ok = bool(f[t.left])
            else:
                a, b = f[t.left], f[t.right]
                ok = HOLDS[t.op](a, b)
                if not ok:
                    shorts.append(SHORT[t.op](a, b))
            if not ok:
                all_held[k] = False
        failed = len(shorts) if t.op is not None else sum(1 for _, f in missed if not f[t.left])
        row = {"term": t.src, "failed": failed}
        if shorts:
            row["short_by"] = {"min": round(min(shorts), 2), "median": round(statistics.median(shorts), 2),
                               "mean": round(statistics.fmean(shorts), 2), "max": round(max(shorts), 2)}
        out["terms"].append(row)
    out["all_held"] = sum(all_held)  # the condition held, but an ending judged earlier took the run
    return out
