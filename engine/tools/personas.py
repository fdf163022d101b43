"""Playtest personas: a preference over choice tags plus perception habits.

A persona scores each available choice by adding up the weights of its tags and takes the best,
breaking ties at random (with its own seeded generator). Before each decision it spends attention on
its perception habits, in the order listed, each at most once per decision while attention lasts.

Built in:

| persona | prefers (+1) | avoids (-1) | perceives |
|---|---|---|---|
| `random` | any available choice, uniformly | | before one decision in four, one action at random |
| `first` | always the first available choice | | nothing |
| `systems-leader` | cede_power, face_conflict, flex_narrative, listen, distributed | hold_power, avoid_conflict, fix_narrative, hero | listen, balcony |
| `hero` | hold_power, fix_narrative, hero | cede_power, flex_narrative, distributed | nothing |
| `avoider` | avoid_conflict (+2), relating | face_conflict (-2) | nothing |

A scenario may declare more under `personas:` (see docs/authoring.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..marks import N_

PERCEPTION = ("listen", "balcony", "one_to_one")


@dataclass(frozen=True)
class Persona:
    name: str
    kind: str                      # "random", "first" or "prefer"
    prefer: dict = field(default_factory=dict)
    perceive: tuple = ()           # perception habits in order; ("random",) for the random persona
    description: str = ""
    builtin: bool = True

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "prefer": dict(self.prefer), "perceive": list(self.perceive),
                "description": self.description, "builtin": self.builtin}


def _stances(good, bad, extra=None):
    d = {t: 1 for t in good}
    d.update({t: -1 for t in bad})
    d.update(extra or {})
    return d


BUILTIN: dict[str, Persona] = {
    "random": Persona("random", "random", {}, ("random",),
                      N_("Takes any available choice, uniformly at random, and now and then spends attention at random.")),
    "first": Persona("first", "first", {}, (), N_("Always takes the first available choice; never looks or listens.")),
    "systems-leader": Persona(
        "systems-leader", "prefer",
        _stances(("cede_power", "face_conflict", "flex_narrative", "listen", "distributed"),
                 ("hold_power", "avoid_conflict", "fix_narrative", "hero")),
        ("listen", "balcony"),
        N_("Cedes power, faces conflict, flexes the narrative, listens and distributes leadership; "
           "listens to service users and goes to the balcony.")),
    "hero": Persona(
        "hero", "prefer",
        _stances(("hold_power", "fix_narrative", "hero"), ("cede_power", "flex_narrative", "distributed")),
        (), N_("Holds power, keeps one fixed narrative and leads from the front; never looks up from the floor.")),
    "avoider": Persona(
        "avoider", "prefer", {"avoid_conflict": 2, "relating": 1, "face_conflict": -2}, (),
        N_("Avoids conflict and keeps everyone happy in the room.")),
}


def all_personas(scenario) -> dict[str, Persona]:
    """Built-in personas, then the scenario's own (which cannot reuse a built-in name)."""
    out = dict(BUILTIN)
    for name, p in (scenario.personas or {}).items():
        if name in BUILTIN:
            continue
        out[name] = Persona(name, "prefer", dict(p.get("prefer", {})),
                            tuple(a for a in p.get("perceive", ()) if a in PERCEPTION),
                            str(p.get("description", "")), builtin=False)
    return out


def get_persona(scenario, name: str) -> Persona:
    """A persona by name; raises KeyError with the names there are."""
    personas = all_personas(scenario)
    if name not in personas:
        raise KeyError(f"there is no persona '{name}': the personas are {', '.join(personas)}")
    return personas[name]


def scores(scenario, persona: Persona) -> dict:
    """scene id -> tuple of each choice's score for this persona (sum of its tags' weights)."""
    w = persona.prefer
    return {sid: tuple(sum(w.get(t, 0) for t in c.tags) for c in sc.choices) for sid, sc in scenario.scenes.items()}


def pick(persona: Persona, scene_scores: tuple, avail: list, rng) -> int:
    """The choice index this persona takes among `avail` (indices of available choices)."""
    kind = persona.kind
    if kind == "first" or len(avail) == 1:
        return avail[0]
    if kind == "random":
        return avail[int(rng.random() * len(avail))]
    best = max(scene_scores[i] for i in avail)
    top = [i for i in avail if scene_scores[i] == best]
    return top[0] if len(top) == 1 else top[int(rng.random() * len(top))]


def perceive(run, persona: Persona, rng) -> None:
    """Spend attention as the persona habitually does, before a decision."""
    habits = persona.perceive
    if not habits:
        return
    s = run.state
    p = run.scenario.perception
    if habits[0] == "random":
        # before one decision in four, one perception action chosen at random among those affordable now
        if s.attention <= 0 or rng.random() >= 0.25:
            return
        options = []
        if s.attention >= p.listen_cost:
            options.append(("listen", None))
        if s.attention >= p.balcony_cost and s.balcony is None:
            options.append(("balcony", None))
        if s.attention >= p.one_cost and run.in_room():
            ids = list(run.in_room())
            options.append(("one_to_one", ids[int(rng.random() * len(ids))]))
        if options:
            kind, who = options[int(rng.random() * len(options))]
            run.perceive(kind, who)
        return
    for kind in habits:
        if kind == "listen":
            if s.attention >= p.listen_cost and s.attention > 0:
                run.perceive("listen")
        elif kind == "balcony":
            if s.attention >= p.balcony_cost and s.attention > 0 and s.balcony is None:
                run.perceive("balcony")
        elif kind == "one_to_one":
            if s.attention >= p.one_cost and s.attention > 0 and run.in_room():
                run.perceive("one_to_one", _meeting_target(run))


def _meeting_target(run) -> str:
    """The scene's speaker if it is a stakeholder not yet met this quarter; else whoever was met least."""
    s, sc = run.state, run.scenario
    speaker = sc.scenes[s.scene].speaker
    room = run.in_room()
    if speaker in room and speaker not in s.revealed:
        return speaker
    return min(room, key=lambda sid: (sid in s.revealed, s.met.get(sid, 0)))
