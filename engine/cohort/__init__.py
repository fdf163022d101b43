"""The cohort debrief: how a classroom session's seats spread, built from their transcripts.

    from engine.cohort import build, summarise, aggregate, place

    cohort = build(scenario, [("1", transcript1), ("2", transcript2), ...])   # a frozen Cohort
    json.dumps(cohort.to_dict())

    summaries = [summarise(scenario, tr, seat_id) for seat_id, tr in seats]   # per seat (cache these)
    cohort = aggregate(scenario, summaries, seed)                              # the room, cheap
    where = place(cohort, summaries[0])                                        # one seat's place in it

Pure Python, like the rest of `engine/`: no database and no network; the classroom server and
`balcony export --format html` hand it the seats' transcripts. Each seat is read with engine.debrief's
own sections (see seat.py), and every figure's meaning is stated in `Cohort.definitions`. See README.md.
"""
from __future__ import annotations

from .aggregate import aggregate, definitions, percent, shares
from .model import COHORT_FORMAT, KEY_DECISIONS, MIN_AVERAGE, SPLIT_SHARE, Cohort, Placement, SeatSummary
from .place import place
from .seat import score, summarise


def build(scenario, seats, seed: int | None = None) -> Cohort:
    """The cohort debrief of `seats`: (seat id, transcript) pairs, in seat order. Seat ids are the caller's
    (never names). SaveError if a transcript does not replay."""
    summaries = [summarise(scenario, tr, str(sid)) for sid, tr in seats]
    if seed is None and seats:
        seed = seats[0][1].get("seed")
    return aggregate(scenario, summaries, seed)


__all__ = ["COHORT_FORMAT", "KEY_DECISIONS", "MIN_AVERAGE", "SPLIT_SHARE", "Cohort", "Placement", "SeatSummary",
           "aggregate", "build", "definitions", "percent", "place", "score", "shares", "summarise"]
