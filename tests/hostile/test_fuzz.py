"""The mutation fuzzer: random edits of the starter and of every shipped scenario, through `balcony validate`.

Thousands of edits run in this process, through the validate command's own run() (as `python -m game
validate` calls it, minus the interpreter's start-up), and a sample of them through the real command. Nothing
may exit with a status other than 0 (valid) or 2 (diagnostics), and nothing may raise. Every edit is made by
a random.Random seeded from the scenario's name and the edit's number, so a failure names the seed that
reproduces it, and the damaged file is kept for reading.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import random
import re
import traceback
from pathlib import Path

import pytest

from tests.engine.helpers import REPO

from .helpers import TRACEBACK, run_cli, starter

#: (scenario, edits in this process, edits per file). The starter is small (about 2 ms to validate), the
#: shipped scenarios large (30-120 ms), so they get fewer files, each with several edits at once.
PLAN = {
    "starter": (2400, 1),
    "tutorial": (100, 2),
    "troubled-families": (25, 4),
    "integrated-care": (25, 4),
    "total-place": (25, 4),
}
REAL_COMMAND_SAMPLE = 6  # damaged files per scenario also run through `python -m game validate`

TOKENS = [
    "", "null", "~", "[]", "{}", "[", "]", "{", "}", ",", ":", "- ", "? ", "&a ", "*a", "!!python/name:os.system ",
    "!tag ", "'", '"', "\t", "\ufeff", "\u00e9", "\u0663", "\u00b2", "#", "|", ">", "-1", "0", "1.5", "1.0e+400",
    "9" * 60, "1:2:3:4", "0x" + "f" * 50, ".nan", ".inf", "true", "no", "2012-Q1", "2099-Q4", "x" * 500,
    "public_value", "capacit", "legitimacy", "outcomes", "political", "council.trust", "self.trust", "tags.hero",
    "visits.opening", "{if outcomes > 10}", "{end}", "{outcomes}", "__import__('os')", "().__class__", "lambda: 1",
    "1 / 0", "round(1e300 * 1e300)", "min()", "not", "and", "==", "goto: nowhere", "goto: return", "goto: end",
    "if: ", "text: ", "choices: []", "quarters: 100000", "range: [100, 0]", "start: 1000", "fallback: true",
    "includes: [missing.yaml]", "includes: [starter.yaml]",
]
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _typo(word, rnd):
    i = rnd.randrange(len(word))
    kind = rnd.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1 and len(word) > 1:
        j = min(i + 1, len(word) - 1)
        return word[:i] + word[j] + word[i] + word[j + 1:] if j != i else word + "x"
    return word[:i] + rnd.choice("abcdefghijklmnopqrstuvwxyz_.") + word[i:]


def mutate(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    op = rnd.randrange(10)
    i = rnd.randrange(len(lines))
    if op == 0:                                   # delete a line
        del lines[i]
    elif op == 1:                                 # duplicate a line
        lines.insert(i, lines[i])
    elif op == 2 and i + 1 < len(lines):          # swap two lines
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif op == 3:                                 # re-indent a line
        lines[i] = (" " * rnd.choice([0, 1, 2, 4, 8])) + lines[i].lstrip(" ")
    elif op == 4:                                 # misspell a word (keys, ids, names in expressions)
        words = list(_WORD.finditer(lines[i]))
        if words:
            m = rnd.choice(words)
            lines[i] = lines[i][:m.start()] + _typo(m.group(), rnd) + lines[i][m.end():]
    elif op == 5:                                 # replace a number
        nums = list(_NUMBER.finditer(lines[i]))
        if nums:
            m = rnd.choice(nums)
            new = rnd.choice(["-1", "0", "1e400", "9" * 30, "0.5", "100000", "-100000", "1.0e+400", "3"])
            lines[i] = lines[i][:m.start()] + new + lines[i][m.end():]
    elif op == 6 and ": " in lines[i]:            # replace a value
        key, _, _ = lines[i].partition(": ")
        lines[i] = key + ": " + rnd.choice(TOKENS)
    else:                                         # insert a token, or cut a span
        pos = rnd.randrange(len(lines[i]) + 1)
        if rnd.random() < 0.7:
            lines[i] = lines[i][:pos] + rnd.choice(TOKENS) + lines[i][pos:]
        else:
            lines[i] = lines[i][:pos] + lines[i][pos + rnd.randrange(1, 20):]
    return "\n".join(lines)


def _validate_in_process(path) -> tuple[int | None, str]:
    """The validate command's exit status and output, or (None, traceback) if it raised."""
    from game.commands import validate
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = validate.run(argparse.Namespace(files=[str(path)], json=False))
    except BaseException:  # noqa: BLE001 - whatever it is, it is the failure being looked for
        return None, traceback.format_exc()
    return code, out.getvalue()


def _source(name, folder) -> Path:
    return starter(folder) if name == "starter" else REPO / "scenarios" / f"{name}.yaml"


@pytest.mark.parametrize("name", list(PLAN))
def test_random_edits_never_crash_validate(tmp_path, name):
    runs, per_file = PLAN[name]
    source = _source(name, tmp_path)
    original = source.read_text(encoding="utf-8")
    target = tmp_path / f"{name}-damaged.yaml"   # beside the starter, so that includes of it resolve
    failures, sample = [], []
    for n in range(runs):
        rnd = random.Random(f"{name}:{n}")
        text = original
        for _ in range(per_file):
            text = mutate(text, rnd)
        target.write_text(text, encoding="utf-8")
        code, output = _validate_in_process(target)
        if code not in (0, 2):
            kept = tmp_path / f"{name}-failure-{n}.yaml"
            kept.write_text(text, encoding="utf-8")
            failures.append(f"edit {name}:{n} (kept in {kept}): exit {code}\n{output[-1500:]}")
            if len(failures) >= 3:
                break
        elif len(sample) < REAL_COMMAND_SAMPLE and rnd.random() < 0.05:
            kept = tmp_path / f"{name}-sample-{n}.yaml"
            kept.write_text(text, encoding="utf-8")
            sample.append((n, kept, code))
    assert not failures, "\n\n".join(failures)
    for n, path, code in sample:  # the same files through the real command give the same status
        r = run_cli(tmp_path, "validate", path)
        assert r.returncode == code and not TRACEBACK.search(r.text), (f"edit {name}:{n}", r)
