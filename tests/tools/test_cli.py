"""Every toolkit command: --help, --json, and bad input as file:line:column: CODE, never a traceback."""
from __future__ import annotations

import json
import re

import pytest

from .helpers import cli, doc, write

COMMANDS = ["explore", "simulate", "check", "graph", "schema", "new", "stats"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, capsys):
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0 and "--json" in out


@pytest.mark.parametrize("command", ["explore", "simulate", "check", "stats", "graph"])
def test_content_errors_are_positions_not_tracebacks(command, tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text("balcony: 1\nid: broken\ntitle: [unclosed\n", encoding="utf-8")
    extra = ["-o", str(tmp_path / "x.dot")] if command == "graph" else []
    code, out, err = cli(capsys, command, path, *extra)
    assert code == 2
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: BAL001 error: ", err, re.M), err
    assert "Traceback" not in err + out


@pytest.mark.parametrize("command", ["explore", "simulate", "check", "stats"])
def test_json_is_json(command, tmp_path, capsys):
    path = write(tmp_path, doc())
    extra = ["--runs", "20"] if command in ("simulate", "check", "stats") else []
    code, out, _ = cli(capsys, command, path, "--json", *extra)
    assert code == 0
    json.loads(out)
