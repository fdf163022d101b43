"""Helpers shared by subcommands: finding scenarios, printing diagnostics, JSON output."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from engine import ContentError, load_scenario, read_metadata

from ..paths import shipped_scenarios


#: The most runs `simulate` plays, or `check` per persona: about four minutes of simulating, and a bound on the
#: memory the figures take (a huge number ran until the machine ran out of memory).
MAX_RUNS = 1_000_000


def runs_problem(runs: int) -> str | None:
    """What is wrong with --runs, or None."""
    if runs < 1:
        return f"--runs must be at least 1 (it is {runs})"
    if runs > MAX_RUNS:
        return f"--runs must be at most {MAX_RUNS:,} (it is {runs:,})"
    return None


def jobs_problem(jobs: int) -> str | None:
    """What is wrong with --jobs (0: one per core), or None: at most four worker processes per core, since
    more only wait for one another (a huge number started that many processes)."""
    import os
    most = 4 * max(1, os.cpu_count() or 1)
    if jobs < 0:
        return f"--jobs must be 0 (one per core) or more (it is {jobs})"
    if jobs > most:
        return f"--jobs must be at most {most}, four per core of this computer (it is {jobs:,})"
    return None


def fail(message: str, code: int = 2) -> int:
    print(f"balcony: {message}", file=sys.stderr)
    return code


def print_diagnostics(diags, stream=None) -> None:
    stream = stream or sys.stdout
    for d in diags:
        print(d.format(), file=stream)


def load_or_report(path, stream=None, lang=None):
    """Load a scenario (in `lang`, from its translation file); on content errors print every diagnostic
    and return None."""
    try:
        return load_scenario(path, lang)
    except ContentError as e:
        print_diagnostics(e.diagnostics, stream or sys.stderr)
        return None


def transcript_scenario(args, data):
    """The scenario a transcript was recorded on, loaded: `--scenario FILE`, else the shipped scenario with the
    transcript's id. Returns (scenario, None), or (None, exit status) after saying what went wrong."""
    sid = data.get("scenario")
    path = args.scenario or (find_scenario_by_id(sid) if isinstance(sid, str) else None)
    if path is None:
        return None, fail(f"{args.transcript}: cannot find the scenario {sid!r}; name it with --scenario FILE")
    scenario = load_or_report(path)
    return (scenario, None) if scenario is not None else (None, 2)


def find_scenario_by_id(scenario_id: str) -> Path | None:
    for f in shipped_scenarios():
        try:
            if read_metadata(f)["id"] == scenario_id:
                return f
        except ContentError:
            continue
    return None


def resolve_scenario_arg(arg: str | None) -> Path | None:
    """A path, or a shipped scenario's id or file stem."""
    if arg is None:
        return None
    p = Path(arg)
    if p.exists() or os.sep in arg or arg.endswith((".yaml", ".yml")):
        return p
    for f in shipped_scenarios():
        if f.stem == arg:
            return f
    return find_scenario_by_id(arg) or p


def dump_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
