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


USED: set = set()  # (step, language, index) of every block the test below followed


def use(n: int, lang: str = "") -> list:
    """Step n's blocks of a language, noted as followed."""
    found = blocks(step(n), lang)
    USED.update((n, lang, i) for i in range(len(found)))
    return found


def command(capsys, monkeypatch, line: str, stdin: str = "1\n" * 60):
    """A command line of the tutorial, as typed (`balcony ...`), with a player typing 1 at every prompt."""
    import io
    words = line.split()
    assert words[0] == "balcony", line
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli(capsys, *words[1:])


def test_the_tutorial_as_written(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / ".data"))
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / ".config"))
    USED.clear()
    # step 1
    assert use(1)[0].strip() == "balcony new riverside"
    code, out, _ = cli(capsys, "new", "riverside")
    assert code == 0 and out.strip() == use(1)[1].strip()
    path = tmp_path / "riverside.yaml"
    # step 2: the starter plays to an ending in the terminal
    code, out, _ = command(capsys, monkeypatch, use(2)[0].strip())
    assert code == 0 and ("Business as usual" in out or "A good start" in out), out
    # step 4: replace from '  first_meeting:' up to '# --- How the run is judged'
    text = path.read_text()
    new_scenes = use(4, "yaml")[0]
    a, b = text.index("  first_meeting:"), text.index("# --- How the run is judged")
    path.write_text(text[:a] + new_scenes + text[b:])
    code, out, err = cli(capsys, "validate", path.name)
    assert code == 0 and out == "" and err == ""
    # step 5: the deliberate mistake, and what validate says
    good = path.read_text()
    path.write_text(good.replace("goto: data_sharing", "goto: data_shring", 1))
    code, out, err = cli(capsys, "validate", path.name)
    assert use(5)[0].strip() == "balcony validate riverside.yaml"
    expected = use(5)[1].strip().splitlines()
    assert code == 2 and out.strip() == expected[0] and err.strip() == expected[1]
    path.write_text(good)
    # step 6: the map
    line = use(6)[0].strip()
    assert line == "balcony graph riverside.yaml -o riverside.svg"
    import shutil
    if shutil.which("dot") is None:
        line = line.replace(".svg", ".dot")  # the guide's own fallback without Graphviz
    code, out, _ = command(capsys, monkeypatch, line)
    assert code == 0 and (tmp_path / line.split()[-1]).stat().st_size > 0
    # step 7: explore's report, but for the timing
    code, out, _ = command(capsys, monkeypatch, use(7)[0].strip())
    shown = use(7)[1].strip()
    assert code == 0
    assert re.sub(r"in [\d.]+ s", "in T s", out.strip()) == re.sub(r"in [\d.]+ s", "in T s", shown)
    # step 8: about half the random runs do well; then the bar goes up to about a quarter
    code, out, _ = command(capsys, monkeypatch, use(8)[0].strip())
    share = float(re.search(r"A good start\s+good\s+\d+\s+([\d.]+)%", out).group(1))
    assert 40 <= share <= 60
    old, new = use(8, "yaml")
    text = path.read_text()
    assert text.count(old.rstrip("\n")) == 1
    path.write_text(text.replace(old.rstrip("\n"), new.rstrip("\n")))
    code, out, _ = cli(capsys, "simulate", path.name, "--runs", 1000)
    share = float(re.search(r"A good start\s+good\s+\d+\s+([\d.]+)%", out).group(1))
    assert 15 <= share <= 35
    # the personas: the systems leader reaches a good start every time, the hero never
    leader, hero = use(8)[1].strip().splitlines()
    assert leader.endswith("--persona systems-leader") and hero.endswith("--persona hero")
    for line, want in ((leader, "100.0%"), (hero, "0.0%")):
        code, out, _ = command(capsys, monkeypatch, line)
        assert code == 0
        assert re.search(r"A good start\s+good\s+\d+\s+([\d.]+)%", out).group(1) + "%" == want, out
    # step 9: the invariants, a failing check as shown, then the event that fixes it
    invariants, event = use(9, "yaml")
    path.write_text(path.read_text() + invariants)
    code, out, _ = command(capsys, monkeypatch, use(9)[0].strip())
    assert code == 1
    shown = use(9)[1]
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
    # step 10: playing while writing, and starting anywhere with any values
    for block in use(10):
        line = block.strip()
        code, out, _ = command(capsys, monkeypatch, line)
        assert code == 0 and ("A good start" in out or "Business as usual" in out), (line, out)
    # every block of the tutorial was followed
    every = {(n, lang, i) for n in range(1, 11) for lang in ("", "yaml") for i in range(len(blocks(step(n), lang)))}
    assert every == USED, sorted(every - USED)


def test_every_diagnostic_code_is_documented():
    section = GUIDE[GUIDE.index("## Diagnostics"):]
    for code in CODES:
        assert f"**{code}" in section, f"{code} is not documented in docs/authoring.md"
