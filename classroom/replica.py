"""Several server processes on one PostgreSQL database: every process keeps every session in memory as a
replica, and the database is the arbiter and the log.

- What a process stores it announces with NOTIFY in the same transaction (store.Store._execute_shared):
  actions, new seats, new sessions, controls. PostgreSQL delivers the announcements when the transaction
  commits, in commit order, to every process LISTENing on the channel; each applies the others' to its
  replicas and tells its own clients (the dashboard, the room's state, a reveal, the leaderboard).
- An action is stored only if its seat has none at that step yet (the unique (seat_id, seq)). A process
  whose action lost to another's rebuilds that seat from the database and answers its client `stale` with
  the seat's real state, as for an intent resent after a lost answer. A control is stored only if the
  session's control is still the revision it was computed from; the loser reloads it and tries again.
- A replica catches up from the database whenever it could have missed something: an action announced
  beyond the step it knows (a gap), a seat or session it does not know, a player rejoining (before the
  welcome), and everything once the listening connection is (re)established.
- Who is connected where (the dashboard's "connected") is announced too, without storing it: changes
  twice a second, and every process's full list every few seconds; a process not heard from for
  PRESENCE_TTL seconds is taken to have died and its players to be gone. Team members are announced the
  same way, by member: a member connected to any process counts as connected everywhere (the majority's
  voters, the captain's hand-over), and a member opened on a second device through another process
  closes the first, as on one process.
- Teams (classroom/teamdesk.py) are replicated like the rest: a new team seat, a member, a proposal and a
  new captain are announced when stored and applied to every process's TeamBook; a team's decision is an
  action whose announcement carries its record. A team whose announcements do not fit what a replica
  knows (a member it has not heard of, a proposal for a step beyond its own) is read again from the
  database (TeamDesk.reload), as a seat is.

Nothing here runs on SQLite, which serves one process (classroom/store.single_process_lock).
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from engine import BalconyError

from .store import CHANNEL

log = logging.getLogger("balcony.classroom.replica")

HEARTBEAT = 5.0        # seconds between a process's full lists of who is connected to it
PRESENCE_TTL = 16.0    # seconds without news after which a process's players are taken to be gone
PRESENCE_EVERY = 0.5   # seconds: connects and disconnects are announced in batches this often
RECONNECT = (0.2, 0.5, 1.0, 2.0, 5.0)
HEARTBEAT_SEATS = 500  # seat ids per heartbeat event (a payload stays under PostgreSQL's 8,000 bytes)


class Replica:
    """The fan-out for one hub: listens, applies the other processes' announcements, catches up."""

    def __init__(self, hub):
        self.hub = hub
        self.ttl, self.heartbeat = PRESENCE_TTL, HEARTBEAT  # balcony host may shorten them (set_presence_ttl)
        self.store = hub.store
        self.origin = self.store.origin
        self._reads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="classroom-read")
        self._conn = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = False
        self.dirty: set[int] = set()            # seats announced while this process had a write in flight
        self._seat_rooms: dict = {}             # seat id -> Room
        # presence: origin -> session id -> {seat id: last heard (monotonic)}
        self.remote: dict[str, dict[str, dict[int, float]]] = collections.defaultdict(
            lambda: collections.defaultdict(dict))
        self._presence: dict[int, tuple[str, int]] = {}  # seat id -> (session id, 1 on / 0 off), to announce
        # team members, likewise: origin -> session id -> {member id: last heard (monotonic)}
        self.remote_members: dict[str, dict[str, dict[int, float]]] = collections.defaultdict(
            lambda: collections.defaultdict(dict))
        self._member_presence: dict[int, tuple[str, int, float]] = {}  # member id -> (session, on, since)
        # figures for /stats
        self.applied = 0         # actions applied from other processes' announcements
        self.conflicts = 0       # this process's actions that lost to another's
        self.control_conflicts = 0
        self.catch_ups = 0       # seats caught up from the database
        self.gaps = 0            # announcements beyond what a replica knew
        self.resyncs = 0         # whole catch-ups (start-up, the listening connection re-established)

    def set_presence_ttl(self, seconds: float) -> None:
        """How long a silent process's players still count as connected; its full lists go three times as often."""
        self.ttl, self.heartbeat = seconds, min(HEARTBEAT, seconds / 3)

    # --- running ------------------------------------------------------------------------
    async def read(self, fn, *args, **kwargs):
        """A blocking database read, off the event loop (and off the writer's thread)."""
        return await asyncio.get_running_loop().run_in_executor(self._reads, lambda: fn(*args, **kwargs))

    async def start(self) -> None:
        """LISTEN, catch every replica up, then follow the announcements (before the server accepts anyone)."""
        await self._listen()
        self._tasks = [asyncio.get_running_loop().create_task(self._follow()),
                       asyncio.get_running_loop().create_task(self._tick())]

    async def stop(self) -> None:
        self._stopping = True
        for t in self._tasks:
            t.cancel()
        try:
            await self.read(self.store.publish, ['["x"]'])  # gone: drop my players from the others' dashboards
        except Exception:  # noqa: BLE001 - the database may be what stopped
            pass
        if self._conn is not None:
            try:
                await self._conn.close()
            except Exception:  # noqa: BLE001
                pass
        self._reads.shutdown(wait=False)

    async def _listen(self) -> None:
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
        await self._conn.execute(f"LISTEN {CHANNEL}")
        await self.resync()

    async def _follow(self) -> None:
        while not self._stopping:
            try:
                async for note in self._conn.notifies():
                    await self.handle(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - the connection dropped: listen again and catch up
                log.warning("lost the database's announcements (%s); listening again", e)
                for delay in itertools.chain(RECONNECT, itertools.repeat(RECONNECT[-1])):
                    if self._stopping:
                        return
                    await asyncio.sleep(delay)
                    try:
                        try:
                            await self._conn.close()
                        except Exception:  # noqa: BLE001
                            pass
                        await self._listen()
                        break
                    except Exception as e2:  # noqa: BLE001
                        log.warning("cannot listen yet: %s", e2)

    async def handle(self, payload: str) -> None:
        origin, _, body = payload.partition(" ")
        if origin == self.origin:
            return
        try:
            events = json.loads(body)
        except ValueError:
            log.warning("an announcement that is not JSON: %.80s", payload)
            return
        for ev in events:
            try:
                await self._event(origin, ev)
            except Exception:  # noqa: BLE001 - one bad event must not stop the fan-out: catch up instead
                log.exception("could not apply %s; catching up from the database", ev[:3])
                self.hub._spawn(self.resync())

    async def _event(self, origin: str, ev: list) -> None:
        kind = ev[0]
        if kind == "a":
            await self._action(ev[1], ev[2], ev[3], ev[4], ev[5] if len(ev) > 5 else None)
        elif kind == "c":
            room = self.hub.rooms.get(ev[1]) or await self.find_session(ev[1])
            if room is not None:
                self.hub.control_changed(room, ev[2])
        elif kind == "s":
            room = self.hub.rooms.get(ev[1]) or await self.find_session(ev[1])
            if room is not None and ev[2] not in room.seats:
                self.add_seat(room, {"id": ev[2], "name": ev[3], "token_hash": ev[4],
                                     "team": ev[5] if len(ev) > 5 else None})
                self.hub.dashboard_soon(room)
        elif kind in ("m", "q", "k"):  # a team's member, proposal, captain (seat first)
            room = self.room_of(ev[1])
            if room is None or room.teams is None or ev[1] not in room.teams.by_seat:
                await self.take_unknown_seat(ev[1])
                return
            desk = self.hub.teams
            if kind == "m":
                desk.remote_member(room, ev[1], ev[2], ev[3], ev[4], ev[5])
            elif kind == "q":
                await desk.remote_proposal(room, ev[1], ev[2], ev[3], ev[4], ev[5])
            else:
                desk.remote_captain(room, ev[1], ev[2])
        elif kind == "pm":  # [pm, session, member, on, since]: a team member connected or left
            members = self.remote_members[origin][ev[1]]
            if ev[3]:
                members[ev[2]] = time.monotonic()
            else:
                members.pop(ev[2], None)
            room = self.hub.rooms.get(ev[1])
            if room is not None and room.teams is not None:
                self.hub.teams.presence_changed(room, ev[2], since=ev[4] if ev[3] else None)
        elif kind == "hm":  # [hm, session, [member, ...]]: still connected
            now = time.monotonic()
            members = self.remote_members[origin][ev[1]]
            room = self.hub.rooms.get(ev[1])
            for member_id in ev[2]:
                new = member_id not in members
                members[member_id] = now
                if new and room is not None and room.teams is not None:
                    self.hub.teams.presence_changed(room, member_id)
        elif kind == "n":
            await self.find_session(ev[1])
        elif kind == "p":  # [p, session, seat, on]
            seats = self.remote[origin][ev[1]]
            if ev[3]:
                seats[ev[2]] = time.monotonic()
            else:
                seats.pop(ev[2], None)
            room = self.hub.rooms.get(ev[1])
            if room is not None:
                self.hub.dashboard_soon(room)
        elif kind == "h":  # [h, session, [seat, ...]]: still connected
            now = time.monotonic()
            seats = self.remote[origin][ev[1]]
            for seat_id in ev[2]:
                seats[seat_id] = now
        elif kind == "x":  # a process stopped
            for sid in self.remote.pop(origin, {}):
                room = self.hub.rooms.get(sid)
                if room is not None:
                    self.hub.dashboard_soon(room)
            for sid, members in self.remote_members.pop(origin, {}).items():
                room = self.hub.rooms.get(sid)
                if room is not None and room.teams is not None:
                    for member_id in members:
                        self.hub.teams.presence_changed(room, member_id)

    async def take_unknown_seat(self, seat_id: int):
        """A seat this process has not heard of: its session and seat from the database, caught up (a team's
        seat with its team); the room, or None."""
        row = await self.read(self.store.seat_row, seat_id=seat_id)
        room = row and (self.hub.rooms.get(row["session_id"]) or await self.find_session(row["session_id"]))
        if room is None:
            return None
        if seat_id not in room.seats:
            self.add_seat(room, row)
        self.gaps += 1
        await self.catch_up(room, room.seats[seat_id])
        if room.teams is not None and seat_id in room.teams.by_seat:
            await self.hub.teams.reload(room, room.teams.by_seat[seat_id])
        return room

    def add_seat(self, room, row: dict):
        """A seat another process made (its row, or its announcement), with its team if it is a team's."""
        self._seat_rooms[row["id"]] = room
        seat = room.add_seat(row["id"], row["name"], row["token_hash"])
        if row.get("team") is not None and room.teams is not None:
            room.by_token.pop(row["token_hash"], None)  # a team's seat is taken only through its members
            if row["team"] not in room.teams.teams:
                room.teams.add_team(row["team"], row["id"], captain=row.get("captain"))
        return seat

    async def _action(self, seat_id: int, seq: int, round_: int, action: dict, record=None) -> None:
        room = self.room_of(seat_id)
        if room is None:
            await self.take_unknown_seat(seat_id)
            return
        seat = room.seats[seat_id]
        if seq < seat.seq:
            return  # known already (caught up from the database)
        if self.hub.seat_lock(seat).locked():
            self.dirty.add(seat_id)  # this process is writing to the same seat: catch up when it is done
            return
        if seq > seat.seq:
            self.gaps += 1
            await self.catch_up(room, seat)
            return
        try:
            room.extend_seat(seat, [(seq, action, round_)])
        except (BalconyError, ValueError):
            await self.catch_up(room, seat, rebuild=True)
            return
        self.applied += 1
        if room.teams is not None:  # a team's members here see the seat move, and its decision's record
            self.hub.teams.seat_synced(room, seat, record if isinstance(record, dict) else None)
        if "choose" in action or seat.run.status == "ended":
            self.hub.dashboard_soon(room)

    # --- catching up from the database ----------------------------------------------------
    def room_of(self, seat_id: int):
        room = self._seat_rooms.get(seat_id)
        if room is None:
            room = next((r for r in self.hub.rooms.values() if seat_id in r.seats), None)
            if room is not None:
                self._seat_rooms[seat_id] = room
        return room

    async def catch_up(self, room, seat, rebuild: bool = False) -> None:
        """Bring one seat to what the database holds. `rebuild`: the replica's last action is known not to
        be stored (it lost to another process's), so the seat is replayed from the start."""
        async with self.hub.seat_lock(seat):
            await self._catch_up_locked(room, seat, rebuild)

    async def _catch_up_locked(self, room, seat, rebuild: bool = False) -> None:
        while True:
            self.dirty.discard(seat.id)
            stored = await self.read(self.store.seat_actions, seat.id)
            self._apply_stored(room, seat, stored, rebuild)
            rebuild = False
            if seat.id not in self.dirty:
                break
        self.catch_ups += 1

    def _apply_stored(self, room, seat, stored: list, rebuild: bool = False) -> None:
        before = len(seat.chosen), seat.run.status
        steps = seat.seq
        mine = seat.actions
        if rebuild or len(stored) < len(mine) or any(stored[i][1] != mine[i] for i in range(len(mine))):
            room.rebuild_seat(seat, stored)
        else:
            room.extend_seat(seat, stored)
        if (len(seat.chosen), seat.run.status) != before or rebuild:
            self.hub.dashboard_soon(room)
        if room.teams is not None and (rebuild or seat.seq != steps):
            self.hub.teams.seat_synced(room, seat)

    def after_write(self, room, seat) -> None:
        """The seat's write is done: if another process's action for it was announced meanwhile, catch up."""
        if seat.id in self.dirty:
            self.hub._spawn(self.catch_up(room, seat))

    async def find_session(self, session_id: str | None = None, code: str | None = None):
        """A session this process has not loaded (created by another), from the database; None if none."""
        from .store import sessions
        where = sessions.c.id == session_id if session_id is not None else sessions.c.code == code
        rows = await self.read(self.store.load_all, where)
        if not rows:
            return None
        row = rows[0]
        room = self.hub.rooms.get(row["id"])
        if room is None:
            room = self.hub.room_from_row(row)
            self.hub._register(room)
            for seat_id in room.seats:
                self._seat_rooms[seat_id] = room
            self.hub._arm_timer(room)
        return room

    async def find_seat(self, room, token_hash: str):
        """A seat of `room` that joined through another process and has not been announced here yet."""
        row = await self.read(self.store.seat_row, session_id=room.id, token_hash=token_hash)
        if row is None:
            return None
        seat = room.seats.get(row["id"])
        if seat is None:
            self._seat_rooms[row["id"]] = room
            seat = room.add_seat(row["id"], row["name"], row["token_hash"])
        return seat

    async def resync(self) -> None:
        """Catch every replica up: sessions, controls, seats and actions (start-up and after a lost
        connection, when announcements may have been missed)."""
        self.resyncs += 1
        controls = await self.read(self.store.controls)
        for sid, control in controls.items():
            room = self.hub.rooms.get(sid)
            if room is None:
                await self.find_session(sid)
                continue
            self.hub.control_changed(room, control)
            if control.get("ended") and room.control.get("ended") and not self.hub.players.get(sid):
                continue
            for row in await self.read(self.store.session_seats, sid):
                seat = room.seats.get(row["id"])
                if seat is None:
                    seat = self.add_seat(room, row)
                lock = self.hub.seat_lock(seat)
                if lock.locked():
                    self.dirty.add(seat.id)
                    continue
                async with lock:
                    self._apply_stored(room, seat, row["actions"])
                if room.teams is not None and seat.id in room.teams.by_seat:
                    await self.hub.teams.reload(room, room.teams.by_seat[seat.id])
            self.hub.dashboard_soon(room)

    # --- who is connected where ------------------------------------------------------------------
    def presence(self, session_id: str, seat_id: int, on: bool) -> None:
        self._presence[seat_id] = (session_id, 1 if on else 0)

    def member_presence(self, session_id: str, member_id: int, on: bool, since: float = 0.0) -> None:
        """A team member connected here (`since`: when, by the server clock) or left."""
        self._member_presence[member_id] = (session_id, 1 if on else 0, since)

    def member_elsewhere(self, session_id: str, member_id: int) -> bool:
        """The member is connected to another process, as last heard."""
        return any(member_id in sessions.get(session_id, ()) for sessions in self.remote_members.values())

    def connected(self, room) -> set:
        """Seats of `room` connected to this process or, as last heard, to another."""
        out = set(self.hub.players[room.id])
        for sessions in self.remote.values():
            out.update(sessions.get(room.id, ()))
        return out

    async def _tick(self) -> None:
        last_beat = 0.0
        while not self._stopping:
            await asyncio.sleep(PRESENCE_EVERY)
            events = [f'["p","{sid}",{seat},{on}]' for seat, (sid, on) in self._presence.items()]
            events += [f'["pm","{sid}",{m},{on},{since}]' for m, (sid, on, since) in self._member_presence.items()]
            self._presence.clear()
            self._member_presence.clear()
            now = time.monotonic()
            if now - last_beat >= self.heartbeat:
                last_beat = now
                for sid, players in list(self.hub.players.items()):
                    ids = [k for k in players if isinstance(k, int)]  # seats (a team member is ("member", id))
                    for k in range(0, len(ids), HEARTBEAT_SEATS):
                        events.append(f'["h","{sid}",{json.dumps(ids[k:k + HEARTBEAT_SEATS])}]')
                    mids = [k[1] for k in players if not isinstance(k, int)]
                    for k in range(0, len(mids), HEARTBEAT_SEATS):
                        events.append(f'["hm","{sid}",{json.dumps(mids[k:k + HEARTBEAT_SEATS])}]')
                if not events:
                    events.append('["h","",[]]')  # alive, with nobody connected
            self._expire(now)  # every tick: a dead process's players leave the dashboard PRESENCE_TTL after
            if events:
                try:
                    await self.read(self.store.publish, events)
                except Exception as e:  # noqa: BLE001 - presence is best effort; the next beat says it all
                    log.warning("could not announce who is connected: %s", e)

    def _expire(self, now: float) -> None:
        wall = self.hub.teams.clock()
        for origin in list(self.remote_members):
            for sid, members in list(self.remote_members[origin].items()):
                gone = [(m, t) for m, t in members.items() if now - t > self.ttl]
                for m, _ in gone:
                    del members[m]
                room = self.hub.rooms.get(sid)
                if room is not None and room.teams is not None:
                    for m, t in gone:  # gone since it was last heard of
                        self.hub.teams.presence_changed(room, m, left_at=wall - (now - t))
                if not members:
                    del self.remote_members[origin][sid]
            if not self.remote_members[origin]:
                del self.remote_members[origin]
        for origin in list(self.remote):
            for sid, seats in list(self.remote[origin].items()):
                gone = [s for s, t in seats.items() if now - t > self.ttl]
                for s in gone:
                    del seats[s]
                if gone and sid in self.hub.rooms:
                    self.hub.dashboard_soon(self.hub.rooms[sid])
                if not seats:
                    del self.remote[origin][sid]
            if not self.remote[origin]:
                del self.remote[origin]

    def stats(self) -> dict:
        return {"origin": self.origin, "applied": self.applied, "conflicts": self.conflicts,
                "control_conflicts": self.control_conflicts, "catch_ups": self.catch_ups, "gaps": self.gaps,
                "resyncs": self.resyncs, "processes_heard": len(set(self.remote) | set(self.remote_members))}
