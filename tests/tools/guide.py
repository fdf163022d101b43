"""docs/authoring.md read as the tests check it: its fenced blocks and the marks that say how each is checked.

A mark is an HTML comment, invisible when the guide is shown, on the line before a fenced block (or, for a
diagnostic example told in prose, before its paragraph)::

    <!-- check: KIND -->
    <!-- check: KIND {option: value, ...} -->
    <!-- check: KIND
    option: value
    -->

The text after KIND is YAML: a mapping of the options. test_guide_examples.py says what each kind means.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from .helpers import REPO

PATH = REPO / "docs" / "authoring.md"
GUIDE = PATH.read_text(encoding="utf-8")


@dataclass
class Item:
    kind: str                 # the mark's kind, or "" for a block without a mark
    opts: dict
    line: int                 # the line of the mark (or of the fence, for a block without one)
    lang: str | None = None   # the block's language ("" for none), None for a mark without a block
    body: str | None = None   # the block's text
    after: str = ""           # for a mark without a block: the prose that follows it, to the next mark or heading
    section: str = ""         # the heading above it

    @property
    def name(self) -> str:
        return f"L{self.line}-{self.kind or 'unmarked'}"


def _mark(text: str, line: int) -> tuple:
    body = text.strip()[len("<!-- check:"):-len("-->")].strip()
    kind, _, rest = body.partition("\n") if "\n" in body.split(" ", 1)[0] else body.partition(" ")
    kind, rest = kind.strip(), rest.strip()
    if not rest:
        return kind, {}
    opts = yaml.safe_load(rest)
    if not isinstance(opts, dict):
        raise AssertionError(f"docs/authoring.md:{line}: the options of a check mark must be a YAML mapping")
    return kind, opts


def items(text: str = GUIDE) -> list:
    """Every fenced block and every mark, in order."""
    lines = text.splitlines(keepends=True)
    out: list = []
    pending = None  # (kind, opts, line) of a mark waiting for what follows it
    section = ""
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("#"):
            section = ln.strip()
        if ln.startswith("<!-- check:"):
            j = i
            while "-->" not in lines[j]:
                j += 1
            if pending is not None:
                out.append(Item(pending[0], pending[1], pending[2], after=_prose(lines, pending[3], i),
                                section=section))
            kind, opts = _mark("".join(lines[i:j + 1]), i + 1)
            pending = (kind, opts, i + 1, j + 1)
            i = j + 1
            continue
        if ln.startswith("```"):
            lang = ln[3:].strip()
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            body = "".join(lines[i + 1:j])
            if pending is not None and pending[3] == i:  # the mark is on the line just before the fence
                out.append(Item(pending[0], pending[1], pending[2], lang, body, section=section))
            else:
                if pending is not None:
                    out.append(Item(pending[0], pending[1], pending[2], after=_prose(lines, pending[3], i),
                                    section=section))
                out.append(Item("", {}, i + 1, lang, body, section=section))
            pending = None
            i = j + 1
            continue
        if pending is not None and ln.startswith("#"):
            out.append(Item(pending[0], pending[1], pending[2], after=_prose(lines, pending[3], i),
                            section=section))
            pending = None
        i += 1
    if pending is not None:
        out.append(Item(pending[0], pending[1], pending[2], after=_prose(lines, pending[3], len(lines))))
    for a, b in reversed(list(zip(out, out[1:]))):  # marks in a row share the prose after the last
        if a.lang is None and b.lang is None and not a.after.strip():
            a.after = b.after
    return out


def _prose(lines, start, stop) -> str:
    return "".join(lines[start:stop])


def flat(text: str) -> str:
    """Prose as one line: backticks gone, runs of white space one space."""
    return " ".join(text.replace("`", "").split())


def inline_commands(text: str = GUIDE) -> list:
    """(line, text) of every `balcony ...` code span outside fenced blocks and marks (a span may run over
    two lines of the Markdown)."""
    kept = []
    inside = in_mark = False
    for ln in text.splitlines():
        if ln.startswith("```"):
            inside = not inside
            kept.append("")
            continue
        if ln.startswith("<!-- check:") or in_mark:
            in_mark = "-->" not in ln
            kept.append("")
            continue
        kept.append("" if inside else ln)
    prose = "\n".join(kept)
    return [(prose.count("\n", 0, m.start()) + 1, " ".join(m.group(1).split()))
            for m in re.finditer(r"`(balcony(?:\s[^`]*)?)`", prose)]
