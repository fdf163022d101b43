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
    `&format=text` the same as text, for `balcony join --text`. `&lang=cy` (a language with a catalog in
    game/locale) words the json debrief's sentences and the seat's place in that language, as the window asks
    in its own; English otherwise (each language cached apart).
  Work is done off the event loop, one job at a time (a single worker thread), and each seat's summary is
  cached by (seat, step): a finished seat is summarised once. A player's debrief is kept for the last
  `KEEP_QUICK` and `KEEP_FULL` seats that asked (about 80 KB and 160 KB each for a finished integrated-care
  run): a thousand players' debriefs would otherwise stay in memory for the life of the server.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from engine import load_scenario

from .export import collect

LINK_SECONDS = 3600
#: How many seats' debriefs the server keeps ready (least recently asked for dropped first).
KEEP_QUICK, KEEP_FULL = 256, 32
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


def http_base(address: str) -> str:
    """The server's http(s):// base from the address a client was given (host:port, http://, ws://...)."""
    a = address.strip().rstrip("/")
    if a.endswith("/ws"):
        a = a[:-3]
    for old, new in (("ws://", "http://"), ("wss://", "https://")):
        if a.startswith(old):
            return new + a[len(old):]
    return a if a.startswith(("http://", "https://")) else "http://" + a


def placement_shown(control: dict) -> bool:
    """Players see where they sat in the room once the session has ended or the facilitator shows the
    leaderboard (which already shows them everyone's scores, without names)."""
    return bool(control.get("ended") or control.get("leaderboard"))


def _plain(section) -> dict:
    from dataclasses import asdict
    from engine.debrief.model import plain
    return plain(asdict(section))


def fetch(conn, fmt: str = "text", timeout: float = 120, lang: str | None = None) -> str:
    """A player's own debrief from the server, for `balcony join --text`: `text` (the debrief and, when shown,
    where they sat) or `place` (where they sat). `conn` is the seat's classroom.client.Connection. `lang`
    asks for the `json` debrief's sentences in that language (game/locale; English without it). Raises
    ClassError."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from .client import ClassError
    query = urllib.parse.urlencode({"session": conn.room.get("session", ""), "format": fmt,
                                    **({"lang": lang} if lang else {})})
    req = urllib.request.Request(f"{http_base(conn.address)}/debrief?{query}",
                                 headers={"Authorization": f"Bearer {conn.token or ''}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace")
        try:
            import json
            body = json.loads(body).get("message", body)
        except ValueError:
            pass
        raise ClassError("debrief", f"the server did not give your debrief: {body}") from None
    except (urllib.error.URLError, OSError) as e:
        raise ClassError("unreachable", f"cannot reach the server for your debrief: {e}") from None


def language(asked: str | None) -> str | None:
    """The language a player asked their debrief in, when the interface has a catalog for it (else None:
    English). Only names from game/locale's own list are used, never the request's text itself."""
    if not asked:
        return None
    from game.i18n import available
    return next((lang for lang in available() if lang == asked), None)


def words(lang: str | None):
    """The translator for `lang` (English when None), for the engine's wording."""
    from engine.marks import same
    if lang is None:
        return same
    from game.i18n import translator
    return translator(lang)


class Service:
    """The cohort debrief's work for a running server: one worker thread, so that a room finishing at once
    queues its debriefs rather than competing with the event loop; summaries and debriefs cached per seat."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cohort")
        self.summaries: dict = {}   # (room id, seat id) -> (seq, SeatSummary)
        self.quick = Recent(KEEP_QUICK)  # (room id, seat id) -> the QUICK sections, as JSON types (ended seats)
        self.full = Recent(KEEP_FULL)    # (room id, seat id) -> Debrief (ended seats only)

    async def run(self, fn, *args):
        import asyncio
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    # --- in the worker thread ------------------------------------------------------------------------
    def summary(self, scenario, room_id, seat_id, seq, transcript):
        from engine.cohort import summarise
        got = self.summaries.get((room_id, seat_id))
        if got is None or got[0] != seq:
            got = (seq, summarise(scenario, transcript, str(seat_id)))
            self.summaries[(room_id, seat_id)] = got
        return got[1]

    def placement(self, scenario, room_id, seed, me, seats, lang=None):
        """`seats`: [(seat id, seq, transcript)] in join order, taken on the event loop."""
        from engine.cohort import aggregate, place
        summaries = [self.summary(scenario, room_id, sid, seq, tr) for sid, seq, tr in seats]
        cohort = aggregate(scenario, summaries, seed)
        return place(cohort, next(s for s in summaries if s.seat == str(me)), words(lang))

    def debrief_json(self, scenario, room_id, seat_id, seq, transcript, lang=None):
        """The QUICK sections, worded in `lang` (one of game/locale's languages; English when None), kept per
        seat and language."""
        from engine.debrief import build_quick
        key = (room_id, seat_id) if lang is None else (room_id, seat_id, lang)
        got = self.quick.get(key)
        if got is None:
            got = self.quick.put(key, {k: _plain(v) for k, v in build_quick(scenario, transcript, words(lang)).items()})
            self.summary(scenario, room_id, seat_id, seq, transcript)  # ready for the room's figures at the end
        return got

    def debrief_full(self, scenario, room_id, seat_id, transcript):
        from engine.debrief import build
        key = (room_id, seat_id)
        got = self.full.get(key)
        return got if got is not None else self.full.put(key, build(scenario, transcript))


class Recent:
    """The last `size` values put, by key; a value read is kept longest (least recently used dropped first)."""

    def __init__(self, size: int):
        from collections import OrderedDict
        self.size, self.items = size, OrderedDict()

    def get(self, key):
        got = self.items.get(key)
        if got is not None:
            self.items.move_to_end(key)
        return got

    def put(self, key, value):
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self.items)


def routes(hub) -> list:
    """The cohort debrief's routes for the server (see the module's docstring)."""
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    from . import keys
    from .export import ExportError
    from .protocol import Refused
    from .server import HEADERS

    service = Service()
    hub.cohort = service
    plain_headers = {k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"}

    def refused(ip: str):
        """An address that got too many codes, tokens or secrets wrong: asked only once a request's own
        secret has failed, so that a class behind one address that mistyped the code still gets its own
        debriefs and the facilitator their report (the secrets here are not guessable)."""
        try:
            hub._check_attempts(ip)
        except Refused as r:
            return JSONResponse({"error": r.code, "message": r.message}, status_code=429, headers=HEADERS)
        return None

    def bearer(request) -> str:
        auth = request.headers.get("authorization", "")
        return auth[len("Bearer "):] if auth.startswith("Bearer ") else ""

    def ip_of(request) -> str:
        return request.client.host if request.client else "unknown"

    async def room_of(session_id: str, further: bool = True):
        """The session, as Hub.hello finds it: with several processes (replica.py), one created by another
        process and not yet heard of is read from the database (unless not `further`: for an address locked
        by wrong secrets, nothing is read from the database on its behalf)."""
        room = hub.rooms.get(session_id)
        if room is None and further and getattr(hub, "replica", None) is not None and session_id:
            room = await hub.replica.find_session(session_id)
        return room

    async def seat_of(room, token: str, further: bool = True):
        """The seat whose rejoin token this is (in a team session, the seat of the team whose member's token
        it is), brought up to what the database holds (its latest steps may have come through another
        process)."""
        if room is None or not token:
            return None
        hashed = keys.token_hash(token)
        seat = room.by_token.get(hashed)
        replica = getattr(hub, "replica", None)
        if seat is None and room.teams is not None:  # a team member's token: the team's seat
            member = room.teams.by_token.get(hashed)
            if member is None and further and replica is not None:  # joined through another process, not yet heard of
                member = await hub.teams.find_member(room, hashed)
            seat = None if member is None else room.seats.get(member.seat_id)
        elif seat is None and further and replica is not None:
            seat = await replica.find_seat(room, hashed)
        if seat is not None and replica is not None:
            await replica.catch_up(room, seat)
        return seat

    async def link(request):
        ip = ip_of(request)
        locked = refused(ip)
        room = await room_of(request.query_params.get("session", ""), further=locked is None)
        if room is None or not keys.same(bearer(request), room.secret):
            if locked is not None:
                return locked
            hub._failed(ip)
            return JSONResponse({"error": "unauthorised", "message": "no session with that id and secret"},
                                status_code=403, headers=HEADERS)
        exp = int(time.time()) + LINK_SECONDS
        url = f"/cohort?session={room.id}&expires={exp}&sig={sign(room.secret, room.id, exp)}"
        return JSONResponse({"url": url, "expires": exp}, headers=HEADERS)

    async def page(request):
        ip = ip_of(request)
        q = request.query_params
        locked = refused(ip)
        room = await room_of(q.get("session", ""), further=locked is None)
        if room is None or not link_ok(room.secret, room.id, q.get("expires"), q.get("sig")):
            if locked is not None:
                return locked
            hub._failed(ip)
            return PlainTextResponse("This cohort debrief link is not valid, or has expired: open the cohort "
                                     "debrief again from the dashboard.", status_code=403, headers=HEADERS)
        try:
            html, data = await service.run(report, hub.store.engine, room.id, hub.scenario)
        except ExportError as e:
            return PlainTextResponse(str(e), status_code=404, headers=HEADERS)
        headers = {**plain_headers, "Content-Security-Policy": REPORT_CSP}
        if q.get("download"):
            headers["Content-Disposition"] = f'attachment; filename="{room.code}-cohort.html"'
        return HTMLResponse(html, headers=headers)

    async def debrief(request):
        ip = ip_of(request)
        locked = refused(ip)
        room = await room_of(request.query_params.get("session", ""), further=locked is None)
        seat = await seat_of(room, bearer(request), further=locked is None)
        if seat is None:
            if locked is not None:
                return locked
            hub._failed(ip)
            return JSONResponse({"error": "unauthorised", "message": "no seat with that token in that session"},
                                status_code=403, headers=HEADERS)
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "html", "text", "place"):
            return JSONResponse({"error": "invalid", "message": "format is json, html, text or place"},
                                status_code=400, headers=HEADERS)
        ended = seat.run.status == "ended"
        show = placement_shown(room.control)
        if not ended and fmt != "place":
            if fmt == "json":
                return JSONResponse({"ended": False}, headers=HEADERS)
            return PlainTextResponse("Your debrief comes when your run has ended.", status_code=409, headers=HEADERS)
        sc = room.scenario
        transcript = seat.run.transcript()
        seats = [(s.id, s.seq, s.run.transcript()) for s in room.seats.values()] if show else None
        lang = language(request.query_params.get("lang")) if fmt == "json" else None  # the window's own language
        where = await service.run(service.placement, sc, room.id, room.seed, seat.id, seats, lang) if show else None
        from engine.cohort.place import LATER
        later = words(lang)(LATER)
        if fmt == "place":
            return PlainTextResponse("\n".join(where.lines) if where else later, headers=HEADERS)
        if fmt == "json":
            quick = await service.run(service.debrief_json, sc, room.id, seat.id, seat.seq, transcript, lang)
            return JSONResponse({"ended": True, "debrief": quick, "placement": where.to_dict() if where else None,
                                 "placement_later": None if where else later}, headers=HEADERS)
        full = await service.run(service.debrief_full, sc, room.id, seat.id, transcript)
        if fmt == "html":
            from game.debrief.report import render_html
            html = await service.run(render_html, full)
            return Response(html, media_type="text/html; charset=utf-8", headers={
                **HEADERS, "Content-Disposition": f'attachment; filename="debrief-{room.code}.html"'})
        from game.debrief.text import render_text
        text = render_text(full, why=False)
        text += "\nWHERE YOU SAT IN THE ROOM\n\n" + "\n".join(where.lines if where else [later]) + "\n"
        return PlainTextResponse(text, headers=HEADERS)

    return [Route("/cohort/link", link, methods=["POST"]), Route("/cohort", page), Route("/debrief", debrief)]
