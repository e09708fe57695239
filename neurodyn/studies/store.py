"""The on-disk dataset of a study: one Parquet file per finished point.

Layout of a study's output directory::

    points/<key>.parquet    one row: parameters, seed, analysis summary, timings, versions, status
    spikes/<key>.parquet    the point's spikes (neuron, t_ms), only when the study keeps them
    claims/<key>.lock       held (``flock``) by the driver computing the point, while it does
    crashes/<key>           one byte per worker process that died while running the point
    corrupt/                unreadable point files, moved aside (the point is computed again)

``<key>`` is a stable hash of what defines the point's row (model, parameters with the seed,
run settings, analyses, kept spikes; :meth:`neurodyn.studies.Study.point_key`).

- Every file is written to a temporary name in the same directory and moved into place with
  :func:`os.replace` (atomic on POSIX): a reader or a rerun never sees a half-written point,
  and a killed driver loses only the points still being computed. Files get the usual
  permissions of the umask (readable by others where the umask allows, as any new file).
- Claims: before a driver submits a point it takes an exclusive, non-blocking ``flock`` on
  the point's lock file and checks the point is still unstored. A second driver on the same
  directory skips claimed points and comes back to them at the end, so two drivers share the
  work and every point is computed once. The kernel drops the lock when its process ends, so
  a killed driver never leaves a stale claim. (Lock files stay: removing one while another
  driver opens it would let two drivers hold "the" lock.)
- A point file that cannot be read is moved to ``corrupt/`` and its point computed again.
"""
from __future__ import annotations

import errno
import fcntl
import os
import time
import uuid
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Status of a point whose simulation and analyses finished.
OK = "ok"
#: Status of a point that raised; its ``error`` column holds the exception.
ERROR = "error"
#: Status of a point whose worker process died ``max_crashes`` times; reruns skip it.
QUARANTINED = "quarantined"
#: Statuses a rerun does not compute again.
DONE = (OK, QUARANTINED)


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table; object columns mixing text and numbers are stored as text
    (missing values stay missing), so one point's string result cannot make a table unwritable."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        mixed = {name: frame[name].map(lambda value: value if value is None or value != value else str(value))
                 for name in frame.columns if frame[name].dtype == object}
        return pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)


def write_parquet_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` via a temporary file and :func:`os.replace` (module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.parent / f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial"
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # mode from the umask
    try:
        pq.write_table(arrow_table(frame), partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class PointStore:
    """Finished points of one study under ``directory`` (see the module docstring)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.points_dir = self.directory / "points"
        self.spikes_dir = self.directory / "spikes"
        self.claims_dir = self.directory / "claims"
        self.crashes_dir = self.directory / "crashes"
        self.corrupt_dir = self.directory / "corrupt"
        self.set_aside: list[Path] = []  # corrupt files moved aside by this store object
        self._claims: dict[str, int] = {}
        self._warned_no_locks = False

    def point_path(self, key: str) -> Path:
        return self.points_dir / f"{key}.parquet"

    def spikes_path(self, key: str) -> Path:
        return self.spikes_dir / f"{key}.parquet"

    # ----------------------------------------------------------------- reading
    def _read_point(self, path: Path, columns=None) -> pa.Table | None:
        """The table in ``path``, or ``None`` (missing, or corrupt and moved aside)."""
        try:
            return pq.read_table(path, columns=columns)
        except FileNotFoundError:
            return None
        except (pa.ArrowException, OSError, KeyError):
            self._move_aside(path)
            return None

    def _move_aside(self, path: Path) -> None:
        self.corrupt_dir.mkdir(parents=True, exist_ok=True)
        target = self.corrupt_dir / f"{path.stem}.{time.strftime('%Y%m%dT%H%M%S')}.{uuid.uuid4().hex[:6]}.parquet"
        try:
            os.replace(path, target)
        except FileNotFoundError:  # another driver moved it first
            return
        self.set_aside.append(target)

    def _keys_on_disk(self, keys=None) -> list[str]:
        if keys is not None:
            return sorted(set(keys))
        return sorted(path.stem for path in self.points_dir.glob("*.parquet")) if self.points_dir.is_dir() else []

    def status(self, keys=None) -> dict[str, str]:
        """``{key: status}`` of every stored point (or of ``keys``); corrupt files are moved aside."""
        found = {}
        for key in self._keys_on_disk(keys):
            table = self._read_point(self.point_path(key), columns=["status"])
            if table is not None and table.num_rows:
                found[key] = table.column("status")[0].as_py()
        return found

    def finished(self, keys=None) -> set[str]:
        """Keys of points stored as ``ok`` or ``quarantined`` (a rerun skips them; failed points run again)."""
        return {key for key, status in self.status(keys).items() if status in DONE}

    def read(self, keys=None) -> pd.DataFrame:
        """Stored rows (all, or those of ``keys``) as one DataFrame, sorted by key.

        Rows of failed points lack the analysis columns; they read as missing values. A column
        whose type differs between points (text for some, numbers for others) reads as objects.
        """
        tables = [table for key in self._keys_on_disk(keys)
                  if (table := self._read_point(self.point_path(key))) is not None]
        if not tables:
            return pd.DataFrame()
        try:
            return pa.concat_tables(tables, promote_options="permissive").to_pandas()
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pd.concat([table.to_pandas() for table in tables], ignore_index=True)

    def read_spikes(self, key: str) -> pd.DataFrame:
        """The spikes stored for point ``key`` (``neuron, t_ms``)."""
        return pd.read_parquet(self.spikes_path(key))

    # ----------------------------------------------------------------- writing
    def write(self, key: str, row: pd.DataFrame, spikes: pd.DataFrame | None = None) -> None:
        """Store one point's row (and spikes) atomically; the row file is written last."""
        if spikes is not None:
            write_parquet_atomically(spikes, self.spikes_path(key))
        write_parquet_atomically(row, self.point_path(key))

    # ------------------------------------------------------------------ claims
    def claim(self, key: str) -> bool | None:
        """Claim point ``key`` for this process: ``True`` if claimed (compute it, then
        :meth:`release`), ``False`` if it is already stored, ``None`` if another live process
        holds it."""
        if key in self._claims:
            return True
        self.claims_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.claims_dir / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            return None
        except OSError as error:  # a file system without locks: run, but without sharing the study
            if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP):
                os.close(handle)
                raise
            if not self._warned_no_locks:
                warnings.warn(f"{self.claims_dir} does not support file locks: drivers sharing this study may compute "
                              f"a point twice", stacklevel=2)
                self._warned_no_locks = True
        if key in self.finished([key]):
            os.close(handle)  # closing drops the lock
            return False
        os.ftruncate(handle, 0)
        os.write(handle, f"pid {os.getpid()}\n".encode())
        self._claims[key] = handle
        return True

    def release(self, key: str) -> None:
        """Give up the claim on ``key`` (after storing it, or when not computing it after all)."""
        handle = self._claims.pop(key, None)
        if handle is not None:
            os.close(handle)

    def release_all(self) -> None:
        for key in list(self._claims):
            self.release(key)

    # ----------------------------------------------------------------- crashes
    def record_crash(self, key: str) -> int:
        """Count one worker death while running ``key``; return the count so far."""
        self.crashes_dir.mkdir(parents=True, exist_ok=True)
        with open(self.crashes_dir / key, "ab") as log:
            log.write(b"x")
            return log.tell()
