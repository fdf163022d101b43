"""How long the debrief takes to build: replay, counterfactuals, better path, personas, all of it.

For each shipped scenario, ten runs (random choices and random perception, seeds 0-9) are played and
their debriefs built from the transcripts, cold: the personas' runs, which are cached per scenario in
one process, are cleared before every build, so each figure is what a player waits for the first time.
Prints the median and the worst per scenario and the time per section of the worst. Best of three
passes per run (the machine is shared and noisy).

    python bench/debrief.py [--runs 10] [--passes 3]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import Run, load_scenario  # noqa: E402
from engine.debrief import Builder  # noqa: E402
from engine.debrief import pattern  # noqa: E402

SCENARIOS = ("tutorial", "troubled-families", "integrated-care", "total-place")


def play(scenario, seed):
    rnd = random.Random(seed)
    run = Run(scenario, seed)
    ids = list(scenario.stakeholders)
    while run.status != "ended":
        if run.status == "outcome":
            run.advance()
            continue
        while run.state.attention > 0 and rnd.random() < 0.4:
            kind = rnd.choice(["balcony", "listen", "one_to_one"])
            try:
                run.perceive(kind, rnd.choice(ids) if kind == "one_to_one" else None)
            except Exception:
                break
        run.choose(rnd.choice(run.available_indices()))
    return run.transcript()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    print(f"{'scenario':20} {'decisions':>9} {'median s':>9} {'worst s':>8}   sections of the worst (s)")
    for name in SCENARIOS:
        sc = load_scenario(os.path.join("scenarios", f"{name}.yaml"))
        times, worst = [], None
        decisions = []
        for seed in range(args.runs):
            tr = play(sc, seed)
            best = None
            for _ in range(args.passes):
                pattern._CACHE.clear()
                b = Builder(sc, tr)
                t = time.perf_counter()
                d = b.result()
                el = time.perf_counter() - t
                if best is None or el < best[0]:
                    best = (el, d.timings)
            times.append(best[0])
            decisions.append(d.decisions)
            if worst is None or best[0] > worst[0]:
                worst = best
        parts = " ".join(f"{k} {v:.2f}" for k, v in worst[1].items() if v >= 0.005)
        print(f"{name:20} {statistics.mean(decisions):9.1f} {statistics.median(times):9.2f} {max(times):8.2f}   {parts}")


if __name__ == "__main__":
    main()
