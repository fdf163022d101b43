"""balcony schema: print the JSON Schema of the scenario language, for editors (the YAML language server)."""
from __future__ import annotations

import json
import sys

from engine.schema import include_json_schema, json_schema

from .common import fail

NAME = "schema"
HELP = "print the JSON Schema of the scenario language (for editors that validate and autocomplete YAML)"
DESCRIPTION = HELP + (". Save it beside your scenarios and start each with "
                      "'# yaml-language-server: $schema=scenario.schema.json'. With --include, the schema of an "
                      "included file (its sections only, none required): start each included file with "
                      "'# yaml-language-server: $schema=include.schema.json'.")


def add_arguments(p):
    p.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead of printing it")
    p.add_argument("--include", action="store_true",
                   help="the schema of an included file rather than of a whole scenario")
    p.add_argument("--json", action="store_true", help="machine-readable output (the schema is JSON already)")


def text(include: bool = False) -> str:
    return json.dumps(include_json_schema() if include else json_schema(), indent=2, ensure_ascii=False) + "\n"


def run(args) -> int:
    data = text(getattr(args, "include", False))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(data)
        except OSError as e:
            return fail(f"cannot write {args.output}: {e.strerror or e}")
        if args.json:
            json.dump({"ok": True, "output": args.output}, sys.stdout)
            sys.stdout.write("\n")
        else:
            print(f"wrote {args.output}")
        return 0
    sys.stdout.write(data)
    return 0
