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


# ---------------------------------------------------------------- edges (mutation testing, issue 17)
def test_voltage_input_forms_and_window_ends():
    v = [[0.0, 1.0, 0.0, 5.0], [0.0, 1.0, 2.0, -3.0]]
    assert chi_from_voltage(v) == pytest.approx(chi_from_voltage(np.array(v)), rel=1e-15)   # a nested list too
    record = SimpleNamespace(t=np.array([0.0, 1.0, 2.0, 3.0]), neurons=np.arange(2), v=np.array(v))
    # samples at t_start are in, at t_stop out: [1, 3) keeps columns 1 and 2
    assert chi_from_voltage(record, t_start=1.0, t_stop=3.0) == pytest.approx(chi_from_voltage(np.array(v)[:, 1:3]))
    assert chi_from_voltage(record, t_stop=3.0) == pytest.approx(chi_from_voltage(np.array(v)[:, :3]))
    with pytest.raises(ValueError, match="need the sample times"):
        chi_from_voltage(np.array(v), t_start=1.0)
    with pytest.raises(ValueError, match="need the sample times"):
        chi_from_voltage(np.array(v), t_stop=1.0)
    for bad in (np.zeros(5), np.zeros((3, 1))):
        with pytest.raises(ValueError, match="n_times >= 2"):
            chi_from_voltage(bad)


def test_running_sums_of_small_fluctuations_and_their_shapes():
    rng = np.random.default_rng(9)
    v = rng.normal(0, 0.05, (6, 500)) + 0.02 * np.sin(np.linspace(0, 30, 500))    # variances far below 1
    running = chi_from_running_sums(v.mean(axis=0), v.sum(axis=1), (v ** 2).sum(axis=1), v.shape[1])
    assert running == pytest.approx(chi_from_voltage(v), rel=1e-9)
    with pytest.raises(ValueError, match="1-D of one length"):
        chi_from_running_sums(v.mean(axis=0), v.sum(axis=1), (v ** 2).sum(axis=1)[:5], v.shape[1])


def test_chi_from_spikes_window_start_partial_bin_sigma_and_seam():
    """References: the dense (N, T) computation on the same window; a spike in the trailing
    partial bin (window 2.0004 s in 1 ms bins) is left out, like population_rate does."""
    rng = np.random.default_rng(10)
    i, t = poisson(10, 60.0, 2.0, rng)
    late = chi_from_spikes(i, t + 1.0, n_neurons=10, t_start=1.0, t_stop=3.0, bin_width=1e-3, sigma=3e-3)
    assert late == pytest.approx(brute_force_chi_from_spikes(i, t, 10, 2.0, 1e-3, 3e-3), rel=1e-10)
    trailing = chi_from_spikes(np.append(i, 3), np.append(t, 2.0002), n_neurons=10, t_stop=2.0004, bin_width=1e-3,
                               sigma=3e-3)
    assert trailing == pytest.approx(brute_force_chi_from_spikes(i, t, 10, 2.0, 1e-3, 3e-3), rel=1e-12)
    # pairs across the circular seam at every lag up to the reach 2 * 4 sigma = 24 bins
    seam_i = np.zeros(26, int)
    seam_t = np.concatenate([(np.arange(13) + 0.5) * 1e-3, 0.1 - (np.arange(13) + 0.5) * 1e-3])
    chi = chi_from_spikes(np.append(seam_i, 1), np.append(seam_t, 0.05), n_neurons=2, t_stop=0.1, bin_width=1e-3,
                          sigma=3e-3)
    assert chi == pytest.approx(brute_force_chi_from_spikes(np.append(seam_i, 1), np.append(seam_t, 0.05), 2, 0.1,
                                                            1e-3, 3e-3), rel=1e-12)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        chi_from_spikes([0], [0.01], n_neurons=1, t_stop=1.0, sigma=0.0)


def test_the_shortest_window_of_chi_from_spikes():
    """sigma / bin = 4: a kernel of half width ceil(4 * 4) = 16 bins, A = K * K reaches 32 bins,
    so a window needs 2 * 32 + 1 = 65 bins = 32.5 ms; with sigma = 1 ms, 2 * 16 + 1 = 33 bins."""
    from neurodyn.analysis.synchrony import chi_min_bins, chi_min_window

    assert chi_min_bins() == 65 and chi_min_window() == pytest.approx(0.0325, rel=1e-12)
    assert chi_min_bins(0.5e-3, 1e-3) == 33 and chi_min_window(0.5e-3, 1e-3) == pytest.approx(0.0165, rel=1e-12)
    assert chi_min_window(1e-3, 2e-3) == pytest.approx(0.033, rel=1e-12)            # 2 * 16 + 1 bins of 1 ms
    assert np.isfinite(chi_from_spikes([0, 1], [0.01, 0.02], n_neurons=2, t_stop=0.0325))
    assert np.isfinite(chi_from_spikes([0, 1], [0.01, 0.012], n_neurons=2, t_stop=0.0165, sigma=1e-3))
    with pytest.raises(ValueError, match="longer than 16 sigma"):
        chi_from_spikes([0, 1], [0.01, 0.02], n_neurons=2, t_stop=0.032)


def test_kuramoto_in_chunks_window_step_and_edge_cases(monkeypatch):
    from neurodyn.analysis import synchrony

    rng = np.random.default_rng(11)
    i, t = poisson(30, 15.0, 2.0, rng)
    whole = kuramoto_order(i, t, n_neurons=30, t_stop=2.0)
    assert len(whole) == 2000 and whole["n_phase"].dtype == np.int64          # default: 2000 points
    monkeypatch.setattr(synchrony, "_CHUNK", 500)                              # many chunks of 500 pairs
    chunked = kuramoto_order(i, t, n_neurons=30, t_stop=2.0)
    np.testing.assert_array_equal(chunked["n_phase"], whole["n_phase"])
    np.testing.assert_allclose(chunked["kuramoto_r"], whole["kuramoto_r"], rtol=1e-12)
    monkeypatch.undo()
    late = kuramoto_order(i, t, n_neurons=30, t_start=1.0, t_stop=2.0, step=0.01)
    assert late["t_ms"].iloc[0] == pytest.approx(1005.0)
    reference = kuramoto_order(i[t >= 1.0], t[t >= 1.0] - 1.0, n_neurons=30, t_stop=1.0, step=0.01)
    np.testing.assert_allclose(late["kuramoto_r"], reference["kuramoto_r"], rtol=1e-9)
    r, n = kuramoto_r(i, t, n_neurons=30, t_start=1.0, t_stop=2.0, step=0.01)
    bulk = late["n_phase"] >= late["n_phase"].max() - np.sqrt(late["n_phase"].max())
    assert (r, n) == pytest.approx((late["kuramoto_r"][bulk].mean(), late["n_phase"][bulk].mean()), rel=1e-12)
    with pytest.raises(ValueError, match="step must be > 0"):
        kuramoto_order(i, t, n_neurons=30, t_stop=2.0, step=0.0)
    two = kuramoto_order([0, 0], [0.2, 0.6], n_neurons=1, t_stop=1.0, step=0.1)  # one interval
    assert two["n_phase"].tolist() == [0, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    silent = kuramoto_order(np.array([], int), np.array([]), n_neurons=2, t_stop=1.0, step=0.1)
    assert (silent["n_phase"] == 0).all() and silent["kuramoto_r"].isna().all()
    r, n = kuramoto_r(np.array([], int), np.array([]), n_neurons=2, t_stop=1.0)
    assert np.isnan(r) and n == 0.0
    # one neuron: r = 1 where it has a phase; points without one do not enter the mean
    assert kuramoto_r([0, 0], [0.2, 0.6], n_neurons=1, t_stop=1.0, step=0.1) == (1.0, 1.0)


def test_kuramoto_bulk_includes_its_threshold():
    """M_max = 4, threshold 4 - sqrt(4) = 2: points with exactly 2 phases count. Four neurons with
    intervals [0.1, 0.9), [0.1, 0.9), [0.3, 0.9), [0.5, 0.9) on 10 points of 0.1 s."""
    i = [0, 0, 1, 1, 2, 2, 3, 3]
    t = [0.1, 0.9, 0.1, 0.9, 0.3, 0.9, 0.5, 0.9]
    order = kuramoto_order(i, t, n_neurons=4, t_stop=1.0, step=0.1)
    assert order["n_phase"].tolist() == [0, 2, 2, 3, 3, 4, 4, 4, 4, 0]
    r, n = kuramoto_r(i, t, n_neurons=4, t_stop=1.0, step=0.1)
    assert n == pytest.approx((2 + 2 + 3 + 3 + 4 * 4) / 8)


def brute_force_count_correlation(i, t, n_neurons, duration, bin_width, chosen):
    counts = np.zeros((len(chosen), int(round(duration / bin_width))))
    for row, neuron in enumerate(chosen):
        own = np.asarray(t)[np.asarray(i) == neuron]
        counts[row] = np.histogram(own, bins=counts.shape[1], range=(0, counts.shape[1] * bin_width))[0]
    counts = counts[counts.std(axis=1) > 0]
    c = np.corrcoef(counts)
    return c[np.triu_indices(len(counts), k=1)].mean()


def test_count_correlation_sample_of_200_by_seed_0_against_brute_force():
    """The documented sample: 200 of 260 neurons drawn without replacement by default_rng(0)."""
    rng = np.random.default_rng(12)
    _, common = poisson(1, 20.0, 2.0, rng)
    i, t = poisson(260, 5.0, 2.0, rng)
    i = np.concatenate([i, np.arange(0, 260, 2).repeat(len(common))])         # half the neurons share a train
    t = np.concatenate([t, np.tile(common, 130)])
    chosen = np.sort(np.random.default_rng(0).choice(260, 200, replace=False))
    expected = brute_force_count_correlation(i, t, 260, 2.0, 10e-3, chosen)
    assert spike_count_correlation(i, t, n_neurons=260, t_stop=2.0) == pytest.approx(expected, rel=1e-12)
    window = t >= 1.0
    late = spike_count_correlation(i, t, n_neurons=260, t_start=1.0, t_stop=2.0)
    assert late == pytest.approx(brute_force_count_correlation(i[window], t[window] - 1.0, 260, 1.0, 10e-3, chosen),
                                 rel=1e-12)


def test_count_correlation_of_two_and_three_neurons_and_a_partial_bin():
    t = np.array([0.005, 0.025, 0.055, 0.075])
    two = spike_count_correlation(np.repeat([0, 1], 4), np.tile(t, 2), n_neurons=2, t_stop=0.1)
    assert two == pytest.approx(1.0, abs=1e-12)
    # three neurons, a spike of neuron 2 in the trailing partial bin [0.1, 0.105) left out
    i = np.concatenate([np.zeros(4, int), np.ones(4, int), [2, 2, 2]])
    times = np.concatenate([t, t[::-1] * 0 + [0.015, 0.035, 0.045, 0.065], [0.005, 0.085, 0.102]])
    expected = brute_force_count_correlation(i[times < 0.1], times[times < 0.1], 3, 0.1, 10e-3, [0, 1, 2])
    assert spike_count_correlation(i, times, n_neurons=3, t_stop=0.105) == pytest.approx(expected, rel=1e-12)
