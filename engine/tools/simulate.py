"""`balcony simulate`: many seeded playthroughs by one persona, and what they add up to.

Run k of a simulation with seed S uses the engine seed S + k (random events) and a persona generator
seeded from the persona's name and S + k (its tie-breaks and random picks), so a simulation is
reproducible and any one run can be played again exactly (`replay_run`), for example to write a
transcript that `balcony replay` accepts.
"""
from __future__ import annotations

import functools
import math
import operator
import random
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field

from ..errors import BalconyError
from ..runtime import Run
from . import personas as P
from .measure import at_label
from .tuning import EndMeasures, at_end
from .words import WordTable

QUALITY_SCORE = {"best": 3, "good": 2, "mixed": 1, "poor": 0}
HIST_BINS = 10
MAX_DECISIONS = 10_000  # a run still going after this many decisions is reported as endless
DOMINANCE_RUNS = 20_000  # dominated choices are judged on at most this many runs (the first)


@dataclass
class RunRecord:
    """What one simulated run leaves behind."""

    seed: int
    ending: str
    decisions: int
    words: float
    path: tuple            # ((scene id, choice index), ...) in order
    samples: dict          # turn -> sample(state) at the end of that quarter (or at the end if it ended sooner)
    final: object          # sample(state) at the end
    triangle: tuple        # the three triangle scores at the end


def persona_rng(persona_name: str, seed: int) -> random.Random:
    """The persona's own generator for run `seed`: independent of the run's events."""
    return random.Random(seed * 1_000_003 + _name_hash(persona_name))


@functools.lru_cache(maxsize=256)
def _name_hash(name: str) -> int:
    return zlib.crc32(name.encode())


def year_turns(scenario) -> tuple:
    """The turns that end each year of play: 4, 8, ... up to the calendar's end."""
    end = scenario.end_turn
    if end is None:
        end = 40
    return tuple(range(4, end + 2, 4))


def play(scenario, persona: P.Persona, seed: int, *, scores=None, turns=(), sample=None):
    """Play one run to its end. Returns (run, samples, path): samples {turn: sample(state)} at the end of
    each of `turns` (or at the end, if the run ended sooner); path ((scene, choice index), ...).
    Raises DeadEnd or Endless."""
    scores = scores if scores is not None else P.scores(scenario, persona)
    path: list = []
    numbers = ChoiceNumbers(scenario)
    run, samples = _play_fast(scenario, persona, seed, scores, tuple(turns) if sample else (), sample, path,
                              numbers.first)
    if sample is not None:
        fin = sample(run.state)
        for t in turns:
            samples.setdefault(t, fin)
    return run, samples, tuple(map(numbers.keys.__getitem__, path))


class ChoiceNumbers:
    """Every choice of a scenario numbered 0, 1, ... in scene order, so that a simulation's bookkeeping
    counts small integers rather than hashing (scene, index) pairs: `keys[n]` is choice n's (scene id,
    index), `first[scene id]` the number of the scene's first choice."""

    def __init__(self, scenario):
        self.keys: list = []
        self.first: dict = {}
        for sid, sc in scenario.scenes.items():
            self.first[sid] = len(self.keys)
            self.keys.extend((sid, c.index) for c in sc.choices)


def replay_run(scenario, persona_name: str, seed: int) -> Run:
    """Play run `seed` of a persona again, exactly as a simulation played it."""
    run, _, _ = play(scenario, P.get_persona(scenario, persona_name), seed)
    return run


class SimulationError(Exception):
    def __init__(self, run, message):
        super().__init__(message)
        self.run = run


class DeadEnd(SimulationError):
    def __init__(self, run):
        super().__init__(run, f"no choice is available in the scene '{run.state.scene}' (seed {run.state.seed}): "
                              f"the run cannot go on")


class Endless(SimulationError):
    def __init__(self, run):
        super().__init__(run, f"the run did not end after {run.state.decisions} decisions (seed {run.state.seed})")


def _zero(state):
    return 0.0


def _meter_sampler(scenario):
    ids = tuple(scenario.meters)

    def sample(s, ids=ids):
        v = s.vals
        return tuple(v[i] for i in ids)
    return sample


@dataclass
class SimResult:
    scenario: object
    persona: P.Persona
    runs: int
    seed: int
    endings: Counter = field(default_factory=Counter)
    decisions: list = field(default_factory=list)
    words: list = field(default_factory=list)
    final_entries: Counter = field(default_factory=Counter)  # scene -> runs that ended on entering it
    scene_runs: Counter = field(default_factory=Counter)     # runs that entered
    choice_hits: Counter = field(default_factory=Counter)    # (scene, index) -> times taken
    choice_runs: Counter = field(default_factory=Counter)    # (scene, index) -> runs that took it
    outcomes: list = field(default_factory=list)             # ({choice numbers taken}, (3 triangle scores, quality)) per run
    numbers: object = None                                   # the ChoiceNumbers that `outcomes` counts in
    meter_ids: tuple = ()
    turns: tuple = ()
    meter_samples: dict = field(default_factory=dict)        # turn or None -> list of tuples
    records: list = field(default_factory=list)              # RunRecords, when kept
    errors: list = field(default_factory=list)               # (seed, message, transcript)
    measures: object = None                                  # the tuning.EndMeasures read at each run's end
    finals: list = field(default_factory=list)               # their values at the end of each run, in seed order
    final_endings: list = field(default_factory=list)        # each run's ending, in the same order

    # --- reporting -------------------------------------------------------
    @property
    def scene_visits(self) -> Counter:
        """scene -> times entered, over all runs (a decision there each time, or the run's end)."""
        out = Counter()
        for (sid, _), n in self.choice_hits.items():
            out[sid] += n
        out.update(self.final_entries)
        return out

    def ending_table(self) -> list:
        sc = self.scenario
        out = []
        for e in sc.endings:
            n = self.endings.get(e.id, 0)
            out.append({"id": e.id, "title": e.title, "quality": e.quality, "runs": n,
                        "share": round(n / self.runs, 4) if self.runs else 0.0})
        return out

    def meter_table(self) -> list:
        sc = self.scenario
        out = []
        for j, mid in enumerate(self.meter_ids):
            m = sc.meters[mid]
            row = {"id": mid, "label": m.label, "range": [m.lo, m.hi], "at": []}
            last = last_summary = None
            for t in list(self.turns) + [None]:
                vals = [x[j] for x in self.meter_samples.get(t, [])]
                if not vals:
                    continue
                if vals != last:  # (runs that have ended keep their final values: often nothing changes)
                    last, last_summary = vals, summary(vals, m.lo, m.hi)
                row["at"].append({"at": at_label(t), "turn": t, **last_summary})
            out.append(row)
        return out

    def scene_table(self) -> list:
        out = []
        visits = self.scene_visits
        for sid, sc in self.scenario.scenes.items():
            choices = []
            for c in sc.choices:
                key = (sid, c.index)
                choices.append({"index": c.index, "text": _short(c.text_src), "taken": self.choice_hits.get(key, 0),
                                "runs": self.choice_runs.get(key, 0)})
            out.append({"id": sid, "visits": visits.get(sid, 0), "runs": self.scene_runs.get(sid, 0),
                        "choices": choices})
        return out

    def coverage(self) -> dict:
        scenes = self.scenario.scenes
        n_choices = sum(len(sc.choices) for sc in scenes.values())
        hit_scenes = sum(1 for s in scenes if self.scene_runs.get(s))
        hit_choices = sum(1 for k, v in self.choice_runs.items() if v)
        endings = [e.id for e in self.scenario.endings]
        return {"scenes": hit_scenes, "scenes_total": len(scenes), "choices": hit_choices, "choices_total": n_choices,
                "endings": sum(1 for e in endings if self.endings.get(e)), "endings_total": len(endings)}

    def dominated(self, min_runs: int = 20, z: float = 2.0) -> list:
        """Choices that another choice in the same scene beats on every count, clearly.

        The counts are the three triangle scores at the end and the quality of the ending (best 3 ...
        poor 0), averaged over the runs that took each choice. "Clearly" means the difference is more than
        `z` standard errors on every count, and each choice was taken in at least `min_runs` runs.
        """
        metrics = ("public_value", "legitimacy", "capacity", "ending quality")
        runs_of: dict = {}  # choice number -> the runs (their place in `outcomes`) that took it, in order
        for r, (taken, _) in enumerate(self.outcomes):
            for key in taken:
                got = runs_of.get(key)
                if got is None:
                    runs_of[key] = [r]
                else:
                    got.append(r)
        # each count as a column over the runs, and its squares: sums over a choice's runs, added in run order
        cols = [[float(m[j]) for _, m in self.outcomes] for j in range(4)]
        squares = [[x * x for x in col] for col in cols]
        out = []
        for sid, sc in self.scenario.scenes.items():
            stats = {}
            first = self.numbers.first[sid]
            for c in sc.choices:
                runs = runs_of.get(first + c.index)
                if runs and len(runs) >= min_runs:
                    n = len(runs)
                    means = [_add_up(map(cols[k].__getitem__, runs)) / n for k in range(4)]
                    var = [max(0.0, _add_up(map(squares[k].__getitem__, runs)) / n - means[k] ** 2) for k in range(4)]
                    stats[c.index] = (n, means, [math.sqrt(v / n) for v in var])
            for a, (na, ma, sa) in stats.items():
                if sc.choices[a].intended == "dominated":
                    continue  # the author meant it as a trap
                for b, (nb, mb, sb) in stats.items():
                    if a == b:
                        continue
                    if all(mb[k] - ma[k] > z * math.sqrt(sa[k] ** 2 + sb[k] ** 2) and mb[k] > ma[k]
                           for k in range(4)):
                        out.append({"scene": sid, "choice": a, "text": _short(sc.choices[a].text_src),
                                    "by": b, "by_text": _short(sc.choices[b].text_src),
                                    "runs": [na, nb],
                                    "means": {metrics[k]: [round(ma[k], 2), round(mb[k], 2)] for k in range(4)}})
                        break
        return out

    def to_dict(self) -> dict:
        def mean(xs):
            return round(statistics.fmean(xs), 2) if xs else 0.0
        return {
            "scenario": self.scenario.id, "persona": self.persona.name, "runs": self.runs, "seed": self.seed,
            "endings": self.ending_table(), "meters": self.meter_table(), "coverage": self.coverage(),
            "scenes": self.scene_table(), "dominated": self.dominated(),
            "length": {"decisions": {"mean": mean(self.decisions), **_mmm(self.decisions)},
                       "words": {"mean": mean(self.words), **_mmm(self.words)}},
            "at_end": at_end(self),
            "errors": [{"seed": s, "message": m} for s, m, _ in self.errors],
        }


def _mmm(xs):
    if not xs:
        return {"min": 0, "median": 0, "max": 0}
    return {"min": round(min(xs), 2), "median": round(statistics.median(xs), 2), "max": round(max(xs), 2)}


def _add_up(xs) -> float:
    """Floats added one by one, in order, from 0.0 (as a running total is; not compensated)."""
    return functools.reduce(operator.add, xs, 0.0)


def summary(vals, lo, hi, bins: int = HIST_BINS) -> dict:
    """min, median, max, mean and a histogram of `bins` equal bins over [lo, hi]."""
    hist = [0] * bins
    width = (hi - lo) / bins if hi > lo else 1
    for k, n in Counter([int((v - lo) / width) for v in vals]).items():
        hist[min(bins - 1, max(0, k))] += n
    return {"min": round(min(vals), 2), "median": round(statistics.median(vals), 2), "max": round(max(vals), 2),
            "mean": round(statistics.fmean(vals), 2), "histogram": hist}


def _short(text, n=60):
    t = " ".join(str(text).split())
    return t if len(t) <= n else t[: n - 1] + "\u2026"


def simulate(scenario, runs: int = 1000, persona="random", seed: int = 0, *, keep_runs: bool = False,
             sample=None, turns=None, progress=None, jobs: int = 1) -> SimResult:
    """Play `runs` runs with one persona (a name or a Persona) and gather the statistics.

    `sample` (state -> value) is taken at each of `turns` (default: the end of every year) and at the end;
    by default it is the tuple of every meter's value. `progress(done, total)` is called now and then.
    A run that gets stuck (no choice available) or never ends is recorded in `errors` with its transcript.

    With `jobs` above 1 (and the default `sample`), the runs are shared out, in consecutive blocks of seeds,
    among that many worker processes, and their results put together in seed order: the same result as one
    process gives. Workers are started afresh ("spawn"): the calling program must be importable.
    """
    if isinstance(persona, str):
        persona = P.get_persona(scenario, persona)
    if jobs > 1 and runs > 1 and sample is None and scenario.path:
        return _simulate_in_workers(scenario, runs, persona, seed, keep_runs, turns, progress, jobs)
    res = SimResult(scenario, persona, runs, seed)
    res.meter_ids = tuple(scenario.meters)
    res.turns = tuple(turns) if turns is not None else year_turns(scenario)
    res.measures = EndMeasures(scenario)
    read_end, finals, final_endings = res.measures.read, res.finals, res.final_endings
    custom_sample = sample is not None
    sample = sample or _meter_sampler(scenario)
    for t in list(res.turns) + [None]:
        res.meter_samples[t] = []
    scores = P.scores(scenario, persona)
    table = WordTable(scenario)
    scene_words, result_words, event_words, ending_words = table.scene, table.result, table.event, table.ending
    qscore = {e.id: QUALITY_SCORE.get(e.quality, 1) for e in scenario.endings}
    pv, lg, cp = (scenario.triangle.get(k, _zero) for k in ("public_value", "legitimacy", "capacity"))
    endings, decisions_l, words_l = res.endings, res.decisions, res.words
    final_entries, scene_runs, hits, choice_runs = res.final_entries, res.scene_runs, res.choice_hits, res.choice_runs
    msamples = res.meter_samples
    turns_t = res.turns
    outcomes = res.outcomes
    numbers = res.numbers = ChoiceNumbers(scenario)
    keys, first = numbers.keys, numbers.first
    words_of = [scene_words.get(sid, 0.0) + result_words.get((sid, i), 0.0) for sid, i in keys]
    hits_n, runs_n = Counter(), Counter()  # by choice number, converted at the end
    hits_b, runs_b, scenes_b = [], [], []

    def flush():
        hits_n.update(hits_b)
        runs_n.update(runs_b)
        scene_runs.update(scenes_b)
        hits_b.clear()
        runs_b.clear()
        scenes_b.clear()
    step = max(1, runs // 100)
    for k in range(runs):
        rseed = seed + k
        path = []
        try:
            run, samples = _play_fast(scenario, persona, rseed, scores, turns_t, sample, path, first)
        except SimulationError as e:
            res.errors.append((rseed, str(e), e.run.transcript()))
            continue
        s = run.state
        try:
            finals.append(read_end(s))
        except BalconyError as e:  # an ending's condition whose arithmetic gives no number
            res.errors.append((rseed, f"at the end of the run (seed {rseed}): {e}", run.transcript()))
            continue
        ending = s.ending
        final_endings.append(ending)
        endings[ending] += 1
        decisions_l.append(s.decisions)
        w = ending_words.get(ending, 0.0) + sum(map(words_of.__getitem__, path))
        # every entry into a scene ends in a decision there, except the last entry when it ends the run
        ended_on_entry = sum(s.visits.values()) > s.decisions  # entries = decisions + this last one
        if ended_on_entry:
            w += scene_words.get(s.scene, 0.0)
        for e in s.fired:
            w += event_words.get(e, 0.0)
        words_l.append(w)
        # counted in batches: a Counter update per run costs more than the run's own bookkeeping
        hits_b.extend(path)
        taken = set(path)
        runs_b.extend(taken)
        scenes_b.extend(s.visits)  # the scenes this run entered (the run counts its own entries)
        if ended_on_entry:
            final_entries[s.scene] += 1
        if len(hits_b) > 100_000:
            flush()
        if len(outcomes) < DOMINANCE_RUNS:
            outcomes.append((taken, (round(float(pv(s)), 2), round(float(lg(s)), 2), round(float(cp(s)), 2),
                                     qscore.get(ending, 1))))
        fin = sample(s)
        for t in turns_t:
            msamples[t].append(samples.get(t, fin))
        msamples[None].append(fin)
        if keep_runs:
            filled = {t: samples.get(t, fin) for t in turns_t} if custom_sample else {}
            tri = (round(float(pv(s)), 2), round(float(lg(s)), 2), round(float(cp(s)), 2))
            res.records.append(RunRecord(rseed, ending, s.decisions, w, tuple(map(keys.__getitem__, path)),
                                         filled, fin, tri))
        if progress is not None and k % step == 0:
            progress(k, runs)
    flush()
    for n, c in hits_n.items():
        hits[keys[n]] = c
    for n, c in runs_n.items():
        choice_runs[keys[n]] = c
    if progress is not None:
        progress(runs, runs)
    return res


def in_workers(fn, tasks: list, sizes: list, jobs: int, progress=None) -> list:
    """fn(*task) for every task, in at most `jobs` worker processes at once, started afresh ("spawn", so that
    nothing of this process is shared); the results in the order of `tasks`, whatever order they finish in.
    `progress(done, total)` counts the `sizes` of the tasks finished."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    results, done, total = [None] * len(tasks), 0, sum(sizes)
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(fn, *task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            done += sizes[i]
            if progress is not None:
                progress(done, total)
    return results


def _simulate_in_workers(scenario, runs, persona, seed, keep_runs, turns, progress, jobs) -> SimResult:
    jobs = min(jobs, runs)
    bounds = [runs * j // jobs for j in range(jobs + 1)]
    blocks = [(bounds[j], bounds[j + 1] - bounds[j]) for j in range(jobs)]
    parts = in_workers(_block_worker, [(scenario.path, scenario.content_hash, persona.name, seed + start, n,
                                        keep_runs, turns) for start, n in blocks],
                       [n for _, n in blocks], jobs, progress)
    res = SimResult(scenario, persona, runs, seed)
    res.meter_ids = tuple(scenario.meters)
    res.turns = tuple(turns) if turns is not None else year_turns(scenario)
    res.numbers = ChoiceNumbers(scenario)
    res.measures = EndMeasures(scenario)
    for t in list(res.turns) + [None]:
        res.meter_samples[t] = []
    for part in parts:  # in seed order, as one process would have gathered them
        res.endings.update(part["endings"])
        res.decisions += part["decisions"]
        res.words += part["words"]
        res.final_entries.update(part["final_entries"])
        res.scene_runs.update(part["scene_runs"])
        res.choice_hits.update(part["choice_hits"])
        res.choice_runs.update(part["choice_runs"])
        res.outcomes += part["outcomes"][:max(0, DOMINANCE_RUNS - len(res.outcomes))]
        for t, values in part["meter_samples"].items():
            res.meter_samples[t] += values
        res.records += part["records"]
        res.errors += part["errors"]
        res.finals += part["finals"]
        res.final_endings += part["final_endings"]
    return res


def reload_in_worker(path, content_hash, doing: str):
    """In a worker process: the scenario at `path`, which must be the one the first process loaded."""
    from ..errors import BalconyError, ContentError
    from ..loader import load_scenario
    try:
        scenario = load_scenario(path)
    except ContentError as e:  # (re-raised plainly: it travels back to the first process by pickling)
        raise BalconyError(f"{path} changed while it was being {doing}, and no longer loads: {e}") from None
    if scenario.content_hash != content_hash:
        raise BalconyError(f"{path} changed while it was being {doing}: run it again")
    return scenario


def _block_worker(path, content_hash, persona_name, seed, runs, keep_runs, turns) -> dict:
    """In a worker process: one block of a simulation's runs, as plain data."""
    scenario = reload_in_worker(path, content_hash, "simulated")
    res = simulate(scenario, runs, persona_name, seed, keep_runs=keep_runs, turns=turns)
    return {"endings": res.endings, "decisions": res.decisions, "words": res.words,
            "final_entries": res.final_entries, "scene_runs": res.scene_runs, "choice_hits": res.choice_hits,
            "choice_runs": res.choice_runs, "outcomes": res.outcomes, "meter_samples": res.meter_samples,
            "records": res.records, "errors": res.errors, "finals": res.finals, "final_endings": res.final_endings}


def _play_fast(scenario, persona, seed, scores, turns, sample, path, first):
    """play(), recording in `path` the number of each choice taken (`first`: ChoiceNumbers.first) and
    sampling at `turns`: the simulation's inner loop."""
    rng = persona_rng(persona.name, seed)
    run = Run(scenario, seed, record=False)
    samples = {}
    if turns:
        wanted = frozenset(turns)

        def hook(r):
            t = r.state.turn
            if t in wanted:
                samples[t] = sample(r.state)
        run.on_quarter = hook
    s = run.state
    scenes = scenario.scenes
    pick, perceive = P.pick, P.perceive
    # every habit needs attention left (P.perceive returns at once, drawing nothing, without it); a scenario
    # that gives none never has any
    habits = persona.perceive if scenario.perception.attention > 0 else ()
    uniform = persona.kind == "random"
    rand = rng.random
    take, take_open, add = run.take, run._take_open, path.append
    try:
        for _ in range(MAX_DECISIONS + 1):
            if s.status != "choosing":
                break
            if habits and s.attention > 0:
                perceive(run, persona, rng)
            scene_id = s.scene
            scene = scenes[scene_id]
            avail = scene.open_indices
            if avail is None:
                avail = scene.available(s)
                if not avail:
                    raise DeadEnd(run)
            if uniform:  # as P.pick does for the random persona, without the call
                i = avail[0] if len(avail) == 1 else avail[int(rand() * len(avail))]
            else:
                i = pick(persona, scores[scene_id], avail, rng)
            add(first[scene_id] + i)
            if s.status == "choosing":  # still (a persona's perception may not end the run, but be sure)
                take_open(scene, scene.choices[i], i)
            else:
                take(i)
        else:
            raise Endless(run)
        if s.status != "ended":  # cannot happen: take() always leaves a scene or ends
            raise SimulationError(run, f"the run stopped in the '{s.status}' phase (seed {seed})")
    except SimulationError:
        raise
    except Exception as e:  # an error inside the engine: report it with the run so far, not a traceback
        raise SimulationError(run, f"error in the scene '{s.scene}' (seed {seed}): {type(e).__name__}: {e}") from e
    return run, samples
