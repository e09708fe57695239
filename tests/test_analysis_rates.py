"""Rates: per neuron, active fraction, population rate."""
import numpy as np
import pytest

from analysis_synthetic import poisson
from neurodyn.analysis import n_active_fraction, neuron_rates, population_rate


def test_neuron_rates_include_silent_neurons():
    rates = neuron_rates([0, 0, 2, 2, 2], [0.1, 0.2, 0.3, 0.4, 1.9], n_neurons=4, t_start=0.0, t_stop=2.0)
    assert rates.columns.tolist() == ["neuron", "n_spikes", "rate_hz"]
    assert rates["n_spikes"].tolist() == [2, 0, 3, 0]
    np.testing.assert_allclose(rates["rate_hz"], [1.0, 0.0, 1.5, 0.0])


def test_active_fraction_counts_only_the_window():
    i, t = [0, 1, 2], [0.1, 0.5, 0.9]
    assert n_active_fraction(i, t, n_neurons=4, t_stop=1.0) == 0.75
    assert n_active_fraction(i, t, n_neurons=4, t_start=0.4, t_stop=1.0) == 0.5


def test_population_rate_matches_a_histogram():
    rng = np.random.default_rng(2)
    i, t = poisson(50, 10.0, 2.0, rng)
    frame = population_rate(i, t, n_neurons=50, t_stop=2.0, bin_width=5e-3)
    counts, edges = np.histogram(t, bins=np.linspace(0, 2.0, 401))
    assert frame.columns.tolist() == ["t_ms", "pop_rate_hz"]
    np.testing.assert_allclose(frame["t_ms"], (edges[:-1] + 2.5e-3) * 1e3)
    np.testing.assert_allclose(frame["pop_rate_hz"], counts / (50 * 5e-3))


@pytest.mark.parametrize("kernel", ["gaussian", "box"])
def test_smoothing_keeps_the_mean_rate_and_lowers_the_variance(kernel):
    rng = np.random.default_rng(5)
    i, t = poisson(20, 15.0, 4.0, rng)
    raw = population_rate(i, t, n_neurons=20, t_stop=4.0)["pop_rate_hz"]
    smooth = population_rate(i, t, n_neurons=20, t_stop=4.0, smooth_width=10e-3, kernel=kernel)["pop_rate_hz"]
    assert smooth.mean() == pytest.approx(raw.mean(), rel=0.02)
    assert smooth.var() < raw.var() / 5


def test_bad_bin_width_and_kernel_raise():
    with pytest.raises(ValueError, match="bin_width"):
        population_rate([0], [0.1], n_neurons=1, t_stop=1.0, bin_width=0)
    with pytest.raises(ValueError, match="longer than the window"):
        population_rate([0], [0.1], n_neurons=1, t_stop=1.0, bin_width=2.0)
    with pytest.raises(ValueError, match="kernel"):
        population_rate([0], [0.1], n_neurons=1, t_stop=1.0, smooth_width=0.01, kernel="triangle")
