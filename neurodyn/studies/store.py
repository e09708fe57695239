"""The on-disk dataset of a study: one Parquet file per finished point.

Layout of a study's output directory::

    points/<key>.parquet    one row: parameters, seed, analysis summary, timings, versions, status
    spikes/<key>.parquet    the point's spikes (neuron, t_ms), only when the study keeps them

``<key>`` is a stable hash of what defines the point (model, parameters with the seed, run
settings). Every file is written to a temporary name in the same directory and moved into
place with :func:`os.replace`, which is atomic on POSIX: a reader or a rerun never sees a
half-written point, and a killed driver loses only the points still being computed.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

#: Status of a point whose simulation and analyses finished.
OK = "ok"
#: Status of a point that raised; its ``error`` column holds the exception.
ERROR = "error"


def write_parquet_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` via a temporary file and :func:`os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), partial)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


class PointStore:
    """Finished points of one study under ``directory`` (see the module docstring)."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.points_dir = self.directory / "points"
        self.spikes_dir = self.directory / "spikes"

    def point_path(self, key: str) -> Path:
        return self.points_dir / f"{key}.parquet"

    def spikes_path(self, key: str) -> Path:
        return self.spikes_dir / f"{key}.parquet"

    def status(self) -> dict[str, str]:
        """``{key: status}`` of every stored point."""
        if not self.points_dir.is_dir():
            return {}
        return {path.stem: pq.read_table(path, columns=["status"]).column("status")[0].as_py()
                for path in sorted(self.points_dir.glob("*.parquet"))}

    def finished(self) -> set[str]:
        """Keys of points stored with status ``ok`` (a rerun skips them; failed points run again)."""
        return {key for key, status in self.status().items() if status == OK}

    def write(self, key: str, row: pd.DataFrame, spikes: pd.DataFrame | None = None) -> None:
        """Store one point's row (and spikes) atomically; the row file is written last."""
        if spikes is not None:
            write_parquet_atomically(spikes, self.spikes_path(key))
        write_parquet_atomically(row, self.point_path(key))

    def read(self, keys=None) -> pd.DataFrame:
        """All stored rows (or those of ``keys``) as one DataFrame, sorted by key.

        Rows of failed points lack the analysis columns; they read as missing values.
        """
        paths = sorted(self.points_dir.glob("*.parquet")) if self.points_dir.is_dir() else []
        if keys is not None:
            wanted = set(keys)
            paths = [path for path in paths if path.stem in wanted]
        if not paths:
            return pd.DataFrame()
        tables = [pq.read_table(path) for path in paths]
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()

    def read_spikes(self, key: str) -> pd.DataFrame:
        """The spikes stored for point ``key`` (``neuron, t_ms``)."""
        return pd.read_parquet(self.spikes_path(key))
