"""Optional text-to-speech through the system's speech engine (espeak-ng).

Speech runs in a child process, so the window never waits for it; a new line
interrupts the one before, as a screen reader does. Where no engine is found,
:attr:`Speaker.missing_message` says so plainly and what to install.
"""
from __future__ import annotations

import shutil
import subprocess

from ..i18n import _, catalog_path, language

ENGINES = ("espeak-ng", "espeak")


class Speaker:
    def __init__(self, command: str | None = None, rate: int = 165) -> None:
        self.command = command if command is not None else next((c for c in ENGINES if shutil.which(c)), None)
        self.rate = rate
        self._proc: subprocess.Popen | None = None
        self.spoken: list[str] = []   # what was said, for tests and the debrief log

    @property
    def available(self) -> bool:
        return bool(self.command) and shutil.which(self.command) is not None

    @property
    def missing_message(self) -> str:
        return _("Text-to-speech needs espeak-ng, which was not found on this computer. "
                 "Install it (on Debian or Ubuntu: sudo apt install espeak-ng) and restart Balcony.")

    def say(self, text: str) -> bool:
        text = " ".join(text.split())
        if not text:
            return False
        self.spoken.append(text)
        if not self.available:
            return False
        self.stop()
        try:
            self._proc = subprocess.Popen(
                [self.command, "-s", str(self.rate), *self.voice_args(), "--stdin"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            assert self._proc.stdin is not None
            self._proc.stdin.write(text.encode("utf-8"))
            self._proc.stdin.close()
        except OSError:
            self._proc = None
            return False
        return True

    @staticmethod
    def voice_args() -> list:
        """espeak-ng's voice for the interface language (`-v cy`), when the interface is translated into it;
        none (the default voice) for English."""
        lang = language()
        path = catalog_path(lang)
        return ["-v", path.stem] if path is not None else []

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None


def sentence(text: str) -> str:
    """Text as text-to-speech should say it: one clean sentence, no ellipsis, no doubled full stops."""
    t = " ".join(str(text).replace("…", " ").split()).strip().strip(" ;:")
    while t.endswith(". .") or t.endswith(".."):
        t = t[:-1].rstrip()
    if not t:
        return ""
    end = t.rstrip("”’\"')")
    if end and end[-1] in ".?!":
        return t
    return t + "."


def sentences(*parts: str) -> str:
    """Parts read one after another as sentences; empty parts are skipped."""
    return " ".join(x for x in (sentence(p) for p in parts if p and str(p).strip()) if x)
