import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pytest  # noqa: E402

@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """No test reads or writes the real user's settings or saves."""
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / "data"))


