"""The one place that defines how Balcony looks: palette, type scale, spacing.

Everything drawn in the window takes its colours, sizes and fonts from a
:class:`Theme`, built from the player's :class:`Settings` and the window size.
The layout is in logical pixels (an 8 px grid, ``s(units)``) designed at
1280x720; ``ui`` converts them to screen pixels (see :func:`ui_scale`): 1.0 from
1280x720 to 1920x1080, so a bigger window holds more rather than the same
layout larger; the player's text size multiplies the type scale on top.

Colour never carries information alone: status is always also a word or an
icon, and every agency also has a shape and initials (see ``AGENCY_SHAPES``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..paths import content_dir
from .settings import Settings

Colour = tuple[int, int, int]

DESIGN_SIZE = (1280, 720)
MIN_WINDOW = (1024, 600)
MAX_WINDOW = (3840, 2160)

FONT_DIR = content_dir("fonts")
FONT_FILES = {
    "atkinson": {
        "regular": "AtkinsonHyperlegible-Regular.ttf",
        "bold": "AtkinsonHyperlegible-Bold.ttf",
        "italic": "AtkinsonHyperlegible-Italic.ttf",
    },
    "dyslexic": {
        "regular": "OpenDyslexic-Regular.otf",
        "bold": "OpenDyslexic-Bold.otf",
        "italic": "OpenDyslexic-Regular.otf",
    },
}
#: OpenDyslexic is much larger per point than Atkinson; this keeps line
#: lengths comparable so the layout does not jump when the font changes.
FONT_SIZE_ADJUST = {"atkinson": 1.0, "dyslexic": 0.82}


def hex_colour(value: str | None, default: Colour) -> Colour:
    """Parse ``#rrggbb`` (as scenarios write agency colours)."""
    if not value or not isinstance(value, str):
        return default
    v = value.strip().lstrip("#")
    if len(v) == 3:
        v = "".join(c * 2 for c in v)
    try:
        return (int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16))
    except (ValueError, IndexError):
        return default


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def luminance(c: Colour) -> float:
    def ch(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = c
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a: Colour, b: Colour) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(c: Colour) -> Colour:
    """Black or white, whichever reads better on ``c``."""
    return (255, 255, 255) if contrast(c, (255, 255, 255)) >= contrast(c, (20, 20, 20)) else (20, 20, 20)


@dataclass(frozen=True)
class Palette:
    name: str
    bg: Colour            # window background
    bg_deep: Colour       # darker band (top bar, title backdrop)
    panel: Colour         # cards and panels
    panel_alt: Colour     # inset areas inside panels
    line: Colour          # panel borders and rules
    text: Colour          # body text on panels
    text_muted: Colour    # secondary text on panels
    text_on_bg: Colour    # text on the window background
    muted_on_bg: Colour
    accent: Colour        # primary buttons
    accent_text: Colour
    button: Colour        # secondary buttons
    button_text: Colour
    disabled: Colour
    disabled_text: Colour
    focus: Colour         # the focus ring
    shadow: Colour        # stakeholders out of view
    good: Colour
    warn: Colour
    bad: Colour
    event: Colour
    delayed: Colour
    band: Colour          # balcony reading band
    overlay_alpha: int    # dimming under modal screens
    border_width: int     # panel border thickness at ui scale 1


# Okabe & Ito (2008), the standard colour-blind-safe set. Semantic colours
# below are drawn from it and are always paired with a word or an icon.
OKABE_ITO: tuple[Colour, ...] = (
    (0, 114, 178),    # blue
    (230, 159, 0),    # orange
    (0, 158, 115),    # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),   # sky blue
    (213, 94, 0),     # vermillion
    (240, 228, 66),   # yellow
    (120, 120, 120),  # grey
)

STANDARD = Palette(
    name="standard",
    bg=(27, 38, 52),
    bg_deep=(18, 26, 37),
    panel=(249, 246, 240),
    panel_alt=(236, 231, 222),
    line=(205, 197, 184),
    text=(27, 31, 36),
    text_muted=(84, 86, 92),
    text_on_bg=(243, 240, 232),
    muted_on_bg=(178, 188, 200),
    accent=(0, 96, 150),
    accent_text=(255, 255, 255),
    button=(255, 255, 255),
    button_text=(27, 31, 36),
    disabled=(226, 222, 215),
    disabled_text=(98, 98, 100),
    focus=(230, 159, 0),
    shadow=(120, 124, 132),
    good=(0, 128, 94),
    warn=(178, 110, 0),
    bad=(190, 80, 0),
    event=(170, 80, 130),
    delayed=(0, 96, 150),
    band=(86, 180, 233),
    overlay_alpha=150,
    border_width=1,
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    bg=(0, 0, 0),
    bg_deep=(0, 0, 0),
    panel=(0, 0, 0),
    panel_alt=(24, 24, 24),
    line=(255, 255, 255),
    text=(255, 255, 255),
    text_muted=(235, 235, 235),
    text_on_bg=(255, 255, 255),
    muted_on_bg=(235, 235, 235),
    accent=(255, 255, 255),
    accent_text=(0, 0, 0),
    button=(0, 0, 0),
    button_text=(255, 255, 255),
    disabled=(40, 40, 40),
    disabled_text=(200, 200, 200),
    focus=(255, 221, 0),
    shadow=(150, 150, 150),
    good=(120, 255, 200),
    warn=(255, 221, 0),
    bad=(255, 150, 90),
    event=(255, 160, 230),
    delayed=(140, 210, 255),
    band=(140, 210, 255),
    overlay_alpha=200,
    border_width=2,
)

#: Shapes that, with initials, tell agencies apart without colour.
AGENCY_SHAPES = ("circle", "square", "diamond", "hexagon", "triangle", "shield")


def stable_index(key: str, n: int) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % n


@dataclass(frozen=True)
class TypeScale:
    display: int
    h1: int
    h2: int
    h3: int
    body: int
    small: int
    label: int


class Theme:
    """Colours, sizes and fonts for one window size and one set of settings."""

    def __init__(self, settings: Settings, size: tuple[int, int]) -> None:
        self.settings = settings
        self.size = size
        w, h = size
        self.ui = ui_scale(size)
        self.pal = HIGH_CONTRAST if settings.high_contrast else STANDARD
        self.font_family = settings.font if settings.font in FONT_FILES else "atkinson"
        t = self.ui * settings.text_scale_factor * FONT_SIZE_ADJUST[self.font_family]

        def px(v: float, lo: int = 10) -> int:
            return max(lo, round(v * t))

        self.type = TypeScale(
            display=px(76), h1=px(40), h2=px(28), h3=px(22), body=px(20, 12), small=px(17, 11), label=px(15, 11)
        )
        self.reduced_motion = settings.reduced_motion
        self._agency_cache: dict[tuple[str, str | None, int], Colour] = {}

    # ---- spacing -------------------------------------------------------
    def s(self, units: float) -> int:
        """Spacing: ``units`` of an 8 px grid at the design size."""
        return max(1, round(units * 8 * self.ui))

    @property
    def radius(self) -> int:
        return max(2, round(8 * self.ui))

    @property
    def border(self) -> int:
        return max(1, round(self.pal.border_width * self.ui))

    @property
    def focus_width(self) -> int:
        return max(3, round(3 * self.ui))

    # ---- fonts ---------------------------------------------------------
    def font_path(self, weight: str = "regular") -> Path:
        return FONT_DIR / FONT_FILES[self.font_family][weight]

    # ---- agency colour and shape ------------------------------------------
    def agency_colour(self, key: str, scenario_colour: str | None, order: int = -1) -> Colour:
        """The colour for an agency: the author's, or Okabe-Ito in safe mode."""
        ck = (key, scenario_colour, order)
        got = self._agency_cache.get(ck)
        if got is None:
            if self.settings.palette == "safe" or not scenario_colour:
                idx = order if order >= 0 else stable_index(key, 7)
                got = OKABE_ITO[idx % 7]
            else:
                got = hex_colour(scenario_colour, OKABE_ITO[stable_index(key, 7)])
            self._agency_cache[ck] = got
        return got

    @staticmethod
    def agency_shape(agency: str) -> str:
        return AGENCY_SHAPES[stable_index(agency or "?", len(AGENCY_SHAPES))]

    def transition_ms(self) -> int:
        return 0 if self.reduced_motion else 180


def ui_scale(size: tuple[int, int]) -> float:
    """Pixels per logical pixel: layout is in logical units, so a bigger window holds more.

    1.0 from 1280x720 up to 1920x1080 and beyond, a little less in smaller
    windows (0.8 at 1024x600, so they are not cramped), and whole quarter steps
    up from 2400x1350, where a window that large is on a high-density screen
    (2.0 at 3840x2160)."""
    w, h = size
    small = min(w / DESIGN_SIZE[0], h / DESIGN_SIZE[1])
    if small < 1:
        return max(0.8, small)
    big = min(w / 1920, h / 1080)
    if big < 1.25:
        return 1.0
    return 1.0 + int((big - 1.0) * 4) / 4


def initials(name: str) -> str:
    """Two-letter initials, skipping honorifics and ranks."""
    skip = {"dr", "mr", "mrs", "ms", "miss", "cllr", "ch", "supt", "insp", "sir", "dame", "prof", "rev", "dc", "di", "the"}
    words = [w for w in name.replace(".", " ").split() if w]
    core = [w for w in words if w.lower() not in skip] or words
    if not core:
        return "?"
    if len(core) == 1:
        return core[0][:2].upper()
    return (core[0][0] + core[-1][0]).upper()
