"""Steering: how far a state is from making a condition true, and a beam search that closes the gap.

`distance(condition)` turns a condition into a function of the state that is 0 exactly when the
condition holds and grows as the state moves away from it: for `a >= b` it is `b - a` when that is
positive; `and` adds its parts' distances, `or` takes the smallest, `not` aims at the opposite; a
true/false value that is wrong counts as 10. `balcony explore` uses it to aim at endings and choices
that its walk never reached.
"""
from __future__ import annotations

from ..expr import BOOL, NUM, Compiler, parse
from ..runtime import CHOOSING, ENDED, OUTCOME
from . import personas as P

WRONG_BOOL = 10.0

_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def distance(src, env, self_id=None):
    """A function state -> float, 0 when `src` holds. Raises ExprError if `src` does not compile."""
    node = parse(src)
    comp = Compiler(env, self_id)
    if comp.compile(node).type != BOOL:
        raise ValueError("not a condition")
    return _dist(node, True, comp)


def _leaf(node, want, comp):
    f = comp.compile(node).fn

    def d(s):
        return 0.0 if bool(f(s)) == want else WRONG_BOOL
    return d


def _pair(op, fa, fb):
    if op in ("<", "<="):
        eps = 0.0 if op == "<=" else 1e-6
        return lambda s: max(0.0, fa(s) - fb(s) + eps)
    if op in (">", ">="):
        eps = 0.0 if op == ">=" else 1e-6
        return lambda s: max(0.0, fb(s) - fa(s) + eps)
    if op == "==":
        return lambda s: abs(fa(s) - fb(s))
    return lambda s: 0.0 if fa(s) != fb(s) else 1.0


def _dist(node, want, comp):
    kind = node[0]
    if kind == "not":
        return _dist(node[1], not want, comp)
    if kind in ("and", "or"):
        parts = [_dist(x, want, comp) for x in node[1]]
        if (kind == "and") == want:  # all must hold
            return lambda s: sum(p(s) for p in parts)
        return lambda s: min(p(s) for p in parts)
    if kind == "cmp":
        operands = [comp.compile(o) for o in node[2]]
        if any(c.type != NUM for c in operands):
            return _leaf(node, want, comp)
        pairs = []
        for op, a, b in zip(node[1], operands, operands[1:]):
            pairs.append(_pair(op if want else _FLIP[op], a.fn, b.fn))
        if want or len(pairs) == 1:
            return lambda s: sum(p(s) for p in pairs)
        return lambda s: min(p(s) for p in pairs)  # a chain is false when any link is
    return _leaf(node, want, comp)


def beam_search(scenario, goal, *, seeds=(0,), beam: int = 10, max_decisions: int = 400, budget=None,
                on_choice=None, on_state=None, watch=None):
    """Steer runs towards `goal`, a function run -> (reached: bool, distance: float).

    At each decision every run in the beam tries every available choice, with and without spending its
    attention (listen, then a one-to-one); the `beam` children closest to the goal go on. Returns the
    first run that reaches the goal, or None. `budget()` returning False stops it early; `on_choice(run,
    scene, index)` and `on_state(run)` let the caller count what the search sees; `watch` (an
    assumptions.Watch) is put on every run it starts.
    """
    habits = (P.Persona("none", "first", {}, ()), P.Persona("attentive", "first", {}, ("listen", "one_to_one")))
    from ..runtime import Run
    frontier = []
    for seed in seeds:
        run = Run(scenario, seed, record=False)
        frontier.append(watch.attach(run) if watch is not None else run)
    for _ in range(max_decisions):
        children = []
        for run in frontier:
            for persona in habits:
                base = run.fork()
                P.perceive(base, persona, None)
                s = base.state
                avail = base.available_indices()
                for i in avail:
                    child = base.fork()
                    scene = s.scene
                    child.choose(i)
                    if on_choice is not None:
                        on_choice(child, scene, i)
                    if child.state.status == OUTCOME:
                        child.advance()
                    if on_state is not None:
                        on_state(child)
                    reached, dist = goal(child)
                    if reached:
                        return child
                    if child.state.status == CHOOSING:
                        children.append((dist, len(children), child))
            if budget is not None and not budget():
                return None
        if not children:
            return None
        children.sort(key=lambda x: (x[0], x[1]))
        # keep the closest, but not many copies of one scene
        kept, per_scene = [], {}
        for dist, _, child in children:
            sc = child.state.scene
            if per_scene.get(sc, 0) >= max(2, beam // 3):
                continue
            per_scene[sc] = per_scene.get(sc, 0) + 1
            kept.append(child)
            if len(kept) >= beam:
                break
        frontier = kept
    return None


__all__ = ["ENDED", "beam_search", "distance"]
