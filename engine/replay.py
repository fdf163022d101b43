"""Transcripts: a scenario, version, seed and actions reproduce a run exactly.

A transcript is checked against its JSON Schema (engine/transcript_schema.py, published as
docs/transcript.schema.json) before anything reads it. Transcripts written since checkpoints were added
carry one per action (see engine/checkpoints.py); replay compares the run with each, and names the first
action where they part and the values that differ there. Older transcripts, without checkpoints, replay
as before: only the ending and the final values are compared.
"""
from __future__ import annotations

from dataclasses import dataclass

from .checkpoints import state_digest
from .crowding import MAX_SHOWN, shown_now
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


_VALIDATOR = None


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft202012Validator

        from .transcript_schema import TRANSCRIPT_SCHEMA
        _VALIDATOR = Draft202012Validator(TRANSCRIPT_SCHEMA)
    return _VALIDATOR


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def check_transcript(data) -> None:
    """Refuse a transcript that does not follow the schema, naming the first field that does not."""
    if not isinstance(data, dict):
        raise SaveError("a transcript is a JSON object")
    from jsonschema.exceptions import best_match
    error = best_match(_validator().iter_errors(data))
    if error is not None:
        where = "the transcript" if error.json_path == "$" else f"the transcript's {error.json_path[2:]}"
        kind = error.validator
        if kind == "type":
            expected = error.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            what = f"is {_short(error.instance)}, not of the type {expected}"
        elif kind == "enum":
            what = f"is {_short(error.instance)}, not one of {', '.join(map(repr, error.validator_value))}"
        elif kind == "oneOf":
            what = "must have exactly one of 'choose', 'perceive' and 'start_at'"
        elif kind in ("minimum", "maximum", "maxLength", "minLength", "maxItems", "pattern", "const"):
            what = f"is {_short(error.instance)}, outside what it may be ({kind} {_short(error.validator_value)})"
        else:
            what = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        raise SaveError(f"{where} {what} (see docs/transcript.schema.json)")
    if isinstance(data["seed"], float):
        raise SaveError("the transcript's seed must be a whole number")


def replay(scenario, data, *, finish: bool = True) -> ReplayResult:
    """Replay a transcript; report the first divergence from what it recorded."""
    check_transcript(data)
    if data["scenario"] != scenario.id:
        raise SaveError(f"the transcript is for '{data['scenario']}', not '{scenario.id}'")
    recorded = data.get("content_hash")
    changed = isinstance(recorded, str) and bool(recorded) and bool(scenario.content_hash) \
        and recorded != scenario.content_hash
    if changed:
        note = (f" (the scenario's content has changed since this transcript was recorded: its files' hash was "
                f"{recorded}, now {scenario.content_hash}"
                + (f"; transcript version {data['version']}, scenario version {scenario.version}"
                   if str(data["version"]) != scenario.version else "")
                + "; record the run again to follow the new version)")
    elif str(data["version"]) != scenario.version:
        note = f" (transcript version {data['version']}, scenario version {scenario.version})"
    else:
        note = ""
    actions = data["actions"]
    checkpoints = data.get("checkpoints")
    if not isinstance(checkpoints, list) or len(checkpoints) != len(actions):
        checkpoints = [None] * len(actions)  # an older transcript: only its end is compared
    if actions and "start_at" in actions[0]:
        first = actions[0]
        overrides = first.get("set") or {}
        try:
            run = Run.start_at(scenario, data["seed"], first.get("start_at"), overrides)
        except BalconyError as e:
            return ReplayResult(False, Run(scenario, data["seed"]), f"the transcript's start could not be replayed: {e}", 0)
        offset = 1
    else:
        run = Run(scenario, data["seed"])
        offset = 0
    broken = _watch_assumption(scenario, run, data.get("assumption"))
    recorded = dict(run.state.vals) if offset == 0 else {}
    if offset:
        recorded = dict(Run(scenario, data["seed"], record=False).state.vals)
        parted = _parted(run, checkpoints[0], recorded, 0, actions[0], note)
        if parted:
            return parted
    for i in range(offset, len(actions)):
        action = actions[i]
        try:
            apply_action(run, action)
        except BalconyError as e:
            return ReplayResult(False, run, f"action {i + 1} ({_describe(action)}) could not be replayed "
                                            f"in scene '{run.state.scene}': {e}{note}", i)
        parted = _parted(run, checkpoints[i], recorded, i, action, note)
        if parted:
            return parted
    if finish and run.status == OUTCOME:
        run.advance()
    if broken is not None:
        return _assumption_result(run, data, broken, note)
    if isinstance(data.get("crowded"), dict) and run.status == "choosing":
        return _crowded_result(run, data, note)
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
    if changed:
        note = " (the scenario's content has changed since it was recorded, but not in a way that alters this run)"
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


def _crowded_result(run, data, note) -> ReplayResult:
    """For a transcript that explore wrote because a scene showed more than four choices at once (its
    'crowded'): does the replay reach such a state again?"""
    n = shown_now(run)
    sc = run.scenario.scenes[run.state.scene]
    where = f"{sc.file}:{sc.pos[0]}:{sc.pos[1]}"
    label = run.scenario.quarter_label(run.state.turn)
    if n > MAX_SHOWN:
        return ReplayResult(True, run, f"the transcript replays to the scene '{sc.id}' ({label}, {where}), where {n} "
                                       f"choices are shown at once, more than {MAX_SHOWN}{note}", len(data["actions"]))
    return ReplayResult(False, run, f"the transcript was written because the scene "
                                    f"'{data['crowded'].get('scene')}' showed more than {MAX_SHOWN} choices at once; "
                                    f"on this replay '{sc.id}' ({where}) shows {n} choices: the scenario has changed "
                                    f"since{note}", len(data["actions"]))


def _parted(run, cp, recorded, i, action, note):
    """None if the run matches checkpoint `cp` (or there is none), else the result naming what differs."""
    if not cp:
        return None
    recorded.update(cp.get("changed", {}))
    s = run.state
    if state_digest(s) == cp["digest"]:
        return None
    diffs = [f"{k} is {_num(s.vals.get(k))} in this run but {_num(v)} in the transcript"
             for k, v in sorted(recorded.items()) if s.vals.get(k) != v or type(s.vals.get(k)) is not type(v)]
    if "scene" in cp and cp["scene"] != s.scene:
        diffs.insert(0, f"the scene is '{s.scene}' in this run but '{cp['scene']}' in the transcript")
    if "turn" in cp and cp["turn"] != s.turn:
        diffs.insert(0, f"the turn is {s.turn} in this run but {cp['turn']} in the transcript")
    if not diffs:
        diffs = ["the values agree, but something they do not show differs (the balcony's readings, events "
                 "fired, delayed effects, tags or visits)"]
    shown = "; ".join(diffs[:6]) + (f"; and {len(diffs) - 6} more" if len(diffs) > 6 else "")
    return ReplayResult(False, run, f"the run parts from the transcript at action {i + 1} ({_describe(action)}, "
                                    f"in scene '{s.scene}'): {shown}{note}", i)


def _num(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v)


def _describe(action):
    if isinstance(action, dict) and "choose" in action:
        return f"choose {action['choose']}"
    if isinstance(action, dict) and "perceive" in action:
        return f"perceive {action['perceive']}" + (f" {action['who']}" if action.get("who") else "")
    if isinstance(action, dict) and "start_at" in action:
        return f"start at {action['start_at']}"
    return repr(action)
