"""Frozen views the front ends read. Hidden state reaches them only through perception."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from .marks import N_, same


def shown(v) -> int:
    """The one rounding rule for every number a player sees: the nearest whole number, halves away from zero.

    Values shown are rounded by it; a change shown is the difference of two shown values, so a player who
    adds the change to the number shown before gets the number shown now."""
    f = float(v)
    return int(math.floor(f + 0.5)) if f >= 0 else -int(math.floor(-f + 0.5))


def signed(n: int) -> str:
    """A shown change with its sign: +6, -2, 0."""
    return f"+{n:,}" if n > 0 else f"{n:,}"


@dataclass(frozen=True)
class Part:
    """What one cause contributed to a shown change: ("your decision", +6), ("drift", -2)."""
    label: str
    delta: int


@dataclass(frozen=True)
class MeterRow:
    """One visible meter in a statement (a quarter summary, a scene's opening, a perception's cost), or, with
    `value` None, one meter's change from a decision alone.

    Every number is already rounded by `shown`: `delta` is `value` minus the value shown the statement
    before, and the parts, in the order they happened, add up to `delta`."""
    id: str
    label: str
    value: int | None
    delta: int
    parts: tuple  # of Part

    def change_text(self, tr=same) -> str:
        """The change and its parts: '+4: +6 your decision, -2 drift'; '+6 your decision'; '' for none.
        `tr` translates the parts' labels and the templates (a front end's gettext; English by default)."""
        parts = self.parts
        if len(parts) == 1 and parts[0].delta == self.delta:
            return tr(N_("{change} {cause}")).format(change=signed(self.delta), cause=tr(parts[0].label))
        head = signed(self.delta) if self.delta else tr(N_("no change"))
        if not parts:
            return head if self.delta else ""
        return tr(N_("{change}: {parts}")).format(change=head, parts=", ".join(
            tr(N_("{change} {cause}")).format(change=signed(p.delta), cause=tr(p.label)) for p in parts))

    def text(self, tr=same) -> str:
        """The row as both front ends print it: 'Board confidence: 52 (+4: +6 your decision, -2 drift)'."""
        if self.value is None:
            return f"{self.label} {signed(self.delta)}"
        change = self.change_text(tr)
        return f"{self.label}: {self.value:,}" + (f" ({change})" if change else "")

    @classmethod
    def from_dict(cls, d: dict) -> "MeterRow":
        return cls(d["id"], d["label"], d["value"], d["delta"], tuple(Part(p[0], p[1]) for p in d["parts"]))


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
    value: float        # the exact value, for bars; show `shown`
    lo: float
    hi: float
    kind: str
    shown: int = 0      # the value as the player sees it (rounded by `shown`)


@dataclass(frozen=True)
class Notice:
    kind: str    # result, quarter, event, delayed, phase
    title: str
    text: str
    cause: str | None = None
    rows: tuple = ()    # MeterRow: a quarter's summary (every visible meter), or a result's effect on them

    def rows_text(self, tr=same) -> str:
        """The rows in one line, for a front end that shows a notice as one text: a result's
        'Your decision: Political support +6 · Budget -50'; a quarter's 'Political support: 52 (+4: ...); ...'."""
        if not self.rows:
            return ""
        if all(r.value is None for r in self.rows):
            return tr(N_("Your decision: {changes}")).format(changes=" · ".join(r.text(tr) for r in self.rows))
        return "; ".join(r.text(tr) for r in self.rows) + "."

    def full_text(self, tr=same) -> str:
        """The notice's text followed by its rows: what a player reads on one card."""
        return "\n\n".join(t for t in (self.text, self.rows_text(tr)) if t)


@dataclass(frozen=True)
class EndingView:
    id: str
    title: str
    quality: str
    text: str
    triangle: dict      # name -> score as shown (a whole number, by `shown`)
    why: tuple = ()     # why this ending, in plain words (engine.endings.explain(...).lines())


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
    changes: tuple = ()  # MeterRow: what changed the visible meters since the last statement, said on arriving
    #                      in this scene or after a perception (empty when nothing changed)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Snapshot":
        """The inverse of to_dict, also after a JSON round trip (lists back to tuples, views back to their
        classes, by NESTED): a classroom client rebuilds the snapshot it was sent and shows it as a local one.
        tests/engine/test_snapshot_from_dict.py fails when a new nested view is missing from NESTED."""
        return _build(cls, d)

    @property
    def available_choices(self) -> tuple:
        return tuple(c for c in self.choices if c.available)


SAYS = (N_("Opposed"), N_("Sceptical"), N_("Open to it"), N_("Supportive"), N_("Fully behind it"))


def says_band(support: float) -> int:
    return min(4, max(0, int(support // 20)))


#: The views inside views, for from_dict: (class, field) -> the view class of the field's value, or of each
#: item when the field holds a tuple. A new nested view goes here too.
NESTED = {
    (Snapshot, "speaker"): SpeakerView, (Snapshot, "choices"): ChoiceView, (Snapshot, "calendar"): CalendarView,
    (Snapshot, "phase"): PhaseView, (Snapshot, "perception_actions"): ActionView,
    (Snapshot, "dance_floor"): StakeholderView, (Snapshot, "balcony"): BalconyView,
    (Snapshot, "visible_meters"): MeterView, (Snapshot, "notices"): Notice, (Snapshot, "ending"): EndingView,
    (Snapshot, "changes"): MeterRow, (BalconyView, "readings"): Reading, (BalconyView, "meters"): MeterReading,
    (Notice, "rows"): MeterRow, (MeterRow, "parts"): Part,
}


def _tuples(v):
    if isinstance(v, (list, tuple)):
        return tuple(_tuples(x) for x in v)
    if isinstance(v, dict):
        return {k: _tuples(x) for k, x in v.items()}
    return v


def _build(cls, d: dict):
    kw = {}
    for f in fields(cls):
        if f.name not in d:
            continue
        v, inner = d[f.name], NESTED.get((cls, f.name))
        if inner is not None and v is not None:
            v = tuple(_build(inner, x) for x in v) if isinstance(v, (list, tuple)) else _build(inner, v)
        else:
            v = _tuples(v)
        kw[f.name] = v
    return cls(**kw)
