"""A class session in memory: its seats' runs, the facilitator's controls, the room's distributions and the
leaderboard. No network and no database: the server decides what to store and whom to tell.

Each seat's run lives here and only here. A player's intent is checked against the room (started? paused?
round open?) and then applied to the engine through its driving API, exactly as the window and the
terminal do. What a seat did is a list of actions, {"choose": i}, {"perceive": kind, "who": id} or
{"advance": true}; replaying that list on a fresh Run with the room's seed rebuilds the seat exactly.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from engine import BalconyError, Run
from engine.views import shown

from .protocol import Refused
from .teams import TeamBook

FREE, LOCKSTEP = "free", "lockstep"


def new_control(mode: str, seconds: int | None = None, teams: dict | None = None) -> dict:
    c = {"started": False, "round": 0, "open": False, "revealed": False, "paused": False, "ended": False,
         "names": False, "leaderboard": False, "timer": seconds, "deadline": None, "mode": mode}
    if teams:
        c["teams"] = teams  # classroom/teams.py: {"count": N or "auto", "rule", "window"}
    return c


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=lambda o: o.__dict__)


def encode(msg: dict) -> str:
    """A message as JSON text. Snapshots (frozen dataclasses) are written field by field, as their
    to_dict() would be; tuples become lists, as they do through to_dict and json."""
    return _ENCODER.encode(msg)


def apply_stored(run: Run, action: dict) -> None:
    """Apply one stored action (replay). Raises BalconyError if it does not fit."""
    if "choose" in action:
        run.choose(action["choose"])
    elif "perceive" in action:
        run.perceive(action["perceive"], action.get("who"))
    elif action.get("advance"):
        run.advance()
    else:
        raise ValueError(f"unknown stored action {action!r}")


@dataclass
class Seat:
    id: int
    name: str
    token_hash: str
    run: Run
    actions: list = field(default_factory=list)   # stored actions, in order (seq = index)
    rounds: list = field(default_factory=list)    # the round each action was taken in
    snap: object = None                           # the run's snapshot as last sent, until the run moves
    chosen: list = field(default_factory=list)    # (scene, index, round) of each choice, as the room counted it
    kept: list = field(default_factory=lambda: [None, -1, None, None])  # see _kept

    @property
    def seq(self) -> int:
        return len(self.actions)


def _kept(seat: Seat) -> list:
    """The seat's kept rows, [run, seq, score row, dashboard row], emptied when its run has moved or been
    replaced since they were computed: they are recomputed only then."""
    kept = seat.kept
    if kept[0] is not seat.run or kept[1] != seat.seq:
        kept = seat.kept = [seat.run, seat.seq, None, None]
    return kept


@dataclass
class Decision:
    """One decision point's anonymous distribution: how many seats took each choice there."""
    scene: str
    title: str
    texts: dict = field(default_factory=dict)   # choice index -> text, as the first seat here saw it
    counts: dict = field(default_factory=dict)  # choice index -> seats
    by_round: dict = field(default_factory=dict)  # round -> {index: seats}

    def add(self, index: int, texts: dict, round_: int):
        for i, t in texts.items():
            self.texts.setdefault(i, t)
        self.counts[index] = self.counts.get(index, 0) + 1
        r = self.by_round.setdefault(round_, {})
        r[index] = r.get(index, 0) + 1

    def remove(self, index: int, round_: int):
        """Take back one seat's choice (a replica that learnt it was not stored)."""
        self.counts[index] -= 1
        if not self.counts[index]:
            del self.counts[index]
        r = self.by_round[round_]
        r[index] -= 1
        if not r[index]:
            del r[index]
        if not r:
            del self.by_round[round_]

    def view(self, round_: int | None = None, rounds=None) -> dict:
        """All of it; one round's (`round_`); or the sum over the rounds in `rounds`."""
        if rounds is not None:
            counts = {}
            for r in rounds:
                for i, n in self.by_round.get(r, {}).items():
                    counts[i] = counts.get(i, 0) + n
        else:
            counts = self.counts if round_ is None else self.by_round.get(round_, {})
        return {"scene": self.scene, "title": self.title, "total": sum(counts.values()),
                "choices": [{"index": i, "text": self.texts[i], "count": counts.get(i, 0)} for i in sorted(self.texts)]}


class Room:
    def __init__(self, *, id: str, code: str, secret: str, scenario, scenario_path: str, mode: str, seed: int,
                 control: dict, created_at: float | None = None):
        self.id, self.code, self.secret = id, code, secret
        self.scenario = scenario
        self.scenario_path = scenario_path
        self.mode = mode
        self.seed = seed
        self.control = control
        self.created_at = created_at or time.time()
        self.seats: dict[int, Seat] = {}
        self.by_token: dict[str, Seat] = {}
        self.decisions: dict[str, Decision] = {}  # scene id -> distribution, in the order first met
        self.teams = TeamBook(control["teams"]) if control.get("teams") else None  # several players per seat
        self._ending_titles = {e.id: e.title for e in scenario.endings}

    # --- seats --------------------------------------------------------------------
    def add_seat(self, seat_id: int, name: str, token_hash: str) -> Seat:
        seat = Seat(seat_id, name, token_hash, Run(self.scenario, self.seed))
        self.seats[seat_id] = seat
        self.by_token[token_hash] = seat
        return seat

    def restore_seat(self, seat_id: int, name: str, token_hash: str, stored: list) -> Seat:
        """Rebuild a seat by replaying its stored actions [(seq, action, round)]."""
        seat = self.add_seat(seat_id, name, token_hash)
        for seq, action, round_ in stored:
            if seq != seat.seq:
                raise ValueError(f"seat {seat_id}: stored action {seq} out of order (expected {seat.seq})")
            self._record(seat, action, round_)
        return seat

    def extend_seat(self, seat: Seat, stored: list) -> int:
        """Apply the stored actions [(seq, action, round)] that the seat does not have yet (another process
        stored them); returns how many. Raises BalconyError or ValueError if they do not fit."""
        n = 0
        for seq, action, round_ in stored:
            if seq < seat.seq:
                continue
            if seq != seat.seq:
                raise ValueError(f"seat {seat.id}: stored action {seq} out of order (expected {seat.seq})")
            self._record(seat, action, round_)
            n += 1
        return n

    def rebuild_seat(self, seat: Seat, stored: list) -> None:
        """Replace the seat's run with the stored actions replayed, taking its choices out of the room's
        distributions first (a replica whose last action lost to another process's)."""
        for scene, index, round_ in seat.chosen:
            d = self.decisions[scene]
            d.remove(index, round_)
            if not d.counts:
                del self.decisions[scene]
        seat.run = Run(self.scenario, self.seed)
        seat.actions, seat.rounds, seat.chosen, seat.snap = [], [], [], None
        self.extend_seat(seat, stored)

    # --- intents --------------------------------------------------------------------
    def check_intent(self, seat: Seat, msg: dict) -> dict:
        """The stored action for a player's intent, or Refused. Changes nothing."""
        c = self.control
        if c["ended"]:
            raise Refused("ended", "The session has ended.")
        if msg["seq"] != seat.seq:
            raise Refused("stale", f"This device is out of step with your seat (it expected step {msg['seq']}, "
                                   f"the seat is at step {seat.seq}); here is where you are.")
        if not c["started"]:
            raise Refused("not_started", "The session has not started yet: wait for the facilitator.")
        if c["paused"]:
            raise Refused("paused", "The facilitator has paused the session.")
        action = msg["action"]
        status = seat.run.status
        if action == "advance":
            if status != "outcome":
                raise Refused("phase", "There is nothing to move on from: "
                                       + ("choose first." if status == "choosing" else "your run has ended."))
            return {"advance": True}
        if status != "choosing":
            raise Refused("phase", "Move on from the outcome first." if status == "outcome" else "Your run has ended.")
        if action == "choose":
            if self.mode == LOCKSTEP:
                if not c["open"]:
                    raise Refused("round_closed", "The round is closed: wait for the facilitator to open the next one.")
                if seat.run.state.decisions >= c["round"]:
                    raise Refused("round_done", "You have made this round's decision: wait for the next round.")
            return {"choose": msg["index"]}
        out = {"perceive": msg["kind"]}
        if msg["kind"] == "one_to_one":
            if "who" not in msg:
                raise Refused("invalid", "a one-to-one needs 'who', a stakeholder id")
            out["who"] = msg["who"]
        return out

    def apply(self, seat: Seat, action: dict) -> None:
        """Apply a checked action to the seat's run; Refused if the engine refuses it (nothing changes then)."""
        try:
            self._record(seat, action, self.control["round"])
        except BalconyError as e:
            text = str(e)
            raise Refused("refused", text[:1].upper() + text[1:]) from None

    def _record(self, seat: Seat, action: dict, round_: int) -> None:
        run = seat.run
        if "choose" in action:
            texts = {c.index: c.text for c in (seat.snap or run.snapshot()).choices}
            scene = run.state.scene
            with run.atomic():  # a content error met at run time changes nothing (Refused below)
                apply_stored(run, action)
            d = self.decisions.get(scene)
            if d is None:
                title = self.scenario.scenes[scene].title or scene
                d = self.decisions[scene] = Decision(scene, title)
            d.add(action["choose"], texts, round_)
            seat.chosen.append((scene, action["choose"], round_))
        else:
            with run.atomic():
                apply_stored(run, action)
        seat.snap = None
        seat.actions.append(action)
        seat.rounds.append(round_)

    # --- the facilitator --------------------------------------------------------------
    def control_action(self, action: str, msg: dict, now: float | None = None) -> dict:
        """Apply a facilitator's control to a copy of the control state and return it (the server stores it,
        then adopts it with `self.control = new`). Refused if it does not fit the room's state."""
        c = dict(self.control)
        now = time.time() if now is None else now
        if c["ended"] and action != "names" and action != "leaderboard":
            raise Refused("ended", "The session has ended.")
        if action == "start":
            if c["started"]:
                raise Refused("state", "The session has already started.")
            c["started"] = True
            if self.mode == LOCKSTEP:
                self._open_round(c, 1, now)
        elif action in ("close_round", "reveal", "next_round"):
            if self.mode != LOCKSTEP:
                raise Refused("state", "Rounds belong to lock-step sessions; this one is free play.")
            if not c["started"]:
                raise Refused("state", "Start the session first.")
            if action == "close_round":
                if not c["open"]:
                    raise Refused("state", "The round is already closed.")
                c["open"], c["deadline"] = False, None
            elif action == "reveal":
                if c["open"]:
                    raise Refused("state", "Close the round before revealing how the room chose.")
                c["revealed"] = True
            else:
                if c["open"]:
                    raise Refused("state", "Close the round first.")
                self._open_round(c, c["round"] + 1, now)
        elif action == "pause":
            if c["paused"]:
                raise Refused("state", "The session is already paused.")
            c["paused"] = True
            if c["deadline"] is not None:  # a paused round's timer stops; resume gives back what was left
                c["left"] = max(0.0, c["deadline"] - now)
                c["deadline"] = None
        elif action == "resume":
            if not c["paused"]:
                raise Refused("state", "The session is not paused.")
            c["paused"] = False
            if c.get("left") is not None:
                c["deadline"] = now + c.pop("left")
        elif action == "end":
            c.update(ended=True, open=False, deadline=None, paused=False, leaderboard=True)
        elif action == "names":
            c["names"] = bool(msg["on"])
        elif action == "leaderboard":
            c["leaderboard"] = bool(msg["on"])
        elif action == "timer":
            c["timer"] = msg["seconds"]
        return c

    def _open_round(self, c: dict, n: int, now: float) -> None:
        c.update(round=n, open=True, revealed=False)
        c["deadline"] = now + c["timer"] if c.get("timer") else None
        c.pop("left", None)

    # --- what people see ------------------------------------------------------------------
    def seat_view(self, seat: Seat) -> dict:
        """The seat's own state for its player. The snapshot goes as the object: `encode` writes it as
        JSON exactly as `snapshot.to_dict()` would be written, five times faster."""
        if seat.snap is None:
            seat.snap = seat.run.snapshot()
        return {"seat": seat.id, "seq": seat.seq, "snapshot": seat.snap}

    def room_view(self) -> dict:
        """What every player may know about the room (no names, no one else's state)."""
        c = self.control
        return {"session": self.id, "scenario": self.scenario.title, "mode": self.mode, "started": c["started"],
                "round": c["round"], "open": c["open"], "revealed": c["revealed"], "paused": c["paused"],
                "ended": c["ended"], "deadline": c["deadline"], "players": len(self.seats),
                "leaderboard": c["leaderboard"], "teams": c.get("teams")}

    def scores(self) -> list[dict]:
        """Every seat's score on the strategic triangle, best first. The score is the mean of the triangle's
        three parts (public value, legitimacy, capacity), each as the scenario defines it; ties share a rank.
        Time and speed play no part."""
        rows = []
        for seat in self.seats.values():
            kept = _kept(seat)
            if kept[2] is None:  # kept until the seat's run moves: a dashboard of 1,000 seats is built often
                tri = seat.run.triangle()
                parts = {k: shown(v) for k, v in tri.items()}  # as the ending shows them: one rounding rule
                score = round(sum(parts.values()) / len(parts), 1) if parts else 0.0  # the mean of the parts shown
                ending = seat.run.state.ending
                kept[2] = (score, parts, seat.run.status == "ended", self._ending_titles.get(ending) if ending else None)
            score, parts, ended, ending = kept[2]
            rows.append({"seat": seat.id, "score": score, "parts": dict(parts), "ended": ended, "ending": ending})
        rows.sort(key=lambda r: (-r["score"], r["seat"]))
        rank, last = 0, None
        for i, r in enumerate(rows, 1):
            if r["score"] != last:
                rank, last = i, r["score"]
            r["rank"] = rank
        return rows

    def leaderboard_for(self, seat: Seat, rows: list | None = None) -> dict:
        """A player's view: their own rank and parts, and everyone's scores without names or seats. `rows`,
        this room's scores(), when they are shown to every player at once."""
        rows = self.scores() if rows is None else rows
        mine = next(r for r in rows if r["seat"] == seat.id)
        return {"rank": mine["rank"], "of": len(rows), "score": mine["score"], "parts": mine["parts"],
                "scores": [r["score"] for r in rows]}

    def distribution(self, round_: int | None = None) -> list[dict]:
        if round_ is None:
            return [d.view() for d in self.decisions.values()]
        return [d.view(round_) for d in self.decisions.values() if round_ in d.by_round]

    def shown_distribution(self) -> list[dict]:
        """What the projector may show: in lock-step, the current round only once it is revealed (so that
        nobody sees the room's leaning while still choosing); in free play, everything."""
        c = self.control
        if self.mode != LOCKSTEP or c["ended"]:
            return self.distribution()
        rounds = {r for d in self.decisions.values() for r in d.by_round
                  if r < c["round"] or (r == c["round"] and c["revealed"])}
        return [v for v in (d.view(rounds=rounds) for d in self.decisions.values()) if v["total"]]

    def dashboard(self, connected: set) -> dict:
        """The facilitator's view. Names travel only to the facilitator's page, which shows them on the
        projector only when `names` is on."""
        seats = []
        lockstep, round_ = self.mode == LOCKSTEP, self.control["round"]
        for seat in self.seats.values():
            kept = _kept(seat)
            if kept[3] is None:  # kept until the seat's run moves
                st = seat.run.state
                cal = self.scenario.calendar_at(st.turn)
                kept[3] = (st.status, st.decisions, f"{cal[0]} Q{cal[1]}")
            status, decisions, quarter = kept[3]
            seats.append({"seat": seat.id, "name": seat.name, "status": status, "decisions": decisions,
                          "quarter": quarter, "connected": seat.id in connected,
                          "waiting": lockstep and 0 < round_ <= decisions and status != "ended"})
            if self.teams is not None:
                seats[-1].update(self.teams.dashboard_entry(seat.id))
        c = self.control
        return {"session": self.id, "code": None if c["ended"] else self.code, "scenario": self.scenario.title,
                "scenario_id": self.scenario.id, "mode": self.mode, "seed": self.seed, "control": dict(c),
                "seats": seats, "leaderboard": self.scores(), "decisions": self.shown_distribution(),
                "round_decisions": self.distribution(c["round"]) if self.mode == LOCKSTEP and c["revealed"] else [],
                "chosen_this_round": sum(1 for s in self.seats.values() if s.run.state.decisions >= c["round"]
                                         and s.run.status != "ended") if self.mode == LOCKSTEP else None,
                "finished": sum(1 for s in self.seats.values() if s.run.status == "ended")}
