"""The classroom protocol: versioned JSON over WebSocket. Every message a client sends is checked here
before anything else reads it: its size, the connection's rate, JSON, then a JSON Schema per type.

docs/classroom.md documents each message. This module knows no network and no database.
"""
from __future__ import annotations

import json
import time

from jsonschema import Draft202012Validator

VERSION = 1
#: The largest message a client may send, in bytes (UTF-8). The biggest legitimate one is a hello with a
#: name and a token, well under 1 KiB. Larger is refused and the connection closed (1009).
MAX_MESSAGE = 4096
#: The transport's own cap (uvicorn ws_max_size): frames above it are never read into memory.
MAX_FRAME = 64 * 1024
#: Per connection: a bucket of RATE_BURST messages, refilled at RATE_PER_SECOND. A person sends a few a
#: minute; a page that reconnects sends a handful at once.
RATE_PER_SECOND = 10.0
RATE_BURST = 30
#: Messages refused for rate in a row before the connection is closed (1008).
RATE_STRIKES = 20

MAX_NAME = 40
CONTROL_ACTIONS = ("start", "close_round", "reveal", "next_round", "pause", "resume", "end", "names",
                   "leaderboard", "timer")
MODES = ("free", "lockstep")

_ID = {"type": "integer", "minimum": 0, "maximum": 2**31}
_SEQ = {"type": "integer", "minimum": 0, "maximum": 100000}
_V = {"const": VERSION}

SCHEMAS = {
    "hello": {
        "type": "object",
        "properties": {
            "v": _V, "type": {"const": "hello"},
            "role": {"enum": ["player", "facilitator", "host"]},
            "code": {"type": "string", "pattern": "^[A-Za-z0-9]{4,12}$"},
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME},
            "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{20,64}$"},
            "session": {"type": "string", "pattern": "^[a-f0-9]{8,32}$"},
            "secret": {"type": "string", "pattern": "^[A-Za-z0-9_-]{20,64}$"},
            "key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{20,64}$"},
            "client": {"type": "string", "maxLength": 40},
            "team": {"type": "integer", "minimum": 1, "maximum": 99},
        },
        "required": ["v", "type", "role"],
        "additionalProperties": False,
        "allOf": [
            {"if": {"properties": {"role": {"const": "player"}}},
             "then": {"required": ["code"], "anyOf": [{"required": ["name"]}, {"required": ["token"]}]}},
            {"if": {"properties": {"role": {"const": "facilitator"}}}, "then": {"required": ["session", "secret"]}},
            {"if": {"properties": {"role": {"const": "host"}}}, "then": {"required": ["key"]}},
        ],
    },
    "intent": {
        "type": "object",
        "properties": {
            "v": _V, "type": {"const": "intent"}, "id": _ID, "seq": _SEQ,
            "action": {"enum": ["choose", "perceive", "advance"]},
            "index": {"type": "integer", "minimum": 0, "maximum": 1000},
            "kind": {"enum": ["balcony", "listen", "one_to_one"]},
            "who": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
        },
        "required": ["v", "type", "id", "seq", "action"],
        "additionalProperties": False,
        "allOf": [
            {"if": {"properties": {"action": {"const": "choose"}}}, "then": {"required": ["index"]}},
            {"if": {"properties": {"action": {"const": "perceive"}}}, "then": {"required": ["kind"]}},
        ],
    },
    "control": {
        "type": "object",
        "properties": {
            "v": _V, "type": {"const": "control"}, "id": _ID,
            "session": {"type": "string", "pattern": "^[a-f0-9]{8,32}$"},
            "action": {"enum": list(CONTROL_ACTIONS)},
            "on": {"type": "boolean"},
            "seconds": {"oneOf": [{"type": "integer", "minimum": 10, "maximum": 3600}, {"type": "null"}]},
        },
        "required": ["v", "type", "id", "session", "action"],
        "additionalProperties": False,
        "allOf": [
            {"if": {"properties": {"action": {"enum": ["names", "leaderboard"]}}}, "then": {"required": ["on"]}},
            {"if": {"properties": {"action": {"const": "timer"}}}, "then": {"required": ["seconds"]}},
        ],
    },
    "create": {
        "type": "object",
        "properties": {
            "v": _V, "type": {"const": "create"}, "id": _ID,
            "scenario": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,80}$"},
            "mode": {"enum": list(MODES)},
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
            "seconds": {"oneOf": [{"type": "integer", "minimum": 10, "maximum": 3600}, {"type": "null"}]},
            "teams": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 99}, {"const": "auto"}, {"type": "null"}]},
            "team_rule": {"type": "string", "pattern": "^(captain|majority(:[0-9]{1,4})?)$"},
        },
        "required": ["v", "type", "id", "scenario", "mode"],
        "additionalProperties": False,
    },
    "ping": {
        "type": "object",
        "properties": {"v": _V, "type": {"const": "ping"}, "id": _ID},
        "required": ["v", "type"],
        "additionalProperties": False,
    },
}
_VALIDATORS = {name: Draft202012Validator(schema) for name, schema in SCHEMAS.items()}
for _schema in SCHEMAS.values():
    Draft202012Validator.check_schema(_schema)


class Refused(Exception):
    """A message the server will not act on. `code` is stable (docs/classroom.md lists them); `message`
    is for people. `close` asks the server to close the connection with that WebSocket code."""

    def __init__(self, code: str, message: str, close: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.close = close


def parse(raw) -> dict:
    """Check one incoming frame and return the message as a dict, or raise Refused."""
    if isinstance(raw, (bytes, bytearray)):
        raise Refused("malformed", "send JSON text frames, not binary ones")
    if not isinstance(raw, str):
        raise Refused("malformed", "empty message")
    if len(raw) > MAX_MESSAGE or len(raw.encode("utf-8", "surrogatepass")) > MAX_MESSAGE:
        raise Refused("too_large", f"a message may be at most {MAX_MESSAGE} bytes", close=1009)
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused("malformed", "the message is not valid JSON") from None
    if not isinstance(msg, dict):
        raise Refused("malformed", "a message is a JSON object")
    if msg.get("v") != VERSION or type(msg.get("v")) is not int:  # true == 1 in Python, not in JSON
        raise Refused("version", f"this server speaks protocol version {VERSION}; send \"v\": {VERSION}")
    kind = msg.get("type")
    if kind == "intent" and _plain_intent(msg):
        return msg  # the common case, checked by hand: the schema would accept it (a test holds them together)
    validator = _VALIDATORS.get(kind) if isinstance(kind, str) else None
    if validator is None:
        raise Refused("unknown_type", f"unknown message type {kind!r}: one of {', '.join(SCHEMAS)}")
    error = next(iter(sorted(validator.iter_errors(msg), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "message"
        raise Refused("invalid", f"{kind}: {where}: {_short(error.message)}")
    return msg


_INTENT_KEYS = frozenset(SCHEMAS["intent"]["properties"])
_WHO = __import__("re").compile(SCHEMAS["intent"]["properties"]["who"]["pattern"])


def _int_in(v, lo, hi) -> bool:
    return type(v) is int and lo <= v <= hi


def _plain_intent(msg: dict) -> bool:
    """True only for an intent the schema accepts (a fast path: jsonschema costs about a millisecond a
    message). False means "ask the schema", which then says what is wrong."""
    if not _INTENT_KEYS.issuperset(msg) or not _int_in(msg.get("id"), 0, 2**31) or not _int_in(msg.get("seq"), 0, 100000):
        return False
    action = msg.get("action")
    if "index" in msg and not _int_in(msg["index"], 0, 1000):
        return False
    if "kind" in msg and msg["kind"] not in ("balcony", "listen", "one_to_one"):
        return False
    if "who" in msg and not (type(msg["who"]) is str and _WHO.fullmatch(msg["who"])):
        return False
    if action == "choose":
        return "index" in msg
    if action == "perceive":
        return "kind" in msg
    return action == "advance"


def _short(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "..."


class RateLimiter:
    """A token bucket per connection. `allow()` is False when the connection sends too fast."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens = float(burst)
        self.last = clock()
        self.strikes = 0

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.strikes = 0
            return True
        self.strikes += 1
        return False


def error(code: str, message: str, id=None) -> dict:
    out = {"v": VERSION, "type": "error", "code": code, "message": message}
    if id is not None:
        out["id"] = id
    return out
