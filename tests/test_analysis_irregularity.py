"""CV, CV2, LV agree with Elephant on the same trains and behave as theory says."""
import warnings

import numpy as np
import pytest
from elephant import statistics

from analysis_synthetic import gamma, lif, poisson
from neurodyn.analysis import interspike_intervals, irregularity, mean_irregularity


def elephant_irregularity(i, t, n_neurons):
    """CV (of elephant.statistics.isi), CV2 and LV per neuron; NaN below 3 spikes."""
    rows = []
    for neuron in range(n_neurons):
        intervals = statistics.isi(np.sort(t[i == neuron]))
        if len(intervals) < 2:
            rows.append((np.nan, np.nan, np.nan))
            continue
        rows.append((statistics.cv(intervals), statistics.cv2(intervals), statistics.lv(intervals)))
    return np.array(rows)


def assert_matches_elephant(i, t, n_neurons, duration):
    ours = irregularity(i, t, n_neurons=n_neurons, t_stop=duration)[["cv", "cv2", "lv"]].to_numpy()
    theirs = elephant_irregularity(i, t, n_neurons)
    assert np.any(~np.isnan(theirs))
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("shape", [0.5, 1.0, 4.0])
def test_random_gamma_trains_match_elephant(shape):
    rng = np.random.default_rng(int(shape * 10))
    i, t = gamma(40, shape, 12.0, 3.0, rng)
    assert_matches_elephant(i, t, 40, 3.0)


def test_poisson_trains_with_sparse_neurons_match_elephant():
    rng = np.random.default_rng(11)
    i, t = poisson(60, 1.5, 2.0, rng)          # many neurons with 0, 1 or 2 spikes
    assert_matches_elephant(i, t, 60, 2.0)


def test_simulated_lif_trains_match_elephant():
    i, t = lif(12, 1.0)
    assert_matches_elephant(i, t, 12, 1.0 + 1e-9)


def test_regular_train_with_jitter_matches_elephant_and_is_regular():
    rng = np.random.default_rng(4)
    t = np.arange(0.01, 2.0, 0.02) + rng.normal(0, 1e-4, 100)
    i = np.zeros(100, int)
    assert_matches_elephant(i, t, 1, 2.1)
    table = irregularity(i, t, n_neurons=1, t_stop=2.1)
    assert table["cv"][0] < 0.02 and table["mean_isi_ms"][0] == pytest.approx(20.0, abs=0.05)


def test_poisson_cv_is_one_within_sampling_error():
    rng = np.random.default_rng(7)
    i, t = poisson(100, 20.0, 10.0, rng)        # ~200 intervals per neuron
    means = mean_irregularity(irregularity(i, t, n_neurons=100, t_stop=10.0))
    # the mean of 100 CVs of ~200 exponential intervals has a standard error near 0.007
    for name in ("cv_mean", "cv2_mean", "lv_mean"):
        assert abs(means[name] - 1) < 0.04, name
    assert 0.2 < means["cv_gt1_frac"] < 0.8


def test_too_few_spikes_give_nan_not_errors():
    i, t = [1, 2, 2, 3, 3, 3], [0.1, 0.1, 0.3, 0.1, 0.2, 0.4]
    table = irregularity(i, t, n_neurons=4, t_stop=1.0)
    assert np.isnan(table.loc[[0, 1, 2], ["cv", "cv2", "lv"]].to_numpy()).all()
    assert np.isnan(table["mean_isi_ms"][[0, 1]]).all() and table["mean_isi_ms"][2] == pytest.approx(200.0)
    assert not table.loc[3, ["cv", "cv2", "lv"]].isna().any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = irregularity(np.array([], int), np.array([]), n_neurons=3, t_stop=1.0)
    assert empty["cv"].isna().all()
    assert np.isnan(mean_irregularity(empty)["cv_mean"])


def test_interspike_intervals_frame():
    frame = interspike_intervals([0, 1, 0, 0], [0.1, 0.2, 0.3, 0.35], n_neurons=2, t_stop=1.0)
    assert frame["neuron"].tolist() == [0, 0]
    np.testing.assert_allclose(frame["isi_ms"], [200.0, 50.0])


# ---------------------------------------------------------------- edges (mutation testing, issue 17)
def test_a_cv_of_exactly_one_is_not_above_one():
    """ISIs 0.25, 0.25, 0.25, 0.25, 1.5 s (exact binary fractions): mean 0.5, population variance
    (4 * 0.25**2 + 1) / 5 = 0.25, so CV = sqrt(0.25) / 0.5 = 1 exactly; "CV > 1" must not count it."""
    t = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 2.5])
    table = irregularity(np.zeros(6, int), t, n_neurons=1, t_stop=3.0)
    assert table.columns.tolist() == ["neuron", "mean_isi_ms", "cv", "cv2", "lv"]
    assert table.loc[0, "cv"] == 1.0 and statistics.cv(statistics.isi(t)) == pytest.approx(1.0, abs=1e-15)
    assert mean_irregularity(table)["cv_gt1_frac"] == 0.0


def test_the_window_start_reaches_intervals_and_irregularity():
    i, t = [0, 0, 0, 0, 0], [0.1, 0.2, 0.4, 0.5, 0.9]
    assert interspike_intervals(i, t, n_neurons=1, t_start=0.3, t_stop=1.0)["isi_ms"].to_numpy() == pytest.approx(
        [100.0, 400.0])
    late = irregularity(i, t, n_neurons=1, t_start=0.3, t_stop=1.0)
    assert late.loc[0, "mean_isi_ms"] == pytest.approx(250.0)
    assert late.loc[0, "cv"] == pytest.approx(statistics.cv(np.array([0.1, 0.4])), rel=1e-12)
