"""Transcripts: a scenario, version, seed and actions reproduce a run exactly."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import BalconyError, SaveError
from .runtime import OUTCOME, Run


@dataclass(frozen=True)
class ReplayResult:
    ok: bool
    run: Run
    message: str
    step: int | None = None  # index of the first action that diverged


def apply_action(run: Run, action) -> None:
    """Apply one transcript action, advancing past an outcome screen first."""
    if run.status == OUTCOME:
        run.advance()
    if not isinstance(action, dict):
        raise SaveError(f"an action must be a mapping, not {action!r}")
    if "choose" in action:
        run.choose(action["choose"], action.get("outcome"))
    elif "perceive" in action:
        run.perceive(action["perceive"], action.get("who"))
    else:
        raise SaveError(f"unknown action {action!r}")


def check_transcript(data) -> None:
    if not isinstance(data, dict):
        raise SaveError("a transcript is a JSON object")
    for key in ("scenario", "version", "seed", "actions"):
        if key not in data:
            raise SaveError(f"the transcript has no '{key}'")
    if not isinstance(data["seed"], int) or isinstance(data["seed"], bool):
        raise SaveError("the transcript's seed must be a whole number")
    if not isinstance(data["actions"], list):
        raise SaveError("the transcript's actions must be a list")


def replay(scenario, data, *, finish: bool = True) -> ReplayResult:
    """Replay a transcript; report the first divergence from what it recorded."""
    check_transcript(data)
    if data["scenario"] != scenario.id:
        raise SaveError(f"the transcript is for '{data['scenario']}', not '{scenario.id}'")
    if str(data["version"]) != scenario.version:
        note = f" (transcript version {data['version']}, scenario version {scenario.version})"
    else:
        note = ""
    actions = data["actions"]
    if actions and isinstance(actions[0], dict) and "start_at" in actions[0]:
        first = actions[0]
        overrides = first.get("set") or {}
        if not isinstance(overrides, dict):
            raise SaveError("the transcript's start 'set' must be a mapping")
        try:
            run = Run.start_at(scenario, data["seed"], first.get("start_at"), overrides)
        except BalconyError as e:
            return ReplayResult(False, Run(scenario, data["seed"]), f"the transcript's start could not be replayed: {e}", 0)
        actions = actions[1:]
        offset = 1
    else:
        run = Run(scenario, data["seed"])
        offset = 0
    broken = _watch_assumption(scenario, run, data.get("assumption"))
    for i, action in enumerate(actions, offset):
        try:
            apply_action(run, action)
        except BalconyError as e:
            return ReplayResult(False, run, f"action {i + 1} ({_describe(action)}) could not be replayed "
                                            f"in scene '{run.state.scene}': {e}{note}", i)
    if finish and run.status == OUTCOME:
        run.advance()
    if broken is not None:
        return _assumption_result(run, data, broken, note)
    expected_end = data.get("ending")
    if "ending" in data and expected_end != run.state.ending:
        return ReplayResult(False, run, f"the run ended with {run.state.ending!r}, but the transcript recorded "
                                        f"{expected_end!r}{note}", len(data["actions"]))
    final = data.get("final_state")
    if isinstance(final, dict):
        for k in sorted(set(final) | set(run.state.vals)):
            a, b = final.get(k), run.state.vals.get(k)
            if a != b and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) < 1e-6):
                return ReplayResult(False, run, f"the final value of {k!r} is {b!r}, but the transcript recorded {a!r}{note}",
                                    len(data["actions"]))
    return ReplayResult(True, run, f"the transcript replays exactly: {len(data['actions'])} actions, "
                                   f"ending {run.state.ending!r}{note}")


def _watch_assumption(scenario, run, recorded):
    """For a transcript that explore or check wrote because a text was shown while what it assumes was
    false (its 'assumption'): watch the replay for that text. Returns [assumption or None, hits]."""
    if not isinstance(recorded, dict):
        return None
    a = scenario.assumptions.get(recorded.get("key"))
    hits: list = []
    if a is None:
        return [None, hits, recorded]

    def hook(r, key):
        if key == a.key and not a.cond(r.state):
            hits.append((r.state.scene, r.scenario.quarter_label(r.state.turn)))
    run.on_text = hook
    if run.state.status == "choosing":
        hook(run, f"scene:{run.state.scene}")
    return [a, hits, recorded]


def _assumption_result(run, data, broken, note) -> ReplayResult:
    a, hits, recorded = broken
    n = len(data["actions"])
    if a is None:
        return ReplayResult(False, run, f"the transcript was written because {recorded.get('what', 'a text')} assumed "
                                        f"\"{recorded.get('assumes')}\", but the scenario no longer declares that "
                                        f"assumption{note}", n)
    if not hits:
        return ReplayResult(False, run, f"{a.what} assumes \"{a.source}\" ({a.file}:{a.line}:{a.column}), and on "
                                        f"this replay it held: the scenario has changed since the transcript was "
                                        f"written{note}", n)
    scene, label = hits[-1]
    return ReplayResult(True, run, f"the transcript replays to the broken assumption: after {n} actions, in "
                                   f"'{scene}' ({label}), {a.what} is shown, but it assumes \"{a.source}\" "
                                   f"({a.file}:{a.line}:{a.column}), which is false here{note}")


def _describe(action):
    if isinstance(action, dict) and "choose" in action:
        return f"choose {action['choose']}"
    if isinstance(action, dict) and "perceive" in action:
        return f"perceive {action['perceive']}" + (f" {action['who']}" if action.get("who") else "")
    return repr(action)
