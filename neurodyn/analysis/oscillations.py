"""Collective oscillations: Welch power spectrum of the population rate and its peak.

"No oscillation" criterion: the highest PSD value in ``[f_min, f_max]`` (DC excluded)
must exceed ``min_peak_ratio`` (default 5) times the median PSD over the same band;
otherwise ``has_oscillation`` is False and the peak columns are NaN. A flat spectrum
estimated from K Welch segments fluctuates by ~1/sqrt(K), and its largest bin is a few
times the median when K is small; :func:`power_spectrum` averages at least 5 segments,
and on independent Poisson trains (100 neurons, 10 Hz) the largest/median ratio
exceeded 5 in 1 % of 1 s windows (K = 5), 0.3 % of 1.5 s windows and never in 3 s
windows (99th percentile 2.8), 300 seeds each. A planted 40 Hz modulation of depth 0.5
gives ratios in the hundreds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import welch

from neurodyn.analysis.rates import population_counts
from neurodyn.analysis.spikes import spike_trains


def power_spectrum(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 1e-3,
                   resolution_hz: float = 2.0) -> pd.DataFrame:
    """Welch power spectral density of the population rate r(t) (Hz per neuron).

    r(t) is binned at ``bin_width`` (s, Nyquist frequency 1/(2 bin_width)); Welch's method
    (``scipy.signal.welch``, Hann window, 50 % overlap, mean removed per segment) averages
    periodograms of segments of 1/``resolution_hz`` seconds, shortened to a third of the
    window when that is shorter, so that at least 5 segments are averaged (coarser
    resolution for windows under 3/``resolution_hz``).

    Returns
    -------
    DataFrame
        ``freq_hz, psd_hz2_per_hz`` (one-sided PSD of r in Hz^2/Hz), DC included.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    if not resolution_hz > 0:
        raise ValueError(f"resolution_hz must be > 0, got {resolution_hz}")
    rate = population_counts(trains, bin_width) / (trains.n_neurons * bin_width)
    segment = max(2, min(int(round(1 / (resolution_hz * bin_width))), len(rate) // 3))
    freq, psd = welch(rate, fs=1 / bin_width, nperseg=segment)
    return pd.DataFrame({"freq_hz": freq, "psd_hz2_per_hz": psd})


def oscillation(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 1e-3,
                resolution_hz: float = 2.0, f_min: float = 1.0, f_max: float | None = None,
                min_peak_ratio: float = 5.0, band_hz: float = 5.0) -> dict[str, float | bool]:
    """Dominant oscillation of the population rate, or an explicit "no oscillation".

    Parameters
    ----------
    bin_width, resolution_hz
        As :func:`power_spectrum`.
    f_min, f_max : float
        Band searched for the peak (Hz); DC is always excluded, ``f_max`` defaults to the
        Nyquist frequency.
    min_peak_ratio : float
        The peak counts as an oscillation when its PSD exceeds this multiple of the median
        PSD over the band.
    band_hz : float
        Half-width (Hz) of the peak band whose share of the power is reported.

    Returns
    -------
    dict
        ``has_oscillation`` (bool); ``peak_freq_hz``, ``peak_power`` (PSD at the peak,
        Hz^2/Hz) and ``peak_band_frac`` (power within ``band_hz`` of the peak / power in
        the band searched), all NaN without oscillation; ``peak_to_median`` (peak PSD /
        median PSD, the criterion, always reported; NaN for a zero spectrum).
    """
    spectrum = power_spectrum(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop,
                              bin_width=bin_width, resolution_hz=resolution_hz)
    freq, psd = spectrum["freq_hz"].to_numpy(), spectrum["psd_hz2_per_hz"].to_numpy()
    f_max = freq[-1] if f_max is None else f_max
    band = (freq > 0) & (freq >= f_min) & (freq <= f_max)
    if not band.any():
        raise ValueError(f"no frequency of the spectrum (resolution {freq[1] if len(freq) > 1 else 'n/a'} Hz) "
                         f"lies in [{f_min}, {f_max}] Hz; lengthen the window or widen the band")
    freq, psd = freq[band], psd[band]
    peak = int(np.argmax(psd))
    median = float(np.median(psd))
    ratio = float(psd[peak] / median) if median > 0 else float("nan")
    result = {"has_oscillation": bool(ratio > min_peak_ratio), "peak_freq_hz": float("nan"),
              "peak_power": float("nan"), "peak_band_frac": float("nan"), "peak_to_median": ratio}
    if result["has_oscillation"]:
        near_peak = np.abs(freq - freq[peak]) <= band_hz
        result.update(peak_freq_hz=float(freq[peak]), peak_power=float(psd[peak]),
                      peak_band_frac=float(psd[near_peak].sum() / psd.sum()))
    return result
