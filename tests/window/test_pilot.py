"""The scripted pilot drives the real app with key and mouse events."""
from dataclasses import replace

import pygame
import pytest
from .helpers import make_app, needs_engine, to_play

from game.window.pilot import Pilot
from game.window.settings import Settings, SettingsStore


def play_to_end(p: Pilot, pick=lambda snap: next(i for i, c in enumerate(snap.choices) if c.available),
                max_turns: int = 80) -> list[str]:
    """Play with the keyboard only: number keys, Enter, and B/L/O now and then."""
    screens = []
    for turn in range(max_turns):
        name = p.screen_name
        screens.append(name)
        if name == "ending":
            return screens
        if name == "play":
            snap = p.screen.snap
            acts = {a.kind for a in snap.perception_actions if a.available}
            if turn % 3 == 0 and "balcony" in acts:
                p.press("b")
            if turn % 4 == 1 and "listen" in acts:
                p.press("l")
            p.press(str(pick(snap) + 1))
        elif name in ("event", "outcome"):
            p.press("return")
        else:
            raise AssertionError(f"unexpected screen {name}")
    raise AssertionError(f"no ending after {max_turns} steps: {screens[-10:]}")


@needs_engine
def test_pilot_plays_the_tutorial_to_an_ending(tmp_path):
    from game.window.backend import EngineBackend

    app = make_app(tmp_path, backend=EngineBackend())
    app.seed = 5
    p = to_play(app)
    assert p.screen.session.info.id == "tutorial"
    screens = play_to_end(p)
    assert "outcome" in screens and screens[-1] == "ending"
    ending = app.session.snap.ending
    assert ending is not None and ending.title
    # the ending screen shows the ending's title, and the way back works
    assert any(ending.title in t for t, *_ in _texts(app))
    p.focus("title")
    p.press("return")
    assert p.screen_name == "title"
    # an autosave exists and "Continue" is offered
    assert "continue" in p.focus_ids()


def _texts(app):
    from game.window.render import LayoutLog

    app.layout_log = LayoutLog()
    app.draw()
    return app.layout_log.texts


def test_mouse_plays_the_twin_to_an_ending(tmp_path):
    app = make_app(tmp_path)
    p = Pilot(app)
    p.click("new")
    p.click("scn:0")
    p.click("begin")
    assert p.screen_name == "play"
    p.click("perceive:balcony")
    assert app.session.snap.balcony is not None and app.top.tab == "balcony"
    p.click("perceive:one_to_one")
    assert p.screen_name == "one-to-one"
    p.click("meet:police")
    assert dict(app.session.snap.revealed).get("police") is not None
    for _ in range(20):
        if p.screen_name == "ending":
            break
        if p.screen_name == "play":
            first = next(c for c in app.session.snap.choices if c.available)
            p.click(f"choice:{first.index}")
        elif p.screen_name == "event":
            p.click("ok")
        elif p.screen_name == "outcome":
            p.click("continue")
    assert p.screen_name == "ending"


def test_arrows_and_enter_choose(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)
    assert p.focused() == "choice:0"
    p.press("down")
    assert p.focused() == "choice:1"
    p.press("return")
    assert app.session.snap.status == "outcome"
    assert app.session.run.state.decisions[-1][1] == 1


def test_unavailable_choice_is_shown_with_reason_and_cannot_be_chosen(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    p = to_play(app)
    locked = next(c for c in app.session.snap.choices if not c.available)
    btn = next(f for f in app.top.focusables() if f.id == f"choice:{locked.index}")
    assert not btn.enabled and locked.reason in btn.detail
    p.press(str(locked.index + 1))
    assert app.session.snap.status == "choosing"
    assert "Not available" in app.toast_text
    assert any(locked.reason in t for t, *_ in _texts(app))


def test_rewind_undoes_the_last_decision_only(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)
    p.press("1")
    assert app.session.snap.status == "outcome"
    p.ctrl("z")
    assert p.screen_name == "play" and app.session.snap.status == "choosing"
    assert app.session.snap.scene_id == "opening"
    p.ctrl("z")  # only one step
    assert "Already undone" in app.toast_text  # not "nothing to undo": something was just undone
    p.press("2"); p.press("return")
    p.press("escape")
    assert p.screen_name == "pause"
    p.focus("rewind")
    p.press("return")
    assert app.session.snap.scene_id == "opening" and app.session.snap.status == "choosing"


def test_save_and_load_a_slot_with_thumbnail(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)
    p.press("1"); p.press("return")
    scene = app.session.snap.scene_id
    p.press("escape"); p.focus("save"); p.press("return")
    assert p.screen_name == "saves"
    p.focus("slot:3"); p.press("return")
    info = app.saves.info("3")
    assert info.exists and info.scenario_title == "Harbour Street" and info.calendar_label == "2012 Q2"
    thumb = pygame.image.load(str(app.saves.thumb_path("3")))
    assert thumb.get_size() == (320, 180)
    p.press("escape"); p.press("escape")
    p.press("1"); p.press("return")
    assert app.session.snap.scene_id != scene
    p.press("escape"); p.focus("load"); p.press("return")
    assert "slot:auto" in p.focus_ids()
    p.focus("slot:3"); p.press("return")
    assert p.screen_name == "play" and app.session.snap.scene_id == scene


def test_continue_resumes_the_autosave(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)
    p.press("2"); p.press("return")
    scene = app.session.snap.scene_id
    p.press("escape"); p.focus("title"); p.press("return")
    assert p.screen_name == "title" and p.focused() == "continue"
    p.press("return")
    assert p.screen_name == "play" and app.session.snap.scene_id == scene


def test_settings_change_by_keyboard_and_persist(tmp_path):
    app = make_app(tmp_path)
    p = Pilot(app)
    p.focus("settings"); p.press("return")
    assert p.screen_name == "settings" and p.focused() == "opt:text_scale"
    body = app.theme.type.body
    p.press("right")
    assert app.theme.type.body > body
    p.press("down"); p.press("right")          # font -> OpenDyslexic
    p.press("down"); p.press("return")         # high contrast on
    p.focus("opt:reduced_motion"); p.press("return")
    saved = SettingsStore(tmp_path / "config").load()
    assert saved.text_scale == 2 and saved.font == "dyslexic" and saved.high_contrast
    assert saved.reduced_motion is False       # helpers start with it on
    assert app.theme.pal.name == "high_contrast" and "OpenDyslexic" in str(app.theme.font_path())


def test_text_size_shortcut_everywhere(tmp_path):
    app = make_app(tmp_path)
    p = Pilot(app)
    before = app.settings.text_scale
    p.press("=", mod=pygame.KMOD_LCTRL)
    assert app.settings.text_scale == before + 1
    p.press("-", mod=pygame.KMOD_LCTRL)
    assert app.settings.text_scale == before


def test_tts_missing_engine_is_explained(tmp_path):
    app = make_app(tmp_path)
    assert not app.speaker.available
    p = Pilot(app)
    p.focus("settings"); p.press("return")
    p.focus("opt:tts"); p.press("return")
    assert app.settings.tts is True
    assert "espeak-ng" in app.toast_text
    assert "espeak-ng" in app.speaker.missing_message and "apt install" in app.speaker.missing_message


def test_tts_reads_scene_and_focus_when_on(tmp_path):
    from game.window.tts import Speaker

    app = make_app(tmp_path, settings=replace(Settings(), reduced_motion=True, tts=True))
    spoken = []
    app.speaker = Speaker(command="")
    app.speaker.say = lambda text: spoken.append(text) or True
    to_play(app)
    assert any("Priya Raman closes the door" in s and "Choice 1" in s for s in spoken)
    Pilot(app).press("down")
    assert spoken[-1].startswith("Ask the partners")


def test_typewriter_text_and_skip(tmp_path):
    app = make_app(tmp_path, settings=replace(Settings(), reduced_motion=True, text_speed=3))
    p = Pilot(app)
    p.focus("new"); p.press("return"); p.press("return"); p.focus("begin")
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0))
    app.step()
    play = app.top
    assert play.name == "play" and play.animating() and play.reveal < len(play.snap.text)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_1, mod=0))
    app.step()
    assert not play.animating() and app.session.snap.status == "choosing"  # first key completes the text


def test_resizing_relayouts_and_clamps(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)
    p.resize((800, 500))
    assert app.surface.get_size() == (1024, 600)
    p.resize((2560, 1440))
    assert app.surface.get_size() == (2560, 1440) and app.theme.ui == pytest.approx(1.25)  # logical units: more room
    p.press("escape")
    assert p.screen_name == "pause"


def test_fullscreen_toggle(tmp_path):
    app = make_app(tmp_path)
    p = Pilot(app)
    p.press("f11")
    assert app.is_fullscreen and app.settings.fullscreen
    p.press("f11")
    assert not app.is_fullscreen


def test_transitions_fade_unless_reduced_motion(tmp_path):
    now = [0.0]
    app = make_app(tmp_path / "a", settings=replace(Settings(), reduced_motion=False), clock=lambda: now[0])
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0))
    app.step()
    assert app.top.name == "select" and app.animating()  # a fade is under way
    now[0] += 0.1
    app.step()
    assert app.animating()
    now[0] += 0.2
    app.step()
    assert not app.animating()

    calm = make_app(tmp_path / "b", settings=replace(Settings(), reduced_motion=True), clock=lambda: now[0])
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0))
    calm.step()
    assert calm.top.name == "select" and not calm.animating()


def test_every_control_is_reachable_by_keyboard_with_a_visible_focus(tmp_path):
    from .layout_check import check_layout

    app = make_app(tmp_path, record_layout=True)
    p = to_play(app)
    ids = p.focus_ids()
    assert {"choice:0", "perceive:balcony", "perceive:listen", "perceive:one_to_one", "tab:floor", "menu"} <= set(ids)
    for wid in ids:
        p.focus(wid)
        check_layout(app, f"focus-{wid}")  # includes: a ring in the focus colour around it


def test_classroom_mode_turns_rewind_off(tmp_path):
    app = make_app(tmp_path, allow_rewind=False)
    p = to_play(app)
    p.press("1")
    p.ctrl("z")
    assert app.session.snap.status == "outcome" and "turned off" in app.toast_text


def test_an_engine_error_becomes_a_message_not_a_crash(tmp_path):
    app = make_app(tmp_path)
    p = to_play(app)

    def boom(*a):
        raise RuntimeError("the engine says no")

    app.session.run.choose = boom
    p.press("1")
    assert p.screen_name == "message" and app.session.snap.status == "choosing"
    p.press("return")
    assert p.screen_name == "play"
