"""balcony validate FILE...: every diagnostic as file:line:column: CODE severity: message."""
from __future__ import annotations

from engine import check_file

from .common import dump_json, print_diagnostics

NAME = "validate"
HELP = "check scenario files and report every problem with its position"


def add_arguments(p):
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    all_diags = []
    for f in args.files:
        _, diags = check_file(f)
        all_diags.extend(diags)
    errors = sum(d.severity == "error" for d in all_diags)
    warnings = len(all_diags) - errors
    if args.json:
        dump_json({"ok": errors == 0, "errors": errors, "warnings": warnings,
                   "diagnostics": [d.to_dict() for d in all_diags]})
    else:
        print_diagnostics(all_diags)
        if errors or warnings:
            import sys
            print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 2 if errors else 0
