"""One row per run and one row per neuron: the observables of a simulation, tidy."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from neurodyn.analysis.bursting import burst_statistics, population_bursting
from neurodyn.analysis.irregularity import irregularity, mean_irregularity
from neurodyn.analysis.oscillations import oscillation
from neurodyn.analysis.rates import n_active_fraction, neuron_rates
from neurodyn.analysis.spikes import spike_trains
from neurodyn.analysis.synchrony import (KURAMOTO_CHANCE, MIN_CHI_TRACES, chi_from_spikes, chi_from_voltage,
                                         chi_min_window, kuramoto_r, spike_count_correlation)
from neurodyn.errors import ParameterError, SynchronyWarning


def check_summary_window(duration, transient) -> None:
    """Refuse, before a run, an analysis window ``duration - transient`` (Brian2 times) too short
    for :func:`summarize` (its chi_spikes smooths with a 2 ms Gaussian over 16 sigma)."""
    window, shortest = float(duration - transient), chi_min_window()
    if window < shortest - 1e-12:
        raise ParameterError(f"the analysis window (duration - transient = {window * 1e3:g} ms) must be at least "
                             f"{shortest * 1e3:g} ms for the summary (chi_spikes smooths over 16 x 2 ms); "
                             f"give a longer duration or a shorter transient")


def summarize(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
              max_isi: float | str = "logisi") -> pd.DataFrame:
    """Population observables of one run in one row; parameters of the run are columns too.

    Spikes are sorted once and every observable uses defaults of its module; call those
    functions for other settings. ``max_isi`` is the burst threshold (s or ``"logisi"``,
    :func:`~neurodyn.analysis.bursting.detect_bursts`).

    Returns
    -------
    DataFrame
        One row, columns in this order:

        - the run's ``params`` (none for bare arrays);
        - ``n_neurons``, ``t_start_ms``, ``t_stop_ms``, ``n_spikes``;
        - ``n_active_frac``, ``mean_rate_hz`` (mean over all neurons);
        - ``cv_mean``, ``cv2_mean``, ``lv_mean``, ``cv_gt1_frac`` (over neurons with >= 3 spikes);
        - ``burst_fraction``, ``bursting_neuron_frac``;
        - ``chi_spikes``; ``chi_voltage``, ``chi_voltage_n`` (recorded neurons) and
          ``chi_voltage_firing_n`` (recorded neurons that fire in the window), only with a
          voltage record: NaN with a :class:`~neurodyn.errors.SynchronyWarning` when fewer than
          ``MIN_CHI_TRACES`` (26) recorded neurons fire (:func:`chi_voltage_columns`);
          ``chi_chance`` = 1/sqrt(n_neurons);
        - ``kuramoto_r``, ``kuramoto_n`` (neurons with a phase, :func:`kuramoto_r`),
          ``kuramoto_r_chance`` = 0.886/sqrt(kuramoto_n);
        - ``spike_count_corr``;
        - ``has_oscillation``, ``peak_freq_hz``, ``peak_power``, ``peak_band_frac``,
          ``peak_to_median`` (:func:`oscillation`).
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    rates = neuron_rates(trains)
    r, kuramoto_n = kuramoto_r(trains)
    row = {
        **trains.params,
        "n_neurons": trains.n_neurons,
        "t_start_ms": trains.t_start * 1e3,
        "t_stop_ms": trains.t_stop * 1e3,
        "n_spikes": trains.n_spikes,
        "n_active_frac": n_active_fraction(trains),
        "mean_rate_hz": float(rates["rate_hz"].mean()),
        **mean_irregularity(irregularity(trains)),
        **population_bursting(trains, max_isi=max_isi),
        "chi_spikes": chi_from_spikes(trains),
    }
    if trains.voltage is not None:
        row.update(chi_voltage_columns(trains))
    row.update({
        "chi_chance": 1 / np.sqrt(trains.n_neurons),
        "kuramoto_r": r,
        "kuramoto_n": kuramoto_n,
        "kuramoto_r_chance": KURAMOTO_CHANCE / np.sqrt(kuramoto_n) if kuramoto_n > 0 else float("nan"),
        "spike_count_corr": spike_count_correlation(trains),
        **oscillation(trains),
    })
    return pd.DataFrame([row])


def chi_voltage_columns(trains) -> dict:
    """``chi_voltage``, ``chi_voltage_n``, ``chi_voltage_firing_n`` of spike trains with a voltage record.

    chi from the recorded potentials in the window (:func:`chi_from_voltage`), or NaN with a
    :class:`~neurodyn.errors.SynchronyWarning` when fewer than ``MIN_CHI_TRACES`` recorded neurons
    fire in the window: n independent traces give chi ~ 1/sqrt(n) by chance, and silent ones
    follow their common input (chi ~ 1), so such a value would not measure spike synchrony.
    """
    recorded = np.asarray(trains.voltage.neurons, dtype=np.int64)
    firing = int(np.count_nonzero(trains.counts[recorded] > 0))
    columns = {"chi_voltage_n": len(recorded), "chi_voltage_firing_n": firing}
    if firing < MIN_CHI_TRACES:
        warnings.warn(SynchronyWarning(
            f"chi_voltage is NaN: {firing} of the {len(recorded)} recorded neurons fire in the window, and chi from "
            f"voltages needs at least {MIN_CHI_TRACES} firing traces (n independent traces give chi ~ 1/sqrt(n) by "
            f"chance; silent ones follow their common input); record more active neurons (record_v=...) or read "
            f"chi_spikes"), stacklevel=3)
        return {"chi_voltage": float("nan"), **columns}
    return {"chi_voltage": chi_from_voltage(trains.voltage, t_start=trains.t_start, t_stop=trains.t_stop), **columns}


def neuron_table(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
                 max_isi: float | str = "logisi") -> pd.DataFrame:
    """Per-neuron observables: rates, irregularity and bursts, one row per neuron.

    Returns
    -------
    DataFrame
        ``neuron, n_spikes, rate_hz, mean_isi_ms, cv, cv2, lv, max_isi_ms, n_bursts,
        spikes_per_burst, burst_duration_ms, intra_burst_isi_ms, inter_burst_interval_ms,
        burst_fraction`` (see :func:`neuron_rates`, :func:`irregularity`,
        :func:`burst_statistics`).
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    return (neuron_rates(trains)
            .merge(irregularity(trains), on="neuron")
            .merge(burst_statistics(trains, max_isi=max_isi), on="neuron"))
