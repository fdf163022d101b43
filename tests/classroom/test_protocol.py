"""The classroom protocol with many simulated clients in one process (Starlette's TestClient)."""
from __future__ import annotations

import contextlib
import json

from engine import Run, load_scenario

from classroom.room import encode
from classroom.store import Store

import pytest

from .conftest import TUTORIAL, InProcess, control, hello_facilitator, hello_player, intent, recv


#: these clients send as fast as the loop runs, far faster than a person; the rate limit is tested in test_security
pytestmark = pytest.mark.usefixtures("no_rate_limit")


def play_step(ws, welcome_or_ack, strategy: int, mid: int) -> dict:
    """One intent for a seat: advance from an outcome, else perceive now and then, else choose."""
    snap, seq = welcome_or_ack["snapshot"], welcome_or_ack["seq"]
    if snap["status"] == "outcome":
        return intent(ws, seq, "advance", mid)
    avail = [c["index"] for c in snap["choices"] if c["available"]]
    if snap["attention_left"] and snap["balcony"] is None and strategy % 2 == 0:
        return intent(ws, seq, "perceive", mid, kind="balcony")
    return intent(ws, seq, "choose", mid, index=avail[(strategy + seq) % len(avail)])


def test_twelve_players_play_free_to_the_end_and_every_intent_is_stored(inproc_db):
    inproc = inproc_db
    room = inproc.room("free", seed=5)
    n = 12
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        socks = [stack.enter_context(inproc.connect()) for _ in range(n)]
        state = [hello_player(ws, room.code, f"P{i}") for i, ws in enumerate(socks)]
        assert len({s["seat"] for s in state}) == n
        assert control(fac, room, "start")["type"] == "done"
        acks = 0
        for step in range(400):
            live = [i for i in range(n) if state[i]["snapshot"]["status"] != "ended"]
            if not live:
                break
            for i in live:
                reply = play_step(socks[i], state[i], i, step)
                assert reply["type"] == "ack", reply
                assert reply["seq"] == state[i]["seq"] + 1
                state[i] = reply
                acks += 1
        assert all(s["snapshot"]["status"] == "ended" for s in state)
    # every acknowledged intent is in the database, and replaying it gives the same ending
    scenario = load_scenario(TUTORIAL)
    rows = Store(inproc.url).load_all()[0]
    assert sum(len(s["actions"]) for s in rows["seats"]) == acks
    for seat, s in zip(rows["seats"], state):
        run = Run(scenario, 5)
        for _, action, _ in seat["actions"]:
            from classroom.room import apply_stored
            apply_stored(run, action)
        assert json.loads(encode(run.snapshot().ending)) == s["snapshot"]["ending"]
    # the leaderboard ranks every seat on the triangle; the distribution counts every decision
    board = room.scores()
    assert len(board) == n and board[0]["rank"] == 1
    assert all(b["score"] == round(sum(b["parts"].values()) / 3, 1) for b in board)
    decisions = sum(s["snapshot"]["decisions"] for s in state)
    assert sum(d["total"] for d in room.distribution()) == decisions


def test_lockstep_round_close_reveal_and_next(inproc):
    room = inproc.room("lockstep")
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        socks = [stack.enter_context(inproc.connect()) for _ in range(5)]
        state = [hello_player(ws, room.code, f"P{i}") for i, ws in enumerate(socks)]
        # the lobby: nothing can be played before the start
        assert intent(socks[0], 0, "choose", index=0)["code"] == "not_started"
        assert control(fac, room, "reveal")["code"] == "state"
        control(fac, room, "start")
        for ws in socks:
            assert recv(ws, "room")["room"]["open"] is True
        for i, ws in enumerate(socks[:4]):  # four of five choose; the fifth is slow
            state[i] = intent(ws, state[i]["seq"], "choose", index=0)
            assert state[i]["type"] == "ack"
            state[i] = intent(ws, state[i]["seq"], "advance")
        # a second decision in the same round is refused
        nxt = state[0]["snapshot"]
        assert nxt["status"] == "choosing"
        assert intent(socks[0], state[0]["seq"], "choose", index=nxt["choices"][0]["index"])["code"] == "round_done"
        assert control(fac, room, "close_round")["control"]["open"] is False
        assert intent(socks[4], state[4]["seq"], "choose", index=0)["code"] == "round_closed"
        assert control(fac, room, "reveal")["type"] == "done"
        reveal = recv(socks[1], "reveal")
        assert reveal["round"] == 1
        assert [d["total"] for d in reveal["decisions"]] == [4]
        assert control(fac, room, "next_round")["control"]["round"] == 2
        # now the slow seat makes its first decision, and the others their second
        assert intent(socks[4], state[4]["seq"], "choose", index=0)["type"] == "ack"
        assert intent(socks[0], state[0]["seq"], "choose", index=nxt["choices"][0]["index"])["type"] == "ack"
        for _ in range(50):  # dashboards pushed before these intents may come first
            dash = recv(fac, "dashboard")["dashboard"]
            if [s["decisions"] for s in dash["seats"]] == [2, 1, 1, 1, 1]:
                break
        assert dash["control"]["round"] == 2 and [s["decisions"] for s in dash["seats"]] == [2, 1, 1, 1, 1]
        assert dash["chosen_this_round"] == 1  # seat 0 has made round 2's decision; seat 4 made its first
        # pause stops play; resume restarts it; end expires the code
        control(fac, room, "pause")
        assert intent(socks[1], state[1]["seq"], "choose", index=0)["code"] == "paused"
        control(fac, room, "resume")
        control(fac, room, "end")
        assert recv(socks[2], "leaderboard")["of"] == 5
        with inproc.connect() as late:
            late.send_json({"v": 1, "type": "hello", "role": "player", "code": room.code, "name": "Late"})
            assert recv(late, "error", errors_ok=True)["code"] == "bad_code"


def test_a_dropped_player_rejoins_with_the_token_exactly_where_they_were(inproc):
    room = inproc.room("free")
    with inproc.connect() as fac:
        hello_facilitator(fac, room)
        control(fac, room, "start")
        with inproc.connect() as ws:
            w = hello_player(ws, room.code, "Ana")
            token = w["token"]
            a = intent(ws, w["seq"], "perceive", kind="balcony")
            a = intent(ws, a["seq"], "choose", index=0)
        with inproc.connect() as ws2:
            again = hello_player(ws2, room.code.lower(), token=token)
            assert "token" not in again
            assert again["seat"] == w["seat"] and again["seq"] == a["seq"] == 2
            assert again["snapshot"] == a["snapshot"]
            # the same seat opened twice: the older connection is told and closed
            with inproc.connect() as ws3:
                hello_player(ws3, room.code, token=token)
                assert recv(ws2, "error", errors_ok=True)["code"] == "replaced"
                # an intent whose answer was lost is not applied twice: the step number tells
                b = intent(ws3, 2, "advance")
                assert b["type"] == "ack" and b["seq"] == 3
                stale = intent(ws3, 2, "advance")
                assert stale["code"] == "stale" and stale["seq"] == 3


def test_after_the_end_a_device_with_its_token_comes_back_to_its_seat_and_rank_but_nobody_joins(inproc):
    """A phone that reloads (or wakes and reconnects) after the facilitator ended the session must find its
    seat, its ending screen and its rank again; it was refused as a wrong code ('No session is running
    with that code'), which also counted against the room's address. A new name still cannot join, and a
    wrong token is still refused."""
    from classroom import teams as T
    solo = inproc.room("free")
    team = inproc.hub.create_now("tutorial", "free", 3, None, T.config(T.parse_teams("1"), T.parse_rule("captain")))
    tokens = {}
    for room in (solo, team):
        with inproc.connect() as fac:
            hello_facilitator(fac, room)
            with inproc.connect() as ws:
                tokens[room.id] = hello_player(ws, room.code, "Ana")["token"]
            assert control(fac, room, "end")["type"] == "done"
    before = sum(len(v) for v in inproc.hub.failures.values())
    for room in (solo, team):
        with inproc.connect() as ws:
            back = hello_player(ws, room.code, token=tokens[room.id])
            assert back["room"]["ended"] and back["name"] == "Ana"
            assert recv(ws, "leaderboard")["of"] == 1
    assert sum(len(v) for v in inproc.hub.failures.values()) == before
    from classroom import keys
    wrong = keys.secret()
    for msg in ({"name": "Late"}, {"token": wrong, "name": "Late"}, {"token": wrong}, {"token": tokens[team.id]}):
        with inproc.connect() as ws:
            ws.send_json({"v": 1, "type": "hello", "role": "player", "code": solo.code, **msg})
            assert recv(ws, "error", errors_ok=True)["code"] == "bad_code"


def test_a_restarted_hub_rebuilds_every_seat_exactly(tmp_path, db_url):
    first = InProcess(tmp_path, url=db_url)
    with first.client:
        room = first.room("free", seed=11)
        with first.connect() as fac, first.connect() as a, first.connect() as b:
            hello_facilitator(fac, room)
            control(fac, room, "start")
            sa, sb = hello_player(a, room.code, "A"), hello_player(b, room.code, "B")
            token_a = sa["token"]
            for step in range(12):
                sa = play_step(a, sa, 0, step)
                sb = play_step(b, sb, 1, step)
            control(fac, room, "names", on=True)
    second = InProcess(tmp_path, url=db_url)
    with second.client:
        again = second.hub.rooms[room.id]
        assert again.control["names"] is True and again.code == room.code
        assert [s.run.snapshot() for s in again.seats.values()] == [s.run.snapshot() for s in room.seats.values()]
        assert again.distribution() == room.distribution()
        with second.connect() as a2:
            w = hello_player(a2, room.code, token=token_a)
            assert w["seq"] == sa["seq"] and w["snapshot"] == sa["snapshot"]



def test_a_round_timer_closes_the_round_by_itself(inproc):
    import time as _time
    room = inproc.room("lockstep")
    with inproc.connect() as fac, inproc.connect() as ws:
        hello_facilitator(fac, room)
        hello_player(ws, room.code, "Tim")
        assert control(fac, room, "timer", seconds=10)["control"]["timer"] == 10
        started = control(fac, room, "start")["control"]
        assert started["deadline"] is not None and 9 < started["deadline"] - _time.time() <= 10
        # the clock runs out (brought forward here): the server closes the round and tells everyone
        room.control["deadline"] = _time.time() + 0.1
        inproc.client.portal.call(inproc.hub._arm_timer, room)
        closed = recv(ws, "room")["room"]
        while closed["open"] or closed["round"] != 1:  # the timer's and the start's own news come first
            closed = recv(ws, "room")["room"]
        assert closed["round"] == 1 and room.control["open"] is False


def test_sessions_on_one_server_are_isolated(inproc):
    one, two = inproc.room("free"), inproc.room("free")
    with contextlib.ExitStack() as stack:
        f1, f2 = stack.enter_context(inproc.connect()), stack.enter_context(inproc.connect())
        hello_facilitator(f1, one)
        hello_facilitator(f2, two)
        control(f1, one, "start")
        a, b = stack.enter_context(inproc.connect()), stack.enter_context(inproc.connect())
        wa, wb = hello_player(a, one.code, "A"), hello_player(b, two.code, "B")
        assert wa["session"] == one.id and wb["session"] == two.id
        assert intent(a, 0, "choose", index=0)["type"] == "ack"
        assert intent(b, 0, "choose", index=0)["code"] == "not_started"  # only the first session started
        assert [len(r.seats) for r in (one, two)] == [1, 1]
        assert sum(d["total"] for d in two.distribution()) == 0
        dash = recv(f2, "dashboard")["dashboard"]
        assert [s["name"] for s in dash["seats"]] == ["B"]


def test_a_name_already_taken_in_the_session_gets_a_number(inproc):
    """Two players who both typed Sam were two identical rows on the projector and in the export, and two
    teammates both called Ana proposed as 'Ana'. The second gets 'Sam (2)', within the 40 characters."""
    from classroom import teams as T
    room = inproc.room("free")
    long = "L" * 40
    with contextlib.ExitStack() as stack:
        names = [hello_player(stack.enter_context(inproc.connect()), room.code, n)["name"]
                 for n in ("Sam", "sam", "Sam", "Sam (2) ", long, long)]
        assert names == ["Sam", "sam (2)", "Sam (3)", "Sam (2) (2)", long, "L" * 36 + " (2)"]
        fac = stack.enter_context(inproc.connect())
        dash = hello_facilitator(fac, room)["dashboard"]
        assert [s["name"] for s in dash["seats"]] == names
        team = inproc.hub.create_now("tutorial", "free", 3, None, T.config(T.parse_teams("2"), T.parse_rule("captain")))
        got = [hello_player(stack.enter_context(inproc.connect()), team.code, "Ana")["name"] for _ in range(3)]
        assert got == ["Ana", "Ana (2)", "Ana (3)"]


def test_a_name_keeps_its_joiners_but_loses_other_invisible_characters():
    """The zero-width (non-)joiner is part of how some names are written (Persian, the Indic scripts, an
    emoji of a doctor); cleaning removed it with the other format characters. Right-to-left overrides and
    zero-width spaces still go, and a name of nothing visible is still no name."""
    from classroom.server import clean_name
    assert clean_name("Zoë 👩\u200d⚕️") == "Zoë 👩\u200d⚕️"
    assert clean_name("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert clean_name("Sam\u202egnp.exe") == "Samgnp.exe"
    assert clean_name("\u200bA\u200b") == "A"
    assert clean_name("\u200d\u200c") == "" and clean_name(" \u200d Sam \u200c ") == "Sam"
    assert clean_name("A" * 39 + "\u200dB") == "A" * 39 and clean_name("A" * 39 + " B") == "A" * 39
