"""How many of a scene's choices can be shown at once (BAL036), worked out from their checked conditions.

A scene shows at most MAX_SHOWN choices at once: the design brief's "2-4 options" per decision, and what the
window's layout is made for (at the largest text size in a 1024x600 window, the choice list already
scrolls with four). A choice with no `if`, or with an `unavailable` reason, counts always (BAL034 holds
those to four); a choice hidden while unavailable (an `if` and no `unavailable`) counts only while its
condition holds. So the question is how many of those conditions can hold together.

Each condition is read, from its parsed tree, as a disjunction of conjunctions of simple facts about the
state: a value compared with a number (`political >= 60`, `tension - 15 < 0`), two values compared
(`a.trust > b.trust`, read as `a.trust - b.trust > 0`), a true/false value or its negation
(`heard_families`, `not deal`), a text compared with a text (`phase == 'pilot'`); a computed value is read
as its definition. Anything else (a
conditional expression, a function of a condition) is read as "may hold". A set of facts is impossible
when, for one value, the numbers it must lie between leave nothing of its declared range (the interval
the expression compiler works out), or a true/false value must be both, or a text must equal two texts.
So `political >= 60` and `political < 60` never hold together, nor `phase == 'pilot'` and
`phase == 'delivery'`, nor `x` and `not x`; facts that the ranges of different values would have to
combine to rule out (`a > 50 and b > 50` against `a + b < 100`) are not seen, and such choices count as
possibly shown together: the warning errs on the side of saying so. `balcony explore` reports a state
where more than four are really shown, with a transcript.
"""
from __future__ import annotations

import math
from itertools import product

from .errors import ExprError
from .expr import Compiler, parse

MAX_SHOWN = 4
_MAX_STEPS = 20_000  # facts weighed for one scene before it is taken that every hidden choice may show
_MAX_TERMS = 32  # a condition whose disjunctive form has more terms than this is read as "may hold"

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEG = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MAY_HOLD = [[]]  # one conjunction of no facts
_NEVER: list = []   # no conjunction at all


def hidden_while_unavailable(choice) -> bool:
    """A choice that is not shown at all while its condition fails."""
    return choice.cond is not None and choice.why_locked is None


def _key(node) -> str:
    """A node's text without its positions: two writings of the same value have the same key."""
    kind = node[0]
    if kind in ("num", "str", "bool", "name"):
        return f"{kind}:{node[1]!r}"
    if kind in ("neg", "not"):
        return f"{kind}({_key(node[1])})"
    if kind == "bin":
        return f"({_key(node[2])}{node[1]}{_key(node[3])})"
    if kind == "call":
        return f"{node[1]}({','.join(_key(a) for a in node[2])})"
    if kind == "cmp":
        return "cmp(" + ",".join(_key(o) for o in node[2]) + ";" + ",".join(node[1]) + ")"
    if kind in ("and", "or"):
        return f"{kind}(" + ",".join(_key(x) for x in node[1]) + ")"
    return repr(node)  # pragma: no cover - every kind of node is named above


class Facts:
    """Reads conditions as facts (module notes) against a scenario's declarations."""

    def __init__(self, env):
        self.env = env
        self.nodes: dict = {}       # key -> node, to find a value's declared range
        self._ranges: dict = {}
        self._expanding: set = set()  # computed values being read as their definitions (no cycles)

    def _definition(self, node):
        """A computed value's parsed definition, for a name that is one (else None): `productive` is read as
        `20 <= tension <= 60`, so that `tension > 60` is seen to exclude it."""
        raw = getattr(self.env, "computed_raw", None) or {}
        if node[0] != "name" or node[1] not in raw or node[1] in self._expanding:
            return None
        src = raw[node[1]][0] if isinstance(raw[node[1]], tuple) else raw[node[1]]
        try:
            return parse(src) if isinstance(src, str) else None
        except ExprError:
            return None

    def terms(self, src) -> list:
        """The condition's disjunctive form: a list of conjunctions, each a list of facts
        (key, op, constant). A condition that does not parse may hold."""
        if src is None or isinstance(src, bool):
            return _MAY_HOLD if src is not False else _NEVER
        try:
            return self._dnf(parse(src), True)
        except (ExprError, RecursionError):
            return _MAY_HOLD

    def _dnf(self, node, positive):
        kind = node[0]
        if kind == "not":
            return self._dnf(node[1], not positive)
        if kind in ("and", "or"):
            parts = [self._dnf(x, positive) for x in node[1]]
            if (kind == "and") == positive:  # a conjunction: one term from each part
                out = []
                for combo in product(*parts):
                    out.append([f for term in combo for f in term])
                    if len(out) > _MAX_TERMS:
                        return _MAY_HOLD
                return out
            out = [t for p in parts for t in p]
            return out if len(out) <= _MAX_TERMS else _MAY_HOLD
        if kind == "bool":
            return _MAY_HOLD if node[1] == positive else _NEVER
        if kind == "cmp":
            facts = [self._compare(op, a, b, positive) for op, a, b in zip(node[1], node[2], node[2][1:])]
            if positive:  # a chain holds when every comparison does
                return [[f for f in facts if f is not None]]
            return [[f] if f is not None else [] for f in facts]
        definition = self._definition(node)
        if definition is not None:
            self._expanding.add(node[1])
            try:
                return self._dnf(definition, positive)
            finally:
                self._expanding.discard(node[1])
        if kind == "name" or kind == "call":
            return [[self._fact(node, "==", positive)]]
        return _MAY_HOLD  # a conditional expression, or anything else: it may hold

    def _compare(self, op, a, b, positive):
        if not positive:
            op = _NEG[op]
        a, b = self._definition(a) or a, self._definition(b) or b  # a computed number, by its definition
        if _const(b) is not None:
            return self._fact(a, op, _const(b))
        if _const(a) is not None:
            return self._fact(b, _FLIP[op], _const(a))
        if op in ("==", "!=") and self._type(a) != "number":
            return None  # two texts or two true/false values compared: may hold
        if _key(a) > _key(b):  # one order for both writings: `a > b` is `b < a`
            a, b, op = b, a, _FLIP[op]
        return self._fact(("bin", "-", a, b, 0), op, 0)

    def _fact(self, node, op, value):
        if isinstance(value, bool) and op == "!=":
            op, value = "==", not value
        key = _key(node)
        self.nodes.setdefault(key, node)
        return (key, op, value)

    def _type(self, node):
        try:
            return Compiler(self.env).compile(node).type
        except (ExprError, RecursionError):
            return None

    def range(self, key):
        """The interval a numeric value can take, as the expression compiler works it out."""
        if key not in self._ranges:
            iv = (-math.inf, math.inf)
            try:
                c = Compiler(self.env).compile(self.nodes[key])
                if isinstance(c.interval, tuple):
                    iv = c.interval
            except (ExprError, RecursionError, KeyError):
                pass
            self._ranges[key] = iv
        return self._ranges[key]

    def possible(self, facts) -> bool:
        """Whether the facts can all hold at once (module notes: only what one value rules out is seen)."""
        by_key: dict = {}
        for key, op, value in facts:
            by_key.setdefault(key, []).append((op, value))
        for key, cons in by_key.items():
            values = {v for _, v in cons}
            if any(isinstance(v, bool) for v in values):
                if any(op == "==" and v is True for op, v in cons) and any(op == "==" and v is False for op, v in cons):
                    return False
                continue
            if any(isinstance(v, str) for v in values):
                eq = {v for op, v in cons if op == "=="}
                ne = {v for op, v in cons if op == "!="}
                if len(eq) > 1 or eq & ne:
                    return False
                continue
            lo, hi = self.range(key)
            lo_open = hi_open = False
            for op, v in cons:
                if op in (">", ">=") and (v > lo or (v == lo and op == ">")):
                    lo, lo_open = v, op == ">"
                elif op in ("<", "<=") and (v < hi or (v == hi and op == "<")):
                    hi, hi_open = v, op == "<"
                elif op == "==":
                    if not (lo < v < hi or (v == lo and not lo_open) or (v == hi and not hi_open)):
                        return False
                    lo = hi = v
                    lo_open = hi_open = False
            if lo > hi or (lo == hi and (lo_open or hi_open)):
                return False
            if lo == hi and any(op == "!=" and v == lo for op, v in cons):
                return False
        return True


def _const(node):
    if node[0] in ("num", "str", "bool"):
        return node[1]
    if node[0] == "neg" and node[1][0] == "num":
        return -node[1][1]
    return None


def most_shown(choices, env) -> tuple:
    """(how many of the choices can be shown at once, by their conditions; the choices hidden while
    unavailable in a largest set whose conditions can hold together, as indices)."""
    always = sum(1 for c in choices if not hidden_while_unavailable(c))
    hidden = [c for c in choices if hidden_while_unavailable(c)]
    if always + len(hidden) <= MAX_SHOWN:
        return always + len(hidden), tuple(c.index for c in hidden)
    facts = Facts(env)
    terms = [facts.terms(c.cond_src) for c in hidden]
    best: list = []
    steps = [0]

    def grow(i, chosen, held):
        nonlocal best
        if len(chosen) > len(best):
            best = list(chosen)
        for j in range(i, len(hidden)):
            if len(chosen) + len(hidden) - j <= len(best):
                return
            for term in terms[j]:
                steps[0] += 1
                if steps[0] > _MAX_STEPS:
                    raise _TooLong
                now = held + term
                if facts.possible(now):
                    grow(j + 1, chosen + [hidden[j].index], now)

    try:
        grow(0, [], [])
    except _TooLong:  # too many ways to weigh: say what may be
        best = [c.index for c in hidden]
    return always + len(best), tuple(best)


class _TooLong(Exception):
    pass


def shown_now(run) -> int:
    """How many of the current scene's choices a player sees now, as the snapshot lists them: those available,
    and those locked whose reason says something."""
    from .textfmt import tidy

    s = run.state
    n = 0
    for c in run.scenario.scenes[s.scene].choices:
        if c.cond is None or c.cond(s):
            n += 1
        elif c.why_locked is not None and tidy(c.why_locked(s)):
            n += 1
    return n


def crowd_mark(run, shown: int) -> dict:
    """What a transcript records about a state that shows more than MAX_SHOWN choices (explore writes it,
    replay checks it)."""
    sc = run.scenario.scenes[run.state.scene]
    return {"scene": sc.id, "shown": shown, "file": sc.file, "line": sc.pos[0], "column": sc.pos[1]}
