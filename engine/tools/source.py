"""The scenario's YAML as written (with positions), for tools that need text or places the Scenario does not keep."""
from __future__ import annotations

import os

from ..diagnostics import Diagnostics
from ..yamlload import YDict, load_file


def display(path: str) -> str:
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else path


def raw_docs(scenario) -> list:
    """[(display name, YDict)] for the scenario file and every file it includes, the scenario first."""
    out, seen = [], set()

    def walk(path):
        path = os.path.abspath(path)
        if path in seen:
            return
        seen.add(path)
        doc = load_file(path, Diagnostics(), display(path))
        if not isinstance(doc, dict):
            return
        out.append((display(path), doc))
        inc = doc.get("includes")
        if isinstance(inc, list):
            for rel in inc:
                if isinstance(rel, str):
                    walk(os.path.join(os.path.dirname(path), rel))

    walk(scenario.path)
    return out


def section_items(docs, section):
    """Every (name, key, value, container) of a mapping section, or (name, index, item, container) of a list one."""
    for name, doc in docs:
        val = doc.get(section)
        if isinstance(val, dict):
            for k, v in val.items():
                yield name, k, v, val
        elif isinstance(val, list):
            for i, v in enumerate(val):
                yield name, i, v, val


def position(container, key=None) -> tuple:
    """(line, column) of a value in a YDict/YList, or of the container itself."""
    if container is None:
        return (1, 1)
    if key is None:
        return getattr(container, "pos", (1, 1))
    if isinstance(container, YDict):
        return container.val_pos.get(key, container.pos)
    pos = getattr(container, "item_pos", None)
    if pos is not None and isinstance(key, int) and key < len(pos):
        return pos[key]
    return getattr(container, "pos", (1, 1))


def key_position(container, key) -> tuple:
    if isinstance(container, YDict):
        return container.key_pos.get(key, container.pos)
    return position(container, key)
