"""Teams: several players share one seat, and the team's decision is taken by a rule the facilitator picks.

No network, no database, no asyncio: plain data and the rules, with the server clock passed in as `now`
(Unix seconds). The server (classroom/teamdesk.py) stores every change and tells the members; a restarted
server, or another process sharing the database, rebuilds this state from the stored rows alone
(members, proposals, the captain), so nothing here is kept only in memory except who is connected.

The rules (docs/classroom.md, "Teams", states them for facilitators):

- A team is one seat: one run, one place on the leaderboard. Every member sees the seat's game.
- Choices are proposals. Looking closer (the balcony, listening, one-to-ones) and moving on from an
  outcome are taken at once, by whichever member does them: they are the team's, for everyone to see.
- `majority:SECONDS`: the window opens with the first proposal at a decision point. A choice that more than
  half of the team's voters propose is taken at once. Otherwise, when the window ends, the choice with the
  most proposals is taken; on a tie, the tied choice proposed first (its earliest current proposal). The
  voters are every member who has proposed (a proposal counts even if its member drops) and the members
  connected now or within the last CAPTAIN_GRACE seconds. One member alone is a majority of one. The window
  never ends empty: it opens with a proposal. In lock-step, closing the round ends an open window early,
  by the same rule.
- `captain`: the captain's proposal is the team's decision, at once; the others' proposals are advice the
  captain sees. The first member to join is the captain. A captain disconnected for CAPTAIN_GRACE seconds
  hands over to the connected member who joined first; the captaincy stays there when they come back.
- A member may change their proposal (the latest counts) until the decision is taken.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAJORITY, CAPTAIN = "majority", "captain"
RULES = (MAJORITY, CAPTAIN)
#: seconds a disconnected captain keeps the captaincy (a phone that sleeps, a page reloaded)
CAPTAIN_GRACE = 30.0
#: with `--teams auto`, players fill teams of this size, in order, and a new team opens when all are full
AUTO_SIZE = 4
MAX_TEAMS = 99
WINDOW_MIN, WINDOW_MAX = 5, 3600


def parse_teams(text: str) -> int | str:
    """`--teams N` (2-99 teams; 1 puts the whole room in one team) or `auto`."""
    text = str(text).strip().lower()
    if text == "auto":
        return "auto"
    if not text.isdigit() or not 1 <= int(text) <= MAX_TEAMS:
        raise ValueError(f"--teams is a number of teams from 1 to {MAX_TEAMS}, or auto, not {text!r}")
    return int(text)


def parse_rule(text: str) -> dict:
    """`majority:SECONDS` or `captain` as the session's team rule."""
    text = str(text).strip().lower()
    if text == CAPTAIN:
        return {"rule": CAPTAIN, "window": None}
    m = re.fullmatch(r"majority(?::(\d+))?", text)
    if m:
        window = int(m.group(1) or 60)
        if not WINDOW_MIN <= window <= WINDOW_MAX:
            raise ValueError(f"the majority window is {WINDOW_MIN}-{WINDOW_MAX} seconds, not {window}")
        return {"rule": MAJORITY, "window": window}
    raise ValueError(f"--team-rule is majority:SECONDS (e.g. majority:60) or captain, not {text!r}")


def config(teams: int | str, rule: dict) -> dict:
    """The session's team settings, as kept in its control state (plain JSON)."""
    return {"count": teams, "rule": rule["rule"], "window": rule["window"]}


def describe(cfg: dict) -> str:
    """The rule in a sentence, for people."""
    if cfg["rule"] == CAPTAIN:
        return "the captain decides; the others' proposals are advice"
    return f"majority within {cfg['window']} seconds of the first proposal"


@dataclass
class Member:
    id: int
    seat_id: int
    name: str
    token_hash: str
    joined_at: float
    connected: bool = False
    left_at: float | None = None  # when the member's last connection went (server clock)


@dataclass
class Proposal:
    member: int
    point: int   # the decision it is for: the seat's decisions made so far
    index: int   # the choice
    at: float


@dataclass
class Team:
    number: int
    seat_id: int
    members: dict = field(default_factory=dict)     # member id -> Member, in the order they joined
    captain: int | None = None
    point: int = 0
    proposals: dict = field(default_factory=dict)   # member id -> their current Proposal for `point`
    opened: float | None = None                     # the window's start: the point's first proposal
    last: dict | None = None                        # the latest decision's record

    @property
    def name(self) -> str:
        return f"Team {self.number}"

    def connected(self) -> list:
        return [m for m in self.members.values() if m.connected]

    # --- proposals -------------------------------------------------------------------------------
    def at_point(self, point: int) -> None:
        """Forget proposals for an earlier decision (the seat has moved on)."""
        if point != self.point:
            self.point, self.proposals, self.opened = point, {}, None

    def propose(self, member_id: int, point: int, index: int, now: float) -> None:
        self.at_point(point)
        if self.opened is None:
            self.opened = now
        self.proposals[member_id] = Proposal(member_id, point, index, now)

    def drop_index(self, index: int) -> None:
        """The engine refused this choice (it stopped being available): its proposals go."""
        self.proposals = {k: p for k, p in self.proposals.items() if p.index != index}
        if not self.proposals:
            self.opened = None

    def deadline(self, cfg: dict) -> float | None:
        if cfg["rule"] != MAJORITY or self.opened is None or not self.proposals:
            return None
        return self.opened + cfg["window"]

    def counts(self) -> dict:
        out: dict = {}
        for p in self.proposals.values():
            out[p.index] = out.get(p.index, 0) + 1
        return out

    def voters(self, now: float, grace: float = CAPTAIN_GRACE) -> set:
        """Whose proposals the majority counts: every member who has proposed, and the members connected now
        or within the last `grace` seconds (a phone that sleeps for a moment is still in the team)."""
        here = {m.id for m in self.members.values()
                if m.connected or (m.left_at is not None and now - m.left_at < grace)}
        return here | set(self.proposals)

    # --- the rules --------------------------------------------------------------------------------
    def verdict(self, cfg: dict, now: float, *, by: int | None = None, round_closed: bool = False,
                grace: float = CAPTAIN_GRACE) -> dict | None:
        """The decision to take now, as the record to store with it, or None to wait.
        `by`: the member who has just proposed (the captain rule acts on the captain's proposal only).
        `round_closed`: the facilitator closed the round: an open majority window ends now.
        `grace`: how long a member who left still counts as a voter."""
        if not self.proposals:
            return None
        counts = self.counts()
        if cfg["rule"] == CAPTAIN:
            if by is None or by != self.captain or by not in self.proposals:
                return None
            return self._record(cfg, self.proposals[by].index, "captain", counts, now, tied=False, grace=grace)
        voters = self.voters(now, grace)
        best = max(counts.values())
        leaders = sorted(i for i, n in counts.items() if n == best)
        if best * 2 > len(voters):
            return self._record(cfg, leaders[0], "majority", counts, now, tied=False, grace=grace)
        if not round_closed and now < self.opened + cfg["window"]:
            return None
        if len(leaders) == 1:
            return self._record(cfg, leaders[0], "round" if round_closed else "window", counts, now, tied=False,
                                grace=grace)
        first = {i: min(p.at for p in self.proposals.values() if p.index == i) for i in leaders}
        chosen = min(leaders, key=lambda i: (first[i], i))
        return self._record(cfg, chosen, "round" if round_closed else "tie", counts, now, tied=True, grace=grace)

    def _record(self, cfg, index, how, counts, now, tied, grace=CAPTAIN_GRACE) -> dict:
        """What is stored with the decision (the action row's `team`) and shown to the members."""
        return {"team": self.number, "rule": cfg["rule"], "window": cfg["window"], "how": how, "tied": tied,
                "index": index, "for": counts.get(index, 0), "voters": len(self.voters(now, grace)),
                "captain": self.captain, "opened": self.opened, "decided": now, "point": self.point,
                "votes": [{"member": p.member, "name": self.members[p.member].name if p.member in self.members else "",
                           "index": p.index, "at": p.at} for p in sorted(self.proposals.values(), key=lambda p: p.at)]}

    def decided(self, record: dict) -> None:
        """The decision was applied and stored: the point's proposals are spent."""
        self.last = record
        self.point, self.proposals, self.opened = record["point"] + 1, {}, None

    # --- the captain -------------------------------------------------------------------------------
    def refresh_captain(self, now: float, grace: float = CAPTAIN_GRACE) -> bool:
        """Give the team a captain if it has none, or hand over from one gone longer than `grace`.
        True if the captain changed (the server stores and announces it)."""
        cap = self.members.get(self.captain)
        if cap is not None and (cap.connected or cap.left_at is None or now - cap.left_at < grace):
            return False
        here = self.connected()
        if here:
            new = here[0].id
        elif cap is None and self.members:
            new = next(iter(self.members))
        else:
            return False
        if new == self.captain:
            return False
        self.captain = new
        return True

    def captain_check_at(self, grace: float = CAPTAIN_GRACE) -> float | None:
        """When a disconnected captain's grace runs out (for the server's timer), or None."""
        cap = self.members.get(self.captain)
        if cap is None or cap.connected or cap.left_at is None:
            return None
        return cap.left_at + grace

    # --- what the members see ----------------------------------------------------------------------
    def view(self, cfg: dict, you: int | None = None) -> dict:
        """The team as its members see it: who is in it, who proposed what, the counts, the deadline."""
        return {"team": self.number, "name": self.name, "rule": cfg["rule"], "window": cfg["window"],
                "you": you, "captain": self.captain, "point": self.point,
                "members": [{"member": m.id, "name": m.name, "connected": m.connected} for m in self.members.values()],
                "proposals": [{"member": p.member, "name": self.members[p.member].name, "index": p.index, "at": p.at}
                              for p in sorted(self.proposals.values(), key=lambda p: p.at)],
                "counts": [{"index": i, "count": n} for i, n in sorted(self.counts().items())],
                "deadline": self.deadline(cfg), "last": self.last}


class TeamBook:
    """A session's teams: which team each member is in, found by their rejoin token."""

    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.teams: dict[int, Team] = {}       # team number -> Team
        self.by_seat: dict[int, Team] = {}
        self.by_token: dict[str, Member] = {}
        self.members: dict[int, Member] = {}

    def pick(self, wanted: int | None) -> int:
        """The team a new member joins: the one they asked for, else the emptiest (fixed count) or the first
        with room (auto). Raises ValueError for a team that cannot exist."""
        count = self.cfg["count"]
        if count == "auto":
            limit = min(MAX_TEAMS, len(self.teams) + 1)
            if wanted is not None:
                if not 1 <= wanted <= limit:
                    raise ValueError(f"Pick a team from 1 to {limit}." if limit > 1 else "Pick team 1.")
                return wanted
            for n in sorted(self.teams):
                if len(self.teams[n].members) < AUTO_SIZE:
                    return n
            return next(n for n in range(1, MAX_TEAMS + 2) if n not in self.teams)
        if wanted is not None:
            if not 1 <= wanted <= count:
                raise ValueError(f"This session has teams 1 to {count}." if count > 1 else "This session has one team.")
            return wanted
        return min(range(1, count + 1), key=lambda n: (len(self.teams[n].members) if n in self.teams else 0, n))

    def add_team(self, number: int, seat_id: int, captain: int | None = None) -> Team:
        team = Team(number, seat_id, captain=captain)
        self.teams[number] = team
        self.by_seat[seat_id] = team
        return team

    def add_member(self, member: Member) -> Member:
        team = self.by_seat[member.seat_id]
        team.members[member.id] = member
        if next(reversed(team.members)) != member.id:  # heard of after a later one (another process's): the
            team.members = dict(sorted(team.members.items()))  # order they joined is their ids' (the database's)
        self.by_token[member.token_hash] = member
        self.members[member.id] = member
        return member

    def team_of(self, member: Member) -> Team:
        return self.by_seat[member.seat_id]

    def restore_proposals(self, team: Team, point: int, rows) -> None:
        """The pending proposals after a restart: the stored ones for the seat's current decision, the
        latest per member; the window opened at the point's first proposal."""
        team.at_point(point)
        for member, pt, index, at in rows:
            if pt != point or member not in team.members:
                continue
            team.opened = at if team.opened is None else min(team.opened, at)
            team.proposals[member] = Proposal(member, pt, index, at)

    def dashboard_entry(self, seat_id: int) -> dict:
        """What the facilitator's dashboard shows of a team's seat: its members (names, connected, captain)
        and its pending proposals."""
        team = self.by_seat.get(seat_id)
        if team is None:
            return {}
        return {"connected": bool(team.connected()),
                "team": {"number": team.number, "captain": team.captain, "pending": len(team.proposals),
                         "members": [{"member": m.id, "name": m.name, "connected": m.connected,
                                      "captain": m.id == team.captain} for m in team.members.values()]}}
