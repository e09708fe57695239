"""Synchrony: chi from voltages, running sums and spikes; Kuramoto r; count correlation."""
from types import SimpleNamespace

import numpy as np
import pytest

from analysis_synthetic import poisson
from neurodyn.analysis import (chi_from_running_sums, chi_from_spikes, chi_from_voltage, kuramoto_order,
                               kuramoto_r, spike_count_correlation)


def identical_trains(n_neurons, rng, duration=5.0):
    _, t = poisson(1, 20.0, duration, rng)
    return np.tile(np.arange(n_neurons), len(t)), np.repeat(t, n_neurons)


def test_chi_from_voltage_identical_and_independent_traces():
    rng = np.random.default_rng(0)
    common = np.sin(np.linspace(0, 20, 2000)) + rng.normal(0, 0.1, 2000)
    assert chi_from_voltage(np.tile(common, (30, 1))) == pytest.approx(1.0, abs=1e-12)
    n = 400
    independent = rng.normal(0, 1, (n, 2000))
    assert 0.7 / np.sqrt(n) < chi_from_voltage(independent) < 1.4 / np.sqrt(n)


def test_chi_from_voltage_follows_its_definition():
    rng = np.random.default_rng(1)
    v = rng.normal(0, 1, (5, 300)) + 2 * np.sin(np.linspace(0, 30, 300))
    population = v.mean(axis=0)
    expected = np.sqrt(np.var(population) / np.mean([np.var(row) for row in v]))
    assert chi_from_voltage(v) == pytest.approx(expected, rel=1e-12)


def test_chi_from_voltage_record_uses_the_window():
    rng = np.random.default_rng(2)
    t = np.arange(1000) * 1e-3
    v = rng.normal(0, 1, (10, 1000))
    v[:, 500:] = v[0, 500:]                          # synchronous second half
    record = SimpleNamespace(t=t, neurons=np.arange(10), v=v)
    result = SimpleNamespace(voltage=record)
    assert chi_from_voltage(result, t_start=0.5) == pytest.approx(1.0, abs=1e-12)
    assert chi_from_voltage(record, t_stop=0.5) < 0.6
    with pytest.raises(ValueError, match="no voltage samples"):
        chi_from_voltage(record, t_start=2.0)
    with pytest.raises(ValueError, match="no voltage record"):
        chi_from_voltage(SimpleNamespace(voltage=None))
    with pytest.raises(ValueError, match="NaN"):
        chi_from_voltage(np.array([[0.0, np.nan], [1.0, 2.0]]))


def test_chi_from_running_sums_equals_the_full_record():
    rng = np.random.default_rng(3)
    v = rng.normal(-60, 3, (50, 4000)) + 5 * np.sin(np.linspace(0, 80, 4000))
    running = chi_from_running_sums(v.mean(axis=0), v.sum(axis=1), (v ** 2).sum(axis=1), v.shape[1])
    assert running == pytest.approx(chi_from_voltage(v), rel=1e-9)
    with pytest.raises(ValueError, match="n_samples"):
        chi_from_running_sums(v.mean(axis=0), v.sum(axis=1), (v ** 2).sum(axis=1), 10)


def brute_force_chi_from_spikes(i, t, n_neurons, duration, bin_width, sigma):
    """The (N, T) route: bin every train, smooth it circularly over the window, take variances."""
    n_bins = int(round(duration / bin_width))
    counts = np.zeros((n_neurons, n_bins))
    np.add.at(counts, (i, (t / bin_width).astype(int)), 1)
    half = int(np.ceil(4 * sigma / bin_width))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * bin_width / sigma) ** 2)
    kernel /= kernel.sum()
    smoothed = sum(weight * np.roll(counts, shift, axis=1) for shift, weight in zip(range(-half, half + 1), kernel))
    return np.sqrt(smoothed.mean(axis=0).var() / smoothed.var(axis=1).mean())


@pytest.mark.parametrize("bin_width, sigma, duration", [(1e-3, 3e-3, 2.0), (0.5e-3, 2e-3, 2.0), (2e-3, 1e-3, 2.0),
                                                        (1e-3, 3e-3, 0.05)])
def test_chi_from_spikes_equals_the_dense_computation(bin_width, sigma, duration):
    rng = np.random.default_rng(4)
    i, t = poisson(40, 80.0, duration, rng)          # dense enough for many spike pairs within reach
    close = t < duration - 2e-4
    t = np.concatenate([t, t[close][:30] + 2e-4])    # plus near-coincident spikes
    i = np.concatenate([i, i[close][:30]])
    expected = brute_force_chi_from_spikes(i, t, 40, duration, bin_width, sigma)
    assert chi_from_spikes(i, t, n_neurons=40, t_stop=duration, bin_width=bin_width, sigma=sigma) == pytest.approx(
        expected, rel=1e-10)


def test_chi_from_spikes_needs_a_window_longer_than_its_kernel():
    with pytest.raises(ValueError, match="longer than 16 sigma"):
        chi_from_spikes([0], [0.01], n_neurons=1, t_stop=0.03, sigma=2e-3)


def test_chi_from_spikes_ground_truth():
    rng = np.random.default_rng(5)
    n = 200
    i, t = poisson(n, 20.0, 5.0, rng)
    chi = chi_from_spikes(i, t, n_neurons=n, t_stop=5.0)
    assert 0.3 / np.sqrt(n) < chi < 3 / np.sqrt(n)
    n = 5000                                         # large N: no bias from the window's edges
    i, t = poisson(n, 10.0, 2.0, rng)
    assert chi_from_spikes(i, t, n_neurons=n, t_stop=2.0) * np.sqrt(n) == pytest.approx(1.0, abs=0.15)
    i, t = identical_trains(50, rng)
    assert chi_from_spikes(i, t, n_neurons=50, t_stop=5.0) == pytest.approx(1.0, abs=1e-9)
    assert np.isnan(chi_from_spikes(np.array([], int), np.array([]), n_neurons=5, t_stop=1.0))


def test_kuramoto_identical_trains_give_one():
    i, t = identical_trains(40, np.random.default_rng(6))
    r = kuramoto_order(i, t, n_neurons=40, t_stop=5.0)
    defined = r["n_phase"] > 0
    assert (r.loc[defined, "n_phase"] == 40).all()
    np.testing.assert_allclose(r.loc[defined, "kuramoto_r"], 1.0, atol=1e-9)
    assert kuramoto_r(i, t, n_neurons=40, t_stop=5.0) == pytest.approx((1.0, 40.0), abs=1e-9)


def test_kuramoto_poisson_is_near_chance():
    n = 400
    i, t = poisson(n, 10.0, 20.0, np.random.default_rng(7))
    r, n_phase = kuramoto_r(i, t, n_neurons=n, t_stop=20.0)
    assert n_phase > 0.95 * n
    # r(t) decorrelates within ~1 interval (0.1 s): ~200 independent samples of relative std 0.52
    assert abs(r / (0.886 / np.sqrt(n_phase)) - 1) < 0.12


def test_kuramoto_phases_are_linear_between_spikes():
    i, t = [0, 0, 0, 1, 1], [0.0, 0.4, 0.6, 0.1, 0.9]
    r = kuramoto_order(i, t, n_neurons=3, t_stop=1.0, step=0.1)
    times = (np.arange(10) + 0.5) * 0.1
    for time, row in zip(times, r.itertuples()):
        phases = []
        for own in ([0.0, 0.4, 0.6], [0.1, 0.9]):
            k = np.searchsorted(own, time, side="right") - 1
            if 0 <= k < len(own) - 1:
                phases.append(2 * np.pi * (time - own[k]) / (own[k + 1] - own[k]))
        assert row.n_phase == len(phases)
        if phases:
            assert row.kuramoto_r == pytest.approx(abs(np.mean(np.exp(1j * np.array(phases)))), abs=1e-12)
        else:
            assert np.isnan(row.kuramoto_r)
    assert r["t_ms"].tolist() == pytest.approx(times * 1e3)


def test_spike_count_correlation():
    rng = np.random.default_rng(8)
    i, t = identical_trains(20, rng)
    assert spike_count_correlation(i, t, n_neurons=25, t_stop=5.0) == pytest.approx(1.0, abs=1e-12)
    i, t = poisson(300, 20.0, 10.0, rng)
    independent = spike_count_correlation(i, t, n_neurons=300, t_stop=10.0, max_neurons=100, seed=1)
    assert abs(independent) < 0.01
    assert independent != spike_count_correlation(i, t, n_neurons=300, t_stop=10.0, max_neurons=100, seed=2)
    assert np.isnan(spike_count_correlation([0], [0.5], n_neurons=3, t_stop=1.0))
