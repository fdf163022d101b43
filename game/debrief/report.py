"""The debrief as a self-contained HTML report: Jinja2 for the page, matplotlib's SVG back end for the charts.

No network and no external files: the styles are in the page, the charts inline SVG, the fonts the
reader's own. It prints to PDF with a page per section and no chart split across pages.
"""
from __future__ import annotations


from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.debrief.reflect import STAGE_NAMES
from engine.debrief.why import short_text
from engine.saves import atomic_write_text

from .text import num, signed

QUALITY_NAMES = {"best": "Best ending", "good": "Good ending", "mixed": "Mixed ending", "poor": "Poor ending"}
TRIANGLE_NAMES = {"public_value": "Public value", "legitimacy": "Legitimacy", "capacity": "Operating capacity"}
VERDICTS = {"better": "Your choice did better than the alternative.",
            "worse": "The alternative would have done better.",
            "same": "The two come to much the same."}

_ENV = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        env = Environment(loader=PackageLoader("game.debrief", "templates"), autoescape=select_autoescape(["j2", "html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.globals.update(
            num=lambda v: "?" if v is None else num(v), signed=signed,
            quality_name=lambda q: QUALITY_NAMES.get(q, str(q).title()),
            tri_name=lambda k: TRIANGLE_NAMES.get(k, k.replace("_", " ").capitalize()),
            verdict=lambda v: VERDICTS.get(v, ""), stage_name=lambda s: STAGE_NAMES.get(s, s),
            short_text=short_text)
        _ENV = env
    return _ENV


def render_html(debrief, answers: dict | None = None) -> str:
    """The report's HTML. `answers` maps reflection question ids to what the player wrote."""
    from .charts import all_charts  # matplotlib is imported only when a report is made
    return _env().get_template("report.html.j2").render(d=debrief, charts=all_charts(debrief), answers=answers or {})


write_atomic = atomic_write_text  # a report is written whole or not at all
