"""Malformed input through the real CLI: `python -m game validate FILE` exits 2 within seconds,
with a file:line:column diagnostic, no traceback, no code executed, under a memory cap."""
from __future__ import annotations

import re
import resource
import time

import pytest

from .helpers import BASE, balcony, dump, merge

MEMORY_CAP = 1024 ** 3  # 1 GB of address space
TIME_LIMIT = 20.0       # seconds: a hang guard, not a timing (each case takes under 1 s; a shared 2-core machine can take 7)


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _bomb(levels=9):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijklmnop"[:levels - 1]:
        lines.append(f"{c}: &{c} [" + ",".join(["*" + prev] * 9) + "]")
        prev = c
    return ("\n".join(lines) + "\n").encode()


CASES = {
    "empty": (b"", "BAL003"),
    "whitespace": (b"  \n\n\t\n", "BAL003"),
    "not utf-8": (b"balcony: 1\nid: caf\xe9\n", "BAL002"),
    "utf-16": ("balcony: 1\nid: x\n".encode("utf-16"), "BAL002"),
    "binary": (bytes(range(256)) * 4, "BAL002"),
    "a list": (b"- balcony\n- 1\n", "BAL003"),
    "a number": (b"42\n", "BAL003"),
    "null": (b"null\n", "BAL003"),
    "yaml syntax": (b"balcony: 1\nid: [1, 2\ntitle: x\n", "BAL001"),
    "unclosed quote": (b'balcony: 1\ntitle: "never closed\n', "BAL001"),
    "tabs": (b"balcony: 1\nmeters:\n\toutcomes: {range: [0, 1], start: 0}\n", "BAL001"),
    "alias bomb": (_bomb(9), "BAL005"),
    "wide alias bomb": (b"a: &a [" + b",".join([b'"x"'] * 2000) + b"]\nb: [" + b",".join([b"*a"] * 2000) + b"]\n", "BAL005"),
    "deep flow nesting": (b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "BAL005"),
    "deep block nesting": (b"".join(b" " * i + b"k%d:\n" % i for i in range(3000)), "BAL005"),
    "deep sequence nesting": (b"- " * 50_000 + b"x\n", "BAL005"),
    "huge file": (b"# " + b"x" * 100 + b"\n" * 0 + b"\n", None),  # replaced below by a 7 MB file
    "python tag": (b"balcony: 1\nid: !!python/object/apply:os.system ['touch PWNED']\n", "BAL006"),
    "python name": (b"balcony: 1\nid: !!python/name:os.system\n", "BAL006"),
    "python module": (b"balcony: 1\nid: !!python/module:os\n", "BAL006"),
    "python object new": (b"!!python/object/new:os.system [touch PWNED]\n", "BAL006"),
    "custom tag": (b"balcony: 1\nid: !include other.yaml\n", "BAL006"),
    "merge key": (b"a: &a {x: 1}\nb:\n  <<: *a\n", "BAL006"),
    "duplicate keys": (b"balcony: 1\nbalcony: 1\n", "BAL004"),
    "huge integer": (b"balcony: " + b"9" * 5000 + b"\n", "BAL012"),
    "nan": (b"balcony: .nan\n", "BAL012"),
    "many documents": (b"balcony: 1\n---\nbalcony: 2\n", "BAL001"),
    "a directory": (None, "BAL007"),
    "missing file": (None, "BAL007"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_input_exits_2_quickly_with_a_positioned_diagnostic(tmp_path, case):
    content, code = CASES[case]
    target = tmp_path / "bad.yaml"
    if case == "huge file":
        target.write_bytes((b"# " + b"x" * 98 + b"\n") * (7 * 1024 * 1024 // 100))
        code = "BAL005"
    elif case == "a directory":
        target = tmp_path
    elif case == "missing file":
        target = tmp_path / "nope.yaml"
    else:
        target.write_bytes(content)
    start = time.monotonic()
    r = balcony(tmp_path, "validate", target, preexec_fn=_cap_memory, cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - start
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert elapsed < TIME_LIMIT, f"{case} took {elapsed:.1f} s"
    assert "Traceback" not in r.stdout + r.stderr and "Error:" not in r.stderr.replace("error(s)", "")
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert lines, r.stderr
    found = [re.match(r"^(.+):(\d+):(\d+): (BAL\d{3}) (error|warning): .+", ln) for ln in lines]
    assert all(found), lines
    assert all(int(m.group(2)) >= 1 and int(m.group(3)) >= 1 for m in found)
    assert case == "a directory" or all(m.group(1).endswith(target.name) for m in found)
    assert code in {m.group(4) for m in found}, r.stdout
    assert not (tmp_path / "PWNED").exists()


def test_valid_file_exits_0_and_json_output(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text(dump(BASE))
    r = balcony(tmp_path, "validate", p, preexec_fn=_cap_memory)
    assert r.returncode == 0 and r.stdout == "" and "Traceback" not in r.stderr
    r = balcony(tmp_path, "validate", "--json", p, tmp_path / "missing.yaml")
    assert r.returncode == 2
    import json
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["errors"] == 1 and out["diagnostics"][0]["code"] == "BAL007"


def test_warnings_alone_exit_0(tmp_path):
    p = tmp_path / "warn.yaml"
    p.write_text(dump(merge(BASE, {"scenes": {"island": {"speaker": "narrator", "text": "x",
                                                         "choices": [{"text": "a", "goto": "end"}]}}})))
    r = balcony(tmp_path, "validate", p)
    assert r.returncode == 0 and "BAL031 warning" in r.stdout


def test_several_files_report_every_diagnostic(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("balcony: 1\nbalcony: 2\n")
    b.write_bytes(b"\xff")
    r = balcony(tmp_path, "validate", a, b)
    assert r.returncode == 2
    assert "a.yaml:2:1: BAL004" in r.stdout and "b.yaml:1:1: BAL002" in r.stdout


def test_bad_usage_exits_2_without_a_traceback(tmp_path):
    r = balcony(tmp_path, "validate")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "usage" in r.stderr
    r = balcony(tmp_path, "no-such-command")
    assert r.returncode == 2 and "Traceback" not in r.stderr
