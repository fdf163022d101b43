"""balcony join ADDRESS CODE --text: join a class that a facilitator runs with `balcony host`."""
from __future__ import annotations

import sys

from .common import fail

NAME = "join"
HELP = "join a class: play on the facilitator's server (ADDRESS is host:port, as the server printed it)"


def add_arguments(p):
    p.add_argument("address", metavar="ADDRESS", help="the server's address, e.g. 192.168.1.20:8765")
    p.add_argument("code", metavar="CODE", help="the join code on the projector")
    p.add_argument("--name", help="your display name (asked for if missing; kept for rejoining)")
    p.add_argument("--team", type=int, metavar="N", help="in a team session: the team to join (default: the server "
                                                        "puts you in the emptiest team)")
    p.add_argument("--text", action="store_true", help="play in the terminal, which this command always does "
                                                       "(in the game window, use 'Join a class' on the title screen)")


def tokens():
    from classroom.client import TokenStore

    from ..paths import data_dir
    return TokenStore(data_dir() / "classroom-seats.json")


def run(args) -> int:
    try:
        from classroom.textclient import join_text
    except ImportError as e:
        return fail(f"join needs the Python package '{e.name}': reinstall Balcony with its dependencies")
    code = args.code.strip().upper()
    if not code.isalnum() or not 4 <= len(code) <= 12:
        return fail(f"{args.code!r} is not a join code: it is the letters and digits on the projector")
    if args.team is not None and not 1 <= args.team <= 99:
        return fail(f"--team is a team number from 1 to 99, not {args.team}")
    store = tokens()
    name = args.name
    if name is None and store.get(args.address, code) is None:
        if not sys.stdin.isatty():
            return fail("give your display name with --name")
        sys.stdout.write("Your display name: ")
        sys.stdout.flush()
        name = sys.stdin.readline().strip()
        if not name:
            return fail("a display name is needed to join")
    if name is not None and not 1 <= len(name.strip()) <= 40:
        return fail("a display name has 1 to 40 characters")
    return join_text(args.address, code, name, store, team=args.team)
