"""balcony host: run a classroom session server (see docs/classroom.md)."""
from __future__ import annotations

import sys
from pathlib import Path

from .common import fail, load_or_report, resolve_scenario_arg

NAME = "host"
HELP = "run a classroom session server: a dashboard for the facilitator, a page for the players"
DESCRIPTION = ("Run a classroom session server. It listens on loopback (this computer only) unless --host "
               "says otherwise; see docs/classroom.md for what serving a network exposes.")


def add_arguments(p):
    p.add_argument("--scenario", metavar="FILE", help="create a session of this scenario (a file or a shipped id) "
                                                      "at start-up and print its join code")
    p.add_argument("--mode", choices=("free", "lockstep"), default="lockstep",
                   help="for --scenario: free play, or lock-step rounds the facilitator paces (default)")
    p.add_argument("--seed", type=int, default=None, help="for --scenario: the room's seed (default: random)")
    p.add_argument("--teams", metavar="N|auto", help="for --scenario: players share seats in N teams (1-99), or in "
                                                     "teams of four as they join (auto); see docs/classroom.md, Teams")
    p.add_argument("--team-rule", metavar="RULE", default=None,
                   help="with --teams: how a team decides: majority:SECONDS (a majority, or the most proposals when "
                        "the window that opens with the first proposal ends; default majority:60) or captain")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1, this computer only; 0.0.0.0 serves every "
                        "network this computer is on)")
    p.add_argument("--port", type=int, default=8765, metavar="P", help="port (default 8765; 0 picks a free one)")
    p.add_argument("--db", metavar="URL", help="database URL: postgresql://USER:PASSWORD@HOST/DB, or any SQLAlchemy URL (default: a SQLite "
                        "file in Balcony's data folder)")


def default_db_url() -> str:
    from ..paths import data_dir
    return f"sqlite:///{data_dir() / 'classroom.db'}"


def hide_password(url: str) -> str:
    """The URL to print: a PostgreSQL password never goes to the terminal or a log."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: the error that follows says so
        return url


def seconds_from_env(name: str, low: float, high: float) -> float | None:
    """A number of seconds from the environment variable `name`, or None when it is not set; ValueError,
    with a message, when it is not a number from `low` to `high`."""
    import os
    text = os.environ.get(name)
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ValueError(f"{name} is a number of seconds from {low:g} to {high:g}, not {text!r}")
    return value


def offered_scenarios(extra: Path | None) -> tuple[dict, dict]:
    """What sessions can be made from, by scenario id: the shipped scenarios and --scenario's file; and
    their titles (from the metadata alone: a scenario is loaded when a session first uses it)."""
    from engine import ContentError, read_metadata

    from ..paths import shipped_scenarios
    out, titles = {}, {}
    for f in shipped_scenarios() + ([extra] if extra else []):
        try:
            meta = read_metadata(f)
        except ContentError:
            continue
        out[meta["id"]] = Path(f).resolve()
        titles[meta["id"]] = meta["title"]
    return out, titles


def run(args) -> int:
    import ipaddress  # here, not at the top: every balcony command imports this module to build its parser
    import socket

    try:
        import uvicorn

        from classroom.server import Hub, build_app
        from classroom.store import Store
    except ImportError as e:
        return fail(f"host needs the Python package '{e.name}': reinstall Balcony with its dependencies "
                    f"(.venv/bin/pip install -e .)")
    if not 0 <= args.port <= 65535:
        return fail(f"--port must be 0-65535, not {args.port}")
    teams = None
    if args.team_rule is not None and args.teams is None:
        return fail("--team-rule needs --teams (how many teams, or auto)")
    if args.teams is not None:
        if not args.scenario:
            return fail("--teams is for the session --scenario creates (the dashboard's form creates team sessions too)")
        from classroom import teams as team_rules
        try:
            teams = team_rules.config(team_rules.parse_teams(args.teams),
                                      team_rules.parse_rule(args.team_rule or "majority:60"))
        except ValueError as e:
            return fail(str(e))
    path = None
    if args.scenario:
        path = resolve_scenario_arg(args.scenario)
        if path is None or not Path(path).exists():
            return fail(f"no scenario file or shipped scenario called {args.scenario!r}")
        if load_or_report(path) is None:
            return 2
    try:  # two settings for operators (and tests): see docs/classroom.md, Several server processes
        grace = seconds_from_env("BALCONY_TEAM_GRACE", 1, 3600)
        ttl = seconds_from_env("BALCONY_PRESENCE_TTL", 2, 600)
    except ValueError as e:
        return fail(str(e))
    url = args.db or default_db_url()
    shown_url = hide_password(url)
    try:
        store = Store(url)
    except Exception as e:  # noqa: BLE001 - a bad URL or an unreadable file is bad input, not a traceback
        return fail(f"cannot open the database {shown_url}: {e}")
    from classroom.store import single_process_lock
    try:
        held = single_process_lock(url)  # noqa: F841 - held until the process ends
    except RuntimeError as e:  # a second process on one SQLite file would serve sessions it cannot see change
        return fail(str(e))
    except OSError as e:
        return fail(f"cannot open the database {shown_url}: {e}")
    offered, titles = offered_scenarios(Path(path) if path else None)
    hub = Hub(store, offered, titles)
    if grace is not None:
        hub.teams.grace = grace
    if ttl is not None and hub.replica is not None:
        hub.replica.set_presence_ttl(ttl)
    try:
        resumed = hub.load()
    except Exception as e:  # noqa: BLE001
        return fail(f"cannot resume the sessions stored in {shown_url}: {e}")
    created = None
    if path is not None:
        from engine import read_metadata
        created = hub.create_now(read_metadata(path)["id"], args.mode, args.seed, teams=teams)
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(args.host).version == 6 else socket.AF_INET
    except ValueError:
        family = socket.AF_INET
    # IPPROTO_TCP named, so that asyncio sets TCP_NODELAY on every accepted connection: without it, Nagle's
    # algorithm and delayed ACKs hold small WebSocket frames back by tens of milliseconds
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        return fail(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}")
    sock.listen(256)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    if args.host in ("0.0.0.0", "::"):
        shown = socket.gethostname()  # players use this computer's name or its address on the network
    base = f"http://{shown}:{port}"
    out = sys.stdout
    print(f"Balcony classroom server at {base}  (database: {shown_url})", file=out)
    if _is_loopback(args.host):
        print("Listening on this computer only. To let a classroom network join, restart with --host 0.0.0.0 "
              "(see docs/classroom.md).", file=out)
    else:
        print(f"Listening on {args.host}: anyone who can reach this address can open the player page.", file=out)
    print(f"Host dashboard (create sessions; keep this link private): {base}/dashboard#k={hub.host_key}", file=out)
    for room in resumed + ([created] if created else []):
        if room.control["ended"]:
            continue
        what = "new session" if room is created else "resumed session"
        team_cfg = room.control.get("teams")
        print(f"{what}: {room.scenario.title} ({'lock-step rounds' if room.mode == 'lockstep' else 'free play'}, "
              + (f"teams: {team_cfg['count']}, {team_rules_text(team_cfg)}, {len(room.teams.members)} players)" if team_cfg
                 else f"{len(room.seats)} players)"), file=out)
        print(f"  join code: {room.code}", file=out)
        print(f"  dashboard: {base}/dashboard#s={room.id}.{room.secret}", file=out)
    print(f"Players open {base}/ and type the code, or run: balcony join {shown}:{port} CODE --text", file=out)
    out.flush()
    app = build_app(hub)
    from classroom.protocol import MAX_FRAME
    from classroom.server import tune_gc
    tune_gc()
    # no per-message compression: on loopback and a classroom network it costs more CPU than it saves time
    config = uvicorn.Config(app, log_level="warning", ws_max_size=MAX_FRAME, ws="websockets-sansio"
                            if _has_sansio() else "auto", ws_per_message_deflate=False, lifespan="on",
                            timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0


def team_rules_text(cfg: dict) -> str:
    from classroom.teams import describe
    return describe(cfg)


def _has_sansio() -> bool:
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
        return True
    except ImportError:
        return False


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
