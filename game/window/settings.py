"""Player settings: the accessibility menu and window preferences.

Settings are one frozen dataclass, persisted as JSON in the user's config
directory (platformdirs). Unknown or malformed values fall back to defaults, so
an old or hand-edited file never stops the game from starting.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

APP_NAME = "balcony"

#: Text-size steps, as multipliers of the theme's type scale (Ren'Py offers a
#: slider; six named steps are easier to reach by keyboard).
TEXT_SCALES: tuple[float, ...] = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75)
TEXT_SCALE_NAMES: tuple[str, ...] = ("Small", "Standard", "Large", "Larger", "Huge", "Maximum")

#: Text speeds in characters per second; 0 means the text appears at once.
TEXT_SPEEDS: tuple[int, ...] = (0, 120, 60, 30)
TEXT_SPEED_NAMES: tuple[str, ...] = ("Instant", "Fast", "Medium", "Slow")

FONTS: tuple[str, ...] = ("atkinson", "dyslexic")
FONT_NAMES: tuple[str, ...] = ("Atkinson Hyperlegible", "OpenDyslexic")

PALETTES: tuple[str, ...] = ("scenario", "safe")
PALETTE_NAMES: tuple[str, ...] = ("Scenario colours", "Colour-blind safe")


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
    def from_dict(cls, data: dict) -> "Settings":
        """Build settings from a dict, keeping defaults for anything invalid."""
        base = cls()
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = getattr(base, f.name)
            if f.name == "window_size":
                try:
                    w, h = (int(v) for v in value)
                except (TypeError, ValueError):
                    continue
                values[f.name] = (max(640, w), max(400, h))
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    values[f.name] = value
            elif isinstance(default, int):
                if isinstance(value, int) and not isinstance(value, bool):
                    values[f.name] = value
            elif isinstance(default, str) and isinstance(value, str):
                values[f.name] = value
        s = replace(base, **values)
        if not 0 <= s.text_scale < len(TEXT_SCALES):
            s = replace(s, text_scale=base.text_scale)
        if not 0 <= s.text_speed < len(TEXT_SPEEDS):
            s = replace(s, text_speed=base.text_speed)
        if s.font not in FONTS:
            s = replace(s, font=base.font)
        if s.palette not in PALETTES:
            s = replace(s, palette=base.palette)
        return s


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

    def load(self) -> Settings:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Settings()
        if not isinstance(data, dict):
            return Settings()
        return Settings.from_dict(data)

    def save(self, settings: Settings) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(settings.to_dict(), indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
