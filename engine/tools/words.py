"""Counting the words a player reads, from the text as written.

Text with `{if}` fragments is counted as the average of its branches (a missing `{else}` counts as
no words); `{expr}` counts as one word.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9\u00C0-\u024F£$€%]+(?:['\u2019.,\-][A-Za-z0-9\u00C0-\u024F]+)*")
_PIECE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def plain_words(text: str) -> int:
    return len(_WORD.findall(text))


def template_words(src) -> float:
    """Estimated words shown for template text (see the module's note)."""
    if not isinstance(src, str):
        return 0.0
    if "{" not in src:
        return float(plain_words(src))
    # frames: [branches (list of word counts), has_else]
    stack: list = []
    total = [0.0]

    def add(n):
        if stack:
            stack[-1][0][-1] += n
        else:
            total[0] += n

    i = 0
    for m in _PIECE.finditer(src):
        add(plain_words(src[i:m.start()]))
        i = m.end()
        tok = m.group()
        if tok in ("{{", "}}"):
            continue
        inner = (m.group(1) or "").strip()
        word = inner.split(" ", 1)[0]
        if word == "if":
            stack.append([[0.0], False])
        elif word == "elif" and stack:
            stack[-1][0].append(0.0)
        elif inner == "else" and stack:
            stack[-1][0].append(0.0)
            stack[-1][1] = True
        elif inner == "end" and stack:
            branches, has_else = stack.pop()
            n = len(branches) + (0 if has_else else 1)
            add(sum(branches) / n)
        else:
            add(1)
    add(plain_words(src[i:]))
    while stack:  # unclosed: the validator reports it; count what is there
        branches, _ = stack.pop()
        add(sum(branches) / (len(branches) + 1))
    return total[0]


class WordTable:
    """Estimated words per scene (its text and the text of every choice it offers), per choice's
    result, per event and per ending: what a playthrough reads."""

    def __init__(self, scenario):
        self.scene: dict[str, float] = {}
        self.result: dict[tuple, float] = {}
        for sid, sc in scenario.scenes.items():
            self.scene[sid] = template_words(sc.text_src) + sum(template_words(c.text_src) for c in sc.choices)
            for c in sc.choices:
                self.result[(sid, c.index)] = template_words(c.result_src)
        self.event: dict[str, float] = {e.id: template_words(e.text_src) for e in scenario.events}
        self.ending: dict[str, float] = {e.id: template_words(e.text_src) for e in scenario.endings}
