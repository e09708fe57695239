"""Numbered directories that belong to one live process (or thread) at a time.

``root/NAME-k`` is claimed by taking an exclusive, non-blocking ``fcntl.flock`` on
``root/NAME-k.lock`` for the first k that no live holder has; the lock lasts as long as the
returned file handle stays open, and a crashed holder frees its slot (the kernel drops the lock).
"""
from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO


def claim_slot(root: Path, name: str) -> tuple[Path, IO]:
    """The first free ``root/NAME-k`` (created) and the open, locked handle that holds it."""
    root.mkdir(parents=True, exist_ok=True)
    slot = 0
    while True:
        handle = open(root / f"{name}-{slot}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            slot += 1
            continue
        directory = root / f"{name}-{slot}"
        directory.mkdir(exist_ok=True)
        return directory, handle
