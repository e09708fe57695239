"""The mean-field theory against independent computations: the LIF ODE, the backward
Kolmogorov equation of the Ornstein-Uhlenbeck neuron, the self-consistency equations evaluated
by Gauss-Legendre quadrature, and their limits. The numbers the README quotes are checked here."""
import re
from pathlib import Path

import mpmath
import numpy as np
import pytest
from brian2 import ms
from scipy.integrate import solve_ivp
from scipy.linalg import solve_banded

from neurodyn import InhibitoryNetwork, ParameterError
from neurodyn.theory import free_period, free_rate, global_mean_field, siegert_rate, sparse_mean_field

README = Path(__file__).resolve().parents[1] / "README.md"


def period_by_ode(mu: float) -> float:
    """Time (tau_m) from v = 0 to v = 1 under dv/dt = mu - v, by a Runge-Kutta event search."""
    hit = lambda t, v: v[0] - 1.0  # noqa: E731
    hit.terminal = True
    return solve_ivp(lambda t, v: mu - v, (0, 100), [0.0], events=hit, rtol=1e-12, atol=1e-14).t_events[0][0]


def rate_by_first_passage(mu: float, sigma: float, h: float = 2e-4) -> float:
    """1 / mean first-passage time from the reset 0 to the threshold 1 of dv = (mu - v) dt + sigma dW.

    T(x) solves the backward Kolmogorov equation (sigma^2/2) T'' + (mu - x) T' = -1 with T(1) = 0
    (absorbing threshold) and T'(x_low) = 0 far below (reflecting: the density there is
    exp(-(x - mu)^2 / sigma^2) small). Central differences, second order in h.
    """
    x_low = min(0.0, mu) - 8 * sigma - 0.5
    x = np.arange(x_low, 1.0 + h / 2, h)
    n = len(x) - 1                                        # unknowns T(x_0 .. x_{n-1}); T(x_n) = 0
    diffusion, drift = sigma ** 2 / (2 * h ** 2), (mu - x[:n]) / (2 * h)
    bands = np.zeros((3, n))
    bands[0, 1:] = (diffusion + drift)[:-1]               # coefficient of T_{k+1}
    bands[1] = -2 * diffusion
    bands[2, :-1] = (diffusion - drift)[1:]               # coefficient of T_{k-1}
    bands[0, 1] += diffusion - drift[0]                   # ghost point T_{-1} = T_1 (reflecting)
    T = solve_banded((1, 1), bands, -np.ones(n))
    return 1.0 / T[int(round((0.0 - x_low) / h))]


def uniform_average(function, lower: float, upper: float, order: int = 200) -> float:
    """< function(I) > over I uniform in [lower, upper], Gauss-Legendre with ``order`` nodes."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    I = lower + (upper - lower) * (nodes + 1) / 2
    return float(np.sum(weights * np.array([function(value) for value in I])) / 2)


# ------------------------------------------------------------------ free neuron
@pytest.mark.parametrize("mu", [1.001, 1.05, 1.3, 2.0, 10.0])
def test_free_rate_is_the_inverse_time_to_threshold(mu):
    """nu(mu) = 1/ln(mu/(mu-1)): the inverse of the ODE's time from reset to threshold."""
    assert free_rate(mu) == pytest.approx(1 / period_by_ode(mu), rel=1e-8)
    assert free_period(mu, tau_m=0.02) == pytest.approx(0.02 * period_by_ode(mu), rel=1e-8)


def test_free_rate_vanishes_at_and_below_threshold():
    np.testing.assert_array_equal(free_rate([0.0, 0.5, 1.0]), [0.0, 0.0, 0.0])
    assert free_rate(1 + 1e-9) > 0
    with pytest.raises(ParameterError, match="excitability I > 1"):
        free_period([1.2, 1.0])


# ------------------------------------------------------------------ Siegert rate
@pytest.mark.parametrize("mu, sigma", [(1.2, 0.1), (0.9, 0.2), (0.5, 0.3), (1.0, 0.5), (2.0, 1.0)])
def test_siegert_rate_is_the_inverse_mean_first_passage_time(mu, sigma):
    """The Siegert integral against a finite-difference solution of the first-passage problem.
    The discretisation error is O(h^2) ~ 1e-7 relative here; 1e-4 leaves room for the quadrature
    of the integral (limit 200 subintervals) and is 100 times tighter than any modelling change."""
    assert siegert_rate(mu, sigma) == pytest.approx(rate_by_first_passage(mu, sigma), rel=1e-4)


def test_siegert_rate_limits():
    """sigma -> 0: the free rate above threshold (corrections O(sigma^2)), exponentially small
    below it; sigma = 0 is the free rate itself; far below threshold the rate is 0."""
    for mu in (1.1, 1.5, 3.0):
        assert siegert_rate(mu, 1e-3) == pytest.approx(float(free_rate(mu)), rel=1e-3)
        assert siegert_rate(mu, 0.0) == float(free_rate(mu))
    assert 0 < siegert_rate(0.9, 0.02) < 1e-9          # 5 sigma below: ~exp(-25)
    assert siegert_rate(0.0, 0.01) == 0.0
    # just below threshold with tiny noise: the integral spans [-2e4, 20] and its mass sits in the
    # last 0.05 of it (once returned as 0, i.e. an infinite rate)
    assert 0 < siegert_rate(0.999, 4.9e-5) < 1e-150
    # noise raises the rate of a neuron below threshold and of one near it
    assert siegert_rate(0.95, 0.3) > siegert_rate(0.95, 0.1) > 0
    assert siegert_rate(1.0, 0.2) > free_rate(1.0)


# ------------------------------------------------------------------ global mean field
def readme_mean_field_numbers():
    """(g, R, n_A) triples of the README sentence 'it gives R = ..., n_A = ... at g = ...'."""
    text = README.read_text()
    quoted = re.findall(r"R = ([\d.]+), n_A = ([\d.]+) at g = (\d+)", text)
    assert len(quoted) == 2, "the README's theory section quotes the mean field at g = 1 and g = 10"
    return [(float(g), float(rate), float(active), len(rate.split(".")[1]), len(active.split(".")[1]))
            for rate, active, g in quoted]


def test_readme_mean_field_numbers():
    """The README quotes R and n_A for I ~ U[1, 1.5]; they must be what the theory gives, to the
    digits quoted."""
    for g, rate, active, rate_digits, active_digits in readme_mean_field_numbers():
        solution = global_mean_field(g)
        assert round(solution.rate_per_tau_m, rate_digits) == rate, (g, solution.rate_per_tau_m)
        assert round(solution.n_active_frac, active_digits) == active, (g, solution.n_active_frac)


def test_readme_demo_theory_line():
    """The demo's printed mean-field line (``make demo``: N = 1000, g = 5, alpha = 2,
    tau_d = 0.1 ms, even excitabilities, tau_m = 10 ms) matches the theory of that network."""
    line = next(line for line in README.read_text().splitlines() if line.startswith("mean-field theory"))
    active, rate_hz = re.search(r"n_active_frac=([\d.]+) mean_rate_hz=([\d.]+)", line).groups()
    model = InhibitoryNetwork(N=1000, g=5, alpha=2, tau_d=0.1 * ms, I_sampling="even")
    theory = model.theory()
    digits = lambda text: len(text.partition(".")[2])  # the printed precision
    assert round(theory.n_active_frac, digits(active)) == float(active)
    assert round(theory.mean_rate_hz, digits(rate_hz)) == float(rate_hz)


@pytest.mark.parametrize("g", [0.0, 0.5, 1.0, 5.0, 10.0, 100.0])
def test_global_mean_field_solves_its_self_consistency(g):
    """R = < nu(I - g R) >_I over U[1, 1.5] and n_A = (I_u - 1 - g R) / (I_u - I_l). The
    average is taken independently with mpmath's tanh-sinh quadrature over the active neurons
    (nu has a 1/ln singularity of its slope at I = 1 + g R, which it integrates to 1e-15). The
    library's adaptive quadrature runs to scipy's default absolute error 1.49e-8 on the integral,
    i.e. 3e-8 on the average over an interval of width 0.5; solving the fixed point does not
    enlarge it (R - rhs(R) has slope >= 1), hence the absolute tolerance 3e-8."""
    solution = global_mean_field(g, 1.0, 1.5)
    threshold = 1 + g * solution.rate_per_tau_m
    active = mpmath.quad(lambda I: 1 / mpmath.log((I - g * solution.rate_per_tau_m) / (I - threshold)), [threshold, 1.5])
    assert solution.rate_per_tau_m == pytest.approx(float(active) / 0.5, abs=3e-8)
    assert solution.n_active_frac == pytest.approx((1.5 - 1 - g * solution.rate_per_tau_m) / 0.5, rel=1e-9)
    assert solution.g == g


def test_global_mean_field_on_a_sample_of_excitabilities():
    """Over a finite sample the average is the sample mean and n_A the share above 1 + g R."""
    I = np.array([0.8, 1.05, 1.1, 1.3, 1.6, 2.0])
    solution = global_mean_field(2.0, excitabilities=I)
    R = solution.rate_per_tau_m
    assert R == pytest.approx(np.mean(free_rate(I - 2.0 * R)), rel=1e-10)
    assert solution.n_active_frac == np.mean(I > 1 + 2.0 * R)
    # one excitability: the fixed point of R = nu(I - g R)
    single = global_mean_field(1.0, 1.5, 1.5)
    assert single.rate_per_tau_m == pytest.approx(float(free_rate(1.5 - single.rate_per_tau_m)), rel=1e-10)
    assert single.n_active_frac == 1.0
    assert global_mean_field(1.0, 0.5, 0.9).rate_per_tau_m == 0.0 and global_mean_field(1.0, 0.5, 0.9).n_active_frac == 0.0


def test_mean_field_rate_in_hz_divides_by_tau_m():
    """Hz beside Hz: the rate per tau_m divided by tau_m (a quantity or seconds), the same
    solution otherwise; without tau_m asking for Hz is a named error, not a silent per-tau_m value."""
    dimensionless = global_mean_field(1.0)
    for tau_m, seconds in ((20 * ms, 0.02), (0.01, 0.01)):
        solution = global_mean_field(1.0, tau_m=tau_m)
        assert solution.mean_rate_hz == pytest.approx(dimensionless.rate_per_tau_m / seconds, rel=1e-12)
        assert solution.rate_per_tau_m == dimensionless.rate_per_tau_m
        assert solution.observables() == {"n_active_frac": dimensionless.n_active_frac,
                                          "mean_rate_hz": solution.mean_rate_hz}
    sparse = sparse_mean_field(2.0, 20, tau_m=10 * ms)
    assert sparse.mean_rate_hz == pytest.approx(sparse_mean_field(2.0, 20).rate_per_tau_m / 0.01, rel=1e-12)
    with pytest.raises(ParameterError, match="without tau_m"):
        dimensionless.mean_rate_hz
    with pytest.raises(ParameterError, match="tau_m must be > 0"):
        global_mean_field(1.0, tau_m=0 * ms)
    assert "mean_rate_hz=23.69" in repr(global_mean_field(1.0, tau_m=0.01))


@pytest.mark.parametrize("call, message", [
    (lambda: global_mean_field(-1.0), "g must be >= 0"),
    (lambda: global_mean_field(1.0, 1.6, 1.5), "I_l must be <= I_u"),
    (lambda: sparse_mean_field(1.0, 0), "K must be >= 1"),
    (lambda: sparse_mean_field(-1.0, 10), "g must be >= 0"),
    (lambda: sparse_mean_field(1.0, 10, 1.6, 1.5), "I_l must be <= I_u"),
])
def test_bad_theory_input_is_named(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


# ------------------------------------------------------------------ sparse mean field
@pytest.mark.parametrize("g, K", [(1.0, 100), (10.0, 20), (5.0, 10)])
def test_sparse_mean_field_solves_its_defining_integral(g, K):
    """R = < Siegert(I - g R, sigma = g sqrt(R/K)) >_I over U[1, 1.5], evaluated independently
    by Gauss-Legendre quadrature (the integrand is smooth for sigma > 0: agreement to 1e-6)."""
    solution = sparse_mean_field(g, K)
    R = solution.rate_per_tau_m
    sigma = g * np.sqrt(R / K)
    assert R > 0
    assert R == pytest.approx(uniform_average(lambda I: siegert_rate(I - g * R, sigma), 1.0, 1.5, 60), rel=1e-6)
    # without a window every neuron fires at some rate (noise reaches the threshold)
    assert solution.n_active_frac == pytest.approx(1.0)
    window = 20.0
    windowed = sparse_mean_field(g, K, window=window)
    expected = uniform_average(lambda I: 1 - np.exp(-siegert_rate(I - g * R, sigma) * window), 1.0, 1.5, 60)
    assert windowed.rate_per_tau_m == pytest.approx(R, rel=1e-12)
    assert windowed.n_active_frac == pytest.approx(expected, rel=1e-6)


def test_sparse_mean_field_limits():
    """K -> infinity (no fluctuations): the global mean field. g = 0: the free-rate average.
    Finite K: fluctuations add firing, so the rate exceeds the global one."""
    for g in (1.0, 5.0):
        assert sparse_mean_field(g, 10 ** 12).rate_per_tau_m == pytest.approx(global_mean_field(g).rate_per_tau_m, rel=1e-4)
        assert sparse_mean_field(g, 20).rate_per_tau_m > global_mean_field(g).rate_per_tau_m
    assert sparse_mean_field(0.0, 10).rate_per_tau_m == pytest.approx(global_mean_field(0.0).rate_per_tau_m, rel=1e-6)
    # over a sample of excitabilities the average is the sample mean
    I = np.array([0.9, 1.1, 1.4])
    sample = sparse_mean_field(3.0, 10, excitabilities=I)
    sigma = 3.0 * np.sqrt(sample.rate_per_tau_m / 10)
    assert sample.rate_per_tau_m == pytest.approx(np.mean([siegert_rate(x - 3.0 * sample.rate_per_tau_m, sigma) for x in I]), rel=1e-9)


def test_sparse_theory_of_the_network_is_the_sparse_mean_field():
    model = InhibitoryNetwork(N=200, K=20, g=5.0)
    assert model.theory() == sparse_mean_field(5.0, 20, 1.0, 1.5, tau_m=0.01)
    dense = InhibitoryNetwork(N=50, g=5.0, I_sampling="even", tau_m=20 * ms)
    assert dense.theory() == global_mean_field(5.0, excitabilities=dense.excitabilities(), tau_m=0.02)


def test_edges_of_the_mean_field():
    """Boundaries where a strict inequality matters, and brackets of the root search."""
    # one excitability, g = 0: R is the free rate itself, the top of the search interval
    assert global_mean_field(0.0, 1.5, 1.5).rate_per_tau_m == pytest.approx(float(free_rate(1.5)), rel=1e-12)
    # a neuron exactly at threshold (I = 1 + g R) is silent: strictly above is active
    assert global_mean_field(0.0, excitabilities=[1.0, 1.2]).n_active_frac == 0.5
    assert global_mean_field(0.0, 1.0, 1.0).n_active_frac == 0.0
    # everyone above threshold: n_A = 1, not (I_u - 1 - g R) / (I_u - I_l) = 2
    assert global_mean_field(0.0, 2.0, 3.0).n_active_frac == 1.0
    # excitabilities above the default I_u: the search interval comes from the sample
    fast = np.array([3.0, 4.0])
    solution = global_mean_field(0.1, excitabilities=fast)
    assert solution.rate_per_tau_m == pytest.approx(np.mean(free_rate(fast - 0.1 * solution.rate_per_tau_m)), rel=1e-10)
    assert solution.rate_per_tau_m > free_rate(1.5)
    sparse = sparse_mean_field(0.1, 50, excitabilities=fast)
    assert sparse.rate_per_tau_m == pytest.approx(solution.rate_per_tau_m, rel=0.01) and sparse.rate_per_tau_m > free_rate(1.5)
    assert free_period(2.0) == pytest.approx(np.log(2.0), rel=1e-15)          # tau_m = 1 by default


def test_sparse_mean_field_active_fraction_and_in_degree_one():
    """Without a window, n_A is the share of neurons with a nonzero rate: a neuron far below
    threshold (more than 26 sigma) has rate 0. K = 1 is a valid in-degree."""
    I = np.array([0.0, 1.5])
    solution = sparse_mean_field(0.1, 10 ** 6, excitabilities=I)
    assert solution.n_active_frac == 0.5 and solution.g == 0.1
    windowed = sparse_mean_field(0.1, 10 ** 6, excitabilities=I, window=3.0)
    nu = siegert_rate(1.5 - 0.1 * windowed.rate_per_tau_m, 0.1 * np.sqrt(windowed.rate_per_tau_m / 10 ** 6))
    assert windowed.n_active_frac == pytest.approx((1 - np.exp(-3.0 * nu)) / 2, rel=1e-9)
    single = sparse_mean_field(1.0, 1)
    assert single.rate_per_tau_m > 0 and single.g == 1.0
