"""Issue 10: one test per defect found playing the window at every setting.

Each failed on the code before the fix (see the issue for what a trainee saw).
"""
from __future__ import annotations

from dataclasses import replace

import pygame
import pytest

from game.window.input import Intent
from game.window.pilot import Pilot
from game.window.render import LayoutLog
from game.window.settings import Settings

from .helpers import ROOT, make_app, needs_engine, to_play

BIG = dict(reduced_motion=True, text_scale=5, font="dyslexic", high_contrast=True)


def big_app(tmp_path, size=(1024, 600), engine=False, **kw):
    backend = None
    if engine:
        from game.window.backend import EngineBackend

        backend = EngineBackend()
    app = make_app(tmp_path, size=size, backend=backend, settings=replace(Settings(), **{**BIG, **kw}),
                   record_layout=True)
    app.seed = 7
    return app


def texts(app) -> list[str]:
    app.toast_text = ""
    app.draw()
    return [t for t, *_ in app.layout_log.texts]


def visible_texts(app) -> list[str]:
    """Texts drawn wholly inside the window and inside the scroll area they are in."""
    app.toast_text = ""
    app.draw()
    win = app.surface.get_rect()
    out = []
    for text, rect, _pname, _prect, view in app.layout_log.texts:
        if win.contains(rect) and (view is None or view.rect.contains(rect)):
            out.append(text)
    return out


def tab_to(app, wid: str, limit: int = 80) -> pygame.Rect:
    """Tab until ``wid`` has the focus; return where it is then drawn."""
    p = Pilot(app)
    for _ in range(limit):
        if app.top.focus_id == wid:
            app.draw()
            return next(f.rect for f in app.top.focusables() if f.id == wid)
        p.press("tab")
    raise AssertionError(f"{wid} not reachable; have {[f.id for f in app.top.focusables()]}")


def open_select(app):
    from game.window.screens import SelectScreen

    app.context.push(SelectScreen(app.context), transition=False)
    Pilot(app).settle()


def open_briefing(app, scenario_id="integrated-care"):
    open_select(app)
    p = Pilot(app)
    i = next(i for i, s in enumerate(app.top.scenarios) if s.id == scenario_id)
    p.focus(f"scn:{i}")
    p.press("return")
    assert p.screen_name == "briefing"
    return p


# ---- large text never hides content ----------------------------------------------------------------

@pytest.mark.parametrize("size", [(1024, 600), (1920, 1080)])
def test_every_setting_is_reachable_and_shown_at_the_largest_text(tmp_path, size):
    from game.window.screens import SettingsScreen

    app = big_app(tmp_path, size)
    app.context.push(SettingsScreen(app.context), transition=False)
    Pilot(app).settle()
    win = app.surface.get_rect()
    for wid in ("opt:reduced_motion", "opt:text_speed", "opt:tts", "opt:fullscreen"):
        rect = tab_to(app, wid)
        assert win.contains(rect), (wid, rect)
        assert app.top.list_area.rect.contains(rect), (wid, rect)
    # the wheel scrolls the list too
    app.top.list_area.offset = 0
    assert app.top.handle(Intent("scroll", n=3, pos=app.top.list_area.rect.center))
    assert app.top.list_area.offset > 0


@needs_engine
def test_every_scenario_can_be_chosen_at_the_largest_text(tmp_path):
    app = big_app(tmp_path, engine=True)
    open_select(app)
    p = Pilot(app)
    p.focus("scn:1")
    p.press("down")
    assert app.top.focus_id == "scn:2"  # not Back
    rect = tab_to(app, "scn:3")
    assert app.top.list_area.rect.contains(rect)


def test_quit_to_title_is_on_screen_in_the_pause_menu(tmp_path):
    app = big_app(tmp_path)
    p = to_play(app)
    p.press("escape")
    assert p.screen_name == "pause"
    rect = tab_to(app, "title")
    assert app.surface.get_rect().contains(rect) and app.top.list_area.rect.contains(rect)


@needs_engine
def test_the_picker_reaches_everyone(tmp_path):
    app = big_app(tmp_path, engine=True)
    p = open_briefing(app)
    p.focus("begin")
    p.press("return")
    p.press("o")
    assert p.screen_name == "one-to-one"
    people = app.top.play.snap.dance_floor
    assert len(people) >= 6
    for person in people:
        rect = tab_to(app, f"meet:{person.id}")
        assert app.top.area.rect.contains(rect)


@needs_engine
def test_the_briefing_shows_what_is_at_stake_and_every_person_uncut(tmp_path):
    app = big_app(tmp_path, engine=True)
    open_briefing(app)
    area = app.top.card_area
    seen = visible_texts(app)
    while area.scroll(area.step):  # read it all, scrolling as a player would
        seen += visible_texts(app)
    body = " ".join(seen)
    assert "WHAT IS AT STAKE" in seen
    words = app.top.info.summary.split()
    assert " ".join(words[:4]) in body and words[-1] in body
    if area.max_offset:
        assert "briefing-text" in [a.id for a, _ in app.layout_log.scrollbars]  # below the fold, and it says so
    assert not any("more, met in play" in t for t in texts(app))  # the list scrolls: nobody is "met in play"
    assert not [c for f, c in app.layout_log.ellipsized if "Westway" in f]  # role and place wrap, never cut


@needs_engine
def test_the_play_screen_shows_scene_text_at_the_largest_text_and_pgdn_scrolls_it(tmp_path):
    app = big_app(tmp_path, engine=True)
    p = open_briefing(app)
    p.focus("begin")
    p.press("return")
    play = app.top
    from game.window.render import curly

    first_words = curly(" ".join(play.snap.text.split()[:2]))
    assert any(first_words in t for t in visible_texts(app))
    lines = [t for t, r, pn, pr, v in app.layout_log.texts if v is play.text_area and v.rect.contains(r)]
    assert len(lines) >= 3  # at least three lines of the scene can be read at once
    before = play.text_area.offset
    p.press("pagedown")
    assert play.text_area.offset > before


@pytest.mark.parametrize("font,scale", [("dyslexic", 3), ("atkinson", 4), ("dyslexic", 5)])
def test_buttons_never_break_a_word(tmp_path, font, scale):
    from game.window.screens import SettingsScreen

    app = big_app(tmp_path, size=(1024, 600), font=font, text_scale=scale)
    for screen in (lambda c: SettingsScreen(c),):
        app.context.push(screen(app.context), transition=False)
        app.draw()
        assert not app.layout_log.broken_words, app.layout_log.broken_words
        app.context.pop()
    p = to_play(app)
    p.press("1")
    app.draw()
    assert not app.layout_log.broken_words, app.layout_log.broken_words


@needs_engine
def test_meter_labels_are_never_cut(tmp_path):
    app = big_app(tmp_path, engine=True)
    p = open_briefing(app)
    p.focus("begin")
    p.press("return")
    app.draw()
    labels = {m.label for m in app.top.snap.visible_meters}
    assert labels and not [f for f, _ in app.layout_log.ellipsized if f in labels]
    assert labels <= set(visible_texts(app))


# ---- small screens ----------------------------------------------------------------------------------

def test_a_1024x600_window_is_allowed(tmp_path):
    app = make_app(tmp_path, size=(1024, 600))
    assert app.surface.get_size() == (1024, 600)


# ---- feedback a player can see ------------------------------------------------------------------------

def test_what_listening_heard_is_scrolled_into_view(tmp_path):
    app = make_app(tmp_path, size=(1024, 600), settings=replace(Settings(), reduced_motion=True, text_scale=3),
                   record_layout=True)
    p = to_play(app)
    play = app.top
    p.press("l")
    heard = play.snap.insights[-1]
    shown = visible_texts(app)
    assert any(w in " ".join(shown) for w in heard.split()[1:4])
    assert "WHAT YOU HEARD THIS QUARTER" in shown


def test_scene_text_cut_above_the_choices_shows_a_scrollbar(tmp_path):
    from game.window.twin import TwinBackend

    app = make_app(tmp_path, backend=TwinBackend(long_scene_words=400), record_layout=True)
    to_play(app)
    app.draw()
    bars = [a.id for a, _ in app.layout_log.scrollbars]
    assert "scene-text" in bars


def test_the_toast_is_never_truncated(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    app.toast("Saved in Slot 1.")
    app.draw()
    assert not app.layout_log.ellipsized
    assert "Saved in Slot 1." in [t for t, *_ in app.layout_log.texts]
    long = "espeak-ng was not found: install it to hear text read aloud. " * 3
    app.toast(long)
    app.draw()
    assert not app.layout_log.ellipsized  # a long toast wraps
    drawn = " ".join(t for t, *_ in app.layout_log.texts)
    assert drawn.count("espeak-ng") == 3


def test_meter_changes_are_shown_as_they_happen(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    p = to_play(app)
    play = app.top
    budget = next(m for m in play.snap.visible_meters if m.id == "budget")
    play.session.run.state.budget -= 50  # the twin's budget moves between scenes
    p.press("1")
    p.focus("continue")
    p.press("return")
    assert p.screen_name == "play"
    now = next(m for m in play.snap.visible_meters if m.id == "budget")
    assert now.value != budget.value
    shown = texts(app)
    assert "−50" in shown or "-50" in shown


@needs_engine
def test_the_outcome_shows_a_decision_s_effects_as_a_table(tmp_path):
    app = big_app(tmp_path, size=(1920, 1080), engine=True, text_scale=1, font="atkinson", high_contrast=False)
    p = open_briefing(app)
    p.focus("begin")
    p.press("return")
    p.press("1")
    assert p.screen_name == "outcome"
    result = next(n for n in app.session.snap.notices if n.kind == "result")
    assert result.rows, "the engine gives the decision's effect as rows"
    shown = texts(app)
    for r in result.rows:
        assert r.label in shown  # a cell of its own, not one long sentence
        assert f"+{r.delta}" in shown or f"−{-r.delta}" in shown
    assert not any(";" in t and ":" in t for t in shown)  # no summary joined by semicolons


@needs_engine
@pytest.mark.parametrize("scenario", ["troubled-families", "integrated-care", "total-place"])
def test_the_ending_lists_every_decision_and_explains_the_triangle(tmp_path, scenario):
    from game.window.screens import EndingScreen
    from game.window.screens.ending import TRIANGLE_NOTE

    app = make_app(tmp_path, size=(1920, 1080), record_layout=True)
    from game.window.backend import EngineBackend

    app.context._backend = EngineBackend()
    info = app.backend.info(str(ROOT / "scenarios" / f"{scenario}.yaml"))
    s = app.context.start_session(info, 3)
    while s.snap.status != "ended":
        if s.snap.status == "outcome":
            s.advance()
        else:
            s.choose(next(c.index for c in s.snap.choices if c.available))
    app.context.go_home(EndingScreen(app.context))
    Pilot(app).settle()
    area = app.top.area
    drawn = visible_texts(app)
    while area.scroll(area.step):  # the whole ending can be read, scrolling
        drawn += visible_texts(app)
    decisions = app.top.decisions()
    assert len(decisions) > 10
    assert "THE DECISIONS THAT LED HERE" in drawn
    body = " ".join(drawn)
    from game.window.render import curly

    for d in decisions:
        assert curly(d["text"].split()[0]) in body
    assert TRIANGLE_NOTE.split()[0] in body and "Moore" in body
    bars = sum(1 for label in ("Public value", "Legitimacy", "Operating capacity") if label in drawn)
    assert bars == 3


def test_focus_goes_to_the_first_available_choice_and_enter_on_a_locked_one_says_why(tmp_path, monkeypatch):
    from game.window import twin

    board = dict(twin.SCENES["board"])
    board["choices"] = [("Sign it yourself.", False, "Only the partners can sign.", "families")] + list(board["choices"])
    monkeypatch.setitem(twin.SCENES, "board", board)
    app = make_app(tmp_path)
    p = to_play(app)
    p.press("1")  # on the opening's first choice, then Continue
    p.focus("continue")
    p.press("return")
    assert p.screen_name == "play" and app.session.snap.scene_id == "board"
    assert app.top.focus_id == "choice:1"  # the first one that can be taken, not the locked one
    app.top.focus_id = "choice:0"
    p.press("return")
    assert "Only the partners can sign" in app.toast_text


def test_modals_do_not_pile_up_and_events_are_not_repeated_as_cards(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    p = to_play(app)
    p.press("1")
    p.focus("continue"); p.press("return")
    p.press("1")  # the twin's second decision brings an event and a delayed consequence
    assert p.screen_name == "event"
    names = [n for n, *_ in (app.draw() or app.layout_log.panels)]
    assert "event" in names and "outcome" not in names  # the outcome is not drawn, ghosted, under it
    p.press("return")
    assert p.screen_name == "outcome"
    cards = [c.kind for c in app.top.cards()]
    assert "event" not in cards and "delayed" in cards


def test_the_outcome_is_sized_to_its_content(tmp_path):
    app = make_app(tmp_path, size=(1280, 720), record_layout=True)
    p = to_play(app)
    p.press("1")
    app.draw()
    card = next(r for n, r, *_ in app.layout_log.panels if n == "outcome")
    assert card.height < 720 * 0.8


def test_each_delayed_consequence_has_a_heading_of_its_own():
    from engine.views import Notice
    from game.window.screens.play import notice_card

    a = notice_card(Notice("delayed", "A delayed consequence", "Partners stop coming.",
                           cause="Because of your decision in 2010 Q1: “Set the targets yourself.”"))
    b = notice_card(Notice("delayed", "A delayed consequence", "The agreement holds.",
                           cause="Because of your decision in 2010 Q3: “Insist on a data-sharing agreement.”"))
    assert a.heading != b.heading and "Set the targets yourself" in a.heading
    assert "A delayed consequence" not in a.speech()
    assert "Because of Because" not in a.speech() and "Caused by" not in a.speech()


def test_speech_says_clean_sentences(tmp_path):
    from engine.views import Notice
    from game.window.screens.play import notice_card

    app = make_app(tmp_path)
    to_play(app)
    spoken = app.top.speech()
    assert ". ." not in spoken and ".." not in spoken
    card = notice_card(Notice("result", "", "The room takes it in…"), "Pool the budgets.")
    said = card.speech()
    assert "…" not in said and ". ." not in said and ".." not in said and said.startswith("Your decision. ")


def test_one_quote_style():
    from game.window.render import curly

    assert curly('"We have eighteen months," she says. It\'s \'nearly signed\'.') == \
        "“We have eighteen months,” she says. It’s ‘nearly signed’."


def test_after_a_rewind_the_menu_does_not_say_nothing_to_undo_yet(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    p = to_play(app)
    p.press("escape")
    assert "Nothing to undo yet" in " ".join(texts(app))  # true before any decision
    p.press("escape")
    p.press("1")
    p.ctrl("z")
    p.press("escape")
    shown = " ".join(texts(app))
    assert "Nothing to undo yet" not in shown and "Already undone" in shown


def test_settings_values_are_steppers_and_toggles_and_a_stepper_steps_back_by_click(tmp_path):
    from game.window.screens import SettingsScreen

    app = make_app(tmp_path)
    app.context.push(SettingsScreen(app.context), transition=False)
    app.draw()
    kinds = {f.id: getattr(f, "kind", "") for f in app.top.focusables()}
    assert kinds["opt:text_scale"] == "stepper" and kinds["opt:high_contrast"] == "toggle"
    before = app.settings.text_scale
    b = next(f for f in app.top.focusables() if f.id == "opt:text_scale")
    app.top.handle(Intent("click", pos=(b.rect.left + 6, b.rect.centery)))
    assert app.settings.text_scale == before - 1


def test_the_locked_balcony_tab_says_why_on_hover(tmp_path):
    app = make_app(tmp_path, record_layout=True)
    to_play(app)
    tab = next(f for f in app.top.focusables() if f.id == "tab:balcony")
    assert not tab.enabled
    app.top.handle(Intent("hover", pos=tab.rect.center))
    shown = " ".join(texts(app))
    assert "Go to the balcony" in shown


@needs_engine
def test_scrolling_the_stakeholder_list_leaves_no_blank_gap(tmp_path):
    app = big_app(tmp_path, size=(1280, 720), engine=True, text_scale=3, font="atkinson", high_contrast=False)
    p = open_briefing(app)
    p.focus("begin")
    p.press("return")
    play = app.top
    play.set_tab("floor")
    app.draw()
    area = play.people_area
    assert area.max_offset > 0
    area.scroll(area.step + 7)
    app.draw()
    top_band = pygame.Rect(area.rect.left, area.rect.top, area.rect.width, area.rect.height // 4)
    drawn = [r for t, r, pn, pr, v in app.layout_log.texts if v is area and r.colliderect(top_band)]
    assert drawn, "the top of the scrolled list is blank"


@needs_engine
def test_no_event_marked_once_fires_twice_in_the_shipped_scenarios():
    """The issue saw "The Vale Gazette" twice: that event is `once: false` on purpose
    (scenarios/common/tutorial-events.yaml); events that are once-only never repeat."""
    import collections
    import random

    import engine

    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = engine.load_scenario(str(path))
        once = {e.id for e in sc.events if e.once}
        for seed in range(8):
            run = engine.Run(sc, seed=seed)
            rng = random.Random(seed)
            while run.snapshot().status != "ended":
                s = run.snapshot()
                if s.status == "outcome":
                    run.advance()
                else:
                    run.choose(rng.choice([c.index for c in s.choices if c.available]))
            fired = collections.Counter(e["id"] for e in run.history.events)
            assert not [k for k, v in fired.items() if v > 1 and k in once], (path.name, seed)
