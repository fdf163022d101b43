"""The debrief: why this ending, the balcony gap, the causal trace, a better path, the leadership pattern,
what the research says and questions for reflection, built from a transcript.

    from engine import load_scenario
    from engine.debrief import build

    debrief = build(scenario, transcript)      # a frozen Debrief; debrief.to_dict() is JSON-able

`build` replays the transcript (so the same transcript always gives the same debrief) and plays
counterfactual runs from it. `Builder(...).sections()` builds it section by section, yielding each
section's name as it is ready, for front ends that show the first part at once. See README.md here.
"""
from __future__ import annotations

import time

from .better import build_better
from .gap import build_gap, build_story, timeline
from .model import DEBRIEF_FORMAT, Debrief
from .pattern import build_pattern
from .play import Player, outcome, recorded_run
from .reflect import build_reflection
from .research import build_research
from .trace import build_trace, counterfactuals
from .why import build_why
from ..marks import same

#: The sections in the order `Builder.sections()` makes them.
ORDER = ("why", "story", "gap", "research", "trace", "better", "pattern", "reflection")


class Builder:
    """Builds a debrief section by section. `transcript` is a run's `transcript()`; `run`, if given, is the
    live run it came from (its recorded history is used instead of a replay). `tr` translates the words the
    engine composes in every section (a front end's gettext; English by default); the scenario's own words
    (choices, titles, notes) are as the scenario gives them. The language is the translator's `lang` attribute (a
    code, or a function that returns one, read when the debrief is made), kept as the Debrief's `lang`."""

    def __init__(self, scenario, transcript: dict, run=None, tr=same):
        self.tr = tr
        self.scenario = scenario
        self.transcript = transcript
        self.live = run
        self.parts: dict = {}
        self.timings: dict = {}
        self.run = None

    def sections(self):
        """Build each section in ORDER, yielding its name once it is in `self.parts`."""
        sc = self.scenario
        t0 = time.perf_counter()
        run = self.live if self.live is not None else recorded_run(sc, self.transcript)
        self.run = run
        points = timeline(run)
        self.timings["replay"] = time.perf_counter() - t0
        steps = (
            ("why", lambda: build_why(sc, run, self.tr)),
            ("story", lambda: build_story(sc, run, points, self.tr)),
            ("gap", lambda: build_gap(sc, run, points, self.tr)),
            ("research", lambda: build_research(sc, run, self.tr)),
            ("trace", self._trace),
            ("better", lambda: build_better(sc, run, self._player, self._cf, self.tr)),
            ("pattern", lambda: build_pattern(sc, run, self.tr)),
            ("reflection", lambda: build_reflection(sc, run, self.parts["why"], self.parts["gap"],
                                                    self.parts["trace"], self.parts["better"],
                                                    self.parts["pattern"], self.tr)),
        )
        for name, make in steps:
            t = time.perf_counter()
            self.parts[name] = make()
            self.timings[name] = time.perf_counter() - t
            yield name

    def _trace(self):
        self._player = Player(self.scenario, self.transcript)
        self._cf = counterfactuals(self._player)
        return build_trace(self.scenario, self.run, self._player, self._cf, self.tr)

    def result(self) -> Debrief:
        for _ in (self.sections() if len(self.parts) < len(ORDER) else ()):
            pass
        sc, run, p = self.scenario, self.run, self.parts
        end = outcome(run)
        return Debrief(DEBRIEF_FORMAT, sc.id, sc.title, sc.version, run.state.seed, len(run.history.decisions),
                       end.ending, end.triangle, p["why"], p["gap"], p["story"], p["trace"], p["better"],
                       p["pattern"], p["research"], p["reflection"], dict(self.timings), language_of(self.tr))


def language_of(tr) -> str:
    """The language code a translator words in (its `lang`, or what its `lang()` returns), "" for English."""
    lang = getattr(tr, "lang", "")
    return (lang() if callable(lang) else lang) or ""


#: The sections that need no counterfactual replays: a few milliseconds each, cheap enough to build for every
#: seat of a classroom (the classroom's player page shows them; the full debrief comes on request).
QUICK = ("why", "gap", "pattern", "research")


def build_quick(scenario, transcript: dict, tr=same) -> dict:
    """The QUICK sections of a finished run's debrief, name -> section (equal to the full debrief's), worded in
    the language `tr` translates into (English by default)."""
    run = recorded_run(scenario, transcript)
    points = timeline(run)
    return {"why": build_why(scenario, run, tr), "gap": build_gap(scenario, run, points, tr),
            "pattern": build_pattern(scenario, run, tr), "research": build_research(scenario, run, tr)}


def build(scenario, transcript: dict, tr=same) -> Debrief:
    """The debrief of a finished run, from its transcript (replayed exactly; SaveError if it does not replay),
    worded in the language `tr` translates into (English by default: what exports and the classroom keep)."""
    return Builder(scenario, transcript, tr=tr).result()


def build_from_run(run, tr=same) -> Debrief:
    """The debrief of a finished live run, from its own recorded history: equal to build() on its transcript."""
    return Builder(run.scenario, run.transcript(), run, tr).result()


__all__ = ["Builder", "Debrief", "DEBRIEF_FORMAT", "ORDER", "QUICK", "build", "build_from_run", "build_quick"]
