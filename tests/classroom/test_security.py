"""Malformed, oversized, over-rate and unauthorised messages: each is refused, and the server keeps
serving everyone else."""
from __future__ import annotations

import contextlib
import json

import pytest
from starlette.websockets import WebSocketDisconnect

from classroom import protocol

from .conftest import control, hello_facilitator, hello_player, intent, recv


def ping(ws):
    ws.send_json({"v": 1, "type": "ping", "id": 99})
    return recv(ws, "pong")


@pytest.fixture
def room_with_bystander(inproc):
    """A started free-play room and a bystander player, who must be served throughout."""
    room = inproc.room("free")
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        control(fac, room, "start")
        by = stack.enter_context(inproc.connect())
        w = hello_player(by, room.code, "Bystander")
        state = {"seq": w["seq"]}

        def still_served():
            ack = intent(by, state["seq"], "perceive", kind="listen") if w["snapshot"]["attention_left"] > state["seq"] \
                else intent(by, state["seq"], "choose", index=w["snapshot"]["choices"][0]["index"])
            assert ack["type"] == "ack" or ack["code"] in ("refused", "phase"), ack
            state["seq"] = ack["seq"] if ack["type"] == "ack" else state["seq"]
            assert ping(by)["type"] == "pong"
        yield room, fac, still_served


@pytest.mark.parametrize("frame, code", [
    ("{not json", "malformed"),
    ("[1, 2]", "malformed"),
    ('{"type": "ping"}', "version"),
    ('{"v": 2, "type": "ping"}', "version"),
    ('{"v": true, "type": "intent", "id": 1, "seq": 0, "action": "advance"}', "version"),
    ('{"v": 1, "type": "launch"}', "unknown_type"),
    ('{"v": 1, "type": "intent", "id": 1, "seq": 0, "action": "rewind"}', "invalid"),
    ('{"v": 1, "type": "intent", "id": 1, "seq": 0, "action": "choose"}', "invalid"),
    ('{"v": 1, "type": "intent", "id": -1, "seq": 0, "action": "advance"}', "invalid"),
    ('{"v": 1, "type": "hello", "role": "player", "code": "AB CD", "name": "x"}', "invalid"),
    ('{"v": 1, "type": "hello", "role": "player", "code": "ABCDEF", "name": "x", "admin": true}', "invalid"),
    ("[" * 3000 + "]" * 1000, "malformed"),
])
def test_malformed_messages_get_an_error_and_the_connection_stays_usable(inproc, room_with_bystander, frame, code):
    room, fac, still_served = room_with_bystander
    with inproc.connect() as ws:
        ws.send_text(frame)
        err = recv(ws, "error", errors_ok=True)
        assert err["code"] == code, err
        assert ping(ws)["type"] == "pong"
        ws.send_bytes(b"\x00\x01")
        assert recv(ws, "error", errors_ok=True)["code"] == "malformed"
        assert ping(ws)["type"] == "pong"
    still_served()


def test_an_oversized_message_closes_that_connection_only(inproc, room_with_bystander):
    room, fac, still_served = room_with_bystander
    with inproc.connect() as ws:
        ws.send_text(json.dumps({"v": 1, "type": "ping", "pad": "x" * protocol.MAX_MESSAGE}))
        assert recv(ws, "error", errors_ok=True)["code"] == "too_large"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1009
    still_served()


def test_over_rate_messages_are_refused_then_the_connection_is_closed(inproc, room_with_bystander):
    room, fac, still_served = room_with_bystander
    with inproc.connect() as ws:
        total = protocol.RATE_BURST + protocol.RATE_STRIKES + 5
        for _ in range(total):
            ws.send_text('{"v": 1, "type": "ping"}')
        codes = []
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(total + 5):
                msg = ws.receive_json()
                codes.append(msg.get("code") or msg["type"])
        assert closed.value.code == 1008
        assert codes.count("pong") <= protocol.RATE_BURST + 2
        assert "rate" in codes
    still_served()


def test_unauthorised_messages_are_refused(inproc, room_with_bystander):
    room, fac, still_served = room_with_bystander
    other = inproc.room("lockstep")
    with inproc.connect() as ws, inproc.connect() as other_fac:
        # nothing before hello
        assert intent(ws, 0, "advance")["code"] == "hello_first"
        # a forged facilitator: wrong secret, or a player's connection sending controls
        ws.send_json({"v": 1, "type": "hello", "role": "facilitator", "session": room.id, "secret": "x" * 32})
        assert recv(ws, "error", errors_ok=True)["code"] == "unauthorised"
        me = hello_player(ws, room.code, "Mallory")
        assert control(ws, room, "end")["code"] == "forbidden"
        assert control(ws, room, "names", on=True)["code"] == "forbidden"
        ws.send_json({"v": 1, "type": "create", "id": 3, "scenario": "tutorial", "mode": "free"})
        assert recv(ws, "error", errors_ok=True)["code"] == "forbidden"
        # another seat: the protocol has no way to name one, so a message that tries is invalid
        ws.send_json({"v": 1, "type": "intent", "id": 4, "seq": 0, "action": "advance", "seat": 1})
        assert recv(ws, "error", errors_ok=True)["code"] == "invalid"
        # a second hello on the same connection cannot switch seats or sessions
        ws.send_json({"v": 1, "type": "hello", "role": "player", "code": other.code, "name": "Again"})
        assert recv(ws, "error", errors_ok=True)["code"] == "state"
        # the wrong session: a facilitator of one session controlling another
        hello_facilitator(other_fac, other)
        assert control(other_fac, room, "end")["code"] == "forbidden"
        assert room.control["ended"] is False
        assert ping(ws)["type"] == "pong" and me["seq"] == 0
    still_served()


def test_an_address_locked_by_wrong_codes_still_lets_back_who_holds_a_secret(inproc):
    """A class behind one address (a campus NAT, a proxy) that mistypes the code 10 times was locked out
    whole for 10 minutes: every phone that reconnected with its own rejoin token, every player's debrief,
    and the facilitator's dashboard were refused too. Those carry secrets nobody guesses: they pass. A new
    join by code and name, a wrong token and a wrong secret are still refused."""
    from classroom import keys
    from classroom.server import JOIN_ATTEMPTS
    room = inproc.room("free")
    other = inproc.room("free")
    with inproc.connect() as ws:
        token = hello_player(ws, room.code, "Ana")["token"]
    for _ in range(JOIN_ATTEMPTS):
        with inproc.connect() as ws:
            ws.send_json({"v": 1, "type": "hello", "role": "player", "code": "ZZZZZZ", "name": "Typo"})
            assert recv(ws, "error", errors_ok=True)["code"] == "bad_code"

    def hello(**msg):
        with inproc.connect() as ws:
            ws.send_json({"v": 1, "type": "hello", **msg})
            return recv(ws, "welcome", "error", errors_ok=True)
    assert hello(role="player", code=room.code, token=token)["type"] == "welcome"
    assert hello(role="facilitator", session=room.id, secret=room.secret)["type"] == "welcome"
    assert hello(role="host", key=inproc.hub.host_key)["type"] == "welcome"
    debrief = inproc.client.get("/debrief", params={"session": room.id}, headers={"Authorization": f"Bearer {token}"})
    assert debrief.status_code == 200 and debrief.json() == {"ended": False}
    for msg in ({"role": "player", "code": room.code, "name": "New"},
                {"role": "player", "code": room.code, "token": keys.secret()},
                {"role": "player", "code": other.code, "token": token},          # a token of another session
                {"role": "facilitator", "session": room.id, "secret": other.secret},
                {"role": "host", "key": keys.secret()}):
        assert hello(**msg)["code"] == "too_many_attempts", msg
    wrong = inproc.client.get("/debrief", params={"session": room.id}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 429
    inproc.hub.failures.clear()


def test_wrong_codes_are_limited_per_address(inproc, room_with_bystander):
    room, fac, still_served = room_with_bystander
    from classroom.server import JOIN_ATTEMPTS
    with inproc.connect() as ws:
        for _ in range(JOIN_ATTEMPTS):
            ws.send_json({"v": 1, "type": "hello", "role": "player", "code": "ZZZZZZ", "name": "Guess"})
            assert recv(ws, "error", errors_ok=True)["code"] == "bad_code"
        # even the right code is refused from that address now, and the connection is closed
        ws.send_json({"v": 1, "type": "hello", "role": "player", "code": room.code, "name": "Guess"})
        assert recv(ws, "error", errors_ok=True)["code"] == "too_many_attempts"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    inproc.hub.failures.clear()
    still_served()


def test_a_locked_address_gets_no_database_read_for_its_guesses(inproc, monkeypatch):
    """Once an address is locked, a wrong token, session or link is refused without looking further than
    memory: with several processes that look-up is a database read, which a locked guesser must not
    cost (the right secret of a session this process holds still passes, see above)."""
    from classroom.server import JOIN_ATTEMPTS
    room = inproc.room("free")
    get, post = inproc.client.get, inproc.client.post
    for _ in range(JOIN_ATTEMPTS):
        assert get("/debrief", params={"session": room.id}, headers={"Authorization": "Bearer nope"}).status_code == 403

    class NoDatabase:
        def __getattr__(self, name):
            raise AssertionError(f"replica.{name} read the database for a locked address")
    monkeypatch.setattr(inproc.hub, "replica", NoDatabase())
    nope = {"Authorization": "Bearer nope"}
    assert get("/debrief", params={"session": room.id}, headers=nope).status_code == 429
    assert get("/debrief", params={"session": "0123456789abcdef"}, headers=nope).status_code == 429
    assert post("/cohort/link", params={"session": "0123456789abcdef"}, headers=nope).status_code == 429
    assert get("/cohort", params={"session": "0123456789abcdef", "expires": "1", "sig": "x"}).status_code == 429
    inproc.hub.failures.clear()
