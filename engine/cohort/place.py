"""Where one seat sat in the room's distribution: its ending among the room's endings, its score among the
room's scores, its choices at the decisions that split the room, its pattern beside the room's median.
It names nobody: only counts. Its sentences are worded through the translator `tr` (English by default)."""
from __future__ import annotations

from ..marks import N_, plural, same
from .aggregate import percent
from .questions import quoted
from .model import Placement, PlacedChoice


#: The decisions that split the room a placement sets the seat's choice beside: the most divisive it made.
MAX_PLACED = 4


#: What a seat is told of its place before the facilitator shows the room's figures (the server says it).
LATER = N_("Where you sat in the room shows here when the facilitator ends the session or shows the leaderboard.")


def _seats(tr, k: int) -> str:
    return plural(tr, "{n} seat", "{n} seats", k).format(n=k)


def _others(tr, k: int) -> str:
    return plural(tr, "{n} other seat", "{n} other seats", k).format(n=k)


def place(cohort, summary, tr=same) -> Placement:
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
        choices.append(PlacedChoice(p.title, p.when, b.text, b.count, p.reached, b.percent, True))
    lines = []
    if not summary.finished:
        lines.append(tr(N_("Your run has not reached an ending yet: the room's endings and scores are for the seats "
                           "that have.")))
        return Placement(summary.seat, False, n, None, 0, 0, cohort.endings, None, 0, 0, 0, tuple(choices), (),
                         tuple(lines + _choice_lines(choices, tr)))
    mine = next((e for e in cohort.endings if e.ending.id == summary.ending.id), None)
    same_ending = mine.count if mine else 1
    share = mine.percent if mine else 100  # the endings' own share, as the room's list shows it
    others = [sc for sc in cohort.scores.scores]
    higher = sum(1 for s in others if s > summary.score)
    lower = sum(1 for s in others if s < summary.score)
    tied = len(others) - higher - lower - 1
    if n == 1:
        lines.append(tr(N_("You are the only seat in the room that has reached an ending so far.")))
    else:
        rest = same_ending - 1
        lines.append((tr(N_("Your ending, {ending}, was reached by {count} of the {n} seats that finished ({share}%), "
                            "you included.")) if rest else
                      tr(N_("Your ending, {ending}, was reached by {count} of the {n} seats that finished ({share}%): "
                            "only you."))).format(ending=quoted(summary.ending.title), count=same_ending, n=n,
                                                  share=share))
        lines.append((tr(N_("Your score, {score}: {higher} scored higher, {lower} lower, and {same} the same.")) if tied
                      else tr(N_("Your score, {score}: {higher} scored higher, {lower} lower."))).format(
            score=f"{summary.score:.1f}", higher=_seats(tr, higher), lower=_seats(tr, lower), same=_others(tr, tied)))
    dims = []
    for d in cohort.pattern.dimensions:  # (not `share`, the ending's, which the Placement below carries)
        part = summary.tags.get(d.tag, 0) / len(summary.decisions) if summary.decisions else 0.0
        dims.append((d.label, round(part, 3), d.median))
    return Placement(summary.seat, True, n, summary.ending, same_ending, share, cohort.endings,
                     summary.score, higher, tied, lower, tuple(choices), tuple(dims),
                     tuple(lines + _choice_lines(choices, tr)))


def _choice_lines(choices, tr=same) -> list:
    out = []
    for c in choices:
        others = c.same - 1
        out.append((tr(N_("At {title} ({when}) you chose {choice}, as did {others} of the {reached} that made that "
                          "decision ({percent}% in all).")) if others else
                    tr(N_("At {title} ({when}) you chose {choice}, as did no other seat of the {reached} that made "
                          "that decision."))).format(title=quoted(c.title), when=c.when, choice=quoted(c.text),
                                                     others=_others(tr, others), reached=c.reached, percent=c.percent))
    return out
