"""Every example in docs/authoring.md is checked by what it claims, as its mark says (tests/tools/guide.py reads
the marks). Each fenced block carries one, or this test fails:

- `tutorial`: a step of the tutorial, followed as written, in order, by test_tutorial.py;
- `shape`: the outline of a scenario: its keys are the language's top-level keys, all of them;
- `fragment`: a piece of a scenario, embedded in tests/tools/data/guide_base.yaml (its sections merged in:
  a mapping by key, a list by id; `replace: [SECTION]` replaces a section instead, `under: SECTION` says the
  block is that section's items, `start: SCENE` starts the story there, `files: {NAME: TEXT}` writes
  included files beside it), then loaded, validated with no diagnostic at all, and played: explored, with
  no dead end, error or endless run, every scene of the fragment reached; a fragment of invariants is also
  proved, a persona's played;
- `excerpt`: lines copied from a shipped scenario (`of: FILE`), found there as written;
- `shell`: each line a `balcony` command, run in a folder that holds the tutorial's finished scenario
  (riverside.yaml), a transcript of it (run.json) and a translation file (riverside.cy.po), with the exit
  status `status` (default 0);
- `output` and `diagnostic`: a recipe, applied to the starter of `balcony new riverside` (`in: starter`,
  the default) or to the tutorial's scenario (`in: riverside`, as it stands at the end, or after `step: N`): `replace: {OLD: NEW}` (the first
  OLD, which must be there), `append: TEXT`, `text: TEXT` (the whole file), `files: {NAME: TEXT}`, `encoding: latin-1`; then `run:` a
  command, or a list run in order (default `balcony validate riverside.yaml`). An `output` block is what the command prints (times
  and counts of a timed walk aside); a `diagnostic` mark's `says:` is a message the command prints with its
  `code`, and the guide's paragraph after the mark quotes it.

Besides, every `balcony ...` code span in the prose is run (placeholders such as FILE filled in from
PLACEHOLDERS, optional `[...]` parts included), after its options are checked against the command's --help;
and every diagnostic code has a `diagnostic` mark."""
from __future__ import annotations

import contextlib
import copy
import io
import os
import re
from pathlib import Path

import pytest
import yaml

from engine import Run, check_file, load_scenario
from engine import schema as S
from engine.diagnostics import CODES
from engine.tools.explore import explore
from engine.tools.invariants import check_invariants, parse_invariants
from engine.tools.personas import all_personas

from . import guide
from .helpers import REPO

ITEMS = guide.items()
BLOCKS = [it for it in ITEMS if it.lang is not None]
BASE = yaml.safe_load((Path(__file__).parent / "data" / "guide_base.yaml").read_text(encoding="utf-8"))
TUTORIAL = guide.GUIDE.index("## Tutorial"), guide.GUIDE.index("## The shape of a scenario")

#: Inline commands that would open a window: none are run (the guide's windowed commands are listed here).
OPENS_A_WINDOW: set = set()
#: Inline spans that name an option rather than give a command line: their options are checked, not run.
NOT_A_COMMAND_LINE = {"balcony report --answers": "names report's option for a reflection answers file"}
#: Exit statuses other than 0 or 1 that an inline command is meant to give.
STATUS = {"balcony validate rivreside.yaml": 2}  # BAL007's example: a misspelt file name
#: What the placeholders of the guide's command lines stand for, replaced in this order.
PLACEHOLDERS = [
    ("--set NAME=VALUE", "--set political=20"), ("--persona NAME", "--persona hero"), ("-o FILE", "-o out.json"),
    ("FILE...", "riverside.yaml riverside.yaml"), ("FILE.json", "run.json"), ("OUT.svg", "out.svg"),
    ("TRANSCRIPT", "run.json"), ("SCENARIO", "riverside.yaml"), ("FILE", "riverside.yaml"), ("SCENE", "decision"),
    ("NAME", "scratch"), ("--runs N", "--runs 20"), ("--jobs N", "--jobs 1"), ("--seed S", "--seed 1"),
    ("LANG", "cy"), ("-o OUT", "-o out.po"), ("ENDING", "good_start"), ("DIR", "out"),
]
CHOICES = "1\n" * 80  # what a scripted player types into `play --text`


# --- running the command in this process ------------------------------------------------------------------

def run_cli(line: str, cwd: Path) -> tuple:
    """Run a `balcony ...` line in `cwd`; (status, stdout + stderr)."""
    from game.cli import main

    argv = _split(line)
    assert argv[0] == "balcony", line
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    stdin = __import__("sys").stdin
    try:
        os.chdir(cwd)
        __import__("sys").stdin = io.StringIO(CHOICES)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv[1:])
            except SystemExit as e:
                code = e.code
    finally:
        os.chdir(old)
        __import__("sys").stdin = stdin
        from game import i18n
        i18n.set_language(None)  # `play --lang cy` chose Welsh for this process's interface: back to the default
    return code, out.getvalue() + err.getvalue()


def _split(line):
    import shlex
    return shlex.split(line)


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BALCONY_DATA_DIR", str(d / "data"))
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(d / "config"))


def finished_riverside(folder: Path, step_done: int = 10) -> Path:
    """The tutorial's scenario as it stands at the end of the tutorial (or of step `step_done`), built from the
    guide's own blocks."""
    from .test_tutorial import blocks, step

    code, out = run_cli("balcony new riverside", folder)
    assert code == 0, out
    path = folder / "riverside.yaml"
    text = path.read_text(encoding="utf-8")
    a, b = text.index("  first_meeting:"), text.index("# --- How the run is judged")
    text = text[:a] + blocks(step(4), "yaml")[0] + text[b:]
    if step_done >= 8:
        old, new = blocks(step(8), "yaml")
        text = text.replace(old.rstrip("\n"), new.rstrip("\n"))
    if step_done >= 9:
        invariants, event = blocks(step(9), "yaml")
        text += invariants
        i = text.index("# --- The story")
        text = text[:i] + event + text[i:]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder with the tutorial's finished scenario, a transcript of one run of it and a (Welsh) translation
    file for it, none of it translated."""
    d = tmp_path_factory.mktemp("guide")
    mp = pytest.MonkeyPatch()
    mp.setenv("BALCONY_DATA_DIR", str(d / ".data"))
    mp.setenv("BALCONY_CONFIG_DIR", str(d / ".config"))
    finished_riverside(d)
    code, out = run_cli("balcony play riverside.yaml --text --seed 3 --transcript run.json --no-autosave", d)
    assert code == 0 and (d / "run.json").exists(), out
    code, out = run_cli("balcony strings riverside.yaml --lang cy", d)
    assert code == 0 and (d / "riverside.cy.po").exists(), out
    yield d
    mp.undo()


# --- the marks ------------------------------------------------------------------------------------------

KINDS = {"tutorial", "shape", "fragment", "excerpt", "shell", "output", "diagnostic"}


def test_every_block_carries_a_mark_the_test_knows():
    assert len(BLOCKS) >= 45
    unmarked = [f"docs/authoring.md:{b.line} ({b.section})" for b in BLOCKS if not b.kind]
    assert not unmarked, "blocks without a check mark: " + "; ".join(unmarked)
    unknown = [f"docs/authoring.md:{it.line}: {it.kind}" for it in ITEMS if it.kind not in KINDS]
    assert not unknown, unknown
    loose = [f"docs/authoring.md:{it.line}" for it in ITEMS if it.lang is None and it.kind != "diagnostic"]
    assert not loose, f"marks of a kind that needs a block, with none after them: {loose}"


def test_tutorial_marks_are_the_tutorials_blocks():
    """test_tutorial.py follows the tutorial's blocks in order; every block there, and only there, is marked so."""
    for b in BLOCKS:
        pos = guide.GUIDE.index("\n".join(guide.GUIDE.splitlines()[b.line - 1:b.line]))
        inside = TUTORIAL[0] <= pos < TUTORIAL[1]
        assert (b.kind == "tutorial") == inside, f"docs/authoring.md:{b.line}"


def test_every_code_has_a_checked_example():
    marked = {it.opts.get("code") for it in ITEMS if it.kind == "diagnostic"}
    assert set(CODES) <= marked, f"codes without a checked example: {sorted(set(CODES) - marked)}"


@pytest.mark.parametrize("item", [b for b in BLOCKS if b.kind == "shape"], ids=lambda it: it.name)
def test_shape(item):
    keys = [m.group(1) for m in re.finditer(r"^([a-z_]+):", item.body, re.M)]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(S.SCHEMA.fields), (set(keys) ^ set(S.SCHEMA.fields))


@pytest.mark.parametrize("item", [b for b in BLOCKS if b.kind == "excerpt"], ids=lambda it: it.name)
def test_excerpt(item):
    lines = [ln.rstrip() for ln in (REPO / item.opts["of"]).read_text(encoding="utf-8").splitlines()]
    want = [ln.rstrip() for ln in item.body.rstrip("\n").splitlines()]
    assert want[0] in lines  # the section it comes from
    want = want[1:]
    assert any(lines[i:i + len(want)] == want for i in range(len(lines))), item.body


# --- fragments -------------------------------------------------------------------------------------------

def embed(item) -> dict:
    frag = yaml.safe_load(item.body)
    if item.opts.get("under"):
        frag = {item.opts["under"]: frag}
    assert isinstance(frag, dict), "a fragment is a mapping of top-level sections"
    assert set(frag) <= set(S.SCHEMA.fields), f"unknown sections {set(frag) - set(S.SCHEMA.fields)}"
    d = copy.deepcopy(BASE)
    for key, value in frag.items():
        old = d.get(key)
        if key in item.opts.get("replace", ()) or old is None or not isinstance(value, (dict, list)):
            d[key] = value
        elif isinstance(value, dict):
            d[key] = {**old, **value}
        else:
            ids = {x.get("id") for x in value if isinstance(x, dict)}
            d[key] = [x for x in old if not (isinstance(x, dict) and x.get("id") in ids)] + value
    if item.opts.get("start"):
        d["start"] = item.opts["start"]
    _prune(d, set(frag.get("scenes") or {}))
    return d


def _targets(choice) -> set:
    out = set()
    goto = choice.get("goto")
    for g in (goto if isinstance(goto, list) else [{"to": goto}]):
        if isinstance(g, dict) and isinstance(g.get("to"), str):
            out.add(g["to"])
    for oc in choice.get("outcomes") or []:
        if isinstance(oc.get("goto"), str):
            out.add(oc["goto"])
    return out


def _prune(d, keep):
    """Drop the base's scenes that nothing leads to (the fragment's own are kept)."""
    scenes = d["scenes"]
    seen, todo = set(), [d["start"]] + [e["goto"] for e in d.get("events") or [] if e.get("goto")]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in scenes:
            continue
        seen.add(sid)
        for ch in scenes[sid].get("choices") or []:
            todo.extend(_targets(ch))
    d["scenes"] = {k: v for k, v in scenes.items() if k in seen or k in keep}


@pytest.mark.parametrize("item", [b for b in BLOCKS if b.kind == "fragment"], ids=lambda it: it.name)
def test_fragment(item, tmp_path):
    d = embed(item)
    for name, text in (item.opts.get("files") or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), encoding="utf-8")
    sc, diags = check_file(path)
    assert sc is not None and not diags, [x.format() for x in diags]
    res = explore(str(path), seeds=2, time_limit=5.0, sweep=10, steer=False)
    assert not res.findings, [f.message for f in res.findings]
    frag_scenes = set(yaml.safe_load(item.body).get("scenes") or {}) if not item.opts.get("under") else set()
    assert frag_scenes <= res.scenes_reached, frag_scenes - res.scenes_reached
    assert res.runs_ended > 0
    if "invariants" in d:
        invariants, problems = parse_invariants(sc)
        assert not problems and len(invariants) == len(d["invariants"]), [p.format() for p in problems]
        outcomes = check_invariants(sc, invariants, runs=20)
        assert len(outcomes) == len(invariants)
    if item.opts.get("persona"):  # the persona declared plays to an ending
        code, out = run_cli(f"balcony simulate guide.yaml --runs 5 --persona {item.opts['persona']}", tmp_path)
        assert code == 0 and "Endings" in out, out


def test_the_room_example_follows_present_and_cast(tmp_path):
    item = next(b for b in BLOCKS if b.kind == "fragment" and "present:" in b.body)
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(embed(item), sort_keys=False), encoding="utf-8")
    run = Run(load_scenario(path), 3)
    assert [p.id for p in run.snapshot().dance_floor] == ["farmers"]
    assert run.snapshot().speaker.name == "Jo Reed"


# --- commands and their output ---------------------------------------------------------------------------

@pytest.mark.parametrize("item", [b for b in BLOCKS if b.kind == "shell"], ids=lambda it: it.name)
def test_shell(item, workspace):
    want = item.opts.get("status", 0)
    for line in item.body.splitlines():
        line = line.split("  #")[0].strip()
        if not line:
            continue
        assert line.startswith("balcony "), f"not a balcony command: {line}"
        code, out = run_cli(line, workspace)
        assert code == want, f"{line}: exit status {code}\n{out}"


def apply_recipe(opts: dict, folder: Path) -> tuple:
    """Make the scenario the recipe says, run its command; (status, output)."""
    if opts.get("in", "starter") == "riverside":
        path = finished_riverside(folder, opts.get("step", 10))
    else:
        code, out = run_cli("balcony new riverside", folder)
        assert code == 0, out
        path = folder / "riverside.yaml"
    text = opts["text"] if "text" in opts else path.read_text(encoding="utf-8")
    for old, new in (opts.get("replace") or {}).items():
        assert old in text, f"the recipe replaces {old!r}, which the scenario does not contain"
        text = text.replace(old, new, 1)
    text += opts.get("append", "")
    path.write_bytes(text.encode(opts.get("encoding", "utf-8")))
    for name, body in (opts.get("files") or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body, encoding="utf-8")
    commands = opts.get("run", "balcony validate riverside.yaml")
    for line in ([commands] if isinstance(commands, str) else commands):
        code, out = run_cli(line, folder)
    return code, out


def _untimed(text: str) -> str:
    return re.sub(r"in [\d.]+ s", "in T s", text.strip())


@pytest.mark.parametrize("item", [b for b in BLOCKS if b.kind == "output"], ids=lambda it: it.name)
def test_output(item, tmp_path):
    code, out = apply_recipe(item.opts, tmp_path)
    assert code == item.opts.get("status", code)
    shown = [ln.strip() for ln in _untimed(item.body).splitlines()]
    got = [ln.strip() for ln in _untimed(out).splitlines()]
    if item.opts.get("part"):  # the block shows some lines of the output, in order
        it = iter(got)
        missing = [ln for ln in shown if not any(_same(ln, g) for g in it)]
        assert not missing, f"not printed: {missing}\n--- printed:\n{out}"
    else:
        assert got == shown, out


def _same(shown, got):
    """A line as the guide shows it: '...' stands for the rest of a long line."""
    if shown.endswith("...)"):
        return got.startswith(shown[:-4])
    return shown == got


DIAGNOSTICS = [it for it in ITEMS if it.kind == "diagnostic"]


@pytest.mark.parametrize("item", DIAGNOSTICS, ids=lambda it: f"{it.opts.get('code')}-L{it.line}")
def test_diagnostic_example(item, tmp_path):
    code, out = apply_recipe(item.opts, tmp_path)
    says = " ".join(str(item.opts["says"]).split())
    lines = [ln for ln in out.splitlines() if f" {item.opts['code']} " in ln]
    assert lines, f"{item.opts['code']} was not printed:\n{out}"
    assert any(says in ln for ln in lines), f"printed:\n" + "\n".join(lines)
    assert code == item.opts.get("status", 2 if " error: " in lines[0] else code)
    prose = guide.flat(item.after)
    assert guide.flat(says) in prose, f"the guide does not quote the message after its mark: {says}"


# --- command lines in the prose --------------------------------------------------------------------------

INLINE = sorted({c for _, c in guide.inline_commands()})


def concrete(span: str) -> str:
    line = re.sub(r"\[([^\]]*)\]", r"\1", span)
    for old, new in PLACEHOLDERS:
        line = line.replace(old, new)
    return line


@pytest.mark.parametrize("span", INLINE)
def test_inline_command(span, workspace):
    words = span.split()
    if len(words) == 1:
        return  # the command's own name
    code, helptext = run_cli(f"balcony {words[1]} --help", workspace)
    assert code == 0, helptext
    for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", span):
        assert re.search(rf"(?<![\w-]){re.escape(opt)}\b", helptext), f"{opt} is not an option of {words[1]}"
    if len(words) == 2 or span in NOT_A_COMMAND_LINE or span in OPENS_A_WINDOW:
        return
    line = concrete(span)
    assert not re.search(r"\b[A-Z]{2,}\b", line.replace("TRANSCRIPT", "")), f"a placeholder is left: {line}"
    code, out = run_cli(line, workspace)
    assert code == STATUS.get(span, code if code in (0, 1) else 0), f"{line}: exit status {code}\n{out}"
