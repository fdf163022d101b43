"""The cohort debrief from a classroom session: `balcony export --format html` on both storage backends,
the dashboard's signed report link, and each player's own debrief and place in the room."""
from __future__ import annotations

import re

import pytest
from game.cli import main

from .test_export import _play

pytestmark = pytest.mark.usefixtures("no_rate_limit")  # clients far faster than a person


def test_export_html_writes_the_cohort_debrief_from_the_database(inproc_db, tmp_path, capsys):
    inproc = inproc_db  # on SQLite and on PostgreSQL
    room, state = _play(inproc, n=3, finish=2)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", room.code, "--format", "html", "--db", inproc.url, "--out", str(out)]) == 0
    assert f"{room.code}-cohort.html" in capsys.readouterr().out
    html = (out / f"{room.code}-cohort.html").read_text(encoding="utf-8")
    assert "<title>Cohort debrief: Eastfield: a first partnership" in html and f"session {room.code}" in html
    assert re.search(r"Seats<strong>3</strong>", html) and re.search(r"Reached an ending<strong>2</strong>", html)
    assert "1 of the 3 seats had not reached an ending" in html
    assert "Player, &#34;0&#34;" not in html and "Player, \"0\"" not in html   # it names nobody
    assert "<script" not in html and not re.search(r'(src|href)="(?!#)', html)  # self-contained
    assert html.count("<svg") >= 5 and "teaching model" in html and "largest-remainder" in html
    assert not list(out.glob(".tmp-*"))


def test_export_html_of_a_session_nobody_joined_says_so(inproc, tmp_path, capsys):
    room = inproc.room("free")
    assert main(["export", room.code, "--format", "html", "--db", inproc.url, "--out", str(tmp_path)]) == 0
    html = (tmp_path / f"{room.code}-cohort.html").read_text(encoding="utf-8")
    assert "Nobody has joined this session yet" in html and "<svg" not in html
    assert main(["export", "NOSUCH", "--format", "html", "--db", inproc.url, "--out", str(tmp_path)]) == 2
    assert "no session with the id or join code 'NOSUCH'" in capsys.readouterr().err
