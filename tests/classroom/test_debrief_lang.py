"""A class player's own debrief in their interface language (issue 14): the window asks `GET /debrief` with
`lang=cy`, and the server words the debrief's sentences and where the seat sat in Welsh; without `lang`, or
with a language there is no catalog for, it is English, as exports and the browser page are. Each language
is kept apart in the server's cache."""
from __future__ import annotations

import threading
import types

from engine.cohort.place import LATER
from engine.debrief.model import CAVEAT
from engine.debrief.pattern import READING
from game import i18n


def test_a_seat_gets_its_debrief_and_place_in_the_language_it_asks_for(inproc, no_rate_limit):
    from .conftest import control, hello_facilitator
    from .test_cohort import _room_with_tokens
    room, tokens = _room_with_tokens(inproc, n=3, finish=3)

    def ask(**params):
        return inproc.client.get("/debrief", params={"session": room.id, **params},
                                 headers={"Authorization": f"Bearer {tokens[0]}"}).json()
    cy = i18n.translator("cy")
    welsh = ask(lang="cy")                          # asked in Welsh first: the English must not come from it
    english = ask()
    assert english["debrief"]["research"]["caveat"] == CAVEAT and english["debrief"]["pattern"]["reading"] == READING
    assert english["placement_later"] == LATER
    d = welsh["debrief"]
    assert d["research"]["caveat"] == cy(CAVEAT) != CAVEAT and d["pattern"]["reading"] == cy(READING)
    assert welsh["placement_later"] == cy(LATER) != LATER
    assert "widest gap" not in d["gap"]["summary"] and d["gap"]["summary"] != english["debrief"]["gap"]["summary"]
    assert [u["count"] for u in d["pattern"]["dimensions"]] == [u["count"] for u in english["debrief"]["pattern"]["dimensions"]]
    for odd in ("xx", "../cy", "cy_GB.UTF-8", ""):  # no catalog by that exact name: English
        assert ask(lang=odd)["debrief"]["research"]["caveat"] == CAVEAT, odd
    with inproc.connect() as fac:
        hello_facilitator(fac, room)
        assert control(fac, room, "end")["type"] == "done"
    placed_cy, placed_en = ask(lang="cy")["placement"], ask()["placement"]
    assert placed_cy["seats"] == placed_en["seats"] == 3 and placed_cy["higher"] == placed_en["higher"]
    en_lines, cy_lines = " ".join(placed_en["lines"]), " ".join(placed_cy["lines"])
    assert "seats that finished" in en_lines and "seats that finished" not in cy_lines and "sedd" in cy_lines
    assert ask()["debrief"] == english["debrief"]    # the English is still the English


def test_the_window_asks_for_its_own_language(monkeypatch):
    """The class ending's "Your debrief" asks the server in the interface language (none when it is English)."""
    import classroom.cohort
    from game.window.screens.classroom import ClassEndingScreen
    asked = []
    done = threading.Event()

    def fetch(conn, fmt, timeout=120, lang=None):
        asked.append(lang)
        done.set()
        return '{"ended": false}'
    monkeypatch.setattr(classroom.cohort, "fetch", fetch)
    for lang in ("cy", None):
        i18n.set_language(lang)
        try:
            done.clear()
            me = types.SimpleNamespace(_fetching=None, session=types.SimpleNamespace(conn=object()),
                                       context=types.SimpleNamespace(toast=lambda *a, **k: None))
            ClassEndingScreen._debrief(me)
            assert done.wait(10)
        finally:
            i18n.set_language(None)
    assert asked == ["cy", None]
