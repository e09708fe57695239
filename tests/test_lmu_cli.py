"""``neurodyn convert`` on an LMU file runs the Brian2 LMU beside PyTorch and writes lmu.csv."""
import numpy as np
import pandas as pd

from neurodyn.cli import main
from neurodyn.lmu.readers import write_lmu_npz
from lmu_helpers import random_lmu, random_sequences


def test_convert_command_runs_an_lmu_file(tmp_path, capsys):
    weights = random_lmu()
    write_lmu_npz(weights, tmp_path / "lmu.npz")
    x = random_sequences(n_samples=6)
    np.savez(tmp_path / "data.npz", x_test=x, y_test=np.arange(6) % 3)
    assert main(["convert", str(tmp_path / "lmu.npz"), "--data", str(tmp_path / "data.npz"), "--target", "numpy",
                 "--lmu-mode", "hybrid", "--out", str(tmp_path / "out")]) == 0
    record = pd.read_csv(tmp_path / "out" / "lmu.csv").iloc[0]
    assert record["mode"] == "hybrid" and bool(record["counts_equal"])
    assert record["brian2_accuracy"] == record["torch_accuracy"]
    assert "hybrid: memory linear, hidden quantized" in capsys.readouterr().out


def test_convert_command_refuses_lmu_data_without_sequences(tmp_path, capsys):
    write_lmu_npz(random_lmu(), tmp_path / "lmu.npz")
    np.savez(tmp_path / "data.npz", x_test=np.zeros((2, 3, 2)))
    assert main(["convert", str(tmp_path / "lmu.npz"), "--data", str(tmp_path / "data.npz"), "--target", "numpy"]) == 2
    assert "missing y_test" in capsys.readouterr().err
