"""Train the LMUs that studies/convert_lmu.py imports into Brian2 (shipped trained in data/).

Sequential 8x8 digits (scikit-learn's bundled digits, the split of neurodyn.convert.datasets,
one pixel per step: 64 steps, 1 feature), an LMU with memory order 16 over theta = 64 steps and
64 hidden units (neurodyn.lmu.training.TrainingSetup), PyTorch on one thread, seed 0:

- ``data/digits_lmu.npz``: the hybrid, quantized hidden units at ``dt = 4`` (``amplitude = 1``),
  ``dt`` annealed from 1000 (non-spiking) to 4 during training;
- ``data/digits_lmu_ann.npz``: the non-spiking LMU (ReLU);
- ``data/digits_lmu_if.npz``: the fully spiking version, integrate-and-fire hidden units
  (``dt = 1``), the cap on quanta per step annealed from 64 to 1.

They are written under ``--data-dir`` (default ``results/train_lmu``; convert them with
``convert_lmu.py --data-dir DIR``); existing files are replaced only with ``--overwrite``, and
``--update-data`` writes over the shipped, git-tracked ``data/`` files. Checked before training.

``--levels DT,DT,...`` also trains one hybrid per quantization level into
``results/lmu_levels/digits_lmu_dt<DT>.npz`` (for the figure of convert_lmu.py --levels).

    python studies/train_lmu.py [--epochs 100] [--levels 0.5,1,2,8,16] [--data-dir DIR] [--overwrite | --update-data]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from neurodyn.lmu.datasets import sequential_digits
from neurodyn.lmu.readers import write_lmu_npz
from neurodyn.lmu.torch_lmu import torch, torch_forward
from neurodyn.lmu.training import TrainingSetup, train_lmu

HYBRID_DT = 4.0
IF_DT = 1.0


def train_and_store(mode: str, dt: float, path: Path, setup: TrainingSetup) -> None:
    x_train, x_test, y_train, y_test = sequential_digits()
    started = time.perf_counter()
    weights = train_lmu(x_train, y_train, mode, dt, setup=setup)
    scores, _ = torch_forward(weights, x_test, mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_lmu_npz(weights, path)
    print(f"{mode:8s} dt={dt:g}: test accuracy {np.mean(scores.argmax(1) == y_test):.4f}, "
          f"{time.perf_counter() - started:.0f} s -> {path}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--data-dir", default="results/train_lmu", help="where to write (default results/train_lmu)")
    parser.add_argument("--overwrite", action="store_true", help="replace LMUs already there")
    parser.add_argument("--update-data", action="store_true",
                        help="write over the shipped data/digits_lmu*.npz (= --data-dir data --overwrite)")
    parser.add_argument("--levels", default="", help="comma-separated dt of extra hybrids (results/lmu_levels/)")
    parser.add_argument("--levels-dir", default="results/lmu_levels")
    args = parser.parse_args(argv)
    data, overwrite = (Path("data"), True) if args.update_data else (Path(args.data_dir), args.overwrite)
    runs = [("hybrid", HYBRID_DT, data / "digits_lmu.npz"), ("ann", 1.0, data / "digits_lmu_ann.npz"),
            ("spiking", IF_DT, data / "digits_lmu_if.npz")]
    runs += [("hybrid", level, Path(args.levels_dir) / f"digits_lmu_dt{level:g}.npz")
             for level in (float(part) for part in args.levels.split(",") if part.strip())]
    existing = [str(path) for _, _, path in runs if path.exists()]
    if existing and not overwrite:
        print(f"{parser.prog}: error: {', '.join(existing)} exist(s); give --overwrite to replace "
              f"(--update-data for the shipped data/ files) or another --data-dir", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    setup = TrainingSetup(epochs=args.epochs, n_hidden=64, order=16, theta=64.0)
    for mode, dt, path in runs:
        train_and_store(mode, dt, path, setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
