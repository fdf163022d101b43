"""Saves: JSON with a format version, written atomically, checked against the scenario on load."""
from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import datetime, timezone

from .errors import SaveError
from .safeio import NotRegularFile, read_regular

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
        data = read_regular(path, MAX_SAVE_BYTES)
    except NotRegularFile as e:
        raise SaveError(f"{path}: cannot read the {what}: this is {e}") from None
    except FileNotFoundError:
        raise SaveError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise SaveError(f"{path}: this is a folder, not a {what}") from None
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
    _check_rest(data)


def _check_state(scenario, state):
    """Every id a save names must exist in the scenario, and every value have the right type and range."""
    def bad(msg):
        raise SaveError(f"the save is damaged or does not fit this scenario: {msg}")

    def known(v, where):
        return isinstance(v, str) and v in where
    if not known(state.get("scene"), scenario.scenes):
        bad(f"unknown scene {state.get('scene')!r}")
    if not known(state.get("phase"), scenario.phases):
        bad(f"unknown phase {state.get('phase')!r}")
    if state.get("status") not in ("choosing", "outcome", "ended"):
        bad("unknown status")
    vals = state.get("vals")
    if not isinstance(vals, dict) or set(vals) != set(scenario.start_values):
        bad("its values do not match the scenario's meters, flags and stakeholders")
    for k, v in vals.items():
        if k in scenario.flags:
            if not isinstance(v, bool):
                bad(f"the value of {k!r} has the wrong type")
        else:
            lo, hi, _ = scenario.ranges[k]
            if not _num(v) or not lo <= v <= hi:
                bad(f"the value of {k!r} is not a number in its range {lo} to {hi}")
    for key in ("turn", "attention", "balcony_visits", "decisions", "seed"):
        v = state.get(key, 0)
        if not _int(v) or (key != "seed" and v < 0):
            bad(f"{key} must be a whole number")
    for key in ("tags", "visits", "met", "heard", "revealed"):
        m = state.get(key, {})
        if not isinstance(m, dict) or not all(isinstance(k, str) and (_num(v) if key == "revealed" else _int(v))
                                              for k, v in m.items()):
            bad(f"{key} must be a mapping of names to numbers")
    for key in ("pending", "fired", "insights", "notices"):
        if not isinstance(state.get(key, []), list):
            bad(f"{key} must be a list")
    if not all(isinstance(x, str) for x in state.get("fired", []) + state.get("insights", [])):
        bad("fired events and insights must be text")
    for p in state.get("pending", []):
        if (not isinstance(p, dict) or not known(p.get("ref"), scenario.laters) or not _int(p.get("due"))
                or not isinstance(p.get("cause"), str) or not _text_or_none(p.get("origin"))):
            bad("a delayed effect refers to content that does not exist")
    for n in state.get("notices", []):
        if (not isinstance(n, dict) or n.get("kind") not in ("result", "quarter", "event", "delayed", "phase")
                or not isinstance(n.get("title"), str) or not isinstance(n.get("text"), str)
                or not _text_or_none(n.get("cause")) or not _rows(n.get("rows", []), scenario)):
            bad("a notice is malformed")
    if not _rows(state.get("statement", []), scenario):
        bad("the numbers last shown are malformed")
    ledger = state.get("ledger", {})
    if ledger != {} and not (isinstance(ledger, dict) and isinstance(ledger.get("base"), dict)
                       and all(known(k, scenario.meters) and _num(v) for k, v in ledger["base"].items())
                       and _int(ledger.get("at")) and ledger["at"] >= 0):
        bad("the numbers last shown are malformed")
    if state.get("next_scene") is not None and not known(state["next_scene"], scenario.scenes):
        bad("unknown next scene")
    returns = state.get("returns", [])
    if not isinstance(returns, list) or not all(r is None or known(r, scenario.scenes) for r in returns):
        bad("a scene to return to does not exist")
    if not isinstance(state.get("end_requested", False), bool):
        bad("end_requested must be true or false")
    ending = state.get("ending")
    if ending is not None and not known(ending, {e.id for e in scenario.endings}):
        bad("unknown ending")
    if state.get("balcony") is not None:
        b = state["balcony"]
        if not isinstance(b, dict) or not isinstance(b.get("readings"), list) or not isinstance(b.get("meters"), list):
            bad("the balcony readings are malformed")
        for r in b["readings"]:
            if (not isinstance(r, dict) or not known(r.get("id"), scenario.stakeholders)
                    or not isinstance(r.get("hidden"), bool)
                    or not all(_band(r.get(k)) or r.get(k) is None for k in ("trust", "commitment"))):
                bad("a balcony reading is malformed")
        for m in b["meters"]:
            if not isinstance(m, dict) or not known(m.get("id"), scenario.meters) or not _band([m.get("lo"), m.get("hi")]):
                bad("a balcony reading is malformed")
    rng = state.get("rng")
    if rng is not None:
        ok = (isinstance(rng, list) and len(rng) == 3 and _int(rng[0]) and isinstance(rng[1], list)
              and len(rng[1]) == 625 and all(_int(x) and 0 <= x < 2 ** 32 for x in rng[1][:624])
              and _int(rng[1][624]) and (rng[2] is None or _num(rng[2])))
        if not ok:
            bad("its random-number state is malformed")


def _check_rest(data):
    """The actions and the history, which the transcript and the debrief read."""
    def bad(msg):
        raise SaveError(f"the save is damaged: {msg}")
    actions = data.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        bad("its actions must be a list of mappings")
    h = data.get("history", {})
    if not isinstance(h, dict):
        bad("its history must be a mapping")
    lists = {k: h.get(k, []) for k in ("decisions", "changes", "timeline", "events", "perceptions")}
    if not all(isinstance(v, list) for v in lists.values()):
        bad("its history is malformed")
    for d in lists["decisions"]:
        if (not isinstance(d, dict) or not isinstance(d.get("text"), str) or not isinstance(d.get("label"), str)
                or not isinstance(d.get("tags"), list) or not all(isinstance(t, str) for t in d["tags"])
                or not _text_or_none(d.get("debrief"))):
            bad("a decision in its history is malformed")
    if not all(isinstance(c, list) and len(c) == 5 for c in lists["changes"]):
        bad("a change in its history is malformed")
    if not all(isinstance(t, dict) and isinstance(t.get("vals"), dict) for t in lists["timeline"]):
        bad("its timeline is malformed")
    if not all(isinstance(x, dict) for x in lists["events"] + lists["perceptions"]):
        bad("its history is malformed")


def _rows(rows, scenario):
    """Meter rows of a notice or a statement (see views.MeterRow)."""
    return isinstance(rows, list) and all(
        isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] in scenario.meters
        and isinstance(r.get("label"), str) and "value" in r and (r["value"] is None or _int(r["value"])) and _int(r.get("delta"))
        and isinstance(r.get("parts"), list)
        and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and _int(p[1]) for p in r["parts"])
        for r in rows)


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _band(v):
    return isinstance(v, list) and len(v) == 2 and all(_num(x) for x in v)


def _text_or_none(v):
    return v is None or isinstance(v, str)


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
