"""Firing rates: per neuron, share of active neurons, population rate in time.

All functions take a result, a :class:`~neurodyn.analysis.spikes.SpikeTrains` or the
arrays ``i, t`` (with ``n_neurons``, ``t_stop``); ``t_start``/``t_stop`` (s) select the
analysis window ``[t_start, t_stop)`` (see :func:`~neurodyn.analysis.spikes.spike_trains`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d, uniform_filter1d

from neurodyn.analysis.spikes import SpikeTrains, spike_trains

SMOOTHING_KERNELS = ("gaussian", "box")


def neuron_rates(data, t=None, *, n_neurons=None, t_start=None, t_stop=None) -> pd.DataFrame:
    r"""Spike count and mean rate of every neuron in the window.

    .. math:: \nu_i = n_i / (t_\mathrm{stop} - t_\mathrm{start})

    Returns
    -------
    DataFrame
        ``neuron, n_spikes, rate_hz``; one row per neuron, silent neurons included.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    return pd.DataFrame({"neuron": np.arange(trains.n_neurons), "n_spikes": trains.counts,
                         "rate_hz": trains.counts / trains.duration})


def n_active_fraction(data, t=None, *, n_neurons=None, t_start=None, t_stop=None) -> float:
    """Share n_A of neurons with at least one spike in the window (0 to 1)."""
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    return float(np.count_nonzero(trains.counts) / trains.n_neurons)


def population_rate(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 1e-3,
                    smooth_width: float | None = None, kernel: str = "gaussian") -> pd.DataFrame:
    r"""Population rate: spikes of all neurons per bin / (N * bin width), optionally smoothed.

    .. math:: r(t_b) = \frac{1}{N \Delta} \sum_i \#\{k : t_i^k \in [t_b, t_b + \Delta)\}

    Parameters
    ----------
    bin_width : float
        Bin width Delta (s). The window holds ``floor(duration / bin_width)`` whole bins;
        spikes in a trailing partial bin are left out.
    smooth_width : float, optional
        Width (s) of the smoothing kernel: the standard deviation of a Gaussian, or the
        length of a box (moving average). Edges are reflected, so the mean rate is kept.
    kernel : {"gaussian", "box"}

    Returns
    -------
    DataFrame
        ``t_ms`` (bin centre, ms) and ``pop_rate_hz`` (Hz per neuron).
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    rate = population_counts(trains, bin_width) / (trains.n_neurons * bin_width)
    if smooth_width is not None:
        rate = smooth(rate, smooth_width / bin_width, kernel)
    centres = trains.t_start + (np.arange(len(rate)) + 0.5) * bin_width
    return pd.DataFrame({"t_ms": centres * 1e3, "pop_rate_hz": rate})


def population_counts(trains: SpikeTrains, bin_width: float) -> np.ndarray:
    """Spikes of all neurons in each whole bin of ``bin_width`` (s) from ``t_start``."""
    n_bins = n_whole_bins(trains, bin_width)
    bins = spike_bins(trains, bin_width)
    return np.bincount(bins[bins < n_bins], minlength=n_bins).astype(np.float64)


def n_whole_bins(trains: SpikeTrains, bin_width: float) -> int:
    """Number of whole bins of ``bin_width`` (s) in the window (at least 1)."""
    if not bin_width > 0:
        raise ValueError(f"bin_width must be > 0 s, got {bin_width}")
    n_bins = int(np.floor(trains.duration / bin_width * (1 + 1e-12)))
    if n_bins < 1:
        raise ValueError(f"bin_width={bin_width} s is longer than the window ({trains.duration} s)")
    return n_bins


def spike_bins(trains: SpikeTrains, bin_width: float) -> np.ndarray:
    """Index of the bin of width ``bin_width`` (s), counted from ``t_start``, of every spike."""
    return ((trains.t - trains.t_start) / bin_width).astype(np.int64)


def smooth(signal: np.ndarray, width_bins: float, kernel: str = "gaussian") -> np.ndarray:
    """Smooth a regularly sampled signal: Gaussian (sigma = ``width_bins``) or box of that length."""
    if not width_bins > 0:
        raise ValueError(f"smoothing width must be > 0, got {width_bins} bins")
    if kernel == "gaussian":
        return gaussian_filter1d(signal, width_bins, mode="reflect")
    if kernel == "box":
        return uniform_filter1d(signal, max(1, int(round(width_bins))), mode="reflect")
    raise ValueError(f"kernel must be one of {SMOOTHING_KERNELS}, got {kernel!r}")
