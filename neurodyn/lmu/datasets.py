"""Sequential 8x8 digits: scikit-learn's bundled digits read pixel by pixel (64 steps, 1 feature)."""
from __future__ import annotations

import numpy as np

from neurodyn.convert.datasets import digits_split


def sequential_digits(test_size: float = 0.2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, x_test, y_train, y_test)`` with ``x`` of shape ``(n, 64, 1)``: the pixels (/16,
    in [0, 1]) in row-major order, one per step; the split of :func:`neurodyn.convert.datasets.digits_split`."""
    x_train, x_test, y_train, y_test = digits_split(test_size)
    return x_train[:, :, None], x_test[:, :, None], np.asarray(y_train), np.asarray(y_test)
