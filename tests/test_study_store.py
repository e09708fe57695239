"""The study store in one process, fast: claims, crash counts, corrupt files, mixed-type rows.

The reliability tests (tests/test_study_reliability.py) check the same promises end to end with
real drivers in subprocesses; these call PointStore directly so that every line of
neurodyn/studies/store.py is exercised in well under a second (mutation testing, issue 17).
Reference: the module docstring of neurodyn.studies.store and POSIX flock semantics (a lock
belongs to an open file description, so two PointStore objects in one process exclude each other
just as two drivers do).
"""
import errno
import fcntl
import gc
import os
import stat
import sys
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neurodyn.studies.store import PointStore, arrow_table, write_parquet_atomically


def row(key, status, **values):
    return pd.DataFrame([{"point_key": key, "g": 1.0, **values, "status": status}])


def callers_files() -> set[str]:
    """Where a warning attributed to the caller of neurodyn may point: this file; under mutation
    testing also mutmut's trampoline, which sits between each mutated function and its caller."""
    return {__file__, *(str(Path(mutmut.__file__).parent / "mutation" / "trampoline.py")
                        for mutmut in [sys.modules.get("mutmut")] if mutmut and "MUTANT_UNDER_TEST" in os.environ)}


def open_fds(directory) -> int:
    """File descriptors of this process open on files under ``directory`` (other tests' files,
    closed by the garbage collector at any moment, do not count). Unreferenced readers (pyarrow
    files that reading the store left to the collector) are collected first; the claims' locks are
    raw descriptors (``os.open``), which only ``os.close`` closes, so a kept lock still counts."""
    gc.collect()
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(str(directory))
        except OSError:  # closed meanwhile
            pass
    return count


def test_arrow_table_stores_mixed_object_columns_as_text_and_keeps_missing_values():
    frame = pd.DataFrame({"a": [1.5, 2.5], "mixed": ["text", 3], "gap": ["x", None], "nan": [float("nan"), "y"]},
                         index=[5, 6])
    table = arrow_table(frame)
    assert table.column_names == ["a", "mixed", "gap", "nan"]          # no index column
    assert table.column("a").to_pylist() == [1.5, 2.5] and pa.types.is_floating(table.column("a").type)
    assert table.column("mixed").to_pylist() == ["text", "3"]
    assert table.column("gap").to_pylist() == ["x", None]
    assert table.column("nan").to_pylist() == [None, "y"]
    plain = arrow_table(pd.DataFrame({"n": [1, 2]}, index=[3, 4]))
    assert plain.column_names == ["n"] and plain.column("n").to_pylist() == [1, 2]


def test_atomic_write_uses_the_umask_and_removes_the_partial_file_on_any_interruption(tmp_path, monkeypatch):
    umask = os.umask(0o027)
    try:
        write_parquet_atomically(row("k", "ok"), tmp_path / "deep" / "k.parquet")
        os.umask(0)
        write_parquet_atomically(row("k", "ok"), tmp_path / "open.parquet")
        PointStore(tmp_path / "store").claim("k")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "deep" / "k.parquet").stat().st_mode) == 0o640   # 0o666 & ~0o027
    assert stat.S_IMODE((tmp_path / "open.parquet").stat().st_mode) == 0o666         # rw for all, never x
    assert stat.S_IMODE((tmp_path / "store" / "claims" / "k.lock").stat().st_mode) == 0o666
    assert pd.read_parquet(tmp_path / "deep" / "k.parquet")["point_key"].tolist() == ["k"]

    def interrupted(table, where, **options):
        open(where, "wb").write(b"PAR1")
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_parquet_atomically(row("k", "ok"), tmp_path / "deep" / "j.parquet")
    assert os.listdir(tmp_path / "deep") == ["k.parquet"]


def test_corrupt_and_empty_point_files(tmp_path):
    store = PointStore(tmp_path)
    store.write("good", row("good", "ok", n=1))
    store.points_dir.joinpath("bad.parquet").write_bytes(b"PAR1 not a parquet file")
    write_parquet_atomically(row("empty", "ok").iloc[:0], store.point_path("empty"))
    assert store.status() == {"good": "ok"}                  # the empty file has no status, the bad one moved
    assert [path.parent for path in store.set_aside] == [tmp_path / "corrupt"]
    (moved,) = store.set_aside
    name, stamp, tag, suffix = moved.name.split(".")
    assert name == "bad" and len(stamp) == 15 and stamp[8] == "T" and len(tag) == 6 and suffix == "parquet"
    assert moved.read_bytes() == b"PAR1 not a parquet file" and not store.point_path("bad").exists()
    assert store.finished(["good", "bad", "missing"]) == {"good"}
    assert store.read(["missing"]).empty and store.read(["good", "missing"])["n"].tolist() == [1]
    # a corrupt file another driver already moved aside is not listed twice
    PointStore(tmp_path)._move_aside(store.point_path("gone"))
    assert len(list(store.corrupt_dir.iterdir())) == 1


def test_read_of_a_column_that_is_text_in_one_point_and_numbers_in_another(tmp_path):
    store = PointStore(tmp_path)
    store.write("a", row("a", "ok", value=2.5))
    store.write("b", row("b", "error", value="RuntimeError"))
    frame = store.read()
    assert frame["point_key"].tolist() == ["a", "b"] and frame["value"].tolist() == [2.5, "RuntimeError"]
    assert frame.index.tolist() == [0, 1]


def test_claims_exclude_a_second_store_until_released(tmp_path):
    first, second = PointStore(tmp_path / "new" / "study"), PointStore(tmp_path / "new" / "study")
    before = open_fds(tmp_path)
    assert first.claim("k") is True and first.claim("k") is True          # a second claim by the owner
    assert (tmp_path / "new" / "study" / "claims" / "k.lock").is_file()
    assert open_fds(tmp_path) == before + 1
    assert (first.claims_dir / "k.lock").read_text() == f"pid {os.getpid()}\n"
    assert second.claim("k") is None and open_fds(tmp_path) == before + 1         # refused, its handle closed
    first.release("k")
    first.release("k")                                                     # releasing twice is harmless
    assert open_fds(tmp_path) == before
    assert second.claim("k") is True and first.claim("k") is None
    second.release_all()
    assert open_fds(tmp_path) == before and first.claim("k") is True
    first.release_all()


def test_claim_of_a_stored_point_depends_on_its_status(tmp_path):
    first, second = PointStore(tmp_path), PointStore(tmp_path)
    first.write("ok", row("ok", "ok"))
    first.write("failed", row("failed", "error"))
    first.write("crashed", row("crashed", "quarantined"))
    before = open_fds(tmp_path)
    assert first.claim("ok") is False and first.claim("crashed") is False
    assert open_fds(tmp_path) == before and second.claim("ok") is False            # no lock kept on a stored point
    assert first.claim("failed") is True and second.claim("failed") is None  # a failed point runs again
    first.release_all()
    assert open_fds(tmp_path) == before


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_a_file_system_without_locks_warns_once_and_still_claims(tmp_path, monkeypatch, code):
    def no_locks(handle, operation):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    store = PointStore(tmp_path)
    store.write("done", row("done", "ok"))
    with pytest.warns(UserWarning, match="does not support file locks") as caught:
        assert store.claim("a") is True and store.claim("b") is True and store.claim("done") is False
    assert len(caught) == 1 and caught[0].filename in callers_files()      # stacklevel 2: the caller's line
    store.release_all()


def test_other_lock_errors_are_raised_without_leaking_the_handle(tmp_path, monkeypatch):
    def broken(handle, operation):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(fcntl, "flock", broken)
    store = PointStore(tmp_path)
    before = open_fds(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(OSError, match="I/O error"):
            store.claim("a")
    assert open_fds(tmp_path) == before and store._claims == {}


def test_crashes_are_counted_per_point(tmp_path):
    store = PointStore(tmp_path / "new")
    assert [store.record_crash("a"), store.record_crash("a"), store.record_crash("b"), store.record_crash("a")] == [
        1, 2, 1, 3]
    assert (tmp_path / "new" / "crashes" / "a").read_bytes() == b"xxx"


def test_status_and_finished_of_given_keys_only(tmp_path):
    store = PointStore(tmp_path)
    for key in ("a", "b", "c"):
        store.write(key, row(key, "ok"))
    assert store.status(["a", "zz"]) == {"a": "ok"} and store.finished(["b"]) == {"b"}
    assert store.finished() == {"a", "b", "c"}
