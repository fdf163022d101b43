"""The server's side of teams: members joining and rejoining, proposals, the window and captain timers, and
telling every member what their team is doing. The rules themselves are in teams.py (no network, no
database); a team's decision goes to its seat through the Hub's `commit`, the same path, checks and
exactly-once store as a solo player's intent.

Every change is stored before anyone hears of it: a member (`members`), a proposal (`proposals`), a new
captain (`seats.captain`), the decision with its record (`actions.team`). Timestamps are the server's
clock (Unix seconds), so a restarted server, or another process reading the same rows, rebuilds the same
pending proposals and the same window.

Several processes sharing one PostgreSQL database (classroom/replica.py) serve the same team sessions:

- What one process stores, it announces in the same transaction (store.Store._execute_shared): a team's
  seat, a member, a proposal, a new captain, and the decision (an action whose announcement carries its
  record). Every other process applies them to its own TeamBook (`remote_member`, `remote_proposal`,
  `remote_captain`, `seat_synced`) and tells its own members, so a proposal made on one process is seen
  live by the teammates on another. What does not fit (a member not heard of, a proposal for a step the
  replica has not reached, a decision whose record did not travel) makes the process read the team again
  from the database (`reload`), as at start-up (`restore`).
- Who is connected is shared: each process announces its members' connects and leaves, and lists them
  in its heartbeat (replica.py). `Member.connected` is true while the member is connected to any process;
  `left_at` is when the last connection went (for a process that died: when it was last heard). The
  majority's voters and the captain's hand-over read them, on every process alike.
- One answer to who decides: a decision is an action row, and the (seat_id, seq) unique key lets only one
  in. The window and captain timers fire in every process; a process whose decision lost takes the seat
  as stored (the Hub's commit) and its members are shown the stored decision. A new captain is stored only
  if the stored captain is still the one it replaces (compare-and-set); the loser adopts the stored one.
  A team's seat is made once, whichever process its first member joins through (store.py's advisory lock).
"""
from __future__ import annotations

import asyncio
import time

from . import keys
from .protocol import VERSION, Refused
from .store import Conflict, Store
from .teams import CAPTAIN_GRACE, MAJORITY, Member, Proposal, Team


class TeamDesk:
    def __init__(self, hub, clock=time.time):
        self.hub = hub
        self.clock = clock
        #: seconds a disconnected member still counts as a voter, and a disconnected captain keeps the captaincy
        self.grace = CAPTAIN_GRACE
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
        from .server import clean_name, unique_name
        book, hub = room.teams, self.hub
        member, token = None, None
        if "token" in msg:
            member = book.by_token.get(keys.token_hash(msg["token"]))
            if member is None and hub.replica is not None:  # joined through another process, not yet heard of
                member = await self.find_member(room, keys.token_hash(msg["token"]))
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
                    try:
                        seat_id = await hub.store.write(Store.op_seat(room.id, f"Team {number}", hidden, team=number))
                    except Conflict as c:  # another process made this team's seat: take it from the database
                        await hub.replica.take_unknown_seat(c.seat_id)
                    else:
                        room.add_seat(seat_id, f"Team {number}", hidden)
                        room.by_token.pop(hidden, None)
                        book.add_team(number, seat_id)
                    team = book.teams[number]
                name = unique_name(name, (m.name for m in book.by_token.values()))
                token, at = keys.secret(), self.clock()
                mid = await hub.store.write(Store.op_member(team.seat_id, name, keys.token_hash(token), at))
                member = book.add_member(Member(mid, team.seat_id, name, keys.token_hash(token), at))
        team = book.team_of(member)
        seat = room.seats[team.seat_id]
        if token is None and hub.replica is not None:  # a rejoin: the team's latest, whichever process took it
            await hub.replica.catch_up(room, seat)
            await self.reload(room, team)
        key = ("member", member.id)
        old = hub.players[room.id].get(key)
        if old is not None and old is not conn:
            replaced(old)
        conn.role, conn.room, conn.seat, conn.member, conn.key = "player", room, seat, member, key
        conn.since = self.clock()
        hub.players[room.id][key] = conn
        member.connected, member.left_at = True, None
        if hub.replica is not None:
            hub.replica.member_presence(room.id, member.id, True, conn.since)
        await self._refresh_captain(room, team)
        self._arm_captain(room, team)
        hub.welcome(conn, room, seat, member.name, token, team=team.view(book.cfg, member.id))
        self.announce(room, team, skip=conn)

    def detach(self, conn) -> None:
        """A member's connection went: the team hears of it; a captain's grace starts (unless the member is
        still connected to another process)."""
        room, member = conn.room, conn.member
        if self.hub.replica is not None:
            self.hub.replica.member_presence(room.id, member.id, False)
        self.presence_changed(room, member.id)

    async def find_member(self, room, token_hash: str):
        """A member who joined through another process, not yet heard of here: their team from the database."""
        seat_id = await self.hub.replica.read(self.hub.store.member_seat, room.id, token_hash)
        if seat_id is None:
            return None
        if seat_id not in room.teams.by_seat:
            await self.hub.replica.take_unknown_seat(seat_id)
        else:
            await self.reload(room, room.teams.by_seat[seat_id])
        return room.teams.by_token.get(token_hash)

    # --- who is connected, on every process -------------------------------------------------------
    def presence_changed(self, room, member_id: int, since: float | None = None, left_at: float | None = None) -> None:
        """A member's connections changed, here or on another process (replica.py): connected while connected to
        any process. `since`: another process's new connection of the member, from then (an older one here is
        closed, as a second device on one process closes the first). `left_at`: when the member was last known
        connected (a process that died), else now."""
        member = room.teams.members.get(member_id)
        if member is None:
            return  # not heard of yet: `remote_member` or `reload` reads their presence when they are
        local = self.hub.players[room.id].get(("member", member_id))
        if since is not None and local is not None and getattr(local, "since", 0.0) < since:
            replaced(local)  # the same member opened later on a device connected to another process
            self.hub.detach(local)  # announces this process's leave; connected stays true through the other
            return
        here = local is not None or (self.hub.replica is not None and self.hub.replica.member_elsewhere(room.id, member_id))
        if here == member.connected:
            return
        member.connected = here
        member.left_at = None if here else (left_at if left_at is not None else self.clock())
        team = room.teams.team_of(member)
        self.announce(room, team)
        if team.captain == member.id or here:
            self._arm_captain(room, team)
            if here:
                self.hub._spawn(self._refresh_captain(room, team))

    # --- what another process stored (replica.py) -----------------------------------------------
    def remote_member(self, room, seat_id: int, member_id: int, name: str, token_hash: str, at: float) -> None:
        book = room.teams
        if member_id in book.members:
            return
        here = self.hub.replica is not None and self.hub.replica.member_elsewhere(room.id, member_id)
        book.add_member(Member(member_id, seat_id, name, token_hash, at, connected=here,
                               left_at=None if here else self.clock()))
        self.announce(room, book.by_seat[seat_id])

    async def remote_proposal(self, room, seat_id: int, member_id: int, point: int, index: int, at: float) -> None:
        team, seat = room.teams.by_seat[seat_id], room.seats[seat_id]
        if member_id not in team.members or point > seat.run.state.decisions:
            await self.hub.replica.catch_up(room, seat)  # a member or a step not heard of yet: read them
            await self.reload(room, team)
            return
        if point < seat.run.state.decisions:
            return  # for a decision already taken
        team.propose(member_id, point, index, at)
        self.announce(room, team)
        self._arm(room, team)

    def remote_captain(self, room, seat_id: int, captain: int | None) -> None:
        team = room.teams.by_seat[seat_id]
        if team.captain == captain:
            return
        team.captain = captain
        self.announce(room, team)
        self._arm_captain(room, team)

    def seat_synced(self, room, seat, record: dict | None = None) -> None:
        """The seat took another process's steps (announced, or read from the database): its members here see
        them, and a decision's record (`record`, or read from the database when it did not come with them)."""
        team = room.teams.by_seat.get(seat.id)
        if team is None:
            return
        point = seat.run.state.decisions
        if point != team.point:
            self._cancel(room, team, "window")
            if record is not None and record.get("point") == point - 1:
                team.decided(record)
            else:  # the members are told once the decision's record is read with the rest of the team
                team.at_point(point)
                self.hub._spawn(self.reload(room, team))
                return
        self.announce(room, team)

    async def reload(self, room, team: Team) -> None:
        """The team as stored now (members, the captain, the pending proposals, the last decision): a replica
        catching up, as `restore` at start-up."""
        state = await self.hub.replica.read(self.hub.store.team_state, team.seat_id)
        if state is None:
            return
        book, seat = room.teams, room.seats[team.seat_id]
        for m in state["members"]:
            if m["id"] not in book.members:
                here = self.hub.replica.member_elsewhere(room.id, m["id"])
                book.add_member(Member(m["id"], seat.id, m["name"], m["token_hash"], m["created_at"],
                                       connected=here, left_at=None if here else self.clock()))
        team.captain = state["captain"]
        point = seat.run.state.decisions
        team.at_point(point)
        for member_id, pt, index, at in state["proposals"]:  # merged: one made here while this was read stays
            mine = team.proposals.get(member_id)
            if pt == point and member_id in team.members and (mine is None or at >= mine.at):
                team.proposals[member_id] = Proposal(member_id, pt, index, at)
                team.opened = at if team.opened is None else min(team.opened, at)
        last = state.get("last_team")
        if last is not None and (team.last is None or last.get("point", -1) >= team.last.get("point", -1)):
            team.last = last
        self.announce(room, team)
        self._arm(room, team)
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
        record = team.verdict(room.teams.cfg, now, by=member.id, grace=self.grace)
        decided = bool(record) and await self.decide(room, team, record, tell=False)
        # the team has decided this point, here or (its decision having lost to it) on another process
        decided = decided or seat.run.state.decisions > point
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
                    await self.reload(room, team)  # another process stored this step first: its decision
                    return False
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
            record = team.verdict(room.teams.cfg, self.clock(), round_closed=True, grace=self.grace)
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
        record = team.verdict(room.teams.cfg, self.clock(), grace=self.grace)
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
        at = team.captain_check_at(self.grace)
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
        if team.refresh_captain(self.clock(), self.grace):
            try:
                await self.hub.store.write(Store.op_captain(team.seat_id, team.captain, before))
            except Conflict:  # another process changed the captain first: the stored one is the captain
                row = await self.hub.replica.read(self.hub.store.seat_row, seat_id=team.seat_id)
                team.captain = row["captain"] if row else before
                self.announce(room, team)
                self._arm_captain(room, team)
                return
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


def replaced(conn) -> None:
    """A member's older connection, closed: their place was opened on another (here or on another process)."""
    conn.push({"v": VERSION, "type": "error", "code": "replaced",
               "message": "Your place in the team was opened on another connection."})
    conn.close(4000)
