"""`balcony join ADDRESS CODE --text`: play a class in the terminal. The terminal front end (game.textui)
shows the scenes as in solo play; the run lives on the server, and the room's news (a round opening, the
reveal of how the room chose, the leaderboard) is printed as it arrives."""
from __future__ import annotations

import sys
import threading
import time

from game.textui import TextUI

from .client import ClassError, Connection, RemoteRun


def describe_reveal(msg: dict) -> list[str]:
    lines = [f"How the room chose in round {msg['round']} (anonymous):"]
    for d in msg["decisions"]:
        lines.append(f"  {d['title']} ({d['total']} decision{'' if d['total'] == 1 else 's'})")
        for c in d["choices"]:
            share = round(100 * c["count"] / d["total"]) if d["total"] else 0
            lines.append(f"    {c['count']:>3}  {share:>3}%  {c['text']}")
    return lines


def describe_leaderboard(msg: dict) -> list[str]:
    parts = " · ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in msg["parts"].items())
    return [f"Leaderboard: you are {msg['rank']} of {msg['of']}, score {msg['score']:g} ({parts}).",
            "  The score is the mean of the strategic triangle's three parts in the game's teaching model; "
            "speed plays no part."]


HOW = {"majority": "more than half proposed it", "window": "the most proposals when the window ended",
       "tie": "a tie when the window ended: the choice proposed first", "captain": "the captain's decision",
       "round": "the most proposals when the round closed"}


def describe_team(team: dict, snap: dict | None, say_last: bool = True) -> list[str]:
    """A team member's view of their team: who proposed what, the counts, the window; the last decision."""
    numbers = {c["index"]: i for i, c in enumerate((snap or {}).get("choices", []), 1)}
    texts = {c["index"]: c["text"] for c in (snap or {}).get("choices", [])}
    cap = next((m["name"] for m in team["members"] if m["member"] == team["captain"]), None)
    rule = ("the captain decides" + (f" ({cap})" if cap else "") if team["rule"] == "captain"
            else f"majority within {team['window']} s of the first proposal")
    here = sum(1 for m in team["members"] if m["connected"])
    lines = [f"{team['name']}: {len(team['members'])} members, {here} connected; {rule}."]
    if say_last and team.get("last"):
        last = team["last"]
        said = str(last.get("text") or f"choice {last['index'] + 1}").rstrip(".!?")
        lines.append(f"  Your team chose: {said} ({HOW.get(last['how'], last['how'])}; "
                     f"{last['for']} of {last['voters']} proposed it).")
    for p in team["proposals"]:
        n = numbers.get(p["index"])
        who = "You propose" if p["member"] == team.get("you") else f"{p['name']} proposes"
        lines.append(f"  {who} {n}. {texts.get(p['index'], '')}" if n else f"  {who} a choice")
    if team["proposals"] and team.get("deadline"):
        lines.append(f"  The window ends in {max(0, round(team['deadline'] - time.time()))} s.")
    if _advice_pending(team):
        lines.append("  You are the captain now: your proposal was made before, as advice; choose again to decide.")
    return lines


def _advice_pending(team: dict) -> bool:
    """The captain's own proposal is pending: made before the captaincy passed to them (a captain's proposal
    decides at once), so it is advice, and they must choose again."""
    return (team["rule"] == "captain" and team["captain"] == team.get("you")
            and any(p["member"] == team.get("you") for p in team["proposals"]))


def team_news(prev: dict | None, team: dict, snap: dict | None) -> list[str]:
    """Short lines for what changed in a team since `prev`: a teammate's new or changed proposal, a decision,
    a new captain (the window shows them as toasts)."""
    out = []
    numbers = {c["index"]: i for i, c in enumerate((snap or {}).get("choices", []), 1)}
    before = {p["member"]: p["index"] for p in (prev or {}).get("proposals", [])} if prev and prev["point"] == team["point"] else {}
    for p in team["proposals"]:
        if p["member"] != team.get("you") and before.get(p["member"]) != p["index"]:
            out.append(f"{p['name']} proposes {numbers.get(p['index'], '?')}")
    last, old = team.get("last"), (prev or {}).get("last")
    if last and (not old or old.get("decided") != last.get("decided")):
        said = str(last.get("text") or f"choice {last['index'] + 1}").rstrip(".!?")
        out.append(f"Your team chose: {said} ({last['for']} of {last['voters']})")
    if prev and prev.get("captain") != team.get("captain") and team["rule"] == "captain":
        cap = next((m["name"] for m in team["members"] if m["member"] == team["captain"]), "?")
        out.append(("You are now the captain: your proposal was advice; choose again to decide" if _advice_pending(team)
                    else "You are now the captain") if team["captain"] == team.get("you") else f"{cap} is now the captain")
    return out


class ClassTextUI(TextUI):
    def __init__(self, conn: Connection, **kw):
        super().__init__(None, 0, run=RemoteRun(conn), autosave=False, **kw)
        self.conn = conn
        self._print_lock = threading.Lock()
        self._room_said = None  # the room's state as last said (it is pushed for every change: said once each)

    def say(self, text=""):
        with self._print_lock:
            print(text, file=self.out, flush=True)

    def on_push(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "reveal":
            for line in describe_reveal(msg):
                self.say(line)
        elif kind == "leaderboard":
            for line in describe_leaderboard(msg):
                self.say(line)
        elif kind == "room":
            r = msg["room"]
            line = None
            if r["ended"]:
                line = "The facilitator has ended the session."
            elif r["paused"]:
                line = "The facilitator has paused the session."
            elif r["mode"] == "lockstep" and r["open"]:
                line = f"Round {r['round']} is open."
            elif r["mode"] == "lockstep" and r["started"]:
                line = f"Round {r['round']} is closed."
            # the room is pushed for every change (a reveal, names, the leaderboard): say each state once
            if line is not None and line != self._room_said:
                self.say(line)
            self._room_said = line
        elif kind == "error":
            self.say(f"({msg.get('message', 'the server refused something')})")
        elif kind == "team":
            self._team_news(msg["team"], msg.get("snapshot"))

    def _team_news(self, team: dict, snap: dict | None) -> None:
        """Print what changed in the team: a proposal, a decision, a new captain (not who connected)."""
        key = (tuple((p["member"], p["index"]) for p in team["proposals"]), (team.get("last") or {}).get("decided"),
               team["captain"])
        if key == getattr(self, "_team_seen", None):
            return
        decided = key[1] != getattr(self, "_team_seen", (None, None, None))[1]
        self._team_seen = key
        for line in describe_team(team, snap if not decided else self._last_choosing, say_last=decided):
            self.say(line)
        if decided:
            self.say("  Press Enter to go on.")

    def _blocked(self, snap) -> str | None:
        r = self.conn.room
        if r.get("ended"):
            return "ended"
        if not r.get("started"):
            return "Waiting for the facilitator to start the session."
        if r.get("paused"):
            return "Paused by the facilitator."
        if r.get("mode") == "lockstep" and snap.status == "choosing":
            if not r.get("open") or snap.decisions >= r.get("round", 0):
                return "Waiting for the facilitator to open the next round."
        return None

    def play(self) -> int:
        shown_scene, waiting = None, None
        self._last_choosing = self.conn.snapshot_dict
        while True:
            snap = self.run.snapshot()
            if snap.status == "choosing":
                self._last_choosing = self.conn.snapshot_dict
            if snap.status == "outcome":
                self.show_notices(snap)
                if self.conn.team is not None:  # a team: anyone's Continue moves everyone on, so ask first
                    seq = self.conn.seq
                    self.say("Press Enter to move your team on (any member can).")
                    if self.read() is None:
                        self.say("(input ended; your place is kept: join again with the same code to continue)")
                        return 0
                    if self.conn.seq != seq:
                        continue  # a teammate moved the team on meanwhile
                self.run.advance()
                continue
            if snap.status == "ended":
                self.show_ending(snap)
                return self._until_end()
            why = self._blocked(snap)
            if why == "ended":
                self.say("The session has ended before your run did.")
                return 0
            if why:
                if why != waiting:
                    self.say(why)
                    waiting = why
                self.conn.wait_change(1.0)
                continue
            waiting = None
            if shown_scene != (snap.scene_id, snap.decisions):
                self.show_scene(snap)
                shown_scene = (snap.scene_id, snap.decisions)
            self.prompt()
            line = self.read()
            if line is None:
                self.say("(input ended; your seat is kept: join again with the same code to continue)")
                return 0
            if not line:
                continue
            before = self.conn.seq
            try:
                self.handle(line, snap)
            except ClassError as e:
                self.say(str(e))
            if self.conn.team is not None and self.conn.seq == before and line.isdigit():  # a proposal
                for out in describe_team(self.conn.team, self.conn.snapshot_dict, say_last=False):
                    self.say(out)

    def show_debrief(self):
        """The player's own debrief, as in solo play, built by the server (which owns the run), and where
        they sat in the room once the facilitator ends the session or shows the leaderboard."""
        from .cohort import fetch, placement_shown
        self.rule("Debrief")
        self._placed = placement_shown(self.conn.room) or bool(self.conn.leaderboard)
        try:
            self.say(fetch(self.conn, "text").rstrip("\n"))
        except ClassError as e:
            self.say(f"({e}; your facilitator leads the debrief in class)")
            self._placed = True

    def show_place(self):
        from .cohort import fetch
        self.rule("Where you sat in the room")
        try:
            self.say(fetch(self.conn, "place"))
        except ClassError as e:
            self.say(f"({e})")

    def save_progress(self):
        pass

    def _until_end(self) -> int:
        if self.conn.room.get("ended") or self.conn.leaderboard:
            return 0
        self.say("Your run has ended. The leaderboard appears here when the facilitator shows it; "
                 "press Enter to leave (your seat is kept).")
        left = threading.Event()

        def wait_for_enter():
            self.read()
            left.set()
            self.conn._notify()
        threading.Thread(target=wait_for_enter, daemon=True).start()
        while not self.conn.room.get("ended") and not self.conn.leaderboard and not left.is_set():
            self.conn.wait_change(1.0)
        if not left.is_set() and not getattr(self, "_placed", True):
            self.show_place()
        return 0


def join_text(address: str, code: str, name: str | None, tokens, inp=None, out=None, team: int | None = None) -> int:
    out = out or sys.stdout
    ui_holder = {}
    conn = Connection(address, code, name, tokens, on_push=lambda m: ui_holder["ui"].on_push(m)
                      if "ui" in ui_holder else None, client="terminal", team=team)
    try:
        welcome = conn.open()
    except ClassError as e:
        print(f"balcony join: {e}", file=sys.stderr)
        return 2
    ui = ClassTextUI(conn, inp=inp, out=out)
    ui_holder["ui"] = ui
    ui.say(f"Joined {welcome['room']['scenario']} as {welcome['name']} "
           f"({'lock-step rounds' if welcome['room']['mode'] == 'lockstep' else 'free play'}).")
    if conn.team:
        ui.say(f"You are in {conn.team['name']} with "
               f"{', '.join(m['name'] for m in conn.team['members'] if m['member'] != conn.team['you']) or 'nobody yet'}. "
               "Your choices are proposals; your team's rule decides.")
        ui._last_choosing = conn.snapshot_dict
        ui._team_news(conn.team, conn.snapshot_dict)
    if conn.reveal:
        ui.on_push(conn.reveal)
    if conn.leaderboard:
        ui.on_push(conn.leaderboard)
    try:
        return ui.play()
    except ClassError as e:
        print(f"balcony join: {e}", file=sys.stderr)
        return 2
    finally:
        conn.close()
