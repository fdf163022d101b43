"""Storage: SQLAlchemy 2 Core over SQLite (the default) or PostgreSQL (psycopg 3), by URL; schema by Alembic.

Every accepted intent is written here before the player hears it was accepted. Writes go through one
writer that commits them in groups: whatever arrived while the previous commit was on disk is committed
together in one transaction, then every waiting caller is answered. With SQLite's synchronous=FULL one
commit costs about 0.3 ms, so 200 intents arriving together cost one commit instead of 200.
"""
from __future__ import annotations

import asyncio
import collections
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        bindparam, create_engine, event, insert, select, update)

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
)

actions = Table(
    "actions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seat_id", Integer, ForeignKey("seats.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("action", Text, nullable=False),  # JSON: {"choose": i} | {"perceive": k, "who": w} | {"advance": true}
    Column("round", Integer, nullable=False),
    Column("at", Float, nullable=False),
    UniqueConstraint("seat_id", "seq", name="uq_actions_seat_seq"),
)

settings = Table(
    "settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """The database, with a group-committing writer for the event loop."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        upgrade(self.engine)
        self._queue: asyncio.Queue | None = None
        self._writer: asyncio.Task | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classroom-db")
        self.commits = 0
        self.written = 0
        self.commit_times: collections.deque = collections.deque(maxlen=100_000)  # seconds per group commit

    # --- reading (at start-up) ------------------------------------------------
    def load_all(self) -> list[dict]:
        """Every session with its seats and their actions, in order."""
        out = []
        with self.engine.connect() as conn:
            rows = conn.execute(select(sessions).order_by(sessions.c.created_at)).mappings().all()
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
                out.append(s)
        return out

    def setting(self, key: str, make) -> str:
        """A stored setting, made and stored on first use (the host key)."""
        with self.engine.begin() as conn:
            got = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
            if got is None:
                got = make()
                conn.execute(insert(settings).values(key=key, value=got))
            return got

    # --- writing ----------------------------------------------------------------
    # An op is (statement, parameters, wants_key). Statements are built once; a group commit sends the
    # consecutive ops of one statement as one executemany.
    _INSERT_SESSION = insert(sessions)
    _UPDATE_CONTROL = update(sessions).where(sessions.c.id == bindparam("sid")).values(control=bindparam("control"))
    _INSERT_SEAT = insert(seats)
    _INSERT_ACTION = insert(actions)

    @classmethod
    def op_session(cls, row: dict):
        row = {**row, "control": json.dumps(row["control"]), "created_at": row.get("created_at", time.time())}
        return (cls._INSERT_SESSION, row, False)

    @classmethod
    def op_control(cls, session_id: str, control: dict):
        return (cls._UPDATE_CONTROL, {"sid": session_id, "control": json.dumps(control)}, False)

    @classmethod
    def op_seat(cls, session_id: str, name: str, token_hash: str):
        return (cls._INSERT_SEAT, {"session_id": session_id, "name": name, "token_hash": token_hash,
                                   "created_at": time.time()}, True)

    @classmethod
    def op_action(cls, seat_id: int, seq: int, action: dict, round_: int):
        return (cls._INSERT_ACTION, {"seat_id": seat_id, "seq": seq, "action": json.dumps(action), "round": round_,
                                     "at": time.time()}, False)

    @staticmethod
    def _execute(conn, ops) -> list:
        """Run ops in order; runs of the same statement without keys to return go as one executemany."""
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
        t0 = time.perf_counter()
        with self.engine.begin() as conn:
            out = self._execute(conn, ops)
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

    async def close(self):
        """Commit what is queued, then stop the writer."""
        if self._writer is not None:
            await self._queue.put(None)
            await self._writer
        self._pool.shutdown(wait=True)
        self.engine.dispose()

