"""Continuity: what a piece of text assumes about the run (`assumes:`), tested wherever the text is shown.

A scene, a choice's result, a delayed effect's text, an event, an ending, a service user's story or a
one-to-one's line may say what it takes for granted, as a condition: `assumes: "heard.aisha and
funded"`. A `Watch` hangs on `Run.on_text`; the runtime calls it just before each such text is shown,
with the state it is shown in, and the watch records every text whose assumption is false there, with
the transcript of the run that got there. `balcony explore` and `balcony check` put a watch on every run
they play and report what it found; `balcony replay` puts one on the transcript it plays back and
shows the broken assumption again.

Different ways into the same broken text are kept apart by the scene the run was last in before it
(up to `routes` of them per text), so that the report shows each route an author has to close.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Broken:
    """One text shown while its assumption was false: where, how often, and the runs that showed it."""
    assumption: object              # scenario.Assumption
    count: int = 0
    routes: dict = field(default_factory=dict)  # the scene the run came from -> (scene, turn, transcript)

    def to_dict(self) -> dict:
        a = self.assumption
        return {"key": a.key, "what": a.what, "assumes": a.source, "file": a.file, "line": a.line,
                "column": a.column, "count": self.count,
                "paths": [{"from": frm, "scene": scene, "turn": turn, "transcript": tr}
                          for frm, (scene, turn, tr) in self.routes.items()]}


class Watch:
    """The hook for `Run.on_text`: tests each text's assumption and keeps what breaks (see the module)."""

    def __init__(self, scenario, routes: int = 5):
        self.assumptions = scenario.assumptions
        self.routes = routes
        self.broken: dict = {}  # key -> Broken

    def attach(self, run):
        """Watch `run` from now on, starting with the text it is showing (the first scene is shown before
        a hook can be set)."""
        if not self.assumptions:
            return run
        run.on_text = self
        st = run.state
        if st.status == "choosing":
            self(run, f"scene:{st.scene}")
        return run

    def __call__(self, run, key):
        if key.startswith("choice:"):  # every choice is reported: remember where the run last decided
            run.watch_from = key[7:].rpartition("#")[0]
        a = self.assumptions.get(key)
        if a is None or a.cond(run.state):
            return
        b = self.broken.get(key)
        if b is None:
            b = self.broken[key] = Broken(a)
        b.count += 1
        st = run.state
        came_from = _came_from(run)
        if came_from not in b.routes and len(b.routes) < self.routes:
            b.routes[came_from] = (st.scene, st.turn, transcript(run, a))

    def found(self) -> list:
        """What broke, in the order of the texts in their files."""
        return sorted(self.broken.values(), key=lambda b: (b.assumption.file, b.assumption.line, b.assumption.column))


def transcript(run, assumption) -> dict:
    """A transcript that `balcony replay` plays to the broken assumption and shows it again. No final state:
    the run is caught mid-step, before the text (and any effects after it) is shown."""
    t = run.transcript()
    t.pop("final_state", None)
    t.pop("ending", None)
    t["assumption"] = {"key": assumption.key, "what": assumption.what, "assumes": assumption.source,
                       "file": assumption.file, "line": assumption.line, "column": assumption.column}
    return t


def _came_from(run) -> str:
    """The scene in which the run's last choice was made ('start' before any)."""
    return getattr(run, "watch_from", "start")


def describe(b: Broken) -> str:
    a = b.assumption
    n = len(b.routes)
    return (f"{a.file}:{a.line}:{a.column}: {a.what} assumes \"{a.source}\", which is false where it is shown "
            f"({b.count} time{'s' if b.count != 1 else ''}, by {n} route{'s' if n != 1 else ''}: from "
            + ", ".join(b.routes) + ")")
