"""`balcony graph`: the scene graph, drawn by Graphviz through its Python binding (the `graphviz` package).

Phases are clusters; each choice is an edge labelled with its text (and its condition, dashed);
events that jump to a scene are dotted edges from a note, and `goto: return` leads to a "back to where
the story was going" node; `goto: end` and `end: true` lead to the
endings, drawn as double octagons coloured by quality. Scenes that can never be reached (from the
graph alone, or never reached by `balcony explore` when its result is given) are filled red.
Writing `.dot` needs no Graphviz program; `.svg` and `.png` need `dot` on the PATH.
"""
from __future__ import annotations

import textwrap
from collections import deque

import graphviz

from ..scenario import RETURN

QUALITY_COLOUR = {"best": "#2e7d32", "good": "#7cb342", "mixed": "#f9a825", "poor": "#c62828"}
FORMATS = ("dot", "gv", "svg", "png", "pdf")


def reachable(scenario) -> set:
    """Scenes reachable from the start through choices and events' jumps (the validator's BAL031)."""
    edges = {sid: [g for c in sc.choices for g in c.targets if g in scenario.scenes]
             for sid, sc in scenario.scenes.items()}
    todo = deque([scenario.start] + [e.goto for e in scenario.events if e.goto in scenario.scenes])
    seen = set()
    while todo:
        s = todo.popleft()
        if s in seen:
            continue
        seen.add(s)
        todo.extend(edges.get(s, ()))
    return seen


def _label(text, width=28, lines=3):
    t = " ".join(str(text).split())
    wrapped = textwrap.wrap(t, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "\u2026"
    return "\n".join(wrapped)


def build(scenario, *, unreached: set | None = None, choice_labels: bool = True) -> graphviz.Digraph:
    """The scene graph as a graphviz.Digraph. `unreached`: scenes to highlight (default: the static ones)."""
    if unreached is None:
        unreached = set(scenario.scenes) - reachable(scenario)
    g = graphviz.Digraph(name=scenario.id, comment=f"Balcony scenario {scenario.id}: {scenario.title}")
    g.attr(rankdir="LR", fontname="Helvetica", label=f"{scenario.title}\n(scenario {scenario.id})", labelloc="t")
    g.attr("node", shape="box", style="rounded,filled", fillcolor="#f4f6f8", fontname="Helvetica", fontsize="10")
    g.attr("edge", fontname="Helvetica", fontsize="8", color="#5f6f7f")

    def scene_node(graph, sid, sc):
        title = sc.title or sid
        attrs = {}
        if sid in unreached:
            attrs.update(fillcolor="#ffcdd2", color="#c62828", penwidth="2")
            title += "\n(never reached)"
        if sid == scenario.start:
            attrs.update(penwidth="2", color="#1f4e9c")
            title = "START\n" + title
        if sc.end:
            attrs.update(shape="box", style="rounded,filled,bold")
        graph.node(f"scene_{sid}", f"{_label(title)}\n[{sid}]", **attrs)

    by_phase: dict = {}
    for sid, sc in scenario.scenes.items():
        by_phase.setdefault(sc.phase, []).append((sid, sc))
    for pid, phase in scenario.phases.items():
        members = by_phase.get(pid, [])
        if not members:
            continue
        with g.subgraph(name=f"cluster_{pid}") as c:
            c.attr(label=f"phase: {phase.name}", style="rounded,dashed", color="#9aa5b1", fontname="Helvetica")
            for sid, sc in members:
                scene_node(c, sid, sc)
    for sid, sc in by_phase.get(None, []):
        scene_node(g, sid, sc)
    for sid, sc in by_phase.items():
        if sid is not None and sid not in scenario.phases:  # pragma: no cover - the validator refuses these
            for s2, sc2 in sc:
                scene_node(g, s2, sc2)

    # the end: every way out leads to the judging of the endings
    g.node("end", "the run ends:\nendings are judged", shape="ellipse", fillcolor="#eceff1")
    for e in scenario.endings:
        g.node(f"ending_{e.id}", f"{_label(e.title)}\n({e.quality}{', fallback' if e.fallback else ''})",
               shape="doubleoctagon", fillcolor=QUALITY_COLOUR.get(e.quality, "#eceff1"), fontcolor="white")
        g.edge("end", f"ending_{e.id}", style="dotted", arrowhead="none" if e.fallback else "normal")
    for sid, sc in scenario.scenes.items():
        if sc.end:
            g.edge(f"scene_{sid}", "end", style="bold")
        for c in sc.choices:
            label = _label(c.text_src, 24, 2) if choice_labels else str(c.index + 1)
            attrs = {}
            if c.cond_src:
                label += f"\n[if {_label(c.cond_src, 24, 2)}]"
                attrs["style"] = "dashed"
            legs = [(c.goto, "")]  # (target, what decides it) for each place the choice may lead
            if c.branches is not None:
                legs = [(to, f"if {_label(cond_src, 20, 1)}" if cond_src else "otherwise")
                        for (_, to), cond_src in zip(c.branches, c.branch_srcs)]
            if c.outcomes:
                total = sum(o.weight for o in c.outcomes) or 1
                odds = {}
                for o in c.outcomes:
                    to = o.goto or c.goto
                    odds[to] = odds.get(to, 0) + o.weight
                legs = [(to, f"chance {w / total:.0%}") for to, w in odds.items()]
            for to, why in legs:
                target = "end" if to == "end" else ("return" if to == RETURN else f"scene_{to}")
                extra = dict(attrs, style="dashed") if why else attrs
                g.edge(f"scene_{sid}", target, label=label + (f"\n({why})" if why else ""), **extra)
    if scenario.uses_return:
        g.node("return", "back to where the story\nwas going before the event", shape="cds", fillcolor="#fff8e1")
    for e in scenario.events:
        if e.goto:
            g.node(f"event_{e.id}", _label(f"event: {e.title}"), shape="note", fillcolor="#fff8e1")
            g.edge(f"event_{e.id}", f"scene_{e.goto}", style="dotted")
    return g


def write(scenario, out: str, *, unreached: set | None = None) -> str:
    """Write the graph to `out`; the format comes from the extension. Returns the path written.

    Raises ValueError for an unknown extension and graphviz.ExecutableNotFound when `dot` is missing
    (for .svg, .png, .pdf)."""
    ext = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if ext not in FORMATS:
        raise ValueError(f"cannot tell the format from '{out}': end it with .dot, .svg, .png or .pdf")
    g = build(scenario, unreached=unreached)
    if ext in ("dot", "gv"):
        with open(out, "w", encoding="utf-8") as f:
            f.write(g.source)
        return out
    data = g.pipe(format=ext)
    with open(out, "wb") as f:
        f.write(data)
    return out
