"""A study's stored points: a rerun skips finished points and runs failed ones again (README:
"it runs again on the next rerun"); the store reads what was written."""
from pathlib import Path

import pandas as pd
import pytest
from study_helpers import tiny_study_module

from neurodyn.studies import PointStore, product


def row(key, status, **values):
    return pd.DataFrame([{"point_key": key, "g": 1.0, **values, "status": status,
                          "error": None if status == "ok" else "RuntimeError: boom"}])


def test_store_reports_only_ok_points_as_finished(tmp_path):
    store = PointStore(tmp_path)
    assert store.status() == {} and store.finished() == set() and store.read().empty
    store.write("a", row("a", "ok", mean_rate_hz=3.0))
    store.write("b", row("b", "error"))
    store.write("c", row("c", "ok", mean_rate_hz=5.0), spikes=pd.DataFrame({"neuron": [1, 0], "t_ms": [0.5, 2.0]}))
    assert store.status() == {"a": "ok", "b": "error", "c": "ok"}
    assert store.finished() == {"a", "c"}
    frame = store.read()
    assert frame["point_key"].tolist() == ["a", "b", "c"]
    assert frame["mean_rate_hz"].isna().tolist() == [False, True, False]
    assert store.read(["c", "b"])["point_key"].tolist() == ["b", "c"]
    assert store.read_spikes("c").to_dict("list") == {"neuron": [1, 0], "t_ms": [0.5, 2.0]}
    assert not store.spikes_path("a").exists()
    # a point written again replaces its row (a failed point that now finished)
    store.write("b", row("b", "ok", mean_rate_hz=4.0))
    assert store.finished() == {"a", "b", "c"} and store.read(["b"])["mean_rate_hz"].tolist() == [4.0]


@pytest.fixture(scope="module")
def failed_then_fixed(tmp_path_factory):
    """Two points, one failing in an analysis; rerun with the failing analysis; rerun without it."""
    tiny = tiny_study_module()
    grid = product(g=[0.5, 8.0])
    failing = tiny.FAILING.replace(grid=grid)
    fixed = tiny.STUDY.replace(grid=grid, keep_spikes=True)
    out = tmp_path_factory.mktemp("rerun")
    runs = [failing.run(out, workers=1, progress=False, print_table=False)]
    first_files = {path.name: path.stat().st_mtime_ns for path in (out / "points").glob("*.parquet")}
    runs.append(failing.run(out, workers=1, progress=False, print_table=False))
    second_files = {path.name: path.stat().st_mtime_ns for path in (out / "points").glob("*.parquet")}
    runs.append(fixed.run(out, workers=1, progress=False, print_table=False))
    return out, runs, first_files, second_files


def test_failed_point_runs_again_and_finished_point_does_not(failed_then_fixed):
    out, (first, second, third), first_files, second_files = failed_then_fixed
    assert first.set_index("g")["status"].to_dict() == {0.5: "ok", 8.0: "error"}
    failed_key = first.loc[first["g"] == 8.0, "point_key"].item()
    ok_key = first.loc[first["g"] == 0.5, "point_key"].item()
    # the rerun wrote the failed point again and left the finished one alone
    assert second_files[f"{ok_key}.parquet"] == first_files[f"{ok_key}.parquet"]
    assert second_files[f"{failed_key}.parquet"] != first_files[f"{failed_key}.parquet"]
    assert second.set_index("g")["status"].to_dict() == {0.5: "ok", 8.0: "error"}
    # with the analysis fixed (another analysis and keep_spikes: another stored row, so another key,
    # issue 13) both points are computed for the new definition; the old rows stay as they were
    assert third.set_index("g")["status"].to_dict() == {0.5: "ok", 8.0: "ok"}
    assert set(third["point_key"]).isdisjoint({ok_key, failed_key})
    finished = third.set_index("g")
    assert finished.loc[8.0, "spikes_after_transient"] == finished.loc[8.0, "n_spikes"]
    assert PointStore(out).finished() == {ok_key, *third["point_key"]}


def test_store_layout_and_atomic_writes(tmp_path, monkeypatch):
    """points/<key>.parquet and spikes/<key>.parquet under a directory created on demand; each file
    is written under a hidden temporary name in its own directory (never matching *.parquet) and
    moved into place; a failed write leaves nothing behind; the row's index is not stored."""
    import os

    store = PointStore(tmp_path / "new" / "study")
    moves = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (moves.append((Path(src), Path(dst))), real_replace(src, dst)))
    frame = row("k1", "ok", mean_rate_hz=2.0)
    frame.index = [7]
    store.write("k1", frame, spikes=pd.DataFrame({"neuron": [0], "t_ms": [1.0]}))
    assert (tmp_path / "new" / "study" / "points" / "k1.parquet").is_file()
    assert (tmp_path / "new" / "study" / "spikes" / "k1.parquet").is_file()
    assert [dst.name for _, dst in moves] == ["k1.parquet", "k1.parquet"]
    assert [dst.parent.name for _, dst in moves] == ["spikes", "points"]          # the row last
    for src, dst in moves:
        assert src.parent == dst.parent and src.name.startswith(".k1.") and not src.name.endswith(".parquet")
    import pyarrow.parquet as pq

    columns = ["point_key", "g", "mean_rate_hz", "status", "error"]
    assert list(store.read().columns) == columns and store.read().index.tolist() == [0]
    assert pq.read_table(store.point_path("k1")).column_names == columns
    monkeypatch.setattr(os, "replace", real_replace)

    def disk_full(table, where, **options):
        open(where, "wb").write(b"PAR1 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.write("k2", row("k2", "ok"))
    assert sorted(path.name for path in store.points_dir.iterdir()) == ["k1.parquet"]
