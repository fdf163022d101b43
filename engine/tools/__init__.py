"""Balcony's authoring tools: explore, simulate, teaching invariants, graph, stats and the starter scenario.

Pure Python on top of the engine's public API (and two small hooks: `Run.fork`, `Run.on_quarter`,
`engine.loader.load_probed`). No pygame, no network, no database. The engine never imports this package;
the `balcony` subcommands in game/commands/ are thin wrappers that print what these functions return.

    from engine import load_scenario
    from engine.tools import simulate, explore, check_invariants

    scenario = load_scenario("scenarios/tutorial.yaml")
    result = simulate.simulate(scenario, runs=1000, persona="random", seed=0)
    print(result.to_dict()["endings"])
"""
from __future__ import annotations

__all__ = ["explore", "graph", "invariants", "measure", "personas", "simulate", "starter", "stats"]
