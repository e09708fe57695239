"""summarize and neuron_table give tidy frames; plots and the Neo export work on real output."""
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis_synthetic import modulated_poisson, planted_bursts, poisson
from neurodyn.analysis import (chi_from_voltage, irregularity, neuron_rates, neuron_table, plot_isi_histogram,
                               plot_power_spectrum, plot_rate_vs_cv, spike_trains, summarize, to_neo)
from neurodyn.analysis.synchrony import CHI_SYNCHRONY_LEVEL, MIN_CHI_TRACES
from neurodyn.errors import SynchronyWarning


def fake_result(i, t, n_neurons, t_stop, params, voltage=None):
    return SimpleNamespace(spike_i=i, spike_t=t, n_neurons=n_neurons, t_start=0.0, t_stop=t_stop, dt=1e-4,
                           params=params, voltage=voltage)


def test_summary_rows_of_a_study_concatenate():
    rng = np.random.default_rng(0)
    rows = []
    for g, depth in ((0.0, 0.0), (1.0, 0.8)):
        i, t = modulated_poisson(100, 15.0, depth, 40.0, 5.0, rng)
        rows.append(summarize(fake_result(i, t, 100, 5.0, {"g": g, "N": 100}), t_start=1.0))
    study = pd.concat(rows, ignore_index=True)
    assert len(study) == 2 and study["g"].tolist() == [0.0, 1.0] and study["N"].tolist() == [100, 100]
    flat, rhythmic = study.iloc[0], study.iloc[1]
    assert flat["t_start_ms"] == 1000.0 and flat["t_stop_ms"] == 5000.0
    assert not flat["has_oscillation"] and np.isnan(flat["peak_freq_hz"])
    assert rhythmic["has_oscillation"] and abs(rhythmic["peak_freq_hz"] - 40) <= 2
    assert rhythmic["chi_spikes"] > 1.5 * flat["chi_spikes"]
    assert flat["chi_chance"] == pytest.approx(0.1)
    assert flat["mean_rate_hz"] == pytest.approx(15.0, rel=0.05) and flat["n_active_frac"] == 1.0
    assert abs(flat["cv_mean"] - 1) < 0.05 and flat["burst_fraction"] < 0.01
    assert flat["kuramoto_r"] == pytest.approx(flat["kuramoto_r_chance"], rel=0.25)
    assert "chi_voltage" not in study.columns


def test_summary_matches_the_individual_functions():
    i, t, _, _ = planted_bursts(10, np.random.default_rng(1))
    row = summarize(i, t, n_neurons=12, t_stop=40.0).iloc[0]
    assert row["n_neurons"] == 12 and row["n_spikes"] == len(t) and row["n_active_frac"] == pytest.approx(10 / 12)
    assert row["mean_rate_hz"] == pytest.approx(neuron_rates(i, t, n_neurons=12, t_stop=40.0)["rate_hz"].mean())
    assert row["cv_mean"] == pytest.approx(irregularity(i, t, n_neurons=12, t_stop=40.0)["cv"].mean())
    assert row["cv_gt1_frac"] == 1.0 and row["burst_fraction"] > 0.7
    assert row["bursting_neuron_frac"] == pytest.approx(10 / 12)


def test_summary_with_voltage_reports_chi_voltage_and_its_n():
    rng = np.random.default_rng(2)
    i, t = poisson(40, 10.0, 2.0, rng)
    times = np.arange(0, 2.0, 1e-3)
    voltage = SimpleNamespace(t=times, neurons=np.arange(MIN_CHI_TRACES), v=np.tile(np.sin(40 * times), (MIN_CHI_TRACES, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SynchronyWarning)
        row = summarize(fake_result(i, t, 40, 2.0, {}, voltage)).iloc[0]
    assert row["chi_voltage"] == pytest.approx(1.0) and row["chi_voltage_n"] == MIN_CHI_TRACES == 26
    assert row["chi_voltage_firing_n"] == MIN_CHI_TRACES


def test_minimum_voltage_traces_is_where_chance_chi_falls_below_the_synchrony_level():
    """n independent traces give chi ~ 1/sqrt(n) (the estimator's chance level, checked here on
    white-noise traces), so the smallest n whose chance chi lies below the synchrony level 0.2 is 26."""
    rng = np.random.default_rng(5)
    chance = {n: np.mean([chi_from_voltage(rng.standard_normal((n, 4000))) for _ in range(20)]) for n in (3, 26, 100)}
    for n, chi in chance.items():
        assert chi == pytest.approx(1 / np.sqrt(n), rel=0.05), (n, chi)
    assert 1 / np.sqrt(MIN_CHI_TRACES - 1) >= CHI_SYNCHRONY_LEVEL > 1 / np.sqrt(MIN_CHI_TRACES)


def test_chi_voltage_from_too_few_or_silent_traces_is_nan_with_a_warning():
    """The README's old example: 3 recorded traces (chi 1.0 beside chi_spikes 0.04). Three firing
    traces, or 30 traces of silent neurons driven by one common input (chi = 1 by construction),
    give chi_voltage = NaN and a SynchronyWarning naming the counts; the spike-based chi stays."""
    rng = np.random.default_rng(3)
    i, t = poisson(60, 10.0, 2.0, rng)
    silent = np.arange(30, 60)
    keep = ~np.isin(i, silent)
    i, t = i[keep], t[keep]
    times = np.arange(0, 2.0, 1e-3)
    common = np.sin(40 * times)
    for neurons, firing in ((np.arange(3), 3), (silent, 0)):
        voltage = SimpleNamespace(t=times, neurons=neurons, v=np.tile(common, (len(neurons), 1)))
        with pytest.warns(SynchronyWarning, match=f"{firing} of the {len(neurons)} recorded neurons fire"):
            row = summarize(fake_result(i, t, 60, 2.0, {}, voltage)).iloc[0]
        assert np.isnan(row["chi_voltage"]) and row["chi_voltage_n"] == len(neurons)
        assert row["chi_voltage_firing_n"] == firing and np.isfinite(row["chi_spikes"])


def test_empty_and_silent_populations_summarize_to_nan_not_errors():
    row = summarize(np.array([], int), np.array([]), n_neurons=10, t_stop=2.0).iloc[0]
    assert row["n_spikes"] == 0 and row["n_active_frac"] == 0 and row["mean_rate_hz"] == 0
    for column in ("cv_mean", "burst_fraction", "chi_spikes", "kuramoto_r", "spike_count_corr", "peak_freq_hz"):
        assert np.isnan(row[column]), column
    assert not row["has_oscillation"]
    table = neuron_table([3], [0.5], n_neurons=5, t_stop=1.0)
    assert len(table) == 5 and table["n_spikes"].tolist() == [0, 0, 0, 1, 0] and table["cv"].isna().all()


def test_neuron_table_columns():
    i, t, n_bursts, _ = planted_bursts(6, np.random.default_rng(3))
    table = neuron_table(i, t, n_neurons=6, t_stop=40.0)
    assert table.columns.tolist() == ["neuron", "n_spikes", "rate_hz", "mean_isi_ms", "cv", "cv2", "lv", "max_isi_ms",
                                      "n_bursts", "spikes_per_burst", "burst_duration_ms", "intra_burst_isi_ms",
                                      "inter_burst_interval_ms", "burst_fraction"]
    np.testing.assert_array_equal(table["n_bursts"], n_bursts)


def test_plots_return_figures():
    i, t = modulated_poisson(50, 20.0, 0.8, 40.0, 3.0, np.random.default_rng(4))
    trains = spike_trains(i, t, n_neurons=50, t_stop=3.0)
    for figure in (plot_isi_histogram(trains), plot_power_spectrum(trains), plot_rate_vs_cv(trains),
                   plot_rate_vs_cv(neuron_table(trains)),
                   plot_power_spectrum(np.array([], int), np.array([]), n_neurons=3, t_stop=1.0),
                   plot_isi_histogram(np.array([], int), np.array([]), n_neurons=3, t_stop=1.0)):
        assert isinstance(figure, Figure) and figure.axes
    assert plot_isi_histogram(trains).axes[0].get_xscale() == "log"
    labels = [text.get_text() for text in plot_power_spectrum(trains).axes[0].get_legend().get_texts()]
    assert labels and labels[0].startswith("peak 4")


def test_neo_export_round_trip():
    neo = pytest.importorskip("neo")
    from elephant.statistics import mean_firing_rate
    i, t = poisson(8, 12.0, 2.0, np.random.default_rng(5))
    trains = to_neo(i, t, n_neurons=9, t_start=0.5, t_stop=2.0)
    assert len(trains) == 9 and all(isinstance(train, neo.SpikeTrain) for train in trains)
    assert all(train.t_start.magnitude == 0.5 and train.t_stop.magnitude == 2.0 for train in trains)
    assert str(trains[0].units.dimensionality) == "s" and len(trains[8]) == 0
    back_i = np.concatenate([np.full(len(train), train.annotations["neuron"]) for train in trains])
    back_t = np.concatenate([train.magnitude for train in trains])
    window = (t >= 0.5) & (t < 2.0)
    again = spike_trains(back_i, back_t, n_neurons=9, t_start=0.5, t_stop=2.0)
    original = spike_trains(i[window], t[window], n_neurons=9, t_start=0.5, t_stop=2.0)
    np.testing.assert_array_equal(again.neuron, original.neuron)
    np.testing.assert_array_equal(again.t, original.t)
    rates = neuron_rates(i, t, n_neurons=9, t_start=0.5, t_stop=2.0)["rate_hz"]
    np.testing.assert_allclose([float(mean_firing_rate(train).rescale("Hz")) for train in trains], rates)
    picked = to_neo(i, t, n_neurons=9, t_stop=2.0, neurons=[3, 1])
    assert [train.annotations["neuron"] for train in picked] == [3, 1]
    with pytest.raises(ValueError, match="neurons must lie"):
        to_neo(i, t, n_neurons=9, t_stop=2.0, neurons=[9])


# ---------------------------------------------------------------- edges (mutation testing, issue 17)
def test_summary_window_check_accepts_exactly_what_chi_needs():
    from brian2 import second

    from neurodyn.analysis.summary import check_summary_window
    from neurodyn.analysis.synchrony import chi_min_window
    from neurodyn.errors import ParameterError

    shortest = chi_min_window() * second
    check_summary_window(shortest, 0 * second)                                   # exactly the shortest window
    check_summary_window(shortest + 0.5 * second, 0.5 * second)                  # duration - transient
    with pytest.raises(ParameterError, match="must be at least 32.5 ms"):
        check_summary_window(shortest * 0.99, 0 * second)
    with pytest.raises(ParameterError, match=r"duration - transient = 20 ms"):
        check_summary_window(0.03 * second, 0.01 * second)


def test_summary_and_neuron_table_pass_the_window_and_max_isi_on():
    from neurodyn.analysis import population_bursting

    i, t, _, _ = planted_bursts(6, np.random.default_rng(3))
    late = neuron_table(i, t, n_neurons=6, t_start=20.0, t_stop=40.0, max_isi=0.02)
    window = t >= 20.0
    assert late["n_spikes"].tolist() == np.bincount(i[window], minlength=6).tolist()
    assert (late["max_isi_ms"] == 20.0).all()
    row = summarize(i, t, n_neurons=6, t_stop=40.0, max_isi=0.002).iloc[0]
    reference = population_bursting(i, t, n_neurons=6, t_stop=40.0, max_isi=0.002)
    assert row["burst_fraction"] == reference["burst_fraction"] != population_bursting(
        i, t, n_neurons=6, t_stop=40.0)["burst_fraction"]


def test_chi_voltage_of_the_summary_uses_the_analysis_window():
    """Identical traces in [0, 1) s (chi = 1), independent noise in [1, 2) s (chi ~ 1/sqrt(30)); 30 firing traces, above the 26 that
    chi from voltages needs."""
    from neurodyn.analysis import chi_from_voltage

    rng = np.random.default_rng(7)
    times = np.arange(0, 2.0, 1e-3)
    v = np.where(times < 1.0, np.sin(40 * times), rng.normal(size=(30, len(times))))
    voltage = SimpleNamespace(t=times, neurons=np.arange(30), v=v)
    i, t = poisson(30, 10.0, 2.0, rng)
    result = fake_result(i, t, 30, 2.0, {}, voltage)
    early = summarize(result, t_stop=1.0).iloc[0]["chi_voltage"]
    late = summarize(result, t_start=1.0).iloc[0]["chi_voltage"]
    assert early == pytest.approx(1.0) and late == pytest.approx(chi_from_voltage(voltage, t_start=1.0), rel=1e-12)
    assert late < 0.5                                                            # 1/sqrt(30) = 0.18 plus sampling


def test_kuramoto_count_and_chance_level_columns():
    """One regular neuron: M = 1 wherever it has a phase, r = 1 there, chance 0.886/sqrt(1);
    no spikes: M = 0 and no chance level."""
    from neurodyn.analysis import kuramoto_r
    from neurodyn.analysis.synchrony import KURAMOTO_CHANCE

    t = np.arange(0.0, 1.0, 0.05)
    row = summarize(np.zeros(len(t), int), t, n_neurons=1, t_stop=1.0).iloc[0]
    assert (row["kuramoto_r"], row["kuramoto_n"]) == kuramoto_r(np.zeros(len(t), int), t, n_neurons=1, t_stop=1.0)
    assert row["kuramoto_n"] == 1.0 and row["kuramoto_r"] == pytest.approx(1.0, abs=1e-12)
    assert row["kuramoto_r_chance"] == KURAMOTO_CHANCE
    silent = summarize(np.array([], int), np.array([]), n_neurons=4, t_stop=1.0).iloc[0]
    assert silent["kuramoto_n"] == 0 and np.isnan(silent["kuramoto_r_chance"])
