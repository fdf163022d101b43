"""The debrief's engine-built sentences in the interface language (issue 14, "Localisation-ready content").

- every sentence the engine composes for the trace, the pattern, the research caveat, the reflection questions
  and the story's names is worded through the translator the Builder is given: in Welsh, no English sentence
  of them survives, and the facts (weights, verdicts, counts, sections) are the same as in English;
- the research's claims keep their reference ("Ghate, Lewis & Welbourn 2013, Section Three") and the source
  is the citation as it is;
- what is exported or shared stays English unless asked (build, build_quick, the classroom's seat debrief);
- no literal in engine/debrief reaches the player without N_ or the translator (an AST scan);
- every Welsh entry has the same placeholders as its English and formats without raising.
"""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from engine.loader import UNTITLED_LATER
from game import i18n

REPO = Path(__file__).resolve().parents[2]

#: Runs that between them take every branch of the wording: endings that differ and that do not, delayed
#: effects, more than four changes at once, a better path, and each kind of generated question.
RUNS = (("tutorial", 2, 1), ("integrated-care", 4, -1), ("total-place", 4, -1))


def _run(name, seed, pick):
    from engine import Run, load_scenario
    from tests.engine.helpers import play_all
    run = Run(load_scenario(str(REPO / "scenarios" / f"{name}.yaml")), seed=seed)
    play_all(run, lambda run, snap: snap.available_choices[min(pick, len(snap.available_choices) - 1)
                                                       if pick >= 0 else -1].index, limit=3000)
    return run


@pytest.fixture(scope="module")
def built():
    """(scenario, English debrief, Welsh debrief) for each run: the Welsh with a translator of its own, so the
    interface language is never changed."""
    from engine.debrief import build_from_run
    cy = i18n.translator("cy")
    out = []
    for name, seed, pick in RUNS:
        run = _run(name, seed, pick)
        out.append((run.scenario, build_from_run(run), build_from_run(run, cy)))
    return out


def _scenario_words(sc) -> list:
    """The scenario's own words, which stay as the scenario gives them (it has no Welsh translation)."""
    words = [s.name for s in sc.stakeholders.values()] + [s.agency for s in sc.stakeholders.values()]
    words += [m.label for m in sc.meters.values()] + [f.label for f in sc.flags.values() if f.label]
    words += [e.title for e in sc.endings]
    words += [later.title for later in sc.laters.values() if later.title != UNTITLED_LATER]  # that one is ours
    return sorted((w for w in words if w), key=len, reverse=True)


QUOTED = re.compile(r"\u201c[^\u201d]*\u201d|\u2018[^\u2019]*\u2019")
#: English words that no Welsh sentence has, once quotations and the scenario's own words are taken out.
ENGLISH = re.compile(r"\b(the|you|your|and|would|have|had|against|chose|with|more|what|when|which|that|were|was|"
                     r"they|their|of|in|once|instead|ending|choice|decision|quarter|points|never|question|consequence)\b",
                     re.I)


def _english_left(text: str, sc) -> list:
    rest = QUOTED.sub(" ", text)
    for w in _scenario_words(sc):
        rest = rest.replace(w, " ")
    rest = re.sub(r"\d{4} Q\d", " ", rest)               # quarter labels ("2012 Q1"): the same in every language
    return ENGLISH.findall(rest)


def _sentences(text: str) -> list:
    return [s for s in re.split(r"(?<=[.!?])\s+", QUOTED.sub("\u201c\u201d", text)) if len(s.split()) >= 3]


def _pairs(en, cy) -> list:
    """(what, English, Welsh) for every text the engine words in the trace, pattern, research, reflection, story."""
    out = [("trace rule", en.trace.rule, cy.trace.rule), ("reading", en.pattern.reading, cy.pattern.reading),
           ("caveat", en.research.caveat, cy.research.caveat)]
    for a, b in zip(en.trace.decisions, cy.trace.decisions):
        out.append((f"trace {a.rank}", a.summary, b.summary))
        out += [("untitled delayed effect", x.title, y.title) for x, y in zip(a.delayed, b.delayed)
                if x.title == UNTITLED_LATER]
        for x, y in zip(a.immediate + tuple(c for link in a.delayed for c in link.changes),
                        b.immediate + tuple(c for link in b.delayed for c in link.changes)):
            if x.key.partition(".")[2]:                     # a stakeholder's value: the engine names it
                out.append((f"change {x.key}", x.label, y.label))
    for a, b in zip(en.pattern.dimensions, cy.pattern.dimensions):
        out.append((f"dimension {a.tag}", a.label, b.label))
    for a, b in zip(en.pattern.stances, cy.pattern.stances):
        out += [(f"stance {a.label}", a.label, b.label), ("stance side", a.a.label, b.a.label),
                ("stance side", a.b.label, b.b.label)]
    for a, b in zip(en.pattern.personas, cy.pattern.personas):
        out += [(f"persona {a.name}", a.description, b.description), (f"persona's name {a.name}", a.label, b.label)]
    for a, b in zip(en.reflection, cy.reflection):
        if not a.authored:                                  # the scenario's own questions are its words
            out += [(f"question {a.id}", a.text, b.text), (f"because {a.id}", a.because, b.because)]
    for a, b in zip(en.story.triangle, cy.story.triangle):
        out.append((f"story {a.id}", a.label, b.label))
    return out


def test_no_english_sentence_of_the_engine_survives_in_the_welsh_debrief(built):
    checked = 0
    for sc, en, cy in built:
        for what, e, c in _pairs(en, cy):
            assert e != c, f"{sc.id}, {what}: still English: {e!r}"
            left = _english_left(c, sc)
            assert not left, f"{sc.id}, {what}: English words {left} in {c!r}"
            for sentence in _sentences(e):
                assert sentence not in c, f"{sc.id}, {what}: the English sentence {sentence!r} survives"
            checked += 1
    assert checked >= 150
    qids = {q.id for _sc, en, _cy in built for q in en.reflection}
    assert {"delayed", "top_decision", "stance", "better_path", "unmet_gap"} <= qids
    ends = [td.alternative.ending.id == en.ending.id for _sc, en, _cy in built for td in en.trace.decisions]
    assert any(ends) and not all(ends)                      # both wordings of "had you chosen"
    assert any(len(td.immediate) > 4 for _sc, en, _cy in built for td in en.trace.decisions)
    assert any(link.title == UNTITLED_LATER for _sc, en, _cy in built for td in en.trace.decisions for link in td.delayed)


def test_the_terminal_debrief_reads_welsh(built):
    """The terminal's text of a Welsh debrief: the table's headings, an alternative with the same ending (not
    "X instead of X"), an untitled delayed effect, and no double full stop after a quoted choice."""
    from game.debrief.text import render_text
    i18n.set_language("cy")
    try:
        texts = [(sc, en, render_text(cy, width=100)) for sc, en, cy in built]
    finally:
        i18n.set_language(None)
    same = 0
    for sc, en, text in texts:
        flat = " ".join(text.split())
        assert " chi " in text.splitlines()[next(i for i, line in enumerate(text.splitlines()) if "10-90%" in line) - 1]
        assert "\u201d instead of \u201c" not in flat and "your choice against" not in flat
        assert "A delayed consequence" not in flat
        assert ".\u201d." not in flat and "?\u201d." not in flat
        for td in en.trace.decisions:
            if td.alternative.ending.id == en.ending.id:
                same += 1
                t = en.ending.title
                assert f"\u201c{t}\u201d yn lle \u201c{t}\u201d" not in flat
    assert same and any("Canlyniad hwyr" in text for _sc, _en, text in texts)


def test_the_terminal_plays_to_the_end_in_welsh_and_its_debrief_is_welsh(tmp_path):
    """`balcony play --lang cy` in the terminal, from the first scene to the debrief's last question: the
    engine's sentences are Welsh there too (the rule, the pattern's reading, the caveat, the questions), and
    an untitled delayed effect is no longer "Later: A delayed consequence"."""
    import subprocess
    import sys

    from engine.debrief.model import CAVEAT
    from engine.debrief.play import RULE
    from engine.debrief.pattern import READING
    from tests.engine.helpers import TUTORIAL, cli_env
    r = subprocess.run([sys.executable, "-m", "game", "play", str(TUTORIAL), "--text", "--seed", "5",
                        "--no-autosave", "--lang", "cy"], input="b\n" + "1\n2\n3\n4\n" * 80, capture_output=True,
                       text=True, env=cli_env(tmp_path), timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stdout.split())
    cy = i18n.translator("cy")
    assert cy("Questions for reflection").upper() in flat             # it reached the debrief's end
    for english in (RULE, READING, CAVEAT):
        assert " ".join(cy(english).split()) in flat and english[:40] not in flat
    assert "A delayed consequence" not in flat and "Canlyniad hwyr" in flat
    assert "Had you chosen" not in flat and "What would you need to believe" not in flat


def test_every_generated_question_is_welsh_not_only_the_chosen_ones(built):
    from engine.debrief.reflect import _generated
    cy = i18n.translator("cy")
    seen = set()
    for sc, en, wcy in built:
        english = _generated(en.why, en.gap, en.trace, en.better, en.pattern)
        welsh = _generated(wcy.why, wcy.gap, wcy.trace, wcy.better, wcy.pattern, cy)
        assert [q[:2] for q in english] == [q[:2] for q in welsh]       # the same questions, for the same reasons
        for (stage, qid, text, because), (_s, _q, wtext, wbecause) in zip(english, welsh):
            seen.add(qid)
            assert wtext != text and wbecause != because, qid
            assert not _english_left(wtext, sc) and not _english_left(wbecause, sc), (qid, wtext, wbecause)
    assert len(seen) >= 8


def test_the_welsh_debrief_has_the_same_facts(built):
    for _sc, en, cy in built:
        assert [(t.step, t.weight, t.verdict, t.triangle_delta, t.alternative) for t in cy.trace.decisions] == \
               [(t.step, t.weight, t.verdict, t.triangle_delta, t.alternative) for t in en.trace.decisions]
        assert {t.verdict for t in cy.trace.decisions} <= {"better", "worse", "same"}   # a code, not a word
        assert [(u.tag, u.count, u.share, u.personas) for u in cy.pattern.dimensions] == \
               [(u.tag, u.count, u.share, u.personas) for u in en.pattern.dimensions]
        assert cy.research.years == en.research.years and cy.research.uncited == en.research.uncited
        assert [(q.id, q.stage) for q in cy.reflection] == [(q.id, q.stage) for q in en.reflection]
        assert [s.values for s in cy.story.triangle] == [s.values for s in en.story.triangle]


def test_the_research_claims_keep_their_meaning_and_reference_in_welsh(built):
    """The caveat and the reading credit the paper: the Welsh keeps the reference as it is (a section of the
    English paper), the quotation beside its translation, and the source is the citation as written."""
    _sc, en, cy = built[0]
    assert "(Ghate, Lewis & Welbourn 2013, Section Three)" in en.research.caveat
    assert "(Ghate, Lewis & Welbourn 2013, Section Three)" in cy.research.caveat
    assert "Model addysgu" in cy.research.caveat and "data meintiol" in cy.research.caveat  # teaching model; no data
    assert "(Ghate, Lewis & Welbourn 2013, Section Five)" in cy.pattern.reading
    assert "\u201cnot a fixed recipe\u201d" in cy.pattern.reading
    assert cy.research.source == en.research.source and "Systems Leadership" in cy.research.source
    assert all(n.sections == m.sections for (_y, a), (_z, b) in zip(en.research.years, cy.research.years)
               for n, m in zip(a, b))


def test_what_is_exported_or_shared_stays_english():
    """build (exports, the classroom's full debrief), build_quick (the classroom's seat debrief) and the cohort read
    English whatever the interface language; a Welsh debrief built before leaves nothing Welsh behind."""
    from engine.debrief import build, build_from_run, build_quick
    from engine.debrief.model import CAVEAT
    from engine.debrief.pattern import READING
    run = _run("tutorial", 2, 1)
    before = build(run.scenario, run.transcript()).to_dict()
    i18n.set_language("cy")
    try:
        welsh = build_from_run(run, i18n._)
        assert welsh.research.caveat != CAVEAT
        assert build(run.scenario, run.transcript()).to_dict() == before
        quick = build_quick(run.scenario, run.transcript())
    finally:
        i18n.set_language(None)
    assert quick["research"].caveat == CAVEAT and quick["pattern"].reading == READING
    assert build(run.scenario, run.transcript()).to_dict() == before


def test_balcony_report_text_follows_the_interface_language(tmp_path):
    import json
    import subprocess
    import sys

    from engine.debrief.model import CAVEAT
    from tests.engine.helpers import cli_env
    run = _run("tutorial", 2, 1)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(run.transcript()), encoding="utf-8")
    cmd = [sys.executable, "-m", "game", "report", str(path), "--text",
           "--scenario", str(REPO / "scenarios" / "tutorial.yaml")]
    env = cli_env(tmp_path)
    english = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    welsh = subprocess.run(cmd, capture_output=True, text=True, env={**env, "BALCONY_LANG": "cy"}, timeout=120,
                           cwd=REPO)
    assert english.returncode == 0 and welsh.returncode == 0, english.stderr + welsh.stderr
    flat = lambda s: " ".join(s.split())  # noqa: E731 - the text is wrapped
    assert CAVEAT in flat(english.stdout) and "Each counterfactual replays" in flat(english.stdout)
    assert "Model addysgu yw rhifau" in flat(welsh.stdout) and CAVEAT not in flat(welsh.stdout)
    assert "Each counterfactual replays" not in flat(welsh.stdout) and "Had you chosen" not in flat(welsh.stdout)


# ---- no literal in engine/debrief reaches the player around the translator ---------------------------------------

#: A phrase (words and a space) or a capitalised word: what a player could read. Identifiers, keys and codes
#: ("turn", "better", "one_to_one") are neither.
PHRASE = re.compile(r"[A-Za-z]{3,}.*\s|\s.*[A-Za-z]{3,}|^[A-Z][a-z]+$")
#: Calls whose string arguments are marked or translated (N_, tr, plural) or are not text (regular expressions).
MARKED = {"N_", "tr", "plural", "ngettext", "_"}
#: Literals that are meant to stay as they are, each with its reason.
KEPT = {
    # the paper's citation and the names of its parts: a reference into the English paper, kept as it is
    "Ghate, D., Lewis, J. & Welbourn, D. (2013) Systems Leadership: Exceptional leadership for exceptional times. "
    "Synthesis paper, The Virtual Staff College.",
    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Foreword", "Executive summary", "Section ",
}


def literals_around_the_translator(source: str) -> list:
    """(line, literal) for each string literal a player could read that goes neither through N_/tr/plural nor
    is a docstring, an error raised, `__all__` or a regular expression."""
    tree = ast.parse(source)
    skip: set = set()

    def skip_all(node):
        skip.update(id(a) for a in ast.walk(node) if isinstance(a, ast.Constant))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in MARKED or (isinstance(f, ast.Attribute) and getattr(f.value, "id", "") == "re"):
                skip_all(node)
        elif isinstance(node, ast.Raise):
            skip_all(node)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            skip_all(node)
    found = sorted((n.lineno, n.col_offset, n.value) for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
                   and n.value.strip() and PHRASE.search(n.value.strip()) and n.value not in KEPT)
    return [(line, value) for line, _col, value in found]


def test_the_scan_catches_a_sentence_that_bypasses_the_translator():
    bad = ('X = "Ways of feeling"\ndef f(tr):\n    return f"In {w} you chose {c}" + tr(N_("ok {x}"))\n'
           'Y = {"better": "Your choice did better."}\nZ = ("Power", "hold_power")\n')
    assert sorted(v for _l, v in literals_around_the_translator(bad)) == \
        sorted(["Ways of feeling", "In ", " you chose ", "Your choice did better.", "Power"])
    good = ('"""A docstring says what it likes."""\nX = N_("Ways of feeling")\ndef f(tr, n):\n'
            '    return tr(N_("In {w} you chose {c}")) + plural(tr, "{n} quarter", "{n} quarters", n)\n'
            'Y = {"better": N_("Your choice did better.")}\nZ = re.compile(r"Sections? (One|Two)")\n'
            'k = d["one_to_one"]\nraise SaveError("the transcript does not replay")\n__all__ = ["Builder"]\n')
    assert literals_around_the_translator(good) == []


@pytest.mark.parametrize("path", sorted(str(p.relative_to(REPO)) for p in (REPO / "engine" / "debrief").glob("*.py")))
def test_no_debrief_sentence_bypasses_the_translator(path):
    found = literals_around_the_translator((REPO / path).read_text(encoding="utf-8"))
    assert not found, (f"{path}: mark these with N_() and word them through the translator `tr` the Builder "
                       "passes, then `make pot`: " + "; ".join(f"line {ln}: {v!r}" for ln, v in found[:8]))


# ---- the Welsh catalog: placeholders ----------------------------------------------------------------------------

def _fields(text: str) -> set:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


def test_every_welsh_entry_keeps_its_placeholders_and_formats():
    """The same {placeholders} as the English (a plural's forms may leave out {n}, as a language with a word for
    'one' does), and each form formats with its English's values without raising (no stray brace, no
    positional field)."""
    with open(REPO / "game" / "locale" / "cy.po", "rb") as f:
        cat = read_po(f)
    checked = 0
    for m in cat:
        if not m.id or not m.string or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        english = set().union(*map(_fields, ids))
        values = {k: "X" for k in english if k}
        for form in forms:
            if not form:
                continue
            fields = _fields(form)
            assert "" not in fields, (m.id, form)                               # "{}": positional
            if isinstance(m.id, tuple):
                assert english - {"n"} <= fields <= english, (m.id, form)
            else:
                assert fields == english, (m.id, form)
            form.format(**values)                                             # raises on a stray brace
            checked += 1
    assert checked >= 500


# ---- the window: every debrief tab in Welsh at the hardest setting ------------------------------------------------

@pytest.mark.skipif(not (REPO / "scenarios" / "integrated-care.yaml").exists(), reason="no scenario")
def test_every_debrief_tab_in_welsh_at_1024x600_largest_text_dyslexia_font_high_contrast(tmp_path, monkeypatch):
    """Welsh is longer than English: each tab, at its top and scrolled, keeps the layout rules (no text outside
    its panel, none cut without a scrollbar, no broken word, no overlap), and the engine's sentences are drawn
    in Welsh (read back from the frames). Every chart is drawn: at this size the meters' legend alone took the
    whole view, and the chart said "too small to draw". BALCONY_SHOTS=DIR writes the frames as PNGs."""
    from game.debrief import wcharts

    from .layout_check import check_layout
    from .test_debrief_screen import TABS, engine_app, open_debrief
    in_charts = []
    real_text = wcharts.Painter.text
    monkeypatch.setattr(wcharts.Painter, "text", lambda self, s, *a, **k: in_charts.append(s) or real_text(self, s, *a, **k))
    i18n.set_language("cy")
    try:
        app = engine_app(tmp_path, size=(1024, 600), text_scale=5, font="dyslexic", high_contrast=True)
        p, scr = open_debrief(app)
        assert not scr.error and "reflection" in scr.parts
        drawn = []
        for i, tab in enumerate(TABS):
            p.press(str(i + 1))
            for page in range(60):                      # every page of the tab, to its end
                check_layout(app, f"debrief-cy-{tab}-{page}")
                drawn += [t[0] for t in app.layout_log.texts]
                if scr.scroll.offset >= scr.scroll.max_offset:
                    break
                p.press("pagedown")
        text = " ".join(drawn)
        for welsh in ("Model addysgu yw rhifau", "Patrwm i fyfyrio arno", "Mae pob ailchwarae",
                      "Ffyrdd o "):
            assert welsh in text, welsh
        assert in_charts and i18n._("(too small to draw)") not in in_charts
        assert i18n._("The meters") in in_charts and "Gwerth cyhoeddus" in in_charts
        # the personas' endings are named by their titles, not by the scenario's ids ("long_game 58" before)
        endings = scr.session.scenario.endings
        assert any(f"\u201c{e.title}\u201d" in text for e in endings)
        assert not any(re.search(rf"\b{re.escape(e.id)} \d", text) for e in endings)
        assert "Arweinydd systemau" in text                 # the personas by name, not by id ("systems-leader")
        assert any(c.startswith("Arweinydd systemau:") for c in in_charts)
        for english in ("systems-leader", "teaching model", "Each counterfactual", "Ways of ", "Had you chosen", "pattern to reflect on",
                        "'s trust", "'s commitment", "'s support"):
            assert english not in text, english
    finally:
        i18n.set_language(None)


def test_save_report_in_welsh_writes_a_welsh_page(tmp_path):
    """The window's "Save report" (key s) in Welsh writes the HTML report in Welsh: `<html lang="cy">`, the page's
    headings and the debrief's sentences alike (the page was English around Welsh sentences before)."""
    from .test_debrief_screen import engine_app, open_debrief, save_report
    i18n.set_language("cy")
    try:
        app = engine_app(tmp_path)
        p, scr = open_debrief(app)
        save_report(p, scr)
    finally:
        i18n.set_language(None)
    reports = list((tmp_path / "reports").glob("*.html"))
    assert len(reports) == 1, app.context.toasts
    page = reports[0].read_text(encoding="utf-8")
    assert '<html lang="cy">' in page
    for welsh in ("Pam y diweddglo hwn", "Cwestiynau", "Model addysgu yw rhifau", "Y triongl strategol"):
        assert welsh in page, welsh
    for english in ("Why this ending", "Questions for reflection", "The strategic triangle", "said at the end"):
        assert english not in page, english
