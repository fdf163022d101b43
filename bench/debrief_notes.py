"""Which choices the causal trace most often finds consequential, over many random runs of a scenario.

For each research scenario (troubled-families, integrated-care, total-place), plays RUNS random runs (the
`random` persona: uniform choices, and now and then a perception action; seeds 0, 1, ...), builds the
causal trace of each (every open alternative of every decision replayed by the debrief's rule), and counts
how often each choice the player took was among the decisions the trace shows (its 5-8 most
consequential). Writes the ranking to tests/debrief/data/consequential.json, which a test reads: the top
30 choices of each scenario must carry a debrief note.

    python bench/debrief_notes.py [--runs 2000] [--scenario integrated-care] [--top 30]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from engine import load_scenario  # noqa: E402
from engine.debrief.trace import consequential  # noqa: E402
from engine.textfmt import tidy  # noqa: E402
from engine.tools import personas as P  # noqa: E402
from engine.tools import simulate as S  # noqa: E402

RESEARCH = ("troubled-families", "integrated-care", "total-place")
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "debrief", "data",
                   "consequential.json")


def shown(scenario, seed, persona, scores):
    """The "scene#index" keys of the decisions a random run's trace shows."""
    run, _, _ = S.play(scenario, persona, seed, scores=scores)
    return consequential(scenario, run.transcript())


def rank_scenario(name, runs, start=0, log=sys.stderr):
    sc = load_scenario(os.path.join("scenarios", f"{name}.yaml"))
    persona = P.get_persona(sc, "random")
    scores = P.scores(sc, persona)
    counts: Counter = Counter()
    t0 = time.perf_counter()
    done = 0
    for seed in range(start, start + runs):
        try:
            counts.update(set(shown(sc, seed, persona, scores)))
        except S.SimulationError:
            continue
        done += 1
        if done % 100 == 0:
            print(f"  {name}: {done}/{runs} runs, {time.perf_counter() - t0:.0f} s", file=log, flush=True)
    out = []
    for key, n in counts.most_common():
        scene, _, idx = key.partition("#")
        ch = sc.scenes[scene].choices[int(idx)]
        out.append({"scene": scene, "choice": int(idx), "text": tidy(ch.text_src)[:120], "runs": n,
                    "share": round(n / max(1, done), 4), "note": bool(ch.debrief)})
    return {"scenario": name, "runs": done, "seconds": round(time.perf_counter() - t0, 1), "choices": out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--scenario", action="append")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    data = {}
    if os.path.exists(args.out):
        with open(args.out, encoding="utf-8") as f:
            data = json.load(f)
    for name in args.scenario or RESEARCH:
        res = rank_scenario(name, args.runs)
        data[name] = res
        top = res["choices"][:args.top]
        missing = [c for c in top if not c["note"]]
        print(f"{name}: {res['runs']} runs in {res['seconds']} s; {len(res['choices'])} choices ever shown; "
              f"of the top {args.top}, {len(missing)} have no note", flush=True)
        for c in missing:
            print(f"    {c['scene']}#{c['choice']} ({c['share']:.0%}): {c['text']}")
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        tmp = args.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
        os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
