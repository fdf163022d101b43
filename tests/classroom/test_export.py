"""balcony export: a session's results as CSV and JSON, rebuilt from the database; transcripts replay."""
from __future__ import annotations

import contextlib
import csv
import json

import pytest
from game.cli import main

from classroom.export import DECISION_COLUMNS, SEAT_COLUMNS

from .conftest import control, hello_facilitator, hello_player
from .test_protocol import play_step


pytestmark = pytest.mark.usefixtures("no_rate_limit")  # clients far faster than a person


def _play(inproc, n=3, finish=2):
    """A free-play room where the first `finish` seats play to an ending and the others stop after a while."""
    room = inproc.room("free", seed=7)
    with contextlib.ExitStack() as stack:
        fac = stack.enter_context(inproc.connect())
        hello_facilitator(fac, room)
        socks = [stack.enter_context(inproc.connect()) for _ in range(n)]
        state = [hello_player(ws, room.code, f"Player, \"{i}\"") for i, ws in enumerate(socks)]
        control(fac, room, "start")
        for step in range(400):
            live = [i for i in range(n) if state[i]["snapshot"]["status"] != "ended" and (i < finish or step < 9)]
            if not live:
                break
            for i in live:
                reply = play_step(socks[i], state[i], i, step)
                assert reply["type"] == "ack", reply
                state[i] = reply
    return room, state


def test_export_csv_and_json_hold_every_seat_and_decision_and_each_transcript_replays(inproc_db, tmp_path, capsys):
    inproc = inproc_db  # on SQLite and on PostgreSQL
    room, state = _play(inproc)
    out = tmp_path / "out"
    assert main(["export", room.code.lower(), "--format", "csv", "--db", inproc.url, "--out", str(out)]) == 0
    seats = list(csv.DictReader(open(out / f"{room.code}-seats.csv", encoding="utf-8")))
    decisions = list(csv.DictReader(open(out / f"{room.code}-decisions.csv", encoding="utf-8")))
    assert list(seats[0]) == list(SEAT_COLUMNS) and list(decisions[0]) == list(DECISION_COLUMNS)
    assert [s["participant.label"] for s in seats] == [f"Player, \"{i}\"" for i in range(3)]
    board = {r["seat"]: r for r in room.scores()}
    for row, st, seat in zip(seats, state, room.seats.values()):
        snap = st["snapshot"]
        assert row["session.code"] == room.code and int(row["session.seed"]) == 7
        assert row["participant.status"] == snap["status"]
        assert int(row["participant.decisions"]) == snap["decisions"]
        assert row["participant.ending"] == (snap["ending"]["id"] if snap["ending"] else "")
        assert float(row["player.score"]) == board[seat.id]["score"]
        assert int(row["player.rank"]) == board[seat.id]["rank"]
        for part, v in board[seat.id]["parts"].items():
            assert float(row[f"triangle.{part}"]) == v
        for tag in ("feeling", "hero", "distributed"):
            assert int(row[f"tag.{tag}"]) == seat.run.state.tags.get(tag, 0)
        mine = [d for d in decisions if d["participant.id_in_session"] == row["participant.id_in_session"]]
        assert [int(d["decision.number"]) for d in mine] == list(range(1, snap["decisions"] + 1))
        assert [int(d["decision.choice"]) for d in mine] == [d["choice"] for d in seat.run.history.decisions]
        epochs = [float(d["decision.epoch"]) for d in mine]
        assert epochs == sorted(epochs) and all(d["decision.time_utc"].endswith("Z") for d in mine)
        # the transcript file replays to the same run: `balcony replay` says so, and fails on a tampered copy
        path = out / row["participant.transcript_file"]
        assert main(["replay", str(path)]) == 0
        data = json.loads(path.read_text())
        assert data["actions"] == seat.run.actions and data["ending"] == seat.run.state.ending
        if data["actions"]:
            data["final_state"] = {**data["final_state"], next(iter(data["final_state"])): -999}
            bad = tmp_path / "bad.json"
            bad.write_text(json.dumps(data))
            assert main(["replay", str(bad)]) == 1
    assert sum(s["participant.status"] == "ended" for s in seats) == 2
    assert not list(out.glob(".tmp-*"))  # written atomically: no temporaries left behind

    assert main(["export", room.id, "--format", "json", "--db", inproc.url, "--out", str(out)]) == 0
    data = json.loads((out / f"{room.code}-export.json").read_text())
    assert data["format"] == "balcony-classroom-export" and data["session"]["id"] == room.id
    for seat, row in zip(data["seats"], seats):
        assert seat["transcript"] == json.loads((out / row["participant.transcript_file"]).read_text())
        assert len(seat["decision_log"]) == seat["decisions"] == int(row["participant.decisions"])
    capsys.readouterr()


def test_export_of_an_unknown_session_or_database_is_a_clear_error(inproc, tmp_path, capsys):
    inproc.room("free")
    assert main(["export", "NOSUCH", "--db", inproc.url, "--out", str(tmp_path)]) == 2
    assert "no session with the id or join code 'NOSUCH'" in capsys.readouterr().err
    assert main(["export", "X", "--db", "nosuchdb://x", "--out", str(tmp_path)]) == 2
    assert "cannot open the database" in capsys.readouterr().err
    assert main(["export", "X", "--db", "postgresql://u:pw1234@127.0.0.1:1/x", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot open the database postgresql://u:***@127.0.0.1:1/x" in err and "pw1234" not in err
    assert not list(tmp_path.glob("*.csv"))


def test_the_dashboard_download_needs_the_secret_and_gives_the_same_files(inproc, tmp_path, capsys):
    room, _ = _play(inproc, n=2, finish=1)
    get = inproc.client.get
    assert get("/export", params={"session": room.id, "table": "seats"}).status_code == 403
    bad = get("/export", params={"session": room.id, "table": "seats"}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 403 and "secret" in bad.json()["message"]
    auth = {"Authorization": f"Bearer {room.secret}"}
    assert get("/export", params={"session": room.id, "table": "x"}, headers=auth).status_code == 400
    assert main(["export", room.code, "--format", "csv", "--db", inproc.url, "--out", str(tmp_path)]) == 0
    for table in ("seats", "decisions"):
        r = get("/export", params={"session": room.id, "table": table}, headers=auth)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert f'filename="{room.code}-{table}.csv"' in r.headers["content-disposition"]
        assert r.text == (tmp_path / f"{room.code}-{table}.csv").read_text(encoding="utf-8")
    r = get("/export", params={"session": room.id, "table": "json"}, headers=auth)
    data = r.json()
    assert [s["label"] for s in data["seats"]] == ["Player, \"0\"", "Player, \"1\""]
    assert data["seats"][0]["transcript"] == json.loads((tmp_path / f"{room.code}-seat1.transcript.json").read_text())
    capsys.readouterr()


def test_the_dashboard_button_downloads_the_export_in_chromium(host, browser, tmp_path):
    h = host("--scenario", "tutorial", "--mode", "free")
    sid, secret = h.session()
    page = browser.new_page(accept_downloads=True)
    page.goto(f"{h.base}/dashboard#s={sid}.{secret}")
    page.wait_for_selector("#session:not(.hidden)")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download CSV (seats)").click()
    d = got.value
    assert d.suggested_filename == f"{h.code}-seats.csv"
    path = tmp_path / d.suggested_filename
    d.save_as(path)
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(SEAT_COLUMNS)]
    with page.expect_download() as got:
        page.get_by_role("button", name="Download JSON").click()
    got.value.save_as(tmp_path / "e.json")
    data = json.loads((tmp_path / "e.json").read_text())
    assert data["session"]["id"] == sid and data["seats"] == []


def test_export_from_a_sqlite_file_that_does_not_exist_says_so_and_creates_nothing(tmp_path, capsys):
    """A mistyped --db path made an empty classroom database there (the migrations ran on it) and then said
    'no session ... in this database'."""
    typo = tmp_path / "clasroom.db"
    assert main(["export", "AWHG9W", "--db", f"sqlite:///{typo}", "--out", str(tmp_path)]) == 2
    assert f"no classroom database at {typo}" in capsys.readouterr().err
    assert not typo.exists() and not list(tmp_path.iterdir())
