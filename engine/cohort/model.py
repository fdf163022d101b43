"""The cohort debrief's value: frozen dataclasses, JSON-able through `to_dict()`.

Every figure is kept as a count beside its share; every share is a whole percentage rounded to the
nearest (`shares`, `percent`), so equal counts show equal shares and a list may add up to 99 or 101. Means are kept exact (front ends round
them to one decimal) and are None where fewer than `MIN_AVERAGE` seats stand behind them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..debrief.model import EndingRef, plain

COHORT_FORMAT = 1

#: A decision point splits the room when at least two of its choices were each taken by at least this
#: share of the seats that made that decision.
SPLIT_SHARE = 0.25
#: No average is given over fewer seats than this (the count always is).
MIN_AVERAGE = 3
#: The most divisive decision points that make up a path (see `EndingPath`).
KEY_DECISIONS = 6


@dataclass(frozen=True)
class Taken:
    """One decision of one seat."""
    scene: str
    visit: int                 # how many times the seat had decided in this scene before (0: the first visit)
    turn: int
    when: str
    choice: int
    text: str
    tags: tuple


@dataclass(frozen=True)
class SeatSummary:
    """What the cohort debrief needs of one seat, built by `summarise` from its transcript with
    engine.debrief's own sections (why, gap, pattern) when the seat has finished."""
    seat: str                  # the caller's id for the seat (never a name)
    finished: bool
    decisions: tuple           # Taken, in order
    ending: EndingRef | None
    triangle: dict             # name -> exact value at the seat's current point
    parts: dict                # name -> value as shown (engine.views.shown)
    score: float               # the leaderboard's score: the mean of the parts shown, to one decimal
    tags: dict                 # tag -> decisions that carried it
    misread: dict              # partner id -> the widest distance of a false belief about them (only misread ones)
    one_to_ones: dict          # partner id -> one-to-ones held with them
    reflection: tuple          # (id, stage, text) of the scenario's own questions whose `if` held at the end


@dataclass(frozen=True)
class Count:
    """One part of a whole: `count` of the whole, and its share as a whole percentage (nearest)."""
    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class EndingShare:
    ending: EndingRef
    count: int                 # finished seats that reached it
    percent: int               # of the finished seats (nearest whole percentage)
    mean_score: float | None   # mean score of those seats; None below MIN_AVERAGE


@dataclass(frozen=True)
class BranchOutcome:
    """How the seats that took one choice ended: over those of them that finished."""
    seats: int                 # finished seats on this branch (n)
    score: float | None        # mean of their scores; None when n < MIN_AVERAGE
    parts: dict | None         # mean of each part of the triangle as shown; None when n < MIN_AVERAGE
    qualities: dict            # ending quality -> seats (for any n)


@dataclass(frozen=True)
class Branch:
    choice: int
    text: str
    tags: tuple
    count: int                 # seats that took it
    percent: int               # of the seats that made the decision (nearest whole percentage)
    outcome: BranchOutcome
    note: str | None           # the choice's authored debrief note
    sections: tuple            # the paper's sections the note cites
    model: bool                # the note calls itself the game's model


@dataclass(frozen=True)
class DecisionPoint:
    scene: str
    visit: int
    title: str
    when: str                  # the quarter most of the seats made it in
    reached: int               # seats that made this decision (finished or not)
    branches: tuple            # Branch, by choice index; only the choices someone took
    split: bool                # at least two branches each hold SPLIT_SHARE of `reached`
    balance: float             # the second most taken choice's share of `reached` (0 if only one was taken)


@dataclass(frozen=True)
class PathStep:
    scene: str
    visit: int
    title: str
    when: str
    choice: int
    text: str
    agree: int                 # of the ending's seats that made this decision, how many chose this
    of: int                    # the ending's seats that made this decision


@dataclass(frozen=True)
class EndingPath:
    """The most common path to one ending through the key decisions."""
    ending: EndingRef
    seats: int                 # finished seats with this ending
    steps: tuple               # PathStep, in story order
    exact: int                 # seats that took exactly this path (through the key decisions they reached)
    paths: int                 # distinct paths among the ending's seats


@dataclass(frozen=True)
class DimensionSpread:
    tag: str
    label: str
    shares: tuple              # each finished seat's share of its decisions that drew on it, sorted
    low: float                 # the smallest share
    median: float
    high: float                # the largest share
    personas: tuple            # engine.debrief Spread of the systems-leader and hero personas


@dataclass(frozen=True)
class StanceSpread:
    label: str                 # "Power"
    a: Count                   # seats that took side a more often (e.g. "Cede power")
    b: Count                   # seats that took side b more often
    even: Count                # seats that took both equally often (or neither)


@dataclass(frozen=True)
class PatternSpread:
    seats: int
    dimensions: tuple          # DimensionSpread, in the paper's order
    stances: tuple             # StanceSpread
    reading: str


@dataclass(frozen=True)
class ScoreSpread:
    seats: int
    scores: tuple              # every finished seat's score, sorted, without names
    low: float | None
    median: float | None
    high: float | None
    mean: float | None         # None below MIN_AVERAGE
    parts: dict | None         # mean of each part as shown; None below MIN_AVERAGE


@dataclass(frozen=True)
class PartnerGap:
    id: str
    name: str
    agency: str
    in_shadow: bool            # stays in shadow from the balcony
    seats: int                 # finished seats
    misread: int               # of them, seats that misread this partner at some point
    percent: int               # misread / seats, rounded
    never_met: int             # of the seats that misread them, those that never held a one-to-one with them
    widest: float | None       # the median, over the seats that misread them, of the widest false belief (points)
    most: bool                 # more than half the finished seats misread them


@dataclass(frozen=True)
class RoomQuestion:
    id: str
    stage: str                 # Kolb, as in engine.debrief.reflect.STAGES
    text: str
    because: str               # what in the room prompted it
    authored: bool             # the scenario's own `reflection:` question
    seats: int | None          # authored: in how many finished seats' runs its `if` held


@dataclass(frozen=True)
class Definition:
    term: str
    meaning: str


@dataclass(frozen=True)
class Cohort:
    format: int
    scenario: str
    scenario_title: str
    version: str
    seed: int | None
    seats: int                 # every seat
    finished: int              # seats that reached an ending
    endings: tuple             # EndingShare, most reached first
    unreached: tuple           # EndingRef, endings nobody reached
    qualities: tuple           # Count per ending quality (best ... poor), over the finished seats
    scores: ScoreSpread
    pattern: PatternSpread
    decisions: tuple           # DecisionPoint, every one a seat made, in story order
    splits: tuple              # DecisionPoint, those that split the room, most divisive first
    key_decisions: tuple       # (scene, visit) of the decision points paths go through, in story order
    paths: tuple               # EndingPath, in the order of `endings`
    gap: tuple                 # PartnerGap, the most misread first
    questions: tuple           # RoomQuestion
    definitions: tuple         # Definition: what each figure means
    caveat: str
    source: str

    def to_dict(self) -> dict:
        return plain(asdict(self))


@dataclass(frozen=True)
class PlacedChoice:
    title: str
    when: str
    text: str
    same: int                  # seats (this one included) that took the same choice there
    reached: int               # seats that made that decision
    percent: int               # same / reached, rounded
    split: bool


@dataclass(frozen=True)
class Placement:
    """Where one seat sat in the room's distribution. Names nobody."""
    seat: str
    finished: bool
    seats: int                 # the room's finished seats it is set among (itself included)
    ending: EndingRef | None
    same_ending: int           # finished seats with the same ending (itself included)
    ending_percent: int        # its share among the room's endings (EndingShare.percent)
    endings: tuple             # the room's EndingShare, for the picture
    score: float | None
    higher: int                # finished seats with a higher score
    same: int                  # with the same score (itself not included)
    lower: int
    choices: tuple             # PlacedChoice at the (up to place.MAX_PLACED) most divisive splits this seat made
    dimensions: tuple          # (label, this seat's share, the room's median share)
    lines: tuple               # the placement in sentences, for text front ends

    def to_dict(self) -> dict:
        return plain(asdict(self))

