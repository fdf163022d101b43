"""What the research says: every authored note on the choices the player made, grouped by year.

Each note keeps the sections of the paper it cites ("Section Five"), read from its text and from the
choice's `cite`; a note that says it is the game's model is marked so. The caveat that the game's
numbers are a teaching model closes the section, in the language of the translator `tr` (English by default).
The notes are the scenario's own words (translated with the scenario), and the source is a citation: both are
kept as they are, as is the name of a section ("Section Five"), which points into the English paper.
"""
from __future__ import annotations

import re

from ..marks import same
from .model import CAVEAT, Note, Research

SECTION_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight")
_SECTION = re.compile(r"\bSections?\s+((?:One|Two|Three|Four|Five|Six|Seven|Eight)"
                      r"(?:\s*(?:,|and|&)\s*(?:One|Two|Three|Four|Five|Six|Seven|Eight))*)")
_WORD = re.compile(r"One|Two|Three|Four|Five|Six|Seven|Eight")
_MODEL = re.compile(r"game'?s (own )?model|model assumption|teaching model|the game's assumption", re.I)
_CREDITS = re.compile(r"\b(the research|the paper|the study|the synthesis)\b", re.I)

#: The paper, as cited (a reference: not translated).
DEFAULT_SOURCE = ("Ghate, D., Lewis, J. & Welbourn, D. (2013) Systems Leadership: Exceptional leadership for "
                  "exceptional times. Synthesis paper, The Virtual Staff College.")


def sections(text: str) -> tuple:
    """The parts of the paper a text cites, in the paper's order: ("Executive summary", "Section Four")."""
    found = set()
    for m in _SECTION.finditer(text or ""):
        found.update(_WORD.findall(m.group(1)))
    front = tuple(p for p in ("Foreword", "Executive summary") if re.search(p, text or "", re.I))
    return front + tuple(f"Section {w}" for w in SECTION_WORDS if w in found)


def is_model(text: str) -> bool:
    return bool(_MODEL.search(text or ""))


def credits_research(text: str) -> bool:
    return bool(_CREDITS.search(text or ""))


def build_research(scenario, run, tr=same) -> Research:
    years: dict = {}
    uncited = 0
    for i, d in enumerate(run.history.decisions):
        note = d.get("debrief")
        if not note:
            continue
        secs = sections(note)
        model = is_model(note)
        if not secs and credits_research(note) and not model:
            uncited += 1
        y, _ = scenario.calendar_at(d["turn"])
        years.setdefault(y, []).append(Note(i + 1, d["turn"], d["label"], y, d["scene"], d["text"], note.strip(),
                                            secs, model))
    source = next((s.get("cite") for s in scenario.sources if isinstance(s, dict) and s.get("cite")), None)
    return Research(tuple((y, tuple(notes)) for y, notes in sorted(years.items())), tr(CAVEAT), source or DEFAULT_SOURCE,
                    uncited)
