"""A session's results as CSV and JSON: what `balcony export` and the dashboard's download give.

Everything is rebuilt from the database alone (the session row, its seats and their stored actions, each
with the time it was committed), by replaying each seat's actions on a fresh `engine.Run` with the room's
seed, exactly as the server does when it restarts. So an export can be taken while the server runs, after
it stopped, or from a copy of the database. The columns are documented in docs/classroom.md ("Exporting
the results"); they follow oTree's naming (`session.code`, `participant.id_in_session`,
`participant.label`), so an oTree user finds the same kind of wide table, one row per participant, and a
long table, one row per decision.
"""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone

from sqlalchemy import or_, select

from engine import load_scenario
from engine.schema import DIMENSIONS, STANCES
from engine.saves import atomic_write_text

from .room import Room
from .store import actions, members, proposals, seats, sessions

FORMAT = "balcony-classroom-export"
FORMAT_VERSION = 1

#: The pattern tags, in the paper's order (the six dimensions, then the four stances' two sides each).
TAGS = DIMENSIONS + STANCES

SEAT_COLUMNS = (["session.code", "session.id", "session.scenario", "session.scenario_version", "session.seed",
                 "session.mode", "participant.id_in_session", "participant.label", "participant.time_started_utc",
                 "participant.status", "participant.decisions", "participant.ending", "participant.ending_title",
                 "triangle.public_value", "triangle.legitimacy", "triangle.capacity", "player.score", "player.rank"]
                + [f"tag.{t}" for t in TAGS] + ["participant.transcript_file"]
                + ["team.number", "team.rule", "team.members", "team.captain"])

DECISION_COLUMNS = ("session.code", "participant.id_in_session", "participant.label", "decision.number",
                    "decision.round", "decision.time_utc", "decision.epoch", "decision.quarter", "decision.scene",
                    "decision.choice", "decision.text", "decision.tags",
                    "team.how", "team.for", "team.voters", "team.proposals", "team.window_opened_utc")

#: a team session's proposals, one row per proposal (teams.py): who proposed what, when, and whether it counted
PROPOSAL_COLUMNS = ("session.code", "participant.id_in_session", "team.number", "member.id_in_team", "member.label",
                    "proposal.decision_number", "proposal.choice", "proposal.time_utc", "proposal.epoch",
                    "proposal.counted", "proposal.decided_choice")


class ExportError(Exception):
    """No such session, or its scenario cannot be loaded: a clear message for the user."""


def _utc(t: float | None) -> str:
    return "" if t is None else datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def collect(engine, which: str, scenario_loader=load_scenario) -> dict:
    """The export of the session whose id or join code is `which`, as plain JSON types."""
    with engine.connect() as conn:
        row = conn.execute(select(sessions).where(or_(sessions.c.id == which, sessions.c.code == which.upper()))
                           ).mappings().first()
        if row is None:
            raise ExportError(f"no session with the id or join code {which!r} in this database")
        seat_rows = conn.execute(select(seats).where(seats.c.session_id == row["id"]).order_by(seats.c.id)).mappings().all()
        stored = {}
        team_rows = {}
        for seat in seat_rows:
            stored[seat["id"]] = conn.execute(select(actions.c.seq, actions.c.action, actions.c.round, actions.c.at,
                                                     actions.c.team)
                                              .where(actions.c.seat_id == seat["id"]).order_by(actions.c.seq)).all()
            if seat["team"] is not None:
                team_rows[seat["id"]] = (
                    conn.execute(select(members.c.id, members.c.name).where(members.c.seat_id == seat["id"])
                                 .order_by(members.c.id)).all(),
                    conn.execute(select(proposals.c.member_id, proposals.c.point, proposals.c.choice, proposals.c.at)
                                 .where(proposals.c.seat_id == seat["id"]).order_by(proposals.c.id)).all())
    try:
        scenario = scenario_loader(row["scenario_path"])
    except Exception as e:  # noqa: BLE001 - a moved or broken scenario file is the user's to fix, with a message
        raise ExportError(f"cannot load the session's scenario {row['scenario_path']}: {e}") from None
    control = json.loads(row["control"])
    room = Room(id=row["id"], code=row["code"], secret=row["secret"], scenario=scenario,
                scenario_path=row["scenario_path"], mode=row["mode"], seed=row["seed"], control=control,
                created_at=row["created_at"])
    for seat in seat_rows:
        room.restore_seat(seat["id"], seat["name"], seat["token_hash"],
                          [(q, json.loads(a), r) for q, a, r, _, _ in stored[seat["id"]]])
    scores = {r["seat"]: r for r in room.scores()}
    endings = {e.id: e.title for e in scenario.endings}
    out_seats = []
    for n, seat in enumerate(room.seats.values(), 1):
        run = seat.run
        times = [(json.loads(a), r, at, json.loads(t) if t else None) for _, a, r, at, t in stored[seat.id]]
        chosen = [(r, at, t) for a, r, at, t in times if "choose" in a]
        decisions = []
        for i, (d, (round_, at, rec)) in enumerate(zip(run.history.decisions, chosen), 1):
            decisions.append({"number": i, "round": round_, "time_utc": _utc(at), "epoch": round(at, 3),
                              "quarter": d["label"], "scene": d["scene"], "choice": d["choice"], "text": d["text"],
                              "tags": list(d["tags"]), **({"team": rec} if rec else {})})
        team = (_team(next(r for r in seat_rows if r["id"] == seat.id), team_rows[seat.id], control.get("teams"), decisions)
                if seat.id in team_rows else None)
        sc = scores[seat.id]
        ending = run.state.ending
        out_seats.append({
            "id_in_session": n, "seat": seat.id, "label": seat.name,
            "time_started_utc": _utc(next((s["created_at"] for s in seat_rows if s["id"] == seat.id), None)),
            "status": run.status, "decisions": run.state.decisions, "ending": ending,
            "ending_title": endings.get(ending) if ending else None,
            "triangle": sc["parts"], "score": sc["score"], "rank": sc["rank"],
            "tags": {t: run.state.tags.get(t, 0) for t in TAGS},
            "decision_log": decisions, "transcript": run.transcript(), **({"team": team} if team else {})})
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "session": {"id": row["id"], "code": row["code"], "scenario": scenario.id,
                        "scenario_version": scenario.version, "scenario_title": scenario.title, "seed": row["seed"],
                        "mode": row["mode"], "created_utc": _utc(row["created_at"]), "ended": bool(control.get("ended"))},
            "seats": out_seats}


def _team(seat_row, rows, cfg: dict, decisions: list) -> dict:
    """A team's seat: its members, in the order they joined, and every proposal, marked with whether it was
    the member's proposal when the decision was taken (a changed proposal does not count)."""
    mem, props = rows
    ids = {mid: n for n, (mid, _) in enumerate(mem, 1)}
    names = dict(mem)
    records = {d["number"] - 1: d.get("team") for d in decisions}
    counted = {(v["member"], rec["point"], v["at"]) for rec in records.values() if rec for v in rec["votes"]}
    out = []
    for member_id, point, choice, at in props:
        rec = records.get(point)
        out.append({"member": ids.get(member_id), "label": names.get(member_id, ""), "decision_number": point + 1,
                    "choice": choice, "time_utc": _utc(at), "epoch": round(at, 3),
                    "counted": (member_id, point, at) in counted, "decided_choice": rec["index"] if rec else None})
    return {"number": seat_row["team"], "rule": cfg["rule"] if cfg else None, "window": cfg["window"] if cfg else None,
            "members": [{"id_in_team": ids[mid], "label": name} for mid, name in mem],
            "captain": names.get(seat_row["captain"]),
            "proposals": out}


def transcript_name(data: dict, seat: dict) -> str:
    return f"{data['session']['code']}-seat{seat['id_in_session']}.transcript.json"


def seats_csv(data: dict) -> str:
    s = data["session"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SEAT_COLUMNS)
    for seat in data["seats"]:
        tri = seat["triangle"]
        w.writerow([s["code"], s["id"], s["scenario"], s["scenario_version"], s["seed"], s["mode"],
                    seat["id_in_session"], seat["label"], seat["time_started_utc"], seat["status"], seat["decisions"],
                    seat["ending"] or "", seat["ending_title"] or "", tri.get("public_value", ""),
                    tri.get("legitimacy", ""), tri.get("capacity", ""), seat["score"], seat["rank"]]
                   + [seat["tags"][t] for t in TAGS] + [transcript_name(data, seat)] + _team_cells(seat))
    return buf.getvalue()


def _team_cells(seat: dict) -> list:
    t = seat.get("team")
    if not t:
        return ["", "", "", ""]
    rule = t["rule"] + (f":{t['window']}" if t["window"] else "")
    return [t["number"], rule, "; ".join(m["label"] for m in t["members"]), t["captain"] or ""]


def _decision_team_cells(d: dict) -> list:
    rec = d.get("team")
    if not rec:
        return ["", "", "", "", ""]
    return [rec["how"], rec["for"], rec["voters"], "; ".join(f"{v['name']}={v['index']}" for v in rec["votes"]),
            _utc(rec.get("opened"))]


def proposals_csv(data: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PROPOSAL_COLUMNS)
    for seat in data["seats"]:
        t = seat.get("team")
        for p in (t["proposals"] if t else []):
            w.writerow([data["session"]["code"], seat["id_in_session"], t["number"], p["member"], p["label"],
                        p["decision_number"], p["choice"], p["time_utc"], p["epoch"], int(p["counted"]),
                        "" if p["decided_choice"] is None else p["decided_choice"]])
    return buf.getvalue()


def decisions_csv(data: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(DECISION_COLUMNS)
    for seat in data["seats"]:
        for d in seat["decision_log"]:
            w.writerow([data["session"]["code"], seat["id_in_session"], seat["label"], d["number"], d["round"],
                        d["time_utc"], d["epoch"], d["quarter"], d["scene"], d["choice"], d["text"], " ".join(d["tags"])]
                       + _decision_team_cells(d))
    return buf.getvalue()


def write(data: dict, fmt: str, folder) -> list[str]:
    """Write the export into `folder`; returns the files written. json: one file with everything (the
    transcripts inside). csv: SESSION-seats.csv, SESSION-decisions.csv and one transcript file per seat."""
    code = data["session"]["code"]
    files = []
    if fmt == "json":
        path = os.path.join(folder, f"{code}-export.json")
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return [path]
    tables = [(f"{code}-seats.csv", seats_csv(data)), (f"{code}-decisions.csv", decisions_csv(data))]
    if any(seat.get("team") for seat in data["seats"]):
        tables.append((f"{code}-proposals.csv", proposals_csv(data)))
    for name, text in tables:
        path = os.path.join(folder, name)
        atomic_write_text(path, text)
        files.append(path)
    for seat in data["seats"]:
        path = os.path.join(folder, transcript_name(data, seat))
        atomic_write_text(path, json.dumps(seat["transcript"], ensure_ascii=False, indent=1) + "\n")
        files.append(path)
    return files
