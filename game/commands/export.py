"""balcony export SESSION: a classroom session's results as CSV or JSON (see docs/classroom.md)."""
from __future__ import annotations

from .common import fail

NAME = "export"
HELP = ("export a classroom session's results (seats, decisions, endings, scores, transcripts) as CSV or JSON, "
        "or its cohort debrief as HTML")
DESCRIPTION = ("Export a classroom session's results from the server's database: one row per seat, one row per "
               "decision with its time, and each seat's transcript (which `balcony replay` reproduces); or, with "
               "--format html, the cohort debrief: a self-contained report of how the room's endings, decisions, "
               "patterns and balcony gap spread, with questions for discussion. Both are documented in "
               "docs/classroom.md.")


def add_arguments(p):
    p.add_argument("session", metavar="SESSION", help="the session's join code or id")
    p.add_argument("--format", choices=("csv", "json", "html"), default="csv",
                   help="csv: SESSION-seats.csv, SESSION-decisions.csv and one transcript per seat; "
                        "json: one SESSION-export.json with everything; html: SESSION-cohort.html, the cohort "
                        "debrief (default csv)")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL, as for host (default: the SQLite file in "
                                               "Balcony's data folder)")
    p.add_argument("--out", metavar="DIR", default=".", help="folder to write into (default: the current folder)")


def run(args) -> int:
    try:
        from classroom.export import ExportError, collect, write
        from classroom.store import make_engine, upgrade
    except ImportError as e:
        return fail(f"export needs the Python package '{e.name}': reinstall Balcony with its dependencies "
                    f"(.venv/bin/pip install -e .)")
    from .host import default_db_url, hide_password
    url = args.db or default_db_url()
    if url.startswith("sqlite:///") and url[len("sqlite:///"):] not in ("", ":memory:"):
        from pathlib import Path
        path = url[len("sqlite:///"):].split("?")[0]
        if not Path(path).exists():  # opening it would make an empty database there
            return fail(f"no classroom database at {path}" + ("" if args.db else ": name one with --db URL"))
    try:
        eng = make_engine(url)
        upgrade(eng)
    except Exception as e:  # noqa: BLE001 - a bad URL or unreadable file is bad input
        return fail(f"cannot open the database {hide_password(url)}: {e}")
    html = None
    try:
        if args.format == "html":
            from classroom.cohort import report
            html, data = report(eng, args.session)
        else:
            data = collect(eng, args.session)
    except ExportError as e:
        return fail(str(e))
    finally:
        eng.dispose()
    try:
        if html is not None:
            import os
            from engine.saves import atomic_write_text
            files = [os.path.join(args.out, f"{data['session']['code']}-cohort.html")]
            atomic_write_text(files[0], html)
        else:
            files = write(data, args.format, args.out)
    except OSError as e:
        return fail(f"cannot write to {args.out}: {e.strerror or e}")
    n = len(data["seats"])
    print(f"exported session {data['session']['code']} ({data['session']['scenario_title']}, {n} seat"
          f"{'' if n == 1 else 's'}):")
    for f in files:
        print(f"  {f}")
    return 0
