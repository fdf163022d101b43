"""Save slots: the engine writes the run; the window adds a card and a thumbnail.

A slot is three files in the data directory: ``slot-N.json`` (the engine's
save, written by ``engine.saves.write_save``), ``slot-N.meta.json`` (what the
load screen shows: scenario, date, quarter, scene) and ``slot-N.png`` (a
thumbnail of the play screen). The autosave is the slot ``auto``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pygame

from .backend import Backend, Session, get
from ..i18n import _
from .settings import data_dir

SLOTS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6")
AUTO = "auto"
THUMB_SIZE = (320, 180)


@dataclass(frozen=True)
class SlotInfo:
    slot: str
    exists: bool
    scenario_title: str = ""
    scenario_path: str = ""
    saved_at: float = 0.0
    calendar_label: str = ""
    scene_title: str = ""
    phase: str = ""

    @property
    def label(self) -> str:
        return _("Autosave") if self.slot == AUTO else _("Slot {n}").format(n=self.slot)

    @property
    def date_text(self) -> str:
        if not self.saved_at:
            return ""
        return time.strftime("%d %b %Y, %H:%M", time.localtime(self.saved_at))


class SaveStore:
    def __init__(self, backend: Backend | Callable[[], Backend], directory: Path | None = None) -> None:
        self._backend = backend
        self.directory = Path(directory) if directory is not None else data_dir() / "saves"

    @property
    def backend(self) -> Backend:
        """The engine is imported only when a save is written or read, not to list slots.

        ``backend`` may be a backend, a backend class or a function returning one."""
        if isinstance(self._backend, type) or (callable(self._backend) and not hasattr(self._backend, "load")):
            self._backend = self._backend()
        return self._backend  # type: ignore[return-value]

    def _paths(self, slot: str) -> tuple[Path, Path, Path]:
        d = self.directory
        return d / f"slot-{slot}.json", d / f"slot-{slot}.meta.json", d / f"slot-{slot}.png"

    def thumb_path(self, slot: str) -> Path:
        return self._paths(slot)[2]

    def save(self, slot: str, session: Session, thumbnail: pygame.Surface | None = None) -> SlotInfo:
        self.directory.mkdir(parents=True, exist_ok=True)
        save_path, meta_path, thumb_path = self._paths(slot)
        self.backend.write_save(save_path, session.run)
        snap = session.snap
        info = SlotInfo(
            slot=slot, exists=True, scenario_title=session.info.title, scenario_path=session.info.path,
            saved_at=time.time(), calendar_label=str(get(get(snap, "calendar"), "label", "")),
            scene_title=str(get(snap, "scene_title", "") or ""), phase=str(get(get(snap, "phase"), "name", "")),
        )
        meta = {k: getattr(info, k) for k in info.__dataclass_fields__ if k != "exists"}
        meta["seed"] = session.seed
        from engine.saves import atomic_write_text   # whole or not at all, fsynced, as the save beside it
        atomic_write_text(meta_path, json.dumps(meta, indent=2))
        if thumbnail is not None:
            thumb = pygame.transform.smoothscale(thumbnail, THUMB_SIZE)
            tmpimg = thumb_path.with_name(thumb_path.stem + ".tmp.png")
            pygame.image.save(thumb, str(tmpimg))
            os.replace(tmpimg, thumb_path)
        return info

    def info(self, slot: str) -> SlotInfo:
        save_path, meta_path, _ = self._paths(slot)
        if not save_path.exists() or not meta_path.exists():
            return SlotInfo(slot=slot, exists=False)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return SlotInfo(slot=slot, exists=False)
        return SlotInfo(
            slot=slot, exists=True, scenario_title=str(meta.get("scenario_title", "")),
            scenario_path=str(meta.get("scenario_path", "")), saved_at=float(meta.get("saved_at", 0.0)),
            calendar_label=str(meta.get("calendar_label", "")), scene_title=str(meta.get("scene_title", "")),
            phase=str(meta.get("phase", "")),
        )

    def seed(self, slot: str) -> int:
        try:
            return int(json.loads(self._paths(slot)[1].read_text(encoding="utf-8")).get("seed", 0))
        except (OSError, ValueError, TypeError):
            return 0

    def all(self, include_auto: bool = True) -> list[SlotInfo]:
        slots = ((AUTO,) if include_auto else ()) + SLOTS
        return [self.info(s) for s in slots]

    def latest(self) -> SlotInfo | None:
        found = [s for s in self.all() if s.exists]
        return max(found, key=lambda s: s.saved_at) if found else None

    def load(self, slot: str) -> tuple[Any, Any, SlotInfo]:
        """(scenario, run, info) for a slot; raises on a missing or stale save."""
        info = self.info(slot)
        if not info.exists:
            raise FileNotFoundError(_("{slot} is empty").format(slot=info.label))
        scenario = self.backend.load(info.scenario_path)
        run = self.backend.read_save(self._paths(slot)[0], scenario)
        return scenario, run, info

    def delete(self, slot: str) -> None:
        for p in self._paths(slot):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
