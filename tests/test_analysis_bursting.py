"""Burst detection finds planted bursts exactly, with a fixed threshold and with logISI."""
import numpy as np
import pytest

from analysis_synthetic import gamma, planted_bursts, poisson
from neurodyn.analysis import burst_statistics, detect_bursts, logisi_thresholds, population_bursting


@pytest.fixture(scope="module")
def planted():
    return planted_bursts(25, np.random.default_rng(21))


@pytest.mark.parametrize("max_isi", [0.02, "logisi"])
def test_planted_bursts_are_found_exactly(planted, max_isi):
    i, t, n_bursts, size = planted
    stats = burst_statistics(i, t, n_neurons=26, t_stop=40.0, max_isi=max_isi)
    np.testing.assert_array_equal(stats["n_bursts"][:25], n_bursts)
    np.testing.assert_array_equal(stats["spikes_per_burst"][:25], size)
    assert stats.loc[25, "n_bursts"] == 0 and np.isnan(stats.loc[25, "burst_fraction"])
    spikes = np.bincount(i, minlength=26)[:25]
    np.testing.assert_allclose(stats["burst_fraction"][:25], n_bursts * size / spikes)


def test_burst_frame_reports_first_and_last_spikes(planted):
    i, t, n_bursts, size = planted
    bursts = detect_bursts(i, t, n_neurons=25, t_stop=40.0, max_isi="logisi")
    assert bursts.columns.tolist() == ["neuron", "burst", "t_start_ms", "t_stop_ms", "n_spikes",
                                       "duration_ms", "mean_intra_isi_ms"]
    assert len(bursts) == n_bursts.sum()
    own = t[i == 3]
    close_to_next = np.diff(own) < 0.01                      # intra-burst intervals are <= 6 ms
    onsets = own[:-1][close_to_next & ~np.r_[False, close_to_next[:-1]]]
    ends = own[1:][close_to_next & ~np.r_[close_to_next[1:], False]]
    neuron_3 = bursts[bursts["neuron"] == 3]
    assert neuron_3["burst"].tolist() == list(range(n_bursts[3]))
    np.testing.assert_allclose(neuron_3["t_start_ms"], onsets * 1e3)
    np.testing.assert_allclose(neuron_3["t_stop_ms"], ends * 1e3)
    assert (neuron_3["n_spikes"] == size[3]).all()
    np.testing.assert_allclose(neuron_3["duration_ms"], (ends - onsets) * 1e3)
    np.testing.assert_allclose(neuron_3["mean_intra_isi_ms"], (ends - onsets) / (size[3] - 1) * 1e3)


def test_intra_and_inter_burst_intervals():
    # one neuron: bursts at 0 s and 1 s of 3 spikes 5 ms apart, a burst of 4 at 2.5 s, 10 ms apart
    t = np.array([0, 0.005, 0.010, 1.0, 1.005, 1.010, 2.5, 2.51, 2.52, 2.53, 3.5])
    stats = burst_statistics(np.zeros(len(t), int), t, n_neurons=1, t_stop=4.0, max_isi=0.015)
    row = stats.iloc[0]
    assert row["n_bursts"] == 3 and row["spikes_per_burst"] == pytest.approx(10 / 3)
    assert row["intra_burst_isi_ms"] == pytest.approx((10 + 10 + 30) / 7)
    assert row["burst_duration_ms"] == pytest.approx((10 + 10 + 30) / 3)
    assert row["inter_burst_interval_ms"] == pytest.approx((990 + 1490) / 2)
    assert row["burst_fraction"] == pytest.approx(10 / 11)


def test_min_spikes_sets_the_shortest_burst():
    t = np.array([0, 0.005, 1.0, 1.005, 1.010])
    assert len(detect_bursts(np.zeros(5, int), t, n_neurons=1, t_stop=2.0, max_isi=0.01)) == 1
    assert len(detect_bursts(np.zeros(5, int), t, n_neurons=1, t_stop=2.0, max_isi=0.01, min_spikes=2)) == 2
    with pytest.raises(ValueError, match="min_spikes"):
        detect_bursts(np.zeros(5, int), t, n_neurons=1, t_stop=2.0, max_isi=0.01, min_spikes=1)


def test_runs_do_not_cross_neurons():
    # neuron 0 ends with two close spikes, neuron 1 starts with one close to them: no burst of 3
    i, t = [0, 0, 1, 1], [0.100, 0.101, 0.102, 0.5]
    assert len(detect_bursts(i, t, n_neurons=2, t_stop=1.0, max_isi=0.01)) == 0


@pytest.mark.parametrize("make_trains", [
    lambda rng: poisson(200, 5.0, 40.0, rng),
    lambda rng: poisson(200, 40.0, 10.0, rng),
    lambda rng: gamma(200, 0.5, 10.0, 20.0, rng),
    lambda rng: gamma(200, 8.0, 20.0, 10.0, rng),
])
def test_logisi_finds_no_bimodality_in_unimodal_trains(make_trains):
    i, t = make_trains(np.random.default_rng(8))
    thresholds = logisi_thresholds(i, t, n_neurons=200, t_stop=40.0)
    assert thresholds["bimodal"].mean() <= 0.02
    assert population_bursting(i, t, n_neurons=200, t_stop=40.0)["burst_fraction"] < 0.01


def test_logisi_threshold_lies_between_intra_and_inter_burst_intervals(planted):
    i, t, _, _ = planted
    thresholds = logisi_thresholds(i, t, n_neurons=25, t_stop=40.0)
    assert thresholds["bimodal"].all()
    assert ((thresholds["max_isi_ms"] > 6) & (thresholds["max_isi_ms"] < 130)).all()


def test_fallback_threshold_applies_to_unimodal_neurons():
    rng = np.random.default_rng(9)
    i, t = poisson(50, 30.0, 10.0, rng)
    without = burst_statistics(i, t, n_neurons=50, t_stop=10.0)
    fixed = burst_statistics(i, t, n_neurons=50, t_stop=10.0, max_isi=0.01)
    fallback = burst_statistics(i, t, n_neurons=50, t_stop=10.0, fallback_max_isi=0.01)
    assert without["n_bursts"].sum() == 0 and fixed["n_bursts"].sum() > 0
    np.testing.assert_array_equal(fallback["n_bursts"], fixed["n_bursts"])
    with pytest.raises(ValueError, match="fallback_max_isi applies only"):
        burst_statistics(i, t, n_neurons=50, t_stop=10.0, max_isi=0.01, fallback_max_isi=0.01)


def test_population_bursting_index(planted):
    i, t, n_bursts, size = planted
    index = population_bursting(i, t, n_neurons=50, t_stop=40.0, max_isi=0.02)
    assert index["burst_fraction"] == pytest.approx((n_bursts * size).sum() / len(t))
    assert index["bursting_neuron_frac"] == 0.5


def test_no_spikes_no_bursts():
    empty = np.array([], int), np.array([])
    assert len(detect_bursts(*empty, n_neurons=3, t_stop=1.0)) == 0
    assert burst_statistics(*empty, n_neurons=3, t_stop=1.0)["n_bursts"].tolist() == [0, 0, 0]
    assert np.isnan(population_bursting(*empty, n_neurons=3, t_stop=1.0)["burst_fraction"])


@pytest.mark.parametrize("max_isi, message", [(-0.01, "max_isi must be > 0"), ("maxinterval", "'logisi'")])
def test_bad_thresholds_raise(max_isi, message):
    with pytest.raises(ValueError, match=message):
        detect_bursts([0, 0, 0], [0.1, 0.2, 0.3], n_neurons=1, t_stop=1.0, max_isi=max_isi)


# Intervals on and near the threshold. Times are multiples of 2**-10 s, so every interval is
# an exact binary float and "interval == max_isi" holds without rounding.
UNIT = 2.0 ** -10
MAX_ISI = 8 * UNIT                                           # 7.8125 ms


@pytest.mark.parametrize("gap_units, linked", [
    (8, True),                                               # on the threshold: inside (ISI <= max_isi)
    (7, True),                                               # just below
    (9, False),                                              # 12.5 % above: outside
    (11, False),                                             # 37.5 % above: outside
])
def test_interval_on_the_threshold_links_and_above_it_does_not(gap_units, linked):
    """A run of 4 spikes whose three intervals all equal ``gap_units`` units: one burst of 4
    if the interval counts as intra-burst (<= max_isi), none otherwise."""
    t = np.arange(4) * gap_units * UNIT + 0.5
    bursts = detect_bursts(np.zeros(4, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI)
    assert len(bursts) == int(linked)
    if linked:
        assert bursts["n_spikes"].tolist() == [4]
        assert bursts["t_start_ms"].iloc[0] == t[0] * 1e3 and bursts["t_stop_ms"].iloc[0] == t[-1] * 1e3


def test_one_interval_above_the_threshold_splits_a_burst():
    """Intervals 8, 8, 9, 8, 8 units with max_isi = 8 units: two bursts of 3 spikes, split by the
    single interval 12.5 % above the threshold (a threshold scaled by any factor > 9/8 joins them)."""
    t = 0.25 + np.cumsum([0, 8, 8, 9, 8, 8]) * UNIT
    bursts = detect_bursts(np.zeros(6, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI)
    assert bursts["n_spikes"].tolist() == [3, 3]
    np.testing.assert_array_equal(bursts["t_start_ms"], t[[0, 3]] * 1e3)
    stats = burst_statistics(np.zeros(6, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI).iloc[0]
    assert stats["max_isi_ms"] == MAX_ISI * 1e3
    assert stats["inter_burst_interval_ms"] == 9 * UNIT * 1e3
    assert stats["intra_burst_isi_ms"] == 8 * UNIT * 1e3 and stats["burst_fraction"] == 1.0


def test_min_spikes_is_inclusive():
    """A run of exactly min_spikes spikes is a burst; one spike fewer is not."""
    t = 0.1 + np.arange(4) * UNIT
    assert detect_bursts(np.zeros(4, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI, min_spikes=4)[
        "n_spikes"].tolist() == [4]
    assert len(detect_bursts(np.zeros(4, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI, min_spikes=5)) == 0


def bimodal_train(intra: float, inter: float, n_bursts: int = 20, size: int = 3):
    """One neuron: ``n_bursts`` bursts of ``size`` spikes ``intra`` apart, bursts ``inter`` apart
    (last spike to first spike)."""
    burst = np.arange(size) * intra
    starts = np.arange(n_bursts) * (burst[-1] + inter)
    return (starts[:, None] + burst).ravel() + 0.01


@pytest.mark.parametrize("intra, inter", [(5e-3, 0.5), (2e-3, 0.3), (10e-3, 1.0)])
def test_logisi_threshold_is_the_geometric_midpoint_of_two_isolated_modes(intra, inter):
    """With all intra-burst intervals in one log bin and all inter-burst ones in another, many
    bins apart, the smoothed histogram (Gaussian of one bin, truncated at 4 bins) is exactly zero
    on a stretch symmetric about the midpoint of the two occupied bins; the threshold is the
    middle of that stretch, i.e. the geometric mean of the two bin centres. Each interval lies
    within half a bin (a factor 10**0.05 = 1.122) of its bin centre, so the threshold lies within
    that factor of sqrt(intra * inter)."""
    t = bimodal_train(intra, inter)
    threshold = logisi_thresholds(np.zeros(len(t), int), t, n_neurons=1, t_stop=t[-1] + 1)
    assert bool(threshold["bimodal"].iloc[0])
    ratio = threshold["max_isi_ms"].iloc[0] * 1e-3 / np.sqrt(intra * inter)
    assert 10 ** -0.05 <= ratio <= 10 ** 0.05, ratio
    bursts = burst_statistics(np.zeros(len(t), int), t, n_neurons=1, t_stop=t[-1] + 1).iloc[0]
    assert bursts["n_bursts"] == 20 and bursts["spikes_per_burst"] == 3


def test_logisi_needs_a_deep_enough_void():
    """Void parameter v = 1 - h_min / min(h1, h2): intervals spread evenly between the modes fill
    the valley; with v < min_void the neuron is not bimodal, with the void required lowered it is."""
    t = bimodal_train(5e-3, 0.5, n_bursts=40)
    filler = np.cumsum(10 ** np.linspace(-2.3, -0.3, 200)) + t[-1] + 0.1   # 10 intervals per bin, 5-500 ms
    t = np.concatenate([t, filler])
    i = np.zeros(len(t), int)
    strict = logisi_thresholds(i, t, n_neurons=1, t_stop=t[-1] + 1)
    assert not strict["bimodal"].iloc[0] and np.isnan(strict["max_isi_ms"].iloc[0])
    lenient = logisi_thresholds(i, t, n_neurons=1, t_stop=t[-1] + 1, min_void=0.0)
    assert lenient["bimodal"].iloc[0] and 5 < lenient["max_isi_ms"].iloc[0] < 500


def logisi_bin_centre(isi: float, lowest: float) -> float:
    """Centre (log10 s) of the documented histogram bin of ``isi``: 10 bins per decade from ``lowest``."""
    return lowest + (np.floor((np.log10(isi) - lowest) * 10) + 0.5) / 10


@pytest.mark.parametrize("intra, inter", [(5e-3, 0.5), (2e-3, 0.3), (10e-3, 1.0)])
def test_logisi_threshold_exactly(intra, inter):
    """For two single-bin modes the threshold is exactly 10 ** (mean of the two bin centres);
    the histogram starts at the decade tenth below the shortest interval. detect_bursts with
    "logisi" uses the very same thresholds."""
    t = bimodal_train(intra, inter)
    i = np.zeros(len(t), int)
    lowest = np.floor(np.log10(np.diff(t).min()) * 10) / 10
    expected = 10 ** ((logisi_bin_centre(intra, lowest) + logisi_bin_centre(inter, lowest)) / 2)
    frame = logisi_thresholds(i, t, n_neurons=1, t_stop=t[-1] + 1)
    assert list(frame.columns) == ["neuron", "max_isi_ms", "bimodal"]
    assert frame["max_isi_ms"].iloc[0] == pytest.approx(expected * 1e3, rel=1e-12)
    stats = burst_statistics(i, t, n_neurons=1, t_stop=t[-1] + 1)
    assert stats["max_isi_ms"].iloc[0] == pytest.approx(expected * 1e3, rel=1e-12)


def test_logisi_needs_peaks_of_at_least_three_smoothed_intervals():
    """A one-bin mode of n intervals peaks at n * 0.399 after the one-bin Gaussian: 8 inter-burst
    intervals (9 bursts) make a peak of 3.19 >= 3 (bimodal), 7 (8 bursts) one of 2.79 (not)."""
    nine, eight = bimodal_train(5e-3, 0.5, n_bursts=9), bimodal_train(5e-3, 0.5, n_bursts=8)
    assert logisi_thresholds(np.zeros(len(nine), int), nine, n_neurons=1, t_stop=10.0)["bimodal"].iloc[0]
    assert not logisi_thresholds(np.zeros(len(eight), int), eight, n_neurons=1, t_stop=10.0)["bimodal"].iloc[0]
    assert not logisi_thresholds(np.zeros(len(nine), int), nine, n_neurons=1, t_stop=10.0,
                                 min_peak_count=3.5)["bimodal"].iloc[0]
    # detect_bursts applies the same default
    assert len(detect_bursts(np.zeros(len(nine), int), nine, n_neurons=1, t_stop=10.0)) == 9
    assert len(detect_bursts(np.zeros(len(eight), int), eight, n_neurons=1, t_stop=10.0)) == 0


def test_per_neuron_thresholds_apply_to_their_own_neuron():
    """logISI gives neuron 0 a threshold near 16 ms and neuron 1 one near 160 ms; neuron 1's
    50 ms intervals link under its own threshold, neuron 0's 50 ms gap does not."""
    t0 = bimodal_train(2e-3, 0.1, n_bursts=20)
    t1 = bimodal_train(50e-3, 0.5, n_bursts=20)
    i, t = np.r_[np.zeros(len(t0), int), np.ones(len(t1), int)], np.r_[t0, t1]
    order = np.argsort(t, kind="stable")
    stats = burst_statistics(i[order], t[order], n_neurons=2, t_stop=30.0)
    assert stats["max_isi_ms"].iloc[0] < 50 < stats["max_isi_ms"].iloc[1]
    assert stats["n_bursts"].tolist() == [20, 20] and stats["spikes_per_burst"].tolist() == [3, 3]
    np.testing.assert_allclose(stats["inter_burst_interval_ms"], [100.0, 500.0])
    bursts = detect_bursts(i[order], t[order], n_neurons=2, t_stop=30.0)
    assert bursts["burst"].tolist() == list(range(20)) * 2


def test_two_close_spikes_after_others_are_no_burst():
    """Runs are counted from their own first spike: an isolated spike then a pair is no burst of 3."""
    t = np.array([0.1, 0.5, 0.5 + UNIT, 0.9, 0.9 + UNIT, 0.9 + 2 * UNIT])
    bursts = detect_bursts(np.zeros(6, int), t, n_neurons=1, t_stop=1.0, max_isi=MAX_ISI)
    assert bursts["n_spikes"].tolist() == [3] and bursts["t_start_ms"].tolist() == [900.0]


def test_window_start_and_fallback_reach_every_entry_point():
    """t_start drops the spikes before it (a burst at 0.1 s), and the fallback threshold applies in
    detect_bursts and population_bursting as in burst_statistics."""
    t = np.r_[0.1 + np.arange(3) * UNIT, 2.0 + np.arange(4) * UNIT]
    i = np.zeros(len(t), int)
    kwargs = dict(n_neurons=1, t_stop=3.0, max_isi=MAX_ISI)
    assert len(detect_bursts(i, t, **kwargs)) == 2 and len(detect_bursts(i, t, t_start=1.0, **kwargs)) == 1
    assert burst_statistics(i, t, t_start=1.0, **kwargs)["n_bursts"].tolist() == [1]
    assert population_bursting(i, t, t_start=1.0, **kwargs) == {"burst_fraction": 1.0, "bursting_neuron_frac": 1.0}
    trains = bimodal_train(5e-3, 0.5)
    late = logisi_thresholds(np.zeros(len(trains), int), trains, n_neurons=1, t_start=trains[-1] - 1.0,
                             t_stop=trains[-1] + 1)
    assert not late["bimodal"].iloc[0]                         # two bursts left: too few intervals
    # unimodal neuron (logISI finds no threshold): the fallback decides
    regular = np.arange(10) * 5e-3 + 0.1
    fallback = dict(n_neurons=1, t_stop=1.0, fallback_max_isi=0.006)
    assert detect_bursts(np.zeros(10, int), regular, **fallback)["n_spikes"].tolist() == [10]
    assert detect_bursts(np.zeros(10, int), regular, n_neurons=1, t_stop=1.0).empty
    assert population_bursting(np.zeros(10, int), regular, **fallback)["burst_fraction"] == 1.0
    with pytest.raises(ValueError, match="fallback_max_isi must be > 0"):
        detect_bursts(np.zeros(10, int), regular, n_neurons=1, t_stop=1.0, fallback_max_isi=0.0)


def test_find_bursts_defaults_to_logisi_and_three_spikes():
    from neurodyn.analysis.bursting import find_bursts
    from neurodyn.analysis.spikes import spike_trains

    t = bimodal_train(5e-3, 0.5)
    found = find_bursts(spike_trains(np.zeros(len(t), int), t, n_neurons=1, t_stop=t[-1] + 1))
    assert len(found.neuron) == 20 and (found.n_spikes == 3).all()
    pairs = np.r_[0.1, 0.1 + UNIT, 0.5, 0.5 + UNIT]
    assert len(find_bursts(spike_trains(np.zeros(4, int), pairs, n_neurons=1, t_stop=1.0), MAX_ISI).neuron) == 0
