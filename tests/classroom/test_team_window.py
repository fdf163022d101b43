"""The game window's Join a class as a team member, under the dummy video driver, against `balcony host
--teams`: a teammate's proposal comes up as a toast, the window's own proposal says it has not decided yet,
and when the majority decides, the team's decision is a toast and the window moves on with the team."""
from __future__ import annotations

import time

from classroom.client import Connection, TokenStore
from game.window.pilot import Pilot

from .test_process import facilitate
from .test_window_join import fill_join, make_app


def test_a_team_member_in_the_window_sees_proposals_and_the_decision(host, tmp_path, monkeypatch):
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / "cfg"))
    h = host("--scenario", "tutorial", "--mode", "free", "--teams", "1", "--team-rule", "majority:300")
    ana = Connection(h.address, h.code, "Ana", TokenStore(tmp_path / "ana.json"))
    ana.open()
    app = make_app(tmp_path)
    p = Pilot(app)
    fill_join(p, h.address, h.code, "Wanda")
    p.press("return")
    assert p.screen_name == "play", getattr(app.top, "error", "")
    session = app.context.session
    assert session.conn.team["name"] == "Team 1" and len(session.conn.team["members"]) == 2
    assert facilitate(h, "start")["type"] == "done"

    def settle_until(cond, timeout=30):
        deadline = time.monotonic() + timeout
        while not cond():
            assert time.monotonic() < deadline, app.context.toasts[-5:]
            p.settle()
            time.sleep(0.02)

    settle_until(lambda: not session.blocked())
    ana.intent("choose", index=0)  # Ana proposes the first scene's one choice: 1 of 2
    settle_until(lambda: "Ana proposes 1" in app.context.toasts)
    seq = session.conn.seq
    p.press("1")  # Wanda agrees: 2 of 2, decided at once
    settle_until(lambda: session.conn.seq == seq + 1)
    settle_until(lambda: any(t.startswith("Your team chose: Go and see the Director (2 of 2)") for t in app.context.toasts))
    assert session.snap.status == "outcome"
    # the next decision: Wanda proposes first, and the window says it has not decided
    p.press("return")
    settle_until(lambda: session.snap.status == "choosing" and session.snap.decisions == 1)
    seq = session.conn.seq
    p.press("2")
    settle_until(lambda: "Proposed to your team: a majority decides." in app.context.toasts)
    assert session.conn.seq == seq and session.conn.team["proposals"][0]["name"] == "Wanda"
    ana.close()
