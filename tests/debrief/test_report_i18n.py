"""The HTML report in the language of its debrief (issue 14, "Localisation-ready content").

- `balcony report -o` with BALCONY_LANG=cy writes a Welsh page around a Welsh debrief: `<html lang="cy">`, and
  no heading, caption, table header, chart label or footer of the English page is left in it (the scenario's
  own words, the numbers and the paper's citation are kept, as docs/translating.md says);
- without a language the page is English, `lang="en-GB"`, and its text is what it was (test_report.py);
- every visible text of the template goes through `_()` or `ngettext()` (a scan of report.html.j2 with
  Jinja2's own lexer and an HTML parser), and the template's strings are in the catalog.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from tests.debrief.test_report import answers_for, tutorial_debrief
from tests.engine.helpers import REPO, cli_env, PYTHON

TEMPLATE = REPO / "game" / "debrief" / "templates" / "report.html.j2"
WORDY = re.compile(r"[A-Za-z]{3,}")


class _Text(HTMLParser):
    """The text a reader sees: text nodes (SVG's <text> included) and the attributes read aloud or shown,
    not the styles."""
    SHOWN_ATTRS = ("title", "alt", "aria-label", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        self.nodes += [v for k, v in attrs if k in self.SHOWN_ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.nodes.append(" ".join(data.split()))


def visible(html: str) -> list:
    p = _Text()
    p.feed(html)
    p.close()
    return p.nodes


@lru_cache(maxsize=None)
def _reports(tmp):
    """(English page, Welsh page): `balcony report -o` of the same tutorial run, without a language and with
    BALCONY_LANG=cy, each in its own process (matplotlib's memory stays out of the test process)."""
    import subprocess
    from pathlib import Path
    tmp = Path(tmp)
    transcript, d = tutorial_debrief()
    (tmp / "run.json").write_text(json.dumps(transcript), encoding="utf-8")
    (tmp / "answers.json").write_text(json.dumps(answers_for(d)), encoding="utf-8")
    out = []
    for name, lang in (("en", None), ("cy", "cy")):
        env = cli_env(tmp)
        env.pop("BALCONY_LANG", None)
        env.pop("LANGUAGE", None)
        if lang:
            env["BALCONY_LANG"] = lang
        r = subprocess.run([PYTHON, "-m", "game", "report", str(tmp / "run.json"), "-o", str(tmp / f"{name}.html"),
                            "--answers", str(tmp / "answers.json")], capture_output=True, text=True, env=env,
                           timeout=120, cwd=REPO)
        assert r.returncode == 0, r.stderr
        out.append((tmp / f"{name}.html").read_text(encoding="utf-8"))
    return tuple(out)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return _reports(str(tmp_path_factory.mktemp("report-i18n")))


def _kept_words(d) -> list:
    """What the report keeps as it is in every language: the scenario's own words (stakeholders, agencies,
    meters, endings, choices, events, tags, research notes, its own questions), the paper's citation and the
    names of its sections."""
    from engine import load_scenario
    sc = load_scenario(REPO / "scenarios" / "tutorial.yaml")
    words = [s.name for s in sc.stakeholders.values()] + [s.agency for s in sc.stakeholders.values()]
    words += [m.label for m in sc.meters.values()] + [e.title for e in sc.endings]
    words += [title for _t, _w, title in d.story.events]
    words += [t.text for t in d.trace.decisions] + [t.alternative_text for t in d.trace.decisions]
    words += [tag.replace("_", " ") for t in d.trace.decisions for tag in t.tags]
    words += [n.note for _y, notes in d.research.years for n in notes]
    words += [n.choice_text for _y, notes in d.research.years for n in notes]
    words += [s for _y, notes in d.research.years for n in notes for s in n.sections]
    words += [q.text for q in d.reflection if q.authored] + list(answers_for(d).values())
    words += [d.research.source, d.scenario_title]
    return sorted({w for w in words if w}, key=len, reverse=True)


def _same_in_welsh() -> set:
    """Words the Welsh catalog translates as themselves ('persona')."""
    with open(REPO / "game" / "locale" / "cy.po", "rb") as f:
        return {m.id for m in read_po(f) if isinstance(m.id, str) and m.id and m.string == m.id}


def test_the_welsh_report_leaves_no_english_of_the_page(pages):
    english, welsh = pages
    assert re.search(r'<html lang="cy">', welsh) and re.search(r'<html lang="en-GB">', english)
    _transcript, d = tutorial_debrief()
    kept = _kept_words(d)
    same = _same_in_welsh()
    cy_nodes = set(visible(welsh))
    left = []
    for node in dict.fromkeys(visible(english)):
        if node not in cy_nodes or node in same:
            continue
        rest = node
        for w in kept:
            rest = rest.replace(" ".join(w.split()), " ")
        rest = re.sub(r"\d{4} Q\d", " ", rest)
        if WORDY.search(rest):
            left.append(node)
    assert not left, f"English left in the Welsh report: {left[:10]}"
    # what the Welsh page says instead, and what it keeps
    for welsh_text in ("Pam y diweddglo hwn", "Y stori", "Cwestiynau", "Gwnaed gan Balcony", "Y triongl strategol",
                       "rhanddeiliad", "Ffynhonnell: Ghate"):
        assert welsh_text in welsh, welsh_text
    assert d.research.source.split(".")[0] in welsh          # the citation as it is
    assert "Model addysgu yw rhifau" in welsh                 # the debrief's own sentences are Welsh too


def test_the_welsh_report_has_no_english_template_or_chart_string(pages):
    """Every msgid of the template and of charts.py, cut at its placeholders, is gone from the Welsh page (a
    string the Welsh translates as itself, and the scenario's own words, aside)."""
    english, welsh = pages
    with open(REPO / "game" / "locale" / "balcony.pot", "rb") as f:
        ours = [m for m in read_po(f) if m.id and any(
            loc.endswith(("report.html.j2", "debrief/charts.py")) for loc, _n in m.locations)]
    assert len(ours) >= 45
    same = _same_in_welsh()
    text_cy = " | ".join(visible(welsh))
    for w in _kept_words(tutorial_debrief()[1]):       # a research note may say "the game's model" itself
        text_cy = text_cy.replace(" ".join(w.split()), " | ")
    text_en = " ".join(visible(english))
    checked = 0
    for m in ours:
        for mid in (m.id if isinstance(m.id, tuple) else (m.id,)):
            if mid in same:
                continue
            for part in re.split(r"\{\w+\}", mid):
                part = part.strip(" .,:;()“”")
                if len(WORDY.findall(part)) >= 2 and part in text_en:
                    assert part not in text_cy, f"{part!r} (of {mid!r}) is English in the Welsh report"
                    checked += 1
    assert checked >= 30


def test_the_english_report_is_english_and_says_so(pages):
    english, _welsh = pages
    text = " ".join(visible(english))
    for words in ("Why this ending", "The balcony gap", "Questions for reflection", "said at the end",
                  "The six dimensions: a pattern, not a score", "The game's numbers are a teaching model"):
        assert words in text, words
    assert "Pam y diweddglo" not in english


def test_a_debrief_renders_in_its_own_language_whatever_the_interface(monkeypatch):
    """render_html words the page as the debrief is worded (Debrief.lang), not by the interface language."""
    from engine.debrief.model import CAVEAT
    from game import i18n
    from game.debrief import report
    _t, d = tutorial_debrief()
    assert d.lang == "" and i18n.translator("cy").lang == "cy"
    env_en, env_cy = report._env(""), report._env("cy")
    assert env_en.globals["html_lang"] == "en-GB" and env_cy.globals["html_lang"] == "cy"
    page = env_en.from_string('{{ _("Why this ending") }}|{{ quality_name("best") }}')
    transcript, d = tutorial_debrief()
    from engine import load_scenario
    from engine.debrief import build
    sc = load_scenario(REPO / "scenarios" / "tutorial.yaml")
    i18n.set_language("cy")
    try:
        assert page.render() == "Why this ending|Best ending"       # an English debrief's page stays English
        assert env_cy.from_string('{{ _("Why this ending") }}').render() == "Pam y diweddglo hwn"
        welsh = build(sc, transcript, i18n._)       # as the window builds it: its Save report writes this one
    finally:
        i18n.set_language(None)
    assert welsh.lang == "cy" and i18n._.lang() == "" and CAVEAT in d.research.caveat
    assert "lang" not in welsh.to_dict() and welsh.to_dict().keys() == d.to_dict().keys()  # not in the JSON


# ---- every visible text of the template goes through gettext --------------------------------------------------

#: Literals in the template's expressions that are not words to read: a CSS class.
KEPT_IN_EXPRESSIONS = {" empty"}


def template_literals(source: str) -> list:
    """(line, text) for each piece of text in a Jinja2 template's HTML (outside {{ }}, {% %} and <style>) that
    a reader would see and that does not go through `_()`, `ngettext()` or `{% trans %}`."""
    from jinja2 import Environment
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)  # as report.py reads it
    html, lines, found = [], [], []
    in_trans = False
    calls: list = []                        # the function each open parenthesis belongs to
    previous = (None, None)
    for lineno, kind, value in env.lex(source):
        if kind == "name" and value in ("trans", "pluralize"):
            in_trans = True
        elif kind == "name" and value == "endtrans":
            in_trans = False
        elif kind == "whitespace":
            continue
        elif (kind, value) == ("operator", "("):
            calls.append(previous[1] if previous[0] == "name" else None)
        elif (kind, value) == ("operator", ")") and calls:
            calls.pop()
        elif kind == "string" and WORDY.search(value) and value[1:-1] not in KEPT_IN_EXPRESSIONS \
                and previous != ("operator", "=") and not (set(calls) & {"_", "gettext", "ngettext"}):
            found.append((lineno, value[1:-1]))  # "yes" if held else "no": a literal in an expression (quotes off)
        if kind == "data" and not in_trans:
            html.append(value)
            lines.append((lineno, value))
        else:
            html.append("\x00")            # an expression or a tag: a value, not a literal
        previous = (kind, value)
    p = _Text()
    p.feed("".join(html))
    p.close()
    for node in p.nodes:
        for piece in node.split("\x00"):
            if WORDY.search(piece) and piece.strip() != "Balcony":
                line = next((ln for ln, v in lines if piece.strip() in " ".join(v.split())), 0)
                found.append((line, piece.strip()))
    return found


def test_the_template_scan_catches_a_plain_literal_and_passes_a_translated_one():
    bad = ('<html><head><style>body { font-family: "DejaVu Sans"; }</style></head><body>'
           '<h2>The story</h2><p>{{ x }} decisions were tested</p><img alt="A chart">'
           '<td>{{ "yes" if a else "no" }}</td></body></html>')
    assert sorted(v for _l, v in template_literals(bad)) == ["A chart", "The story", "decisions were tested", "yes"]
    good = ('<html><head><style>body { font-family: "DejaVu Sans"; }</style></head><body>'
            '<h2>{{ _("The story") }}</h2><p>{{ ngettext("{n} decision", "{n} decisions", n).format(n=n) }}</p>'
            '<p>{% trans n=x %}{{ n }} decisions were tested{% endtrans %}</p><p>{{ d.ending.title }} (1 / 100)</p>'
            '<td>{{ _("yes") if a else _("no") }}</td><p>{{ p.endings|dictsort(by="value") | join(", ") }}</p>'
            '</body></html>')
    assert template_literals(good) == []


def test_every_visible_text_of_the_report_template_goes_through_gettext():
    found = template_literals(TEMPLATE.read_text(encoding="utf-8"))
    assert not found, ("report.html.j2: wrap these in {{ _(\"...\") }} (or {% trans %}), then `make pot`: "
                       + "; ".join(f"line {ln}: {v!r}" for ln, v in found[:8]))
