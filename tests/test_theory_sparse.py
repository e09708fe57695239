"""Sparse mean fields (neurodyn.theory.sparse): the vectorised Siegert rate, the quenched
self-consistency, and the shot-noise theory against free neurons and a simulation."""
import numpy as np
import pytest
from scipy import special
from brian2 import ms, second

from neurodyn import InhibitoryNetwork, simulate
from neurodyn.errors import ParameterError
from neurodyn.theory import free_rate, siegert_rate, sparse_mean_field
from neurodyn.theory.sparse import quenched_sparse_mean_field, shot_noise_mean_field, siegert_rates


def test_vectorised_siegert_matches_adaptive_quadrature():
    """Against the scalar Siegert formula integrated by scipy's adaptive quad."""
    mu, sigma = np.meshgrid([-3.0, 0.5, 0.9, 1.0, 1.1, 1.3, 2.0], [0.02, 0.1, 0.3, 1.0, 3.0, 10.0])
    expected = np.vectorize(siegert_rate)(mu, sigma)
    got = siegert_rates(mu, sigma)
    big = expected > 1e-12
    assert np.allclose(got[big], expected[big], rtol=1e-9)
    assert np.all(got[~big] < 1e-12)
    assert siegert_rates(1.3, 0.0) == pytest.approx(float(free_rate(1.3)))


def test_without_quenched_term_it_is_the_diffusion_mean_field():
    ours = quenched_sparse_mean_field(5.0, 40, quenched=False)
    reference = sparse_mean_field(5.0, 40)
    assert ours.rate_per_tau_m == pytest.approx(reference.rate_per_tau_m, rel=1e-6)
    assert ours.n_active_frac == pytest.approx(reference.n_active_frac, abs=1e-3)
    in_hz = quenched_sparse_mean_field(5.0, 40, quenched=False, tau_m=20 * ms)
    assert in_hz.mean_rate_hz == pytest.approx(ours.rate_per_tau_m / 0.020, rel=1e-12)
    assert in_hz.observables() == {"n_active_frac": in_hz.n_active_frac, "mean_rate_hz": in_hz.mean_rate_hz}


def test_quenched_spread_is_self_consistent_with_the_rate_distribution():
    """The input-mean spread equals sqrt(Var(nu) (N-K) / ((N-1) K)) of the returned distribution,
    and the quenched term, by symmetry small in R, changes the rate by less than 1 %."""
    N, K = 400, 20
    state = quenched_sparse_mean_field(2.0, K, N=N)
    assert state.input_mean_std == pytest.approx(np.sqrt(state.rate_variance * (N - K) / ((N - 1) * K)), rel=1e-6)
    assert state.rate_variance > 0
    assert state.rate_per_tau_m == pytest.approx(quenched_sparse_mean_field(2.0, K, quenched=False).rate_per_tau_m, rel=0.01)


def test_shot_noise_theory_without_coupling_gives_the_free_rates():
    """g = 0: the sampled model neurons fire at nu(I) = 1/ln(I/(I-1)). Tolerance 2 %: spikes are
    detected at the end of a step, which lengthens the period by dt/2 on average
    (dt / (2 T) ~ 0.5 %), and each neuron's count over 45 tau_m is off by at most one spike."""
    state = shot_noise_mean_field(0.0, 20, duration=50.0, iterations=1)
    I = 1.0 + 0.5 * (np.arange(64) + 0.5) / 64
    assert state.rate_per_tau_m == pytest.approx(np.mean(free_rate(I)), rel=0.02)
    assert state.n_active_frac == 1.0


def test_shot_noise_theory_gets_the_large_coupling_rate_that_diffusion_misses():
    """K = 20, g = 100 (pulses of area 5, one-sided): the simulated mean rate (N = 400) is
    matched within 20 % by the shot-noise theory (seen 5-12 %; with 32 x 8 instead of 64 x 16
    sampled neurons 23 %), while the diffusion approximation,
    whose symmetric noise lets neurons fire faster than free, is off by more than a factor 2
    (seen 3x)."""
    model = InhibitoryNetwork(N=400, K=20, g=100.0, alpha=20.0, tau_d=1 * ms, I_sampling="even")
    result = simulate(model, 2 * second, target="numpy", progress=False)
    simulated = np.sum(result.spike_t >= 0.5) / (400 * 1.5) * 10e-3  # per tau_m
    shot = shot_noise_mean_field(100.0, 20, N=400, duration=60.0, dt=0.02, iterations=8)
    diffusion = quenched_sparse_mean_field(100.0, 20, quenched=False)
    assert shot.rate_per_tau_m == pytest.approx(simulated, rel=0.2)
    assert diffusion.rate_per_tau_m > 2 * simulated


@pytest.mark.parametrize("kwargs", [dict(g=-1.0, K=20), dict(g=1.0, K=0), dict(g=1.0, K=50, N=40),
                                    dict(g=1.0, K=20, I_l=1.5, I_u=1.0)])
def test_bad_input_is_refused_by_name(kwargs):
    with pytest.raises(ParameterError):
        quenched_sparse_mean_field(**kwargs)


def test_shot_noise_theory_with_many_small_pulses_is_the_diffusion_theory():
    """K = 2000 inputs of area g/K = 0.0005 (g = 1): the shot noise is Gaussian, so the shot-noise
    rate, its spread across neurons and the quenched input spread approach the quenched diffusion
    theory's. Tolerance 3 %: sampling error of the mean of 64 x 16 neurons over 54 tau_m
    ~ sqrt(R / (1024 * 54)) / R ~ 0.4 %; spike detection at the end of a step lengthens a period by
    dt/2, R dt / 2 ~ 0.25 %; the pulses' correlation time 1/alpha = 0.05 tau_m shifts the effective
    threshold by ~ sigma sqrt(1/alpha) ~ 0.003 (Brunel & Sergi 1998), ~ 1 % of the rate (seen:
    rate 0.6 %, variance 0.1 %). The quenched spread is sampled at 16 quantiles of z, whose std is
    0.961, not 1 (seen 0.954 of the theory's spread). g = 2 gives a rate 35 % lower."""
    shot = shot_noise_mean_field(1.0, 2000, duration=60.0, dt=0.02, iterations=6)
    diffusion = quenched_sparse_mean_field(1.0, 2000)
    assert shot.rate_per_tau_m == pytest.approx(diffusion.rate_per_tau_m, rel=0.03)
    assert shot.rate_variance == pytest.approx(diffusion.rate_variance, rel=0.03)
    quantiles_std = special.ndtri((np.arange(16) + 0.5) / 16).std()
    assert shot.input_mean_std == pytest.approx(diffusion.input_mean_std * quantiles_std, rel=0.03)


# Fast checks of the quenched and shot-noise branches (seconds; in the mutation selection).

def test_siegert_rates_at_the_silent_barrier_and_without_noise():
    """(1 - mu)/sigma just below SILENT_BARRIER = 6: the quadrature still matches scipy's adaptive
    quad (a rate ~ 1e-15); just above: exactly 0. sigma = 0 gives the free rate, 0 at or below
    threshold; mu and sigma broadcast against each other."""
    from neurodyn.theory.sparse import SILENT_BARRIER
    sigma = 0.1
    inside, outside = 1 - SILENT_BARRIER * sigma + 1e-9, 1 - SILENT_BARRIER * sigma - 1e-9
    assert siegert_rates(inside, sigma) == pytest.approx(siegert_rate(inside, sigma), rel=1e-6)
    assert 0 < siegert_rates(inside, sigma) < 1e-14 and siegert_rates(outside, sigma) == 0
    mu = np.array([0.5, 1.0, 1.2, 2.0])
    assert np.array_equal(siegert_rates(mu, 0.0), free_rate(mu)) and siegert_rates(1.0, 0.0) == 0
    grid = siegert_rates(mu[:, None], np.array([0.0, 0.3, 1.0])[None, :])
    assert grid.shape == (4, 3)
    assert grid[2, 2] == pytest.approx(siegert_rate(1.2, 1.0), rel=1e-9)
    assert grid[0, 1] == pytest.approx(siegert_rate(0.5, 0.3), rel=1e-9)


def quenched_reference(state, I_l=1.0, I_u=1.5, N=None, nodes_I=16, nodes_z=12, window=None):
    """<nu>, <nu^2> - <nu>^2 and <active> over I uniform in [I_l, I_u] and z ~ N(0, 1) at the
    returned state, with m = max(R + input_mean_std z, 0) and the scalar Siegert rate
    nu(I - g m, g sqrt(m/K)) (adaptive quad, neurodyn.theory.siegert_rate) on numpy's
    Gauss-Legendre and probabilists' Gauss-Hermite nodes."""
    x, w_x = np.polynomial.legendre.leggauss(nodes_I)
    z, w_z = np.polynomial.hermite_e.hermegauss(nodes_z)
    I, w_I, w_z = (I_l + I_u) / 2 + (I_u - I_l) / 2 * x, w_x / 2, w_z / w_z.sum()
    m = np.maximum(state.rate_per_tau_m + state.input_mean_std * z, 0.0)
    nu = np.array([[siegert_rate(i - state.g * mj, state.g * np.sqrt(mj / state.K)) for mj in m] for i in I])
    active = 1 - np.exp(-nu * window) if window is not None else (nu > 0)
    mean = w_I @ nu @ w_z
    return mean, w_I @ nu**2 @ w_z - mean**2, w_I @ active @ w_z


def test_quenched_state_is_a_fixed_point_of_its_defining_integral():
    """g = 2, K = 20, N = 400 on 16 x 12 nodes: the returned R is the average of the Siegert rates
    it implies, Var(nu) their variance, the quenched spread sqrt(Var(nu) (N - K)/((N - 1) K)) (the
    variance iteration stops at a change < 1e-9) and the active share <1 - e^{-nu window}>; the
    scalar Siegert rate agrees with the vectorised one to 1e-9 (test above), so 1e-7 relative.
    The rate in Hz is R / tau_m. More nodes change nothing visible (64 x 40: 1e-11)."""
    N, K, window = 400, 20, 2.0
    state = quenched_sparse_mean_field(2.0, K, N=N, nodes_I=16, nodes_z=12, window=window, tau_m=20 * ms)
    mean, variance, active = quenched_reference(state, window=window)
    assert state.rate_per_tau_m == pytest.approx(mean, rel=1e-7)
    assert state.rate_variance == pytest.approx(variance, rel=1e-7)
    assert state.input_mean_std == pytest.approx(np.sqrt(variance * (N - K) / ((N - 1) * K)), rel=1e-6)
    assert state.n_active_frac == pytest.approx(active, rel=1e-7) and 0.2 < active < 0.5
    assert (state.g, state.K) == (2.0, K) and state.mean_rate_hz == pytest.approx(mean / 0.020, rel=1e-7)
    plain = quenched_sparse_mean_field(2.0, K, N=N, nodes_I=16, nodes_z=12, quenched=False)
    assert plain.input_mean_std == 0 and plain.n_active_frac == 1.0  # the noise reaches every neuron
    assert plain.rate_per_tau_m == pytest.approx(quenched_reference(plain)[0], rel=1e-7)
    # the quenched spread of input means spreads the rates: more variance, by the order of its own share
    assert state.rate_variance > 1.05 * plain.rate_variance
    unbounded = quenched_sparse_mean_field(2.0, K, nodes_I=16, nodes_z=12)  # N unknown: no finite-N correction
    assert unbounded.input_mean_std == pytest.approx(np.sqrt(quenched_reference(unbounded)[1] / K), rel=1e-6)


def test_quenched_state_counts_silent_neurons_and_takes_one_excitability():
    """K = 10^6, no quenched term: the noise g sqrt(R/K) ~ 1e-3 leaves the neurons with I - g R
    below threshold by more than 6 sigma silent (rate 0): the active share without a window is the
    weight of the nodes with nu > 0 (reference above), here about 0.4; I_l = I_u is one neuron type."""
    state = quenched_sparse_mean_field(2.0, 10**6, nodes_I=16, nodes_z=12, quenched=False)
    mean, _, active = quenched_reference(state)
    assert state.rate_per_tau_m == pytest.approx(mean, rel=1e-7)
    assert state.n_active_frac == pytest.approx(active, abs=1e-12) and 0.2 < active < 0.6
    single = quenched_sparse_mean_field(1.0, 20, I_l=1.3, I_u=1.3, nodes_I=4, nodes_z=12)
    assert single.rate_per_tau_m == pytest.approx(quenched_reference(single, I_l=1.3, I_u=1.3, nodes_I=4)[0], rel=1e-7)


def test_quenched_term_vanishes_when_every_neuron_is_an_input():
    """N = K: every neuron sees all N, (N - K)/(N - 1) = 0, no quenched spread: the unquenched state;
    N = 1 = K is the same single neuron."""
    full = quenched_sparse_mean_field(2.0, 20, N=20, nodes_I=16, nodes_z=12)
    plain = quenched_sparse_mean_field(2.0, 20, nodes_I=16, nodes_z=12, quenched=False)
    assert full.input_mean_std == 0
    assert full.rate_per_tau_m == pytest.approx(plain.rate_per_tau_m, rel=1e-12)
    assert full.rate_variance == pytest.approx(plain.rate_variance, rel=1e-9)
    one = quenched_sparse_mean_field(2.0, 1, N=1, nodes_I=16, nodes_z=12)
    assert one.rate_per_tau_m == pytest.approx(quenched_sparse_mean_field(2.0, 1, nodes_I=16, nodes_z=12).rate_per_tau_m,
                                               rel=1e-9)


def test_uncoupled_quenched_state_is_the_free_rate_distribution():
    """g = 0: no input, each neuron at nu(I) = 1/ln(I/(I - 1)); mean and variance over I uniform in
    [1, 1.5] by adaptive quad. The free rate's derivative diverges at I = 1, which limits 64-point
    Gauss-Legendre (seen 2e-6 for the mean, 3e-5 for the variance): 1e-4 allowed."""
    from scipy import integrate
    state = quenched_sparse_mean_field(0.0, 20, nodes_z=2)
    moments = [integrate.quad(lambda I: float(free_rate(I)) ** k, 1.0, 1.5, limit=200)[0] / 0.5 for k in (1, 2)]
    assert state.rate_per_tau_m == pytest.approx(moments[0], rel=1e-4)
    assert state.rate_variance == pytest.approx(moments[1] - moments[0] ** 2, rel=1e-4)
    assert state.n_active_frac == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("kwargs", [dict(g=-1.0, K=20), dict(g=1.0, K=0), dict(g=1.0, K=20, I_l=1.5, I_u=1.0),
                                    dict(g=1.0, K=20, alpha=0.0), dict(g=1.0, K=20, duration=0.0),
                                    dict(g=1.0, K=20, dt=0.0), dict(g=float("nan"), K=20)])
def test_shot_noise_bad_input_is_refused_by_name(kwargs):
    with pytest.raises(ParameterError):
        shot_noise_mean_field(**kwargs)


def test_shot_noise_accepts_the_edges_of_its_valid_input():
    """K = 1, I_l = I_u, a slow pulse (alpha = 0.5) and a short run (0.5 tau_m) are valid input:
    the rate is then the spike count of the 4 sampled neurons over the 9 counted steps (the first
    of 10 is burn-in), 0.45 tau_m: a whole number divided by 4 x 0.45, at most one spike each."""
    state = shot_noise_mean_field(0.0, 1, I_l=1.3, I_u=1.3, alpha=0.5, duration=0.5, dt=0.05, n_excitabilities=2,
                                  n_draws=2, iterations=1)
    counts = state.rate_per_tau_m * 4 * 0.45
    assert counts == pytest.approx(round(counts), abs=1e-9) and 0 <= state.rate_per_tau_m <= 1 / 0.45


def test_uncoupled_shot_noise_state_reports_its_sampled_neurons():
    """g = 0: the sampled neurons do not depend on R or Var(nu), so every iteration draws the same
    rates nu and the damped variance after n iterations is (1 - 2^-n) nu.var() exactly; the
    quenched input means then have the std sqrt((1 - 2^-n) Var(nu) (N - K)/((N - 1) K)) times that
    of the n_draws z quantiles (to rounding), and N = K removes the spread. Each neuron's count over
    the 9 tau_m window is within one spike of window/period, the period lengthened by at most dt
    (detection at the end of a step): each rate within 1/9 + nu^2 dt of the free one, so the mean
    too, and the active share <1 - e^{-2 nu}> lies between its values at those bounds."""
    kwargs = dict(n_excitabilities=8, n_draws=4, duration=10.0, dt=0.05, iterations=3, window=2.0)
    state = shot_noise_mean_field(0.0, 20, N=400, tau_m=20 * ms, **kwargs)
    z = special.ndtri((np.arange(4) + 0.5) / 4)
    expected_std = np.sqrt((1 - 0.5**3) * state.rate_variance * (400 - 20) / (399 * 20)) * z.std()
    assert state.input_mean_std == pytest.approx(expected_std, rel=1e-9)
    assert shot_noise_mean_field(0.0, 20, N=20, **kwargs).input_mean_std == 0
    assert shot_noise_mean_field(0.0, 2, N=2, **kwargs).input_mean_std == 0
    unbounded = shot_noise_mean_field(0.0, 20, **kwargs)  # N unknown: no finite-N correction
    assert unbounded.input_mean_std == pytest.approx(np.sqrt((1 - 0.5**3) * unbounded.rate_variance / 20) * z.std(),
                                                     rel=1e-9)
    free = free_rate(1.0 + 0.5 * (np.arange(8) + 0.5) / 8)
    slack = 1 / 9 + free**2 * 0.05
    assert state.rate_per_tau_m == pytest.approx(np.mean(free), abs=np.mean(slack))
    low, high = np.maximum(free - slack, 0), free + slack
    assert np.mean(1 - np.exp(-2 * low)) <= state.n_active_frac <= np.mean(1 - np.exp(-2 * high))
    assert shot_noise_mean_field(0.0, 20, **{**kwargs, "window": None}).n_active_frac == 1.0
    assert (state.g, state.K, state.tau_m) == (0.0, 20, 0.02)
    assert state.mean_rate_hz == pytest.approx(state.rate_per_tau_m / 0.020, rel=1e-12)


def test_shot_noise_inhibition_with_many_tiny_pulses_is_the_deterministic_mean_field():
    """K = 10^6 pulses of area g/K: the field is E = R up to a std sqrt(R alpha / (4 K)) ~ 1e-3, so
    every sampled neuron (32 evenly spaced I, 16 draws each) fires at 1/(T(I - g R) + dt/2) (spike
    detection at the end of a step) and R solves R = <that>; g = 2: R* = 0.1526. Each neuron's count
    over the 0.9 D window is off by less than one spike (its phase starts from a uniform v, not a
    uniform phase), which bounds the mean rate's error by n_active/(0.9 D) = 0.375/54 = 0.007;
    inhibition is one-sided: the rate is below the free one (0.60) and only the neurons above
    g R* are active (12 of 32)."""
    from scipy import optimize
    g, dt, duration = 2.0, 0.02, 60.0
    state = shot_noise_mean_field(g, 10**6, n_excitabilities=32, n_draws=16, duration=duration, dt=dt, iterations=4)
    I = 1.0 + 0.5 * (np.arange(32) + 0.5) / 32

    def sampled_rate(R):
        mu = I - g * R
        period = np.log(np.where(mu > 1, mu, 2.0) / (np.where(mu > 1, mu, 2.0) - 1.0))
        return np.mean(np.where(mu > 1, 1 / (period + dt / 2), 0.0))
    expected = optimize.brentq(lambda R: R - sampled_rate(R), 0.0, 1.0)
    assert state.rate_per_tau_m == pytest.approx(expected, abs=0.375 / (0.9 * duration))
    assert state.n_active_frac == pytest.approx(np.mean(I - g * expected > 1), abs=1 / 32)
    assert state.input_mean_std < 1e-3
