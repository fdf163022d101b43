"""The leadership pattern: where the player's choices drew on the six dimensions and the stances.

A pattern to reflect on, not a score: the paper calls its six dimensions "not a fixed recipe" but
integrated and compensatory (Section Five, "Not a fixed recipe"). Beside the player's pattern, the
spread of the `systems-leader` and `hero` personas over `PERSONA_RUNS` runs each of the same scenario
(the personas `balcony simulate` plays; seeds 0, 1, ...), as the share of their decisions that carried
each tag: the 10th percentile, the median and the 90th. Its labels, reading and the built-in personas'
descriptions are worded in the language of the translator `tr` (English by default).
"""
from __future__ import annotations

from collections import Counter

from ..marks import N_, same
from ..tools import personas as P
from ..tools import simulate as S
from .model import Pattern, PersonaRuns, Spread, Stance, TagUse

DIMENSIONS = (("feeling", N_("Ways of feeling")), ("perceiving", N_("Ways of perceiving")),
              ("thinking", N_("Ways of thinking")), ("relating", N_("Ways of relating")),
              ("doing", N_("Ways of doing")), ("being", N_("Ways of being")))
STANCES = ((("cede_power", N_("Cede power")), ("hold_power", N_("Hold power")), N_("Power")),
           (("face_conflict", N_("Face conflict")), ("avoid_conflict", N_("Avoid conflict")), N_("Conflict")),
           (("flex_narrative", N_("Flex the narrative")), ("fix_narrative", N_("Fix the narrative")), N_("Narrative")),
           (("distributed", N_("Distributed leadership")), ("hero", N_("Hero leadership")), N_("Leadership")))
PERSONAS = ("systems-leader", "hero")
#: What the debrief calls them (their ids stay `balcony simulate --persona`'s names, and the JSON's `name`).
LABELS = {"systems-leader": N_("Systems leader"), "hero": N_("Hero")}
PERSONA_RUNS = 60

# TRANSLATORS: a claim about the research: keep its meaning exactly and the reference "(Ghate, Lewis & Welbourn
# 2013, Section Five)" as it is; the paper's words "not a fixed recipe" may be translated, with the English beside them.
READING = N_("This is a pattern to reflect on, not a score to raise. The paper describes its six dimensions as "
              "overlapping, integrated and compensatory, \u201cnot a fixed recipe\u201d: strength in one can make up "
              "for less in another, and different mixes can work (Ghate, Lewis & Welbourn 2013, Section Five). The "
              "personas' spreads show how two fixed styles of play draw on the same choices; neither is a target.")

_CACHE: dict = {}  # (scenario content hash or id, persona) -> (shares {tag: sorted list}, endings, runs)


def _persona_runs(scenario, name: str):
    key = (scenario.content_hash or f"{scenario.id}@{id(scenario)}", name)
    got = _CACHE.get(key)
    if got is not None:
        return got
    persona = P.get_persona(scenario, name)
    scores = P.scores(scenario, persona)
    shares: dict = {}
    endings: Counter = Counter()
    runs = 0
    for seed in range(PERSONA_RUNS):
        try:
            run, _, _ = S.play(scenario, persona, seed, scores=scores)
        except S.SimulationError:
            continue
        runs += 1
        n = max(1, run.state.decisions)
        tags = run.state.tags
        for tag in scenario.tags:
            shares.setdefault(tag, []).append(tags.get(tag, 0) / n)
        endings[run.state.ending] += 1
    for v in shares.values():
        v.sort()
    got = (shares, dict(endings), runs)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = got
    return got


def _pct(values: list, q: float) -> float:
    if not values:
        return 0.0
    i = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return round(values[i], 3)


def persona_spreads(scenario) -> dict:
    """tag -> (Spread, ...): how the systems-leader and hero personas' runs drew on each tag, as
    build_pattern sets them beside a player's (the cohort debrief sets them beside the room's)."""
    spreads = {name: _persona_runs(scenario, name) for name in PERSONAS if name in P.all_personas(scenario)}
    return {tag: tuple(Spread(name, _pct(sh.get(tag, []), 0.1), _pct(sh.get(tag, []), 0.5), _pct(sh.get(tag, []), 0.9))
                       for name, (sh, _, _) in spreads.items())
            for tag in [t for t, _ in DIMENSIONS] + [t for st in STANCES for t in (st[0][0], st[1][0])]}


def build_pattern(scenario, run, tr=same) -> Pattern:
    decisions = run.history.decisions
    n = len(decisions)
    counts: Counter = Counter(t for d in decisions for t in d["tags"])
    spreads = {name: _persona_runs(scenario, name) for name in PERSONAS if name in P.all_personas(scenario)}

    def use(tag, lab):
        spread = tuple(Spread(name, _pct(sh.get(tag, []), 0.1), _pct(sh.get(tag, []), 0.5), _pct(sh.get(tag, []), 0.9))
                       for name, (sh, _, _) in spreads.items())
        return TagUse(tag, tr(lab), counts[tag], round(counts[tag] / n, 3) if n else 0.0,
                      tuple((d["label"], d["text"]) for d in decisions if tag in d["tags"]), spread)

    dims = tuple(use(t, lab) for t, lab in DIMENSIONS)
    stances = tuple(Stance(tr(title), use(*a), use(*b)) for a, b, title in STANCES)
    people = tuple(PersonaRuns(name, _description(P.get_persona(scenario, name), tr), runs, endings,
                               tr(LABELS[name]))
                   for name, (_, endings, runs) in spreads.items())
    reached = {e for _, endings, _ in spreads.values() for e in endings}
    titles = {e.id: e.title for e in scenario.endings if e.id in reached}
    return Pattern(n, dims, stances, people, tr(READING), titles)


def _description(persona, tr) -> str:
    """A persona's description: a built-in one's (engine/tools/personas.py, marked) through `tr`; a scenario's
    own as the scenario words it."""
    return tr(persona.description) if persona.builtin and persona.description else persona.description
