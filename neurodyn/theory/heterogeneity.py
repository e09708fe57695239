"""Heterogeneity as a spread at fixed mean: excitabilities uniform in [I_0 - Delta/2, I_0 + Delta/2].

Sweeping the top ``I_u`` at a fixed bottom ``I_l = 1`` widens the spread and raises the mean drive
together; at a fixed mean ``I_0`` the spread ``Delta`` is the only thing that changes. At g = 1
the global mean field gives n_A = 0.643 / 0.526 / 0.472 for Delta = 0.2 / 0.5 / 1.0 around
I_0 = 1.25 (fewer active with more heterogeneity), but 0.402 / 0.526 / 0.601 for I_u = 1.2 /
1.5 / 2.0 with I_l = 1.
"""
from __future__ import annotations

import math

import numpy as np

from neurodyn.errors import ParameterError


def even_excitabilities(N: int, I_l: float, I_u: float) -> np.ndarray:
    """``I_l + (I_u - I_l)(k + 1/2)/N``, k = 0 ... N-1: the evenly spaced quantiles of U[I_l, I_u]
    (the network's ``I_sampling="even"``).

    >>> even_excitabilities(4, 1.0, 1.5).tolist()
    [1.0625, 1.1875, 1.3125, 1.4375]
    """
    return I_l + (I_u - I_l) * ((np.arange(N) + 0.5) / N)


def fixed_mean_range(mean: float, spread: float) -> tuple[float, float]:
    """``(I_l, I_u) = (mean - spread/2, mean + spread/2)``; the spread must be finite and >= 0.

    >>> fixed_mean_range(1.25, 0.5)
    (1.0, 1.5)
    """
    if not (math.isfinite(mean) and math.isfinite(spread)):
        raise ParameterError(f"mean and spread must be finite, got mean={mean}, spread={spread}")
    if spread < 0:
        raise ParameterError(f"the spread must be >= 0, got {spread}")
    return mean - spread / 2, mean + spread / 2


def fixed_mean_axes(mean: float, spreads) -> dict[str, list[float]]:
    """``{"I_l": [...], "I_u": [...]}`` for the spreads around ``mean``, to walk together
    (``neurodyn.studies.zipped(**fixed_mean_axes(1.25, (0.2, 0.5, 1.0)))``)."""
    ranges = [fixed_mean_range(mean, float(spread)) for spread in spreads]
    if not ranges:
        raise ParameterError("give at least one spread")
    return {"I_l": [low for low, _ in ranges], "I_u": [high for _, high in ranges]}
