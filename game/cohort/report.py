"""The cohort debrief as a self-contained HTML report: Jinja2 for the page, matplotlib's SVG back end for
the charts (game/cohort/charts.py). No scripts, no network, no external files; large type for a
projector; print CSS gives each section its own page and never splits a chart. It names nobody."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.debrief.reflect import STAGE_NAMES
from engine.saves import atomic_write_text

#: Splits shown in full (the rest are listed by name with their counts).
SHOWN_SPLITS = 6

QUALITY_NAMES = {"best": "best", "good": "good", "mixed": "mixed", "poor": "poor"}
TRIANGLE_NAMES = {"public_value": "Public value", "legitimacy": "Legitimacy", "capacity": "Capacity"}

_ENV = None


def _one(v) -> str:
    return "\u2013" if v is None else f"{v:.1f}"


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        env = Environment(loader=PackageLoader("game.cohort", "templates"), autoescape=select_autoescape(["j2", "html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.globals.update(one=_one, stage_name=lambda s: STAGE_NAMES.get(s, s),
                           tri_name=lambda k: TRIANGLE_NAMES.get(k, k.replace("_", " ").capitalize()),
                           plural=lambda n, word: f"{n} {word}{'' if n == 1 else 's'}")
        _ENV = env
    return _ENV


def render_html(cohort, session: dict | None = None) -> str:
    """The report's HTML. `session` may give `code`, `mode` and `created_utc` for the header."""
    from .charts import all_charts  # matplotlib is imported only when a report is made
    defs = {d.term: d.meaning for d in cohort.definitions}
    return _env().get_template("cohort.html.j2").render(c=cohort, charts=all_charts(cohort, SHOWN_SPLITS), s=session or {},
                                                        defs=defs, shown=SHOWN_SPLITS)


write_atomic = atomic_write_text  # a report is written whole or not at all
