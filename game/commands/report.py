"""balcony report TRANSCRIPT: the debrief of a finished run, as a self-contained HTML report or as text."""
from __future__ import annotations

import sys

from engine import SaveError
from engine.saves import read_json

from .common import fail, transcript_scenario

NAME = "report"
HELP = "write the debrief of a finished run: a self-contained HTML report (-o report.html) or text (--text)"


def add_arguments(p):
    p.add_argument("transcript", metavar="TRANSCRIPT", help="a transcript JSON file (from play --transcript)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="where to write it (default: report.html; with --text, standard output)")
    p.add_argument("--text", action="store_true", help="plain text with sparklines instead of HTML")
    p.add_argument("--answers", metavar="FILE",
                   help="a JSON object of reflection answers, question id to text, to include in the report")
    p.add_argument("--scenario", metavar="FILE", help="the scenario file (default: found by the transcript's id)")


def run(args) -> int:
    from engine.debrief import build
    from engine.marks import same
    try:
        data = read_json(args.transcript, "transcript")
    except SaveError as e:
        return fail(str(e))
    answers = {}
    if args.answers:
        try:
            answers = read_json(args.answers, "answers file")
        except SaveError as e:
            return fail(str(e))
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            return fail(f"{args.answers}: the answers must map question ids to text")
    scenario, status = transcript_scenario(args, data)
    if scenario is None:
        return status
    # the text and the HTML report are worded in the interface language (BALCONY_LANG), sentences and page alike:
    # the report's page follows the language the debrief was built in (Debrief.lang; docs/translating.md)
    from game.i18n import _, translated
    tr = _ if translated() else same
    try:
        debrief = build(scenario, data, tr)
    except SaveError as e:
        return fail(f"{args.transcript}: {e}")
    from game.debrief.report import write_atomic
    if args.text:
        from game.debrief.text import render_text
        out = render_text(debrief, answers)
        if not args.output or args.output == "-":
            sys.stdout.write(out)
            return 0
    else:
        from game.debrief.report import render_html
        out = render_html(debrief, answers)
    target = args.output or "report.html"
    try:
        write_atomic(target, out)
    except OSError as e:
        return fail(f"cannot write {target}: {e.strerror or e}")
    print(f"wrote {target}: the debrief of {debrief.scenario_title}, ending \u201c{debrief.ending.title}\u201d",
          file=sys.stderr)
    return 0
