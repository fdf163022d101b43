"""Issue 12's items, each through the real command line: bad input gets a clear message and exit status 2."""
from __future__ import annotations

import os

import pytest

from .helpers import run_cli, starter


# --- item 8: FIFOs and other files that are not regular files ------------------------------------------

@pytest.fixture
def fifo(tmp_path):
    def make(name):
        path = tmp_path / name
        os.mkfifo(path)
        return path
    return make


def test_a_fifo_as_scenario_save_or_transcript_is_refused_without_opening_it(tmp_path, fifo):
    starter(tmp_path)
    for args in (["validate", fifo("pipe.yaml")], ["replay", fifo("pipe.json")],
                 ["play", "starter.yaml", "--text", "--load", fifo("save.json")]):
        r = run_cli(tmp_path, *args, timeout=15)
        assert not r.killed, f"{args} hung"
        assert r.clean_refusal(), (args, r)
        assert "named pipe" in r.text, r.text


def test_a_fifo_or_dev_stdin_as_an_include_is_refused(tmp_path, fifo):
    fifo("part.yaml")
    path = starter(tmp_path)
    text = path.read_text().replace("balcony: 1 ", "includes: [part.yaml, /dev/stdin]\nbalcony: 1 ", 1)
    path.write_text(text)
    r = run_cli(tmp_path, "validate", path, timeout=15, stdin_pipe=True)  # a pipe that never ends, as a terminal
    assert not r.killed and r.clean_refusal(), r
    assert "part.yaml:1:1: BAL007 error: this is a named pipe" in r.stdout
    assert "/dev/stdin:1:1: BAL007 error: this is a named pipe" in r.stdout
    r = run_cli(tmp_path, "check", path, timeout=15, stdin_pipe=True)
    assert not r.killed and r.clean_refusal() and "named pipe" in r.text, r


# --- item 9: a flood of tiny values is refused before it is built ---------------------------------------

def test_three_million_tiny_flow_items_are_refused_in_bounded_memory_naming_the_limit(tmp_path):
    path = tmp_path / "flood.yaml"
    path.write_bytes(b"a: [" + b",".join([b"1"] * 3_000_000) + b"]\n")
    r = run_cli(tmp_path, "validate", path, memory=200 * 1024 ** 2)
    assert r.clean_refusal(), r
    assert "BAL005" in r.stdout and "more than 1,000,000 values" in r.stdout and "alias" not in r.stdout, r.stdout
    assert r.peak_mb < 200, r.peak_mb
