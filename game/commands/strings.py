"""balcony strings FILE: every player-facing string, with a stable id, into a gettext PO file."""
from __future__ import annotations

import os

from engine import l10n
from engine.l10n.po import POError, template
from engine.saves import atomic_write_bytes

from .common import dump_json, fail
from .toolkit import add_file_argument, load

NAME = "strings"
HELP = "extract every player-facing string with a stable id into a translation file (gettext PO)"


def add_arguments(p):
    add_file_argument(p)
    p.add_argument("--lang", metavar="LANG", help="the language to translate into, e.g. cy: writes NAME.LANG.po "
                                                  "beside the scenario (updated in place: translations kept, "
                                                  "those whose source changed marked fuzzy)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead (default NAME.pot, or NAME.LANG.po)")


_write = atomic_write_bytes  # a translation file is written whole or not at all


def run(args) -> int:
    scenario = load(args.file)
    if scenario is None:
        return 2
    path = scenario.path
    strings = l10n.scenario_strings(path)
    out = args.output or (l10n.po_path(path, args.lang) if args.lang else os.path.splitext(path)[0] + ".pot")
    old = None
    if os.path.exists(out) and args.lang:
        with open(out, "rb") as f:
            old = f.read()
    try:
        data = template(strings, project=scenario.id, lang=args.lang, old=old,
                        base=os.path.dirname(os.path.abspath(path)))
        _write(out, data)
    except POError as e:  # the translation there, to be kept, is not well-formed PO
        return fail(f"cannot update {out}: it is not a well-formed PO file ({e}): correct it, or move it aside "
                    f"to start a new one")
    except (OSError, ValueError) as e:
        return fail(f"cannot write {out}: {e}")
    if args.json:
        dump_json({"file": out, "strings": len(strings), "lang": args.lang})
    else:
        print(f"wrote {out}: {len(strings)} strings" + (f" for '{args.lang}'" if args.lang else ""))
    return 0
