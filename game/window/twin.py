"""An in-memory twin of the engine's driving API, for tests and the benchmark.

It returns the engine's own snapshot types (``engine.views``) from a tiny scripted
story ("Harbour Street"), so screens, layout and the pilot can be exercised
without the real engine or a scenario file. It is not a simulation: numbers
move by fixed steps.
"""
from __future__ import annotations

import contextlib

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import PhaseError
from engine.views import (ActionView, BalconyView, CalendarView, ChoiceView, EndingView, MeterReading,
                          MeterView, Notice, PhaseView, Reading, Snapshot, SpeakerView, StakeholderView)

from .backend import ScenarioInfo


CAST = (
    ("council", "Priya Raman", "Chief Executive", "Hartley Vale Council", "#0b6e4f", True),
    ("police", "Ch Supt Dana Okafor", "Borough Commander", "Metropolitan Police", "#1f4e9c", False),
    ("health", "Dr Tom Hale", "GP Partner", "Riverside Practice", "#8a3ffc", False),
    ("housing", "Marion Kerr", "Head of Housing", "Vale Homes", "#c2410c", True),
    ("voluntary", "Sam Achebe", "Director", "Harbour Street Trust", "#a16207", True),
)

SCENES = {
    "opening": dict(
        title="The first board",
        speaker="council",
        text=("{name} closes the door of the committee room. \"We have eighteen months to show the "
              "partnership works, and every agency round this table thinks it is someone else's job.\"\n\n"
              "On the wall, a map of Harbour Street is covered in coloured pins: one for every family "
              "that three or more services visited last year."),
        choices=[
            ("Set the targets yourself and announce them on Monday.", True, None, "board"),
            ("Ask the partners to write the targets with you.", True, None, "board"),
            ("Pool the budgets before anyone has agreed what for.", False,
             "Political support is too low to risk pooled budgets.", "board"),
        ],
    ),
    "board": dict(
        title="Data-sharing",
        speaker="police",
        text=("\"Of course we'll share the data,\" says {name}. Everyone nods. Nobody writes anything "
              "down.\n\nThe agreement has been 'nearly signed' for two quarters."),
        choices=[
            ("Name the gap: ask each partner what they will deliver by Friday.", True, None, "families"),
            ("Thank everyone and move to the next item.", True, None, "families"),
        ],
    ),
    "families": dict(
        title="Veteran families",
        speaker="narrator",
        text=("In a church hall, five parents describe a year of appointments. One counted eleven "
              "professionals at her door, each asking the same questions."),
        choices=[
            ("Bring the board to hear them next month.", True, None, "end"),
            ("Thank them and write up the findings yourself.", True, None, "end"),
        ],
    ),
}

SAYS = ("Opposed", "Sceptical", "Open to it", "Supportive", "Fully behind it")


def long_text(words: int = 700) -> str:
    """A scene-like paragraph of about ``words`` words, for the benchmark."""
    base = ("The partnership board meets in a room that is too small for it, and the chair asks each agency "
            "in turn what it has delivered since the last quarter. Police talk about budgets held at the "
            "Yard; health about practices that are businesses of their own; housing about the waiting list. "
            "Everyone says yes to the plan, and the families on Harbour Street wait to see what changes. ")
    per = len(base.split())
    reps = max(1, words // per)
    paras = []
    for i in range(reps):
        paras.append(base.strip())
    # a blank line every three sentences-worth, so it looks like prose
    out = []
    for i in range(0, len(paras), 3):
        out.append(" ".join(paras[i:i + 3]))
    return "\n\n".join(out)


@dataclass
class TwinState:
    scene: str = "opening"
    status: str = "choosing"
    turn: int = 0
    attention: int = 2
    trust: dict = field(default_factory=lambda: {c[0]: 40.0 for c in CAST})
    support: dict = field(default_factory=lambda: {c[0]: 60.0 + 5 * i for i, c in enumerate(CAST)})
    commitment: dict = field(default_factory=lambda: {c[0]: 30.0 + 4 * i for i, c in enumerate(CAST)})
    balcony: bool = False
    insights: list = field(default_factory=list)
    revealed: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    ending: str | None = None
    budget: int = 1200


class TwinScenario:
    def __init__(self, long_scene_words: int = 0) -> None:
        self.id = "harbour"
        self.title = "Harbour Street"
        self.long_scene_words = long_scene_words


class TwinRun:
    """Mirrors ``engine.Run``: snapshot, perceive, choose, advance, saves."""

    def __init__(self, scenario: TwinScenario, seed: int = 0) -> None:
        self.scenario = scenario
        self.seed = seed
        self.state = TwinState()
        self.actions: list = []

    # -- driving API --
    @contextlib.contextmanager
    def atomic(self):
        """Mirrors Run.atomic(); the twin has no expressions, so its steps cannot fail part-way."""
        yield self

    def snapshot(self) -> Snapshot:
        st = self.state
        scene = SCENES.get(st.scene, SCENES["opening"])
        sp_id = scene["speaker"]
        if sp_id == "narrator":
            speaker = SpeakerView("narrator", "Narrator", "", "", None)
        else:
            c = next(c for c in CAST if c[0] == sp_id)
            speaker = SpeakerView(c[0], c[1], c[2], c[3], c[4])
        text = scene["text"].replace("{name}", speaker.name)
        if self.scenario.long_scene_words:
            text = long_text(self.scenario.long_scene_words)
        choices = tuple(ChoiceView(i, t, ok, why, ()) for i, (t, ok, why, _g) in enumerate(scene["choices"]))
        year = 2012 + st.turn // 4
        q = st.turn % 4 + 1
        actions = (
            ActionView("balcony", "Go to the balcony", 1, st.attention >= 1 and not st.balcony,
                       None if st.attention >= 1 and not st.balcony else ("Already up there this quarter" if st.balcony else "No attention left")),
            ActionView("listen", "Listen to service users", 1, st.attention >= 1, None if st.attention >= 1 else "No attention left"),
            ActionView("one_to_one", "Hold a one-to-one", 1, st.attention >= 1, None if st.attention >= 1 else "No attention left"),
        )
        floor = tuple(
            StakeholderView(c[0], c[1], c[2], c[3], c[4], c[5], SAYS[min(4, int(st.support[c[0]] // 20))],
                            min(4, int(st.support[c[0]] // 20)))
            for c in CAST
        )
        balcony = None
        if st.balcony:
            readings = []
            for c in CAST:
                if c[0] == "health":
                    readings.append(Reading(c[0], c[1], True, None, None))
                else:
                    t, m = st.trust[c[0]], st.commitment[c[0]]
                    readings.append(Reading(c[0], c[1], False, (max(0, t - 10), min(100, t + 10)),
                                            (max(0, m - 10), min(100, m + 10))))
            balcony = BalconyView(tuple(readings), (MeterReading("outcomes", "Families doing better", 15, 35),
                                                    MeterReading("tension", "Tension", 40, 60)),
                                  "From the balcony the pattern is clearer, if not complete.")
        ending = None
        if st.ending:
            ending = EndingView("long_game", "The long game", "good",
                                "Your successor will reap what you sowed. The board meets without you now, and "
                                "it still asks the families first.",
                                {"public_value": 58.0, "legitimacy": 47.0, "capacity": 63.0})
        return Snapshot(
            status=st.status, scenario_id=self.scenario.id, scenario_title=self.scenario.title,
            scene_id=st.scene, scene_title=scene["title"], speaker=speaker, text=text,
            choices=choices if st.status == "choosing" else (),
            calendar=CalendarView(st.turn, year, q, f"{year} Q{q}"), phase=PhaseView("pilot", "Local pilot"),
            attention_left=st.attention, attention_max=2, perception_actions=actions, dance_floor=floor,
            balcony=balcony, insights=tuple(st.insights), revealed=tuple(st.revealed),
            visible_meters=(MeterView("budget", "Budget (£k)", st.budget, 0, 5000, "capacity"),
                            MeterView("political", "Political support", 55, 0, 100, "legitimacy")),
            notices=tuple(Notice(**n) for n in st.notices), ending=ending, decisions=len(st.decisions),
        )

    def perceive(self, kind: str, target: str | None = None) -> None:
        st = self.state
        if st.status != "choosing":
            raise PhaseError("perceive() is only allowed while choosing; call advance() first")
        if st.attention < 1:
            raise PhaseError("no attention left this quarter")
        st.attention -= 1
        self.actions.append(("perceive", kind, target))
        if kind == "balcony":
            st.balcony = True
        elif kind == "listen":
            st.insights.append("A mother of three: \"Eleven people came. None of them talked to each other.\"")
        elif kind == "one_to_one":
            tid = target or "police"
            st.revealed.append((tid, st.commitment[tid]))
            st.trust[tid] += 5
            st.insights.append(f"Off the record, {next(c[1] for c in CAST if c[0] == tid)} admits the budget is not theirs to promise.")

    def choose(self, index: int) -> None:
        st = self.state
        if st.status != "choosing":
            raise PhaseError("choose() is only allowed while choosing")
        scene = SCENES[st.scene]
        text, ok, _why, goto = scene["choices"][index]
        if not ok:
            raise ValueError("that choice is unavailable")
        self.actions.append(("choose", index))
        st.decisions.append((st.scene, index, text))
        for c in CAST:
            st.support[c[0]] = min(100, st.support[c[0]] + (4 if index == 0 else -2))
            st.commitment[c[0]] = min(100, st.commitment[c[0]] + (-2 if index == 0 else 6))
        st.turn += 1
        st.attention = 2
        st.balcony = False
        st.insights = []
        st.revealed = []
        notices = [Notice("result", "You decided", f"\"{text}\" The room takes it in.")]
        notices.append(Notice("quarter", f"{2012 + st.turn // 4} Q{st.turn % 4 + 1}",
                              "A quarter passes. Partners report progress at the board."))
        if st.turn == 2:
            notices.append(Notice("event", "Ofsted arrives", "The inspectors want the case files by Friday."))
            notices.append(Notice("delayed", "The targets bite",
                                  "Partners quietly stop sending staff to the working groups.",
                                  cause=f"{st.decisions[0][2]} (2012 Q1)"))
        if goto == "end":
            notices.append(Notice("phase", "Programme review", "The pilot is reviewed."))
        st.notices = [dict(kind=n.kind, title=n.title, text=n.text, cause=n.cause) for n in notices]
        st.status = "outcome"
        st.scene = goto if goto != "end" else st.scene
        if goto == "end":
            st.ending = "long_game"

    def advance(self) -> None:
        st = self.state
        if st.status != "outcome":
            raise PhaseError("advance() is only allowed after a choice")
        self.actions.append(("advance",))
        st.notices = []
        st.status = "ended" if st.ending else "choosing"

    # -- saves --
    def to_save(self) -> dict:
        return {"scenario": self.scenario.id, "version": 1, "seed": self.seed, "state": copy.deepcopy(self.state.__dict__),
                "actions": list(self.actions)}

    @classmethod
    def from_save(cls, scenario: TwinScenario, data: dict) -> "TwinRun":
        run = cls(scenario, data.get("seed", 0))
        run.state = TwinState(**copy.deepcopy(data["state"]))
        run.actions = list(data.get("actions", []))
        return run


class TwinBackend:
    """A Backend (see :mod:`game.window.backend`) serving the twin story."""

    PATH = "twin://harbour"

    def __init__(self, long_scene_words: int = 0) -> None:
        self.long_scene_words = long_scene_words

    def list_scenarios(self) -> list[ScenarioInfo]:
        return [self.info(self.PATH)]

    def info(self, path: str) -> ScenarioInfo:
        return ScenarioInfo(
            path=self.PATH, id="harbour", title="Harbour Street",
            summary=("A local partnership on one street, told in three scenes: a first board, a data-sharing "
                     "agreement that everyone supports and nobody signs, and a meeting with families."),
            place="Hartley Vale", years=(2012, 2013), role="Director of Children's Services",
            themes=("power", "conflict", "narrative"), length_minutes=5,
        )

    def load(self, path: str) -> TwinScenario:
        return TwinScenario(self.long_scene_words)

    def translation_file(self, path: str) -> str | None:
        return None  # the twin has no translations

    def new_run(self, scenario: Any, seed: int) -> TwinRun:
        return TwinRun(scenario, seed)

    def run_from_save(self, scenario: Any, data: dict) -> TwinRun:
        return TwinRun.from_save(scenario, data)

    def write_save(self, path: Path, run: TwinRun) -> None:
        import json

        Path(path).write_text(json.dumps(run.to_save()), encoding="utf-8")

    def read_save(self, path: Path, scenario: Any) -> TwinRun:
        import json

        return TwinRun.from_save(scenario, json.loads(Path(path).read_text(encoding="utf-8")))
