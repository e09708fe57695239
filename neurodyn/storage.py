"""Result directories written as a whole, and read only when complete.

:func:`atomic_directory` stages every file of a result in a hidden sibling directory
(``.NAME.partial-PID-XXXX``), writes ``manifest.json`` last (format, metadata, every file with its
size) and then renames the staging directory onto ``NAME``. A reader therefore sees either
the previous result or the new one, never a mixture; a save killed half-way leaves only the
hidden staging directory, which the next save into the same parent removes (once the
process named by its PID has ended). Replacing an
existing result (``overwrite=True``) exchanges the staging directory and the old one in one
step (Linux ``renameat2`` with ``RENAME_EXCHANGE``) and then deletes the old one, so a reader,
or a kill at any moment, finds the old result or the new one. Where the kernel or filesystem
cannot exchange, the old directory is renamed aside first (a reader may then find no
directory for that instant). A directory that holds files but no manifest is never replaced
(it is not a neurodyn result).

:func:`check_complete` is what loading starts with: a directory without a valid manifest, or
whose files are missing or of another size than the manifest says, raises
:class:`~neurodyn.errors.ResultError` naming what is wrong.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from neurodyn.errors import ResultError
from neurodyn.paths import check_output_directory

MANIFEST = "manifest.json"
FORMAT = "neurodyn-result"
FORMAT_VERSION = 1
#: renameat2 arguments (linux/fcntl.h, linux/fs.h): paths relative to the working directory, swap.
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _default_directory_mode() -> int:
    """Mode a new directory gets under the current umask (``mkdtemp`` would give 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_staging(parent: Path, name: str) -> None:
    """Delete staging and set-aside directories left by saves whose process has ended."""
    for stale in [*parent.glob(f".{name}.partial-*"), *parent.glob(f".{name}.old-*")]:
        pid = stale.name.rsplit(".", 1)[-1].split("-")[1]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def check_replaceable(directory: str | os.PathLike, overwrite: bool) -> Path:
    """``directory`` if a result may be saved there (see the module docstring), else a
    :class:`ResultError`: a file or unwritable path, a foreign non-empty directory, or an
    existing result without ``overwrite``."""
    directory = check_output_directory(directory, "result directory")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / MANIFEST).is_file():
            raise ResultError(f"{directory} holds files but no neurodyn result ({MANIFEST}); save into a new "
                              f"or empty directory")
        if not overwrite:
            raise ResultError(f"{directory} already holds a result; pass overwrite=True to replace it as a whole")
    return directory


@contextmanager
def atomic_directory(directory: str | os.PathLike, metadata: dict, overwrite: bool = False):
    """Yield a staging directory; on success, write the manifest and move it onto ``directory``.

    Any exception inside the block (or while moving) leaves ``directory`` as it was; an
    ``OSError`` (full disk, permissions) becomes a :class:`ResultError`.
    """
    directory = check_replaceable(directory, overwrite)
    parent = directory.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(parent, directory.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-{os.getpid()}-", dir=parent))
    except OSError as error:
        raise ResultError(f"cannot write a result into {directory}: {error.strerror or error}") from None
    try:
        yield staging
        _write_manifest(staging, metadata)
        os.chmod(staging, _default_directory_mode())
        _move_into_place(staging, directory)
    except OSError as error:
        raise ResultError(f"cannot write a result into {directory}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_manifest(staging: Path, metadata: dict) -> None:
    files = {path.name: path.stat().st_size for path in sorted(staging.iterdir()) if path.is_file()}
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "metadata": metadata, "files": files}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _move_into_place(staging: Path, directory: Path) -> None:
    """Put ``staging`` at ``directory``: exchanged with a result already there (``staging`` then
    holds the old one, deleted by the caller), else renamed (an empty directory is replaced)."""
    if directory.is_dir() and any(directory.iterdir()):
        if _exchange(staging, directory):
            return
        aside = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-{os.getpid()}-", dir=directory.absolute().parent))
        os.rename(directory, aside / directory.name)
        try:
            os.rename(staging, directory)
        except OSError:
            os.rename(aside / directory.name, directory)  # put the old result back
            raise
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    else:
        os.rename(staging, directory)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` atomically (``renameat2(..., RENAME_EXCHANGE)``); ``False``
    where the C library, kernel or filesystem has no exchange."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def check_complete(directory: str | os.PathLike) -> dict:
    """The manifest of the complete result in ``directory``, else a :class:`ResultError`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ResultError(f"no result directory at {directory}")
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise ResultError(f"{directory} is not a complete neurodyn result: no {MANIFEST} (not written by "
                          f"SimulationResult.save, or its save was interrupted)")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = dict(manifest["files"])
        metadata = dict(manifest["metadata"])
        if manifest["format"] != FORMAT:
            raise ValueError(f"format {manifest['format']!r}")
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise ResultError(f"{manifest_path} is not a neurodyn result manifest ({error})") from None
    for name, size in files.items():
        path = directory / name
        if not path.is_file():
            raise ResultError(f"incomplete result in {directory}: {name} is missing")
        if path.stat().st_size != size:
            raise ResultError(f"incomplete result in {directory}: {name} has {path.stat().st_size} bytes, the "
                              f"manifest says {size} (truncated or replaced)")
    return {"files": files, "metadata": metadata}


@contextmanager
def reading(path: Path):
    """Turn a failure to read ``path`` (corrupt Parquet, I/O error) into a :class:`ResultError`."""
    import pyarrow as pa

    try:
        yield
    except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as error:
        raise ResultError(f"cannot read {path}: {type(error).__name__}: {error}") from None
