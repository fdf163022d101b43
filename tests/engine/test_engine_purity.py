"""engine/ imports no pygame, no network library and no database: every engine module is imported
in a fresh interpreter and sys.modules is checked.

What counts: pygame itself; network clients and servers (http.client, urllib.request, ssl,
socketserver, the mail and FTP clients, xmlrpc, requests, httpx, urllib3, aiohttp, websockets)
and asyncio's event loop; databases (sqlite3, dbm, shelve and the usual drivers and ORMs); and
the game front end. What does not: urllib.parse (string handling), socket, select and selectors
(pulled in by subprocess, email and importlib.metadata without any network use).
"""
from __future__ import annotations

import json
import subprocess

from .helpers import PYTHON, REPO

FORBIDDEN = (
    "pygame", "game",
    "http.client", "http.server", "urllib.request", "ssl", "socketserver", "ftplib", "smtplib", "poplib", "imaplib",
    "xmlrpc", "requests", "httpx", "urllib3", "aiohttp", "websockets", "websocket", "asyncio",
    "sqlite3", "_sqlite3", "dbm", "shelve", "psycopg2", "psycopg", "pymysql", "MySQLdb", "sqlalchemy", "pymongo", "redis",
)

SCRIPT = r"""
import importlib, json, pkgutil, sys
for extra in sys.argv[2:]:
    importlib.import_module(extra)
import engine
names = ["engine"] + [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]
for name in names:
    importlib.import_module(name)
forbidden = json.loads(sys.argv[1])
bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in forbidden))
print(json.dumps({"engine_modules": names, "forbidden_loaded": bad}))
"""


def _import_all(*extra):
    r = subprocess.run([PYTHON, "-c", SCRIPT, json.dumps(FORBIDDEN), *extra], capture_output=True, text=True,
                       cwd=REPO, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                                   "SDL_VIDEODRIVER": "dummy"})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_engine_imports_no_pygame_network_or_database():
    out = _import_all()
    files = {p.relative_to(REPO).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
             for p in (REPO / "engine").rglob("*.py")}
    assert files <= set(out["engine_modules"]), files - set(out["engine_modules"])
    assert out["forbidden_loaded"] == [], f"engine/ loaded {out['forbidden_loaded']}"


def test_the_check_catches_a_violation():
    out = _import_all("sqlite3", "urllib.request", "urllib.parse")
    assert "sqlite3" in out["forbidden_loaded"] and "urllib.request" in out["forbidden_loaded"]
    assert "urllib.parse" not in out["forbidden_loaded"]
