"""The window's and the terminal's own interface strings, through gettext.

`_("Your choices:")` returns the string in the interface language: the one `set_language` chose, else
the `BALCONY_LANG` environment variable, else `LANGUAGE` (GNU gettext's own), else English. Catalogs are
gettext PO files in game/locale/LANG.po, read with Babel into a `gettext.GNUTranslations`-like object;
a string without a translation is shown in English. `balcony.pot` beside them is the template,
extracted from every `_()` in game/ (tests/window/test_i18n.py keeps it current).
"""
from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "balcony"

_current: gettext.NullTranslations | None = None
_chosen: str | None = None


class _POTranslations(gettext.NullTranslations):
    """Translations read from a PO file (fuzzy and empty entries are left out, as msgfmt does)."""

    def __init__(self, table: dict):
        super().__init__()
        self._table = table

    def gettext(self, message):
        return self._table.get(message) or message

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


def available() -> list:
    """The languages with a catalog, besides English."""
    return sorted(p.stem for p in LOCALE.glob("*.po"))


def translations(lang: str | None) -> gettext.NullTranslations:
    """The catalog for `lang` (English, untranslated, when there is none)."""
    if not lang:
        return gettext.NullTranslations()
    path = LOCALE / f"{lang.split('_')[0].split('.')[0]}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.pofile import read_po
    with open(path, "rb") as f:
        cat = read_po(f)
    return _POTranslations({m.id: m.string for m in cat if m.id and m.string and not m.fuzzy
                            and isinstance(m.id, str)})


def set_language(lang: str | None) -> None:
    """Use `lang` for the interface from now on (None: from the environment again)."""
    global _current, _chosen
    _current = translations(lang) if lang else None
    _chosen = lang or None


def _active() -> gettext.NullTranslations:
    global _current
    if _current is None:
        env = os.environ.get("BALCONY_LANG") or (os.environ.get("LANGUAGE") or "").split(":")[0]
        _current = translations(env or None)
    return _current


def language() -> str | None:
    """The interface language chosen (set_language, BALCONY_LANG or LANGUAGE), or None for English."""
    if _chosen:
        return _chosen
    return os.environ.get("BALCONY_LANG") or (os.environ.get("LANGUAGE") or "").split(":")[0] or None


def _(message: str) -> str:
    return _active().gettext(message)
