"""Train the small MLP that studies/convert_digits.py converts, and store it as data/digits_mlp.npz.

scikit-learn's bundled 8x8 digits (1797 images, no download), pixels scaled to [0, 1] by /16,
a fixed stratified split (test_size=0.2, random_state=0), and an MLPClassifier with one
hidden layer of 64 ReLU units (adam, random_state=0). The archive holds the layer weights in
neurodyn's .npz layout (neurodyn.convert.readers); neurodyn.convert.datasets.digits_split gives
the conversion study and the tests exactly the same held-out images.

    python studies/train_digits.py [--out data/digits_mlp.npz]
"""
from __future__ import annotations

import argparse

from sklearn.neural_network import MLPClassifier

from neurodyn.convert import DenseNetwork, write_npz
from neurodyn.convert.datasets import DIGITS_SEED, digits_split


def train(hidden: int = 64) -> tuple[DenseNetwork, float]:
    x_train, x_test, y_train, y_test = digits_split()
    mlp = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", max_iter=1000, random_state=DIGITS_SEED)
    mlp.fit(x_train, y_train)
    network = DenseNetwork.from_arrays([w.T for w in mlp.coefs_], mlp.intercepts_)
    return network, float(mlp.score(x_test, y_test))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="data/digits_mlp.npz")
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args(argv)
    network, accuracy = train(args.hidden)
    write_npz(network, args.out)
    print(f"MLP 64-{args.hidden}-10 test accuracy {accuracy:.4f} -> {args.out}")


if __name__ == "__main__":
    main()
