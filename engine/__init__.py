"""Balcony's engine: the scenario language, its rules, saves and replays. Pure Python; no UI.

The driving API (see docs/engine-api.md)::

    scenario = load_scenario("scenarios/tutorial.yaml")
    run = Run(scenario, seed=3)
    snap = run.snapshot()   # then run.perceive(...), run.choose(i), run.advance()
"""
from .diagnostics import CODES, Diagnostic
from .errors import BalconyError, ChoiceError, ContentError, ExprError, ExprRuntimeError, PhaseError, SaveError
from .loader import check_file, load_scenario, read_metadata
from .replay import ReplayResult, apply_action, replay
from .runtime import CHOOSING, ENDED, OUTCOME, History, Run, RunState
from .saves import read_save, write_save
from .scenario import Scenario
from .views import Snapshot

__all__ = [
    "CODES", "Diagnostic", "BalconyError", "ChoiceError", "ContentError", "ExprError", "ExprRuntimeError", "PhaseError",
    "SaveError",
    "check_file", "load_scenario", "read_metadata", "ReplayResult", "apply_action", "replay", "CHOOSING", "ENDED",
    "OUTCOME", "History", "Run", "RunState", "read_save", "write_save", "Scenario", "Snapshot",
]
