"""Hot reload in the terminal (`balcony play FILE --text --watch`): an edit shows at once, the run is kept,
and a broken edit shows its diagnostics without stopping the game."""
from __future__ import annotations

import io
import os

from engine import load_scenario
from game.textui import TextUI

from .helpers import Script, doc, write


def edit(path, old, new, bump):
    def go():
        path.write_text(path.read_text().replace(old, new))
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump))  # a new mtime even on coarse clocks
    return go


def test_an_edit_reloads_and_keeps_the_run(tmp_path):
    path = write(tmp_path, doc())
    out, err = io.StringIO(), io.StringIO()
    script = Script(["1", "", ""], {2: edit(path, "Alice waits.", "Alice is impatient.", 10**9)})
    ui = TextUI(load_scenario(path), 3, inp=script, out=out, err=err, autosave=False, watch_path=str(path))
    ui.play()
    text = out.getvalue()
    assert "Alice waits." in text and "Alice is impatient." in text
    assert text.index("Alice waits.") < text.index("Alice is impatient.")
    assert "(reloaded" in err.getvalue() and "replayed 1 of 1 actions" in err.getvalue()
    assert ui.run.state.scene == "middle" and ui.run.actions == [{"choose": 0}]


def test_a_broken_edit_shows_diagnostics_and_play_goes_on(tmp_path):
    path = write(tmp_path, doc())
    out, err = io.StringIO(), io.StringIO()
    script = Script(["1", "", "1"], {2: edit(path, "goto: end", "goto: nowhere", 10**9)})
    ui = TextUI(load_scenario(path), 3, inp=script, out=out, err=err, autosave=False, watch_path=str(path))
    assert ui.play() == 0
    assert "BAL030" in err.getvalue() and "still playing the previous version" in err.getvalue()
    assert ui.run.state.status == "ended"


def test_watch_keeps_the_language_and_reloads_when_the_translation_changes(tmp_path):
    """`balcony play FILE --text --watch --lang cy`: a reload stays in Welsh (it fell back to the source
    language), and editing the translation file reloads as editing the scenario does (it was not watched)."""
    from engine.l10n import scenario_strings
    from engine.l10n.po import template
    path = write(tmp_path, doc())
    po = tmp_path / "mini.cy.po"
    text = template(scenario_strings(path), project="t", lang="cy").decode("utf-8")
    for src, tr in (("It begins.", "Mae'n dechrau."), ("Alice waits.", "Mae Alice yn aros."), ("Listen.", "Gwrando.")):
        text = text.replace(f'msgid "{src}"\nmsgstr ""', f'msgid "{src}"\nmsgstr "{tr}"')
    po.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    script = Script(["1", "", "", ""], {2: edit(path, "Press on.", "Press on now.", 10**9),
                                        3: edit(po, "Gwrando.", "Gwrandewch.", 10**9)})
    ui = TextUI(load_scenario(path, "cy"), 3, inp=script, out=out, err=err, autosave=False, watch_path=str(path),
                lang="cy")
    ui.play()
    shown = out.getvalue()
    assert "Mae'n dechrau." in shown and "It begins." not in shown
    assert "Alice waits." not in shown and "Press on now." in shown     # the source's edit, in Welsh around it
    assert "Gwrandewch." in shown                                       # the translation's edit
    assert err.getvalue().count("(reloaded") == 2, err.getvalue()
