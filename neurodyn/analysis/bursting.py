"""Burst detection with the max-interval (ISI-threshold) method, threshold fixed or from logISI.

A burst is a maximal run of at least ``min_spikes`` spikes of one neuron whose consecutive
inter-spike intervals are all <= ``max_isi``. The runs are found at once for all neurons
on the (neuron, time)-sorted spikes: a link joins spikes p and p + 1 when they belong to
one neuron and ``t[p+1] - t[p] <= max_isi``; bursts are the runs of >= min_spikes - 1
consecutive links. Cotterill et al. 2016 (J. Neurophysiol. 116:306) found MaxInterval
and logISI the best of the burst detectors they compared.

``max_isi`` is either fixed (seconds) or ``"logisi"``: one threshold per neuron from its
histogram of log10 ISI (Pasquale et al. 2010, J. Comput. Neurosci. 29:213), see
:func:`logisi_thresholds`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d

from neurodyn.analysis.spikes import SpikeTrains, spike_trains


@dataclass(frozen=True)
class Bursts:
    """All bursts of a population, neuron by neuron and in time.

    Attributes
    ----------
    neuron : ndarray of int
        Neuron of every burst.
    t_first, t_last : ndarray of float
        Time (s) of the first and last spike of every burst.
    n_spikes : ndarray of int
        Spikes in every burst.
    max_isi : ndarray of float
        Threshold (s) used for every neuron; NaN where logISI found no threshold and no
        fallback was given (such neurons have no bursts).
    """

    neuron: np.ndarray
    t_first: np.ndarray
    t_last: np.ndarray
    n_spikes: np.ndarray
    max_isi: np.ndarray

    @property
    def duration(self) -> np.ndarray:
        """First to last spike of every burst (s)."""
        return self.t_last - self.t_first


def logisi_thresholds(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bins_per_decade: int = 10,
                      max_intra_isi: float = 0.1, min_void: float = 0.7, min_peak_count: float = 3.0
                      ) -> pd.DataFrame:
    r"""Per-neuron ISI threshold separating intra- from inter-burst intervals (logISI method).

    Following Pasquale et al. 2010 (J. Comput. Neurosci. 29:213), for each neuron:

    1. histogram of log10(ISI) with ``bins_per_decade`` bins per decade (common edges),
       smoothed with a Gaussian of one bin (Pasquale et al. use lowess);
    2. peaks: local maxima holding at least ``min_peak_count`` (smoothed) intervals;
    3. intra-burst peak p1: the highest peak at ISI <= ``max_intra_isi`` (100 ms);
    4. for every later peak p2 the void parameter
       :math:`v = 1 - h_\min / \min(h(p_1), h(p_2))`, with h_min the lowest count
       between them; the peak with the largest void is the inter-burst peak;
    5. if v >= ``min_void`` (0.7) the threshold is the ISI at the middle of the lowest
       stretch between the two peaks; otherwise the distribution is not bimodal and the
       threshold is NaN.

    Departures from Pasquale et al.: the void is measured against the lower peak, not
    the geometric mean :math:`\sqrt{h(p_1) h(p_2)}` of both (stricter: a small noise
    bump on the flank of a single mode no longer passes); the minimum peak height and a
    one-bin Gaussian replace lowess smoothing; the threshold is used directly as the
    max-ISI of :func:`detect_bursts` (they switch to a two-step detection above 100 ms).

    Returns
    -------
    DataFrame
        ``neuron, max_isi_ms, bimodal``; ``max_isi_ms`` is NaN where ``bimodal`` is False.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    threshold = _logisi_thresholds(trains, bins_per_decade, max_intra_isi, min_void, min_peak_count)
    return pd.DataFrame({"neuron": np.arange(trains.n_neurons), "max_isi_ms": threshold * 1e3,
                         "bimodal": ~np.isnan(threshold)})


def detect_bursts(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, max_isi: float | str = "logisi",
                  min_spikes: int = 3, fallback_max_isi: float | None = None) -> pd.DataFrame:
    """Every burst of every neuron.

    Parameters
    ----------
    max_isi : float or "logisi"
        Largest inter-spike interval (s) inside a burst, or ``"logisi"`` for a
        per-neuron threshold from :func:`logisi_thresholds`.
    min_spikes : int
        Fewest spikes in a burst (>= 2; default 3).
    fallback_max_isi : float, optional
        With ``"logisi"``, the threshold (s) for neurons whose ISI histogram is not
        bimodal; by default such neurons have no bursts.

    Returns
    -------
    DataFrame
        ``neuron, burst, t_start_ms, t_stop_ms, n_spikes, duration_ms, mean_intra_isi_ms``,
        one row per burst; ``burst`` counts from 0 within each neuron;
        ``t_start_ms``/``t_stop_ms`` are the first and last spike, and
        ``mean_intra_isi_ms = duration_ms / (n_spikes - 1)``.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    bursts = find_bursts(trains, max_isi, min_spikes, fallback_max_isi)
    first_of_neuron = np.concatenate(([0], np.cumsum(np.bincount(bursts.neuron, minlength=trains.n_neurons))))
    return pd.DataFrame({"neuron": bursts.neuron,
                         "burst": np.arange(len(bursts.neuron)) - first_of_neuron[bursts.neuron],
                         "t_start_ms": bursts.t_first * 1e3, "t_stop_ms": bursts.t_last * 1e3,
                         "n_spikes": bursts.n_spikes, "duration_ms": bursts.duration * 1e3,
                         "mean_intra_isi_ms": bursts.duration / (bursts.n_spikes - 1) * 1e3})


def burst_statistics(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, max_isi: float | str = "logisi",
                     min_spikes: int = 3, fallback_max_isi: float | None = None) -> pd.DataFrame:
    """Burst statistics of every neuron (parameters as :func:`detect_bursts`).

    Returns
    -------
    DataFrame
        One row per neuron: ``neuron``, ``max_isi_ms`` (threshold used), ``n_bursts``,
        ``spikes_per_burst`` and ``burst_duration_ms`` (means over bursts),
        ``intra_burst_isi_ms`` (mean of all intervals inside bursts),
        ``inter_burst_interval_ms`` (mean time from the last spike of a burst to the first
        of the next), ``burst_fraction`` (spikes in bursts / spikes). Means over no
        bursts are NaN; ``burst_fraction`` is NaN for silent neurons.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    bursts = find_bursts(trains, max_isi, min_spikes, fallback_max_isi)
    n, neuron = trains.n_neurons, bursts.neuron
    n_bursts = np.bincount(neuron, minlength=n)
    spikes_in_bursts = np.bincount(neuron, weights=bursts.n_spikes, minlength=n)
    time_in_bursts = np.bincount(neuron, weights=bursts.duration, minlength=n)
    follows = neuron[1:] == neuron[:-1]
    gap_owner = neuron[1:][follows]
    gap = (bursts.t_first[1:] - bursts.t_last[:-1])[follows]
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "neuron": np.arange(n),
            "max_isi_ms": bursts.max_isi * 1e3,
            "n_bursts": n_bursts,
            "spikes_per_burst": spikes_in_bursts / n_bursts,
            "burst_duration_ms": time_in_bursts / n_bursts * 1e3,
            "intra_burst_isi_ms": time_in_bursts / (spikes_in_bursts - n_bursts) * 1e3,
            "inter_burst_interval_ms": np.bincount(gap_owner, weights=gap, minlength=n)
            / np.bincount(gap_owner, minlength=n) * 1e3,
            "burst_fraction": spikes_in_bursts / trains.counts,
        })


def population_bursting(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
                        max_isi: float | str = "logisi", min_spikes: int = 3,
                        fallback_max_isi: float | None = None) -> dict[str, float]:
    """Bursting of the whole population (parameters as :func:`detect_bursts`).

    Returns
    -------
    dict
        ``burst_fraction``: spikes in bursts / all spikes (NaN without spikes);
        ``bursting_neuron_frac``: share of neurons with at least one burst.
        The share of neurons with CV > 1 is ``cv_gt1_frac`` of
        :func:`~neurodyn.analysis.irregularity.mean_irregularity`.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    bursts = find_bursts(trains, max_isi, min_spikes, fallback_max_isi)
    in_bursts = int(bursts.n_spikes.sum())
    bursting = len(np.unique(bursts.neuron))
    return {"burst_fraction": in_bursts / trains.n_spikes if trains.n_spikes else float("nan"),
            "bursting_neuron_frac": bursting / trains.n_neurons}


def find_bursts(trains: SpikeTrains, max_isi: float | str = "logisi", min_spikes: int = 3,
                fallback_max_isi: float | None = None) -> Bursts:
    """Runs of >= ``min_spikes`` spikes of one neuron with all intervals <= the neuron's threshold."""
    if int(min_spikes) != min_spikes or min_spikes < 2:
        raise ValueError(f"min_spikes must be an integer >= 2, got {min_spikes}")
    threshold = _thresholds(trains, max_isi, fallback_max_isi)
    link = trains.same_neuron & (trains.gaps <= threshold[trains.neuron[:-1]])
    edges = np.diff(np.concatenate(([0], link.view(np.int8), [0])))
    run_first, run_last = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    n_spikes = run_last - run_first + 1                      # a run of k links joins k + 1 spikes
    first, last = run_first[n_spikes >= min_spikes], run_last[n_spikes >= min_spikes]
    return Bursts(neuron=trains.neuron[first], t_first=trains.t[first], t_last=trains.t[last],
                  n_spikes=last - first + 1, max_isi=threshold)


def _thresholds(trains: SpikeTrains, max_isi, fallback_max_isi) -> np.ndarray:
    if isinstance(max_isi, str):
        if max_isi != "logisi":
            raise ValueError(f"max_isi must be a time in seconds or 'logisi', got {max_isi!r}")
        threshold = _logisi_thresholds(trains)
        if fallback_max_isi is not None:
            threshold[np.isnan(threshold)] = _positive("fallback_max_isi", fallback_max_isi)
        return threshold
    if fallback_max_isi is not None:
        raise ValueError("fallback_max_isi applies only to max_isi='logisi'")
    return np.full(trains.n_neurons, _positive("max_isi", max_isi))


def _positive(name: str, value) -> float:
    value = float(value)
    if not value > 0:
        raise ValueError(f"{name} must be > 0 s, got {value}")
    return value


def _logisi_thresholds(trains: SpikeTrains, bins_per_decade: int = 10, max_intra_isi: float = 0.1,
                       min_void: float = 0.7, min_peak_count: float = 3.0) -> np.ndarray:
    """Per-neuron logISI threshold (s), NaN where not bimodal; see :func:`logisi_thresholds`."""
    n = trains.n_neurons
    threshold = np.full(n, np.nan)
    isi, owner = trains.isi, trains.isi_neuron
    if isi.size == 0:
        return threshold
    log_isi = np.log10(np.maximum(isi, 1e-6))                       # zero intervals: lowest bin
    lowest = np.floor(log_isi.min() * bins_per_decade) / bins_per_decade
    n_bins = int(np.floor((log_isi.max() - lowest) * bins_per_decade)) + 1
    bins = np.minimum(((log_isi - lowest) * bins_per_decade).astype(np.int64), n_bins - 1)
    hist = np.bincount(owner * n_bins + bins, minlength=n * n_bins).reshape(n, n_bins).astype(np.float64)
    hist = gaussian_filter1d(hist, 1.0, axis=1, mode="constant")
    centres = lowest + (np.arange(n_bins) + 0.5) / bins_per_decade

    padded = np.pad(hist, ((0, 0), (1, 1)))
    peak = (hist > padded[:, :-2]) & (hist >= padded[:, 2:]) & (hist >= min_peak_count)
    intra = np.where(peak & (centres <= np.log10(max_intra_isi)), hist, -np.inf)
    p1 = intra.argmax(axis=1)
    has_p1 = np.isfinite(intra[np.arange(n), p1])

    column = np.arange(n_bins)
    after_p1 = column > p1[:, None]
    running_min = np.minimum.accumulate(np.where(column >= p1[:, None], hist, np.inf), axis=1)
    h1 = hist[np.arange(n), p1][:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        void = np.where(peak & after_p1, 1 - running_min / np.minimum(h1, hist), -np.inf)
    p2 = void.argmax(axis=1)
    bimodal = has_p1 & (void[np.arange(n), p2] >= min_void)

    between = (column >= p1[:, None]) & (column <= p2[:, None])
    lowest_count = np.where(between, hist, np.inf).min(axis=1, keepdims=True)
    at_min = between & (hist == lowest_count)
    first_min = at_min.argmax(axis=1)
    last_min = n_bins - 1 - at_min[:, ::-1].argmax(axis=1)
    middle = lowest + (first_min + last_min + 1) / (2 * bins_per_decade)   # log10 ISI, centre of the stretch
    threshold[bimodal] = 10 ** middle[bimodal]
    return threshold
