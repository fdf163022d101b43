"""Teams through the protocol: several clients on one team's seat, proposals seen live, the decision taken
once and stored with its votes, rejoining, the captain, the window's end, a restart."""
from __future__ import annotations

import contextlib
import json
import time

import pytest
from sqlalchemy import select

from classroom import teams as T
from classroom.store import actions, members, proposals

from .conftest import InProcess, control, hello_facilitator, hello_player, intent, recv

pytestmark = pytest.mark.usefixtures("no_rate_limit")  # clients far faster than a person


def team_room(inproc, rule="majority:60", count=1, mode="free"):
    return inproc.hub.create_now("tutorial", mode, 3, None, T.config(T.parse_teams(str(count)), T.parse_rule(rule)))


def hello_member(ws, code, name=None, token=None, team=None):
    msg = {"v": 1, "type": "hello", "role": "player", "code": code}
    for k, v in (("name", name), ("token", token), ("team", team)):
        if v is not None:
            msg[k] = v
    ws.send_json(msg)
    return recv(ws, "welcome")


def team_push(ws, until=lambda t: True):
    """The next `team` message that satisfies `until`."""
    for _ in range(50):
        msg = recv(ws, "team")
        if until(msg):
            return msg
    raise AssertionError("no such team message")


def first_real_choice(inproc, room, fac, socks, welcomes):
    """Free play: the tutorial's first scene has one choice; member 0 proposes it (a majority of one? no: of
    three connected it is not), so all three take it, then move on to the second scene, which has several."""
    seq = welcomes[0]["seq"]
    for i, ws in enumerate(socks):
        reply = intent(ws, seq, "choose", mid=10 + i, index=0)
        assert reply["type"] == "ack", reply
        if reply["decided"]:
            break
    assert reply["decided"] and reply["snapshot"]["status"] == "outcome"
    adv = intent(socks[0], reply["seq"], "advance", mid=20)
    assert adv["snapshot"]["status"] == "choosing" and len(adv["snapshot"]["choices"]) > 1
    return adv


def test_three_members_share_a_seat_see_each_others_proposals_and_the_majority_decides(inproc):
    room = team_room(inproc, "majority:60", count=2)
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        socks = [stack.enter_context(inproc.connect()) for _ in range(4)]
        w = [hello_member(ws, room.code, n, team=1 if n != "Dan" else None) for ws, n in
             zip(socks, ("Ana", "Ben", "Cleo", "Dan"))]
        assert len({x["seat"] for x in w[:3]}) == 1 and w[3]["seat"] != w[0]["seat"]  # Dan: the emptiest team, 2
        assert [x["team"]["team"] for x in w] == [1, 1, 1, 2]
        assert [m["name"] for m in w[2]["team"]["members"]] == ["Ana", "Ben", "Cleo"]
        assert w[0]["team"]["captain"] == w[0]["team"]["you"]  # the first to join (used by the captain rule)
        control(fac, room, "start")
        ana, ben, cleo = socks[:3]
        adv = first_real_choice(inproc, room, fac, socks[:3], w)
        seq, choices = adv["seq"], [c["index"] for c in adv["snapshot"]["choices"] if c["available"]]
        a = intent(ana, seq, "choose", mid=30, index=choices[0])
        assert a["type"] == "ack" and a["decided"] is False and a["seq"] == seq  # a proposal moves nothing
        assert a["team"]["deadline"] == pytest.approx(a["team"]["proposals"][0]["at"] + 60)
        seen = team_push(cleo, lambda t: t["team"]["proposals"])
        assert [(p["name"], p["index"]) for p in seen["team"]["proposals"]] == [("Ana", choices[0])]
        assert seen["team"]["counts"] == [{"index": choices[0], "count": 1}]
        b = intent(ben, seq, "choose", mid=31, index=choices[1])
        assert b["decided"] is False
        c = intent(cleo, seq, "choose", mid=32, index=choices[0])  # 2 of 3: a majority, at once
        assert c["decided"] is True and c["seq"] == seq + 1 and c["snapshot"]["status"] == "outcome"
        last = c["team"]["last"]
        assert last["how"] == "majority" and last["index"] == choices[0] and last["for"] == 2 and last["voters"] == 3
        got = team_push(ana, lambda t: t["seq"] == seq + 1)
        assert got["snapshot"]["status"] == "outcome" and got["team"]["proposals"] == []
        # a late proposal for a decision already taken is stale
        late = intent(ben, seq, "choose", mid=33, index=choices[1])
        assert late["code"] == "stale" and late["seq"] == seq + 1
        # the dashboard shows the teams and their members
        for _ in range(50):
            dash = recv(fac, "dashboard")["dashboard"]
            if any(s.get("team", {}).get("number") == 1 and s["decisions"] == 2 for s in dash["seats"]):
                break
        t1 = next(s for s in dash["seats"] if s["name"] == "Team 1")
        assert [m["name"] for m in t1["team"]["members"]] == ["Ana", "Ben", "Cleo"] and t1["connected"]
        assert [s["name"] for s in dash["seats"]] == ["Team 1", "Team 2"]
    # stored: the decision once, with who proposed what; every proposal
    with inproc.store.engine.connect() as conn:
        rows = conn.execute(select(actions.c.action, actions.c.team).where(actions.c.seat_id == w[0]["seat"])
                            .order_by(actions.c.seq)).all()
        props = conn.execute(select(proposals.c.member_id, proposals.c.choice)
                             .where(proposals.c.seat_id == w[0]["seat"])).all()
        names = dict(conn.execute(select(members.c.id, members.c.name)).all())
    chosen = [(json.loads(a), json.loads(t) if t else None) for a, t in rows if "choose" in json.loads(a)]
    assert len(chosen) == 2 and chosen[1][0] == {"choose": choices[0]}
    rec = chosen[1][1]
    assert [(v["name"], v["index"]) for v in rec["votes"]] == [("Ana", choices[0]), ("Ben", choices[1]),
                                                                 ("Cleo", choices[0])]
    assert rec["text"] and rec["how"] == "majority"
    assert sorted(names[m] for m, _ in props[-3:]) == ["Ana", "Ben", "Cleo"]


def test_a_member_rejoins_their_team_and_sees_the_pending_proposals(inproc):
    room = team_room(inproc, "majority:600", count=1)
    with inproc.connect() as fac, inproc.connect() as a, inproc.connect() as b:
        hello_facilitator(fac, room)
        wa, wb = hello_member(a, room.code, "Ana"), None
        with inproc.connect() as c:
            wc = hello_member(c, room.code, "Cleo")
            token = wc["token"]
            wb = hello_member(b, room.code, "Ben")
            control(fac, room, "start")
            adv = first_real_choice(inproc, room, fac, [a, b, c], [wa, wb, wc])
        # Cleo's phone is gone; Ana proposes meanwhile
        gone = team_push(a, lambda t: not next(m for m in t["team"]["members"] if m["name"] == "Cleo")["connected"])
        assert gone["team"]["team"] == 1
        p = intent(a, adv["seq"], "choose", mid=40, index=adv["snapshot"]["choices"][-1]["index"])
        assert p["decided"] is False  # one of three voters (Cleo left a moment ago: still counted)
        with inproc.connect() as c2:
            again = hello_member(c2, room.code.lower(), token=token)
            assert "token" not in again and again["seat"] == wc["seat"] and again["seq"] == adv["seq"]
            assert again["name"] == "Cleo" and again["team"]["you"] == wc["team"]["you"]
            assert [(x["name"], x["index"]) for x in again["team"]["proposals"]] == [("Ana", p["proposed"])]
            assert again["snapshot"] == adv["snapshot"]
            # the same member on a second device: the first is told and closed
            with inproc.connect() as c3:
                hello_member(c3, room.code, token=token)
                assert recv(c2, "error", errors_ok=True)["code"] == "replaced"


def test_under_a_captain_only_the_captain_decides_and_a_lost_captain_is_replaced(inproc, monkeypatch):
    room = team_room(inproc, "captain", count=1)
    with inproc.connect() as fac, inproc.connect() as b:
        hello_facilitator(fac, room)
        with inproc.connect() as a:
            wa = hello_member(a, room.code, "Ana")
            wb = hello_member(b, room.code, "Ben")
            assert wa["team"]["captain"] == wa["team"]["you"] != wb["team"]["you"]
            control(fac, room, "start")
            advice = intent(b, wb["seq"], "choose", mid=1, index=0)
            assert advice["decided"] is False and advice["team"]["deadline"] is None
            seen = team_push(a, lambda t: t["team"]["proposals"])
            assert seen["team"]["proposals"][0]["name"] == "Ben"
        # the captain's phone is gone for good: after the grace, Ben (connected) takes over
        desk = inproc.hub.teams
        monkeypatch.setattr(desk, "clock", lambda: time.time() + T.CAPTAIN_GRACE + 1)
        inproc.client.portal.call(desk._refresh_captain, room, room.teams.teams[1])
        news = team_push(b, lambda t: t["team"]["captain"] == wb["team"]["you"])
        assert news["team"]["captain"] == wb["team"]["you"]
        mine = intent(b, wb["seq"], "choose", mid=2, index=0)
        assert mine["decided"] is True and mine["team"]["last"]["how"] == "captain"
        assert mine["team"]["last"]["captain"] == wb["team"]["you"]
    assert room.teams.teams[1].captain == wb["team"]["you"]


def test_when_the_window_ends_a_tie_goes_to_the_first_proposed_and_a_closed_round_ends_it_early(inproc):
    room = team_room(inproc, "majority:600", count=1, mode="lockstep")
    with inproc.connect() as fac, inproc.connect() as a, inproc.connect() as b:
        hello_facilitator(fac, room)
        wa, wb = hello_member(a, room.code, "Ana"), hello_member(b, room.code, "Ben")
        control(fac, room, "start")
        first = intent(a, wa["seq"], "choose", mid=1, index=0)
        assert first["decided"] is False  # one of two
        # round 1 closes with the window still open: the window ends with it, by the same rule
        control(fac, room, "close_round")
        got = team_push(b, lambda t: t["team"]["last"] is not None)
        assert got["team"]["last"]["how"] == "round" and got["snapshot"]["decisions"] == 1
        control(fac, room, "next_round")
        adv = intent(a, got["seq"], "advance", mid=2)
        picks = [c["index"] for c in adv["snapshot"]["choices"] if c["available"]]
        team_push(b, lambda t: t["seq"] == adv["seq"])
        p1 = intent(b, adv["seq"], "choose", mid=3, index=picks[1])
        p2 = intent(a, adv["seq"], "choose", mid=4, index=picks[0])
        assert not p1["decided"] and not p2["decided"]  # one each: a tie, wait for the window
        # the window's end (brought forward here): the tie goes to Ben's, proposed first
        team = room.teams.teams[1]
        team.opened -= 600
        inproc.client.portal.call(inproc.hub.teams._arm, room, team)
        end = team_push(a, lambda t: t["team"]["last"] and t["team"]["last"]["point"] == 1)
        last = end["team"]["last"]
        assert last["how"] == "tie" and last["tied"] and last["index"] == picks[1] and last["for"] == 1


def test_pending_proposals_and_the_captain_survive_a_restart(tmp_path, db_url):
    """On SQLite and on PostgreSQL."""
    first = InProcess(tmp_path, url=db_url)
    with first.client:
        room = first.hub.create_now("tutorial", "free", 3, None, T.config(1, T.parse_rule("majority:600")))
        with first.connect() as fac, first.connect() as a, first.connect() as b:
            hello_facilitator(fac, room)
            wa, wb = hello_member(a, room.code, "Ana"), hello_member(b, room.code, "Ben")
            control(fac, room, "start")
            p = intent(a, wa["seq"], "choose", mid=1, index=0)
            assert p["decided"] is False
    second = InProcess(tmp_path, url=db_url)
    with second.client:
        again = second.hub.rooms[room.id]
        team = again.teams.teams[1]
        assert [m.name for m in team.members.values()] == ["Ana", "Ben"] and team.captain == wa["team"]["you"]
        assert {p.member: p.index for p in team.proposals.values()} == {wa["team"]["you"]: 0}
        assert team.opened == pytest.approx(p["team"]["proposals"][0]["at"])
        with second.connect() as b2:
            w = hello_member(b2, room.code, token=wb["token"])
            assert w["team"]["proposals"][0]["name"] == "Ana"
            done = intent(b2, w["seq"], "choose", mid=2, index=0)
            assert done["decided"] and done["team"]["last"]["for"] == 2


def test_the_export_has_the_teams_their_members_and_every_proposal(inproc_db, tmp_path):
    """On SQLite and on PostgreSQL."""
    inproc = inproc_db
    import csv

    from game.cli import main

    from classroom.export import DECISION_COLUMNS, PROPOSAL_COLUMNS, SEAT_COLUMNS
    room = team_room(inproc, "majority:60", count=1)
    with inproc.connect() as fac, inproc.connect() as a, inproc.connect() as b:
        hello_facilitator(fac, room)
        wa, wb = hello_member(a, room.code, "Ana"), hello_member(b, room.code, "Ben")
        control(fac, room, "start")
        adv = first_real_choice(inproc, room, fac, [a, b], [wa, wb])
        picks = [c["index"] for c in adv["snapshot"]["choices"] if c["available"]]
        intent(a, adv["seq"], "choose", mid=50, index=picks[0])
        intent(b, adv["seq"], "choose", mid=51, index=picks[1])
        done = intent(b, adv["seq"], "choose", mid=52, index=picks[0])  # Ben changes his mind: 2 of 2
        assert done["decided"]
    out = tmp_path / "out"
    assert main(["export", room.code, "--format", "csv", "--db", inproc.url, "--out", str(out)]) == 0
    seats = list(csv.DictReader(open(out / f"{room.code}-seats.csv", encoding="utf-8")))
    decisions = list(csv.DictReader(open(out / f"{room.code}-decisions.csv", encoding="utf-8")))
    props = list(csv.DictReader(open(out / f"{room.code}-proposals.csv", encoding="utf-8")))
    assert list(seats[0]) == list(SEAT_COLUMNS) and list(props[0]) == list(PROPOSAL_COLUMNS)
    assert list(decisions[0]) == list(DECISION_COLUMNS)
    assert [(s["participant.label"], s["team.number"], s["team.rule"], s["team.members"], s["team.captain"])
            for s in seats] == [("Team 1", "1", "majority:60", "Ana; Ben", "Ana")]
    second = decisions[1]
    assert second["team.how"] == "majority" and second["team.for"] == "2" and second["team.voters"] == "2"
    assert second["team.proposals"] == f"Ana={picks[0]}; Ben={picks[0]}" and second["team.window_opened_utc"].endswith("Z")
    assert int(second["decision.choice"]) == picks[0]
    mine = [(p["member.label"], int(p["proposal.choice"]), p["proposal.counted"]) for p in props
            if p["proposal.decision_number"] == "2"]
    assert mine == [("Ana", picks[0], "1"), ("Ben", picks[1], "0"), ("Ben", picks[0], "1")]  # the change did not count
    assert {p["proposal.decided_choice"] for p in props if p["proposal.decision_number"] == "2"} == {str(picks[0])}
    assert main(["export", room.code, "--format", "json", "--db", inproc.url, "--out", str(out)]) == 0
    data = json.loads((out / f"{room.code}-export.json").read_text())
    seat = data["seats"][0]
    assert [m["label"] for m in seat["team"]["members"]] == ["Ana", "Ben"]
    assert seat["decision_log"][1]["team"]["votes"][0]["name"] == "Ana"


def test_a_member_in_the_terminal_sees_a_teammates_proposal_and_the_decision(host, tmp_path):
    """`balcony join --text`'s front end (join_text) as one member, a Python client as the other, on the real
    `balcony host --teams`."""
    import io
    import os
    import threading

    from classroom.client import Connection, TokenStore
    from classroom.textclient import join_text

    from .test_process import facilitate
    h = host("--scenario", "tutorial", "--mode", "free", "--teams", "1", "--team-rule", "majority:300")
    ana = Connection(h.address, h.code, "Ana", TokenStore(tmp_path / "ana.json"))
    ana.open()
    r, w = os.pipe()
    out = io.StringIO()
    done = {}
    t = threading.Thread(target=lambda: done.setdefault("rc", join_text(
        h.address, h.code, "Ben", TokenStore(tmp_path / "ben.json"), inp=os.fdopen(r, "r"), out=out)), daemon=True)
    t.start()

    def wait_for(text, timeout=30):
        deadline = time.monotonic() + timeout
        while text not in out.getvalue():
            assert time.monotonic() < deadline, f"{text!r} not in:\n{out.getvalue()}"
            time.sleep(0.05)

    wait_for("You are in Team 1 with Ana")
    assert facilitate(h, "start")["type"] == "done"
    wait_for("Go and see the Director")
    os.write(w, b"1\n")  # Ben proposes the first scene's one choice: 1 of 2, no decision yet
    wait_for("You propose 1. Go and see the Director")
    deadline = time.monotonic() + 30
    while not (ana.team and ana.team["proposals"]):
        assert time.monotonic() < deadline
        ana.wait_change(0.5)
    assert ana.team["proposals"][0]["name"] == "Ben"
    reply = ana.intent("choose", index=0)
    assert reply["decided"] is True
    wait_for("Your team chose: Go and see the Director (")
    assert "more than half proposed it; 2 of 2 proposed it" in out.getvalue()
    os.write(w, b"\n")
    wait_for("Press Enter to move your team on")
    seq = ana.seq
    os.write(w, b"\n")
    deadline = time.monotonic() + 30
    while ana.seq == seq:  # Ben's Continue moved the team, Ana's page too
        assert time.monotonic() < deadline
        ana.wait_change(0.5)
    assert ana.snapshot_dict["status"] == "choosing"
    os.close(w)
    t.join(30)
    assert done.get("rc") == 0
    ana.close()


def test_the_host_creates_a_team_session_and_a_wrong_rule_is_refused(inproc):
    with inproc.connect() as ws:
        ws.send_json({"v": 1, "type": "hello", "role": "host", "key": inproc.hub.host_key})
        recv(ws, "welcome")
        ws.send_json({"v": 1, "type": "create", "id": 1, "scenario": "tutorial", "mode": "lockstep",
                      "teams": "auto", "team_rule": "captain"})
        made = recv(ws, "created")["session"]
        room = inproc.hub.rooms[made["session"]]
        assert room.control["teams"] == {"count": "auto", "rule": "captain", "window": None}
        assert room.teams is not None and room.room_view()["teams"]["rule"] == "captain"
        ws.send_json({"v": 1, "type": "create", "id": 2, "scenario": "tutorial", "mode": "free", "teams": 3,
                      "team_rule": "majority:2"})
        bad = recv(ws, "error", errors_ok=True)
        assert bad["code"] == "invalid" and "5-3600" in bad["message"]
        ws.send_json({"v": 1, "type": "create", "id": 3, "scenario": "tutorial", "mode": "free", "teams": 3,
                      "team_rule": "vote"})
        assert recv(ws, "error", errors_ok=True)["code"] == "invalid"  # the schema's pattern
    with inproc.connect() as p:
        p.send_json({"v": 1, "type": "hello", "role": "player", "code": room.code, "name": "Zed", "team": 5})
        assert recv(p, "error", errors_ok=True)["code"] == "invalid"  # auto: only team 1 (the next new) exists
    with inproc.connect() as p1, inproc.connect() as p2, inproc.connect() as ws:
        hello_member(p1, room.code, "Ann")
        hello_member(p2, room.code, "Bob")
        ws.send_json({"v": 1, "type": "hello", "role": "host", "key": inproc.hub.host_key})
        entry = next(e for e in recv(ws, "welcome")["sessions"] if e["session"] == room.id)
        assert entry["players"] == 2 and len(room.seats) == 1  # two players, in one team's seat


def test_after_a_restart_a_captain_who_never_comes_back_is_replaced(tmp_path, monkeypatch):
    first = InProcess(tmp_path)
    with first.client:
        room = first.hub.create_now("tutorial", "free", 3, None, T.config(1, T.parse_rule("captain")))
        with first.connect() as a, first.connect() as b:
            wa, wb = hello_member(a, room.code, "Ana"), hello_member(b, room.code, "Ben")
            assert wa["team"]["captain"] == wa["team"]["you"]
    second = InProcess(tmp_path)  # the server restarts; Ana never comes back
    desk = second.hub.teams
    with second.client, second.connect() as b2:
        w = hello_member(b2, room.code, token=wb["token"])
        assert w["team"]["captain"] == wa["team"]["you"]  # within the grace: still Ana
        team = second.hub.rooms[room.id].teams.teams[1]
        assert (room.id, 1, "captain") in desk._timers  # the hand-over is on a timer, not waiting for a proposal
        monkeypatch.setattr(desk, "clock", lambda: time.time() + T.CAPTAIN_GRACE + 1)  # the grace runs out
        second.client.portal.call(desk._arm_captain, second.hub.rooms[room.id], team)
        news = team_push(b2, lambda t: t["team"]["captain"] == wb["team"]["you"])
        assert news["team"]["members"][0]["connected"] is False
    third = InProcess(tmp_path)
    assert third.hub.rooms[room.id].teams.teams[1].captain == wb["team"]["you"]  # stored


def test_a_bad_team_grace_or_presence_ttl_stops_balcony_host_with_a_message(tmp_path):
    import os
    import subprocess
    import sys

    from .conftest import ROOT
    for name, value in (("BALCONY_TEAM_GRACE", "soon"), ("BALCONY_PRESENCE_TTL", "0.5")):
        r = subprocess.run([sys.executable, "-m", "game", "host", "--port", "0", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
                           env={**os.environ, name: value, "BALCONY_DATA_DIR": str(tmp_path)}, capture_output=True,
                           text=True, timeout=60, cwd=ROOT)
        assert r.returncode == 2, r.stderr
        assert name in r.stderr and repr(value) in r.stderr and "Traceback" not in r.stderr


def test_every_member_of_a_team_gets_the_teams_debrief_and_place(inproc):
    """A team member's rejoin token is the member's, not the seat's: /debrief must find the team's seat
    through it (it answered 403 'no seat with that token', and counted each member as a wrong token)."""
    from .test_protocol import play_step
    room = team_room(inproc, "captain", count=1)
    get = inproc.client.get
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        cap, other = (stack.enter_context(inproc.connect()) for _ in range(2))
        state = hello_member(cap, room.code, "Ana")
        tokens = [state["token"], hello_member(other, room.code, "Ben")["token"]]
        assert control(fac, room, "start")["type"] == "done"
        for step in range(200):
            if state["snapshot"]["status"] == "ended":
                break
            state = play_step(cap, state, 1, step)       # the captain decides; perception and advance too
            assert state["type"] == "ack", state
        assert state["snapshot"]["status"] == "ended"
        assert control(fac, room, "end")["type"] == "done"
    failures = sum(len(v) for v in inproc.hub.failures.values())
    for token in tokens:
        reply = get("/debrief", params={"session": room.id}, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        mine = reply.json()
        assert mine["ended"] and mine["debrief"]["why"]["ending"]["id"] == state["snapshot"]["ending"]["id"]
        assert mine["placement"]["seats"] == 1
        place = get("/debrief", params={"session": room.id, "format": "place"},
                    headers={"Authorization": f"Bearer {token}"})
        assert place.status_code == 200 and "only seat" in place.text
    assert sum(len(v) for v in inproc.hub.failures.values()) == failures   # no member counted as a wrong token
