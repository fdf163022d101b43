"""Saves: JSON with a format version, written atomically, checked against the scenario on load."""
from __future__ import annotations

import json
import math
import os
import stat
import tempfile
from datetime import datetime, timezone

from .errors import SaveError
from .safeio import NotRegularFile, read_regular

MAX_SAVE_BYTES = 32 * 1024 * 1024

# the process's umask, read once at import (os.umask can only be read by setting it, which is not safe once the
# classroom server's threads are writing files)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _atomic_write(path, write, suffix: str, binary: bool) -> None:
    """Call `write(f)` on a temporary file in `path`'s folder, fsync it and rename it over `path`: a crash never
    leaves half a file (only a temporary, which remove_stale_temporaries sweeps). The one way Balcony writes a
    file that must be whole: saves, transcripts, reports, exports, translations."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            write(f)
            f.flush()
            # mkstemp makes the file readable by its owner only; the file gets the mode the one it replaces had,
            # or a new file's usual mode (0666 less the umask), as open() would give it
            try:
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except OSError:
                mode = 0o666 & ~_UMASK
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path, data: bytes) -> None:
    """`data`, written whole or not at all."""
    _atomic_write(path, lambda f: f.write(data), ".tmp", binary=True)


def atomic_write_text(path, text: str) -> None:
    """`text` as UTF-8, written whole or not at all."""
    _atomic_write(path, lambda f: f.write(text), ".tmp", binary=False)


def atomic_write_json(path, data) -> None:
    """JSON, written whole or not at all."""
    _atomic_write(path, lambda f: json.dump(data, f, ensure_ascii=False, indent=1), ".json", binary=False)


#: Temporary files that a writer killed mid-write leaves behind: atomic_write_json's, and the window's.
TEMPORARY_PATTERNS = (".tmp-*.json", "*.tmp", "*.tmp.png")


def remove_stale_temporaries(folder, older_than: float = 60.0) -> int:
    """Remove the temporary files that writers killed mid-write left in `folder` (the saves themselves are
    whole: they are replaced only by a finished file). Only regular files untouched for `older_than`
    seconds go, so that another Balcony writing at this moment keeps its own. Returns how many went."""
    import glob
    import stat
    import time
    now = time.time()
    removed = 0
    for pattern in TEMPORARY_PATTERNS:
        for path in glob.glob(os.path.join(glob.escape(os.fspath(folder)), pattern), include_hidden=True):
            try:
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode) and now - st.st_mtime > older_than:
                    os.unlink(path)
                    removed += 1
            except OSError:
                continue
    return removed


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
        obj = json.loads(data.decode("utf-8"), parse_constant=_not_a_number)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SaveError(f"{path}: not a Balcony {what} (it is not valid JSON: {str(e)[:80]})") from None
    if not isinstance(obj, dict):
        raise SaveError(f"{path}: not a Balcony {what} (expected a JSON object)")
    return obj


def _not_a_number(name):
    raise ValueError(f"{name} is not a number JSON allows")


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
    """Every field of a save's state, checked against the scenario before anything reads it: each id must
    exist, each value have its type and lie in its range. The message names the field."""
    def bad(field, msg):
        raise SaveError(f"the save is damaged or does not fit this scenario: {field} {msg}")

    def known(v, where):
        return isinstance(v, str) and v in where

    for key in ("scenario", "version", "seed", "scene", "status", "phase", "vals"):
        if key not in state:
            bad(f"state.{key}", "is missing")
    if state["scenario"] != scenario.id:
        bad("state.scenario", f"is {_show(state['scenario'])}, not '{scenario.id}'")
    if not isinstance(state["version"], str):
        bad("state.version", "must be text")
    if not _int(state["seed"]) or not -2 ** 63 <= state["seed"] < 2 ** 63:
        bad("state.seed", "must be a whole number")
    if not known(state["scene"], scenario.scenes):
        bad("state.scene", f"names no scene of this scenario ({_show(state['scene'])})")
    if not known(state["phase"], scenario.phases):
        bad("state.phase", f"names no phase of this scenario ({_show(state['phase'])})")
    status = state["status"]
    if status not in ("choosing", "outcome", "ended"):
        bad("state.status", f"must be 'choosing', 'outcome' or 'ended', not {_show(status)}")
    vals = state["vals"]
    if not isinstance(vals, dict):
        bad("state.vals", "must be a mapping of meters, flags and stakeholder values")
    missing = [k for k in scenario.start_values if k not in vals]
    extra = [k for k in vals if k not in scenario.start_values]
    if missing:
        bad(f"state.vals.{missing[0]}", "is missing")
    if extra:
        bad(f"state.vals.{extra[0]}", "is not a meter, flag or stakeholder value of this scenario")
    for k, v in vals.items():
        if k in scenario.flags:
            if not isinstance(v, bool):
                bad(f"state.vals.{k}", "must be true or false")
        else:
            lo, hi, _ = scenario.ranges[k]
            if not _num(v) or not lo <= v <= hi:
                bad(f"state.vals.{k}", f"is {_show(v)}, not a number in its range {lo} to {hi}")
    end_turn = scenario.end_turn
    turn_limit = (end_turn + 2) if end_turn is not None else 100_000
    for key, top in (("turn", turn_limit), ("attention", 1_000_000), ("balcony_visits", 1_000_000),
                     ("decisions", 10_000_000)):
        v = state.get(key, 0)
        if not _int(v) or not 0 <= v <= top:
            bad(f"state.{key}", f"is {_show(v)}, not a whole number from 0 to {top:,}")
    stories = {st.id for st in scenario.perception.stories}
    for key, ids in (("tags", None), ("visits", scenario.scenes), ("met", scenario.stakeholders),
                     ("heard", stories), ("revealed", scenario.stakeholders)):
        m = state.get(key, {})
        if not isinstance(m, dict):
            bad(f"state.{key}", "must be a mapping of names to numbers")
        for k, v in m.items():
            if ids is not None and k not in ids:
                bad(f"state.{key}.{k}", "names nothing in this scenario")
            ok = _num(v) if key == "revealed" else (_int(v) and 0 <= v <= 10_000_000)
            if not ok:
                bad(f"state.{key}.{k}", f"is {_show(v)}, not a {'number' if key == 'revealed' else 'whole number'}")
    for key in ("pending", "fired", "insights", "notices", "returns"):
        if not isinstance(state.get(key, []), list):
            bad(f"state.{key}", "must be a list")
    events = {e.id for e in scenario.events}
    for i, x in enumerate(state.get("fired", [])):
        if not known(x, events):
            bad(f"state.fired[{i}]", f"names no event of this scenario ({_show(x)})")
    for i, x in enumerate(state.get("insights", [])):
        if not isinstance(x, str):
            bad(f"state.insights[{i}]", "must be text")
    for i, p in enumerate(state.get("pending", [])):
        where = f"state.pending[{i}]"
        if not isinstance(p, dict):
            bad(where, "must be a mapping")
        if not known(p.get("ref"), scenario.laters):
            bad(f"{where}.ref", "refers to a delayed effect that does not exist")
        if not _int(p.get("due")) or not 0 <= p["due"] <= turn_limit + 1_000:
            bad(f"{where}.due", "must be a turn")
        if not isinstance(p.get("cause"), str):
            bad(f"{where}.cause", "must be text")
        if not _text_or_none(p.get("origin")):
            bad(f"{where}.origin", "must be text or null")
    for i, n in enumerate(state.get("notices", [])):
        if (not isinstance(n, dict) or n.get("kind") not in ("result", "quarter", "event", "delayed", "phase")
                or not isinstance(n.get("title"), str) or not isinstance(n.get("text"), str)
                or not _text_or_none(n.get("cause")) or not _rows(n.get("rows", []), scenario)):
            bad(f"state.notices[{i}]", "is malformed (it needs a kind, a title and a text, and rows of meters)")
    if not _rows(state.get("statement", []), scenario):
        bad("state.statement", "(the numbers last shown) is malformed")
    ledger = state.get("ledger", {})
    if ledger != {} and not (isinstance(ledger, dict) and isinstance(ledger.get("base"), dict)
                       and all(known(k, scenario.meters) and _num(v) for k, v in ledger["base"].items())
                       and _int(ledger.get("at")) and ledger["at"] >= 0):
        bad("state.ledger", "(the numbers last shown) is malformed")
    if state.get("next_scene") is not None and not known(state["next_scene"], scenario.scenes):
        bad("state.next_scene", f"names no scene of this scenario ({_show(state['next_scene'])})")
    for i, r in enumerate(state.get("returns", [])):
        if not (r is None or known(r, scenario.scenes)):
            bad(f"state.returns[{i}]", f"names no scene of this scenario ({_show(r)})")
    if not isinstance(state.get("end_requested", False), bool):
        bad("state.end_requested", "must be true or false")
    ending = state.get("ending")
    if ending is not None and not known(ending, {e.id for e in scenario.endings}):
        bad("state.ending", f"names no ending of this scenario ({_show(ending)})")
    if status == "ended" and ending is None:
        bad("state.ending", "is null, but state.status says the run has ended")
    if status != "ended" and ending is not None:
        bad("state.ending", f"is {_show(ending)}, but state.status says the run has not ended")
    if state.get("balcony") is not None:
        _check_balcony(scenario, state["balcony"], bad)
    rng = state.get("rng")
    if rng is not None:
        ok = (isinstance(rng, list) and len(rng) == 3 and _int(rng[0]) and isinstance(rng[1], list)
              and len(rng[1]) == 625 and all(_int(x) and 0 <= x < 2 ** 32 for x in rng[1][:624])
              and _int(rng[1][624]) and 0 <= rng[1][624] <= 624 and (rng[2] is None or _num(rng[2])))
        if not ok:
            bad("state.rng", "(the random-number state) is malformed")


def _check_balcony(scenario, b, bad):
    if not isinstance(b, dict):
        bad("state.balcony", "must be a mapping with readings and meters")
    for key in ("readings", "meters"):
        if not isinstance(b.get(key), list):
            bad(f"state.balcony.{key}", "must be a list")
    for i, r in enumerate(b["readings"]):
        where = f"state.balcony.readings[{i}]"
        if not isinstance(r, dict):
            bad(where, "must be a mapping")
        if not known_id(r.get("id"), scenario.stakeholders):
            bad(f"{where}.id", f"names no stakeholder of this scenario ({_show(r.get('id'))})")
        if not isinstance(r.get("hidden"), bool):
            bad(f"{where}.hidden", "must be true or false")
        for k in ("trust", "commitment"):
            if k not in r:
                bad(f"{where}.{k}", "is missing")
            v = r[k]
            if r["hidden"] and v is not None:
                bad(f"{where}.{k}", "must be null for a stakeholder hidden from the balcony")
            if not r["hidden"] and not (_band(v) and 0 <= v[0] <= v[1] <= 100):
                bad(f"{where}.{k}", f"is {_show(v)}, not a band [low, high] from 0 to 100")
    for i, m in enumerate(b["meters"]):
        where = f"state.balcony.meters[{i}]"
        if not isinstance(m, dict):
            bad(where, "must be a mapping")
        if not known_id(m.get("id"), scenario.meters):
            bad(f"{where}.id", f"names no meter of this scenario ({_show(m.get('id'))})")
        for k in ("lo", "hi"):
            if not _num(m.get(k)):
                bad(f"{where}.{k}", f"is {_show(m.get(k))}, not a number")


def known_id(v, where):
    return isinstance(v, str) and v in where


def _check_rest(data):
    """The actions and the history, which the transcript and the debrief read."""
    def bad(field, msg):
        raise SaveError(f"the save is damaged: {field} {msg}")
    actions = data.get("actions", [])
    if not isinstance(actions, list):
        bad("actions", "must be a list")
    for i, a in enumerate(actions):
        if not isinstance(a, dict):
            bad(f"actions[{i}]", "must be a mapping")
    cps = data.get("checkpoints")
    if cps is not None:
        if not isinstance(cps, list) or len(cps) != len(actions):
            bad("checkpoints", "must be a list with one item per action")
        for i, cp in enumerate(cps):
            if cp is not None and not (isinstance(cp, dict) and isinstance(cp.get("digest"), str)
                                       and isinstance(cp.get("changed", {}), dict)
                                       and all(isinstance(v, bool) or _num(v) for v in cp.get("changed", {}).values())):
                bad(f"checkpoints[{i}]", "is malformed")
    h = data.get("history", {})
    if not isinstance(h, dict):
        bad("history", "must be a mapping")
    lists = {k: h.get(k, []) for k in ("decisions", "changes", "timeline", "events", "perceptions")}
    for k, v in lists.items():
        if not isinstance(v, list):
            bad(f"history.{k}", "must be a list")
    for i, d in enumerate(lists["decisions"]):
        if (not isinstance(d, dict) or not isinstance(d.get("text"), str) or not isinstance(d.get("label"), str)
                or not isinstance(d.get("tags"), list) or not all(isinstance(t, str) for t in d["tags"])
                or not _text_or_none(d.get("debrief")) or not _int(d.get("turn", 0))
                or not _text_or_none(d.get("scene")) or not _text_or_none(d.get("phase"))):
            bad(f"history.decisions[{i}]", "is malformed")
    for i, c in enumerate(lists["changes"]):
        if not (isinstance(c, list) and len(c) == 5 and _int(c[0]) and isinstance(c[1], str)
                and all(isinstance(x, bool) or _num(x) for x in c[2:4]) and isinstance(c[4], str)):
            bad(f"history.changes[{i}]", "is malformed (it should be [turn, value, old, new, cause])")
    for i, t in enumerate(lists["timeline"]):
        if not (isinstance(t, dict) and isinstance(t.get("vals"), dict) and _int(t.get("turn", 0))
                and all(isinstance(x, bool) or _num(x) for x in t["vals"].values())
                and isinstance(t.get("triangle", {}), dict) and all(_num(x) for x in t.get("triangle", {}).values())):
            bad(f"history.timeline[{i}]", "is malformed")
    for key in ("events", "perceptions"):
        for i, x in enumerate(lists[key]):
            if not isinstance(x, dict) or not _int(x.get("turn", 0)):
                bad(f"history.{key}[{i}]", "is malformed")


def _show(v) -> str:
    text = repr(v) if not isinstance(v, int) or isinstance(v, bool) or abs(v) < 10 ** 20 else f"a number of {len(str(abs(v)))} digits"
    return text if len(text) <= 40 else text[:37] + "..."


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
    """A finite number; a whole number beyond float range (such as 10**400 in JSON) is none."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return -1e300 < v < 1e300  # an exact comparison, which float() would not survive
    return isinstance(v, float) and math.isfinite(v)


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
    except SaveError as e:
        raise SaveError(f"{path}: {e}") from None
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise SaveError(f"{path}: the save is damaged ({type(e).__name__}: {e})") from None
