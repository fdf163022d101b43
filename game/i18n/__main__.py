"""python -m game.i18n update|stats: extract the interface's template and merge it into every catalog, or say how
much of each catalog is translated (docs/translating.md). `make pot` runs `update`."""
from __future__ import annotations

import argparse

from . import LOCALE, REPO, available, update_catalogs


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m game.i18n",
                                description="the interface's catalogs (game/locale): extract and update")
    p.add_argument("command", choices=["update", "stats"],
                   help="update: extract balcony.pot and merge it into every LANG.po; stats: how much is translated")
    args = p.parse_args(argv)
    if args.command == "update":
        for path in update_catalogs():
            print(f"wrote {path.relative_to(REPO)}")
        return 0
    from babel.messages.pofile import read_po
    for lang in available():
        with open(LOCALE / f"{lang}.po", "rb") as f:
            cat = read_po(f)
        msgs = [m for m in cat if m.id]
        done = [m for m in msgs if (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy]
        print(f"{lang}: {len(done)} of {len(msgs)} strings translated, {sum(m.fuzzy for m in msgs)} fuzzy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
