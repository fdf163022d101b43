"""Fixtures for the engine tests; plain helpers live in helpers.py."""
from __future__ import annotations

import pytest

from engine import Run, check_file, load_scenario

from .helpers import BASE, TUTORIAL, dump, merge


@pytest.fixture
def scenario_file(tmp_path):
    """Write BASE merged with overrides (or a whole `doc`, or raw `text`) to tmp_path/name; returns the path."""
    def write(overrides=None, name="scenario.yaml", doc=None, text=None):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            text = dump(doc if doc is not None else merge(BASE, overrides or {}))
        p.write_text(text, encoding="utf-8")
        return p
    return write


@pytest.fixture
def load(scenario_file):
    """Write a scenario with overrides and load it (raises ContentError on errors)."""
    def go(overrides=None, **kw):
        return load_scenario(scenario_file(overrides, **kw))
    return go


@pytest.fixture
def run_of(load):
    """A new Run on a scenario with overrides."""
    def go(overrides=None, seed=0):
        return Run(load(overrides), seed)
    return go


@pytest.fixture
def diags_of(scenario_file):
    """(path, sorted diagnostics) of a scenario with overrides."""
    def go(overrides=None, **kw):
        p = scenario_file(overrides, **kw)
        return p, check_file(p)[1]
    return go


@pytest.fixture(scope="session")
def tutorial():
    return load_scenario(TUTORIAL)
