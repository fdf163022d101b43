"""The causal trace: the decisions that mattered most, by counterfactual replay, traced to their effects.

A decision's weight is the largest difference any of its alternatives makes to where the run ends,
replayed by the rule in `play.RULE`: 100 points for each step of ending quality (poor, mixed, good,
best), 25 more if the ending itself changes, plus the sum of the three triangle scores' absolute
differences. The decisions with the largest weights are traced: the choice, what it changed at once
(the changes the engine recorded with the choice as their cause), its delayed effects (recorded with
the delayed effect and the choice as their cause, when they landed), and the ending it led to against
the ending the alternative would have led to. Its sentences and the rule are worded in the language of the
translator `tr` (English by default); `verdict` stays a code ("better", "worse", "same").
"""
from __future__ import annotations

from ..loader import UNTITLED_LATER
from ..marks import N_, plural, same
from ..textfmt import tidy
from ..views import shown, signed
from .gap import label
from .model import Change, Link, Outcome, Trace, TracedDecision
from .play import RULE, Player, rank

SHOWN_MIN, SHOWN_MAX = 5, 8

#: The sentence that closes a traced decision, by its verdict (marked for translation).
VERDICTS = {"better": N_("Your choice did better than the alternative."),
            "worse": N_("The alternative would have done better."),
            "same": N_("The two come to much the same.")}
#: The title of a delayed effect that has none of its own (engine/loader.py gives it when the author gave none).
UNTITLED = UNTITLED_LATER


def weight(actual: Outcome, other: Outcome) -> float:
    w = 100 * abs(rank(actual.ending) - rank(other.ending))
    if actual.ending.id != other.ending.id:
        w += 25
    w += sum(abs(actual.triangle.get(k, 0) - other.triangle.get(k, 0)) for k in actual.triangle)
    return round(w, 1)


def counterfactuals(player: Player) -> dict:
    """step index -> [(alternative choice, Outcome)], every open alternative of every decision."""
    out = {}
    for k in range(len(player.steps)):
        out[k] = [(a, player.changed({k: a})) for a in player.alternatives(k)]
    return out


def ranked(player: Player, cf: dict) -> list:
    """(weight, step index, alternative, Outcome) for each decision's weightiest alternative, heaviest first."""
    rows = []
    for k, alts in cf.items():
        if not alts:
            continue
        best = max(alts, key=lambda ao: (weight(player.outcome, ao[1]), -ao[0]))
        rows.append((weight(player.outcome, best[1]), k, best[0], best[1]))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows


def shown_rows(rows: list) -> list:
    """The rows the trace shows: those with weight, up to SHOWN_MAX, and at least SHOWN_MIN."""
    top = [r for r in rows if r[0] > 0][:SHOWN_MAX]
    return top if len(top) >= SHOWN_MIN else rows[:SHOWN_MIN]


def consequential(scenario, transcript) -> list:
    """The choices a run's trace shows, as "scene#index" keys (for ranking choices over many runs)."""
    player = Player(scenario, transcript)
    return [f"{player.steps[k].key[0]}#{player.steps[k].choice}"
            for _, k, _, _ in shown_rows(ranked(player, counterfactuals(player)))]


def build_trace(scenario, run, player: Player, cf: dict, tr=same) -> Trace:
    """The causal trace, worded in the language `tr` translates into (English by default)."""
    rows = ranked(player, cf)
    top = shown_rows(rows)
    decisions = run.history.decisions
    changes = run.history.changes
    traced = []
    for n, (w, k, alt, other) in enumerate(top, 1):
        d = decisions[k]
        scene = scenario.scenes[d["scene"]]
        cause = scene.choices[d["choice"]].cause
        immediate = _merge([c for c in changes if c[4] == cause and c[0] == d["turn"]], scenario, tr)
        delayed = _delayed(scenario, decisions, changes, k, cause, tr)
        actual = player.outcome
        delta = {t: shown(actual.triangle.get(t, 0)) - shown(other.triangle.get(t, 0)) for t in actual.triangle}
        r0, r1 = rank(actual.ending), rank(other.ending)
        if r0 != r1:
            verdict = "better" if r0 > r1 else "worse"
        else:
            s = sum(actual.triangle.get(t, 0) - other.triangle.get(t, 0) for t in actual.triangle)
            verdict = "better" if s > 0.5 else "worse" if s < -0.5 else "same"
        alt_text = choice_text(scenario, player, k, alt)
        traced.append(TracedDecision(
            n, k + 1, d["turn"], d["label"], d["scene"], d["choice"], d["text"], tuple(d["tags"]), immediate,
            delayed, alt, alt_text, other, delta, w, verdict,
            _summary(d, immediate, delayed, alt_text, actual, other, verdict, tr)))
    return Trace(tr(RULE), tuple(traced), len(player.steps), sum(len(v) for v in cf.values()))


def choice_text(scenario, player: Player, k: int, index: int) -> str:
    """The text choice `index` had at decision k, worked out on the state the player saw then."""
    step = player.steps[k]
    return tidy(scenario.scenes[step.key[0]].choices[index].text(player.forks[k].state))


def _merge(rows, scenario, tr=same) -> tuple:
    """Changes of the same key merged (first before, last after), in the order they first happened."""
    merged: dict = {}
    for turn, key, old, new, _ in rows:
        if isinstance(old, bool) or isinstance(new, bool):
            old, new = float(old), float(new)
        if key in merged:
            m = merged[key]
            merged[key] = Change(key, m.label, m.before, float(new), m.turn, m.when)
        else:
            merged[key] = Change(key, label(scenario, key, tr), float(old), float(new), turn, scenario.quarter_label(turn))
    return tuple(c for c in merged.values() if round(c.after - c.before, 3) != 0)


def _delayed(scenario, decisions, changes, k, cause, tr=same) -> tuple:
    """Delayed effects this decision scheduled: changes caused by `later:REF|<its cause>` that landed after it
    (and before the next decision with the same cause, which would have scheduled its own)."""
    d = decisions[k]
    nxt = next((e["turn"] for e in decisions[k + 1:] if e["scene"] == d["scene"] and e["choice"] == d["choice"]), None)
    tail = "|" + cause
    groups: dict = {}
    for c in changes:
        why = c[4]
        if not (why.startswith("later:") and why.endswith(tail)):
            continue
        if c[0] <= d["turn"] or (nxt is not None and c[0] > nxt):
            continue
        ref = why[6:-len(tail)]
        groups.setdefault((c[0], ref), []).append(c)
    links = []
    for (turn, ref), rows in sorted(groups.items()):
        later = scenario.laters.get(ref)
        title = later.title if later is not None and later.title != UNTITLED else tr(UNTITLED)
        ch = _merge(rows, scenario, tr)
        if ch:
            links.append(Link(turn, scenario.quarter_label(turn), title, ch))
    return tuple(links)


def _changes(changes) -> str:
    """Changes as the debrief lists them: "Trust +3, Outcomes -2" (a label and a signed number each)."""
    return ", ".join(f"{c.label} {signed(c.shown_delta)}" for c in changes)


def _summary(d, immediate, delayed, alt_text, actual, other, verdict, tr=same) -> str:
    text = d["text"]
    ends = text.rstrip().endswith((".", "!", "?"))  # a quotation that ends a sentence has its own full stop
    parts = [(tr(N_("In {when} you chose \u201c{choice}\u201d")) if ends else
              tr(N_("In {when} you chose \u201c{choice}\u201d."))).format(when=d["label"], choice=text)]
    if immediate:
        more = len(immediate) - 4
        parts.append((plural(tr, "At once: {changes} and {n} more.", "At once: {changes} and {n} more.", more)
                      if more > 0 else tr(N_("At once: {changes}."))).format(changes=_changes(immediate[:4]), n=more))
    for link in delayed[:3]:
        parts.append(tr(N_("In {when}, \u201c{title}\u201d: {changes}.")).format(
            when=link.when, title=link.title, changes=_changes(link.changes[:3])))
    scores = ", ".join(tr(N_("{score} {value} against {other}")).format(
        score=tr(k.replace("_", " ")), value=shown(actual.triangle[k]), other=shown(other.triangle.get(k, 0)))
        for k in actual.triangle)
    if actual.ending.id != other.ending.id:
        parts.append(tr(N_("Had you chosen \u201c{choice}\u201d, the run would have ended in \u201c{ending}\u201d "
                           "({quality}) instead of \u201c{yours}\u201d ({your_quality}); {scores}.")).format(
            choice=alt_text, ending=other.ending.title, quality=tr(other.ending.quality), yours=actual.ending.title,
            your_quality=tr(actual.ending.quality), scores=scores))
    else:
        parts.append(tr(N_("Had you chosen \u201c{choice}\u201d, the ending would have been the same, "
                           "\u201c{ending}\u201d; {scores}.")).format(choice=alt_text, ending=actual.ending.title,
                                                                       scores=scores))
    parts.append(tr(VERDICTS[verdict]))
    return " ".join(parts)
