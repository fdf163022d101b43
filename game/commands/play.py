"""balcony play [SCENARIO]: play in the game window, or in the terminal with --text."""
from __future__ import annotations

import os
import sys

from engine import BalconyError, SaveError, read_metadata, read_save, ContentError
from engine import Run

from ..paths import autosave_path, shipped_scenarios
from .common import fail, load_or_report, resolve_scenario_arg
from ..i18n import _, language, set_language

NAME = "play"
HELP = "play a scenario (the window where there is a display, else the terminal)"


def add_arguments(p):
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="a scenario file or id (default: choose from a list)")
    p.add_argument("--text", action="store_true", help="play in the terminal")
    p.add_argument("--seed", type=int, default=None, help="seed for the run's random events (default: random)")
    p.add_argument("--transcript", metavar="OUT.json", help="write the run's transcript here at the end")
    p.add_argument("--continue", dest="resume", action="store_true", help="resume the autosave of this scenario")
    p.add_argument("--load", metavar="SAVE.json", help="resume a saved game")
    p.add_argument("--watch", action="store_true", help="reload the scenario when its file changes (for authors)")
    p.add_argument("--start", metavar="SCENE", help="start from this scene (for authors)")
    p.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                   help="start with this value, e.g. --set police.trust=70, --set turn=8 or "
                        "--set phase=delivering (repeatable; for authors)")
    p.add_argument("--lang", metavar="LANG", help="play in this language: the interface from game/locale/LANG.po "
                                                  "and the scenario from its translation NAME.LANG.po (see balcony "
                                                  "strings); what either lacks is shown as written")
    p.add_argument("--no-autosave", action="store_true", help="do not autosave after each decision")
    p.add_argument("--autoplay", action="store_true", help="(window) play by itself")
    p.add_argument("--screenshots", metavar="DIR", help="(window) write a PNG of every distinct screen")
    p.add_argument("--fullscreen", action="store_true", help="(window) start full screen")


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _parse_sets(items):
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, not {item!r}")
        v = value.strip().lower()
        if name.strip() == "phase":  # a phase's id, not a number
            out["phase"] = value.strip()
        elif v in ("true", "false"):
            out[name.strip()] = v == "true"
        else:
            try:
                out[name.strip()] = float(v) if "." in v else int(v)
            except ValueError:
                raise ValueError(f"--set {name}: {value!r} is not a number or true/false") from None
    return out


def _choose_scenario_text():
    files = []
    for f in shipped_scenarios():
        try:
            files.append((f, read_metadata(f)))
        except ContentError:
            continue
    if not files:
        return None
    from ..textui import number, read_line
    interactive = sys.stdin is not None and sys.stdin.isatty()
    print(_("Choose a scenario:"))
    for i, (f, m) in enumerate(files, 1):
        years = "-".join(str(y) for y in m["years"])
        print(f"  {i}. {m['title']} ({m['place']}, {years})")
    while True:
        if interactive:
            sys.stdout.write("> ")
            sys.stdout.flush()
        line = read_line(sys.stdin)
        if line is None:
            return None
        n = number(line)
        if n is not None and 1 <= n <= len(files):
            return files[n - 1][0]
        print(_("Type a number from 1 to {most}.").format(most=len(files)))


def _clean_temporaries() -> None:
    """Temporary files left by a Balcony killed while it saved (the saves themselves are always whole)."""
    from engine.saves import remove_stale_temporaries
    import platformdirs
    folder = os.path.join(os.environ.get("BALCONY_DATA_DIR") or platformdirs.user_data_dir("balcony", appauthor=False),
                          "saves")  # as game.paths.autosave_path, without creating the folder
    try:
        remove_stale_temporaries(folder)
    except OSError:
        pass


def run(args) -> int:
    _clean_temporaries()
    try:
        overrides = _parse_sets(args.set)
    except ValueError as e:
        return fail(str(e))
    window = not args.text
    notice = None
    if args.lang:  # the interface too, and the window's scenario (game.i18n.language)
        set_language(args.lang)
    if window and not (_has_display() or args.autoplay or args.screenshots):
        window, notice = False, _("No display found, so Balcony starts in the terminal (use --text to choose this "
                                  "yourself).")
    if window:
        try:
            from ..window import run_window  # noqa: F401
        except ImportError as e:
            window, notice = False, _("The game window is not available ({error}), so Balcony starts in the "
                                      "terminal.").format(error=e)
    if window:
        from ..window import run_window
        path = resolve_scenario_arg(args.scenario)
        return run_window(str(path) if path else None, args.seed, watch=args.watch, autoplay=args.autoplay,
                          screenshots=args.screenshots, fullscreen=args.fullscreen)
    if notice:
        print(notice, file=sys.stderr)
    path = resolve_scenario_arg(args.scenario)
    if path is None:
        path = _choose_scenario_text()
        if path is None:
            return fail(_("no scenario chosen"))
    from engine.l10n import po_path
    lang = args.lang
    if not lang:  # the interface's language (BALCONY_LANG, LANGUAGE): the scenario's too, where it has a
        env_lang = language()  # translation into it, as in the window (game/window/backend.py); else as written
        if env_lang and os.path.isfile(po_path(str(path), env_lang)):
            lang = env_lang
    else:
        if not os.path.isfile(po_path(str(path), lang)):
            # the interface is translated string by string; a scenario without a translation plays as written,
            # as the window does (game/window/backend.py)
            print(_("The scenario has no translation into '{lang}' ({file}): its texts are shown as written. "
                    "Make one with 'balcony strings {scenario} --lang {lang}'.").format(
                lang=lang, file=os.path.basename(po_path(str(path), lang)), scenario=os.path.basename(str(path))),
                  file=sys.stderr)
            lang = None
    scenario = load_or_report(path, lang=lang)
    if scenario is None:
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
    resume = None
    if args.load or args.resume:
        where = args.load or autosave_path(scenario.id)
        try:
            resume = read_save(where, scenario)
        except SaveError as e:
            return fail(str(e))
        seed = resume.state.seed
    elif args.start or overrides:
        try:
            resume = Run.start_at(scenario, seed, args.start, overrides)
        except BalconyError as e:
            return fail(str(e))
    from ..textui import play_text
    return play_text(scenario, seed, transcript_path=args.transcript, autosave=not args.no_autosave,
                     watch_path=str(path) if args.watch else None, run=resume, lang=lang)
