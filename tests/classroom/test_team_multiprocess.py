"""Team sessions served by two `balcony host` processes on one PostgreSQL database (classroom/teamdesk.py,
replica.py): members of one team connected to different processes see each other live (who is in the team,
who is connected, each proposal before the decision); the majority decides once, and every member and the
facilitator on either process see the decision and move on; a member rejoins through the other process
with the proposals still pending, and a second device on the other process closes the first; under the
captain rule the captain decides across processes, and when the captain's process is killed a member on
the surviving process becomes captain after the grace and decides; a lock-step round closed on one
process ends the window with the proposals made on the other; a window that ends on both processes
decides once; a process whose decision or captain lost
to another's answers with the stored one, and two processes never install two captains (compare-and-set)."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select
from websockets.sync.client import connect

from classroom.client import Connection, TokenStore
from classroom.store import Conflict, Store, actions, seats

from .test_multiprocess import stats, until

pytestmark = [pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]  # only PostgreSQL is shared


def wait_for(check, what: str, conns=(), seconds: float = 60):
    """Poll `check` until true (no timed assertion: a generous deadline only for a test that would hang)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        if conns:
            conns[0].wait_change(0.1)
        else:
            time.sleep(0.05)


def team_on_two_processes(host, db_url, mode: str, rule: str):
    """A one-team session of the tutorial (seed 3) created on process A, and a second process B on the same
    database: (a, b, session id, facilitator secret)."""
    a = host("--scenario", "tutorial", "--mode", mode, "--seed", "3", "--teams", "1", "--team-rule", rule, db=db_url)
    b = host(db=db_url)
    sid, secret = a.session()
    return a, b, sid, secret


def member(h, code, name, tmp_path, team=None) -> Connection:
    c = Connection(h.address, code, name, TokenStore(tmp_path / f"{name}.json"), team=team)
    c.open()
    return c


def on(h, conn, folder) -> Connection:
    """The same member's device token, used on the process `h` (a new device, or a reconnect to another)."""
    tokens = TokenStore(folder / f"{conn.name}-{h.address.replace(':', '_')}.json")
    tokens.put(h.address, conn.code, conn.token)
    return Connection(h.address, conn.code, None, tokens)


def names(conn) -> dict:
    """{name: connected} as the member's team view shows them."""
    return {m["name"]: m["connected"] for m in conn.team["members"]}


def proposals(conn) -> list:
    return [(p["name"], p["index"]) for p in conn.team["proposals"]]


class Facilitator:
    def __init__(self, h, sid, secret):
        self.ws = connect(h.ws, open_timeout=10).__enter__()  # closed with the test's processes
        self.ws.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": sid, "secret": secret}))
        self.sid, self.dash, self._ids = sid, until(self.ws, "welcome")["dashboard"], iter(range(1, 1000))

    def control(self, action, **fields):
        mid = next(self._ids)
        self.ws.send(json.dumps({"v": 1, "type": "control", "id": mid, "session": self.sid, "action": action, **fields}))
        reply = until(self.ws, "done", "error", test=lambda m: m.get("id") == mid)
        assert reply["type"] == "done", reply
        return reply

    def until(self, test, what):
        """Dashboards until one satisfies `test`."""
        deadline = time.monotonic() + 60
        while not test(self.dash):
            assert time.monotonic() < deadline, f"the dashboard never showed {what}: {self.dash['seats']}"
            try:
                msg = json.loads(self.ws.recv(timeout=1))
            except TimeoutError:
                continue
            if msg["type"] == "dashboard":
                self.dash = msg["dashboard"]

    def team(self, number=1):
        return next(s for s in self.dash["seats"] if s.get("team", {}).get("number") == number)


def test_a_team_on_two_processes_sees_each_other_the_majority_decides_once_and_a_member_rejoins_across(
        host, tmp_path, db_url, no_rate_limit):
    a, b, sid, secret = team_on_two_processes(host, db_url, "free", "majority:600")
    # Ana and Ben on A, Cleo on B; the facilitator on B
    ana = member(a, a.code, "Ana", tmp_path)
    cleo = member(b, a.code, "Cleo", tmp_path)
    ben = member(a, a.code, "Ben", tmp_path)
    assert ana.seat == cleo.seat == ben.seat  # one team, one seat, whichever process each joined through
    for c in (ana, ben, cleo):  # everyone sees the whole team connected, across the processes
        wait_for(lambda c=c: names(c) == {"Ana": True, "Cleo": True, "Ben": True}, f"{c.name}'s team", [c])
    fac = Facilitator(b, sid, secret)
    fac.until(lambda d: len(d["seats"]) == 1 and [(m["name"], m["connected"]) for m in fac.team()["team"]["members"]]
              == [("Ana", True), ("Cleo", True), ("Ben", True)], "the team's three members connected")
    fac.control("start")
    wait_for(lambda: all(c.room.get("started") for c in (ana, ben, cleo)), "the start on both processes", [ana])

    # the first scene (one choice): Ana proposes on A, Cleo on B sees it before the decision
    point = ana.seq
    first = ana.intent("choose", index=0)
    assert first["decided"] is False
    wait_for(lambda: proposals(cleo) == [("Ana", 0)], "Ana's proposal on B", [cleo])
    assert cleo.seq == point  # seen before the decision
    # Cleo's proposal on B makes 2 of 3: B decides, once; A's members see the decision and its record
    second = cleo.intent("choose", index=0)
    assert second["decided"] is True and second["team"]["last"]["how"] == "majority"
    for c in (ana, ben):
        wait_for(lambda c=c: c.seq == point + 1 and (c.team["last"] or {}).get("point") == 0, "the decision on A", [c])
        assert c.team["last"]["votes"] == second["team"]["last"]["votes"] and c.team["proposals"] == []
    # Ben moves the team on, on A; Cleo on B moves on too
    ben.intent("advance")
    wait_for(lambda: cleo.seq == ben.seq and cleo.snapshot_dict["status"] == "choosing", "the team moved on, on B",
             [cleo])
    wait_for(lambda: ana.seq == ben.seq, "the team moved on, for Ana", [ana])
    picks = [c["index"] for c in ben.snapshot_dict["choices"] if c["available"]]
    assert len(picks) > 1

    # Ana proposes on A; Ben leaves A and rejoins through B: the proposal is still pending there
    point = ben.seq
    assert ana.intent("choose", index=picks[0])["decided"] is False
    wait_for(lambda: proposals(cleo) == [("Ana", picks[0])], "Ana's second proposal on B", [cleo])
    ben.close()
    wait_for(lambda: names(cleo)["Ben"] is False, "Ben gone, as B hears it", [cleo])
    ben2 = on(b, ben, tmp_path)
    welcome = ben2.open()
    assert "token" not in welcome and welcome["name"] == "Ben" and welcome["seq"] == point
    assert [(p["name"], p["index"]) for p in welcome["team"]["proposals"]] == [("Ana", picks[0])]
    wait_for(lambda: names(ana)["Ben"] is True, "Ben back, as A hears it", [ana])
    # the same member opened on a second device through A: the first (on B) is told and closed
    replaced = []
    ben2.on_push = lambda m: replaced.append(m) if m.get("code") == "replaced" else None
    ben3 = on(a, ben, tmp_path)
    ben3.open()
    wait_for(lambda: replaced, "the first device told it was replaced", [ben2])
    ben2.close()
    # Ben (on A now) and Cleo (on B) split; Ana changes her mind to Cleo's: 2 of 3, decided once
    assert ben3.intent("choose", index=picks[1])["decided"] is False
    assert cleo.intent("choose", index=picks[-1])["decided"] is False
    wait_for(lambda: len(ana.team["proposals"]) == 3, "the three proposals on A", [ana])
    done = ana.intent("choose", index=picks[-1])
    assert done["decided"] is True and done["team"]["last"]["for"] == 2 and done["team"]["last"]["voters"] == 3
    for c in (ben3, cleo):
        wait_for(lambda c=c: c.seq == point + 1 and c.team["last"]["index"] == picks[-1], f"{c.name} sees it", [c])
    fac.until(lambda d: d["seats"][0]["decisions"] == 2, "the team's second decision")
    assert fac.team()["team"]["pending"] == 0
    # stored: one seat, each decision once, with its votes from both processes
    with Store(db_url).engine.connect() as conn:
        assert conn.execute(select(seats.c.id)).all() == [(ana.seat,)]
        rows = [(json.loads(x), json.loads(t) if t else None) for x, t in
                conn.execute(select(actions.c.action, actions.c.team).order_by(actions.c.seq))]
    decided = [(x["choose"], t) for x, t in rows if "choose" in x]
    assert [x for x, _ in decided] == [0, picks[-1]]
    assert [(v["name"], v["index"]) for v in decided[1][1]["votes"]] == [("Ben", picks[1]), ("Cleo", picks[-1]),
                                                                          ("Ana", picks[-1])]  # as made
    for c in (ana, ben3, cleo):
        c.close()


def test_captain_across_processes_and_the_captains_process_killed(host, tmp_path, db_url, no_rate_limit,
                                                                  monkeypatch):
    # short for the test: a process unheard for 6 s is dead (a heartbeat every 2 s: a loaded machine does not
    # lose one that long before the kill); a captain gone 2 s hands over
    monkeypatch.setenv("BALCONY_PRESENCE_TTL", "6")
    monkeypatch.setenv("BALCONY_TEAM_GRACE", "2")
    a, b, sid, secret = team_on_two_processes(host, db_url, "free", "captain")
    ana = member(a, a.code, "Ana", tmp_path)   # the first to join: the captain, on A
    ben = member(b, a.code, "Ben", tmp_path)   # on B
    cleo = member(b, a.code, "Cleo", tmp_path)  # on B
    captain = ana.team["you"]
    assert ben.team["captain"] == cleo.team["captain"] == captain
    wait_for(lambda: names(ana) == {"Ana": True, "Ben": True, "Cleo": True}, "the team on A", [ana])
    fac = Facilitator(b, sid, secret)
    fac.control("start")
    wait_for(lambda: ana.room.get("started"), "the start on A", [ana])
    # Ben's proposal is advice; the captain on A sees it and decides
    point = ana.seq
    assert ben.intent("choose", index=0)["decided"] is False
    wait_for(lambda: proposals(ana) == [("Ben", 0)], "Ben's advice on A", [ana])
    decision = ana.intent("choose", index=0)
    assert decision["decided"] is True and decision["team"]["last"]["how"] == "captain"
    wait_for(lambda: ben.seq == point + 1 and ben.team["last"]["captain"] == captain, "the captain's decision on B",
             [ben])
    wait_for(lambda: cleo.seq == point + 1, "the captain's decision for Cleo", [cleo])
    cleo.intent("advance")
    wait_for(lambda: ana.seq == cleo.seq, "Cleo's Continue on A", [ana])
    wait_for(lambda: ben.seq == cleo.seq, "Cleo's Continue for Ben", [ben])
    picks = [c["index"] for c in cleo.snapshot_dict["choices"] if c["available"]]
    # Ben advises; then A dies with the captain on it
    point = cleo.seq
    assert ben.intent("choose", index=picks[0])["decided"] is False
    wait_for(lambda: proposals(ana) == [("Ben", picks[0])], "Ben's advice on A", [ana])
    a.kill()  # with Ana connected to it: nobody tells B that she left
    ana.close()
    # B hears nothing more from A: Ana is gone, and after the grace Ben (the first connected to join) is captain
    wait_for(lambda: ben.team["captain"] == ben.team["you"] and names(ben)["Ana"] is False, "Ben made captain",
             [ben])
    wait_for(lambda: cleo.team["captain"] == ben.team["you"], "Cleo told of the new captain", [cleo])
    assert stats(b)["replication"]["processes_heard"] == 0  # A was taken to be dead
    # the new captain decides, at once, on the surviving process; his advice was kept
    assert [(p["name"], p["index"]) for p in ben.team["proposals"]] == [("Ben", picks[0])]
    done = ben.intent("choose", index=picks[-1])
    assert done["decided"] is True and done["team"]["last"]["captain"] == ben.team["you"]
    wait_for(lambda: cleo.seq == point + 1, "Cleo sees the decision", [cleo])
    with Store(db_url).engine.connect() as conn:
        assert conn.execute(select(seats.c.captain)).scalar() == ben.team["you"]
        chosen = [json.loads(x) for x, in conn.execute(select(actions.c.action).order_by(actions.c.seq))]
    assert [x["choose"] for x in chosen if "choose" in x] == [0, picks[-1]]
    # Ana comes back, through B: Ben stays captain, and she sees the decision taken without her
    ana2 = on(b, ana, tmp_path)
    back = ana2.open()
    assert back["team"]["captain"] == ben.team["you"] and back["seq"] == point + 1
    assert back["team"]["last"]["index"] == picks[-1]
    # a captain is only stored over the one it replaces: a process that computed from an older captain loses
    store = Store(db_url)
    assert isinstance(store.write_now(Store.op_captain(ana.seat, captain, captain))[0], Conflict)
    assert store.write_now(Store.op_captain(ana.seat, ben.team["you"], ben.team["you"]))[0] is None
    for c in (ana2, ben, cleo):
        c.close()


def test_a_lockstep_round_closed_on_one_process_ends_the_window_with_the_other_processes_proposals(
        host, tmp_path, db_url, no_rate_limit):
    a, b, sid, secret = team_on_two_processes(host, db_url, "lockstep", "majority:600")
    ana, ben = member(a, a.code, "Ana", tmp_path), member(b, a.code, "Ben", tmp_path)
    wait_for(lambda: names(ben) == {"Ana": True, "Ben": True}, "Ana connected, as B hears it", [ben])
    fac = Facilitator(b, sid, secret)  # on B
    fac.control("start")
    wait_for(lambda: ana.room.get("open"), "round 1 open on A", [ana])
    assert ana.intent("choose", index=0)["decided"] is False  # 1 of 2 voters
    wait_for(lambda: proposals(ben) == [("Ana", 0)], "Ana's proposal on B", [ben])
    # B closes the round: the window ends with it, on the proposal B heard from A
    fac.control("close_round")
    for c in (ana, ben):
        wait_for(lambda c=c: c.seq == 1 and (c.team["last"] or {}).get("how") == "round", f"{c.name} sees it", [c])
    assert ana.team["last"]["votes"][0]["name"] == "Ana"
    fac.until(lambda d: d["seats"][0]["decisions"] == 1, "the team's decision")
    for c in (ana, ben):
        c.close()


def test_a_window_that_ends_on_both_processes_decides_once(host, tmp_path, db_url, no_rate_limit):
    """Every process runs the window's timer: both fire when it ends, one decision is stored, and both
    processes' members see that one."""
    a, b, sid, secret = team_on_two_processes(host, db_url, "free", "majority:5")
    ana, ben = member(a, a.code, "Ana", tmp_path), member(b, a.code, "Ben", tmp_path)
    wait_for(lambda: names(ben) == {"Ana": True, "Ben": True}, "Ana connected, as B hears it", [ben])
    Facilitator(b, sid, secret).control("start")
    wait_for(lambda: ana.room.get("started"), "the start on A", [ana])
    mine = ana.intent("choose", index=0)
    assert mine["decided"] is False  # 1 of 2 voters: the window decides
    wait_for(lambda: proposals(ben) == [("Ana", 0)], "Ana's proposal on B", [ben])
    for c in (ana, ben):
        wait_for(lambda c=c: c.seq == 1, f"{c.name} sees the window's decision", [c])
        assert c.team["last"] is not None and c.team["last"]["point"] == 0  # with the seat's step, its record
    assert ana.team["last"]["how"] == ben.team["last"]["how"] == "window"
    assert ana.team["last"] == ben.team["last"]  # the one stored, wherever it was taken
    with Store(db_url).engine.connect() as conn:
        rows = [json.loads(t) for t, in conn.execute(select(actions.c.team))]
    assert len(rows) == 1 and rows[0]["decided"] == ana.team["last"]["decided"]
    for c in (ana, ben):
        c.close()


def test_a_process_whose_team_decision_or_captain_lost_takes_the_stored_one(tmp_path, db_url, no_rate_limit,
                                                                           monkeypatch):
    """One hub in this process; "another process" is a second Store on the same database whose writes this hub
    has not heard of yet (the race, frozen): the hub's team seat for a team another process made first, its
    decision for a point another process decided first, and its hand-over computed from a captain another
    process already replaced, all lose to what is stored, and the hub's members are shown what is stored."""
    from sqlalchemy import insert, update

    from classroom import keys
    from classroom import teams as T

    from .conftest import InProcess, control, hello_facilitator, intent
    from .test_team_server import hello_member, team_push

    srv = InProcess(tmp_path, url=db_url)
    other = Store(db_url)
    with srv.client:
        room = srv.hub.create_now("tutorial", "free", 3, None, T.config(1, T.parse_rule("majority:600")))
        # the other process made Team 1's seat a moment ago (its announcement not here yet): Ana, joining here,
        # joins that seat; the session never has two seats for one team
        with other.engine.begin() as conn:
            made = conn.execute(insert(seats).values(session_id=room.id, name="Team 1", created_at=time.time(),
                                                     token_hash=keys.token_hash(keys.secret()), team=1))
            made = made.inserted_primary_key[0]
        with srv.connect() as fac, srv.connect() as a, srv.connect() as b, srv.connect() as c:
            hello_facilitator(fac, room)
            wa, wb, wc = (hello_member(ws, room.code, n) for ws, n in ((a, "Ana"), (b, "Ben"), (c, "Cleo")))
            assert wa["seat"] == wb["seat"] == wc["seat"] == made
            ana, cleo = wa["team"]["you"], wc["team"]["you"]
            assert wa["team"]["captain"] == ana
            control(fac, room, "start")
            assert intent(a, 0, "choose", mid=1, index=0)["decided"] is False  # 1 of 3
            # the other process's window ended first: it stored the decision (its announcement not here yet)
            record = {"team": 1, "rule": "majority", "window": 600, "how": "window", "tied": False, "index": 0,
                      "for": 1, "voters": 3, "captain": ana, "opened": time.time(), "decided": time.time(),
                      "point": 0, "text": "", "votes": [{"member": ana, "name": "Ana", "index": 0, "at": time.time()}]}
            with other.engine.begin() as conn:
                conn.execute(insert(actions).values(seat_id=wa["seat"], seq=0, action=json.dumps({"choose": 0}),
                                                    round=0, at=time.time(), team=json.dumps(record)))
            # Ben's proposal here makes 2 of 3: this process's decision loses; Ben is told the stored one
            reply = intent(b, 0, "choose", mid=2, index=0)
            assert reply["type"] == "ack" and reply["decided"] is True and reply["seq"] == 1
            assert reply["team"]["last"]["how"] == "window" and reply["team"]["proposals"] == []
            seen = team_push(c, lambda t: t["seq"] == 1 and (t["team"]["last"] or {}).get("how") == "window")
            assert seen["snapshot"]["status"] == "outcome"
            assert srv.hub.replica.conflicts == 1
            with other.engine.connect() as conn:
                assert len(conn.execute(select(actions.c.id)).all()) == 1
            # the other process made Cleo captain (not announced here); Ana leaves, and when her grace runs
            # out this process hands over from Ana to Ben: it loses, and takes Cleo
            with other.engine.begin() as conn:
                conn.execute(update(seats).where(seats.c.id == wa["seat"]).values(captain=cleo))
            a.close()
            team_push(b, lambda t: not next(m for m in t["team"]["members"] if m["member"] == ana)["connected"])
            team = room.teams.teams[1]
            desk = srv.hub.teams
            monkeypatch.setattr(desk, "clock", lambda: time.time() + desk.grace + 1)
            srv.client.portal.call(desk._refresh_captain, room, team)
            assert team.captain == cleo
            assert team_push(b, lambda t: t["team"]["captain"] == cleo)["team"]["captain"] == cleo
    with other.engine.connect() as conn:
        assert conn.execute(select(seats.c.id, seats.c.captain)).all() == [(made, cleo)]
