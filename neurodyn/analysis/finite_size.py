"""Asynchronous or collective? The finite-size scaling of the synchrony measure chi.

In an asynchronous state of N neurons the population mean of the potentials fluctuates only
through finite-size noise, so the Golomb-Hansel chi (:func:`neurodyn.analysis.chi_from_voltage`)
falls like ``c N^{-1/2}``; in a collective oscillation it tends to a finite value. So the state is
read from how chi changes with N, not from a threshold on chi: fit

    ln chi = a + b ln N

by weighted least squares over the sizes (weights ``1 / sigma(ln chi)^2 = (chi / sigma_chi)^2``,
the covariance taken from the given errors, not rescaled by the residuals): ``b = -1/2``
asynchronous, ``b = 0`` collective. At a (mean-field, supercritical) Hopf onset the amplitude of
the collective mode obeys ``dA/dt = eps A - |A|^2 A + noise / sqrt(N)``, so at ``eps = 0`` chi
scales like ``N^{-1/4}``: the state is called synchronous where ``b > -1/4``, and the onset is
where the fitted exponent crosses -1/4 (the finite-size-scaling reading of a critical point; no
threshold on chi itself). The exponent is not compared with -1/2 by its error: in the
asynchronous state of the delayed network (I in [1.4, 1.6], tau_d = 0.1 tau_m, g = 0.3 and 0.45,
N = 400 to 6400) the fits gave b = -0.45 to -0.46 with errors of 0.015, chi sqrt(N) still
growing slowly with N, which a test against -1/2 would call synchronous.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodyn.errors import ParameterError

ASYNCHRONOUS_EXPONENT = -0.5  # chi ~ N^{-1/2} without collective dynamics
CRITICAL_EXPONENT = -0.25  # chi ~ N^{-1/4} at a mean-field Hopf onset


@dataclass(frozen=True)
class ChiScaling:
    """Fit ``chi = A N^b``: ``exponent`` b with standard error ``error``, amplitude ``A``."""

    exponent: float
    error: float
    amplitude: float

    def margin(self) -> float:
        """``(b + 1/4) / sigma_b``: standard errors by which b lies above (> 0) or below the
        critical -1/4; a verdict with ``|margin| < 2`` is uncertain."""
        return (self.exponent - CRITICAL_EXPONENT) / self.error

    def is_synchronous(self) -> bool:
        """Whether ``b > -1/4`` (collective dynamics; module notes)."""
        return bool(self.exponent > CRITICAL_EXPONENT)


def chi_scaling(sizes, chi, chi_error) -> ChiScaling:
    """Weighted least-squares fit of ``ln chi = ln A + b ln N`` (module notes).

    ``sizes``, ``chi`` and ``chi_error`` are matching sequences over at least two distinct sizes;
    every chi and error must be positive and finite.
    """
    n, value, error = (np.asarray(x, dtype=float).ravel() for x in (sizes, chi, chi_error))
    if not (n.shape == value.shape == error.shape):
        raise ParameterError(f"sizes, chi and chi_error must have one length; got {n.size}, {value.size}, "
                             f"{error.size}")
    if len(np.unique(n)) < 2:
        raise ParameterError(f"the fit needs at least two distinct sizes, got {n.tolist()}")
    for name, x in (("sizes", n), ("chi", value), ("chi_error", error)):
        if not np.all(np.isfinite(x) & (x > 0)):
            raise ParameterError(f"{name} must be positive and finite, got {x.tolist()}")
    x, y, weight = np.log(n), np.log(value), (value / error) ** 2
    design = np.stack([np.ones_like(x), x], axis=1)
    covariance = np.linalg.inv(design.T @ (weight[:, None] * design))
    intercept, slope = covariance @ design.T @ (weight * y)
    return ChiScaling(exponent=float(slope), error=float(np.sqrt(covariance[1, 1])), amplitude=float(np.exp(intercept)))


def chi_with_error(voltage, blocks: int = 5, population_mean=None) -> tuple[float, float]:
    """chi of a record of shape (n_neurons, n_times) and its standard error from ``blocks``
    contiguous blocks of time (the spread of the block values over ``sqrt(blocks)``).

    With ``population_mean`` (the mean potential of the whole network at the same times) the record
    may be a sample of the neurons: chi^2 = Var_t[population_mean] / mean over the sample of
    Var_t[v_i] (for networks too large to record every potential)."""
    v = np.asarray(voltage, dtype=float)
    if v.ndim != 2 or blocks < 2 or v.shape[1] < 2 * blocks:
        raise ParameterError(f"need a (neurons, times) record with at least 2 samples per block and "
                             f"blocks >= 2; got shape {v.shape}, blocks={blocks}")
    mean = v.mean(axis=0) if population_mean is None else np.asarray(population_mean, dtype=float).ravel()
    if mean.shape != (v.shape[1],):
        raise ParameterError(f"population_mean must have one value per time ({v.shape[1]}), got {mean.shape}")

    def chi(columns):
        return float(np.sqrt(mean[columns].var() / v[:, columns].var(axis=1).mean()))

    parts = [chi(columns) for columns in np.array_split(np.arange(v.shape[1]), blocks)]
    return chi(slice(None)), float(np.std(parts, ddof=1) / np.sqrt(blocks))
