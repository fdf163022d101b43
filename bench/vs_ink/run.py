"""Balcony's simulate against inkjs on the same random story, side by side in one run.

Generates one random story graph (default 200 knots of 3 choices; about one choice in five has a
condition; each choice changes 3-4 integer variables; knots lead forward, so a playthrough ends after
about 30 choices) twice: as ink source and as a Balcony scenario. Then plays random playthroughs of it
in inkjs (compiled by inkjs's own compiler; the story's state is reset between runs) and with Balcony's
simulate (the `random` persona; the scenario gives no attention, so nothing is spent on perception),
and reports both rates and their ratio. The issue's target: Balcony at least 10x inkjs.

It is a benchmark, not a test. Without Node.js, or without inkjs installed (`npm install` in this
folder), it plays the Balcony side only and says why.

The two take turns, pass by pass (Balcony, inkjs, Balcony, ...), and the best pass of each counts, so that
a busy moment on a shared machine does not fall on one side only.

usage: python bench/vs_ink/run.py [--knots 200] [--runs 2000] [--seed 1] [--passes 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

VARS = [f"v{i}" for i in range(8)]


def generate(knots: int = 200, seed: int = 1):
    """(ink source, Balcony YAML, facts) for one random story graph."""
    rng = random.Random(seed)
    graph = []
    for k in range(knots):
        choices = []
        for c in range(3):
            cond = None
            if c > 0 and rng.random() < 0.3:  # the first choice is always open, so no knot is a dead end
                cond = (rng.choice(VARS), rng.choice((">", "<")), rng.randint(-3, 3))
            changes = [(v, rng.choice((-3, -2, -1, 1, 2, 3))) for v in rng.sample(VARS, rng.randint(3, 4))]
            target = k + rng.randint(1, 13)
            choices.append((cond, changes, target if target < knots else None))
        graph.append(choices)

    ink = [f"VAR {v} = 0" for v in VARS] + ["", "-> k0", ""]
    for k, choices in enumerate(graph):
        ink.append(f"=== k{k} ===")
        ink.append(f"Knot {k}.")
        for c, (cond, changes, target) in enumerate(choices):
            guard = f"{{{cond[0]} {cond[1]} {cond[2]}}} " if cond else ""
            ink.append(f"* {guard}[Choice {c}]")
            for v, d in changes:
                ink.append(f"  ~ {v} = {v} + {d}")
            ink.append(f"  -> {'k%d' % target if target is not None else 'END'}")
        ink.append("")

    y = ["balcony: 1", "id: vs_ink", "title: A random story", 'version: "1"', "summary: Generated for bench/vs_ink.",
         "setting: {place: Nowhere, years: [2010, 2011]}", "role: Reader", "start: k0",
         "calendar: {start: 2010-Q1}", "event_chance: 0", "perception: {attention: 0}", "meters:"]
    for v in VARS:
        y.append(f"  {v}: {{type: int, range: [-10000, 10000], start: 0}}")
    y += ["stakeholders: []", "phases: [{id: one, name: One}]", "scenes:"]
    for k, choices in enumerate(graph):
        y += [f"  k{k}:", "    speaker: narrator", "    quarters: 0", f"    text: Knot {k}.", "    choices:"]
        for c, (cond, changes, target) in enumerate(choices):
            y.append(f"      - text: Choice {c}")
            if cond:
                y.append(f'        if: "{cond[0]} {cond[1]} {cond[2]}"')
            y.append("        effects: [{add: {" + ", ".join(f"{v}: {d}" for v, d in changes) + "}}]")
            y.append(f"        goto: {'k%d' % target if target is not None else 'end'}")
    y += ["triangle: {public_value: v0, legitimacy: v1, capacity: v2}",
          "endings:", "  - {id: done, title: Done, quality: mixed, fallback: true, text: The end.}"]
    conditional = sum(1 for ch in graph for c in ch if c[0])
    return "\n".join(ink) + "\n", "\n".join(y) + "\n", {"knots": knots, "choices": 3 * knots,
                                                        "conditional": conditional}


def balcony_pass(sc, runs, seed):
    """One pass of Balcony's simulate: its figures."""
    from engine.tools.simulate import simulate
    t0 = time.perf_counter()
    res = simulate(sc, runs, "random", seed)
    dt = time.perf_counter() - t0
    return {"runs": runs, "seconds": dt, "per_second": runs / dt,
            "choices_per_run": sum(res.decisions) / len(res.decisions), "errors": len(res.errors)}


def ink_missing():
    """Why the inkjs side cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed: the inkjs side is skipped"
    if not os.path.isdir(os.path.join(HERE, "node_modules", "inkjs")):
        return "inkjs is not installed: run `npm install` in bench/vs_ink/ (the inkjs side is skipped)"
    return None


def ink_pass(path, runs, seed):
    """One pass of inkjs (a fresh Node process; compiling is not timed): (figures, None) or (None, why not)."""
    out = subprocess.run([shutil.which("node"), os.path.join(HERE, "play_ink.js"), path, str(runs), str(seed)],
                         capture_output=True, text=True, cwd=HERE, timeout=600)
    if out.returncode != 0:
        return None, f"inkjs failed: {out.stderr.strip()[:500]}"
    return json.loads(out.stdout.strip().splitlines()[-1]), None


def side_by_side(yaml_path, ink_path, runs, seed, passes):
    """Passes of the two, taken in turn (Balcony, inkjs, Balcony, ...) so that both meet the same machine;
    the best pass of each counts."""
    from engine import load_scenario
    sc = load_scenario(yaml_path)
    balcony_pass(sc, min(runs, 200), seed)  # warm up
    why = ink_missing()
    best_b = best_i = None
    for _ in range(passes):
        b = balcony_pass(sc, runs, seed)
        if best_b is None or b["seconds"] < best_b["seconds"]:
            best_b = b
        if why is None:
            i, why = ink_pass(ink_path, runs, seed)
            if i is not None and (best_i is None or i["seconds"] < best_i["seconds"]):
                best_i = i
    return best_b, (best_i if why is None else None), why


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--knots", type=int, default=200)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    ink, yaml_text, facts = generate(args.knots, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ink_path, yaml_path = os.path.join(tmp, "story.ink"), os.path.join(tmp, "story.yaml")
        with open(ink_path, "w") as f:
            f.write(ink)
        with open(yaml_path, "w") as f:
            f.write(yaml_text)
        balcony, inkjs, why = side_by_side(yaml_path, ink_path, args.runs, args.seed, args.passes)
    out = {"story": facts, "balcony": balcony, "inkjs": inkjs, "skipped": why,
           "ratio": round(balcony["per_second"] / inkjs["per_second"], 2) if inkjs else None}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"story: {facts['knots']} knots, {facts['choices']} choices ({facts['conditional']} conditional)")
    print(f"balcony simulate: {balcony['per_second']:8.0f} playthroughs/s "
          f"({balcony['choices_per_run']:.1f} choices each, best of {args.passes} passes of {args.runs})")
    if inkjs:
        print(f"inkjs {'2.4.0':>10}: {inkjs['per_second']:8.0f} playthroughs/s "
              f"({inkjs['choices_per_run']:.1f} choices each, state reset between runs)")
        print(f"ratio: Balcony is {out['ratio']:.1f}x inkjs (target: at least 10x)")
    else:
        print(f"skipped: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
