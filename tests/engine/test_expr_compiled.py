"""Expressions compiled to Python functions (engine.expr's code generation): the generated code holds nothing
outside a whitelist, whatever the text; it computes exactly what the reference interpreter computes on random
expressions and states; a scene's picker agrees with its choices' conditions; and arithmetic that overflows or
gives no number at run time fails naming the expression, and never leaves a meter NaN."""
from __future__ import annotations

import ast
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import ExprError, Run, load_scenario
from engine.expr import (BOOL, NUM, ExprRuntimeError, check_generated, compile_expr, generated_tree, interpret,
                         picker)

from .helpers import BASE, dump, merge
from .test_expr import ALPHABET, SETTINGS, exprs, no_python_execution, random_state, world  # noqa: F401

# The test's own list, written independently of the module's: a change to what generated code may hold has to
# be made here too, on purpose.
NODE_TYPES = {"Module", "FunctionDef", "arguments", "arg", "Return", "Assign", "Try", "ExceptHandler", "If", "Expr",
              "Name", "Load", "Store", "Attribute", "Subscript", "Constant", "Tuple", "BinOp", "UnaryOp", "BoolOp",
              "Compare", "IfExp", "Call", "Add", "Sub", "Mult", "Div", "Mod", "USub", "Not", "And", "Or", "Lt",
              "LtE", "Gt", "GtE", "Eq", "NotEq"}
NAMES = {"s", "v", "r", "_open", "_bad", "_div", "_mod", "_round", "min", "max", "abs", "sum"}
ATTRIBUTES = {"vals", "turn", "phase", "attention", "balcony_visits", "heard", "tags", "visits", "met"}


def assert_within_grammar(tree):
    for n in ast.walk(tree):
        assert type(n).__name__ in NODE_TYPES, ast.dump(n)
        if isinstance(n, ast.Name):
            assert n.id in NAMES or (n.id.startswith("_f") and n.id[2:].isdigit()), n.id
        if isinstance(n, ast.Attribute):
            assert isinstance(n.value, ast.Name) and n.value.id == "s" and n.attr in ATTRIBUTES, ast.dump(n)
        if isinstance(n, ast.Call):
            assert isinstance(n.func, ast.Name) and not n.keywords
        if isinstance(n, ast.Constant):
            c = n.value
            assert c is None or isinstance(c, (bool, str)) or (isinstance(c, (int, float)) and abs(c) <= 1e30)
        if isinstance(n, ast.FunctionDef):
            assert [a.arg for a in n.args.args] == ["s"] and not n.decorator_list


@SETTINGS
@given(st.one_of(st.text(max_size=80), st.lists(ALPHABET, max_size=30).map("".join), exprs))
def test_nothing_outside_the_grammar_reaches_generated_code(world, src):
    sc, run = world
    try:
        c = compile_expr(src, sc.env)
    except ExprError:
        return
    tree, names = generated_tree(c)
    assert_within_grammar(tree)
    assert names["__builtins__"] == {}
    with no_python_execution():
        c.fn(run.state)


@pytest.mark.parametrize("code", [
    "import os", "open('x')", "s.__class__", "().__class__", "[x for x in s]", "lambda: 1", "f'{s}'", "s.vals.clear()",
    "x = 10 ** 400", "getattr(s, 'vals')", "del s", "s[0]", "min(*s)", "min(key=s)",
])
def test_the_whitelist_check_refuses_anything_else(code):
    tree = ast.parse(code if "=" in code or code.startswith(("import", "del")) else f"r = {code}")
    if code == "x = 10 ** 400":
        tree.body[0].value = ast.Constant(10 ** 400)
    with pytest.raises(ValueError):
        check_generated(tree)


@SETTINGS
@given(src=exprs, data=st.data())
def test_compiled_and_interpreted_evaluation_agree(world, src, data):
    sc, run = world
    try:
        c = compile_expr(src, sc.env)
    except ExprError:
        return
    random_state(data, sc, run)
    try:
        want = interpret(src, sc.env, run.state)
    except (OverflowError, ValueError):
        with pytest.raises(ExprRuntimeError):
            c.fn(run.state)
        return
    got = c.fn(run.state)
    assert got == want and type(got) is type(want), (src, got, want)


@SETTINGS
@given(conds=st.lists(st.one_of(st.none(), exprs), min_size=1, max_size=10), data=st.data())
def test_a_scenes_picker_agrees_with_its_choices_conditions(world, conds, data):
    sc, run = world
    fns = []
    for src in conds:
        if src is None:
            fns.append(None)
            continue
        try:
            fns.append(compile_expr(src, sc.env, want=BOOL).fn)
        except ExprError:
            fns.append(None if data.draw(st.booleans()) else (lambda s: s.turn > 3))
    random_state(data, sc, run)
    pairs = list(enumerate(fns))
    try:
        want = tuple(i for i, f in pairs if f is None or f(run.state))
    except ExprRuntimeError:
        return
    assert picker(pairs)(run.state) == want


# --- numbers beyond range at run time -------------------------------------------------------------------

POWER = " * ".join(["x"] * 22)  # up to (10^15)^22: beyond what a float holds


def _scenario(tmp_path, meter, rule):
    doc = merge(BASE, {"meters": {"x": meter},
                       "rules": [{"id": "grow", "text": "x grows", "effects": [rule]}],
                       "scenes": {"start": {"quarters": 1, "choices": [{"text": "Go", "goto": "start"},
                                                                       {"text": "Stop", "goto": "end"}]}},
                       "calendar": {"start": "2010-Q1", "end": "2011-Q4"}})
    p = tmp_path / "big.yaml"
    p.write_text(dump(doc), encoding="utf-8")
    return load_scenario(p)


def test_an_infinity_is_clamped_to_the_meters_range(tmp_path):
    sc = _scenario(tmp_path, {"range": [0, 1e15], "start": 1e15}, {"add": {"x": POWER}})
    run = Run(sc, 0)
    run.choose(0)
    assert run.value("x") == 1e15 and not math.isnan(run.value("x"))


def test_arithmetic_that_gives_no_number_fails_naming_the_expression(tmp_path):
    sc = _scenario(tmp_path, {"range": [0, 1e15], "start": 1e15}, {"set": {"x": f"{POWER} - {POWER}"}})
    run = Run(sc, 0)
    with pytest.raises(ExprRuntimeError, match=r"the expression 'x \* x .* gave no number \(NaN\)"):
        run.choose(0)
    assert not math.isnan(run.value("x"))


def test_integer_overflow_in_a_division_fails_naming_the_expression(tmp_path):
    sc = _scenario(tmp_path, {"type": "int", "range": [0, 10 ** 15], "start": 10 ** 15},
                   {"set": {"x": f"({POWER}) / 3"}})
    run = Run(sc, 0)
    with pytest.raises(ExprRuntimeError, match="too large to hold"):
        run.choose(0)
