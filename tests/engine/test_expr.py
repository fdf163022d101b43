"""The expression language: unit tests of each form, and Hypothesis tests that no input crashes
the parser or the compiler with anything but ExprError, that nothing is ever executed as Python,
and that the ranges the validator reasons with are sound (a value always lies in its interval)."""
from __future__ import annotations

import ast
import builtins
import contextlib
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import ExprError, Run, load_scenario
from engine.expr import BOOL, NUM, TEXT, check_generated, compile_expr, names_in, parse, tokenize

from .helpers import BASE, dump, merge

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DOC = merge(BASE, {
    "calendar": {"start": "2010-Q2"},
    "meters": {"a": {"range": [0, 100], "start": 40}, "b": {"range": [-50, 50], "start": -10},
               "c": {"type": "int", "range": [0, 10], "start": 3}},
    "flags": {"f": True, "g": False},
    "groups": {"pair": ["alice", "bob"], "one": ["alice"]},
    "computed": {"k": "a + b", "big": "k > 50"},
    "perception": {"listen": {"stories": [{"id": "story", "text": "A story."}]}},
})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    p = tmp_path_factory.mktemp("expr") / "expr.yaml"
    p.write_text(dump(DOC), encoding="utf-8")
    sc = load_scenario(p)
    return sc, Run(sc, 0)


@contextlib.contextmanager
def no_python_execution():
    """eval and exec raise while the engine works, and so does compile given anything but a tree of generated
    code within the whitelist (never text): the author's text is never run as Python."""
    saved = builtins.eval, builtins.exec, builtins.compile

    def refuse(*a, **k):
        raise AssertionError("the expression language must never run Python")

    def only_checked_trees(tree, *a, **k):
        if not isinstance(tree, ast.Module):
            raise AssertionError(f"compile() was given {type(tree).__name__}, not a generated tree")
        check_generated(tree)  # raises on anything outside the whitelist
        return saved[2](tree, *a, **k)
    builtins.eval = builtins.exec = refuse
    builtins.compile = only_checked_trees
    try:
        yield
    finally:
        builtins.eval, builtins.exec, builtins.compile = saved


def value(world, src):
    sc, run = world
    with no_python_execution():
        c = compile_expr(src, sc.env)
        return c.fn(run.state)


# --- each form ------------------------------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("42", 42), ("0.5", 0.5), (".25", 0.25), ("true", True), ("false", False), ("'pilot'", "pilot"), ('"x"', "x"),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("2 * 3 % 4", 2), ("-a + 50", 10), ("--3", 3),
    ("7 / 2", 3.5), ("a / 0", 0), ("a % 0", 0), ("a % 7", 5),
    ("a > 30", True), ("a >= 40 and a <= 40", True), ("a == 40", True), ("a != 40", False), ("a < 40", False),
    ("30 <= a <= 50", True), ("30 <= a <= 35", False), ("1 < 2 < 3 < 4", True),
    ("f and not g", True), ("g or f", True), ("not f or g", False), ("not not f", True),
    ("10 if f else 20", 10), ("10 if g else 20 if f else 30", 20), ("'y' if a > 99 else 'n'", "n"),
    ("min(a, b)", -10), ("max(a, b, 99)", 99), ("abs(b)", 10), ("clamp(a, 0, 30)", 30), ("clamp(b, 0, 30)", 0),
    ("round(7 / 2)", 4), ("round(b / 3)", -3),
    ("sum(pair.trust)", 80), ("mean(all.support)", 65), ("min(all.commitment)", 20), ("max(pair.trust)", 50),
    ("count(all.trust >= 40)", 1), ("count(pair.trust > 0 and pair.local_budget)", 1), ("sum(one.trust)", 50),
    ("mean(all.trust * 2 + 1)", 81),
    ("alice.trust", 50), ("bob.local_budget", False), ("alice.name", "Alice"), ("alice.agency == 'Council'", True),
    ("k", 30), ("big", False), ("turn", 0), ("year", 2010), ("quarter", 2), ("phase == 'one'", True),
    ("attention", 2), ("listened", 0), ("heard.story", False), ("tags.hero", 0), ("visits.start", 1),
    ("met.alice", 0), ("balcony_visits", 0), ("public_value", 50), ("triangle.capacity", 50),
    ("c * 2", 6),
])
def test_each_form(world, src, expected):
    v = value(world, src)
    assert v == expected and isinstance(v, bool) == isinstance(expected, bool)


@pytest.mark.parametrize("src, code, fragment", [
    ("", "BAL020", "empty"), ("   ", "BAL020", "empty"), ("1 +", "BAL020", "ends too soon"),
    ("a = 1", "BAL020", "'=='"), ("a && b", "BAL020", "write 'and'"), ("!f", "BAL020", "'not'"),
    ("f || g", "BAL020", "write 'or'"), ("alice.trust >> 3", "BAL020", "write '>' (greater than) or '>='"),
    ("a => 3", "BAL020", "write '>=' (at least)"), ("a =< 3", "BAL020", "write '<='"), ("a ** 2", "BAL020", "x * x"),
    ("a === 3", "BAL020", "'=='"), ("a <> 3", "BAL020", "'!='"),
    ("a > \u0663", "BAL020", "digits 0-9"), ("a > \u0969", "BAL020", "digits 0-9"), ("\uff11 + 1", "BAL020", "digits 0-9"),
    ("1" + "0" * 309, "BAL025", "between -1,000,000,000,000,000 and"), ("round(1" + "0" * 309 + ")", "BAL025", "10^15"),
    ("1" + "0" * 201 + " * " + "1" + "0" * 201, "BAL025", "out of range"), ("1" + "0" * 15 + ".5", "BAL025", "range"),
    ("1000000000000000 * 1000000000000000 * 1000000000000000", "BAL025", "gives a number out of range"),
    ("(1", "BAL020", "expected ')'"), ("1 2", "BAL020", "after a complete"), ("a if f", "BAL020", "expected 'else'"),
    ("x", "BAL021", "not declared"), ("alice.nerve", "BAL021", "not declared"), ("self.trust", "BAL021", "not declared"),
    ("foo(1)", "BAL022", "unknown function"), ("abs()", "BAL022", "takes 1"), ("clamp(1, 2)", "BAL022", "takes 3"),
    ("min(1)", "BAL022", "takes 2"), ("sum(a)", "BAL022", "ranges over a group"), ("count(a > 1)", "BAL022", "group"),
    ("a + f", "BAL023", "needs a number"), ("not a", "BAL023", "true/false"), ("a and f", "BAL023", "true/false"),
    ("a == 'x'", "BAL023", "cannot compare"), ("'x' < 'y'", "BAL023", "needs a number"),
    ("1 if a else 2", "BAL023", "true/false"), ("1 if f else 'x'", "BAL023", "same type"),
    ("all.trust", "BAL023", "whole group"), ("mean(pair.trust + one.trust)", "BAL023", "only one group"),
    ("count(all.trust)", "BAL023", "condition"), ("sum(all.name)", "BAL023", "numbers"),
    ("x" * 2001, "BAL020", "longer than"), ("(" * 50 + "1" + ")" * 50, "BAL020", "nested too deeply"),
])
def test_errors_have_codes_and_teach(world, src, code, fragment):
    sc, _ = world
    with pytest.raises(ExprError) as e:
        compile_expr(src, sc.env)
    assert e.value.code == code and fragment in str(e.value)
    assert 0 <= e.value.offset <= len(src)


@pytest.mark.parametrize("src", ["x" * 2001, "(" * 50 + "1" + ")" * 50])
def test_an_expression_too_long_or_too_deep_says_how_to_fix_it(world, src):
    """It said only "the expression is longer than 2000 characters" or "nested too deeply"."""
    sc, _ = world
    with pytest.raises(ExprError) as e:
        compile_expr(src, sc.env)
    assert "split it" in str(e.value) and "'computed'" in str(e.value), str(e.value)


def test_wanted_types(world):
    sc, _ = world
    with pytest.raises(ExprError, match="must be true or false"):
        compile_expr("a + 1", sc.env, want=BOOL)
    with pytest.raises(ExprError, match="number is needed"):
        compile_expr("f", sc.env, want=NUM)
    assert compile_expr(True, sc.env).type == BOOL and compile_expr(3, sc.env).type == NUM


@pytest.mark.parametrize("src, iv", [
    ("a", (0, 100)), ("a + b", (-50, 150)), ("a - b", (-50, 150)), ("-b", (-50, 50)), ("a * 2", (0, 200)),
    ("abs(b)", (0, 50)), ("min(a, 10)", (0, 10)), ("max(a, 10)", (10, 100)), ("c", (0, 10)), ("quarter", (1, 4)),
    ("count(all.trust > 50)", (0, 2)), ("sum(all.trust)", (0, 200)), ("round(a / 3)", (0, 34)),
])
def test_intervals(world, src, iv):
    sc, _ = world
    assert tuple(compile_expr(src, sc.env).interval) == iv


@pytest.mark.parametrize("src, possible", [
    ("a > 200", {False}), ("a >= 0", {True}), ("a > 50", {True, False}), ("f", {True, False}),
    ("a > 200 and f", {False}), ("a >= 0 or f", {True}), ("not (a < 0)", {True}), ("1 < 2", {True}),
    ("clamp(0, a, 100) > 10", {True, False}), ("clamp(50, 0, a) < 20", {True, False}),
])
def test_possible_truth_values(world, src, possible):
    sc, _ = world
    assert set(compile_expr(src, sc.env).interval) == possible


def test_names_in():
    assert names_in("police.trust > 3 and max(a, b) < c") == {"police.trust", "a", "b", "c"}
    assert names_in("a ==") == {"a"} and names_in("$$$") == set() and names_in(3) == set()


# --- never executes code --------------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "__import__('os').system('echo owned')", "__import__('os')", "open('/etc/passwd')", "eval('1')", "exec('1')",
    "().__class__.__bases__", "a.__class__", "alice.__dict__", "lambda: 1", "[x for x in a]", "{1: 2}", "a[0]",
    "globals()", "a; import os", "import os", "os.system('ls')", "getattr(a, 'x')", "a ** 2", "a @ b", "f'{a}'",
    "1 if True else 2", "None", "a is 1", "a in pair", "print(a)", "type(a)", "`ls`", "$(ls)",
])
def test_python_is_refused(world, src):
    sc, _ = world
    with no_python_execution(), pytest.raises(ExprError):
        compile_expr(src, sc.env)


# --- hypothesis: random strings ---------------------------------------------------------------

ALPHABET = st.sampled_from(list("abcfgkx_.()'\"+-*/%<>=!&|,: 0123456789\t\n") + [
    "alice", "bob", "pair", "all", "self", "trust", " and ", " or ", "not ", " if ", " else ", "min", "max",
    "sum", "mean", "count", "clamp", "round", "abs", "true", "false", "__import__", "os", "tags.", "heard."])


@SETTINGS
@given(st.one_of(st.text(max_size=80), st.lists(ALPHABET, max_size=30).map("".join)))
def test_random_text_gives_only_expr_errors(world, src):
    sc, run = world
    with no_python_execution():
        try:
            tokenize(src)
            parse(src)
            c = compile_expr(src, sc.env)
        except ExprError as e:
            assert e.code in ("BAL020", "BAL021", "BAL022", "BAL023") and str(e)
            return
        c.fn(run.state)


# --- hypothesis: random expressions from the grammar, evaluated on random states -------------

NAMES = ["a", "b", "c", "f", "g", "k", "big", "alice.trust", "bob.commitment", "alice.local_budget", "pair.trust",
         "all.support", "one.commitment", "turn", "year", "quarter", "phase", "attention", "listened", "heard.story",
         "tags.hero", "visits.start", "met.bob", "balcony_visits", "public_value", "triangle.legitimacy",
         "alice.name", "nope", "self.trust"]
OPS = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "and", "or"]
FUNCS = ["min", "max", "abs", "clamp", "round", "sum", "mean", "count", "foo"]

atoms = st.one_of(
    st.sampled_from(NAMES),
    st.integers(0, 200).map(str),
    st.decimals(0, 200, places=2).map(str),
    st.sampled_from(["true", "false", "'one'", "'two'"]),
)


def _grow(inner):
    wrap = st.booleans()
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPS), inner, wrap).map(lambda t: f"({t[0]} {t[1]} {t[2]})" if t[3] else f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda x: f"-{x}"),
        inner.map(lambda x: f"not {x}"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(FUNCS), st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
    )


exprs = st.recursive(atoms, _grow, max_leaves=10)


def random_state(data, sc, run):
    """Put the run in a random state inside the declared ranges."""
    s = run.state
    for key, start in sc.start_values.items():
        if isinstance(start, bool):
            s.vals[key] = data.draw(st.booleans())
        else:
            lo, hi, integer = sc.ranges[key]
            s.vals[key] = data.draw(st.integers(int(lo), int(hi)) if integer else
                                    st.floats(lo, hi, allow_nan=False))
    s.turn = data.draw(st.integers(0, 40))
    s.attention = data.draw(st.integers(0, sc.perception.attention))
    s.heard = data.draw(st.sampled_from([{}, {"story": 0}]))
    s.tags = {"hero": data.draw(st.integers(0, 5))}
    s.visits = {"start": data.draw(st.integers(0, 5))}
    s.met = {"bob": data.draw(st.integers(0, 5))}
    s.balcony_visits = data.draw(st.integers(0, 5))
    s.memo.clear()


def _close(v, lo, hi):
    tol = 1e-9 * max(1.0, abs(v))
    return lo - tol <= v <= hi + tol


@SETTINGS
@given(src=exprs, data=st.data())
def test_random_expressions_compile_or_fail_cleanly_and_intervals_are_sound(world, src, data):
    sc, run = world
    with no_python_execution():
        try:
            c = compile_expr(src, sc.env)
        except ExprError as e:
            assert e.code in ("BAL020", "BAL021", "BAL022", "BAL023")
            return
    random_state(data, sc, run)
    v = c.fn(run.state)
    if c.type == NUM:
        assert isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)
        lo, hi = c.interval
        assert _close(v, lo, hi), f"{src} = {v}, outside its interval {c.interval}"
    elif c.type == BOOL:
        assert isinstance(v, bool)
        assert v in c.interval, f"{src} = {v}, but the validator thinks it can only be {set(c.interval)}"
    else:
        assert c.type == TEXT and isinstance(v, str)
    if c.is_const:
        assert v == c.const


@SETTINGS
@given(st.integers(1, 1990), st.sampled_from(["+1", "*1", "-a", " and f", "+(a)"]))
def test_long_chains_are_refused_or_work_never_recursion_errors(world, n, piece):
    sc, run = world
    src = ("f" if piece.startswith(" and") else "a") + piece * min(n, (2000 - 1) // len(piece))
    assume(len(src) <= 2000)
    try:
        c = compile_expr(src, sc.env)
    except ExprError:
        return
    c.fn(run.state)
