"""balcony check FILE: validate, explore and prove every teaching invariant."""
from __future__ import annotations

import json
import os
import sys

from engine import BalconyError, check_file
from engine.tools.explore import BUDGET, TIME_LIMIT, explore
from engine.tools.invariants import check_invariants, parse_invariants, personas_needed

from .common import dump_json, fail, jobs_problem, print_diagnostics, resolve_scenario_arg, runs_problem
from .explore import report as explore_report
from .explore import write_assumption_transcripts
from .toolkit import Progress, add_file_argument, explore_bounds_problem

NAME = "check"
HELP = "validate, explore and prove the scenario's teaching invariants with persona simulations"
DESCRIPTION = HELP + (". A failing invariant prints its numbers and writes a counterexample transcript that "
                      "`balcony replay` plays back. Exit status: 0 all well, 1 a check failed, 2 the scenario has errors.")


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("--runs", type=int, default=None,
                   help="runs per persona for the invariants (default: as many as the scenario's 'check: {runs: N}' "
                        "says, else 200)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--out", metavar="DIR", default=os.path.join("out", "check"),
                   help="where counterexample transcripts go (default out/check)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="prove with N worker processes at once, one persona each (default: one per core when there "
                        "are at least 2,000 runs to play in all; 1 plays them here, one after another). The "
                        "outcomes are the same either way")
    p.add_argument("--no-explore", action="store_true", help="skip the exploration")
    p.add_argument("--budget", type=int, default=BUDGET,
                   help=f"explore's budget in decisions played (default {BUDGET:,}; see balcony explore --help)")
    p.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                   help=f"explore's safety net in seconds (default {TIME_LIMIT:g})")


def auto_jobs(scenario, invariants, runs) -> int:
    """One worker per core, when there is enough to play that starting workers (about half a second each,
    to import and load) pays; else 1."""
    personas = len(personas_needed(scenario, invariants))
    if personas < 2 or runs * personas < 2000:
        return 1
    return max(1, min(os.cpu_count() or 1, personas))


def run(args) -> int:
    problem = explore_bounds_problem(args)
    if problem:
        return fail(problem)
    problem = (runs_problem(args.runs) if args.runs is not None else None) or jobs_problem(args.jobs)
    if problem:
        return fail(problem)
    path = str(resolve_scenario_arg(args.file))
    scenario, diags = check_file(path)
    errors = [d for d in diags if d.severity == "error"]
    result = {"scenario": None, "ok": False, "validate": {"errors": len(errors), "warnings": len(diags) - len(errors),
                                                          "diagnostics": [d.to_dict() for d in diags]}}
    out = sys.stdout if not args.json else sys.stderr
    if scenario is None or errors:
        print_diagnostics(diags, sys.stderr)
        if args.json:
            dump_json(result)
        return 2
    result["scenario"] = scenario.id
    if args.runs is None:
        args.runs = scenario.check_runs or 200
    invariants, inv_diags = parse_invariants(scenario)
    if inv_diags:
        print_diagnostics(inv_diags, sys.stderr)
        result["validate"]["errors"] += len(inv_diags)
        result["validate"]["diagnostics"] += [d.to_dict() for d in inv_diags]
        if args.json:
            dump_json(result)
        return 2
    if not args.json:
        print_diagnostics(diags, out)
        print(f"validate: {len(diags)} warning(s)" if diags else "validate: no problems", file=out)
    failed = False
    if not args.no_explore:
        res = explore(path, budget=args.budget, time_limit=args.time_limit)
        write_assumption_transcripts(res, args.out)
        d = res.to_dict()
        result["explore"] = d
        failed |= res.failed
        if not args.json:
            print("", file=out)
            print(explore_report(res, d), file=out)
    jobs = args.jobs if args.jobs > 0 else auto_jobs(scenario, invariants, args.runs)
    try:
        outcomes = check_invariants(scenario, invariants, runs=args.runs, seed=args.seed,
                                    progress=Progress("proving invariants"), jobs=jobs)
    except BalconyError as e:  # the file changed under a worker
        print(f"balcony check: {e}", file=sys.stderr)
        return 2
    result["invariants"] = []
    if outcomes and not args.json:
        print("", file=out)
        print(f"Teaching invariants ({len(outcomes)}, {args.runs} runs per persona):", file=out)
    for o in outcomes:
        od = o.to_dict()
        if o.counterexample is not None:
            os.makedirs(args.out, exist_ok=True)
            fname = os.path.join(args.out, f"{scenario.id}-{o.invariant.id}.json")
            with open(fname, "w", encoding="utf-8") as f:
                json.dump(o.counterexample, f, indent=2, ensure_ascii=False)
            od["counterexample_file"] = fname
        result["invariants"].append(od)
        failed |= not o.ok
        if not args.json:
            inv = o.invariant
            tag = "ok  " if o.ok else "FAIL"
            finding = f" (finding {inv.finding})" if inv.finding else ""
            print(f"  {tag} {inv.id}{finding}: {inv.says}" if inv.says else f"  {tag} {inv.id}{finding}", file=out)
            print(f"       {o.message}", file=out)
            if not o.ok:
                print(f"       at {inv.file}:{inv.line}:{inv.column}", file=out)
                if "counterexample_file" in od:
                    print(f"       counterexample: {od['counterexample_file']} ({o.counterexample['claim']['says']}); "
                          f"play it back with: balcony replay {od['counterexample_file']} --scenario {path}", file=out)
    result["ok"] = not failed
    if args.json:
        dump_json(result)
    else:
        print("", file=out)
        print("check: all well" if not failed else "check: FAILED (exit status 1)", file=out)
    return 1 if failed else 0
