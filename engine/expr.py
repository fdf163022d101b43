"""Balcony's expression language: parsed, type-checked and compiled to closures. Never eval'd.

Grammar (lowest precedence first)::

    expr     := or_expr ['if' or_expr 'else' expr]
    or_expr  := and_expr ('or' and_expr)*
    and_expr := not_expr ('and' not_expr)*
    not_expr := 'not' not_expr | compare
    compare  := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)*      # chains like 20 <= t <= 60
    sum      := term (('+'|'-') term)*
    term     := unary (('*'|'/'|'%') unary)*
    unary    := '-' unary | atom
    atom     := NUMBER | 'text' | true | false | NAME('.'NAME)* | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'

Compilation resolves every name against the scenario's declarations (an `Env`), checks
types (number, bool, text) and computes the interval each value can take, so that the
validator can say when a condition can never hold.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from .errors import ExprError
from .views import shown

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_HEIGHT = 100

NUM, BOOL, TEXT = "number", "bool", "text"
ANY_BOOL = frozenset((True, False))

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<str>'[^'\\]*'|"[^"\\]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|==|!=|[<>+\-*/%(),])
""", re.X)

_KEYWORDS = {"and", "or", "not", "if", "else", "true", "false"}
_COMPARE = {"<", "<=", ">", ">=", "==", "!="}
AGGREGATES = {"sum", "mean", "count", "min", "max"}
FUNCTIONS = {"min", "max", "abs", "clamp", "round", "sum", "mean", "count"}


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    pos: int


def tokenize(src: str) -> list[Tok]:
    if not isinstance(src, str):
        raise ExprError("an expression must be text")
    if len(src) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters")
    out, i = [], 0
    while i < len(src):
        m = _TOKEN.match(src, i)
        if not m:
            ch = src[i]
            hint = ""
            if ch == "=":
                hint = ": to compare, write '=='"
            elif ch in "&|":
                hint = ": write 'and' or 'or'"
            elif ch == "!":
                hint = ": write 'not'"
            raise ExprError(f"unexpected character '{ch}'{hint}", i)
        kind = m.lastgroup
        if kind != "ws":
            text = m.group()
            if kind == "name" and text in _KEYWORDS:
                kind = "kw"
            out.append(Tok(kind, text, i))
        i = m.end()
    out.append(Tok("end", "", len(src)))
    return out


# --- AST: small tuples ------------------------------------------------------
# ("num", value, pos) ("str", value, pos) ("bool", value, pos) ("name", dotted, pos)
# ("call", fname, [args], pos) ("neg", x, pos) ("not", x, pos) ("bin", op, l, r, pos)
# ("cmp", [ops], [operands], pos) ("and", [xs], pos) ("or", [xs], pos) ("ifelse", cond, a, b, pos)


class _Parser:
    def __init__(self, src):
        self.toks = tokenize(src)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def accept(self, text):
        if self.tok.text == text and self.tok.kind in ("op", "kw"):
            return self.take()
        return None

    def expect(self, text):
        if not self.accept(text):
            got = self.tok.text or "the end of the expression"
            raise ExprError(f"expected '{text}' but found '{got}'", self.tok.pos)

    def parse(self):
        node = self.expr()
        if self.tok.kind != "end":
            raise ExprError(f"unexpected '{self.tok.text}' after a complete expression", self.tok.pos)
        return node

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError("the expression is nested too deeply", self.tok.pos)

    def expr(self):
        self.nest()
        pos = self.tok.pos
        node = self.or_expr()
        if self.accept("if"):
            cond = self.or_expr()
            self.expect("else")
            other = self.expr()
            node = ("ifelse", cond, node, other, pos)
        self.depth -= 1
        return node

    def or_expr(self):
        pos = self.tok.pos
        xs = [self.and_expr()]
        while self.accept("or"):
            xs.append(self.and_expr())
        return xs[0] if len(xs) == 1 else ("or", xs, pos)

    def and_expr(self):
        pos = self.tok.pos
        xs = [self.not_expr()]
        while self.accept("and"):
            xs.append(self.not_expr())
        return xs[0] if len(xs) == 1 else ("and", xs, pos)

    def not_expr(self):
        pos = self.tok.pos
        if self.accept("not"):
            self.nest()
            x = self.not_expr()
            self.depth -= 1
            return ("not", x, pos)
        return self.compare()

    def compare(self):
        pos = self.tok.pos
        operands = [self.sum()]
        ops = []
        while self.tok.kind == "op" and self.tok.text in _COMPARE:
            ops.append(self.take().text)
            operands.append(self.sum())
        return operands[0] if not ops else ("cmp", ops, operands, pos)

    def sum(self):
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in "+-":
            t = self.take()
            node = ("bin", t.text, node, self.term(), t.pos)
        return node

    def term(self):
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            t = self.take()
            node = ("bin", t.text, node, self.unary(), t.pos)
        return node

    def unary(self):
        if self.tok.kind == "op" and self.tok.text == "-":
            t = self.take()
            self.nest()
            x = self.unary()
            self.depth -= 1
            return ("neg", x, t.pos)
        return self.atom()

    def atom(self):
        t = self.tok
        if t.kind == "num":
            self.take()
            v = float(t.text)
            return ("num", int(v) if v.is_integer() and "." not in t.text else v, t.pos)
        if t.kind == "str":
            self.take()
            return ("str", t.text[1:-1], t.pos)
        if t.kind == "kw" and t.text in ("true", "false"):
            self.take()
            return ("bool", t.text == "true", t.pos)
        if t.kind == "name":
            self.take()
            if self.accept("("):
                args = []
                if not self.accept(")"):
                    args.append(self.expr())
                    while self.accept(","):
                        args.append(self.expr())
                    self.expect(")")
                return ("call", t.text, args, t.pos)
            return ("name", t.text, t.pos)
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        if t.kind == "end":
            raise ExprError("the expression ends too soon", t.pos)
        raise ExprError(f"unexpected '{t.text}'", t.pos)


def parse(src: str):
    """Parse an expression to an AST; raises ExprError with an offset."""
    if isinstance(src, bool):
        return ("bool", src, 0)
    if isinstance(src, (int, float)):
        return ("num", src, 0)
    if not isinstance(src, str) or not src.strip():
        raise ExprError("an expression is empty")
    node = _Parser(src).parse()
    if _height(node) > MAX_HEIGHT:  # compiling and evaluating recurse once per level
        raise ExprError(f"the expression is more than {MAX_HEIGHT} operations deep: split it into computed values")
    return node


def _height(node) -> int:
    """How deep the tree goes, found without recursion (a long chain like 1+1+...+1 is a deep tree)."""
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        kind = n[0]
        if kind == "call" or kind == "cmp":
            kids = n[2]
        elif kind in ("and", "or"):
            kids = n[1]
        elif kind in ("neg", "not"):
            kids = (n[1],)
        elif kind == "bin":
            kids = (n[2], n[3])
        elif kind == "ifelse":
            kids = (n[1], n[2], n[3])
        else:
            kids = ()
        stack.extend((k, d + 1) for k in kids)
    return best


# --- compilation ------------------------------------------------------------

@dataclass(frozen=True)
class Compiled:
    fn: Callable
    type: str
    interval: object  # (lo, hi) for numbers; frozenset of possible bools; None for text
    const: object = None  # the value if it never changes
    is_const: bool = False
    key: str | None = None  # the state key, when the value is exactly `state.vals[key]` (lets closures read it inline)


def _const(value) -> Compiled:
    if isinstance(value, bool):
        return Compiled(lambda s, v=value: v, BOOL, frozenset((value,)), value, True)
    if isinstance(value, (int, float)):
        return Compiled(lambda s, v=value: v, NUM, (value, value), value, True)
    return Compiled(lambda s, v=value: v, TEXT, None, value, True)


class Env:
    """What names mean. The loader subclasses this with the scenario's declarations.

    `resolve(dotted, self_id)` returns a Compiled or None; `group_members(name)` returns
    a list of stakeholder ids or None.
    """

    def resolve(self, dotted: str, self_id: str | None) -> Compiled | None:  # pragma: no cover
        raise NotImplementedError

    def group_members(self, name: str):  # pragma: no cover
        return None

    def unknown_hint(self, dotted: str) -> str:
        return ""


def _span(iv):
    return iv if isinstance(iv, tuple) else (-math.inf, math.inf)


def _mul_iv(a, b):
    ps = []
    for x in (a[0], a[1]):
        for y in (b[0], b[1]):
            try:
                p = x * y
            except OverflowError:  # pragma: no cover
                p = math.inf
            ps.append(0.0 if math.isnan(p) else p)
    return (min(ps), max(ps))


def _cmp_possible(op, a, b):
    """Which truth values `a op b` can take, given intervals."""
    (alo, ahi), (blo, bhi) = a, b
    if op == "<":
        can_t, can_f = alo < bhi, ahi >= blo
    elif op == "<=":
        can_t, can_f = alo <= bhi, ahi > blo
    elif op == ">":
        can_t, can_f = ahi > blo, alo <= bhi
    elif op == ">=":
        can_t, can_f = ahi >= blo, alo < bhi
    elif op == "==":
        can_t = not (ahi < blo or bhi < alo)
        can_f = not (alo == ahi == blo == bhi)
    else:  # !=
        can_t = not (alo == ahi == blo == bhi)
        can_f = not (ahi < blo or bhi < alo)
    return frozenset(v for v, ok in ((True, can_t), (False, can_f)) if ok)


_PY_CMP = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def _div(a, b):
    return a / b if b else 0.0


def _mod(a, b):
    return a % b if b else 0.0


def _bin_interval(op, ia, ib):
    if op == "+":
        return (ia[0] + ib[0], ia[1] + ib[1])
    if op == "-":
        return (ia[0] - ib[1], ia[1] - ib[0])
    if op == "*":
        return _mul_iv(ia, ib)
    if ib[0] > 0 or ib[1] < 0:
        iv = _mul_iv(ia, (1 / ib[1] if ib[1] else -math.inf, 1 / ib[0] if ib[0] else math.inf))
        return (min(iv), max(iv))
    return (-math.inf, math.inf)


def _bin_keyed(op, a: Compiled, b: Compiled):
    """Closures for + - * / that read plain state values inline (no call per operand), or None."""
    ka, kb = a.key, b.key
    if ka is None and kb is None or op == "%":
        return None
    if op == "/" and not (b.is_const and b.const):
        return None  # division by something that may be zero goes through _div
    fa, fb = a.fn, b.fn
    if ka is not None and b.is_const:
        k = b.const
        return {"+": lambda s: s.vals[ka] + k, "-": lambda s: s.vals[ka] - k,
                "*": lambda s: s.vals[ka] * k, "/": lambda s: s.vals[ka] / k}[op]
    if ka is not None and kb is not None:
        return {"+": lambda s: s.vals[ka] + s.vals[kb], "-": lambda s: s.vals[ka] - s.vals[kb],
                "*": lambda s: s.vals[ka] * s.vals[kb]}[op]
    if ka is not None:
        return {"+": lambda s: s.vals[ka] + fb(s), "-": lambda s: s.vals[ka] - fb(s),
                "*": lambda s: s.vals[ka] * fb(s)}[op]
    if a.is_const:
        k = a.const
        return {"+": lambda s: k + s.vals[kb], "-": lambda s: k - s.vals[kb], "*": lambda s: k * s.vals[kb]}.get(op)
    return {"+": lambda s: fa(s) + s.vals[kb], "-": lambda s: fa(s) - s.vals[kb],
            "*": lambda s: fa(s) * s.vals[kb]}.get(op)


class Compiler:
    def __init__(self, env: Env, self_id: str | None = None, group_var: tuple | None = None):
        self.env = env
        self.self_id = self_id
        self.group_var = group_var  # (group name, member id) while expanding an aggregate

    def compile(self, node) -> Compiled:
        kind = node[0]
        return getattr(self, "_" + kind)(node)

    # leaves
    def _num(self, node):
        return _const(node[1])

    def _str(self, node):
        return _const(node[1])

    def _bool(self, node):
        return _const(node[1])

    def _name(self, node):
        dotted, pos = node[1], node[2]
        head, _, rest = dotted.partition(".")
        if self.group_var and head == self.group_var[0] and rest:
            dotted = f"{self.group_var[1]}.{rest}"
        elif rest and self.env.group_members(head) is not None and not self.group_var:
            raise ExprError(f"'{dotted}' names a whole group: use sum({dotted}), mean({dotted}), "
                            f"min({dotted}), max({dotted}) or count(...)", pos, "BAL023")
        got = self.env.resolve(dotted, self.self_id)
        if got is None:
            hint = self.env.unknown_hint(dotted)
            raise ExprError(f"'{dotted}' is not declared{hint}", pos, "BAL021")
        return got

    # operators
    def _num_operand(self, c: Compiled, what, pos):
        if c.type != NUM:
            raise ExprError(f"{what} needs a number, but this is {c.type}", pos, "BAL023")

    def _bool_operand(self, c: Compiled, what, pos):
        if c.type != BOOL:
            raise ExprError(f"{what} needs true/false, but this is a {c.type}: "
                            f"compare it, for example 'x > 0'", pos, "BAL023")

    def _neg(self, node):
        x = self.compile(node[1])
        self._num_operand(x, "'-'", node[2])
        if x.is_const:
            return _const(-x.const)
        f = x.fn
        lo, hi = x.interval
        return Compiled(lambda s: -f(s), NUM, (-hi, -lo))

    def _not(self, node):
        x = self.compile(node[1])
        self._bool_operand(x, "'not'", node[2])
        if x.is_const:
            return _const(not x.const)
        f = x.fn
        return Compiled(lambda s: not f(s), BOOL, frozenset(not v for v in x.interval))

    def _bin(self, node):
        op, pos = node[1], node[4]
        a, b = self.compile(node[2]), self.compile(node[3])
        self._num_operand(a, f"'{op}'", pos)
        self._num_operand(b, f"'{op}'", pos)
        fa, fb = a.fn, b.fn
        ia, ib = a.interval, b.interval
        fast = _bin_keyed(op, a, b)
        if fast is not None:
            return Compiled(fast, NUM, _bin_interval(op, ia, ib))
        if a.is_const and not b.is_const and op in "+-*":
            k = a.const
            fn = {"+": lambda s: k + fb(s), "-": lambda s: k - fb(s), "*": lambda s: k * fb(s)}[op]
            return Compiled(fn, NUM, _bin_interval(op, ia, ib))
        if b.is_const and not a.is_const and op in "+-*/":
            # a constant on the right: fold it into the closure (the common case, and the hot path)
            k = b.const
            if op == "+":
                return Compiled(lambda s: fa(s) + k, NUM, (ia[0] + k, ia[1] + k))
            if op == "-":
                return Compiled(lambda s: fa(s) - k, NUM, (ia[0] - k, ia[1] - k))
            if op == "*":
                return Compiled(lambda s: fa(s) * k, NUM, _mul_iv(ia, ib))
            if k:
                iv = _mul_iv(ia, (1 / k, 1 / k))
                return Compiled(lambda s: fa(s) / k, NUM, iv)
        if op == "+":
            fn, iv = (lambda s: fa(s) + fb(s)), (ia[0] + ib[0], ia[1] + ib[1])
        elif op == "-":
            fn, iv = (lambda s: fa(s) - fb(s)), (ia[0] - ib[1], ia[1] - ib[0])
        elif op == "*":
            fn, iv = (lambda s: fa(s) * fb(s)), _mul_iv(ia, ib)
        elif op == "/":
            fn = lambda s: _div(fa(s), fb(s))  # noqa: E731
            if ib[0] > 0 or ib[1] < 0:
                iv = _mul_iv(ia, (1 / ib[1] if ib[1] else -math.inf, 1 / ib[0] if ib[0] else math.inf))
                iv = (min(iv), max(iv))
            else:
                iv = (-math.inf, math.inf)
        else:
            fn = lambda s: _mod(fa(s), fb(s))  # noqa: E731
            m = max(abs(ib[0]), abs(ib[1]))
            iv = (min(0, -m), max(0, m))
        if a.is_const and b.is_const:
            return _const(fn(None))
        return Compiled(fn, NUM, iv)

    def _cmp(self, node):
        ops, operands, pos = node[1], node[2], node[3]
        cs = [self.compile(o) for o in operands]
        parts = []
        possible = None
        for op, a, b in zip(ops, cs, cs[1:]):
            if op in ("==", "!="):
                if a.type != b.type:
                    raise ExprError(f"cannot compare a {a.type} with a {b.type} using '{op}'", pos, "BAL023")
            else:
                self._num_operand(a, f"'{op}'", pos)
                self._num_operand(b, f"'{op}'", pos)
            if a.type == NUM:
                p = _cmp_possible(op, a.interval, b.interval)
            elif a.is_const and b.is_const:
                p = frozenset((_PY_CMP[op](a.const, b.const),))
            else:
                p = ANY_BOOL
            possible = p if possible is None else frozenset(
                x and y for x in possible for y in p)
            parts.append((_PY_CMP[op], a.fn, b.fn))
        if len(parts) == 1 and cs[0].key is not None and cs[1].is_const and cs[0].type == NUM:
            ka, k = cs[0].key, cs[1].const
            fn = {">=": lambda s: s.vals[ka] >= k, "<=": lambda s: s.vals[ka] <= k, ">": lambda s: s.vals[ka] > k,
                  "<": lambda s: s.vals[ka] < k, "==": lambda s: s.vals[ka] == k, "!=": lambda s: s.vals[ka] != k}[op]
        elif (len(parts) == 2 and cs[0].is_const and cs[2].is_const and cs[1].key is not None
              and ops[0] in ("<", "<=") and ops[1] in ("<", "<=")):
            # lo <= x <= hi, the usual band
            lo, kx, hi = cs[0].const, cs[1].key, cs[2].const
            if ops == ["<=", "<="]:
                fn = lambda s: lo <= s.vals[kx] <= hi  # noqa: E731
            elif ops == ["<", "<"]:
                fn = lambda s: lo < s.vals[kx] < hi  # noqa: E731
            elif ops == ["<=", "<"]:
                fn = lambda s: lo <= s.vals[kx] < hi  # noqa: E731
            else:
                fn = lambda s: lo < s.vals[kx] <= hi  # noqa: E731
        elif len(parts) == 1 and cs[1].is_const and cs[0].type == NUM:
            fa, k = cs[0].fn, cs[1].const
            fn = {">=": lambda s: fa(s) >= k, "<=": lambda s: fa(s) <= k, ">": lambda s: fa(s) > k,
                  "<": lambda s: fa(s) < k, "==": lambda s: fa(s) == k, "!=": lambda s: fa(s) != k}[op]
        elif len(parts) == 1:
            f, fa, fb = parts[0]
            if op == ">=":
                fn = lambda s: fa(s) >= fb(s)  # noqa: E731
            elif op == "<=":
                fn = lambda s: fa(s) <= fb(s)  # noqa: E731
            elif op == ">":
                fn = lambda s: fa(s) > fb(s)  # noqa: E731
            elif op == "<":
                fn = lambda s: fa(s) < fb(s)  # noqa: E731
            elif op == "==":
                fn = lambda s: fa(s) == fb(s)  # noqa: E731
            else:
                fn = lambda s: fa(s) != fb(s)  # noqa: E731
        else:
            fs = [c.fn for c in cs]

            def fn(s, parts=parts, fs=fs):
                vals = [g(s) for g in fs]
                return all(f(vals[i], vals[i + 1]) for i, (f, _, _) in enumerate(parts))
        return Compiled(fn, BOOL, possible)

    def _and(self, node):
        xs = [self.compile(x) for x in node[1]]
        for x in xs:
            self._bool_operand(x, "'and'", node[2])
        fs = tuple(x.fn for x in xs)
        can_true = all(True in x.interval for x in xs)
        can_false = any(False in x.interval for x in xs)
        iv = frozenset(v for v, ok in ((True, can_true), (False, can_false)) if ok)
        if len(fs) == 2:
            f1, f2 = fs
            return Compiled(lambda s: f1(s) and f2(s), BOOL, iv)
        return Compiled(lambda s: all(f(s) for f in fs), BOOL, iv)

    def _or(self, node):
        xs = [self.compile(x) for x in node[1]]
        for x in xs:
            self._bool_operand(x, "'or'", node[2])
        fs = tuple(x.fn for x in xs)
        can_true = any(True in x.interval for x in xs)
        can_false = all(False in x.interval for x in xs)
        iv = frozenset(v for v, ok in ((True, can_true), (False, can_false)) if ok)
        if len(fs) == 2:
            f1, f2 = fs
            return Compiled(lambda s: f1(s) or f2(s), BOOL, iv)
        return Compiled(lambda s: any(f(s) for f in fs), BOOL, iv)

    def _ifelse(self, node):
        cond, a, b, pos = (self.compile(node[1]), self.compile(node[2]), self.compile(node[3]), node[4])
        self._bool_operand(cond, "the 'if' of a conditional", pos)
        if a.type != b.type:
            raise ExprError(f"both sides of 'if ... else' must be the same type ({a.type} and {b.type})", pos, "BAL023")
        fc, fa, fb = cond.fn, a.fn, b.fn
        if a.type == NUM:
            iv = (min(a.interval[0], b.interval[0]), max(a.interval[1], b.interval[1]))
        elif a.type == BOOL:
            iv = a.interval | b.interval
        else:
            iv = None
        if a.is_const and b.is_const:
            ka, kb = a.const, b.const
            return Compiled(lambda s: ka if fc(s) else kb, a.type, iv)
        return Compiled(lambda s: fa(s) if fc(s) else fb(s), a.type, iv)

    # functions
    def _find_group(self, node):
        """The one group named as `G.attr` inside an aggregate's argument, or None."""
        found = set()

        def walk(n):
            if n[0] == "name":
                head, _, rest = n[1].partition(".")
                if rest and self.env.group_members(head) is not None:
                    found.add(head)
            elif n[0] in ("neg", "not"):
                walk(n[1])
            elif n[0] == "bin":
                walk(n[2]); walk(n[3])  # noqa: E702
            elif n[0] == "cmp":
                for o in n[2]:
                    walk(o)
            elif n[0] in ("and", "or"):
                for o in n[1]:
                    walk(o)
            elif n[0] == "ifelse":
                walk(n[1]); walk(n[2]); walk(n[3])  # noqa: E702
            elif n[0] == "call":
                for o in n[2]:
                    walk(o)
        walk(node)
        if len(found) > 1:
            raise ExprError(f"one aggregate can range over only one group (found {', '.join(sorted(found))})",
                            node[-1], "BAL023")
        return next(iter(found), None)

    def _aggregate(self, fname, arg, pos):
        group = self._find_group(arg)
        if group is None:
            return None
        members = self.env.group_members(group)
        if not members:
            raise ExprError(f"the group '{group}' has no members", pos, "BAL021")
        parts = [Compiler(self.env, self.self_id, (group, m)).compile(arg) for m in members]
        fs = tuple(p.fn for p in parts)
        n = len(fs)
        if fname == "count":
            if parts[0].type != BOOL:
                raise ExprError(f"count(...) needs a condition, for example count({group}.trust >= 50)", pos, "BAL023")
            return Compiled(lambda s: sum(1 for f in fs if f(s)), NUM, (0, n))
        if parts[0].type != NUM:
            raise ExprError(f"{fname}(...) needs numbers", pos, "BAL023")
        lo = min(p.interval[0] for p in parts)
        hi = max(p.interval[1] for p in parts)
        keys = tuple(p.key for p in parts)
        if None not in keys:  # plain state values: read them in one pass, without a call each
            if fname == "sum":
                return Compiled(lambda s: sum(map(s.vals.__getitem__, keys)), NUM,
                                (sum(p.interval[0] for p in parts), sum(p.interval[1] for p in parts)))
            if fname == "mean":
                return Compiled(lambda s: sum(map(s.vals.__getitem__, keys)) / n, NUM, (lo, hi))
            if fname == "min":
                return Compiled(lambda s: min(map(s.vals.__getitem__, keys)), NUM, (lo, hi))
            return Compiled(lambda s: max(map(s.vals.__getitem__, keys)), NUM, (lo, hi))
        if fname == "sum":
            return Compiled(lambda s: sum(f(s) for f in fs), NUM,
                            (sum(p.interval[0] for p in parts), sum(p.interval[1] for p in parts)))
        if fname == "mean":
            return Compiled(lambda s: sum(f(s) for f in fs) / n, NUM, (lo, hi))
        if fname == "min":
            return Compiled(lambda s: min(f(s) for f in fs), NUM, (lo, hi))
        return Compiled(lambda s: max(f(s) for f in fs), NUM, (lo, hi))

    def _call(self, node):
        fname, args, pos = node[1], node[2], node[3]
        if fname not in FUNCTIONS:
            raise ExprError(f"unknown function '{fname}': the functions are {', '.join(sorted(FUNCTIONS))}", pos, "BAL022")
        if fname in AGGREGATES and len(args) == 1:
            got = self._aggregate(fname, args[0], pos)
            if got is not None:
                return got
            if fname in ("sum", "mean", "count"):
                raise ExprError(f"{fname}(...) ranges over a group: write, for example, {fname}(all.trust)", pos, "BAL022")
        cs = [self.compile(a) for a in args]
        for c in cs:
            self._num_operand(c, f"{fname}(...)", pos)
        fs = tuple(c.fn for c in cs)
        ivs = [c.interval for c in cs]

        def arity(lo, hi=None):
            if len(cs) < lo or (hi is not None and len(cs) > hi):
                want = f"{lo}" if hi == lo else (f"{lo} or more" if hi is None else f"{lo} to {hi}")
                raise ExprError(f"{fname}() takes {want} arguments, not {len(cs)}", pos, "BAL022")

        if fname in ("min", "max"):
            arity(2)
            if fname == "min":
                iv = (min(i[0] for i in ivs), min(i[1] for i in ivs))
                if len(fs) == 2:
                    f1, f2 = fs
                    fn = lambda s: min(f1(s), f2(s))  # noqa: E731
                else:
                    fn = lambda s: min(f(s) for f in fs)  # noqa: E731
            else:
                iv = (max(i[0] for i in ivs), max(i[1] for i in ivs))
                if len(fs) == 2:
                    f1, f2 = fs
                    fn = lambda s: max(f1(s), f2(s))  # noqa: E731
                else:
                    fn = lambda s: max(f(s) for f in fs)  # noqa: E731
        elif fname == "abs":
            arity(1, 1)
            f = fs[0]
            lo, hi = ivs[0]
            iv = (0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))
            fn = lambda s: abs(f(s))  # noqa: E731
        elif fname == "round":
            arity(1, 1)
            f = fs[0]
            iv = (math.floor(ivs[0][0]), math.ceil(ivs[0][1])) if all(map(math.isfinite, ivs[0])) else ivs[0]
            fn = lambda s: shown(f(s))  # noqa: E731  (the one rounding rule of everything shown)
        elif fname == "clamp":
            arity(3, 3)
            fx, flo, fhi = fs
            # min(max(x, lo), hi) is monotone in each argument: bound it by the lows and by the highs
            iv = (min(max(ivs[0][0], ivs[1][0]), ivs[2][0]), min(max(ivs[0][1], ivs[1][1]), ivs[2][1]))
            fn = lambda s: min(max(fx(s), flo(s)), fhi(s))  # noqa: E731
        else:
            raise ExprError(f"{fname}(...) ranges over a group: write, for example, {fname}(all.trust)", pos, "BAL022")
        if all(c.is_const for c in cs):
            return _const(fn(None))
        return Compiled(fn, NUM, iv)


def compile_expr(src, env: Env, self_id: str | None = None, want: str | None = None,
                 group_var: tuple | None = None) -> Compiled:
    """Parse and compile `src`. `want` is NUM or BOOL to check the result's type.

    `group_var` = (group, member) makes `group.value` mean that member's value: an effect on
    `all.trust` may read `all.commitment`, each stakeholder its own.
    """
    node = parse(src)
    c = Compiler(env, self_id, group_var).compile(node)
    if want == BOOL and c.type != BOOL:
        raise ExprError(f"a condition must be true or false, but this is a {c.type}: "
                        f"compare it, for example '{src} > 0'", 0, "BAL023")
    if want == NUM and c.type != NUM:
        raise ExprError(f"a number is needed here, but this is {c.type}", 0, "BAL023")
    return c


def names_in(src) -> set[str]:
    """Every dotted name an expression mentions (for the authoring tools)."""
    out: set[str] = set()
    try:
        toks = tokenize(src) if isinstance(src, str) else []
    except ExprError:
        return out
    for i, t in enumerate(toks):
        if t.kind == "name" and not (i + 1 < len(toks) and toks[i + 1].text == "("):
            out.add(t.text)
    return out
