"""Join a class: the title screen's form (server address, join code, display name), and the session that
plays a seat on a classroom server through the same screens as solo play.

The run lives on the server (classroom/). `ClassSession` has the members the play screens use (`snap`,
`revision`, `info`, `run`, `perceive`, `choose`, `advance`, no rewind, no saves); the room's news (a round
opening, the reveal of how the room chose, the leaderboard) arrives on the connection's reader thread,
which wakes the window; the window's own thread then shows it, as a message over whatever is on screen.
"""
from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Any

import pygame

from ..backend import ScenarioInfo, describe_error
from ..input import Intent
from ..render import Ctx
from ..widgets import Button, button_height, button_width
from .base import Screen, ScrollArea
from .common import draw_backdrop, draw_footer_hint, draw_screen_header, fit_width
from ...i18n import N_, _, ngettext

if TYPE_CHECKING:
    from ..context import ScreenContext


def seat_tokens():
    """This device's rejoin tokens (the same file `balcony join --text` keeps)."""
    from classroom.client import TokenStore

    from ...paths import data_dir
    return TokenStore(data_dir() / "classroom-seats.json")


class ClassSession:
    """A seat on a classroom server, as the window's screens see a session."""

    can_save = False
    can_rewind = False
    rewind_label = ""

    def __init__(self, conn: Any, welcome: dict) -> None:
        from classroom.client import RemoteRun

        self.conn = conn
        self.run = RemoteRun(conn)
        self.seed = 0
        room = welcome.get("room", {})
        self.info = ScenarioInfo(path="", id=str(self.conn.snapshot_dict.get("scenario_id", "")),
                                 title=str(room.get("scenario", "")))
        self.revision = 0
        self._seen = None
        self.news: collections.deque = collections.deque()
        self.last_choice_text = ""
        self.team_seen = welcome.get("team")  # a team member: the team as last shown (classroom/teams.py)
        self._lock = threading.Lock()
        self.snap = self.run.snapshot()
        self._seen = (conn.seq, id(conn.snapshot_dict))

    # ---- what the screens read -----------------------------------------------------------
    def refresh(self) -> bool:
        """Take the connection's latest snapshot (after an ack, a reconnect); True if it changed."""
        key = (self.conn.seq, id(self.conn.snapshot_dict))
        if key == self._seen:
            return False
        self._seen = key
        self.snap = self.run.snapshot()
        self.revision += 1
        return True

    def blocked(self) -> str | None:
        """Why the player cannot choose now (lobby, pause, a closed round), or None."""
        r = self.conn.room
        if r.get("ended"):
            return _("The facilitator has ended the session.")
        if not r.get("started"):
            return _("Waiting for the facilitator to start the session.")
        if r.get("paused"):
            return _("The facilitator has paused the session.")
        if r.get("mode") == "lockstep" and self.snap.status == "choosing":
            if not r.get("open"):
                return _("Round {round} is closed: wait for the facilitator to open the next one.").format(
                    round=r.get("round"))
            if self.snap.decisions >= r.get("round", 0):
                return _("You have made round {round}'s decision: wait for the next round.").format(round=r.get("round"))
        return None

    # ---- intents ----------------------------------------------------------------------------
    def perceive(self, kind: str, target: str | None = None) -> None:
        self.run.perceive(kind, target)
        self.refresh()

    def choose(self, index: int) -> None:
        why = self.blocked()
        if why:
            raise _Waiting(why)
        choice = next((c for c in self.snap.choices if c.index == index), None)
        seq = self.conn.seq
        self.run.choose(index)
        self.last_choice_text = choice.text if choice is not None else ""
        self.refresh()
        if self.conn.team is not None and self.conn.seq == seq:  # a team member's proposal, not yet decided
            raise _Waiting(_("Proposed to your team: the captain decides.") if self.conn.team["rule"] == "captain"
                           else _("Proposed to your team: a majority decides."))

    def advance(self) -> None:
        self.run.advance()
        self.refresh()

    def rewind(self) -> bool:
        return False

    def disable_rewind(self) -> None:
        pass

    # ---- news from the room -------------------------------------------------------------------
    def on_push(self, msg: dict) -> None:
        """Called on the connection's reader thread: queue the news and wake the window."""
        self.news.append(msg)
        try:
            pygame.event.post(pygame.event.Event(pygame.WINDOWEXPOSED))
        except pygame.error:
            pass

    def close(self) -> None:
        self.conn.close()


class _Waiting(Exception):
    """A choice the room does not allow yet; shown as a toast, not as an engine error."""


def news_message(msg: dict) -> tuple[str, str] | None:
    """A heading and text for a reveal or a leaderboard (the window shows them as a message)."""
    from classroom.textclient import describe_leaderboard, describe_reveal

    if msg.get("type") == "reveal":
        parts = []
        for d in msg["decisions"]:
            parts.append(ngettext("{title}: {n} decision", "{title}: {n} decisions", d["total"]).format(
                title=d["title"], n=d["total"]))
            for c in d["choices"]:
                share = round(100 * c["count"] / d["total"]) if d["total"] else 0
                parts.append(f"{c['text']}  {c['count']} ({share}%)")
        return (_("How the room chose in round {round}").format(round=msg["round"]),
                "\n\n".join(parts + [_("Nobody's name is attached to a choice.")]))
    if msg.get("type") == "leaderboard":
        return _("The leaderboard"), "\n\n".join(describe_leaderboard(msg))
    return None


def room_toast(room: dict) -> str:
    if room.get("ended"):
        return _("Session ended")
    if room.get("paused"):
        return _("Paused")
    if room.get("mode") == "lockstep" and room.get("open"):
        return _("Round {round} open").format(round=room.get("round"))
    if room.get("mode") == "lockstep" and room.get("started"):
        return _("Round {round} closed").format(round=room.get("round"))
    if room.get("started"):
        return _("Started")
    return ""


def attach(context: "ScreenContext", session: ClassSession) -> None:
    """Show the room's news on the window's thread: each frame, while this session is the context's."""
    host = context.host
    frames = getattr(host, "on_frame", None)
    saved_rewind = context.allow_rewind
    context.allow_rewind = False  # rewind is off in a class

    def pump(_app=None) -> None:
        if context.session is not session:  # the player left the class
            context.allow_rewind = saved_rewind
            session.close()
            if frames is not None and pump in frames:
                frames.remove(pump)
            return
        changed = session.refresh()
        from .menus import MessageScreen
        while session.news:
            msg = session.news.popleft()
            if msg.get("type") == "room":
                text = room_toast(msg["room"])
                if text:
                    context.toast(text)
                changed = True
            elif msg.get("type") == "error":
                context.toast(msg.get("message") or _("The server refused something."))
            elif msg.get("type") == "team":
                changed = True
            else:
                shown = news_message(msg)
                if shown:
                    context.push(MessageScreen(context, *shown))
                    changed = True
        team = session.conn.team  # a team member: teammates' proposals and the team's decision, as toasts
        if team is not None and team is not session.team_seen:
            from classroom.textclient import team_news
            for line in team_news(session.team_seen, team, session.conn.snapshot_dict):
                context.toast(line)
            session.team_seen = team
            changed = True
        if changed:
            session.revision += 1
            context.invalidate()
    if frames is not None:
        frames.append(pump)
    session.pump = pump


class JoinScreen(Screen):
    """Server address, join code and display name; then the class plays on the usual screens."""

    name = "join"
    title = N_("Join a class")
    # labels and hints marked here, translated where they are drawn
    FIELDS = (("address", N_("Server address"), N_("as the facilitator shows it, e.g. 192.168.1.20:8765"), 120),
              ("code", N_("Join code"), N_("the letters and digits on the projector"), 12),
              ("name", N_("Display name"), N_("only the facilitator sees it, unless they show names"), 40))

    def __init__(self, context: "ScreenContext", address: str = "", code: str = "", name: str = "") -> None:
        super().__init__(context)
        self.values = {"address": address, "code": code, "name": name}
        self.error = ""
        self.focus_id = "address" if not address else ("code" if not code else "name")

    def speech(self) -> str:
        return _("Join a class. Type the server address, the join code and your display name, then press Join.")

    def back(self) -> bool:
        self.context.pop()
        return True

    def handle_key(self, intent: Intent) -> bool:
        field = self.focus_id if self.focus_id in self.values else None
        if field is None:
            return False
        limit = next(f[3] for f in self.FIELDS if f[0] == field)
        if intent.kind == "text":
            text = "".join(ch for ch in intent.char if ch.isprintable())
            self.values[field] = (self.values[field] + text)[:limit]
            return True
        if intent.kind == "back" and intent.char == "backspace":
            self.values[field] = self.values[field][:-1]
            return True
        if intent.kind in ("number", "key") and not intent.ctrl:
            return True  # typed: the text intent that follows carries the character
        if intent.kind == "activate" and intent.char == " ":
            return True  # a space in a name, not a press
        if intent.kind == "activate":
            order = [f[0] for f in self.FIELDS] + ["join"]
            self.focus_id = order[order.index(field) + 1]
            if self.focus_id == "join":
                self.join()
            return True
        return False

    def join(self) -> None:
        from classroom.client import ClassError, Connection

        address = self.values["address"].strip()
        code = self.values["code"].strip().upper()
        name = self.values["name"].strip()
        if not address:
            self.error, self.focus_id = _("Type the server's address."), "address"
            return
        if not code.isalnum() or not 4 <= len(code) <= 12:
            self.error, self.focus_id = _("The join code is the letters and digits on the projector."), "code"
            return
        tokens = seat_tokens()
        if not name and tokens.get(address, code) is None:
            self.error, self.focus_id = _("Type a display name."), "name"
            return
        holder: dict = {}
        conn = Connection(address, code, name or None, tokens,
                          on_push=lambda m: holder["s"].on_push(m) if "s" in holder else None, client="window")
        try:
            welcome = conn.open()
        except ClassError as exc:
            self.error = str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - never a crash on a bad address
            self.error = describe_error(exc)
            return
        session = ClassSession(conn, welcome)
        holder["s"] = session
        for msg in (conn.reveal, conn.leaderboard):
            if msg:
                session.news.append(msg)
        self.context.end_session()
        self.context.session = session
        attach(self.context, session)
        self.context.go_home(ClassPlayScreen(self.context))
        mode = _("lock-step rounds") if welcome["room"]["mode"] == "lockstep" else _("free play")
        self.context.toast(" ".join(x for x in (_("Joined as {name} ({mode}).").format(name=welcome["name"], mode=mode),
                                                 session.blocked() or "") if x))

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx, motif=False)
        w, h = ctx.surface.get_size()
        top = draw_screen_header(ctx, _("Join a class"), _("Your facilitator runs the session; your game is played on "
                                                         "their server, so nothing is saved here but your seat."))
        x = t.s(6)
        y = top + t.s(2)
        buttons = []
        for key, label, hint, _most in self.FIELDS:
            value = self.values[key]
            shown = (value or "") + ("|" if self.focus_id == key else "")
            buttons.append(Button(key, _(label), lambda k=key: setattr(self, "focus_id", k), detail=shown or _(hint)))
        # wide enough for each label and hint on one line where the window allows (a translated hint may be
        # longer than the English), so that the fields and the buttons below them stay on screen
        bw = min(max([t.s(70)] + [button_width(ctx, b) for b in buttons]), w - 2 * x)
        for b in buttons:
            bh = button_height(ctx, b, bw)
            b.rect = pygame.Rect(x, y, bw, bh)
            y += bh + t.s(1.5)
        join = Button("join", _("Join"), self.join, primary=True, key_hint="Enter")
        back = Button("cancel", _("Back"), self.back, key_hint="Esc")
        # wide enough for the label and its key cap on one line (never a broken word at the largest text)
        jw = fit_width(ctx, join, 24, (bw - t.s(2)) // 2)
        kw = fit_width(ctx, back, 24, (bw - t.s(2)) // 2)
        bh = max(button_height(ctx, join, jw), button_height(ctx, back, kw))
        join.rect = pygame.Rect(x, y + t.s(1), jw, bh)
        back.rect = pygame.Rect(join.rect.right + t.s(2), y + t.s(1), kw, bh)
        buttons += [join, back]
        y = join.rect.bottom + t.s(2)
        if self.error:
            ctx.text(self.error, (x, y), "body", pal.bad if hasattr(pal, "bad") else pal.text_on_bg, "bold",
                     max_width=w - 2 * x)
        self.set_focusables(buttons)
        self.draw_buttons(ctx, buttons)
        draw_footer_hint(ctx, _("Type in the focused field · Tab or arrows move · Enter goes on · Esc goes back"))


def _play_screen_class():
    from .play import PlayScreen

    class _ClassPlayScreen(PlayScreen):
        """The play screen on a class seat: choices the room does not allow yet are a toast, and the
        ending is the class's (no replay, no saves; the leaderboard comes from the facilitator)."""

        def _safely(self, call) -> bool:
            try:
                call()
            except _Waiting as w:
                self.context.toast(str(w))
                return False
            except Exception as exc:  # noqa: BLE001
                from .menus import MessageScreen
                self.context.push(MessageScreen(self.context, _("The server refused that"), describe_error(exc)))
                return False
            return True

        def sync(self, force: bool = False) -> None:
            if self.session.snap.status == "ended":
                self.context.replace(ClassEndingScreen(self.context))
                return
            super().sync(force)

        def update(self, dt: float) -> None:
            pump = getattr(self.session, "pump", None)
            if pump is not None and getattr(self.context.host, "on_frame", None) is None:
                pump()  # no window host (tests): pump here
            super().update(dt)

    return _ClassPlayScreen


def ClassPlayScreen(context: "ScreenContext"):  # noqa: N802 - built lazily: play.py imports much
    return _play_screen_class()(context)


class ClassEndingScreen(Screen):
    """The end of a class run: the ending and its strategic triangle, the player's own debrief (built by the
    server, which owns the run: why this ending, where they sat in the room once the facilitator ends the
    session or shows the leaderboard, the balcony gap, the pattern and the research, as the browser page
    shows it), then the leaderboard when the facilitator shows it. The facilitator leads the room's debrief."""

    name = "ending"

    def __init__(self, context: "ScreenContext") -> None:
        super().__init__(context)
        self.session = context.session
        self._fetching: dict | None = None  # {"done": bool, "body": dict, "error": str} while a fetch runs
        self.area = ScrollArea("class-ending-text", _("The ending"))

    def _debrief(self) -> None:
        """Fetch the player's own debrief off the frame loop; update() shows it when it comes."""
        if self._fetching is not None:
            return
        import threading

        job = self._fetching = {"done": False, "body": None, "error": ""}
        conn = self.session.conn

        def work():
            import json

            from classroom.client import ClassError
            from classroom.cohort import fetch
            try:
                from game import i18n
                lang = i18n.catalog_path(i18n.language()).stem if i18n.translated() else None  # its sentences too
                job["body"] = json.loads(fetch(conn, "json", timeout=60, lang=lang))
            except ClassError as e:
                job["error"] = str(e)
            except Exception as e:  # noqa: BLE001 - whatever went wrong is said, never a crash
                job["error"] = f"{type(e).__name__}: {e}"
            job["done"] = True

        threading.Thread(target=work, daemon=True, name="class-debrief").start()
        self.context.toast(_("Fetching your debrief..."))

    def signature(self) -> str:
        e = self.session.snap.ending
        return f"class-ending-{getattr(e, 'id', 'none')}"

    def speech(self) -> str:
        e = self.session.snap.ending
        return " ".join((_("The end."), f"{e.title}.", e.text)) if e else _("The end.")

    def back(self) -> bool:
        return False

    def _title(self) -> None:
        self.context.end_session()
        self.context.go_home()

    def update(self, dt: float) -> None:
        pump = getattr(self.session, "pump", None)
        if pump is not None and getattr(self.context.host, "on_frame", None) is None:
            pump()
        job = self._fetching
        if job is not None and job["done"]:
            self._fetching = None
            from .menus import MessageScreen
            body = job["body"] or {}
            if job["error"] or not body.get("ended"):
                why = job["error"] or _("the server has not yet heard that your run ended")
                text = _("The server did not give your debrief: {error}. Try again in a moment; your facilitator "
                         "leads the debrief in class.").format(error=why)
            else:
                text = debrief_message(body)
            self.context.toast_text = ""  # "Fetching..." is over: it would cover the pop-up's heading
            self.context.push(MessageScreen(self.context, _("Your debrief"), text))
            self.context.invalidate()

    def draw(self, ctx: Ctx) -> None:
        t = ctx.theme
        pal = t.pal
        draw_backdrop(ctx)
        snap = self.session.snap
        e = snap.ending
        w, h = ctx.surface.get_size()
        m = t.s(6)
        buttons = []
        lb = getattr(self.session.conn, "leaderboard", None)
        if lb:
            from .menus import MessageScreen
            buttons.append(Button("leaderboard", _("The leaderboard"), lambda: self.context.push(
                MessageScreen(self.context, *news_message(lb))), primary=True))
        if getattr(self.session.conn, "token", None) is not None:
            buttons.append(Button("debrief", _("Your debrief"), self._debrief, primary=not lb))
        buttons.append(Button("title", _("Leave the class"), self._title))
        bw = min(t.s(30), (w - 2 * m - t.s(1.5) * (len(buttons) - 1)) // len(buttons))  # all in one row
        bh = max(button_height(ctx, b, bw) for b in buttons)
        x = w - m
        for b in reversed(buttons):
            b.rect = pygame.Rect(x - bw, h - t.s(3) - bh, bw, bh)
            x -= bw + t.s(1.5)
        card = pygame.Rect(m, t.s(4), w - 2 * m, h - t.s(4) - bh - t.s(6))
        with ctx.panel(card, "ending", fill=pal.panel, border=pal.line) as c:
            inner = c.inflate(-t.s(8), -t.s(6))
            r = ctx.text(_("THE END · {scenario} · {quarter}").format(scenario=snap.scenario_title, quarter=snap.calendar.label),
                         (inner.left, inner.top), "label",
                         pal.text_muted, "bold", max_width=inner.width)
            r = ctx.text(e.title if e else _("The end"), (inner.left, r.bottom + t.s(1)), "h1", pal.text, "bold",
                         max_width=inner.width)
            y = r.bottom + t.s(2)
            if e is not None and e.triangle:
                parts = " · ".join(f"{_(k.replace('_', ' '))} {round(float(v))}" for k, v in e.triangle.items())
                r = ctx.text(_("The strategic triangle: {scores}").format(scores=parts), (inner.left, y), "body", pal.text, "bold",
                             max_width=inner.width)
                y = r.bottom + t.s(2)
            note = " ".join((_("Your debrief says why this ending and where you sat in the room; your "
                               "facilitator leads the room's."),
                             " ".join(news_message(lb)[1].split("\n\n")) if lb else
                             _("The leaderboard appears here when the facilitator shows it.")))
            # the ending's text and the note scroll, with a visible scrollbar, when they do not fit (the
            # largest text in 1024x600)
            area = self.area
            area.rect = pygame.Rect(inner.left, y, inner.width, max(0, inner.bottom - y))
            with ctx.scroll(area, "class-ending-text") as f:
                used = ctx.paragraph(e.text if e else "", pygame.Rect(f.left, f.top, f.width, 100_000), "body",
                                     pal.text)
                used += t.s(2)
                used += ctx.paragraph(note, pygame.Rect(f.left, f.top + used, f.width, 100_000), "small",
                                      pal.text_muted)
                area.content = ctx.scroll_content(used)
                area.step = ctx.line_height("body") * 2
            ctx.scrollbar(area)
        self.set_focusables(buttons + ([self.area] if self.area.max_offset > 0 else []))
        self.draw_buttons(ctx, buttons)
        self.draw_scroll_focus(ctx, self.area)

    def extra_scroll_areas(self) -> list:
        return [self.area]


def debrief_message(body: dict) -> str:
    """A class player's own debrief (the server's `GET /debrief?format=json`, as the browser page shows it)
    as paragraphs for the message pop-up: why this ending, where they sat, the balcony gap, the pattern and
    the research, each under its heading. The sentences are the engine's and the server's, worded in the
    interface language the window asked for; the headings and the few joining words go through gettext."""
    d = body["debrief"]
    out = [_("WHY THIS ENDING"), d["why"]["summary"]]
    if d["why"].get("next_better"):
        out.append(d["why"]["next_better"]["summary"])
    out.append(_("WHERE YOU SAT IN THE ROOM"))
    w = body.get("placement")
    if w:
        out += list(w["lines"])
        if len(w.get("endings") or []) > 1:
            out.append(" · ".join(_("{title}: {count} ({percent}%)").format(
                title=e["ending"]["title"], count=e["count"], percent=e["percent"]) for e in w["endings"]))
    else:
        out.append(body.get("placement_later") or "")
    g = d["gap"]
    out += [_("THE BALCONY GAP"), g["summary"]]
    out += [m["text"] for m in g.get("moments") or []]
    out += [_("{name} ({agency}): said {said} at the end, delivered {did}; {readings} balcony readings, "
              "{talks} one-to-ones.").format(name=s["name"], agency=s["agency"], said=round(s["support"][-1]),
                                             did=round(s["commitment"][-1]), readings=s["balcony_readings"],
                                             talks=s["one_to_ones"]) for s in g["stakeholders"]]
    p = d["pattern"]
    out += [_("YOUR PATTERN"), p["reading"],
            " · ".join(_("{dimension}: {count} of {decisions} decisions").format(
                dimension=u["label"], count=u["count"], decisions=p["decisions"]) for u in p["dimensions"])]
    r = d["research"]
    out.append(_("WHAT THE RESEARCH SAYS"))
    for year, notes in r["years"]:
        for n in notes:
            cite = ", ".join(n["sections"]) if n["sections"] else (_("the game's model") if n.get("model") else "")
            out.append(f"{year} · {n['when']}, “{n['choice_text']}”" + (f" [{cite}]" if cite else "") + f": {n['note']}")
    if not r["years"]:
        out.append(_("None of the choices you made carries a note from the research."))
    out.append(r["caveat"])
    return "\n\n".join(x for x in out if x)
