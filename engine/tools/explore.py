"""`balcony explore`: a systematic walk of a scenario's state space, in three stages within a budget.

The budget counts decisions played (every choice taken in any stage), not seconds, so that a scenario
gives the same report on any machine under any load; a wall-clock time limit is only a safety net.

1. **Sweep** (up to 20% of the budget): every persona plays `sweep` runs (random four times as many).
2. **Walk** (until 60% of the budget, or `max_states` decision points): from the first scene, once for
   each of `seeds` random-event seeds and each perception habit, take **every available choice at every
   decision**, and every outcome of a choice with chancy `outcomes` (named, not drawn, so that the
   transcript records it and replays exactly). Numbers in the state are continuous, so the walk would never end if it told every state
   apart; instead it treats two decision points as **the same abstract state** when they agree on:

   - the perception habit being followed, the scene and the phase;
   - every flag, and which service-user stories have been heard;
   - the truth of **every condition in the scenario** (each choice's `if`, each rule's, event's, phase
     change's, story's, conditional effect's and ending's), evaluated in that state.

   So meters are told apart exactly as finely as the scenario's own conditions tell them apart
   (predicate abstraction). At most `width` runs are kept per abstract state. Decision points that make
   some condition true or false for the first time, or reach a scene for the first time, are expanded
   first; then the least-expanded scene's, deepest first. Perception habits: none, listen, a one-to-one
   (with the scene's speaker, else whoever has been met least), and listen then a one-to-one.
3. **Aim** (the rest of the budget): for each ending never reached and each choice whose condition never
   held, a beam search steers runs towards it (steer.distance: how far a state is from making the
   condition true); for an ending, the persona that ends closest then plays more seeds.

Every run played in the three stages carries an assumptions.Watch: each text that declares what it
`assumes:` is tested wherever it is shown, and every text shown while its assumption is false is reported
with the transcripts of the runs that showed it (one per route in).

Every decision point the walk and the persona runs reach in a scene with more than four choices is counted:
a state that shows more than four at once (engine/crowding.py, BAL036) is a finding, with a transcript that
replays to it.

Random events follow each run's own seeded stream, so every path found is a real run that
`balcony replay` can play again. The report says whether the walk finished or stopped at its bound;
what is unreached after a bounded walk is "not reached within the bound".
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..crowding import MAX_SHOWN, crowd_mark, shown_now
from ..errors import BalconyError
from ..loader import load_probed
from ..runtime import CHOOSING, ENDED, OUTCOME, Run
from . import personas as P
from .assumptions import Watch
from . import steer as steering
from .simulate import persona_rng

HABITS = {
    "none": (),
    "listen": ("listen",),
    "one_to_one": ("one_to_one",),
    "listen+one_to_one": ("listen", "one_to_one"),
}
BUDGET = 90_000     # decisions played in all: about 7 s on the 2-core reference machine, the same walk on any machine
TIME_LIMIT = 600.0  # seconds: a safety net only (a whole suite at load 12 must never reach it)
MAX_DECISIONS = 400  # deeper than this, a path is reported as one that never ends


@dataclass
class Finding:
    kind: str          # dead_end, never_ends, runtime_error, crowded (more than four choices shown at once)
    scene: str
    message: str
    transcript: dict

    def to_dict(self):
        return {"kind": self.kind, "scene": self.scene, "message": self.message, "transcript": self.transcript}


@dataclass
class ExploreResult:
    scenario: object
    probes: list
    states: int = 0                    # decision points expanded
    abstract_states: int = 0
    runs_ended: int = 0
    complete: bool = True
    stopped_by: str | None = None      # "max_states", "budget" or "time_limit"
    work: int = 0                      # decisions played, in all three stages (the budget's unit)
    seconds: float = 0.0
    scenes_reached: set = field(default_factory=set)
    choices_taken: dict = field(default_factory=dict)      # (scene, index) -> times
    choices_available: set = field(default_factory=set)    # (scene, index) seen available
    endings_reached: dict = field(default_factory=dict)    # ending -> times
    findings: list = field(default_factory=list)
    aimed: list = field(default_factory=list)              # what the beam search aimed at, in order
    value_range: dict = field(default_factory=dict)        # state key -> [min, max]
    bounds: dict = field(default_factory=dict)
    watch: Watch | None = None                             # texts shown while what they assume was false

    # --- the report ------------------------------------------------------
    def unreached_scenes(self) -> list:
        return [s for s in self.scenario.scenes if s not in self.scenes_reached]

    def untaken_choices(self) -> list:
        out = []
        for sid, sc in self.scenario.scenes.items():
            for c in sc.choices:
                if (sid, c.index) not in self.choices_taken:
                    why = ("its scene is never reached" if sid not in self.scenes_reached
                           else "its condition never holds" if c.cond is not None else "never taken")
                    out.append({"scene": sid, "index": c.index, "text": _short(c.text_src), "if": c.cond_src,
                                "why": why, "file": c.file or sc.file,
                                "line": (c.pos if c.file else sc.pos)[0], "column": (c.pos if c.file else sc.pos)[1]})
        return out

    def unreached_endings(self) -> list:
        return [e.id for e in self.scenario.endings if e.id not in self.endings_reached]

    def conditions(self) -> dict:
        """Conditions grouped by where they are written: never true, never false, never checked."""
        merged: dict = {}
        for p in self.probes:
            key = (p.file, p.line, p.column)
            m = merged.setdefault(key, {"what": p.what, "source": p.source, "file": p.file, "line": p.line,
                                        "column": p.column, "false": 0, "true": 0})
            m["false"] += p.counts[0]
            m["true"] += p.counts[1]
        out = {"never_true": [], "never_false": [], "never_checked": [], "total": len(merged), "both": 0}
        for m in merged.values():
            if not m["true"] and not m["false"]:
                out["never_checked"].append(m)
            elif not m["true"]:
                out["never_true"].append(m)
            elif not m["false"]:
                out["never_false"].append(m)
            else:
                out["both"] += 1
        return out

    def unchanging(self) -> list:
        """Meters and flags whose value never changed anywhere the walk went."""
        sc = self.scenario
        out = []
        for mid, m in sc.meters.items():
            lo, hi = self.value_range.get(mid, (m.start, m.start))
            if lo == hi:
                out.append({"name": mid, "kind": "meter", "value": lo})
        for fid, f in sc.flags.items():
            lo, hi = self.value_range.get(fid, (f.start, f.start))
            if lo == hi:
                out.append({"name": fid, "kind": "flag", "value": bool(lo)})
        return out

    def unchanging_values(self) -> list:
        """Stakeholder values (trust, support, commitment, ...) that never changed."""
        sc = self.scenario
        out = []
        for key, start in sc.start_values.items():
            if "." in key:
                lo, hi = self.value_range.get(key, (start, start))
                if lo == hi:
                    out.append(key)
        return out

    def coverage(self) -> dict:
        sc = self.scenario
        n_choices = sum(len(s.choices) for s in sc.scenes.values())
        cond = self.conditions()
        return {"scenes": len(self.scenes_reached & set(sc.scenes)), "scenes_total": len(sc.scenes),
                "choices": len(self.choices_taken), "choices_total": n_choices,
                "endings": len(self.endings_reached), "endings_total": len(sc.endings),
                "conditions_both_ways": cond["both"], "conditions_total": cond["total"]}

    def broken_assumptions(self) -> list:
        """Texts shown while what they assume was false (assumptions.Broken), in file order."""
        return self.watch.found() if self.watch is not None else []

    @property
    def failed(self) -> bool:
        """A check fails on a dead end, a run that never ends, an engine error, a scene that shows more than four
        choices at once, anything never reached, or a text shown while what it assumes is false."""
        return bool(self.findings or self.unreached_scenes() or self.untaken_choices() or self.unreached_endings()
                    or self.broken_assumptions())

    def to_dict(self) -> dict:
        cond = self.conditions()
        return {
            "scenario": self.scenario.id, "ok": not self.failed, "complete": self.complete,
            "stopped_by": self.stopped_by, "states": self.states, "abstract_states": self.abstract_states,
            "runs_ended": self.runs_ended, "seconds": round(self.seconds, 3), "bounds": self.bounds,
            "coverage": self.coverage(),
            "unreached_scenes": self.unreached_scenes(), "untaken_choices": self.untaken_choices(),
            "unreached_endings": self.unreached_endings(),
            "dead_ends": [f.to_dict() for f in self.findings if f.kind == "dead_end"],
            "never_ends": [f.to_dict() for f in self.findings if f.kind == "never_ends"],
            "errors": [f.to_dict() for f in self.findings if f.kind == "runtime_error"],
            "crowded": [f.to_dict() for f in self.findings if f.kind == "crowded"],
            "assumptions_broken": [b.to_dict() for b in self.broken_assumptions()],
            "assumptions_total": len(self.scenario.assumptions),
            "conditions_never_true": cond["never_true"], "conditions_never_false": cond["never_false"],
            "conditions_never_checked": cond["never_checked"],
            "unchanging": self.unchanging(), "unchanging_stakeholder_values": self.unchanging_values(),
            "endings": dict(self.endings_reached),
        }


def _short(text, n=60):
    t = " ".join(str(text).split())
    return t if len(t) <= n else t[: n - 1] + "\u2026"


class _Walker:
    def __init__(self, scenario, probes, width, habits):
        self.sc = scenario
        self.keyfns = tuple(p.fn for p in probes)
        self.flag_ids = tuple(scenario.flags)
        self.width = width
        self.habits = habits
        self.personas = {name: P.Persona(name, "first", {}, h) for name, h in habits.items()}
        self.seen: dict = {}
        self.novel: list = []             # (habit, run) that made something new true: expanded first, deepest first
        self.queues: dict = {}            # scene -> [(habit, run)]: then the least-expanded scene's, deepest first
        self.expanded: dict = {}          # scene -> decision points expanded there
        self.scores: dict = {}            # persona name -> choice scores
        self.mask = (1 << len(self.keyfns)) - 1
        self.seen_true = 0                # conditions seen true (bits), over every state that arrived
        self.seen_false = 0
        self.watch = Watch(scenario)
        #: scenes with more than four choices, where more than four may be shown at once (BAL036)
        self.crowdable = {sid for sid, sc in scenario.scenes.items() if len(sc.choices) > MAX_SHOWN}

    def pop(self):
        if self.novel:
            return self.novel.pop()
        scene = min(self.queues, key=lambda sid: self.expanded.get(sid, 0))
        q = self.queues[scene]
        item = q.pop()
        if not q:
            del self.queues[scene]
        return item

    def key(self, habit, run):
        s = run.state
        vals = s.vals
        bits = 0
        for f in self.keyfns:
            bits = (bits << 1) | (1 if f(s) else 0)
        return (habit, s.scene, s.phase, tuple(vals[f] for f in self.flag_ids), frozenset(s.heard),
                tuple(s.returns), bits)


def explore(path, *, seeds: int = 3, width: int = 2, max_states: int = 20_000, budget: int = BUDGET,
            time_limit: float | None = TIME_LIMIT, sweep: int = 40, steer: bool = True, habits: dict | None = None,
            clock=time.monotonic) -> ExploreResult:
    """Explore the scenario at `path` (see the module's notes). Raises ContentError if it does not load.

    The stages share out `budget`, a number of decisions played, so that the same scenario gives the same
    report on any machine under any load; `time_limit` (seconds of wall clock, None for none) is only a
    safety net for a slow machine, and a walk it stops says so."""
    scenario, probes = load_probed(path)
    habits = dict(HABITS if habits is None else habits)
    res = ExploreResult(scenario, probes)
    res.bounds = {"seeds": seeds, "width": width, "max_states": max_states, "budget": budget, "time_limit": time_limit,
                  "sweep": sweep, "habits": list(habits)}
    w = _Walker(scenario, probes, width, habits)
    res.watch = w.watch
    for k, v in scenario.start_values.items():
        res.value_range[k] = [v, v]
    start = clock()

    def spent() -> float:
        """The share of the bounds used: decisions played out of `budget`, or wall-clock seconds out of
        `time_limit` when that share is larger (a slow machine)."""
        f = res.work / budget
        if time_limit is not None:
            f = max(f, (clock() - start) / time_limit)
        return f

    def bound() -> str:
        return "budget" if time_limit is None or res.work / budget >= (clock() - start) / time_limit else "time_limit"

    _sweep(w, res, sweep, spent)
    for seed in range(seeds):
        for habit in habits:
            try:
                run = w.watch.attach(Run(scenario, seed, record=False))
            except Exception as e:  # noqa: BLE001 - an engine error is a finding, not a crash
                res.findings.append(Finding("runtime_error", scenario.start, f"starting the run failed: {e}",
                                            {"scenario": scenario.id, "version": scenario.version, "seed": seed,
                                             "actions": []}))
                continue
            _arrive(w, res, habit, run)
    while w.novel or w.queues:
        if res.states >= max_states:
            res.complete, res.stopped_by = False, "max_states"
            break
        if res.states % 32 == 0 and spent() > (0.6 if steer else 1.0):
            res.complete, res.stopped_by = False, bound()
            break
        habit, run = w.pop()
        scene = run.state.scene
        w.expanded[scene] = w.expanded.get(scene, 0) + 1
        res.states += 1
        persona = w.personas[habit]
        try:
            P.perceive(run, persona, None)
            avail = run.available_indices()
        except Exception as e:  # noqa: BLE001
            _error(res, run, e)
            continue
        if not avail:
            _dead_end(res, run)
            continue
        # every branch: each available choice, and each outcome of a chancy one (named, not drawn)
        choices = run.scenario.scenes[scene].choices
        moves = [(i, k) for i in avail for k in (range(len(choices[i].outcomes)) if choices[i].outcomes else (None,))]
        # the queued run is ours alone: it takes the first move itself, after forking for the others
        children = [(m, run.fork()) for m in moves[1:]] + [(moves[0], run)]
        for (i, k), child in children:
            res.choices_available.add((scene, i))
            try:
                child.choose(i, k)
                _took(res, scene, i)
                if child.state.status == OUTCOME:
                    child.advance()
            except Exception as e:  # noqa: BLE001
                _error(res, child, e)
                continue
            _arrive(w, res, habit, child)
    res.abstract_states = len(w.seen)
    if steer:
        _aim(w, res, spent)
    res.seconds = clock() - start
    return res


def _aim(w, res, spent):
    """Aim a beam search at each ending never reached and each choice never available (module notes)."""
    sc = w.sc
    env = sc.env
    tried: set = set()
    while spent() < 1.0:
        targets = [("ending", e) for e in sc.endings if e.id not in res.endings_reached and not e.fallback]
        for sid in sc.scenes:
            if sid in res.scenes_reached:
                for c in sc.scenes[sid].choices:
                    if (sid, c.index) not in res.choices_taken and c.cond_src:
                        targets.append(("choice", (sid, c)))
        targets = [t for t in targets if _tkey(t) not in tried]
        if not targets:
            return
        kind, target = targets[0]
        tried.add(_tkey((kind, target)))
        res.aimed.append(_tkey((kind, target)))
        try:
            if kind == "ending":
                dist = steering.distance(_ending_src(res, target), env)
                eid = target.id

                def goal(run, dist=dist, eid=eid):
                    st = run.state
                    if st.status == ENDED:
                        return st.ending == eid, 1e9
                    return False, dist(st)
            else:
                sid, choice = target
                dist = steering.distance(choice.cond_src, env)

                def goal(run, dist=dist, sid=sid, choice=choice):
                    st = run.state
                    if st.status != CHOOSING:
                        return False, 1e9
                    d = dist(st)
                    return st.scene == sid and choice.cond(st), d + (0.0 if st.scene == sid else 0.5)
        except Exception:  # noqa: BLE001 - a condition steer cannot measure: leave it to the report
            continue
        per_target = max(0.07, (1.0 - spent()) / max(1, len(targets)))
        t0 = spent()

        def on_choice(run, scene, i):
            _took(res, scene, i)

        def on_state(run):
            _note(res, run)
            st = run.state
            if st.status == ENDED:
                res.runs_ended += 1
                res.endings_reached[st.ending] = res.endings_reached.get(st.ending, 0) + 1

        try:
            found = steering.beam_search(sc, goal, seeds=(0, 1, 2, 3), beam=10,
                                      budget=lambda t0=t0: spent() - t0 < per_target and spent() < 1.0,
                                      on_choice=on_choice, on_state=on_state, watch=w.watch)
        except Exception as e:  # noqa: BLE001
            res.findings.append(Finding("runtime_error", sc.start, f"error while aiming at {_tkey((kind, target))}: "
                                                                   f"{type(e).__name__}: {e}", {}))
            continue
        if found is None and kind == "ending":
            found = _persona_aim(w, res, target, dist, lambda t0=t0: spent() - t0 < per_target and spent() < 1.0)
        if found is not None and kind == "choice":
            sid, choice = target
            child = found.fork()
            try:
                child.choose(choice.index)
                on_choice(child, sid, choice.index)
                if child.state.status == OUTCOME:
                    child.advance()
                on_state(child)
            except Exception as e:  # noqa: BLE001
                _error(res, child, e)


def _persona_aim(w, res, ending, dist, budget):
    """Try each persona on a few seeds, then play the one that ends closest to `ending` until it gets there."""
    sc = w.sc
    best = None
    for name, persona in P.all_personas(sc).items():
        total = 0.0
        for seed in range(1000, 1008):
            run = _play_persona(w, res, persona, seed)
            if run is None:
                continue
            if run.state.ending == ending.id:
                return run
            total += dist(run.state)
            if not budget():
                return None
        if best is None or total < best[0]:
            best = (total, persona)
    if best is None:
        return None
    seed = 1008
    while budget():
        run = _play_persona(w, res, best[1], seed)
        if run is not None and run.state.ending == ending.id:
            return run
        seed += 1
    return None


def _play_persona(w, res, persona, seed):
    """One persona run on the probed scenario, counted like the sweep's; None if it failed."""
    sc = w.sc
    rng = persona_rng(persona.name, seed)
    run = w.watch.attach(Run(sc, seed, record=False))
    s = run.state
    scores = w.scores.get(persona.name)
    if scores is None:
        scores = w.scores[persona.name] = P.scores(sc, persona)
    try:
        while s.status != ENDED and s.decisions <= MAX_DECISIONS:
            if s.status == OUTCOME:
                run.advance()
                continue
            P.perceive(run, persona, rng)
            avail = run.available_indices()
            if not avail:
                _dead_end(res, run)
                return None
            if s.scene in w.crowdable:
                _crowd_check(res, run)
            i = P.pick(persona, scores[s.scene], avail, rng)
            for j in avail:
                res.choices_available.add((s.scene, j))
            _took(res, s.scene, i)
            run.choose(i)
            if s.status == OUTCOME:
                run.advance()
            _note(res, run)
    except Exception as e:  # noqa: BLE001
        _error(res, run, e)
        return None
    if s.status != ENDED:
        _never_ends(res, run)
        return None
    res.runs_ended += 1
    res.endings_reached[s.ending] = res.endings_reached.get(s.ending, 0) + 1
    return run


def _took(res, scene, i):
    """Count a choice taken: coverage, and one unit of the walk's work budget."""
    res.choices_taken[(scene, i)] = res.choices_taken.get((scene, i), 0) + 1
    res.work += 1


def _tkey(t):
    kind, target = t
    return f"ending {target.id}" if kind == "ending" else f"choice {target[1].index + 1} in {target[0]}"


def _ending_src(res, ending):
    for p in res.probes:
        if p.what == f"the ending '{ending.id}'":
            return p.source
    raise ValueError("no condition")


def _sweep(w, res, runs, spent):
    """Play every persona `runs` times (random four times as often), counting what they reach."""
    for name, persona in P.all_personas(w.sc).items():
        for seed in range(runs * 4 if name == "random" else runs):
            if spent() > 0.2:
                return
            _play_persona(w, res, persona, seed)


def _note(res, run):
    s = run.state
    res.scenes_reached.add(s.scene)
    ranges = res.value_range
    for k, v in s.vals.items():
        r = ranges[k]
        if v < r[0]:
            r[0] = v
        elif v > r[1]:
            r[1] = v


def _arrive(w, res, habit, run):
    """A run arrives at a decision point or an ending: record it, queue it if its abstract state is new."""
    s = run.state
    new_scene = s.scene not in res.scenes_reached
    _note(res, run)
    if s.status == ENDED:
        res.runs_ended += 1
        res.endings_reached[s.ending] = res.endings_reached.get(s.ending, 0) + 1
        return
    if s.status != CHOOSING:  # pragma: no cover - advance() always leaves CHOOSING or ENDED
        return
    if s.decisions > MAX_DECISIONS:
        _never_ends(res, run)
        return
    if s.scene in w.crowdable:
        _crowd_check(res, run)
    key = w.key(habit, run)
    n = w.seen.get(key, 0)
    if n >= w.width:
        return
    w.seen[key] = n + 1
    bits = key[-1]
    novel = new_scene or bool(bits & ~w.seen_true) or bool(~bits & w.mask & ~w.seen_false)
    w.seen_true |= bits
    w.seen_false |= ~bits & w.mask
    if novel:
        w.novel.append((habit, run))
    else:
        w.queues.setdefault(s.scene, []).append((habit, run))


def _dead_end(res, run):
    scene = run.state.scene
    if not any(f.kind == "dead_end" and f.scene == scene for f in res.findings):
        res.findings.append(Finding("dead_end", scene,
                                    f"in the scene '{scene}' no choice is available, so the run cannot go on",
                                    run.transcript()))


def _crowd_check(res, run):
    """A finding when the current scene shows more than four choices (once per scene), with a transcript
    that replays to it."""
    scene = run.state.scene
    if any(f.kind == "crowded" and f.scene == scene for f in res.findings):
        return
    n = shown_now(run)
    if n <= MAX_SHOWN:
        return
    tr = run.transcript()
    tr["crowded"] = crowd_mark(run, n)
    res.findings.append(Finding("crowded", scene, f"in the scene '{scene}' {n} choices are shown at once, more than "
                                                  f"{MAX_SHOWN} (BAL036): make the conditions of its hidden choices "
                                                  f"exclude one another", tr))


def _never_ends(res, run):
    s = run.state
    if not any(f.kind == "never_ends" for f in res.findings):
        res.findings.append(Finding("never_ends", s.scene,
                                    f"a run was still going after {MAX_DECISIONS} decisions (now in '{s.scene}'): "
                                    f"check for a loop of scenes with no way out", run.transcript()))


def _error(res, run, e):
    kind = "error in the engine" if not isinstance(e, BalconyError) else "error"
    res.findings.append(Finding("runtime_error", run.state.scene,
                                f"{kind} in the scene '{run.state.scene}': {type(e).__name__}: {e}",
                                run.transcript()))
