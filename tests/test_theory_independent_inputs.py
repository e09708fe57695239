"""The independent-input (dynamical) sparse mean field, neurodyn.theory.independent_inputs: free
neurons at g = 0, one generation from a Poisson pool against the shot-noise theory, the circular
shifts that make inputs independent, seeds, and refusals. Small N, short windows, numpy target."""
import numpy as np
import pytest

from neurodyn.errors import ParameterError
from neurodyn.theory import free_rate, global_mean_field
from neurodyn.theory.heterogeneity import even_excitabilities
from neurodyn.theory.independent_inputs import (independent_input_mean_field,
                                                independent_input_mean_fields, shifted_inputs, _swings)
from neurodyn.theory.sparse import shot_noise_mean_field

SMALL = dict(N=40, window=50.0, transient=5.0)


def test_without_coupling_the_fixed_point_is_the_free_rates():
    """g = 0: inputs have no effect, every neuron fires regularly at nu(I) = 1/ln(I/(I-1)).
    Tolerance 2 %: a spike is detected at the end of a step (period longer by dt/2, ~0.5 %) and
    each count over 50 tau_m is off by at most one spike (~ 1/(50 nu) ~ 1 % per neuron). The
    Poisson pool at the diffusion rates (= free rates at g = 0) is already self-consistent, so
    the iteration stops after ``averaged`` generations."""
    state = independent_input_mean_field(0.0, 5, max_generations=5, averaged=2, **SMALL)
    assert state.converged and state.generations == 2
    assert state.rate_per_tau_m == pytest.approx(np.mean(free_rate(even_excitabilities(40, 1.0, 1.5))), rel=0.02)
    assert state.n_active_frac == 1.0
    assert state.cv_mean < 0.05  # regular firing
    assert len(state.history) == state.generations + 1


def test_one_generation_from_a_poisson_pool_is_the_shot_noise_theory():
    """Pool of Poisson trains at the global mean field's rate R, one generation: this is what
    shot_noise_mean_field computes without iterating (every neuron driven by K Poisson trains of
    rate R, pulses g/K). Agreement within 3 standard errors (this one's block error and the
    shot-noise sampling error sqrt(R / (1024 * 54 tau_m))); seen 1.5. A wrong pulse size (g alpha
    instead of g alpha / K) would silence the neurons."""
    g, K = 20.0, 10
    R = global_mean_field(g).rate_per_tau_m
    state = independent_input_mean_field(g, K, N=100, window=100.0, transient=5.0, initial_rates=R,
                                         max_generations=1)
    shot = shot_noise_mean_field(g, K, iterations=0, duration=60.0, dt=0.01)
    error = np.hypot(state.rate_error, np.sqrt(shot.rate_per_tau_m / (1024 * 54)))
    assert state.generations == 1
    assert abs(state.rate_per_tau_m - shot.rate_per_tau_m) < 3 * error
    assert state.rate_per_tau_m > 5 * R  # far from self-consistent after one step: iteration matters


def test_circular_shifts_make_inputs_independent_and_keep_their_intervals():
    """The same bursty train copied into every pool slot (copies perfectly correlated): after the
    shifts, the spike counts of the inputs in bins of 20 steps are uncorrelated (mean pairwise
    correlation within 4/sqrt(bins) of 0), and each input keeps the train's circular intervals."""
    window = 4000
    burst_starts = np.arange(0, window, 400)
    train = np.sort(np.concatenate([burst_starts + k * 10 for k in range(5)]))  # bursts of 5 spikes
    pool = [train] * 30
    rng = np.random.default_rng(1)
    indices, steps = shifted_inputs(pool, np.arange(30), window, window, rng)
    counts = np.zeros((30, window // 20))
    np.add.at(counts, (indices, steps // 20), 1)
    corr = np.corrcoef(counts)
    assert np.mean(corr[np.triu_indices(30, 1)]) == pytest.approx(0.0, abs=4 / np.sqrt(counts.shape[1]))
    circular = np.sort(np.diff(np.append(train, train[0] + window)))
    for s in range(30):
        own = np.sort(steps[indices == s])
        assert np.array_equal(np.sort(np.diff(np.append(own, own[0] + window))), circular)


def test_damping_is_halved_only_on_overshoots_beyond_the_noise():
    """The rate swinging down-up by 10 standard errors counts as overshooting; a monotonic
    approach or a swing within the noise does not."""
    def run(*rates):
        return [{"rate": rate, "rate_error": 0.01} for rate in rates]

    assert _swings(run(0.5, 0.2, 0.5))
    assert not _swings(run(0.5, 0.4, 0.3))
    assert not _swings(run(0.30, 0.29, 0.30))


def test_a_seed_gives_the_same_generations_and_another_seed_others():
    points = [(5.0, 10)]
    first = independent_input_mean_fields(points, max_generations=1, seed=3, **SMALL)[0]
    again = independent_input_mean_fields(points, max_generations=1, seed=3, **SMALL)[0]
    other = independent_input_mean_fields(points, max_generations=1, seed=4, **SMALL)[0]
    assert first.history == again.history
    assert first.history != other.history


@pytest.mark.parametrize("kwargs", [dict(points=[]), dict(points=[(-1.0, 10)]), dict(points=[(1.0, 0)]),
                                    dict(points=[(1.0, 40)], N=40), dict(points=[(1.0, 10)], mixing=0.0),
                                    dict(points=[(1.0, 10)], averaged=0), dict(points=[(1.0, 10)], window=0.001),
                                    dict(points=[(1.0, 10)], I_l=1.5, I_u=1.0),
                                    dict(points=[(1.0, 10)], target="cpp_standalone"),
                                    dict(points=[(1.0, 10)], initial_rates=-1.0)])
def test_bad_input_is_refused_by_name(kwargs):
    with pytest.raises(ParameterError):
        independent_input_mean_fields(**kwargs)
