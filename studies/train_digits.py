"""Train the small networks that studies/convert_digits.py converts (shipped trained in data/).

scikit-learn's bundled 8x8 digits (1797 images, no download), pixels scaled to [0, 1] by /16,
a fixed stratified split (neurodyn.convert.datasets.digits_split: test_size=0.2, seed 0).

- ``digits_mlp.npz``: scikit-learn MLPClassifier, one hidden layer of 64 ReLU units (adam,
  random_state=0).
- ``digits_cnn.npz`` (``--cnn``, needs the torch extra): PyTorch Conv2d(1, 8, 3, padding=1)
  -> ReLU -> AvgPool2d(2) -> Flatten -> Linear(128, 10), full-batch Adam, 300 epochs, seed 0. It
  is stored through neurodyn's PyTorch reader, which turns the convolution (and the pooling
  folded into the linear layer) into their dense equivalents.

Both are written in neurodyn's .npz layout (neurodyn.convert.readers), under ``--out``
(default ``results/train_digits``; convert them with ``convert_digits.py --data-dir DIR``). An
existing file is replaced only with ``--overwrite``; ``--update-data`` writes over the shipped,
git-tracked ``data/`` files (``--out data --overwrite``). Paths are checked before training.

    python studies/train_digits.py [--cnn] [--out DIR] [--overwrite | --update-data]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sklearn.neural_network import MLPClassifier

from neurodyn.convert import DenseNetwork, read_torch, write_npz
from neurodyn.convert.datasets import DIGITS_SEED, digits_split


def train_mlp(hidden: int = 64) -> tuple[DenseNetwork, float]:
    x_train, x_test, y_train, y_test = digits_split()
    mlp = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", max_iter=1000, random_state=DIGITS_SEED)
    mlp.fit(x_train, y_train)
    network = DenseNetwork.from_arrays([w.T for w in mlp.coefs_], mlp.intercepts_)
    return network, float(mlp.score(x_test, y_test))


def train_cnn(epochs: int = 300) -> tuple[DenseNetwork, float]:
    import torch

    torch.manual_seed(DIGITS_SEED)
    x_train, x_test, y_train, y_test = digits_split()
    images = torch.tensor(x_train, dtype=torch.float32).reshape(-1, 1, 8, 8)
    labels = torch.tensor(y_train)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.AvgPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(128, 10))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimiser.step()
    network = read_torch(model, input_shape=(1, 8, 8))
    return network, float((network.predict(x_test) == y_test).mean())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnn", action="store_true", help="also train the CNN (needs torch)")
    parser.add_argument("--out", default="results/train_digits", help="where to write (default results/train_digits)")
    parser.add_argument("--overwrite", action="store_true", help="replace networks already in --out")
    parser.add_argument("--update-data", action="store_true",
                        help="write over the shipped data/digits_*.npz (= --out data --overwrite)")
    args = parser.parse_args(argv)
    out, overwrite = (Path("data"), True) if args.update_data else (Path(args.out), args.overwrite)
    paths = {name: out / f"digits_{name}.npz" for name in ("mlp", "cnn") if name == "mlp" or args.cnn}
    existing = [str(path) for path in paths.values() if path.exists()]
    if existing and not overwrite:
        print(f"{parser.prog}: error: {', '.join(existing)} exist(s); give --overwrite to replace "
              f"(--update-data for the shipped data/ files) or another --out", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    network, accuracy = train_mlp()
    write_npz(network, paths["mlp"])
    print(f"MLP 64-64-10 test accuracy {accuracy:.4f} -> {paths['mlp']}")
    if args.cnn:
        network, accuracy = train_cnn()
        write_npz(network, paths["cnn"])
        print(f"CNN conv3x3x8-avgpool-10 test accuracy {accuracy:.4f} -> {paths['cnn']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
