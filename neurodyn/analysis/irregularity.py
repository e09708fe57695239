"""Irregularity of spiking from inter-spike intervals: CV, CV2 and LV per neuron.

All three use the intervals of :attr:`SpikeTrains.isi` (one computation, neuron by neuron,
within the analysis window) and agree with ``elephant.statistics`` (``cv`` of
``isi``, ``cv2``, ``lv``) to rounding. For a Poisson process all three are 1; a
regular train gives 0; bursting gives CV > 1.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from neurodyn.analysis.spikes import SpikeTrains, spike_trains


def interspike_intervals(data, t=None, *, n_neurons=None, t_start=None, t_stop=None) -> pd.DataFrame:
    """Every inter-spike interval in the window, tidy.

    Returns
    -------
    DataFrame
        ``neuron, isi_ms``; neuron by neuron, in temporal order.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    return pd.DataFrame({"neuron": trains.isi_neuron, "isi_ms": trains.isi * 1e3})


def irregularity(data, t=None, *, n_neurons=None, t_start=None, t_stop=None) -> pd.DataFrame:
    r"""Mean ISI, CV, CV2 and LV of every neuron.

    With the n inter-spike intervals I_1 ... I_n of neuron i,

    .. math::

        CV  &= \sqrt{\tfrac{1}{n}\sum_k (I_k - \bar I)^2} \,/\, \bar I
              \quad\text{(population std, ddof = 0, as scipy.stats.variation)}\\
        CV2 &= \frac{1}{n-1} \sum_{k=1}^{n-1} \frac{2 |I_{k+1} - I_k|}{I_{k+1} + I_k}
              \quad\text{(Holt et al. 1996, J. Neurophysiol. 75:1806)}\\
        LV  &= \frac{3}{n-1} \sum_{k=1}^{n-1} \left(\frac{I_k - I_{k+1}}{I_k + I_{k+1}}\right)^2
              \quad\text{(Shinomoto et al. 2003, Neural Comput. 15:2823)}

    Returns
    -------
    DataFrame
        ``neuron, mean_isi_ms, cv, cv2, lv``; one row per neuron. ``mean_isi_ms`` is NaN
        below 1 interval (2 spikes); ``cv``, ``cv2`` and ``lv`` are NaN below 2 intervals
        (3 spikes), the minimum at which Elephant computes CV2 and LV.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    n = trains.n_neurons
    isi, owner = trains.isi, trains.isi_neuron
    n_isi = np.bincount(owner, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_isi = np.bincount(owner, weights=isi, minlength=n) / n_isi
        deviation = isi - mean_isi[owner]
        cv = np.sqrt(np.bincount(owner, weights=deviation * deviation, minlength=n) / n_isi) / mean_isi
        cv2, lv = _local_variations(trains)
    cv[n_isi < 2] = np.nan
    return pd.DataFrame({"neuron": np.arange(n), "mean_isi_ms": mean_isi * 1e3, "cv": cv, "cv2": cv2, "lv": lv})


def mean_irregularity(table: pd.DataFrame) -> dict[str, float]:
    """Population averages of an :func:`irregularity` table, over neurons where defined.

    Returns
    -------
    dict
        ``cv_mean``, ``cv2_mean``, ``lv_mean`` (NaN-ignoring means) and ``cv_gt1_frac``,
        the share of neurons with a defined CV whose CV exceeds 1 (a bursting index).
    """
    cv = table["cv"].to_numpy()
    defined = ~np.isnan(cv)
    return {"cv_mean": _nanmean(cv), "cv2_mean": _nanmean(table["cv2"].to_numpy()),
            "lv_mean": _nanmean(table["lv"].to_numpy()),
            "cv_gt1_frac": float(np.mean(cv[defined] > 1)) if defined.any() else float("nan")}


def _local_variations(trains: SpikeTrains) -> tuple[np.ndarray, np.ndarray]:
    """CV2 and LV per neuron from the pairs of consecutive intervals (I_k, I_{k+1})."""
    isi, owner, n = trains.isi, trains.isi_neuron, trains.n_neurons
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.diff(isi) / (isi[:-1] + isi[1:])
    # the pairs that straddle two neurons go to an extra bin n, dropped below
    pair_owner = np.where(owner[1:] == owner[:-1], owner[1:], n)
    n_pairs = np.bincount(pair_owner, minlength=n + 1)[:n]
    cv2 = 2 * np.bincount(pair_owner, weights=np.abs(ratio), minlength=n + 1)[:n] / n_pairs
    lv = 3 * np.bincount(pair_owner, weights=ratio * ratio, minlength=n + 1)[:n] / n_pairs
    return cv2, lv  # 0 / 0 = NaN for neurons with fewer than 2 intervals


def _nanmean(values: np.ndarray) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else float("nan")
