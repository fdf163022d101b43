"""The interface's own strings through gettext (issue 14).

- the template (game/locale/balcony.pot) is what Babel extracts from game/ and engine/ today;
- no player-facing literal reaches a drawing, printing or speaking call in game/ without `_()`;
- the shipped Welsh catalog: no stale string, placeholders kept, plural forms, marked as unreviewed;
- the terminal and (one targeted render) the window show Welsh, English per string where it is missing.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from game import i18n

REPO = Path(__file__).resolve().parents[2]


def _catalog(name):
    with open(REPO / "game" / "locale" / name, "rb") as f:
        return read_po(f)


def _ids(cat) -> set:
    return {m.id for m in cat if m.id}


# ---- the template is current -------------------------------------------------------------------------------------

def test_the_template_is_what_babel_extracts_today():
    source = _ids(i18n.extract())
    assert len(source) >= 300
    assert "Go to the balcony" in source            # an engine label, marked with N_ in engine/runtime.py
    assert ("{n} balcony reading", "{n} balcony readings") in source  # a plural, through ngettext
    pot = _ids(_catalog("balcony.pot"))
    assert pot == source, ("game/locale/balcony.pot is stale: run `make pot` (python -m game.i18n update); "
                           f"missing {sorted(map(str, source - pot))[:5]}, gone {sorted(map(str, pot - source))[:5]}")


# ---- no untranslated literal in the interface --------------------------------------------------------------------

#: The front-end files whose strings the player reads (test tools: pilot, twin, autoplay, shots, are not).
SCANNED = ["game/textui.py", "game/commands/play.py", "game/debrief/screen.py", "game/debrief/text.py", "game/debrief/wcharts.py",
           "game/debrief/charts.py", "game/debrief/report.py",
           *sorted(str(p.relative_to(REPO)) for p in (REPO / "game" / "window").rglob("*.py")
                   if p.name not in ("pilot.py", "twin.py", "autoplay.py", "shots.py"))]

#: Calls that show, print or speak text, and which of their arguments are not text (ids, sizes, key caps).
SINKS = {
    "say": (), "para": (1, 2), "rule": (), "print": (), "prompt": (), "line": (), "heading": (),
    "text": ("*", 0), "paragraph": ("*", 0), "toast": (1,), "speak": (), "draw_screen_header": (0,),
    "draw_footer_hint": (0,), "fail": (), "draw_chip": ("*", 1), "MessageScreen": (0,), "Button": (0,), "ScrollArea": (0,),
    "sentences": (), "Card": (0,), "_Option": (0, 3, 4), "AnswerBox": (0, 1, 3), "Exception": (),
    # the HTML report's matplotlib charts (game/debrief/charts.py): titles, axis labels, series' labels
    "set_title": (), "set_xlabel": (), "set_ylabel": (), "_svg": (0,), "plot": (0, 1), "barh": (0, 1),
    "vlines": (0, 1, 2), "hlines": (0, 1, 2), "legend": (),
}
#: Keyword arguments that are never shown as text.
NOT_TEXT = {"key_hint", "icon", "size", "kind", "file", "anchor", "weight", "end", "sep",
            "loc", "color", "linestyle", "linestyles", "marker", "hatch", "edgecolor", "markeredgecolor", "ha", "va",
            "fontsize", "handles", "bbox_to_anchor", "frameon", "ncol", "alpha", "linewidth", "markersize", "height"}
#: Literals that are not words to translate: the game's and the fonts' names.
ALLOWED = {"Balcony", "Atkinson Hyperlegible", "OpenDyslexic", "balcony: "}
MARKERS = {"_", "N_", "ngettext"}
WORDY = re.compile(r"[A-Za-z]{3,}|\b[A-Z][a-z]\b")


def _call_name(node) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _literals(node):
    """The string literals that end up in the text `node` builds, not counting those inside _(), N_(),
    ngettext() or any other function call (whose result is a value, not a literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        for v in node.values:
            yield from _literals(v)
    elif isinstance(node, ast.FormattedValue):
        yield from _literals(node.value)
    elif isinstance(node, ast.BinOp):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            yield from _literals(v)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for v in node.elts:
            yield from _literals(v)
    elif isinstance(node, ast.Call) and _call_name(node) not in MARKERS and isinstance(node.func, ast.Attribute):
        yield from _literals(node.func.value)       # "text {x}".format(...), "...".upper(), " · ".join(...)
        if node.func.attr == "join":
            for a in node.args:
                yield from _literals(a)
    elif isinstance(node, (ast.GeneratorExp, ast.ListComp)):
        yield from _literals(node.elt)


def untranslated(source: str, filename: str = "<src>") -> list:
    """(line, literal) for every player-facing literal that does not go through gettext."""
    tree = ast.parse(source)
    found = []

    def check(expr):
        for lit in _literals(expr):
            if WORDY.search(lit.value) and lit.value not in ALLOWED:
                found.append((lit.lineno, lit.value))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in SINKS:
            skip = SINKS[_call_name(node)]
            only = skip[1] if skip[:1] == ("*",) else None
            for i, a in enumerate(node.args):
                if (only is None and i not in skip) or i == only:
                    check(a)
            for kw in node.keywords:
                if kw.arg not in NOT_TEXT and only is None:
                    check(kw.value)
        elif isinstance(node, ast.Assign):      # title = "...", self.error = "...", note = "..."
            for target in node.targets:
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in ("title", "error", "note", "caption", "label", "hint", "head", "heading", "detail", "why",
                            "word", "text", "message", "status", "subtitle", "line", "seen", "mins"):
                    check(node.value)
    return found


def test_the_scan_catches_a_plain_literal_and_passes_a_translated_one():
    bad = 'ctx.text("Attention left", (0, 0))\nself.say(f"There is no choice {n}")\n' \
          'b = Button("ok", "Go on", detail="Costs " + str(n))\nclass S:\n    title = "Paused"\n'
    assert [v for _l, v in untranslated(bad)] == ["Attention left", "There is no choice ", "Go on", "Costs ", "Paused"]
    good = 'ctx.text(_("Attention left"), (0, 0))\nself.say(_("There is no choice {n}").format(n=n))\n' \
           'b = Button("ok", _("Go on"), key_hint="Enter", detail=ngettext("a {n}", "b {n}", n).format(n=n))\n' \
           'class S:\n    title = N_("Paused")\nctx.text(get(s, "name", ""), (0, 0))\nctx.text("Balcony", (0, 0))\n'
    assert untranslated(good) == []
    chart = 'ax.set_title("Stances")\nax.plot(x, y, color="#000", linestyle="none", label="you")\n'
    assert [v for _l, v in untranslated(chart)] == ["Stances", "you"]
    assert untranslated('ax.set_title(tr(N_("Stances")))\nax.plot(x, y, linestyle="none", label=tr(N_("you")))\n') == []


@pytest.mark.parametrize("path", SCANNED)
def test_no_player_facing_literal_bypasses_gettext(path):
    found = untranslated((REPO / path).read_text(encoding="utf-8"), path)
    assert not found, (f"{path}: wrap these in _() (or N_() where the string is shown later), then `make pot`: "
                       + "; ".join(f"line {ln}: {v!r}" for ln, v in found[:8]))


def test_no_function_shadows_the_gettext_function():
    """`for _ in ...` in a function that also calls _() makes _ local there: UnboundLocalError at run time."""
    for path in SCANNED:
        for fn in ast.walk(ast.parse((REPO / path).read_text(encoding="utf-8"))):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stores = [n.lineno for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == "_"
                          and isinstance(n.ctx, ast.Store)]
                calls = any(isinstance(n, ast.Call) and _call_name(n) == "_" for n in ast.walk(fn))
                assert not (stores and calls), f"{path}:{stores[0]}: '_' is assigned in {fn.name}, which calls _()"


# ---- the Welsh catalog --------------------------------------------------------------------------------------------

def _placeholders(text: str) -> set:
    return set(re.findall(r"\{(\w*)\}", text))


def test_welsh_is_current_keeps_placeholders_and_says_it_is_unreviewed():
    source = _ids(i18n.extract())
    cy = _catalog("cy.po")
    assert _ids(cy) <= source, "cy.po holds strings the code no longer has: run `make pot`"
    header = (REPO / "game" / "locale" / "cy.po").read_text(encoding="utf-8").split("msgid", 1)[0]
    assert "machine-assisted" in header and "not reviewed" in header
    done = 0
    for m in cy:
        if not m.id or not m.string or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        for f in forms:
            if f:
                assert _placeholders(f) <= set().union(*map(_placeholders, ids)), (m.id, f)
                assert _placeholders(ids[0]) - {"n"} <= _placeholders(f), (m.id, f)
        done += 1
    assert done >= 0.9 * len(source), f"only {done} of {len(source)} strings are translated"


def test_gettext_picks_the_language_plural_forms_and_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("BALCONY_LANG", "cy")
    i18n.set_language(None)
    try:
        assert i18n._("Your choices:") == "Eich dewisiadau:"
        assert i18n._("a string nobody translated") == "a string nobody translated"
        # Welsh has six plural forms (0, 1, 2, 3, 6, other): each count picks its own
        # (after 2 a Welsh noun mutates: "2 benderfyniad"; after 3 and 6 it takes the aspirate: "3 phenderfyniad")
        forms = {n: i18n.ngettext("you ({n} decision)", "you ({n} decisions)", n) for n in (0, 1, 2, 3, 6, 25)}
        assert len(set(forms.values())) == 3 and all("{n}" in f for f in forms.values())
        assert forms[2] != forms[1] and forms[3] == forms[6] != forms[25] and "decision" not in forms[25]
        i18n.set_language("fr")                 # no catalog: English
        assert i18n._("Your choices:") == "Your choices:"
        assert i18n.ngettext("about {n} minute", "about {n} minutes", 2) == "about {n} minutes"
    finally:
        monkeypatch.delenv("BALCONY_LANG")
        i18n.set_language(None)
    assert i18n._("Your choices:") == "Your choices:"
    assert "cy" in i18n.available()


def test_texts_the_run_wrote_in_english_are_shown_in_the_interface_language():
    from engine.runtime import CAUSE_DECISION, PHASE_TEXT
    i18n.set_language("cy")
    try:
        cause = CAUSE_DECISION.format(when="2012 Q3", what="\u201cFund the hub\u201d")
        shown = i18n.engine_text(cause)
        assert shown != cause and "2012 Q3" in shown and "\u201cFund the hub\u201d" in shown
        assert "Delivery" in i18n.engine_text(PHASE_TEXT.format(name="Delivery"))
        assert i18n.engine_text("Something the author wrote.") == "Something the author wrote."
    finally:
        i18n.set_language(None)
    assert i18n.engine_text(cause) == cause


def _finished_tutorial():
    from engine import Run, load_scenario
    from tests.engine.helpers import play_all
    run = Run(load_scenario(str(REPO / "scenarios" / "tutorial.yaml")), seed=4)
    play_all(run, lambda run, snap: snap.available_choices[-1].index)
    return run


def test_the_engine_words_why_an_ending_through_the_translator_it_is_given():
    from engine.debrief.why import build_why
    from engine.endings import explain
    run = _finished_tutorial()
    english = explain(run.scenario, run.state).lines()
    assert english == list(run.snapshot().ending.why)             # the default is the engine's English
    marked = explain(run.scenario, run.state, lambda m: "«" + m + "»").lines(lambda m: "«" + m + "»")
    assert all(line.startswith("«") for line in marked)       # every template went through the translator
    i18n.set_language("cy")
    try:
        welsh = i18n.ending_why(run, english)
        why = build_why(run.scenario, run, i18n._)
    finally:
        i18n.set_language(None)
    title = run.snapshot().ending.title
    assert welsh != tuple(english) and title in welsh[0] and "ends a run with" not in " ".join(welsh)
    assert why.summary.startswith(welsh[0]) and "strategic triangle" not in why.summary
    assert i18n.ending_why(run, english) == tuple(english)       # English again: the engine's own lines


def test_the_debrief_words_its_gap_and_better_path_in_the_interface_language():
    from engine.debrief import build_from_run
    run = _finished_tutorial()
    english = build_from_run(run)
    i18n.set_language("cy")
    try:
        welsh = build_from_run(run, i18n._)
    finally:
        i18n.set_language(None)
    assert english.gap.summary.startswith("At the end the widest gap") and "moments where" in english.gap.summary
    assert welsh.gap.summary != english.gap.summary and "widest gap" not in welsh.gap.summary
    assert [m.distance for m in welsh.gap.moments] == [m.distance for m in english.gap.moments]  # same facts
    assert "in fact" not in " ".join(m.text for m in welsh.gap.moments)
    assert welsh.better.summary != english.better.summary and "Had you chosen" not in welsh.better.summary
    assert welsh.pattern.reading != english.pattern.reading  # the other sections too: tests/window/test_debrief_i18n.py
    assert [u.count for u in welsh.pattern.dimensions] == [u.count for u in english.pattern.dimensions]


def test_text_to_speech_speaks_in_the_interface_language(monkeypatch):
    from game.window import tts
    calls = []

    class Proc:
        stdin = type("S", (), {"write": lambda self, b: None, "close": lambda self: None})()

        def poll(self):
            return 0

    monkeypatch.setattr(tts.subprocess, "Popen", lambda args, **kw: calls.append(args) or Proc())
    monkeypatch.setattr(tts.shutil, "which", lambda c: "/usr/bin/" + c)
    speaker = tts.Speaker(command="espeak-ng")
    try:
        i18n.set_language("cy")
        speaker.say(i18n._("Resume"))
        i18n.set_language("fr")                  # no interface catalog: the default voice
        speaker.say("Resume")
    finally:
        i18n.set_language(None)
    assert calls[0][calls[0].index("-v") + 1] == "cy" and "-v" not in calls[1]


# ---- end to end: the terminal and the window -----------------------------------------------------------------------

def test_the_terminal_speaks_welsh_with_lang(tmp_path):
    from tests.engine.helpers import TUTORIAL, cli_env
    r = subprocess.run([sys.executable, "-m", "game", "play", str(TUTORIAL), "--text", "--seed", "1",
                        "--no-autosave", "--lang", "cy"], input="o\nb\nb\n?\n", capture_output=True, text=True,
                       env=cli_env(tmp_path), timeout=60, cwd=REPO)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    i18n.set_language("cy")
    try:
        from game.textui import HELP
        for english in ("Whom? Type o and a number from the room, for example: o 1", "From the balcony",
                        "You have already been to the balcony this quarter", "Supportive", "Your choices:", HELP,
                        "trust"):
            assert i18n._(english) != english and i18n._(english) in out, english
            assert english not in out.replace("From the balcony the pattern", ""), english  # (scenario text)
    finally:
        i18n.set_language(None)
    # the scenario has no Welsh translation: it plays as written, and says so once
    assert "Hartley Vale" in out and "tutorial.cy.po" in r.stderr


@pytest.mark.skipif(not (REPO / "scenarios" / "integrated-care.yaml").exists(), reason="no scenario")
def test_the_window_in_welsh_at_the_largest_text_dyslexia_font_and_1024x600(tmp_path, monkeypatch):
    """One sweep of every screen in Welsh, at the hardest setting for longer strings: the layout checks
    (no text outside its panel, none cut without a scrollbar, no word broken, no overlap) hold on each. The
    Welsh is really drawn: strings of the play, pause and saves screens are read back from the frames."""
    from dataclasses import replace

    from game.window.backend import EngineBackend
    from game.window.settings import TEXT_SCALES, Settings

    from . import test_sweep
    from .helpers import make_app

    drawn = set()
    check = test_sweep.check_layout

    def check_and_keep(app, where, *a, **k):
        check(app, where, *a, **k)
        drawn.update(t[0] for t in app.layout_log.texts)

    monkeypatch.setattr(test_sweep, "check_layout", check_and_keep)
    i18n.set_language("cy")
    try:
        settings = replace(Settings(), reduced_motion=True, text_scale=len(TEXT_SCALES) - 1, font="dyslexic")
        app = make_app(tmp_path, size=(1024, 600), backend=EngineBackend(), settings=settings, record_layout=True)
        app.seed = 7
        seen = test_sweep.sweep(app, "cy-1024x600-largest-dyslexic", keyboard=False)
        assert "play" in seen and "ending" in seen and "saves-load" in seen
        for english in ("PERCEIVE", "Resume", "Load a game", "Choose a scenario", "Save your game"):
            welsh = i18n._(english)
            assert welsh != english and any(welsh in t for t in drawn), english
            assert not any(t == english for t in drawn), english
    finally:
        i18n.set_language(None)
