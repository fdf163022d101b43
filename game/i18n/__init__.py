"""The window's and the terminal's own interface strings, through gettext.

`_("Your choices:")` returns the string in the interface language: the one `set_language` chose, else
the `BALCONY_LANG` environment variable, else `LANGUAGE` (GNU gettext's own), else English.
`ngettext("{n} decision", "{n} decisions", n)` picks the plural form the language needs (Welsh has six).
Strings with values use named placeholders, formatted after translation:
`_("Attention left: {left}/{most}").format(left=..., most=...)`; translated fragments are never glued.

Catalogs are gettext PO files in game/locale/LANG.po, compiled in memory with Babel when first used (no
.mo files to keep in step); fuzzy and empty entries are left out, as msgfmt does, so a string without a
translation is shown in English. `balcony.pot` beside them is the template, extracted by `make pot` from
every `_()`, `ngettext()` and `N_()` in game/ and engine/ (tests/window/test_i18n.py keeps it current).
The engine's own interface labels are marked with `N_` (engine/marks.py) and translated here, at display
time. docs/translating.md says how to translate the interface.
"""
from __future__ import annotations

import gettext
import io
import os
from pathlib import Path


LOCALE = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "balcony"
#: The keywords extraction looks for, as Babel takes them (game/ and engine/ alike).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "plural": (2, 3)}  # plural: engine/marks.py

_current: gettext.NullTranslations | None = None
_chosen: str | None = None


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it (a module-level name shown later through _()).
    The same as engine/marks.py's, defined here too so that the window need not import the engine to start."""
    return message


def available() -> list:
    """The languages with a catalog, besides English."""
    return sorted(p.stem for p in LOCALE.glob("*.po"))


def catalog_path(lang: str | None) -> Path | None:
    """game/locale/LANG.po for `lang` ('cy', 'cy_GB.UTF-8' -> cy.po), or None when there is none."""
    if not lang:
        return None
    path = LOCALE / f"{lang.split('_')[0].split('.')[0].split('-')[0]}.po"
    return path if path.is_file() else None


def code(lang: str | None) -> str:
    """The code of the catalog `lang` is worded in ('cy_GB.UTF-8' -> 'cy'), "" for English (no catalog)."""
    path = catalog_path(lang)
    return path.stem if path is not None else ""


def translations(lang: str | None) -> gettext.NullTranslations:
    """The catalog for `lang` (English, untranslated, when there is none), compiled from its PO file."""
    path = catalog_path(lang)
    if path is None:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(path, "rb") as f:
        cat = read_po(f)
    for m in list(cat):  # a plural entry with any form missing is left out whole, as an untranslated one is
        if m.id and isinstance(m.string, (tuple, list)) and not all(m.string):
            del cat[m.id]
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def translator(lang: str | None):
    """A translation function for `lang` alone, without changing the interface language: `tr(message)`, with
    `tr.ngettext` (so engine.marks.plural uses the language's plural rule). English when there is no catalog.
    For wording one thing in a language other than the interface's (a test, a server answering one player)."""
    t = translations(lang)

    def tr(message: str) -> str:
        return t.gettext(message) if message else message

    tr.ngettext = t.ngettext
    tr.lang = code(lang)  # what a debrief built with it records (engine.debrief: Debrief.lang)
    return tr


def set_language(lang: str | None) -> None:
    """Use `lang` for the interface from now on (None: from the environment again)."""
    global _current, _chosen
    _current = translations(lang) if lang else None
    _chosen = lang or None


def _active() -> gettext.NullTranslations:
    global _current
    if _current is None:
        _current = translations(language())
    return _current


def language() -> str | None:
    """The interface language chosen (set_language, BALCONY_LANG or LANGUAGE), or None for English."""
    if _chosen:
        return _chosen
    return os.environ.get("BALCONY_LANG") or (os.environ.get("LANGUAGE") or "").split(":")[0] or None


def _(message: str) -> str:
    """`message` in the interface language, else as it is."""
    return _active().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`, in the interface language (English: singular for 1)."""
    return _active().ngettext(singular, plural, n)


_.lang = lambda: code(language())  # the language a debrief built with _ is worded in (Debrief.lang)
_.ngettext = ngettext  # so that the engine's wording (engine.marks.plural) uses this language's plural rule


def _pattern(template: str):
    """A regular expression that reads the values back out of `template` formatted ('{when}' -> (?P<when>.+?))."""
    import re
    parts = re.split(r"\{(\w+)\}", template)
    rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{rx}$", re.S)


def _engine_texts():
    from engine.runtime import CAUSE_DECISION, CAUSE_EVENT, PHASE_TEXT
    return [(t, _pattern(t)) for t in (CAUSE_DECISION, CAUSE_EVENT, PHASE_TEXT)]


_ENGINE_TEXTS: list = []


def engine_text(text: str | None) -> str:
    """A text the run wrote into its state in English (a delayed consequence's cause, a new phase's notice:
    engine.runtime's CAUSE_DECISION, CAUSE_EVENT, PHASE_TEXT), in the interface language: the values are
    read back out of the English and put into the translated template. Any other text is returned as it is."""
    if not text:
        return text or ""
    if not _ENGINE_TEXTS:
        _ENGINE_TEXTS.extend(_engine_texts())
    for template, rx in _ENGINE_TEXTS:
        m = rx.match(text)
        if m:
            return _(template).format(**m.groupdict())
    return text



def translated() -> bool:
    """True when the interface language has a catalog (so that text the engine words can be worded in it)."""
    return catalog_path(language()) is not None


def ending_why(run, english) -> tuple:
    """Why the run got its ending (`EndingView.why`, which the engine words in English), in the interface
    language: worded again by engine.endings.explain with this module's gettext. The English when the
    interface is English, or when the run cannot be explained here (a classroom seat's remote run)."""
    if not translated():
        return tuple(english or ())
    try:
        from engine.endings import explain
        return tuple(explain(run.scenario, run.state, _).lines(_))
    except Exception:  # noqa: BLE001 - the English the engine gave is always there to fall back on
        return tuple(english or ())


# ---- the catalogs: extract, update (`make pot`; docs/translating.md) ----------------------------------------

REPO = Path(__file__).resolve().parents[2]
#: Where the interface's strings are: the front ends, and the engine's N_-marked labels.
SOURCES = ("game", "engine")


#: How each kind of file is read: Python, and the Jinja2 templates (the HTML report's) with Jinja2's own Babel
#: extractor, which finds `_()`, `ngettext()` and `{% trans %}` in them.
METHODS = [("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
#: The templates are read as game/debrief/report.py renders them (the same whitespace inside {% trans %}).
TEMPLATE_OPTIONS = {"**/templates/**.j2": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def extract():
    """Every `_()`, `ngettext()` and `N_()` string of game/ and engine/, and every `_()`, `ngettext()` and
    `{% trans %}` of their Jinja2 templates, as a Babel catalog (the template)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    cat = Catalog(project="balcony", version=None, msgid_bugs_address=None, copyright_holder="the Balcony authors",
                  fuzzy=False)
    for src in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(REPO / src), METHODS, options_map=TEMPLATE_OPTIONS, keywords=KEYWORDS,
                comment_tags=("TRANSLATORS:",)):
            cat.add(message, None, [(f"{src}/{filename}", lineno)], auto_comments=comments, context=context)
    return cat


def write_catalog(cat, path: Path) -> None:
    """Write a PO or POT file atomically, wrapped as Babel wraps it, without obsolete entries."""
    from babel.messages.pofile import write_po
    from engine.saves import atomic_write_bytes
    buf = io.BytesIO()
    write_po(buf, cat, width=100, ignore_obsolete=True, sort_by_file=True, include_lineno=False)  # (fewer conflicts)
    atomic_write_bytes(str(path), buf.getvalue())


def update_catalogs() -> list:
    """Extract the template again into game/locale/balcony.pot and merge it into every LANG.po (new strings
    added untranslated, changed ones marked fuzzy, dropped ones removed). Returns the files written."""
    from babel.messages.pofile import read_po
    template = extract()
    write_catalog(template, LOCALE / f"{DOMAIN}.pot")
    written = [LOCALE / f"{DOMAIN}.pot"]
    for lang in available():
        path = LOCALE / f"{lang}.po"
        with open(path, "rb") as f:
            cat = read_po(f, locale=lang)
        cat.update(template, no_fuzzy_matching=True, update_header_comment=False)
        write_catalog(cat, path)
        written.append(path)
    return written
