"""balcony stats FILE: words, scenes, choices, words per speaker and an estimated play time."""
from __future__ import annotations

from engine.tools.stats import stats

from .common import dump_json
from .toolkit import add_file_argument, load

NAME = "stats"
HELP = "count words, scenes and choices, words per speaker, and estimate the play time"


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("--runs", type=int, default=200, help="random runs used to estimate a playthrough (default 200)")


def run(args) -> int:
    scenario = load(args.file)
    if scenario is None:
        return 2
    d = stats(scenario, runs=max(1, args.runs))
    if args.json:
        dump_json(d)
        return 0
    w = d["words"]
    pt = d["playthrough"]
    print(f"{d['title']} ({d['scenario']})")
    print(f"  {d['scenes']} scenes, {d['choices']} choices, {d['endings']} endings, {d['events']} events, "
          f"{d['stakeholders']} stakeholders, {d['meters']} meters, {d['flags']} flags, {d['rules']} rules")
    print(f"  {w['total']} words in all:")
    for kind, n in sorted(w["by_kind"].items(), key=lambda x: -x[1]):
        print(f"    {kind:26} {n:7}")
    print("  Words per speaker:")
    for s in w["by_speaker"]:
        print(f"    {s['name'][:26]:26} {s['words']:7}")
    print(f"  A playthrough: about {pt['decisions']} decisions and {pt['words']} words, "
          f"so about {pt['minutes']:.0f} minutes ({pt['assumes']}; from {pt['runs']} random runs).")
    if d["declared_minutes"]:
        print(f"  The scenario says it takes {d['declared_minutes']} minutes.")
    return 0
