"""``neurodyn convert``: table, parquet and plot; one-line errors with exit status 2."""
import numpy as np
import pandas as pd
import pytest

from neurodyn.cli import main


def test_convert_command_writes_frame_and_plot(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["convert", "data/digits_mlp.npz", "--samples", "60", "--T", "5,30", "--target", "numpy",
                 "--out", str(out), "--quiet"]) == 0
    frame = pd.read_parquet(out / "convert.parquet")
    assert list(frame["T"]) == [5, 30] and (frame["n_samples"] == 60).all()
    assert frame["snn_accuracy"].iloc[-1] >= frame["ann_accuracy"].iloc[-1] - 0.05
    assert (out / "accuracy_vs_T.png").stat().st_size > 10_000
    assert "snn_accuracy" in capsys.readouterr().out


def test_convert_command_reads_a_torch_state_dict(tmp_path):
    torch = pytest.importorskip("torch", reason="the torch reader needs the optional torch extra")
    from neurodyn.convert import read_npz

    ann = read_npz("data/digits_mlp.npz")
    state = {f"{k}.weight": torch.tensor(layer.weight) for k, layer in enumerate(ann.layers)}
    state.update({f"{k}.bias": torch.tensor(layer.bias) for k, layer in enumerate(ann.layers)})
    torch.save(state, tmp_path / "mlp.pt")
    assert main(["convert", str(tmp_path / "mlp.pt"), "--samples", "30", "--T", "20", "--target", "numpy",
                 "--out", str(tmp_path / "out"), "--quiet"]) == 0
    npz_frame = pd.read_parquet(tmp_path / "out" / "convert.parquet")
    assert main(["convert", "data/digits_mlp.npz", "--samples", "30", "--T", "20", "--target", "numpy",
                 "--out", str(tmp_path / "out2"), "--quiet"]) == 0
    pd.testing.assert_frame_equal(npz_frame.drop(columns="wall_s"),
                                  pd.read_parquet(tmp_path / "out2" / "convert.parquet").drop(columns="wall_s"))


def test_convert_command_errors_are_one_line(tmp_path, capsys):
    np.savez(tmp_path / "nan.npz", layer0_weight=np.full((10, 64), np.nan))
    (tmp_path / "text.npz").write_text("nonsense")
    cases = [
        ([str(tmp_path / "nan.npz")], "layer0: weight contains 640 NaN"),
        ([str(tmp_path / "text.npz")], "not a readable .npz archive"),
        (["data/digits_mlp.npz", "--data", str(tmp_path / "absent.npz")], "no such file"),
        (["data/digits_mlp.npz", "--T", "0,5"], "--T values must be >= 1"),
        (["data/digits_mlp.npz", "--dt", "1"], "--dt needs a unit of time"),
        (["data/digits_mlp.npz", "--percentile", "high"], "--percentile expects a number"),
        (["data/digits_mlp.npz", "--percentile", "120"], "percentile must be in (0, 100]"),
        (["data/digits_mlp.npz", "--samples", "0"], "--samples must be >= 1"),
    ]
    for arguments, message in cases:
        assert main(["convert", *arguments, "--out", str(tmp_path / "o"), "--quiet"]) == 2
        error = capsys.readouterr().err.strip()
        assert message in error and len(error.splitlines()) == 1
