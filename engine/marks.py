"""`N_`: marks an interface string that the engine produces (an action's label, a reason, a part of a change)
for translation, without translating it.

The engine stays pure Python and English: it returns the marked English string itself, which is also its
gettext message id. The front ends translate it at display time (game/i18n.py: `_(action.label)`), and
`make pot` extracts every `N_("...")` of engine/ into game/locale/balcony.pot beside the front ends' own
strings. A string with placeholders is marked as a template (`N_("{label}: {value}")`) and formatted by
whoever shows it, after translation, with named placeholders; views take a `tr` function for that
(identity by default, so the engine and its tests read English).
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Return `message` unchanged: marks it for extraction, to be translated where it is shown."""
    return message


def same(message: str) -> str:
    """The identity translation: what views format with when no `tr` is given."""
    return message


def plural(tr, singular: str, plural_: str, n: int) -> str:
    """The form of a message for the count `n`: the translator's own plural rule where it has one
    (`tr.ngettext`, as game/i18n's `_` has), else English's (singular for 1). Marks the pair for extraction."""
    f = getattr(tr, "ngettext", None)
    return f(singular, plural_, n) if f is not None else (singular if n == 1 else plural_)
