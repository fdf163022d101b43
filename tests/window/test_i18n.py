"""The interface's own strings through gettext (issue 14): the template is current, the shipped partial
Welsh catalog holds no stale string, and the terminal and the window show Welsh where it is translated."""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from game import i18n

REPO = Path(__file__).resolve().parents[2]


def _in_source() -> set:
    return {msg for _f, _l, msg, _c, _x in extract_from_dir(str(REPO / "game"), [("**.py", "python")],
                                                             keywords={"_": None})}


def _catalog(name):
    with open(REPO / "game" / "locale" / name, "rb") as f:
        return read_po(f)


def test_the_template_is_current_and_welsh_has_no_stale_string():
    source = _in_source()
    assert len(source) >= 20
    assert {m.id for m in _catalog("balcony.pot") if m.id} == source, \
        "game/locale/balcony.pot is stale: extract the _() strings of game/ again"
    cy = {m.id: m.string for m in _catalog("cy.po") if m.id}
    assert set(cy) <= source
    assert 0 < sum(1 for s in cy.values() if s) < len(source) + 1


def test_gettext_picks_the_language_and_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("BALCONY_LANG", "cy")
    i18n.set_language(None)
    try:
        assert i18n._("Your choices:") == "Eich dewisiadau:"
        assert i18n._("a string nobody translated") == "a string nobody translated"
        i18n.set_language("fr")                 # no catalog: English
        assert i18n._("Your choices:") == "Your choices:"
    finally:
        i18n.set_language(None)
        monkeypatch.delenv("BALCONY_LANG")
        i18n.set_language(None)
    assert i18n._("Your choices:") == "Your choices:"
    assert "cy" in i18n.available()


def test_the_terminal_speaks_welsh(tmp_path):
    from tests.engine.helpers import TUTORIAL, balcony, cli_env
    import subprocess, sys
    env = dict(cli_env(tmp_path), BALCONY_LANG="cy")
    r = subprocess.run([sys.executable, "-m", "game", "play", str(TUTORIAL), "--text", "--seed", "1",
                        "--no-autosave"], input="o\n", capture_output=True, text=True, env=env, timeout=60,
                       cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert "Yn yr ystafell:" in r.stdout and "Pwy? Teipiwch o" in r.stdout
    assert "In the room:" not in r.stdout
