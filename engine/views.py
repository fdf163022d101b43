"""Frozen views the front ends read. Hidden state reaches them only through perception."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class SpeakerView:
    id: str
    name: str
    role: str
    agency: str
    colour: str


@dataclass(frozen=True)
class ChoiceView:
    index: int          # the choice's index in the scene (stable; pass it to Run.choose)
    text: str
    available: bool
    reason: str | None  # why it is unavailable, where the author says
    tags: tuple


@dataclass(frozen=True)
class CalendarView:
    turn: int
    year: int
    quarter: int
    label: str


@dataclass(frozen=True)
class PhaseView:
    id: str
    name: str


@dataclass(frozen=True)
class ActionView:
    kind: str           # balcony, listen, one_to_one
    label: str
    cost: int
    available: bool
    reason: str | None


@dataclass(frozen=True)
class StakeholderView:
    id: str
    name: str
    role: str
    agency: str
    colour: str
    local_budget: bool
    says: str           # what they say in the room
    support_band: int   # 0 (opposed) to 4 (fully behind it), from stated support


@dataclass(frozen=True)
class Reading:
    stakeholder_id: str
    name: str
    hidden: bool
    trust: tuple | None       # (lo, hi)
    commitment: tuple | None  # (lo, hi)


@dataclass(frozen=True)
class MeterReading:
    id: str
    label: str
    lo: float
    hi: float


@dataclass(frozen=True)
class BalconyView:
    readings: tuple
    meters: tuple
    text: str


@dataclass(frozen=True)
class MeterView:
    id: str
    label: str
    value: float
    lo: float
    hi: float
    kind: str


@dataclass(frozen=True)
class Notice:
    kind: str    # result, quarter, event, delayed, phase
    title: str
    text: str
    cause: str | None = None


@dataclass(frozen=True)
class EndingView:
    id: str
    title: str
    quality: str
    text: str
    triangle: dict


@dataclass(frozen=True)
class Snapshot:
    status: str  # choosing, outcome, ended
    scenario_id: str
    scenario_title: str
    scene_id: str
    scene_title: str | None
    speaker: SpeakerView
    text: str
    choices: tuple
    calendar: CalendarView
    phase: PhaseView
    attention_left: int
    attention_max: int
    perception_actions: tuple
    dance_floor: tuple
    balcony: BalconyView | None
    insights: tuple
    revealed: tuple
    visible_meters: tuple
    notices: tuple
    ending: EndingView | None
    decisions: int

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def available_choices(self) -> tuple:
        return tuple(c for c in self.choices if c.available)


SAYS = ("Opposed", "Sceptical", "Open to it", "Supportive", "Fully behind it")


def says_band(support: float) -> int:
    return min(4, max(0, int(support // 20)))
