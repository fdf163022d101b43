"""balcony simulate FILE --runs N [--seed S] [--persona NAME]: many seeded playthroughs and what they add up to."""
from __future__ import annotations

import json
import os
import sys

from engine import BalconyError
from engine.tools import personas as P
from engine.tools.simulate import simulate
from engine.tools.tuning import near

from .common import dump_json, fail, jobs_problem, runs_problem
from .toolkit import Progress, add_file_argument, load, pct, sparkline

NAME = "simulate"
HELP = "play many seeded runs, at random or as a persona, and report endings, meters, coverage and lengths"
DESCRIPTION = HELP + (". Personas: random, first, systems-leader, hero, avoider and any the scenario declares. "
                      "Exit status: 0 done, 1 some runs got stuck, 2 bad input.")


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("--runs", type=int, default=1000, help="how many runs (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="first seed; run k uses seed S+k (default 0)")
    p.add_argument("--persona", default="random", help="who plays (default random); --persona list shows them")
    p.add_argument("--out", metavar="DIR", help="write a transcript of every stuck run here")
    p.add_argument("--near", metavar="ENDING",
                   help="for the runs that missed this ending: which of its conditions failed, and by how much")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="share the runs among N worker processes (default: one per core from 4,000 runs; "
                        "1 plays them all here). The result is the same either way")


def run(args) -> int:
    scenario = load(args.file)
    if scenario is None:
        return 2
    personas = P.all_personas(scenario)
    if args.persona == "list":
        if args.json:
            dump_json([p.to_dict() for p in personas.values()])
        else:
            for p in personas.values():
                print(f"{p.name:16} {p.description}")
        return 0
    if args.persona not in personas:
        return fail(_no_such("persona", args.persona, list(personas)))
    problem = runs_problem(args.runs) or jobs_problem(max(args.jobs, 0))
    if problem:
        return fail(problem)
    ending_ids = [e.id for e in scenario.endings]
    if args.near is not None and args.near not in ending_ids:
        return fail(_no_such("ending", args.near, ending_ids))
    jobs = args.jobs if args.jobs > 0 else (max(1, os.cpu_count() or 1) if args.runs >= 4000 else 1)
    try:
        res = simulate(scenario, args.runs, args.persona, args.seed, progress=Progress(f"simulating {args.persona}"),
                       jobs=jobs)
    except BalconyError as e:  # the file changed under a worker
        return fail(str(e))
    if args.out and res.errors:
        os.makedirs(args.out, exist_ok=True)
        for seed, _, transcript in res.errors:
            with open(os.path.join(args.out, f"{scenario.id}-{args.persona}-seed{seed}.json"), "w") as f:
                json.dump(transcript, f, indent=2)
    d = res.to_dict()
    if args.near is not None:
        d["near"] = near(res, args.near)
    if args.json:
        dump_json(d)
    else:
        print(report(res, d))
        if args.near is not None:
            print(near_report(d["near"]))
    if res.errors and not args.json:
        print(f"{len(res.errors)} run(s) got stuck; the first: seed {res.errors[0][0]}: {res.errors[0][1]}",
              file=sys.stderr)
    return 1 if res.errors else 0


def report(res, d) -> str:
    sc = res.scenario
    lines = [f"{d['runs']} runs of {sc.title} ({sc.id}) as {d['persona']}, seeds {d['seed']}-{d['seed'] + d['runs'] - 1}."]
    lines.append("")
    lines.append("Endings:")
    for e in d["endings"]:
        bar = "#" * round(e["share"] * 40)
        lines.append(f"  {e['title'][:32]:32} {e['quality']:6} {e['runs']:6}  {pct(e['share']):>6}  {bar}")
    lines.append("")
    lines.append("Meters (min / median / max, and a histogram over the meter's range):")
    for m in d["meters"]:
        lines.append(f"  {m['label']} [{m['range'][0]:g}-{m['range'][1]:g}]")
        for a in m["at"]:
            lines.append(f"    {a['at']:>8}: {a['min']:>7g} / {a['median']:>7g} / {a['max']:>7g}  |{sparkline(a['histogram'])}|")
    cov = d["coverage"]
    lines.append("")
    lines.append(f"Coverage: scenes {cov['scenes']}/{cov['scenes_total']}, choices {cov['choices']}/{cov['choices_total']}, "
                 f"endings {cov['endings']}/{cov['endings_total']}.")
    lines.append("Scenes and choices (runs that took each):")
    for s in d["scenes"]:
        lines.append(f"  {s['id']}: entered in {s['runs']} runs ({s['visits']} times)")
        for c in s["choices"]:
            mark = "  " if c["runs"] else "!!"
            lines.append(f"    {mark} {c['index'] + 1}. {c['text']}: {c['runs']}")
    if d["dominated"]:
        lines.append("")
        lines.append("Dominated choices (another choice in the scene does better on every count):")
        for x in d["dominated"]:
            lines.append(f"  {x['scene']}: choice {x['choice'] + 1} \"{x['text']}\" is beaten by choice {x['by'] + 1} "
                         f"\"{x['by_text']}\"")
    lines += at_end_report(d["at_end"])
    length = d["length"]
    lines.append("")
    lines.append(f"Length: {length['decisions']['mean']} decisions on average ({length['decisions']['min']}-"
                 f"{length['decisions']['max']}); about {length['words']['mean']:.0f} words read.")
    return "\n".join(lines)


def _mmm(x) -> str:
    return f"{x['min']:>7g} / {x['median']:>7g} / {x['max']:>7g}  |{sparkline(x['histogram'])}|"


def _no_such(kind: str, name: str, known: list) -> str:
    """'there is no persona 'x': did you mean 'y'? The personas are ...' (or ': the personas are ...')."""
    from engine.schema import suggest
    hint = suggest(name, known)
    return f"there is no {kind} '{name}'{hint + ' The' if hint else ': the'} {kind}s are {', '.join(known)}"


def at_end_report(a) -> list:
    """The triangle, the computed values and each ending's terms at the end of the runs."""
    lines = []
    held = a.get("computed_held", [])
    if a["triangle"] or a["computed"] or held:
        lines += ["", "At the end of the runs (min / median / max, and a histogram):"]
        for x in a["triangle"]:
            lines.append(f"  triangle {x['id']:>20}: {_mmm(x)}")
        for x in a["computed"]:
            lines.append(f"  computed {x['id']:>20}: {_mmm(x)}")
        for x in held:
            lines.append(f"  computed {x['id']:>20}: true at the end of {pct(x['held'])} of the runs")
    if a["endings"]:
        lines += ["", "Endings' conditions at the end, term by term (share of runs in which each held):"]
        for e in a["endings"]:
            lines.append(f"  {e['title']} ({e['id']}): {e['condition']}")
            for t in e["terms"]:
                extra = f"   left side {_mmm(t['left'])}" if "left" in t else ""
                lines.append(f"    {pct(t['held']):>6} held  {t['term']}{extra}")
    return lines


def near_report(n) -> str:
    lines = ["", f"Near \u201c{n['title']}\u201d ({n['ending']}): {n['missed']} of {n['runs']} runs missed it."]
    if n.get("fallback"):
        lines.append("  It is the fallback: a run gets it when no other ending's condition holds.")
        return "\n".join(lines)
    lines.append(f"  Condition: {n['condition']}")
    for t in n["terms"]:
        short = t.get("short_by")
        by = (f", short by {short['median']:g} at the median (mean {short['mean']:g}, {short['min']:g} to "
              f"{short['max']:g})") if short else ""
        lines.append(f"  {t['failed']:>6} failed  {t['term']}{by}")
    if n["all_held"]:
        lines.append(f"  {n['all_held']} run(s) met every term but were taken by an ending judged earlier.")
    return "\n".join(lines)
