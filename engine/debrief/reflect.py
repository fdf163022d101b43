"""Reflection questions, chosen from what happened in this run, around Kolb's cycle.

Kolb's experiential learning cycle goes from concrete experience (what happened) through reflective
observation (why) and abstract conceptualisation (what it means) to active experimentation (what you
would do next time). The debrief asks 3-5 questions, at most one or two per stage, in that order:
first the scenario's own questions whose `if` holds at the end of the run (`reflection:` in the
scenario language; at most two), then questions made from this run's debrief, each saying what
prompted it.
"""
from __future__ import annotations

from ..marks import N_
from ..textfmt import tidy
from ..views import shown
from .model import Question

STAGES = ("what_happened", "why", "what_it_means", "next_time")
STAGE_NAMES = {"what_happened": N_("What happened"), "why": N_("Why"), "what_it_means": N_("What it means"),
               "next_time": N_("Next time")}  # marked: the front ends translate them where shown
MAX_QUESTIONS = 5
MIN_QUESTIONS = 3


def _generated(why, gap, trace, better, pattern) -> list:
    """Candidate questions, each (stage, id, text, because), most specific first within a stage."""
    out = []
    e = why.ending
    widest = max(gap.stakeholders, key=lambda s: s.final_gap, default=None)
    if widest is not None and widest.final_gap >= 15 and widest.one_to_ones == 0:
        out.append(("what_happened", "unmet_gap",
                    f"{widest.name} said more in the room than they delivered ({shown(widest.support[-1])} stated "
                    f"support against {shown(widest.commitment[-1])} real commitment at the end), and you never "
                    f"met them one-to-one. What did you take their support to mean, and what did you base that on?",
                    f"the widest gap at the end was a partner you never met one-to-one: {widest.name}"))
    if gap.moments:
        m = gap.moments[0]
        out.append(("what_happened", "false_belief",
                    f"In {m.when}, about {m.name}, {m.believed}, but in fact {m.truth}. What were you paying "
                    f"attention to at that point instead?",
                    f"a moment when what you believed and what was true were {shown(m.distance)} points apart"))
    out.append(("what_happened", "ending",
                f"The run ended in \u201c{e.title}\u201d. How would you explain to a colleague, in two or three "
                f"sentences, how the initiative got there?", "every run ends somewhere"))
    top = trace.decisions[0] if trace.decisions else None
    if top is not None and top.delayed:
        link = top.delayed[0]
        out.append(("why", "delayed",
                    f"Your decision in {top.when}, \u201c{top.text}\u201d, showed its effect only in {link.when} "
                    f"(\u201c{link.title}\u201d). What could have told you sooner whether it was working?",
                    "the decision that mattered most worked through a delayed effect"))
    elif top is not None:
        out.append(("why", "top_decision",
                    f"Of all your decisions, \u201c{top.text}\u201d ({top.when}) made the most difference to the "
                    f"ending. Why do you think it mattered so much more than the others?",
                    "the causal trace ranked it first"))
    if len(gap.blind_quarters) >= 2:
        n = len(gap.blind_quarters)
        out.append(("why", "blind",
                    f"In {n} quarter{'s' if n != 1 else ''} you neither went to the balcony nor held a one-to-one. "
                    f"What kept you on the dance floor then, and what did it cost you?",
                    f"{n} quarters with no look beneath what was said in the room"))
    lean = []
    for st in pattern.stances:
        if st.a.count + st.b.count >= 3:
            hi, lo = (st.a, st.b) if st.a.count >= st.b.count else (st.b, st.a)
            lean.append((hi.count - lo.count, hi, lo))
    lean.sort(key=lambda x: -x[0])
    if lean and lean[0][0] >= 2:
        _, hi, lo = lean[0]
        out.append(("what_it_means", "stance",
                    f"Your choices leaned to \u201c{hi.label.lower()}\u201d ({hi.count} times) over "
                    f"\u201c{lo.label.lower()}\u201d ({lo.count}). When did that serve the partnership, and when "
                    f"did it cost it?", f"your pattern leaned to {hi.label.lower()}"))
    dims = sorted(pattern.dimensions, key=lambda d: (d.count, d.tag))
    if dims and pattern.decisions:
        d = dims[0]
        out.append(("what_it_means", "quiet_dimension",
                    f"You drew least on {d.label.lower()} ({d.count} of {pattern.decisions} decisions). The paper "
                    f"treats the six dimensions as compensatory: what made up for it in your run, if anything?",
                    f"{d.label.lower()} was the dimension you used least"))
    if better.found and better.swaps:
        s = better.swaps[0]
        out.append(("next_time", "better_path",
                    f"The replay suggests that choosing \u201c{s.text}\u201d in {s.when} would have led to "
                    f"\u201c{better.outcome.ending.title}\u201d. What would you need to believe, or to know, to make "
                    f"that choice in the moment?", "the better-path search found it"))
    out.append(("next_time", "next_time",
                "If you led this initiative again, what is the one thing you would do differently in the first "
                "year, and what would you watch for to know it was working?", "every cycle ends in a plan"))
    return out


def build_reflection(scenario, run, why, gap, trace, better, pattern) -> tuple:
    chosen: list = []
    per_stage: dict = {}
    for q in getattr(scenario, "reflection", ()) or ():
        cond = q.get("cond")
        if cond is None or cond(run.state):
            text = q["text"](run.state) if callable(q["text"]) else str(q["text"])
            chosen.append(Question(q["id"], q.get("stage", "why"), tidy(text), "the scenario's own question", True))
            per_stage[chosen[-1].stage] = per_stage.get(chosen[-1].stage, 0) + 1
    chosen = chosen[:2]
    cands = _generated(why, gap, trace, better, pattern)
    # one per stage first, in Kolb's order, then a second where there is room
    for rnd in (1, 2):
        for stage in STAGES:
            if len(chosen) >= MAX_QUESTIONS:
                break
            if per_stage.get(stage, 0) >= rnd:
                continue
            for stg, qid, text, because in cands:
                if stg == stage and not any(c.id == qid for c in chosen):
                    chosen.append(Question(qid, stage, text, because, False))
                    per_stage[stage] = per_stage.get(stage, 0) + 1
                    break
        if len(chosen) >= 4:
            break
    chosen.sort(key=lambda q: STAGES.index(q.stage) if q.stage in STAGES else 0)
    return tuple(chosen)
