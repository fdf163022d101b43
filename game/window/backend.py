"""The window's one boundary with the engine, and the session it drives.

:class:`EngineBackend` wraps the real ``engine`` package; tests and the frame
benchmark inject the in-memory twin from :mod:`game.window.twin` instead. The
:class:`Session` sends the player's intents (perceive, choose, advance) and
keeps one step of undo for rewind. It holds no game rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _
from typing import Any, Protocol



def describe_error(exc: BaseException) -> str:
    """An engine error as the player reads it: the content diagnostics, or the exception."""
    diags = getattr(exc, "diagnostics", None)
    if diags:
        lines = [str(d) for d in list(diags)[:8]]
        more = len(diags) - 8
        if more > 0:
            lines.append(_("... and {n} more").format(n=more))
        return "\n".join(lines)
    return f"{type(exc).__name__}: {exc}"


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Read a field from a dataclass-like object or a dict."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@dataclass(frozen=True)
class ScenarioInfo:
    path: str
    id: str
    title: str
    summary: str = ""
    place: str = ""
    years: tuple[int, ...] = ()
    role: str = ""
    themes: tuple[str, ...] = ()
    length_minutes: int | None = None
    credits: tuple[str, ...] = field(default=())

    @classmethod
    def from_meta(cls, path: str, meta: Any) -> "ScenarioInfo":
        setting = get(meta, "setting", None) or meta  # read_metadata flattens place and years
        years = get(setting, "years", ()) or ()
        return cls(
            path=str(path),
            id=str(get(meta, "id", Path(path).stem)),
            title=str(get(meta, "title", Path(path).stem)),
            summary=" ".join(str(get(meta, "summary", "") or "").split()),
            place=str(get(setting, "place", "") or ""),
            years=tuple(int(y) for y in years if isinstance(y, int)),
            role=str(get(meta, "role", "") or ""),
            themes=tuple(str(t) for t in (get(meta, "themes", ()) or ())),
            length_minutes=get(meta, "length_minutes", None),
            credits=tuple(str(c) for c in (get(meta, "credits", ()) or ())),
        )


class Backend(Protocol):
    def list_scenarios(self) -> list[ScenarioInfo]: ...
    def info(self, path: str) -> ScenarioInfo: ...
    def load(self, path: str) -> Any: ...
    def new_run(self, scenario: Any, seed: int) -> Any: ...
    def run_from_save(self, scenario: Any, data: dict) -> Any: ...
    def write_save(self, path: Path, run: Any) -> None: ...
    def read_save(self, path: Path, scenario: Any) -> Any: ...
    def translation_file(self, path: str) -> str | None: ...


def scenario_dirs() -> list[Path]:
    from ..paths import scenario_dirs as dirs
    return dirs()


class EngineBackend:
    """The real engine, imported lazily so the title screen appears quickly."""

    def __init__(self) -> None:
        import engine  # noqa: F401  (fail early with a clear ImportError)

        self._engine = engine

    def list_scenarios(self) -> list[ScenarioInfo]:
        out: list[ScenarioInfo] = []
        for d in scenario_dirs():
            for p in sorted(d.glob("*.yaml")):
                try:
                    out.append(self.info(str(p)))
                except Exception:  # a broken scenario must not hide the others
                    continue
        # the tutorial first, as the place to start
        out.sort(key=lambda s: (s.id != "tutorial", s.title.lower()))
        return out

    def info(self, path: str) -> ScenarioInfo:
        return ScenarioInfo.from_meta(path, self._engine.read_metadata(path))

    def load(self, path: str) -> Any:
        from ..i18n import language
        from engine.l10n import po_path
        lang = language()  # the interface's language: the scenario's too, where it has a translation
        if lang and Path(po_path(path, lang)).is_file():
            return self._engine.load_scenario(path, lang)
        return self._engine.load_scenario(path)

    def translation_file(self, path: str) -> str | None:
        """The scenario's translation into the interface's language that `load` would use, were it there (what
        --watch watches beside the scenario's own files), or None in the source language."""
        from ..i18n import language
        from engine.l10n import po_path
        lang = language()
        return str(po_path(path, lang)) if lang else None

    def new_run(self, scenario: Any, seed: int) -> Any:
        return self._engine.Run(scenario, seed=seed)

    def run_from_save(self, scenario: Any, data: dict) -> Any:
        return self._engine.Run.from_save(scenario, data)

    def write_save(self, path: Path, run: Any) -> None:
        from engine import saves

        saves.write_save(path, run)

    def read_save(self, path: Path, scenario: Any) -> Any:
        from engine import saves

        return saves.read_save(path, scenario)

    def debrief_builder(self, scenario: Any, run: Any) -> Any:
        """The debrief of a finished run, built section by section (``engine.debrief.Builder``)."""
        from engine.debrief import Builder

        return Builder(scenario, run.transcript(), run, _)  # the why section in the interface language


class Session:
    """One run in progress, as the window sees it."""

    def __init__(self, backend: Backend, info: ScenarioInfo, scenario: Any, run: Any, seed: int) -> None:
        self.backend = backend
        self.info = info
        self.scenario = scenario
        self.run = run
        self.seed = seed
        self.revision = 0
        self._undo: dict | None = None
        self._undo_label = ""
        self.snap = run.snapshot()
        self.last_choice_text = ""
        #: the last decision was just undone (only one step of rewind is kept)
        self.rewound = False

    def _changed(self) -> None:
        self.snap = self.run.snapshot()
        self.revision += 1

    # ---- intents --------------------------------------------------------------
    # Each intent is all or nothing (Run.atomic): a content error met at run time leaves the run as it was.
    def perceive(self, kind: str, target: str | None = None) -> None:
        with self.run.atomic():
            if target is None:
                self.run.perceive(kind)
            else:
                self.run.perceive(kind, target)
        self._changed()

    def choose(self, index: int) -> None:
        before = self.run.to_save()
        choice = next((c for c in self.snap.choices if c.index == index), None)
        with self.run.atomic():
            self.run.choose(index)
        self._undo = before
        self.rewound = False
        self._undo_label = choice.text if choice is not None else ""
        self.last_choice_text = self._undo_label
        self._changed()

    def advance(self) -> None:
        with self.run.atomic():
            self.run.advance()
        self._changed()

    # ---- rewind -----------------------------------------------------------------
    @property
    def can_rewind(self) -> bool:
        return self._undo is not None

    @property
    def rewind_unavailable(self) -> str:
        """Why rewind cannot be used now, in the player's words."""
        if self._undo is not None:
            return ""
        if self.rewound:
            return N_("Already undone: only the last decision can be undone")
        return N_("Nothing to undo yet")

    @property
    def rewind_label(self) -> str:
        return self._undo_label

    def rewind(self) -> bool:
        if self._undo is None:
            return False
        self.run = self.backend.run_from_save(self.scenario, self._undo)
        self._undo = None
        self._undo_label = ""
        self.rewound = True
        self._changed()
        return True

    def disable_rewind(self) -> None:
        self._undo = None
