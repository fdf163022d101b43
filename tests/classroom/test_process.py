"""Through the real command: `balcony host` killed with SIGKILL and restarted while Python clients play
(they reconnect on their own and nothing is lost), and `balcony join --text` playing and rejoining."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

from engine import Run, load_scenario
from websockets.sync.client import connect

from classroom.client import Connection, RemoteRun, TokenStore
from classroom.room import apply_stored
from classroom.store import Store

from .conftest import ROOT, TUTORIAL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def facilitate(h, action, **fields):
    sid, secret = h.session()
    with connect(h.ws, open_timeout=5) as ws:
        ws.send(json.dumps({"v": 1, "type": "hello", "role": "facilitator", "session": sid, "secret": secret}))
        ws.send(json.dumps({"v": 1, "type": "control", "id": 1, "session": sid, "action": action, **fields}))
        while True:
            msg = json.loads(ws.recv(timeout=10))
            if msg["type"] in ("done", "error") and msg.get("id") == 1:
                return msg


def play(run: RemoteRun, acks: list, until: threading.Event | None = None, k: int = 0):
    """Play to the end: perceive now and then, choose, advance. Counts every acknowledged intent."""
    while True:
        snap = run.snapshot()
        if snap.status == "ended":
            return
        if snap.status == "outcome":
            run.advance()
        elif snap.attention_left and snap.balcony is None and (snap.decisions + k) % 3 == 0:
            run.perceive("balcony")
        else:
            avail = snap.available_choices
            run.choose(avail[(snap.decisions + k) % len(avail)].index)
        acks.append(1)
        if until is not None and len(acks) % 4 == 0:
            time.sleep(0.01)


def test_sigkill_and_restart_resumes_every_session_and_players_reconnect(host, tmp_path, db_url):
    port = free_port()
    db = db_url  # a SQLite file, then a PostgreSQL database
    h = host("--scenario", "tutorial", "--mode", "free", "--seed", "4", "--port", str(port), db=db)
    # --port given twice: the helper's 0 first, ours last, which argparse keeps
    assert h.address.endswith(f":{port}")
    assert facilitate(h, "start")["type"] == "done"
    players = [Connection(h.address, h.code, f"P{i}", TokenStore(tmp_path / f"seat{i}.json")) for i in range(3)]
    for p in players:
        p.open()
    acks = [[] for _ in players]
    threads = [threading.Thread(target=play, args=(RemoteRun(p), acks[i], threading.Event(), i), daemon=True)
               for i, p in enumerate(players)]
    for t in threads:
        t.start()
    while sum(len(a) for a in acks) < 15:
        time.sleep(0.005)
    h.kill()  # mid-play: some intents are on their way
    killed_at = [len(a) for a in acks]
    h2 = host("--port", str(port), db=db)
    assert any("resumed session" in line for line in h2.lines) and h.code in h2.codes
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert all(p.reconnects >= 1 for p in players)
    assert all(len(a) > k for a, k in zip(acks, killed_at))
    # nothing lost: every acknowledged intent is stored, once, and replays to the ending each player saw
    scenario = load_scenario(TUTORIAL)
    stored = Store(db).load_all()[0]["seats"]
    for seat, a, p in zip(stored, acks, players):
        assert len(seat["actions"]) == len(a)
        run = Run(scenario, 4)
        for _, action, _ in seat["actions"]:
            apply_stored(run, action)
        assert json.loads(json.dumps(run.snapshot().to_dict())) == p.snapshot_dict
    for p in players:
        p.close()


def test_terminal_client_plays_to_an_ending_and_rejoins_where_it_left(host, tmp_path):
    h = host("--scenario", "tutorial", "--mode", "free", "--seed", "3")
    facilitate(h, "start")
    env = {**os.environ, "BALCONY_DATA_DIR": str(tmp_path / "player")}
    cmd = [sys.executable, "-m", "game", "join", h.address, h.code, "--text", "--name", "Terry"]
    first = subprocess.run(cmd, input="1\nb\n", capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert "Joined Eastfield" in first.stdout and "From the balcony" in first.stdout
    assert "your seat is kept" in first.stdout
    left_at = first.stdout.split("[2012 Q")[-1].splitlines()[1]  # the title of the last scene shown
    # the same device again (its rejoin token in the data folder), without a name: the same seat, same scene
    again = subprocess.run(cmd[:-2], input="", capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert "as Terry" in again.stdout
    assert again.stdout.split("[2012 Q")[1].splitlines()[1] == left_at
    # then on to an ending, choosing 1 (or 2 where 1 is closed)
    lines = "".join("1\n2\n" for _ in range(40))
    done = subprocess.run(cmd[:-2], input=lines, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "The end" in done.stdout or "[The end]" in done.stdout
    assert "strategic triangle" in done.stdout
