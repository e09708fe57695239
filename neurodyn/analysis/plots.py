"""Figures of the analysis (matplotlib, no pyplot state: safe with the Agg backend).

Each function returns a :class:`matplotlib.figure.Figure`; save it with ``fig.savefig``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from neurodyn.analysis.irregularity import irregularity
from neurodyn.analysis.oscillations import oscillation, power_spectrum
from neurodyn.analysis.rates import neuron_rates
from neurodyn.analysis.spikes import spike_trains


def plot_isi_histogram(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
                       bins_per_decade: int = 10) -> Figure:
    """Histogram of all inter-spike intervals on a logarithmic ISI axis (ms)."""
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    isi_ms = trains.isi[trains.isi > 0] * 1e3
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    if isi_ms.size:
        low, high = np.floor(np.log10(isi_ms.min())), np.ceil(np.log10(isi_ms.max()))
        edges = np.logspace(low, high, max(1, int(high - low)) * bins_per_decade + 1)
        ax.hist(isi_ms, bins=edges, color="0.3")
    ax.set_xscale("log")
    ax.set_xlabel("inter-spike interval (ms)")
    ax.set_ylabel("intervals")
    ax.set_title(f"{isi_ms.size} intervals of {trains.n_neurons} neurons")
    fig.tight_layout()
    return fig


def plot_power_spectrum(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 1e-3,
                        resolution_hz: float = 2.0) -> Figure:
    """Welch PSD of the population rate (log power), the detected peak marked."""
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    spectrum = power_spectrum(trains, bin_width=bin_width, resolution_hz=resolution_hz)
    peak = oscillation(trains, bin_width=bin_width, resolution_hz=resolution_hz)
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    positive = spectrum["freq_hz"] > 0
    ax.plot(spectrum["freq_hz"][positive], spectrum["psd_hz2_per_hz"][positive], color="k", lw=0.8)
    if (spectrum["psd_hz2_per_hz"][positive] > 0).any():
        ax.set_yscale("log")
    if peak["has_oscillation"]:
        ax.plot(peak["peak_freq_hz"], peak["peak_power"], "v", color="C3",
                label=f"peak {peak['peak_freq_hz']:.1f} Hz")
        ax.legend(frameon=False)
    else:
        ax.set_title("no oscillation (peak/median = %.2g)" % peak["peak_to_median"])
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("PSD of population rate (Hz$^2$/Hz)")
    fig.tight_layout()
    return fig


def plot_rate_vs_cv(data, t=None, *, n_neurons=None, t_start=None, t_stop=None) -> Figure:
    """Scatter of every neuron's CV against its rate; accepts spikes or a :func:`neuron_table`."""
    if isinstance(data, pd.DataFrame):
        table = data
    else:
        trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
        table = neuron_rates(trains).merge(irregularity(trains), on="neuron")
    fig = Figure(figsize=(4.5, 3.5))
    ax = fig.subplots()
    ax.plot(table["rate_hz"], table["cv"], ".", color="k", ms=3, alpha=0.5, rasterized=True)
    ax.axhline(1.0, color="0.6", lw=0.8, ls="--")
    ax.set_xlabel("rate (Hz)")
    ax.set_ylabel("CV of inter-spike intervals")
    fig.tight_layout()
    return fig
