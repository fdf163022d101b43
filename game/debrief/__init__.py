"""The debrief's front ends: plain text (`text.py`), the HTML report (`report.py`) and the window's screen
(`screen.py`). Each renders the same `engine.debrief.Debrief`. See README.md here."""
from __future__ import annotations
