"""The report's charts: matplotlib's SVG back end, drawn from a Debrief, returned as inline <svg> text.

Every series has the Okabe-Ito colour-blind-safe palette *and* its own line style or marker, so none
depends on colour alone; axes are labelled and every chart has a legend. Text stays text (`svg.fonttype
none`) so that it is sharp, selectable and read by screen readers; the SVG references nothing outside
itself.

Every label the charts add is worded through the translator they are given (`tr`, the report's language:
`tr(N_("..."))`, plurals through engine.marks.plural); the series' names come from the debrief, already in its
language, and the scenario's own words (stakeholders, meters) are as it gives them.
"""
from __future__ import annotations

import io
import re

import matplotlib
from matplotlib.figure import Figure

from engine.marks import N_, plural, same

matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "balcony",          # the same ids every time: the same report byte for byte
    "font.family": "DejaVu Sans",        # ships with matplotlib: the same layout everywhere
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

#: Okabe & Ito (2008): black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
#: The palette without yellow (too light for lines on white), in the order series take them.
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def style(i: int) -> dict:
    """Series i's colour, line style and marker: no two of the first 49 series share all three."""
    n = len(LINE_COLOURS)
    return {"color": LINE_COLOURS[i % n], "linestyle": LINE_STYLES[(i + i // n) % len(LINE_STYLES)],
            "marker": MARKERS[(i + 2 * (i // n)) % len(MARKERS)], "markersize": 4, "linewidth": 1.8}


def _svg(fig, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None, "Title": title})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]                         # no XML declaration or DOCTYPE (which names a URL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)
    return svg


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _ticks(ax, labels, most=8):
    step = max(1, -(-len(labels) // most))
    idx = list(range(0, len(labels), step))
    ax.set_xticks(idx)
    ax.set_xticklabels([labels[i] for i in idx], rotation=30, ha="right")


def story_chart(d, tr=same) -> str:
    """The triangle and every meter over time, each meter as a share of its range."""
    s = d.story
    x = list(range(len(s.labels)))
    fig = Figure(figsize=(9, 5.2))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    for i, series in enumerate(s.triangle):
        ax1.plot(x, series.values, label=series.label, **style(i))
    ax1.set_title(tr(N_("The strategic triangle")))
    ax1.set_ylabel(tr(N_("score (0-100)")))
    ax1.set_xlabel(tr(N_("quarter")))
    ax1.set_ylim(0, 100)
    _ticks(ax1, s.labels)
    ax1.legend(loc="upper left", frameon=False)
    for i, m in enumerate(s.meters):
        span = (m.hi - m.lo) or 1
        ax2.plot(x, [100 * (v - m.lo) / span for v in m.values], label=m.label, **style(i))
    ax2.set_title(tr(N_("The meters, as a share of their range")))
    ax2.set_xlabel(tr(N_("quarter")))
    _ticks(ax2, s.labels)
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, frameon=False)
    for turn, when, title in s.events:
        if turn in s.turns:
            for ax in (ax1, ax2):
                ax.axvline(s.turns.index(turn), color="#777777", linewidth=0.6, linestyle=":")
    return _svg(fig, tr(N_("The strategic triangle and the meters, quarter by quarter")))


def gap_chart(d, tr=same) -> str:
    """One small chart per stakeholder: stated support (dashed) against real commitment (solid), with the
    balcony bands the player read (bars) and the exact one-to-one readings (diamonds)."""
    g = d.gap
    n = len(g.stakeholders)
    cols = 3 if n > 4 else max(1, n)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(9, 2.3 * rows + 0.8))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True)
    x = list(range(len(g.labels)))
    pos = {t: i for i, t in enumerate(g.turns)}
    handles = None
    for k, sh in enumerate(g.stakeholders):
        ax = axes[k // cols][k % cols]
        said, = ax.plot(x, sh.support, color=OKABE_ITO[6], linestyle="--", marker="^", markersize=3, linewidth=1.6,
                        label=tr(N_("stated support (said in the room)")))
        did, = ax.plot(x, sh.commitment, color=OKABE_ITO[5], linestyle="-", marker="o", markersize=3, linewidth=1.8,
                       label=tr(N_("real commitment (delivered)")))
        band = exact = None
        for r in sh.seen:
            i = pos.get(r.turn, min(pos.values(), key=lambda j: abs(j - r.turn)) if pos else 0)
            if r.kind == "balcony":
                band = ax.vlines(i, r.lo, r.hi, color=OKABE_ITO[3], linewidth=5, alpha=0.7,
                                 label=tr(N_("balcony reading (a band)")))
            elif r.kind == "one_to_one":
                exact, = ax.plot([i], [r.lo], linestyle="none", marker="D", markersize=6, color=OKABE_ITO[1],
                                 markeredgecolor="#000000", label=tr(N_("one-to-one (exact)")))
        ax.set_title(f"{sh.name}", fontsize=9)
        ax.set_ylim(0, 100)
        if k % cols == 0:
            ax.set_ylabel("0-100")
        if handles is None or (band is not None and len(handles) < 3) or (exact is not None and len(handles) < 4):
            hs = [said, did] + [h for h in (band, exact) if h is not None]
            if handles is None or len(hs) > len(handles):
                handles = hs
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    for c in range(cols):
        ax = axes[rows - 1][c]
        _ticks(ax, g.labels, 5 if cols > 1 else 8)
        ax.set_xlabel(tr(N_("quarter")))
    fig.subplots_adjust(hspace=0.5, top=1 - 0.9 / (2.3 * rows + 0.8))
    if handles:
        fig.legend(handles=handles, labels=[h.get_label() for h in handles], loc="lower center", ncol=2,
                   frameon=False, bbox_to_anchor=(0.5, 1 - 0.75 / (2.3 * rows + 0.8)))
    return _svg(fig, tr(N_("Stated support against real commitment, per stakeholder, with what you saw")))


def pattern_chart(d, tr=same) -> str:
    """The six dimensions: the player's share of decisions (hatched bars), and each persona's 10th-90th
    percentile range (a line) with its median (a marker), on rows of their own under the player's."""
    p = d.pattern
    fig = Figure(figsize=(8, 4.6))
    ax = fig.subplots()
    labels = [u.label for u in p.dimensions]
    y = list(range(len(labels)))
    ax.barh([v - 0.25 for v in y], [100 * u.share for u in p.dimensions], height=0.3, color=OKABE_ITO[2],
            hatch="//", edgecolor="#000000",
            label=plural(tr, "you ({n} decision)", "you ({n} decisions)", p.decisions).format(n=p.decisions))
    marks = ("o", "s", "^", "D")
    cols = (OKABE_ITO[6], OKABE_ITO[5], OKABE_ITO[3])
    for j, persona in enumerate(p.personas):
        off = 0.05 + 0.22 * j
        col = cols[j % 3]
        spread = [next(s for s in u.personas if s.persona == persona.name) for u in p.dimensions]
        ax.hlines([v + off for v in y], [100 * s.low for s in spread], [100 * s.high for s in spread], color=col,
                  linewidth=2.5, linestyles=("solid", "dashed")[j % 2])
        ax.plot([100 * s.median for s in spread], [v + off for v in y], linestyle="none", marker=marks[j % 4],
                color=col, markeredgecolor="#000000", markersize=7,
                label=plural(tr, "{persona}, {n} run: median (marker), 10-90% (line)",
                             "{persona}, {n} runs: median (marker), 10-90% (line)", persona.runs).format(
                    persona=persona.label or persona.name, n=persona.runs))
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_ylim(len(y) - 0.5, -0.6)
    ax.set_xlabel(tr(N_("share of decisions that drew on the dimension (%)")))
    ax.set_xlim(0, 100)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.14), frameon=False, ncol=1)
    ax.set_title(tr(N_("The six dimensions: a pattern, not a score")))
    return _svg(fig, tr(N_("The six dimensions in your choices beside the personas' spread")))


def stance_chart(d, tr=same) -> str:
    """The four stances as pairs: how many decisions took each side, the two sides drawn apart."""
    p = d.pattern
    fig = Figure(figsize=(8, 3.2))
    ax = fig.subplots()
    y = list(range(len(p.stances)))
    left = ax.barh(y, [-st.b.count for st in p.stances], color=OKABE_ITO[6], hatch="..", edgecolor="#000000",
                   label=tr(N_("hold power, avoid conflict, fix the narrative, hero leadership")))
    right = ax.barh(y, [st.a.count for st in p.stances], color=OKABE_ITO[2], hatch="//", edgecolor="#000000",
                    label=tr(N_("cede power, face conflict, flex the narrative, distributed leadership")))
    for i, st in enumerate(p.stances):
        ax.text(-st.b.count - 0.15, i, f"{st.b.label} {st.b.count}", ha="right", va="center", fontsize=9)
        ax.text(st.a.count + 0.15, i, f"{st.a.count} {st.a.label}", ha="left", va="center", fontsize=9)
    ax.set_yticks(y)
    ax.set_yticklabels([st.label for st in p.stances])
    ax.axvline(0, color="#000000", linewidth=1)
    ax.invert_yaxis()
    m = max([1] + [max(st.a.count, st.b.count) for st in p.stances])
    ax.set_xlim(-m - 6, m + 6)
    ax.set_xticks([t for t in range(-m, m + 1) if t % max(1, m // 4) == 0])
    ax.set_xticklabels([str(abs(t)) for t in range(-m, m + 1) if t % max(1, m // 4) == 0])
    ax.set_xlabel(tr(N_("decisions that took each side")))
    ax.legend(handles=[right, left], loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False, fontsize=8)
    ax.set_title(tr(N_("Stances")))
    return _svg(fig, tr(N_("Your stances on power, conflict, narrative and leadership")))


def all_charts(d, tr=same) -> dict:
    """The report's four charts, their labels worded through `tr` (the language of the report)."""
    return {"story": story_chart(d, tr), "gap": gap_chart(d, tr), "pattern": pattern_chart(d, tr),
            "stances": stance_chart(d, tr)}
