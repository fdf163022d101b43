"""Every claim credited to the research carries its section: debrief notes, endings and rules.

The citation form (docs/authoring.md, "Citing the research"): the section in brackets in the text,
"(Ghate et al. 2013, Section Four)", "(Sections Five and Eight)", "(Executive summary)", or a `cite:` key
on the choice. Read from the YAML as written, includes too.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FILES = sorted((REPO / "scenarios").glob("*.yaml")) + sorted((REPO / "scenarios" / "common").glob("*.yaml"))

CREDITS = re.compile(r"\b(the research|the paper|research found|the study|case stud(y|ies)|researchers)\b", re.I)
SECTION = re.compile(r"\b(Sections? (One|Two|Three|Four|Five|Six|Seven|Eight)\b|Executive summary|Appendix 1)", re.I)
NAMED = re.compile(r"\bSections? ((?:[A-Z][a-z]+)(?:(?:, | and )[A-Z][a-z]+)*)")
NUMBERS = {"One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight"}


def uncited(doc) -> list:
    """(where, text) for each debrief note, ending or rule text that credits the research without a section,
    or that names a section the paper does not have."""
    out = []

    def judge(where, text, cite=None):
        if not isinstance(text, str):
            return
        full = text + (" " + cite if isinstance(cite, str) else "")
        wrong = [name for m in NAMED.finditer(full) for name in re.split(r", | and ", m.group(1)) if name not in NUMBERS]
        if wrong:
            out.append((where, f"no Section {wrong[0]} in the paper: {' '.join(text.split())[:120]}"))
        elif CREDITS.search(text) and not SECTION.search(full):
            out.append((where, " ".join(text.split())[:160]))

    for sid, scene in (doc.get("scenes") or {}).items():
        for i, ch in enumerate(scene.get("choices") or []):
            judge(f"scene {sid}, choice {i + 1}", ch.get("debrief"), ch.get("cite"))
    for e in doc.get("endings") or []:
        judge(f"ending {e.get('id')}", e.get("text"))
    for r in doc.get("rules") or []:
        judge(f"rule {r.get('id')}", r.get("text"))
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_claim_credited_to_the_research_cites_its_section(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = uncited(doc)
    assert not bad, f"{path.name}: " + "\n".join(f"{w}: {t}" for w, t in bad)


def test_the_check_catches_an_uncited_claim_and_accepts_both_forms():
    doc = {"scenes": {"s": {"choices": [
        {"debrief": "The research found that ceding power helps."},
        {"debrief": "The research found that ceding power helps (Ghate et al. 2013, Section Four)."},
        {"debrief": "The paper says so.", "cite": "Section Five"},
        {"debrief": "A thought of the game's own, crediting nobody."},
        {"debrief": "The research says so (Section Nine)."},
    ]}}, "endings": [{"id": "e", "text": "As the study found, it takes time."}],
        "rules": [{"id": "r", "text": "The game's model (Sections Five and Eight)."}]}
    bad = uncited(doc)
    assert [w for w, _ in bad] == ["scene s, choice 1", "scene s, choice 5", "ending e"]
    assert "no Section Nine" in bad[1][1]


FACTS = REPO / "docs" / "research-facts.md"
REF = re.compile(r"^(troubled-families|integrated-care|total-place|tutorial) (?:([a-z0-9_]+)/(\d+)|(ending|rule):([a-z0-9_]+))$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where present: the files are large


@functools.lru_cache(maxsize=1)
def shipped() -> dict:
    """The shipped scenarios (name -> the YAML as written), loaded once for the tests that read them all."""
    return {p.stem: yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER)
            for p in FILES if p.parent.name == "scenarios"}


def fact_references() -> list:
    """(fact number, reference) for each place the facts table of docs/research-facts.md says a fact is told."""
    out = []
    for line in FACTS.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (\d+) \|", line)
        if m:
            where = line.rstrip().rstrip("|").rsplit("|", 1)[1]
            out += [(int(m.group(1)), ref.strip()) for ref in where.split(",") if ref.strip()]
    return out


def cited_text(ref: str, docs: dict):
    """The text a reference names, or None when nothing has that name."""
    m = REF.match(ref)
    if not m:
        return None
    doc = docs[m.group(1)]
    if m.group(2):
        choices = ((doc.get("scenes") or {}).get(m.group(2)) or {}).get("choices") or []
        n = int(m.group(3))
        if not 1 <= n <= len(choices):
            return None
        ch = choices[n - 1]
        return (ch.get("debrief") or "") + (" " + ch["cite"] if isinstance(ch.get("cite"), str) else "") or None
    items = doc.get(m.group(4) + "s") or []
    return next((x.get("text") for x in items if x.get("id") == m.group(5)), None)


def test_every_place_the_facts_table_names_exists_and_cites_a_section():
    """docs/research-facts.md names where each fact is told (scene/choice, ending:ID, rule:ID): every name
    resolves in today's files, and the text it names credits the paper with a section."""
    docs = shipped()
    refs = fact_references()
    assert len(refs) >= 250 and len({n for n, _ in refs}) >= 40
    bad = []
    for n, ref in refs:
        text = cited_text(ref, docs)
        if text is None:
            bad.append(f"fact {n}: '{ref}' names nothing in the scenarios")
        elif not SECTION.search(text):
            bad.append(f"fact {n}: '{ref}' does not cite a section: {' '.join(text.split())[:100]}")
    assert not bad, "\n".join(bad)


def test_a_reference_to_nothing_is_caught():
    docs = {"tutorial": {"scenes": {"s": {"choices": [{"debrief": "As the paper says (Section Four)."}]}},
                         "endings": [{"id": "e", "text": "Plain."}]}}
    assert cited_text("tutorial s/1", docs).startswith("As the paper")
    assert cited_text("tutorial s/2", docs) is None and cited_text("tutorial t/1", docs) is None
    assert cited_text("tutorial ending:e", docs) == "Plain." and cited_text("tutorial rule:e", docs) is None
    assert cited_text("tutorial.yaml:12", docs) is None


def section_citing_places(name: str, doc) -> list:
    """The reference (as the facts table writes it) of each debrief note, ending and rule text in a
    scenario that names a section of the paper, in the file's order."""
    out = []
    for sid, scene in (doc.get("scenes") or {}).items():
        for i, ch in enumerate(scene.get("choices") or []):
            text = ch.get("debrief") if isinstance(ch.get("debrief"), str) else ""
            full = text + (" " + ch["cite"] if isinstance(ch.get("cite"), str) else "")
            if SECTION.search(full):
                out.append(f"{name} {sid}/{i + 1}")
    for kind in ("ending", "rule"):
        for item in doc.get(kind + "s") or []:
            if isinstance(item.get("text"), str) and SECTION.search(item["text"]):
                out.append(f"{name} {kind}:{item.get('id')}")
    return out


def unlisted(docs: dict, refs) -> list:
    """The section-citing places of `docs` (name -> scenario) that no reference in `refs` names."""
    listed = set(refs)
    return [ref for name, doc in docs.items() for ref in section_citing_places(name, doc) if ref not in listed]


def test_every_text_that_cites_a_section_is_listed_under_a_fact():
    """A debrief note, ending or rule text that names a section of the paper appears in the facts table
    of docs/research-facts.md at least once, so that no new claim credited to the paper goes unchecked
    against it: check the claim against the paper, then add its reference to the fact it tells (or a
    new row with the section)."""
    docs = shipped()
    assert set(docs) == {"integrated-care", "total-place", "troubled-families", "tutorial"}
    places = [ref for name, doc in docs.items() for ref in section_citing_places(name, doc)]
    assert len(places) >= 300
    missing = unlisted(docs, [ref for _, ref in fact_references()])
    assert not missing, ("not listed under any fact in docs/research-facts.md (check each against the paper, then "
                         "list it under the fact it tells):\n" + "\n".join(missing))


def test_an_unlisted_citing_text_is_caught():
    docs = {"tutorial": {"scenes": {"s": {"choices": [
        {"debrief": "As the paper says (Ghate et al. 2013, Section Four)."},
        {"debrief": "The game's own thought."},
        {"debrief": "The paper says so.", "cite": "Section Five"},
    ]}}, "endings": [{"id": "e", "text": "The long game (Executive summary)."}, {"id": "f", "text": "Plain."}],
        "rules": [{"id": "r", "text": "The game's model (Sections Five and Eight)."}]}}
    assert section_citing_places("tutorial", docs["tutorial"]) == [
        "tutorial s/1", "tutorial s/3", "tutorial ending:e", "tutorial rule:r"]
    assert unlisted(docs, ["tutorial s/1", "tutorial s/3", "tutorial ending:e", "tutorial rule:r"]) == []
    assert unlisted(docs, ["tutorial s/1", "tutorial ending:e", "tutorial s/2"]) == ["tutorial s/3", "tutorial rule:r"]
