"""The loaded scenario: immutable, compiled content. Runs refer to it by string ids."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

Effect = Callable  # (run, cause) -> None
Cond = Callable    # (state) -> bool


@dataclass(frozen=True)
class Meter:
    id: str
    label: str
    lo: float
    hi: float
    start: float
    integer: bool
    visible: bool
    kind: str
    balcony: bool


@dataclass(frozen=True)
class Flag:
    id: str
    start: bool
    label: str


@dataclass(frozen=True)
class Stakeholder:
    id: str
    name: str
    role: str
    agency: str
    colour: str
    local_budget: bool
    start: dict  # value name -> starting number (trust, support, commitment and declared values)
    voice: str
    balcony: str  # "visible" or "hidden"
    bias: float
    confides: tuple  # ((cond or None, template), ...)


@dataclass(frozen=True)
class CastMember:
    """A minor character: a journalist, a resident. May speak in a scene; has no hidden values."""
    id: str
    name: str
    role: str
    agency: str = ""
    colour: str = "#6d6d6d"


RETURN = "return"  # a choice's `goto: return`: back to where the story was going before an event's detour


@dataclass(frozen=True)
class Choice:
    index: int
    text: Callable
    cond: Cond | None
    unavailable: str | None
    effects: tuple
    tags: tuple
    debrief: str | None
    result: Callable | None
    goto: str
    cond_src: str | None = None
    text_src: str = ""
    cause: str = ""  # "choice:SCENE#INDEX", the cause its effects are recorded under (made once, at load)
    result_src: str | None = None
    #: why it is locked, as a template: it may say different things in different runs ({if}...), and where
    #: it says nothing the locked choice is not shown at all
    why_locked: Callable | None = None
    intended: str | None = None  # "dominated": a deliberate trap, which simulate does not warn about
    file: str = ""
    pos: tuple = (1, 1)  # where its condition is written (or the choice, when it has none)
    #: a goto that depends on state: ((cond or None, target), ...), tried in order after the effects;
    #: the last has no condition. None for a plain goto (then `goto` is where it leads).
    branches: tuple | None = None
    outcomes: tuple = ()         # chancy outcomes (Outcome), one drawn from the run's generator
    quarters: int | None = None  # time the choice takes, instead of its scene's
    targets: tuple = ()          # every place it may lead (goto, branches, outcomes), for the graph checks
    branch_srcs: tuple = ()      # each branch's condition as written ("" for the last)

    def __post_init__(self):
        if not self.targets:
            object.__setattr__(self, "targets", (self.goto,))


@dataclass(frozen=True)
class Outcome:
    """One of a choice's chancy outcomes: drawn with probability weight / (sum of the weights)."""
    weight: float
    effects: tuple
    result: Callable | None
    goto: str | None  # None: where the choice leads
    result_src: str | None = None


@dataclass(frozen=True)
class Scene:
    id: str
    speaker: str
    title: str | None
    text: Callable
    quarters: int
    phase: str | None
    on_enter: tuple
    end: bool
    choices: tuple
    text_src: str = ""
    pos: tuple = (1, 1)
    file: str = ""
    #: the stakeholders in the room (ids), or None for everyone: the dance floor and one-to-ones follow it
    present: tuple | None = None
    #: The indices of the choices when there are some and none has a condition (so all are always
    #: available), else None. Derived, for the simulation's inner loop.
    open_indices: tuple | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        always = bool(self.choices) and all(c.cond is None for c in self.choices)
        object.__setattr__(self, "open_indices", tuple(c.index for c in self.choices) if always else None)

    @property
    def available(self) -> Callable:
        """state -> the tuple of the indices of the choices available now, in order: one generated function
        for all the scene's conditions (engine.expr.picker), made on first use. For tools' inner loops."""
        f = self.__dict__.get("_available")
        if f is None:
            from .expr import picker
            f = picker([(c.index, c.cond) for c in self.choices])
            object.__setattr__(self, "_available", f)
        return f


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    on_enter: tuple
    on_exit: tuple
    next: tuple  # ((to, cond), ...)


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    cond: Cond | None
    effects: tuple  # for `each` rules: ((self_id, cond, effects), ...) flattened into per-member entries


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    text: Callable
    cond: Cond | None
    weight: Callable
    once: bool
    forced: bool
    effects: tuple
    goto: str | None
    text_src: str = ""


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    quality: str
    priority: float
    cond: Cond | None
    fallback: bool
    text: Callable
    text_src: str = ""
    cond_src: str = ""  # the condition as written (engine.endings explains it)
    file: str = ""
    pos: tuple = (1, 1)  # where its condition is written (or its id)


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    cond: Cond | None
    text: Callable
    effects: tuple


@dataclass(frozen=True)
class Later:
    ref: str
    title: str
    text: Callable | None
    effects: tuple


@dataclass(frozen=True)
class Assumption:
    """What a piece of text assumes about the run (`assumes:`), checked by explore and check.

    `key` names the text as the runtime reports it to Run.on_text: "scene:ID" (the scene's text),
    "choice:SCENE#I" (the choice's result), "later:REF" (a delayed effect's text), "event:ID",
    "ending:ID", "story:ID" (a service user's story) or "confides:STAKEHOLDER#I" (a one-to-one's line).
    """
    key: str
    what: str      # e.g. "the scene 'the_file'", for messages
    source: str    # the expression as written
    file: str
    line: int
    column: int
    cond: Cond


@dataclass(frozen=True)
class Perception:
    attention: int
    balcony_cost: int
    band: float
    balcony_text: str
    listen_cost: int
    stories: tuple
    listen_fallback: str
    one_cost: int
    one_effects: dict  # stakeholder id -> effects


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    version: str
    summary: str
    place: str
    years: tuple
    role: str
    themes: tuple
    length_minutes: int | None
    credits: tuple
    sources: tuple
    start: str
    cal_start: tuple  # (year, quarter)
    cal_end: tuple | None
    meters: dict
    flags: dict
    values: dict  # stakeholder value name -> (lo, hi, integer)
    stakeholders: dict
    groups: dict  # name -> tuple of stakeholder ids
    scenes: dict
    phases: dict  # in declared order
    rules: tuple
    event_chance: float
    events: tuple
    endings: tuple  # sorted by priority, fallback last
    triangle: dict  # name -> fn
    perception: Perception
    laters: dict  # ref -> Later
    ranges: dict  # state key -> (lo, hi, integer); flags are absent
    start_values: dict  # state key -> starting value
    tags: tuple
    personas: dict
    invariants: tuple
    path: str
    files: tuple
    computed: dict = field(default_factory=dict)  # name -> fn
    check_runs: int | None = None  # runs per persona `balcony check` needs for the invariants (`check: {runs: N}`)
    content_hash: str = ""
    #: What pieces of text assume (`assumes:`), by the key the runtime reports them under (see Assumption).
    assumptions: dict = field(default_factory=dict)
    #: The declarations expressions are compiled against (an expr.Env); tools compile their own measures with it.
    env: object = field(default=None, repr=False, compare=False)
    #: minor characters who may speak (id -> CastMember): a name and a role, no hidden values
    cast: dict = field(default_factory=dict)
    #: The scenario's own reflection questions for the debrief: ({id, stage, text (a template), cond}, ...).
    reflection: tuple = field(default=(), repr=False, compare=False)
    #: Whether any choice says `goto: return` (so that runs keep the scenes that events took them away from).
    uses_return: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "uses_return", any(RETURN in c.targets for sc in self.scenes.values()
                                                    for c in sc.choices))

    def scene(self, scene_id: str) -> Scene:
        return self.scenes[scene_id]

    def quarter_label(self, turn: int) -> str:
        y, q = self.calendar_at(turn)
        return f"{y} Q{q}"

    def calendar_at(self, turn: int) -> tuple:
        idx = self.cal_start[0] * 4 + (self.cal_start[1] - 1) + turn
        return idx // 4, idx % 4 + 1

    @property
    def end_turn(self) -> int | None:
        if not self.cal_end:
            return None
        return (self.cal_end[0] * 4 + self.cal_end[1]) - (self.cal_start[0] * 4 + self.cal_start[1])
