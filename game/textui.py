"""The terminal front end: plays a scenario through standard input and output.

It reads one line per action, so it can be scripted:
``printf '1\\n2\\n' | balcony play scenarios/tutorial.yaml --text --seed 3``.
A number picks a choice; `b` goes to the balcony, `l` listens to service users,
`o N` (or `o ID`) holds a one-to-one with the Nth stakeholder in the room; `?` helps.
When output is not a terminal, prompts and decoration are left out so that the
content can be read or diffed as it is.
"""
from __future__ import annotations

import os
import shutil
import sys
import textwrap

from engine import BalconyError, ContentError, ExprRuntimeError, Run, load_scenario, write_save
from engine.loader import UNTITLED_LATER
from engine.replay import apply_action
from engine.saves import atomic_write_json
from engine.views import shown

from .paths import autosave_path
from .i18n import N_, _, ending_why, engine_text

HELP = N_("""Type the number of a choice and press Enter.
  b          go to the balcony (banded readings of what people really do)
  l          listen to service users
  o N        hold a one-to-one with stakeholder N (or: o police)
  r          show the scene again
  q          quit (the game autosaves after every decision)""")



def scenario_error(e: ExprRuntimeError) -> str:
    """A run-time content error, in the player's words: whose fault it is and what to do."""
    text = str(e)
    return _("The scenario has an error (not something you did): {error}. Please tell its author.").format(
        error=text[:1].upper() + text[1:].rstrip("."))

class TextUI:
    def __init__(self, scenario, seed, *, inp=None, out=None, err=None, transcript_path=None,
                 autosave=True, watch_path=None, run=None, lang=None):
        self.scenario = scenario
        self.lang = lang  # the scenario's translation played (--lang): a reload keeps it, and watches its file
        self.seed = seed
        self.inp = inp or sys.stdin
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.interactive = _isatty(self.inp) and _isatty(self.out)
        self.width = min(88, shutil.get_terminal_size((88, 24)).columns) if self.interactive else 78
        self.transcript_path = transcript_path
        self.autosave = autosave
        self.watch_path = watch_path
        self.watch_mtime = _stamp(scenario, watch_path, lang)
        self.run = run or Run(scenario, seed)
        self.room_shown = None          # what the people in the room said when last listed
        self.balcony_text_shown = False

    # --- output helpers -------------------------------------------------------
    def say(self, text=""):
        print(text, file=self.out)

    def para(self, text, indent=""):
        """Print paragraphs: a blank line separates them; single line breaks inside one are soft."""
        for block in text.split("\n\n"):
            joined = " ".join(ln.strip() for ln in block.split("\n") if ln.strip())
            if joined:
                self.say(textwrap.fill(joined, self.width, initial_indent=indent, subsequent_indent=indent))
                self.say()

    def rule(self, title=""):
        if self.interactive:
            self.say(f"── {title} " + "─" * max(0, self.width - len(title) - 4) if title else "─" * self.width)
        elif title:
            self.say(f"[{title}]")

    def prompt(self, text="> "):
        if self.interactive:
            self.out.write(text)
            self.out.flush()

    def read(self):
        return read_line(self.inp)

    # --- the loop -------------------------------------------------------------
    def play(self) -> int:
        shown_scene = None
        while True:
            run = self.run  # a hot reload (--watch) replaces the run
            snap = run.snapshot()
            if snap.status == "outcome":
                self.show_notices(snap)
                try:
                    with run.atomic():
                        run.advance()
                except ExprRuntimeError as e:  # the scenario cannot go on from here: say so, keep what was played
                    self.say(scenario_error(e))
                    self.say(_("The run cannot go on past this point until the scenario is fixed."))
                    self.finish()
                    return 2
                continue
            if snap.status == "ended":
                self.show_ending(snap)
                self.finish()
                return 0
            if shown_scene != (snap.scene_id, snap.decisions):
                self.show_scene(snap)
                shown_scene = (snap.scene_id, snap.decisions)
            self.prompt()
            line = self.read()
            if line is None:
                print(_("(input ended before the run did; the game was autosaved)") if self.autosave else
                      _("(input ended before the run did)"), file=self.err)
                self.finish()
                return 0
            if self.reload_if_changed():
                shown_scene = None
                continue
            if not line:
                continue
            self.handle(line, snap)  # a perception or a bad line shows only what changed

    def handle(self, line, snap):
        try:
            with self.run.atomic():
                self._handle(line, snap)
        except ExprRuntimeError as e:  # a content error met at run time: nothing the player did was applied
            self.say(scenario_error(e))
            self.say(_("Nothing changed: you are where you were before. Try another choice, or q to stop."))

    def _handle(self, line, snap):
        run = self.run
        cmd, _sep, arg = line.partition(" ")
        cmd = cmd.lower()
        try:
            n = number(cmd)
            if n is not None:
                if not 1 <= n <= len(snap.choices):
                    self.say(_("There is no choice {n}: pick 1 to {most}.").format(n=n, most=len(snap.choices)))
                    return
                c = snap.choices[n - 1]
                if not c.available:
                    self.say(_("That choice is not open to you: {reason}").format(reason=c.reason))
                    return
                run.choose(c.index)
                self.save_progress()
            elif cmd in ("b", "balcony", "l", "listen", "o", "one", "one-to-one") and self.refused(cmd, snap):
                return
            elif cmd in ("b", "balcony"):
                run.perceive("balcony")
                self.show_balcony(run.snapshot())
                self.show_changes(run.snapshot())
                self.show_choices(run.snapshot())
            elif cmd in ("l", "listen"):
                before = len(run.snapshot().insights)
                run.perceive("listen")
                self.show_insights(run.snapshot(), before)
                self.show_changes(run.snapshot())
                self.show_choices(run.snapshot())
            elif cmd in ("o", "one", "one-to-one"):
                who = self.pick_stakeholder(arg, snap)
                if who is None:
                    self.say(_("Whom? Type o and a number from the room, for example: o 1"))
                    return
                before = len(run.snapshot().insights)
                run.perceive("one_to_one", who)
                s2 = run.snapshot()
                self.show_insights(s2, before)
                for sid, val in s2.revealed:
                    if sid == who:
                        self.say("  " + _("Their real commitment, as far as you can now tell: {value} out of 100.").format(
                            value=val))
                self.say()
                self.show_changes(s2)
                self.show_choices(s2)
            elif cmd in ("r", "again"):
                self.show_scene(run.snapshot(), everyone=True)
            elif cmd in ("?", "h", "help"):
                self.say(_(HELP))
            elif cmd in ("q", "quit"):
                raise _Quit()
            else:
                self.say(_("'{line}' is not something you can do here. Type ? for help.").format(line=line))
        except ExprRuntimeError:
            raise
        except BalconyError as e:
            msg = _(str(e))
            self.say(msg[0].upper() + msg[1:])

    def refused(self, cmd, snap) -> bool:
        """Say why a perception is not open now (the engine's reason, translated), and return True if it is not."""
        kind = {"b": "balcony", "l": "listen"}.get(cmd[0], "one_to_one")
        for a in snap.perception_actions:
            if a.kind == kind and not a.available:
                self.say(_(a.reason) if a.reason else _("Not available now"))
                return True
        return False

    def pick_stakeholder(self, arg, snap):
        arg = arg.strip()
        if not arg:
            return None
        n = number(arg)
        if n is not None:
            i = n - 1
            return snap.dance_floor[i].id if 0 <= i < len(snap.dance_floor) else None
        ids = [s.id for s in snap.dance_floor]
        return arg if arg in ids else None

    # --- showing --------------------------------------------------------------
    def show_scene(self, snap, everyone=False):
        """The scene; the people in the room only when what they say has changed since it was last shown,
        or when asked (`r`)."""
        self.say()
        self.rule(f"{snap.calendar.label} · {snap.phase.name}")
        if snap.scene_title:
            self.say(snap.scene_title.upper() if self.interactive else snap.scene_title)
        if snap.speaker.id != "narrator":
            self.say(textwrap.fill(f"{snap.speaker.name}, {snap.speaker.role}" + (f" ({snap.speaker.agency})" if snap.speaker.agency else ""), self.width,
                                   subsequent_indent="  "))
        self.say()
        self.para(snap.text)
        self.show_meters(snap)
        room = tuple((s.id, s.says) for s in snap.dance_floor)
        if room and (everyone or room != self.room_shown):
            self.room_shown = room
            if self.interactive:
                self.say(_("In the room:"))
                for i, s in enumerate(snap.dance_floor, 1):
                    self.say(f"  {i}. {s.name} ({s.agency}): {_(s.says)}")
            else:
                self.say(textwrap.fill(_("In the room: ") + "; ".join(f"{i}. {s.name}: {_(s.says)}"
                                                                   for i, s in enumerate(snap.dance_floor, 1)),
                                       self.width, subsequent_indent="  "))
        elif room:
            self.say(_("In the room: as before (r shows everyone again)."))
        if self.interactive:
            acts = [a for a in snap.perception_actions if a.available]
            if acts:
                keys = {"balcony": "b", "listen": "l", "one_to_one": "o N"}
                self.say(textwrap.fill(_("Attention left this quarter: {left}/{most} · {actions}").format(
                    left=snap.attention_left, most=snap.attention_max,
                    actions=" · ".join(f"[{keys[a.kind]}] {_(a.label).lower()}" for a in acts)),
                                       self.width, subsequent_indent="  "))
        self.say()
        self.show_choices(snap, header=False)

    def show_choices(self, snap, header=True):
        """The choices, numbered as the player types them; a locked one with its reason on a line of its own."""
        if header:
            self.say(_("Your choices:"))
        for i, c in enumerate(snap.choices, 1):
            self.say(textwrap.fill(c.text, self.width, initial_indent=f"  {i}. ", subsequent_indent="     "))
            if not c.available:
                self.say(textwrap.fill(_("Not open to you: {reason}").format(reason=c.reason), self.width,
                                       initial_indent="     ", subsequent_indent="     "))
        self.say()

    def show_meters(self, snap):
        """The visible meters, each with what changed it since the numbers were last shown (engine view data)."""
        if not snap.visible_meters:
            return
        rows = {r.id: r for r in snap.changes}
        self.say(textwrap.fill(" · ".join(rows[m.id].text(_) if m.id in rows else f"{m.label}: {m.shown:,}"
                                          for m in snap.visible_meters),
                               self.width, initial_indent="  ", subsequent_indent="  "))

    def show_changes(self, snap):
        """After a perception: what it cost or changed on the visible meters, if anything."""
        for r in snap.changes:
            self.say(textwrap.fill(r.text(_), self.width, initial_indent="  ", subsequent_indent="    "))
        if snap.changes:
            self.say()

    def show_rows(self, rows):
        for r in rows:
            self.say(textwrap.fill(r.text(_), self.width, initial_indent="  ", subsequent_indent="    "))
        if rows:
            self.say()

    def show_balcony(self, snap):
        """The readings, compactly: the balcony's description only on the first visit of the run, one line a
        person, the people in shadow together, the hidden meters in one wrapped paragraph."""
        b = snap.balcony
        self.rule(_("From the balcony"))
        if b.text and not self.balcony_text_shown:
            self.balcony_text_shown = True
            self.para(b.text)
        seen = [r for r in b.readings if not r.hidden]
        if seen:
            # a table: name, then the ranges of trust and of commitment
            trust, commitment = _("trust"), _("commitment")
            col = max(9, len(trust) + 2)
            name_w = min(max(len(r.name) for r in seen), self.width - 17 - col)
            self.say(f"  {'':<{name_w}}  {trust:<{col}}{commitment}")
            for r in seen:
                self.say(f"  {r.name[:name_w]:<{name_w}}  {f'{r.trust[0]}–{r.trust[1]}':<{col}}"
                         f"{r.commitment[0]}–{r.commitment[1]}")
        shadow = [r.name for r in b.readings if r.hidden]
        if shadow:
            self.say(textwrap.fill(_("{names}: in shadow; you cannot make them out from here").format(
                names=", ".join(shadow)), self.width,
                                   initial_indent="  ", subsequent_indent="    "))
        if b.meters:
            self.say(textwrap.fill(_("Somewhere between: {readings}").format(
                readings=" · ".join(f"{m.label} {m.lo:,}–{m.hi:,}" for m in b.meters)),
                                   self.width, initial_indent="  ", subsequent_indent="    "))
        self.say()

    def show_insights(self, snap, before):
        for line in snap.insights[before:]:
            self.para(line, "  ")

    def show_notices(self, snap):
        for n in snap.notices:
            if not n.text and not n.title and not n.rows:
                continue
            if n.kind == "result":
                self.para(n.text)
                if n.rows:
                    self.say(textwrap.fill(n.rows_text(_), self.width, initial_indent="  ", subsequent_indent="    "))
                    self.say()
            elif n.kind == "quarter":
                self.rule(f"{n.title}")
                self.para(n.text)
                self.show_rows(n.rows)
            elif n.kind == "event":
                head = _("Event: {title}").format(title=n.title)
                self.say(head.upper() if self.interactive else head)
                self.para(n.text, "  ")
            elif n.kind == "delayed":
                head = _("Later: {title}").format(title=_(n.title) if n.title == UNTITLED_LATER else n.title)
                self.say(head.upper() if self.interactive else head)
                if n.cause:
                    self.say(textwrap.fill(f"({engine_text(n.cause)})", self.width, initial_indent="  ", subsequent_indent="   "))
                self.para(n.text, "  ")
            else:
                self.para(engine_text(n.text))

    def show_ending(self, snap):
        e = snap.ending
        self.say()
        self.rule(_("The end"))
        self.say(f"{e.title}")
        self.say()
        self.para(e.text)
        if e.triangle:
            self.say(_("The strategic triangle: {scores}").format(scores=" · ".join(
                f"{_(k.replace('_', ' '))} {shown(v)}" for k, v in e.triangle.items())))
            self.say()
        why = ending_why(self.run, e.why)
        if why:
            self.rule(_("Why this ending"))
            for line in why:
                self.para(line)
        self.show_debrief()

    def show_debrief(self):
        """The full debrief (engine.debrief), as text with sparklines; why this ending was shown just before."""
        from engine.debrief import build_from_run

        from .debrief.text import render_text
        self.rule(_("Debrief"))
        try:
            d = build_from_run(self.run, _)
        except Exception as e:  # noqa: BLE001 (the game has ended: a failed debrief must not lose the run)
            self.para(_("The debrief could not be built: {error}").format(error=e))
            return
        if d.why.next_better is not None:
            self.para(d.why.next_better.summary)
        self.out.write(render_text(d, width=self.width, why=False).lstrip("\n"))
        self.say()
        if self.transcript_path:
            self.para(_("To keep it as a report: {command}").format(
                command=f"balcony report {self.transcript_path} -o report.html"))

    # --- persistence ----------------------------------------------------------
    def save_progress(self):
        if self.autosave:
            try:
                write_save(autosave_path(self.scenario.id), self.run, label="Autosave")
            except OSError as e:
                print(_("(could not autosave: {error})").format(error=e), file=self.err)

    def finish(self):
        if self.transcript_path:
            try:
                atomic_write_json(self.transcript_path, self.run.transcript())
            except OSError as e:
                print("balcony: " + _("could not write the transcript: {error}").format(error=e), file=self.err)

    def reload_if_changed(self) -> bool:
        """Hot reload: if the scenario file or a file it includes changed, reload it and replay this run's actions."""
        if not self.watch_path:
            return False
        m = _stamp(self.scenario, self.watch_path, self.lang)
        if m == self.watch_mtime:
            return False
        self.watch_mtime = m
        try:
            scenario = load_scenario(self.watch_path, self.lang)
        except ContentError as e:
            print(_("The scenario changed but has errors; still playing the previous version:"), file=self.err)
            for d in e.diagnostics:
                print("  " + d.format(), file=self.err)
            return False
        run = Run(scenario, self.seed)
        kept, total = 0, len(self.run.actions)
        for action in self.run.actions:
            try:
                apply_action(run, action)
                kept += 1
            except BalconyError:
                break
        if run.status == "outcome":
            run.advance()
        self.scenario, self.run = scenario, run
        self.watch_mtime = _stamp(scenario, self.watch_path, self.lang)  # the new version may include other files
        print(_("(reloaded {file}; replayed {kept} of {total} actions)").format(
            file=self.watch_path, kept=kept, total=total), file=self.err)
        return True


class _Quit(Exception):
    pass


#: The longest input line read; anything beyond it on the same line is read and dropped.
MAX_LINE = 200
_DIGITS = frozenset("0123456789")


def read_line(stream):
    """One line of input, stripped, or None at the end of input (or when there is no input at all: stdin
    closed). The line is read as bytes, at most MAX_LINE of them, and decoded as UTF-8 with replacement, so
    that no byte sequence and no locale can stop the game; the rest of a longer line is dropped."""
    if stream is None:
        return None
    binary = getattr(stream, "buffer", None)
    try:
        if binary is not None:
            raw = binary.readline(MAX_LINE + 1)
            if not raw:
                return None
            chunk = raw
            while len(raw) > MAX_LINE and chunk and not chunk.endswith(b"\n"):
                chunk = binary.readline(64 * 1024)
            return raw[:MAX_LINE].decode("utf-8", "replace").strip()
        try:
            line = stream.readline(MAX_LINE + 1)
        except TypeError:  # a stand-in stream whose readline takes no size
            line = stream.readline()[:MAX_LINE + 1]
        if not line:
            return None
        chunk = line
        while len(line) > MAX_LINE and chunk and not chunk.endswith("\n"):
            chunk = stream.readline(64 * 1024)
        return line[:MAX_LINE].strip()
    except (OSError, ValueError):  # a closed or unreadable stream ends the input
        return None


def number(text: str):
    """The whole number that `text` spells in ASCII digits (at most six of them), else None. Not
    str.isdigit(), which also accepts '\u00b2' and other digits that int() refuses or reads differently."""
    if text and len(text) <= 6 and set(text) <= _DIGITS:
        return int(text)
    return None


def _isatty(f):
    try:
        return f.isatty()
    except (AttributeError, ValueError):
        return False


def _stamp(scenario, path, lang=None):
    """The modification times of the scenario's file, every file it includes and, with `lang`, its translation
    file (for --watch)."""
    files = tuple(getattr(scenario, "files", ()) or ()) or ((path,) if path else ())
    if lang and path:
        from engine.l10n import po_path
        files += (po_path(path, lang),)
    return tuple(_mtime(f) for f in files) if path else None


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns if path else None
    except OSError:
        return None


def play_text(scenario, seed, **kw) -> int:
    ui = TextUI(scenario, seed, **kw)
    try:
        return ui.play()
    except _Quit:
        ui.say(_("You step away. The game was saved after your last decision.") if ui.autosave and ui.run.actions
               else _("You step away."))
        ui.finish()
        return 0
