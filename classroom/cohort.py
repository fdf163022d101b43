"""The cohort debrief in the classroom: the facilitator's report and each player's own debrief and place.

- `report(engine, which)`: the session's cohort debrief as HTML, rebuilt from the database alone
  (`export.collect`, which replays every seat's stored actions), so it works while the server runs, after it
  stopped, on SQLite or PostgreSQL: `balcony export SESSION --format html` and the dashboard's *Cohort
  debrief*.
- `Service`, the server's side (routes added by `routes(hub)`):
  - `POST /cohort/link` with the facilitator secret in `Authorization: Bearer` answers a link to the report,
    signed with the session's secret and valid for `LINK_SECONDS` (a browser cannot send a header when it
    opens a page, and the secret must stay out of addresses); `GET /cohort?session=&expires=&sig=` serves it
    with its own strict Content-Security-Policy (no scripts, inline styles only).
  - `GET /debrief?session=ID` with the seat's rejoin token in `Authorization: Bearer`: the player's own
    debrief once their run has ended (why, the balcony gap, the pattern, as in solo play), and, once the
    facilitator has ended the session or shown the leaderboard, where they sat in the room (counts only,
    no names). `&format=html` gives their full solo debrief report (the counterfactual sections included);
    `&format=text` the same as text, for `balcony join --text`.
  Work is done off the event loop, one job at a time (a single worker thread), and each seat's summary is
  cached by (seat, step): a finished seat is summarised once.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from engine import load_scenario

from .export import collect

LINK_SECONDS = 3600
#: The report page's policy: nothing runs, nothing is fetched; its styles are inline.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
              "base-uri 'none'; form-action 'none'")


def seats_of(data: dict) -> list:
    """(seat id, transcript) pairs of an export (`export.collect`), in seat order: ids, never names."""
    return [(str(s["id_in_session"]), s["transcript"]) for s in data["seats"]]


def build(engine, which: str, scenario_loader=load_scenario):
    """(Cohort, export data) of the session whose id or join code is `which`. ExportError if there is none."""
    from engine.cohort import build as build_cohort
    got = {}

    def loader(path):
        got["scenario"] = scenario_loader(path)
        return got["scenario"]
    data = collect(engine, which, loader)
    return build_cohort(got["scenario"], seats_of(data), data["session"]["seed"]), data


def report(engine, which: str, scenario_loader=load_scenario) -> tuple:
    """(HTML, export data): the session's cohort debrief as a self-contained report."""
    from game.cohort.report import render_html
    cohort, data = build(engine, which, scenario_loader)
    return render_html(cohort, data["session"]), data


def sign(secret: str, session: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"cohort:{session}:{expires}".encode(), hashlib.sha256).hexdigest()


def link_ok(secret: str, session: str, expires: str, sig: str, now: float | None = None) -> bool:
    try:
        exp = int(expires)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    return now <= exp <= now + LINK_SECONDS and hmac.compare_digest(sign(secret, session, exp), sig or "")
