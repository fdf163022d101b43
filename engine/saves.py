"""Saves: JSON with a format version, written atomically, checked against the scenario on load."""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone

from .errors import SaveError

MAX_SAVE_BYTES = 32 * 1024 * 1024


def atomic_write_json(path, data) -> None:
    """Write JSON to `path` via a temporary file in the same folder and a rename: a crash never leaves half a file."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_json(path, what="file") -> dict:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SAVE_BYTES + 1)
    except FileNotFoundError:
        raise SaveError(f"{path}: no such {what}") from None
    except OSError as e:
        raise SaveError(f"{path}: cannot read the {what}: {e.strerror or e}") from None
    if len(data) > MAX_SAVE_BYTES:
        raise SaveError(f"{path}: the {what} is too large to be a Balcony {what}")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SaveError(f"{path}: not a Balcony {what} (it is not valid JSON: {str(e)[:80]})") from None
    if not isinstance(obj, dict):
        raise SaveError(f"{path}: not a Balcony {what} (expected a JSON object)")
    return obj


def check_save_header(scenario, data) -> None:
    if not isinstance(data, dict) or data.get("format") != "balcony-save":
        raise SaveError("this is not a Balcony save file")
    fv = data.get("format_version")
    if not isinstance(fv, int) or fv < 1:
        raise SaveError("the save has no valid format version")
    from .runtime import SAVE_FORMAT
    if data.get("min_compatible", fv) > SAVE_FORMAT:
        raise SaveError(f"the save was written by a newer Balcony (format {fv}); update Balcony to load it")
    if data.get("scenario") != scenario.id:
        raise SaveError(f"the save belongs to the scenario '{data.get('scenario')}', not '{scenario.id}'")
    if str(data.get("scenario_version")) != scenario.version:
        raise SaveError(f"the save was made with version {data.get('scenario_version')} of '{scenario.id}', "
                        f"but version {scenario.version} is loaded: it cannot be resumed safely. "
                        f"Start a new run, or replay its transcript to see where they part")
    state = data.get("state")
    if not isinstance(state, dict):
        raise SaveError("the save has no state")
    _check_state(scenario, state)


def _check_state(scenario, state):
    """Every id a save names must exist in the scenario, and every value have the right type."""
    def bad(msg):
        raise SaveError(f"the save is damaged or does not fit this scenario: {msg}")
    if state.get("scene") not in scenario.scenes:
        bad(f"unknown scene {state.get('scene')!r}")
    if state.get("phase") not in scenario.phases:
        bad(f"unknown phase {state.get('phase')!r}")
    if state.get("status") not in ("choosing", "outcome", "ended"):
        bad("unknown status")
    vals = state.get("vals")
    if not isinstance(vals, dict) or set(vals) != set(scenario.start_values):
        bad("its values do not match the scenario's meters, flags and stakeholders")
    for k, v in vals.items():
        want_bool = k in scenario.flags
        if want_bool != isinstance(v, bool) or not isinstance(v, (int, float)):
            bad(f"the value of {k!r} has the wrong type")
    for key in ("turn", "attention", "balcony_visits", "decisions", "seed"):
        if not isinstance(state.get(key, 0), int) or isinstance(state.get(key, 0), bool):
            bad(f"{key} must be a whole number")
    for key in ("tags", "visits", "met", "heard", "revealed"):
        if not isinstance(state.get(key, {}), dict):
            bad(f"{key} must be a mapping")
    for key in ("pending", "fired", "insights", "notices"):
        if not isinstance(state.get(key, []), list):
            bad(f"{key} must be a list")
    for p in state.get("pending", []):
        if not isinstance(p, dict) or p.get("ref") not in scenario.laters or not isinstance(p.get("due"), int):
            bad("a delayed effect refers to content that does not exist")
    for n in state.get("notices", []):
        if not isinstance(n, dict) or not isinstance(n.get("text", ""), str):
            bad("a notice is malformed")
    if state.get("next_scene") is not None and state["next_scene"] not in scenario.scenes:
        bad("unknown next scene")
    ending = state.get("ending")
    if ending is not None and ending not in {e.id for e in scenario.endings}:
        bad("unknown ending")
    if state.get("balcony") is not None:
        b = state["balcony"]
        if not isinstance(b, dict) or not isinstance(b.get("readings"), list) or not isinstance(b.get("meters"), list):
            bad("the balcony readings are malformed")
        for r in b["readings"]:
            if not isinstance(r, dict) or r.get("id") not in scenario.stakeholders:
                bad("a balcony reading is malformed")
        for m in b["meters"]:
            if not isinstance(m, dict) or m.get("id") not in scenario.meters:
                bad("a balcony reading is malformed")
    rng = state.get("rng")
    if rng is not None:
        ok = (isinstance(rng, list) and len(rng) == 3 and isinstance(rng[0], int) and isinstance(rng[1], list)
              and len(rng[1]) == 625 and all(isinstance(x, int) and 0 <= x < 2 ** 32 for x in rng[1][:624]))
        if not ok:
            bad("its random-number state is malformed")


def write_save(path, run, label: str | None = None) -> dict:
    """Save a run atomically; returns what was written."""
    data = run.to_save()
    data["saved_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    snap_label = run.scenario.quarter_label(run.state.turn)
    data["label"] = label or f"{run.scenario.title}, {snap_label}"
    data["quarter"] = snap_label
    data["title"] = run.scenario.title
    atomic_write_json(path, data)
    return data


def read_save(path, scenario):
    """Load a save for `scenario`; raises SaveError with a clear message on any mismatch or damage."""
    from .runtime import Run
    data = read_json(path, "save")
    try:
        return Run.from_save(scenario, data)
    except SaveError:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise SaveError(f"{path}: the save is damaged ({type(e).__name__}: {e})") from None
