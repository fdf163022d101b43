"""A wheel, installed anywhere, carries the shipped scenarios and fonts (see setup.py): a college that installs
Balcony with pip, not from a checkout, still gets the tutorial and the readable fonts.

The wheel is built from a copy of this tree without its dependencies or build isolation (no network: the
test extra brings setuptools), installed with
`pip install --no-deps --target` into a temporary folder, and asked, from a folder that has no `scenarios/`,
where its content is.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(subprocess.run([sys.executable, "-m", "pip", "--version"],
                                               capture_output=True).returncode != 0, reason="pip is not available")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # built from a copy, so that the build leaves nothing in this tree
    src = tmp_path_factory.mktemp("src") / "balcony"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache",
        "screenshots", "playthroughs"))
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                        "--quiet", "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (path,) = out.glob("balcony_game-*.whl")
    return path


def test_the_wheel_carries_every_shipped_scenario_and_font(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    scenarios = sorted(p.relative_to(REPO / "scenarios").as_posix() for p in (REPO / "scenarios").rglob("*.yaml"))
    fonts = sorted(p.name for p in (REPO / "assets" / "fonts").iterdir())
    assert scenarios and fonts
    assert {f"game/content/scenarios/{s}" for s in scenarios} <= names
    assert {f"game/content/fonts/{f}" for f in fonts} <= names   # the licences travel with the fonts
    assert not any(n.startswith(("scenarios/", "assets/", "tests/")) for n in names)
    assert "game/debrief/templates/report.html.j2" in names      # the debrief report's template


def test_installed_elsewhere_it_finds_its_own_scenarios_and_fonts(wheel, tmp_path):
    target, elsewhere = tmp_path / "site", tmp_path / "somewhere"
    elsewhere.mkdir()
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                        "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    probe = ("import json, game.paths as p, game.window.theme as t\n"
             "print(json.dumps({'package': str(p.PACKAGE), 'scenarios': [str(s) for s in p.shipped_scenarios()],"
             " 'fonts': str(t.FONT_DIR)}))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                       env={**env, "PYTHONPATH": str(target), "SDL_VIDEODRIVER": "dummy"})
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(got["package"]).is_relative_to(target), "the installed copy, not this checkout, was imported"
    names = [Path(s).name for s in got["scenarios"]]
    assert names[0] == "tutorial.yaml" and set(names) == {p.name for p in (REPO / "scenarios").glob("*.yaml")}
    assert all(Path(s).is_relative_to(target) for s in got["scenarios"])
    assert Path(got["fonts"]).is_relative_to(target) and (Path(got["fonts"]) / "AtkinsonHyperlegible-Regular.ttf").is_file()
