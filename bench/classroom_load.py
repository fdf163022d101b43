"""Load benchmark for the classroom server: simulated players on loopback, through the real protocol.

Starts `balcony host` (the real command) on a free loopback port with a fresh SQLite database, creates a
free-play and a lock-step session of the tutorial, and connects PLAYERS clients (half to each) that play
the whole scenario: perceive now and then, choose, move on, with a think time between intents. A
facilitator bot paces the lock-step session: when every seat still playing has made the round's decision
(or after a time limit) it closes the round, reveals it and opens the next.

Reports the acknowledgement latency (from sending an intent to receiving its ack, which the server sends
only after the intent is committed), intents lost (acknowledged but not in the database afterwards), and
the server's CPU and peak memory. The clients run in this process on the same machine, so the latency
includes time they wait for the CPU.

    python bench/classroom_load.py [--players 200] [--think 0.1 0.6] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

V = 1


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) / 1024


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.acks = 0
        self.errors: dict[str, int] = {}
        self.finished = 0


async def recv_json(ws):
    return json.loads(await ws.recv())


async def host_create(url, key, mode, seed):
    async with connect(url) as ws:
        await ws.send(json.dumps({"v": V, "type": "hello", "role": "host", "key": key}))
        await recv_json(ws)
        await ws.send(json.dumps({"v": V, "type": "create", "id": 1, "scenario": "tutorial", "mode": mode,
                                  "seed": seed}))
        while True:
            msg = await recv_json(ws)
            if msg["type"] == "created":
                return msg["session"]


async def facilitator(url, session, lockstep: bool, players: int, done: asyncio.Event, round_limit: float):
    async with connect(url) as ws:
        await ws.send(json.dumps({"v": V, "type": "hello", "role": "facilitator", "session": session["session"],
                                  "secret": session["secret"]}))
        ids = iter(range(1, 10**9))
        dash = (await recv_json(ws))["dashboard"]

        async def control(action):
            mid = next(ids)
            await ws.send(json.dumps({"v": V, "type": "control", "id": mid, "session": session["session"],
                                      "action": action}))

        while len(dash["seats"]) < players:
            msg = await recv_json(ws)
            if msg["type"] == "dashboard":
                dash = msg["dashboard"]
        await control("start")
        rounds = 0
        opened = time.monotonic()
        while not done.is_set():
            try:
                msg = await asyncio.wait_for(recv_json(ws), timeout=0.5)
            except asyncio.TimeoutError:
                msg = None
            if msg and msg["type"] == "dashboard":
                dash = msg["dashboard"]
            elif msg and msg["type"] == "done":
                dash["control"] = msg["control"]
            if not lockstep:
                continue
            c = dash["control"]
            if not c["open"]:
                continue
            playing = [s for s in dash["seats"] if s["status"] != "ended"]
            waiting = [s for s in playing if s["decisions"] >= c["round"]]
            if (playing and len(waiting) == len(playing)) or time.monotonic() - opened > round_limit:
                if not playing:
                    continue
                await control("close_round")
                await control("reveal")
                await asyncio.sleep(0.2)  # the room discusses (briefly)
                await control("next_round")
                rounds += 1
                dash["control"] = {**c, "open": False}
                opened = time.monotonic()
        return rounds


async def player(url, code, name, stats: Stats, think: tuple, rng: random.Random, k: int):
    async with connect(url, max_size=2**22) as ws:
        await ws.send(json.dumps({"v": V, "type": "hello", "role": "player", "code": code, "name": name}))
        room, state = None, None
        pending: dict[int, float] = {}
        ids = iter(range(1, 10**9))
        changed = asyncio.Event()

        async def reader():
            nonlocal room, state
            async for raw in ws:
                msg = json.loads(raw)
                t = msg["type"]
                if t == "welcome":
                    room, state = msg["room"], msg
                elif t == "room":
                    room = msg["room"]
                elif t == "ack":
                    stats.latencies.append(time.perf_counter() - pending.pop(msg["id"]))
                    stats.acks += 1
                    state = msg
                elif t == "error":
                    stats.errors[msg["code"]] = stats.errors.get(msg["code"], 0) + 1
                    pending.pop(msg.get("id"), None)
                    if "snapshot" in msg:
                        state = msg
                changed.set()
        task = asyncio.get_running_loop().create_task(reader())
        try:
            while True:
                await changed.wait()
                changed.clear()
                if pending or state is None:
                    continue
                snap = state["snapshot"]
                if snap["status"] == "ended":
                    stats.finished += 1
                    return
                if not room["started"] or room["paused"]:
                    continue
                if snap["status"] == "choosing" and room["mode"] == "lockstep" and (
                        not room["open"] or snap["decisions"] >= room["round"]):
                    continue
                await asyncio.sleep(rng.uniform(*think))
                if snap["status"] == "outcome":
                    msg = {"action": "advance"}
                elif snap["attention_left"] and snap["balcony"] is None and rng.random() < 0.3:
                    msg = {"action": "perceive", "kind": "balcony"}
                else:
                    avail = [c["index"] for c in snap["choices"] if c["available"]]
                    msg = {"action": "choose", "index": avail[(k + snap["decisions"]) % len(avail)]}
                mid = next(ids)
                pending[mid] = time.perf_counter()
                await ws.send(json.dumps({"v": V, "type": "intent", "id": mid, "seq": state["seq"], **msg}))
        finally:
            task.cancel()


def start_host(tmp: Path):
    env = {**os.environ, "BALCONY_DATA_DIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "game", "host", "--port", "0", "--db", f"sqlite:///{tmp / 'bench.db'}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    lines = []
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"balcony host did not start: {proc.stderr.read()}")
        lines.append(line)
        if line.startswith("Players open"):
            break
    text = "".join(lines)
    base = re.search(r"server at http://(\S+)", text).group(1)
    key = re.search(r"dashboard#k=(\S+)", text).group(1)
    return proc, f"ws://{base}/ws", key


async def run_load(url, key, players: int, think: tuple, seed: int, round_limit: float):
    free = await host_create(url, key, "free", seed)
    lock = await host_create(url, key, "lockstep", seed)
    stats = {"free": Stats(), "lockstep": Stats()}
    done = asyncio.Event()
    half = players // 2
    facs = [asyncio.create_task(facilitator(url, free, False, players - half, done, round_limit)),
            asyncio.create_task(facilitator(url, lock, True, half, done, round_limit))]
    rng = random.Random(seed)
    bots = []
    for i in range(players):
        lockstep = i < half
        sess = lock if lockstep else free
        bots.append(player(url, sess["code"], f"bot{i}", stats["lockstep" if lockstep else "free"], think,
                           random.Random(rng.random()), i))
    t0 = time.perf_counter()
    await asyncio.gather(*bots)
    wall = time.perf_counter() - t0
    done.set()
    rounds = await asyncio.gather(*facs)
    return stats, wall, rounds[1]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--players", type=int, default=200)
    ap.add_argument("--think", type=float, nargs=2, default=(0.1, 0.6), metavar=("MIN", "MAX"),
                    help="seconds a bot waits before each intent (uniform; default 0.1 0.6)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--round-limit", type=float, default=15.0, help="seconds before the bot facilitator closes a round")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        proc, url, key = start_host(tmp)
        try:
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            stats, wall, rounds = asyncio.run(run_load(url, key, args.players, tuple(args.think), args.seed,
                                                       args.round_limit))
            cpu = cpu_seconds(proc.pid) - cpu0
            import urllib.request
            with urllib.request.urlopen(url.replace("ws://", "http://").replace("/ws", "/stats"), timeout=10) as r:
                server = json.loads(r.read())
            server_wall = time.perf_counter() - t0
            peak = peak_rss_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(30)
        from classroom.store import Store
        stored = sum(len(seat["actions"]) for s in Store(f"sqlite:///{tmp / 'bench.db'}").load_all()
                     for seat in s["seats"])
    lat = stats["free"].latencies + stats["lockstep"].latencies
    acks = stats["free"].acks + stats["lockstep"].acks
    out = {
        "players": args.players, "think_s": list(args.think), "wall_s": round(wall, 1),
        "intents_acked": acks, "intents_stored": stored, "intents_lost": acks - stored,
        "ack_ms": {"p50": round(pct(lat, 50), 2), "p99": round(pct(lat, 99), 2), "max": round(max(lat) * 1000, 2),
                   "mean": round(statistics.fmean(lat) * 1000, 2)},
        "lockstep_ack_ms": {"p50": round(pct(stats["lockstep"].latencies, 50), 2),
                            "p99": round(pct(stats["lockstep"].latencies, 99), 2)},
        "free_ack_ms": {"p50": round(pct(stats["free"].latencies, 50), 2),
                        "p99": round(pct(stats["free"].latencies, 99), 2)},
        "server_side_ack_ms": {"p50": server["ack_ms_p50"], "p99": server["ack_ms_p99"]},
        "commit_ms": {"p50": server["commit_ms_p50"], "p99": server["commit_ms_p99"]},
        "commits": server["commits"], "rows_per_commit": round(server["rows_written"] / max(1, server["commits"]), 1),
        "intents_per_s": round(acks / wall, 1), "lockstep_rounds": rounds,
        "finished": stats["free"].finished + stats["lockstep"].finished,
        "refusals": {**stats["free"].errors, **{f"lockstep:{k}": v for k, v in stats["lockstep"].errors.items()}},
        "server_cpu_s": round(cpu, 1), "server_cpu_share_of_one_core": round(cpu / server_wall, 3),
        "server_peak_rss_mb": round(peak, 1), "cores": os.cpu_count(),
        "target": "p99 ack under 50 ms on 2 cores",
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{out['players']} players ({args.players // 2} in lock-step rounds, {out['lockstep_rounds']} rounds), "
              f"{out['finished']} finished, {acks} intents in {out['wall_s']} s ({out['intents_per_s']}/s)")
        print(f"ack latency: p50 {out['ack_ms']['p50']} ms, p99 {out['ack_ms']['p99']} ms, max {out['ack_ms']['max']} ms "
              f"(target p99 < 50 ms)")
        print(f"server side (reading an intent to queueing its ack, the commit included): p50 "
              f"{out['server_side_ack_ms']['p50']} ms, p99 {out['server_side_ack_ms']['p99']} ms; "
              f"{out['commits']} commits, {out['rows_per_commit']} rows each on average, each taking p50 "
              f"{out['commit_ms']['p50']} ms, p99 {out['commit_ms']['p99']} ms")
        print(f"intents lost: {out['intents_lost']} ({stored} stored)")
        print(f"server: {out['server_cpu_s']} s CPU ({out['server_cpu_share_of_one_core']:.0%} of one core), "
              f"peak memory {out['server_peak_rss_mb']} MB")
        if out["refusals"]:
            print(f"refusals: {out['refusals']}")
    return 0 if out["intents_lost"] == 0 and out["finished"] == args.players else 1


if __name__ == "__main__":
    raise SystemExit(main())
