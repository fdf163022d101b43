"""The server's side of teams: members joining and rejoining, proposals, the window and captain timers, and
telling every member what their team is doing. The rules themselves are in teams.py (no network, no
database); a team's decision goes to its seat through the Hub's `commit`, the same path, checks and
exactly-once store as a solo player's intent.

Every change is stored before anyone hears of it: a member (`members`), a proposal (`proposals`), a new
captain (`seats.captain`), the decision with its record (`actions.team`). Timestamps are the server's
clock (Unix seconds), so a restarted server, or another process reading the same rows, rebuilds the same
pending proposals and the same window.

Several processes sharing one database (not done here) would need to share: the rows above as they are
written (a new member, a proposal, a captain: each process applies them to its own TeamBook, as `restore`
does at start-up); who is connected where (`Member.connected` and `left_at`, which the majority's voters and
the captain's hand-over read, are per process today); and one answer to "who decides". A decision is an
action row like any other, so the (seat_id, seq) unique key already lets only one process's decision in;
the window and captain timers may fire in every process, and the captain's update should then be
conditional on the captain it replaces.
"""
from __future__ import annotations

import asyncio
import time

from . import keys
from .protocol import VERSION, Refused
from .store import Store
from .teams import CAPTAIN_GRACE, MAJORITY, Member, Team


class TeamDesk:
    def __init__(self, hub, clock=time.time):
        self.hub = hub
        self.clock = clock
        self._timers: dict = {}   # (session id, team number, "window" | "captain") -> task
        self._join = {}           # session id -> asyncio.Lock: one new team seat at a time

    # --- start-up -------------------------------------------------------------------------
    def restore(self, room, row: dict) -> None:
        """A team's seat from its stored rows (Hub.load), after its actions were replayed."""
        book, seat = room.teams, room.seats[row["id"]]
        team = book.add_team(row["team"], seat.id, captain=row.get("captain"))
        now = self.clock()
        for m in row.get("members", []):
            book.add_member(Member(m["id"], seat.id, m["name"], m["token_hash"], m["created_at"], left_at=now))
        book.restore_proposals(team, seat.run.state.decisions, row.get("proposals", []))
        team.last = row.get("last_team")

    def start(self) -> None:
        """Once the loop runs: windows that were open when the server stopped."""
        for room in self.hub.rooms.values():
            if room.teams is not None:
                for team in room.teams.teams.values():
                    self._arm(room, team)
                    self._arm_captain(room, team)  # a captain who never comes back is replaced all the same

    # --- joining ---------------------------------------------------------------------------
    async def hello(self, conn, room, msg: dict) -> None:
        from .server import clean_name
        book, hub = room.teams, self.hub
        member, token = None, None
        if "token" in msg:
            member = book.by_token.get(keys.token_hash(msg["token"]))
            if member is None and "name" not in msg:
                hub._failed(conn.ip)
                raise Refused("bad_token", "This device's place is not in that session; join with a name.")
        if member is None:
            name = clean_name(msg["name"])
            if not name:
                raise Refused("invalid", "Type a display name.")
            lock = self._join.setdefault(room.id, asyncio.Lock())
            async with lock:
                try:
                    number = book.pick(msg.get("team"))
                except ValueError as e:
                    raise Refused("invalid", str(e)) from None
                team = book.teams.get(number)
                if team is None:
                    hidden = keys.token_hash(keys.secret())  # a team's seat is taken only through its members
                    seat_id = await hub.store.write(Store.op_seat(room.id, f"Team {number}", hidden, team=number))
                    room.add_seat(seat_id, f"Team {number}", hidden)
                    room.by_token.pop(hidden, None)
                    team = book.add_team(number, seat_id)
                token, at = keys.secret(), self.clock()
                mid = await hub.store.write(Store.op_member(team.seat_id, name, keys.token_hash(token), at))
                member = book.add_member(Member(mid, team.seat_id, name, keys.token_hash(token), at))
        team = book.team_of(member)
        seat = room.seats[team.seat_id]
        key = ("member", member.id)
        old = hub.players[room.id].get(key)
        if old is not None and old is not conn:
            old.push({"v": VERSION, "type": "error", "code": "replaced",
                      "message": "Your place in the team was opened on another connection."})
            old.close(4000)
        conn.role, conn.room, conn.seat, conn.member, conn.key = "player", room, seat, member, key
        hub.players[room.id][key] = conn
        member.connected, member.left_at = True, None
        await self._refresh_captain(room, team)
        self._arm_captain(room, team)
        hub.welcome(conn, room, seat, member.name, token, team=team.view(book.cfg, member.id))
        self.announce(room, team, skip=conn)

    def detach(self, conn) -> None:
        """A member's connection went: the team hears of it; a captain's grace starts."""
        room, member = conn.room, conn.member
        team = room.teams.team_of(member)
        member.connected, member.left_at = False, self.clock()
        self.announce(room, team)
        if team.captain == member.id:
            self._arm_captain(room, team)

    # --- proposals -------------------------------------------------------------------------------
    async def propose(self, conn, msg: dict, action: dict) -> None:
        """A member's choice, already checked by Room.check_intent: a proposal, which may decide."""
        room, seat, member = conn.room, conn.seat, conn.member
        team = room.teams.team_of(member)
        index = action["choose"]
        snap = seat.snap or seat.run.snapshot()
        choice = next((c for c in snap.choices if c.index == index), None)
        if choice is None or not choice.available:
            raise Refused("refused", "That choice is not open to your team now.")
        now, point = self.clock(), seat.run.state.decisions
        await self.hub.store.write(Store.op_proposal(seat.id, member.id, point, index, now))
        if seat.run.state.decisions != point:  # the team decided while this was being stored
            raise Refused("stale", "Your team has just decided; here is where you are.")
        team.propose(member.id, point, index, now)
        await self._refresh_captain(room, team)
        record = team.verdict(room.teams.cfg, now, by=member.id)
        decided = bool(record) and await self.decide(room, team, record, tell=False)
        conn.push({"v": VERSION, "type": "ack", "id": msg["id"], "proposed": index, "decided": decided,
                   "team": team.view(room.teams.cfg, member.id), **room.seat_view(seat)})
        self.announce(room, team, skip=conn)
        self._arm(room, team)

    async def decide(self, room, team: Team, record: dict, tell: bool = True) -> bool:
        """Apply the team's decision to its seat (the Hub's commit: checked, stored with its record, exactly
        once); False if the seat can no longer take it (moved on, the round closed, the engine refused)."""
        seat = room.seats[team.seat_id]
        async with self.hub.seat_lock(seat):  # one write in flight per seat, as for a solo intent
            if seat.run.status != "choosing" or seat.run.state.decisions != record["point"]:
                return False
            try:
                room.check_intent(seat, {"seq": seat.seq, "action": "choose", "index": record["index"]})
            except Refused:
                return False
            snap = seat.snap or seat.run.snapshot()
            record["text"] = next((c.text for c in snap.choices if c.index == record["index"]), "")
            try:
                if not await self.hub.commit(room, seat, {"choose": record["index"]}, team=record):
                    return False  # another process stored this step first
            except Refused as r:
                if r.code != "refused":
                    raise
                team.drop_index(record["index"])
                self.announce(room, team)
                return False
        team.decided(record)
        self._cancel(room, team, "window")
        if tell:
            self.announce(room, team)
        self.hub.dashboard_soon(room)
        return True

    async def settle(self, room) -> None:
        """The facilitator is closing the round: open majority windows end now, by the same rule."""
        if room.teams is None or room.teams.cfg["rule"] != MAJORITY:
            return
        for team in room.teams.teams.values():
            record = team.verdict(room.teams.cfg, self.clock(), round_closed=True)
            if record:
                await self.decide(room, team, record)

    def after_control(self, room) -> None:
        """A control changed the room (resume, next round...): windows that ended meanwhile are decided."""
        if room.teams is not None:
            for team in room.teams.teams.values():
                self._arm(room, team)

    def moved(self, room, seat, conn) -> None:
        """A member looked closer or moved on: the others see the seat's new state."""
        team = room.teams.by_seat.get(seat.id)
        if team is not None:
            team.at_point(seat.run.state.decisions)
            self.announce(room, team, skip=conn)

    # --- timers ------------------------------------------------------------------------------------
    async def _evaluate(self, room, team: Team) -> None:
        c = room.control
        if c["paused"] or c["ended"]:
            return  # decided when play resumes (after_control)
        record = team.verdict(room.teams.cfg, self.clock())
        if record:
            await self.decide(room, team, record)

    def _arm(self, room, team: Team) -> None:
        self._cancel(room, team, "window")
        deadline = team.deadline(room.teams.cfg)
        if deadline is None:
            return

        async def fire(point=team.point):
            await asyncio.sleep(max(0.0, deadline - self.clock()))
            self._timers.pop((room.id, team.number, "window"), None)
            if team.point == point:
                await self._evaluate(room, team)
        self._timers[(room.id, team.number, "window")] = self.hub._spawn(fire())

    def _arm_captain(self, room, team: Team) -> None:
        self._cancel(room, team, "captain")
        at = team.captain_check_at(CAPTAIN_GRACE)
        if at is None:
            return

        async def fire():
            await asyncio.sleep(max(0.0, at - self.clock()) + 0.05)
            self._timers.pop((room.id, team.number, "captain"), None)
            await self._refresh_captain(room, team)
        self._timers[(room.id, team.number, "captain")] = self.hub._spawn(fire())

    def _cancel(self, room, team: Team, kind: str) -> None:
        old = self._timers.pop((room.id, team.number, kind), None)
        if old is not None and old is not asyncio.current_task():
            old.cancel()

    async def _refresh_captain(self, room, team: Team) -> None:
        before = team.captain
        if team.refresh_captain(self.clock(), CAPTAIN_GRACE):
            try:
                await self.hub.store.write(Store.op_captain(team.seat_id, team.captain))
            except Exception:  # noqa: BLE001 - not stored: keep the old captain, try again at the next event
                team.captain = before
                return
            self.announce(room, team)
            self.hub.dashboard_soon(room)

    # --- telling the members -------------------------------------------------------------------------
    def announce(self, room, team: Team, skip=None) -> None:
        """Every connected member gets the team's view and the seat's state (`team` message)."""
        seat = room.seats[team.seat_id]
        view = room.seat_view(seat)
        for member_id in team.members:
            conn = self.hub.players[room.id].get(("member", member_id))
            if conn is not None and conn is not skip:
                conn.push({"v": VERSION, "type": "team", "team": team.view(room.teams.cfg, member_id), **view})
        self.hub.dashboard_soon(room)
