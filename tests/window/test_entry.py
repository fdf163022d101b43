"""The entry point and author hot reload."""
import shutil

import pygame

from .helpers import TUTORIAL, make_app, needs_engine


def test_run_window_opens_the_title_and_quits_cleanly(monkeypatch):
    from game.window import app as app_mod
    from game.window import run_window
    from game.window.twin import TwinBackend

    real_init = app_mod.App.__init__

    def init(self, backend=None, **kw):
        real_init(self, TwinBackend(), **kw)
        pygame.time.set_timer(pygame.QUIT, 300, loops=1)

    monkeypatch.setattr(app_mod.App, "__init__", init)
    assert run_window() == 0


@needs_engine
def test_watch_reloads_the_scenario_when_its_file_changes(tmp_path):
    from game.window.backend import EngineBackend

    scen_dir = tmp_path / "scen"
    shutil.copytree(TUTORIAL.parent, scen_dir, ignore=shutil.ignore_patterns("*.pyc"))
    path = scen_dir / TUTORIAL.name
    now = [0.0]
    app = make_app(tmp_path, backend=EngineBackend(), watch=True, clock=lambda: now[0])
    backend = app.backend
    info = backend.info(str(path))
    app.seed = 1
    from game.window.screens import PlayScreen

    app.start_session(info, 1)
    app.reset_to(app.stack[0], PlayScreen(app))
    app.step()
    now[0] += 2
    app.step()  # first look: remembers the file's time
    text = path.read_text(encoding="utf-8").replace("Hartley Vale, January 2012.", "Hartley Vale, March 2012.")
    path.write_text(text, encoding="utf-8")
    import os

    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 5))
    now[0] += 2
    app.step()
    assert "March 2012" in app.session.snap.text
    assert "reloaded" in app.toast_text


def test_screenshots_of_a_players_own_session(tmp_path):
    from game.window.autoplay import ScreenRecorder
    from game.window.pilot import Pilot

    app = make_app(tmp_path)
    rec = ScreenRecorder(app, str(tmp_path / "shots"))
    app.on_frame.append(rec.on_frame)
    p = Pilot(app)
    p.press("down"); p.press("up")       # same screen: one picture
    p.focus("new"); p.press("return")
    names = sorted(x.name for x in (tmp_path / "shots").glob("*.png"))
    assert [n.split("-", 1)[1] for n in names] == ["title.png", "select.png"]


@needs_engine
def test_watch_in_another_language_reloads_when_the_translation_changes(tmp_path):
    """The window's --watch in Welsh: saving the scenario's NAME.cy.po reloads, as saving the scenario does
    (the terminal's did; the window watched only the scenario's own files)."""
    import io
    import os

    from babel.messages.pofile import read_po, write_po

    from engine.l10n import scenario_strings
    from engine.l10n.po import template
    from game import i18n
    from game.window.backend import EngineBackend
    from game.window.screens import PlayScreen

    scen_dir = tmp_path / "scen"
    shutil.copytree(TUTORIAL.parent, scen_dir, ignore=shutil.ignore_patterns("*.pyc"))
    path = scen_dir / TUTORIAL.name
    po = scen_dir / f"{path.stem}.cy.po"

    def translate(words):
        cat = read_po(io.BytesIO(template(scenario_strings(path), project="t", lang="cy")))
        for m in cat:
            if m.id and "Hartley Vale, January 2012." in m.id:
                m.string = m.id.replace("Hartley Vale, January 2012.", words)
        out = io.BytesIO()
        write_po(out, cat)
        po.write_bytes(out.getvalue())

    translate("Dyffryn Hartley, Ionawr 2012.")
    i18n.set_language("cy")
    try:
        now = [0.0]
        app = make_app(tmp_path, backend=EngineBackend(), watch=True, clock=lambda: now[0])
        app.seed = 1
        app.start_session(app.backend.info(str(path)), 1)
        app.reset_to(app.stack[0], PlayScreen(app))
        app.step()
        assert "Dyffryn Hartley, Ionawr 2012." in app.session.snap.text
        now[0] += 2
        app.step()  # first look: remembers the files' times
        translate("Dyffryn Hartley, Mawrth 2012.")
        st = po.stat()
        os.utime(po, (st.st_atime, st.st_mtime + 5))
        now[0] += 2
        app.step()
        assert "Mawrth 2012" in app.session.snap.text
        assert app.toast_text == i18n._("Scenario reloaded.") == "Ail-lwythwyd y senario."
    finally:
        i18n.set_language(None)
