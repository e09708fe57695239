"""Mean-field theory of the delayed inhibitory LIF network (rates per tau_m; in Hz given tau_m).

Free firing rate of a dimensionless LIF neuron (threshold 1, reset 0, no refractoriness)
with constant drive ``mu``::

    nu(mu) = 1 / ln(mu / (mu - 1))   for mu > 1,   0 otherwise

so the free period of an isolated neuron is ``T_i = tau_m ln(I_i / (I_i - 1))``.

Global coupling, asynchronous state, N -> infinity (any unit-area pulse, any delay while
the state is asynchronous): the mean rate ``R`` solves ``R = < nu(I - g R) >_I`` and the
active fraction is the share of neurons with ``I_i > 1 + g R``.

Sparse coupling (in-degree K), diffusion approximation: each neuron sees mean drive
``mu_i = I_i - g R`` and white noise of intensity ``sigma^2 = g^2 R / K``; its rate is the
Siegert formula (Brunel & Hakim 1999, no refractory period)::

    1/nu = sqrt(pi) * integral_{(0 - mu)/sigma}^{(1 - mu)/sigma} exp(u^2) (1 + erf u) du

It is an approximation, poor when g/K is large (pulses are not small).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special

from neurodyn.errors import ParameterError


def free_rate(mu) -> np.ndarray:
    """Firing rate per tau_m of a neuron with constant drive ``mu``: 1/ln(mu/(mu-1)), 0 if mu <= 1."""
    mu = np.asarray(mu, dtype=float)
    above = mu > 1
    safe = np.where(above, mu, 2.0)
    return np.where(above, 1.0 / np.log(safe / (safe - 1.0)), 0.0)


def free_period(excitability, tau_m=1.0):
    """Period ``tau_m ln(I/(I-1))`` of an isolated neuron with excitability ``I > 1``."""
    excitability = np.asarray(excitability, dtype=float)
    if np.any(excitability <= 1):
        raise ParameterError("an isolated neuron fires only for excitability I > 1")
    return tau_m * np.log(excitability / (excitability - 1.0))


def siegert_rate(mu: float, sigma: float) -> float:
    """Rate per tau_m of a dimensionless LIF neuron with white-noise input (threshold 1, reset 0)."""
    if sigma <= 0:
        return float(free_rate(mu))
    lower, upper = -mu / sigma, (1.0 - mu) / sigma
    if upper > 26.0:  # exp(u^2) overflows: the neuron essentially never reaches threshold
        return 0.0
    # exp(u^2)(1 + erf u) = erfcx(-u), which stays finite for u -> -inf. It falls like
    # 1/(sqrt(pi)|u|) below 0 and grows like 2 exp(u^2) above: split at 0, or the quadrature
    # misses the narrow peak at the upper end when the interval reaches far below 0 (small sigma).
    split = [0.0] if lower < 0.0 < upper else None
    integral, _ = integrate.quad(lambda u: special.erfcx(-u), lower, upper, limit=200, points=split)
    return 1.0 / (np.sqrt(np.pi) * integral)


@dataclass(frozen=True)
class MeanFieldSolution:
    """Self-consistent mean rate and active fraction of a mean field.

    ``rate_per_tau_m`` is the mean rate R in spikes per membrane time constant (the unit the
    dimensionless theory works in), ``n_active_frac`` the share of active neurons, ``g`` the
    coupling. With ``tau_m`` (seconds) known, :attr:`mean_rate_hz` = R / tau_m is the rate in the
    units of :func:`neurodyn.analysis.summarize` (``model.theory()`` always sets it).
    """

    rate_per_tau_m: float
    n_active_frac: float
    g: float
    tau_m: float | None = None

    @property
    def mean_rate_hz(self) -> float:
        """The mean rate in Hz, R / tau_m (needs ``tau_m``: pass it to the solver)."""
        if self.tau_m is None:
            raise ParameterError("this mean field was solved without tau_m: pass tau_m= (e.g. 10*ms) to get Hz, "
                                 "or use rate_per_tau_m")
        return self.rate_per_tau_m / self.tau_m

    def observables(self) -> dict[str, float]:
        """The solution as summary columns: ``n_active_frac`` and ``mean_rate_hz`` (Hz)."""
        return {"n_active_frac": self.n_active_frac, "mean_rate_hz": self.mean_rate_hz}

    def __repr__(self) -> str:
        hz = "" if self.tau_m is None else f"mean_rate_hz={self.mean_rate_hz:.4g}, "
        tau = "" if self.tau_m is None else f", tau_m={self.tau_m:g} s"
        return (f"MeanFieldSolution({hz}n_active_frac={self.n_active_frac:.4g}, "
                f"rate_per_tau_m={self.rate_per_tau_m:.4g}, g={self.g:g}{tau})")


def tau_m_seconds(tau_m) -> float | None:
    """``tau_m`` (Brian2 quantity or seconds) as seconds, checked > 0; ``None`` stays ``None``."""
    if tau_m is None:
        return None
    seconds = float(tau_m)
    if not seconds > 0:
        raise ParameterError(f"tau_m must be > 0, got {tau_m}")
    return seconds


def _excitability_average(function, I_l: float, I_u: float, excitabilities) -> float:
    """``< function(I) >`` over given excitabilities, or over I uniform in [I_l, I_u]."""
    if excitabilities is not None:
        return float(np.mean(function(np.asarray(excitabilities, dtype=float))))
    if I_u == I_l:
        return float(function(np.array([I_l]))[0])
    value, _ = integrate.quad(lambda I: float(function(np.array([I]))[0]), I_l, I_u, limit=200)
    return value / (I_u - I_l)


def _solve_rate(rhs, upper: float) -> float:
    """Root of ``R = rhs(R)`` on [0, upper]; ``rhs`` decreases in R, so the root is unique."""
    if rhs(0.0) <= 0:
        return 0.0
    return optimize.brentq(lambda R: R - rhs(R), 0.0, upper, xtol=1e-12)


def _check_excitabilities(I_l: float, I_u: float, g: float) -> None:
    if g < 0:
        raise ParameterError(f"g must be >= 0, got {g}")
    if I_l > I_u:
        raise ParameterError(f"I_l must be <= I_u; got I_l={I_l}, I_u={I_u}")


def global_mean_field(g: float, I_l: float = 1.0, I_u: float = 1.5, excitabilities=None,
                      tau_m=None) -> MeanFieldSolution:
    """Asynchronous-state mean field for global coupling.

    Excitabilities are uniform in ``[I_l, I_u]`` unless the array ``excitabilities`` is
    given (then the average runs over that finite sample, as in a simulated network).
    ``tau_m`` (Brian2 quantity or seconds) adds the rate in Hz.

    >>> round(global_mean_field(1.0).rate_per_tau_m, 4), round(global_mean_field(1.0).n_active_frac, 3)
    (0.2369, 0.526)
    >>> round(global_mean_field(1.0, tau_m=0.01).mean_rate_hz, 2)
    23.69
    """
    _check_excitabilities(I_l, I_u, g)
    tau_m = tau_m_seconds(tau_m)
    top = float(np.max(excitabilities)) if excitabilities is not None else I_u
    rate = _solve_rate(lambda R: _excitability_average(lambda I: free_rate(I - g * R), I_l, I_u, excitabilities),
                       float(free_rate(top)) + 1e-12)
    threshold = 1.0 + g * rate
    if excitabilities is not None:
        active = float(np.mean(np.asarray(excitabilities) > threshold))
    else:
        active = float(np.clip((I_u - threshold) / (I_u - I_l), 0.0, 1.0)) if I_u > I_l else float(I_u > threshold)
    return MeanFieldSolution(rate_per_tau_m=rate, n_active_frac=active, g=g, tau_m=tau_m)


def sparse_mean_field(g: float, K: int, I_l: float = 1.0, I_u: float = 1.5, excitabilities=None,
                      window: float | None = None, tau_m=None) -> MeanFieldSolution:
    """Diffusion-approximation mean field for sparse coupling with in-degree ``K``.

    ``n_active_frac`` is the expected share of neurons that fire at least once in a
    window of ``window`` tau_m, treating each neuron's spikes as Poisson:
    ``< 1 - exp(-nu_i window) >``; without a window it is the share with nu_i > 0. ``tau_m``
    (Brian2 quantity or seconds) adds the rate in Hz.
    """
    _check_excitabilities(I_l, I_u, g)
    tau_m = tau_m_seconds(tau_m)
    if K < 1:
        raise ParameterError(f"K must be >= 1, got {K}")

    def neuron_rates(I, R):
        sigma = g * np.sqrt(R / K)
        return np.array([siegert_rate(mu, sigma) for mu in np.ravel(I - g * R)])

    top = float(np.max(excitabilities)) if excitabilities is not None else I_u
    upper = max(float(free_rate(top)), siegert_rate(top, g * np.sqrt(1.0 / K))) + 1.0
    rate = _solve_rate(lambda R: _excitability_average(lambda I: neuron_rates(I, R), I_l, I_u, excitabilities), upper)
    if window is None:
        active_of = lambda I: (neuron_rates(I, rate) > 0).astype(float)  # noqa: E731
    else:
        active_of = lambda I: 1.0 - np.exp(-neuron_rates(I, rate) * window)  # noqa: E731
    return MeanFieldSolution(rate_per_tau_m=rate, n_active_frac=_excitability_average(active_of, I_l, I_u, excitabilities),
                             g=g, tau_m=tau_m)
