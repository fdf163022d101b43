"""balcony graph FILE -o OUT: draw the scene graph (.dot, .svg or .png) with Graphviz."""
from __future__ import annotations

import graphviz

from engine import ContentError
from engine.tools import graph
from engine.tools.explore import explore

from .common import dump_json, fail, resolve_scenario_arg
from .toolkit import add_file_argument, content_error, load

NAME = "graph"
HELP = "draw the scene graph to .dot, .svg or .png: phases as clusters, endings marked, unreachable scenes in red"
DESCRIPTION = HELP + ". .dot needs nothing else; .svg and .png need Graphviz's dot program."


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="the file to write: .dot, .svg, .png or .pdf")
    p.add_argument("--explore", action="store_true",
                   help="also mark scenes that `balcony explore` never reaches (slower)")


def run(args) -> int:
    scenario = load(args.file)
    if scenario is None:
        return 2
    unreached = None
    if args.explore:
        try:
            res = explore(str(resolve_scenario_arg(args.file)))
        except ContentError as e:
            return content_error(e)
        unreached = set(res.unreached_scenes())
    try:
        written = graph.write(scenario, args.output, unreached=unreached)
    except ValueError as e:
        return fail(str(e))
    except graphviz.ExecutableNotFound:
        return fail("drawing .svg or .png needs Graphviz's 'dot' program (Debian: apt-get install graphviz); "
                    "writing .dot needs nothing else")
    except OSError as e:
        return fail(f"cannot write {args.output}: {e.strerror or e}")
    shown = unreached if unreached is not None else set(scenario.scenes) - graph.reachable(scenario)
    if args.json:
        dump_json({"ok": True, "output": written, "scenes": len(scenario.scenes), "unreached": sorted(shown)})
    else:
        print(f"wrote {written}: {len(scenario.scenes)} scenes, {len(scenario.endings)} endings"
              + (f", {len(shown)} never reached (in red)" if shown else ""))
    return 0
