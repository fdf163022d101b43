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
