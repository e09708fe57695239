"""studies/train_digits.py and train_lmu.py write under results/ (or --out / --data-dir), never over
the shipped data/ files unless asked: existing networks are refused before any training."""
import hashlib
import runpy
from pathlib import Path

import numpy as np
import pytest

from neurodyn.convert import read_npz
from neurodyn.convert.datasets import digits_split

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "studies" / "train_digits.py"
SHIPPED = ROOT / "data" / "digits_mlp.npz"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_training_writes_to_out_and_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)   # the default --out, results/train_digits, lands here
    main = runpy.run_path(str(SCRIPT), run_name="train_digits")["main"]
    shipped = digest(SHIPPED)
    assert main([]) == 0
    written = tmp_path / "results" / "train_digits" / "digits_mlp.npz"
    assert f"-> {Path('results/train_digits/digits_mlp.npz')}" in capsys.readouterr().out
    _, x_test, _, y_test = digits_split()
    trained, reference = read_npz(written), read_npz(SHIPPED)
    # the same recipe (seeded sklearn MLP) as the shipped network: the same test accuracy within 1 point
    assert np.mean(trained.predict(x_test) == y_test) == pytest.approx(np.mean(reference.predict(x_test) == y_test),
                                                                        abs=0.01)
    before = digest(written)
    assert main([]) == 2
    assert "digits_mlp.npz exist(s); give --overwrite" in capsys.readouterr().err
    assert digest(written) == before and digest(SHIPPED) == shipped


def test_lmu_training_refuses_existing_files_before_training(tmp_path, capsys):
    """studies/train_lmu.py (minutes of training) checks its outputs first: an LMU already in
    --data-dir stops it at once with exit status 2, the file untouched; data/ is not the default."""
    main = runpy.run_path(str(ROOT / "studies" / "train_lmu.py"), run_name="train_lmu")["main"]
    existing = tmp_path / "digits_lmu_if.npz"
    existing.write_bytes(b"earlier")
    assert main(["--data-dir", str(tmp_path), "--epochs", "1"]) == 2
    assert f"{existing} exist(s); give --overwrite" in capsys.readouterr().err
    assert existing.read_bytes() == b"earlier" and sorted(tmp_path.iterdir()) == [existing]
