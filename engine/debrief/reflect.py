"""Reflection questions, chosen from what happened in this run, around Kolb's cycle.

Kolb's experiential learning cycle goes from concrete experience (what happened) through reflective
observation (why) and abstract conceptualisation (what it means) to active experimentation (what you
would do next time). The debrief asks 3-5 questions, at most one or two per stage, in that order:
first the scenario's own questions whose `if` holds at the end of the run (`reflection:` in the
scenario language; at most two), then questions made from this run's debrief, each saying what
prompted it.
"""
from __future__ import annotations

from ..marks import N_, plural, same
from ..textfmt import tidy
from ..views import shown
from .model import Question

STAGES = ("what_happened", "why", "what_it_means", "next_time")
STAGE_NAMES = {"what_happened": N_("What happened"), "why": N_("Why"), "what_it_means": N_("What it means"),
               "next_time": N_("Next time")}  # marked: the front ends translate them where shown
#: What prompted one of the scenario's own questions.
AUTHORED = N_("the scenario's own question")
MAX_QUESTIONS = 5
MIN_QUESTIONS = 3


def _generated(why, gap, trace, better, pattern, tr=same) -> list:
    """Candidate questions, each (stage, id, text, because), most specific first within a stage, worded in the
    language `tr` translates into (English by default)."""
    out = []
    e = why.ending
    widest = max(gap.stakeholders, key=lambda s: s.final_gap, default=None)
    if widest is not None and widest.final_gap >= 15 and widest.one_to_ones == 0:
        out.append(("what_happened", "unmet_gap",
                    tr(N_("{name} said more in the room than they delivered ({support} stated support against "
                          "{commitment} real commitment at the end), and you never met them one-to-one. What did "
                          "you take their support to mean, and what did you base that on?")).format(
                        name=widest.name, support=shown(widest.support[-1]),
                        commitment=shown(widest.commitment[-1])),
                    tr(N_("the widest gap at the end was a partner you never met one-to-one: {name}")).format(
                        name=widest.name)))
    if gap.moments:
        m = gap.moments[0]
        out.append(("what_happened", "false_belief",
                    tr(N_("In {when}, about {name}, {believed}, but in fact {truth}. What were you paying "
                          "attention to at that point instead?")).format(
                        when=m.when, name=m.name, believed=m.believed, truth=m.truth),
                    tr(N_("a moment when what you believed and what was true were {n} points apart")).format(
                        n=shown(m.distance))))
    out.append(("what_happened", "ending",
                tr(N_("The run ended in \u201c{ending}\u201d. How would you explain to a colleague, in two or "
                      "three sentences, how the initiative got there?")).format(ending=e.title),
                tr(N_("every run ends somewhere"))))
    top = trace.decisions[0] if trace.decisions else None
    if top is not None and top.delayed:
        link = top.delayed[0]
        out.append(("why", "delayed",
                    tr(N_("Your decision in {when}, \u201c{decision}\u201d, showed its effect only in {later} "
                          "(\u201c{title}\u201d). What could have told you sooner whether it was working?")).format(
                        when=top.when, decision=top.text, later=link.when, title=link.title),
                    tr(N_("the decision that mattered most worked through a delayed effect"))))
    elif top is not None:
        out.append(("why", "top_decision",
                    tr(N_("Of all your decisions, \u201c{decision}\u201d ({when}) made the most difference to the "
                          "ending. Why do you think it mattered so much more than the others?")).format(
                        decision=top.text, when=top.when),
                    tr(N_("the causal trace ranked it first"))))
    if len(gap.blind_quarters) >= 2:
        n = len(gap.blind_quarters)
        out.append(("why", "blind",
                    plural(tr, "In {n} quarter you neither went to the balcony nor held a one-to-one. What kept you "
                               "on the dance floor then, and what did it cost you?",
                           "In {n} quarters you neither went to the balcony nor held a one-to-one. What kept you "
                           "on the dance floor then, and what did it cost you?", n).format(n=n),
                    plural(tr, "{n} quarter with no look beneath what was said in the room",
                           "{n} quarters with no look beneath what was said in the room", n).format(n=n)))
    lean = []
    for st in pattern.stances:
        if st.a.count + st.b.count >= 3:
            hi, lo = (st.a, st.b) if st.a.count >= st.b.count else (st.b, st.a)
            lean.append((hi.count - lo.count, hi, lo))
    lean.sort(key=lambda x: -x[0])
    if lean and lean[0][0] >= 2:
        _, hi, lo = lean[0]
        out.append(("what_it_means", "stance",
                    tr(N_("Your choices leaned to \u201c{stance}\u201d ({n} times) over \u201c{other}\u201d "
                          "({other_n}). When did that serve the partnership, and when did it cost it?")).format(
                        stance=hi.label.lower(), n=hi.count, other=lo.label.lower(), other_n=lo.count),
                    tr(N_("your pattern leaned to {stance}")).format(stance=hi.label.lower())))
    dims = sorted(pattern.dimensions, key=lambda d: (d.count, d.tag))
    if dims and pattern.decisions:
        d = dims[0]
        out.append(("what_it_means", "quiet_dimension",
                    plural(tr, "You drew least on {dimension} ({n} of {total} decision). The paper treats the six "
                               "dimensions as compensatory: what made up for it in your run, if anything?",
                           "You drew least on {dimension} ({n} of {total} decisions). The paper treats the six "
                           "dimensions as compensatory: what made up for it in your run, if anything?",
                           pattern.decisions).format(dimension=d.label.lower(), n=d.count, total=pattern.decisions),
                    tr(N_("{dimension} was the dimension you used least")).format(dimension=d.label.lower())))
    if better.found and better.swaps:
        s = better.swaps[0]
        out.append(("next_time", "better_path",
                    tr(N_("The replay suggests that choosing \u201c{choice}\u201d in {when} would have led to "
                          "\u201c{ending}\u201d. What would you need to believe, or to know, to make that choice in "
                          "the moment?")).format(choice=s.text, when=s.when, ending=better.outcome.ending.title),
                    tr(N_("the better-path search found it"))))
    out.append(("next_time", "next_time",
                tr(N_("If you led this initiative again, what is the one thing you would do differently in the first "
                      "year, and what would you watch for to know it was working?")),
                tr(N_("every cycle ends in a plan"))))
    return out


def build_reflection(scenario, run, why, gap, trace, better, pattern, tr=same) -> tuple:
    chosen: list = []
    per_stage: dict = {}
    for q in getattr(scenario, "reflection", ()) or ():
        cond = q.get("cond")
        if cond is None or cond(run.state):
            text = q["text"](run.state) if callable(q["text"]) else str(q["text"])
            chosen.append(Question(q["id"], q.get("stage", "why"), tidy(text), tr(AUTHORED), True))
            per_stage[chosen[-1].stage] = per_stage.get(chosen[-1].stage, 0) + 1
    chosen = chosen[:2]
    cands = _generated(why, gap, trace, better, pattern, tr)
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
