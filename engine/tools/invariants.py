"""Teaching invariants: assertions about personas that `balcony check` proves with simulations.

Three kinds (see docs/authoring.md, "Teaching invariants"):

- a comparison: `left`, `op`, `right`, each side `{persona, runs, measure, at, stat}` or a number;
- `ending_rate: {ending | quality, persona?, min?, max?}`: how often personas reach an ending;
- `distinct_paths: {ending | quality, min: 2, differ: 0.3}`: several different ways reach it.

Each runs every persona it names `runs` times (seeds 0 .. runs-1, as `balcony simulate`). A failing
invariant comes with the numbers and, where one run can show it, a counterexample transcript that
`balcony replay` plays back, with a `claim` saying what that run measured.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..errors import ExprError
from ..replay import apply_action
from ..runtime import OUTCOME, Run
from . import personas as P
from .measure import BOOL, ToolEnv, as_number, at_label, compile_measure, parse_at
from .simulate import QUALITY_SCORE, SimResult, in_workers, reload_in_worker, replay_run, simulate
from .source import key_position, position, raw_docs

OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
       "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
STATS = ("mean", "median", "rate", "min", "max")
SIDE_KEYS = ("persona", "runs", "measure", "at", "since", "stat")
KINDS = ("left", "ending_rate", "distinct_paths")
MIN_SAMPLE = 5


@dataclass
class Side:
    persona: str
    runs_src: str | None
    measure_src: str
    at: int | None
    stat: str
    measure: object = None   # compiled fn
    filter: object = None    # compiled fn or None
    mtype: str = "number"
    constant: float | None = None
    since: int | None = None  # with `since`, each run's value is its change from this turn to `at`

    def what(self) -> str:
        """What is measured in each run: `outcomes at year 3`, or `the change in outcomes from year 1 to end`."""
        if self.since is not None:
            return f"the change in {self.measure_src} from {at_label(self.since)} to {at_label(self.at)}"
        return f"{self.measure_src} at {at_label(self.at)}"

    def describe(self) -> str:
        if self.constant is not None:
            return f"{self.constant:g}"
        who = self.persona + (f" runs where {self.runs_src}" if self.runs_src else "")
        return f"{self.stat} of {self.what()} for {who}"


@dataclass
class Invariant:
    id: str
    kind: str
    finding: int | None
    says: str
    file: str
    line: int
    column: int
    left: Side | None = None
    op: str | None = None
    right: Side | None = None
    spec: dict = field(default_factory=dict)  # ending_rate / distinct_paths


@dataclass
class Outcome:
    invariant: Invariant
    ok: bool
    message: str
    numbers: dict
    counterexample: dict | None = None   # a transcript with a "claim"

    def to_dict(self) -> dict:
        inv = self.invariant
        return {"id": inv.id, "kind": inv.kind, "finding": inv.finding, "says": inv.says, "ok": self.ok,
                "message": self.message, "numbers": self.numbers, "file": inv.file, "line": inv.line,
                "column": inv.column, "counterexample": self.counterexample}


# --- reading ------------------------------------------------------------------

def parse_invariants(scenario) -> tuple[list, list]:
    """(invariants, diagnostics). Diagnostics are BAL053 errors with the file, line and column."""
    diags: list = []
    out: list = []
    docs = raw_docs(scenario)
    root_name, root = docs[0] if docs else ("", {})
    raw = root.get("invariants")
    if raw is None:
        return out, diags
    personas = P.all_personas(scenario)
    env = ToolEnv(scenario)
    ending_ids = {e.id for e in scenario.endings}

    def err(container, key, message, at_key=False):
        line, col = key_position(container, key) if at_key else position(container, key)
        diags.append(Diagnostic(root_name, line, col, "BAL053", "error", message))

    if not isinstance(raw, list):
        err(root, "invariants", "'invariants' must be a list of invariants")
        return out, diags
    for scen_name, p in (scenario.personas or {}).items():
        if scen_name in P.BUILTIN:
            pers = root.get("personas")
            err(pers, scen_name, f"'{scen_name}' is a built-in persona: give yours another name", at_key=True)
    seen_ids = set()
    for i, item in enumerate(raw):
        where = f"invariant {i + 1}"
        if not isinstance(item, dict):
            err(raw, i, f"{where} must be a mapping with an 'id'")
            continue
        iid = item.get("id")
        if not isinstance(iid, str) or not iid:
            err(item, None, f"{where} needs an 'id'")
            iid = f"invariant_{i + 1}"
        elif iid in seen_ids:
            err(item, "id", f"the invariant '{iid}' is defined twice: rename one")
        seen_ids.add(iid)
        where = f"the invariant '{iid}'"
        kinds = [k for k in KINDS if k in item]
        known = {"id", "finding", "says", "left", "op", "right", "ending_rate", "distinct_paths"}
        for k in item:
            if k not in known:
                err(item, k, f"unknown key '{k}' in {where}: it takes {', '.join(sorted(known))}", at_key=True)
        if len(kinds) != 1:
            err(item, None, f"{where} needs exactly one of: left/op/right (a comparison), ending_rate, distinct_paths")
            continue
        finding = item.get("finding")
        if finding is not None and not (isinstance(finding, int) and not isinstance(finding, bool) and 1 <= finding <= 10):
            err(item, "finding", f"{where}: 'finding' is the research finding it checks, a whole number from 1 to 10")
            finding = None
        line, col = position(raw, i)
        inv = Invariant(iid, kinds[0], finding, str(item.get("says", "")), root_name, line, col)
        if inv.kind == "left":
            inv.kind = "compare"
            op = item.get("op")
            if op not in OPS:
                err(item, "op" if "op" in item else None, f"{where}: 'op' must be one of {', '.join(OPS)}")
                continue
            inv.op = op
            if "right" not in item:
                err(item, None, f"{where} compares 'left' with 'right': add 'right'")
                continue
            inv.left = _side(item, "left", where, env, personas, err)
            inv.right = _side(item, "right", where, env, personas, err)
            if inv.left is None or inv.right is None:
                continue
            if inv.left.constant is not None and inv.right.constant is not None:
                err(item, "left", f"{where} compares two numbers: one side must measure runs")
                continue
        else:
            spec = item[inv.kind]
            if not isinstance(spec, dict):
                err(item, inv.kind, f"{where}: '{inv.kind}' must be a mapping")
                continue
            allowed = {"ending", "quality", "persona", "min", "max"} if inv.kind == "ending_rate" else \
                      {"ending", "quality", "min", "differ"}
            for k in spec:
                if k not in allowed:
                    err(spec, k, f"unknown key '{k}' in {inv.kind}: it takes {', '.join(sorted(allowed))}", at_key=True)
            if ("ending" in spec) == ("quality" in spec):
                err(item, inv.kind, f"{where}: give either 'ending' (an ending's id) or 'quality' (best, good, mixed or poor)")
                continue
            if "ending" in spec and spec["ending"] not in ending_ids:
                err(spec, "ending", f"{where}: '{spec['ending']}' is not an ending: the endings are {', '.join(sorted(ending_ids))}")
                continue
            if "quality" in spec and spec["quality"] not in QUALITY_SCORE:
                err(spec, "quality", f"{where}: quality must be best, good, mixed or poor")
                continue
            if inv.kind == "ending_rate":
                if "persona" in spec and spec["persona"] not in personas:
                    err(spec, "persona", f"{where}: there is no persona '{spec['persona']}': "
                                         f"the personas are {', '.join(personas)}")
                    continue
                if "min" not in spec and "max" not in spec:
                    err(item, inv.kind, f"{where}: give 'min', 'max' or both (shares of runs, from 0 to 1)")
                    continue
                bad = [k for k in ("min", "max") if k in spec and not _share(spec[k])]
                if bad:
                    err(spec, bad[0], f"{where}: '{bad[0]}' is a share of runs, a number from 0 to 1")
                    continue
            else:
                n = spec.get("min", 2)
                differ = spec.get("differ", 0.3)
                if not (isinstance(n, int) and not isinstance(n, bool) and n >= 2):
                    err(spec, "min", f"{where}: 'min' is how many different paths, a whole number of at least 2")
                    continue
                if not _share(differ):
                    err(spec, "differ", f"{where}: 'differ' is the share of decisions that must differ, from 0 to 1")
                    continue
            inv.spec = dict(spec)
        out.append(inv)
    return out, diags


def _share(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1


def _side(item, key, where, env, personas, err):
    raw = item.get(key)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Side("", None, str(raw), None, "mean", constant=float(raw))
    if not isinstance(raw, dict):
        err(item, key, f"{where}: '{key}' must be a number or a mapping with 'measure'")
        return None
    ok = True
    for k in raw:
        if k not in SIDE_KEYS:
            err(raw, k, f"unknown key '{k}' in '{key}': it takes {', '.join(SIDE_KEYS)}", at_key=True)
            ok = False
    persona = raw.get("persona", "random")
    if persona not in personas:
        err(raw, "persona", f"{where}: there is no persona '{persona}': the personas are {', '.join(personas)}")
        ok = False
    if "measure" not in raw:
        err(raw, None, f"{where}: '{key}' needs a 'measure' (an expression, such as \"outcomes\")")
        return None
    try:
        at = parse_at(raw.get("at", "end"))
    except ValueError as e:
        err(raw, "at", f"{where}: {e}")
        ok = False
        at = None
    stat = raw.get("stat", "mean")
    if stat not in STATS:
        err(raw, "stat", f"{where}: 'stat' must be one of {', '.join(STATS)}")
        ok = False
    since = None
    if "since" in raw:
        try:
            since = parse_at(raw["since"])
        except ValueError as e:
            err(raw, "since", f"{where}: {str(e).replace(chr(39) + 'at' + chr(39), chr(39) + 'since' + chr(39))}")
            ok = False
        else:
            if since is None:
                err(raw, "since", f"{where}: 'since' is the moment a change is measured from, 'year N' or "
                                  f"'turn N': it cannot be the end")
                ok = False
            elif at is not None and since >= at:
                err(raw, "since", f"{where}: 'since' ({at_label(since)}) must come before 'at' ({at_label(at)})")
                ok = False
    side = Side(persona, None, str(raw["measure"]), at, stat, since=since)
    try:
        side.measure, side.mtype = compile_measure(None, raw["measure"], env=env)
        if side.mtype == "text":
            err(raw, "measure", f"{where}: a measure must be a number or true/false, not text")
            ok = False
        elif since is not None and side.mtype == BOOL:
            err(raw, "measure", f"{where}: with 'since' the measure must be a number (its change is measured)")
            ok = False
    except ExprError as e:
        err(raw, "measure", f"{where}: the measure: {e}")
        ok = False
    if "runs" in raw:
        side.runs_src = str(raw["runs"])
        try:
            side.filter, _ = compile_measure(None, raw["runs"], BOOL, env=env)
        except ExprError as e:
            err(raw, "runs", f"{where}: 'runs' picks runs with a condition: {e}")
            ok = False
    return side if ok else None


# --- proving ------------------------------------------------------------------

class _Plan:
    """Which values each persona's runs must record: one slot per (measure, at) and per filter."""

    def __init__(self):
        self.slots: dict = {}   # persona -> {(kind, src, at): index}
        self.fns: dict = {}     # persona -> [(fn, at)]

    def slot(self, persona, kind, src, at, fn):
        slots = self.slots.setdefault(persona, {})
        key = (kind, src, at)
        if key not in slots:
            slots[key] = len(slots)
            self.fns.setdefault(persona, []).append((fn, at))
        return slots[key]


def personas_needed(scenario, invariants) -> list:
    """The personas whose runs the invariants read, in the order they are simulated."""
    return list(_plan(scenario, invariants).slots)


def _plan(scenario, invariants) -> _Plan:
    plan = _Plan()
    everyone = list(P.all_personas(scenario))
    for inv in invariants:
        if inv.kind == "compare":
            for side in (inv.left, inv.right):
                if side.constant is None:
                    plan.slot(side.persona, "m", side.measure_src, side.at, side.measure)
                    if side.since is not None:
                        plan.slot(side.persona, "m", side.measure_src, side.since, side.measure)
                    if side.filter is not None:
                        plan.slot(side.persona, "f", side.runs_src, None, side.filter)
        else:
            for name in ([inv.spec["persona"]] if inv.spec.get("persona") else everyone):
                plan.slots.setdefault(name, {})
                plan.fns.setdefault(name, [])
    return plan


def check_invariants(scenario, invariants, *, runs: int = 200, seed: int = 0, progress=None, jobs: int = 1) -> list:
    """Prove each invariant with persona simulations; returns a list of Outcome.

    With `jobs` above 1, the personas' simulations run in that many worker processes at once (each loads the
    scenario from its file again); the outcomes are the same as with one, run for run. Worker processes are
    started afresh ("spawn"), so a program that asks for them must be importable: a script file, a module or
    the `balcony` command, not a script piped to Python's standard input.
    """
    plan = _plan(scenario, invariants)
    names = list(plan.slots)
    if jobs > 1 and len(names) > 1 and scenario.path:
        sims = _simulate_in_workers(scenario, plan, names, runs, seed, jobs, progress)
    else:
        sims = {}
        for k, name in enumerate(names):
            sims[name] = _simulate_persona(scenario, name, plan.fns.get(name, []), runs, seed,
                                           None if progress is None else
                                           (lambda d, t, k=k: progress(k * runs + d, len(names) * runs)))
    return [_prove(scenario, inv, sims, plan) for inv in invariants]


def _simulate_persona(scenario, name, fns, runs, seed, progress=None):
    """One persona's runs, keeping each run's record and the values the invariants need (`fns`: [(fn, at)])."""
    turns = tuple(sorted({at for _, at in fns if at is not None}))

    def sample(s):
        return tuple(f(s) for f, _ in fns)
    return simulate(scenario, runs, name, seed, keep_runs=True, sample=sample, turns=turns, progress=progress)


def _simulate_in_workers(scenario, plan, names, runs, seed, jobs, progress):
    """The personas' simulations in worker processes, one persona each."""
    got = in_workers(_persona_worker, [(scenario.path, scenario.content_hash, name, list(plan.slots[name]), runs,
                                        seed) for name in names], [runs] * len(names), jobs, progress)
    sims = {}
    for name, (endings, records, errors) in zip(names, got):
        res = SimResult(scenario, P.get_persona(scenario, name), runs, seed)
        res.endings.update(endings)
        res.records, res.errors = records, errors
        sims[name] = res
    return sims


def _persona_worker(path, content_hash, name, slots, runs, seed):
    """In a worker process: load the scenario, compile the values to record (`slots`: [(kind, source, at)],
    in the plan's order) and simulate one persona. Returns what the proofs read: endings, records, errors."""
    scenario = reload_in_worker(path, content_hash, "checked")
    env = ToolEnv(scenario)
    fns = [(compile_measure(None, src, BOOL if kind == "f" else None, env=env)[0], at) for kind, src, at in slots]
    res = _simulate_persona(scenario, name, fns, runs, seed)
    return dict(res.endings), res.records, res.errors


def _values(side, sim, plan):
    """[(value, record)] for one side: the side's runs (filtered), valued at its `at` (less the value at its
    `since`, when it has one)."""
    j = plan.slots[side.persona][("m", side.measure_src, side.at)]
    j0 = None if side.since is None else plan.slots[side.persona][("m", side.measure_src, side.since)]
    out = []
    for r in sim.records:
        if side.filter is not None:
            jf = plan.slots[side.persona][("f", side.runs_src, None)]
            if not r.final[jf]:
                continue
        row = r.final if side.at is None else r.samples.get(side.at, r.final)
        if j0 is None:
            out.append((row[j], r))
        else:
            out.append((as_number(row[j]) - as_number(r.samples.get(side.since, r.final)[j0]), r))
    return out


def _stat(stat, values):
    xs = [as_number(v) for v in values]
    if stat == "mean":
        return statistics.fmean(xs)
    if stat == "median":
        return statistics.median(xs)
    if stat == "rate":
        return sum(1 for x in xs if x) / len(xs)
    return min(xs) if stat == "min" else max(xs)


def _prove(scenario, inv, sims, plan) -> Outcome:
    if inv.kind == "compare":
        return _prove_compare(scenario, inv, sims, plan)
    if inv.kind == "ending_rate":
        return _prove_rate(scenario, inv, sims)
    return _prove_paths(scenario, inv, sims)


def _prove_compare(scenario, inv, sims, plan) -> Outcome:
    sides = {}
    for name, side in (("left", inv.left), ("right", inv.right)):
        if side.constant is not None:
            sides[name] = (side.constant, None, [])
            continue
        vals = _values(side, sims[side.persona], plan)
        if len(vals) < MIN_SAMPLE:
            msg = (f"inconclusive: only {len(vals)} of {sims[side.persona].runs} {side.persona} runs match "
                   f"'{side.runs_src}' (at least {MIN_SAMPLE} are needed): loosen the condition or run more")
            return Outcome(inv, False, msg, {"runs_matched": len(vals), name: side.describe()})
        sides[name] = (_stat(side.stat, [v for v, _ in vals]), side, vals)
    lv, rv = sides["left"][0], sides["right"][0]
    ok = OPS[inv.op](lv, rv)
    numbers = {"left": round(lv, 4), "right": round(rv, 4), "op": inv.op,
               "left_runs": len(sides["left"][2]), "right_runs": len(sides["right"][2]),
               "left_is": inv.left.describe(), "right_is": inv.right.describe()}
    msg = f"{inv.left.describe()} = {lv:.2f} {inv.op if ok else _negate(inv.op)} {inv.right.describe()} = {rv:.2f}"
    if ok:
        return Outcome(inv, True, msg, numbers)
    # a counterexample: the run on one side that goes most against the claim, measured against the other
    if sides["left"][1] is not None:
        side, vals, other = inv.left, sides["left"][2], rv
        worst = min if inv.op in (">", ">=") else max
    else:
        side, vals, other = inv.right, sides["right"][2], lv
        worst = max if inv.op in (">", ">=") else min
    if inv.op in ("==", "!="):  # == failed: the run farthest from the other side; != failed: the closest
        pick = max if inv.op == "==" else min
        value, rec = pick(vals, key=lambda vr: abs(as_number(vr[0]) - other))
    else:
        value, rec = worst(vals, key=lambda vr: as_number(vr[0]))
    side_name = "left" if side is inv.left else "right"
    claim = {"invariant": inv.id, "persona": side.persona, "seed": rec.seed, "measure": side.measure_src,
             "at": at_label(side.at), **({"since": at_label(side.since)} if side.since is not None else {}),
             "value": as_number(value), "side": side_name, "op": inv.op, "against": round(other, 6),
             "says": (f"in this {side.persona} run (seed {rec.seed}), {side.what()} "
                      f"was {as_number(value):.2f}; the invariant needs the {side_name} side {inv.op} "
                      f"the other side's {round(other, 2)}")}
    return Outcome(inv, False, msg, numbers, _transcript(scenario, side.persona, rec.seed, claim))


def _negate(op):
    return {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}[op]


def _matches(scenario, spec):
    if "ending" in spec:
        return {spec["ending"]}
    need = QUALITY_SCORE[spec["quality"]]
    return {e.id for e in scenario.endings if QUALITY_SCORE.get(e.quality, 1) >= need}


def _target_name(spec):
    return f"the ending '{spec['ending']}'" if "ending" in spec else (
        f"a {spec['quality']} ending" + (" or better" if spec["quality"] != "best" else ""))


def _prove_rate(scenario, inv, sims) -> Outcome:
    spec = inv.spec
    targets = _matches(scenario, spec)
    names = [spec["persona"]] if spec.get("persona") else list(P.all_personas(scenario))
    rates, worst = {}, None
    for name in names:
        sim = sims[name]
        hits = sum(n for e, n in sim.endings.items() if e in targets)
        rate = hits / sim.runs if sim.runs else 0.0
        rates[name] = round(rate, 4)
        if "max" in spec and rate > spec["max"] and (worst is None or rate - spec["max"] > worst[0]):
            worst = (rate - spec["max"], name, True)
        if "min" in spec and rate < spec["min"] and (worst is None or spec["min"] - rate > worst[0]):
            worst = (spec["min"] - rate, name, False)
    bounds = " and ".join(f"{'at least' if k == 'min' else 'at most'} {spec[k]:.0%}" for k in ("min", "max") if k in spec)
    numbers = {"rates": rates, **{k: spec[k] for k in ("min", "max") if k in spec}}
    if worst is None:
        return Outcome(inv, True, f"{_target_name(spec)} is reached in {bounds} of runs by "
                                  f"{', '.join(f'{n} ({r:.0%})' for n, r in rates.items())}", numbers)
    _, name, too_often = worst
    msg = (f"{name} reaches {_target_name(spec)} in {rates[name]:.0%} of its runs; the invariant allows {bounds}")
    # a counterexample: a run that reached it (too often) or one that did not (too rarely)
    rec = next((r for r in sims[name].records if (r.ending in targets) == too_often), None)
    if rec is None:
        return Outcome(inv, False, msg, numbers)
    claim = {"invariant": inv.id, "persona": name, "seed": rec.seed, "ending": rec.ending, "rate": rates[name],
             "says": (f"this {name} run (seed {rec.seed}) ends in '{rec.ending}', one of the "
                      f"{'many' if too_often else 'too few'} runs that {'reach' if too_often else 'miss'} "
                      f"{_target_name(spec)} ({rates[name]:.0%})")}
    return Outcome(inv, False, msg, numbers, _transcript(scenario, name, rec.seed, claim))


def path_difference(a, b) -> float:
    """The share of decisions in the longer path that the other path does not share."""
    ca, cb = {}, {}
    for x in a:
        ca[x] = ca.get(x, 0) + 1
    for x in b:
        cb[x] = cb.get(x, 0) + 1
    common = sum(min(n, cb.get(x, 0)) for x, n in ca.items())
    longest = max(len(a), len(b)) or 1
    return 1 - common / longest


def _prove_paths(scenario, inv, sims) -> Outcome:
    spec = inv.spec
    targets = _matches(scenario, spec)
    need, differ = spec.get("min", 2), spec.get("differ", 0.3)
    paths = {}
    for name, sim in sims.items():
        for r in sim.records:
            if r.ending in targets and r.path not in paths:
                paths[r.path] = (name, r.seed)
    found = []  # greedily: paths that differ from every path already kept
    for path, who in paths.items():
        if all(path_difference(path, p) >= differ for p, _ in found):
            found.append((path, who))
            if len(found) >= need:
                break
    numbers = {"paths_reaching": len(paths), "distinct": len(found), "min": need, "differ": differ,
               "examples": [{"persona": w[0], "seed": w[1], "decisions": len(p)} for p, w in found]}
    if len(found) >= need:
        return Outcome(inv, True, f"{len(found)} paths that differ in at least {differ:.0%} of their decisions "
                                  f"reach {_target_name(spec)}", numbers)
    return Outcome(inv, False, f"only {len(found)} path(s) differing in {differ:.0%} of decisions reach "
                               f"{_target_name(spec)} (of {len(paths)} different paths that reach it; "
                               f"{need} needed)", numbers)


def _transcript(scenario, persona, seed, claim) -> dict:
    run = replay_run(scenario, persona, seed)
    t = run.transcript()
    t["claim"] = claim
    return t


def measure_transcript(scenario, transcript, measure_src, at, since=None) -> float:
    """Play a transcript again and measure `measure_src` at `at` ("end", "year N" or "turn N"); with `since`
    ("year N" or "turn N"), its change from then to `at`."""
    fn, _ = compile_measure(scenario, measure_src)
    turns = {"at": parse_at(at), "since": parse_at(since) if since is not None else None}
    run = Run(scenario, transcript["seed"], record=False)
    seen = {}

    def hook(r):
        for name, turn in turns.items():
            if turn is not None and r.state.turn == turn:
                seen[name] = fn(r.state)
    run.on_quarter = hook
    for action in transcript["actions"]:
        apply_action(run, action)
    if run.status == OUTCOME:
        run.advance()
    value = as_number(seen["at"] if "at" in seen else fn(run.state))
    if since is not None:
        value -= as_number(seen["since"] if "since" in seen else fn(run.state))
    return value
