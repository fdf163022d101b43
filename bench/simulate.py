"""The authoring tools' speed: simulate on the tutorial, explore on every shipped scenario.

Targets (issue 3): `simulate` at least 2,000 full random playthroughs a second on
scenarios/tutorial.yaml on one core; `explore` under 10 seconds on every shipped scenario.

simulate is timed in CPU seconds of this process (time.process_time), best of several passes, so that
other work on a shared machine counts less; wall-clock seconds are shown beside. explore is timed by the
wall clock, as an author waits for it, in a fresh process each (`balcony explore`, load included).

usage: python bench/simulate.py [--runs 2000] [--passes 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def bench_simulate(path, runs, passes, persona="random"):
    from engine import load_scenario
    from engine.tools.simulate import simulate
    sc = load_scenario(path)
    simulate(sc, min(runs, 200), persona, 0)  # warm up
    best_cpu = best_wall = None
    for _ in range(passes):
        c0, w0 = time.process_time(), time.perf_counter()
        res = simulate(sc, runs, persona, 0)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        best_wall = wall if best_wall is None else min(best_wall, wall)
    return {"scenario": os.path.relpath(path, ROOT), "persona": persona, "runs": runs,
            "per_second_cpu": round(runs / best_cpu), "per_second_wall": round(runs / best_wall),
            "decisions_per_run": round(sum(res.decisions) / len(res.decisions), 1)}


def bench_explore(path):
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "game", "explore", path, "--json"], capture_output=True, text=True,
                         cwd=ROOT)
    wall = time.perf_counter() - t0
    try:
        d = json.loads(out.stdout)
    except ValueError:
        return {"scenario": os.path.relpath(path, ROOT), "seconds": round(wall, 2), "error": out.stderr[-300:]}
    return {"scenario": os.path.relpath(path, ROOT), "seconds": round(wall, 2), "complete": d["complete"],
            "decision_points": d["states"], "coverage": d["coverage"], "ok": d["ok"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    tutorial = os.path.join(ROOT, "scenarios", "tutorial.yaml")
    sims = [bench_simulate(tutorial, args.runs, args.passes, p) for p in ("random", "systems-leader", "first")]
    shipped = sorted(os.path.join(ROOT, "scenarios", f) for f in os.listdir(os.path.join(ROOT, "scenarios"))
                     if f.endswith(".yaml"))
    explores = [bench_explore(p) for p in shipped]
    out = {"simulate": sims, "explore": explores,
           "targets": {"simulate_random_per_second": 2000, "explore_seconds": 10}}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print("simulate on the tutorial (best of %d passes of %d runs):" % (args.passes, args.runs))
    for s in sims:
        print(f"  {s['persona']:15} {s['per_second_cpu']:6} playthroughs/s of CPU ({s['per_second_wall']} by the wall "
              f"clock), {s['decisions_per_run']} decisions each")
    print("  target: at least 2,000 random playthroughs/s:",
          "met" if sims[0]["per_second_cpu"] >= 2000 else "NOT met")
    print("explore (wall clock, load included):")
    for e in explores:
        if "error" in e:
            print(f"  {e['scenario']:34} failed: {e['error']}")
            continue
        cov = e["coverage"]
        print(f"  {e['scenario']:34} {e['seconds']:5.1f} s  {'complete' if e['complete'] else 'at its bound':12} "
              f"scenes {cov['scenes']}/{cov['scenes_total']}, choices {cov['choices']}/{cov['choices_total']}, "
              f"endings {cov['endings']}/{cov['endings_total']}")
    print("  target: under 10 s each:", "met" if all(e["seconds"] < 10 for e in explores) else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
