import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "scenarios" / "tutorial.yaml"


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path, monkeypatch):
    """No test reads or writes the real user's settings or saves."""
    monkeypatch.setenv("BALCONY_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("BALCONY_DATA_DIR", str(tmp_path / "data"))


def engine_available() -> bool:
    try:
        import engine  # noqa: F401
    except ImportError:
        return False
    return TUTORIAL.exists()


needs_engine = pytest.mark.skipif(not engine_available(), reason="the engine or scenarios/tutorial.yaml is missing")
