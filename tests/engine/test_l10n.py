"""Localisation of scenarios (issue 14): `balcony strings` writes every player-facing string with a stable
id to a gettext PO file (Babel); a translated file plays the scenario in another language without
touching its logic; validate reports missing and stale translations."""
from __future__ import annotations

from engine import Run, check_file, load_scenario
from engine.l10n import scenario_strings
from engine.l10n.po import read

from .helpers import BASE, balcony, dump, line_of, merge

DOC = merge(BASE, {
    "scenes": {"start": {"title": "The start", "text": "Hello, {alice.name}.",
                         "choices": [{"text": "Go", "result": "You go.", "effects": [{"add": {"outcomes": 5}}],
                                      "goto": "end"},
                                     {"text": "Stay", "goto": "end"}]}},
    "personas": {"p": {"prefer": {"doing": 1}, "description": "not for players"}},
})


def _translate(po, table):
    text = po.read_text(encoding="utf-8")
    for ctx, tr in table.items():
        head = f'msgctxt "{ctx}"\n'
        i = text.index(head)
        j = text.index('msgstr ""', i)
        text = text[:j] + f'msgstr "{tr}"' + text[j + len('msgstr ""'):]
    po.write_text(text, encoding="utf-8")


def test_strings_have_stable_ids_and_only_what_the_player_reads(scenario_file):
    p = scenario_file(DOC)
    ids = [s.id for s in scenario_strings(p)]
    assert len(ids) == len(set(ids))
    for sid in ("title", "summary", "role", "setting/place", "stakeholders/alice/name", "scenes/start/title",
                "scenes/start/text", "scenes/start/choices/0/text", "scenes/start/choices/0/result",
                "phases/one/name", "endings/fallback/title", "endings/fallback/text"):
        assert sid in ids, sid
    assert not [i for i in ids if i.startswith("personas") or i.endswith("/id")]
    s = {x.id: x for x in scenario_strings(p)}["scenes/start/text"]
    assert s.text == "Hello, {alice.name}." and s.line == line_of(p, "Hello, {alice.name}.")


def test_a_translated_file_plays_in_another_language_with_the_same_logic(scenario_file, tmp_path):
    p = scenario_file(DOC)
    r = balcony(tmp_path, "strings", p, "--lang", "cy")
    assert r.returncode == 0 and "strings for 'cy'" in r.stdout, r.stderr
    po = tmp_path / "scenario.cy.po"
    assert len(read(po)) == len(scenario_strings(p))
    _translate(po, {"scenes/start/text": "Helo, {alice.name}.", "scenes/start/choices/0/text": "Ewch",
                    "scenes/start/choices/0/result": "Rydych chi'n mynd."})
    en, cy = load_scenario(p), load_scenario(p, "cy")
    a, b = Run(en, 7), Run(cy, 7)
    assert b.snapshot().text == "Helo, Alice." and b.snapshot().choices[0].text == "Ewch"
    assert b.snapshot().choices[1].text == "Stay"            # untranslated: the source is shown
    for run in (a, b):
        run.choose(0)
    assert b.snapshot().notices[0].text == "Rydych chi'n mynd."
    for run in (a, b):
        run.advance()
    assert a.state.to_dict() == b.state.to_dict()              # the logic is untouched
    r = balcony(tmp_path, "play", p, "--text", "--lang", "cy", "--seed", "1", "--no-autosave", input="1\n")
    assert r.returncode == 0 and "Helo, Alice." in r.stdout and "Ewch" in r.stdout


def test_validate_reports_missing_and_stale_translations(scenario_file, tmp_path):
    p = scenario_file(DOC)
    assert balcony(tmp_path, "strings", p, "--lang", "cy").returncode == 0
    po = tmp_path / "scenario.cy.po"
    _translate(po, {"scenes/start/text": "Helo, {alice.name}.", "scenes/start/choices/1/text": "Arhoswch"})
    diags = check_file(p)[1]
    missing = [d for d in diags if d.code == "BAL062"]
    assert len(missing) == 1 and missing[0].file == str(po) and missing[0].severity == "warning"
    assert f"{len(scenario_strings(p)) - 2} of {len(scenario_strings(p))} strings" in missing[0].message
    assert not [d for d in diags if d.code == "BAL063"]
    # the author changes a source: its translation is stale, reported at its line, and not used
    p.write_text(p.read_text(encoding="utf-8").replace("text: Stay", "text: Stay here"), encoding="utf-8")
    stale = [d for d in check_file(p)[1] if d.code == "BAL063"]
    assert [d.line for d in stale] == [line_of(po, 'msgctxt "scenes/start/choices/1/text"') + 1]  # its msgid
    assert Run(load_scenario(p, "cy"), 0).snapshot().choices[1].text == "Stay here"
    # strings again keeps the translations and marks the changed one fuzzy: still stale, still not used
    assert balcony(tmp_path, "strings", p, "--lang", "cy").returncode == 0
    assert read(po)["scenes/start/text"][1] == "Helo, {alice.name}."
    assert read(po)["scenes/start/choices/1/text"][3] is True
    assert [d.code for d in check_file(p)[1] if d.code == "BAL063"] == ["BAL063"]


def _po_beside(p, lang, table):
    """Write NAME.LANG.po beside the scenario (as 'balcony strings' does, in-process) and translate `table`."""
    from engine.l10n.po import template
    po = p.parent / f"{p.stem}.{lang}.po"
    po.write_bytes(template(scenario_strings(p), project="t", lang=lang))
    _translate(po, table)
    return po


def test_a_broken_placeholder_in_a_translation_is_reported_at_the_po_file(scenario_file):
    """validate warns about it (English still plays); playing in that language refuses it, pointing at the
    translation's entry in the PO file, not at the scenario's source line (where no such text is)."""
    p = scenario_file(DOC)
    po = _po_beside(p, "cy", {"scenes/start/text": "Helo, {alice.nam}.", "scenes/start/choices/0/text": "Ewch"})
    entry_line = read(po)["scenes/start/text"][2]
    sc, diags = check_file(p)
    assert sc is not None
    bad = [d for d in diags if d.code == "BAL021"]
    assert len(bad) == 1 and bad[0].severity == "warning", [d.format() for d in diags]
    assert bad[0].file == str(po) and bad[0].line == entry_line
    assert "'cy' translation of 'scenes/start/text'" in bad[0].message and "'alice.name'" in bad[0].message
    sc, diags = check_file(p, "cy")
    assert sc is None
    assert [(d.file, d.line, d.code, d.severity) for d in diags] == [(str(po), entry_line, "BAL021", "error")]
    po.write_text(po.read_text(encoding="utf-8").replace("{alice.nam}", "{if alice.trust > 1}"), encoding="utf-8")
    bad = [d for d in check_file(p)[1] if d.code == "BAL024"]
    assert len(bad) == 1 and bad[0].file == str(po) and bad[0].line == entry_line


def test_only_the_checking_commands_build_the_translations_beside_a_scenario(scenario_file, monkeypatch):
    """Building each translation to warn about it is validate's, check's and the tools' work: load_scenario
    (play, simulate) drops warnings, and built every translation again on each load to find them."""
    from engine import loader
    p = scenario_file(DOC)
    _po_beside(p, "cy", {"scenes/start/text": "Helo, {alice.nam}."})
    built = []
    real = loader._Loader.check_translations
    monkeypatch.setattr(loader._Loader, "check_translations", lambda self, beside: built.append(beside) or real(self, beside))
    load_scenario(p)
    assert built == []
    assert any(d.code == "BAL021" for d in check_file(p)[1]) and len(built) == 1


def test_playing_in_a_language_without_a_translation_says_how_to_make_one(scenario_file):
    p = scenario_file(DOC)
    sc, diags = check_file(p, "fr")
    assert sc is None and "balcony strings scenario.yaml --lang fr" in diags[0].message


def test_the_window_loads_the_scenario_in_the_interface_language(scenario_file, tmp_path, monkeypatch):
    from game import i18n
    from game.window.backend import EngineBackend
    p = scenario_file(DOC)
    assert balcony(tmp_path, "strings", p, "--lang", "cy").returncode == 0
    _translate(tmp_path / "scenario.cy.po", {"scenes/start/choices/0/text": "Ewch"})
    backend = EngineBackend()
    try:
        i18n.set_language("cy")
        assert Run(backend.load(str(p)), 0).snapshot().choices[0].text == "Ewch"
        i18n.set_language("fr")                       # no translation into French: the source
        assert Run(backend.load(str(p)), 0).snapshot().choices[0].text == "Go"
    finally:
        i18n.set_language(None)


def test_the_terminal_plays_the_scenario_in_BALCONY_LANG_as_the_window_does(scenario_file, tmp_path, monkeypatch):
    """translating.md: BALCONY_LANG=cy (or LANGUAGE) uses the interface's catalog and the scenario's NAME.cy.po
    alike. The terminal translated only its interface, and showed the scenario's texts in English."""
    p = scenario_file(DOC)
    _po_beside(p, "cy", {"scenes/start/choices/0/text": "Ewch"})
    monkeypatch.setenv("BALCONY_LANG", "cy")
    r = balcony(tmp_path, "play", p, "--text", "--seed", "1", "--no-autosave", input="1\n")
    assert r.returncode == 0 and "Ewch" in r.stdout, r.stdout + r.stderr
    monkeypatch.setenv("BALCONY_LANG", "fr")          # no translation into French: as written, and no notice
    r = balcony(tmp_path, "play", p, "--text", "--seed", "1", "--no-autosave", input="1\n")
    assert r.returncode == 0 and "1. Go" in r.stdout and "no translation" not in r.stderr, r.stdout + r.stderr


def test_strings_from_an_included_file_are_located_by_their_path_from_the_scenario(tmp_path):
    """A string from common/cast.yaml was located as 'cast.yaml:3' in the PO file and in BAL062/BAL063,
    a file that is not there beside the scenario."""
    from engine.l10n.po import template
    inc = tmp_path / "common" / "cast.yaml"
    inc.parent.mkdir()
    inc.write_text(dump({"stakeholders": [{"id": "carol", "name": "Carol", "role": "GP", "agency": "Practice",
                                           "local_budget": False, "trust": 1, "support": 2, "commitment": 3}]}),
                   encoding="utf-8")
    p = tmp_path / "main.yaml"
    p.write_text(dump(merge(DOC, {"includes": ["common/cast.yaml"]})), encoding="utf-8")
    po_text = template(scenario_strings(p), project="t", lang="cy", base=str(tmp_path)).decode("utf-8")
    assert f"#: common/cast.yaml:{line_of(inc, 'Carol')}\n" in po_text
    po = tmp_path / "main.cy.po"
    po.write_text(po_text.replace('msgid "Carol"\nmsgstr ""', 'msgid "Karl"\nmsgstr "Carol"'), encoding="utf-8")
    (stale,) = [d for d in check_file(p)[1] if d.code == "BAL063"]
    assert f"its source (common/cast.yaml:{line_of(inc, 'Carol')})" in stale.message, stale.message


def test_a_malformed_translation_file_is_reported_at_its_line_and_prints_nothing_else(scenario_file, capsys):
    """Babel printed "WARNING: Unknown or misformatted keyword" to standard output (into validate --json's
    JSON), and validate then said every string lacked a translation."""
    import json

    from game.cli import main
    p = scenario_file(DOC)
    po = _po_beside(p, "cy", {"scenes/start/choices/0/text": "Ewch"})
    lines = po.read_text(encoding="utf-8").splitlines()
    bad = len(lines) - 1
    lines.insert(bad, "this is not PO")
    po.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(p), "--json"]) == 0
    out = capsys.readouterr().out
    d = json.loads(out)  # nothing but the JSON on standard output
    found = [x for x in d["diagnostics"] if x["code"] == "BAL063"] if "diagnostics" in d else \
        [x for f in d["files"] for x in f["diagnostics"] if x["code"] == "BAL063"]
    assert [(x["line"], "cannot be read" in x["message"]) for x in found] == [(bad + 1, True)], found
    sc, diags = check_file(p, "cy")
    assert sc is None and [(d.file, d.line, d.code) for d in diags] == [(str(po), bad + 1, "BAL007")]
    # balcony strings again over it: refused, naming the line, the file kept as it is
    before = po.read_bytes()
    r = balcony(p.parent, "strings", p, "--lang", "cy")
    assert r.returncode == 2 and f"line {bad + 1}" in r.stderr and "not a well-formed PO file" in r.stderr, r.stderr
    assert po.read_bytes() == before and "WARNING" not in r.stdout
