"""Balcony's expression language: parsed, type-checked, and compiled from the checked tree to Python functions.

The author's text is never evaluated: it is parsed to a small tree of tuples, checked, and each expression
becomes one Python function, built node by node with the `ast` module from that tree alone (as Jinja2
compiles templates). See "code generation" below for what that code may contain.

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

Numbers are written with the ASCII digits 0-9 and lie between -10^15 and 10^15.

Compilation resolves every name against the scenario's declarations (an `Env`), checks
types (number, bool, text) and computes the interval each value can take, so that the
validator can say when a condition can never hold.
"""
from __future__ import annotations

import ast
import math
import operator
import re
import types
import weakref
from dataclasses import dataclass
from typing import Callable

from .errors import ExprError, ExprRuntimeError
from .views import shown

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_HEIGHT = 100
MAX_NUMBER = 10 ** 15  # literals lie within plus or minus this

NUM, BOOL, TEXT = "number", "bool", "text"


def kind_words(t: str) -> str:
    """A type in an author's words: 'a number', 'true/false', 'text'."""
    return {NUM: "a number", BOOL: "true/false", TEXT: "text"}.get(t, t)
ANY_BOOL = frozenset((True, False))

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)
  | (?P<str>'[^'\\]*'|"[^"\\]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<bad>=>|=<|>>|<<|===|!==|&&|\|\||\*\*|//|<>|\^)
  | (?P<op><=|>=|==|!=|[<>+\-*/%(),])
""", re.X)

#: Operators from other languages, and the one this language has for what the author most likely meant.
_MEANT = {
    "=>": "'>=' (at least)", "=<": "'<=' (at most)", ">>": "'>' (greater than) or '>=' (at least)",
    "<<": "'<' (less than) or '<=' (at most)", "===": "'==' (equal)", "!==": "'!=' (not equal)",
    "&&": "'and'", "||": "'or'", "**": "a product, such as 'x * x' (there is no power operator)",
    "//": "round(a / b) for a whole number", "<>": "'!=' (not equal)", "^": "a product, such as 'x * x' (there is no power operator)",
}

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
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters: split it into named parts "
                        f"under 'computed', and use their names here")
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
            elif ch.isdigit() or ch.isnumeric():
                hint = ": write numbers with the digits 0-9"
            raise ExprError(f"unexpected character '{ch}'{hint}", i)
        kind = m.lastgroup
        if kind == "bad":
            raise ExprError(f"'{m.group()}' is not an operator here: write {_MEANT[m.group()]}", i)
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
            raise ExprError(f"the expression is nested too deeply (more than {MAX_DEPTH} brackets or operators "
                            f"inside one another): split it into named parts under 'computed', and use their names "
                            f"here", self.tok.pos)

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
            _check_literal(t.text, t.pos)
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
        if not (math.isfinite(src) and abs(src) <= MAX_NUMBER):
            raise ExprError(_RANGE_MESSAGE.format(number=_short_number(src)), 0, "BAL025")
        return ("num", src, 0)
    if not isinstance(src, str) or not src.strip():
        raise ExprError("an expression is empty")
    node = _Parser(src).parse()
    if _height(node) > MAX_HEIGHT:  # compiling and evaluating recurse once per level
        raise ExprError(f"the expression is more than {MAX_HEIGHT} operations deep: split it into computed values")
    return node


_RANGE_MESSAGE = ("the number {number} is out of range: numbers in expressions lie between "
                  "-1,000,000,000,000,000 and 1,000,000,000,000,000 (10^15)")


def _short_number(x):
    text = str(x)
    return text if len(text) <= 24 else f"{text[:10]}...({len(text)} characters)"


def _check_literal(text, pos):
    whole = text.partition(".")[0].lstrip("0")
    if len(whole) > 16 or float(text) > MAX_NUMBER:
        raise ExprError(_RANGE_MESSAGE.format(number=_short_number(text)), pos, "BAL025")


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
#
# The compiler checks types and computes each value's interval (for the validator), and builds, from the
# checked tree alone, one Python function per expression with the `ast` module (as Jinja2 compiles its
# templates): every name is a state slot (`v['trust.bob']`, `s.turn`) or a function the scenario's
# declarations resolved it to, every literal a number checked at parsing (or a quoted text, as data). The
# generated tree is checked against a whitelist of node types and names before it is compiled
# (`check_generated`), and the function runs with no builtins at all. Nothing of the author's text is
# ever compiled or run as Python: only the tree this module built from it.

SAFE_LIMIT = 1e300  # a value whose interval may pass this may overflow: its function is guarded


def _safe_iv(iv) -> bool:
    return iv[0] >= -SAFE_LIMIT and iv[1] <= SAFE_LIMIT


class Compiled:
    """A compiled expression: its type, the interval (or truth values) it can take, and `fn`, a function
    of the run's state. `fn` is generated on first use, from `emit`."""

    __slots__ = ("_fn", "type", "interval", "const", "is_const", "key", "emit", "risky", "src", "why")

    def __init__(self, fn, type, interval, const=None, is_const=False, key=None, emit=None, risky=None):
        self._fn = fn
        self.type = type
        self.interval = interval  # (lo, hi) for numbers; frozenset of possible bools; None for text
        self.const = const  # the value if it never changes
        self.is_const = is_const
        self.key = key  # the state key, when the value is exactly `state.vals[key]`
        self.emit = emit  # gen -> ast.expr, for composite expressions
        if risky is None:
            risky = type == NUM and not is_const and not _safe_iv(interval)
        self.risky = risky  # may overflow, or give NaN or an infinity, at run time
        self.src = None  # the author's text, for run-time error messages
        self.why = None  # (offset, (op, left, right, its truth)) of the sub-term deciding a constant (BAL033)

    @property
    def fn(self) -> Callable:
        f = self._fn
        if f is None:
            f = self._fn = _generate(self)
        return f

    def code(self, gen) -> ast.expr:
        """This value as a node of generated code."""
        if self.is_const:
            return ast.Constant(self.const)
        if self.emit is not None:
            return self.emit(gen)
        if self.key is not None:
            return ast.Subscript(gen.vals(), ast.Constant(self.key), ast.Load())
        return gen.call(self._fn)


def _const(value) -> Compiled:
    kind = BOOL if isinstance(value, bool) else (NUM if isinstance(value, (int, float)) else TEXT)
    iv = frozenset((value,)) if kind == BOOL else ((value, value) if kind == NUM else None)
    return Compiled(lambda s, v=value: v, kind, iv, value, True)


def attr(name: str, type_: str, interval, scale=None) -> Compiled:
    """A plain attribute of the run's state (`s.turn`), read inline by generated code."""
    if name not in STATE_ATTRS:
        raise ValueError(f"not a state attribute generated code may read: {name}")
    return Compiled(operator.attrgetter(name), type_, interval,
                    emit=lambda gen: ast.Attribute(ast.Name("s", ast.Load()), name, ast.Load()))


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


def _bound(p):
    """An interval's bound as the validator reasons with it: an integer beyond a float's reach is an infinity,
    and 0 times an infinity is 0 (as a product of values, which are finite, is)."""
    if p.__class__ is int and not -SAFE_LIMIT <= p <= SAFE_LIMIT:
        return math.inf if p > 0 else -math.inf
    return 0.0 if p != p else p


def _mul_iv(a, b):
    ps = []
    for x in (a[0], a[1]):
        for y in (b[0], b[1]):
            try:
                p = x * y
            except OverflowError:  # a float times an integer beyond a float's reach
                p = math.inf if (x > 0) == (y > 0) else -math.inf
            ps.append(_bound(p))
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
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}
_AST_CMP = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE, "==": ast.Eq, "!=": ast.NotEq}
_AST_BIN = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "%": ast.Mod}


def _div(a, b):
    return a / b if b else 0.0


def _mod(a, b):
    return a % b if b else 0.0


_round = shown  # the one rounding rule of everything shown (halves away from zero)


_PY_BIN = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _div, "%": _mod}


def _bin_interval(op, ia, ib):
    if op == "+":
        return (_bound(ia[0] + ib[0]), _bound(ia[1] + ib[1]))
    if op == "-":
        return (_bound(ia[0] - ib[1]), _bound(ia[1] - ib[0]))
    if op == "*":
        return _mul_iv(ia, ib)
    if op == "%":
        m = max(abs(ib[0]), abs(ib[1]))
        return (min(0, -m), max(0, m))
    if ib[0] > 0 or ib[1] < 0:
        iv = _mul_iv(ia, (1 / ib[1] if ib[1] else -math.inf, 1 / ib[0] if ib[0] else math.inf))
        return (min(iv), max(iv))
    return (-math.inf, math.inf)


def _folded(value, pos):
    """A constant computed while compiling, checked as a literal is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _const(value)
    try:
        ok = math.isfinite(value) and abs(value) <= MAX_NUMBER ** 2
    except OverflowError:
        ok = False
    if not ok:
        raise ExprError(f"this arithmetic on numbers gives a number out of range: the numbers an expression "
                        f"works with lie between -{MAX_NUMBER ** 2:.0e} and {MAX_NUMBER ** 2:.0e}", pos, "BAL025")
    return _const(value)


def _fold_call(fname, values):
    if fname == "min":
        return min(values)
    if fname == "max":
        return max(values)
    if fname == "abs":
        return abs(values[0])
    if fname == "round":
        return _round(values[0])
    return min(max(values[0], values[1]), values[2])  # clamp


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
            raise ExprError(f"{what} needs a number, but this is {kind_words(c.type)}", pos, "BAL023")

    def _bool_operand(self, c: Compiled, what, pos):
        if c.type != BOOL:
            raise ExprError(f"{what} needs true/false, but this is {kind_words(c.type)}: "
                            f"compare it, for example 'x > 0'", pos, "BAL023")

    def _neg(self, node):
        x = self.compile(node[1])
        self._num_operand(x, "'-'", node[2])
        if x.is_const:
            return _folded(-x.const, node[2])
        lo, hi = x.interval
        return Compiled(None, NUM, (-hi, -lo), emit=lambda g: ast.UnaryOp(ast.USub(), x.code(g)),
                        risky=x.risky or None)

    def _not(self, node):
        x = self.compile(node[1])
        self._bool_operand(x, "'not'", node[2])
        if x.is_const:
            return _const(not x.const)
        out = Compiled(None, BOOL, frozenset(not v for v in x.interval),
                       emit=lambda g: ast.UnaryOp(ast.Not(), x.code(g)), risky=x.risky)
        out.why = x.why
        return out

    def _bin(self, node):
        op, pos = node[1], node[4]
        a, b = self.compile(node[2]), self.compile(node[3])
        self._num_operand(a, f"'{op}'", pos)
        self._num_operand(b, f"'{op}'", pos)
        if a.is_const and b.is_const:
            return _folded(_PY_BIN[op](a.const, b.const), pos)
        iv = _bin_interval(op, a.interval, b.interval)
        if op in "+-*" or (b.is_const and b.const):  # a division by a number that is not 0: plain Python
            def emit(g, a=a, b=b, op=_AST_BIN[op]):
                return ast.BinOp(a.code(g), op(), b.code(g))
        else:  # by something that may be 0 (gives 0)
            helper = "_div" if op == "/" else "_mod"

            def emit(g, a=a, b=b, helper=helper):
                return g.helper(helper, a.code(g), b.code(g))
        return Compiled(None, NUM, iv, emit=emit, risky=a.risky or b.risky or None)

    def _cmp(self, node):
        ops, operands, pos = node[1], node[2], node[3]
        cs = [self.compile(o) for o in operands]
        possible = None
        why = None
        for op, a, b in zip(ops, cs, cs[1:]):
            if op in ("==", "!="):
                if a.type != b.type:
                    raise ExprError(f"cannot compare {kind_words(a.type)} with {kind_words(b.type)} using '{op}'", pos,
                                    "BAL023")
            else:
                self._num_operand(a, f"'{op}'", pos)
                self._num_operand(b, f"'{op}'", pos)
            if a.type == NUM:
                p = _cmp_possible(op, a.interval, b.interval)
                if len(p) == 1 and why is None:
                    why = (op, a.interval, b.interval, next(iter(p)))  # the term's own constant truth
            elif a.is_const and b.is_const:
                p = frozenset((_PY_CMP[op](a.const, b.const),))
            else:
                p = ANY_BOOL
            possible = p if possible is None else frozenset(x and y for x in possible for y in p)
        if all(c.is_const for c in cs):
            vals = [c.const for c in cs]
            return _const(all(_PY_CMP[op](x, y) for op, x, y in zip(ops, vals, vals[1:])))

        def emit(g, cs=cs, ops=tuple(_AST_CMP[o] for o in ops)):
            return ast.Compare(cs[0].code(g), [o() for o in ops], [c.code(g) for c in cs[1:]])
        out = Compiled(None, BOOL, possible, emit=emit, risky=any(c.risky for c in cs))
        if len(possible) == 1 and why is not None:
            out.why = (pos, why)
        return out

    def _logic(self, node, kind):
        xs = [self.compile(x) for x in node[1]]
        for x in xs:
            self._bool_operand(x, f"'{kind}'", node[2])
        if kind == "and":
            can_true = all(True in x.interval for x in xs)
            can_false = any(False in x.interval for x in xs)
            decider = next((x for x in xs if x.interval == frozenset((False,))), None)
        else:
            can_true = any(True in x.interval for x in xs)
            can_false = all(False in x.interval for x in xs)
            decider = next((x for x in xs if x.interval == frozenset((True,))), None)
        iv = frozenset(v for v, ok in ((True, can_true), (False, can_false)) if ok)

        def emit(g, xs=xs, op=ast.And if kind == "and" else ast.Or):
            return ast.BoolOp(op(), [x.code(g) for x in xs])
        out = Compiled(None, BOOL, iv, emit=emit, risky=any(x.risky for x in xs))
        if decider is not None:
            out.why = decider.why
        elif len(iv) == 1 and all(len(x.interval) == 1 for x in xs):
            # every part is the same constant ('x < 0 or x > 100', each always false): name the first
            out.why = next((x.why for x in xs if x.why is not None), None)
        elif len(iv) == 1:  # every part may go either way, yet the whole cannot: name no one part
            out.why = None
        return out

    def _and(self, node):
        return self._logic(node, "and")

    def _or(self, node):
        return self._logic(node, "or")

    def _ifelse(self, node):
        cond, a, b, pos = (self.compile(node[1]), self.compile(node[2]), self.compile(node[3]), node[4])
        self._bool_operand(cond, "the 'if' of a conditional", pos)
        if a.type != b.type:
            raise ExprError(f"both sides of 'if ... else' must be the same type (here "
                            f"{kind_words(a.type)} and {kind_words(b.type)})", pos, "BAL023")
        if a.type == NUM:
            iv = (min(a.interval[0], b.interval[0]), max(a.interval[1], b.interval[1]))
        elif a.type == BOOL:
            iv = a.interval | b.interval
        else:
            iv = None
        return Compiled(None, a.type, iv, emit=lambda g: ast.IfExp(cond.code(g), a.code(g), b.code(g)),
                        risky=cond.risky or a.risky or b.risky or None)

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
        n = len(parts)
        risky = any(p.risky for p in parts) or None
        if fname == "count":
            if parts[0].type != BOOL:
                raise ExprError(f"count(...) needs a condition, for example count({group}.trust >= 50)", pos, "BAL023")

            def emit(g, parts=parts):
                return g.helper("sum", ast.Tuple([ast.IfExp(p.code(g), ast.Constant(1), ast.Constant(0))
                                                  for p in parts], ast.Load()))
            return Compiled(None, NUM, (0, n), emit=emit, risky=risky)
        if parts[0].type != NUM:
            raise ExprError(f"{fname}(...) needs numbers", pos, "BAL023")
        lo = min(p.interval[0] for p in parts)
        hi = max(p.interval[1] for p in parts)
        helper = "sum" if fname == "mean" else fname

        def emit(g, parts=parts, helper=helper):
            call = g.helper(helper, ast.Tuple([p.code(g) for p in parts], ast.Load()))
            return ast.BinOp(call, ast.Div(), ast.Constant(n)) if fname == "mean" else call
        if fname == "sum":
            iv = (sum(p.interval[0] for p in parts), sum(p.interval[1] for p in parts))
        else:
            iv = (lo, hi)
        return Compiled(None, NUM, iv, emit=emit, risky=risky)

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
        ivs = [c.interval for c in cs]

        def arity(lo, hi=None):
            if len(cs) < lo or (hi is not None and len(cs) > hi):
                want = f"{lo}" if hi == lo else (f"{lo} or more" if hi is None else f"{lo} to {hi}")
                raise ExprError(f"{fname}() takes {want} arguments, not {len(cs)}", pos, "BAL022")

        if fname in ("min", "max"):
            arity(2)
            pick = min if fname == "min" else max
            iv = (pick(i[0] for i in ivs), pick(i[1] for i in ivs))

            def emit(g, cs=cs):
                return g.helper(fname, *[c.code(g) for c in cs])
        elif fname == "abs":
            arity(1, 1)
            lo, hi = ivs[0]
            iv = (0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), max(abs(lo), abs(hi)))

            def emit(g, x=cs[0]):
                return g.helper("abs", x.code(g))
        elif fname == "round":
            arity(1, 1)
            iv = (math.floor(ivs[0][0]), math.ceil(ivs[0][1])) if all(map(math.isfinite, ivs[0])) else ivs[0]

            def emit(g, x=cs[0]):
                return g.helper("_round", x.code(g))
        elif fname == "clamp":
            arity(3, 3)
            # min(max(x, lo), hi) is monotone in each argument: bound it by the lows and by the highs
            iv = (min(max(ivs[0][0], ivs[1][0]), ivs[2][0]), min(max(ivs[0][1], ivs[1][1]), ivs[2][1]))

            def emit(g, cs=cs):
                return g.helper("min", g.helper("max", cs[0].code(g), cs[1].code(g)), cs[2].code(g))
        else:
            raise ExprError(f"{fname}(...) ranges over a group: write, for example, {fname}(all.trust)", pos, "BAL022")
        if all(c.is_const for c in cs):
            return _folded(_fold_call(fname, [c.const for c in cs]), pos)
        return Compiled(None, NUM, iv, emit=emit, risky=any(c.risky for c in cs) or None)


# --- code generation ----------------------------------------------------------------------------------

STATE_ATTRS = frozenset(("vals", "turn", "phase", "attention", "balcony_visits", "heard", "tags", "visits", "met"))
HELPERS = {"_div": _div, "_mod": _mod, "_round": _round, "min": min, "max": max, "abs": abs, "sum": sum}
_LEAF = re.compile(r"_f[0-9]+\Z")
#: The only node types generated code is made of.
ALLOWED_NODES = frozenset((
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Return, ast.Assign, ast.Try, ast.ExceptHandler,
    ast.If, ast.Expr, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.USub, ast.Not, ast.And, ast.Or,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq))
_LOCALS = frozenset(("s", "v", "r", "_open"))


class _Gen:
    """Names for the functions a generated function calls: leaves the scenario's declarations resolved to
    (`_f0`, `_f1`, ...) and the module's helpers."""

    def __init__(self):
        self.names: dict = {}
        self.uses_vals = False

    def vals(self):
        self.uses_vals = True
        return ast.Name("v", ast.Load())

    def call(self, fn):
        name = self.names.get(id(fn), (None,))[0]
        if name is None:
            name = f"_f{len(self.names)}"
            self.names[id(fn)] = (name, fn)
        return ast.Call(ast.Name(name, ast.Load()), [ast.Name("s", ast.Load())], [])

    def helper(self, name, *args):
        assert name in HELPERS
        return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def check_generated(tree, locate=False) -> None:
    """Refuse generated code with anything outside the whitelist: only the node types in ALLOWED_NODES;
    names only the function's locals (s, v, r), the helpers and leaf functions `_fN`; attributes only of
    the state `s`, from STATE_ATTRS; constants only numbers within range, true/false, texts and None.
    With `locate`, also give every node the position compile() needs (line 1), in the same walk."""
    for n in ast.walk(tree):
        t = type(n)
        if locate and "lineno" in n._attributes:
            n.lineno = n.end_lineno = 1
            n.col_offset = n.end_col_offset = 0
        if t not in ALLOWED_NODES:
            raise ValueError(f"generated code holds a {t.__name__}")
        if t is ast.Name and not (n.id in _LOCALS or n.id in HELPERS or n.id == "_bad" or _LEAF.match(n.id)):
            raise ValueError(f"generated code names {n.id!r}")
        if t is ast.Subscript and not (isinstance(n.value, ast.Name) and n.value.id in ("v", "_open")):
            raise ValueError("generated code subscripts something that is not the state's values")
        if t is ast.Attribute and not (isinstance(n.value, ast.Name) and n.value.id == "s" and n.attr in STATE_ATTRS):
            raise ValueError(f"generated code reads the attribute {n.attr!r}")
        if t is ast.Constant:
            c = n.value
            if isinstance(c, (int, float)) and not isinstance(c, bool):
                if not (math.isfinite(c) and abs(c) <= MAX_NUMBER ** 2):
                    raise ValueError(f"generated code holds the number {c!r}")
            elif not (c is None or isinstance(c, (bool, str))):
                raise ValueError(f"generated code holds the constant {c!r}")
        if t is ast.Call and not (isinstance(n.func, ast.Name) and not n.keywords):
            raise ValueError("generated code calls something that is not a named function")


def _bad(src, value=None):
    what = "no number (NaN)" if value is not None else "a number too large to hold"
    raise ExprRuntimeError(f"the expression '{src}' gave {what}: check its arithmetic (a product of large "
                           f"values, a division by a very small one)")


def generated_tree(c: Compiled, name: str = "balcony_expr") -> ast.Module:
    """The module of one function, `def balcony_expr(s)`, that computes `c`; and its globals, by name."""
    gen = _Gen()
    value = c.code(gen)
    s = ast.Name("s", ast.Load())
    body = []
    if gen.uses_vals:
        body.append(ast.Assign([ast.Name("v", ast.Store())], ast.Attribute(s, "vals", ast.Load())))
    if c.risky:
        # overflow fails with the expression named; a NaN number never reaches a meter; an infinity is a
        # number, and the meter it goes to clamps it to its range
        src = ast.Constant(c.src or "an expression")
        fail = ast.Expr(ast.Call(ast.Name("_bad", ast.Load()), [src], []))
        body.append(ast.Try([ast.Assign([ast.Name("r", ast.Store())], value)],
                            [ast.ExceptHandler(None, None, [fail])], [], []))
        if c.type == NUM:
            check = ast.Compare(ast.Name("r", ast.Load()), [ast.NotEq()], [ast.Name("r", ast.Load())])
            nan = ast.Expr(ast.Call(ast.Name("_bad", ast.Load()), [src, ast.Name("r", ast.Load())], []))
            body.append(ast.If(check, [nan], []))
        body.append(ast.Return(ast.Name("r", ast.Load())))
    else:
        body.append(ast.Return(value))
    fdef = ast.FunctionDef(name, ast.arguments([], [ast.arg("s")], None, [], [], None, []), body, [], None)
    tree = ast.Module([fdef], [])
    names = {"__builtins__": {}, "_bad": _bad, **HELPERS}
    names.update({name: fn for name, fn in gen.names.values()})
    return tree, names


def _generate(c: Compiled) -> Callable:
    tree, names = generated_tree(c)
    fn = _function(tree, names)
    if not c.risky:
        fn.balcony_compiled = c  # its code may be inlined into a larger function (see picker)
    return fn


def _function(tree, names):
    check_generated(tree, locate=True)
    code = compile(tree, "<balcony expression>", "exec")
    fcode = next(k for k in code.co_consts if isinstance(k, types.CodeType))
    return types.FunctionType(fcode, names, fcode.co_name)


MAX_PICKER_BITS = 8


def picker(choices) -> Callable:
    """One function for a scene's choices, given as (index, condition) pairs (a condition is a function of the
    state, or None for always): state -> the tuple of the indices whose condition holds, in order. The
    conditions' own generated code is inlined (one call where there were one per choice); any other function
    is called. Same truth values as calling each condition: the result is looked up by the bits of the
    conditions that hold."""
    choices = tuple(choices)
    got = _PICKERS.get(choices)
    if got is None:
        got = _PICKERS[choices] = _picker(choices)
    return got


#: ((index, condition), ...) -> picker: scenes with the same conditions share one. An entry lasts as long as a
#: scene holds its picker, so a scenario no longer used takes its pickers with it.
_PICKERS: "weakref.WeakValueDictionary" = weakref.WeakValueDictionary()


def _picker(choices):
    guarded = [(i, f) for i, f in choices if f is not None]
    if len(guarded) > MAX_PICKER_BITS:
        return lambda s: tuple(i for i, f in choices if f is None or f(s))
    table = []
    for mask in range(1 << len(guarded)):
        held = {i for bit, (i, _) in enumerate(guarded) if mask >> bit & 1}
        table.append(tuple(i for i, f in choices if f is None or i in held))
    if not guarded:
        only = table[0]
        return lambda s: only
    gen = _Gen()
    terms = []
    for bit, (_, f) in enumerate(guarded):
        c = getattr(f, "balcony_compiled", None)
        test = c.code(gen) if c is not None else gen.call(f)
        terms.append(ast.IfExp(test, ast.Constant(1 << bit), ast.Constant(0)))
    index = terms[0]
    for t in terms[1:]:
        index = ast.BinOp(index, ast.Add(), t)
    body = []
    if gen.uses_vals:
        body.append(ast.Assign([ast.Name("v", ast.Store())], ast.Attribute(ast.Name("s", ast.Load()), "vals", ast.Load())))
    body.append(ast.Return(ast.Subscript(ast.Name("_open", ast.Load()), index, ast.Load())))
    fdef = ast.FunctionDef("balcony_picker", ast.arguments([], [ast.arg("s")], None, [], [], None, []), body, [], None)
    tree = ast.Module([fdef], [])
    names = {"__builtins__": {}, "_bad": _bad, "_open": tuple(table), **HELPERS}
    names.update({name: fn for name, fn in gen.names.values()})
    return _function(tree, names)


def values_function(compileds) -> Callable:
    """One generated function for several values: state -> the tuple of their values, in order (one call
    where there were one per value). A value that may overflow is read through its own guarded function."""
    gen = _Gen()
    items = [gen.call(c.fn) if c.risky else c.code(gen) for c in compileds]
    body = []
    if gen.uses_vals:
        body.append(ast.Assign([ast.Name("v", ast.Store())], ast.Attribute(ast.Name("s", ast.Load()), "vals", ast.Load())))
    body.append(ast.Return(ast.Tuple(items, ast.Load())))
    fdef = ast.FunctionDef("balcony_values", ast.arguments([], [ast.arg("s")], None, [], [], None, []), body, [], None)
    names = {"__builtins__": {}, "_bad": _bad, **HELPERS}
    names.update({name: fn for name, fn in gen.names.values()})
    return _function(ast.Module([fdef], []), names)


# --- the reference interpreter ----------------------------------------------------------------------------

def interpret(src, env: Env, state, self_id: str | None = None, group_var: tuple | None = None):
    """Evaluate `src` on `state` by walking the checked tree, without generated code: the meaning that the
    generated functions must keep (a test holds them to it). Slow; for tests and tools only."""
    node = parse(src)
    comp = Compiler(env, self_id, group_var)
    comp.compile(node)  # checks it
    return _walk(node, comp, state)


def _walk(node, comp, s):
    kind = node[0]
    if kind in ("num", "str", "bool"):
        return node[1]
    if kind == "name":
        return comp._name(node).fn(s)
    if kind == "neg":
        return -_walk(node[1], comp, s)
    if kind == "not":
        return not _walk(node[1], comp, s)
    if kind == "bin":
        return _PY_BIN[node[1]](_walk(node[2], comp, s), _walk(node[3], comp, s))
    if kind == "cmp":
        vals = [_walk(o, comp, s) for o in node[2]]
        return all(_PY_CMP[op](a, b) for op, a, b in zip(node[1], vals, vals[1:]))
    if kind == "and":
        return all(_walk(x, comp, s) for x in node[1])
    if kind == "or":
        return any(_walk(x, comp, s) for x in node[1])
    if kind == "ifelse":
        return _walk(node[2], comp, s) if _walk(node[1], comp, s) else _walk(node[3], comp, s)
    fname, args = node[1], node[2]
    if fname in AGGREGATES and len(args) == 1:
        group = comp._find_group(args[0])
        if group is not None:
            vals = [_walk(args[0], Compiler(comp.env, comp.self_id, (group, m)), s)
                    for m in comp.env.group_members(group)]
            if fname == "count":
                return sum(1 for x in vals if x)
            if fname == "mean":
                return sum(vals) / len(vals)
            return {"sum": sum, "min": min, "max": max}[fname](vals)
    return _fold_call(fname, [_walk(a, comp, s) for a in args])


def compile_expr(src, env: Env, self_id: str | None = None, want: str | None = None,
                 group_var: tuple | None = None) -> Compiled:
    """Parse and compile `src`. `want` is NUM or BOOL to check the result's type.

    `group_var` = (group, member) makes `group.value` mean that member's value: an effect on
    `all.trust` may read `all.commitment`, each stakeholder its own.

    The same text compiled in the same environment (with the same self and group) is compiled once.
    """
    try:
        cache = env.__dict__.setdefault("_compiled", {})
    except AttributeError:  # an Env with __slots__
        cache = {}
    key = (src.__class__, src, self_id, group_var) if isinstance(src, (str, int, float)) else None
    c = cache.get(key) if key is not None else None
    if c is None:
        node = parse(src)
        try:
            c = Compiler(env, self_id, group_var).compile(node)
        except ExprError as e:
            if want == NUM and node[0] == "name" and e.code == "BAL021":
                e.args = (_number_expected(node[1], str(e)),)
            raise
        if c.emit is not None:  # composite: its own object, named for run-time messages
            c.src = src if isinstance(src, str) else repr(src)
        elif c.key is not None and c._fn is not None and not c.is_const:  # a plain state value: inline it
            try:
                if not hasattr(c._fn, "balcony_compiled"):
                    c._fn.balcony_compiled = c
            except AttributeError:  # a callable that takes no attributes: it is called, not inlined
                pass
        if key is not None:
            cache[key] = c
    if want == BOOL and c.type != BOOL:
        raise ExprError(f"a condition must be true or false, but this is {kind_words(c.type)}: "
                        f"compare it, for example '{src} > 0'", 0, "BAL023")
    if want == NUM and c.type != NUM:
        raise ExprError(f"a number is needed here, but this is {kind_words(c.type)}: write a number (or an "
                        f"expression that gives one, such as 'outcomes + 5')", 0, "BAL023")
    return c


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


def _number_expected(word, message):
    if "did you mean" in message:
        return message + " (a number is expected here)"
    example = _NUMBER_WORDS.get(word.lower())
    fix = f"write {example}" if example is not None else "write a number, for example 5"
    return f"'{word}' is not a number, and no value of that name is declared: a number is expected here ({fix})"


def never_reason(c: Compiled, src: str):
    """For a condition that can only be true or only false: (offset of the sub-term that decides it, the
    sub-term, its left side's range, its operator, its right side's range, and the sub-term's own truth value:
    under a `not` it is the opposite of the whole's), or None when no one term decides."""
    if c.why is None:
        return None
    pos, (op, ia, ib, truth) = c.why
    return pos, _term_at(src, pos), _iv_text(ia), op, _iv_text(ib), truth


def _term_at(src, pos):
    """The comparison that starts at `pos` in `src`: up to the next and/or/else/closing bracket."""
    if not isinstance(src, str):
        return str(src)
    depth, out = 0, []
    for t in tokenize(src):
        if t.pos < pos:
            continue
        if t.kind == "end" or (depth == 0 and (t.text in ("and", "or", "if", "else", ",")
                                                and t.kind in ("kw", "op") or t.text == ")")):
            return src[pos:t.pos].strip()
        depth += t.text == "("
        depth -= t.text == ")"
    return src[pos:].strip()  # pragma: no cover


def _iv_text(iv):
    def num(x):
        if x == math.inf:
            return "any size"
        if x == -math.inf:
            return "-any size"
        return f"{x:g}" if isinstance(x, float) else str(x)
    lo, hi = iv
    return num(lo) if lo == hi else f"{num(lo)} to {num(hi)}"


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
