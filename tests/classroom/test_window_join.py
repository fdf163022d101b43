"""The game window joins a real `balcony host` under the dummy video driver ("Join a class" on the title
screen), plays a lock-step class to an ending on the usual screens, shows the reveals and the
leaderboard, and rejoins its seat after leaving."""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from game.window.app import App  # noqa: E402
from game.window.backend import EngineBackend  # noqa: E402
from game.window.pilot import Pilot  # noqa: E402
from game.window.saves import SaveStore  # noqa: E402
from game.window.settings import Settings, SettingsStore  # noqa: E402
from game.window.tts import Speaker  # noqa: E402


class Facilitator(threading.Thread):
    """Paces the lock-step room: when every seat still playing has chosen, close, reveal, next round."""

    def __init__(self, h):
        super().__init__(daemon=True)
        self.h, self.stop, self.reveals = h, threading.Event(), 0
        self.ws = connect(h.ws, open_timeout=5).__enter__()
        self.sid, secret = h.session()
        self.ws.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": self.sid, "secret": secret}))
        self.dash = json.loads(self.ws.recv(timeout=10))["dashboard"]
        self.ids = iter(range(1, 10**6))

    def control(self, action, **kw):
        self.ws.send(json.dumps({"v": 1, "type": "control", "id": next(self.ids), "session": self.sid,
                                 "action": action, **kw}))

    def run(self):
        while not self.stop.is_set():
            try:
                msg = json.loads(self.ws.recv(timeout=0.1))
            except TimeoutError:
                msg = None
            except Exception:  # noqa: BLE001 - the server stopped at the end of the test
                return
            if msg and msg["type"] == "dashboard":
                self.dash = msg["dashboard"]
            elif msg and msg["type"] == "done":
                self.dash["control"] = msg["control"]
                continue
            c = self.dash["control"]
            playing = [s for s in self.dash["seats"] if s["status"] != "ended"]
            if c["open"] and playing and all(s["decisions"] >= c["round"] for s in playing):
                self.control("close_round")
                self.control("reveal")
                self.reveals += 1
                time.sleep(0.05)
                self.control("next_round")
                self.dash["control"] = {**c, "open": False}


def make_app(tmp: Path) -> App:
    store = SettingsStore(tmp / "config")
    store.save(replace(Settings(), reduced_motion=True))
    backend = EngineBackend()
    app = App(backend, settings_store=store, save_store=SaveStore(backend, tmp / "saves"), size=(1280, 720),
              speaker=Speaker(command=""))
    from game.window.screens import TitleScreen
    app.push(TitleScreen(app), transition=False)
    app.step()
    return app


def type_text(p: Pilot, text: str):
    for ch in text:
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    p.settle()


def fill_join(p: Pilot, address: str, code: str, name: str = "") -> None:
    """From the title screen, Join a class: the address and the code entered, then `name` typed (none: this
    device's token holds the seat). The caller presses Enter on the last field."""
    p.focus("join")
    p.press("return")
    assert p.screen_name == "join"
    type_text(p, address)
    p.press("return")
    type_text(p, code)
    p.press("return")
    if name:
        type_text(p, name)


def settle_until_screen(p: Pilot, name: str, tries: int = 200) -> None:
    """Let the window run until `name` is the screen on top (or `tries` short waits have passed)."""
    for _ in range(tries):
        p.settle()
        if p.screen_name == name:
            return
        time.sleep(0.02)


def test_the_window_joins_a_class_plays_to_an_ending_and_shows_the_reveal_and_leaderboard(host, tmp_path, monkeypatch):
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / "cfg"))
    shots = Path(os.environ.get("BALCONY_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    h = host("--scenario", "tutorial", "--mode", "lockstep", "--seed", "3")
    fac = Facilitator(h)
    fac.control("start")
    fac.start()
    app = make_app(tmp_path)
    p = Pilot(app)
    try:
        fill_join(p, h.address, h.code.lower(), "Wanda W")  # a space in a name is typed, not a press
        pygame.image.save(app.surface, str(shots / "window-join.png"))
        p.press("return")
        assert p.screen_name == "play", (p.screen_name, getattr(app.top, "error", ""))
        session = app.context.session
        assert session.conn.name == "Wanda W" and app.context.allow_rewind is False
        seen, steps, shot_play, rejoined = set(), 0, False, False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            p.settle()
            name = p.screen_name
            seen.add(name)
            if name == "ending":
                break
            if name == "message":
                if "round" in app.top.heading and not (shots / "window-reveal.png").exists():
                    pygame.image.save(app.surface, str(shots / "window-reveal.png"))
                p.press("return")
            elif name == "play":
                if session.blocked():
                    time.sleep(0.02)
                    continue
                snap = session.snap
                if not shot_play and snap.decisions == 1:
                    pygame.image.save(app.surface, str(shots / "window-play.png"))
                    shot_play = True
                if steps == 3 and not rejoined:  # leave for the title and join again: the same seat, same place
                    seq, seat = session.conn.seq, session.conn.seat
                    app.context.end_session()
                    app.context.go_home()
                    p.settle()
                    fill_join(p, h.address, h.code)
                    p.press("return")  # no name: this device's token holds the seat
                    assert p.screen_name == "play", getattr(app.top, "error", "")
                    session = app.context.session
                    assert (session.conn.seq, session.conn.seat) == (seq, seat)
                    rejoined = True
                    continue
                pos = next(i for i, c in enumerate(snap.choices) if c.available)
                before = session.conn.seq
                p.press(str(pos + 1))
                assert session.conn.seq == before + 1 or p.screen_name != "play"
                steps += 1
            else:  # outcome, an event pop-up
                p.press("return")
        assert p.screen_name == "ending", seen
        assert "message" in seen and fac.reveals >= 3 and rejoined
        assert session.snap.ending is not None
        # the facilitator ends the session: the leaderboard comes up over the ending
        fac.control("end")
        settle_until_screen(p, "message")
        assert app.top.heading == "The leaderboard" and "1 of 1" in app.top.text
        pygame.image.save(app.surface, str(shots / "window-leaderboard.png"))
        p.press("return")
        assert p.screen_name == "ending"
        pygame.image.save(app.surface, str(shots / "window-ending.png"))
        # the player's own debrief, from the server, with where they sat now the session has ended
        p.click("debrief")
        settle_until_screen(p, "message", tries=500)
        text = app.top.text
        assert app.top.heading == "Your debrief", (app.top.heading, text)
        for heading in ("WHY THIS ENDING", "WHERE YOU SAT IN THE ROOM", "THE BALCONY GAP", "YOUR PATTERN",
                        "WHAT THE RESEARCH SAYS"):
            assert heading in text, (heading, text[:800])
        assert "1 of 1" in text or "room" in text.split("WHERE YOU SAT IN THE ROOM")[1][:400].lower(), text
        assert "\u2581" not in text and "=====" not in text  # no terminal sparklines or underlines
        pygame.image.save(app.surface, str(shots / "window-debrief.png"))
        p.press("return")
        assert p.screen_name == "ending"
        p.click("title")
        assert p.screen_name == "title" and app.context.allow_rewind is True
    finally:
        fac.stop.set()
        fac.join(5)
    for f in ("window-join.png", "window-play.png", "window-reveal.png", "window-leaderboard.png"):
        assert (shots / f).stat().st_size > 10_000, f


def test_the_class_ending_at_the_largest_text_in_1024x600_scrolls_instead_of_cutting(host, tmp_path, monkeypatch):
    """At the largest text, the dyslexia font and high contrast in a 1024x600 window, the class ending's text
    and its note (the debrief, the leaderboard) do not fit: they scroll with a visible scrollbar, and the
    three buttons share one row on screen. (The note was cut after its first line.)"""
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / "cfg"))
    h = host("--scenario", "tutorial", "--mode", "free", "--seed", "3")
    fac = Facilitator(h)
    fac.control("start")
    fac.start()
    store = SettingsStore(tmp_path / "config")
    store.save(replace(Settings(), reduced_motion=True, text_scale=5, font="dyslexic", high_contrast=True))
    backend = EngineBackend()
    app = App(backend, settings_store=store, save_store=SaveStore(backend, tmp_path / "saves"), size=(1024, 600),
              speaker=Speaker(command=""), record_layout=True)
    from game.window.screens import TitleScreen
    app.push(TitleScreen(app), transition=False)
    app.step()
    p = Pilot(app)
    try:
        fill_join(p, h.address, h.code, "Big")
        p.press("return")
        session = app.context.session
        deadline = time.monotonic() + 90
        while p.screen_name != "ending" and time.monotonic() < deadline:
            p.settle()
            if p.screen_name == "play":
                if session.blocked():
                    time.sleep(0.02)
                    continue
                p.press(str(next(i for i, c in enumerate(session.snap.choices) if c.available) + 1))
            elif p.screen_name != "ending":
                p.press("return")
        assert p.screen_name == "ending"
        fac.control("end")
        settle_until_screen(p, "message")
        p.press("return")
        p.settle()
        app.draw()
        area = app.top.area
        assert area.max_offset > 0 and "class-ending-text" in [a.id for a, _ in app.layout_log.scrollbars]
        w, h_ = app.surface.get_size()
        from game.window.widgets import Button
        rects = [b.rect for b in app.top.focusables() if isinstance(b, Button)]
        assert len(rects) == 3 and all(r.right <= w and r.bottom <= h_ for r in rects)
        assert len({r.top for r in rects}) == 1
        while area.scroll(area.step):
            pass
        app.draw()
        shown = " ".join(t for t, r, *_ in app.layout_log.texts)
        assert "speed plays no part" in shown  # the leaderboard's last words, reached by scrolling
    finally:
        fac.stop.set()
        fac.join(5)
