"""Measures: expressions that tools evaluate on a run's state, compiled against the scenario's own names.

A measure may use every name a scenario's conditions can use (meters, flags, computed values,
`mean(all.trust)`, `tags.hero`, `listened`, ...) and, for finished runs, `ending` (the ending's id),
`quality` (best, good, mixed or poor) and `decisions` (how many choices were made).
"""
from __future__ import annotations

import math
import re

from ..errors import ExprError
from ..expr import BOOL, NUM, TEXT, Compiled, Env, compile_expr

_AT = re.compile(r"^\s*(year|turn)\s+(\d+)\s*$")


class ToolEnv(Env):
    """The scenario's declarations, plus the few names that only make sense to a tool."""

    def __init__(self, scenario):
        if scenario.env is None:  # pragma: no cover - every loaded scenario has one
            raise ValueError("this scenario was not made by the loader")
        self.base = scenario.env
        quality = {e.id: e.quality for e in scenario.endings}
        self.extra = {
            "ending": Compiled(lambda s: s.ending or "", TEXT, None),
            "quality": Compiled(lambda s, q=quality: q.get(s.ending, ""), TEXT, None),
            "decisions": Compiled(lambda s: s.decisions, NUM, (0, math.inf)),
        }

    def resolve(self, dotted, self_id):
        got = self.base.resolve(dotted, self_id)
        if got is None:
            got = self.extra.get(dotted)
        return got

    def group_members(self, name):
        return self.base.group_members(name)

    def unknown_hint(self, dotted):
        return self.base.unknown_hint(dotted)


def compile_measure(scenario, src, want: str | None = None, env: ToolEnv | None = None):
    """Compile `src` (text, a number or true/false) to a function of the run state.

    Returns (fn, type) where type is "number", "bool" or "text". Raises ExprError.
    """
    c = compile_expr(src, env or ToolEnv(scenario), None, want)
    return c.fn, c.type


def as_number(v) -> float:
    """Measures are averaged: true counts as 1 and false as 0."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    return float(v)


def parse_at(at) -> int | None:
    """`end` -> None; `year N` -> 4*N (the end of the Nth year of play); `turn N` -> N. Raises ValueError."""
    if at is None or at == "end":
        return None
    if isinstance(at, int) and not isinstance(at, bool):
        return at
    m = _AT.match(str(at))
    if not m:
        raise ValueError(f"'at' must be end, 'year N' or 'turn N', not {at!r}")
    n = int(m.group(2))
    return 4 * n if m.group(1) == "year" else n


def at_label(turn: int | None) -> str:
    return "end" if turn is None else (f"year {turn // 4}" if turn and turn % 4 == 0 else f"turn {turn}")


__all__ = ["BOOL", "NUM", "TEXT", "ExprError", "ToolEnv", "as_number", "at_label", "compile_measure", "parse_at"]
