"""What the authoring-tool subcommands share: loading with diagnostics, a progress bar, small text helpers."""
from __future__ import annotations

import sys
import time

from engine import ContentError, check_file

from .common import print_diagnostics, resolve_scenario_arg

BARS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def add_file_argument(p):
    p.add_argument("file", metavar="FILE", help="a scenario file (or a shipped scenario's id)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")


def load(arg, *, warnings: bool = False):
    """The scenario, or None after printing every diagnostic as file:line:column: CODE message."""
    path = resolve_scenario_arg(arg)
    scenario, diags = check_file(path)
    shown = [d for d in diags if warnings or d.severity == "error"]
    if scenario is None or any(d.severity == "error" for d in diags):
        print_diagnostics(shown or diags, sys.stderr)
        return None
    if shown:
        print_diagnostics(shown, sys.stderr)
    return scenario


def content_error(e: ContentError) -> int:
    print_diagnostics(e.diagnostics, sys.stderr)
    return 2


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\r" + " " * (len(self.label) + width + 24) + "\r")
        self.stream.flush()


def sparkline(counts) -> str:
    top = max(counts) if counts else 0
    if not top:
        return " " * len(counts)
    return "".join(BARS[min(len(BARS) - 1, int(c / top * (len(BARS) - 1) + 0.999))] if c else " " for c in counts)


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def where(item) -> str:
    return f"{item['file']}:{item['line']}:{item['column']}"


def explore_bounds_problem(args) -> str | None:
    """What is wrong with explore's bounds as given on the command line (explore and check), or None."""
    import math
    for name, least in (("seeds", 1), ("width", 1), ("max_states", 1), ("budget", 1)):
        v = getattr(args, name, None)
        if v is not None and v < least:
            return f"--{name.replace('_', '-')} must be at least {least} (it is {v})"
    t = getattr(args, "time_limit", None)
    if t is not None and not (math.isfinite(t) and t > 0):
        return f"--time-limit must be a positive number of seconds (it is {t:g})"
    return None
