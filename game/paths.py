"""Where Balcony keeps user files, and where it finds the shipped scenarios."""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "balcony"


def data_dir() -> Path:
    """Saves, autosaves and results. BALCONY_DATA_DIR overrides it (tests, portable installs)."""
    p = Path(os.environ.get("BALCONY_DATA_DIR") or platformdirs.user_data_dir(APP, appauthor=False))
    p.mkdir(parents=True, exist_ok=True)
    return p


def config_dir() -> Path:
    """Settings. BALCONY_CONFIG_DIR overrides it."""
    p = Path(os.environ.get("BALCONY_CONFIG_DIR") or platformdirs.user_config_dir(APP, appauthor=False))
    p.mkdir(parents=True, exist_ok=True)
    return p


PACKAGE = Path(__file__).resolve().parent
SOURCE_CONTENT = {"scenarios": Path("scenarios"), "fonts": Path("assets") / "fonts"}


def content_dir(name: str) -> Path:
    """A folder of shipped content ("scenarios" or "fonts"): inside the installed package, where a wheel
    carries it (game/content/NAME, see setup.py), else in the source tree (a checkout, an editable install)."""
    packaged = PACKAGE / "content" / name
    return packaged if packaged.is_dir() else PACKAGE.parent / SOURCE_CONTENT[name]


def scenario_dirs() -> list[Path]:
    """Folders searched for scenarios: ./scenarios, then the shipped ones."""
    out = []
    for p in (Path.cwd() / "scenarios", content_dir("scenarios")):
        if p.is_dir() and p.resolve() not in [q.resolve() for q in out]:
            out.append(p)
    return out


def shipped_scenarios() -> list[Path]:
    """Playable scenario files (not the shared includes under common/), tutorial first."""
    files = []
    for d in scenario_dirs():
        files.extend(sorted(d.glob("*.yaml")))
    seen, out = set(), []
    for f in files:
        if f.name not in seen:
            seen.add(f.name)
            out.append(f)
    order = {"tutorial.yaml": 0}
    return sorted(out, key=lambda f: (order.get(f.name, 1), f.name))


def autosave_path(scenario_id: str) -> Path:
    return data_dir() / "saves" / f"autosave-{scenario_id}.json"
