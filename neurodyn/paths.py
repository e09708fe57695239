"""Output paths checked before any work: a simulation must not run for minutes and then fail
to store its result because ``--out`` is a file or read-only."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from neurodyn.errors import ResultError


def check_output_directory(path: str | os.PathLike, what: str = "--out") -> Path:
    """``path`` as a :class:`~pathlib.Path` where a directory can be created or written, else a
    :class:`~neurodyn.errors.ResultError` naming ``what`` (the option or variable that gave it).

    Refused: a path that is a file, one that lies under a file, and one whose nearest existing
    directory cannot be written (read-only, no permission, full). Writability is probed by
    creating and removing a temporary directory there (permission bits alone say nothing for
    root, or on a read-only file system). Nothing is left behind.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ResultError(f"{what} {path} is a file, not a directory")
    existing = path
    while not existing.exists():
        if existing.is_symlink():
            raise ResultError(f"{what} {path}: {existing} is a broken symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        raise ResultError(f"{what} {path} lies under {existing}, which is a file")
    try:
        probe = tempfile.mkdtemp(prefix=".neurodyn-probe-", dir=existing)
    except OSError as error:
        raise ResultError(f"{what} {path}: cannot write in {existing} ({error.strerror or error})") from None
    shutil.rmtree(probe, ignore_errors=True)
    return path
