"""What players and the facilitator wait for at the end of a class: each player's own debrief, their place
in the room once the session ends, and the facilitator's cohort debrief report.

A free-play tutorial session on an in-process server (Starlette's test client, a fresh SQLite file, no rate
limit), N seats played to an ending over the real protocol; then every player asks for their debrief
(the server answers them one at a time, as it would a room asking at once), the facilitator ends the
session, every player asks again (now with their place), and the facilitator opens the report.

    python bench/cohort_end.py [--seats 40]
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seats", type=int, default=40)
    n = ap.parse_args().seats
    import classroom.server
    from classroom.protocol import RateLimiter
    from classroom.server import Hub, build_app
    from classroom.store import Store
    from starlette.testclient import TestClient
    classroom.server.RateLimiter = lambda: RateLimiter(rate=1e6, burst=10**6)  # clients faster than people
    tmp = tempfile.mkdtemp()
    hub = Hub(Store(f"sqlite:///{os.path.join(tmp, 'bench.db')}"), {"tutorial": ROOT / "scenarios" / "tutorial.yaml"})
    hub.load()
    client = TestClient(build_app(hub))

    def recv(ws, *types):
        while True:
            msg = ws.receive_json()
            if msg["type"] in types:
                return msg

    with client, contextlib.ExitStack() as st:
        room = hub.create_now("tutorial", "free", 3)
        fac = st.enter_context(client.websocket_connect("/ws"))
        fac.send_json({"v": 1, "type": "hello", "role": "facilitator", "session": room.id, "secret": room.secret})
        recv(fac, "welcome")
        socks, state = [], []
        for i in range(n):
            ws = st.enter_context(client.websocket_connect("/ws"))
            ws.send_json({"v": 1, "type": "hello", "role": "player", "code": room.code, "name": f"P{i}"})
            socks.append(ws)
            state.append(recv(ws, "welcome"))
        tokens = [s["token"] for s in state]
        fac.send_json({"v": 1, "type": "control", "id": 1, "session": room.id, "action": "start"})
        recv(fac, "done")
        mid = 1
        while True:
            live = [i for i in range(n) if state[i]["snapshot"]["status"] != "ended"]
            if not live:
                break
            for i in live:
                snap, seq = state[i]["snapshot"], state[i]["seq"]
                mid += 1
                if snap["status"] == "outcome":
                    socks[i].send_json({"v": 1, "type": "intent", "id": mid, "seq": seq, "action": "advance"})
                else:
                    avail = [c["index"] for c in snap["choices"] if c["available"]]
                    socks[i].send_json({"v": 1, "type": "intent", "id": mid, "seq": seq, "action": "choose",
                                        "index": avail[(i + seq) % len(avail)]})
                state[i] = recv(socks[i], "ack")

        def ask_all(key):
            t0, first = time.perf_counter(), None
            for tok in tokens:
                r = client.get("/debrief", params={"session": room.id}, headers={"Authorization": f"Bearer {tok}"})
                assert r.status_code == 200 and r.json()[key], r.text
                first = first or time.perf_counter() - t0
            return first, time.perf_counter() - t0
        first, last = ask_all("debrief")
        print(f"{n} seats: each player's own debrief when their run ends: the first in {1000 * first:.0f} ms, "
              f"all {n} in {last:.2f} s")
        fac.send_json({"v": 1, "type": "control", "id": 2, "session": room.id, "action": "end"})
        recv(fac, "done")
        first, last = ask_all("placement")
        print(f"{n} seats: with their place once the session ends: the first in {1000 * first:.0f} ms, "
              f"all {n} in {last:.2f} s")
        t0 = time.perf_counter()
        link = client.post("/cohort/link", params={"session": room.id},
                           headers={"Authorization": f"Bearer {room.secret}"}).json()["url"]
        assert client.get(link).status_code == 200
        print(f"{n} seats: the facilitator's cohort debrief report in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
