"""Replaying a transcript for the debrief, and playing it again with some decisions changed.

The rule for keeping the rest of the player's strategy (`RULE`, shown in every debrief):

- A decision is known by its scene and by how many times the run had decided in that scene before
  (the first visit to `budget_review`, the second, ...). The player's own run gives, for every such
  key, the choice taken and the perception actions spent just before it.
- A changed run takes the changed choice at the changed decision. At every later decision whose key
  the player's run also reached, it spends the same perception actions (those it can still afford)
  and takes the player's choice there, when that choice is available.
- At a decision the player never reached (the story went elsewhere), or where the player's choice is
  not available, it takes the available choice whose tags the player chose most often over the whole
  run (the sum of the player's counts of its tags; ties go to the choice listed first), and spends no
  attention.
- The run's seed is kept, so random events are drawn from the same stream; they may differ where the
  changed run's state makes other events possible.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import BalconyError, SaveError
from ..replay import check_transcript, replay
from ..runtime import CHOOSING, ENDED, Run
from ..marks import N_
from .model import QUALITY_RANK, EndingRef, Outcome

#: Marked for translation: the debrief words it through its translator (`tr(RULE)`).
RULE = N_(
    "Each counterfactual replays your run with one decision changed (or, for the better path, a few) and "
    "the rest of your strategy kept: at every later decision you also reached (the same scene, visited the "
    "same number of times) it spends the attention you spent there and takes your choice, when it is "
    "available. Where the story goes somewhere you never went, or your choice is closed, it takes the choice "
    "whose tags you chose most often over the run (ties to the first listed) and spends no attention. The "
    "seed is kept, so random events come from the same stream.")

MAX_DECISIONS = 10_000


@dataclass(frozen=True)
class Step:
    """One decision of the player's run, as the counterfactuals see it."""
    index: int                 # 0-based
    key: tuple                 # (scene id, how many decisions the run had taken in that scene before)
    choice: int
    perceptions: tuple         # ((kind, who), ...) spent just before it
    turn: int
    outcome: int | None = None # the chancy outcome the transcript named, if it named one


def recorded_run(scenario, transcript) -> Run:
    """The player's run, replayed with its full history; raises SaveError if it does not replay exactly."""
    check_transcript(transcript)
    result = replay(scenario, transcript)
    if not result.ok:
        raise SaveError(f"the transcript does not replay: {result.message}")
    if result.run.state.status != ENDED:
        raise SaveError("the transcript's run has not ended yet: the debrief comes after the ending")
    return result.run


def _fresh(scenario, transcript) -> tuple:
    """A run that records nothing (the fast path), at the transcript's start; and the actions after it."""
    actions = transcript["actions"]
    if actions and isinstance(actions[0], dict) and "start_at" in actions[0]:
        first = actions[0]
        run = Run.start_at(scenario, transcript["seed"], first.get("start_at"), first.get("set") or {})
        run.record = False
        return run, actions[1:], first
    return Run(scenario, transcript["seed"], record=False), actions, None


class Player:
    """The player's run as steps, a fork of it before every decision, and the rule that replays it."""

    def __init__(self, scenario, transcript):
        self.scenario = scenario
        self.transcript = transcript
        self.seed = transcript["seed"]
        run, actions, self.start = _fresh(scenario, transcript)
        steps, forks, counts = [], [], []
        seen: Counter = Counter()
        pending: list = []
        for a in actions:
            if "perceive" in a:
                pending.append((a["perceive"], a.get("who")))
                run.perceive(a["perceive"], a.get("who"))
            elif "choose" in a:
                scene = run.state.scene
                key = (scene, seen[scene])
                forks.append(run.fork())
                steps.append(Step(len(steps), key, a["choose"], tuple(pending), run.state.turn, a.get("outcome")))
                seen[scene] += 1
                counts.append(dict(seen))
                pending = []
                _take(run, a["choose"], a.get("outcome"))
        self.steps = tuple(steps)
        self.forks = forks          # forks[k]: the run just before decision k, its perceptions spent
        self.counts = counts        # counts[k]: decisions per scene once decision k is taken
        self.by_key = {s.key: s for s in steps}
        self.outcome = outcome(run)
        self.run = run
        profile: Counter = Counter()
        for s in steps:
            profile.update(scenario.scenes[s.key[0]].choices[s.choice].tags)
        self.profile = profile
        self._fallback: dict = {}
        self.played = 0             # runs played by counterfactuals (for the debrief's own account)

    # --- the rule -----------------------------------------------------------------------------------
    def fallback(self, scene_id: str, avail: list) -> int:
        scores = self._fallback.get(scene_id)
        if scores is None:
            p = self.profile
            scores = tuple(sum(p.get(t, 0) for t in c.tags) for c in self.scenario.scenes[scene_id].choices)
            self._fallback[scene_id] = scores
        best = avail[0]
        for i in avail[1:]:
            if scores[i] > scores[best]:
                best = i
        return best

    def finish(self, run: Run, counts: dict, overrides: dict | None = None) -> Run:
        """Play `run` to its end by the rule; `overrides` maps step keys to the choice taken there instead."""
        s = run.state
        by_key = self.by_key
        overrides = overrides or {}
        for _ in range(MAX_DECISIONS):
            if s.status != CHOOSING:
                break
            scene = s.scene
            n = counts.get(scene, 0)
            counts[scene] = n + 1
            choice = None
            step = by_key.get((scene, n))
            if step is not None:
                for kind, who in step.perceptions:  # before the choices are read: listening can open one
                    try:
                        run.perceive(kind, who)
                    except BalconyError:
                        pass
            avail = run.available_indices()
            if not avail:
                break
            if step is not None:
                want = overrides.get(step.key, step.choice)
                if want in avail:
                    choice = want
            if choice is None:
                choice = self.fallback(scene, avail)
            _take(run, choice, step.outcome if step is not None and choice == step.choice else None)
        self.played += 1
        return run

    def changed(self, swaps: dict) -> Outcome:
        """Where the run ends with the decisions in `swaps` (step index -> choice) changed, by the rule."""
        first = min(swaps)
        run = self.forks[first].fork()
        run.take(swaps[first])
        overrides = {self.steps[k].key: c for k, c in swaps.items() if k != first}
        self.finish(run, dict(self.counts[first]), overrides)
        return outcome(run)

    def alternatives(self, k: int) -> list:
        """The choices that were open at decision k, other than the one taken."""
        return [i for i in self.forks[k].available_indices() if i != self.steps[k].choice]

    def on_seed(self, seed: int, swaps: dict | None = None) -> Outcome:
        """The player's strategy (with `swaps`, step index -> choice) played by the rule under another seed."""
        tr = dict(self.transcript)
        tr["seed"] = seed
        run, _, _ = _fresh(self.scenario, tr)
        overrides = {self.steps[k].key: c for k, c in (swaps or {}).items()}
        self.finish(run, {}, overrides)
        return outcome(run)


def _take(run: Run, index: int, named: int | None) -> None:
    """take(index), or, where the transcript named the chancy outcome, choose it so and move on."""
    if named is None:
        run.take(index)
    else:
        run.choose(index, named)
        run.advance()


def outcome(run: Run) -> Outcome:
    e = next((e for e in run.scenario.endings if e.id == run.state.ending), None)
    ref = EndingRef(e.id, e.title, e.quality) if e else EndingRef(str(run.state.ending), str(run.state.ending), "mixed")
    return Outcome(ref, triangle(run))


def triangle(run) -> dict:
    """The triangle's scores, exact (front ends show them by views.shown)."""
    return {k: float(fn(run.state)) for k, fn in run.scenario.triangle.items()}


def rank(ref: EndingRef) -> int:
    return QUALITY_RANK.get(ref.quality, 1)
