"""Several `balcony host` processes sharing one PostgreSQL database (classroom/replica.py): players and the
facilitator on different processes see each other live; one process killed with SIGKILL mid-round, its
clients move to the other and finish with nothing lost and nothing applied twice; two processes given the
same seat's intent at the same moment apply exactly one; pause, the timer and the leaderboard cross
processes and the timer outlives the process that started it; a replica catches up what it missed (a
gap, a seat or session it has not heard of, an action that lost); a second process on one SQLite file is
refused."""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time

import pytest
from engine import Run, load_scenario
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from classroom.client import ClassError, Connection, RemoteRun, TokenStore, ws_url
from classroom.room import apply_stored
from classroom.store import Store

from .conftest import ROOT, TUTORIAL

#: only PostgreSQL is shared by several processes (the fixture skips, with its reason, where it cannot start one)
on_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def stats(h) -> dict:
    import urllib.request
    with urllib.request.urlopen(h.base + "/stats", timeout=10) as r:
        return json.loads(r.read())


class Facilitator(threading.Thread):
    """Runs a lock-step session from the dashboard like a person in a hurry: waits for everyone, starts,
    closes each round once every seat still playing has chosen, reveals, opens the next. Reconnects to
    `self.address` when its process dies."""

    def __init__(self, address: str, session: str, secret: str, players: int):
        super().__init__(daemon=True)
        self.address, self.session, self.secret, self.players = address, session, secret, players
        self.dash = None
        self.max_connected = 0      # the most seats the dashboard showed connected before starting
        self.rounds_closed = 0
        self.reconnects = 0
        self.error = None
        self.done = threading.Event()
        self._ids = iter(range(1, 10**9))

    def run(self):
        try:
            self._run()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def control(self, ws, action):
        mid = next(self._ids)
        ws.send(json.dumps({"v": 1, "type": "control", "id": mid, "session": self.session, "action": action}))
        while True:
            msg = json.loads(ws.recv(timeout=20))
            self._take(msg)
            if msg.get("id") == mid:
                return msg

    def _take(self, msg):
        if msg["type"] in ("welcome", "dashboard"):
            self.dash = msg["dashboard"]
        elif msg["type"] == "done":
            self.dash["control"] = msg["control"]

    def _run(self):
        deadline = time.monotonic() + 90
        self.started, connections = False, 0
        while time.monotonic() < deadline:
            try:
                with connect(ws_url(self.address), open_timeout=10) as ws:
                    connections += 1
                    self.reconnects = connections - 1
                    ws.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": self.session,
                                        "secret": self.secret}))
                    if self._follow(ws, deadline):
                        return
            except (OSError, ConnectionClosed):  # its process died: to the other one
                time.sleep(0.2)
        raise AssertionError("the facilitator did not see the session to its end in 90 s")

    def _follow(self, ws, deadline) -> bool:
        while time.monotonic() < deadline:
            try:
                self._take(json.loads(ws.recv(timeout=0.3)))
            except TimeoutError:
                pass
            if self.dash is None:
                continue
            c, seats = self.dash["control"], self.dash["seats"]
            if not self.started:
                connected = sum(1 for s in seats if s["connected"])
                self.max_connected = max(self.max_connected, connected)
                if len(seats) == self.players and connected == self.players:
                    assert self.control(ws, "start")["type"] == "done"
                    self.started = True
                continue
            playing = [s for s in seats if s["status"] != "ended"]
            if not playing:
                if not c["ended"]:
                    self.control(ws, "end")
                self.done.set()
                return True
            if c["open"] and all(s["decisions"] >= c["round"] for s in playing):
                for action in ("close_round", "reveal", "next_round"):
                    reply = self.control(ws, action)
                    assert reply["type"] == "done", reply
                self.rounds_closed += 1
        return False


def play_lockstep(conn: Connection, acks: list, reveals: list, k: int, gate: threading.Event | None = None):
    """One player: one decision per open round, moving on from outcomes, to the balcony now and then."""
    run = RemoteRun(conn)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        snap = run.snapshot()
        room = conn.room
        if snap.status == "ended" or room.get("ended"):
            return
        try:
            if snap.status == "outcome":
                run.advance()
            elif not room.get("open") or room.get("paused") or snap.decisions >= room.get("round", 0):
                conn.wait_change(0.2)
                continue
            elif gate is not None and snap.decisions == 2 and not gate.is_set():
                gate.wait(30)  # holds round 3 open until the other process has been killed
                continue
            elif snap.attention_left and snap.balcony is None and (snap.decisions + k) % 3 == 0:
                run.perceive("balcony")
            else:
                avail = snap.available_choices
                run.choose(avail[(snap.decisions + k) % len(avail)].index)
        except ClassError as e:
            if e.code in ("round_closed", "round_done", "paused", "not_started"):
                conn.wait_change(0.2)
                continue
            raise
        acks.append(1)
    raise AssertionError(f"player {k} did not finish in 90 s")


@on_postgresql
def test_two_processes_share_a_lockstep_session_and_survive_one_killed(host, tmp_path, db_url):
    a = host("--scenario", "tutorial", "--mode", "lockstep", "--seed", "5", db=db_url)
    b = host(db=db_url)  # started after: it loads the session from the database
    assert b.codes == [a.code]
    sid, secret = a.session()
    n = 4
    reveals = [[] for _ in range(n)]
    leaderboards = [[] for _ in range(n)]

    def on_push(i):
        def push(msg):
            if msg.get("type") == "reveal":
                reveals[i].append(msg)
            elif msg.get("type") == "leaderboard":
                leaderboards[i].append(msg)
        return push
    # players 0 and 1 on A, 2 and 3 on B; the facilitator on A
    players = [Connection((a if i < 2 else b).address, a.code, f"P{i}", TokenStore(tmp_path / f"seat{i}.json"),
                          on_push=on_push(i)) for i in range(n)]
    for p in players:
        p.open()
    fac = Facilitator(a.address, sid, secret, n)
    fac.start()
    gate = threading.Event()
    acks = [[] for _ in range(n)]
    threads = [threading.Thread(target=play_lockstep, args=(p, acks[i], reveals[i], i, gate if i == 3 else None),
                                daemon=True) for i, p in enumerate(players)]
    for t in threads:
        t.start()
    # round 3 open, A's players have made its decision, B's player 3 holds back: kill A mid-round
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(p.snapshot_dict["decisions"] >= 3 for p in players[:2]):
        time.sleep(0.01)
    assert all(p.snapshot_dict["decisions"] >= 3 for p in players[:2]), [p.snapshot_dict["decisions"] for p in players]
    assert fac.dash["control"]["round"] == 3 and fac.dash["control"]["open"]
    before_kill = stats(a)["replication"]
    fac.address = b.address  # what the reverse proxy does once A stops answering
    for p in players[:2]:
        p.url = ws_url(b.address)
    a.kill()
    gate.set()
    for t in threads:
        t.join(90)
    fac.join(90)
    assert fac.error is None, fac.error
    assert not any(t.is_alive() for t in threads) and fac.done.is_set()
    # before the kill, A heard B's players: connected (the facilitator waited for all four) and their choices
    # (it closed rounds 1 and 2 only once B's players had chosen)
    assert fac.max_connected == n
    assert before_kill["applied"] > 0
    assert fac.reconnects >= 1 and all(p.reconnects >= 1 for p in players[:2])
    assert fac.rounds_closed >= 5
    # nothing acknowledged is lost and nothing is applied twice: each seat's stored actions are exactly the
    # intents its player saw acknowledged, and replay to the state the player last saw, an ending
    scenario = load_scenario(TUTORIAL)
    stored = Store(db_url).load_all()[0]
    assert stored["control"]["ended"]
    for seat, acked, p in zip(stored["seats"], acks, players):
        assert [q for q, _, _ in seat["actions"]] == list(range(len(acked)))
        run = Run(scenario, 5)
        for _, action, _ in seat["actions"]:
            apply_stored(run, action)
        assert run.status == "ended"
        assert json.loads(json.dumps(run.snapshot().to_dict())) == p.snapshot_dict
    # every reveal every player saw, on either process, counted exactly the choices stored in that round
    chosen = {}
    for seat in stored["seats"]:
        for _, action, round_ in seat["actions"]:
            if "choose" in action:
                chosen[round_] = chosen.get(round_, 0) + 1
    for i in range(n):
        assert reveals[i], f"player {i} saw no reveal"
        for r in reveals[i]:
            assert sum(d["total"] for d in r["decisions"]) == chosen[r["round"]], (i, r["round"])
    # the end reached everyone, on B, with everyone's score
    for i in range(n):
        assert leaderboards[i] and leaderboards[i][-1]["of"] == n
    assert stats(b)["replication"]["applied"] > 0
    for p in players:
        p.close()


@on_postgresql
def test_two_processes_given_one_seats_intent_at_once_apply_exactly_one(host, db_url):
    a = host(db=db_url)
    b = host(db=db_url)
    # a session created on B (by the host key, which both share) is joined with its code on A
    with connect(b.ws, open_timeout=10) as ws:
        ws.send(json.dumps({"v": 1, "type": "hello", "role": "host", "key": b.host_key}))
        ws.send(json.dumps({"v": 1, "type": "create", "id": 1, "scenario": "tutorial", "mode": "free", "seed": 8}))
        while (msg := json.loads(ws.recv(timeout=20)))["type"] != "created":
            assert msg["type"] != "error", msg
        session = msg["session"]
    assert a.host_key == b.host_key
    with connect(a.ws, open_timeout=10) as wa, connect(b.ws, open_timeout=10) as wb, \
            connect(a.ws, open_timeout=10) as fac:
        wa.send(json.dumps({"v": 1, "type": "hello", "role": "player", "code": session["code"], "name": "Pat"}))
        welcome = until(wa, "welcome")
        # the same seat opened on B too (a second device whose connection went to the other process)
        wb.send(json.dumps({"v": 1, "type": "hello", "role": "player", "code": session["code"],
                            "token": welcome["token"]}))
        assert until(wb, "welcome")["seat"] == welcome["seat"]
        fac.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": session["session"],
                             "secret": session["secret"]}))
        fac.send(json.dumps({"v": 1, "type": "control", "id": 1, "session": session["session"], "action": "start"}))
        assert until(fac, "done")["control"]["started"]
        for ws in (wa, wb):  # both processes know it has started
            until(ws, "room", test=lambda m: m["room"]["started"])
        snap, seq, results, mid = welcome["snapshot"], 0, [], 1
        barrier = threading.Barrier(2)
        while snap["status"] != "ended" and mid < 25:  # under the rate limit of 30 messages at once
            mid += 1
            if snap["status"] == "outcome":
                intents = [{"action": "advance"}, {"action": "advance"}]
            else:
                avail = [c["index"] for c in snap["choices"] if c["available"]]
                intents = [{"action": "choose", "index": avail[0]}, {"action": "choose", "index": avail[-1]}]
            replies = [None, None]

            def send(i, ws, m=mid, s=seq):
                barrier.wait(10)
                ws.send(json.dumps({"v": 1, "type": "intent", "id": m, "seq": s, **intents[i]}))
                replies[i] = until(ws, "ack", "error", test=lambda r: r.get("id") == m)
            ts = [threading.Thread(target=send, args=(i, ws)) for i, ws in enumerate((wa, wb))]
            for t in ts:
                t.start()
            for t in ts:
                t.join(30)
            kinds = sorted(r["type"] for r in replies)
            assert kinds == ["ack", "error"], replies
            won = next(i for i, r in enumerate(replies) if r["type"] == "ack")
            lost = replies[1 - won]
            assert lost["code"] == "stale"
            # the loser is told the real state: the winner's
            assert lost["seq"] == replies[won]["seq"] == seq + 1 and lost["snapshot"] == replies[won]["snapshot"]
            results.append(intents[won])
            snap, seq = replies[won]["snapshot"], seq + 1
    # exactly the acknowledged intents are stored, once each, in order
    stored = Store(db_url).load_all()
    rows = next(s for s in stored if s["id"] == session["session"])["seats"][0]["actions"]
    assert [q for q, _, _ in rows] == list(range(len(results)))
    for (_, action, _), sent in zip(rows, results):
        assert action == ({"choose": sent["index"]} if sent["action"] == "choose" else {"advance": True})
    # and at least some of the races were settled by the database, not by one process hearing of the other
    conflicts = stats(a)["replication"]["conflicts"] + stats(b)["replication"]["conflicts"]
    assert conflicts >= 1, f"none of {len(results)} races reached the database"


def until(ws, *types, test=lambda m: True):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        msg = json.loads(ws.recv(timeout=20))
        if msg["type"] in types and test(msg):
            return msg
        assert msg["type"] != "error" or "error" in types, msg
    raise AssertionError(f"no {types}")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_second_process_on_one_sqlite_file_is_refused(host, tmp_path, db_url):
    first = host(db=db_url)
    second = subprocess.run([sys.executable, "-m", "game", "host", "--port", "0", "--db", db_url],
                            capture_output=True, text=True, timeout=60, cwd=ROOT,
                            env={**__import__("os").environ, "BALCONY_DATA_DIR": str(tmp_path / "data")})
    assert second.returncode == 2
    assert "already serving" in second.stderr and "PostgreSQL" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.proc.poll() is None  # the first goes on serving


def wait_until(check, what: str, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.01)
    raise AssertionError(f"not within {seconds} s: {what}")


def next_action(snap) -> dict:
    if snap.status == "outcome":
        return {"advance": True}
    return {"choose": snap.available_choices[-1].index}


@on_postgresql
def test_a_replica_follows_another_process_and_catches_up_what_it_missed(tmp_path, db_url, no_rate_limit):
    """One hub in this process; "another process" is a second Store on the same database (its own origin,
    so its announcements are heard). What it stores with an announcement is applied; what the hub missed
    is read from the database (a gap, a seat or session not heard of); an action that lost to the other's
    is taken back and the player told the real state; a control the other stored is adopted."""
    from sqlalchemy import insert

    from classroom import keys
    from classroom.store import Conflict, actions, seats, sessions

    from .conftest import InProcess, control, hello_facilitator, hello_player, intent, recv

    srv = InProcess(tmp_path, url=db_url)
    other = Store(db_url)
    assert other.origin != srv.store.origin

    def unannounced(table, **row):  # another process's write whose announcement this hub missed
        with other.engine.begin() as c:
            return c.execute(insert(table).values(**row)).inserted_primary_key[0]

    with srv.client:
        room = srv.room("free", seed=3)
        hub = srv.hub
        with srv.connect() as fac, srv.connect() as p1, srv.connect() as p2:
            hello_facilitator(fac, room)
            w1, w2 = hello_player(p1, room.code, "One"), hello_player(p2, room.code, "Two")
            control(fac, room, "start")
            seat = room.seats[w1["seat"]]
            twin = Run(room.scenario, 3)  # what the database holds for seat One
            # announced: applied
            act = next_action(twin.snapshot())
            apply_stored(twin, act)
            other.write_now(Store.op_action(seat.id, 0, act, 0))
            wait_until(lambda: seat.seq == 1, "the announced step applied")
            # one step missed, the next announced: a gap, read from the database
            for seq in (1, 2):
                act = next_action(twin.snapshot())
                apply_stored(twin, act)
                if seq == 1:
                    unannounced(actions, seat_id=seat.id, seq=1, action=json.dumps(act), round=0, at=time.time())
                else:
                    other.write_now(Store.op_action(seat.id, 2, act, 0))
            wait_until(lambda: seat.seq == 3, "the gap caught up")
            assert hub.replica.gaps >= 1
            assert seat.run.snapshot() == twin.snapshot()
            # the other process takes step 3 first (unannounced), then this hub's player sends step 3:
            # exactly one is stored, and the player is told `stale` with the stored state
            theirs = next_action(twin.snapshot())
            apply_stored(twin, theirs)
            unannounced(actions, seat_id=seat.id, seq=3, action=json.dumps(theirs), round=0, at=time.time())
            snap = seat.run.snapshot()
            mine = ({"action": "advance"} if snap.status == "outcome" else
                    {"action": "choose", "index": snap.available_choices[0].index})
            reply = intent(p1, 3, mid=7, **mine)
            assert reply["type"] == "error" and reply["code"] == "stale", reply
            assert reply["seq"] == 4 and reply["snapshot"] == json.loads(json.dumps(twin.snapshot().to_dict()))
            assert hub.replica.conflicts == 1
            stored = other.seat_actions(seat.id)
            assert [a for _, a, _ in stored][3] == theirs and len(stored) == 4
            # the room's distribution counts what is stored, nothing more
            chosen = sum(1 for _, a, _ in stored if "choose" in a)
            assert sum(d.view()["total"] for d in room.decisions.values()) == chosen
            # a control the other process stored is adopted and told to this hub's players
            new = {**room.control, "paused": True, "rev": room.control["rev"] + 1}
            other.write_now(Store.op_control(room.id, new))
            while not recv(p2, "room")["room"]["paused"]:
                pass
            assert room.control["paused"]
            # a control computed from a revision that is no longer stored is refused
            stale_control = {**new, "paused": False}
            assert isinstance(other.write_now(Store.op_control(room.id, stale_control))[0], Conflict)
            # this hub's facilitator builds on the adopted revision
            assert control(fac, room, "resume")["control"]["rev"] == new["rev"] + 1
            # a seat that joined through the other process, unannounced: its token still works here
            token = keys.secret()
            far = unannounced(seats, session_id=room.id, name="Far", token_hash=keys.token_hash(token),
                              created_at=time.time())
            with srv.connect() as p3:
                assert hello_player(p3, room.code, token=token)["seat"] == far
        # a session another process created: announced, it is known here; unannounced, its code still works
        made, row = hub._new_room("tutorial", "free", 4, None)
        other.write_now(Store.op_session(row))
        wait_until(lambda: made.code in hub.by_code, "the announced session loaded")
        made2, row2 = hub._new_room("tutorial", "free", 4, None)
        unannounced(sessions, **{**row2, "control": json.dumps(row2["control"])})
        assert made2.code not in hub.by_code
        with srv.connect() as p4:
            assert hello_player(p4, made2.code, "Late")["session"] == made2.id


@on_postgresql
def test_pause_the_timer_and_the_leaderboard_reach_the_other_process_and_the_timer_outlives_its_own(
        host, tmp_path, db_url):
    a = host("--scenario", "tutorial", "--mode", "lockstep", "--seed", "6", db=db_url)
    b = host(db=db_url)
    sid, secret = a.session()
    player = Connection(b.address, a.code, "Bea", TokenStore(tmp_path / "bea.json"))
    player.open()
    ids = iter(range(1, 100))

    def control(fac, action, **fields):
        mid = next(ids)
        fac.send(json.dumps({"v": 1, "type": "control", "id": mid, "session": sid, "action": action, **fields}))
        reply = until(fac, "done", "error", test=lambda m: m.get("id") == mid)
        assert reply["type"] == "done", reply
        return reply["control"]

    @contextlib.contextmanager
    def facilitator(h):
        with connect(h.ws, open_timeout=10) as fac:
            fac.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": sid, "secret": secret}))
            until(fac, "welcome")
            yield fac

    with facilitator(a) as fac:  # on A; the player on B
        control(fac, "timer", seconds=10)
        started = control(fac, "start")
        wait_until(lambda: player.room.get("open") and player.room.get("deadline") == started["deadline"],
                   "the round and its deadline on B")
        control(fac, "pause")
        wait_until(lambda: player.room.get("paused") and player.room.get("deadline") is None, "the pause on B")
        resumed = control(fac, "resume")
        wait_until(lambda: not player.room.get("paused") and player.room.get("deadline") == resumed["deadline"],
                   "the resume on B, with what was left of the round")
        control(fac, "leaderboard", on=True)
        wait_until(lambda: player.leaderboard is not None and player.leaderboard["of"] == 1, "the leaderboard on B")
        paused = control(fac, "pause")
        wait_until(lambda: player.room.get("paused"), "the second pause on B")
    # A dies with the round open and paused; the facilitator goes on from B; B's timer closes the round
    a.kill()
    with facilitator(b) as fac:
        resumed = control(fac, "resume")
        assert 0 < resumed["deadline"] - time.time() <= paused["left"]
        wait_until(lambda: player.room.get("open") is False, "the round closed by B's timer", seconds=30)
    assert time.time() >= resumed["deadline"]
    stored = Store(db_url).load_all()[0]["control"]
    assert stored["round"] == 1 and not stored["open"] and stored["rev"] == resumed["rev"] + 1
    player.close()
