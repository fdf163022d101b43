"""The debrief as a self-contained HTML report: Jinja2 for the page, matplotlib's SVG back end for the charts.

No network and no external files: the styles are in the page, the charts inline SVG, the fonts the
reader's own. It prints to PDF with a page per section and no chart split across pages.

The page is worded in the language of the debrief it is given (`Debrief.lang`: the translator it was built
with), through Jinja2's own i18n extension (`_()` and `ngettext()` in the template, with the game's catalogs,
game/i18n) and the same translator for the charts' labels; `<html lang>` says which. `make pot` extracts the
template's strings with Babel's Jinja2 extractor. The scenario's own words, the numbers, the paper's citation
and its section names are as the debrief gives them (docs/translating.md).
"""
from __future__ import annotations

import threading

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from engine.debrief.reflect import STAGE_NAMES
from engine.debrief.why import short_text
from engine.marks import N_
from engine.saves import atomic_write_text

from .text import num, signed

QUALITY_NAMES = {"best": N_("Best ending"), "good": N_("Good ending"), "mixed": N_("Mixed ending"),
                 "poor": N_("Poor ending")}
TRIANGLE_NAMES = {"public_value": N_("Public value"), "legitimacy": N_("Legitimacy"),
                  "capacity": N_("Operating capacity")}
VERDICTS = {"better": N_("Your choice did better than the alternative."),
            "worse": N_("The alternative would have done better."),
            "same": N_("The two come to much the same.")}
#: What `<html lang>` says for English (the game's English is British).
ENGLISH = "en-GB"
#: Options the template is read with: the same for rendering and for extraction (game/i18n.extract).
OPTIONS = {"trim_blocks": True, "lstrip_blocks": True}

_ENVS: dict = {}
_LOCK = threading.Lock()        # the window saves a report on a thread of its own


def _env(lang: str = "") -> Environment:
    """The template's environment for one language (made once), with that language's gettext installed."""
    with _LOCK:
        env = _ENVS.get(lang)
        if env is not None:
            return env
        from game.i18n import translator
        tr = translator(lang or None)
        env = Environment(loader=PackageLoader("game.debrief", "templates"), autoescape=select_autoescape(["j2", "html"]),
                          undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], **OPTIONS)
        env.install_gettext_callables(tr, tr.ngettext, newstyle=False)  # {name} placeholders, as the game's own
        env.globals.update(
            num=lambda v: "?" if v is None else num(v), signed=signed, html_lang=lang or ENGLISH,
            quality_name=lambda q: tr(QUALITY_NAMES[q]) if q in QUALITY_NAMES else str(q).title(),
            tri_name=lambda k: tr(TRIANGLE_NAMES[k]) if k in TRIANGLE_NAMES else k.replace("_", " ").capitalize(),
            verdict=lambda v: tr(VERDICTS[v]) if v in VERDICTS else "",
            stage_name=lambda s: tr(STAGE_NAMES[s]) if s in STAGE_NAMES else s,
            short_text=lambda c: short_text(c, tr), quality=lambda q: tr(q))  # the engine's 'best', 'good'...
        env.globals.update(
            tr=tr, changes=lambda cs: ", ".join(f"{c.label} {signed(c.shown_delta)}" for c in cs),
            triangle_changes=lambda td: ", ".join(f"{env.globals['tri_name'](k).lower()} {signed(v)}"
                                                  for k, v in td.items()))
        _ENVS[lang] = env
        return env


def render_html(debrief, answers: dict | None = None) -> str:
    """The report's HTML, worded in the debrief's own language (`debrief.lang`; English when it has none).
    `answers` maps reflection question ids to what the player wrote."""
    from .charts import all_charts  # matplotlib is imported only when a report is made
    lang = getattr(debrief, "lang", "") or ""
    env = _env(lang)
    return env.get_template("report.html.j2").render(d=debrief, charts=all_charts(debrief, env.globals["tr"]),
                                                      answers=answers or {})


write_atomic = atomic_write_text  # a report is written whole or not at all
