"""The cohort report's charts: matplotlib's SVG back end (object API), drawn from an engine.cohort Cohort.

As in the solo report (game.debrief.charts): the Okabe-Ito palette *and* a hatch, marker or line style for
every series, so that nothing depends on colour alone; every bar carries its count as text; axes are
labelled. Text stays text in the SVG, which references nothing outside itself.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from game.debrief.charts import OKABE_ITO, _svg  # noqa: F401 - rcParams (fonts, hash salt) set there

QUALITY_STYLE = {  # colour and hatch per ending quality: never colour alone
    "best": (OKABE_ITO[3], "//"), "good": (OKABE_ITO[2], "\\\\"), "mixed": (OKABE_ITO[1], ".."),
    "poor": (OKABE_ITO[6], "xx")}
BRANCH_STYLE = ((OKABE_ITO[5], "//"), (OKABE_ITO[1], ".."), (OKABE_ITO[3], "\\\\"), (OKABE_ITO[7], "xx"),
                (OKABE_ITO[2], "--"), (OKABE_ITO[6], "++"))


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1][:width - 1] + "\u2026"
    return "\n".join(lines)


def endings_chart(c) -> str:
    """One bar per ending reached: its seats, with its share; colour and hatch by quality."""
    rows = list(c.endings)
    fig = Figure(figsize=(9, 0.75 * len(rows) + 1.3))
    ax = fig.subplots()
    y = list(range(len(rows)))
    for i, e in enumerate(rows):
        col, hatch = QUALITY_STYLE.get(e.ending.quality, (OKABE_ITO[0], ""))
        ax.barh(i, e.count, color=col, hatch=hatch, edgecolor="#000000", height=0.6)
        ax.text(e.count + 0.05 * max(1, c.finished), i, f"{e.count} ({e.percent}%)", va="center", fontsize=11)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{_wrap(e.ending.title, 30)}\n({e.ending.quality})" for e in rows], fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, max(1, max((e.count for e in rows), default=1)) * 1.3)
    ax.set_xlabel(f"seats (of the {c.finished} that reached an ending)")
    ax.xaxis.get_major_locator().set_params(integer=True)  # seats are whole
    ax.set_title("Where the room ended")
    return _svg(fig, "How many seats reached each ending")


def scores_chart(c) -> str:
    """The finished seats' scores in bins of 5 points, with the median marked."""
    s = c.scores
    fig = Figure(figsize=(9, 3.4))
    ax = fig.subplots()
    bins = list(range(0, 105, 5))
    counts, _, bars = ax.hist(s.scores, bins=bins, color=OKABE_ITO[5], hatch="//", edgecolor="#000000",
                              label="seats in each 5-point band")
    for n, left in zip(counts, bins):
        if n:
            ax.text(left + 2.5, n + 0.05, str(int(n)), ha="center", va="bottom", fontsize=10)
    if s.median is not None:
        ax.axvline(s.median, color=OKABE_ITO[6], linestyle="--", linewidth=2, label=f"median {s.median:.1f}")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, max(1, max(counts, default=1)) * 1.3)
    ax.set_xlabel("score: the mean of the triangle's three parts (0-100, the game's teaching model)")
    ax.set_ylabel("seats")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", frameon=False)
    ax.set_title("The room's scores")
    return _svg(fig, "The spread of the room's scores")


def pattern_chart(c) -> str:
    """Each dimension: every finished seat's share as a dot (stacked where they coincide), the room's
    median as a large diamond, and each persona's 10th-90th percentile range as a line."""
    p = c.pattern
    fig = Figure(figsize=(9, 5.2))
    ax = fig.subplots()
    y = list(range(len(p.dimensions)))
    dots_done = False
    for i, d in enumerate(p.dimensions):
        seen: dict = {}
        xs, ys = [], []
        for v in d.shares:
            k = round(100 * v)
            seen[k] = seen.get(k, 0) + 1
            xs.append(100 * v)
            ys.append(i - 0.12 - 0.07 * ((seen[k] - 1) % 4))
        ax.plot(xs, ys, linestyle="none", marker="o", markersize=5, color=OKABE_ITO[5], alpha=0.8,
                label=None if dots_done else "a seat")
        dots_done = True
        if d.shares:
            ax.plot([100 * d.median], [i - 0.2], linestyle="none", marker="D", markersize=10, color=OKABE_ITO[6],
                    markeredgecolor="#000000", label="the room's median" if i == 0 else None)
    styles = (("solid", OKABE_ITO[0], "s"), ("dashed", OKABE_ITO[3], "^"))
    names = []
    for d in p.dimensions:
        for sp in d.personas:
            if sp.persona not in names:
                names.append(sp.persona)
    for j, name in enumerate(names):
        ls, col, mk = styles[j % 2]
        off = 0.15 + 0.17 * j
        for i, d in enumerate(p.dimensions):
            sp = next((s for s in d.personas if s.persona == name), None)
            if sp is None:
                continue
            ax.hlines(i + off, 100 * sp.low, 100 * sp.high, color=col, linestyles=ls, linewidth=2)
            ax.plot([100 * sp.median], [i + off], linestyle="none", marker=mk, color=col, markersize=6,
                    label=f"{name} persona: median, 10-90%" if i == 0 else None)
    ax.set_yticks(y)
    ax.set_yticklabels([d.label for d in p.dimensions])
    ax.set_ylim(len(y) - 0.4, -0.7)
    ax.set_xlim(-2, 102)
    ax.set_xlabel("share of a seat's decisions that drew on the dimension (%)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.13), ncol=2, frameon=False)
    ax.set_title("The six dimensions across the room: a pattern, not a score")
    return _svg(fig, "How the room's seats drew on the six dimensions")


def stance_chart(c) -> str:
    """Each stance: how many seats leaned to each side, and how many took both equally, in one bar; the
    sides are named at the bar's two ends, the counts inside it on a white ground."""
    p = c.pattern
    fig = Figure(figsize=(9, 3.8))
    ax = fig.subplots()
    y = list(range(len(p.stances)))
    n = max(1, p.seats)
    parts = (("a", OKABE_ITO[2], "//"), ("even", "#dddddd", ""), ("b", OKABE_ITO[6], ".."))
    box = {"boxstyle": "round,pad=0.15", "facecolor": "#ffffff", "edgecolor": "none"}
    for i, st in enumerate(p.stances):
        left = 0
        for key, col, hatch in parts:
            cnt = getattr(st, key)
            if cnt.count:
                ax.barh(i, cnt.count, left=left, color=col, hatch=hatch, edgecolor="#000000", height=0.6,
                        label={"a": "leaned to the first side", "even": "both equally",
                               "b": "leaned to the second side"}[key] if i == 0 else None)
                ax.text(left + cnt.count / 2, i, str(cnt.count), ha="center", va="center", fontsize=10, bbox=box)
            left += cnt.count
        ax.text(-0.02 * n, i, st.a.label, ha="right", va="center", fontsize=10)
        ax.text(1.02 * n, i, st.b.label, ha="left", va="center", fontsize=10)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.invert_yaxis()
    ax.set_xlim(-0.42 * n, 1.42 * n)
    ax.set_xticks([0, n])
    ax.set_xlabel(f"seats (of the {p.seats} that reached an ending), by the side their choices took more often")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, frameon=False, fontsize=9)
    ax.set_title("Stances across the room")
    return _svg(fig, "How many seats leaned to each side of the four stances")


def split_chart(point) -> str:
    """One decision that split the room: a bar per choice taken, with its seats and share."""
    rows = list(point.branches)
    fig = Figure(figsize=(9, 0.8 * len(rows) + 1.0))
    ax = fig.subplots()
    for i, b in enumerate(rows):
        col, hatch = BRANCH_STYLE[i % len(BRANCH_STYLE)]
        ax.barh(i, b.count, color=col, hatch=hatch, edgecolor="#000000", height=0.6)
        ax.text(b.count + 0.04 * point.reached, i, f"{b.count} ({b.percent}%)", va="center", fontsize=11)
    ax.set_yticks(list(range(len(rows))))
    ax.set_yticklabels([_wrap(b.text) for b in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, point.reached * 1.25)
    ax.set_xlabel(f"seats (of the {point.reached} that made this decision)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _svg(fig, f"How the room chose at {point.title}")


def gap_chart(c) -> str:
    """Per partner: the finished seats that misread them, split into those that never met them one-to-one
    (cross-hatched) and those that did (dotted); the rest of the room as an outline."""
    rows = list(c.gap)
    fig = Figure(figsize=(9, 0.6 * len(rows) + 1.6))
    ax = fig.subplots()
    n = max(1, c.finished)
    for i, g in enumerate(rows):
        ax.barh(i, g.never_met, color=OKABE_ITO[6], hatch="xx", edgecolor="#000000", height=0.6,
                label="misread, never met one-to-one" if i == 0 else None)
        ax.barh(i, g.misread - g.never_met, left=g.never_met, color=OKABE_ITO[1], hatch="..", edgecolor="#000000",
                height=0.6, label="misread, met one-to-one" if i == 0 else None)
        ax.barh(i, g.seats - g.misread, left=g.misread, color="#ffffff", edgecolor="#000000", height=0.6,
                label="did not misread" if i == 0 else None)
        ax.text(g.seats + 0.02 * n, i, f"{g.misread} of {g.seats} ({g.percent}%)", va="center", fontsize=10)
    ax.set_yticks(list(range(len(rows))))
    ax.set_yticklabels([f"{g.name}\n{g.agency}" + (" (in shadow)" if g.in_shadow else "") for g in rows], fontsize=9)
    ax.invert_yaxis()
    ax.axvline(n / 2, color="#555555", linestyle=":", linewidth=1)
    ax.set_xlim(0, n * 1.35)
    ax.set_xlabel(f"seats (of the {c.finished} that reached an ending); dotted line: half the room")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.22 if len(rows) < 4 else -0.12), ncol=3, frameon=False,
              fontsize=8)
    ax.set_title("The balcony gap: who the room misread")
    return _svg(fig, "How many seats misread each partner")


def all_charts(c, splits: int = 6) -> dict:
    """The report's charts (the first `splits` splits'); those that would have nothing to draw are left out."""
    out = {}
    if c.finished:
        out.update(endings=endings_chart(c), scores=scores_chart(c), pattern=pattern_chart(c),
                   stances=stance_chart(c), gap=gap_chart(c))
    out["splits"] = [split_chart(p) for p in c.splits[:splits]]
    return out
