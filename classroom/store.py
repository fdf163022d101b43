"""Storage: SQLAlchemy 2 Core over SQLite (the default) or PostgreSQL (psycopg 3), by URL; schema by Alembic.

Every accepted intent is written here before the player hears it was accepted. Writes go through one
writer that commits them in groups: whatever arrived while the previous commit was on disk is committed
together in one transaction, then every waiting caller is answered. With SQLite's synchronous=FULL one
commit costs about 0.3 ms, so 200 intents arriving together cost one commit instead of 200.

On PostgreSQL several server processes may share the database (classroom/replica.py keeps each one's
sessions in step). There the database is the arbiter: an action is inserted only if its seat has no
action at that step yet (the unique (seat_id, seq); the loser gets `Conflict`), a control only if the
session's control is still the revision it was computed from, and every group commit announces what it
stored with NOTIFY in the same transaction, so that the other processes hear of it exactly when it is
committed, in commit order.
"""
from __future__ import annotations

import asyncio
import collections
import json
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        bindparam, create_engine, event, insert, select, text, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert

metadata = MetaData()

sessions = Table(
    "sessions", metadata,
    Column("id", String(32), primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("secret", String(64), nullable=False),
    Column("scenario_path", Text, nullable=False),
    Column("scenario_id", String(80), nullable=False),
    Column("scenario_version", String(40), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("control", Text, nullable=False),  # JSON: round, open, paused, ended, names, timer...
    Column("created_at", Float, nullable=False),
)

seats = Table(
    "seats", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("team", Integer, nullable=True),     # a team's seat: its number (null for a solo seat); see teams.py
    Column("captain", Integer, nullable=True),  # a team's seat: the captain's member id
)

#: a team's members (classroom/teams.py): several players on one seat, each with their own rejoin token
members = Table(
    "members", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seat_id", Integer, ForeignKey("seats.id"), nullable=False, index=True),
    Column("name", String(80), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

#: every proposal a team member made (a changed proposal is a new row; the latest per member counts)
proposals = Table(
    "proposals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seat_id", Integer, ForeignKey("seats.id"), nullable=False, index=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("point", Integer, nullable=False),   # the decision it is for: the seat's decisions made before it
    Column("choice", Integer, nullable=False),
    Column("at", Float, nullable=False),
)

actions = Table(
    "actions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seat_id", Integer, ForeignKey("seats.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("action", Text, nullable=False),  # JSON: {"choose": i} | {"perceive": k, "who": w} | {"advance": true}
    Column("round", Integer, nullable=False),
    Column("at", Float, nullable=False),
    Column("team", Text, nullable=True),  # JSON: a team's decision record (rule, how, the votes); see teams.py
    UniqueConstraint("seat_id", "seq", name="uq_actions_seat_seq"),
)

settings = Table(
    "settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The NOTIFY channel on which the processes sharing a PostgreSQL database announce what they stored.
CHANNEL = "balcony_classroom"
#: PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more: longer announcements go in several.
NOTIFY_MAX = 7800
#: Any number: the key of the advisory lock under which start-up migrates the schema and makes the host key,
#: so that processes started together on an empty PostgreSQL database do not both create it.
_STARTUP_LOCK = 0x42414C43


def _compact(event: list) -> str:
    """An announcement's event as JSON text, without spaces."""
    return json.dumps(event, separators=(",", ":"))


class Conflict(Exception):
    """Another process stored first: an action at this seat's step, or a newer revision of the control."""


def make_engine(url: str):
    """An engine for `url`; SQLite files get WAL and synchronous=FULL (a commit is on disk when it returns)."""
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return eng
    if driver_url(url).startswith("postgresql+psycopg://"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise RuntimeError("PostgreSQL needs the Python package psycopg: pip install 'balcony-game[postgresql]'") from None
    return create_engine(driver_url(url), pool_pre_ping=True)


def driver_url(url: str) -> str:
    """postgresql://... (and postgres://) through psycopg 3, the driver Balcony installs; SQLAlchemy would
    otherwise look for psycopg2. A URL that names its driver (postgresql+...://) is left alone."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def upgrade(eng) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with eng.begin() as conn:
        _startup_lock(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _startup_lock(conn) -> None:
    """On PostgreSQL, wait for any other process's start-up (held until this transaction ends)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _STARTUP_LOCK})


def single_process_lock(url: str):
    """A SQLite file is served by one process: its sessions live in that process's memory, and nothing tells
    a second process what the first stored. Returns an open file holding an exclusive lock on the database
    file for as long as this process lives (the kernel drops it when the process dies, even by SIGKILL), or
    None for a database that is not a SQLite file. Raises RuntimeError when another process holds it."""
    import fcntl

    from sqlalchemy.engine import make_url
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" \
            or u.database.startswith("file:"):
        return None
    # flock, not fcntl's record locks: SQLite's own locks are fcntl locks, which flock never touches
    f = open(u.database, "rb")  # noqa: SIM115 - held open on purpose until the process ends
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise RuntimeError(f"another balcony host is already serving {u.database}. A SQLite file serves one "
                           f"process; to run several server processes, share a PostgreSQL database "
                           f"(--db postgresql://..., see docs/classroom.md)") from None
    return f


class Store:
    """The database, with a group-committing writer for the event loop."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        upgrade(self.engine)
        #: shared by several processes (PostgreSQL): actions and controls are arbitrated, commits announced
        self.shared = self.engine.dialect.name == "postgresql"
        #: this process, in its announcements (it ignores its own)
        self.origin = secrets.token_hex(6)
        self._queue: asyncio.Queue | None = None
        self._writer: asyncio.Task | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classroom-db")
        self._conn = None  # the writer's own connection, kept open between group commits (see _commit)
        self.commits = 0
        self.written = 0
        self.commit_times: collections.deque = collections.deque(maxlen=100_000)  # seconds per group commit

    # --- reading (at start-up) ------------------------------------------------
    def load_all(self, where=None) -> list[dict]:
        """Every session (or those `where` selects) with its seats and their actions, in order."""
        out = []
        query = select(sessions).order_by(sessions.c.created_at)
        with self.engine.connect() as conn:
            rows = conn.execute(query if where is None else query.where(where)).mappings().all()
            for row in rows:
                s = dict(row)
                s["control"] = json.loads(s["control"])
                seat_rows = conn.execute(select(seats).where(seats.c.session_id == s["id"])
                                         .order_by(seats.c.id)).mappings().all()
                s["seats"] = []
                for seat in seat_rows:
                    acts = conn.execute(select(actions.c.seq, actions.c.action, actions.c.round)
                                        .where(actions.c.seat_id == seat["id"]).order_by(actions.c.seq)).all()
                    s["seats"].append({**dict(seat), "actions": [(q, json.loads(a), r) for q, a, r in acts]})
                    if seat["team"] is not None:
                        s["seats"][-1].update(self._team_rows(conn, seat["id"]))
                out.append(s)
        return out

    @staticmethod
    def _team_rows(conn, seat_id: int) -> dict:
        """A team seat's members, its proposals (member, point, choice, at) and its latest decision record."""
        mem = conn.execute(select(members).where(members.c.seat_id == seat_id).order_by(members.c.id)).mappings().all()
        props = conn.execute(select(proposals.c.member_id, proposals.c.point, proposals.c.choice, proposals.c.at)
                             .where(proposals.c.seat_id == seat_id).order_by(proposals.c.id)).all()
        last = conn.execute(select(actions.c.team).where(actions.c.seat_id == seat_id, actions.c.team.is_not(None))
                            .order_by(actions.c.seq.desc()).limit(1)).scalar()
        return {"members": [dict(m) for m in mem], "proposals": [tuple(p) for p in props],
                "last_team": json.loads(last) if last else None}

    def team_state(self, seat_id: int) -> dict | None:
        """A team seat as stored now: its row (team number, captain), members, proposals and latest decision
        record (a replica catching a team up: classroom/teamdesk.TeamDesk.reload)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(seats).where(seats.c.id == seat_id)).mappings().first()
            if row is None or row["team"] is None:
                return None
            return {**dict(row), **self._team_rows(conn, seat_id)}

    def member_seat(self, session_id: str, token_hash: str) -> int | None:
        """The team seat of the session's member with this rejoin token's hash (joined through another process)."""
        with self.engine.connect() as conn:
            return conn.execute(select(members.c.seat_id).join(seats, seats.c.id == members.c.seat_id)
                                .where(seats.c.session_id == session_id, members.c.token_hash == token_hash)).scalar()

    def setting(self, key: str, make) -> str:
        """A stored setting, made and stored on first use (the host key)."""
        with self.engine.begin() as conn:
            _startup_lock(conn)
            got = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
            if got is None:
                got = make()
                conn.execute(insert(settings).values(key=key, value=got))
            return got

    # --- reading (the replicas of several processes: classroom/replica.py) ---------------
    def seat_actions(self, seat_id: int) -> list:
        """One seat's stored actions [(seq, action, round)], in order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(actions.c.seq, actions.c.action, actions.c.round)
                                .where(actions.c.seat_id == seat_id).order_by(actions.c.seq)).all()
        return [(q, json.loads(a), r) for q, a, r in rows]

    def seat_row(self, *, seat_id: int | None = None, session_id: str | None = None,
                 token_hash: str | None = None) -> dict | None:
        """A seat by its id, or by its session and rejoin token's hash."""
        query = select(seats)
        query = query.where(seats.c.id == seat_id) if seat_id is not None else \
            query.where(seats.c.session_id == session_id, seats.c.token_hash == token_hash)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def controls(self) -> dict:
        """Every session's control, by session id."""
        with self.engine.connect() as conn:
            return {sid: json.loads(c) for sid, c in conn.execute(select(sessions.c.id, sessions.c.control))}

    def session_seats(self, session_id: str) -> list[dict]:
        """A session's seats, each with its actions [(seq, action, round)], in two queries."""
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(select(seats).where(seats.c.session_id == session_id)
                                                  .order_by(seats.c.id)).mappings()]
            acts = conn.execute(select(actions.c.seat_id, actions.c.seq, actions.c.action, actions.c.round)
                                .join(seats, seats.c.id == actions.c.seat_id)
                                .where(seats.c.session_id == session_id)
                                .order_by(actions.c.seat_id, actions.c.seq)).all()
        by_seat = {r["id"]: r for r in rows}
        for r in rows:
            r["actions"] = []
        for seat_id, q, a, r in acts:
            if seat_id in by_seat:
                by_seat[seat_id]["actions"].append((q, json.loads(a), r))
        return rows

    # --- writing ----------------------------------------------------------------
    # An op is (statement, parameters, wants_key). Statements are built once; a group commit sends the
    # consecutive ops of one statement as one executemany.
    _INSERT_SESSION = insert(sessions)
    _UPDATE_CONTROL = update(sessions).where(sessions.c.id == bindparam("sid")).values(control=bindparam("control"))
    _INSERT_SEAT = insert(seats)
    _INSERT_ACTION = insert(actions)
    _INSERT_MEMBER = insert(members)
    _INSERT_PROPOSAL = insert(proposals)
    #: a new captain only if the stored one is still the one it replaces (two processes' timers may both fire)
    _UPDATE_CAPTAIN = (update(seats).where(seats.c.id == bindparam("sid"),
                                           seats.c.captain.is_not_distinct_from(bindparam("prev")))
                       .values(captain=bindparam("captain")))

    @classmethod
    def op_session(cls, row: dict):
        row = {**row, "control": json.dumps(row["control"]), "created_at": row.get("created_at", time.time())}
        return (cls._INSERT_SESSION, row, False)

    @classmethod
    def op_control(cls, session_id: str, control: dict):
        return (cls._UPDATE_CONTROL, {"sid": session_id, "control": json.dumps(control)}, False)

    @classmethod
    def op_seat(cls, session_id: str, name: str, token_hash: str, team: int | None = None):
        return (cls._INSERT_SEAT, {"session_id": session_id, "name": name, "token_hash": token_hash,
                                   "created_at": time.time(), "team": team}, True)

    @classmethod
    def op_action(cls, seat_id: int, seq: int, action: dict, round_: int, team: dict | None = None):
        return (cls._INSERT_ACTION, {"seat_id": seat_id, "seq": seq, "action": json.dumps(action), "round": round_,
                                     "at": time.time(), "team": json.dumps(team) if team else None}, False)

    @classmethod
    def op_member(cls, seat_id: int, name: str, token_hash: str, at: float):
        return (cls._INSERT_MEMBER, {"seat_id": seat_id, "name": name, "token_hash": token_hash, "created_at": at}, True)

    @classmethod
    def op_proposal(cls, seat_id: int, member_id: int, point: int, choice: int, at: float):
        return (cls._INSERT_PROPOSAL, {"seat_id": seat_id, "member_id": member_id, "point": point, "choice": choice,
                                       "at": at}, False)

    @classmethod
    def op_captain(cls, seat_id: int, member_id: int | None, prev: int | None):
        """`member_id` becomes the team's captain if `prev` is still the stored captain (else, on a shared
        database, Conflict)."""
        return (cls._UPDATE_CAPTAIN, {"sid": seat_id, "captain": member_id, "prev": prev}, False)

    def _execute(self, conn, ops) -> list:
        """Run ops in order; runs of the same statement without keys to return go as one executemany.
        On a shared database (PostgreSQL), an action that another process stored first, or a control computed
        from a revision that is no longer the stored one, is not written: its result is a Conflict. What was
        written is announced (NOTIFY) in the same transaction."""
        if self.shared:
            return self._execute_shared(conn, ops)
        out, i = [], 0
        while i < len(ops):
            stmt, params, wants_key = ops[i]
            if wants_key:
                out.append(conn.execute(stmt, params).inserted_primary_key[0])
                i += 1
                continue
            j = i
            while j < len(ops) and ops[j][0] is stmt and not ops[j][2]:
                j += 1
            conn.execute(stmt, [op[1] for op in ops[i:j]] if j - i > 1 else ops[i][1])
            out.extend([None] * (j - i))
            i = j
        return out

    # On PostgreSQL: the action is inserted only if (seat_id, seq) is free, and says so by returning its row;
    # the control only if the stored revision is the one it was computed from (its own `rev` - 1).
    _INSERT_ACTION_SHARED = (pg_insert(actions).on_conflict_do_nothing(constraint="uq_actions_seat_seq")
                             .returning(actions.c.seat_id, actions.c.seq))
    _UPDATE_CONTROL_SHARED = text("UPDATE sessions SET control = :control WHERE id = :sid "
                                  "AND COALESCE(CAST(CAST(control AS JSONB) ->> 'rev' AS INTEGER), 0) = :prev")
    # A team's seat is made once per team, whichever process its first member joins through: under one
    # advisory lock (held to the end of the transaction, so a second process's insert waits for the first's
    # commit and then sees its row), and only if the session has no seat for that team yet.
    _TEAM_SEAT_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
    _INSERT_TEAM_SEAT_SHARED = text(
        "INSERT INTO seats (session_id, name, token_hash, created_at, team) "
        "SELECT CAST(:session_id AS VARCHAR), CAST(:name AS VARCHAR), CAST(:token_hash AS VARCHAR), "
        "CAST(:created_at AS DOUBLE PRECISION), CAST(:team AS INTEGER) WHERE NOT EXISTS "
        "(SELECT 1 FROM seats WHERE session_id = CAST(:session_id AS VARCHAR) AND team = CAST(:team AS INTEGER)) "
        "RETURNING id")
    _TEAM_SEAT = text("SELECT id FROM seats WHERE session_id = :session_id AND team = :team")
    #: a team decision's record travels in its announcement when it is this short (else it is read)
    RECORD_INLINE = 6000

    def _execute_shared(self, conn, ops) -> list:
        out, said, i = [], [], 0
        while i < len(ops):
            stmt, params, wants_key = ops[i]
            if stmt is self._UPDATE_CONTROL:
                prev = json.loads(params["control"]).get("rev", 1) - 1
                if conn.execute(self._UPDATE_CONTROL_SHARED, {**params, "prev": prev}).rowcount == 1:
                    out.append(None)
                    said.append(f'["c","{params["sid"]}",{params["control"]}]')
                else:
                    out.append(Conflict("the session's control changed on another process"))
                i += 1
                continue
            if stmt is self._UPDATE_CAPTAIN:
                if conn.execute(stmt, params).rowcount == 1:
                    out.append(None)
                    said.append(_compact(["k", params["sid"], params["captain"], params["prev"]]))
                else:
                    out.append(Conflict("another process changed the team's captain first"))
                i += 1
                continue
            if stmt is self._INSERT_SEAT and params.get("team") is not None:
                conn.execute(self._TEAM_SEAT_LOCK, {"k": _STARTUP_LOCK + 1})
                key = conn.execute(self._INSERT_TEAM_SEAT_SHARED, params).scalar()
                if key is None:  # another process made this team's seat first
                    c = Conflict("another process made this team's seat first")
                    c.seat_id = conn.execute(self._TEAM_SEAT, params).scalar()
                    out.append(c)
                    i += 1
                    continue
                out.append(key)
                said.append(_compact(["s", params["session_id"], key, params["name"], params["token_hash"],
                                      params["team"]]))
                i += 1
                continue
            if wants_key:
                key = conn.execute(stmt, params).inserted_primary_key[0]
                out.append(key)
                if stmt is self._INSERT_SEAT:
                    said.append(f'["s","{params["session_id"]}",{key},{json.dumps(params["name"])},'
                                f'"{params["token_hash"]}"]')
                elif stmt is self._INSERT_MEMBER:
                    said.append(_compact(["m", params["seat_id"], key, params["name"], params["token_hash"],
                                          params["created_at"]]))
                i += 1
                continue
            j = i
            while j < len(ops) and ops[j][0] is stmt and not ops[j][2]:
                j += 1
            many = [op[1] for op in ops[i:j]]
            if stmt is self._INSERT_ACTION:
                stored = set(conn.execute(self._INSERT_ACTION_SHARED, many if len(many) > 1 else many[0]).all())
                for p in many:
                    if (p["seat_id"], p["seq"]) in stored:
                        out.append(None)
                        if p["team"] is None:
                            said.append(f'["a",{p["seat_id"]},{p["seq"]},{p["round"]},{p["action"]}]')
                        else:  # a team's decision, with its record (or 1: read it, it is too long to announce)
                            record = p["team"] if len(p["team"]) <= self.RECORD_INLINE else "1"
                            said.append(f'["a",{p["seat_id"]},{p["seq"]},{p["round"]},{p["action"]},{record}]')
                    else:
                        out.append(Conflict("another process stored this seat's step first"))
            else:
                conn.execute(stmt, many if len(many) > 1 else many[0])
                out.extend([None] * len(many))
                if stmt is self._INSERT_SESSION:
                    said.extend(f'["n","{p["id"]}"]' for p in many)
                elif stmt is self._INSERT_PROPOSAL:
                    said.extend(_compact(["q", p["seat_id"], p["member_id"], p["point"], p["choice"], p["at"]])
                                for p in many)
            i = j
        if said:
            self._notify(conn, said)
        return out

    def _notify(self, conn, events: list[str]) -> None:
        """Announce `events` (each a JSON array, as text) to every process listening, when this transaction
        commits: "ORIGIN [event,...]", in payloads under PostgreSQL's limit."""
        head = self.origin + " ["
        payloads, cur = [], []
        size = len(head)
        for ev in events:
            if cur and size + len(ev) + 2 > NOTIFY_MAX:
                payloads.append(head + ",".join(cur) + "]")
                cur, size = [], len(head)
            cur.append(ev)
            size += len(ev) + 1
        payloads.append(head + ",".join(cur) + "]")
        conn.execute(self._NOTIFY, [{"ch": CHANNEL, "p": p} for p in payloads] if len(payloads) > 1
                     else {"ch": CHANNEL, "p": payloads[0]})

    _NOTIFY = text("SELECT pg_notify(:ch, :p)")

    def publish(self, events: list[str]) -> None:
        """Announce events that store nothing (who is connected where) in a transaction of their own."""
        with self.engine.begin() as conn:
            self._notify(conn, events)

    def write_now(self, *ops) -> list:
        """Synchronously, in one transaction (start-up and tools)."""
        with self.engine.begin() as conn:
            return self._execute(conn, list(ops))

    async def write(self, op):
        """Queue `op` for the next group commit; returns its result once it is committed."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._writer = asyncio.get_running_loop().create_task(self._write_loop())
        fut = asyncio.get_running_loop().create_future()
        await self._queue.put((op, fut))
        return await fut

    async def _write_loop(self):
        loop = asyncio.get_running_loop()
        q = self._queue
        while True:
            batch = [await q.get()]
            while not q.empty():
                batch.append(q.get_nowait())
            stop = [item for item in batch if item is None]
            batch = [item for item in batch if item is not None]
            if not batch and stop:
                return
            try:
                results = await loop.run_in_executor(self._pool, self._commit, [op for op, _ in batch])
            except Exception as e:  # noqa: BLE001 - the whole batch failed: try each alone, so one bad write fails alone
                results = await loop.run_in_executor(self._pool, self._commit_each, [op for op, _ in batch])
                if all(isinstance(r, Exception) for r in results) and len(results) == 1:
                    results = [e]
            for (_, fut), res in zip(batch, results):
                if fut.done():
                    continue
                if isinstance(res, Exception):
                    fut.set_exception(res)
                else:
                    fut.set_result(res)
            if stop:
                return

    def _commit(self, ops):
        """One transaction on the writer's connection, which stays open: taking one from the pool for each
        commit cost a liveness ping and a reset, two more round trips to PostgreSQL per commit. A commit that
        fails drops the connection; the next opens a fresh one (pinged), so a restarted database costs the
        batch one retry, op by op (_commit_each)."""
        t0 = time.perf_counter()
        if self._conn is None:
            self._conn = self.engine.connect()
        conn = self._conn
        try:
            with conn.begin():
                out = self._execute(conn, ops)
        except Exception:
            self._drop_conn()
            raise
        self.commit_times.append(time.perf_counter() - t0)
        self.commits += 1
        self.written += len(ops)
        return out

    def _commit_each(self, ops):
        out = []
        for op in ops:
            try:
                out.append(self._commit([op])[0])
            except Exception as e:  # noqa: BLE001
                out.append(e)
        return out

    def _drop_conn(self):
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass

    async def close(self):
        """Commit what is queued, then stop the writer."""
        if self._writer is not None:
            await self._queue.put(None)
            await self._writer
        await asyncio.get_running_loop().run_in_executor(self._pool, self._drop_conn)
        self._pool.shutdown(wait=True)
        self.engine.dispose()

