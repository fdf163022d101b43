"""Running a scenario: the driving API (in the manner of ink's Story), hidden state and rules."""
from __future__ import annotations

import contextlib
import copy
import logging
import random
import weakref
from dataclasses import dataclass, field, fields

from .endings import explain
from .checkpoints import checkpoint
from .crowding import MAX_SHOWN
from .errors import ChoiceError, ExprRuntimeError, PhaseError
from .marks import N_
from .phases import PhaseMachine
from .scenario import RETURN, Scenario
from .textfmt import quote, tidy
from .views import (SAYS, ActionView, BalconyView, CalendarView, ChoiceView, EndingView, MeterReading, MeterRow,
                    MeterView, Notice, PhaseView, Reading, Snapshot, SpeakerView, StakeholderView, says_band, shown)

_log = logging.getLogger("balcony.engine")

SAVE_FORMAT = 1

CHOOSING, OUTCOME, ENDED = "choosing", "outcome", "ended"


@dataclass
class RunState:
    """All mutable state of a run, naming content by string ids. Saved with dataclasses.asdict."""

    scenario: str
    version: str
    seed: int
    scene: str
    status: str
    phase: str
    vals: dict
    turn: int = 0
    attention: int = 0
    tags: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)
    met: dict = field(default_factory=dict)
    heard: dict = field(default_factory=dict)          # story id -> turn heard
    balcony_visits: int = 0
    pending: list = field(default_factory=list)        # delayed effects: {due, ref, cause, origin}
    fired: list = field(default_factory=list)          # ids of events that have fired
    returns: list = field(default_factory=list)        # scenes events took the run away from (for goto: return)
    balcony: dict | None = None                        # this quarter's balcony readings
    revealed: dict = field(default_factory=dict)       # stakeholder -> exact commitment seen this quarter
    insights: list = field(default_factory=list)       # lines heard this quarter
    notices: list = field(default_factory=list)        # notices for the outcome screen
    next_scene: str | None = None
    end_requested: bool = False
    ending: str | None = None
    decisions: int = 0
    rng: list | None = None                            # random.Random state, as JSON
    ledger: dict = field(default_factory=dict)         # visible meters last stated: {"base": values, "at": len(history.changes)}
    statement: list = field(default_factory=list)      # rows said on arriving in this scene or after a perception
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # computed-value cache; not saved

    TRANSIENT = ("memo",)

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            if f.name in self.TRANSIENT:
                continue
            v = getattr(self, f.name)
            out[f.name] = _jsonable(v)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "RunState":
        names = {f.name for f in fields(cls)} - set(cls.TRANSIENT)
        return cls(**{k: v for k, v in d.items() if k in names})


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


@dataclass
class History:
    """What the debrief needs: every decision and change with its cause, and a per-quarter timeline."""

    decisions: list = field(default_factory=list)  # {turn, scene, choice, text, tags, debrief, action}
    changes: list = field(default_factory=list)    # (turn, key, old, new, cause)
    timeline: list = field(default_factory=list)   # {turn, label, vals, seen}: one per quarter, and the start
    events: list = field(default_factory=list)     # {turn, id, title}
    perceptions: list = field(default_factory=list)  # {turn, kind, who, and what was seen: readings, meters,
    #                                                   commitment (one-to-one), true (real commitments then)}

    def to_dict(self) -> dict:
        # copies of the lists (their entries are never changed once a step is over): a save taken now must
        # not grow with the run (the window's one-step rewind keeps one, and restored the undone decision)
        return {"decisions": list(self.decisions), "changes": [list(c) for c in self.changes],
                "timeline": list(self.timeline), "events": list(self.events), "perceptions": list(self.perceptions)}

    @classmethod
    def from_dict(cls, d: dict) -> "History":
        return cls(list(d.get("decisions", [])), [tuple(c) for c in d.get("changes", [])],
                   list(d.get("timeline", [])), list(d.get("events", [])), list(d.get("perceptions", [])))


class Run:
    """One playthrough. The host loops: snapshot(), then perceive()/choose() or advance()."""

    def __init__(self, scenario: Scenario, seed: int = 0, *, record: bool = True, _state: RunState | None = None):
        self.scenario = scenario
        self._ranges = scenario.ranges
        self._end_turn = scenario.end_turn
        self._rules, self._forced = _rule_steps(scenario)
        self._visible = tuple(m for m in scenario.meters.values() if m.visible)
        self.record = record
        self.history = History()
        self.actions: list = []
        #: One per action while the run records: a digest of the state after it (see engine/checkpoints.py).
        self.checkpoints: list = []
        self._cp_vals: dict = {}  # the values at the last checkpoint
        self._rng = None  # the run's one generator, made on first use (see `rng`)
        first_phase = next(iter(scenario.phases))
        if _state is not None:
            self.state = _state
            self._rng = random.Random.__new__(random.Random)  # no seeding from the OS: the state is set next
            self._rng.setstate(_to_tuple(_state.rng))
        else:
            self.state = RunState(scenario=scenario.id, version=scenario.version, seed=seed, scene=scenario.start,
                                  status=CHOOSING, phase=first_phase, vals=dict(scenario.start_values),
                                  attention=scenario.perception.attention)
        self._phases = None  # the phase machine, built on the first move (see `phases`)
        #: Optional hook for tools: called with the run at the end of every quarter (after rules, phases, events).
        self.on_quarter = None
        #: Optional hook for tools: called with (run, key) just before a piece of text is shown, with the
        #: state it is shown in (see scenario.Assumption for the keys). explore and check use it to test what
        #: the text assumes. Set after the run starts: the first scene's text has by then been shown.
        self.on_text = None
        if _state is None:
            if record:
                self._snapshot_timeline()
            for f in scenario.phases[first_phase].on_enter:
                f(self, f"phase:{first_phase}:enter")
            self._enter_scene(scenario.start)
            if record:  # the player has seen nothing before the first scene: its numbers are the first statement
                self._statement(False)
                self.state.statement = []
                self._cp_vals = dict(self.state.vals)

    @classmethod
    def start_at(cls, scenario: Scenario, seed: int, scene: str | None = None, overrides: dict | None = None) -> "Run":
        """A run that starts from any scene with the given values (authors' warp, like Ren'Py's)."""
        import difflib
        from .errors import ChoiceError as _CE

        def mean(name, known):
            close = difflib.get_close_matches(str(name), list(known), 1, 0.6)
            return f": did you mean {close[0]!r}?" if close else ""

        if scene is not None and scene not in scenario.scenes:
            raise _CE(f"there is no scene {scene!r}{mean(scene, scenario.scenes)}")
        run = cls(scenario, seed)
        for key, value in (overrides or {}).items():
            if key == "turn":  # the calendar: the run starts this many quarters in
                last = scenario.end_turn
                if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (last is not None and value > last):
                    raise _CE(f"'turn' needs a whole number of quarters from 0"
                              + (f" to {last} (the calendar's last quarter)" if last is not None else ""))
                run.state.turn = value
                continue
            if key == "phase":
                if value not in scenario.phases:
                    raise _CE(f"{value!r} is not a phase of this scenario{mean(value, scenario.phases)}; "
                              f"the phases are {', '.join(scenario.phases)}")
                run._goto_phase(value, "author:set")
                continue
            if key not in scenario.start_values:
                raise _CE(f"{key!r} is not a meter, flag or stakeholder value of this scenario, nor 'turn' or "
                          f"'phase'{mean(key, list(scenario.start_values) + ['turn', 'phase'])}")
            if (key in scenario.flags) != isinstance(value, bool):
                raise _CE(f"{key!r} needs {'true or false' if key in scenario.flags else 'a number'}")
            rng = run._ranges.get(key)
            if rng is not None and not rng[0] <= value <= rng[1]:  # said, not clamped: the author asked for it
                lo, hi = (f"{x:g}" for x in rng[:2])
                raise _CE(f"{key!r} ranges from {lo} to {hi}: {value:g} is outside it")
            run._set(key, value, "author:set")
        if scene is not None and scene != run.state.scene:
            run.state.visits[scene] = run.state.visits.get(scene, 0)
            run._enter_scene(scene)
        run.actions.append({"start_at": scene, "set": dict(overrides or {})})
        run._checkpoint()
        return run

    @property
    def rng(self) -> random.Random:
        """The run's one random generator, seeded with the run's seed. Made on first use: seeding one costs
        as much as two or three decisions of a simulation, and a run without events or perception may never
        draw from it."""
        if self._rng is None:
            self._rng = random.Random(self.state.seed)
        return self._rng

    # --- reading -------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.state.status

    @property
    def ended(self) -> bool:
        return self.state.status == ENDED

    def available_indices(self) -> list[int]:
        """Indices of the choices available now (fast path for tools)."""
        s = self.state
        return [c.index for c in self.scenario.scenes[s.scene].choices if c.cond is None or c.cond(s)]

    def value(self, name: str):
        """A hidden value by state key (`outcomes`, `police.trust`), for tools and the debrief."""
        return self.state.vals[name]

    def evaluate(self, fn):
        return fn(self.state)

    def _crowded(self, scene, n):
        """More than four choices are shown at once: every one is shown (the front ends list them all; the
        window's list scrolls), and the author is told once per scene and run, in the log (BAL036)."""
        warned = self.__dict__.setdefault("_crowd_warned", set())
        if scene.id not in warned:
            warned.add(scene.id)
            _log.warning("%s:%d:%d: BAL036 warning: the scene '%s' shows %d choices at once, more than %d: all are "
                         "shown; make the conditions of its hidden choices exclude one another", scene.file,
                         scene.pos[0], scene.pos[1], scene.id, n, MAX_SHOWN)

    def snapshot(self) -> Snapshot:
        sc = self.scenario
        s = self.state
        scene = sc.scenes[s.scene]
        speaker = self._speaker(scene.speaker)
        choices = []
        for c in scene.choices:
            ok = c.cond is None or bool(c.cond(s))
            reason = None if ok or c.why_locked is None else tidy(c.why_locked(s))
            if ok or reason:
                choices.append(ChoiceView(c.index, tidy(c.text(s)), ok, reason, c.tags))
        if len(choices) > MAX_SHOWN:
            self._crowded(scene, len(choices))
        y, q = sc.calendar_at(s.turn)
        phase = sc.phases[s.phase]
        p = sc.perception
        actions = []
        # labels and reasons are interface strings, marked for translation (engine/marks.py): the front ends
        # translate them where they show them
        for kind, label, cost in (("balcony", N_("Go to the balcony"), p.balcony_cost),
                                  ("listen", N_("Listen to service users"), p.listen_cost),
                                  ("one_to_one", N_("Hold a one-to-one"), p.one_cost)):
            reason = None
            if s.status != CHOOSING:
                reason = N_("Not now")
            elif s.attention < cost:
                reason = N_("No attention left this quarter")
            elif kind == "balcony" and s.balcony is not None:
                reason = N_("You have already been to the balcony this quarter")
            elif kind == "one_to_one" and scene.present is not None and not any(
                    sid in sc.stakeholders for sid in scene.present):
                reason = N_("Nobody is in the room for a one-to-one")
            actions.append(ActionView(kind, label, cost, reason is None, reason))
        floor = []
        room = scene.present
        for sh in sc.stakeholders.values():
            if room is not None and sh.id not in room:
                continue
            band = says_band(s.vals[f"{sh.id}.support"])
            floor.append(StakeholderView(sh.id, sh.name, sh.role, sh.agency, sh.colour, sh.local_budget,
                                         SAYS[band], band))
        balcony = None
        if s.balcony is not None:
            readings = tuple(Reading(r["id"], sc.stakeholders[r["id"]].name, r["hidden"],
                                     tuple(r["trust"]) if r["trust"] else None,
                                     tuple(r["commitment"]) if r["commitment"] else None)
                             for r in s.balcony["readings"])
            meters = tuple(MeterReading(m["id"], sc.meters[m["id"]].label, m["lo"], m["hi"]) for m in s.balcony["meters"])
            balcony = BalconyView(readings, meters, p.balcony_text)
        visible = tuple(MeterView(m.id, m.label, s.vals[m.id], m.lo, m.hi, m.kind, shown(s.vals[m.id]))
                        for m in self._visible)
        ending = None
        if s.ending:
            e = next(e for e in sc.endings if e.id == s.ending)
            ending = EndingView(e.id, e.title, e.quality, tidy(e.text(s)),
                                {k: shown(fn(s)) for k, fn in sc.triangle.items()}, self.why())
        return Snapshot(
            status=s.status, scenario_id=sc.id, scenario_title=sc.title, scene_id=scene.id, scene_title=scene.title,
            speaker=speaker, text=tidy(scene.text(s)), choices=tuple(choices),
            calendar=CalendarView(s.turn, y, q, f"{y} Q{q}"), phase=PhaseView(phase.id, phase.name),
            attention_left=s.attention, attention_max=p.attention, perception_actions=tuple(actions),
            dance_floor=tuple(floor), balcony=balcony, insights=tuple(s.insights),
            revealed=tuple(sorted(s.revealed.items())), visible_meters=visible,
            notices=tuple(Notice(n["kind"], n["title"], n["text"], n.get("cause"),
                                 tuple(MeterRow.from_dict(r) for r in n.get("rows", ()))) for n in s.notices),
            ending=ending, decisions=s.decisions,
            changes=tuple(MeterRow.from_dict(r) for r in s.statement) if s.status == CHOOSING else ())

    def why(self) -> tuple:
        """Why the run got its ending, in plain words (see engine.endings); empty before the end."""
        if not self.state.ending:
            return ()
        key = (self.state.ending, self.state.decisions, self.state.turn)
        if getattr(self, "_why", (None,))[0] != key:
            self._why = (key, tuple(explain(self.scenario, self.state).lines()))
        return self._why[1]

    def triangle(self) -> dict:
        """The strategic triangle's scores, exact: whoever shows them rounds once, by `views.shown`."""
        return {k: float(fn(self.state)) for k, fn in self.scenario.triangle.items()}

    def in_room(self) -> tuple:
        """The ids of the stakeholders in the room in this scene (its `present`, by default everyone)."""
        present = self.scenario.scenes[self.state.scene].present
        return tuple(self.scenario.stakeholders) if present is None else present

    def _speaker(self, sid):
        if sid in self.scenario.stakeholders:
            sh = self.scenario.stakeholders[sid]
            return SpeakerView(sh.id, sh.name, sh.role, sh.agency, sh.colour)
        if sid in self.scenario.cast:
            cm = self.scenario.cast[sid]
            return SpeakerView(cm.id, cm.name, cm.role, cm.agency, cm.colour)
        return SpeakerView("narrator", "", "", "", "#5f6f7f")

    # --- acting --------------------------------------------------------------
    def _require(self, status, call):
        if self.state.status != status:
            what = {CHOOSING: "choose() or perceive()", OUTCOME: "advance() to move on to the next scene",
                    ENDED: "nothing more: the run has ended; read snapshot().ending"}[self.state.status]
            raise PhaseError(f"{call} is not allowed now: the run is in the '{self.state.status}' phase, "
                             f"where you can call {what}")

    def perceive(self, kind: str, who: str | None = None) -> None:
        """Spend attention: 'balcony', 'listen', or 'one_to_one' with a stakeholder id."""
        if self.state.status != CHOOSING:
            self._require(CHOOSING, f"perceive({kind!r})")
        s, p = self.state, self.scenario.perception
        cost = {"balcony": p.balcony_cost, "listen": p.listen_cost, "one_to_one": p.one_cost}.get(kind)
        if cost is None:
            raise ChoiceError(f"unknown perception action {kind!r}: use 'balcony', 'listen' or 'one_to_one'")
        if kind == "one_to_one" and who not in self.in_room():
            room = self.in_room()
            if who in self.scenario.stakeholders:
                raise ChoiceError(f"{self.scenario.stakeholders[who].name} is not in the room in this scene"
                                  + (f"; in the room: {', '.join(room)}" if room else "; nobody is"))
            raise ChoiceError(f"a one-to-one needs a stakeholder id, one of those in the room: {', '.join(room)}")
        if kind == "balcony" and s.balcony is not None:
            raise ChoiceError("you have already been to the balcony this quarter")
        if s.attention < cost:
            raise ChoiceError(f"not enough attention left this quarter ({s.attention} left; "
                              f"{_ACT_WORDS[kind]} costs {cost})")
        s.attention -= cost
        self.actions.append({"perceive": kind, **({"who": who} if who else {})})
        seen = None
        if self.record:
            seen = {"turn": s.turn, "kind": kind, "who": who}
            self.history.perceptions.append(seen)
        cause = f"perceive:{kind}" + (f":{who}" if who else "")
        if kind == "balcony":
            s.balcony_visits += 1
            s.balcony = self._balcony_readings()
            if seen is not None:  # what was seen, beside what was true at that moment (for the debrief)
                seen["readings"] = [dict(r) for r in s.balcony["readings"]]
                seen["meters"] = [dict(m) for m in s.balcony["meters"]]
                seen["true"] = {sid: s.vals[f"{sid}.commitment"] for sid in self.scenario.stakeholders}
        elif kind == "listen":
            for story in p.stories:
                if story.id not in s.heard and (story.cond is None or story.cond(s)):
                    if self.on_text is not None:
                        self.on_text(self, f"story:{story.id}")
                    s.heard[story.id] = s.turn
                    s.insights.append(tidy(story.text(s)))
                    for f in story.effects:
                        f(self, f"story:{story.id}")
                    break
            else:
                s.insights.append(p.listen_fallback)
        else:
            sh = self.scenario.stakeholders[who]
            s.met[who] = s.met.get(who, 0) + 1
            s.revealed[who] = shown(s.vals[f"{who}.commitment"])
            if seen is not None:
                seen["commitment"] = s.revealed[who]
                seen["true"] = {who: s.vals[f"{who}.commitment"]}
            for i, (cond, text) in enumerate(sh.confides):
                if cond is None or cond(s):
                    if self.on_text is not None:
                        self.on_text(self, f"confides:{who}#{i}")
                    s.insights.append(f"{sh.name}: {tidy(text(s))}")
                    break
            for f in p.one_effects[who]:
                f(self, cause)
        if self.record:
            s.statement = self._statement(False)
            self._checkpoint()

    def choose(self, index: int, outcome: int | None = None) -> None:
        """Take choice `index` (its index in the scene, as ChoiceView.index).

        A choice with chancy outcomes draws one from the run's generator; a tool that searches may name
        the `outcome` instead (its index), which the transcript then records."""
        if self.state.status != CHOOSING:
            self._require(CHOOSING, f"choose({index})")
        sc, s = self.scenario, self.state
        scene = sc.scenes[s.scene]
        if not isinstance(index, int) or not 0 <= index < len(scene.choices):
            raise ChoiceError(f"there is no choice {index} in scene '{scene.id}' (it has {len(scene.choices)})")
        choice = scene.choices[index]
        if choice.cond is not None and not choice.cond(s):
            reason = tidy(choice.why_locked(s)) if choice.why_locked else ""
            raise ChoiceError(f"choice {index} is not available now" + (f": {reason}" if reason else ""))
        if outcome is not None and (outcome.__class__ is not int or not 0 <= outcome < len(choice.outcomes)):
            raise ChoiceError(f"choice {index} in scene '{scene.id}' has no outcome {outcome!r} "
                              f"(it has {len(choice.outcomes)})")
        self.actions.append({"choose": index} if outcome is None else {"choose": index, "outcome": outcome})
        s.decisions += 1
        s.notices = []
        cause = choice.cause
        if self.record:
            self.history.decisions.append({
                "turn": s.turn, "label": sc.quarter_label(s.turn), "scene": scene.id, "choice": index, "text": tidy(choice.text(s)),
                "tags": list(choice.tags), "debrief": choice.debrief, "phase": s.phase})
        for t in choice.tags:
            s.tags[t] = s.tags.get(t, 0) + 1
        if self.on_text is not None:
            self.on_text(self, choice.cause)
        if self.record:
            result = {"kind": "result", "title": "", "text": tidy(choice.result(s)) if choice.result else ""}
            s.notices.append(result)
            before = {m.id: s.vals[m.id] for m in self._visible}
        for f in choice.effects:
            f(self, cause)
        drawn = None
        if choice.outcomes:
            drawn = self._outcome(choice, outcome)
            for f in drawn.effects:
                f(self, cause)
            if self.record and drawn.result is not None:
                result["text"] = " ".join(t for t in (result["text"], tidy(drawn.result(s))) if t)
        if self.record:
            rows = self._decision_rows(before)
            if rows:
                result["rows"] = rows
            elif not result["text"]:
                s.notices.remove(result)
        self._go(choice.goto if drawn is None and choice.branches is None else self._target(choice, drawn))
        for _ in range(scene.quarters if choice.quarters is None else choice.quarters):
            if s.end_requested:
                break
            self._pass_quarter()
        end_turn = self._end_turn
        if end_turn is not None and s.turn > end_turn:
            s.end_requested = True
        s.status = OUTCOME
        if not s.notices:
            s.notices.append({"kind": "result", "title": "", "text": ""})
        if self.record:
            self._checkpoint()

    def _checkpoint(self) -> None:
        self.checkpoints.append(checkpoint(self.state, self._cp_vals))

    def take(self, index: int) -> None:
        """choose(index), then advance(): for tools that never show the outcome screen.

        The run ends up exactly as after the two calls (a test holds it to that). When the run does not
        record its history, the two are fused into one step that skips the outcome screen's notices, which
        advance() would clear anyway; this is the inner loop of every simulation.
        """
        s = self.state
        if self.record or s.status != CHOOSING:
            self.choose(index)
            self.advance()
            return
        scenes = self.scenario.scenes
        scene = scenes[s.scene]
        choices = scene.choices
        if index.__class__ is not int or not 0 <= index < len(choices):
            self.choose(index)  # raises the usual ChoiceError
        choice = choices[index]
        if choice.cond is not None and not choice.cond(s):
            self.choose(index)  # raises the usual ChoiceError
        self._take_open(scene, choice, index)

    def _take_open(self, scene, choice, index: int) -> None:
        """take() of a choice known to be available now (a simulation's picker found it so), when the run does
        not record its history: the same steps, without checking the choice again."""
        s = self.state
        self.actions.append({"choose": index})
        s.decisions += 1
        if choice.tags:
            tags = s.tags
            for t in choice.tags:
                tags[t] = tags.get(t, 0) + 1
        cause = choice.cause
        if self.on_text is not None:
            self.on_text(self, cause)
        for f in choice.effects:
            f(self, cause)
        if choice.outcomes:
            drawn = self._outcome(choice)
            for f in drawn.effects:
                f(self, cause)
            goto = self._target(choice, drawn)
        elif choice.branches is not None:
            goto = self._target(choice, None)
        else:
            goto = choice.goto
        if goto == "end" or goto == RETURN:
            self._go(goto)
        else:
            s.next_scene = goto
        quarters = scene.quarters if choice.quarters is None else choice.quarters
        while quarters > 0 and not s.end_requested:
            self._pass_quarter()
            quarters -= 1
        end_turn = self._end_turn
        if end_turn is not None and s.turn > end_turn:
            s.end_requested = True
        if s.notices:
            s.notices = []
        if s.end_requested or s.next_scene is None:
            self._finish()
            return
        # _enter_scene, inline
        scene_id = s.next_scene
        s.scene = scene_id
        s.next_scene = None
        visits = s.visits
        visits[scene_id] = visits.get(scene_id, 0) + 1
        scene = self.scenario.scenes[scene_id]
        if scene.on_enter:
            cause = f"scene:{scene_id}"
            for f in scene.on_enter:
                f(self, cause)
        if self.on_text is not None and (scene.end or not s.end_requested):
            self.on_text(self, f"scene:{scene_id}")
        if scene.end or s.end_requested:
            self._finish()

    def _outcome(self, choice, forced=None):
        """The outcome of a chancy choice: `forced` (an index), or drawn with probability weight / total."""
        outs = choice.outcomes
        if forced is not None:
            k = forced
        else:
            r = self.rng.random() * sum(o.weight for o in outs)
            k, acc = 0, outs[0].weight
            while r >= acc and k < len(outs) - 1:
                k += 1
                acc += outs[k].weight
        if self.record and self.history.decisions:
            self.history.decisions[-1]["outcome"] = k
        return outs[k]

    def _target(self, choice, drawn):
        """Where a choice leads: its outcome's goto, else the first branch whose condition holds now."""
        if drawn is not None and drawn.goto is not None:
            return drawn.goto
        if choice.branches is not None:
            s = self.state
            for cond, to in choice.branches:
                if cond is None or cond(s):
                    return to
        return choice.goto

    def _go(self, goto):
        """Where a choice leads: a scene, the end, or back where an event's detour began (`return`; the
        validator makes sure there is somewhere to go back to, and with nowhere the run ends)."""
        s = self.state
        if goto == "end":
            s.next_scene = None
            s.end_requested = True
        elif goto == RETURN:
            s.next_scene = s.returns.pop() if s.returns else None
            if s.next_scene is None and self.record:  # only a run started inside a detour (an author's warp)
                s.notices.append({"kind": "result", "title": "", "text":
                                  "Nothing to return to: 'goto: return' goes back to where the story was going "
                                  "when an event took it aside, and no event did in this run (it was started "
                                  "inside the detour, with --start). The run ends here."})
        else:
            s.next_scene = goto

    def advance(self) -> None:
        """Leave the outcome screen: go to the next scene, or judge the ending."""
        self._require(OUTCOME, "advance()")
        s = self.state
        s.notices = []
        if s.end_requested or s.next_scene is None:
            self._finish()
            return
        self._enter_scene(s.next_scene)

    # --- inside a turn ----------------------------------------------------------
    def _enter_scene(self, scene_id: str):
        s = self.state
        s.scene = scene_id
        s.next_scene = None
        s.visits[scene_id] = s.visits.get(scene_id, 0) + 1
        scene = self.scenario.scenes[scene_id]
        for f in scene.on_enter:
            f(self, f"scene:{scene_id}")
        if self.on_text is not None and (scene.end or not s.end_requested):
            self.on_text(self, f"scene:{scene_id}")
        if scene.end or s.end_requested:
            self._finish()
            return
        s.status = CHOOSING
        if self.record:
            s.statement = self._statement(False)

    def _finish(self):
        s = self.state
        for e in self.scenario.endings:
            if e.fallback or (e.cond is not None and e.cond(s)):
                s.ending = e.id
                break
        s.status = ENDED
        if self.on_text is not None:
            self.on_text(self, f"ending:{s.ending}")
        if self.record:
            self._snapshot_timeline()

    def _pass_quarter(self):
        sc, s = self.scenario, self.state
        s.turn += 1
        s.attention = sc.perception.attention
        s.balcony = None
        if s.revealed:
            s.revealed = {}
        if s.insights:
            s.insights = []
        # delayed effects that fall due
        if s.pending:
            due = [p for p in s.pending if p["due"] <= s.turn]
            if due:
                s.pending = [p for p in s.pending if p["due"] > s.turn]
                for p in due:
                    later = sc.laters[p["ref"]]
                    if self.on_text is not None and later.text is not None:
                        self.on_text(self, f"later:{p['ref']}")
                    if later.text is not None and self.record:
                        s.notices.append({"kind": "delayed", "title": later.title, "text": tidy(later.text(s)),
                                          "cause": p.get("origin")})
                    for f in later.effects:
                        f(self, f"later:{p['ref']}|{p['cause']}")
        # the system's own dynamics: rule by rule (and member by member for `each`), as declared
        for cause, cond, effects in self._rules:
            if cond is None or cond(s):
                for f in effects:
                    f(self, cause)
        # phases move on
        phase = sc.phases[s.phase]
        for to, cond in phase.next:
            if cond(s):
                self._goto_phase(to, f"phase:{phase.id}->{to}")
                break
        # events: forced first, then perhaps one drawn at random
        for e in self._forced:
            if e.id not in s.fired and (e.cond is None or e.cond(s)):
                self._fire(e)
        if sc.events and self.rng.random() < sc.event_chance:
            pool, weights = [], []
            for e in sc.events:
                if e.forced or (e.once and e.id in s.fired) or (e.cond is not None and not e.cond(s)):
                    continue
                w = float(e.weight(s))
                if w > 0:
                    pool.append(e)
                    weights.append(w)
            if pool:
                r = self.rng.random() * sum(weights)
                for e, w in zip(pool, weights):
                    r -= w
                    if r < 0:
                        break
                self._fire(e)
        if self.record:
            s.notices.append({"kind": "quarter", "title": self.scenario.quarter_label(s.turn),
                              "text": f"{sc.phases[s.phase].name}.", "rows": self._statement(True)})
            self._snapshot_timeline()
        if self.on_quarter is not None:
            self.on_quarter(self)

    def _fire(self, e):
        s = self.state
        s.fired.append(e.id)
        if self.on_text is not None:
            self.on_text(self, f"event:{e.id}")
        if self.record:
            s.notices.append({"kind": "event", "title": e.title, "text": tidy(e.text(s))})
            self.history.events.append({"turn": s.turn, "id": e.id, "title": e.title})
        for f in e.effects:
            f(self, f"event:{e.id}")
        if e.goto:
            if self.scenario.uses_return:  # keep where the story was going, for a later `goto: return`
                s.returns.append(s.next_scene)
            s.next_scene = e.goto

    # --- numbers the player sees (see views.shown) ------------------------------
    def _statement(self, every_meter: bool) -> list:
        """Rows for the visible meters that changed since the last statement (every one, for a quarter's
        summary), each with its parts, read from the history of changes; then this becomes the last statement."""
        s = self.state
        changes = self.history.changes
        led = s.ledger
        if not led:  # a new run, or a save from before the ledger: what is there now was last stated
            led["base"] = {m.id: s.vals[m.id] for m in self._visible}
            led["at"] = len(changes)
        moves: dict = {}
        for _, key, _, new, cause in changes[min(led["at"], len(changes)):]:
            if key in led["base"]:
                moves.setdefault(key, []).append((cause, new))
        rows = []
        base = led["base"]
        for m in self._visible:
            start = shown(base.get(m.id, s.vals[m.id]))
            prev, parts = start, {}
            for cause, new in moves.get(m.id, ()):
                cur = shown(new)
                if cur != prev:
                    label = part_label(cause)
                    parts[label] = parts.get(label, 0) + cur - prev
                    prev = cur
            value = shown(s.vals[m.id])
            parts = [[label, d] for label, d in parts.items() if d]
            if every_meter or value != start or parts:
                rows.append({"id": m.id, "label": m.label, "value": value, "delta": value - start, "parts": parts})
        led["base"] = {m.id: s.vals[m.id] for m in self._visible}
        led["at"] = len(changes)
        return rows

    def _decision_rows(self, before: dict) -> list:
        """A decision's own effect on the visible meters, as it will count in the next statement's parts."""
        s = self.state
        rows = []
        for m in self._visible:
            d = shown(s.vals[m.id]) - shown(before[m.id])
            if d:
                rows.append({"id": m.id, "label": m.label, "value": None, "delta": d, "parts": [["your decision", d]]})
        return rows

    def _snapshot_timeline(self):
        s = self.state
        self.history.timeline.append({"turn": s.turn, "label": self.scenario.quarter_label(s.turn),
                                      "phase": s.phase, "vals": dict(s.vals),
                                      "triangle": self.triangle() if self.scenario.triangle else {}})

    # --- called by compiled effects ------------------------------------------
    def _set(self, key, value, cause):
        s = self.state
        vals = s.vals
        old = vals[key]
        rng = self._ranges.get(key)
        if value != value:  # NaN: no meter ever holds it (expressions that may give one say so themselves)
            raise ExprRuntimeError(f"'{key}' would become no number (NaN), because of {cause}")
        if rng is not None:
            lo, hi, integer = rng
            value = lo if value < lo else (hi if value > hi else value)
            value = int(round(value)) if integer else float(value)
        else:
            value = bool(value)
        if value != old:
            vals[key] = value
            if s.memo:
                s.memo.clear()
            if self.record:
                self.history.changes.append((s.turn, key, old, value, cause))

    @property
    def phases(self) -> PhaseMachine:
        """The phase machine. Built on first use: most simulated and forked runs never change phase twice."""
        if self._phases is None:
            self._phases = PhaseMachine(list(self.scenario.phases), self.state.phase, self._phase_entered,
                                        self._phase_exited)
        return self._phases

    @contextlib.contextmanager
    def atomic(self):
        """All or nothing: if what is done inside fails with an ExprRuntimeError (a scenario's arithmetic
        that gives no number, met only at run time), the run is put back exactly as it was before, and the
        error goes on to the caller. The front ends wrap each player's intent in it, so that a content error
        never leaves a half-applied decision (the quarter moved on, a rule half done). Costs one fork."""
        keep = self._copy(deep_history=False)
        keep.checkpoints, keep._cp_vals = list(self.checkpoints), dict(self._cp_vals)  # fork shares these
        try:
            yield self
        except ExprRuntimeError:
            self.__dict__.update(keep.__dict__)
            raise

    def fork(self) -> "Run":
        """An independent copy of this run, same state and same random stream (for tools that search)."""
        return self._copy(deep_history=True)

    def _copy(self, *, deep_history: bool) -> "Run":
        """fork(); or, for atomic(), a copy whose history shares its entries (the lists are append-only, so
        copying the lists is enough to put them back)."""
        new = copy.copy(self)
        st = copy.copy(self.state)
        d = st.__dict__
        for k, v in d.items():
            if isinstance(v, (dict, list)):
                d[k] = v.copy()
        st.memo = {}
        if st.ledger:
            st.ledger = dict(st.ledger)
        new.state = st
        if self._rng is not None:  # else the copy seeds its own on first use, just as this run would
            new._rng = random.Random.__new__(random.Random)  # no seeding from the OS: the state is set next
            new._rng.setstate(self._rng.getstate())
        new.actions = list(self.actions)
        if not self.record:
            new.history = History()
        elif deep_history:
            new.history = copy.deepcopy(self.history)
        else:
            h = self.history
            new.history = History(list(h.decisions), list(h.changes), list(h.timeline), list(h.events),
                                  list(h.perceptions))
        new._phases = None
        return new

    def _goto_phase(self, phase_id, cause):
        self.phases.move_to(phase_id, cause)

    def _phase_entered(self, phase_id, cause):
        s = self.state
        s.phase = phase_id
        s.memo.clear()
        ph = self.scenario.phases[phase_id]
        # the text is also PHASE_TEXT formatted, which a front end may translate and format again from the title
        s.notices.append({"kind": "phase", "title": ph.name, "text": PHASE_TEXT.format(name=ph.name)})
        for f in ph.on_enter:
            f(self, f"phase:{phase_id}:enter")

    def _phase_exited(self, phase_id, cause):
        for f in self.scenario.phases[phase_id].on_exit:
            f(self, f"phase:{phase_id}:exit")

    def _request_end(self, cause):
        self.state.end_requested = True

    def _schedule(self, ref, turns, cause):
        s = self.state
        origin = None
        if not self.record:
            pass
        elif cause.startswith("choice:"):
            scene_id, _, idx = cause[7:].partition("#")
            ch = self.scenario.scenes[scene_id].choices[int(idx)]
            origin = CAUSE_DECISION.format(when=self.scenario.quarter_label(s.turn), what=quote(tidy(ch.text(s))))
        elif cause.startswith("event:"):
            origin = CAUSE_EVENT.format(when=self.scenario.quarter_label(s.turn))
        s.pending.append({"due": s.turn + turns, "ref": ref, "cause": cause, "origin": origin})

    def _balcony_readings(self):
        sc, s = self.scenario, self.state
        rnd = self.rng.random
        band = sc.perception.band
        readings = []

        def banded(v, lo, hi, width, bias=0.0):
            # a band `width` wide around the value (plus bias), its centre off by up to a quarter of the width
            a, b = -width / 4, width / 4
            centre = v + bias + (a + (b - a) * rnd())  # rng.uniform(a, b), as random.py computes it
            a = centre - width / 2
            top = hi - width
            if top < a:
                a = top
            if a <= lo:
                a = lo
            return [shown(a), shown(a + width)]

        for sh in sc.stakeholders.values():
            if sh.balcony == "hidden":
                readings.append({"id": sh.id, "hidden": True, "trust": None, "commitment": None})
                continue
            readings.append({"id": sh.id, "hidden": False,
                             "trust": banded(s.vals[f"{sh.id}.trust"], 0, 100, band, sh.bias),
                             "commitment": banded(s.vals[f"{sh.id}.commitment"], 0, 100, band, sh.bias)})
        meters = []
        for m in sc.meters.values():
            if m.balcony and not m.visible:
                width = (m.hi - m.lo) * band / 100
                lo, hi = banded(s.vals[m.id], m.lo, m.hi, width)
                meters.append({"id": m.id, "lo": lo, "hi": hi})
        return {"readings": readings, "meters": meters}

    # --- saves and transcripts --------------------------------------------------
    def to_save(self) -> dict:
        self.state.rng = _to_json(self.rng.getstate())
        return {"format": "balcony-save", "format_version": SAVE_FORMAT, "min_compatible": 1,
                "scenario": self.scenario.id, "scenario_version": self.scenario.version,
                "state": self.state.to_dict(), "actions": list(self.actions), "history": self.history.to_dict(),
                "checkpoints": list(self.checkpoints)}

    @classmethod
    def from_save(cls, scenario: Scenario, data: dict) -> "Run":
        from .saves import check_save_header
        check_save_header(scenario, data)
        state = RunState.from_dict(data["state"])
        run = cls(scenario, state.seed, _state=state)
        run.actions = list(data.get("actions", []))
        run.history = History.from_dict(data.get("history", {}))
        cps = data.get("checkpoints")
        if cps is None or len(cps) != len(run.actions):  # a save from before checkpoints: none for what it holds
            cps = [None] * len(run.actions)
        run.checkpoints = list(cps)
        run._cp_vals = dict(Run(scenario, state.seed, record=False).state.vals)
        for cp in cps:
            if cp:
                run._cp_vals.update(cp.get("changed", {}))
        return run

    def transcript(self) -> dict:
        return {"format": "balcony-transcript", "format_version": SAVE_FORMAT, "scenario": self.scenario.id,
                "version": self.scenario.version, "content_hash": self.scenario.content_hash,
                "seed": self.state.seed, "actions": list(self.actions),
                "ending": self.state.ending, "final_state": dict(self.state.vals),
                **({"checkpoints": list(self.checkpoints)} if len(self.checkpoints) == len(self.actions) else {})}


_ACT_WORDS = {"balcony": "the balcony", "listen": "listening", "one_to_one": "a one-to-one"}

_RULE_STEPS: dict = {}  # id(scenario) -> (weak reference to it, (rule steps, forced events))


def _rule_steps(scenario) -> tuple:
    """Once per scenario, not every quarter: its rules flattened to (cause, cond, effects) steps, with the
    causes' text made once, and its forced events."""
    got = _RULE_STEPS.get(id(scenario))
    if got is not None and got[0]() is scenario:
        return got[1]
    steps = tuple((f"rule:{rule.id}", cond, effects) for rule in scenario.rules for cond, effects in rule.effects)
    forced = tuple(e for e in scenario.events if e.forced)
    _RULE_STEPS[id(scenario)] = (weakref.ref(scenario), (steps, forced))
    return steps, forced


def part_label(cause: str) -> str:
    """What a cause is called where a shown change is split into its parts."""
    kind, _, rest = cause.partition(":")
    if kind == "perceive":
        return {"balcony": N_("the balcony"), "listen": N_("listening")}.get(rest.partition(":")[0],
                                                                               N_("one-to-one"))
    return _PART_LABELS.get(kind, N_("other changes"))


_PART_LABELS = {"choice": N_("your decision"), "later": N_("delayed consequences"), "rule": N_("drift"),
                "event": N_("events"), "phase": N_("new phase"), "scene": N_("as the scene opened"),
                "story": N_("listening"), "author": N_("set by the author")}

#: Texts the run writes into its state (saved, so in English): marked, so that a front end can translate
#: them where it shows them, by reading the values back (game/i18n.py, cause_text and notice_text).
PHASE_TEXT = N_("The initiative enters a new phase: {name}.")
CAUSE_DECISION = N_("Because of your decision in {when}: {what}")
CAUSE_EVENT = N_("Following an event in {when}")


def _to_json(state):
    return [state[0], list(state[1]), state[2]]


def _to_tuple(data):
    if data is None:
        return random.Random(0).getstate()
    return (data[0], tuple(data[1]), data[2])
