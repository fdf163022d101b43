"""Recorded playthroughs, collected automatically: every tests/playthroughs/*.json is a test.

A playthrough file is::

    {"description": "...", "scenario": "scenarios/tutorial.yaml", "seed": 3,
     "actions": [{"choose": 0}, {"perceive": "balcony"}, {"perceive": "one_to_one", "who": "police"}, ...],
     "ending": "long_game",
     "values": {"outcomes": 41.2, "pooled": true, "police.commitment": 38.5}}

`scenario` is relative to the repository; `actions` are transcript actions (choice indices are
the scene's own, as ChoiceView.index); `values` is any subset of the final hidden state.
After an intended change to a scenario, re-record the expectations (same seeds and actions) with
    python -m tests.engine.test_playthroughs rerecord tests/playthroughs/*.json
and record one playthrough for every ending that has none yet (played by the scenario's personas) with
    python -m tests.engine.test_playthroughs record scenarios/*.yaml
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from engine import BalconyError, Run, load_scenario
from engine.replay import apply_action

from .helpers import PLAYTHROUGHS, REPO

FILES = sorted(PLAYTHROUGHS.glob("*.json"))
_SCENARIOS: dict = {}


def scenario_for(path):
    key = (REPO / path).resolve()
    if key not in _SCENARIOS:
        _SCENARIOS[key] = load_scenario(key)
    return _SCENARIOS[key]


def play(plan):
    """Run a plan's actions to the end; returns the run. Fails with the step that could not be taken."""
    run = Run(scenario_for(plan["scenario"]), plan["seed"])
    for i, action in enumerate(plan["actions"]):
        try:
            apply_action(run, action)
        except BalconyError as e:
            pytest.fail(f"action {i + 1} {action} could not be taken in scene {run.state.scene!r}: {e}")
    if run.status == "outcome":
        run.advance()
    return run


def test_playthroughs_exist():
    assert len(FILES) >= 3, "tests/playthroughs/ should hold recorded playthroughs"
    assert len({json.loads(f.read_text())["ending"] for f in FILES}) >= 3, "they should reach different endings"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_recorded_playthrough(path):
    plan = json.loads(path.read_text(encoding="utf-8"))
    assert {"scenario", "seed", "actions", "ending", "values"} <= set(plan), f"{path.name} lacks keys"
    assert plan["values"], "record at least one value"
    run = play(plan)
    assert run.status == "ended", f"{path.name}: the run had not ended after the last action (scene {run.state.scene!r})"
    assert run.state.ending == plan["ending"], f"{path.name}: ended with {run.state.ending!r}, recorded {plan['ending']!r}"
    wrong = {}
    for key, want in plan["values"].items():
        assert key in run.state.vals, f"{path.name}: {key!r} is not part of the state"
        got = run.state.vals[key]
        if isinstance(want, bool) or isinstance(got, bool):
            ok = got is want
        else:
            ok = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)
        if not ok:
            wrong[key] = (want, got)
    assert not wrong, f"{path.name}: recorded vs actual final values: {wrong}"


def dump_plan(plan) -> str:
    """JSON with one action per line, so that diffs of recorded playthroughs stay readable."""
    head = {k: v for k, v in plan.items() if k not in ("actions", "ending", "values")}
    lines = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    acts = ",\n".join(f"  {json.dumps(a)}" for a in plan["actions"])
    lines.append(f' "actions": [\n{acts}\n ],')
    lines.append(f' "ending": {json.dumps(plan["ending"])},')
    vals = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in plan["values"].items())
    lines.append(f' "values": {{\n{vals}\n }}')
    return "{\n" + "\n".join(lines) + "\n}\n"


def _rerecord(files):  # pragma: no cover - a tool for authors
    for f in files:
        p = Path(f)
        plan = json.loads(p.read_text(encoding="utf-8"))
        run = Run(scenario_for(plan["scenario"]), plan["seed"])
        for action in plan["actions"]:
            apply_action(run, action)
        if run.status == "outcome":
            run.advance()
        plan["ending"] = run.state.ending
        plan["values"] = {k: run.state.vals[k] for k in plan["values"]}
        p.write_text(dump_plan(plan), encoding="utf-8")
        print(f"{p}: {run.state.ending}")


def _record(scenario_files, tries=3000):  # pragma: no cover - a tool for authors
    """Find and record one playthrough for every ending that has none yet, by playing personas' runs."""
    from engine.tools.personas import all_personas
    from engine.tools.simulate import replay_run

    have = {}
    for f in FILES:
        plan = json.loads(f.read_text(encoding="utf-8"))
        have.setdefault(str(Path(plan["scenario"])), set()).add(plan["ending"])
    for sf in scenario_files:
        rel = str(Path(sf).resolve().relative_to(REPO))
        scenario = scenario_for(rel)
        wanted = [e.id for e in scenario.endings if e.id not in have.get(rel, set())]
        personas = list(all_personas(scenario))
        for seed in range(tries):
            if not wanted:
                break
            for name in personas:
                run = replay_run(scenario, name, seed)
                if run.state.ending in wanted:
                    e = run.state.ending
                    wanted.remove(e)
                    keys = [m for m in scenario.meters][:6] + [f for f in scenario.flags][:2]
                    plan = {"description": f"{scenario.title}: the '{e}' ending, as the {name} persona played it "
                                           f"(seed {seed}).",
                            "scenario": rel, "seed": run.state.seed, "actions": run.actions, "ending": e,
                            "values": {k: run.state.vals[k] for k in keys}}
                    out = PLAYTHROUGHS / f"{Path(rel).stem}-{e.replace('_', '-')}.json"
                    out.write_text(dump_plan(plan), encoding="utf-8")
                    print(f"{out.name}: {name}, seed {seed}")
        for e in wanted:
            print(f"{rel}: no playthrough found for the ending {e!r}")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["rerecord"]:
        _rerecord(sys.argv[2:])
    elif sys.argv[1:2] == ["record"]:
        _record(sys.argv[2:])
    else:
        print(__doc__)
