"""Synchrony of a population: Golomb-Hansel chi, Kuramoto order parameter, count correlation.

Chance levels for N independent neurons: chi ~ 1/sqrt(N) and Kuramoto r ~
sqrt(pi/(4N)) = 0.886/sqrt(N); report N with both (``summarize`` does).
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from neurodyn.analysis.rates import n_whole_bins, population_counts, spike_bins
from neurodyn.analysis.spikes import spike_trains

KURAMOTO_CHANCE = float(np.sqrt(np.pi) / 2)   # E[r] ~ 0.886 / sqrt(N) for N independent phases
#: The chi at which the studies call a population synchronous (oscillation onsets, e.g. delay_oscillations).
CHI_SYNCHRONY_LEVEL = 0.2
#: Fewest firing traces for a voltage chi that can tell asynchrony from CHI_SYNCHRONY_LEVEL: n independent
#: traces alone give chi^2 = 1/n (chance), which lies below 0.2^2 only for n > 25 (:func:`chi_from_voltage`).
MIN_CHI_TRACES = next(n for n in itertools.count(1) if 1 / np.sqrt(n) < CHI_SYNCHRONY_LEVEL)
_CHUNK = 4_000_000                             # (interval, time point) pairs per vectorised step


def chi_from_voltage(voltage, *, t_start: float | None = None, t_stop: float | None = None) -> float:
    r"""Golomb-Hansel synchrony measure chi from membrane potential traces.

    .. math::

        V(t) = \frac{1}{N}\sum_i v_i(t), \qquad
        \chi^2 = \frac{\mathrm{Var}_t[V]}{\frac{1}{N}\sum_i \mathrm{Var}_t[v_i]}

    chi = 1 for identical traces and ~ 1/sqrt(N) for independent ones (Golomb,
    Scholarpedia 2(1):1347, 2007; Golomb & Hansel, Neural Comput. 12:1095, 2000).

    How many traces: for N independent traces of equal variance E[chi^2] = 1/N, so chi from
    few traces is large by chance alone; it stays below the synchrony level 0.2 of the studies
    (``CHI_SYNCHRONY_LEVEL``) only for N > 25, so at least ``MIN_CHI_TRACES`` = 26 traces are
    needed to tell asynchrony from synchrony. Traces of *silent* neurons follow their common
    input (chi ~ 1 from any number of them) and say nothing about spike synchrony:
    :func:`~neurodyn.analysis.summarize` counts only recorded neurons that fire in the window and
    reports ``chi_voltage`` = NaN with a :class:`~neurodyn.errors.SynchronyWarning` below
    ``MIN_CHI_TRACES``. This function computes chi from whatever it is given.

    Parameters
    ----------
    voltage : ndarray, voltage record or result
        Array of shape (n_neurons, n_times); or an object with ``t`` (s), ``v`` (that
        shape); or a result / SpikeTrains whose ``voltage`` is such an object.
    t_start, t_stop : float, optional
        Time window (s) ``[t_start, t_stop)``; needs the times of a voltage record.

    Returns
    -------
    float
        chi; NaN when every trace is constant.
    """
    v = _voltage_matrix(voltage, t_start, t_stop)
    population = v.mean(axis=0)
    return _chi(population.var(), v.var(axis=1).mean())


def chi_from_running_sums(population_mean, sum_v, sum_v2, n_samples: int) -> float:
    r"""chi from a recorded population mean and per-neuron running sums (no (N, T) record).

    A simulation keeps V(t) = (1/N) sum_i v_i(t) at every sample and, per neuron,
    S1_i = sum_t v_i(t) and S2_i = sum_t v_i(t)^2 over the same ``n_samples`` samples:

    .. math:: \mathrm{Var}_t[v_i] = S2_i / n - (S1_i / n)^2,
              \qquad \chi^2 = \mathrm{Var}_t[V] / \mathrm{mean}_i \mathrm{Var}_t[v_i]

    Keep the sums in float64: the difference loses digits when the mean potential is
    large against its fluctuations.

    Returns
    -------
    float
        chi, as :func:`chi_from_voltage` on the full record.
    """
    population_mean = np.asarray(population_mean, dtype=np.float64)
    sum_v, sum_v2 = np.asarray(sum_v, dtype=np.float64), np.asarray(sum_v2, dtype=np.float64)
    if population_mean.ndim != 1 or len(population_mean) != n_samples:
        raise ValueError(f"population_mean must have n_samples={n_samples} values, got shape {population_mean.shape}")
    if sum_v.shape != sum_v2.shape or sum_v.ndim != 1:
        raise ValueError(f"sum_v and sum_v2 must be 1-D of one length, got {sum_v.shape} and {sum_v2.shape}")
    neuron_var = np.maximum(sum_v2 / n_samples - (sum_v / n_samples) ** 2, 0.0)
    return _chi(population_mean.var(), neuron_var.mean())


def chi_from_spikes(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 0.5e-3,
                    sigma: float = 2e-3) -> float:
    r"""Golomb-Hansel chi of Gaussian-smoothed spike trains (spike-based variant).

    Each train is binned (``bin_width``, s) and convolved with a normalised Gaussian K of
    standard deviation ``sigma`` (s), truncated at 4 sigma; chi is :func:`chi_from_voltage`
    with these smoothed trains s_i in place of v_i. The convolution is circular over the
    window, so that the smoothed trains are stationary: a linear convolution would let
    every train, and the population trace V with them, fall towards 0 at the window's
    edges, and that common drop alone would lift chi above 1/sqrt(N) in large networks.

    The (N, T) matrix of smoothed trains is never built. With the n_i spikes of neuron i in
    bins b_k, :math:`\sum_t s_i(t) = n_i` and

    .. math:: \sum_t s_i(t)^2 = \sum_{k,l} A(b_k - b_l \bmod T), \qquad A = K \star K,

    a sum over the pairs of the neuron's spikes closer than the support of A (circularly),
    so the cost grows with the spikes, not with N times T; V is the smoothed population
    count / N.

    Returns
    -------
    float
        chi: 1 for identical trains, ~ 1/sqrt(N) for independent ones; NaN without spikes.

    Raises
    ------
    ValueError
        When the window is shorter than the support of A (16 sigma).
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0 s, got {sigma}")
    kernel = _gaussian_kernel(sigma / bin_width)
    half = len(kernel) // 2
    lag_weight = np.correlate(kernel, kernel, "full")[2 * half:]       # A(0) ... A(2 half)
    reach = len(lag_weight) - 1
    n_bins = n_whole_bins(trains, bin_width)
    if n_bins < chi_min_bins(bin_width, sigma):
        raise ValueError(f"the window ({trains.duration} s) must be longer than 16 sigma ({16 * sigma} s)")
    bins = spike_bins(trains, bin_width)
    inside = bins < n_bins
    neuron, bins = trains.neuron[inside], bins[inside]
    counts = np.bincount(neuron, minlength=trains.n_neurons)

    in_time = population_counts(trains, bin_width)
    wrapped = np.concatenate([in_time[-half:], in_time, in_time[:half]])
    population = np.convolve(wrapped, kernel, "valid") / trains.n_neurons

    # pairs across the circular seam: copies of each neuron's first spikes, shifted by one
    # window, follow its last ones; pairs among the copies themselves are counted twice
    early = np.flatnonzero(bins <= reach)
    seam = np.searchsorted(neuron, neuron[early], side="right")
    circular_neuron = np.insert(neuron, seam, neuron[early])
    circular_bins = np.insert(bins, seam, bins[early] + n_bins)
    pairs = (_close_pair_sums(circular_neuron, circular_bins, lag_weight, trains.n_neurons)
             - _close_pair_sums(neuron[early], bins[early], lag_weight, trains.n_neurons))
    square_sums = lag_weight[0] * counts + 2 * pairs
    neuron_var = square_sums / n_bins - (counts / n_bins) ** 2
    return _chi(population.var(), neuron_var.mean())


def kuramoto_order(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
                   step: float | None = None) -> pd.DataFrame:
    r"""Kuramoto order parameter r(t) from spike phases.

    Between its spikes k and k+1 neuron j has the phase
    :math:`\phi_j(t) = 2\pi (k + (t - t_k)/(t_{k+1} - t_k))`; outside its first and last
    spike the phase is undefined and the neuron is left out. With the M(t) neurons whose
    phase is defined at t,

    .. math:: r(t) = \left| \frac{1}{M(t)} \sum_j e^{i\phi_j(t)} \right|

    (Kuramoto 1984; for spike phases e.g. Pikovsky, Rosenblum & Kurths 2001). r = 1 for
    identical trains, ~ 0.886/sqrt(M) for independent ones.

    Parameters
    ----------
    step : float, optional
        Spacing (s) of the time points; default: the window sampled at 2000 points.

    Returns
    -------
    DataFrame
        ``t_ms, kuramoto_r, n_phase`` (M(t)); r is NaN where no phase is defined.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    step = trains.duration / 2000 if step is None else step
    if not step > 0:
        raise ValueError(f"step must be > 0 s, got {step}")
    grid = trains.t_start + (np.arange(n_whole_bins(trains, step)) + 0.5) * step
    left = np.flatnonzero(trains.same_neuron)
    t_left, t_right = trains.t[left], trains.t[left + 1]
    next_point = np.searchsorted(grid, trains.t)             # first time point at or after each spike
    first_point = next_point[left]                           # an interval holds the points in [t_left, t_right)
    n_points = next_point[left + 1] - first_point
    real, imag, n_phase = (np.zeros(len(grid)) for _ in range(3))
    ends = np.cumsum(n_points)
    splits = np.searchsorted(ends, np.arange(_CHUNK, ends[-1] if len(ends) else 0, _CHUNK))
    for chunk in np.split(np.arange(len(left)), splits):
        counts = n_points[chunk]
        interval = np.repeat(chunk, counts)
        point = np.arange(counts.sum()) + np.repeat(first_point[chunk] - (np.cumsum(counts) - counts), counts)
        phase = 2 * np.pi * (grid[point] - t_left[interval]) / (t_right[interval] - t_left[interval])
        real += np.bincount(point, weights=np.cos(phase), minlength=len(grid))
        imag += np.bincount(point, weights=np.sin(phase), minlength=len(grid))
        n_phase += np.bincount(point, minlength=len(grid))
    with np.errstate(invalid="ignore"):
        r = np.hypot(real, imag) / n_phase
    return pd.DataFrame({"t_ms": grid * 1e3, "kuramoto_r": r, "n_phase": n_phase.astype(np.int64)})


def kuramoto_r(data, t=None, *, n_neurons=None, t_start=None, t_stop=None,
               step: float | None = None) -> tuple[float, float]:
    """Time average of the Kuramoto r(t) of :func:`kuramoto_order` away from the window's edges.

    Near the edges some neurons have no phase yet (or any more): those whose current
    interval began before the window (or ends after it). The neurons kept are then a
    biased sample whose phases lean towards the start (or end) of their intervals, and r
    is biased by about the share of neurons missing. The average is therefore taken over
    the time points where at most sqrt(M_max) more neurons lack a phase than at the best
    time point (M(t) >= M_max - sqrt(M_max), and M(t) > 0): the bias stays below the chance
    level 0.886/sqrt(M).

    Returns
    -------
    r : float
        Mean of r(t) over those time points; NaN when no phase is defined anywhere.
    n_phase : float
        Mean M(t) over the same points, for the chance level 0.886/sqrt(n_phase).
    """
    order = kuramoto_order(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop, step=step)
    n_phase = order["n_phase"].to_numpy()
    most = n_phase.max(initial=0)
    if most == 0:
        return float("nan"), 0.0
    bulk = (n_phase >= most - np.sqrt(most)) & (n_phase > 0)   # M_max = 1: only where a phase is defined
    return float(order["kuramoto_r"].to_numpy()[bulk].mean()), float(n_phase[bulk].mean())


def spike_count_correlation(data, t=None, *, n_neurons=None, t_start=None, t_stop=None, bin_width: float = 10e-3,
                            max_neurons: int = 200, seed: int = 0) -> float:
    """Mean pairwise Pearson correlation of binned spike counts.

    At most ``max_neurons`` neurons are drawn at random (``seed``); their counts in bins of
    ``bin_width`` (s) give the correlation matrix (``numpy.corrcoef``), whose off-diagonal
    mean is returned. Neurons with constant counts (e.g. silent) have no correlation and
    are left out.

    Returns
    -------
    float
        Mean correlation coefficient; 1 for identical trains, ~ 0 for independent ones;
        NaN when fewer than two sampled neurons vary.
    """
    trains = spike_trains(data, t, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop)
    n_bins = n_whole_bins(trains, bin_width)
    chosen = np.sort(np.random.default_rng(seed).choice(trains.n_neurons, min(max_neurons, trains.n_neurons),
                                                        replace=False))
    row = np.full(trains.n_neurons, -1)
    row[chosen] = np.arange(len(chosen))
    bins = spike_bins(trains, bin_width)
    keep = (row[trains.neuron] >= 0) & (bins < n_bins)
    counts = np.bincount(row[trains.neuron[keep]] * n_bins + bins[keep],
                         minlength=len(chosen) * n_bins).reshape(len(chosen), n_bins)
    counts = counts[counts.std(axis=1) > 0]
    if len(counts) < 2:
        return float("nan")
    correlation = np.corrcoef(counts)
    return float(correlation[np.triu_indices(len(counts), k=1)].mean())


def _chi(population_var: float, mean_neuron_var: float) -> float:
    return float(np.sqrt(population_var / mean_neuron_var)) if mean_neuron_var > 0 else float("nan")


def _voltage_matrix(voltage, t_start, t_stop) -> np.ndarray:
    record = getattr(voltage, "voltage", voltage)      # a result or SpikeTrains carries its record
    if record is None:
        raise ValueError("no voltage record: simulate with recorded voltages (record_v=...)")
    if isinstance(record, np.ndarray) or not hasattr(record, "v"):
        if t_start is not None or t_stop is not None:
            raise ValueError("t_start/t_stop need the sample times: pass a voltage record (t, v) or a result")
        v = np.asarray(record, dtype=np.float64)
    else:
        times = np.asarray(record.t)
        keep = np.ones(len(times), bool)
        if t_start is not None:
            keep &= times >= t_start
        if t_stop is not None:
            keep &= times < t_stop
        if not keep.any():
            raise ValueError(f"no voltage samples in [{t_start}, {t_stop}) s; "
                             f"the record spans [{times.min()}, {times.max()}] s")
        v = np.asarray(record.v, dtype=np.float64)[:, keep]
    if v.ndim != 2 or v.shape[1] < 2:
        raise ValueError(f"voltages must have shape (n_neurons, n_times >= 2), got {v.shape}")
    if not np.isfinite(v).all():
        raise ValueError("voltages contain NaN or infinite values")
    return v


def chi_min_bins(bin_width: float = 0.5e-3, sigma: float = 2e-3) -> int:
    """Whole bins a window needs for :func:`chi_from_spikes`: more than twice the reach of
    A = K * K (16 sigma in all), so that the circular smoothing does not wrap onto itself."""
    reach = 2 * (len(_gaussian_kernel(sigma / bin_width)) // 2)
    return 2 * reach + 1


def chi_min_window(bin_width: float = 0.5e-3, sigma: float = 2e-3) -> float:
    """The shortest analysis window (s) :func:`chi_from_spikes` accepts with these settings."""
    return chi_min_bins(bin_width, sigma) * bin_width


def _gaussian_kernel(sigma_bins: float) -> np.ndarray:
    half = int(np.ceil(4 * sigma_bins))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma_bins) ** 2)
    return kernel / kernel.sum()


def _close_pair_sums(neuron: np.ndarray, bins: np.ndarray, lag_weight: np.ndarray, n: int) -> np.ndarray:
    """Per neuron, the sum of ``lag_weight[b_l - b_k]`` over its spike pairs k < l at most
    ``len(lag_weight) - 1`` bins apart.

    Spikes are sorted by (neuron, bin), so the partners p + m of spike p that belong to one
    neuron and lie within reach are m = 1, 2, ... up to a first miss: the loop runs over m
    with the shrinking set of spikes that still have a partner within reach.
    """
    total = np.zeros(n)
    reach = len(lag_weight) - 1
    left = np.arange(len(bins) - 1)
    m = 1
    while left.size:
        left = left[left + m < len(bins)]
        right = left + m
        lag = bins[right] - bins[left]
        near = (neuron[right] == neuron[left]) & (lag <= reach)
        left, lag = left[near], lag[near]
        total += np.bincount(neuron[left], weights=lag_weight[lag], minlength=n)
        m += 1
    return total
