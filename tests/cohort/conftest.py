"""Fixtures for the cohort debrief's tests: the debrief tests' inline scenarios and player."""
from __future__ import annotations

from tests.debrief.conftest import load_doc, play  # noqa: F401 - fixtures and the player, shared

__all__ = ["load_doc", "play"]
