"""Player settings: the accessibility menu and window preferences.

Settings are one frozen dataclass, persisted as JSON in the user's config
directory (platformdirs). Unknown or malformed values fall back to defaults, so
an old or hand-edited file never stops the game from starting: the file is read
only if it is a regular file of at most MAX_BYTES, each value is checked for its
type and range, and whatever is refused is named in a one-line notice on stderr.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..i18n import N_, _, ngettext

APP_NAME = "balcony"

#: A settings file is a few hundred bytes; anything over this is not one.
MAX_BYTES = 64 * 1024
#: The window's smallest and largest size in pixels (the largest is 4K UHD: a bigger window would take
#: seconds and hundreds of megabytes to draw).
MIN_WINDOW = (640, 400)
MAX_WINDOW = (3840, 2160)

#: Text-size steps, as multipliers of the theme's type scale (Ren'Py offers a
#: slider; six named steps are easier to reach by keyboard).
TEXT_SCALES: tuple[float, ...] = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75)
#: Names shown in the settings screen: marked for translation, translated where shown (game/i18n.py).
TEXT_SCALE_NAMES: tuple[str, ...] = (N_("Small"), N_("Standard"), N_("Large"), N_("Larger"), N_("Huge"), N_("Maximum"))

#: Text speeds in characters per second; 0 means the text appears at once.
TEXT_SPEEDS: tuple[int, ...] = (0, 120, 60, 30)
TEXT_SPEED_NAMES: tuple[str, ...] = (N_("Instant"), N_("Fast"), N_("Medium"), N_("Slow"))

FONTS: tuple[str, ...] = ("atkinson", "dyslexic")
FONT_NAMES: tuple[str, ...] = ("Atkinson Hyperlegible", "OpenDyslexic")  # the fonts' own names

PALETTES: tuple[str, ...] = ("scenario", "safe")
PALETTE_NAMES: tuple[str, ...] = (N_("Scenario colours"), N_("Colour-blind safe"))


@dataclass(frozen=True)
class Settings:
    text_scale: int = 1            # index into TEXT_SCALES
    font: str = "atkinson"         # one of FONTS
    high_contrast: bool = False
    palette: str = "safe"          # agency colours: "scenario" or "safe" (Okabe-Ito)
    reduced_motion: bool = False
    text_speed: int = 0            # index into TEXT_SPEEDS
    tts: bool = False
    fullscreen: bool = False
    window_size: tuple[int, int] = (1280, 720)

    @property
    def text_scale_factor(self) -> float:
        return TEXT_SCALES[self.text_scale]

    @property
    def chars_per_second(self) -> int:
        return TEXT_SPEEDS[self.text_speed]

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["window_size"] = list(self.window_size)
        return data

    @classmethod
    def from_dict(cls, data: dict, refused: list | None = None) -> "Settings":
        """Build settings from a dict, keeping defaults for anything invalid (named in `refused`)."""
        base = cls()
        values = {}
        refused = refused if refused is not None else []
        choices = {"text_scale": range(len(TEXT_SCALES)), "text_speed": range(len(TEXT_SPEEDS)),
                   "font": FONTS, "palette": PALETTES}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(base, f.name)
            if f.name == "window_size":
                size = _window_size(value)
                if size is None:
                    refused.append("window_size")
                else:
                    values[f.name] = size
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    values[f.name] = value
                else:
                    refused.append(f.name)
            elif isinstance(default, int):
                if isinstance(value, int) and not isinstance(value, bool) and value in choices[f.name]:
                    values[f.name] = value
                else:
                    refused.append(f.name)
            elif isinstance(default, str):
                if isinstance(value, str) and value in choices[f.name]:
                    values[f.name] = value
                else:
                    refused.append(f.name)
        return replace(base, **values)


def _window_size(value):
    """(width, height) from two whole numbers up to MAX_WINDOW, raised to MIN_WINDOW; else None."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return None
    w, h = value
    if not (1 <= w <= MAX_WINDOW[0] and 1 <= h <= MAX_WINDOW[1]):
        return None
    return (max(MIN_WINDOW[0], w), max(MIN_WINDOW[1], h))


def _not_a_number(name):
    raise ValueError(f"{name} is not a number JSON allows")


def config_dir() -> Path:
    """Where settings live: $BALCONY_CONFIG_DIR, else the platform's config dir."""
    override = os.environ.get("BALCONY_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Where saves live: $BALCONY_DATA_DIR, else the platform's data dir."""
    override = os.environ.get("BALCONY_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class SettingsStore:
    """Loads and saves :class:`Settings` as ``settings.json`` in a directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else config_dir()
        self.path = self.directory / "settings.json"

    def load(self, notify=None) -> Settings:
        """The settings in the file; the defaults for whatever is missing, unreadable or refused, with a
        one-line notice (to stderr, or to `notify`) that names what was refused."""
        import sys

        from engine.safeio import NotRegularFile, read_regular
        say = notify or (lambda line: print(line, file=sys.stderr))
        try:
            raw = read_regular(self.path, MAX_BYTES)
        except FileNotFoundError:
            return Settings()
        except (NotRegularFile, OSError) as e:
            say(f"balcony: {self.path}: " + _("cannot read the settings ({error}); using the defaults").format(
                error=e.strerror or e))
            return Settings()
        if len(raw) > MAX_BYTES:
            say(f"balcony: {self.path}: " + _("over {kb} KB, too large to be settings; using the defaults").format(
                kb=MAX_BYTES // 1024))
            return Settings()
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_not_a_number)
        except RecursionError:
            say(f"balcony: {self.path}: " + _("not valid settings (nested too deeply); using the defaults"))
            return Settings()
        except (UnicodeDecodeError, ValueError) as e:
            say(f"balcony: {self.path}: " + _("not valid settings ({error}); using the defaults").format(error=str(e)[:80]))
            return Settings()
        if not isinstance(data, dict):
            say(f"balcony: {self.path}: " + _("not valid settings (not a JSON object); using the defaults"))
            return Settings()
        refused: list = []
        settings = Settings.from_dict(data, refused)
        if refused:
            say(f"balcony: {self.path}: " + ngettext(
                "{names} out of range or of the wrong type; using the default for it",
                "{names} out of range or of the wrong type; using the default for them", len(refused)).format(
                names=", ".join(refused)))
        return settings

    def save(self, settings: Settings) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        from engine.saves import atomic_write_text   # whole or not at all, fsynced, as saves are
        atomic_write_text(self.path, json.dumps(settings.to_dict(), indent=2))
