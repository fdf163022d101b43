"""Optional text-to-speech through the system's speech engine (espeak-ng).

Speech runs in a child process, so the window never waits for it; a new line
interrupts the one before, as a screen reader does. Where no engine is found,
:attr:`Speaker.missing_message` says so plainly and what to install.
"""
from __future__ import annotations

import shutil
import subprocess

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
        return ("Text-to-speech needs espeak-ng, which was not found on this computer. "
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
                [self.command, "-s", str(self.rate), "--stdin"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            assert self._proc.stdin is not None
            self._proc.stdin.write(text.encode("utf-8"))
            self._proc.stdin.close()
        except OSError:
            self._proc = None
            return False
        return True

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None
