"""Running the real `balcony` command on bad input, under a time and a memory cap.

`run_cli` starts `python -m game ARGS` as a separate process whose address space is capped with
resource.setrlimit (in a preexec_fn), and kills it if it outlives its time limit: it returns the exit
status, the output and the wall time. (The cap is the memory bound: a child's peak resident size from
os.wait4 would count the test process it was forked from.)
"""
from __future__ import annotations

import os
import re
import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.engine.helpers import PYTHON, REPO, cli_env

MEMORY_CAP = 1024 ** 3   # 1 GB of address space for each command
TIME_LIMIT = 30.0        # seconds of wall time before the command is killed (a hang, not a slow run)
CPU_LIMIT = 30           # seconds of CPU time

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w+(Error|Exception): ", re.M)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    killed: bool

    @property
    def text(self) -> str:
        return self.stdout + self.stderr

    def clean_refusal(self) -> bool:
        """Exit status 2, something said, no traceback."""
        return self.returncode == 2 and bool(self.text.strip()) and not TRACEBACK.search(self.text)


def _caps(memory: int, close_stdin: bool):
    def pre():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 5))
        if close_stdin:
            os.close(0)
    return pre


def run_cli(tmp_path, *args, input: bytes | str | None = None, close_stdin: bool = False, stdin_pipe: bool = False,
            memory: int = MEMORY_CAP, timeout: float = TIME_LIMIT, env: dict | None = None, cwd=None) -> Result:
    tmp_path = Path(tmp_path)
    environment = cli_env(tmp_path, **(env or {}))
    if isinstance(input, str):
        input = input.encode("utf-8")
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        inp.write(input or b"")
        inp.seek(0)
        start = time.monotonic()
        p = subprocess.Popen([PYTHON, "-m", "game", *map(str, args)], stdin=subprocess.PIPE if stdin_pipe else inp, stdout=out, stderr=err,
                             env=environment, cwd=cwd or tmp_path, preexec_fn=_caps(memory, close_stdin))
        killed = []
        timer = threading.Timer(timeout, lambda: (killed.append(1), p.kill()))
        timer.start()
        try:
            _, status = os.waitpid(p.pid, 0)
        finally:
            timer.cancel()
            if p.stdin:
                p.stdin.close()
        p.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Result(p.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                      elapsed, bool(killed))


STARTER_ID = "starter"


def starter(folder) -> Path:
    """`balcony new`'s starter scenario, written to folder/starter.yaml."""
    from engine.tools.starter import render
    path = Path(folder) / f"{STARTER_ID}.yaml"
    path.write_text(render(STARTER_ID), encoding="utf-8")
    return path


__all__ = ["REPO", "Result", "run_cli", "starter", "MEMORY_CAP"]
