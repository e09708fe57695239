"""Train the digits classifier with a *linear* hidden layer (64-10-10) that EI neurons convert.

NumPy only, deterministic, well under a second: ridge regression (ridge 1) of the one-hot labels
on the centred pixels of the training split (neurodyn.convert.datasets.digits_split) gives
W (10 x 64); its SVD W = U S V^T (rank 10, one per class, so 10 hidden units) is split evenly
between the layers, layer 0 = sqrt(S) V^T (bias -layer0 . mean pixel, activation "linear"), layer 1 = U sqrt(S)
(bias: mean one-hot target). ``neuron="if"`` and ``"quantized"`` refuse the linear hidden layer;
``neuron="ei"`` converts it (docs/convert.md). The shipped ``data/digits_linear_hidden.npz``
was written by the second command:

    python studies/train_linear_hidden.py        # -> results/train_linear_hidden/digits_linear_hidden.npz
    python studies/train_linear_hidden.py --out data/digits_linear_hidden.npz
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from neurodyn.convert import DenseNetwork, write_npz
from neurodyn.convert.datasets import digits_split

DEFAULT_OUT = Path("results/train_linear_hidden/digits_linear_hidden.npz")


def linear_bottleneck_classifier(x: np.ndarray, labels: np.ndarray, ridge: float = 1.0) -> DenseNetwork:
    """The two-layer linear network above, trained on pixels ``x`` (n, 64) and ``labels`` (n,)."""
    targets = np.eye(10)[labels]
    mean = x.mean(axis=0)
    centred = x - mean
    weight = np.linalg.solve(centred.T @ centred + ridge * np.eye(x.shape[1]), centred.T @ targets).T
    u, s, vt = np.linalg.svd(weight, full_matrices=False)
    w0 = np.sqrt(s)[:, None] * vt
    w1 = u * np.sqrt(s)
    return DenseNetwork.from_arrays([w0, w1], [-w0 @ mean, targets.mean(axis=0)], ["linear", "linear"])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the .npz to write (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    x_train, x_test, y_train, y_test = digits_split()
    network = linear_bottleneck_classifier(x_train, y_train)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(network, args.out)
    print(f"64-10-10 linear hidden layer, test accuracy {np.mean(network.predict(x_test) == y_test):.4f} "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
