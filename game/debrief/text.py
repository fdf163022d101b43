"""The debrief as plain text, with sparklines for the timelines: the terminal's debrief and `balcony report --text`."""
from __future__ import annotations

import textwrap

from engine.debrief.reflect import STAGE_NAMES
from engine.textfmt import quote
from engine.views import shown
from engine.views import signed as _signed
from game.i18n import _, ngettext

BARS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def sparkline(values, lo=0.0, hi=100.0) -> str:
    """One character a value, its height between lo and hi."""
    span = (hi - lo) or 1.0
    out = []
    for v in values:
        f = (float(v) - lo) / span
        out.append(BARS[max(0, min(len(BARS) - 1, int(f * len(BARS))))])
    return "".join(out)


def num(v) -> str:
    """A value as the game shows every number (engine.views.shown: whole, halves away from zero)."""
    return f"{shown(v):,}"


def signed(n) -> str:
    """A shown change (already a whole number: the difference of two shown values) with its sign."""
    return _signed(int(n))


class _Out:
    def __init__(self, width):
        self.width = width
        self.lines: list = []

    def line(self, text=""):
        self.lines.append(text)

    def para(self, text, indent="", first=None):
        if not text:
            return
        self.lines.extend(textwrap.wrap(text, self.width, initial_indent=first if first is not None else indent,
                                        subsequent_indent=indent) or [""])

    def heading(self, text):
        self.line()
        self.line(text.upper())
        self.line("=" * min(self.width, len(text)))


def render_text(d, answers: dict | None = None, width: int = 78, why: bool = True) -> str:
    """The whole debrief as text. `answers` maps reflection question ids to what the player wrote; with
    why=False the header and why this ending are left out (the terminal has just shown them)."""
    o = _Out(width)
    answers = answers or {}
    if why:
        o.line(_("DEBRIEF: {scenario}").format(scenario=d.scenario_title))
        o.para(ngettext("Seed {seed}, {n} decision. Ending: {ending} ({quality}).",
                        "Seed {seed}, {n} decisions. Ending: {ending} ({quality}).", d.decisions).format(
                   seed=d.seed, n=d.decisions, ending=quote(d.ending.title), quality=_(d.ending.quality))
               + " " + _("Triangle: {scores}.").format(
                   scores=", ".join(f"{_(k.replace('_', ' '))} {num(v)}" for k, v in d.triangle.items())))
        o.heading(_("Why this ending"))
        o.para(d.why.summary)
        if d.why.next_better is not None:
            o.line()
            o.para(d.why.next_better.summary)

    s = d.story
    o.heading(_("The story"))
    o.para(_("From {first} to {last}, one mark a quarter (low \u2581 to high \u2588).").format(
        first=s.labels[0], last=s.labels[-1]))
    label_w = min(28, max([len(m.label) for m in s.meters + s.triangle] + [10]))
    for series in s.triangle + s.meters:
        o.line(f"  {series.label[:label_w]:<{label_w}} {sparkline(series.values, series.lo, series.hi)} "
               f"{num(series.values[0])} \u2192 {num(series.values[-1])}")
    if s.events:
        o.para(_("Events: {events}.").format(events="; ".join(f"{when} {title}" for _id, when, title in s.events)),
               "  ")

    g = d.gap
    o.heading(_("The balcony gap"))
    o.para(_("Stated support (what they said in the room) against real commitment (what they delivered), one mark "
             "a quarter; then what you saw of them."))
    for sh in g.stakeholders:
        o.line()
        o.line(f"  {sh.name} ({sh.agency})")
        said, did = _("said"), _("did")
        col = max(len(said), len(did))
        o.line(f"    {said:<{col}} {sparkline(sh.support)} {num(sh.support[-1])}")
        o.line(f"    {did:<{col}} {sparkline(sh.commitment)} {num(sh.commitment[-1])}")
        seen = []
        if sh.in_shadow:
            seen.append(_("in shadow from the balcony"))
        if sh.balcony_readings:
            seen.append(ngettext("{n} balcony reading", "{n} balcony readings", sh.balcony_readings).format(
                n=sh.balcony_readings))
        if sh.one_to_ones:
            seen.append(ngettext("{n} one-to-one", "{n} one-to-ones", sh.one_to_ones).format(n=sh.one_to_ones))
        seen.append(ngettext("{n} quarter never looked at", "{n} quarters never looked at",
                             sh.unseen_quarters).format(n=sh.unseen_quarters))
        o.para(_("seen: {how}").format(how=", ".join(seen)), "    ")
        for r in sh.seen:
            if r.kind == "balcony":
                o.line("      " + _("{when}: balcony {lo}-{hi} (really {true})").format(
                    when=r.when, lo=num(r.lo), hi=num(r.hi), true=num(r.true)))
            elif r.kind == "one_to_one":
                o.line("      " + _("{when}: one-to-one, exactly {value}").format(when=r.when, value=num(r.lo)))
    if g.moments:
        o.line()
        o.line("  " + _("Where what you believed and what was true came apart:"))
        for m in g.moments:
            o.para(m.text, "      ", "    - ")
    o.line()
    o.para(g.summary)

    t = d.trace
    o.heading(_("The decisions that mattered most"))
    for td in t.decisions:
        o.line()
        o.para(_("{rank}. {when}: \u201c{decision}\u201d (weight {weight})").format(
            rank=td.rank, when=td.when, decision=td.text, weight=num(td.weight)), "   ")
        if td.immediate:
            o.para(_("at once: {changes}").format(
                changes=", ".join(f"{c.label} {signed(c.shown_delta)}" for c in td.immediate)), "      ", "   -> ")
        for link in td.delayed:
            o.para(_("{when}, \u201c{title}\u201d: {changes}").format(
                when=link.when, title=link.title,
                changes=", ".join(f"{c.label} {signed(c.shown_delta)}" for c in link.changes)), "      ", "   -> ")
        scores = ", ".join(f"{_(k.replace('_', ' '))} {signed(v)}" for k, v in td.triangle_delta.items())
        if td.alternative.ending.id == d.ending.id:     # not "X instead of X"
            o.para(_("had you chosen \u201c{choice}\u201d: the same ending, \u201c{ending}\u201d; your choice against "
                     "it: {scores}").format(choice=td.alternative_text, ending=d.ending.title, scores=scores),
                   "      ", "   => ")
        else:
            o.para(_("had you chosen \u201c{choice}\u201d: \u201c{ending}\u201d instead of \u201c{yours}\u201d; your "
                     "choice against it: {scores}").format(
                       choice=td.alternative_text, ending=td.alternative.ending.title, yours=d.ending.title,
                       scores=scores), "      ", "   => ")
    o.line()
    o.para(ngettext("How it was measured: {n} decision tested by {replays} replays.",
                    "How it was measured: {n} decisions tested by {replays} replays.", t.tested).format(
        n=t.tested, replays=t.replays) + f" {t.rule}")

    b = d.better
    o.heading(_("A better path"))
    o.para(b.summary)

    p = d.pattern
    o.heading(_("Your leadership pattern"))
    o.para(p.reading)
    o.line()
    names = [x.label or x.name for x in p.personas]
    widths = [max(len(n) + 2, 12) for n in names]
    you = _("you")  # (outside the f-string, where extraction finds it)
    o.line(f"  {'':<20} {you:>10}  " + "".join(f"{n:>{w}}" for n, w in zip(names, widths)))
    o.line(f"  {'':<20} {'':>10}  " + "".join(f"{'10-90%':>{w}}" for w in widths))
    for u in p.dimensions:
        you = f"{u.count} ({u.share:.0%})"
        o.line(f"  {u.label:<20} {you:>10}  "
               + "".join(f"{f'{s.low:.0%}-{s.high:.0%}':>{w}}" for s, w in zip(u.personas, widths)))
    o.line()
    col = max([12] + [len(st.label) + 2 for st in p.stances])  # a translated stance may be longer
    for st in p.stances:
        o.line(f"  {st.label + ':':<{col}} {st.a.label} {st.a.count}, {st.b.label} {st.b.count}")
    for u in p.dimensions:
        if u.decisions:
            o.line()
            o.line(f"  {u.label}:")
            for when, text in u.decisions:
                o.para(f"{when} \u201c{text}\u201d", "        ", "    - ")

    r = d.research
    o.heading(_("What the research says"))
    if not r.years:
        o.para(_("None of the choices you made carries a note from the research."))
    for year, notes in r.years:
        o.line()
        o.line(str(year))
        for n in notes:
            cite = ""
            if n.sections and not all(sec in n.note for sec in n.sections):
                cite = " [" + ", ".join(n.sections) + "]"
            stop = "" if n.choice_text.rstrip().endswith((".", "!", "?")) else "."  # no "Monday.”."
            o.para(f"{n.when}: {quote(n.choice_text)}{stop} {n.note}{cite}", "  ")
    o.line()
    o.para(r.caveat)
    o.para(_("Source: {source}").format(source=r.source))

    o.heading(_("Questions for reflection"))
    for i, q in enumerate(d.reflection, 1):
        o.line()
        o.para(f"{i}. {_(STAGE_NAMES.get(q.stage, q.stage))}: {q.text}", "   ")
        a = (answers.get(q.id) or "").strip()
        if a:
            o.para(_("Your answer: {answer}").format(answer=a), "      ", "   ")
    return "\n".join(o.lines) + "\n"
