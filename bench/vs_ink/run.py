"""Balcony's simulate against inkjs on the same random stories, side by side in one run.

Two random story graphs, each written twice (as ink source and as a Balcony scenario):

- `forward` (Balcony's first bench): 200 knots of 3 choices; about one choice in five has a condition;
  each choice changes 3-4 integer variables; knots lead forward, so a playthrough ends after about 30
  choices.
- `sticky` (the shape of issue 14's story, which this bench did not shape): 200 knots of 3 sticky
  choices, about a quarter of them with a condition; two sentences of text a knot with a turn counter;
  the run ends after 30 turns or when stress reaches 12, through a fourth choice, "The end".

Random playthroughs are played in inkjs 2.4.0 (compiled by inkjs's own compiler, not timed; the story's
state is reset between runs) and with Balcony's simulate in-process (the `random` persona; the scenarios
give no attention, so nothing is spent on perception); and the whole `balcony simulate --runs N --jobs 1
--json` command is timed in a fresh process (start-up, loading, simulation and report). Targets: at least
10x inkjs in-process on `forward`, 12x on `sticky`, and 8x for the whole command on `sticky`.

It is a benchmark, not a test. inkjs is installed with npm in this folder on first use (node_modules/ is
not committed; `--no-install` to skip it). Without Node.js it plays the Balcony side only and says why.

The three take turns, pass by pass (Balcony, inkjs, command, Balcony, ...), and the best pass of each
counts, so that a busy moment on a shared machine does not fall on one side only. Each is also timed in CPU
time (the process's own, and the command's as a child process), which other work on the machine disturbs
far less than the wall clock: both ratios are printed.

usage: python bench/vs_ink/run.py [--story forward|sticky|both] [--knots 200] [--runs 4000] [--seed 1]
                                  [--passes 5] [--no-command] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

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


SENTENCES = ["The rain had not stopped since Tuesday.", "Someone had left the minutes on the table.",
             "The room smelt of coffee and wet coats.", "Nobody wanted to speak first.",
             "A phone buzzed twice and fell silent.", "The chair looked at the clock.",
             "Outside, the river was still rising.", "A map of the county covered one wall."]
STICKY_VARS = ["v0", "v1", "v2", "v3"]


def generate_sticky(knots: int = 200, seed: int = 1):
    """(ink source, Balcony YAML, facts) for the second story: the shape of issue 14's story.

    200 knots of three sticky choices (about a quarter of them with a condition on a variable), two
    sentences of text a knot with the turn counter in it; every choice counts a turn, changes the stress
    and two other variables and leads to any knot; the run ends after 30 turns or when stress reaches 12,
    through a fourth choice, "The end", which opens only then (the three others close).
    """
    rng = random.Random(seed)
    graph = []
    for k in range(knots):
        text = " ".join(rng.sample(SENTENCES, 2))
        choices = []
        for c in range(3):
            cond = None
            if c > 0 and rng.random() < 0.4:  # a quarter of all choices; the first is always open
                cond = (rng.choice(STICKY_VARS), rng.choice((">", "<")), rng.randint(-2, 2))
            stress = rng.choice((-1, 0, 1, 1, 2))
            changes = [(v, rng.choice((-2, -1, 1, 2))) for v in rng.sample(STICKY_VARS, 2)]
            target = (k + 1) % knots if c == 0 else rng.randrange(knots)  # the first leads on: every knot is reached
            choices.append((cond, stress, changes, target))
        graph.append((text, choices))
    going, done = "turns < 30 and stress < 12", "turns >= 30 or stress >= 12"

    ink = ["VAR turns = 0", "VAR stress = 0"] + [f"VAR {v} = 0" for v in STICKY_VARS] + ["", "-> k0", ""]
    for k, (text, choices) in enumerate(graph):
        ink += [f"=== k{k} ===", f"{text} It is turn {{turns}}."]
        for c, (cond, stress, changes, target) in enumerate(choices):
            guard = "turns < 30 && stress < 12" + (f" && {cond[0]} {cond[1]} {cond[2]}" if cond else "")
            ink.append(f"+ {{{guard}}} [Choice {c}]")
            ink.append("  ~ turns = turns + 1")
            if stress:
                ink.append(f"  ~ stress = stress + {stress}")
            for v, d in changes:
                ink.append(f"  ~ {v} = {v} + {d}")
            ink.append(f"  -> k{target}")
        ink += ["+ {turns >= 30 || stress >= 12} [The end]", "  -> END", ""]

    y = ["balcony: 1", "id: vs_ink_sticky", "title: A random story with sticky choices", 'version: "1"',
         "summary: Generated for bench/vs_ink (the shape of issue 14's story).",
         "setting: {place: Nowhere, years: [2010, 2011]}", "role: Reader", "start: k0",
         "calendar: {start: 2010-Q1}", "event_chance: 0", "perception: {attention: 0}", "meters:",
         "  turns: {type: int, range: [0, 10000], start: 0}", "  stress: {type: int, range: [-10000, 10000], start: 0}"]
    for v in STICKY_VARS:
        y.append(f"  {v}: {{type: int, range: [-10000, 10000], start: 0}}")
    y += ["stakeholders: []", "phases: [{id: one, name: One}]", "scenes:"]
    for k, (text, choices) in enumerate(graph):
        y += [f"  k{k}:", "    speaker: narrator", "    quarters: 0", f'    text: "{text} It is turn {{turns}}."',
              "    choices:"]
        for c, (cond, stress, changes, target) in enumerate(choices):
            y.append(f"      - text: Choice {c}")
            y.append(f'        if: "{going}' + (f" and {cond[0]} {cond[1]} {cond[2]}" if cond else "") + '"')
            adds = [("turns", 1)] + ([("stress", stress)] if stress else []) + changes
            y.append("        effects: [{add: {" + ", ".join(f"{v}: {d}" for v, d in adds) + "}}]")
            y.append(f"        goto: k{target}")
        y += ["      - text: The end", f'        if: "{done}"', "        goto: end"]
    y += ["triangle: {public_value: v0, legitimacy: v1, capacity: v2}",
          "endings:", "  - {id: done, title: Done, quality: mixed, fallback: true, text: The end.}"]
    conditional = sum(1 for _, ch in graph for c in ch if c[0])
    return "\n".join(ink) + "\n", "\n".join(y) + "\n", {"knots": knots, "choices": 3 * knots,
                                                        "conditional": conditional}


def balcony_pass(sc, runs, seed):
    """One pass of Balcony's simulate: its figures."""
    from engine.tools.simulate import simulate
    t0, c0 = time.perf_counter(), time.process_time()
    res = simulate(sc, runs, "random", seed)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"runs": runs, "seconds": dt, "per_second": runs / dt, "cpu_seconds": cpu, "per_cpu_second": runs / cpu,
            "choices_per_run": sum(res.decisions) / len(res.decisions), "errors": len(res.errors)}


def compile_bytecode():
    """Write the engine's and the front end's bytecode, as `pip install` does: the command is then timed as an
    installed one starts (PYTHONDONTWRITEBYTECODE, where set, would otherwise make every start compile them)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "engine"), os.path.join(ROOT, "game")],
                   capture_output=True, timeout=300)


def command_pass(yaml_path, runs, seed):
    """One pass of the whole `balcony simulate --runs N --jobs 1 --json` command, in a fresh process: start-up,
    loading, the simulation and the report, as the user waits for them."""
    exe = os.path.join(os.path.dirname(sys.executable), "balcony")  # the console command, as installed
    cmd = ([exe] if os.path.exists(exe) else [sys.executable, "-m", "game"]) + ["simulate", yaml_path, "--runs", str(runs), "--seed", str(seed),
           "--jobs", "1", "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    dt = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"balcony simulate failed: {out.stderr.strip()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"runs": runs, "seconds": dt, "per_second": runs / dt, "cpu_seconds": cpu, "per_cpu_second": runs / cpu}


def install_inkjs():
    """npm install in this folder (inkjs 2.4.0, from package.json) when Node.js is there and inkjs is not."""
    if shutil.which("npm") and shutil.which("node") and not os.path.isdir(os.path.join(HERE, "node_modules", "inkjs")):
        print("installing inkjs 2.4.0 with npm (once; node_modules/ is not committed) ...", file=sys.stderr)
        subprocess.run([shutil.which("npm"), "install", "--no-audit", "--no-fund"], cwd=HERE,
                       capture_output=True, timeout=600)


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


def side_by_side(yaml_path, ink_path, runs, seed, passes, command_runs=0):
    """Passes of the two (and of the whole command, when `command_runs`), taken in turn (Balcony, inkjs,
    command, Balcony, ...) so that all meet the same machine; the best pass of each counts."""
    from engine import load_scenario
    sc = load_scenario(yaml_path)
    balcony_pass(sc, min(runs, 200), seed)  # warm up
    why = ink_missing()
    best = {"balcony": None, "inkjs": None, "command": None}

    def keep(name, got):
        if got is None:
            return
        if best[name] is None or got["seconds"] < best[name]["seconds"]:
            best[name] = dict(got, cpu_seconds=min(got["cpu_seconds"], (best[name] or got)["cpu_seconds"]))
        else:
            best[name]["cpu_seconds"] = min(best[name]["cpu_seconds"], got["cpu_seconds"])
        best[name]["per_cpu_second"] = got["runs"] / best[name]["cpu_seconds"]
    for _ in range(passes):
        keep("balcony", balcony_pass(sc, runs, seed))
        if why is None:
            i, why = ink_pass(ink_path, runs, seed)
            keep("inkjs", i)
        if command_runs:
            keep("command", command_pass(yaml_path, command_runs, seed))
    if why is not None:
        best["inkjs"] = None
    return best, why


STORIES = {"forward": generate, "sticky": generate_sticky}


def measure(story, knots, runs, seed, passes, command_runs):
    ink, yaml_text, facts = STORIES[story](knots, seed)
    with tempfile.TemporaryDirectory() as tmp:
        ink_path, yaml_path = os.path.join(tmp, "story.ink"), os.path.join(tmp, "story.yaml")
        with open(ink_path, "w") as f:
            f.write(ink)
        with open(yaml_path, "w") as f:
            f.write(yaml_text)
        best, why = side_by_side(yaml_path, ink_path, runs, seed, passes, command_runs)
    balcony, inkjs, command = best["balcony"], best["inkjs"], best["command"]
    out = {"story": story, "shape": facts, "balcony": balcony, "inkjs": inkjs, "skipped": why,
           "ratio": round(balcony["per_second"] / inkjs["per_second"], 2) if inkjs else None,
           "cpu_ratio": round(balcony["per_cpu_second"] / inkjs["per_cpu_second"], 2) if inkjs else None}
    if command_runs:
        out["command"] = command
        out["command_ratio"] = round(command["per_second"] / inkjs["per_second"], 2) if inkjs else None
        out["command_cpu_ratio"] = round(command["per_cpu_second"] / inkjs["per_cpu_second"], 2) if inkjs else None
    return out


def report(out, passes):
    facts, balcony, inkjs = out["shape"], out["balcony"], out["inkjs"]
    print(f"story '{out['story']}': {facts['knots']} knots, {facts['choices']} choices "
          f"({facts['conditional']} conditional)")
    print(f"  balcony simulate: {balcony['per_second']:8.0f} playthroughs/s "
          f"({balcony['choices_per_run']:.1f} choices each, best of {passes} passes of {balcony['runs']})")
    if out.get("command"):
        c = out["command"]
        print(f"  whole command   : {c['per_second']:8.0f} playthroughs/s "
              f"(`balcony simulate --runs {c['runs']} --jobs 1 --json`, {c['seconds']:.2f} s, best of {passes})")
    if inkjs:
        print(f"  inkjs {'2.4.0':>10}: {inkjs['per_second']:8.0f} playthroughs/s "
              f"({inkjs['choices_per_run']:.1f} choices each, state reset between runs)")
        print(f"  ratio: Balcony is {out['ratio']:.1f}x inkjs in-process, {out['cpu_ratio']:.1f}x in CPU time "
              f"(target: at least {12 if out['story'] == 'sticky' else 10}x)")
        if out.get("command_ratio"):
            print(f"  ratio: the whole command is {out['command_ratio']:.1f}x inkjs, {out['command_cpu_ratio']:.1f}x "
                  f"in CPU time (target: at least 8x)")
    else:
        print(f"  skipped: {out['skipped']}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--story", choices=["forward", "sticky", "both"], default="both")
    ap.add_argument("--knots", type=int, default=200)
    ap.add_argument("--runs", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--no-command", action="store_true", help="do not time the whole simulate command")
    ap.add_argument("--no-install", action="store_true", help="do not run npm install when inkjs is missing")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_install:
        install_inkjs()
    if not args.no_command:
        compile_bytecode()
    stories = ["forward", "sticky"] if args.story == "both" else [args.story]
    results = [measure(st, args.knots, args.runs, args.seed, args.passes, 0 if args.no_command else args.runs)
               for st in stories]
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
        return 0
    for out in results:
        report(out, args.passes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
