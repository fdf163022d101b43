"""balcony explore FILE: walk the scenario's state space; report what is never reached, dead ends and more."""
from __future__ import annotations

from engine import ContentError
from engine.tools.assumptions import describe
from engine.tools.explore import BUDGET, TIME_LIMIT, explore

from .common import dump_json, fail, resolve_scenario_arg
from .toolkit import add_file_argument, content_error, explore_bounds_problem, where

NAME = "explore"
HELP = "walk every reachable scene and choice; report unreached content, dead ends, idle conditions and meters"
DESCRIPTION = HELP + (". Exit status: 0 all reached, 1 something is never reached or a run gets stuck, "
                      "2 the scenario has errors. The walk's bounds are explained in docs/authoring.md.")


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("--seeds", type=int, default=3, help="random-event seeds the walk starts from (default 3)")
    p.add_argument("--width", type=int, default=2, help="runs kept per abstract state (default 2)")
    p.add_argument("--max-states", type=int, default=20_000, help="stop after this many decision points (default 20000)")
    p.add_argument("--budget", type=int, default=BUDGET,
                   help=f"decisions to play in all three stages (default {BUDGET:,}, about 7 s here); the same "
                        "budget gives the same report on any machine")
    p.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                   help=f"a safety net: stop after this many seconds even within the budget (default {TIME_LIMIT:g})")
    p.add_argument("--strict", action="store_true", help="also fail on conditions that never change and meters that never move")
    p.add_argument("--out", metavar="DIR", help="write a transcript of each path that shows a text while what it "
                                                "assumes is false, and of each scene found showing more than four "
                                                "choices at once, here (balcony replay plays it back)")


def run(args) -> int:
    problem = explore_bounds_problem(args)
    if problem:
        return fail(problem)
    try:
        res = explore(str(resolve_scenario_arg(args.file)), seeds=args.seeds, width=args.width,
                      max_states=args.max_states, budget=args.budget, time_limit=args.time_limit)
    except ContentError as e:
        return content_error(e)
    d = res.to_dict()
    if args.out:
        write_assumption_transcripts(res, args.out)
        write_crowded_transcripts(res, args.out)
    warned = bool(d["conditions_never_true"] or d["conditions_never_false"] or d["unchanging"])
    failed = res.failed or (args.strict and warned)
    d["ok"] = not failed
    if args.json:
        dump_json(d)
        return 1 if failed else 0
    print(report(res, d))
    return 1 if failed else 0


def write_assumption_transcripts(res, out) -> list:
    """Write one transcript per route into each text shown while its assumption was false; returns the files
    (and notes each file in its transcript, for the report)."""
    import json
    import os
    files = []
    for b in res.broken_assumptions():
        for n, (frm, (scene, turn, tr)) in enumerate(b.routes.items(), 1):
            os.makedirs(out, exist_ok=True)
            key = b.assumption.key.replace(":", "-").replace("#", "-").replace("@", "-").replace("/", "-")
            fname = os.path.join(out, f"{res.scenario.id}-assumes-{key}-{n}.json")
            with open(fname, "w", encoding="utf-8") as f:
                json.dump(tr, f, indent=2, ensure_ascii=False)
            tr["file"] = fname
            files.append(fname)
    return files


def write_crowded_transcripts(res, out) -> list:
    """Write a transcript of each scene found showing more than four choices; returns the files (and notes
    each file in its transcript, for the report)."""
    import json
    import os
    files = []
    for f in res.findings:
        if f.kind == "crowded":
            os.makedirs(out, exist_ok=True)
            fname = os.path.join(out, f"{res.scenario.id}-crowded-{f.scene}.json")
            with open(fname, "w", encoding="utf-8") as fh:
                json.dump(f.transcript, fh, indent=2, ensure_ascii=False)
            f.transcript["file"] = fname
            files.append(fname)
    return files


def report(res, d) -> str:
    sc = res.scenario
    cov = d["coverage"]
    lines = [f"Explored {sc.title} ({sc.id}) in {d['seconds']:.1f} s: {d['states']} decision points, "
             f"{d['abstract_states']} abstract states, {d['runs_ended']} runs to an ending."]
    if not d["complete"]:
        lines.append(f"  The walk stopped at its bound ({d['stopped_by'].replace('_', ' ')}); what is listed as "
                     f"unreached was not reached within it.")
    lines.append(f"Coverage: scenes {cov['scenes']}/{cov['scenes_total']}, choices {cov['choices']}/{cov['choices_total']}, "
                 f"endings {cov['endings']}/{cov['endings_total']}, conditions seen both true and false "
                 f"{cov['conditions_both_ways']}/{cov['conditions_total']}.")
    scenes = sc.scenes

    def section(title, items):
        if items:
            lines.append("")
            lines.append(title)
            lines.extend(f"  {x}" for x in items)

    section("Scenes never reached:", [f"{scenes[s].file}:{scenes[s].pos[0]}:{scenes[s].pos[1]}: {s}"
                                      for s in d["unreached_scenes"]])
    section("Choices never taken:", [f"{where(c)}: {c['scene']}, choice {c['index'] + 1} \"{c['text']}\": {c['why']}"
                                     + (f" ({c['if']})" if c["if"] and c["why"].startswith("its condition") else "")
                                     for c in d["untaken_choices"]])
    endings = {e.id: e for e in sc.endings}
    section("Endings never reached:", [f"{endings[e].file}:{endings[e].pos[0]}:{endings[e].pos[1]}: {e}"
                                       + (" (its condition never held where the walk went)"
                                          if not endings[e].fallback else "")
                                       for e in d["unreached_endings"]])
    section("Dead ends (no choice available):", [f"{f['scene']}: {f['message']}" for f in d["dead_ends"]])
    section("Runs that never end:", [f["message"] for f in d["never_ends"]])
    section("Errors while playing:", [f["message"] for f in d["errors"]])
    section("More than four choices shown at once:",
            [f"{c['file']}:{c['line']}:{c['column']}: {f['scene']}: {f['message']}"
             + (f"; replay it: balcony replay {f['transcript']['file']} --scenario {c['file']}"
                if f["transcript"].get("file") else "")
             for f in d["crowded"] for c in (f["transcript"]["crowded"],)])
    section("Conditions never true:", [f"{where(c)}: {c['what']}: {c['source']}" for c in d["conditions_never_true"]])
    section("Conditions never false:", [f"{where(c)}: {c['what']}: {c['source']}" for c in d["conditions_never_false"]])
    section("Meters and flags that never change:", [f"{u['name']} ({u['kind']}, always {u['value']})"
                                                    for u in d["unchanging"]])
    broken = res.broken_assumptions()
    if broken:
        lines.append("")
        lines.append("Texts shown while what they assume is false:")
        for b in broken:
            lines.append(f"  {describe(b)}")
            for frm, (scene, turn, tr) in b.routes.items():
                where_to = f": {tr['file']}" if tr.get("file") else ""
                how = (f"from '{frm}' into '{scene}'" if b.assumption.key.startswith("scene:")
                       else f"shown after a choice in '{frm}'")
                lines.append(f"    a path {how}, {sc.quarter_label(turn)}, {len(tr['actions'])} actions{where_to}")
    elif sc.assumptions:
        lines.append(f"Every text's assumption held wherever it was shown ({len(sc.assumptions)} declared).")
    if d["dead_ends"] or d["errors"] or d["never_ends"] or d["crowded"] or broken:
        lines.append("")
        lines.append("Use --json (or --out DIR for the assumptions and the crowded scenes) to get a transcript of "
                     "each, which `balcony replay` plays back.")
    lines.append("")
    lines.append("OK: everything was reached." if d["ok"] else "Problems found (exit status 1).")
    return "\n".join(lines)
