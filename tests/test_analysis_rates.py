"""Rates: per neuron, active fraction, population rate."""
import numpy as np
import pytest

from analysis_synthetic import poisson
from neurodyn.analysis import n_active_fraction, neuron_rates, population_rate
from neurodyn.analysis.rates import smooth


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


# ---------------------------------------------------------------- edges (mutation testing, issue 17)
def test_a_window_of_exactly_one_bin_and_a_trailing_partial_bin():
    one = population_rate([0, 0], [0.1, 0.9], n_neurons=1, t_stop=1.0, bin_width=1.0)
    assert one["pop_rate_hz"].tolist() == [2.0] and one["t_ms"].tolist() == [500.0]
    # 1 s in bins of 0.3 s: three whole bins; the spike at 0.95 s lies in the partial fourth and is left out
    three = population_rate([0, 0, 0], [0.05, 0.65, 0.95], n_neurons=1, t_stop=1.0, bin_width=0.3)
    assert three["pop_rate_hz"].to_numpy() == pytest.approx([1 / 0.3, 0.0, 1 / 0.3])


def test_population_rate_counts_from_the_window_start():
    rate = population_rate([0, 1, 0], [0.2, 0.55, 0.75], n_neurons=2, t_start=0.5, t_stop=1.0, bin_width=0.25)
    assert rate["t_ms"].tolist() == [625.0, 875.0]
    assert rate["pop_rate_hz"].to_numpy() == pytest.approx([1 / (2 * 0.25), 1 / (2 * 0.25)])


def test_smoothing_defaults_and_widths_against_scipy():
    """Reference: scipy.ndimage's filters with mode='reflect' (the documented edge handling)."""
    from scipy.ndimage import gaussian_filter1d, uniform_filter1d

    signal = np.array([0.0, 4.0, 1.0, 0.0, 0.0, 7.0, 2.0])
    assert smooth(signal, 0.5) == pytest.approx(gaussian_filter1d(signal, 0.5, mode="reflect"))   # default gaussian
    assert smooth(signal, 3.0, "box") == pytest.approx(uniform_filter1d(signal, 3, mode="reflect"))
    assert smooth(signal, 0.4, "box").tolist() == signal.tolist()               # rounds to a box of 1: unchanged
    with pytest.raises(ValueError, match="smoothing width must be > 0"):
        smooth(signal, 0.0)
    i, t = [0, 0, 0, 0], [0.0005, 0.0012, 0.0031, 0.0044]
    smoothed = population_rate(i, t, n_neurons=1, t_stop=0.005, bin_width=1e-3, smooth_width=1e-3)
    binned = population_rate(i, t, n_neurons=1, t_stop=0.005, bin_width=1e-3)["pop_rate_hz"].to_numpy()
    assert smoothed["pop_rate_hz"].to_numpy() == pytest.approx(gaussian_filter1d(binned, 1.0, mode="reflect"))
