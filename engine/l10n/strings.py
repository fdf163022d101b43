"""Every player-facing string of a scenario, with a stable id: its path in the file.

The id is the path of keys to the string, with list items named by their `id` where they have one
(`stakeholders/police/name`, `scenes/opening/choices/0/text`, `events/leak/effects/0/later/text`). It
stays the same while the text changes, so a translation can tell "translated" from "translated, but the
source has changed since" (stale). Only keys the player reads are taken; authors' notes (`description`,
`voice`), conditions, ids and the authoring tools' sections (`personas`, `invariants`, `sources`) are not.
"""
from __future__ import annotations

from dataclasses import dataclass

#: keys whose text the player reads (in any section that has them)
PLAYER_KEYS = frozenset({"title", "text", "summary", "role", "place", "label", "name", "agency", "result",
                         "unavailable", "debrief", "fallback"})
#: top-level sections that hold nothing the player reads
SKIP = frozenset({"personas", "invariants", "sources", "includes", "credits", "themes", "triangle", "computed",
                  "groups", "calendar", "tags"})


@dataclass(frozen=True)
class String:
    id: str
    text: str
    file: str
    line: int
    column: int


def walk(doc, file: str):
    """(id, container, key) for every player-facing string in one file's document, in file order."""
    out = []

    def visit(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if not path and k in SKIP:
                    continue
                if isinstance(v, str) and k in PLAYER_KEYS:
                    out.append(("/".join(path + [str(k)]), node, k))
                elif isinstance(v, (dict, list)):
                    visit(v, path + [str(k)])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                name = v.get("id") if isinstance(v, dict) and isinstance(v.get("id"), str) else str(i)
                visit(v, path + [name])

    visit(doc, [])
    return out


def collect(docs) -> list:
    """String entries for every file of a scenario (the root and its includes), in order."""
    out = []
    for name, doc in docs:
        for sid, cont, key in walk(doc, name):
            pos = getattr(cont, "val_pos", {}).get(key, getattr(cont, "pos", (1, 1)))
            out.append(String(sid, cont[key], name, pos[0], pos[1]))
    return out
