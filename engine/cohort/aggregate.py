"""The room's figures from its seats' summaries. Every rule here is also stated, in words, in
`definitions()`, which the cohort debrief carries and every front end shows."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict

from ..debrief.model import CAVEAT, QUALITY_RANK, EndingRef
from ..debrief.gap import FALSE_BELIEF
from ..debrief.pattern import DIMENSIONS, READING, STANCES, persona_spreads
from ..debrief.research import DEFAULT_SOURCE, is_model, sections
from .model import (COHORT_FORMAT, KEY_DECISIONS, MIN_AVERAGE, SPLIT_SHARE, Branch, BranchOutcome, Cohort, Count,
                    Definition, DecisionPoint, DimensionSpread, EndingPath, EndingShare, PartnerGap, PathStep,
                    PatternSpread, ScoreSpread, StanceSpread)
from .questions import build_questions

QUALITIES = ("best", "good", "mixed", "poor")


def shares(counts) -> list:
    """Each part's whole percentage of the whole, rounded to the nearest (halves up) as `percent` rounds a
    single share; all 0 when the whole is 0. Equal counts always show equal shares, and a seat's share in
    its own debrief is the share the room's list shows. The parts may add up to 99 or 101 by rounding
    alone (three seats of three endings are 33% each); the counts beside them add up exactly. (The
    largest-remainder method forced 100 by showing one of three equal counts as 34%.)"""
    counts = list(counts)
    total = sum(counts)
    return [percent(c, total) for c in counts]


def percent(k: int, n: int) -> int:
    """k of n as a whole percentage, halves rounded up (a single share, not part of a whole)."""
    return (200 * k + n) // (2 * n) if n else 0


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if len(values) >= MIN_AVERAGE else None


def _parts_mean(seats) -> dict | None:
    if len(seats) < MIN_AVERAGE:
        return None
    keys = list(seats[0].parts)
    return {k: sum(s.parts[k] for s in seats) / len(seats) for k in keys}


def _counts(items) -> tuple:
    """Count objects for (key, label, count) items, with their whole percentages (`shares`)."""
    items = list(items)
    pc = shares(c for _, _, c in items)
    return tuple(Count(k, lab, c, p) for (k, lab, c), p in zip(items, pc))


def _title(scenario, scene: str, visit: int) -> str:
    sc = scenario.scenes.get(scene)
    title = (sc.title if sc is not None and sc.title else scene)
    return title if visit == 0 else f"{title} (visit {visit + 1})"


def _decision_points(scenario, summaries) -> list:
    by_key: dict = {}
    order: dict = {}
    for s in summaries:
        for t in s.decisions:
            k = (t.scene, t.visit)
            by_key.setdefault(k, []).append((s, t))
            order.setdefault(k, (t.turn, len(order)))
    points = []
    for k in sorted(by_key, key=lambda k: order[k]):
        rows = by_key[k]
        reached = len(rows)
        when = Counter(t.when for _, t in rows).most_common(1)[0][0]
        taken: dict = defaultdict(list)
        texts: dict = {}
        for s, t in rows:
            taken[t.choice].append(s)
            texts.setdefault(t.choice, (t.text, t.tags))
        idx = sorted(taken)
        pcs = shares(len(taken[i]) for i in idx)
        scene = scenario.scenes.get(k[0])
        branches = []
        for i, pc in zip(idx, pcs):
            fin = [s for s in taken[i] if s.finished]
            note = None
            if scene is not None and i < len(scene.choices):
                note = scene.choices[i].debrief
            q = Counter(s.ending.quality for s in fin)
            branches.append(Branch(i, texts[i][0], texts[i][1], len(taken[i]), pc,
                                   BranchOutcome(len(fin), _mean(s.score for s in fin), _parts_mean(fin),
                                                 {x: q[x] for x in QUALITIES if q[x]}),
                                   note.strip() if note else None, sections(note or ""), is_model(note or "")))
        sizes = sorted((b.count for b in branches), reverse=True)
        split = len(sizes) >= 2 and sizes[1] >= SPLIT_SHARE * reached
        balance = sizes[1] / reached if len(sizes) >= 2 else 0.0
        points.append(DecisionPoint(k[0], k[1], _title(scenario, *k), when, reached, tuple(branches), split, balance))
    return points


def _divisive(points) -> list:
    """Most divisive first: the second choice's share, then more seats, then story order."""
    pos = {(p.scene, p.visit): i for i, p in enumerate(points)}
    return sorted(points, key=lambda p: (-p.balance, -p.reached, pos[(p.scene, p.visit)]))


def _paths(endings, summaries, points, key) -> tuple:
    keyset = set(key)
    by_point = {(p.scene, p.visit): p for p in points}
    out = []
    for share in endings:
        seats = [s for s in summaries if s.finished and s.ending.id == share.ending.id]
        paths = [tuple((t.scene, t.visit, t.choice) for t in s.decisions if (t.scene, t.visit) in keyset) for s in seats]
        tally = Counter(paths)
        first = {}
        for p in paths:
            first.setdefault(p, len(first))
        best = min(tally, key=lambda p: (-tally[p], first[p]))
        steps = []
        for scene, visit, choice in best:
            made = [next(t for t in s.decisions if (t.scene, t.visit) == (scene, visit)) for s in seats
                    if any((t.scene, t.visit) == (scene, visit) for t in s.decisions)]
            point = by_point[(scene, visit)]
            text = next(b.text for b in point.branches if b.choice == choice)
            steps.append(PathStep(scene, visit, point.title, point.when, choice, text,
                                  sum(1 for t in made if t.choice == choice), len(made)))
        out.append(EndingPath(share.ending, len(seats), tuple(steps), tally[best], len(tally)))
    return tuple(out)


def _pattern(scenario, finished) -> PatternSpread:
    personas = persona_spreads(scenario) if finished else {}
    dims = []
    for tag, label in DIMENSIONS:
        vals = sorted(round(s.tags.get(tag, 0) / len(s.decisions), 3) if s.decisions else 0.0 for s in finished)
        dims.append(DimensionSpread(tag, label, tuple(vals), vals[0] if vals else 0.0,
                                    statistics.median(vals) if vals else 0.0, vals[-1] if vals else 0.0,
                                    personas.get(tag, ())))
    stances = []
    for (a, alab), (b, blab), title in STANCES:
        n_a = sum(1 for s in finished if s.tags.get(a, 0) > s.tags.get(b, 0))
        n_b = sum(1 for s in finished if s.tags.get(b, 0) > s.tags.get(a, 0))
        ca, cb, ce = _counts([(a, alab, n_a), (b, blab, n_b), ("even", "Both equally", len(finished) - n_a - n_b)])
        stances.append(StanceSpread(title, ca, cb, ce))
    return PatternSpread(len(finished), tuple(dims), tuple(stances), READING)


def _gap(scenario, finished) -> tuple:
    out = []
    n = len(finished)
    for sid, sh in scenario.stakeholders.items():
        wrong = [s for s in finished if sid in s.misread]
        widest = statistics.median(s.misread[sid] for s in wrong) if wrong else None
        out.append(PartnerGap(sid, sh.name, sh.agency, sh.balcony == "hidden", n, len(wrong), percent(len(wrong), n),
                              sum(1 for s in wrong if s.one_to_ones.get(sid, 0) == 0), widest, 2 * len(wrong) > n))
    pos = {g.id: i for i, g in enumerate(out)}
    return tuple(sorted(out, key=lambda g: (-g.misread, pos[g.id])))


def definitions(seats: int, finished: int) -> tuple:
    pc = round(100 * SPLIT_SHARE)
    return (
        Definition("Seats", f"{seats} seat{'s' if seats != 1 else ''} played; {finished} reached an ending. Endings, "
                   "scores, patterns and the balcony gap are over the seats that reached an ending; how the room "
                   "chose at a decision is over every seat that made that decision, finished or not."),
        Definition("Percentages", "Every share (of the endings, of the choices at a decision, of the stances, of the "
                   "seats that misread a partner) is its count's share rounded to the nearest whole percentage, "
                   "halves up, so that equal counts always show equal shares. A list's shares may therefore add up "
                   "to 99% or 101% by rounding alone; the counts, always shown beside them, add up exactly."),
        Definition("Score", "The leaderboard's score: the mean of the strategic triangle's three parts (public value, "
                   "legitimacy, capacity) at the end, each as shown in whole numbers, to one decimal."),
        Definition("A decision that split the room", f"A decision point (a scene, and which visit to it) at which at "
                   f"least two choices were each taken by at least {pc}% of the seats that made that decision. "
                   f"The most divisive come first: ranked by the share of the second most taken choice (the nearer "
                   f"to an even split, the higher), then by how many seats made the decision."),
        Definition("A branch's average outcome", f"For the seats that took a choice and then reached an ending (n): "
                   f"the mean of their scores and of each part of the triangle. No mean is given over fewer than "
                   f"{MIN_AVERAGE} seats; n is always given, with how many reached each quality of ending. A "
                   f"difference between branches is not the effect of that choice alone: the seats also differed "
                   f"in their other decisions (each player's own debrief measures a choice's effect by replaying "
                   f"their run with it changed)."),
        Definition("The most common path to an ending", f"The key decisions are the (up to {KEY_DECISIONS}) decision "
                   f"points that split the room most; if none did, those at which seats chose differently at all. "
                   f"A seat's path is its choices at the key decisions it made. For each ending: the path most of "
                   f"the seats that reached it took, how many took exactly that path, and at each step how many of "
                   f"them made the same choice there."),
        Definition("Misread a partner", f"A seat misread a partner when, at the end of some quarter, what it had to "
                   f"go on about that partner's real commitment was {FALSE_BELIEF} points or more from the truth: "
                   f"its latest one-to-one figure, or its latest balcony band once the band no longer held the "
                   f"truth (its middle against the truth), or, if it had never looked, what the partner said in "
                   f"the room. This is the measure by which each player's own debrief finds the moments when what "
                   f"they believed and what was true came apart."),
        Definition("The leadership pattern", "For each seat, the share of its decisions that drew on each of the six "
                   "dimensions, and on which side of each stance it leaned more often. A pattern to reflect on, not "
                   "a score: no total is made."),
    )


def aggregate(scenario, summaries, seed: int | None = None) -> Cohort:
    """The cohort debrief from the seats' summaries (engine.cohort.seat.summarise), in seat order."""
    summaries = list(summaries)
    finished = [s for s in summaries if s.finished]
    n = len(finished)
    reached = Counter(s.ending.id for s in finished)
    refs = {s.ending.id: s.ending for s in finished}
    order = {e.id: i for i, e in enumerate(scenario.endings)}
    ids = sorted(reached, key=lambda e: (-reached[e], -QUALITY_RANK.get(refs[e].quality, 1), order.get(e, 99)))
    pcs = shares(reached[e] for e in ids)
    endings = tuple(EndingShare(refs[e], reached[e], p, _mean(s.score for s in finished if s.ending.id == e))
                    for e, p in zip(ids, pcs))
    unreached = tuple(EndingRef(e.id, e.title, e.quality) for e in scenario.endings if e.id not in reached)
    q = Counter(s.ending.quality for s in finished)
    qualities = _counts([(x, {"best": "Best", "good": "Good", "mixed": "Mixed", "poor": "Poor"}[x], q[x])
                         for x in QUALITIES])
    scores = sorted(s.score for s in finished)
    score_spread = ScoreSpread(n, tuple(scores), scores[0] if scores else None,
                               statistics.median(scores) if scores else None, scores[-1] if scores else None,
                               _mean(scores), _parts_mean(finished))
    points = _decision_points(scenario, summaries)
    splits = [p for p in _divisive(points) if p.split]
    keys = splits[:KEY_DECISIONS] or [p for p in _divisive(points) if len(p.branches) >= 2][:KEY_DECISIONS]
    pos = {(p.scene, p.visit): i for i, p in enumerate(points)}
    key = tuple(sorted(((p.scene, p.visit) for p in keys), key=lambda k: pos[k]))
    paths = _paths(endings, summaries, points, key)
    pattern = _pattern(scenario, finished)
    gap = _gap(scenario, finished)
    source = next((s.get("cite") for s in scenario.sources if isinstance(s, dict) and s.get("cite")), None)
    cohort = Cohort(COHORT_FORMAT, scenario.id, scenario.title, scenario.version, seed, len(summaries), n, endings,
                    unreached, qualities, score_spread, pattern, tuple(points), tuple(splits), key, paths, gap, (),
                    definitions(len(summaries), n), CAVEAT, source or DEFAULT_SOURCE)
    from dataclasses import replace
    return replace(cohort, questions=build_questions(scenario, cohort, finished))
