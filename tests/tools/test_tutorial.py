"""The tutorial in docs/authoring.md, followed exactly as written: its YAML, its commands, its outputs."""
from __future__ import annotations

import re

from engine.diagnostics import CODES

from .helpers import REPO, cli

GUIDE = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")


def step(n: int) -> str:
    start = GUIDE.index(f"### Step {n}:")
    nxt = GUIDE.find("### Step", start + 10)
    return GUIDE[start: nxt if nxt > 0 else GUIDE.index("## The shape of a scenario")]


def blocks(text: str, lang: str = "") -> list:
    """The bodies of the fenced code blocks in `text` whose language is `lang` ("" for none)."""
    out, body, inside = [], [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            if inside is None:
                inside, body = line[3:].strip(), []
            else:
                if inside == lang:
                    out.append("".join(body))
                inside = None
        elif inside is not None:
            body.append(line)
    return out


def test_the_tutorial_as_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # step 1
    assert blocks(step(1))[0].strip() == "balcony new riverside"
    code, out, _ = cli(capsys, "new", "riverside")
    assert code == 0 and out.strip() == blocks(step(1))[1].strip()
    path = tmp_path / "riverside.yaml"
    # step 4: replace from '  first_meeting:' up to '# --- How the run is judged'
    text = path.read_text()
    new_scenes = blocks(step(4), "yaml")[0]
    a, b = text.index("  first_meeting:"), text.index("# --- How the run is judged")
    path.write_text(text[:a] + new_scenes + text[b:])
    code, out, err = cli(capsys, "validate", path.name)
    assert code == 0 and out == "" and err == ""
    # step 5: the deliberate mistake, and what validate says
    good = path.read_text()
    path.write_text(good.replace("goto: data_sharing", "goto: data_shring", 1))
    code, out, err = cli(capsys, "validate", path.name)
    expected = blocks(step(5))[1].strip().splitlines()
    assert code == 2 and out.strip() == expected[0] and err.strip() == expected[1]
    path.write_text(good)
    # step 7: explore's report, but for the timing
    code, out, _ = cli(capsys, "explore", path.name)
    shown = blocks(step(7))[1].strip()
    assert code == 0
    assert re.sub(r"in [\d.]+ s", "in T s", out.strip()) == re.sub(r"in [\d.]+ s", "in T s", shown)
    # step 8: about half the random runs do well; then the bar goes up to about a quarter
    code, out, _ = cli(capsys, "simulate", path.name, "--runs", 1000)
    share = float(re.search(r"A good start\s+good\s+\d+\s+([\d.]+)%", out).group(1))
    assert 40 <= share <= 60
    old, new = blocks(step(8), "yaml")
    text = path.read_text()
    assert text.count(old.rstrip("\n")) == 1
    path.write_text(text.replace(old.rstrip("\n"), new.rstrip("\n")))
    code, out, _ = cli(capsys, "simulate", path.name, "--runs", 1000)
    share = float(re.search(r"A good start\s+good\s+\d+\s+([\d.]+)%", out).group(1))
    assert 15 <= share <= 35
    # step 9: the invariants, a failing check as shown, then the event that fixes it
    invariants, event = blocks(step(9), "yaml")
    path.write_text(path.read_text() + invariants)
    code, out, _ = cli(capsys, "check", path.name)
    assert code == 1
    shown = blocks(step(9))[1]
    for line in shown.strip().splitlines()[:3]:
        assert line.strip() in out, line
    assert (tmp_path / "out" / "check" / "riverside-no_easy_win.json").exists()
    code, out, _ = cli(capsys, "replay", "out/check/riverside-no_easy_win.json", "--scenario", path.name)
    assert code == 0 and "replays exactly" in out
    text = path.read_text()
    i = text.index("# --- The story")
    path.write_text(text[:i] + event + text[i:])
    code, out, _ = cli(capsys, "check", path.name)
    assert code == 0 and "check: all well" in out
    # step 10: starting anywhere, with any values, is accepted
    assert "--start decision --set political=20" in step(10)


def test_every_diagnostic_code_is_documented():
    section = GUIDE[GUIDE.index("## Diagnostics"):]
    for code in CODES:
        assert f"**{code}" in section, f"{code} is not documented in docs/authoring.md"
