"""Translation files: gettext PO, read and written with Babel. The stable id is the message's context
(msgctxt), the source text its msgid, the translation its msgstr."""
from __future__ import annotations

import io
import os

from ..errors import ContentError


def _babel():
    try:
        from babel.messages.catalog import Catalog
        from babel.messages.pofile import read_po, write_po
    except ImportError as e:  # pragma: no cover - Babel is a dependency
        raise ContentError([]) from e
    return Catalog, read_po, write_po


def template(strings, *, project: str, lang: str | None = None, old: bytes | None = None,
             base: str | None = None) -> bytes:
    """A PO file of `strings` (engine.l10n.strings.String). With `old` (an existing PO), its translations
    are kept where the source is unchanged; where it changed they are kept but marked fuzzy (stale). Each
    entry is located in its file by the path from `base` (the scenario's folder, where the PO file goes)."""
    Catalog, read_po, write_po = _babel()
    cat = Catalog(project=project, locale=lang, fuzzy=False)
    for s in strings:
        cat.add(s.text, context=s.id, locations=[(source_path(s.file, base), s.line)])
    if old is not None:
        prev = _read_po(read_po, io.BytesIO(old), locale=lang)
        by_ctx = {m.context: m for m in prev if m.id}
        for m in cat:
            p = by_ctx.get(m.context)
            if not m.id or p is None or not p.string:
                continue
            m.string = p.string
            if p.id != m.id or p.fuzzy:
                m.flags.add("fuzzy")
        cat.locale = prev.locale or cat.locale
    buf = io.BytesIO()
    write_po(buf, cat, width=100, sort_output=False, omit_header=False)
    return buf.getvalue()


def source_path(file: str, base: str | None) -> str:
    """A scenario file as a translator finds it: its path from the scenario's folder (`common/cast.yaml`),
    in the PO file's forward slashes; the file's name alone without a folder."""
    if not base:
        return os.path.basename(file)
    rel = os.path.relpath(os.path.abspath(file), base)
    return (os.path.basename(file) if rel.startswith("..") else rel).replace(os.sep, "/")


class POError(ValueError):
    """A translation file that is not well-formed PO: `line` is where (1-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


def _read_po(read_po, f, **kw):
    """Babel's read_po, refusing a malformed file (Babel otherwise prints warnings on standard output, into
    a command's --json, and goes on with what it could read)."""
    from babel.messages.pofile import PoFileError
    try:
        return read_po(f, abort_invalid=True, **kw)
    except PoFileError as e:
        raise POError(e.lineno + 1, str(e).rsplit(" on ", 1)[0]) from None


def read(path) -> dict:
    """id -> (source text, translation, line in the PO file, fuzzy). Raises POError for a malformed file."""
    _, read_po, _ = _babel()
    with open(path, "rb") as f:
        cat = _read_po(read_po, f)
    out = {}
    for m in cat:
        if not m.id or not m.context:
            continue
        out[m.context] = (m.id, m.string or "", m.lineno or 1, m.fuzzy)
    return out
