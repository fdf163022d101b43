"""Why a run got its ending: the condition that chose it, in plain words, with the values that decided it.

`explain(scenario, run)` is pure: it reads the run's state (or a saved state) and returns a frozen,
JSON-able `Explanation` (`.to_dict()`). Endings are judged in priority order and the first whose
condition holds is chosen (the fallback when none does), so the explanation gives the chosen ending's
condition, each of its parts with the values it read, and, for every ending judged before it, the parts
that did not hold. Numbers are shown by the one rule (`views.shown`); the front ends print `lines()`,
and the debrief reads the parts (`Clause.left`, `op`, `right` for comparisons) to say how far a run was
from another ending.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .expr import Compiler, parse
from .marks import N_, same
from .views import shown

# Every word here is marked for translation (engine/marks.py): `explain(..., tr=gettext)` words the
# explanation in the front end's language, with templates whose placeholders are named; English by default.
_OPS = {">=": N_("at least"), ">": N_("above"), "<=": N_("at most"), "<": N_("below"), "==": N_("equal to"),
        "!=": N_("other than")}
_TRIANGLE = {"public_value": N_("public value"), "legitimacy": N_("legitimacy"), "capacity": N_("capacity")}
_AGG = {"mean": N_("average"), "sum": N_("total"), "min": N_("lowest"), "max": N_("highest")}
_BIN = {"+": N_("{left} plus {right}"), "-": N_("{left} minus {right}"), "*": N_("{left} times {right}"),
        "/": N_("{left} divided by {right}"), "%": N_("{left} modulo {right}")}
_ATTRIBUTES = (N_("trust"), N_("commitment"), N_("support"))  # a stakeholder's values, as conditions name them
_NAMES = {"turn": N_("quarters played"), "listened": N_("stories heard"), "balcony_visits": N_("visits to the balcony")}


@dataclass(frozen=True)
class Clause:
    """One part of an ending's condition (a term of its top-level 'and')."""
    src: str            # as written in the scenario
    words: str          # the condition in plain words, with the values it read: "public value (35) at least 32"
    holds: bool
    values: tuple       # ((what, shown value), ...) every value it read, in words: (("public value", 35),)
    op: str | None = None       # for a comparison of two numbers: the operator,
    left: float | None = None   # the value on its left (exact),
    right: float | None = None  # and on its right (exact)


@dataclass(frozen=True)
class EndingCheck:
    """How one ending's condition stood at the end of the run."""
    id: str
    title: str
    quality: str
    priority: float
    fallback: bool
    holds: bool
    condition: str      # the whole condition as written ("" for the fallback)
    clauses: tuple      # Clause, in the order written

    @property
    def failed(self) -> tuple:
        return tuple(c for c in self.clauses if not c.holds)


@dataclass(frozen=True)
class Explanation:
    ending: str          # the chosen ending's id
    title: str
    chosen: EndingCheck
    passed_over: tuple   # EndingCheck for each ending judged before the chosen one, in order
    summary: str         # one paragraph in plain words

    def to_dict(self) -> dict:
        return asdict(self)

    def lines(self, tr=same) -> list[str]:
        """What a front end prints under 'Why this ending' (in the language `tr` translates into, which
        should be the one the explanation was made with)."""
        out = [self.summary]
        for e in self.passed_over:
            out.append(tr(N_("\u201c{ending}\u201d comes first, but needs {conditions}.")).format(
                ending=e.title, conditions="; ".join(c.words for c in e.failed)))
        return out


def explain(scenario, run_or_state, tr=same) -> Explanation:
    """Explain the ending of a run (a Run, or a RunState) that has ended, or the one it would get now; `tr`
    translates its words (a front end's gettext; English by default)."""
    state = getattr(run_or_state, "state", run_or_state)
    sources = _sources(scenario)
    checks = []
    chosen = None
    for e in scenario.endings:
        src = sources.get(e.id, "")
        if e.fallback:
            check = EndingCheck(e.id, e.title, e.quality, e.priority, True, True, "", ())
        else:
            clauses = tuple(_clause(scenario, node, state, tr) for node in _terms(src)) if src else ()
            holds = bool(e.cond(state)) if e.cond is not None else False
            check = EndingCheck(e.id, e.title, e.quality, e.priority, False, holds, src, clauses)
        checks.append(check)
        if check.holds and (state.ending is None or e.id == state.ending):
            chosen = check
            break
    if chosen is None:  # a save whose ending no longer judges as it did: say what it was
        e = next(x for x in scenario.endings if x.id == state.ending)
        chosen = EndingCheck(e.id, e.title, e.quality, e.priority, e.fallback, False, sources.get(e.id, ""), ())
        checks.append(chosen)
    passed = tuple(c for c in checks if c is not chosen)
    if chosen.fallback:
        summary = tr(N_("\u201c{ending}\u201d ends every run that meets none of the other endings' conditions, and "
                        "this run met none of them.")).format(ending=chosen.title)
    elif chosen.clauses:
        summary = (tr(N_("\u201c{ending}\u201d ends a run with {conditions}. This run has that."))
                   if len(chosen.clauses) == 1 else
                   tr(N_("\u201c{ending}\u201d ends a run with {conditions}. This run has all of them."))).format(
            ending=chosen.title, conditions="; ".join(c.words for c in chosen.clauses))
    else:
        summary = tr(N_("\u201c{ending}\u201d: its condition held.")).format(ending=chosen.title)
    return Explanation(chosen.id, chosen.title, chosen, passed, summary)


# --- the condition's source and its parts ---------------------------------------------------------------

def _sources(scenario) -> dict:
    """Ending id -> its condition as written."""
    return {e.id: e.cond_src for e in scenario.endings if e.cond_src}


def _terms(src):
    node = parse(src)
    return node[1] if node[0] == "and" else [node]


def _clause(scenario, node, state, tr=same) -> Clause:
    env = scenario.env
    holds = bool(_eval(env, node, state))
    values: list = []
    words = _words(scenario, node, state, values, True, tr=tr)
    op = left = right = None
    if node[0] == "cmp" and len(node[1]) == 1:
        a, b = node[2]
        lv, rv = _eval(env, a, state), _eval(env, b, state)
        if isinstance(lv, (int, float)) and isinstance(rv, (int, float)) and not isinstance(lv, bool):
            op, left, right = node[1][0], float(lv), float(rv)
    return Clause(_src(node), words, holds, tuple(values), op, left, right)


def _eval(env, node, state):
    return Compiler(env).compile(node).fn(state)


def _shown_value(v, tr=same):
    if isinstance(v, bool):
        return tr(N_("yes")) if v else tr(N_("no"))
    if isinstance(v, (int, float)):
        return shown(v)
    return str(v)


def _name_words(scenario, dotted: str, tr=same) -> str:
    head, _sep, rest = dotted.partition(".")
    if not rest:
        if head in scenario.meters:
            return scenario.meters[head].label
        if head in scenario.flags:
            return f"\u201c{scenario.flags[head].label}\u201d"
        if head in scenario.computed:
            return _computed_words(scenario, head, tr=tr)
        if head in _TRIANGLE:
            return tr(_TRIANGLE[head])
        return tr(_NAMES[head]) if head in _NAMES else head.replace("_", " ")
    if head in scenario.stakeholders:
        return tr(N_("{name}'s {what}")).format(name=scenario.stakeholders[head].name,
                                                what=tr(rest.replace("_", " ")))
    if head == "tags":
        return tr(N_("decisions marked \u2018{tag}\u2019")).format(tag=rest.replace("_", " "))
    if head == "heard":
        return tr(N_("you heard the story \u2018{story}\u2019")).format(story=rest)
    if head == "visits":
        return tr(N_("times in the scene \u2018{scene}\u2019")).format(scene=rest)
    if head == "met":
        return tr(N_("one-to-ones with {name}")).format(
            name=scenario.stakeholders[rest].name if rest in scenario.stakeholders else rest)
    if head == "triangle":
        return tr(_TRIANGLE[rest]) if rest in _TRIANGLE else rest
    if head in scenario.groups:
        return tr(N_("{group}' {what}")).format(group=head.replace("_", " "), what=tr(rest.replace("_", " ")))
    return dotted


def _words(scenario, node, state, values, top=False, near=None, tr=same) -> str:
    """A condition or value in plain words; every value read is noted in `values` and shown inline."""
    kind = node[0]
    env = scenario.env
    if kind == "num":
        return f"{node[1]:g}"
    if kind == "bool":
        return tr(N_("yes")) if node[1] else tr(N_("no"))
    if kind == "str":
        return f"\u2018{node[1]}\u2019"
    if kind in ("name", "call", "bin", "neg"):
        text = _value_words(scenario, node, tr)
        v = _eval(env, node, state)
        values.append((text, _shown_value(v, tr)))
        if isinstance(v, bool):
            return (tr(N_("{what} (so)")) if v else tr(N_("{what} (not so)"))).format(what=text)
        if not isinstance(v, (int, float)):
            return f"{text} ({v})"
        return f"{text} ({_near(v, near, tr)})"
    if kind == "not":
        inner = node[1]
        if inner[0] == "name":
            v = bool(_eval(env, inner, state))
            text = _value_words(scenario, inner, tr)
            values.append((text, tr(N_("yes")) if v else tr(N_("no"))))
            return (tr(N_("not {what} (it is so)")) if v else tr(N_("not {what} (it is not so)"))).format(what=text)
        return tr(N_("not ({condition})")).format(condition=_words(scenario, inner, state, values, tr=tr))
    if kind == "cmp":
        ops, operands = node[1], node[2]
        nums = [_eval(env, x, state) for x in operands]
        out = _words(scenario, operands[0], state, values, near=nums[1], tr=tr)
        for i, (op, x) in enumerate(zip(ops, operands[1:]), 1):
            out = tr(N_("{left} {comparison} {right}")).format(
                left=out, comparison=tr(_OPS[op]), right=_words(scenario, x, state, values, near=nums[i - 1], tr=tr))
        return out
    if kind == "and":
        return _join([_words(scenario, x, state, values, tr=tr) for x in node[1]], tr)
    if kind == "or":
        alternatives = [_words(scenario, x, state, values, tr=tr) for x in node[1]]
        out = alternatives[0]
        for alt in alternatives[1:]:
            out = tr(N_("{first} or {second}")).format(first=out, second=alt)
        return tr(N_("either {alternatives}")).format(alternatives=out)
    if kind == "ifelse":
        return _src(node)
    return _src(node)


def _near(v, other, tr=same) -> str:
    """A value as shown; where it is shown as the number it is compared with, but is not that number,
    'just under 57' or 'just over 57', so that a comparison never seems to contradict its verdict."""
    n = shown(v)
    if isinstance(other, (int, float)) and not isinstance(other, bool) and v != other and n == shown(other):
        return (tr(N_("just under {n}")) if v < other else tr(N_("just over {n}"))).format(n=f"{n:,}")
    return f"{n:,}"


def _computed_words(scenario, name: str, depth: int = 0, tr=same) -> str:
    """A computed value in words: what it is computed from, where that is short ('the average support of
    partners minus the average commitment of partners'), else its name."""
    raw = getattr(scenario.env, "computed_raw", {}).get(name)
    if raw is not None and depth < 3 and isinstance(raw[0], str):
        try:
            words = _value_words(scenario, parse(raw[0]), tr)
        except Exception:  # noqa: BLE001 (it compiled when the scenario loaded; words are only a help)
            words = ""
        if words and len(words) <= 90 and "_" not in words and "(" not in words:
            return words
    return name.replace("_", " ")


def _value_words(scenario, node, tr=same) -> str:
    kind = node[0]
    if kind == "name":
        return _name_words(scenario, node[1], tr)
    if kind == "num":
        return f"{node[1]:g}"
    if kind == "call":
        fname, args = node[1], node[2]
        if (fname in _AGG or fname == "count") and len(args) == 1 and args[0][0] == "name" and "." in args[0][1]:
            group, _sep, what = args[0][1].partition(".")
            group = tr(N_("everyone")) if group == "all" else group.replace("_", " ")
            if fname == "count":
                return tr(N_("the number of {group} with {what}")).format(group=group, what=tr(what.replace("_", " ")))
            return tr(N_("the {aggregate} {what} of {group}")).format(
                aggregate=tr(_AGG[fname]), what=tr(what.replace("_", " ")), group=group)
        return _src(node)
    if kind == "neg":
        return tr(N_("minus {value}")).format(value=_value_words(scenario, node[1], tr))
    if kind == "bin":
        return tr(_BIN[node[1]]).format(left=_value_words(scenario, node[2], tr),
                                        right=_value_words(scenario, node[3], tr))
    return _src(node)


def _src(node) -> str:
    """The expression written back from its tree."""
    kind = node[0]
    if kind == "num":
        return f"{node[1]:g}"
    if kind == "str":
        return repr(node[1])
    if kind == "bool":
        return "true" if node[1] else "false"
    if kind == "name":
        return node[1]
    if kind == "call":
        return f"{node[1]}(" + ", ".join(_src(a) for a in node[2]) + ")"
    if kind == "neg":
        return "-" + _src(node[1])
    if kind == "not":
        return "not " + _src(node[1])
    if kind == "bin":
        return f"({_src(node[2])} {node[1]} {_src(node[3])})"
    if kind == "cmp":
        out = _src(node[2][0])
        for op, x in zip(node[1], node[2][1:]):
            out += f" {op} {_src(x)}"
        return out
    if kind in ("and", "or"):
        return "(" + f" {kind} ".join(_src(x) for x in node[1]) + ")"
    if kind == "ifelse":
        return f"({_src(node[2])} if {_src(node[1])} else {_src(node[3])})"
    return "?"


def _join(parts, tr=same) -> str:
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return tr(N_("{first} and {last}")).format(first=", ".join(parts[:-1]), last=parts[-1])


def check(scenario, ending, run_or_state, tr=same) -> EndingCheck:
    """How one ending's condition stands on a run's state, part by part, whether or not it was judged (the
    debrief reads it for endings better than the one reached, however low their priority)."""
    state = getattr(run_or_state, "state", run_or_state)
    if ending.fallback:
        return EndingCheck(ending.id, ending.title, ending.quality, ending.priority, True, True, "", ())
    src = _sources(scenario).get(ending.id, "")
    clauses = tuple(_clause(scenario, node, state, tr) for node in _terms(src)) if src else ()
    holds = bool(ending.cond(state)) if ending.cond is not None else False
    return EndingCheck(ending.id, ending.title, ending.quality, ending.priority, False, holds, src, clauses)
