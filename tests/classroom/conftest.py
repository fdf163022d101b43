"""Helpers for the classroom tests: a real `balcony host` process, and in-process servers."""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

for _module in ("starlette", "uvicorn", "sqlalchemy", "alembic", "websockets", "httpx2"):
    # a worktree whose .venv predates the classroom: say how to fix it rather than fail on import
    pytest.importorskip(_module, reason=f"{_module} is not installed: run .venv/bin/pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


class HostProcess:
    """`python -m game host ...` with its printed addresses parsed."""

    def __init__(self, db: str, data_dir: Path, *args: str, port: int = 0):
        env = {**os.environ, "BALCONY_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
        self.cmd = [sys.executable, "-m", "game", "host", "--port", str(port), "--db", db, *args]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env, cwd=ROOT)
        self.lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"balcony host exited: {self.proc.stderr.read()}")
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Players open"):
                break
        text = "\n".join(self.lines)
        self.base = re.search(r"server at (http://\S+)", text).group(1)
        self.address = self.base[len("http://"):]
        self.host_key = re.search(r"dashboard#k=(\S+)", text).group(1)
        self.codes = re.findall(r"join code: (\S+)", text)
        self.dashboards = re.findall(r"dashboard: (\S+)", text)
        self.ws = "ws://" + self.address + "/ws"

    @property
    def code(self):
        return self.codes[-1]

    def session(self, i=-1):
        sid, secret = self.dashboards[i].split("#s=")[1].split(".")
        return sid, secret

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright never downloads a browser here


def needs_chromium():
    """Skip the calling test module, saying why, unless the playwright package and Debian's chromium are
    both here; returns playwright's sync API."""
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it)", allow_module_level=True)
    return playwright


@pytest.fixture
def browser():
    """Debian's chromium, headless, through Playwright (for the modules that called needs_chromium())."""
    with needs_chromium().sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def host(tmp_path):
    started = []

    def start(*args, db=None):
        h = HostProcess(db or f"sqlite:///{tmp_path / 'classroom.db'}", tmp_path / "data", *args)
        started.append(h)
        return h
    yield start
    for h in started:
        h.stop()


class InProcess:
    """A hub and its Starlette app under Starlette's TestClient: many clients in one process."""

    def __init__(self, tmp_path, scenarios=None, url=None):
        from classroom.server import Hub, build_app
        from classroom.store import Store
        from starlette.testclient import TestClient
        self.url = url or f"sqlite:///{tmp_path / 'inproc.db'}"
        self.store = Store(self.url)
        self.hub = Hub(self.store, scenarios or {"tutorial": TUTORIAL})
        self.hub.load()
        self.client = TestClient(build_app(self.hub))

    def room(self, mode="lockstep", seed=3):
        return self.hub.create_now("tutorial", mode, seed)

    def connect(self):
        return self.client.websocket_connect("/ws")


def recv(ws, *types, errors_ok=False):
    """The next message of one of `types`, skipping pushes of other types (an unexpected error fails)."""
    for _ in range(200):
        msg = ws.receive_json()
        if msg["type"] in types:
            return msg
        if msg["type"] == "error" and not errors_ok:
            raise AssertionError(f"unexpected error while waiting for {types}: {msg}")
    raise AssertionError(f"no {types} in 200 messages")


def hello_player(ws, code, name=None, token=None):
    msg = {"v": 1, "type": "hello", "role": "player", "code": code}
    if name:
        msg["name"] = name
    if token:
        msg["token"] = token
    ws.send_json(msg)
    return recv(ws, "welcome")


def hello_facilitator(ws, room):
    ws.send_json({"v": 1, "type": "hello", "role": "facilitator", "session": room.id, "secret": room.secret})
    return recv(ws, "welcome")


def intent(ws, seq, action, mid=1, **fields):
    ws.send_json({"v": 1, "type": "intent", "id": mid, "seq": seq, "action": action, **fields})
    return recv(ws, "ack", "error", errors_ok=True)


def control(ws, room, action, mid=1, **fields):
    ws.send_json({"v": 1, "type": "control", "id": mid, "session": room.id, "action": action, **fields})
    return recv(ws, "done", "error", errors_ok=True)


@pytest.fixture
def inproc(tmp_path):
    srv = InProcess(tmp_path)
    with srv.client:
        yield srv


# --- the two storage backends ---------------------------------------------------------------------------
#: A PostgreSQL database the tests may use (each test gets its own database created there). .ci/run starts
#: a server and sets it; without it, the tests start a throwaway server with .ci/pg-test, or skip.
PG_ENV = "BALCONY_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    folder = tempfile.mkdtemp(prefix="balcony-pg-")
    script = str(ROOT / ".ci" / "pg-test")
    try:
        r = subprocess.run(["bash", script, "start", folder], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        r = subprocess.CompletedProcess([], 1, "", str(e))
    if r.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        why = ((r.stderr or r.stdout).strip().splitlines() or ["no reason given"])[-1]
        pytest.skip(f"PostgreSQL could not be started ({why}): the PostgreSQL runs of the storage tests are "
                    f"skipped. Install Debian's postgresql package, or set {PG_ENV} to a database URL.")
    try:
        yield r.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", script, "stop", folder], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each backend: a SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'classroom.db'}"
        return
    base = request.getfixturevalue("postgres_server")
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: run .venv/bin/pip install -e '.[test]'")
    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def inproc_db(tmp_path, db_url):
    """`inproc` on each storage backend."""
    srv = InProcess(tmp_path, url=db_url)
    with srv.client:
        yield srv


@pytest.fixture
def no_rate_limit(monkeypatch):
    """For tests whose clients send as fast as the loop runs, far faster than a person (and faster the quieter
    the machine): the rate limit itself is tested in test_security."""
    import classroom.server
    from classroom.protocol import RateLimiter
    monkeypatch.setattr(classroom.server, "RateLimiter", lambda: RateLimiter(rate=1e6, burst=10**6))
