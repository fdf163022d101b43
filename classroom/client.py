"""A player's connection to a classroom server, for the terminal and the window (the browser page has its
own, in static/player.js). Blocking calls with a reader thread: `RemoteRun` looks like the engine's Run
to a front end (snapshot, choose, perceive, advance), but every intent goes to the server, which owns
the run. A dropped connection is reopened on its own with the seat's rejoin token; an intent whose
answer was lost is not applied twice (the seat's step number, `seq`, tells).
"""
from __future__ import annotations

import contextlib

import itertools
import json
import queue
import threading
import time
from pathlib import Path

from engine import ChoiceError, PhaseError, Snapshot
from engine.errors import BalconyError

from .protocol import VERSION

RETRY = (0.2, 0.5, 1.0, 2.0, 3.0)
REPLY_TIMEOUT = 20.0


class ClassError(BalconyError):
    """The server refused something, or could not be reached. `code` is the protocol's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class TokenStore:
    """Rejoin tokens kept on this device, one per server address and join code (a JSON file)."""

    def __init__(self, path: Path | None):
        self.path = path

    def _read(self) -> dict:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def get(self, address: str, code: str) -> str | None:
        got = self._read().get(f"{address}|{code.upper()}")
        return got if isinstance(got, str) else None

    def put(self, address: str, code: str, token: str) -> None:
        if self.path is None:
            return
        from engine.saves import atomic_write_json
        data = self._read()
        data[f"{address}|{code.upper()}"] = token
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.path, data)


def ws_url(address: str) -> str:
    address = address.strip().rstrip("/")
    if address.startswith(("ws://", "wss://")):
        return address if address.endswith("/ws") else address + "/ws"
    if address.startswith("http://"):
        address = "ws://" + address[len("http://"):]
    elif address.startswith("https://"):
        address = "wss://" + address[len("https://"):]
    else:
        address = "ws://" + address
    return address + "/ws"


class Connection:
    """The seat's connection. `on_push(msg)` is called from the reader thread for room, reveal,
    leaderboard and error pushes; `state` holds the latest of each."""

    def __init__(self, address: str, code: str, name: str | None, tokens: TokenStore | None = None,
                 on_push=None, client: str = "python", team: int | None = None):
        self.address, self.code, self.name = address, code.strip().upper(), name
        self.tokens = tokens or TokenStore(None)
        self.on_push = on_push
        self.client = client
        self.team_wanted = team   # a team session: the team to join (None: the server picks)
        self.team: dict | None = None   # a team member: the team's view (classroom/teams.py), kept current
        self.url = ws_url(address)
        self._ids = itertools.count(1)
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._ws = None
        self._up = threading.Event()
        self._closed = False
        self.seq = 0
        self.seat = None
        self.token: str | None = None
        self.snapshot_dict: dict | None = None
        self.room: dict = {}
        self.reveal: dict | None = None
        self.leaderboard: dict | None = None
        self.changed = threading.Condition()
        self.reconnects = 0

    # --- connecting ------------------------------------------------------------------
    def open(self) -> dict:
        """Connect and take the seat (a new one, or this device's own). Raises ClassError."""
        from websockets.sync.client import connect
        try:
            # entered by hand: the connection outlives this call (websockets' context-manager form)
            ws = connect(self.url, open_timeout=5, close_timeout=2, max_size=2**22).__enter__()
        except (OSError, TimeoutError) as e:
            raise ClassError("unreachable", f"cannot reach a Balcony server at {self.address}: {e}") from None
        except Exception as e:  # noqa: BLE001 - websockets' handshake errors: not a Balcony server
            raise ClassError("unreachable", f"{self.address} did not answer as a Balcony server: {e}") from None
        hello = {"v": VERSION, "type": "hello", "role": "player", "code": self.code, "client": self.client}
        token = self.tokens.get(self.address, self.code)
        if token:
            hello["token"] = token
        if self.name:
            hello["name"] = self.name
        if self.team_wanted is not None and not token:
            hello["team"] = self.team_wanted
        if not token and not self.name:
            ws.close()
            raise ClassError("invalid", "a display name is needed to join")
        ws.send(json.dumps(hello))
        while True:
            try:
                msg = json.loads(ws.recv(timeout=REPLY_TIMEOUT))
            except Exception as e:  # noqa: BLE001
                ws.close()
                raise ClassError("unreachable", f"the server closed the connection: {e}") from None
            if msg.get("type") == "error":
                ws.close()
                raise ClassError(msg.get("code", "error"), msg.get("message", "refused"))
            if msg.get("type") == "welcome":
                break
        if "token" in msg:
            self.tokens.put(self.address, self.code, msg["token"])
        self.token = msg.get("token") or token  # the seat's own, for its debrief (classroom/cohort.py)
        self.name = msg.get("name", self.name)
        self._ws = ws
        self._take_seat_view(msg)
        self.room = msg.get("room", {})
        self.team = msg.get("team")
        self._up.set()
        threading.Thread(target=self._reader, args=(ws,), daemon=True, name="classroom-reader").start()
        self._notify()
        return msg

    def _reader(self, ws) -> None:
        try:
            for raw in ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                self._dispatch(msg)
        except Exception:  # noqa: BLE001 - the connection dropped
            pass
        if ws is self._ws:
            self._up.clear()
            with self._lock:
                for q in self._replies.values():
                    q.put(None)
            if not self._closed:
                threading.Thread(target=self._reconnect, daemon=True).start()

    def _reconnect(self) -> None:
        for delay in itertools.chain(RETRY, itertools.repeat(RETRY[-1])):
            if self._closed:
                return
            time.sleep(delay)
            try:
                self.open()
                self.reconnects += 1
                self._push({"type": "rejoined"})
                return
            except ClassError as e:
                if e.code in ("bad_code", "bad_token", "ended", "too_many_attempts"):
                    self._push({"type": "error", "code": e.code, "message": str(e)})
                    self._closed = True
                    self._notify()
                    return

    def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            try:
                self._ws.close()
            except Exception:  # noqa: BLE001
                pass

    # --- messages ------------------------------------------------------------------------
    def _dispatch(self, msg: dict) -> None:
        kind = msg.get("type")
        if "id" in msg and kind in ("ack", "error", "done"):
            with self._lock:
                q = self._replies.get(msg["id"])
            if q is not None:
                q.put(msg)
                return
        if kind == "room":
            self.room = msg["room"]
        elif kind == "reveal":
            self.reveal = msg
        elif kind == "leaderboard":
            self.leaderboard = msg
        elif kind == "team":  # a team member: the team's proposals, and the shared seat as it moves
            self.team = msg["team"]
            self._take_seat_view(msg)
        elif kind == "error" and msg.get("code") == "replaced":
            self._closed = True  # the seat was opened on another device: do not take it back (as the page does)
        self._push(msg)

    def _push(self, msg):
        if self.on_push is not None:
            try:
                self.on_push(msg)
            except Exception:  # noqa: BLE001 - a front end's display error must not stop the reader
                pass
        self._notify()

    def _notify(self):
        with self.changed:
            self.changed.notify_all()

    def _take_seat_view(self, msg: dict) -> None:
        if "snapshot" in msg:
            self.snapshot_dict = msg["snapshot"]
            self.seq = msg["seq"]
            self.seat = msg.get("seat", self.seat)

    def intent(self, action: str, **fields) -> dict:
        """Send an intent and wait until the server has stored it. Raises ClassError when refused."""
        seq = self.seq
        while True:
            if not self._up.wait(timeout=REPLY_TIMEOUT * 3):
                raise ClassError("unreachable", "lost the connection to the server and could not get it back")
            if self.seq != seq:  # a reconnect showed the seat already moved on: the intent went through
                return {"type": "ack", "seq": self.seq, "snapshot": self.snapshot_dict}
            msg_id = next(self._ids)
            q: queue.Queue = queue.Queue()
            with self._lock:
                self._replies[msg_id] = q
            try:
                with self._send_lock:
                    self._ws.send(json.dumps({"v": VERSION, "type": "intent", "id": msg_id, "seq": seq,
                                              "action": action, **fields}))
                reply = q.get(timeout=REPLY_TIMEOUT)
            except queue.Empty:
                reply = None
            except Exception:  # noqa: BLE001 - the send failed: the reader reconnects
                reply = None
            finally:
                with self._lock:
                    self._replies.pop(msg_id, None)
            if reply is None:
                self._up.wait(timeout=REPLY_TIMEOUT)
                continue
            if reply["type"] == "ack":
                self._take_seat_view(reply)
                if "team" in reply:
                    self.team = reply["team"]
                self._notify()
                return reply
            if reply.get("code") == "stale":
                self._take_seat_view(reply)
                if self.seq > seq:
                    self._notify()
                    return reply
            raise ClassError(reply.get("code", "error"), reply.get("message", "refused"))

    def wait_change(self, timeout: float | None = None) -> None:
        with self.changed:
            self.changed.wait(timeout)


class RemoteRun:
    """The engine's driving API, played on the server: what the terminal and window front ends drive."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def snapshot(self) -> Snapshot:
        return Snapshot.from_dict(self.conn.snapshot_dict)

    @contextlib.contextmanager
    def atomic(self):
        """Mirrors Run.atomic(): the server applies each intent all or nothing (Room.apply), so here there
        is nothing to put back."""
        yield self

    @property
    def status(self) -> str:
        return self.conn.snapshot_dict["status"]

    def _do(self, action, **fields):
        try:
            self.conn.intent(action, **fields)
        except ClassError as e:
            if e.code == "phase":
                raise PhaseError(str(e)) from None
            if e.code in ("refused",):
                raise ChoiceError(str(e)) from None
            raise

    def choose(self, index: int) -> None:
        self._do("choose", index=index)

    def perceive(self, kind: str, who: str | None = None) -> None:
        self._do("perceive", kind=kind, **({"who": who} if who else {}))

    def advance(self) -> None:
        self._do("advance")
