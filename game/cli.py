"""The `balcony` command. Each subcommand lives in game/commands/ and registers itself here."""
from __future__ import annotations

import argparse
import importlib
import sys

#: Subcommand modules; each defines NAME, HELP, add_arguments(parser) and run(args) -> int.
COMMANDS = [
    "game.commands.play",
    "game.commands.validate",
    "game.commands.replay",
    "game.commands.report",
]
#: Optional modules (the authoring toolkit); skipped silently if absent.
OPTIONAL = [
    "game.commands.explore",
    "game.commands.simulate",
    "game.commands.check",
    "game.commands.graph",
    "game.commands.schema",
    "game.commands.new",
    "game.commands.stats",
    "game.commands.strings",
    "game.commands.host",
    "game.commands.join",
    "game.commands.export",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # bad usage is bad input: exit status 2 with a clear message
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


class _Missing:
    """Stands in for a subcommand whose third-party library is not installed."""

    def __init__(self, command, package):
        self.command, self.package = command, package

    def run(self, args) -> int:
        print(f"balcony {self.command}: needs the Python package '{self.package}', which is not installed here. "
              f"Reinstall Balcony with its dependencies: .venv/bin/pip install -e . (make test does this)",
              file=sys.stderr)
        return 2


def build_parser(only: str | None = None):
    """The parser and the subcommand modules by name. With `only` (a subcommand's name), only that one
    command's module is imported: starting `balcony simulate` need not import the window or graphviz."""
    parser = _Parser(prog="balcony", description="Balcony: a serious game about systems leadership in public services.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = {}
    names = COMMANDS + OPTIONAL
    if only is not None:
        names = [n for n in names if n.rsplit(".", 1)[1] == only]
    for name in names:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if name in OPTIONAL and e.name == name:
                continue
            if name not in OPTIONAL:
                raise
            # an authoring command whose library is missing must not take the whole CLI down
            short = name.rsplit(".", 1)[1]
            p = sub.add_parser(short, help=f"(unavailable: needs the Python package {e.name})")
            p.add_argument("rest", nargs=argparse.REMAINDER)
            modules[short] = _Missing(short, e.name)
            continue
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        mod.add_arguments(p)
        modules[mod.NAME] = mod
    return parser, modules


def main(argv=None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    first = words[0] if words else None
    known = {n.rsplit(".", 1)[1] for n in COMMANDS + OPTIONAL}
    parser, modules = build_parser(first if first in known else None)
    if first in known and first not in modules:  # its module was not there: the full list, to say so
        parser, modules = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        args = parser.parse_args(["play", *(argv or [])])
    try:
        return int(modules[args.command].run(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
