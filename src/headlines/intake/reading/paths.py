"""Why a path typed or found names nothing to read: no such file, a link to nothing, or a loop
of links. Light (no parser imported): `import` and `source add` ask before anything is read."""

from __future__ import annotations

import errno
import os
from pathlib import Path

NO_SUCH = "no such file or folder"
# /dev/zero, a named pipe, a socket: reading one may never end.
NOT_A_FILE = "not a file or folder (a device, a pipe or a socket is not read)"
DANGLING = "a link to nothing: its target is missing"
LOOPING = "a link that leads back to itself (a loop of links): it leads to no file"


def missing_reason(raw: str) -> str:
    """Why `raw`, which does not exist, cannot be read: a loop of links and a link whose target
    is gone are links that are there, and "no such file" of them sent people looking for a
    file that was in plain sight."""
    path = Path(raw)
    if raw.strip() and path.is_symlink() and not path.exists():
        return LOOPING if loops(path) else DANGLING
    return NO_SUCH


def loops(path: Path) -> bool:
    """Whether `path` is a link in a loop (`a -> b -> a`, `self -> self`), which
    `Path.resolve` raises on (RuntimeError in Python 3.11): one such link in a dump folder
    crashed `import` and every ingest of its source."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False
