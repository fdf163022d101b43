"""Where one seat sat in the room's distribution: its ending among the room's endings, its score among the
room's scores, its choices at the decisions that split the room, its pattern beside the room's median.
It names nobody: only counts."""
from __future__ import annotations

from .aggregate import percent
from .questions import quoted
from .model import Placement, PlacedChoice


#: The decisions that split the room a placement sets the seat's choice beside: the most divisive it made.
MAX_PLACED = 4


def _n(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def place(cohort, summary) -> Placement:
    """`summary` is the seat's SeatSummary (one of those the cohort was built from)."""
    n = cohort.finished
    choices = []
    made = {(t.scene, t.visit) for t in summary.decisions}
    top = [p for p in cohort.splits if (p.scene, p.visit) in made][:MAX_PLACED]   # the most divisive it made
    points = {(p.scene, p.visit): p for p in top}
    for t in summary.decisions:
        p = points.get((t.scene, t.visit))
        if p is None:
            continue
        b = next(b for b in p.branches if b.choice == t.choice)
        choices.append(PlacedChoice(p.title, p.when, b.text, b.count, p.reached, percent(b.count, p.reached), True))
    lines = []
    if not summary.finished:
        lines.append("Your run has not reached an ending yet: the room's endings and scores are for the seats "
                     "that have.")
        return Placement(summary.seat, False, n, None, 0, 0, cohort.endings, None, 0, 0, 0, tuple(choices), (),
                         tuple(lines + _choice_lines(choices)))
    mine = next((e for e in cohort.endings if e.ending.id == summary.ending.id), None)
    same_ending = mine.count if mine else 1
    share = mine.percent if mine else 100  # the endings' own share (largest remainder), as the room's list shows it
    others = [sc for sc in cohort.scores.scores]
    higher = sum(1 for s in others if s > summary.score)
    lower = sum(1 for s in others if s < summary.score)
    same = len(others) - higher - lower - 1
    if n == 1:
        lines.append("You are the only seat in the room that has reached an ending so far.")
    else:
        rest = same_ending - 1
        lines.append(f"Your ending, {quoted(summary.ending.title)}, was reached by {same_ending} of the {n} seats "
                     f"that finished ({share}%)" + (", you included." if rest else ": only you."))
        lines.append(f"Your score, {summary.score:.1f}: {_n(higher, 'seat')} scored higher, {_n(lower, 'seat')} lower"
                     + (f", and {_n(same, 'other seat')} the same." if same else "."))
    dims = []
    for d in cohort.pattern.dimensions:
        share = summary.tags.get(d.tag, 0) / len(summary.decisions) if summary.decisions else 0.0
        dims.append((d.label, round(share, 3), d.median))
    return Placement(summary.seat, True, n, summary.ending, same_ending, share, cohort.endings,
                     summary.score, higher, same, lower, tuple(choices), tuple(dims),
                     tuple(lines + _choice_lines(choices)))


def _choice_lines(choices) -> list:
    out = []
    for c in choices:
        others = c.same - 1
        out.append(f"At {quoted(c.title)} ({c.when}) you chose {quoted(c.text)}, as did "
                   + (f"{_n(others, 'other seat')} of the {c.reached} that made that decision ({c.percent}% in all)."
                      if others else f"no other seat of the {c.reached} that made that decision."))
    return out
