"""balcony replay TRANSCRIPT: replay a recorded run and report the first divergence."""
from __future__ import annotations

from engine import SaveError, replay
from engine.replay import check_transcript
from engine.saves import read_json

from .common import dump_json, fail, transcript_scenario

NAME = "replay"
HELP = "replay a transcript and check that it reproduces the same run"


def add_arguments(p):
    p.add_argument("transcript", metavar="TRANSCRIPT", help="a transcript JSON file (from play --transcript or check)")
    p.add_argument("--scenario", metavar="FILE", help="the scenario file (default: found by the transcript's id)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    try:
        data = read_json(args.transcript, "transcript")
        check_transcript(data)
    except SaveError as e:
        return fail(f"{e}" if str(e).startswith(str(args.transcript)) else f"{args.transcript}: {e}")
    scenario, status = transcript_scenario(args, data)
    if scenario is None:
        return status
    try:
        result = replay(scenario, data)
    except SaveError as e:
        return fail(f"{args.transcript}: {e}")
    if args.json:
        dump_json({"ok": result.ok, "message": result.message, "step": result.step, "ending": result.run.state.ending})
    else:
        print(result.message)
    return 0 if result.ok else 1
