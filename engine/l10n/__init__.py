"""Localisation of scenarios: player-facing strings with stable ids, gettext PO files, translated play.

See README.md in this folder. `strings(path)` lists a scenario's strings; `translate(docs, po)` puts a
translation's texts in place of the sources before the scenario is built (its logic is not touched);
`check(path, docs)` reports missing and stale translations of the PO files beside a scenario.
"""
from __future__ import annotations

import glob
import os

from .strings import String, collect, walk


def po_path(scenario_path: str, lang: str) -> str:
    """Where a scenario's translation into `lang` lives: `NAME.LANG.po` beside `NAME.yaml`."""
    stem, _ = os.path.splitext(os.path.abspath(scenario_path))
    return f"{stem}.{lang}.po"


def translations_beside(scenario_path: str) -> list:
    """(lang, path) of every translation file beside a scenario."""
    stem, _ = os.path.splitext(os.path.abspath(scenario_path))
    out = []
    for p in sorted(glob.glob(glob.escape(stem) + ".*.po")):
        lang = p[len(stem) + 1:-3]
        if lang and "." not in lang:
            out.append((lang, p))
    return out


def translate(docs, catalog: dict, placed: dict | None = None) -> int:
    """Put each translated text in place of its source, where the translation is of the current source
    (not stale) and not empty. Returns how many were replaced. With `placed`, records for each replaced text
    (id of its container, key) -> (its id, its line in the PO file), so that an error in it can be shown at
    the translation rather than at the source."""
    n = 0
    for name, doc in docs:
        for sid, cont, key in walk(doc, name):
            entry = catalog.get(sid)
            if entry and entry[1] and not entry[3] and entry[0] == cont[key]:
                cont[key] = entry[1]
                if placed is not None:
                    placed[(id(cont), key)] = (sid, entry[2])
                n += 1
    return n


def check(docs, po_files, diags) -> None:
    """Warnings for each translation file: the strings it lacks (BAL062, one warning per file) and
    each translation whose source has changed or gone (BAL063, at its line in the PO file)."""
    from .po import read, source_path
    strings = collect(docs)
    base = os.path.dirname(os.path.abspath(docs[0][0])) if docs else None
    current = {s.id: s for s in strings}
    for lang, path in po_files:
        try:
            cat = read(path)
        except Exception as e:  # noqa: BLE001 - a broken PO file is reported, not raised
            diags.warning(path, (getattr(e, "line", 1), 1), "BAL063",
                          f"the translation file cannot be read ({e}): correct it there, or move it aside and "
                          f"write a new one with 'balcony strings'")
            continue
        missing = [s for s in strings if not (cat.get(s.id) or ("", "", 0, False))[1]]
        if missing:
            first = missing[0]
            diags.warning(path, (1, 1), "BAL062",
                          f"{len(missing)} of {len(strings)} strings have no '{lang}' translation, the first "
                          f"'{first.id}' ({source_path(first.file, base)}:{first.line}); those are shown in the "
                          f"source language. Translate them in this file")
        for sid, (msgid, msgstr, line, fuzzy) in cat.items():
            s = current.get(sid)
            if s is None:
                diags.warning(path, (line, 1), "BAL063", f"the translation of '{sid}' is stale: the scenario no "
                                                         f"longer has that string. Remove it, or run 'balcony "
                                                         f"strings' again to update the file")
            elif msgstr and (msgid != s.text or fuzzy):
                diags.warning(path, (line, 1), "BAL063", f"the translation of '{sid}' is stale: its source "
                                                         f"({source_path(s.file, base)}:{s.line}) has changed since "
                                                         f"it was translated, so the source is shown. Update the "
                                                         f"translation and its msgid (run 'balcony strings' again)")


__all__ = ["String", "check", "collect", "po_path", "translate", "translations_beside", "walk"]


def scenario_strings(path) -> list:
    """The player-facing strings of the scenario at `path` and its includes (it is read, not built)."""
    from ..diagnostics import Diagnostics
    from ..loader import _Reader
    reader = _Reader(str(path), Diagnostics())
    docs = reader.read(os.path.abspath(str(path)), [os.path.abspath(str(path))]) or []
    return collect(docs)


__all__.append("scenario_strings")
