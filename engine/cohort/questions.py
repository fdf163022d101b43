"""Questions for the room's discussion, chosen from what the room did, around Kolb's cycle (as each
player's own debrief does: engine.debrief.reflect): what happened, why, what it means, next time. First
the questions made from the room's figures, each saying what prompted it; then the scenario's own
`reflection:` questions whose `if` held in at least one finished seat's run, with in how many."""
from __future__ import annotations

from ..debrief.reflect import STAGES
from .model import RoomQuestion

MAX_QUESTIONS = 7
MAX_AUTHORED = 2


def quoted(title: str) -> str:
    """In quotation marks, without a closing full stop (the sentence around it goes on)."""
    title = title[:-1] if title.endswith(".") and not title.endswith("..") else title
    return f"\u201c{title}\u201d"


def _made(cohort) -> list:
    out = []
    n = cohort.finished
    if len(cohort.endings) >= 2:
        listed = "; ".join(f"{quoted(e.ending.title)} ({e.count})" for e in cohort.endings)
        out.append(RoomQuestion("endings", "what_happened",
                                f"From the same events, this room reached {len(cohort.endings)} different endings: "
                                f"{listed}. Which moments do you think sent the runs apart?",
                                "the room's endings differed", False, None))
    elif len(cohort.endings) == 1 and n >= 2:
        e = cohort.endings[0].ending
        out.append(RoomQuestion("one_ending", "what_happened",
                                f"All {n} seats that finished reached {quoted(e.title)}. When was that ending decided, "
                                f"and what would have had to happen for a different one?",
                                "every finished seat reached the same ending", False, None))
    g = cohort.gap[0] if cohort.gap else None
    if g is not None and g.misread:
        met = (f"; {g.never_met} of them never held a one-to-one with {g.name}" if g.never_met else "")
        shadow = " (in shadow from the balcony)" if g.in_shadow else ""
        out.append(RoomQuestion("misread", "what_happened",
                                f"{g.misread} of {g.seats} seats misread {g.name}{shadow}, {g.agency}, at some "
                                f"point{met}. What did {g.name} say in the room, and what would have told you "
                                f"sooner what was really being delivered?",
                                "the partner the room misread most", False, None))
    if cohort.splits:
        p = cohort.splits[0]
        a, b = sorted(p.branches, key=lambda x: (-x.count, x.choice))[:2]
        text = (f"At {quoted(p.title)} ({p.when}) the room split: {a.count} of {p.reached} seats chose {quoted(a.text)} "
                f"and {b.count} chose {quoted(b.text)}.")
        if a.outcome.score is not None and b.outcome.score is not None:
            text += (f" Those that chose the first and finished averaged a score of {a.outcome.score:.1f} "
                     f"(n = {a.outcome.seats}), the second {b.outcome.score:.1f} (n = {b.outcome.seats}); they also "
                     f"differed in their other decisions.")
        text += " What did each side see in the situation that the other did not?"
        out.append(RoomQuestion("divisive", "why", text, "the decision that divided the room most", False, None))
    lean = []
    for st in cohort.pattern.stances:
        for side, other in ((st.a, st.b), (st.b, st.a)):
            if n >= 2 and 2 * side.count > n:
                lean.append((side.count, st.label, side, other))
    if lean:
        _, _, side, other = max(lean, key=lambda x: x[0])
        out.append(RoomQuestion("stance", "what_it_means",
                                f"{side.count} of {n} seats leaned to {quoted(side.label.lower())} over "
                                f"{quoted(other.label.lower())}: their choices took that side more often. When did that "
                                f"serve the partnership in this scenario, and when did it cost it?",
                                f"most of the room leaned to {side.label.lower()}", False, None))
    ranked = sorted(cohort.paths, key=lambda p: -_rank(p.ending.quality))
    if len(ranked) >= 2 and _rank(ranked[0].ending.quality) > _rank(ranked[-1].ending.quality):
        hi, lo = ranked[0], ranked[-1]
        lo_steps = {(s.scene, s.visit): s for s in lo.steps}
        for s in hi.steps:
            o = lo_steps.get((s.scene, s.visit))
            if o is not None and o.choice != s.choice:
                out.append(RoomQuestion("paths", "next_time",
                                        f"At {quoted(s.title)} ({s.when}), the most common path to {quoted(hi.ending.title)} "
                                        f"chose {quoted(s.text)}, and the most common path to {quoted(lo.ending.title)} chose "
                                        f"{quoted(o.text)}. What would you need to know, or to believe, to make the first "
                                        f"choice in the moment?",
                                        "the paths to the room's best and worst endings parted there", False, None))
                break
    out.append(RoomQuestion("next_time", "next_time",
                            "If you led this initiative again, what is the one thing you would do differently in the "
                            "first year, and what would you watch for to know it was working?",
                            "every cycle ends in a plan", False, None))
    return out


def _rank(quality: str) -> int:
    from ..debrief.model import QUALITY_RANK
    return QUALITY_RANK.get(quality, 1)


def _authored(scenario, finished) -> list:
    held: dict = {}
    for s in finished:
        for qid, stage, text in s.reflection:
            if qid not in held:
                held[qid] = [stage, text, 0]
            held[qid][2] += 1
    order = [q["id"] for q in getattr(scenario, "reflection", ()) or ()]
    ids = sorted(held, key=lambda q: (-held[q][2], order.index(q) if q in order else 99))[:MAX_AUTHORED]
    n = len(finished)
    return [RoomQuestion(q, held[q][0], held[q][1],
                         f"the scenario's own question, asked in the debriefs of {held[q][2]} of the {n} "
                         f"{'seat' if n == 1 else 'seats'} that finished", True,
                         held[q][2]) for q in ids]


def build_questions(scenario, cohort, finished) -> tuple:
    made = _made(cohort)
    generic = [q for q in made if q.id == "next_time"]
    chosen = [q for q in made if q.id != "next_time"][:MAX_QUESTIONS - 1 - MAX_AUTHORED]
    chosen += _authored(scenario, finished) + generic
    chosen.sort(key=lambda q: STAGES.index(q.stage) if q.stage in STAGES else 1)
    return tuple(chosen)


__all__ = ["build_questions"]
