"""The debrief's value: frozen dataclasses, JSON-able through `to_dict()`, equal when built from equal runs.

Every front end (terminal text, the window, the HTML report) renders the same `Debrief`. Numbers are
kept as the engine recorded them (front ends round for display); sequences are tuples and mappings
plain dicts of JSON types, so `json.dumps(debrief.to_dict())` always works.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..marks import N_

DEBRIEF_FORMAT = 1

#: Ending qualities from worst to best: what "a better ending" means.
QUALITY_RANK = {"poor": 0, "mixed": 1, "good": 2, "best": 3}

#: The caveat every debrief carries (design brief; the paper, Section Three, "Does systems leadership
#: improve outcomes?"). Marked for translation: the debrief words it through its translator (`tr(CAVEAT)`).
# TRANSLATORS: a claim about the research: keep its meaning exactly, and keep the reference "(Ghate, Lewis &
# Welbourn 2013, Section Three)" as it is (it names a section of the English paper).
CAVEAT = N_("The game's numbers are a teaching model, not evidence. The research behind it says plainly that "
             "quantitative data connecting systems leadership with outcomes for service users do not exist "
             "(Ghate, Lewis & Welbourn 2013, Section Three). Read every figure here as the consequence of this "
             "scenario's rules, which are built to be consistent with the paper's findings, not as a measurement "
             "of leadership.")


@dataclass(frozen=True)
class Change:
    """One recorded change of a hidden or visible value: `key` is the state key (`outcomes`, `police.trust`)."""
    key: str
    label: str
    before: float
    after: float
    turn: int
    when: str

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def shown_delta(self) -> int:
        """The change as shown: the difference of the two values shown (the one rounding rule)."""
        from ..views import shown
        return shown(self.after) - shown(self.before)


@dataclass(frozen=True)
class Clause:
    """One part of an ending's condition (see engine.endings), with the values that decided it."""
    text: str                  # in plain words, with the values it read: "public value (35) at least 32"
    value: float | None        # the left side's value at the end of the run (None: not a number)
    target: float | None       # the right side's value
    holds: bool
    short_by: float | None     # how far the left side was from making the clause hold (0 when it holds)


@dataclass(frozen=True)
class EndingRef:
    id: str
    title: str
    quality: str


@dataclass(frozen=True)
class NextEnding:
    """The nearest ending of better quality, and what stood between the run and it."""
    ending: EndingRef
    condition: str
    failed: tuple              # Clause, the ones that did not hold
    blocked_by: tuple          # EndingRef: endings tried first whose conditions held (they would still win)
    summary: str


@dataclass(frozen=True)
class Why:
    ending: EndingRef
    condition: str             # the ending's `if`, or "fallback"
    clauses: tuple             # Clause: the comparisons in it, with their values
    passed_over: tuple         # EndingRef: endings tried before this one, whose conditions failed
    triangle: dict             # name -> score at the end
    next_better: NextEnding | None
    summary: str


@dataclass(frozen=True)
class Seen:
    """What the player saw of one stakeholder once: a balcony band, an exact one-to-one reading, or shadow."""
    turn: int
    when: str
    kind: str                  # "balcony", "one_to_one" or "shadow"
    lo: float | None
    hi: float | None
    true: float                # the real commitment at that moment


@dataclass(frozen=True)
class StakeholderGap:
    id: str
    name: str
    agency: str
    colour: str
    support: tuple             # stated support at each point of the timeline
    commitment: tuple          # real commitment at each point of the timeline
    seen: tuple                # Seen, in order
    one_to_ones: int
    balcony_readings: int
    in_shadow: bool            # stays in shadow from the balcony
    unseen_quarters: int       # quarters in which the player saw nothing of their commitment
    final_gap: float           # stated support minus commitment at the end
    widest_gap: float
    widest_when: str


@dataclass(frozen=True)
class Moment:
    """A time when what the player believed and what was true were far apart."""
    turn: int
    when: str
    stakeholder: str
    name: str
    believed: str
    truth: str
    distance: float            # points between what they believed (midpoint) and the real commitment
    text: str


@dataclass(frozen=True)
class Series:
    id: str
    label: str
    kind: str
    lo: float
    hi: float
    values: tuple


@dataclass(frozen=True)
class Gap:
    turns: tuple               # the timeline's turns: the start, then the end of every quarter
    labels: tuple              # their quarter labels
    stakeholders: tuple        # StakeholderGap
    moments: tuple             # Moment, 2-3 of them when there are any
    blind_quarters: tuple      # labels of quarters with no balcony and no one-to-one at all
    summary: str


@dataclass(frozen=True)
class Story:
    """The timeline for the Story tab: meters, the triangle, events and decisions, per quarter."""
    turns: tuple
    labels: tuple
    meters: tuple              # Series
    triangle: tuple            # Series
    events: tuple              # (turn, label, title)
    decisions: tuple           # (turn, label, text)


@dataclass(frozen=True)
class Link:
    """A delayed effect of a decision, as the engine recorded it when it landed."""
    turn: int
    when: str
    title: str
    changes: tuple             # Change


@dataclass(frozen=True)
class Outcome:
    """Where a (counterfactual) run ended."""
    ending: EndingRef
    triangle: dict


@dataclass(frozen=True)
class TracedDecision:
    rank: int
    step: int                  # which decision of the run (1-based)
    turn: int
    when: str
    scene: str
    choice: int
    text: str
    tags: tuple
    immediate: tuple           # Change: what the choice changed at once
    delayed: tuple             # Link: delayed effects it scheduled, when they landed
    alternative_choice: int
    alternative_text: str
    alternative: Outcome       # where the run would have ended with the alternative
    triangle_delta: dict       # actual minus alternative, per triangle score, as shown (whole numbers)
    weight: float
    verdict: str               # "better", "worse" or "same": the player's choice against the alternative
    summary: str


@dataclass(frozen=True)
class Trace:
    rule: str                  # the documented rule for keeping the rest of the strategy
    decisions: tuple           # TracedDecision, most consequential first
    tested: int                # decisions tested
    replays: int               # counterfactual runs played


@dataclass(frozen=True)
class Swap:
    step: int
    turn: int
    when: str
    scene: str
    actual_choice: int
    actual_text: str
    choice: int
    text: str


@dataclass(frozen=True)
class BetterPath:
    found: bool
    swaps: tuple               # Swap
    outcome: Outcome | None
    certain: bool              # replayed under this run's seed, the change reaches the better ending
    seeds: int                 # other seeds tried with the same change and rule
    seeds_better: int          # of those, how many reached an ending better than the player's
    seeds_baseline: int        # and how many the player's own choices reached, by the same rule
    searched: int              # runs played by the search
    summary: str


@dataclass(frozen=True)
class Spread:
    """How a persona's runs drew on one tag: the share of its decisions, across its runs."""
    persona: str
    low: float                 # 10th percentile
    median: float
    high: float                # 90th percentile


@dataclass(frozen=True)
class TagUse:
    tag: str
    label: str
    count: int
    share: float               # of the player's decisions
    decisions: tuple           # (when, text)
    personas: tuple            # Spread


@dataclass(frozen=True)
class Stance:
    label: str
    a: TagUse
    b: TagUse


@dataclass(frozen=True)
class PersonaRuns:
    name: str                  # the persona's id, as `balcony simulate --persona` takes it
    description: str
    runs: int
    endings: dict              # ending id -> runs
    label: str = ""            # what the debrief calls it, in the debrief's language ("Systems leader")


@dataclass(frozen=True)
class Pattern:
    decisions: int
    dimensions: tuple          # TagUse, the six dimensions in the paper's order
    stances: tuple             # Stance
    personas: tuple            # PersonaRuns
    reading: str               # how to read it: a pattern, not a score
    ending_titles: dict = field(default_factory=dict)  # ending id -> title, for the endings the personas reached


@dataclass(frozen=True)
class Note:
    step: int
    turn: int
    when: str
    year: int
    scene: str
    choice_text: str
    note: str
    sections: tuple            # the paper's sections the note cites ("Section Five")
    model: bool                # the note says it is the game's model, not the research


@dataclass(frozen=True)
class Research:
    years: tuple               # (year, tuple of Note)
    caveat: str
    source: str
    uncited: int               # notes that credit the research without a section


@dataclass(frozen=True)
class Question:
    id: str
    stage: str                 # Kolb: "experience", "reflection", "conceptualisation", "experiment"
    text: str
    because: str               # what in this run prompted it
    authored: bool


@dataclass(frozen=True)
class Debrief:
    format: int
    scenario: str
    scenario_title: str
    version: str
    seed: int
    decisions: int
    ending: EndingRef
    triangle: dict
    why: Why
    gap: Gap
    story: Story
    trace: Trace
    better: BetterPath
    pattern: Pattern
    research: Research
    reflection: tuple          # Question
    timings: dict = field(default_factory=dict, compare=False)  # section -> seconds (not part of equality)
    #: The language its sentences are worded in, as the translator it was built with names it ("cy"); "" for
    #: English. A front end words its own page around the debrief in it (game/debrief/report.py). Not in to_dict.
    lang: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        """Plain JSON types: tuples become lists, so that the dict equals its own JSON round trip."""
        d = asdict(self)
        d.pop("timings", None)
        d.pop("lang", None)
        return plain(d)


def plain(v):
    """Plain JSON types (the debrief's and the cohort's `to_dict`): tuples become lists, keys strings."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v
