"""The cohort debrief from a classroom session: `balcony export --format html` on both storage backends,
the dashboard's signed report link, and each player's own debrief and place in the room."""
from __future__ import annotations

import re

import pytest
from game.cli import main

from .test_export import _play

pytestmark = pytest.mark.usefixtures("no_rate_limit")  # clients far faster than a person


def test_export_html_writes_the_cohort_debrief_from_the_database(inproc_db, tmp_path, capsys):
    inproc = inproc_db  # on SQLite and on PostgreSQL
    room, state = _play(inproc, n=3, finish=2)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", room.code, "--format", "html", "--db", inproc.url, "--out", str(out)]) == 0
    assert f"{room.code}-cohort.html" in capsys.readouterr().out
    html = (out / f"{room.code}-cohort.html").read_text(encoding="utf-8")
    assert "<title>Cohort debrief: Eastfield: a first partnership" in html and f"session {room.code}" in html
    assert re.search(r"Seats<strong>3</strong>", html) and re.search(r"Reached an ending<strong>2</strong>", html)
    assert "1 of the 3 seats had not reached an ending" in html
    assert "Player, &#34;0&#34;" not in html and "Player, \"0\"" not in html   # it names nobody
    assert "<script" not in html and not re.search(r'(src|href)="(?!#)', html)  # self-contained
    assert html.count("<svg") >= 5 and "teaching model" in html and "equal counts always show equal shares" in html
    assert not list(out.glob(".tmp-*"))


def test_export_html_of_a_session_nobody_joined_says_so(inproc, tmp_path, capsys):
    room = inproc.room("free")
    assert main(["export", room.code, "--format", "html", "--db", inproc.url, "--out", str(tmp_path)]) == 0
    html = (tmp_path / f"{room.code}-cohort.html").read_text(encoding="utf-8")
    assert "Nobody has joined this session yet" in html and "<svg" not in html
    assert main(["export", "NOSUCH", "--format", "html", "--db", inproc.url, "--out", str(tmp_path)]) == 2
    assert "no session with the id or join code 'NOSUCH'" in capsys.readouterr().err


def _room_with_tokens(inproc, n=4, finish=3):
    """A free-play room: the first `finish` seats play to an ending; returns the room, tokens and the
    facilitator's socket context (still open, for controls)."""
    import contextlib

    from .conftest import control, hello_facilitator, hello_player
    from .test_protocol import play_step
    room = inproc.room("free", seed=7)
    tokens = []
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        socks = [stack.enter_context(inproc.connect()) for _ in range(n)]
        state = [hello_player(ws, room.code, f"Name{i}") for i, ws in enumerate(socks)]
        tokens = [s["token"] for s in state]
        control(fac, room, "start")
        for step in range(400):
            live = [i for i in range(n) if state[i]["snapshot"]["status"] != "ended" and (i < finish or step < 7)]
            if not live:
                break
            for i in live:
                state[i] = play_step(socks[i], state[i], i, step)
                assert state[i]["type"] == "ack", state[i]
    return room, tokens


def test_the_dashboard_link_is_signed_with_the_secret_and_serves_the_report(inproc, tmp_path):
    from classroom.cohort import REPORT_CSP, link_ok, sign
    room, _ = _room_with_tokens(inproc, n=3, finish=2)
    post = inproc.client.post
    assert post("/cohort/link", params={"session": room.id}).status_code == 403
    assert post("/cohort/link", params={"session": room.id}, headers={"Authorization": "Bearer x"}).status_code == 403
    r = post("/cohort/link", params={"session": room.id}, headers={"Authorization": f"Bearer {room.secret}"})
    assert r.status_code == 200
    url = r.json()["url"]
    assert room.secret not in url and url.startswith(f"/cohort?session={room.id}&expires=")
    page = inproc.client.get(url)
    assert page.status_code == 200 and page.headers["content-security-policy"] == REPORT_CSP
    assert "How the room played" in page.text and "Name0" not in page.text
    assert re.search(r"Seats<strong>3</strong>", page.text) and re.search(r"Reached an ending<strong>2</strong>", page.text)
    down = inproc.client.get(url + "&download=1")
    assert f'filename="{room.code}-cohort.html"' in down.headers["content-disposition"]
    assert inproc.client.get(url[:-1] + ("0" if url[-1] != "0" else "1")).status_code == 403   # tampered
    exp = 1_000_000
    assert link_ok(room.secret, room.id, str(exp), sign(room.secret, room.id, exp), now=exp - 10)
    assert not link_ok(room.secret, room.id, str(exp), sign(room.secret, room.id, exp), now=exp + 1)      # expired
    assert not link_ok(room.secret, room.id, str(exp + 10**6), sign(room.secret, room.id, exp + 10**6), now=exp)
    assert not link_ok("other", room.id, str(exp), sign(room.secret, room.id, exp), now=exp - 10)


def test_a_player_gets_their_own_debrief_and_their_place_once_the_session_ends(inproc):
    from .conftest import control, hello_facilitator
    room, tokens = _room_with_tokens(inproc, n=4, finish=3)
    get = inproc.client.get

    def ask(i, **params):
        return get("/debrief", params={"session": room.id, **params}, headers={"Authorization": f"Bearer {tokens[i]}"})
    assert get("/debrief", params={"session": room.id}).status_code == 403
    assert get("/debrief", params={"session": room.id}, headers={"Authorization": "Bearer nope"}).status_code == 403
    assert ask(3).json() == {"ended": False}                       # still playing: no debrief yet
    assert ask(3, format="html").status_code == 409
    mine = ask(0).json()
    assert mine["ended"] and mine["placement"] is None and "ends the session" in mine["placement_later"]
    d = mine["debrief"]
    seat = next(s for s in room.seats.values() if s.name == "Name0")
    assert d["why"]["ending"]["id"] == seat.run.state.ending
    assert {s["id"] for s in d["gap"]["stakeholders"]} == set(room.scenario.stakeholders)
    assert len(d["pattern"]["dimensions"]) == 6 and "teaching model" in d["research"]["caveat"]
    with inproc.connect() as fac:
        hello_facilitator(fac, room)
        assert control(fac, room, "end")["type"] == "done"
    placed = ask(0).json()["placement"]
    assert placed["finished"] and placed["seats"] == 3
    assert placed["higher"] + placed["lower"] + placed["same"] + 1 == 3
    assert placed["same_ending"] == sum(1 for s in room.seats.values() if s.run.status == "ended"
                                        and s.run.state.ending == seat.run.state.ending)
    text = "\n".join(placed["lines"])
    assert "Name1" not in text and "Name0" not in text and "of the 3 seats that finished" in text
    report = ask(0, format="html")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "The decisions that mattered most" in report.text       # the full solo report, counterfactuals included
    t = ask(1, format="text").text
    assert "THE BALCONY GAP" in t and "WHERE YOU SAT IN THE ROOM" in t and "seats that finished" in t
    assert ask(3, format="place").text.startswith("Your run has not reached an ending yet")


def test_balcony_join_text_prints_the_players_own_debrief_and_place(host, tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT
    from .test_process import facilitate
    h = host("--scenario", "tutorial", "--mode", "free", "--seed", "3")
    facilitate(h, "start")
    facilitate(h, "leaderboard", on=True)   # players see where they sat once the leaderboard shows
    env = {**os.environ, "BALCONY_DATA_DIR": str(tmp_path / "player")}
    cmd = [sys.executable, "-m", "game", "join", h.address, h.code, "--text", "--name", "Terry"]
    done = subprocess.run(cmd, input="".join("1\n2\n" for _ in range(40)), capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[Debrief]" in out and "THE BALCONY GAP" in out and "YOUR LEADERSHIP PATTERN" in out
    assert "THE DECISIONS THAT MATTERED MOST" in out                     # as in solo play: the whole debrief
    assert "WHERE YOU SAT IN THE ROOM" in out
    assert "You are the only seat in the room that has reached an ending so far." in out


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_with_two_processes_either_serves_the_debriefs(host, db_url):
    """A player who played through one process gets their debrief from the other, and the facilitator's
    report link made by one opens on the other (classroom/replica.py keeps them in step)."""
    import json
    import time
    import urllib.request

    from classroom.client import Connection, RemoteRun

    from .test_process import facilitate
    a = host("--scenario", "tutorial", "--mode", "free", "--seed", "3", db=db_url)
    b = host(db=db_url)
    sid, secret = a.session()
    facilitate(a, "start")
    conn = Connection(a.address, a.code, "Pat")
    conn.open()
    run = RemoteRun(conn)
    try:
        while run.snapshot().status != "ended":
            if run.snapshot().status == "outcome":
                run.advance()
            else:
                run.choose(run.snapshot().choices[0].index if run.snapshot().choices[0].available
                           else next(c.index for c in run.snapshot().choices if c.available))
            time.sleep(0.1)  # under the server's 10 messages a second per connection
    finally:
        conn.close()

    def call(h, path, token, method="GET"):
        req = urllib.request.Request(h.base + path, method=method, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read().decode("utf-8")
    mine = json.loads(call(b, f"/debrief?session={sid}", conn.token))
    assert mine["ended"] and mine["debrief"]["why"]["ending"]["id"]
    url = json.loads(call(a, f"/cohort/link?session={sid}", secret, "POST"))["url"]
    page = call(b, url, "")
    assert re.search(r"Seats<strong>1</strong>", page) and re.search(r"Reached an ending<strong>1</strong>", page)


def test_the_server_keeps_only_the_most_recently_asked_debriefs(monkeypatch):
    """A thousand players' full debriefs (about 160 KB each) must not stay in memory for the server's life:
    the least recently asked is dropped and, if asked again, rebuilt."""
    from classroom import cohort
    built = []
    monkeypatch.setattr(cohort, "KEEP_FULL", 2)
    monkeypatch.setattr("engine.debrief.build", lambda scenario, transcript: built.append(transcript) or [transcript])
    service = cohort.Service()
    try:
        got = [service.debrief_full(None, "room", seat, seat)[0] for seat in (1, 2, 1, 3, 1, 2)]
    finally:
        service.pool.shutdown()
    assert got == [1, 2, 1, 3, 1, 2]      # every answer is the seat's own
    assert built == [1, 2, 3, 2]          # 1 was asked again before 3 came, so 2 was the one dropped
    assert len(service.full) == 2
