"""One seat's summary for the cohort debrief, from its transcript.

A finished seat is replayed once (`engine.debrief.play.recorded_run`) and read with the debrief's own
sections: the balcony gap (`build_gap`, whose false beliefs, `beliefs`, give "misread"), with the
ending, the triangle and the pattern's tag counts as the debrief reads them. The counterfactual sections (the causal trace and the better path) are
not built: they cost a second or so per seat and the room's figures do not use them. A seat still
playing is replayed only for its decisions.
"""
from __future__ import annotations

from collections import Counter

from ..debrief.gap import FALSE_BELIEF, beliefs, build_gap, timeline
from ..debrief.play import recorded_run, triangle as exact_triangle
from ..debrief.model import EndingRef
from ..errors import SaveError
from ..replay import replay
from ..runtime import ENDED
from ..textfmt import tidy
from ..views import shown
from .model import SeatSummary, Taken


def score(parts: dict) -> float:
    """The leaderboard's score: the mean of the triangle's parts as shown, to one decimal (as
    classroom.room.Room.scores computes it)."""
    return round(sum(parts.values()) / len(parts), 1) if parts else 0.0


def _decisions(run) -> tuple:
    seen: Counter = Counter()
    out = []
    for d in run.history.decisions:
        out.append(Taken(d["scene"], seen[d["scene"]], d["turn"], d["label"], d["choice"], d["text"],
                         tuple(d["tags"])))
        seen[d["scene"]] += 1
    return tuple(out)


def _ending(scenario, run) -> EndingRef | None:
    if run.state.status != ENDED:
        return None
    e = next((e for e in scenario.endings if e.id == run.state.ending), None)
    return EndingRef(e.id, e.title, e.quality) if e else EndingRef(str(run.state.ending), str(run.state.ending), "mixed")


def summarise(scenario, transcript: dict, seat: str) -> SeatSummary:
    """The seat's summary. SaveError if the transcript does not replay exactly."""
    # a seat still playing may be on an outcome screen: replay it to where it is, no further
    result = replay(scenario, transcript, finish=transcript.get("ending") is not None)
    if not result.ok:
        raise SaveError(f"seat {seat}: the transcript does not replay: {result.message}")
    run = result.run
    tri = exact_triangle(run)
    parts = {k: shown(v) for k, v in tri.items()}
    tags = dict(Counter(t for d in run.history.decisions for t in d["tags"]))
    if run.state.status != ENDED:
        return SeatSummary(seat, False, _decisions(run), None, tri, parts, score(parts), tags, {}, {}, ())
    run = recorded_run(scenario, transcript)  # the debrief's own replay of a finished run
    points = timeline(run)
    gap = build_gap(scenario, run, points)
    misread, met = {}, {}
    for sh in gap.stakeholders:
        met[sh.id] = sh.one_to_ones
        widest = max((m.distance for m in beliefs(sh, gap.turns, gap.labels)), default=0.0)
        if widest >= FALSE_BELIEF:
            misread[sh.id] = widest
    asked = []
    for q in getattr(scenario, "reflection", ()) or ():
        cond = q.get("cond")
        if cond is None or cond(run.state):
            text = q["text"](run.state) if callable(q["text"]) else str(q["text"])
            asked.append((q["id"], q.get("stage", "why"), tidy(text)))
    return SeatSummary(seat, True, _decisions(run), _ending(scenario, run), tri, parts, score(parts), tags,
                       misread, met, tuple(asked))
