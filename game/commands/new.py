"""balcony new NAME: write a valid, commented starter scenario (and the schema editors use beside it)."""
from __future__ import annotations

import os

from engine.tools.starter import render, scenario_id

from .common import dump_json, fail
from .schema import text as schema_text

NAME = "new"
HELP = "write a small, valid starter scenario NAME.yaml, with comments that explain each part"


def add_arguments(p):
    p.add_argument("name", metavar="NAME", help="the new scenario's name or file (e.g. riverside or riverside.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    path = args.name if args.name.endswith((".yaml", ".yml")) else f"{args.name}.yaml"
    if os.path.exists(path) and not args.force:
        return fail(f"{path} already exists: choose another name, or add --force to overwrite it")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return fail(f"the folder {folder} does not exist")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(scenario_id(path), os.path.basename(path)))
        schema_path = os.path.join(folder, "scenario.schema.json")
        wrote_schema = not os.path.exists(schema_path)
        if wrote_schema:
            with open(schema_path, "w", encoding="utf-8") as f:
                f.write(schema_text())
    except OSError as e:
        return fail(f"cannot write {path}: {e.strerror or e}")
    if args.json:
        dump_json({"ok": True, "file": path, "id": scenario_id(path),
                   "schema": schema_path if wrote_schema else None})
    else:
        print(f"wrote {path}" + (f" and {schema_path} (for your editor)" if wrote_schema else ""))
        print(f"next: balcony play {path} --text    (play it)")
        print(f"      balcony validate {path}       (check it as you edit)")
    return 0
