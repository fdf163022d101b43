"""The session server: a Starlette application whose WebSocket endpoint speaks the classroom protocol.

Data enters as WebSocket text frames (checked by protocol.parse), goes to the Hub, which checks who may do
what, applies intents to the seats' runs (room.Room), writes them through the store's group commit, and
only then answers. Pushes to other connections (the facilitator's dashboard, a reveal, the room's state)
go through each connection's own outbox, so a slow client never holds up the others.
"""
from __future__ import annotations

import asyncio
import collections
import gc
import logging
import time
import unicodedata
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from engine import load_scenario

from . import keys
from .protocol import MODES, RATE_STRIKES, VERSION, RateLimiter, Refused, error, parse
from .room import LOCKSTEP, Room, encode, new_control
from .store import Conflict, Store
from .teamdesk import TeamDesk

log = logging.getLogger("balcony.classroom")
STATIC = Path(__file__).resolve().parent / "static"
#: Failed joins (wrong code, wrong token, wrong secret or key) allowed per address in JOIN_WINDOW seconds.
JOIN_ATTEMPTS = 10
JOIN_WINDOW = 600.0
OUTBOX = 256            # queued pushes per connection before a client is judged too slow and closed
DASHBOARD_EVERY = 0.25  # seconds: the dashboard's pushes are coalesced to at most four a second,
DASHBOARD_ROWS = 1000   # and in larger rooms to about this many seats' rows a second (1,000 seats: one a second)

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Conn:
    """One WebSocket connection and what it has proved it is."""

    def __init__(self, ws: WebSocket, ip: str):
        self.ws = ws
        self.ip = ip
        self.role: str | None = None  # player, facilitator, host
        self.room: Room | None = None
        self.seat = None
        self.member = None   # a team member (classroom/teams.py); their seat is the team's
        self.key = None      # their entry in Hub.players: the seat's id, or ("member", id)
        self.limiter = RateLimiter()
        self.outbox: asyncio.Queue = asyncio.Queue(maxsize=OUTBOX)
        self.closed = False
        self.close_code: int | None = None

    def push(self, msg: dict) -> None:
        if self.closed:
            return
        try:
            self.outbox.put_nowait(encode(msg))
        except asyncio.QueueFull:  # a client that reads nothing: close it rather than hold its messages
            self.close(1008)

    def close(self, code: int) -> None:
        if not self.closed:
            self.closed, self.close_code = True, code
            try:
                self.outbox.put_nowait(None)
            except asyncio.QueueFull:
                pass


class Hub:
    """Every session on this server, and everyone connected to them."""

    def __init__(self, store: Store, scenarios: dict[str, Path] | None = None, titles: dict[str, str] | None = None):
        self.store = store
        self.scenarios: dict[str, Path] = dict(scenarios or {})   # what sessions may be created from
        self.titles = dict(titles or {})  # their titles, read from metadata: nothing is loaded until used
        self._loaded: dict[str, object] = {}
        self.rooms: dict[str, Room] = {}
        self.by_code: dict[str, Room] = {}
        self.players: dict[str, dict[int, Conn]] = collections.defaultdict(dict)
        self.facilitators: dict[str, set] = collections.defaultdict(set)
        self.failures: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self.locks: dict[str, asyncio.Lock] = collections.defaultdict(asyncio.Lock)
        self.host_key = store.setting("host_key", keys.secret)
        self._dash_pending: set = set()
        #: seconds from reading each intent to queueing its ack (the commit included), the latest 100,000
        self.ack_times: collections.deque = collections.deque(maxlen=100_000)
        self._timers: dict[str, asyncio.Task] = {}
        self.tasks: set = set()
        #: one write in flight per seat, so that the database's step arbitrates between processes (seat id -> lock)
        self.seat_locks: dict[int, asyncio.Lock] = {}
        #: several processes sharing a PostgreSQL database keep each other's replicas in step (replica.py)
        self.replica = None
        if store.shared:
            from .replica import Replica
            self.replica = Replica(self)
        self.teams = TeamDesk(self)

    # --- sessions -----------------------------------------------------------------
    def scenario(self, path) -> object:
        key = str(Path(path).resolve())
        if key not in self._loaded:
            self._loaded[key] = load_scenario(path)
        return self._loaded[key]

    def load(self) -> list[Room]:
        """Rebuild every stored session by replaying its seats' actions."""
        for row in self.store.load_all():
            self._register(self.room_from_row(row))
        return list(self.rooms.values())

    def room_from_row(self, row: dict) -> Room:
        """A stored session (store.load_all's row) rebuilt in memory. The scenario is the stored path or,
        where that path is not on this machine (another server process created the session), this
        server's scenario of the same id."""
        path = row["scenario_path"]
        if not Path(path).exists() and row["scenario_id"] in self.scenarios:
            path = self.scenarios[row["scenario_id"]]
        scenario = self.scenario(path)
        if scenario.version != row["scenario_version"]:
            log.warning("session %s: scenario %s is now version %s (stored %s); replaying anyway",
                        row["id"], scenario.id, scenario.version, row["scenario_version"])
        room = Room(id=row["id"], code=row["code"], secret=row["secret"], scenario=scenario,
                    scenario_path=row["scenario_path"], mode=row["mode"], seed=row["seed"],
                    control=row["control"], created_at=row["created_at"])
        for seat in row["seats"]:
            room.restore_seat(seat["id"], seat["name"], seat["token_hash"], seat["actions"])
            if seat.get("team") is not None and room.teams is not None:
                room.by_token.pop(seat["token_hash"], None)
                self.teams.restore(room, seat)
        return room

    def seat_lock(self, seat) -> asyncio.Lock:
        lock = self.seat_locks.get(seat.id)
        if lock is None:
            lock = self.seat_locks[seat.id] = asyncio.Lock()
        return lock

    def _register(self, room: Room) -> None:
        self.rooms[room.id] = room
        if not room.control["ended"]:
            self.by_code[room.code] = room

    def _new_room(self, scenario_key: str, mode: str, seed: int | None, seconds: int | None,
                  teams: dict | None = None) -> tuple[Room, dict]:
        if mode not in MODES:
            raise Refused("invalid", f"mode is one of {', '.join(MODES)}")
        path = self.scenarios.get(scenario_key)
        if path is None:
            raise Refused("unknown_scenario", f"this server offers no scenario {scenario_key!r}; "
                                              f"it offers {', '.join(sorted(self.scenarios)) or 'none'}")
        scenario = self.scenario(path)
        code = keys.join_code()
        while code in self.by_code or any(r.code == code for r in self.rooms.values()):
            code = keys.join_code()
        seed = seed if seed is not None else int.from_bytes(__import__("os").urandom(3), "big")
        room = Room(id=keys.session_id(), code=code, secret=keys.secret(), scenario=scenario,
                    scenario_path=str(Path(path).resolve()), mode=mode, seed=seed, control=new_control(mode, seconds, teams))
        row = {"id": room.id, "code": room.code, "secret": room.secret, "scenario_path": room.scenario_path,
               "scenario_id": scenario.id, "scenario_version": scenario.version, "mode": mode, "seed": seed,
               "control": room.control, "created_at": room.created_at}
        return room, row

    def create_now(self, scenario_key: str, mode: str, seed: int | None = None, seconds: int | None = None,
                   teams: dict | None = None) -> Room:
        """Create a session before the server runs (the command line). `teams`: teams.config(...), or None."""
        room, row = self._new_room(scenario_key, mode, seed, seconds, teams)
        self.store.write_now(Store.op_session(row))
        self._register(room)
        return room

    async def create(self, scenario_key: str, mode: str, seed: int | None, seconds: int | None,
                     teams: dict | None = None) -> Room:
        room, row = self._new_room(scenario_key, mode, seed, seconds, teams)
        await self.store.write(Store.op_session(row))
        self._register(room)
        return room

    def start(self) -> None:
        """Called once the event loop runs: timers of rounds that were open when the server stopped."""
        for room in self.rooms.values():
            self._arm_timer(room)
        self.teams.start()

    # --- failures per address --------------------------------------------------------
    def _check_attempts(self, ip: str) -> None:
        q = self.failures[ip]
        now = time.monotonic()
        while q and now - q[0] > JOIN_WINDOW:
            q.popleft()
        if len(q) >= JOIN_ATTEMPTS:
            raise Refused("too_many_attempts", "Too many wrong codes from this address: try again in a few minutes.",
                          close=1008)

    def _failed(self, ip: str) -> None:
        self.failures[ip].append(time.monotonic())

    # --- messages ----------------------------------------------------------------------
    async def handle(self, conn: Conn, msg: dict) -> None:
        kind = msg["type"]
        if kind == "ping":
            conn.push({"v": VERSION, "type": "pong", **({"id": msg["id"]} if "id" in msg else {})})
            return
        if kind == "hello":
            if conn.role is not None:
                raise Refused("state", "this connection has already said hello")
            await self.hello(conn, msg)
            return
        if conn.role is None:
            raise Refused("hello_first", "say hello first (see the protocol reference)")
        if kind == "intent":
            if conn.role != "player":
                raise Refused("forbidden", "only a player sends intents, for their own seat")
            await self.intent(conn, msg)
        elif kind == "control":
            if conn.role not in ("facilitator", "host"):
                raise Refused("forbidden", "only the session's facilitator may do that")
            await self.control(conn, msg)
        elif kind == "create":
            if conn.role != "host":
                raise Refused("forbidden", "only the server's host key creates sessions")
            room = await self.create(msg["scenario"], msg["mode"], msg.get("seed"), msg.get("seconds"),
                                     team_config(msg))
            conn.push({"v": VERSION, "type": "created", "id": msg["id"], "session": self._session_entry(room)})

    async def hello(self, conn: Conn, msg: dict) -> None:
        role = msg["role"]
        if not self._proves(msg):  # a secret nobody guesses passes an address locked by wrong codes
            self._check_attempts(conn.ip)
        if role == "host":
            if not keys.same(msg["key"], self.host_key):
                self._failed(conn.ip)
                raise Refused("unauthorised", "that is not this server's host key")
            conn.role = "host"
            conn.push({"v": VERSION, "type": "welcome", "role": "host",
                       "scenarios": [{"key": k, "title": self.titles.get(k) or self.scenario(p).title}
                                     for k, p in sorted(self.scenarios.items())],
                       "sessions": [self._session_entry(r) for r in self.rooms.values()]})
            return
        if role == "facilitator":
            room = self.rooms.get(msg["session"])
            if room is None and self.replica is not None:  # created by another process, not yet heard of
                room = await self.replica.find_session(msg["session"])
            if room is None or not keys.same(msg["secret"], room.secret):
                self._failed(conn.ip)
                raise Refused("unauthorised", "no session with that id and secret")
            conn.role, conn.room = "facilitator", room
            self.facilitators[room.id].add(conn)
            conn.push({"v": VERSION, "type": "welcome", "role": "facilitator", "session": room.id,
                       "dashboard": room.dashboard(self.connected(room))})
            return
        code = keys.normalise_code(msg["code"])
        room = self.by_code.get(code)
        if room is None and self.replica is not None:  # a session another process created, not yet heard of
            room = await self.replica.find_session(code=code)
        if room is not None and room.control["ended"] and not self._holds(room, msg.get("token")):
            room = None
        if room is None and msg.get("token"):  # a device of an ended session, back for its ending and rank
            room = next((r for r in self.rooms.values() if r.code == code and r.control["ended"]
                         and self._holds(r, msg["token"])), None)
        if room is None:
            self._failed(conn.ip)
            raise Refused("bad_code", "No session is running with that code. Check it on the projector.")
        if room.teams is not None:
            await self.teams.hello(conn, room, msg)
            return
        seat, token = None, None
        if "token" in msg:
            seat = room.by_token.get(keys.token_hash(msg["token"]))
            if seat is None and self.replica is not None:  # joined through another process
                seat = await self.replica.find_seat(room, keys.token_hash(msg["token"]))
            if seat is not None and self.replica is not None:  # its latest steps may have come from another process
                await self.replica.catch_up(room, seat)
            if seat is None and "name" not in msg:
                self._failed(conn.ip)
                raise Refused("bad_token", "This device's seat is not in that session; join with a name.")
        if seat is None:
            name = clean_name(msg["name"])
            if not name:
                raise Refused("invalid", "Type a display name.")
            name = unique_name(name, (s.name for s in room.seats.values()))
            token = keys.secret()
            seat_id = await self.store.write(Store.op_seat(room.id, name, keys.token_hash(token)))
            seat = room.add_seat(seat_id, name, keys.token_hash(token))
        old = self.players[room.id].get(seat.id)
        if old is not None and old is not conn:
            old.push({"v": VERSION, "type": "error", "code": "replaced",
                      "message": "Your seat was opened on another connection."})
            old.close(4000)
        conn.role, conn.room, conn.seat, conn.key = "player", room, seat, seat.id
        self.players[room.id][seat.id] = conn
        if self.replica is not None:
            self.replica.presence(room.id, seat.id, True)
        self.welcome(conn, room, seat, seat.name, token)

    def _proves(self, msg: dict) -> bool:
        """Whether a hello carries a secret that nobody guesses and that is right: the host key, the session's
        facilitator secret, or a rejoin token of a seat or team member in the session it names. Those pass
        an address locked by wrong codes, so that a class behind one address (a campus NAT, a proxy) that
        mistyped the code does not lock out the phones already in, nor the facilitator."""
        role = msg["role"]
        if role == "host":
            return keys.same(msg["key"], self.host_key)
        if role == "facilitator":
            room = self.rooms.get(msg["session"])
            return room is not None and keys.same(msg["secret"], room.secret)
        if not msg.get("token"):
            return False
        code = keys.normalise_code(msg["code"])
        room = self.by_code.get(code)
        rooms = [room] if room is not None else [r for r in self.rooms.values() if r.code == code]
        return any(self._holds(r, msg["token"]) for r in rooms)

    @staticmethod
    def _holds(room: Room, token: str | None) -> bool:
        """Whether this rejoin token is one of the room's seats' or team members'. An ended session's code
        no longer lets anyone join, but a device that holds a place in it may come back to its ending, its
        rank and its debrief."""
        if not token:
            return False
        hashed = keys.token_hash(token)
        return hashed in room.by_token or (room.teams is not None and hashed in room.teams.by_token)

    def welcome(self, conn: Conn, room: Room, seat, name: str, token: str | None, **extra) -> None:
        """A player's welcome, then what the room shows now (the reveal, the leaderboard)."""
        welcome = {"v": VERSION, "type": "welcome", "role": "player", "session": room.id, "name": name,
                   "room": room.room_view(), **room.seat_view(seat), **extra}
        if token:
            welcome["token"] = token
        conn.push(welcome)
        c = room.control
        if room.mode == LOCKSTEP and c["revealed"]:
            conn.push(self._reveal(room))
        if c["leaderboard"]:
            conn.push({"v": VERSION, "type": "leaderboard", **room.leaderboard_for(seat)})
        self.dashboard_soon(room)

    async def intent(self, conn: Conn, msg: dict) -> None:
        t0 = time.perf_counter()
        room, seat = conn.room, conn.seat
        if self.players[room.id].get(conn.key) is not conn:
            raise Refused("replaced", "this seat is open on another connection", close=4000)
        proposal = False
        async with self.seat_lock(seat):  # one write in flight per seat (uncontended: no wait)
            try:
                action = room.check_intent(seat, msg)
            except Refused as r:
                if r.code == "stale":  # answer with where the seat is, so the device can catch up
                    conn.push({**error(r.code, r.message, msg["id"]), **room.seat_view(seat)})
                    return
                raise
            proposal = conn.member is not None and "choose" in action  # a team member's choice is a proposal
            if not proposal and not await self.commit(room, seat, action):
                conn.push({**error("stale", "Your seat moved on elsewhere (another device); here is where you "
                                            "are.", msg["id"]), **room.seat_view(seat)})
                return
        if proposal:
            await self.teams.propose(conn, msg, action)
            return
        conn.push({"v": VERSION, "type": "ack", "id": msg["id"], **room.seat_view(seat)})
        self.ack_times.append(time.perf_counter() - t0)
        if conn.member is not None:
            self.teams.moved(room, seat, conn)
        if "choose" in action or seat.run.status == "ended":
            self.dashboard_soon(room)

    async def commit(self, room: Room, seat, action: dict, team: dict | None = None) -> bool:
        """Apply a checked action to a seat and store it before anyone hears of it: a player's intent, or a
        team's decision with its record. Call it holding `seat_lock(seat)`. False if another process stored
        this step first (the seat is then as the database has it); Refused if the engine refuses the action
        or it cannot be stored."""
        room.apply(seat, action)
        seq = seat.seq - 1
        try:
            await self.store.write(Store.op_action(seat.id, seq, action, seat.rounds[-1], team))
        except Conflict:  # another process stored this step first: take the seat as the database has it
            self.replica.conflicts += 1
            await self.replica._catch_up_locked(room, seat, rebuild=True)
            return False
        except Exception:  # noqa: BLE001 - not stored, so not accepted: take it back
            log.exception("could not store an action")
            room.rebuild_seat(seat, list(zip(range(seat.seq - 1), seat.actions[:-1], seat.rounds[:-1])))
            if self.replica is not None:  # catches up (once the seat's lock is free) if another process wrote
                self.replica.after_write(room, seat)
            raise Refused("storage", "The server could not store that; please try again.") from None
        if self.replica is not None:
            self.replica.after_write(room, seat)
        return True

    async def control(self, conn: Conn, msg: dict) -> None:
        room = conn.room if conn.role == "facilitator" else self.rooms.get(msg["session"])
        if room is None or room.id != msg["session"]:
            raise Refused("forbidden", "that is not your session")
        await self.apply_control(room, msg["action"], msg)
        conn.push({"v": VERSION, "type": "done", "id": msg["id"], "control": dict(room.control)})

    async def apply_control(self, room: Room, action: str, msg: dict) -> None:
        for _ in range(10):
            async with self.locks[room.id]:
                if action == "close_round":
                    await self.teams.settle(room)  # a team's open majority window ends with the round
                before = room.control
                new = room.control_action(action, msg)
                new["rev"] = before.get("rev", 0) + 1  # each stored control is a revision of the one before
                try:
                    await self.store.write(Store.op_control(room.id, new))
                except Conflict:  # another process changed the control first: take its, then try again
                    self.replica.control_conflicts += 1
                    fresh = await self.replica.read(self.store.controls)
                    if room.id in fresh:
                        self.control_changed(room, fresh[room.id])
                    continue
                if new["rev"] <= room.control.get("rev", 0):
                    return  # a newer revision (built on this one) was announced meanwhile, and shown
                room.control = new
            self._announce(room, before, new, action)
            return
        raise Refused("storage", "The session's controls are changing too fast; please try again.")

    def control_changed(self, room: Room, control: dict) -> None:
        """Another process stored a newer control for the room: adopt it and tell this process's clients."""
        if control.get("rev", 0) <= room.control.get("rev", 0):
            return
        before, room.control = room.control, control
        self._announce(room, before, control)

    def _announce(self, room: Room, before: dict, new: dict, action: str | None = None) -> None:
        """Tell the room's clients of a new control (`action` when this process applied it; else inferred)."""
        if new["ended"] and not before["ended"]:
            self.by_code.pop(room.code, None)  # the join code expires with the session
        self._arm_timer(room)
        self.teams.after_control(room)
        view = {"v": VERSION, "type": "room", "room": room.room_view()}
        for p in list(self.players[room.id].values()):
            p.push(view)
        if action == "reveal" or (action is None and new["revealed"] and not before["revealed"]):
            reveal = self._reveal(room)
            for p in list(self.players[room.id].values()):
                p.push(reveal)
        if new["leaderboard"] and (action in ("leaderboard", "end") if action is not None else
                                   not before["leaderboard"] or (new["ended"] and not before["ended"])):
            rows = room.scores()  # once for everyone, not once per player
            for p in list(self.players[room.id].values()):
                p.push({"v": VERSION, "type": "leaderboard", **room.leaderboard_for(p.seat, rows)})
        self.dashboard_soon(room, now=True)

    def _reveal(self, room: Room) -> dict:
        return {"v": VERSION, "type": "reveal", "round": room.control["round"],
                "decisions": room.distribution(room.control["round"])}

    def _arm_timer(self, room: Room) -> None:
        old = self._timers.pop(room.id, None)
        if old is not None:
            old.cancel()
        deadline = room.control.get("deadline")
        if deadline is None or not room.control["open"] or room.control["paused"]:
            return

        async def fire(round_=room.control["round"]):
            await asyncio.sleep(max(0.0, deadline - time.time()))
            if room.control["open"] and room.control["round"] == round_ and not room.control["paused"]:
                self._timers.pop(room.id, None)
                try:
                    await self.apply_control(room, "close_round", {})
                except Refused:
                    pass
        self._timers[room.id] = self._spawn(fire())

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def dashboard_soon(self, room: Room, now: bool = False) -> None:
        if not self.facilitators[room.id]:
            return
        if now:
            self._send_dashboard(room)
            return
        if room.id in self._dash_pending:
            return
        self._dash_pending.add(room.id)

        async def later():
            await asyncio.sleep(dashboard_every(len(room.seats)))
            self._dash_pending.discard(room.id)
            self._send_dashboard(room)
        self._spawn(later())

    def _send_dashboard(self, room: Room) -> None:
        fac = self.facilitators[room.id]
        if fac:
            msg = {"v": VERSION, "type": "dashboard", "dashboard": room.dashboard(self.connected(room))}
            for f in list(fac):
                f.push(msg)

    def connected(self, room: Room) -> set:
        """Seats connected to this process and, when several share the database, to the others."""
        return set(self.players[room.id]) if self.replica is None else self.replica.connected(room)

    def _session_entry(self, room: Room) -> dict:
        return {"session": room.id, "secret": room.secret, "code": None if room.control["ended"] else room.code,
                "scenario": room.scenario.title, "mode": room.mode, "players": len(room.teams.members) if room.teams is not None else len(room.seats),
                "ended": room.control["ended"]}

    def detach(self, conn: Conn) -> None:
        if conn.room is None:
            return
        if conn.role == "player" and self.players[conn.room.id].get(conn.key) is conn:
            del self.players[conn.room.id][conn.key]
            if conn.member is not None:
                self.teams.detach(conn)
            elif self.replica is not None:
                self.replica.presence(conn.room.id, conn.seat.id, False)
            self.dashboard_soon(conn.room)
        elif conn.role == "facilitator":
            self.facilitators[conn.room.id].discard(conn)


def team_config(msg: dict) -> dict | None:
    """A `create` message's teams (classroom/teams.py), or None for solo seats."""
    if msg.get("teams") is None:
        return None
    from . import teams
    try:
        return teams.config(teams.parse_teams(str(msg["teams"])), teams.parse_rule(msg.get("team_rule", "majority:60")))
    except ValueError as e:
        raise Refused("invalid", str(e)) from None


def dashboard_every(seats: int) -> float:
    """Seconds between two dashboards of a room with this many seats: a dashboard carries a row per seat, and
    a projector showing 1,000 seats gains nothing from four a second."""
    return max(DASHBOARD_EVERY, seats / DASHBOARD_ROWS)


#: Allocations between two young collections of Python's garbage collector (Python's default: 700). With
#: 1,000 players a server holds a few hundred thousand objects for minutes (connections, runs). At the
#: default, whatever lived a second or two (a seat's snapshot until its next step, a message in an outbox)
#: reached the oldest generation and set off a full collection every few seconds: the load benchmark saw 26
#: in three minutes, each standing the event loop still for up to 1.3 s on a loaded machine. At 50,000 the
#: same run had none, and about 20 young collections of tens of milliseconds of CPU each.
GC_YOUNG = 50_000


def tune_gc() -> None:
    """For a server process, once start-up is done: what start-up built (modules, scenarios, the sessions it
    replayed) lives as long as the process, so the collector stops walking it (gc.freeze); and young
    collections are spaced (GC_YOUNG)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


class GcPauses:
    """A gc callback: how long the event loop stood still for Python's cyclic garbage collector, by generation."""

    def __init__(self):
        self.t0 = self.c0 = 0.0
        self.count = [0, 0, 0]
        self.total = [0.0, 0.0, 0.0]
        self.cpu = [0.0, 0.0, 0.0]
        self.longest = [0.0, 0.0, 0.0]

    def __call__(self, phase, info):
        if phase == "start":
            self.t0, self.c0 = time.perf_counter(), time.thread_time()
            return
        g, took = info["generation"], time.perf_counter() - self.t0
        self.count[g] += 1
        self.total[g] += took
        self.cpu[g] += time.thread_time() - self.c0
        self.longest[g] = max(self.longest[g], took)

    def summary(self) -> dict:
        """Per generation: collections, their total and longest time, and the CPU time they took (the rest of
        the total is time the process waited for a core)."""
        return {f"gen{g}": {"count": self.count[g], "total_ms": round(self.total[g] * 1000, 1),
                            "cpu_ms": round(self.cpu[g] * 1000, 1), "longest_ms": round(self.longest[g] * 1000, 1)}
                for g in range(3)}


def unique_name(name: str, taken) -> str:
    """`name`, or, when someone in the session already has it (ignoring case), `name (2)`, `name (3)`...,
    shortened to stay within 40 characters: the projector, a team and the export can tell two Sams apart."""
    used = {t.casefold() for t in taken}
    n, out = 1, name
    while out.casefold() in used:
        n += 1
        out = f"{name[:40 - len(f' ({n})')]} ({n})"
    return out


JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner: part of how some names are written


def clean_name(name: str) -> str:
    """A display name without control or format characters (but the joiners, between two visible
    characters), spaces collapsed."""
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch in JOINERS)
    words = (w.strip(JOINERS) for w in kept.split())
    return " ".join(w for w in words if w)[:40].rstrip(" " + JOINERS)


async def _sender(conn: Conn) -> None:
    while True:
        text = await conn.outbox.get()
        if text is None:
            break
        await conn.ws.send_text(text)
    try:
        await conn.ws.close(conn.close_code or 1000)
    except Exception:  # noqa: BLE001 - already gone
        pass


async def serve_socket(hub: Hub, ws: WebSocket) -> None:
    await ws.accept()
    conn = Conn(ws, ws.client.host if ws.client else "unknown")
    sender = asyncio.get_running_loop().create_task(_sender(conn))
    try:
        while not conn.closed:
            frame = await ws.receive()
            if frame["type"] == "websocket.disconnect":
                break
            raw = frame.get("text")
            if raw is None:
                raw = frame.get("bytes")
            msg_id = None
            try:
                if not conn.limiter.allow():
                    if conn.limiter.strikes >= RATE_STRIKES:
                        raise Refused("rate", "too many messages: closing", close=1008)
                    raise Refused("rate", "too many messages: slow down")
                msg = parse(raw)
                msg_id = msg.get("id")
                await hub.handle(conn, msg)
            except Refused as r:
                conn.push(error(r.code, r.message, msg_id))
                if r.close:
                    conn.close(r.close)
    except WebSocketDisconnect:
        pass
    except Exception:  # noqa: BLE001 - one connection's bug must never take the server down
        log.exception("connection failed")
        conn.close(1011)
    finally:
        hub.detach(conn)
        if not conn.closed:
            conn.close(1000)
        try:
            await asyncio.wait_for(sender, timeout=5)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001
            sender.cancel()


def build_app(hub: Hub) -> Starlette:
    import contextlib

    from .cohort import routes as cohort_routes
    gc_pauses = GcPauses()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        hub.start()
        gc.callbacks.append(gc_pauses)
        try:
            if hub.replica is not None:  # in step with the other processes before accepting anyone
                await hub.replica.start()
            yield
            if hub.replica is not None:
                await hub.replica.stop()
        finally:
            gc.callbacks.remove(gc_pauses)
        await hub.store.close()

    async def socket(ws: WebSocket):
        await serve_socket(hub, ws)

    def page(name):
        async def endpoint(request):
            return FileResponse(STATIC / name, headers=HEADERS)
        return endpoint

    async def health(request):
        return JSONResponse({"ok": True, "protocol": VERSION, "sessions": len(hub.rooms)})

    async def stats(request):
        """Operational figures (no names, nothing per seat): acks and commits since start."""
        times, commits = sorted(hub.ack_times), sorted(hub.store.commit_times)

        def pct(values, p):
            return round(values[min(len(values) - 1, int(p / 100 * (len(values) - 1)))] * 1000, 2) if values else None
        return JSONResponse({"acks": len(times), "ack_ms_p50": pct(times, 50), "ack_ms_p99": pct(times, 99),
                             "commit_ms_p50": pct(commits, 50), "commit_ms_p99": pct(commits, 99),
                             "commits": hub.store.commits, "rows_written": hub.store.written,
                             "gc_pauses": gc_pauses.summary(),
                             "sessions": len(hub.rooms), "connections": sum(len(p) for p in hub.players.values()),
                             **({"replication": hub.replica.stats()} if hub.replica is not None else {})})

    async def export(request):
        """The session's results (classroom/export.py) for the facilitator: ?session=ID&table=seats|decisions|json,
        with the facilitator secret in the Authorization header (Bearer), never in the address. Wrong secrets
        count against the address like wrong codes."""
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import Response

        from . import export as X
        ip = request.client.host if request.client else "unknown"
        room = hub.rooms.get(request.query_params.get("session", ""))
        auth = request.headers.get("authorization", "")
        secret = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if room is None or not keys.same(secret, room.secret):
            try:  # an address locked by wrong codes is refused, but not with the right secret (unguessable)
                hub._check_attempts(ip)
            except Refused as r:
                return JSONResponse({"error": r.code, "message": r.message}, status_code=429)
            hub._failed(ip)
            return JSONResponse({"error": "unauthorised", "message": "no session with that id and secret"},
                                status_code=403)
        table = request.query_params.get("table", "json")
        if table not in ("seats", "decisions", "proposals", "json"):
            return JSONResponse({"error": "invalid", "message": "table must be seats, decisions, proposals or json"},
                                status_code=400)
        data = await run_in_threadpool(X.collect, hub.store.engine, room.id, hub.scenario)
        if table == "json":
            body, kind, name = encode(data), "application/json", f"{room.code}-export.json"
        else:
            body = {"seats": X.seats_csv, "decisions": X.decisions_csv, "proposals": X.proposals_csv}[table](data)
            kind, name = "text/csv; charset=utf-8", f"{room.code}-{table}.csv"
        return Response(body, media_type=kind, headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})

    async def root(request):
        return RedirectResponse("/play" + (f"?{request.url.query}" if request.url.query else ""))

    routes = [
        Route("/", root),
        Route("/play", page("player.html")),
        Route("/dashboard", page("dashboard.html")),
        Route("/healthz", health),
        Route("/stats", stats),
        Route("/export", export),
        *cohort_routes(hub),  # the cohort debrief: the facilitator's report, each player's own (classroom/cohort.py)
        WebSocketRoute("/ws", socket),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.hub = hub
    return app
