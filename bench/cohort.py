"""How long the cohort debrief takes for a room: each seat's summary (a replay and the debrief's balcony
gap), the room's figures, and the HTML report with its charts.

A room of N seats (random choices, a balcony now and then, all with the room's one seed) is played for each
scenario, and the report built from the transcripts, as `balcony export --format html` and the dashboard's
Cohort debrief do after the database has been read. Best of three passes (the machine is shared and noisy).

    python bench/cohort.py [--seats 30] [--passes 3]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import Run, load_scenario  # noqa: E402
from engine.cohort import aggregate, summarise  # noqa: E402

SCENARIOS = ("tutorial", "troubled-families")


def room(scenario, seats: int) -> list:
    out = []
    for i in range(seats):
        rng = random.Random(i)
        run = Run(scenario, 3)
        while run.status != "ended":
            if run.status == "outcome":
                run.advance()
                continue
            if rng.random() < 0.3 and any(a.kind == "balcony" and a.available for a in run.snapshot().perception_actions):
                run.perceive("balcony")
            run.choose(rng.choice(run.available_indices()))
        out.append((str(i + 1), run.transcript()))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=30)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    from game.cohort.report import render_html
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in SCENARIOS:
        sc = load_scenario(os.path.join(root, "scenarios", f"{name}.yaml"))
        seats = room(sc, args.seats)
        summarise(sc, seats[0][1], "warm")  # the personas' runs, cached per scenario once per process
        best = None
        for _ in range(args.passes):
            t0 = time.perf_counter()
            summaries = [summarise(sc, tr, sid) for sid, tr in seats]
            t1 = time.perf_counter()
            cohort = aggregate(sc, summaries, 3)
            t2 = time.perf_counter()
            html = render_html(cohort, {})
            t3 = time.perf_counter()
            got = (t3 - t0, t1 - t0, t2 - t1, t3 - t2)
            best = got if best is None or got[0] < best[0] else best
        total, per, agg, rend = best
        print(f"{name}: {args.seats} seats in {total:.2f} s: summaries {1000 * per / args.seats:.1f} ms a seat, "
              f"the room's figures {1000 * agg:.0f} ms, the report {rend:.2f} s ({len(html) // 1024} KB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
