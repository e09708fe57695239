"""Sparse coupling with quenched input disorder: a self-consistent distribution of rates.

Time in units of tau_m, rates per tau_m. Each neuron i receives K inputs drawn without
replacement from N neurons whose rates nu_j are heterogeneous. Its mean input is then not
``g R`` but ``g m_i`` with ``m_i = (1/K) sum_{j in inputs(i)} nu_j``, a quenched random variable
of mean R and variance

    Var(m_i) = Var(nu) / K * (N - K) / (N - 1)        (sampling without replacement)

On top of it the diffusion approximation adds the temporal (Poisson) fluctuation of the
K input trains, white noise of intensity ``sigma_i^2 = g^2 m_i / K``. With ``m = R + z sqrt(Var(m))``,
z ~ N(0, 1) (K independent draws: central limit), neuron (I, z) fires at the Siegert rate
``nu(I - g m, g sqrt(m / K))`` and the self-consistency reads

    R = < nu >_{I, z},        Var(nu) = < nu^2 >_{I, z} - R^2

(I uniform in [I_l, I_u], Gauss-Legendre in I and Gauss-Hermite in z). Without the quenched
term (``Var(m) = 0``) this is :func:`neurodyn.theory.sparse_mean_field`. Not included: the
non-Poisson statistics of the inputs (bursts at large g) and input correlations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from neurodyn.errors import ParameterError
from neurodyn.theory.heterogeneity import even_excitabilities
from neurodyn.theory.meanfield import MeanFieldSolution, tau_m_seconds, free_rate

_LEGENDRE = np.polynomial.legendre.leggauss(96)
SILENT_BARRIER = 6.0  # (1 - mu)/sigma above this: rate < 1e-15 per tau_m, taken as 0


def siegert_rates(mu, sigma) -> np.ndarray:
    """Vectorised Siegert rate per tau_m (threshold 1, reset 0, no refractory period)::

        1/nu = sqrt(pi) int_{-mu/sigma}^{(1-mu)/sigma} erfcx(-u) du      (erfcx(-u) = e^{u^2}(1 + erf u))

    by 96-point Gauss-Legendre on the negative and the positive part of the range separately;
    the free rate where ``sigma = 0``, and 0 where ``(1 - mu)/sigma > SILENT_BARRIER``.
    """
    mu, sigma = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float))
    noisy = sigma > 0
    s = np.where(noisy, sigma, 1.0)
    lower, upper = -mu / s, (1.0 - mu) / s
    x, w = _LEGENDRE

    def piece(a, b):
        a, b = np.minimum(a, b), b
        half = (b - a)[..., None] / 2
        return (half * w * special.erfcx(-((a + b)[..., None] / 2 + half * x))).sum(-1)

    upper_c = np.minimum(upper, SILENT_BARRIER)
    integral = piece(lower, np.minimum(upper_c, 0.0)) + piece(np.maximum(lower, 0.0), np.maximum(upper_c, 0.0))
    with np.errstate(divide="ignore"):
        rate = np.where(upper > SILENT_BARRIER, 0.0, 1.0 / (np.sqrt(np.pi) * integral))
    return np.where(noisy, rate, free_rate(mu))


@dataclass(frozen=True)
class RateDistribution:
    """Self-consistent sparse state: mean rate ``rate_per_tau_m``, across-neuron variance
    ``rate_variance`` (per tau_m squared), active fraction ``n_active_frac``, the quenched std of the
    input mean and, with ``tau_m`` (seconds) known, the mean rate in Hz :attr:`mean_rate_hz`."""

    g: float
    K: int
    rate_per_tau_m: float
    rate_variance: float
    n_active_frac: float
    input_mean_std: float
    tau_m: float | None = None

    mean_rate_hz = MeanFieldSolution.mean_rate_hz
    observables = MeanFieldSolution.observables


def quenched_sparse_mean_field(g: float, K: int, I_l: float = 1.0, I_u: float = 1.5, N: int | None = None,
                               window: float | None = None, quenched: bool = True, nodes_I: int = 64,
                               nodes_z: int = 40, tol: float = 1e-9, max_iter: int = 200,
                               tau_m=None) -> RateDistribution:
    """The distribution of rates with quenched input means (module docstring).

    ``N`` (optional) applies the finite-population correction ``(N - K)/(N - 1)``. ``n_active_frac``
    is ``< 1 - exp(-nu window) >`` (share with a spike in ``window`` tau_m, Poisson), or the share
    with nu > 0 without a window. ``quenched=False`` drops the quenched term (the plain diffusion
    approximation, as :func:`neurodyn.theory.sparse_mean_field`). ``tau_m`` (Brian2 quantity or
    seconds) adds the rate in Hz.
    """
    tau_m = tau_m_seconds(tau_m)
    if not g >= 0:
        raise ParameterError(f"g must be >= 0, got {g}")
    if not K >= 1:
        raise ParameterError(f"K must be >= 1, got {K}")
    if N is not None and N < K:
        raise ParameterError(f"N must be >= K, got N={N}, K={K}")
    if not I_l <= I_u:
        raise ParameterError(f"I_l must be <= I_u; got I_l={I_l}, I_u={I_u}")
    x, w = np.polynomial.legendre.leggauss(nodes_I)
    excitability = (I_l + I_u) / 2 + (I_u - I_l) / 2 * x
    weight_I = w / 2
    z, weight_z = special.roots_hermitenorm(nodes_z)
    weight_z = weight_z / weight_z.sum()
    correction = 1.0 if N is None or N == 1 else (N - K) / (N - 1)

    def rates(R, variance):
        spread = np.sqrt(max(variance, 0.0) * correction / K) if quenched else 0.0
        m = np.maximum(R + spread * z, 0.0)  # mean input rate per neuron (z: quenched draw)
        return siegert_rates(excitability[:, None] - g * m[None, :], g * np.sqrt(m[None, :] / K)), spread

    def weighted(values):
        return float(weight_I @ values @ weight_z)

    def solve_rate(variance):
        top = float(rates(0.0, variance)[0].max()) + 1.0
        return optimize.brentq(lambda R: R - weighted(rates(R, variance)[0]), 0.0, top, xtol=1e-12)

    variance = 0.0
    for _ in range(max_iter):
        R = solve_rate(variance)
        nu, _ = rates(R, variance)
        new_variance = max(weighted(nu**2) - R**2, 0.0)
        if not quenched or abs(new_variance - variance) < tol * max(1.0, variance):
            variance = new_variance
            break
        variance = 0.5 * (variance + new_variance)
    R = solve_rate(variance)
    nu, spread = rates(R, variance)
    active = 1.0 - np.exp(-nu * window) if window is not None else (nu > 0).astype(float)
    return RateDistribution(g=g, K=K, rate_per_tau_m=R, rate_variance=max(weighted(nu**2) - R**2, 0.0),
                            n_active_frac=weighted(active), input_mean_std=spread, tau_m=tau_m)


def shot_noise_mean_field(g: float, K: int, I_l: float = 1.0, I_u: float = 1.5, N: int | None = None,
                          alpha: float = 20.0, window: float | None = None, n_excitabilities: int = 64,
                          n_draws: int = 16, duration: float = 60.0, dt: float = 0.01, iterations: int = 12,
                          seed: int = 0, tau_m=None) -> RateDistribution:
    """Self-consistent rates with *Poisson shot-noise* input of the true pulse size, by sampling.

    Unlike the diffusion approximation, inhibition here is one-sided: each of the K input trains
    (Poisson, rate m_i; m_i quenched as in :func:`quenched_sparse_mean_field`) lowers v through
    an alpha pulse of area g/K, so a neuron never fires faster than when free. Model neurons
    (``n_excitabilities`` evenly spaced I times ``n_draws`` quantiles of z) are integrated exactly
    per step ``dt`` (tau_m) for ``duration`` tau_m (the first 10 % dropped) with the same random
    numbers in every iteration; R and Var(nu) are iterated with damping 1/2 from the global mean
    field's rate. Sampling error of a neuron's rate ~ sqrt(nu / duration). ``tau_m`` (Brian2
    quantity or seconds) adds the rate in Hz.
    """
    from scipy.linalg import expm

    from neurodyn.theory.meanfield import global_mean_field

    tau_m = tau_m_seconds(tau_m)
    if not (g >= 0 and K >= 1 and I_l <= I_u and alpha > 0 and duration > 0 and dt > 0):
        raise ParameterError(f"need g >= 0, K >= 1, I_l <= I_u, alpha, duration, dt > 0; got g={g}, K={K}, "
                             f"I_l={I_l}, I_u={I_u}, alpha={alpha}, duration={duration}, dt={dt}")
    excitability = np.repeat(even_excitabilities(n_excitabilities, I_l, I_u), n_draws)
    z = np.tile(special.ndtri((np.arange(n_draws) + 0.5) / n_draws), n_excitabilities)
    correction = 1.0 if N is None or N == 1 else (N - K) / (N - 1)
    propagator = expm(np.array([[-1.0, -g, 0.0], [0.0, -alpha, alpha], [0.0, 0.0, -alpha]]) * dt)
    steps, burn = int(round(duration / dt)), int(round(0.1 * duration / dt))

    def rates(R, variance):
        m = np.maximum(R + z * np.sqrt(variance * correction / K), 0.0)
        rng = np.random.default_rng(seed)
        v, x, y = rng.random(excitability.size), m.copy(), m.copy()   # the filter's mean: x = y = m
        drive = (1.0 - np.exp(-dt)) * excitability
        count = np.zeros(excitability.size)
        for step in range(steps):
            v, x, y = (propagator[0, 0] * v + propagator[0, 1] * x + propagator[0, 2] * y + drive,
                       propagator[1, 1] * x + propagator[1, 2] * y, propagator[2, 2] * y)
            y = y + (alpha / K) * rng.poisson(K * m * dt)
            fired = v >= 1
            v[fired] = 0.0
            if step >= burn:
                count += fired
        return count / ((steps - burn) * dt), m

    R, variance = global_mean_field(g, I_l, I_u).rate_per_tau_m, 0.0
    for _ in range(iterations):
        nu, _ = rates(R, variance)
        R, variance = 0.5 * (R + nu.mean()), 0.5 * (variance + nu.var())
    nu, m = rates(R, variance)
    active = 1.0 - np.exp(-nu * window) if window is not None else (nu > 0).astype(float)
    return RateDistribution(g=g, K=K, rate_per_tau_m=float(nu.mean()), rate_variance=float(nu.var()),
                            n_active_frac=float(active.mean()), input_mean_std=float(np.std(m)), tau_m=tau_m)
