"""Reading files a user names, safely: only regular files, never more than a stated number of bytes.

A FIFO, a terminal, /dev/stdin, /dev/zero or a socket named as a scenario, an include, a save, a
transcript or a settings file would hang the reader or feed it without end. `read_regular` refuses
anything that is not a regular file, twice: by `os.stat` before opening it, and again by `os.fstat`
on what was opened (without blocking), in case the name was swapped in between.
"""
from __future__ import annotations

import os
import stat

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"))


class NotRegularFile(OSError):
    """The path names something other than a regular file (a folder, a pipe, a device, a socket)."""


def _kind(mode) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _check(mode, path) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        raise NotRegularFile(f"{kind}, not a regular file: Balcony reads only ordinary files")


def read_regular(path, limit: int) -> bytes:
    """At most `limit + 1` bytes of the regular file at `path` (one more than the limit, so that the
    caller can tell a file that is too large). Raises FileNotFoundError, IsADirectoryError,
    NotRegularFile or another OSError."""
    _check(os.stat(path).st_mode, path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        _check(os.fstat(fd).st_mode, path)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        return f.read(limit + 1)
