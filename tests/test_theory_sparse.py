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
