"""Linear stability of the asynchronous state of the globally coupled delayed inhibitory network.

Time is in units of the membrane time constant ``tau_m`` throughout: rates are per tau_m, the
delay ``tau_d`` and the pulse rate ``alpha`` are in tau_m and 1/tau_m, an eigenvalue ``lam`` is a
growth rate per tau_m (frequency ``Im lam / (2 pi tau_m)``).

Derivation (checked against simulations in ``tests/test_theory_stability.py``)
--------------------------------------------------------------------------------
Network: ``dv_i/dt = I_i - v_i - g E(t)``, threshold 1, reset 0; under global coupling every neuron
sees the same field ``E = p * r(t - tau_d)``, where ``r`` is the population rate per neuron and
``p(t) = alpha^2 t e^{-alpha t}``. In the asynchronous state ``E = R`` (the mean field of
:func:`neurodyn.theory.global_mean_field`) and neuron i is an oscillator with drive
``mu = I_i - g R`` (silent if ``mu <= 1``), potential ``v(s) = mu (1 - e^{-s})`` at time ``s``
after its spike, period ``T = ln(mu / (mu - 1))`` and rate ``nu = 1/T``.

1. Phase: ``theta(v) = ln(mu / (mu - v))`` (the unperturbed time to reach v) obeys *exactly*
   ``d theta/dt = 1 + Z(theta) eps(t)`` for a perturbed drive ``mu + eps(t)``, with the phase
   response ``Z(s) = 1 / v'(s) = e^s / mu = e^{s - T} / (mu - 1)``.
2. A population of such neurons with uniform phases (density ``nu`` on [0, T)) obeys the
   continuity equation ``d rho/dt + d/dtheta [(1 + Z eps) rho] = 0``, its flux at ``T``
   re-injected at 0. For ``eps = eps_0 e^{lam t}`` the flux perturbation ``j(theta)`` solves
   ``j' + lam j = lam nu Z eps_0`` with ``j(0) = j(T) = delta r``, so

       H(lam) = delta r / eps_0 = nu lam J(lam) / (e^{lam T} - 1),
       J(lam) = int_0^T Z(s) e^{lam s} ds = (e^{(1 + lam) T} - 1) / (mu (1 + lam)).

   At ``lam = 0``: ``H(0) = nu^2 int_0^T Z = nu^2 / (mu (mu - 1)) = d nu / d mu``.
3. The field perturbation is ``delta E = P(lam) e^{-lam tau_d} delta r_pop`` with the Laplace
   transform of the pulse, ``P = alpha^2 / (lam + alpha)^2`` (``P = 1`` for delta pulses), and
   each neuron sees ``eps = -g delta E``. With ``<H>`` the average over all neurons (silent ones
   answer 0) a mode ``e^{lam t}`` exists where

       F(lam) = 1 + g P(lam) e^{-lam tau_d} <H(lam)> = 0.

   The asynchronous state is unstable if a root has ``Re lam > 0``. For real ``lam > 0`` every
   term is positive, so roots come as complex pairs and only ``Im lam > 0`` is searched.

Neurons just above threshold
----------------------------
For ``Re lam > 0`` and ``T -> inf``, ``H -> lam / ((1 + lam)(mu - 1) T)``: a creeping neuron's
density at threshold, ``nu / (mu - 1)``, answers at once to any input. Averaged over a density of
excitabilities that reaches the threshold this grows like ``ln ln (1/cutoff)``: the N -> infinity
average diverges, weakly. In a network of N neurons the field carries shot noise of standard
deviation ``sqrt(R alpha / (4 N))`` (alpha pulses: the variance of ``E`` is
``(R/N) int p^2 = R alpha / (4N)``), so the speed at which a neuron crosses threshold,
``mu - 1 - g delta E``, is set by the fluctuations once ``mu - 1`` is below
``s = g sqrt(R alpha / (4N))`` (:func:`fluctuation_cutoff`). Such a neuron's density at threshold
is taken as ``nu / s`` instead of ``nu / (mu - 1)``: its H is weighted by ``W = (mu - 1) / s``.
This is a model, not a derivation. With the cutoff at half the excitability spacing instead
(``(I_u - I_l) / (2N)``, the nearest neuron in an evenly sampled network) the onset for
I in [1, 1.5], tau_d = 0.1, N = 400 falls from g_c = 0.87 to 0.45, far below the simulated one
(~1.1); with all neurons far above threshold (I in [1.4, 1.6]) the cutoff plays no part, and
theory and simulation agree (tests).

Numerics
--------
``<H>`` over I uniform in [I_l, I_u] is integrated over the period T after an integration by
parts that turns the poles of H at ``e^{lam T} = 1`` into integrable logarithms
(:meth:`AsynchronousState.population_response`), with composite Gauss-Legendre (1000 nodes:
relative error < 1e-4 against 51200 nodes of the direct form; with the near-threshold cutoff,
whose weighted neurons below it are resolved more coarsely, up to 2e-3 near the imaginary axis,
e.g. at lam = 0.05 + 40i: tests/test_theory_stability.py). ``<H>`` is analytic for
``Re lam > 0`` (the neutral phase modes ``2 pi i k / T`` of the oscillators fill the imaginary
axis) and this form gives its limit on the axis. The onset ``g_c`` is the smallest g with a root
on ``Re lam = sigma``, default ``SIGMA_ONSET = 0.02`` (perturbations grow e-fold in 50 tau_m,
shorter than a simulation window). On the axis itself (sigma = 0) the sharp top edge of the
uniform excitability density gives G narrow logarithmic dips wherever a harmonic of the fastest
neurons meets omega (I in [1, 1.5], N = 400: g_c = 0.72 at sigma <= 0.01, 0.87 at 0.02 and 0.88
at 0.05); where no such dip lies near (I in [1.4, 1.6]) g_c moves by 0.5 % from sigma = 0.005 to
0.02. There ``F = 0`` reads
``g = G(omega) = -1 / (P e^{-lam tau_d} <H>)`` with G real; G is scanned over omega and
``g = min G(g)`` solved by bisection (R and the cutoff depend on g). Roots with
``Re lam > SIGMA_MIN`` are counted by the argument principle on a rectangle and located by
Newton's method from the best points of a grid.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from neurodyn.errors import ParameterError
from neurodyn.theory.meanfield import global_mean_field

BELOW_CUTOFF_SPAN = 30.0  # periods beyond the cutoff's, in tau_m: W falls by e^-30
SIGMA_MIN = 1e-3  # per tau_m: left edge of the half plane searched for roots (e-folding in 1000 tau_m)
SIGMA_ONSET = 0.02  # per tau_m: growth rate that defines the onset (e-folding in 50 tau_m)


def rate_response(lam, mu) -> np.ndarray:
    """``H(lam)`` of a population of free LIF oscillators with drive ``mu`` and uniform phases.

    Broadcasts ``lam`` (complex, per tau_m, ``Re lam >= 0``) against ``mu``; 0 where ``mu <= 1``.
    Written with ``w = e^{-lam T}`` so that it stays finite for long periods:
    ``H = nu lam (mu / (mu - 1) - w) / (mu (1 + lam) (1 - w))``, and ``H(0) = nu^2 / (mu (mu - 1))``.
    """
    lam = np.asarray(lam, dtype=complex)
    mu = np.asarray(mu, dtype=float)
    above = mu > 1
    safe = np.where(above, mu, 2.0)
    period = np.log(safe / (safe - 1.0))
    lam_t = lam * period
    small = np.abs(lam_t) < 1e-10
    one_minus_w = -np.expm1(-lam_t)
    lam_over = np.where(small, 1.0 / period, lam / np.where(small, 1.0, one_minus_w))  # lam / (1 - w)
    response = lam_over * (safe / (safe - 1.0) - np.exp(-lam_t)) / (period * safe * (1.0 + lam))
    return np.where(above, response, 0.0)


def pulse_transform(lam, alpha: float | None) -> np.ndarray:
    """Laplace transform of the unit-area pulse: ``alpha^2 / (lam + alpha)^2``; 1 for delta pulses."""
    lam = np.asarray(lam, dtype=complex)
    if alpha is None:
        return np.ones_like(lam)
    return (alpha / (lam + alpha)) ** 2


def fluctuation_cutoff(g: float, rate: float, n_neurons: int, alpha: float) -> float:
    """``g sqrt(R alpha / (4 N))``: the finite-size shot noise of the drive (alpha pulses).

    Below it a neuron's crossing speed is set by the fluctuations, and its H is weighted by
    ``(mu - 1) / cutoff`` (module notes).
    """
    return g * float(np.sqrt(rate * alpha / (4.0 * n_neurons)))


@dataclass(frozen=True)
class AsynchronousState:
    """The asynchronous state at coupling ``g``: mean rate ``rate`` (per tau_m) and the drive range.

    Excitabilities are uniform in [I_l, I_u]; a neuron with ``mu - 1 < cutoff`` answers with the
    weight ``(mu - 1) / cutoff``.
    """

    g: float
    rate: float
    I_l: float
    I_u: float
    cutoff: float

    def population_response(self, lam, nodes: int = 1000) -> np.ndarray:
        """``<H(lam)>`` over all neurons, ``Re lam >= 0``; silent neurons answer 0 and a neuron with
        ``mu - 1 < cutoff`` answers with the weight ``W = (mu - 1) / cutoff`` (module notes).

        Over I uniform in [I_l, I_u] the average is an integral over the period T
        (``dI = mu (mu - 1) dT``, ``mu = 1 / (1 - e^{-T})``); with
        ``H dI = [lam mu / T + (1/T) d/dT ln(1 - e^{-lam T})] dT / (1 + lam)`` and an integration
        by parts the poles of H at ``e^{lam T} = 1`` become integrable logarithms (finite on the
        imaginary axis too, the limit Re lam -> 0+)::

            <H> = 1 / ((I_u - I_l)(1 + lam)) * { lam int W mu/T dT + [W ln(1 - e^{-lam T}) / T]
                                                 - int ln(1 - e^{-lam T}) d/dT (W / T) dT }

        with ``W = 1`` above the cutoff and ``d/dT (W/T) = -W (mu/T + 1/T^2)`` below it.
        """
        lam = np.asarray(lam, dtype=complex)
        mu_l, mu_u = self.I_l - self.g * self.rate, self.I_u - self.g * self.rate
        if mu_u <= 1:
            return np.zeros_like(lam)
        if mu_l <= 1 and self.cutoff == 0 and self.I_u > self.I_l:
            raise ParameterError("<H> diverges (like ln ln) where the excitabilities reach the threshold "
                                 "and no near-threshold cutoff is set")
        if self.I_u == self.I_l:
            return rate_response(lam, mu_u) * min(1.0, (mu_u - 1.0) / self.cutoff if self.cutoff > 0 else 1.0)
        period_of = lambda mu: np.log(mu / (mu - 1.0))  # noqa: E731
        edge = 1.0 + self.cutoff
        t_short = period_of(mu_u)
        t_long = period_of(mu_l) if mu_l > 1 else np.inf
        segments = []  # (t0, t1, below_cutoff)
        if mu_u > edge:
            segments.append((t_short, period_of(max(mu_l, edge)), False))
        if mu_l < edge and self.cutoff > 0:
            start = period_of(min(mu_u, edge))
            segments.append((start, min(t_long, start + BELOW_CUTOFF_SPAN), True))
        zero = lam == 0
        lam_safe = np.where(zero, 1.0, lam)
        total = np.zeros_like(lam)
        static = 0.0
        for t0, t1, below in segments:
            period, weights = _composite_gauss_legendre(t0, t1, nodes)
            mu = -1.0 / np.expm1(-period)
            weight = (mu - 1.0) / self.cutoff if below else np.ones_like(period)
            slope = weight * (mu / period + 1.0 / period**2) if below else 1.0 / period**2  # -d/dT (W/T)
            ends = np.array([t0, t1])
            end_weight = (1.0 / np.expm1(ends) / self.cutoff) if below else np.ones(2)
            gap = np.log(-np.expm1(-lam_safe[..., None] * np.concatenate([period, ends])))
            total += lam_safe * (weights @ (weight * mu / period)) + gap[..., :-2] @ (weights * slope)
            total += gap[..., -1] * end_weight[1] / t1 - gap[..., -2] * end_weight[0] / t0
            static += weights @ (weight / period**2)  # lam = 0: int W d nu, since d nu = dT / T^2
        return np.where(zero, static, total / (1.0 + lam_safe)) / (self.I_u - self.I_l)


def _composite_gauss_legendre(lower: float, upper: float, nodes: int, order: int = 32):
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(lower, upper, max(nodes // order, 1) + 1)
    half = np.diff(edges)[:, None] / 2
    return ((edges[:-1, None] + half) + half * x).ravel(), (half * w).ravel()


def _check(g: float, tau_d: float, alpha: float | None, I_l: float, I_u: float, n_neurons) -> None:
    if not g >= 0:
        raise ParameterError(f"g must be >= 0, got {g}")
    if not tau_d >= 0:
        raise ParameterError(f"tau_d must be >= 0 (in tau_m), got {tau_d}")
    if alpha is not None and not alpha > 0:
        raise ParameterError(f"alpha must be > 0 (1/tau_m) or None for delta pulses, got {alpha}")
    if not I_l <= I_u:
        raise ParameterError(f"I_l must be <= I_u; got I_l={I_l}, I_u={I_u}")
    if n_neurons is not None and not n_neurons >= 1:
        raise ParameterError(f"n_neurons must be >= 1, got {n_neurons}")


def asynchronous_state(g: float, I_l: float, I_u: float, n_neurons: int | None, alpha: float | None,
                       cutoff: float | None = None) -> AsynchronousState:
    """The state to linearise about: the mean field's rate and the near-threshold cutoff.

    ``cutoff`` defaults to :func:`fluctuation_cutoff` (needs ``n_neurons`` and alpha pulses);
    give it explicitly otherwise (e.g. ``(I_u - I_l) / (2 N)``, half the excitability spacing).
    """
    rate = global_mean_field(g, I_l, I_u).rate_per_tau_m
    if cutoff is None:
        if n_neurons is None or alpha is None:
            raise ParameterError("the default near-threshold cutoff needs n_neurons and alpha pulses; "
                                 "give cutoff explicitly")
        cutoff = fluctuation_cutoff(g, rate, n_neurons, alpha)
    if not cutoff >= 0:
        raise ParameterError(f"cutoff must be >= 0, got {cutoff}")
    return AsynchronousState(g=g, rate=rate, I_l=I_l, I_u=I_u, cutoff=cutoff)


@dataclass(frozen=True)
class Network:
    """The parameters the stability of the asynchronous state depends on (time in tau_m).

    ``alpha=None`` means delta pulses. ``n_neurons`` sets the near-threshold cutoff
    (:func:`fluctuation_cutoff`) unless ``cutoff`` is given.
    """

    tau_d: float
    alpha: float | None = 20.0
    I_l: float = 1.0
    I_u: float = 1.5
    n_neurons: int | None = None
    cutoff: float | None = None

    def state(self, g: float) -> AsynchronousState:
        _check(g, self.tau_d, self.alpha, self.I_l, self.I_u, self.n_neurons)
        return asynchronous_state(g, self.I_l, self.I_u, self.n_neurons, self.alpha, self.cutoff)

    def loop_gain(self, lam, state: AsynchronousState) -> np.ndarray:
        """``P(lam) e^{-lam tau_d} <H(lam)>``: F = 1 + g * loop_gain."""
        lam = np.asarray(lam, dtype=complex)
        return pulse_transform(lam, self.alpha) * np.exp(-lam * self.tau_d) * state.population_response(lam)

    def characteristic(self, lam, g: float, state: AsynchronousState | None = None) -> np.ndarray:
        """``F(lam) = 1 + g P(lam) e^{-lam tau_d} <H(lam)>`` at coupling g (F = 1 at g = 0)."""
        lam = np.asarray(lam, dtype=complex)
        if g == 0:
            return np.ones_like(lam)
        return 1.0 + g * self.loop_gain(lam, self.state(g) if state is None else state)


def _omega_max(network: Network, omega_max: float | None) -> float:
    return omega_max if omega_max is not None else (200.0 if network.alpha is None else 5.0 * network.alpha)


@dataclass(frozen=True)
class Crossing:
    """A root of F on the line ``Re lam = sigma``: coupling ``g`` and angular frequency ``omega`` (1/tau_m)."""

    g: float
    omega: float
    sigma: float

    def frequency_hz(self, tau_m: float) -> float:
        """Frequency in Hz for a membrane time constant ``tau_m`` in seconds."""
        return self.omega / (2 * np.pi * tau_m)


def line_crossings(network: Network, state: AsynchronousState, sigma: float = SIGMA_ONSET,
                   omega_max: float | None = None, omega_step: float = 0.2) -> list[Crossing]:
    """Couplings that put a root of F on ``Re lam = sigma`` (R and cutoff frozen at ``state``).

    ``g = G(omega) = -1 / loop_gain(sigma + i omega)`` where G is real and positive, sorted by g;
    omega is scanned in steps of ``omega_step`` up to ``omega_max`` (default 5 alpha, or 200 for
    delta pulses) and each crossing refined by Brent's method.
    """
    omega_max = _omega_max(network, omega_max)
    omega = np.arange(omega_step, omega_max + omega_step / 2, omega_step)
    gain = network.loop_gain(sigma + 1j * omega, state)
    with np.errstate(divide="ignore", invalid="ignore"):
        coupling = -1.0 / gain
    found = []
    for k in np.flatnonzero(np.diff(np.sign(coupling.imag)) != 0):
        if not (np.isfinite(coupling[k]) and np.isfinite(coupling[k + 1])):
            continue
        w = optimize.brentq(lambda w: float((-1.0 / network.loop_gain(sigma + 1j * w, state)).imag),
                            omega[k], omega[k + 1], xtol=1e-10)
        gain_w = complex(network.loop_gain(sigma + 1j * w, state))
        g = (-1.0 / gain_w).real if gain_w != 0 else np.inf
        if 0 < g < np.inf and abs(1.0 + g * gain_w) < 1e-6:  # a root, not a pass of G through infinity
            found.append(Crossing(g=g, omega=w, sigma=sigma))
    return sorted(found, key=lambda c: c.g)


def critical_coupling(network: Network, g_max: float = 100.0, sigma: float = SIGMA_ONSET,
                      omega_max: float | None = None) -> Crossing | None:
    """Onset: the smallest g at which a root of F reaches ``Re lam = sigma``, and its frequency.

    Solves ``g = min_omega G(omega; g)`` by Brent's method on [0, g_max] (the state depends on g);
    ``None`` if the asynchronous state stays stable up to ``g_max``.
    """
    def excess(g):
        crossings = line_crossings(network, network.state(g), sigma, omega_max)
        return (crossings[0].g if crossings else np.inf) - g

    grid = np.geomspace(2e-2, g_max, 12)
    for lo, hi in zip(grid[:-1], grid[1:]):
        if excess(hi) <= 0:
            break
    else:
        return None
    while hi / lo > 1 + 1e-3:  # bisection: excess may jump (another branch, or no crossing below)
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
    crossing = line_crossings(network, network.state(hi), sigma, omega_max)[0]
    return Crossing(g=hi, omega=crossing.omega, sigma=sigma)


def count_unstable_roots(network: Network, g: float, sigma: float = SIGMA_MIN, sigma_max: float = 100.0,
                         omega_max: float | None = None, points: int = 4000) -> int:
    """Roots of F in ``sigma < Re lam < sigma_max``, ``0 < Im lam < omega_max``: the winding
    number of F around that rectangle (argument principle; no root lies on ``Im lam = 0``)."""
    state = network.state(g)
    omega_max = _omega_max(network, omega_max)
    side = np.linspace(0.0, 1.0, points, endpoint=False)
    corners = [sigma, sigma_max, sigma_max + 1j * omega_max, sigma + 1j * omega_max, sigma]
    path = np.concatenate([a + (b - a) * side for a, b in zip(corners[:-1], corners[1:])] + [[corners[0]]])
    values = network.characteristic(path, g, state)
    winding = np.sum(np.diff(np.unwrap(np.angle(values)))) / (2 * np.pi)
    return int(round(winding))


def leading_root(network: Network, g: float, sigma: float = SIGMA_MIN, sigma_max: float = 100.0,
                 omega_max: float | None = None) -> complex | None:
    """The root of F with the largest real part in the rectangle of :func:`count_unstable_roots`,
    found by Newton's method (scipy ``root``) from the smallest values of |F| on a grid; ``None``
    where there is none (the asynchronous state is stable to growth rates above ``sigma``)."""
    state = network.state(g)
    omega_max = _omega_max(network, omega_max)
    re = np.geomspace(sigma, sigma_max, 40)
    im = np.linspace(omega_max / 200, omega_max, 200)
    grid = re[:, None] + 1j * im[None, :]
    magnitude = np.abs(network.characteristic(grid.ravel(), g, state)).reshape(grid.shape)

    def residual(z):
        value = network.characteristic(complex(z[0], z[1]), g, state)
        return [float(value.real), float(value.imag)]

    roots = []
    for k in np.argsort(magnitude.ravel())[:30]:
        start = grid.ravel()[k]
        solution = optimize.root(residual, [start.real, start.imag], method="hybr")
        z = complex(*solution.x)
        if solution.success and sigma < z.real < sigma_max and 0 < z.imag < omega_max and abs(
                network.characteristic(z, g, state)) < 1e-8:
            roots.append(z)
    return max(roots, key=lambda z: z.real) if roots else None
