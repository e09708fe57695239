"""The example data set: scikit-learn's bundled 8x8 digits (1797 images, no download)."""
from __future__ import annotations

import numpy as np

#: Seed of the fixed train/test split and of the example MLP's training.
DIGITS_SEED = 0


def digits_split(test_size: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, x_test, y_train, y_test)``: pixels / 16 (in [0, 1]), stratified split, seed 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    return train_test_split(digits.data / 16.0, digits.target, test_size=test_size, random_state=DIGITS_SEED,
                            stratify=digits.target)
