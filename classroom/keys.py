"""Join codes, secrets and rejoin tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets

#: No 0/O, 1/I/L, 5/S, 2/Z or 8/B: easy to read off a projector and to type on a phone.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6  # 25**6 = 244 million codes; with 10 failed tries per address per 10 minutes, unguessable


def join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return code.strip().upper()


def secret() -> str:
    """Facilitator secrets, host keys and rejoin tokens: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def session_id() -> str:
    return secrets.token_hex(8)


def token_hash(token: str) -> str:
    """Rejoin tokens are stored only as hashes: a copy of the database lets nobody take a seat."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
